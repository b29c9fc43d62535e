/**
 * dispatch() results' `attemptedAt`: for `failed` and `unknown` messages a request carried, when
 * the last such request was sent (ISO-8601 UTC), so that an A/B analysis can count a recipient whose
 * email was tried and failed as assigned (intention to treat), with a time for its attribution
 * window. Times come from the `now` clock given to dispatch(), which only the retry waits move on:
 * every expected value is worked out by hand from that clock, not taken from the code's output.
 */
import { dispatch } from '../../../nodes/engines/dispatch/engine';
import type { MessageResult } from '../../../nodes/engines/dispatch/types';
import { captureChannel, dispatchItem as item } from '../../harness/dispatch-engine';
import { pairsChannel } from '../../dispatch/helpers';

const T0 = Date.UTC(2025, 2, 3, 9, 0, 0, 250); // 2025-03-03T09:00:00.250Z

/** A clock that only sleeping moves on. */
function clock() {
	let t = T0;
	return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

// Backoff before retry n: base = min(1000, 1000·2^(n-1)) = 1000 ms, plus jitter: base/2 + random·base/2
// = 1000 ms at random 1. So the attempts go at T0, T0+1 s and T0+2 s.
const retry = { maxAttempts: 3, initialDelayMs: 1000, maxDelayMs: 1000 };

describe('dispatch() attemptedAt', () => {
	it('failed and unknown carry the time of their last attempt; sent, suppressed and duplicate none', async () => {
		const answers: Record<number, Omit<MessageResult, 'index'>> = {
			0: { status: 'sent' },
			1: { status: 'failed', responseCode: 503, retryable: true, error: 'unavailable' }, // every attempt
			2: { status: 'failed', responseCode: 422, error: 'invalid' }, // final at the first attempt
			3: { status: 'unknown', error: 'no result' },
		};
		const c = clock();
		const report = await dispatch(
			[item(0), item(1), item(2), item(3), item(4, { suppressedReason: 'unsubscribed' }), item(5, { idempotencyKey: 'k0' }), item(6, { idempotencyKey: 'k0' })],
			captureChannel((m) => answers[m.index] ?? { status: 'sent' }),
			{ mode: 'rendered', retry, random: () => 1, limits: { concurrency: 1 }, ...c },
		);
		expect(report.outcomes.map((o) => [o.status, o.attempts, o.attemptedAt])).toEqual([
			['sent', 1, undefined],
			['failed', 3, '2025-03-03T09:00:02.250Z'],
			['failed', 1, '2025-03-03T09:00:00.250Z'],
			['unknown', 1, '2025-03-03T09:00:00.250Z'],
			['suppressed', 0, undefined],
			['sent', 1, undefined],
			['duplicate', 0, undefined],
		]);
		// Existing fields unchanged: unknown keeps its sentAt, failed still has none.
		expect(report.outcomes[3].sentAt).toBe('2025-03-03T09:00:00.250Z');
		expect(report.outcomes[1].sentAt).toBeUndefined();
	});

	it('a message never tried (its sender refused earlier in the run) has none; the refused one has its own', async () => {
		const bad = 'news@unverified.example';
		const channel = pairsChannel((unit) =>
			unit.messages.map((m) =>
				m.from.email === bad
					? { index: m.index, status: 'failed' as const, responseCode: 200, refused: 'sender' as const, error: 'sender not verified' }
					: { index: m.index, status: 'sent' as const, responseCode: 200 },
			),
		);
		const items = [item(0, { from: { email: bad } }), item(1), item(2, { from: { email: bad } }), item(3)];
		const report = await dispatch(items, channel, { mode: 'rendered', retry, limits: { concurrency: 1 }, ...clock() });
		expect(report.outcomes.map((o) => [o.status, o.attempts, o.attemptedAt])).toEqual([
			['failed', 1, '2025-03-03T09:00:00.250Z'],
			['sent', 1, undefined],
			['failed', 0, undefined],
			['sent', 1, undefined],
		]);
	});

	it('a dry run has none', async () => {
		const report = await dispatch([item(0)], captureChannel(() => ({ status: 'failed', error: 'x' })), { mode: 'rendered', dryRun: true, ...clock() });
		expect(report.outcomes.map((o) => [o.status, o.attemptedAt])).toEqual([['dryRun', undefined]]);
	});
});
