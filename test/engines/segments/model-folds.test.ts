import { assignFolds, crossValidate } from '../../../nodes/engines/segments/logistic';

/** Rows per fold, and positives per fold. */
function census(y: boolean[], folds: number[], k: number): { sizes: number[]; positives: number[] } {
	const sizes = new Array<number>(k).fill(0);
	const positives = new Array<number>(k).fill(0);
	folds.forEach((f, i) => {
		sizes[f]++;
		if (y[i]) positives[f]++;
	});
	return { sizes, positives };
}

const labels = (positives: number, negatives: number): boolean[] => [...new Array<boolean>(positives).fill(true), ...new Array<boolean>(negatives).fill(false)];

describe('stratified folds: sizes as even as the classes allow', () => {
	it('2 positives and 3 negatives in 5 folds: one customer per fold, none empty', () => {
		// Each fold can hold one of the 5 rows; the former assignment dealt both classes from fold 0
		// and gave sizes 2, 2, 1, 0, 0 (two test folds without a row).
		const y = labels(2, 3);
		for (const seed of [1, 42, 99]) {
			expect(census(y, assignFolds(y, 5, seed), 5).sizes).toEqual([1, 1, 1, 1, 1]);
		}
	});

	it('7 positives and 93 negatives in 10 folds: 10 rows per fold, at most 1 positive', () => {
		// 100 rows / 10 folds = 10 each (scikit-learn's StratifiedKFold gives the same); the former
		// assignment gave 11, 11, 11, 10, 10, 10, 10, 9, 9, 9.
		const y = labels(7, 93);
		const { sizes, positives } = census(y, assignFolds(y, 10, 42), 10);
		expect(sizes).toEqual(new Array<number>(10).fill(10));
		expect(positives.filter((p) => p === 1)).toHaveLength(7);
		expect(Math.max(...positives)).toBe(1);
	});

	it('per class and in total, fold sizes differ by at most 1 (random class sizes)', () => {
		for (let positives = 2; positives < 30; positives += 3) {
			for (let negatives = 2; negatives < 40; negatives += 7) {
				for (const k of [2, 3, 5, 7, 10]) {
					const y = labels(positives, negatives);
					const c = census(y, assignFolds(y, k, positives * 100 + negatives), k);
					const negativesPerFold = c.sizes.map((s, f) => s - c.positives[f]);
					expect(Math.max(...c.sizes) - Math.min(...c.sizes)).toBeLessThanOrEqual(1);
					expect(Math.max(...c.positives) - Math.min(...c.positives)).toBeLessThanOrEqual(1);
					expect(Math.max(...negativesPerFold) - Math.min(...negativesPerFold)).toBeLessThanOrEqual(1);
				}
			}
		}
	});

	it('cross-validation of 5 rows in 5 folds has a test row in every fold', () => {
		// every fold tests exactly one customer, so no fold has a both-class AUC (null each)
		const cv = crossValidate([[1], [2], [3], [4], [5]], [true, false, true, false, false], ['x'], { folds: 5, seed: 42, threshold: 0.5, l2: 1 });
		expect(cv.foldAuc).toEqual([null, null, null, null, null]);
		const c = cv.atThreshold.confusion;
		expect(c.truePositive + c.falsePositive + c.trueNegative + c.falseNegative).toBe(5);
	});
});
