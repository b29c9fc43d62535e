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
 * - other text is read by Date.parse only when it names its zone (`GMT`, `UTC`, `Z` or an offset,
 *   as `toUTCString()` and `toString()` write it): without one, Date.parse would read it in the
 *   server's time zone, so it is no date;
 * - a Date is its time.
 * Undefined for anything else, and for a time a Date cannot hold (beyond ±8.64e15 ms).
 */
import { timeFromIso } from '../events/isoDate';
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
	let time: number;
	if (typeof value === 'number') {
		// Epoch seconds (Python's time.time(), Unix `date +%s`, Luxon's toSeconds()) would be read as
		// a time in 1970 and pruned as old: below 1e11 in magnitude a number is seconds.
		const ms = Math.abs(value) < 1e11 ? value * 1000 : value;
		// TimeClip (https://tc39.es/ecma262/#sec-timeclip): truncated toward zero; -0 becomes +0.
		time = Math.trunc(ms) + 0;
	} else if (value instanceof Date) {
		time = value.getTime();
	} else if (typeof value === 'string') {
		const text = value.trim();
		if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
			// ISO 8601 as events carry it first (the common case), then a database export's zone
			const fast = timeFromIso(text, true) ?? timeFromIso(isoZone(text), true);
			if (fast !== undefined) time = fast;
			else {
				try {
					time = Date.parse(toIsoUtc(isoZone(text), 'time', true));
				} catch (error) {
					if (error instanceof EventMappingError) return undefined;
					throw error;
				}
			}
		} else if (NAMED_ZONE.test(text)) {
			time = Date.parse(text);
		} else {
			return undefined;
		}
	} else {
		return undefined;
	}
	return Number.isFinite(time) && Math.abs(time) <= MAX_TIME ? time : undefined;
}
