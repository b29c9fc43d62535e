/**
 * Refusals of the whole account or of one sender by Postmark, Resend and Mandrill, through the real
 * n8n engine against the local provider servers: the first refusal is the last request of its kind
 * (the rest of the run is not sent, or the refused sender's later messages are not), instead of one
 * request per message certain to be refused the same.
 *  - Postmark ErrorCode 405 "Not allowed to send" (out of credits) stops the run; 400 "Sender
 *    signature not found" and 401 "Sender signature not confirmed" refuse the sender
 *    (https://postmarkapp.com/developer/api/overview#error-codes).
 *  - Resend 429 daily_quota_exceeded stops the run (https://resend.com/docs/api-reference/errors).
 *  - Mandrill reject_reason `unsigned` (unverified sending domain) refuses the sender
 *    (https://mandrill.zendesk.com/hc/en-us/articles/205582957-What-is-a-rejected-email-Rejection-Blacklist-).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow } from '../harness/engine';
import type { ProviderServer } from '../dispatch/servers/base';
import { POSTMARK_TOKEN, account, postmarkServer } from '../dispatch/servers/postmark';
import { RESEND_TEST_KEY, startResendServer, type ResendServer } from '../dispatch/servers/resend';
import { MANDRILL_TEST_KEY, startMandrillServer, type MandrillServer } from '../dispatch/servers/mandrill';

const people = (n: number, from = 'news@shop.example.com', prefix = 'user'): INodeExecutionData[] =>
	Array.from({ length: n }, (_, i) => ({ json: { email: `${prefix}${i}@example.com`, from, subject: `Hi ${i}`, html: `<p>Hi ${i}</p>`, text: `Hi ${i}` } }));

const wf = (provider: string, credentialType: string, options: IDataObject = {}) => {
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
			options: { maxAttempts: 3, initialRetryDelayMs: 1, maxRetryDelayMs: 1, concurrency: 1, batchSize: 1, ...options },
		} as never,
		{ credentials: { [credentialType]: { id: `${provider}-1`, name: `${provider} account` } } },
	);
	return { nodes: [n], connections: chain(n.name) };
};

describe('Postmark: account and sender refusals', () => {
	let postmark: ProviderServer;
	beforeAll(async () => (postmark = await postmarkServer().start()));
	afterAll(() => postmark.stop());
	beforeEach(() => {
		postmark.reset();
		Object.assign(account, { outOfCredits: false, senderSignatures: undefined, unconfirmed: new Set() });
	});
	const credentials = () => ({ personalizationPostmarkApi: { serverToken: POSTMARK_TOKEN, baseUrl: postmark.url } });

	it('ErrorCode 405 "Not allowed to send" stops the run after one request; nothing accepted: the execution fails naming it', async () => {
		account.outOfCredits = true;
		const result = await runWorkflow(wf('postmark', 'personalizationPostmarkApi', { batchSize: 2 }), { input: people(6), credentials: credentials() });
		// Before, each of the 3 batches was sent and refused the same.
		expect(postmark.requests).toHaveLength(1);
		expect(result.error?.message).toBe('Sending through Postmark stopped: Postmark refused to send for the whole account (ErrorCode 405: Not allowed to send: you ran out of credits.), so the rest of this run was not sent');
		expect(postmark.accepted).toHaveLength(0);
	});

	for (const [code, refuse] of [
		[400, () => (account.senderSignatures = new Set(['news@shop.example.com']))],
		[401, () => account.unconfirmed.add('news@bad.example.com')],
	] as const) {
		it(`ErrorCode ${code} refuses that sender only: its later messages are not sent, the other sender's are`, async () => {
			refuse();
			const input = [...people(3, 'news@bad.example.com'), ...people(2, 'news@shop.example.com', 'other')];
			const result = await runWorkflow(wf('postmark', 'personalizationPostmarkApi'), { input, credentials: credentials() });
			expect(result.error).toBeUndefined();
			const out = result.items('ESP Dispatch').map((i) => i.json);
			expect(out.map((o) => [o.status, o.attempts])).toEqual([['failed', 1], ['failed', 0], ['failed', 0], ['sent', 1], ['sent', 1]]);
			expect(out[0].error).toMatch(new RegExp(`^Postmark ErrorCode ${code}: Sender signature not`));
			expect(out[1].error).toMatch(/^not sent: Postmark refused the sender "news@bad\.example\.com" earlier in this run: Postmark ErrorCode/);
			// Before, every message of the refused sender was a request of its own (5).
			expect(postmark.requests).toHaveLength(3);
			expect(postmark.accepted.map((a) => a.recipient)).toEqual(['other0@example.com', 'other1@example.com']);
		});

		it(`ErrorCode ${code} in a batch of two senders bars the refused message's own sender, not the other one`, async () => {
			refuse();
			// Batches of 2, in order: [bad, shop], [bad, bad], [shop, shop]. Postmark answers each message of a
			// batch on its own, so the first answer says which sender it refused.
			const bad = people(3, 'news@bad.example.com');
			const shop = people(3, 'news@shop.example.com', 'other');
			const input = [bad[0], shop[0], bad[1], bad[2], shop[1], shop[2]];
			const result = await runWorkflow(wf('postmark', 'personalizationPostmarkApi', { batchSize: 2 }), { input, credentials: credentials() });
			expect(result.error).toBeUndefined();
			const out = result.items('ESP Dispatch').map((i) => i.json);
			expect(out.map((o) => [o.status, o.attempts])).toEqual([['failed', 1], ['sent', 1], ['failed', 0], ['failed', 0], ['sent', 1], ['sent', 1]]);
			expect(out[0].error).toMatch(new RegExp(`^Postmark ErrorCode ${code}: Sender signature not`));
			for (const o of [out[2], out[3]]) expect(o.error).toMatch(/^not sent: Postmark refused the sender "news@bad\.example\.com" earlier in this run: Postmark ErrorCode/);
			// Before, the batch [bad, bad] was sent too and refused message by message: 3 requests, 6 messages.
			expect(postmark.requests).toHaveLength(2);
			expect([...postmark.bodies.values()].map((b) => JSON.parse(b).map((m: { To: string }) => m.To))).toEqual([
				['user0@example.com', 'other0@example.com'],
				['other1@example.com', 'other2@example.com'],
			]);
			expect(postmark.accepted.map((a) => a.recipient)).toEqual(['other0@example.com', 'other1@example.com', 'other2@example.com']);
		});
	}
});

describe('Resend: the daily email quota', () => {
	let resend: ResendServer;
	beforeAll(async () => (resend = await startResendServer(RESEND_TEST_KEY, new Set(['shop.example.com']), { quota: { period: 'daily', emails: 2 } })));
	afterAll(() => resend.close());
	const credentials = () => ({ personalizationResendApi: { apiKey: RESEND_TEST_KEY, baseUrl: resend.url } });

	it('429 daily_quota_exceeded stops the run: the refused message is tried once, the rest is not sent', async () => {
		const result = await runWorkflow(wf('resend', 'personalizationResendApi'), { input: people(5), credentials: credentials(), mode: 'trigger' });
		expect(result.error).toBeUndefined();
		const out = result.items('ESP Dispatch').map((i) => i.json);
		expect(out.map((o) => [o.status, o.attempts])).toEqual([['sent', 1], ['sent', 1], ['failed', 1], ['failed', 0], ['failed', 0]]);
		expect(out[2]).toMatchObject({ responseCode: 429, error: 'HTTP 429 daily_quota_exceeded: You have reached your daily email sending quota.' });
		const stop = "not sent: Resend's daily email sending quota is used up (HTTP 429 daily_quota_exceeded: You have reached your daily email sending quota.), so the rest of this run was not sent";
		expect(out[3].error).toBe(stop);
		expect(out[4].error).toBe(stop);
		// Before, each later message was a request of its own, refused the same (5).
		expect(resend.received).toHaveLength(3);
	});
});

describe('Mandrill: reject_reason unsigned', () => {
	let mandrill: MandrillServer;
	beforeAll(async () => (mandrill = await startMandrillServer()));
	afterAll(() => mandrill.close());

	it('refuses that sender only: its later messages are not sent, the other sender\'s are', async () => {
		mandrill.unsignedDomains.add('bad.example.com');
		const input = [...people(3, 'news@bad.example.com'), ...people(2, 'news@shop.example.com', 'other')];
		const result = await runWorkflow(wf('mandrill', 'personalizationMandrillApi'), { input, credentials: { personalizationMandrillApi: { apiKey: MANDRILL_TEST_KEY, baseUrl: mandrill.url } } });
		expect(result.error).toBeUndefined();
		const out = result.items('ESP Dispatch').map((i) => i.json);
		expect(out.map((o) => [o.status, o.attempts])).toEqual([['failed', 1], ['failed', 0], ['failed', 0], ['sent', 1], ['sent', 1]]);
		expect(out[0].error).toBe('Mandrill rejected this recipient: unsigned');
		expect(out[1].error).toBe('not sent: Mailchimp Transactional (Mandrill) refused the sender "news@bad.example.com" earlier in this run: Mandrill rejected this recipient: unsigned');
		// Before, every message of the refused sender was a request of its own (5).
		expect(mandrill.received).toHaveLength(3);
		expect(mandrill.delivered.map((d) => d.email)).toEqual(['other0@example.com', 'other1@example.com']);
	});
});
