/**
 * Shopify's event id (X-Shopify-Event-Id). Shopify's "Webhooks delivery structure" headers table
 * (https://shopify.dev/docs/apps/build/webhooks/delivery-structure#headers) says: X-Shopify-Webhook-Id
 * is "a unique composite key per delivery", X-Shopify-Event-Id "a unique ID shared across all
 * deliveries produced by the same merchant action"; "Ignore duplicate webhooks"
 * (https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates) adds that with more than one
 * subscription for the same topic "you'll receive several webhooks for the same event (one per
 * subscription)", each a delivery of its own (its own webhook id), and a subscription's body
 * follows its own `include_fields` and API version. So:
 * - the same topic, event id and resource under another webhook id, even with another body, is the
 *   same event: it runs once;
 * - other topics (orders/create and orders/paid of one checkout) or other resources (one merchant
 *   action over several customers) sharing the event id are other events: each runs.
 * Through n8n-core (test/harness/webhook.ts), as the other trigger tests. Headers shaped as the
 * delivery-structure table lists them; the example values are those of Shopify's docs.
 */
import { SECRETS, loadFixtures, signDelivery } from '../harness/signing';
import { startWebhook, triggerWorkflow, type WebhookServer } from '../harness/webhook';

const fixtures = loadFixtures();
const fixture = (name: string) => fixtures.find((f) => f.source === 'shopify' && f.name === name)!.fixture;

const EVENT_ID = '98880550-7158-44d4-b7cd-2c97c8a091b5';

/** The headers of one delivery, as the delivery-structure table lists them (signDelivery adds the HMAC). */
function headersOf(topic: string, webhookId: string, eventId: string | undefined, apiVersion = '2024-07'): Record<string, string> {
	const headers: Record<string, string> = {
		'x-shopify-topic': topic,
		'x-shopify-shop-domain': 'example.myshopify.com',
		'x-shopify-api-version': apiVersion,
		'x-shopify-webhook-id': webhookId,
		'x-shopify-triggered-at': '2023-03-29T18:00:27.877041743Z',
	};
	if (eventId !== undefined) headers['x-shopify-event-id'] = eventId;
	return headers;
}

/** A body cut to some fields, as a subscription with `include_fields` receives it. */
function only(body: unknown, fields: string[]): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const field of fields) out[field] = (body as Record<string, unknown>)[field];
	return out;
}

