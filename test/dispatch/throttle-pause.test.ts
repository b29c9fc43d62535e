/**
 * Throttling signalled without a 429, a Retry-After over Max Retry-After Wait, and Resend's
 * `ratelimit-reset`, through the engine against the local provider servers.
 *
 * - SES throttles the account, not a message: `ThrottlingException` (HTTP 400) once the maximum
 *   sending rate is exceeded (https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html),
 *   and `ACCOUNT_THROTTLED` for an entry of a 200 SendBulkEmail answer
 *   (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_BulkEmailEntryResult.html). Like a
 *   429, it must pause every worker on the credential, not only the retry of that message.
 * - A Retry-After longer than the maximum: the provider asks the credential not to send for that
 *   long, so the rest of the run is not sent (each request would be refused the same).
 * - Resend documents `ratelimit-reset` ("how many seconds until the limits are reset") next to
 *   `retry-after` (https://resend.com/docs/api-reference/rate-limit): without a Retry-After, the
 *   retry waits for the reset.
 */
import { dispatch, httpChannel } from '../../nodes/engines/dispatch/engine';
import { resend } from '../../nodes/engines/dispatch/providers/resend';
import { ses } from '../../nodes/engines/dispatch/providers/ses';
import { signAwsRequest } from '../../nodes/engines/dispatch/sigv4';
import { fakeSleep, renderedItems } from './helpers';
import { localTransport } from './servers/provider-server';
import { RESEND_TEST_KEY, startResendServer, type ResendServer } from './servers/resend';
import { SES_TEST_CREDENTIALS, startSesServer, type SesServer } from './servers/ses';

describe('SES throttling pauses the whole credential, as a 429 does', () => {
	let server: SesServer;
	beforeAll(async () => (server = await startSesServer()));
	afterAll(async () => server.close());
	beforeEach(() => {
		server.delivered.length = 0;
		server.arrivals.length = 0;
		server.throttleOnce.clear();
	});
	const channel = () =>
		httpChannel(ses, { region: 'eu-west-1' }, localTransport(server.url, (r) => ({ ...r, headers: signAwsRequest(r, SES_TEST_CREDENTIALS, 'ses', new Date()) })));

	it.each([
		['ThrottlingException (HTTP 400, SendEmail)', 'rendered' as const, {}],
		['ACCOUNT_THROTTLED (an entry of a 200 SendBulkEmail answer)', 'template' as const, { templateId: 'welcome', variables: { name: 'N' } }],
	])('%s: no other worker sends until the pause has passed', async (_name, mode, extra) => {
		const n = 150;
		server.throttleOnce.add('user0@example.com');
		// Backoff for the first retry: 800/2 + random()·800/2 = 800 ms with random() = 1.
		const report = await dispatch(renderedItems(n, extra), channel(), {
			mode,
			batchSize: 1,
			limits: { concurrency: 2 },
			retry: { initialDelayMs: 800, maxDelayMs: 800 },
			random: () => 1,
		});
		expect(report.outcomes.every((o) => o.status === 'sent')).toBe(true);
		expect(report.outcomes[0].attempts).toBe(2);
		expect(server.delivered).toHaveLength(n);
		const throttledAt = server.arrivals.find((a) => a.to.includes('user0@example.com'))!.at;
		// The other worker's request in flight when the throttling answer came may still arrive after
		// it (late on a loaded machine); after that nothing until the pause (800 ms from the answer)
		// has passed. Without the pause, both workers go on at full speed: dozens in that time.
		const during = server.arrivals.filter((a) => a.at > throttledAt && a.at < throttledAt + 600);
		expect(during.length).toBeLessThanOrEqual(1);
	});
});

describe('a Retry-After over the maximum stops the run', () => {
	let server: SesServer;
	beforeAll(async () => (server = await startSesServer()));
	afterAll(async () => server.close());

	it('fails the answered message, and sends none of the rest (not sent, not remembered)', async () => {
		server.faults.push({ status: 429, retryAfter: 3600 });
		const transport = localTransport(server.url, (r) => ({ ...r, headers: signAwsRequest(r, SES_TEST_CREDENTIALS, 'ses', new Date()) }));
		const report = await dispatch(renderedItems(5), httpChannel(ses, { region: 'eu-west-1' }, transport), {
			mode: 'rendered',
			limits: { concurrency: 1 },
			retry: { maxRetryAfterMs: 120000 },
			sleep: fakeSleep().sleep,
		});
		expect(server.received).toHaveLength(1);
		expect(server.delivered).toHaveLength(0);
		expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 1, responseCode: 429, error: 'HTTP 429 TooManyRequestsException: Too many requests (asked to wait 3600 s, more than the maximum retry wait)' });
		for (const o of report.outcomes.slice(1)) {
			expect(o).toMatchObject({ status: 'failed', attempts: 0, error: 'not sent: Amazon SES asked to wait 3600 s, more than the maximum retry wait (120 s), so the rest of this run was not sent' });
		}
	});
});

describe('Resend ratelimit-reset', () => {
	let server: ResendServer;
	beforeAll(async () => (server = await startResendServer(RESEND_TEST_KEY, new Set(['shop.example.com']))));
	afterAll(async () => server.close());

	it('a 429 without Retry-After waits for ratelimit-reset (seconds) before the retry', async () => {
		server.faults.push({ status: 429, headers: { 'ratelimit-limit': '2', 'ratelimit-remaining': '0', 'ratelimit-reset': '7' } });
		const clock = fakeSleep();
		const transport = localTransport(server.url, (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${RESEND_TEST_KEY}` } }));
		const report = await dispatch(renderedItems(1), httpChannel(resend, {}, transport), {
			mode: 'rendered',
			sleep: clock.sleep,
			now: clock.now,
			retry: { initialDelayMs: 10, maxDelayMs: 10 },
		});
		expect(report.outcomes[0]).toMatchObject({ status: 'sent', attempts: 2 });
		expect(Math.max(...clock.delays)).toBe(7000);
	});
});
