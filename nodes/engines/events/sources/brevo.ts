/**
 * Brevo transactional webhooks, one event per request
 * (https://developers.brevo.com/docs/transactional-webhooks). Attribution is read from the
 * `X-Mailin-custom` header value (JSON object or `key:value|key:value`) and from `tags`
 * (`pz_campaign_id:spring`), and so is the recipient's `pz_user_id` (properties.user_id). ESP
 * Dispatch writes X-Mailin-custom in ASCII: a value that is not printable ASCII (or holds `"` or
 * `\`) as `b64-` + base64url, decoded here (decodeAttributionValue, decodeTagValue for the userId).
 * `ts_event` is UTC epoch seconds; `date` is Paris time, never used.
 */
import type { CanonicalContext, CanonicalEvent } from '../../types/CanonicalEvent';
import type { EventSource } from '../types';
import { EventMappingError } from '../types';
import { decodeTagValue } from '../../types/attribution';
import { addPairsAttribution, contentId, isObject, normalizeEmail, optionalString, own, toIsoUtc, unknownTopic } from '../util';
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
		// Both times: ts_event is whole seconds, so two events of one message in one second would
		// collide without ts_epoch (milliseconds); ts_event stays in case ts_epoch is the send time,
		// as the documentation's attribute table words it.
		// A recipient's first open is sent twice when both are subscribed: as `unique_opened` ("First
		// Opening") and as `opened` (every opening), with the same message-id, ts_event and ts_epoch
		// in the documented examples (https://developers.brevo.com/docs/transactional-webhooks); the
		// same for `unique_proxy_open` and `proxy_open`. Both get the id of the plain topic, so the
		// profile (which records a messageId once) counts that open once, and the trigger's
		// de-duplication drops the plain copy after the unique one; the unique copy after the plain one
		// still runs, as it tells the first open (dedupe.ts, `dedupeEvents`).
		const idTopic = topic === 'unique_opened' ? 'opened' : topic === 'unique_proxy_open' ? 'proxy_open' : topic;
		const messageId = contentId('brevo', idTopic, esp, b.ts_event ?? b.ts, b.ts_epoch, b.link, b.email);
		const name = own(EVENTS, topic);
		if (!name) {
			const unknown = unknownTopic(brevo, input, topic, b, messageId, 'event');
			return unknown ? [unknown] : [];
		}
		const when = b.ts_event ?? b.ts_epoch ?? b.ts ?? input.receivedAt;
		const timestamp = toIsoUtc(when, 'ts_event');
		const email = normalizeEmail(b.email);
		// Key by key in the order of the former `compact({ ...attribution(pairsToObject(tags), pairsToObject(custom)), esp_message_id,
		// link_url, reason, bounce_type, machine_open })`, undefined ones left out.
		const properties: Record<string, unknown> = {};
		const tagUserId = addPairsAttribution(properties, b.tags ?? b.tag);
		// ESP Dispatch writes X-Mailin-custom's values, the recipient's pz_user_id among them, `b64-` +
		// base64url when they are not printable ASCII (encodeHeaderValue: Brevo would send them as raw
		// 8-bit): decoded from the header (not from the tags, which it does not write); the header's
		// value wins over the tags'.
		const headerUserId = addPairsAttribution(properties, b['X-Mailin-custom'] ?? b['x-mailin-custom'], true);
		const userId = headerUserId !== undefined ? decodeTagValue(headerUserId) : (tagUserId ?? null);
		if (esp !== undefined) properties.esp_message_id = esp;
		if (topic === 'click') {
			const link = optionalString(b.link);
			if (link !== undefined) properties.link_url = link;
		}
		const reason = optionalString(b.reason);
		if (reason !== undefined) properties.reason = reason;
		if (topic === 'hard_bounce') properties.bounce_type = 'hard';
		else if (topic === 'soft_bounce') properties.bounce_type = 'soft';
		if (topic.includes('proxy')) properties.machine_open = true;
		if (topic === 'unique_opened' || topic === 'unique_proxy_open') properties.first_open = true;
		const context: CanonicalContext = { source: 'brevo', topic };
		const ip = optionalString(b.sending_ip);
		if (ip !== undefined) context.ip = ip;
		return [engagementEvent(input, name, messageId, timestamp, email, userId, properties, context, b)];
	},
};
