/**
 * Customer Profile: Product Viewed events whose product has only a sku (WooCommerce, custom
 * sources: no product_id) are kept one per product in recentViews, on both storages, through the
 * real n8n engine; and the views reach Recommend Products (Get Profile → Recommend).
 *
 * A kept view's product is its product_id, else its sku, else its name. Expected values by hand:
 * views of S1 (minute 0), S2 (1), S3 (2), S1 again (3) → newest first, one per product:
 * S1 at minute 3, S3 at 2, S2 at 1. A view with a product_id and a sku and one with the same sku
 * and no product_id are one product too (the newest view, keeping the product_id).
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow, type WorkflowJson } from '../harness/engine';
import { profileEvent, profileNodeStorages, profileTime, type ProfileNodeTarget } from '../harness/profile-db';

const at = profileTime;
const ev = (event: string, who: IDataObject, minutes: number, properties: IDataObject = {}): IDataObject =>
	profileEvent<IDataObject>({ event, ...who, properties, context: { source: 'woocommerce' } }, minutes, `sku-${process.pid}`);
const items = (list: IDataObject[]): INodeExecutionData[] => list.map((json) => ({ json }));

const { storages, drop } = profileNodeStorages('sku');
afterAll(() => drop());

describe.each(storages)('Customer Profile on $name: sku-only product views', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	const profileNode = (name: string, operation: string, params: IDataObject = {}) =>
		node(name, 'customerProfile', { operation, ...target.params, ...params } as INode['parameters'], target.extra);
	const run = (workflow: WorkflowJson, input: IDataObject[]) => runWorkflow(workflow, { input: items(input), credentials: target.credentials as never });
	const record = (events: IDataObject[]) => run({ nodes: [profileNode('Profile', 'record')], connections: {} }, events);
	const get = async (who: IDataObject) => {
		const res = await run({ nodes: [profileNode('Profile', 'get')], connections: {} }, [who]);
		expect(res.error).toBeUndefined();
		return res.items('Profile')[0].json.profile as IDataObject;
	};

	it('keeps one view per sku, newest first, each carrying its sku', async () => {
		const rec = await record([
			ev('Product Viewed', { userId: 'woo-1' }, 0, { sku: 'S1' }),
			ev('Product Viewed', { userId: 'woo-1' }, 1, { sku: 'S2' }),
			ev('Product Viewed', { userId: 'woo-1' }, 2, { sku: 'S3', price: 12.5 }),
			ev('Product Viewed', { userId: 'woo-1' }, 3, { sku: 'S1' }),
			// with a product_id, the product is its product_id (the sku is kept alongside)
			ev('Product Viewed', { userId: 'woo-2' }, 0, { product_id: '17', sku: 'S1', name: 'Mug' }),
			ev('Product Viewed', { userId: 'woo-2' }, 1, { product_id: '18', sku: 'S1', name: 'Mug' }),
		]);
		expect(rec.error).toBeUndefined();
		expect((await get({ userId: 'woo-1' })).recentViews).toEqual([
			{ sku: 'S1', at: at(3) },
			{ sku: 'S3', price: 12.5, at: at(2) },
			{ sku: 'S2', at: at(1) },
		]);
		expect((await get({ userId: 'woo-2' })).recentViews).toEqual([
			{ product_id: '18', sku: 'S1', name: 'Mug', at: at(1) },
			{ product_id: '17', sku: 'S1', name: 'Mug', at: at(0) },
		]);
	});

	it('a product viewed with its product_id and sku, then with its sku only, is one entry keeping the product_id', async () => {
		const rec = await record([
			ev('Product Viewed', { userId: 'woo-5' }, 0, { product_id: '17', sku: 'S1', name: 'Mug' }),
			ev('Product Viewed', { userId: 'woo-5' }, 1, { sku: 'S2' }),
			ev('Product Viewed', { userId: 'woo-5' }, 2, { sku: 'S1', price: 4 }),
		]);
		expect(rec.error).toBeUndefined();
		// S1 at 2 is 17's view (same sku, no product_id): 17/S1 at 2 (the newest view, product_id kept), S2 at 1
		expect((await get({ userId: 'woo-5' })).recentViews).toEqual([
			{ product_id: '17', sku: 'S1', price: 4, at: at(2) },
			{ sku: 'S2', at: at(1) },
		]);
	});

	it('an anonymous visitor\'s sku-only views merge into the known customer one per product', async () => {
		const rec = await record([
			ev('Product Viewed', { userId: 'woo-3' }, 0, { sku: 'S3' }),
			ev('Product Viewed', { anonymousId: 'anon-3' }, 1, { sku: 'S1' }),
			ev('Product Viewed', { anonymousId: 'anon-3' }, 2, { sku: 'S2' }),
			ev('Product Viewed', { anonymousId: 'anon-3' }, 3, { sku: 'S3' }),
			ev('Identify', { anonymousId: 'anon-3', userId: 'woo-3' }, 4),
		]);
		expect(rec.error).toBeUndefined();
		// S3 twice (minute 0 as the customer, 3 as the visitor): its latest view only
		expect((await get({ userId: 'woo-3' })).recentViews).toEqual([
			{ sku: 'S3', at: at(3) },
			{ sku: 'S2', at: at(2) },
			{ sku: 'S1', at: at(1) },
		]);
	});

	it('Get Profile → Recommend Products reads the sku-only views as viewed products, and passes over a view known by its name only', async () => {
		await record([
			ev('Product Viewed', { userId: 'woo-4' }, 0, { sku: 'S2' }),
			ev('Product Viewed', { userId: 'woo-4' }, 1, { sku: 'S1' }),
			// kept by the profile (its key is the name) but no product of a model: Recommend failed
			// the customer on it ("profile.recentViews[0] has no product_id")
			ev('Product Viewed', { userId: 'woo-4' }, 2, { name: 'Gift card' }),
		]);
		expect((await get({ userId: 'woo-4' })).recentViews).toEqual([
			{ name: 'Gift card', at: at(2) },
			{ sku: 'S1', at: at(1) },
			{ sku: 'S2', at: at(0) },
		]);
		// a model where S1 and X were bought by the same two customers: cosine 2 / sqrt(2 · 2) = 1
		const model = {
			kind: 'pz-reco-model',
			version: 1,
			trainedAt: at(0),
			similarity: 'cosine',
			params: { similarity: 'cosine', neighbors: 20, halfLifeDays: 0, viewWeight: 0.3, maxProductsPerCustomer: 200, minSupport: 2, bestSellers: 100, bestSellersPerCategory: 20, asOf: null },
			stats: { interactions: 4, purchases: 4, views: 0, customers: 2, products: 2, productsWithNeighbors: 2, neighborLinks: 2 },
			bestSellers: ['S1', 'X'],
			bestSellersByCategory: {},
			products: [
				{ product_id: 'S1', name: 'Tea', buyers: 2, units: 2, neighbors: [['X', 1]] },
				{ product_id: 'X', name: 'Teapot', buyers: 2, units: 2, neighbors: [['S1', 1]] },
			],
		};
		const workflow: WorkflowJson = {
			nodes: [profileNode('Get Profile', 'get'), node('Recommend', 'recommendProducts', { operation: 'recommend', model: JSON.stringify(model), count: 1, fill: 'none' })],
			connections: chain('Get Profile', 'Recommend'),
		};
		const res = await run(workflow, [{ userId: 'woo-4' }]);
		expect(res.error).toBeUndefined();
		// the newest view with an id, S1, is a seed of weight 0.5 (a view) · 0.9^0: X scores 0.5 · 1 = 0.5
		expect(res.items('Recommend')[0].json.recommendations).toEqual([
			{ product_id: 'X', rank: 1, score: 0.5, reason: 'Similar to Tea, which you viewed', reason_code: 'similar_to_viewed', because_product_id: 'S1', name: 'Teapot' },
		]);
	});
});
