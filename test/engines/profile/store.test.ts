/**
 * The profile store engine, the same suite against both backends (SQLite file, real PostgreSQL).
 * Expected values are computed by hand from the events written in each test.
 */
import fc from 'fast-check';
import fs from 'node:fs';
import { PostgresProfileStore, SqliteProfileStore, toMinor, type ProfileStore, type StoreOptions } from '../../../nodes/engines/profile';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { dropPrefix, pgConnection, PROFILE_T0, profileEvent, profileTime, tempSqliteFile, uniquePrefix } from '../../harness/profile-db';

const DAY = 86_400_000;
const T0 = PROFILE_T0;
const at = profileTime;
const ev = (partial: Partial<CanonicalEvent> & { event: string }, minutes = 0): CanonicalEvent => profileEvent<CanonicalEvent>(partial, minutes, 'm');

interface Backend {
	name: string;
	open(options?: StoreOptions): Promise<ProfileStore>;
	cleanup(): Promise<void>;
}

const prefixes: string[] = [];
const open: ProfileStore[] = [];

const backends: Backend[] = [
	{
		name: 'sqlite',
		async open(options = {}) {
			const store = new SqliteProfileStore(tempSqliteFile(), { tablePrefix: 'pz_', ...options });
			open.push(store);
			return store;
		},
		async cleanup() {},
	},
	{
		name: 'postgres',
		async open(options = {}) {
			const prefix = uniquePrefix('eng');
			prefixes.push(prefix);
			const store = new PostgresProfileStore(pgConnection, { ...options, tablePrefix: prefix });
			open.push(store);
			return store;
		},
		async cleanup() {
			for (const p of prefixes.splice(0)) await dropPrefix(p);
		},
	},
];

afterEach(async () => {
	for (const s of open.splice(0)) await s.close();
});

describe('toMinor (ISO 4217 exponents)', () => {
	it('converts major to minor units per currency', () => {
		expect(toMinor(19.99, 'USD')).toBe(1999);
		expect(toMinor(1.005, 'USD')).toBe(101);
		expect(toMinor(0.1 + 0.2, 'EUR')).toBe(30);
		expect(toMinor(500, 'JPY')).toBe(500);
		expect(toMinor(1.234, 'KWD')).toBe(1234);
	});
});

