/**
 * Recommend Products → Train through the real n8n engine: when equal similarities straddle
 * Neighbours per Product, the neighbours kept are the smaller product ids, whatever the order of
 * the input lines. Before, the tie went to the product met first in the input, so the same order
 * history read in another row order (a database query without ORDER BY, an export sorted newest
 * first) trained another model and changed customers' recommendations.
 *
 * Hand computation (cosine, Minimum Shared Customers 2): c1 and c2 both bought X, P, Q and R.
 * Every product has 2 buyers and every pair 2 shared customers: cos = 2 / sqrt(2 · 2) = 1 for
 * every pair. With Neighbours per Product 2, X keeps two of P, Q, R, all tied at 1: the smaller
 * ids P and Q. A customer who bought X gets P and Q (score 1 each, in product-id order).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const products = ['P', 'Q', 'R', 'X'];
const lines = (order: string[]): INodeExecutionData[] =>
	['c1', 'c2'].flatMap((customer_id) => order.map((product_id) => ({ json: { customer_id, product_id, quantity: 1 } as IDataObject })));

async function train(order: string[]): Promise<{ products: Array<{ product_id: string; neighbors: unknown }> }> {
	const result = await runWorkflow(
		{ nodes: [node('Train', 'recommendProducts', { operation: 'train', similarity: 'cosine', neighbors: 2, trainOptions: { minSupport: 2 } })], connections: {} },
		{ input: lines(order) },
	);
	expect(result.error).toBeUndefined();
	return result.items('Train')[0].json.model as { products: Array<{ product_id: string; neighbors: unknown }> };
}

describe('Train: tied neighbours are kept by product id, not by input order', () => {
	it.each([
		['P, Q, R, X', products],
		['X, R, Q, P', [...products].reverse()],
		['R, X, P, Q', ['R', 'X', 'P', 'Q']],
	])('lines in the order %s: X keeps P and Q (cos 1), each product its two smallest-id partners', async (_label, order) => {
		const model = await train(order);
		const neighbours = Object.fromEntries(model.products.map((p) => [p.product_id, p.neighbors]));
		expect(neighbours).toEqual({
			P: [['Q', 1], ['R', 1]],
			Q: [['P', 1], ['R', 1]],
			R: [['P', 1], ['Q', 1]],
			X: [['P', 1], ['Q', 1]],
		});
	});

	it.each([
		['P, Q, R, X', products],
		['X, R, Q, P', [...products].reverse()],
	])('a customer who bought X gets P and Q (score 1 each) from lines in the order %s', async (_label, order) => {
		const model = await train(order);
		const reco = await runWorkflow(
			{ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model: JSON.stringify(model), count: 2, fill: 'none' })], connections: {} },
			{ input: [{ json: { purchased_products: ['X'] } }] },
		);
		expect(reco.error).toBeUndefined();
		const recs = reco.items('Recommend')[0].json.recommendations as Array<{ product_id: string; score: number }>;
		expect(recs.map((r) => [r.product_id, r.score])).toEqual([
			['P', 1],
			['Q', 1],
		]);
	});
});
