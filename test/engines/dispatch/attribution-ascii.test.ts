/**
 * Attribution values (campaign, variant, segment, experiment, message id) where the carrier must be
 * ASCII or tag-safe, as the recipient's userId already was:
 *  - Brevo's X-Mailin-custom and Mailgun's variables (X-Mailgun-Variables) are header values:
 *    printable US-ASCII (RFC 5322 §2.2), and Brevo sends a custom header's non-ASCII characters as
 *    raw 8-bit (django-anymail's Brevo docs, "Metadata and extra_headers values must be ASCII"). A
 *    value that is not printable ASCII, holds `"` or `\` (which JSON escapes), or starts with `b64-`
 *    itself, is written `b64-` + base64url of its UTF-8 bytes; other values as they are.
 *  - SES message tags and Resend tags allow only ASCII letters, digits, `_` and `-`, at most 256
 *    characters (API_MessageTag; Resend's send-email `tags`): other values are written `b64-` +
 *    base64url too (they were rewritten with `_`, so `spring.sale` and `spring_sale` were one
 *    value, and cut at 256); one whose written form is over 256 characters is left out.
 *  - SMTP: nodemailer writes a non-ASCII X-Pz-* value as RFC 2047 encoded words (unchanged).
 *
 * Expected forms computed with Python's base64.urlsafe_b64encode (padding stripped):
 * 'Été 2025' → w4l0w6kgMjAyNQ, 'größer' → Z3LDtsOfZXI, 'VIP ♥' → VklQIOKZpQ,
 * 'exp/2025' → ZXhwLzIwMjU, 'b64-x' → YjY0LXg, 'say "hi"' → c2F5ICJoaSI, 'a\b' → YVxi,
 * 'spring.sale' → c3ByaW5nLnNhbGU, 'b64-spring' → YjY0LXNwcmluZw, 'm.1' → bS4x.
 *
 * Line limits by hand (RFC 5322 §2.1.1: 998 characters): `{"pz_message_id":"m1","pz_campaign_id":"",
 * "pz_user_id":"u1"}` is 60 characters; `b64-` + base64url of n bytes is 4 + ⌈4n/3⌉. 'é' × k is
 * 2k bytes: k = 343 → 4 + 915 = 919, k = 344 → 4 + 918 = 922, k = 342 → 4 + 912 = 916.
 * Brevo ("X-Mailin-custom: " is 17): 17 + 60 + 919 = 996 (the userId kept), 17 + 60 + 922 = 999
 * (left out). Mailgun ("X-Mailgun-Variables: " is 21): 21 + 60 + 916 = 997 (kept), 21 + 60 + 919 =
 * 1000 (left out). Counted raw (the former count, UTF-8 bytes), 'é' × 344 made 17 + 60 + 688 = 765.
 */
import { brevo } from '../../../nodes/engines/dispatch/providers/brevo';
import { mailgun } from '../../../nodes/engines/dispatch/providers/mailgun';
import { resend } from '../../../nodes/engines/dispatch/providers/resend';
import { ses } from '../../../nodes/engines/dispatch/providers/ses';
import { compileMime } from '../../../nodes/engines/dispatch/smtp';
import type { OutboundMessage } from '../../../nodes/engines/dispatch/types';
import { parseMultipart } from '../../dispatch/servers/provider-server';
import { msg } from './provider-fixtures';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ATTRIBUTION = { pz_message_id: 'm1', pz_campaign_id: 'Été 2025', pz_variant: 'größer', pz_segment: 'VIP ♥', pz_experiment_id: 'exp/2025' };
const withMeta = (index: number, metadata: Record<string, string>): OutboundMessage => msg(index, { metadata });

