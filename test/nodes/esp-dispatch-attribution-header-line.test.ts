/**
 * ESP Dispatch through the real n8n engine (test/harness/engine.ts):
 *  - an item whose attribution header would be over one header line (RFC 5322 §2.1.1: 998
 *    characters) even without the userId is an item error before anything is sent, naming the item,
 *    the field and the limit; with Continue On Fail it fails alone, with the error output it leaves
 *    there. Mailgun (X-Mailgun-Variables) and SMTP (X-Pz-Campaign-Id).
 *
 * Lengths by hand: with the Idempotency Key `k0`…`k2` each message id is 2 characters, so
 * `{"pz_message_id":"k0","pz_campaign_id":"…"}` is 42 characters + the campaign, and
 * "X-Mailgun-Variables: " 21: a 935-character campaign gives a 998-character line, 936 a 999-character
 * one. SMTP: nodemailer puts a value without white space on a continuation line of its own, " " + the
 * value: 997 gives 998, 998 gives 999.
 */
import type { INode, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow, type WorkflowJson } from '../harness/engine';
import { startSmtpInbox, type ReceivedMail, type SmtpInbox } from '../harness/smtp-inbox';
import { MAILGUN_TEST_KEY, startMailgunServer, type MailgunServer } from '../dispatch/servers/mailgun';

const c = (n: number) => 'c'.repeat(n);
const COF: Partial<INode> = { onError: 'continueRegularOutput' };

function dispatchNode(provider: 'mailgun' | 'smtp', extra: Partial<INode> = {}): INode {
	const credentialType = provider === 'mailgun' ? 'personalizationMailgunApi' : 'personalizationSmtpApi';
	return node('ESP Dispatch', 'espDispatch', {
		operation: 'send',
		provider,
		mode: 'rendered',
		fromEmail: 'news@shop.example.com',
		toEmail: '={{ $json.email }}',
		subject: 'Spring',
		html: '<p>Spring is here</p>',
		text: 'Spring is here',
		campaignId: '={{ $json.campaign }}',
		options: { idempotencyKey: '={{ $json.key }}', initialRetryDelayMs: 1, maxRetryDelayMs: 5, concurrency: 1 },
	} as INode['parameters'], { credentials: { [credentialType]: { id: `${provider}-1`, name: `${provider} account` } }, ...extra });
}

/** Three recipients, the second one's campaign one character over. */
const input = (fits: number): INodeExecutionData[] =>
	[fits, fits + 1, fits].map((n, i) => ({ json: { email: `person${i}@example.com`, key: `k${i}`, campaign: c(n) } }));
const single = (n: INode): WorkflowJson => ({ nodes: [n], connections: {} });

describe('ESP Dispatch: an attribution header over one line is an item error', () => {
	let mailgun: MailgunServer;
	let inbox: SmtpInbox;
	const received: ReceivedMail[] = [];
	beforeAll(async () => {
		[mailgun, inbox] = await Promise.all([startMailgunServer(), startSmtpInbox({ into: received })]);
	});
	afterAll(async () => {
		await Promise.all([mailgun.close(), inbox.close()]);
	});
	beforeEach(() => {
		mailgun.delivered.length = 0;
		mailgun.received.length = 0;
		received.length = 0;
	});
	const mailgunCreds = () => ({ personalizationMailgunApi: { apiKey: MAILGUN_TEST_KEY, domain: 'mg.shop.example', region: 'us', baseUrl: mailgun.url } });
	const smtpCreds = () => ({ personalizationSmtpApi: { host: '127.0.0.1', port: inbox.port, secure: false, user: '', password: '', ignoreSslIssues: false } });
	const MAILGUN_ERROR =
		'Item 1: the attribution does not fit on one header line: Campaign ID is 936 characters; its first 935 would fit (the X-Mailgun-Variables header, the attribution as JSON on one line, would be 999 characters; RFC 5322 allows 998) (field: campaignId)';
	const SMTP_ERROR =
		'Item 1: the attribution does not fit on one header line: Campaign ID is 998 characters; its first 997 would fit (the X-Pz-Campaign-Id header would have a line of 999 characters, since a header is folded only at white space; RFC 5322 allows 998) (field: campaignId)';

	it('Mailgun: stops the node before anything is sent, naming the item, the field and the limit', async () => {
		const result = await runWorkflow(single(dispatchNode('mailgun')), { input: input(935), credentials: mailgunCreds() });
		expect(result.error?.message).toBe(MAILGUN_ERROR);
		expect(mailgun.received).toHaveLength(0);
	});

	it('Mailgun with Continue On Fail: that item fails alone; the others go out on a 998-character line', async () => {
		const result = await runWorkflow(single(dispatchNode('mailgun', COF)), { input: input(935), credentials: mailgunCreds() });
		expect(result.error).toBeUndefined();
		const items = result.items('ESP Dispatch');
		expect(items.map((i) => [i.json.status, i.pairedItem])).toEqual([['queued', { item: 0 }], ['failed', { item: 1 }], ['queued', { item: 2 }]]);
		expect(items[1].json.error).toBe(MAILGUN_ERROR);
		expect(mailgun.delivered.map((d) => [d.to, `X-Mailgun-Variables: ${JSON.stringify(d.variables)}`.length])).toEqual([
			['person0@example.com', 998],
			['person2@example.com', 998],
		]);
	});

	it('Mailgun with the error output: that item leaves on it', async () => {
		const result = await runWorkflow(single(dispatchNode('mailgun', { onError: 'continueErrorOutput' })), { input: input(935), credentials: mailgunCreds() });
		expect(result.items('ESP Dispatch', 0).map((i) => i.json.recipient)).toEqual(['person0@example.com', 'person2@example.com']);
		expect(result.items('ESP Dispatch', 1).map((i) => [i.json.error, i.pairedItem])).toEqual([[MAILGUN_ERROR, { item: 1 }]]);
	});

	it('SMTP: stops the node before anything is sent; with Continue On Fail the others are sent', async () => {
		const stopped = await runWorkflow(single(dispatchNode('smtp')), { input: input(997), credentials: smtpCreds() });
		expect(stopped.error?.message).toBe(SMTP_ERROR);
		expect(received).toHaveLength(0);

		const result = await runWorkflow(single(dispatchNode('smtp', COF)), { input: input(997), credentials: smtpCreds() });
		const items = result.items('ESP Dispatch');
		expect(items.map((i) => [i.json.status, i.pairedItem])).toEqual([['sent', { item: 0 }], ['failed', { item: 1 }], ['sent', { item: 2 }]]);
		expect(items[1].json.error).toBe(SMTP_ERROR);
		expect(received.map((r) => [r.to[0], r.mail.headers.get('x-pz-campaign-id')]).sort()).toEqual([
			['person0@example.com', c(997)],
			['person2@example.com', c(997)],
		]);
	});
});
