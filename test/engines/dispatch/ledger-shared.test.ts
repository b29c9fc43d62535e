/**
 * One duplicate memory per workflow, shared by its ESP Dispatch nodes: each node records its
 * Duplicate Window and Max Remembered Keys and keeps its keys in a map of its own, pruned by its
 * own window and bound; `has` looks in every map and answers by the calling node's window; keys
 * written by an earlier version (`k`) are kept for 30 days or the longest recorded window.
 * Hand-built cases.
 */
import { hashKey, type LedgerState, StaticDataLedger } from '../../../nodes/engines/dispatch/ledger';

const HOUR = 3600;
const day = (d: number) => Date.UTC(2026, 2, d, 6, 0, 0);

describe('a duplicate memory shared by nodes with different windows and bounds', () => {
	it('a 24-hour node does not drop the keys a 30-day node keeps, and answers by its own window', () => {
		const container: Record<string, unknown> = {};
		new StaticDataLedger(container, 720 * HOUR, 20000, 'm', day(1), 'monthly').add('vip:ada', day(1));
		const daily = new StaticDataLedger(container, 24 * HOUR, 20000, 'm', day(3), 'daily');
		expect(daily.has('vip:ada', day(3))).toBe(false); // sent 2 days ago: outside the daily node's window
		const monthly = new StaticDataLedger(container, 720 * HOUR, 20000, 'm', day(3), 'monthly');
		expect(monthly.has('vip:ada', day(3))).toBe(true); // still kept for the monthly node
	});

	it('each node keeps its keys by its own bound; a node that has not run within its window is dropped with its keys', () => {
		const container: Record<string, unknown> = {};
		const unbounded = new StaticDataLedger(container, 48 * HOUR, 0, 'm', day(1), 'unbounded');
		for (let i = 0; i < 5; i++) unbounded.add(`k${i}`, day(1) + i * 1000);
		// a node keeping 2 keys for 24 hours, 12 hours later: its bound is not the other node's
		new StaticDataLedger(container, 24 * HOUR, 2, 'm', day(1) + 12 * HOUR * 1000, 'small');
		const state = () => container.m as LedgerState;
		expect(Object.keys(state().kn!.unbounded)).toHaveLength(5);
		expect(Object.keys(state().n!)).toEqual(['unbounded', 'small']);
		// 3 days later the 48-hour node last ran 72 hours ago: its keys (72 h old) are past its window,
		// so its map and its policy go; only the small node's policy is left
		const later = new StaticDataLedger(container, 24 * HOUR, 2, 'm', day(4), 'small');
		expect(Object.keys(state().n!)).toEqual(['small']);
		expect(state().kn).toBeUndefined();
		later.add('k5', day(4));
		// its next run remembers two more: the bound (2) drops the earlier run's k5
		const next = new StaticDataLedger(container, 24 * HOUR, 2, 'm', day(4) + 1000, 'small');
		next.add('k6', day(4) + 1000);
		next.add('k7', day(4) + 2000);
		new StaticDataLedger(container, 24 * HOUR, 2, 'm', day(4) + 3000, 'small');
		expect(Object.keys(state().kn!.small)).toEqual([hashKey('k6'), hashKey('k7')]);
		expect(state().k).toEqual({});
	});

	it('without an owner (Forget Sent Keys, older callers) only its own window and bound prune, and nothing is recorded', () => {
		const container: Record<string, unknown> = {};
		new StaticDataLedger(container, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'm', day(1));
		expect((container.m as { n?: object }).n).toBeUndefined();
		// its keys go to `k`, pruned by its own window (1 hour) and bound (2)
		const plain = new StaticDataLedger(container, HOUR, 2, 'm', day(1));
		for (const k of ['a', 'b', 'c']) plain.add(k, day(1));
		// the bound does not drop the keys this instance (run) remembered
		plain.prune(day(1) + 1000);
		expect(Object.keys((container.m as LedgerState).k)).toHaveLength(3);
		// the next one does: the oldest first (a, the first stored of equal seconds)
		new StaticDataLedger(container, HOUR, 2, 'm', day(1) + 1000);
		expect((container.m as LedgerState).k).toEqual({ [hashKey('b')]: day(1) / 1000, [hashKey('c')]: day(1) / 1000 });
		new StaticDataLedger(container, HOUR, 2, 'm', day(1) + HOUR * 1000);
		expect((container.m as LedgerState).k).toEqual({});
	});

	// Formerly a known limitation (the widest bound counted every node's keys): here the daily node
	// needs its last 10 keys, the monthly node its 50, both bounds are 100, and the monthly node's
	// keys were gone on day 8. Each node's map is now bounded by its own bound.
	it('a 24-hour node sending daily does not push out the keys a 30-day node keeps within its own bound', () => {
		const container: Record<string, unknown> = {};
		const monthly = new StaticDataLedger(container, 720 * HOUR, 100, 'm', day(1), 'monthly');
		for (let i = 0; i < 50; i++) monthly.add(`vip:${i}`, day(1) + i * 1000);
		for (let d = 2; d <= 8; d++) {
			const daily = new StaticDataLedger(container, 24 * HOUR, 100, 'm', day(d), 'daily');
			for (let i = 0; i < 10; i++) daily.add(`browse:${d}:${i}`, day(d) + i * 1000);
			daily.prune(day(d) + 20000);
		}
		const later = new StaticDataLedger(container, 720 * HOUR, 100, 'm', day(8) + HOUR * 1000, 'monthly');
		const kept = Array.from({ length: 50 }, (_, i) => later.has(`vip:${i}`, day(8) + HOUR * 1000)).filter(Boolean).length;
		expect(kept).toBe(50);
		// by hand: the daily map holds day 8's 10 keys (1 hour old), the monthly map its 50
		const kn = (container.m as LedgerState).kn!;
		expect([Object.keys(kn.daily).length, Object.keys(kn.monthly).length, later.size()]).toEqual([10, 50, 60]);
	});

	// Formerly a known limitation: memory written by an earlier version has no `n`, so the first node
	// to run after the upgrade pruned by its own window alone; a 24-hour node dropped the 30-day
	// node's keys (sent 5 days ago). Keys in `k` (sender's window unknown) are now kept for 30 days.
	it('memory written by an earlier version (no n): the first 24-hour run keeps the keys a 30-day node wrote', () => {
		const container: Record<string, unknown> = { m: { v: 1, k: { [hashKey('vip:ada')]: Math.floor(day(1) / 1000) } } };
		const daily = new StaticDataLedger(container, 24 * HOUR, 20000, 'm', day(6), 'daily');
		expect(daily.has('vip:ada', day(6))).toBe(false); // 5 days old: outside the daily node's own window
		const monthly = new StaticDataLedger(container, 720 * HOUR, 20000, 'm', day(6) + 1000, 'monthly');
		expect(monthly.has('vip:ada', day(6) + 1000)).toBe(true);
	});
});

