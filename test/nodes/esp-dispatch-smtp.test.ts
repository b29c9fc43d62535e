/**
 * ESP Dispatch with the SMTP provider through the real n8n engine, against a real SMTP server
 * (smtp-server) started here; messages parsed with mailparser.
 */
import net, { type AddressInfo } from 'node:net';
import type { IDataObject } from 'n8n-workflow';
import { chain, node, runWorkflow } from '../harness/engine';
import { startSmtpInbox, type ReceivedMail, type SmtpInbox } from '../harness/smtp-inbox';

const PASSWORD = 'n8n-smtp-secret-value';

describe('ESP Dispatch (SMTP) through the n8n engine', () => {
	const received: ReceivedMail[] = [];
	let inbox: SmtpInbox;
	let port = 0;
	beforeAll(async () => {
		inbox = await startSmtpInbox({ auth: { user: 'mailer', password: PASSWORD }, into: received });
		port = inbox.port;
	});
	afterAll(() => inbox.close());

	const wf = (parameters: IDataObject) => {
		const n = node('ESP Dispatch', 'espDispatch', { operation: 'send', provider: 'smtp', mode: 'rendered', fromEmail: 'news@shop.example.com', campaignId: 'c1', unsubscribeUrl: 'https://shop.example.com/u', ...parameters } as never, {
			credentials: { personalizationSmtpApi: { id: 's1', name: 'Mail server' } },
		});
		return { nodes: [n], connections: chain(n.name) };
	};
	const creds = (password = PASSWORD) => ({ personalizationSmtpApi: { host: '127.0.0.1', port, secure: false, user: 'mailer', password, ignoreSslIssues: false, allowLoginWithoutTls: true } }); // the inbox offers no STARTTLS
	const input = [
		{ json: { email: 'ann@example.com', subject: 'Hi Ann', html: '<p>Ann</p>', text: 'Ann' } },
		{ json: { email: 'bob@example.com', subject: 'Hi Bob', html: '<p>Bob</p>', text: 'Bob' } },
	];

	it('sends one message per item over the pooled transport, with Message-ID as provider message id', async () => {
		const result = await runWorkflow(wf({}), { input, credentials: creds() });
		expect(result.error).toBeUndefined();
		const out = result.items('ESP Dispatch').map((i) => i.json);
		expect(out.map((o) => [o.status, o.responseCode])).toEqual([['sent', 250], ['sent', 250]]);
		const byTo = new Map(received.map((r) => [r.to[0], r.mail]));
		expect(byTo.get('ann@example.com')!.messageId).toBe(out[0].providerMessageId);
		expect(byTo.get('bob@example.com')!.html).toBe('<p>Bob</p>');
		expect(byTo.get('bob@example.com')!.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
	});

	it('a wrong password fails naming the credential, and the password is nowhere in the run', async () => {
		const result = await runWorkflow(wf({}), { input, credentials: creds('wrong-smtp-pass-999') });
		expect(result.error?.message).toBe('SMTP rejected the credential "Mail server"');
		expect(JSON.stringify(result.run)).not.toContain('wrong-smtp-pass-999');
	});

	it('a server that offers no STARTTLS does not get the login unless the credential allows it: the run stops, nothing is sent', async () => {
		const before = received.length;
		const strict = { personalizationSmtpApi: { ...creds().personalizationSmtpApi, allowLoginWithoutTls: false } };
		const result = await runWorkflow(wf({}), { input, credentials: strict });
		expect(result.error?.message).toBe('SMTP rejected the credential "Mail server"');
		expect(JSON.stringify(result.error)).toMatch(/did not encrypt the connection with STARTTLS/);
		expect(received.length).toBe(before);
		expect(JSON.stringify(result.run)).not.toContain(PASSWORD);
	});

	it('an unreachable server stops the run after one message\'s attempts, naming the credential', async () => {
		const probe = net.createServer();
		await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
		const closed = (probe.address() as AddressInfo).port;
		await new Promise<void>((resolve) => probe.close(() => resolve()));
		const many = Array.from({ length: 12 }, (_, k) => ({ json: { email: `u${k}@example.com`, subject: 'Hi', html: '<p>Hi</p>' } }));
		const unreachable = { personalizationSmtpApi: { ...creds().personalizationSmtpApi, port: closed } };
		const result = await runWorkflow(wf({ options: { maxAttempts: 2, initialRetryDelayMs: 10, maxRetryDelayMs: 10, concurrency: 1 } }), { input: many, credentials: unreachable });
		// n8n shows its own words for an ECONNREFUSED in the message and keeps ours in `messages`
		const error = result.error as unknown as { messages: string[]; description: string };
		expect(error.messages[0]).toMatch(/^Could not reach SMTP: SMTP could not be reached \(.*ECONNREFUSED.*\) in 2 attempts/);
		expect(error.description).toContain('"Mail server"');
	});

	it('refuses template mode with SMTP, saying what to do instead', async () => {
		const result = await runWorkflow(wf({ mode: 'template', templateId: 'x' }), { input, credentials: creds() });
		expect(result.error?.message).toMatch(/SMTP has no provider templates/);
	});
});
