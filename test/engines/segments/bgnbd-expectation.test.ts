/**
 * BG/NBD conditional expectation E[Y(t) | x, t_x, T] (Fader, Hardie & Lee 2005, eq. 10) for every
 * parameter value the fit can return. The former code summed an Euler-transformed 2F1 series that
 * overflowed to Infinity · 0 = NaN when the fit ran to a, b → ∞ (a review found it on 7 to 11 of
 * 20 small stores drawn from CDNOW's own parameters), and divided by a − 1.
 *
 * References: eq. 10 evaluated with mpmath 1.3 at 40-80 digits (mp.hyp2f1), and, independently, as
 * P(alive) · E_p[(1 − (1 + p·t/(α+T))^−(r+x)) / p] over p ~ Beta(a, b+x) by mpmath.quad; the
 * values below are those where both agree to 1e-13 or better (hyp2f1 alone where quad cannot
 * resolve the Beta density, quad alone where hyp2f1 does not converge, as marked).
 */
import { expectedPurchases, expectedPurchasesUnconditional, MAX_SERIES_TERMS, probabilityAlive } from '../../../nodes/engines/segments/bgnbd';
import { customerLifetimeValue } from '../../../nodes/engines/segments/clv';

type Case = [r: number, alpha: number, a: number, b: number, x: number, tx: number, T: number, t: number, reference: number, note: string];
const CASES: Case[] = [
	[0.243, 4.414, 0.793, 2.426, 2, 30.43, 38.86, 39, 1.226028174767144463, 'CDNOW, published 1.226'],
	[0.3541193893309527, 5.014002091574773, 341651.50908765476, 12426671.447422784, 15, 29, 35, 52, 11.44797977607932714, 'small store, fit at a, b → ∞ (review: 11.448)'],
	[0.3541193893309527, 5.014002091574773, 341651.50908765476, 12426671.447422784, 0, 0, 21, 52, 0.6832532350443378460, 'same, no repeat purchase (review: 0.6833)'],
	[0.5, 10, 1.000000001, 3, 3, 10, 20, 52, 2.250026286746577076, 'a − 1 = 1e-9'],
	[0.5, 10, 0.9999999, 3, 0, 0, 20, 52, 0.6807209589020585743, 'a − 1 = −1e-7'],
	[0.4, 2, 0.3, 0.5, 0, 0, 5, 52, 1.617260822764548592, 'x = 0, a + b < 1: 2F1 with c = a+b−1 < 0 (hyp2f1)'],
	[0.4, 2, 2.0, 1e9, 5, 20, 30, 52, 8.774999775999176173, 'b → ∞: almost no dropout'],
	[0.4, 2, 1e6, 1e6, 5, 20, 30, 52, 0.2241367491035822226, 'a = b = 1e6: dropout 1/2 for everyone'],
	[0.01, 0.05, 0.02, 0.01, 1, 1, 2, 100, 9.247787885207876852, 'tiny r, α, a, b (hyp2f1)'],
	[0.3, 0.5, 0.5, 5, 0, 0, 0, 520, 47.93641282073694445, 'T = 0, horizon 1040 × α'],
	[8.468555099249826, 6.497368603094653, 4.987730412585809, 878607.3159818604, 0, 0, 3, 52, 46.36021749063665241, 'b ≈ 9e5 (quad)'],
	[0.06680523841052471, 2.3346577533780053, 2508602.840143031, 164.80999445390006, 20, 0.287, 0.5, 52, 1.528282061656214e-5, 'a ≈ 2.5e6 ≫ b (quad)'],
	[5.479265294231584, 0.17830187077456539, 0.03438828597472399, 1.1470626221341564, 5, 544.06, 700, 365, 4.930226605313077432, 'a = 0.034 (hyp2f1)'],
	[0.2426, 30.9, 0.7929, 2.4259, 400, 360, 365, 3650, 907.628809099963145, '400 repeat purchases, 10 years (clv.test.ts)'],
];

describe('E[Y(t) | x, t_x, T] against mpmath', () => {
	it.each(CASES)('r %p α %p a %p b %p, x %p t_x %p T %p, t %p', (r, alpha, a, b, x, tx, T, t, reference) => {
		const value = expectedPurchases({ r, alpha, a, b }, { frequency: x, recency: tx, T }, t);
		expect(value).not.toBeNull();
		expect(Math.abs(value! / reference - 1)).toBeLessThan(1e-12);
	});

	it('a = 1 exactly (eq. 10 is 0/0 there): the limit, mpmath at a = 1 ± 1e-25', () => {
		const p = { r: 0.5, alpha: 10, a: 1, b: 3 };
		expect(expectedPurchases(p, { frequency: 0, recency: 0, T: 20 }, 52)! / 0.68072094708260303355 - 1).toBeCloseTo(0, 13);
		expect(expectedPurchases(p, { frequency: 3, recency: 10, T: 20 }, 52)! / 2.2500262884849864893 - 1).toBeCloseTo(0, 13);
	});
});

