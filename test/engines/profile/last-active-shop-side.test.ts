/**
 * `lastActiveAt` and what the shop or the payment system does on its own: a payment that clears
 * days after the order (Stripe `checkout.session.async_payment_succeeded`, a SEPA / ACH debit;
 * Shopify `orders/paid` after a manual capture) and a change of the customer record (Stripe
 * `customer.updated` and its other `customer.*` topics, Shopify `customers/update` for an admin's or
 * an app's edit). Before, both moved `lastActiveAt` like the customer's own events, so a nightly
 * subscription renewal or a bulk tag edit in Shopify made every customer look active. The events
 * are the provider examples in test/fixtures/events, through the real mappers; the expected times
 * are the fixtures' own (Stripe `created` in epoch seconds: 1686089970 = 2023-06-06T22:19:30Z,
 * 1680893993 = 2023-04-07T18:59:53Z).
 */
import fs from 'node:fs';
import path from 'node:path';
import { applyEvent, emptyState, toProfile, validateEvent } from '../../../nodes/engines/profile/fold';
import { shopify } from '../../../nodes/engines/events/sources/shopify';
import { stripe } from '../../../nodes/engines/events/sources/stripe';
import type { EventSource } from '../../../nodes/engines/events/types';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/events', `${name}.json`), 'utf8'));

function mapped(source: EventSource, name: string, edit: (body: Record<string, unknown>) => void = () => undefined): CanonicalEvent {
	const f = fixture(name);
	edit(f.body);
	const [event] = source.normalize({ payload: f.body, headers: f.headers, receivedAt: new Date('2030-01-01T00:00:00Z') });
	return event;
}

function profileOf(events: CanonicalEvent[]) {
	const valid = events.map((e) => validateEvent(e));
	const s = emptyState('p1', valid[0].ts);
	for (const v of valid) applyEvent(s, v);
	return toProfile(s, new Date('2030-01-01T00:00:00Z'));
}

describe('lastActiveAt: the shop\'s and the payment system\'s own events do not move it', () => {
	it('a SEPA payment that clears three days after the Stripe checkout: the order is the activity, not the bank', () => {
		const order = mapped(stripe, 'stripe/checkout.session.completed');
		const paid = mapped(stripe, 'stripe/checkout.session.async_payment_succeeded');
		expect([order.event, paid.event, paid.userId]).toEqual(['Order Completed', 'Order Paid', order.userId]);
		const p = profileOf([order, paid]);
		expect(p.lastSeenAt).toBe('2023-06-09T22:19:30.000Z');
		expect(p.lastActiveAt).toBe('2023-06-06T22:19:30.000Z');
	});

	it('Stripe customer.updated and a subscription renewal (customer.subscription.updated) after the sign-up', () => {
		const signUp = mapped(stripe, 'stripe/customer.created');
		const updated = mapped(stripe, 'stripe/customer.updated');
		// the renewal a month later: Stripe's subscription object, as customer.* other than the customer itself
		const renewal = mapped(stripe, 'stripe/customer.updated', (body) => {
			body.id = 'evt_renewal_0001';
			body.type = 'customer.subscription.updated';
			body.created = 1683572400; // 2023-05-08T19:00:00Z
			body.data = { object: { id: 'sub_1', object: 'subscription', customer: 'cus_NffrFeUfNV2Hib', status: 'active' } };
		});
		expect([signUp.event, updated.event, renewal.event, renewal.userId]).toEqual(['Signed Up', 'Customer Updated', 'Customer Updated', signUp.userId]);
		const p = profileOf([signUp, updated, renewal]);
		expect(p.lastSeenAt).toBe('2023-05-08T19:00:00.000Z');
		expect(p.lastActiveAt).toBe('2023-04-07T18:59:53.000Z');
	});

	it('a Shopify customers/update from a bulk tag edit a year after the sign-up', () => {
		const signUp = mapped(shopify, 'shopify/customers-create');
		const edit = mapped(shopify, 'shopify/customers-update', (body) => {
			body.updated_at = '2023-01-02T09:30:00-05:00';
			body.tags = 'vip-2023';
		});
		expect([signUp.event, edit.event, edit.timestamp]).toEqual(['Signed Up', 'Customer Updated', '2023-01-02T14:30:00.000Z']);
		const p = profileOf([signUp, edit]);
		expect(p.lastSeenAt).toBe('2023-01-02T14:30:00.000Z');
		// customers-create: created_at 2021-12-31T19:00:00-05:00
		expect(p.lastActiveAt).toBe('2022-01-01T00:00:00.000Z');
	});
});
