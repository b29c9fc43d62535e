import { assignFolds, crossValidate, fitLogistic, mulberry32, predictProbability, sigmoid } from '../../../nodes/engines/segments/logistic';
import { topDecileLift } from '../../../nodes/engines/segments/metrics';
import { pairwiseAuc } from '../../harness/pairwise-auc';

/**
 * Independent reference: plain IRLS (Newton) on the given design, written out here. `penalized`
 * lists the columns that carry the L2 penalty (λ/2 Σ β_j² over them). No line search: use it on
 * data that is not separable, where Newton from 0 converges.
 */
function irls(design: number[][], y: boolean[], l2 = 0, penalized: number[] = []): number[] {
	const m = design[0].length;
	let beta = new Array<number>(m).fill(0);
	for (let iteration = 0; iteration < 50; iteration++) {
		const g = new Array<number>(m).fill(0);
		const H = Array.from({ length: m }, () => new Array<number>(m).fill(0));
		design.forEach((x, i) => {
			const p = sigmoid(x.reduce((s, v, j) => s + v * beta[j], 0));
			for (let j = 0; j < m; j++) {
				g[j] += ((y[i] ? 1 : 0) - p) * x[j];
				for (let k = 0; k < m; k++) H[j][k] += p * (1 - p) * x[j] * x[k];
			}
		});
		for (const j of penalized) {
			g[j] -= l2 * beta[j];
			H[j][j] += l2;
		}
		// Gauss-Jordan on [H | g]
		const A = H.map((row, i) => [...row, g[i]]);
		for (let c = 0; c < m; c++) {
			const pivot = A[c][c];
			for (let k = c; k <= m; k++) A[c][k] /= pivot;
			for (let r = 0; r < m; r++) {
				if (r === c) continue;
				const f = A[r][c];
				for (let k = c; k <= m; k++) A[r][k] -= f * A[c][k];
			}
		}
		beta = beta.map((b, j) => b + A[j][m]);
	}
	return beta;
}

describe('logistic regression against published and independent fits', () => {
	// Montgomery & Runger, Applied Statistics and Probability for Engineers, S11-9: launch
	// temperature (°F) and O-ring failure of the 24 shuttle launches before Challenger.
	// Minitab there: Constant 10.875, Temperature -0.17132; R glm(Failure ~ Temp, binomial) on the
	// same data (www.math.mun.ca/~sneddon/st4590/logistic.reg): 10.87535, -0.17132.
	const temp = [53, 56, 57, 63, 66, 67, 67, 67, 68, 69, 70, 70, 70, 70, 72, 73, 75, 75, 76, 76, 78, 79, 80, 81];
	const failure = 'yyynnnnnnnnyyynnnynnnnnn'.split('').map((c) => c === 'y');

	it('L2 = 0 reproduces the published maximum-likelihood fit of the Challenger O-ring data', () => {
		const model = fitLogistic(
			temp.map((t) => [t]),
			failure,
			['temperature'],
			{ l2: 0 },
		);
		expect(model.converged).toBe(true);
		expect(model.rawIntercept).toBeCloseTo(10.87535, 4);
		expect(model.rawCoefficients.temperature).toBeCloseTo(-0.17132, 5);
	});

	it('L2 = 0 with three features matches a hand-written IRLS on the raw features', () => {
		const rnd = mulberry32(5);
		const X = Array.from({ length: 300 }, () => [rnd() * 365, Math.floor(rnd() * 12), rnd() < 0.4 ? 1 : 0]);
		const y = X.map(([r, f, app]) => rnd() < sigmoid(1 - 0.01 * r + 0.2 * f + 0.8 * app));
		const reference = irls(
			X.map((row) => [1, ...row]),
			y,
		);
		const model = fitLogistic(X, y, ['recency', 'frequency', 'app'], { l2: 0 });
		expect(model.rawIntercept).toBeCloseTo(reference[0], 8);
		expect(model.rawCoefficients.recency).toBeCloseTo(reference[1], 10);
		expect(model.rawCoefficients.frequency).toBeCloseTo(reference[2], 9);
		expect(model.rawCoefficients.app).toBeCloseTo(reference[3], 8);
	});

	it('L2 > 0 is the penalty on the standardized coefficients only, not on the intercept', () => {
		const rnd = mulberry32(9);
		const X = Array.from({ length: 120 }, () => [rnd() * 50, rnd() * 3]);
		const y = X.map(([a, b]) => rnd() < sigmoid(-3 + 0.05 * a + 0.5 * b));
		const mean = [0, 1].map((j) => X.reduce((s, r) => s + r[j], 0) / X.length);
		const sd = [0, 1].map((j) => Math.sqrt(X.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / X.length));
		const Z = X.map((r) => [1, (r[0] - mean[0]) / sd[0], (r[1] - mean[1]) / sd[1]]);
		const reference = irls(Z, y, 5, [1, 2]);
		const model = fitLogistic(X, y, ['a', 'b'], { l2: 5 });
		expect(model.intercept).toBeCloseTo(reference[0], 9);
		expect(model.coefficients.a).toBeCloseTo(reference[1], 9);
		expect(model.coefficients.b).toBeCloseTo(reference[2], 9);
		// and penalizing the intercept too would give another intercept (the test can tell them apart)
		expect(Math.abs(irls(Z, y, 5, [0, 1, 2])[0] - reference[0])).toBeGreaterThan(0.1);
	});

	it('a small L2 on separable data with an outlier converges to the penalized optimum', () => {
		// Only the customer with x = 1 is positive; x = 100 is a whale. With λ = 0.001 the penalized
		// likelihood has one finite minimum, where the score equations hold: Σ(y - p) = 0 (intercept
		// not penalized) and Σ(y - p)·z = λβ (z the standardized x). The former fit clipped each
		// Newton step coefficient by coefficient, cycled, and stopped after 100 steps elsewhere.
		const X = [[1], [2], [3], [4], [100]];
		const y = [true, false, false, false, false];
		const model = fitLogistic(X, y, ['x'], { l2: 0.001 });
		expect(model.converged).toBe(true);
		const mean = 22;
		const sd = Math.sqrt([1, 2, 3, 4, 100].reduce((s, v) => s + (v - mean) ** 2, 0) / 5);
		const resid = X.map((row, i) => (y[i] ? 1 : 0) - predictProbability(model, row));
		expect(resid.reduce((s, r) => s + r, 0)).toBeCloseTo(0, 9);
		expect(resid.reduce((s, r, i) => s + (r * (X[i][0] - mean)) / sd, 0)).toBeCloseTo(0.001 * model.coefficients.x, 9);
	});
});

