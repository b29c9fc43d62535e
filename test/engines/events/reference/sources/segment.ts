/**
 * Segment / RudderStack: the payload already is Segment-spec (track, identify, page, batch).
 * https://segment.com/docs/connections/spec/common/ , https://www.rudderstack.com/docs/event-spec/standard-events/
 */
import type { CanonicalEvent, CanonicalEventType } from '../../../../../nodes/engines/types/CanonicalEvent';
import type { EventSource, NormalizeInput } from '../../../../../nodes/engines/events/types';
import { EventMappingError } from '../../../../../nodes/engines/events/types';
import { contentId, currencyCode, isObject, isoOf, normalizeEmail, obj, optionalString, own, toIsoUtc, unknownTopic } from '../util';

const CALLS: Record<string, CanonicalEventType> = { track: 'track', identify: 'identify', page: 'page' };

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
	// Review fix: the batch's context under the message's own (own keys win, traits merged one level).
	const ownContext = obj(message.context);
	const context = batchContext
		? { ...batchContext, ...ownContext, ...(isObject(batchContext.traits) && isObject(ownContext.traits) ? { traits: { ...batchContext.traits, ...ownContext.traits } } : {}) }
		: ownContext;
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
	const timestamp = toIsoUtc(message.timestamp ?? message.sentAt ?? input.receivedAt, `${path}.timestamp`, true);
	const email = normalizeEmail(traits?.email ?? properties.email);
	return {
		type,
		event,
		messageId,
		timestamp,
		receivedAt: isoOf(input.receivedAt),
		userId,
		anonymousId,
		email,
		properties,
		...(traits ? { traits: { ...traits } } : {}),
		context: {
			source: 'segment',
			topic: type,
			...(typeof context.ip === 'string' ? { ip: context.ip } : {}),
			...(typeof context.userAgent === 'string' ? { userAgent: context.userAgent } : {}),
		},
		...(input.keepRaw ? { raw: message } : {}),
	};
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
			const out: CanonicalEvent[] = [];
			payload.batch.forEach((m, i) => {
				// evmap fix: a message the mapping refuses becomes an Unknown event with the reason
				// (properties.reason/field, raw = the message); the rest of the batch still comes out.
				try {
					if (!isObject(m)) throw new EventMappingError(`batch[${i}] must be an object`, `batch[${i}]`);
					const event = one(m, input, `batch[${i}]`, isObject(payload.context) ? payload.context : undefined);
					if (event) out.push(event);
				} catch (error) {
					if (!(error instanceof EventMappingError)) throw error;
					// ...except with Unknown Events = skip, where it is ignored like an unknown call.
					if (input.onUnknown === 'skip') return;
					const msg = isObject(m) ? m : {};
					out.push({
						type: 'track',
						event: 'Unknown',
						messageId: optionalString(msg.messageId) ?? contentId('segment', m),
						timestamp: isoOf(input.receivedAt),
						receivedAt: isoOf(input.receivedAt),
						properties: { reason: error.message, ...(error.field !== undefined ? { field: error.field } : {}) },
						context: { source: 'segment', topic: typeof msg.type === 'string' && msg.type !== '' ? msg.type.slice(0, 200) : '(none)' },
						raw: m,
					});
				}
			});
			return out;
		}
		const event = one(payload, input, 'body');
		return event ? [event] : [];
	},
};
