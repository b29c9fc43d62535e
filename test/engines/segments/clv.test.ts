import {
	bgnbdLogLikelihood,
	expectedPurchases,
	expectedPurchasesUnconditional,
	fitBgNbd,
	probabilityAlive,
} from '../../../nodes/engines/segments/bgnbd';
import { expectedAverageSpend, fitGammaGamma, spendHasInfiniteVariance } from '../../../nodes/engines/segments/gammagamma';
import { hyp2f1, lnGamma } from '../../../nodes/engines/segments/special';
import { customerLifetimeValue } from '../../../nodes/engines/segments/clv';
import { CALIBRATION_END_DAY, loadCdnow } from './cdnow';

describe('special functions', () => {
	it('lnGamma matches known values', () => {
		expect(lnGamma(1)).toBeCloseTo(0, 12);
		expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
		expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
		expect(lnGamma(0.1)).toBeCloseTo(2.252712651734206, 12); // ln Γ(0.1), Abramowitz & Stegun
	});
	it('hyp2f1 matches closed forms', () => {
		// 2F1(1,1;2;z) = -ln(1-z)/z
		expect(hyp2f1(1, 1, 2, 0.5)).toBeCloseTo(-Math.log(0.5) / 0.5, 12);
		expect(hyp2f1(1, 1, 2, 0.95)).toBeCloseTo(-Math.log(0.05) / 0.95, 10);
		// 2F1(a,b;b;z) = (1-z)^-a
		expect(hyp2f1(0.7, 2.5, 2.5, 0.3)).toBeCloseTo(0.7 ** -0.7, 12);
	});
});

// Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2):
// CDNOW 1/10 sample (2,357 customers), 39-week calibration, weekly time unit.
// Published: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4; and for a customer
// with x = 2, t_x = 30.43, T = 38.86, E[Y(39) | x, t_x, T] = 1.226.
describe('BG/NBD on the CDNOW sample (published estimates)', () => {
	const customers = loadCdnow('CDNOW_sample.txt').summarize(CALIBRATION_END_DAY, 'weeks');
	const fit = fitBgNbd(customers);

	it('summarises 2,357 customers, 1,411 without a repeat purchase', () => {
		expect(customers).toHaveLength(2357);
		expect(customers.filter((c) => c.frequency === 0)).toHaveLength(1411);
	});

	it('reproduces r, alpha, a, b to the three decimals the paper reports', () => {
		expect(fit.params.r.toFixed(3)).toBe('0.243');
		expect(fit.params.alpha.toFixed(3)).toBe('4.414');
		expect(fit.params.a.toFixed(3)).toBe('0.793');
		expect(fit.params.b.toFixed(3)).toBe('2.426');
		expect(fit.logLikelihood.toFixed(1)).toBe('-9582.4');
		expect(bgnbdLogLikelihood(fit.params, customers)).toBeCloseTo(fit.logLikelihood, 6); // the compressed evaluation agrees with the plain one
		expect(fit.converged).toBe(true);
	});

	it('is a maximum: every parameter nudged by 0.1% lowers the likelihood', () => {
		for (const key of ['r', 'alpha', 'a', 'b'] as const) {
			for (const f of [0.999, 1.001]) {
				expect(bgnbdLogLikelihood({ ...fit.params, [key]: fit.params[key] * f }, customers)).toBeLessThan(fit.logLikelihood);
			}
		}
	});

	it('reproduces the paper\'s conditional expectation for x=2, t_x=30.43, T=38.86', () => {
		const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
		expect(expectedPurchases(published, { frequency: 2, recency: 30.43, T: 38.86 }, 39)!.toFixed(3)).toBe('1.226');
	});

	it('conditional expectation stays finite for hundreds of repeat purchases over a long horizon (mpmath reference)', () => {
		// References: eq. 10 evaluated with mpmath at 60 digits (mp.hyp2f1), parameters on a daily scale.
		const p = { r: 0.2426, alpha: 30.9, a: 0.7929, b: 2.4259 };
		const cases: Array<[number, number, number, number, number]> = [
			[400, 360, 365, 3650, 907.628809099963145],
			[1000, 720, 730, 3650, 4.78964750571392103],
			[300, 360, 365, 365, 187.894791861024035],
			[0, 0, 100, 36500, 7.14848631918774732],
		];
		for (const [x, tx, T, t, reference] of cases) {
			const value = expectedPurchases(p, { frequency: x, recency: tx, T }, t);
			expect(Math.abs(value! / reference - 1)).toBeLessThan(1e-10);
		}
	});

	it('P(alive) is 1 without repeat purchases and falls as the last purchase recedes', () => {
		expect(probabilityAlive(fit.params, { frequency: 0, recency: 0, T: 30 })).toBe(1);
		const recent = probabilityAlive(fit.params, { frequency: 3, recency: 35, T: 38 });
		const old = probabilityAlive(fit.params, { frequency: 3, recency: 5, T: 38 });
		expect(recent).toBeGreaterThan(old);
		expect(old).toBeGreaterThan(0);
		// Closed form by hand: 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x))
		const p = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
		const hand = 1 / (1 + (0.793 / (2.426 + 2)) * ((4.414 + 38) / (4.414 + 5)) ** 3.243);
		expect(probabilityAlive(p, { frequency: 3, recency: 5, T: 38 })).toBeCloseTo(hand, 12);
	});

	it('expected purchases of a new customer: at t small it is about t * r/alpha, and rises with t', () => {
		const p = fit.params;
		expect(expectedPurchasesUnconditional(p, 0.01)! / 0.01).toBeCloseTo(p.r / p.alpha, 3);
		expect(expectedPurchasesUnconditional(p, 78)!).toBeGreaterThan(expectedPurchasesUnconditional(p, 39)!);
	});

	it('rejects bad input with a message naming the customer', () => {
		expect(() => fitBgNbd([])).toThrow(/at least one customer/);
		expect(() => fitBgNbd([{ frequency: 1, recency: 5, T: 3 }])).toThrow(/Customer 0: recency \(5\) cannot exceed T/);
		expect(() => fitBgNbd([{ frequency: 0, recency: 0, T: 3 }])).toThrow(/no customer made a repeat purchase/);
		expect(() => fitBgNbd([{ frequency: 1.5, recency: 1, T: 3 }])).toThrow(/frequency must be a whole number/);
	});
});

// Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value" (brucehardie.com/notes/025):
// the 946 customers of the CDNOW sample with a repeat purchase in the 39-week calibration period,
// spend = average value of the repeat transactions. Published p = 6.25, q = 3.74, gamma = 15.44.
// The log-likelihood -4055.9177 is the value CLVTools' correctness test checks for the same fit
// (github.com/bachmannpatrick/CLVTools tests/testthat/test_correctness_gg.R).
describe('Gamma-Gamma on the CDNOW sample (published estimates)', () => {
	const repeaters = loadCdnow('CDNOW_sample.txt')
		.summarize(CALIBRATION_END_DAY, 'weeks')
		.filter((c) => c.frequency > 0);
	const fit = fitGammaGamma(repeaters);

	it('uses 946 repeat customers', () => {
		expect(repeaters).toHaveLength(946);
		expect(fit.customers).toBe(946);
	});

	it('reproduces p, q, gamma to two decimals and the log-likelihood', () => {
		expect(fit.params.p.toFixed(2)).toBe('6.25');
		expect(fit.params.q.toFixed(2)).toBe('3.74');
		expect(fit.params.gamma.toFixed(2)).toBe('15.44');
		expect(fit.logLikelihood).toBeCloseTo(-4055.9177, 3);
	});

	it('expected spend is the weighted mean of the population mean and the customer mean (eq. 5)', () => {
		const p = { p: 6.25, q: 3.74, gamma: 15.44 };
		const populationMean = (6.25 * 15.44) / 2.74;
		const x = 4;
		const m = 50;
		const weight = (6.25 * x) / (6.25 * x + 3.74 - 1);
		expect(expectedAverageSpend(p, { frequency: x, monetary: m })).toBeCloseTo((1 - weight) * populationMean + weight * m, 10);
		expect(expectedAverageSpend(p, { frequency: 0, monetary: 0 })).toBeCloseTo(populationMean, 10);
	});

	it('infinite-variance spend: 1 < px + q <= 2 (px = 0 without a usable repeat spend)', () => {
		// ν | data ~ Gamma(q' = px + q, γ'); Var(1/ν) = γ'²/((q' − 1)²(q' − 2)): infinite for q' <= 2, and
		// for q' <= 1 there is no mean at all (null spend, the case above), not an unstable one.
		const q15 = { p: 4, q: 1.5, gamma: 10 };
		expect(spendHasInfiniteVariance(q15, { frequency: 0, monetary: 0 })).toBe(true); // q' = 1.5
		expect(spendHasInfiniteVariance(q15, { frequency: 1, monetary: 20 })).toBe(false); // q' = 5.5
		expect(spendHasInfiniteVariance({ p: 0.5, q: 1.5, gamma: 10 }, { frequency: 1, monetary: 20 })).toBe(true); // q' = 2.0
		expect(spendHasInfiniteVariance({ p: 0.6, q: 1.5, gamma: 10 }, { frequency: 1, monetary: 20 })).toBe(false); // q' = 2.1
		expect(spendHasInfiniteVariance({ p: 4, q: 2, gamma: 10 }, { frequency: 0, monetary: 0 })).toBe(true); // q' = 2
		// a repeat buyer without a positive average spend is scored as a one-time buyer (q' = q)
		expect(spendHasInfiniteVariance(q15, { frequency: 2, monetary: 0 })).toBe(true);
		// CDNOW (q = 3.74) and a heavy tail without a mean (q = 0.8): neither
		expect(spendHasInfiniteVariance({ p: 6.25, q: 3.74, gamma: 15.44 }, { frequency: 0, monetary: 0 })).toBe(false);
		expect(spendHasInfiniteVariance({ p: 6.25, q: 0.8, gamma: 12 }, { frequency: 0, monetary: 0 })).toBe(false);
	});

	it('no expected spend when it does not exist: q <= 1 for one-time buyers, px + q <= 1 for repeat buyers', () => {
		// A heavy-tailed fit: q = 0.8. One-time buyers: E(Z) = pγ/(q - 1) = 6.25·12/(-0.2) = -375, which
		// is not a spend (E(1/ν) is infinite for q <= 1).
		const heavy = { p: 6.25, q: 0.8, gamma: 12 };
		expect(expectedAverageSpend(heavy, { frequency: 0, monetary: 0 })).toBeNull();
		expect(expectedAverageSpend({ ...heavy, q: 1 }, { frequency: 0, monetary: 0 })).toBeNull();
		// A repeat buyer's posterior (q' = px + q = 13.3 > 1) still has one: 6.25·(12 + 2·10)/(12.5 + 0.8 - 1) = 200/12.3.
		expect(expectedAverageSpend(heavy, { frequency: 2, monetary: 10 })).toBeCloseTo(200 / 12.3, 10);
		// p = 0.1, q = 0.5, x = 1: px + q = 0.6 <= 1, no posterior mean either.
		expect(expectedAverageSpend({ p: 0.1, q: 0.5, gamma: 12 }, { frequency: 1, monetary: 10 })).toBeNull();
		// And so no lifetime value, where the former code gave a negative one.
		const bg = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
		const options = { months: 12, monthlyDiscountRate: 0.01, unit: 'weeks' as const };
		expect(customerLifetimeValue(bg, heavy, { frequency: 0, recency: 0, T: 30, monetary: 0 }, options)).toBeNull();
		expect(customerLifetimeValue(bg, heavy, { frequency: 2, recency: 20, T: 30, monetary: 10 }, options)).toBeGreaterThan(0);
	});

	it('rejects non-positive spend', () => {
		expect(() => fitGammaGamma([{ frequency: 1, monetary: 10 }, { frequency: 2, monetary: 0 }])).toThrow(/average spend must be a number > 0/);
		// The customer is named by its position in the input, one-time buyers included.
		expect(() => fitGammaGamma([{ frequency: 0, monetary: 0 }, { frequency: 1, monetary: 10 }, { frequency: 2, monetary: -5 }])).toThrow(/^Customer 2: average spend/);
	});
});
