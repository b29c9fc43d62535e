/**
 * A/B Experiment Analyze (Engagement Events) through the real n8n engine: which orders are
 * withdrawn, and by what (review3 of 38a1a91).
 * - An order refunded in full is no conversion, as a cancelled one: a WooCommerce order whose
 *   status became `refunded` (WooCommerce sets it only when the whole order is refunded; its
 *   `total` is still the order's total), Shopify refunds/create whose refunds together return the
 *   order's `total_price`, Stripe charge.refunded whose `amount_refunded` (all refunds so far)
 *   reaches the checkout's `amount_total`. A partial refund keeps the conversion.
 * - Orders are matched within their source and store: two WooCommerce sites (X-WC-Webhook-Source)
 *   or two Shopify shops (X-Shopify-Shop-Domain) number orders each from their own counter, and a
 *   Stripe checkout's metadata order_id may be any number.
 *
 * The events are the repository's documented payloads (test/fixtures/events) run through the
 * events engine's own mappings, with the headers the providers send; only the recipients, order
 * ids, amounts, stores and times are changed. Every expected count is worked out by hand.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import type { CanonicalEvent } from '../../nodes/engines/types/CanonicalEvent';
import { fixtureBody, normalizedOne } from '../harness/event-fixtures';
import { node, runWorkflow } from '../harness/engine';

/** Postmark's Delivery webhook for a message ESP Dispatch sent with the A/B attribution. */
function delivery(recipient: string, messageId: string, variant: string, deliveredAt: string): CanonicalEvent {
	const body = fixtureBody('postmark', 'delivery');
	Object.assign(body, { Recipient: recipient, DeliveredAt: deliveredAt, MessageID: `pm-${messageId}` });
	body.Metadata = { pz_message_id: messageId, pz_campaign_id: 'spring-sale', pz_experiment_id: 'spring', pz_variant: variant };
	return normalizedOne('postmark', body);
}

/** WooCommerce's documented order webhook (total 29.35 USD) from the site `store` (X-WC-Webhook-Source, which WooCommerce sends). */
function wooOrder(store: string, topic: 'order.created' | 'order.updated', status: string, id: number, email: string, createdGmt: string, modifiedGmt: string): CanonicalEvent {
	const body = fixtureBody('woocommerce', topic === 'order.created' ? 'order.created' : 'order.updated-cancelled');
	Object.assign(body, { id, number: String(id), status, date_created_gmt: createdGmt, date_modified_gmt: modifiedGmt });
	// a full refund: WooCommerce lists it (negative) and keeps the order's total
	if (status === 'refunded') body.refunds = [{ id: 900, reason: 'customer changed their mind', total: `-${body.total as string}` }];
	Object.assign(body.billing as Record<string, unknown>, { email });
	return normalizedOne('woocommerce', body, { 'x-wc-webhook-topic': topic, 'x-wc-webhook-source': store });
}

/** Shopify's documented orders/create (total_price 403.00 USD) in shop `shop`: order `orderId` by `email` at `createdAt`. */
function shopifyOrder(shop: string, email: string, createdAt: string, orderId: number): CanonicalEvent {
	const body = fixtureBody('shopify', 'orders-create');
	Object.assign(body, { id: orderId, admin_graphql_api_id: `gid://shopify/Order/${orderId}`, email, created_at: createdAt, updated_at: createdAt });
	return normalizedOne('shopify', body, { 'x-shopify-topic': 'orders/create', 'x-shopify-shop-domain': shop });
}

/** Shopify's documented refunds/create in shop `shop`: refund `refundId` of order `orderId` returning `amount` USD in one successful transaction. */
function shopifyRefund(shop: string, orderId: number, refundId: number, amount: string, createdAt: string): CanonicalEvent {
	const body = fixtureBody('shopify', 'refunds-create');
	Object.assign(body, { id: refundId, admin_graphql_api_id: `gid://shopify/Refund/${refundId}`, order_id: orderId, created_at: createdAt });
	(body.transactions as Array<Record<string, unknown>>)[0].amount = amount;
	return normalizedOne('shopify', body, { 'x-shopify-topic': 'refunds/create', 'x-shopify-shop-domain': shop, 'x-shopify-webhook-id': `wh-${refundId}` });
}

/** Stripe's documented checkout.session.completed (amount_total 2198 usd) by `email`, attributed to `variant`; `metadata` adds to it. */
function stripeCheckout(email: string, variant: string, paymentIntent: string, metadata: Record<string, string> = {}): CanonicalEvent {
	const body = fixtureBody('stripe', 'checkout.session.completed');
	const object = (body.data as Record<string, Record<string, unknown>>).object;
	object.metadata = { pz_campaign_id: 'spring-sale', pz_experiment_id: 'spring', pz_variant: variant, ...metadata };
	object.customer_details = { ...(object.customer_details as object), email };
	object.payment_intent = paymentIntent;
	return normalizedOne('stripe', body);
}

