/**
 * A/B Analyze from engagement events, "Any Order by a Recipient Within the Attribution Window":
 * an order without a variant converts each recipient it joins whose first send of the variant is
 * at most the window before it: first send ≤ order < first send + window.
 *
 * Every expected count is worked out by hand in the comment next to it. Times are written as
 * ISO-8601 text and read by eventTime; eventTime itself is checked against Date.UTC.
 */
import { aggregateEvents, analyze, AnalyzeError, eventTime, type EngagementEvent } from '../../../nodes/engines/experiment/analyze';

const WINDOW = { mode: 'window' as const, windowHours: 168 };
const t = (iso: string): number => eventTime(iso)!;
const delivered = (variant: string, ids: string[], at: string): EngagementEvent => ({ event: 'Email Delivered', variant, experiment: 'spring', ids, time: t(at) });
const order = (ids: string[], at?: string, extra: Partial<EngagementEvent> = {}): EngagementEvent => ({ event: 'Order Completed', ids, ...(at === undefined ? {} : { time: eventTime(at) }), ...extra });

describe('eventTime', () => {
	it('reads ISO-8601 text with a zone, the form of canonical timestamps and of $now.toISO()', () => {
		expect(eventTime('2025-03-03T09:00:00.000Z')).toBe(Date.UTC(2025, 2, 3, 9, 0, 0, 0));
		// 10:59:59.999 at +02:00 is 08:59:59.999 UTC
		expect(eventTime('2025-03-10T10:59:59.999+02:00')).toBe(Date.UTC(2025, 2, 10, 8, 59, 59, 999));
		// 19:00 at -05:00 (Shopify's created_at form) is 00:00 UTC the next day
		expect(eventTime('2021-12-31T19:00:00-05:00')).toBe(Date.UTC(2022, 0, 1, 0, 0, 0));
	});

	it('reads a JavaScript Date (a database node\'s timestamp column), not an invalid one', () => {
		expect(eventTime(new Date(Date.UTC(2025, 2, 3, 9, 0, 0, 5)))).toBe(Date.UTC(2025, 2, 3, 9, 0, 0, 5));
		expect(eventTime(new Date('not a date'))).toBeUndefined();
	});

	it('has no time for text without a zone, epoch numbers, impossible dates or anything else', () => {
		for (const value of ['2025-03-03T09:00:00', '2025-03-03', '2025-02-30T09:00:00Z', 'yesterday', '', 1741000000000, 1741000000, null, undefined, {}]) expect(eventTime(value)).toBeUndefined();
	});
});

