/**
 * Logistic regression: features standardized (z-scores from the training data), L2 penalty on
 * the coefficients (not the intercept), fitted by Newton-Raphson (IRLS) with a line search to the
 * penalized maximum likelihood. Newton's method is deterministic; the seed only drives the
 * cross-validation folds.
 */
import { auc, calibration, thresholdMetrics, topDecileLift, type ThresholdMetrics } from './metrics';

export interface LogisticModel {
	kind: 'logisticRegression';
	version: 1;
	features: string[];
	/** Per feature: mean and standard deviation used to standardize (sd 1 for a constant feature). */
	scaling: Array<{ feature: string; mean: number; sd: number }>;
	intercept: number;
	/** Coefficients on the standardized features. */
	coefficients: Record<string, number>;
	/** The same model on the raw feature scale: logit = rawIntercept + Σ rawCoefficients[f] * x_f. */
	rawIntercept: number;
	rawCoefficients: Record<string, number>;
	l2: number;
	iterations: number;
	converged: boolean;
}

export interface FitOptions {
	/** L2 penalty strength λ (the objective is -loglik + λ/2 Σ β²). Default 1. */
	l2?: number;
	maxIterations?: number;
	/** The featureScaling of these rows when the caller already has it (Train Model's collinearity check). */
	scaling?: LogisticModel['scaling'];
}

/**
 * Per feature: the training rows' mean and population sd. A constant column gets its value as mean
 * and sd 1, so it standardizes to 0 (see the comment inside).
 *
 * Any finite values scale: each column is first divided by a power of two near its largest
 * absolute value, so the sum and the squared deviations stay near 1 instead of overflowing (values
 * of 1e300 gave an sd of Infinity, i.e. a feature silently left out, and values near 1e308 a mean
 * of Infinity and a model of NaN). Dividing and multiplying by a power of two is exact, so columns
 * that did not overflow get the same mean and sd as before, bit for bit (bar subnormal values).
 */
export function featureScaling(X: number[][], features: string[]): LogisticModel['scaling'] {
	const n = X.length;
	return features.map((feature, j) => {
		// A constant column must come out as constant: its mean computed as sum / n can miss the
		// value by an ulp (0.1 + 0.1 + 0.1 = 0.30000000000000004), which would give it an sd of
		// ~1e-17 instead of 1 and turn it into a ±1 column, i.e. a second intercept.
		const first = X[0][j];
		let constant = true;
		let min = first;
		let max = first;
		for (let i = 1; i < n; i++) {
			const v = X[i][j];
			if (v !== first) constant = false;
			if (v < min) min = v;
			if (v > max) max = v;
		}
		if (constant) return { feature, mean: first, sd: 1 };
		// 2^-1074 is the smallest double, 2^1023 the largest power of two (log2 of 1.79e308 rounds to 1024)
		const scale = 2 ** Math.min(1023, Math.max(-1074, Math.floor(Math.log2(Math.max(Math.abs(min), Math.abs(max))))));
		let mean = 0;
		for (let i = 0; i < n; i++) mean += X[i][j] / scale;
		mean /= n;
		let ss = 0;
		for (let i = 0; i < n; i++) ss += (X[i][j] / scale - mean) ** 2;
		const sd = Math.sqrt(ss / n) * scale;
		// the mean lies between the smallest and largest value (rounding must not take it past ±1.79e308)
		mean = Math.min(max, Math.max(min, mean * scale));
		return { feature, mean, sd: sd > 0 ? Math.min(sd, Number.MAX_VALUE) : 1 };
	});
}

/** Features that have one value in every row: the model cannot learn from them (coefficient 0). */
export function constantFeatures(X: number[][], features: string[]): Array<{ feature: string; value: number }> {
	if (X.length === 0) return [];
	return features.flatMap((feature, j) => (X.every((row) => row[j] === X[0][j]) ? [{ feature, value: X[0][j] }] : []));
}