/** Stripe's documented charge.refunded for the payment `paymentIntent` (2198 usd): `refunded` minor units so far, `previous` before this refund. */
function stripeRefund(eventId: string, paymentIntent: string, refunded: number, previous: number): CanonicalEvent {
	const body = fixtureBody('stripe', 'charge.refunded');
	body.id = eventId;
	const data = body.data as Record<string, Record<string, unknown>>;
	Object.assign(data.object, { amount: 2198, amount_refunded: refunded, refunded: refunded === 2198, currency: 'usd', payment_intent: paymentIntent, metadata: {} });
	data.previous_attributes = { amount_refunded: previous, refunded: false };
	return normalizedOne('stripe', body);
}

const analyzeNode = (parameters: IDataObject = {}) =>
	node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: 'spring', metric: 'converted', mdePercent: 10, ...parameters } as INode['parameters']);
const WINDOW = { orderAttribution: 'window', attributionWindowHours: 168 };
const asItems = (list: object[]): INodeExecutionData[] => list.map((json) => ({ json: json as IDataObject }));
const rows = (report: IDataObject) => (report.variants as IDataObject[]).map((v) => [v.variant, v.sent, v.converted]);
async function analyzeReport(events: object[], parameters: IDataObject = {}): Promise<IDataObject> {
	const result = await runWorkflow({ nodes: [analyzeNode(parameters)], connections: {} }, { input: asItems(events) });
	expect(result.error).toBeUndefined();
	return result.items('Analyze')[0].json;
}

// deliveries on 2025-03-03 09:00 UTC; a 168-hour window ends (exclusive) on 2025-03-10 09:00 UTC
const AT = '2025-03-03T09:00:00.0000000Z';
const DE = 'https://shop.example.de/';
const FR = 'https://shop.example.fr/';
const SHOP = 'example.myshopify.com';
const OTHER_SHOP = 'other-example.myshopify.com';

describe('A/B Experiment Analyze: a WooCommerce order set to Refunded is refunded in full', () => {
	const events = () => [
		delivery('anna@example.com', 'm-a', 'control', AT),
		delivery('ben@example.com', 'm-b', 'treatment', AT),
		wooOrder(DE, 'order.created', 'processing', 2001, 'anna@example.com', '2025-03-04T09:00:00', '2025-03-04T09:00:00'),
		// the shop refunded the whole order (29.35 of 29.35): WooCommerce's cancellation of a paid order
		wooOrder(DE, 'order.updated', 'refunded', 2001, 'anna@example.com', '2025-03-04T09:00:00', '2025-03-04T15:00:00'),
	];

	it('the fixtures map as the test assumes: status refunded is an Order Refunded whose total is the order total, from the same site', () => {
		const [, , created, refunded] = events();
		expect(created).toMatchObject({ event: 'Order Completed', properties: { order_id: '2001', total: 29.35, currency: 'USD' }, context: { source: 'woocommerce', store: DE } });
		expect(refunded).toMatchObject({ event: 'Order Refunded', properties: { order_id: '2001', status: 'refunded', total: 29.35, currency: 'USD' }, context: { source: 'woocommerce', store: DE } });
	});

	it('withdraws the order like a cancellation, counted in orders_refunded', async () => {
		const report = await analyzeReport(events(), WINDOW);
		// by hand: anna's order is refunded in full, no conversion; ben none
		expect(rows(report)).toEqual([
			['control', 1, 0],
			['treatment', 1, 0],
		]);
		// anna's order and the refund
		expect(report.events_ignored).toBe(2);
		expect(report.attribution).toMatchObject({ orders_counted: 0, orders_cancelled: 0, orders_refunded: 1 });
	});
});

