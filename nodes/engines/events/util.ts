import { createHash } from 'node:crypto';
import type { CanonicalEvent, CanonicalProduct } from '../types/CanonicalEvent';
import { metadataToProperties } from '../types/attribution';
import type { NormalizeInput, EventSource } from './types';
import { EventMappingError } from './types';

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects only: `{}` for anything else, so mappings can read nested fields without guards. */
export function obj(value: unknown): Record<string, unknown> {
	return isObject(value) ? value : {};
}

const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** ISO-8601 UTC from a date string, epoch seconds/milliseconds or Date; throws on garbage. */
export function toIsoUtc(value: unknown, field: string, assumeUtc = false): string {
	let date: Date | undefined;
	if (value instanceof Date) date = value;
	else if (typeof value === 'number' && Number.isFinite(value)) {
		date = new Date(value < 1e11 ? value * 1000 : value);
	} else if (typeof value === 'string' && value.trim() !== '') {
		const trimmed = value.trim();
		if (/^\d+(\.\d+)?$/.test(trimmed)) {
			const n = Number(trimmed);
			date = new Date(n < 1e11 ? n * 1000 : n);
		} else {
			// Zone-less local date-times (WooCommerce `*_gmt`, Brevo) are read as UTC when the source says so.
			const text = assumeUtc && /T|\d \d/.test(trimmed) && !HAS_ZONE.test(trimmed) ? `${trimmed.replace(' ', 'T')}Z` : trimmed;
			date = new Date(text);
		}
	}
	if (!date || Number.isNaN(date.getTime()) || Math.abs(date.getTime()) > 8.64e15) {
		throw new EventMappingError(`"${field}" is not a valid date: ${String(JSON.stringify(value)).slice(0, 60)}`, field);
	}
	return date.toISOString();
}

export function normalizeEmail(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	const email = value.trim().toLowerCase();
	return /^[^\s@]+@[^\s@]+$/.test(email) ? email : null;
}

export function optionalString(value: unknown): string | undefined {
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

/** A stable id derived from content, for sources that send no event id. */
export function contentId(...parts: unknown[]): string {
	return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/** A money amount already in major units (number or decimal string like "59.99"). */
export function money(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
	return undefined;
}

/**
 * Minor units of a currency per ISO 4217 as Stripe applies it:
 * https://docs.stripe.com/currencies#zero-decimal and #three-decimal
 */
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** Integer minor units (Stripe `amount_total: 2198`) → major units (21.98) for the currency. */
export function minorToMajor(value: unknown, currency: string | undefined): number | undefined {
	if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
	const code = (currency ?? '').toUpperCase();
	const digits = ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2;
	return digits === 0 ? value : Math.round(value) / 10 ** digits;
}

export function currencyCode(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const code = value.trim().toUpperCase();
	return /^[A-Z]{3}$/.test(code) ? code : undefined;
}

/** Drops undefined values so emitted events stay clean JSON. */
export function compact<T extends Record<string, unknown>>(record: T): T {
	for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
	return record;
}

export function product(fields: CanonicalProduct): CanonicalProduct {
	return compact(fields);
}

/** Reads a header (names lower-cased by the caller or not). Arrays give their first value. */
export function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	let value = headers[name];
	if (value === undefined) {
		const lower = name.toLowerCase();
		for (const key of Object.keys(headers)) {
			if (key.toLowerCase() === lower) {
				value = headers[key];
				break;
			}
		}
	}
	if (Array.isArray(value)) value = value[0];
	return typeof value === 'string' ? value : undefined;
}

/** Attribution from the `pz_*` keys of any provider metadata object (see types/attribution.ts). */
export function attribution(...sources: unknown[]): Record<string, string> {
	const out: Record<string, string> = {};
	for (const source of sources) Object.assign(out, metadataToProperties(source));
	return out;
}

/**
 * `key:value`, `key=value` strings (tags, headers) → an object. Also accepts a JSON object string.
 * Used for Brevo tags / X-Mailin-custom and similar flat carriers.
 */
export function pairsToObject(values: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	const list = Array.isArray(values) ? values : [values];
	for (const item of list) {
		if (typeof item !== 'string') continue;
		const text = item.trim();
		if (text.startsWith('{')) {
			try {
				const parsed: unknown = JSON.parse(text);
				if (isObject(parsed)) for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
			} catch {
				// not JSON: fall through to pairs
			}
			continue;
		}
		for (const part of text.split(/[|;&,]/)) {
			const match = /^\s*([A-Za-z0-9_.-]+)\s*[:=]\s*(.+?)\s*$/.exec(part);
			if (match) out[match[1]] = match[2];
		}
	}
	return out;
}

/**
 * What a mapping does with a topic it does not know: throw (`error`), drop it (`skip`), or
 * emit `event: "Unknown"` with the raw payload kept (`passThrough`).
 */
export function unknownTopic(
	source: EventSource | string,
	input: NormalizeInput,
	topic: string,
	raw: unknown,
	messageId: string,
	field: string,
): CanonicalEvent | null {
	const id = typeof source === 'string' ? source : source.id;
	const mode = input.onUnknown ?? 'error';
	if (mode === 'skip') return null;
	if (mode === 'passThrough') {
		return {
			type: 'track',
			event: 'Unknown',
			messageId,
			timestamp: input.receivedAt.toISOString(),
			receivedAt: input.receivedAt.toISOString(),
			properties: {},
			context: { source: id, topic: topic.slice(0, 200) },
			raw,
		};
	}
	throw new EventMappingError(
		`${id} topic "${topic.slice(0, 80)}" is not mapped (known: ${typeof source === 'string' ? '' : source.topics.map((t) => t.topic).join(', ')})`,
		field,
		'unknownTopic',
	);
}

/** Reads a dot/bracket path (`a.b[0].c`, optional leading `$.`) from a value. */
export function readPath(value: unknown, path: string): unknown {
	const clean = path.trim().replace(/^\$\.?/, '');
	if (clean === '') return value;
	let current: unknown = value;
	for (const raw of clean.split('.')) {
		const parts = raw.split(/\[(\d+)\]/).filter((p) => p !== '');
		for (const key of parts) {
			if (current === null || typeof current !== 'object') return undefined;
			current = (current as Record<string, unknown>)[key];
		}
	}
	return current;
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/** Keeps integers beyond 2^53 exact (as strings), using JSON.parse source text access (Node >= 21). */
const keepBigIntegers: Reviver = (_key, value, context) =>
	typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source) ? context.source : value;

/**
 * JSON.parse that keeps ids above 2^53 (Shopify sample ids, Postmark bounce ids) exact as strings.
 * The reviver only runs when the text holds a run of 16+ digits, so ordinary bodies parse at full speed.
 */
export function parseJson(text: string): unknown {
	return /\d{16}/.test(text) ? JSON.parse(text, keepBigIntegers as Parameters<typeof JSON.parse>[1]) : JSON.parse(text);
}
