import { evaluate } from '../../../nodes/engines/reco/evaluate';
import { TrainError } from '../../../nodes/engines/reco/train';
import type { Interaction } from '../../../nodes/engines/reco/types';

const T0 = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;
const buy = (customerId: string, productId: string, day?: number): Interaction => ({ customerId, productId, time: day === undefined ? undefined : T0 + day * DAY });
const view = (customerId: string, productId: string, day: number): Interaction => ({ customerId, productId, kind: 'view', time: T0 + day * DAY });

describe('Time Cut-off: the leak of the latest-product split', () => {
	// c1 buys A on day 1 and B on day 10. c2 and c3 buy A and B only on days 20-24 (then C).
	// c4 and c5 bought A and D before day 10: the only pair anyone could know on day 10.
	const data = [
		buy('c1', 'A', 1), buy('c1', 'B', 10),
		buy('c2', 'A', 20), buy('c2', 'B', 21), buy('c2', 'C', 22),
		buy('c3', 'B', 22), buy('c3', 'A', 23), buy('c3', 'C', 24),
		buy('c4', 'A', 2), buy('c4', 'D', 3),
		buy('c5', 'A', 4), buy('c5', 'D', 5),
	];

	it("latest product (the default): c1's B is found from c2's and c3's later purchases", () => {
		// held out: c1 B, c2 C, c3 C, c4 D, c5 D. Training: c1 {A}, c2 {A, B}, c3 {B, A}, c4 {A}, c5 {A}:
		// the only pair with 2 shared customers is A-B (c2, c3). c1 [B] hit; c4, c5 [B] miss (D never
		// trained); c2, c3 have bought A and B, C is not in the model: [] miss. Model 1/5.
		// Best sellers A (5 buyers), B (3): c1 [B] hit, c4 [B], c5 [B], c2 [], c3 [] miss → 1/5.
		const r = evaluate(data, { n: 1 });
		expect(r).toMatchObject({ customers_evaluated: 5, model: { hit_rate: 0.2, map: 0.2 }, popularity: { hit_rate: 0.2, map: 0.2 } });
		expect(evaluate(data, { n: 1, split: 'latestProduct' })).toEqual(r);
	});

	it('cut-off on day 10: nothing links A to B yet, c1 is a miss; c2 and c3 are cold starts', () => {
		// before day 10: c1 A, c4 A D, c5 A D (5 lines) → A (3 buyers) - D (2), cosine 2/sqrt(3·2).
		// test: c1 bought B (new) on day 10 → relevant {B}; the model says [D], best sellers not bought [D].
		const r = evaluate(data, { n: 1, split: 'timeCutoff', cutoff: T0 + 10 * DAY });
		expect(r).toEqual({
			n: 1,
			split: 'time_cutoff',
			cutoff: '2025-01-11T00:00:00.000Z',
			test_share: null,
			customers: 5,
			customers_evaluated: 1,
			customers_cold_start: 2,
			customers_repeat_only: 0,
			lines_before_cutoff: 5,
			lines_after_cutoff: 7,
			lines_without_time: 0,
			similarity: 'cosine',
			model: { hit_rate: 0, map: 0, precision: 0, recall: 0, ndcg: 0 },
			popularity: { hit_rate: 0, map: 0, precision: 0, recall: 0, ndcg: 0 },
			lift_hit_rate: null,
			lift_map: null,
			lift_precision: null,
			lift_recall: null,
			lift_ndcg: null,
			fill_share: 0,
		});
	});
});

