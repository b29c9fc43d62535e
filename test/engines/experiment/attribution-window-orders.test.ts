/**
 * A/B Analyze from engagement events: which orders convert whom.
 * - An order whose id has an 'Order Cancelled' among the events converts nobody (matched by the
 *   order id, a number and its text alike, wherever the cancellation stands); nor does one whose
 *   'Order Refunded' events returned its whole total in its currency. Orders are matched within
 *   their source and store (orderScope); a withdrawing event without one matches by the id alone.
 * - Under the attribution window an order converts at most one recipient per variant: among the
 *   recipients it joins whose window holds it, the one named by its strongest id
 *   (message id `m:` > userId `u:` > address `e:` > anonymousId `a:`).
 *
 * Every expected count is worked out by hand in the comment next to it.
 */
import { aggregateEvents, eventTime, type EngagementEvent } from '../../../nodes/engines/experiment/analyze';

const WINDOW = { mode: 'window' as const, windowHours: 168 };
const t = (iso: string): number => eventTime(iso)!;
// first sends at 2025-03-03 09:00 UTC; a 168-hour window ends (exclusive) at 2025-03-10 09:00 UTC
const SEND = '2025-03-03T09:00:00.000Z';
const delivered = (variant: string, ids: string[], at = SEND): EngagementEvent => ({ event: 'Email Delivered', variant, experiment: 'spring', ids, time: t(at) });
const order = (ids: string[], at: string, orderId?: string | number, extra: Partial<EngagementEvent> = {}): EngagementEvent => ({ event: 'Order Completed', ids, time: t(at), ...(orderId === undefined ? {} : { orderId }), ...extra });
const cancelled = (orderId: string | number, at: string, ids: string[] = []): EngagementEvent => ({ event: 'Order Cancelled', ids, time: t(at), orderId });
const converted = (events: EngagementEvent[], attribution: Parameters<typeof aggregateEvents>[2] = WINDOW) => aggregateEvents(events, 'spring', attribution).counts.map((c) => [c.variant, c.sent, c.converted]);

