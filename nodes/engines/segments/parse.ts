/**
 * Value parsing shared by the item path and the CSV path: money into integer minor units (never
 * through a binary float when the input is text) and timestamps into epoch milliseconds.
 */
import { profileTimeMs } from '../profile/time';

/** Parses money into integer minor units. Returns undefined when the value is not a number. */
export function parseMoneyMinor(value: unknown, decimals = 2): number | undefined {
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return undefined;
		// Round at the scale: 19.99 * 100 = 1998.9999999999998 → 1999. Half away from zero, as text
		// is rounded (parseDecimalString): Math.round alone takes -2.5 to -2 and "-2.5" gave -3.
		const scaled = value * 10 ** decimals;
		return scaled < 0 ? 0 - Math.round(-scaled) : Math.round(scaled);
	}
	if (typeof value === 'string') return parseDecimalString(value, decimals);
	return undefined;
}

/** Text "-12.345" → minor units at `decimals`, rounded half away from zero; exact, no float. */
export function parseDecimalString(text: string, decimals = 2): number | undefined {
	const s = text.trim();
	const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(s);
	if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return undefined;
	const intPart = m[2] === '' ? 0 : Number(m[2]);
	const frac = m[3] ?? '';
	let fracMinor = 0;
	for (let i = 0; i < decimals; i++) fracMinor = fracMinor * 10 + (i < frac.length ? frac.charCodeAt(i) - 48 : 0);
	let result = intPart * 10 ** decimals + fracMinor;
	if (frac.length > decimals && frac.charCodeAt(decimals) >= 53) result += 1;
	if (!Number.isSafeInteger(result)) return undefined;
	return m[1] === '-' ? -result : result;
}

/** Byte-level variant of parseDecimalString for the CSV fast path (ASCII digits only). */
export function parseDecimalBytes(buf: Uint8Array, start: number, end: number, decimals = 2): number | undefined {
	while (start < end && buf[start] === 32) start++;
	while (end > start && buf[end - 1] === 32) end--;
	let i = start;
	let negative = false;
	if (buf[i] === 45 || buf[i] === 43) {
		negative = buf[i] === 45;
		i++;
	}
	let intPart = 0;
	let digits = 0;
	while (i < end && buf[i] >= 48 && buf[i] <= 57) {
		intPart = intPart * 10 + (buf[i] - 48);
		i++;
		digits++;
	}
	let fracMinor = 0;
	let fracDigits = 0;
	let roundUp = false;
	if (i < end && buf[i] === 46) {
		i++;
		while (i < end && buf[i] >= 48 && buf[i] <= 57) {
			if (fracDigits < decimals) fracMinor = fracMinor * 10 + (buf[i] - 48);
			else if (fracDigits === decimals) roundUp = buf[i] >= 53;
			fracDigits++;
			i++;
		}
	}
	if (i !== end || digits + fracDigits === 0) return undefined;
	for (let k = Math.min(fracDigits, decimals); k < decimals; k++) fracMinor *= 10;
	let result = intPart * 10 ** decimals + fracMinor + (roundUp ? 1 : 0);
	if (!Number.isSafeInteger(result)) return undefined;
	if (negative) result = -result;
	return result;
}

/**
 * Timestamps: Date objects, epoch numbers (milliseconds; values below 1e11 are taken as seconds),
 * `YYYYMMDD`, ISO 8601 (without a zone: UTC) and other text that names its zone (see
 * profileTimeMs). Returns undefined when unparseable, and for zone-less text that is not ISO 8601
 * (`1/10/2024`): its zone and day/month order would be guesses.
 *
 * A whole number from 19000101 to 29991231 that is a calendar date as YYYYMMDD (20240110) is that
 * date, like the same digits as text: an integer date key from a database or a spreadsheet. As
 * epoch seconds those numbers would be instants from 1970-08-08 to 1970-12-14 (as milliseconds,
 * hours after 1970-01-01), which no order or event of a shop's data carries. Other numbers
 * (20241340, 1700000000) stay epoch seconds or milliseconds.
 */
export function parseTimeMs(value: unknown): number | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return undefined;
		if (Number.isInteger(value) && value >= 19000101 && value <= 29991231) {
			const y = Math.floor(value / 10000);
			const m = Math.floor(value / 100) % 100;
			const d = value % 100;
			if (m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m)) return daysFromCivil(y, m, d) * 86_400_000;
		}
		return Math.abs(value) < 1e11 ? value * 1000 : value;
	}
	if (typeof value !== 'string') return undefined;
	const s = value.trim();
	if (s === '') return undefined;
	const fast = parseIsoFast(s);
	if (fast !== undefined) return fast;
	const ymd = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
	if (ymd && !validDate(Date.UTC(+ymd[1], +ymd[2] - 1, +ymd[3]), +ymd[2], +ymd[3])) return undefined; // e.g. 2024-02-30
	if (/^\d{8}$/.test(s)) {
		const ms = Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8)));
		return validDate(ms, Number(s.slice(4, 6)), Number(s.slice(6, 8))) ? ms : undefined;
	}
	if (/^-?\d+(\.\d+)?$/.test(s)) return parseTimeMs(Number(s));
	// Other text as Customer Profile reads it (profileTimeMs): ISO 8601 with a zone (`+0200`, ` UTC`,
	// `+00` as BigQuery and PostgreSQL export it), or text that names its zone (`Wed, 10 Jan 2024
	// 10:00:00 GMT`, or one of RFC 2822's zone names: `… EST`). Zone-less other text (`1/10/2024`,
	// `Jan 10 2024`, `2024/01/10`) is no date: Date.parse read it in the n8n server's time zone, and
	// `1/10/2024` as January 10 wherever it meant 1 October; so is a numeric day and month with a zone.
	return profileTimeMs(s);
}