describe('Time Cut-off: relevant sets, cold starts, repeats, views, undated lines', () => {
	// before day 10: c1 A@1 B@2 · c2 A@1 B@3 C@4 · c3 A@2 C@3 · c4 B@4 D@5 · c5 views A@5 · c6 E@1
	// from day 10:   c1 C@10 D@11 A@12 · c5 C@10 · c6 E@11 · c7 A@12 · c3 views B@13
	// no time:       c2 D
	const data = [
		buy('c1', 'A', 1), buy('c1', 'B', 2), buy('c2', 'A', 1), buy('c2', 'B', 3), buy('c2', 'C', 4), buy('c3', 'A', 2), buy('c3', 'C', 3),
		buy('c4', 'B', 4), buy('c4', 'D', 5), view('c5', 'A', 5), buy('c6', 'E', 1),
		buy('c1', 'C', 10), buy('c1', 'D', 11), buy('c1', 'A', 12), buy('c5', 'C', 10), buy('c6', 'E', 11), buy('c7', 'A', 12), view('c3', 'B', 13),
		buy('c2', 'D'),
	];

	it('cut-off on day 10: hand-computed hit rate and MAP of the model and the best sellers', () => {
		// Training vectors (purchase 1, view 0.3): A {c1, c2, c3, c5: 0.3}, B {c1, c2, c4}, C {c2, c3}, D {c4}, E {c6}.
		// cosine A-B 2/sqrt(3.09·3) = 0.656883, A-C 2/sqrt(3.09·2) = 0.804518, B-C 1/sqrt(6) = 0.408248,
		// B-D 1/sqrt(3) = 0.577350. Best sellers (buyers, then units, then id): A 3, B 3, C 2, D 1, E 1.
		// c1 (bought B, then 0.9 × A): C = 0.408248 + 0.9·0.804518 = 1.132314, D = 0.577350 → [C, D];
		//    relevant {C, D} (A is a repeat) → AP = (1/1 + 2/2) / 2 = 1. Best sellers not bought: [C, D] → 1.
		// c5 (viewed A, seed 0.5): C 0.402259, B 0.328442 → [C, B]; relevant {C} → AP 1. Best sellers [A, B] → 0.
		// c6 bought only E again (repeat only), c7 has no line before the cut-off (cold start),
		// c3's view after the cut-off is no purchase, c2's undated D is on neither side.
		const r = evaluate(data, { n: 2, split: 'timeCutoff', cutoff: T0 + 10 * DAY, train: { minSupport: 1 } });
		expect(r).toEqual({
			n: 2,
			split: 'time_cutoff',
			cutoff: '2025-01-11T00:00:00.000Z',
			test_share: null,
			customers: 7,
			customers_evaluated: 2,
			customers_cold_start: 1,
			customers_repeat_only: 1,
			lines_before_cutoff: 11,
			lines_after_cutoff: 7,
			lines_without_time: 1,
			similarity: 'cosine',
			// precision: model (2/2 + 1/2) / 2 = 0.75, best sellers (2/2 + 0) / 2 = 0.5; recall: (1 + 1) / 2 and
			// (1 + 0) / 2; NDCG: every model hit is in the ideal place (1, 1), best sellers (1 + 0) / 2
			model: { hit_rate: 1, map: 1, precision: 0.75, recall: 1, ndcg: 1 },
			popularity: { hit_rate: 0.5, map: 0.5, precision: 0.5, recall: 0.5, ndcg: 0.5 },
			lift_hit_rate: 2,
			lift_map: 2,
			lift_precision: 1.5,
			lift_recall: 2,
			lift_ndcg: 2,
			fill_share: 0,
		});
	});

	it('MAP normalises by min(N, relevant): N = 1 finds one of c1\'s two products', () => {
		// c1 [C]: AP = (1/1) / min(2, 1) = 1; c5 [C]: 1. Best sellers: c1 [C] 1, c5 [A] 0.
		const r = evaluate(data, { n: 1, split: 'timeCutoff', cutoff: T0 + 10 * DAY, train: { minSupport: 1 } });
		expect(r).toMatchObject({ model: { hit_rate: 1, map: 1 }, popularity: { hit_rate: 0.5, map: 0.5 } });
		// N = 3: c1 [C, D, fill] AP (1 + 1)/2 = 1; c5 [C, B, fill] 1. Best sellers c1 [C, D, E] 1; c5 [A, B, C] (1/3)/1.
		const r3 = evaluate(data, { n: 3, split: 'timeCutoff', cutoff: T0 + 10 * DAY, train: { minSupport: 1 } });
		// precision (2/3 + 1/3) / 2 = 0.5; recall (1 + 1) / 2; NDCG c1 1, c5 (1/log2(4)) / 1 = 0.5 → 0.75
		expect(r3.popularity).toEqual({ hit_rate: 1, map: 0.6667, precision: 0.5, recall: 1, ndcg: 0.75 });
	});

	it('without a cut-off date, the cut-off leaves the test share of dated order lines after it', () => {
		// 16 dated purchase lines (views and the undated line do not count): 10 before day 10, at days
		// 10, 10, 11, 11, 12, 12 after it. Share 35%: ceil(5.6) = 6 lines → the 11th time = day 10.
		const byShare = evaluate(data, { n: 2, split: 'timeCutoff', testShare: 35, train: { minSupport: 1 } });
		const byDate = evaluate(data, { n: 2, split: 'timeCutoff', cutoff: T0 + 10 * DAY, train: { minSupport: 1 } });
		expect(byShare).toEqual({ ...byDate, test_share: 35 });
		// default 20%: ceil(3.2) = 4 lines → the 13th time = day 11. c1 and c5's C on day 10 train;
		// c1 is tested on D (A is a repeat), c6 repeats E, c7 is a cold start.
		const byDefault = evaluate(data, { n: 2, split: 'timeCutoff', train: { minSupport: 1 } });
		expect(byDefault).toMatchObject({
			cutoff: '2025-01-12T00:00:00.000Z',
			test_share: 20,
			customers_evaluated: 1,
			customers_cold_start: 1,
			customers_repeat_only: 1,
			lines_before_cutoff: 13,
			lines_after_cutoff: 5,
			lines_without_time: 1,
		});
	});
});

describe('Time Cut-off: invalid options', () => {
	const data = [buy('c1', 'A', 1), buy('c1', 'B', 10)];
	it('refuses a bad split, cut-off or test share', () => {
		expect(() => evaluate(data, { split: 'weekly' as never })).toThrow('The split must be "latestProduct" or "timeCutoff" (got "weekly")');
		expect(() => evaluate(data, { split: 'timeCutoff', cutoff: NaN })).toThrow('The cut-off must be a time in epoch milliseconds (got NaN)');
		for (const testShare of [0, 100, -5, NaN]) {
			expect(() => evaluate(data, { split: 'timeCutoff', testShare })).toThrow(`The test share must be a percentage above 0 and below 100 (got ${String(testShare)})`);
		}
	});

	it('fails when no order line has a time, or none is before the cut-off', () => {
		expect(() => evaluate([buy('c1', 'A'), buy('c1', 'B')], { split: 'timeCutoff' })).toThrow(TrainError);
		expect(() => evaluate([buy('c1', 'A'), buy('c1', 'B')], { split: 'timeCutoff' })).toThrow('Time Cut-off needs order lines with a time');
		expect(() => evaluate(data, { split: 'timeCutoff', cutoff: T0 })).toThrow('No order line before the cut-off 2025-01-01T00:00:00.000Z');
	});
});
