/**
 * Customer Segments → Lifetime Value on a small store whose BG/NBD fit runs to a, b → ∞
 * (test/engines/segments/bgnbd-boundary.test.ts). Before, expected_purchases and clv were NaN for
 * every customer, with no warning, and the model item said converged: true.
 *
 * Reference: at the fitted parameters the review quotes (r .3541, α 5.014, a 341652, b 12426671),
 * mpmath gives for customer 7 (x 15, t_x 29, T 35) E[purchases in 52 weeks] = 11.448, and for
 * customer 0 (x 0, T 21) 0.6833 (eq. 10 with mp.hyp2f1; the same by quadrature over p).
 * In the limit a, b → ∞ the value depends on a/(a+b) alone, so any point of the plateau gives it.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';
import { SMALL_STORE } from '../engines/segments/small-store';

const NAME = 'Customer Segments';
const input: INodeExecutionData[] = SMALL_STORE.map((c, i) => ({
	json: { customer_id: `c${i}`, ...c, monetary_value: c.frequency > 0 ? 20 + 3 * (i % 7) : 0 } as IDataObject,
}));
const run = (params: IDataObject = {}) =>
	runWorkflow(
		{ nodes: [node(NAME, 'customerSegments', { operation: 'lifetimeValue', clvInput: 'customers', timeUnit: 'weeks', horizon: 52, clvOutput: 'both', ...params } as never)], connections: {} },
		{ input },
	);

describe('Lifetime Value on a small store (BG/NBD fit at a, b → ∞)', () => {
	it('gives every customer a finite expected_purchases and clv (mpmath: 11.448 and 0.6833)', async () => {
		const result = await run();
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => i.json);
		const customers = out.filter((j) => j.type !== 'clvModel');
		expect(customers).toHaveLength(30);
		const bad = customers.filter((j) => !Number.isFinite(j.expected_purchases as number) || !Number.isFinite(j.clv as number) || !Number.isFinite(j.p_alive as number));
		expect(bad.map((j) => j.customer_id)).toEqual([]);
		expect(customers[7].expected_purchases as number).toBeCloseTo(11.448, 2);
		expect(customers[0].expected_purchases as number).toBeCloseTo(0.6833, 3);
	});

	it('the model item says the fit ran to a boundary and is not converged', async () => {
		const out = (await run()).items(NAME).map((i) => i.json);
		const model = out.find((j) => j.type === 'clvModel')!;
		const bgnbd = model.bgnbd as IDataObject;
		expect(bgnbd).toMatchObject({ converged: false, boundary: ['a, b → ∞'] });
		const p = (bgnbd.a as number) / ((bgnbd.a as number) + (bgnbd.b as number));
		// (its Gamma-Gamma fit runs to p → ∞ as well, with a warning of its own: clv-gamma-gamma-boundary.test.ts)
		const warnings = (model.warnings as string[]).filter((w) => w.startsWith('BG/NBD'));
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain('BG/NBD fit ran to a boundary of its parameters');
		expect(warnings[0]).toContain('toward a, b → ∞');
		expect(warnings[0]).toContain(`every customer has the same dropout probability a/(a+b) = ${p.toPrecision(4)} after each purchase`);
	});

	it('a value that cannot be computed is null with a warning naming the customer, never NaN', async () => {
		// a horizon of 1e9 weeks is hundreds of millions of times α + T: past what the series may sum
		const out = (await run({ horizon: 1e9 })).items(NAME).map((i) => i.json);
		const customers = out.filter((j) => j.type !== 'clvModel');
		for (const j of customers) {
			expect(j.expected_purchases).toBeNull();
			expect(Number.isFinite(j.clv as number)).toBe(true);
			expect(j.warning).toMatch(new RegExp(`^expected_purchases could not be computed for customer "${j.customer_id}": `));
		}
		expect((out.find((j) => j.type === 'clvModel')!.warnings as string[])[1]).toBe(
			'expected_purchases or clv could not be computed for 30 of 30 customers: null, each with a warning naming it.',
		);
	});
});
