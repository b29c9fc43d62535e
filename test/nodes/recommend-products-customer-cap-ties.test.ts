/**
 * Recommend Products → Train through the real n8n engine: Max Products per Customer between
 * products of one order. An order's lines share their time, so equal weights and equal times are
 * common; before, the cap kept the products of the later input rows, so the same order history in
 * another row order (a query without ORDER BY) trained another model. Now, at the same time, the
 * smaller product id (as text) is kept, as neighbour ties are broken.
 *
 * Hand computation: cosine, Minimum Shared Customers 1, Max Products per Customer 2, all lines on
 * 2025-01-01T10:00Z. x bought A, B, C in one order (capped: keeps A and B), y bought B and C, z bought
 * A and B. Kept rows: x {A, B}, y {B, C}, z {A, B}; buyers after the cap A 2, B 3, C 1.
 * cos(A, B) = 2 / sqrt(2·3) = 0.8165, cos(B, C) = 1 / sqrt(3·1) = 0.5774, A and C share nobody.
 */
import type { INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const at = '2025-01-01T10:00:00Z';
const line = (customer_id: string, product_id: string): INodeExecutionData => ({ json: { customer_id, product_id, quantity: 1, timestamp: at } });
const others = [line('y', 'B'), line('y', 'C'), line('z', 'A'), line('z', 'B')];

async function neighboursAfterTraining(input: INodeExecutionData[]) {
	const result = await runWorkflow(
		{
			nodes: [node('Train', 'recommendProducts', { operation: 'train', similarity: 'cosine', neighbors: 20, trainOptions: { minSupport: 1, maxProductsPerCustomer: 2 } })],
			connections: {},
		},
		{ input },
	);
	expect(result.error).toBeUndefined();
	const products = (result.items('Train')[0].json.model as { products: Array<{ product_id: string; neighbors: Array<[string, number]> }> }).products;
	return Object.fromEntries(products.map((p) => [p.product_id, p.neighbors.map(([id, s]) => [id, Math.round(s * 1e4) / 1e4])]));
}

describe('Max Products per Customer: products of one order (same time) are kept by id, not by row order', () => {
	const expected = { A: [['B', 0.8165]], B: [['A', 0.8165], ['C', 0.5774]], C: [['B', 0.5774]] };

	it.each([
		['A, B, C', ['A', 'B', 'C']],
		['C, B, A', ['C', 'B', 'A']],
		['B, C, A', ['B', 'C', 'A']],
	])('x\'s order lines in the order %s train the same model', async (_, order) => {
		const neighbours = await neighboursAfterTraining([...order.map((p) => line('x', p)), ...others]);
		expect(neighbours).toEqual(expected);
	});
});
