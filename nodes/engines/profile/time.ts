/**
 * The times the profile store reads: an event's `timestamp` and `receivedAt`, Check Event Since's
 * Since Time (or the triggering event's timestamp) and Export's Since. Read the same way whatever
 * the n8n server's time zone, as the rest of the package reads dates:
 * - a number is epoch milliseconds, or epoch seconds below 1e11 in magnitude (before 1973-03-03
 *   in milliseconds, after the year 5138 in seconds), as the event mapper, Customer Segments,
 *   Recommend Products and Render Email's date filter read numbers; truncated to its millisecond as
 *   a Date truncates it (`new Date(1772359200123.456).getTime()` is 1772359200123; toward zero for
 *   times before 1970);
 * - ISO-8601 text (`YYYY-MM-DD…`) is read by the events engine's parser: a date-time without a
 *   zone is UTC (never the server's local time), an impossible calendar date (Feb 30) is no date;
 *   its zone may also be written as database exports write it: ` UTC`/` GMT` (BigQuery,
 *   `2024-01-10 10:00:00 UTC`) or an offset of hours alone (PostgreSQL, `2024-01-10 10:00:00+00`);
 * - text of 9 or more digits (`1704880800`, optionally with a fraction) is that number, read as
 *   numbers are (CSV files and spreadsheets give numbers as text); fewer digits are no date
 *   (`20240110` could be a YYYYMMDD date or seconds in 1970);
 * - a clock time followed by one of RFC 2822's zone names (`UT`, `EST`, `PDT`…) is that fixed offset;
 * - other text is read by Date.parse only when it names its zone (`GMT`, `UTC`, `Z` or an offset,
 *   as `toUTCString()` and `toString()` write it): without one, Date.parse would read it in the
 *   server's time zone, so it is no date. A date written as numbers day and month first
 *   (`1/10/2024`, `10.01.2024`) is no date even with a zone: Date.parse reads it month first,
 *   which is 10 January in the US and 1 October elsewhere. A written day that its month does not
 *   have (`31 Feb 2024`, `31 Apr 2024`) is no date, where Date.parse would roll it over to March;
 * - a Date is its time.
 * Undefined for anything else, and for a time a Date cannot hold (beyond ±8.64e15 ms).
 */
import { daysInMonth, timeFromIso } from '../events/isoDate';
import { EventMappingError } from '../events/types';
import { toIsoUtc } from '../events/util';

const MAX_TIME = 8.64e15;

/**
 * Ends with a zone Date.parse reads: `GMT` or `UTC` (with an offset or not), or `Z` or an offset
 * right after a clock time ("10:00:00 +0100"; "01-03-2026" has no zone), optionally followed by a
 * "(zone name)" as toString() writes it.
 */
const NAMED_ZONE = /(?:\b(?:GMT|UTC)(?:[+-]\d{2}:?\d{2})?|\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}))(?:\s*\([^()]*\))?$/i;

/**
 * A date-time `YYYY-MM-DD hh:mm[:ss[.fff]]` whose zone is written ` UTC`, ` GMT` (optionally with
 * an offset) or as an offset of hours alone (`+00`, as PostgreSQL writes timestamptz), as ISO 8601
 * (`Z`, `+00:00`); any other text unchanged. Date.parse read these before the ISO parser did.
 */
const EXPORT_ZONE = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:(?:UTC|GMT)(?=$|[+-])|Z$)?(?:([+-]\d{2})(?::?(\d{2}))?)?$/i;

function isoZone(text: string): string {
	const m = EXPORT_ZONE.exec(text);
	if (!m || m[0].length === m[1].length) return text;
	return `${m[1].replace(' ', 'T')}${m[2] ? `${m[2]}:${m[3] ?? '00'}` : 'Z'}`;
}

/**
 * A date parameter of a node (a dateTime field, or an expression's value): a Date or a number read
 * as profileTimeMs reads them, anything else by its text (a Luxon DateTime from `{{ $now }}` gives
 * ISO 8601).
 */
export function parameterTimeMs(raw: unknown): number | undefined {
	return profileTimeMs(raw instanceof Date || typeof raw === 'number' ? raw : String(raw));
}

export function profileTimeMs(value: unknown): number | undefined {
	let time: number | undefined;
	if (typeof value === 'number') time = epochMs(value);
	else if (value instanceof Date) time = value.getTime();
	else if (typeof value === 'string') time = textTimeMs(value.trim());
	return time !== undefined && Number.isFinite(time) && Math.abs(time) <= MAX_TIME ? time : undefined;
}

/**
 * Epoch seconds (Python's time.time(), Unix `date +%s`, Luxon's toSeconds()) would be read as a
 * time in 1970 and pruned as old: below 1e11 in magnitude a number is seconds. TimeClip
 * (https://tc39.es/ecma262/#sec-timeclip): truncated toward zero; -0 becomes +0.
 */
