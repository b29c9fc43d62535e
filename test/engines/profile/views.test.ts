/**
 * recentViews on both backends (SQLite file, real PostgreSQL): a product viewed with its
 * product_id and sku and viewed with its sku only is one product, also when two profiles merge;
 * the entry an earlier version stored for sku-only products (no product_id, sku nor name: they
 * all collapsed into it) is kept while it is the latest view and dropped once a newer view is
 * kept. Expected values are worked out by hand from the events of each test.
 */
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { PROFILE_T0, profileEvent, profileTime, rawProfileBackends } from '../../harness/profile-db';

const T0 = PROFILE_T0;
const at = profileTime;
const ts = (minutes: number) => T0 + minutes * 60_000;
type Who = { email?: string; userId?: string; anonymousId?: string };
const viewed = (who: Who, minutes: number, properties: Record<string, unknown>): CanonicalEvent =>
	profileEvent<CanonicalEvent>({ event: 'Product Viewed', ...who, properties }, minutes, 'views');
const identify = (who: Who, minutes: number): CanonicalEvent => profileEvent<CanonicalEvent>({ event: 'Identify', ...who }, minutes, 'views');

const { backends, closeAll, dropAll } = rawProfileBackends('views', T0);
afterEach(() => closeAll());
afterAll(() => dropAll());

/**
 * A profile as the former fold wrote it for an email-only customer who viewed, at minute 5, a
 * product sent with only a sku (sku S9, price 12.5: the fold kept neither product_id, sku nor
 * name, so every such product was this one entry) and, at minute 1, product p1.
 */
function formerState(profileId: string, email: string): object {
	return {
		v: 1, profileId, userId: null, email, emailAt: [ts(5), `old-${profileId}-5`], anonymousIds: [], firstSeen: ts(1), lastSeen: ts(5),
		ordersCount: 0, totalSpentMinor: {}, firstOrder: null, lastOrder: null, cartSnap: null, cartLog: [], cartCleared: null,
		views: [
			{ price: 12.5, at: at(5), id: `old-${profileId}-5`, ts: ts(5) },
			{ product_id: 'p1', at: at(1), id: `old-${profileId}-1`, ts: ts(1) },
		],
		searches: [], eng: { d: [], o: [], c: [] }, lastOpen: null, lastClick: null,
		unsubscribed: false, bounced: false, complained: false, traits: {}, traitAt: {},
	};
}

describe.each(backends)('recentViews on $name', (backend) => {
	it('a product viewed with product_id and sku and with the sku only is one entry, in any order and batches', async () => {
		const store = await backend.open();
		const a = { userId: 'v-1' };
		const b = { userId: 'v-2' };
		// v-1: 17/S1 (Mug) at 0, S1 at 1 → one entry, the view at 1 with product_id 17
		await store.record([viewed(a, 0, { product_id: '17', sku: 'S1', name: 'Mug' }), viewed(a, 1, { sku: 'S1' })]);
		// v-2: the same views recorded newest first, one batch each
		await store.record([viewed(b, 1, { sku: 'S1' })]);
		await store.record([viewed(b, 0, { product_id: '17', sku: 'S1', name: 'Mug' })]);
		for (const who of [a, b]) expect((await store.get(who))!.recentViews).toEqual([{ product_id: '17', sku: 'S1', at: at(1) }]);
	});

	it('merging a visitor into a customer keeps one entry per product across product_id and sku', async () => {
		const store = await backend.open();
		// the customer saw 18/S2 at 1 and 19 at 0; the visitor S2 at 2 and S3 at 3; then Identify
		await store.record([viewed({ userId: 'm-1' }, 0, { product_id: '19' }), viewed({ userId: 'm-1' }, 1, { product_id: '18', sku: 'S2' })]);
		await store.record([viewed({ anonymousId: 'anon-m' }, 2, { sku: 'S2' }), viewed({ anonymousId: 'anon-m' }, 3, { sku: 'S3' })]);
		await store.record([identify({ anonymousId: 'anon-m', userId: 'm-1' }, 4)]);
		// S3 at 3; 18/S2 at 2 (the visitor's view, product_id from the customer's); 19 at 0
		expect((await store.get({ userId: 'm-1' }))!.recentViews).toEqual([
			{ sku: 'S3', at: at(3) },
			{ product_id: '18', sku: 'S2', at: at(2) },
			{ product_id: '19', at: at(0) },
		]);
	});

	it('a view stored by the former version with no product_id, sku nor name stays while it is the latest, and goes once a newer one is kept', async () => {
		const store = await backend.open();
		await backend.writeRaw(store, [
			{ profileId: 'old-1', email: 'old1@example.com', state: formerState('old-1', 'old1@example.com') },
			{ profileId: 'old-2', email: 'old2@example.com', state: formerState('old-2', 'old2@example.com') },
			{ profileId: 'old-3', email: 'old3@example.com', state: formerState('old-3', 'old3@example.com') },
			{ profileId: 'old-4', email: 'old4@example.com', state: formerState('old-4', 'old4@example.com') },
		]);
		const old1 = { email: 'old1@example.com' };
		expect((await store.get(old1))!.recentViews).toEqual([{ price: 12.5, at: at(5) }, { product_id: 'p1', at: at(1) }]);
		// p2 at 3, older than the former entry (5): the former entry is still the latest view, kept
		await store.record([viewed(old1, 3, { product_id: 'p2' })]);
		expect((await store.get(old1))!.recentViews).toEqual([{ price: 12.5, at: at(5) }, { product_id: 'p2', at: at(3) }, { product_id: 'p1', at: at(1) }]);
		// S9 at 7: newer, kept; the former entry goes (S9 is this product or another: nothing tells)
		await store.record([viewed(old1, 7, { sku: 'S9', price: 12.5 })]);
		expect((await store.get(old1))!.recentViews).toEqual([{ sku: 'S9', price: 12.5, at: at(7) }, { product_id: 'p2', at: at(3) }, { product_id: 'p1', at: at(1) }]);

		// a view at the same minute (5) as the former entry: not older, so the former entry goes too
		const old2 = { email: 'old2@example.com' };
		await store.record([viewed(old2, 5, { product_id: 'p5' })]);
		expect((await store.get(old2))!.recentViews).toEqual([{ product_id: 'p5', at: at(5) }, { product_id: 'p1', at: at(1) }]);

		// merged into a customer whose latest view (p6 at 6) is newer: gone; older (p4 at 4): kept
		await store.record([viewed({ userId: 'k-3' }, 6, { product_id: 'p6' }), identify({ userId: 'k-3', email: 'old3@example.com' }, 8)]);
		expect((await store.get({ userId: 'k-3' }))!.recentViews).toEqual([{ product_id: 'p6', at: at(6) }, { product_id: 'p1', at: at(1) }]);
		await store.record([viewed({ userId: 'k-4' }, 4, { product_id: 'p4' }), identify({ userId: 'k-4', email: 'old4@example.com' }, 8)]);
		expect((await store.get({ userId: 'k-4' }))!.recentViews).toEqual([{ price: 12.5, at: at(5) }, { product_id: 'p4', at: at(4) }, { product_id: 'p1', at: at(1) }]);
	});
});
