/**
 * RFM's Reference Date and Lifetime Value's End of Observation read a date the same way (asOfMs):
 * a date without a time — `2024-01-31`, `20240131`, or `2024-01-31T00:00:00` as n8n's date picker
 * gives it — means "as of the end of Jan 31" (UTC): orders on Jan 31 count. A date with a time or
 * a zone is that instant, and in both operations orders after it are left out.
 *
 * Before, RFM read the picked day as its first millisecond (Jan 31 00:00): a customer whose only
 * order was on Jan 31 was left out of the RFM customers, while Lifetime Value (whole days) scored it.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';
import { asOfMs } from '../../nodes/CustomerSegments/actions/common';

const NAME = 'Customer Segments';
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));
const run = (params: IDataObject, rows: IDataObject[]) =>
	runWorkflow({ nodes: [node(NAME, 'customerSegments', params as never)], connections: {} }, { input: items(rows) });
const PICKED = '2024-01-31T00:00:00';
const TX = [
	{ customer_id: 'a', amount: 10, timestamp: '2024-01-02T10:00:00Z' },
	{ customer_id: 'a', amount: 10, timestamp: '2024-01-20T10:00:00Z' },
	{ customer_id: 'b', amount: 10, timestamp: '2024-01-05T10:00:00Z' },
	{ customer_id: 'b', amount: 12, timestamp: '2024-01-15T10:00:00Z' },
	{ customer_id: 'c', amount: 25, timestamp: '2024-01-31T10:00:00Z' },
	{ customer_id: 'd', amount: 8, timestamp: '2024-01-20' }, // a date without a time: midnight UTC
];
const rfm = (referenceDate: string, rows = TX) => run({ operation: 'rfm', inputMode: 'transactions', referenceDate, output: 'both' }, rows);
const clv = (observationEnd: string, rows = TX) =>
	run({ operation: 'lifetimeValue', clvInput: 'transactions', observationEnd, timeUnit: 'days', clvOutput: 'both' }, rows);

describe('a picked day means the end of that day, in RFM and in Lifetime Value', () => {
	it('RFM: the order on the picked day counts; recency is the calendar days from the last order\'s day', async () => {
		const result = await rfm(PICKED);
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => i.json);
		// As of 2024-01-31T23:59:59.999Z: recency = floor((as-of − last order) / 24 h)
		//   a: last Jan 20 10:00 → 11 d 13:59:59.999 → 11 (Jan 31 − Jan 20)
		//   b: last Jan 15 10:00 → 16 d 13:59:59.999 → 16
		//   c: last Jan 31 10:00 → 13:59:59.999       → 0
		//   d: last Jan 20 00:00 → 11 d 23:59:59.999 → 11 (same day as a, same recency)
		expect(out.filter((j) => j.type !== 'rfmSummary').map((j) => [j.customer_id, j.recency_days, j.frequency, j.monetary])).toEqual([
			['a', 11, 2, 20],
			['b', 16, 2, 22],
			['c', 0, 1, 25],
			['d', 11, 1, 8],
		]);
		const summary = out.find((j) => j.type === 'rfmSummary')!;
		expect(summary).toMatchObject({ customers: 4, transactions: 6, reference_date: '2024-01-31T23:59:59.999Z' });
		expect(summary).not.toHaveProperty('transactions_after_reference_date');
	});

	it('the other spellings of a date without a time mean the same day', async () => {
		for (const spelling of ['2024-01-31', '20240131', '2024-01-31 00:00', '2024-01-31T00:00:00.000']) {
			const out = (await rfm(spelling)).items(NAME).map((i) => i.json);
			expect([spelling, out.find((j) => j.type === 'rfmSummary')!.reference_date, out.length]).toEqual([spelling, '2024-01-31T23:59:59.999Z', 5]);
		}
	});

	it('Lifetime Value: the same day; T and recency in days up to Jan 31', async () => {
		const result = await clv(PICKED);
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => i.json);
		// a: days Jan 2, Jan 20 → frequency 1, recency 18, T 29; b: Jan 5, Jan 15 → 1, 10, 26;
		// c: Jan 31 → 0, 0, 0; d: Jan 20 → 0, 0, 11
		expect(out.filter((j) => j.type !== 'clvModel').map((j) => [j.customer_id, j.frequency, j.recency, j.T])).toEqual([
			['a', 1, 18, 29],
			['b', 1, 10, 26],
			['c', 0, 0, 0],
			['d', 0, 0, 11],
		]);
		expect(out.find((j) => j.type === 'clvModel')).toMatchObject({ customers: 4, excluded_from_fit_first_seen_on_last_day: 1 });
	});
});

describe('a date with a time or a zone is that instant, in both: orders after it are left out', () => {
	const rows = [...TX, { customer_id: 'e', amount: 9, timestamp: '2024-01-31T15:00:00Z' }];

	it('12:00 on Jan 31: c (10:00) counts, e (15:00) does not', async () => {
		const r = (await rfm('2024-01-31T12:00:00Z', rows)).items(NAME).map((i) => i.json);
		expect(r.filter((j) => j.type !== 'rfmSummary').map((j) => [j.customer_id, j.recency_days])).toEqual([
			['a', 11], // floor(11 d 2 h)
			['b', 16],
			['c', 0],
			['d', 11], // floor(11 d 12 h)
		]);
		expect(r.find((j) => j.type === 'rfmSummary')).toMatchObject({ reference_date: '2024-01-31T12:00:00.000Z', transactions_after_reference_date: 1 });
		const v = (await clv('2024-01-31T12:00:00Z', rows)).items(NAME).map((i) => i.json);
		expect(v.map((j) => j.customer_id)).toEqual(['a', 'b', 'c', 'd', 'e', undefined]);
		expect(v[4]).toEqual({ customer_id: 'e', skipped: true, reason: 'all orders after End of Observation' });
		expect(v[2]).toMatchObject({ customer_id: 'c', T: 0 });
	});

	it('midnight with a zone (…T00:00:00Z) is the start of Jan 31: c is left out of both', async () => {
		const r = (await rfm('2024-01-31T00:00:00Z')).items(NAME).map((i) => i.json);
		expect(r.map((j) => j.customer_id)).toEqual(['a', 'b', 'd', undefined]);
		expect(r[3]).toMatchObject({ transactions_after_reference_date: 1 });
		const v = (await clv('2024-01-31T00:00:00Z')).items(NAME).map((i) => i.json);
		expect(v.map((j) => [j.customer_id, j.skipped])).toEqual([
			['a', undefined],
			['b', undefined],
			['d', undefined],
			['c', true],
			[undefined, undefined],
		]);
	});
});

describe('asOfMs', () => {
	const ctx = { getNode: () => ({ name: NAME }) } as unknown as IExecuteFunctions;
	const endOfJan31 = Date.UTC(2024, 0, 31, 23, 59, 59, 999);

	it('a date without a time: the last millisecond of that UTC day', () => {
		for (const v of ['2024-01-31', ' 2024-01-31 ', '20240131', '2024-01-31T00:00', '2024-01-31T00:00:00', '2024-01-31 00:00:00', '2024-01-31T00:00:00.000']) {
			expect([v, asOfMs(ctx, v, 'Reference Date')]).toEqual([v, endOfJan31]);
		}
	});

	it('a time, a zone, a Date or a number: that instant (no zone = UTC)', () => {
		expect(asOfMs(ctx, '2024-01-31T00:00:00Z', 'Reference Date')).toBe(Date.UTC(2024, 0, 31));
		expect(asOfMs(ctx, '2024-01-31T00:00:00+02:00', 'Reference Date')).toBe(Date.UTC(2024, 0, 30, 22));
		expect(asOfMs(ctx, '2024-01-31T00:00:01', 'Reference Date')).toBe(Date.UTC(2024, 0, 31, 0, 0, 1));
		expect(asOfMs(ctx, '2024-01-31T14:30:00', 'Reference Date')).toBe(Date.UTC(2024, 0, 31, 14, 30));
		expect(asOfMs(ctx, new Date(Date.UTC(2024, 0, 31)), 'Reference Date')).toBe(Date.UTC(2024, 0, 31));
		expect(asOfMs(ctx, Date.UTC(2024, 0, 31), 'Reference Date')).toBe(Date.UTC(2024, 0, 31));
	});

	it('empty is now; not a date fails naming the parameter', () => {
		const before = Date.now();
		expect(asOfMs(ctx, '', 'End of Observation')).toBeGreaterThanOrEqual(before);
		expect(() => asOfMs(ctx, '2024-02-30', 'End of Observation')).toThrow('End of Observation "2024-02-30" is not a date');
	});
});
