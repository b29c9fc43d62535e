/**
 * Fixes from the dispatch review: lost answers never end as a definite failure, Brevo's answer
 * to a reused idempotency key, Brevo calls never mixing messages with different parts, the
 * messages-per-second cap below 1, Max Remembered Keys = 0, and line breaks in header fields.
 * Brevo: https://developers.brevo.com/docs/heterogenous-versions-batch-emails ("Time-to-live and
 * error handling": a key used within the last 30 minutes gets a duplicate_parameter error and
 * the request is not processed); https://developers.brevo.com/docs/batch-send-transactional-emails
 * (a version inherits the call's subject/htmlContent/textContent it does not set itself).
 */
import { dispatch, httpChannel, validateItem, type Channel, type Unit } from '../../../nodes/engines/dispatch/engine';
import { MemoryLedger, StaticDataLedger } from '../../../nodes/engines/dispatch/ledger';
import { Limiter } from '../../../nodes/engines/dispatch/limiter';
import { brevo } from '../../../nodes/engines/dispatch/providers/brevo';
import { resend } from '../../../nodes/engines/dispatch/providers/resend';
import { TransportError, type HttpRequestSpec, type HttpResponseSpec, type OutboundMessage } from '../../../nodes/engines/dispatch/types';
import { localTransport } from '../../dispatch/servers/provider-server';
import { BREVO_TEST_KEY, startBrevoServer, type BrevoServer } from '../../dispatch/servers/brevo';
import { fakeSleep, pairsChannel, renderedItems } from '../../dispatch/helpers';
import { msg } from './provider-fixtures';

/** A transport that plays the given answers in order (an Error is thrown: a lost answer). */
function scriptedTransport(answers: Array<HttpResponseSpec | Error>): ((request: HttpRequestSpec) => Promise<HttpResponseSpec>) & { bodies: string[] } {
	const bodies: string[] = [];
	const transport = async (request: HttpRequestSpec): Promise<HttpResponseSpec> => {
		bodies.push(request.body);
		const answer = answers.shift();
		if (!answer) throw new Error('no more answers scripted');
		if (answer instanceof Error) throw answer;
		return answer;
	};
	return Object.assign(transport, { bodies });
}

const lost = () => new TransportError('ETIMEDOUT after the request was written', 'after');
const duplicateParameter: HttpResponseSpec = { status: 400, headers: {}, body: '{"code":"duplicate_parameter","message":"idempotencyKey is already used"}' };

describe('Brevo: a reused idempotency key (duplicate_parameter) means the messages may have been sent', () => {
	it('parse: duplicate_parameter on a call that carried an idempotencyKey is unknown, not retryable', () => {
		const [plan] = brevo.plan([msg(0), msg(1)], 'rendered', {});
		expect(JSON.parse(plan.request.body).headers.idempotencyKey).toEqual(expect.any(String));
		const results = brevo.parse(plan, duplicateParameter);
		expect(results.map((r) => [r.index, r.status, r.responseCode, r.retryable ?? false])).toEqual([[0, 'unknown', 400, false], [1, 'unknown', 400, false]]);
		expect(results[0].error).toMatch(/^HTTP 400 duplicate_parameter: idempotencyKey is already used\. .*30 minutes/);
	});

	it('engine: lost answer, then duplicate_parameter on the resend → unknown and remembered, so a re-run sends nothing', async () => {
		const ledger = new MemoryLedger();
		const items = renderedItems(2);
		const transport = scriptedTransport([lost(), duplicateParameter]);
		const clock = fakeSleep();
		const report = await dispatch(items, httpChannel(brevo, {}, transport), { mode: 'rendered', ledger, sleep: clock.sleep, now: clock.now });
		expect(transport.bodies).toHaveLength(2);
		expect(transport.bodies[1]).toBe(transport.bodies[0]); // the same body, same key
		expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([['unknown', 2], ['unknown', 2]]);
		expect(report.outcomes.every((o) => ledger.has(o.idempotencyKey, clock.now()))).toBe(true);

		const again = scriptedTransport([]);
		const rerun = await dispatch(items, httpChannel(brevo, {}, again), { mode: 'rendered', ledger, sleep: clock.sleep, now: clock.now });
		expect(rerun.outcomes.map((o) => o.status)).toEqual(['duplicate', 'duplicate']);
		expect(again.bodies).toHaveLength(0);
	});
});

