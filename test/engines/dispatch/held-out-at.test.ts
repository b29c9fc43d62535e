/**
 * dispatch() and the A/B holdout (DispatchItem.holdout): not mailed, status `suppressed` with the
 * error ESP Dispatch has always written for it, and, in a real run, `heldOutAt`: when the run
 * decided not to mail it (ISO-8601 UTC), from the same `now` clock as `sentAt`, so every expected
 * time below is the clock's reading. A/B Experiment Analyze opens the holdout's attribution window
 * from it.
 */
import { dispatch, type Channel } from '../../../nodes/engines/dispatch/engine';
import { captureChannel, dispatchItem } from '../../harness/dispatch-engine';
import { StaticDataLedger } from '../../../nodes/engines/dispatch/ledger';

const item = dispatchItem;

const sent: number[] = [];
let opened = 0;
const channel: Channel = captureChannel((m) => (sent.push(m.index), { status: 'sent' }));
const deferred = { open: async () => ((opened += 1), channel) };

const T0 = Date.UTC(2025, 2, 3, 9, 0, 0, 250); // 2025-03-03T09:00:00.250Z
const HOLDOUT_ERROR = 'recipient is in the A/B holdout (no email by design)';

beforeEach(() => {
	sent.length = 0;
	opened = 0;
});

describe('dispatch(): the A/B holdout', () => {
	it('is not mailed: suppressed, with heldOutAt from the run\'s clock; mailed messages carry sentAt, and only the holdout heldOutAt', async () => {
		const report = await dispatch([item(0), item(1, { holdout: true }), item(2, { suppressedReason: 'unsubscribed' }), item(3, { holdout: true })], channel, { mode: 'rendered', now: () => T0 });
		expect(report.outcomes.map((o) => [o.index, o.status, o.error ?? null, o.sentAt ?? null, o.heldOutAt ?? null])).toEqual([
			[0, 'sent', null, '2025-03-03T09:00:00.250Z', null],
			[1, 'suppressed', HOLDOUT_ERROR, null, '2025-03-03T09:00:00.250Z'],
			[2, 'suppressed', 'recipient is unsubscribed', null, null],
			[3, 'suppressed', HOLDOUT_ERROR, null, '2025-03-03T09:00:00.250Z'],
		]);
		expect(sent).toEqual([0]);
	});

	it('a recipient who may not be mailed anyway (suppressed, on the suppression list) is not held out: its reason, no heldOutAt', async () => {
		const report = await dispatch([item(0, { holdout: true, suppressedReason: 'bounced' }), item(1, { holdout: true })], channel, {
			mode: 'rendered',
			now: () => T0,
			suppressionList: new Set(['user1@example.com']),
		});
		expect(report.outcomes.map((o) => [o.status, o.error, o.heldOutAt])).toEqual([
			['suppressed', 'recipient is bounced', undefined],
			['suppressed', 'recipient is on the suppression list', undefined],
		]);
	});

	it('needs no channel: a run of held-out recipients opens none and sends nothing', async () => {
		const report = await dispatch([item(0, { holdout: true }), item(1, { holdout: true })], deferred, { mode: 'rendered', now: () => T0 });
		expect(report.outcomes.map((o) => [o.status, o.heldOutAt])).toEqual([
			['suppressed', '2025-03-03T09:00:00.250Z'],
			['suppressed', '2025-03-03T09:00:00.250Z'],
		]);
		expect(report.requests).toBe(0);
		expect(opened).toBe(0);
	});

	it('held out again by a later run: not a duplicate, and that run\'s own time (the duplicate memory remembers sends only)', async () => {
		const ledger = new StaticDataLedger({}, 24 * 3600, 1000, 'ledger', T0);
		const first = await dispatch([item(0, { holdout: true })], channel, { mode: 'rendered', ledger, now: () => T0 });
		const later = T0 + 3_600_000;
		const second = await dispatch([item(0, { holdout: true })], channel, { mode: 'rendered', ledger, now: () => later });
		expect([...first.outcomes, ...second.outcomes].map((o) => [o.status, o.heldOutAt])).toEqual([
			['suppressed', '2025-03-03T09:00:00.250Z'],
			['suppressed', '2025-03-03T10:00:00.250Z'],
		]);
	});

	it('a dry run, test mode or sandbox mails no customer, so holds none out: suppressed as before, without heldOutAt', async () => {
		for (const settings of [{ dryRun: true }, { testAddress: 'qa@example.com' }, { sandbox: true }]) {
			const report = await dispatch([item(0), item(1, { holdout: true })], channel, { mode: 'rendered', now: () => T0, ...settings });
			expect(report.outcomes[1]).toMatchObject({ status: 'suppressed', error: HOLDOUT_ERROR });
			expect(report.outcomes[1].heldOutAt).toBeUndefined();
		}
	});
});
