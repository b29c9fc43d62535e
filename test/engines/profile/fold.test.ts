/**
 * The pure fold, on cases worked out by hand.
 */
import { applyEvent, emptyState, toProfile, validateEvent } from '../../../nodes/engines/profile/fold';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let seq = 0;
const ev = (event: string, minutes: number, properties: Record<string, unknown> = {}): CanonicalEvent =>
	({ type: 'track', event, messageId: `f-${++seq}`, timestamp: at(minutes), receivedAt: at(minutes), userId: 'u', properties, context: { source: 'test' } }) as CanonicalEvent;

function fold(events: CanonicalEvent[]) {
	const valid = events.map((e) => validateEvent(e));
	const state = emptyState('p', valid[0].ts);
	for (const v of valid) applyEvent(state, v);
	return toProfile(state, new Date(T0 + 86_400_000));
}

describe('open cart value after line changes, in the currency\'s minor unit', () => {
	it('keeps the third decimal of KWD and BHD, and whole yen', () => {
		// 2 × 1.234 = 2.468 KWD (three-decimal currency: not 2.47)
		expect(fold([ev('Product Added', 1, { product_id: 'a', price: 1.234, quantity: 2, currency: 'KWD' })]).openCart!.value).toBe(2.468);
		// 3 × 0.125 + 1 × 0.001 = 0.376 BHD
		const bhd = fold([
			ev('Product Added', 1, { product_id: 'a', price: 0.125, quantity: 3, currency: 'BHD' }),
			ev('Product Added', 2, { product_id: 'b', price: 0.001, quantity: 1, currency: 'BHD' }),
		]);
		expect(bhd.openCart!.value).toBe(0.376);
		// 2 × 1,500 JPY = 3,000
		expect(fold([ev('Product Added', 1, { product_id: 'a', price: 1500, quantity: 2, currency: 'JPY' })]).openCart!.value).toBe(3000);
		// A snapshot in KWD changed by a line: 1.234 + 2 × 0.5 = 2.234 KWD
		const snap = fold([
			ev('Checkout Started', 1, { currency: 'KWD', value: 1.234, products: [{ product_id: 'a', price: 1.234, quantity: 1 }] }),
			ev('Product Added', 2, { product_id: 'b', price: 0.5, quantity: 2 }),
		]);
		expect(snap.openCart).toMatchObject({ currency: 'KWD', value: 2.234 });
		// Two-decimal currencies as before: 3 × 19.99 = 59.97 USD
		expect(fold([ev('Product Added', 1, { product_id: 'a', price: 19.99, quantity: 3 })]).openCart!.value).toBe(59.97);
	});
});

describe('an event dated in the future', () => {
	const DAY = 86_400_000;
	const withTimes = (timestamp: string, receivedAt?: string): CanonicalEvent =>
		({ type: 'track', event: 'Email Opened', messageId: `fut-${++seq}`, timestamp, ...(receivedAt ? { receivedAt } : {}), email: 'a@x.com', properties: {}, context: { source: 'test' } }) as CanonicalEvent;
	const iso = (ms: number) => new Date(ms).toISOString();

	it('is refused beyond 24 hours after it was received, naming the timestamp', () => {
		expect(() => validateEvent(withTimes(iso(T0 + DAY), iso(T0)))).not.toThrow(); // exactly a day: accepted
		expect(() => validateEvent(withTimes(iso(T0 + DAY + 1), iso(T0)))).toThrow(/2026-01-02T00:00:00.001Z is more than 24 hours after its receivedAt \(2026-01-01T00:00:00.000Z\)/);
		try {
			validateEvent(withTimes(iso(T0 + 2 * 365 * DAY), iso(T0)));
			throw new Error('not refused');
		} catch (error) {
			expect((error as { field?: string }).field).toBe('timestamp');
		}
	});

	it('without receivedAt, or with a receivedAt in the future, is bounded by the recording time', () => {
		expect(() => validateEvent(withTimes(iso(T0 + 3 * DAY)), T0)).toThrow(/after it is recorded \(2026-01-01T00:00:00.000Z\)/);
		expect(() => validateEvent(withTimes(iso(T0 + 3 * DAY), iso(T0 + 3 * DAY)), T0)).toThrow(/after it is recorded/);
		expect(() => validateEvent(withTimes(iso(T0 - 400 * DAY)), T0)).not.toThrow(); // the past is fine
	});
});
