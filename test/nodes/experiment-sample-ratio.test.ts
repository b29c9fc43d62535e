/**
 * A/B Experiment Analyze: the sample ratio mismatch check (option Expected Split). A split of
 * recipients unlike the one assigned (e.g. one variant's sends failed or were filtered after
 * Assign) biases the comparison, however significant it looks (Kohavi, Tang & Xu, "Trustworthy
 * Online Controlled Experiments", 2020, ch. 21). Before, Analyze had no such check and declared a
 * winner. Expected values: Pearson's chi-squared goodness of fit by hand and scipy.stats.chisquare.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const rows = (...counts: Array<[string, number, number]>): INodeExecutionData[] => counts.map(([variant, sent, converted]) => ({ json: { variant, sent, converted } }));

async function analyze(input: INodeExecutionData[], analyzeOptions: INodeParameters) {
	const result = await runWorkflow(
		{ nodes: [node('Analyze', 'experiment', { operation: 'analyze', metric: 'converted', control: 'control', mdePercent: 10, analyzeOptions })], connections: {} },
		{ input },
	);
	return result;
}

describe('A/B Experiment Analyze: sample ratio mismatch (Expected Split)', () => {
	// control 90/900 (10%), treatment 300/2100 (14.29%), assigned 1:2. By hand: pooled 390/3000 = 0.13,
	// SE = sqrt(0.13 · 0.87 · (1/900 + 1/2100)) = 0.013399, z = 0.042857 / 0.013399 = 3.199, p = 0.0014:
	// a winner at a plan of 900. But 3,000 recipients split 1:2 expect 1,000 and 2,000:
	// chi-square = 100²/1000 + 100²/2000 = 15, 1 degree of freedom, p = 1.0751e-4 (scipy) < 0.001.
	const lopsided = rows(['control', 900, 90], ['treatment', 2100, 300]);

	it('a split unlike the assigned one is a sample ratio mismatch: no winner, and the report says why', async () => {
		const result = await analyze(lopsided, { planned: 900, expectedSplit: 'control:1, treatment:2' });
		expect(result.error).toBeUndefined();
		const report = result.items('Analyze')[0].json;
		expect(report.verdict).toBe('sample_ratio_mismatch');
		expect(report.winner).toBeNull();
		const srm = report.sample_ratio as IDataObject;
		expect(srm.chi_square as number).toBeCloseTo(15, 9);
		expect(srm.degrees_of_freedom).toBe(1);
		expect(srm.p_value as number).toBeCloseTo(1.0751117672950066e-4, 9);
		expect(srm.mismatch).toBe(true);
		expect(srm.expected_shares).toEqual({ control: 1 / 3, treatment: 2 / 3 });
		expect(srm.observed_shares).toEqual({ control: 0.3, treatment: 0.7 });
		expect(report.summary).toMatch(/^Sample ratio mismatch: .*"control" 900, 30\.00%; "treatment" 2,100, 70\.00%.*33\.33%, 66\.67%.*chi-square 15\.00, p = 0\.00011/);
		// the comparison itself is still reported
		const treatment = (report.variants as IDataObject[]).find((v) => v.variant === 'treatment')!;
		expect(treatment.z as number).toBeCloseTo(3.199, 3);
	});

	it('a split within chance passes, and the verdict is decided as before', async () => {
		// 1,000 and 1,100 assigned 50:50: chi-square = 2 · 50²/1050 = 4.7619, p = 0.029096 (scipy): above 0.001
		const result = await analyze(rows(['control', 1000, 100], ['treatment', 1100, 160]), { planned: 1000, expectedSplit: 'control:50,treatment:50' });
		const report = result.items('Analyze')[0].json;
		const srm = report.sample_ratio as IDataObject;
		expect(srm.chi_square as number).toBeCloseTo(4.761904761904762, 9);
		expect(srm.p_value as number).toBeCloseTo(0.029096331741252267, 6);
		expect(srm.mismatch).toBe(false);
		expect(report.verdict).toBe('winner');
		expect(report.winner).toBe('treatment');
	});

	it('three variants: 2 degrees of freedom', async () => {
		// 1000, 1000, 1150 of 3,150 assigned equally (1,050 each): chi-square = (2500 + 2500 + 10000) / 1050 = 14.2857,
		// p = e^(-14.2857/2) = 7.9049e-4 (scipy 0.0007904903231199671)
		const result = await analyze(rows(['control', 1000, 100], ['a', 1000, 100], ['b', 1150, 115]), { planned: 1000, expectedSplit: 'control:1, a:1, b:1' });
		const srm = result.items('Analyze')[0].json.sample_ratio as IDataObject;
		expect(srm.degrees_of_freedom).toBe(2);
		expect(srm.p_value as number).toBeCloseTo(7.904903231199671e-4, 9);
		expect(srm.mismatch).toBe(true);
	});

	it('a compared variant without a weight, or a pair that is not variant:weight, fails naming it', async () => {
		expect((await analyze(lopsided, { expectedSplit: 'control:1' })).error?.message).toMatch(/no weight for variant "treatment"/);
		expect((await analyze(lopsided, { expectedSplit: 'control:1, treatment' })).error?.message).toMatch(/"treatment" is not variant:weight/);
		expect((await analyze(lopsided, { expectedSplit: 'control:1, treatment:0' })).error?.message).toMatch(/weight of variant "treatment" must be a number above 0/);
	});

	it('without Expected Split there is no check and no sample_ratio field, as before', async () => {
		const report = (await analyze(lopsided, { planned: 900 })).items('Analyze')[0].json;
		expect(report.sample_ratio).toBeUndefined();
		expect(report.verdict).toBe('winner');
	});
});
