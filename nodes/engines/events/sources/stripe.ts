/**
 * Stripe events (https://docs.stripe.com/api/events/object): `{ id: "evt_…", type, created, data: { object } }`.
 * Amounts are integers in the currency's minor unit (https://docs.stripe.com/currencies#minor-units),
 * converted to major units here; currency codes are lower-case there, upper-case here.
 */
import type { CanonicalContext, CanonicalEvent, CanonicalEventType, CanonicalProduct } from '../../types/CanonicalEvent';
import { addAttribution } from '../../types/attribution';
import type { EventSource, NormalizeInput } from '../types';
import { EventMappingError } from '../types';
import { currencyCode, isObject, isoOf, minorToMajor, money, normalizeEmail, obj, optionalString, own, toIsoUtc, unknownTopic } from '../util';

/**
 * Checkout Session events (https://docs.stripe.com/checkout/fulfillment). With a delayed payment
 * method (SEPA Debit, ACH, Bacs…) `checkout.session.completed` comes with `payment_status: "unpaid"`
 * and the outcome follows days later as `checkout.session.async_payment_succeeded` (the session now
 * `paid`) or `checkout.session.async_payment_failed`: Order Paid / Order Cancelled, with the same
 * `order_id` as the Order Completed (so the order is counted once, and a failed payment withdraws it).
 */
const CHECKOUT_EVENTS: Record<string, string> = {
	'checkout.session.completed': 'Order Completed',
	'checkout.session.async_payment_succeeded': 'Order Paid',
	'checkout.session.async_payment_failed': 'Order Cancelled',
	'checkout.session.expired': 'Checkout Abandoned',
};

/**
 * Invoice payments (Stripe Billing: a subscription's renewals, its first invoice, an upgrade's
 * proration, usage, a one-off invoice): Order Completed. Stripe sends `invoice.paid` ("Occurs
 * whenever an invoice payment attempt succeeds or an invoice is marked as paid out-of-band") and
 * `invoice.payment_succeeded` (a payment attempt succeeded), so one invoice paid by card comes twice
 * when the endpoint has both topics. An invoice is paid once, so both give the Order Completed the
 * messageId `invoiceOrderId(invoice)`: the trigger's de-duplication and Record Events (which keeps
 * every messageId it recorded) keep the first of them only.
 */
const INVOICE_PAID: ReadonlySet<string> = new Set(['invoice.paid', 'invoice.payment_succeeded']);

/**
 * The messageId of the Order Completed of Stripe invoice `invoiceId`, whichever event announced it:
 * `invoice.paid`, `invoice.payment_succeeded`, or the `checkout.session.completed` of the Checkout
 * Session that created the invoice (a subscription's first invoice, or a payment-mode session with
 * invoice creation on), whose `invoice` names it. The session and the invoice's payment are one
 * order; which of them arrives first is not fixed (Stripe does not order webhook deliveries), and
 * that one is kept.
 */
export function invoiceOrderId(invoiceId: string): string {
	return `order:${invoiceId}`;
}

/** An invoice's subscription: `subscription` before API version 2025-03-31.basil, `parent.subscription_details.subscription` since. */
function invoiceSubscription(invoice: Record<string, unknown>): string | undefined {
	const legacy = invoice.subscription;
	const basil = obj(obj(invoice.parent).subscription_details).subscription;
	return optionalString(legacy) ?? optionalString(obj(legacy).id) ?? optionalString(basil) ?? optionalString(obj(basil).id);
}

/**
 * The PaymentIntent that paid the invoice: `payment_intent` before 2025-03-31.basil; since, the first
 * of `payments.data[].payment.payment_intent` (the Invoice Payment objects, when the list is included).
 */
function invoicePaymentIntent(invoice: Record<string, unknown>): string | undefined {
	const legacy = optionalString(invoice.payment_intent);
	if (legacy !== undefined) return legacy;
	const payments = obj(invoice.payments).data;
	return Array.isArray(payments) ? optionalString(obj(obj(payments[0]).payment).payment_intent) : undefined;
}

/** The sum of `list[].amount` (minor units; an empty list: 0), or undefined when there is no list. */
function sumAmounts(list: unknown): number | undefined {
	if (!Array.isArray(list)) return undefined;
	let sum = 0;
	for (const entry of list) {
		const amount = obj(entry).amount;
		if (typeof amount === 'number' && Number.isFinite(amount)) sum += amount;
	}
	return sum;
}

