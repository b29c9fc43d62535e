/**
 * Every provider writes the recipient's userId (`pz_user_id`) where the provider returns it with
 * its engagement events, within that provider's documented limits, and leaves it out (never cuts
 * or mangles it) when it cannot carry it: the message is sent all the same.
 *
 * The limits, each checked at its edge (byte counts worked out by hand below):
 *  - SendGrid: "Total custom_args size may not exceed 10,000 bytes" (Mail Send reference), read as
 *    the personalization's custom_args as JSON. `{"pz_message_id":"m1","pz_user_id":""}` is
 *    1+15+1+4+1+12+1+2+1 = 38 bytes, so a userId of 9,962 ASCII characters makes 10,000 bytes
 *    (kept) and 9,963 makes 10,001 (left out).
 *  - Postmark: metadata values up to 80 characters (custom metadata FAQ): 80 kept, 81 left out.
 *  - Mandrill: "metadata is limited to 250 bytes of JSON-encoded data" per message (Using Custom
 *    Message Metadata): 38 + 212 = 250 kept, 38 + 213 = 251 left out.
 *  - SES message tags and Resend tags: only ASCII letters, digits, `_` and `-`, at most 256
 *    characters: a tag-safe userId of 256 characters is kept, 257 left out; any other userId is
 *    written `b64-` + base64url of its UTF-8 bytes, 4 + ⌈8n/6⌉ characters: 189 bytes → 4 + 252 =
 *    256 (kept), 190 bytes → 4 + 254 = 258 (left out).
 *  - Mailgun (X-Mailgun-Variables) and Brevo (X-Mailin-custom): header lines of at most 998
 *    characters (RFC 5322 §2.1.1). "X-Mailgun-Variables: " is 21 characters, so the JSON may have
 *    977: 38 + 939 (kept), 38 + 940 (left out). "X-Mailin-custom: " is 17: 38 + 943 kept, 944 left out.
 *  - SMTP: "X-Pz-User-Id: " is 14 characters: a value of 984 kept, 985 left out; a control
 *    character (a line break would be written as a space) left out.
 * Expected base64url values were computed with Python's base64.urlsafe_b64encode:
 * 'auth0|5f1b2c' → YXV0aDB8NWYxYjJj.
 */
import { dispatch } from '../../../nodes/engines/dispatch/engine';
import { brevo } from '../../../nodes/engines/dispatch/providers/brevo';
import { mailgun } from '../../../nodes/engines/dispatch/providers/mailgun';
import { mandrill } from '../../../nodes/engines/dispatch/providers/mandrill';
import { postmark } from '../../../nodes/engines/dispatch/providers/postmark';
import { resend } from '../../../nodes/engines/dispatch/providers/resend';
import { sendgrid } from '../../../nodes/engines/dispatch/providers/sendgrid';
import { ses } from '../../../nodes/engines/dispatch/providers/ses';
import { compileMime, metadataHeaders } from '../../../nodes/engines/dispatch/smtp';
import type { OutboundMessage, RequestPlan } from '../../../nodes/engines/dispatch/types';
import { parseMultipart } from '../../dispatch/servers/provider-server';
import { msg } from './provider-fixtures';
import { captureChannel, dispatchItem } from '../../harness/dispatch-engine';

const withUser = (index: number, userId: string, metadata: Record<string, string> = { pz_message_id: 'm1' }): OutboundMessage =>
	msg(index, { metadata: { ...metadata, pz_user_id: userId } });
const json = (plan: RequestPlan) => JSON.parse(plan.request.body);
const ascii = (n: number) => 'u'.repeat(n);

describe('SendGrid: personalizations[].custom_args', () => {
	const args = (m: OutboundMessage) => json(sendgrid.plan([m], 'rendered', {})[0]).personalizations[0].custom_args;

	it('carries the userId as written', () => {
		expect(args(withUser(0, 'auth0|5f1b2c'))).toEqual({ pz_message_id: 'm1', pz_user_id: 'auth0|5f1b2c' });
	});

	it('up to 10,000 bytes of custom args', () => {
		expect(Buffer.byteLength(JSON.stringify(args(withUser(0, ascii(9962)))))).toBe(10000);
		expect(args(withUser(0, ascii(9962))).pz_user_id).toBe(ascii(9962));
		expect(args(withUser(0, ascii(9963)))).toEqual({ pz_message_id: 'm1' });
		// "é" is 2 bytes in UTF-8: 4,981 of them are 9,962 bytes (kept), 4,982 are 9,964 (left out)
		expect(args(withUser(0, 'é'.repeat(4981))).pz_user_id).toBe('é'.repeat(4981));
		expect(args(withUser(0, 'é'.repeat(4982)))).toEqual({ pz_message_id: 'm1' });
	});
});

