/**
 * Shopify money is labelled with the currency it is in, and WooCommerce times without a zone are not
 * read as UTC. Payloads are the documented fixtures (test/fixtures/events/…) with the fields in
 * question changed; every expected value is worked out by hand in the comment next to it.
 *
 * Shopify (REST Admin API resources): an abandoned checkout's `total_price`, `subtotal_price`,
 * `total_tax`, `total_discounts` and line `price` are "in presentment currency", its `currency` is
 * "the shop's default currency at the time of checkout" (Abandoned checkouts resource); an order's
 * `total_price`, `subtotal_price` and line `price` are "in the shop currency", `currency` being
 * the shop currency (Order resource); `*_set` fields hold `shop_money` and `presentment_money`, each
 * with its `currency_code`; a refund's transactions carry their own `currency`.
 *
 * WooCommerce: a webhook set to API version v1 sends `date_created` / `date_modified` "in the
 * site's timezone", without an offset and without `*_gmt` fields (woocommerce-rest-api-docs,
 * wp-api-v1/_orders.md and _customers.md); v2 and v3 add `*_gmt` ("as GMT").
 */
import { getSource } from '../../../nodes/engines/events/registry';
import { EventMappingError, type NormalizeInput } from '../../../nodes/engines/events/types';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { canonicalEventErrors } from '../../harness/schema';
import { fixtureBody } from '../../harness/event-fixtures';

const FIXTURE_TIME = new Date('2026-01-01T00:00:00.000Z');

function run(source: string, input: Omit<NormalizeInput, 'receivedAt'>, receivedAt = FIXTURE_TIME): CanonicalEvent {
	const events = getSource(source)!.normalize({ ...input, receivedAt });
	expect(events).toHaveLength(1);
	expect(canonicalEventErrors(events[0])).toEqual([]);
	return events[0];
}

describe('Shopify: amounts carry the currency they are in', () => {
	it('checkouts/create of a shop in USD paid in EUR: the checkout amounts are EUR', () => {
		const body = fixtureBody('shopify', 'checkouts-create');
		// A buyer shopping in EUR: two shirts at 182.00 EUR each, 364.00 EUR in all (presentment).
		Object.assign(body, { currency: 'USD', presentment_currency: 'EUR', subtotal_price: '364.00', total_price: '364.00' });
		(body.line_items as Array<Record<string, unknown>>)[0].price = '182.00';
		const event = run('shopify', { payload: body, topic: 'checkouts/create' });
		// Former mapping: currency "USD" on 364 (EUR amounts labelled as dollars).
		expect(event.properties).toMatchObject({ currency: 'EUR', total: 364, value: 364, subtotal: 364 });
		expect(event.properties.products).toEqual([{ product_id: '7880321196742', name: 'Example T-Shirt', price: 182, quantity: 2, brand: 'Acme', position: 1, variant: '642667041472713922' }]);
	});

	it('checkouts/update without presentment_currency (older payloads) keeps `currency`', () => {
		const body = fixtureBody('shopify', 'checkouts-create');
		delete body.presentment_currency;
		body.currency = 'CAD';
		expect(run('shopify', { payload: body, topic: 'checkouts/update' }).properties.currency).toBe('CAD');
	});

	it('orders/create of the same shop stays in the shop currency (total_price is shop money)', () => {
		const body = fixtureBody('shopify', 'orders-create');
		const total = body.total_price;
		// presentment_currency EUR does not relabel the shop-currency amounts of an order.
		Object.assign(body, { currency: 'USD', presentment_currency: 'EUR' });
		const event = run('shopify', { payload: body, topic: 'orders/create' });
		expect(event.properties.currency).toBe('USD');
		expect(event.properties.total).toBe(Number(total));
	});

	it('carts/create: prices and currency from the lines\' price_set presentment money', () => {
		const body = fixtureBody('shopify', 'carts-create');
		const line = (body.line_items as Array<Record<string, unknown>>)[0];
		// 3 × 18.50 EUR = 55.50 EUR (the cart itself names no currency).
		line.price_set = { shop_money: { amount: '19.99', currency_code: 'USD' }, presentment_money: { amount: '18.50', currency_code: 'EUR' } };
		const event = run('shopify', { payload: body, topic: 'carts/create' });
		// Former mapping: price 19.99 (the line's `price`), value 59.97, no currency at all.
		expect(event.properties).toMatchObject({ currency: 'EUR', value: 55.5 });
		expect((event.properties.products as Array<Record<string, unknown>>)[0]).toMatchObject({ price: 18.5, quantity: 3 });
	});

	it('carts/create without price_set: as before (line price, no currency)', () => {
		const event = run('shopify', { payload: fixtureBody('shopify', 'carts-create'), topic: 'carts/create' });
		expect(event.properties).toEqual({ cart_id: 'eeafa272cebfd4b22385bc4b645e762c', value: 59.97, products: [{ product_id: '7880321196742', sku: 'example-shirt-s', name: 'Example T-Shirt - Small', price: 19.99, quantity: 3, brand: 'Acme', position: 1, variant: '704912205188288575' }] });
	});

	it('refunds/create in EUR: the refunded line\'s price is its EUR price, like the refund total', () => {
		const body = fixtureBody('shopify', 'refunds-create');
		// The order was paid in EUR: the transaction refunds 182.00 EUR for a line of 199.00 USD (shop).
		(body.transactions as Array<Record<string, unknown>>)[0].amount = '182.00';
		(body.transactions as Array<Record<string, unknown>>)[0].currency = 'EUR';
		const lineItem = (body.refund_line_items as Array<Record<string, unknown>>)[0].line_item as Record<string, unknown>;
		lineItem.price_set = { shop_money: { amount: '199.00', currency_code: 'USD' }, presentment_money: { amount: '182.00', currency_code: 'EUR' } };
		const event = run('shopify', { payload: body, topic: 'refunds/create' });
		// Former mapping: products[0].price 199 (USD) in an event whose currency is EUR.
		expect(event.properties).toMatchObject({ currency: 'EUR', total: 182, value: 182 });
		expect((event.properties.products as Array<Record<string, unknown>>)[0].price).toBe(182);
	});

	it('refunds/create in the shop currency: the shop-money price (the fixture: 199 USD)', () => {
		const body = fixtureBody('shopify', 'refunds-create');
		const lineItem = (body.refund_line_items as Array<Record<string, unknown>>)[0].line_item as Record<string, unknown>;
		lineItem.price_set = { shop_money: { amount: '199.00', currency_code: 'USD' }, presentment_money: { amount: '182.00', currency_code: 'EUR' } };
		const event = run('shopify', { payload: body, topic: 'refunds/create' });
		expect((event.properties.products as Array<Record<string, unknown>>)[0].price).toBe(199);
		expect(event.properties.currency).toBe('USD');
	});
});

