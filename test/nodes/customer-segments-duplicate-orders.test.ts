/**
 * RFM and Lifetime Value count orders. The same order can reach them twice: a webhook delivered
 * again (same messageId), the same order under two events (Shopify orders/create → Order Completed
 * and orders/paid → Order Paid, both with its order_id), or two overlapping exports. Before, each
 * copy was another order: a retry doubled a customer's frequency and spend and could promote it.
 * Now each order counts once and the output says how many items were left out.
 *
 * Expected scores are hand-computed: with n customers and B bins a value scores
 * 1 + floor(B · L / n), L = customers strictly lower (README, Quantile definition); recency to a
 * Reference Date without a time counts calendar days to the end of that day.
 */
import type { IDataObject, INodeExecutionData, ITaskData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';

const NAME = 'Customer Segments';
const run = (params: IDataObject, list: IDataObject[]) =>
	runWorkflow({ nodes: [node(NAME, 'customerSegments', params as never)], connections: {} }, { input: list.map((json): INodeExecutionData => ({ json })) });
const hints = (r: Awaited<ReturnType<typeof run>>): string[] => ((r.run.data.resultData.runData[NAME] as ITaskData[])[0].hints ?? []).map((h) => h.message);
const rfm = { operation: 'rfm', inputMode: 'transactions', referenceDate: '2024-01-31', bins: 5, output: 'both', customerIdField: 'userId', amountField: 'properties.total' };
const order = (event: string, userId: string, messageId: string, orderId: string, total: number, timestamp: string): IDataObject => ({
	type: 'track',
	event,
	messageId,
	userId,
	timestamp,
	properties: { order_id: orderId, total, currency: 'EUR' },
});

describe('RFM: an order that arrives twice counts once', () => {
	const events = [
		order('Order Completed', 'u1', 'm1', '1001', 100, '2024-01-10T10:00:00Z'),
		order('Order Completed', 'u1', 'm1', '1001', 100, '2024-01-10T10:00:00Z'), // the same webhook again
		order('Order Paid', 'u1', 'm2', '1001', 100, '2024-01-11T09:00:00Z'), // orders/paid of the same order
		order('Order Completed', 'u2', 'm3', '2001', 60, '2024-01-20T10:00:00Z'),
		order('Order Completed', 'u2', 'm4', '2002', 50, '2024-01-25T10:00:00Z'),
		order('Order Completed', 'u3', 'm5', '3001', 80, '2024-01-05T10:00:00Z'),
	];

	it('drops a redelivered webhook (messageId) and a second event of one order (order_id), and says so', async () => {
		const r = await run(rfm, events);
		expect(r.error).toBeUndefined();
		const out = r.items(NAME);
		const customers = out.slice(0, 3).map((i) => [i.json.customer_id, i.json.frequency, i.json.monetary, i.json.recency_days, i.json.rfm]);
		// u1: 1 order of 100 on Jan 10 (21 days to Jan 31); u2: 2 orders, 110, Jan 25 (6 days); u3: 1 order, 80, Jan 5 (26 days).
		// R: u1 has 1 customer with more days → 1 + floor(5/3) = 2, u2 2 → 4, u3 0 → 1. F: 1, 4, 1. M: u1 2, u2 4, u3 1.
		// Counted twice more, u1 had frequency 3 and 300 spent (F 4, M 4).
		expect(customers).toEqual([
			['u1', 1, 100, 21, '212'],
			['u2', 2, 110, 6, '444'],
			['u3', 1, 80, 26, '111'],
		]);
		// the dropped copies are still items of their customer
		expect(out[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const summary = out[3].json;
		expect(summary.transactions).toBe(4);
		expect(summary.duplicate_orders_dropped).toBe(2);
		const warning =
			'2 items repeated an order already counted and were left out (same messageId, or same order id of the same customer; first: item 1 repeats item 0, messageId "m1"): each order counts once.';
		expect(summary.warnings).toEqual([warning]);
		// with Output Customers the summary is not there: the hint says it
		const customersOnly = await run({ ...rfm, output: 'customers' }, events);
		expect(hints(customersOnly)).toEqual([warning]);
	});

	it('the same order id of two customers is two orders; a refund of an order is not its duplicate, a refund redelivered is', async () => {
		const r = await run({ ...rfm, customerIdField: 'customer_id', amountField: 'amount', output: 'both' }, [
			{ customer_id: 'a', order_id: '1', messageId: 'x1', amount: 50, timestamp: '2024-01-10' },
			{ customer_id: 'b', order_id: '1', messageId: 'x2', amount: 70, timestamp: '2024-01-10' }, // another store's order 1
			{ customer_id: 'a', order_id: '1', messageId: 'x3', amount: -20, timestamp: '2024-01-12' }, // its refund
			{ customer_id: 'a', order_id: '1', messageId: 'x3', amount: -20, timestamp: '2024-01-12' }, // the refund delivered again
		]);
		expect(r.error).toBeUndefined();
		const out = r.items(NAME);
		// a: the order and one refund (every transaction counts as an order, README): frequency 2, 50 - 20 = 30
		expect(out.slice(0, 2).map((i) => [i.json.customer_id, i.json.frequency, i.json.monetary])).toEqual([
			['a', 2, 30],
			['b', 1, 70],
		]);
		expect(out[2].json.duplicate_orders_dropped).toBe(1);
	});

	it('reads Export for Scoring transactions (orderId, messageId): overlapping exports count each order once', async () => {
		const row = (messageId: string, orderId: string | null, customer: string, amount: number, at: string) => ({ profileId: customer, messageId, orderId, customer_id: customer, amount, currency: 'USD', timestamp: at });
		const first = [row('e1', 'A', 'p1', 30, '2024-01-02T10:00:00Z'), row('e2', null, 'p2', 20, '2024-01-03T10:00:00Z')];
		const second = [row('e2', null, 'p2', 20, '2024-01-03T10:00:00Z'), row('e3', 'B', 'p1', 40, '2024-01-20T10:00:00Z')];
		const r = await run({ ...rfm, customerIdField: 'customer_id', amountField: 'amount' }, [...first, ...second]);
		const out = r.items(NAME);
		expect(out.slice(0, 2).map((i) => [i.json.customer_id, i.json.frequency, i.json.monetary])).toEqual([
			['p1', 2, 70],
			['p2', 1, 20],
		]);
		expect(out[2].json.duplicate_orders_dropped).toBe(1);
	});

	it('an empty Order ID Field checks messageId only', async () => {
		const r = await run({ ...rfm, rfmOptions: { orderIdField: '' } }, events);
		const out = r.items(NAME);
		// only the redelivery (m1) is dropped: u1 keeps Order Completed and Order Paid, 2 orders of 100 on Jan 10 and 11
		expect([out[0].json.frequency, out[0].json.monetary]).toEqual([2, 200]);
		expect(out[3].json.duplicate_orders_dropped).toBe(1);
	});
});

describe('RFM from CSV files: overlapping exports count each order once', () => {
	const file = (text: string): INodeExecutionData => ({ json: {}, binary: { data: { data: Buffer.from(text).toString('base64'), mimeType: 'text/csv', fileName: 'orders.csv' } } });
	const header = 'profileId,messageId,orderId,customer_id,amount,timestamp';
	const runCsv = (params: IDataObject, files: string[]) =>
		runWorkflow({ nodes: [node(NAME, 'customerSegments', { operation: 'rfm', inputMode: 'csv', referenceDate: '2024-01-31', output: 'both', ...params } as never)], connections: {} }, { input: files.map(file) });

	it('two Export for Scoring files that overlap by one order, and a file without id columns (not checked)', async () => {
		// Monday's export and Tuesday's, which repeats e2 (line 3 of the first file is line 2 of the second)
		const monday = [header, 'p1,e1,A,p1,30,2024-01-02T10:00:00Z', 'p2,e2,,p2,20,2024-01-03T10:00:00Z'].join('\n');
		const tuesday = [header, 'p2,e2,,p2,20,2024-01-03T10:00:00Z', 'p1,e3,B,p1,40,2024-01-20T10:00:00Z'].join('\n');
		const r = await runCsv({}, [monday, tuesday]);
		expect(r.error).toBeUndefined();
		const out = r.items(NAME);
		expect(out.slice(0, 2).map((i) => [i.json.customer_id, i.json.frequency, i.json.monetary])).toEqual([
			['p1', 2, 70],
			['p2', 1, 20],
		]);
		expect(out[2].json).toMatchObject({ csv_rows: 4, transactions: 3, duplicate_orders_dropped: 1 });
		expect(out[2].json.warnings).toEqual([
			'1 item repeated an order already counted and was left out (same messageId, or same order id of the same customer; first: item 1, line 2 repeats item 0, line 3, messageId "e2"): each order counts once.',
		]);
		// without an order id or messageId column nothing can tell a repeat from a second order of the same amount
		const plain = await runCsv({}, ['customer_id,amount,timestamp\np2,20,2024-01-03T10:00:00Z\np2,20,2024-01-03T10:00:00Z']);
		expect(plain.items(NAME)[0].json.frequency).toBe(2);
	});
});

describe('Lifetime Value: an order that arrives twice counts once', () => {
	it('an Order Paid two days after its Order Completed is no repeat purchase; a redelivered order does not double its day', async () => {
		const r = await run(
			{ operation: 'lifetimeValue', clvInput: 'transactions', clvCustomerIdField: 'userId', clvAmountField: 'properties.total', clvTimestampField: 'timestamp', observationEnd: '2024-01-31', timeUnit: 'days', clvOutput: 'both' },
			[
				order('Order Completed', 'c1', 'm1', 'A', 40, '2024-01-01T10:00:00Z'),
				order('Order Paid', 'c1', 'm2', 'A', 40, '2024-01-03T10:00:00Z'),
				order('Order Completed', 'c2', 'm3', 'B', 30, '2024-01-05T10:00:00Z'),
				order('Order Completed', 'c2', 'm4', 'C', 50, '2024-01-15T10:00:00Z'),
				order('Order Completed', 'c2', 'm4', 'C', 50, '2024-01-15T10:00:00Z'),
				order('Order Completed', 'c3', 'm5', 'D', 20, '2024-01-02T10:00:00Z'),
				order('Order Completed', 'c3', 'm6', 'E', 60, '2024-01-20T10:00:00Z'),
			],
		);
		expect(r.error).toBeUndefined();
		const out = r.items(NAME);
		// lifetimes conventions, days to the end of Jan 31: c1 one purchase day (Jan 1): frequency 0, T 30;
		// c2 Jan 5 and Jan 15: frequency 1, recency 10, T 26, repeat spend 50 (not 100);
		// c3 Jan 2 and Jan 20: frequency 1, recency 18, T 29, repeat spend 60.
		expect(out.slice(0, 3).map((i) => [i.json.customer_id, i.json.frequency, i.json.recency, i.json.T, i.json.monetary_value])).toEqual([
			['c1', 0, 0, 30, 0],
			['c2', 1, 10, 26, 50],
			['c3', 1, 18, 29, 60],
		]);
		expect(out[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
		const model = out[3].json;
		expect(model.type).toBe('clvModel');
		expect(model.duplicate_orders_dropped).toBe(2);
		expect(model.warnings).toContain(
			'2 items repeated an order already counted and were left out (same messageId, or same order id of the same customer; first: item 1 repeats item 0, order id "A"): each order counts once.',
		);
	});
});
