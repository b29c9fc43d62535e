/**
 * Fault injection for Resend, Brevo and Mailchimp Transactional (Mandrill), on the shared
 * fault-injecting server (servers/base.ts): 10% of requests, at random (seeded), answered 429
 * (+ Retry-After), 500, 503 or timed out before acceptance; then with answers dropped AFTER
 * the server accepted the messages.
 *
 * - Resend and Brevo accept an idempotency key (Resend: Idempotency-Key header, 24 h; Brevo:
 *   headers.idempotencyKey, 30 min), so a batch whose answer was lost is sent again with the
 *   same key and the server replays its first answer: every recipient ends `sent`, accepted
 *   exactly once.
 *   https://resend.com/docs/dashboard/emails/idempotency-keys,
 *   https://developers.brevo.com/docs/heterogenous-versions-batch-emails
 * - Mandrill has no idempotency key: those recipients end `unknown` and are never sent twice.
 * The routes below are lean versions of the documented answers (the full rule checks are in
 * servers/resend.ts, brevo.ts and mandrill.ts).
 */
import { dispatch, httpChannel, type DispatchReport } from '../../nodes/engines/dispatch/engine';
import { brevo } from '../../nodes/engines/dispatch/providers/brevo';
import { mandrill } from '../../nodes/engines/dispatch/providers/mandrill';
import { resend } from '../../nodes/engines/dispatch/providers/resend';
import { nodeHttpTransport } from '../../nodes/engines/dispatch/transport';
import type { EspProvider } from '../../nodes/engines/dispatch/types';
import { ProviderServer, type Reply, type RouteContext } from './servers/base';
import { renderedItems } from './helpers';

const fastRetry = { maxAttempts: 12, initialDelayMs: 2, maxDelayMs: 20, maxRetryAfterMs: 5000 };
const bare = (address: string) => (/<([^>]+)>\s*$/.exec(address)?.[1] ?? address).toLowerCase();

function resendServer(): ProviderServer {
	const replies = new Map<string, Reply>();
	const send = (batch: boolean) => (ctx: RouteContext): Reply => {
		const key = ctx.headers['idempotency-key'] as string | undefined;
		const seen = key ? replies.get(key) : undefined;
		if (seen) return seen;
		const emails = (batch ? ctx.json : [ctx.json]) as Array<{ to: string[] }>;
		if (!Array.isArray(emails) || emails.length > 100) return { status: 422, body: { statusCode: 422, name: 'validation_error', message: 'at most 100 emails' } };
		const ids = emails.map((e) => ({ id: ctx.accept(bare(e.to[0]), undefined) }));
		const reply: Reply = { status: 200, body: batch ? { data: ids } : ids[0] };
		if (key) replies.set(key, reply);
		return reply;
	};
	return new ProviderServer({
		name: 'resend',
		routes: { 'POST /emails': send(false), 'POST /emails/batch': send(true) },
		authorized: (req) => req.headers.authorization === 'Bearer re_fault_key',
		unauthorized: () => ({ status: 403, body: { statusCode: 403, name: 'invalid_api_key', message: 'API key is invalid' } }),
		maxBodyBytes: 40 * 1024 * 1024,
		tooLarge: () => ({ status: 413, body: { statusCode: 413, name: 'validation_error', message: 'too large' } }),
		badJson: () => ({ status: 400, body: { statusCode: 400, name: 'validation_error', message: 'Invalid JSON' } }),
		seed: 23,
		retryAfterSeconds: 0.01,
		holdMs: 5000,
		lean: true,
	});
}

function brevoServer(): ProviderServer {
	const replies = new Map<string, Reply>();
	return new ProviderServer({
		name: 'brevo',
		routes: {
			'POST /v3/smtp/email': (ctx) => {
				const body = ctx.json as { headers?: { idempotencyKey?: string }; to?: Array<{ email: string }>; messageVersions?: Array<{ to: Array<{ email: string }> }> };
				const key = body.headers?.idempotencyKey;
				const seen = key ? replies.get(key) : undefined;
				if (seen) return seen;
				const versions = body.messageVersions ?? [{ to: body.to ?? [] }];
				const ids = versions.map((v) => `<${ctx.accept(v.to[0].email, undefined)}@smtp-relay.mailin.fr>`);
				const reply: Reply = { status: 201, body: body.messageVersions ? { messageIds: ids } : { messageId: ids[0] } };
				if (key) replies.set(key, reply);
				return reply;
			},
		},
		authorized: (req) => req.headers['api-key'] === 'xkeysib-fault',
		unauthorized: () => ({ status: 401, body: { code: 'unauthorized', message: 'Key not found' } }),
		maxBodyBytes: 40 * 1024 * 1024,
		tooLarge: () => ({ status: 413, body: { code: 'bad_request', message: 'too large' } }),
		badJson: () => ({ status: 400, body: { code: 'bad_request', message: 'Invalid JSON' } }),
		seed: 29,
		retryAfterSeconds: 0.01,
		holdMs: 5000,
		lean: true,
	});
}

