/**
 * Postmark provider through the engine against a local Postmark-compatible server
 * (servers/postmark.ts cites the documentation each rule comes from).
 */
import { dispatch, httpChannel } from '../../nodes/engines/dispatch/engine';
import { MemoryLedger } from '../../nodes/engines/dispatch/ledger';
import { postmark } from '../../nodes/engines/dispatch/providers/postmark';
import { nodeHttpTransport } from '../../nodes/engines/dispatch/transport';
import type { ProviderServer } from './servers/base';
import { inactiveRecipients, POSTMARK_TOKEN, postmarkServer } from './servers/postmark';
import { fakeSleep, renderedItems } from './helpers';

describe('Postmark through the dispatch engine', () => {
	let server: ProviderServer;
	const transport = nodeHttpTransport({ headers: { 'X-Postmark-Server-Token': POSTMARK_TOKEN }, timeoutMs: 2000 });
	const badTransport = nodeHttpTransport({ headers: { 'X-Postmark-Server-Token': 'wrong-token' }, timeoutMs: 2000 });
	beforeAll(async () => (server = await postmarkServer({ holdMs: 300 }).start()));
	afterAll(async () => {
		transport.close();
		badTransport.close();
		await server.stop();
	});
	beforeEach(() => {
		server.reset();
		inactiveRecipients.clear();
	});
	const channel = () => httpChannel(postmark, { baseUrl: server.url }, transport);

	it('sends 1,200 rendered messages in 3 batch requests of at most 500, each recipient once', async () => {
		const report = await dispatch(renderedItems(1200), channel(), { mode: 'rendered', sleep: fakeSleep().sleep });
		expect(server.requests.map((r) => r.path)).toEqual(['/email/batch', '/email/batch', '/email/batch']);
		const sizes = [...server.bodies.values()].map((b) => JSON.parse(b).length);
		expect(sizes.sort((a, b) => b - a)).toEqual([500, 500, 200]);
		expect(report.outcomes.every((o) => o.status === 'sent' && o.attempts === 1 && o.responseCode === 200)).toBe(true);
		expect(server.accepted).toHaveLength(1200);
		expect(new Set(server.accepted.map((a) => a.recipient)).size).toBe(1200);
		// Each item's provider message id is the one the server gave that recipient.
		const byRecipient = new Map(server.accepted.map((a) => [a.recipient, a.messageId]));
		for (const o of report.outcomes) expect(o.providerMessageId).toBe(byRecipient.get(o.recipient));
	});

	it('keeps each request within one second\'s worth of messages under a messages-per-second limit, spaced by the limiter', async () => {
		const { sleep, now, delays } = fakeSleep();
		const report = await dispatch(renderedItems(250), channel(), { mode: 'rendered', sleep, now, limits: { messagesPerSecond: 100, concurrency: 1 } });
		expect(report.outcomes.every((o) => o.status === 'sent')).toBe(true);
		expect([...server.bodies.values()].map((b) => JSON.parse(b).length)).toEqual([100, 100, 50]);
		expect(delays).toEqual([1000, 1000]); // 100 messages at 100/s: one request per second
	});

	it('gives each recipient its own status when a batch partly fails (200 with per-message ErrorCode)', async () => {
		inactiveRecipients.add('user1@example.com');
		const items = renderedItems(4);
		items[2].html = undefined;
		items[2].text = undefined; // server: ErrorCode 300 "Provide either email TextBody or HtmlBody or both."
		items[2].subject = 'x';
		items[2].html = '';
		const report = await dispatch(items, channel(), { mode: 'rendered', sleep: fakeSleep().sleep });
		expect(report.outcomes.map((o) => o.status)).toEqual(['sent', 'suppressed', 'failed', 'sent']);
		expect(report.outcomes[1].error).toMatch(/ErrorCode 406/);
		expect(report.outcomes[2].error).toMatch(/ErrorCode 300: Provide either email TextBody or HtmlBody/);
		expect(report.outcomes[2].attempts).toBe(1); // validation errors are not retried
		expect(server.requests).toHaveLength(1);
		expect(server.accepted.map((a) => a.recipient)).toEqual(['user0@example.com', 'user3@example.com']);
	});

	it('writes Headers (List-Unsubscribe, one-click) and attribution Metadata in Postmark\'s shape', async () => {
		const [item] = renderedItems(1, { unsubscribeUrl: 'https://shop.example.com/u/abc', unsubscribeMailto: 'unsub@shop.example.com', attribution: { variant: 'B', segment: 'vip' } });
		await dispatch([item], httpChannel(postmark, { baseUrl: server.url }, transport), { mode: 'rendered', sleep: fakeSleep().sleep });
		const sent = server.accepted[0].message as Record<string, any>;
		expect(sent.Headers).toEqual([
			{ Name: 'List-Unsubscribe', Value: '<https://shop.example.com/u/abc>, <mailto:unsub@shop.example.com>' },
			{ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
		]);
		expect(sent.Metadata).toMatchObject({ pz_campaign_id: 'spring-sale', pz_variant: 'B', pz_segment: 'vip' });
		expect(sent.Metadata.pz_message_id).toMatch(/^pz-[0-9a-f]{32}$/);
		expect(sent.MessageStream).toBe('outbound');
		expect(sent.From).toBe('Shop <news@shop.example.com>');
	});

	it('uses /email/batchWithTemplates with TemplateAlias/TemplateId and TemplateModel in template mode', async () => {
		const items = renderedItems(3).map((i, k) => ({ ...i, subject: undefined, html: undefined, text: undefined, templateId: k === 0 ? '1234567' : 'welcome', variables: { name: `User ${k}` } }));
		const report = await dispatch(items, channel(), { mode: 'template', sleep: fakeSleep().sleep });
		expect(report.outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'sent']);
		expect(server.requests.map((r) => r.path)).toEqual(['/email/batchWithTemplates']);
		const body = JSON.parse([...server.bodies.values()][0]);
		expect(body.Messages[0]).toMatchObject({ TemplateId: 1234567, TemplateModel: { name: 'User 0' } });
		expect(body.Messages[1]).toMatchObject({ TemplateAlias: 'welcome', TemplateModel: { name: 'User 1' } });
	});

	it('retries 429 and 5xx with backoff, never re-sending what was accepted', async () => {
		server.inject('429', '503', '500');
		const { sleep, delays, now } = fakeSleep();
		const report = await dispatch(renderedItems(10), channel(), { mode: 'rendered', sleep, now, random: () => 0.5, retry: { initialDelayMs: 100 } });
		expect(report.outcomes.every((o) => o.status === 'sent' && o.attempts === 4)).toBe(true);
		expect(server.requests.map((r) => r.status)).toEqual([429, 503, 500, 200]);
		expect(server.accepted).toHaveLength(10);
		// Postmark's 429 says nothing of when to retry (no Retry-After), so every wait is the backoff:
		// exponential 100·2^(n-1) with jitter (0.75 of it at random 0.5).
		expect(delays).toEqual([75, 150, 300]);
	});

	it('does not retry a 422 request error (here: invalid JSON, ErrorCode 402) and reports Postmark\'s message', async () => {
		const broken = { ...postmark, plan: (m: any, mode: any, st: any) => postmark.plan(m, mode, st).map((p) => ({ ...p, request: { ...p.request, body: p.request.body.slice(0, -1) } })) };
		const report = await dispatch(renderedItems(3), httpChannel(broken, { baseUrl: server.url }, transport), { mode: 'rendered', sleep: fakeSleep().sleep });
		expect(report.outcomes.map((o) => [o.status, o.responseCode, o.attempts])).toEqual([['failed', 422, 1], ['failed', 422, 1], ['failed', 422, 1]]);
		expect(report.outcomes[0].error).toBe('Postmark 422 ErrorCode 402: Received invalid JSON input.');
		expect(server.requests).toHaveLength(1);
	});

	it('does not retry a 401 and reports the rejected credential', async () => {
		const report = await dispatch(renderedItems(3), httpChannel(postmark, { baseUrl: server.url }, badTransport), { mode: 'rendered', sleep: fakeSleep().sleep });
		expect(report.credentialRejected).toMatch(/Postmark rejected the credential \(401\)/);
		expect(report.outcomes.every((o) => o.status === 'failed' && o.attempts === 1)).toBe(true);
		expect(server.requests).toHaveLength(1);
		expect(server.accepted).toHaveLength(0);
	});

	it('marks messages unknown (no resend) when the connection drops after the server accepted them', async () => {
		server.inject('dropAfterAccept');
		const report = await dispatch(renderedItems(5), channel(), { mode: 'rendered', sleep: fakeSleep().sleep });
		expect(server.accepted).toHaveLength(5);
		expect(server.requests).toHaveLength(1);
		expect(report.outcomes.every((o) => o.status === 'unknown' && o.attempts === 1)).toBe(true);
		expect(report.outcomes[0].error).toMatch(/may have accepted it.*not sent again/);
	});

	it('retries a request that timed out before the server accepted it (100-continue withheld)', async () => {
		server.inject('timeout');
		const t = nodeHttpTransport({ headers: { 'X-Postmark-Server-Token': POSTMARK_TOKEN }, timeoutMs: 150 });
		const report = await dispatch(renderedItems(5), httpChannel(postmark, { baseUrl: server.url }, t), { mode: 'rendered', sleep: fakeSleep().sleep });
		t.close();
		expect(report.outcomes.every((o) => o.status === 'sent' && o.attempts === 2)).toBe(true);
		expect(server.accepted).toHaveLength(5);
	});

	it('skips duplicates (ledger and same run) and suppressed recipients without sending them', async () => {
		const ledger = new MemoryLedger();
		const first = await dispatch(renderedItems(3), channel(), { mode: 'rendered', ledger, sleep: fakeSleep().sleep });
		expect(first.outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'sent']);
		const again = renderedItems(5);
		again[4] = { ...again[3], index: 4 }; // same recipient, campaign and subject as item 3
		again[3].suppressedReason = undefined;
		const report = await dispatch(again, channel(), { mode: 'rendered', ledger, suppressionList: new Set(['user3@example.com']), sleep: fakeSleep().sleep });
		expect(report.outcomes.map((o) => o.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'suppressed', 'suppressed']);
		expect(server.accepted).toHaveLength(3);
	});
});