describe('cancelled orders are no conversions', () => {
	// control: anna and ben; treatment: cleo
	const sends = (): EngagementEvent[] => [delivered('control', ['m:c1', 'e:anna@example.com']), delivered('control', ['m:c2', 'e:ben@example.com']), delivered('treatment', ['m:t1', 'e:cleo@example.com'])];
	const none = { orders_outside_window: 0, orders_without_send_time: 0, orders_unmatched: 0, orders_without_timestamp: 0, orders_in_several_variants: 0, orders_with_several_recipients: 0, orders_refunded: 0 };

	it('an order, then its cancellation: the order converts nobody', () => {
		const events = [...sends(), order(['e:anna@example.com'], '2025-03-04T09:00:00Z', '1001'), cancelled('1001', '2025-03-04T12:00:00Z', ['e:anna@example.com'])];
		const { counts, ignored, attribution, warnings } = aggregateEvents(events, 'spring', WINDOW);
		// control: anna, ben sent = 2, nobody converted (anna's order was cancelled); treatment: cleo, 0
		expect(counts).toEqual([
			{ variant: 'control', sent: 2, opened: 0, clicked: 0, converted: 0 },
			{ variant: 'treatment', sent: 1, opened: 0, clicked: 0, converted: 0 },
		]);
		// the cancelled order and the cancellation itself (which counts no recipient)
		expect(ignored).toBe(2);
		expect(attribution).toEqual({ mode: 'window', window_hours: 168, orders_counted: 0, orders_cancelled: 1, ...none });
		expect(warnings).toEqual({});
	});

	it('the cancellation before its order in the input: the same', () => {
		const events = [cancelled('1001', '2025-03-04T12:00:00Z', ['e:anna@example.com']), ...sends(), order(['e:anna@example.com'], '2025-03-04T09:00:00Z', '1001')];
		const { counts, ignored, attribution } = aggregateEvents(events, 'spring', WINDOW);
		expect(counts.map((c) => [c.variant, c.sent, c.converted])).toEqual([
			['control', 2, 0],
			['treatment', 1, 0],
		]);
		expect(ignored).toBe(2);
		expect(attribution).toEqual({ mode: 'window', window_hours: 168, orders_counted: 0, orders_cancelled: 1, ...none });
	});

	it('matched by the order id only, never by the customer: another order of the same customer stays a conversion; a cancellation naming nobody still cancels', () => {
		const events = [
			...sends(),
			order(['e:anna@example.com'], '2025-03-04T09:00:00Z', '1001'),
			order(['e:ben@example.com'], '2025-03-04T09:00:00Z', '1002'),
			// ben's other order 1003 (not among the events) was cancelled: his order 1002 still counts
			cancelled('1003', '2025-03-05T09:00:00Z', ['e:ben@example.com']),
			// anna's order 1001 cancelled by an event that names no customer
			cancelled('1001', '2025-03-05T09:00:00Z'),
		];
		const { counts, ignored, attribution } = aggregateEvents(events, 'spring', WINDOW);
		// control: converted ben = 1
		expect(counts.map((c) => [c.variant, c.sent, c.converted])).toEqual([
			['control', 2, 1],
			['treatment', 1, 0],
		]);
		// anna's order and the two cancellations
		expect(ignored).toBe(3);
		expect(attribution).toEqual({ mode: 'window', window_hours: 168, orders_counted: 1, orders_cancelled: 1, ...none });
	});

	it('a number and its text are one order id', () => {
		const events = [
			...sends(),
			order(['e:anna@example.com'], '2025-03-04T09:00:00Z', 1001), // number
			cancelled('1001', '2025-03-05T09:00:00Z'), // text
			order(['e:ben@example.com'], '2025-03-04T09:00:00Z', '1002'), // text
			cancelled(1002, '2025-03-05T09:00:00Z'), // number
			order(['e:cleo@example.com'], '2025-03-04T09:00:00Z', 1003), // number, not cancelled (1004 is another order)
			cancelled(1004, '2025-03-05T09:00:00Z'),
		];
		const { counts, ignored, attribution } = aggregateEvents(events, 'spring', WINDOW);
		// control: anna and ben cancelled = 0; treatment: cleo converted = 1
		expect(counts.map((c) => [c.variant, c.sent, c.converted])).toEqual([
			['control', 2, 0],
			['treatment', 1, 1],
		]);
		// two cancelled orders and three cancellations
		expect(ignored).toBe(5);
		expect(attribution).toMatchObject({ orders_counted: 1, orders_cancelled: 2 });
	});

	it('a refund that names no amount withdraws nothing: the order stays a conversion', () => {
		const events = [...sends(), order(['e:anna@example.com'], '2025-03-04T09:00:00Z', '1001'), { event: 'Order Refunded', ids: ['e:anna@example.com'], time: t('2025-03-05T09:00:00Z'), orderId: '1001' }];
		const { counts, ignored, attribution } = aggregateEvents(events, 'spring', WINDOW);
		expect(counts[0]).toMatchObject({ variant: 'control', sent: 2, converted: 1 });
		// the refund counts no recipient
		expect(ignored).toBe(1);
		expect(attribution).toMatchObject({ orders_counted: 1, orders_cancelled: 0, orders_refunded: 0 });
	});

	it('a cancelled order that would have converted nobody stays in its own count; one credited to two variants is one cancelled order, no warning', () => {
		const events = [
			...sends(),
			// max was mailed in both variants
			delivered('control', ['m:c3', 'e:max@example.com']),
			delivered('treatment', ['m:t2', 'e:max@example.com']),
			order(['e:anna@example.com'], '2025-03-12T09:00:00Z', '1001'), // past anna's window
			order(['e:zoe@example.com'], '2025-03-04T09:00:00Z', '1002'), // zoe was not mailed
			order(['e:max@example.com'], '2025-03-04T09:00:00Z', '1003'), // in both of max's windows
			cancelled('1001', '2025-03-12T10:00:00Z'),
			cancelled('1002', '2025-03-04T10:00:00Z'),
			cancelled('1003', '2025-03-04T10:00:00Z'),
		];
		const { counts, ignored, attribution, warnings } = aggregateEvents(events, 'spring', WINDOW);
		// control: anna, ben, max = 3, nobody converted; treatment: cleo, max = 2, nobody converted
		expect(counts.map((c) => [c.variant, c.sent, c.converted])).toEqual([
			['control', 3, 0],
			['treatment', 2, 0],
		]);
		// three orders, three cancellations
		expect(ignored).toBe(6);
		expect(attribution).toEqual({ mode: 'window', window_hours: 168, orders_counted: 0, orders_cancelled: 1, ...none, orders_outside_window: 1, orders_unmatched: 1 });
		expect(warnings).toEqual({});
	});

	it('an attributed order (carrying the variant) that was cancelled converts nobody in either mode, and still shows its recipient was mailed', () => {
		const events = [
			delivered('control', ['m:c1', 'e:anna@example.com']),
			delivered('treatment', ['m:t1', 'e:cleo@example.com']),
			// dora's checkout, attributed to treatment (her send is not among the events), then cancelled
			order(['u:dora-4', 'e:dora@example.com'], '2025-03-04T09:00:00Z', 'cs_1', { variant: 'treatment', experiment: 'spring' }),
			order(['e:cleo@example.com'], '2025-03-04T09:00:00Z', 'cs_2', { variant: 'treatment', experiment: 'spring' }),
			cancelled('cs_1', '2025-03-04T10:00:00Z'),
		];
		for (const mode of [{ mode: 'attributed' as const }, WINDOW]) {
			const { counts, ignored, attribution } = aggregateEvents(events, 'spring', mode);
			// treatment: cleo and dora sent = 2 (dora's order shows she was mailed), converted cleo = 1
			expect(counts.map((c) => [c.variant, c.sent, c.converted])).toEqual([
				['control', 1, 0],
				['treatment', 2, 1],
			]);
			// the cancellation; dora's order still counts (for her send)
			expect(ignored).toBe(1);
			expect(attribution.orders_cancelled).toBe(1);
		}
		// the default mode's report names the cancellation only when there was one
		expect(aggregateEvents(events, 'spring').attribution).toEqual({ mode: 'attributed', window_hours: null, orders_cancelled: 1 });
		expect(aggregateEvents(events.slice(0, 4), 'spring').attribution).toEqual({ mode: 'attributed', window_hours: null });
	});
});

