/**
 * A/B Experiment Analyze: variant (and experiment) names read from data are trimmed, as the
 * parameters naming variants already were (Assign's Variants, Control Variant, Exclude Variants,
 * Expected Split). A spreadsheet cell "control " used to be a variant of its own, next to
 * "control"; an ESP Dispatch result of experiment "spring " was not of experiment "spring".
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

async function analyze(input: INodeExecutionData[], parameters: INodeParameters) {
	const result = await runWorkflow({ nodes: [node('Analyze', 'experiment', { operation: 'analyze', control: 'control', mdePercent: 10, ...parameters })], connections: {} }, { input });
	expect(result.error).toBeUndefined();
	return result.items('Analyze')[0].json;
}

describe('A/B Experiment Analyze: variant names from data are trimmed', () => {
	it('counts rows: "control " adds up with "control", " treatment" is "treatment", "holdout " is excluded', async () => {
		const input = [
			{ variant: 'control', sent: 500, converted: 50 },
			{ variant: 'control ', sent: 500, converted: 50 },
			{ variant: ' treatment', sent: 1000, converted: 120 },
			// excluded by the default Exclude Variants (holdout): needs no converted count
			{ variant: 'holdout ', sent: 100 },
		].map((json) => ({ json }));
		const report = await analyze(input, { inputType: 'counts', metric: 'converted', analyzeOptions: { expectedSplit: 'control:50, treatment:50' } });
		// by hand: control 500 + 500 = 1000 sent, 50 + 50 = 100 converted; treatment 1000 / 120
		expect((report.variants as IDataObject[]).map((v) => [v.variant, v.sent, v.converted])).toEqual([
			['control', 1000, 100],
			['treatment', 1000, 120],
		]);
		// 1000 and 1000 on a 50:50 split: chi-square 0
		expect((report.sample_ratio as IDataObject).chi_square).toBe(0);
	});

	it('events and ESP Dispatch results: "control ", " treatment" and experiment "spring " are control, treatment and spring', async () => {
		const ev = (email: string, event: string, properties: IDataObject) => ({ json: { type: 'track', event, email, properties, context: { source: 'test' } } });
		const input: INodeExecutionData[] = [
			ev('a@example.com', 'Email Delivered', { variant: 'control', experiment_id: 'spring', email_id: 'm-a' }),
			ev('a@example.com', 'Email Opened', { variant: 'control', experiment_id: 'spring', email_id: 'm-a' }),
			ev('b@example.com', 'Email Delivered', { variant: 'control ', experiment_id: 'spring', email_id: 'm-b' }),
			ev('c@example.com', 'Email Delivered', { variant: ' treatment', experiment_id: ' spring', email_id: 'm-c' }),
			ev('c@example.com', 'Email Opened', { variant: 'treatment', experiment_id: 'spring', email_id: 'm-c' }),
			// an ESP Dispatch result, its attribution from a sheet with trailing spaces
			{ json: { status: 'sent', recipient: 'd@example.com', idempotencyKey: 'k-d', messageId: 'm-d', variant: 'treatment ', experiment: 'spring ' } },
		];
		const report = await analyze(input, { inputType: 'events', analyzeExperimentId: 'spring', metric: 'opened' });
		// by hand: control a, b sent, a opened; treatment c, d sent, c opened; nothing ignored
		expect((report.variants as IDataObject[]).map((v) => [v.variant, v.sent, v.opened])).toEqual([
			['control', 2, 1],
			['treatment', 2, 1],
		]);
		expect(report.events_ignored).toBe(0);
	});
});
