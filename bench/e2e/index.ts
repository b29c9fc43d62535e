/**
 * bench/e2e: the cart-recovery template's ingest path on the real n8n (production webhook →
 * Personalization Trigger → Customer Profile record), against a plain Webhook → No Operation
 * workflow in the same n8n, same run, same load.
 *
 * Figures: accepted POSTs per second and completed executions per second, p50/p99 latency from
 * POST to the 200 answer, mean execution time, and the share of each execution spent inside our
 * nodes (sum of the nodes' own executionTime from n8n's run data over the execution's
 * startedAt→stoppedAt) versus n8n's overhead.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LocalN8n, WorkflowJson } from '../../test/e2e/local-n8n';
import { ROOT, sleep, startLocalN8n } from '../../test/e2e/local-n8n';
import type { IngestPath } from '../../test/e2e/ingest';
import { cartIngestPath } from '../../test/e2e/ingest';
import type { Figure } from '../types';

// n8n returns execution data serialized with `flatted`; use the copy n8n itself ships.
// eslint-disable-next-line @typescript-eslint/no-require-imports
// Loaded lazily: the local n8n (and its flatted) is installed on the first run (startLocalN8n does it).
let flattedModule: { parse(s: string): unknown } | undefined;
const flatted = {
	parse(text: string): unknown {
		flattedModule ??= require(path.join(ROOT, '.n8n-runtime', 'n8n', 'node_modules', 'flatted')) as { parse(s: string): unknown };
		return flattedModule.parse(text);
	},
};

interface LoadResult {
	latenciesMs: number[];
	wallMs: number;
	firstPostAt: number;
	errors: number;
}

async function load(send: (i: number) => Promise<Response>, total: number, concurrency: number): Promise<LoadResult> {
	const latenciesMs: number[] = [];
	let next = 0;
	let errors = 0;
	const firstPostAt = Date.now();
	const worker = async () => {
		for (;;) {
			const i = next++;
			if (i >= total) return;
			const t0 = process.hrtime.bigint();
			const res = await send(i);
			await res.arrayBuffer();
			latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
			if (res.status !== 200) errors++;
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	return { latenciesMs, wallMs: Date.now() - firstPostAt, firstPostAt, errors };
}

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface ExecutionRow {
	id: string;
	status: string;
	startedAt: string;
	stoppedAt?: string;
}

async function listExecutions(n8n: LocalN8n, workflowId: string, limit: number): Promise<{ count: number; results: ExecutionRow[] }> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	return n8n.rest.request('GET', `/rest/executions?filter=${filter}&limit=${limit}`);
}

/** Waits until `expected` executions of the workflow have finished; returns the last stoppedAt. */
async function drain(n8n: LocalN8n, workflowId: string, expected: number, timeoutMs: number): Promise<number> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const page = await listExecutions(n8n, workflowId, 1);
		const done = await n8n.rest.request<{ count: number }>(
			'GET',
			`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId, status: ['success', 'error', 'crashed'] }))}&limit=1`,
		);
		if (done.count >= expected && page.results[0]?.stoppedAt) return Date.parse(page.results[0].stoppedAt);
		if (Date.now() > deadline) throw new Error(`only ${done.count}/${expected} executions finished within ${timeoutMs / 1000}s`);
		await sleep(500);
	}
}

/** Mean execution duration and the time inside the given nodes, over a sample of executions. */
async function executionShare(n8n: LocalN8n, workflowId: string, ourNodes: string[], sample: number): Promise<{ meanMs: number; oursMs: number; errors: number }> {
	const page = await listExecutions(n8n, workflowId, sample);
	let total = 0;
	let ours = 0;
	let errors = 0;
	for (const row of page.results) {
		if (row.status !== 'success') errors++;
		const full = await n8n.rest.request<{ data: string; startedAt: string; stoppedAt: string }>('GET', `/rest/executions/${row.id}`);
		const data = flatted.parse(full.data) as { resultData: { runData: Record<string, Array<{ executionTime: number }>> } };
		total += Date.parse(full.stoppedAt) - Date.parse(full.startedAt);
		for (const name of ourNodes) for (const run of data.resultData.runData[name] ?? []) ours += run.executionTime;
	}
	const n = page.results.length || 1;
	return { meanMs: total / n, oursMs: ours / n, errors };
}

interface PathFigures {
	postsPerSec: number;
	execsPerSec: number;
	p50: number;
	p99: number;
	meanExecMs: number;
	oursMs: number;
	httpErrors: number;
	execErrors: number;
}

/**
 * Both paths measured in alternating rounds (baseline round, ingest round, ...) so that they see
 * the same machine load: this machine is shared, and a load change between two long sequential
 * phases would otherwise decide the ratio. Each round posts `perRound` events with `concurrency`
 * clients and waits until n8n has finished every execution of the round.
 */