describe('aggregateEvents under the attribution window', () => {
	// first sends at 2025-03-03 09:00 UTC; a 168-hour window ends (exclusive) at 2025-03-10 09:00 UTC
	const SEND = '2025-03-03T09:00:00.000Z';

	it('counts an order at the first send and up to just before the window ends; not before the send, at the exact end or later', () => {
		const events = [
			...['anna', 'ben', 'cleo', 'dan', 'eve', 'finn'].map((who, k) => delivered('control', [`m:c${k}`, `e:${who}@example.com`], SEND)),
			delivered('treatment', ['m:t1', 'e:gus@example.com'], SEND),
			order(['e:anna@example.com'], '2025-03-03T08:59:59.999Z'), // 1 ms before the send: no
			order(['e:ben@example.com'], '2025-03-03T09:00:00.000Z'), // at the send (start inclusive): yes
			order(['e:cleo@example.com'], '2025-03-10T10:59:59.999+02:00'), // 08:59:59.999 UTC, 1 ms before the end: yes
			order(['e:dan@example.com'], '2025-03-10T09:00:00.000Z'), // exactly 168 h after (end exclusive): no
			order(['e:eve@example.com'], '2025-03-12T12:00:00.000Z'), // after the window: no
		];
		const { counts, ignored, attribution, warnings } = aggregateEvents(events, 'spring', WINDOW);
		// control: 6 sent, converted ben and cleo = 2; treatment: 1 sent, 0 converted
		expect(counts).toEqual([
			{ variant: 'control', sent: 6, opened: 0, clicked: 0, converted: 2 },
			{ variant: 'treatment', sent: 1, opened: 0, clicked: 0, converted: 0 },
		]);
		// anna's, dan's and eve's orders counted nowhere
		expect(ignored).toBe(3);
		expect(attribution).toEqual({ mode: 'window', window_hours: 168, orders_counted: 2, orders_outside_window: 3, orders_without_send_time: 0, orders_unmatched: 0, orders_without_timestamp: 0, orders_in_several_variants: 0, orders_with_several_recipients: 0, orders_cancelled: 0, orders_refunded: 0 });
		expect(warnings).toEqual({});
	});

	it('the default (attributed orders only) counts none of these orders: as before', () => {
		const events = [delivered('control', ['m:c1', 'e:ben@example.com'], SEND), delivered('treatment', ['m:t1', 'e:gus@example.com'], SEND), order(['e:ben@example.com'], '2025-03-04T09:00:00Z')];
		for (const result of [aggregateEvents(events, 'spring'), aggregateEvents(events, 'spring', { mode: 'attributed' })]) {
			expect(result.counts.map((c) => [c.variant, c.sent, c.converted])).toEqual([
				['control', 1, 0],
				['treatment', 1, 0],
			]);
			expect(result.ignored).toBe(1);
			expect(result.attribution).toEqual({ mode: 'attributed', window_hours: null });
		}
	});

	it('two orders by one recipient are one conversion; the window opens at the first send, not a later resend', () => {
		const events = [
			delivered('control', ['m:c1', 'e:hana@example.com'], SEND),
			delivered('control', ['m:c2', 'e:ivan@example.com'], SEND),
			// ivan was mailed again 200 h later (same variant): his window still runs from the first send
			delivered('control', ['m:c3', 'e:ivan@example.com'], '2025-03-11T17:00:00Z'),
			delivered('treatment', ['m:t1', 'e:gus@example.com'], SEND),
			order(['e:hana@example.com'], '2025-03-04T10:00:00Z'),
			order(['u:hana-7', 'e:hana@example.com'], '2025-03-06T10:00:00Z'),
			order(['e:ivan@example.com'], '2025-03-11T19:00:00Z'), // 202 h after his first send: no
		];
		const { counts, ignored, attribution } = aggregateEvents(events, 'spring', WINDOW);
		// control: hana and ivan sent (ivan's two messages are one recipient) = 2; converted hana = 1
		expect(counts[0]).toEqual({ variant: 'control', sent: 2, opened: 0, clicked: 0, converted: 1 });
		expect(ignored).toBe(1);
		// both of hana's orders were credited to her; she counts once
		expect(attribution).toMatchObject({ orders_counted: 2, orders_outside_window: 1 });
	});

	it('an order carrying a variant counts for that variant only, with no window; the window counts only orders without a variant', () => {
		const events = [
			delivered('control', ['m:c1', 'u:jo-1', 'e:jo@example.com'], SEND),
			delivered('treatment', ['m:t1', 'u:kai-2', 'e:kai@example.com'], SEND),
			delivered('treatment', ['m:t2', 'e:lea@example.com'], SEND),
			// kai (mailed in treatment) paid through a checkout attributed to control, inside treatment's window
			order(['u:kai-2', 'e:kai@example.com'], '2025-03-04T09:00:00Z', { variant: 'control', experiment: 'spring' }),
			// jo's attributed order a month later: attributed orders have no window
			order(['u:jo-1'], '2025-04-03T09:00:00Z', { variant: 'control', experiment: 'spring' }),
		];
		const { counts, ignored, attribution } = aggregateEvents(events, 'spring', WINDOW);
		// control: jo sent + kai (his attributed order makes him a control recipient, as before) = 2, both converted;
		// treatment: kai and lea sent = 2, nobody converted (kai's order carries control)
		expect(counts).toEqual([
			{ variant: 'control', sent: 2, opened: 0, clicked: 0, converted: 2 },
			{ variant: 'treatment', sent: 2, opened: 0, clicked: 0, converted: 0 },
		]);
		expect(ignored).toBe(0);
		expect(attribution).toMatchObject({ orders_counted: 0, orders_outside_window: 0 });
	});

	it('a customer mailed in two variants converts in each whose window holds the order, and both variants are warned', () => {
		const events = [
			delivered('control', ['m:c1', 'e:max@example.com'], SEND),
			delivered('control', ['m:c2', 'e:nia@example.com'], SEND),
			delivered('control', ['m:c3', 'e:oli@example.com'], SEND),
			// max and nia were also mailed in treatment, a day later
			delivered('treatment', ['m:t1', 'e:max@example.com'], '2025-03-04T09:00:00Z'),
			delivered('treatment', ['m:t2', 'e:nia@example.com'], '2025-03-04T09:00:00Z'),
			delivered('treatment', ['m:t3', 'e:pia@example.com'], SEND),
			order(['e:max@example.com'], '2025-03-05T09:00:00Z'), // inside both windows: both variants
			order(['e:nia@example.com'], '2025-03-03T21:00:00Z'), // after the control send, before the treatment send: control only
		];
		const { counts, attribution, warnings } = aggregateEvents(events, 'spring', WINDOW);
		// control: 3 sent, converted max and nia = 2; treatment: 3 sent, converted max = 1
		expect(counts.map((c) => [c.variant, c.sent, c.converted])).toEqual([
			['control', 3, 2],
			['treatment', 3, 1],
		]);
		expect(attribution).toMatchObject({ orders_counted: 2, orders_in_several_variants: 1 });
		expect(Object.keys(warnings).sort()).toEqual(['control', 'treatment']);
		expect(warnings.control[0]).toMatch(/^1 of its converted recipients was credited with an order also credited to "treatment"/);
		expect(warnings.treatment[0]).toMatch(/^1 of its converted recipients was credited with an order also credited to "control"/);
		// analyze adds them to the variants' warnings
		const report = analyze(counts, { control: 'control', plannedPerVariant: 3, variantWarnings: warnings });
		expect(report.variants.map((v) => v.warnings.some((w) => w.includes('also credited')))).toEqual([true, true]);
	});

	it('an order without a usable time, joining nobody mailed, or joining only a recipient with no timed send is ignored, each counted', () => {
		const events = [
			delivered('control', ['m:c1', 'e:quin@example.com'], SEND),
			// rosa is known only from an open (her send event is missing): she counts as sent, but has no send time
			{ event: 'Email Opened', variant: 'control', experiment: 'spring', ids: ['m:c2', 'e:rosa@example.com'], time: t('2025-03-03T10:00:00Z') },
			delivered('treatment', ['m:t1', 'e:sam@example.com'], SEND),
			order(['e:quin@example.com']), // no timestamp
			order(['e:quin@example.com'], '2025-03-04'), // no zone: no usable time
			order(['e:tom@example.com'], '2025-03-04T09:00:00Z'), // tom was not mailed
			order(['e:rosa@example.com'], '2025-03-04T09:00:00Z'), // rosa: no send time
			order([], '2025-03-04T09:00:00Z'), // no id at all
		];
		const { counts, ignored, attribution } = aggregateEvents(events, 'spring', WINDOW);
		// control: quin and rosa sent, rosa opened, nobody converted
		expect(counts.map((c) => [c.variant, c.sent, c.opened, c.converted])).toEqual([
			['control', 2, 1, 0],
			['treatment', 1, 0, 0],
		]);
		// all five orders
		expect(ignored).toBe(5);
		expect(attribution).toEqual({ mode: 'window', window_hours: 168, orders_counted: 0, orders_outside_window: 0, orders_without_send_time: 1, orders_unmatched: 1, orders_without_timestamp: 2, orders_in_several_variants: 0, orders_with_several_recipients: 0, orders_cancelled: 0, orders_refunded: 0 });
	});

	it('an order attributed to another experiment\'s email is still an order by the recipient: it counts under the window, not when only attributed orders count', () => {
		const events = [
			delivered('control', ['m:c1', 'e:anna@example.com'], SEND),
			delivered('treatment', ['m:t1', 'e:ben@example.com'], SEND),
			// a day after the spring send, anna buys through the autumn email's variant B
			order(['e:anna@example.com'], '2025-03-04T09:00:00Z', { experiment: 'autumn', variant: 'B' }),
			// ben's order names the autumn experiment but no variant
			order(['e:ben@example.com'], '2025-03-04T09:00:00Z', { experiment: 'autumn' }),
		];
		const windowed = aggregateEvents(events, 'spring', WINDOW);
		expect(windowed.counts.map((c) => [c.variant, c.sent, c.converted])).toEqual([
			['control', 1, 1],
			['treatment', 1, 1],
		]);
		expect(windowed.ignored).toBe(0);
		expect(windowed.attribution.orders_counted).toBe(2);
		// only attributed orders: neither is spring's
		const attributed = aggregateEvents(events, 'spring');
		expect(attributed.counts.map((c) => [c.variant, c.sent, c.converted])).toEqual([
			['control', 1, 0],
			['treatment', 1, 0],
		]);
		expect(attributed.ignored).toBe(2);
	});

	it('an order joins no ids: two recipients it names stay two (sent is the same in both modes), and it converts one of them', () => {
		// uma's address and userId were mailed as two messages that share no id: two recipients of control
		const events = [
			delivered('control', ['m:c1', 'e:uma@example.com'], SEND),
			delivered('control', ['m:c2', 'u:uma-9'], SEND),
			delivered('treatment', ['m:t1', 'e:vic@example.com'], SEND),
			order(['u:uma-9', 'e:uma@example.com'], '2025-03-04T09:00:00Z'),
		];
		// one order, one conversion: the recipient of the userId (see attribution-window-orders.test.ts)
		expect(aggregateEvents(events, 'spring', WINDOW).counts[0]).toEqual({ variant: 'control', sent: 2, opened: 0, clicked: 0, converted: 1 });
		expect(aggregateEvents(events, 'spring').counts[0]).toEqual({ variant: 'control', sent: 2, opened: 0, clicked: 0, converted: 0 });
	});

	it('a window other than 168 hours: 24 hours', () => {
		const events = [
			delivered('control', ['e:wes@example.com'], SEND),
			delivered('control', ['e:xia@example.com'], SEND),
			delivered('treatment', ['e:yan@example.com'], SEND),
			order(['e:wes@example.com'], '2025-03-04T08:59:59Z'), // 23:59:59 after: yes
			order(['e:xia@example.com'], '2025-03-04T09:00:00Z'), // 24 h after: no
		];
		expect(aggregateEvents(events, 'spring', { mode: 'window', windowHours: 24 }).counts[0]).toMatchObject({ sent: 2, converted: 1 });
	});

	it('refuses a window that is not a number of hours above 0', () => {
		for (const windowHours of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => aggregateEvents([], undefined, { mode: 'window', windowHours })).toThrow(AnalyzeError);
	});
});
