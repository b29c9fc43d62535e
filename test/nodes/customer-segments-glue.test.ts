import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node, type WorkflowJson } from '../harness/engine';

const NAME = 'Customer Segments';
function wf(parameters: IDataObject, extra: IDataObject = {}): WorkflowJson {
	return { nodes: [node(NAME, 'customerSegments', parameters as never, extra)], connections: {} };
}
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));
const COF = { onError: 'continueRegularOutput' };
type ErrorWithContext = { message: string; context?: { itemIndex?: number } };

describe('Customer Segments: Lifetime Value, customers whose orders all fall after End of Observation', () => {
	// End of observation 2024-03-01. a and b bought on two days before it; z only after it.
	const END = '2024-03-01T00:00:00Z';
	const orders = [
		{ customer_id: 'a', amount: 10, timestamp: '2024-01-01T10:00:00Z' },
		{ customer_id: 'z', amount: 99, timestamp: '2024-03-05T10:00:00Z' },
		{ customer_id: 'a', amount: 20, timestamp: '2024-02-01T10:00:00Z' },
		{ customer_id: 'b', amount: 5, timestamp: '2024-01-10T10:00:00Z' },
		{ customer_id: 'z', amount: 1, timestamp: '2024-03-06T10:00:00Z' },
		{ customer_id: 'b', amount: 7, timestamp: '2024-02-20T10:00:00Z' },
	];
	const params = { operation: 'lifetimeValue', clvInput: 'transactions', observationEnd: END, timeUnit: 'days', clvOutput: 'both' };

	it('gives such a customer one skipped item paired with its orders and counts it in the model', async () => {
		const result = await runWorkflow(wf(params), { input: items(orders) });
		expect(result.error).toBeUndefined();
		const out = result.items(NAME);
		// a, b scored; z skipped; then the model item.
		expect(out).toHaveLength(4);
		expect(out.slice(0, 2).map((i) => i.json.customer_id)).toEqual(['a', 'b']);
		expect(out[2].json).toEqual({ customer_id: 'z', skipped: true, reason: 'all orders after End of Observation' });
		expect(out[2].pairedItem).toEqual([{ item: 1 }, { item: 4 }]);
		expect(out[3].json).toMatchObject({ type: 'clvModel', customers: 2, skipped_all_orders_after_end_of_observation: 1 });
		// Every input item is paired with some output item.
		const paired = new Set(out.slice(0, 3).flatMap((i) => (i.pairedItem as Array<{ item: number }>).map((p) => p.item)));
		expect([...paired].sort()).toEqual([0, 1, 2, 3, 4, 5]);
	});

	it('Model output counts the skipped customer and emits only the model item', async () => {
		const result = await runWorkflow(wf({ ...params, clvOutput: 'model' }), { input: items(orders) });
		const out = result.items(NAME);
		expect(out).toHaveLength(1);
		expect(out[0].json).toMatchObject({ type: 'clvModel', skipped_all_orders_after_end_of_observation: 1 });
	});
});