describe('A/B Experiment Analyze: Shopify refunds withdraw an order only when they return its whole total', () => {
	const events = () => [
		delivery('anna@example.com', 'm-a', 'control', AT),
		delivery('ben@example.com', 'm-b', 'control', AT),
		delivery('cleo@example.com', 'm-c', 'treatment', AT),
		delivery('dora@example.com', 'm-d', 'treatment', AT),
		// each order totals 403.00 USD
		shopifyOrder(SHOP, 'anna@example.com', '2025-03-04T10:00:00-05:00', 4001),
		shopifyOrder(SHOP, 'ben@example.com', '2025-03-04T10:00:00-05:00', 4002),
		shopifyOrder(SHOP, 'cleo@example.com', '2025-03-04T10:00:00-05:00', 4003),
		shopifyOrder(SHOP, 'dora@example.com', '2025-03-04T10:00:00-05:00', 4004),
		// anna: 403.00 in one refund; ben: 199.00 (part); cleo: 199.00 and 204.00 (the whole, in two)
		shopifyRefund(SHOP, 4001, 71, '403.00', '2025-03-05T10:00:00-05:00'),
		shopifyRefund(SHOP, 4002, 72, '199.00', '2025-03-05T10:00:00-05:00'),
		shopifyRefund(SHOP, 4003, 73, '199.00', '2025-03-05T10:00:00-05:00'),
		shopifyRefund(SHOP, 4003, 74, '204.00', '2025-03-06T10:00:00-05:00'),
		// another shop's order 4004, refunded in full: not dora's
		shopifyRefund(OTHER_SHOP, 4004, 75, '403.00', '2025-03-05T10:00:00-05:00'),
	];

	it('the fixtures map as the test assumes: orders and refunds carry the order id, amounts in USD and the shop', () => {
		const list = events();
		expect(list[4]).toMatchObject({ event: 'Order Completed', properties: { order_id: '4001', total: 403, currency: 'USD' }, context: { source: 'shopify', shop: SHOP } });
		expect(list[9]).toMatchObject({ event: 'Order Refunded', properties: { order_id: '4002', refund_id: '72', total: 199, currency: 'USD' }, context: { source: 'shopify', shop: SHOP } });
		expect(list[11]).toMatchObject({ event: 'Order Refunded', properties: { order_id: '4003', refund_id: '74', total: 204 } });
		expect(list[12]).toMatchObject({ event: 'Order Refunded', properties: { order_id: '4004', total: 403 }, context: { shop: OTHER_SHOP } });
	});

	it('anna\'s and cleo\'s orders are withdrawn; ben\'s partial refund and the other shop\'s refund withdraw nothing', async () => {
		const report = await analyzeReport(events(), WINDOW);
		// by hand: control anna, ben = 2, converted ben; treatment cleo, dora = 2, converted dora
		expect(rows(report)).toEqual([
			['control', 2, 1],
			['treatment', 2, 1],
		]);
		// anna's and cleo's orders, and the five refunds
		expect(report.events_ignored).toBe(7);
		expect(report.attribution).toMatchObject({ orders_counted: 2, orders_cancelled: 0, orders_refunded: 2 });
	});
});

describe('A/B Experiment Analyze: Stripe refunds of an attributed checkout (the default mode)', () => {
	const sends = () => [delivery('anna@example.com', 'm-a', 'control', AT), delivery('ben@example.com', 'm-b', 'treatment', AT)];
	const checkout = () => stripeCheckout('anna@example.com', 'control', 'pi_anna');

	it('the fixtures map as the test assumes: the checkout and its refunds name the payment as the order id', () => {
		expect(checkout()).toMatchObject({ event: 'Order Completed', properties: { order_id: 'pi_anna', total: 21.98, currency: 'USD', variant: 'control' }, context: { source: 'stripe' } });
		expect(stripeRefund('evt_r2', 'pi_anna', 2198, 1000)).toMatchObject({ event: 'Order Refunded', properties: { order_id: 'pi_anna', total: 11.98, amount_refunded_total: 21.98, currency: 'USD' } });
	});

	it('10.00 of 21.98 refunded keeps the conversion and the report as before; the rest refunded later withdraws it', async () => {
		const partial = await analyzeReport([...sends(), checkout(), stripeRefund('evt_r1', 'pi_anna', 1000, 0)]);
		// by hand: control anna 1 sent, 1 converted; treatment ben 1, 0
		expect(rows(partial)).toEqual([
			['control', 1, 1],
			['treatment', 1, 0],
		]);
		expect(partial.attribution).toEqual({ mode: 'attributed', window_hours: null });
		const full = await analyzeReport([...sends(), checkout(), stripeRefund('evt_r1', 'pi_anna', 1000, 0), stripeRefund('evt_r2', 'pi_anna', 2198, 1000)]);
		// anna's checkout still shows she was mailed: control 1 sent, 0 converted
		expect(rows(full)).toEqual([
			['control', 1, 0],
			['treatment', 1, 0],
		]);
		expect(full.attribution).toEqual({ mode: 'attributed', window_hours: null, orders_refunded: 1 });
	});

	it("with the merchant's own order number in the session's metadata, the charge's refund (named by the PaymentIntent: Stripe does not copy session metadata to the charge) still withdraws the order", async () => {
		const numbered = stripeCheckout('anna@example.com', 'control', 'pi_anna', { order_id: 'ORD-77' });
		const refund = stripeRefund('evt_r1', 'pi_anna', 2198, 0);
		expect(numbered).toMatchObject({ properties: { order_id: 'ORD-77', payment_intent: 'pi_anna' } });
		expect(refund).toMatchObject({ event: 'Order Refunded', properties: { order_id: 'pi_anna', payment_intent: 'pi_anna', amount_refunded_total: 21.98 } });
		const report = await analyzeReport([...sends(), numbered, refund]);
		// by hand: anna's 21.98 order refunded in full: control 1 sent, 0 converted; treatment ben 1, 0
		expect(rows(report)).toEqual([
			['control', 1, 0],
			['treatment', 1, 0],
		]);
		expect(report.attribution).toEqual({ mode: 'attributed', window_hours: null, orders_refunded: 1 });
	});
});

