/**
 * A/B analysis against the A/B holdout: customers held out by design (ESP Dispatch results with
 * `heldOutAt`, here EngagementEvent.heldOut) are recipients of the holdout variant, timed by
 * `heldOutAt` for the attribution window; orders without a variant convert them as they convert
 * mailed recipients. Compared only on the conversion rate under the window.
 *
 * Every expected count is worked out by hand in the comment next to it; the z-test figures were
 * computed by hand (Python's math.erfc for the normal tail), not taken from the code.
 */
import { aggregateEvents, analyze, AnalyzeError, eventTime, type EngagementEvent } from '../../../nodes/engines/experiment/analyze';

const WINDOW = { mode: 'window' as const, windowHours: 168 };
const t = (iso: string): number => eventTime(iso)!;
const HELD_AT = '2025-03-03T09:00:00.000Z';
const SENT_AT = '2025-03-03T09:05:00.000Z';
const heldOut = (who: string, at = HELD_AT, variant = 'holdout'): EngagementEvent => ({ event: '', heldOut: true, variant, experiment: 'spring', ids: [`e:${who}@example.com`, `u:${who}`], time: t(at) });
const sent = (who: string, variant = 'treatment', at = SENT_AT): EngagementEvent => ({ event: 'Email Sent', variant, experiment: 'spring', ids: [`m:${who}`, `e:${who}@example.com`, `u:${who}`], time: t(at) });
const order = (ids: string[], at: string): EngagementEvent => ({ event: 'Order Completed', ids, time: t(at) });

describe('aggregateEvents: held-out customers', () => {
	it('are recipients of the holdout, converted by their orders within the window after heldOutAt; no opens or clicks are counted for them', () => {
		const events = [
			heldOut('hana'),
			heldOut('hugo'),
			heldOut('hedi'),
			heldOut('hal'),
			sent('tara'),
			sent('tom'),
			{ event: 'Email Opened', variant: 'treatment', experiment: 'spring', ids: ['m:tara'] },
			order(['e:hana@example.com'], '2025-03-03T10:00:00Z'), // hana, 1 h after heldOutAt: converts
			order(['u:hana'], '2025-03-04T10:00:00Z'), // hana again, by her userId alone: still one conversion
			order(['u:hugo', 'e:hugo.other@example.net'], '2025-03-03T08:59:59.999Z'), // hugo, 1 ms before he was held out: no
			order(['e:hedi@example.com'], '2025-03-10T09:00:00.000Z'), // hedi, exactly 168 h after: no (end exclusive)
			order(['e:tom@example.com'], '2025-03-05T09:00:00Z'), // tom (mailed): converts
			order(['e:zoe@example.com'], '2025-03-05T09:00:00Z'), // zoe was neither mailed nor held out
		];
		const { counts, ignored, attribution, heldOut: held, warnings } = aggregateEvents(events, 'spring', WINDOW);
		// holdout: hana, hugo, hedi, hal = 4, converted hana = 1 (no opened / clicked counts at all);
		// treatment: tara, tom = 2, opened tara = 1, converted tom = 1
		expect(counts).toEqual([
			{ variant: 'holdout', sent: 4, converted: 1 },
			{ variant: 'treatment', sent: 2, opened: 1, clicked: 0, converted: 1 },
		]);
		expect(held).toEqual(['holdout']);
		// hugo's, hedi's and zoe's orders
		expect(ignored).toBe(3);
		expect(attribution).toEqual({ mode: 'window', window_hours: 168, orders_counted: 3, orders_outside_window: 2, orders_without_send_time: 0, orders_unmatched: 1, orders_without_timestamp: 0, orders_in_several_variants: 0, orders_with_several_recipients: 0, orders_cancelled: 0, orders_refunded: 0 });
		expect(warnings).toEqual({});
	});

	it('a customer held out in two runs is one recipient, whose window opens at the first', () => {
		const events = [heldOut('hana'), heldOut('hana', '2025-03-20T09:00:00Z'), sent('tara'), order(['e:hana@example.com'], '2025-03-21T09:00:00Z')];
		// the order is 18 days after the first heldOutAt: outside
		expect(aggregateEvents(events, 'spring', WINDOW).counts[0]).toEqual({ variant: 'holdout', sent: 1, converted: 0 });
	});

	it('of another experiment, or without any id, counts nowhere', () => {
		const events = [heldOut('hana'), { ...heldOut('hugo'), experiment: 'autumn' }, { ...heldOut('hal'), ids: [] }, sent('tara')];
		const { counts, ignored } = aggregateEvents(events, 'spring', WINDOW);
		expect(counts.map((c) => [c.variant, c.sent])).toEqual([
			['holdout', 1],
			['treatment', 1],
		]);
		expect(ignored).toBe(2);
	});

	it('a variant with held-out customers and also sends, opens or clicks is refused: a holdout that was mailed measures nothing', () => {
		for (const mailed of [sent('hugo', 'holdout'), { event: 'Email Link Clicked', variant: 'holdout', experiment: 'spring', ids: ['e:hugo@example.com'] }]) {
			expect(() => aggregateEvents([heldOut('hana'), mailed, sent('tara')], 'spring', WINDOW)).toThrow(
				new AnalyzeError(
					'Variant "holdout" has customers held out (ESP Dispatch results with heldOutAt: the A/B holdout, no email) and also email sends, opens or clicks: a holdout that was mailed measures nothing. ' +
						'Check how "holdout" was mailed (ESP Dispatch version 1 does not hold the holdout out), or add it to Exclude Variants',
				),
			);
		}
	});
});

