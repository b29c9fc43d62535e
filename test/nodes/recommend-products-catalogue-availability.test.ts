/**
 * Recommend Products → Recommend through the real n8n engine: a Catalogue product marked
 * unavailable (out of stock, draft...) is never recommended. Before, every Catalogue row counted
 * as available: a Google Merchant feed's `availability: "out_of_stock"`, a Shopify product's
 * `inventory_quantity: 0` or a WooCommerce `stock_status: "outofstock"` was still emailed.
 *
 * Field values from the providers' documentation: Google Merchant Center `availability`
 * (in_stock, out_of_stock, preorder, backorder; older feeds "in stock" / "out of stock"),
 * WooCommerce `stock_status` (instock, outofstock, onbackorder) and `status` (publish, draft,
 * pending, private), Shopify `status` (active, draft, archived) and the variant's
 * `inventory_quantity` / `inventory_policy` ("deny": no sale without stock, "continue": sells anyway).
 *
 * Hand computation (as recommend-products-catalogue-ids.test.ts): cosine, Minimum Shared Customers 1,
 * c1: A B · c2: A B C · c3: A C · c4: B D · c5: D E. Bought B: neighbours A 2/3 = 0.6667,
 * C 1/sqrt(6) = 0.4082, D 1/sqrt(6) = 0.4082 (tie: C before D by id); best sellers A, B, C, D, E
 * (buyers 3, 3, 2, 2, 1). Three slots: without a catalogue [A, C, D].
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const pairs = [['c1', 'A'], ['c1', 'B'], ['c2', 'A'], ['c2', 'B'], ['c2', 'C'], ['c3', 'A'], ['c3', 'C'], ['c4', 'B'], ['c4', 'D'], ['c5', 'D'], ['c5', 'E']];
const orderLines: INodeExecutionData[] = pairs.map(([c, p]) => ({ json: { customer_id: c, product_id: p, quantity: 1, price: 10 } }));

let model: string;
beforeAll(async () => {
	const trained = await runWorkflow(
		{ nodes: [node('Train', 'recommendProducts', { operation: 'train', similarity: 'cosine', neighbors: 20, trainOptions: { minSupport: 1 } })], connections: {} },
		{ input: orderLines },
	);
	expect(trained.error).toBeUndefined();
	model = JSON.stringify(trained.items('Train')[0].json.model);
});

async function recommendWith(catalogue: unknown[], extra: INodeParameters = {}, settings: Record<string, unknown> = {}) {
	return runWorkflow(
		{
			nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model, count: 3, recommendOptions: { catalogue: JSON.stringify(catalogue), ...extra } }, settings)],
			connections: {},
		},
		{ input: [{ json: { purchased_products: ['B'] } }, { json: { purchased_products: ['D'] } }] },
	);
}
type Rec = { product_id: string; score: number; reason_code: string };
const firstRecs = (result: Awaited<ReturnType<typeof recommendWith>>): Array<[string, number, string]> =>
	(result.items('Recommend')[0].json.recommendations as Rec[]).map((r) => [r.product_id, r.score, r.reason_code]);

describe('Catalogue products marked unavailable are never recommended', () => {
	it('in_stock false (and "no" as a spreadsheet writes it): A and C are left out, even as fill', async () => {
		const result = await recommendWith([
			{ product_id: 'A', in_stock: false },
			{ product_id: 'C', in_stock: 'no' },
			{ product_id: 'D', in_stock: true },
		]);
		expect(result.error).toBeUndefined();
		// D 0.4082, then best sellers: A out, B bought, C out, D taken → E
		expect(firstRecs(result)).toEqual([
			['D', 0.4082, 'bought_together'],
			['E', 0, 'best_seller'],
		]);
	});

	it('a number in a flag is a count of units: available 0 is left out, available 5 kept', async () => {
		const result = await recommendWith([
			{ product_id: 'A', available: 0 },
			{ product_id: 'C', available: 5 },
			{ product_id: 'D', available: 1 },
		]);
		expect(result.error).toBeUndefined();
		// A out as with in_stock false above; C and D (both 0.4082, tie by id) kept, then E as fill
		expect(firstRecs(result)).toEqual([
			['C', 0.4082, 'bought_together'],
			['D', 0.4082, 'bought_together'],
			['E', 0, 'best_seller'],
		]);
	});

	it('Google Merchant availability: out_of_stock is left out; "in stock", backorder and preorder are orderable', async () => {
		const result = await recommendWith([
			{ product_id: 'A', availability: 'in stock' },
			{ product_id: 'C', availability: 'out_of_stock' },
			{ product_id: 'D', availability: 'backorder' },
			{ product_id: 'E', availability: 'preorder' },
		]);
		expect(result.error).toBeUndefined();
		expect(firstRecs(result)).toEqual([
			['A', 0.6667, 'bought_together'],
			['D', 0.4082, 'bought_together'],
			['E', 0, 'best_seller'],
		]);
	});

	it('WooCommerce: stock_status outofstock and status draft are left out; onbackorder is kept', async () => {
		const result = await recommendWith([
			{ id: 'A', stock_status: 'outofstock', status: 'publish' },
			{ id: 'C', stock_status: 'onbackorder', status: 'publish' },
			{ id: 'D', stock_status: 'instock', status: 'draft' },
		]);
		expect(result.error).toBeUndefined();
		expect(firstRecs(result)).toEqual([
			['C', 0.4082, 'bought_together'],
			['E', 0, 'best_seller'],
		]);
	});

	it('Shopify: inventory_quantity 0 with policy deny is left out, with policy continue kept; a product whose every variant is at 0 is left out, status archived too', async () => {
		const result = await recommendWith([
			{ product_id: 'A', inventory_quantity: 0, inventory_policy: 'deny', inventory_management: 'shopify' },
			{ product_id: 'C', inventory_quantity: 0, inventory_policy: 'continue', inventory_management: 'shopify' },
			{ id: 'D', status: 'active', variants: [{ inventory_quantity: 0, inventory_policy: 'deny', inventory_management: 'shopify' }, { inventory_quantity: '-2', inventory_policy: 'deny', inventory_management: 'shopify' }] },
			{ id: 'E', status: 'archived' },
		]);
		expect(result.error).toBeUndefined();
		// C 0.4082, then best sellers: A, B, C, D, E all out, bought or taken
		expect(firstRecs(result)).toEqual([['C', 0.4082, 'bought_together']]);
	});

	it('a Shopify product with one variant in stock is available', async () => {
		const result = await recommendWith([{ id: 'A', status: 'active', variants: [{ inventory_quantity: 0, inventory_policy: 'deny', inventory_management: 'shopify' }, { inventory_quantity: 4, inventory_policy: 'deny', inventory_management: 'shopify' }] }]);
		expect(result.error).toBeUndefined();
		expect(firstRecs(result).map(([id]) => id)).toEqual(['A', 'C', 'D']);
	});

	it('with Only Catalogue Products too: only the available catalogue products', async () => {
		const result = await recommendWith(
			[
				{ product_id: 'A', in_stock: false },
				{ product_id: 'D', in_stock: true },
				{ product_id: 'E' },
			],
			{ onlyCatalogue: true },
		);
		expect(result.error).toBeUndefined();
		expect(firstRecs(result)).toEqual([
			['D', 0.4082, 'bought_together'],
			['E', 0, 'best_seller'],
		]);
	});

	it('an unavailable product still names the reason of its neighbours: a customer who bought D (out of stock now) gets E "Bought together with Desk"', async () => {
		const result = await recommendWith([{ product_id: 'D', name: 'Desk', in_stock: false }]);
		expect(result.error).toBeUndefined();
		const second = result.items('Recommend')[1].json.recommendations as Array<Rec & { reason: string }>;
		// bought D: neighbours B 1/sqrt(6) = 0.4082 and E 1/sqrt(2) = 0.7071
		expect(second.slice(0, 2).map((r) => [r.product_id, r.score, r.reason])).toEqual([
			['E', 0.7071, 'Bought together with Desk'],
			['B', 0.4082, 'Bought together with Desk'],
		]);
	});

	it('the option turned off: availability fields are ignored, as before', async () => {
		const result = await recommendWith([{ product_id: 'A', in_stock: false }], { skipUnavailable: false });
		expect(result.error).toBeUndefined();
		expect(firstRecs(result).map(([id]) => id)).toEqual(['A', 'C', 'D']);
	});

	it('a flag that is neither true nor false fails naming the catalogue product and the field', async () => {
		const result = await recommendWith([{ product_id: 'A' }, { product_id: 'C', in_stock: 'maybe' }]);
		expect(result.error?.message).toBe('Catalogue product 1 ("C"): field "in_stock" is "maybe": use true or false');
	});

	it('a quantity that is not a number fails naming the field; with Continue On Fail every item gets the error', async () => {
		const result = await recommendWith([{ product_id: 'A', inventory_quantity: 'lots' }], {}, { onError: 'continueRegularOutput' });
		expect(result.error).toBeUndefined();
		expect(result.items('Recommend').map((item) => item.json.error)).toEqual([
			'Catalogue product 0 ("A"): field "inventory_quantity" is "lots": use a number',
			'Catalogue product 0 ("A"): field "inventory_quantity" is "lots": use a number',
		]);
	});
});
