/**
 * Postmark webhooks, one event per request, `RecordType` names the event; our attribution (and
 * the recipient's `pz_user_id`, properties.user_id) is in `Metadata`. https://postmarkapp.com/developer/webhooks/webhooks-overview
 */
import type { CanonicalContext, CanonicalEvent } from '../../types/CanonicalEvent';
import { addAttribution, userIdOf } from '../../types/attribution';
import type { EventSource } from '../types';
import { EventMappingError } from '../types';
import { contentId, isObject, normalizeEmail, optionalString, toIsoUtc, unknownTopic } from '../util';
import { engagementEvent } from './engagement';

/**
 * Postmark's bounce types (https://postmarkapp.com/developer/api/bounce-api#bounce-types). Hard:
 * HardBounce ("unknown user, mailbox not found") and BadEmailAddress ("The address is not a valid
 * email address"): the address itself is undeliverable.
 */
const HARD_BOUNCE_TYPES = new Set(['HardBounce', 'BadEmailAddress']);
/**
 * Types that are replies or notices, not a failure to deliver: AutoResponder ("Out of Office" or "On
 * Vacation"), Subscribe and Unsubscribe requests, AddressChange, OpenRelayTest, VirusNotification
 * and ChallengeVerification (a spam-filter challenge); InboundError ("Processing failed — Unable to
 * deliver inbound message to destination inbound hook": mail received on the server's inbound
 * address, not one sent to a recipient); ManuallyDeactivated ("The email was manually
 * deactivated": a state of the address set by the account, no message and no recipient action;
 * a SubscriptionChange webhook reports suppressions); Unconfirmed ("Registration not confirmed —
 * The subscriber has not clicked on the confirmation link upon registration or import"). Any
 * other type (Transient, SoftBounce, DnsError, SpamNotification, Blocked, DMARCPolicy, Unknown…)
 * is a soft bounce.
 */
const NOT_BOUNCE_TYPES = new Set([
	'AutoResponder',
	'Subscribe',
	'Unsubscribe',
	'AddressChange',
	'OpenRelayTest',
	'VirusNotification',
	'ChallengeVerification',
	'InboundError',
	'ManuallyDeactivated',
	'Unconfirmed',
]);
/**
 * Types where Postmark did not try to deliver: Email Dropped, no bounce_type. SMTPApiError ("An
 * error occurred while accepting an email through the SMTP API"; https://postmarkapp.com/developer/webhooks/smtp-api-error:
 * "an internal rejection error that Postmark will respond with when you attempt to send via SMTP to
 * a recipient who was previously suppressed", sent to the bounce webhook when the server's
 * EnableSmtpApiErrorHooks is on) and TemplateRenderingFailed ("An error occurred while attempting
 * to render your template": no message to send).
 */
const DROPPED_TYPES = new Set(['SMTPApiError', 'TemplateRenderingFailed']);