describe('analyze() with the holdout as the control: incremental lift', () => {
	/** 200 held-out customers of whom 10 order within the window, 200 mailed of whom 24 do; plus orders outside the windows. */
	function events(): EngagementEvent[] {
		const list: EngagementEvent[] = [];
		for (let k = 0; k < 200; k++) {
			list.push(heldOut(`h${k}`), sent(`t${k}`));
			if (k < 10) list.push(order([`u:h${k}`], '2025-03-06T12:00:00Z'));
			if (k < 24) list.push(order([`e:t${k}@example.com`], '2025-03-06T12:00:00Z'));
			// 20 more of each ordered 8 days later: outside the 168-hour window
			if (k >= 100 && k < 120) list.push(order([`u:h${k}`], '2025-03-11T12:00:00Z'), order([`u:t${k}`], '2025-03-11T12:00:00Z'));
		}
		return list;
	}

	it('10 of 200 vs 24 of 200: z = 2.5100, p = 0.01207, and "treatment" wins, with a summary that says what the lift is', () => {
		const agg = aggregateEvents(events(), 'spring', WINDOW);
		// the 20 + 20 orders 8 days later
		expect(agg.ignored).toBe(40);
		const report = analyze(agg.counts, { control: 'holdout', plannedPerVariant: 200, heldOut: agg.heldOut, orderAttribution: 'window' });
		const [holdout, treatment] = report.variants;
		expect(holdout).toMatchObject({ variant: 'holdout', is_control: true, is_holdout: true, sent: 200, converted: 10, conversion_rate: 0.05, opened: null, clicked: null, open_rate: null, click_rate: null, warnings: [] });
		// by hand: p1 = 0.05, p2 = 0.12, pooled 34/400 = 0.085, SE = sqrt(0.085 · 0.915 · (1/200 + 1/200)) = 0.0278882,
		// z = 0.07 / 0.0278882 = 2.51002, χ² = z² = 6.30023, p = erfc(2.51002 / √2) = 0.0120723; smallest expected count 200 · 0.085 = 17
		expect(treatment).toMatchObject({ variant: 'treatment', is_control: false, sent: 200, converted: 24, conversion_rate: 0.12, opened: 0, test: 'z', min_expected_count: 17, significant: true, warnings: [] });
		expect(treatment).not.toHaveProperty('is_holdout');
		expect(treatment.abs_lift).toBeCloseTo(0.07, 12);
		expect(treatment.rel_lift).toBeCloseTo(1.4, 12);
		expect(treatment.z).toBeCloseTo(2.51002, 4);
		expect(treatment.chi_square).toBeCloseTo(6.30023, 4);
		expect(treatment.p_value).toBeCloseTo(0.0120723, 6);
		expect(report.verdict).toBe('winner');
		expect(report.winner).toBe('treatment');
		expect(report.summary).toBe(
			'"treatment" wins: conversion rate 12.00% vs 5.00% for "holdout" (+140.00% relative, p = 0.012). ' +
				'The control "holdout" is the A/B holdout (customers who got no email): each lift is what mailing added to the conversion rate within the attribution window (incremental lift). ' +
				'The mailed variants are compared with the holdout, not with each other; for that, analyse again with Control Variant = one of them and "holdout" in Exclude Variants.',
		);
	});

	it('the holdout as a challenger is analysed too, with a warning that its lift is relative to the control', () => {
		const agg = aggregateEvents(events(), 'spring', WINDOW);
		const report = analyze(agg.counts, { control: 'treatment', plannedPerVariant: 200, heldOut: agg.heldOut, orderAttribution: 'window' });
		const holdout = report.variants.find((v) => v.variant === 'holdout')!;
		// 0.05 - 0.12
		expect(holdout.abs_lift).toBeCloseTo(-0.07, 12);
		expect(holdout.is_holdout).toBe(true);
		expect(holdout.warnings).toEqual(['"holdout" is the A/B holdout (customers who got no email): its lift is relative to "treatment". For the lift mailing adds (incremental lift), set Control Variant = "holdout".']);
		expect(report.summary).toBe('"treatment" (control) wins: every significant difference is a drop ("holdout" 5.00% vs 12.00%).');
	});
});

