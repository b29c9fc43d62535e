/**
 * Segment / RudderStack: the payload already is Segment-spec (track, identify, page, batch).
 * https://segment.com/docs/connections/spec/common/ , https://www.rudderstack.com/docs/event-spec/standard-events/
 */
import type { CanonicalContext, CanonicalEvent, CanonicalEventType } from '../../types/CanonicalEvent';
import type { EventSource, NormalizeInput } from '../types';
import { EventMappingError } from '../types';
import { contentId, currencyCode, isObject, isoOf, mapBatch, normalizeEmail, obj, optionalString, own, toIsoUtc, unknownTopic } from '../util';

const CALLS: Record<string, CanonicalEventType> = { track: 'track', identify: 'identify', page: 'page' };

/**
 * A batch's `context` applies to every call of the request
 * (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#batch): merged
 * under the message's own context, whose keys win; `traits` merged one level, the message's own win.
 */
function withBatchContext(mine: Record<string, unknown>, shared: Record<string, unknown>): Record<string, unknown> {
	const merged = { ...shared, ...mine };
	if (isObject(shared.traits) && isObject(mine.traits)) merged.traits = { ...shared.traits, ...mine.traits };
	return merged;
}

function one(message: Record<string, unknown>, input: NormalizeInput, path: string, batchContext?: Record<string, unknown>): CanonicalEvent | null {
	const call = String(message.type ?? '');
	const type = own(CALLS, call);
	const messageId = optionalString(message.messageId) ?? contentId('segment', message);
	if (!type) {
		if ((input.onUnknown ?? 'error') === 'error') {
			throw new EventMappingError(`${path}.type must be track, identify, page or batch`, `${path}.type`, 'unknownTopic');
		}
		return unknownTopic(segment, input, call || '(none)', message, messageId, `${path}.type`);
	}
	const properties: Record<string, unknown> = isObject(message.properties) ? { ...message.properties } : {};
	const context = batchContext ? withBatchContext(obj(message.context), batchContext) : obj(message.context);
	const traits = isObject(message.traits) ? message.traits : isObject(context.traits) ? context.traits : undefined;
	let event: string;
	if (type === 'track') {
		const name = optionalString(message.event);
		if (!name) throw new EventMappingError(`${path}.event is required for a track call`, `${path}.event`);
		event = name;
	} else if (type === 'identify') event = 'Identify';
	else event = optionalString(message.name) ? `Viewed ${String(message.name)} Page` : 'Page Viewed';
	const userId = optionalString(message.userId) ?? null;
	const anonymousId = optionalString(message.anonymousId) ?? null;
	if (!userId && !anonymousId) {
		throw new EventMappingError(`${path} needs a userId or an anonymousId`, `${path}.userId`);
	}
	if (properties.currency !== undefined) {
		const code = currencyCode(properties.currency);
		if (code) properties.currency = code;
		else delete properties.currency;
	}
	// A date-time without a zone is read as UTC (not as the n8n server's local time).
	const timestamp = toIsoUtc(message.timestamp ?? message.sentAt ?? input.receivedAt, `${path}.timestamp`, true);
	const email = normalizeEmail(traits?.email ?? properties.email);
	const receivedAt = isoOf(input.receivedAt);
	// Built as the former literal with conditional spreads built it: same keys, same order.
	const eventContext: CanonicalContext = { source: 'segment', topic: type };
	if (typeof context.ip === 'string') eventContext.ip = context.ip;
	if (typeof context.userAgent === 'string') eventContext.userAgent = context.userAgent;
	const out: CanonicalEvent = traits
		? { type, event, messageId, timestamp, receivedAt, userId, anonymousId, email, properties, traits: { ...traits }, context: eventContext }
		: { type, event, messageId, timestamp, receivedAt, userId, anonymousId, email, properties, context: eventContext };
	if (input.keepRaw) out.raw = message;
	return out;
}

export const segment: EventSource = {
	id: 'segment',
	displayName: 'Segment / RudderStack',
	topics: [
		{ topic: 'track', event: "(the track call's own event name, e.g. Order Completed)" },
		{ topic: 'identify', event: 'Identify' },
		{ topic: 'page', event: 'Page Viewed (or Viewed <name> Page)' },
		{ topic: 'batch', event: '(each message of the batch)' },
	],
	normalize(input) {
		const payload = input.payload;
		if (!isObject(payload)) throw new EventMappingError('the body must be a JSON object', 'body');
		if (payload.type === 'batch' || Array.isArray(payload.batch)) {
			if (!Array.isArray(payload.batch)) throw new EventMappingError('batch must be an array', 'batch');
			// One bad message does not refuse the batch (a single call still does): see mapBatch.
			const batchContext = isObject(payload.context) ? payload.context : undefined;
			return mapBatch('segment', payload.batch, input, 'batch', { idKey: 'messageId', topicKey: 'type' }, (m, path) => one(m, input, path, batchContext));
		}
		const event = one(payload, input, 'body');
		return event ? [event] : [];
	},
};
