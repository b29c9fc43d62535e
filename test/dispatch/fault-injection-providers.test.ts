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
 * The servers (servers/lean-providers.ts) are lean versions of the documented answers (the
 * full rule checks are in servers/resend.ts, brevo.ts and mandrill.ts).
 */
import { dispatch, httpChannel, type DispatchReport } from '../../nodes/engines/dispatch/engine';
import { brevo } from '../../nodes/engines/dispatch/providers/brevo';
import { mandrill } from '../../nodes/engines/dispatch/providers/mandrill';
import { mailgun } from '../../nodes/engines/dispatch/providers/mailgun';
import { resend } from '../../nodes/engines/dispatch/providers/resend';
import { nodeHttpTransport } from '../../nodes/engines/dispatch/transport';
import type { EspProvider } from '../../nodes/engines/dispatch/types';
import type { ProviderServer } from './servers/base';
import { brevoServer, mandrillServer, resendServer } from './servers/lean-providers';
import { MAILGUN_TEST_KEY, mailgunAuth, startMailgunServer, type MailgunServer } from './servers/mailgun';
import { renderedItems } from './helpers';

const fastRetry = { maxAttempts: 12, initialDelayMs: 2, maxDelayMs: 20, maxRetryAfterMs: 5000 };
/** Mandrill takes its key in the body; the test transport adds it as the credential does. */
function withBodyKey(transport: ReturnType<typeof nodeHttpTransport>) {
	return Object.assign((r: Parameters<typeof transport>[0]) => transport({ ...r, body: JSON.stringify({ key: 'md-fault', ...JSON.parse(r.body) }) }), { close: () => transport.close() });
}

const cases: Array<{ name: string; provider: EspProvider; server: () => ProviderServer; auth: Record<string, string>; bodyKey?: boolean; n: number; idempotent: boolean }> = [
	{ name: 'Resend', provider: resend, server: resendServer, auth: { Authorization: 'Bearer re_fault_key' }, n: 10000, idempotent: true },
	{ name: 'Brevo', provider: brevo, server: brevoServer, auth: { 'api-key': 'xkeysib-fault' }, n: 3000, idempotent: true },
	{ name: 'Mandrill', provider: mandrill, server: mandrillServer, auth: {}, bodyKey: true, n: 3000, idempotent: false },
];

const bare = (address: string) => (/<([^>]+)>\s*$/.exec(address)?.[1] ?? address).toLowerCase();

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
			// Every dropped answer leaves its 25 recipients unknown. On a loaded machine the client's own
			// 1 s timeout can also fire on a request the server went on to accept: that batch is
			// unknown too, for the same reason (accepted, answer never read), so the count is at least
			// the dropped batches', in whole batches; nobody is accepted twice (reconcile), and every
			// recipient is either sent or unknown.
			expect(counts.unknown).toBeGreaterThanOrEqual(dropped * 25);
			expect(counts.unknown % 25).toBe(0);
			expect(counts.sent + counts.unknown).toBe(2000);
			for (const o of report.outcomes.filter((x) => x.status === 'unknown')) expect(o.error).toMatch(/not sent again/);
		}
	});
});

/**
 * Mailgun (form bodies, so on its own local server, servers/mailgun.ts): 10% of requests get
 * 429 (+ Retry-After), 503, or are processed and then lose their answer. Mailgun has no
 * idempotency key: the lost batches end `unknown`, nobody is delivered twice, everybody else
 * once.
 */
describe('fault injection: Mailgun', () => {
	let server: MailgunServer;
	const transport = nodeHttpTransport({ headers: { authorization: mailgunAuth(MAILGUN_TEST_KEY) }, timeoutMs: 2000, maxSockets: 16, expectContinue: false });
	beforeAll(async () => (server = await startMailgunServer()));
	afterAll(async () => {
		transport.close();
		await server.close();
	});

	it('3,000 messages, 10% of requests 429/503/answer lost after acceptance: unknown or delivered exactly once', async () => {
		server.randomFaults(0.1, [{ status: 429, retryAfter: 0 }, { status: 503 }, { dropAfterAccept: true }], 5);
		server.faults.push({ dropAfterAccept: true });
		const report = await dispatch(renderedItems(3000), httpChannel(mailgun, { baseUrl: server.url, domain: 'mg.shop.example' }, transport), {
			mode: 'rendered',
			batchSize: 25,
			limits: { concurrency: 8 },
			retry: fastRetry,
		});
		const delivered = new Map<string, number>();
		for (const d of server.delivered) delivered.set(bare(d.to), (delivered.get(bare(d.to)) ?? 0) + 1);
		expect(Math.max(...delivered.values())).toBe(1);
		expect(delivered.size).toBe(3000);
		const dropped = server.faultLog.filter((f) => f && 'dropAfterAccept' in f).length;
		expect(dropped).toBeGreaterThan(0);
		const counts: Record<string, number> = {};
		for (const o of report.outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
		expect(counts).toEqual({ queued: 3000 - dropped * 25, unknown: dropped * 25 });
		expect(server.faultLog.some((f) => f && 'status' in f && f.status === 429)).toBe(true);
		const ids = new Map(server.delivered.map((d) => [bare(d.to), d.messageId]));
		for (const o of report.outcomes.filter((x) => x.status === 'queued')) expect(ids.get(o.recipient)).toBe(o.providerMessageId);
	});
});
