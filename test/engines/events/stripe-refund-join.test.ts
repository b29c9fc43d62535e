/**
 * Stripe: a refund names the payment that the Checkout Session's Order Completed announced.
 * - A Checkout Session's `metadata` is the session's own: Stripe does not copy it to the
 *   PaymentIntent or its charges (stripe/stripe-node#1126, where Stripe answers that session
 *   metadata must be set through `payment_intent_data.metadata` to reach the PaymentIntent).
 *   So with the merchant's `metadata.order_id` on the session, Order Completed's `order_id` is
 *   that number while the charge.refunded of the same payment has no `order_id` in its metadata.
 * - Both payloads name the PaymentIntent: the session's `payment_intent` ("The ID of the
 *   PaymentIntent for Checkout Sessions in payment mode", https://docs.stripe.com/api/checkout/sessions/object)
 *   and the charge's `payment_intent` ("ID of the PaymentIntent associated with this charge, if
 *   one exists", https://docs.stripe.com/api/charges/object). Both events now carry it as
 *   `properties.payment_intent`.
 * - A subscription-mode session has no `payment_intent` (null): nothing to carry.
 */
import { fixtureBody, normalizeAs } from '../../harness/event-fixtures';

function session(type: string, metadata: Record<string, string>, paymentIntent: string | null): Record<string, unknown> {
	const body = fixtureBody('stripe', 'checkout.session.completed');
	body.type = type;
	const object = (body.data as Record<string, Record<string, unknown>>).object;
	object.metadata = metadata;
	object.payment_intent = paymentIntent;
	return body;
}

function refund(paymentIntent: string): Record<string, unknown> {
	const body = fixtureBody('stripe', 'charge.refunded');
	Object.assign((body.data as Record<string, Record<string, unknown>>).object, { payment_intent: paymentIntent, metadata: {} });
	return body;
}

describe('Stripe: Order Completed and Order Refunded of one payment share payment_intent', () => {
	it("a session with the merchant's metadata.order_id and the refund of its payment (no such metadata on the charge) both carry the PaymentIntent", () => {
		const [order] = normalizeAs('stripe', session('checkout.session.completed', { order_id: '6735' }, 'pi_3MtwBwLkdIwHu7ix28a3tqPa'), 'error');
		const [refunded] = normalizeAs('stripe', refund('pi_3MtwBwLkdIwHu7ix28a3tqPa'), 'error');
		expect(order).toMatchObject({ event: 'Order Completed', properties: { order_id: '6735', payment_intent: 'pi_3MtwBwLkdIwHu7ix28a3tqPa' } });
		// the charge knows nothing of 6735: its order_id is the PaymentIntent, as before
		expect(refunded).toMatchObject({ event: 'Order Refunded', properties: { order_id: 'pi_3MtwBwLkdIwHu7ix28a3tqPa', payment_intent: 'pi_3MtwBwLkdIwHu7ix28a3tqPa' } });
		expect(order.properties.payment_intent).toBe(refunded.properties.payment_intent);
	});

	it('the delayed-payment outcomes carry it too (Order Paid, Order Cancelled)', () => {
		for (const [type, event] of [
			['checkout.session.async_payment_succeeded', 'Order Paid'],
			['checkout.session.async_payment_failed', 'Order Cancelled'],
		]) {
			const [e] = normalizeAs('stripe', session(type, { order_id: '6735' }, 'pi_A'), 'error');
			expect(e).toMatchObject({ event, properties: { order_id: '6735', payment_intent: 'pi_A' } });
		}
	});

	it('a subscription-mode session (payment_intent null) and an expired session carry none', () => {
		const [subscription] = normalizeAs('stripe', session('checkout.session.completed', {}, null), 'error');
		expect(subscription.properties).not.toHaveProperty('payment_intent');
		expect(subscription.properties.order_id).toBe('cs_test_a1b2c3');
		const [expired] = normalizeAs('stripe', session('checkout.session.expired', {}, 'pi_B'), 'error');
		expect(expired.event).toBe('Checkout Abandoned');
		expect(expired.properties).not.toHaveProperty('payment_intent');
	});
});

/**
 * A subscription's first payment through Checkout: the session (mode `subscription`) has no
 * `payment_intent` (null) but names "the invoice created by the Checkout Session" in `invoice`
 * (https://docs.stripe.com/api/checkout/sessions/object); the refunded charge of that invoice's
 * payment names it in its own `invoice` ("ID of the invoice this charge is for if one exists",
 * the Charge object of API versions before 2025-03-31.basil, which removed the field:
 * https://docs.stripe.com/changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-invoices).
 * Its `payment_intent` is the invoice's PaymentIntent, which the session never names, so before
 * this the two events had no key in common.
 */
describe('Stripe: a subscription-mode Order Completed and the refund of its invoice share invoice_id', () => {
	function subscriptionSession(type: string): Record<string, unknown> {
		const body = session(type, {}, null);
		Object.assign((body.data as Record<string, Record<string, unknown>>).object, { mode: 'subscription', subscription: 'sub_1MowQVLkdIwHu7ixeRlqHVzs', invoice: 'in_1MtHbELkdIwHu7ixl4OzzPMv' });
		return body;
	}

	it('the session and the refunded charge of its invoice (no metadata) both carry invoice_id', () => {
		const [order] = normalizeAs('stripe', subscriptionSession('checkout.session.completed'), 'error');
		const body = refund('pi_3MtHbELkdIwHu7ix0Invoice');
		(body.data as Record<string, Record<string, unknown>>).object.invoice = 'in_1MtHbELkdIwHu7ixl4OzzPMv';
		const [refunded] = normalizeAs('stripe', body, 'error');
		expect(order).toMatchObject({ event: 'Order Completed', properties: { order_id: 'cs_test_a1b2c3', invoice_id: 'in_1MtHbELkdIwHu7ixl4OzzPMv' } });
		expect(order.properties).not.toHaveProperty('payment_intent');
		expect(refunded).toMatchObject({
			event: 'Order Refunded',
			properties: { order_id: 'pi_3MtHbELkdIwHu7ix0Invoice', payment_intent: 'pi_3MtHbELkdIwHu7ix0Invoice', invoice_id: 'in_1MtHbELkdIwHu7ixl4OzzPMv' },
		});
	});

	it('a charge without invoice (a one-time payment, or API version 2025-03-31.basil or later) and an expired session carry none', () => {
		const [refunded] = normalizeAs('stripe', refund('pi_A'), 'error');
		expect(refunded.properties).not.toHaveProperty('invoice_id');
		const [expired] = normalizeAs('stripe', subscriptionSession('checkout.session.expired'), 'error');
		expect(expired.properties).not.toHaveProperty('invoice_id');
	});
});
