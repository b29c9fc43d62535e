/**
 * The duplicate memory's bound drops the oldest keys by the second they were sent, also when a
 * map's key order is not send order: keys merged from a node map left without its policy are
 * appended after newer legacy keys, and a store that does not keep JSON key order (MySQL's JSON
 * type normalizes objects) hands the maps back in another order. Hand-built cases.
 */
import { hashKey, type LedgerState, StaticDataLedger } from '../../../nodes/engines/dispatch/ledger';

const HOUR = 3600;
const day = (d: number) => Date.UTC(2026, 2, d, 6, 0, 0);
const sec = (ms: number) => Math.floor(ms / 1000);

describe('the bound drops the oldest keys by send time, whatever the key order', () => {
	it('an orphaned node map merged into the legacy keys: the oldest merged key goes first, not a newer legacy key', () => {
		// legacy keys a (day 5) and b (day 6); a node map whose policy an earlier version dropped holds c (day 2)
		const container: Record<string, unknown> = {
			m: {
				v: 1,
				k: { [hashKey('a')]: sec(day(5)), [hashKey('b')]: sec(day(6)) },
				kn: { gone: { [hashKey('c')]: sec(day(2)) } },
				n: {},
			},
		};
		// a 30-day node keeping 2 keys runs on day 7: its map is empty, so the legacy keys may keep
		// 2 + 0 (sum of the bounds minus the node keys) = 2: of a, b, c the two newest, a and b
		const monthly = new StaticDataLedger(container, 720 * HOUR, 2, 'm', day(7), 'monthly');
		const state = container.m as LedgerState;
		expect(state.k).toEqual({ [hashKey('a')]: sec(day(5)), [hashKey('b')]: sec(day(6)) });
		// a, sent 2 days ago, is a duplicate for the 30-day node (dropping it would mail it twice)
		expect(monthly.has('a', day(7))).toBe(true);
		expect(monthly.has('c', day(7))).toBe(false);
	});

	it('a node map handed back in another key order: the bound keeps the newest by send time', () => {
		// sent at 1 h, 2 h and 3 h; stored newest first (not send order)
		const t = (h: number) => sec(day(1)) + h * HOUR;
		const container: Record<string, unknown> = {
			m: {
				v: 1,
				k: {},
				kn: { daily: { [hashKey('k3')]: t(3), [hashKey('k2')]: t(2), [hashKey('k1')]: t(1) } },
				n: { daily: { w: 24 * HOUR, m: 2, at: t(3) } },
			},
		};
		const now = (t(3) + HOUR) * 1000;
		const daily = new StaticDataLedger(container, 24 * HOUR, 2, 'm', now, 'daily');
		// bound 2: k1 (the oldest) goes; k3 and k2 stay, in the order they were stored
		expect((container.m as LedgerState).kn!.daily).toEqual({ [hashKey('k3')]: t(3), [hashKey('k2')]: t(2) });
		expect(['k1', 'k2', 'k3'].map((k) => daily.has(k, now))).toEqual([false, true, true]);
	});

	it('equal send seconds: the first stored of them goes first; expired and live keys interleaved', () => {
		const t = (h: number) => sec(day(1)) + h * HOUR;
		// x expired (30 h old at now), then live keys out of order, two sent in the same second
		const map = { [hashKey('y')]: t(29), [hashKey('x')]: t(0), [hashKey('p')]: t(27), [hashKey('q')]: t(27), [hashKey('z')]: t(28) };
		const container: Record<string, unknown> = { m: { v: 1, k: {}, kn: { daily: map }, n: { daily: { w: 24 * HOUR, m: 3, at: t(29) } } } };
		new StaticDataLedger(container, 24 * HOUR, 3, 'm', t(30) * 1000, 'daily');
		// live: y 29, p 27, q 27, z 28 (4 > 3): the oldest is p or q (both 27 h), p stored first goes
		expect((container.m as LedgerState).kn!.daily).toEqual({ [hashKey('y')]: t(29), [hashKey('q')]: t(27), [hashKey('z')]: t(28) });
	});

	it('in send order (the usual case) nothing changes: the first stored live keys go', () => {
		const t = (h: number) => sec(day(1)) + h * HOUR;
		const map: Record<string, number> = {};
		for (let i = 0; i < 6; i++) map[hashKey(`s${i}`)] = t(i);
		const container: Record<string, unknown> = { m: { v: 1, k: {}, kn: { daily: map }, n: { daily: { w: 24 * HOUR, m: 3, at: t(5) } } } };
		// at 25 h: s0 (25 h old) expired; s1..s5 live, bound 3: s3, s4, s5 stay
		new StaticDataLedger(container, 24 * HOUR, 3, 'm', t(25) * 1000, 'daily');
		expect(Object.keys((container.m as LedgerState).kn!.daily)).toEqual(['s3', 's4', 's5'].map(hashKey));
	});
});

describe('Forget Sent Keys (no owner) on the per-node memory', () => {
	it('its prune (window and bound MAX_SAFE_INTEGER) leaves node maps, an orphaned map and the policies as they are', () => {
		const t = (h: number) => sec(day(1)) + h * HOUR;
		const state = {
			v: 1,
			k: { [hashKey('old')]: t(-60 * 24) }, // 60 days old: a legacy key the 30-day rule would drop
			kn: { a: { [hashKey('a1')]: t(0), [hashKey('a2')]: t(1) }, gone: { [hashKey('g')]: t(0) } },
			n: {
				a: { w: 24 * HOUR, m: 100, at: t(1) },
				// ran 48 h before, 24-hour window, no map left: dropped
				b: { w: 24 * HOUR, m: 100, at: t(-46) },
			},
		};
		const container: Record<string, unknown> = { m: state };
		const forget = new StaticDataLedger(container, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'm', t(2) * 1000);
		expect(forget.delete('a1', t(2) * 1000)).toBe(true);
		const copy = { ...(container.m as LedgerState) };
		expect(copy).toEqual({
			v: 1,
			k: { [hashKey('old')]: t(-60 * 24) },
			kn: { a: { [hashKey('a2')]: t(1) }, gone: { [hashKey('g')]: t(0) } },
			n: { a: { w: 24 * HOUR, m: 100, at: t(1) } },
			f: { [hashKey('a1')]: t(2) },
		});
	});

	it('a policy past its window stays while its map holds keys, and goes with the map', () => {
		const t = (h: number) => sec(day(1)) + h * HOUR;
		// x last ran at 0 h with a 24-hour window; its key was sent at 0 h; another node runs at 23 h, then at 24 h
		const container: Record<string, unknown> = {
			m: { v: 1, k: {}, kn: { x: { [hashKey('x1')]: t(0) } }, n: { x: { w: 24 * HOUR, m: 10, at: t(0) } } },
		};
		new StaticDataLedger(container, 24 * HOUR, 10, 'm', t(23) * 1000, 'y');
		expect(Object.keys((container.m as LedgerState).n!)).toEqual(['x', 'y']);
		new StaticDataLedger(container, 24 * HOUR, 10, 'm', t(24) * 1000, 'y');
		expect([(container.m as LedgerState).kn, Object.keys((container.m as LedgerState).n!)]).toEqual([undefined, ['y']]);
	});
});
