/**
 * Refusals of the whole account stop the run, through the real n8n engine: Amazon SES's SMTP
 * interface answering "454 Throttling failure: Daily message quota exceeded"
 * (https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html) against a real SMTP
 * server started here, and SES API refusals of the account (AccountSuspendedException,
 * SendingPausedException) or of one sender (MailFromDomainNotVerifiedException,
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html) against the local SES
 * server. When such a stop comes before anything was accepted, the execution fails (so the error
 * workflow runs), unless Continue On Fail is on: then every item is a failed item, paired with its input.
 */
import type { AddressInfo } from 'node:net';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { SMTPServer } from 'smtp-server';
import { chain, node, runWorkflow } from '../harness/engine';
import { smtpChannel } from '../../nodes/engines/dispatch/smtp';
import { SES_TEST_CREDENTIALS, startSesServer, type SesServer } from '../dispatch/servers/ses';

const people = (n: number, from = 'news@shop.example.com'): INodeExecutionData[] =>
	Array.from({ length: n }, (_, i) => ({ json: { email: `user${i}@example.com`, from, subject: `Hi ${i}`, html: `<p>Hi ${i}</p>`, text: `Hi ${i}` } }));

const wf = (provider: string, credentialType: string, options: IDataObject = {}, extra: IDataObject = {}) => {
	const n = node(
		'ESP Dispatch',
		'espDispatch',
		{
			operation: 'send',
			provider,
			mode: 'rendered',
			fromEmail: '={{ $json.from }}',
			toEmail: '={{ $json.email }}',
			subject: '={{ $json.subject }}',
			html: '={{ $json.html }}',
			text: '={{ $json.text }}',
			campaignId: 'c1',
			options: { maxAttempts: 3, initialRetryDelayMs: 1, maxRetryDelayMs: 1, concurrency: 1, ...options },
		} as never,
		{ credentials: { [credentialType]: { id: `${provider}-1`, name: `${provider} account` } }, ...extra },
	);
	return { nodes: [n], connections: chain(n.name) };
};

