/**
 * Resend provider: plan/parse against Resend's documented requests and answers, then end to
 * end against the local Resend-compatible server.
 * Docs: https://resend.com/docs/api-reference/emails/send-email,
 * https://resend.com/docs/api-reference/emails/send-batch-emails,
 * https://resend.com/changelog/batch-validation-modes, https://resend.com/docs/api-reference/errors
 */
import { resend } from '../../../nodes/engines/dispatch/providers/resend';
import { localTransport } from '../../dispatch/servers/provider-server';
import { RESEND_TEST_KEY, startResendServer, type ResendServer } from '../../dispatch/servers/resend';
import { many, msg } from './provider-fixtures';

describe('Resend provider: plan', () => {
	it('one message goes to /emails with its own idempotency key', () => {
		const [plan] = resend.plan([msg(0)], 'rendered', {});
		expect(plan.request.url).toBe('https://api.resend.com/emails');
		expect(plan.request.headers['idempotency-key']).toBeUndefined(); // the engine's transport sends it
		expect(plan.request.idempotencyKey).toBe('key-0');
		expect(JSON.parse(plan.request.body)).toEqual({
			from: 'Shop News <news@shop.example>',
			to: ['User 0 <user0@example.com>'],
			subject: 'Hello User 0',
			html: '<p>Hi User 0</p>',
			text: 'Hi User 0',
			headers: {
				'List-Unsubscribe': '<https://shop.example/u/0>, <mailto:unsub@shop.example?subject=u0>',
				'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
			},
			tags: [
				{ name: 'pz_message_id', value: 'm-0' },
				{ name: 'pz_campaign_id', value: 'spring' },
				{ name: 'pz_variant', value: 'B' },
				{ name: 'spring-sale', value: 'true' },
			],
		});
	});

	it('250 messages become batches of 100, 100 and 50 in permissive mode with a stable batch key', () => {
		const plans = resend.plan(many(250), 'rendered', {});
		expect(plans.map((p) => p.messages.length)).toEqual([100, 100, 50]);
		expect(plans[0].request.url).toBe('https://api.resend.com/emails/batch');
		expect(plans[0].request.headers['x-batch-validation']).toBe('permissive');
		expect(JSON.parse(plans[0].request.body)).toHaveLength(100);
		const again = resend.plan(many(250), 'rendered', {});
		expect(again[1].request.idempotencyKey).toBe(plans[1].request.idempotencyKey);
		expect(plans[1].request.idempotencyKey).not.toBe(plans[0].request.idempotencyKey);
		expect(plans[0].request.idempotencyKey!.length).toBeLessThanOrEqual(256);
	});

	it('template mode sends template id and variables without html or text; tag values are written tag-safe', () => {
		const [plan] = resend.plan(
			[msg(0, { html: undefined, text: undefined, templateId: 'tpl_123', variables: { name: 'Ann' }, metadata: { pz_campaign_id: 'spring sale/2025' } })],
			'template',
			{},
		);
		const body = JSON.parse(plan.request.body);
		expect(body.template).toEqual({ id: 'tpl_123', variables: { name: 'Ann' } });
		expect(body.html).toBeUndefined();
		// `b64-` + base64url('spring sale/2025') (Python's base64.urlsafe_b64encode, padding stripped),
		// which the Resend source decodes; it was `spring_sale_2025`
		expect(body.tags[0]).toEqual({ name: 'pz_campaign_id', value: 'b64-c3ByaW5nIHNhbGUvMjAyNQ' });
	});
});

