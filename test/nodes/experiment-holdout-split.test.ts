/**
 * A/B Experiment through the real n8n engine: Expected Split with the holdout compared, as the
 * option's text documents it (control:50, treatment:50, holdout:10 = Assign's weights and its
 * Holdout %). Before, Analyze read holdout:10 as one more weight (10/110 = 9.09%, 45.45% each) and
 * a correctly run experiment got `sample_ratio_mismatch`. Expected values: the assignment of each id
 * recomputed in Python (hashlib.sha256, first 48 bits / 2^48) and scipy.stats.chisquare.
 */
import type { IDataObject, INodeExecutionData, INodeParameters, INodeProperties } from 'n8n-workflow';
import { chain, loadPackage, node, P, runWorkflow } from '../harness/engine';

const CUSTOMERS = 20_000;

describe('A/B Experiment: Assign with a 10% holdout, then Analyze with the documented Expected Split', () => {
	it('a correct run is no sample ratio mismatch (before: chi-square 15.08, p = 0.00053, mismatch)', async () => {
		// every customer gets an Email Sent; Assign adds the variant (the holdout's is "holdout")
		const input: INodeExecutionData[] = Array.from({ length: CUSTOMERS }, (_, i) => ({ json: { event: 'Email Sent', userId: `cust-${i}` } }));
		const result = await runWorkflow(
			{
				nodes: [
					node('Assign', 'experiment', { operation: 'assign', experimentId: 'exp-1', customerIdField: 'userId', holdoutPercent: 10 }, { typeVersion: 1.1 }),
					node('Analyze', 'experiment', {
						operation: 'analyze',
						inputType: 'events',
						metric: 'converted',
						control: 'holdout',
						mdePercent: 10,
						// Exclude Variants added but left empty: the holdout is compared
						analyzeOptions: { exclude: '', expectedSplit: 'control:50, treatment:50, holdout:10' },
					}),
				],
				connections: chain('Assign', 'Analyze'),
			},
			{ input },
		);
		expect(result.error).toBeUndefined();
		const report = result.items('Analyze')[0].json;
		const sent = Object.fromEntries((report.variants as IDataObject[]).map((v) => [v.variant, v.sent]));
		// Python: {'holdout': 1976, 'control': 9018, 'treatment': 9006}
		expect(sent).toEqual({ holdout: 1976, control: 9018, treatment: 9006 });
		const srm = report.sample_ratio as IDataObject;
		expect((srm.expected_shares as Record<string, number>).holdout).toBeCloseTo(0.1, 12);
		expect((srm.expected_shares as Record<string, number>).control).toBeCloseTo(0.45, 12);
		// scipy.stats.chisquare([1976, 9018, 9006], [2000, 9000, 9000]): 0.328, p = 0.84874
		expect(srm.chi_square as number).toBeCloseTo(0.328, 9);
		expect(srm.p_value as number).toBeCloseTo(0.8487420218802066, 6);
		expect(srm.mismatch).toBe(false);
		expect(report.verdict).not.toBe('sample_ratio_mismatch');
	});
});

async function analyzeCounts(rows: Array<[string, number, number]>, parameters: INodeParameters) {
	const input = rows.map(([variant, sent, converted]) => ({ json: { variant, sent, converted } }));
	const result = await runWorkflow(
		{ nodes: [node('Analyze', 'experiment', { operation: 'analyze', metric: 'converted', mdePercent: 10, ...parameters })], connections: {} },
		{ input },
	);
	expect(result.error).toBeUndefined();
	return result.items('Analyze')[0].json;
}

describe('A/B Experiment Analyze (node): Expected Split, the plan and looks past it', () => {
	it('a variant not mailed yet waits (needs_more_data), not a sample ratio mismatch', async () => {
		const report = await analyzeCounts(
			[
				['control', 2000, 100],
				['treatment', 0, 0],
			],
			{ control: 'control', analyzeOptions: { expectedSplit: 'control:50, treatment:50' } },
		);
		expect(report.verdict).toBe('needs_more_data');
		expect(report.sample_ratio).toBeUndefined();
		expect(report.summary).not.toContain('p = 0.0');
	});

	it('the holdout as control at 1:4.5 is planned at 19,302 for the holdout, 86,859 for the mailed variant', async () => {
		// Fleiss, Tytun & Ury (1980) for 5% → 5.5%, alpha 0.05, power 0.8, ratio 4.5 (by hand: 19,301.23)
		const report = await analyzeCounts(
			[
				['holdout', 5000, 250],
				['treatment', 22500, 1200],
			],
			{ control: 'holdout', analyzeOptions: { exclude: 'control', baselinePercent: 5, expectedSplit: 'control:50, treatment:50, holdout:10' } },
		);
		expect(report.required_by_variant).toEqual({ holdout: 19302, treatment: 86859 });
		expect(report.planned_per_variant).toBe(19302);
	});

	it('well past the plan, the verdict stands and past_plan says it holds for one decision', async () => {
		// 100/1000 vs 150/1000: p = 0.000723; planned 500 (1,000 is twice the plan)
		const report = await analyzeCounts(
			[
				['control', 1000, 100],
				['treatment', 1000, 150],
			],
			{ control: 'control', analyzeOptions: { planned: 500 } },
		);
		expect(report.verdict).toBe('winner');
		expect(report.past_plan).toBe(true);
		expect(report.summary).toContain('deciding again at each later analysis raises the chance of a false winner');
	});

	it('the Expected Split option says the holdout entry is its Holdout % of all customers', async () => {
		const pkg = await loadPackage();
		const type = pkg.nodeTypes.getByNameAndVersion(`${P}experiment`, 1.1);
		const options = type.description.properties.find((p) => p.name === 'analyzeOptions')!.options as INodeProperties[];
		const split = options.find((o) => o.name === 'expectedSplit')!;
		expect(split.description).toContain('when the holdout is compared its Holdout % of all customers');
		expect(split.description).not.toContain('add holdout:10');
	});
});
