/**
 * Resend webhooks (Svix-signed): `{ type: "email.opened", created_at, data: { email_id, to, tags, click } }`.
 * https://resend.com/docs/dashboard/webhooks/event-types . Our attribution is in `data.tags`
 * (an object, or the older `[{ name, value }]` list).
 */
import type { CanonicalEvent } from '../../../../../nodes/engines/types/CanonicalEvent';
import type { EventSource } from '../../../../../nodes/engines/events/types';
import { EventMappingError } from '../../../../../nodes/engines/events/types';
import { contentId, header, isObject, mailboxEmail, obj, optionalString, own, toIsoUtc, unknownTopic, writtenAttribution } from '../util';
import { engagementEvent } from './engagement';

const EVENTS: Record<string, string> = {
	'email.sent': 'Email Sent',
	'email.delivered': 'Email Delivered',
	'email.opened': 'Email Opened',
	'email.clicked': 'Email Link Clicked',
	'email.bounced': 'Email Bounced',
	'email.complained': 'Email Marked as Spam',
	'email.suppressed': 'Email Dropped', // rsupp: resend.com/docs/webhooks/emails/suppressed
	'email.failed': 'Email Dropped', // esptypes: resend.com/docs/webhooks/emails/failed ("failed to send")
};

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
		const messageId = resend.deliveryId?.(input.headers) ?? contentId('resend', topic, data.email_id, b.created_at);
		const name = own(EVENTS, topic);
		if (!name) {
			// unknown-id: contact.* / domain.* events name no email_id (resend.com/docs/webhooks/contacts/created):
			// without a svix-id / webhook-id, the whole body identifies the delivery, not topic + created_at.
			const noDelivery = resend.deliveryId?.(input.headers) === undefined;
			const unknownId = noDelivery && (data.email_id === undefined || data.email_id === null) ? contentId('resend', topic, b) : messageId;
			const unknown = unknownTopic(resend, input, topic, b, unknownId, 'type');
			return unknown ? [unknown] : [];
		}
		const to = Array.isArray(data.to) ? data.to[0] : data.to;
		const click = obj(data.click);
		const bounce = obj(data.bounce);
		const when = topic === 'email.clicked' && click.timestamp ? click.timestamp : b.created_at;
		return [
			engagementEvent(input, {
				source: 'resend',
				topic,
				event: name,
				messageId,
				timestamp: toIsoUtc(when ?? input.receivedAt, 'created_at'),
				email: mailboxEmail(to), // evmap fix: `Name <addr>` too
				properties: {
					...writtenAttribution(tagsOf(data.tags)), // attrascii
					esp_message_id: optionalString(data.email_id),
					link_url: optionalString(click.link),
					// esptypes: email.failed's reason is data.failed.reason
					reason:
						optionalString(bounce.message) ??
						(topic === 'email.suppressed' ? optionalString(obj(data.suppressed).message) : topic === 'email.failed' ? optionalString(obj(data.failed).reason) : undefined),
					// rsupp: Transient / Temporary / Undetermined are soft (resend.com/docs/dashboard/emails/email-bounces)
					bounce_type: topic === 'email.bounced' ? (['Transient', 'Temporary', 'Undetermined'].includes(bounce.type as string) ? 'soft' : 'hard') : undefined,
				},
				context: { ip: optionalString(click.ipAddress), userAgent: optionalString(click.userAgent) },
				raw: b,
			}),
		];
	},
};
