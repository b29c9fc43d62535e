import {
	CLASSIC_SEGMENTS,
	RfmAccumulator,
	dimensionsFromAccumulator,
	matchRule,
	quantileScores,
	quantileScoresBySearch,
	scoreRfm,
	toFivePointScale,
} from '../../../nodes/engines/segments/rfm';
import { parseDecimalBytes, parseDecimalString, parseMoneyMinor, parseTimeMs } from '../../../nodes/engines/segments/parse';

const f64 = (a: number[]) => Float64Array.from(a);

describe('quantile scores (hand-computed)', () => {
	it('5 bins, ties share a score: score = 1 + floor(5 * #lower / n)', () => {
		// values 1,2,2,2,5: #lower = 0,1,1,1,4 → 1+floor(0)=1, 1+floor(5/5)=2, 2, 2, 1+floor(20/5)=5
		// (SQL NTILE(5) would give 1,2,3,4,5: the three tied 2s land in three different buckets.)
		expect([...quantileScores(f64([1, 2, 2, 2, 5]), 5).scores]).toEqual([1, 2, 2, 2, 5]);
	});

	it('3 bins on the same values', () => {
		// #lower = 0,1,1,1,4 → 1+floor(0/5)=1, 1+floor(3/5)=1, 1, 1, 1+floor(12/5)=3
		expect([...quantileScores(f64([2, 1, 5, 2, 2]), 3).scores]).toEqual([1, 1, 3, 1, 1]);
	});

	it('recency is inverted: fewer days = higher score, ties equal', () => {
		// days 10,3,3,30,0: #strictly more days = 1,2,2,0,4 → 2,3,3,1,5
		expect([...quantileScores(f64([10, 3, 3, 30, 0]), 5, true).scores]).toEqual([2, 3, 3, 1, 5]);
	});

	it('ten distinct values in 5 bins: two per bin, with breakpoints', () => {
		const { scores, breakpoints } = quantileScores(f64([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), 5);
		expect([...scores]).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
		expect(breakpoints.map((b) => [b.min, b.max, b.customers])).toEqual([
			[1, 2, 2],
			[3, 4, 2],
			[5, 6, 2],
			[7, 8, 2],
			[9, 10, 2],
		]);
	});

	it('all-equal values all get score 1, one customer gets 1, empty gives nothing; never NaN', () => {
		expect([...quantileScores(f64([7, 7, 7]), 5).scores]).toEqual([1, 1, 1]);
		expect([...quantileScores(f64([7, 7, 7]), 5, true).scores]).toEqual([1, 1, 1]);
		expect([...quantileScores(f64([42]), 5).scores]).toEqual([1]);
		expect(quantileScores(f64([]), 5).scores).toHaveLength(0);
	});

	it('a common value leaves a bin empty rather than splitting ties', () => {
		// 0,0,0,0,0,0,1,2,3,4: the six zeros have #lower=0 → 1; 1 → 1+floor(5*6/10)=4; 2 → 4; 3 → 5; 4 → 5
		const { scores, breakpoints } = quantileScores(f64([0, 0, 0, 0, 0, 0, 1, 2, 3, 4]), 5);
		expect([...scores]).toEqual([1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
		expect(breakpoints[1]).toEqual({ score: 2, min: null, max: null, customers: 0 });
	});
});

describe('classic segment map', () => {
	it('first match wins, in the documented order', () => {
		const name = (r: number, f: number, m: number) => CLASSIC_SEGMENTS[matchRule(CLASSIC_SEGMENTS, r, f, m)]?.name;
		expect(name(5, 5, 5)).toBe('Champions');
		expect(name(3, 4, 4)).toBe('Loyal Customers');
		expect(name(5, 1, 1)).toBe('Potential Loyalist'); // also New Customers, but listed later
		expect(name(2, 2, 2)).toBe('Need Attention');
		expect(name(1, 4, 4)).toBe('At Risk'); // before Can't Lose Them
		expect(name(1, 1, 1)).toBe('Lost');
		expect(name(2, 1, 1)).toBe('About To Sleep');
		expect(name(1, 2, 1)).toBe('Hibernating');
		expect(matchRule(CLASSIC_SEGMENTS, 5, 5, 1)).toBe(-1); // → Others
	});

	it('rescales other bin counts onto 5 points by the midpoint of each score\'s quantile range', () => {
		// By hand: score s of B covers the quantiles ((s-1)/B, s/B]; its midpoint (2s-1)/(2B), times 5,
		// rounded up. B = 3: 5/6, 15/6, 25/6 → 1, 3, 5. B = 4: 5/8, 15/8, 25/8, 35/8 → 1, 2, 4, 5.
		// B = 6: 5/12 … 55/12 = 0.42, 1.25, 2.08, 2.92, 3.75, 4.58. B = 7: 5/14 … 65/14 = 0.36, 1.07,
		// 1.79, 2.5, 3.21, 3.93, 4.64. B = 8: 5/16 … 75/16 = 0.31, 0.94, 1.56, 2.19, 2.81, 3.44, 4.06,
		// 4.69. B = 9: 5/18 … 85/18 = 0.28, 0.83, 1.39, 1.94, 2.5, 3.06, 3.61, 4.17, 4.72.
		// B = 10: (2s-1)/4 = 0.25, 0.75, … 4.75 (the same as the former ceil(s/2)).
		const table: Record<number, number[]> = {
			3: [1, 3, 5],
			4: [1, 2, 4, 5],
			5: [1, 2, 3, 4, 5],
			6: [1, 2, 3, 3, 4, 5],
			7: [1, 2, 2, 3, 4, 4, 5],
			8: [1, 1, 2, 3, 3, 4, 5, 5],
			9: [1, 1, 2, 2, 3, 4, 4, 5, 5],
			10: [1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
		};
		for (const [bins, expected] of Object.entries(table)) {
			const b = Number(bins);
			const got = expected.map((_, k) => toFivePointScale(k + 1, b));
			expect({ bins: b, got }).toEqual({ bins: b, got: expected });
			// symmetric: s and bins + 1 - s map to 5-point scores adding up to 6
			expect(got.map((v, k) => v + got[b - 1 - k])).toEqual(got.map(() => 6));
		}
	});

	it('with 3 or 4 bins the lowest customers are Lost, not Need Attention', () => {
		const name = (bins: number, r: number, f: number, m: number) => {
			const k = matchRule(CLASSIC_SEGMENTS, toFivePointScale(r, bins), toFivePointScale(f, bins), toFivePointScale(m, bins));
			return k < 0 ? 'Others' : CLASSIC_SEGMENTS[k].name;
		};
		// Before: 3 bins mapped 1 → 2, so (1,1,1) was compared as (2,2,2) (Need Attention); 4 bins as (2,2,2) too.
		expect(name(3, 1, 1, 1)).toBe('Lost'); // (1,1,1)
		expect(name(4, 1, 1, 1)).toBe('Lost'); // (1,1,1)
		expect(name(3, 3, 3, 3)).toBe('Champions'); // (5,5,5)
		expect(name(4, 4, 4, 4)).toBe('Champions'); // (5,5,5)
		expect(name(4, 1, 1, 2)).toBe('Lost'); // (1,1,2): Lost takes M 1-2
		expect(name(4, 1, 2, 1)).toBe('Hibernating'); // (1,2,1)
		expect(name(4, 2, 1, 1)).toBe('About To Sleep'); // (2,1,1)
		expect(name(4, 2, 2, 2)).toBe('Need Attention'); // (2,2,2)
		expect(name(3, 1, 1, 2)).toBe('Others'); // (1,1,3): Lost and Hibernating take M 1-2 only
	});
});

describe('RFM from transactions (hand-computed)', () => {
	const ref = Date.UTC(2024, 0, 31);
	const day = (d: number) => Date.UTC(2024, 0, d, 12);
	function run(monetary: 'sum' | 'average', rules?: Parameters<typeof scoreRfm>[1]['rules'], bins = 5) {
		const acc = new RfmAccumulator(ref);
		// a: 3 orders 10.00+20.00+30.10, last Jan 30 12:00 → 12 h before the reference → 0 whole days
		acc.add('a', day(30), 1000);
		acc.add('a', day(20), 2000);
		acc.add('a', day(10), 3010);
		acc.add('b', day(1), 500); // 1 order, Jan 1 12:00: 29.5 days → 29 whole days
		acc.add('c', day(25), 4000);
		acc.add('c', day(28), 4000); // 2 orders, 80.00, last 2.5 → 2 days ago
		acc.add('d', day(15), 100); // 1 order, 15.5 → 15 days
		acc.add('e', Date.UTC(2024, 1, 5), 999); // after the reference date: left out
		const dims = dimensionsFromAccumulator(acc, ref, monetary);
		return { acc, dims, result: scoreRfm(dims, { bins, monetary, rules }) };
	}

	it('names a segment trimmed: rules "VIP " and "VIP" are one segment "VIP" (customers and summary)', () => {
		// frequencies 3, 1, 2, 1: F = 1 + floor(5·L/4), L = customers strictly lower → a 1 + floor(15/4) = 4,
		// c 1 + floor(10/4) = 3, b and d 1
		const { result } = run('sum', [{ name: 'VIP ', f: [4, 4] }, { name: 'VIP', f: [3, 3] }]);
		expect([...result.segment].map((k) => result.segmentNames[k])).toEqual(['VIP', 'Others', 'VIP', 'Others']);
		expect(result.segments.map((s) => [s.segment, s.customers])).toEqual([['VIP', 2], ['Others', 2]]);
	});

	it('warns above 15 segments, counting segments, not rules (rules of one name are one segment)', () => {
		const twice = Array.from({ length: 16 }, (_, i) => ({ name: `S${i % 8}`, r: [1, 5] as [number, number] }));
		expect(run('sum', twice).result.warnings).toEqual([]);
		const sixteen = Array.from({ length: 16 }, (_, i) => ({ name: `S${i}`, r: [1, 5] as [number, number] }));
		expect(run('sum', sixteen).result.warnings).toEqual(['16 segments are configured; more than 15 are hard to act on in campaigns']);
	});

	it('computes recency in whole days, frequency, and money in minor units', () => {
		const { acc, dims } = run('sum');
		expect(acc.ids).toEqual(['a', 'b', 'c', 'd']);
		expect([...dims.recencyDays]).toEqual([0, 29, 2, 15]);
		expect([...dims.frequency]).toEqual([3, 1, 2, 1]);
		expect([...dims.monetaryMinor]).toEqual([6010, 500, 8000, 100]);
		expect(acc.skippedFuture).toBe(1);
	});

	it('scores: R from days, F with a tie, M by sum', () => {
		const { result } = run('sum');
		// recency 0,29,2,15: #more days = 3,0,2,1 → 1+floor(5*3/4)=4, 1, 1+floor(10/4)=3, 1+floor(5/4)=2
		expect([...result.r]).toEqual([4, 1, 3, 2]);
		// frequency 3,1,2,1: #lower = 3,0,2,0 → 4,1,3,1
		expect([...result.f]).toEqual([4, 1, 3, 1]);
		// money 6010,500,8000,100: #lower = 2,1,3,0 → 3,2,4,1
		expect([...result.m]).toEqual([3, 2, 4, 1]);
		const names = [...result.segment].map((k) => result.segmentNames[k]);
		// a 4/4/3 → Loyal Customers; b 1/1/2 → Lost; c 3/3/4 → Loyal Customers; d 2/1/1 → About To Sleep
		expect(names).toEqual(['Loyal Customers', 'Lost', 'Loyal Customers', 'About To Sleep']);
		expect(result.segments.find((s) => s.segment === 'Loyal Customers')).toEqual({ segment: 'Loyal Customers', customers: 2, revenue_minor: 14010 });
	});

	it('average monetary: 6010/3 vs 8000/2 vs 500 vs 100', () => {
		const { result } = run('average');
		// averages 2003.33, 500, 4000, 100: #lower = 2,1,3,0 → 3,2,4,1
		expect([...result.m]).toEqual([3, 2, 4, 1]);
	});

	it('custom ordered rules on the bin scale, warning above 15 segments', () => {
		const rules = [{ name: 'Recent', r: [3, 5] as [number, number] }, { name: 'Everyone' }];
		const { result } = run('sum', rules);
		expect([...result.segment].map((k) => result.segmentNames[k])).toEqual(['Recent', 'Everyone', 'Recent', 'Everyone']);
		expect(result.warnings).toEqual([]);
		const many = Array.from({ length: 16 }, (_, i) => ({ name: `S${i}` }));
		expect(run('sum', many).result.warnings[0]).toMatch(/16 segments are configured/);
		expect(() => run('sum', [{ name: 'Bad', r: [0, 9] }])).toThrow(/outside 1-5/);
		expect(() => run('sum', undefined, 11)).toThrow(/3 to 10/);
	});
});

describe('money and time parsing', () => {
	it('money in minor units without float drift', () => {
		expect(parseDecimalString('19.99')).toBe(1999);
		expect(parseDecimalString('0.1')).toBe(10);
		expect(parseDecimalString('-3.005')).toBe(-301);
		expect(parseDecimalString('12')).toBe(1200);
		expect(parseDecimalString('1.2.3')).toBeUndefined();
		expect(parseDecimalString('abc')).toBeUndefined();
		expect(parseDecimalString('')).toBeUndefined();
		expect(parseMoneyMinor(0.1 + 0.2)).toBe(30);
		expect(parseMoneyMinor(19.99)).toBe(1999);
		expect(parseMoneyMinor(NaN)).toBeUndefined();
		expect(parseMoneyMinor(null)).toBeUndefined();
		expect(parseMoneyMinor('7', 0)).toBe(7);
		const b = Buffer.from('x,19.995, -4.5,.5,5.,-,1e3');
		expect(parseDecimalBytes(b, 2, 8)).toBe(2000);
		expect(parseDecimalBytes(b, 9, 14)).toBe(-450);
		expect(parseDecimalBytes(b, 15, 17)).toBe(50);
		expect(parseDecimalBytes(b, 18, 20)).toBe(500);
		expect(parseDecimalBytes(b, 21, 22)).toBeUndefined();
		expect(parseDecimalBytes(b, 23, 26)).toBeUndefined();
	});

	it('timestamps', () => {
		expect(parseTimeMs('2024-03-01')).toBe(Date.UTC(2024, 2, 1));
		expect(parseTimeMs('2024-03-01T10:20:30.5Z')).toBe(Date.UTC(2024, 2, 1, 10, 20, 30, 500));
		expect(parseTimeMs('2024-03-01T10:00:00+01:00')).toBe(Date.UTC(2024, 2, 1, 9));
		expect(parseTimeMs('19970101')).toBe(Date.UTC(1997, 0, 1));
		expect(parseTimeMs(1700000000)).toBe(1700000000000);
		expect(parseTimeMs(1700000000000)).toBe(1700000000000);
		expect(parseTimeMs('2024-02-30')).toBeUndefined();
		expect(parseTimeMs('yesterday-ish')).toBeUndefined();
		expect(parseTimeMs('')).toBeUndefined();
		expect(parseTimeMs({})).toBeUndefined();
	});

	it('a whole number that is a YYYYMMDD date (19000101-29991231) is that date; other numbers stay epoch seconds/ms', () => {
		expect(parseTimeMs(20240110)).toBe(Date.UTC(2024, 0, 10)); // before: 20240110 s = 1970-08-23T06:15:10Z
		expect(parseTimeMs(20240110)).toBe(parseTimeMs('20240110'));
		expect(parseTimeMs(19000101)).toBe(Date.UTC(1900, 0, 1));
		expect(parseTimeMs(29991231)).toBe(Date.UTC(2999, 11, 31));
		expect(parseTimeMs(20240229)).toBe(Date.UTC(2024, 1, 29)); // leap day
		// not a calendar date, outside the years, or not whole: epoch seconds as before
		expect(parseTimeMs(20230229)).toBe(20230229 * 1000);
		expect(parseTimeMs(20241340)).toBe(20241340 * 1000);
		expect(parseTimeMs(18991231)).toBe(18991231 * 1000);
		expect(parseTimeMs(30000101)).toBe(30000101 * 1000);
		expect(parseTimeMs(20240110.5)).toBe(20240110500);
		expect(parseTimeMs(-20240110)).toBe(-20240110 * 1000);
	});
});

describe('threshold scoring equals the definition', () => {
	it('on random data with ties, every bin count, both directions', () => {
		let seed = 9;
		const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
		for (const n of [1, 2, 3, 7, 10, 101, 1000]) {
			const values = Float64Array.from({ length: n }, () => Math.floor(rnd() * (n / 3 + 1)));
			for (let bins = 3; bins <= 10; bins++) {
				for (const invert of [false, true]) {
					expect([...quantileScores(values, bins, invert).scores]).toEqual([...quantileScoresBySearch(values, bins, invert)]);
				}
			}
		}
	});
});
