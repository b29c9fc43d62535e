/**
 * Shopify webhooks: the topic travels in `X-Shopify-Topic`, the delivery id in
 * `X-Shopify-Webhook-Id` (https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook-to-ensure-its-coming-from-shopify),
 * the payload is the REST resource (https://shopify.dev/docs/api/webhooks?reference=toml).
 * Money fields are decimal strings in major units ("59.99") with the order's `currency`.
 */
import type { CanonicalEvent, CanonicalEventType, CanonicalProduct } from '../../../../../nodes/engines/types/CanonicalEvent';
import type { EventSource, NormalizeInput } from '../../../../../nodes/engines/events/types';
import { EventMappingError } from '../../../../../nodes/engines/events/types';
import { compact, contentId, currencyCode, header, isObject, isoOf, lineProduct, money, normalizeEmail, obj, optionalIsoUtc, optionalString, own, product, roundMoney, toIsoUtc, unknownTopic } from '../util';

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

// event-map: Shopify's money fields are in different currencies per resource (Abandoned checkouts:
// amounts "in presentment currency", `currency` the shop's default; Order: amounts "in the shop
// currency"; `*_set` = { shop_money, presentment_money } with currency_code). A cart names no
// currency: its lines' price_set.presentment_money gives amount and currency together.
function setMoney(set: unknown, side: 'shop_money' | 'presentment_money'): { amount?: number; currency?: string } {
	const m = obj(obj(set)[side]);
	return { amount: money(m.amount), currency: currencyCode(m.currency_code) };
}

function lineItems(items: unknown, fromPresentmentSet = false): CanonicalProduct[] | undefined {
	if (!Array.isArray(items)) return undefined;
	const out: CanonicalProduct[] = [];
	for (const item of items) {
		if (!isObject(item)) continue;
		const setPrice = fromPresentmentSet ? setMoney(item.price_set, 'presentment_money').amount : undefined;
		out.push(
			lineProduct(
				optionalString(item.product_id),
				optionalString(item.variant_id) ?? optionalString(item.variant_title),
				optionalString(item.sku),
				optionalString(item.title) ?? optionalString(item.name),
				setPrice ?? money(item.price),
				item.quantity,
				optionalString(item.vendor),
				out.length + 1,
			),
		);
	}
	return out;
}

/** Shopify ids can exceed 2^53: the `admin_graphql_api_id` string keeps them exact. */
export function shopifyId(record: Record<string, unknown>): string | undefined {
	const gid = typeof record.admin_graphql_api_id === 'string' ? /\/(\d+)$/.exec(record.admin_graphql_api_id) : null;
	return gid ? gid[1] : optionalString(record.id);
}

