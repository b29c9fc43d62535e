/**
 * dispatch() results' `sentAt`: when the provider accepted the message (ISO-8601 UTC), for the
 * statuses that count as mailed, so A/B Experiment Analyze can open a recipient's attribution
 * window from an ESP Dispatch result. Times come from the `now` clock given to dispatch(), so
 * every expected value is the clock's reading, not the code's output.
 */
import { dispatch, type Channel } from '../../../nodes/engines/dispatch/engine';
import { captureChannel, dispatchItem } from '../../harness/dispatch-engine';
import { StaticDataLedger } from '../../../nodes/engines/dispatch/ledger';
import type { MessageResult } from '../../../nodes/engines/dispatch/types';

const item = dispatchItem;

/** Answers each message with the status its index asks for (0 sent, 1 queued, 2 failed, 3 unknown). */
const STATUS: Array<MessageResult['status']> = ['sent', 'queued', 'failed', 'unknown'];
const channel: Channel = captureChannel((m) => ({ status: STATUS[m.index % 4], error: STATUS[m.index % 4] === 'failed' ? 'refused' : undefined }));

const T0 = Date.UTC(2025, 2, 3, 9, 0, 0, 250); // 2025-03-03T09:00:00.250Z

describe('dispatch() sentAt', () => {
	it('sent, queued and unknown carry the time of the answer; failed and suppressed none', async () => {
		const report = await dispatch([item(0), item(1), item(2), item(3), item(4, { suppressedReason: 'unsubscribed' })], channel, { mode: 'rendered', now: () => T0, retry: { maxAttempts: 1 } });
		expect(report.outcomes.map((o) => [o.status, o.sentAt])).toEqual([
			['sent', '2025-03-03T09:00:00.250Z'],
			['queued', '2025-03-03T09:00:00.250Z'],
			['failed', undefined],
			['unknown', '2025-03-03T09:00:00.250Z'],
			['suppressed', undefined],
		]);
	});

	it('a duplicate of an earlier run carries the time that run was remembered (to the second); one earlier in the same run none', async () => {
		// the duplicate memory ESP Dispatch keeps in workflow static data (epoch seconds)
		const ledger = new StaticDataLedger({}, 24 * 3600, 1000, 'ledger', T0);
		await dispatch([item(0)], channel, { mode: 'rendered', ledger, now: () => T0 });
		const later = T0 + 3_600_000;
		const report = await dispatch([item(0), item(0, { index: 1 })], channel, { mode: 'rendered', ledger, now: () => later });
		expect(report.outcomes.map((o) => [o.status, o.sentAt])).toEqual([
			['duplicate', '2025-03-03T09:00:00.000Z'],
			['duplicate', '2025-03-03T09:00:00.000Z'],
		]);
		// same content twice in one new run: the first is sent now, the second is a duplicate of it in this run
		const fresh = await dispatch([item(5), item(5, { index: 6 })], channel, { mode: 'rendered', ledger, now: () => later });
		expect(fresh.outcomes.map((o) => [o.status, o.sentAt])).toEqual([
			['queued', '2025-03-03T10:00:00.250Z'],
			['duplicate', undefined],
		]);
	});

	it('dry run and sandbox carry none', async () => {
		const dry = await dispatch([item(0)], channel, { mode: 'rendered', dryRun: true, now: () => T0 });
		expect(dry.outcomes.map((o) => [o.status, o.sentAt])).toEqual([['dryRun', undefined]]);
		const sandbox = await dispatch([item(0)], channel, { mode: 'rendered', sandbox: true, now: () => T0 });
		expect(sandbox.outcomes.map((o) => [o.status, o.sentAt])).toEqual([['sandbox', undefined]]);
	});
});
