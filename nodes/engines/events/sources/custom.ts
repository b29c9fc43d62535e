/**
 * Custom source: the user says where each canonical field sits (dot paths such as
 * `data.user.email` or `$.items[0].sku`), e.g. for a site's data-layer pushes. Money at
 * `valuePath` is taken as major units; the currency is upper-cased.
 */
import { canonicalEventName, type CanonicalEvent } from '../../types/CanonicalEvent';
import type { CustomMapping, EventSource, NormalizeInput } from '../types';
import { EventMappingError } from '../types';
import { contentId, currencyCode, isObject, isoOf, money, normalizeEmail, optionalString, own, readPath, toIsoUtc, unknownTopic } from '../util';

function field(value: unknown, path: string | undefined): unknown {
	return path && path.trim() ? readPath(value, path) : undefined;
}

function one(item: unknown, m: CustomMapping, input: NormalizeInput, at: string): CanonicalEvent | null {
	if (!isObject(item)) throw new EventMappingError(`${at} must be an object`, at);
	const rawName = optionalString(field(item, m.eventPath)) ?? (m.eventName?.trim() || undefined);
	// Without an id path the id is a content hash. When the mapping has no timestamp either, two
	// identical pushes (the same cart action twice) would share it and the second would be dropped
	// as a duplicate: the receive time and position then join the hash (retries are then not
	// recognised: set "Message ID Path" for that).
	const hasTimestamp = field(item, m.timestampPath) !== undefined;
	const messageId =
		optionalString(field(item, m.messageIdPath)) ??
		(hasTimestamp ? contentId('custom', item) : contentId('custom', item, input.receivedAt.getTime(), at));
	if (!rawName) {
		throw new EventMappingError(`${at}: no event name at "${m.eventPath ?? ''}" and no fixed event name set`, m.eventPath || 'eventName');
	}
	let name = rawName;
	if (m.eventMap && Object.keys(m.eventMap).length) {
		const mapped = own(m.eventMap, rawName);
		if (typeof mapped !== 'string' || !mapped) return unknownTopic('custom', input, rawName, item, messageId, m.eventPath || 'event');
		name = mapped;
	}
	// "order completed" (a map or data layer written in another case) is the canonical Order Completed
	name = canonicalEventName(name);
	// An identify call (`identify`, `IDENTIFY`…: a Segment-style `type`) is the canonical Identify,
	// whose mapped object (Properties Path, e.g. `traits`) is also its traits: the profile reads an
	// Identify's traits, never its properties.
	const identify = name.toLowerCase() === 'identify';
	if (identify) name = 'Identify';
	const ts = field(item, m.timestampPath);
	const propsSource = m.propertiesPath && m.propertiesPath.trim() ? readPath(item, m.propertiesPath) : item;
	const properties: Record<string, unknown> = isObject(propsSource) ? { ...propsSource } : {};
	const traits = identify && isObject(propsSource) ? { ...propsSource } : undefined;
	const currency = currencyCode(field(item, m.currencyPath) ?? properties.currency);
	if (currency) properties.currency = currency;
	else delete properties.currency;
	const value = money(field(item, m.valuePath));
	if (value !== undefined) properties.value = value;
	const userId = optionalString(field(item, m.userIdPath)) ?? null;
	const email = normalizeEmail(field(item, m.emailPath));
	let anonymousId = optionalString(field(item, m.anonymousIdPath)) ?? null;
	if (!userId && !email && !anonymousId) anonymousId = messageId;
	const event: CanonicalEvent = {
		type: identify ? 'identify' : 'track',
		event: name,
		messageId,
		// A date-time without a zone is read as UTC (not as the n8n server's local time).
		timestamp: toIsoUtc(ts ?? input.receivedAt, m.timestampPath || 'timestamp', true),
		receivedAt: isoOf(input.receivedAt),
		userId,
		anonymousId,
		email,
		properties,
		context: { source: 'custom', topic: rawName.slice(0, 200) },
	};
	if (traits !== undefined) event.traits = traits;
	if (input.keepRaw) event.raw = item;
	return event;
}

export const custom: EventSource = {
	id: 'custom',
	displayName: 'Custom (Map Fields)',
	topics: [{ topic: '(any: the event name found at the event path, optionally mapped)', event: '(your mapping)' }],
	normalize(input) {
		const m = input.mapping ?? {};
		const payload = input.payload;
		if (m.eventsPath && m.eventsPath.trim()) {
			const list = readPath(payload, m.eventsPath);
			if (!Array.isArray(list)) throw new EventMappingError(`"${m.eventsPath}" is not an array`, m.eventsPath);
			const out: CanonicalEvent[] = [];
			list.forEach((item, i) => {
				const e = one(item, m, input, `${m.eventsPath}[${i}]`);
				if (e) out.push(e);
			});
			return out;
		}
		const e = one(payload, m, input, 'body');
		return e ? [e] : [];
	},
};
