/**
 * Mailchimp Transactional (Mandrill) provider against the documented requests and answers,
 * then end to end against the local Mandrill-compatible server (per-recipient rejected status).
 * Docs: https://mailchimp.com/developer/transactional/api/messages/send-new-message/,
 * https://mailchimp.com/developer/transactional/api/messages/send-using-message-template/
 */
import { mandrill } from '../../../nodes/engines/dispatch/providers/mandrill';
import { localTransport } from '../../dispatch/servers/provider-server';
import { startMandrillServer, withMandrillKey, type MandrillServer } from '../../dispatch/servers/mandrill';
import { many, msg } from './provider-fixtures';

// Same unsubscribe header for all, so messages can share a call (headers cannot differ per recipient).
const shared = (i: number) => ({ headers: { 'List-Unsubscribe': '<https://shop.example/u>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }, index: i });

describe('Mandrill provider: plan', () => {
	it('one call for many recipients with preserve_recipients false, merge tags for differing content, recipient_metadata', () => {
		const plans = mandrill.plan(many(3, shared), 'rendered', {});
		expect(plans).toHaveLength(1);
		expect(plans[0].request.url).toBe('https://mandrillapp.com/api/1.0/messages/send');
		const body = JSON.parse(plans[0].request.body);
		expect(body.key).toBeUndefined();
		expect(body.message).toMatchObject({
			from_email: 'news@shop.example',
			from_name: 'Shop News',
			preserve_recipients: false,
			subject: '*|PZ_SUBJECT|*',
			html: '*|PZ_HTML|*',
			merge: true,
			merge_language: 'mailchimp',
			metadata: { pz_campaign_id: 'spring', pz_variant: 'B' },
			tags: ['spring-sale'],
		});
		expect(body.message.to[1]).toEqual({ email: 'user1@example.com', name: 'User 1', type: 'to' });
		expect(body.message.merge_vars[1]).toEqual({
			rcpt: 'user1@example.com',
			vars: [
				{ name: 'PZ_SUBJECT', content: 'Hello User 1' },
				{ name: 'PZ_HTML', content: '<p>Hi User 1</p>' },
				{ name: 'PZ_TEXT', content: 'Hi User 1' },
			],
		});
		expect(body.message.recipient_metadata[2]).toEqual({ rcpt: 'user2@example.com', values: { pz_message_id: 'm-2' } });
	});

	it('passes the subaccount option into the message and ignores options meant for other providers', () => {
		const [plan] = mandrill.plan([msg(0, { options: { subaccount: 'eu-shop', messageStream: 'broadcast', sandboxMode: true } })], 'rendered', {});
		const body = JSON.parse(plan.request.body);
		expect(body.message.subaccount).toBe('eu-shop');
		expect(body.message.messageStream).toBeUndefined();
		expect(body.message.sandboxMode).toBeUndefined();
	});

	it('identical content stays literal; different headers split the call', () => {
		const same = many(2, (i) => ({ ...shared(i), subject: 'Same', html: '<p>Same</p>', text: 'Same' }));
		const body = JSON.parse(mandrill.plan(same, 'rendered', {})[0].request.body);
		expect(body.message.subject).toBe('Same');
		expect(body.message.merge_vars).toBeUndefined();
		expect(mandrill.plan(many(3), 'rendered', {})).toHaveLength(3); // per-recipient List-Unsubscribe
	});

	it('template mode: send-template with template_content [], shared variables as global_merge_vars', () => {
		const messages = many(2, (i) => ({ ...shared(i), html: undefined, text: undefined, subject: undefined, templateId: 'welcome', variables: { fname: `N${i}`, shop: 'Shop' } }));
		const [plan] = mandrill.plan(messages, 'template', {});
		expect(plan.request.url).toBe('https://mandrillapp.com/api/1.0/messages/send-template');
		const body = JSON.parse(plan.request.body);
		expect(body.template_name).toBe('welcome');
		expect(body.template_content).toEqual([]);
		expect(body.message.global_merge_vars).toEqual([{ name: 'shop', content: 'Shop' }]);
		expect(body.message.merge_vars).toEqual([
			{ rcpt: 'user0@example.com', vars: [{ name: 'fname', content: 'N0' }] },
			{ rcpt: 'user1@example.com', vars: [{ name: 'fname', content: 'N1' }] },
		]);
	});
});

describe('Mandrill provider: parse', () => {
	const [plan] = mandrill.plan(many(4, shared), 'rendered', {});

	it('maps the documented per-recipient statuses, including rejected and invalid', () => {
		// Shape of the documented 200 answer: [{email, status, reject_reason, _id}, ...]
		const body = JSON.stringify([
			{ email: 'user0@example.com', status: 'sent', reject_reason: null, _id: 'abc123abc123abc123abc123abc123ab' },
			{ email: 'USER1@example.com', status: 'queued', queued_reason: 'attachments', _id: 'q1' },
			{ email: 'user2@example.com', status: 'rejected', reject_reason: 'hard-bounce', _id: 'r2' },
			{ email: 'user3@example.com', status: 'invalid', _id: 'i3' },
		]);
		const results = mandrill.parse(plan, { status: 200, headers: {}, body });
		expect(results).toEqual([
			{ index: 0, status: 'sent', responseCode: 200, providerMessageId: 'abc123abc123abc123abc123abc123ab' },
			{ index: 1, status: 'queued', responseCode: 200, providerMessageId: 'q1', error: 'queued: attachments' },
			{ index: 2, status: 'suppressed', responseCode: 200, providerMessageId: 'r2', error: 'Mandrill rejected this recipient: hard-bounce', retryable: false },
			{ index: 3, status: 'failed', responseCode: 200, providerMessageId: 'i3', error: 'Mandrill reports the recipient address as invalid', retryable: false },
		]);
	});

	it('documented error bodies: Invalid_Key and ValidationError are final, GeneralError and 429 retryable', () => {
		const key = mandrill.parse(plan, { status: 500, headers: {}, body: '{"status":"error","code":-1,"name":"Invalid_Key","message":"Invalid API key"}' });
		expect(key[0]).toMatchObject({ status: 'failed', retryable: false, responseCode: 401, error: 'HTTP 500 Invalid_Key: Invalid API key' });
		const invalid = mandrill.parse(plan, { status: 500, headers: {}, body: '{"status":"error","code":-2,"name":"ValidationError","message":"bad"}' });
		expect(invalid[0].retryable).toBe(false);
		const general = mandrill.parse(plan, { status: 500, headers: {}, body: '{"status":"error","code":-1,"name":"GeneralError","message":"oops"}' });
		expect(general[0].retryable).toBe(true);
		const limited = mandrill.parse(plan, { status: 429, headers: { 'retry-after': '4' }, body: 'Too Many Requests' });
		expect(limited[3]).toMatchObject({ retryable: true, retryAfterSeconds: 4 });
	});
});

describe('Mandrill provider: end to end against the local Mandrill server', () => {
	let server: MandrillServer;
	beforeAll(async () => (server = await startMandrillServer()));
	afterAll(async () => server.close());
	beforeEach(() => {
		server.delivered.length = 0;
		server.received.length = 0;
		server.rejects.clear();
	});
	const transport = (key?: string) => localTransport(server.url, (r) => ({ ...r, body: withMandrillKey(r.body, key) }));

	it('one call, each recipient its own content; a recipient on the rejection list comes back suppressed', async () => {
		server.rejects.set('user1@example.com', 'unsub');
		const [plan] = mandrill.plan(many(3, shared), 'rendered', {});
		const results = mandrill.parse(plan, await transport()(plan.request));
		expect(server.received).toHaveLength(1);
		expect(results.map((r) => r.status)).toEqual(['sent', 'suppressed', 'sent']);
		expect(server.delivered.map((d) => [d.email, d.subject, d.html, d.metadata.pz_message_id])).toEqual([
			['user0@example.com', 'Hello User 0', '<p>Hi User 0</p>', 'm-0'],
			['user2@example.com', 'Hello User 2', '<p>Hi User 2</p>', 'm-2'],
		]);
		expect(results[2].providerMessageId).toBe(server.delivered[1].id);
	});

	it('template mode: per-recipient merge vars reach each recipient', async () => {
		const messages = many(2, (i) => ({ ...shared(i), html: undefined, text: undefined, subject: undefined, templateId: 'welcome', variables: { fname: `N${i}`, shop: 'Shop' } }));
		const [plan] = mandrill.plan(messages, 'template', {});
		const results = mandrill.parse(plan, await transport()(plan.request));
		expect(results.map((r) => r.status)).toEqual(['sent', 'sent']);
		expect(server.delivered.map((d) => [d.template, d.vars])).toEqual([
			['welcome', { shop: 'Shop', fname: 'N0' }],
			['welcome', { shop: 'Shop', fname: 'N1' }],
		]);
	});

	it('a wrong key is refused with Invalid_Key; injected 429 and 500 are retryable', async () => {
		const [plan] = mandrill.plan([msg(0)], 'rendered', {});
		expect(mandrill.parse(plan, await transport('wrong')(plan.request))[0]).toMatchObject({ retryable: false, error: 'HTTP 500 Invalid_Key: Invalid API key' });
		server.faults.push({ status: 429, retryAfter: 2 }, { status: 500 });
		expect(mandrill.parse(plan, await transport()(plan.request))[0]).toMatchObject({ retryable: true, retryAfterSeconds: 2 });
		expect(mandrill.parse(plan, await transport()(plan.request))[0]).toMatchObject({ retryable: true, responseCode: 500 });
		expect(mandrill.parse(plan, await transport()(plan.request))[0]).toMatchObject({ status: 'sent' });
	});

	it('the server enforces a body for /messages/send (ValidationError, not retryable)', async () => {
		const [plan] = mandrill.plan([msg(0, { html: undefined, text: undefined })], 'rendered', {});
		expect(mandrill.parse(plan, await transport()(plan.request))[0]).toMatchObject({ status: 'failed', retryable: false });
		expect(server.delivered).toHaveLength(0);
	});
});
