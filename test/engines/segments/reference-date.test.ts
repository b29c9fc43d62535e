/**
 * Review fix: the Customer Segments reference date (RFM, Rules, Lifetime Value) is read as the
 * transactions' dates are: a date-time without a zone is UTC, never the n8n server's local time.
 */
import { DateTime } from 'luxon';
import type { IExecuteFunctions } from 'n8n-workflow';
import { referenceMs } from '../../../nodes/CustomerSegments/actions/common';
import { runInTimeZone } from '../../harness/timezone';

const node = { id: '1', name: 'Customer Segments', type: 'n8n-nodes-personalization.customerSegments', typeVersion: 1, position: [0, 0], parameters: {} };
const ctx = { getNode: () => node } as unknown as IExecuteFunctions;

describe('reference date in a process whose time zone is Tokyo (UTC+9)', () => {
	it('reads a zone-less reference as UTC, so an order 4 hours before it is kept with recency 0', () => {
		// The zone is set on a child process (see runInTimeZone).
		const script = `
			const { referenceMs } = require(${JSON.stringify(require.resolve('../../../nodes/CustomerSegments/actions/common'))});
			const { aggregateItems } = require(${JSON.stringify(require.resolve('../../../nodes/engines/segments/aggregate'))});
			const { dimensionsFromAccumulator } = require(${JSON.stringify(require.resolve('../../../nodes/engines/segments/rfm'))});
			const ctx = { getNode: () => (${JSON.stringify(node)}) };
			const iso = (value) => new Date(referenceMs(ctx, value)).toISOString();
			const ref = referenceMs(ctx, '2024-01-10T00:00:00');
			const agg = aggregateItems([{ json: { customer_id: 'c1', amount: 10, timestamp: '2024-01-09T20:00:00' } }],
				{ customerId: 'customer_id', amount: 'amount', timestamp: 'timestamp' }, { referenceMs: ref, decimals: 2 });
			const dims = dimensionsFromAccumulator(agg.acc, ref, 'sum');
			process.stdout.write(JSON.stringify({
				local: new Date('2024-01-10T00:00:00').toISOString(),
				reference: new Date(ref).toISOString(),
				withSpace: iso('2024-01-10 00:00'),
				withMillis: iso('2024-01-10T00:00:00.000'),
				withZone: iso('2024-01-10T09:00:00+09:00'),
				withZ: iso('2024-01-10T00:00:00Z'),
				dateOnly: iso('2024-01-10'),
				customers: agg.acc.size,
				afterReference: agg.acc.skippedFuture,
				recencyDays: Array.from(dims.recencyDays),
			}));`;
		expect(runInTimeZone('Asia/Tokyo', script)).toEqual({
			local: '2024-01-09T15:00:00.000Z', // the zone really is in effect in the child
			reference: '2024-01-10T00:00:00.000Z',
			withSpace: '2024-01-10T00:00:00.000Z',
			withMillis: '2024-01-10T00:00:00.000Z',
			withZone: '2024-01-10T00:00:00.000Z', // a zone, when given, still counts
			withZ: '2024-01-10T00:00:00.000Z',
			dateOnly: '2024-01-10T00:00:00.000Z',
			// the order (2024-01-09T20:00Z) is 4 hours before the reference: kept, floor(4/24) = 0 days
			customers: 1,
			afterReference: 0,
			recencyDays: [0],
		});
	});
});

describe('reference date values', () => {
	const jan10 = Date.UTC(2024, 0, 10);

	it('accepts a Date, epoch milliseconds and a Luxon DateTime (what {{ $now }} gives)', () => {
		expect(referenceMs(ctx, new Date(jan10))).toBe(jan10);
		expect(referenceMs(ctx, 1704844800000)).toBe(jan10); // 2024-01-10T00:00:00Z
		expect(referenceMs(ctx, 1704844800)).toBe(jan10); // below 1e11: seconds, as for the transactions' dates
		expect(referenceMs(ctx, DateTime.fromISO('2024-01-10T09:00:00+09:00', { setZone: true }))).toBe(jan10);
	});

	it('is now when empty', () => {
		const before = Date.now();
		const ms = referenceMs(ctx, '');
		expect(ms).toBeGreaterThanOrEqual(before);
		expect(ms).toBeLessThanOrEqual(Date.now());
	});

	it('refuses what is not a date, naming the parameter', () => {
		expect(() => referenceMs(ctx, 'soon')).toThrow('Reference Date "soon" is not a date');
		expect(() => referenceMs(ctx, '2024-02-30', 'End of Observation')).toThrow('End of Observation "2024-02-30" is not a date');
	});
});

describe('Rules in a process whose time zone is Tokyo (UTC+9): event and trait dates without a zone are UTC', () => {
	it('an order at "2024-06-15T02:00:00" is 10 h before now = 12:00Z, so inside a 12 h window; a trait date compares as UTC', () => {
		const script = `
			const { PRESETS, evaluateSegments, prepareEvents } = require(${JSON.stringify(require.resolve('../../../nodes/engines/segments/rules'))});
			const now = Date.UTC(2024, 5, 15, 12);
			const within12h = { name: 'Bought in 12 h', match: 'all', conditions: [{ type: 'event', event: 'Order Completed', operator: 'atLeast', count: 1, withinHours: 12 }] };
			const signedUpAfter = { name: 'Signed up after 03:00Z', match: 'all', conditions: [{ type: 'trait', field: 'signed_up', operator: 'greaterThan', value: '2024-06-15T03:00:00Z' }] };
			const events = prepareEvents([{ event: 'Order Completed', timestamp: '2024-06-15T02:00:00' }]);
			process.stdout.write(JSON.stringify({
				local: new Date('2024-06-15T02:00:00').toISOString(),
				eventAt: new Date(events[0].ms).toISOString(),
				segments: evaluateSegments([within12h, signedUpAfter], { profile: { signed_up: '2024-06-15T04:00:00' }, events, nowMs: now }).segments,
			}));`;
		expect(runInTimeZone('Asia/Tokyo', script)).toEqual({
			local: '2024-06-14T17:00:00.000Z', // the zone really is in effect in the child
			eventAt: '2024-06-15T02:00:00.000Z',
			// 02:00Z is 10 h before 12:00Z (read as Tokyo time it would be 19 h before: outside the window);
			// the trait 04:00 (UTC) is after 03:00Z (read as Tokyo time it would be 19:00Z the day before).
			segments: ['Bought in 12 h', 'Signed up after 03:00Z'],
		});
	});
});
