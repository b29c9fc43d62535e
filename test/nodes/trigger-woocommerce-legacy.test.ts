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