describe.each(backends)('profile store on $name', (backend) => {
	afterAll(() => backend.cleanup());

	it('folds orders (integer minor units per currency), first/last seen and last order', async () => {
		const store = await backend.open();
		const r = await store.record([
			ev({ event: 'Identify', userId: 'u1', email: 'Ann@Example.com', traits: { first_name: 'Ann' } }, 0),
			ev({ event: 'Order Completed', userId: 'u1', properties: { order_id: 'o1', total: 19.99, currency: 'usd' } }, 10),
			ev({ event: 'Order Completed', userId: 'u1', properties: { order_id: 'o2', total: 5.01, currency: 'USD' } }, 20),
			ev({ event: 'Order Completed', userId: 'u1', properties: { order_id: 'o3', revenue: 10, currency: 'EUR' } }, 5),
		]);
		expect(r.map((x) => x.status)).toEqual(['recorded', 'recorded', 'recorded', 'recorded']);
		expect(new Set(r.map((x) => x.profileId)).size).toBe(1);
		const p = await store.get({ userId: 'u1' });
		expect(p).toMatchObject({
			userId: 'u1',
			email: 'ann@example.com',
			ordersCount: 3,
			totalSpentMinor: { USD: 2500, EUR: 1000 },
			firstOrderAt: at(5),
			lastOrderAt: at(20),
			firstSeenAt: at(0),
			lastSeenAt: at(20),
			traits: { first_name: 'Ann' },
		});
		expect(await store.get({ email: ' ANN@example.com' })).toEqual(p);
		expect(await store.get({ userId: 'nobody' })).toBeNull();
	});

	it('records the same messageId once', async () => {
		const store = await backend.open();
		const order = ev({ event: 'Order Completed', userId: 'u2', properties: { total: 10, currency: 'USD' } }, 1);
		const first = await store.record([order, { ...order }]);
		expect(first.map((x) => x.status)).toEqual(['recorded', 'duplicate']);
		const before = await store.get({ userId: 'u2' });
		const again = await store.record([order]);
		expect(again[0].status).toBe('duplicate');
		expect(again[0].profileId).toBe(before!.profileId);
		const after = await store.get({ userId: 'u2' });
		expect(after).toEqual(before);
		expect(after!.ordersCount).toBe(1);
		expect(after!.totalSpentMinor).toEqual({ USD: 1000 });
	});

	it('a numeric timestamp at the edge of the range of dates: -8.64e15 ms is stored and read back, one millisecond more is invalid; the future edge is refused as future', async () => {
		// A Date holds ±8.64e15 ms exactly (https://tc39.es/ecma262/#sec-time-values-and-time-range):
		// new Date(-8.64e15) is -271821-04-20T00:00:00.000Z, new Date(-8.64e15 - 1) is an invalid date.
		// +8.64e15 (+275760-09-13) lies far more than a day after any receivedAt or recording time.
		const store = await backend.open();
		const edge = { ...ev({ event: 'Identify', userId: 'edge' }), timestamp: 8.64e15 } as unknown as CanonicalEvent;
		const past = { ...ev({ event: 'Identify', userId: 'past' }), timestamp: -8.64e15 } as unknown as CanonicalEvent;
		const beyond = { ...ev({ event: 'Identify', userId: 'beyond' }), timestamp: -8.64e15 - 1 } as unknown as CanonicalEvent;
		const r = await store.record([edge, past, beyond]);
		expect(r.map((x) => x.status)).toEqual(['invalid', 'recorded', 'invalid']);
		expect(r[0]).toMatchObject({ field: 'timestamp' });
		expect(r[0].error).toContain('more than 24 hours after');
		expect(r[2]).toMatchObject({ field: 'timestamp' });
		expect(r[2].error).toContain('outside the dates that can be stored');
		expect(await store.get({ userId: 'beyond' })).toBeNull();
		expect(await store.get({ userId: 'edge' })).toBeNull();
		expect((await store.get({ userId: 'past' }))?.firstSeenAt).toBe('-271821-04-20T00:00:00.000Z');
	});

	it('fails bad events one by one and changes nothing for them', async () => {
		const store = await backend.open();
		const good = ev({ event: 'Product Viewed', anonymousId: 'a-ok', properties: { product_id: 'p1' } }, 1);
		const noIdentity = ev({ event: 'Order Completed', properties: { total: 5 } }, 2);
		const badTime = ev({ event: 'Order Completed', userId: 'u-bad', properties: { total: 5 } }, 3);
		badTime.timestamp = 'yesterday-ish';
		const r = await store.record([noIdentity, good, badTime, 'not an event']);
		expect(r.map((x) => x.status)).toEqual(['invalid', 'recorded', 'invalid', 'invalid']);
		expect(r[0]).toMatchObject({ field: 'userId' });
		expect(r[0].error).toContain('no identity');
		expect(r[2]).toMatchObject({ field: 'timestamp' });
		expect(r[2].error).toContain('yesterday-ish');
		expect(await store.get({ userId: 'u-bad' })).toBeNull();
		expect((await store.exportProfiles()).length).toBe(1);
		expect((await store.exportTransactions()).length).toBe(0);
	});

	it('merges the anonymous profile into the known one on identify, events included', async () => {
		const store = await backend.open();
		await store.record([
			ev({ event: 'Product Viewed', anonymousId: 'anon-1', properties: { product_id: 'p1', name: 'Shoe', price: 50 } }, 1),
			ev({ event: 'Products Searched', anonymousId: 'anon-1', properties: { query: 'red shoes' } }, 2),
		]);
		await store.record([ev({ event: 'Order Completed', userId: 'u3', email: 'u3@example.com', properties: { total: 20, currency: 'USD' } }, 3)]);
		const anon = await store.get({ anonymousId: 'anon-1' });
		const known = await store.get({ userId: 'u3' });
		expect(anon!.profileId).not.toBe(known!.profileId);
		await store.record([ev({ event: 'Identify', userId: 'u3', anonymousId: 'anon-1', traits: { plan: 'gold' } }, 4)]);
		const merged = await store.get({ anonymousId: 'anon-1' });
		expect(merged).toEqual(await store.get({ userId: 'u3' }));
		expect(merged).toMatchObject({
			profileId: known!.profileId,
			userId: 'u3',
			email: 'u3@example.com',
			anonymousIds: ['anon-1'],
			ordersCount: 1,
			recentViews: [{ product_id: 'p1', name: 'Shoe', price: 50, at: at(1) }],
			recentSearches: ['red shoes'],
			firstSeenAt: at(1),
			lastSeenAt: at(4),
			traits: { plan: 'gold' },
		});
		// The anonymous events moved with the profile.
		const since = await store.hasEventSince({ userId: 'u3' }, 'Product Viewed', new Date(T0));
		expect(since).toMatchObject({ profileFound: true, happened: true, count: 1, at: at(1) });
		expect((await store.exportProfiles()).length).toBe(1);
	});

	it('merges a profile reached by both the email and the anonymous id into the known customer once', async () => {
		const store = await backend.open();
		// A known customer (userId only), and a visitor who left that address in a sign-up form.
		await store.record([ev({ event: 'Order Completed', userId: 'kb', properties: { total: 10, currency: 'USD' } }, 1)]);
		await store.record([
			ev({ event: 'Product Viewed', email: 'kb@example.com', anonymousId: 'kb-device', properties: { product_id: 'p1' } }, 2),
			ev({ event: 'Order Completed', email: 'kb@example.com', anonymousId: 'kb-device', properties: { total: 5, currency: 'EUR' } }, 3),
		]);
		const known = (await store.get({ userId: 'kb' }))!.profileId;
		expect((await store.get({ email: 'kb@example.com' }))!.profileId).not.toBe(known);
		// The log-in names all three: the email-and-device profile joins the known one (before: TypeError).
		const r = await store.record([ev({ event: 'Identify', userId: 'kb', email: 'kb@example.com', anonymousId: 'kb-device' }, 4)]);
		expect(r).toEqual([{ status: 'recorded', messageId: expect.any(String), profileId: known }]);
		const merged = await store.get({ anonymousId: 'kb-device' });
		expect(merged).toEqual(await store.get({ userId: 'kb' }));
		expect(merged).toMatchObject({
			profileId: known,
			userId: 'kb',
			email: 'kb@example.com',
			anonymousIds: ['kb-device'],
			ordersCount: 2,
			totalSpentMinor: { USD: 1000, EUR: 500 },
			firstOrderAt: at(1),
			lastOrderAt: at(3),
			firstSeenAt: at(1),
			lastSeenAt: at(4),
			recentViews: [{ product_id: 'p1', at: at(2) }],
		});
		expect(await store.hasEventSince({ userId: 'kb' }, 'Order Completed', new Date(T0))).toMatchObject({ count: 2 });
		expect((await store.exportProfiles()).length).toBe(1);
	});

	it('a logged-out visit linking a known device to an email-only profile keeps the known customer\'s profileId', async () => {
		const store = await backend.open();
		await store.record([ev({ event: 'Identify', userId: 'u-known', anonymousId: 'device-1' }, 1)]);
		const known = (await store.get({ userId: 'u-known' }))!.profileId;
		await store.record([ev({ event: 'Email Opened', email: 'x@example.com' }, 2)]);
		const emailOnly = (await store.get({ email: 'x@example.com' }))!.profileId;
		expect(emailOnly).not.toBe(known);
		// No userId on the event: the email-only profile joins the known one, not the other way round.
		await store.record([ev({ event: 'Product Viewed', email: 'x@example.com', anonymousId: 'device-1', properties: { product_id: 'p1' } }, 3)]);
		expect((await store.get({ userId: 'u-known' }))!.profileId).toBe(known);
		expect((await store.get({ email: 'x@example.com' }))!.profileId).toBe(known);
		expect((await store.get({ anonymousId: 'device-1' }))!.profileId).toBe(known);
		expect((await store.exportProfiles()).length).toBe(1);
	});

	it('Check Suppression sees an unsubscribe recorded under a second customer id that shares the address', async () => {
		const store = await backend.open();
		await store.record([ev({ event: 'Identify', userId: 'first', email: 'shared@example.com' }, 1)]);
		// The address already belongs to "first": the second customer's unsubscribe goes to its own profile.
		await store.record([ev({ event: 'Unsubscribed', userId: 'second', email: 'shared@example.com' }, 2)]);
		expect((await store.get({ userId: 'second' }))).toMatchObject({ unsubscribed: true, email: 'shared@example.com' });
		const s = await store.isSuppressed(['Shared@example.com', 'other@example.com']);
		expect(s.get('shared@example.com')).toEqual({ suppressed: true, unsubscribed: true, bounced: false, complained: false, known: true });
		expect(s.get('other@example.com')).toEqual({ suppressed: false, unsubscribed: false, bounced: false, complained: false, known: false });
	});

	it('does not merge two known customers who share an anonymous id', async () => {
		const store = await backend.open();
		await store.record([
			ev({ event: 'Identify', userId: 'alice', anonymousId: 'shared-device' }, 1),
			ev({ event: 'Identify', userId: 'bob', anonymousId: 'shared-device' }, 2),
		]);
		const alice = await store.get({ userId: 'alice' });
		const bob = await store.get({ userId: 'bob' });
		expect(alice!.profileId).not.toBe(bob!.profileId);
		expect(bob!.userId).toBe('bob');
		expect((await store.get({ anonymousId: 'shared-device' }))!.userId).toBe('alice');
	});

	it('keeps the open cart until an order completes after it', async () => {
		const store = await backend.open();
		const products = [
			{ product_id: 'p1', name: 'Mug', price: 12.5, quantity: 2 },
			{ product_id: 'p2', name: 'Tea', price: 5, quantity: 1 },
		];
		await store.record([
			ev({ event: 'Checkout Started', userId: 'u4', properties: { checkout_id: 'c1', value: 30, currency: 'EUR', products, recovery_url: 'https://shop.example/r/c1' } }, 10),
			// An older order arriving late must not clear the newer cart.
			ev({ event: 'Order Completed', userId: 'u4', properties: { total: 9, currency: 'EUR' } }, 5),
		]);
		expect((await store.get({ userId: 'u4' }))!.openCart).toEqual({
			checkout_id: 'c1',
			value: 30,
			currency: 'EUR',
			recovery_url: 'https://shop.example/r/c1',
			products,
			updatedAt: at(10),
		});
		await store.record([ev({ event: 'Product Added', userId: 'u4', properties: { product_id: 'p3', name: 'Pot', price: 20, quantity: 1 } }, 11)]);
		const cart = (await store.get({ userId: 'u4' }))!.openCart!;
		expect(cart.products.map((l) => [l.product_id, l.quantity])).toEqual([['p1', 2], ['p2', 1], ['p3', 1]]);
		// 12.5*2 + 5 + 20 = 50 (the snapshot value is stale after an added line, so it is recomputed)
		expect(cart.value).toBe(50);
		expect(cart.updatedAt).toBe(at(11));
		await store.record([ev({ event: 'Order Completed', userId: 'u4', properties: { total: 50, currency: 'EUR' } }, 12)]);
		expect((await store.get({ userId: 'u4' }))!.openCart).toBeNull();
	});

	it('keeps the last N product views (one per product) and searches', async () => {
		const store = await backend.open({ recentViews: 3, recentSearches: 2 });
		const events = [1, 2, 3, 4, 2].map((n, i) => ev({ event: 'Product Viewed', email: 'v@example.com', properties: { product_id: `p${n}` } }, i));
		events.push(ev({ event: 'Products Searched', email: 'v@example.com', properties: { query: 'a' } }, 10));
		events.push(ev({ event: 'Products Searched', email: 'v@example.com', properties: { query: 'b' } }, 11));
		events.push(ev({ event: 'Products Searched', email: 'v@example.com', properties: { query: 'c' } }, 12));
		await store.record(events);
		const p = await store.get({ email: 'v@example.com' });
		expect(p!.recentViews.map((v) => [v.product_id, v.at])).toEqual([['p2', at(4)], ['p4', at(3)], ['p3', at(2)]]);
		expect(p!.recentSearches).toEqual(['c', 'b']);
	});

	it('counts email engagement over 30 and 90 days and sets suppression flags', async () => {
		const store = await backend.open();
		const now = T0 + 100 * DAY;
		const mins = (daysAgo: number) => (now - daysAgo * DAY - T0) / 60_000;
		await store.record([
			ev({ event: 'Email Delivered', email: 'e@example.com' }, mins(5)),
			ev({ event: 'Email Delivered', email: 'e@example.com' }, mins(40)),
			ev({ event: 'Email Delivered', email: 'e@example.com' }, mins(95)),
			ev({ event: 'Email Opened', email: 'e@example.com' }, mins(4)),
			ev({ event: 'Email Opened', email: 'e@example.com' }, mins(60)),
			ev({ event: 'Email Link Clicked', email: 'e@example.com' }, mins(50)),
			ev({ event: 'Unsubscribed', email: 'e@example.com' }, mins(3)),
			ev({ event: 'Email Bounced', email: 'b@example.com' }, mins(3)),
			// Soft bounces (SES Transient, Brevo soft_bounce, Postmark SoftBounce, SendGrid blocked) do not suppress.
			ev({ event: 'Email Bounced', email: 'soft@example.com', properties: { bounce_type: 'soft' } }, mins(3)),
			ev({ event: 'Email Bounced', email: 'hard@example.com', properties: { bounce_type: 'soft' } }, mins(4)),
			ev({ event: 'Email Bounced', email: 'hard@example.com', properties: { bounce_type: 'hard' } }, mins(2)),
		]);
		const p = await store.get({ email: 'e@example.com' }, new Date(now));
		expect(p!.engagement).toEqual({
			delivered_30d: 1,
			opened_30d: 1,
			clicked_30d: 0,
			delivered_90d: 2,
			opened_90d: 2,
			clicked_90d: 1,
			last_open_at: new Date(now - 4 * DAY).toISOString(),
			last_click_at: new Date(now - 50 * DAY).toISOString(),
		});
		expect(p).toMatchObject({ unsubscribed: true, bounced: false, complained: false });
		const s = await store.isSuppressed(['E@example.com', 'b@example.com', 'new@example.com']);
		expect(s.get('e@example.com')).toEqual({ suppressed: true, unsubscribed: true, bounced: false, complained: false, known: true });
		expect(s.get('b@example.com')).toMatchObject({ suppressed: true, bounced: true });
		const soft = await store.isSuppressed(['soft@example.com', 'hard@example.com']);
		expect(soft.get('soft@example.com')).toEqual({ suppressed: false, unsubscribed: false, bounced: false, complained: false, known: true });
		expect(soft.get('hard@example.com')).toMatchObject({ suppressed: true, bounced: true });
		expect(s.get('new@example.com')).toEqual({ suppressed: false, unsubscribed: false, bounced: false, complained: false, known: false });
	});

	it('answers "did X happen since" from a time, excluding the triggering event', async () => {
		const store = await backend.open();
		const cart = ev({ event: 'Checkout Started', userId: 'u5', properties: { products: [{ product_id: 'p' }] } }, 10);
		await store.record([cart, ev({ event: 'Order Completed', userId: 'u5', properties: { total: 1 } }, 5)]);
		const since = { timestamp: Date.parse(cart.timestamp), receivedAt: Date.parse(cart.receivedAt!), messageId: cart.messageId };
		expect(await store.hasEventSince({ userId: 'u5' }, 'Order Completed', since)).toEqual({
			profileFound: true,
			happened: false,
			at: null,
			count: 0,
		});
		await store.record([ev({ event: 'Order Completed', userId: 'u5', properties: { total: 1 } }, 70)]);
		expect(await store.hasEventSince({ userId: 'u5' }, 'Order Completed', since)).toEqual({
			profileFound: true,
			happened: true,
			at: at(70),
			count: 1,
		});
		expect(await store.hasEventSince({ userId: 'u5' }, 'Checkout Started', since)).toMatchObject({ happened: false });
		expect(await store.hasEventSince({ userId: 'ghost' }, 'Order Completed', since)).toEqual({
			profileFound: false,
			happened: false,
			at: null,
			count: 0,
		});
	});

	it('keeps quotes, backslashes, braces, commas, control characters (U+0001 included) and non-ASCII intact', async () => {
		// PostgreSQL sends profile states and event bodies joined by U+0001 and columns as arrays.
		const weird = 'q"uo\\te\u0001sep\u0002,{a,b}\n\t"NULL" é 😀';
		const store = await backend.open();
		await store.record([
			ev({ event: 'Identify', userId: `u-${weird}`, anonymousId: `a-${weird}`, email: `E-${weird}@x.org`, traits: { note: weird, [weird]: 1 } }, 1),
			ev({ event: 'Product Viewed', anonymousId: `a-${weird}`, properties: { product_id: weird, name: weird } }, 2),
		]);
		await store.record([
			ev({ event: 'Order Completed', userId: `u-${weird}`, properties: { order_id: weird, total: 1.5, currency: 'USD' } }, 3),
			ev({ event: 'Identify', userId: `u-${weird}`, anonymousId: `b-${weird}` }, 4),
		]);
		const p = await store.get({ userId: `u-${weird}` });
		expect(p).toMatchObject({
			userId: `u-${weird}`,
			email: `e-${weird}@x.org`.toLowerCase(),
			anonymousIds: [`a-${weird}`, `b-${weird}`],
			recentViews: [{ product_id: weird, name: weird, at: at(2) }],
			traits: { note: weird, [weird]: 1 },
			ordersCount: 1,
		});
		expect(await store.get({ email: `E-${weird}@x.org` })).toEqual(p);
		const tx = await store.exportTransactions();
		expect(tx.map((t) => [t.orderId, t.userId])).toEqual([[weird, `u-${weird}`]]);
		expect(await store.hasEventSince({ anonymousId: `b-${weird}` }, 'Product Viewed', new Date(T0))).toMatchObject({ happened: true, count: 1 });
	});

	it('exports profiles and transactions for scoring', async () => {
		const store = await backend.open();
		await store.record([
			ev({ event: 'Order Completed', userId: 'x1', email: 'x1@example.com', properties: { order_id: 'A', total: 12.34, currency: 'USD' } }, 2),
			ev({ event: 'Order Completed', userId: 'x2', properties: { order_id: 'B', total: 1000, currency: 'JPY' } }, 1),
			ev({ event: 'Product Viewed', userId: 'x3', properties: { product_id: 'p' } }, 3),
		]);
		const tx = await store.exportTransactions();
		expect(tx.map(({ profileId: _p, messageId: _m, customer_id: _c, ...t }) => t)).toEqual([
			{ userId: 'x2', email: null, orderId: 'B', at: at(1), currency: 'JPY', amountMinor: 1000, amount: 1000, timestamp: at(1) },
			{ userId: 'x1', email: 'x1@example.com', orderId: 'A', at: at(2), currency: 'USD', amountMinor: 1234, amount: 12.34, timestamp: at(2) },
		]);
		// customer_id / timestamp: what Customer Segments RFM reads by default (FIT-5)
		const x1 = await store.get({ userId: 'x1' });
		expect(tx[1].customer_id).toBe(x1!.profileId);
		expect(tx.map((t) => t.customer_id)).toEqual(tx.map((t) => t.profileId));
		const profiles = await store.exportProfiles();
		expect(profiles.map((p) => p.userId).sort()).toEqual(['x1', 'x2', 'x3']);
		expect((await store.exportProfiles({ limit: 2 })).length).toBe(2);
		expect((await store.exportTransactions({ since: new Date(Date.parse(at(2))) })).map((t) => t.orderId)).toEqual(['A']);
	});

	it('erases a customer with identities and events, and reports it', async () => {
		const store = await backend.open();
		await store.record([
			ev({ event: 'Identify', userId: 'gone', email: 'gone@example.com', anonymousId: 'ga' }, 1),
			ev({ event: 'Order Completed', userId: 'gone', properties: { total: 3 } }, 2),
			ev({ event: 'Order Completed', userId: 'stays', properties: { total: 3 } }, 2),
		]);
		expect(await store.erase({ email: 'gone@example.com' })).toMatchObject({ found: true, profilesDeleted: 1, identitiesDeleted: 3, eventsDeleted: 2 });
		expect(await store.get({ userId: 'gone' })).toBeNull();
		expect(await store.get({ anonymousId: 'ga' })).toBeNull();
		expect((await store.exportTransactions()).map((t) => t.userId)).toEqual(['stays']);
		expect(await store.erase({ userId: 'gone' })).toEqual({ found: false, profileId: null, profilesDeleted: 0, identitiesDeleted: 0, eventsDeleted: 0, sendsDeleted: 0 });
	});

	it('deletes raw events past the retention window but keeps the profile', async () => {
		const store = await backend.open({ retentionDays: 30 });
		const now = new Date(T0 + 40 * DAY);
		await store.record(
			[
				ev({ event: 'Order Completed', userId: 'r1', properties: { total: 1 } }, 0),
				ev({ event: 'Order Completed', userId: 'r1', properties: { total: 2 } }, 20 * 24 * 60),
			],
			{ now },
		);
		// record() pruned on its way out: the day-0 order is older than 30 days before `now`.
		expect((await store.exportTransactions()).map((t) => t.amount)).toEqual([2]);
		expect((await store.get({ userId: 'r1' }))!.ordersCount).toBe(2);
		expect(await store.pruneEvents(new Date(T0 + 60 * DAY))).toBe(1);
	});

	it('a failing retention clean-up after the commit does not turn recorded events into a failure', async () => {
		const store = await backend.open({ retentionDays: 30 });
		let pruned = 0;
		// The clean-up runs after the batch's COMMIT; make it fail as a store failure would.
		store.pruneEvents = async () => {
			pruned++;
			throw new Error('disk I/O error');
		};
		const results = await store.record([ev({ event: 'Order Completed', userId: 'c1', properties: { total: 5 } }, 0)], { now: new Date(T0 + DAY) });
		expect(pruned).toBe(1);
		expect(results.map((r) => r.status)).toEqual(['recorded']);
		expect((await store.get({ userId: 'c1' }))!.ordersCount).toBe(1);
	});

	it('ends with the same profiles whatever the arrival order and batching', async () => {
		const q = { userId: 'q' };
		const sg = (topic: string) => ({ source: 'sendgrid', topic });
		const pm = { source: 'postmark', topic: 'SubscriptionChange', stream: 'broadcast' };
		const ses = { source: 'ses', topic: 'Subscription' };
		// Anonymous, then identified as q (q-a merges into q).
		const head = [
			ev({ event: 'Product Viewed', anonymousId: 'q-a', properties: { product_id: 'p1' } }, 1),
			ev({ event: 'Product Added', anonymousId: 'q-a', properties: { product_id: 'p1', price: 3, quantity: 1 } }, 2),
			ev({ event: 'Unsubscribed', anonymousId: 'q-a' }, 2.5),
			ev({ event: 'Identify', anonymousId: 'q-a', userId: 'q', email: 'q@example.com', traits: { tier: 'a' } }, 3),
		];
		// Permuted: every event of q, subscriptions of several scopes among them.
		const middle = [
			ev({ event: 'Checkout Started', userId: 'q', properties: { products: [{ product_id: 'p1', price: 3, quantity: 2 }], value: 6 } }, 4),
			ev({ event: 'Order Completed', userId: 'q', properties: { total: 6, currency: 'USD' } }, 5),
			ev({ event: 'Product Added', userId: 'q', properties: { product_id: 'p9', price: 1 } }, 6),
			ev({ event: 'Identify', userId: 'q', traits: { tier: 'b' } }, 7),
			ev({ event: 'Email Opened', email: 'q@example.com' }, 8),
			ev({ event: 'Unsubscribed', ...q, properties: { asm_group_id: '10' }, context: sg('group_unsubscribe') }, 4.1),
			ev({ event: 'Resubscribed', ...q, properties: { asm_group_id: '10' }, context: sg('group_resubscribe') }, 6.1),
			ev({ event: 'Unsubscribed', ...q, context: pm }, 5.1),
			ev({ event: 'Resubscribed', ...q, context: pm }, 5.1),
			ev({ event: 'Unsubscribed', ...q, properties: { contact_list: 'News', unsubscribe_all: false, topics_opted_out: ['A', 'B'] }, context: ses }, 7.1),
			ev({ event: 'Resubscribed', ...q, properties: { contact_list: 'News', unsubscribe_all: false, topics_opted_in: ['A'] }, context: ses }, 7.6),
			ev({ event: 'Unsubscribed', ...q, properties: { asm_group_id: '20' }, context: sg('group_unsubscribe') }, 4.5),
			ev({ event: 'Resubscribed', ...q, properties: { contact_list: 'L', unsubscribe_all: false }, context: ses }, 4.2),
			ev({ event: 'Resubscribed', ...q }, 8.5),
		];
		// Another anonymous visitor, with subscription events of its own, merged into q at the end.
		const tail = [
			ev({ event: 'Products Searched', anonymousId: 'q-b', properties: { query: 'x' } }, 9),
			ev({ event: 'Resubscribed', anonymousId: 'q-b', properties: { asm_group_id: '20' }, context: sg('group_resubscribe') }, 9.1),
			ev({ event: 'Unsubscribed', anonymousId: 'q-b', properties: { contact_list: 'L', unsubscribe_all: true }, context: ses }, 9.2),
			ev({ event: 'Identify', anonymousId: 'q-b', email: 'q@example.com' }, 10),
		];
		const base = [...head, ...middle, ...tail];
		const strip = (p: object | null) => (p ? { ...p, profileId: undefined } : p);
		const reference = await backend.open();
		await reference.record(base);
		const expected = strip(await reference.get({ userId: 'q' }, new Date(T0)));
		expect(expected).toMatchObject({ ordersCount: 1, traits: { tier: 'b' }, anonymousIds: ['q-a', 'q-b'], recentSearches: ['x'] });
		expect((expected as unknown as { openCart: { products: unknown[] } }).openCart.products).toEqual([{ product_id: 'p9', price: 1, quantity: 1 }]);
		// Per scope, the latest Unsubscribed against the latest Resubscribed (a tie stays unsubscribed).
		const scope = (where: object, u: number | null, r: number | null, unsubscribed: boolean) => ({
			...where, unsubscribed, unsubscribedAt: u === null ? null : at(u), resubscribedAt: r === null ? null : at(r),
		});
		expect(expected).toMatchObject({
			unsubscribed: true,
			subscriptions: [
				scope({ scope: 'global' }, 2.5, 8.5, false),
				scope({ scope: 'sendgrid_group', group: '10' }, 4.1, 6.1, false),
				scope({ scope: 'sendgrid_group', group: '20' }, 4.5, 9.1, false),
				scope({ scope: 'ses_contact_list', contactList: 'L' }, 9.2, 4.2, true),
				scope({ scope: 'ses_contact_list', contactList: 'News' }, null, 7.6, false),
				scope({ scope: 'postmark_stream', stream: 'broadcast' }, 5.1, 5.1, true),
				scope({ scope: 'ses_topic', contactList: 'News', topic: 'A' }, 7.1, 7.6, false),
				scope({ scope: 'ses_topic', contactList: 'News', topic: 'B' }, 7.1, null, true),
			],
		});
		// Identities follow arrival order (who was seen first), so permute within the identified part.
		const runs = backend.name === 'sqlite' ? 15 : 4;
		await fc.assert(
			fc.asyncProperty(fc.shuffledSubarray(middle, { minLength: middle.length, maxLength: middle.length }), fc.integer({ min: 1, max: 5 }), async (shuffled, size) => {
				const store = await backend.open();
				const order = [...head, ...shuffled, ...tail];
				for (let i = 0; i < order.length; i += size) await store.record(order.slice(i, i + size));
				expect(strip(await store.get({ userId: 'q' }, new Date(T0)))).toEqual(expected);
				await store.close();
			}),
			{ numRuns: runs },
		);
	});

	it('creates the schema once and reopens an existing database', async () => {
		const options = { tablePrefix: backend.name === 'sqlite' ? 'pz_' : uniquePrefix('re') };
		if (backend.name === 'postgres') prefixes.push(options.tablePrefix);
		const file = tempSqliteFile();
		const make = () =>
			backend.name === 'sqlite' ? new SqliteProfileStore(file, options) : new PostgresProfileStore(pgConnection, options);
		const a = make();
		await a.record([ev({ event: 'Identify', userId: 'keep' }, 1)]);
		await a.close();
		const b = make();
		open.push(b);
		expect((await b.get({ userId: 'keep' }))!.userId).toBe('keep');
	});
});