describe('under the window an order converts at most one recipient per variant, by its strongest id', () => {
	/**
	 * Control: `strong` mailed as one recipient, `weak` as another (the two share no id), and
	 * treatment's tess. Order A names both (the weak id first on the event); B names only the
	 * weak recipient, C only the strong one, all within both windows.
	 */
	function pair(strong: string[], weak: string[], strongId: string, weakId: string) {
		const sends = [delivered('control', strong), delivered('control', weak), delivered('treatment', ['m:t1', 'e:tess@example.com'])];
		const a = order([weakId, strongId], '2025-03-04T09:00:00Z', 'A');
		const b = order([weakId], '2025-03-05T09:00:00Z', 'B');
		const c = order([strongId], '2025-03-05T09:00:00Z', 'C');
		return { sends, a, b, c };
	}
	const cases: Array<[string, string[], string[], string, string]> = [
		['message id over userId', ['m:c1', 'e:rae@example.com'], ['m:c2', 'u:rae-2'], 'm:c1', 'u:rae-2'],
		['userId over address', ['m:c1', 'u:sol-1'], ['m:c2', 'e:sol.other@example.com'], 'u:sol-1', 'e:sol.other@example.com'],
		['address over anonymousId', ['m:c1', 'e:uli@example.com'], ['m:c2', 'a:cart-9'], 'e:uli@example.com', 'a:cart-9'],
	];

	it.each(cases)('%s', (_, strong, weak, strongId, weakId) => {
		const { sends, a, b, c } = pair(strong, weak, strongId, weakId);
		const alone = aggregateEvents([...sends, a], 'spring', WINDOW);
		// A alone: control sent 2, converted 1 (not both)
		expect(alone.counts.map((x) => [x.variant, x.sent, x.converted])).toEqual([
			['control', 2, 1],
			['treatment', 1, 0],
		]);
		expect(alone.attribution).toMatchObject({ orders_counted: 1, orders_with_several_recipients: 1, orders_in_several_variants: 0 });
		expect(alone.warnings.control).toHaveLength(1);
		expect(alone.warnings.control[0]).toMatch(/^1 order joined several of its recipients, each within the attribution window/);
		expect(alone.warnings.treatment).toBeUndefined();
		// A went to the strong recipient: B (the weak one alone) adds a second conversion, C (the strong one again) none
		expect(converted([...sends, a, b])[0]).toEqual(['control', 2, 2]);
		expect(converted([...sends, a, c])[0]).toEqual(['control', 2, 1]);
	});

	it('two ids of one strength: the first on the event; two such orders are counted and warned as two', () => {
		// the order's userId and the properties.user_id of the send differ: two recipients known by userId
		const sends = [delivered('control', ['m:c1', 'u:vin-1']), delivered('control', ['m:c2', 'u:vin-2']), delivered('treatment', ['m:t1', 'e:tess@example.com'])];
		const a = order(['u:vin-1', 'u:vin-2'], '2025-03-04T09:00:00Z', 'A');
		const a2 = order(['u:vin-1', 'u:vin-2'], '2025-03-06T09:00:00Z', 'A2');
		const { counts, attribution, warnings } = aggregateEvents([...sends, a, a2], 'spring', WINDOW);
		// both orders to vin-1: converted 1
		expect(counts[0]).toMatchObject({ variant: 'control', sent: 2, converted: 1 });
		expect(attribution).toMatchObject({ orders_counted: 2, orders_with_several_recipients: 2 });
		expect(warnings.control[0]).toMatch(/^2 orders joined several of its recipients/);
		// vin-1 took A: an order by vin-2 alone adds one
		expect(converted([...sends, a, order(['u:vin-2'], '2025-03-05T09:00:00Z', 'B')])[0]).toEqual(['control', 2, 2]);
	});

	it('only recipients whose window holds the order compete: the stronger one mailed after the order leaves it to the other, with no warning', () => {
		// wes (userId) was mailed on the 5th, after the order on the 4th; wes.alt (address) on the 3rd
		const sends = [delivered('control', ['m:c1', 'u:wes-1'], '2025-03-05T09:00:00Z'), delivered('control', ['m:c2', 'e:wes.alt@example.com']), delivered('treatment', ['m:t1', 'e:tess@example.com'])];
		const a = order(['u:wes-1', 'e:wes.alt@example.com'], '2025-03-04T09:00:00Z', 'A');
		const { counts, attribution, warnings } = aggregateEvents([...sends, a], 'spring', WINDOW);
		expect(counts[0]).toMatchObject({ variant: 'control', sent: 2, converted: 1 });
		expect(attribution).toMatchObject({ orders_counted: 1, orders_with_several_recipients: 0 });
		expect(warnings).toEqual({});
		// it went to wes.alt: another order by wes.alt adds nothing, one by wes (in his window) adds one
		expect(converted([...sends, a, order(['e:wes.alt@example.com'], '2025-03-06T09:00:00Z', 'B')])[0]).toEqual(['control', 2, 1]);
		expect(converted([...sends, a, order(['u:wes-1'], '2025-03-06T09:00:00Z', 'C')])[0]).toEqual(['control', 2, 2]);
	});

	it('recipients in two variants: one per variant, each credited (orders_in_several_variants, as before)', () => {
		// xan: in control by userId and (another recipient) by address; in treatment by address
		const sends = [delivered('control', ['m:c1', 'u:xan-1']), delivered('control', ['m:c2', 'e:xan@example.com']), delivered('treatment', ['m:t1', 'e:xan@example.com']), delivered('treatment', ['m:t2', 'e:tess@example.com'])];
		const { counts, attribution, warnings } = aggregateEvents([...sends, order(['e:xan@example.com', 'u:xan-1'], '2025-03-04T09:00:00Z', 'A')], 'spring', WINDOW);
		// control: 2 sent, 1 converted (by the userId); treatment: 2 sent, 1 converted
		expect(counts.map((c) => [c.variant, c.sent, c.converted])).toEqual([
			['control', 2, 1],
			['treatment', 2, 1],
		]);
		expect(attribution).toMatchObject({ orders_counted: 1, orders_in_several_variants: 1, orders_with_several_recipients: 1 });
		// control: credited also to treatment, and several of its recipients; treatment: credited also to control
		expect(warnings.control.map((w) => w.slice(0, 40))).toEqual(['1 of its converted recipients was credit', '1 order joined several of its recipients']);
		expect(warnings.treatment).toHaveLength(1);
	});

	it('orders carrying the variant are not concerned: they join ids as before', () => {
		// an attributed order naming two control recipients joins them into one (sent 1), as before
		const sends = [delivered('control', ['m:c1', 'u:yu-1']), delivered('control', ['m:c2', 'e:yu@example.com']), delivered('treatment', ['m:t1', 'e:tess@example.com'])];
		const { counts, attribution } = aggregateEvents([...sends, order(['u:yu-1', 'e:yu@example.com'], '2025-03-04T09:00:00Z', 'A', { variant: 'control', experiment: 'spring' })], 'spring', WINDOW);
		expect(counts[0]).toMatchObject({ variant: 'control', sent: 1, converted: 1 });
		expect(attribution).toMatchObject({ orders_counted: 0, orders_with_several_recipients: 0 });
	});
});

