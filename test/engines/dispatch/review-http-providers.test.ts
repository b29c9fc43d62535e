/**
 * Review of the HTTP providers other than Mailgun and SMTP (SendGrid, Postmark, SES, Resend,
 * Mandrill, Brevo) against their documented APIs: each test fails on the code before its fix.
 */
import { dispatch, httpChannel } from '../../../nodes/engines/dispatch/engine';
import { sendgrid } from '../../../nodes/engines/dispatch/providers/sendgrid';
import { nodeHttpTransport } from '../../../nodes/engines/dispatch/transport';
import type { ProviderServer } from '../../dispatch/servers/base';
import { mailSend, SENDGRID_KEY, sendgridServer, type DeliveredSendGrid } from '../../dispatch/servers/sendgrid';
import { fakeSleep, renderedItems } from '../../dispatch/helpers';
import { resend } from '../../../nodes/engines/dispatch/providers/resend';
import { brevo } from '../../../nodes/engines/dispatch/providers/brevo';
import { localTransport } from '../../dispatch/servers/provider-server';
import { ses } from '../../../nodes/engines/dispatch/providers/ses';
import { signAwsRequest } from '../../../nodes/engines/dispatch/sigv4';
import { SES_TEST_CREDENTIALS, startSesServer, type SesServer } from '../../dispatch/servers/ses';
import { RESEND_TEST_KEY, startResendServer, type ResendServer } from '../../dispatch/servers/resend';
import { BREVO_TEST_KEY, startBrevoServer, type BrevoServer } from '../../dispatch/servers/brevo';

describe('SendGrid: the 10,000-byte substitution budget is counted as the JSON SendGrid receives', () => {
	// "The total collective size of your substitutions may not exceed 10,000 bytes per
	// personalization object" (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/errors).
	// The substitutions travel as JSON: every `"` in the HTML is written `\"` and every line break
	// `\n`, so a body of 9,700 bytes with 400 quotes is 10,100+ bytes of substitutions. Sharing a
	// request through substitutions then gets the WHOLE request (up to 1,000 recipients) refused
	// with a 400; such a body must be sent as literal content instead.
	let server: ProviderServer;
	const transport = nodeHttpTransport({ headers: { Authorization: `Bearer ${SENDGRID_KEY}` }, timeoutMs: 2000 });
	beforeAll(async () => (server = await sendgridServer().start()));
	afterAll(async () => {
		transport.close();
		await server.stop();
	});
	beforeEach(() => server.reset());

	it('a body under 10,000 raw bytes but over it as JSON does not get its request refused', async () => {
		// 400 attributes `class="c"`: 400 × 2 quotes = 800 extra bytes once JSON-escaped.
		const body = (n: number) => `<p>${n}</p>` + '<b class="c">x</b>'.repeat(400) + 'y'.repeat(2400);
		const items = renderedItems(3).map((item, n) => ({ ...item, html: body(n), text: undefined }));
		const raw = Buffer.byteLength(items[0].html!, 'utf8');
		const json = Buffer.byteLength(JSON.stringify({ '[%pz_html%]': items[0].html }), 'utf8');
		expect(raw).toBeLessThan(9960); // fits the budget as raw text (with the provider's 40-byte margin)
		expect(json).toBeGreaterThan(10000); // not as the JSON SendGrid receives
		const report = await dispatch(items, httpChannel(sendgrid, { baseUrl: server.url }, transport), { mode: 'rendered', sleep: fakeSleep().sleep });
		expect(report.outcomes.map((o) => [o.status, o.error])).toEqual(items.map(() => ['queued', undefined]));
		const got = new Map(server.accepted.map((a) => [a.recipient, (a.message as DeliveredSendGrid).html]));
		for (const item of items) expect(got.get(item.to.email)).toBe(item.html);
	});
});

