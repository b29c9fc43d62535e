/**
 * review4 (the tests of branch review4, adapted): the attribution header-line check of 1e0eb47 and
 * the Mailgun `b64-` variables of 1a0697c.
 *
 *  F1 SMTP: the check measures the header as nodemailer writes it (RFC 2047 encoded-words for
 *     non-ASCII, folded at white space, a long run without white space alone on a continuation
 *     line), so it refuses only what would go out on a line over 998 characters. Edges found by
 *     compiling the real MIME (compileMime) and measuring the longest line of the header.
 *  F2 Mailgun, template mode: in a batch the template variables are `v:` fields too, which Mailgun
 *     writes into X-Mailgun-Variables with the `pz_*` ones. Lengths by hand, message ids `k0`/`k1`
 *     (the items' keys), userIds `u-0`/`u-1`, campaign C characters, firstName F + 1 (F × `n` and the
 *     item's digit):
 *       {"pz_message_id":"k0",                 22
 *       "pz_campaign_id":"…"                   19 + C
 *       ,"pz_user_id":"u-0"                    19
 *       ,"firstName":"…"                       16 + F
 *       }                                      1
 *     = 77 + C + F, and "X-Mailgun-Variables: " 21: 98 + C + F. C + F = 900 is a 998-character line
 *     (batched), 901 a 999-character one: each message is then sent alone, its template variables
 *     in `t:variables`, its X-Mailgun-Variables the `pz_*` ones: 21 + 22 + 19 + C + 19 + 1.
 *  F3 the error names the fields as the editor does, in the user's characters, one unit for all.
 *  F4 decodeTagValue reads only what the tag and header carriers are written in; the JSON form
 *     (`b64-dHJ1ZQ` for `true`, base64url of "true" by Python's base64.urlsafe_b64encode, padding
 *     stripped) is Mailgun's alone.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const libmime = require('libmime') as { decodeWords(value: string): string };
import { checkSmtpMessage, compileMime, metadataHeaders } from '../../../nodes/engines/dispatch/smtp';
import { brevo } from '../../../nodes/engines/dispatch/providers/brevo';
import { mailgun } from '../../../nodes/engines/dispatch/providers/mailgun';
import { dispatch, httpChannel, type DispatchItem } from '../../../nodes/engines/dispatch/engine';
import { decodeAttributionValue, decodeTagValue, decodeVariableValue, encodeTagValue, encodeVariableValue } from '../../../nodes/engines/types/attribution';
import type { OutboundMessage } from '../../../nodes/engines/dispatch/types';
import { mailgunAuth, startMailgunServer, type MailgunServer } from '../../dispatch/servers/mailgun';
import { localTransport } from '../../dispatch/servers/provider-server';
import { dispatchItem } from '../../harness/dispatch-engine';
import { fixtureBody, normalizeAs, resendOpenWithTags, sesOpenWithTags } from '../../harness/event-fixtures';
import { msg } from './provider-fixtures';

const withCampaign = (campaign: string, extra: Record<string, string> = {}) => msg(0, { metadata: { pz_message_id: 'm1', pz_campaign_id: campaign, ...extra } });

/** The lines of one header as nodemailer writes it (first line + folded continuation lines), and its value read back. */
async function headerLines(message: OutboundMessage, name: string): Promise<{ lines: string[]; readBack: unknown }> {
	const all = (await compileMime(message)).toString('latin1').split('\r\n\r\n')[0].split('\r\n');
	const start = all.findIndex((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
	if (start < 0) return { lines: [], readBack: undefined };
	let end = start + 1;
	while (end < all.length && /^[ \t]/.test(all[end])) end++;
	// unfolded (RFC 5322 §2.2.3), encoded words decoded (RFC 2047)
	const value = all.slice(start, end).join('').replace(/^[^:]*:\s*/, '');
	return { lines: all.slice(start, end), readBack: libmime.decodeWords(value) };
}
const longest = (lines: string[]) => Math.max(0, ...lines.map((l) => l.length));

describe('F1 SMTP: refused only when nodemailer would write a line over 998 characters', () => {
	const cases: Array<[string, string]> = [
		// non-ASCII: RFC 2047-encoded and folded (33 lines of <= 70 characters)
		['330 CJK characters (990 UTF-8 bytes)', '春'.repeat(330)],
		['491 x "é" (982 UTF-8 bytes)', 'é'.repeat(491)],
		// printable ASCII with spaces: folded at the spaces
		['a 1,079-character campaign name with spaces', 'Spring sale '.repeat(90).trim()],
		// no white space: folded after "X-Pz-Campaign-ID:", the value alone on a line (1 + 981)
		['981 characters without white space', 'c'.repeat(981)],
		['997 characters without white space', 'c'.repeat(997)],
		// a quote makes nodemailer encode the whole value, folded like non-ASCII
		['a quote and 1,200 characters without white space', `"${'c'.repeat(1200)}`],
	];
	it.each(cases)('%s: every line <= 998 and read back exactly: sent', async (_name, campaign) => {
		const { lines, readBack } = await headerLines(withCampaign(campaign), 'X-Pz-Campaign-Id');
		expect(longest(lines)).toBeLessThanOrEqual(998);
		expect(readBack).toBe(campaign);
		expect(checkSmtpMessage(withCampaign(campaign))).toBeUndefined();
	});

	it('at the edges, refused exactly when the compiled header has a line over 998', async () => {
		const values = [
			'c'.repeat(997), // " " + 997 = 998
			'c'.repeat(998), // 999
			`Spring ${'c'.repeat(997)}`, // the run on a line of its own: 998
			`Spring ${'c'.repeat(998)}`, // 999
			`${'c'.repeat(997)} sale`, // 998, " sale" on the next line
			`${'c'.repeat(998)} sale`, // 999
		];
		const found: Array<[number, boolean]> = [];
		for (const value of values) found.push([longest((await headerLines(withCampaign(value), 'X-Pz-Campaign-Id')).lines), checkSmtpMessage(withCampaign(value)) !== undefined]);
		expect(found).toEqual([
			[998, false],
			[999, true],
			[998, false],
			[999, true],
			[998, false],
			[999, true],
		]);
	});

	it('the userId is left out exactly when its compiled header would have a line over 998', async () => {
		for (const [userId, lineLength, kept] of [
			['u'.repeat(997), 998, true],
			['u'.repeat(998), 999, false],
			['ü'.repeat(900), 70, true], // encoded and folded: was left out when counted as 1,800 bytes on one line
		] as Array<[string, number, boolean]>) {
			const metadata = { pz_message_id: 'm1', pz_user_id: userId };
			expect([userId.length, 'X-Pz-User-Id' in metadataHeaders(metadata)]).toEqual([userId.length, kept]);
			// what nodemailer would write for it, measured on the header alone
			const { lines } = await headerLines(msg(0, { metadata: { pz_message_id: 'm1', pz_campaign_id: userId } }), 'X-Pz-Campaign-Id');
			expect(longest(lines)).toBe(lineLength);
		}
	});
});

describe('F2 Mailgun template mode: what the header holds in a batch is counted; a message that would be over is sent alone', () => {
	let server: MailgunServer;
	beforeAll(async () => {
		server = await startMailgunServer();
	});
	afterAll(() => server.close());
	beforeEach(() => {
		server.delivered.length = 0;
	});

	const channel = () => httpChannel(mailgun, { domain: 'mg.shop.example' }, localTransport(server.url, (r) => ({ ...r, headers: { ...r.headers, authorization: mailgunAuth() } })));
	const items = (campaign: number, firstName: (i: number) => string): DispatchItem[] =>
		[0, 1].map((i) =>
			dispatchItem(i, {
				subject: undefined,
				html: undefined,
				templateId: 'spring',
				variables: { firstName: firstName(i) },
				idempotencyKey: `k${i}`,
				campaignId: 'c'.repeat(campaign),
				attribution: { userId: `u-${i}` },
			}),
		);
	/** Each recipient's X-Mailgun-Variables line as Mailgun writes every v: value into it. */
	const lines = () => server.delivered.map((d) => `X-Mailgun-Variables: ${JSON.stringify(d.variables)}`.length);

	it('C + F = 900: one batch, each recipient on a 998-character line with its userId and firstName', async () => {
		const report = await dispatch(items(650, (i) => `${'n'.repeat(250)}${i}`), channel(), { mode: 'template' });
		expect(report.outcomes.map((o) => o.status)).toEqual(['queued', 'queued']);
		expect(report.requests).toBe(1);
		expect(lines()).toEqual([998, 998]);
		expect(server.delivered.map((d) => [d.variables.pz_user_id, d.variables.firstName])).toEqual([
			['u-0', `${'n'.repeat(250)}0`],
			['u-1', `${'n'.repeat(250)}1`],
		]);
	});

	it('C + F = 901: each sent alone, firstName in t:variables, the header 733 characters with the userId', async () => {
		const report = await dispatch(items(651, (i) => `${'n'.repeat(250)}${i}`), channel(), { mode: 'template' });
		expect(report.outcomes.map((o) => o.status)).toEqual(['queued', 'queued']);
		expect(report.requests).toBe(2);
		expect(lines()).toEqual([733, 733]);
		expect(server.delivered.map((d) => [d.variables.pz_user_id, d.templateVariables?.firstName])).toEqual([
			['u-0', `${'n'.repeat(250)}0`],
			['u-1', `${'n'.repeat(250)}1`],
		]);
	});

	it('the reviewer\'s case (campaign 700, firstName 251): no line over 998, nothing lost', async () => {
		const report = await dispatch(items(700, (i) => `${'n'.repeat(250)}${i}`), channel(), { mode: 'template' });
		expect(report.outcomes.map((o) => o.status)).toEqual(['queued', 'queued']);
		expect(Math.max(...lines())).toBeLessThanOrEqual(998); // was 1,048 in one batch
		expect(server.delivered.map((d) => [Object.keys(d.variables).sort(), Object.keys(d.templateVariables ?? {})])).toEqual([
			[['pz_campaign_id', 'pz_message_id', 'pz_user_id'], ['firstName']],
			[['pz_campaign_id', 'pz_message_id', 'pz_user_id'], ['firstName']],
		]);
	});

	it('a non-ASCII template value is counted at its longest (a \\u escape per character: Mailgun documents neither form)', async () => {
		// firstName 'é' × 42 + digit counted 6 × 42 + 1 = 253 = F + 1: 98 + 650 + 252 = 1,000, over: sent alone
		const report = await dispatch(items(650, (i) => `${'é'.repeat(42)}${i}`), channel(), { mode: 'template' });
		expect(report.requests).toBe(2);
		// 41 × 6 + 1 = 247: 98 + 650 + 246 = 994: one batch
		server.delivered.length = 0;
		const batched = await dispatch(items(650, (i) => `${'é'.repeat(41)}${i}`), channel(), { mode: 'template' });
		expect(batched.requests).toBe(1);
	});
});

describe('F3 the refusal names the fields as the editor does, in the user\'s characters', () => {
	const refusing = httpChannel(mailgun, { domain: 'd' }, async () => {
		throw new Error('not sent');
	});

	it('"Campaign ID" (the field label), not pz_campaign_id', async () => {
		const report = await dispatch([dispatchItem(0, { idempotencyKey: 'k0', campaignId: 'c'.repeat(936) })], refusing, { mode: 'rendered' });
		expect(report.outcomes[0].status).toBe('failed');
		expect(report.outcomes[0].error).toBe(
			'Item 0: the attribution does not fit on one header line: Campaign ID is 936 characters; its first 935 would fit (the X-Mailgun-Variables header, the attribution as JSON on one line, would be 999 characters; RFC 5322 allows 998) (field: campaignId)',
		);
	});

	it('a value from the input item is named so (Variant from pz_variant); Segment and Experiment ID by their labels', async () => {
		// {"pz_message_id":"k0","pz_variant":"…"}: 22 + 15 + n + 1, with "X-Mailgun-Variables: " 59 + n: 940 is over, 939 fits
		const fromItem = dispatchItem(0, { idempotencyKey: 'k0', attribution: { variant: 'v'.repeat(940) }, attributionFrom: { variant: 'pz_variant' } });
		const [item] = (await dispatch([fromItem], refusing, { mode: 'rendered' })).outcomes;
		expect(item.error).toMatch(/^Item 0: the attribution does not fit on one header line: Variant \(from the input item's pz_variant\) is 940 characters; its first 939 would fit \(.*\) \(field: pz_variant\)$/);
		// 21 + 22 + (15 + n) + (22 + n) + 1 = 81 + 2n: 2,081 for 1,000 each, each alone still over; both cut to 458 fit
		const option = dispatchItem(0, { idempotencyKey: 'k0', attribution: { segment: 's'.repeat(1000), experimentId: 'e'.repeat(1000) } });
		const [both] = (await dispatch([option], refusing, { mode: 'rendered' })).outcomes;
		expect(both.error).toBe(
			'Item 0: the attribution does not fit on one header line: Segment (1,000 characters) and Experiment ID (1,000 characters) are too long together; the first 458 characters of each would fit (the X-Mailgun-Variables header, the attribution as JSON on one line, would be 2,081 characters; RFC 5322 allows 998) (field: segment, experimentId)',
		);
	});

	it('lengths are the user\'s characters, not the b64- form; how many fit counted through the same writer', () => {
		// 'é' × 699: written `b64-` + 1,864; Mailgun 21 + 42 + 4 + ⌈8n / 3⌉ <= 998 for n <= 349
		expect(mailgun.check!(withCampaign('é'.repeat(699)), 'rendered')?.message).toMatch(/: Campaign ID is 699 characters; its first 349 would fit \(/);
		// an emoji is one character (two UTF-16 units): 468 × '😀' is 1,872 bytes, `b64-` + 2,496
		expect(brevo.check!(withCampaign('😀'.repeat(468)), 'rendered')?.message).toMatch(/: Campaign ID is 468 characters; /);
	});

	it('one unit for every provider: characters (SMTP no longer says bytes)', () => {
		const smtp = checkSmtpMessage(withCampaign('c'.repeat(1200)))!.message;
		expect(smtp).toBe(
			'the attribution does not fit on one header line: Campaign ID is 1,200 characters; its first 997 would fit (the X-Pz-Campaign-Id header would have a line of 1,201 characters, since a header is folded only at white space; RFC 5322 allows 998)',
		);
		for (const text of [smtp, mailgun.check!(withCampaign('c'.repeat(1200)), 'rendered')!.message, brevo.check!(withCampaign('c'.repeat(1200)), 'rendered')!.message]) {
			expect(text).not.toMatch(/bytes|as written/);
		}
	});
});

describe('F4 the JSON-variable form is Mailgun\'s alone', () => {
	it('decodeTagValue and decodeAttributionValue keep b64-dHJ1ZQ (no tag or header carrier is written so); decodeVariableValue reads "true"', () => {
		expect([encodeTagValue('true'), encodeVariableValue('true')]).toEqual(['true', 'b64-dHJ1ZQ']);
		expect(decodeTagValue('b64-dHJ1ZQ')).toBeNull();
		expect(decodeAttributionValue('b64-dHJ1ZQ')).toBe('b64-dHJ1ZQ');
		expect(decodeVariableValue('b64-dHJ1ZQ')).toBe('true');
		// the forms both write are read by both
		expect([decodeTagValue('b64-w4l0w6kgMjAyNQ'), decodeVariableValue('b64-w4l0w6kgMjAyNQ')]).toEqual(['Été 2025', 'Été 2025']);
	});

	it('through the sources: SES, Resend and Brevo keep it as it came (the userId dropped); Mailgun reads true', () => {
		const meta = { pz_campaign_id: 'b64-dHJ1ZQ', pz_user_id: 'b64-dHJ1ZQ' };
		const one = (source: string, payload: unknown) => {
			const [event] = normalizeAs(source, payload);
			return [event.properties.campaign_id, event.properties.user_id ?? null];
		};
		const mailgunBody = fixtureBody('mailgun', 'opened');
		mailgunBody['event-data'] = { ...(mailgunBody['event-data'] as object), 'user-variables': meta };
		expect({
			ses: one('ses', sesOpenWithTags(Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, [v]])))),
			resend: one('resend', resendOpenWithTags(meta)),
			brevo: one('brevo', { ...fixtureBody('brevo', 'opened'), 'X-Mailin-custom': JSON.stringify(meta) }),
			mailgun: one('mailgun', mailgunBody),
		}).toEqual({
			ses: ['b64-dHJ1ZQ', null],
			resend: ['b64-dHJ1ZQ', null],
			brevo: ['b64-dHJ1ZQ', null],
			mailgun: ['true', 'true'],
		});
	});
});
