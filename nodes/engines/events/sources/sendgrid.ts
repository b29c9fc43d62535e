/**
 * SendGrid Event Webhook: a JSON array of events; custom args (our `pz_*` attribution, and the
 * recipient's `pz_user_id`, properties.user_id) are top-level keys of each event. https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event
 */
import type { CanonicalContext, CanonicalEvent } from '../../types/CanonicalEvent';
import { addAttribution, userIdOf } from '../../types/attribution';
import type { EventSource, NormalizeInput } from '../types';
import { EventMappingError } from '../types';
import { contentId, isObject, mapBatch, normalizeEmail, optionalString, own, toIsoUtc, unknownTopic } from '../util';
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
	// "Recipient resubscribed to a specific group by updating their preferences" (the docs' Group
	// Resubscribe), the reverse of group_unsubscribe; both carry the group in asm_group_id.
	group_resubscribe: 'Resubscribed',
};

function one(e: Record<string, unknown>, input: NormalizeInput, path: string): CanonicalEvent | null {
	const topic = optionalString(e.event);
	if (!topic) throw new EventMappingError(`${path}.event is missing`, `${path}.event`);
	const messageId = optionalString(e.sg_event_id) ?? contentId('sendgrid', e);
	const name = own(EVENTS, topic);
	if (!name) return unknownTopic(sendgrid, input, topic, e, messageId, `${path}.event`);
	const timestamp = toIsoUtc(e.timestamp ?? input.receivedAt, `${path}.timestamp`);
	const email = normalizeEmail(e.email);
	// Key by key in the order of the former `compact({ ...attribution(e), esp_message_id, link_url,
	// reason, bounce_type, category, asm_group_id, machine_open })`, undefined ones left out.
	const properties: Record<string, unknown> = {};
	addAttribution(properties, e);
	const esp = optionalString(e.sg_message_id);
	if (esp !== undefined) properties.esp_message_id = esp;
	if (topic === 'click') {
		const url = optionalString(e.url);
		if (url !== undefined) properties.link_url = url;
	}
	const reason = optionalString(e.reason);
	if (reason !== undefined) properties.reason = reason;
	if (topic === 'bounce') properties.bounce_type = optionalString(e.type) === 'blocked' ? 'soft' : 'hard';
	const category = Array.isArray(e.category) ? e.category.join(',') : optionalString(e.category);
	if (category !== undefined) properties.category = category;
	const group = optionalString(e.asm_group_id);
	if (group !== undefined) properties.asm_group_id = group;
	if (e.sg_machine_open === true) properties.machine_open = true;
	const context: CanonicalContext = { source: 'sendgrid', topic };
	const ip = optionalString(e.ip);
	if (ip !== undefined) context.ip = ip;
	const userAgent = optionalString(e.useragent);
	if (userAgent !== undefined) context.userAgent = userAgent;
	return engagementEvent(input, name, messageId, timestamp, email, userIdOf(e), properties, context, e);
}

export const sendgrid: EventSource = {
	id: 'sendgrid',
	displayName: 'SendGrid',
	topics: Object.entries(EVENTS).map(([topic, event]) => ({ topic, event })),
	normalize(input) {
		const payload = input.payload;
		// SendGrid posts an array (up to 1,000 events, retried for 24 hours after a non-2xx answer):
		// one bad event does not refuse the others (see mapBatch). A lone object is one event,
		// refused on a fault like a single Segment call.
		if (Array.isArray(payload)) return mapBatch('sendgrid', payload, input, 'body', { idKey: 'sg_event_id', topicKey: 'event' }, (e, path) => one(e, input, path));
		if (!isObject(payload)) throw new EventMappingError('the SendGrid body must be a JSON array of events', 'body');
		const event = one(payload, input, 'body[0]');
		return event ? [event] : [];
	},
};
