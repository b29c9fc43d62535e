/**
 * Shopify webhooks: the topic travels in `X-Shopify-Topic`, the delivery id in
 * `X-Shopify-Webhook-Id` (https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook-to-ensure-its-coming-from-shopify),
 * the payload is the REST resource (https://shopify.dev/docs/api/webhooks?reference=toml).
 * Money fields are decimal strings in major units ("59.99"). Which currency they are in depends on
 * the resource (https://shopify.dev/docs/api/admin-rest/latest/resources/abandoned-checkouts,
 * .../resources/order, .../resources/refund): a checkout's amounts and line prices are in its
 * `presentment_currency` (its `currency` is the shop's), an order's `total_price`, `subtotal_price`,
 * `total_tax`, `total_discounts` and line `price` are in the shop currency `currency`, a refund's
 * transactions in their own `currency`, and `*_set` fields carry both (`shop_money`,
 * `presentment_money`, each with its `currency_code`). Every event labels its amounts with the
 * currency they are in.
 */
import type { CanonicalContext, CanonicalEvent, CanonicalEventType, CanonicalProduct } from '../../types/CanonicalEvent';
import type { EventSource, NormalizeInput } from '../types';
import { EventMappingError } from '../types';
import { contentId, currencyCode, header, isObject, isoOf, lineProduct, money, normalizeEmail, obj, optionalIsoUtc, optionalString, own, product, roundMoney, toIsoUtc, unknownTopic } from '../util';

const TOPICS: Record<string, { event: string; type?: CanonicalEventType; kind: 'checkout' | 'cart' | 'order' | 'refund' | 'customer' }> = {
	'checkouts/create': { event: 'Checkout Started', kind: 'checkout' },
	'checkouts/update': { event: 'Checkout Updated', kind: 'checkout' },
	'carts/create': { event: 'Cart Updated', kind: 'cart' },
	'carts/update': { event: 'Cart Updated', kind: 'cart' },
	'orders/create': { event: 'Order Completed', kind: 'order' },
	'orders/paid': { event: 'Order Paid', kind: 'order' },
	'orders/cancelled': { event: 'Order Cancelled', kind: 'order' },
	'refunds/create': { event: 'Order Refunded', kind: 'refund' },
	'customers/create': { event: 'Signed Up', kind: 'customer' },
	'customers/update': { event: 'Customer Updated', kind: 'customer' },
};

/**
 * Line items; `presentment`: a line's price is read from `price_set.presentment_money` when it has
 * one (a cart's lines: the cart itself names no currency), else from `price`.
 */
function lineItems(items: unknown, presentment = false): CanonicalProduct[] | undefined {
	if (!Array.isArray(items)) return undefined;
	const out: CanonicalProduct[] = [];
	for (const item of items) {
		if (!isObject(item)) continue;
		const price = presentment ? (money(obj(obj(item.price_set).presentment_money).amount) ?? money(item.price)) : money(item.price);
		out.push(
			lineProduct(
				optionalString(item.product_id),
				optionalString(item.variant_id) ?? optionalString(item.variant_title),
				optionalString(item.sku),
				optionalString(item.title) ?? optionalString(item.name),
				price,
				item.quantity,
				optionalString(item.vendor),
				out.length + 1,
			),
		);
	}
	return out;
}

/** The `currency_code` of the `presentment_money` of the first line that has a `price_set`. */
function presentmentCurrencyOfLines(items: unknown): string | undefined {
	if (!Array.isArray(items)) return undefined;
	for (const item of items) {
		if (!isObject(item) || !isObject(item.price_set)) continue;
		return currencyCode(obj(item.price_set.presentment_money).currency_code);
	}
	return undefined;
}

/**
 * A refunded line's price in the refund's currency: from `price_set` the side (`shop_money` or
 * `presentment_money`) whose `currency_code` is that currency, else `price` (the shop currency).
 */
function priceIn(line: Record<string, unknown>, currency: string | undefined): number | undefined {
	const set = obj(line.price_set);
	if (currency !== undefined) {
		const shopMoney = obj(set.shop_money);
		if (currencyCode(shopMoney.currency_code) === currency) return money(shopMoney.amount);
		const presentmentMoney = obj(set.presentment_money);
		if (currencyCode(presentmentMoney.currency_code) === currency) return money(presentmentMoney.amount);
	}
	return money(line.price);
}

/** Whether a refund's transactions include a test one (`test: true`, a Bogus gateway or test-mode payment). */
function hasTestTransaction(transactions: unknown): boolean {
	if (!Array.isArray(transactions)) return false;
	for (const t of transactions) if (isObject(t) && t.test === true) return true;
	return false;
}

