import { averagePrecisionAtN, evaluate, hitAtN } from '../../../nodes/engines/reco/evaluate';
import type { Interaction } from '../../../nodes/engines/reco/types';

const at = (customerId: string, productId: string, time: number): Interaction => ({ customerId, productId, time });

describe('Evaluate: metric definitions (review)', () => {
	it('AP@K is normalised by min(K, |relevant|): more relevant items than K does not cap AP below 1', () => {
		// Kaggle / ml_metrics apk: both of the first 2 are relevant, 3 relevant in all → (1/1 + 2/2) / min(3, 2) = 1
		expect(averagePrecisionAtN(['a', 'b', 'x'], new Set(['a', 'b', 'c']), 2)).toBe(1);
		// relevant at ranks 1 and 3 of K = 3, 3 relevant → (1 + 2/3) / 3
		expect(averagePrecisionAtN(['a', 'x', 'b'], new Set(['a', 'b', 'c']), 3)).toBeCloseTo(5 / 9, 12);
		// a list shorter than K
		expect(hitAtN(['a'], new Set(['b']), 10)).toBe(0);
		expect(averagePrecisionAtN([], new Set(['b']), 10)).toBe(0);
	});
});

describe('Evaluate: a customer whose last order only repeats products already bought', () => {
	// c1 bought A@1, B@2, then A and B again @3 (a repeat-only last order). The held-out product is
	// the one bought first most recently, B, and every B line goes (also the repeat @3): if B@3 stayed
	// in the history, Recommend would skip B as bought and c1 could never be a hit.
	// c2 and c3 bought A then B, so A-B are neighbours (2 shared customers); their held-out product is B too.
	const data = [at('c1', 'A', 1), at('c1', 'B', 2), at('c1', 'A', 3), at('c1', 'B', 3), at('c2', 'A', 1), at('c2', 'B', 2), at('c2', 'C', 2.5), at('c3', 'A', 1), at('c3', 'B', 2), at('c3', 'C', 2.5), at('c4', 'A', 1), at('c4', 'B', 1.5)];
	it('holds out B for c1 and finds it from A', () => {
		// Held out: c1 B, c2 C, c3 C, c4 B. Training: c1 {A}, c2 {A, B}, c3 {A, B}, c4 {A}.
		// A-B shared by c2, c3 (2 ≥ min support 2) → neighbours. c1 and c4 (history A) get B first: hits.
		// c2 and c3 (history A, B): no neighbour left, filled with best sellers they did not buy: none
		// (C was held out everywhere) → misses. Hit rate 2/4, MAP (1 + 1) / 4; with N = 1 and one relevant
		// product, precision, recall and NDCG of a hit are 1 each too: (1 + 1) / 4.
		const r = evaluate(data, { n: 1 });
		expect(r.customers_evaluated).toBe(4);
		expect(r.model).toEqual({ hit_rate: 0.5, map: 0.5, precision: 0.5, recall: 0.5, ndcg: 0.5 });
	});
});
