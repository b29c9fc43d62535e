import { chiSquareSurvival, diffInterval, fisherExactTwoSided, minExpectedCount, normalCdf, normalQuantile, relativeLiftInterval, sampleSizePerGroup, twoProportionZTest, wilsonInterval } from '../../../nodes/engines/experiment/stats';

describe('normal distribution', () => {
	it('quantiles match the standard normal table', () => {
		expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
		expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 6);
		expect(normalQuantile(0.05)).toBeCloseTo(-1.644854, 6);
		expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 6);
		expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
		expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
	});
});

describe('two-proportion z-test', () => {
	it('matches the worked example at usablestats.com/askstats/question/866 (118 vs 80 of 3303 each: z = 2.742, two-sided p = .00611)', () => {
		const t = twoProportionZTest(80, 3303, 118, 3303);
		expect(t.z).toBeCloseTo(2.742, 3);
		expect(Math.abs(t.pValue - 0.00611)).toBeLessThan(0.00002);
		expect(t.pooled).toBeCloseTo(0.02997, 5);
	});

	// Hand computation: control 100/1000 = 0.10, treatment 150/1000 = 0.15
	//   pooled 250/2000 = 0.125; SE = sqrt(0.125·0.875·(2/1000)) = 0.0147902; z = 0.05/0.0147902 = 3.38062
	//   two-sided p = 2·(1 - Φ(3.38062)) = 0.000723
	//   Pearson χ² of [[100, 900], [150, 850]]: expected 125/875 per row → 2·25²/125 + 2·25²/875 = 11.428571 (= z²)
	it('matches a hand-computed case, and χ² equals Pearson\'s statistic of the 2x2 table', () => {
		const t = twoProportionZTest(100, 1000, 150, 1000);
		expect(t.z).toBeCloseTo(3.38062, 5);
		expect(t.pValue).toBeCloseTo(0.000723, 5);
		expect(t.chiSquare).toBeCloseTo(11.428571, 5);
	});

});

// Interval expectations below come from published tables or from hand computation (the steps are
// written out; they were done with mpmath at 30 digits, independently of stats.ts). z = Φ⁻¹(0.975)
// = 1.959964, z² = 3.841459; Wilson limits (x + z²/2 ± z·sqrt(x(n-x)/n + z²/4)) / (n + z²).
// Formerly (Wald / Katz): 100/1000 vs 150/1000 gave abs_lift_ci [0.0210946, 0.0789054] and
// rel_lift_ci [0.183057, 0.901853]; 0/n vs n/n gave the zero-width [1, 1]; a challenger at 0 gave
// rel_lift_ci null.
describe('Wilson score interval of one rate', () => {
	it('matches the hand computation, and is exactly 0 (1) at 0/n (n/n)', () => {
		// 100/1000: centre (100 + 1.920729)/1003.841459 = 0.1015307, half 1.959964·sqrt(90 + 0.960365)/1003.841459 = 0.01862126
		const [lo, hi] = wilsonInterval(100, 1000, 0.95);
		expect(lo).toBeCloseTo(0.08290944, 7);
		expect(hi).toBeCloseTo(0.120152, 6);
		// 0/10: centre = half = (z²/2)/(10 + z²) = 1.920729/13.841459 = 0.1387664 → (0, 0.2775328); 0/20 → (0, 0.1611252).
		// These are the limits Newcombe (1998, Table II) combines in rows (e)-(h) below: 0/10 - 0/20 → (-0.1611, 0.2775).
		expect(wilsonInterval(0, 10, 0.95)).toEqual([0, expect.closeTo(0.2775328, 7)]);
		expect(wilsonInterval(0, 20, 0.95)).toEqual([0, expect.closeTo(0.1611252, 7)]);
		expect(wilsonInterval(10, 10, 0.95)).toEqual([expect.closeTo(0.7224672, 7), 1]);
		// 3/3: (0.438503, 1); 0/3 mirrors it
		expect(wilsonInterval(3, 3, 0.95)).toEqual([expect.closeTo(0.438503, 6), 1]);
		expect(wilsonInterval(0, 3, 0.95)).toEqual([0, expect.closeTo(0.561497, 6)]);
	});
});

