/**
 * SendGrid Event Webhook: a JSON array of events; custom args (our `pz_*` attribution) are
 * top-level keys of each event. https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event
 */
import type { CanonicalEvent } from '../../../../../nodes/engines/types/CanonicalEvent';
import type { EventSource, NormalizeInput } from '../../../../../nodes/engines/events/types';
import { EventMappingError } from '../../../../../nodes/engines/events/types';
import { attribution, contentId, isObject, isoOf, normalizeEmail, optionalString, own, toIsoUtc, unknownTopic } from '../util';
import { engagementEvent } from './engagement';

const EVENTS: Record<string, string> = {
	processed: 'Email Sent',
	delivered: 'Email Delivered',
	open: 'Email Opened',
	click: 'Email Link Clicked',
	bounce: 'Email Bounced',
	dropped: 'Email Dropped',
	spamreport: 'Email Marked as Spam',
	unsubscribe: 'Unsubscribed',
	group_unsubscribe: 'Unsubscribed',
	group_resubscribe: 'Resubscribed', // evmap fix
};

function one(e: Record<string, unknown>, input: NormalizeInput, path: string): CanonicalEvent | null {
	const topic = optionalString(e.event);
	if (!topic) throw new EventMappingError(`${path}.event is missing`, `${path}.event`);
	const messageId = optionalString(e.sg_event_id) ?? contentId('sendgrid', e);
	const name = own(EVENTS, topic);
	if (!name) return unknownTopic(sendgrid, input, topic, e, messageId, `${path}.event`);
	return engagementEvent(input, {
		source: 'sendgrid',
		topic,
		event: name,
		messageId,
		timestamp: toIsoUtc(e.timestamp ?? input.receivedAt, `${path}.timestamp`),
		email: normalizeEmail(e.email),
		properties: {
			...attribution(e),
			esp_message_id: optionalString(e.sg_message_id),
			link_url: topic === 'click' ? optionalString(e.url) : undefined,
			reason: optionalString(e.reason),
			bounce_type: topic === 'bounce' ? (optionalString(e.type) === 'blocked' ? 'soft' : 'hard') : undefined,
			category: Array.isArray(e.category) ? e.category.join(',') : optionalString(e.category),
			asm_group_id: optionalString(e.asm_group_id),
			machine_open: e.sg_machine_open === true ? true : undefined,
		},
		context: { ip: optionalString(e.ip), userAgent: optionalString(e.useragent) },
		raw: e,
	});
}

export const sendgrid: EventSource = {
	id: 'sendgrid',
	displayName: 'SendGrid',
	topics: Object.entries(EVENTS).map(([topic, event]) => ({ topic, event })),
	normalize(input) {
		const payload = input.payload;
		const list = Array.isArray(payload) ? payload : isObject(payload) ? [payload] : null;
		if (!list) throw new EventMappingError('the SendGrid body must be a JSON array of events', 'body');
		const out: CanonicalEvent[] = [];
		list.forEach((e, i) => {
			// evmap fix: in an array, an event the mapping refuses becomes an Unknown event with the
			// reason (properties.reason/field, raw = the event), as a Segment batch message does; the
			// rest of the batch still comes out. A lone object is still refused.
			try {
				if (!isObject(e)) throw new EventMappingError(`body[${i}] must be an object`, `body[${i}]`);
				const event = one(e, input, `body[${i}]`);
				if (event) out.push(event);
			} catch (error) {
				if (!Array.isArray(payload) || !(error instanceof EventMappingError)) throw error;
				// ...except with Unknown Events = skip, where it is ignored like an unknown topic.
				if (input.onUnknown === 'skip') return;
				const ev = isObject(e) ? e : {};
				out.push({
					type: 'track',
					event: 'Unknown',
					messageId: optionalString(ev.sg_event_id) ?? contentId('sendgrid', e),
					timestamp: isoOf(input.receivedAt),
					receivedAt: isoOf(input.receivedAt),
					properties: { reason: error.message, ...(error.field !== undefined ? { field: error.field } : {}) },
					context: { source: 'sendgrid', topic: typeof ev.event === 'string' && ev.event !== '' ? ev.event.slice(0, 200) : '(none)' },
					raw: e,
				});
			}
		});
		return out;
	},
};