/**
 * The invoice's lines (`lines.data`, the first page Stripe sends) as products. Product and price:
 * `price.product` / `price.id` (or the older `plan`) before 2025-03-31.basil, `pricing.price_details`
 * since; unit price: the price's `unit_amount` (basil: `pricing.unit_amount_decimal`, minor units),
 * else the line's `amount` over its quantity. Credit lines (negative `amount`: unused time refunded
 * by a proration) are no product bought and are left out.
 */
function invoiceProducts(lines: unknown, currency: string | undefined): CanonicalProduct[] | undefined {
	const data = obj(lines).data;
	if (!Array.isArray(data)) return undefined;
	const products: CanonicalProduct[] = [];
	for (const entry of data) {
		if (!isObject(entry)) continue;
		const amount = entry.amount;
		if (typeof amount === 'number' && amount < 0) continue;
		const details = obj(obj(entry.pricing).price_details);
		const price = isObject(entry.price) ? entry.price : obj(entry.plan);
		const product: CanonicalProduct = {};
		const productId = optionalString(details.product) ?? optionalString(price.product) ?? optionalString(obj(price.product).id);
		if (productId !== undefined) product.product_id = productId;
		const name = optionalString(entry.description);
		if (name !== undefined) product.name = name;
		const priceId = optionalString(details.price) ?? optionalString(price.id);
		if (priceId !== undefined) product.variant = priceId;
		const quantity = typeof entry.quantity === 'number' && Number.isFinite(entry.quantity) ? entry.quantity : undefined;
		const unitMinor =
			money(obj(entry.pricing).unit_amount_decimal) ??
			money(price.unit_amount_decimal) ??
			money(price.unit_amount) ??
			money(price.amount) ??
			(typeof amount === 'number' && quantity !== undefined && quantity > 0 ? amount / quantity : undefined);
		const unit = minorToMajor(unitMinor, currency);
		if (unit !== undefined) product.price = unit;
		if (quantity !== undefined) product.quantity = quantity;
		products.push(product);
	}
	return products;
}

