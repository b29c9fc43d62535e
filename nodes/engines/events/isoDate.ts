/**
 * Date ↔ ISO-8601 text without a Date object on the hot path: `new Date(x).toISOString()` costs
 * about 0.8 µs in V8 and string parsing more, per timestamp of every event. These functions give
 * exactly what the Date built-ins give (checked against them in test/engines/events/isoDate.test.ts)
 * for the forms webhooks send, and return undefined for anything else so the caller falls back to
 * the built-ins.
 */

const MS_PER_DAY = 86_400_000;

/**
 * The date part `YYYY-MM-DD` of the last two day counts formatted, as the char codes of its eight
 * digits (Y Y Y Y M M D D): timestamps of one delivery (and of a day's traffic) share their date,
 * and an event's own time and the delivery's receivedAt alternate.
 */
let lastDays = Number.NaN;
let lastDigits: Uint8Array = new Uint8Array(8);
let otherDays = Number.NaN;
let otherDigits: Uint8Array = new Uint8Array(8);

/**
 * Writes the digits of the civil date of a day count since 1970-01-01 into `out`; false (and
 * nothing written) outside years 0000-9999.
 */
function civilDate(days: number, out: Uint8Array): boolean {
	// Civil date from days since 1970-01-01 (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
	const z = days + 719_468;
	const era = Math.floor(z / 146_097);
	const doe = z - era * 146_097;
	const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
	const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
	const mp = Math.floor((5 * doy + 2) / 153);
	const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
	const month = mp < 10 ? mp + 3 : mp - 9;
	const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
	if (year < 0 || year > 9999) return false;
	out[0] = 48 + Math.floor(year / 1000);
	out[1] = 48 + (Math.floor(year / 100) % 10);
	out[2] = 48 + (Math.floor(year / 10) % 10);
	out[3] = 48 + (year % 10);
	out[4] = 48 + Math.floor(month / 10);
	out[5] = 48 + (month % 10);
	out[6] = 48 + Math.floor(day / 10);
	out[7] = 48 + (day % 10);
	return true;
}

/**
 * `new Date(ms).toISOString()` for a time value; undefined outside years 0000-9999 (the built-in
 * writes those with a sign and six digits) or for a value a Date would not hold. The text is made
 * by one String.fromCharCode (one flat string, no concatenations or padded pieces).
 */
