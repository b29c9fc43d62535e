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

describe('RFM: a custom segment map (JSON) is checked key by key', () => {
	const orders = [
		{ customer_id: 'a', amount: 1, timestamp: '2024-01-01' },
		{ customer_id: 'b', amount: 2, timestamp: '2024-01-20' },
	].map((json) => ({ json }));
	const rfm = (rules: unknown) =>
		runWorkflow(
			{ nodes: [node(NAME, 'customerSegments', { operation: 'rfm', inputMode: 'transactions', referenceDate: '2024-01-31', bins: 5, segmentMap: 'json', segmentRulesJson: JSON.stringify(rules) } as never)], connections: {} },
			{ input: orders },
		);

	it('refuses a key other than name, r, f, m: "R" used to be ignored, putting every customer in the segment', async () => {
		const result = await rfm([{ name: 'VIP', R: [5, 5] }]);
		expect(result.error?.message).toBe('Segment rule 1 (VIP) has an unknown key "R": did you mean "r"? a rule takes name, r, f, m (an omitted one matches any score)');
		expect((await rfm([{ name: 'VIP', r: [5, 5], recency: [5, 5] }])).error?.message).toContain('unknown key "recency": did you mean "r"?');
	});

	it('refuses two names that differ only in case', async () => {
		const result = await rfm([{ name: 'VIP', r: [5, 5] }, { name: 'vip ', r: [1, 4] }]);
		expect(result.error?.message).toBe(
			'Segment rules 1 and 2 are named "VIP" and "vip": write the name of one segment the same way in each of its rules, or give each segment its own name',
		);
	});

	/** The three customers of the next tests (a: Jan 1, 1.00; b: Jan 20, 2.00; c: Jan 1, 3.00), RFM with these rules, customers and summary. */
	const rfmThree = (rules: IDataObject[]) =>
		runWorkflow(
			{
				nodes: [
					node(NAME, 'customerSegments', {
						operation: 'rfm',
						inputMode: 'transactions',
						referenceDate: '2024-01-31',
						bins: 5,
						output: 'both',
						segmentMap: 'json',
						segmentRulesJson: JSON.stringify(rules),
					} as never),
				],
				connections: {},
			},
			{
				input: [
					{ customer_id: 'a', amount: 1, timestamp: '2024-01-01' },
					{ customer_id: 'b', amount: 2, timestamp: '2024-01-20' },
					{ customer_id: 'c', amount: 3, timestamp: '2024-01-01' },
				].map((json) => ({ json })),
			},
		);

	it('reads rules of one name as one segment, the union of their ranges (a rule is one box: "R 4-5 or M 4-5" takes two)', async () => {
		// a: Jan 1, 1.00; b: Jan 20, 2.00; c: Jan 1, 3.00; as of the end of Jan 31: recency 30, 11, 30 days.
		// Score 1 + floor(5·G/3), G = customers strictly worse: R (fewer days is better) a 1, b 1 + floor(10/3) = 4, c 1;
		// M a 1, b 1 + floor(5/3) = 2, c 1 + floor(10/3) = 4. So b is Engaged by R, c by M, a is neither.
		const result = await rfmThree([{ name: 'Engaged', r: [4, 5] }, { name: 'Engaged', m: [4, 5] }, { name: 'Rest' }]);
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => i.json);
		expect(out.slice(0, 3).map((j) => [j.customer_id, j.r, j.m, j.segment])).toEqual([
			['a', 1, 1, 'Rest'],
			['b', 4, 2, 'Engaged'],
			['c', 1, 4, 'Engaged'],
		]);
		// the summary counts the segment once: 2 customers, 5.00 of the 6.00 revenue
		expect((out[3].segments as IDataObject[]).map((s) => [s.segment, s.customers, s.revenue])).toEqual([
			['Engaged', 2, 5],
			['Rest', 1, 1],
		]);
	});

	it('a rule named "Others" adds to the segment of the customers no rule matches: one Others row in the summary', async () => {
		// the same three customers (scores above): b R 4, c M 4, a neither
		const result = await rfmThree([{ name: 'Recent', r: [4, 5] }, { name: 'Others', m: [4, 5] }]);
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => i.json);
		expect(out.slice(0, 3).map((j) => [j.customer_id, j.segment])).toEqual([
			['a', 'Others'],
			['b', 'Recent'],
			['c', 'Others'],
		]);
		expect((out[3].segments as IDataObject[]).map((s) => [s.segment, s.customers, s.revenue])).toEqual([
			['Recent', 1, 2],
			['Others', 2, 4],
		]);
		const cased = await rfm([{ name: 'others', r: [3, 5] }]);
		expect(cased.error?.message).toBe(
			'Segment rule 1 is named "others": write it "Others" (the segment of the customers no rule matches, which it then adds to) or give it another name',
		);
	});

	it('still scores a correct list (b: recency 11 days of 30 and 11, R = 1 + floor(5·1/2) = 3)', async () => {
		const result = await rfm([{ name: 'Recent', r: [3, 5] }, { name: 'Rest' }]);
		expect(result.error).toBeUndefined();
		expect(result.items(NAME).map((i) => [i.json.customer_id, i.json.r, i.json.segment])).toEqual([
			['a', 1, 'Rest'],
			['b', 3, 'Recent'],
		]);
	});
});

