/**
 * Review fixes of the store / CDP mappings. Payloads are the documented fixtures
 * (test/fixtures/events/…) with the fields in question changed; every expected value is worked out
 * by hand in the comment next to it.
 */
import { getSource } from '../../../nodes/engines/events/registry';
import { runInTimeZone } from '../../harness/timezone';
import type { NormalizeInput } from '../../../nodes/engines/events/types';
import { canonicalEventErrors } from '../../harness/schema';
import { loadFixtures } from '../../harness/signing';

const receivedAt = new Date('2026-01-01T00:00:00.000Z');
const fixtures = loadFixtures();

function fixture(source: string, name: string): { body: Record<string, unknown>; headers: Record<string, string> } {
	const found = fixtures.find((f) => f.source === source && f.name === name);
	if (!found) throw new Error(`no fixture ${source}/${name}`);
	// A deep copy: tests change fields freely.
	return JSON.parse(JSON.stringify({ body: found.fixture.body, headers: found.fixture.headers ?? {} })) as { body: Record<string, unknown>; headers: Record<string, string> };
}

function run(source: string, input: Omit<NormalizeInput, 'receivedAt'>) {
	const events = getSource(source)!.normalize({ ...input, receivedAt });
	for (const event of events) expect(canonicalEventErrors(event)).toEqual([]);
	return events;
}

describe('Stripe charge.refunded: the amount of this refund, not the cumulative one', () => {
	/** The documented charge.refunded fixture with the charge's amounts set (minor units). */
	function refund(currency: string, amountRefunded: unknown, previousAttributes?: Record<string, unknown>) {
		const { body, headers } = fixture('stripe', 'charge.refunded');
		const data = body.data as Record<string, unknown>;
		const object = data.object as Record<string, unknown>;
		object.currency = currency;
		object.amount = 10000;
		object.amount_refunded = amountRefunded;
		if (previousAttributes) data.previous_attributes = previousAttributes;
		return run('stripe', { payload: body, headers })[0];
	}

	it('a second partial refund counts only itself (EUR)', () => {
		// 10.00 refunded before, 30.00 now: this refund is 3000 - 1000 = 2000 cents = 20 EUR.
		const e = refund('eur', 3000, { amount_refunded: 1000, refunded: false, refunds: { data: [], total_count: 1 } });
		expect(e.properties).toMatchObject({ total: 20, value: 20, amount_refunded_total: 30, currency: 'EUR' });
	});

	it('zero-decimal JPY: minor units are yen', () => {
		// 500 yen refunded before, 1500 now: this refund is 1000 yen.
		const e = refund('jpy', 1500, { amount_refunded: 500 });
		expect(e.properties).toMatchObject({ total: 1000, value: 1000, amount_refunded_total: 1500, currency: 'JPY' });
	});

	it('three-decimal KWD: minor units are fils', () => {
		// 1234 fils before, 2500 now: 1266 fils = 1.266 KWD; the cumulative 2500 fils = 2.5 KWD.
		const e = refund('kwd', 2500, { amount_refunded: 1234 });
		expect(e.properties).toMatchObject({ total: 1.266, value: 1.266, amount_refunded_total: 2.5, currency: 'KWD' });
	});

	it('a first refund (previous amount_refunded 0) is the whole amount_refunded', () => {
		// 0 before, 1099 cents now: 10.99 EUR, also the cumulative amount.
		const e = refund('eur', 1099, { amount_refunded: 0, refunded: false });
		expect(e.properties).toMatchObject({ total: 10.99, value: 10.99, amount_refunded_total: 10.99 });
	});

	it('without a numeric previous amount_refunded, amount_refunded as before', () => {
		// No previous_attributes: 1099 cents = 10.99 EUR.
		expect(refund('eur', 1099).properties).toMatchObject({ total: 10.99, value: 10.99, amount_refunded_total: 10.99 });
		// previous_attributes without amount_refunded, or not a number: the same.
		expect(refund('eur', 1099, { refunded: false }).properties).toMatchObject({ total: 10.99, amount_refunded_total: 10.99 });
		expect(refund('eur', 1099, { amount_refunded: '1000' }).properties).toMatchObject({ total: 10.99, amount_refunded_total: 10.99 });
	});
});