/**
 * (value − mean) / sd without overflow: for values of opposite sign near ±1e308 the difference is
 * beyond the largest double, so it is then taken on halves ((v/2 − m/2) / (sd/2), the same number).
 */
export function standardize(value: number, scaling: { mean: number; sd: number }): number {
	const d = value - scaling.mean;
	if (Number.isFinite(d)) return d / scaling.sd;
	return (value / 2 - scaling.mean / 2) / (scaling.sd / 2);
}

/**
 * With L2 = 0 the coefficients of features that are linear combinations of each other (two copies
 * of one column, `total = online + store`) are not determined: any split between them fits equally
 * well, and the fit gave one of them everything and the other 0, or arbitrary values, without a
 * word. Returns the first feature (in the given order) whose standardized column is a linear
 * combination of the ones before it, and those it combines; undefined when there is none.
 * Constant columns are left out: they standardize to 0 and keep the coefficient 0.
 * Modified Gram-Schmidt on the standardized columns; "a combination" means the part of the
 * column outside the others' span has less than 1e-9 of its sum of squares.
 */
export function collinearFeatures(
	X: number[][],
	features: string[],
	scaling: LogisticModel['scaling'] = featureScaling(X, features),
): { feature: string; of: string[] } | undefined {
	const n = X.length;
	const kept: number[] = [];
	const columns: number[][] = [];
	const basis: number[][] = [];
	for (let j = 0; j < features.length; j++) {
		const z = X.map((row) => standardize(row[j], scaling[j]));
		const size = z.reduce((sum, v) => sum + v * v, 0);
		if (size === 0) continue; // constant
		const r = [...z];
		for (const q of basis) {
			let dot = 0;
			for (let i = 0; i < n; i++) dot += q[i] * r[i];
			for (let i = 0; i < n; i++) r[i] -= dot * q[i];
		}
		const rest = r.reduce((sum, v) => sum + v * v, 0);
		if (rest <= 1e-9 * size) {
			// which earlier features it combines: least squares of z on them (normal equations)
			const G = columns.map((a) => columns.map((b) => a.reduce((sum, v, i) => sum + v * b[i], 0)));
			const c = solve(G, columns.map((a) => a.reduce((sum, v, i) => sum + v * z[i], 0)));
			return { feature: features[j], of: kept.filter((_, k) => Math.abs(c[k]) > 1e-6).map((k) => features[k]) };
		}
		const norm = Math.sqrt(rest);
		basis.push(r.map((v) => v / norm));
		columns.push(z);
		kept.push(j);
	}
	return undefined;
}

