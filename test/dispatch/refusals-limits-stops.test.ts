/**
 * Through the engine against the local provider servers (each answers as its provider documents):
 *  - a 403 that refuses the sender (SendGrid's unverified Sender Identity, Resend's unverified
 *    domain) fails those messages with the provider's words and stops nothing else, while a 403
 *    that refuses the key still stops the run as a credential rejection;
 *  - Resend's testing-mode 403 (an account without a verified domain sends only to its owner)
 *    refuses the recipient, not the sender: only the messages to others fail, and the messages to
 *    the owner of a batch refused whole are sent again;
 *  - documented per-message limits (SES header values <= 870 characters, Brevo params <= 100 KB
 *    per message version) fail that message alone, before any request;
 *  - when sending stops on an unexpected error, each message says what became of it: answered
 *    ones keep their status, lost answers stay `unknown`, the rest say they were not sent.
 */
import { dispatch, DispatchStoppedError, httpChannel, type Channel, type DispatchItem } from '../../nodes/engines/dispatch/engine';
import { MemoryLedger } from '../../nodes/engines/dispatch/ledger';
import { brevo } from '../../nodes/engines/dispatch/providers/brevo';
import { postmark } from '../../nodes/engines/dispatch/providers/postmark';
import { resend } from '../../nodes/engines/dispatch/providers/resend';
import { sendgrid } from '../../nodes/engines/dispatch/providers/sendgrid';
import { ses } from '../../nodes/engines/dispatch/providers/ses';
import { signAwsRequest } from '../../nodes/engines/dispatch/sigv4';
import { nodeHttpTransport } from '../../nodes/engines/dispatch/transport';
import type { HttpRequestSpec, Transport } from '../../nodes/engines/dispatch/types';
import type { ProviderServer } from './servers/base';
import { BREVO_TEST_KEY, startBrevoServer } from './servers/brevo';
import { POSTMARK_TOKEN, postmarkServer } from './servers/postmark';
import { localTransport } from './servers/provider-server';
import { RESEND_TEST_KEY, startResendServer, type ResendServer } from './servers/resend';
import { SENDGRID_KEY, SENDGRID_KEY_WITHOUT_MAIL_SEND, SENDER_IDENTITY_MESSAGE, sendgridServer } from './servers/sendgrid';
import { SES_TEST_CREDENTIALS, startSesServer } from './servers/ses';
import { fakeSleep, renderedItems } from './helpers';

const fast = () => ({ sleep: fakeSleep().sleep, retry: { initialDelayMs: 1, maxDelayMs: 2 } });

