/**
 * Predict on many items and on bad numbers. The model (JSON text from a data table or a file, or
 * an object from an expression) is the same for every item: it is parsed and checked once per
 * distinct value, not once per item. A feature value that is not a finite number (NaN from a Code
 * node, a division by zero) is named in the error, and no item gets a NaN probability.
 *
 * Hand-computed model: one feature x with mean 0 and sd 1, intercept 0, coefficient ln 3, so
 * x = 1 scores 3 / (1 + 3) = 0.75 and x = 0 scores 0.5.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';

const NAME = 'Customer Segments';
const run = (parameters: INodeParameters, rows: IDataObject[], extra: IDataObject = {}) =>
	runWorkflow({ nodes: [node(NAME, 'customerSegments', parameters, extra)], connections: {} }, { input: rows.map((json): INodeExecutionData => ({ json })) });
const model = { kind: 'logisticRegression', version: 1, features: ['x'], scaling: [{ feature: 'x', mean: 0, sd: 1 }], intercept: 0, coefficients: { x: Math.log(3) } };

describe('Predict: the model is read once per distinct value', () => {
	afterEach(() => jest.restoreAllMocks());

	it('parses a model given as JSON text once for all items, and once more for another model text', async () => {
		const text = JSON.stringify(model);
		const other = JSON.stringify({ ...model, coefficients: { x: -Math.log(3) } });
		const parse = jest.spyOn(JSON, 'parse');
		const rows = Array.from({ length: 50 }, (_, i) => ({ x: i % 2, m: i < 40 ? text : other }));
		const r = await run({ operation: 'predict', model: '={{ $json.m }}' }, rows);
		expect(r.error).toBeUndefined();
		const parsedModels = parse.mock.calls.filter(([arg]) => arg === text || arg === other).map(([arg]) => arg);
		expect(parsedModels).toEqual([text, other]);
		const p = r.items(NAME).map((i) => i.json.probability as number);
		expect(p[1]).toBeCloseTo(0.75, 12); // x = 1 with ln 3
		expect(p[0]).toBeCloseTo(0.5, 12);
		expect(p[41]).toBeCloseTo(0.25, 12); // x = 1 with -ln 3
	});

	it('an invalid model text is still an error of every item it reaches (Continue On Fail)', async () => {
		const r = await run({ operation: 'predict', model: '{"kind": "logisticRegression"' }, [{ x: 1 }, { x: 0 }], { onError: 'continueRegularOutput' });
		const errors = r.items(NAME).map((i) => String(i.json.error));
		expect(errors.map((e) => e.slice(0, 33))).toEqual(['Item 0: "Model" is not valid JSON', 'Item 1: "Model" is not valid JSON']);
	});
});

describe('Predict: values that are not finite numbers', () => {
	it('names the item and the feature of a NaN or Infinity value (it said "got null")', async () => {
		const r = await run({ operation: 'predict', model: JSON.stringify(model) }, [{ x: 1 }, { x: NaN }, { x: -Infinity }], { onError: 'continueRegularOutput' });
		const out = r.items(NAME).map((i) => i.json);
		expect(out[0].probability as number).toBeCloseTo(0.75, 12);
		expect(out[1].error).toBe('Item 1: the model needs feature "x" as a number (got NaN)');
		expect(out[2].error).toBe('Item 2: the model needs feature "x" as a number (got -Infinity)');
	});

	it('never emits a NaN probability: terms of +∞ and −∞ from huge values stop the item, naming the feature', async () => {
		const two = { ...model, features: ['a', 'b'], scaling: [{ feature: 'a', mean: 0, sd: 1 }, { feature: 'b', mean: 0, sd: 1 }], coefficients: { a: 10, b: 10 } };
		// 10 · 1e308 overflows to +∞ and 10 · -1e308 to −∞: their sum is NaN
		const r = await run({ operation: 'predict', model: JSON.stringify(two) }, [{ a: 1e308, b: -1e308 }]);
		expect(r.error?.message).toBe('Item 0: feature "a" (1e+308) is too far from the model\'s training data (mean 0, sd 1): its term in the score is infinite, so no probability can be given');
		// one infinite term alone is a certain score: 1, not NaN
		const one = await run({ operation: 'predict', model: JSON.stringify(two) }, [{ a: 1e308, b: 0 }]);
		expect(one.items(NAME)[0].json.probability).toBe(1);
	});
});

describe('Train Model: values that are not finite numbers', () => {
	it('names NaN as NaN in the item error (it said "got null")', async () => {
		const rows = [0, 1, 0, 1, 0, 1].map((v, i) => ({ x: i === 2 ? NaN : v, y: v === 1 }));
		const r = await run({ operation: 'trainModel', features: 'x', targetField: 'y', folds: 2 }, rows);
		expect(r.error?.message).toBe('Item 2: feature field "x" is not a number (got NaN)');
	});
});