describe('Shopify refunds/create: successful refund transactions only, rounded per currency', () => {
	function refund(transactions: unknown[]) {
		const { body, headers } = fixture('shopify', 'refunds-create');
		body.transactions = transactions;
		return run('shopify', { payload: body, headers })[0];
	}

	it('failed, pending and non-refund transactions are not counted', () => {
		// Only the first moved money: 50.00.
		const e = refund([
			{ id: 1, amount: '50.00', currency: 'USD', kind: 'refund', status: 'success' },
			{ id: 2, amount: '50.00', currency: 'USD', kind: 'refund', status: 'failure' },
			{ id: 3, amount: '10.00', currency: 'USD', kind: 'refund', status: 'pending' },
			{ id: 4, amount: '5.00', currency: 'USD', kind: 'suggested_refund', status: 'success' },
		]);
		expect(e.properties).toMatchObject({ total: 50, value: 50, currency: 'USD' });
	});

	it('a refund whose only transaction failed refunded nothing', () => {
		const e = refund([{ id: 2, amount: '199.00', currency: 'USD', kind: 'refund', status: 'failure' }]);
		expect(e.properties).toMatchObject({ total: 0, value: 0 });
	});

	it('transactions without kind / status still count (older payloads)', () => {
		// 19.99 + 0.01 = 20.
		const e = refund([
			{ id: 1, amount: '19.99', currency: 'USD' },
			{ id: 2, amount: '0.01', currency: 'USD' },
		]);
		expect(e.properties).toMatchObject({ total: 20, value: 20 });
	});

	it('KWD keeps three decimals', () => {
		// 1.234 + 2.345 = 3.579 KWD (two decimals would give 3.58).
		const e = refund([
			{ id: 1, amount: '1.234', currency: 'KWD', kind: 'refund', status: 'success' },
			{ id: 2, amount: '2.345', currency: 'KWD', kind: 'refund', status: 'success' },
		]);
		expect(e.properties).toMatchObject({ total: 3.579, value: 3.579, currency: 'KWD' });
	});

	it('cart value: KWD keeps three decimals too', () => {
		const { body, headers } = fixture('shopify', 'carts-update');
		body.currency = 'KWD';
		body.line_items = [{ id: 1, product_id: 7, title: 'Dates', price: '1.234', quantity: 3 }];
		// 1.234 × 3 = 3.702 KWD (two decimals would give 3.7).
		const e = run('shopify', { payload: body, headers })[0];
		expect(e.properties.value).toBe(3.702);
		expect(e.properties.currency).toBe('KWD');
	});
});

describe('Segment batch: the batch context applies to every call', () => {
	function batch() {
		const { body, headers } = fixture('segment', 'batch');
		const calls = body.batch as Array<Record<string, unknown>>;
		body.context = { ip: '8.8.8.8', userAgent: 'batch-agent/1.0', traits: { email: 'Batch@Example.com', plan: 'pro' } };
		calls[2].context = { ip: '1.2.3.4', traits: { email: 'own@example.com' } };
		return run('segment', { payload: body, headers });
	}

	it('a call without its own context takes the batch one (identity included)', () => {
		// batch[1] (track, no context): ip, userAgent and traits (email) from the batch context.
		const e = batch()[1];
		expect(e.email).toBe('batch@example.com');
		expect(e.traits).toEqual({ email: 'Batch@Example.com', plan: 'pro' });
		expect(e.context).toMatchObject({ ip: '8.8.8.8', userAgent: 'batch-agent/1.0' });
	});

	it("a call's own context keys and traits win, the rest comes from the batch", () => {
		// batch[2]: own ip and email; userAgent and the plan trait from the batch.
		const e = batch()[2];
		expect(e.email).toBe('own@example.com');
		expect(e.traits).toEqual({ email: 'own@example.com', plan: 'pro' });
		expect(e.context).toMatchObject({ ip: '1.2.3.4', userAgent: 'batch-agent/1.0' });
	});

	it("an identify call's own traits stay its traits", () => {
		// batch[0] carries top-level traits: they are the traits (jake@yahoo.com), as before.
		const e = batch()[0];
		expect(e.email).toBe('jake@yahoo.com');
		expect(e.traits).toEqual({ email: 'jake@yahoo.com', name: 'Jake Peterson', age: 26 });
		expect(e.context).toMatchObject({ ip: '8.8.8.8', userAgent: 'batch-agent/1.0' });
	});
});

