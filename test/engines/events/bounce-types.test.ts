/**
 * Bounce classification and test-mode marking, each from the provider's documentation:
 * - Postmark bounce types (https://postmarkapp.com/developer/api/bounce-api#bounce-types, Type and
 *   TypeCode): HardBounce (1) and BadEmailAddress (100000, "The address is not a valid email
 *   address") are hard; AutoResponder (64, "Out of Office"), Subscribe (32), Unsubscribe (16),
 *   AddressChange (128), OpenRelayTest (1024), VirusNotification (8192) and ChallengeVerification
 *   (16384) are no failure to deliver; the rest (Transient 2, DnsError 256, SpamNotification 512,
 *   Unknown 2048, SoftBounce 4096…) are soft.
 * - Resend `bounce.type` (https://resend.com/docs/dashboard/emails/email-bounces): Permanent ("hard
 *   bounce"), Transient ("soft bounce"), Undetermined (the bounce message did not say why); the
 *   email.bounced page's example list names `Temporary` too. email.suppressed
 *   (https://resend.com/docs/webhooks/emails/suppressed): Resend did not send to an address on the
 *   account's suppression list.
 * - Postmark types that are no failure to deliver an outbound message, per the descriptions in the same
 *   table: InboundError (100008, "Processing failed — Unable to deliver inbound message to
 *   destination inbound hook"), ManuallyDeactivated (100002, "The email was manually deactivated"),
 *   Unconfirmed (100003, "Registration not confirmed — The subscriber has not clicked on the
 *   confirmation link upon registration or import"): unmapped like AutoResponder. Types where
 *   Postmark did not try to deliver: SMTPApiError (100007, "An error occurred while accepting an
 *   email through the SMTP API"; https://postmarkapp.com/developer/webhooks/smtp-api-error: "an
 *   internal rejection error ... when you attempt to send via SMTP to a recipient who was
 *   previously suppressed") and TemplateRenderingFailed (100010, "An error occurred while
 *   attempting to render your template"): Email Dropped. Blocked (100006, "ISP block") and
 *   DMARCPolicy (100009, "Email rejected due DMARC Policy") are receivers refusing: soft bounces.
 * - Resend email.failed (https://resend.com/docs/webhooks/emails/failed): "the email failed to send
 *   due to an error" (invalid recipients, API key problems, domain verification, quota); reason in
 *   `data.failed.reason` (the example's `reached_daily_quota`).
 * - Stripe `livemode`: "true if the object exists in live mode or the value false if the object
 *   exists in test mode" (https://docs.stripe.com/api/events/object).
 */
import { EventMappingError } from '../../../nodes/engines/events/types';
import { canonicalEventErrors } from '../../harness/schema';
import { fixtureBody, normalizeAs } from '../../harness/event-fixtures';

/** The documented Postmark bounce with Type / TypeCode / Name / Description from Postmark's table. */
function postmarkBounce(type: string, code: number, name: string, description: string): Record<string, unknown> {
	return { ...fixtureBody('postmark', 'bounce'), Type: type, TypeCode: code, Name: name, Description: description };
}

