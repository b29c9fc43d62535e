/**
 * An attribution header must fit on one header line: "Each line of characters MUST be no more than
 * 998 characters ... excluding the CRLF" (RFC 5322 §2.1.1). The userId is left out first (as
 * before); when the line is still too long, leaving the campaign, variant, segment or experiment out
 * would lose the attribution without a word, so the message is not sent: an item error naming the
 * item, the fields to shorten and the limit, raised before any request, the other items sent.
 *
 * Lengths by hand (message id `m1`, as the item's idempotency key gives it):
 *  - `{"pz_message_id":"m1",` is 1 + 15 + 1 + 4 + 1 = 22 characters, `"pz_campaign_id":"…"` 16 + 1 + 2
 *    = 19 + the value, `}` 1: 42 + the campaign.
 *  - Mailgun: "X-Mailgun-Variables: " is 21 characters, so a campaign of 998 − 21 − 42 = 935 gives a
 *    998-character line (sent), 936 a 999-character one (refused).
 *  - Brevo: "X-Mailin-custom: " is 17 characters: 939 sent, 940 refused.
 *  - SMTP: one header per value, as nodemailer writes it: it folds after "X-Pz-Campaign-ID:" and puts
 *    a value without white space on a continuation line of its own, " " + the value: 997 characters
 *    make a 998-character line (sent), 998 a 999-character one (refused).
 *  - How many would fit: the value cut to its first n characters, the rest as it is: Mailgun 935,
 *    Brevo 939, SMTP 997; written `b64-` ('é' × n is 2n bytes, `b64-` + ⌈8n / 3⌉ characters), Brevo
 *    17 + 42 + 4 + ⌈8n / 3⌉ <= 998 for n <= 350; two values cut to n each (below) 697 + 2n <= 998 for
 *    n <= 150.
 *  - With `,"pz_segment":"…"` (1 + 12 + 1 + 2 = 16 + the value) and `,"pz_experiment_id":"…"` (1 +
 *    18 + 1 + 2 = 22 + the value), three values of 600 make a Brevo line of 17 + 42 + 16 + 22 + 1,800
 *    = 1,897 characters; without the campaign it is 17 + 22 + 15 (`"pz_segment":"…"`) + 22 + 1 + 1,200
 *    = 1,277, still over; without the segment too 17 + 22 + 21 + 1 + 600 = 661: campaign and segment
 *    are the ones to shorten.
 */
import { brevo } from '../../../nodes/engines/dispatch/providers/brevo';
import { mailgun } from '../../../nodes/engines/dispatch/providers/mailgun';
import { compileMime, smtpChannel, type SmtpChannel } from '../../../nodes/engines/dispatch/smtp';
import { dispatch, httpChannel, type DispatchItem } from '../../../nodes/engines/dispatch/engine';
import type { OutboundMessage } from '../../../nodes/engines/dispatch/types';
import { BREVO_TEST_KEY, startBrevoServer, type BrevoServer } from '../../dispatch/servers/brevo';
import { mailgunAuth, startMailgunServer, type MailgunServer } from '../../dispatch/servers/mailgun';
import { localTransport } from '../../dispatch/servers/provider-server';
import { startSmtpInbox, type ReceivedMail, type SmtpInbox } from '../../harness/smtp-inbox';
import { dispatchItem } from '../../harness/dispatch-engine';
import { msg } from './provider-fixtures';

const c = (n: number) => 'c'.repeat(n);
const withCampaign = (campaign: string, extra: Record<string, string> = {}): OutboundMessage =>
	msg(0, { metadata: { pz_message_id: 'm1', pz_campaign_id: campaign, ...extra } });

