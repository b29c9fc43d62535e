/**
 * Recommend Products → Evaluate with Split = Time Cut-off, through the real n8n engine. Expected
 * figures are computed by hand (see test/engines/reco/evaluate-time-cutoff.test.ts for the same data).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const T0 = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;
// zone-less ISO text, as a spreadsheet gives it: UTC
const iso = (day: number): string => new Date(T0 + day * DAY).toISOString().slice(0, 19);
const buy = (customer_id: string, product_id: string, day: number): IDataObject => ({ customer_id, product_id, timestamp: iso(day) });
const items = (list: IDataObject[]): INodeExecutionData[] => list.map((json) => ({ json }));

// c1 buys A on day 1 and B on day 10; c2 and c3 buy A and B (then C) only on days 20-24;
// c4 and c5 bought A and D before day 10.
const leak = [
	buy('c1', 'A', 1), buy('c1', 'B', 10),
	buy('c2', 'A', 20), buy('c2', 'B', 21), buy('c2', 'C', 22),
	buy('c3', 'B', 22), buy('c3', 'A', 23), buy('c3', 'C', 24),
	buy('c4', 'A', 2), buy('c4', 'D', 3),
	buy('c5', 'A', 4), buy('c5', 'D', 5),
];
const evaluateParams = { operation: 'evaluate', evaluateCount: 1 };
const run = (input: IDataObject[], params: IDataObject, onError?: 'continueRegularOutput') =>
	runWorkflow({ nodes: [node('Evaluate', 'recommendProducts', { ...evaluateParams, ...params }, onError ? { onError } : {})], connections: {} }, { input: items(input) });

describe('Evaluate → Split: Time Cut-off', () => {
	const zone = process.env.TZ;
	// a zone-less cut-off is UTC whatever the n8n server's zone
	beforeAll(() => (process.env.TZ = 'America/New_York'));
	afterAll(() => (process.env.TZ = zone));

	it("the default split still counts c1's B a hit, learnt from purchases made after it", async () => {
		// held out c1 B, c2 C, c3 C, c4 D, c5 D; only A-B has 2 shared customers (c2, c3) → c1 [B] hit, 1 of 5;
		// c4, c5 [B] (a neighbour, no fill), c2 and c3 have bought A and B: empty lists, nothing to fill
		const result = await run(leak, {});
		expect(result.error).toBeUndefined();
		expect(result.items('Evaluate')[0].json).toEqual({
			n: 1, customers: 5, customers_evaluated: 5, similarity: 'cosine',
			// N = 1 and one relevant product: precision, recall and NDCG of a hit are 1 like hit rate (1 of 5)
			model: { hit_rate: 0.2, map: 0.2, precision: 0.2, recall: 0.2, ndcg: 0.2 }, popularity: { hit_rate: 0.2, map: 0.2, precision: 0.2, recall: 0.2, ndcg: 0.2 },
			lift_hit_rate: 1, lift_map: 1, lift_precision: 1, lift_recall: 1, lift_ndcg: 1, fill_share: 0,
		});
	});

	it('a cut-off on day 10 (zone-less, UTC) makes c1 a miss: on day 10 only A-D was known', async () => {
		for (const cutoffDate of ['2025-01-11T00:00:00', '2025-01-11', '2025-01-10T19:00:00-05:00']) {
			const result = await run(leak, { evaluateSplit: 'timeCutoff', cutoffDate });
			expect(result.error).toBeUndefined();
			const [item] = result.items('Evaluate');
			expect(item.pairedItem).toEqual(leak.map((_, i) => ({ item: i })));
			// before: c1 A, c4 A D, c5 A D → the model says [D], best sellers not bought [D]; c1 bought B
			expect(item.json).toEqual({
				n: 1, split: 'time_cutoff', cutoff: '2025-01-11T00:00:00.000Z', test_share: null,
				customers: 5, customers_evaluated: 1, customers_cold_start: 2, customers_repeat_only: 0,
				lines_before_cutoff: 5, lines_after_cutoff: 7, lines_without_time: 0, similarity: 'cosine',
				model: { hit_rate: 0, map: 0, precision: 0, recall: 0, ndcg: 0 }, popularity: { hit_rate: 0, map: 0, precision: 0, recall: 0, ndcg: 0 },
				lift_hit_rate: null, lift_map: null, lift_precision: null, lift_recall: null, lift_ndcg: null, fill_share: 0,
			});
		}
	});

	it('an empty Cut-Off Date leaves the Test Share of dated order lines after the cut-off', async () => {
		// 12 dated lines at days 1 2 3 4 5 10 20 21 22 22 23 24. Share 55%: ceil(6.6) = 7 lines → the 6th time = day 10
		const share = await run(leak, { evaluateSplit: 'timeCutoff', cutoffDate: '', testShare: 55 });
		expect(share.items('Evaluate')[0].json).toMatchObject({ cutoff: '2025-01-11T00:00:00.000Z', test_share: 55, customers_evaluated: 1, model: { hit_rate: 0 } });
		// default 20%: ceil(2.4) = 3 lines → the 10th time = day 22 (both day-22 lines are after it: 8 before, 4 after).
		// c2 (A@20 B@21 before) is tested on C; c3 (first line on day 22) is a cold start.
		// Training c1 A B, c2 A B, c4 A D, c5 A D: A-B and A-D cosine 2/sqrt(4·2); c2 gets [D], the best
		// sellers (A 4, then B and D with 2 buyers and 2 units, by id) not bought [D]: both miss C.
		const auto = await run(leak, { evaluateSplit: 'timeCutoff' });
		expect(auto.items('Evaluate')[0].json).toMatchObject({
			cutoff: '2025-01-23T00:00:00.000Z', test_share: 20, customers_evaluated: 1, customers_cold_start: 1, customers_repeat_only: 0,
			lines_before_cutoff: 8, lines_after_cutoff: 4, model: { hit_rate: 0, map: 0 }, popularity: { hit_rate: 0, map: 0 },
		});
	});

	it.each<[string, IDataObject, string, string]>([
		['an unknown split', { evaluateSplit: 'weekly' }, 'Parameter "Split" must be "latestProduct" or "timeCutoff", got "weekly"', 'evaluateSplit'],
		['a cut-off that is no date', { evaluateSplit: 'timeCutoff', cutoffDate: 'next tuesday' }, 'Parameter "Cut-Off Date" must be a date (ISO 8601, e.g. 2025-03-01 or 2025-03-01T00:00:00Z; without a zone it is UTC), got "next tuesday"', 'cutoffDate'],
		['an impossible date', { evaluateSplit: 'timeCutoff', cutoffDate: '2025-02-30' }, 'Parameter "Cut-Off Date" must be a date (ISO 8601, e.g. 2025-03-01 or 2025-03-01T00:00:00Z; without a zone it is UTC), got "2025-02-30"', 'cutoffDate'],
		['a test share of 0', { evaluateSplit: 'timeCutoff', testShare: 0 }, 'Parameter "Test Share (%)" must be a number from 1 to 99, got 0', 'testShare'],
		['a test share of 100', { evaluateSplit: 'timeCutoff', testShare: 100 }, 'Parameter "Test Share (%)" must be a number from 1 to 99, got 100', 'testShare'],
		['a test share as text', { evaluateSplit: 'timeCutoff', testShare: '20' }, 'Parameter "Test Share (%)" must be a number from 1 to 99, got "20"', 'testShare'],
	])('%s fails naming the parameter', async (_, params, message, parameter) => {
		const result = await run(leak, params);
		expect(result.error?.message).toBe(message);
		expect(result.nodes.Evaluate.error?.name).toBe('NodeOperationError');
		expect(result.nodes.Evaluate.error?.description).toBe(`Parameter: ${parameter}`);
	});

	it('a cut-off before every line fails; with Continue On Fail, one error item paired with the lines', async () => {
		const params = { evaluateSplit: 'timeCutoff', cutoffDate: '2025-01-01' };
		const strict = await run(leak, params);
		expect(strict.error?.message).toBe('No order line before the cut-off 2025-01-01T00:00:00.000Z: nothing to train on (choose a later cut-off)');
		const lenient = await run(leak, params, 'continueRegularOutput');
		expect(lenient.items('Evaluate')).toEqual([{ json: { error: 'No order line before the cut-off 2025-01-01T00:00:00.000Z: nothing to train on (choose a later cut-off)' }, pairedItem: leak.map((_, i) => ({ item: i })) }]);
	});
});
