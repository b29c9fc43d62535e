/**
 * Shopify orders: `revenue` is after discounts and without shipping and taxes (Segment e-commerce
 * v2, Order Completed: "revenue … excluding shipping and taxes"; `total` includes them), also for a
 * shop whose prices include tax.
 * - Order resource (https://shopify.dev/docs/api/admin-rest/latest/resources/order): `subtotal_price`
 *   is the order "after discounts but before shipping, duties, taxes, and tips"; `taxes_included`:
 *   "Whether taxes are included in the order subtotal". So with `taxes_included: true` the subtotal
 *   holds the items' taxes, and `revenue` was the subtotal.
 * - `total_tax` holds the taxes of the items and of shipping; a shipping line's taxes are its
 *   `tax_lines[].price`.
 * Worked by hand: a UK shop, 20 % VAT in its prices, one item at £120.00 (VAT £20.00 in it) and
 * shipping £6.00 (VAT £1.00 in it): total £126.00, total_tax £21.00, subtotal £120.00;
 * revenue = 120.00 − (21.00 − 1.00) = £100.00.
 */
import { shopify } from '../../../nodes/engines/events/sources/shopify';
import { fixtureBody } from '../../harness/event-fixtures';

const receivedAt = new Date('2026-01-01T00:00:00.000Z');
const order = (changes: Record<string, unknown>) => shopify.normalize({ payload: { ...fixtureBody('shopify', 'orders-create'), ...changes }, topic: 'orders/create', receivedAt })[0];

const ukOrder = {
	currency: 'GBP',
	taxes_included: true,
	subtotal_price: '120.00',
	total_tax: '21.00',
	total_price: '126.00',
	total_discounts: '0.00',
	total_shipping_price_set: { shop_money: { amount: '6.00', currency_code: 'GBP' }, presentment_money: { amount: '6.00', currency_code: 'GBP' } },
	shipping_lines: [{ title: 'Standard', price: '6.00', tax_lines: [{ title: 'VAT', rate: 0.2, price: '1.00' }] }],
};

describe('Shopify Order Completed revenue', () => {
	it('a tax-inclusive order: revenue is the subtotal without the items\u2019 VAT (100.00 of 126.00)', () => {
		const e = order(ukOrder);
		expect(e.properties).toMatchObject({ currency: 'GBP', total: 126, subtotal: 120, tax: 21, shipping: 6, revenue: 100, value: 126 });
	});

	it('without shipping lines all of total_tax is the items\u2019 (120.00 − 20.00)', () => {
		const e = order({ ...ukOrder, total_tax: '20.00', total_price: '120.00', total_shipping_price_set: undefined, shipping_lines: [] });
		expect(e.properties.revenue).toBe(100);
	});

	it('a tax-exclusive order keeps revenue = subtotal (the documented order: 393.00)', () => {
		expect(order({}).properties).toMatchObject({ subtotal: 393, revenue: 393, total: 403 });
		expect(order({ taxes_included: false, subtotal_price: '100.00', total_tax: '8.00', total_price: '113.00' }).properties.revenue).toBe(100);
	});
});
