/**
 * Recommend Products → Evaluate (Each Customer's Latest Product) through the real n8n engine: the
 * held-out product of a customer whose latest order holds several new products. Those lines share
 * their time; before, the product of the later input row was held out, so the same history in
 * another row order gave another evaluation. Now the smaller product id (as text) is held out.
 *
 * Hand computation, N = 1, cosine, Minimum Shared Customers 1: u bought A and B in one order
 * (2025-01-02T10:00Z), c1 and c2 bought A alone (2025-01-01). Only u has two products: held out A
 * (the smaller id), history B. Training: c1 A, c2 A, u B; no two products share a customer, so no
 * neighbours; best sellers A (2 buyers), B (1). u's one slot: best seller A (B is bought) → a hit:
 * hit rate 1, AP 1; the best-seller baseline (best sellers u has not bought: A) hits too.
 * (Holding out B instead, as the former code did for the row order A, B, leaves B out of the model
 * and recommends nothing: hit rate 0.)
 */
import type { INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const line = (customer_id: string, product_id: string, timestamp: string): INodeExecutionData => ({ json: { customer_id, product_id, quantity: 1, timestamp } });
const others = [line('c1', 'A', '2025-01-01T10:00:00Z'), line('c2', 'A', '2025-01-01T11:00:00Z')];

describe('Evaluate holds out the same product whatever the row order of one order\'s lines', () => {
	it.each([
		['A, B', ['A', 'B']],
		['B, A', ['B', 'A']],
	])('u\'s lines in the order %s: A is held out and found', async (_, order) => {
		const input = [...others, ...order.map((p) => line('u', p, '2025-01-02T10:00:00Z'))];
		const result = await runWorkflow(
			{ nodes: [node('Evaluate', 'recommendProducts', { operation: 'evaluate', evaluateCount: 1, similarity: 'cosine', trainOptions: { minSupport: 1 } })], connections: {} },
			{ input },
		);
		expect(result.error).toBeUndefined();
		expect(result.items('Evaluate')[0].json).toMatchObject({
			n: 1,
			customers: 3,
			customers_evaluated: 1,
			model: { hit_rate: 1, map: 1 },
			popularity: { hit_rate: 1, map: 1 },
			lift_hit_rate: 1,
			fill_share: 1,
		});
	});
});