describe('a 403 that refuses the sender is not a rejected credential', () => {
	let server: ProviderServer;
	const transport = nodeHttpTransport({ headers: { Authorization: `Bearer ${SENDGRID_KEY}` }, timeoutMs: 2000 });
	// Verified: the authenticated domain shop.example.com; not: marketing@other.example.
	beforeAll(async () => (server = await sendgridServer({}, new Set(['shop.example.com'])).start()));
	afterAll(async () => {
		transport.close();
		await server.stop();
	});
	beforeEach(() => server.reset());

	it('SendGrid: messages from an unverified Sender Identity fail with SendGrid\'s words, later ones from it are not sent, the others go out', async () => {
		const items = renderedItems(6);
		for (const i of [1, 3, 4]) items[i].from = { email: 'marketing@other.example', name: 'Marketing' };
		items[4].from = { email: 'Marketing@Other.Example', name: 'Marketing' }; // the same address, other case
		const report = await dispatch(items, httpChannel(sendgrid, { baseUrl: server.url }, transport), { mode: 'rendered', batchSize: 1, limits: { concurrency: 1 }, ...fast() });
		expect(report.credentialRejected).toBeUndefined();
		expect(report.outcomes.map((o) => o.status)).toEqual(['queued', 'failed', 'queued', 'failed', 'failed', 'queued']);
		expect(report.outcomes[1]).toMatchObject({ responseCode: 403, attempts: 1, error: `SendGrid refused the sender "marketing@other.example": SendGrid 403: from: ${SENDER_IDENTITY_MESSAGE}` });
		for (const o of [report.outcomes[3], report.outcomes[4]]) {
			expect(o.attempts).toBe(0);
			expect(o.error).toMatch(/^not sent: SendGrid refused the sender "marketing@other\.example" earlier in this run: /i);
			expect(o.error).toContain(report.outcomes[1].error);
		}
		// One refused request for the unverified sender; every verified message accepted.
		expect(server.requests.map((r) => r.status)).toEqual([202, 403, 202, 202]);
		expect(server.accepted.map((a) => a.recipient)).toEqual(['user0@example.com', 'user2@example.com', 'user5@example.com']);
	});

	it('SendGrid: a wrong key (401) still stops the run before anything else is sent (control)', async () => {
		const bad = nodeHttpTransport({ headers: { Authorization: 'Bearer SG.wrong' }, timeoutMs: 2000 });
		try {
			const report = await dispatch(renderedItems(3), httpChannel(sendgrid, { baseUrl: server.url }, bad), { mode: 'rendered', batchSize: 1, limits: { concurrency: 1 }, ...fast() });
			expect(report.credentialRejected).toMatch(/^SendGrid rejected the credential \(401\)/);
			expect(server.requests).toHaveLength(1);
		} finally {
			bad.close();
		}
	});

	it('SendGrid: a key without the Mail Send permission (403 access forbidden, no field) still stops the run as a rejected credential', async () => {
		// SendGrid answers 403 both for this and for an unverified sender; only the latter names the
		// from field or the Sender Identity, so this one must not be taken for a sender refusal.
		const restricted = nodeHttpTransport({ headers: { Authorization: `Bearer ${SENDGRID_KEY_WITHOUT_MAIL_SEND}` }, timeoutMs: 2000 });
		try {
			const report = await dispatch(renderedItems(3), httpChannel(sendgrid, { baseUrl: server.url }, restricted), { mode: 'rendered', batchSize: 1, limits: { concurrency: 1 }, ...fast() });
			expect(report.credentialRejected).toBe('SendGrid rejected the credential (403): SendGrid 403: access forbidden');
			expect(report.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'failed']);
			expect(report.outcomes.map((o) => o.attempts)).toEqual([1, 0, 0]);
			expect(server.requests.map((r) => r.status)).toEqual([403]);
			expect(server.accepted).toHaveLength(0);
		} finally {
			restricted.close();
		}
	});

	it('Resend: messages of different senders never share a batch, so a refused sender fails only its own messages', async () => {
		// Resend refuses a whole batch request (403) for one unverified sender and does not say which
		// one; sharing a request, the verified sender's message would have been refused with it.
		const resendServer = await startResendServer(RESEND_TEST_KEY, new Set(['shop.example.com']));
		try {
			const transport = localTransport(resendServer.url, (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${RESEND_TEST_KEY}` } }));
			const items = renderedItems(4);
			items[0].from = { email: 'hello@unverified.example' };
			for (const i of [1, 2, 3]) items[i].from = { email: 'News@Shop.example.com' };
			items[3].from = { email: 'news@shop.example.com' };
			const report = await dispatch(items, httpChannel(resend, { baseUrl: resendServer.url }, transport), { mode: 'rendered', batchSize: 2, limits: { concurrency: 1 }, ...fast() });
			expect(report.credentialRejected).toBeUndefined();
			expect(report.outcomes[0]).toMatchObject({ status: 'failed', responseCode: 403 });
			expect(report.outcomes.slice(1).map((o) => [o.status, o.attempts])).toEqual([['sent', 1], ['sent', 1], ['sent', 1]]);
			// three requests: the unverified sender alone, then the verified one (any case) in batches of 2
			expect(resendServer.received.map((r) => r.path).sort()).toEqual(['/emails', '/emails', '/emails/batch']);
			expect(resendServer.delivered.map((d) => d.email.to).sort()).toEqual([['User 1 <user1@example.com>'], ['User 2 <user2@example.com>'], ['User 3 <user3@example.com>']]);
		} finally {
			await resendServer.close();
		}
	});

	it('Resend: 403 validation_error (domain not verified) fails those messages; 403 invalid_api_key still rejects the credential', async () => {
		const resendServer = await startResendServer(RESEND_TEST_KEY, new Set(['shop.example.com']));
		try {
			const auth = (key: string) => localTransport(resendServer.url, (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${key}` } }));
			const items = renderedItems(4);
			for (const i of [0, 2]) items[i].from = { email: 'hello@unverified.example' };
			const report = await dispatch(items, httpChannel(resend, { baseUrl: resendServer.url }, auth(RESEND_TEST_KEY)), { mode: 'rendered', batchSize: 1, limits: { concurrency: 1 }, ...fast() });
			expect(report.credentialRejected).toBeUndefined();
			expect(report.outcomes.map((o) => o.status)).toEqual(['failed', 'sent', 'failed', 'sent']);
			// Resend's documented 403 body for an unverified domain (https://resend.com/docs/api-reference/errors).
			expect(report.outcomes[0].error).toBe('Resend refused the sender "hello@unverified.example": HTTP 403 validation_error: The unverified.example domain is not verified. Please, add and verify your domain.');
			expect(report.outcomes[2].error).toMatch(/^not sent: Resend refused the sender "hello@unverified.example" earlier in this run/);
			expect(resendServer.delivered.map((d) => d.email.to)).toEqual([['User 1 <user1@example.com>'], ['User 3 <user3@example.com>']]);

			const wrong = await dispatch(renderedItems(3), httpChannel(resend, { baseUrl: resendServer.url }, auth('re_wrong')), { mode: 'rendered', batchSize: 1, limits: { concurrency: 1 }, ...fast() });
			expect(wrong.credentialRejected).toBe('Resend rejected the credential (403): HTTP 403 invalid_api_key: API key is invalid');
		} finally {
			await resendServer.close();
		}
	});
});