describe("Newcombe's hybrid score interval of p2 - p1 (method 10)", () => {
	// Newcombe R.G. (1998), "Interval estimation for the difference between independent proportions:
	// comparison of eleven methods", Stat Med 17:873-890, Table II, method 10, for θ = a/m - b/n.
	// diffInterval(x1, n1, x2, n2) is for p2 - p1, so the table's first proportion goes second.
	// Recomputed by hand from the Wilson limits (z = 1.959964 and Newcombe's 1.96 round to the same 4 decimals),
	// θ̂ - sqrt((a/m - l_a)² + (u_b - b/n)²), θ̂ + sqrt((u_a - a/m)² + (b/n - l_b)²):
	// (a) 56/70 (0.69183, 0.87695), 48/80 (0.49045, 0.70038): 0.2 - sqrt(0.10817² + 0.10038²) = 0.0524315, 0.2 + sqrt(0.076953² + 0.10955²) = 0.333873
	// (b) 9/10 (0.59585, 0.98212), 3/10 (0.10779, 0.60322): 0.6 - sqrt(0.30415² + 0.30322²) = 0.170523, 0.6 + sqrt(0.082124² + 0.19221²) = 0.809018
	// (c) 6/7 (0.48687, 0.97432), 2/7 (0.082219, 0.64107): 0.57143 - sqrt(0.37027² + 0.35535²) = 0.0582279, 0.57143 + sqrt(0.11718² + 0.2035²) = 0.80625
	// (d) 5/56 (0.038742, 0.19256), 0/29 (0, 0.11697): 0.089286 - sqrt(0.050544² + 0.11697²) = -0.0381371, 0.089286 + sqrt(0.10327² + 0²) = 0.19256
	// (e) 0/10 (0, 0.27753), 0/20 (0, 0.16113): 0 - 0.16113, 0 + 0.27753; (f) 0/10 vs 0/10: ±0.27753
	// (g) 10/10 (0.72247, 1), 0/20 (0, 0.16113): 1 - sqrt(0.27753² + 0.16113²) = 0.679086, 1 + 0 = 1
	// (h) 10/10 (0.72247, 1), 0/10 (0, 0.27753): 1 - sqrt(2)·0.27753 = 0.607509, 1
	const table2: Array<[string, number, number, number, number, number, number]> = [
		['(a) 56/70 - 48/80', 56, 70, 48, 80, 0.0524, 0.3339],
		['(b) 9/10 - 3/10', 9, 10, 3, 10, 0.1705, 0.809],
		['(c) 6/7 - 2/7', 6, 7, 2, 7, 0.0582, 0.8062],
		['(d) 5/56 - 0/29', 5, 56, 0, 29, -0.0381, 0.1926],
		['(e) 0/10 - 0/20', 0, 10, 0, 20, -0.1611, 0.2775],
		['(f) 0/10 - 0/10', 0, 10, 0, 10, -0.2775, 0.2775],
		['(g) 10/10 - 0/20', 10, 10, 0, 20, 0.6791, 1],
		['(h) 10/10 - 0/10', 10, 10, 0, 10, 0.6075, 1],
	];
	it.each(table2)('Table II %s', (_, a, m, b, n, lo, hi) => {
		const [l, u] = diffInterval(b, n, a, m, 0.95);
		expect(l).toBeCloseTo(lo, 4);
		expect(u).toBeCloseTo(hi, 4);
		// swapping the groups mirrors the interval
		const [ml, mu] = diffInterval(a, m, b, n, 0.95);
		expect(ml).toBeCloseTo(-hi, 4);
		expect(mu).toBeCloseTo(-lo, 4);
	});

	it("matches R's contingencytables (Fagerland, Lydersen & Laake 2017): Perondi et al. 7/34 vs 1/34 → 0.0189 to 0.3404", () => {
		// Newcombe_hybrid_score_CI_2x2(matrix(c(7, 27, 1, 33), 2, byrow = TRUE)): "estimate = 0.1765 (95% CI 0.0189 to 0.3404)"
		const [l, u] = diffInterval(1, 34, 7, 34, 0.95);
		expect(l).toBeCloseTo(0.0189, 4);
		expect(u).toBeCloseTo(0.3404, 4);
	});

	it('matches the hand computation for 100/1000 vs 150/1000', () => {
		// Wilson: 100/1000 → (0.08290944, 0.1201520); 150/1000 → (0.1292101, 0.1734687)
		// lower = 0.05 - sqrt((0.15 - 0.1292101)² + (0.1201520 - 0.1)²) = 0.05 - sqrt(0.02078993² + 0.02015196²) = 0.05 - 0.0289538 = 0.0210462
		// upper = 0.05 + sqrt((0.1734687 - 0.15)² + (0.1 - 0.08290944)²) = 0.05 + sqrt(0.02346866² + 0.01709056²) = 0.05 + 0.02903214 = 0.07903214
		const [l, u] = diffInterval(100, 1000, 150, 1000, 0.95);
		expect(l).toBeCloseTo(0.0210462, 6);
		expect(u).toBeCloseTo(0.0790321, 6);
	});

	it('is not zero-width at 0/n vs n/n (Wald gave [1, 1]) and stays inside [-1, 1]', () => {
		// 0/3 vs 3/3: lower = 1 - sqrt((1 - 0.438503)² + (0.561497 - 0)²) = 1 - 0.7940767 = 0.2059233; upper = 1 + sqrt(0 + 0) = 1
		const [l, u] = diffInterval(0, 3, 3, 3, 0.95);
		expect(l).toBeCloseTo(0.2059233, 6);
		expect(u).toBe(1);
		for (const [x1, n1, x2, n2] of [[0, 1, 1, 1], [1, 1, 0, 1], [0, 5, 0, 5], [5, 5, 5, 5], [1, 2, 0, 7], [999, 1000, 1, 1000]]) {
			const [lo, hi] = diffInterval(x1, n1, x2, n2, 0.95);
			const d = x2 / n2 - x1 / n1;
			expect(lo).toBeGreaterThanOrEqual(-1);
			expect(hi).toBeLessThanOrEqual(1);
			expect(lo).toBeLessThan(d + 1e-12);
			expect(hi).toBeGreaterThan(d - 1e-12);
			expect(hi - lo).toBeGreaterThan(0);
		}
	});
});