describe('Postmark: Metadata', () => {
	const meta = (m: OutboundMessage) => json(postmark.plan([m], 'rendered', {})[0])[0].Metadata;

	it('a userId of up to 80 characters, as it is; a longer one left out, never cut', () => {
		expect(meta(withUser(0, 'auth0|5f1b2c'))).toEqual({ pz_message_id: 'm1', pz_user_id: 'auth0|5f1b2c' });
		expect(meta(withUser(0, ascii(80))).pz_user_id).toBe(ascii(80));
		expect(meta(withUser(0, ascii(81)))).toEqual({ pz_message_id: 'm1' });
		// the other values are never cut: such a message is refused before any request (postmark.check,
		// postmark-metadata.test.ts), so the plan would carry the value as it is
		expect(meta(withUser(0, 'u', { pz_campaign_id: ascii(90) }))).toEqual({ pz_campaign_id: ascii(90), pz_user_id: 'u' });
	});
});

describe('Mandrill: metadata / recipient_metadata', () => {
	const body = (messages: OutboundMessage[]) => json(mandrill.plan(messages, 'rendered', {})[0]).message;

	it('shared metadata and per-recipient values, the userId per recipient', () => {
		const headers = msg(0).headers;
		const m = body([withUser(0, 'cust-0'), msg(1, { headers, metadata: { pz_message_id: 'm1', pz_user_id: 'cust-1' } })]);
		expect(m.metadata).toEqual({ pz_message_id: 'm1' });
		expect(m.recipient_metadata).toEqual([
			{ rcpt: 'user0@example.com', values: { pz_user_id: 'cust-0' } },
			{ rcpt: 'user1@example.com', values: { pz_user_id: 'cust-1' } },
		]);
	});

	it('up to 250 bytes of JSON metadata per message', () => {
		expect(body([withUser(0, ascii(212))]).metadata).toEqual({ pz_message_id: 'm1', pz_user_id: ascii(212) });
		expect(body([withUser(0, ascii(213))]).metadata).toEqual({ pz_message_id: 'm1' });
	});
});

describe('Amazon SES and Resend: tags', () => {
	const sesTags = (m: OutboundMessage) => json(ses.plan([m], 'rendered', {})[0]).EmailTags as Array<{ Name: string; Value: string }>;
	const sesBulkTags = (m: OutboundMessage) => json(ses.plan([{ ...m, templateId: 'welcome' }], 'template', {})[0]).BulkEmailEntries[0].ReplacementTags;
	const resendTags = (m: OutboundMessage) => json(resend.plan([m], 'rendered', {})[0]).tags as Array<{ name: string; value: string }>;
	const userTag = (m: OutboundMessage) => ({
		ses: sesTags(m).find((t) => t.Name === 'pz_user_id')?.Value,
		bulk: (sesBulkTags(m) as Array<{ Name: string; Value: string }>).find((t) => t.Name === 'pz_user_id')?.Value,
		resend: resendTags(m).find((t) => t.name === 'pz_user_id')?.value,
	});
	const all = (value: string | undefined) => ({ ses: value, bulk: value, resend: value });

	it('a tag-safe userId as it is, another reversibly encoded (as the other keys are)', () => {
		expect(userTag(withUser(0, 'cust_1-A'))).toEqual(all('cust_1-A'));
		expect(userTag(withUser(0, 'auth0|5f1b2c'))).toEqual(all('b64-YXV0aDB8NWYxYjJj'));
		// base64url('a:b') = YTpi (Python's base64.urlsafe_b64encode); it was written `a_b`, like `a.b`
		expect(sesTags(withUser(0, 'auth0|5f1b2c', { pz_campaign_id: 'a:b' }))).toEqual(
			expect.arrayContaining([{ Name: 'pz_campaign_id', Value: 'b64-YTpi' }]),
		);
	});

	it('within 256 characters, else left out', () => {
		expect(userTag(withUser(0, ascii(256)))).toEqual(all(ascii(256)));
		expect(userTag(withUser(0, ascii(257)))).toEqual(all(undefined));
		const b189 = `|${ascii(188)}`; // 189 bytes, encoded to 256 characters
		expect(userTag(withUser(0, b189)).ses).toHaveLength(256);
		expect(userTag(withUser(0, `|${ascii(189)}`))).toEqual(all(undefined));
		// the rest of the message is sent as before
		expect(sesTags(withUser(0, ascii(257))).map((t) => t.Name)).toEqual(['pz_message_id', 'spring-sale']);
	});
});

