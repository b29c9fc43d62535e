/**
 * Stripe invoice payments (Stripe Billing) as Order Completed: a subscription's renewals used to
 * make none (invoice.* was an unknown topic), so RFM, lifetime value and "active buyers" never saw
 * a subscriber's payments after the first.
 * - `invoice.paid` ("Occurs whenever an invoice payment attempt succeeds or an invoice is marked as
 *   paid out-of-band") and `invoice.payment_succeeded` (a payment attempt succeeded) both announce
 *   a paid invoice: an endpoint subscribed to both gets two events of one payment. Both map to one
 *   Order Completed whose messageId is `order:<invoice id>`, so the second is a duplicate.
 * - A subscription bought through Checkout: checkout.session.completed (its `invoice` names the
 *   first invoice) and that invoice's invoice.paid (billing_reason subscription_create) are one
 *   order: the session's Order Completed takes the same messageId. A subscription created through
 *   the API has no session: its first invoice's payment is its Order Completed.
 * - Nothing paid (a trial's invoice, amount_paid 0): no order.
 * Expected values by hand from the fixtures (built on Stripe's documented Invoice and Invoice Line
 * Item objects): 1000 cents of USD = 10; 1980 JPY = 1980 (zero-decimal); 1683236467 =
 * 2023-05-04T21:41:07Z.
 */
import { EventMappingError } from '../../../nodes/engines/events/types';
import { fixtureBody, normalizeAs } from '../../harness/event-fixtures';

type Body = Record<string, unknown>;
const objectOf = (body: Body) => (body.data as Record<string, Body>).object;

/** The documented renewal (invoice.paid fixture) as another topic / event id, with `changes` to the invoice. */
function invoice(type: string, eventId: string, changes: Body = {}): Body {
	const body = fixtureBody('stripe', 'invoice.paid');
	body.type = type;
	body.id = eventId;
	Object.assign(objectOf(body), changes);
	return body;
}