describe('Resend provider: parse', () => {
	const batch = resend.plan(many(3), 'rendered', {})[0];

	it('documented batch answer: one id per email, in order', () => {
		const results = resend.parse(batch, {
			status: 200,
			headers: {},
			body: '{"data":[{"id":"ae2014de-c168-4c61-8267-70d2662a1ce1"},{"id":"faccb7a5-8a28-4e9a-ac64-8da1cc3bc1cb"},{"id":"c11a2b12-c014-41df-9386-2b9b8240cbd5"}]}',
		});
		expect(results.map((r) => [r.index, r.status, r.providerMessageId])).toEqual([
			[0, 'sent', 'ae2014de-c168-4c61-8267-70d2662a1ce1'],
			[1, 'sent', 'faccb7a5-8a28-4e9a-ac64-8da1cc3bc1cb'],
			[2, 'sent', 'c11a2b12-c014-41df-9386-2b9b8240cbd5'],
		]);
	});

	it('permissive answer with a validation error fails that email only and keeps the ids in step', () => {
		const results = resend.parse(batch, {
			status: 200,
			headers: {},
			body: '{"data":[{"id":"id-a"},{"id":"id-c"}],"errors":[{"index":1,"message":"The `to` field must be a `string`."}]}',
		});
		expect(results[0]).toMatchObject({ status: 'sent', providerMessageId: 'id-a' });
		expect(results[1]).toMatchObject({ status: 'failed', retryable: false, error: 'Resend rejected this email: The `to` field must be a `string`.' });
		expect(results[2]).toMatchObject({ status: 'sent', providerMessageId: 'id-c' });
	});

	it('error names decide retries: rate limit yes, daily quota and validation no', () => {
		const limited = resend.parse(batch, { status: 429, headers: { 'retry-after': '1' }, body: '{"statusCode":429,"name":"rate_limit_exceeded","message":"Too many requests"}' });
		expect(limited[0]).toMatchObject({ status: 'failed', retryable: true, retryAfterSeconds: 1, error: 'HTTP 429 rate_limit_exceeded: Too many requests' });
		const quota = resend.parse(batch, { status: 429, headers: {}, body: '{"statusCode":429,"name":"daily_quota_exceeded","message":"You have reached your daily email sending quota."}' });
		expect(quota[0].retryable).toBe(false);
		const invalid = resend.parse(batch, { status: 422, headers: {}, body: '{"statusCode":422,"name":"validation_error","message":"bad"}' });
		expect(invalid[0].retryable).toBe(false);
		const key = resend.parse(batch, { status: 403, headers: {}, body: '{"statusCode":403,"name":"invalid_api_key","message":"API key is invalid"}' });
		expect(key[2]).toMatchObject({ retryable: false, error: 'HTTP 403 invalid_api_key: API key is invalid' });
		const down = resend.parse(batch, { status: 500, headers: {}, body: '{"statusCode":500,"name":"application_error","message":"An unexpected error occurred."}' });
		expect(down[0].retryable).toBe(true);
		// 409: the same key still in flight may be retried; the same key with another body may not.
		const inFlight = resend.parse(batch, { status: 409, headers: {}, body: '{"statusCode":409,"name":"concurrent_idempotent_requests","message":"Same idempotency key used while original request is still in progress."}' });
		expect(inFlight[0].retryable).toBe(true);
		const reused = resend.parse(batch, { status: 409, headers: {}, body: '{"statusCode":409,"name":"invalid_idempotent_request","message":"Same idempotency key used with a different request payload."}' });
		expect(reused[0].retryable).toBe(false);
	});
});

describe('Resend provider: the two 403 validation_error answers', () => {
	// Resend's documented bodies (https://resend.com/docs/api-reference/errors); the domain one as
	// the API sends it (with " on https://resend.com/domains", e.g. resend/resend-node#455).
	const TESTING = 'You can only send testing emails to your own email address (owner@example.com). To send emails to other recipients, please verify a domain at resend.com/domains, and change the `from` address to an email using this domain.';
	const answer = (message: string) => ({ status: 403, headers: {}, body: JSON.stringify({ statusCode: 403, name: 'validation_error', message }) });
	const fromResend = (i: number, to: string, extra: Partial<ReturnType<typeof msg>> = {}) => msg(i, { from: { email: 'onboarding@resend.dev', name: 'Acme' }, to: { email: to }, ...extra });

	it('testing mode, one email: a refusal of that recipient (not the sender), not retryable, saying to verify a domain', () => {
		const [plan] = resend.plan([fromResend(0, 'someone@example.com')], 'rendered', {});
		const [result] = resend.parse(plan, answer(TESTING));
		expect(result).toEqual({
			index: 0,
			status: 'failed',
			responseCode: 403,
			refused: 'recipient',
			retryable: false,
			error: `Resend refused the recipient "someone@example.com": the account is in testing mode and sends only to its owner's own address (owner@example.com); verify a domain at https://resend.com/domains and send from an address on it. HTTP 403 validation_error: ${TESTING}`,
		});
	});

	it('an unverified domain, as the API words it, is still a refusal of the sender', () => {
		const [plan] = resend.plan([msg(0, { from: { email: 'hi@unverified.example' } })], 'rendered', {});
		const [result] = resend.parse(plan, answer('The unverified.example domain is not verified. Please, add and verify your domain on https://resend.com/domains'));
		expect(result).toMatchObject({ status: 'failed', responseCode: 403, refused: 'sender', retryable: false });
		expect(result.error).toMatch(/^Resend refused the sender "hi@unverified\.example": /);
	});

	it('testing mode, a batch refused whole: the messages to the owner or to a test address are sent again, the others are refused', () => {
		const [plan] = resend.plan(
			[
				fromResend(0, 'someone@example.com'),
				fromResend(1, 'Owner@Example.com'),
				fromResend(2, 'delivered+t1@resend.dev'),
				fromResend(3, 'owner@example.com', { options: { cc: ['Other <other@example.com>'] } }),
				fromResend(4, 'owner@example.com', { options: { bcc: 'owner@example.com' } }),
			],
			'rendered',
			{},
		);
		expect(plan.request.url).toBe('https://api.resend.com/emails/batch');
		const results = resend.parse(plan, answer(TESTING));
		expect(results.map((r) => [r.index, r.status, r.refused, r.sendAgain, r.retryable])).toEqual([
			[0, 'failed', 'recipient', undefined, false],
			[1, 'failed', undefined, true, false],
			[2, 'failed', undefined, true, false],
			[3, 'failed', 'recipient', undefined, false],
			[4, 'failed', undefined, true, false],
		]);
		expect(results[3].error).toMatch(/^Resend refused the recipient "owner@example\.com" \(or its cc\/bcc\): the account is in testing mode/);
	});

	it('testing mode without the owner named (the shorter wording): every message of the batch is sent again', () => {
		const [plan] = resend.plan([fromResend(0, 'a@example.com'), fromResend(1, 'b@example.com')], 'rendered', {});
		const results = resend.parse(plan, answer('You can only send testing emails to your own email address.'));
		expect(results.map((r) => [r.refused, r.sendAgain])).toEqual([[undefined, true], [undefined, true]]);
	});
});

