/**
 * Recommend Products → Evaluate through the real n8n engine: precision@N, recall@N and NDCG@N of the
 * model and of the best sellers, with their lifts, beside hit rate and MAP (whose names stay).
 * The data and the hand computation are those of test/engines/reco/evaluate-ranking-metrics.test.ts.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const T0 = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;
const iso = (day: number): string => new Date(T0 + day * DAY).toISOString();
const buy = (customer_id: string, product_id: string, day: number): IDataObject => ({ customer_id, product_id, timestamp: iso(day) });
const view = (customer_id: string, product_id: string, day: number): IDataObject => ({ customer_id, product_id, timestamp: iso(day), type: 'view' });
// before day 10: c1 A B · c2 A B C · c3 A C · c4 B D · c5 views A · c6 E; from day 10: c1 C D A, c5 C, c6 E, c7 A
const lines: INodeExecutionData[] = [
	buy('c1', 'A', 1), buy('c1', 'B', 2), buy('c2', 'A', 1), buy('c2', 'B', 3), buy('c2', 'C', 4), buy('c3', 'A', 2), buy('c3', 'C', 3),
	buy('c4', 'B', 4), buy('c4', 'D', 5), view('c5', 'A', 5), buy('c6', 'E', 1),
	buy('c1', 'C', 10), buy('c1', 'D', 11), buy('c1', 'A', 12), buy('c5', 'C', 10), buy('c6', 'E', 11), buy('c7', 'A', 12),
].map((json) => ({ json }));

describe('Evaluate reports precision@N, recall@N and NDCG@N', () => {
	it('N = 3, cut-off day 10: hand-computed for the model and the best sellers', async () => {
		const result = await runWorkflow(
			{
				nodes: [
					node('Evaluate', 'recommendProducts', {
						operation: 'evaluate', evaluateCount: 3, evaluateSplit: 'timeCutoff', cutoffDate: '2025-01-11T00:00:00Z', trainOptions: { minSupport: 1 },
					}),
				],
				connections: {},
			},
			{ input: lines },
		);
		expect(result.error).toBeUndefined();
		// Test cases: c1 relevant {C, D} (A is a repeat), c5 relevant {C}.
		// Model: c1 [C, D, E (fill)], c5 [C, B, A (fill)]:
		//   precision (2/3 + 1/3) / 2 = 0.5; recall (2/2 + 1/1) / 2 = 1; NDCG: c1 (1 + 1/log2 3) / (1 + 1/log2 3) = 1, c5 1/1 → 1
		// Best sellers not bought: c1 [C, D, E], c5 [A, B, C]:
		//   precision 0.5; recall 1; NDCG c1 1, c5 (1/log2 4) / 1 = 0.5 → 0.75; MAP (1 + 1/3) / 2 = 0.6667
		// Lifts: 1, 1.5 (MAP), 1, 1, 1/0.75 = 1.3333 (NDCG)
		expect(result.items('Evaluate')[0].json).toMatchObject({
			n: 3,
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
});
