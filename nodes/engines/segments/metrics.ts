/** Classification metrics for scored customers. */

/**
 * ROC AUC as the Mann-Whitney statistic with average ranks for ties: the probability that a random
 * positive scores above a random negative, counting score ties as one half. NaN-free: returns null
 * when there are no positives or no negatives.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<boolean | number>): number | null {
	const n = scores.length;
	const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
	let positives = 0;
	let rankSumPositives = 0;
	let i = 0;
	while (i < n) {
		let j = i;
		while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
		const averageRank = (i + j) / 2 + 1; // ranks are 1-based
		for (let k = i; k <= j; k++) {
			if (labels[order[k]]) {
				positives++;
				rankSumPositives += averageRank;
			}
		}
		i = j + 1;
	}
	const negatives = n - positives;
	if (positives === 0 || negatives === 0) return null;
	return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface ConfusionMatrix {
	truePositive: number;
	falsePositive: number;
	trueNegative: number;
	falseNegative: number;
}

export interface ThresholdMetrics {
	threshold: number;
	confusion: ConfusionMatrix;
	accuracy: number;
	/** null when nothing was predicted positive. */
	precision: number | null;
	/** null when there are no positives. */
	recall: number | null;
	/** null when precision or recall is undefined or both are 0. */
	f1: number | null;
}

/** Predicted positive when probability >= threshold. */
export function thresholdMetrics(probabilities: ArrayLike<number>, labels: ArrayLike<boolean | number>, threshold: number): ThresholdMetrics {
	const c: ConfusionMatrix = { truePositive: 0, falsePositive: 0, trueNegative: 0, falseNegative: 0 };
	for (let i = 0; i < probabilities.length; i++) {
		const predicted = probabilities[i] >= threshold;
		const actual = Boolean(labels[i]);
		if (predicted && actual) c.truePositive++;
		else if (predicted) c.falsePositive++;
		else if (actual) c.falseNegative++;
		else c.trueNegative++;
	}
	const n = probabilities.length;
	const precision = c.truePositive + c.falsePositive > 0 ? c.truePositive / (c.truePositive + c.falsePositive) : null;
	const recall = c.truePositive + c.falseNegative > 0 ? c.truePositive / (c.truePositive + c.falseNegative) : null;
	const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null;
	return { threshold, confusion: c, accuracy: n > 0 ? (c.truePositive + c.trueNegative) / n : 0, precision, recall, f1 };
}

/**
 * Lift in the top decile: the positive rate among the ceil(n/10) highest-scored customers divided
 * by the overall positive rate. Ties at the cut are broken by input order (stable sort).
 * null when there are no positives.
 */
export function topDecileLift(scores: ArrayLike<number>, labels: ArrayLike<boolean | number>): number | null {
	const n = scores.length;
	if (n === 0) return null;
	let positives = 0;
	for (let i = 0; i < n; i++) if (labels[i]) positives++;
	if (positives === 0) return null;
	const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
	const top = Math.ceil(n / 10);
	let topPositives = 0;
	for (let k = 0; k < top; k++) if (labels[order[k]]) topPositives++;
	return topPositives / top / (positives / n);
}
