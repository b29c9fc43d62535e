/**
 * The pure fold, on cases worked out by hand.
 */
import fc from 'fast-check';
import { applyEvent, emptyState, mergeStates, toProfile, validateEvent, type ProfileState } from '../../../nodes/engines/profile/fold';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let seq = 0;
const ev = (event: string, minutes: number, properties: Record<string, unknown> = {}): CanonicalEvent =>
	({ type: 'track', event, messageId: `f-${++seq}`, timestamp: at(minutes), receivedAt: at(minutes), userId: 'u', properties, context: { source: 'test' } }) as CanonicalEvent;

function fold(events: CanonicalEvent[]) {
	const valid = events.map((e) => validateEvent(e));
	const state = emptyState('p', valid[0].ts);
	for (const v of valid) applyEvent(state, v);
	return toProfile(state, new Date(T0 + 86_400_000));
}

describe('open cart value after line changes, in the currency\'s minor unit', () => {
	it('keeps the third decimal of KWD and BHD, and whole yen', () => {
		// 2 × 1.234 = 2.468 KWD (three-decimal currency: not 2.47)
		expect(fold([ev('Product Added', 1, { product_id: 'a', price: 1.234, quantity: 2, currency: 'KWD' })]).openCart!.value).toBe(2.468);
		// 3 × 0.125 + 1 × 0.001 = 0.376 BHD
		const bhd = fold([
			ev('Product Added', 1, { product_id: 'a', price: 0.125, quantity: 3, currency: 'BHD' }),
			ev('Product Added', 2, { product_id: 'b', price: 0.001, quantity: 1, currency: 'BHD' }),
		]);
		expect(bhd.openCart!.value).toBe(0.376);
		// 2 × 1,500 JPY = 3,000
		expect(fold([ev('Product Added', 1, { product_id: 'a', price: 1500, quantity: 2, currency: 'JPY' })]).openCart!.value).toBe(3000);
		// A snapshot in KWD changed by a line: 1.234 + 2 × 0.5 = 2.234 KWD
		const snap = fold([
			ev('Checkout Started', 1, { currency: 'KWD', value: 1.234, products: [{ product_id: 'a', price: 1.234, quantity: 1 }] }),
			ev('Product Added', 2, { product_id: 'b', price: 0.5, quantity: 2 }),
		]);
		expect(snap.openCart).toMatchObject({ currency: 'KWD', value: 2.234 });
		// Two-decimal currencies as before: 3 × 19.99 = 59.97 USD
		expect(fold([ev('Product Added', 1, { product_id: 'a', price: 19.99, quantity: 3 })]).openCart!.value).toBe(59.97);
	});
});

describe('an event dated in the future', () => {
	const DAY = 86_400_000;
	const withTimes = (timestamp: string, receivedAt?: string): CanonicalEvent =>
		({ type: 'track', event: 'Email Opened', messageId: `fut-${++seq}`, timestamp, ...(receivedAt ? { receivedAt } : {}), email: 'a@x.com', properties: {}, context: { source: 'test' } }) as CanonicalEvent;
	const iso = (ms: number) => new Date(ms).toISOString();

	it('is refused beyond 24 hours after it was received, naming the timestamp', () => {
		expect(() => validateEvent(withTimes(iso(T0 + DAY), iso(T0)))).not.toThrow(); // exactly a day: accepted
		expect(() => validateEvent(withTimes(iso(T0 + DAY + 1), iso(T0)))).toThrow(/2026-01-02T00:00:00.001Z is more than 24 hours after its receivedAt \(2026-01-01T00:00:00.000Z\)/);
		try {
			validateEvent(withTimes(iso(T0 + 2 * 365 * DAY), iso(T0)));
			throw new Error('not refused');
		} catch (error) {
			expect((error as { field?: string }).field).toBe('timestamp');
		}
	});

	it('without receivedAt, or with a receivedAt in the future, is bounded by the recording time', () => {
		expect(() => validateEvent(withTimes(iso(T0 + 3 * DAY)), T0)).toThrow(/after it is recorded \(2026-01-01T00:00:00.000Z\)/);
		expect(() => validateEvent(withTimes(iso(T0 + 3 * DAY), iso(T0 + 3 * DAY)), T0)).toThrow(/after it is recorded/);
		expect(() => validateEvent(withTimes(iso(T0 - 400 * DAY)), T0)).not.toThrow(); // the past is fine
	});
});

