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
import { synthetic } from './generator';

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

/** The naive way: string-keyed nested Maps, every pair counted, full sorts. */
function naiveTrain(lines: Interaction[], k: number): Map<string, Array<[string, number]>> {
	const byCustomer = new Map<string, Set<string>>();
	for (const l of lines) {
		let s = byCustomer.get(l.customerId);
		if (!s) byCustomer.set(l.customerId, (s = new Set()));
		s.add(l.productId);
	}
	const count = new Map<string, number>();
	const co = new Map<string, Map<string, number>>();
	for (const products of byCustomer.values()) {
		const list = [...products];
		for (const a of list) {
			count.set(a, (count.get(a) ?? 0) + 1);
			let row = co.get(a);
			if (!row) co.set(a, (row = new Map()));
			for (const b of list) if (a !== b) row.set(b, (row.get(b) ?? 0) + 1);
		}
	}
	const model = new Map<string, Array<[string, number]>>();
	for (const [a, row] of co) {
		const scored: Array<[string, number]> = [];
		for (const [b, c] of row) if (c >= 2) scored.push([b, c / Math.sqrt(count.get(a)! * count.get(b)!)]);
		scored.sort((x, y) => y[1] - x[1]);
		model.set(a, scored.slice(0, k));
	}
	return model;
}

function naiveRecommend(model: Map<string, Array<[string, number]>>, purchased: string[], n: number): string[] {
	const bought = new Set(purchased);
	const scores = new Map<string, number>();
	for (const p of purchased) for (const [q, s] of model.get(p) ?? []) if (!bought.has(q)) scores.set(q, (scores.get(q) ?? 0) + s);
	return [...scores.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([q]) => q);
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

	return [
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