describe('Stripe invoice.paid / invoice.payment_succeeded: Order Completed of the invoice', () => {
	it('a renewal: Order Completed with the invoice as order, amount_paid in major units, the lines as products', () => {
		const [e] = normalizeAs('stripe', invoice('invoice.paid', 'evt_1'), 'error');
		expect(e).toMatchObject({
			event: 'Order Completed',
			messageId: 'order:in_1MtHbELkdIwHu7ixl4OzzPMv',
			timestamp: '2023-05-04T21:41:07.000Z',
			userId: 'cus_NeZwdNtLEOXuvB',
			email: 'jennyrosen@example.com',
			properties: {
				order_id: 'in_1MtHbELkdIwHu7ixl4OzzPMv',
				invoice_id: 'in_1MtHbELkdIwHu7ixl4OzzPMv',
				subscription_id: 'sub_1MowQVLkdIwHu7ixeRlqHVzs',
				billing_reason: 'subscription_cycle',
				payment_intent: 'pi_3MtHbELkdIwHu7ix0Renewal',
				total: 10,
				value: 10,
				currency: 'USD',
				products: [{ product_id: 'prod_OnMHDH6VBmYlTr', variant: 'price_1NzlYfGgdF1VjufL0cVjLJVI', price: 10, quantity: 1 }],
			},
		});
	});

	it('invoice.paid and invoice.payment_succeeded of one invoice are one order: same messageId and order_id', () => {
		const [paid] = normalizeAs('stripe', invoice('invoice.paid', 'evt_paid'), 'error');
		const [succeeded] = normalizeAs('stripe', invoice('invoice.payment_succeeded', 'evt_succeeded'), 'error');
		expect(succeeded.event).toBe('Order Completed');
		expect(succeeded.messageId).toBe(paid.messageId);
		expect(succeeded.properties.order_id).toBe(paid.properties.order_id);
		// the next month's renewal is another invoice, another order
		const [next] = normalizeAs('stripe', invoice('invoice.paid', 'evt_next', { id: 'in_1NextMonthRenewal' }), 'error');
		expect(next.messageId).toBe('order:in_1NextMonthRenewal');
	});

	it('API version 2025-03-31.basil (subscription under parent.subscription_details, line pricing), JPY zero-decimal, tax and discount', () => {
		const [e] = normalizeAs('stripe', fixtureBody('stripe', 'invoice.payment_succeeded'), 'error');
		expect(e).toMatchObject({
			event: 'Order Completed',
			messageId: 'order:in_1R8BasilRenewalJpy01',
			properties: {
				subscription_id: 'sub_1R8BasilTeam0001',
				total: 1980,
				subtotal: 2000,
				tax: 180,
				discount: 200,
				currency: 'JPY',
				products: [{ product_id: 'prod_R8TeamSeat', variant: 'price_1R8BasilSeatJpy', price: 1000, quantity: 2 }],
			},
			context: { livemode: true },
		});
		expect(e.context).not.toHaveProperty('test');
	});

	it("a subscription bought through Checkout: the session's Order Completed and its first invoice's are one order (same messageId)", () => {
		const session = fixtureBody('stripe', 'checkout.session.completed');
		Object.assign(objectOf(session), { mode: 'subscription', payment_intent: null, subscription: 'sub_1MowQVLkdIwHu7ixeRlqHVzs', invoice: 'in_1MtHbELkdIwHu7ixl4OzzPMv' });
		const [fromSession] = normalizeAs('stripe', session, 'error');
		const [fromInvoice] = normalizeAs('stripe', invoice('invoice.paid', 'evt_first', { billing_reason: 'subscription_create' }), 'error');
		expect(fromSession).toMatchObject({ event: 'Order Completed', properties: { invoice_id: 'in_1MtHbELkdIwHu7ixl4OzzPMv' } });
		expect(fromInvoice).toMatchObject({ event: 'Order Completed', properties: { invoice_id: 'in_1MtHbELkdIwHu7ixl4OzzPMv', billing_reason: 'subscription_create' } });
		expect(fromSession.messageId).toBe('order:in_1MtHbELkdIwHu7ixl4OzzPMv');
		expect(fromInvoice.messageId).toBe(fromSession.messageId);
	});

	it('a one-time Checkout payment (no invoice) keeps its event id; a subscription created through the API gets its first Order Completed from the invoice', () => {
		const [oneTime] = normalizeAs('stripe', fixtureBody('stripe', 'checkout.session.completed'), 'error');
		expect(oneTime.messageId).toBe('evt_1NG8Du2eZvKYlo2CUI79vXWy');
		const [first] = normalizeAs('stripe', invoice('invoice.paid', 'evt_api', { id: 'in_1ApiCreatedFirst', billing_reason: 'subscription_create' }), 'error');
		expect(first).toMatchObject({ event: 'Order Completed', messageId: 'order:in_1ApiCreatedFirst', properties: { total: 10, billing_reason: 'subscription_create' } });
	});

	it('nothing paid (a trial invoice): no order; unmapped like an unknown topic', () => {
		const trial = invoice('invoice.paid', 'evt_trial', { amount_due: 0, amount_paid: 0, subtotal: 0, total: 0, billing_reason: 'subscription_create' });
		expect(normalizeAs('stripe', trial, 'skip')).toEqual([]);
		expect(() => normalizeAs('stripe', trial, 'error')).toThrow(EventMappingError);
		expect(() => normalizeAs('stripe', trial, 'error')).toThrow(/invoice\.paid \(nothing paid\)/);
		const [unknown] = normalizeAs('stripe', trial, 'passThrough');
		expect(unknown).toMatchObject({ event: 'Unknown', context: { source: 'stripe', topic: 'invoice.paid (nothing paid)' } });
	});

	it("a proration's credit line (negative amount: unused time) is no product; the charged line is", () => {
		const lines = objectOf(invoice('invoice.paid', 'x')).lines as { data: Body[] };
		const charged = { ...lines.data[0], amount: 2500, quantity: 1, description: 'Remaining time on Business plan', price: { id: 'price_Business', product: 'prod_Business', unit_amount: 2500 } };
		const credit = { ...lines.data[0], amount: -1000, description: 'Unused time on Pro plan' };
		const [e] = normalizeAs('stripe', invoice('invoice.paid', 'evt_upgrade', { billing_reason: 'subscription_update', amount_paid: 1500, lines: { data: [credit, charged] } }), 'error');
		expect(e.properties).toMatchObject({ billing_reason: 'subscription_update', total: 15 });
		expect(e.properties.products).toEqual([{ product_id: 'prod_Business', name: 'Remaining time on Business plan', variant: 'price_Business', price: 25, quantity: 1 }]);
	});

	it('invoice.payment_failed stays unmapped (no canonical event for a failed payment attempt)', () => {
		expect(normalizeAs('stripe', invoice('invoice.payment_failed', 'evt_failed', { amount_paid: 0, status: 'open' }), 'skip')).toEqual([]);
	});
});
