/**
 * A BG/NBD fit that runs to a boundary of the parameter space is reported, not hidden behind
 * `converged: true`. On small stores the likelihood often keeps rising as a, b → ∞ with a/(a+b)
 * fixed (the dropout probability the same for every customer): the simplex stops somewhere on that
 * plateau (here a ≈ 3e5, b ≈ 1e7) and the optimizer reports convergence.
 */
import { BOUNDARY_FLATNESS, bgnbdLogLikelihood, fitBgNbd } from '../../../nodes/engines/segments/bgnbd';
import { CALIBRATION_END_DAY, loadCdnow } from './cdnow';
import { SMALL_STORE } from './small-store';

describe('BG/NBD fit at a boundary', () => {
	it('the small store: a, b → ∞, reported, and not converged', () => {
		const fit = fitBgNbd(SMALL_STORE);
		expect(fit.boundary).toEqual(['a, b → ∞']);
		expect(fit.converged).toBe(false);
		// the premise, checked on the likelihood itself: 10-fold and 1000-fold larger a and b (same
		// a/(a+b)) lose less than BOUNDARY_FLATNESS, while 10-fold a alone loses nats
		const { params, logLikelihood } = fit;
		for (const k of [10, 1000]) {
			expect(bgnbdLogLikelihood({ ...params, a: params.a * k, b: params.b * k }, SMALL_STORE)).toBeGreaterThan(logLikelihood - BOUNDARY_FLATNESS);
		}
		expect(bgnbdLogLikelihood({ ...params, a: params.a * 10 }, SMALL_STORE)).toBeLessThan(logLikelihood - 1);
		expect(params.a + params.b).toBeGreaterThan(1e4);
	});

	it('CDNOW (an interior maximum): no boundary, converged', () => {
		const fit = fitBgNbd(loadCdnow('CDNOW_sample.txt').summarize(CALIBRATION_END_DAY, 'weeks'));
		expect(fit.boundary).toEqual([]);
		expect(fit.converged).toBe(true);
	});
});
