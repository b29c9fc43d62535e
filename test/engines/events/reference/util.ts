import type { CanonicalEvent, CanonicalProduct } from '../../../../nodes/engines/types/CanonicalEvent';
import { metadataToProperties } from './attribution';
import type { NormalizeInput, EventSource } from '../../../../nodes/engines/events/types';
import { EventMappingError } from '../../../../nodes/engines/events/types';
import { isoFromTime, timeFromIso } from '../../../../nodes/engines/events/isoDate';

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A change made to the former code: own-key lookups of topic tables (see util.ts `own`); the other is in toIsoUtc. */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
	return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Objects only: `{}` for anything else, so mappings can read nested fields without guards. */
export function obj(value: unknown): Record<string, unknown> {
	return isObject(value) ? value : {};
}

const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** ISO-8601 UTC from a date string, epoch seconds/milliseconds or Date; throws on garbage. */
/** For text starting `YYYY-MM-DD`: month 1-12 and a day that exists in that month (else true). */
function plausibleDay(text: string): boolean {
	if (text.length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return true;
	const month = (text.charCodeAt(5) - 48) * 10 + (text.charCodeAt(6) - 48);
	const day = (text.charCodeAt(8) - 48) * 10 + (text.charCodeAt(9) - 48);
	if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return false;
	if (day <= 28) return true;
	const year = Number(text.slice(0, 4));
	return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** For canonical text `YYYY-MM-DDTHH:MM:SS.sssZ`: hour 0-23, minute and second 0-59. */
function plausibleClock(text: string): boolean {
	const hour = (text.charCodeAt(11) - 48) * 10 + (text.charCodeAt(12) - 48);
	return hour <= 23 && text.charCodeAt(14) <= 53 && text.charCodeAt(17) <= 53;
}

let lastDate: Date | undefined;
let lastTime = Number.NaN;
let lastIso = '';

/**
 * `date.toISOString()`, remembered for the last Date seen: every event of a delivery carries the
 * same `receivedAt`. Re-checks the time, so a Date changed in place is formatted again.
 */
export function isoOf(date: Date): string {
	const time = date.getTime();
	if (date === lastDate && time === lastTime) return lastIso;
	const iso = isoFromTime(time) ?? date.toISOString();
	lastDate = date;
	lastTime = time;
	lastIso = iso;
	return iso;
}

const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function toIsoUtc(value: unknown, field: string, assumeUtc = false): string {
	// Already canonical (what toISOString() gives) and a possible calendar date: nothing to convert.
	if (typeof value === 'string' && value.length === 24 && CANONICAL_UTC.test(value) && plausibleDay(value) && plausibleClock(value)) return value;
	// Fast paths (same results as the Date built-ins below, see isoDate.ts): epoch numbers and ISO text with a zone.
	if (typeof value === 'number') {
		const iso = isoFromTime(value < 1e11 ? value * 1000 : value);
		if (iso !== undefined) return iso;
	} else if (typeof value === 'string') {
		const time = timeFromIso(value.trim(), assumeUtc);
		const iso = time === undefined ? undefined : isoFromTime(time);
		if (iso !== undefined) return iso;
	}
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
	// JS Date rolls impossible calendar dates over (Feb 30 → Mar 2): reject them instead.
	if (date && typeof value === 'string' && !plausibleDay(value.trim())) date = undefined;
	if (!date || Number.isNaN(date.getTime()) || Math.abs(date.getTime()) > 8.64e15) {
		throw new EventMappingError(`"${field}" is not a valid date: ${String(JSON.stringify(value)).slice(0, 60)}`, field);
	}
	// The second change made to the former code: years outside 0000-9999 (toISOString() gives ±YYYYYY-…) are refused, as in util.ts.
	const iso = date.toISOString();
	if (iso.length !== 24) throw new EventMappingError(`"${field}" is not a valid date (outside the years 0000-9999): ${String(JSON.stringify(value)).slice(0, 60)}`, field);
	return iso;
}

export function normalizeEmail(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	const email = value.trim().toLowerCase();
	return /^[^\s@]+@[^\s@]+$/.test(email) ? email : null;
}

/**
 * evmap fix: an address field may hold the RFC 5322 name-addr form `Name <addr>`; the address is
 * the last `<…>` closing the text. Written independently of the fast version, with a regex.
 */
export function mailboxEmail(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	const angle = /<([^<]*)>$/.exec(value.trim());
	if (angle) return normalizeEmail(angle[1]);
	return value.trim().endsWith('>') ? null : normalizeEmail(value);
}

export function optionalString(value: unknown): string | undefined {
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

/**
 * A stable id derived from content, for sources that send no event id (Postmark, Brevo, …).
 * Not a security boundary (signatures are): a fast 2×53-bit hash, stable across processes.
 * cyrb53 (public-domain 53-bit string hash) with seeds 1 and 2, both computed in one pass.
 */
export function contentId(...parts: unknown[]): string {
	const text = JSON.stringify(parts);
	// seed 1: h1 = 0xdeadbeef ^ 1, h2 = 0x41c6ce57 ^ 1; seed 2: g1 = 0xdeadbeef ^ 2, g2 = 0x41c6ce57 ^ 2
	let h1 = 0xdeadbeef ^ 1;
	let h2 = 0x41c6ce57 ^ 1;
	let g1 = 0xdeadbeef ^ 2;
	let g2 = 0x41c6ce57 ^ 2;
	for (let i = 0; i < text.length; i++) {
		const ch = text.charCodeAt(i);
		h1 = Math.imul(h1 ^ ch, 2654435761);
		h2 = Math.imul(h2 ^ ch, 1597334677);
		g1 = Math.imul(g1 ^ ch, 2654435761);
		g2 = Math.imul(g2 ^ ch, 1597334677);
	}
	h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
	h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
	g1 = Math.imul(g1 ^ (g1 >>> 16), 2246822507) ^ Math.imul(g2 ^ (g2 >>> 13), 3266489909);
	g2 = Math.imul(g2 ^ (g2 >>> 16), 2246822507) ^ Math.imul(g1 ^ (g1 >>> 13), 3266489909);
	// Each 53-bit value (21 high bits, 32 low bits) as 14 hex digits: the halves are written apart
	// because Number#toString(16) of a double beyond 2^31 is slow; same text as `.toString(16).padStart(14, '0')`.
	return `c${hexDigits(2097151 & h2, 6)}${hexDigits(h1 >>> 0, 8)}${hexDigits(2097151 & g2, 6)}${hexDigits(g1 >>> 0, 8)}`;
}

/** The hex digit (0-9a-f) of the 4 bits of `value` at `shift`, as a char code. */
function nibble(value: number, shift: number): number {
	const d = (value >>> shift) & 15;
	return d < 10 ? 48 + d : 87 + d;
}

/** A non-negative integer below 2^32 (below 2^24 when `width` is 6) as exactly `width` hex digits. */
function hexDigits(value: number, width: 6 | 8): string {
	const low = String.fromCharCode(nibble(value, 20), nibble(value, 16), nibble(value, 12), nibble(value, 8), nibble(value, 4), nibble(value, 0));
	return width === 6 ? low : String.fromCharCode(nibble(value, 28), nibble(value, 24)) + low;
}

/** A money amount already in major units (number or decimal string like "59.99"). */
export function money(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value !== 'string') return undefined;
	// Fast path for /^-?\d+(\.\d+)?$/ (what every store sends); white space etc. take the regex.
	const n = value.length;
	let i = n > 0 && value.charCodeAt(0) === 45 ? 1 : 0;
	const intStart = i;
	while (i < n && value.charCodeAt(i) >= 48 && value.charCodeAt(i) <= 57) i++;
	if (i > intStart) {
		if (i === n) return Number(value);
		if (value.charCodeAt(i) === 46) {
			const fracStart = ++i;
			while (i < n && value.charCodeAt(i) >= 48 && value.charCodeAt(i) <= 57) i++;
			if (i === n && i > fracStart) return Number(value);
		}
	}
	return /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : undefined;
}

/**
 * Minor units of a currency per ISO 4217 as Stripe applies it:
 * https://docs.stripe.com/currencies#zero-decimal and #three-decimal
 */
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** Review fix: a sum of store prices rounded to the currency's decimals (0 JPY…, 3 KWD…, else 2). */
export function roundMoney(value: number, currency: string | undefined): number {
	const code = (currency ?? '').toUpperCase();
	const scale = 10 ** (ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2);
	return Math.round(value * scale) / scale;
}

/** Review fix: an optional date trait as ISO-8601 UTC, left out when missing or not a valid date. */
export function optionalIsoUtc(value: unknown, field: string, assumeUtc = false): string | undefined {
	const text = optionalString(value);
	if (text === undefined) return undefined;
	try {
		return toIsoUtc(text, field, assumeUtc);
	} catch (error) {
		if (error instanceof EventMappingError) return undefined;
		throw error;
	}
}

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

/** A copy without undefined values, so emitted events stay clean JSON (no `delete`: keeps objects fast). */
export function compact<T extends Record<string, unknown>>(record: T): T {
	const out: Record<string, unknown> = {};
	for (const key in record) {
		const value = record[key];
		if (value !== undefined) out[key] = value;
	}
	return out as T;
}

export function product(fields: CanonicalProduct): CanonicalProduct {
	return compact(fields);
}

/**
 * A store's line item as a product: what `product({ product_id, variant, sku, name, price,
 * quantity, brand, position })` gives (same keys in the same order, missing ones left out),
 * built directly: line items are the largest mapping on the hot path.
 */
export function lineProduct(
	productId: string | undefined,
	variant: string | undefined,
	sku: string | undefined,
	name: string | undefined,
	price: number | undefined,
	quantity: unknown,
	brand: string | undefined,
	position: number,
): CanonicalProduct {
	const p: CanonicalProduct = {};
	if (productId !== undefined) p.product_id = productId;
	if (variant !== undefined) p.variant = variant;
	if (sku !== undefined) p.sku = sku;
	if (name !== undefined) p.name = name;
	if (price !== undefined) p.price = price;
	if (typeof quantity === 'number') p.quantity = quantity;
	if (brand !== undefined) p.brand = brand;
	p.position = position;
	return p;
}

/** Reads a header (names lower-cased by the caller or not). Arrays give their first value. */
export function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	let value = headers[name];
	if (value === undefined) {
		// Node lower-cases request header names; other callers (Normalize Event) may not. Only a
		// key of the same length can lower-case to the name, except with U+0130 (the one character
		// whose lower case is two), so other keys are skipped without lower-casing them.
		const lower = name.toLowerCase();
		for (const key of Object.keys(headers)) {
			if (key.length !== lower.length && !(key.length < lower.length && key.includes('\u0130'))) continue;
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
 * A change made to the former code (attrascii): in the carriers ESP Dispatch writes in ASCII (Brevo
 * X-Mailin-custom, Mailgun user-variables, SES and Resend tags) a value holding other characters
 * than a tag (or a header) keeps, or starting with `b64-` itself, is sent as `b64-` + base64url
 * (RFC 4648 §5, no padding) of its UTF-8 bytes. Read here from that rule alone: the part after
 * `b64-` must be base64url that encodes back to itself, its bytes UTF-8 that encodes back to them,
 * and the text one the writer does encode (not tag-safe letters, digits, `_`, `-`, or starting with
 * `b64-`); anything else is the value as it came.
 */
export function writtenValue(value: string): string {
	const match = /^b64-([A-Za-z0-9_-]+)$/.exec(value);
	if (!match) return value;
	const bytes = Buffer.from(match[1], 'base64url');
	if (bytes.toString('base64url') !== match[1]) return value;
	const text = bytes.toString('utf8');
	if (!Buffer.from(text, 'utf8').equals(bytes)) return value;
	const writtenAsIs = /^[A-Za-z0-9_-]+$/.test(text) && !text.startsWith('b64-');
	return text === '' || writtenAsIs ? value : text;
}

/** `attribution(...)` of one carrier ESP Dispatch writes encoded, each value read by writtenValue. */
export function writtenAttribution(source: unknown): Record<string, string> {
	const out = attribution(source);
	for (const key of Object.keys(out)) out[key] = writtenValue(out[key]);
	return out;
}

const PAIR_SEPARATORS = /[|;&,]/;
const PAIR = /^\s*([A-Za-z0-9_.-]+)\s*[:=]\s*(.+?)\s*$/;

/**
 * For the usual pair `key:value` or `key=value` with a key of `[A-Za-z0-9_.-]` and a value of
 * visible ASCII (no white space anywhere): the index of the separator. -1 for anything else,
 * which the `PAIR` regex then reads (same result: nothing to trim).
 */
function plainPairSeparator(part: string): number {
	const n = part.length;
	let i = 0;
	for (; i < n; i++) {
		const c = part.charCodeAt(i);
		if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45)) break;
	}
	if (i === 0 || i >= n - 1) return -1;
	const sep = part.charCodeAt(i);
	if (sep !== 58 && sep !== 61) return -1;
	for (let j = i + 1; j < n; j++) {
		const c = part.charCodeAt(j);
		if (c < 33 || c > 126) return -1;
	}
	return i;
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
		for (const part of text.split(PAIR_SEPARATORS)) {
			const eq = plainPairSeparator(part);
			if (eq > 0) {
				out[part.slice(0, eq)] = part.slice(eq + 1);
				continue;
			}
			const match = PAIR.exec(part);
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
			timestamp: isoOf(input.receivedAt),
			receivedAt: isoOf(input.receivedAt),
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

const compiledPaths = new Map<string, string[]>();

function compilePath(path: string): string[] {
	let keys = compiledPaths.get(path);
	if (!keys) {
		keys = [];
		for (const raw of path.trim().replace(/^\$\.?/, '').split('.')) {
			for (const part of raw.split(/\[(\d+)\]/)) if (part !== '') keys.push(part);
		}
		if (compiledPaths.size > 1000) compiledPaths.clear();
		compiledPaths.set(path, keys);
	}
	return keys;
}

/** Reads a dot/bracket path (`a.b[0].c`, optional leading `$.`) from a value. */
export function readPath(value: unknown, path: string): unknown {
	let current: unknown = value;
	for (const key of compilePath(path)) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

/**
 * Quotes integer literals beyond 2^53 (outside strings) so JSON.parse keeps them exact, as strings.
 * One pass over the text; returns the text unchanged (same string) when there are none.
 */
export function quoteUnsafeIntegers(text: string): string {
	let out = '';
	let last = 0;
	const n = text.length;
	for (let i = 0; i < n; i++) {
		const c = text.charCodeAt(i);
		if (c === 34) {
			// skip a string literal
			for (i++; i < n; i++) {
				const d = text.charCodeAt(i);
				if (d === 92) i++;
				else if (d === 34) break;
			}
			continue;
		}
		if ((c >= 48 && c <= 57) || c === 45) {
			let j = i + 1;
			while (j < n) {
				const d = text.charCodeAt(j);
				if (d < 48 || d > 57) break;
				j++;
			}
			const next = text.charCodeAt(j);
			if (j - i >= 16 && next !== 46 && next !== 101 && next !== 69) {
				const literal = text.slice(i, j);
				if (!Number.isSafeInteger(Number(literal))) {
					out += `${text.slice(last, i)}"${literal}"`;
					last = j;
				}
			}
			i = j - 1;
		}
	}
	return last === 0 ? text : out + text.slice(last);
}

function hasUnsafeInteger(value: unknown, depth = 0): boolean {
	if (typeof value === 'number') return !Number.isSafeInteger(value) && Number.isInteger(value);
	if (value === null || typeof value !== 'object' || depth > 64) return false;
	if (Array.isArray(value)) {
		for (const item of value) if (hasUnsafeInteger(item, depth + 1)) return true;
		return false;
	}
	for (const key in value as Record<string, unknown>) if (hasUnsafeInteger((value as Record<string, unknown>)[key], depth + 1)) return true;
	return false;
}

/**
 * JSON.parse that keeps integers beyond 2^53 (Shopify's 64-bit ids) exact, as strings. Parses
 * once at full speed; only a body that really holds such a number is scanned and parsed again.
 */
export function parseJsonLossless(text: string): unknown {
	const value: unknown = JSON.parse(text);
	return hasUnsafeInteger(value) ? JSON.parse(quoteUnsafeIntegers(text)) : value;
}
