/** The naive baseline of bench/reco: string-keyed Maps, every pair counted, full sorts. */
import type { Interaction } from '../../nodes/engines/reco/types';

/** The naive way: string-keyed nested Maps, every pair counted, full sorts. */
export function naiveTrain(lines: Interaction[], k: number): Map<string, Array<[string, number]>> {
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

export function naiveRecommend(model: Map<string, Array<[string, number]>>, purchased: string[], n: number): string[] {
	const bought = new Set(purchased);
	const scores = new Map<string, number>();
	for (const p of purchased) for (const [q, s] of model.get(p) ?? []) if (!bought.has(q)) scores.set(q, (scores.get(q) ?? 0) + s);
	return [...scores.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([q]) => q);
}

