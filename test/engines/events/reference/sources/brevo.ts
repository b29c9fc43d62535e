/**
 * Brevo transactional webhooks, one event per request
 * (https://developers.brevo.com/docs/transactional-webhooks). Attribution is read from the
 * `X-Mailin-custom` header value (JSON object or `key:value|key:value`) and from `tags`
 * (`pz_campaign_id:spring`). `ts_event` is UTC epoch seconds; `date` is Paris time, never used.
 */
import type { CanonicalEvent } from '../../../../../nodes/engines/types/CanonicalEvent';
import type { EventSource } from '../../../../../nodes/engines/events/types';
import { EventMappingError } from '../../../../../nodes/engines/events/types';
import { attribution, contentId, isObject, normalizeEmail, optionalString, own, pairsToObject, toIsoUtc, unknownTopic, writtenAttribution } from '../util';
import { engagementEvent } from './engagement';

const EVENTS: Record<string, string> = {
	request: 'Email Sent',
	delivered: 'Email Delivered',
	opened: 'Email Opened',
	unique_opened: 'Email Opened',
	proxy_open: 'Email Opened',
	unique_proxy_open: 'Email Opened',
	click: 'Email Link Clicked',
	hard_bounce: 'Email Bounced',
	soft_bounce: 'Email Bounced',
	spam: 'Email Marked as Spam',
	unsubscribed: 'Unsubscribed',
	blocked: 'Email Dropped',
	invalid_email: 'Email Dropped',
};

export const brevo: EventSource = {
	id: 'brevo',
	displayName: 'Brevo',
	topics: Object.entries(EVENTS).map(([topic, event]) => ({ topic, event })),
	normalize(input): CanonicalEvent[] {
		const b = input.payload;
		if (!isObject(b)) throw new EventMappingError('the Brevo body must be a JSON object', 'body');
		const topic = optionalString(b.event);
		if (!topic) throw new EventMappingError('"event" is missing', 'event');
		const esp = optionalString(b['message-id']);
		// espfix: ts_epoch (milliseconds) as its own part of the id
		// evmap fix: unique_opened / unique_proxy_open share the id of opened / proxy_open (one open, sent twice)
		const messageId = contentId('brevo', topic.replace(/^unique_(opened|proxy_open)$/, '$1'), esp, b.ts_event ?? b.ts, b.ts_epoch, b.link, b.email);
		const name = own(EVENTS, topic);
		if (!name) {
			const unknown = unknownTopic(brevo, input, topic, b, messageId, 'event');
			return unknown ? [unknown] : [];
		}
		const when = b.ts_event ?? b.ts_epoch ?? b.ts ?? input.receivedAt;
		return [
			engagementEvent(input, {
				source: 'brevo',
				topic,
				event: name,
				messageId,
				timestamp: toIsoUtc(when, 'ts_event'),
				email: normalizeEmail(b.email),
				properties: {
					// attrascii: X-Mailin-custom's values read as ESP Dispatch writes them (the tags' as they are)
					...attribution(pairsToObject(b.tags ?? b.tag)),
					...writtenAttribution(pairsToObject(b['X-Mailin-custom'] ?? b['x-mailin-custom'])),
					esp_message_id: esp,
					link_url: topic === 'click' ? optionalString(b.link) : undefined,
					reason: optionalString(b.reason),
					bounce_type: topic === 'hard_bounce' ? 'hard' : topic === 'soft_bounce' ? 'soft' : undefined,
					machine_open: topic.includes('proxy') ? true : undefined,
					first_open: topic.startsWith('unique_') ? true : undefined, // evmap fix
				},
				context: { ip: optionalString(b.sending_ip) },
				raw: b,
			}),
		];
	},
};
