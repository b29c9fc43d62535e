import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node, type WorkflowJson } from '../harness/engine';

const NAME = 'Customer Segments';
function wf(parameters: IDataObject, extra: IDataObject = {}): WorkflowJson {
	return { nodes: [node(NAME, 'customerSegments', parameters as never, extra)], connections: {} };
}
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));
const COF = { onError: 'continueRegularOutput' };
type ErrorWithContext = { message: string; context?: { itemIndex?: number } };

// Challenger O-ring data (Montgomery & Runger S11-9): R glm(Failure ~ Temp, binomial) gives 10.87535, -0.17132.
const temp = [53, 56, 57, 63, 66, 67, 67, 67, 68, 69, 70, 70, 70, 70, 72, 73, 75, 75, 76, 76, 78, 79, 80, 81];
const launches = temp.map((t, i) => ({ temperature: t, failure: 'yyynnnnnnnnyyynnnynnnnnn'[i] === 'y' ? 'yes' : 'no' }));
const MODEL = { kind: 'logisticRegression', version: 1, features: ['x'], scaling: [{ feature: 'x', mean: 0, sd: 1 }], intercept: 0, coefficients: { x: 1 }, threshold: 0.5 };

describe('Customer Segments: Train Model through n8n', () => {
	it('with L2 = 0 stores the published fit on the raw scale and Predict applies its scaling', async () => {
		const trained = await runWorkflow(wf({ operation: 'trainModel', features: 'temperature', targetField: 'failure', folds: 3, trainOptions: { l2: 0 } }), { input: items(launches) });
		expect(trained.error).toBeUndefined();
		const model = trained.items(NAME)[0].json as IDataObject & { rawCoefficients: Record<string, number> };
		expect(model.rawIntercept as number).toBeCloseTo(10.87535, 4);
		expect(model.rawCoefficients.temperature).toBeCloseTo(-0.17132, 5);
		// Predict on the raw value: sigmoid(10.87535 - 0.17132 · 53) = 0.8576 (published coefficients)
		const predicted = await runWorkflow(wf({ operation: 'predict', model: JSON.stringify(model) }), { input: items([{ temperature: 53 }]) });
		expect(predicted.items(NAME)[0].json.probability as number).toBeCloseTo(1 / (1 + Math.exp(-(10.87535 - 0.17132 * 53))), 3);
	});

	it('refuses a feature listed twice (the model kept one coefficient for both columns)', async () => {
		const both = launches.map((l) => ({ ...l, temp2: l.temperature }));
		const result = await runWorkflow(wf({ operation: 'trainModel', features: 'temperature, temp2, temperature', targetField: 'failure', folds: 3, trainOptions: { l2: 0 } }), { input: items(both) });
		expect(result.error?.message).toBe('Feature Fields lists "temperature" twice');
	});
});

describe('Customer Segments: Predict refuses thresholds and models it cannot read', () => {
	const cases: Array<[string, IDataObject, string]> = [
		['a Threshold of 50 (percent) from an expression', { predictOptions: { threshold: '={{ $json.cut }}' }, model: JSON.stringify(MODEL) }, 'Item 1: Threshold must be a number from 0 to 1 (got 50)'],
		['a model whose threshold is not a probability', { model: '={{ JSON.stringify({ ...' + JSON.stringify(MODEL) + ', threshold: $json.cut }) }}' }, 'Item 1: Model: the model\'s threshold must be a number from 0 to 1 (got 50)'],
		['a model of another version', { model: '={{ JSON.stringify({ ...' + JSON.stringify(MODEL) + ', version: $json.cut === 50 ? 2 : 1 }) }}' }, 'Item 1: Model: the model has version 2; this node reads version 1 (train the model again with this node)'],
		['a model that lists a feature twice', { model: '={{ JSON.stringify({ ...' + JSON.stringify(MODEL) + ', features: $json.cut === 50 ? ["x", "x"] : ["x"], scaling: $json.cut === 50 ? [{ mean: 0, sd: 1 }, { mean: 0, sd: 1 }] : [{ mean: 0, sd: 1 }] }) }}' }, 'Item 1: Model: the model lists feature "x" twice'],
	];
	it.each(cases)('%s', async (_name, params, message) => {
		const rows = [
			{ x: 2, cut: 0.5 },
			{ x: 2, cut: 50 },
		];
		const strict = await runWorkflow(wf({ operation: 'predict', ...params }), { input: items(rows) });
		expect(strict.error?.message).toBe(message);
		expect((strict.nodes[NAME].error as unknown as ErrorWithContext).context?.itemIndex).toBe(1);
		const lenient = await runWorkflow(wf({ operation: 'predict', ...params }, COF), { input: items(rows) });
		const out = lenient.items(NAME);
		expect(out).toHaveLength(2);
		// item 0 scored: sigmoid(2) = 0.8808 ≥ 0.5
		expect(out[0].json.probability as number).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect(out[1]).toMatchObject({ json: { error: message }, pairedItem: { item: 1 } });
	});
});
