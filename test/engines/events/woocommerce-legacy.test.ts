/**
 * WooCommerce webhooks whose API version is "Legacy API v3": the body is the Legacy REST API v3
 * response of the resource, wrapped in its name (woocommerce-rest-api-docs, v3.html; source
 * source/includes/v3/_orders.md, _customers.md, _products.md, _webhooks.md: "the request body would
 * match the response for GET /coupons/{id}", which is `{"coupon": {…}}`). The payloads are the
 * documented examples (test/fixtures/events/woocommerce/*-legacy-v3.json); every expected value is
 * worked out by hand from them in the comment next to it. Former mapping: a legacy body mapped to
 * an event with no properties, no userId, no email and the receive time (nothing read from it).
 */
import { getSource } from '../../../nodes/engines/events/registry';
import { EventMappingError, type NormalizeInput } from '../../../nodes/engines/events/types';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { canonicalEventErrors } from '../../harness/schema';
import { fixtureBody } from '../../harness/event-fixtures';

const received = new Date('2026-01-01T00:00:00.000Z');
const RECEIVED = '2026-01-01T00:00:00.000Z';

function run(payload: unknown, topic: string, headers: Record<string, string> = { 'x-wc-webhook-delivery-id': 'd-1' }): CanonicalEvent {
	const input: NormalizeInput = { payload, headers: { 'x-wc-webhook-topic': topic, ...headers }, receivedAt: received };
	const events = getSource('woocommerce')!.normalize(input);
	expect(events).toHaveLength(1);
	expect(canonicalEventErrors(events[0])).toEqual([]);
	return events[0];
}

/** The record inside a legacy fixture body (`{"order": {…}}` → the order). */
function record(name: string, key: 'order' | 'customer' | 'product'): { body: Record<string, unknown>; r: Record<string, unknown> } {
	const body = fixtureBody('woocommerce', name);
	return { body, r: body[key] as Record<string, unknown> };
}

