/**
 * Brevo provider against the documented transactional API, then end to end against the local
 * Brevo-compatible server.
 * Docs: https://developers.brevo.com/reference/sendtransacemail,
 * https://developers.brevo.com/docs/batch-send-transactional-emails,
 * https://developers.brevo.com/docs/heterogenous-versions-batch-emails
 */
import { brevo } from '../../../nodes/engines/dispatch/providers/brevo';
import { localTransport } from '../../dispatch/servers/provider-server';
import { BREVO_TEST_KEY, startBrevoServer, type BrevoServer } from '../../dispatch/servers/brevo';
import { many, msg } from './provider-fixtures';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const sameHeaders = () => ({ headers: { 'List-Unsubscribe': '<https://shop.example/u>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } });

describe('Brevo provider: plan', () => {
	it('one message: to, sender, content, headers with X-Mailin-custom (all pz keys) and a UUID idempotency key', () => {
		const [plan] = brevo.plan([msg(0)], 'rendered', {});
		expect(plan.request.url).toBe('https://api.brevo.com/v3/smtp/email');
		const body = JSON.parse(plan.request.body);
		expect(body).toMatchObject({
			sender: { email: 'news@shop.example', name: 'Shop News' },
			to: [{ email: 'user0@example.com', name: 'User 0' }],
			subject: 'Hello User 0',
			htmlContent: '<p>Hi User 0</p>',
			textContent: 'Hi User 0',
			tags: ['spring-sale'],
		});
		expect(JSON.parse(body.headers['X-Mailin-custom'])).toEqual({ pz_message_id: 'm-0', pz_campaign_id: 'spring', pz_variant: 'B' });
		expect(body.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
		expect(body.headers.idempotencyKey).toMatch(UUID);
		expect(plan.request.idempotencyKey).toBeUndefined(); // Brevo takes the key in the body, not as an HTTP header
	});

	it('2,500 messages: messageVersions of 1,000, 1,000 and 500, each version with its own content and headers', () => {
		const plans = brevo.plan(many(2500), 'rendered', {});
		expect(plans.map((p) => p.messages.length)).toEqual([1000, 1000, 500]);
		const body = JSON.parse(plans[0].request.body);
		expect(body.to).toBeUndefined();
		expect(body.subject).toBe('Hello User 0');
		// Shared header on the call; per-recipient ones (unsubscribe URL, attribution) per version.
		expect(body.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
		expect(body.headers['X-Mailin-custom']).toBeUndefined();
		expect(body.messageVersions[0]).toEqual({
			to: [{ email: 'user0@example.com', name: 'User 0' }],
			headers: {
				'List-Unsubscribe': '<https://shop.example/u/0>, <mailto:unsub@shop.example?subject=u0>',
				'X-Mailin-custom': '{"pz_message_id":"m-0","pz_campaign_id":"spring","pz_variant":"B"}',
			},
		});
		expect(body.messageVersions[5]).toMatchObject({
			subject: 'Hello User 5',
			htmlContent: '<p>Hi User 5</p>',
			textContent: 'Hi User 5',
		});
		expect(body.headers.idempotencyKey).not.toBe(JSON.parse(plans[1].request.body).headers.idempotencyKey);
	});

	it('a different sender or tags split the call; headers and campaigns do not', () => {
		const messages = many(4, (i) => ({ tags: i < 2 ? ['a'] : ['b'], metadata: { pz_message_id: `m${i}`, pz_campaign_id: `c${i}` } }));
		expect(brevo.plan(messages, 'rendered', {}).map((p) => p.messages.length)).toEqual([2, 2]);
	});

	it('template mode: numeric templateId and params per version, within the 1,000 KB params limit', () => {
		const big = 'x'.repeat(60 * 1024);
		const messages = many(40, (i) => ({ ...sameHeaders(), html: undefined, text: undefined, subject: undefined, templateId: '12', variables: { name: `N${i}`, blob: big } }));
		const plans = brevo.plan(messages, 'template', {});
		expect(plans.map((p) => p.messages.length)).toEqual([16, 16, 8]); // 16 × ~60 KB ≤ 1,000 KB
		const body = JSON.parse(plans[0].request.body);
		expect(body.templateId).toBe(12);
		expect(body.messageVersions[1].params.name).toBe('N1');
	});
});

describe('Brevo provider: parse', () => {
	const [plan] = brevo.plan(many(2, sameHeaders), 'rendered', {});

	it('201 with messageIds maps ids to versions in order', () => {
		const results = brevo.parse(plan, { status: 201, headers: {}, body: '{"messageIds":["<201798300811.5787683@relay.domain.com>","<201798300811.5787684@relay.domain.com>"]}' });
		expect(results).toEqual([
			{ index: 0, status: 'sent', responseCode: 201, providerMessageId: '<201798300811.5787683@relay.domain.com>' },
			{ index: 1, status: 'sent', responseCode: 201, providerMessageId: '<201798300811.5787684@relay.domain.com>' },
		]);
	});

	it('400 is final; 401 names the key problem; 429 waits for x-sib-ratelimit-reset; 5xx retryable', () => {
		// Alone, a message refused for its address fails for good.
		const [one] = brevo.plan([msg(0)], 'rendered', {});
		expect(brevo.parse(one, { status: 400, headers: {}, body: '{"code":"invalid_parameter","message":"email is not valid in to"}' })).toEqual([
			{ index: 0, status: 'failed', responseCode: 400, retryable: false, error: 'HTTP 400 invalid_parameter: email is not valid in to' },
		]);
		// In a call of several, the answer does not say which version: each is sent again alone
		// (batch-refused-whole.test.ts), none is retried as such.
		expect(brevo.parse(plan, { status: 400, headers: {}, body: '{"code":"invalid_parameter","message":"email is not valid in to"}' })[0]).toMatchObject({
			status: 'failed',
			retryable: false,
			sendAgain: true,
		});
		expect(brevo.parse(plan, { status: 401, headers: {}, body: '{"code":"unauthorized","message":"Key not found"}' })[0]).toMatchObject({ retryable: false, error: 'HTTP 401 unauthorized: Key not found' });
		expect(brevo.parse(plan, { status: 429, headers: { 'x-sib-ratelimit-reset': '12' }, body: '{"code":"too_many_requests","message":"slow down"}' })[1]).toMatchObject({ retryable: true, retryAfterSeconds: 12 });
		expect(brevo.parse(plan, { status: 502, headers: {}, body: '' })[0].retryable).toBe(true);
	});
});

describe('Brevo provider: end to end against the local Brevo server', () => {
	let server: BrevoServer;
	beforeAll(async () => (server = await startBrevoServer()));
	afterAll(async () => server.close());
	beforeEach(() => {
		server.delivered.length = 0;
		server.received.length = 0;
	});
	const transport = (key = BREVO_TEST_KEY) => localTransport(server.url, (r) => ({ ...r, headers: { ...r.headers, 'api-key': key } }));

	it('1,200 messages in 2 calls; each recipient its own content, headers and attribution, ids match', async () => {
		const plans = brevo.plan(many(1200), 'rendered', {});
		const results = (await Promise.all(plans.map(async (p) => brevo.parse(p, await transport()(p.request))))).flat();
		expect(server.received).toHaveLength(2);
		expect(results.every((r) => r.status === 'sent')).toBe(true);
		const d = server.delivered.find((x) => x.to === 'user900@example.com');
		expect(d).toMatchObject({ subject: 'Hello User 900', html: '<p>Hi User 900</p>', text: 'Hi User 900' });
		expect(d?.headers['List-Unsubscribe']).toBe('<https://shop.example/u/900>, <mailto:unsub@shop.example?subject=u900>');
		expect(d?.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
		expect(JSON.parse(d?.headers['X-Mailin-custom'] ?? '{}')).toEqual({ pz_message_id: 'm-900', pz_campaign_id: 'spring', pz_variant: 'B' });
		expect(results.find((r) => r.index === 900)?.providerMessageId).toBe(d?.messageId);
	});

	it('a repeated call (lost answer) is not processed twice thanks to the idempotency key', async () => {
		const [plan] = brevo.plan(many(3, sameHeaders), 'rendered', {});
		const first = brevo.parse(plan, await transport()(plan.request));
		expect(first.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
		// The repeat is refused with duplicate_parameter and not processed: possibly sent, not failed.
		const again = brevo.parse(plan, await transport()(plan.request));
		expect(again.map((r) => [r.status, r.retryable === true])).toEqual([['unknown', false], ['unknown', false], ['unknown', false]]);
		expect(server.delivered).toHaveLength(3);
	});

	it('wrong key → 401; injected 429 and 503 retryable; template mode params reach recipients', async () => {
		const [plan] = brevo.plan([msg(0)], 'rendered', {});
		expect(brevo.parse(plan, await transport('nope')(plan.request))[0]).toMatchObject({ responseCode: 401, retryable: false });
		server.faults.push({ status: 429 }, { status: 503 });
		expect(brevo.parse(plan, await transport()(plan.request))[0]).toMatchObject({ retryable: true, retryAfterSeconds: 5 });
		expect(brevo.parse(plan, await transport()(plan.request))[0]).toMatchObject({ retryable: true, responseCode: 503 });
		const messages = many(2, (i) => ({ ...sameHeaders(), html: undefined, text: undefined, subject: undefined, templateId: '7', variables: { name: `N${i}` } }));
		const [tpl] = brevo.plan(messages, 'template', {});
		expect(brevo.parse(tpl, await transport()(tpl.request)).map((r) => r.status)).toEqual(['sent', 'sent']);
		expect(server.delivered.filter((d) => d.templateId === 7).map((d) => d.params)).toEqual([{ name: 'N0' }, { name: 'N1' }]);
	});

	it('the server enforces required content (400, final)', async () => {
		const [plan] = brevo.plan([msg(0, { html: undefined, text: undefined })], 'rendered', {});
		expect(brevo.parse(plan, await transport()(plan.request))[0]).toMatchObject({ status: 'failed', responseCode: 400, retryable: false });
	});
});
