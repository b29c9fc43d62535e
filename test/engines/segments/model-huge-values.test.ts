/**
 * Feature scaling with huge finite values. Before, the mean and the squared deviations were summed
 * on the raw values: 1e300 gave an sd of Infinity (the feature silently standardized to 0, its
 * coefficient 0) and values near 1e308 a mean of Infinity and a model of NaN.
 *
 * Closed form used below: with one binary feature and no penalty the maximum-likelihood fit
 * reproduces each group's share of positives. Here 2 of the 6 customers with x = low and 4 of the
 * 6 with x = high are positive, so p(low) = 1/3, p(high) = 2/3, logit(1/3) = −ln 2,
 * logit(2/3) = ln 2: raw slope 2 ln 2 / (high − low), raw intercept −ln 2 − slope · low.
 */
import { collinearFeatures, constantFeatures, featureScaling, fitLogistic, mulberry32, predictProbability, sigmoid } from '../../../nodes/engines/segments/logistic';

const y = [true, true, false, false, false, false, true, true, true, true, false, false];
const binary = (low: number, high: number): number[][] => y.map((_, i) => [i < 6 ? low : high]);
const LN2 = Math.log(2);
const rel = (a: number, b: number) => Math.abs(a / b - 1);

describe('featureScaling with huge values', () => {
	it('mean and population sd of values near 1e308 (hand-computed)', () => {
		// 1e308 and 1.6e308: mean 1.3e308, deviations ±0.3e308, sd 0.3e308
		const [s] = featureScaling([[1e308], [1.6e308]], ['x']);
		expect(rel(s.mean, 1.3e308)).toBeLessThan(1e-14);
		expect(rel(s.sd, 0.3e308)).toBeLessThan(1e-14);
		// ±1e308: mean 0, sd 1e308 (the difference of two values, 2e308, is beyond the largest double)
		const [t] = featureScaling([[-1e308], [1e308], [-1e308], [1e308]], ['x']);
		expect(t.mean).toBe(0);
		expect(rel(t.sd, 1e308)).toBeLessThan(1e-14);
	});

	it('keeps the mean and sd of ordinary values (1e12 revenue in micro-units) as two-pass sums give them', () => {
		const X = [[1.5e12], [2.5e12], [4e12], [0]];
		// mean 2e12; deviations −0.5, 0.5, 2, −2 (e12): sd = sqrt((0.25 + 0.25 + 4 + 4) / 4) e12
		const [s] = featureScaling(X, ['revenue']);
		expect(s.mean).toBe(2e12);
		expect(rel(s.sd, Math.sqrt(8.5 / 4) * 1e12)).toBeLessThan(1e-15);
	});
});

describe('fitLogistic: closed form on any scale', () => {
	it.each([
		['0 and 1', 0, 1],
		['0 and 1e12', 0, 1e12],
		['0 and 1e300', 0, 1e300],
		['1e307 and 1.7e308', 1e307, 1.7e308],
		['-1e308 and 1e308', -1e308, 1e308],
	])('x in {%s}: p = 1/3 and 2/3, raw slope 2 ln 2 / (high - low)', (_, low, high) => {
		const model = fitLogistic(binary(low, high), y, ['x'], { l2: 0 });
		expect(model.converged).toBe(true);
		expect(predictProbability(model, [low])).toBeCloseTo(1 / 3, 10);
		expect(predictProbability(model, [high])).toBeCloseTo(2 / 3, 10);
		// (high - low) overflows for ±1e308: compare slope · high/2 − slope · low/2 = ln 2
		const slope = model.rawCoefficients.x;
		expect(slope * (high / 2) - slope * (low / 2)).toBeCloseTo(LN2, 9);
		expect(sigmoid(model.rawIntercept + slope * low)).toBeCloseTo(1 / 3, 9);
	});

	it('scaling a feature by 1e300 (or 1e-300) changes neither the standardized fit nor the predictions', () => {
		const rnd = mulberry32(11);
		const X = Array.from({ length: 120 }, () => [rnd() * 10, rnd() * 100 - 50]);
		const labels = X.map(([a, b]) => rnd() < sigmoid(0.4 * a - 0.03 * b - 2));
		for (const l2 of [0, 1]) {
			const base = fitLogistic(X, labels, ['a', 'b'], { l2 });
			for (const c of [1e300, 1e-300]) {
				const scaled = X.map(([a, b]) => [a * c, b]);
				const model = fitLogistic(scaled, labels, ['a', 'b'], { l2 });
				expect(model.coefficients.a).toBeCloseTo(base.coefficients.a, 9);
				expect(model.coefficients.b).toBeCloseTo(base.coefficients.b, 9);
				expect(rel(model.rawCoefficients.a * c, base.rawCoefficients.a)).toBeLessThan(1e-9);
				for (let i = 0; i < X.length; i++) expect(predictProbability(model, scaled[i])).toBeCloseTo(predictProbability(base, X[i]), 12);
			}
		}
	});

	it('a constant feature of 1e308 gets coefficient 0, and a new value -1e308 of it changes no score', () => {
		const X = binary(0, 1).map(([x]) => [x, 1e308]);
		const model = fitLogistic(X, y, ['x', 'k'], { l2: 0 });
		expect(model.scaling[1]).toEqual({ feature: 'k', mean: 1e308, sd: 1 });
		expect(model.coefficients.k).toBe(0);
		expect(predictProbability(model, [0, -1e308])).toBeCloseTo(1 / 3, 10);
		expect(predictProbability(model, [1, 5])).toBeCloseTo(2 / 3, 10);
		expect(constantFeatures(X, ['x', 'k'])).toEqual([{ feature: 'k', value: 1e308 }]);
	});
});

describe('one scaling for the collinearity check and the fit', () => {
	it('fitLogistic standardizes with the scaling it is given', () => {
		const X = binary(0, 1);
		const scaling = featureScaling(X, ['x']);
		const model = fitLogistic(X, y, ['x'], { l2: 0, scaling });
		expect(model.scaling).toBe(scaling);
		expect(model).toEqual(fitLogistic(X, y, ['x'], { l2: 0 }));
	});

	it('collinearFeatures finds a copy of a column of huge values (it saw NaN columns before)', () => {
		const a = [1, 2, 3, 4, 5, 6].map((v) => v * 2e307);
		const X = a.map((v, i) => [v, -v, i % 2]);
		expect(collinearFeatures(X, ['a', 'minus_a', 'odd'])).toEqual({ feature: 'minus_a', of: ['a'] });
	});
});
