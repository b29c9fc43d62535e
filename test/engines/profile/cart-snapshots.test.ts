/**
 * The package's own store events that carry the whole cart (Shopify carts/create, carts/update and
 * checkouts/update) are cart snapshots: the profile keeps the newest as its open cart, and Recommend
 * Products reads their products as in the cart (never to be recommended back). Payloads are
 * Shopify's documented examples (test/fixtures/events/shopify); expected carts worked out by hand.
 */
import { getSource } from '../../../nodes/engines/events/registry';
import { applyEvent, emptyState, toProfile, validateEvent } from '../../../nodes/engines/profile/fold';
import { customerFromItem } from '../../../nodes/engines/reco/input';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { fixtureBody } from '../../harness/event-fixtures';

function shopify(topic: string, fixture: string, change: (body: Record<string, unknown>) => void = () => undefined): CanonicalEvent {
	const body = fixtureBody('shopify', fixture);
	change(body);
	const [event] = getSource('shopify')!.normalize({
		payload: body,
		headers: { 'x-shopify-topic': topic, 'x-shopify-webhook-id': `${topic}-${fixture}` },
		receivedAt: new Date('2026-01-01T00:00:00.000Z'),
		onUnknown: 'skip',
	});
	return event;
}

function fold(events: CanonicalEvent[]) {
	const first = validateEvent(events[0]);
	let state = emptyState('p1', first.ts);
	for (const e of events) state = applyEvent(state, validateEvent(e));
	return toProfile(state, new Date('2026-01-02T00:00:00.000Z'));
}

describe('cart snapshots from Shopify carts and checkout updates', () => {
	it('carts/update becomes the open cart (3 × 19.99 = 59.97)', () => {
		const cart = shopify('carts/update', 'carts-update');
		expect(cart.event).toBe('Cart Updated');
		const profile = fold([cart]);
		expect(profile.openCart).toMatchObject({
			cart_id: 'eeafa272cebfd4b22385bc4b645e762c',
			value: 59.97,
			products: [{ product_id: '7880321196742', sku: 'example-shirt-s', name: 'Example T-Shirt - Small', price: 19.99, quantity: 3 }],
		});
	});

	it('a later carts/update replaces the cart; one with no lines empties it', () => {
		const first = shopify('carts/update', 'carts-update');
		const later = shopify('carts/update', 'carts-update', (b) => {
			b.updated_at = '2022-01-01T01:00:00.000Z';
			(b.line_items as Array<Record<string, unknown>>)[0].quantity = 1;
		});
		expect(fold([first, later]).openCart).toMatchObject({ value: 19.99, products: [{ product_id: '7880321196742', quantity: 1 }] });
		const emptied = shopify('carts/update', 'carts-update', (b) => {
			b.updated_at = '2022-01-01T02:00:00.000Z';
			b.line_items = [];
		});
		const cart = fold([first, later, emptied]).openCart;
		expect(cart?.products ?? []).toEqual([]);
	});

	it('checkouts/update after checkouts/create: the cart is the updated checkout', () => {
		const started = shopify('checkouts/create', 'checkouts-create');
		const startedLines = (started.properties.products as Array<{ product_id: string }>).map((p) => p.product_id);
		const updated = shopify('checkouts/update', 'checkouts-update', (b) => {
			b.updated_at = '2025-06-01T00:00:00.000Z';
			b.line_items = [{ product_id: 424242, title: 'Only this one', price: '5.00', quantity: 2 }];
			b.total_price = '10.00';
		});
		expect(updated.event).toBe('Checkout Updated');
		expect(startedLines).not.toContain('424242');
		const profile = fold([started, updated]);
		expect(profile.openCart?.products).toEqual([{ product_id: '424242', name: 'Only this one', price: 5, quantity: 2 }]);
		expect(profile.openCart?.value).toBe(10);
	});
	it('checkouts/update with completed_at (the order was placed) closes the cart instead of reopening it', () => {
		const started = shopify('checkouts/create', 'checkouts-create');
		const completed = shopify('checkouts/update', 'checkouts-update', (b) => {
			b.updated_at = '2025-06-01T00:05:00.000Z';
			b.completed_at = '2025-06-01T00:05:00-05:00';
		});
		expect(completed.properties.completed_at).toBe('2025-06-01T05:05:00.000Z');
		expect(fold([started]).openCart).not.toBeNull();
		expect(fold([started, completed]).openCart).toBeNull();
		// and in the other order: the completed checkout still wins over the earlier snapshot
		expect(fold([completed, started]).openCart).toBeNull();
	});
});

describe('Recommend Products reads cart snapshots as the cart', () => {
	it.each([
		['carts/update', 'carts-update'],
		['carts/create', 'carts-create'],
		['checkouts/update', 'checkouts-update'],
	])('%s products are in the cart, not views', (topic, fixture) => {
		const event = shopify(topic, fixture);
		const ids = (event.properties.products as Array<{ product_id: string }>).map((p) => p.product_id);
		expect(ids.length).toBeGreaterThan(0);
		const ctx = customerFromItem(event as unknown as Record<string, unknown>);
		expect(ctx.cart).toEqual(expect.arrayContaining(ids));
		expect((ctx.viewed ?? []).map((v) => (typeof v === 'string' ? v : v.id))).toEqual([]);
	});

	it('a Stripe expired checkout with products (Checkout Abandoned) is the cart too', () => {
		const event = { type: 'track', event: 'Checkout Abandoned', messageId: 'm', timestamp: '2026-01-01T00:00:00.000Z', email: 'a@example.com', properties: { products: [{ product_id: 'P1' }] }, context: { source: 'stripe' } };
		expect(customerFromItem(event).cart).toEqual(['P1']);
	});
});
