/**
 * Postmark webhooks, one event per request, `RecordType` names the event; our attribution is in
 * `Metadata`. https://postmarkapp.com/developer/webhooks/webhooks-overview
 */
import type { CanonicalEvent } from '../../../../../nodes/engines/types/CanonicalEvent';
import type { EventSource } from '../../../../../nodes/engines/events/types';
import { EventMappingError } from '../../../../../nodes/engines/events/types';
import { attribution, contentId, isObject, normalizeEmail, optionalString, toIsoUtc, unknownTopic } from '../util';
import { engagementEvent } from './engagement';

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
		const extra: Record<string, unknown> = {};
		switch (topic) {
			case 'Delivery':
				name = 'Email Delivered';
				when = b.DeliveredAt;
				break;
			case 'Open':
				name = 'Email Opened';
				when = b.ReceivedAt;
				extra.first_open = typeof b.FirstOpen === 'boolean' ? b.FirstOpen : undefined;
				break;
			case 'Click':
				name = 'Email Link Clicked';
				when = b.ReceivedAt;
				extra.link_url = optionalString(b.OriginalLink);
				break;
			case 'Bounce':
				// pmtypes: Type SpamComplaint in a bounce record is a complaint
				if (b.Type === 'SpamComplaint') {
					name = 'Email Marked as Spam';
					when = b.BouncedAt;
					email = b.Email;
					break;
				}
				when = b.BouncedAt;
				email = b.Email;
				extra.reason = optionalString(b.Description) ?? optionalString(b.Details);
				// esptypes: Postmark did not try to deliver (SMTP API rejection of a suppressed recipient, template not rendered)
				if (b.Type === 'SMTPApiError' || b.Type === 'TemplateRenderingFailed') {
					name = 'Email Dropped';
					break;
				}
				name = 'Email Bounced';
				// pmtypes: bounce types per postmarkapp.com/developer/api/bounce-api#bounce-types
				extra.bounce_type = optionalString(b.Type) === undefined ? undefined : b.Type === 'HardBounce' || b.Type === 'BadEmailAddress' ? 'hard' : 'soft';
				// esptypes: + InboundError, ManuallyDeactivated, Unconfirmed (no outbound delivery failure)
				if (['AutoResponder', 'Subscribe', 'Unsubscribe', 'AddressChange', 'OpenRelayTest', 'VirusNotification', 'ChallengeVerification', 'InboundError', 'ManuallyDeactivated', 'Unconfirmed'].includes(b.Type as string)) {
					const skipped = contentId('postmark', topic, b.ID ?? optionalString(b.MessageID), when, b.OriginalLink, b.Recipient ?? b.Email);
					const unknown = unknownTopic(postmark, input, `Bounce (${b.Type as string})`, b, skipped, 'Type');
					return unknown ? [unknown] : [];
				}
				break;
			case 'SpamComplaint':
				name = 'Email Marked as Spam';
				when = b.BouncedAt;
				email = b.Email;
				break;
			case 'SubscriptionChange':
				// espfix: the event follows SuppressionReason (HardBounce → bounce, SpamComplaint → spam)
				extra.reason = optionalString(b.SuppressionReason);
				name = b.SuppressSending === false ? 'Resubscribed' : extra.reason === 'HardBounce' ? 'Email Bounced' : extra.reason === 'SpamComplaint' ? 'Email Marked as Spam' : 'Unsubscribed';
				if (name === 'Email Bounced') extra.bounce_type = 'hard';
				when = b.ChangedAt;
				break;
		}
		const espId = optionalString(b.MessageID);
		const messageId = contentId('postmark', topic, b.ID ?? espId, when, b.OriginalLink, b.Recipient ?? b.Email); // espfix: + recipient
		if (!name) {
			const unknown = unknownTopic(postmark, input, topic, b, messageId, 'RecordType');
			return unknown ? [unknown] : [];
		}
		return [
			engagementEvent(input, {
				source: 'postmark',
				topic,
				event: name,
				messageId,
				timestamp: toIsoUtc(when ?? input.receivedAt, 'timestamp'),
				email: normalizeEmail(email),
				properties: { ...attribution(b.Metadata), esp_message_id: espId, tag: optionalString(b.Tag), ...extra },
				context: { userAgent: optionalString(b.UserAgent), stream: optionalString(b.MessageStream) },
				raw: b,
			}),
		];
	},
};