describe('Mailgun: v:pz_user_id (X-Mailgun-Variables)', () => {
	const fields = (messages: OutboundMessage[]) => {
		const plans = mailgun.plan(messages, 'rendered', { domain: 'mg.shop.example' });
		return plans.map((plan) => parseMultipart(plan.request.body, plan.request.headers['content-type']));
	};

	it('one message: the value itself; a batch: each recipient\'s through recipient-variables', () => {
		const [single] = fields([withUser(0, 'auth0|5f1b2c')]);
		expect(single.get('v:pz_user_id')).toEqual(['auth0|5f1b2c']);
		const [batch] = fields([withUser(0, 'cust-0'), withUser(1, 'cust-1')]);
		expect(batch.get('v:pz_user_id')).toEqual(['%recipient.pz_v_pz_user_id%']);
		const vars = JSON.parse(batch.get('recipient-variables')![0]);
		expect([vars['user0@example.com'].pz_v_pz_user_id, vars['user1@example.com'].pz_v_pz_user_id]).toEqual(['cust-0', 'cust-1']);
	});

	it('while "X-Mailgun-Variables: <JSON>" fits one 998-character header line; the other variables are sent all the same', () => {
		expect(fields([withUser(0, ascii(939))])[0].get('v:pz_user_id')).toEqual([ascii(939)]);
		const [over] = fields([withUser(0, ascii(940))]);
		expect(over.has('v:pz_user_id')).toBe(false);
		expect(over.get('v:pz_message_id')).toEqual(['m1']);
	});
});

describe('Brevo: X-Mailin-custom', () => {
	const custom = (messages: OutboundMessage[]) => {
		const body = json(brevo.plan(messages, 'rendered', {})[0]);
		return messages.length === 1 ? [body.headers['X-Mailin-custom']] : body.messageVersions.map((v: { headers: Record<string, string> }) => v.headers['X-Mailin-custom']);
	};

	it('in the JSON of each version', () => {
		expect(custom([withUser(0, 'auth0|5f1b2c'), withUser(1, 'cust-1')]).map((h: string) => JSON.parse(h).pz_user_id)).toEqual(['auth0|5f1b2c', 'cust-1']);
	});

	it('while "X-Mailin-custom: <JSON>" fits one 998-character header line', () => {
		expect(JSON.parse(custom([withUser(0, ascii(943))])[0]).pz_user_id).toBe(ascii(943));
		expect(JSON.parse(custom([withUser(0, ascii(944))])[0])).toEqual({ pz_message_id: 'm1' });
	});
});

describe('SMTP: X-Pz-User-Id', () => {
	it('a header, unless it would not come through unchanged', () => {
		expect(metadataHeaders({ pz_message_id: 'm1', pz_user_id: 'auth0|5f1b2c' })).toEqual({ 'X-Pz-Message-Id': 'm1', 'X-Pz-User-Id': 'auth0|5f1b2c' });
		// nodemailer folds after "X-Pz-User-ID:" and writes a value without white space on a line of its
		// own, " " + the value: 997 characters make a 998-character line, 998 a 999-character one
		expect(metadataHeaders({ pz_user_id: ascii(997) })['X-Pz-User-Id']).toBe(ascii(997));
		expect(metadataHeaders({ pz_message_id: 'm1', pz_user_id: ascii(998) })).toEqual({ 'X-Pz-Message-Id': 'm1' });
		expect(metadataHeaders({ pz_user_id: 'a\r\nBcc: x@example.com' })).toEqual({});
	});

	it('in the MIME message', async () => {
		const mime = (await compileMime(withUser(0, 'Zoë-42'))).toString('utf8');
		// nodemailer writes the name X-Pz-User-ID and the non-ASCII value as an RFC 2047 encoded word
		expect(mime).toMatch(/^X-Pz-User-ID: =\?UTF-8\?[BQ]\?.+\?=$/m);
	});
});

describe('the engine writes the item\'s userId, except in test mode', () => {
	const channel = captureChannel();
	const captured = channel.captured;
	const item = (index: number, userId?: string) => dispatchItem(index, { attribution: { userId } });

	it('pz_user_id after the other keys; none without a userId or in test mode', async () => {
		captured.length = 0;
		await dispatch([item(0, 'cust-0'), item(1)], channel, { mode: 'rendered' });
		expect(captured.map((m) => m.metadata.pz_user_id)).toEqual(['cust-0', undefined]);
		expect(Object.keys(captured[0].metadata).at(-1)).toBe('pz_user_id');
		captured.length = 0;
		await dispatch([item(0, 'cust-0')], channel, { mode: 'rendered', testAddress: 'qa@shop.example' });
		expect(captured[0].to.email).toBe('qa@shop.example');
		expect(captured[0].metadata).not.toHaveProperty('pz_user_id');
	});
});