function mandrillServer(): ProviderServer {
	return new ProviderServer({
		name: 'mandrill',
		routes: {
			'POST /messages/send': (ctx) => {
				const body = ctx.json as { key?: string; message: { to: Array<{ email: string }> } };
				if (body.key !== 'md-fault') return { status: 500, body: { status: 'error', code: -1, name: 'Invalid_Key', message: 'Invalid API key' } };
				return { status: 200, body: body.message.to.map((t) => ({ email: t.email, status: 'sent', reject_reason: null, _id: ctx.accept(t.email, undefined) })) };
			},
		},
		authorized: () => true, // the key travels in the body (checked by the route)
		unauthorized: () => ({ status: 500, body: { status: 'error', code: -1, name: 'Invalid_Key', message: 'Invalid API key' } }),
		maxBodyBytes: 40 * 1024 * 1024,
		tooLarge: () => ({ status: 413, body: 'Request Entity Too Large' }),
		badJson: () => ({ status: 500, body: { status: 'error', code: -2, name: 'ValidationError', message: 'Invalid JSON' } }),
		seed: 31,
		retryAfterSeconds: 0.01,
		holdMs: 5000,
		lean: true,
	});
}

/** Mandrill takes its key in the body; the test transport adds it as the credential does. */
function withBodyKey(transport: ReturnType<typeof nodeHttpTransport>) {
	return Object.assign((r: Parameters<typeof transport>[0]) => transport({ ...r, body: JSON.stringify({ key: 'md-fault', ...JSON.parse(r.body) }) }), { close: () => transport.close() });
}

const cases: Array<{ name: string; provider: EspProvider; server: () => ProviderServer; auth: Record<string, string>; bodyKey?: boolean; n: number; idempotent: boolean }> = [
	{ name: 'Resend', provider: resend, server: resendServer, auth: { Authorization: 'Bearer re_fault_key' }, n: 10000, idempotent: true },
	{ name: 'Brevo', provider: brevo, server: brevoServer, auth: { 'api-key': 'xkeysib-fault' }, n: 3000, idempotent: true },
	{ name: 'Mandrill', provider: mandrill, server: mandrillServer, auth: {}, bodyKey: true, n: 3000, idempotent: false },
];

function reconcile(report: DispatchReport, server: ProviderServer): Record<string, number> {
	const accepted = new Map<string, string[]>();
	for (const a of server.accepted) accepted.set(a.recipient, [...(accepted.get(a.recipient) ?? []), a.messageId]);
	const counts: Record<string, number> = {};
	for (const o of report.outcomes) {
		counts[o.status] = (counts[o.status] ?? 0) + 1;
		const ids = accepted.get(o.recipient.toLowerCase()) ?? [];
		expect(ids.length).toBeLessThanOrEqual(1); // nobody is accepted twice
		if (o.status === 'sent') expect(o.providerMessageId).toContain(ids[0]);
		else if (o.status !== 'unknown') expect(ids).toHaveLength(0);
	}
	return counts;
}

describe.each(cases)('fault injection: $name', ({ provider, server: makeServer, auth, bodyKey, n, idempotent }) => {
	let server: ProviderServer;
	const raw = nodeHttpTransport({ headers: auth, timeoutMs: 1000, maxSockets: 16 });
	const transport = bodyKey ? withBodyKey(raw) : raw;
	beforeAll(async () => (server = await makeServer().start()));
	afterAll(async () => {
		raw.close();
		await server.stop();
	});
	beforeEach(() => server.reset());

	it(`${n} messages, 10% of requests 429/500/503/timeout-before-accept: each recipient accepted exactly once`, async () => {
		server.setFaults(0.1, ['429', '500', '503', 'timeout']);
		const report = await dispatch(renderedItems(n), httpChannel(provider, { baseUrl: server.url }, transport), {
			mode: 'rendered',
			batchSize: 25,
			limits: { concurrency: 8 },
			retry: fastRetry,
		});
		expect(reconcile(report, server)).toEqual({ sent: n });
		expect(server.accepted).toHaveLength(n);
		const faults = server.requests.filter((r) => r.fault).map((r) => r.fault!);
		for (const kind of ['429', '500', '503', 'timeout']) expect(faults).toContain(kind);
		expect(report.requests).toBe(server.requests.length);
	});

	it(`answers lost after acceptance: ${idempotent ? 'resent with the same idempotency key, replayed, all sent once' : 'unknown, never sent twice'}`, async () => {
		server.setFaults(0.1, ['429', '503', 'timeout', 'dropAfterAccept']);
		server.inject('dropAfterAccept', 'dropAfterAccept'); // at least two, whatever the random draw
		const report = await dispatch(renderedItems(2000, {}, 50000), httpChannel(provider, { baseUrl: server.url }, transport), {
			mode: 'rendered',
			batchSize: 25,
			limits: { concurrency: 8 },
			retry: fastRetry,
		});
		const counts = reconcile(report, server);
		const dropped = server.requests.filter((r) => r.fault === 'dropAfterAccept').length;
		expect(dropped).toBeGreaterThan(0);
		expect(server.accepted).toHaveLength(2000);
		if (idempotent) {
			expect(counts).toEqual({ sent: 2000 });
		} else {
			expect(counts.unknown).toBe(dropped * 25);
			expect(counts.sent).toBe(2000 - dropped * 25);
			for (const o of report.outcomes.filter((x) => x.status === 'unknown')) expect(o.error).toMatch(/not sent again/);
		}
	});
});
