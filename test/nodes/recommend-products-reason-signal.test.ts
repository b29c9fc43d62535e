/**
 * Recommend Products (Train → Recommend) through the real n8n engine: a product linked to a bought
 * product only by views is not "Bought together". Before, every pick from a bought or in-cart seed was
 * labelled bought_together, also when Train's View Weight made the link out of product views.
 *
 * Hand computation (cosine, defaults: View Weight 0.3, Minimum Shared Customers 2):
 *   c1 and c2 bought the Kettle (A) and viewed the Teapot (B); nobody bought the Teapot. c3 bought C.
 *   A = [1, 1, 0], B = [0.3, 0.3, 0]: co-occurrence 0.6 over 2 customers, cosine 0.6 / sqrt(2 · 0.18) = 1;
 *   none of it from customers who bought both → the link is [B, 1, 0] (bought share 0).
 *   A customer who bought A: B with score 1, reason "Often viewed with Kettle" (viewed_together).
 */
import type { INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const line = (customer_id: string, product_id: string, type: string, name: string): INodeExecutionData => ({ json: { customer_id, product_id, type, name } });
const lines = [line('c1', 'A', 'purchase', 'Kettle'), line('c1', 'B', 'view', 'Teapot'), line('c2', 'A', 'purchase', 'Kettle'), line('c2', 'B', 'view', 'Teapot'), line('c3', 'C', 'purchase', 'Cup')];

describe('Recommend names the signal behind a pick', () => {
	it('a Teapot only ever viewed by Kettle buyers is "Often viewed with Kettle", not "Bought together"', async () => {
		const trained = await runWorkflow({ nodes: [node('Train', 'recommendProducts', { operation: 'train' })], connections: {} }, { input: lines });
		expect(trained.error).toBeUndefined();
		const model = trained.items('Train')[0].json.model as { products: Array<{ product_id: string; neighbors: unknown }> };

		const result = await runWorkflow(
			{ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model: JSON.stringify(model), count: 1, fill: 'none' })], connections: {} },
			{ input: [{ json: { purchased_products: ['A'] } }] },
		);
		expect(result.error).toBeUndefined();
		expect(result.items('Recommend')[0].json.recommendations).toEqual([
			{ product_id: 'B', rank: 1, score: 1, reason: 'Often viewed with Kettle', reason_code: 'viewed_together', because_product_id: 'A', name: 'Teapot' },
		]);
		// the link as stored: similarity 1, bought share 0
		expect(model.products.find((p) => p.product_id === 'A')!.neighbors).toEqual([['B', 1, 0]]);
	});
});
