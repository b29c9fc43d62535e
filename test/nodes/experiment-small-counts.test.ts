import type { INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

/**
 * A/B Experiment → Analyze through the n8n engine: a variant not mailed yet (sent 0) and counts
 * too small for the z-test. Expected values by hand (see test/engines/experiment/*.test.ts):
 * 100/1000 vs 150/1000: z = 3.38062, p = 0.000723; 0/3 vs 3/3: expected counts 1.5, Fisher's
 * exact p = 2/20 = 0.1 (the z-test would give p = 0.0143 and a winner). Interval expectations are
 * published figures or hand computations (see test/engines/experiment/stats.test.ts).
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
		expect((recos.warnings as string[])[0]).toContain('the confidence intervals (from Wilson score intervals) allow for small counts');
		// Newcombe's interval, not Wald's zero-width [1, 1]: 1 - sqrt((1 - 0.438503)² + 0.561497²) = 0.2059233 to 1
		const [lo, hi] = recos.abs_lift_ci as number[];
		expect(lo).toBeCloseTo(0.2059233, 6);
		expect(hi).toBe(1);
		// a control at 0: no ratio, said in a warning
		expect(recos).toMatchObject({ rel_lift: null, rel_lift_ci: null });
		expect(recos.warnings).toContain('No relative lift: the control "control" has a conversion rate of 0, and a change from 0 has no finite ratio. abs_lift and its interval still compare the two.');
	});
});

describe('A/B Experiment Analyze: confidence intervals of the lift', () => {
	it("gives Newcombe's interval for abs_lift_ci and MOVER-R Wilson for rel_lift_ci (published example)", async () => {
		// Perondi et al. (2004), in Fagerland, Lydersen & Laake (2017) and R's contingencytables: 7/34 vs 1/34,
		// Newcombe hybrid score 0.0189 to 0.3404, MOVER-R Wilson ratio 1.1537 to 41.9763 (relative lift 0.1537 to 40.9763).
		// The former Wald / Katz intervals were 0.0292 to 0.3238 and ratio 0.9096 to 53.8695.
		const input = [{ json: { variant: 'control', sent: 34, converted: 1 } }, { json: { variant: 'recos', sent: 34, converted: 7 } }];
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', { ...params, analyzeOptions: { planned: 34 } })], connections: {} }, { input });
		expect(result.error).toBeUndefined();
		const recos = (result.items('Analyze')[0].json.variants as Variant[])[1];
		const abs = recos.abs_lift_ci as number[];
		const rel = recos.rel_lift_ci as number[];
		expect(abs[0]).toBeCloseTo(0.0189, 4);
		expect(abs[1]).toBeCloseTo(0.3404, 4);
		expect(rel[0]).toBeCloseTo(0.1537, 4);
		expect(rel[1]).toBeCloseTo(40.9763, 3);
	});

	it('gives a relative lift interval when the challenger has no conversions (was null)', async () => {
		// 15/72 vs 0/16: ratio 0 to 1.001819 by hand (see test/engines/experiment/stats.test.ts), relative lift -1 to 0.001819
		const input = [{ json: { variant: 'control', sent: 72, converted: 15 } }, { json: { variant: 'recos', sent: 16, converted: 0 } }];
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', { ...params, analyzeOptions: { planned: 16 } })], connections: {} }, { input });
		const recos = (result.items('Analyze')[0].json.variants as Variant[])[1];
		const rel = recos.rel_lift_ci as number[];
		expect(rel[0]).toBe(-1);
		expect(rel[1]).toBeCloseTo(0.001819, 5);
	});
});
