/**
 * Store mappings against the providers' documented payloads: test orders are marked, and a computed
 * amount is rounded to the decimals of its currency. Payloads are the documented fixtures
 * (test/fixtures/events/…) with the fields in question set; expected values are worked out by hand.
 *
 * Shopify: the Order resource has `test` ("Whether this is a test order",
 * https://shopify.dev/docs/api/admin-rest/latest/resources/order#resource-object), and the
 * documented orders/create sample (https://shopify.dev/docs/api/webhooks?reference=toml, order
 * 820982911946154508, paid through the `bogus` gateway) is itself a test order: `"test": true`.
 * A refund's transactions carry `test` too ("Whether the transaction is a test transaction",
 * https://shopify.dev/docs/api/admin-rest/latest/resources/transaction#resource-object).
 * Such orders come without any `X-Shopify-Test` header (that header marks the admin's
 * "Send test notification" only).
 *
 * WooCommerce: order amounts are decimal strings written with the store's decimals (the REST API's
 * `dp`, https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties); a Kuwaiti
 * dinar store writes three (ISO 4217: KWD has 3 minor-unit digits). README, normalization rules:
 * "sums rounded to the currency's decimals".
 */
import { getSource } from '../../../nodes/engines/events/registry';
import type { NormalizeInput } from '../../../nodes/engines/events/types';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { canonicalEventErrors } from '../../harness/schema';
import { fixtureBody } from '../../harness/event-fixtures';

const RECEIVED = new Date('2026-01-01T00:00:00.000Z');

function run(source: string, input: Omit<NormalizeInput, 'receivedAt'>): CanonicalEvent {
	const events = getSource(source)!.normalize({ ...input, receivedAt: RECEIVED });
	expect(events).toHaveLength(1);
	expect(canonicalEventErrors(events[0])).toEqual([]);
	return events[0];
}

describe('Shopify: test orders are marked context.test', () => {
	it('orders/create of the documented sample order (test: true, bogus gateway), no X-Shopify-Test header', () => {
		const body = fixtureBody('shopify', 'orders-create');
		Object.assign(body, { test: true, payment_gateway_names: ['visa', 'bogus'] });
		const event = run('shopify', { payload: body, topic: 'orders/create', headers: { 'x-shopify-webhook-id': 'w-1' } });
		// Former mapping: context { source, topic } only, the test order looked like a real sale.
		expect(event.context).toEqual({ source: 'shopify', topic: 'orders/create', test: true });
		expect(event.event).toBe('Order Completed');
	});

	it('orders/paid and orders/cancelled of a test order are marked too', () => {
		for (const [name, topic] of [
			['orders-paid', 'orders/paid'],
			['orders-cancelled', 'orders/cancelled'],
		]) {
			const body = fixtureBody('shopify', name);
			body.test = true;
			expect(run('shopify', { payload: body, topic }).context.test).toBe(true);
		}
	});

	it('refunds/create whose refund transaction is a test transaction', () => {
		const body = fixtureBody('shopify', 'refunds-create');
		(body.transactions as Array<Record<string, unknown>>)[0].test = true;
		const event = run('shopify', { payload: body, topic: 'refunds/create' });
		expect(event.context.test).toBe(true);
		// the refund itself is unchanged: 199.00 USD back
		expect(event.properties).toMatchObject({ total: 199, currency: 'USD' });
	});

	it('a real order (test: false) and a real refund stay unmarked', () => {
		const order = fixtureBody('shopify', 'orders-create');
		order.test = false;
		expect(run('shopify', { payload: order, topic: 'orders/create' }).context).not.toHaveProperty('test');
		const refund = fixtureBody('shopify', 'refunds-create');
		(refund.transactions as Array<Record<string, unknown>>)[0].test = false;
		expect(run('shopify', { payload: refund, topic: 'refunds/create' }).context).not.toHaveProperty('test');
	});
});

describe("WooCommerce: revenue is rounded to the currency's decimals", () => {
	it('order.created (REST API v3) of a KWD store: three decimals kept', () => {
		const body = fixtureBody('woocommerce', 'order.created');
		// The documented order 727 with its amounts written by a 3-decimal KWD store.
		Object.assign(body, { currency: 'KWD', total: '29.355', total_tax: '1.350', shipping_total: '10.000' });
		const event = run('woocommerce', { payload: body, topic: 'order.created' });
		// revenue = total − total_tax − shipping_total = 29.355 − 1.350 − 10.000 = 18.005 KWD
		// (former mapping: rounded to cents, 18.01 or 18, a fils off)
		expect(event.properties).toMatchObject({ currency: 'KWD', total: 29.355, tax: 1.35, shipping: 10, revenue: 18.005 });
	});

	it('order.created on Legacy API v3 of a KWD store: three decimals kept', () => {
		const body = fixtureBody('woocommerce', 'order.created-legacy-v3');
		// The documented order 645 with its amounts written by a 3-decimal KWD store.
		Object.assign(body.order as Record<string, unknown>, { currency: 'KWD', total: '79.875', total_tax: '5.900', total_shipping: '10.000' });
		const event = run('woocommerce', { payload: body, topic: 'order.created' });
		// 79.875 − 5.900 − 10.000 = 63.975 KWD
		expect(event.properties).toMatchObject({ currency: 'KWD', revenue: 63.975 });
	});

	it('a JPY store (no decimals) gives whole yen; USD still rounds to cents', () => {
		const jpy = fixtureBody('woocommerce', 'order.created');
		Object.assign(jpy, { currency: 'JPY', total: '3300', total_tax: '300', shipping_total: '500' });
		// 3300 − 300 − 500 = 2500 JPY
		expect(run('woocommerce', { payload: jpy, topic: 'order.created' }).properties.revenue).toBe(2500);
		// the documented USD order: 29.35 − 1.35 − 10.00 = 18.00
		expect(run('woocommerce', { payload: fixtureBody('woocommerce', 'order.created'), topic: 'order.created' }).properties.revenue).toBe(18);
	});
});
