/**
 * A userId carried in a header as JSON (Brevo's X-Mailin-custom, Mailgun's X-Mailgun-Variables)
 * must be ASCII: RFC 5322 §2.2 allows only printable US-ASCII in a header field body (other text
 * needs RFC 2047 encoding), and Brevo sends a custom header's non-ASCII characters as raw 8-bit
 * UTF-8 whatever the caller encodes (django-anymail's Brevo docs, "Metadata and extra_headers values
 * must be ASCII"). So a userId that is not printable ASCII (or holds `"` or `\`, which JSON would
 * escape) is written `b64-` + base64url of its UTF-8 bytes, as for SES and Resend tags, and the
 * Brevo and Mailgun engagement sources decode it. SMTP needs nothing of the kind: nodemailer writes
 * a non-ASCII X-Pz-User-Id as RFC 2047 encoded words on folded lines.
 *
 * Expected values computed with Python's base64.urlsafe_b64encode (padding stripped):
 * 'Zoë-42' → Wm_Dqy00Mg, '用户7' → 55So5oi3Nw, 'b64-x' → YjY0LXg, 'say "hi"' → c2F5ICJoaSI,
 * 'tab\there' → dGFiCWhlcmU. Line limits by hand: `{"pz_message_id":"m1","pz_user_id":""}` is 38
 * characters; "X-Mailin-custom: " is 17, so the written userId may have 998 − 17 − 38 = 943
 * characters; "X-Mailgun-Variables: " is 21, so 939. The `b64-` form of n UTF-8 bytes has
 * 4 + ⌈4n/3⌉ characters: 'é' × 352 (704 bytes) → 4 + 939 = 943 (kept in Brevo), 'é' × 353
 * (706 bytes) → 4 + 942 = 946 (left out); 'é' × 350 (700 bytes) → 4 + 934 = 938 (kept in Mailgun),
 * 'é' × 351 (702 bytes) → 4 + 936 = 940 (left out).
 */
import { brevo } from '../../../nodes/engines/dispatch/providers/brevo';
import { mailgun } from '../../../nodes/engines/dispatch/providers/mailgun';
import { compileMime } from '../../../nodes/engines/dispatch/smtp';
import type { OutboundMessage } from '../../../nodes/engines/dispatch/types';
import { decodeTagValue, encodeHeaderValue } from '../../../nodes/engines/types/attribution';
import { parseMultipart } from '../../dispatch/servers/provider-server';
import { fixtureBody, normalizeAs } from '../../harness/event-fixtures';
import { msg } from './provider-fixtures';

const withUser = (index: number, userId: string): OutboundMessage => msg(index, { metadata: { pz_message_id: 'm1', pz_user_id: userId } });
/** RFC 5322 §2.2: a header field body of printable US-ASCII (and white space). */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const CASES: Array<[string, string]> = [
	['Zoë-42', 'b64-Wm_Dqy00Mg'],
	['用户7', 'b64-55So5oi3Nw'],
	['b64-x', 'b64-YjY0LXg'], // ASCII, but it would read as written encoded
	['say "hi"', 'b64-c2F5ICJoaSI'], // JSON would escape the quotes
	['tab\there', 'b64-dGFiCWhlcmU'], // a control character
	['cust-1', 'cust-1'],
	['auth0|5f1b2c', 'auth0|5f1b2c'],
	['Ada Lovelace 7', 'Ada Lovelace 7'],
];

describe('encodeHeaderValue', () => {
	it('printable ASCII without " and \\ as it is, anything else b64- + base64url, read back by decodeTagValue', () => {
		for (const [id, written] of CASES) {
			expect(encodeHeaderValue(id)).toBe(written);
			expect(decodeTagValue(written)).toBe(id);
		}
		expect(encodeHeaderValue('\ud800')).toBeUndefined(); // a lone surrogate has no UTF-8 form
	});
});

describe('Brevo: X-Mailin-custom is printable ASCII', () => {
	const custom = (messages: OutboundMessage[]): string[] => {
		const body = JSON.parse(brevo.plan(messages, 'rendered', {})[0].request.body);
		return messages.length === 1 ? [body.headers['X-Mailin-custom']] : body.messageVersions.map((v: { headers: Record<string, string> }) => v.headers['X-Mailin-custom']);
	};

	it('each version\'s userId in its header form', () => {
		const headers = custom(CASES.map(([id], i) => withUser(i, id)));
		for (const h of headers) expect(h).toMatch(PRINTABLE_ASCII);
		expect(headers.map((h) => JSON.parse(h).pz_user_id)).toEqual(CASES.map(([, written]) => written));
		// the other keys as before
		expect(JSON.parse(headers[0]).pz_message_id).toBe('m1');
	});

	it('kept while the written form fits one 998-character header line', () => {
		const kept = custom([withUser(0, 'é'.repeat(352))])[0];
		expect(`X-Mailin-custom: ${kept}`).toHaveLength(998);
		expect(decodeTagValue(JSON.parse(kept).pz_user_id)).toBe('é'.repeat(352));
		expect(JSON.parse(custom([withUser(0, 'é'.repeat(353))])[0])).toEqual({ pz_message_id: 'm1' });
		expect(JSON.parse(custom([withUser(0, '\ud800')])[0])).toEqual({ pz_message_id: 'm1' });
	});
});