describe('customer created_at traits are ISO-8601 UTC', () => {
	it('Shopify: the offset is applied', () => {
		// Documented "2021-12-31T19:00:00-05:00" = 2022-01-01 00:00 UTC.
		const { body, headers } = fixture('shopify', 'customers-create');
		expect(run('shopify', { payload: body, headers })[0].traits?.created_at).toBe('2022-01-01T00:00:00.000Z');
	});

	it('WooCommerce: date_created_gmt is read as UTC', () => {
		// Documented date_created_gmt "2017-03-21T19:09:28" (UTC, no designator); the local
		// date_created "2017-03-21T16:09:28" is not used.
		const { body, headers } = fixture('woocommerce', 'customer.created');
		expect(run('woocommerce', { payload: body, headers })[0].traits?.created_at).toBe('2017-03-21T19:09:28.000Z');
	});

	it('a created_at that is not a date is left out, the event is still emitted', () => {
		const shop = fixture('shopify', 'customers-update');
		shop.body.created_at = 'yesterday';
		const s = run('shopify', { payload: shop.body, headers: shop.headers });
		expect(s).toHaveLength(1);
		expect(s[0].traits).not.toHaveProperty('created_at');
		expect(s[0].traits?.email).toBe('bob@biller.com');

		const woo = fixture('woocommerce', 'customer.updated');
		woo.body.date_created_gmt = '2017-02-30T10:00:00'; // no 30 February
		const w = run('woocommerce', { payload: woo.body, headers: woo.headers });
		expect(w).toHaveLength(1);
		expect(w[0].traits).not.toHaveProperty('created_at');
		expect(w[0].traits?.username).toBe('john.doe');
	});

	it('a missing date gives no trait, as before', () => {
		const woo = fixture('woocommerce', 'customer.created');
		delete woo.body.date_created_gmt;
		expect(run('woocommerce', { payload: woo.body, headers: woo.headers })[0].traits).not.toHaveProperty('created_at');
	});
});

describe('zone-less timestamps are read as UTC whatever the server time zone (Segment, Custom)', () => {
	it('in a process whose time zone is New York (UTC-5 in January), "2026-01-15T10:00:00" is 10:00 UTC', () => {
		// The zone is set on a child process (see runInTimeZone).
		const script = `
			const { getSource } = require(${JSON.stringify(require.resolve('../../../nodes/engines/events/registry'))});
			const receivedAt = new Date('2026-01-01T00:00:00.000Z');
			const segment = (timestamp) => getSource('segment').normalize({ payload: { type: 'track', event: 'Product Viewed', userId: 'u1', messageId: 'm1', timestamp, properties: {} }, receivedAt, onUnknown: 'error' })[0].timestamp;
			const custom = (ts) => getSource('custom').normalize({ payload: { ts, uid: 'u1' }, receivedAt, onUnknown: 'error', mapping: { eventName: 'Product Viewed', timestampPath: 'ts', userIdPath: 'uid' } })[0].timestamp;
			process.stdout.write(JSON.stringify({
				local: new Date('2026-01-15T10:00:00').toISOString(),
				segment: segment('2026-01-15T10:00:00'),
				segmentWithZone: segment('2026-01-15T10:00:00-05:00'),
				custom: custom('2026-01-15 10:00:00'),
				customT: custom('2026-01-15T10:00:00'),
			}));`;
		expect(runInTimeZone('America/New_York', script)).toEqual({
			local: '2026-01-15T15:00:00.000Z', // the zone really is in effect in the child
			segment: '2026-01-15T10:00:00.000Z',
			segmentWithZone: '2026-01-15T15:00:00.000Z', // a zone, when given, still counts
			custom: '2026-01-15T10:00:00.000Z',
			customT: '2026-01-15T10:00:00.000Z',
		});
	});
});
