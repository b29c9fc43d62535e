/**
 * Statistics for A/B tests on proportions (open, click, conversion rates).
 *
 * - Normal CDF from simple-statistics' `errorFunction` (Numerical Recipes erfc, error < 1.2e-7).
 * - Normal quantile: P. J. Acklam's rational approximation (relative error < 1.2e-9).
 *   simple-statistics' `probit` uses a closed-form erf inverse accurate to ~3 digits only
 *   (probit(0.975) = 1.9572 instead of 1.95996), too coarse for sample sizes.
 * - Two-proportion z-test with pooled standard error; chi-squared (2x2, no continuity
 *   correction) equals z².
 * - Confidence interval of each rate: Wilson's score interval (Wilson 1927).
 * - Confidence interval of the absolute difference p2 - p1: Newcombe's hybrid score interval
 *   (method 10 of Newcombe, "Interval estimation for the difference between independent
 *   proportions: comparison of eleven methods", Stat Med 1998; 17:873-890), from the two Wilson
 *   intervals. Unlike the Wald interval it never has zero width at 0% or 100% and never leaves [-1, 1].
 * - Confidence interval of the relative lift p2/p1 - 1: MOVER-R (Donner & Zou, "Closed-form
 *   confidence intervals for functions of the normal mean and standard deviation", Stat Methods Med
 *   Res 2012; 21:347-359; Newcombe, Stat Methods Med Res 2016; 25:1774-1778) on the two Wilson
 *   intervals, the "MOVER-R Wilson" interval of Fagerland, Lydersen & Laake, "Statistical Analysis
 *   of Contingency Tables" (2017), ch. 4. Defined when the challenger's rate is 0 (the ratio's lower
 *   limit is then 0, a lift of -100%), where the Katz log interval is not; when the control's rate is
 *   0 the ratio has no upper limit, and no interval is given.
 * - Sample size per group: Fleiss, Levin & Paik, "Statistical Methods for Rates and
 *   Proportions", 3rd ed. (2003), eq. 4.14, optionally with the continuity correction of
 *   eq. 4.19 (Fleiss, Tytun & Ury 1980).
 */
import { errorFunction } from 'simple-statistics';

export function normalCdf(z: number): number {
	return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}

/**
 * Two-sided tail 2·(1 - Φ(|z|)) = erfc(|z|/√2), from the same Numerical Recipes erfc as
 * `errorFunction` (fractional error < 1.2e-7), but without forming 1 - erfc first: that
 * subtraction rounds every tail below ~1e-16 to 0 (|z| above ~8.2).
 */
export function twoSidedTail(z: number): number {
	const x = Math.abs(z) / Math.SQRT2;
	const t = 1 / (1 + 0.5 * x);
	return Math.min(1, t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))));
}

const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** Inverse of the standard normal CDF (Acklam). */
export function normalQuantile(p: number): number {
	if (!(p > 0 && p < 1)) throw new RangeError('normalQuantile: p must be in (0, 1)');
	const low = 0.02425;
	if (p < low) {
		const q = Math.sqrt(-2 * Math.log(p));
		return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
	}
	if (p > 1 - low) return -normalQuantile(1 - p);
	const q = p - 0.5;
	const r = q * q;
	return ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
}

export interface ZTestResult {
	p1: number;
	p2: number;
	/** p2 - p1 */
	diff: number;
	pooled: number;
	se: number;
	z: number;
	/** Two-sided p-value. */
	pValue: number;
	/** Pearson chi-squared of the 2x2 table (= z²), 1 degree of freedom. */
	chiSquare: number;
}

/** Two-proportion z-test of H0: p1 = p2 (x successes out of n). */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): ZTestResult {
	const p1 = x1 / n1;
	const p2 = x2 / n2;
	const pooled = (x1 + x2) / (n1 + n2);
	const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
	const z = se > 0 ? (p2 - p1) / se : 0;
	const pValue = se > 0 ? twoSidedTail(z) : 1;
	return { p1, p2, diff: p2 - p1, pooled, se, z, pValue, chiSquare: z * z };
}

