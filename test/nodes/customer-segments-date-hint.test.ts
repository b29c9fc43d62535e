/**
 * Every "is not a date" of Customer Segments says what to write instead, as Customer Profile and
 * Recommend Products do (`use ISO 8601, e.g. 2024-01-10T10:00:00Z; without a zone it is UTC`), and
 * still names the item and the field (or CSV line and column, event index, parameter). Before,
 * RFM, Rules and Lifetime Value said only `is not a date`.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';

const NAME = 'Customer Segments';
const HINT = 'use ISO 8601, e.g. 2024-01-10T10:00:00Z; without a zone it is UTC';
const run = (params: IDataObject, input: INodeExecutionData[]) =>
	runWorkflow({ nodes: [node(NAME, 'customerSegments', params as never)], connections: {} }, { input });
const rows = (list: IDataObject[]): INodeExecutionData[] => list.map((json) => ({ json }));

describe('Customer Segments: a date that does not parse names the item, the field and ISO 8601', () => {
	it('RFM: an order date of a transaction item', async () => {
		const r = await run({ operation: 'rfm', inputMode: 'transactions', referenceDate: '2024-01-31' }, rows([
			{ customer_id: 'a', amount: 1, timestamp: '2024-01-20' },
			{ customer_id: 'b', amount: 1, timestamp: '10.01.2024' },
		]));
		expect(r.error?.message).toBe(`Item 1: timestamp field "timestamp" is not a date ("10.01.2024"): ${HINT}`);
	});

	it('RFM: a date of a CSV file, and the Reference Date', async () => {
		const csv = 'customer_id,amount,timestamp\na,1,2024-01-20\nb,2,1/10/2024\n';
		const file: INodeExecutionData[] = [{ json: {}, binary: { data: { data: Buffer.from(csv).toString('base64'), mimeType: 'text/csv', fileName: 'orders.csv' } } }];
		const r = await run({ operation: 'rfm', inputMode: 'csv', referenceDate: '2024-02-01T00:00:00Z', output: 'summary' }, file);
		expect(r.error?.message).toContain(`CSV line 3: timestamp "1/10/2024" in column "timestamp" is not a date: ${HINT}`);
		const ref = await run({ operation: 'rfm', inputMode: 'transactions', referenceDate: '31/01/2024' }, rows([{ customer_id: 'a', amount: 1, timestamp: '2024-01-20' }]));
		expect(ref.error?.message).toBe(`Reference Date "31/01/2024" is not a date: ${HINT}`);
	});

	it('Rules: an event timestamp and the Reference Date', async () => {
		const ev = await run({ operation: 'rules', rulesReferenceDate: '2024-01-31T12:00:00Z' }, rows([{ events: [{ event: 'Order Completed', timestamp: '2024-01-30T10:00:00Z' }, { event: 'Product Viewed', timestamp: 'yesterday' }] }]));
		expect(ev.error?.message).toBe(`Item 0: events: events[1].timestamp "yesterday" is not a date: ${HINT}`);
		const ref = await run({ operation: 'rules', rulesReferenceDate: 'tomorrow' }, rows([{}]));
		expect(ref.error?.message).toBe(`Item 0: Reference Date "tomorrow" is not a date: ${HINT}`);
	});

	it('Lifetime Value: an order date, with Continue On Fail too, and the End of Observation', async () => {
		const params = { operation: 'lifetimeValue', clvInput: 'transactions', observationEnd: '2024-03-31', timeUnit: 'days' };
		const orders = rows([
			{ customer_id: 'a', amount: 10, timestamp: '2024-01-02' },
			{ customer_id: 'a', amount: 12, timestamp: '2024-02-02' },
			{ customer_id: 'b', amount: 5, timestamp: '2024-01-05' },
			{ customer_id: 'b', amount: 7, timestamp: 'Feb 9 2024' },
		]);
		const r = await run(params, orders);
		expect(r.error?.message).toBe(`Item 3: date field "timestamp" is not a date (got "Feb 9 2024"): ${HINT}`);
		const cof = await runWorkflow({ nodes: [node(NAME, 'customerSegments', params as never, { onError: 'continueRegularOutput' })], connections: {} }, { input: orders });
		const errors = cof.items(NAME).filter((i) => i.json.error !== undefined);
		expect(errors.map((i) => [i.json.error, i.pairedItem])).toContainEqual([`Item 3: date field "timestamp" is not a date (got "Feb 9 2024"): ${HINT}`, { item: 3 }]);
		const end = await run({ ...params, observationEnd: '03/31/2024' }, orders);
		expect(end.error?.message).toBe(`End of Observation "03/31/2024" is not a date: ${HINT}`);
	});
});
