/**
 * The CSV path end to end (reader + row parser + customer table): odd but valid CSV, every chunk
 * boundary, bad rows with their line numbers. Expected totals are worked out by hand below.
 */
import { aggregateCsv } from '../../../nodes/engines/segments/aggregate';
import { RfmAccumulator } from '../../../nodes/engines/segments/rfm';

const REF = Date.UTC(2024, 6, 1); // 2024-07-01T00:00:00Z
const FIELDS = { customerId: 'customer_id', amount: 'amount', timestamp: 'timestamp' };

interface Totals {
	last: number;
	first: number;
	count: number;
	sum: number;
}

async function run(bytes: Buffer, chunks: number[] | number, options: { delimiter?: string; collectBad?: boolean } = {}) {
	const pieces: Buffer[] = [];
	if (typeof chunks === 'number') for (let i = 0; i < bytes.length; i += chunks) pieces.push(bytes.subarray(i, i + chunks));
	else {
		let at = 0;
		for (const cut of [...chunks, bytes.length]) {
			pieces.push(bytes.subarray(at, cut));
			at = cut;
		}
	}
	async function* source() {
		for (const p of pieces) yield p;
	}
	const acc = new RfmAccumulator(REF);
	const bad: Array<[number, string]> = [];
	const { rows } = await aggregateCsv(source(), acc, FIELDS, {
		decimals: 2,
		delimiter: options.delimiter,
		onBadRow: options.collectBad
			? (line, message) => {
					bad.push([line, message]);
					return true;
				}
			: undefined,
	});
	const totals: Record<string, Totals> = {};
	const last = acc.lastMs;
	const first = acc.firstMs;
	const count = acc.count;
	const sum = acc.sumMinor;
	acc.ids.forEach((id, k) => (totals[id] = { last: last[k], first: first[k], count: count[k], sum: sum[k] }));
	return { ids: [...acc.ids], totals, rows, bad, skippedFuture: acc.skippedFuture, transactions: acc.transactions };
}

// Header in another order with extra columns, a BOM, CRLF line ends, quoted fields (a delimiter,
// an escaped quote and a line break inside quotes, a quoted amount and id), blank lines, spaces
// around values, several timestamp forms, a row after the reference date, no final line break.
const CSV = [
	'\uFEFFnote,timestamp,customer_id,amount,extra',
	'plain,2024-01-02T03:04:05Z,c1,10.50,x',
	'"with, comma",2024-03-01,c2,3,y',
	'"say ""hi""\nsecond line",2024-02-29 12:30,"c1","1.005",z',
	'',
	',20240115, c3 , 7 ,',
	'late,2024-07-02,c2,100.00,',
	'frac,2024-05-05T10:00:00.250Z,c2,0.1,',
	'zone,2024-06-01T02:00:00+02:00,c3,2.999,',
	'"",2024-01-01,"c,4",-1.50,',
].join('\r\n');

// Hand-computed (amounts in cents, half away from zero at the third decimal: 1.005 → 101, 2.999 → 300):
const EXPECTED: Record<string, Totals> = {
	c1: { first: Date.UTC(2024, 0, 2, 3, 4, 5), last: Date.UTC(2024, 1, 29, 12, 30), count: 2, sum: 1050 + 101 },
	c2: { first: Date.UTC(2024, 2, 1), last: Date.UTC(2024, 4, 5, 10, 0, 0, 250), count: 2, sum: 300 + 10 },
	c3: { first: Date.UTC(2024, 0, 15), last: Date.UTC(2024, 5, 1, 0, 0), count: 2, sum: 700 + 300 },
	'c,4': { first: Date.UTC(2024, 0, 1), last: Date.UTC(2024, 0, 1), count: 1, sum: -150 },
};

