/**
 * `money`: currency-aware amounts via Intl.NumberFormat.
 *   {{ 19.9 | money }}                 → $19.90 (node currency and locale)
 *   {{ 19.9 | money: "EUR" }}          → €19.90
 *   {{ 19.9 | money: "EUR", "de-DE" }} → 19,90 €
 *   {{ 1990 | money_cents: "EUR" }}    → €19.90 (amounts in minor units)
 * A missing amount renders empty; a value that is not a number renders unchanged.
 */
export interface MoneyDefaults {
	locale: string;
	currency: string;
}

interface Formatter {
	format: Intl.NumberFormat;
	/** Formatted amounts (bounded): the same prices recur across recipients. */
	results: Map<number, string>;
}
const formats = new Map<string, Map<string, Formatter>>();
let formatCount = 0;

function formatter(locale: string, currency: string): Formatter {
	let byCurrency = formats.get(locale);
	let f = byCurrency?.get(currency);
	if (!f) {
		let format: Intl.NumberFormat;
		try {
			format = new Intl.NumberFormat(locale, { style: 'currency', currency });
		} catch {
			throw new Error(`money: unknown currency "${currency}" or locale "${locale}" (use an ISO 4217 code such as "EUR" and a locale such as "fr-FR")`);
		}
		if (formatCount > 500) {
			formats.clear();
			formatCount = 0;
			byCurrency = undefined;
		}
		if (!byCurrency) formats.set(locale, (byCurrency = new Map()));
		f = { format, results: new Map() };
		byCurrency.set(currency, f);
		formatCount++;
	}
	return f;
}

/** Cached results over all formatters (bounded: all cleared past 5,000). */
let resultCount = 0;

/** Intl's format of the amount, cached (0 is not: a Map cannot tell -0 from 0). */
function formatAmount(f: Formatter, amount: number): string {
	if (amount === 0) return f.format.format(amount);
	let s = f.results.get(amount);
	if (s === undefined) {
		s = f.format.format(amount);
		if (resultCount >= 5000) {
			for (const byCurrency of formats.values()) for (const g of byCurrency.values()) g.results.clear();
			resultCount = 0;
		}
		f.results.set(amount, s);
		resultCount++;
	}
	return s;
}

export function toAmount(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
	return undefined;
}

export function moneyFilters(defaults: MoneyDefaults) {
	const money = (value: unknown, currency?: unknown, locale?: unknown): string => {
		if (value === undefined || value === null || value === '') return '';
		const amount = toAmount(value);
		if (amount === undefined) return String(value);
		const cur = typeof currency === 'string' && currency ? currency.toUpperCase() : defaults.currency;
		const loc = typeof locale === 'string' && locale ? locale : defaults.locale;
		return formatAmount(formatter(loc, cur), amount);
	};
	return {
		money,
		money_cents: (value: unknown, currency?: unknown, locale?: unknown): string => {
			const amount = toAmount(value);
			if (amount === undefined) return money(value, currency, locale);
			const cur = typeof currency === 'string' && currency ? currency.toUpperCase() : defaults.currency;
			const digits = formatter('en-US', cur).format.resolvedOptions().maximumFractionDigits ?? 2;
			return money(amount / 10 ** digits, cur, locale);
		},
	};
}
