/**
 * ESP Dispatch's Test Mode Address, then A/B Experiment Analyze, through the real n8n engine.
 *
 * The usual way to use test mode: run the campaign once with a test address, look at the emails,
 * then run it for real with the same items. The test emails all go to one address (the tester's).
 * Their engagement events come back carrying whatever attribution the test email carried. When a
 * test email carried the real message's pz_message_id, A/B Analyze joined the tester's address to
 * every customer whose message was tested (the ids seen together on one event are one recipient),
 * so several customers counted as one. Under the attribution window, the customer's "first send"
 * also became the test send, before the customer got any email. And a test email that carried the
 * experiment and variant counted the tester as a recipient of each variant.
 *
 * Deliveries are the repository's Postmark Delivery fixture with the recipient, the time and the
 * Metadata the local Postmark server received (so the attribution is what ESP Dispatch really
 * wrote), mapped by the events engine; orders are Shopify's orders/create fixture. Every expected
 * count is worked out by hand in the comments.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { getSource } from '../../nodes/engines/events/registry';
import type { CanonicalEvent } from '../../nodes/engines/types/CanonicalEvent';
import { FIXTURE_RECEIVED_AT, fixtureBody, normalizedOne, shopifyOrder } from '../harness/event-fixtures';
import { node, runWorkflow } from '../harness/engine';
import { usePostmarkServer } from '../harness/postmark-server';

const { credentials, sent } = usePostmarkServer();

const message = { subject: 'Spring', html: '<p>Spring</p>', text: 'Spring' };
// three customers in control, two in treatment
const customers: IDataObject[] = [
	{ email: 'anna@example.com', userId: 'u-1', pz_experiment_id: 'spring', pz_variant: 'control', message },
	{ email: 'ben@example.com', userId: 'u-2', pz_experiment_id: 'spring', pz_variant: 'control', message },
	{ email: 'cleo@example.com', userId: 'u-3', pz_experiment_id: 'spring', pz_variant: 'control', message },
	{ email: 'dora@example.com', userId: 'u-4', pz_experiment_id: 'spring', pz_variant: 'treatment', message },
	{ email: 'emil@example.com', userId: 'u-5', pz_experiment_id: 'spring', pz_variant: 'treatment', message },
];
const TESTER = 'qa@shop.example.com';

const dispatchNode = (options: IDataObject = {}): INode =>
	node('ESP Dispatch', 'espDispatch', { provider: 'postmark', fromEmail: 'news@shop.example.com', options } as INode['parameters'], {
		typeVersion: 1.1,
		credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
	});

const asItems = (list: object[]): INodeExecutionData[] => list.map((json) => ({ json: json as IDataObject }));

const normalized = normalizedOne;

/** Postmark's Delivery webhook for a message the server accepted (its To and Metadata as sent). */
function delivery(sentMessage: IDataObject, deliveredAt: string, n: number): CanonicalEvent {
	const body = fixtureBody('postmark', 'delivery');
	Object.assign(body, { Recipient: sentMessage.To, DeliveredAt: deliveredAt, MessageID: `pm-${n}`, Metadata: sentMessage.Metadata });
	return normalized('postmark', body);
}

const analyzeNode = (parameters: IDataObject = {}): INode =>
	node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: 'spring', metric: 'converted', mdePercent: 10, ...parameters } as INode['parameters']);
const rows = (report: IDataObject) => (report.variants as IDataObject[]).map((v) => [v.variant, v.sent, v.converted]);

