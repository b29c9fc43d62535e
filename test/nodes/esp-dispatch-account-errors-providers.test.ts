/**
 * Account-wide refusals of SendGrid and Mailgun stop the run, through the real n8n engine, against
 * the local provider servers answering as the providers document:
 *  - SendGrid 401 "Maximum credits exceeded": the plan's email credits are used up
 *    (https://support.sendgrid.com/hc/en-us/articles/18322114821403-4XX-API-Errors-and-Troubleshooting-Suggestions).
 *    The key is fine; no later request would be accepted until the credits reset.
 *  - Mailgun 404 "Domain not found: <domain>": the credential's sending domain is not the account's
 *    (https://documentation.mailgun.com/docs/mailgun/quickstart-guide/responses, 404). Every request
 *    of the run goes to that domain.
 * Before, the SendGrid refusal counted as a rejected credential, which stops nothing once a message
 * was accepted (each later request was sent and refused the same), and the Mailgun 404 failed every
 * request one after the other.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow, type RunResult, type WorkflowJson } from '../harness/engine';
import type { ProviderServer } from '../dispatch/servers/base';
import { SENDGRID_KEY, sendgridServer, type SendGridAccount } from '../dispatch/servers/sendgrid';
import { MAILGUN_TEST_KEY, startMailgunServer, type MailgunServer } from '../dispatch/servers/mailgun';

const CREDENTIAL_TYPES: Record<string, string> = { sendgrid: 'personalizationSendGridApi', mailgun: 'personalizationMailgunApi' };

function dispatchNode(provider: string, options: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return node('ESP Dispatch', 'espDispatch', {
		operation: 'send',
		provider,
		mode: 'rendered',
		fromEmail: '={{ $json.from }}',
		toEmail: '={{ $json.email }}',
		subject: '={{ $json.subject }}',
		html: '={{ $json.html }}',
		text: '={{ $json.text }}',
		options: { maxAttempts: 3, initialRetryDelayMs: 1, maxRetryDelayMs: 5, concurrency: 1, ...options },
	} as INode['parameters'], { credentials: { [CREDENTIAL_TYPES[provider]]: { id: `${provider}-1`, name: `${provider} account` } }, ...extra });
}

const workflow = (n: INode): WorkflowJson => ({ nodes: [n], connections: {} });
const outputs = (result: RunResult): IDataObject[] => result.items('ESP Dispatch').map((i) => i.json);

function people(n: number): INodeExecutionData[] {
	return Array.from({ length: n }, (_, i) => ({
		json: { email: `person${i}@example.com`, from: 'news@shop.example.com', subject: `Hi ${i}`, html: `<p>Hello ${i}</p>`, text: `Hello ${i}` },
	}));
}

describe('SendGrid: 401 "Maximum credits exceeded" stops the run', () => {
	const account: SendGridAccount = {};
	let sendgrid: ProviderServer;
	beforeAll(async () => (sendgrid = await sendgridServer({}, undefined, account).start()));
	afterAll(() => sendgrid.stop());
	beforeEach(() => {
		sendgrid.requests.length = 0;
		sendgrid.accepted.length = 0;
	});
	const credentials = () => ({ personalizationSendGridApi: { apiKey: SENDGRID_KEY, baseUrl: sendgrid.url } });
	const STOP = "SendGrid's plan has used up its email credits (SendGrid 401: Maximum credits exceeded), so the rest of this run was not sent";

	it('credits used up after 2 messages: the third is refused once, the rest is not sent and not remembered', async () => {
		account.credits = 2;
		const result = await runWorkflow(workflow(dispatchNode('sendgrid', { batchSize: 1 })), { input: people(5), credentials: credentials(), mode: 'trigger' });
		expect(result.error).toBeUndefined();
		const out = outputs(result);
		expect(out.map((o) => [o.status, o.responseCode ?? null, o.attempts])).toEqual([['queued', 202, 1], ['queued', 202, 1], ['failed', 401, 1], ['failed', null, 0], ['failed', null, 0]]);
		expect(out[2].error).toBe('SendGrid 401: Maximum credits exceeded');
		expect(out[3].error).toBe(`not sent: ${STOP}`);
		expect(out[4].error).toBe(`not sent: ${STOP}`);
		// Three requests; before, each of the last three was sent and refused (5 requests).
		expect(sendgrid.requests).toHaveLength(3);
		expect(JSON.stringify(result.run)).not.toContain(SENDGRID_KEY);
		// Credits back: a later run sends the refused and unsent messages, not the two accepted.
		account.credits = undefined;
		const again = await runWorkflow(workflow(dispatchNode('sendgrid', { batchSize: 1 })), { input: people(5), credentials: credentials(), mode: 'trigger', staticData: result.staticData });
		expect(outputs(again).map((o) => o.status)).toEqual(['duplicate', 'duplicate', 'queued', 'queued', 'queued']);
	});

	it('nothing accepted: the execution fails naming the used-up credits, not a rejected credential', async () => {
		account.credits = 0;
		const result = await runWorkflow(workflow(dispatchNode('sendgrid', { batchSize: 1 })), { input: people(3), credentials: credentials() });
		expect(result.error?.message).toBe(`Sending through SendGrid stopped: ${STOP}`);
		expect((result.error as { name?: string }).name).toBe('NodeApiError');
		expect(sendgrid.requests).toHaveLength(1);
	});

	it('with Continue On Fail each item fails, paired with its input', async () => {
		account.credits = 0;
		const result = await runWorkflow(workflow(dispatchNode('sendgrid', { batchSize: 1 }, { onError: 'continueRegularOutput' })), { input: people(3), credentials: credentials() });
		expect(result.error).toBeUndefined();
		const items = result.items('ESP Dispatch');
		expect(items.map((i) => [i.json.status, i.pairedItem])).toEqual([['failed', { item: 0 }], ['failed', { item: 1 }], ['failed', { item: 2 }]]);
		expect(items.map((i) => i.json.error)).toEqual(['SendGrid 401: Maximum credits exceeded', `not sent: ${STOP}`, `not sent: ${STOP}`]);
	});

	it('a revoked key (401 "The provided authorization grant is invalid, expired, or revoked") is still a rejected credential', async () => {
		account.credits = undefined;
		const result = await runWorkflow(workflow(dispatchNode('sendgrid', { batchSize: 1 })), {
			input: people(2),
			credentials: { personalizationSendGridApi: { apiKey: 'SG.revoked', baseUrl: sendgrid.url } },
		});
		expect(result.error?.message).toMatch(/^SendGrid rejected the credential "sendgrid account"/);
		expect(sendgrid.requests).toHaveLength(1);
	});
});

describe('Mailgun: 404 "Domain not found" stops the run', () => {
	let mailgun: MailgunServer;
	beforeAll(async () => (mailgun = await startMailgunServer()));
	afterAll(() => mailgun.close());
	beforeEach(() => {
		mailgun.received.length = 0;
		mailgun.domains = new Set(['mg.shop.example.com']);
	});
	const credentials = (domain: string) => ({ personalizationMailgunApi: { apiKey: MAILGUN_TEST_KEY, domain, region: 'us', baseUrl: mailgun.url } });
	const STOP = "Mailgun does not know the credential's sending domain (HTTP 404: Domain not found: typo.shop.example.com): check its Domain and Region (a domain made in the EU region exists only at api.eu.mailgun.net); the rest of this run was not sent";

	it('a domain the account does not have: one request, the execution fails naming the domain', async () => {
		const result = await runWorkflow(workflow(dispatchNode('mailgun', { batchSize: 1 })), { input: people(4), credentials: credentials('typo.shop.example.com') });
		expect(result.error?.message).toBe(`Sending through Mailgun stopped: ${STOP}`);
		expect(mailgun.received).toHaveLength(1);
	});

	it('with Continue On Fail: the first item carries Mailgun\'s answer, the others were not sent', async () => {
		const result = await runWorkflow(workflow(dispatchNode('mailgun', { batchSize: 1 }, { onError: 'continueRegularOutput' })), { input: people(3), credentials: credentials('typo.shop.example.com') });
		expect(result.error).toBeUndefined();
		const out = outputs(result);
		expect(out.map((o) => [o.status, o.responseCode ?? null, o.attempts])).toEqual([['failed', 404, 1], ['failed', null, 0], ['failed', null, 0]]);
		expect(out[0].error).toBe('HTTP 404: Domain not found: typo.shop.example.com');
		expect(out[1].error).toBe(`not sent: ${STOP}`);
		expect(mailgun.received).toHaveLength(1);
	});

	it('the account\'s own domain sends as before', async () => {
		const result = await runWorkflow(workflow(dispatchNode('mailgun', { batchSize: 1 })), { input: people(2), credentials: credentials('mg.shop.example.com') });
		expect(result.error).toBeUndefined();
		expect(outputs(result).map((o) => o.status)).toEqual(['queued', 'queued']);
	});
});
