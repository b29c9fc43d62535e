/**
 * A/B Experiment Analyze from engagement events without an Experiment ID: events of two
 * experiments that both call their variants control / treatment were added up, so "control" was
 * the control group of two different tests (here a 2/4 control of "spring" and a 0/2 treatment
 * of "autumn" would have become one 2/6 control). The node now refuses, naming the experiments,
 * and asks for the Experiment ID.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const ev = (event: string, email: string, experiment: string | undefined, variant: string): INodeExecutionData => ({
	json: { type: 'track', event, email, properties: { variant, ...(experiment ? { experiment_id: experiment } : {}) }, context: { source: 'test' } },
});
const sends = (experiment: string | undefined, variant: string, names: string[], buyers: string[]): INodeExecutionData[] => [
	...names.map((name) => ev('Email Delivered', `${name}@example.com`, experiment, variant)),
	...buyers.map((name) => ev('Order Completed', `${name}@example.com`, experiment, variant)),
];

const spring = [...sends('spring', 'control', ['a1', 'a2', 'a3', 'a4'], ['a1', 'a2']), ...sends('spring', 'treatment', ['b1', 'b2', 'b3', 'b4'], ['b1'])];
const autumn = [...sends('autumn', 'control', ['c1', 'c2'], ['c1']), ...sends('autumn', 'treatment', ['d1', 'd2'], [])];

async function analyze(input: INodeExecutionData[], parameters: INodeParameters = {}, onError?: 'continueRegularOutput') {
	return runWorkflow(
		{ nodes: [node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', metric: 'converted', mdePercent: 10, ...parameters }, onError ? { onError } : {})], connections: {} },
		{ input },
	);
}
const table = (report: IDataObject) => (report.variants as IDataObject[]).map((v) => [v.variant, v.sent, v.converted]);

describe('A/B Experiment Analyze: events of several experiments', () => {
	it('without an Experiment ID, events of two experiments fail naming both, instead of adding their variants up', async () => {
		const result = await analyze([...spring, ...autumn]);
		expect(result.error?.message).toMatch(/2 experiments \("autumn", "spring"\).*set Experiment ID/);
	});

	it('with Continue On Fail, the refusal is one error item paired with every event', async () => {
		const input = [...spring, ...autumn];
		const result = await analyze(input, {}, 'continueRegularOutput');
		expect(result.error).toBeUndefined();
		const items = result.items('Analyze');
		expect(items).toHaveLength(1);
		expect(items[0].json.error).toMatch(/2 experiments/);
		expect(items[0].pairedItem).toEqual(input.map((_, i) => ({ item: i })));
	});

	it('with the Experiment ID, each experiment is analysed on its own (by hand: spring control 4 sent 2 converted, treatment 4 sent 1)', async () => {
		const result = await analyze([...spring, ...autumn], { analyzeExperimentId: 'spring' });
		expect(result.error).toBeUndefined();
		expect(table(result.items('Analyze')[0].json)).toEqual([
			['control', 4, 2],
			['treatment', 4, 1],
		]);
	});

	it('without an Experiment ID, one experiment and events naming none are counted together, as before', async () => {
		// Stripe orders carrying pz_variant but no experiment id: the same test
		const input = [...spring, ev('Order Completed', 'a3@example.com', undefined, 'control')];
		const result = await analyze(input);
		expect(result.error).toBeUndefined();
		expect(table(result.items('Analyze')[0].json)).toEqual([
			['control', 4, 3],
			['treatment', 4, 1],
		]);
	});
});