export const stripe: EventSource = {
	id: 'stripe',
	displayName: 'Stripe',
	topics: [
		{ topic: 'checkout.session.completed', event: 'Order Completed' },
		{ topic: 'checkout.session.async_payment_succeeded', event: 'Order Paid' },
		{ topic: 'checkout.session.async_payment_failed', event: 'Order Cancelled' },
		{ topic: 'checkout.session.expired', event: 'Checkout Abandoned' },
		{ topic: 'customer.created', event: 'Signed Up' },
		{ topic: 'customer.updated', event: 'Customer Updated' },
		{ topic: 'customer.deleted', event: 'Customer Deleted' },
		{ topic: 'customer.* (other: subscription, source, discount…)', event: 'Customer Updated' },
		{ topic: 'charge.refunded', event: 'Order Refunded' },
		{ topic: 'invoice.paid', event: 'Order Completed' },
		{ topic: 'invoice.payment_succeeded', event: 'Order Completed' },
	],
	normalize(input: NormalizeInput): CanonicalEvent[] {
		const body = input.payload;
		if (!isObject(body)) throw new EventMappingError('the Stripe body must be a JSON object', 'body');
		const topic = optionalString(body.type);
		const id = optionalString(body.id);
		if (!topic) throw new EventMappingError('the Stripe event has no "type"', 'type');
		if (!id) throw new EventMappingError('the Stripe event has no "id"', 'id');
		const object = obj(obj(body.data).object);
		const timestamp = toIsoUtc(body.created ?? input.receivedAt, 'created');
		let event: string;
		let messageId = id;
		const type: CanonicalEventType = 'track';
		// Properties and traits are built key by key in the order of the former object literals
		// (which went through `compact`), leaving out undefined values: same objects, no copy.
		const properties: Record<string, unknown> = {};
		let userId: string | null = null;
		let email: string | null = null;
		let traits: Record<string, unknown> | undefined;
		const metadata = obj(object.metadata);
		const checkoutEvent = own(CHECKOUT_EVENTS, topic);
		if (checkoutEvent !== undefined) {
			event = checkoutEvent;
			const currency = currencyCode(object.currency);
			const details = obj(object.customer_details);
			const totals = obj(object.total_details);
			userId = optionalString(object.client_reference_id) ?? optionalString(object.customer) ?? null;
			email = normalizeEmail(details.email) ?? normalizeEmail(object.customer_email);
			const total = minorToMajor(object.amount_total, currency);
			const checkoutId = optionalString(object.id);
			if (checkoutId !== undefined) properties.checkout_id = checkoutId;
			const paymentIntent = event !== 'Checkout Abandoned' ? optionalString(object.payment_intent) : undefined;
			const orderId = optionalString(metadata.order_id) ?? (event !== 'Checkout Abandoned' ? (paymentIntent ?? optionalString(object.id)) : undefined);
			if (orderId !== undefined) properties.order_id = orderId;
			// The join key to the payment's refunds (charge.refunded carries the same `payment_intent`):
			// a session's `metadata` stays on the session, so a `metadata.order_id` set there is not on
			// the charge that a refund reports.
			if (paymentIntent !== undefined) properties.payment_intent = paymentIntent;
			// A subscription-mode session has no PaymentIntent; its first payment is the session's
			// `invoice` ("ID of the invoice created by the Checkout Session, if it exists"), the id that
			// the refunded charge of that invoice names in its own `invoice` (API versions before
			// 2025-03-31.basil, which removed `invoice` from the Charge).
			const invoiceId = event !== 'Checkout Abandoned' ? optionalString(object.invoice) : undefined;
			if (invoiceId !== undefined) properties.invoice_id = invoiceId;
			// The invoice's own invoice.paid / invoice.payment_succeeded is the same order: one messageId (see invoiceOrderId).
			if (invoiceId !== undefined && event === 'Order Completed') messageId = invoiceOrderId(invoiceId);
			if (total !== undefined) {
				properties.total = total;
				properties.value = total;
			}
			const subtotal = minorToMajor(object.amount_subtotal, currency);
			if (subtotal !== undefined) properties.subtotal = subtotal;
			const tax = minorToMajor(totals.amount_tax, currency);
			if (tax !== undefined) properties.tax = tax;
			const shipping = minorToMajor(totals.amount_shipping, currency);
			if (shipping !== undefined) properties.shipping = shipping;
			const discount = minorToMajor(totals.amount_discount, currency);
			if (discount !== undefined) properties.discount = discount;
			if (currency !== undefined) properties.currency = currency;
			const paymentStatus = optionalString(object.payment_status);
			if (paymentStatus !== undefined) properties.payment_status = paymentStatus;
			const recoveryUrl = optionalString(obj(obj(object.after_expiration).recovery).url);
			if (recoveryUrl !== undefined) properties.recovery_url = recoveryUrl;
			// The buyer's answer to Checkout's promotional-email consent (`consent_collection.promotions`),
			// which Stripe requires before a cart-recovery email: opt_in → true, opt_out → false.
			const promotions = obj(object.consent).promotions;
			if (promotions === 'opt_in' || promotions === 'opt_out') properties.accepts_marketing = promotions === 'opt_in';
			addAttribution(properties, metadata);
		} else if (topic === 'charge.refunded') {
			event = 'Order Refunded';
			const currency = currencyCode(object.currency);
			const billing = obj(object.billing_details);
			userId = optionalString(object.customer) ?? null;
			email = normalizeEmail(billing.email) ?? normalizeEmail(object.receipt_email);
			// `amount_refunded` is the charge's cumulative refunded amount, and the event fires for every
			// partial refund: this refund is the increase over `data.previous_attributes.amount_refunded`
			// (in integer minor units, before conversion), when Stripe sends it.
			const cumulative = object.amount_refunded;
			const previous = obj(obj(body.data).previous_attributes).amount_refunded;
			const refunded = minorToMajor(typeof cumulative === 'number' && typeof previous === 'number' ? cumulative - previous : cumulative, currency);
			const refundedTotal = minorToMajor(cumulative, currency);
			const paymentIntent = optionalString(object.payment_intent);
			const orderId = optionalString(metadata.order_id) ?? paymentIntent ?? optionalString(object.id);
			if (orderId !== undefined) properties.order_id = orderId;
			const chargeId = optionalString(object.id);
			if (chargeId !== undefined) properties.charge_id = chargeId;
			// The Checkout Session's Order Completed carries the same `payment_intent` (see above).
			if (paymentIntent !== undefined) properties.payment_intent = paymentIntent;
			// The charge's invoice (a subscription payment), the join key to a subscription-mode
			// session's Order Completed (see above); Charges of API version 2025-03-31.basil or later have none.
			const invoiceId = optionalString(object.invoice);
			if (invoiceId !== undefined) properties.invoice_id = invoiceId;
			if (refunded !== undefined) {
				properties.total = refunded;
				properties.value = refunded;
			}
			if (refundedTotal !== undefined) properties.amount_refunded_total = refundedTotal;
			if (currency !== undefined) properties.currency = currency;
		} else if (INVOICE_PAID.has(topic)) {
			const currency = currencyCode(object.currency);
			const paid = minorToMajor(object.amount_paid, currency);
			// Nothing paid (a trial's invoice, one covered by a 100% coupon or the customer's credit
			// balance): no order. Unmapped, as an unknown topic.
			if (paid === undefined || paid <= 0) {
				const unknown = unknownTopic(stripe, input, `${topic} (nothing paid)`, body, id, 'data.object.amount_paid');
				return unknown ? [unknown] : [];
			}
			event = 'Order Completed';
			userId = optionalString(object.customer) ?? optionalString(obj(object.customer).id) ?? null;
			email = normalizeEmail(object.customer_email);
			const invoiceId = optionalString(object.id);
			if (invoiceId !== undefined) messageId = invoiceOrderId(invoiceId);
			const orderId = optionalString(metadata.order_id) ?? invoiceId;
			if (orderId !== undefined) properties.order_id = orderId;
			if (invoiceId !== undefined) properties.invoice_id = invoiceId;
			const subscription = invoiceSubscription(object);
			if (subscription !== undefined) properties.subscription_id = subscription;
			// subscription_create (first invoice), subscription_cycle (renewal), subscription_update, manual…
			const billingReason = optionalString(object.billing_reason);
			if (billingReason !== undefined) properties.billing_reason = billingReason;
			// The refund of this payment (charge.refunded) names the same PaymentIntent.
			const paymentIntent = invoicePaymentIntent(object);
			if (paymentIntent !== undefined) properties.payment_intent = paymentIntent;
			// What the customer paid now (`amount_paid`); the invoice's total may be larger when credit covered part.
			properties.total = paid;
			properties.value = paid;
			const subtotal = minorToMajor(object.subtotal, currency);
			if (subtotal !== undefined) properties.subtotal = subtotal;
			// `total_taxes[].amount` since 2025-03-31.basil; before, `tax` (null when no tax applies) and `total_tax_amounts[].amount`.
			const tax = minorToMajor(typeof object.tax === 'number' ? object.tax : (sumAmounts(object.total_taxes) ?? sumAmounts(object.total_tax_amounts)), currency);
			if (tax !== undefined) properties.tax = tax;
			const discount = minorToMajor(sumAmounts(object.total_discount_amounts), currency);
			if (discount !== undefined) properties.discount = discount;
			if (currency !== undefined) properties.currency = currency;
			const products = invoiceProducts(object.lines, currency);
			if (products !== undefined) properties.products = products;
			addAttribution(properties, metadata);
		} else if (topic.startsWith('customer.')) {
			const isCustomer = object.object === 'customer';
			event = topic === 'customer.created' ? 'Signed Up' : topic === 'customer.deleted' ? 'Customer Deleted' : 'Customer Updated';
			userId = optionalString(isCustomer ? object.id : object.customer) ?? null;
			email = isCustomer ? normalizeEmail(object.email) : null;
			if (isCustomer) {
				traits = {};
				if (email !== null) traits.email = email;
				const customerName = optionalString(object.name);
				if (customerName !== undefined) traits.name = customerName;
				const phone = optionalString(object.phone);
				if (phone !== undefined) traits.phone = phone;
				if (typeof object.created === 'number') traits.created_at = toIsoUtc(object.created, 'data.object.created');
			} else {
				const kind = optionalString(object.object);
				if (kind !== undefined) properties.object = kind;
				const status = optionalString(object.status);
				if (status !== undefined) properties.status = status;
			}
		} else {
			const unknown = unknownTopic(stripe, input, topic, body, id, 'type');
			return unknown ? [unknown] : [];
		}
		const receivedAt = isoOf(input.receivedAt);
		const anonymousId = userId || email ? null : id;
		const context: CanonicalContext = { source: 'stripe', topic };
		if (typeof body.livemode === 'boolean') context.livemode = body.livemode;
		// livemode false: the event's object "exists in test mode" (https://docs.stripe.com/api/events/object),
		// a test payment or customer: marked as Shopify test orders are.
		if (body.livemode === false) context.test = true;
		const out: CanonicalEvent = traits
			? { type, event, messageId, timestamp, receivedAt, userId, anonymousId, email, properties, traits, context }
			: { type, event, messageId, timestamp, receivedAt, userId, anonymousId, email, properties, context };
		if (input.keepRaw) out.raw = body;
		return [out];
	},
};
