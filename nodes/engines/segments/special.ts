/**
 * Special functions for the probability models (plain TypeScript, no dependencies).
 */

// Lanczos approximation, g = 7, n = 9 (Numerical Recipes / Boost coefficients), relative error ~1e-15.
const LANCZOS = [
	0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
	12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
	if (x < 0.5) {
		// Reflection: Γ(x)Γ(1-x) = π / sin(πx)
		return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
	}
	x -= 1;
	let a = LANCZOS[0];
	const t = x + 7.5;
	for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
	return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln B(a, b). */
export function lnBeta(a: number, b: number): number {
	return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
}

/**
 * Gauss hypergeometric function 2F1(a, b; c; z) for 0 <= z < 1 by its power series.
 * The terms fall geometrically (ratio → z), so a few hundred terms suffice for z up to ~0.95.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
	if (!(z >= 0 && z < 1)) throw new RangeError(`hyp2f1: z must be in [0, 1), got ${z}`);
	let term = 1;
	let sum = 1;
	for (let n = 0; n < 200000; n++) {
		term *= ((a + n) * (b + n)) / ((c + n) * (n + 1)) * z;
		sum += term;
		if (Math.abs(term) <= 1e-15 * Math.abs(sum)) return sum;
	}
	return sum;
}

/** log(exp(a) + exp(b)) without overflow. */
export function logAddExp(a: number, b: number): number {
	if (a === -Infinity) return b;
	if (b === -Infinity) return a;
	const m = Math.max(a, b);
	return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}
