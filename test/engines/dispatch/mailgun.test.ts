/**
 * Mailgun provider: plan/parse against Mailgun's documented request and answers, then
 * plan → HTTP → local Mailgun-compatible server → parse.
 * Docs: https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/messages and
 * https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/batch-sending
 */
import { mailgun } from '../../../nodes/engines/dispatch/providers/mailgun';
import type { RequestPlan } from '../../../nodes/engines/dispatch/types';
import { localTransport, parseMultipart } from '../../dispatch/servers/provider-server';
import { mailgunAuth, startMailgunServer, type MailgunServer } from '../../dispatch/servers/mailgun';
import { many, msg } from './provider-fixtures';

const settings = { domain: 'mg.shop.example', region: 'us' };

/** The multipart body as a URLSearchParams-like view (get/getAll/has). */
function form(plan: RequestPlan) {
	const fields = parseMultipart(plan.request.body, plan.request.headers['content-type']);
	return {
		get: (name: string) => fields.get(name)?.[0] ?? null,
		getAll: (name: string) => fields.get(name) ?? [],
		has: (name: string) => fields.has(name),
	};
}

describe('Mailgun provider: plan', () => {
	it('targets the US or EU region and the sending domain', () => {
		const [us] = mailgun.plan([msg(0)], 'rendered', settings);
		expect(us.request.url).toBe('https://api.mailgun.net/v3/mg.shop.example/messages');
		const [eu] = mailgun.plan([msg(0)], 'rendered', { ...settings, region: 'eu' });
		expect(eu.request.url).toBe('https://api.eu.mailgun.net/v3/mg.shop.example/messages');
		expect(() => mailgun.plan([msg(0)], 'rendered', {})).toThrow(/domain/);
	});

	it('sends one message literally, with h:, v: and o:tag fields', () => {
		const [plan] = mailgun.plan([msg(0)], 'rendered', settings);
		const f = form(plan);
		expect(plan.request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=pz-[0-9a-f]{32}$/);
		expect(f.get('from')).toBe('Shop News <news@shop.example>');
		expect(f.getAll('to')).toEqual(['User 0 <user0@example.com>']);
		expect(f.get('subject')).toBe('Hello User 0');
		expect(f.get('html')).toBe('<p>Hi User 0</p>');
		expect(f.get('h:List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
		expect(f.get('v:pz_message_id')).toBe('m-0');
		expect(f.get('v:pz_campaign_id')).toBe('spring');
		expect(f.getAll('o:tag')).toEqual(['spring-sale']);
		expect(f.has('recipient-variables')).toBe(false);
	});

	it('batches 2,500 personalised messages into 1,000 + 1,000 + 500 recipients with recipient-variables', () => {
		const plans = mailgun.plan(many(2500), 'rendered', settings);
		expect(plans.map((p) => p.messages.length)).toEqual([1000, 1000, 500]);
		const f = form(plans[0]);
		expect(f.getAll('to')).toHaveLength(1000);
		// Differing values are referenced per recipient; shared ones stay literal.
		expect(f.get('subject')).toBe('%recipient.pz_subject%');
		expect(f.get('v:pz_message_id')).toBe('%recipient.pz_v_pz_message_id%');
		expect(f.get('v:pz_campaign_id')).toBe('spring');
		expect(f.get('h:List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
		const rv = JSON.parse(f.get('recipient-variables') ?? '{}');
		expect(Object.keys(rv)).toHaveLength(1000);
		expect(rv['user7@example.com']).toMatchObject({ pz_subject: 'Hello User 7', pz_html: '<p>Hi User 7</p>', pz_v_pz_message_id: 'm-7' });
	});

	it('never puts the same address twice in one batch, and splits on sender or tags', () => {
		const messages = [msg(0), msg(1, { to: { email: 'USER0@example.com' } }), msg(2, { tags: ['other'] }), msg(3)];
		const plans = mailgun.plan(messages, 'rendered', settings);
		expect(plans.map((p) => p.messages.map((m) => m.index))).toEqual([[0, 3], [1], [2]]);
	});

	it('template mode: one message uses t:variables; a batch passes variables as custom data, per-recipient ones via recipient variables', () => {
		const single = mailgun.plan([msg(0, { html: undefined, text: undefined, templateId: 'spring-offer', variables: { first_name: 'Ann' } })], 'template', settings);
		expect(JSON.parse(form(single[0]).get('t:variables') ?? '')).toEqual({ first_name: 'Ann' });
		const messages = many(3, (i) => ({
			subject: 'Your offer',
			html: undefined,
			text: undefined,
			templateId: 'spring-offer',
			variables: { first_name: i === 1 ? 'Ann & "Bo"' : `N${i}`, season: 'spring', items: [1, 2] },
		}));
		const plans = mailgun.plan(messages, 'template', settings);
		expect(plans).toHaveLength(1);
		const f = form(plans[0]);
		expect(f.get('template')).toBe('spring-offer');
		expect(f.get('subject')).toBe('Your offer');
		expect(f.has('t:variables')).toBe(false);
		expect(f.get('v:first_name')).toBe('%recipient.pz_t_first_name%');
		expect(f.get('v:season')).toBe('spring');
		expect(f.get('v:items')).toBe('[1,2]');
		const rv = JSON.parse(f.get('recipient-variables') ?? '');
		// Raw value: the template's Handlebars escapes {{first_name}} itself.
		expect(rv['user1@example.com'].pz_t_first_name).toBe('Ann & "Bo"');
	});

	it('keeps at most 3 tags (Mailgun limit)', () => {
		const [plan] = mailgun.plan([msg(0, { tags: ['a', 'b', 'c', 'd'] })], 'rendered', settings);
		expect(form(plan).getAll('o:tag')).toEqual(['a', 'b', 'c']);
	});
});

describe('Mailgun provider: parse', () => {
	const plan = mailgun.plan(many(2), 'rendered', settings)[0];

	it('maps the documented 200 answer to queued with the batch message id', () => {
		const results = mailgun.parse(plan, {
			status: 200,
			headers: {},
			body: '{"id":"<20111114174239.25659.5817@samples.mailgun.org>","message":"Queued. Thank you."}',
		});
		expect(results).toEqual([
			{ index: 0, status: 'queued', responseCode: 200, providerMessageId: '20111114174239.25659.5817@samples.mailgun.org' },
			{ index: 1, status: 'queued', responseCode: 200, providerMessageId: '20111114174239.25659.5817@samples.mailgun.org' },
		]);
	});

	it('400 is a non-retryable failure naming Mailgun\'s message; 429 honours Retry-After; 5xx is retryable', () => {
		const bad = mailgun.parse(plan, { status: 400, headers: {}, body: '{"message":"\'from\' parameter is missing"}' });
		expect(bad[0]).toMatchObject({ status: 'failed', retryable: false, responseCode: 400, error: "HTTP 400: 'from' parameter is missing" });
		const limited = mailgun.parse(plan, { status: 429, headers: { 'Retry-After': '7' }, body: '{}' });
		expect(limited[1]).toMatchObject({ status: 'failed', retryable: true, retryAfterSeconds: 7 });
		const down = mailgun.parse(plan, { status: 503, headers: {}, body: 'unavailable' });
		expect(down[0]).toMatchObject({ retryable: true, error: 'HTTP 503: unavailable' });
		const auth = mailgun.parse(plan, { status: 401, headers: {}, body: 'Forbidden' });
		expect(auth[0]).toMatchObject({ retryable: false, error: 'HTTP 401: Forbidden' });
	});
});

describe('Mailgun provider: end to end against the local Mailgun server', () => {
	let server: MailgunServer;
	beforeAll(async () => (server = await startMailgunServer()));
	afterAll(async () => server.close());
	beforeEach(() => {
		server.delivered.length = 0;
		server.received.length = 0;
	});

	const send = (key?: string) =>
		localTransport(server.url, (r) => ({ ...r, headers: { ...r.headers, authorization: mailgunAuth(key) } }));

	it('delivers 1,500 personalised messages in 2 requests, each recipient getting its own content and attribution', async () => {
		const plans = mailgun.plan(many(1500), 'rendered', settings);
		const transport = send();
		const results = (await Promise.all(plans.map(async (p) => mailgun.parse(p, await transport(p.request))))).flat();
		expect(server.received).toHaveLength(2);
		expect(results.filter((r) => r.status === 'queued')).toHaveLength(1500);
		expect(server.delivered).toHaveLength(1500);
		const d = server.delivered.find((x) => x.to === 'User 42 <user42@example.com>');
		expect(d).toMatchObject({
			subject: 'Hello User 42',
			html: '<p>Hi User 42</p>',
			text: 'Hi User 42',
			variables: { pz_message_id: 'm-42', pz_campaign_id: 'spring', pz_variant: 'B' },
		});
		expect(d?.headers['List-Unsubscribe']).toBe('<https://shop.example/u/42>, <mailto:unsub@shop.example?subject=u42>');
		// Every message's provider id is the id of the batch that carried it.
		const byIndex = new Map(results.map((r) => [r.index, r.providerMessageId]));
		expect(byIndex.get(42)).toBe(d?.messageId);
	});

	it('a wrong key gets 401 Forbidden, failed and not retryable', async () => {
		const [plan] = mailgun.plan([msg(0)], 'rendered', settings);
		const results = mailgun.parse(plan, await send('wrong')(plan.request));
		expect(results[0]).toMatchObject({ status: 'failed', responseCode: 401, retryable: false });
		expect(server.delivered).toHaveLength(0);
	});

	it('the server enforces required fields (400) and the answer is not retryable', async () => {
		const [plan] = mailgun.plan([msg(0, { subject: undefined })], 'rendered', settings);
		const results = mailgun.parse(plan, await send()(plan.request));
		expect(results[0]).toMatchObject({ status: 'failed', responseCode: 400, retryable: false, error: "HTTP 400: 'subject' parameter is missing" });
	});

	it('429 with Retry-After and 503 are retryable', async () => {
		const [plan] = mailgun.plan(many(3), 'rendered', settings);
		server.faults.push({ status: 429, retryAfter: 3 }, { status: 503 });
		const first = mailgun.parse(plan, await send()(plan.request));
		expect(first.every((r) => r.retryable && r.retryAfterSeconds === 3 && r.responseCode === 429)).toBe(true);
		const second = mailgun.parse(plan, await send()(plan.request));
		expect(second.every((r) => r.retryable && r.responseCode === 503)).toBe(true);
		const third = mailgun.parse(plan, await send()(plan.request));
		expect(third.every((r) => r.status === 'queued')).toBe(true);
		expect(server.delivered).toHaveLength(3);
	});

	it('template mode: each recipient gets its own template variables', async () => {
		const messages = many(3, (i) => ({ html: undefined, text: undefined, subject: 'Offer', templateId: 'offer', variables: { first_name: `N${i}` } }));
		const [plan] = mailgun.plan(messages, 'template', settings);
		const results = mailgun.parse(plan, await send()(plan.request));
		expect(results.map((r) => r.status)).toEqual(['queued', 'queued', 'queued']);
		expect(server.delivered.map((d) => d.variables.first_name)).toEqual(['N0', 'N1', 'N2']);
		expect(server.delivered.every((d) => d.template === 'offer')).toBe(true);
	});
});