describe('engine: an attempt whose answer was lost after sending never ends as a definite failure', () => {
	const single = renderedItems(1);

	it('every attempt lost (Resend, idempotency key): unknown after maxAttempts, remembered, not sent by a re-run', async () => {
		const ledger = new MemoryLedger();
		const clock = fakeSleep();
		const transport = scriptedTransport([lost(), lost(), lost()]);
		const report = await dispatch(single, httpChannel(resend, {}, transport), { mode: 'rendered', ledger, sleep: clock.sleep, now: clock.now, retry: { maxAttempts: 3 } });
		expect(transport.bodies).toHaveLength(3);
		const [o] = report.outcomes;
		expect([o.status, o.attempts]).toEqual(['unknown', 3]);
		expect(o.error).toMatch(/^gave up after 3 attempts: no answer \(ETIMEDOUT.*\); an earlier attempt's answer was lost after the request was sent, so Resend may have accepted/);
		expect(ledger.has(o.idempotencyKey, clock.now())).toBe(true);

		const ok = scriptedTransport([{ status: 200, headers: {}, body: '{"id":"e-1"}' }]);
		const rerun = await dispatch(single, httpChannel(resend, {}, ok), { mode: 'rendered', ledger, sleep: clock.sleep, now: clock.now });
		expect(rerun.outcomes[0].status).toBe('duplicate');
		expect(ok.bodies).toHaveLength(0);
	});

	it('lost, then a Retry-After beyond the maximum: unknown (not failed), remembered', async () => {
		const ledger = new MemoryLedger();
		const clock = fakeSleep();
		const slowDown: HttpResponseSpec = { status: 429, headers: { 'retry-after': '3600' }, body: '{"name":"rate_limit_exceeded","message":"Too many requests"}' };
		const transport = scriptedTransport([lost(), slowDown]);
		const report = await dispatch(single, httpChannel(resend, {}, transport), { mode: 'rendered', ledger, sleep: clock.sleep, now: clock.now, retry: { maxRetryAfterMs: 60000 } });
		const [o] = report.outcomes;
		expect([o.status, o.attempts, o.responseCode]).toEqual(['unknown', 2, 429]);
		expect(o.error).toMatch(/asked to wait 3600 s, more than the maximum retry wait\); an earlier attempt's answer was lost/);
		expect(ledger.has(o.idempotencyKey, clock.now())).toBe(true);
	});

	it('control: failures before the request left (connect refused) stay failed and are not remembered', async () => {
		const ledger = new MemoryLedger();
		const clock = fakeSleep();
		const refused = () => new TransportError('ECONNREFUSED', 'before');
		const report = await dispatch(single, httpChannel(resend, {}, scriptedTransport([refused(), refused()])), { mode: 'rendered', ledger, sleep: clock.sleep, now: clock.now, retry: { maxAttempts: 2 } });
		expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 2, error: 'gave up after 2 attempts: no answer (ECONNREFUSED)' });
		expect(ledger.has(report.outcomes[0].idempotencyKey, clock.now())).toBe(false);
	});
});

describe('Brevo: messages with different parts never share a call (a version inherits missing parts)', () => {
	const alice = msg(0, { to: { email: 'alice@example.com' }, html: '<p>Alice</p>', text: 'Alice, your reset code is 1234', headers: {} });
	const bob = msg(1, { to: { email: 'bob@example.com' }, html: '<p>Bob</p>', text: undefined, headers: {} });

	it('plan: an HTML-only message after an HTML+text one goes in its own call, without the first one\'s text', () => {
		const plans = brevo.plan([alice, bob], 'rendered', {});
		expect(plans.map((p) => p.messages.map((m) => m.index))).toEqual([[0], [1]]);
		const bobBody = plans.find((p) => p.messages.some((m) => m.index === 1))!.request.body;
		expect(bobBody).not.toContain('reset code');
		expect(JSON.parse(bobBody).textContent).toBeUndefined();
	});

	it('same parts still share one call', () => {
		const carol = msg(2, { to: { email: 'carol@example.com' }, html: '<p>Carol</p>', text: undefined, headers: {} });
		expect(brevo.plan([alice, bob, carol], 'rendered', {}).map((p) => p.messages.map((m) => m.index))).toEqual([[0], [1, 2]]);
	});

	describe('end to end against the local Brevo server (versions inherit the call\'s parts)', () => {
		let server: BrevoServer;
		beforeAll(async () => (server = await startBrevoServer()));
		afterAll(async () => server.close());

		it('Bob receives no text part at all, and never Alice\'s', async () => {
			const transport = localTransport(server.url, (r) => ({ ...r, headers: { ...r.headers, 'api-key': BREVO_TEST_KEY } }));
			for (const plan of brevo.plan([alice, bob], 'rendered', {})) brevo.parse(plan, await transport(plan.request));
			const delivered = server.delivered.find((d) => d.to === 'bob@example.com');
			expect(delivered).toMatchObject({ html: '<p>Bob</p>' });
			expect(delivered?.text).toBeUndefined();
		});
	});
});