describe('Brevo: X-Mailin-custom', () => {
	const custom = (messages: OutboundMessage[]): string[] => {
		const body = JSON.parse(brevo.plan(messages, 'rendered', {})[0].request.body);
		return messages.length === 1 ? [body.headers['X-Mailin-custom']] : body.messageVersions.map((v: { headers: Record<string, string> }) => v.headers['X-Mailin-custom']);
	};

	it('non-ASCII campaign, variant and segment in the b64- form; printable ASCII as it is', () => {
		const [header] = custom([withMeta(0, ATTRIBUTION)]);
		expect(header).toMatch(PRINTABLE_ASCII);
		expect(JSON.parse(header)).toEqual({
			pz_message_id: 'm1',
			pz_campaign_id: 'b64-w4l0w6kgMjAyNQ',
			pz_variant: 'b64-Z3LDtsOfZXI',
			pz_segment: 'b64-VklQIOKZpQ',
			pz_experiment_id: 'exp/2025',
		});
	});

	it('a value starting with b64- itself, or holding " or \\, is encoded too; each version its own', () => {
		const headers = custom([
			withMeta(0, { pz_message_id: 'm0', pz_campaign_id: 'b64-x', pz_variant: 'A' }),
			withMeta(1, { pz_message_id: 'm1', pz_campaign_id: 'spring sale', pz_segment: 'say "hi"', pz_variant: 'a\\b' }),
		]);
		for (const h of headers) expect(h).toMatch(PRINTABLE_ASCII);
		expect(headers.map((h) => JSON.parse(h))).toEqual([
			{ pz_message_id: 'm0', pz_campaign_id: 'b64-YjY0LXg', pz_variant: 'A' },
			{ pz_message_id: 'm1', pz_campaign_id: 'spring sale', pz_segment: 'b64-c2F5ICJoaSI', pz_variant: 'b64-YVxi' },
		]);
	});

	it('the userId is kept while the line, the encoded campaign counted, fits 998 characters', () => {
		const meta = (k: number) => ({ pz_message_id: 'm1', pz_campaign_id: 'é'.repeat(k), pz_user_id: 'u1' });
		const [kept] = custom([withMeta(0, meta(343))]);
		expect(`X-Mailin-custom: ${kept}`).toHaveLength(996);
		expect(JSON.parse(kept).pz_user_id).toBe('u1');
		const [over] = custom([withMeta(0, meta(344))]);
		expect(JSON.parse(over)).not.toHaveProperty('pz_user_id');
		expect(JSON.parse(over).pz_campaign_id).toHaveLength(922);
		expect(over).toMatch(PRINTABLE_ASCII);
	});
});

describe('Mailgun: v: variables', () => {
	const fields = (messages: OutboundMessage[]) => {
		const plan = mailgun.plan(messages, 'rendered', { domain: 'mg.shop.example' })[0];
		return parseMultipart(plan.request.body, plan.request.headers['content-type']);
	};

	it('one message: the written form in each v: field', () => {
		const f = fields([withMeta(0, ATTRIBUTION)]);
		expect(['pz_message_id', 'pz_campaign_id', 'pz_variant', 'pz_segment', 'pz_experiment_id'].map((k) => f.get(`v:${k}`))).toEqual([
			['m1'],
			['b64-w4l0w6kgMjAyNQ'],
			['b64-Z3LDtsOfZXI'],
			['b64-VklQIOKZpQ'],
			['exp/2025'],
		]);
	});

	it('a batch: each recipient\'s written form through recipient-variables, all printable ASCII', () => {
		const f = fields([withMeta(0, ATTRIBUTION), withMeta(1, { ...ATTRIBUTION, pz_message_id: 'm2', pz_variant: 'b64-x' })]);
		expect(f.get('v:pz_variant')).toEqual(['%recipient.pz_v_pz_variant%']);
		const raw = f.get('recipient-variables')![0];
		expect(raw).toMatch(PRINTABLE_ASCII);
		const vars = JSON.parse(raw) as Record<string, Record<string, string>>;
		expect([vars['user0@example.com'].pz_v_pz_variant, vars['user1@example.com'].pz_v_pz_variant]).toEqual(['b64-Z3LDtsOfZXI', 'b64-YjY0LXg']);
		// shared by both: sent literally, in its written form
		expect(f.get('v:pz_campaign_id')).toEqual(['b64-w4l0w6kgMjAyNQ']);
	});

	it('the userId is kept while "X-Mailgun-Variables: <JSON>", the encoded campaign counted, fits 998 characters', () => {
		const meta = (k: number) => ({ pz_message_id: 'm1', pz_campaign_id: 'é'.repeat(k), pz_user_id: 'u1' });
		expect(fields([withMeta(0, meta(342))]).get('v:pz_user_id')).toEqual(['u1']);
		const over = fields([withMeta(0, meta(343))]);
		expect(over.has('v:pz_user_id')).toBe(false);
		expect(over.get('v:pz_campaign_id')![0]).toHaveLength(919);
	});
});

