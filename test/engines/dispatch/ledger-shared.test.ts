/**
 * One duplicate memory per workflow, shared by its ESP Dispatch nodes: each node records its
 * Duplicate Window and Max Remembered Keys; the memory is pruned by the widest of the nodes that
 * ran within their own window, and each node answers `has` by its own window. Hand-built cases.
 */
import { hashKey, StaticDataLedger } from '../../../nodes/engines/dispatch/ledger';

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

	it('the widest bound wins (0 = no limit), and a node that has not run within its window no longer counts', () => {
		const container: Record<string, unknown> = {};
		const unbounded = new StaticDataLedger(container, 48 * HOUR, 0, 'm', day(1), 'unbounded');
		for (let i = 0; i < 5; i++) unbounded.add(`k${i}`, day(1) + i * 1000);
		// a node keeping 2 keys for 24 hours, 12 hours later: the other node's 0 (no limit, 48 h) still applies
		new StaticDataLedger(container, 24 * HOUR, 2, 'm', day(1) + 12 * HOUR * 1000, 'small');
		expect(Object.keys((container.m as { k: object }).k)).toHaveLength(5);
		// 3 days later the 48-hour node last ran 72 hours ago: only the small node's policy is live
		const later = new StaticDataLedger(container, 24 * HOUR, 2, 'm', day(4), 'small');
		expect(Object.keys((container.m as { n: object }).n)).toEqual(['small']);
		later.add('k5', day(4));
		later.add('k6', day(4) + 1000);
		new StaticDataLedger(container, 24 * HOUR, 2, 'm', day(4) + 2000, 'small');
		expect(Object.keys((container.m as { k: object }).k)).toEqual([hashKey('k5'), hashKey('k6')]);
	});

	it('without an owner (Forget Sent Keys, older callers) only its own window and bound prune, and nothing is recorded', () => {
		const container: Record<string, unknown> = {};
		new StaticDataLedger(container, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'm', day(1));
		expect((container.m as { n?: object }).n).toBeUndefined();
	});

	// Known limitation, not fixed: the keys are not tagged by node, so the widest bound counts every
	// node's keys. A 24-hour node's keys older than 24 hours are kept for the 30-day node's window and
	// push the 30-day node's own keys out, though neither node is over its own bound: here the daily
	// node needs its last 10 keys, the monthly node its 50, both bounds are 100, and the monthly
	// node's keys are gone on day 8 (its own memory, or a workflow of its own, would keep them).
	it.failing('a 24-hour node sending daily does not push out the keys a 30-day node keeps within its own bound', () => {
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
	});

	// Known limitation, not fixed: a memory written by an earlier version has no `n`, so the first
	// node to run after the upgrade prunes by its own window alone. When that is the 24-hour node, the
	// 30-day node's keys (sent 5 days ago, kept by the earlier version's 30-day run) are dropped once
	// more, as the earlier version did, and the 30-day node mails them again.
	it.failing('memory written by an earlier version (no n): the first 24-hour run keeps the keys a 30-day node wrote', () => {
		const container: Record<string, unknown> = { m: { v: 1, k: { [hashKey('vip:ada')]: Math.floor(day(1) / 1000) } } };
		new StaticDataLedger(container, 24 * HOUR, 20000, 'm', day(6), 'daily');
		const monthly = new StaticDataLedger(container, 720 * HOUR, 20000, 'm', day(6) + 1000, 'monthly');
		expect(monthly.has('vip:ada', day(6) + 1000)).toBe(true);
	});
});