describe('limits, by hand', () => {
	const r = 0.5;
	const alpha = 4;
	const c = { frequency: 3, recency: 20, T: 30 };
	const A = r + c.frequency;
	const s = 52 / (alpha + c.T);

	it('a, b → ∞ with a/(a+b) = π: every customer drops out with probability π after each purchase', () => {
		// Given alive, λ ~ Gamma(r+x, α+T) and the (j+1)-th purchase needs survival (1−π)^j:
		// E = P(alive) · Σ_j P(N > j)(1−π)^j = P(alive) · (1 − (1 + π s)^−(r+x)) / π, s = t/(α+T),
		// P(alive) = 1 / (1 + π/(1−π) · ((α+T)/(α+t_x))^(r+x)) (a/(b+x−1) → π/(1−π)).
		const pi = 0.2;
		const alive = 1 / (1 + (pi / (1 - pi)) * ((alpha + c.T) / (alpha + c.recency)) ** A);
		const limit = (alive * (1 - (1 + pi * s) ** -A)) / pi;
		for (const k of [1e8, 1e12, 1e15]) {
			const value = expectedPurchases({ r, alpha, a: k * pi, b: k * (1 - pi) }, c, 52)!;
			expect(Math.abs(value / limit - 1)).toBeLessThan(1e-6);
		}
		expect(expectedPurchases({ r, alpha, a: 1e15 * pi, b: 1e15 * (1 - pi) }, c, 52)! / limit - 1).toBeCloseTo(0, 10);
	});

	it('b → ∞ (no dropout): E → (r+x)·t/(α+T), P(alive) → 1', () => {
		const value = expectedPurchases({ r, alpha, a: 2, b: 1e15 }, c, 52)!;
		expect(value / (A * s) - 1).toBeCloseTo(0, 10);
		expect(probabilityAlive({ r, alpha, a: 2, b: 1e15 }, c)).toBeCloseTo(1, 12);
	});

	it('a new customer (eq. 9) is eq. 10 with x = t_x = T = 0; at small t about t·r/α', () => {
		const p = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
		expect(expectedPurchasesUnconditional(p, 39)).toBe(expectedPurchases(p, { frequency: 0, recency: 0, T: 0 }, 39));
		expect(expectedPurchasesUnconditional(p, 1e-4)! / 1e-4 / (p.r / p.alpha) - 1).toBeCloseTo(0, 3);
	});
});

describe('never NaN', () => {
	it('finite, >= 0 and non-decreasing in t over parameters from 1e-6 to 1e8', () => {
		const grid = [1e-6, 1e-2, 1, 1e3, 1e8];
		const customers = [
			{ frequency: 0, recency: 0, T: 1 },
			{ frequency: 2, recency: 5, T: 30 },
			{ frequency: 40, recency: 100, T: 104 },
		];
		const bad: string[] = [];
		let nulls = 0;
		for (const r of grid)
			for (const alpha of grid)
				for (const a of grid)
					for (const b of grid)
						for (const c of customers) {
							let previous = 0;
							for (const t of [1, 52, 365]) {
								const v = expectedPurchases({ r, alpha, a, b }, c, t);
								// null only past what the series may sum: (r+x)·s purchases without dropout, s = t/(α+T)
								const s = t / (alpha + c.T);
								if (v === null && (r + c.frequency) * s <= 1e5 && s <= 1e4) bad.push(`null: ${JSON.stringify({ r, alpha, a, b, c, t })}`);
								if (v === null) {
									nulls++;
									break;
								}
								if (!(Number.isFinite(v) && v >= previous * (1 - 1e-11))) bad.push(`${v} after ${previous}: ${JSON.stringify({ r, alpha, a, b, c, t })}`);
								previous = v;
							}
						}
		expect(bad).toEqual([]);
		expect(nulls).toBeLessThan(grid.length ** 4 * customers.length * 0.3);
	});

	it('a horizon millions of times α + T is not summed: null, and so is the CLV', () => {
		const p = { r: 0.3, alpha: 1e-6, a: 0.8, b: 2.4 };
		const newcomer = { frequency: 0, recency: 0, T: 0 };
		// the geometric tail alone takes about 40·t/(α+T) ≈ 2e9 terms > MAX_SERIES_TERMS
		expect(MAX_SERIES_TERMS).toBeLessThan(40 * (52 / 1e-6));
		expect(expectedPurchases(p, newcomer, 52)).toBeNull();
		expect(customerLifetimeValue(p, { p: 6, q: 4, gamma: 15 }, { ...newcomer, monetary: 0 }, { months: 12, monthlyDiscountRate: 0.01, unit: 'weeks' })).toBeNull();
		// millions of purchases without dropout: r/α = 1e6 per week
		expect(expectedPurchases({ r: 1e6, alpha: 1, a: 0.8, b: 2.4 }, { frequency: 0, recency: 0, T: 1 }, 52)).toBeNull();
	});
});
