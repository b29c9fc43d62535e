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
 * A webhook on "Legacy API v3" sends the older resource wrapped in its name (`{"order": {…}}`): see
 * legacyEvent; it maps to the same events.
 */
import type { CanonicalContext, CanonicalEvent, CanonicalProduct } from '../../types/CanonicalEvent';
import type { EventSource, NormalizeInput } from '../types';
import { EventMappingError } from '../types';
import { contentId, currencyCode, header, isObject, isoOf, lineProduct, money, normalizeEmail, obj, optionalIsoUtc, optionalString, own, roundMoney, toIsoUtc, unknownTopic, zoneless } from '../util';

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

/** The coupon codes of `coupon_lines` (both APIs name it so), comma-joined; undefined when none. */
function couponCodes(couponLines: unknown): string | undefined {
	let coupon: string | undefined;
	if (Array.isArray(couponLines)) {
		for (const c of couponLines) {
			if (!isObject(c)) continue;
			const code = optionalString(c.code);
			if (code) coupon = coupon === undefined ? code : `${coupon},${code}`;
		}
	}
	return coupon;
}

/** An order's properties, key by key in their canonical order (the values read by each API's own field names). */
function orderProperties(
	orderId: string | undefined,
	orderNumber: string | undefined,
	status: string | undefined,
	total: number | undefined,
	tax: number | undefined,
	shipping: number | undefined,
	discount: number | undefined,
	coupon: string | undefined,
	currency: string | undefined,
	products: CanonicalProduct[] | undefined,
): Record<string, unknown> {
	const properties: Record<string, unknown> = {};
	if (orderId !== undefined) properties.order_id = orderId;
	if (orderNumber !== undefined) properties.order_number = orderNumber;
	if (status !== undefined) properties.status = status;
	if (total !== undefined) {
		properties.total = total;
		properties.value = total;
		// rounded to the currency's decimals (KWD 3, JPY 0), not always to cents
		properties.revenue = roundMoney(total - (tax ?? 0) - (shipping ?? 0), currency);
	}
	if (tax !== undefined) properties.tax = tax;
	if (shipping !== undefined) properties.shipping = shipping;
	if (discount !== undefined) properties.discount = discount;
	if (coupon !== undefined) properties.coupon = coupon;
	if (currency !== undefined) properties.currency = currency;
	if (products !== undefined) properties.products = products;
	return properties;
}

/**
 * All the money refunded on an order so far, from its `refunds` (REST API v2/v3: one `{ id, reason,
 * total }` per refund, `total` negative, "-10.00"), as a positive amount rounded to the currency's
 * decimals; undefined when the order lists no refund with a total. WooCommerce sends no webhook
 * per refund: a partial refund comes as order.updated with the order's status unchanged.
 */
function refundedTotal(refunds: unknown, currency: string | undefined): number | undefined {
	if (!Array.isArray(refunds)) return undefined;
	let sum: number | undefined;
	for (const r of refunds) {
		const amount = isObject(r) ? money(r.total) : undefined;
		if (amount !== undefined) sum = (sum ?? 0) + Math.abs(amount);
	}
	return sum === undefined ? undefined : roundMoney(sum, currency);
}

/** The `src` of a product's first image (`images[0].src`, both APIs), else undefined. */
function firstImage(product: Record<string, unknown>): unknown {
	return obj(Array.isArray(product.images) ? product.images[0] : undefined).src;
}

/**
 * A product's properties, key by key in their canonical order. Both APIs name the id, sku, price,
 * permalink and status alike; the name, image and stock status are read by each API's own field
 * names. A `product.deleted` is status "deleted".
 */
function productProperties(
	product: Record<string, unknown>,
	topic: string,
	name: string | undefined,
	imageUrl: string | undefined,
	stockStatus: string | undefined,
	currency: string | undefined,
): Record<string, unknown> {
	const properties: Record<string, unknown> = {};
	const productId = optionalString(product.id);
	if (productId !== undefined) properties.product_id = productId;
	const sku = optionalString(product.sku);
	if (sku !== undefined) properties.sku = sku;
	if (name !== undefined) properties.name = name;
	const price = money(product.price);
	if (price !== undefined) properties.price = price;
	const url = optionalString(product.permalink);
	if (url !== undefined) properties.url = url;
	if (imageUrl !== undefined) properties.image_url = imageUrl;
	const status = topic === 'product.deleted' ? 'deleted' : optionalString(product.status);
	if (status !== undefined) properties.status = status;
	if (stockStatus !== undefined) properties.stock_status = stockStatus;
	if (currency !== undefined) properties.currency = currency;
	return properties;
}

