/**
 * SQLite and PostgreSQL against each other: the same random batches (identities that merge,
 * duplicates, ties, out-of-order and future timestamps, several currencies, retention) recorded
 * on both must leave the same profiles, transactions, look-ups and suppression answers. Profile
 * ids are random per store, so each one is replaced by its profile's identities before comparing.
 */
import fc from 'fast-check';
import { PostgresProfileStore, SqliteProfileStore, type ProfileStore } from '../../../nodes/engines/profile';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import type { CustomerProfile } from '../../../nodes/engines/types/CustomerProfile';
import { Client } from 'pg';
import { dropPrefix, pgConnection, uniquePrefix } from '../../harness/profile-db';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const MIN = 60_000;
const DAY = 86_400_000;

const names = [
	'Order Completed', 'Order Refunded', 'Product Added', 'Product Removed', 'Product Viewed', 'Cart Updated',
	'Checkout Started', 'Checkout Updated', 'Email Delivered', 'Email Opened', 'Email Link Clicked', 'Products Searched',
	'Identify', 'Unsubscribed', 'Resubscribed', 'Email Bounced', 'Email Marked as Spam',
] as const;

const eventArb = fc.record({
	event: fc.constantFrom(...names),
	// minutes; a few far in the future, a few older than the retention window
	minutes: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constantFrom(-60 * 24 * 50, 60 * 24 * 400)),
	userId: fc.option(fc.constantFrom('u1', 'u2', 'u3'), { nil: undefined }),
	email: fc.option(fc.constantFrom('a@example.com', 'B@Example.com', 'c@example.com'), { nil: undefined }),
	anonymousId: fc.option(fc.constantFrom('x1', 'x2', 'x3', 'x4'), { nil: undefined }),
	product: fc.constantFrom('p1', 'p2', 'p3'),
	quantity: fc.integer({ min: 1, max: 3 }),
	currency: fc.constantFrom('USD', 'jpy', 'KWD', undefined),
	amount: fc.integer({ min: 1, max: 100_000 }),
	completed: fc.boolean(),
	tier: fc.constantFrom('gold', 'silver'),
	// a few message ids repeat (duplicates), mixed case so an ordering by message id is exercised
	id: fc.constantFrom('M-1', 'm-1', 'M-2', 'n', 'N', undefined, undefined, undefined, undefined),
});

type Spec = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function build(x: Spec, i: number, batch: number): CanonicalEvent {
	const when = new Date(T0 + x.minutes * MIN).toISOString();
	const p: Record<string, unknown> = {};
	if (x.event === 'Order Completed' || x.event === 'Order Refunded') {
		p.total = x.currency === 'jpy' ? x.amount : x.currency === 'KWD' ? x.amount / 1000 : x.amount / 100;
		if (x.currency) p.currency = x.currency;
		p.order_id = `o${i}`;
	} else if (x.event.startsWith('Product')) {
		Object.assign(p, { product_id: x.product, price: 2.5, quantity: x.quantity, query: x.product });
	} else if (x.event.startsWith('C')) {
		Object.assign(p, { products: [{ product_id: x.product, price: 1.25, quantity: x.quantity }], currency: 'EUR' });
		if (x.event === 'Checkout Updated' && x.completed) p.completed_at = when;
	}
	const hasIdentity = x.userId || x.email || x.anonymousId;
	return {
		type: x.event === 'Identify' ? 'identify' : 'track',
		event: x.event === 'Identify' ? 'Identify' : x.event,
		messageId: x.id ?? `b${batch}-e${i}`,
		timestamp: when,
		receivedAt: when,
		userId: x.userId ?? null,
		email: x.email ?? null,
		anonymousId: hasIdentity ? (x.anonymousId ?? null) : 'x1',
		properties: p,
		...(x.event === 'Identify' ? { traits: { tier: x.tier } } : {}),
		context: { source: 'test' },
	} as CanonicalEvent;
}