/**
 * Wilson's score interval of the rate x/n at the given confidence: the rates p whose score test
 * |x/n - p| / sqrt(p(1-p)/n) does not reject,
 * (x + z²/2 ± z·sqrt(x(n-x)/n + z²/4)) / (n + z²). It stays inside [0, 1], is not zero-width at
 * 0/n or n/n, and keeps near its stated coverage at small n (Newcombe, "Two-sided confidence
 * intervals for the single proportion: comparison of seven methods", Stat Med 1998; 17:857-872,
 * method 3). Needs n > 0.
 */
export function wilsonInterval(x: number, n: number, confidence: number): [number, number] {
	const z = normalQuantile(1 - (1 - confidence) / 2);
	const z2 = z * z;
	const centre = (x + z2 / 2) / (n + z2);
	const half = (z * Math.sqrt((x * (n - x)) / n + z2 / 4)) / (n + z2);
	// at 0/n and n/n the limit is exactly 0 (1); the subtraction could leave a rounding residue
	return [x === 0 ? 0 : Math.max(0, centre - half), x === n ? 1 : Math.min(1, centre + half)];
}

/**
 * Newcombe's hybrid score interval of p2 - p1 (method 10 of Newcombe 1998, Stat Med 17:873-890),
 * from the Wilson intervals (l1, u1) and (l2, u2) of the two rates, "square and add":
 *   lower = (p2 - p1) - sqrt((p2 - l2)² + (u1 - p1)²),  upper = (p2 - p1) + sqrt((u2 - p2)² + (p1 - l1)²).
 * (Newcombe writes the same as z·sqrt(l2(1-l2)/n2 + u1(1-u1)/n1): a Wilson limit l satisfies
 * (p - l)² = z²·l(1-l)/n.) Since sqrt(a² + b²) <= a + b, the limits stay within
 * [l2 - u1, u2 - l1], inside [-1, 1]; the clamp only absorbs rounding.
 */
export function diffInterval(x1: number, n1: number, x2: number, n2: number, confidence: number): [number, number] {
	const p1 = x1 / n1;
	const p2 = x2 / n2;
	const [l1, u1] = wilsonInterval(x1, n1, confidence);
	const [l2, u2] = wilsonInterval(x2, n2, confidence);
	const d = p2 - p1;
	return [Math.max(-1, d - Math.hypot(p2 - l2, u1 - p1)), Math.min(1, d + Math.hypot(u2 - p2, p1 - l1))];
}

/**
 * MOVER-R Wilson interval of the relative lift p2/p1 - 1 (see the header). For the ratio R = p2/p1
 * with Wilson intervals (l1, u1), (l2, u2), Donner & Zou (2012) give
 *   R_L = (p1p2 - sqrt((p1p2)² - l2(2p2 - l2)·u1(2p1 - u1))) / (u1(2p1 - u1))
 *   R_U = (p1p2 + sqrt((p1p2)² - u2(2p2 - u2)·l1(2p1 - l1))) / (l1(2p1 - l1)).
 * Computed in an equivalent form without cancellation: with a = p2 - l2, b = u1 - p1, c = u2 - p2,
 * d = p1 - l1, l2(2p2 - l2) = p2² - a² and u1(2p1 - u1) = p1² - b², so the root's argument is
 * D_L = p1²a² + p2²b² - a²b² (likewise D_U = p1²c² + p2²d² - c²d²), and multiplying R_L by
 * (p1p2 + sqrt D_L) / (p1p2 + sqrt D_L) gives R_L = l2(2p2 - l2) / (p1p2 + sqrt D_L), which also
 * holds when u1 = 2p1 (where the first form divides 0 by 0).
 *
 * x2 = 0: R_L = 0 (a lift of -100%) and R_U is finite. x1 = 0: the control's rate is 0, R_U is
 * unbounded (l1 = 0) and the relative lift itself undefined, so the result is null.
 */
