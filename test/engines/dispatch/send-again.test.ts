/**
 * The engine's handling of `sendAgain` (types.ts): messages of a request refused as a whole for
 * others of its messages are sent again at once, without the refused ones, or each alone when the
 * answer refused none by name; the recursion ends, a `sendAgain` 403 is never a rejected
 * credential, and a message an earlier attempt of which may have been accepted is not sent again.
 */
import { dispatch } from '../../../nodes/engines/dispatch/engine';
import { TransportError, type MessageResult } from '../../../nodes/engines/dispatch/types';
import { fakeSleep, pairsChannel, renderedItems } from '../../dispatch/helpers';

const settings = () => {
	const clock = fakeSleep();
	return { mode: 'rendered' as const, limits: { concurrency: 1 }, sleep: clock.sleep, now: clock.now, retry: { initialDelayMs: 1, maxDelayMs: 2 } };
};

describe('messages sent again after a request refused for others of its messages', () => {
	it('a provider that never names a message: each is tried alone once, then fails; no credential rejection, nothing else stops', async () => {
		const channel = pairsChannel((unit) => unit.messages.map((m) => ({ index: m.index, status: 'failed', responseCode: 403, retryable: false, sendAgain: true, error: 'refused as a whole' })));
		const report = await dispatch(renderedItems(4), channel, settings());
		expect(channel.sent).toEqual([[0, 1], [0], [1], [2, 3], [2], [3]]);
		expect(report.credentialRejected).toBeUndefined();
		expect(report.outcomes.map((o) => [o.status, o.attempts, o.responseCode])).toEqual([
			['failed', 1, 403],
			['failed', 1, 403],
			['failed', 1, 403],
			['failed', 1, 403],
		]);
	});

	it('the messages not refused go again together, the refused one fails at once and bars nothing', async () => {
		const channel = pairsChannel((unit) =>
			unit.messages.some((m) => m.index === 0)
				? unit.messages.map((m) => (m.index === 0 ? { index: 0, status: 'failed', responseCode: 403, refused: 'recipient', retryable: false, error: 'not to this recipient' } : { index: m.index, status: 'failed', responseCode: 403, retryable: false, sendAgain: true, error: 'refused as a whole' }))
				: unit.messages.map((m) => ({ index: m.index, status: 'sent', responseCode: 200, providerMessageId: `id-${m.index}` })),
		);
		const report = await dispatch(renderedItems(4), channel, settings());
		expect(channel.sent).toEqual([[0, 1], [1], [2, 3]]);
		expect(report.outcomes.map((o) => [o.status, o.attempts, o.error])).toEqual([
			['failed', 1, 'not to this recipient'],
			['sent', 1, undefined],
			['sent', 1, undefined],
			['sent', 1, undefined],
		]);
	});

	it('a request refused for another message does not count against Max Attempts: the message still gets all its retries', async () => {
		// Max Attempts 2: call 1 refuses message 0 and names message 1 to send again; call 2 (message 1
		// alone) answers 503; call 3 accepts it. That is two real attempts of message 1.
		const channel = pairsChannel((unit, call) => {
			if (call === 1) return unit.messages.map((m) => (m.index === 0 ? { index: 0, status: 'failed', responseCode: 403, refused: 'recipient', retryable: false, error: 'not to this recipient' } : { index: m.index, status: 'failed', responseCode: 403, retryable: false, sendAgain: true, error: 'refused as a whole' }));
			if (call === 2) return unit.messages.map((m) => ({ index: m.index, status: 'failed', responseCode: 503, retryable: true, error: 'unavailable' }));
			return unit.messages.map((m) => ({ index: m.index, status: 'sent', responseCode: 200, providerMessageId: `id-${m.index}` }));
		});
		const s = settings();
		const report = await dispatch(renderedItems(2), channel, { ...s, retry: { ...s.retry, maxAttempts: 2 } });
		expect(channel.sent).toEqual([[0, 1], [1], [1]]);
		expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([
			['failed', 1],
			['sent', 2],
		]);
	});

	it('a message whose earlier attempt lost its answer after the request was sent is not sent again: it stays unknown', async () => {
		const channel = pairsChannel((unit, call) => {
			if (call === 1) throw new TransportError('socket hang up', 'after');
			return unit.messages.map((m) => (m.index === 0 ? { index: 0, status: 'failed', responseCode: 403, refused: 'recipient', retryable: false, error: 'not to this recipient' } : { index: m.index, status: 'failed', responseCode: 403, retryable: false, sendAgain: true, error: 'refused as a whole' }));
		});
		const report = await dispatch(renderedItems(2), channel, settings());
		expect(channel.sent).toEqual([[0, 1], [0, 1]]);
		expect(report.outcomes.map((o) => o.status)).toEqual(['unknown', 'unknown']);
		expect(report.outcomes[1].error).toMatch(/^refused as a whole; an earlier attempt's answer was lost after the request was sent/);
	});
});
