import { auc, thresholdMetrics, topDecileLift } from '../../../nodes/engines/segments/metrics';
import { assignFolds, crossValidate, fitLogistic, mulberry32, predictProbability, sigmoid } from '../../../nodes/engines/segments/logistic';
import * as ss from 'simple-statistics';
import { pairwiseAuc } from '../../harness/pairwise-auc';


describe('AUC with ties', () => {
	it('hand-computed: scores 0.1 0.4 0.35 0.8, labels 0 0 1 1 → 0.75', () => {
		expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
	});
	it('hand-computed with ties: pos {0.5, 0.5}, neg {0.5, 0.2} → (0.5+1+0.5+1)/4 = 0.75', () => {
		expect(auc([0.5, 0.5, 0.5, 0.2], [1, 1, 0, 0])).toBeCloseTo(0.75, 12);
	});
	it('all tied → 0.5; one class → null', () => {
		expect(auc([1, 1, 1, 1], [1, 0, 1, 0])).toBe(0.5);
		expect(auc([0.2, 0.3], [1, 1])).toBeNull();
	});
	it('matches the pairwise definition on random data with many ties', () => {
		const rnd = mulberry32(7);
		const scores = Array.from({ length: 300 }, () => Math.round(rnd() * 20) / 20);
		const labels = scores.map((s) => rnd() < s);
		expect(auc(scores, labels)).toBeCloseTo(pairwiseAuc(scores, labels), 12);
	});
});

describe('threshold metrics and lift', () => {
	it('confusion matrix, precision, recall, F1 by hand', () => {
		// p>=0.5 predicted: [T, T, F, T, F]; actual [1, 0, 1, 1, 0] → TP 2, FP 1, FN 1, TN 1
		const m = thresholdMetrics([0.9, 0.6, 0.4, 0.5, 0.1], [1, 0, 1, 1, 0], 0.5);
		expect(m.confusion).toEqual({ truePositive: 2, falsePositive: 1, trueNegative: 1, falseNegative: 1 });
		expect(m.precision).toBeCloseTo(2 / 3, 12);
		expect(m.recall).toBeCloseTo(2 / 3, 12);
		expect(m.f1).toBeCloseTo(2 / 3, 12);
		expect(m.accuracy).toBeCloseTo(3 / 5, 12);
		const none = thresholdMetrics([0.1, 0.2], [1, 0], 0.9);
		expect(none.precision).toBeNull();
		expect(none.f1).toBeNull();
	});
	it('top-decile lift: 20 customers, top 2 both positive, 5 positives overall → (2/2)/(5/20) = 4', () => {
		const scores = Array.from({ length: 20 }, (_, i) => 20 - i);
		const labels = scores.map((_, i) => i < 2 || i === 10 || i === 15 || i === 19);
		expect(topDecileLift(scores, labels)).toBeCloseTo(4, 12);
		expect(topDecileLift([1, 2], [0, 0])).toBeNull();
	});
});

