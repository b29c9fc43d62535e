/**
 * Marketer / operator review of Recommend Products (Train and Recommend), through the real n8n
 * engine. Expected values are computed by hand in the comments.
 */
import type { INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

// Tiny catalogue, one unit each, cosine, Minimum Shared Customers 1.
//   c1: A B · c2: A B C · c3: A C · c4: B D · c5: D E
// Customer vectors (c1..c5): A = 11100 (3 buyers), B = 11010 (3), C = 01100 (2), D = 00011 (2), E = 00001 (1)
//   cos(A,B) = 2/sqrt(3·3) = 0.666667   cos(A,C) = 2/sqrt(3·2) = 0.816497
//   cos(B,C) = 1/sqrt(3·2) = 0.408248   cos(B,D) = 1/sqrt(3·2) = 0.408248   cos(D,E) = 1/sqrt(2·1) = 0.707107
//   A-D, A-E, B-E, C-D, C-E share no customer: not neighbours.
// Best sellers (distinct buyers, then units, then id): A 3, B 3, C 2, D 2, E 1 → A, B, C, D, E.
const pairs = [['c1', 'A'], ['c1', 'B'], ['c2', 'A'], ['c2', 'B'], ['c2', 'C'], ['c3', 'A'], ['c3', 'C'], ['c4', 'B'], ['c4', 'D'], ['c5', 'D'], ['c5', 'E']];
const orderLines: INodeExecutionData[] = pairs.map(([c, p]) => ({ json: { customer_id: c, product_id: p, quantity: 1 } }));
const trainParams = { operation: 'train', similarity: 'cosine', neighbors: 20, trainOptions: { minSupport: 1 } };

async function trainModel(lines: INodeExecutionData[] = orderLines): Promise<Record<string, unknown>> {
	const trained = await runWorkflow({ nodes: [node('Train', 'recommendProducts', trainParams)], connections: {} }, { input: lines });
	expect(trained.error).toBeUndefined();
	return trained.items('Train')[0].json.model as Record<string, unknown>;
}

async function recommendFor(model: Record<string, unknown>, customers: INodeExecutionData[], params: Record<string, unknown> = {}, extra = {}) {
	return runWorkflow(
		{ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model: JSON.stringify(model), count: 3, ...params }, extra)], connections: {} },
		{ input: customers },
	);
}

type Rec = { product_id: string; rank: number; score: number; reason_code: string; reason: string; because_product_id?: string };
const recsOf = (item: INodeExecutionData): Rec[] => item.json.recommendations as Rec[];