describe('Customer Segments: model errors honour Continue On Fail', () => {
	it('Train Model: per-item errors plus one model error item instead of failing', async () => {
		const rows = [
			{ recency_days: 'x', churned: true },
			{ recency_days: 3, churned: true },
			{ recency_days: 4, churned: 'maybe' },
		];
		const params = { operation: 'trainModel', features: 'recency_days', targetField: 'churned', folds: 2 };
		const failed = await runWorkflow(wf(params), { input: items(rows) });
		expect(failed.error?.message).toBe('Item 0: feature field "recency_days" is not a number (got "x")');
		const result = await runWorkflow(wf(params, COF), { input: items(rows) });
		expect(result.error).toBeUndefined();
		const out = result.items(NAME);
		expect(out.map((i) => [i.json.error, i.pairedItem])).toEqual([
			['Not enough data to train: 1 usable rows, 1 positive and 0 negative', [{ item: 0 }, { item: 1 }, { item: 2 }]],
			['Item 0: feature field "recency_days" is not a number (got "x")', { item: 0 }],
			['Item 2: target field "churned" must be true/false, 1/0 or yes/no (got "maybe")', { item: 2 }],
		]);
	});

	it('Lifetime Value: a model that cannot be fitted gives an error item instead of failing', async () => {
		// Nobody bought on two different days, and one item has no customer id.
		const once = [
			{ customer_id: 'a', amount: 10, timestamp: '2024-01-01T00:00:00Z' },
			{ customer_id: '', amount: 10, timestamp: '2024-01-01T00:00:00Z' },
			{ customer_id: 'b', amount: 10, timestamp: '2024-01-02T00:00:00Z' },
		];
		const result = await runWorkflow(wf({ operation: 'lifetimeValue', observationEnd: '2024-03-01T00:00:00Z' }, COF), { input: items(once) });
		expect(result.error).toBeUndefined();
		const out = result.items(NAME);
		expect(out).toHaveLength(2);
		expect(out[0].json.error).toContain('BG/NBD cannot be fitted: no customer made a repeat purchase');
		expect(out[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[1]).toMatchObject({ json: { error: 'Item 1: customer id field "customer_id" is missing or empty' }, pairedItem: { item: 1 } });
	});
});

describe('Customer Segments: per-item parameter errors name the item', () => {
	it('Predict: a Model that is not JSON', async () => {
		const result = await runWorkflow(wf({ operation: 'predict', model: '{not json' }), { input: items([{ recency_days: 1 }, { recency_days: 2 }]) });
		const error = result.error as unknown as ErrorWithContext;
		expect(error.message).toMatch(/^Item 0: "Model" is not valid JSON: /);
		expect(error.context?.itemIndex).toBe(0);
		const cof = await runWorkflow(wf({ operation: 'predict', model: '{not json' }, COF), { input: items([{ recency_days: 1 }]) });
		expect(String(cof.items(NAME)[0].json.error)).toMatch(/^Item 0: "Model" is not valid JSON: /);
	});

	it('Rules: a Segments (JSON) that is not JSON, and a Reference Date that is not a date', async () => {
		const json = await runWorkflow(wf({ operation: 'rules', presets: [], definition: 'json', segmentsJson: '[{' }), { input: items([{}]) });
		expect(json.error?.message).toMatch(/^Item 0: "Segments \(JSON\)" is not valid JSON: /);
		expect((json.error as unknown as ErrorWithContext).context?.itemIndex).toBe(0);
		const date = await runWorkflow(wf({ operation: 'rules', rulesReferenceDate: 'someday' }), { input: items([{}]) });
		expect(date.error?.message).toBe('Item 0: Reference Date "someday" is not a date: use ISO 8601, e.g. 2024-01-10T10:00:00Z; without a zone it is UTC');
		expect((date.error as unknown as ErrorWithContext).context?.itemIndex).toBe(0);
	});
});

describe('Customer Segments: every Predict and Rules error names its item ("Item i: …")', () => {
	const MODEL = { kind: 'logisticRegression', features: ['x'], scaling: [{ mean: 0, sd: 1 }], intercept: 0, coefficients: { x: 1 }, threshold: 0.5 };
	// Each case fails on item 1 only (item 0 is fine), so a wrong index or a missing prefix shows.
	const cases: Array<[string, IDataObject, IDataObject[], string]> = [
		['Predict: a Model that is not a Train Model item', { operation: 'predict', model: '={{ $json.model }}' }, [{ model: MODEL, x: 1 }, { model: { kind: 'other' }, x: 1 }], 'Item 1: Model: this is not a model from Train Model (kind must be "logisticRegression")'],
		['Rules: an unknown built-in segment', { operation: 'rules', presets: '={{ $json.presets }}' }, [{ presets: ['activeBuyers'] }, { presets: ['vips'] }], 'Item 1: Unknown built-in segment "vips"'],
		['Rules: no segment at all', { operation: 'rules', presets: '={{ $json.presets }}' }, [{ presets: ['activeBuyers'] }, { presets: [] }], 'Item 1: No segments: pick a built-in segment or define your own'],
		[
			'Rules: a segment definition with a problem',
			{ operation: 'rules', presets: [], definition: 'json', segmentsJson: '={{ $json.rules }}' },
			[{ rules: [{ name: 'Buyers', match: 'all', conditions: [{ type: 'event', event: 'Order Completed', operator: 'atLeast', count: 1 }] }] }, { rules: [{ name: 'Broken' }] }],
			'Item 1: Segment definition "Broken": ',
		],
		// n8n's own error (an ExpressionError, not built by the node) gets the prefix too.
		['Rules: an expression that fails', { operation: 'rules', rulesReferenceDate: "={{ $json.when ?? $('Missing Node').item.json.when }}" }, [{ when: '2024-01-01' }, {}], "Item 1: Referenced node doesn't exist"],
	];
	it.each(cases)('%s', async (_name, params, rows, message) => {
		const strict = await runWorkflow(wf(params), { input: items(rows) });
		const error = strict.error as unknown as ErrorWithContext;
		expect(error.message.startsWith(message)).toBe(true);
		expect((strict.nodes[NAME].error as unknown as ErrorWithContext).context?.itemIndex).toBe(1);
		const lenient = await runWorkflow(wf(params, COF), { input: items(rows) });
		expect(lenient.error).toBeUndefined();
		const out = lenient.items(NAME);
		expect(out).toHaveLength(2);
		expect(out[0].json.error).toBeUndefined();
		expect(out[1].pairedItem).toEqual({ item: 1 });
		expect(String(out[1].json.error).startsWith(message)).toBe(true);
		expect(String(out[1].json.error)).not.toMatch(/^Item 1: Item 1:/);
	});
});