describe('CSV path: reader + parser + customer table', () => {
	const bytes = Buffer.from(CSV, 'utf8');

	it('reads quoted fields, CRLF, BOM, reordered and extra columns, timestamp forms (hand-computed totals)', async () => {
		const r = await run(bytes, bytes.length);
		expect(r.totals).toEqual(EXPECTED);
		expect(r.ids).toEqual(['c1', 'c2', 'c3', 'c,4']); // first-seen order
		expect(r.rows).toBe(8);
		expect(r.skippedFuture).toBe(1);
		expect(r.transactions).toBe(7);
	});

	it('gives identical results for every chunk size and for a cut at every byte (inside rows, numbers, quotes, CRLF)', async () => {
		for (const size of [1, 2, 3, 5, 7, 11, 16, 64]) expect((await run(bytes, size)).totals).toEqual(EXPECTED);
		for (let cut = 1; cut < bytes.length; cut++) {
			const r = await run(bytes, [cut]);
			expect({ cut, totals: r.totals, ids: r.ids }).toEqual({ cut, totals: EXPECTED, ids: ['c1', 'c2', 'c3', 'c,4'] });
		}
	});

	it('accepts LF-only files and another delimiter', async () => {
		const semi = Buffer.from('customer_id;amount;timestamp\nA;1.25;2024-01-01\nB;2;2024-01-02\nA;0.75;2024-01-03\n');
		const r = await run(semi, 9, { delimiter: ';' });
		expect(r.totals).toEqual({
			A: { first: Date.UTC(2024, 0, 1), last: Date.UTC(2024, 0, 3), count: 2, sum: 200 },
			B: { first: Date.UTC(2024, 0, 2), last: Date.UTC(2024, 0, 2), count: 1, sum: 200 },
		});
	});

	it('keeps a table of many customers exact across its growth (1 to 5 purchases each, any chunking)', async () => {
		// customer i buys (i % 5) + 1 times, 1.01 each, on day 1..(i % 5)+1 of January
		const lines = ['customer_id,amount,timestamp'];
		for (let round = 0; round < 5; round++) for (let i = 0; i < 3000; i++) if (round <= i % 5) lines.push(`customer-with-a-long-id-${i},1.01,2024-01-0${round + 1}`);
		const big = Buffer.from(lines.join('\n'));
		const r = await run(big, 997);
		expect(r.ids.length).toBe(3000);
		for (const i of [0, 1, 4, 1234, 2999]) {
			const n = (i % 5) + 1;
			expect(r.totals[`customer-with-a-long-id-${i}`]).toEqual({ first: Date.UTC(2024, 0, 1), last: Date.UTC(2024, 0, n), count: n, sum: 101 * n });
		}
		expect(r.ids.slice(0, 3)).toEqual(['customer-with-a-long-id-0', 'customer-with-a-long-id-1', 'customer-with-a-long-id-2']);
	});

	it('reports bad rows with their physical line numbers (after a quoted line break) and keeps the good ones', async () => {
		const text = [
			'customer_id,amount,timestamp',
			'a,1,2024-01-01', // line 2
			'"b\nb",2,2024-01-02', // lines 3-4
			'c,ten,2024-01-03', // line 5
			',4,2024-01-04', // line 6
			'd,5,2024-02-30', // line 7: no such day
			'e,6', // line 8: no timestamp column
			'f,1.2.3,2024-01-05', // line 9
			'g,7,2024-01-06T25:00', // line 10
			'a,2,2024-01-07', // line 11
		].join('\n');
		const r = await run(Buffer.from(text), 5, { collectBad: true });
		expect(r.bad).toEqual([
			[5, 'amount "ten" in column "amount" is not a number'],
			[6, 'empty customer id in column "customer_id"'],
			[7, 'timestamp "2024-02-30" in column "timestamp" is not a date: use ISO 8601, e.g. 2024-01-10T10:00:00Z; without a zone it is UTC'],
			[8, 'timestamp "" in column "timestamp" is not a date: use ISO 8601, e.g. 2024-01-10T10:00:00Z; without a zone it is UTC'],
			[9, 'amount "1.2.3" in column "amount" is not a number'],
			[10, 'timestamp "2024-01-06T25:00" in column "timestamp" is not a date: use ISO 8601, e.g. 2024-01-10T10:00:00Z; without a zone it is UTC'],
		]);
		expect(r.totals).toEqual({
			a: { first: Date.UTC(2024, 0, 1), last: Date.UTC(2024, 0, 7), count: 2, sum: 300 },
			'b\nb': { first: Date.UTC(2024, 0, 2), last: Date.UTC(2024, 0, 2), count: 1, sum: 200 },
		});
		await expect(run(Buffer.from(text), 64)).rejects.toThrow('CSV line 5: amount "ten" in column "amount" is not a number');
	});

	it('names the missing header columns', async () => {
		await expect(run(Buffer.from('id,amount,timestamp\nx,1,2024-01-01\n'), 8)).rejects.toThrow('CSV header has no column "customer_id"');
	});
});
