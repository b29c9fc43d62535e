/**
 * A gateway's 502 / 504 (or Cloudflare's 520 / 522 / 524) does not say whether the provider behind
 * it processed the request (RFC 9110 §15.6.3, §15.6.5): for a provider without an idempotency key
 * it is handled like a lost answer (`unknown`, not sent again: a retry could mail the whole batch
 * twice); for Resend and Brevo the very same request is retried with the same key.
 */
import { dispatch, httpChannel } from '../../nodes/engines/dispatch/engine';
import { MemoryLedger } from '../../nodes/engines/dispatch/ledger';
import { postmark } from '../../nodes/engines/dispatch/providers/postmark';
import { resend } from '../../nodes/engines/dispatch/providers/resend';
import { sendgrid } from '../../nodes/engines/dispatch/providers/sendgrid';
import { nodeHttpTransport } from '../../nodes/engines/dispatch/transport';
import type { HttpRequestSpec, HttpResponseSpec } from '../../nodes/engines/dispatch/types';
import type { ProviderServer } from './servers/base';
import { POSTMARK_TOKEN, postmarkServer } from './servers/postmark';
import { SENDGRID_KEY, sendgridServer } from './servers/sendgrid';
import { renderedItems } from './helpers';

const retry = { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 1 };

describe.each([
	{ name: 'SendGrid', provider: sendgrid, server: () => sendgridServer(), auth: { Authorization: `Bearer ${SENDGRID_KEY}` } as Record<string, string> },
	{ name: 'Postmark', provider: postmark, server: () => postmarkServer(), auth: { 'X-Postmark-Server-Token': POSTMARK_TOKEN } as Record<string, string> },
])('$name (no idempotency key)', ({ provider, server: make, auth }) => {
	let server: ProviderServer;
	const transport = nodeHttpTransport({ headers: auth, timeoutMs: 3000 });
	beforeAll(async () => (server = await make().start()));
	afterAll(async () => {
		transport.close();
		await server.stop();
	});
	beforeEach(() => server.reset());

	it('a 504 after the provider accepted the batch: unknown, one request, each recipient accepted once, remembered', async () => {
		server.inject('504AfterAccept');
		const ledger = new MemoryLedger(86400);
		const report = await dispatch(renderedItems(3), httpChannel(provider, { baseUrl: server.url }, transport), { mode: 'rendered', ledger, retry, limits: { concurrency: 1 } });
		expect(report.outcomes.map((o) => [o.status, o.responseCode, o.attempts])).toEqual([
			['unknown', 504, 1],
			['unknown', 504, 1],
			['unknown', 504, 1],
		]);
		expect(report.outcomes[0].error).toMatch(/answered HTTP 504 .*has no idempotency key, so it was not sent again/);
		expect(server.requests).toHaveLength(1);
		expect(server.accepted.map((a) => a.recipient).sort()).toEqual(['user0@example.com', 'user1@example.com', 'user2@example.com']);
		for (const o of report.outcomes) expect(ledger.has(o.idempotencyKey, Date.now())).toBe(true);
	});

	it('a 503 (the provider itself: not processed) is still retried', async () => {
		server.inject('503');
		const report = await dispatch(renderedItems(2), httpChannel(provider, { baseUrl: server.url }, transport), { mode: 'rendered', retry, limits: { concurrency: 1 } });
		expect(report.outcomes.map((o) => o.attempts)).toEqual([2, 2]);
		expect(report.outcomes.map((o) => o.status).every((s) => s === 'sent' || s === 'queued')).toBe(true);
		expect(server.accepted).toHaveLength(2);
	});
});

describe('status by status, for a provider without a key', () => {
	// A scripted answer to the first request, then the provider's real 202.
	const run = async (status: number) => {
		let calls = 0;
		const transport = async (_request: HttpRequestSpec): Promise<HttpResponseSpec> =>
			++calls === 1 ? { status, headers: { 'content-type': 'text/html' }, body: `<html>${status}</html>` } : { status: 202, headers: {}, body: '' };
		const report = await dispatch(renderedItems(1), httpChannel(sendgrid, {}, transport), { mode: 'rendered', retry, sleep: async () => {} });
		return [status, report.outcomes[0].status, calls];
	};
	it('502, 504, 520, 522, 524 end unknown after one request; 500, 503, 521, 523 are retried', async () => {
		const results = [];
		for (const status of [502, 504, 520, 522, 524, 500, 503, 521, 523]) results.push(await run(status));
		expect(results).toEqual([
			[502, 'unknown', 1],
			[504, 'unknown', 1],
			[520, 'unknown', 1],
			[522, 'unknown', 1],
			[524, 'unknown', 1],
			[500, 'queued', 2],
			[503, 'queued', 2],
			[521, 'queued', 2],
			[523, 'queued', 2],
		]);
	});
});

