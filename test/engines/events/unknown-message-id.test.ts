/**
 * The messageId of a delivery whose topic no mapping knows, passed through as `event: "Unknown"`,
 * when the delivery came without the provider's delivery id header (a relay, a replay, a
 * hand-posted body): two different deliveries of one topic must not share it, or the trigger's
 * de-duplication drops every one after the first; the same delivery sent again keeps it.
 *
 * Payloads are the providers' documented examples:
 * - WooCommerce, webhook API version "Legacy API v3": the body "would match the response for GET
 *   /coupons/{id}" (woocommerce-rest-api-docs source/includes/v3/_webhooks.md), i.e. the coupon
 *   wrapped in `{"coupon": {…}}` (_coupons.md: coupons 529 and 527 of "View List Of Coupons", 529
 *   after "Update A Coupon"); topics `coupon.*` and `order.restored` are not mapped here.
 *   An `action.<hook>` topic sends `{"action": <hook>, "arg": <first hook argument>}`
 *   (WC_Webhook::get_wp_api_payload), no id.
 * - Shopify `customers/redact`: `{shop_id, shop_domain, customer: {id, email, phone},
 *   orders_to_redact}` (shopify.dev/docs/apps/build/privacy-law-compliance), no id at the top.
 * - Resend `contact.created`: `{type, created_at, data: {id, …}}` (resend.com/docs/webhooks/contacts/created), no email_id.
 * Former code: the id was built from the topic and a missing id (plus a missing date), the same
 * for every such delivery of the topic.
 */
import { getSource } from '../../../nodes/engines/events/registry';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { canonicalEventErrors } from '../../harness/schema';
import { fixtureBody } from '../../harness/event-fixtures';

const receivedAt = new Date('2026-01-01T00:00:00.000Z');

function unknown(source: string, payload: unknown, headers: Record<string, string> = {}): CanonicalEvent {
	const events = getSource(source)!.normalize({ payload, headers, receivedAt, onUnknown: 'passThrough' });
	expect(events).toHaveLength(1);
	expect(events[0].event).toBe('Unknown');
	expect(canonicalEventErrors(events[0])).toEqual([]);
	return events[0];
}

/** A Legacy API v3 coupon as _coupons.md lists it (only the fields that differ between the examples vary). */
function coupon(id: number, code: string, type: string, createdAt: string, updatedAt: string, amount: string, extra: Record<string, unknown> = {}) {
	return {
		coupon: {
			id,
			code,
			type,
			created_at: createdAt,
			updated_at: updatedAt,
			amount,
			individual_use: true,
			product_ids: [],
			exclude_product_ids: [],
			usage_limit: null,
			usage_limit_per_user: null,
			limit_usage_to_x_items: 0,
			usage_count: 0,
			expiry_date: null,
			enable_free_shipping: type === 'fixed_cart',
			product_category_ids: [],
			exclude_product_category_ids: [],
			exclude_sale_items: true,
			minimum_amount: '100.00',
			maximum_amount: '0.00',
			customer_emails: [],
			description: '',
			...extra,
		},
	};
}

const COUPON_529 = coupon(529, 'new-coupon', 'percent', '2015-01-20T19:05:27Z', '2015-01-20T19:05:27Z', '10.00');
const COUPON_529_UPDATED = coupon(529, 'new-coupon', 'percent', '2015-01-20T19:05:27Z', '2015-01-20T19:10:33Z', '5.00');
const COUPON_527 = coupon(527, 'free-shipping', 'fixed_cart', '2015-01-20T18:35:59Z', '2015-01-20T18:35:59Z', '0.00', { minimum_amount: '50.00' });

const woo = (topic: string, delivery?: string) => ({ 'x-wc-webhook-topic': topic, ...(delivery ? { 'x-wc-webhook-delivery-id': delivery } : {}) });