export function isoFromTime(time: number): string | undefined {
	if (!Number.isFinite(time) || Math.abs(time) > 8.64e15) return undefined;
	// TimeClip: ToIntegerOrInfinity truncates toward zero (and -0 becomes +0).
	const ms = Math.trunc(time) + 0;
	const days = Math.floor(ms / MS_PER_DAY);
	let rest = ms - days * MS_PER_DAY;
	const hour = Math.floor(rest / 3_600_000);
	rest -= hour * 3_600_000;
	const minute = Math.floor(rest / 60_000);
	rest -= minute * 60_000;
	const second = Math.floor(rest / 1000);
	const milli = rest - second * 1000;
	let d: Uint8Array;
	if (days === lastDays) d = lastDigits;
	else if (days === otherDays) d = otherDigits;
	else {
		// The oldest slot takes the new date (if it is a writable year) and becomes the last.
		d = otherDigits;
		if (!civilDate(days, d)) return undefined;
		otherDigits = lastDigits;
		otherDays = lastDays;
		lastDigits = d;
		lastDays = days;
	}
	const h = Math.floor(hour / 10);
	const m = Math.floor(minute / 10);
	const s = Math.floor(second / 10);
	const cs = Math.floor(milli / 10);
	return String.fromCharCode(
		d[0], d[1], d[2], d[3], 45, d[4], d[5], 45, d[6], d[7], 84,
		48 + h, 48 + hour - 10 * h, 58,
		48 + m, 48 + minute - 10 * m, 58,
		48 + s, 48 + second - 10 * s, 46,
		48 + Math.floor(milli / 100), 48 + (cs % 10), 48 + milli - 10 * cs, 90,
	);
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (month 1-12), the inverse of civilDate
 * (H. Hinnant's days_from_civil): what Date.UTC(year, month - 1, day) / 86_400_000 gives for
 * years 100-9999, without the built-in call.
 */
function daysFromCivil(year: number, month: number, day: number): number {
	const y = month <= 2 ? year - 1 : year;
	const era = Math.floor(y / 400);
	const yoe = y - era * 400;
	const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
	const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
	return era * 146_097 + doe - 719_468;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1-12) of the proleptic Gregorian `year` (an integer; negative years too). */
export function daysInMonth(year: number, month: number): number {
	const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
	return MONTH_DAYS[month - 1] + (leap ? 1 : 0);
}

function isDigit(c: number): boolean {
	return c >= 48 && c <= 57;
}

function digits(text: string, start: number, count: number): number {
	let n = 0;
	for (let i = start; i < start + count; i++) {
		const c = text.charCodeAt(i) - 48;
		if (!(c >= 0 && c <= 9)) return -1; // also NaN past the end
		n = n * 10 + c;
	}
	return n;
}

/**
 * The time value of `YYYY-MM-DD(T| )HH:MM[:SS[.fraction]](Z|±HH:MM)`, or of the same without a
 * zone when `assumeUtc` (read as UTC), as `new Date(text)` reads it; undefined for any other form,
 * an impossible calendar date or field, or a zone-less text when not `assumeUtc` (a Date would read
 * that as local time: the caller falls back to the built-in).
 */
export function timeFromIso(text: string, assumeUtc: boolean): number | undefined {
	const n = text.length;
	if (n < 16 || n > 40) return undefined;
	const year = digits(text, 0, 4);
	if (year < 0 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
	const month = digits(text, 5, 2);
	const day = digits(text, 8, 2);
	if (month < 1 || month > 12 || day < 1) return undefined;
	if (day > daysInMonth(year, month)) return undefined;
	const sep = text.charCodeAt(10);
	if (sep !== 84 /* T */ && sep !== 32 /* space */) return undefined;
	const hour = digits(text, 11, 2);
	const minute = digits(text, 14, 2);
	if (hour < 0 || hour > 23 || text.charCodeAt(13) !== 58 || minute < 0 || minute > 59) return undefined;
	let i = 16;
	let second = 0;
	let milli = 0;
	if (i < n && text.charCodeAt(i) === 58) {
		second = digits(text, i + 1, 2);
		if (second < 0 || second > 59) return undefined;
		i += 3;
		if (i < n && text.charCodeAt(i) === 46) {
			// V8 reads the first three fraction digits and ignores the rest (no rounding).
			const start = i + 1;
			let end = start;
			while (end < n && isDigit(text.charCodeAt(end))) end++;
			const count = end - start;
			if (count === 0 || count > 9) return undefined;
			milli = digits(text, start, count < 3 ? count : 3) * (count === 1 ? 100 : count === 2 ? 10 : 1);
			i = end;
		}
	}
	let offsetMinutes = 0;
	if (i === n) {
		if (!assumeUtc) return undefined;
	} else {
		const c = text.charCodeAt(i);
		if (c === 90 /* Z */ && i + 1 === n) {
			// UTC
		} else if ((c === 43 || c === 45) && i + 6 === n && text.charCodeAt(i + 3) === 58) {
			const oh = digits(text, i + 1, 2);
			const om = digits(text, i + 4, 2);
			if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
			offsetMinutes = (c === 45 ? -1 : 1) * (oh * 60 + om);
		} else {
			return undefined;
		}
	}
	// A space separator with a zone is not the ES format: let the built-in decide.
	if (sep === 32 && i !== n) return undefined;
	// Years 0-99 (never sent by a webhook) are left to the built-in, as when this used Date.UTC
	// (which reads them as 1900-1999); the arithmetic below would handle them.
	if (year < 100) return undefined;
	return (daysFromCivil(year, month, day) * 24 + hour) * 3_600_000 + minute * 60_000 + second * 1000 + milli - offsetMinutes * 60_000;
}
