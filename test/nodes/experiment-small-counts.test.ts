import type { INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

/**
 * A/B Experiment → Analyze through the n8n engine: a variant not mailed yet (sent 0) and counts
 * too small for the z-test. Expected values by hand (see test/engines/experiment/*.test.ts):
 * 100/1000 vs 150/1000: z = 3.38062, p = 0.000723; 0/3 vs 3/3: expected counts 1.5, Fisher's
 * exact p = 2/20 = 0.1 (the z-test would give p = 0.0143 and a winner).
 */
const params = { operation: 'analyze', metric: 'converted', control: 'control', mdePercent: 50, analyzeOptions: { baselinePercent: 10 } };
type Variant = Record<string, unknown>;

describe('A/B Experiment Analyze: a variant with no recipients yet', () => {
	const rows: INodeExecutionData[] = [
		{ json: { variant: 'control', sent: 1000, converted: 100 } },
		{ json: { variant: 'recos', sent: 1000, converted: 150 } },
		{ json: { variant: 'new-subject', sent: 0, converted: 0 } },
	];

	it('reports it as having no data instead of failing the node', async () => {
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', params)], connections: {} }, { input: rows });
		expect(result.error).toBeUndefined();
		const items = result.items('Analyze');
		expect(items).toHaveLength(1);
		expect(items[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const report = items[0].json;
		const variants = report.variants as Variant[];
		expect(variants.find((v) => v.variant === 'new-subject')).toMatchObject({
			sent: 0,
			rate: null,
			conversion_rate: null,
			p_value: null,
			significant: null,
			warnings: ['No recipients yet (sent 0), so no conversion rate and no comparison.'],
		});
		expect(variants.find((v) => v.variant === 'recos')!.z as number).toBeCloseTo(3.38062, 4);
		expect(report).toMatchObject({ verdict: 'needs_more_data', winner: null, planned_reached: false });
	});

	it('sent 0 with conversions is an error naming the item and the field; with Continue On Fail, its own error item', async () => {
		const bad = [rows[0], rows[1], { json: { variant: 'new-subject', sent: 0, converted: 2 } }];
		const strict = await runWorkflow({ nodes: [node('Analyze', 'experiment', params)], connections: {} }, { input: bad });
		expect(strict.error?.message).toBe('Item 2: field "converted" (2) must not be above "sent" (0)');
		expect((strict.nodes.Analyze.error as unknown as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(2);
		const lenient = await runWorkflow({ nodes: [node('Analyze', 'experiment', params, { onError: 'continueRegularOutput' })], connections: {} }, { input: bad });
		const items = lenient.items('Analyze');
		expect(items.filter((i) => i.json.error !== undefined)).toEqual([{ json: { error: 'Item 2: field "converted" (2) must not be above "sent" (0)' }, pairedItem: { item: 2 } }]);
		const report = items.find((i) => i.json.error === undefined)!;
		expect(report.pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
		expect(report.json).toMatchObject({ verdict: 'winner', winner: 'recos' });
	});
});

describe('A/B Experiment Analyze: counts too small for the z-test', () => {
	it('0/3 vs 3/3 with a plan of 3: no winner, Fisher\'s exact p-value and a warning', async () => {
		const input = [{ json: { variant: 'control', sent: 3, converted: 0 } }, { json: { variant: 'recos', sent: 3, converted: 3 } }];
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', { ...params, analyzeOptions: { planned: 3 } })], connections: {} }, { input });
		expect(result.error).toBeUndefined();
		const report = result.items('Analyze')[0].json;
		expect(report).toMatchObject({ planned_reached: true, verdict: 'needs_more_data', winner: null });
		expect(report.summary).toContain('Inconclusive: too few conversions to compare "recos" with "control" reliably');
		const recos = (report.variants as Variant[])[1];
		expect(recos).toMatchObject({ test: 'fisher_exact', min_expected_count: 1.5, significant: false });
		expect(recos.p_value as number).toBeCloseTo(0.1, 12);
		expect((recos.warnings as string[])[0]).toContain('the smallest expected count is 1.5');
	});
});
