/**
 * A/B Experiment Analyze (Engagement Events) through the real n8n engine, Count Orders As
 * Conversions = "Any Order by a Recipient Within the Attribution Window":
 * - a cancelled order (Shopify orders/cancelled, WooCommerce order.updated with status cancelled,
 *   or any item with event "Order Cancelled" and the order's properties.order_id, a number or its
 *   text) converts nobody; a partly refunded one (Shopify refunds/create, 199.00 of 403.00) still
 *   does (refunds of the whole total: test/nodes/experiment-order-withdrawal.test.ts);
 * - an order that joins two recipients of one variant (the userId of one, the address of the
 *   other) converts one of them, the one of the userId, and the report says so.
 *
 * The events are the repository's documented payloads (test/fixtures/events) run through the
 * events engine's own mappings; only the recipients, the order ids, the times and the customers
 * are changed. Every expected count is worked out by hand in the comment next to it.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import type { CanonicalEvent } from '../../nodes/engines/types/CanonicalEvent';
import { fixtureBody, normalizedOne, shopifyCancellation, shopifyOrder } from '../harness/event-fixtures';
import { node, runWorkflow } from '../harness/engine';

/** Postmark's Delivery webhook for a message ESP Dispatch sent with the A/B attribution (and the recipient's userId, if given). */
function delivery(recipient: string, messageId: string, variant: string, deliveredAt: string, userId?: string): CanonicalEvent {
	const body = fixtureBody('postmark', 'delivery');
	Object.assign(body, { Recipient: recipient, DeliveredAt: deliveredAt, MessageID: `pm-${messageId}` });
	body.Metadata = { pz_message_id: messageId, pz_campaign_id: 'spring-sale', pz_experiment_id: 'spring', pz_variant: variant, ...(userId === undefined ? {} : { pz_user_id: userId }) };
	return normalizedOne('postmark', body);
}

/** WooCommerce's documented order.created / order.updated (status cancelled) for order `id` by `email`, modified at `modifiedGmt` (UTC, no zone, as WooCommerce writes it). */
function wooOrder(topic: 'order.created' | 'order.updated', id: number, email: string, createdGmt: string, modifiedGmt: string): CanonicalEvent {
	const body = fixtureBody('woocommerce', topic === 'order.created' ? 'order.created' : 'order.updated-cancelled');
	Object.assign(body, { id, date_created_gmt: createdGmt, date_modified_gmt: modifiedGmt });
	Object.assign(body.billing as Record<string, unknown>, { email });
	return normalizedOne('woocommerce', body, { 'x-wc-webhook-topic': topic });
}

/** Shopify's documented refunds/create: a partial refund of order `orderId` at `createdAt`. */
function shopifyRefund(orderId: number, createdAt: string): CanonicalEvent {
	const body = fixtureBody('shopify', 'refunds-create');
	Object.assign(body, { order_id: orderId, created_at: createdAt });
	return normalizedOne('shopify', body, { 'x-shopify-topic': 'refunds/create' });
}

const analyzeNode = (parameters: IDataObject = {}) =>
	node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: 'spring', metric: 'converted', mdePercent: 10, ...parameters } as INode['parameters']);
const WINDOW = { orderAttribution: 'window', attributionWindowHours: 168 };
const asItems = (list: object[]): INodeExecutionData[] => list.map((json) => ({ json: json as IDataObject }));
const rows = (report: IDataObject) => (report.variants as IDataObject[]).map((v) => [v.variant, v.sent, v.converted]);

// deliveries on 2025-03-03 09:00 UTC; a 168-hour window ends (exclusive) on 2025-03-10 09:00 UTC
const AT = '2025-03-03T09:00:00.0000000Z';

