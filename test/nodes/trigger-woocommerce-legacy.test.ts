/**
 * The Personalization Trigger through n8n-core (test/harness/webhook.ts: a real HTTP request, the raw
 * body, n8n's WebhookContext) with a WooCommerce webhook whose API version is "Legacy API v3": the
 * body is the documented Legacy REST API v3 order wrapped in "order" (woocommerce-rest-api-docs
 * v3.html, View an order), signed like any WooCommerce delivery. Former mapping: an Order Completed
 * item without any property, userId or email, dated when it was received.
 */
import { canonicalEventErrors } from '../harness/schema';
import { SECRETS, loadFixtures, signDelivery } from '../harness/signing';
import { startWebhook, triggerWorkflow, type WebhookServer } from '../harness/webhook';

const fixture = structuredClone(loadFixtures().find((f) => f.source === 'woocommerce' && f.name === 'order.created-legacy-v3')!.fixture);

let server: WebhookServer | undefined;
afterEach(async () => {
	await server?.close();
	server = undefined;
});

it('WooCommerce Legacy API v3 order.created: one Order Completed item with the order read from the wrapped body', async () => {
	server = await startWebhook(triggerWorkflow('woocommerce', {}, 'wh-woo-legacy'), { credentials: { personalizationWebhookApi: { signingSecret: SECRETS.woocommerce } }, workflowId: 'woo-legacy' });
	const signed = signDelivery('woocommerce', JSON.stringify(fixture.body), { headers: fixture.headers });
	const reply = await server.post(signed.body, signed.headers);
	expect(reply.status).toBe(200);
	expect(reply.events).toHaveLength(1);
	const event = reply.events[0] as Record<string, any>;
	expect(canonicalEventErrors(event)).toEqual([]);
	expect(event).toMatchObject({
		event: 'Order Completed',
		messageId: '1138',
		// order.updated_at "2015-01-26T20:00:21Z"
		timestamp: '2015-01-26T20:00:21.000Z',
		// order.customer_id 2, order.billing_address.email
		userId: '2',
		email: 'john.doe@example.com',
		context: { source: 'woocommerce', topic: 'order.created', store: 'https://example.com/' },
	});
	// 79.87 − 5.90 tax − 10.00 shipping = 63.97
	expect(event.properties).toMatchObject({ order_id: '645', order_number: '645', total: 79.87, revenue: 63.97, tax: 5.9, shipping: 10, currency: 'USD' });
	expect(event.properties.products).toHaveLength(2);
	expect(event.context.timestamp_source).toBeUndefined();
});

/**
 * A Legacy API v3 delivery of a topic the package does not map (`coupon.updated`: the body "would
 * match the response for GET /coupons/{id}", `{"coupon": {…}}`, woocommerce-rest-api-docs
 * source/includes/v3/_webhooks.md and _coupons.md, coupons 529 and 527), passed through as Unknown,
 * without X-WC-Webhook-Delivery-ID. Former mapping: both coupons got the messageId of the topic
 * alone, and the trigger's de-duplication ignored the second as a duplicate of the first.
 */
it('Legacy API v3 coupon.updated passed through as Unknown without a delivery id: two coupons run twice, a resent one is a duplicate', async () => {
	server = await startWebhook(triggerWorkflow('woocommerce', { onUnknown: 'passThrough' }, 'wh-woo-legacy-unknown'), {
		credentials: { personalizationWebhookApi: { signingSecret: SECRETS.woocommerce } },
		workflowId: 'woo-legacy-unknown',
	});
	const headers = { 'x-wc-webhook-topic': 'coupon.updated', 'x-wc-webhook-resource': 'coupon', 'x-wc-webhook-event': 'updated', 'x-wc-webhook-source': 'https://example.com/' };
	const coupon = (id: number, code: string, updatedAt: string) => ({
		coupon: { id, code, type: 'percent', created_at: '2015-01-20T19:05:27Z', updated_at: updatedAt, amount: '10.00', individual_use: true, usage_count: 0, minimum_amount: '100.00', maximum_amount: '0.00' },
	});
	const first = signDelivery('woocommerce', JSON.stringify(coupon(529, 'new-coupon', '2015-01-20T19:05:27Z')), { headers });
	const second = signDelivery('woocommerce', JSON.stringify(coupon(527, 'free-shipping', '2015-01-20T18:35:59Z')), { headers });
	const a = await server.post(first.body, first.headers);
	const b = await server.post(second.body, second.headers);
	expect(a.status).toBe(200);
	expect(b.status).toBe(200);
	expect(a.events).toHaveLength(1);
	expect(b.events).toHaveLength(1);
	expect(a.events[0]).toMatchObject({ event: 'Unknown', context: { source: 'woocommerce', topic: 'coupon.updated' } });
	expect((b.events[0] as Record<string, any>).raw.coupon.id).toBe(527);
	expect(a.events[0].messageId).not.toBe(b.events[0].messageId);
	// The same delivery again (a retry) is still recognised.
	const again = await server.post(first.body, first.headers);
	expect(again.workflowData).toBeUndefined();
	expect(again.body).toMatchObject({ message: 'Duplicate delivery ignored', duplicates: 1 });
});