describe('MOVER-R Wilson interval of the relative lift p2/p1 - 1', () => {
	it("matches R's contingencytables (Fagerland, Lydersen & Laake 2017): Perondi et al. 7/34 vs 1/34, ratio 1.1537 to 41.9763", () => {
		// MOVER_R_Wilson_CI_ratio_2x2(matrix(c(7, 27, 1, 33), 2, byrow = TRUE)): "estimate = 7.0000 (95% CI 1.1537 to 41.9763)".
		// By hand: Wilson 1/34 → (0.005210906, 0.1491557), 7/34 → (0.1034953, 0.3679839); p1p2 = 0.006055363;
		// R_L: l2(2p2 - l2) = 0.03190443, u1(2p1 - u1) = -0.01347357 (u1 > 2p1: the formula's denominator is negative here),
		//   D_L = 0.006055363² + 0.03190443·0.01347357 = 0.0004665338, R_L = (0.006055363 - 0.02159939) / -0.01347357 = 1.153669
		// R_U: u2(2p2 - u2) = 0.01611064, l1(2p1 - l1) = 0.0002793704, D_U = 3.216659e-5, R_U = (0.006055363 + 0.00567156) / 0.0002793704 = 41.97626
		const [l, u] = relativeLiftInterval(1, 34, 7, 34, 0.95)!;
		expect(l).toBeCloseTo(1.1537 - 1, 4);
		expect(u).toBeCloseTo(41.9763 - 1, 3);
		expect(l).toBeCloseTo(0.153669, 5);
		expect(u).toBeCloseTo(40.97626, 4);
	});

	it('matches the hand computation for 100/1000 vs 150/1000 (close to the former Katz interval at these counts)', () => {
		// p1p2 = 0.015; l2(2p2 - l2) = 0.1292101·0.1707899 = 0.02206778; u1(2p1 - u1) = 0.1201520·0.0798480 = 0.009593898
		// D_L = 0.015² - 0.02206778·0.009593898 = 1.328397e-5; R_L = (0.015 - 0.003644718) / 0.009593898 = 1.183594
		// u2(2p2 - u2) = 0.1734687·0.1265313 = 0.02194922; l1(2p1 - l1) = 0.08290944·0.1170906 = 0.009707913
		// D_U = 0.015² - 0.02194922·0.009707913 = 1.191886e-5; R_U = (0.015 + 0.003452371) / 0.009707913 = 1.900756
		// (Katz log gave 1.183057 to 1.901853)
		const [l, u] = relativeLiftInterval(100, 1000, 150, 1000, 0.95)!;
		expect(l).toBeCloseTo(0.183594, 5);
		expect(u).toBeCloseTo(0.900756, 5);
	});

	it('is defined when the challenger has no successes (Katz was null): the lift is -100% and the interval starts there', () => {
		// Ritland et al. (Fagerland et al. 2017): 0/16 vs 15/72, ratio 0. Wilson 15/72 → (0.1305205, 0.3156926), 0/16 → (0, 0.1936077).
		// R_L = 0 (l2 = 0); R_U = (0 + sqrt(0 + 0.1936077²·0.03734795 - 0)) / 0.03734795 = 0.1936077 / sqrt(0.03734795) = 1.001819,
		// with l1(2p1 - l1) = 0.1305205·(0.4166667 - 0.1305205) = 0.03734795
		const [l, u] = relativeLiftInterval(15, 72, 0, 16, 0.95)!;
		expect(l).toBe(-1);
		expect(u).toBeCloseTo(0.001819, 5);
		// 5/20 vs 0/20: Wilson 5/20 → (0.1118617, 0.4687009), 0/20 → (0, 0.1611252); R_U = 0.1611252 / sqrt(0.1118617·0.3881383) = 0.7732669
		expect(relativeLiftInterval(5, 20, 0, 20, 0.95)).toEqual([-1, expect.closeTo(-0.2267331, 6)]);
	});

	it('keeps its precision at very large counts (the root is taken without cancellation)', () => {
		// the same formulas evaluated with mpmath at 30 digits: 1,000,000 vs 1,010,000 of 100,000,000 each →
		// difference 7.23527396e-5 to 1.27647386e-4, relative lift 0.00722529796 to 0.0127823436;
		// 1 vs 2 of 1e9 → relative lift -0.779375964 to 15.8535638
		const [dl, du] = diffInterval(1e6, 1e8, 1.01e6, 1e8, 0.95);
		expect(dl / 7.23527396335e-5).toBeCloseTo(1, 7);
		expect(du / 1.27647386014e-4).toBeCloseTo(1, 7);
		const [rl, ru] = relativeLiftInterval(1e6, 1e8, 1.01e6, 1e8, 0.95)!;
		expect(rl / 0.0072252979575).toBeCloseTo(1, 7);
		expect(ru / 0.0127823435872).toBeCloseTo(1, 7);
		const [tl, tu] = relativeLiftInterval(1, 1e9, 2, 1e9, 0.95)!;
		expect(tl).toBeCloseTo(-0.779375964, 7);
		expect(tu).toBeCloseTo(15.8535638, 6);
	});

	it('is null when the control has no successes: the ratio to a rate of 0 has no upper limit', () => {
		expect(relativeLiftInterval(0, 1000, 150, 1000, 0.95)).toBeNull();
		expect(relativeLiftInterval(0, 10, 0, 10, 0.95)).toBeNull();
	});
});

