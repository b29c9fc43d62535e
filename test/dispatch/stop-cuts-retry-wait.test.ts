/**
 * When the run stops (credential rejected, provider unreachable, a Retry-After over Max Retry-After
 * Wait, SES's daily quota, an unexpected error), a message already waiting for its retry fails at
 * once: it does not sleep out its backoff first only to be "not sent" (with Max Delay 30 s or a
 * Retry-After of up to Max Retry-After Wait, 120 s, that kept a stopped run open for minutes).
 *
 * Two workers: worker 1's message is answered 503 (retryable) and goes to sleep for its backoff; the
 * injectable sleep never ends that sleep by itself. Only then does worker 2's message get the answer
 * that stops the run. The run must end without that sleep being released. No wall clock is read:
 * whether the run ended is checked after the event loop's pending callbacks have run (the channel
 * answers in promise jobs only).
 */
import { dispatch, DispatchStoppedError, type Channel, type DispatchReport, type Unit } from '../../nodes/engines/dispatch/engine';
import { MemoryLedger } from '../../nodes/engines/dispatch/ledger';
import { realSleep } from '../../nodes/engines/dispatch/limiter';
import type { MessageResult } from '../../nodes/engines/dispatch/types';
import { TransportError } from '../../nodes/engines/dispatch/types';
import { renderedItems } from './helpers';

type Answer = (unit: Unit) => MessageResult[];

const LAST_ANSWER = 'its last answer: Service Unavailable';

/** A sleep whose first call (worker 1's backoff) waits until released; later calls end at once. */
function heldSleep() {
	const delays: number[] = [];
	let release: (() => void) | undefined;
	let held!: () => void;
	const firstCall = new Promise<void>((resolve) => (held = resolve));
	return {
		delays,
		firstCall,
		release: () => release?.(),
		sleep: (ms: number) => {
			delays.push(ms);
			if (delays.length > 1) return Promise.resolve();
			held();
			return new Promise<void>((resolve) => (release = resolve));
		},
	};
}

/** One message per request; message 0 is answered 503, message 1 (after worker 1 is asleep) by `stop`. */
function channel(stop: Answer, firstCall: Promise<void>): Channel & { sent: number[] } {
	const sent: number[] = [];
	return {
		id: 'x',
		displayName: 'X',
		maxBatch: { rendered: 1, template: 1 },
		acceptsIdempotencyKey: false,
		sent,
		plan: (messages) => messages.map((m) => ({ messages: [m] })),
		async send(unit) {
			const index = unit.messages[0].index;
			sent.push(index);
			if (index === 0) return [{ index, status: 'failed', responseCode: 503, retryable: true, error: 'Service Unavailable' }];
			await firstCall;
			return stop(unit);
		},
	};
}

/** Runs dispatch; whether it ended before the held sleep was released, and its report. */
async function run(stop: Answer, settings: { maxAttempts?: number; ledger?: MemoryLedger } = {}) {
	const clock = heldSleep();
	const ch = channel(stop, clock.firstCall);
	let ended = false;
	const running = dispatch(renderedItems(2), ch, {
		mode: 'rendered',
		limits: { concurrency: 2 },
		retry: { maxAttempts: settings.maxAttempts ?? 5, initialDelayMs: 30000, maxDelayMs: 30000 },
		random: () => 1,
		sleep: clock.sleep,
		ledger: settings.ledger,
	}).then(
		(report) => ({ report, error: undefined as unknown }),
		(error: unknown) => ({ report: (error as DispatchStoppedError).report as DispatchReport, error }),
	).finally(() => (ended = true));
	// Promise jobs run before each of these callbacks: what can end without the sleep has ended.
	for (let i = 0; i < 20 && !ended; i++) await new Promise((resolve) => setImmediate(resolve));
	const endedWhileAsleep = ended;
	clock.release();
	const result = await running;
	return { ...result, endedWhileAsleep, sent: ch.sent, delays: clock.delays };
}

