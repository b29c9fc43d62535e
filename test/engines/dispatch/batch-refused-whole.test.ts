/**
 * Brevo (POST /v3/smtp/email with messageVersions), Amazon SES (SendBulkEmail) and Mailgun (a batch
 * with recipient-variables) refuse a whole
 * call for one invalid recipient with a 400 that does not say which message, and send nothing of
 * it. The messages of such a call are then sent again in halves (sendAgain), a half refused the
 * same way halved again, so that only the one at fault fails; a message refused alone fails for
 * good (no loop), and a refused call does not count against Max Attempts.
 *
 * The answers are the providers' own, served by the local fakes:
 *  - Brevo: 400 {"code":"invalid_parameter","message":"email is not valid in to"}
 *    (https://github.com/getbrevo/brevo-node/issues/40; https://developers.brevo.com/docs/how-it-works);
 *  - SES v2: 400 BadRequestException "Illegal address"
 *    (https://github.com/awsdocs/aws-doc-sdk-examples/pull/5191), and in the sandbox 400
 *    MessageRejected "Email address is not verified. The following identities failed the check in
 *    region …: …" (https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-error-messages.html);
 *  - Mailgun: 400 {"message": "'to' parameter is not a valid address. please check documentation"}
 *    (https://github.com/mailgun/mailgun-js-boland/issues/199).
 */
import { dispatch, httpChannel } from '../../../nodes/engines/dispatch/engine';
import { brevo } from '../../../nodes/engines/dispatch/providers/brevo';
import { mailgun } from '../../../nodes/engines/dispatch/providers/mailgun';
import { ses } from '../../../nodes/engines/dispatch/providers/ses';
import { signAwsRequest } from '../../../nodes/engines/dispatch/sigv4';
import { fakeSleep, renderedItems } from '../../dispatch/helpers';
import { BREVO_TEST_KEY, startBrevoServer, type BrevoServer } from '../../dispatch/servers/brevo';
import { mailgunAuth, startMailgunServer, type MailgunServer } from '../../dispatch/servers/mailgun';
import { localTransport, parseMultipart } from '../../dispatch/servers/provider-server';
import { SES_TEST_CREDENTIALS, startSesServer, type SesServer } from '../../dispatch/servers/ses';

const settings = (extra: Record<string, unknown> = {}) => {
	const clock = fakeSleep();
	return { limits: { concurrency: 1 }, sleep: clock.sleep, now: clock.now, retry: { initialDelayMs: 1, maxDelayMs: 2 }, ...extra };
};

/** Four items, the third (index 2) to an address no provider accepts. */
const withBadAddress = (extra = {}) => renderedItems(4, extra).map((item) => (item.index === 2 ? { ...item, to: { email: 'user2@example', name: 'User 2' } } : item));