describe('two-proportion z-test: small p-values', () => {
	// references: scipy 1.10, 2·norm.sf(|z|) with z from the pooled standard error
	it('keeps the p-value of a large z instead of rounding it to 0', () => {
		const cases: Array<[number, number, number, number, number]> = [
			[100, 1000, 230, 1000, 4.8220837773826334e-15], // z = 7.83147
			[100, 1000, 250, 1000, 1.0718661311262765e-18], // z = 8.82735
			[58030, 100074, 332, 1421, 1.7142782748073866e-151], // z = -26.2167
			[80, 3303, 118, 3303, 0.0061076220588023545], // z = 2.74195 (usablestats example above)
		];
		for (const [x1, n1, x2, n2, p] of cases) {
			const t = twoProportionZTest(x1, n1, x2, n2);
			expect(Math.abs(t.pValue / p - 1)).toBeLessThan(1e-6);
		}
		expect(twoProportionZTest(500, 1000, 500, 1000).pValue).toBe(1);
	});
});

describe('sample size per group (Fleiss, Levin & Paik 2003, eq. 4.14 and 4.19)', () => {
	// p1 = 0.10, p2 = 0.15, two-sided α = 0.05, power 0.80:
	//   p̄ = 0.125; z_α/2·sqrt(2·p̄·q̄) = 1.959964·0.467707 = 0.916689; z_β·sqrt(p1q1 + p2q2) = 0.841621·0.466369 = 0.392507
	//   n' = (1.309196)² / 0.05² = 685.57 → 686
	//   continuity correction: n'/4·(1 + sqrt(1 + 4/(n'·0.05)))² = 171.39·(1 + 1.056737)² = 725.02 → 726
	it('matches the hand computation, with and without continuity correction', () => {
		expect(sampleSizePerGroup(0.1, 0.15)).toBe(686);
		expect(sampleSizePerGroup(0.1, 0.15, 0.05, 0.8, { continuityCorrection: true })).toBe(726);
		expect(sampleSizePerGroup(0.15, 0.1)).toBe(686); // symmetric
	});

	// p1 = 0.5, p2 = 0.6, α = 0.05, power 0.9: (1.959964·sqrt(2·0.55·0.45) + 1.281552·sqrt(0.25 + 0.24))² / 0.01
	//   = (1.959964·0.703562 + 1.281552·0.7)² / 0.01 = (1.378956 + 0.897086)² / 0.01 = 518.04 → 519
	it('matches a second hand computation (power 0.9)', () => {
		expect(sampleSizePerGroup(0.5, 0.6, 0.05, 0.9)).toBe(519);
	});
});

