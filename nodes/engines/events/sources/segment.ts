/**
 * Segment / RudderStack: the payload already is Segment-spec (track, identify, page, batch).
 * https://segment.com/docs/connections/spec/common/
 */
import type { CanonicalEvent, CanonicalEventType } from '../../types/CanonicalEvent';
import type { EventSource, NormalizeInput } from '../types';
import { EventMappingError } from '../types';
import { contentId, isObject, normalizeEmail, optionalString, toIsoUtc } from '../util';

const CALLS: Record<string, CanonicalEventType> = { track: 'track', identify: 'identify', page: 'page' };

function one(message: Record<string, unknown>, input: NormalizeInput, path: string): CanonicalEvent {
	const type = CALLS[String(message.type ?? '')];
	if (!type) {
		throw new EventMappingError(`${path}.type must be track, identify, page or batch`, `${path}.type`, 'unknownTopic');
	}
	const properties = isObject(message.properties) ? { ...message.properties } : {};
	const traits = isObject(message.traits) ? message.traits : isObject((message.context as Record<string, unknown>)?.traits) ? ((message.context as Record<string, unknown>).traits as Record<string, unknown>) : undefined;
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
	const timestamp = toIsoUtc(message.timestamp ?? message.sentAt ?? input.receivedAt, `${path}.timestamp`);
	const email = normalizeEmail(traits?.email ?? properties.email);
	return {
		type,
		event,
		messageId: optionalString(message.messageId) ?? contentId('segment', message),
		timestamp,
		receivedAt: input.receivedAt.toISOString(),
		userId,
		anonymousId,
		email,
		properties,
		...(traits ? { traits: { ...traits } } : {}),
		context: { source: 'segment', topic: type },
	};
}

export const segment: EventSource = {
	id: 'segment',
	displayName: 'Segment / RudderStack',
	topics: [
		{ topic: 'track', event: '(the track call\'s own event name)' },
		{ topic: 'identify', event: 'Identify' },
		{ topic: 'page', event: 'Page Viewed' },
		{ topic: 'batch', event: '(each message of the batch)' },
	],
	normalize(input) {
		const payload = input.payload;
		if (!isObject(payload)) throw new EventMappingError('the body must be a JSON object', 'body');
		if (payload.type === 'batch' || Array.isArray(payload.batch)) {
			if (!Array.isArray(payload.batch)) throw new EventMappingError('batch must be an array', 'batch');
			return payload.batch.map((m, i) => {
				if (!isObject(m)) throw new EventMappingError(`batch[${i}] must be an object`, `batch[${i}]`);
				return one(m, input, `batch[${i}]`);
			});
		}
		return [one(payload, input, 'body')];
	},
};
