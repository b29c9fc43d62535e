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
