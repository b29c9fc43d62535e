/**
 * Shopify and WooCommerce sign only the body (X-Shopify-Hmac-Sha256, X-WC-Webhook-Signature); the
 * delivery id that de-duplication keys on (X-Shopify-Webhook-Id, X-WC-Webhook-Delivery-ID) is a
 * header the signature does not cover, and neither scheme signs a timestamp. A captured signed
 * delivery sent again with a made-up delivery id must not run the workflow again. Through n8n-core
 * (test/harness/webhook.ts), as the other trigger tests.
 */
import { SECRETS, loadFixtures, signDelivery } from '../harness/signing';
import { startWebhook, triggerWorkflow, type WebhookServer } from '../harness/webhook';

const fixtures = loadFixtures();
const fixture = (source: string, name: string) => fixtures.find((f) => f.source === source && f.name === name)!.fixture;

const servers: WebhookServer[] = [];
async function open(source: 'shopify' | 'woocommerce', workflowId: string, staticData?: Record<string, unknown>) {
	const server = await startWebhook(triggerWorkflow(source, {}), {
		credentials: { personalizationWebhookApi: { signingSecret: SECRETS[source] } },
		workflowId,
		staticData: staticData as never,
	});
	servers.push(server);
	return server;
}
afterEach(async () => {
	await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('Personalization Trigger: a signed body replayed under another delivery id', () => {
	it('Shopify: the same signed orders/paid body with a new X-Shopify-Webhook-Id is a duplicate, also after a restart', async () => {
		const f = fixture('shopify', 'orders-paid');
		const signed = signDelivery('shopify', JSON.stringify(f.body), { headers: f.headers });
		const server = await open('shopify', 'replay-shopify');
		expect((await server.post(signed.body, signed.headers)).events).toHaveLength(1);
		const replay = { ...signed.headers, 'x-shopify-webhook-id': 'attacker-chosen-1' };
		const again = await server.post(signed.body, replay);
		expect(again.status).toBe(200);
		expect(again.workflowData).toBeUndefined();
		expect(again.body).toEqual({ message: 'Duplicate delivery ignored', duplicates: 1 });
		// Another process (fresh memory) with the static data n8n saved.
		const restarted = await open('shopify', 'replay-shopify-restarted', server.staticData());
		const later = await restarted.post(signed.body, { ...signed.headers, 'x-shopify-webhook-id': 'attacker-chosen-2' });
		expect(later.workflowData).toBeUndefined();
	});

	it('Shopify: one body sent under two topics (orders/create, then orders/paid) runs the workflow for each', async () => {
		const f = fixture('shopify', 'orders-paid');
		const body = JSON.stringify(f.body);
		const server = await open('shopify', 'replay-shopify-topics');
		const created = signDelivery('shopify', body, { headers: { ...f.headers, 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'wh-create' } });
		const paid = signDelivery('shopify', body, { headers: { ...f.headers, 'x-shopify-topic': 'orders/paid', 'x-shopify-webhook-id': 'wh-paid' } });
		expect((await server.post(created.body, created.headers)).events.map((e) => e.event)).toEqual(['Order Completed']);
		expect((await server.post(paid.body, paid.headers)).events.map((e) => e.event)).toEqual(['Order Paid']);
	});

	it('WooCommerce: the same signed order.created body with a new X-WC-Webhook-Delivery-ID is a duplicate', async () => {
		const f = fixture('woocommerce', 'order.created');
		const signed = signDelivery('woocommerce', JSON.stringify(f.body), { headers: f.headers });
		const server = await open('woocommerce', 'replay-woo');
		expect((await server.post(signed.body, signed.headers)).events).toHaveLength(1);
		const again = await server.post(signed.body, { ...signed.headers, 'x-wc-webhook-delivery-id': 'ffffffffffffffffffffffffffffffff' });
		expect(again.workflowData).toBeUndefined();
		expect(again.body).toEqual({ message: 'Duplicate delivery ignored', duplicates: 1 });
	});

	it('a changed body under the same topic is a new delivery (the key is the content, not the topic alone)', async () => {
		const f = fixture('shopify', 'orders-paid');
		const server = await open('shopify', 'replay-shopify-changed');
		const first = signDelivery('shopify', JSON.stringify(f.body), { headers: f.headers });
		expect((await server.post(first.body, first.headers)).events).toHaveLength(1);
		const changed = { ...(f.body as Record<string, unknown>), updated_at: '2030-01-01T00:00:00Z' };
		const second = signDelivery('shopify', JSON.stringify(changed), { headers: { ...f.headers, 'x-shopify-webhook-id': 'wh-second' } });
		expect((await server.post(second.body, second.headers)).events).toHaveLength(1);
	});
});