describe('engine: Messages per Second caps the messages per request, also below 1', () => {
	function recordingChannel(): Channel & { sizes: number[] } {
		const sizes: number[] = [];
		return {
			id: 'x', displayName: 'X', maxBatch: { rendered: 500, template: 500 }, acceptsIdempotencyKey: false, sizes,
			plan: (messages: OutboundMessage[]): Unit[] => [{ messages }],
			async send(unit) {
				sizes.push(unit.messages.length);
				return unit.messages.map((m) => ({ index: m.index, status: 'sent' as const, responseCode: 200 }));
			},
		};
	}
	const run = async (messagesPerSecond: number, n: number) => {
		const channel = recordingChannel();
		const clock = fakeSleep();
		await dispatch(renderedItems(n), channel, { mode: 'rendered', sleep: clock.sleep, now: clock.now, limiter: new Limiter().configure({ messagesPerSecond, concurrency: 1 }) });
		return channel.sizes;
	};

	it('0.5 per second: one message per request (not the provider maximum of 500)', async () => {
		expect(await run(0.5, 3)).toEqual([1, 1, 1]);
	});

	it('2.5 per second: at most 2 per request; 0: no cap', async () => {
		expect(await run(2.5, 5)).toEqual([2, 2, 1]);
		expect(await run(0, 5)).toEqual([5]);
	});
});

describe('duplicate memory: Max Remembered Keys = 0 means no limit', () => {
	it('0 keeps every key within the window after pruning; a positive bound drops the oldest', () => {
		const now = Date.UTC(2025, 0, 1);
		const unbounded: Record<string, unknown> = {};
		const a = new StaticDataLedger(unbounded, 86400, 0, 'f', now);
		a.add('k1', now);
		a.add('k2', now + 1000);
		a.prune(now + 2000);
		const reopened = new StaticDataLedger(unbounded, 86400, 0, 'f', now + 3000);
		expect([reopened.has('k1', now + 3000), reopened.has('k2', now + 3000), reopened.size()]).toEqual([true, true, 2]);

		// (k1 remembered by an earlier run: the bound never drops the current run's own keys)
		const memory: Record<string, unknown> = {};
		new StaticDataLedger(memory, 86400, 1, 'f', now).add('k1', now);
		const bounded = new StaticDataLedger(memory, 86400, 1, 'f', now + 1000);
		bounded.add('k2', now + 1000);
		bounded.prune(now + 2000);
		expect([bounded.has('k1', now + 2000), bounded.has('k2', now + 2000)]).toEqual([false, true]);
	});
});

describe('validateItem: no line breaks in fields that become header lines', () => {
	const base = renderedItems(1)[0];
	it.each([
		['toName', { to: { email: 'a@example.com', name: 'Ann\r\nBcc: victim@example.com' } }],
		['fromName', { from: { email: 'news@shop.example.com', name: 'Shop\nBcc: victim@example.com' } }],
		['unsubscribeMailto', { unsubscribeMailto: 'unsub@shop.example.com?subject=x\r\nBcc: victim@example.com' }],
		['unsubscribeUrl', { unsubscribeUrl: 'https://shop.example.com/u\r\nBcc: victim@example.com' }],
	])('%s with CR/LF is an item error naming the field', (field, extra) => {
		expect(validateItem({ ...base, ...extra }, 'rendered')).toEqual({ field, message: `${field} must not contain a line break (CR or LF)` });
	});
	it('ordinary names and unsubscribe values pass', () => {
		expect(validateItem({ ...base, unsubscribeMailto: 'mailto:unsub@shop.example.com?subject=unsubscribe', unsubscribeUrl: 'https://shop.example.com/u?x=1' }, 'rendered')).toBeUndefined();
	});
});

