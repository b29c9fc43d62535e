/**
 * Review of the HTTP providers other than Mailgun and SMTP (SendGrid, Postmark, SES, Resend,
 * Mandrill, Brevo) against their documented APIs: each test fails on the code before its fix.
 */
import { dispatch, httpChannel } from '../../../nodes/engines/dispatch/engine';
import { sendgrid } from '../../../nodes/engines/dispatch/providers/sendgrid';
import { nodeHttpTransport } from '../../../nodes/engines/dispatch/transport';
import type { ProviderServer } from '../../dispatch/servers/base';
import { SENDGRID_KEY, sendgridServer, type DeliveredSendGrid } from '../../dispatch/servers/sendgrid';
import { fakeSleep, renderedItems } from '../../dispatch/helpers';

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
