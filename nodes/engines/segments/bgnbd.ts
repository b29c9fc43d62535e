/**
 * BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way: An Alternative
 * to the Pareto/NBD Model", Marketing Science 24(2)), fitted by maximum likelihood.
 *
 * Conventions of the `lifetimes` Python package: per customer `frequency` x = number of REPEAT
 * purchases (purchase days after the first; several purchases on one day are one transaction),
 * `recency` t_x = time from the first to the last purchase, `T` = time from the first purchase to
 * the end of the observation period, all in one time unit (days or weeks).
 */
import { lnBeta, lnGamma, logAddExp } from './special';
import { nelderMead } from './optimize';

export interface RfCustomer {
	frequency: number;
	recency: number;
	T: number;
}

export interface BgNbdParams {
	r: number;
	alpha: number;
	a: number;
	b: number;
}

export interface BgNbdFit {
	params: BgNbdParams;
	logLikelihood: number;
	customers: number;
	evaluations: number;
	/** The optimizer converged and the fit is not at a boundary (see `boundary`). */
	converged: boolean;
	/**
	 * Where the fit ran to a boundary of the parameter space: each entry names a direction
	 * (`a, b → ∞`, `r → 0`, …) along which moving the parameters 10-fold further changes the
	 * log-likelihood by less than BOUNDARY_FLATNESS (or raises it). There the MLE does not exist
	 * as a finite point: the model degenerates toward a limit (`a, b → ∞`: every customer has the
	 * same dropout probability a/(a+b); `r, α → ∞`: the same purchase rate r/α), and the fitted
	 * values along that direction are arbitrary. Empty for an interior maximum.
	 */
	boundary: string[];
}

/** Log-likelihood change (nats) below which a 10-fold move counts as flat (see BgNbdFit.boundary). */
export const BOUNDARY_FLATNESS = 1e-3;

/**
 * The directions (in log-parameter space) along which a fit at `x` sits at a boundary: moving the
 * parameters 10-fold further along an axis, either way, changes the mean objective by less than
 * BOUNDARY_FLATNESS / n (or lowers it). Each entry is the name of the end the fit runs toward; with
 * both ends flat (a plateau, where rounding decides which is higher), the end the fit went toward.
 */
export function boundaryDirections(
	objective: (v: number[]) => number,
	x: readonly number[],
	axes: ReadonlyArray<readonly [up: string, down: string, axis: readonly number[]]>,
	n: number,
): string[] {
	const best = objective([...x]);
	const moved = (axis: readonly number[], sign: number) => {
		const f = objective(x.map((v, i) => v + sign * axis[i] * Math.LN10));
		return Number.isFinite(f) ? f : Infinity;
	};
	const boundary: string[] = [];
	for (const [up, down, axis] of axes) {
		const flatUp = moved(axis, 1) - best < BOUNDARY_FLATNESS / n;
		const flatDown = moved(axis, -1) - best < BOUNDARY_FLATNESS / n;
		const towardUp = flatUp && flatDown ? axis.reduce((sum, w, i) => sum + w * x[i], 0) > 0 : flatUp;
		if (flatUp || flatDown) boundary.push(towardUp ? up : down);
	}
	return boundary;
}

/**
 * Axes in (ln r, ln α, ln a, ln b) checked for a boundary, with the names of their two ends. On a
 * plateau both 10-fold moves can be flat: then the end named is the one the parameters went
 * toward (the sign of their log along the axis, e.g. ln a + ln b > 0: a, b → ∞).
 */
const BOUNDARY_AXES: Array<[up: string, down: string, axis: number[]]> = [
	['a, b → ∞', 'a, b → 0', [0, 0, 1, 1]],
	['r, α → ∞', 'r, α → 0', [1, 1, 0, 0]],
	['r → ∞', 'r → 0', [1, 0, 0, 0]],
	['α → ∞', 'α → 0', [0, 1, 0, 0]],
	['a → ∞', 'a → 0', [0, 0, 1, 0]],
	['b → ∞', 'b → 0', [0, 0, 0, 1]],
];