describe('Resend in testing mode refuses recipients, not the sender', () => {
	// The account has no verified domain: it sends from onboarding@resend.dev, and only to its owner
	// (https://resend.com/docs/knowledge-base/403-error-resend-dev-domain).
	const OWNER = 'owner@example.com';
	const TESTING = `HTTP 403 validation_error: You can only send testing emails to your own email address (${OWNER}). To send emails to other recipients, please verify a domain at resend.com/domains, and change the \`from\` address to an email using this domain.`;
	let server: ResendServer;
	beforeAll(async () => (server = await startResendServer(RESEND_TEST_KEY, undefined, { testingMode: { owner: OWNER } })));
	afterAll(async () => server.close());
	beforeEach(() => {
		server.received.length = 0;
		server.delivered.length = 0;
	});
	const auth = (r: HttpRequestSpec) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${RESEND_TEST_KEY}` } });
	const channel = (transport = localTransport(server.url, auth)) => httpChannel(resend, { baseUrl: server.url }, transport);
	/** Items from onboarding@resend.dev, to the given addresses (a campaign of their own, so no idempotency key repeats across tests). */
	let campaign = 0;
	const itemsTo = (...to: string[]): DispatchItem[] => {
		campaign++;
		return renderedItems(to.length).map((item, i) => ({ ...item, campaignId: `testing-${campaign}`, from: { email: 'onboarding@resend.dev', name: 'Acme' }, to: { email: to[i] } }));
	};
	const statuses = () => server.received.map((r) => r.path);

	it('one message per request: a message to someone else fails alone; the later ones to the owner are still sent', async () => {
		const report = await dispatch(itemsTo('a@example.com', OWNER, 'b@example.com', 'Owner@Example.com'), channel(), { mode: 'rendered', batchSize: 1, limits: { concurrency: 1 }, ...fast() });
		expect(report.credentialRejected).toBeUndefined();
		expect(report.outcomes.map((o) => [o.status, o.responseCode, o.attempts])).toEqual([['failed', 403, 1], ['sent', 200, 1], ['failed', 403, 1], ['sent', 200, 1]]);
		expect(report.outcomes[0].error).toBe(`Resend refused the recipient "a@example.com": the account is in testing mode and sends only to its owner's own address (${OWNER}); verify a domain at https://resend.com/domains and send from an address on it. ${TESTING}`);
		expect(report.outcomes[2].error).toMatch(/^Resend refused the recipient "b@example\.com": /);
		expect(server.received).toHaveLength(4);
		expect(server.delivered.map((d) => d.email.to)).toEqual([[OWNER], ['Owner@Example.com']]);
	});

	it('a batch refused whole: its messages to the owner and to a Resend test address are sent again together, the others fail', async () => {
		const report = await dispatch(itemsTo('a@example.com', OWNER, 'b@example.com', 'delivered@resend.dev', 'OWNER@example.com'), channel(), { mode: 'rendered', limits: { concurrency: 1 }, ...fast() });
		expect(report.credentialRejected).toBeUndefined();
		expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([['failed', 1], ['sent', 1], ['failed', 1], ['sent', 1], ['sent', 1]]);
		expect(report.outcomes[1].error).toBeUndefined();
		expect(report.outcomes[0].error).toMatch(/^Resend refused the recipient "a@example\.com": the account is in testing mode/);
		// the batch of 5 (refused), then the 3 it may take in one batch
		expect(statuses()).toEqual(['/emails/batch', '/emails/batch']);
		expect(JSON.parse(server.received[1].body)).toHaveLength(3);
		expect(server.delivered.map((d) => d.email.to)).toEqual([[OWNER], ['delivered@resend.dev'], ['OWNER@example.com']]);
	});

	it('a batch refused in the shorter wording (no owner named): the messages are sent again in halves, down to one', async () => {
		// Older answers said only "You can only send testing emails to your own email address."
		const inner = localTransport(server.url, auth);
		const shorter: Transport = async (request) => {
			const response = await inner(request);
			return response.status === 403 ? { ...response, body: response.body.replace(/ \(owner@example\.com\)\..*"/, '."') } : response;
		};
		const report = await dispatch(itemsTo('a@example.com', OWNER, 'b@example.com'), channel(shorter), { mode: 'rendered', limits: { concurrency: 1 }, ...fast() });
		expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([['failed', 1], ['sent', 1], ['failed', 1]]);
		expect(report.outcomes[0].error).toBe('Resend refused the recipient "a@example.com": the account is in testing mode and sends only to its owner\'s own address; verify a domain at https://resend.com/domains and send from an address on it. HTTP 403 validation_error: You can only send testing emails to your own email address.');
		// [a, OWNER, b] refused → [a, OWNER] refused again → a, OWNER alone; then b alone
		expect(statuses()).toEqual(['/emails/batch', '/emails/batch', '/emails', '/emails', '/emails']);
		expect(server.delivered.map((d) => d.email.to)).toEqual([[OWNER]]);
	});

	it('a batch with no message the account may take fails at once, without another request', async () => {
		const report = await dispatch(itemsTo('a@example.com', 'b@example.com'), channel(), { mode: 'rendered', limits: { concurrency: 1 }, ...fast() });
		expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([['failed', 1], ['failed', 1]]);
		expect(statuses()).toEqual(['/emails/batch']);
	});

	it('a sender on a domain of its own is still refused as unverified (and barred), while onboarding@resend.dev goes on to the owner', async () => {
		const items = itemsTo(OWNER, OWNER, OWNER);
		items[0].from = { email: 'news@shop.example.com' };
		items[1].from = { email: 'news@shop.example.com' };
		const report = await dispatch(items, channel(), { mode: 'rendered', batchSize: 1, limits: { concurrency: 1 }, ...fast() });
		expect(report.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'sent']);
		expect(report.outcomes[0].error).toBe('Resend refused the sender "news@shop.example.com": HTTP 403 validation_error: The shop.example.com domain is not verified. Please, add and verify your domain.');
		expect(report.outcomes[1].error).toMatch(/^not sent: Resend refused the sender "news@shop\.example\.com" earlier in this run/);
	});
});

