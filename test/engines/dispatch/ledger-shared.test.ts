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
});