/** Shopify ids can exceed 2^53: the `admin_graphql_api_id` string keeps them exact. */
export function shopifyId(record: Record<string, unknown>): string | undefined {
	const gid = record.admin_graphql_api_id;
	if (typeof gid === 'string') {
		// The digits ending the gid after a `/` (what /\/(\d+)$/ captures), read without a regex.
		let i = gid.length;
		while (i > 0 && gid.charCodeAt(i - 1) >= 48 && gid.charCodeAt(i - 1) <= 57) i--;
		if (i < gid.length && i > 0 && gid.charCodeAt(i - 1) === 47) return gid.slice(i);
	}
	return optionalString(record.id);
}

function customerOf(body: Record<string, unknown>): { userId: string | null; email: string | null; traits?: Record<string, unknown> } {
	const customer = obj(body.customer);
	const email = normalizeEmail(body.email) ?? normalizeEmail(body.contact_email) ?? normalizeEmail(customer.email);
	const userId = shopifyId(customer) ?? null;
	// What compact({ first_name, last_name, phone }) gave, or none when all three are missing.
	const firstName = optionalString(customer.first_name);
	const lastName = optionalString(customer.last_name);
	const phone = optionalString(customer.phone) ?? optionalString(body.phone);
	if (firstName === undefined && lastName === undefined && phone === undefined) return { userId, email, traits: undefined };
	const traits: Record<string, unknown> = {};
	if (firstName !== undefined) traits.first_name = firstName;
	if (lastName !== undefined) traits.last_name = lastName;
	if (phone !== undefined) traits.phone = phone;
	return { userId, email, traits };
}

/*
 * The properties and traits below are built key by key in the order of the former object literals
 * (which went through `compact`), leaving out undefined values: same objects, no copy.
 */

function checkoutProperties(body: Record<string, unknown>, currency: string | undefined): Record<string, unknown> {
	const p: Record<string, unknown> = {};
	const checkoutId = optionalString(body.token) ?? optionalString(body.id);
	if (checkoutId !== undefined) p.checkout_id = checkoutId;
	const cartId = optionalString(body.cart_token);
	if (cartId !== undefined) p.cart_id = cartId;
	const total = money(body.total_price);
	if (total !== undefined) p.total = total;
	const subtotal = money(body.subtotal_price);
	if (subtotal !== undefined) p.subtotal = subtotal;
	const tax = money(body.total_tax);
	if (tax !== undefined) p.tax = tax;
	const discount = money(body.total_discounts);
	if (discount !== undefined) p.discount = discount;
	if (currency !== undefined) p.currency = currency;
	const recoveryUrl = optionalString(body.abandoned_checkout_url);
	if (recoveryUrl !== undefined) p.recovery_url = recoveryUrl;
	// The checkout's "email me with news and offers" box (Abandoned checkouts resource), which a
	// recovery email must respect.
	if (typeof body.buyer_accepts_marketing === 'boolean') p.accepts_marketing = body.buyer_accepts_marketing;
	const products = lineItems(body.line_items);
	if (products !== undefined) p.products = products;
	if (total !== undefined) p.value = total;
	// checkouts/update comes once more when the order is placed, with `completed_at` set: the
	// checkout is no longer an open cart (the profile closes it, a cart recovery must not fire).
	const completedAt = optionalIsoUtc(body.completed_at, 'completed_at');
	if (completedAt !== undefined) p.completed_at = completedAt;
	return p;
}

function cartProperties(body: Record<string, unknown>, currency: string | undefined): Record<string, unknown> {
	const p: Record<string, unknown> = {};
	const cartId = optionalString(body.token) ?? optionalString(body.id);
	if (cartId !== undefined) p.cart_id = cartId;
	const products = lineItems(body.line_items, true);
	if (products !== undefined) {
		p.products = products;
		let value = 0;
		for (const item of products) value = value + (item.price ?? 0) * (item.quantity ?? 1);
		p.value = roundMoney(value, currency);
	}
	if (currency !== undefined) p.currency = currency;
	return p;
}

/**
 * An order's revenue as Segment means it, after discounts, without shipping and taxes. Shopify's
 * `subtotal_price` is the order "after discounts but before shipping, duties, taxes, and tips", yet
 * with `taxes_included` true ("Whether taxes are included in the order subtotal", Order resource:
 * tax-inclusive prices, as VAT shops show them) it holds the items' taxes. Those are `total_tax`
 * less the taxes of the shipping lines (`shipping_lines[].tax_lines[].price`, shop currency), which
 * `total_tax` holds too; they are taken out of the subtotal.
 */
