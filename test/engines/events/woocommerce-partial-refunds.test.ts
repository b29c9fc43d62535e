/**
 * WooCommerce partial refunds. WooCommerce has no refund webhook: a refund saves the order, so it
 * comes as order.updated, and the order's status becomes `refunded` only when the whole order is
 * refunded; a partial refund leaves it `processing` / `completed`. The order resource lists its
 * refunds ("refunds: List of refunds", each `{ id, reason, total }`,
 * https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties; WooCommerce writes the
 * refund's total negative, "-10.00"). Such an Order Updated said nothing of the refund; it now
 * carries all refunds so far as `amount_refunded_total` (positive, the name Stripe's Order Refunded
 * uses for the charge's refunds so far).
 * By hand: refunds of 10.00 and 5.35 USD on the documented 29.35 USD order → 15.35.
 */
import { woocommerce } from '../../../nodes/engines/events/sources/woocommerce';
import { fixtureBody } from '../../harness/event-fixtures';

const receivedAt = new Date('2026-01-01T00:00:00.000Z');
const updated = (changes: Record<string, unknown>) =>
	woocommerce.normalize({ payload: { ...fixtureBody('woocommerce', 'order.updated'), ...changes }, headers: { 'x-wc-webhook-topic': 'order.updated' }, receivedAt })[0];

describe('WooCommerce order.updated: refunds so far', () => {
	it('a partial refund (status still processing) is an Order Updated with amount_refunded_total', () => {
		const e = updated({ refunds: [{ id: 901, reason: 'damaged', total: '-10.00' }, { id: 902, reason: '', total: '-5.35' }] });
		expect(e).toMatchObject({ event: 'Order Updated', properties: { order_id: '727', status: 'processing', total: 29.35, currency: 'USD', amount_refunded_total: 15.35 } });
	});

	it('a full refund (status refunded) is Order Refunded with the whole total refunded', () => {
		const e = updated({ status: 'refunded', refunds: [{ id: 903, reason: '', total: '-29.35' }] });
		expect(e).toMatchObject({ event: 'Order Refunded', properties: { total: 29.35, amount_refunded_total: 29.35 } });
	});

	it('no refunds (an empty list, or none): no amount_refunded_total', () => {
		expect(updated({ refunds: [] }).properties).not.toHaveProperty('amount_refunded_total');
		expect(updated({}).properties).not.toHaveProperty('amount_refunded_total');
	});
});