describe('Test mode sends again every run, also through providers that keep idempotency keys', () => {
	// Test mode "is not remembered as sent" (README, Guarantees): testing the same email twice must
	// mail the test address twice. Resend keeps an Idempotency-Key 24 hours and answers a repeated
	// key with the first answer "without actually sending the email again"
	// (https://resend.com/docs/dashboard/emails/idempotency-keys); Brevo keeps headers.idempotencyKey
	// 30 minutes and answers duplicate_parameter without processing the request
	// (https://developers.brevo.com/docs/heterogenous-versions-batch-emails). A test send's key was
	// `test-` + the item's key, the same in every run: the second test run was reported `sent`
	// (Resend) or `unknown` (Brevo) and nothing reached the test address.
	let resendServer: ResendServer;
	let brevoServer: BrevoServer;
	beforeAll(async () => {
		resendServer = await startResendServer();
		brevoServer = await startBrevoServer();
	});
	afterAll(async () => {
		await resendServer.close();
		await brevoServer.close();
	});
	const items = () => renderedItems(2, { unsubscribeUrl: 'https://shop.example.com/u/1' });
	const settings = () => ({ mode: 'rendered' as const, testAddress: 'qa@shop.example.com', sleep: fakeSleep().sleep });

	it('Resend: two test runs of the same items deliver to the test address twice', async () => {
		const channel = httpChannel(resend, {}, localTransport(resendServer.url, (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${RESEND_TEST_KEY}` } })));
		const first = await dispatch(items(), channel, settings());
		const second = await dispatch(items(), channel, settings());
		expect(first.outcomes.map((o) => o.status)).toEqual(['sent', 'sent']);
		expect(second.outcomes.map((o) => o.status)).toEqual(['sent', 'sent']);
		expect(resendServer.delivered).toHaveLength(4);
		// A test run's own ids, not the first run's replayed.
		expect(second.outcomes.map((o) => o.providerMessageId)).not.toEqual(first.outcomes.map((o) => o.providerMessageId));
		// Within one run the key stays the same for retries (a lost answer re-sends the same request).
		const keys = resendServer.received.map((r) => r.headers['idempotency-key']);
		expect(new Set(keys).size).toBe(keys.length);
	});

	it('Brevo: two test runs of the same items within 30 minutes deliver to the test address twice', async () => {
		const channel = httpChannel(brevo, {}, localTransport(brevoServer.url, (r) => ({ ...r, headers: { ...r.headers, 'api-key': BREVO_TEST_KEY } })));
		const first = await dispatch(items(), channel, settings());
		const second = await dispatch(items(), channel, settings());
		expect(first.outcomes.map((o) => o.status)).toEqual(['sent', 'sent']);
		expect(second.outcomes.map((o) => [o.status, o.error])).toEqual([['sent', undefined], ['sent', undefined]]);
		expect(brevoServer.delivered.filter((d) => d.to === 'qa@shop.example.com')).toHaveLength(4);
	});

	it('outside test mode the same items keep the same provider key from run to run (the provider drops the repeat)', async () => {
		resendServer.delivered.length = 0;
		const channel = httpChannel(resend, {}, localTransport(resendServer.url, (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${RESEND_TEST_KEY}` } })));
		const real = () => ({ mode: 'rendered' as const, sleep: fakeSleep().sleep });
		await dispatch(items(), channel, real());
		await dispatch(items(), channel, real());
		expect(resendServer.delivered).toHaveLength(2);
	});
});