describe('documented per-message limits fail that message alone, before any request', () => {
	it('SES: a List-Unsubscribe value over 870 characters fails its item (naming it and the field); its SendBulkEmail batch still goes out', async () => {
		const server = await startSesServer();
		try {
			const transport = localTransport(server.url, (r) => ({ ...r, headers: signAwsRequest(r, SES_TEST_CREDENTIALS, 'ses', new Date()) }));
			// List-Unsubscribe is "<" + url + ">": a URL of 868 characters gives exactly 870 (allowed), 869 gives 871.
			const url = (length: number) => `https://shop.example/u/${'a'.repeat(length - 'https://shop.example/u/'.length)}`;
			const items: DispatchItem[] = renderedItems(3).map((item, i) => ({ ...item, subject: undefined, html: undefined, text: undefined, templateId: 'welcome', variables: { n: i } }));
			items[0].unsubscribeUrl = url(868);
			items[1].unsubscribeUrl = url(869);
			const report = await dispatch(items, httpChannel(ses, { baseUrl: server.url, region: 'eu-west-1' }, transport), { mode: 'template', ...fast() });
			expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([['sent', 1], ['failed', 0], ['sent', 1]]);
			expect(report.outcomes[1].error).toBe('Item 1: the List-Unsubscribe header value is 871 characters, more than the 870 Amazon SES allows in a header value (field: unsubscribeUrl)');
			expect(server.received).toHaveLength(1); // one SendBulkEmail call with the two others
			expect(server.delivered.map((d) => d.to)).toEqual(['"User 0" <user0@example.com>', '"User 2" <user2@example.com>']);
			expect(server.delivered[0].headers['List-Unsubscribe']).toHaveLength(870);
		} finally {
			await server.close();
		}
	});

	it('SES: header names (<= 126 printable ASCII, no colon) and values (1-870 printable ASCII once RFC 2047-encoded) are checked per item', async () => {
		// https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MessageHeader.html
		// A non-ASCII value is sent as =?UTF-8?B?<base64>?= (12 characters around the base64):
		// 321 'é' are 642 UTF-8 bytes, 856 base64 characters, 868 in all (allowed);
		// 322 'é' are 644 bytes, 860 base64 characters, 872 in all (refused) though only 322 characters long.
		const server = await startSesServer();
		try {
			const transport = localTransport(server.url, (r) => ({ ...r, headers: signAwsRequest(r, SES_TEST_CREDENTIALS, 'ses', new Date()) }));
			const items: DispatchItem[] = renderedItems(7).map((item) => ({ ...item, subject: undefined, html: undefined, text: undefined, templateId: 'welcome' }));
			items[0].headers = { 'X-Accent': 'é'.repeat(321) };
			items[1].headers = { 'X-Accent': 'é'.repeat(322) };
			items[2].headers = { [`X-${'n'.repeat(124)}`]: 'v' }; // a 126-character name
			items[3].headers = { [`X-${'n'.repeat(125)}`]: 'v' }; // 127 characters
			items[4].headers = { 'X-Bad:Name': 'v' };
			items[5].headers = { 'X-Empty': '' };
			const report = await dispatch(items, httpChannel(ses, { baseUrl: server.url, region: 'eu-west-1' }, transport), { mode: 'template', ...fast() });
			expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([['sent', 1], ['failed', 0], ['sent', 1], ['failed', 0], ['failed', 0], ['failed', 0], ['sent', 1]]);
			expect(report.outcomes[1].error).toMatch(/^Item 1: the X-Accent header value is 872 characters once RFC 2047-encoded, more than the 870 /);
			expect(report.outcomes[3].error).toMatch(/^Item 3: .*header name/);
			expect(report.outcomes[4].error).toMatch(/^Item 4: .*header name "X-Bad:Name"/);
			expect(report.outcomes[5].error).toMatch(/^Item 5: .*empty value for the X-Empty header/);
			// One SendBulkEmail call with the three good items, which the server (enforcing the same documented rules) accepts.
			expect(server.received).toHaveLength(1);
			expect(server.delivered.map((d) => d.to)).toEqual(['"User 0" <user0@example.com>', '"User 2" <user2@example.com>', '"User 6" <user6@example.com>']);
			expect(server.delivered[0].headers['X-Accent']).toHaveLength(868);
		} finally {
			await server.close();
		}
	});

	it('Brevo: template variables over 100 KB fail their item; the other versions share one call', async () => {
		const server = await startBrevoServer();
		try {
			const transport = localTransport(server.url, (r) => ({ ...r, headers: { ...r.headers, 'api-key': BREVO_TEST_KEY } }));
			// {"v":"…"} is 8 characters of JSON around the string: 102,392 x's make exactly 100 KB (102,400 bytes).
			const variables = (bytes: number) => ({ v: 'x'.repeat(bytes - 8) });
			const items: DispatchItem[] = renderedItems(4).map((item) => ({ ...item, subject: undefined, html: undefined, text: undefined, templateId: '12' }));
			items[0].variables = variables(100 * 1024);
			items[1].variables = variables(100 * 1024 + 1);
			items[2].variables = { v: 'small' };
			// The limit is in bytes: 51,197 'é' (2 UTF-8 bytes each) are 51,205 characters of JSON but 102,402 bytes.
			items[3].variables = { v: 'é'.repeat(51_197) };
			const report = await dispatch(items, httpChannel(brevo, { baseUrl: server.url }, transport), { mode: 'template', ...fast() });
			expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([['sent', 1], ['failed', 0], ['sent', 1], ['failed', 0]]);
			expect(report.outcomes[1].error).toBe('Item 1: the template variables (Brevo params) are 102,401 bytes as JSON, more than the 100 KB (102,400 bytes) Brevo allows per message version (field: variables)');
			expect(report.outcomes[3].error).toMatch(/^Item 3: the template variables \(Brevo params\) are 102,402 bytes as JSON/);
			expect(server.received).toHaveLength(1);
			expect(server.delivered.map((d) => d.to)).toEqual(['user0@example.com', 'user2@example.com']);
		} finally {
			await server.close();
		}
	});
});

