/**
 * The profile state's address facts and anonymous ids (review5 F1, F2, F7), engine level:
 * - the fold depends on the set of events only: any order, any split into two profiles merged
 *   (mergeStates) gives the same profile, with the email rule, the per-address bounces and
 *   complaints and the capped anonymousIds;
 * - a state stored by the earlier version (one `bounced` / `complained` flag for the customer, every
 *   anonymous id) is read as it was meant, on SQLite and PostgreSQL.
 * Expected values are worked out by hand.
 */
import fc from 'fast-check';
import { applyEvent, emptyState, mergeStates, toProfile, validateEvent, type ProfileState } from '../../../nodes/engines/profile/fold';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { rawProfileBackends } from '../../harness/profile-db';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const NOW = new Date(T0 + 3 * 86_400_000);

let seq = 0;
function ev(event: string, who: Record<string, unknown>, minutes: number, properties: Record<string, unknown> = {}, source = 'test'): CanonicalEvent {
	return {
		type: event === 'Identify' ? 'identify' : 'track',
		event,
		messageId: `af-${++seq}`,
		timestamp: at(minutes),
		receivedAt: at(minutes),
		properties,
		context: { source },
		...who,
	} as CanonicalEvent;
}

describe('the fold of email, address facts and anonymous ids depends on the events only', () => {
	const specArb = fc.record({
		kind: fc.constantFrom('Identify', 'Order Completed', 'Product Viewed', 'Email Opened', 'Email Bounced', 'Email Bounced soft', 'Email Marked as Spam', 'Unsubscribed'),
		email: fc.option(fc.constantFrom('a@x.example', 'b@x.example', 'c@x.example'), { nil: undefined }),
		// 130 ids: more than the 100 kept
		anon: fc.option(fc.integer({ min: 0, max: 129 }), { nil: undefined }),
		minutes: fc.integer({ min: 0, max: 40 }),
	});
	const build = (x: { kind: string; email?: string; anon?: number; minutes: number }, i: number): CanonicalEvent => {
		const soft = x.kind === 'Email Bounced soft';
		const name = soft ? 'Email Bounced' : x.kind;
		const esp = name.startsWith('Email') || name === 'Unsubscribed';
		return {
			...ev(name, { userId: 'u', ...(x.email ? { email: x.email } : {}), ...(x.anon !== undefined ? { anonymousId: `anon-${String(x.anon).padStart(3, '0')}` } : {}) }, x.minutes, soft ? { bounce_type: 'soft' } : { product_id: 'p', total: 1 }, esp ? 'sendgrid' : 'shopify'),
			messageId: `m-${String(i).padStart(4, '0')}`,
		};
	};
	const fold = (events: CanonicalEvent[]): ProfileState | null => {
		let s: ProfileState | null = null;
		for (const e of events) {
			const v = validateEvent(e, NOW.getTime());
			s ??= emptyState('p', v.ts);
			applyEvent(s, v);
		}
		return s;
	};
	const view = (s: ProfileState | null) => (s ? toProfile(s, NOW) : null);

	it('any order, and any split merged in either direction, gives the same profile', () => {
		fc.assert(
			fc.property(fc.array(specArb, { minLength: 1, maxLength: 400 }), fc.integer({ min: 0, max: 1000 }), fc.integer(), (specs, cut, seed) => {
				const events = specs.map(build);
				const expected = view(fold(events));
				// a shuffled order
				const shuffled = [...events];
				let r = seed;
				for (let i = shuffled.length - 1; i > 0; i--) {
					r = (r * 1103515245 + 12345) & 0x7fffffff;
					const j = r % (i + 1);
					[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
				}
				expect(view(fold(shuffled))).toEqual(expected);
				const k = cut % (events.length + 1);
				const a = fold(shuffled.slice(0, k));
				const b = fold(shuffled.slice(k));
				if (a && b) {
					expect(view(mergeStates(structuredClone(a), structuredClone(b)))).toEqual(expected);
					expect(view(mergeStates(structuredClone(b), structuredClone(a)))).toEqual(expected);
				}
			}),
			{ numRuns: 150 },
		);
	});

	it('merging keeps the customer\'s address over a feedback address, and each side\'s bounced addresses', () => {
		// an email-only profile known from a newer open, merged into the customer's
		const espOnly = fold([ev('Email Opened', { email: 'esp@x.example' }, 30, {}, 'sendgrid'), ev('Email Bounced', { email: 'esp@x.example' }, 31, {}, 'sendgrid')])!;
		const customer = fold([ev('Identify', { userId: 'u', email: 'own@x.example' }, 10)])!;
		const merged = toProfile(mergeStates(customer, espOnly), NOW);
		expect(merged).toMatchObject({ email: 'own@x.example', bounced: false });
		expect(toProfile(espOnly, NOW)).toMatchObject({ email: 'esp@x.example', bounced: true });
	});
});

const { backends, closeAll, dropAll } = rawProfileBackends('af', T0);
afterEach(() => closeAll());
afterAll(() => dropAll());

/** A profile state as the former fold wrote it: one bounced / complained flag, every anonymous id, no timestamps for them. */
function formerState(profileId: string, email: string, flags: { bounced?: boolean; complained?: boolean }, anonymousIds: string[] = []): object {
	const ts = T0;
	return {
		v: 1, profileId, userId: null, email, emailAt: [ts, `old-${profileId}`], anonymousIds, firstSeen: ts, lastSeen: ts,
		ordersCount: 0, totalSpentMinor: {}, firstOrder: null, lastOrder: null, cartSnap: null, cartLog: [], cartCleared: null,
		views: [], searches: [], eng: { d: [], o: [], c: [] }, lastOpen: null, lastClick: null,
		unsubscribed: false, bounced: flags.bounced ?? false, complained: flags.complained ?? false, traits: {}, traitAt: {},
	};
}

describe.each(backends)('states stored by the earlier version on $name', (backend) => {
	it('a bounce or complaint stored for the customer (its address unknown) still counts for every address of it', async () => {
		const store = await backend.open();
		await backend.writeRaw(store, [
			{ profileId: 'old-b', email: 'b1@legacy.example', state: formerState('old-b', 'b1@legacy.example', { bounced: true }) },
			{ profileId: 'old-c', email: 'c1@legacy.example', state: formerState('old-c', 'c1@legacy.example', { complained: true }) },
			{ profileId: 'old-n', email: 'n1@legacy.example', state: formerState('old-n', 'n1@legacy.example', {}) },
		]);
		expect(await store.get({ email: 'b1@legacy.example' }, NOW)).toMatchObject({ bounced: true, complained: false });
		expect(await store.get({ email: 'c1@legacy.example' }, NOW)).toMatchObject({ bounced: false, complained: true });
		// the customers change address (read, migrated and written by this version)
		await store.record(
			[
				ev('Identify', { userId: 'ub', email: 'b1@legacy.example' }, 10),
				ev('Identify', { userId: 'ub', email: 'b2@legacy.example' }, 20),
				ev('Identify', { userId: 'uc', email: 'c1@legacy.example' }, 10),
				ev('Identify', { userId: 'uc', email: 'c2@legacy.example' }, 20),
				ev('Identify', { userId: 'un', email: 'n1@legacy.example' }, 10),
				ev('Email Bounced', { email: 'n1@legacy.example' }, 15, { bounce_type: 'hard' }, 'sendgrid'),
				ev('Identify', { userId: 'un', email: 'n2@legacy.example' }, 20),
			],
			{ now: NOW },
		);
		expect(await store.get({ userId: 'ub' }, NOW)).toMatchObject({ profileId: 'old-b', email: 'b2@legacy.example', bounced: true, complained: false });
		expect(await store.get({ userId: 'uc' }, NOW)).toMatchObject({ profileId: 'old-c', email: 'c2@legacy.example', bounced: false, complained: true });
		// a profile stored without a bounce gets the per-address rule from its first bounce on
		expect(await store.get({ userId: 'un' }, NOW)).toMatchObject({ profileId: 'old-n', email: 'n2@legacy.example', bounced: false });
		const s = await store.isSuppressed(['b1@legacy.example', 'b2@legacy.example', 'c2@legacy.example', 'n1@legacy.example', 'n2@legacy.example']);
		expect(s.get('b1@legacy.example')).toMatchObject({ bounced: true, suppressed: true });
		expect(s.get('b2@legacy.example')).toMatchObject({ bounced: true, suppressed: true });
		expect(s.get('c2@legacy.example')).toMatchObject({ complained: true, suppressed: true });
		expect(s.get('n1@legacy.example')).toMatchObject({ bounced: true, suppressed: true });
		expect(s.get('n2@legacy.example')).toEqual({ suppressed: false, unsubscribed: false, bounced: false, complained: false, known: true });
	});

	it('a state holding every anonymous id is read with 100 of them, and written with the newest', async () => {
		const store = await backend.open();
		const ids = Array.from({ length: 150 }, (_, i) => `x-${String(i).padStart(3, '0')}`);
		await backend.writeRaw(store, [{ profileId: 'old-a', email: 'a@legacy.example', state: formerState('old-a', 'a@legacy.example', {}, ids) }]);
		// no timestamps: the ids sort last to first by id (x-149 … x-050 kept)
		expect((await store.get({ email: 'a@legacy.example' }, NOW))?.anonymousIds).toEqual(ids.slice(50));
		await store.record([ev('Product Viewed', { email: 'a@legacy.example', anonymousId: 'a-new' }, 5, { product_id: 'p' })], { now: NOW });
		// the new id (with a timestamp) is the newest; x-050 drops out
		expect((await store.get({ email: 'a@legacy.example' }, NOW))?.anonymousIds).toEqual(['a-new', ...ids.slice(51)]);
	});
});

describe('anonymous ids named like object properties', () => {
	it('"__proto__" and "constructor" are kept and timed like any other id', () => {
		const events = [
			ev('Page Viewed', { anonymousId: '__proto__' }, 1),
			ev('Page Viewed', { anonymousId: 'constructor' }, 2),
			ev('Page Viewed', { anonymousId: '__proto__' }, 3),
		];
		const s = emptyState('p', T0);
		for (const e of events) applyEvent(s, validateEvent(e, NOW.getTime()));
		const read = JSON.parse(JSON.stringify(s)) as ProfileState;
		expect(toProfile(read, NOW).anonymousIds).toEqual(['__proto__', 'constructor']);
		expect(Object.entries(read.anonAt ?? {}).sort()).toEqual([['__proto__', T0 + 3 * 60_000], ['constructor', T0 + 2 * 60_000]]);
	});
});