describe('a stop ends the wait of a message that waits for its retry', () => {
	it.each<[string, Answer, RegExp]>([
		[
			'credential rejected (401)',
			(u) => [{ index: u.messages[0].index, status: 'failed', responseCode: 401, error: 'bad key' }],
			/^not sent again: X rejected the credential \(401\): bad key; /,
		],
		[
			'Retry-After over the maximum',
			(u) => [{ index: u.messages[0].index, status: 'failed', responseCode: 429, retryable: true, retryAfterSeconds: 3600, error: 'rate limited' }],
			/^not sent again: X asked to wait 3600 s, more than the maximum retry wait \(120 s\), so the rest of this run was not sent; /,
		],
		[
			'a provider stop (stopsRun: SES daily quota)',
			(u) => [{ index: u.messages[0].index, status: 'failed', responseCode: 400, error: 'quota', stopsRun: 'the daily sending quota is used up' }],
			/^not sent again: the daily sending quota is used up; /,
		],
	])('%s', async (_name, stop, expected) => {
		const result = await run(stop);
		expect(result.endedWhileAsleep).toBe(true);
		// Message 0 was sent once and never retried; its backoff (30 s) was the only sleep.
		expect(result.sent).toEqual([0, 1]);
		expect(result.delays).toEqual([30000]);
		const [first, second] = result.report.outcomes;
		expect(second).toMatchObject({ status: 'failed', attempts: 1 });
		expect(first).toMatchObject({ status: 'failed', attempts: 1, responseCode: 503 });
		expect(first.error).toMatch(expected);
		expect(first.error).toContain(LAST_ANSWER);
	});

	it('provider unreachable after its own retries: the other message waiting for its retry fails at once', async () => {
		// Max Attempts 2: message 1's two attempts both fail before reaching the provider (its own
		// backoff is the second sleep, which ends at once), then the run stops as unreachable while
		// message 0 still sleeps.
		const result = await run(() => {
			throw new TransportError('connect ECONNREFUSED', 'before');
		}, { maxAttempts: 2 });
		expect(result.endedWhileAsleep).toBe(true);
		expect(result.sent).toEqual([0, 1, 1]);
		expect(result.report.unreachable).toMatch(/^X could not be reached \(connect ECONNREFUSED\) in 2 attempts/);
		const [first] = result.report.outcomes;
		expect(first).toMatchObject({ status: 'failed', attempts: 1, responseCode: 503 });
		expect(first.error).toMatch(/^not sent again: X could not be reached \(connect ECONNREFUSED\) in 2 attempts, so the rest of this run was not tried; /);
		expect(first.error).toContain(LAST_ANSWER);
	});

	it('an unexpected error (the duplicate memory fails): the waiting message is not retried after the stop', async () => {
		const ledger = new MemoryLedger();
		ledger.add = () => {
			throw new Error('store is gone');
		};
		const result = await run((u) => [{ index: u.messages[0].index, status: 'sent', responseCode: 200 }], { ledger });
		expect(result.error).toBeInstanceOf(DispatchStoppedError);
		expect(result.endedWhileAsleep).toBe(true);
		expect(result.sent).toEqual([0, 1]);
		const [first] = result.report.outcomes;
		expect(first).toMatchObject({ status: 'failed', attempts: 1, responseCode: 503 });
		expect(first.error).toBe(`not sent again: sending through X stopped (store is gone) before this message was retried; ${LAST_ANSWER}`);
	});
});

describe('the real sleep', () => {
	it('ends when its signal is aborted (its timer cleared), so a stopped run keeps no timer waiting', async () => {
		const stop = new AbortController();
		let ended = false;
		const sleeping = realSleep(600000, stop.signal).then(() => (ended = true));
		await new Promise((resolve) => setImmediate(resolve));
		expect(ended).toBe(false);
		stop.abort();
		await sleeping;
		expect(ended).toBe(true);
		let already = false;
		await realSleep(600000, stop.signal).then(() => (already = true));
		expect(already).toBe(true);
	});
});