export function fitLogistic(X: number[][], y: boolean[], features: string[], options: FitOptions = {}): LogisticModel {
	const n = X.length;
	const d = features.length;
	const l2 = options.l2 ?? 1;
	if (n === 0) throw new RangeError('No training rows');
	if (y.length !== n) throw new RangeError('Features and target have different lengths');
	const scaling = options.scaling ?? featureScaling(X, features);
	const Z = X.map((row) => [1, ...row.map((v, j) => standardize(v, scaling[j]))]);
	const beta = new Array<number>(d + 1).fill(0);
	let converged = false;
	let iterations = 0;
	const maxIterations = options.maxIterations ?? 100;
	for (; iterations < maxIterations && !converged; iterations++) {
		const grad = new Array<number>(d + 1).fill(0);
		const H = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
		let before = 0; // the objective at beta, see objective()
		for (let j = 1; j <= d; j++) before += (l2 / 2) * beta[j] ** 2;
		for (let i = 0; i < n; i++) {
			const z = Z[i];
			let eta = 0;
			for (let j = 0; j <= d; j++) eta += beta[j] * z[j];
			before += logLoss(eta, y[i]);
			const p = sigmoid(eta);
			const w = p * (1 - p);
			const r = (y[i] ? 1 : 0) - p;
			for (let j = 0; j <= d; j++) {
				grad[j] += r * z[j];
				const wz = w * z[j];
				for (let k = j; k <= d; k++) H[j][k] += wz * z[k];
			}
		}
		for (let j = 0; j <= d; j++) for (let k = 0; k < j; k++) H[j][k] = H[k][j];
		for (let j = 1; j <= d; j++) {
			grad[j] -= l2 * beta[j];
			H[j][j] += l2;
		}
		H[0][0] += 1e-10; // keeps the system solvable when every target is equal
		const step = solve(H, grad);
		let maxStep = 0;
		for (let j = 0; j <= d; j++) maxStep = Math.max(maxStep, Math.abs(step[j]));
		if (maxStep < 1e-10) {
			for (let j = 0; j <= d; j++) beta[j] += step[j];
			converged = true;
			continue;
		}
		// Damped Newton: the step is shortened as a whole (its direction kept) to at most 5 per
		// coefficient, so a separable data set cannot send coefficients to infinity in one step,
		// then halved until the penalized objective falls enough (Armijo). Clipping each
		// coefficient on its own (as before) changed the direction and could cycle without end,
		// e.g. on separable data with an outlier and a small L2.
		let t = Math.min(1, 5 / maxStep);
		const slope = step.reduce((sum, s, j) => sum + s * grad[j], 0);
		for (let halvings = 0; halvings < 60; halvings++) {
			const trial = beta.map((b, j) => b + t * step[j]);
			// the last term lets rounding pass once the decrease is below what doubles can show
			if (objective(Z, y, trial, l2) <= before - 1e-4 * t * slope + 1e-12 * (1 + Math.abs(before))) break;
			t /= 2;
		}
		for (let j = 0; j <= d; j++) beta[j] += t * step[j];
	}
	const coefficients: Record<string, number> = {};
	const rawCoefficients: Record<string, number> = {};
	let rawIntercept = beta[0];
	features.forEach((f, j) => {
		coefficients[f] = beta[j + 1];
		rawCoefficients[f] = beta[j + 1] / scaling[j].sd;
		// mean / sd first: beta × a mean near 1e308 would overflow
		rawIntercept -= beta[j + 1] * (scaling[j].mean / scaling[j].sd);
	});
	return { kind: 'logisticRegression', version: 1, features: [...features], scaling, intercept: beta[0], coefficients, rawIntercept, rawCoefficients, l2, iterations, converged };
}

/** The penalized negative log-likelihood that the fit minimises (intercept not penalized). */
function objective(Z: number[][], y: boolean[], beta: number[], l2: number): number {
	let f = 0;
	for (let i = 0; i < Z.length; i++) {
		let eta = 0;
		for (let j = 0; j < beta.length; j++) eta += beta[j] * Z[i][j];
		f += logLoss(eta, y[i]);
	}
	for (let j = 1; j < beta.length; j++) f += (l2 / 2) * beta[j] ** 2;
	return f;
}

/** -log P(y | eta) = log(1 + e^eta) - y·eta, without overflow. */
function logLoss(eta: number, y: boolean): number {
	return Math.max(eta, 0) + Math.log1p(Math.exp(-Math.abs(eta))) - (y ? eta : 0);
}

export function sigmoid(t: number): number {
	return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}

type Scorer = Pick<LogisticModel, 'features' | 'scaling' | 'intercept' | 'coefficients'>;

/**
 * Feature j's term in the score: coefficient × standardized value. A feature with coefficient 0
 * (a constant one in training) adds 0 whatever its new value, also one too far to standardize
 * (0 × Infinity was NaN).
 */
export function scoreTerm(model: Scorer, j: number, value: number): number {
	const c = model.coefficients[model.features[j]];
	return c === 0 ? 0 : c * standardize(value, model.scaling[j]);
}

export function predictProbability(model: Scorer, row: number[]): number {
	let eta = model.intercept;
	model.features.forEach((_, j) => {
		eta += scoreTerm(model, j, row[j]);
	});
	return sigmoid(eta);
}

