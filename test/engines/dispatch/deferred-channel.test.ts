/**
 * dispatch() with a DeferredChannel (what ESP Dispatch passes: a channel whose opening loads the
 * credential): suppression and the duplicate memory are decided first, the channel is opened only
 * when a message is left to send or show, and when it cannot be opened every message that was to
 * be sent fails with the reason while the others keep their status; nothing is remembered.
 */
import { ChannelUnavailableError, dispatch, type Channel, type DeferredChannel } from '../../../nodes/engines/dispatch/engine';
import { captureChannel, dispatchItem } from '../../harness/dispatch-engine';
import { MemoryLedger } from '../../../nodes/engines/dispatch/ledger';

const item = dispatchItem;

const sent: number[] = [];
const channel: Channel = captureChannel((m) => (sent.push(m.index), { status: 'sent' }));

function deferred(result: () => Promise<Channel>): DeferredChannel & { opened: number } {
	const d = {
		opened: 0,
		open: async () => {
			d.opened++;
			return result();
		},
	};
	return d;
}

beforeEach(() => {
	sent.length = 0;
});

describe('dispatch() with a DeferredChannel', () => {
	it('is not opened when every recipient is suppressed or a duplicate', async () => {
		const ledger = new MemoryLedger(3600);
		const first = await dispatch([item(0)], channel, { mode: 'rendered', ledger });
		expect(first.outcomes[0].status).toBe('sent');
		const source = deferred(() => Promise.reject(new Error('no credential')));
		for (const dryRun of [false, true]) {
			const report = await dispatch([item(0), item(1, { suppressedReason: 'unsubscribed' })], source, { mode: 'rendered', ledger, dryRun });
			expect(report.outcomes.map((o) => o.status)).toEqual(['duplicate', 'suppressed']);
			expect(report.requests).toBe(0);
		}
		expect(source.opened).toBe(0);
	});

	it('is opened once, then sends as the channel would', async () => {
		const source = deferred(async () => channel);
		const report = await dispatch([item(0), item(1, { suppressedReason: 'in the A/B holdout' }), item(2)], source, { mode: 'rendered' });
		expect(report.outcomes.map((o) => o.status)).toEqual(['sent', 'suppressed', 'sent']);
		expect(source.opened).toBe(1);
		expect(sent).toEqual([0, 2]);
	});

	it('that cannot be opened: the messages to send fail with the reason, the others keep their status, nothing is remembered', async () => {
		const ledger = new MemoryLedger(3600);
		await dispatch([item(3)], channel, { mode: 'rendered', ledger });
		// item 3 was sent by the run before; item 5 is item 0's message again (same key, same run)
		const items = [item(0), item(1, { suppressedReason: 'bounced' }), item(2), item(3), item(4), { ...item(0), index: 5 }];
		const error = await dispatch(items, deferred(() => Promise.reject(new Error('credential "x" not found'))), { mode: 'rendered', ledger }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ChannelUnavailableError);
		const { report, unsent, message } = error as ChannelUnavailableError;
		expect(message).toBe('credential "x" not found');
		expect(report.outcomes.map((o) => [o.index, o.status])).toEqual([
			[0, 'failed'],
			[1, 'suppressed'],
			[2, 'failed'],
			[3, 'duplicate'],
			[4, 'failed'],
			[5, 'duplicate'],
		]);
		expect(unsent).toEqual([0, 2, 4]);
		expect(report.outcomes[0]).toMatchObject({ error: 'not sent: credential "x" not found', attempts: 0 });
		expect(report.outcomes[1].error).toBe('recipient is bounced');
		expect(report.requests).toBe(0);
		expect(sent).toEqual([3]);
		// nothing of this run was remembered: the failed messages go out on the next run
		const next = await dispatch([item(0), item(2)], channel, { mode: 'rendered', ledger });
		expect(next.outcomes.map((o) => o.status)).toEqual(['sent', 'sent']);
	});

	it('in test mode a message that could not be sent names no test address', async () => {
		const error = (await dispatch([item(0)], deferred(() => Promise.reject(new Error('nope'))), { mode: 'rendered', testAddress: 'qa@shop.example' }).catch((e: unknown) => e)) as ChannelUnavailableError;
		expect(error.report.outcomes[0]).toMatchObject({ status: 'failed', sentTo: undefined });
	});
});