describe('check: the attribution header at the 998-character edge', () => {
	it('Mailgun: a 935-character campaign is sent on a 998-character X-Mailgun-Variables line, 936 is refused', () => {
		expect(mailgun.check!(withCampaign(c(935)), 'rendered')).toBeUndefined();
		expect(mailgun.check!(withCampaign(c(936)), 'rendered')).toEqual({
			field: 'metadata.pz_campaign_id',
			message:
				'the attribution does not fit on one header line: Campaign ID is 936 characters; its first 935 would fit (the X-Mailgun-Variables header, the attribution as JSON on one line, would be 999 characters; RFC 5322 allows 998)',
			headerLines: [{ header: 'X-Mailgun-Variables', json: true, line: 999, withoutUserId: false, values: [{ key: 'pz_campaign_id', characters: 936, fit: 935 }] }],
		});
	});

	it('Brevo: 939 sent, 940 refused', () => {
		expect(brevo.check!(withCampaign(c(939)), 'rendered')).toBeUndefined();
		const header = JSON.parse(brevo.plan([withCampaign(c(939))], 'rendered', {})[0].request.body).headers['X-Mailin-custom'];
		expect(`X-Mailin-custom: ${header}`).toHaveLength(998);
		expect(brevo.check!(withCampaign(c(940)), 'rendered')).toMatchObject({
			field: 'metadata.pz_campaign_id',
			message:
				'the attribution does not fit on one header line: Campaign ID is 940 characters; its first 939 would fit (the X-Mailin-custom header, the attribution as JSON on one line, would be 999 characters; RFC 5322 allows 998)',
		});
	});

	it('the userId is left out first; a line too long without it names it', () => {
		// 935 + the userId would be over: the userId is left out and the message sent, as before
		expect(mailgun.check!(withCampaign(c(935), { pz_user_id: 'u-1' }), 'rendered')).toBeUndefined();
		expect(mailgun.check!(withCampaign(c(936), { pz_user_id: 'u-1' }), 'rendered')?.message).toBe(
			'the attribution does not fit on one header line: Campaign ID is 936 characters; its first 935 would fit (the X-Mailgun-Variables header, the attribution as JSON on one line, would be 999 characters even without the userId; RFC 5322 allows 998)',
		);
	});

	it('counts values as written (a non-ASCII campaign in its b64- form), names them in the user\'s characters', () => {
		// 'é' × 699 is 1,398 UTF-8 bytes: `b64-` + ⌈1,398 × 4 / 3⌉ = 4 + 1,864 characters: a line of 17 + 42 + 1,868
		expect(brevo.check!(withCampaign('é'.repeat(699)), 'rendered')?.message).toBe(
			'the attribution does not fit on one header line: Campaign ID is 699 characters; its first 350 would fit (the X-Mailin-custom header, the attribution as JSON on one line, would be 1,927 characters; RFC 5322 allows 998)',
		);
	});

	it('names the longest values that, left out, let the rest fit', () => {
		const message = withCampaign(c(600), { pz_segment: 's'.repeat(600), pz_experiment_id: 'e'.repeat(600) });
		expect(brevo.check!(message, 'rendered')).toMatchObject({
			field: 'metadata.pz_campaign_id, metadata.pz_segment',
			message:
				'the attribution does not fit on one header line: Campaign ID (600 characters) and Segment (600 characters) are too long together; the first 150 characters of each would fit (the X-Mailin-custom header, the attribution as JSON on one line, would be 1,897 characters; RFC 5322 allows 998)',
		});
	});
});

describe('SMTP: one header per value', () => {
	it('997 characters without white space are sent (" " + 997 on a line), 998 refused', async () => {
		const channel = smtpChannel({ host: '127.0.0.1', port: 1, secure: false });
		try {
			expect(channel.check!(withCampaign(c(997)), 'rendered')).toBeUndefined();
			expect(channel.check!(withCampaign(c(998)), 'rendered')).toEqual({
				field: 'metadata.pz_campaign_id',
				message:
					'the attribution does not fit on one header line: Campaign ID is 998 characters; its first 997 would fit (the X-Pz-Campaign-Id header would have a line of 999 characters, since a header is folded only at white space; RFC 5322 allows 998)',
				headerLines: [{ header: 'X-Pz-Campaign-Id', json: false, line: 999, withoutUserId: false, values: [{ key: 'pz_campaign_id', characters: 998, fit: 997 }] }],
			});
		} finally {
			channel.close();
		}
	});

	it('nodemailer cannot fold a value without white space: 998 characters would go out on a 999-character line', async () => {
		// what the check keeps from being sent (nodemailer breaks the line after "X-Pz-Campaign-Id:" only)
		const head = (await compileMime(withCampaign(c(998)))).toString('latin1').split('\r\n\r\n')[0];
		expect(head.split('\r\n')).toContain(` ${c(998)}`);
	});
});