describe('SendGrid: one recipient SendGrid refuses fails alone, not its whole request', () => {
	// SendGrid validates every personalization and answers 400 for the whole request when one
	// address does not pass, naming it in `field` ("personalizations.<n>.to.0.email"): nothing of
	// the request is sent ("Right now complete batch fails", https://github.com/sendgrid/sendgrid-nodejs/issues/974;
	// the error list, https://www.twilio.com/docs/sendgrid/api-reference/mail-send/errors). SendGrid
	// does not document its address validator, so this server refuses the addresses the test names,
	// in SendGrid's words, before its usual checks.
	const refused = new Set(['jane@gmail..com', 'bob@shop.example.com']);
	let server: ProviderServer;
	const transport = nodeHttpTransport({ headers: { Authorization: `Bearer ${SENDGRID_KEY}` }, timeoutMs: 2000 });
	beforeAll(async () => {
		server = await sendgridServer({
			routes: {
				'POST /v3/mail/send': (ctx) => {
					const ps = ((ctx.json as { personalizations?: Array<{ to: Array<{ email: string }> }> })?.personalizations ?? []);
					const at = ps.findIndex((p) => p.to.some((r) => refused.has(r.email)));
					if (at >= 0) return { status: 400, body: { errors: [{ message: 'Does not contain a valid address.', field: `personalizations.${at}.to.0.email`, help: null }] } };
					return mailSend(ctx);
				},
			},
		}).start();
	});
	afterAll(async () => {
		transport.close();
		await server.stop();
	});
	beforeEach(() => server.reset());

	it('5 recipients in one request, 2 refused: the 3 others are sent, the 2 fail with SendGrid\'s reason', async () => {
		const items = renderedItems(5);
		items[1].to = { email: 'jane@gmail..com' };
		items[3].to = { email: 'bob@shop.example.com' };
		const report = await dispatch(items, httpChannel(sendgrid, { baseUrl: server.url }, transport), { mode: 'rendered', sleep: fakeSleep().sleep });
		expect(report.outcomes.map((o) => o.status)).toEqual(['queued', 'failed', 'queued', 'failed', 'queued']);
		expect(report.outcomes[1].error).toMatch(/Does not contain a valid address/);
		expect(report.outcomes[1].responseCode).toBe(400);
		expect(server.accepted.map((a) => a.recipient).sort()).toEqual(['user0@example.com', 'user2@example.com', 'user4@example.com']);
		// each accepted once, each refused message tried once
		expect(report.outcomes.map((o) => o.attempts)).toEqual([1, 1, 1, 1, 1]);
	});

	it('a 400 naming a personalization\'s recipient list ("personalizations.N.to", SendGrid\'s wording) fails that recipient alone too', async () => {
		// "The to array is required for all personalization objects, and must have at least one email
		// object with a valid email address." with field "personalizations.1.to"
		// (https://github.com/sendgrid/sendgrid-ruby/issues/467, https://github.com/sendgrid/sendgrid-nodejs/issues/1425)
		const listServer = await sendgridServer({
			routes: {
				'POST /v3/mail/send': (ctx) => {
					const ps = (ctx.json as { personalizations?: Array<{ to: Array<{ email: string }> }> })?.personalizations ?? [];
					const at = ps.findIndex((p) => p.to.some((r) => r.email === 'list@refused.example.com'));
					if (at >= 0) return { status: 400, body: { errors: [{ message: 'The to array is required for all personalization objects, and must have at least one email object with a valid email address.', field: `personalizations.${at}.to`, help: null }] } };
					return mailSend(ctx);
				},
			},
		}).start();
		try {
			const items = renderedItems(4);
			items[2].to = { email: 'list@refused.example.com' };
			const report = await dispatch(items, httpChannel(sendgrid, { baseUrl: listServer.url }, transport), { mode: 'rendered', sleep: fakeSleep().sleep });
			expect(report.outcomes.map((o) => o.status)).toEqual(['queued', 'queued', 'failed', 'queued']);
			expect(report.outcomes[2].error).toMatch(/personalizations\.\d+\.to: The to array is required/);
			expect(listServer.requests).toHaveLength(2);
		} finally {
			await listServer.stop();
		}
	});

	it('a 400 naming something other than an address of one personalization (e.g. its headers) fails the whole request in one request, not one request per message', async () => {
		// A problem every message shares, reported on the first personalization only: failing that
		// one and sending the rest again would fail the next first one, one request per message.
		const headerServer = await sendgridServer({
			routes: { 'POST /v3/mail/send': () => ({ status: 400, body: { errors: [{ message: 'The header "Reply-To" is reserved.', field: 'personalizations.0.headers', help: null }] } }) },
		}).start();
		try {
			const report = await dispatch(renderedItems(6), httpChannel(sendgrid, { baseUrl: headerServer.url }, transport), { mode: 'rendered', sleep: fakeSleep().sleep });
			expect(report.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'failed']);
			expect(headerServer.requests).toHaveLength(1);
		} finally {
			await headerServer.stop();
		}
	});

	it('a 400 that names no personalization still fails the whole request (nothing to tell apart)', async () => {
		const items = renderedItems(3, { subject: 'x'.repeat(10) });
		items.forEach((i) => (i.from = { email: 'not-an-address' }));
		const report = await dispatch(items, httpChannel(sendgrid, { baseUrl: server.url }, transport), { mode: 'rendered', sleep: fakeSleep().sleep });
		expect(report.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'failed']);
		expect(server.requests).toHaveLength(1);
	});
});

