/**
 * Customer Segments → Lifetime Value when the Gamma-Gamma fit has no maximum: a subscription store
 * where every repeat buyer's average order is the same 29.99. Fader & Hardie (2013), "The
 * Gamma-Gamma Model of Monetary Value", eq. 3: z̄ | x ~ Gamma(p·x, ν·x), ν ~ Gamma(q, γ). When every
 * observed z̄ equals one value c, the likelihood grows without bound as the model puts all its mass
 * on c (p, q → ∞ with p·γ/(q − 1) → c): there is no maximum-likelihood estimate, and the limit model
 * gives every customer an expected spend of c.
 *
 * Before, the model item said `gammaGamma.converged: true` (p ≈ 2e14, q ≈ 4e12) with no warning,
 * no boundary and no hint: nothing told the marketer the fit was degenerate. (lifetimes raises a
 * ConvergenceError for a fit that did not converge.)
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';
import { SMALL_STORE } from '../engines/segments/small-store';

const NAME = 'Customer Segments';
const input: INodeExecutionData[] = SMALL_STORE.map((c, i) => ({
	json: { customer_id: `c${i}`, ...c, monetary_value: c.frequency > 0 ? 29.99 : 0 } as IDataObject,
}));
const run = () =>
	runWorkflow(
		{ nodes: [node(NAME, 'customerSegments', { operation: 'lifetimeValue', clvInput: 'customers', timeUnit: 'weeks', clvOutput: 'both' } as never)], connections: {} },
		{ input },
	);

describe('Lifetime Value: a Gamma-Gamma fit at a boundary says so', () => {
	it('the model item has gammaGamma.converged false, the boundary, and a warning', async () => {
		const result = await run();
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => i.json);
		const model = out.find((j) => j.type === 'clvModel')!;
		const gg = model.gammaGamma as IDataObject;
		expect(gg.converged).toBe(false);
		// the direction named depends on where rounding stops the simplex (p → ∞, or p, q → ∞): both are the limit
		expect(gg.boundary).toEqual([expect.stringMatching(/^p(, q)? → ∞$/)]);
		const warnings = model.warnings as string[];
		const ggWarning = warnings.find((w) => w.startsWith('Gamma-Gamma fit ran to a boundary of its parameters'));
		expect(ggWarning).toBeDefined();
		expect(ggWarning).toContain(`toward ${(gg.boundary as string[])[0]}`);
		expect(ggWarning).toContain('check them against the observed average order value');
	});

	it('every customer is still scored, with the limit spend c = 29.99, paired with its item', async () => {
		const out = (await run()).items(NAME);
		const customers = out.filter((i) => i.json.type !== 'clvModel');
		expect(customers).toHaveLength(SMALL_STORE.length);
		customers.forEach((item, i) => {
			expect(item.pairedItem).toEqual([{ item: i }]);
			expect(item.json.expected_average_spend as number).toBeCloseTo(29.99, 1);
		});
	});
});