describe('A/B Experiment Analyze: cancelled orders are no conversions', () => {
	const events = (): object[] => [
		delivery('anna@example.com', 'm-a', 'control', AT),
		delivery('ben@example.com', 'm-b', 'control', AT),
		delivery('cleo@example.com', 'm-c', 'control', AT),
		delivery('dora@example.com', 'm-d', 'treatment', AT),
		delivery('emil@example.com', 'm-e', 'treatment', AT),
		delivery('fay@example.com', 'm-f', 'treatment', AT),
		// anna's cancellation arrives first in the input; her order 1001 follows
		shopifyCancellation('anna@example.com', '2025-03-04T10:00:00-05:00', '2025-03-05T10:00:00-05:00', 1001, 501),
		shopifyOrder('anna@example.com', '2025-03-04T10:00:00-05:00', 1001, 501),
		// ben's order 1002 stands; his other order 1003 was cancelled (its creation is not in the input)
		shopifyOrder('ben@example.com', '2025-03-04T10:00:00-05:00', 1002, 502),
		shopifyCancellation('ben@example.com', '2025-03-04T11:00:00-05:00', '2025-03-04T12:00:00-05:00', 1003, 502),
		// dora's WooCommerce order 727, then its status set to cancelled
		wooOrder('order.created', 727, 'Dora@Example.com', '2025-03-04T09:00:00', '2025-03-04T09:00:00'),
		wooOrder('order.updated', 727, 'Dora@Example.com', '2025-03-04T09:00:00', '2025-03-04T15:00:00'),
		// emil's Shopify order 1005 (order_id "1005"), cancelled by an item a workflow built with the id as a number
		shopifyOrder('emil@example.com', '2025-03-04T10:00:00-05:00', 1005, 505),
		{ event: 'Order Cancelled', timestamp: '2025-03-05T09:00:00Z', properties: { order_id: 1005 } },
		// fay's order 1006, partly refunded: still a conversion
		shopifyOrder('fay@example.com', '2025-03-04T10:00:00-05:00', 1006, 506),
		shopifyRefund(1006, '2025-03-06T10:00:00-05:00'),
	];

	it('the fixtures map as the test assumes: cancellations and the refund carry the order id of their order', () => {
		const list = events() as CanonicalEvent[];
		expect(list[6]).toMatchObject({ event: 'Order Cancelled', email: 'anna@example.com', properties: { order_id: '1001' } });
		expect(list[7]).toMatchObject({ event: 'Order Completed', email: 'anna@example.com', timestamp: '2025-03-04T15:00:00.000Z', properties: { order_id: '1001' } });
		expect(list[9]).toMatchObject({ event: 'Order Cancelled', properties: { order_id: '1003' } });
		expect(list[10]).toMatchObject({ event: 'Order Completed', email: 'dora@example.com', timestamp: '2025-03-04T09:00:00.000Z', properties: { order_id: '727' } });
		expect(list[11]).toMatchObject({ event: 'Order Cancelled', email: 'dora@example.com', properties: { order_id: '727' } });
		expect(list[12]).toMatchObject({ event: 'Order Completed', properties: { order_id: '1005' } });
		expect(list[15]).toMatchObject({ event: 'Order Refunded', properties: { order_id: '1006' } });
	});

	it('a cancelled order, before or after its cancellation in the input, converts nobody; a partly refunded one does', async () => {
		const result = await runWorkflow({ nodes: [analyzeNode(WINDOW)], connections: {} }, { input: asItems(events()) });
		expect(result.error).toBeUndefined();
		const report = result.items('Analyze')[0].json;
		// by hand: control anna, ben, cleo = 3, converted ben = 1 (anna's order cancelled);
		// treatment dora, emil, fay = 3, converted fay = 1 (dora's and emil's orders cancelled)
		expect(rows(report)).toEqual([
			['control', 3, 1],
			['treatment', 3, 1],
		]);
		// anna's, dora's and emil's orders, the four cancellations and the refund
		expect(report.events_ignored).toBe(8);
		expect(report.attribution).toEqual({
			mode: 'window',
			window_hours: 168,
			orders_counted: 2,
			orders_outside_window: 0,
			orders_without_send_time: 0,
			orders_unmatched: 0,
			orders_without_timestamp: 0,
			orders_in_several_variants: 0,
			orders_with_several_recipients: 0,
			orders_cancelled: 3,
			orders_refunded: 0,
		});
	});
});

describe('A/B Experiment Analyze: an order converts one recipient per variant', () => {
	// mo was mailed twice in control, as two recipients that share no id: at mo@example.com with
	// his userId 7003, and at mo.private@example.net without one
	const sends = () => [
		delivery('mo@example.com', 'm-mo', 'control', AT, '7003'),
		delivery('mo.private@example.net', 'm-mp', 'control', AT),
		delivery('pat@example.com', 'm-p', 'control', AT),
		delivery('quy@example.com', 'm-q', 'treatment', AT),
		delivery('ria@example.com', 'm-r', 'treatment', AT),
	];
	// customer 7003 ordered from mo.private@example.net: the order joins both recipients
	const joint = () => shopifyOrder('mo.private@example.net', '2025-03-04T10:00:00-05:00', 3001, 7003);

	it('the fixtures map as the test assumes: the send carries the userId, the order both ids', () => {
		expect(sends()[0]).toMatchObject({ email: 'mo@example.com', properties: { user_id: '7003', email_id: 'm-mo' } });
		expect(joint()).toMatchObject({ event: 'Order Completed', userId: '7003', email: 'mo.private@example.net' });
	});

	it('the order converts the recipient of its userId only, and the report counts and warns it', async () => {
		const result = await runWorkflow({ nodes: [analyzeNode(WINDOW)], connections: {} }, { input: asItems([...sends(), joint()]) });
		expect(result.error).toBeUndefined();
		const report = result.items('Analyze')[0].json;
		// by hand: control mo, mo.private, pat = 3, converted 1 (not 2); treatment quy, ria = 2, none
		expect(rows(report)).toEqual([
			['control', 3, 1],
			['treatment', 2, 0],
		]);
		expect(report.attribution).toMatchObject({ orders_counted: 1, orders_with_several_recipients: 1, orders_in_several_variants: 0 });
		const control = (report.variants as IDataObject[])[0];
		expect((control.warnings as string[]).filter((w) => w.startsWith('1 order joined several of its recipients'))).toHaveLength(1);
	});

	it('it went to mo@example.com (userId 7003): a later order from mo.private@example.net alone converts that recipient too', async () => {
		const later = shopifyOrder('mo.private@example.net', '2025-03-05T10:00:00-05:00', 3002, 8001); // another customer account, the private address
		const result = await runWorkflow({ nodes: [analyzeNode(WINDOW)], connections: {} }, { input: asItems([...sends(), joint(), later]) });
		expect(rows(result.items('Analyze')[0].json)).toEqual([
			['control', 3, 2],
			['treatment', 2, 0],
		]);
	});
});