describe('Amazon SES and Resend: tags', () => {
	const sesTags = (m: OutboundMessage) => Object.fromEntries((JSON.parse(ses.plan([m], 'rendered', {})[0].request.body).EmailTags as Array<{ Name: string; Value: string }>).map((t) => [t.Name, t.Value]));
	const bulkTags = (m: OutboundMessage) =>
		Object.fromEntries((JSON.parse(ses.plan([{ ...m, templateId: 'welcome' }], 'template', {})[0].request.body).BulkEmailEntries[0].ReplacementTags as Array<{ Name: string; Value: string }>).map((t) => [t.Name, t.Value]));
	const resendTags = (m: OutboundMessage) => Object.fromEntries((JSON.parse(resend.plan([m], 'rendered', {})[0].request.body).tags as Array<{ name: string; value: string }>).map((t) => [t.name, t.value]));
	const each = (m: OutboundMessage) => [sesTags(m), bulkTags(m), resendTags(m)];

	it('a value with other characters than letters, digits, _ and - in the b64- form (was rewritten with _)', () => {
		for (const tags of each(withMeta(0, ATTRIBUTION))) {
			expect(tags).toEqual({
				pz_message_id: 'm1',
				pz_campaign_id: 'b64-w4l0w6kgMjAyNQ',
				pz_variant: 'b64-Z3LDtsOfZXI',
				pz_segment: 'b64-VklQIOKZpQ',
				pz_experiment_id: 'b64-ZXhwLzIwMjU',
				'spring-sale': 'true',
			});
		}
	});

	it('spring.sale and spring_sale are two values; a tag-safe value as it is; one starting with b64- encoded', () => {
		expect(sesTags(withMeta(0, { pz_message_id: 'm.1', pz_campaign_id: 'spring.sale', pz_variant: 'spring_sale', pz_segment: 'b64-spring' }))).toEqual({
			pz_message_id: 'b64-bS4x',
			pz_campaign_id: 'b64-c3ByaW5nLnNhbGU',
			pz_variant: 'spring_sale',
			pz_segment: 'b64-YjY0LXNwcmluZw',
			'spring-sale': 'true',
		});
	});

	it('a written form over 256 characters is left out, not cut; the message is sent with the rest', () => {
		const x = (n: number) => 'x'.repeat(n);
		// '|' + 188 × 'x' is 189 bytes → 4 + 252 = 256 characters; '|' + 189 × 'x' → 4 + 254 = 258
		for (const tags of each(withMeta(0, { pz_message_id: 'm1', pz_campaign_id: x(256), pz_variant: `|${x(188)}`, pz_segment: x(257), pz_experiment_id: `|${x(189)}` }))) {
			expect(Object.keys(tags)).toEqual(['pz_message_id', 'pz_campaign_id', 'pz_variant', 'spring-sale']);
			expect(tags.pz_campaign_id).toBe(x(256));
			expect(tags.pz_variant).toHaveLength(256);
			expect(tags.pz_variant.startsWith('b64-fHh4')).toBe(true); // '|xx' → fHh4
		}
	});
});

describe('SMTP: X-Pz-* headers', () => {
	/** Header fields of a MIME message, unfolded (RFC 5322 §2.2.3), by lower-case name. */
	const headerFields = (mime: string) => {
		const head = mime.split('\r\n\r\n')[0].replace(/\r\n(?=[ \t])/g, '');
		return new Map(head.split('\r\n').map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
	};
	/** RFC 2047 encoded words (UTF-8, B or Q) → text; white space between adjacent encoded words is dropped (§6.2). */
	const decodeWords = (value: string) => {
		const bytes: Buffer[] = [];
		for (const [, enc, text] of value.matchAll(/=\?UTF-8\?([BQ])\?([^?]*)\?=/gi)) {
			bytes.push(enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1'));
		}
		return Buffer.concat(bytes).toString('utf8');
	};

	it('a non-ASCII value is written as RFC 2047 encoded words (ASCII, lines within 998) and reads back exactly: no b64- form there', async () => {
		const mime = (await compileMime(withMeta(0, ATTRIBUTION))).toString('latin1');
		const head = mime.split('\r\n\r\n')[0];
		expect(head).toMatch(/^[\x00-\x7f]*$/);
		for (const line of head.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
		const fields = headerFields(mime);
		expect(decodeWords(fields.get('x-pz-campaign-id')!)).toBe('Été 2025');
		expect(decodeWords(fields.get('x-pz-variant')!)).toBe('größer');
		expect(fields.get('x-pz-experiment-id')).toBe('exp/2025');
	});
});