const now = new Date(T0 + DAY);

/** Everything a store answers, with its random profile ids replaced by the profiles' identities. */
async function snapshot(store: ProfileStore) {
	const profiles = await store.exportProfiles({ now });
	const label = new Map(profiles.map((p) => [p.profileId, JSON.stringify([p.userId, p.email, p.anonymousIds])]));
	const name = (id: string | null | undefined) => (id ? (label.get(id) ?? `gone:${id === undefined}`) : id);
	const transactions = (await store.exportTransactions()).map((t) => ({ ...t, profileId: name(t.profileId), customer_id: name(t.customer_id) }));
	const lookups: unknown[] = [];
	for (const userId of ['u1', 'u2', 'u3']) lookups.push(await store.get({ userId }, now));
	for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) lookups.push(await store.get({ email }, now));
	for (const anonymousId of ['x1', 'x2', 'x3', 'x4']) {
		lookups.push(await store.get({ anonymousId }, now));
		lookups.push(await store.hasEventSince({ anonymousId }, 'Order Completed', new Date(T0 + 10 * MIN)));
	}
	return {
		// Export gives the address's flags too (addressSuppression, subscriptions name other profiles), so it is named as a lookup is.
		profiles: profiles.map((p) => named(p, name) as CustomerProfile).sort((a, b) => (a.profileId! < b.profileId! ? -1 : 1)),
		transactions,
		lookups: lookups.map((l) => (l && typeof l === 'object' && 'profileId' in l ? named(l as CustomerProfile, name) : l)),
		suppression: [...(await store.isSuppressed(['a@example.com', 'b@example.com', 'c@example.com', 'z@example.com'])).entries()],
	};
}

/** A looked-up profile with its id, and the other profiles' ids Get Profile names for its address (addressSuppression, subscriptions), named. */
function named(p: CustomerProfile, name: (id: string) => string | null | undefined): unknown {
	return {
		...p,
		profileId: name(p.profileId),
		...(p.subscriptions ? { subscriptions: p.subscriptions.map((x) => (x.profileId ? { ...x, profileId: name(x.profileId) } : x)) } : {}),
		...(p.addressSuppression ? { addressSuppression: { ...p.addressSuppression, profileIds: p.addressSuppression.profileIds.map(name).sort() } } : {}),
	};
}

describe('SQLite and PostgreSQL give the same results for the same batches', () => {
	const prefix = uniquePrefix('diff');
	const options = { retentionDays: 30, recentViews: 2, recentSearches: 2 };
	const pg = new PostgresProfileStore(pgConnection, { ...options, tablePrefix: prefix });
	const admin = new Client({ ...pgConnection, ssl: false });
	beforeAll(async () => {
		await pg.init();
		await admin.connect();
	});
	afterAll(async () => {
		await pg.close();
		await admin.end();
		await dropPrefix(prefix);
	});

	it('random batches: profiles, transactions, look-ups, record results and suppression agree', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.array(eventArb, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 }), async (batches) => {
				await admin.query(`TRUNCATE ${prefix}profiles, ${prefix}identities, ${prefix}events`);
				const sqlite = new SqliteProfileStore(':memory:', options);
				try {
					const results: unknown[][] = [[], []];
					for (const [b, batch] of batches.entries()) {
						const events = batch.map((x, i) => build(x, i, b));
						for (const [k, store] of [sqlite, pg].entries()) {
							const r = await store.record(events, { now });
							results[k].push(r.map((x) => x.status));
							// record() prunes at most every 10 minutes per store, and this PostgreSQL store
							// lives across runs: prune both after every batch.
							await store.pruneEvents(now);
						}
					}
					expect(results[1]).toEqual(results[0]);
					expect(await snapshot(pg)).toEqual(await snapshot(sqlite));
				} finally {
					await sqlite.close();
				}
			}),
			{ numRuns: 100, seed: 20260101 },
		);
	}, 180_000);
});