describe('Shopify customers: total_spent is not labelled with the customer\'s last-order currency', () => {
	// REST Customer resource: `currency` is "the currency that the customer used when they paid for their
	// last order. Defaults to the shop currency"; the amount a customer spent is kept in the shop currency
	// (Shopify Functions, Customer.amountSpent: "Converted from the shop's currency to the currency of the
	// cart"). A customer of a USD shop whose last order was paid in EUR: total_spent 350.00 is USD.
	function customer(): Record<string, unknown> {
		const body = fixtureBody('shopify', 'customers-update');
		Object.assign(body, { orders_count: 3, total_spent: '350.00', currency: 'EUR' });
		return body;
	}

	it('customers/update with total_spent and currency EUR: total_spent 350, no currency label', () => {
		const event = run('shopify', { payload: customer(), topic: 'customers/update' });
		// Former mapping: { total_spent: 350, currency: 'EUR' } (USD amount labelled as euros).
		// created_at "2021-12-31T19:00:00-05:00" = 2022-01-01T00:00:00Z
		// The customer's own currency stays, under a name that does not label total_spent.
		expect(event.traits).toEqual({ email: 'bob@biller.com', first_name: 'Bob', last_name: 'Biller', orders_count: 3, total_spent: 350, last_order_currency: 'EUR', created_at: '2022-01-01T00:00:00.000Z' });
	});

	it('customers/create of a new customer (documented example, total_spent "0.00", currency USD): no label either', () => {
		const event = run('shopify', { payload: fixtureBody('shopify', 'customers-create'), topic: 'customers/create' });
		expect(event.traits).toEqual({ email: 'bob@biller.com', first_name: 'Bob', last_name: 'Biller', orders_count: 0, total_spent: 0, last_order_currency: 'USD', created_at: '2022-01-01T00:00:00.000Z' });
	});

	it('an amount_spent money object gives the amount with its own currency_code (before total_spent)', () => {
		const body = customer();
		body.amount_spent = { amount: '350.00', currency_code: 'usd' };
		const event = run('shopify', { payload: body, topic: 'customers/update' });
		expect(event.traits).toMatchObject({ total_spent: 350, currency: 'USD', last_order_currency: 'EUR' });
	});

	it('an amount_spent without currency_code: the amount, unlabelled', () => {
		const body = customer();
		body.amount_spent = { amount: '12.50' };
		const event = run('shopify', { payload: body, topic: 'customers/update' });
		expect(event.traits?.total_spent).toBe(12.5);
		expect(event.traits).not.toHaveProperty('currency');
	});
});

