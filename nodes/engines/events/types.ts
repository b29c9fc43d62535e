import type { CanonicalEvent } from '../types/CanonicalEvent';

/** What a source receives: the payload (already parsed) and the delivery's metadata. */
export interface NormalizeInput {
	payload: unknown;
	/** Lower-cased header names. */
	headers?: Record<string, string | undefined>;
	/** The source's topic when it travels outside the body (e.g. `X-Shopify-Topic`). */
	topic?: string;
	receivedAt: Date;
}

/** One file per source implements this. */
export interface EventSource {
	id: string;
	displayName: string;
	/** Source topic → canonical event name, documented in the README. */
	topics: ReadonlyArray<{ topic: string; event: string }>;
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

/** Runs a source's mapping; mapping errors come back as values, anything else is thrown. */
export function tryNormalize(
	source: EventSource,
	input: NormalizeInput,
): { ok: true; events: CanonicalEvent[] } | { ok: false; error: EventMappingError } {
	try {
		return { ok: true, events: source.normalize(input) };
	} catch (error) {
		if (error instanceof EventMappingError) return { ok: false, error };
		throw error;
	}
}
