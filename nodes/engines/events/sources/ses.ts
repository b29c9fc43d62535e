/**
 * Amazon SES event publishing through SNS. The body is an SNS envelope whose `Message` is the
 * SES event JSON (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html);
 * our attribution travels in `mail.tags` (message tags: `{ "pz_campaign_id": ["spring"] }`), with
 * the recipient's `pz_user_id` (properties.user_id), each written tag-safe by ESP Dispatch (`b64-` +
 * base64url for other characters) and decoded here (decodeAttributionValue, decodeTagValue).
 * Bounce, Complaint and Delivery events list several recipients: one canonical event each.
 */
import type { CanonicalContext, CanonicalEvent } from '../../types/CanonicalEvent';
import { decodeAttributionValue, decodeTagValue } from '../../types/attribution';
import type { EventSource, NormalizeInput } from '../types';
import { EventMappingError } from '../types';
import { contentId, isObject, mailboxEmail, obj, optionalString, own, toIsoUtc, unknownTopic } from '../util';
import { engagementEvent } from './engagement';

const EVENTS: Record<string, string> = {
	Send: 'Email Sent',
	Delivery: 'Email Delivered',
	Open: 'Email Opened',
	Click: 'Email Link Clicked',
	Bounce: 'Email Bounced',
	Complaint: 'Email Marked as Spam',
};

/**
 * What a `Subscription` event says (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html,
 * "Subscription object"): the contact's topic preferences of one contact list after the change
 * (`newTopicPreferences`) and before it (`oldTopicPreferences`), each `unsubscribeAll` plus a
 * `topicSubscriptionStatus` list of `{ topicName, subscriptionStatus: OptIn | OptOut }`. The event
 * is `Unsubscribed` when the contact is now unsubscribed from the whole list or opted out of a
 * topic, else `Resubscribed` when they left "unsubscribe all" or opted in to a topic; the topics
 * whose status changed are listed. No visible change: undefined (an unknown topic).
 */
function subscriptionChange(detail: Record<string, unknown>): { name: string; unsubscribeAll?: boolean; optedOut: string[]; optedIn: string[] } | undefined {
	const now = obj(detail.newTopicPreferences);
	const before = obj(detail.oldTopicPreferences);
	const previous = new Map<string, unknown>();
	if (Array.isArray(before.topicSubscriptionStatus)) {
		for (const t of before.topicSubscriptionStatus) {
			const topic = obj(t);
			if (typeof topic.topicName === 'string') previous.set(topic.topicName, topic.subscriptionStatus);
		}
	}
	const optedOut: string[] = [];
	const optedIn: string[] = [];
	if (Array.isArray(now.topicSubscriptionStatus)) {
		for (const t of now.topicSubscriptionStatus) {
			const topic = obj(t);
			const status = topic.subscriptionStatus;
			if (typeof topic.topicName !== 'string' || status === previous.get(topic.topicName)) continue;
			if (status === 'OptOut') optedOut.push(topic.topicName);
			else if (status === 'OptIn') optedIn.push(topic.topicName);
		}
	}
	const unsubscribeAll = typeof now.unsubscribeAll === 'boolean' ? now.unsubscribeAll : undefined;
	let name: string | undefined;
	if (unsubscribeAll === true || optedOut.length > 0) name = 'Unsubscribed';
	else if (optedIn.length > 0 || (unsubscribeAll === false && before.unsubscribeAll === true)) name = 'Resubscribed';
	return name === undefined ? undefined : { name, unsubscribeAll, optedOut, optedIn };
}

/** A tag's first value (SES tags are `{ name: [value] }`) when it is a non-empty string. */
function tagValue(value: unknown): string | undefined {
	const first = Array.isArray(value) ? value[0] : value;
	return typeof first === 'string' && first !== '' ? first : undefined;
}

/**
 * Attribution from SES message tags, written into `out`: what `attribution(flatTags(tags))` gave
 * (flatTags kept each tag's first value when a string, attribution the non-empty ones), reading
 * the five `pz_*` tags by name instead of copying every tag, each decoded when ESP Dispatch wrote
 * it `b64-` + base64url (decodeAttributionValue; a startsWith test when it did not).
 */