describe('Resend provider: end to end against the local Resend server', () => {
	let server: ResendServer;
	beforeAll(async () => (server = await startResendServer()));
	afterAll(async () => server.close());
	beforeEach(() => {
		server.delivered.length = 0;
		server.received.length = 0;
	});
	const transport = (key = RESEND_TEST_KEY) =>
		localTransport(server.url, (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${key}` } }));

	it('sends 250 messages in 3 requests; every recipient gets its own email and id', async () => {
		const plans = resend.plan(many(250), 'rendered', {});
		const results = (await Promise.all(plans.map(async (p) => resend.parse(p, await transport()(p.request))))).flat();
		expect(server.received).toHaveLength(3);
		expect(results.filter((r) => r.status === 'sent')).toHaveLength(250);
		const ids = new Map(server.delivered.map((d) => [(d.email.to as string[])[0], d.id]));
		expect(results.find((r) => r.index === 17)?.providerMessageId).toBe(ids.get('User 17 <user17@example.com>'));
	});

	it('a batch with one invalid address: the others are sent, that one fails (permissive validation)', async () => {
		const messages = many(4, (i) => (i === 2 ? { to: { email: 'not-an-address' } } : {}));
		const [plan] = resend.plan(messages, 'rendered', {});
		const results = resend.parse(plan, await transport()(plan.request));
		expect(results.map((r) => r.status)).toEqual(['sent', 'sent', 'failed', 'sent']);
		expect(server.delivered).toHaveLength(3);
		expect(new Set(results.filter((r) => r.providerMessageId).map((r) => r.providerMessageId))).toEqual(new Set(server.delivered.map((d) => d.id)));
	});

	it('retrying a batch whose answer was lost sends nothing twice (Idempotency-Key replay)', async () => {
		const [plan] = resend.plan(many(5), 'rendered', {});
		const first = resend.parse(plan, await transport()(plan.request));
		const again = resend.parse(plan, await transport()(plan.request));
		expect(server.delivered).toHaveLength(5);
		expect(again).toEqual(first);
	});

	it('401 without a key, 403 with a wrong key, 429 and 500 as documented', async () => {
		const [plan] = resend.plan([msg(0)], 'rendered', {});
		const noKey = resend.parse(plan, await localTransport(server.url)(plan.request));
		expect(noKey[0]).toMatchObject({ responseCode: 401, retryable: false });
		const wrong = resend.parse(plan, await transport('re_wrong')(plan.request));
		expect(wrong[0]).toMatchObject({ responseCode: 403, retryable: false, error: 'HTTP 403 invalid_api_key: API key is invalid' });
		server.faults.push({ status: 429, retryAfter: 1 }, { status: 500 });
		expect(resend.parse(plan, await transport()(plan.request))[0]).toMatchObject({ retryable: true, retryAfterSeconds: 1 });
		expect(resend.parse(plan, await transport()(plan.request))[0]).toMatchObject({ retryable: true, responseCode: 500 });
		expect(resend.parse(plan, await transport()(plan.request))[0]).toMatchObject({ status: 'sent' });
		expect(server.delivered).toHaveLength(1);
	});

	it('template mode is accepted by the server with template id and variables', async () => {
		const messages = many(2, (i) => ({ html: undefined, text: undefined, templateId: 'tpl_1', variables: { n: i } }));
		const [plan] = resend.plan(messages, 'template', {});
		const results = resend.parse(plan, await transport()(plan.request));
		expect(results.map((r) => r.status)).toEqual(['sent', 'sent']);
		expect(server.delivered.map((d) => d.email.template)).toEqual([{ id: 'tpl_1', variables: { n: 0 } }, { id: 'tpl_1', variables: { n: 1 } }]);
	});
});
