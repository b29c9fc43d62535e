/**
 * A/B Experiment Analyze (Engagement Events) through the real n8n engine, with Count Orders As
 * Conversions = "Any Order by a Recipient Within the Attribution Window": Shopify orders carry no
 * variant, and convert the recipient who placed them within the window after the send.
 *
 * The events are the repository's documented payloads (test/fixtures/events) run through the
 * events engine's own mappings: Postmark Delivery webhooks (with the pz_* metadata ESP Dispatch
 * writes) for the sends, Shopify orders/create for the orders; only the recipient, the times and
 * the customer are changed. ESP Dispatch results come from a real ESP Dispatch run against the
 * local Postmark server, timed by the `sentAt` it writes (or, as results of an earlier version, by the `timestamp` a workflow adds when it stores them). Every expected
 * count is worked out by hand in the comment next to it.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { getSource } from '../../nodes/engines/events/registry';
import type { CanonicalEvent } from '../../nodes/engines/types/CanonicalEvent';
import { FIXTURE_RECEIVED_AT, fixtureBody, normalizedOne, shopifyOrder } from '../harness/event-fixtures';
import { node, runWorkflow } from '../harness/engine';
import { usePostmarkServer } from '../harness/postmark-server';

const { credentials } = usePostmarkServer();

const normalized = normalizedOne;

/** Postmark's Delivery webhook for a message ESP Dispatch sent with the A/B attribution. */
function delivery(recipient: string, messageId: string, variant: string, deliveredAt: string): CanonicalEvent {
	const body = fixtureBody('postmark', 'delivery');
	Object.assign(body, { Recipient: recipient, DeliveredAt: deliveredAt, MessageID: `pm-${messageId}` });
	body.Metadata = { pz_message_id: messageId, pz_campaign_id: 'spring-sale', pz_experiment_id: 'spring', pz_variant: variant };
	return normalized('postmark', body);
}

const analyzeNode = (parameters: IDataObject = {}, extra: Partial<INode> = {}) =>
	node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: 'spring', metric: 'converted', mdePercent: 10, ...parameters } as INode['parameters'], extra);
const WINDOW = { orderAttribution: 'window', attributionWindowHours: 168 };
const asItems = (list: object[]): INodeExecutionData[] => list.map((json) => ({ json: json as IDataObject }));
const rows = (report: IDataObject) => (report.variants as IDataObject[]).map((v) => [v.variant, v.sent, v.converted, v.conversion_rate]);