export const postmark: EventSource = {
	id: 'postmark',
	displayName: 'Postmark',
	topics: [
		{ topic: 'Delivery', event: 'Email Delivered' },
		{ topic: 'Open', event: 'Email Opened' },
		{ topic: 'Click', event: 'Email Link Clicked' },
		{ topic: 'Bounce', event: 'Email Bounced / Email Marked as Spam / Email Dropped (by Type)' },
		{ topic: 'SpamComplaint', event: 'Email Marked as Spam' },
		{ topic: 'SubscriptionChange', event: 'Email Bounced / Email Marked as Spam / Unsubscribed (by SuppressionReason) / Resubscribed' },
	],
	normalize(input): CanonicalEvent[] {
		const b = input.payload;
		if (!isObject(b)) throw new EventMappingError('the Postmark body must be a JSON object', 'body');
		const topic = optionalString(b.RecordType);
		if (!topic) throw new EventMappingError('RecordType is missing', 'RecordType');
		let name: string | undefined;
		let when: unknown;
		let email: unknown = b.Recipient;
		// The topic's own properties (at most one topic sets each), added after the common ones.
		let firstOpen: boolean | undefined;
		let linkUrl: string | undefined;
		let reason: string | undefined;
		let bounceType: string | undefined;
		// A Bounce record whose Type is no failure to deliver: unmapped, under this topic name.
		let notBounce: string | undefined;
		switch (topic) {
			case 'Delivery':
				name = 'Email Delivered';
				when = b.DeliveredAt;
				break;
			case 'Open':
				name = 'Email Opened';
				when = b.ReceivedAt;
				firstOpen = typeof b.FirstOpen === 'boolean' ? b.FirstOpen : undefined;
				break;
			case 'Click':
				name = 'Email Link Clicked';
				when = b.ReceivedAt;
				linkUrl = optionalString(b.OriginalLink);
				break;
			case 'Bounce':
				// A bounce record of Type SpamComplaint (the Bounce API's and older bounce webhooks' way to
				// report a complaint) is a spam complaint, not a soft bounce the profile would ignore.
				if (b.Type === 'SpamComplaint') {
					name = 'Email Marked as Spam';
					when = b.BouncedAt;
					email = b.Email;
					break;
				}
				when = b.BouncedAt;
				email = b.Email;
				reason = optionalString(b.Description) ?? optionalString(b.Details);
				if (DROPPED_TYPES.has(b.Type as string)) {
					name = 'Email Dropped';
					break;
				}
				name = 'Email Bounced';
				bounceType = optionalString(b.Type) === undefined ? undefined : HARD_BOUNCE_TYPES.has(b.Type as string) ? 'hard' : 'soft';
				if (NOT_BOUNCE_TYPES.has(b.Type as string)) notBounce = `Bounce (${b.Type as string})`;
				break;
			case 'SpamComplaint':
				name = 'Email Marked as Spam';
				when = b.BouncedAt;
				email = b.Email;
				break;
			case 'SubscriptionChange':
				// SuppressionReason says why the address was suppressed: HardBounce, SpamComplaint or
				// ManualSuppression (an unsubscribe is recorded as a ManualSuppression).
				reason = optionalString(b.SuppressionReason);
				if (b.SuppressSending === false) name = 'Resubscribed';
				else if (reason === 'HardBounce') {
					name = 'Email Bounced';
					bounceType = 'hard';
				} else name = reason === 'SpamComplaint' ? 'Email Marked as Spam' : 'Unsubscribed';
				when = b.ChangedAt;
				break;
		}
		const espId = optionalString(b.MessageID);
		// The recipient too: MessageID is null for manual suppressions, which may share a ChangedAt.
		const messageId = contentId('postmark', topic, b.ID ?? espId, when, b.OriginalLink, b.Recipient ?? b.Email);
		if (notBounce) {
			const unknown = unknownTopic(postmark, input, notBounce, b, messageId, 'Type');
			return unknown ? [unknown] : [];
		}
		if (!name) {
			const unknown = unknownTopic(postmark, input, topic, b, messageId, 'RecordType');
			return unknown ? [unknown] : [];
		}
		const timestamp = toIsoUtc(when ?? input.receivedAt, 'timestamp');
		const recipient = normalizeEmail(email);
		// Key by key in the order of the former `compact({ ...attribution(b.Metadata), esp_message_id,
		// tag, ...topic's own })`, undefined ones left out.
		const properties: Record<string, unknown> = {};
		addAttribution(properties, b.Metadata);
		if (espId !== undefined) properties.esp_message_id = espId;
		const tag = optionalString(b.Tag);
		if (tag !== undefined) properties.tag = tag;
		if (firstOpen !== undefined) properties.first_open = firstOpen;
		if (linkUrl !== undefined) properties.link_url = linkUrl;
		if (reason !== undefined) properties.reason = reason;
		if (bounceType !== undefined) properties.bounce_type = bounceType;
		const context: CanonicalContext = { source: 'postmark', topic };
		const userAgent = optionalString(b.UserAgent);
		if (userAgent !== undefined) context.userAgent = userAgent;
		const stream = optionalString(b.MessageStream);
		if (stream !== undefined) context.stream = stream;
		return [engagementEvent(input, name, messageId, timestamp, recipient, userIdOf(b.Metadata), properties, context, b)];
	},
};