export class ModelInputError extends Error {
	constructor(
		message: string,
		public readonly index?: number,
	) {
		super(message);
		this.name = 'ModelInputError';
	}
}

/** Validates one customer's (x, t_x, T); returns an error message or undefined. */
export function rfProblem(c: RfCustomer): string | undefined {
	const { frequency: x, recency: tx, T } = c;
	if (!Number.isInteger(x) || x < 0) return `frequency must be a whole number >= 0 (got ${String(x)})`;
	if (!Number.isFinite(tx) || tx < 0) return `recency must be a number >= 0 (got ${String(tx)})`;
	if (!Number.isFinite(T) || T <= 0) return `T must be a number > 0 (got ${String(T)})`;
	if (tx > T) return `recency (${tx}) cannot exceed T (${T})`;
	if (x === 0 && tx !== 0) return `recency must be 0 when frequency is 0 (got ${tx})`;
	return undefined;
}

/** Total log-likelihood. Terms that depend only on x are computed once per distinct x. */
export function bgnbdLogLikelihood(params: BgNbdParams, customers: readonly RfCustomer[]): number {
	const { r, alpha, a, b } = params;
	if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) return -Infinity;
	const cache = new Map<number, [number, number]>();
	const lnAlphaR = r * Math.log(alpha);
	const lnGr = lnGamma(r);
	const lnBab = lnBeta(a, b);
	let ll = 0;
	for (const c of customers) {
		const x = c.frequency;
		let terms = cache.get(x);
		if (!terms) {
			const base = lnGamma(r + x) - lnGr + lnAlphaR;
			const alive = lnBeta(a, b + x) - lnBab; // stayed alive through T
			const died = x > 0 ? lnBeta(a + 1, b + x - 1) - lnBab : -Infinity; // died after the last purchase
			terms = [base + alive, base + died];
			cache.set(x, terms);
		}
		const a3 = terms[0] - (r + x) * Math.log(alpha + c.T);
		const a4 = x > 0 ? terms[1] - (r + x) * Math.log(alpha + c.recency) : -Infinity;
		ll += logAddExp(a3, a4);
	}
	return ll;
}

/**
 * Collapses identical (x, t_x, T) triples and indexes the distinct T and t_x values, so one
 * likelihood evaluation takes a log per distinct value plus one exp and one log1p per row.
 */
interface Compressed {
	x: Int32Array;
	tIndex: Int32Array;
	txIndex: Int32Array;
	weight: Float64Array;
	tValues: Float64Array;
	txValues: Float64Array;
	maxX: number;
}

function compress(customers: readonly RfCustomer[]): Compressed {
	const rowOf = new Map<string, number>();
	const tOf = new Map<number, number>();
	const txOf = new Map<number, number>();
	const x: number[] = [];
	const tIndex: number[] = [];
	const txIndex: number[] = [];
	const weight: number[] = [];
	const index = (m: Map<number, number>, v: number) => {
		let k = m.get(v);
		if (k === undefined) m.set(v, (k = m.size));
		return k;
	};
	let maxX = 0;
	for (const c of customers) {
		const key = `${c.frequency}|${c.recency}|${c.T}`;
		const at = rowOf.get(key);
		if (at !== undefined) {
			weight[at]++;
			continue;
		}
		rowOf.set(key, x.length);
		x.push(c.frequency);
		tIndex.push(index(tOf, c.T));
		txIndex.push(index(txOf, c.recency));
		weight.push(1);
		if (c.frequency > maxX) maxX = c.frequency;
	}
	return {
		x: Int32Array.from(x),
		tIndex: Int32Array.from(tIndex),
		txIndex: Int32Array.from(txIndex),
		weight: Float64Array.from(weight),
		tValues: Float64Array.from(tOf.keys()),
		txValues: Float64Array.from(txOf.keys()),
		maxX,
	};
}