function revenueOf(body: Record<string, unknown>, subtotal: number | undefined, tax: number | undefined, currency: string | undefined): number | undefined {
	if (subtotal === undefined || body.taxes_included !== true || tax === undefined) return subtotal;
	let shippingTax = 0;
	if (Array.isArray(body.shipping_lines)) {
		for (const line of body.shipping_lines) {
			if (!isObject(line) || !Array.isArray(line.tax_lines)) continue;
			for (const t of line.tax_lines) if (isObject(t)) shippingTax += money(t.price) ?? 0;
		}
	}
	return roundMoney(subtotal - (tax - shippingTax), currency);
}

function orderProperties(body: Record<string, unknown>, currency: string | undefined): Record<string, unknown> {
	let coupon: string | undefined;
	if (Array.isArray(body.discount_codes)) {
		for (const d of body.discount_codes) {
			if (!isObject(d)) continue;
			const code = optionalString(d.code);
			if (code) coupon = coupon === undefined ? code : `${coupon},${code}`;
		}
	}
	const shipping = money(obj(obj(body.total_shipping_price_set).shop_money).amount);
	const total = money(body.total_price);
	const tax = money(body.total_tax);
	const p: Record<string, unknown> = {};
	const orderId = shopifyId(body);
	if (orderId !== undefined) p.order_id = orderId;
	const orderNumber = optionalString(body.name) ?? optionalString(body.order_number);
	if (orderNumber !== undefined) p.order_number = orderNumber;
	const checkoutId = optionalString(body.checkout_token) ?? optionalString(body.checkout_id);
	if (checkoutId !== undefined) p.checkout_id = checkoutId;
	const cartId = optionalString(body.cart_token);
	if (cartId !== undefined) p.cart_id = cartId;
	if (total !== undefined) p.total = total;
	const subtotal = money(body.subtotal_price);
	if (subtotal !== undefined) {
		p.subtotal = subtotal;
		p.revenue = revenueOf(body, subtotal, tax, currency);
	}
	if (tax !== undefined) p.tax = tax;
	if (shipping !== undefined) p.shipping = shipping;
	const discount = money(body.total_discounts);
	if (discount !== undefined) p.discount = discount;
	if (coupon !== undefined) p.coupon = coupon;
	if (currency !== undefined) p.currency = currency;
	if (total !== undefined) p.value = total;
	const financialStatus = optionalString(body.financial_status);
	if (financialStatus !== undefined) p.financial_status = financialStatus;
	const cancelReason = optionalString(body.cancel_reason);
	if (cancelReason !== undefined) p.cancel_reason = cancelReason;
	const products = lineItems(body.line_items);
	if (products !== undefined) p.products = products;
	return p;
}

function refundProperties(body: Record<string, unknown>, currency: string | undefined): Record<string, unknown> {
	const transactions = Array.isArray(body.transactions) ? body.transactions.filter(isObject) : [];
	// Only money that went back: transactions of kind "refund" with status "success" (a failed or
	// pending attempt refunds nothing). A transaction without `kind` / `status` (older payloads) counts.
	let refunded = 0;
	for (const t of transactions) {
		if ((t.kind === undefined || t.kind === 'refund') && (t.status === undefined || t.status === 'success')) refunded += money(t.amount) ?? 0;
	}
	const txCurrency = transactions.map((t) => currencyCode(t.currency)).find(Boolean);
	const items = Array.isArray(body.refund_line_items) ? body.refund_line_items.filter(isObject) : [];
	const p: Record<string, unknown> = {};
	const orderId = optionalString(body.order_id);
	if (orderId !== undefined) p.order_id = orderId;
	const refundId = shopifyId(body);
	if (refundId !== undefined) p.refund_id = refundId;
	const refundCurrency = txCurrency ?? currency;
	const total = transactions.length ? roundMoney(refunded, refundCurrency) : undefined;
	if (total !== undefined) p.total = total;
	if (refundCurrency !== undefined) p.currency = refundCurrency;
	const reason = optionalString(body.note);
	if (reason !== undefined) p.reason = reason;
	if (items.length) {
		p.products = items.map((r, i) => {
			const line = obj(r.line_item);
			return product({ product_id: optionalString(line.product_id), sku: optionalString(line.sku), name: optionalString(line.title) ?? optionalString(line.name), price: priceIn(line, refundCurrency), quantity: typeof r.quantity === 'number' ? r.quantity : undefined, position: i + 1 });
		});
	}
	if (total !== undefined) p.value = total;
	return p;
}

