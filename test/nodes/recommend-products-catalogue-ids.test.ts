/**
 * Recommend Products → Recommend through the real n8n engine: the Catalogue's product ids are
 * read as Train and the customer's lists read them, trimmed (a number as its decimal text). Before,
 * a catalogue row whose id carried a stray space (a spreadsheet cell "C ") matched no product of
 * the model: its price and name did not override the model's, and with Only Catalogue Products the
 * product was never recommended although it was in stock.
 *
 * Hand computation (as recommend-products-review.test.ts): cosine, Minimum Shared Customers 1,
 * c1: A B · c2: A B C · c3: A C · c4: B D · c5: D E. Bought B: neighbours A 2/3 = 0.6667,
 * C 1/sqrt(6) = 0.4082, D 1/sqrt(6) = 0.4082; best sellers A, B, C, D, E.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const pairs = [['c1', 'A'], ['c1', 'B'], ['c2', 'A'], ['c2', 'B'], ['c2', 'C'], ['c3', 'A'], ['c3', 'C'], ['c4', 'B'], ['c4', 'D'], ['c5', 'D'], ['c5', 'E']];
const orderLines: INodeExecutionData[] = pairs.map(([c, p]) => ({ json: { customer_id: c, product_id: p, quantity: 1, price: 10 } }));

async function recommendWith(recommendOptions: INodeParameters) {
	const trained = await runWorkflow(
		{ nodes: [node('Train', 'recommendProducts', { operation: 'train', similarity: 'cosine', neighbors: 20, trainOptions: { minSupport: 1 } })], connections: {} },
		{ input: orderLines },
	);
	expect(trained.error).toBeUndefined();
	const model = JSON.stringify(trained.items('Train')[0].json.model);
	return runWorkflow(
		{ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model, count: 3, recommendOptions })], connections: {} },
		{ input: [{ json: { purchased_products: ['B'] } }] },
	);
}
type Rec = { product_id: string; score: number; reason_code: string; price: number };
const recsOf = (result: Awaited<ReturnType<typeof recommendWith>>): Rec[] => result.items('Recommend')[0].json.recommendations as Rec[];

describe('Catalogue product ids are trimmed, as Train reads them', () => {
	// the spreadsheet's cells: "C " and " E" (stray spaces)
	const catalogue = JSON.stringify([
		{ product_id: 'C ', price: 19.5 },
		{ product_id: ' E', price: 7.25 },
	]);

	it('Only Catalogue Products: C and E are in stock → C (0.4082), then best seller E, with the catalogue prices', async () => {
		const result = await recommendWith({ catalogue, onlyCatalogue: true });
		expect(result.error).toBeUndefined();
		expect(recsOf(result).map((r) => [r.product_id, r.score, r.reason_code, r.price])).toEqual([
			['C', 0.4082, 'bought_together', 19.5],
			['E', 0, 'best_seller', 7.25],
		]);
	});

	it('without Only Catalogue Products the catalogue price overrides the model price of C (A and D keep the trained 10)', async () => {
		const result = await recommendWith({ catalogue });
		expect(result.error).toBeUndefined();
		expect(recsOf(result).map((r) => [r.product_id, r.score, r.price])).toEqual([
			['A', 0.6667, 10],
			['C', 0.4082, 19.5],
			['D', 0.4082, 10],
		]);
	});

	it('an id of spaces only is no product id: the node fails naming the catalogue product', async () => {
		const result = await recommendWith({ catalogue: JSON.stringify([{ product_id: 'C' }, { product_id: '   ' }]) });
		expect(result.error?.message).toBe('Catalogue product 1 has no product_id');
	});
});
