import type { CanonicalEvent, CanonicalProduct } from '../types/CanonicalEvent';
import type { NormalizeInput, EventSource } from './types';
import { EventMappingError } from './types';
import { daysInMonth, isoFromTime, timeFromIso } from './isoDate';
import { carriedValue } from '../types/attribution';

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `table[key]` for an own key only: a topic or type read from a payload must never find
 * Object.prototype members (`constructor`, `toString`, `__proto__`…) in a lookup table.
 */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
	return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Objects only: `{}` for anything else, so mappings can read nested fields without guards. */
export function obj(value: unknown): Record<string, unknown> {
	return isObject(value) ? value : {};
}

const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** For text starting `YYYY-MM-DD`: month 1-12 and a day that exists in that month (else true). */
function plausibleDay(text: string): boolean {
	if (text.length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return true;
	const month = (text.charCodeAt(5) - 48) * 10 + (text.charCodeAt(6) - 48);
	const day = (text.charCodeAt(8) - 48) * 10 + (text.charCodeAt(9) - 48);
	if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return false;
	if (day <= 28) return true;
	// The year as Date.UTC takes it (the days of the month were read with it before): truncated,
	// and 0-99 meaning 1900-1999 (so "0000-02-29" stays refused).
	let year = Math.trunc(Number(text.slice(0, 4)));
	// Years Date cannot hold (4 characters reach them only as exponents, e.g. "41e4") were NaN.
	if (!(year >= -271820 && year <= 275759)) return false;
	if (year >= 0 && year <= 99) year += 1900;
	return day <= daysInMonth(year, month);
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

/**
 * For a 24-character text, whether it matches /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/ (the
 * shape toISOString() gives), read by char code instead of the regex.
 */
function canonicalShape(text: string): boolean {
	if (
		text.charCodeAt(4) !== 45 ||
		text.charCodeAt(7) !== 45 ||
		text.charCodeAt(10) !== 84 ||
		text.charCodeAt(13) !== 58 ||
		text.charCodeAt(16) !== 58 ||
		text.charCodeAt(19) !== 46 ||
		text.charCodeAt(23) !== 90
	) {
		return false;
	}
	for (let i = 0; i < 23; i++) {
		if (i === 4 || i === 7 || i === 10 || i === 13 || i === 16 || i === 19) continue;
		const c = text.charCodeAt(i);
		if (c < 48 || c > 57) return false;
	}
	return true;
}

/** ISO-8601 UTC from a date string, epoch seconds/milliseconds or Date; throws on garbage. */
export function toIsoUtc(value: unknown, field: string, assumeUtc = false): string {
	// Already canonical (what toISOString() gives) and a possible calendar date: nothing to convert.
	if (typeof value === 'string' && value.length === 24 && canonicalShape(value) && plausibleDay(value) && plausibleClock(value)) return value;
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
	const iso = date.toISOString();
	// Years outside 0000-9999 come out as ±YYYYYY-…, which is not the canonical timestamp shape.
	if (iso.length !== 24) {
		throw new EventMappingError(`"${field}" is not a valid date (outside the years 0000-9999): ${String(JSON.stringify(value)).slice(0, 60)}`, field);
	}
	return iso;
}

/**
 * A date-time written without a zone designator (`2016-05-03T17:58:35`): a local time of a zone the
 * text does not name. Epoch numbers (also as digits) and text ending in `Z` or an offset are not.
 */
export function zoneless(value: unknown): boolean {
	if (typeof value !== 'string') return false;
	const text = value.trim();
	return text !== '' && !HAS_ZONE.test(text) && !/^\d+(\.\d+)?$/.test(text);
}

/**
 * An optional date (a customer's `created_at` trait) as ISO-8601 UTC, or undefined when it is
 * missing (what optionalString leaves out) or present but not a valid date: a bad optional trait
 * is left out rather than failing the whole event, as toIsoUtc would.
 */
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

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function normalizeEmail(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	// Fast path, one scan: visible ASCII only (so nothing to trim and no white space) with one `@`
	// inside is what the regex accepts; upper case is lowered. Anything else takes the regex.
	const n = value.length;
	let at = -1;
	let ats = 0;
	let upper = false;
	let i = 0;
	for (; i < n; i++) {
		const c = value.charCodeAt(i);
		if (c < 33 || c > 126) break;
		if (c === 64) {
			at = i;
			ats++;
		} else if (c >= 65 && c <= 90) upper = true;
	}
	if (i === n) {
		if (ats !== 1 || at === 0 || at === n - 1) return null;
		return upper ? value.toLowerCase() : value;
	}
	const email = value.trim().toLowerCase();
	return EMAIL.test(email) ? email : null;
}

/**
 * The address of a mailbox written as an address field may carry it: a plain address, or the
 * RFC 5322 name-addr form `Display Name <addr@example.com>` (https://www.rfc-editor.org/rfc/rfc5322#section-3.4),
 * which Resend and SES repeat in their recipient lists as the sender wrote it. The address is
 * what the last `<…>` at the end holds (a quoted display name may itself hold `<`), checked and
 * lowered as normalizeEmail does. A plain address costs normalizeEmail plus one character test.
 */
export function mailboxEmail(value: unknown): string | null {
	const email = normalizeEmail(value);
	// A valid plain address never ends with `>`.
	if (email !== null && email.charCodeAt(email.length - 1) !== 62) return email;
	if (typeof value !== 'string') return null;
	const text = value.trim();
	if (text.charCodeAt(text.length - 1) !== 62) return null;
	const open = text.lastIndexOf('<');
	return open < 0 ? null : normalizeEmail(text.slice(open + 1, -1));
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
	if (!mixPrimitiveParts(parts)) {
		const text = JSON.stringify(parts); // before the reset: a toJSON calling contentId cannot mix in
		resetHash();
		mixText(text, false);
	}
	// seed 1 is (h1, h2), seed 2 is (g1, g2)
	let h1 = hash1;
	let h2 = hash2;
	let g1 = hash3;
	let g2 = hash4;
	h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
	h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
	g1 = Math.imul(g1 ^ (g1 >>> 16), 2246822507) ^ Math.imul(g2 ^ (g2 >>> 13), 3266489909);
	g2 = Math.imul(g2 ^ (g2 >>> 16), 2246822507) ^ Math.imul(g1 ^ (g1 >>> 13), 3266489909);
	// Each 53-bit value (21 high bits, 32 low bits) as 14 hex digits: the halves are written apart
	// because Number#toString(16) of a double beyond 2^31 is slow; same text as `.toString(16).padStart(14, '0')`.
	// One String.fromCharCode for the whole id (one flat string, no pieces to join).
	const a = 2097151 & h2;
	const c = 2097151 & g2;
	return String.fromCharCode(
		99, // c
		nibble(a, 20), nibble(a, 16), nibble(a, 12), nibble(a, 8), nibble(a, 4), nibble(a, 0),
		nibble(h1, 28), nibble(h1, 24), nibble(h1, 20), nibble(h1, 16), nibble(h1, 12), nibble(h1, 8), nibble(h1, 4), nibble(h1, 0),
		nibble(c, 20), nibble(c, 16), nibble(c, 12), nibble(c, 8), nibble(c, 4), nibble(c, 0),
		nibble(g1, 28), nibble(g1, 24), nibble(g1, 20), nibble(g1, 16), nibble(g1, 12), nibble(g1, 8), nibble(g1, 4), nibble(g1, 0),
	);
}

/** contentId's running hash state: seed 1 (hash1, hash2) and seed 2 (hash3, hash4), cyrb53 style. */
let hash1 = 0;
let hash2 = 0;
let hash3 = 0;
let hash4 = 0;

function resetHash(): void {
	hash1 = 0xdeadbeef ^ 1;
	hash2 = 0x41c6ce57 ^ 1;
	hash3 = 0xdeadbeef ^ 2;
	hash4 = 0x41c6ce57 ^ 2;
}

/**
 * Mixes the characters of `text` into the hash. With `plain`, stops and returns false at the
 * first character JSON.stringify would escape in a string (below U+0020, `"`, `\\`, surrogates).
 */
function mixText(text: string, plain: boolean): boolean {
	let h1 = hash1;
	let h2 = hash2;
	let g1 = hash3;
	let g2 = hash4;
	for (let i = 0; i < text.length; i++) {
		const ch = text.charCodeAt(i);
		if (plain && (ch < 32 || ch === 34 || ch === 92 || (ch >= 0xd800 && ch <= 0xdfff))) return false;
		h1 = Math.imul(h1 ^ ch, 2654435761);
		h2 = Math.imul(h2 ^ ch, 1597334677);
		g1 = Math.imul(g1 ^ ch, 2654435761);
		g2 = Math.imul(g2 ^ ch, 1597334677);
	}
	hash1 = h1;
	hash2 = h2;
	hash3 = g1;
	hash4 = g2;
	return true;
}

function mixChar(ch: number): void {
	hash1 = Math.imul(hash1 ^ ch, 2654435761);
	hash2 = Math.imul(hash2 ^ ch, 1597334677);
	hash3 = Math.imul(hash3 ^ ch, 2654435761);
	hash4 = Math.imul(hash4 ^ ch, 1597334677);
}

/**
 * Mixes the text JSON.stringify(parts) would give without building it, when every part is a
 * string needing no escape, a number, a boolean, null or undefined (what the sources pass but
 * whole records); false otherwise (the caller then hashes JSON.stringify(parts) itself).
 */
function mixPrimitiveParts(parts: unknown[]): boolean {
	resetHash();
	mixChar(91);
	for (let k = 0; k < parts.length; k++) {
		if (k > 0) mixChar(44);
		const part = parts[k];
		if (typeof part === 'string') {
			mixChar(34);
			if (!mixText(part, true)) return false;
			mixChar(34);
		} else if (typeof part === 'number') mixText(Number.isFinite(part) ? String(part) : 'null', false);
		else if (typeof part === 'boolean') mixText(part ? 'true' : 'false', false);
		else if (part === null || part === undefined) mixText('null', false);
		else return false;
	}
	mixChar(93);
	return true;
}

/** The hex digit (0-9a-f) of the 4 bits of `value` at `shift`, as a char code. */
function nibble(value: number, shift: number): number {
	const d = (value >>> shift) & 15;
	return d < 10 ? 48 + d : 87 + d;
}

/** 10^0 … 10^15, all exact doubles. */
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * A money amount already in major units (number or decimal string like "59.99").
 *
 * The usual text /^-?\d+(\.\d+)?$/ is read in one scan. With at most 15 digits in all, the
 * digits as an integer and 10^(fraction digits) are exact doubles, so their quotient (IEEE
 * division rounds correctly) is the correctly rounded value of the text: what Number(text) gives
 * (Clinger's fast path), without the string-to-number call. Longer texts take Number(text);
 * white space etc. the regex.
 */
export function money(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value !== 'string') return undefined;
	const n = value.length;
	const negative = n > 0 && value.charCodeAt(0) === 45;
	let i = negative ? 1 : 0;
	const intStart = i;
	let digits = 0;
	let c = 0;
	while (i < n) {
		c = value.charCodeAt(i) - 48;
		if (c < 0 || c > 9) break;
		digits = digits * 10 + c;
		i++;
	}
	if (i > intStart) {
		let fraction = 0;
		let whole = i === n;
		if (!whole && c === 46 - 48) {
			const fracStart = ++i;
			while (i < n) {
				c = value.charCodeAt(i) - 48;
				if (c < 0 || c > 9) break;
				digits = digits * 10 + c;
				i++;
			}
			fraction = i - fracStart;
			whole = i === n && fraction > 0;
		}
		if (whole) {
			if (n - intStart - (fraction > 0 ? 1 : 0) > 15) return Number(value);
			const magnitude = fraction === 0 ? digits : digits / POW10[fraction];
			return negative ? -magnitude : magnitude;
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

/** Decimals of the currency's minor unit: 0 (JPY, KRW…), 3 (BHD, KWD…) or 2 (anything else). */
export function currencyDigits(currency: string | undefined): number {
	const code = (currency ?? '').toUpperCase();
	return ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2;
}

/** An amount in major units (a sum of store prices) rounded to the currency's decimals. */
export function roundMoney(value: number, currency: string | undefined): number {
	const scale = POW10[currencyDigits(currency)];
	return Math.round(value * scale) / scale;
}

/** Integer minor units (Stripe `amount_total: 2198`) → major units (21.98) for the currency. */
export function minorToMajor(value: unknown, currency: string | undefined): number | undefined {
	if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
	const digits = currencyDigits(currency);
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

const hasOwn = Object.prototype.hasOwnProperty;

/** Reads a header (names lower-cased by the caller or not). Arrays give their first value. */
export function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	let value = headers[name];
	if (value === undefined) {
		// Node lower-cases request header names; other callers (Normalize Event) may not. Only a
		// key of the same length can lower-case to the name, except with U+0130 (the one character
		// whose lower case is two), so other keys are skipped without lower-casing them.
		// for-in over the own keys (inherited ones skipped) visits what Object.keys lists, in the same
		// order, without building the array: a miss (Shopify's optional headers) is a plain scan.
		const lower = name.toLowerCase();
		const n = lower.length;
		for (const key in headers) {
			if (key.length !== n && !(key.length < n && key.includes('\u0130'))) continue;
			if (!hasOwn.call(headers, key)) continue;
			if (key.toLowerCase() === lower) {
				value = headers[key];
				break;
			}
		}
	}
	if (Array.isArray(value)) value = value[0];
	return typeof value === 'string' ? value : undefined;
}


/** `\s` of a regular expression (white space and line terminators), by char code. */
function isSpaceCode(c: number): boolean {
	return (
		c === 32 ||
		(c >= 9 && c <= 13) ||
		c === 0xa0 ||
		c === 0x1680 ||
		(c >= 0x2000 && c <= 0x200a) ||
		c === 0x2028 ||
		c === 0x2029 ||
		c === 0x202f ||
		c === 0x205f ||
		c === 0x3000 ||
		c === 0xfeff
	);
}

/** The characters `.` of a regular expression does not match (line terminators). */
function isLineEnd(c: number): boolean {
	return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

/** 1 for the key characters `[A-Za-z0-9_.-]`, by char code (below 128). */
const KEY_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-') KEY_CHAR[c.charCodeAt(0)] = 1;

/** The end of the run of key characters of `text` that starts at `from`. */
function keyEnd(text: string, from: number): number {
	const n = text.length;
	let i = from;
	while (i < n) {
		const c = text.charCodeAt(i);
		if (c >= 128 || KEY_CHAR[c] === 0) break;
		i++;
	}
	return i;
}

/**
 * What `/^\s*([A-Za-z0-9_.-]+)\s*[:=]\s*(.+?)\s*$/.exec(part)` gives as [key, value], in one
 * pass: that expression backtracks quadratically on a value with a long run of white space
 * followed by more text (a few MB of sender text would block the process for minutes). Its
 * matches, worked out: after the separator, the value runs from the first to the last
 * non-white-space character and must hold no line terminator; a rest of white space only gives
 * its last character that is not a line terminator. Checked against the expression with fast-check.
 */
export function matchPair(part: string): [string, string] | null {
	const n = part.length;
	let i = 0;
	while (i < n && isSpaceCode(part.charCodeAt(i))) i++;
	const keyStart = i;
	i = keyEnd(part, keyStart);
	if (i === keyStart) return null;
	const key = part.slice(keyStart, i);
	while (i < n && isSpaceCode(part.charCodeAt(i))) i++;
	const sep = part.charCodeAt(i);
	if (sep !== 58 && sep !== 61) return null;
	const rest = i + 1;
	let first = rest;
	while (first < n && isSpaceCode(part.charCodeAt(first))) first++;
	let last = n - 1;
	while (last >= first && isSpaceCode(part.charCodeAt(last))) last--;
	if (last >= first) {
		for (let k = first; k <= last; k++) if (isLineEnd(part.charCodeAt(k))) return null;
		return [key, part.slice(first, last + 1)];
	}
	for (let k = n - 1; k >= rest; k--) if (!isLineEnd(part.charCodeAt(k))) return [key, part[k]];
	return null;
}

/** Which attribution key `text[start, end)` is: 0-4 in ATTRIBUTION_KEYS order, 5 pz_user_id, -1 for any other. */
function pzSlot(text: string, start: number, end: number): number {
	switch (end - start) {
		case 13:
			return text.startsWith('pz_message_id', start) ? 0 : -1;
		case 14:
			return text.startsWith('pz_campaign_id', start) ? 1 : -1;
		case 10:
			return text.startsWith('pz_variant', start) ? 2 : text.startsWith('pz_segment', start) ? 3 : text.startsWith('pz_user_id', start) ? 5 : -1;
		case 16:
			return text.startsWith('pz_experiment_id', start) ? 4 : -1;
		default:
			return -1;
	}
}

/** A pair separator of a carrier string (`|`, `;`, `&`, `,`). */
function isPairSeparator(c: number): boolean {
	return c === 124 || c === 59 || c === 38 || c === 44;
}

/** The text of a `pz_*` carrier value as the former pairsToObject kept it (strings, numbers as text). */
function pairText(value: unknown, previous: string | undefined): string | undefined {
	return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : previous;
}

/** The five attribution values and the userId read so far by addPairsAttribution (the last of each wins). */
let pzMessageId: string | undefined;
let pzCampaignId: string | undefined;
let pzVariant: string | undefined;
let pzSegment: string | undefined;
let pzExperimentId: string | undefined;
let pzUserId: string | undefined;

function setPz(slot: number, value: string): void {
	if (slot === 0) pzMessageId = value;
	else if (slot === 1) pzCampaignId = value;
	else if (slot === 2) pzVariant = value;
	else if (slot === 3) pzSegment = value;
	else if (slot === 4) pzExperimentId = value;
	else if (slot === 5) pzUserId = value;
}

/**
 * One carrier string, read as the former pairsToObject read it (a JSON object, or parts split at
 * `|;&,` each read as `key:value` / `key=value`), keeping the five `pz_*` keys. Without `pz_`
 * in the text no part can have such a key: nothing to read. Otherwise one scan: each part's key
 * characters, then for `key:value` with a value of visible ASCII (no white space, so nothing to
 * trim) the value up to the next separator, read in place; any other part goes to matchPair (the former PAIR regex),
 * and a part of key characters only (no `:` or `=`) cannot match it.
 */
function readPairCarrier(item: string): void {
	const text = item.trim();
	if (text.startsWith('{')) {
		try {
			const parsed: unknown = JSON.parse(text);
			if (isObject(parsed)) {
				pzMessageId = pairText(parsed.pz_message_id, pzMessageId);
				pzCampaignId = pairText(parsed.pz_campaign_id, pzCampaignId);
				pzVariant = pairText(parsed.pz_variant, pzVariant);
				pzSegment = pairText(parsed.pz_segment, pzSegment);
				pzExperimentId = pairText(parsed.pz_experiment_id, pzExperimentId);
				// as userIdOf reads it: a number only when a safe integer (else it may not be the id sent)
				const userId = parsed.pz_user_id;
				if (typeof userId === 'string' || Number.isSafeInteger(userId)) pzUserId = String(userId);
			}
		} catch {
			// not JSON: nothing, as in the former pairsToObject
		}
		return;
	}
	if (!text.includes('pz_')) return;
	const n = text.length;
	let start = 0;
	while (start < n) {
		const i = keyEnd(text, start);
		if (i === n) return; // the last part, key characters only
		const c = text.charCodeAt(i);
		if (isPairSeparator(c)) {
			start = i + 1; // key characters only (or empty)
			continue;
		}
		let j = i + 1;
		let plain = false;
		if (i > start && (c === 58 || c === 61)) {
			while (j < n) {
				const d = text.charCodeAt(j);
				if (d < 33 || d > 126 || isPairSeparator(d)) break;
				j++;
			}
			plain = j > i + 1 && (j === n || isPairSeparator(text.charCodeAt(j)));
		}
		let end = j;
		while (end < n && !isPairSeparator(text.charCodeAt(end))) end++;
		if (plain) {
			const slot = pzSlot(text, start, i);
			if (slot >= 0) setPz(slot, text.slice(i + 1, end));
		} else {
			const match = matchPair(text.slice(start, end));
			if (match) {
				const slot = pzSlot(match[0], 0, match[0].length);
				if (slot >= 0) setPz(slot, match[1]);
			}
		}
		start = end + 1;
	}
}

/**
 * Attribution from `key:value` pair carriers (Brevo tags, X-Mailin-custom), written into `out`:
 * what `addAttribution(out, pairsToObject(values))` does, keeping only the five `pz_*` keys
 * (the last value of each wins, as in the object) instead of building the object of all pairs.
 * With `encoded` (a carrier ESP Dispatch writes, X-Mailin-custom) each value is read through
 * decodeAttributionValue (`b64-` + base64url decoded), a startsWith test when it is not encoded.
 * Returns the carriers' non-empty `pz_user_id` (the recipient's userId, not a property, still
 * as written), if any.
 */
export function addPairsAttribution(out: Record<string, unknown>, values: unknown, encoded = false): string | undefined {
	pzMessageId = undefined;
	pzCampaignId = undefined;
	pzVariant = undefined;
	pzSegment = undefined;
	pzExperimentId = undefined;
	pzUserId = undefined;
	if (Array.isArray(values)) {
		for (let k = 0; k < values.length; k++) {
			const item: unknown = values[k];
			if (typeof item === 'string') readPairCarrier(item);
		}
	} else if (typeof values === 'string') readPairCarrier(values);
	if (pzMessageId) out.email_id = carriedValue(pzMessageId, encoded);
	if (pzCampaignId) out.campaign_id = carriedValue(pzCampaignId, encoded);
	if (pzVariant) out.variant = carriedValue(pzVariant, encoded);
	if (pzSegment) out.segment = carriedValue(pzSegment, encoded);
	if (pzExperimentId) out.experiment_id = carriedValue(pzExperimentId, encoded);
	return pzUserId || undefined;
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
	if (mode === 'passThrough') return unknownEvent(id, input, topic, raw, messageId);
	throw new EventMappingError(
		`${id} topic "${topic.slice(0, 80)}" is not mapped (known: ${typeof source === 'string' ? '' : source.topics.map((t) => t.topic).join(', ')})`,
		field,
		'unknownTopic',
	);
}

/**
 * Maps the entries of a batch (a Segment `batch`, a SendGrid array) one by one. An entry the
 * mapping refuses (not an object, a field missing or unreadable, an unknown topic with Unknown
 * Events = error) does not refuse the batch: refusing it answered 400 to the whole delivery, its
 * valid entries were lost, and a sender that retries (SendGrid for 24 hours) got the same 400
 * again. With Unknown Events = skip the entry is ignored like an unknown topic (an `Unknown` item
 * without identity would fail the next node, e.g. Record Events, and with it the batch's good
 * events, which the 200 answer has already acknowledged); otherwise it comes out as an `Unknown`
 * event with the entry kept in `raw` and the reason in `properties.reason` / `properties.field`,
 * its messageId the entry's own (`idKey`) or a hash of it, its topic the entry's `topicKey`.
 */
export function mapBatch(
	sourceId: string,
	entries: unknown[],
	input: NormalizeInput,
	path: string,
	keys: { idKey: string; topicKey: string },
	mapOne: (entry: Record<string, unknown>, path: string) => CanonicalEvent | null,
): CanonicalEvent[] {
	const out: CanonicalEvent[] = [];
	for (let i = 0; i < entries.length; i++) {
		const entry = entries[i];
		let event: CanonicalEvent | null;
		try {
			if (!isObject(entry)) throw new EventMappingError(`${path}[${i}] must be an object`, `${path}[${i}]`);
			event = mapOne(entry, `${path}[${i}]`);
		} catch (error) {
			if (!(error instanceof EventMappingError)) throw error;
			if (input.onUnknown === 'skip') continue;
			event = refusedEntry(sourceId, entry, error, input, keys);
		}
		if (event) out.push(event);
	}
	return out;
}

function refusedEntry(sourceId: string, entry: unknown, error: EventMappingError, input: NormalizeInput, keys: { idKey: string; topicKey: string }): CanonicalEvent {
	const e = isObject(entry) ? entry : undefined;
	const topic = e?.[keys.topicKey];
	const properties: Record<string, unknown> = { reason: error.message };
	if (error.field !== undefined) properties.field = error.field;
	const messageId = optionalString(e?.[keys.idKey]) ?? contentId(sourceId, entry);
	return unknownEvent(sourceId, input, typeof topic === 'string' && topic !== '' ? topic : '(none)', entry, messageId, properties);
}

/** An `Unknown` event of `sourceId`: the raw payload kept, timed by its receipt (an unknown topic passed through, a refused batch entry). */
function unknownEvent(sourceId: string, input: NormalizeInput, topic: string, raw: unknown, messageId: string, properties: Record<string, unknown> = {}): CanonicalEvent {
	const receivedAt = isoOf(input.receivedAt);
	return { type: 'track', event: 'Unknown', messageId, timestamp: receivedAt, receivedAt, properties, context: { source: sourceId, topic: topic.slice(0, 200) }, raw };
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

/** An integer beyond 2^53 in magnitude: `!Number.isSafeInteger(v) && Number.isInteger(v)`. */
function unsafeInteger(v: number): boolean {
	return (v >= 9007199254740992 || v <= -9007199254740992) && Number.isInteger(v);
}

/**
 * Whether a parsed object or array at `depth` (at most 64) holds a number that is an unsafe
 * integer, looking into objects down to depth 64 (numbers are checked at any depth, as before).
 * Numbers are tested in the loop, without a call per value.
 */
function hasUnsafeInteger(value: object, depth: number): boolean {
	if (Array.isArray(value)) {
		for (let i = 0; i < value.length; i++) {
			const v: unknown = value[i];
			if (typeof v === 'number') {
				if (unsafeInteger(v)) return true;
			} else if (typeof v === 'object' && v !== null && depth < 64 && hasUnsafeInteger(v, depth + 1)) return true;
		}
		return false;
	}
	for (const key in value) {
		const v: unknown = (value as Record<string, unknown>)[key];
		if (typeof v === 'number') {
			if (unsafeInteger(v)) return true;
		} else if (typeof v === 'object' && v !== null && depth < 64 && hasUnsafeInteger(v, depth + 1)) return true;
	}
	return false;
}

/**
 * JSON.parse that keeps integers beyond 2^53 (Shopify's 64-bit ids) exact, as strings. Parses
 * once at full speed; only a body that really holds such a number is scanned and parsed again.
 * (A text pre-check such as /\d{16}/ costs about as much as the parse on 2 KB bodies, more than
 * the walk of the parsed value: measured, not used.)
 */
export function parseJsonLossless(text: string): unknown {
	const value: unknown = JSON.parse(text);
	const unsafe = typeof value === 'number' ? unsafeInteger(value) : typeof value === 'object' && value !== null && hasUnsafeInteger(value, 0);
	return unsafe ? JSON.parse(quoteUnsafeIntegers(text)) : value;
}