describe('ESP Dispatch test mode, then the real send: A/B Experiment Analyze counts the customers, not the tester', () => {
	async function testThenReal(): Promise<{ test: IDataObject[]; real: IDataObject[]; testResults: IDataObject[]; realResults: IDataObject[] }> {
		const testRun = await runWorkflow({ nodes: [dispatchNode({ testAddress: TESTER })], connections: {} }, { input: asItems(customers), credentials: credentials() });
		expect(testRun.error).toBeUndefined();
		const test = sent().slice();
		expect(test.map((m) => m.To)).toEqual(customers.map(() => TESTER));
		const realRun = await runWorkflow({ nodes: [dispatchNode()], connections: {} }, { input: asItems(customers), credentials: credentials() });
		expect(realRun.error).toBeUndefined();
		const real = sent().slice(test.length);
		expect(real.map((m) => m.To)).toEqual(customers.map((c) => c.email));
		return { test, real, testResults: testRun.items('ESP Dispatch').map((i) => i.json), realResults: realRun.items('ESP Dispatch').map((i) => i.json) };
	}

	it('a test email carries a message id of its own (the one its result names) and no experiment or variant; the real email all of them', async () => {
		const { test, real, testResults, realResults } = await testThenReal();
		for (let k = 0; k < customers.length; k++) {
			const t = test[k].Metadata as IDataObject;
			const r = real[k].Metadata as IDataObject;
			expect(r).toMatchObject({ pz_experiment_id: 'spring', pz_variant: customers[k].pz_variant, pz_user_id: customers[k].userId });
			expect(t).not.toHaveProperty('pz_experiment_id');
			expect(t).not.toHaveProperty('pz_variant');
			expect(t).not.toHaveProperty('pz_user_id');
			expect(t.pz_message_id).not.toBe(r.pz_message_id);
			// each result names the id its email carried
			expect(testResults[k]).toMatchObject({ status: 'sent', sentTo: TESTER, messageId: t.pz_message_id });
			expect(realResults[k]).toMatchObject({ status: 'sent', messageId: r.pz_message_id });
		}
		// five different test ids
		expect(new Set(test.map((m) => (m.Metadata as IDataObject).pz_message_id)).size).toBe(5);
	});

	it('Analyze from the deliveries of both runs: 3 control and 2 treatment recipients; the tester is none of them', async () => {
		const { test, real } = await testThenReal();
		// the test run on March 1, the real one on March 5
		const events = [...test.map((m, k) => delivery(m, '2025-03-01T09:00:00Z', k)), ...real.map((m, k) => delivery(m, '2025-03-05T09:00:00Z', 10 + k))];
		const result = await runWorkflow({ nodes: [analyzeNode()], connections: {} }, { input: asItems(events) });
		expect(result.error).toBeUndefined();
		// control: anna, ben, cleo = 3; treatment: dora, emil = 2 (the former code: 1 and 1)
		expect(rows(result.items('Analyze')[0].json)).toEqual([
			['control', 3, 0],
			['treatment', 2, 0],
		]);
	});

	it('under the attribution window the first send is the real one: an order between the test and the real send does not convert, nor does the tester\'s test order', async () => {
		const { test, real } = await testThenReal();
		const events = [
			...test.map((m, k) => delivery(m, '2025-03-01T09:00:00Z', k)),
			...real.map((m, k) => delivery(m, '2025-03-05T09:00:00Z', 10 + k)),
			shopifyOrder('anna@example.com', '2025-03-02T09:00:00Z', 3001, 501), // a day after the test, 3 days before anna's email: no
			shopifyOrder('ben@example.com', '2025-03-06T09:00:00Z', 3002, 502), // a day after ben's email: yes
			shopifyOrder(TESTER, '2025-03-01T10:00:00Z', 3003, 599), // the tester tries the checkout: not mailed in the experiment
		];
		const result = await runWorkflow({ nodes: [analyzeNode({ orderAttribution: 'window', attributionWindowHours: 168 })], connections: {} }, { input: asItems(events) });
		expect(result.error).toBeUndefined();
		const report = result.items('Analyze')[0].json;
		// control: 3 sent, ben converted; treatment: 2 sent, none
		expect(rows(report)).toEqual([
			['control', 3, 1],
			['treatment', 2, 0],
		]);
		// anna's order is before her first send; the tester's joins nobody mailed
		expect(report.attribution).toMatchObject({ orders_counted: 1, orders_outside_window: 1, orders_unmatched: 1 });
	});
});