export function relativeLiftInterval(x1: number, n1: number, x2: number, n2: number, confidence: number): [number, number] | null {
	if (x1 <= 0) return null;
	const p1 = x1 / n1;
	const p2 = x2 / n2;
	const [l1, u1] = wilsonInterval(x1, n1, confidence);
	const [l2, u2] = wilsonInterval(x2, n2, confidence);
	const a = p2 - l2;
	const b = u1 - p1;
	const c = u2 - p2;
	const d = p1 - l1;
	// a <= p2 and d <= p1, so neither root's argument is negative (max only absorbs rounding)
	const lower = x2 === 0 ? 0 : (l2 * (2 * p2 - l2)) / (p1 * p2 + Math.sqrt(Math.max(0, p1 * p1 * a * a + p2 * p2 * b * b - a * a * b * b)));
	const upper = (p1 * p2 + Math.sqrt(Math.max(0, p1 * p1 * c * c + p2 * p2 * d * d - c * c * d * d))) / (l1 * (2 * p1 - l1));
	return [lower - 1, upper - 1];
}

/**
 * Recipients needed per group to detect p1 → p2 with a two-sided (or one-sided) test at
 * level alpha with the given power (Fleiss et al. eq. 4.14; with `continuityCorrection`, 4.19).
 */
export function sampleSizePerGroup(p1: number, p2: number, alpha = 0.05, power = 0.8, options: { twoSided?: boolean; continuityCorrection?: boolean } = {}): number {
	if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1) || p1 === p2) throw new RangeError('sampleSizePerGroup: rates must be in (0, 1) and differ');
	const twoSided = options.twoSided ?? true;
	const za = normalQuantile(1 - (twoSided ? alpha / 2 : alpha));
	const zb = normalQuantile(power);
	const pBar = (p1 + p2) / 2;
	const d = Math.abs(p2 - p1);
	const n = (za * Math.sqrt(2 * pBar * (1 - pBar)) + zb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (d * d);
	if (!options.continuityCorrection) return Math.ceil(n);
	return Math.ceil((n / 4) * (1 + Math.sqrt(1 + 4 / (n * d))) ** 2);
}

/**
 * Recipients needed in group 1 (rate p1) when group 2 (rate p2) gets `ratio` times as many, to
 * detect p1 → p2 with a two-sided test at level alpha with the given power: the normal
 * approximation behind Fleiss et al. eq. 4.14 generalised to unequal groups (Fleiss, Tytun & Ury,
 * "A simple approximation for calculating sample sizes for comparing independent proportions",
 * Biometrics 36, 1980, without the continuity correction):
 * n1 = (z_(1-α/2)·sqrt(p̄(1-p̄)(1 + 1/r)) + z_(1-β)·sqrt(p1(1-p1) + p2(1-p2)/r))² / (p2-p1)²,
 * p̄ = (p1 + r·p2) / (1 + r). With ratio 1 it is eq. 4.14. Not rounded: the caller rounds up.
 */
export function sampleSizeUnequal(p1: number, p2: number, ratio: number, alpha = 0.05, power = 0.8): number {
	if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1) || p1 === p2) throw new RangeError('sampleSizeUnequal: rates must be in (0, 1) and differ');
	if (!(Number.isFinite(ratio) && ratio > 0)) throw new RangeError('sampleSizeUnequal: ratio must be above 0');
	const za = normalQuantile(1 - alpha / 2);
	const zb = normalQuantile(power);
	const pBar = (p1 + ratio * p2) / (1 + ratio);
	const d = p2 - p1;
	return (za * Math.sqrt(pBar * (1 - pBar) * (1 + 1 / ratio)) + zb * Math.sqrt(p1 * (1 - p1) + (p2 * (1 - p2)) / ratio)) ** 2 / (d * d);
}

/**
 * Expected counts of the 2x2 table (successes and failures of each group) under H0: p1 = p2,
 * i.e. n_i·p̂ and n_i·(1 - p̂) with the pooled rate p̂; returns the smallest. The z-test (and the
 * chi-squared test it equals) relies on the normal approximation, which is trusted only when every
 * expected count is at least 5: R's chisq.test / prop.test warn "Chi-squared approximation may
 * be incorrect" when any expected count is below 5 (R sources, src/library/stats/R/chisq.test.R),
 * and SciPy's chi2_contingency notes quote the same guideline (Cochran's rule).
 */