describe('Mailgun: v:pz_user_id is printable ASCII', () => {
	const fields = (messages: OutboundMessage[]) => {
		const plan = mailgun.plan(messages, 'rendered', { domain: 'mg.shop.example' })[0];
		return parseMultipart(plan.request.body, plan.request.headers['content-type']);
	};

	it('one message: the header form itself; a batch: each recipient\'s through recipient-variables', () => {
		expect(fields([withUser(0, 'Zoë-42')]).get('v:pz_user_id')).toEqual(['b64-Wm_Dqy00Mg']);
		const batch = fields(CASES.map(([id], i) => withUser(i, id)));
		const vars = JSON.parse(batch.get('recipient-variables')![0]) as Record<string, Record<string, string>>;
		expect(CASES.map((_c, i) => vars[`user${i}@example.com`].pz_v_pz_user_id)).toEqual(CASES.map(([, written]) => written));
	});

	it('kept while "X-Mailgun-Variables: <JSON>" of the written form fits one 998-character line', () => {
		const kept = fields([withUser(0, 'é'.repeat(350))]).get('v:pz_user_id')![0];
		expect(kept).toHaveLength(938);
		expect(decodeTagValue(kept)).toBe('é'.repeat(350));
		const over = fields([withUser(0, 'é'.repeat(351))]);
		expect(over.has('v:pz_user_id')).toBe(false);
		expect(over.get('v:pz_message_id')).toEqual(['m1']);
	});
});

/** Header fields of a MIME message, unfolded (RFC 5322 §2.2.3). */
function headerFields(mime: string): Map<string, string> {
	const head = mime.split('\r\n\r\n')[0].replace(/\r\n(?=[ \t])/g, '');
	return new Map(head.split('\r\n').map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
}

/** RFC 2047 encoded words (UTF-8, B or Q) → text; white space between adjacent encoded words is dropped (§6.2). */
function decodeWords(value: string): string {
	const bytes: Buffer[] = [];
	for (const [, enc, text] of value.matchAll(/=\?UTF-8\?([BQ])\?([^?]*)\?=/gi)) {
		bytes.push(enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1'));
	}
	return Buffer.concat(bytes).toString('utf8');
}

describe('SMTP: X-Pz-User-Id', () => {
	it('a non-ASCII userId is written as RFC 2047 encoded words on lines within 998 characters, and reads back exactly', async () => {
		// "X-Pz-User-Id: " is 14 characters: 324 × '用' (972 UTF-8 bytes) is the longest of it kept
		for (const id of ['Zoë-42', '用户7', '用'.repeat(324)]) {
			const mime = (await compileMime(withUser(0, id))).toString('latin1');
			const head = mime.split('\r\n\r\n')[0];
			for (const line of head.split('\r\n')) {
				expect(line).toMatch(PRINTABLE_ASCII);
				expect(line.length).toBeLessThanOrEqual(998);
			}
			expect(decodeWords(headerFields(mime).get('x-pz-user-id')!)).toBe(id);
		}
	});
});

describe('the engagement sources decode the header form', () => {
	it('Brevo: a b64- userId in X-Mailin-custom comes back as the userId; one this package did not write is not guessed at', () => {
		const body = fixtureBody('brevo', 'opened');
		body.tags = ['pz_user_id:from-tag'];
		for (const [id, written] of CASES) {
			body['X-Mailin-custom'] = JSON.stringify({ pz_message_id: 'm1', pz_user_id: written });
			expect(normalizeAs('brevo', body)[0].properties.user_id).toBe(id);
		}
		// 0xFF is not UTF-8: no userId, and not the tag's either (the header's value wins, as before)
		body['X-Mailin-custom'] = JSON.stringify({ pz_user_id: 'b64-_w' });
		expect(normalizeAs('brevo', body)[0].properties.user_id ?? null).toBeNull();
	});

	it('Mailgun: a b64- userId in user-variables comes back as the userId', () => {
		const body = fixtureBody('mailgun', 'opened');
		const data = body['event-data'] as Record<string, unknown>;
		for (const [id, written] of CASES) {
			data['user-variables'] = { pz_message_id: 'm1', pz_user_id: written };
			expect(normalizeAs('mailgun', body)[0].properties.user_id).toBe(id);
		}
	});
});