describe('Brevo: a call refused whole for one invalid address', () => {
	let server: BrevoServer;
	beforeAll(async () => (server = await startBrevoServer()));
	afterAll(async () => server.close());
	beforeEach(() => {
		server.delivered.length = 0;
		server.received.length = 0;
	});
	const sizes = () =>
		server.received.map((r) => {
			const body = JSON.parse(r.body) as { messageVersions?: unknown[] };
			return body.messageVersions ? body.messageVersions.length : 1;
		});
	const channel = () => httpChannel(brevo, { baseUrl: server.url }, localTransport(server.url, (r) => ({ ...r, headers: { ...r.headers, 'api-key': BREVO_TEST_KEY } })));

	it('the fake answers as Brevo documents: the whole call refused, nothing sent, no message named', async () => {
		const [plan] = brevo.plan([0, 1].map((i) => ({ index: i, idempotencyKey: `k${i}`, from: { email: 'news@shop.example.com' }, to: { email: i ? 'bad@nowhere' : 'ok@example.com' }, subject: 's', html: '<p>h</p>', headers: {}, metadata: {} })), 'rendered', {});
		const answer = await localTransport(server.url, (r) => ({ ...r, headers: { ...r.headers, 'api-key': BREVO_TEST_KEY } }))(plan.request);
		expect([answer.status, JSON.parse(answer.body)]).toEqual([400, { code: 'invalid_parameter', message: 'email is not valid in to' }]);
		expect(server.delivered).toHaveLength(0);
	});

	it('the messages are sent again in halves: the three valid ones are sent, only the invalid one fails, each tried once', async () => {
		const report = await dispatch(withBadAddress(), channel(), { mode: 'rendered', ...settings() });
		expect(report.outcomes.map((o) => [o.status, o.attempts, o.responseCode])).toEqual([
			['sent', 1, 201],
			['sent', 1, 201],
			['failed', 1, 400],
			['sent', 1, 201],
		]);
		expect(report.outcomes[2].error).toBe('HTTP 400 invalid_parameter: email is not valid in to');
		expect(server.delivered.map((d) => d.to).sort()).toEqual(['user0@example.com', 'user1@example.com', 'user3@example.com']);
		// One call of four versions; its halves {0, 1} (sent) and {2, 3} (refused again), then 2 and 3 alone.
		expect(sizes()).toEqual([4, 2, 2, 1, 1]);
		expect(report.credentialRejected).toBeUndefined();
	});

	it('one invalid address among 64 costs 2·log2(64) = 12 more calls, not 64: the halves that hold it, and their other halves', async () => {
		const items = renderedItems(64).map((item) => (item.index === 37 ? { ...item, to: { email: 'user37@example', name: 'User 37' } } : item));
		const report = await dispatch(items, channel(), { mode: 'rendered', ...settings() });
		expect(report.outcomes.map((o) => o.status)).toEqual(items.map((item) => (item.index === 37 ? 'failed' : 'sent')));
		expect(report.outcomes[37]).toMatchObject({ status: 'failed', attempts: 1, responseCode: 400 });
		expect(report.outcomes.every((o) => o.attempts === 1)).toBe(true);
		// Depth first: 0-31 sent; 32-63 refused → 32-47 refused → 32-39 refused → 32-35 sent, 36-39
		// refused → 36-37 refused → 36 sent, 37 fails alone; then 38-39, 40-47, 48-63 sent.
		expect(sizes()).toEqual([64, 32, 32, 16, 8, 4, 4, 2, 1, 1, 2, 8, 16]);
		expect(new Set(server.delivered.map((d) => d.to)).size).toBe(63);
	});

	it('a call refused for what every message shares (the sender) is not split: one request, all fail', () => {
		const plan = brevo.plan(withBadAddress().map((item) => ({ index: item.index, idempotencyKey: `k${item.index}`, from: item.from, to: item.to, subject: item.subject, html: item.html, headers: {}, metadata: {} })), 'rendered', {})[0];
		const results = brevo.parse(plan, { status: 400, headers: {}, body: '{"code":"invalid_parameter","message":"email is not valid in sender"}' });
		expect(results.map((r) => [r.status, r.sendAgain === true])).toEqual([['failed', false], ['failed', false], ['failed', false], ['failed', false]]);
	});
});

describe('Amazon SES: a SendBulkEmail call refused whole', () => {
	let server: SesServer;
	beforeAll(async () => (server = await startSesServer()));
	afterAll(async () => server.close());
	beforeEach(() => {
		server.delivered.length = 0;
		server.received.length = 0;
		server.sandboxVerified = undefined;
	});
	const channel = () => httpChannel(ses, { region: SES_TEST_CREDENTIALS.region }, localTransport(server.url, (r) => ({ ...r, headers: signAwsRequest(r, SES_TEST_CREDENTIALS, 'ses', new Date()) })));
	const template = { subject: undefined, html: undefined, text: undefined, templateId: 'welcome', variables: { name: 'N' } };
	const entries = () => server.received.map((r) => ((JSON.parse(r.body) as { BulkEmailEntries?: unknown[] }).BulkEmailEntries ?? [null]).length);

	it('BadRequestException "Illegal address": the entries are sent again in halves, only the malformed one fails', async () => {
		const report = await dispatch(withBadAddress(template), channel(), { mode: 'template', ...settings() });
		expect(report.outcomes.map((o) => [o.status, o.attempts, o.responseCode])).toEqual([
			['sent', 1, 200],
			['sent', 1, 200],
			['failed', 1, 400],
			['sent', 1, 200],
		]);
		expect(report.outcomes[2].error).toBe('HTTP 400 BadRequestException: Illegal address');
		expect(entries()).toEqual([4, 2, 2, 1, 1]);
		expect(server.delivered.map((d) => d.to).sort()).toEqual(['"User 0" <user0@example.com>', '"User 1" <user1@example.com>', '"User 3" <user3@example.com>']);
	});

	it('sandbox MessageRejected naming two recipients: those two fail, the others go again together and are sent', async () => {
		server.sandboxVerified = new Set(['news@shop.example.com', 'user0@example.com', 'user2@example.com']);
		const report = await dispatch(renderedItems(4, template), channel(), { mode: 'template', ...settings() });
		expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([
			['sent', 1],
			['failed', 1],
			['sent', 1],
			['failed', 1],
		]);
		expect(report.outcomes[1].error).toMatch(/^Amazon SES refused the recipient "user1@example.com": HTTP 400 MessageRejected: Email address is not verified\. The following identities failed the check in region EU-WEST-1: "User 1" <user1@example.com>, "User 3" <user3@example.com>$/);
		expect(entries()).toEqual([4, 2]);
	});

	it('sandbox MessageRejected naming the sender is not split: one request, all fail', async () => {
		server.sandboxVerified = new Set(['user0@example.com', 'user1@example.com']);
		const report = await dispatch(renderedItems(2, template), channel(), { mode: 'template', ...settings() });
		expect(report.outcomes.map((o) => [o.status, o.attempts, o.responseCode])).toEqual([
			['failed', 1, 400],
			['failed', 1, 400],
		]);
		expect(entries()).toEqual([2]);
	});
});