describe('WooCommerce Legacy API v3: orders', () => {
	it('order.created: the documented order 645 as Order Completed', () => {
		const { body } = record('order.created-legacy-v3', 'order');
		const event = run(body, 'order.created');
		expect(event).toEqual({
			type: 'track',
			event: 'Order Completed',
			messageId: 'd-1',
			// updated_at "2015-01-26T20:00:21Z" (UTC)
			timestamp: '2015-01-26T20:00:21.000Z',
			receivedAt: RECEIVED,
			// customer_id 2
			userId: '2',
			anonymousId: null,
			// billing_address.email
			email: 'john.doe@example.com',
			properties: {
				order_id: '645',
				order_number: '645',
				status: 'processing',
				total: 79.87,
				value: 79.87,
				// total − total_tax − total_shipping = 79.87 − 5.90 − 10.00 = 63.97 (the documented subtotal; no discount)
				revenue: 63.97,
				tax: 5.9,
				shipping: 10,
				// total_discount "0.00"
				discount: 0,
				currency: 'USD',
				// line_items: sku "" is no sku; the lines name no variation
				products: [
					{ product_id: '546', name: 'Premium Quality', price: 21.99, quantity: 2, position: 1 },
					{ product_id: '613', name: 'Ship Your Idea', price: 19.99, quantity: 1, position: 2 },
				],
			},
			traits: { first_name: 'John', last_name: 'Doe', phone: '(555) 555-5555' },
			context: { source: 'woocommerce', topic: 'order.created' },
		});
	});

	it('order.updated with status cancelled / refunded: Order Cancelled / Order Refunded, as for the v2/v3 APIs', () => {
		const { body, r } = record('order.created-legacy-v3', 'order');
		r.status = 'cancelled';
		expect(run(body, 'order.updated').event).toBe('Order Cancelled');
		r.status = 'refunded';
		expect(run(body, 'order.updated').event).toBe('Order Refunded');
		r.status = 'completed';
		expect(run(body, 'order.updated').event).toBe('Order Updated');
		// order.created keeps its name whatever the status
		r.status = 'cancelled';
		expect(run(body, 'order.created').event).toBe('Order Completed');
	});

	it('coupon_lines (code) joined; a guest order (customer_id 0) has no userId but its billing email', () => {
		const { body, r } = record('order.created-legacy-v3', 'order');
		r.coupon_lines = [
			{ id: 1, code: 'spring', amount: '5.00' },
			{ id: 2, code: 'vip', amount: '1.00' },
		];
		r.total_discount = '6.00';
		r.customer_id = 0;
		const event = run(body, 'order.created');
		expect(event.properties).toMatchObject({ coupon: 'spring,vip', discount: 6 });
		expect(event.userId).toBeNull();
		expect(event.email).toBe('john.doe@example.com');
		expect(event.anonymousId).toBeNull();
	});

	it('a legacy date without its Z is still UTC (the docs: "UTC DateTime")', () => {
		const { body, r } = record('order.created-legacy-v3', 'order');
		r.updated_at = '2015-01-27T08:15:00';
		expect(run(body, 'order.updated').timestamp).toBe('2015-01-27T08:15:00.000Z');
	});

	it('updated_at missing: created_at dates order.created; order.updated takes the receive time, marked', () => {
		const { body, r } = record('order.created-legacy-v3', 'order');
		delete r.updated_at;
		const created = run(body, 'order.created');
		expect(created.timestamp).toBe('2015-01-26T20:00:21.000Z');
		expect(created.context.timestamp_source).toBeUndefined();
		const updated = run(body, 'order.updated');
		expect(updated.timestamp).toBe(RECEIVED);
		expect(updated.context.timestamp_source).toBe('received');
	});

	it('an updated_at that is no date is refused, naming order.updated_at', () => {
		const { body, r } = record('order.created-legacy-v3', 'order');
		r.updated_at = 'yesterday';
		let error: unknown;
		try {
			run(body, 'order.updated');
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(EventMappingError);
		expect(error).toMatchObject({ field: 'order.updated_at', message: expect.stringContaining('"order.updated_at" is not a valid date') });
	});
});

describe('WooCommerce Legacy API v3: customers', () => {
	it('customer.created: the documented customer 2 as Signed Up, dated by its created_at', () => {
		const { body } = record('customer.created-legacy-v3', 'customer');
		expect(run(body, 'customer.created')).toEqual({
			type: 'track',
			event: 'Signed Up',
			messageId: 'd-1',
			// the customer has no updated_at; created_at "2015-01-05T18:34:19Z" dates its creation
			timestamp: '2015-01-05T18:34:19.000Z',
			receivedAt: RECEIVED,
			userId: '2',
			anonymousId: null,
			email: 'john.doe@example.com',
			properties: {},
			// phone from billing_address; created_at as ISO-8601 UTC
			traits: { email: 'john.doe@example.com', first_name: 'John', last_name: 'Doe', username: 'john.doe', phone: '(555) 555-5555', created_at: '2015-01-05T18:34:19.000Z' },
			context: { source: 'woocommerce', topic: 'customer.created' },
		});
	});

	it('customer.updated: not the creation time of the account (a legacy customer has no updated_at) but the receive time, marked', () => {
		const { body } = record('customer.created-legacy-v3', 'customer');
		const event = run(body, 'customer.updated');
		expect(event.event).toBe('Customer Updated');
		expect(event.timestamp).toBe(RECEIVED);
		expect(event.context.timestamp_source).toBe('received');
		expect(event.traits?.created_at).toBe('2015-01-05T18:34:19.000Z');
	});

	it('without a delivery id: the same body gives the same messageId, a changed customer another one', () => {
		const { body, r } = record('customer.created-legacy-v3', 'customer');
		const first = run(body, 'customer.updated', {}).messageId;
		expect(run(structuredClone(body), 'customer.updated', {}).messageId).toBe(first);
		// No updated_at to tell two updates apart: the record's content does (here a new last name).
		r.last_name = 'Roe';
		expect(run(body, 'customer.updated', {}).messageId).not.toBe(first);
	});
});

describe('WooCommerce Legacy API v3: products', () => {
	it('product.created: the documented simple product 546 as Product Updated', () => {
		const { body } = record('product.created-legacy-v3', 'product');
		expect(run(body, 'product.created')).toEqual({
			type: 'track',
			event: 'Product Updated',
			messageId: 'd-1',
			timestamp: '2015-01-22T19:46:16.000Z',
			receivedAt: RECEIVED,
			userId: null,
			// no customer, no email: the delivery is its own anonymous id
			anonymousId: 'd-1',
			email: null,
			properties: {
				product_id: '546',
				// title; sku "" is no sku
				name: 'Premium Quality',
				price: 21.99,
				url: 'https://example.com/product/premium-quality/',
				// featured_src
				image_url: 'http://example.com/wp-content/uploads/2015/01/premium-quality-front.jpg',
				status: 'publish',
				// in_stock true
				stock_status: 'instock',
			},
			context: { source: 'woocommerce', topic: 'product.created' },
		});
	});

	it('in_stock false is outofstock; without featured_src the first image; product.deleted says deleted', () => {
		const { body, r } = record('product.created-legacy-v3', 'product');
		r.in_stock = false;
		delete r.featured_src;
		(r.images as Array<Record<string, unknown>>)[0].src = 'http://example.com/front.jpg';
		expect(run(body, 'product.updated').properties).toMatchObject({ stock_status: 'outofstock', image_url: 'http://example.com/front.jpg', status: 'publish' });
		expect(run(body, 'product.deleted').properties.status).toBe('deleted');
	});
});

describe('which bodies are legacy', () => {
	it('a v2/v3 body (its id at the top) stays one even with an `order` key', () => {
		const body = fixtureBody('woocommerce', 'order.created');
		body.order = { id: 1, total: '1.00' };
		const event = run(body, 'order.created');
		expect(event.properties.order_id).toBe('727');
		expect(event.properties.total).toBe(29.35);
	});

	it('the wrapper key must be the topic\'s resource: a legacy order sent under a customer topic maps nothing from it', () => {
		const { body } = record('order.created-legacy-v3', 'order');
		const event = run(body, 'customer.updated');
		expect(event.userId).toBeNull();
		expect(event.traits).toEqual({});
	});
});
