/**
 * Mailgun webhooks: `{ signature: {…}, "event-data": { event, id, timestamp, recipient,
 * "user-variables", tags, message: { headers }, url, severity, reason } }`; our attribution and
 * the recipient's `pz_user_id` (properties.user_id) are in `user-variables`, each decoded when ESP
 * Dispatch wrote it `b64-` + base64url (addAttribution's `encoded: 'variable'`, decodeVariableValue:
 * the tag forms and the form encodeVariableValue gives JSON text such as `true`).
 * https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhook-payloads
 *
 * Bot detection (https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/open-click-bot-detect):
 * on an `opened` or `clicked` event Mailgun names the bot it detected in `client-info.bot`: `apple`
 * (Apple Mail Privacy Protection), `gmail` (a Gmail bot), `generic` ("mostly likely a firewall or
 * anti-virus scan"); empty or absent when no bot was detected. A flagged open is a machine open
 * (`machine_open: true`, as SendGrid's `sg_machine_open` and Brevo's proxy opens), a flagged click a
 * machine click (`machine_click: true`, e.g. a link scanner); the value is kept as
 * `machine_open_kind` / `machine_click_kind`.
 */
import type { CanonicalContext, CanonicalEvent } from '../../types/CanonicalEvent';
import { addAttribution, decodeVariableValue, userIdOf } from '../../types/attribution';
import type { EventSource } from '../types';
import { EventMappingError } from '../types';
import { contentId, isObject, normalizeEmail, obj, optionalString, own, toIsoUtc, unknownTopic } from '../util';
import { engagementEvent } from './engagement';

const EVENTS: Record<string, string> = {
	accepted: 'Email Sent',
	delivered: 'Email Delivered',
	opened: 'Email Opened',
	clicked: 'Email Link Clicked',
	failed: 'Email Bounced', // 'Email Dropped' for reason suppress-unsubscribe / suppress-complaint
	complained: 'Email Marked as Spam',
	unsubscribed: 'Unsubscribed',
};

/**
 * The payload as kept in `raw` (Include Raw Payload, or an unknown topic passed through): without
 * `signature`, whose timestamp, token and HMAC sign no event data, so anyone reading the execution
 * data could attach other event data to them within the replay window.
 */
function rawPayload(body: Record<string, unknown>): Record<string, unknown> {
	const { signature: _signature, ...rest } = body;
	return rest;
}

/**
 * How hard a permanent failure is. Mailgun says so itself in `delivery-status["bounce-type"]`
 * (`hard` / `soft`, the Permanent Failed Event of
 * https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhook-payloads): its own
 * soft bounces ("the mailbox is full or for other reasons", Tracking Failures) do not suppress the
 * address. Without it, reason `old` is a message Mailgun gave up after 8 hours of temporary
 * failures, "a permanent failure with the description of 'Too old'" (help.mailgun.com, "Will
 * Mailgun retry my failed messages"): a soft bounce repeated, not an address that does not
 * exist. Any other permanent failure is hard, as before.
 */
function failedBounceType(reason: unknown, status: Record<string, unknown>): 'hard' | 'soft' {
	const stated = status['bounce-type'];
	if (stated === 'hard' || stated === 'soft') return stated;
	return reason === 'old' ? 'soft' : 'hard';
}

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
		// Only a permanent failure (or one without severity) is a bounce; Mailgun retries a temporary
		// one, so it stays unmapped like SendGrid's and Brevo's `deferred`, named `failed (temporary)`.
		const notPermanent = topic === 'failed' && severity !== undefined && severity !== 'permanent';
		// A permanent failure Mailgun did not even attempt because the address is on its unsubscribe
		// or complaint suppression list (reason suppress-unsubscribe / suppress-complaint, delivery
		// codes 606 / 607) says nothing about the mailbox: dropped, like SendGrid's `dropped`, not a
		// hard bounce (which the profile keeps as an undeliverable address, past a later resubscribe).
		// suppress-bounce (605, the documented example) is a bounce known from before, still a bounce.
		const reasonCode = topic === 'failed' ? data.reason : undefined;
		const dropped = reasonCode === 'suppress-unsubscribe' || reasonCode === 'suppress-complaint';
		const name = notPermanent ? undefined : dropped ? 'Email Dropped' : own(EVENTS, topic);
		if (!name) {
			const unknown = notPermanent
				? unknownTopic(mailgun, input, `failed (${severity})`, rawPayload(body), messageId, 'event-data.severity')
				: unknownTopic(mailgun, input, topic, rawPayload(body), messageId, 'event-data.event');
			return unknown ? [unknown] : [];
		}
		const status = obj(data['delivery-status']);
		const client = obj(data['client-info']);
		const timestamp = toIsoUtc(data.timestamp ?? input.receivedAt, 'event-data.timestamp');
		const email = normalizeEmail(data.recipient);
		// Key by key in the order of the former `compact({ ...attribution(user-variables),
		// esp_message_id, link_url, bounce_type, reason, tags })`, undefined ones left out.
		const properties: Record<string, unknown> = {};
		const variables = data['user-variables'];
		// ESP Dispatch writes a value that is not printable ASCII, or is JSON text, as `b64-` + base64url (encodeVariableValue).
		addAttribution(properties, variables, 'variable');
		const esp = optionalString(obj(obj(data.message).headers)['message-id']);
		if (esp !== undefined) properties.esp_message_id = esp;
		if (topic === 'clicked') {
			const url = optionalString(data.url);
			if (url !== undefined) properties.link_url = url;
		}
		if (topic === 'failed' && !dropped) properties.bounce_type = failedBounceType(reasonCode, status);
		const reason = optionalString(data.reason) ?? optionalString(status.description) ?? optionalString(status.message);
		if (reason !== undefined) properties.reason = reason;
		if (Array.isArray(data.tags) && data.tags.length) properties.tags = data.tags.filter((t) => typeof t === 'string').join(',');
		const bot = topic === 'opened' || topic === 'clicked' ? optionalString(client.bot) : undefined;
		if (bot !== undefined && topic === 'opened') {
			properties.machine_open = true;
			properties.machine_open_kind = bot;
		} else if (bot !== undefined) {
			properties.machine_click = true;
			properties.machine_click_kind = bot;
		}
		const context: CanonicalContext = { source: 'mailgun', topic };
		const ip = optionalString(data.ip);
		if (ip !== undefined) context.ip = ip;
		const userAgent = optionalString(client['user-agent']);
		if (userAgent !== undefined) context.userAgent = userAgent;
		const sentUserId = userIdOf(variables);
		const userId = sentUserId === null ? null : decodeVariableValue(sentUserId);
		return [engagementEvent(input, name, messageId, timestamp, email, userId, properties, context, input.keepRaw ? rawPayload(body) : body)];
	},
};
