/**
 * Customer Profile → Record Events / Get Profile with numeric product ids (through the real n8n
 * engine, on SQLite and PostgreSQL). Segment's analytics.js and custom sources pass a shop's
 * numeric ids through as numbers (`product_id: 507`); Normalize Event's own sources write such an
 * id as its decimal text. Before, the fold read ids as text only: a viewed product kept no
 * product_id (and a view with no name or sku was not kept at all), a Product Added was dropped,
 * and the lines of one cart snapshot, all without a key, fell into a single line: the open cart
 * listed one product of two. Expected values worked out by hand from the events.
 */
import type { IDataObject } from 'n8n-workflow';
import { profileNodeStorages, runProfileNode, type ProfileNodeTarget } from '../harness/profile-db';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let seq = 0;
const ev = (event: string, who: IDataObject, minutes: number, properties: IDataObject = {}): IDataObject => ({
	type: 'track',
	event,
	messageId: `npi-${process.pid}-${++seq}`,
	timestamp: at(minutes),
	receivedAt: at(minutes),
	properties,
	context: { source: 'segment' },
	...who,
});

const { storages, drop } = profileNodeStorages('npi');
afterAll(() => drop());

describe.each(storages)('Customer Profile with numeric product ids on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	const run = (operation: string, input: IDataObject[], params: IDataObject = {}) => runProfileNode(target, operation, input, params);

	it('keeps numeric product, sku, cart and checkout ids as their decimal text in views and the open cart', async () => {
		const who = { userId: 'nina' };
		const recorded = await run('record', [
			ev('Product Viewed', who, 0, { product_id: 507, name: 'Shoe', price: 20 }),
			ev('Product Viewed', who, 1, { product_id: 508, price: 30 }),
			ev('Product Viewed', who, 2, { sku: 4711, price: 4 }),
			ev('Checkout Started', who, 3, {
				cart_id: 9001,
				checkout_id: 77,
				products: [
					{ product_id: 1, price: 5, quantity: 1 },
					{ product_id: 2, price: 7, quantity: 2 },
				],
			}),
			ev('Product Added', who, 4, { product_id: 3, price: 1 }),
		]);
		expect(recorded.map((r) => (r.recorded as IDataObject).status)).toEqual(['recorded', 'recorded', 'recorded', 'recorded', 'recorded']);
		const [{ profile }] = await run('get', [who]);
		const p = profile as IDataObject;
		// newest first, one per product
		expect(p.recentViews).toEqual([
			{ sku: '4711', price: 4, at: at(2) },
			{ product_id: '508', price: 30, at: at(1) },
			{ product_id: '507', name: 'Shoe', price: 20, at: at(0) },
		]);
		// the snapshot's two lines plus the added one: 5×1 + 7×2 + 1×1 = 20 (USD, no value on the snapshot)
		expect(p.openCart).toEqual({
			cart_id: '9001',
			checkout_id: '77',
			products: [
				{ product_id: '1', price: 5, quantity: 1 },
				{ product_id: '2', price: 7, quantity: 2 },
				{ product_id: '3', price: 1, quantity: 1 },
			],
			value: 20,
			updatedAt: at(4),
		});
	});

	it('a numeric id and its text are one product', async () => {
		const who = { userId: 'otto' };
		await run('record', [
			ev('Product Viewed', who, 0, { product_id: 507, name: 'Shoe' }),
			ev('Product Viewed', who, 1, { product_id: '507', name: 'Shoe' }),
			ev('Product Added', who, 2, { product_id: 9, price: 2 }),
			ev('Product Removed', who, 3, { product_id: '9' }),
		]);
		const [{ profile }] = await run('get', [who]);
		expect((profile as IDataObject).recentViews).toEqual([{ product_id: '507', name: 'Shoe', at: at(1) }]);
		// added as a number, removed as text: the cart is empty again
		expect((profile as IDataObject).openCart).toBeNull();
	});
});
