import { customerFromItem, interactionsFromItem } from '../../../nodes/engines/reco/input';
import { runInTimeZone } from '../../harness/timezone';

describe('input shapes', () => {
	it('reads flat order lines with configured fields, epoch seconds and ISO dates', () => {
		const fields = { customer: 'cust.id', product: 'sku', quantity: 'qty', time: 'at', type: 'kind' };
		expect(interactionsFromItem({ cust: { id: 7 }, sku: 'A', qty: '2', at: 1735689600, name: 'Mug', price: 9 }, fields)).toEqual([
			{ customerId: '7', productId: 'A', kind: 'purchase', quantity: 2, time: Date.UTC(2025, 0, 1), details: { name: 'Mug', price: 9 } },
		]);
		expect(interactionsFromItem({ cust: { id: 'c' }, sku: 'B', kind: 'view', at: '2025-01-01T00:00:00Z' }, fields)[0]).toMatchObject({ kind: 'view', time: Date.UTC(2025, 0, 1) });
		expect(() => interactionsFromItem({ cust: { id: 'c' } }, fields)).toThrow('Field "sku" (product) is missing or empty');
		expect(() => interactionsFromItem({ cust: { id: 'c' }, sku: 'A', at: 'soon' }, fields)).toThrow('"at" is not a valid date');
		expect(() => interactionsFromItem({ cust: { id: 'c' }, sku: 'A', qty: -1 }, fields)).toThrow('quantity');
	});

	it('reads CustomerProfile items: openCart.products → cart, recentViews (with at) → viewed', () => {
		const ctx = customerFromItem({
			profileId: 'p1',
			purchased_products: ['A', { product_id: 'B', timestamp: '2025-01-02T00:00:00Z' }],
			openCart: { products: [{ product_id: 'C' }], updatedAt: '2025-01-03T00:00:00Z' },
			recentViews: [{ product_id: 'D', at: '2025-01-04T00:00:00Z' }],
		});
		expect(ctx).toEqual({ purchased: ['A', { id: 'B', time: Date.UTC(2025, 0, 2) }], cart: ['C'], viewed: [{ id: 'D', time: Date.UTC(2025, 0, 4) }] });
	});

	it('reads the profile Get Profile adds under `profile`: profile.openCart.products → cart, profile.recentViews → viewed (FIT-8)', () => {
		const view = { type: 'track', event: 'Product Viewed', userId: 'u1', timestamp: '2025-01-05T00:00:00Z', properties: { product_id: 'A' }, context: {} };
		const ctx = customerFromItem({
			...view,
			profileFound: true,
			profile: {
				profileId: 'p1',
				openCart: { products: [{ product_id: 'B' }, { sku: 'C' }], updatedAt: '2025-01-03T00:00:00Z' },
				recentViews: [{ product_id: 'D', at: '2025-01-04T00:00:00Z' }],
			},
		});
		expect(ctx.cart).toEqual(['B', 'C']);
		expect(ctx.viewed).toEqual([{ id: 'D', time: Date.UTC(2025, 0, 4) }, { id: 'A', time: Date.UTC(2025, 0, 5) }]);
		// a flat profile item with no `profile` (or profile: null) reads as before
		expect(customerFromItem({ profileId: 'p1', profile: null, openCart: { products: [{ product_id: 'E' }], updatedAt: '2025-01-03T00:00:00Z' } }).cart).toEqual(['E']);
		// a stored profile's line known by its name only matches no product: passed over (it used to
		// fail the customer), the others read; in a list the user gives, it is still refused
		expect(customerFromItem({ profile: { openCart: { products: [{ name: 'no id' }, { product_id: 'F' }] }, recentViews: [{ name: 'Gift card', at: '2025-01-04T00:00:00Z' }] } })).toEqual({
			purchased: [],
			cart: ['F'],
			viewed: [],
		});
		expect(() => customerFromItem({ cart: [{ name: 'no id' }] })).toThrow('Field "cart[0]" has no product_id');
	});

	it('reads a canonical event as the customer item: checkout → cart, order → purchased, view → viewed', () => {
		const base = { type: 'track', userId: 'u1', timestamp: '2025-01-05T00:00:00Z', context: { source: 'shopify' } };
		const t = Date.UTC(2025, 0, 5);
		expect(customerFromItem({ ...base, event: 'Checkout Started', properties: { products: [{ product_id: 'A' }, { sku: 'B' }] } }).cart).toEqual(['A', 'B']);
		expect(customerFromItem({ ...base, event: 'Order Completed', properties: { products: [{ product_id: 'A' }] } }).purchased).toEqual([{ id: 'A', time: t }]);
		expect(customerFromItem({ ...base, event: 'Product Viewed', properties: { product_id: 'Z' } }).viewed).toEqual([{ id: 'Z', time: t }]);
	});

	it('reads Product Removed / Order Refunded as products left out, and other events as nothing (they were views)', () => {
		const base = { type: 'track', userId: 'u1', timestamp: '2025-01-05T00:00:00Z' };
		const none = { purchased: [], cart: [], viewed: [] };
		expect(customerFromItem({ ...base, event: 'Product Removed', properties: { product_id: 'C', quantity: 1 } })).toEqual({ ...none, excluded: ['C'] });
		expect(customerFromItem({ ...base, event: 'Order Refunded', properties: { products: [{ product_id: 'A' }, { sku: 'B' }] } })).toEqual({ ...none, excluded: ['A', 'B'] });
		expect(customerFromItem({ ...base, event: 'Product List Viewed', properties: { products: [{ product_id: 'A' }] } })).toEqual(none);
		expect(customerFromItem({ ...base, event: 'Product Updated', properties: { product_id: 'A' } })).toEqual(none);
	});
});