describe('small counts: expected counts and Fisher\'s exact test', () => {
	// expected counts under H0 are n_i·p̂ and n_i·(1 - p̂), p̂ pooled:
	//   0/3 vs 3/3: p̂ = 3/6 = 0.5 → 1.5 in every cell; 0/8 vs 8/8: 4; 0/10 vs 10/10: 5 (just enough)
	//   1/20 vs 6/20: p̂ = 7/40 = 0.175 → 20·0.175 = 3.5 (and 16.5); 3/6 vs 1/100000: p̂ = 4/100006 → 6·4/100006 = 0.00023999
	it('gives the smallest expected count of the 2x2 table', () => {
		expect(minExpectedCount(0, 3, 3, 3)).toBe(1.5);
		expect(minExpectedCount(0, 8, 8, 8)).toBe(4);
		expect(minExpectedCount(0, 10, 10, 10)).toBe(5);
		expect(minExpectedCount(1, 20, 6, 20)).toBeCloseTo(3.5, 12);
		expect(minExpectedCount(3, 6, 1, 100000)).toBeCloseTo(24 / 100006, 12);
		expect(minExpectedCount(100, 1000, 150, 1000)).toBe(125);
	});

	// By hand, 0/3 vs 3/3: margins 3 converted of 6, 3 per variant; P(k converted in the control) =
	//   C(3,k)·C(3,3-k)/C(6,3) = 1, 9, 9, 1 (/20). Observed k = 0 (P = 1/20); as likely or less: k = 0 and 3 → p = 2/20 = 0.1.
	// 0/8 vs 8/8: P(k) = C(8,k)·C(8,8-k)/C(16,8); only k = 0 and k = 8 are as unlikely as the observed → 2/12870 = 1.554e-4.
	// The rest: scipy.stats.fisher_exact([[x1, n1-x1], [x2, n2-x2]]).pvalue, scipy 1.17.1 (two-sided).
	it('matches the hand computation and scipy.stats.fisher_exact', () => {
		const cases: Array<[number, number, number, number, number]> = [
			[0, 3, 3, 3, 0.1],
			[0, 8, 8, 8, 2 / 12870],
			[1, 20, 6, 20, 0.09147609147609148],
			[2, 50, 9, 50, 0.05112093374568651],
			[3, 6, 1, 100000, 4.799172091911666e-13],
			[0, 1000, 4, 1000, 0.12462490634400823],
			[8, 10, 1, 6, 0.034965034965034975], // the whales-and-sharks example of the scipy docs: 0.0349650
		];
		for (const [x1, n1, x2, n2, p] of cases) {
			expect(Math.abs(fisherExactTwoSided(x1, n1, x2, n2) / p - 1)).toBeLessThan(1e-9);
			// the test does not depend on which variant is first
			expect(Math.abs(fisherExactTwoSided(x2, n2, x1, n1) / p - 1)).toBeLessThan(1e-9);
		}
		// one possible table only (no conversions at all): p = 1
		expect(fisherExactTwoSided(0, 5, 0, 7)).toBe(1);
		expect(fisherExactTwoSided(2, 2, 3, 3)).toBe(1);
	});
});

describe('chiSquareSurvival', () => {
	// reference: scipy.stats.chi2.sf(x, df), scipy 1.17.1
	it.each([
		[3.2, 1, 0.07363827012030258],
		[7.1, 2, 0.028724639654239426],
		[11.3, 3, 0.010209496433133654],
		[20.5, 4, 0.00039777188456711226],
		[9.0, 5, 0.1090641579497725],
		[0.5, 3, 0.9188914116546758],
	])('P(chi-square >= %s with %s df)', (x, df, expected) => {
		expect(Math.abs(chiSquareSurvival(x, df) - expected)).toBeLessThan(2e-7 * Math.max(expected, 1e-3));
	});
});