describe('Resend (idempotency key)', () => {
	it('a 504 is retried with the same Idempotency-Key and the same body', async () => {
		const seen: HttpRequestSpec[] = [];
		const transport = async (request: HttpRequestSpec): Promise<HttpResponseSpec> => {
			seen.push(request);
			return seen.length === 1 ? { status: 504, headers: {}, body: '<html>504</html>' } : { status: 200, headers: {}, body: JSON.stringify({ id: 'e-1' }) };
		};
		const report = await dispatch(renderedItems(1), httpChannel(resend, {}, transport), { mode: 'rendered', retry, sleep: async () => {} });
		expect(report.outcomes[0]).toMatchObject({ status: 'sent', providerMessageId: 'e-1', attempts: 2 });
		expect(seen).toHaveLength(2);
		expect(seen[1].idempotencyKey).toBe(seen[0].idempotencyKey);
		expect(seen[1].body).toBe(seen[0].body);
	});

	// Resend's 502 / 504 may come from its gateway after its application took the batch: however
	// the retries end, the messages are `unknown` and remembered (README, Lost answers), not a
	// definite failure whose key a later run sends again.
	const scripted = (answers: HttpResponseSpec[]) => {
		let calls = 0;
		return { transport: async (): Promise<HttpResponseSpec> => answers[Math.min(calls++, answers.length - 1)], calls: () => calls };
	};
	const gateway = (status: number): HttpResponseSpec => ({ status, headers: { 'content-type': 'text/html' }, body: `<html>${status}</html>` });

	it('502 on every attempt: unknown after Max Attempts, remembered', async () => {
		const { transport, calls } = scripted([gateway(502)]);
		const ledger = new MemoryLedger(86400);
		const report = await dispatch(renderedItems(1), httpChannel(resend, {}, transport), { mode: 'rendered', ledger, retry, sleep: async () => {} });
		expect(calls()).toBe(4);
		expect(report.outcomes[0]).toMatchObject({ status: 'unknown', responseCode: 502, attempts: 4 });
		expect(report.outcomes[0].error).toMatch(/gave up after 4 attempts.*HTTP 502.*may have accepted/);
		expect(ledger.has(report.outcomes[0].idempotencyKey, Date.now())).toBe(true);
	});

	it('504, then 503 until Max Attempts: unknown (the 504 may have been processed), remembered', async () => {
		const { transport } = scripted([gateway(504), gateway(503)]);
		const ledger = new MemoryLedger(86400);
		const report = await dispatch(renderedItems(1), httpChannel(resend, {}, transport), { mode: 'rendered', ledger, retry, sleep: async () => {} });
		expect(report.outcomes[0]).toMatchObject({ status: 'unknown', responseCode: 503, attempts: 4 });
		expect(ledger.has(report.outcomes[0].idempotencyKey, Date.now())).toBe(true);
	});

	it('520, then the run stops (credential rejected on the retry): unknown, remembered', async () => {
		const { transport } = scripted([gateway(520), { status: 401, headers: {}, body: JSON.stringify({ name: 'invalid_api_key', message: 'API key is invalid' }) }]);
		const ledger = new MemoryLedger(86400);
		const report = await dispatch(renderedItems(1), httpChannel(resend, {}, transport), { mode: 'rendered', ledger, retry, sleep: async () => {} });
		expect(report.outcomes[0].status).toBe('unknown');
		expect(ledger.has(report.outcomes[0].idempotencyKey, Date.now())).toBe(true);
	});

	it('a 500 and 503 (the provider\'s own answers) still end failed and not remembered', async () => {
		const { transport } = scripted([gateway(500), gateway(503)]);
		const ledger = new MemoryLedger(86400);
		const report = await dispatch(renderedItems(1), httpChannel(resend, {}, transport), { mode: 'rendered', ledger, retry, sleep: async () => {} });
		expect(report.outcomes[0]).toMatchObject({ status: 'failed', attempts: 4 });
		expect(ledger.has(report.outcomes[0].idempotencyKey, Date.now())).toBe(false);
	});
});