describe('A/B Experiment Analyze: orders within the attribution window (Postmark deliveries, Shopify orders)', () => {
	// control delivered 2025-03-03 09:00 UTC, treatment 09:05 UTC; a 168-hour window ends 7 days later at the same minute (exclusive)
	const events = (): CanonicalEvent[] => [
		delivery('anna@example.com', 'm-a', 'control', '2025-03-03T09:00:00.0000000Z'),
		delivery('ben@example.com', 'm-b', 'control', '2025-03-03T09:00:00.0000000Z'),
		delivery('cleo@example.com', 'm-c', 'control', '2025-03-03T09:00:00.0000000Z'),
		delivery('dora@example.com', 'm-d', 'treatment', '2025-03-03T09:05:00.0000000Z'),
		delivery('emil@example.com', 'm-e', 'treatment', '2025-03-03T09:05:00.0000000Z'),
		delivery('fay@example.com', 'm-f', 'treatment', '2025-03-03T09:05:00.0000000Z'),
		shopifyOrder('Anna@Example.com', '2025-03-05T14:30:00-05:00', 1001, 501), // 19:30 UTC, two days after: converts anna
		shopifyOrder('anna@example.com', '2025-03-06T10:00:00-05:00', 1002, 501), // anna again: still one conversion
		shopifyOrder('ben@example.com', '2025-03-01T10:00:00-05:00', 1003, 502), // before the send
		shopifyOrder('dora@example.com', '2025-03-10T04:04:59-05:00', 1004, 504), // 09:04:59 UTC, 1 s before the end: converts dora
		shopifyOrder('emil@example.com', '2025-03-10T04:05:00-05:00', 1005, 505), // 09:05:00 UTC, exactly the end: not counted
		shopifyOrder('zoe@example.com', '2025-03-04T12:00:00-05:00', 1006, 599), // zoe was not mailed
	];

	it('the fixtures map as the test assumes: deliveries carry the variant and time, orders neither variant nor experiment', () => {
		const list = events();
		expect(list[0]).toMatchObject({ event: 'Email Delivered', email: 'anna@example.com', timestamp: '2025-03-03T09:00:00.000Z', properties: { email_id: 'm-a', variant: 'control', experiment_id: 'spring' } });
		expect(list[6]).toMatchObject({ event: 'Order Completed', email: 'anna@example.com', timestamp: '2025-03-05T19:30:00.000Z' });
		expect(list[6].properties.variant).toBeUndefined();
		expect(list[6].properties.experiment_id).toBeUndefined();
	});

	it('Any Order Within the Attribution Window: an order at or after the send and less than 168 hours later converts its recipient, once', async () => {
		const result = await runWorkflow({ nodes: [analyzeNode(WINDOW)], connections: {} }, { input: asItems(events()) });
		expect(result.error).toBeUndefined();
		const items = result.items('Analyze');
		expect(items).toHaveLength(1);
		const report = items[0].json;
		// by hand: control sent anna, ben, cleo = 3, converted anna = 1 (two orders); treatment sent dora, emil, fay = 3, converted dora = 1
		expect(rows(report)).toEqual([
			['control', 3, 1, 1 / 3],
			['treatment', 3, 1, 1 / 3],
		]);
		// ben's (before the send), emil's (at the end) and zoe's (not mailed) orders
		expect(report.events_ignored).toBe(3);
		expect(report.attribution).toEqual({ mode: 'window', window_hours: 168, orders_counted: 3, orders_outside_window: 2, orders_without_send_time: 0, orders_unmatched: 1, orders_without_timestamp: 0, orders_in_several_variants: 0, orders_with_several_recipients: 0, orders_cancelled: 0, orders_refunded: 0 });
		expect(items[0].pairedItem).toEqual(events().map((_, item) => ({ item })));
	});

	it('by default (Only Orders Attributed to the Email), as before: none of these orders converts anyone', async () => {
		for (const parameters of [{}, { orderAttribution: 'attributed' }]) {
			const result = await runWorkflow({ nodes: [analyzeNode(parameters)], connections: {} }, { input: asItems(events()) });
			expect(result.error).toBeUndefined();
			const report = result.items('Analyze')[0].json;
			expect(rows(report)).toEqual([
				['control', 3, 0, 0],
				['treatment', 3, 0, 0],
			]);
			// all six orders
			expect(report.events_ignored).toBe(6);
			expect(report.attribution).toEqual({ mode: 'attributed', window_hours: null });
		}
	});

	it('a shorter window: 48 hours leaves out anna\'s orders (58.5 h and 78 h after) and dora\'s (7 days)', async () => {
		const result = await runWorkflow({ nodes: [analyzeNode({ orderAttribution: 'window', attributionWindowHours: 48 })], connections: {} }, { input: asItems(events()) });
		// anna's orders are 58.5 h (19:30 UTC on the 5th) and 78 h (15:00 UTC on the 6th) after the send: outside 48 h
		expect(rows(result.items('Analyze')[0].json)).toEqual([
			['control', 3, 0, 0],
			['treatment', 3, 0, 0],
		]);
	});
});