function addTagAttribution(out: Record<string, unknown>, tags: unknown): void {
	if (!isObject(tags)) return;
	let value = tagValue(tags.pz_message_id);
	if (value !== undefined) out.email_id = decodeAttributionValue(value);
	value = tagValue(tags.pz_campaign_id);
	if (value !== undefined) out.campaign_id = decodeAttributionValue(value);
	value = tagValue(tags.pz_variant);
	if (value !== undefined) out.variant = decodeAttributionValue(value);
	value = tagValue(tags.pz_segment);
	if (value !== undefined) out.segment = decodeAttributionValue(value);
	value = tagValue(tags.pz_experiment_id);
	if (value !== undefined) out.experiment_id = decodeAttributionValue(value);
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
	topics: [
		...Object.entries(EVENTS).map(([topic, event]) => ({ topic, event })),
		{ topic: 'Subscription', event: 'Unsubscribed / Resubscribed (by the change of topic preferences)' },
	],
	normalize(input: NormalizeInput): CanonicalEvent[] {
		const { event: e, snsMessageId, topicArn } = sesEventOf(input.payload);
		const topic = optionalString(e.eventType) ?? optionalString(e.notificationType);
		if (!topic) throw new EventMappingError('the SES event has no eventType', 'Message.eventType');
		const mail = obj(e.mail);
		const baseId = snsMessageId ?? contentId('ses', e);
		let name = own(EVENTS, topic);
		const detail = obj(e[topic.toLowerCase()]);
		const change = topic === 'Subscription' ? subscriptionChange(detail) : undefined;
		if (change) name = change.name;
		// A feedback report of type `not-spam` says the reporter does NOT consider the message spam
		// ("may be used to correct a message that was incorrectly tagged or categorized as spam", the
		// complaint types table of https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html,
		// RFC 5965 / IANA MARF feedback types): no complaint, so unmapped as `Complaint (not-spam)`.
		const notSpam = topic === 'Complaint' && detail.complaintFeedbackType === 'not-spam';
		if (!name || notSpam) {
			const unknownName = notSpam ? 'Complaint (not-spam)' : topic === 'Subscription' ? 'Subscription (no change)' : topic;
			const unknown = unknownTopic(ses, input, unknownName, e, baseId, notSpam ? 'Message.complaint.complaintFeedbackType' : 'Message.eventType');
			return unknown ? [unknown] : [];
		}
		let recipients: unknown[];
		// The topic's own properties, added after the common ones (at most one topic sets each).
		let bounceType: string | undefined;
		let reason: string | undefined;
		let linkUrl: string | undefined;
		if (topic === 'Bounce') {
			recipients = Array.isArray(detail.bouncedRecipients) ? detail.bouncedRecipients.map((r) => obj(r).emailAddress) : [];
			bounceType = detail.bounceType === 'Permanent' ? 'hard' : 'soft';
			reason = optionalString(detail.bounceSubType);
		} else if (topic === 'Complaint') {
			recipients = Array.isArray(detail.complainedRecipients) ? detail.complainedRecipients.map((r) => obj(r).emailAddress) : [];
			reason = optionalString(detail.complaintFeedbackType);
		} else if (topic === 'Delivery') {
			recipients = Array.isArray(detail.recipients) ? detail.recipients : [];
		} else {
			// mail.destination lists the recipients as the send call gave them, also `Name <addr>`.
			recipients = Array.isArray(mail.destination) ? mail.destination.slice(0, 1) : [];
			if (topic === 'Click') linkUrl = optionalString(detail.link);
		}
		if (recipients.length === 0) recipients = [undefined];
		// Key by key in the order of the former `compact({ ...attribution(flatTags(mail.tags)),
		// esp_message_id, ...topic's own })`, undefined ones left out.
		const properties: Record<string, unknown> = {};
		addTagAttribution(properties, mail.tags);
		// ESP Dispatch sends each message to one address, whom pz_user_id names: an event listing
		// several recipients (not such a message) gives it to none of them.
		const tagUserId = recipients.length === 1 && isObject(mail.tags) ? tagValue(mail.tags.pz_user_id) : undefined;
		const userId = tagUserId === undefined ? null : decodeTagValue(tagUserId);
		const esp = optionalString(mail.messageId);
		if (esp !== undefined) properties.esp_message_id = esp;
		if (bounceType !== undefined) properties.bounce_type = bounceType;
		if (reason !== undefined) properties.reason = reason;
		if (linkUrl !== undefined) properties.link_url = linkUrl;
		if (change) {
			const list = optionalString(detail.contactList);
			if (list !== undefined) properties.contact_list = list;
			if (change.unsubscribeAll !== undefined) properties.unsubscribe_all = change.unsubscribeAll;
			if (change.optedOut.length > 0) properties.topics_opted_out = change.optedOut;
			if (change.optedIn.length > 0) properties.topics_opted_in = change.optedIn;
		}
		const timestamp = toIsoUtc(detail.timestamp ?? mail.timestamp ?? input.receivedAt, 'Message.timestamp');
		const ip = optionalString(detail.ipAddress);
		const userAgent = optionalString(detail.userAgent);
		const out: CanonicalEvent[] = [];
		for (let i = 0; i < recipients.length; i++) {
			const context: CanonicalContext = { source: 'ses', topic };
			if (ip !== undefined) context.ip = ip;
			if (userAgent !== undefined) context.userAgent = userAgent;
			if (topicArn !== undefined) context.topicArn = topicArn;
			// Each event gets its own properties object, as before (a copy for the second and later).
			const props = i === 0 ? properties : { ...properties };
			out.push(engagementEvent(input, name, recipients.length > 1 ? `${baseId}:${i}` : baseId, timestamp, mailboxEmail(recipients[i]), userId, props, context, input.payload));
		}
		return out;
	},
};