/** An order's buyer traits from its billing address (`billing`, or the legacy `billing_address`); none when empty. */
function billingTraits(billing: Record<string, unknown>): Record<string, unknown> | undefined {
	const firstName = optionalString(billing.first_name);
	const lastName = optionalString(billing.last_name);
	const phone = optionalString(billing.phone);
	if (firstName === undefined && lastName === undefined && phone === undefined) return undefined;
	const traits: Record<string, unknown> = {};
	if (firstName !== undefined) traits.first_name = firstName;
	if (lastName !== undefined) traits.last_name = lastName;
	if (phone !== undefined) traits.phone = phone;
	return traits;
}

/** A customer's traits (same field names in both APIs but for the phone's address and the creation date). */
function customerTraits(customer: Record<string, unknown>, email: string | null, phone: string | undefined, createdAt: string | undefined): Record<string, unknown> {
	const traits: Record<string, unknown> = {};
	if (email !== null) traits.email = email;
	const firstName = optionalString(customer.first_name);
	if (firstName !== undefined) traits.first_name = firstName;
	const lastName = optionalString(customer.last_name);
	if (lastName !== undefined) traits.last_name = lastName;
	const username = optionalString(customer.username);
	if (username !== undefined) traits.username = username;
	if (phone !== undefined) traits.phone = phone;
	if (createdAt !== undefined) traits.created_at = createdAt;
	return traits;
}

/** The event around the mapped fields. */
function track(
	input: NormalizeInput,
	body: Record<string, unknown>,
	topic: string,
	name: string,
	messageId: string,
	timestamp: string,
	receivedTime: boolean,
	userId: string | null,
	email: string | null,
	properties: Record<string, unknown>,
	traits: Record<string, unknown> | undefined,
): CanonicalEvent {
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
	return event;
}

/**
 * A webhook whose API version is "Legacy API v3" (older stores) sends the Legacy REST API v3 resource
 * (https://woocommerce.github.io/woocommerce-rest-api-docs/v3.html, the response of GET /orders/<id>,
 * /customers/<id>, /products/<id>) wrapped in its resource key: `{"order": {…}}`, `{"customer": {…}}`,
 * `{"product": {…}}`. Its dates are "UTC DateTime" written with `Z` (`created_at`, `updated_at`); an
 * order names `order_number`, `total_shipping`, `total_discount`, `billing_address`; a product its
 * name `title`, its image `featured_src` and its stock `in_stock` (true/false). A legacy customer has
 * no `updated_at`: its `created_at` dates a `customer.created` only, any other topic without
 * `updated_at` takes the receive time (marked), never the creation time of the record.
 */
function legacyEvent(
	input: NormalizeInput,
	body: Record<string, unknown>,
	record: Record<string, unknown>,
	topic: string,
	name: string,
	resource: string,
	delivery: string | undefined,
): CanonicalEvent {
	// Without a delivery id, the record's id and update time; a record without one (a customer) hashes whole.
	const messageId = delivery ?? contentId('woocommerce', topic, record.id, record.updated_at ?? record);
	let timestamp: string;
	let receivedTime = false;
	if (record.updated_at != null) timestamp = toIsoUtc(record.updated_at, `${resource}.updated_at`, true);
	else if (record.created_at != null && topic.endsWith('.created')) timestamp = toIsoUtc(record.created_at, `${resource}.created_at`, true);
	else {
		timestamp = isoOf(input.receivedAt);
		receivedTime = true;
	}
	const currency = currencyCode(record.currency);
	let properties: Record<string, unknown>;
	let userId: string | null = null;
	let email: string | null = null;
	let traits: Record<string, unknown> | undefined;
	if (resource === 'order') {
		const status = optionalString(record.status);
		const statusEvent = topic === 'order.updated' && status ? own(ORDER_STATUS_EVENTS, status) : undefined;
		if (statusEvent) name = statusEvent;
		const billing = obj(record.billing_address);
		userId = record.customer_id ? (optionalString(record.customer_id) ?? null) : null;
		email = normalizeEmail(billing.email);
		properties = orderProperties(
			optionalString(record.id),
			optionalString(record.order_number),
			status,
			money(record.total),
			money(record.total_tax),
			money(record.total_shipping),
			money(record.total_discount),
			couponCodes(record.coupon_lines),
			currency,
			lines(record.line_items),
		);
		traits = billingTraits(billing);
	} else if (resource === 'customer') {
		userId = optionalString(record.id) ?? null;
		email = normalizeEmail(record.email);
		// `created_at` is UTC; not a valid date: no trait, as for the other APIs.
		traits = customerTraits(record, email, optionalString(obj(record.billing_address).phone), optionalIsoUtc(record.created_at, `${resource}.created_at`, true));
		properties = {};
	} else {
		properties = productProperties(
			record,
			topic,
			optionalString(record.title),
			optionalString(record.featured_src) ?? optionalString(firstImage(record)),
			// The values the v2/v3 APIs give `stock_status` for the two states `in_stock` tells apart.
			record.in_stock === true ? 'instock' : record.in_stock === false ? 'outofstock' : undefined,
			currency,
		);
	}
	return track(input, body, topic, name, messageId, timestamp, receivedTime, userId, email, properties, traits);
}

