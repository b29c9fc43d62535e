/**
 * WooCommerce webhooks: topic in `X-WC-Webhook-Topic` (`order.created`…), delivery id in
 * `X-WC-Webhook-Delivery-ID`, body = the REST API v3 resource
 * (https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties). `*_gmt` dates are UTC
 * without a zone designator; money fields are decimal strings in major units.
 */
import type { CanonicalEvent, CanonicalProduct } from '../../../../../nodes/engines/types/CanonicalEvent';
import type { EventSource, NormalizeInput } from '../../../../../nodes/engines/events/types';
import { EventMappingError } from '../../../../../nodes/engines/events/types';
import { compact, contentId, currencyCode, header, isObject, isoOf, lineProduct, money, normalizeEmail, obj, optionalIsoUtc, optionalString, own, roundMoney, toIsoUtc, unknownTopic } from '../util';

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

/** The canonical event around a WooCommerce payload's mapped fields (both API forms). */
function wooEvent(
	input: NormalizeInput,
	body: Record<string, unknown>,
	topic: string,
	name: string,
	messageId: string,
	timestamp: string,
	fromReceipt: boolean,
	userId: string | null,
	email: string | null,
	properties: Record<string, unknown>,
	traits: Record<string, unknown> | undefined,
): CanonicalEvent {
	return {
		type: 'track',
		event: name,
		messageId,
		timestamp,
		receivedAt: isoOf(input.receivedAt),
		userId,
		anonymousId: userId || email ? null : messageId,
		email,
		properties: compact(properties),
		...(traits ? { traits } : {}),
		context: compact({ source: 'woocommerce', topic, store: header(input.headers, 'x-wc-webhook-source'), timestamp_source: fromReceipt ? 'received' : undefined }),
		...(input.keepRaw ? { raw: body } : {}),
	};
}

/**
 * woolegacy: the Legacy REST API v3 resource (field tables of v3.html: Orders, Customers, Products
 * Properties). Dates are "UTC DateTime" (`2015-01-26T20:00:21Z`). Order: `order_number`, `total`,
 * `total_tax`, `total_shipping`, `total_discount`, `billing_address`, `customer_id`, `coupon_lines`,
 * `line_items` (product_id, sku, name, price, quantity). Customer: `created_at` only (no update time),
 * `billing_address.phone`. Product: `title`, `featured_src` ("Featured image URL"), `in_stock`.
 */
