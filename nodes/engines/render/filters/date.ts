/**
 * Dates with a time zone. liquidjs's own `date` (strftime) is kept and gets the node's time zone
 * as its default (`{{ order.created_at | date: "%b %d, %Y %H:%M" }}`, or a zone per call:
 * `date: "%H:%M", "Europe/Paris"`). Added here:
 *   {{ d | format_date }}                          → Mar 1, 2024 (Intl, node locale and zone)
 *   {{ d | format_date: "long", "Europe/Paris", "fr-FR" }} → 1 mars 2024
 *   {{ d | days_since }} / {{ d | days_until }}    → whole days between now and the date
 * Reading, as the rest of the package reads dates (block rules, segments): ISO text through
 * parseTimeMs, so a date-time without a zone is UTC, never the server's time zone. A date alone
 * (`2024-03-01`) is a calendar day: format_date prints that day in every time zone; the time zone
 * applies to instants only (a date-time, a timestamp, a Date). Other text is read only when it names
 * its zone (`Fri, 01 Mar 2024 23:30:00 GMT`, `… +0100`); zone-less other text (`March 1, 2024
 * 23:30`, `06/01/2024`) is no date (printed as it is): Date.parse read it in the server's zone.
 *
 * liquidjs's `date` and `date_to_*` read text with `new Date(text)`, in the server's time zone for
 * a date-time without a zone: they get the value read here instead (liquidDateFilters).
 */
import { filters as builtinFilters, type FilterImplOptions } from 'liquidjs';
import { parseTimeMs } from '../../segments/parse';

export interface DateDefaults {
	locale: string;
	timeZone: string;
	now?: () => number;
}

const STYLES = ['full', 'long', 'medium', 'short'] as const;
type Style = (typeof STYLES)[number];
/** Formatters by locale, zone and style, each with its formatted dates (bounded). */
const formats = new Map<string, { format: Intl.DateTimeFormat; results: Map<string | number, string> }>();
/** Cached dates over all formatters (bounded: all cleared past 5,000). */
let resultCount = 0;

export function toDate(value: unknown): Date | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
	if (typeof value === 'number' && Number.isFinite(value)) return new Date(value < 1e11 ? value * 1000 : value);
	if (typeof value === 'string' && value.trim()) {
		if (value === 'now' || value === 'today') return new Date();
		const text = value.trim();
		// digits: epoch seconds (up to 11 digits) or ms; other text as the package reads dates (parseTimeMs):
		// ISO (no zone: UTC), or text that names its zone; zone-less other text is no date
		const t = /^\d+$/.test(text) ? Number(text) * (text.length <= 11 ? 1000 : 1) : parseTimeMs(text);
		return t !== undefined && Number.isFinite(t) ? new Date(t) : undefined;
	}
	return undefined;
}

/** `YYYY-MM-DD` alone: a calendar day, not an instant. */
const DATE_ONLY = /^\s*\d{4}-\d{2}-\d{2}\s*$/;

function formatter(loc: string, tz: string, style: Style): { format: Intl.DateTimeFormat; results: Map<string | number, string> } {
	const key = `${loc}|${tz}|${style}`;
	let f = formats.get(key);
	if (!f) {
		try {
			f = { format: new Intl.DateTimeFormat(loc, { dateStyle: style, timeZone: tz }), results: new Map() };
		} catch {
			throw new Error(`format_date: unknown time zone "${tz}" or locale "${loc}" (use an IANA zone such as "Europe/Paris")`);
		}
		if (formats.size > 500) formats.clear();
		formats.set(key, f);
	}
	return f;
}

export function dateFilters(defaults: DateDefaults) {
	const now = defaults.now ?? Date.now;
	return {
		format_date(value: unknown, style?: unknown, timeZone?: unknown, locale?: unknown): string {
			const s: Style = STYLES.includes(style as Style) ? (style as Style) : 'medium';
			const tz = typeof timeZone === 'string' && timeZone ? timeZone : defaults.timeZone;
			const loc = typeof locale === 'string' && locale ? locale : defaults.locale;
			const key = `${loc}|${tz}|${s}`;
			// a date string or timestamp formats the same every time ("now"/"today" excepted)
			const cacheable = (typeof value === 'string' && value !== 'now' && value !== 'today') || typeof value === 'number';
			let f = formats.get(key);
			if (f && cacheable) {
				const hit = f.results.get(value as string | number);
				if (hit !== undefined) return hit;
			}
			const d = toDate(value);
			if (!d) return value === undefined || value === null ? '' : String(value);
			f ??= formatter(loc, tz, s);
			// a calendar day (read as its UTC midnight) is printed as that day, whatever the zone
			const out = (typeof value === 'string' && DATE_ONLY.test(value) ? formatter(loc, 'UTC', s) : f).format.format(d);
			if (cacheable) {
				if (resultCount >= 5000) {
					for (const g of formats.values()) g.results.clear();
					resultCount = 0;
				}
				f.results.set(value as string | number, out);
				resultCount++;
			}
			return out;
		},
		days_since(value: unknown): number | string {
			const d = toDate(value);
			return d ? Math.floor((now() - d.getTime()) / 86400000) : '';
		},
		days_until(value: unknown): number | string {
			const d = toDate(value);
			return d ? Math.ceil((d.getTime() - now()) / 86400000) : '';
		},
	};
}

/** Text that liquidjs's date filters read the same on every server: left to them. */
const LIQUID_READS = /^\s*(?:\d+|now|today|\d{4}-\d{2}-\d{2})\s*$/;

/**
 * liquidjs's `date`, `date_to_xmlschema`, `date_to_rfc822`, `date_to_string` and
 * `date_to_long_string`, given a Date for date-time text (read by parseTimeMs: no zone is UTC):
 * `{{ "2024-03-01T23:30:00" | date: "%H:%M" }}` prints the same on every server. Text that is no
 * date (zone-less non-ISO text) is written as it is, as liquidjs writes a value it cannot read.
 */
export function liquidDateFilters(): Record<string, FilterImplOptions> {
	const out: Record<string, FilterImplOptions> = {};
	for (const name of ['date', 'date_to_xmlschema', 'date_to_rfc822', 'date_to_string', 'date_to_long_string'] as const) {
		const builtin = builtinFilters[name] as (this: unknown, v: unknown, ...args: unknown[]) => unknown;
		out[name] = function (this: unknown, value: unknown, ...args: unknown[]): unknown {
			if (typeof value !== 'string' || LIQUID_READS.test(value)) return builtin.call(this, value, ...args);
			const ms = parseTimeMs(value);
			return ms === undefined ? value : builtin.call(this, new Date(ms), ...args);
		};
	}
	return out;
}
