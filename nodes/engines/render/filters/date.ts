/**
 * Dates with a time zone. liquidjs's own `date` (strftime) is kept and gets the node's time zone
 * as its default (`{{ order.created_at | date: "%b %d, %Y %H:%M" }}`, or a zone per call:
 * `date: "%H:%M", "Europe/Paris"`). Added here:
 *   {{ d | format_date }}                          → Mar 1, 2024 (Intl, node locale and zone)
 *   {{ d | format_date: "long", "Europe/Paris", "fr-FR" }} → 1 mars 2024
 *   {{ d | days_since }} / {{ d | days_until }}    → whole days between now and the date
 */
export interface DateDefaults {
	locale: string;
	timeZone: string;
	now?: () => number;
}

const STYLES = ['full', 'long', 'medium', 'short'] as const;
type Style = (typeof STYLES)[number];
const formats = new Map<string, Intl.DateTimeFormat>();

export function toDate(value: unknown): Date | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
	if (typeof value === 'number' && Number.isFinite(value)) return new Date(value < 1e11 ? value * 1000 : value);
	if (typeof value === 'string' && value.trim()) {
		if (value === 'now' || value === 'today') return new Date();
		const t = /^\d+$/.test(value) ? Number(value) * (value.length <= 11 ? 1000 : 1) : Date.parse(value);
		return Number.isFinite(t) ? new Date(t) : undefined;
	}
	return undefined;
}

export function dateFilters(defaults: DateDefaults) {
	const now = defaults.now ?? Date.now;
	return {
		format_date(value: unknown, style?: unknown, timeZone?: unknown, locale?: unknown): string {
			const d = toDate(value);
			if (!d) return value === undefined || value === null ? '' : String(value);
			const s: Style = STYLES.includes(style as Style) ? (style as Style) : 'medium';
			const tz = typeof timeZone === 'string' && timeZone ? timeZone : defaults.timeZone;
			const loc = typeof locale === 'string' && locale ? locale : defaults.locale;
			const key = `${loc}|${tz}|${s}`;
			let f = formats.get(key);
			if (!f) {
				try {
					f = new Intl.DateTimeFormat(loc, { dateStyle: s, timeZone: tz });
				} catch {
					throw new Error(`format_date: unknown time zone "${tz}" or locale "${loc}" (use an IANA zone such as "Europe/Paris")`);
				}
				if (formats.size > 500) formats.clear();
				formats.set(key, f);
			}
			return f.format(d);
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
