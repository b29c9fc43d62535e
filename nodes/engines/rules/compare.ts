/**
 * How rule operators read values: one reading for Customer Segments' trait conditions
 * (segments/rules.ts) and Render Email's structured block rules (render/blocks.ts), which had
 * drifted apart ("5.0" equalled "5" in one and not the other; "0x10" was 16 in one and no number in
 * the other). Plain TypeScript, no n8n imports. What a node does with a missing field (Render: no
 * comparison holds; Segments: notEquals holds) stays with the node: this module reads values.
 *
 * Numbers
 * - A number is a finite JavaScript number, or decimal numeric text: optional sign, digits with an
 *   optional point, an optional exponent, surrounding spaces allowed (" 16 ", "-5.0", "1.6e1",
 *   "007"). Not numbers: "0x10", "0b111", "0o7" (Number() reads them as 16, 7, 7), "Infinity",
 *   blank text (Number(" ") is 0), "5 apples", true/false, and text past the double range
 *   ("1e400").
 *
 * equals / notEquals / in / notIn (and the elements of a list for contains)
 * - A number on either side: equal when both are numbers (above) of the same value: 5, "5" and
 *   "5.0" are equal; a number never equals true/false or blank text (0 is not false, not "").
 * - Two texts: equal trimmed and without case ("Gold " is "gold"); else equal when both are
 *   numeric text of at most 15 significant digits with the same value ("5.0" is "5", "007" is "7";
 *   longer ones stay text, so two ids of 20 digits that round to one double stay distinct); else
 *   when both are ISO dates of the same moment ("2024-03-01" is "2024-03-01T00:00:00Z").
 * - true/false and text: as text, trimmed and without case ("True" is true: an editor's value is
 *   text).
 *
 * contains / notContains
 * - A list: one of its elements equals the value (above). Text or a number: its text holds the
 *   value's text, without case (75001 contains "750"). Anything else (true/false, an object)
 *   contains nothing.
 *
 * gt / gte / lt / lte (greaterThan / lessThan)
 * - When either side is a date (ISO text, "YYYY-MM-DD…", or a Date), both sides are read as
 *   moments (momentOf) and compared; else both must be numbers (above). Anything else (text that
 *   is neither, true/false, blank text) compares with nothing: the condition does not hold.
 *
 * Moments (date comparisons, withinDays / olderThanDays)
 * - ISO 8601 text ("2024-06-01", "2024-06-01T10:00:00+02:00"; a date-time without a zone is UTC,
 *   never the server's local time), a Date, an epoch number (seconds below 1e11, else
 *   milliseconds, as every timestamp of the package is read: a number compared with a date is a
 *   timestamp, not a count; but a whole number 19000101-29991231 that is a calendar date is
 *   that YYYYMMDD date), epoch digits as text, and YYYYMMDD text (all as parseTimeMs reads them).
 * - Decision: other date text ("June 1, 2024", "06/01/2024", "Sat, 01 Jun 2024 10:00:00 GMT") is
 *   no moment, so a date rule on it does not hold (its block's fallback renders; the segment does
 *   not match). Date.parse would read most of it in the server's time zone (a Render rule
 *   decided differently on two servers), and "06/01/2024" is June 1 in the US, January 6 in
 *   Europe. Customer Segments never read such text as a date; Render Email did until now.
 */
import { isoDateMs, parseTimeMs } from '../segments/parse';

/**
 * Decimal numeric text, trimmed: " 5", "-5.0", ".5", "1e3" (not "0x10", "", "Infinity"). The
 * digits before and after the point are read by one way only (`\d+(?:\.\d*)?`, not `\d+\.?\d*`,
 * which splits a run of digits n ways and took seconds on a 50,000-digit profile value).
 */
const NUMERIC_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/** The smallest normal double: below it (subnormals) a double holds fewer than 15 digits. */
const MIN_NORMAL = 2.2250738585072014e-308;

/** A finite number, or decimal numeric text read as one; undefined for anything else. */
export function numberOf(v: unknown): number | undefined {
	if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
	if (typeof v !== 'string') return undefined;
	const t = v.trim();
	if (!NUMERIC_TEXT.test(t)) return undefined;
	const n = Number(t);
	return Number.isFinite(n) ? n : undefined;
}

/**
 * Numeric text a double holds exactly enough to compare with other text: at most 15 significant
 * digits, and no overflow or underflow ("1e-400" is not 0).
 */
function exactNumericText(v: string): boolean {
	const n = numberOf(v);
	if (n === undefined) return false;
	const digits = v.trim().replace(/^[+-]/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
	if (digits.length > 15) return false;
	return digits === '' ? n === 0 : Math.abs(n) >= MIN_NORMAL;
}

/** ISO date text or a valid Date: what makes a comparison a date comparison. */
export function isDateLike(v: unknown): boolean {
	if (v instanceof Date) return !Number.isNaN(v.getTime());
	return typeof v === 'string' && isoDateMs(v) !== undefined;
}

/** A moment in epoch milliseconds (see the module's comment), or undefined. */
export function momentOf(v: unknown): number | undefined {
	if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
	if (typeof v === 'number') return parseTimeMs(v);
	if (typeof v !== 'string') return undefined;
	const t = v.trim();
	// epoch digits and YYYYMMDD as parseTimeMs reads them; never its Date.parse of other text
	return /^-?\d+(\.\d+)?$/.test(t) ? parseTimeMs(t) : isoDateMs(t);
}

/** equals: see the module's comment. */
export function looseEquals(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a === 'number' || typeof b === 'number') {
		const x = numberOf(a);
		return x !== undefined && x === numberOf(b);
	}
	const text = (v: unknown) => typeof v === 'string' || typeof v === 'boolean';
	if (!text(a) || !text(b)) return false;
	const [s, t] = [String(a).trim().toLowerCase(), String(b).trim().toLowerCase()];
	if (s === t) return true;
	if (typeof a !== 'string' || typeof b !== 'string') return false;
	if (exactNumericText(a) && exactNumericText(b)) return Number(s) === Number(t);
	const x = isoDateMs(a);
	return x !== undefined && x === isoDateMs(b);
}

/** contains: see the module's comment. `want` is text, a number or true/false. */
export function containsValue(field: unknown, want: unknown): boolean {
	if (Array.isArray(field)) return field.some((x) => looseEquals(x, want));
	if (typeof field !== 'string' && typeof field !== 'number') return false;
	return String(field).toLowerCase().includes(String(want).toLowerCase());
}

/**
 * gt / lt: negative, zero or positive as `a` is before / at / after `b`, or undefined when the two
 * do not compare (see the module's comment).
 */
export function compareValues(a: unknown, b: unknown): number | undefined {
	const read = isDateLike(a) || isDateLike(b) ? momentOf : numberOf;
	const [x, y] = [read(a), read(b)];
	return x === undefined || y === undefined ? undefined : x - y;
}

/** A value gt / lt can compare with: a number, numeric text or an ISO date (or a Date). */
export function isComparableValue(v: unknown): boolean {
	return numberOf(v) !== undefined || isDateLike(v);
}