function epochMs(value: number): number {
	return Math.trunc(Math.abs(value) < 1e11 ? value * 1000 : value) + 0;
}

/** Epoch seconds or milliseconds as text: 9 or more digits (1973-03-03 or later), optionally a fraction. */
const EPOCH_DIGITS = /^\d{9,}(?:\.\d+)?$/;

/** A date written as numbers with the day or month first (`1/10/2024`, `10.01.24`, `01-10-2024`). */
const DAY_MONTH_NUMBERS = /(?:^|\D)\d{1,2}([/.-])\d{1,2}\1\d{2,4}(?!\d)/;

function textTimeMs(trimmed: string): number | undefined {
	// (every RFC 2822 zone name ends in T: other text, e.g. ISO with Z or an offset, skips the pattern)
	const named = (trimmed.charCodeAt(trimmed.length - 1) | 32) === 116 ? RFC2822_ZONE.exec(trimmed) : null;
	const text = named ? `${named[1]} ${RFC2822_OFFSETS[named[2].toUpperCase()]}` : trimmed;
	if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
		// ISO 8601 as events carry it first (the common case), then a database export's zone
		const fast = timeFromIso(text, true) ?? timeFromIso(isoZone(text), true);
		if (fast !== undefined) return fast;
		try {
			return Date.parse(toIsoUtc(isoZone(text), 'time', true));
		} catch (error) {
			if (error instanceof EventMappingError) return undefined;
			throw error;
		}
	}
	if (EPOCH_DIGITS.test(text)) return epochMs(Number(text));
	if (!NAMED_ZONE.test(text) || DAY_MONTH_NUMBERS.test(text) || !possibleDays(text)) return undefined;
	return Date.parse(text);
}

/**
 * The zone names RFC 2822 (section 4.3, obs-zone; RFC 5322 the same) gives a fixed offset: `UT`
 * and the US zones, each standard or daylight time as its name says (EST is always -0500, EDT
 * -0400). Other abbreviations (CET, BST, IST, ...) stay no date: IST alone is India, Israel or
 * Ireland.
 */
const RFC2822_OFFSETS: Record<string, string> = {
	UT: '+0000',
	EST: '-0500',
	EDT: '-0400',
	CST: '-0600',
	CDT: '-0500',
	MST: '-0700',
	MDT: '-0600',
	PST: '-0800',
	PDT: '-0700',
};

/** A clock time, then one of RFC2822_OFFSETS' names at the very end. */
const RFC2822_ZONE = /^(.*\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*\b(UT|EST|EDT|CST|CDT|MST|MDT|PST|PDT)$/i;

const MONTHS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
/** `10 Jan 2024` (RFC 2822, toUTCString), `10-Jan-2024`, `10 January 2024`. */
const DAY_MONTH_YEAR = new RegExp(`\\b(\\d{1,2})[\\s-]+(${MONTHS})[a-z]*\\.?,?[\\s-]+(\\d{2,4})\\b`, 'gi');
/** `Jan 10 2024` (toString), `January 10, 2024` (a four-digit year: `Feb 30 10:00` is no such date). */
const MONTH_DAY_YEAR = new RegExp(`\\b(${MONTHS})[a-z]*\\.?[\\s-]+(\\d{1,2}),?[\\s-]+(\\d{4})\\b`, 'gi');
/** `2024/01/10`. */
const YEAR_MONTH_DAY = /\b(\d{4})([/.-])(\d{1,2})\2(\d{1,2})\b/g;

/**
 * Whether every calendar date written in the text is one its month has: Date.parse rolls a day
 * past the month's end over (`31 Feb 2024` is March 2), as it checks only that a day is 1-31.
 * A two-digit year is 2000-2049 or 1950-1999, a three-digit one 1900 later, as RFC 5322 section 4.3 reads them.
 */
function possibleDays(text: string): boolean {
	const ok = (year: string, month: number, day: string) => {
		const y = Number(year) + (year.length === 4 ? 0 : year.length === 3 || Number(year) >= 50 ? 1900 : 2000);
		return month >= 1 && month <= 12 && Number(day) >= 1 && Number(day) <= daysInMonth(y, month);
	};
	const monthOf = (name: string) => MONTHS.indexOf(name.slice(0, 3).toLowerCase()) / 4 + 1;
	for (const m of text.matchAll(DAY_MONTH_YEAR)) if (!ok(m[3], monthOf(m[2]), m[1])) return false;
	for (const m of text.matchAll(MONTH_DAY_YEAR)) if (!ok(m[3], monthOf(m[1]), m[2])) return false;
	for (const m of text.matchAll(YEAR_MONTH_DAY)) if (!ok(m[1], Number(m[3]), m[4])) return false;
	return true;
}
