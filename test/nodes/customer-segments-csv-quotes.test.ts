/**
 * RFM with a CSV file through the n8n engine: a quote inside an unquoted field (`TV 55"`) is an
 * ordinary character (RFC 4180), so every row after it is read; a malformed row (text after a
 * closing quote, a quoted field never closed) fails the node naming its line, or with Continue On
 * Fail is skipped and counted in skipped_rows. Before, `TV 55"` made the reader take the rest of
 * the file for one row: 1000 rows in, 6 read, no error and no skipped_rows.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node, type WorkflowJson } from '../harness/engine';

const NAME = 'Customer Segments';
function wf(parameters: IDataObject, extra: IDataObject = {}): WorkflowJson {
	return { nodes: [node(NAME, 'customerSegments', parameters as never, extra)], connections: {} };
}
const file = (text: string): INodeExecutionData[] => [{ json: {}, binary: { data: { data: Buffer.from(text).toString('base64'), mimeType: 'text/csv', fileName: 'orders.csv' } } }];
const params = { operation: 'rfm', inputMode: 'csv', referenceDate: '2024-02-01T00:00:00Z', output: 'summary' };

describe('Customer Segments RFM, CSV input: quotes', () => {
	it('reads all 1000 orders when one product is `TV 55"`', async () => {
		const lines = ['customer_id,amount,timestamp,product'];
		for (let i = 0; i < 1000; i++) lines.push(`c${i},10,2024-01-10,${i === 5 ? 'TV 55"' : 'Sofa'}`);
		const result = await runWorkflow(wf(params), { input: file(lines.join('\n') + '\n') });
		expect(result.error).toBeUndefined();
		const summary = result.items(NAME)[0].json;
		expect(summary).toMatchObject({ type: 'rfmSummary', customers: 1000, transactions: 1000, csv_rows: 1000 });
		expect(summary.skipped_rows).toBeUndefined();
	});

	// c0..c9 on lines 2..11; c3 (line 5) has a space after its closing quote, c6 (line 8) opens a quote it never closes
	const lines = ['customer_id,amount,timestamp'];
	for (let i = 0; i < 10; i++) lines.push(i === 3 ? `"c${i}" ,10,2024-01-10` : i === 6 ? `c${i},"10,2024-01-10` : `c${i},10,2024-01-10`);
	const text = lines.join('\r\n') + '\r\n';

	it('stops at a malformed row, naming its line', async () => {
		const result = await runWorkflow(wf(params), { input: file(text) });
		expect(result.error?.message).toContain('CSV line 5: unexpected character after a closing quote at column 5');
	});

	it('with Continue On Fail skips the malformed rows, counts them, and reads every other row', async () => {
		const result = await runWorkflow(wf({ ...params, output: 'both' }, { onError: 'continueRegularOutput' }), { input: file(text) });
		expect(result.error).toBeUndefined();
		const out = result.items(NAME);
		expect(out.slice(0, -1).map((i) => i.json.customer_id)).toEqual(['c0', 'c1', 'c2', 'c4', 'c5', 'c7', 'c8', 'c9']);
		expect(out[out.length - 1].json).toMatchObject({
			customers: 8,
			transactions: 8,
			csv_rows: 8,
			skipped_rows: 2,
			skipped_row_examples: ['item 0, line 5: unexpected character after a closing quote at column 5', 'item 0, line 8: a quoted field opens on this line and is never closed'],
		});
	});
});
