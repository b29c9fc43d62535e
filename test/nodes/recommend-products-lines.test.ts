/**
 * Recommend Products → Train / Evaluate through the real n8n engine: what an input line counts as,
 * and the training parameters' ranges. Each case failed on the code before its fix:
 * - a line of quantity 0 bought nothing: it is skipped (it counted as one purchase);
 * - a Type Field value other than a purchase or a view is refused naming the item and the field
 *   (a "cart" or "wishlist" line counted as a purchase);
 * - a parameter out of range fails the node naming the parameter (a model was trained with it).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const items = (list: IDataObject[]): INodeExecutionData[] => list.map((json) => ({ json }));
const line = (customer_id: string, product_id: string, quantity?: number | string, extra: IDataObject = {}): IDataObject => ({
	customer_id,
	product_id,
	...(quantity === undefined ? {} : { quantity }),
	...extra,
});
const trainParams = { operation: 'train', similarity: 'cosine', neighbors: 20, trainOptions: { minSupport: 2 } };
const train = (input: IDataObject[], params: IDataObject = {}, onError?: 'continueRegularOutput') =>
	runWorkflow({ nodes: [node('Train', 'recommendProducts', { ...trainParams, ...params }, onError ? { onError } : {})], connections: {} }, { input: items(input) });

interface Model {
	stats: IDataObject;
	bestSellers: string[];
	products: Array<{ product_id: string; buyers: number; units: number; neighbors: unknown[] }>;
}
const modelOf = (result: Awaited<ReturnType<typeof train>>): Model => result.items('Train')[0].json.model as unknown as Model;

describe('Train: a line of quantity 0 is not a purchase', () => {
	// By hand: c1 bought A (B at quantity 0: nothing), c2 bought A and B, c3 only C at quantity 0.
	// Purchases: c1 A, c2 A, c2 B = 3; customers c1, c2; products A, B. A: 2 buyers, 2 units;
	// B: 1 buyer, 1 unit. A and B share one customer (c2) < Minimum Shared Customers 2: no neighbours.
	const expected = {
		stats: { interactions: 3, purchases: 3, views: 0, customers: 2, products: 2, productsWithNeighbors: 0, neighborLinks: 0 },
		bestSellers: ['A', 'B'],
		products: [
			{ product_id: 'A', buyers: 2, units: 2, neighbors: [] },
			{ product_id: 'B', buyers: 1, units: 1, neighbors: [] },
		],
	};

	it('flat order lines (quantity 0 as a number or as text)', async () => {
		const result = await train([line('c1', 'A', 1), line('c1', 'B', 0), line('c2', 'A', 1), line('c2', 'B', 1), line('c3', 'C', '0')]);
		expect(result.error).toBeUndefined();
		expect(modelOf(result)).toMatchObject(expected);
		// the skipped lines were read without fault: the model item is paired with every line
		expect(result.items('Train')[0].pairedItem).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
	});

	it('canonical Order Completed events (a product of quantity 0 in the order)', async () => {
		const order = (userId: string, products: IDataObject[]) => ({ type: 'track', event: 'Order Completed', userId, timestamp: '2025-01-01T00:00:00Z', properties: { products }, context: { source: 'test' } });
		const result = await train([
			order('c1', [{ product_id: 'A', quantity: 1 }, { product_id: 'B', quantity: 0 }]),
			order('c2', [{ product_id: 'A', quantity: 1 }, { product_id: 'B', quantity: 1 }]),
			order('c3', [{ product_id: 'C', quantity: 0 }]),
		]);
		expect(result.error).toBeUndefined();
		expect(modelOf(result)).toMatchObject(expected);
	});

	it('a negative quantity in an order is refused naming the item and the field', async () => {
		const result = await train([
			line('c1', 'A', 1),
			{ type: 'track', event: 'Order Completed', userId: 'c2', timestamp: '2025-01-01T00:00:00Z', properties: { products: [{ product_id: 'A', quantity: 1 }, { sku: 'B', quantity: -1 }] }, context: { source: 'test' } },
		]);
		expect(result.error?.message).toBe('Item 1: Field "properties.products[1].quantity" (quantity) is not a number >= 0');
		expect((result.nodes.Train.error as unknown as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
	});

	it('Evaluate skips them too: a customer whose second product was bought at quantity 0 is not evaluated', async () => {
		// c1 bought A, then B at quantity 0; c2 bought A then B; c3 bought A then B. Customers with a
		// purchase: 3. Evaluated (two
		// distinct purchased products): c2 and c3 only, each with B held out.
		const t = (day: number) => `2025-01-0${day}T00:00:00Z`;
		const lines = [
			line('c1', 'A', 1, { timestamp: t(1) }),
			line('c1', 'B', 0, { timestamp: t(2) }),
			line('c2', 'A', 1, { timestamp: t(1) }),
			line('c2', 'B', 1, { timestamp: t(2) }),
			line('c3', 'A', 1, { timestamp: t(1) }),
			line('c3', 'B', 1, { timestamp: t(2) }),
		];
		const result = await runWorkflow({ nodes: [node('Evaluate', 'recommendProducts', { ...trainParams, operation: 'evaluate', evaluateCount: 1 })], connections: {} }, { input: items(lines) });
		expect(result.error).toBeUndefined();
		expect(result.items('Evaluate')[0].json).toMatchObject({ customers: 3, customers_evaluated: 2 });
	});
});

describe('Train: the Type Field', () => {
	it('"purchase", "order", "Order Completed", empty → purchases; "view", "View", "Product Viewed" → views (any case)', async () => {
		const result = await train(
			[
				line('c1', 'A', 1, { type: 'purchase' }),
				line('c1', 'B', 1, { type: 'Order Completed' }),
				line('c2', 'A', 1, { type: '' }),
				line('c2', 'B', 1, { type: 'order' }),
				line('c3', 'C', undefined, { type: 'view' }),
				line('c3', 'D', undefined, { type: 'View' }),
				line('c3', 'E', undefined, { type: 'Product Viewed' }),
				line('c3', 'A', 1),
			],
			{ trainOptions: { minSupport: 1 } },
		);
		expect(result.error).toBeUndefined();
		expect(modelOf(result).stats).toMatchObject({ purchases: 5, views: 3, customers: 3, products: 5 });
	});

	it('another value ("cart") is refused naming the item and the field, not counted as a purchase', async () => {
		const lines = [line('c1', 'A', 1), line('c1', 'B', 1), line('c2', 'A', 1, { type: 'cart' }), line('c2', 'B', 1)];
		const result = await train(lines);
		expect(result.error?.message).toBe(
			'Item 2: Field "type" (type) is "cart": use "purchase" (or leave it empty) for an order line, "view" for a product view; if this field means something else, change or clear the Type Field option',
		);
		expect(result.nodes.Train.error?.description).toBe('Field: type');
		expect((result.nodes.Train.error as unknown as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(2);

		// with Continue On Fail, the line gets its own error item and the model is trained on the others:
		// purchases c1 A, c1 B, c2 B = 3; A and B share only c1 (< 2): no neighbours
		const cof = await train(lines, {}, 'continueRegularOutput');
		expect(cof.error).toBeUndefined();
		const [modelItem, errorItem] = cof.items('Train');
		expect(modelItem.pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 3 }]);
		expect((modelItem.json.stats as IDataObject).purchases).toBe(3);
		expect(errorItem).toEqual({ json: { error: expect.stringMatching(/^Item 2: Field "type" \(type\) is "cart"/) }, pairedItem: { item: 2 } });
	});

	it('a number in the Type Field is refused too; with the Type Field cleared every line is a purchase', async () => {
		const result = await train([line('c1', 'A', 1, { type: 3 })]);
		expect(result.error?.message).toMatch(/^Item 0: Field "type" \(type\) is 3: /);
		// e.g. a "type" column that holds the product type
		const cleared = await train([line('c1', 'A', 1, { type: 'shirt' }), line('c1', 'B', 1, { type: 'hat' })], { trainOptions: { minSupport: 2, typeField: '' } });
		expect(cleared.error).toBeUndefined();
		expect(modelOf(cleared).stats).toMatchObject({ purchases: 2, views: 0 });
	});
});

describe('Train and Evaluate: parameters out of range fail the node naming the parameter', () => {
	const lines = [line('c1', 'A', 1), line('c1', 'B', 1), line('c2', 'A', 1), line('c2', 'B', 1)];
	it.each<[string, IDataObject, string]>([
		['neighbors 0', { neighbors: 0 }, 'Parameter "Neighbours per Product" must be a whole number from 1 to 200, got 0'],
		['neighbors 2.5', { neighbors: 2.5 }, 'Parameter "Neighbours per Product" must be a whole number from 1 to 200, got 2.5'],
		['neighbors 500', { neighbors: 500 }, 'Parameter "Neighbours per Product" must be a whole number from 1 to 200, got 500'],
		['a negative half-life', { halfLifeDays: -30 }, 'Parameter "Time Decay Half-Life (Days)" must be a number of at least 0, got -30'],
		['half-life as text', { halfLifeDays: '30' }, 'Parameter "Time Decay Half-Life (Days)" must be a number of at least 0, got "30"'],
		['Training View Weight 2', { trainOptions: { viewWeight: 2 } }, 'Parameter "Training View Weight" must be a number from 0 to 1, got 2'],
		['Minimum Shared Customers 0', { trainOptions: { minSupport: 0 } }, 'Parameter "Minimum Shared Customers" must be a whole number of at least 1, got 0'],
		['Max Products per Customer 0', { trainOptions: { maxProductsPerCustomer: 0 } }, 'Parameter "Max Products per Customer" must be a whole number of at least 1, got 0'],
		['Best Sellers Kept -1', { trainOptions: { bestSellers: -1 } }, 'Parameter "Best Sellers Kept" must be a whole number of at least 0, got -1'],
		['Best Sellers per Category 1.5', { trainOptions: { bestSellersPerCategory: 1.5 } }, 'Parameter "Best Sellers per Category" must be a whole number of at least 0, got 1.5'],
		['an unknown similarity', { similarity: 'pearson' }, 'Parameter "Similarity" must be one of cosine, jaccard, llr, got "pearson"'],
	])('%s', async (_, params, message) => {
		for (const operation of ['train', 'evaluate']) {
			const result = await runWorkflow({ nodes: [node('N', 'recommendProducts', { ...trainParams, ...params, operation })], connections: {} }, { input: items(lines) });
			expect(result.error?.message).toBe(message);
			expect(result.nodes.N.error?.name).toBe('NodeOperationError');
			// the parameter's internal name too: the one key set in the case
			expect(result.nodes.N.error?.description).toBe(`Parameter: ${Object.keys((params.trainOptions as IDataObject | undefined) ?? params)[0]}`);
		}
	});

	it('in range, including the bounds, trains (Best Sellers Kept 0: no best sellers)', async () => {
		const result = await train(lines, { neighbors: 200, halfLifeDays: 0, trainOptions: { viewWeight: 1, minSupport: 1, maxProductsPerCustomer: 1, bestSellers: 0, bestSellersPerCategory: 0 } });
		expect(result.error).toBeUndefined();
		expect(modelOf(result).bestSellers).toEqual([]);
	});

	it('with Continue On Fail, one error item paired with the lines', async () => {
		const result = await train(lines, { neighbors: 0 }, 'continueRegularOutput');
		expect(result.items('Train')).toEqual([
			{ json: { error: 'Parameter "Neighbours per Product" must be a whole number from 1 to 200, got 0' }, pairedItem: [0, 1, 2, 3].map((item) => ({ item })) },
		]);
	});
});

describe('Train: one order counts once', () => {
	// Shopify sends an order as Order Completed (orders/create) and again as Order Paid
	// (orders/paid); a retried webhook repeats an event. By hand, counting each order once:
	// c1 O1 (A×1, B×2), c2 O2 (A×1), c3 O3 (B×1, only its Order Paid): 4 purchase lines;
	// A: buyers c1, c2 = 2, units 1 + 1 = 2; B: buyers c1, c3 = 2, units 2 + 1 = 3.
	// Counting every event (the former reading): 7 lines, A 4 units, B 5 units.
	const order = (event: string, userId: string, orderId: string, products: IDataObject[], messageId: string) => ({
		type: 'track',
		event,
		userId,
		messageId,
		timestamp: '2025-01-01T00:00:00Z',
		properties: { order_id: orderId, products },
		context: { source: 'shopify' },
	});
	const o1 = [{ product_id: 'A', quantity: 1 }, { product_id: 'B', quantity: 2 }];

	it('Order Completed then Order Paid of the same order, and a retried copy, add nothing', async () => {
		const result = await train([
			order('Order Completed', 'c1', 'O1', o1, 'm1'),
			order('Order Paid', 'c1', 'O1', o1, 'm2'),
			order('Order Completed', 'c2', 'O2', [{ product_id: 'A', quantity: 1 }], 'm3'),
			order('Order Completed', 'c2', 'O2', [{ product_id: 'A', quantity: 1 }], 'm3'),
			order('Order Paid', 'c3', 'O3', [{ product_id: 'B', quantity: 1 }], 'm4'),
		]);
		expect(result.error).toBeUndefined();
		const model = modelOf(result);
		expect(model.stats).toMatchObject({ interactions: 4, purchases: 4, customers: 3, products: 2 });
		const byId = Object.fromEntries(model.products.map((p) => [p.product_id, { buyers: p.buyers, units: p.units }]));
		expect(byId).toEqual({ A: { buyers: 2, units: 2 }, B: { buyers: 2, units: 3 } });
		expect(result.items('Train')[0].pairedItem).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
	});

	it('the same order id of two customers is two orders; orders without an id are each read', async () => {
		const result = await train([
			order('Order Completed', 'c1', '1001', [{ product_id: 'A', quantity: 1 }], 'n1'),
			order('Order Completed', 'c2', '1001', [{ product_id: 'A', quantity: 1 }], 'n2'),
			{ ...order('Order Completed', 'c3', '', [{ product_id: 'A', quantity: 1 }], 'n3'), properties: { products: [{ product_id: 'A', quantity: 1 }] } },
			{ ...order('Order Completed', 'c3', '', [{ product_id: 'A', quantity: 1 }], 'n4'), properties: { products: [{ product_id: 'A', quantity: 1 }] } },
		]);
		expect(result.error).toBeUndefined();
		const model = modelOf(result);
		expect(model.products.map((p) => [p.product_id, p.buyers, p.units])).toEqual([['A', 3, 4]]);
	});
});

describe('Recommend: an order event as the customer reads its products as Train does', () => {
	// A model by hand: A's neighbours B (0.8) and C (0.5); B's and C's, A. No best sellers (Fill none).
	const model = {
		kind: 'pz-reco-model',
		version: 1,
		trainedAt: '2025-01-01T00:00:00.000Z',
		similarity: 'cosine',
		params: { similarity: 'cosine', neighbors: 20, halfLifeDays: 0, viewWeight: 0.3, maxProductsPerCustomer: 200, minSupport: 2, bestSellers: 100, bestSellersPerCategory: 20, asOf: null },
		stats: { interactions: 6, purchases: 6, views: 0, customers: 3, products: 3, productsWithNeighbors: 3, neighborLinks: 4 },
		bestSellers: [],
		bestSellersByCategory: {},
		products: [
			{ product_id: 'A', name: 'Kettle', buyers: 3, units: 3, neighbors: [['B', 0.8], ['C', 0.5]] },
			{ product_id: 'B', name: 'Teapot', buyers: 2, units: 2, neighbors: [['A', 0.8]] },
			{ product_id: 'C', name: 'Mug', buyers: 1, units: 1, neighbors: [['A', 0.5]] },
		],
	};
	const order = (products: IDataObject[], event = 'Order Completed') => ({ type: 'track', event, userId: 'c1', timestamp: '2025-01-02T00:00:00Z', properties: { order_id: 'O1', products }, context: { source: 'test' } });
	const recommend = (input: IDataObject[], onError?: 'continueRegularOutput') =>
		runWorkflow(
			{ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model: JSON.stringify(model), count: 3, fill: 'none' }, onError ? { onError } : {})], connections: {} },
			{ input: items(input) },
		);

	it('a product of quantity 0 (number or text) was not bought: not excluded, not a seed', async () => {
		// By hand: purchased = A only (B at quantity 0, C at "0": nothing). Seed A, weight 1 (the only
		// purchase): B scores 1 · 0.8 = 0.8, C 1 · 0.5 = 0.5, both recommended for A.
		// Former reading: A, B and C all purchased, so all excluded: no recommendation at all.
		for (const event of ['Order Completed', 'Order Paid']) {
			const result = await recommend([order([{ product_id: 'A', quantity: 1 }, { product_id: 'B', quantity: 0 }, { sku: 'C', quantity: '0' }], event)]);
			expect(result.error).toBeUndefined();
			expect(result.items('Recommend')[0].json.recommendations).toEqual([
				{ product_id: 'B', rank: 1, score: 0.8, reason: 'Bought together with Kettle', reason_code: 'bought_together', because_product_id: 'A', name: 'Teapot' },
				{ product_id: 'C', rank: 2, score: 0.5, reason: 'Bought together with Kettle', reason_code: 'bought_together', because_product_id: 'A', name: 'Mug' },
			]);
		}
	});

	it('a negative quantity is refused naming the item and the field, as Train refuses it', async () => {
		const input = [order([{ product_id: 'A', quantity: 1 }]), order([{ product_id: 'A', quantity: 1 }, { product_id: 'B', quantity: -1 }])];
		const result = await recommend(input);
		expect(result.error?.message).toBe('Item 1: Field "properties.products[1].quantity" (quantity) is not a number >= 0');
		expect(result.nodes.Recommend.error?.description).toBe('Field: properties.products[1].quantity');
		expect((result.nodes.Recommend.error as unknown as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);

		// Continue On Fail: item 0 recommended (A bought: B 0.8, C 0.5), item 1 an error item of its own
		const cof = await recommend(input, 'continueRegularOutput');
		expect(cof.error).toBeUndefined();
		const [first, second] = cof.items('Recommend');
		expect((first.json.recommendations as IDataObject[]).map((r) => [r.product_id, r.score])).toEqual([['B', 0.8], ['C', 0.5]]);
		expect(first.pairedItem).toEqual({ item: 0 });
		expect(second).toEqual({ json: { error: 'Item 1: Field "properties.products[1].quantity" (quantity) is not a number >= 0' }, pairedItem: { item: 1 } });
	});
});
