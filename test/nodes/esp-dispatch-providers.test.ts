/**
 * ESP Dispatch through the real n8n engine (test/harness/engine.ts) with the Mailgun, Resend,
 * Amazon SES, Brevo and Mandrill providers, each against its local provider-compatible server
 * (test/dispatch/servers/*.ts), the credential's own `authenticate` adding the secret.
 */
import type { INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow, type WorkflowJson } from '../harness/engine';
import { startMailgunServer, MAILGUN_TEST_KEY, type MailgunServer } from '../dispatch/servers/mailgun';
import { startResendServer, RESEND_TEST_KEY, type ResendServer } from '../dispatch/servers/resend';
import { startSesServer, SES_TEST_CREDENTIALS, type SesServer } from '../dispatch/servers/ses';
import { startBrevoServer, BREVO_TEST_KEY, type BrevoServer } from '../dispatch/servers/brevo';
import { startMandrillServer, MANDRILL_TEST_KEY, type MandrillServer } from '../dispatch/servers/mandrill';

const CREDENTIAL_TYPES: Record<string, string> = {
	mailgun: 'personalizationMailgunApi',
	resend: 'personalizationResendApi',
	ses: 'personalizationSesApi',
	brevo: 'personalizationBrevoApi',
	mandrill: 'personalizationMandrillApi',
};

function workflow(provider: string, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}): WorkflowJson {
	return {
		nodes: [
			node(
				'ESP Dispatch',
				'espDispatch',
				{
					operation: 'send',
					provider,
					mode: 'rendered',
					fromEmail: 'news@shop.example',
					fromName: 'Shop News',
					toEmail: '={{ $json.email }}',
					toName: '={{ $json.name }}',
					subject: '={{ $json.subject }}',
					html: '={{ $json.html }}',
					text: '={{ $json.text }}',
					campaignId: 'spring',
					unsubscribeUrl: '={{ "https://shop.example/u/" + $json.id }}',
					options: { initialRetryDelayMs: 10, maxRetryDelayMs: 50, concurrency: 4, ...options },
					...extra,
				},
				{ credentials: { [CREDENTIAL_TYPES[provider]]: { id: `${provider}-1`, name: `${provider} test` } } },
			),
		],
		connections: {},
	};
}

function people(count: number, start = 0): INodeExecutionData[] {
	return Array.from({ length: count }, (_, k) => {
		const i = start + k;
		return { json: { id: i, email: `user${i}@example.com`, name: `User ${i}`, subject: `Hello User ${i}`, html: `<p>Hi User ${i}</p>`, text: `Hi User ${i}` } };
	});
}