describe('an order refunded in full is no conversion; a partly refunded one is', () => {
	// control: anna and ben; treatment: cleo. Anna's order 1001 totals 100.00 USD.
	const sends = (): EngagementEvent[] => [delivered('control', ['m:c1', 'e:anna@example.com']), delivered('control', ['m:c2', 'e:ben@example.com']), delivered('treatment', ['m:t1', 'e:cleo@example.com'])];
	const annas = (extra: Partial<EngagementEvent> = {}) => order(['e:anna@example.com'], '2025-03-04T09:00:00Z', '1001', { amount: 100, currency: 'USD', ...extra });
	const refund = (amount: number | undefined, extra: Partial<EngagementEvent> = {}): EngagementEvent => ({ event: 'Order Refunded', ids: ['e:anna@example.com'], time: t('2025-03-05T09:00:00Z'), orderId: '1001', ...(amount === undefined ? {} : { amount }), currency: 'USD', ...extra });
	const annaConverted = (events: EngagementEvent[]): number | undefined => aggregateEvents(events, 'spring', WINDOW).counts[0].converted;

	it('a refund of part of the total keeps the conversion; one of the whole total withdraws it, counted in orders_refunded', () => {
		const partial = aggregateEvents([...sends(), annas(), refund(40)], 'spring', WINDOW);
		// control: anna converted (40 of 100 refunded)
		expect(partial.counts[0]).toMatchObject({ variant: 'control', sent: 2, converted: 1 });
		// the refund event
		expect(partial.ignored).toBe(1);
		expect(partial.attribution).toMatchObject({ orders_counted: 1, orders_cancelled: 0, orders_refunded: 0 });
		const full = aggregateEvents([...sends(), annas(), refund(100)], 'spring', WINDOW);
		// control: nobody converted (100 of 100 refunded)
		expect(full.counts[0]).toMatchObject({ variant: 'control', sent: 2, converted: 0 });
		// the order and the refund
		expect(full.ignored).toBe(2);
		expect(full.attribution).toMatchObject({ orders_counted: 0, orders_cancelled: 0, orders_refunded: 1 });
		// the refund before the order in the input: the same
		expect(annaConverted([refund(100), ...sends(), annas()])).toBe(0);
	});

	it('refunds are summed, each refund once: 60 + 40 of 100 withdraw it; refund r1 (60) delivered twice does not', () => {
		expect(annaConverted([...sends(), annas(), refund(60, { refundId: 'r1' }), refund(40, { refundId: 'r2' })])).toBe(0);
		expect(annaConverted([...sends(), annas(), refund(60, { refundId: 'r1' }), refund(60, { refundId: 'r1' })])).toBe(1);
		// 19.99 + 9.36 is 29.349999999999998 in binary: still the whole of 29.35
		expect(annaConverted([...sends(), annas({ amount: 29.35 }), refund(19.99, { refundId: 'r1' }), refund(9.36, { refundId: 'r2' })])).toBe(0);
		// 29.34 of 29.35 is not
		expect(annaConverted([...sends(), annas({ amount: 29.35 }), refund(19.99, { refundId: 'r1' }), refund(9.35, { refundId: 'r2' })])).toBe(1);
	});

	it('the refunded amount so far (Stripe) is not summed: 40 then 70 so far of 100 keeps it, 100 so far withdraws it', () => {
		// each event's amount taken as the whole refund would sum 110
		expect(annaConverted([...sends(), annas(), refund(40, { refundedSoFar: 40, refundId: 'e1' }), refund(70, { refundedSoFar: 70, refundId: 'e2' })])).toBe(1);
		expect(annaConverted([...sends(), annas(), refund(40, { refundedSoFar: 40, refundId: 'e1' }), refund(60, { refundedSoFar: 100, refundId: 'e2' })])).toBe(0);
	});

	it('amounts are compared within one currency only, and an order without a total is never refunded in full', () => {
		// 100 EUR refunded of a 100 USD order: not known to be the whole
		expect(annaConverted([...sends(), annas(), refund(100, { currency: 'EUR' })])).toBe(1);
		// currency codes in any case
		expect(annaConverted([...sends(), annas(), refund(100, { currency: 'usd' })])).toBe(0);
		expect(annaConverted([...sends(), annas({ amount: undefined }), refund(100)])).toBe(1);
		// a refund without an amount
		expect(annaConverted([...sends(), annas(), refund(undefined)])).toBe(1);
	});

	it('an order both cancelled and refunded in full is one cancelled order', () => {
		const { counts, attribution } = aggregateEvents([...sends(), annas(), refund(100), cancelled('1001', '2025-03-05T10:00:00Z')], 'spring', WINDOW);
		expect(counts[0]).toMatchObject({ sent: 2, converted: 0 });
		expect(attribution).toMatchObject({ orders_cancelled: 1, orders_refunded: 0 });
	});

	it('an attributed order refunded in full converts nobody in either mode; the default mode names orders_refunded only then', () => {
		const attributed = annas({ variant: 'control', experiment: 'spring' });
		for (const mode of [{ mode: 'attributed' as const }, WINDOW]) {
			const { counts, attribution } = aggregateEvents([...sends(), attributed, refund(100)], 'spring', mode);
			// control: anna, ben = 2 (anna's order shows she was mailed), nobody converted
			expect(counts[0]).toMatchObject({ variant: 'control', sent: 2, converted: 0 });
			expect(attribution.orders_refunded).toBe(1);
		}
		expect(aggregateEvents([...sends(), attributed, refund(100)], 'spring').attribution).toEqual({ mode: 'attributed', window_hours: null, orders_refunded: 1 });
		expect(aggregateEvents([...sends(), attributed, refund(40)], 'spring').attribution).toEqual({ mode: 'attributed', window_hours: null });
	});
});