/**
 * A customer's traits. `total_spent` is the sum of the customer's orders, kept in the shop currency
 * (the Customer's amount spent is "converted from the shop's currency" for other currencies,
 * https://shopify.dev/api/functions/reference/cart-transform/graphql/common-objects/customer), while
 * the customer's `currency` is "the currency that the customer used when they paid for their last
 * order" (https://shopify.dev/docs/api/admin-rest/latest/resources/customer): not the currency of
 * that sum. The trait `currency` labels `total_spent`, so it comes only from an `amount_spent`
 * money object ({ amount, currency_code }, the GraphQL `amountSpent` MoneyV2) when one is sent; a
 * plain `total_spent` is emitted without a label (the payload does not name the shop currency).
 * The customer's `currency` is kept as `last_order_currency`.
 */
function customerTraits(body: Record<string, unknown>, email: string | null): Record<string, unknown> {
	const t: Record<string, unknown> = {};
	if (email !== null) t.email = email;
	const firstName = optionalString(body.first_name);
	if (firstName !== undefined) t.first_name = firstName;
	const lastName = optionalString(body.last_name);
	if (lastName !== undefined) t.last_name = lastName;
	const phone = optionalString(body.phone);
	if (phone !== undefined) t.phone = phone;
	const consent = obj(body.email_marketing_consent).state;
	const acceptsMarketing = consent === undefined ? body.accepts_marketing : consent === 'subscribed';
	if (acceptsMarketing !== undefined) t.accepts_marketing = acceptsMarketing;
	if (body.orders_count !== undefined) t.orders_count = body.orders_count;
	const spent = obj(body.amount_spent);
	const amountSpent = money(spent.amount);
	if (amountSpent !== undefined) {
		t.total_spent = amountSpent;
		const currency = currencyCode(spent.currency_code);
		if (currency !== undefined) t.currency = currency;
	} else {
		const totalSpent = money(body.total_spent);
		if (totalSpent !== undefined) t.total_spent = totalSpent;
	}
	// the customer's own currency (their last order's; the shop's by default), e.g. to show prices in it
	const lastOrderCurrency = currencyCode(body.currency);
	if (lastOrderCurrency !== undefined) t.last_order_currency = lastOrderCurrency;
	const tags = optionalString(body.tags);
	if (tags !== undefined) t.tags = tags;
	// ISO-8601 UTC like every timestamp; a `created_at` that is not a valid date is left out (the
	// event itself stays valid) rather than failing the whole event.
	const createdAt = optionalIsoUtc(body.created_at, 'created_at');
	if (createdAt !== undefined) t.created_at = createdAt;
	return t;
}

/**
 * What names one Shopify event apart from its deliveries, for de-duplication: the topic, the event
 * id and the resource the body is about, or undefined when a delivery lacks one of them.
 *
 * Shopify documents `X-Shopify-Webhook-Id` as "a unique composite key per delivery" and
 * `X-Shopify-Event-Id` as "a unique ID shared across all deliveries produced by the same merchant
 * action" (https://shopify.dev/docs/apps/build/webhooks/delivery-structure#headers). With more than
 * one subscription for a topic "you'll receive several webhooks for the same event (one per
 * subscription)" (https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates): new webhook
 * ids, and bodies that may differ (each subscription has its own `include_fields` and API
 * version), so neither the webhook id nor the body hash recognises them. The event id alone would
 * be too wide: one merchant action can give several topics (an order's orders/create and
 * orders/paid) and, as the id is shared by "all" its deliveries, one topic about several resources
 * (an action over many customers), each a real event. Hence topic + event id + resource (its
 * `admin_graphql_api_id`, else `id`); a body without an id (e.g. `customers/redact`) gives no key.
 * `payload`: the body as the pipeline parsed it (DeliveryOutcome `events`), not parsed again.
 */
export function shopifyEventKey(headers: Record<string, unknown> | undefined, payload: unknown): string | undefined {
	const eventId = header(headers, 'x-shopify-event-id');
	const topic = header(headers, 'x-shopify-topic');
	if (!eventId || !topic) return undefined;
	const resource = isObject(payload) ? shopifyId(payload) : undefined;
	return resource === undefined ? undefined : `${topic}\u0000${eventId}\u0000${resource}`;
}

