/**
 * Precision@N, recall@N and NDCG@N (binary relevance) of Evaluate, computed by hand, and the DCG
 * formula checked against a published worked example.
 */
import { dcgAtN, evaluate, ndcgAtN, precisionAtN, recallAtN } from '../../../nodes/engines/reco/evaluate';
import type { Interaction } from '../../../nodes/engines/reco/types';

const LOG2_3 = Math.log2(3); // 1.5849625
const LOG2_5 = Math.log2(5); // 2.3219281

describe('precision@N, recall@N, NDCG@N of one list (hand computation)', () => {
	const ranked = ['A', 'B', 'C', 'D'];
	const relevant = new Set(['B', 'D', 'E']);

	it('N = 4: hits B (rank 2) and D (rank 4) of 3 relevant products', () => {
		// precision = 2 hits / 4 slots = 0.5; recall = 2 hits / 3 relevant = 0.666667
		expect(precisionAtN(ranked, relevant, 4)).toBe(0.5);
		expect(recallAtN(ranked, relevant, 4)).toBeCloseTo(2 / 3, 12);
		// DCG = 1/log2(2+1) + 1/log2(4+1) = 0.630930 + 0.430677 = 1.061606
		// IDCG (min(3, 4) = 3 ideal hits) = 1/log2(2) + 1/log2(3) + 1/log2(4) = 1 + 0.630930 + 0.5 = 2.130930
		// NDCG = 1.061606 / 2.130930 = 0.498189
		expect(ndcgAtN(ranked, relevant, 4)).toBeCloseTo((1 / LOG2_3 + 1 / LOG2_5) / (1 + 1 / LOG2_3 + 0.5), 12);
		expect(ndcgAtN(ranked, relevant, 4)).toBeCloseTo(0.498189, 6);
	});

	it('N = 2: only B is in the first two; the ideal list has min(3, 2) = 2 hits', () => {
		// precision = 1/2; recall = 1/3; DCG = 1/log2(3) = 0.630930; IDCG = 1 + 1/log2(3) = 1.630930; NDCG = 0.386853
		expect(precisionAtN(ranked, relevant, 2)).toBe(0.5);
		expect(recallAtN(ranked, relevant, 2)).toBeCloseTo(1 / 3, 12);
		expect(ndcgAtN(ranked, relevant, 2)).toBeCloseTo(0.386853, 6);
	});

	it('a list shorter than N counts its empty slots as misses; nothing relevant scores 0', () => {
		// [A] with N = 3, relevant {A}: precision 1/3, recall 1/1, DCG 1 / IDCG (min(1, 3) = 1 hit) 1 = 1
		expect(precisionAtN(['A'], new Set(['A']), 3)).toBeCloseTo(1 / 3, 12);
		expect(recallAtN(['A'], new Set(['A']), 3)).toBe(1);
		expect(ndcgAtN(['A'], new Set(['A']), 3)).toBe(1);
		// the one relevant product at rank 3: DCG = 1/log2(4) = 0.5, IDCG = 1 → 0.5
		expect(ndcgAtN(['X', 'Y', 'A'], new Set(['A']), 3)).toBe(0.5);
		expect(recallAtN(ranked, new Set(), 4)).toBe(0);
		expect(ndcgAtN(ranked, new Set(), 4)).toBe(0);
	});
});

describe('DCG against a published worked example', () => {
	it('Scholar (Elixir) Metrics.Ranking.ndcg_n docs: true relevance [10, 0, 0, 1, 5], scores [0.1, 0.2, 0.3, 4, 70] → 0.6956940293312073', () => {
		// https://hexdocs.pm/scholar/Scholar.Metrics.Ranking.html (the same example as scikit-learn's ndcg_score docstring).
		// Scholar computes in 32-bit floats (f32 tensor), so the figure is checked to 7 decimals.
		// Ranked by score (70, 4, 0.3, 0.2, 0.1) the gains are [5, 1, 0, 0, 10]; the ideal order [10, 5, 1, 0, 0].
		const ndcg = dcgAtN([5, 1, 0, 0, 10], 5) / dcgAtN([10, 5, 1, 0, 0], 5);
		expect(ndcg).toBeCloseTo(0.6956940293312073, 7);
	});
});

