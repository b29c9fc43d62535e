/**
 * One reading of rule values for the twins: Render Email's structured block rules and Customer
 * Segments' trait conditions decide every case below alike (rules/compare.ts). Expected values are
 * hand-computed; the comment on each says why, and which engine decided it otherwise before the
 * shared module (R: Render Email, S: Customer Segments).
 *
 * Epochs used: 2024-05-31T00:00:00Z = 1717113600 s, 2024-06-01T00:00:00Z = 1717200000 s,
 * 2024-06-02T00:00:00Z = 1717286400 s (19,874 / 19,875 / 19,876 days since 1970-01-01 × 86,400 s;
 * 19,875 = 54 × 365 + 13 leap days (1972…2020) + 152 days of 2024 to June 1).
 */
import { evaluateRule } from '../../../nodes/engines/render';
import { evaluateSegments, type SegmentRule } from '../../../nodes/engines/segments/rules';

type Op = 'equals' | 'notEquals' | 'contains' | 'gt' | 'lt';
const SEGMENTS_OP = { equals: 'equals', notEquals: 'notEquals', contains: 'contains', gt: 'greaterThan', lt: 'lessThan' } as const;

const render = (field: unknown, op: Op, value: unknown) => evaluateRule({ field: 'f', operator: op, value }, { f: field });
const segments = (field: unknown, op: Op, value: unknown) => {
	const rule = { name: 'S', match: 'all', conditions: [{ type: 'trait', field: 'f', operator: SEGMENTS_OP[op], value }] } as SegmentRule;
	return evaluateSegments([rule], { profile: { f: field }, events: [], nowMs: Date.UTC(2024, 5, 15, 12) }).segments.length === 1;
};

const cases: Array<[field: unknown, op: Op, value: unknown, expected: boolean, why: string]> = [
	// equals: numbers and numeric text
	['5.0', 'equals', '5', true, 'both the number 5 (R: false, compared as text)'],
	['007', 'equals', '7', true, 'both the number 7 (R: false)'],
	['1e3', 'equals', '1000', true, '1e3 is decimal numeric text for 1000 (R: false)'],
	[5, 'equals', ' 5.00 ', true, 'a number and numeric text with spaces: 5 and 5'],
	['5.0', 'notEquals', '5', false, 'the same number (R: true)'],
	['12345678901234567890', 'equals', '12345678901234567891', false, '20 significant digits: ids stay text (as doubles both are 12345678901234567000)'],
	['0x10', 'equals', 16, false, 'hexadecimal text is no number (R: true, Number("0x10") = 16)'],
	['0b111', 'equals', 7, false, 'binary text is no number (R: true)'],
	['1e400', 'equals', '2e400', false, 'past the double range: no number, two different texts (S: true, both Infinity)'],
	['1e-400', 'equals', '0', false, 'underflow: 1e-400 is not 0 (S: true)'],
	[0, 'equals', false, false, '0 is not false'],
	[0, 'equals', ' ', false, 'blank text is not 0'],
	// equals: text, true/false, dates
	[true, 'equals', 'True', true, 'true/false as text without case (R: false)'],
	['Gold ', 'equals', 'gold', true, 'text trimmed and without case (S: false, not trimmed)'],
	['2024-03-01T00:00:00Z', 'equals', '2024-03-01', true, 'one moment: 2024-03-01 is midnight UTC (R: false)'],
	// contains
	[['5.0', 'x'], 'contains', '5', true, 'a list element equal to 5 (R: false)'],
	[75001, 'contains', '750', true, 'a number as its text "75001" (S: false)'],
	['Northwind VIP', 'contains', 'vip', true, 'text, without case'],
	[true, 'contains', 'ru', false, 'true/false contain nothing (R: true, "true" holds "ru")'],
	[{ a: 1 }, 'contains', 'object', false, 'an object contains nothing (R: true, "[object Object]")'],
	// gt / lt: numbers
	['0x10', 'gt', 5, false, 'hexadecimal text is no number (R: true, 16 > 5)'],
	['0b111', 'gt', 5, false, 'binary text is no number (R: true, 7 > 5)'],
	['Infinity', 'gt', 5, false, '"Infinity" is no number (R: true)'],
	[' 16 ', 'gt', 5, true, '16 > 5'],
	['1.6e1', 'lt', '17', true, '16 < 17'],
	[true, 'gt', 0, false, 'true/false are no numbers'],
	// gt / lt: a date on either side makes both moments
	[1717200000, 'gt', '2024-05-31', true, 'epoch seconds of 2024-06-01 (S: false, 1717200000 against milliseconds 1717113600000)'],
	[1717200000000, 'lt', '2024-06-02', true, 'epoch milliseconds of 2024-06-01 (≥ 1e11)'],
	['2024-06-01T00:00:00Z', 'lt', 1717286400, true, 'before 2024-06-02 (R: false, an ISO date was NaN; S: false, milliseconds against seconds)'],
	['2024-06-01T00:00:00Z', 'gt', 1717286400, false, 'not after 2024-06-02 (S: true)'],
	[20240601, 'gt', '2024-05-31', true, 'a whole number that is a YYYYMMDD date is that date, as the text is (before: epoch seconds, 1970-08-23)'],
	['20240601', 'gt', '2024-05-31', true, 'YYYYMMDD text is a date, as timestamps are read (S: false, 20240601 against milliseconds)'],
	['2024-06-01T01:00:00', 'gt', '2024-06-01T00:30:00Z', true, 'a date-time without a zone is UTC'],
	['June 1, 2024', 'gt', '2024-05-01', false, 'date text other than ISO is no date (R: true, read in the server\'s time zone)'],
	['06/01/2024', 'lt', '2024-12-31', false, 'June 1 or January 6: no date (R: true)'],
	['soon', 'lt', '2024-06-01', false, 'no date'],
];

describe('Render Email rules and Customer Segments conditions read values alike (hand-computed)', () => {
	it.each(cases)('%j %s %j → %s (%s)', (field, op, value, expected) => {
		expect([render(field, op, value), segments(field, op, value)]).toEqual([expected, expected]);
	});
});