/** Text that starts like an ISO date (`YYYY-MM-DD…`) as epoch ms (parseTimeMs); undefined for any other text. */
export function isoDateMs(value: string): number | undefined {
	return /^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? parseTimeMs(value) : undefined;
}

function validDate(ms: number, month: number, day: number): boolean {
	const d = new Date(ms);
	return d.getUTCMonth() + 1 === month && d.getUTCDate() === day;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(y: number, m: number): number {
	return m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 29 : MONTH_DAYS[m - 1];
}

/** Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil), integer arithmetic only. */
export function daysFromCivil(y: number, m: number, d: number): number {
	y -= m <= 2 ? 1 : 0;
	const era = Math.floor(y / 400);
	const yoe = y - era * 400;
	const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
	const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
	return era * 146097 + doe - 719468;
}

/** Epoch ms of a UTC date-time, or NaN when a field is out of range. */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
	if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 59)) return NaN;
	return daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1000 + ms;
}

/** `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM[:SS[.sss]][Z]` (UTC) without Date.parse; undefined for other forms. */
function parseIsoFast(s: string): number | undefined {
	const n = s.length;
	if (n < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined;
	const y = digits(s, 0, 4);
	const mo = digits(s, 5, 2);
	const d = digits(s, 8, 2);
	if (y < 0 || mo < 0 || d < 0) return undefined;
	let h = 0;
	let mi = 0;
	let sec = 0;
	let ms = 0;
	if (n > 10) {
		const sep = s.charCodeAt(10);
		if ((sep !== 84 && sep !== 32) || n < 16 || s.charCodeAt(13) !== 58) return undefined;
		h = digits(s, 11, 2);
		mi = digits(s, 14, 2);
		let i = 16;
		if (i < n && s.charCodeAt(i) === 58) {
			if (n < 19) return undefined;
			sec = digits(s, 17, 2);
			i = 19;
			if (i < n && s.charCodeAt(i) === 46) {
				let j = i + 1;
				let scale = 100;
				let frac = 0;
				while (j < n && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) {
					frac += (s.charCodeAt(j) - 48) * scale;
					scale /= 10;
					j++;
				}
				ms = Math.floor(frac);
				i = j;
			}
		}
		if (h < 0 || mi < 0 || sec < 0) return undefined;
		if (i < n && !(i === n - 1 && s.charCodeAt(i) === 90)) return undefined; // other zones: Date.parse
	}
	const t = utcMs(y, mo, d, h, mi, sec, ms);
	return Number.isNaN(t) ? undefined : t;
}

/** The decimal number in s[from, from+len) when all are ASCII digits, else -1. */
function digits(s: string, from: number, len: number): number {
	let v = 0;
	for (let i = from; i < from + len; i++) {
		const c = s.charCodeAt(i) - 48;
		if (c < 0 || c > 9) return -1;
		v = v * 10 + c;
	}
	return v;
}


/**
 * Byte-level timestamp for the CSV fast path: `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM[:SS][Z]` (UTC),
 * `YYYYMMDD`; anything else (and a field out of range) is decoded and handed to parseTimeMs.
 */
export function parseTimeBytes(buf: Uint8Array, start: number, end: number): number | undefined {
	while (start < end && buf[start] === 32) start++;
	while (end > start && buf[end - 1] === 32) end--;
	const n = end - start;
	if (n === 8) {
		const t = digitsAt(buf, start, 4);
		const t2 = digitsAt(buf, start + 4, 2);
		const t3 = digitsAt(buf, start + 6, 2);
		if (t >= 0 && t2 >= 0 && t3 >= 0) {
			const ms = utcMs(t, t2, t3, 0, 0, 0, 0);
			return Number.isNaN(ms) ? undefined : ms;
		}
	} else if (n >= 10 && buf[start + 4] === 45 && buf[start + 7] === 45) {
		const y = digitsAt(buf, start, 4);
		const mo = digitsAt(buf, start + 5, 2);
		const d = digitsAt(buf, start + 8, 2);
		let h = 0;
		let mi = 0;
		let sec = 0;
		let ok = y >= 0 && mo >= 0 && d >= 0;
		if (ok && n > 10) {
			const sep = buf[start + 10];
			ok = (sep === 84 || sep === 32) && n >= 16 && buf[start + 13] === 58;
			if (ok) {
				h = digitsAt(buf, start + 11, 2);
				mi = digitsAt(buf, start + 14, 2);
				let i = 16;
				if (n >= 19 && buf[start + i] === 58) {
					sec = digitsAt(buf, start + 17, 2);
					i = 19;
				}
				// fractions or zones other than a bare Z: slow path
				ok = h >= 0 && mi >= 0 && sec >= 0 && (i === n || (i === n - 1 && buf[start + i] === 90));
			}
		}
		if (ok) {
			// out of range (2024-02-30, 24:00): parseTimeMs decides, as for the same text of an item
			const t = utcMs(y, mo, d, h, mi, sec, 0);
			if (!Number.isNaN(t)) return t;
		}
	}
	return parseTimeMs(new TextDecoder().decode(buf.subarray(start, end)));
}

/** The decimal number in buf[at, at+len) when all are ASCII digits, else -1. */
function digitsAt(buf: Uint8Array, at: number, len: number): number {
	let v = 0;
	for (let i = at; i < at + len; i++) {
		const c = buf[i] - 48;
		if (c < 0 || c > 9) return -1;
		v = v * 10 + c;
	}
	return v;
}
