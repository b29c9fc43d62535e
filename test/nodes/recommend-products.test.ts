import type { INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow } from '../harness/engine';

const T0 = Date.UTC(2025, 0, 1);
const day = 86_400_000;
const cat = (p: string): string => (p === 'D' || p === 'E' ? 'Garden' : 'Kitchen');
// c1: A B · c2: A B C · c3: A C · c4: B D · c5: D E (cosine A-B 0.666667, A-C 0.816497, B-D 0.408248, ...)
const pairs = [['c1', 'A'], ['c1', 'B'], ['c2', 'A'], ['c2', 'B'], ['c2', 'C'], ['c3', 'A'], ['c3', 'C'], ['c4', 'B'], ['c4', 'D'], ['c5', 'D'], ['c5', 'E']];
const orderLines: INodeExecutionData[] = pairs.map(([c, p], k) => ({
	json: { customer_id: c, product_id: p, quantity: 1, timestamp: new Date(T0 + k * day).toISOString(), name: `Product ${p}`, category: cat(p), price: 10, url: `https://shop.example/${p}` },
}));

const trainParams = { operation: 'train', similarity: 'cosine', neighbors: 20, trainOptions: { minSupport: 1 } };

describe('Recommend Products through the n8n engine', () => {
	it('trains a model from order lines: one item paired with every line', async () => {
		const result = await runWorkflow({ nodes: [node('Train', 'recommendProducts', trainParams)], connections: {} }, { input: orderLines });
		expect(result.error).toBeUndefined();
		const [item] = result.items('Train');
		expect(result.items('Train')).toHaveLength(1);
		expect(item.pairedItem).toEqual(orderLines.map((_, i) => ({ item: i })));
		const model = item.json.model as { products: Array<{ product_id: string; neighbors: unknown[]; name?: string }>; bestSellers: string[] };
		expect(model.products.find((p) => p.product_id === 'A')).toMatchObject({ name: 'Product A', neighbors: [['C', 0.816497], ['B', 0.666667]] });
		expect(model.bestSellers).toEqual(['A', 'B', 'C', 'D', 'E']);
		expect(item.json.stats).toMatchObject({ purchases: 11, customers: 5, products: 5 });
	});

	it('reads canonical Order Completed and Product Viewed events', async () => {
		const events: INodeExecutionData[] = [
			{ json: { type: 'track', event: 'Order Completed', userId: 'u1', timestamp: '2025-01-01T00:00:00Z', properties: { products: [{ product_id: 'A', name: 'Knife', category: 'Kitchen' }, { product_id: 'B' }] }, context: { source: 'segment' } } },
			{ json: { type: 'track', event: 'Order Completed', userId: 'u2', timestamp: '2025-01-02T00:00:00Z', properties: { products: [{ product_id: 'A' }, { product_id: 'B' }] }, context: { source: 'segment' } } },
			{ json: { type: 'track', event: 'Product Viewed', userId: 'u3', timestamp: '2025-01-03T00:00:00Z', properties: { product_id: 'C' }, context: { source: 'segment' } } },
			{ json: { type: 'identify', event: 'Identify', userId: 'u3', timestamp: '2025-01-03T00:00:00Z', properties: {}, context: { source: 'segment' } } },
		];
		const result = await runWorkflow({ nodes: [node('Train', 'recommendProducts', trainParams)], connections: {} }, { input: events });
		const model = result.items('Train')[0].json.model as { products: Array<{ product_id: string; neighbors: unknown[]; category?: string }>; stats: unknown };
		expect(model.stats).toMatchObject({ purchases: 4, views: 1, customers: 3 });
		expect(model.products[0]).toMatchObject({ product_id: 'A', category: 'Kitchen', neighbors: [['B', 1]] });
	});

	it('trains, then recommends from the stored model (JSON expression); no history gives best sellers', async () => {
		const workflow = {
			nodes: [
				node('Train', 'recommendProducts', trainParams),
				node('Recommend', 'recommendProducts', {
					operation: 'recommend',
					modelSource: 'json',
					model: "={{ $('Train').first().json.model }}",
					count: 3,
				}),
			],
			connections: chain('Train', 'Recommend'),
		};
		// the Train item has no history fields: the customer is "cold" → best sellers
		const result = await runWorkflow(workflow, { input: orderLines });
		expect(result.error).toBeUndefined();
		const recs = result.items('Recommend')[0].json.recommendations as Array<{ product_id: string; reason: string }>;
		expect(recs.map((r) => [r.product_id, r.reason])).toEqual([['A', 'Best seller'], ['B', 'Best seller'], ['C', 'Best seller']]);
	});

	it('recommends per customer item with reasons and product details (model as a JSON string)', async () => {
		const trained = await runWorkflow({ nodes: [node('Train', 'recommendProducts', trainParams)], connections: {} }, { input: orderLines });
		const model = JSON.stringify(trained.items('Train')[0].json.model);
		const customers: INodeExecutionData[] = [
			{ json: { email: 'a@example.com', purchased_products: ['A'], cart: ['B'] } },
			// a CustomerProfile: recentViews and openCart are read
			{ json: { profileId: 'p1', recentViews: [{ product_id: 'D', at: '2025-02-01T00:00:00Z' }], openCart: { products: [{ product_id: 'E' }], updatedAt: '2025-02-01T00:00:00Z' } } },
		];
		const result = await runWorkflow(
			{ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model, count: 2, outputField: 'recos' })], connections: {} },
			{ input: customers },
		);
		expect(result.error).toBeUndefined();
		const items = result.items('Recommend');
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(items[0].json.email).toBe('a@example.com');
		// seeds: cart B (1.5), bought A (1): C = 1.5·0.408248 + 0.816497 = 1.4289, D = 0.6124
		expect(items[0].json.recos).toEqual([
			{ product_id: 'C', rank: 1, score: 1.4289, reason: 'Bought together with Product A', reason_code: 'bought_together', because_product_id: 'A', name: 'Product C', category: 'Kitchen', price: 10, url: 'https://shop.example/C' },
			expect.objectContaining({ product_id: 'D', rank: 2, score: 0.6124, because_product_id: 'B' }),
		]);
		// profile: cart E (seed 1.5 → D 0.7071·1.5), viewed D (0.5 → B 0.2041): E in cart is excluded, D is not bought
		expect((items[1].json.recos as Array<{ product_id: string }>).map((r) => r.product_id)).toEqual(['D', 'B']);
	});

	it('round-trips the model as a binary file', async () => {
		const workflow = {
			nodes: [
				node('Train', 'recommendProducts', { ...trainParams, outputFormat: 'binary', binaryPropertyName: 'model' }),
				node('Recommend', 'recommendProducts', { operation: 'recommend', modelSource: 'binary', modelBinaryProperty: 'model', count: 1, purchasedField: 'nothing', fill: 'overall' }),
			],
			connections: chain('Train', 'Recommend'),
		};
		const result = await runWorkflow(workflow, { input: orderLines });
		expect(result.error).toBeUndefined();
		const trainItem = result.items('Train')[0];
		expect(trainItem.binary?.model?.mimeType).toBe('application/json');
		expect(trainItem.json.model).toBeUndefined();
		expect((result.items('Recommend')[0].json.recommendations as Array<{ product_id: string }>)[0].product_id).toBe('A');
	});

	it('fails naming the item and field, or with Continue On Fail keeps the good items', async () => {
		const bad = [...orderLines.slice(0, 4), { json: { customer_id: 'c9' } }];
		const strict = await runWorkflow({ nodes: [node('Train', 'recommendProducts', trainParams)], connections: {} }, { input: bad });
		expect(strict.error?.message).toContain('Item 4');
		expect(strict.error?.message).toContain('"product_id"');
		const lenient = await runWorkflow({ nodes: [node('Train', 'recommendProducts', trainParams, { onError: 'continueRegularOutput' })], connections: {} }, { input: bad });
		const items = lenient.items('Train');
		expect(items).toHaveLength(2);
		expect(items[1]).toMatchObject({ json: { error: expect.stringContaining('Item 4') }, pairedItem: { item: 4 } });
		expect((items[0].json.stats as { purchases: number }).purchases).toBe(4);

		const noModel = await runWorkflow({ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model: '{"kind":"other"}' })], connections: {} }, { input: [{ json: {} }] });
		expect(noModel.error?.message).toContain('not a Recommend Products model');
		const noModelLenient = await runWorkflow(
			{ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model: '{"kind":"other"}' }, { onError: 'continueRegularOutput' })], connections: {} },
			{ input: [{ json: {} }, { json: {} }] },
		);
		expect(noModelLenient.items('Recommend').map((i) => [String(i.json.error).includes('not a Recommend Products model'), i.pairedItem])).toEqual([[true, { item: 0 }], [true, { item: 1 }]]);
		const badCustomer = await runWorkflow(
			{ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model: JSON.stringify((await runWorkflow({ nodes: [node('Train', 'recommendProducts', trainParams)], connections: {} }, { input: orderLines })).items('Train')[0].json.model) }, { onError: 'continueRegularOutput' })], connections: {} },
			{ input: [{ json: { purchased_products: 'A' } }, { json: { purchased_products: ['A'] } }] },
		);
		const out = badCustomer.items('Recommend');
		expect(out[0].json.error).toContain('Field "purchased_products" must be a list');
		expect(out[1].json.recommendations).toHaveLength(4); // 5 products, A bought → 4 left
	});

	it('evaluates leave-last-purchase-out against best sellers', async () => {
		// the hand-checked case of test/engines/reco/evaluate.test.ts (N = 2): model hit 0.25 / MAP 0.25, popularity 0.25 / 0.125
		const rows = [['c1', 'A', 1], ['c1', 'B', 2], ['c2', 'A', 1], ['c2', 'B', 2], ['c2', 'D', 3], ['c3', 'C', 1], ['c3', 'D', 2], ['c4', 'C', 1], ['c4', 'D', 2]];
		const input = rows.map(([c, p, t]) => ({ json: { customer_id: c, product_id: p, timestamp: T0 + (t as number) * day } }));
		const result = await runWorkflow(
			{ nodes: [node('Evaluate', 'recommendProducts', { operation: 'evaluate', evaluateCount: 2, trainOptions: { minSupport: 1 } })], connections: {} },
			{ input },
		);
		expect(result.error).toBeUndefined();
		expect(result.items('Evaluate')[0].json).toMatchObject({ n: 2, customers_evaluated: 4, model: { hit_rate: 0.25, map: 0.25 }, popularity: { hit_rate: 0.25, map: 0.125 }, lift_map: 2 });
	});

	it('Max Products per Customer keeps the most recent purchases of a heavy buyer (decay off), whatever the input order', async () => {
		// h bought P3 (Jan 4), P1 (Jan 2), P2 (Jan 3) in that input order; cap 2 keeps P3 and P2 (the two newest),
		// so P2-P3 co-occur once: cosine 1/sqrt(1·1) = 1; P1 keeps no neighbour.
		const line = (product_id: string, day: number) => ({ json: { customer_id: 'h', product_id, quantity: 1, timestamp: new Date(T0 + day * 86_400_000).toISOString() } });
		const result = await runWorkflow(
			{ nodes: [node('Train', 'recommendProducts', { ...trainParams, trainOptions: { minSupport: 1, maxProductsPerCustomer: 2 } })], connections: {} },
			{ input: [line('P3', 3), line('P1', 1), line('P2', 2)] },
		);
		expect(result.error).toBeUndefined();
		const products = (result.items('Train')[0].json.model as { products: Array<{ product_id: string; neighbors: unknown[] }> }).products;
		const neighbors = Object.fromEntries(products.map((p) => [p.product_id, p.neighbors]));
		expect(neighbors).toEqual({ P3: [['P2', 1]], P1: [], P2: [['P3', 1]] });
	});
});