function weightedLL(params: BgNbdParams, d: Compressed): number {
	const { r, alpha, a, b } = params;
	const lnAlphaR = r * Math.log(alpha);
	const lnGr = lnGamma(r);
	const lnBab = lnBeta(a, b);
	// Per distinct x: the two x-only terms (lnΓ is the costly part, done once per x).
	const alive = new Float64Array(d.maxX + 1);
	const died = new Float64Array(d.maxX + 1);
	const seen = new Uint8Array(d.maxX + 1);
	for (let i = 0; i < d.x.length; i++) {
		const x = d.x[i];
		if (seen[x]) continue;
		seen[x] = 1;
		const base = lnGamma(r + x) - lnGr + lnAlphaR;
		alive[x] = base + lnBeta(a, b + x) - lnBab;
		died[x] = x > 0 ? base + lnBeta(a + 1, b + x - 1) - lnBab : -Infinity;
	}
	const logT = d.tValues.map((t) => Math.log(alpha + t));
	const logTx = d.txValues.map((t) => Math.log(alpha + t));
	let ll = 0;
	for (let i = 0; i < d.x.length; i++) {
		const x = d.x[i];
		const a3 = alive[x] - (r + x) * logT[d.tIndex[i]];
		let term: number;
		if (x === 0) term = a3;
		else {
			const a4 = died[x] - (r + x) * logTx[d.txIndex[i]];
			term = a3 > a4 ? a3 + Math.log1p(Math.exp(a4 - a3)) : a4 + Math.log1p(Math.exp(a3 - a4));
		}
		ll += d.weight[i] * term;
	}
	return ll;
}

/**
 * Maximum-likelihood fit (Nelder-Mead on log parameters, which keeps them positive).
 * `penalizer` is lifetimes' L2 penalty on the parameters (default 0: the plain MLE).
 */
export function fitBgNbd(customers: readonly RfCustomer[], options: { penalizer?: number } = {}): BgNbdFit {
	if (customers.length === 0) throw new ModelInputError('BG/NBD needs at least one customer');
	customers.forEach((c, i) => {
		const problem = rfProblem(c);
		if (problem) throw new ModelInputError(`Customer ${i}: ${problem}`, i);
	});
	if (!customers.some((c) => c.frequency > 0)) {
		throw new ModelInputError('BG/NBD cannot be fitted: no customer made a repeat purchase (every frequency is 0)');
	}
	const penalizer = options.penalizer ?? 0;
	const data = compress(customers);
	const toParams = (v: number[]): BgNbdParams => ({ r: Math.exp(v[0]), alpha: Math.exp(v[1]), a: Math.exp(v[2]), b: Math.exp(v[3]) });
	const n = customers.length;
	const objective = (v: number[]) => {
		const p = toParams(v);
		const ll = weightedLL(p, data);
		const pen = penalizer * (p.r ** 2 + p.alpha ** 2 + p.a ** 2 + p.b ** 2);
		return -ll / n + pen;
	};
	// Start as lifetimes does: all parameters 1 (log 0), alpha scaled to the data's time scale.
	const meanT = customers.reduce((s, c) => s + c.T, 0) / n;
	const start = [0, Math.log(Math.max(meanT / 10, 1e-3)), 0, 0];
	const result = nelderMead(objective, start, { step: 0.5, tolerance: 1e-11, xTolerance: 1e-6, maxEvaluations: 40000, restarts: 3 });
	const params = toParams(result.x);
	// A maximum at a boundary (the likelihood still flat or rising 10-fold further along some
	// direction, e.g. a, b → ∞ on small samples) is not a converged fit, whatever the simplex did.
	const boundary = boundaryDirections(objective, result.x, BOUNDARY_AXES, n);
	return {
		params,
		logLikelihood: weightedLL(params, data),
		customers: n,
		evaluations: result.evaluations,
		converged: result.converged && boundary.length === 0,
		boundary,
	};
}

