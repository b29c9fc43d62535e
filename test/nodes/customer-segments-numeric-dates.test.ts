/**
 * A date given as a whole NUMBER in YYYYMMDD form (an integer date key from a database node or a
 * spreadsheet) is that date, like the same digits as text, through the n8n engine. Before, the
 * number 20240130 was read as epoch seconds: 1970-08-23.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';

const NAME = 'Customer Segments';
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));

describe('Customer Segments: YYYYMMDD dates given as numbers', () => {
	it('RFM: an order dated 20240130 (a number) is 1 day before the Reference Date 2024-01-31', async () => {
		const wf = { nodes: [node(NAME, 'customerSegments', { operation: 'rfm', inputMode: 'transactions', referenceDate: '2024-01-31T00:00:00Z' } as never)], connections: {} };
		const result = await runWorkflow(wf, {
			input: items([
				{ customer_id: 'a', amount: 10, timestamp: 20240130 },
				{ customer_id: 'b', amount: 10, timestamp: '20240101' },
			]),
		});
		expect(result.error).toBeUndefined();
		const [a, b] = result.items(NAME).map((i) => i.json);
		// a: 1 day, b: 30 days. Recency: a has 1 customer with more days below it → 1 + floor(5·1/2) = 3;
		// F and M tie → 1. (3,1,1) is Potential Loyalist, (1,1,1) Lost.
		expect(a).toMatchObject({ customer_id: 'a', recency_days: 1, last_purchase_at: '2024-01-30T00:00:00.000Z', rfm: '311', segment: 'Potential Loyalist' });
		expect(b).toMatchObject({ customer_id: 'b', recency_days: 30, last_purchase_at: '2024-01-01T00:00:00.000Z', rfm: '111', segment: 'Lost' });
	});

	it('Rules: an order event dated 20240129 (a number) is within Active Buyers\' 7 days of 2024-01-31; a trait 20240601 is after 2024-05-31', async () => {
		const parameters = {
			operation: 'rules',
			presets: ['activeBuyers'],
			definition: 'json',
			segmentsJson: JSON.stringify([{ name: 'Renews After May', match: 'all', conditions: [{ type: 'trait', field: 'renewal', operator: 'greaterThan', value: '2024-05-31' }] }]),
			rulesReferenceDate: '2024-01-31T00:00:00Z',
		};
		const wf = { nodes: [node(NAME, 'customerSegments', parameters as never)], connections: {} };
		const result = await runWorkflow(wf, { input: items([{ email: 'a@example.com', renewal: 20240601, events: [{ event: 'Order Completed', timestamp: 20240129 }] }]) });
		expect(result.error).toBeUndefined();
		expect(result.items(NAME)[0].json).toMatchObject({ segments: ['Active Buyers', 'Renews After May'], primary_segment: 'Active Buyers' });
	});
});