describe('logistic regression', () => {
	it('unpenalized, one binary feature: the MLE is the log-odds per group (closed form)', () => {
		// x=0: 1 of 4 positive → logit = ln(1/3); x=1: 3 of 4 → ln 3. Slope ln 3 - ln(1/3) = ln 9.
		const X = [[0], [0], [0], [0], [1], [1], [1], [1]];
		const y = [true, false, false, false, true, true, true, false];
		const model = fitLogistic(X, y, ['x'], { l2: 0 });
		expect(model.converged).toBe(true);
		expect(model.rawIntercept).toBeCloseTo(Math.log(1 / 3), 8);
		expect(model.rawCoefficients.x).toBeCloseTo(Math.log(9), 8);
		expect(predictProbability(model, [0])).toBeCloseTo(0.25, 8);
		expect(predictProbability(model, [1])).toBeCloseTo(0.75, 8);
	});

	it('a constant feature whose mean is not exact in floating point still gets sd 1 and no weight', () => {
		// Same closed form as above plus a column that is 0.1 in every row (8 × 0.1 sums to
		// 0.7999999999999999, so sum / n is not 0.1). Documented: a constant feature gets sd 1.
		const X = [[0], [0], [0], [0], [1], [1], [1], [1]].map(([x]) => [x, 0.1]);
		const y = [true, false, false, false, true, true, true, false];
		const model = fitLogistic(X, y, ['x', 'c'], { l2: 0 });
		expect(model.scaling[1]).toEqual({ feature: 'c', mean: 0.1, sd: 1 });
		expect(model.coefficients.c).toBe(0);
		expect(model.rawCoefficients.c).toBe(0);
		expect(model.rawIntercept).toBeCloseTo(Math.log(1 / 3), 8);
		expect(model.rawCoefficients.x).toBeCloseTo(Math.log(9), 8);
		// A new customer with another value of the constant feature scores as the closed form says.
		expect(predictProbability(model, [0, 0.11])).toBeCloseTo(0.25, 8);
		expect(predictProbability(model, [1, 0])).toBeCloseTo(0.75, 8);
	});

	it('penalized fit satisfies its score equations: Σ(y-p) = 0 and Σ(y-p)z_j = λβ_j', () => {
		const rnd = mulberry32(3);
		const X = Array.from({ length: 200 }, () => [rnd() * 10, rnd() * 100, rnd()]);
		const y = X.map(([a, b, c]) => rnd() < sigmoid(0.3 * a - 0.02 * b + 2 * c - 1));
		const model = fitLogistic(X, y, ['a', 'b', 'c'], { l2: 2 });
		const p = X.map((row) => predictProbability(model, row));
		const resid = p.map((pi, i) => (y[i] ? 1 : 0) - pi);
		expect(ss.sum(resid)).toBeCloseTo(0, 8);
		model.features.forEach((f, j) => {
			// standardized with the population sd, as simple-statistics' standardDeviation computes it
			const col = X.map((r) => r[j]);
			expect(model.scaling[j].sd).toBeCloseTo(ss.standardDeviation(col), 10);
			expect(model.scaling[j].mean).toBeCloseTo(ss.mean(col), 10);
			const z = col.map((v) => (v - ss.mean(col)) / ss.standardDeviation(col));
			expect(ss.sum(resid.map((r, i) => r * z[i]))).toBeCloseTo(2 * model.coefficients[f], 8);
		});
		expect(model.rawCoefficients.a).toBeGreaterThan(0);
		expect(model.rawCoefficients.b).toBeLessThan(0);
	});

	it('perfectly separable data does not blow up (the penalty keeps coefficients finite)', () => {
		const model = fitLogistic([[1], [2], [3], [4]], [false, false, true, true], ['x'], { l2: 0.1 });
		expect(Number.isFinite(model.coefficients.x)).toBe(true);
		expect(predictProbability(model, [4])).toBeGreaterThan(0.9);
	});

	it('all-equal target: probability equals the base rate, no NaN', () => {
		const model = fitLogistic([[1], [2], [3]], [true, true, true], ['x'], { l2: 1 });
		for (const v of [1, 2, 3]) expect(Number.isNaN(predictProbability(model, [v]))).toBe(false);
	});

	it('k-fold CV is deterministic for a seed, stratified, and scores a real signal well', () => {
		const rnd = mulberry32(11);
		const X = Array.from({ length: 500 }, () => [rnd() * 4 - 2, rnd()]);
		const y = X.map(([a]) => rnd() < sigmoid(3 * a));
		const folds = assignFolds(y, 5, 42);
		const positives = [0, 1, 2, 3, 4].map((f) => y.filter((v, i) => v && folds[i] === f).length);
		expect(Math.max(...positives) - Math.min(...positives)).toBeLessThanOrEqual(1);
		const a = crossValidate(X, y, ['a', 'noise'], { folds: 5, seed: 42, threshold: 0.5, l2: 1 });
		const b = crossValidate(X, y, ['a', 'noise'], { folds: 5, seed: 42, threshold: 0.5, l2: 1 });
		expect(a).toEqual(b);
		expect(a.auc).toBeGreaterThan(0.8);
		expect(a.foldAuc).toHaveLength(5);
		const c = a.atThreshold.confusion;
		expect(c.truePositive + c.falsePositive + c.trueNegative + c.falseNegative).toBe(500);
	});
});