/** P(alive at T | x, t_x, T) (FHL 2005, eq. 12 of the technical note "Computing P(alive)"). */
export function probabilityAlive(p: BgNbdParams, c: RfCustomer): number {
	if (c.frequency === 0) return 1;
	const { r, alpha, a, b } = p;
	const x = c.frequency;
	const logRatio = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + c.T) - Math.log(alpha + c.recency));
	return 1 / (1 + Math.exp(logRatio));
}

/** Expected number of repeat purchases in (0, t] for a new customer (FHL 2005, eq. 9): eq. 10 with x = t_x = T = 0. */
export function expectedPurchasesUnconditional(p: BgNbdParams, t: number): number | null {
	return expectedPurchases(p, { frequency: 0, recency: 0, T: 0 }, t);
}

/**
 * Most terms one expectation may sum (about 10 ms). Reached only when the horizon is tens of
 * thousands of times α + T or the expected purchases without dropout run into millions (see
 * expectedPurchasesIfAlive); then the value is not computed (null).
 */
export const MAX_SERIES_TERMS = 2_000_000;

/**
 * Expected number of purchases in the next t time units given (x, t_x, T) (FHL 2005, eq. 10):
 * P(alive at T) · E[purchases in (T, T + t] | alive at T, x, T]. Null when the series behind the
 * second factor would need more than MAX_SERIES_TERMS terms; never NaN or infinite for positive
 * parameters.
 */
export function expectedPurchases(p: BgNbdParams, c: RfCustomer, t: number): number | null {
	if (t <= 0) return 0;
	const alive = probabilityAlive(p, c);
	if (alive === 0) return 0;
	const ifAlive = expectedPurchasesIfAlive(p, c.frequency, c.T, t);
	return ifAlive === null ? null : alive * ifAlive;
}

/**
 * E[purchases in (T, T + t] | alive at T, x purchases in (0, T]], the numerator of eq. 10,
 * (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; z)], z = t/(α+T+t),
 * summed as positive terms instead of through 2F1.
 *
 * Given alive at T, the customer's rate is λ ~ Gamma(r+x, α+T) and dropout probability
 * p ~ Beta(a, b+x), independent. Without dropout the purchases in (T, T+t] would number
 * N ~ Poisson(λt), i.e. N ~ NegBin: P(N = n) = (r+x)_n/n! · (1−z)^(r+x) · z^n. The (j+1)-th of
 * them happens if the customer survives the j dropout draws after the purchases before it, with
 * probability E[(1−p)^j] = (b+x)_j/(a+b+x)_j =: R_j. So the expectation is
 *   Σ_{n≥1} P(N = n) · K_n,   K_n = R_0 + … + R_{n−1}.
 * Expanding the 2F1 series in eq. 10 gives the same sum term by term. Every term is >= 0: no
 * cancellation, no division by a − 1, no overflow for any a, b (as a, b → ∞ with a/(a+b) → π,
 * R_j → (1−π)^j: the fixed-dropout limit), and P(N = n) is summed from the log scale while it
 * would underflow, then normalised by the P(N = n) it summed. The tail after term n is at most P(N = n) · (K_n ρ/(1−ρ) + R_n ρ/(1−ρ)²), ρ
 * the largest ratio P(N = k+1)/P(N = k) beyond n; the sum stops when that is below 1e-15 of it.
 * The number of terms grows like (r+x)·s + 12·√((r+x)·s·(1+s)) + 40·(1+s), s = t/(α+T): null
 * (at once) when that exceeds MAX_SERIES_TERMS, i.e. for a horizon tens of thousands of times
 * α + T, or millions of expected purchases.
 */
