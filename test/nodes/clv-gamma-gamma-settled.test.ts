/**
 * Customer Segments → Lifetime Value on a CDNOW sample (Fader, Hardie & Lee 2005; the 21 repeat
 * buyers of a random draw from the first 39 weeks, frequency and average repeat spend): the
 * Gamma-Gamma likelihood has an interior maximum here (p ≈ 190, q ≈ 3.9, γ ≈ 0.48; a longer
 * Nelder-Mead run, or one from another start, finds the same log-likelihood -86.10419 to 1e-6), but
 * it is so flat along p that the simplex's 1e-14 test ran out of evaluations. The model item then
 * said gammaGamma.converged false and warned "Gamma-Gamma fit did not converge … may be off" for a
 * fit that is at its maximum: a false alarm on ordinary store data.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';
import { fitGammaGamma, gammaGammaLogLikelihood } from '../../nodes/engines/segments/gammagamma';
import { nelderMead } from '../../nodes/engines/segments/optimize';

const REPEAT: Array<[number, number]> = [
	[2, 19.25], [1, 59.25], [1, 15.36], [5, 62.48], [2, 22.96], [1, 29.33], [1, 59.05], [6, 18.02], [1, 12.25], [2, 21.13], [1, 29.33],
	[3, 12.3], [2, 35.44], [1, 14.37], [2, 43.81], [1, 26.14], [2, 21.96], [1, 16.36], [3, 28.9], [5, 48.82], [1, 70.31],
];
const spend = REPEAT.map(([frequency, monetary]) => ({ frequency, monetary }));

describe('Gamma-Gamma fit at a flat interior maximum', () => {
	it('an independent longer optimisation finds no higher likelihood than the fit', () => {
		const fit = fitGammaGamma(spend);
		const f = (v: number[]) => -gammaGammaLogLikelihood({ p: Math.exp(v[0]), q: Math.exp(v[1]), gamma: Math.exp(v[2]) }, spend);
		const other = nelderMead(f, [1, 1, 1], { step: 0.5, tolerance: 1e-12, maxEvaluations: 100000, restarts: 10 });
		expect(-other.fx - fit.logLikelihood).toBeLessThan(1e-6);
		expect(fit.boundary).toEqual([]);
		expect(fit.converged).toBe(true);
	});

	it('Lifetime Value says converged and gives no "did not converge" warning or hint', async () => {
		const input: INodeExecutionData[] = [
			...REPEAT.map(([frequency, monetary], i) => ({ json: { customer_id: `r${i}`, frequency, recency: 10 + i, T: 39, monetary_value: monetary } as IDataObject })),
			...Array.from({ length: 20 }, (_, i) => ({ json: { customer_id: `o${i}`, frequency: 0, recency: 0, T: 20 + i, monetary_value: 0 } as IDataObject })),
		];
		const result = await runWorkflow(
			{ nodes: [node('Customer Segments', 'customerSegments', { operation: 'lifetimeValue', clvInput: 'customers', timeUnit: 'weeks', clvOutput: 'both' } as never)], connections: {} },
			{ input },
		);
		expect(result.error).toBeUndefined();
		const model = result.items('Customer Segments').find((i) => i.json.type === 'clvModel')!.json;
		expect((model.gammaGamma as IDataObject).converged).toBe(true);
		expect(((model.warnings as string[] | undefined) ?? []).filter((w) => w.startsWith('Gamma-Gamma'))).toEqual([]);
	});
});
