/**
 * A/B Analyze from engagement events: which orders convert whom.
 * - An order whose id has an 'Order Cancelled' among the events converts nobody (matched by the
 *   order id alone, a number and its text alike, wherever the cancellation stands); an
 *   'Order Refunded' withdraws nothing.
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
	const none = { orders_outside_window: 0, orders_without_send_time: 0, orders_unmatched: 0, orders_without_timestamp: 0, orders_in_several_variants: 0, orders_with_several_recipients: 0 };

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

	it('a refund withdraws nothing: a refunded order stays a conversion', () => {
		const events = [...sends(), order(['e:anna@example.com'], '2025-03-04T09:00:00Z', '1001'), { event: 'Order Refunded', ids: ['e:anna@example.com'], time: t('2025-03-05T09:00:00Z'), orderId: '1001' }];
		const { counts, ignored, attribution } = aggregateEvents(events, 'spring', WINDOW);
		expect(counts[0]).toMatchObject({ variant: 'control', sent: 2, converted: 1 });
		// the refund counts no recipient
		expect(ignored).toBe(1);
		expect(attribution).toMatchObject({ orders_counted: 1, orders_cancelled: 0 });
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