function legacyV3(
	input: NormalizeInput,
	body: Record<string, unknown>,
	r: Record<string, unknown>,
	topic: string,
	name: string,
	resource: string,
): CanonicalEvent {
	const deliveryHeader = header(input.headers, 'x-wc-webhook-delivery-id');
	const messageId = deliveryHeader !== undefined ? deliveryHeader : contentId('woocommerce', topic, r.id, r.updated_at ?? r);
	const action = topic.split('.')[1];
	const has = (v: unknown) => v !== undefined && v !== null;
	// The last update dates the event; the creation only a "created" topic; else the receive time (marked).
	let timestamp = isoOf(input.receivedAt);
	let fromReceipt = true;
	if (has(r.updated_at)) {
		timestamp = toIsoUtc(r.updated_at, resource + '.updated_at', true);
		fromReceipt = false;
	} else if (action === 'created' && has(r.created_at)) {
		timestamp = toIsoUtc(r.created_at, resource + '.created_at', true);
		fromReceipt = false;
	}
	const currency = currencyCode(r.currency);
	let properties: Record<string, unknown> = {};
	let userId: string | null = null;
	let email: string | null = null;
	let traits: Record<string, unknown> | undefined;
	if (resource === 'order') {
		const status = optionalString(r.status);
		if (topic === 'order.updated' && status) name = own(ORDER_STATUS_EVENTS, status) ?? name;
		const address = obj(r.billing_address);
		userId = r.customer_id ? optionalString(r.customer_id) ?? null : null;
		email = normalizeEmail(address.email);
		const codes = (Array.isArray(r.coupon_lines) ? r.coupon_lines : []).filter(isObject).map((c) => optionalString(c.code)).filter((c) => !!c);
		const total = money(r.total);
		const tax = money(r.total_tax);
		const shipping = money(r.total_shipping);
		properties = {
			order_id: optionalString(r.id),
			order_number: optionalString(r.order_number),
			status,
			total,
			value: total,
			// mapping-review: rounded to the currency's decimals (KWD 3), not always to cents
			revenue: total === undefined ? undefined : roundMoney(total - (tax ?? 0) - (shipping ?? 0), currency),
			tax,
			shipping,
			discount: money(r.total_discount),
			coupon: codes.length > 0 ? codes.join(',') : undefined,
			currency,
			products: lines(r.line_items),
		};
		const buyer = compact({ first_name: optionalString(address.first_name), last_name: optionalString(address.last_name), phone: optionalString(address.phone) });
		traits = Object.keys(buyer).length > 0 ? buyer : undefined;
	} else if (resource === 'customer') {
		userId = optionalString(r.id) ?? null;
		email = normalizeEmail(r.email);
		traits = compact({
			email: email ?? undefined,
			first_name: optionalString(r.first_name),
			last_name: optionalString(r.last_name),
			username: optionalString(r.username),
			phone: optionalString(obj(r.billing_address).phone),
			created_at: optionalIsoUtc(r.created_at, resource + '.created_at', true),
		});
	} else {
		const firstImage = Array.isArray(r.images) ? obj(r.images[0]).src : undefined;
		properties = {
			product_id: optionalString(r.id),
			sku: optionalString(r.sku),
			name: optionalString(r.title),
			price: money(r.price),
			url: optionalString(r.permalink),
			image_url: optionalString(r.featured_src) ?? optionalString(firstImage),
			status: topic === 'product.deleted' ? 'deleted' : optionalString(r.status),
			// in_stock true/false: the v2/v3 stock_status values "instock" / "outofstock".
			stock_status: r.in_stock === true ? 'instock' : r.in_stock === false ? 'outofstock' : undefined,
			currency,
		};
	}
	return wooEvent(input, body, topic, name, messageId, timestamp, fromReceipt, userId, email, properties, traits);
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
			// unknown-id: a topic this mapping leaves alone still gets a messageId of its own delivery when
			// X-WC-Webhook-Delivery-ID is missing. _webhooks.md: the body "would match the response for GET
			// /coupons/{id}" (a Legacy API v3 resource: {"coupon": {"id", "updated_at", …}}); topic
			// "action.woocommerce_add_to_cart": WC_Webhook sends {"action", "arg"}, no id. Top-level id:
			// as before; else the wrapped record's id with its updated_at (else the record), as legacyV3
			// below; else nothing identifies it but the whole body.
			let unknownId = messageId;
			if (woocommerce.deliveryId?.(input.headers) === undefined && (body.id === undefined || body.id === null)) {
				const key = topic.split('.')[0];
				const inner = Object.prototype.hasOwnProperty.call(body, key) ? body[key] : undefined;
				unknownId =
					isObject(inner) && inner.id !== undefined && inner.id !== null
						? contentId('woocommerce', topic, inner.id, inner.updated_at ?? inner)
						: contentId('woocommerce', topic, body);
			}
			const unknown = unknownTopic(woocommerce, input, topic, body, unknownId, 'headers.x-wc-webhook-topic');
			return unknown ? [unknown] : [];
		}
		const resource = topic.split('.')[0];
		// woolegacy: a webhook set to "Legacy API v3" posts the Legacy REST API v3 response of the resource
		// (woocommerce-rest-api-docs v3.html: GET /orders/<id> gives {"order": {...}}, /customers/<id>
		// {"customer": {...}}, /products/<id> {"product": {...}}). WP REST API bodies carry `id` at the top.
		const wrapped = body.id === undefined ? body[resource] : undefined;
		if (isObject(wrapped)) return [legacyV3(input, body, wrapped, topic, name, resource)];
		// event-map: API v1 webhooks send only site-local `date_created` / `date_modified` (no offset, zone
		// not named in the payload): such a time is checked, not used; the timestamp is the receive time.
		const utcField = (['date_modified_gmt', 'date_created_gmt'] as const).find((f) => body[f] !== undefined && body[f] !== null);
		const localField = (['date_modified', 'date_created'] as const).find((f) => body[f] !== undefined && body[f] !== null);
		let timestamp: string;
		let fromReceipt = false;
		if (utcField) timestamp = toIsoUtc(body[utcField], utcField, true);
		else if (!localField) {
			// woolegacy: no date anywhere in the payload (e.g. a deleted resource, sent as {id}) is the receive time too, and says so.
			timestamp = isoOf(input.receivedAt);
			fromReceipt = true;
		} else {
			const local = body[localField];
			const text = typeof local === 'string' ? local.trim() : undefined;
			if (text !== undefined && text !== '' && !/(Z|[+-]\d{2}:?\d{2})$/i.test(text) && !/^\d+(\.\d+)?$/.test(text)) {
				toIsoUtc(local, localField, true);
				timestamp = isoOf(input.receivedAt);
				fromReceipt = true;
			} else timestamp = toIsoUtc(local, localField);
		}
		const currency = currencyCode(body.currency);
		let properties: Record<string, unknown> = {};
		let userId: string | null = null;
		let email: string | null = null;
		let traits: Record<string, unknown> | undefined;
		if (resource === 'order') {
			const status = optionalString(body.status);
			const statusEvent = topic === 'order.updated' && status ? own(ORDER_STATUS_EVENTS, status) : undefined;
			if (statusEvent) name = statusEvent;
			const billing = obj(body.billing);
			userId = body.customer_id ? optionalString(body.customer_id) ?? null : null;
			email = normalizeEmail(billing.email);
			const coupons = Array.isArray(body.coupon_lines) ? body.coupon_lines.filter(isObject).map((c) => optionalString(c.code)).filter(Boolean) : [];
			const total = money(body.total);
			const tax = money(body.total_tax);
			const shipping = money(body.shipping_total);
			properties = {
				order_id: optionalString(body.id),
				order_number: optionalString(body.number),
				status,
				total,
				value: total,
				// mapping-review: rounded to the currency's decimals (KWD 3), not always to cents
				revenue: total !== undefined ? roundMoney(total - (tax ?? 0) - (shipping ?? 0), currency) : undefined,
				tax,
				shipping,
				discount: money(body.discount_total),
				coupon: coupons.length ? coupons.join(',') : undefined,
				currency,
				products: lines(body.line_items),
				// ev-fix: all refunds so far, positive, rounded per currency
				amount_refunded_total: Array.isArray(body.refunds) && body.refunds.some((r) => isObject(r) && money(r.total) !== undefined)
					? roundMoney(body.refunds.reduce((sum: number, r) => sum + (isObject(r) ? Math.abs(money(r.total) ?? 0) : 0), 0), currency)
					: undefined,
			};
			const t = compact({ first_name: optionalString(billing.first_name), last_name: optionalString(billing.last_name), phone: optionalString(billing.phone) });
			if (Object.keys(t).length) traits = t;
		} else if (resource === 'customer') {
			userId = optionalString(body.id) ?? null;
			email = normalizeEmail(body.email);
			traits = compact({
				email: email ?? undefined,
				first_name: optionalString(body.first_name),
				last_name: optionalString(body.last_name),
				username: optionalString(body.username),
				phone: optionalString(obj(body.billing).phone) ?? optionalString(obj(body.billing_address).phone), // event-map: v1 billing_address
				created_at: optionalIsoUtc(body.date_created_gmt, 'date_created_gmt', true),
			});
		} else {
			properties = {
				product_id: optionalString(body.id),
				sku: optionalString(body.sku),
				name: optionalString(body.name),
				price: money(body.price),
				url: optionalString(body.permalink),
				image_url: optionalString(obj(Array.isArray(body.images) ? body.images[0] : undefined).src),
				status: topic === 'product.deleted' ? 'deleted' : optionalString(body.status),
				stock_status: optionalString(body.stock_status),
				currency,
			};
		}
		return [wooEvent(input, body, topic, name, messageId, timestamp, fromReceipt, userId, email, properties, traits)];
	},
};
