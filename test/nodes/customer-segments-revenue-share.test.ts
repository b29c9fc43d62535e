/**
 * RFM summary when refunds exceed sales: the revenue share of a segment is its revenue divided by
 * the total, which says nothing when the total is not above 0. Before, a total of -50 (a segment at
 * +100, one at -150) gave revenue_share -2 and 3, and a total of 0 gave 0 to a segment holding +100.
 * Now revenue_share is null and the summary's warnings say why.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';

const NAME = 'Customer Segments';
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));
// Two customers, 5 bins: the higher M scores 1 + floor(5·1/2) = 3, the lower 1.
const rules = JSON.stringify([{ name: 'Positive', m: [3, 5] }]);
const run = (amounts: [number, number]) =>
	runWorkflow(
		{
			nodes: [
				node(NAME, 'customerSegments', {
					operation: 'rfm',
					inputMode: 'transactions',
					referenceDate: '2024-01-31',
					segmentMap: 'json',
					segmentRulesJson: rules,
					output: 'summary',
				} as never),
			],
			connections: {},
		},
		{
			input: items([
				{ customer_id: 'a', amount: amounts[0], timestamp: '2024-01-10' },
				{ customer_id: 'b', amount: amounts[1], timestamp: '2024-01-12' },
			]),
		},
	);

describe('RFM summary: revenue_share when total revenue is not above 0', () => {
	it('total -50 (+100 and -150): revenue_share null, with a warning', async () => {
		const result = await run([100, -150]);
		expect(result.error).toBeUndefined();
		const [summary] = result.items(NAME);
		expect(summary.pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
		expect(summary.json.segments).toEqual([
			{ segment: 'Positive', customers: 1, share: 0.5, revenue: 100, revenue_share: null },
			{ segment: 'Others', customers: 1, share: 0.5, revenue: -150, revenue_share: null },
		]);
		expect(summary.json.warnings).toEqual([expect.stringContaining('Total revenue is -50 (refunds exceed sales): revenue_share is null')]);
	});

	it('total 0 (+100 and -100): revenue_share null, not 0', async () => {
		const [summary] = (await run([100, -100])).items(NAME);
		expect((summary.json.segments as IDataObject[]).map((s) => s.revenue_share)).toEqual([null, null]);
		expect(summary.json.warnings).toEqual([expect.stringContaining('Total revenue is 0: revenue_share is null')]);
	});

	it('a positive total keeps its shares (+150 and -50: 1.5 and -0.5, summing to 1)', async () => {
		const [summary] = (await run([150, -50])).items(NAME);
		expect((summary.json.segments as IDataObject[]).map((s) => s.revenue_share)).toEqual([1.5, -0.5]);
		expect(summary.json.warnings).toEqual([]);
	});
});