describe('SES template mode: variables over ReplacementTemplateData\'s 262,144 characters fail alone', () => {
	// "ReplacementTemplateData ... Length Constraints: Maximum length of 262144"
	// (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_ReplacementTemplate.html). A length
	// constraint refuses the whole SendBulkEmail call: one recipient's oversized variables failed
	// the 49 others sharing it.
	let server: SesServer;
	beforeAll(async () => (server = await startSesServer()));
	afterAll(async () => server.close());
	const transport = () => localTransport(server.url, (r) => ({ ...r, headers: signAwsRequest(r, SES_TEST_CREDENTIALS, 'ses', new Date()) }));

	it('3 recipients in one call, one with 300,000 characters of variables: the 2 others are sent', async () => {
		const items = renderedItems(3).map((item, n) => ({
			...item,
			subject: undefined,
			html: undefined,
			text: undefined,
			templateId: 'welcome',
			variables: n === 1 ? { notes: 'x'.repeat(300000) } : { first_name: `U${n}` },
		}));
		const report = await dispatch(items, httpChannel(ses, { region: SES_TEST_CREDENTIALS.region }, transport()), { mode: 'template', sleep: fakeSleep().sleep });
		expect(report.outcomes.map((o) => o.status)).toEqual(['sent', 'failed', 'sent']);
		expect(report.outcomes[1].error).toMatch(/262,144/);
		expect(report.outcomes[1].error).toMatch(/field: variables/);
		expect(report.outcomes[1].attempts).toBe(0); // refused before any request
		expect(server.delivered.map((d) => d.to).sort()).toEqual(['"User 0" <user0@example.com>', '"User 2" <user2@example.com>']);
	});
});

describe('SendGrid: a 429 is waited out until X-RateLimit-Reset', () => {
	// SendGrid's 429 carries no Retry-After: "X-RateLimit-Reset: 1392815263", the Unix time the
	// refresh period ends (https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/rate-limits).
	// Read as nothing, the retries went by backoff alone (0.5 s, 1 s, 2 s, 4 s by default) and a
	// period of tens of seconds used up every attempt: the messages failed unsent.
	let server: ProviderServer;
	let calls = 0;
	const transport = nodeHttpTransport({ headers: { Authorization: `Bearer ${SENDGRID_KEY}` }, timeoutMs: 2000 });
	beforeAll(async () => {
		server = await sendgridServer({
			routes: {
				'POST /v3/mail/send': (ctx) => {
					if (++calls > 1) return mailSend(ctx);
					const reset = Math.floor(Date.now() / 1000) + 30;
					return { status: 429, headers: { 'X-RateLimit-Limit': '150', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) }, body: { errors: [{ field: null, message: 'too many requests' }] } };
				},
			},
		}).start();
	});
	afterAll(async () => {
		transport.close();
		await server.stop();
	});

	it('the retry waits until the reset time (about 30 s), not the first backoff step', async () => {
		const clock = fakeSleep();
		const report = await dispatch(renderedItems(2), httpChannel(sendgrid, { baseUrl: server.url }, transport), { mode: 'rendered', sleep: clock.sleep, now: clock.now, random: () => 0.5 });
		expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([['queued', 2], ['queued', 2]]);
		const waited = Math.max(...clock.delays);
		expect(waited).toBeGreaterThanOrEqual(28000);
		expect(waited).toBeLessThanOrEqual(31000);
	});
});