describe('A/B Experiment Analyze: ESP Dispatch results under the attribution window', () => {
	const message = { subject: 'Spring', html: '<p>Spring</p>', text: 'Spring' };
	/** A real ESP Dispatch run (Postmark, local server): one result item per recipient. */
	async function dispatchResults(): Promise<IDataObject[]> {
		const list: IDataObject[] = [
			{ email: 'Kim@Example.com', userId: '7001', pz_experiment_id: 'spring', pz_variant: 'control', message },
			{ email: 'lou@example.com', userId: '7002', pz_experiment_id: 'spring', pz_variant: 'control', message },
			{ email: 'mo@example.com', userId: '7003', pz_experiment_id: 'spring', pz_variant: 'treatment', message },
			{ email: 'ned@example.com', userId: '7004', pz_experiment_id: 'spring', pz_variant: 'treatment', message },
		];
		const dispatch = node('ESP Dispatch', 'espDispatch', { provider: 'postmark', fromEmail: 'news@shop.example.com' } as INode['parameters'], {
			typeVersion: 1.1,
			credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
		});
		const run = await runWorkflow({ nodes: [dispatch], connections: {} }, { input: asItems(list), credentials: credentials() });
		expect(run.error).toBeUndefined();
		const out = run.items('ESP Dispatch').map((i) => i.json);
		expect(out.map((r) => [r.status, r.recipient, r.userId, r.variant])).toEqual([
			['sent', 'Kim@Example.com', '7001', 'control'],
			['sent', 'lou@example.com', '7002', 'control'],
			['sent', 'mo@example.com', '7003', 'treatment'],
			['sent', 'ned@example.com', '7004', 'treatment'],
		]);
		return out;
	}

	it('timed by the sentAt ESP Dispatch writes: an order an hour after the send converts, one an hour before does not', async () => {
		const before = Date.now();
		const results = await dispatchResults();
		const after = Date.now();
		// every mailed result carries the time of the provider's answer, ISO-8601 UTC
		for (const r of results) {
			expect(r.sentAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
			const at = Date.parse(r.sentAt as string);
			expect(at).toBeGreaterThanOrEqual(before);
			expect(at).toBeLessThanOrEqual(after);
		}
		const iso = (r: IDataObject, hours: number) => new Date(Date.parse(r.sentAt as string) + hours * 3_600_000).toISOString();
		const orders = [
			shopifyOrder('kim@example.com', iso(results[0], 1), 2001, 9001), // kim (control), an hour after her send
			shopifyOrder('ned@example.com', iso(results[3], -1), 2003, 9004), // ned (treatment), an hour before his send
		];
		const result = await runWorkflow({ nodes: [analyzeNode(WINDOW)], connections: {} }, { input: asItems([...results, ...orders]) });
		expect(result.error).toBeUndefined();
		const report = result.items('Analyze')[0].json;
		expect(rows(report)).toEqual([
			['control', 2, 1, 0.5],
			['treatment', 2, 0, 0],
		]);
		expect(report.events_ignored).toBe(1);
	});

	it('stored by an earlier version (no sentAt), with the time the workflow stored them with: an order joins by the address (any case) or by the customer id alone', async () => {
		// stored with the send time, as an Edit Fields node would add it ({{ $now.toISO() }})
		const results = (await dispatchResults()).map(({ sentAt, ...r }) => ({ ...r, timestamp: '2025-03-03T10:00:00.000+01:00' })); // 09:00 UTC
		const orders = [
			shopifyOrder('kim@example.com', '2025-03-04T09:00:00Z', 2001, 9001), // kim's address, another case: control
			shopifyOrder('mo.private@example.net', '2025-03-05T09:00:00Z', 2002, 7003), // another address, customer 7003 = mo: treatment
			shopifyOrder('ned@example.com', '2025-03-02T09:00:00Z', 2003, 9004), // ned, before the send
		];
		expect(orders[1]).toMatchObject({ userId: '7003', email: 'mo.private@example.net' });
		// a result of another experiment, stored without a time: not analysed, so not refused either
		const other = { ...results[3], experiment: 'autumn', timestamp: undefined };
		const result = await runWorkflow({ nodes: [analyzeNode(WINDOW)], connections: {} }, { input: asItems([...results, other, ...orders]) });
		expect(result.error).toBeUndefined();
		const report = result.items('Analyze')[0].json;
		// by hand: control kim, lou sent = 2, kim converted; treatment mo, ned sent = 2, mo converted
		expect(rows(report)).toEqual([
			['control', 2, 1, 0.5],
			['treatment', 2, 1, 0.5],
		]);
		// ned's order (before the send) and the other experiment's result
		expect(report.events_ignored).toBe(2);
	});

	it('without a time, a mailed result is refused, naming the item and the field; with Continue On Fail it is an error item and the rest is analysed', async () => {
		// results of an earlier version (no sentAt); item 1 was stored without a time
		const stored = (await dispatchResults()).map(({ sentAt, ...r }, k) => (k === 1 ? r : { ...r, timestamp: '2025-03-03T09:00:00Z' }));
		const orders = [shopifyOrder('kim@example.com', '2025-03-04T09:00:00Z', 2001, 9001)];
		const stop = await runWorkflow({ nodes: [analyzeNode(WINDOW)], connections: {} }, { input: asItems([...stored, ...orders]) });
		expect(stop.error?.message).toMatch(/^Item 1: field "sentAt" is missing: under Count Orders As Conversions = "Any Order by a Recipient Within the Attribution Window" an ESP Dispatch result needs the time it was sent/);
		expect((stop.nodes.Analyze.error as unknown as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);

		const go = await runWorkflow({ nodes: [analyzeNode(WINDOW, { onError: 'continueRegularOutput' })], connections: {} }, { input: asItems([...stored, ...orders]) });
		expect(go.error).toBeUndefined();
		const items = go.items('Analyze');
		expect(items).toHaveLength(2);
		expect(items[1]).toEqual({ json: { error: expect.stringMatching(/^Item 1: field "sentAt" is missing/) }, pairedItem: { item: 1 } });
		// lou (item 1) left out: control kim = 1 sent, converted; treatment mo, ned = 2, none
		expect(rows(items[0].json)).toEqual([
			['control', 1, 1, 1],
			['treatment', 2, 0, 0],
		]);
		expect(items[0].pairedItem).toEqual([0, 2, 3, 4].map((item) => ({ item })));

		// a time that is not ISO-8601 with a zone is refused too
		const bad = stored.map((r, k) => (k === 1 ? { ...r, timestamp: '03/03/2025 09:00' } : r));
		const refused = await runWorkflow({ nodes: [analyzeNode(WINDOW)], connections: {} }, { input: asItems([...bad, ...orders]) });
		expect(refused.error?.message).toBe('Item 1: field "timestamp" ("03/03/2025 09:00") must be an ISO-8601 date and time with a time zone, e.g. 2025-03-01T09:30:00Z');
		const badSentAt = stored.map((r, k) => (k === 1 ? { ...r, sentAt: '2025-03-03 09:00' } : r));
		const refusedSentAt = await runWorkflow({ nodes: [analyzeNode(WINDOW)], connections: {} }, { input: asItems([...badSentAt, ...orders]) });
		expect(refusedSentAt.error?.message).toBe('Item 1: field "sentAt" ("2025-03-03 09:00") must be an ISO-8601 date and time with a time zone, e.g. 2025-03-01T09:30:00Z');
		// the default mode needs no time: as before
		const before = await runWorkflow({ nodes: [analyzeNode()], connections: {} }, { input: asItems([...stored, ...orders]) });
		expect(before.error).toBeUndefined();
		expect(rows(before.items('Analyze')[0].json)).toEqual([
			['control', 2, 0, 0],
			['treatment', 2, 0, 0],
		]);
	});
});

describe('A/B Experiment Analyze: the attribution parameters are checked', () => {
	const input = () => asItems([delivery('anna@example.com', 'm-a', 'control', '2025-03-03T09:00:00Z'), delivery('dora@example.com', 'm-d', 'treatment', '2025-03-03T09:00:00Z')]);

	it('a window of 0 or less, or not a number, is an error naming the field', async () => {
		for (const [hours, shown] of [
			[0, '0'],
			[-24, '-24'],
			['={{ "a week" }}', '"a week"'],
		] as const) {
			const result = await runWorkflow({ nodes: [analyzeNode({ orderAttribution: 'window', attributionWindowHours: hours })], connections: {} }, { input: input() });
			expect(result.error?.message).toBe(`Attribution Window (Hours) must be a number above 0, got ${shown}`);
		}
	});

	it('an unknown mode (from an expression) is an error naming the field; with Continue On Fail one error item paired with every input item', async () => {
		const params = { orderAttribution: '={{ "last-click" }}' };
		const stop = await runWorkflow({ nodes: [analyzeNode(params)], connections: {} }, { input: input() });
		expect(stop.error?.message).toBe('Count Orders As Conversions must be "attributed" or "window", got "last-click"');
		const go = await runWorkflow({ nodes: [analyzeNode(params, { onError: 'continueRegularOutput' })], connections: {} }, { input: input() });
		expect(go.items('Analyze')).toEqual([{ json: { error: 'Count Orders As Conversions must be "attributed" or "window", got "last-click"' }, pairedItem: [{ item: 0 }, { item: 1 }] }]);
	});
});
