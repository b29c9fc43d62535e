/**
 * WooCommerce webhooks: topic in `X-WC-Webhook-Topic` (`order.created`…), delivery id in
 * `X-WC-Webhook-Delivery-ID`, body = the REST API v3 resource
 * (https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties). `*_gmt` dates are UTC
 * without a zone designator; money fields are decimal strings in major units.
 * A webhook set to API version v1 (WP REST API v1) sends no `*_gmt` fields: its `date_created` /
 * `date_modified` are "in the site's timezone", without an offset
 * (https://github.com/woocommerce/woocommerce-rest-api-docs, wp-api-v1/_orders.md, _customers.md),
 * and the payload does not say which zone that is. Such a time is not read as UTC (hours off): the
 * event's timestamp is when the delivery was received, and `context.timestamp_source` says so; so
 * is it for a payload without any date (a `*.deleted` delivery is only `{"id": …}`, WC_Webhook::build_payload).
 */
import type { CanonicalContext, CanonicalEvent, CanonicalProduct } from '../../types/CanonicalEvent';
import type { EventSource, NormalizeInput } from '../types';
import { EventMappingError } from '../types';
import { contentId, currencyCode, header, isObject, isoOf, lineProduct, money, normalizeEmail, obj, optionalIsoUtc, optionalString, own, toIsoUtc, unknownTopic, zoneless } from '../util';

const ORDER_STATUS_EVENTS: Record<string, string> = { cancelled: 'Order Cancelled', refunded: 'Order Refunded' };

const TOPICS: Record<string, string> = {
	'order.created': 'Order Completed',
	'order.updated': 'Order Updated',
	'customer.created': 'Signed Up',
	'customer.updated': 'Customer Updated',
	'product.created': 'Product Updated',
	'product.updated': 'Product Updated',
	'product.restored': 'Product Updated',
	'product.deleted': 'Product Updated',
};

function lines(items: unknown): CanonicalProduct[] | undefined {
	if (!Array.isArray(items)) return undefined;
	const out: CanonicalProduct[] = [];
	for (const item of items) {
		if (!isObject(item)) continue;
		out.push(
			lineProduct(
				optionalString(item.product_id),
				item.variation_id ? optionalString(item.variation_id) : undefined,
				optionalString(item.sku),
				optionalString(item.name),
				money(item.price),
				item.quantity,
				undefined,
				out.length + 1,
			),
		);
	}
	return out;
}

function when(body: Record<string, unknown>, field: 'date_modified' | 'date_created'): unknown {
	// Constant property names (no key built per call): `*_gmt` first, then the local field.
	return field === 'date_modified' ? (body.date_modified_gmt ?? body.date_modified) : (body.date_created_gmt ?? body.date_created);
}