describe('cross-validation without leakage', () => {
	/** Out-of-fold probabilities, each fold standardized and fitted (hand IRLS) on `scaleRows(train)`. */
	function outOfFold(X: number[][], y: boolean[], fold: number[], k: number, l2: number, scaleOnAll: boolean): number[] {
		const oof = new Array<number>(X.length);
		for (let f = 0; f < k; f++) {
			const train = X.map((_, i) => i).filter((i) => fold[i] !== f);
			const basis = scaleOnAll ? X.map((_, i) => i) : train;
			const mean = X[0].map((_, j) => basis.reduce((s, i) => s + X[i][j], 0) / basis.length);
			const sd = X[0].map((_, j) => Math.sqrt(basis.reduce((s, i) => s + (X[i][j] - mean[j]) ** 2, 0) / basis.length));
			const z = (row: number[]): number[] => [1, ...row.map((v, j) => (v - mean[j]) / sd[j])];
			const beta = irls(
				train.map((i) => z(X[i])),
				train.map((i) => y[i]),
				l2,
				X[0].map((_, j) => j + 1),
			);
			X.forEach((row, i) => {
				if (fold[i] === f) oof[i] = sigmoid(z(row).reduce((s, v, j) => s + v * beta[j], 0));
			});
		}
		return oof;
	}

	it('pooled AUC equals an independent computation that scales on the training folds only', () => {
		const rnd = mulberry32(21);
		// a heavy-tailed spend feature: one fold's mean and sd differ from the whole data's
		const X = Array.from({ length: 90 }, () => [Math.exp(rnd() * 6), rnd() * 10]);
		const y = X.map(([spend, visits]) => rnd() < sigmoid(-1 + 0.004 * spend + 0.1 * visits));
		const fold = assignFolds(y, 3, 7);
		const cv = crossValidate(X, y, ['spend', 'visits'], { folds: 3, seed: 7, threshold: 0.5, l2: 3 });
		const honest = pairwiseAuc(outOfFold(X, y, fold, 3, 3, false), y);
		const leaky = pairwiseAuc(outOfFold(X, y, fold, 3, 3, true), y);
		expect(cv.auc).toBeCloseTo(honest, 10);
		expect(Math.abs(leaky - honest)).toBeGreaterThan(1e-6); // the test can tell the two apart
	});
});

describe('top-decile lift with tied scores', () => {
	it('does not depend on the order of the input rows (ties at the cut count at their group rate)', () => {
		// 20 customers, top decile = 2. One negative scores 0.9; the other 19 tie at 0.5 and 5 of
		// them are positive. The second place is one of the 19 tied: expected 5/19 of a positive.
		// Lift = ((0 + 5/19) / 2) / (5 / 20) = 10/19.
		const scores = [0.9, ...new Array<number>(19).fill(0.5)];
		const positivesFirst = [false, ...Array.from({ length: 19 }, (_, i) => i < 5)];
		const positivesLast = [false, ...Array.from({ length: 19 }, (_, i) => i >= 14)];
		expect(topDecileLift(scores, positivesFirst)).toBeCloseTo(10 / 19, 12);
		expect(topDecileLift(scores, positivesLast)).toBeCloseTo(10 / 19, 12);
	});

	it('a score that says nothing (all equal) has lift 1, whatever the row order', () => {
		const sorted = Array.from({ length: 30 }, (_, i) => i < 6);
		expect(topDecileLift(new Array<number>(30).fill(0.2), sorted)).toBeCloseTo(1, 12);
	});
});
