/** Marketing filters, grouped by theme the way liquidjs groups its own (filters/*.ts). */
import { dateFilters, type DateDefaults } from './date';
import { defaultFilters } from './default';
import { moneyFilters, type MoneyDefaults } from './money';
import { utmFilters, type UtmDefaults } from './utm';

export type FilterDefaults = MoneyDefaults & DateDefaults & { utm: UtmDefaults };

export type FilterFn = (value: unknown, ...args: unknown[]) => unknown;

export function marketingFilters(defaults: FilterDefaults): Record<string, FilterFn> {
	return {
		...moneyFilters(defaults),
		...dateFilters(defaults),
		...utmFilters(defaults.utm),
		...defaultFilters,
	};
}

export { addUtm } from './utm';
export { toDate } from './date';
export { toAmount } from './money';
