/**
 * Mailgun webhooks: `{ signature: {…}, "event-data": { event, id, timestamp, recipient,
 * "user-variables", tags, message: { headers }, url, severity, reason } }`.
 * https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhook-payloads
 */
import type { CanonicalEvent } from '../../../../../nodes/engines/types/CanonicalEvent';
import type { EventSource } from '../../../../../nodes/engines/events/types';
import { EventMappingError } from '../../../../../nodes/engines/events/types';
import { contentId, isObject, normalizeEmail, obj, optionalString, own, toIsoUtc, unknownTopic, writtenAttribution } from '../util';
import { engagementEvent } from './engagement';

const EVENTS: Record<string, string> = {
	accepted: 'Email Sent',
	delivered: 'Email Delivered',
	opened: 'Email Opened',
	clicked: 'Email Link Clicked',
	failed: 'Email Bounced',
	complained: 'Email Marked as Spam',
	unsubscribed: 'Unsubscribed',
};

export const mailgun: EventSource = {
	id: 'mailgun',
	displayName: 'Mailgun',
	topics: Object.entries(EVENTS).map(([topic, event]) => ({ topic, event })),
	normalize(input): CanonicalEvent[] {
		const body = input.payload;
		if (!isObject(body)) throw new EventMappingError('the Mailgun body must be a JSON object', 'body');
		const data = body['event-data'];
		if (!isObject(data)) throw new EventMappingError('the Mailgun body has no "event-data" object', 'event-data');
		const topic = optionalString(data.event);
		if (!topic) throw new EventMappingError('event-data.event is missing', 'event-data.event');
		const messageId = optionalString(data.id) ?? contentId('mailgun', data);
		const severity = optionalString(data.severity);
		// espfix: a failed event with a severity other than permanent is unmapped, as "failed (<severity>)"
		const notPermanent = topic === 'failed' && severity !== undefined && severity !== 'permanent';
		// review fix: a failure for an address on the unsubscribe / complaint suppression list is Email Dropped, no bounce_type
		const dropped = topic === 'failed' && (data.reason === 'suppress-unsubscribe' || data.reason === 'suppress-complaint');
		const name = notPermanent ? undefined : dropped ? 'Email Dropped' : own(EVENTS, topic);
		if (!name) {
			// raw without `signature` (it signs no event data; kept, it could be reused with other data)
			const { signature: _signature, ...unsigned } = body;
			const unknown = unknownTopic(mailgun, input, notPermanent ? `failed (${severity})` : topic, unsigned, messageId, notPermanent ? 'event-data.severity' : 'event-data.event');
			return unknown ? [unknown] : [];
		}
		const status = obj(data['delivery-status']);
		const client = obj(data['client-info']);
		return [
			engagementEvent(input, {
				source: 'mailgun',
				topic,
				event: name,
				messageId,
				timestamp: toIsoUtc(data.timestamp ?? input.receivedAt, 'event-data.timestamp'),
				email: normalizeEmail(data.recipient),
				properties: {
					...writtenAttribution(data['user-variables']), // attrascii
					esp_message_id: optionalString(obj(obj(data.message).headers)['message-id']),
					link_url: topic === 'clicked' ? optionalString(data.url) : undefined,
					// esp-events fix: Mailgun's own delivery-status["bounce-type"] decides; else reason "old" (retries exhausted) is soft
					bounce_type:
						topic === 'failed' && !dropped
							? status['bounce-type'] === 'hard' || status['bounce-type'] === 'soft'
								? status['bounce-type']
								: data.reason === 'old'
									? 'soft'
									: 'hard'
							: undefined,
					reason: optionalString(data.reason) ?? optionalString(status.description) ?? optionalString(status.message),
					tags: Array.isArray(data.tags) && data.tags.length ? data.tags.filter((t) => typeof t === 'string').join(',') : undefined,
					// events-flags: Mailgun's bot detection (client-info.bot, non-empty) on opened / clicked
					machine_open: topic === 'opened' && optionalString(client.bot) !== undefined ? true : undefined,
					machine_open_kind: topic === 'opened' ? optionalString(client.bot) : undefined,
					machine_click: topic === 'clicked' && optionalString(client.bot) !== undefined ? true : undefined,
					machine_click_kind: topic === 'clicked' ? optionalString(client.bot) : undefined,
				},
				context: { ip: optionalString(data.ip), userAgent: optionalString(client['user-agent']) },
				raw: (({ signature: _signature, ...unsigned }) => unsigned)(body),
			}),
		];
	},
};
