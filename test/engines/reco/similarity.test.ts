import { logLikelihoodRatio, similarity } from '../../../nodes/engines/reco/similarity';

describe('log-likelihood ratio', () => {
	// Reference values from Apache Mahout's LogLikelihoodTest.testLogLikelihood
	// (mahout-math, org.apache.mahout.math.stats.LogLikelihoodTest), also used by
	// Apache Commons Math's GTestTest.testRootLogLikelihood.
	it.each([
		[1, 0, 0, 1, 2.772589, 1e-6],
		[10, 0, 0, 10, 27.72589, 1e-5],
		[5, 1995, 0, 100000, 39.33052, 1e-5],
		[1000, 1995, 1000, 100000, 4730.737, 1e-3],
		[1000, 1000, 1000, 100000, 5734.343, 1e-3],
		[1000, 1000, 1000, 99000, 5714.932, 1e-3],
	])('G²(%d, %d, %d, %d) = %d', (k11, k12, k21, k22, expected, tolerance) => {
		expect(Math.abs(logLikelihoodRatio(k11, k12, k21, k22) - expected)).toBeLessThan(tolerance);
	});

	it('is 0 for an independent table and for negative association in the similarity', () => {
		expect(logLikelihoodRatio(10, 10, 10, 10)).toBeCloseTo(0, 10);
		// 10 customers, a and b each bought by 5, never together: negative association → 0
		expect(similarity('llr', 0, 5, 5, 5, 5, 10)).toBe(0);
		// together 1 of 5 while b is bought by 5 of 10 (expected 2.5): below expectation → 0
		expect(similarity('llr', 1, 5, 5, 5, 5, 10)).toBe(0);
	});

	it('maps G² to 1 - 1/(1 + G²) like Mahout LogLikelihoodSimilarity', () => {
		// co = 2 of N = 4; na = nb = 2: table (2, 0, 0, 2) → G² = 4·2·ln 2 = 5.545177
		const g2 = 8 * Math.LN2;
		expect(similarity('llr', 2, 2, 2, 2, 2, 4)).toBeCloseTo(1 - 1 / (1 + g2), 9);
	});
});

describe('cosine and Jaccard', () => {
	it('computes the textbook forms on binary vectors', () => {
		// a bought by 3 customers, b by 3, 2 in common: cosine 2/sqrt(9), Jaccard 2/(3+3-2)
		expect(similarity('cosine', 2, 3, 3, 3, 3, 10)).toBeCloseTo(2 / 3, 12);
		expect(similarity('jaccard', 2, 3, 3, 3, 3, 10)).toBeCloseTo(0.5, 12);
		expect(similarity('cosine', 0, 3, 3, 3, 3, 10)).toBe(0);
	});
});