/** An SMTP server that accepts `quota` messages, then answers MAIL FROM as Amazon SES's SMTP interface does at its limits. */
async function startSesLikeSmtp() {
	const state = { quota: Infinity, accepted: 0, mailFrom: 0, rateLimitOnce: new Set<string>() };
	const refuse = (message: string) => Object.assign(new Error(message), { responseCode: 454 });
	const server = new SMTPServer({
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onMailFrom(_address, _session, cb) {
			state.mailFrom++;
			if (state.accepted >= state.quota) return cb(refuse('Throttling failure: Daily message quota exceeded.'));
			cb();
		},
		onRcptTo(address, _session, cb) {
			if (state.rateLimitOnce.delete(address.address)) return cb(refuse('Throttling failure: Maximum sending rate exceeded.'));
			cb();
		},
		onData(stream, _session, cb) {
			stream.on('data', () => undefined);
			stream.on('end', () => {
				state.accepted++;
				cb();
			});
		},
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.server.address() as AddressInfo).port;
	return { state, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('SES through SMTP: 454 Throttling failure', () => {
	let smtp: Awaited<ReturnType<typeof startSesLikeSmtp>>;
	beforeAll(async () => (smtp = await startSesLikeSmtp()));
	afterAll(() => smtp.close());
	beforeEach(() => Object.assign(smtp.state, { quota: Infinity, accepted: 0, mailFrom: 0 }));
	const credentials = () => ({ personalizationSmtpApi: { host: '127.0.0.1', port: smtp.port, secure: false, user: '', password: '' } });

	it('"Daily message quota exceeded" stops the run: the refused message is tried once, the rest is not sent and not remembered', async () => {
		smtp.state.quota = 2;
		const result = await runWorkflow(wf('smtp', 'personalizationSmtpApi'), { input: people(5), credentials: credentials(), mode: 'trigger' });
		expect(result.error).toBeUndefined();
		const out = result.items('ESP Dispatch').map((i) => i.json);
		expect(out.map((o) => [o.status, o.attempts])).toEqual([['sent', 1], ['sent', 1], ['failed', 1], ['failed', 0], ['failed', 0]]);
		expect(out[2]).toMatchObject({ responseCode: 454, error: 'SMTP 454: 454 Throttling failure: Daily message quota exceeded.' });
		const stop = "not sent: the SMTP server's daily sending quota is used up (454 Throttling failure: Daily message quota exceeded.), so the rest of this run was not sent";
		expect(out[3].error).toBe(stop);
		expect(out[4].error).toBe(stop);
		// Three transactions; before, the refused message was tried 3 times and each later one 3 times too (11).
		expect(smtp.state.mailFrom).toBe(3);
		// The two sent are remembered; the refused and unsent are not, so a later run sends them.
		smtp.state.quota = Infinity;
		const again = await runWorkflow(wf('smtp', 'personalizationSmtpApi'), { input: people(5), credentials: credentials(), mode: 'trigger', staticData: result.staticData });
		expect(again.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['duplicate', 'duplicate', 'sent', 'sent', 'sent']);
	});

	it('with nothing accepted the execution fails naming the quota; with Continue On Fail each item fails, paired', async () => {
		smtp.state.quota = 0;
		const failed = await runWorkflow(wf('smtp', 'personalizationSmtpApi'), { input: people(3), credentials: credentials() });
		expect(failed.error?.message).toBe("Sending through SMTP stopped: the SMTP server's daily sending quota is used up (454 Throttling failure: Daily message quota exceeded.), so the rest of this run was not sent");
		expect(smtp.state.mailFrom).toBe(1);
		const cont = await runWorkflow(wf('smtp', 'personalizationSmtpApi', {}, { continueOnFail: true }), { input: people(3), credentials: credentials() });
		expect(cont.error).toBeUndefined();
		const items = cont.items('ESP Dispatch');
		expect(items.map((i) => [i.json.status, i.pairedItem])).toEqual([['failed', { item: 0 }], ['failed', { item: 1 }], ['failed', { item: 2 }]]);
		expect(items.map((i) => i.json.error)).toEqual([
			'SMTP 454: 454 Throttling failure: Daily message quota exceeded.',
			...Array(2).fill("not sent: the SMTP server's daily sending quota is used up (454 Throttling failure: Daily message quota exceeded.), so the rest of this run was not sent"),
		]);
	});

	it('"Maximum sending rate exceeded" is retried with the credential paused (rateLimited), not a stop', async () => {
		smtp.state.rateLimitOnce.add('user0@example.com');
		const channel = smtpChannel({ host: '127.0.0.1', port: smtp.port, secure: false, maxConnections: 1 });
		try {
			const message = { index: 0, idempotencyKey: 'k0', from: { email: 'news@shop.example.com' }, to: { email: 'user0@example.com' }, subject: 'Hi', text: 'Hi', headers: {}, metadata: {} };
			const [first] = await channel.send({ messages: [message] });
			expect(first).toMatchObject({ status: 'failed', responseCode: 454, retryable: true, rateLimited: true });
			expect(first.stopsRun).toBeUndefined();
			const [second] = await channel.send({ messages: [message] });
			expect(second.status).toBe('sent');
		} finally {
			channel.close();
		}
	});
});

describe('SES API: refusals of the account or of the sender', () => {
	let ses: SesServer;
	beforeAll(async () => (ses = await startSesServer()));
	afterAll(() => ses.close());
	beforeEach(() => {
		ses.received.length = 0;
		ses.delivered.length = 0;
		ses.refusal = undefined;
		ses.dailyQuota = undefined;
	});
	const credentials = () => ({ personalizationSesApi: { ...SES_TEST_CREDENTIALS, sessionToken: '', baseUrl: ses.url } });

	for (const [type, message] of [
		['AccountSuspendedException', "The message can't be sent because the account's ability to send email has been permanently restricted."],
		['SendingPausedException', "The message can't be sent because the account's ability to send email is currently paused."],
	]) {
		it(`${type} stops the run after one request; nothing accepted: the execution fails naming SES's message`, async () => {
			ses.refusal = { type, message };
			const result = await runWorkflow(wf('ses', 'personalizationSesApi'), { input: people(6), credentials: credentials() });
			expect(ses.received).toHaveLength(1);
			expect(result.error?.message).toBe(`Sending through Amazon SES stopped: Amazon SES refused to send for the whole account (${type}: ${message}), so the rest of this run was not sent`);
			expect(JSON.stringify(result.run)).not.toContain(SES_TEST_CREDENTIALS.secretAccessKey);
		});
	}

	it('the daily quota with nothing accepted fails the execution too (before, it succeeded with failed items)', async () => {
		ses.dailyQuota = 0;
		const result = await runWorkflow(wf('ses', 'personalizationSesApi'), { input: people(3), credentials: credentials() });
		expect(ses.received).toHaveLength(1);
		expect(result.error?.message).toBe("Sending through Amazon SES stopped: Amazon SES's daily sending quota is used up (ThrottlingException: Daily message quota exceeded.), so the rest of this run was not sent");
		expect((result.error as { name?: string }).name).toBe('NodeApiError');
	});

	it('MailFromDomainNotVerifiedException refuses that sender only: its later messages are not sent, the other sender\'s are', async () => {
		ses.refusal = { type: 'MailFromDomainNotVerifiedException', message: "The message can't be sent because the sending domain isn't verified.", from: 'news@bad.example.com' };
		const input = [...people(3, 'news@bad.example.com'), ...people(2, 'news@shop.example.com').map((i, k) => ({ json: { ...i.json, email: `other${k}@example.com` } }))];
		const result = await runWorkflow(wf('ses', 'personalizationSesApi'), { input, credentials: credentials() });
		expect(result.error).toBeUndefined();
		const out = result.items('ESP Dispatch').map((i) => i.json);
		expect(out.map((o) => [o.status, o.attempts])).toEqual([['failed', 1], ['failed', 0], ['failed', 0], ['sent', 1], ['sent', 1]]);
		expect(out[0].error).toBe("HTTP 400 MailFromDomainNotVerifiedException: The message can't be sent because the sending domain isn't verified.");
		expect(out[1].error).toMatch(/^not sent: Amazon SES refused the sender "news@bad\.example\.com" earlier in this run: /);
		expect(ses.received).toHaveLength(3);
	});
});
