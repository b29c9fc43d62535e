/**
 * Resend webhooks (Svix-signed): `{ type: "email.opened", created_at, data: { email_id, to, tags, click } }`.
 * https://resend.com/docs/dashboard/webhooks/event-types . Our attribution is in `data.tags`
 * (an object, or the older `[{ name, value }]` list), with the recipient's `pz_user_id`
 * (properties.user_id), each written tag-safe by ESP Dispatch and decoded here
 * (addAttribution's `encoded`, decodeTagValue).
 */
import type { CanonicalContext, CanonicalEvent } from '../../types/CanonicalEvent';
import { addAttribution, decodeTagValue, userIdOf } from '../../types/attribution';
import type { EventSource } from '../types';
import { EventMappingError } from '../types';
import { contentId, header, isObject, mailboxEmail, obj, optionalString, own, toIsoUtc, unknownTopic } from '../util';
import { engagementEvent } from './engagement';

const EVENTS: Record<string, string> = {
	'email.sent': 'Email Sent',
	'email.delivered': 'Email Delivered',
	'email.opened': 'Email Opened',
	'email.clicked': 'Email Link Clicked',
	'email.bounced': 'Email Bounced',
	'email.complained': 'Email Marked as Spam',
	// Resend did not send: the address is on the account's suppression list
	// (https://resend.com/docs/webhooks/emails/suppressed, `data.suppressed.type` OnAccountSuppressionList).
	'email.suppressed': 'Email Dropped',
	// Resend did not send: "the email failed to send due to an error", e.g. "invalid recipients, API
	// key problems, domain verification issues, email quota limits" (https://resend.com/docs/webhooks/emails/failed);
	// the reason is `data.failed.reason` (e.g. `reached_daily_quota`).
	'email.failed': 'Email Dropped',
};

/**
 * `bounce.type` values that are no permanent failure (https://resend.com/docs/dashboard/emails/email-bounces):
 * Transient ("soft bounce"), Undetermined (the bounce message did not say why, soft as for SES), and
 * Temporary, which the email.bounced page gives as an example. Permanent, or no type, is hard.
 */
const SOFT_BOUNCE_TYPES = new Set(['Transient', 'Temporary', 'Undetermined']);

function tagsOf(tags: unknown): Record<string, unknown> {
	if (Array.isArray(tags)) {
		const out: Record<string, unknown> = {};
		for (const t of tags) if (isObject(t) && typeof t.name === 'string') out[t.name] = t.value;
		return out;
	}
	return obj(tags);
}

export const resend: EventSource = {
	id: 'resend',
	displayName: 'Resend',
	topics: Object.entries(EVENTS).map(([topic, event]) => ({ topic, event })),
	deliveryId: (headers) => header(headers, 'svix-id') ?? header(headers, 'webhook-id'),
	normalize(input): CanonicalEvent[] {
		const b = input.payload;
		if (!isObject(b)) throw new EventMappingError('the Resend body must be a JSON object', 'body');
		const topic = optionalString(b.type);
		if (!topic) throw new EventMappingError('"type" is missing', 'type');
		const data = obj(b.data);
		const delivery = resend.deliveryId?.(input.headers);
		const name = own(EVENTS, topic);
		if (!name) {
			// A topic not mapped here need not be about an email: `contact.*` and `domain.*` carry their
			// record's `data.id`, no `email_id` (https://resend.com/docs/webhooks/contacts/created).
			// Without a delivery id such a body is hashed whole, so two of them sent in the same
			// millisecond (`created_at`) do not share a messageId.
			const messageId = delivery ?? (data.email_id == null ? contentId('resend', topic, b) : contentId('resend', topic, data.email_id, b.created_at));
			const unknown = unknownTopic(resend, input, topic, b, messageId, 'type');
			return unknown ? [unknown] : [];
		}
		const messageId = delivery ?? contentId('resend', topic, data.email_id, b.created_at);
		const to = Array.isArray(data.to) ? data.to[0] : data.to;
		const click = obj(data.click);
		const bounce = obj(data.bounce);
		const when = topic === 'email.clicked' && click.timestamp ? click.timestamp : b.created_at;
		const timestamp = toIsoUtc(when ?? input.receivedAt, 'created_at');
		// `to` holds the addresses as the sender gave them, also `Name <addr>`.
		const email = mailboxEmail(to);
		// Key by key in the order of the former `compact({ ...attribution(tags), esp_message_id,
		// link_url, reason, bounce_type })`, undefined ones left out.
		const properties: Record<string, unknown> = {};
		const tags = tagsOf(data.tags);
		// Tags allow only letters, digits, `_` and `-`: ESP Dispatch writes other values (attribution
		// and userId) `b64-` + base64url (encodeTagValue).
		addAttribution(properties, tags, true);
		const tagUserId = userIdOf(tags);
		const userId = tagUserId === null ? null : decodeTagValue(tagUserId);
		const esp = optionalString(data.email_id);
		if (esp !== undefined) properties.esp_message_id = esp;
		const link = optionalString(click.link);
		if (link !== undefined) properties.link_url = link;
		const reason =
			optionalString(bounce.message) ??
			(topic === 'email.suppressed' ? optionalString(obj(data.suppressed).message) : topic === 'email.failed' ? optionalString(obj(data.failed).reason) : undefined);
		if (reason !== undefined) properties.reason = reason;
		if (topic === 'email.bounced') properties.bounce_type = SOFT_BOUNCE_TYPES.has(bounce.type as string) ? 'soft' : 'hard';
		const context: CanonicalContext = { source: 'resend', topic };
		const ip = optionalString(click.ipAddress);
		if (ip !== undefined) context.ip = ip;
		const userAgent = optionalString(click.userAgent);
		if (userAgent !== undefined) context.userAgent = userAgent;
		return [engagementEvent(input, name, messageId, timestamp, email, userId, properties, context, b)];
	},
};