describe('Mailgun: a batch refused whole for one invalid address in `to`', () => {
	let server: MailgunServer;
	beforeAll(async () => (server = await startMailgunServer()));
	afterAll(async () => server.close());
	beforeEach(() => {
		server.delivered.length = 0;
		server.received.length = 0;
	});
	const sizes = () => server.received.map((r) => parseMultipart(r.body, String(r.headers['content-type'])).get('to')?.length ?? 0);
	const channel = () => httpChannel(mailgun, { domain: 'mg.shop.example.com', baseUrl: server.url }, localTransport(server.url, (r) => ({ ...r, headers: { ...r.headers, authorization: mailgunAuth() } })));
	/** Passes the node's address check (a dot after the @) and is no address Mailgun accepts (an empty label). */
	const withDoubleDot = (n: number, bad: number) => renderedItems(n).map((item) => (item.index === bad ? { ...item, to: { email: `user${bad}@example..com`, name: `User ${bad}` } } : item));

	it('the fake answers as Mailgun does: the whole request refused, nothing sent, no address named', async () => {
		const items = withDoubleDot(2, 1);
		const [plan] = mailgun.plan(items.map((item) => ({ index: item.index, idempotencyKey: `k${item.index}`, from: item.from, to: item.to, subject: item.subject, html: item.html, headers: {}, metadata: {} })), 'rendered', { domain: 'mg.shop.example.com', baseUrl: server.url });
		const answer = await localTransport(server.url, (r) => ({ ...r, headers: { ...r.headers, authorization: mailgunAuth() } }))(plan.request);
		expect([answer.status, JSON.parse(answer.body)]).toEqual([400, { message: "'to' parameter is not a valid address. please check documentation" }]);
		expect(server.delivered).toHaveLength(0);
	});

	it('the recipients are sent again in halves: the valid ones are queued, only the invalid one fails, each tried once', async () => {
		const report = await dispatch(withDoubleDot(4, 2), channel(), { mode: 'rendered', ...settings() });
		expect(report.outcomes.map((o) => [o.status, o.attempts, o.responseCode])).toEqual([
			['queued', 1, 200],
			['queued', 1, 200],
			['failed', 1, 400],
			['queued', 1, 200],
		]);
		expect(report.outcomes[2].error).toBe("HTTP 400: 'to' parameter is not a valid address. please check documentation");
		expect(server.delivered.map((d) => d.to).sort()).toEqual(['User 0 <user0@example.com>', 'User 1 <user1@example.com>', 'User 3 <user3@example.com>']);
		expect(sizes()).toEqual([4, 2, 2, 1, 1]);
	});

	it('a request refused for another reason (the sender) is not split', () => {
		const items = withDoubleDot(3, 1);
		const [plan] = mailgun.plan(items.map((item) => ({ index: item.index, idempotencyKey: `k${item.index}`, from: item.from, to: item.to, subject: item.subject, html: item.html, headers: {}, metadata: {} })), 'rendered', { domain: 'mg.shop.example.com' });
		const results = mailgun.parse(plan, { status: 400, headers: {}, body: JSON.stringify({ message: "'from' parameter is not a valid address. please check documentation" }) });
		expect(results.map((r) => [r.status, r.sendAgain === true])).toEqual([['failed', false], ['failed', false], ['failed', false]]);
	});
});