/**
 * The messageId of a delivery of a topic not mapped here (`order.restored`, `coupon.*`,
 * `action.*`…) that came without a delivery id, by the rules of the mapped topics: a WP REST API
 * resource by its `id` and modification time; a Legacy API v3 one, wrapped in its resource's name
 * (`{"coupon": {…}}` for `coupon.updated`: _webhooks.md, "the request body would match the response
 * for GET /coupons/{id}"), by the wrapped record's `id` and `updated_at` (else the whole record), as
 * legacyEvent does. A body with no id there at all (an `action.*` topic sends
 * `{"action": …, "arg": …}`, WC_Webhook::get_wp_api_payload) is hashed whole: a fixed part (the
 * topic and an absent id) would give every such delivery of the topic one messageId, and
 * de-duplication would drop all but the first.
 */
function unknownMessageId(body: Record<string, unknown>, topic: string): string {
	if (body.id != null) return contentId('woocommerce', topic, body.id, when(body, 'date_modified'));
	const dot = topic.indexOf('.');
	const record = own(body, dot < 0 ? topic : topic.slice(0, dot));
	if (isObject(record) && record.id != null) return contentId('woocommerce', topic, record.id, record.updated_at ?? record);
	return contentId('woocommerce', topic, body);
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
		const delivery = woocommerce.deliveryId?.(input.headers);
		let name = own(TOPICS, topic);
		if (!name) {
			const messageId = delivery ?? unknownMessageId(body, topic);
			const unknown = unknownTopic(woocommerce, input, topic, body, messageId, 'headers.x-wc-webhook-topic');
			return unknown ? [unknown] : [];
		}
		const dot = topic.indexOf('.');
		const resource = dot < 0 ? topic : topic.slice(0, dot);
		// A WP REST API resource carries its `id` at the top; a Legacy API v3 body is `{"<resource>": {…}}`.
		if (body.id === undefined) {
			const record = resource === 'order' ? body.order : resource === 'customer' ? body.customer : body.product;
			if (isObject(record)) return [legacyEvent(input, body, record, topic, name, resource, delivery)];
		}
		const messageId = delivery ?? contentId('woocommerce', topic, body.id, when(body, 'date_modified'));
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
		let properties: Record<string, unknown>;
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
			properties = orderProperties(
				optionalString(body.id),
				optionalString(body.number),
				status,
				money(body.total),
				money(body.total_tax),
				money(body.shipping_total),
				money(body.discount_total),
				couponCodes(body.coupon_lines),
				currency,
				lines(body.line_items),
			);
			// Partial refunds show here (on Order Updated), the same name as Stripe's cumulative refund.
			const refunded = refundedTotal(body.refunds, currency);
			if (refunded !== undefined) properties.amount_refunded_total = refunded;
			traits = billingTraits(billing);
		} else if (resource === 'customer') {
			userId = optionalString(body.id) ?? null;
			email = normalizeEmail(body.email);
			// `billing` since API v2; v1 customers carry `billing_address`.
			const phone = optionalString(obj(body.billing).phone) ?? optionalString(obj(body.billing_address).phone);
			// `date_created_gmt` is UTC without a zone designator: read as UTC, emitted as ISO-8601 UTC.
			// Missing: no trait, as before; present but not a valid date: left out rather than failing the event.
			traits = customerTraits(body, email, phone, optionalIsoUtc(body.date_created_gmt, 'date_created_gmt', true));
			properties = {};
		} else {
			properties = productProperties(body, topic, optionalString(body.name), optionalString(firstImage(body)), optionalString(body.stock_status), currency);
		}
		return [track(input, body, topic, name, messageId, timestamp, receivedTime, userId, email, properties, traits)];
	},
};
