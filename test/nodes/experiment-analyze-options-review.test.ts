import { node, runWorkflow } from '../harness/engine';

// Options set by an expression arrive as text (a plan read from a sheet or CSV column). Before, a
// Planned Recipients per Variant or Baseline Rate given as text was silently dropped: the plan fell
// back to the required sample size and the peeking guard decided at the wrong size.
// 100/1000 vs 150/1000: z = 3.38, p = 0.000723; baseline 10%, MDE 50%: 686 per variant (Fleiss eq. 4.14,
// see test/engines/experiment/stats.test.ts), so without the plan of 2,000 the verdict would be "winner".
const input = [{ json: { variant: 'control', sent: 1000, converted: 100 } }, { json: { variant: 'recos', sent: 1000, converted: 150 } }];
const params = { operation: 'analyze', metric: 'converted', control: 'control', mdePercent: 50 };

describe('A/B Experiment Analyze: number options given by expressions', () => {
	it('a planned sample size given as numeric text holds the verdict back until it is reached', async () => {
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', { ...params, analyzeOptions: { baselinePercent: '={{ "10" }}', planned: '={{ "2000" }}' } })], connections: {} }, { input });
		expect(result.error).toBeUndefined();
		const [report] = result.items('Analyze');
		// baseline 10% (not the control's observed 10% by chance: same value, so check the plan), plan 2,000
		expect(report.json).toMatchObject({ baseline_rate: 0.1, required_per_variant: 686, planned_per_variant: 2000, planned_reached: false, needed_more_per_variant: 1000, verdict: 'needs_more_data', winner: null });
		expect(report.pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('a baseline rate given as text is used: 5% → 7.5% needs 1,471 per variant, not reached with 1,000', async () => {
		// Fleiss eq. 4.14, p1 = 0.05, p2 = 0.075, α 0.05, power 0.8, by hand:
		//   p̄ = 0.0625, 1.959964·sqrt(2·0.0625·0.9375) = 1.959964·0.342327 = 0.670948
		//   0.841621·sqrt(0.05·0.95 + 0.075·0.925) = 0.841621·sqrt(0.116875) = 0.841621·0.341870 = 0.287725
		//   n = (0.958673)² / 0.025² = 0.919054 / 0.000625 = 1470.5 → 1471
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', { ...params, analyzeOptions: { baselinePercent: '={{ "5" }}' } })], connections: {} }, { input });
		expect(result.error).toBeUndefined();
		expect(result.items('Analyze')[0].json).toMatchObject({ baseline_rate: 0.05, required_per_variant: 1471, planned_reached: false });
	});

	it('an option that is no number is an error naming it (Continue On Fail: one error item paired with the rows)', async () => {
		const wf = (onError?: 'continueRegularOutput') => ({ nodes: [node('Analyze', 'experiment', { ...params, analyzeOptions: { planned: '={{ "two thousand" }}' } }, onError ? { onError } : {})], connections: {} });
		const strict = await runWorkflow(wf(), { input });
		expect(strict.error?.message).toBe('Options → Planned Recipients per Variant must be a number, got "two thousand"');
		const lenient = await runWorkflow(wf('continueRegularOutput'), { input });
		expect(lenient.items('Analyze')).toEqual([{ json: { error: 'Options → Planned Recipients per Variant must be a number, got "two thousand"' }, pairedItem: [{ item: 0 }, { item: 1 }] }]);
	});
});

describe('A/B Experiment Analyze: Control Variant given by an expression', () => {
	// variants named by numbers (a sheet's variant column): 1 is the control
	const numbered = [{ json: { variant: '1', sent: 1000, converted: 100 } }, { json: { variant: '2', sent: 1000, converted: 150 } }];
	it('a number is the variant of that name (it failed with "trim is not a function")', async () => {
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', { ...params, control: '={{ 1 }}' })], connections: {} }, { input: numbered });
		expect(result.error).toBeUndefined();
		expect(result.items('Analyze')[0].json).toMatchObject({ control: '1' });
	});

	it('anything else fails naming the parameter', async () => {
		const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', { ...params, control: '={{ ["1"] }}' })], connections: {} }, { input: numbered });
		expect(result.error?.message).toBe('Control Variant must be text, got ["1"]');
	});
});
