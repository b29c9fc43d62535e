/**
 * Customer lifetime value from BG/NBD (purchases) and Gamma-Gamma (spend per purchase), with the
 * `lifetimes` package's discounting: the horizon is cut into months (30 days, or 4.345 weeks) and
 * month i's expected purchases times the expected spend is discounted by (1 + d)^i, d the monthly
 * discount rate. Null when the expected spend or the expected purchases do not exist or cannot be
 * computed (see expectedAverageSpend, expectedPurchases).
 */
import { expectedPurchases, type BgNbdParams, type RfCustomer } from './bgnbd';
import { expectedAverageSpend, type GammaGammaParams } from './gammagamma';
import type { TimeUnit } from './summary';

export const UNITS_PER_MONTH: Record<TimeUnit, number> = { days: 30, weeks: 4.345 };

export function customerLifetimeValue(
	bgnbd: BgNbdParams,
	gammaGamma: GammaGammaParams,
	customer: RfCustomer & { monetary: number },
	options: { months: number; monthlyDiscountRate: number; unit: TimeUnit },
): number | null {
	const step = UNITS_PER_MONTH[options.unit];
	const spend = expectedAverageSpend(gammaGamma, customer);
	// No finite expected spend (Gamma-Gamma q <= 1, see expectedAverageSpend): no value either.
	if (spend === null) return null;
	let value = 0;
	let previous = 0;
	for (let i = 1; i <= options.months; i++) {
		const cumulative = expectedPurchases(bgnbd, customer, i * step);
		if (cumulative === null) return null; // not computable (see expectedPurchases)
		value += ((cumulative - previous) * spend) / (1 + options.monthlyDiscountRate) ** i;
		previous = cumulative;
	}
	return value;
}
