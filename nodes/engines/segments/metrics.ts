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
 * by the overall positive rate. When the cut falls inside a group of equal scores, the places left
 * are filled from that group at its positive rate (the expected value over every order of the
 * tied customers, as AUC counts a tie as one half), so the order of the input rows cannot change
 * the lift. null when there are no positives.
 */
/**
 * Calibration of probabilities against 0/1 outcomes: mean log loss (cross-entropy, natural log;
 * probabilities clipped to [1e-15, 1 - 1e-15] so a confident miss is large but finite, as
 * scikit-learn's log_loss did) and the Brier score (mean squared error of the probability).
 * Lower is better for both; null for no rows.
 */
export function calibration(probabilities: ArrayLike<number>, labels: ArrayLike<boolean | number>): { logLoss: number | null; brier: number | null } {
	const n = probabilities.length;
	if (n === 0) return { logLoss: null, brier: null };
	let logLoss = 0;
	let brier = 0;
	for (let i = 0; i < n; i++) {
		const y = labels[i] ? 1 : 0;
		const p = Math.min(1 - 1e-15, Math.max(1e-15, probabilities[i]));
		logLoss -= y ? Math.log(p) : Math.log1p(-p);
		brier += (probabilities[i] - y) ** 2;
	}
	return { logLoss: logLoss / n, brier: brier / n };
}

export function topDecileLift(scores: ArrayLike<number>, labels: ArrayLike<boolean | number>): number | null {
	const n = scores.length;
	if (n === 0) return null;
	let positives = 0;
	for (let i = 0; i < n; i++) if (labels[i]) positives++;
	if (positives === 0) return null;
	const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
	const top = Math.ceil(n / 10);
	let topPositives = 0;
	let taken = 0;
	while (taken < top) {
		// the group of scores equal to the next one (at least that one customer)
		let end = taken + 1;
		while (end < n && scores[order[end]] === scores[order[taken]]) end++;
		let groupPositives = 0;
		for (let k = taken; k < end; k++) if (labels[order[k]]) groupPositives++;
		const size = end - taken;
		const places = Math.min(size, top - taken);
		topPositives += (groupPositives * places) / size;
		taken += places;
	}
	return topPositives / top / (positives / n);
}