describe('Postmark Bounce: the bounce type decides', () => {
	it('BadEmailAddress (an invalid address) is a hard bounce, like HardBounce', () => {
		const [bad] = normalizeAs('postmark', postmarkBounce('BadEmailAddress', 100000, 'Invalid email address', 'The address is not a valid email address.'), 'error');
		expect(bad).toMatchObject({ event: 'Email Bounced', email: 'john@example.com', properties: { bounce_type: 'hard', email_id: 'msg-9' } });
		const [hard] = normalizeAs('postmark', fixtureBody('postmark', 'bounce'), 'error');
		expect(hard.properties.bounce_type).toBe('hard');
	});

	it.each([
		['Transient', 2, 'Message delayed'],
		['DnsError', 256, 'DNS error'],
		['SpamNotification', 512, 'Spam notification'],
		['Unknown', 2048, 'Unknown'],
		['SoftBounce', 4096, 'Soft bounce'],
		['Blocked', 100006, 'ISP block'],
		['DMARCPolicy', 100009, 'DMARC Policy'],
	])('%s (%i) is a soft bounce', (type, code, name) => {
		const [e] = normalizeAs('postmark', postmarkBounce(type, code, name, name), 'error');
		expect(e).toMatchObject({ event: 'Email Bounced', properties: { bounce_type: 'soft' } });
	});

	it.each([
		['AutoResponder', 64, 'Auto responder'],
		['Subscribe', 32, 'Subscribe request'],
		['Unsubscribe', 16, 'Unsubscribe request'],
		['AddressChange', 128, 'Address change'],
		['OpenRelayTest', 1024, 'Open relay test'],
		['VirusNotification', 8192, 'Virus notification'],
		['ChallengeVerification', 16384, 'Spam challenge verification'],
		['InboundError', 100008, 'Processing failed'],
		['ManuallyDeactivated', 100002, 'Manually deactivated'],
		['Unconfirmed', 100003, 'Registration not confirmed'],
	])('%s (%i) is no bounce: unmapped, topic "Bounce (<type>)"', (type, code, name) => {
		const payload = postmarkBounce(type, code, name, name);
		let error: unknown;
		try {
			normalizeAs('postmark', payload, 'error');
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(EventMappingError);
		expect((error as EventMappingError).kind).toBe('unknownTopic');
		expect((error as EventMappingError).field).toBe('Type');
		expect((error as Error).message).toContain(`"Bounce (${type})"`);
		expect(normalizeAs('postmark', payload, 'skip')).toEqual([]);
		const [u] = normalizeAs('postmark', payload, 'passThrough');
		expect(u).toMatchObject({ event: 'Unknown', context: { source: 'postmark', topic: `Bounce (${type})` }, raw: payload });
		expect(canonicalEventErrors(u)).toEqual([]);
	});

	it.each([
		['SMTPApiError', 100007, 'SMTP API error', 'An error occurred while accepting an email through the SMTP API.'],
		['TemplateRenderingFailed', 100010, 'Template rendering failed', 'An error occurred while attempting to render your template.'],
	])('%s (%i): Postmark did not try to deliver, Email Dropped with the reason, no bounce_type', (type, code, name, description) => {
		const payload = postmarkBounce(type, code, name, description);
		const [e] = normalizeAs('postmark', payload, 'error');
		expect(e).toMatchObject({
			event: 'Email Dropped',
			email: 'john@example.com',
			timestamp: '2019-11-05T16:33:54.907Z',
			properties: { email_id: 'msg-9', campaign_id: 'winback', esp_message_id: '883953f4-6105-42a2-a16a-77a8eac79483', reason: description },
			context: { source: 'postmark', topic: 'Bounce', stream: 'outbound' },
		});
		expect(e.properties).not.toHaveProperty('bounce_type');
		expect(canonicalEventErrors(e)).toEqual([]);
		// Without a Description, Details (the remote text) is the reason, as for a bounce
		delete payload.Description;
		expect(normalizeAs('postmark', payload, 'error')[0].properties.reason).toBe('Test bounce details');
	});

	// Type SpamComplaint (TypeCode 100001) is one of the bounce types a Bounce record carries
	// (postmark.js BounceType): a complaint, which the profile keeps, not a soft bounce it ignores
	it('SpamComplaint in a bounce record is Email Marked as Spam, not a soft bounce', () => {
		const [e] = normalizeAs('postmark', postmarkBounce('SpamComplaint', 100001, 'Spam complaint', 'The subscriber explicitly marked this email as spam.'), 'error');
		expect(e).toMatchObject({ event: 'Email Marked as Spam', email: 'john@example.com' });
		expect(e.properties).not.toHaveProperty('bounce_type');
		expect(canonicalEventErrors(e)).toEqual([]);
	});

	it('a Bounce without Type stays Email Bounced without bounce_type', () => {
		const payload = fixtureBody('postmark', 'bounce');
		delete payload.Type;
		const [e] = normalizeAs('postmark', payload, 'error');
		expect(e.event).toBe('Email Bounced');
		expect(e.properties).not.toHaveProperty('bounce_type');
	});
});

describe('Resend bounce types and email.suppressed', () => {
	function bounced(type: string | undefined): Record<string, unknown> {
		const b = fixtureBody('resend', 'email.bounced');
		const bounce = (b.data as Record<string, Record<string, unknown>>).bounce;
		if (type === undefined) delete bounce.type;
		else bounce.type = type;
		return b;
	}

	it.each([
		['Permanent', 'hard'],
		['Transient', 'soft'],
		['Undetermined', 'soft'],
		['Temporary', 'soft'],
		[undefined, 'hard'],
	])('bounce.type %s is %s', (type, expected) => {
		const [e] = normalizeAs('resend', bounced(type), 'error');
		expect(e).toMatchObject({ event: 'Email Bounced', properties: { bounce_type: expected } });
	});

	it('Undetermined is soft for Resend as for SES, which Resend sends through', () => {
		const ses = fixtureBody('ses', 'bounce');
		const message = JSON.parse(ses.Message as string) as { bounce: Record<string, unknown> };
		message.bounce.bounceType = 'Undetermined';
		ses.Message = JSON.stringify(message);
		const sesTypes = normalizeAs('ses', ses, 'error').map((e) => e.properties.bounce_type);
		const [resend] = normalizeAs('resend', bounced('Undetermined'), 'error');
		expect(new Set(sesTypes)).toEqual(new Set(['soft']));
		expect(resend.properties.bounce_type).toBe('soft');
	});

	it('email.suppressed is Email Dropped with the suppression message as reason, no bounce_type', () => {
		const [e] = normalizeAs('resend', fixtureBody('resend', 'email.suppressed'), 'error');
		expect(e).toMatchObject({
			event: 'Email Dropped',
			email: 'delivered@resend.dev',
			properties: { email_id: 'msg-34', campaign_id: 'launch', esp_message_id: '56761188-7520-42d8-8898-ff6fc54ce618' },
			context: { source: 'resend', topic: 'email.suppressed' },
		});
		expect(e.properties.reason).toMatch(/^Resend has suppressed sending to this address/);
		expect(e.properties).not.toHaveProperty('bounce_type');
		expect(canonicalEventErrors(e)).toEqual([]);
	});
});

describe('Resend email.failed', () => {
	it('is Email Dropped (Resend did not send) with data.failed.reason as reason, no bounce_type', () => {
		const [e] = normalizeAs('resend', fixtureBody('resend', 'email.failed'), 'error');
		expect(e).toMatchObject({
			event: 'Email Dropped',
			email: 'delivered@resend.dev',
			timestamp: '2024-11-22T23:41:12.126Z',
			properties: { email_id: 'msg-35', campaign_id: 'launch', esp_message_id: '56761188-7520-42d8-8898-ff6fc54ce618', reason: 'reached_daily_quota' },
			context: { source: 'resend', topic: 'email.failed' },
		});
		expect(e.properties).not.toHaveProperty('bounce_type');
		expect(canonicalEventErrors(e)).toEqual([]);
	});

	it('without data.failed it is still Email Dropped, without reason', () => {
		const payload = fixtureBody('resend', 'email.failed');
		delete (payload.data as Record<string, unknown>).failed;
		const [e] = normalizeAs('resend', payload, 'error');
		expect(e.event).toBe('Email Dropped');
		expect(e.properties).not.toHaveProperty('reason');
	});

	it('a failed reason is read only for email.failed: data.failed on email.delivered is ignored', () => {
		const payload = fixtureBody('resend', 'email.delivered');
		(payload.data as Record<string, unknown>).failed = { reason: 'reached_daily_quota' };
		const [e] = normalizeAs('resend', payload, 'error');
		expect(e.event).toBe('Email Delivered');
		expect(e.properties).not.toHaveProperty('reason');
	});
});

describe('Stripe test mode', () => {
	it('livemode false is marked context.test, livemode true and absent are not', () => {
		const body = fixtureBody('stripe', 'checkout.session.completed');
		expect(body.livemode).toBe(false);
		const [test] = normalizeAs('stripe', body, 'error');
		expect(test.context).toMatchObject({ livemode: false, test: true });
		const [live] = normalizeAs('stripe', { ...body, livemode: true }, 'error');
		expect(live.context.livemode).toBe(true);
		expect(live.context).not.toHaveProperty('test');
		const noMode = { ...body };
		delete noMode.livemode;
		const [unknown] = normalizeAs('stripe', noMode, 'error');
		expect(unknown.context).not.toHaveProperty('test');
	});
});