describe('orders are matched within their source and store', () => {
	const DE = 'woocommerce\nhttps://shop.example.de/';
	const FR = 'woocommerce\nhttps://shop.example.fr/';
	const sends = (): EngagementEvent[] => [delivered('control', ['m:c1', 'e:anna@example.com']), delivered('treatment', ['m:t1', 'e:cleo@example.com'])];
	const annas = (scope?: string) => order(['e:anna@example.com'], '2025-03-04T09:00:00Z', '1001', { amount: 29.35, currency: 'USD', ...(scope === undefined ? {} : { orderScope: scope }) });
	const cancel = (scope?: string): EngagementEvent => ({ ...cancelled('1001', '2025-03-05T09:00:00Z'), ...(scope === undefined ? {} : { orderScope: scope }) });
	const fullRefund = (scope?: string): EngagementEvent => ({ event: 'Order Refunded', ids: [], time: t('2025-03-05T09:00:00Z'), orderId: 1001, amount: 29.35, currency: 'USD', ...(scope === undefined ? {} : { orderScope: scope }) });
	const result = (events: EngagementEvent[]) => {
		const { counts, attribution } = aggregateEvents(events, 'spring', WINDOW);
		return [counts[0].converted, attribution.orders_cancelled, attribution.orders_refunded];
	};

	it('another store\'s order 1001 cancelled or refunded leaves this one a conversion; the same store\'s withdraws it', () => {
		// [anna converted, orders_cancelled, orders_refunded]
		expect(result([...sends(), annas(DE), cancel(FR)])).toEqual([1, 0, 0]);
		expect(result([...sends(), annas(DE), fullRefund(FR)])).toEqual([1, 0, 0]);
		expect(result([...sends(), annas(DE), cancel(DE)])).toEqual([0, 1, 0]);
		expect(result([...sends(), annas(DE), fullRefund(DE)])).toEqual([0, 0, 1]);
	});

	it('a withdrawing event without a scope (built by a workflow) matches by the id alone; an order without one only such an event', () => {
		expect(result([...sends(), annas(DE), cancel()])).toEqual([0, 1, 0]);
		expect(result([...sends(), annas(DE), fullRefund()])).toEqual([0, 0, 1]);
		expect(result([...sends(), annas(), cancel()])).toEqual([0, 1, 0]);
		expect(result([...sends(), annas(), cancel(DE)])).toEqual([1, 0, 0]);
		expect(result([...sends(), annas(), fullRefund(DE)])).toEqual([1, 0, 0]);
	});

	it('a scope and an id never run together: scope "a" with id "b1" is not scope "ab" with id "1"', () => {
		const o = order(['e:anna@example.com'], '2025-03-04T09:00:00Z', 'b1', { orderScope: 'a' });
		expect(aggregateEvents([...sends(), o, { event: 'Order Cancelled', ids: [], orderId: '1', orderScope: 'ab' }], 'spring', WINDOW).counts[0].converted).toBe(1);
	});
});
