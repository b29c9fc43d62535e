/**
 * Customer Segments → Lifetime Value, Gamma-Gamma with q <= 1 and a small p: one-time buyers get
 * no expected spend (null, as before), and a repeat buyer whose p·x + q lies in (1, 2] gets a
 * number whose spend distribution has infinite variance. Fader & Hardie (2013), "The Gamma-Gamma
 * Model of Monetary Value", eq. 5: ν | x, m ~ Gamma(p·x + q, γ + x·m), and the expected spend
 * averages p/ν; Var(1/ν) = γ'²/((q' − 1)²(q' − 2)) is finite only for q' = p·x + q > 2. Such a
 * customer must say so on its own item, as it does when 1 < q <= 2.
 *
 * Data: 300 customers drawn by test/harness/gamma-gamma-draws.ts (drawSpendCustomers), with
 * a per-order spend shape of 1 instead of 4 (p ≈ 1) and q = 0.7, so that the fit lands at q <= 1
 * and p + q in (1, 2]: every customer with one repeat purchase is hit, those with two or more
 * (2p + q > 2) are not. The premises are checked on the fitted parameters.
 */
import type { IDataObject } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';
import { drawSpendCustomers } from '../harness/gamma-gamma-draws';

const NAME = 'Customer Segments';

const run = (clvOutput?: string) =>
	runWorkflow(
		{ nodes: [node(NAME, 'customerSegments', { operation: 'lifetimeValue', clvInput: 'customers', timeUnit: 'weeks', ...(clvOutput ? { clvOutput } : {}) } as never)], connections: {} },
		{ input: drawSpendCustomers(0.7, 1).map((json) => ({ json })) },
	);

describe('Lifetime Value: q <= 1 and repeat buyers with 1 < p·x + q <= 2', () => {
	it('each such repeat buyer carries a warning naming q and the count; the model item lists it after the null-spend one', async () => {
		const result = await run('both');
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => i.json);
		const model = out.find((j) => j.type === 'clvModel')!;
		const { p, q } = model.gammaGamma as { p: number; q: number };
		// the premises: q <= 1, and 1 < p + q <= 2 < 2p + q
		expect(q).toBeLessThanOrEqual(1);
		expect(p + q).toBeGreaterThan(1);
		expect(p + q).toBeLessThanOrEqual(2);
		expect(2 * p + q).toBeGreaterThan(2);
		const customers = out.filter((j) => j.type !== 'clvModel');
		const once = customers.filter((j) => j.frequency === 0);
		const oneRepeat = customers.filter((j) => j.frequency === 1);
		const more = customers.filter((j) => (j.frequency as number) >= 2);
		expect(oneRepeat.length).toBeGreaterThan(0);
		expect(more.length).toBeGreaterThan(0);
		const warning = `Gamma-Gamma fit gave q = ${q.toFixed(3)} (<= 1): the fitted spend per order has infinite variance, so expected_average_spend and clv are unstable for ${oneRepeat.length} of 300 customers (repeat buyers with too few repeat purchases to pull their own mean in, 1 < p·x + q <= 2): a few large orders move them a lot. Check them against the observed average order value; leave out or cap outlier orders, or use a longer observation window.`;
		for (const j of oneRepeat) {
			// a number (its mean exists), with the warning
			expect(j.expected_average_spend as number).toBeGreaterThan(0);
			expect(j.warning).toBe(warning);
		}
		for (const j of more) expect(j).not.toHaveProperty('warning');
		// one-time buyers: null spend and the no-mean warning, as before
		for (const j of once) {
			expect(j.expected_average_spend).toBeNull();
			expect(j.warning).toMatch(/\(<= 1\): the fitted spend per order has no finite mean/);
		}
		// drawSpendCustomers' purchase counts (0-4 uniformly, no rate heterogeneity or dropout) put the BG/NBD fit at a boundary: its warning follows
		expect(model.warnings).toEqual([once[0].warning, warning, expect.stringMatching(/^BG\/NBD fit ran to a boundary of its parameters/)]);
	});

	it('Output Customers alone carries it too', async () => {
		const out = (await run()).items(NAME).map((i) => i.json);
		expect(out.some((j) => j.type === 'clvModel')).toBe(false);
		expect(out.filter((j) => typeof j.warning === 'string' && (j.warning as string).includes('infinite variance')).map((j) => j.customer_id)).toEqual(out.filter((j) => j.frequency === 1).map((j) => j.customer_id));
	});
});
