/**
 * Review of the reco engines: each case is hand-computed (see the comments), and each failed
 * on the code before its fix.
 */
import { evaluate } from '../../../nodes/engines/reco/evaluate';
import { interactionsFromItem, parseTime } from '../../../nodes/engines/reco/input';
import { compileModel, recommend } from '../../../nodes/engines/reco/recommend';
import { train } from '../../../nodes/engines/reco/train';
import type { Interaction } from '../../../nodes/engines/reco/types';

const buy = (customerId: string, productId: string): Interaction => ({ customerId, productId });
const view = (customerId: string, productId: string): Interaction => ({ customerId, productId, kind: 'view' });
const neighborsOf = (model: ReturnType<typeof train>, id: string) => model.products.find((p) => p.product_id === id)!.neighbors;

describe('View Weight 0 ignores views, also for Minimum Shared Customers', () => {
	// c1 bought A and B, c2 only viewed A and B, c3 bought A.
	const lines = [buy('c1', 'A'), buy('c1', 'B'), view('c2', 'A'), view('c2', 'B'), buy('c3', 'A')];

	it('one buyer of both is below a minimum support of 2 when views weigh 0', () => {
		expect(neighborsOf(train(lines, { viewWeight: 0, minSupport: 2 }), 'A')).toEqual([]);
		expect(neighborsOf(train(lines, { viewWeight: 0, minSupport: 2 }), 'B')).toEqual([]);
	});

	it('with support 1 the views still add nothing: A = [1, 0, 1], B = [1, 0, 0] → cos 1/sqrt(2) = 0.707107', () => {
		expect(neighborsOf(train(lines, { viewWeight: 0, minSupport: 1 }), 'A')).toEqual([['B', 0.707107]]);
	});

	it('views with a positive weight count as shared customers: A = [1, .3, 1], B = [1, .3, 0] → 1.09/sqrt(2.09·1.09) = 0.722171', () => {
		// bought share: c1 bought both (1·1) of the co-occurrence 1 + 0.3·0.3 = 1.09 → 1/1.09 = 0.9174
		expect(neighborsOf(train(lines, { viewWeight: 0.3, minSupport: 2 }), 'A')).toEqual([['B', 0.722171, 0.9174]]);
	});
});

describe('a fractional number of products', () => {
	// c1 bought A and B..F; x<p> bought A and p: A has five neighbours B..F
	const lines = ['B', 'C', 'D', 'E', 'F'].flatMap((p) => [buy('c1', 'A'), buy('c1', p), buy(`x${p}`, 'A'), buy(`x${p}`, p)]);
	const model = compileModel(train(lines, { minSupport: 1 }));

	it('recommends floor(count) products, not every neighbour', () => {
		// A has 5 neighbours (B..F); count 2.5 → 2 products
		expect(recommend(model, { purchased: ['A'] }, { count: 2.5 })).toHaveLength(2);
		expect(recommend(model, { purchased: ['A'] }, { count: 1.9 })).toHaveLength(1);
	});

	it('Evaluate refuses a list length that is not a whole number >= 1', () => {
		expect(() => evaluate(lines, { n: 2.5 })).toThrow('whole number');
		expect(() => evaluate(lines, { n: 0 })).toThrow('whole number');
	});
});

describe('epoch times as text (CSV, spreadsheets)', () => {
	it('reads "1735689600" (seconds) and "1735689600000" (ms) as 2025-01-01T00:00:00Z', () => {
		const t = Date.UTC(2025, 0, 1);
		expect(parseTime('1735689600', 'timestamp')).toBe(t);
		expect(parseTime('1735689600000', 'timestamp')).toBe(t);
		expect(parseTime(' 1735689600 ', 'timestamp')).toBe(t);
		expect(interactionsFromItem({ customer_id: 'c1', product_id: 'A', timestamp: '1735689600' })[0].time).toBe(t);
	});

	it('still refuses digits that are no epoch time, naming the field', () => {
		expect(() => parseTime('20250101', 'ordered_at')).toThrow('"ordered_at" is not a valid date');
	});
});
