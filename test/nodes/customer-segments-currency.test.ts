/**
 * RFM and Lifetime Value add up amounts per customer and compare customers, so the amounts must be
 * in one currency, read at that currency's decimal places. Before, items in EUR and USD were
 * summed as if one currency (silently), and amounts were always cut to 2 decimals: 1.234 KWD was
 * read as 1.23 (ISO 4217: KWD has 3 decimals, JPY 0), so two customers 0.003 KWD apart tied.
 *
 * The currency is read from the Currency Field option (default `currency`, as Customer Profile's
 * Export Transactions and the canonical Order Completed name it). Expected values are hand-computed:
 * with n customers and B bins a value scores 1 + floor(B · L / n), L = customers strictly lower
 * (README, Quantile definition); 2 customers, 5 bins: the lower 1, the higher 3, a tie both 1.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';

const NAME = 'Customer Segments';
const run = (params: IDataObject, list: IDataObject[], extra: IDataObject = {}) =>
	runWorkflow(
		{ nodes: [node(NAME, 'customerSegments', params as never, extra)], connections: {} },
		{ input: list.map((json): INodeExecutionData => ({ json })) },
	);
const rfm = { operation: 'rfm', inputMode: 'transactions', referenceDate: '2024-01-31', bins: 5, output: 'both' };

describe('RFM: the currency of the amounts', () => {
	it('refuses amounts in more than one currency, naming each with its first item', async () => {
		const orders = [
			{ customer_id: 'a', amount: 100, currency: 'EUR', timestamp: '2024-01-10' },
			{ customer_id: 'b', amount: 100, currency: 'usd', timestamp: '2024-01-11' },
			{ customer_id: 'c', amount: 90, currency: 'EUR', timestamp: '2024-01-12' },
		];
		const r = await run(rfm, orders);
		expect(r.error?.message).toBe('Amounts are in 2 currencies (currency field "currency": EUR from item 0, USD from item 1): RFM adds up and compares amounts, so they must be in one currency');
		// Continue On Fail: one error item paired with every input item.
		const cof = await run(rfm, orders, { onError: 'continueRegularOutput' });
		expect(cof.items(NAME).map((i) => [i.json.error, i.pairedItem])).toEqual([
			[r.error?.message, [{ item: 0 }, { item: 1 }, { item: 2 }]],
		]);
		// An empty Currency Field turns the check off (the former behaviour).
		const off = await run({ ...rfm, rfmOptions: { currencyField: '' } }, orders);
		expect(off.error).toBeUndefined();
	});

	it('reads the currency beside a nested amount: properties.currency of canonical Order Completed events', async () => {
		const events = [
			{ event: 'Order Completed', userId: 'u1', timestamp: '2024-01-10T10:00:00Z', properties: { order_id: '1', total: 59.9, currency: 'EUR' } },
			{ event: 'Order Completed', userId: 'u2', timestamp: '2024-01-11T10:00:00Z', properties: { order_id: '2', total: 4200, currency: 'JPY' } },
		];
		const r = await run({ ...rfm, customerIdField: 'userId', amountField: 'properties.total' }, events);
		expect(r.error?.message).toBe('Amounts are in 2 currencies (currency field "properties.currency": EUR from item 0, JPY from item 1): RFM adds up and compares amounts, so they must be in one currency');
	});

	it('reads KWD amounts at 3 decimals: 1.004 and 1.001 KWD differ (they tied at 1.00)', async () => {
		const orders = [
			{ customer_id: 'a', amount: 1.004, currency: 'KWD', timestamp: '2024-01-10' },
			{ customer_id: 'b', amount: '1.001', currency: 'KWD', timestamp: '2024-01-10' },
			{ customer_id: 'a', amount: '1.234', currency: 'KWD', timestamp: '2024-01-12' },
			{ customer_id: 'b', amount: 1.234, currency: 'KWD', timestamp: '2024-01-12' },
		];
		const r = await run(rfm, orders);
		expect(r.error).toBeUndefined();
		const [a, b, summary] = r.items(NAME).map((i) => i.json);
		expect([a.customer_id, a.monetary, a.m]).toEqual(['a', 2.238, 3]);
		expect([b.customer_id, b.monetary, b.m]).toEqual(['b', 2.235, 1]);
		expect(summary.currency).toBe('KWD');
		expect((summary.segments as IDataObject[]).reduce((t, s) => t + (s.revenue as number), 0)).toBeCloseTo(4.473, 10);
		// The Currency Decimal Places option, when set, wins: 2 places as before.
		const two = await run({ ...rfm, rfmOptions: { decimals: 2 } }, orders);
		expect(two.items(NAME).slice(0, 2).map((i) => [i.json.monetary, i.json.m])).toEqual([
			[2.23, 1],
			[2.23, 1],
		]);
	});

	it('reads JPY amounts at 0 decimals (half away from zero)', async () => {
		const r = await run(rfm, [
			{ customer_id: 'a', amount: '1500.5', currency: 'JPY', timestamp: '2024-01-10' },
			{ customer_id: 'b', amount: 980, currency: 'JPY', timestamp: '2024-01-10' },
		]);
		expect(r.items(NAME).slice(0, 2).map((i) => i.json.monetary)).toEqual([1501, 980]);
		expect(r.items(NAME)[2].json.currency).toBe('JPY');
	});
});

describe('Lifetime Value: the currency of the amounts', () => {
	// 6 customers; a..e buy again on later days, f once. Customer a's repeat days: 1.234 and 1.236 KWD.
	const orders: IDataObject[] = [];
	const add = (id: string, day: number, amount: number | string) =>
		orders.push({ customer_id: id, amount, currency: 'KWD', timestamp: new Date(Date.UTC(2024, 0, day)).toISOString() });
	add('a', 1, 5);
	add('a', 10, 1.234);
	add('a', 20, '1.236');
	add('b', 2, 3);
	add('b', 30, 2.5);
	add('c', 3, 4);
	add('c', 15, 3.1);
	add('c', 40, 2.9);
	add('d', 5, 7);
	add('d', 50, 6.25);
	add('e', 8, 2);
	add('e', 9, 2.75);
	add('f', 4, 9);
	const clv = { operation: 'lifetimeValue', clvInput: 'transactions', observationEnd: '2024-03-31', timeUnit: 'days', clvOutput: 'both' };

	it('reads KWD at 3 decimals: the mean of 1.234 and 1.236 is 1.235 (was 1.24 from 1.23 and 1.24)', async () => {
		const r = await run(clv, orders);
		expect(r.error).toBeUndefined();
		const out = r.items(NAME).map((i) => i.json);
		const a = out.find((j) => j.customer_id === 'a');
		expect(a?.monetary_value).toBe(1.235);
		expect(out.find((j) => j.type === 'clvModel')?.currency).toBe('KWD');
	});

	it('refuses amounts in more than one currency', async () => {
		const mixed = orders.map((o, i) => (i === 3 ? { ...o, currency: 'EUR' } : o));
		const r = await run(clv, mixed);
		expect(r.error?.message).toBe('Amounts are in 2 currencies (currency field "currency": KWD from item 0, EUR from item 3): Lifetime Value adds up and compares amounts, so they must be in one currency');
	});
});