describe('WooCommerce: times without a zone are not read as UTC', () => {
	/** The documented order.created (site at UTC-3: 16:28:08 local = 19:28:08 GMT) as API v1 sends it. */
	function v1Order(): Record<string, unknown> {
		const body = fixtureBody('woocommerce', 'order.created');
		delete body.date_created_gmt;
		delete body.date_modified_gmt;
		return body;
	}
	const headers = { 'x-wc-webhook-topic': 'order.created', 'x-wc-webhook-delivery-id': 'd-1' };
	// Delivered 32 s after the order was modified (19:28:08 GMT).
	const received = new Date('2017-03-22T19:28:40.000Z');

	it('an API v1 order (local date_modified, no *_gmt): the timestamp is the receive time, marked', () => {
		const event = run('woocommerce', { payload: v1Order(), headers }, received);
		// Former mapping: "2017-03-22T16:28:08.000Z", the local 16:28:08 read as UTC (3 h off).
		expect(event.timestamp).toBe('2017-03-22T19:28:40.000Z');
		expect(event.context).toEqual({ source: 'woocommerce', topic: 'order.created', timestamp_source: 'received' });
	});

	it('the same order from API v2/v3 (with *_gmt): date_modified_gmt, not marked', () => {
		const event = run('woocommerce', { payload: fixtureBody('woocommerce', 'order.created'), headers }, received);
		expect(event.timestamp).toBe('2017-03-22T19:28:08.000Z');
		expect(event.context).toEqual({ source: 'woocommerce', topic: 'order.created' });
	});

	it('date_modified_gmt null, date_created_gmt set: date_created_gmt (UTC) before a local date_modified', () => {
		const body = fixtureBody('woocommerce', 'order.created');
		body.date_modified_gmt = null;
		// Former mapping: date_modified "2017-03-22T16:28:08" read as UTC.
		expect(run('woocommerce', { payload: body, headers }, received).timestamp).toBe('2017-03-22T19:28:02.000Z');
	});

	it('a local time that names its offset is used: 16:28:08-03:00 = 19:28:08Z', () => {
		const body = v1Order();
		body.date_modified = '2017-03-22T16:28:08-03:00';
		const event = run('woocommerce', { payload: body, headers }, received);
		expect(event.timestamp).toBe('2017-03-22T19:28:08.000Z');
		expect(event.context?.timestamp_source).toBeUndefined();
	});

	it('a local date_modified that is no date at all is still refused, naming it', () => {
		const body = v1Order();
		body.date_modified = 'yesterday';
		expect(() => getSource('woocommerce')!.normalize({ payload: body, headers, receivedAt: received })).toThrow(EventMappingError);
		try {
			getSource('woocommerce')!.normalize({ payload: body, headers, receivedAt: received });
		} catch (error) {
			expect(error).toMatchObject({ field: 'date_modified', message: expect.stringContaining('"date_modified" is not a valid date') });
		}
	});

	it('no date at all: the receive time, marked like the API v1 case', () => {
		const body = v1Order();
		delete body.date_created;
		delete body.date_modified;
		const event = run('woocommerce', { payload: body, headers }, received);
		expect(event.timestamp).toBe('2017-03-22T19:28:40.000Z');
		// Former mapping: the same receive time, but without the mark.
		expect(event.context).toEqual({ source: 'woocommerce', topic: 'order.created', timestamp_source: 'received' });
	});

	it('every date null: the receive time, marked', () => {
		const body = fixtureBody('woocommerce', 'order.created');
		for (const field of ['date_created', 'date_created_gmt', 'date_modified', 'date_modified_gmt']) body[field] = null;
		const event = run('woocommerce', { payload: body, headers }, received);
		expect(event.timestamp).toBe('2017-03-22T19:28:40.000Z');
		expect(event.context?.timestamp_source).toBe('received');
	});

	it('product.deleted (WooCommerce sends only {"id": …} for a deleted resource): the receive time, marked', () => {
		// WC_Webhook::build_payload: "If a resource has been deleted, just include the ID."
		const event = run('woocommerce', { payload: { id: 794 }, headers: { 'x-wc-webhook-topic': 'product.deleted', 'x-wc-webhook-delivery-id': 'd-9' } }, received);
		expect(event.timestamp).toBe('2017-03-22T19:28:40.000Z');
		expect(event.properties).toEqual({ product_id: '794', status: 'deleted' });
		expect(event.context).toEqual({ source: 'woocommerce', topic: 'product.deleted', timestamp_source: 'received' });
	});

	it('an API v1 customer: the phone of `billing_address`; no created_at trait from a local date', () => {
		const body = fixtureBody('woocommerce', 'customer.created');
		delete body.date_created_gmt;
		delete body.date_modified_gmt;
		body.billing_address = body.billing;
		delete body.billing;
		const event = run('woocommerce', { payload: body, headers: { 'x-wc-webhook-topic': 'customer.created' } }, received);
		// Former mapping: no phone trait (v1 has no `billing`), timestamp 16:09:30Z (local read as UTC).
		expect(event.traits).toEqual({ email: 'john.doe@example.com', first_name: 'John', last_name: 'Doe', username: 'john.doe', phone: '(555) 555-5555' });
		expect(event.timestamp).toBe('2017-03-22T19:28:40.000Z');
	});
});