describe('when sending stops on an unexpected error, every message says what became of it', () => {
	let server: ProviderServer;
	const transport = nodeHttpTransport({ headers: { 'X-Postmark-Server-Token': POSTMARK_TOKEN }, timeoutMs: 2000 });
	beforeAll(async () => (server = await postmarkServer({ retryAfterSeconds: 0.01 }).start()));
	afterAll(async () => {
		transport.close();
		await server.stop();
	});
	beforeEach(() => server.reset());

	it('planning fails in the third window: answered messages keep their status, a lost answer stays unknown, the rest were not sent', async () => {
		const inner = httpChannel(postmark, { baseUrl: server.url }, transport);
		const channel: Channel = { ...inner, plan: (messages, mode) => {
			if (messages.some((m) => m.index >= 16)) throw new Error('cannot plan');
			return inner.plan(messages, mode);
		} };
		// Request 3 (item 2) is accepted and its answer lost; request 5 (item 4) is answered 503 and retried.
		server.inject('none', 'none', 'dropAfterAccept', 'none', '503');
		const ledger = new MemoryLedger();
		const items = renderedItems(20);
		const error = await dispatch(items, channel, { mode: 'rendered', batchSize: 1, limits: { concurrency: 1 }, ledger, ...fast() }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(DispatchStoppedError);
		const report = (error as DispatchStoppedError).report;
		expect((error as Error).message).toBe('cannot plan');
		const statuses = report.outcomes.map((o) => o.status);
		expect(statuses.slice(0, 16)).toEqual(Array.from({ length: 16 }, (_, i) => (i === 2 ? 'unknown' : 'sent')));
		expect(statuses.slice(16)).toEqual(['failed', 'failed', 'failed', 'failed']);
		expect(report.outcomes[4].attempts).toBe(2);
		for (const o of report.outcomes.slice(16)) {
			expect(o).toMatchObject({ attempts: 0, error: 'not sent: sending through Postmark stopped (cannot plan) before this message was sent' });
		}
		// The server's own record: items 0–15 accepted (item 2 too, though its answer was lost), 16–19 never seen.
		expect(server.accepted.map((a) => a.recipient)).toEqual(items.slice(0, 16).map((i) => i.to.email));
		for (const o of report.outcomes) expect(ledger.has(o.idempotencyKey, Date.now())).toBe(o.status !== 'failed');
	});

	it('planning the retry fails: messages answered 503 say they were not sent again, with that answer', async () => {
		const inner = httpChannel(postmark, { baseUrl: server.url }, transport);
		let plans = 0;
		const channel: Channel = { ...inner, plan: (messages, mode) => {
			if (++plans > 1) throw new Error('cannot plan');
			return inner.plan(messages, mode);
		} };
		server.inject('503');
		const error = await dispatch(renderedItems(2), channel, { mode: 'rendered', ...fast() }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(DispatchStoppedError);
		for (const o of (error as DispatchStoppedError).report.outcomes) {
			expect(o).toMatchObject({ status: 'failed', attempts: 1, responseCode: 503 });
			expect(o.error).toMatch(/^not sent again: sending through Postmark stopped \(cannot plan\) before this message was retried; its last answer: .*503/);
		}
		expect(server.accepted).toHaveLength(0);
	});

	it('planning a retry fails after an earlier answer was lost (provider with an idempotency key): that message stays unknown, not "not sent again"', async () => {
		// Resend takes an Idempotency-Key: a request whose answer was lost after it was sent is sent
		// again as is; here that retry is answered 503, and planning the next retry fails. The
		// provider may have accepted the first attempt, so the message must not be reported as not sent.
		const resendServer = await startResendServer();
		try {
			const transport = localTransport(resendServer.url, (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${RESEND_TEST_KEY}` } }));
			const inner = httpChannel(resend, { baseUrl: resendServer.url }, transport);
			let firstPlanned = 0;
			const channel: Channel = { ...inner, plan: (messages, mode) => {
				// Planning item 0 a second time is planning its retry after the 503.
				if (messages.some((m) => m.index === 0) && ++firstPlanned > 1) throw new Error('cannot plan');
				return inner.plan(messages, mode);
			} };
			resendServer.faults.push({ dropAfterAccept: true }, { status: 503 });
			const items = renderedItems(2);
			const error = await dispatch(items, channel, { mode: 'rendered', batchSize: 1, limits: { concurrency: 1 }, ledger: new MemoryLedger(), ...fast() }).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(DispatchStoppedError);
			const outcomes = (error as DispatchStoppedError).report.outcomes;
			expect(outcomes.map((o) => [o.status, o.attempts])).toEqual([['unknown', 2], ['failed', 0]]);
			expect(outcomes[0].error).toMatch(/^sending through Resend stopped \(cannot plan\) after a request carrying this message was sent and before its answer was known; Resend may have accepted it\./);
			expect(outcomes[1].error).toBe('not sent: sending through Resend stopped (cannot plan) before this message was sent');
			// The server did take item 0 on the first request: only its answer was lost.
			expect(resendServer.faultLog).toEqual([{ dropAfterAccept: true }, { status: 503 }]);
			expect(resendServer.delivered.map((d) => d.email.to)).toEqual([['User 0 <user0@example.com>']]);
		} finally {
			await resendServer.close();
		}
	});

	it('an error while an answer is being processed: the messages of that request not yet processed are unknown (the server took them)', async () => {
		const inner = new MemoryLedger();
		let adds = 0;
		// Storage that fails on its second write: the first message of the answer is recorded, then processing stops.
		const ledger = { has: inner.has.bind(inner), delete: inner.delete.bind(inner), add: (key: string, at: number) => {
			if (++adds === 2) throw new Error('ledger storage failed');
			inner.add(key, at);
		} };
		const items = renderedItems(3);
		const error = await dispatch(items, httpChannel(postmark, { baseUrl: server.url }, transport), { mode: 'rendered', ledger, ...fast() }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(DispatchStoppedError);
		const report = (error as DispatchStoppedError).report;
		expect(report.outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'unknown']);
		expect(report.outcomes[2].error).toMatch(/^sending through Postmark stopped \(ledger storage failed\) after a request carrying this message was sent and before its answer was known; Postmark may have accepted it\./);
		expect(server.accepted.map((a) => a.recipient)).toEqual(items.map((i) => i.to.email));
	});
});