describe('ESP Dispatch node with Mailgun (recipient-variables batches)', () => {
	let server: MailgunServer;
	beforeAll(async () => (server = await startMailgunServer()));
	afterAll(async () => server.close());
	const credentials = () => ({ personalizationMailgunApi: { apiKey: MAILGUN_TEST_KEY, domain: 'mg.shop.example', region: 'us', baseUrl: server.url } });

	it('1,050 items → 2 requests; every item queued with its batch id, each recipient its own content and attribution', async () => {
		const result = await runWorkflow(workflow('mailgun'), { input: people(1050), credentials: credentials() });
		expect(result.error).toBeUndefined();
		const items = result.items('ESP Dispatch');
		expect(items).toHaveLength(1050);
		expect(server.received).toHaveLength(2);
		expect(items.every((it) => it.json.status === 'queued')).toBe(true);
		expect(items.map((it) => it.pairedItem)).toEqual(items.map((_it, i) => ({ item: i })));
		const d = server.delivered.find((x) => x.to === 'User 777 <user777@example.com>');
		expect(d).toMatchObject({ subject: 'Hello User 777', html: '<p>Hi User 777</p>' });
		expect(d?.headers['List-Unsubscribe']).toContain('<https://shop.example/u/777>');
		expect(d?.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
		expect(d?.variables.pz_campaign_id).toBe('spring');
		expect(d?.variables.pz_message_id).toBe(items[777].json.idempotencyKey);
		expect(d?.variables.pz_message_id).toBeTruthy();
		expect(items[777].json.providerMessageId).toBe(d?.messageId);
		expect(new Set(server.delivered.map((x) => x.to)).size).toBe(1050);

		// Running the same items again sends nothing: every key is remembered as sent.
		const again = await runWorkflow(workflow('mailgun'), { input: people(1050), credentials: credentials(), staticData: result.staticData });
		expect(again.items('ESP Dispatch').every((it) => it.json.status === 'duplicate')).toBe(true);
		expect(server.received).toHaveLength(2);
	});

	it('template mode: one batch, the stored template filled per recipient through custom data', async () => {
		server.delivered.length = 0;
		const before = server.received.length;
		const wf = workflow('mailgun', { mode: 'template', templateId: 'spring-offer', variables: '={{ JSON.stringify({ first_name: $json.name, season: "spring" }) }}' });
		const result = await runWorkflow(wf, { input: people(5, 3000), credentials: credentials() });
		expect(result.error).toBeUndefined();
		expect(server.received.length - before).toBe(1);
		expect(result.items('ESP Dispatch').every((it) => it.json.status === 'queued')).toBe(true);
		expect(server.delivered.map((d) => [d.template, d.variables.first_name, d.variables.season])).toEqual(
			[3000, 3001, 3002, 3003, 3004].map((i) => ['spring-offer', `User ${i}`, 'spring']),
		);
	});

	it('test mode: every message goes to the test address with the real recipient in a header (one per request: same address)', async () => {
		const before = server.received.length;
		server.delivered.length = 0;
		const result = await runWorkflow(workflow('mailgun', {}, { testAddress: 'qa@shop.example' }), { input: people(3, 2000), credentials: credentials() });
		expect(result.error).toBeUndefined();
		expect(server.received.length - before).toBe(3);
		expect(server.delivered.map((d) => d.to)).toEqual(['User 2000 <qa@shop.example>', 'User 2001 <qa@shop.example>', 'User 2002 <qa@shop.example>']);
		expect(server.delivered.map((d) => d.headers['X-Pz-Original-Recipient'])).toEqual(['user2000@example.com', 'user2001@example.com', 'user2002@example.com']);
		expect(server.delivered[1].subject).toBe('Hello User 2001');
	});

	it('a wrong API key stops the node with an error naming the credential, and leaks no secret', async () => {
		const result = await runWorkflow(workflow('mailgun'), {
			input: people(3),
			credentials: { personalizationMailgunApi: { apiKey: 'key-wrong-secret-value', domain: 'mg.shop.example', region: 'us', baseUrl: server.url } },
		});
		expect(result.error?.message).toContain('mailgun test');
		expect(JSON.stringify(result.error)).not.toContain('key-wrong-secret-value');
	});
});

describe('ESP Dispatch node with Resend (batches of 100, idempotency key)', () => {
	let server: ResendServer;
	beforeAll(async () => (server = await startResendServer()));
	afterAll(async () => server.close());
	beforeEach(() => {
		server.received.length = 0;
		server.delivered.length = 0;
	});
	const credentials = () => ({ personalizationResendApi: { apiKey: RESEND_TEST_KEY, baseUrl: server.url } });

	it('250 items → 3 batch requests with an Idempotency-Key; every item sent with its Resend id', async () => {
		const result = await runWorkflow(workflow('resend'), { input: people(250), credentials: credentials() });
		expect(result.error).toBeUndefined();
		const items = result.items('ESP Dispatch');
		expect(server.received.map((r) => r.path)).toEqual(['/emails/batch', '/emails/batch', '/emails/batch']);
		expect(server.received.every((r) => typeof r.headers['idempotency-key'] === 'string')).toBe(true);
		expect(items.every((it) => it.json.status === 'sent')).toBe(true);
		const byRecipient = new Map(server.delivered.map((d) => [(d.email.to as string[])[0], d]));
		const d = byRecipient.get('User 42 <user42@example.com>');
		expect(items[42].json.providerMessageId).toBe(d?.id);
		expect(d?.email.tags).toEqual(expect.arrayContaining([{ name: 'pz_campaign_id', value: 'spring' }]));
	});

	it('an answer lost after Resend accepted a batch is retried with the same key: nobody gets it twice', async () => {
		// Other recipients than the test above: Resend (and this server) keep keys for 24 hours.
		server.faults.push({ dropAfterAccept: true }, { status: 429, retryAfter: 0 });
		const result = await runWorkflow(workflow('resend'), { input: people(150, 1000), credentials: credentials() });
		expect(result.error).toBeUndefined();
		const items = result.items('ESP Dispatch');
		expect(items.every((it) => it.json.status === 'sent')).toBe(true);
		expect(server.delivered).toHaveLength(150);
		expect(new Set(server.delivered.map((d) => (d.email.to as string[])[0])).size).toBe(150);
		expect(Math.max(...items.map((it) => Number(it.json.attempts)))).toBeGreaterThan(1);
	});
});

describe('ESP Dispatch node: Forget Sent Keys, then send again, through providers that keep keys themselves', () => {
	// README, Guarantees → Reconciling `unknown`: "Resend only those that never arrived: run Forget
	// Sent Keys on their keys …, then send again." Resend keeps an Idempotency-Key 24 hours and
	// answers a repeated key with its first answer without sending
	// (https://resend.com/docs/dashboard/emails/idempotency-keys), so the resend must carry a new key.
	let server: ResendServer;
	beforeAll(async () => (server = await startResendServer()));
	afterAll(async () => server.close());
	const credentials = () => ({ personalizationResendApi: { apiKey: RESEND_TEST_KEY, baseUrl: server.url } });
	const forgetNode = () => ({ nodes: [node('ESP Dispatch', 'espDispatch', { operation: 'forget' })], connections: {} });

	it('Resend: the forgotten messages are delivered again (not answered from Resend\'s key memory); a message not forgotten stays a duplicate', async () => {
		// Resend's request key is the message's own key for one message, a hash of the keys for a
		// batch: the resend must not reuse the first request's key however it is grouped.
		for (const [input, forgetting] of [[people(1, 5000), [0]], [people(3, 5100), [0, 2]]] as const) {
			const first = await runWorkflow(workflow('resend'), { input: [...input], credentials: credentials() });
			expect(first.items('ESP Dispatch').map((it) => it.json.status)).toEqual(input.map(() => 'sent'));
			const keys = forgetting.map((i) => first.items('ESP Dispatch')[i].json.idempotencyKey as string);
			const forget = await runWorkflow(forgetNode(), { input: keys.map((idempotencyKey) => ({ json: { idempotencyKey } })), staticData: first.staticData });
			expect(forget.items('ESP Dispatch').map((it) => it.json)).toEqual(keys.map((idempotencyKey) => ({ idempotencyKey, forgotten: true })));
			const again = await runWorkflow(workflow('resend'), { input: [...input], credentials: credentials(), staticData: forget.staticData });
			const out = again.items('ESP Dispatch').map((it) => it.json);
			expect(out.map((o) => o.status)).toEqual(input.map((_, i) => (forgetting.includes(i as never) ? 'sent' : 'duplicate')));
			for (const i of forgetting) {
				const to = `User ${input[i].json.id} <${input[i].json.email}>`;
				// Delivered twice in all: Resend's 24-hour key memory did not swallow the resend.
				expect(server.delivered.filter((d) => (d.email.to as string[])[0] === to)).toHaveLength(2);
				expect(out[i].providerMessageId).not.toBe(first.items('ESP Dispatch')[i].json.providerMessageId);
				// The output key stays the item's own (what Forget Sent Keys takes).
				expect(out[i].idempotencyKey).toBe(first.items('ESP Dispatch')[i].json.idempotencyKey);
			}
			// The resend is remembered again, and static data keeps hashes only.
			const third = await runWorkflow(workflow('resend'), { input: [...input], credentials: credentials(), staticData: again.staticData });
			expect(third.items('ESP Dispatch').map((it) => it.json.status)).toEqual(input.map(() => 'duplicate'));
			for (const key of keys) expect(JSON.stringify(again.staticData)).not.toContain(key);
		}
	});
});

describe('ESP Dispatch node with SES, Brevo and Mandrill', () => {
	let ses: SesServer;
	let brevo: BrevoServer;
	let mandrill: MandrillServer;
	beforeAll(async () => {
		[ses, brevo, mandrill] = await Promise.all([startSesServer(), startBrevoServer(), startMandrillServer()]);
	});
	afterAll(async () => Promise.all([ses.close(), brevo.close(), mandrill.close()]));

	it('SES dry run: outputs the exact SendEmail bodies, sends nothing, shows no signature or secret', async () => {
		const before = ses.received.length;
		const result = await runWorkflow(workflow('ses', { dryRun: true }), {
			input: people(2),
			credentials: { personalizationSesApi: { ...SES_TEST_CREDENTIALS, sessionToken: '', baseUrl: ses.url } },
		});
		expect(result.error).toBeUndefined();
		expect(ses.received.length).toBe(before);
		const items = result.items('ESP Dispatch');
		expect(items.map((it) => it.json.status)).toEqual(['dryRun', 'dryRun']);
		const request = items[0].json.request as { url: string; body: string; headers: Record<string, string> };
		expect(request.url).toBe(`${ses.url}/v2/email/outbound-emails`);
		expect(JSON.parse(request.body).Destination.ToAddresses).toEqual(['"User 0" <user0@example.com>']);
		expect(JSON.stringify(items)).not.toMatch(/AWS4-HMAC-SHA256|wJalrXUtnFEMI/);
	});

	it('SES template mode: SendBulkEmail of 50 signed by the credential, per-entry results', async () => {
		ses.entryFailures.set('user3@example.com', 'MESSAGE_REJECTED');
		const wf = workflow('ses', { mode: 'template', templateId: 'welcome', variables: '={{ JSON.stringify({ name: $json.name }) }}' });
		const result = await runWorkflow(wf, {
			input: people(60),
			credentials: { personalizationSesApi: { ...SES_TEST_CREDENTIALS, sessionToken: '', baseUrl: ses.url } },
		});
		expect(result.error).toBeUndefined();
		const items = result.items('ESP Dispatch');
		expect(ses.received.map((r) => r.path)).toEqual(['/v2/email/outbound-bulk-emails', '/v2/email/outbound-bulk-emails']);
		expect(items.filter((it) => it.json.status === 'sent')).toHaveLength(59);
		expect(items[3].json).toMatchObject({ status: 'failed', error: 'SES MESSAGE_REJECTED: Rejected' });
		expect(ses.delivered.find((d) => d.to.includes('user9@'))?.templateData).toEqual({ name: 'User 9' });
	});

	it('Brevo: one messageVersions call with per-version unsubscribe and attribution; Mandrill (shared unsubscribe URL): one call with per-recipient status', async () => {
		const b = await runWorkflow(workflow('brevo'), { input: people(30), credentials: { personalizationBrevoApi: { apiKey: BREVO_TEST_KEY, baseUrl: brevo.url } } });
		expect(b.error).toBeUndefined();
		expect(brevo.received).toHaveLength(1);
		const bItems = b.items('ESP Dispatch');
		expect(bItems.every((it) => it.json.status === 'sent')).toBe(true);
		const d = brevo.delivered.find((x) => x.to === 'user12@example.com');
		expect(d?.headers['List-Unsubscribe']).toContain('<https://shop.example/u/12>');
		expect(JSON.parse(d?.headers['X-Mailin-custom'] ?? '{}')).toMatchObject({ pz_campaign_id: 'spring', pz_message_id: bItems[12].json.idempotencyKey });

		const shared = { unsubscribeUrl: 'https://shop.example/unsubscribe' };

		mandrill.rejects.set('user4@example.com', 'hard-bounce');
		const m = await runWorkflow(workflow('mandrill', shared), { input: people(10), credentials: { personalizationMandrillApi: { apiKey: MANDRILL_TEST_KEY, baseUrl: mandrill.url } } });
		expect(m.error).toBeUndefined();
		expect(mandrill.received).toHaveLength(1);
		const statuses = m.items('ESP Dispatch').map((it) => it.json.status);
		expect(statuses.filter((s) => s === 'sent')).toHaveLength(9);
		expect(statuses[4]).toBe('suppressed');
		expect(mandrill.delivered.find((d) => d.email === 'user7@example.com')).toMatchObject({ subject: 'Hello User 7', html: '<p>Hi User 7</p>' });
	});

	it('a wrong Mandrill key (HTTP 500 Invalid_Key) stops the node naming the credential; nothing is sent', async () => {
		const before = mandrill.delivered.length;
		const result = await runWorkflow(workflow('mandrill'), { input: people(2, 500), credentials: { personalizationMandrillApi: { apiKey: 'md-not-the-key', baseUrl: mandrill.url } } });
		expect(result.error?.message).toContain('mandrill test');
		expect(JSON.stringify(result.run.data)).not.toContain('md-not-the-key');
		expect(mandrill.delivered.length).toBe(before);
	});
});
