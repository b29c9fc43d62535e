import { averagePrecisionAtN, evaluate, hitAtN } from '../../../nodes/engines/reco/evaluate';
import type { Interaction } from '../../../nodes/engines/reco/types';

describe('ranking metrics', () => {
	it('AP@N and hit@N on hand-checked lists', () => {
		// relevant at ranks 2 and 4: (1/2 + 2/4) / 2 = 0.5
		expect(averagePrecisionAtN(['x', 'a', 'y', 'b'], new Set(['a', 'b']), 4)).toBeCloseTo(0.5, 12);
		// cut at N = 3: only rank 2 counts, normalized by min(2, 3) = 2 → 0.25
		expect(averagePrecisionAtN(['x', 'a', 'y', 'b'], new Set(['a', 'b']), 3)).toBeCloseTo(0.25, 12);
		// one relevant item at rank 3 → 1/3
		expect(averagePrecisionAtN(['x', 'y', 'a'], new Set(['a']), 5)).toBeCloseTo(1 / 3, 12);
		expect(hitAtN(['x', 'y', 'a'], new Set(['a']), 2)).toBe(0);
		expect(hitAtN(['x', 'y', 'a'], new Set(['a']), 3)).toBe(1);
	});
});

describe('leave-last-purchase-out evaluation', () => {
	const at = (customerId: string, productId: string, time: number): Interaction => ({ customerId, productId, time });
	// c1: A@1 B@2 → hold out B, keep A        c2: A@1 B@2 D@3 → hold out D, keep A B
	// c3: C@1 D@2 → hold out D, keep C        c4: C@1 D@2 → hold out D, keep C
	// Training set: c1 {A}, c2 {A, B}, c3 {C}, c4 {C}; D is gone (all its purchases are held out).
	// Buyers: A 2, C 2, B 1 → best sellers A, C, B. Neighbours (min support 1): A-B only.
	const data = [at('c1', 'A', 1), at('c1', 'B', 2), at('c2', 'A', 1), at('c2', 'B', 2), at('c2', 'D', 3), at('c3', 'C', 1), at('c3', 'D', 2), at('c4', 'C', 1), at('c4', 'D', 2)];

	it('N = 1: model hits c1 (A → B), popularity hits nobody', () => {
		// model: c1 [B] hit; c2 [C] (filled) miss; c3 [A] miss; c4 [A] miss → 1/4
		// popularity: c1 [C], c2 [C], c3 [A], c4 [A] → 0
		const r = evaluate(data, { n: 1, train: { minSupport: 1 } });
		expect(r).toMatchObject({ n: 1, customers: 4, customers_evaluated: 4, model: { hit_rate: 0.25, map: 0.25 }, popularity: { hit_rate: 0, map: 0 }, lift_hit_rate: null });
		expect(r.fill_share).toBe(0.75); // c2, c3, c4 were filled with best sellers
	});

	it('N = 2: popularity finds B at rank 2 for c1, the model at rank 1', () => {
		// model: c1 [B, C] AP 1; others miss → hit 0.25, MAP 0.25
		// popularity: c1 [C, B] AP 1/2; others miss → hit 0.25, MAP 0.125
		// precision: model c1 1/2 → 0.5/4 = 0.125; popularity the same. Recall (one relevant): 1/4 = 0.25 both.
		// NDCG: model c1 at rank 1: 1 → 0.25; popularity c1 at rank 2: 1/log2(3) = 0.630930 → /4 = 0.157732
		const r = evaluate(data, { n: 2, train: { minSupport: 1 } });
		expect(r.model).toEqual({ hit_rate: 0.25, map: 0.25, precision: 0.125, recall: 0.25, ndcg: 0.25 });
		expect(r.popularity).toEqual({ hit_rate: 0.25, map: 0.125, precision: 0.125, recall: 0.25, ndcg: 0.1577 });
		expect(r.lift_hit_rate).toBe(1);
		expect(r.lift_map).toBe(2);
		// 0.125 / 0.125, 0.25 / 0.25, 1 / 0.630930 = 1.584963
		expect([r.lift_precision, r.lift_recall, r.lift_ndcg]).toEqual([1, 1, 1.585]);
	});
});