describe('analyze(): comparisons with the holdout that make no sense are refused', () => {
	const counts = [
		{ variant: 'holdout', sent: 200, converted: 10 },
		{ variant: 'control', sent: 200, opened: 80, clicked: 20, converted: 16 },
		{ variant: 'treatment', sent: 200, opened: 90, clicked: 30, converted: 24 },
	];
	const opts = { control: 'holdout', heldOut: ['holdout'], orderAttribution: 'window' as const };

	it('open or click rate: the holdout has no opens or clicks by design', () => {
		for (const [metric, label] of [
			['opened', 'open rate'],
			['clicked', 'click rate'],
		] as const) {
			expect(() => analyze(counts, { ...opts, metric })).toThrow(
				new AnalyzeError(
					`Variant "holdout" is the A/B holdout: its customers get no email, so they have no opens or clicks by design, and the ${label} cannot be compared with theirs. ` +
						'Compare it on the conversion rate (Metric = Conversion Rate, with Count Orders As Conversions = "Any Order by a Recipient Within the Attribution Window"), or add "holdout" to Exclude Variants to leave the holdout out',
				),
			);
		}
	});

	it('conversions from attributed orders only (the default): no order is attributed to an email the holdout never got', () => {
		for (const orderAttribution of ['attributed' as const, undefined]) {
			expect(() => analyze(counts, { ...opts, orderAttribution })).toThrow(
				new AnalyzeError(
					'Variant "holdout" is the A/B holdout: its customers get no email, so no order is attributed to one and it can never convert when only orders attributed to the email count. ' +
						'Set Count Orders As Conversions to "Any Order by a Recipient Within the Attribution Window" (a held-out customer\'s orders then count within the window after heldOutAt), or add "holdout" to Exclude Variants to leave the holdout out',
				),
			);
		}
	});

	it('excluded, the holdout is not compared: open rate and attributed orders are fine, as before', () => {
		const report = analyze(counts, { control: 'control', metric: 'opened', heldOut: ['holdout'], exclude: ['holdout'], plannedPerVariant: 200 });
		expect(report.variants.map((v) => [v.variant, v.rate])).toEqual([
			['control', 0.4],
			['treatment', 0.45],
		]);
		expect(report.summary).not.toMatch(/holdout/);
	});

	it('a control left in Exclude Variants: the error says so', () => {
		expect(() => analyze(counts, { ...opts, exclude: ['holdout'] })).toThrow(
			new AnalyzeError('Control variant "holdout" is not in the data (variants: control, treatment): it is in Exclude Variants; remove it from there to compare with it'),
		);
	});
});
