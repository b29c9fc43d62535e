/**
 * BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way: An Alternative
 * to the Pareto/NBD Model", Marketing Science 24(2)), fitted by maximum likelihood.
 *
 * Conventions of the `lifetimes` Python package: per customer `frequency` x = number of REPEAT
 * purchases (purchase days after the first; several purchases on one day are one transaction),
 * `recency` t_x = time from the first to the last purchase, `T` = time from the first purchase to
 * the end of the observation period, all in one time unit (days or weeks).
 */
import { hyp2f1, lnBeta, lnGamma, logAddExp } from './special';
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
	converged: boolean;
}

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
	return {
		params,
		logLikelihood: weightedLL(params, data),
		customers: n,
		evaluations: result.evaluations,
		converged: result.converged,
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

/** Expected number of repeat purchases in (0, t] for a new customer (FHL 2005, eq. 9). */
export function expectedPurchasesUnconditional(p: BgNbdParams, t: number): number {
	const { r, alpha, a, b } = p;
	if (t <= 0) return 0;
	const z = t / (alpha + t);
	return ((a + b - 1) / (a - 1)) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z));
}

/** Expected number of purchases in the next t time units given (x, t_x, T) (FHL 2005, eq. 10). */
export function expectedPurchases(p: BgNbdParams, c: RfCustomer, t: number): number {
	if (t <= 0) return 0;
	const { r, alpha, a, b } = p;
	const { frequency: x, recency: tx, T } = c;
	const z = t / (alpha + T + t);
	// Eq. 10 has ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x-1; z). By Euler's transformation
	// 2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z) with 1 - z = (α+T)/(α+T+t) this is
	// ((α+T)/(α+T+t))^(a-1) · 2F1(a+b-1-r, a-1; a+b+x-1; z). The direct series grows like
	// (1-z)^-(r+x-a+1) before the power scales it down: it overflows to Infinity · 0 = NaN for a
	// customer with hundreds of repeat purchases and a long horizon (x = 400 days, t = 3650 days).
	const scaled = ((alpha + T) / (alpha + T + t)) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z);
	const numerator = ((a + b + x - 1) / (a - 1)) * (1 - scaled);
	const denominator = x > 0 ? 1 + (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x) : 1;
	return numerator / denominator;
}
