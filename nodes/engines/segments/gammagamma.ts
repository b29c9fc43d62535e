/**
 * Gamma-Gamma model of monetary value (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary
 * Value", http://www.brucehardie.com/notes/025/), fitted by maximum likelihood on customers with
 * at least one repeat purchase: x = number of repeat transactions, m = their average value.
 */
import { lnGamma } from './special';
import { nelderMead } from './optimize';
import { BOUNDARY_FLATNESS, boundaryDirections, ModelInputError } from './bgnbd';

export interface SpendCustomer {
	frequency: number;
	monetary: number;
}

export interface GammaGammaParams {
	p: number;
	q: number;
	gamma: number;
}

export interface GammaGammaFit {
	params: GammaGammaParams;
	logLikelihood: number;
	customers: number;
	/** The optimizer converged and the fit is not at a boundary (see `boundary`). */
	converged: boolean;
	/**
	 * Where the fit ran to a boundary of the parameter space, as BgNbdFit.boundary: each entry names
	 * a direction along which moving the parameters 10-fold further changes the log-likelihood by
	 * less than BOUNDARY_FLATNESS (or raises it). `p → ∞` (with p·γ fixed, so the mean spend stays):
	 * no spread of order values within a customer (every customer's orders of one value, e.g. one
	 * price or a subscription); `q, γ → ∞` (γ/q fixed): no spread between customers' mean spends.
	 * The parameters along it are then arbitrary. Empty for an interior maximum.
	 */
	boundary: string[];
}

/** ln 1e8: a fitted parameter beyond 1e8 or below 1e-8 is at a limit (see fitGammaGamma). */
const EXTREME_LOG = Math.log(1e8);

/** Axes in (ln p, ln q, ln γ) checked for a boundary (see GammaGammaFit.boundary), with the names of their ends. */
const BOUNDARY_AXES: Array<[up: string, down: string, axis: number[]]> = [
	['p → ∞', 'p → 0', [1, 0, -1]],
	['q, γ → ∞', 'q, γ → 0', [0, 1, 1]],
	['p, q → ∞', 'p, q → 0', [1, 1, 0]],
	['p → ∞ (p alone)', 'p → 0 (p alone)', [1, 0, 0]],
	['q → ∞', 'q → 0', [0, 1, 0]],
	['γ → ∞', 'γ → 0', [0, 0, 1]],
];

/** Log-likelihood of the average spends (eq. 3 of the note, the density of z̄ given x). */
export function gammaGammaLogLikelihood(params: GammaGammaParams, customers: readonly SpendCustomer[]): number {
	const { p, q, gamma } = params;
	if (!(p > 0 && q > 0 && gamma > 0)) return -Infinity;
	const lgq = lnGamma(q);
	const qlg = q * Math.log(gamma);
	let ll = 0;
	for (const c of customers) {
		const x = c.frequency;
		const m = c.monetary;
		ll +=
			lnGamma(p * x + q) - lnGamma(p * x) - lgq + qlg + (p * x - 1) * Math.log(m) + p * x * Math.log(x) - (p * x + q) * Math.log(gamma + x * m);
	}
	return ll;
}

