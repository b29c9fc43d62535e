/**
 * SES's daily sending quota stops the run. SES answers the same `ThrottlingException` once the
 * daily quota or the maximum sending rate is exceeded; only the message tells them apart, "Daily
 * message quota exceeded" or "Maximum sending rate exceeded"
 * (https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html). The rate passes
 * within seconds (retried, the credential paused); the quota is "the maximum amount of email you
 * can send in a 24-hour period" and does not come back within a run: the answered message fails,
 * the rest of the run is not sent (and not remembered, so a later run sends it), like a Retry-After
 * over Max Retry-After Wait. A SendBulkEmail entry says it as Status `ACCOUNT_DAILY_QUOTA_EXCEEDED`
 * (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_BulkEmailEntryResult.html).
 */
import { dispatch, httpChannel } from '../../nodes/engines/dispatch/engine';
import { MemoryLedger } from '../../nodes/engines/dispatch/ledger';
import { ses } from '../../nodes/engines/dispatch/providers/ses';
import { signAwsRequest } from '../../nodes/engines/dispatch/sigv4';
import type { OutboundMessage } from '../../nodes/engines/dispatch/types';
import { fakeSleep, renderedItems } from './helpers';
import { localTransport } from './servers/provider-server';
import { SES_TEST_CREDENTIALS, startSesServer, type SesServer } from './servers/ses';

const QUOTA_STOP = "not sent: Amazon SES's daily sending quota is used up";

describe('SES provider: the daily quota is told apart from the sending rate by its documented message', () => {
	const message = (index: number): OutboundMessage => ({
		index,
		idempotencyKey: `k${index}`,
		from: { email: 'news@shop.example.com' },
		to: { email: `user${index}@example.com` },
		subject: 'Hi',
		text: 'Hi',
		headers: {},
		metadata: {},
	});
	const plan = (n: number) => ({ request: { method: 'POST' as const, url: 'https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails', headers: {}, body: '{}' }, messages: Array.from({ length: n }, (_, i) => message(i)) });
	const throttling = (text: string) => ({
		status: 400,
		headers: { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazonaws.sesv2/' },
		body: JSON.stringify({ message: text }),
	});

	it('"Daily message quota exceeded": failed, not retried, stops the run', () => {
		const [r] = ses.parse(plan(1), throttling('Daily message quota exceeded.'));
		expect(r).toMatchObject({ status: 'failed', responseCode: 400, retryable: false, error: 'HTTP 400 ThrottlingException: Daily message quota exceeded.' });
		expect(r.stopsRun).toBe("Amazon SES's daily sending quota is used up (ThrottlingException: Daily message quota exceeded.), so the rest of this run was not sent");
	});

	it('"Maximum sending rate exceeded": retried with the credential paused, as before', () => {
		const [r] = ses.parse(plan(1), throttling('Maximum sending rate exceeded.'));
		expect(r).toMatchObject({ status: 'failed', retryable: true, rateLimited: true });
		expect(r.stopsRun).toBeUndefined();
	});

	it('ACCOUNT_DAILY_QUOTA_EXCEEDED entries of a 200 SendBulkEmail answer stop the run; the other entries keep their status', () => {
		const results = ses.parse(plan(3), {
			status: 200,
			headers: {},
			body: JSON.stringify({ BulkEmailEntryResults: [{ Status: 'SUCCESS', MessageId: 'm-0' }, { Status: 'ACCOUNT_DAILY_QUOTA_EXCEEDED' }, { Status: 'ACCOUNT_THROTTLED', Error: 'Maximum sending rate exceeded.' }] }),
		});
		expect(results[0]).toMatchObject({ status: 'sent', providerMessageId: 'm-0' });
		expect(results[0].stopsRun).toBeUndefined();
		expect(results[1]).toMatchObject({ status: 'failed', retryable: false, error: 'SES ACCOUNT_DAILY_QUOTA_EXCEEDED', stopsRun: "Amazon SES's daily sending quota is used up (ACCOUNT_DAILY_QUOTA_EXCEEDED), so the rest of this run was not sent" });
		expect(results[2]).toMatchObject({ status: 'failed', retryable: true, rateLimited: true });
		expect(results[2].stopsRun).toBeUndefined();
	});
});

describe('SES daily quota through the engine, against the local SES server', () => {
	let server: SesServer;
	beforeAll(async () => (server = await startSesServer()));
	afterAll(async () => server.close());
	beforeEach(() => {
		server.delivered.length = 0;
		server.received.length = 0;
		server.dailyQuota = 2;
	});
	const channel = () =>
		httpChannel(ses, { region: 'eu-west-1' }, localTransport(server.url, (r) => ({ ...r, headers: signAwsRequest(r, SES_TEST_CREDENTIALS, 'ses', new Date()) })));

	it('rendered (SendEmail): the refused message fails once, not retried; the rest is not sent and not remembered', async () => {
		const ledger = new MemoryLedger();
		const clock = fakeSleep();
		const report = await dispatch(renderedItems(5), channel(), { mode: 'rendered', limits: { concurrency: 1 }, ledger, sleep: clock.sleep, now: clock.now });
		// Two within the quota, one refused; before, the refused one was tried Max Attempts (5) times,
		// and each later message too.
		expect(server.received).toHaveLength(3);
		expect(server.delivered.map((d) => d.to)).toEqual(['"User 0" <user0@example.com>', '"User 1" <user1@example.com>']);
		expect(report.outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'failed', 'failed', 'failed']);
		expect(report.outcomes[2]).toMatchObject({ attempts: 1, responseCode: 400, error: 'HTTP 400 ThrottlingException: Daily message quota exceeded.' });
		for (const o of report.outcomes.slice(3)) {
			expect(o).toMatchObject({ attempts: 0, error: `${QUOTA_STOP} (ThrottlingException: Daily message quota exceeded.), so the rest of this run was not sent` });
		}
		// No backoff was slept for the refused message.
		expect(clock.delays).toEqual([]);
		const remembered = report.outcomes.map((o) => ledger.has(o.idempotencyKey, clock.now()));
		expect(remembered).toEqual([true, true, false, false, false]);
	});

	it('template (SendBulkEmail): ACCOUNT_DAILY_QUOTA_EXCEEDED entries fail, and the next call is not sent', async () => {
		const items = renderedItems(5, { templateId: 'welcome', variables: { name: 'N' } });
		const report = await dispatch(items, channel(), { mode: 'template', batchSize: 2, limits: { concurrency: 1 }, sleep: fakeSleep().sleep });
		// Call 1: entries 0, 1 within the quota. Call 2: entries 2, 3 refused. Call 3 (entry 4): not
		// sent (before, it was sent and refused the same).
		expect(server.received).toHaveLength(2);
		expect(server.delivered).toHaveLength(2);
		expect(report.outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'failed', 'failed', 'failed']);
		for (const o of report.outcomes.slice(2, 4)) expect(o).toMatchObject({ attempts: 1, responseCode: 200, error: 'SES ACCOUNT_DAILY_QUOTA_EXCEEDED' });
		expect(report.outcomes[4]).toMatchObject({ attempts: 0, error: `${QUOTA_STOP} (ACCOUNT_DAILY_QUOTA_EXCEEDED), so the rest of this run was not sent` });
	});

	it('the maximum sending rate is still retried (not a stop)', async () => {
		server.dailyQuota = undefined;
		server.throttleOnce.add('user1@example.com');
		const report = await dispatch(renderedItems(3), channel(), { mode: 'rendered', limits: { concurrency: 1 }, sleep: fakeSleep().sleep });
		expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([['sent', 1], ['sent', 2], ['sent', 1]]);
	});
});