export function minExpectedCount(x1: number, n1: number, x2: number, n2: number): number {
	const pooled = (x1 + x2) / (n1 + n2);
	return Math.min(n1, n2) * Math.min(pooled, 1 - pooled);
}

/** Smallest expected count the normal approximation needs in every cell (see minExpectedCount). */
export const MIN_EXPECTED_COUNT = 5;

/**
 * Fisher's exact test of H0: p1 = p2 on the 2x2 table [[x1, n1 - x1], [x2, n2 - x2]], two-sided:
 * the probability, given the margins (hypergeometric), of every table at most as likely as the
 * observed one (the definition of R's fisher.test and SciPy's fisher_exact; a relative tolerance
 * of 1e-7 keeps tables equally likely as the observed one despite rounding, as R does).
 *
 * The probabilities are built from the ratio of neighbouring tables,
 * P(k+1)/P(k) = (K-k)(n1-k) / ((k+1)(N-K-n1+k+1)), in logs relative to the largest, so no
 * factorial is formed. The support has min(margins)+1 tables; when the normal approximation is
 * unsafe (an expected count below 5) that is below sqrt(5·N)+2.
 */
export function fisherExactTwoSided(x1: number, n1: number, x2: number, n2: number): number {
	const N = n1 + n2;
	const K = x1 + x2; // successes in all
	const lo = Math.max(0, n1 - (N - K));
	const hi = Math.min(K, n1);
	if (hi === lo) return 1;
	const logs: number[] = [0];
	for (let k = lo; k < hi; k++) logs.push(logs[logs.length - 1] + Math.log(((K - k) * (n1 - k)) / ((k + 1) * (N - K - n1 + k + 1))));
	let max = -Infinity; // a loop, not Math.max(...logs): tens of thousands of arguments can overflow the stack
	for (const l of logs) if (l > max) max = l;
	const observed = logs[x1 - lo];
	let total = 0;
	let tail = 0;
	for (const l of logs) {
		const w = Math.exp(l - max);
		total += w;
		if (l <= observed + Math.log1p(1e-7)) tail += w;
	}
	return Math.min(1, tail / total);
}

/**
 * Upper tail P(X >= x) of the chi-squared distribution with `df` degrees of freedom (a whole
 * number >= 1), in closed form (Abramowitz & Stegun 26.4.4 and 26.4.5):
 *   df even: e^(-x/2) · Σ_{r<df/2} (x/2)^r / r!
 *   df odd:  erfc(sqrt(x/2)) + 2φ(√x) · Σ_{r=1}^{(df-1)/2} x^(r-1/2) / (1·3·…·(2r-1)),  φ the normal density.
 * df = 1 is the two-sided normal tail of √x (twoSidedTail). Exact apart from erfc's error (< 1.2e-7).
 */
export function chiSquareSurvival(x: number, df: number): number {
	if (!(Number.isInteger(df) && df >= 1)) throw new RangeError('chiSquareSurvival: df must be a whole number >= 1');
	if (!(x > 0)) return 1;
	let sum = 0;
	let term: number;
	if (df % 2 === 0) {
		term = Math.exp(-x / 2);
		for (let r = 0; r < df / 2; r++) {
			sum += term;
			term *= x / 2 / (r + 1);
		}
		return Math.min(1, sum);
	}
	// term r = 1: 2φ(√x)·√x = sqrt(2x/π)·e^(-x/2); each next one multiplies by x / (2r + 1)
	term = Math.sqrt((2 * x) / Math.PI) * Math.exp(-x / 2);
	for (let r = 1; r <= (df - 1) / 2; r++) {
		sum += term;
		term *= x / (2 * r + 1);
	}
	return Math.min(1, twoSidedTail(Math.sqrt(x)) + sum);
}
