/**
 * Customer Segments with order dates as RFC 2822 writes them with a zone name
 * (`Wed, 10 Jan 2024 23:30:00 EST`; RFC 2822 section 4.3: EST is -0500, PST -0800), through the
 * n8n engine. Before, every such order stopped the node: `timestamp field "timestamp" is not a date`.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';

const NAME = 'Customer Segments';
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));

describe('Customer Segments: dates with an RFC 2822 zone name', () => {
	it('RFM: 23:30 EST on Jan 10 is 04:30 UTC on Jan 11, the Reference Date (recency 0)', async () => {
		const wf = { nodes: [node(NAME, 'customerSegments', { operation: 'rfm', inputMode: 'transactions', referenceDate: '2024-01-11' } as never)], connections: {} };
		const result = await runWorkflow(wf, {
			input: items([
				{ customer_id: 'a', amount: 10, timestamp: 'Wed, 10 Jan 2024 23:30:00 EST' },
				{ customer_id: 'b', amount: 10, timestamp: 'Mon, 01 Jan 2024 12:00:00 PST' },
			]),
		});
		expect(result.error).toBeUndefined();
		const out = result.items(NAME);
		expect(out.map((i) => i.json)).toEqual([
			expect.objectContaining({ customer_id: 'a', recency_days: 0, last_purchase_at: '2024-01-11T04:30:00.000Z' }),
			// 12:00 PST = 20:00 UTC on Jan 1; the end of Jan 11 is 10 days and 4 hours later: 10 whole days
			expect.objectContaining({ customer_id: 'b', recency_days: 10, last_purchase_at: '2024-01-01T20:00:00.000Z' }),
		]);
		expect(out.map((i) => i.pairedItem)).toEqual([[{ item: 0 }], [{ item: 1 }]]);
	});

	it('Lifetime Value: an order at 21:00 PST on Jan 9 falls on the UTC day Jan 10, one purchase day with the order of that day', async () => {
		const parameters = { operation: 'lifetimeValue', clvInput: 'transactions', timeUnit: 'days', observationEnd: '2024-01-31', clvOutput: 'customers' };
		const wf = { nodes: [node(NAME, 'customerSegments', parameters as never)], connections: {} };
		const result = await runWorkflow(wf, {
			input: items([
				{ customer_id: 'a', amount: 10, timestamp: '2024-01-01T10:00:00Z' },
				{ customer_id: 'a', amount: 20, timestamp: 'Tue, 09 Jan 2024 21:00:00 PST' }, // 2024-01-10T05:00Z
				{ customer_id: 'a', amount: 30, timestamp: '2024-01-10T12:00:00Z' },
				{ customer_id: 'b', amount: 15, timestamp: '2024-01-05T10:00:00Z' },
				{ customer_id: 'b', amount: 25, timestamp: 'Sat, 20 Jan 2024 10:00:00 EDT' },
				{ customer_id: 'c', amount: 40, timestamp: '2024-01-03T10:00:00Z' },
			]),
		});
		expect(result.error).toBeUndefined();
		const [a, b] = result.items(NAME).map((i) => i.json);
		// a: purchase days Jan 1 and Jan 10 (20 + 30 on the same UTC day): frequency 1, recency 9, T 30, repeat spend 50
		expect(a).toMatchObject({ customer_id: 'a', frequency: 1, recency: 9, T: 30, monetary_value: 50 });
		expect(b).toMatchObject({ customer_id: 'b', frequency: 1, recency: 15, T: 26, monetary_value: 25 });
	});
});
