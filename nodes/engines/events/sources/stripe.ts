/**
 * Stripe events (https://docs.stripe.com/api/events/object): `{ id: "evt_…", type, created, data: { object } }`.
 * Amounts are integers in the currency's minor unit (https://docs.stripe.com/currencies#minor-units),
 * converted to major units here; currency codes are lower-case there, upper-case here.
 */
import type { CanonicalContext, CanonicalEvent, CanonicalEventType } from '../../types/CanonicalEvent';
import { addAttribution } from '../../types/attribution';
import type { EventSource, NormalizeInput } from '../types';
import { EventMappingError } from '../types';
import { currencyCode, isObject, isoOf, minorToMajor, normalizeEmail, obj, optionalString, own, toIsoUtc, unknownTopic } from '../util';

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
			? { type, event, messageId: id, timestamp, receivedAt, userId, anonymousId, email, properties, traits, context }
			: { type, event, messageId: id, timestamp, receivedAt, userId, anonymousId, email, properties, context };
		if (input.keepRaw) out.raw = body;
		return [out];
	},
};
