/**
 * Max Remembered Keys never drops the keys of the node's latest run that remembered keys: a run
 * larger than the bound keeps them all, so the re-run the node recommends (after a stop, a crash
 * or failures) finds every one of them. The bound still drops older runs' keys, oldest first.
 * Hand-computed cases (review finding 4: 25,000 keys with the default bound 20,000).
 */
import { hashKey, type LedgerState, StaticDataLedger } from '../../../nodes/engines/dispatch/ledger';

const HOUR = 3600;
const T0 = Date.UTC(2026, 2, 10, 6);
const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('Max Remembered Keys and the current run', () => {
	it('a 25,000-key run with the default bound 20,000: all kept, and a re-run an hour later finds all 25,000', () => {
		const container: Record<string, unknown> = {};
		const run = new StaticDataLedger(container, 24 * HOUR, 20000, 'm', T0, 'node-1', 'exec-1');
		const campaign = keys('key-', 25000);
		campaign.forEach((k, i) => run.add(k, T0 + i * 10)); // sent over about 4 minutes
		run.prune(T0 + 250000); // as the node does when the run ends
		expect(run.keysThisRun).toBe(25000);
		expect(Object.keys((container.m as LedgerState).kn!['node-1'])).toHaveLength(25000);
		// the re-run (a new execution) an hour later: loading prunes too, and must keep them
		const at = T0 + HOUR * 1000;
		const rerun = new StaticDataLedger(JSON.parse(JSON.stringify(container)) as Record<string, unknown>, 24 * HOUR, 20000, 'm', at, 'node-1', 'exec-2');
		expect(campaign.filter((k) => !rerun.has(k, at))).toEqual([]);
		// it sends nothing new: its end keeps them all as well (nor does it warn: it remembered none)
		rerun.prune(at + 1000);
		expect(rerun.size()).toBe(25000);
		expect(rerun.keysThisRun).toBe(0);
	});

	it('a small run after a large one: the bound drops the older run\'s oldest keys, never the new run\'s', () => {
		const container: Record<string, unknown> = {};
		const first = new StaticDataLedger(container, 24 * HOUR, 50, 'm', T0, 'n', 'exec-1');
		keys('a', 60).forEach((k, i) => first.add(k, T0 + i * 1000));
		first.prune(T0 + 60000);
		expect(first.size()).toBe(60);
		const at = T0 + HOUR * 1000;
		const second = new StaticDataLedger(container, 24 * HOUR, 50, 'm', at, 'n', 'exec-2');
		keys('b', 10).forEach((k, i) => second.add(k, at + i * 1000));
		second.prune(at + 10000);
		// 50 in all: the 10 new ones and the newest 40 of the first run (a20 … a59); a0 … a19 dropped
		const map = (container.m as LedgerState).kn!.n;
		expect(Object.keys(map)).toEqual([...keys('a', 60).slice(20), ...keys('b', 10)].map(hashKey));
		expect(second.keysThisRun).toBe(10);
	});

	it('a run of 60 over the bound 50 after a run of 40: the earlier run\'s keys all go, the run\'s own 60 stay', () => {
		const container: Record<string, unknown> = {};
		const first = new StaticDataLedger(container, 24 * HOUR, 50, 'm', T0, 'n', 'exec-1');
		keys('a', 40).forEach((k, i) => first.add(k, T0 + i * 1000));
		first.prune(T0 + 40000);
		const at = T0 + HOUR * 1000;
		const second = new StaticDataLedger(container, 24 * HOUR, 50, 'm', at, 'n', 'exec-2');
		keys('b', 60).forEach((k, i) => second.add(k, at + i * 1000));
		second.prune(at + 60000);
		// the earlier run's 40 all go (60 already over the bound), the run's 60 stay
		expect(Object.keys((container.m as LedgerState).kn!.n)).toEqual(keys('b', 60).map(hashKey));
		expect(second.keysThisRun).toBe(60);
	});

	it('the node\'s runs in one execution (a loop) count as one run; in another execution the earlier one is older', () => {
		const loop = (execution2: string) => {
			const container: Record<string, unknown> = {};
			const a = new StaticDataLedger(container, 24 * HOUR, 50, 'm', T0, 'n', 'exec-1');
			keys('a', 30).forEach((k, i) => a.add(k, T0 + i * 1000));
			a.prune(T0 + 30000);
			const b = new StaticDataLedger(container, 24 * HOUR, 50, 'm', T0 + 30000, 'n', execution2);
			keys('b', 30).forEach((k, i) => b.add(k, T0 + 30000 + i * 1000));
			b.prune(T0 + 60000);
			return { kept: Object.keys((container.m as LedgerState).kn!.n).length, run: b.keysThisRun };
		};
		expect(loop('exec-1')).toEqual({ kept: 60, run: 60 });
		expect(loop('exec-2')).toEqual({ kept: 50, run: 30 });
	});

	it('Max Remembered Keys 0 (no limit): every key within the window kept, only the window drops keys', () => {
		const container: Record<string, unknown> = {};
		const first = new StaticDataLedger(container, 24 * HOUR, 0, 'm', T0, 'n', 'exec-1');
		keys('a', 60).forEach((k, i) => first.add(k, T0 + i * 1000));
		first.prune(T0 + 60000);
		const second = new StaticDataLedger(container, 24 * HOUR, 0, 'm', T0 + HOUR * 1000, 'n', 'exec-2');
		second.add('b', T0 + HOUR * 1000);
		second.prune(T0 + HOUR * 1000);
		expect(second.size()).toBe(61);
		// 25 hours after the first run: its keys are past the 24-hour window, b (1 h younger) is not
		const later = new StaticDataLedger(container, 24 * HOUR, 0, 'm', T0 + 25 * HOUR * 1000 - 1000, 'n', 'exec-3');
		expect([later.size(), later.has('b', T0 + 25 * HOUR * 1000 - 1000)]).toEqual([1, true]);
	});
});
