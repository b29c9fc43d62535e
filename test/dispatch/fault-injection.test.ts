/**
 * Fault injection: 10,000 messages while the local provider servers answer 10% of requests,
 * at random (seeded), with 429 (as each provider answers it), 500, 503 or a timeout before acceptance
 * (the server withholds "100 Continue", so the body is never sent). Every recipient must be
 * accepted exactly once, and every output status must match what the server recorded.
 * Then the same with answers dropped after acceptance: those messages are `unknown`, never
 * sent twice. Backoffs are shortened through the engine's retry settings to keep this fast.
 */
import { dispatch, httpChannel, type DispatchReport } from '../../nodes/engines/dispatch/engine';
import { postmark } from '../../nodes/engines/dispatch/providers/postmark';
import { sendgrid } from '../../nodes/engines/dispatch/providers/sendgrid';
import { nodeHttpTransport } from '../../nodes/engines/dispatch/transport';
import type { EspProvider } from '../../nodes/engines/dispatch/types';
import type { ProviderServer } from './servers/base';
import { POSTMARK_TOKEN, postmarkServer } from './servers/postmark';
import { SENDGRID_KEY, sendgridServer, sendgridTooManyRequests } from './servers/sendgrid';
import { renderedItems } from './helpers';

const N = 10000;
const fastRetry = { maxAttempts: 12, initialDelayMs: 2, maxDelayMs: 20, maxRetryAfterMs: 5000 };

const cases: Array<{ name: string; provider: EspProvider; server: () => ProviderServer; auth: Record<string, string>; ok: string }> = [
	// Each fake answers its injected 429s as its provider does: Postmark with no header (the retry
	// waits the backoff), SendGrid with X-RateLimit-Reset; here the current second, so that the ~20
	// 429s of a run (each pausing every worker until the reset) do not add ~10 s of waiting.
	{ name: 'Postmark', provider: postmark, server: () => postmarkServer({ seed: 7, holdMs: 5000, lean: true }), auth: { 'X-Postmark-Server-Token': POSTMARK_TOKEN }, ok: 'sent' },
	{ name: 'SendGrid', provider: sendgrid, server: () => sendgridServer({ seed: 11, holdMs: 5000, lean: true, tooManyRequests: () => sendgridTooManyRequests(0) }), auth: { Authorization: `Bearer ${SENDGRID_KEY}` }, ok: 'queued' },
];

/** Checks each outcome against the server's record; returns status counts. */
function reconcile(report: DispatchReport, server: ProviderServer): Record<string, number> {
	const accepted = new Map<string, string[]>();
	for (const a of server.accepted) accepted.set(a.recipient, [...(accepted.get(a.recipient) ?? []), a.messageId]);
	const counts: Record<string, number> = {};
	for (const o of report.outcomes) {
		counts[o.status] = (counts[o.status] ?? 0) + 1;
		const ids = accepted.get(o.recipient) ?? [];
		// Nobody is ever accepted twice.
		expect(ids.length).toBeLessThanOrEqual(1);
		if (o.status === 'sent' || o.status === 'queued') expect(ids).toEqual([o.providerMessageId ?? ids[0]]);
		else if (o.status !== 'unknown') expect(ids).toHaveLength(0); // unknown: at most once, checked above
	}
	return counts;
}

describe.each(cases)('fault injection: $name', ({ provider, server: makeServer, auth, ok }) => {
	let server: ProviderServer;
	// 3 s: long enough that a loaded CI box does not time out a request the server is answering
	// (that would rightly be `unknown`), shorter than the 5 s a timeout fault holds the socket.
	const transport = nodeHttpTransport({ headers: auth, timeoutMs: 3000, maxSockets: 16 });
	beforeAll(async () => (server = await makeServer().start()));
	afterAll(async () => {
		transport.close();
		await server.stop();
	});
	beforeEach(() => server.reset());

	it(`${N} messages, 10% of requests 429/500/503/timeout-before-accept: each recipient accepted exactly once, statuses true to the server`, async () => {
		server.setFaults(0.1, ['429', '500', '503', 'timeout']);
		const report = await dispatch(renderedItems(N), httpChannel(provider, { baseUrl: server.url }, transport), {
			mode: 'rendered',
			batchSize: 25,
			limits: { concurrency: 8 },
			retry: fastRetry,
		});
		const counts = reconcile(report, server);
		expect(counts).toEqual({ [ok]: N });
		expect(server.accepted).toHaveLength(N);
		const faults = server.requests.filter((r) => r.fault).map((r) => r.fault!);
		for (const kind of ['429', '500', '503', 'timeout']) expect(faults).toContain(kind);
		const share = faults.length / server.requests.length;
		expect(share).toBeGreaterThan(0.06);
		expect(share).toBeLessThan(0.14);
		expect(report.requests).toBe(server.requests.length);
		// Attempts: one per request that carried the message (first tries = N/25 requests).
		const attempts = report.outcomes.reduce((sum, o) => sum + o.attempts, 0);
		expect(attempts).toBe(server.requests.reduce((sum, r) => sum + (r.fault ? 25 : 0), 0) + N);
	});

	it('answers dropped after acceptance (with other faults): those recipients are unknown, none sent twice', async () => {
		server.setFaults(0.1, ['429', '503', 'timeout', 'dropAfterAccept']);
		const report = await dispatch(renderedItems(2000), httpChannel(provider, { baseUrl: server.url }, transport), {
			mode: 'rendered',
			batchSize: 25,
			limits: { concurrency: 8 },
			retry: fastRetry,
		});
		const counts = reconcile(report, server);
		const dropped = server.requests.filter((r) => r.fault === 'dropAfterAccept').length;
		expect(dropped).toBeGreaterThan(0);
		expect(counts.unknown).toBe(dropped * 25);
		expect(counts[ok]).toBe(2000 - dropped * 25);
		expect(server.accepted).toHaveLength(2000);
		for (const o of report.outcomes.filter((x) => x.status === 'unknown')) expect(o.error).toMatch(/not sent again/);
	});
});