describe('an answer the provider parser cannot read', () => {
	// The providers' parsers read what they do not expect as unknown; a parser that throws anyway
	// (an answer shape nobody foresaw) must not turn a 2xx, i.e. a request the provider took, into
	// a definite failure that invites a resend.
	const throwing = { ...resend, parse: (): never => { throw new TypeError("Cannot read properties of undefined (reading 'map')"); } };

	it('a 2xx answer that cannot be read: unknown and remembered (never resent), not failed', async () => {
		const ledger = new MemoryLedger();
		const items = renderedItems(2);
		const transport = scriptedTransport([{ status: 200, headers: {}, body: '{"data":"?"}' }]);
		const clock = fakeSleep();
		const report = await dispatch(items, httpChannel(throwing, {}, transport), { mode: 'rendered', ledger, sleep: clock.sleep, now: clock.now });
		expect(transport.bodies).toHaveLength(1);
		expect(report.outcomes.map((o) => [o.status, o.responseCode])).toEqual([['unknown', 200], ['unknown', 200]]);
		expect(report.outcomes[0].error).toMatch(/^Resend answered HTTP 200 but its answer could not be read/);
		expect(report.outcomes.every((o) => ledger.has(o.idempotencyKey, clock.now()))).toBe(true);
	});

	it('a 3xx answer that cannot be read is not taken for an accepted request (2xx means 200-299)', async () => {
		// A redirect (e.g. a Custom Endpoint behind a proxy) means the provider did not process the request.
		const transport = scriptedTransport([{ status: 300, headers: {}, body: '<html>Multiple Choices</html>' }]);
		const clock = fakeSleep();
		const report = await dispatch(renderedItems(1), httpChannel(throwing, {}, transport), { mode: 'rendered', ledger: new MemoryLedger(), sleep: clock.sleep, now: clock.now });
		expect(report.outcomes.map((o) => [o.status, o.responseCode])).toEqual([['failed', 300]]);
	});

	it('a non-2xx answer that cannot be read stays failed, with the status', async () => {
		const transport = scriptedTransport([{ status: 422, headers: {}, body: 'nope' }]);
		const clock = fakeSleep();
		const report = await dispatch(renderedItems(1), httpChannel(throwing, {}, transport), { mode: 'rendered', ledger: new MemoryLedger(), sleep: clock.sleep, now: clock.now });
		expect(report.outcomes.map((o) => [o.status, o.responseCode])).toEqual([['failed', 422]]);
		expect(report.outcomes[0].error).toBe("Resend answered HTTP 422 and its answer could not be read (Cannot read properties of undefined (reading 'map'))");
	});
});

describe('a sender refusal for a request that carried several senders', () => {
	// A channel that puts two messages in each request whatever their senders, and refuses a request
	// holding the unverified sender, without saying which sender (as Resend's batch 403 does).
	const unverified = 'hello@unverified.example';
	const channel = pairsChannel(
		(unit) => {
			const refused = unit.messages.some((m) => m.from.email === unverified);
			return unit.messages.map((m) =>
				refused
					? { index: m.index, status: 'failed' as const, responseCode: 403, refused: 'sender' as const, retryable: false, error: 'domain not verified' }
					: { index: m.index, status: 'sent' as const, responseCode: 200 },
			);
		},
		{ acceptsIdempotencyKey: false },
	);

	it('sends each sender again on its own: only the refused sender fails, and it alone is barred later', async () => {
		const items = renderedItems(4);
		items[0].from = { email: unverified };
		for (const i of [1, 2, 3]) items[i].from = { email: 'news@shop.example.com' };
		const clock = fakeSleep();
		const report = await dispatch(items, channel, { mode: 'rendered', batchSize: 2, limits: { concurrency: 1 }, sleep: clock.sleep, now: clock.now });
		// the pair is refused, then each sender is tried alone; the verified sender's later pair goes out
		expect(channel.sent).toEqual([[0, 1], [0], [1], [2, 3]]);
		expect(report.outcomes.map((o) => o.status)).toEqual(['failed', 'sent', 'sent', 'sent']);
	});
});
