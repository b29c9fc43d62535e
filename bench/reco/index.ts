/**
 * bench/reco: train on 1,000,000 generated order lines (20,000 products, 100,000 customers)
 * and recommend for all 100,000 customers; --quick uses 1/10 of each.
 *
 * Baseline, measured in the same run on the same lines: the naive item-to-item build
 * (nested Map<string, Map<string, number>> co-occurrence counts, cosine, full sort per
 * product) and a naive recommend over it (Map<string, number> scores, full sort).
 * Times are wall clock; the CPU-time figure shows what one core spends when the machine is
 * shared (the code is single-threaded, so on an idle core the two agree).
 */
import { compileModel, recommend } from '../../nodes/engines/reco/recommend';
import { train } from '../../nodes/engines/reco/train';
import type { Interaction } from '../../nodes/engines/reco/types';
import type { Figure } from '../types';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { synthetic } from './generator';
import { naiveRecommend, naiveTrain } from './naive';

function gc(): void {
	(globalThis as { gc?: () => void }).gc?.();
}

function heapMb(): number {
	gc();
	return process.memoryUsage().heapUsed / 1048576;
}

function measure<T>(fn: () => T): { result: T; wallMs: number; cpuMs: number } {
	const cpu = process.cpuUsage();
	const start = process.hrtime.bigint();
	const result = fn();
	const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
	const used = process.cpuUsage(cpu);
	return { result, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

export async function run({ quick }: { quick: boolean }): Promise<Figure[]> {
	const scale = quick ? 10 : 1;
	const sizes = { customers: 100_000 / scale, products: 20_000 / scale, lines: 1_000_000 / scale };
	const data = synthetic({ ...sizes, seed: 42 });
	const lines = data.interactions.filter((l) => l.kind !== 'view');
	const contexts = new Map<string, { purchased: Array<{ id: string; time?: number }> }>();
	for (const l of lines) {
		let c = contexts.get(l.customerId);
		if (!c) contexts.set(l.customerId, (c = { purchased: [] }));
		c.purchased.push({ id: l.productId, time: l.time });
	}
	const customers = [...contexts.values()];
	const purchasedIds = customers.map((c) => c.purchased.map((p) => p.id));
	const label = `${(lines.length / 1e6).toFixed(1)}M lines, ${sizes.products.toLocaleString('en-US')} products, ${contexts.size.toLocaleString('en-US')} customers`;

	// --- train
	const heap0 = heapMb();
	const ours = measure(() => train(lines, { similarity: 'cosine', neighbors: 20 }));
	const compiled = compileModel(ours.result);
	const heapOurs = heapMb() - heap0;
	const modelJsonMb = Buffer.byteLength(JSON.stringify(ours.result)) / 1048576;

	// --- recommend, 6 per customer
	let sink = 0;
	const rec = measure(() => {
		for (const c of customers) sink += recommend(compiled, c, { count: 6 }).length;
	});
	const recPerSec = customers.length / (rec.wallMs / 1000);
	const recPerCpuSec = customers.length / (rec.cpuMs / 1000);
	const modelRef = [ours.result, compiled];

	// --- baseline: naive Maps
	const heap1 = heapMb();
	const naive = measure(() => naiveTrain(lines, 20));
	const heapNaive = heapMb() - heap1;
	const naiveRec = measure(() => {
		for (const p of purchasedIds) sink += naiveRecommend(naive.result, p, 6).length;
	});
	const naiveRecPerSec = customers.length / (naiveRec.wallMs / 1000);
	if (sink < 0 || modelRef.length < 0) console.log(sink);

	// peak memory of each training alone, in a fresh process: peak RSS minus RSS once the lines are loaded
	const peak = (which: string): number => {
		const child = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'memory-child.ts'), which, quick ? 'quick' : 'full'], {
			encoding: 'utf8',
			env: process.env,
			maxBuffer: 16 * 1024 * 1024,
		});
		const marker = child.stdout.lastIndexOf('@@MEM@@');
		if (child.status !== 0 || marker < 0) throw new Error(`memory child ${which} failed: ${child.stderr.slice(-1000)}`);
		const { dataRssMb, maxRssMb } = JSON.parse(child.stdout.slice(marker + 7)) as { dataRssMb: number; maxRssMb: number };
		return maxRssMb - dataRssMb;
	};
	const peakOurs = peak('ours');
	const peakNaive = peak('naive');

	return [
		{
			name: 'train, peak memory above the loaded order lines (fresh process, RSS)',
			value: peakOurs,
			unit: 'MB',
			baseline: { name: 'naive Maps, same measure', value: peakNaive },
			better: 'lower',
		},
		{
			name: `train, wall clock (${label})`,
			value: ours.wallMs / 1000,
			unit: 's',
			baseline: { name: 'naive nested Map<string, Map<string, number>> co-occurrence + full sorts', value: naive.wallMs / 1000 },
			better: 'lower',
			target: quick ? undefined : '< 10 s',
		},
		{
			name: 'train, CPU time of the one core',
			value: ours.cpuMs / 1000,
			unit: 's',
			baseline: { name: 'naive Maps, CPU time', value: naive.cpuMs / 1000 },
			better: 'lower',
			target: quick ? undefined : '< 10 s',
		},
		{
			name: `recommend 6 products for all ${contexts.size.toLocaleString('en-US')} customers, wall clock`,
			value: recPerSec,
			unit: 'customers/s',
			baseline: { name: 'naive Map<string, number> scores + full sort', value: naiveRecPerSec },
			better: 'higher',
			target: '>= 20,000 customers/s',
		},
		{
			name: 'recommend, per CPU second of the one core',
			value: recPerCpuSec,
			unit: 'customers/s',
			baseline: { name: 'naive, per CPU second', value: customers.length / (naiveRec.cpuMs / 1000) },
			better: 'higher',
			target: '>= 20,000 customers/s',
		},
		{
			name: `model in memory after GC (JSON model + compiled arrays; JSON file ${modelJsonMb.toFixed(1)} MB)`,
			value: heapOurs,
			unit: 'MB',
			baseline: { name: 'naive co-occurrence Maps + neighbour lists', value: heapNaive },
			better: 'lower',
		},
	];
}