describe('hand-computed cosine recommendations (tiny catalogue)', () => {
	it('the model holds the hand-computed neighbours, most similar first', async () => {
		const model = await trainModel();
		const neighbours = Object.fromEntries((model.products as Array<{ product_id: string; neighbors: unknown }>).map((p) => [p.product_id, p.neighbors]));
		expect(neighbours).toEqual({
			A: [['C', 0.816497], ['B', 0.666667]],
			B: [['A', 0.666667], ['C', 0.408248], ['D', 0.408248]],
			C: [['A', 0.816497], ['B', 0.408248]],
			D: [['E', 0.707107], ['B', 0.408248]],
			E: [['D', 0.707107]],
		});
		expect(model.bestSellers).toEqual(['A', 'B', 'C', 'D', 'E']);
	});

	it('bought B: A 0.6667, then C and D tied at 0.4082 in product-id order; B itself never', async () => {
		const model = await trainModel();
		const result = await recommendFor(model, [{ json: { purchased_products: ['B'] } }]);
		expect(recsOf(result.items('Recommend')[0]).map((r) => [r.product_id, r.score, r.reason_code, r.reason])).toEqual([
			['A', 0.6667, 'bought_together', 'Bought together with B'],
			['C', 0.4082, 'bought_together', 'Bought together with B'],
			['D', 0.4082, 'bought_together', 'Bought together with B'],
		]);
	});

	it('bought A then B (B most recent: weight 1, A 0.9): C = 0.9·0.816497 + 0.408248 = 1.1431 (because of A), D 0.4082, then best seller E', async () => {
		const model = await trainModel();
		const result = await recommendFor(model, [{ json: { purchased_products: ['A', 'B'] } }]);
		expect(recsOf(result.items('Recommend')[0]).map((r) => [r.product_id, r.score, r.reason_code, r.because_product_id])).toEqual([
			['C', 1.1431, 'bought_together', 'A'],
			['D', 0.4082, 'bought_together', 'B'],
			['E', 0, 'best_seller', undefined],
		]);
	});

	it('a viewed product (weight 0.5) adds its neighbours: bought B, viewed D → A, C, D, then E = 0.5·0.707107 = 0.3536 "similar to D"', async () => {
		const model = await trainModel();
		const result = await recommendFor(model, [{ json: { purchased_products: ['B'], viewed_products: ['D'] } }], { count: 4 });
		expect(recsOf(result.items('Recommend')[0]).map((r) => [r.product_id, r.score, r.reason])).toEqual([
			['A', 0.6667, 'Bought together with B'],
			['C', 0.4082, 'Bought together with B'],
			['D', 0.4082, 'Bought together with B'],
			['E', 0.3536, 'Similar to D, which you viewed'],
		]);
	});

	it('View Weight from an expression as text is its number (1: E = 1·0.707107 = 0.7071 first); a negative one fails naming the option', async () => {
		const model = await trainModel();
		const customer = [{ json: { purchased_products: ['B'], viewed_products: ['D'] } }];
		const one = await recommendFor(model, customer, { count: 4, recommendOptions: { viewSeedWeight: '={{ "1" }}' } });
		expect(recsOf(one.items('Recommend')[0]).map((r) => [r.product_id, r.score])).toEqual([
			['E', 0.7071],
			['A', 0.6667],
			['C', 0.4082],
			['D', 0.4082],
		]);
		// a negative weight dropped every view without a word
		const negative = await recommendFor(model, customer, { count: 4, recommendOptions: { viewSeedWeight: -1 } });
		expect(negative.error?.message).toContain('Option "Viewed Products Weight" must be a number of at least 0, got -1');
	});

	it('a cold-start customer (nothing known, or only products the model never saw) gets the best sellers in order', async () => {
		const model = await trainModel();
		const result = await recommendFor(model, [{ json: {} }, { json: { purchased_products: ['NEW-1'] } }]);
		for (const item of result.items('Recommend')) {
			expect(recsOf(item).map((r) => [r.product_id, r.reason_code])).toEqual([['A', 'best_seller'], ['B', 'best_seller'], ['C', 'best_seller']]);
		}
	});
});

describe('Recommend: Number of Products out of range', () => {
	it('0 from an expression fails naming the parameter, instead of an empty block for every customer', async () => {
		const model = await trainModel();
		const result = await recommendFor(model, [{ json: { purchased_products: ['B'] } }], { count: '={{ 0 }}' });
		expect(result.error?.message).toContain('Parameter "Number of Products" must be a number from 1 to 50 (a fraction is rounded down), got 0');
	});

	it('a negative or non-numeric count too; with Continue On Fail one error item per customer, paired', async () => {
		const model = await trainModel();
		for (const count of ['={{ -2 }}', '={{ 0.5 }}']) {
			const result = await recommendFor(model, [{ json: { purchased_products: ['B'] } }, { json: {} }], { count }, { onError: 'continueRegularOutput' });
			const items = result.items('Recommend');
			expect(items).toHaveLength(2);
			items.forEach((item, i) => {
				expect(item.json.error).toContain(`Item ${i}: Parameter "Number of Products" must be a number from 1 to 50 (a fraction is rounded down)`);
				expect(item.pairedItem).toEqual({ item: i });
			});
		}
	});

	it('numeric text from an expression is its number; other text is refused', async () => {
		const model = await trainModel();
		const ok = await recommendFor(model, [{ json: { purchased_products: ['B'], n: '2' } }], { count: '={{ $json.n }}' });
		expect(recsOf(ok.items('Recommend')[0]).map((r) => r.product_id)).toEqual(['A', 'C']);
		const bad = await recommendFor(model, [{ json: { purchased_products: ['B'], n: 'six' } }], { count: '={{ $json.n }}' });
		expect(bad.error?.message).toContain('Parameter "Number of Products" must be a number from 1 to 50 (a fraction is rounded down), got "six"');
	});

	it('above the editor\'s maximum of 50 from an expression (500, Infinity) fails naming the parameter: every product in every email', async () => {
		const model = await trainModel();
		for (const [count, shown] of [['={{ 500 }}', '500'], ['={{ "Infinity" }}', '"Infinity"'], ['={{ 50.5 }}', '50.5']]) {
			const result = await recommendFor(model, [{ json: { purchased_products: ['B'] } }], { count });
			expect(result.error?.message).toContain(`Parameter "Number of Products" must be a number from 1 to 50 (a fraction is rounded down), got ${shown}`);
		}
		const fifty = await recommendFor(model, [{ json: { purchased_products: ['B'] } }], { count: '={{ 50 }}' });
		expect(fifty.error).toBeUndefined();
	});

	it('a fractional count of at least 1 is still rounded down (README)', async () => {
		const model = await trainModel();
		const result = await recommendFor(model, [{ json: { purchased_products: ['B'] } }], { count: '={{ 2.7 }}' });
		expect(recsOf(result.items('Recommend')[0]).map((r) => r.product_id)).toEqual(['A', 'C']);
	});
});

