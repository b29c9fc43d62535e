/**
 * `npm run test:e2e`: the templates end to end in a real n8n.
 *
 * Starts n8n 2.41.1 as `npm start` does (scripts/n8n-runtime.js) in a temporary user folder,
 * imports the local credentials, every template (Wait nodes shortened to --wait-seconds,
 * default 4) and the scenarios' test-only workflows (test/e2e/workflows) with n8n's CLI,
 * activates them through the REST API, then drives them with real HTTP traffic (signed webhooks to the production URLs) and checks the local SMTP inbox and
 * n8n's executions. Prints "N passed, N failed" and exits non-zero on any failure.
 *
 * Ends with the browser test (browser.ts) on the same instance; --no-browser skips it.
 *
 *   npm run test:e2e [-- --wait-seconds 4] [-- --only cart] [-- --no-browser]
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { LocalN8n, WorkflowJson } from './local-n8n';
import { PREFIX, ROOT, startLocalN8n, waitForWebhook, waitUntil, webhookPaths, withShortWaits } from './local-n8n';
import { runBrowserTests } from './browser';
import type { Scenario } from './scenario';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const setup = require('../../scripts/local-setup.js') as { missingNodeTypes(wf: unknown): string[] };

const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const waitSeconds = Number(arg('wait-seconds', process.env.PZ_E2E_WAIT_SECONDS ?? '4'));
const only = arg('only', '');

function loadScenarios(): Scenario[] {
	const dir = path.join(__dirname, 'scenarios');
	const out: Scenario[] = [];
	for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const mod = require(path.join(dir, file)) as { scenario: Scenario };
		if (only && !file.includes(only)) continue;
		out.push(mod.scenario);
	}
	return out;
}

async function main(): Promise<void> {
	const baseline = JSON.parse(fs.readFileSync(path.join(__dirname, 'workflows', 'baseline-webhook-noop.json'), 'utf8')) as WorkflowJson;
	const scenarios = loadScenarios();
	const workflows: WorkflowJson[] = [baseline];
	const skipped: string[] = [];
	for (const s of scenarios) {
		const missing = s.templates.filter((t) => !fs.existsSync(path.join(ROOT, 'templates', t)));
		if (missing.length) {
			skipped.push(`${s.name} (template ${missing.join(', ')} not in templates/)`);
			continue;
		}
		const fixtures = (s.fixtures ?? []).map((f) => JSON.parse(fs.readFileSync(path.join(__dirname, 'workflows', f), 'utf8')) as WorkflowJson);
		const missingTypes = [...s.templates.map((t) => JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', t), 'utf8'))), ...fixtures].flatMap(
			(wf) => setup.missingNodeTypes(wf) as string[],
		);
		if (missingTypes.length) {
			skipped.push(`${s.name} (the package has no ${[...new Set(missingTypes)].join(', ')})`);
			continue;
		}
		for (const t of s.templates) {
			const wf = withShortWaits(JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', t), 'utf8')) as WorkflowJson, waitSeconds);
			const prepared = s.prepare ? s.prepare(wf) : wf;
			const at = workflows.findIndex((w) => w.id === prepared.id);
			if (at < 0) workflows.push(prepared);
			else if (s.prepare) workflows[at] = prepared;
		}
		for (const wf of fixtures) if (!workflows.some((w) => w.id === wf.id)) workflows.push(wf);
	}
	const runnable = scenarios.filter((s) => !skipped.some((k) => k.startsWith(`${s.name} (`)));

	const started = Date.now();
	process.stdout.write(`starting n8n with ${workflows.length} workflow(s), waits shortened to ${waitSeconds}s...\n`);
	const n8n: LocalN8n = await startLocalN8n({ workflows });
	process.stdout.write(`n8n up at ${n8n.baseUrl} in ${((Date.now() - started) / 1000).toFixed(1)}s (user folder ${n8n.userFolder})\n\n`);

	const results: Array<{ name: string; ok: boolean; ms: number; error?: string }> = [];
	const run = async (name: string, fn: () => Promise<void>) => {
		const t0 = Date.now();
		try {
			await fn();
			results.push({ name, ok: true, ms: Date.now() - t0 });
			process.stdout.write(`  ✓ ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)\n`);
		} catch (error) {
			const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
			results.push({ name, ok: false, ms: Date.now() - t0, error: message });
			process.stdout.write(`  ✗ ${name}\n${message.split('\n').map((l) => `      ${l}`).join('\n')}\n`);
		}
	};

	try {
		await run('n8n lists every node of the installed package in its node types', async () => {
			const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } };
			const types = await n8n.rest.request<Array<{ name: string }>>('GET', '/types/nodes.json');
			const names = new Set(types.map((t) => t.name));
			for (const entry of pkg.n8n.nodes) {
				const cls = path.basename(entry).replace(/\.node\.js$/, '');
				const type = `${PREFIX}${cls[0].toLowerCase()}${cls.slice(1)}`;
				assert.ok(names.has(type), `node type ${type} missing from n8n's /types/nodes.json`);
			}
		});
		await run('baseline Webhook → No Operation runs one execution per POST', async () => {
			const before = (await n8n.executionsOf(baseline.id)).length;
			const res = await fetch(n8n.webhookUrl('pz-baseline'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ping":1}' });
			assert.equal(res.status, 200);
			await waitUntil(async () => (await n8n.executionsOf(baseline.id)).length === before + 1, 10000, 'one new execution');
		});
		await run('every template is active with its production webhooks registered', async () => {
			for (const wf of workflows) {
				const stored = await n8n.rest.workflow(wf.id);
				assert.equal(stored.active, true, `${wf.name} is not active`);
			}
			for (const wf of workflows) for (const p of webhookPaths(wf)) await waitForWebhook(n8n.webhookUrl(p), 5000);
		});
		for (const s of runnable) {
			for (const t of s.tests) {
				n8n.inbox.clear();
				await run(`${s.name}: ${t.name}`, () => t.fn({ n8n, waitSeconds }));
			}
		}
		if (!args.includes('--no-browser')) {
			// The editor in a real browser, on the same instance (see browser.ts).
			const browser = await runBrowserTests(
				n8n,
				workflows.filter((w) => w.id !== baseline.id),
			);
			for (const r of browser) results.push({ name: `browser: ${r.name}`, ok: r.ok, ms: 0, error: r.error });
		}
	} finally {
		await n8n.stop();
	}

	const passed = results.filter((r) => r.ok).length;
	const failed = results.length - passed;
	if (skipped.length) process.stdout.write(`\nskipped: ${skipped.join('; ')}\n`);
	process.stdout.write(`\n${passed} passed, ${failed} failed${skipped.length ? `, ${skipped.length} scenario(s) skipped` : ''} (${((Date.now() - started) / 1000).toFixed(0)}s)\n`);
	if (failed) {
		process.stdout.write(`n8n log: ${n8n.logFile} (kept with PZ_KEEP_E2E=1)\n`);
		process.exitCode = 1;
	}
}

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.stdout.write('\n0 passed, 1 failed (the run could not start)\n');
		process.exit(1);
	});
}
