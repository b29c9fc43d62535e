/**
 * Shopify names `X-Shopify-Event-Id` as the key to drop duplicate webhooks: the same on every
 * webhook of one event, also one per subscription when two subscriptions share a topic
 * (https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates). Two such webhooks carry
 * different `X-Shopify-Webhook-Id`s, and their bodies differ when the subscriptions differ (API
 * version, include_fields). The trigger's replay protection (topic + hash of the signed body)
 * stays. Through n8n-core (test/harness/webhook.ts), as the other trigger tests.
 */
import { SECRETS, loadFixtures, signDelivery } from '../harness/signing';
import { startWebhook, triggerWorkflow, type WebhookServer } from '../harness/webhook';

const f = loadFixtures().find((x) => x.source === 'shopify' && x.name === 'orders-paid')!.fixture;

const servers: WebhookServer[] = [];
async function open(workflowId: string) {
	const server = await startWebhook(triggerWorkflow('shopify', {}), { credentials: { personalizationWebhookApi: { signingSecret: SECRETS.shopify } }, workflowId });
	servers.push(server);
	return server;
}
afterEach(async () => {
	await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('Personalization Trigger: Shopify webhooks of one event', () => {
	it('a second webhook of the same event (another subscription: another webhook id and API version, so another body) is a duplicate', async () => {
		const server = await open('shopify-event-id');
		const headers = { ...(f.headers as Record<string, string>), 'x-shopify-event-id': '98880550-7158-44d4-b7cd-2c97c8a091b5' };
		const first = signDelivery('shopify', JSON.stringify(f.body), { headers: { ...headers, 'x-shopify-webhook-id': 'sub-a-1', 'x-shopify-api-version': '2024-07' } });
		// the other subscription's body: another API version adds a field
		const other = { ...(f.body as Record<string, unknown>), api_version_field: 'new in 2025-01' };
		const second = signDelivery('shopify', JSON.stringify(other), { headers: { ...headers, 'x-shopify-webhook-id': 'sub-b-1', 'x-shopify-api-version': '2025-01' } });
		expect((await server.post(first.body, first.headers)).events.map((e) => e.messageId)).toEqual(['98880550-7158-44d4-b7cd-2c97c8a091b5']);
		const again = await server.post(second.body, second.headers);
		expect(again.status).toBe(200);
		expect(again.workflowData).toBeUndefined();
		expect(again.body).toEqual({ message: 'Duplicate delivery ignored', duplicates: 1 });
	});

	it('replay protection stays: the same signed body under a made-up event id and webhook id is a duplicate', async () => {
		const server = await open('shopify-event-id-replay');
		const signed = signDelivery('shopify', JSON.stringify(f.body), { headers: { ...(f.headers as Record<string, string>), 'x-shopify-event-id': 'ev-1' } });
		expect((await server.post(signed.body, signed.headers)).events).toHaveLength(1);
		const replay = await server.post(signed.body, { ...signed.headers, 'x-shopify-event-id': 'made-up', 'x-shopify-webhook-id': 'made-up-too' });
		expect(replay.workflowData).toBeUndefined();
		expect(replay.body).toEqual({ message: 'Duplicate delivery ignored', duplicates: 1 });
	});
});