export function expectedPurchasesIfAlive(p: BgNbdParams, x: number, T: number, t: number, maxTerms = MAX_SERIES_TERMS): number | null {
	if (t <= 0) return 0;
	const { r, alpha, a, b } = p;
	const A = r + x;
	const beta = b + x;
	const s = t / (alpha + T);
	const z = t / (alpha + T + t);
	// Terms needed, about: the bulk of N (mean A·s, variance A·s·(1+s)) and a geometric tail of
	// ratio z (1/(1−z) = 1 + s). Too many: null, without summing.
	const seriesTerms = A * s + 12 * Math.sqrt(A * s * (1 + s)) + 40 * (1 + s);
	if (!(seriesTerms <= maxTerms)) return null;
	// Where eq. 10's 2F1 is numerically safe and cheaper (many purchases: the series' terms grow
	// with (r+x)·s, the 2F1's fall with its c = a+b+x−1), take it; otherwise sum the series below.
	const closed = expectedPurchasesIfAliveClosedForm(p, x, T, t, seriesTerms);
	if (closed !== undefined) return closed;
	const logPmf0 = -A * Math.log1p(s); // ln P(N = 0) = A·ln(1−z), exact to rounding even for A = 1e10, s = 1e-8
	const LOG_TINY = -650; // below e^-650 a term cannot matter: the sum is then at least ~1
	let logPmf = logPmf0;
	let pmf = Math.exp(logPmf);
	let inLog = logPmf < LOG_TINY;
	let R = 1; // R_{n-1}
	let K = 0; // K_{n-1}
	let n = 1;
	if (inLog && A > 1) {
		// Far below the bulk (millions of expected purchases): jump to the first n whose
		// P(N = n) reaches e^-650 (found by bisection on its lnΓ form; P(N = n) rises up to the
		// mode ⌊(A−1)·s⌋, where it is far above e^-650), carrying K and R along.
		const logZ = Math.log(z);
		const lnGA = lnGamma(A);
		const lp = (k: number) => lnGamma(A + k) - lnGA - lnGamma(k + 1) + logPmf0 + k * logZ;
		let lo = 0;
		let hi = Math.floor((A - 1) * s);
		if (lp(hi) >= LOG_TINY) {
			while (hi - lo > 1) {
				const mid = Math.floor((lo + hi) / 2);
				if (lp(mid) >= LOG_TINY) hi = mid;
				else lo = mid;
			}
			for (; n < hi; n++) {
				K += R;
				R /= 1 + a / (beta + n - 1);
			}
			// now n = hi: the loop below adds K_hi, R_hi and P(N = hi)
			logPmf = lp(hi - 1);
		}
	}
	let sum = 0;
	// Σ P(N = n) over the terms summed: 1 in exact arithmetic. Dividing by it cancels the rounding
	// that ln P(N = n) gathers on the log scale (ln P(N = 0) = −10^4 has an ulp of 2e-12).
	let mass = inLog ? 0 : pmf;
	for (; n <= maxTerms; n++) {
		K += R; // K_n
		const ratio = ((A + n - 1) * z) / n; // P(N = n) / P(N = n-1)
		if (inLog) {
			logPmf += Math.log(ratio);
			if (logPmf >= LOG_TINY) {
				inLog = false;
				pmf = Math.exp(logPmf);
			}
		} else pmf *= ratio;
		R /= 1 + a / (beta + n - 1); // R_n = R_{n-1} · (b+x+n-1)/(a+b+x+n-1)
		if (inLog) continue;
		sum += pmf * K;
		mass += pmf;
		const next = ((A + n) * z) / (n + 1);
		if (next < 1) {
			const rho = Math.max(next, z);
			const tail = pmf * ((K * rho) / (1 - rho) + (R * rho) / ((1 - rho) * (1 - rho)));
			if (tail <= 1e-15 * sum) return sum / mass;
		}
	}
	return null;
}

