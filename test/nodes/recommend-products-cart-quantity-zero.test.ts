/**
 * Recommend Products → Recommend through the real n8n engine: a cart line of quantity 0 is not in
 * the cart. Shopify's carts/update and WooCommerce carts keep a removed line at quantity 0; it was
 * read as in the cart, so it seeded the recommendations and was never recommended. Order lines of
 * quantity 0 were already left out (they bought nothing); cart lines now are too, in the Cart Field,
 * a cart event as the item (Cart Updated, Product Added) and a profile's open cart.
 *
 * Hand computation (cosine, Minimum Shared Customers 1): c1: A B · c2: A B C · c3: A C · c4: B D ·
 * c5: D E. Buyers A 3, B 3, C 2, D 2, E 1. Neighbours of B: A 2/sqrt(9) = 0.6667, C 1/sqrt(6) =
 * 0.4082, D 1/sqrt(6) = 0.4082. The cart holds B only: one cart seed of weight 1.5, so A 1.0,
 * C 0.6124, D 0.6124 (C before D, equal scores by id). With C wrongly in the cart, C was never
 * recommended (A, D, then best seller E).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const pairs = [['c1', 'A'], ['c1', 'B'], ['c2', 'A'], ['c2', 'B'], ['c2', 'C'], ['c3', 'A'], ['c3', 'C'], ['c4', 'B'], ['c4', 'D'], ['c5', 'D'], ['c5', 'E']];
const orderLines: INodeExecutionData[] = pairs.map(([c, p]) => ({ json: { customer_id: c, product_id: p, quantity: 1 } }));

async function recommendFor(input: INodeExecutionData[]) {
	const trained = await runWorkflow(
		{ nodes: [node('Train', 'recommendProducts', { operation: 'train', similarity: 'cosine', neighbors: 20, trainOptions: { minSupport: 1 } })], connections: {} },
		{ input: orderLines },
	);
	expect(trained.error).toBeUndefined();
	const model = JSON.stringify(trained.items('Train')[0].json.model);
	return runWorkflow({ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model, count: 3 })], connections: {} }, { input });
}

const lines = [
	{ product_id: 'B', quantity: 1 },
	{ product_id: 'C', quantity: 0 },
];

describe('Recommend: a cart line of quantity 0 is not in the cart', () => {
	it('in the Cart Field, a Cart Updated event and a profile\'s open cart: C seeds nothing and is recommended', async () => {
		const result = await recommendFor([
			{ json: { cart: lines } },
			{ json: { type: 'track', event: 'Cart Updated', userId: 'u1', timestamp: '2025-03-01T10:00:00Z', properties: { products: lines } } },
			{ json: { email: 'ann@example.com', profile: { openCart: { products: lines } } } },
			// Product Added of quantity 0 adds nothing to the cart
			{ json: { type: 'track', event: 'Product Added', userId: 'u2', timestamp: '2025-03-01T10:00:00Z', properties: { product_id: 'C', quantity: 0 }, cart: ['B'] } },
		]);
		expect(result.error).toBeUndefined();
		for (const item of result.items('Recommend')) {
			const recs = item.json.recommendations as IDataObject[];
			expect(recs.map((r) => [r.product_id, r.score])).toEqual([
				['A', 1],
				['C', 0.6124],
				['D', 0.6124],
			]);
		}
	});

	it('a negative cart quantity in the Cart Field fails the item naming the field, as an order line does', async () => {
		const result = await recommendFor([{ json: { cart: [{ product_id: 'B', quantity: -1 }] } }]);
		expect(result.error?.message).toBe('Item 0: Field "cart[0].quantity" (quantity) is not a number >= 0');
	});
});