function customerOf(body: Record<string, unknown>): { userId: string | null; email: string | null; traits?: Record<string, unknown> } {
	const customer = obj(body.customer);
	const email = normalizeEmail(body.email) ?? normalizeEmail(body.contact_email) ?? normalizeEmail(customer.email);
	const userId = shopifyId(customer) ?? null;
	const traits = compact({
		first_name: optionalString(customer.first_name),
		last_name: optionalString(customer.last_name),
		phone: optionalString(customer.phone) ?? optionalString(body.phone),
	});
	return { userId, email, traits: Object.keys(traits).length ? traits : undefined };
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
		const messageId = delivery ?? contentId('shopify', topic, shopifyId(body), body.updated_at ?? body.created_at);
		const spec = own(TOPICS, topic);
		if (!spec) {
			// unknown-id: a body with no id of its own (customers/redact: {shop_id, shop_domain, customer,
			// orders_to_redact}, shopify.dev/docs/apps/build/privacy-law-compliance) and no delivery id
			// is told apart by its whole content, not by its topic alone.
			const unknownId = delivery === undefined && shopifyId(body) === undefined ? contentId('shopify', topic, body) : messageId;
			const unknown = unknownTopic(shopify, input, topic, body, unknownId, 'headers.x-shopify-topic');
			return unknown ? [unknown] : [];
		}
		const when = header(input.headers, 'x-shopify-triggered-at') ?? body.updated_at ?? body.created_at ?? input.receivedAt;
		const timestamp = toIsoUtc(when, 'updated_at');
		const shopFirst = currencyCode(body.currency) ?? currencyCode(body.presentment_currency);
		const firstSetLine = Array.isArray(body.line_items) ? body.line_items.find((l) => isObject(l) && isObject(l.price_set)) : undefined;
		const currency =
			spec.kind === 'checkout'
				? currencyCode(body.presentment_currency) ?? currencyCode(body.currency)
				: spec.kind === 'cart'
					? (firstSetLine ? setMoney((firstSetLine as Record<string, unknown>).price_set, 'presentment_money').currency : undefined) ?? shopFirst
					: shopFirst;
		let properties: Record<string, unknown> = {};
		let { userId, email, traits } = customerOf(body);
		let anonymousId: string | null = null;
		let type: CanonicalEventType = 'track';
		if (spec.kind === 'checkout') {
			anonymousId = optionalString(body.cart_token) ?? optionalString(body.token) ?? null;
			properties = {
				checkout_id: optionalString(body.token) ?? optionalString(body.id),
				cart_id: optionalString(body.cart_token),
				total: money(body.total_price),
				subtotal: money(body.subtotal_price),
				tax: money(body.total_tax),
				discount: money(body.total_discounts),
				currency,
				recovery_url: optionalString(body.abandoned_checkout_url),
				accepts_marketing: typeof body.buyer_accepts_marketing === 'boolean' ? body.buyer_accepts_marketing : undefined, // review fix
				products: lineItems(body.line_items),
			};
			properties.value = properties.total;
			// Abandoned checkouts resource: `completed_at` is when the checkout was completed (the order
			// placed); an invalid date is refused, naming the field
			properties.completed_at = optionalIsoUtc(body.completed_at, 'completed_at');
		} else if (spec.kind === 'cart') {
			anonymousId = optionalString(body.token) ?? optionalString(body.id) ?? null;
			const products = lineItems(body.line_items, true);
			const value = products?.reduce((sum, p) => sum + (p.price ?? 0) * (p.quantity ?? 1), 0);
			properties = { cart_id: optionalString(body.token) ?? optionalString(body.id), products, value: value === undefined ? undefined : roundMoney(value, currency), currency };
		} else if (spec.kind === 'order') {
			anonymousId = optionalString(body.cart_token) ?? optionalString(body.checkout_token) ?? null;
			const codes = Array.isArray(body.discount_codes) ? body.discount_codes.filter(isObject).map((d) => optionalString(d.code)).filter(Boolean) : [];
			const shipping = money(obj(obj(body.total_shipping_price_set).shop_money).amount);
			const total = money(body.total_price);
			const tax = money(body.total_tax);
			properties = {
				order_id: shopifyId(body),
				order_number: optionalString(body.name) ?? optionalString(body.order_number),
				checkout_id: optionalString(body.checkout_token) ?? optionalString(body.checkout_id),
				cart_id: optionalString(body.cart_token),
				total,
				subtotal: money(body.subtotal_price),
				// ev-fix: with taxes_included, the subtotal less the items' taxes (total_tax less the shipping lines' taxes)
				revenue:
					body.taxes_included === true && money(body.subtotal_price) !== undefined && tax !== undefined
						? roundMoney(
								money(body.subtotal_price)! -
									(tax -
										(Array.isArray(body.shipping_lines) ? body.shipping_lines : [])
											.filter(isObject)
											.flatMap((l) => (Array.isArray(l.tax_lines) ? l.tax_lines.filter(isObject) : []))
											.reduce((sum, t) => sum + (money(t.price) ?? 0), 0)),
								currency,
							)
						: money(body.subtotal_price),
				tax,
				shipping,
				discount: money(body.total_discounts),
				coupon: codes.length ? codes.join(',') : undefined,
				currency,
				value: total,
				financial_status: optionalString(body.financial_status),
				cancel_reason: optionalString(body.cancel_reason),
				products: lineItems(body.line_items),
			};
		} else if (spec.kind === 'refund') {
			const transactions = Array.isArray(body.transactions) ? body.transactions.filter(isObject) : [];
			// Review fix: only kind "refund" + status "success" (missing fields count), rounded per currency.
			const refunded = transactions.filter((t) => (t.kind === undefined || t.kind === 'refund') && (t.status === undefined || t.status === 'success')).reduce((sum, t) => sum + (money(t.amount) ?? 0), 0);
			const txCurrency = transactions.map((t) => currencyCode(t.currency)).find(Boolean);
			const items = Array.isArray(body.refund_line_items) ? body.refund_line_items.filter(isObject) : [];
			const refundCurrency = txCurrency ?? currency;
			// event-map: a refunded line's price in the refund's currency (price_set side with that code), else `price`.
			const linePrice = (line: Record<string, unknown>): number | undefined => {
				const sides = refundCurrency === undefined ? [] : (['shop_money', 'presentment_money'] as const).map((side) => setMoney(line.price_set, side));
				const match = sides.find((m) => m.currency === refundCurrency);
				return match ? match.amount : money(line.price);
			};
			properties = {
				order_id: optionalString(body.order_id),
				refund_id: shopifyId(body),
				total: transactions.length ? roundMoney(refunded, txCurrency ?? currency) : undefined,
				currency: txCurrency ?? currency,
				reason: optionalString(body.note),
				products: items.length
					? items.map((r, i) => {
							const line = obj(r.line_item);
							return product({ product_id: optionalString(line.product_id), sku: optionalString(line.sku), name: optionalString(line.title) ?? optionalString(line.name), price: linePrice(line), quantity: typeof r.quantity === 'number' ? r.quantity : undefined, position: i + 1 });
						})
					: undefined,
			};
			properties.value = properties.total;
		} else {
			userId = shopifyId(body) ?? null;
			email = normalizeEmail(body.email);
			traits = compact({
				email: email ?? undefined,
				first_name: optionalString(body.first_name),
				last_name: optionalString(body.last_name),
				phone: optionalString(body.phone),
				accepts_marketing: obj(body.email_marketing_consent).state === undefined ? body.accepts_marketing : obj(body.email_marketing_consent).state === 'subscribed',
				orders_count: body.orders_count,
				// woolegacy: the customer's `currency` is the one of their last order (REST Customer resource), not
				// the one total_spent is in (the shop's, not in the payload): only an amount_spent money object
				// { amount, currency_code } gives the sum with its currency.
				total_spent: money(obj(body.amount_spent).amount) ?? money(body.total_spent),
				currency: money(obj(body.amount_spent).amount) === undefined ? undefined : currencyCode(obj(body.amount_spent).currency_code),
				// REST Customer resource: `currency` is the currency of the customer's last order
				last_order_currency: currencyCode(body.currency),
				tags: optionalString(body.tags),
				created_at: optionalIsoUtc(body.created_at, 'created_at'),
			});
			properties = {};
			type = 'track';
		}
		if (!userId && !anonymousId && !email) anonymousId = messageId;
		const event: CanonicalEvent = {
			type,
			event: spec.event,
			messageId,
			timestamp,
			receivedAt: isoOf(input.receivedAt),
			userId,
			anonymousId,
			email,
			properties: compact(properties),
			...(traits ? { traits } : {}),
			context: compact({
				source: 'shopify',
				topic,
				shop: header(input.headers, 'x-shopify-shop-domain'),
				test:
					// mapping-review: a test order (the order's `test`) or a refund with a test transaction is marked too
					header(input.headers, 'x-shopify-test') === 'true' || body.test === true || (spec.kind === 'refund' && Array.isArray(body.transactions) && body.transactions.some((t) => isObject(t) && t.test === true)) ? true : undefined,
			}),
			...(input.keepRaw ? { raw: body } : {}),
		};
		return [event];
	},
};
