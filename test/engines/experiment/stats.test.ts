import { diffInterval, fisherExactTwoSided, minExpectedCount, normalCdf, normalQuantile, relativeLiftInterval, sampleSizePerGroup, twoProportionZTest } from '../../../nodes/engines/experiment/stats';

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

	it('gives the intervals by hand: Wald for the difference, Katz log for the ratio', () => {
		// Wald: SE = sqrt(0.1·0.9/1000 + 0.15·0.85/1000) = 0.0147479; ±1.959964·SE = ±0.0289054
		const [lo, hi] = diffInterval(100, 1000, 150, 1000, 0.95);
		expect(lo).toBeCloseTo(0.0210946, 6);
		expect(hi).toBeCloseTo(0.0789054, 6);
		// Katz: ln 1.5 = 0.405465 ± 1.959964·sqrt(0.9/100 + 0.85/150) = ± 0.237363 → exp(0.168102) − 1 = 0.183057, exp(0.642828) − 1 = 0.901853
		const [rlo, rhi] = relativeLiftInterval(100, 1000, 150, 1000, 0.95)!;
		expect(rlo).toBeCloseTo(0.183057, 5);
		expect(rhi).toBeCloseTo(0.901853, 5);
		expect(relativeLiftInterval(0, 1000, 150, 1000, 0.95)).toBeNull();
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
