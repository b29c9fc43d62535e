/**
 * SendGrid provider through the engine against a local SendGrid-compatible server
 * (servers/sendgrid.ts cites the documentation each rule comes from).
 */
import { dispatch, httpChannel } from '../../nodes/engines/dispatch/engine';
import { sendgrid, SENDGRID_HTML_TAG } from '../../nodes/engines/dispatch/providers/sendgrid';
import { nodeHttpTransport } from '../../nodes/engines/dispatch/transport';
import type { ProviderServer } from './servers/base';
import { SENDGRID_KEY, sendgridServer, sendgridTooManyRequests, type DeliveredSendGrid } from './servers/sendgrid';
import { fakeSleep, renderedItems } from './helpers';

describe('SendGrid through the dispatch engine', () => {
	let server: ProviderServer;
	const transport = nodeHttpTransport({ headers: { Authorization: `Bearer ${SENDGRID_KEY}` }, timeoutMs: 2000 });
	beforeAll(async () => (server = await sendgridServer().start()));
	afterAll(async () => {
		transport.close();
		await server.stop();
	});
	beforeEach(() => server.reset());
	const channel = () => httpChannel(sendgrid, { baseUrl: server.url }, transport);
	const delivered = () => server.accepted.map((a) => a.message as DeliveredSendGrid);

	it('batches 2,500 personalized rendered messages into 3 requests (1000 personalizations max), each recipient getting its own body', async () => {
		const items = renderedItems(2500);
		const report = await dispatch(items, channel(), { mode: 'rendered', sleep: fakeSleep().sleep });
		expect(server.requests).toHaveLength(3);
		const counts = [...server.bodies.values()].map((b) => JSON.parse(b).personalizations.length).sort((a, b) => b - a);
		expect(counts).toEqual([1000, 1000, 500]);
		expect(report.outcomes.every((o) => o.status === 'queued' && o.responseCode === 202 && o.providerMessageId)).toBe(true);
		// What each recipient receives (after substitution) is exactly its own rendered message.
		const got = new Map(delivered().map((d) => [d.to, d]));
		for (const item of items) {
			const d = got.get(item.to.email)!;
			expect(d.subject).toBe(item.subject);
			expect(d.html).toBe(item.html);
			expect(d.text).toBe(item.text);
		}
	});

	it('sends large distinct bodies (over the 10,000-byte substitution budget) one per request, identical large bodies together', async () => {
		const big = '<p>' + 'x'.repeat(12000) + '</p>';
		const items = renderedItems(4);
		items[0].html = big + 'a';
		items[1].html = big + 'b';
		items[2].html = big; // 2 and 3 share the same large body
		items[3].html = big;
		items[2].text = items[3].text = 'same text';
		const report = await dispatch(items, channel(), { mode: 'rendered', sleep: fakeSleep().sleep });
		expect(report.outcomes.every((o) => o.status === 'queued')).toBe(true);
		expect(server.requests).toHaveLength(3);
		const got = new Map(delivered().map((d) => [d.to, d]));
		expect(got.get('user0@example.com')!.html).toBe(big + 'a');
		expect(got.get('user3@example.com')!.html).toBe(big);
		expect(got.get('user3@example.com')!.subject).toBe('Hello User 3');
	});

	it('uses dynamic templates with one personalization per recipient in template mode', async () => {
		const items = renderedItems(3).map((i, k) => ({ ...i, subject: undefined, html: undefined, text: undefined, templateId: 'd-0123456789abcdef', variables: { first_name: `U${k}` } }));
		await dispatch(items, channel(), { mode: 'template', sleep: fakeSleep().sleep });
		const body = JSON.parse([...server.bodies.values()][0]);
		expect(body.template_id).toBe('d-0123456789abcdef');
		expect(body.content).toBeUndefined();
		expect(body.personalizations.map((p: any) => p.dynamic_template_data)).toEqual([{ first_name: 'U0' }, { first_name: 'U1' }, { first_name: 'U2' }]);
	});

	it('puts one-click unsubscribe headers and attribution custom_args on each personalization', async () => {
		const items = renderedItems(2, { unsubscribeUrl: 'https://shop.example.com/u/1', attribution: { variant: 'A', experimentId: 'exp-9' }, tags: ['spring'] });
		await dispatch(items, channel(), { mode: 'rendered', sleep: fakeSleep().sleep });
		const d = delivered()[0];
		expect(d.headers).toEqual({ 'List-Unsubscribe': '<https://shop.example.com/u/1>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
		expect(d.customArgs).toMatchObject({ pz_campaign_id: 'spring-sale', pz_variant: 'A', pz_experiment_id: 'exp-9' });
		expect(d.categories).toEqual(['spring']);
	});

	it('test mode: every message to the test address, the real recipient in a header, never twice in one request', async () => {
		const report = await dispatch(renderedItems(3), channel(), { mode: 'rendered', testAddress: 'qa@shop.example.com', sleep: fakeSleep().sleep });
		expect(report.outcomes.every((o) => o.status === 'queued' && o.sentTo === 'qa@shop.example.com')).toBe(true);
		expect(delivered().map((d) => [d.to, d.headers['X-Pz-Original-Recipient']])).toEqual([
			['qa@shop.example.com', 'user0@example.com'],
			['qa@shop.example.com', 'user1@example.com'],
			['qa@shop.example.com', 'user2@example.com'],
		]);
	});

	it('does not retry a 400 validation error and reports SendGrid\'s message', async () => {
		// A provider whose requests lose their "from" field, so the server answers its documented 400.
		const broken = { ...sendgrid, plan: (m: any, mode: any, s: any) => sendgrid.plan(m, mode, s).map((p) => ({ ...p, request: { ...p.request, body: p.request.body.replace('"from":', '"sender":') } })) };
		const report = await dispatch(renderedItems(2), httpChannel(broken, { baseUrl: server.url }, transport), { mode: 'rendered', sleep: fakeSleep().sleep });
		expect(report.outcomes.every((o) => o.status === 'failed' && o.attempts === 1 && o.responseCode === 400)).toBe(true);
		expect(report.outcomes[0].error).toMatch(/SendGrid 400: from: The from object must be provided/);
		expect(server.requests).toHaveLength(1);
	});

	it('retries a 429, waiting until its X-RateLimit-Reset (SendGrid sends no Retry-After), then succeeds', async () => {
		// The fake's 429 as SendGrid sends it: the period ends 3 whole seconds after the current one,
		// i.e. 2 to 3 s from when the answer is read; the first backoff step alone would be 250 ms.
		const before = server.options.tooManyRequests;
		server.options.tooManyRequests = () => sendgridTooManyRequests(3);
		try {
			server.inject('429');
			const { sleep, now, delays } = fakeSleep();
			const report = await dispatch(renderedItems(2), channel(), { mode: 'rendered', sleep, now, random: () => 0 });
			expect(report.outcomes.every((o) => o.status === 'queued' && o.attempts === 2)).toBe(true);
			expect(delays).toHaveLength(1);
			expect([2000, 3000]).toContain(delays[0]);
			expect(server.requests[0].status).toBe(429);
		} finally {
			server.options.tooManyRequests = before;
		}
	});

	it('dry run: outputs the exact request bodies and sends nothing', async () => {
		const report = await dispatch(renderedItems(3), channel(), { mode: 'rendered', dryRun: true });
		expect(server.requests).toHaveLength(0);
		expect(report.outcomes.map((o) => o.status)).toEqual(['dryRun', 'dryRun', 'dryRun']);
		const body = JSON.parse(report.outcomes[0].request!.body!);
		expect(body.personalizations).toHaveLength(3);
		expect(body.content).toEqual([{ type: 'text/plain', value: '[%pz_text%]' }, { type: 'text/html', value: SENDGRID_HTML_TAG }]);
		expect(report.outcomes[0].request!.url).toBe(`${server.url}/v3/mail/send`);
		expect(report.outcomes[1].request).toEqual({ number: 1, messages: 3, firstItem: 0 });
	});
});