export const shopify: EventSource = {
	id: 'shopify',
	displayName: 'Shopify',
	topics: Object.entries(TOPICS).map(([topic, t]) => ({ topic, event: t.event })),
	deliveryId: (headers) => header(headers, 'x-shopify-webhook-id') ?? header(headers, 'x-shopify-event-id'),
	normalize(input: NormalizeInput): CanonicalEvent[] {
		const body = input.payload;
		if (!isObject(body)) throw new EventMappingError('the Shopify body must be a JSON object', 'body');
		const topic = input.topic ?? header(input.headers, 'x-shopify-topic');
		if (!topic) throw new EventMappingError('the Shopify topic is missing (X-Shopify-Topic header)', 'headers.x-shopify-topic');
		const delivery = shopify.deliveryId?.(input.headers);
		const spec = own(TOPICS, topic);
		if (!spec) {
			// A topic not mapped here may send no id of its own: `customers/redact` is
			// `{shop_id, shop_domain, customer: {id, …}, orders_to_redact}`
			// (https://shopify.dev/docs/apps/build/privacy-law-compliance). Without a delivery id such
			// a body is hashed whole: the topic and an absent id would give every delivery of the topic
			// one messageId, and de-duplication would drop all but the first.
			const id = delivery === undefined ? shopifyId(body) : undefined;
			const messageId = delivery ?? (id === undefined ? contentId('shopify', topic, body) : contentId('shopify', topic, id, body.updated_at ?? body.created_at));
			const unknown = unknownTopic(shopify, input, topic, body, messageId, 'headers.x-shopify-topic');
			return unknown ? [unknown] : [];
		}
		const messageId = delivery ?? contentId('shopify', topic, shopifyId(body), body.updated_at ?? body.created_at);
		const when = header(input.headers, 'x-shopify-triggered-at') ?? body.updated_at ?? body.created_at ?? input.receivedAt;
		const timestamp = toIsoUtc(when, 'updated_at');
		// A checkout's amounts are in its presentment currency; a cart names none but its lines'
		// `price_set` do; an order's amounts are in `currency` (a customer's: see customerTraits).
		const currency =
			spec.kind === 'checkout'
				? (currencyCode(body.presentment_currency) ?? currencyCode(body.currency))
				: spec.kind === 'cart'
					? (presentmentCurrencyOfLines(body.line_items) ?? currencyCode(body.currency) ?? currencyCode(body.presentment_currency))
					: (currencyCode(body.currency) ?? currencyCode(body.presentment_currency));
		let properties: Record<string, unknown>;
		let userId: string | null;
		let email: string | null;
		let traits: Record<string, unknown> | undefined;
		let anonymousId: string | null = null;
		if (spec.kind !== 'checkout' && spec.kind !== 'cart' && spec.kind !== 'order' && spec.kind !== 'refund') {
			userId = shopifyId(body) ?? null;
			email = normalizeEmail(body.email);
			traits = customerTraits(body, email);
			properties = {};
		} else {
			({ userId, email, traits } = customerOf(body));
			if (spec.kind === 'checkout') {
				anonymousId = optionalString(body.cart_token) ?? optionalString(body.token) ?? null;
				properties = checkoutProperties(body, currency);
			} else if (spec.kind === 'cart') {
				anonymousId = optionalString(body.token) ?? optionalString(body.id) ?? null;
				properties = cartProperties(body, currency);
			} else if (spec.kind === 'order') {
				anonymousId = optionalString(body.cart_token) ?? optionalString(body.checkout_token) ?? null;
				properties = orderProperties(body, currency);
			} else properties = refundProperties(body, currency);
		}
		if (!userId && !anonymousId && !email) anonymousId = messageId;
		const receivedAt = isoOf(input.receivedAt);
		const context: CanonicalContext = { source: 'shopify', topic };
		const shop = header(input.headers, 'x-shopify-shop-domain');
		if (shop !== undefined) context.shop = shop;
		// A test delivery (the admin's "Send test notification") or a test order: the order's `test`
		// ("Whether this is a test order", Order resource), a refund's transactions' `test` (Transaction resource).
		if (header(input.headers, 'x-shopify-test') === 'true' || body.test === true || (spec.kind === 'refund' && hasTestTransaction(body.transactions))) context.test = true;
		const event: CanonicalEvent = traits
			? { type: 'track', event: spec.event, messageId, timestamp, receivedAt, userId, anonymousId, email, properties, traits, context }
			: { type: 'track', event: spec.event, messageId, timestamp, receivedAt, userId, anonymousId, email, properties, context };
		if (input.keepRaw) event.raw = body;
		return [event];
	},
};