describe('dispatch(): the item fails alone before any request, naming the item and its fields', () => {
	let mailgunServer: MailgunServer;
	let brevoServer: BrevoServer;
	let inbox: SmtpInbox;
	const received: ReceivedMail[] = [];
	beforeAll(async () => {
		[mailgunServer, brevoServer, inbox] = await Promise.all([startMailgunServer(), startBrevoServer(), startSmtpInbox({ into: received })]);
	});
	afterAll(async () => {
		await Promise.all([mailgunServer.close(), brevoServer.close(), inbox.close()]);
	});

	/** Three items (keys k0–k2: message ids of 2 characters, as `m1` above), item 1 over by one. */
	const items = (fits: number): DispatchItem[] =>
		[fits, fits + 1, fits].map((n, i) => dispatchItem(i, { idempotencyKey: `k${i}`, campaignId: c(n), attribution: { userId: `u-${i}` } }));
	const errorOf = (header: string, value: number) =>
		`Item 1: the attribution does not fit on one header line: Campaign ID is ${value} characters; its first ${value - 1} would fit (the ${header} header, the attribution as JSON on one line, would be 999 characters even without the userId; RFC 5322 allows 998) (field: campaignId)`;

	it('Mailgun', async () => {
		const channel = httpChannel(mailgun, { domain: 'mg.shop.example' }, localTransport(mailgunServer.url, (r) => ({ ...r, headers: { ...r.headers, authorization: mailgunAuth() } })));
		const report = await dispatch(items(935), channel, { mode: 'rendered' });
		expect(report.outcomes.map((o) => o.status)).toEqual(['queued', 'failed', 'queued']);
		expect(report.outcomes[1].error).toBe(errorOf('X-Mailgun-Variables', 936));
		expect(mailgunServer.delivered.map((d) => d.to)).toEqual(['user0@example.com', 'user2@example.com']);
		for (const d of mailgunServer.delivered) {
			expect(`X-Mailgun-Variables: ${JSON.stringify(d.variables)}`).toHaveLength(998);
			expect(d.variables.pz_user_id).toBeUndefined();
		}
	});

	it('Brevo', async () => {
		const channel = httpChannel(brevo, {}, localTransport(brevoServer.url, (r) => ({ ...r, headers: { ...r.headers, 'api-key': BREVO_TEST_KEY } })));
		const report = await dispatch(items(939), channel, { mode: 'rendered' });
		expect(report.outcomes.map((o) => o.status)).toEqual(['sent', 'failed', 'sent']);
		expect(report.outcomes[1].error).toBe(errorOf('X-Mailin-custom', 940));
		expect(brevoServer.delivered.map((d) => [d.to, `X-Mailin-custom: ${d.headers['X-Mailin-custom']}`.length])).toEqual([
			['user0@example.com', 998],
			['user2@example.com', 998],
		]);
	});

	it('SMTP', async () => {
		const channel: SmtpChannel = smtpChannel({ host: '127.0.0.1', port: inbox.port, secure: false });
		try {
			const report = await dispatch(items(997), channel, { mode: 'rendered' });
			expect(report.outcomes.map((o) => o.status)).toEqual(['sent', 'failed', 'sent']);
			expect(report.outcomes[1].error).toBe(
				'Item 1: the attribution does not fit on one header line: Campaign ID is 998 characters; its first 997 would fit (the X-Pz-Campaign-Id header would have a line of 999 characters, since a header is folded only at white space; RFC 5322 allows 998) (field: campaignId)',
			);
			expect(received.map((r) => [r.to[0], r.mail.headers.get('x-pz-campaign-id')])).toEqual([
				['user0@example.com', c(997)],
				['user2@example.com', c(997)],
			]);
		} finally {
			channel.close();
		}
	});

	it('several fields: each named by its node field', async () => {
		const channel = httpChannel(brevo, {}, localTransport(brevoServer.url, (r) => ({ ...r, headers: { ...r.headers, 'api-key': BREVO_TEST_KEY } })));
		const item = dispatchItem(0, { idempotencyKey: 'm1', campaignId: c(600), attribution: { segment: 's'.repeat(600), experimentId: 'e'.repeat(600) } });
		const report = await dispatch([item], channel, { mode: 'rendered' });
		expect(report.outcomes[0].status).toBe('failed');
		expect(report.outcomes[0].error).toMatch(/\(field: campaignId, segment\)$/);
	});
});
