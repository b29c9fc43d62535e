/**
 * Recommend Products → Train through the real n8n engine: a cancelled order, and the products of a
 * refund, are not purchases. Train read Order Completed and skipped Order Cancelled / Order
 * Refunded, so a cancelled order (a test order, a fraud check, a change of mind) and a product sent
 * back still made "bought together" links and counted as best sellers.
 *
 * Hand computation (cosine, Minimum Shared Customers 2):
 *   c1 o1: A, B · c2 o2: A, B · c3 o3: A, C, cancelled (the cancellation comes first) ·
 *   c4 o4: A, C, C refunded in full · c5 o5: A ×3, B, 1 unit of A refunded (sent twice, as a
 *   retried webhook does, same refund_id).
 * Left: c1 A B · c2 A B · c4 A · c5 A ×2, B. Buyers A 4 (units 1+1+1+2 = 5), B 3 (units 3); C has
 * no purchase left and is not in the model. A–B: 3 shared customers, 3/sqrt(4·3) = 0.866025.
 * Before: A 5 buyers (units 6), B 3, C 2; A–B 3/sqrt(15) = 0.774597, A–C 2/sqrt(10) = 0.632456.
 */
import type { IDataObject } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const order = (event: string, userId: string, orderId: string, products: IDataObject[], extra: IDataObject = {}) => ({
	json: { type: 'track', event, userId, timestamp: '2025-03-01T10:00:00Z', properties: { order_id: orderId, products, ...extra } },
});

describe('Train: cancelled orders and refunded products are not purchases', () => {
	it('leaves out a cancelled order and the refunded units of an order, whatever the event order', async () => {
		const result = await runWorkflow(
			{ nodes: [node('Train', 'recommendProducts', { operation: 'train', similarity: 'cosine', neighbors: 20 })], connections: {} },
			{
				input: [
					order('Order Completed', 'c1', 'o1', [{ product_id: 'A' }, { product_id: 'B' }]),
					order('Order Completed', 'c2', 'o2', [{ product_id: 'A' }, { product_id: 'B' }]),
					order('Order Cancelled', 'c3', 'o3', [{ product_id: 'A' }, { product_id: 'C' }]),
					order('Order Completed', 'c3', 'o3', [{ product_id: 'A' }, { product_id: 'C' }]),
					order('Order Completed', 'c4', 'o4', [{ product_id: 'A', quantity: 1 }, { product_id: 'C', quantity: 1 }]),
					order('Order Refunded', 'c4', 'o4', [{ product_id: 'C', quantity: 1 }], { refund_id: 'r4' }),
					order('Order Completed', 'c5', 'o5', [{ product_id: 'A', quantity: 3 }, { product_id: 'B', quantity: 1 }]),
					order('Order Refunded', 'c5', 'o5', [{ product_id: 'A', quantity: 1 }], { refund_id: 'r5' }),
					order('Order Refunded', 'c5', 'o5', [{ product_id: 'A', quantity: 1 }], { refund_id: 'r5' }),
				],
			},
		);
		expect(result.error).toBeUndefined();
		const model = result.items('Train')[0].json.model as { products: IDataObject[]; bestSellers: string[] };
		expect(model.products.map((p) => [p.product_id, p.buyers, p.units, p.neighbors])).toEqual([
			['A', 4, 5, [['B', 0.866025]]],
			['B', 3, 3, [['A', 0.866025]]],
		]);
		expect(model.bestSellers).toEqual(['A', 'B']);
	});
});