describe('Customer Segments: dates without a zone that are not ISO 8601', () => {
	const seg = (params: IDataObject, rows: IDataObject[]) =>
		runWorkflow({ nodes: [node(NAME, 'customerSegments', params as never)], connections: {} }, { input: rows.map((json) => ({ json })) });
	const rfm = { operation: 'rfm', inputMode: 'transactions', referenceDate: '2024-01-31', bins: 5 };

	it('are refused naming item and field: "1/10/2024" was read as January 10 in the server\'s time zone', async () => {
		const bad = await seg(rfm, [
			{ customer_id: 'a', amount: 1, timestamp: '2024-01-20' },
			{ customer_id: 'b', amount: 1, timestamp: '1/10/2024' },
		]);
		expect(bad.error?.message).toBe('Item 1: timestamp field "timestamp" is not a date ("1/10/2024"): use ISO 8601, e.g. 2024-01-10T10:00:00Z; without a zone it is UTC');
		const rules = await seg({ operation: 'rules', rulesReferenceDate: '2024-01-31T12:00:00Z' }, [{ events: [{ event: 'Order Completed', timestamp: 'Jan 30 2024' }] }]);
		expect(rules.error?.message).toBe('Item 0: events: events[0].timestamp "Jan 30 2024" is not a date: use ISO 8601, e.g. 2024-01-10T10:00:00Z; without a zone it is UTC');
	});

	it('still read a date-time that names its zone as databases export it (BigQuery " UTC", PostgreSQL "+00", RFC 1123)', async () => {
		const result = await seg(rfm, [
			{ customer_id: 'a', amount: 1, timestamp: '2024-01-30 10:00:00 UTC' },
			{ customer_id: 'b', amount: 1, timestamp: '2024-01-21 23:30:00+00' },
			{ customer_id: 'c', amount: 1, timestamp: 'Wed, 10 Jan 2024 22:00:00 GMT' },
		]);
		expect(result.error).toBeUndefined();
		// to the end of Jan 31 (UTC): 1, 10 and 21 calendar days
		expect(result.items(NAME).map((i) => [i.json.customer_id, i.json.recency_days, i.json.last_purchase_at])).toEqual([
			['a', 1, '2024-01-30T10:00:00.000Z'],
			['b', 10, '2024-01-21T23:30:00.000Z'],
			['c', 21, '2024-01-10T22:00:00.000Z'],
		]);
	});
});

describe('RFM: amounts as numbers and as text round alike', () => {
	it('rounds a negative amount half away from zero, as its text is rounded (-2.5 → -3 at 0 decimals, -0.125 → -0.13 at 2)', async () => {
		const run = (decimals: number, amounts: Array<number | string>) =>
			runWorkflow(
				{ nodes: [node(NAME, 'customerSegments', { operation: 'rfm', inputMode: 'transactions', referenceDate: '2024-01-31', rfmOptions: { decimals } } as never)], connections: {} },
				{ input: amounts.map((amount, i) => ({ json: { customer_id: `c${i}`, amount, timestamp: '2024-01-30' } })) },
			);
		const whole = await run(0, [-2.5, '-2.5', 2.5, '2.5']);
		expect(whole.items(NAME).map((i) => i.json.monetary)).toEqual([-3, -3, 3, 3]);
		const cents = await run(2, [-0.125, '-0.125']);
		expect(cents.items(NAME).map((i) => i.json.monetary)).toEqual([-0.13, -0.13]);
	});
});

describe('RFM: Score Bins from an expression', () => {
	const run = (bins: unknown) =>
		runWorkflow(
			{ nodes: [node(NAME, 'customerSegments', { operation: 'rfm', inputMode: 'transactions', referenceDate: '2024-01-31', bins } as never)], connections: {} },
			{ input: ['2024-01-01', '2024-01-10', '2024-01-20'].map((timestamp, i) => ({ json: { customer_id: `c${i}`, amount: 1, timestamp } })) },
		);

	it('reads numeric text ("3") as its number; names the value it refuses as given', async () => {
		const result = await run('={{ "3" }}');
		expect(result.error).toBeUndefined();
		// recency 30, 21, 11 days: G = 0, 1, 2 customers with more days → 1 + floor(3·G/3) = 1, 2, 3
		expect(result.items(NAME).map((i) => i.json.r)).toEqual([1, 2, 3]);
		expect((await run('={{ "five" }}')).error?.message).toBe('Score Bins must be a whole number from 3 to 10 (got "five")');
	});
});
