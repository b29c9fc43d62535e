import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node, type WorkflowJson } from '../harness/engine';
import { CDNOW_DIR } from '../engines/segments/cdnow';
import { drawSpendCustomers } from '../harness/gamma-gamma-draws';

const NAME = 'Customer Segments';
function wf(parameters: IDataObject, extra: IDataObject = {}): WorkflowJson {
	return { nodes: [node(NAME, 'customerSegments', parameters as never, extra)], connections: {} };
}
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));

// The hand-computed case of test/engines/segments/rfm.test.ts, as n8n items.
const REF = '2024-01-31T00:00:00.000Z';
const TX = [
	{ customer_id: 'a', amount: 10, timestamp: '2024-01-30T12:00:00Z', previous_segment: 'Champions' },
	{ customer_id: 'b', amount: '5.00', timestamp: '2024-01-01T12:00:00Z', previous_segment: 'Lost' },
	{ customer_id: 'a', amount: '20', timestamp: '2024-01-20T12:00:00Z' },
	{ customer_id: 'c', amount: 40, timestamp: '2024-01-25T12:00:00Z' },
	{ customer_id: 'a', amount: 30.1, timestamp: '2024-01-10T12:00:00Z' },
	{ customer_id: 'c', amount: 40, timestamp: '2024-01-28T12:00:00Z' },
	{ customer_id: 'd', amount: 1, timestamp: '2024-01-15T12:00:00Z' },
];
const rfmParams = { operation: 'rfm', inputMode: 'transactions', referenceDate: REF, bins: 5 };

