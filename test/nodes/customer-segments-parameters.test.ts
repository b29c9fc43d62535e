/**
 * Lifetime Value's number parameters (Forecast Horizon, CLV Months, Monthly Discount Rate) when an
 * expression gives them: numeric text is its number, anything else (or a value below the editor's
 * minimum) is refused naming the parameter. Before, "52" from `{{ $json.horizon }}` reached the
 * arithmetic as text (α + T + "52" became a string) and gave wrong expected purchases silently, and a
 * discount rate of -1 gave clv null with a warning blaming the series length.
 *
 * Reference: the small store of clv-small-store.test.ts, whose customer 7 (x 15, t_x 29, T 35) has
 * E[purchases in 52 weeks] = 11.448 and customer 0 (x 0, T 21) 0.6833 (mpmath, see that file).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';
import { SMALL_STORE } from '../engines/segments/small-store';

const NAME = 'Customer Segments';
const input: INodeExecutionData[] = SMALL_STORE.map((c, i) => ({
	json: { customer_id: `c${i}`, ...c, monetary_value: c.frequency > 0 ? 20 + 3 * (i % 7) : 0 } as IDataObject,
}));
const run = (params: IDataObject) =>
	runWorkflow(
		{ nodes: [node(NAME, 'customerSegments', { operation: 'lifetimeValue', clvInput: 'customers', timeUnit: 'weeks', clvOutput: 'customers', ...params } as never)], connections: {} },
		{ input },
	);

describe('Lifetime Value: number parameters from expressions', () => {
	it('reads a Forecast Horizon given as text ("52") as the number 52', async () => {
		const result = await run({ horizon: '={{ "52" }}' });
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => i.json);
		expect(out[7].expected_purchases as number).toBeCloseTo(11.448, 2);
		expect(out[0].expected_purchases as number).toBeCloseTo(0.6833, 3);
		expect(out[7].horizon).toBe(52);
	});

	it('refuses a negative discount rate, a fractional or negative number of months and a horizon that is no number, naming the parameter', async () => {
		expect((await run({ horizon: 52, discountRate: '={{ -1 }}' })).error?.message).toBe('Monthly Discount Rate must be a number >= 0 (got -1)');
		expect((await run({ horizon: 52, clvMonths: '={{ 12.5 }}' })).error?.message).toBe('CLV Months must be a whole number >= 0 (got 12.5)');
		expect((await run({ horizon: '={{ -5 }}' })).error?.message).toBe('Forecast Horizon must be a number >= 0 (got -5)');
		expect((await run({ horizon: '={{ "one year" }}' })).error?.message).toBe('Forecast Horizon must be a number >= 0 (got "one year")');
	});
});
