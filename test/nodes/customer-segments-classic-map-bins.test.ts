/**
 * RFM classic map with 3 or 4 score bins through the n8n engine. The map is defined on 5 points;
 * scores are rescaled by the midpoint of each score's quantile range, ceil((2s - 1) · 5 / (2 · bins)):
 * 3 bins → 1, 3, 5; 4 bins → 1, 2, 4, 5. Before, ceil(s · 5 / bins) never gave 1 below 5 bins
 * (3 bins → 2, 4, 5), so the worst customers were "Need Attention".
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';

const NAME = 'Customer Segments';
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));

// Customer ck (k = 1..8) orders k times, 10·k each, all on 2024-01-(1 + 3k): c1 is the oldest,
// least frequent and smallest spender, c8 the best. Each dimension orders the customers the same
// way with no ties, so #lower L = k - 1 on R, F and M alike and score = 1 + floor(bins · L / 8).
function orders(): IDataObject[] {
	const rows: IDataObject[] = [];
	for (let k = 1; k <= 8; k++) for (let j = 0; j < k; j++) rows.push({ customer_id: `c${k}`, amount: 10 * k, timestamp: new Date(Date.UTC(2024, 0, 1 + 3 * k)).toISOString() });
	return rows;
}

describe('Customer Segments RFM: classic map with fewer than 5 bins', () => {
	// 3 bins: L = 0..7 → 1,1,1,2,2,2,3,3 → 5-point 1,1,1,3,3,3,5,5: (1,1,1) Lost, (3,3,3) Loyal Customers
	// (R 2-5, F 3-5, M 3-5; not Champions, which needs 4-5), (5,5,5) Champions.
	// 4 bins: L = 0..7 → 1,1,2,2,3,3,4,4 → 5-point 1,1,2,2,4,4,5,5: (1,1,1) Lost, (2,2,2) Need Attention
	// (R, F, M 2-3; listed before About To Sleep and Hibernating), (4,4,4) and (5,5,5) Champions.
	it.each([
		[3, [1, 1, 1, 2, 2, 2, 3, 3], ['Lost', 'Lost', 'Lost', 'Loyal Customers', 'Loyal Customers', 'Loyal Customers', 'Champions', 'Champions']],
		[4, [1, 1, 2, 2, 3, 3, 4, 4], ['Lost', 'Lost', 'Need Attention', 'Need Attention', 'Champions', 'Champions', 'Champions', 'Champions']],
	])('%i bins', async (bins, scores, segments) => {
		const wf = { nodes: [node(NAME, 'customerSegments', { operation: 'rfm', inputMode: 'transactions', referenceDate: '2024-02-01T00:00:00Z', bins } as never)], connections: {} };
		const result = await runWorkflow(wf, { input: items(orders()) });
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => i.json);
		expect(out.map((c) => c.customer_id)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']);
		expect(out.map((c) => [c.r, c.f, c.m])).toEqual(scores.map((s) => [s, s, s]));
		expect(out.map((c) => c.segment)).toEqual(segments);
	});
});