describe('Evaluate reports precision, recall and NDCG for the model and the best sellers, with lifts', () => {
	const T0 = Date.UTC(2025, 0, 1);
	const DAY = 86_400_000;
	const buy = (customerId: string, productId: string, day: number): Interaction => ({ customerId, productId, time: T0 + day * DAY });
	const view = (customerId: string, productId: string, day: number): Interaction => ({ customerId, productId, kind: 'view', time: T0 + day * DAY });
	// the data of evaluate-time-cutoff.test.ts (without the undated line): before day 10
	// c1 A B · c2 A B C · c3 A C · c4 B D · c5 views A · c6 E; from day 10: c1 C D A, c5 C, c6 E, c7 A
	const data = [
		buy('c1', 'A', 1), buy('c1', 'B', 2), buy('c2', 'A', 1), buy('c2', 'B', 3), buy('c2', 'C', 4), buy('c3', 'A', 2), buy('c3', 'C', 3),
		buy('c4', 'B', 4), buy('c4', 'D', 5), view('c5', 'A', 5), buy('c6', 'E', 1),
		buy('c1', 'C', 10), buy('c1', 'D', 11), buy('c1', 'A', 12), buy('c5', 'C', 10), buy('c6', 'E', 11), buy('c7', 'A', 12),
	];

	it('N = 3, cut-off day 10', () => {
		// Test cases: c1 relevant {C, D} (A is a repeat); c5 relevant {C}. Best sellers A, B, C, D, E.
		// Model (see evaluate-time-cutoff.test.ts): c1 [C, D, E (best-seller fill)], c5 [C, B, A (fill)].
		//   c1: 2 hits, precision 2/3, recall 2/2 = 1, DCG 1 + 1/log2(3) = IDCG (2 ideal hits) → NDCG 1, AP 1
		//   c5: 1 hit at rank 1, precision 1/3, recall 1, NDCG 1/1 = 1, AP 1
		//   means: hit 1, MAP 1, precision (2/3 + 1/3)/2 = 0.5, recall 1, NDCG 1
		// Best sellers not bought: c1 [C, D, E] as above; c5 [A, B, C]: C at rank 3,
		//   precision 1/3, recall 1, NDCG (1/log2(4)) / 1 = 0.5, AP (1/3)/1
		//   means: hit 1, MAP (1 + 1/3)/2 = 0.6667, precision 0.5, recall 1, NDCG (1 + 0.5)/2 = 0.75
		// lifts: hit 1, MAP 2/(4/3) = 1.5, precision 1, recall 1, NDCG 2/1.5 = 1.3333
		const r = evaluate(data, { n: 3, split: 'timeCutoff', cutoff: T0 + 10 * DAY, train: { minSupport: 1 } });
		expect(r).toMatchObject({
			customers_evaluated: 2,
			model: { hit_rate: 1, map: 1, precision: 0.5, recall: 1, ndcg: 1 },
			popularity: { hit_rate: 1, map: 0.6667, precision: 0.5, recall: 1, ndcg: 0.75 },
			lift_hit_rate: 1,
			lift_map: 1.5,
			lift_precision: 1,
			lift_recall: 1,
			lift_ndcg: 1.3333,
		});
	});

	it('N = 2: the best sellers miss c5 entirely', () => {
		// model c1 [C, D]: precision 1, recall 1, NDCG 1; c5 [C, B]: precision 1/2, recall 1, NDCG 1
		//   → precision 0.75, recall 1, NDCG 1
		// best sellers c1 [C, D]: 1, 1, 1; c5 [A, B]: 0, 0, 0 → precision 0.5, recall 0.5, NDCG 0.5
		// lifts: precision 0.75/0.5 = 1.5, recall 2, NDCG 2
		const r = evaluate(data, { n: 2, split: 'timeCutoff', cutoff: T0 + 10 * DAY, train: { minSupport: 1 } });
		expect(r).toMatchObject({
			model: { hit_rate: 1, map: 1, precision: 0.75, recall: 1, ndcg: 1 },
			popularity: { hit_rate: 0.5, map: 0.5, precision: 0.5, recall: 0.5, ndcg: 0.5 },
			lift_precision: 1.5,
			lift_recall: 2,
			lift_ndcg: 2,
		});
	});
});
