/**
 * Recommend Products → Recommend through the real n8n engine: a product listed on several
 * Catalogue rows. A feed with one row per market or currency (Shopify Markets, Google Merchant
 * feeds per country) lists the same product_id with different prices; the last row's price used to
 * win silently, so an email could show another market's price. Rows that disagree now fail the node
 * naming the id, the rows and a differing field; identical rows (a product listed twice) are one.
 *
 * Model (hand computation as recommend-products-catalogue-ids.test.ts): cosine, Minimum Shared
 * Customers 1, c1: A B · c2: A B C · c3: A C · c4: B D · c5: D E. Bought B: A 0.6667, C 0.4082,
 * D 0.4082.
 */
import type { INodeParameters } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const pairs = [['c1', 'A'], ['c1', 'B'], ['c2', 'A'], ['c2', 'B'], ['c2', 'C'], ['c3', 'A'], ['c3', 'C'], ['c4', 'B'], ['c4', 'D'], ['c5', 'D'], ['c5', 'E']];

async function recommendWith(recommendOptions: INodeParameters) {
	const trained = await runWorkflow(
		{ nodes: [node('Train', 'recommendProducts', { operation: 'train', similarity: 'cosine', neighbors: 20, trainOptions: { minSupport: 1 } })], connections: {} },
		{ input: pairs.map(([c, p]) => ({ json: { customer_id: c, product_id: p, quantity: 1, price: 10 } })) },
	);
	expect(trained.error).toBeUndefined();
	const model = JSON.stringify(trained.items('Train')[0].json.model);
	return runWorkflow(
		{ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model, count: 3, recommendOptions })], connections: {} },
		{ input: [{ json: { purchased_products: ['B'] } }] },
	);
}

describe('Catalogue: one product on several rows', () => {
	it('rows of one id with different prices (one per currency) fail the node naming the id, the rows and the field', async () => {
		const catalogue = JSON.stringify([
			{ product_id: 'A', price: 12, currency: 'EUR' },
			{ product_id: 'C', price: 19.5, currency: 'EUR' },
			{ product_id: 'A', price: 10.5, currency: 'GBP' },
		]);
		const result = await recommendWith({ catalogue });
		expect(result.error?.message).toBe('Catalogue products 0 and 2 both have product_id "A" with different details (currency: "EUR" and "GBP")');
	});

	it('the same row twice (keys in another order, the id with a stray space) is one product: its details apply', async () => {
		const catalogue = JSON.stringify([
			{ product_id: 'A', price: 12, name: 'Apron' },
			{ name: 'Apron', price: 12, product_id: ' A' },
		]);
		const result = await recommendWith({ catalogue });
		expect(result.error).toBeUndefined();
		const recs = result.items('Recommend')[0].json.recommendations as Array<{ product_id: string; price: number; name?: string }>;
		expect(recs.map((r) => [r.product_id, r.price, r.name])).toEqual([
			['A', 12, 'Apron'],
			['C', 10, undefined],
			['D', 10, undefined],
		]);
	});
});