const servers: WebhookServer[] = [];
async function open(workflowId: string, staticData?: Record<string, unknown>) {
	const server = await startWebhook(triggerWorkflow('shopify', {}), {
		credentials: { personalizationWebhookApi: { signingSecret: SECRETS.shopify } },
		workflowId,
		staticData: staticData as never,
	});
	servers.push(server);
	return server;
}
afterEach(async () => {
	await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('Personalization Trigger: Shopify X-Shopify-Event-Id', () => {
	it('a second subscription on the same topic (new webhook id, include_fields body) delivers the same event: it runs once, also after a restart', async () => {
		const order = fixture('orders-paid').body;
		const full = signDelivery('shopify', JSON.stringify(order), { headers: headersOf('orders/paid', 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', EVENT_ID) });
		const trimmed = JSON.stringify(only(order, ['id', 'admin_graphql_api_id', 'email', 'total_price', 'currency', 'updated_at']));
		const second = signDelivery('shopify', trimmed, { headers: headersOf('orders/paid', 'c61bd7a1-4d4e-4a36-9d7b-6f0b5d7d2e11', EVENT_ID) });

		const server = await open('shopify-event-id-subscriptions');
		expect((await server.post(full.body, full.headers)).events.map((e) => e.event)).toEqual(['Order Paid']);
		const again = await server.post(second.body, second.headers);
		expect(again.status).toBe(200);
		expect(again.workflowData).toBeUndefined();
		expect(again.body).toEqual({ message: 'Duplicate delivery ignored', duplicates: 1 });

		// Another process (fresh memory) with the static data n8n saved: a third subscription on
		// another API version, same event.
		const restarted = await open('shopify-event-id-subscriptions-restarted', server.staticData());
		const third = signDelivery('shopify', trimmed, { headers: headersOf('orders/paid', 'd0c5e1f2-9a7b-4c3d-8e6f-1a2b3c4d5e6f', EVENT_ID, '2025-01') });
		const later = await restarted.post(third.body, third.headers);
		expect(later.workflowData).toBeUndefined();
		expect(later.body).toEqual({ message: 'Duplicate delivery ignored', duplicates: 1 });
	});

	it('orders/create and orders/paid of one merchant action share the event id: both run', async () => {
		const created = fixture('orders-create').body;
		const paid = fixture('orders-paid').body;
		const server = await open('shopify-event-id-topics');
		const a = signDelivery('shopify', JSON.stringify(created), { headers: headersOf('orders/create', 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', EVENT_ID) });
		const b = signDelivery('shopify', JSON.stringify(paid), { headers: headersOf('orders/paid', 'e7f8a9b0-1c2d-4e3f-8a4b-5c6d7e8f9a0b', EVENT_ID) });
		expect((await server.post(a.body, a.headers)).events.map((e) => e.event)).toEqual(['Order Completed']);
		expect((await server.post(b.body, b.headers)).events.map((e) => e.event)).toEqual(['Order Paid']);
		// One order body byte for byte under both topics, one event id: both run as well.
		const body = JSON.stringify(paid);
		const other = await open('shopify-event-id-topics-same-body');
		const c = signDelivery('shopify', body, { headers: headersOf('orders/create', 'f1e2d3c4-0000-4000-8000-000000000001', EVENT_ID) });
		const d = signDelivery('shopify', body, { headers: headersOf('orders/paid', 'f1e2d3c4-0000-4000-8000-000000000002', EVENT_ID) });
		expect((await other.post(c.body, c.headers)).events.map((e) => e.event)).toEqual(['Order Completed']);
		expect((await other.post(d.body, d.headers)).events.map((e) => e.event)).toEqual(['Order Paid']);
	});

	it('one merchant action over two customers (one event id, one topic, two resources): both run', async () => {
		const customer = fixture('customers-update').body as Record<string, unknown>;
		const other = { ...customer, id: 207119552, admin_graphql_api_id: 'gid://shopify/Customer/207119552', email: 'ana@example.com' };
		const server = await open('shopify-event-id-resources');
		const a = signDelivery('shopify', JSON.stringify(customer), { headers: headersOf('customers/update', '0a1b2c3d-0000-4000-8000-00000000000a', EVENT_ID) });
		const b = signDelivery('shopify', JSON.stringify(other), { headers: headersOf('customers/update', '0a1b2c3d-0000-4000-8000-00000000000b', EVENT_ID) });
		expect((await server.post(a.body, a.headers)).events).toHaveLength(1);
		const second = await server.post(b.body, b.headers);
		expect(second.events.map((e) => e.userId)).toEqual(['207119552']);
	});

	it('without X-Shopify-Event-Id a changed body under a new webhook id is a new delivery (as before)', async () => {
		const order = fixture('orders-paid').body;
		const server = await open('shopify-event-id-absent');
		const first = signDelivery('shopify', JSON.stringify(order), { headers: headersOf('orders/paid', 'aa000000-0000-4000-8000-000000000001', undefined) });
		const trimmed = JSON.stringify(only(order, ['id', 'admin_graphql_api_id', 'email', 'total_price', 'currency', 'updated_at']));
		const second = signDelivery('shopify', trimmed, { headers: headersOf('orders/paid', 'aa000000-0000-4000-8000-000000000002', undefined) });
		expect((await server.post(first.body, first.headers)).events).toHaveLength(1);
		expect((await server.post(second.body, second.headers)).events).toHaveLength(1);
	});

	it('with duplicates off, the same event under another webhook id runs again', async () => {
		const order = fixture('orders-paid').body;
		const server = await startWebhook(triggerWorkflow('shopify', { options: { dedupe: false } }), {
			credentials: { personalizationWebhookApi: { signingSecret: SECRETS.shopify } },
			workflowId: 'shopify-event-id-off',
		});
		servers.push(server);
		const a = signDelivery('shopify', JSON.stringify(order), { headers: headersOf('orders/paid', 'bb000000-0000-4000-8000-000000000001', EVENT_ID) });
		const b = signDelivery('shopify', JSON.stringify(order), { headers: headersOf('orders/paid', 'bb000000-0000-4000-8000-000000000002', EVENT_ID) });
		expect((await server.post(a.body, a.headers)).events).toHaveLength(1);
		expect((await server.post(b.body, b.headers)).events).toHaveLength(1);
	});
});
