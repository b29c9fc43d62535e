/**
 * Amazon SES event publishing through SNS. The body is an SNS envelope whose `Message` is the
 * SES event JSON (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html);
 * our attribution travels in `mail.tags` (message tags: `{ "pz_campaign_id": ["spring"] }`), read as
 * ESP Dispatch writes them (writtenAttribution, attrascii).
 * Bounce, Complaint and Delivery events list several recipients: one canonical event each.
 */
import type { CanonicalEvent } from '../../../../../nodes/engines/types/CanonicalEvent';
import type { EventSource, NormalizeInput } from '../../../../../nodes/engines/events/types';
import { EventMappingError } from '../../../../../nodes/engines/events/types';
import { contentId, isObject, mailboxEmail, obj, optionalString, own, toIsoUtc, unknownTopic, writtenAttribution } from '../util';
import { engagementEvent } from './engagement';

const EVENTS: Record<string, string> = {
	Send: 'Email Sent',
	Delivery: 'Email Delivered',
	Open: 'Email Opened',
	Click: 'Email Link Clicked',
	Bounce: 'Email Bounced',
	Complaint: 'Email Marked as Spam',
};

/** SES tags are `{ name: [value] }`: take each first value. */
function flatTags(tags: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(obj(tags))) {
		const first = Array.isArray(v) ? v[0] : v;
		if (typeof first === 'string') out[k] = first;
	}
	return out;
}

/**
 * evmap fix: a `Subscription` event is Unsubscribed when the new preferences unsubscribe from the
 * whole list or opt out of a topic whose status changed, else Resubscribed when a topic's status
 * changed to OptIn or "unsubscribe all" went from true to false; no change: unknown topic.
 */
function subscription(detail: Record<string, unknown>): { name: string; extra: Record<string, unknown> } | undefined {
	const entries = (prefs: unknown) => {
		const list = obj(prefs).topicSubscriptionStatus;
		return (Array.isArray(list) ? list : []).map((t) => obj(t)).filter((t) => typeof t.topicName === 'string');
	};
	const before = entries(detail.oldTopicPreferences);
	const changed = entries(detail.newTopicPreferences).filter((t) => t.subscriptionStatus !== before.filter((o) => o.topicName === t.topicName).pop()?.subscriptionStatus);
	const out = changed.filter((t) => t.subscriptionStatus === 'OptOut').map((t) => t.topicName);
	const into = changed.filter((t) => t.subscriptionStatus === 'OptIn').map((t) => t.topicName);
	const all = obj(detail.newTopicPreferences).unsubscribeAll;
	const name =
		all === true || out.length > 0
			? 'Unsubscribed'
			: into.length > 0 || (all === false && obj(detail.oldTopicPreferences).unsubscribeAll === true)
				? 'Resubscribed'
				: undefined;
	if (!name) return undefined;
	return {
		name,
		extra: {
			contact_list: optionalString(detail.contactList),
			unsubscribe_all: typeof all === 'boolean' ? all : undefined,
			topics_opted_out: out.length > 0 ? out : undefined,
			topics_opted_in: into.length > 0 ? into : undefined,
		},
	};
}

/** Unwraps an SNS Notification envelope; returns the SES event and the SNS MessageId. */
export function sesEventOf(payload: unknown): { event: Record<string, unknown>; snsMessageId?: string; topicArn?: string } {
	if (isObject(payload) && payload.Type === 'Notification' && typeof payload.Message === 'string') {
		let inner: unknown;
		try {
			inner = JSON.parse(payload.Message);
		} catch {
			throw new EventMappingError('the SNS Message is not JSON', 'Message');
		}
		if (!isObject(inner)) throw new EventMappingError('the SNS Message is not a JSON object', 'Message');
		return { event: inner, snsMessageId: optionalString(payload.MessageId), topicArn: optionalString(payload.TopicArn) };
	}
	if (isObject(payload)) return { event: payload };
	throw new EventMappingError('the SES body must be a JSON object', 'body');
}

export const ses: EventSource = {
	id: 'ses',
	displayName: 'Amazon SES (via SNS)',
	topics: [...Object.entries(EVENTS).map(([topic, event]) => ({ topic, event })), { topic: 'Subscription', event: 'Unsubscribed / Resubscribed (by the change of topic preferences)' }],
	normalize(input: NormalizeInput): CanonicalEvent[] {
		const { event: e, snsMessageId, topicArn } = sesEventOf(input.payload);
		const topic = optionalString(e.eventType) ?? optionalString(e.notificationType);
		if (!topic) throw new EventMappingError('the SES event has no eventType', 'Message.eventType');
		const mail = obj(e.mail);
		const baseId = snsMessageId ?? contentId('ses', e);
		const sub = topic === 'Subscription' ? subscription(obj(e.subscription)) : undefined;
		const name = sub ? sub.name : own(EVENTS, topic);
		const detail = obj(e[topic.toLowerCase()]);
		// esp-events fix: a Complaint of feedback type not-spam is no complaint: unmapped, as "Complaint (not-spam)"
		const notSpam = topic === 'Complaint' && detail.complaintFeedbackType === 'not-spam';
		if (!name || notSpam) {
			const unknown = notSpam
				? unknownTopic(ses, input, 'Complaint (not-spam)', e, baseId, 'Message.complaint.complaintFeedbackType')
				: unknownTopic(ses, input, topic === 'Subscription' ? 'Subscription (no change)' : topic, e, baseId, 'Message.eventType');
			return unknown ? [unknown] : [];
		}
		let recipients: unknown[];
		const extra: Record<string, unknown> = { ...sub?.extra };
		if (topic === 'Bounce') {
			recipients = Array.isArray(detail.bouncedRecipients) ? detail.bouncedRecipients.map((r) => obj(r).emailAddress) : [];
			extra.bounce_type = detail.bounceType === 'Permanent' ? 'hard' : 'soft';
			extra.reason = optionalString(detail.bounceSubType);
		} else if (topic === 'Complaint') {
			recipients = Array.isArray(detail.complainedRecipients) ? detail.complainedRecipients.map((r) => obj(r).emailAddress) : [];
			extra.reason = optionalString(detail.complaintFeedbackType);
		} else if (topic === 'Delivery') {
			recipients = Array.isArray(detail.recipients) ? detail.recipients : [];
		} else {
			recipients = Array.isArray(mail.destination) ? mail.destination.slice(0, 1) : [];
			if (topic === 'Click') extra.link_url = optionalString(detail.link);
		}
		if (recipients.length === 0) recipients = [undefined];
		const props = { ...writtenAttribution(flatTags(mail.tags)), esp_message_id: optionalString(mail.messageId), ...extra };
		const timestamp = toIsoUtc(detail.timestamp ?? mail.timestamp ?? input.receivedAt, 'Message.timestamp');
		return recipients.map((recipient, i) =>
			engagementEvent(input, {
				source: 'ses',
				topic,
				event: name,
				messageId: recipients.length > 1 ? `${baseId}:${i}` : baseId,
				timestamp,
				email: mailboxEmail(recipient), // evmap fix: `Name <addr>` too
				properties: props,
				context: { ip: optionalString(detail.ipAddress), userAgent: optionalString(detail.userAgent), topicArn },
				raw: input.payload,
			}),
		);
	},
};