export function fitGammaGamma(customers: readonly SpendCustomer[]): GammaGammaFit {
	const usable = customers.filter((c) => c.frequency > 0);
	if (usable.length < 2) throw new ModelInputError('Gamma-Gamma needs at least two customers with a repeat purchase');
	// The index named is the customer's position in `customers` (not among the repeat buyers).
	customers.forEach((c, i) => {
		if (c.frequency > 0 && !(Number.isFinite(c.monetary) && c.monetary > 0)) {
			throw new ModelInputError(`Customer ${i}: average spend must be a number > 0 (got ${String(c.monetary)})`, i);
		}
	});
	const toParams = (v: number[]): GammaGammaParams => ({ p: Math.exp(v[0]), q: Math.exp(v[1]), gamma: Math.exp(v[2]) });
	const n = usable.length;
	const mean = usable.reduce((s, c) => s + c.monetary, 0) / n;
	const result = nelderMead((v) => -gammaGammaLogLikelihood(toParams(v), usable) / n, [0, 0, Math.log(mean)], {
		step: 0.5,
		tolerance: 1e-14,
		maxEvaluations: 20000,
		restarts: 8,
	});
	const params = toParams(result.x);
	// A maximum at a boundary (the likelihood still flat or rising 10-fold further along a
	// direction, e.g. p → ∞ when every customer's orders have one value) is not a converged fit.
	const objective = (v: number[]) => -gammaGammaLogLikelihood(toParams(v), usable) / n;
	const best = objective(result.x);
	const boundary = boundaryDirections(objective, result.x, BOUNDARY_AXES, n);
	// Beyond 1e8 (or below 1e-8) lnΓ(px + q) - lnΓ(px) loses its digits, so the moves above see
	// rounding, not the likelihood: such a fit has gone to a limit (e.g. p, q → ∞ when every repeat
	// buyer's average is the same amount, where the likelihood has no maximum at all).
	if (boundary.length === 0) {
		const names = ['p', 'q', 'γ'];
		const high = names.filter((_, i) => result.x[i] > EXTREME_LOG);
		const low = names.filter((_, i) => result.x[i] < -EXTREME_LOG);
		if (high.length > 0) boundary.push(`${high.join(', ')} → ∞`);
		if (low.length > 0) boundary.push(`${low.join(', ')} → 0`);
	}
	// The simplex's own test (1e-14, steps of 1e-9 in ln p) is finer than a likelihood that is flat
	// along a ridge can show: it can run out of evaluations at the maximum (CDNOW samples of 20 to 80
	// repeat buyers, p ≈ 200). Such a fit is settled when a restart from it, with BG/NBD's criteria,
	// converges and gains less than BOUNDARY_FLATNESS; only otherwise is it "did not converge".
	let converged = result.converged;
	if (!converged && boundary.length === 0) {
		const polish = nelderMead(objective, result.x, { step: 0.1, tolerance: 1e-11, xTolerance: 1e-6, maxEvaluations: 5000, restarts: 2 });
		converged = polish.converged && best - polish.fx < BOUNDARY_FLATNESS / n;
	}
	return { params, logLikelihood: gammaGammaLogLikelihood(params, usable), customers: n, converged: converged && boundary.length === 0, boundary };
}

/**
 * E(M | p, q, γ, m_x, x): the customer's expected average spend (eq. 5 of the note), or null when
 * it does not exist. Without repeat purchases it is the population mean E(Z) = pγ/(q - 1), which
 * exists only for q > 1 (ν ~ Gamma(q, γ) and E(1/ν) = γ/(q - 1)); with x repeat purchases it is the
 * posterior mean pγ'/(q' - 1), q' = px + q, γ' = γ + x·m_x, which exists only for px + q > 1. A fit
 * on heavy-tailed spend (a few very large orders) can give q <= 1: the formula would then give a
 * negative or infinite spend, so null is returned instead (the `lifetimes` package returns the
 * negative number).
 */
export function expectedAverageSpend(params: GammaGammaParams, c: SpendCustomer): number | null {
	const { p, q, gamma } = params;
	const x = c.frequency;
	if (x <= 0 || !(c.monetary > 0)) return q > 1 ? (p * gamma) / (q - 1) : null;
	return p * x + q > 1 ? (p * (gamma + x * c.monetary)) / (p * x + q - 1) : null;
}

/**
 * Whether the customer's expected average spend exists but is the mean of a distribution with
 * infinite variance: the spend 1/ν it averages over has ν ~ Gamma(q', γ') with q' = px + q (q' = q
 * without repeat purchases, as in expectedAverageSpend), and Var(1/ν) = γ'² / ((q' - 1)² (q' - 2))
 * is finite only for q' > 2. So true for 1 < px + q <= 2: a one-time buyer when 1 < q <= 2 (the
 * population mean pγ/(q - 1)), and a repeat buyer only when p·x is small.
 */
export function spendHasInfiniteVariance(params: GammaGammaParams, c: SpendCustomer): boolean {
	const x = c.frequency > 0 && c.monetary > 0 ? c.frequency : 0;
	const shape = params.p * x + params.q;
	return shape > 1 && shape <= 2;
}