describe('recentViews: a product seen with its product_id and with its sku only is one product', () => {
	const views = (events: CanonicalEvent[], recentViews = 10) => {
		const valid = events.map((e) => validateEvent(e));
		const state = emptyState('p', valid[0].ts);
		for (const v of valid) applyEvent(state, v, { recentViews });
		return toProfile(state, new Date(T0 + 86_400_000)).recentViews;
	};
	const view = (minutes: number, properties: Record<string, unknown>) => ev('Product Viewed', minutes, properties);

	it('keeps the newest view, with the product_id (and the sku) of an older one', () => {
		// 17/S1 at 0, S1 at 1: one product, its view at minute 1, product_id 17 kept
		expect(views([view(0, { product_id: '17', sku: 'S1' }), view(1, { sku: 'S1', price: 3 })])).toEqual([{ product_id: '17', sku: 'S1', price: 3, at: at(1) }]);
		// the other way round: S2 (named Mug) at 0, 18/S2 at 1 → the view at 1 as it came
		expect(views([view(0, { sku: 'S2', name: 'Mug' }), view(1, { product_id: '18', sku: 'S2' })])).toEqual([{ product_id: '18', sku: 'S2', at: at(1) }]);
		// the same product_id without sku at 2 after 19/S3 at 0: one view, at 2, the sku S3 kept
		expect(views([view(0, { product_id: '19', sku: 'S3' }), view(2, { product_id: '19' })])).toEqual([{ product_id: '19', sku: 'S3', at: at(2) }]);
	});

	it('a view naming both joins the sku-only view and the product_id\'s view into the newest', () => {
		// S5 at 3 and 20 at 2 are two products until 20/S5 (at 1) shows they are one: the view at 3
		const list = [view(3, { sku: 'S5' }), view(2, { product_id: '20' }), view(1, { product_id: '20', sku: 'S5' }), view(0, { product_id: '21' })];
		const expected = [{ product_id: '20', sku: 'S5', at: at(3) }, { product_id: '21', at: at(0) }];
		expect(views(list)).toEqual(expected);
		expect(views([...list].reverse())).toEqual(expected);
		// a free place is filled by an older product: with 2 kept, 22 (at -1) follows 20 and 21
		expect(views([...list, view(-1, { product_id: '22' })], 2)).toEqual(expected);
	});

	it('two product_ids of one sku stay two products; a sku-only view of that sku joins one of them', () => {
		// 30/S7 at 0, 31/S7 at 1, S7 at 2: which product S7 was cannot be told (the order recorded
		// decides); either way two products, one of them last viewed at 2
		for (const list of [
			[view(0, { product_id: '30', sku: 'S7' }), view(1, { product_id: '31', sku: 'S7' }), view(2, { sku: 'S7' })],
			[view(0, { product_id: '30', sku: 'S7' }), view(2, { sku: 'S7' }), view(1, { product_id: '31', sku: 'S7' })],
		]) {
			const kept = views(list);
			expect(kept).toHaveLength(2);
			expect(kept.map((x) => x.product_id).sort()).toEqual(['30', '31']);
			expect(kept.map((x) => x.at).sort()).toEqual(expect.arrayContaining([at(2)]));
			expect(kept.every((x) => x.sku === 'S7')).toBe(true);
		}
	});

	/**
	 * Any order and any split into merged profiles gives the same views, and the views a reference
	 * model gives: products 1..3 (product_id Pi, sku Si, name Ni) and a sku-only product S4; a view
	 * without product_id is of Pi when some view names Pi with Si, else of its sku, else of its name.
	 * Each product: its newest view, with that product_id and the product's sku when any view has it.
	 */
	it('depends on the views only (any order, any merge), as the reference model says', () => {
		const shape = fc.record({
			i: fc.integer({ min: 1, max: 4 }),
			form: fc.constantFrom('id', 'id+sku', 'sku', 'sku+name', 'name'),
			minutes: fc.integer({ min: 0, max: 20 }),
		});
		const props = ({ i, form }: { i: number; form: string }): Record<string, unknown> => {
			if (i === 4 && form.startsWith('id')) form = 'sku';
			return {
				...(form.startsWith('id') ? { product_id: `P${i}` } : {}),
				...(form.includes('sku') ? { sku: `S${i}` } : {}),
				...(form.includes('name') ? { name: `N${i}` } : {}),
			};
		};
		fc.assert(
			fc.property(
				fc.array(shape, { minLength: 1, maxLength: 12 }).chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray([...list.keys()], { minLength: list.length, maxLength: list.length }))),
				fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
				([list, order], side) => {
				const events = list.map((x, k) => ({ ...view(x.minutes, props(x)), messageId: `v${k}` }) as CanonicalEvent);
				// reference
				const idOfSku = new Map<string, string>();
				for (const e of events) if (e.properties.product_id && e.properties.sku) idOfSku.set(e.properties.sku as string, e.properties.product_id as string);
				const groups = new Map<string, CanonicalEvent[]>();
				for (const e of events) {
					const p = e.properties as Record<string, string | undefined>;
					const id = p.product_id ?? (p.sku !== undefined ? idOfSku.get(p.sku) : undefined);
					const key = id !== undefined ? `p:${id}` : p.sku !== undefined ? `s:${p.sku}` : `n:${p.name}`;
					groups.set(key, [...(groups.get(key) ?? []), e]);
				}
				const byTime = (a: CanonicalEvent, b: CanonicalEvent) => Date.parse(b.timestamp as string) - Date.parse(a.timestamp as string) || (a.messageId < b.messageId ? 1 : -1);
				const expected = [...groups.entries()]
					.map(([key, members]) => {
						const [newest] = [...members].sort(byTime);
						const sku = members.map((e) => e.properties.sku).find((k) => k !== undefined);
						const { product_id: _p, sku: _s, ...rest } = newest.properties as Record<string, unknown>;
						return { newest, view: { ...(key.startsWith('p:') ? { product_id: key.slice(2) } : {}), ...(sku !== undefined ? { sku } : {}), ...rest, at: newest.timestamp } };
					})
					.sort((a, b) => byTime(a.newest, b.newest))
					.map((x) => x.view);
				// the fold: shuffled, split into two profiles, merged
				const shuffled = order.map((k) => events[k]);
				const [one, two] = [shuffled.filter((_, k) => side[k]), shuffled.filter((_, k) => !side[k])];
				const fold = (part: CanonicalEvent[]): ProfileState => {
					const state = emptyState('p', T0);
					for (const e of part) applyEvent(state, validateEvent(e), { recentViews: 20 });
					return state;
				};
				const merged = mergeStates(fold(one), fold(two), { recentViews: 20 });
				expect(toProfile(merged).recentViews).toEqual(expected);
				expect(views(shuffled, 20)).toEqual(expected);
				},
			),
			{ numRuns: 500 },
		);
	});
});
