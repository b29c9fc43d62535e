/**
 * Rule values come from profiles, and profile traits from end users (a Segment identify sent by
 * the browser, a checkout form): a trait of tens of thousands of digits must cost a comparison
 * microseconds, not seconds. Before the fix the numeric-text check (`\d+\.?\d*`) tried every way to
 * split a run of digits: a 50,000-digit value took about 5 s per comparison, 100,000 about 20 s,
 * with the n8n process blocked all that time (a regular expression is not interrupted by Render
 * Email's time limit). The bound below is generous for a shared machine; the fixed check takes
 * well under a millisecond.
 */
import { evaluateRule } from '../../../nodes/engines/render';
import { numberOf } from '../../../nodes/engines/rules/compare';
import { evaluateSegments, type SegmentRule } from '../../../nodes/engines/segments/rules';

const LONG = '7'.repeat(100_000);

function elapsed(run: () => unknown): number {
	const start = process.hrtime.bigint();
	run();
	return Number(process.hrtime.bigint() - start) / 1e6;
}

describe('rule values of hostile length', () => {
	it('reads a long run of digits followed by a non-digit as no number, in linear time', () => {
		let read: number | undefined = 0;
		expect(elapsed(() => (read = numberOf(`${LONG}x`)))).toBeLessThan(250);
		expect(read).toBeUndefined();
	});

	it('still reads decimal numeric text as before', () => {
		// hand-read: each is the decimal number written
		expect(numberOf(' 5 ')).toBe(5);
		expect(numberOf('5.')).toBe(5);
		expect(numberOf('.5')).toBe(0.5);
		expect(numberOf('-5.25e2')).toBe(-525);
		expect(numberOf('+1E3')).toBe(1000);
		expect(numberOf('1.2.3')).toBeUndefined();
		expect(numberOf('.')).toBeUndefined();
		expect(numberOf('e5')).toBeUndefined();
		expect(numberOf('0x10')).toBeUndefined();
	});

	it('a Render Email block rule and a Customer Segments condition on such a trait decide quickly (no match)', () => {
		const value = `${LONG}.5!`;
		let shown = true;
		expect(elapsed(() => (shown = evaluateRule({ field: 'f', operator: 'gt', value: 10 }, { f: value })))).toBeLessThan(250);
		expect(shown).toBe(false);
		const rule = { name: 'S', match: 'all', conditions: [{ type: 'trait', field: 'f', operator: 'greaterThan', value: 10 }] } as SegmentRule;
		let matched = 1;
		expect(elapsed(() => (matched = evaluateSegments([rule], { profile: { f: value }, events: [], nowMs: 0 }).segments.length))).toBeLessThan(250);
		expect(matched).toBe(0);
	});
});
