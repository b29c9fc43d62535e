/**
 * bench/events: the normalize path against bare JSON.parse of the same bodies.
 * (Issue #3 extends this with signature verification over every source's payloads.)
 */
import { segment } from '../../nodes/engines/events/sources/segment';
import type { BenchModule, Figure } from '../types';
import { timeIt } from '../types';

function makeBodies(n: number): string[] {
	const bodies: string[] = [];
	for (let i = 0; i < n; i++) {
		const products = Array.from({ length: 4 }, (_, k) => ({
			product_id: `sku-${(i * 7 + k) % 5000}`,
			sku: `SKU-${k}-${i % 97}`,
			name: `Organic cotton t-shirt, size ${['S', 'M', 'L', 'XL'][k]}, colour ${i % 13}`,
			price: 19.99 + k,
			quantity: 1 + (k % 2),
			url: `https://shop.example.com/products/sku-${(i * 7 + k) % 5000}`,
			image_url: `https://cdn.example.com/images/sku-${(i * 7 + k) % 5000}.jpg`,
			category: 'Apparel/T-Shirts',
		}));
		bodies.push(
			JSON.stringify({
				type: 'track',
				event: i % 3 === 0 ? 'Order Completed' : i % 3 === 1 ? 'Checkout Started' : 'Product Viewed',
				userId: `user-${i % 10000}`,
				anonymousId: `anon-${i}`,
				messageId: `msg-${i}`,
				timestamp: new Date(1700000000000 + i * 1000).toISOString(),
				context: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36', traits: { email: `User${i}@Example.com` } },
				properties: { order_id: `o-${i}`, checkout_id: `c-${i}`, total: 81.96, revenue: 70.5, currency: 'USD', products },
			}),
		);
	}
	return bodies;
}

export async function run({ quick }: { quick: boolean }): Promise<Figure[]> {
	const bodies = makeBodies(quick ? 5000 : 50000);
	const avgBytes = bodies.reduce((s, b) => s + Buffer.byteLength(b), 0) / bodies.length;
	const receivedAt = new Date();
	let sink = 0;
	const parseMs = timeIt(() => {
		for (const b of bodies) sink += (JSON.parse(b) as { type: string }).type.length;
	});
	const fullMs = timeIt(() => {
		for (const b of bodies) sink += segment.normalize({ payload: JSON.parse(b), receivedAt }).length;
	});
	if (sink < 0) console.log(sink);
	const perSec = (ms: number) => bodies.length / (ms / 1000);
	return [
		{
			name: `Segment track events/s, parse+normalize (~${Math.round(avgBytes)} B bodies)`,
			value: perSec(fullMs),
			unit: 'events/s',
			baseline: { name: 'JSON.parse only', value: perSec(parseMs) },
			better: 'higher',
			target: '>= 50,000 events/s; <= 2.5x the JSON.parse time',
		},
	];
}