describe('order-line times in a process whose time zone is Tokyo (UTC+9)', () => {
	it('reads ISO text without a zone as UTC and refuses zone-less non-ISO text, whatever the server zone', () => {
		// The zone is set on a child process (see runInTimeZone): Date.parse would read these in Tokyo time.
		const script = `
			const { interactionsFromItem } = require(${JSON.stringify(require.resolve('../../../nodes/engines/reco/input'))});
			const fields = { customer: 'c', product: 'p', quantity: 'q', time: 't', type: 'k' };
			const at = (t) => { try { return new Date(interactionsFromItem({ c: 'x', p: 'A', t }, fields)[0].time).toISOString(); } catch (e) { return 'error: ' + e.message; } };
			process.stdout.write(JSON.stringify({
				local: new Date('2024-01-10T10:00:00').toISOString(),
				zoneless: at('2024-01-10T10:00:00'),
				space: at('2024-01-10 10:00'),
				fraction: at('2024-01-10T10:00:00.123'),
				offset: at('2024-01-10T19:00:00+09:00'),
				dateOnly: at('2024-01-10'),
				gmt: at('Wed, 10 Jan 2024 10:00:00 GMT'),
				slashes: at('01/10/2024'),
				impossible: at('2024-02-30'),
			}));`;
		expect(runInTimeZone('Asia/Tokyo', script)).toEqual({
			local: '2024-01-10T01:00:00.000Z', // the zone really is in effect in the child
			zoneless: '2024-01-10T10:00:00.000Z',
			space: '2024-01-10T10:00:00.000Z',
			fraction: '2024-01-10T10:00:00.123Z',
			offset: '2024-01-10T10:00:00.000Z', // a zone, when given, still counts
			dateOnly: '2024-01-10T00:00:00.000Z',
			gmt: '2024-01-10T10:00:00.000Z',
			slashes: expect.stringContaining('error: "t" is not a valid date: "01/10/2024"') as string,
			impossible: expect.stringContaining('error: "t" is not a valid date: "2024-02-30"') as string,
		});
	});
});

describe('order-line times as database exports write them', () => {
	// BigQuery writes a TIMESTAMP in CSV/JSON exports as "2024-01-10 10:00:00 UTC"; PostgreSQL writes a
	// timestamptz as "2024-01-10 10:00:00+00" (an offset of hours alone when the minutes are 0,
	// "…+05:30" otherwise). Both name their zone, and Date.parse read them before the change to
	// the profile store's reading: they must not become item errors.
	const fields = { customer: 'c', product: 'p', quantity: 'q', time: 't', type: 'k' };
	const at = (t: unknown) => new Date(interactionsFromItem({ c: 'x', p: 'A', t }, fields)[0].time!).toISOString();

	it('reads " UTC" / " GMT" and hour-only offsets, in a process in Tokyo as in this one', () => {
		const cases: Array<[string, string]> = [
			['2024-01-10 10:00:00 UTC', '2024-01-10T10:00:00.000Z'],
			['2024-01-10 10:00 UTC', '2024-01-10T10:00:00.000Z'],
			['2024-01-10 10:00:00 GMT', '2024-01-10T10:00:00.000Z'],
			['2024-01-10 10:00:00.123456 UTC', '2024-01-10T10:00:00.123Z'],
			['2024-01-10 10:00:00+00', '2024-01-10T10:00:00.000Z'],
			['2024-01-10 10:00:00.123456+00', '2024-01-10T10:00:00.123Z'],
			['2024-01-10 19:00:00+09', '2024-01-10T10:00:00.000Z'],
			['2024-01-10 05:00:00-05', '2024-01-10T10:00:00.000Z'],
			['2024-01-10T10:00:00.000+0000', '2024-01-10T10:00:00.000Z'],
		];
		for (const [text, iso] of cases) expect([text, at(text)]).toEqual([text, iso]);
		const script = `
			const { interactionsFromItem } = require(${JSON.stringify(require.resolve('../../../nodes/engines/reco/input'))});
			const fields = ${JSON.stringify(fields)};
			const at = (t) => { try { return new Date(interactionsFromItem({ c: 'x', p: 'A', t }, fields)[0].time).toISOString(); } catch (e) { return 'error: ' + e.message; } };
			process.stdout.write(JSON.stringify(${JSON.stringify(cases.map(([text]) => text))}.map(at)));`;
		expect(runInTimeZone('Asia/Tokyo', script)).toEqual(cases.map(([, iso]) => iso));
	});

	it('a Date (a database node\'s timestamp) is its time; an impossible date with a zone is still refused', () => {
		expect(at(new Date('2024-01-10T10:00:00Z'))).toBe('2024-01-10T10:00:00.000Z');
		expect(() => at('2024-02-30 10:00:00 UTC')).toThrow('"t" is not a valid date: "2024-02-30 10:00:00 UTC"');
		expect(() => at('2024-02-30 10:00:00+00')).toThrow('"t" is not a valid date');
	});
});
