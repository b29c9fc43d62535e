/**
 * Intention to treat against the A/B holdout: a customer whose send was tried and failed
 * (ESP Dispatch `failed` / `unknown` with `attemptedAt`, here EngagementEvent.attempted) is a
 * recipient of the mailed variant when a holdout is among the variants, its attempt opening the
 * attribution window; the holdout keeps the customers whose send would have failed too. Without
 * a holdout such results count nowhere, as before.
 *
 * Every expected count is worked out by hand in the comment next to it.
 */
import { aggregateEvents, analyze, AnalyzeError, eventTime, type EngagementEvent } from '../../../nodes/engines/experiment/analyze';

const WINDOW = { mode: 'window' as const, windowHours: 168 };
const t = (iso: string): number => eventTime(iso)!;
const HELD_AT = '2025-03-03T09:00:00.000Z';
const TRIED_AT = '2025-03-03T09:04:00.000Z';
const SENT_AT = '2025-03-03T09:05:00.000Z';
const heldOut = (who: string): EngagementEvent => ({ event: '', heldOut: true, variant: 'holdout', experiment: 'spring', ids: [`e:${who}@example.com`, `u:${who}`], time: t(HELD_AT) });
const sent = (who: string, at = SENT_AT): EngagementEvent => ({ event: 'Email Sent', variant: 'treatment', experiment: 'spring', ids: [`m:${who}`, `e:${who}@example.com`, `u:${who}`], time: t(at) });
const tried = (who: string, at = TRIED_AT, variant = 'treatment'): EngagementEvent => ({ event: '', attempted: true, variant, experiment: 'spring', ids: [`m:${who}-try`, `e:${who}@example.com`, `u:${who}`], time: t(at) });
const order = (who: string, at: string): EngagementEvent => ({ event: 'Order Completed', ids: [`e:${who}@example.com`], time: t(at) });

/** The mailed side: tara mailed; tom failed; tia failed, then mailed in a later run; ted failed in two runs. */
const mailed = (): EngagementEvent[] => [
	sent('tara'),
	tried('tom'),
	tried('tia'),
	sent('tia', '2025-03-05T09:00:00.000Z'),
	tried('ted'),
	tried('ted', '2025-03-04T09:04:00.000Z'),
	order('tom', '2025-03-04T09:00:00Z'), // 24 h after tom's attempt
	order('tia', '2025-03-04T10:00:00Z'), // after tia's attempt, before her later send
	order('ted', '2025-03-03T09:03:00Z'), // 1 min before ted's first attempt
];

describe('aggregateEvents: intention to treat', () => {
	it('with a holdout, a tried send is a recipient of its variant, its attempt opening the window; attemptedNotSent counts those never mailed', () => {
		const { counts, ignored, attribution, attemptedNotSent } = aggregateEvents([heldOut('hana'), heldOut('hugo'), ...mailed()], 'spring', WINDOW);
		// holdout: hana, hugo = 2, no orders.
		// treatment: tara, tom, tia, ted = 4 (tia's attempt and send are one recipient, so are ted's two attempts);
		// converted: tom (24 h after his attempt), tia (her window opens at her attempt, 25 h before the order) = 2; ted's order is before his attempt
		expect(counts).toEqual([
			{ variant: 'holdout', sent: 2, converted: 0 },
			{ variant: 'treatment', sent: 4, opened: 0, clicked: 0, converted: 2 },
		]);
		// tom and ted were never mailed; tia was, in her later run
		expect(attemptedNotSent).toEqual({ treatment: 2 });
		// ted's order
		expect(ignored).toBe(1);
		expect(attribution).toMatchObject({ orders_counted: 2, orders_outside_window: 1, orders_unmatched: 0 });
	});

	it('without a holdout, tried sends count nowhere, as before, and there is no attemptedNotSent', () => {
		const { counts, ignored, attribution, attemptedNotSent } = aggregateEvents(mailed(), 'spring', WINDOW);
		// treatment: tara, tia (mailed) = 2; tia's order is before her send (3-05), tom's and ted's join nobody
		expect(counts).toEqual([{ variant: 'treatment', sent: 2, opened: 0, clicked: 0, converted: 0 }]);
		// 4 tried sends (tom, tia, ted twice) and 3 orders
		expect(ignored).toBe(7);
		expect(attribution).toMatchObject({ orders_counted: 0, orders_outside_window: 1, orders_unmatched: 2 });
		expect(attemptedNotSent).toBeUndefined();
	});

	it('a tried send of another experiment, or without a variant, counts nowhere even with a holdout', () => {
		const events = [heldOut('hana'), sent('tara'), { ...tried('tom'), experiment: 'autumn' }, { ...tried('ted'), variant: undefined }];
		const { counts, ignored, attemptedNotSent } = aggregateEvents(events, 'spring', WINDOW);
		expect(counts.map((c) => [c.variant, c.sent])).toEqual([
			['holdout', 1],
			['treatment', 1],
		]);
		expect(ignored).toBe(2);
		expect(attemptedNotSent).toEqual({ treatment: 0 });
	});

	it('a tried send to a customer of the holdout is refused, as a send would be: a holdout that was mailed measures nothing', () => {
		expect(() => aggregateEvents([heldOut('hana'), tried('hugo', TRIED_AT, 'holdout'), sent('tara')], 'spring', WINDOW)).toThrow(AnalyzeError);
		expect(() => aggregateEvents([heldOut('hana'), tried('hugo', TRIED_AT, 'holdout'), sent('tara')], 'spring', WINDOW)).toThrow(/^Variant "holdout" has customers held out/);
	});
});

describe('analyze(): attempted_not_sent', () => {
	// holdout 100 with 5 conversions, treatment 100 (of whom 3 tried but never mailed) with 10
	const counts = [
		{ variant: 'holdout', sent: 100, converted: 5 },
		{ variant: 'treatment', sent: 100, opened: 0, clicked: 0, converted: 10 },
	];
	const options = { control: 'holdout', heldOut: ['holdout'], orderAttribution: 'window' as const, plannedPerVariant: 100 };

	it('is shown on each mailed variant given, and the summary says how many were counted by intention to treat', () => {
		const report = analyze(counts, { ...options, attemptedNotSent: { treatment: 3 } });
		expect(report.variants[0]).not.toHaveProperty('attempted_not_sent');
		expect(report.variants[1].attempted_not_sent).toBe(3);
		expect(report.summary).toContain(
			' 3 recipients whose send failed at the provider (failed or unknown, with attemptedAt) are counted in their variant from the attempt (intention to treat: attempted_not_sent), as the holdout keeps the customers whose send would have failed too.',
		);
	});

	it('0 is shown on the row, without a sentence; without the option there is no such field', () => {
		const none = analyze(counts, { ...options, attemptedNotSent: { treatment: 0 } });
		expect(none.variants[1].attempted_not_sent).toBe(0);
		expect(none.summary).not.toContain('intention to treat');
		const before = analyze(counts, options);
		expect(before.variants[1]).not.toHaveProperty('attempted_not_sent');
		expect(before.summary).toBe(none.summary);
	});
});