describe('PostgreSQL: concurrent workers', () => {
	const prefix = uniquePrefix('conc');
	const prefixRef = uniquePrefix('ref');
	afterAll(async () => {
		await dropPrefix(prefix);
		await dropPrefix(prefixRef);
	});

	it('two workers recording interleaved batches end with the profiles of one worker in order', async () => {
		// 40 customers, each: anonymous views, identify (merge), carts, orders, engagement; shuffled across two workers.
		const events: CanonicalEvent[] = [];
		for (let c = 0; c < 40; c++) {
			const u = `cu${c}`;
			events.push(ev({ event: 'Product Viewed', anonymousId: `ca${c}`, properties: { product_id: `p${c % 7}` } }, c));
			events.push(ev({ event: 'Identify', userId: u, anonymousId: `ca${c}`, email: `${u}@example.com`, traits: { n: c } }, c + 1));
			for (let k = 0; k < 6; k++) {
				const kinds = ['Order Completed', 'Checkout Started', 'Email Opened', 'Product Viewed', 'Email Delivered', 'Order Completed'];
				const event = kinds[k];
				events.push(
					ev(
						{
							event,
							...(k % 2 ? { email: `${u}@example.com` } : { userId: u }),
							properties: { total: k + c, currency: c % 2 ? 'USD' : 'EUR', products: [{ product_id: `p${k}`, price: k }], product_id: `p${k}` },
						},
						c + 2 + k,
					),
				);
			}
		}
		const reference = new PostgresProfileStore(pgConnection, { tablePrefix: prefixRef });
		for (let i = 0; i < events.length; i += 25) await reference.record(events.slice(i, i + 25));
		// Two workers = two pools; each takes every other chunk of a shuffled order, so the same
		// customers are written by both at once.
		const shuffled = fc.sample(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), { numRuns: 1, seed: 42 })[0];
		const w1 = new PostgresProfileStore(pgConnection, { tablePrefix: prefix });
		const w2 = new PostgresProfileStore(pgConnection, { tablePrefix: prefix });
		await Promise.all([w1.init(), w2.init()]);
		const chunks: CanonicalEvent[][] = [];
		for (let i = 0; i < shuffled.length; i += 10) chunks.push(shuffled.slice(i, i + 10));
		const worker = async (store: PostgresProfileStore, mine: CanonicalEvent[][]) => {
			for (const chunk of mine) await store.record(chunk);
		};
		await Promise.all([
			worker(w1, chunks.filter((_, i) => i % 2 === 0)),
			worker(w2, chunks.filter((_, i) => i % 2 === 1)),
			// the same events again from a third connection: duplicates must change nothing
			worker(w2, chunks.filter((_, i) => i % 3 === 0)),
		]);
		const now = new Date(T0);
		const strip = (list: Array<{ profileId: string; userId?: string | null }>) =>
			list.map((p) => ({ ...p, profileId: undefined })).sort((a, b) => String(a.userId).localeCompare(String(b.userId)));
		const got = strip(await w1.exportProfiles({ now }));
		const want = strip(await reference.exportProfiles({ now }));
		expect(got).toHaveLength(40);
		expect(got).toEqual(want);
		expect((await w1.exportTransactions()).length).toBe(80);
		await Promise.all([reference.close(), w1.close(), w2.close()]);
	});
});