describe('A/B Experiment Analyze: order ids are matched within their source and store', () => {
	it('a cancellation in one WooCommerce site does not withdraw the order of the same number in another site; one in the same site does', async () => {
		const events = [
			delivery('anna@example.com', 'm-a', 'control', AT),
			delivery('ben@example.com', 'm-b', 'treatment', AT),
			// anna bought in the German site: order 1001
			wooOrder(DE, 'order.created', 'processing', 1001, 'anna@example.com', '2025-03-04T09:00:00', '2025-03-04T09:00:00'),
			// an unrelated customer's order 1001 in the French site (each site numbers from its own counter) was cancelled
			wooOrder(FR, 'order.updated', 'cancelled', 1001, 'zoe@example.com', '2025-03-04T08:00:00', '2025-03-04T12:00:00'),
		];
		expect(events[2].context).toMatchObject({ source: 'woocommerce', store: DE });
		expect(events[3]).toMatchObject({ event: 'Order Cancelled', properties: { order_id: '1001' }, context: { source: 'woocommerce', store: FR } });
		const report = await analyzeReport(events, WINDOW);
		// by hand: control anna sent 1, converted 1 (her DE order stands); treatment ben 1, 0
		expect(rows(report)).toEqual([
			['control', 1, 1],
			['treatment', 1, 0],
		]);
		expect(report.attribution).toMatchObject({ orders_counted: 1, orders_cancelled: 0 });
		// the German site's own cancellation of 1001 withdraws it
		const same = await analyzeReport([...events, wooOrder(DE, 'order.updated', 'cancelled', 1001, 'anna@example.com', '2025-03-04T09:00:00', '2025-03-04T12:00:00')], WINDOW);
		expect(rows(same)).toEqual([
			['control', 1, 0],
			['treatment', 1, 0],
		]);
		expect(same.attribution).toMatchObject({ orders_counted: 0, orders_cancelled: 1 });
	});

	it("a Stripe checkout attributed to the email (metadata order_id from the merchant's own numbering) is not withdrawn by a WooCommerce site's cancelled order of the same number", async () => {
		const stripeOrder = stripeCheckout('anna@example.com', 'control', 'pi_anna', { order_id: '1001' });
		expect(stripeOrder).toMatchObject({ event: 'Order Completed', properties: { order_id: '1001', variant: 'control' } });
		const events = [
			delivery('anna@example.com', 'm-a', 'control', AT),
			delivery('ben@example.com', 'm-b', 'treatment', AT),
			stripeOrder,
			wooOrder(FR, 'order.updated', 'cancelled', 1001, 'zoe@example.com', '2025-03-04T08:00:00', '2025-03-04T12:00:00'),
		];
		const report = await analyzeReport(events);
		// by hand (and as before 38a1a91): control anna 1 sent, 1 converted; treatment ben 1, 0
		expect(rows(report)).toEqual([
			['control', 1, 1],
			['treatment', 1, 0],
		]);
		expect(report.attribution).toEqual({ mode: 'attributed', window_hours: null });
	});

	it('an Order Cancelled a workflow built (no source) still withdraws the order by its id alone', async () => {
		const events = [
			delivery('anna@example.com', 'm-a', 'control', AT),
			delivery('ben@example.com', 'm-b', 'treatment', AT),
			shopifyOrder(SHOP, 'anna@example.com', '2025-03-04T10:00:00-05:00', 5001),
			{ event: 'Order Cancelled', timestamp: '2025-03-05T09:00:00Z', properties: { order_id: 5001 } },
		];
		const report = await analyzeReport(events, WINDOW);
		// by hand: anna's order cancelled: control 1 sent, 0 converted
		expect(rows(report)).toEqual([
			['control', 1, 0],
			['treatment', 1, 0],
		]);
		expect(report.attribution).toMatchObject({ orders_cancelled: 1, orders_refunded: 0 });
	});
});