describe('WooCommerce: an unmapped topic without X-WC-Webhook-Delivery-ID', () => {
	it('Legacy API v3: two coupons of one topic get two messageIds (the wrapped record\'s id)', () => {
		const a = unknown('woocommerce', COUPON_529, woo('coupon.updated'));
		const b = unknown('woocommerce', COUPON_527, woo('coupon.updated'));
		expect(a.messageId).not.toBe(b.messageId);
		expect(a.context).toEqual({ source: 'woocommerce', topic: 'coupon.updated' });
		expect(a.raw).toEqual(COUPON_529);
	});

	it('Legacy API v3: one coupon before and after its update (updated_at 19:05:27 → 19:10:33) is two events', () => {
		expect(unknown('woocommerce', COUPON_529, woo('coupon.updated')).messageId).not.toBe(unknown('woocommerce', COUPON_529_UPDATED, woo('coupon.updated')).messageId);
	});

	it('Legacy API v3: the same coupon with the same updated_at is the same event (id + updated_at, as for the mapped legacy topics), and a resent delivery stays a duplicate', () => {
		const first = unknown('woocommerce', COUPON_529, woo('coupon.updated')).messageId;
		expect(unknown('woocommerce', structuredClone(COUPON_529), woo('coupon.updated')).messageId).toBe(first);
		// usage_count is not the update time: same record id, same updated_at
		expect(unknown('woocommerce', coupon(529, 'new-coupon', 'percent', '2015-01-20T19:05:27Z', '2015-01-20T19:05:27Z', '10.00', { usage_count: 1 }), woo('coupon.updated')).messageId).toBe(first);
		// another topic of the same record is another event
		expect(unknown('woocommerce', COUPON_529, woo('coupon.created')).messageId).not.toBe(first);
	});

	it('Legacy API v3 order.restored: two orders get two messageIds', () => {
		const order = fixtureBody('woocommerce', 'order.created-legacy-v3');
		const other = structuredClone(order) as { order: Record<string, unknown> };
		other.order.id = 646;
		other.order.order_number = 646;
		expect(unknown('woocommerce', order, woo('order.restored')).messageId).not.toBe(unknown('woocommerce', other, woo('order.restored')).messageId);
	});

	it('action.* ({"action", "arg"}, no id): two different args get two messageIds, the same body one', () => {
		const topic = 'action.woocommerce_add_to_cart';
		const a = unknown('woocommerce', { action: 'woocommerce_add_to_cart', arg: 'c20ad4d76fe97759aa27a0c99bff6710' }, woo(topic)).messageId;
		const b = unknown('woocommerce', { action: 'woocommerce_add_to_cart', arg: '6512bd43d9caa6e02c990b0a82652dca' }, woo(topic)).messageId;
		expect(a).not.toBe(b);
		expect(unknown('woocommerce', { action: 'woocommerce_add_to_cart', arg: 'c20ad4d76fe97759aa27a0c99bff6710' }, woo(topic)).messageId).toBe(a);
	});

	it('a wrapper key that is no own field (topic "constructor.x") is not read from Object.prototype: two bodies, two messageIds', () => {
		expect(unknown('woocommerce', { a: 1 }, woo('constructor.updated')).messageId).not.toBe(unknown('woocommerce', { a: 2 }, woo('constructor.updated')).messageId);
	});

	it('with the delivery id header the header is the messageId, as before', () => {
		expect(unknown('woocommerce', COUPON_529, woo('coupon.updated', 'd-529')).messageId).toBe('d-529');
		expect(unknown('woocommerce', { action: 'woocommerce_add_to_cart', arg: 'x' }, woo('action.woocommerce_add_to_cart', 'd-a')).messageId).toBe('d-a');
	});
});

describe('Shopify: an unmapped topic without X-Shopify-Webhook-Id', () => {
	const redact = (customerId: number, email: string, orders: number[]) => ({
		shop_id: 954889,
		shop_domain: '{shop}.myshopify.com',
		customer: { id: customerId, email, phone: '555-625-1199' },
		orders_to_redact: orders,
	});
	const headers = { 'x-shopify-topic': 'customers/redact' };

	it('customers/redact (no id at the top): two customers get two messageIds, the same body one', () => {
		const a = unknown('shopify', redact(191167, 'john@example.com', [299938, 280263, 220458]), headers).messageId;
		const b = unknown('shopify', redact(191168, 'jane@example.com', [299939]), headers).messageId;
		expect(a).not.toBe(b);
		expect(unknown('shopify', redact(191167, 'john@example.com', [299938, 280263, 220458]), headers).messageId).toBe(a);
	});

	it('a body with its own id keeps the id rule (same id and updated_at: same messageId); a delivery id is the messageId', () => {
		const product = (title: string) => ({ id: 788032119674292900, admin_graphql_api_id: 'gid://shopify/Product/788032119674292922', title, updated_at: '2021-12-31T19:00:00-05:00' });
		const h = { 'x-shopify-topic': 'products/update' };
		expect(unknown('shopify', product('Example T-Shirt'), h).messageId).toBe(unknown('shopify', product('Renamed'), h).messageId);
		expect(unknown('shopify', redact(1, 'a@b.co', []), { ...headers, 'x-shopify-webhook-id': 'w-9' }).messageId).toBe('w-9');
	});
});

describe('Resend: an unmapped topic without svix-id / webhook-id', () => {
	const contact = (id: string, email: string) => ({
		type: 'contact.created',
		created_at: '2025-10-10T15:11:54.110Z',
		data: { id, audience_id: '78261eea-8f8b-4381-83c6-79fa7120f1cf', segment_ids: [], created_at: '2025-10-10T15:11:54.101Z', updated_at: '2025-10-10T15:11:54.101Z', email, first_name: 'Steve', last_name: 'Wozniak', unsubscribed: false },
	});

	it('contact.created (no email_id): two contacts in the same millisecond get two messageIds, the same body one', () => {
		const a = unknown('resend', contact('e169aa45-1ecf-4183-9955-b1499d5701d3', 'steve.wozniak@gmail.com')).messageId;
		const b = unknown('resend', contact('479e3145-dd38-476b-932c-529ceb705947', 'steve.jobs@gmail.com')).messageId;
		expect(a).not.toBe(b);
		expect(unknown('resend', contact('e169aa45-1ecf-4183-9955-b1499d5701d3', 'steve.wozniak@gmail.com')).messageId).toBe(a);
		expect(unknown('resend', contact('x', 'y@z.co'), { 'svix-id': 'msg_1' }).messageId).toBe('msg_1');
	});
});