async function measureInterleaved(n8n: LocalN8n, paths: IngestPath[], rounds: number, perRound: number, concurrency: number): Promise<PathFigures[]> {
	const acc = paths.map(() => ({ latencies: [] as number[], postMs: 0, doneMs: 0, events: 0, errors: 0 }));
	// Warm-up: first executions pay for lazy loading (our bundle, the SQLite store).
	for (const p of paths) {
		const before = (await listExecutions(n8n, p.workflowId, 1)).count;
		await load((i) => p.send(n8n, 1_000_000 + i), 20, 4);
		await drain(n8n, p.workflowId, before + 20, 120000);
	}
	for (let round = 0; round < rounds; round++) {
		for (const [k, p] of paths.entries()) {
			const before = (await listExecutions(n8n, p.workflowId, 1)).count;
			const r = await load((i) => p.send(n8n, round * perRound + i), perRound, concurrency);
			const lastStop = await drain(n8n, p.workflowId, before + perRound, 600000);
			acc[k].latencies.push(...r.latenciesMs);
			acc[k].postMs += r.wallMs;
			acc[k].doneMs += Math.max(r.wallMs, lastStop - r.firstPostAt);
			acc[k].events += perRound;
			acc[k].errors += r.errors;
		}
	}
	const out: PathFigures[] = [];
	for (const [k, p] of paths.entries()) {
		const sorted = [...acc[k].latencies].sort((a, b) => a - b);
		const share = await executionShare(n8n, p.workflowId, p.ourNodes, 50);
		out.push({
			postsPerSec: acc[k].events / (acc[k].postMs / 1000),
			execsPerSec: acc[k].events / (acc[k].doneMs / 1000),
			p50: percentile(sorted, 50),
			p99: percentile(sorted, 99),
			meanExecMs: share.meanMs,
			oursMs: share.oursMs,
			httpErrors: acc[k].errors,
			execErrors: share.errors,
		});
	}
	return out;
}

export async function run({ quick }: { quick: boolean }): Promise<Figure[]> {
	const baselineWf = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'e2e', 'workflows', 'baseline-webhook-noop.json'), 'utf8')) as WorkflowJson;
	const baseline: IngestPath = {
		workflowId: baselineWf.id,
		workflows: [baselineWf],
		ourNodes: [],
		send: (n8n, i) =>
			fetch(n8n.webhookUrl('pz-baseline'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ i, event: 'Checkout Started' }) }),
	};
	const cart = cartIngestPath();
	const noDedupe = cartIngestPath({ dedupe: false });
	const n8n = await startLocalN8n({ workflows: [...baseline.workflows, ...(cart ? cart.workflows : []), ...(noDedupe ? noDedupe.workflows : [])] });
	const rounds = quick ? 6 : 20;
	const perRound = 50;
	const concurrency = 8;
	try {
		if (!cart) {
			const [base] = await measureInterleaved(n8n, [baseline], rounds, perRound, concurrency);
			return [
				{ name: 'Webhook → No Operation (baseline only: the cart template or its nodes are not in this build)', value: base.execsPerSec, unit: 'executions/s', better: 'higher' },
				{ name: 'Webhook → No Operation p50 POST→200', value: base.p50, unit: 'ms', better: 'lower' },
				{ name: 'Webhook → No Operation p99 POST→200', value: base.p99, unit: 'ms', better: 'lower' },
			];
		}
		const [base, ing, nd] = await measureInterleaved(n8n, [baseline, cart, noDedupe ?? cart], rounds, perRound, concurrency);
		process.stderr.write(`baseline: ${JSON.stringify(base)}\ncart ingest: ${JSON.stringify(ing)}\nload average: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
		if (ing.httpErrors || ing.execErrors) throw new Error(`cart ingest path had ${ing.httpErrors} non-200 answers and ${ing.execErrors} failed executions in the sample`);
		const label = 'cart ingest (Personalization Trigger → Customer Profile record)';
		return [
			{ name: `${label}: events/s accepted (POST answered 200), ${concurrency} clients, ${rounds}×${perRound} events alternating with the baseline`, value: ing.postsPerSec, unit: 'events/s', baseline: { name: 'Webhook → No Operation', value: base.postsPerSec }, better: 'higher' },
			{ name: `${label}: events/s through to a finished execution`, value: ing.execsPerSec, unit: 'events/s', baseline: { name: 'Webhook → No Operation', value: base.execsPerSec }, better: 'higher' },
			{ name: `${label}: p50 POST→200`, value: ing.p50, unit: 'ms', baseline: { name: 'Webhook → No Operation', value: base.p50 }, better: 'lower' },
			{ name: `${label}: p99 POST→200`, value: ing.p99, unit: 'ms', baseline: { name: 'Webhook → No Operation', value: base.p99 }, better: 'lower' },
			{ name: `${label}: mean execution time (startedAt→stoppedAt)`, value: ing.meanExecMs, unit: 'ms', baseline: { name: 'Webhook → No Operation', value: base.meanExecMs }, better: 'lower' },
			{ name: `${label}: time in our nodes per execution`, value: ing.oursMs, unit: 'ms', better: 'lower' },
			{ name: `${label}: share of execution time in our nodes (rest is n8n overhead)`, value: ing.meanExecMs ? (100 * ing.oursMs) / ing.meanExecMs : 0, unit: '%', better: 'lower' },
			{ name: `${label} with the trigger's Drop Duplicates off: events/s through to a finished execution`, value: nd.execsPerSec, unit: 'events/s', baseline: { name: 'Webhook → No Operation', value: base.execsPerSec }, better: 'higher' },
			{ name: `${label} with the trigger's Drop Duplicates off: p50 POST→200`, value: nd.p50, unit: 'ms', baseline: { name: 'Webhook → No Operation', value: base.p50 }, better: 'lower' },
		];
	} finally {
		await n8n.stop();
	}
}
