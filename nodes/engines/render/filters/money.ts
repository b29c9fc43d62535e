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

const formats = new Map<string, Intl.NumberFormat>();

function formatter(locale: string, currency: string): Intl.NumberFormat {
	const key = `${locale}|${currency}`;
	let f = formats.get(key);
	if (!f) {
		try {
			f = new Intl.NumberFormat(locale, { style: 'currency', currency });
		} catch {
			throw new Error(`money: unknown currency "${currency}" or locale "${locale}" (use an ISO 4217 code such as "EUR" and a locale such as "fr-FR")`);
		}
		if (formats.size > 500) formats.clear();
		formats.set(key, f);
	}
	return f;
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
		return formatter(loc, cur).format(amount);
	};
	return {
		money,
		money_cents: (value: unknown, currency?: unknown, locale?: unknown): string => {
			const amount = toAmount(value);
			if (amount === undefined) return money(value, currency, locale);
			const cur = typeof currency === 'string' && currency ? currency.toUpperCase() : defaults.currency;
			const digits = formatter('en-US', cur).resolvedOptions().maximumFractionDigits ?? 2;
			return money(amount / 10 ** digits, cur, locale);
		},
	};
}