describe('Train: product details come from the most recent line by time, not the last line of the input', () => {
	// An export sorted newest first (ORDER BY created_at DESC): the last input line is the oldest.
	const lines: INodeExecutionData[] = [
		{ json: { customer_id: 'c1', product_id: 'MUG', quantity: 1, timestamp: '2024-06-01T00:00:00Z', name: 'Mug, large', price: 12 } },
		{ json: { customer_id: 'c2', product_id: 'MUG', quantity: 1, timestamp: '2024-03-01T00:00:00Z', name: 'Mug', price: 10, category: 'Kitchen' } },
		{ json: { customer_id: 'c3', product_id: 'MUG', quantity: 1, timestamp: '2024-01-01T00:00:00Z', name: 'Mug', price: 8 } },
	];

	it('the model and the recommendation carry the June name and price; a key only older lines have is kept', async () => {
		const model = await trainModel(lines);
		expect((model.products as Array<Record<string, unknown>>)[0]).toMatchObject({ product_id: 'MUG', name: 'Mug, large', price: 12, category: 'Kitchen' });
		const result = await recommendFor(model, [{ json: {} }], { count: 1 });
		expect(recsOf(result.items('Recommend')[0])[0]).toMatchObject({ product_id: 'MUG', name: 'Mug, large', price: 12 });
	});

	it('the same whatever the input order; lines without a time never override a dated one', async () => {
		const undated = { json: { customer_id: 'c4', product_id: 'MUG', quantity: 1, name: 'Mug (old listing)', price: 5 } };
		for (const input of [[...lines].reverse(), [lines[1], undated, lines[0], lines[2]], [...lines, undated]]) {
			const model = await trainModel(input);
			expect((model.products as Array<Record<string, unknown>>)[0]).toMatchObject({ name: 'Mug, large', price: 12 });
		}
	});
});

describe('Train: category names that are also names of Object members', () => {
	it('"constructor" and "toString" are categories like any other (training failed with "list.push is not a function")', async () => {
		const lines: INodeExecutionData[] = [
			{ json: { customer_id: 'c1', product_id: 'X', category: 'constructor' } },
			{ json: { customer_id: 'c2', product_id: 'X', category: 'constructor' } },
			{ json: { customer_id: 'c1', product_id: 'Y', category: 'toString' } },
		];
		const model = await trainModel(lines);
		expect(model.bestSellersByCategory).toEqual({ constructor: ['X'], toString: ['Y'] });
		// viewed Y: X = 0.5 · cos(X, Y) = 0.5 · 1/sqrt(2·1) = 0.3536; the fill takes the toString category (Y, viewed but not excluded)
		const result = await recommendFor(model, [{ json: { viewed_products: ['Y'] } }], { count: 2 });
		expect(recsOf(result.items('Recommend')[0]).map((r) => [r.product_id, r.score, r.reason])).toEqual([['X', 0.3536, 'Similar to Y, which you viewed'], ['Y', 0, 'Popular in toString']]);
	});
});
