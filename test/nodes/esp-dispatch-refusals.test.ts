/**
 * ESP Dispatch through the real n8n engine (test/harness/engine.ts) against the local provider
 * servers: a 403 refusing the sender is reported as such (not as a bad key), Resend's testing-mode
 * 403 fails only the items to others than the account owner, documented per-message limits are item errors naming the item and the field, and when sending stops
 * each item says whether it was sent.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow, type RunResult, type WorkflowJson } from '../harness/engine';
import type { ProviderServer } from '../dispatch/servers/base';
import { BREVO_TEST_KEY, startBrevoServer, type BrevoServer } from '../dispatch/servers/brevo';
import { MAILGUN_TEST_KEY, startMailgunServer, type MailgunServer } from '../dispatch/servers/mailgun';
import { RESEND_TEST_KEY, startResendServer, type ResendServer } from '../dispatch/servers/resend';
import { SENDGRID_KEY, SENDER_IDENTITY_MESSAGE, sendgridServer } from '../dispatch/servers/sendgrid';
import { SES_TEST_CREDENTIALS, startSesServer, type SesServer } from '../dispatch/servers/ses';

const CREDENTIAL_TYPES: Record<string, string> = {
	sendgrid: 'personalizationSendGridApi',
	resend: 'personalizationResendApi',
	ses: 'personalizationSesApi',
	brevo: 'personalizationBrevoApi',
	mailgun: 'personalizationMailgunApi',
};

function dispatchNode(provider: string, parameters: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return node('ESP Dispatch', 'espDispatch', {
		operation: 'send',
		provider,
		mode: 'rendered',
		fromEmail: '={{ $json.from }}',
		toEmail: '={{ $json.email }}',
		subject: '={{ $json.subject }}',
		html: '={{ $json.html }}',
		text: '={{ $json.text }}',
		options: { initialRetryDelayMs: 1, maxRetryDelayMs: 5, concurrency: 1 },
		...parameters,
	} as INode['parameters'], { credentials: { [CREDENTIAL_TYPES[provider]]: { id: `${provider}-1`, name: `${provider} account` } }, ...extra });
}

const workflow = (n: INode): WorkflowJson => ({ nodes: [n], connections: {} });
const COF: Partial<INode> = { onError: 'continueRegularOutput' };
const outputs = (result: RunResult): IDataObject[] => result.items('ESP Dispatch').map((i) => i.json);

function people(n: number, extra: (i: number) => IDataObject = () => ({})): INodeExecutionData[] {
	return Array.from({ length: n }, (_, i) => ({
		json: { email: `person${i}@example.com`, from: 'news@shop.example.com', subject: `Hi ${i}`, html: `<p>Hello ${i}</p>`, text: `Hello ${i}`, ...extra(i) },
	}));
}

describe('ESP Dispatch: a 403 refusing the sender is not a rejected credential', () => {
	let sendgrid: ProviderServer;
	let resend: ResendServer;
	beforeAll(async () => {
		sendgrid = await sendgridServer({}, new Set(['shop.example.com'])).start();
		resend = await startResendServer(RESEND_TEST_KEY, new Set(['shop.example.com']));
	});
	afterAll(async () => {
		await sendgrid.stop();
		await resend.close();
	});

	it('SendGrid: items from an unverified Sender Identity fail with SendGrid\'s message naming the address; the run goes on', async () => {
		const input = people(3, (i) => (i === 1 ? { from: 'promo@unverified.example' } : {}));
		const result = await runWorkflow(workflow(dispatchNode('sendgrid', { options: { batchSize: 1, concurrency: 1 } })), {
			input,
			credentials: { personalizationSendGridApi: { apiKey: SENDGRID_KEY, baseUrl: sendgrid.url } },
		});
		expect(result.error).toBeUndefined();
		const out = outputs(result);
		expect(out.map((o) => [o.status, o.responseCode])).toEqual([['queued', 202], ['failed', 403], ['queued', 202]]);
		expect(out[1].error).toBe(`SendGrid refused the sender "promo@unverified.example": SendGrid 403: from: ${SENDER_IDENTITY_MESSAGE}`);
		expect(sendgrid.accepted.map((a) => a.recipient)).toEqual(['person0@example.com', 'person2@example.com']);
	});

	it('Resend: every item from an unverified domain fails with Resend\'s message; the others are sent', async () => {
		const input = people(3, () => ({ from: 'news@unverified.example' }));
		input[2].json.from = 'news@shop.example.com';
		const result = await runWorkflow(workflow(dispatchNode('resend', { options: { batchSize: 1, concurrency: 1 } })), {
			input,
			credentials: { personalizationResendApi: { apiKey: RESEND_TEST_KEY, baseUrl: resend.url } },
		});
		expect(result.error).toBeUndefined();
		const out = outputs(result);
		expect(out.map((o) => o.status)).toEqual(['failed', 'failed', 'sent']);
		expect(out[0].error).toBe('Resend refused the sender "news@unverified.example": HTTP 403 validation_error: The unverified.example domain is not verified. Please, add and verify your domain.');
		expect(out[1].error).toMatch(/^not sent: Resend refused the sender "news@unverified.example" earlier in this run: /);
		expect(resend.delivered).toHaveLength(1);
	});
});

describe('ESP Dispatch: Resend in testing mode refuses recipients, not the sender', () => {
	// An account without a verified domain sends from onboarding@resend.dev to its owner only
	// (https://resend.com/docs/knowledge-base/403-error-resend-dev-domain).
	let resend: ResendServer;
	beforeAll(async () => (resend = await startResendServer(RESEND_TEST_KEY, undefined, { testingMode: { owner: 'owner@example.com' } })));
	afterAll(async () => resend.close());

	it('one batch: the items to others fail with the reason and what to do; the items to the owner are sent', async () => {
		const input = people(4, (i) => ({ from: 'onboarding@resend.dev', ...(i % 2 ? { email: 'owner@example.com', subject: `Owner ${i}` } : {}) }));
		const result = await runWorkflow(workflow(dispatchNode('resend')), {
			input,
			credentials: { personalizationResendApi: { apiKey: RESEND_TEST_KEY, baseUrl: resend.url } },
		});
		expect(result.error).toBeUndefined();
		const out = outputs(result);
		expect(out.map((o) => [o.status, o.responseCode])).toEqual([['failed', 403], ['sent', 200], ['failed', 403], ['sent', 200]]);
		expect(out[0].error).toBe(
			'Resend refused the recipient "person0@example.com": the account is in testing mode and sends only to its owner\'s own address (owner@example.com); verify a domain at https://resend.com/domains and send from an address on it. ' +
				'HTTP 403 validation_error: You can only send testing emails to your own email address (owner@example.com). To send emails to other recipients, please verify a domain at resend.com/domains, and change the `from` address to an email using this domain.',
		);
		// the batch of 4 was refused whole; the two to the owner went again in one batch
		expect(resend.received.map((r) => [r.path, JSON.parse(r.body).length])).toEqual([['/emails/batch', 4], ['/emails/batch', 2]]);
		expect(resend.delivered.map((d) => [d.email.to, d.email.subject])).toEqual([[['owner@example.com'], 'Owner 1'], [['owner@example.com'], 'Owner 3']]);
	});
});

describe('ESP Dispatch: documented per-message limits are item errors', () => {
	let ses: SesServer;
	let brevo: BrevoServer;
	beforeAll(async () => {
		ses = await startSesServer();
		brevo = await startBrevoServer();
	});
	afterAll(async () => {
		await ses.close();
		await brevo.close();
	});
	const sesCreds = () => ({ personalizationSesApi: { ...SES_TEST_CREDENTIALS, sessionToken: '', baseUrl: ses.url } });
	// List-Unsubscribe is "<" + url + ">": a 900-character URL gives a 902-character value (SES allows 870).
	const longUrl = `https://shop.example/u/${'t'.repeat(900 - 'https://shop.example/u/'.length)}`;
	const unsubscribe = { unsubscribeUrl: '={{ $json.unsubscribe }}' };
	const withUrl = (i: number) => ({ unsubscribe: i === 1 ? longUrl : `https://shop.example/u/${i}` });

	it('SES: a List-Unsubscribe value over 870 characters stops the node before anything is sent, naming the item and the field', async () => {
		const result = await runWorkflow(workflow(dispatchNode('ses', unsubscribe)), { input: people(3, withUrl), credentials: sesCreds() });
		expect(result.error?.message).toBe('Item 1: the List-Unsubscribe header value is 902 characters, more than the 870 Amazon SES allows in a header value (field: unsubscribeUrl)');
		expect(ses.received).toHaveLength(0);
	});

	it('SES with Continue On Fail: that item fails alone, the others are sent', async () => {
		const result = await runWorkflow(workflow(dispatchNode('ses', unsubscribe, COF)), { input: people(3, withUrl), credentials: sesCreds() });
		const items = result.items('ESP Dispatch');
		expect(items.map((i) => [i.json.status, i.pairedItem])).toEqual([['sent', { item: 0 }], ['failed', { item: 1 }], ['sent', { item: 2 }]]);
		expect(items[1].json.error).toMatch(/^Item 1: the List-Unsubscribe header value is 902 characters/);
		expect(ses.delivered.map((d) => d.to)).toEqual(['person0@example.com', 'person2@example.com']);
	});

	it('Brevo template mode: variables over 100 KB fail their item (field variables); the other versions share one call', async () => {
		const big = { v: 'x'.repeat(110 * 1024) };
		const input = people(3, (i) => ({ variables: i === 0 ? big : { v: `small ${i}` } }));
		const result = await runWorkflow(workflow(dispatchNode('brevo', { mode: 'template', templateId: '7', variables: '={{ $json.variables }}' }, COF)), {
			input,
			credentials: { personalizationBrevoApi: { apiKey: BREVO_TEST_KEY, baseUrl: brevo.url } },
		});
		const out = outputs(result);
		expect(out.map((o) => o.status)).toEqual(['failed', 'sent', 'sent']);
		expect(out[0].error).toMatch(/^Item 0: the template variables \(Brevo params\) are 112,648 bytes as JSON, more than the 100 KB \(102,400 bytes\) Brevo allows per message version \(field: variables\)$/);
		expect(brevo.received).toHaveLength(1);
		expect(brevo.delivered.map((d) => d.to)).toEqual(['person1@example.com', 'person2@example.com']);
	});
});

describe('ESP Dispatch: when sending stops, each item says whether it was sent', () => {
	let mailgun: MailgunServer;
	beforeAll(async () => (mailgun = await startMailgunServer()));
	afterAll(async () => mailgun.close());
	// No sending domain in the credential: the Mailgun provider cannot plan a request.
	const creds = () => ({ personalizationMailgunApi: { apiKey: MAILGUN_TEST_KEY, domain: '', region: 'us', baseUrl: mailgun.url } });

	it('with Continue On Fail: every item not sent says so; an invalid item keeps its own error', async () => {
		const input = people(3);
		input[2].json.email = 'not-an-address';
		const result = await runWorkflow(workflow(dispatchNode('mailgun', {}, COF)), { input, credentials: creds() });
		expect(result.error).toBeUndefined();
		const items = result.items('ESP Dispatch');
		expect(items.map((i) => [i.json.status, i.json.attempts ?? null, i.pairedItem])).toEqual([['failed', 0, { item: 0 }], ['failed', 0, { item: 1 }], ['failed', null, { item: 2 }]]);
		for (const item of items.slice(0, 2)) {
			expect(item.json.error).toBe('not sent: sending through Mailgun stopped (Mailgun needs a sending domain (set "Domain" in the Mailgun credential)) before this message was sent');
		}
		expect(items[2].json.error).toMatch(/^Item 2: recipient "not-an-address"/);
		expect(mailgun.received).toHaveLength(0);
	});

	it('without Continue On Fail: a node error saying where sending stopped and what became of the items', async () => {
		const result = await runWorkflow(workflow(dispatchNode('mailgun')), { input: people(2), credentials: creds() });
		expect(result.error?.message).toBe('Sending through Mailgun stopped: Mailgun needs a sending domain (set "Domain" in the Mailgun credential)');
		expect((result.error as { description?: string }).description).toMatch(/Outcomes: 2 failed\.$/);
	});
});