/** Gaussian elimination with partial pivoting (small symmetric positive definite systems). */
function solve(A: number[][], b: number[]): number[] {
	const n = b.length;
	const M = A.map((row, i) => [...row, b[i]]);
	for (let c = 0; c < n; c++) {
		let p = c;
		for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
		[M[c], M[p]] = [M[p], M[c]];
		const pivot = M[c][c];
		if (Math.abs(pivot) < 1e-300) continue;
		for (let r = c + 1; r < n; r++) {
			const factor = M[r][c] / pivot;
			if (factor === 0) continue;
			for (let k = c; k <= n; k++) M[r][k] -= factor * M[c][k];
		}
	}
	const x = new Array<number>(n).fill(0);
	for (let r = n - 1; r >= 0; r--) {
		let s = M[r][n];
		for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
		x[r] = Math.abs(M[r][r]) < 1e-300 ? 0 : s / M[r][r];
	}
	return x;
}

/** Deterministic PRNG (mulberry32). */
export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * Stratified fold assignment, shuffled by the seed: each class is shuffled, then the positives
 * and after them the negatives are dealt to folds 0, 1, ..., k-1, 0, ... in one rotation, so the
 * negatives start at the fold after the last positive. Per class and in total, fold sizes differ
 * by at most 1 (as scikit-learn's StratifiedKFold), and n >= k rows leave no fold empty. Dealing
 * each class from fold 0 (as before) gave the first folds one extra row of each class: sizes
 * 2, 2, 1, 0, 0 for 2 positives and 3 negatives in 5 folds.
 */
export function assignFolds(y: boolean[], k: number, seed: number): number[] {
	const random = mulberry32(seed);
	const folds = new Array<number>(y.length);
	let next = 0;
	for (const cls of [true, false]) {
		const idx = y.map((v, i) => (v === cls ? i : -1)).filter((i) => i >= 0);
		for (let i = idx.length - 1; i > 0; i--) {
			const j = Math.floor(random() * (i + 1));
			[idx[i], idx[j]] = [idx[j], idx[i]];
		}
		for (const row of idx) {
			folds[row] = next;
			next = (next + 1) % k;
		}
	}
	return folds;
}

export interface CrossValidation {
	folds: number;
	seed: number;
	/** Metrics on the pooled out-of-fold predictions. */
	auc: number | null;
	atThreshold: ThresholdMetrics;
	topDecileLift: number | null;
	/** Mean log loss and Brier score of the pooled out-of-fold probabilities (calibration). */
	logLoss: number | null;
	brier: number | null;
	/** AUC per fold (null for a fold without both classes). */
	foldAuc: Array<number | null>;
	/** How many of the k fold fits stopped at the iteration limit without converging. */
	foldsNotConverged: number;
}

export function crossValidate(X: number[][], y: boolean[], features: string[], options: FitOptions & { folds: number; seed: number; threshold: number }): CrossValidation {
	const k = options.folds;
	const fold = assignFolds(y, k, options.seed);
	const oof = new Array<number>(y.length).fill(0);
	const foldAuc: Array<number | null> = [];
	let foldsNotConverged = 0;
	for (let f = 0; f < k; f++) {
		const trainX: number[][] = [];
		const trainY: boolean[] = [];
		const test: number[] = [];
		fold.forEach((g, i) => {
			if (g === f) test.push(i);
			else {
				trainX.push(X[i]);
				trainY.push(y[i]);
			}
		});
		const model = fitLogistic(trainX, trainY, features, options);
		if (!model.converged) foldsNotConverged++;
		for (const i of test) oof[i] = predictProbability(model, X[i]);
		foldAuc.push(auc(test.map((i) => oof[i]), test.map((i) => y[i])));
	}
	return {
		folds: k,
		seed: options.seed,
		auc: auc(oof, y),
		atThreshold: thresholdMetrics(oof, y, options.threshold),
		topDecileLift: topDecileLift(oof, y),
		...calibration(oof, y),
		foldAuc,
		foldsNotConverged,
	};
}