/** Estimated relative error above which the closed form is not used (the series is summed instead). */
const CLOSED_FORM_TOLERANCE = 1e-13;

/**
 * The numerator of eq. 10 through its Euler-transformed 2F1 (the former implementation):
 * (a+b+x−1)/(a−1) · [1 − (1−z)^(a−1) · 2F1(a+b−1−r, a−1; a+b+x−1; z)], z = t/(α+T+t),
 * when that is safe; undefined otherwise (the caller then sums the positive-term series).
 *
 * Safe means: a < r + x + 2, so the 2F1's term ratio z·(a'+n)(b'+n)/((c+n)(n+1)) stays below z once
 * past the terms that may change sign, which bounds the tail by |term|·z/(1−z); c = a+b+x−1 > 0;
 * the series meets that tail bound within `maxTerms`; and the estimated rounding error, amplified
 * by the cancellation in 1 − (1−z)^(a−1)·2F1 (about |a − 1| near a = 1, the whole value at a, b → ∞),
 * stays below CLOSED_FORM_TOLERANCE relative. The rounding estimate is worst-case: each term
 * carries (n+2) roundings from its n ratio products, the power exp(−(a−1)·ln(1+s)) carries
 * |(a−1)·ln(1+s)| + 2.
 */
export function expectedPurchasesIfAliveClosedForm(p: BgNbdParams, x: number, T: number, t: number, maxTerms: number): number | undefined {
	const { r, alpha, a, b } = p;
	const am1 = a - 1;
	const c = a + b + x - 1;
	if (am1 === 0 || !(a < r + x + 2) || !(c > 0)) return undefined;
	const EPS = 2.220446049250313e-16;
	const s = t / (alpha + T);
	const z = t / (alpha + T + t);
	const A = a + b - 1 - r; // 2F1(A, B; c; z), B = a − 1
	const B = am1;
	const k = A + B - c - 1; // = a − r − x − 2 < 0
	// 2F1 = 1 + S; S summed apart so that 1 − (1−z)^(a−1)·(1 + S) = −expm1(L) − e^L·S, L = (a−1)·ln(1−z),
	// loses less to cancellation than 1 − e^L·(1 + S) (both parts are O(s) for a short horizon).
	const L = -am1 * Math.log1p(s); // ln (1−z)^(a−1)
	const power = Math.exp(L);
	const em1 = Math.expm1(L);
	let term = 1;
	let S = 0;
	let rounding = 0; // Σ_{n>=1} (n+2)·|term_n|
	let tail = Infinity;
	for (let n = 0; n < maxTerms; n++) {
		term *= (((A + n) * (B + n)) / ((c + n) * (n + 1))) * z; // term_{n+1}
		S += term;
		rounding += (n + 3) * Math.abs(term);
		// From n+1 on every ratio is in [0, z] (both factors >= 0, k·m + A·B − c <= 0 for m >= n+1):
		// the tail after term_{n+1} is at most |term_{n+1}|·z/(1−z) = |term_{n+1}|·s.
		const m = n + 1;
		if (A + m >= 0 && B + m >= 0 && k * m + A * B - c <= 0) {
			tail = Math.abs(term) * s;
			if (power * tail <= 1e-15 * Math.abs(em1 + power * S)) break;
		}
	}
	if (!(power * tail <= 1e-15 * Math.abs(em1 + power * S))) return undefined;
	const difference = -em1 - power * S;
	// the tail left out; rounding: expm1 and L (|L|·2 ulps of L), the terms of S, the product e^L·S, the subtraction
	const error = power * tail + EPS * (Math.abs(em1) + 2 * Math.abs(L) * power + power * rounding + Math.abs(power * S) * (Math.abs(L) + 2) + Math.abs(difference));
	const value = (c / am1) * difference;
	if (!(Number.isFinite(value) && value > 0 && error <= CLOSED_FORM_TOLERANCE * Math.abs(difference))) return undefined;
	return value;
}