describe('Customer Segments: RFM', () => {
	it('scores transactions items into one item per customer, paired with all of its orders', async () => {
		const result = await runWorkflow(wf({ ...rfmParams, output: 'both' }), { input: items(TX) });
		expect(result.error).toBeUndefined();
		const out = result.items(NAME);
		expect(out).toHaveLength(5);
		const byId = Object.fromEntries(out.slice(0, 4).map((i) => [i.json.customer_id, i]));
		expect(byId.a.json).toMatchObject({ recency_days: 0, frequency: 3, monetary: 60.1, r: 4, f: 4, m: 3, rfm: '443', segment: 'Loyal Customers' });
		expect(byId.b.json).toMatchObject({ recency_days: 29, frequency: 1, monetary: 5, r: 1, f: 1, m: 2, rfm: '112', segment: 'Lost' });
		expect(byId.c.json).toMatchObject({ rfm: '334', segment: 'Loyal Customers', first_purchase_at: '2024-01-25T12:00:00.000Z', last_purchase_at: '2024-01-28T12:00:00.000Z' });
		expect(byId.d.json).toMatchObject({ rfm: '211', segment: 'About To Sleep' });
		expect(byId.a.pairedItem).toEqual([{ item: 0 }, { item: 2 }, { item: 4 }]);
		expect(byId.d.pairedItem).toEqual([{ item: 6 }]);
		// Segment changes: a was a Champion and is now Loyal; b stayed Lost; c and d had none.
		expect(byId.a.json).toMatchObject({ previous_segment: 'Champions', segment_changed: true });
		expect(byId.b.json).toMatchObject({ previous_segment: 'Lost', segment_changed: false });
		expect(byId.c.json.segment_changed).toBeUndefined();
		const summary = out[4].json as IDataObject;
		expect(summary).toMatchObject({ type: 'rfmSummary', customers: 4, transactions: 7, bins: 5, reference_date: REF });
		expect((summary.segments as IDataObject[]).find((s) => s.segment === 'Loyal Customers')).toMatchObject({ customers: 2, revenue: 140.1 });
		expect((summary.breakpoints as { frequency: IDataObject[] }).frequency[3]).toEqual({ score: 4, min: 3, max: 3, customers: 1 });
		expect(out[4].pairedItem).toHaveLength(7);
	});

	it('carries each customer\'s identities to its output, so Get Profile can find it (FIT-6)', async () => {
		const tx = [
			// keyed on a profile id: userId / email come from the transactions, the latest one that has each
			{ customer_id: 'p1', userId: 'u-1', email: 'old@example.com', amount: 5, timestamp: '2024-01-10T00:00:00Z' },
			{ customer_id: 'p1', userId: 'u-1', email: ' new@example.com ', amount: 5, timestamp: '2024-01-20T00:00:00Z' },
			{ customer_id: 'p1', userId: 'u-1', email: null, amount: 5, timestamp: '2024-01-25T00:00:00Z' },
			{ customer_id: 'p2', anonymousId: 'a-2', amount: 7, timestamp: '2024-01-15T00:00:00Z' },
			{ customer_id: 'p3', amount: 9, timestamp: '2024-01-16T00:00:00Z' },
		];
		const result = await runWorkflow(wf(rfmParams), { input: items(tx) });
		expect(result.error).toBeUndefined();
		const byId = Object.fromEntries(result.items(NAME).map((i) => [i.json.customer_id, i.json]));
		expect(byId.p1).toMatchObject({ userId: 'u-1', email: 'new@example.com', frequency: 3 });
		expect(byId.p1.anonymousId).toBeUndefined();
		expect(byId.p2).toMatchObject({ anonymousId: 'a-2' });
		expect(Object.keys(byId.p3).filter((k) => ['userId', 'email', 'anonymousId'].includes(k))).toEqual([]);

		// keyed on another field: the id is written under that field's name too
		const byEmail = await runWorkflow(wf({ ...rfmParams, customerIdField: 'mail' }), {
			input: items([{ mail: 'ada@example.com', amount: 3, timestamp: '2024-01-12T00:00:00Z' }]),
		});
		expect(byEmail.items(NAME)[0].json).toMatchObject({ customer_id: 'ada@example.com', mail: 'ada@example.com' });
		const byUser = await runWorkflow(wf({ ...rfmParams, customerIdField: 'userId' }), {
			input: items([{ userId: 42, amount: 3, timestamp: '2024-01-12T00:00:00Z' }]),
		});
		expect(byUser.items(NAME)[0].json).toMatchObject({ customer_id: '42', userId: '42' });
	});

	it('reads the same transactions from a CSV file in binary data', async () => {
		const csv = ['customer_id,amount,timestamp', ...TX.map((t) => `${t.customer_id},${t.amount},${t.timestamp}`)].join('\n');
		const input: INodeExecutionData[] = [{ json: {}, binary: { data: { data: Buffer.from(csv).toString('base64'), mimeType: 'text/csv', fileName: 'orders.csv' } } }];
		const result = await runWorkflow(wf({ ...rfmParams, inputMode: 'csv', output: 'both' }), { input });
		expect(result.error).toBeUndefined();
		const out = result.items(NAME);
		expect(out.slice(0, 4).map((i) => [i.json.customer_id, i.json.rfm, i.json.segment])).toEqual([
			['a', '443', 'Loyal Customers'],
			['b', '112', 'Lost'],
			['c', '334', 'Loyal Customers'],
			['d', '211', 'About To Sleep'],
		]);
		expect(out[4].json).toMatchObject({ csv_rows: 7, transactions: 7 });
		expect(out[0].pairedItem).toEqual([{ item: 0 }]);
	});

	it('adds up several CSV files (one per item), including a customer present in both', async () => {
		const file = (text: string): INodeExecutionData => ({ json: {}, binary: { data: { data: Buffer.from(text).toString('base64'), mimeType: 'text/csv' } } });
		const one = 'customer_id,amount,timestamp\na,10,2024-01-02\nb,5,2024-01-03\n';
		const two = 'customer_id;amount;timestamp\r\na;2.50;2024-01-20\r\nc;1;2024-01-21';
		const result = await runWorkflow(wf({ ...rfmParams, inputMode: 'csv', rfmOptions: { delimiter: ';' } }), { input: [file(one.replace(/,/g, ';')), file(two)] });
		expect(result.error).toBeUndefined();
		const out = result.items(NAME);
		expect(out.map((i) => [i.json.customer_id, i.json.frequency, i.json.monetary, i.json.recency_days])).toEqual([
			['a', 2, 12.5, 11], // Jan 31 - Jan 20
			['b', 1, 5, 28],
			['c', 1, 1, 10],
		]);
		expect(out[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('fails a bad CSV row naming the line, or skips and counts it with Continue On Fail', async () => {
		const csv = 'customer_id,amount,timestamp\na,10,2024-01-02\nb,ten,2024-01-03\nc,5,2024-01-04\n';
		const input: INodeExecutionData[] = [{ json: {}, binary: { data: { data: Buffer.from(csv).toString('base64'), mimeType: 'text/csv' } } }];
		const failed = await runWorkflow(wf({ ...rfmParams, inputMode: 'csv' }), { input });
		expect(failed.error?.message).toContain('CSV line 3: amount "ten" in column "amount" is not a number');
		const skipped = await runWorkflow(wf({ ...rfmParams, inputMode: 'csv', output: 'summary' }, { onError: 'continueRegularOutput' }), { input });
		expect(skipped.items(NAME)[0].json).toMatchObject({ customers: 2, skipped_rows: 1 });
		const noColumn = await runWorkflow(wf({ ...rfmParams, inputMode: 'csv', amountField: 'total' }), { input });
		expect(noColumn.error?.message).toContain('CSV header has no column "total"');
	});

	it('names the item and field of bad input; with Continue On Fail the rest is still scored', async () => {
		const bad = [...TX, { customer_id: '', amount: 1, timestamp: REF }, { customer_id: 'x', amount: 'abc', timestamp: REF }, { customer_id: 'y', amount: 2, timestamp: 'not a date' }];
		const failed = await runWorkflow(wf(rfmParams), { input: items(bad) });
		expect(failed.error?.message).toBe('Item 7: customer id field "customer_id" is ""');
		const result = await runWorkflow(wf(rfmParams, { onError: 'continueRegularOutput' }), { input: items(bad) });
		const out = result.items(NAME);
		expect(out).toHaveLength(4 + 3);
		expect(out.slice(4).map((i) => [i.json.error, i.pairedItem])).toEqual([
			['Item 7: customer id field "customer_id" is ""', { item: 7 }],
			['Item 8: amount field "amount" is not a number ("abc")', { item: 8 }],
			['Item 9: timestamp field "timestamp" is not a date ("not a date"): use ISO 8601, e.g. 2024-01-10T10:00:00Z; without a zone it is UTC', { item: 9 }],
		]);
		for (const i of out.slice(0, 4)) for (const v of Object.values(i.json)) if (typeof v === 'number') expect(Number.isNaN(v)).toBe(false);
	});

	it('scores pre-aggregated customers 1:1 and keeps their fields', async () => {
		const customers = [
			{ customer_id: 'p', recency_days: 3, frequency: 10, monetary: 500, email: 'p@x.io' },
			{ customer_id: 'q', recency_days: 3, frequency: 1, monetary: 20 },
			{ customer_id: 'r', recency_days: 200, frequency: 2, monetary: '35.50' },
		];
		const result = await runWorkflow(wf({ operation: 'rfm', inputMode: 'customers', bins: 3 }), { input: items(customers) });
		const out = result.items(NAME);
		// bins 3, n 3. R (inverted): #more days = 1,1,0 → 1+floor(3/3)=2, 2, 1. F: #lower = 2,0,1 → 3,1,2. M: 2,0,1 → 3,1,2.
		expect(out.map((i) => i.json.rfm)).toEqual(['233', '211', '122']);
		expect(out[0].json.email).toBe('p@x.io');
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const bad = await runWorkflow(wf({ operation: 'rfm', inputMode: 'customers' }), { input: items([{ customer_id: 'z', recency_days: -1, frequency: 1, monetary: 1 }]) });
		expect(bad.error?.message).toContain('Item 0: recency field "recency_days" must be a number of days >= 0');
	});

	it('custom segment list: first match wins; more than 15 segments adds a warning', async () => {
		const segment = (name: string, rMin = 1, rMax = 5) => ({ name, rMin, rMax, fMin: 1, fMax: 5, mMin: 1, mMax: 5 });
		const list = [segment('Recent', 3, 5), segment('Everyone')];
		const result = await runWorkflow(wf({ ...rfmParams, segmentMap: 'list', segmentRules: { segment: list } }), { input: items(TX) });
		expect(result.items(NAME).map((i) => i.json.segment)).toEqual(['Recent', 'Everyone', 'Recent', 'Everyone']);
		const many = Array.from({ length: 16 }, (_, k) => segment(`S${k}`));
		const warned = await runWorkflow(wf({ ...rfmParams, segmentMap: 'list', segmentRules: { segment: many }, output: 'summary' }), { input: items(TX) });
		expect((warned.items(NAME)[0].json.warnings as string[])[0]).toContain('16 segments are configured');
		const wrong = await runWorkflow(wf({ ...rfmParams, segmentMap: 'json', segmentRulesJson: '[{"name":"X","r":[4,9]}]' }), { input: items(TX) });
		expect(wrong.error?.message).toContain('R range 4-9 is outside 1-5');
	});

	it('empty input gives no items', async () => {
		const result = await runWorkflow(wf(rfmParams), { input: [] });
		expect(result.error).toBeUndefined();
	});
});

describe('Customer Segments: Rules', () => {
	const now = Date.parse('2024-06-15T12:00:00Z');
	const at = (h: number) => new Date(now - h * 3_600_000).toISOString();
	const customers = [
		{ userId: 'u1', ordersCount: 7, traits: { plan: 'gold' }, events: [{ event: 'Checkout Started', timestamp: at(2) }] },
		{ userId: 'u2', ordersCount: 0, traits: {}, events: [1, 50, 300].map((h) => ({ event: 'Product Viewed', timestamp: at(h) })) },
		{ userId: 'u3', ordersCount: 1, traits: {}, events: [{ event: 'Order Completed', timestamp: at(30) }] },
	];
	it('presets and a JSON segment with a nested OR group; all memberships plus the primary one', async () => {
		const own = [
			{
				name: 'Gold or frequent',
				match: 'any',
				conditions: [
					{ type: 'trait', field: 'traits.plan', operator: 'equals', value: 'Gold' },
					{ type: 'group', match: 'all', conditions: [{ type: 'trait', field: 'ordersCount', operator: 'greaterThan', value: 5 }] },
				],
			},
		];
		const result = await runWorkflow(wf({ operation: 'rules', definition: 'json', segmentsJson: JSON.stringify(own), rulesReferenceDate: new Date(now).toISOString() }), {
			input: items(customers),
		});
		expect(result.error).toBeUndefined();
		expect(result.items(NAME).map((i) => [i.json.userId, i.json.segments, i.json.primary_segment])).toEqual([
			['u1', ['Cart Abandoners', 'Gold or frequent'], 'Cart Abandoners'],
			['u2', ['Engaged Browsers'], 'Engaged Browsers'],
			['u3', ['Active Buyers'], 'Active Buyers'],
		]);
	});

	it('segments defined in the editor', async () => {
		const segments = {
			segment: [
				{ name: 'Viewers', match: 'all', conditions: { condition: [{ type: 'event', event: 'Product Viewed', operator: 'atLeast', count: 2, withinHours: 72 }] } },
			],
		};
		const result = await runWorkflow(wf({ operation: 'rules', presets: [], definition: 'ui', segments, rulesReferenceDate: new Date(now).toISOString() }), { input: items(customers) });
		expect(result.items(NAME).map((i) => i.json.primary_segment)).toEqual([null, 'Viewers', null]);
	});

	it('names the bad event and the bad rule', async () => {
		const bad = await runWorkflow(wf({ operation: 'rules' }), { input: items([{ events: [{ event: 'Order Completed', timestamp: 'soon' }] }]) });
		expect(bad.error?.message).toBe('Item 0: events: events[0].timestamp "soon" is not a date: use ISO 8601, e.g. 2024-01-10T10:00:00Z; without a zone it is UTC');
		const rule = await runWorkflow(wf({ operation: 'rules', presets: [], definition: 'json', segmentsJson: '[{"name":"x","match":"all","conditions":[{"type":"event"}]}]' }), { input: items([{}]) });
		expect(rule.error?.message).toContain('segments[0].conditions[0].event must name an event');
	});

	it('an editor condition "Contains" with an empty Value fails its item, naming the condition (it matched every text)', async () => {
		const segments = { segment: [{ name: 'Gmail', match: 'all', conditions: { condition: [{ type: 'trait', field: 'email', traitOperator: 'contains', value: '' }] } }] };
		const result = await runWorkflow(wf({ operation: 'rules', presets: [], definition: 'ui', segments }, { continueOnFail: true }), { input: items([{ email: 'a@x.io' }]) });
		expect(result.items(NAME).map((i) => [i.json, i.pairedItem])).toEqual([
			[{ error: 'Item 0: Segment definition "Gmail": segments[0].conditions[0].value must be non-empty text, a number or true/false for "contains"' }, { item: 0 }],
		]);
	});

	describe('hand-typed definitions are read as written or refused (review)', () => {
		const ref = new Date(now).toISOString();
		const json = (own: unknown, presets: string[] = [], extra: IDataObject = {}) =>
			wf({ operation: 'rules', presets, definition: 'json', segmentsJson: JSON.stringify(own), rulesReferenceDate: ref }, extra);
		// one Product Viewed 30 days (720 h) ago, nothing else
		const viewer = { userId: 'v', ordersCount: 0, traits: {}, events: [{ event: 'Product Viewed', timestamp: at(720) }] };

		it('a misspelt key ("within_hours") fails the item, naming the segment, the condition and the key (it meant "all time": a view 30 days ago was "in 48 h")', async () => {
			const own = [{ name: 'Viewed in 48 h', match: 'all', conditions: [{ type: 'event', event: 'Product Viewed', operator: 'atLeast', count: 1, within_hours: 48 }] }];
			const message =
				'Item 0: Segment definition "Viewed in 48 h": segments[0].conditions[0] has an unknown key "within_hours": did you mean "withinHours"? an event condition takes type, event, operator, count, withinHours';
			const strict = await runWorkflow(json(own), { input: items([viewer]) });
			expect(strict.error?.message).toBe(message);
			const lenient = await runWorkflow(json(own, [], { continueOnFail: true }), { input: items([viewer]) });
			expect(lenient.items(NAME).map((i) => [i.json, i.pairedItem])).toEqual([[{ error: message }, { item: 0 }]]);
			// written as documented, the 30-day-old view is outside the 48 h
			const right = [{ ...own[0], conditions: [{ type: 'event', event: 'Product Viewed', operator: 'atLeast', count: 1, withinHours: 48 }] }];
			const ok = await runWorkflow(json(right), { input: items([viewer]) });
			expect(ok.items(NAME).map((i) => i.json.segments)).toEqual([[]]);
		});

		it('two segments of the same name fail the item, naming the name (a built-in one and your own; two of your own, without case)', async () => {
			const buyers = [{ name: 'Active Buyers', match: 'all', conditions: [{ type: 'trait', field: 'ordersCount', operator: 'greaterThan', value: 0 }] }];
			// u3 (an order 30 h ago, ordersCount 1) was in "Active Buyers" twice
			const doubled = await runWorkflow(json(buyers, ['activeBuyers']), { input: items([customers[2]]) });
			expect(doubled.error?.message).toBe(
				'Item 0: Segment definition: two segments are named "Active Buyers" (the built-in segment "Active Buyers" and segments[0]): give each segment its own name',
			);
			const vips = [
				{ name: 'VIPs', match: 'all', conditions: [{ type: 'trait', field: 'ordersCount', operator: 'greaterThan', value: 5 }] },
				{ name: 'vips', match: 'all', conditions: [{ type: 'trait', field: 'traits.plan', operator: 'equals', value: 'gold' }] },
			];
			const lenient = await runWorkflow(json(vips, [], { continueOnFail: true }), { input: items([customers[0]]) });
			expect(lenient.items(NAME).map((i) => [i.json, i.pairedItem])).toEqual([
				[{ error: 'Item 0: Segment definition: two segments are named "vips" (segments[0] and segments[1]): give each segment its own name' }, { item: 0 }],
			]);
		});

		it('notAfter with the same event as event and thenEvent fails the item (the latest event follows itself: it never matched)', async () => {
			const own = [{ name: 'Viewed once', match: 'all', conditions: [{ type: 'notAfter', event: 'Product Viewed', thenEvent: 'Product Viewed', withinHours: 24 }] }];
			// u2 viewed a product 1 h ago
			const result = await runWorkflow(json(own), { input: items([customers[1]]) });
			expect(result.error?.message).toBe(
				'Item 0: Segment definition "Viewed once": segments[0].conditions[0].thenEvent is the same event as event ("Product Viewed"): a notAfter condition needs two different events (for "Product Viewed" within the window, use an event condition with atLeast 1)',
			);
		});

		it('equals: "5.0" equals "5" (numbers as text compare as numbers); 0 does not equal false', async () => {
			const segments = { segment: [{ name: 'Size 5', match: 'all', conditions: { condition: [{ type: 'trait', field: 'traits.size', traitOperator: 'equals', value: '5' }] } }] };
			const sized = await runWorkflow(wf({ operation: 'rules', presets: [], definition: 'ui', segments, rulesReferenceDate: ref }), {
				input: items([{ traits: { size: '5.0' } }, { traits: { size: 5 } }, { traits: { size: '5.5' } }]),
			});
			expect(sized.items(NAME).map((i) => i.json.segments)).toEqual([['Size 5'], ['Size 5'], []]);
			const subscribed = [{ name: 'Subscribed', match: 'all', conditions: [{ type: 'trait', field: 'unsubscribed', operator: 'equals', value: false }] }];
			const flags = await runWorkflow(json(subscribed), { input: items([{ unsubscribed: 0 }, { unsubscribed: false }, { unsubscribed: 'false' }]) });
			expect(flags.items(NAME).map((i) => i.json.segments)).toEqual([[], ['Subscribed'], ['Subscribed']]);
		});
	});
});

describe('Customer Segments: Train Model and Predict', () => {
	// A churn signal in recency with noise in frequency; 200 customers, deterministic.
	const rows = Array.from({ length: 200 }, (_, i) => {
		const recency = (i * 37) % 120;
		const frequency = 1 + ((i * 13) % 9);
		return { customer_id: `c${i}`, recency_days: recency, frequency, churned: recency > 60 !== (i % 10 === 0) };
	});

	it('trains with 5-fold CV, outputs one model item, and Predict scores customers with it', async () => {
		const trained = await runWorkflow(wf({ operation: 'trainModel', features: 'recency_days, frequency', targetField: 'churned', folds: 5, threshold: 0.5 }), { input: items(rows) });
		expect(trained.error).toBeUndefined();
		const out = trained.items(NAME);
		expect(out).toHaveLength(1);
		const model = out[0].json as IDataObject & { metrics: IDataObject };
		expect(model).toMatchObject({ kind: 'logisticRegression', features: ['recency_days', 'frequency'], target: 'churned', trainingRows: 200 });
		expect(model.metrics.auc).toBeGreaterThan(0.85);
		const cm = model.metrics.confusionMatrix as Record<string, number>;
		expect(cm.truePositive + cm.falsePositive + cm.trueNegative + cm.falseNegative).toBe(200);
		expect(model.metrics.foldAuc).toHaveLength(5);
		// calibration of the out-of-fold probabilities: better than always saying 0.5 (log loss ln 2, Brier 0.25)
		expect(model.metrics.logLoss as number).toBeGreaterThan(0);
		expect(model.metrics.logLoss as number).toBeLessThan(Math.log(2));
		expect(model.metrics.brier as number).toBeGreaterThan(0);
		expect(model.metrics.brier as number).toBeLessThan(0.25);
		expect(out[0].pairedItem).toHaveLength(200);

		const customers = [{ customer_id: 'new', recency_days: 110, frequency: 2 }, { customer_id: 'fresh', recency_days: 2, frequency: 8 }];
		const predicted = await runWorkflow(wf({ operation: 'predict', model: JSON.stringify(model), positiveLabel: 'At-Risk', negativeLabel: 'Healthy' }), { input: items(customers) });
		const scored = predicted.items(NAME);
		expect(scored.map((i) => i.json.label)).toEqual(['At-Risk', 'Healthy']);
		expect(scored[0].json.probability as number).toBeGreaterThan(0.5);

		const missing = await runWorkflow(wf({ operation: 'predict', model: JSON.stringify(model) }), { input: items([{ customer_id: 'x', recency_days: 5 }]) });
		expect(missing.error?.message).toBe('Item 0: the model needs feature "frequency", which the item does not have');
		const notModel = await runWorkflow(wf({ operation: 'predict', model: '{"hello":1}' }), { input: items([{}]) });
		expect(notModel.error?.message).toContain('not a model from Train Model');
	});

	it('refuses parameters outside their ranges when an expression sets them', async () => {
		const data = items(rows.map((r, i) => ({ ...r, churned: i % 3 === 0 })));
		const base = { operation: 'trainModel', features: 'recency_days', targetField: 'churned' };
		const fractional = await runWorkflow(wf({ ...base, folds: 2.5 }), { input: data });
		expect(fractional.error?.message).toBe('Cross-Validation Folds must be a whole number from 2 to 20 (got 2.5)');
		const one = await runWorkflow(wf({ ...base, folds: 1 }), { input: data });
		expect(one.error?.message).toBe('Cross-Validation Folds must be a whole number from 2 to 20 (got 1)');
		const negative = await runWorkflow(wf({ ...base, trainOptions: { l2: -1 } }), { input: data });
		expect(negative.error?.message).toBe('Regularization (L2) must be a number >= 0 (got -1)');
		const threshold = await runWorkflow(wf({ ...base, threshold: 1.5 }), { input: data });
		expect(threshold.error?.message).toBe('Decision Threshold must be a number from 0 to 1 (got 1.5)');
	});

	it('Predict refuses a model whose scaling or coefficients would give NaN', async () => {
		const model = { kind: 'logisticRegression', features: ['x'], scaling: [{ feature: 'x', mean: 1, sd: 0 }], intercept: 0, coefficients: { x: 1 }, threshold: 0.5 };
		const zeroSd = await runWorkflow(wf({ operation: 'predict', model: JSON.stringify(model) }), { input: items([{ x: 1 }]) });
		expect(zeroSd.error?.message).toBe('Item 0: Model: the model\'s scaling for "x" needs a finite mean and an sd > 0');
		const noMean = await runWorkflow(wf({ operation: 'predict', model: JSON.stringify({ ...model, scaling: [{ feature: 'x', sd: 2 }] }) }), { input: items([{ x: 1 }]) });
		expect(noMean.error?.message).toBe('Item 0: Model: the model\'s scaling for "x" needs a finite mean and an sd > 0');
	});

	it('refuses to train on one class, naming the counts', async () => {
		const result = await runWorkflow(wf({ operation: 'trainModel', features: 'recency_days', targetField: 'churned' }), { input: items(rows.map((r) => ({ ...r, churned: false }))) });
		expect(result.error?.message).toBe('Not enough data to train: 200 usable rows, 0 positive and 200 negative');
		const bad = await runWorkflow(wf({ operation: 'trainModel', features: 'recency_days', targetField: 'churned' }), { input: items([{ recency_days: 'x', churned: true }]) });
		expect(bad.error?.message).toBe('Item 0: feature field "recency_days" is not a number (got "x")');
	});
});

describe('Customer Segments: Lifetime Value on CDNOW transactions', () => {
	// CDNOW sample rows as n8n items; the papers' 39-week calibration ends 1997-09-30.
	const tx = fs
		.readFileSync(path.join(CDNOW_DIR, 'CDNOW_sample.txt'), 'utf8')
		.split('\n')
		.map((l) => l.trim().split(/\s+/))
		.filter((p) => p.length >= 5)
		.map((p) => ({ customer_id: p[0], timestamp: p[2], amount: p[4] }));

	it('fits BG/NBD and Gamma-Gamma to the published estimates and scores each customer', async () => {
		const result = await runWorkflow(
			wf({ operation: 'lifetimeValue', clvInput: 'transactions', observationEnd: '1997-09-30T00:00:00Z', timeUnit: 'weeks', horizon: 39, clvOutput: 'both' }),
			{ input: items(tx) },
		);
		expect(result.error).toBeUndefined();
		const out = result.items(NAME);
		expect(out).toHaveLength(2357 + 1);
		const model = out[out.length - 1].json as { bgnbd: Record<string, number>; gammaGamma: Record<string, number> };
		expect([model.bgnbd.r, model.bgnbd.alpha, model.bgnbd.a, model.bgnbd.b].map((v) => v.toFixed(3))).toEqual(['0.243', '4.414', '0.793', '2.426']);
		expect([model.gammaGamma.p, model.gammaGamma.q, model.gammaGamma.gamma].map((v) => v.toFixed(2))).toEqual(['6.25', '3.74', '15.44']);
		expect(model).not.toHaveProperty('warnings'); // q = 3.74 > 2: nothing to warn of
		for (const item of out.slice(0, -1)) {
			expect(item.json).not.toHaveProperty('warning'); // nor on any customer (p·x + q >= q > 2)
			for (const key of ['p_alive', 'expected_purchases', 'expected_average_spend', 'clv']) {
				expect(Number.isFinite(item.json[key])).toBe(true);
			}
		}
		// Customer 00004: purchases 1997-01-01, 01-18, 08-02 (calibration) → x=2, t_x=213/7, T=272/7.
		const c4 = out.find((i) => i.json.customer_id === '00004')!;
		expect(c4.json).toMatchObject({ frequency: 2, recency: 30.4286, T: 38.8571 });
		expect(c4.pairedItem).toHaveLength(4);
		expect((c4.json.p_alive as number) > 0 && (c4.json.p_alive as number) < 1).toBe(true);
	});

	it('names the item and field of a repeat buyer whose average spend is not > 0 (Gamma-Gamma needs > 0)', async () => {
		const cust = [
			{ customer_id: 'a', frequency: 0, recency: 0, T: 10, monetary_value: 0 },
			{ customer_id: 'b', frequency: 2, recency: 5, T: 10, monetary_value: 20 },
			{ customer_id: 'c', frequency: 1, recency: 3, T: 12, monetary_value: 15 },
			{ customer_id: 'd', frequency: 3, recency: 8, T: 9, monetary_value: -4 },
			{ customer_id: 'e', frequency: 1, recency: 2, T: 9, monetary_value: 30 },
		];
		const failed = await runWorkflow(wf({ operation: 'lifetimeValue', clvInput: 'customers' }), { input: items(cust) });
		expect(failed.error?.message).toBe('Item 3: monetary field "monetary_value" must be > 0 for a customer with repeat purchases (got -4)');
		// Continue On Fail: only that item becomes an error; the others are scored.
		const kept = await runWorkflow(wf({ operation: 'lifetimeValue', clvInput: 'customers' }, { continueOnFail: true }), { input: items(cust) });
		const out = kept.items(NAME);
		expect(out.map((i) => i.json.customer_id ?? i.json.error)).toEqual(['a', 'b', 'c', 'e', failed.error?.message]);
		expect(out[4].pairedItem).toEqual({ item: 3 });

		// From transactions: customer c's repeat purchase is a refund (average -10).
		const tx = [
			{ customer_id: 'a', amount: 10, timestamp: '2024-01-01' },
			{ customer_id: 'a', amount: 12, timestamp: '2024-01-05' },
			{ customer_id: 'b', amount: 10, timestamp: '2024-01-02' },
			{ customer_id: 'b', amount: 7, timestamp: '2024-01-09' },
			{ customer_id: 'c', amount: 10, timestamp: '2024-01-03' },
			{ customer_id: 'c', amount: -10, timestamp: '2024-01-12' },
			{ customer_id: 'd', amount: 5, timestamp: '2024-01-04' },
			{ customer_id: 'd', amount: 6, timestamp: '2024-01-20' },
		];
		const params = { operation: 'lifetimeValue', observationEnd: '2024-02-01T00:00:00Z', timeUnit: 'days' };
		const refund = await runWorkflow(wf(params), { input: items(tx) });
		expect(refund.error?.message).toBe('Customer "c" (items 4, 5): amount field "amount" averages -10 over its repeat purchases; Gamma-Gamma needs an average > 0');
		const skipped = await runWorkflow(wf(params, { continueOnFail: true }), { input: items(tx) });
		const rows = skipped.items(NAME);
		expect(rows.map((i) => i.json.customer_id ?? i.json.error)).toEqual(['a', 'b', 'd', refund.error?.message]);
		expect(rows[3].pairedItem).toEqual([{ item: 4 }, { item: 5 }]);
	});

	it('heavy-tailed spend (Gamma-Gamma q <= 1): one-time buyers get null spend and CLV with a warning, not negative numbers', async () => {
		const rows = drawSpendCustomers(0.7);
		const result = await runWorkflow(wf({ operation: 'lifetimeValue', clvInput: 'customers', timeUnit: 'weeks', clvOutput: 'both' }), { input: items(rows) });
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => i.json);
		const model = out.find((j) => j.type === 'clvModel')!;
		const q = (model.gammaGamma as IDataObject).q as number;
		expect(q).toBeLessThanOrEqual(1); // the premise: the fit lands at q <= 1, as drawn
		const customers = out.filter((j) => j.type !== 'clvModel');
		const once = customers.filter((j) => j.frequency === 0);
		const repeat = customers.filter((j) => (j.frequency as number) > 0);
		expect(once.length).toBeGreaterThan(0);
		// pγ/(q - 1) < 0 here, which the former code gave as these customers' spend (and a negative CLV).
		for (const j of once) {
			expect(j.expected_average_spend).toBeNull();
			expect(j.clv).toBeNull();
			expect(j.warning).toMatch(/^Gamma-Gamma fit gave q = 0\.\d{3} \(<= 1\): the fitted spend per order has no finite mean, so expected_average_spend and clv are null for \d+ of 300 customers/);
		}
		// Repeat buyers (px + q > 1 for every x >= 1 since p > 1 here) keep a positive spend and CLV.
		expect((model.gammaGamma as IDataObject).p as number).toBeGreaterThan(1);
		for (const j of repeat) {
			expect(j.expected_average_spend as number).toBeGreaterThan(0);
			expect(j.clv as number).toBeGreaterThan(0);
			expect(j).not.toHaveProperty('warning');
		}
		// drawSpendCustomers' purchase counts (0-4 uniformly, no rate heterogeneity or dropout) put the BG/NBD fit at a boundary: its warning follows
		expect(model.warnings).toEqual([once[0].warning, expect.stringMatching(/^BG\/NBD fit ran to a boundary of its parameters/)]);
		expect(String(model.warnings)).toContain(`null for ${once.length} of 300 customers`);
	});

	it('spend with infinite variance (1 < q <= 2): the model item and each customer item it concerns warn that the spend is unstable, the numbers are given', async () => {
		const result = await runWorkflow(wf({ operation: 'lifetimeValue', clvInput: 'customers', timeUnit: 'weeks', clvOutput: 'both' }), { input: items(drawSpendCustomers(1.5)) });
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => i.json);
		const model = out.find((j) => j.type === 'clvModel')!;
		const { p, q, gamma } = model.gammaGamma as { p: number; q: number; gamma: number };
		expect(q > 1 && q <= 2).toBe(true); // the premise: drawn with q = 1.5, fitted in (1, 2]
		const customers = out.filter((j) => j.type !== 'clvModel');
		expect(customers).toHaveLength(300);
		// A customer's expected spend averages 1/ν over ν ~ Gamma(p·x + q, γ + x·m) (Fader & Hardie 2013,
		// eq. 5; x = 0: Gamma(q, γ)); Var(1/ν) = γ'²/((q' − 1)²(q' − 2)) is infinite for q' <= 2. So every
		// one-time buyer (q' = q <= 2), and a repeat buyer only if p·x + q <= 2.
		const hit = customers.filter((j) => j.frequency === 0 || p * (j.frequency as number) + q <= 2);
		const once = customers.filter((j) => j.frequency === 0);
		expect(once.length).toBeGreaterThan(0);
		expect(p).toBeGreaterThan(1); // so p·x + q > 2 for every x >= 1: exactly the one-time buyers are hit
		expect(hit).toEqual(once);
		const perCustomer = `Gamma-Gamma fit gave q = ${q.toFixed(3)} (<= 2): the fitted spend per order has infinite variance, so expected_average_spend and clv are unstable for ${once.length} of 300 customers (those without enough repeat purchases to pull their own mean in, p·x + q <= 2; without any they get the population mean p·γ/(q − 1) = ${((p * gamma) / (q - 1)).toFixed(2)}): a few large orders move them a lot. Check them against the observed average order value; leave out or cap outlier orders, or use a longer observation window.`;
		// one-time buyers get the population mean pγ/(q - 1), a number, and the warning on their own item
		for (const j of once) {
			expect(j.expected_average_spend).toBeCloseTo((p * gamma) / (q - 1), 6);
			expect(Number.isFinite(j.clv)).toBe(true);
			expect(j.warning).toBe(perCustomer);
		}
		for (const j of customers.filter((c) => (c.frequency as number) > 0)) expect(j).not.toHaveProperty('warning');
		// Output Customers alone (no model item) carries it too.
		const alone = await runWorkflow(wf({ operation: 'lifetimeValue', clvInput: 'customers', timeUnit: 'weeks' }), { input: items(drawSpendCustomers(1.5)) });
		const aloneOut = alone.items(NAME).map((i) => i.json);
		expect(aloneOut.some((j) => j.type === 'clvModel')).toBe(false);
		expect(aloneOut.filter((j) => j.warning === perCustomer).map((j) => j.customer_id)).toEqual(once.map((j) => j.customer_id));
		// drawSpendCustomers' purchase counts (0-4 uniformly, no rate heterogeneity or dropout) put the BG/NBD fit at a boundary: its warning follows
		expect(model.warnings).toEqual([
			`Gamma-Gamma fit gave q = ${q.toFixed(3)} (<= 2): the fitted spend per order has infinite variance, so the population mean spend p·γ/(q − 1) = ${((p * gamma) / (q - 1)).toFixed(2)} that customers without repeat purchases get (expected_average_spend, clv) is unstable: a few large orders move it a lot. Check it against the observed average order value; leave out or cap outlier orders, or use a longer observation window.`,
			expect.stringMatching(/^BG\/NBD fit ran to a boundary of its parameters/),
		]);
	});

	it('explains why it cannot fit when nobody bought twice', async () => {
		const once = [
			{ customer_id: 'a', amount: 10, timestamp: '2024-01-01' },
			{ customer_id: 'b', amount: 10, timestamp: '2024-01-05' },
		];
		const result = await runWorkflow(wf({ operation: 'lifetimeValue', observationEnd: '2024-03-01T00:00:00Z' }), { input: items(once) });
		// the model is named once (it read "BG/NBD: BG/NBD cannot be fitted: …")
		expect(result.error?.message).toMatch(/^BG\/NBD cannot be fitted: no customer made a repeat purchase/);
	});

	it('says so when every customer was first seen on the last day of observation (T = 0)', async () => {
		const lastDay = [
			{ customer_id: 'a', amount: 10, timestamp: '2024-03-01T08:00:00Z' },
			{ customer_id: 'b', amount: 10, timestamp: '2024-03-01T09:00:00Z' },
		];
		const result = await runWorkflow(wf({ operation: 'lifetimeValue', observationEnd: '2024-03-01' }), { input: items(lastDay) });
		expect(result.error?.message).toBe(
			'BG/NBD needs at least one customer first seen before the End of Observation: all 2 customers were first seen on its last day (T = 0)',
		);
	});
});
