/**
 * Train Model and Predict on the inputs a nightly churn workflow gives them: a CSV export (every
 * value is text, flags as "true"/"false"), numbers set by expressions as text, and models kept in
 * a store. Expected values are hand-derived (see each case).
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { runWorkflow, node, type WorkflowJson } from '../harness/engine';

const NAME = 'Customer Segments';
function wf(parameters: INodeParameters, extra: IDataObject = {}): WorkflowJson {
	return { nodes: [node(NAME, 'customerSegments', parameters, extra)], connections: {} };
}
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));
const COF = { onError: 'continueRegularOutput' };

// One binary feature, 4 customers per group: has_app = 0 → 1 of 4 churned, has_app = 1 → 3 of 4.
// With L2 = 0 the fit is the log-odds per group (closed form): P(churn | has_app = 0) = 1/4,
// P(churn | has_app = 1) = 3/4, whatever the scaling.
const churned = [true, false, false, false, true, true, true, false];
const hasApp = [0, 0, 0, 0, 1, 1, 1, 1];

describe('Customer Segments: a flag feature as text (CSV export)', () => {
	it('Train Model reads "true"/"false" and "yes"/"no" text as 1/0, as it reads a JSON boolean', async () => {
		const asText = hasApp.map((v, i) => ({ has_app: v ? (i % 2 ? 'TRUE' : 'yes') : i % 2 ? 'false' : 'No', churned: churned[i] ? 'true' : 'false' }));
		const asBoolean = hasApp.map((v, i) => ({ has_app: v === 1, churned: churned[i] }));
		const params: INodeParameters = { operation: 'trainModel', features: 'has_app', targetField: 'churned', folds: 2, trainOptions: { l2: 0 } };
		const text = await runWorkflow(wf(params), { input: items(asText) });
		expect(text.error).toBeUndefined();
		const fromText = text.items(NAME)[0].json as IDataObject & { rawCoefficients: Record<string, number> };
		// closed form: intercept ln(1/3), slope ln 3 - ln(1/3) = ln 9
		expect(fromText.rawIntercept as number).toBeCloseTo(Math.log(1 / 3), 8);
		expect(fromText.rawCoefficients.has_app).toBeCloseTo(Math.log(9), 8);
		const bool = await runWorkflow(wf(params), { input: items(asBoolean) });
		const fromBoolean = bool.items(NAME)[0].json as IDataObject;
		expect(fromText.coefficients).toEqual(fromBoolean.coefficients);
		expect(fromText.metrics).toEqual(fromBoolean.metrics);

		// Predict reads the flag the same way: "true" scores 3/4, "no" 1/4
		const predicted = await runWorkflow(wf({ operation: 'predict', model: JSON.stringify(fromText) }), { input: items([{ has_app: 'true' }, { has_app: 'no' }, { has_app: false }]) });
		const p = predicted.items(NAME).map((i) => i.json.probability as number);
		expect(p[0]).toBeCloseTo(0.75, 8);
		expect(p[1]).toBeCloseTo(0.25, 8);
		expect(p[2]).toBeCloseTo(0.25, 8);
	});

	it('a target written as CSV floats ("1.0" / "0.0") is the same yes/no; a hex feature ("0x1") is no number', async () => {
		const params: INodeParameters = { operation: 'trainModel', features: 'has_app', targetField: 'churned', folds: 2, trainOptions: { l2: 0 } };
		const floats = await runWorkflow(wf(params), { input: items(hasApp.map((v, i) => ({ has_app: v, churned: churned[i] ? '1.0' : '0.0' }))) });
		expect(floats.error).toBeUndefined();
		// the same closed form as above: intercept ln(1/3), slope ln 9
		const model = floats.items(NAME)[0].json as IDataObject & { rawCoefficients: Record<string, number> };
		expect(model.rawIntercept as number).toBeCloseTo(Math.log(1 / 3), 8);
		expect(model.rawCoefficients.has_app).toBeCloseTo(Math.log(9), 8);
		// numeric text is decimal only, as Rules read it (Number() reads "0x1" as 1)
		const hex = await runWorkflow(wf({ operation: 'predict', model: JSON.stringify(model) }), { input: items([{ has_app: '0x1' }]) });
		expect(hex.error?.message).toBe('Item 0: the model needs feature "has_app" as a number (got "0x1")');
	});

	it('other text is still refused, naming the item and the field', async () => {
		const model = { kind: 'logisticRegression', version: 1, features: ['has_app'], scaling: [{ feature: 'has_app', mean: 0, sd: 1 }], intercept: 0, coefficients: { has_app: 1 } };
		const result = await runWorkflow(wf({ operation: 'predict', model: JSON.stringify(model) }), { input: items([{ has_app: 'true' }, { has_app: 'maybe' }]) });
		expect(result.error?.message).toBe('Item 1: the model needs feature "has_app" as a number (got "maybe")');
	});
});

describe('Customer Segments: numbers from expressions as text', () => {
	const rows = Array.from({ length: 40 }, (_, i) => ({ x: i % 10, churned: (i % 10) + (i % 3) > 6 }));

	it('Train Model reads Folds, Decision Threshold, L2 and Seed given as numeric text as those numbers', async () => {
		const numbers = await runWorkflow(wf({ operation: 'trainModel', features: 'x', targetField: 'churned', folds: 4, threshold: 0.3, trainOptions: { l2: 2, seed: 7 } }), { input: items(rows) });
		const text = await runWorkflow(
			wf({ operation: 'trainModel', features: 'x', targetField: 'churned', folds: '={{ "4" }}', threshold: '={{ "0.3" }}', trainOptions: { l2: '={{ "2" }}', seed: '={{ "7" }}' } }),
			{ input: items(rows) },
		);
		expect(text.error).toBeUndefined();
		const a = numbers.items(NAME)[0].json;
		const b = text.items(NAME)[0].json;
		expect(b.threshold).toBe(0.3);
		expect(b.l2).toBe(2);
		expect(b.metrics).toEqual(a.metrics);
		expect(b.coefficients).toEqual(a.coefficients);
	});

	it('Train Model still refuses text that is not a number, quoting it', async () => {
		const result = await runWorkflow(wf({ operation: 'trainModel', features: 'x', targetField: 'churned', folds: '={{ "five" }}' }), { input: items(rows) });
		expect(result.error?.message).toBe('Cross-Validation Folds must be a whole number from 2 to 20 (got "five")');
	});

	it('Predict reads a Threshold option given as numeric text', async () => {
		// logit = x: x = 0.5 gives sigmoid(0.5) = 0.6225, below a threshold of 0.7, above 0.6
		const model = { kind: 'logisticRegression', version: 1, features: ['x'], scaling: [{ feature: 'x', mean: 0, sd: 1 }], intercept: 0, coefficients: { x: 1 }, threshold: 0.5 };
		const result = await runWorkflow(wf({ operation: 'predict', model: JSON.stringify(model), positiveLabel: 'At-Risk', negativeLabel: 'Healthy', predictOptions: { threshold: '={{ $json.cut }}' } }), {
			input: items([{ x: 0.5, cut: '0.7' }, { x: 0.5, cut: '0.6' }]),
		});
		expect(result.error).toBeUndefined();
		expect(result.items(NAME).map((i) => i.json.label)).toEqual(['Healthy', 'At-Risk']);
	});
});

describe('Customer Segments: Predict refuses a model whose scaling does not line up with its features', () => {
	// Trained order: features [a, b], scaling [a, b]. Stored with the scaling rows swapped, each
	// feature would be standardized with the other's mean and sd, and scored wrongly without error.
	const model = {
		kind: 'logisticRegression',
		version: 1,
		features: ['a', 'b'],
		scaling: [
			{ feature: 'b', mean: 100, sd: 50 },
			{ feature: 'a', mean: 1, sd: 2 },
		],
		intercept: 0,
		coefficients: { a: 1, b: 1 },
	};
	const message = 'Item 0: Model: the model\'s scaling entry 1 is for "b", but its feature 1 is "a" (scaling must list the features in the same order)';

	it('names the item and the entry, and with Continue On Fail gives one error item per input', async () => {
		const strict = await runWorkflow(wf({ operation: 'predict', model: JSON.stringify(model) }), { input: items([{ a: 1, b: 100 }]) });
		expect(strict.error?.message).toBe(message);
		const lenient = await runWorkflow(wf({ operation: 'predict', model: JSON.stringify(model) }, COF), { input: items([{ a: 1, b: 100 }, { a: 2, b: 1 }]) });
		expect(lenient.items(NAME).map((i) => [i.json.error, i.pairedItem])).toEqual([
			[message, { item: 0 }],
			[message.replace('Item 0', 'Item 1'), { item: 1 }],
		]);
	});

	it('refuses a feature that is not a field name instead of failing inside', async () => {
		const result = await runWorkflow(wf({ operation: 'predict', model: JSON.stringify({ ...model, features: ['a', 7], scaling: [{ mean: 0, sd: 1 }, { mean: 0, sd: 1 }] }) }), { input: items([{ a: 1 }]) });
		expect(result.error?.message).toBe("Item 0: Model: the model's features must be field names (got 7)");
	});
});