describe('SQLite: checkpoints on a worker thread', () => {
	it('copies the WAL back into the database file in the background, and close() stops the worker', async () => {
		const file = tempSqliteFile();
		const store = new SqliteProfileStore(file, { tablePrefix: 'pz_' });
		const events: CanonicalEvent[] = [];
		for (let i = 0; i < 2000; i++) {
			events.push(ev({ event: 'Product Viewed', userId: `w${i % 300}`, properties: { product_id: `p${i % 17}`, name: 'x'.repeat(200) } }, i));
		}
		for (let i = 0; i < events.length; i += 100) await store.record(events.slice(i, i + 100));
		// Far below the connection's own automatic checkpoint (20,000 pages): only the worker copies
		// pages into the database file, which otherwise holds little more than the schema.
		const deadline = Date.now() + 20_000;
		while (fs.statSync(file).size < 400_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
		expect(fs.statSync(file).size).toBeGreaterThanOrEqual(400_000);
		await store.close();
		const again = new SqliteProfileStore(file, { tablePrefix: 'pz_' });
		open.push(again);
		expect((await again.exportProfiles()).length).toBe(300);
		expect(await again.hasEventSince({ userId: 'w7' }, 'Product Viewed', new Date(T0 - 1))).toMatchObject({ count: 7 });
	});
});
