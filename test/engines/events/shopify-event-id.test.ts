/**
 * Shopify's "Ignore duplicate webhooks" (https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates):
 * the `X-Shopify-Event-Id` header is the same on every webhook of one event ("the same value across
 * more than one webhook indicates a duplicate"), also when two subscriptions to one topic each get
 * a webhook of it. `X-Shopify-Webhook-Id` differs per webhook. The event id is therefore the
 * messageId; without it the webhook id, without both the resource-id rule.
 */
import { fixtureBody, FIXTURE_RECEIVED_AT } from '../../harness/event-fixtures';
import { getSource } from '../../../nodes/engines/events/registry';

const body = () => fixtureBody('shopify', 'orders-paid');
const messageIdOf = (headers: Record<string, string>, payload: unknown = body()) =>
	getSource('shopify')!.normalize({ payload, headers: { 'x-shopify-topic': 'orders/paid', ...headers }, receivedAt: FIXTURE_RECEIVED_AT })[0].messageId;

describe('Shopify: the messageId is the X-Shopify-Event-Id', () => {
	it('two webhooks of one event (two subscriptions, or a re-send) get one messageId, whatever their webhook ids', () => {
		const first = messageIdOf({ 'x-shopify-event-id': '98880550-7158-44d4-b7cd-2c97c8a091b5', 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' });
		const second = messageIdOf({ 'X-Shopify-Event-Id': '98880550-7158-44d4-b7cd-2c97c8a091b5', 'X-Shopify-Webhook-Id': '0d3bb8b5-2b6b-4f4b-9d51-3b3a3c2b8b61' });
		expect(first).toBe('98880550-7158-44d4-b7cd-2c97c8a091b5');
		expect(second).toBe('98880550-7158-44d4-b7cd-2c97c8a091b5');
	});

	it('without an event id the webhook id, without both the resource rule (the same body gives the same id)', () => {
		expect(messageIdOf({ 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' })).toBe('b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
		const a = messageIdOf({});
		expect(a).not.toBe('b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
		expect(messageIdOf({})).toBe(a);
	});

	it('an unmapped topic passed through as Unknown takes the event id too', () => {
		const [event] = getSource('shopify')!.normalize({
			payload: { shop_id: 954889, shop_domain: 'example.myshopify.com', customer: { id: 191167, email: 'john@example.com' }, orders_to_redact: [299938] },
			headers: { 'x-shopify-topic': 'customers/redact', 'x-shopify-event-id': 'ev-redact-1', 'x-shopify-webhook-id': 'wh-redact-1' },
			receivedAt: FIXTURE_RECEIVED_AT,
			onUnknown: 'passThrough',
		});
		expect(event).toMatchObject({ event: 'Unknown', messageId: 'ev-redact-1' });
	});
});
