/**
 * Recommend Products → Recommend through the real n8n engine: what a canonical event given as the
 * customer item means. Every event other than an order or a cart used to be read as a view of its
 * products, so a "Product Removed" (taken out of the cart) seeded the recommendations as a view and
 * the removed product itself came right back in the block; an "Order Refunded" seeded them too,
 * and a "Product List Viewed" made every product of a category page a viewed seed. Now Product
 * Removed, Order Cancelled and Order Refunded leave their products out (never recommended, no
 * seed), Product Viewed / Product Clicked are views as in Train, and other events add nothing.
 *
 * Hand computation (cosine, Minimum Shared Customers 1): c1: A B · c2: A B C · c3: A C · c4: B D ·
 * c5: D E. Buyers A 3, B 3, C 2, D 2, E 1; best sellers A, B, C, D, E (buyers, then id).
 * Similarities: A–B 2/sqrt(3·3) = 0.6667, A–C 2/sqrt(3·2) = 0.8165, B–C 1/sqrt(6) = 0.4082,
 * B–D 1/sqrt(6) = 0.4082, D–E 1/sqrt(2) = 0.7071.
 * - Cart B (seed 1.5): A 1.5·0.6667 = 1.0, C 1.5·0.4082 = 0.6124, D 0.6124.
 * - With C removed from the cart: C left out, so A 1.0, D 0.6124, then the best seller not bought,
 *   in the cart or left out: E. (Read as a view of C, seed 0.5: A 1.0 + 0.5·0.8165 = 1.4082, C, D.)
 * - Product Removed of C alone: no seed, C left out: best sellers A, B, D (score 0).
 *   (Read as a view: A 0.5·0.8165 = 0.4082 "Similar to C, which you viewed", B 0.2041, then C.)
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const pairs = [['c1', 'A'], ['c1', 'B'], ['c2', 'A'], ['c2', 'B'], ['c2', 'C'], ['c3', 'A'], ['c3', 'C'], ['c4', 'B'], ['c4', 'D'], ['c5', 'D'], ['c5', 'E']];
const orderLines: INodeExecutionData[] = pairs.map(([c, p]) => ({ json: { customer_id: c, product_id: p, quantity: 1 } }));

async function recommendFor(input: IDataObject[]) {
	const trained = await runWorkflow(
		{ nodes: [node('Train', 'recommendProducts', { operation: 'train', similarity: 'cosine', neighbors: 20, trainOptions: { minSupport: 1 } })], connections: {} },
		{ input: orderLines },
	);
	expect(trained.error).toBeUndefined();
	const model = JSON.stringify(trained.items('Train')[0].json.model);
	const result = await runWorkflow(
		{ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model, count: 3, fill: 'overall' })], connections: {} },
		{ input: input.map((json) => ({ json })) },
	);
	expect(result.error).toBeUndefined();
	return result.items('Recommend').map((item) => (item.json.recommendations as IDataObject[]).map((r) => [r.product_id, r.score, r.reason_code]));
}

const event = (name: string, properties: IDataObject, extra: IDataObject = {}): IDataObject => ({
	type: 'track',
	event: name,
	userId: 'u1',
	timestamp: '2025-03-01T10:00:00Z',
	properties,
	...extra,
});

describe('Recommend: a canonical event as the customer item', () => {
	it('Product Removed, Order Cancelled and Order Refunded leave their products out and seed nothing', async () => {
		const result = await recommendFor([
			event('Product Removed', { product_id: 'C', quantity: 1 }, { cart: ['B'] }),
			event('Order Refunded', { order_id: 'o1', products: [{ product_id: 'C', quantity: 1 }] }, { cart: ['B'] }),
			event('Order Cancelled', { order_id: 'o2', products: [{ product_id: 'C', quantity: 1 }] }, { cart: ['B'] }),
			event('Product Removed', { product_id: 'C', quantity: 1 }),
		]);
		const withCart = [
			['A', 1, 'bought_together'],
			['D', 0.6124, 'bought_together'],
			['E', 0, 'best_seller'],
		];
		expect(result).toEqual([
			withCart,
			withCart,
			withCart,
			[
				['A', 0, 'best_seller'],
				['B', 0, 'best_seller'],
				['D', 0, 'best_seller'],
			],
		]);
	});

	it('a Product List Viewed adds no viewed seeds; Product Viewed and Product Clicked still do', async () => {
		const result = await recommendFor([
			event('Product List Viewed', { list_id: 'shoes', products: [{ product_id: 'C' }] }, { cart: ['B'] }),
			event('Product Viewed', { product_id: 'C' }, { cart: ['B'] }),
			event('Product Clicked', { product_id: 'C' }, { cart: ['B'] }),
		]);
		const viewedC = [
			['A', 1.4082, 'bought_together'],
			['C', 0.6124, 'bought_together'],
			['D', 0.6124, 'bought_together'],
		];
		expect(result).toEqual([
			[
				['A', 1, 'bought_together'],
				['C', 0.6124, 'bought_together'],
				['D', 0.6124, 'bought_together'],
			],
			viewedC,
			viewedC,
		]);
	});
});