describe('per-node maps: hand-computed cases', () => {
	const sec = (ms: number) => Math.floor(ms / 1000);

	it('has() looks in every node\'s map, by the caller\'s window, while the sending node remembers the key', () => {
		const container: Record<string, unknown> = {};
		new StaticDataLedger(container, 24 * HOUR, 100, 'm', day(1), 'daily').add('x', day(1));
		new StaticDataLedger(container, 720 * HOUR, 100, 'm', day(1), 'monthly').add('y', day(1));
		// 1 hour later: x (sent by the daily node) is a duplicate for the monthly node, y for the daily one
		const t = day(1) + HOUR * 1000;
		expect(new StaticDataLedger(container, 720 * HOUR, 100, 'm', t, 'monthly').has('x', t)).toBe(true);
		expect(new StaticDataLedger(container, 24 * HOUR, 100, 'm', t, 'daily').has('y', t)).toBe(true);
		// 25 hours after: y is outside the daily node's window; x is gone from the daily node's map
		// (its 24 hours passed), so not a duplicate for the monthly node either
		const t2 = day(2) + HOUR * 1000;
		expect(new StaticDataLedger(container, 24 * HOUR, 100, 'm', t2, 'daily').has('y', t2)).toBe(false);
		const monthly = new StaticDataLedger(container, 720 * HOUR, 100, 'm', t2, 'monthly');
		expect([monthly.has('x', t2), monthly.has('y', t2)]).toEqual([false, true]);
		expect(Object.keys((container.m as LedgerState).kn!)).toEqual(['monthly']);
	});

	it('add() writes the caller\'s map; sentAt() is the latest over all maps, the legacy one included', () => {
		const container: Record<string, unknown> = { m: { v: 1, k: { [hashKey('x')]: sec(day(1)) } } };
		const a = new StaticDataLedger(container, 720 * HOUR, 100, 'm', day(2), 'a');
		a.add('x', day(2));
		const b = new StaticDataLedger(container, 720 * HOUR, 100, 'm', day(3), 'b');
		expect(b.sentAt('x')).toBe(day(2));
		b.add('x', day(3));
		expect(b.sentAt('x')).toBe(day(3));
		expect(container.m).toEqual({
			v: 1,
			k: { [hashKey('x')]: sec(day(1)) },
			kn: { a: { [hashKey('x')]: sec(day(2)) }, b: { [hashKey('x')]: sec(day(3)) } },
			n: { a: { w: 720 * HOUR, m: 100, at: sec(day(2)), s: sec(day(2)), c: 1 }, b: { w: 720 * HOUR, m: 100, at: sec(day(3)), s: sec(day(3)), c: 1 } },
		});
	});

	it('delete() (Forget Sent Keys, no owner) removes the key from every map and records it as forgotten', () => {
		const container: Record<string, unknown> = { m: { v: 1, k: { [hashKey('x')]: sec(day(1)), [hashKey('y')]: sec(day(1)) } } };
		new StaticDataLedger(container, 720 * HOUR, 100, 'm', day(2), 'a').add('x', day(2));
		new StaticDataLedger(container, 24 * HOUR, 100, 'm', day(2), 'b').add('x', day(2) + 1000);
		const forget = new StaticDataLedger(container, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'm', day(2) + 2000);
		expect(forget.delete('x', day(2) + 2000)).toBe(true);
		expect(forget.delete('z', day(2) + 2000)).toBe(false);
		const state = container.m as LedgerState;
		expect(state.k).toEqual({ [hashKey('y')]: sec(day(1)) });
		expect(state.kn).toEqual({ a: {}, b: {} });
		expect(state.f).toEqual({ [hashKey('x')]: sec(day(2)) + 2, [hashKey('z')]: sec(day(2)) + 2 });
		// the next node run drops the empty maps; the policies stay while the nodes ran within their window
		new StaticDataLedger(container, 24 * HOUR, 100, 'm', day(2) + 3000, 'b');
		expect([state.kn, Object.keys(state.n!)]).toEqual([undefined, ['a', 'b']]);
	});

	it('bounded: every map within its node\'s bound, the legacy keys within what is left of the sum of the bounds', () => {
		const legacy: Record<string, number> = {};
		for (let i = 0; i < 10; i++) legacy[hashKey(`old${i}`)] = sec(day(1)) + i;
		const container: Record<string, unknown> = { m: { v: 1, k: { ...legacy } } };
		const a = new StaticDataLedger(container, 720 * HOUR, 3, 'm', day(2), 'a');
		// on load: sum of the bounds 3 (only a has run), a's map empty: 3 legacy keys left, the newest
		expect(Object.keys((container.m as LedgerState).k)).toEqual([7, 8, 9].map((i) => hashKey(`old${i}`)));
		a.add('a0', day(2));
		// a's next run: its own keys are never dropped by the bound, a0 (the earlier run's) is
		const aAgain = new StaticDataLedger(container, 720 * HOUR, 3, 'm', day(2) + 1000, 'a');
		for (let i = 1; i < 4; i++) aAgain.add(`a${i}`, day(2) + i * 1000);
		const b = new StaticDataLedger(container, 24 * HOUR, 2, 'm', day(2) + 5000, 'b');
		b.add('b0', day(2) + 5000);
		b.prune(day(2) + 6000);
		// a: its newest 3; b: 1; legacy: 3 + 2 - 4 = 1, the newest; 5 keys in all = 3 + 2
		const state = container.m as LedgerState;
		expect(Object.keys(state.kn!.a)).toEqual(['a1', 'a2', 'a3'].map(hashKey));
		expect(Object.keys(state.kn!.b)).toEqual([hashKey('b0')]);
		expect(Object.keys(state.k)).toEqual([hashKey('old9')]);
		expect(b.size()).toBe(5);
		// a node with no bound (0): no bound on the legacy keys either
		const c = new StaticDataLedger({ m: { v: 1, k: { ...legacy } } }, 24 * HOUR, 0, 'm', day(2), 'c');
		expect(c.size()).toBe(10);
	});

	it('legacy keys: kept for 30 days, or the longest window a node records, whatever the calling node\'s window', () => {
		const now = day(20);
		const old = (days: number) => sec(now) - days * 86400;
		const legacy = () => ({ m: { v: 1, k: { [hashKey('d29')]: old(29), [hashKey('d30')]: old(30), [hashKey('d40')]: old(40) } } });
		const container: Record<string, unknown> = legacy();
		new StaticDataLedger(container, 24 * HOUR, 100, 'm', now, 'daily');
		expect(Object.keys((container.m as LedgerState).k)).toEqual([hashKey('d29')]);
		// a 60-day node ran 10 days ago (its policy live): the 40-day-old key is kept on the daily node's run
		const withLong: Record<string, unknown> = legacy();
		(withLong.m as LedgerState).n = { quarterly: { w: 60 * 86400, m: 100, at: old(10) } };
		new StaticDataLedger(withLong, 24 * HOUR, 100, 'm', now, 'daily');
		expect(Object.keys((withLong.m as LedgerState).k)).toEqual(['d29', 'd30', 'd40'].map(hashKey));
	});

	it('a node map left without its policy (an earlier version dropped it) becomes legacy, kept by the legacy rule', () => {
		const container: Record<string, unknown> = {
			m: { v: 1, k: { [hashKey('x')]: sec(day(1)) }, kn: { gone: { [hashKey('x')]: sec(day(2)), [hashKey('y')]: sec(day(2)) } }, n: {} },
		};
		const daily = new StaticDataLedger(container, 24 * HOUR, 100, 'm', day(10), 'daily');
		const state = container.m as LedgerState;
		expect(state.k).toEqual({ [hashKey('x')]: sec(day(2)), [hashKey('y')]: sec(day(2)) });
		expect(state.kn).toBeUndefined();
		expect(daily.sentAt('y')).toBe(day(2));
	});

	it('stays readable by an earlier version: v 1, `k` an object of epoch seconds, each policy { w, m, at } (and s, c, which it ignores)', () => {
		const container: Record<string, unknown> = { m: { v: 1, k: { [hashKey('x')]: sec(day(1)) } } };
		new StaticDataLedger(container, 24 * HOUR, 100, 'm', day(2), 'daily').add('y', day(2));
		const state = JSON.parse(JSON.stringify(container.m)) as Record<string, unknown>;
		expect(state.v).toBe(1);
		expect(state.k).toEqual({ [hashKey('x')]: sec(day(1)) });
		expect(state.n).toEqual({ daily: { w: 24 * HOUR, m: 100, at: sec(day(2)), s: sec(day(2)), c: 1 } });
		expect(state.kn).toEqual({ daily: { [hashKey('y')]: sec(day(2)) } });
	});
});
