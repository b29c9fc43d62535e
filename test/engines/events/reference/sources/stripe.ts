/**
 * Stripe events (https://docs.stripe.com/api/events/object): `{ id: "evt_…", type, created, data: { object } }`.
 * Amounts are integers in the currency's minor unit (https://docs.stripe.com/currencies#minor-units),
 * converted to major units here; currency codes are lower-case there, upper-case here.
 */
import type { CanonicalEvent, CanonicalEventType } from '../../../../../nodes/engines/types/CanonicalEvent';
import type { EventSource, NormalizeInput } from '../../../../../nodes/engines/events/types';
import { EventMappingError } from '../../../../../nodes/engines/events/types';
import { attribution, compact, currencyCode, isObject, isoOf, minorToMajor, money, normalizeEmail, obj, optionalString, toIsoUtc, unknownTopic } from '../util';

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
		let messageId = id; // stripe-invoices: an invoice's Order Completed is `order:<invoice id>`
		const type: CanonicalEventType = 'track';
		let properties: Record<string, unknown> = {};
		let userId: string | null = null;
		let email: string | null = null;
		let traits: Record<string, unknown> | undefined;
		const metadata = obj(object.metadata);
		if (topic.startsWith('checkout.session.') && ['completed', 'async_payment_succeeded', 'async_payment_failed', 'expired'].includes(topic.slice('checkout.session.'.length))) {
			// Review fix: a delayed payment's outcome (async_payment_succeeded / _failed) is Order Paid /
			// Order Cancelled for the same order_id as the Order Completed.
			const kind = topic.slice('checkout.session.'.length);
			event = kind === 'completed' ? 'Order Completed' : kind === 'async_payment_succeeded' ? 'Order Paid' : kind === 'async_payment_failed' ? 'Order Cancelled' : 'Checkout Abandoned';
			const currency = currencyCode(object.currency);
			const details = obj(object.customer_details);
			const totals = obj(object.total_details);
			userId = optionalString(object.client_reference_id) ?? optionalString(object.customer) ?? null;
			email = normalizeEmail(details.email) ?? normalizeEmail(object.customer_email);
			const total = minorToMajor(object.amount_total, currency);
			properties = {
				checkout_id: optionalString(object.id),
				order_id: optionalString(metadata.order_id) ?? (event !== 'Checkout Abandoned' ? optionalString(object.payment_intent) ?? optionalString(object.id) : undefined),
				// ev-fix: the payment's join key to its refunds (not on Checkout Abandoned)
				payment_intent: event !== 'Checkout Abandoned' ? optionalString(object.payment_intent) : undefined,
				// events-flags: a subscription-mode session's first invoice, the join key to its refunds
				invoice_id: event !== 'Checkout Abandoned' ? optionalString(object.invoice) : undefined,
				total,
				value: total,
				subtotal: minorToMajor(object.amount_subtotal, currency),
				tax: minorToMajor(totals.amount_tax, currency),
				shipping: minorToMajor(totals.amount_shipping, currency),
				discount: minorToMajor(totals.amount_discount, currency),
				currency,
				payment_status: optionalString(object.payment_status),
				recovery_url: optionalString(obj(obj(object.after_expiration).recovery).url),
				// review fix: the promotional-email consent, opt_in / opt_out as a boolean
				accepts_marketing: obj(object.consent).promotions === 'opt_in' ? true : obj(object.consent).promotions === 'opt_out' ? false : undefined,
				...attribution(metadata),
			};
			// stripe-invoices: the session that created an invoice and that invoice's payment are one order
			if (event === 'Order Completed' && optionalString(object.invoice) !== undefined) messageId = `order:${optionalString(object.invoice)}`;
		} else if (topic === 'invoice.paid' || topic === 'invoice.payment_succeeded') {
			// stripe-invoices: a paid invoice (renewal, first invoice, upgrade, one-off) is an Order Completed; nothing paid: unmapped
			const currency = currencyCode(object.currency);
			const paid = minorToMajor(object.amount_paid, currency);
			if (paid === undefined || paid <= 0) {
				const unknown = unknownTopic(stripe, input, `${topic} (nothing paid)`, body, id, 'data.object.amount_paid');
				return unknown ? [unknown] : [];
			}
			event = 'Order Completed';
			userId = optionalString(object.customer) ?? optionalString(obj(object.customer).id) ?? null;
			email = normalizeEmail(object.customer_email);
			const invoiceId = optionalString(object.id);
			if (invoiceId !== undefined) messageId = `order:${invoiceId}`;
			const sum = (list: unknown): number | undefined => (Array.isArray(list) ? list.reduce<number>((acc, x) => acc + (typeof obj(x).amount === 'number' && Number.isFinite(obj(x).amount) ? (obj(x).amount as number) : 0), 0) : undefined);
			const firstPayment = Array.isArray(obj(object.payments).data) ? (obj(object.payments).data as unknown[])[0] : undefined;
			const lines = obj(object.lines).data;
			properties = {
				order_id: optionalString(metadata.order_id) ?? invoiceId,
				invoice_id: invoiceId,
				subscription_id:
					optionalString(object.subscription) ??
					optionalString(obj(object.subscription).id) ??
					optionalString(obj(obj(object.parent).subscription_details).subscription) ??
					optionalString(obj(obj(obj(object.parent).subscription_details).subscription).id),
				billing_reason: optionalString(object.billing_reason),
				payment_intent: optionalString(object.payment_intent) ?? optionalString(obj(obj(firstPayment).payment).payment_intent),
				total: paid,
				value: paid,
				subtotal: minorToMajor(object.subtotal, currency),
				tax: minorToMajor(typeof object.tax === 'number' ? object.tax : (sum(object.total_taxes) ?? sum(object.total_tax_amounts)), currency),
				discount: minorToMajor(sum(object.total_discount_amounts), currency),
				currency,
				products: Array.isArray(lines)
					? lines
							.filter((line): line is Record<string, unknown> => isObject(line) && !(typeof line.amount === 'number' && line.amount < 0))
							.map((line) => {
								const details = obj(obj(line.pricing).price_details);
								const price = isObject(line.price) ? line.price : obj(line.plan);
								const quantity = typeof line.quantity === 'number' && Number.isFinite(line.quantity) ? line.quantity : undefined;
								const unit =
									money(obj(line.pricing).unit_amount_decimal) ??
									money(price.unit_amount_decimal) ??
									money(price.unit_amount) ??
									money(price.amount) ??
									(typeof line.amount === 'number' && quantity !== undefined && quantity > 0 ? line.amount / quantity : undefined);
								return compact({
									product_id: optionalString(details.product) ?? optionalString(price.product) ?? optionalString(obj(price.product).id),
									name: optionalString(line.description),
									variant: optionalString(details.price) ?? optionalString(price.id),
									price: minorToMajor(unit, currency),
									quantity,
								});
							})
					: undefined,
				...attribution(metadata),
			};
		} else if (topic === 'charge.refunded') {
			event = 'Order Refunded';
			const currency = currencyCode(object.currency);
			const billing = obj(object.billing_details);
			userId = optionalString(object.customer) ?? null;
			email = normalizeEmail(billing.email) ?? normalizeEmail(object.receipt_email);
			// Review fix: this refund = amount_refunded - previous_attributes.amount_refunded when a number.
			const previous = obj(obj(body.data).previous_attributes).amount_refunded;
			const refunded = minorToMajor(typeof object.amount_refunded === 'number' && typeof previous === 'number' ? object.amount_refunded - previous : object.amount_refunded, currency);
			properties = {
				order_id: optionalString(metadata.order_id) ?? optionalString(object.payment_intent) ?? optionalString(object.id),
				charge_id: optionalString(object.id),
				// ev-fix: the join key to the Checkout Session's Order Completed
				payment_intent: optionalString(object.payment_intent),
				// events-flags: the charge's invoice (API versions before 2025-03-31.basil)
				invoice_id: optionalString(object.invoice),
				total: refunded,
				value: refunded,
				amount_refunded_total: minorToMajor(object.amount_refunded, currency),
				currency,
			};
		} else if (topic.startsWith('customer.')) {
			const isCustomer = object.object === 'customer';
			event = topic === 'customer.created' ? 'Signed Up' : topic === 'customer.deleted' ? 'Customer Deleted' : 'Customer Updated';
			userId = optionalString(isCustomer ? object.id : object.customer) ?? null;
			email = isCustomer ? normalizeEmail(object.email) : null;
			if (isCustomer) {
				traits = compact({ email: email ?? undefined, name: optionalString(object.name), phone: optionalString(object.phone), created_at: typeof object.created === 'number' ? toIsoUtc(object.created, 'data.object.created') : undefined });
			} else properties = { object: optionalString(object.object), status: optionalString(object.status) };
		} else {
			const unknown = unknownTopic(stripe, input, topic, body, id, 'type');
			return unknown ? [unknown] : [];
		}
		return [
			{
				type,
				event,
				messageId,
				timestamp,
				receivedAt: isoOf(input.receivedAt),
				userId,
				anonymousId: userId || email ? null : id,
				email,
				properties: compact(properties),
				...(traits ? { traits } : {}),
				context: compact({ source: 'stripe', topic, livemode: typeof body.livemode === 'boolean' ? body.livemode : undefined, test: body.livemode === false ? true : undefined }), // stest: test mode
				...(input.keepRaw ? { raw: body } : {}),
			},
		];
	},
};
