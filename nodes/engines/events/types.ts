import type { CanonicalEvent } from '../types/CanonicalEvent';

export type UnknownMode = 'error' | 'skip' | 'passThrough';

/** Custom source: where each canonical field sits in the payload (dot paths, `$.` optional). */
export interface CustomMapping {
	/** Path of an array of events in the payload; empty: the payload is one event. */
	eventsPath?: string;
	/** Path of the event name. */
	eventPath?: string;
	/** Fixed event name, used when `eventPath` is empty or finds nothing. */
	eventName?: string;
	/** Source name → canonical name, e.g. `{ "add_to_cart": "Product Added" }`. */
	eventMap?: Record<string, string>;
	messageIdPath?: string;
	timestampPath?: string;
	userIdPath?: string;
	anonymousIdPath?: string;
	emailPath?: string;
	/** Path of an object copied into `properties`; empty: the whole event. */
	propertiesPath?: string;
	/** Path of the currency and of the value/total, money in major units. */
	currencyPath?: string;
	valuePath?: string;
}

/** What a source receives: the payload (already parsed) and the delivery's metadata. */
export interface NormalizeInput {
	payload: unknown;
	/** Request headers (any case). */
	headers?: Record<string, unknown>;
	/** The source's topic when it travels outside the body (e.g. `X-Shopify-Topic`). */
	topic?: string;
	receivedAt: Date;
	/** Unknown topics: throw (default), skip, or emit `Unknown` with the raw payload. */
	onUnknown?: UnknownMode;
	/** Keep the raw payload on every event (`raw`). */
	keepRaw?: boolean;
	/** Custom source only. */
	mapping?: CustomMapping;
}

/** One file per source implements this. */
export interface EventSource {
	id: string;
	displayName: string;
	/** Source topic → canonical event name, documented in the README. */
	topics: ReadonlyArray<{ topic: string; event: string }>;
	/** The delivery's id from headers (used for de-duplication when events carry no own id). */
	deliveryId?(headers: Record<string, unknown> | undefined): string | undefined;
	normalize(input: NormalizeInput): CanonicalEvent[];
}

/** A payload the mapping cannot use. `field` names the offending field (JSON path). */
export class EventMappingError extends Error {
	constructor(
		message: string,
		readonly field?: string,
		readonly kind: 'malformed' | 'unknownTopic' = 'malformed',
	) {
		super(message);
		this.name = 'EventMappingError';
	}
}

/**
 * Runs a source's mapping; mapping errors come back as values, anything else is thrown. A body
 * nested so deeply that the mapping runs out of stack (JSON.parse reads 20,000 levels of `[`; a
 * content hash or a copy of them does not) is a malformed payload too: a 400 for the sender, not an
 * error of the workflow.
 */
export function tryNormalize(
	source: EventSource,
	input: NormalizeInput,
): { ok: true; events: CanonicalEvent[] } | { ok: false; error: EventMappingError } {
	try {
		return { ok: true, events: source.normalize(input) };
	} catch (error) {
		if (error instanceof EventMappingError) return { ok: false, error };
		if (error instanceof RangeError && /call stack/i.test(error.message)) {
			return { ok: false, error: new EventMappingError('the payload is nested too deeply') };
		}
		throw error;
	}
}
