/**
 * The Personalization Trigger through n8n-core (test/harness/webhook.ts: a real HTTP request, the
 * raw body, n8n's WebhookContext) with two store deliveries whose mapping changed: a Shopify
 * checkout of a buyer paying in EUR in a USD shop (the checkout's amounts are "in presentment
 * currency", Shopify's Abandoned checkouts resource), and a WooCommerce webhook on API version v1
 * (dates "in the site's timezone", no offset, no `*_gmt` fields).
 */
import type { WorkflowJson } from '../harness/engine';
import { canonicalEventErrors } from '../harness/schema';
import { SECRETS, loadFixtures, signDelivery } from '../harness/signing';
import { startWebhook, triggerWorkflow, type WebhookServer } from '../harness/webhook';

const fixtures = loadFixtures();
const fixture = (source: string, name: string) => structuredClone(fixtures.find((f) => f.source === source && f.name === name)!.fixture);

const trigger = (source: string): WorkflowJson => triggerWorkflow(source, {}, `wh-store-${source}`);

const servers: WebhookServer[] = [];
async function open(source: 'shopify' | 'woocommerce') {
	const server = await startWebhook(trigger(source), { credentials: { personalizationWebhookApi: { signingSecret: SECRETS[source] } }, workflowId: `store-${source}` });
	servers.push(server);
	return server;
}
afterEach(async () => {
	await Promise.all(servers.splice(0).map((s) => s.close()));
});

it('Shopify checkouts/create paid in EUR in a USD shop: the item says EUR for the EUR amounts', async () => {
	const f = fixture('shopify', 'checkouts-create');
	Object.assign(f.body as Record<string, unknown>, { currency: 'USD', presentment_currency: 'EUR', subtotal_price: '364.00', total_price: '364.00' });
	const server = await open('shopify');
	const signed = signDelivery('shopify', JSON.stringify(f.body), { headers: f.headers });
	const reply = await server.post(signed.body, signed.headers);
	expect(reply.status).toBe(200);
	expect(reply.events).toHaveLength(1);
	expect(canonicalEventErrors(reply.events[0])).toEqual([]);
	// Former mapping: currency "USD" on these 364.00 EUR.
	expect(reply.events[0].properties).toMatchObject({ currency: 'EUR', total: 364, value: 364 });
});

it('WooCommerce order.created from an API v1 webhook: the timestamp is the receive time, not the local time read as UTC', async () => {
	const f = fixture('woocommerce', 'order.created');
	const body = f.body as Record<string, unknown>;
	// Local 2017-03-22T16:28:08 (the site is at UTC-3) and no *_gmt fields, as API v1 sends them.
	delete body.date_created_gmt;
	delete body.date_modified_gmt;
	const server = await open('woocommerce');
	const signed = signDelivery('woocommerce', JSON.stringify(body), { headers: f.headers });
	const before = Date.now();
	const reply = await server.post(signed.body, signed.headers);
	const after = Date.now();
	expect(reply.status).toBe(200);
	expect(reply.events).toHaveLength(1);
	const event = reply.events[0] as { timestamp: string; receivedAt: string; context: Record<string, unknown> };
	expect(canonicalEventErrors(event)).toEqual([]);
	// Former mapping: "2017-03-22T16:28:08.000Z".
	expect(event.timestamp).toBe(event.receivedAt);
	expect(Date.parse(event.timestamp)).toBeGreaterThanOrEqual(before - 1);
	expect(Date.parse(event.timestamp)).toBeLessThanOrEqual(after + 1);
	expect(event.context).toMatchObject({ source: 'woocommerce', topic: 'order.created', timestamp_source: 'received' });
});
