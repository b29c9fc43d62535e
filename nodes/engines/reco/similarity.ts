/**
 * Similarity of two products from their co-occurrence over customers.
 *
 * Notation (per pair of products a, b, over N customers):
 *   co  = customers who have both (Σ w_a·w_b with time-decay weights w in (0, 1])
 *   na  = customers who have a (Σ w_a), nb likewise
 *   sa2 = Σ w_a² (equals na without decay), sb2 likewise
 *
 * - llr: Dunning's log-likelihood ratio G² of the 2x2 contingency table
 *   (T. Dunning, "Accurate Methods for the Statistics of Surprise and Coincidence",
 *   Computational Linguistics 19(1), 1993), in the entropy form used by Apache Mahout's
 *   `LogLikelihood.logLikelihoodRatio`, mapped to (0, 1) as Mahout's
 *   `LogLikelihoodSimilarity` does: 1 - 1/(1 + G²). Pairs that co-occur less often than
 *   independence predicts score 0.
 * - cosine: co / sqrt(sa2 · sb2).
 * - jaccard: co / (na + nb - co).
 */
import type { SimilarityKind } from './types';

function xLogX(x: number): number {
	return x <= 0 ? 0 : x * Math.log(x);
}

/** Unnormalized Shannon entropy of counts, as Mahout's `LogLikelihood.entropy`. */
function entropy(a: number, b: number, c = 0, d = 0): number {
	return xLogX(a + b + c + d) - xLogX(a) - xLogX(b) - xLogX(c) - xLogX(d);
}

/**
 * G² = 2·(H(rows) + H(cols) - H(matrix)) for the table
 *   k11 = both, k12 = a without b, k21 = b without a, k22 = neither.
 */
export function logLikelihoodRatio(k11: number, k12: number, k21: number, k22: number): number {
	const rowEntropy = entropy(k11 + k12, k21 + k22);
	const columnEntropy = entropy(k11 + k21, k12 + k22);
	const matrixEntropy = entropy(k11, k12, k21, k22);
	// Round-off can make tiny negative values when the table is independent.
	return Math.max(0, 2 * (rowEntropy + columnEntropy - matrixEntropy));
}

export function similarity(
	kind: SimilarityKind,
	co: number,
	na: number,
	nb: number,
	sa2: number,
	sb2: number,
	customers: number,
): number {
	if (co <= 0) return 0;
	switch (kind) {
		case 'cosine':
			return co / Math.sqrt(sa2 * sb2);
		case 'jaccard':
			return co / (na + nb - co);
		case 'llr': {
			const k11 = co;
			const k12 = Math.max(0, na - co);
			const k21 = Math.max(0, nb - co);
			const k22 = Math.max(0, customers - na - nb + co);
			// Only positive association: P(b | a) must exceed P(b | not a).
			if (k11 * (k21 + k22) <= k21 * (k11 + k12)) return 0;
			const g2 = logLikelihoodRatio(k11, k12, k21, k22);
			return 1 - 1 / (1 + g2);
		}
	}
}
