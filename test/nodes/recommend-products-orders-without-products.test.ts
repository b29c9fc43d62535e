/**
 * Recommend Products → Train through the real n8n engine, on canonical events from two stores: an
 * Order Completed / Order Paid without line items (Stripe Checkout's checkout.session.completed
 * and its async_payment_succeeded carry none) names no product, so it is left out and counted
 * (`ordersWithoutProducts`, and a hint). Before, it failed the whole Train with "The order has no
 * products", so a history holding any Stripe order could not be trained on.
 *
 * Hand computation (cosine, Minimum Shared Customers 2): ann and bob each bought A and B (Shopify
 * orders with lines), so A and B have 2 buyers and 2 shared customers: cos = 2 / sqrt(2 · 2) = 1.
 * cy's Stripe order adds nothing: 2 customers with lines, 2 products.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

let seq = 0;
const order = (email: string, event: string, properties: IDataObject): INodeExecutionData => ({
	json: { type: 'track', event, email, userId: null, anonymousId: null, messageId: `m-${++seq}`, timestamp: '2026-01-05T10:00:00.000Z', receivedAt: '2026-01-05T10:00:00.000Z', properties, context: { source: 'test' } },
});
const lines = [{ product_id: 'A', quantity: 1, price: 10 }, { product_id: 'B', quantity: 1, price: 20 }];
const INPUT = [
	order('ann@example.com', 'Order Completed', { order_id: 'S1', products: lines, total: 30, currency: 'EUR' }),
	order('bob@example.com', 'Order Completed', { order_id: 'S2', products: lines, total: 30, currency: 'EUR' }),
	// Stripe Checkout: a session's Order Completed, then its delayed payment's Order Paid, no lines
	order('cy@example.com', 'Order Completed', { order_id: 'pi_1', total: 45, currency: 'EUR', payment_status: 'unpaid' }),
	order('cy@example.com', 'Order Paid', { order_id: 'pi_1', total: 45, currency: 'EUR' }),
];

describe('Train: orders without products', () => {
	it('are left out and counted; the orders with lines train the model', async () => {
		const result = await runWorkflow(
			{ nodes: [node('Train', 'recommendProducts', { operation: 'train', similarity: 'cosine', trainOptions: { minSupport: 2 } })], connections: {} },
			{ input: INPUT },
		);
		expect(result.error).toBeUndefined();
		const [out] = result.items('Train');
		expect(out.json.ordersWithoutProducts).toBe(2);
		const model = out.json.model as { products: Array<{ product_id: string; neighbors: unknown }> };
		expect(Object.fromEntries(model.products.map((p) => [p.product_id, p.neighbors]))).toEqual({ A: [['B', 1]], B: [['A', 1]] });
		expect(out.pairedItem).toEqual([0, 1, 2, 3].map((item) => ({ item })));
	});

	it('an order first seen without lines is read from a later copy with lines (same order id)', async () => {
		const result = await runWorkflow(
			{ nodes: [node('Train', 'recommendProducts', { operation: 'train', similarity: 'cosine', trainOptions: { minSupport: 2 } })], connections: {} },
			{
				input: [
					INPUT[0],
					// bob's order first arrives without lines, then as Order Paid with them: A and B still have 2 shared buyers
					order('bob@example.com', 'Order Completed', { order_id: 'S2', total: 30, currency: 'EUR' }),
					order('bob@example.com', 'Order Paid', { order_id: 'S2', products: lines, total: 30, currency: 'EUR' }),
				],
			},
		);
		expect(result.error).toBeUndefined();
		const model = result.items('Train')[0].json.model as { products: Array<{ product_id: string; neighbors: unknown }> };
		expect(Object.fromEntries(model.products.map((p) => [p.product_id, p.neighbors]))).toEqual({ A: [['B', 1]], B: [['A', 1]] });
	});

	it('products that is not a list still fails the item naming the field', async () => {
		const result = await runWorkflow(
			{ nodes: [node('Train', 'recommendProducts', { operation: 'train' })], connections: {} },
			{ input: [...INPUT, order('dee@example.com', 'Order Completed', { order_id: 'X9', products: 'A,B' })] },
		);
		expect(result.error?.message).toBe("Item 4: The order's products is not a list");
	});

	it('a history of Stripe orders only fails saying its orders had no products (the hint is not shown on a failed node)', async () => {
		const stripeOnly = INPUT.slice(2);
		for (const operation of ['train', 'evaluate']) {
			const result = await runWorkflow({ nodes: [node('Train', 'recommendProducts', { operation })], connections: {} }, { input: stripeOnly });
			expect(result.error?.message).toContain('2 order event(s) without products (properties.products)');
		}
	});
});