export const woocommerce: EventSource = {
	id: 'woocommerce',
	displayName: 'WooCommerce',
	topics: [
		{ topic: 'order.created', event: 'Order Completed' },
		{ topic: 'order.updated', event: 'Order Updated (Order Cancelled / Order Refunded by status)' },
		{ topic: 'customer.created', event: 'Signed Up' },
		{ topic: 'customer.updated', event: 'Customer Updated' },
		{ topic: 'product.created / updated / restored / deleted', event: 'Product Updated' },
	],
	deliveryId: (headers) => header(headers, 'x-wc-webhook-delivery-id'),
	normalize(input: NormalizeInput): CanonicalEvent[] {
		const body = input.payload;
		if (!isObject(body)) throw new EventMappingError('the WooCommerce body must be a JSON object', 'body');
		const topic = input.topic ?? header(input.headers, 'x-wc-webhook-topic');
		if (!topic) throw new EventMappingError('the WooCommerce topic is missing (X-WC-Webhook-Topic header)', 'headers.x-wc-webhook-topic');
		const messageId = woocommerce.deliveryId?.(input.headers) ?? contentId('woocommerce', topic, body.id, when(body, 'date_modified'));
		let name = own(TOPICS, topic);
		if (!name) {
			const unknown = unknownTopic(woocommerce, input, topic, body, messageId, 'headers.x-wc-webhook-topic');
			return unknown ? [unknown] : [];
		}
		const dot = topic.indexOf('.');
		const resource = dot < 0 ? topic : topic.slice(0, dot);
		// UTC first (`*_gmt`, any of the two), then a local time only when it names its zone.
		let timestamp: string;
		let receivedTime = false;
		if (body.date_modified_gmt != null) timestamp = toIsoUtc(body.date_modified_gmt, 'date_modified_gmt', true);
		else if (body.date_created_gmt != null) timestamp = toIsoUtc(body.date_created_gmt, 'date_created_gmt', true);
		else {
			const field = body.date_modified != null ? 'date_modified' : 'date_created';
			const local = body.date_modified ?? body.date_created;
			if (local == null) {
				// No date at all (e.g. a `*.deleted` delivery, which carries only the id): the receive time, marked.
				timestamp = isoOf(input.receivedAt);
				receivedTime = true;
			} else if (zoneless(local)) {
				toIsoUtc(local, field, true); // still refused when it is no date at all
				timestamp = isoOf(input.receivedAt);
				receivedTime = true;
			} else timestamp = toIsoUtc(local, field);
		}
		const currency = currencyCode(body.currency);
		// Properties and traits are built key by key in the order of the former object literals
		// (which went through `compact`), leaving out undefined values: same objects, no copy.
		const properties: Record<string, unknown> = {};
		let userId: string | null = null;
		let email: string | null = null;
		let traits: Record<string, unknown> | undefined;
		if (resource === 'order') {
			const status = optionalString(body.status);
			const statusEvent = topic === 'order.updated' && status ? own(ORDER_STATUS_EVENTS, status) : undefined;
			if (statusEvent) name = statusEvent;
			const billing = obj(body.billing);
			userId = body.customer_id ? (optionalString(body.customer_id) ?? null) : null;
			email = normalizeEmail(billing.email);
			let coupon: string | undefined;
			if (Array.isArray(body.coupon_lines)) {
				for (const c of body.coupon_lines) {
					if (!isObject(c)) continue;
					const code = optionalString(c.code);
					if (code) coupon = coupon === undefined ? code : `${coupon},${code}`;
				}
			}
			const total = money(body.total);
			const tax = money(body.total_tax);
			const shipping = money(body.shipping_total);
			const orderId = optionalString(body.id);
			if (orderId !== undefined) properties.order_id = orderId;
			const orderNumber = optionalString(body.number);
			if (orderNumber !== undefined) properties.order_number = orderNumber;
			if (status !== undefined) properties.status = status;
			if (total !== undefined) {
				properties.total = total;
				properties.value = total;
				properties.revenue = Math.round((total - (tax ?? 0) - (shipping ?? 0)) * 100) / 100;
			}
			if (tax !== undefined) properties.tax = tax;
			if (shipping !== undefined) properties.shipping = shipping;
			const discount = money(body.discount_total);
			if (discount !== undefined) properties.discount = discount;
			if (coupon !== undefined) properties.coupon = coupon;
			if (currency !== undefined) properties.currency = currency;
			const products = lines(body.line_items);
			if (products !== undefined) properties.products = products;
			const firstName = optionalString(billing.first_name);
			const lastName = optionalString(billing.last_name);
			const phone = optionalString(billing.phone);
			if (firstName !== undefined || lastName !== undefined || phone !== undefined) {
				traits = {};
				if (firstName !== undefined) traits.first_name = firstName;
				if (lastName !== undefined) traits.last_name = lastName;
				if (phone !== undefined) traits.phone = phone;
			}
		} else if (resource === 'customer') {
			userId = optionalString(body.id) ?? null;
			email = normalizeEmail(body.email);
			traits = {};
			if (email !== null) traits.email = email;
			const firstName = optionalString(body.first_name);
			if (firstName !== undefined) traits.first_name = firstName;
			const lastName = optionalString(body.last_name);
			if (lastName !== undefined) traits.last_name = lastName;
			const username = optionalString(body.username);
			if (username !== undefined) traits.username = username;
			// `billing` since API v2; v1 customers carry `billing_address`.
			const phone = optionalString(obj(body.billing).phone) ?? optionalString(obj(body.billing_address).phone);
			if (phone !== undefined) traits.phone = phone;
			// `date_created_gmt` is UTC without a zone designator: read as UTC, emitted as ISO-8601 UTC.
			// Missing: no trait, as before; present but not a valid date: left out rather than failing the event.
			const createdAt = optionalIsoUtc(body.date_created_gmt, 'date_created_gmt', true);
			if (createdAt !== undefined) traits.created_at = createdAt;
		} else {
			const productId = optionalString(body.id);
			if (productId !== undefined) properties.product_id = productId;
			const sku = optionalString(body.sku);
			if (sku !== undefined) properties.sku = sku;
			const productName = optionalString(body.name);
			if (productName !== undefined) properties.name = productName;
			const price = money(body.price);
			if (price !== undefined) properties.price = price;
			const url = optionalString(body.permalink);
			if (url !== undefined) properties.url = url;
			const imageUrl = optionalString(obj(Array.isArray(body.images) ? body.images[0] : undefined).src);
			if (imageUrl !== undefined) properties.image_url = imageUrl;
			const status = topic === 'product.deleted' ? 'deleted' : optionalString(body.status);
			if (status !== undefined) properties.status = status;
			const stockStatus = optionalString(body.stock_status);
			if (stockStatus !== undefined) properties.stock_status = stockStatus;
			if (currency !== undefined) properties.currency = currency;
		}
		const receivedAt = isoOf(input.receivedAt);
		const anonymousId = userId || email ? null : messageId;
		const context: CanonicalContext = { source: 'woocommerce', topic };
		const store = header(input.headers, 'x-wc-webhook-source');
		if (store !== undefined) context.store = store;
		if (receivedTime) context.timestamp_source = 'received';
		const event: CanonicalEvent = traits
			? { type: 'track', event: name, messageId, timestamp, receivedAt, userId, anonymousId, email, properties, traits, context }
			: { type: 'track', event: name, messageId, timestamp, receivedAt, userId, anonymousId, email, properties, context };
		if (input.keepRaw) event.raw = body;
		return [event];
	},
};
