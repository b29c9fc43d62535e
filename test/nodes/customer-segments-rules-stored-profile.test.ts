/**
 * Customer Segments Rules on Customer Profile's Get Profile output (no `events` list, a stored
 * profile in `profile`), through the n8n engine: your own segments' event conditions are decided
 * from the profile as the built-in ones are (orders, product views, the open cart). Before, they
 * read the missing event list as "no events": the node's own example "Lapsed VIPs" (at most 0
 * Order Completed in 90 days) took in a VIP who ordered yesterday, missed one who viewed a product
 * last week, and a segment defined exactly as Active Buyers disagreed with Active Buyers.
 * Expected values are hand-computed from the profiles below and the Reference Date.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';

const NAME = 'Customer Segments';
const REF = '2024-06-30T00:00:00Z';
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));

// the node's default JSON (Define Own Segments → As JSON)
const LAPSED_VIPS = [
	{
		name: 'Lapsed VIPs',
		match: 'all',
		conditions: [
			{ type: 'trait', field: 'ordersCount', operator: 'greaterThan', value: 5 },
			{ type: 'event', event: 'Order Completed', operator: 'atMost', count: 0, withinHours: 2160 },
			{
				type: 'group',
				match: 'any',
				conditions: [
					{ type: 'trait', field: 'engagement.opened_30d', operator: 'greaterThan', value: 0 },
					{ type: 'event', event: 'Product Viewed', operator: 'atLeast', count: 1, withinHours: 720 },
				],
			},
		],
	},
];
const BOUGHT_7D = { name: 'Bought in 7 days', match: 'all', conditions: [{ type: 'event', event: 'Order Completed', operator: 'atLeast', count: 1, withinHours: 168 }] };
const OPENED = { name: 'Opened', match: 'all', conditions: [{ type: 'event', event: 'Email Opened', operator: 'atLeast', count: 1, withinHours: 168 }] };

const wf = (presets: string[], own: unknown[]) => ({
	nodes: [node(NAME, 'customerSegments', { operation: 'rules', presets, definition: 'json', segmentsJson: JSON.stringify(own), profileField: 'profile', rulesReferenceDate: REF } as never)],
	connections: {},
});

const profile = (fields: IDataObject): IDataObject => ({ ordersCount: 0, recentViews: [], openCart: null, engagement: { opened_30d: 0 }, ...fields });
const VIP = { ordersCount: 8, firstOrderAt: '2023-01-01T00:00:00Z' };

describe('Customer Segments Rules: your own segments on Get Profile output (a stored profile, no events)', () => {
	it('Lapsed VIPs (the node\'s example) is decided from lastOrderAt and recentViews', async () => {
		const result = await runWorkflow(wf([], LAPSED_VIPS), {
			input: items([
				// ordered 1 day before the Reference Date: not lapsed (was: in the segment)
				{ email: 'recent@example.com', profileFound: true, profile: profile({ ...VIP, lastOrderAt: '2024-06-29T00:00:00Z', engagement: { opened_30d: 2 } }) },
				// last order 121 days before, opened mail: lapsed
				{ email: 'lapsed@example.com', profileFound: true, profile: profile({ ...VIP, lastOrderAt: '2024-03-01T00:00:00Z', engagement: { opened_30d: 2 } }) },
				// last order 121 days before, no opens, viewed a product 10 days before: lapsed (was: not)
				{ email: 'viewer@example.com', profileFound: true, profile: profile({ ...VIP, lastOrderAt: '2024-03-01T00:00:00Z', recentViews: [{ product_id: 'A', at: '2024-06-20T00:00:00Z' }] }) },
				// last order 121 days before, neither opens nor views: not lapsed-and-engaged
				{ email: 'quiet@example.com', profileFound: true, profile: profile({ ...VIP, lastOrderAt: '2024-03-01T00:00:00Z' }) },
			]),
		});
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => [i.json.email, i.json.segments, i.json.undecided_segments]);
		expect(out).toEqual([
			['recent@example.com', [], []],
			['lapsed@example.com', ['Lapsed VIPs'], []],
			['viewer@example.com', ['Lapsed VIPs'], []],
			['quiet@example.com', [], []],
		]);
		expect(result.items(NAME).map((i) => i.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
	});

	it('a segment defined as Active Buyers answers as Active Buyers; one the profile cannot tell is undecided, not "no"', async () => {
		const result = await runWorkflow(wf(['activeBuyers'], [BOUGHT_7D, OPENED]), {
			input: items([
				{ email: 'buyer@example.com', profileFound: true, profile: profile({ ordersCount: 1, firstOrderAt: '2024-06-29T00:00:00Z', lastOrderAt: '2024-06-29T00:00:00Z' }) },
				{ email: 'none@example.com', profileFound: true, profile: profile({}) },
			]),
		});
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => [i.json.segments, i.json.primary_segment, i.json.undecided_segments]);
		expect(out).toEqual([
			[['Active Buyers', 'Bought in 7 days'], 'Active Buyers', ['Opened']],
			[[], null, ['Opened']],
		]);
	});

	it('with an events list, your segments still read the events (control)', async () => {
		const result = await runWorkflow(wf([], [BOUGHT_7D]), {
			input: items([{ email: 'e@example.com', profile: profile({ ordersCount: 1, firstOrderAt: '2024-06-29T00:00:00Z', lastOrderAt: '2024-06-29T00:00:00Z' }), events: [] }]),
		});
		expect(result.items(NAME)[0].json).toMatchObject({ segments: [], primary_segment: null });
		expect(result.items(NAME)[0].json.undecided_segments).toBeUndefined();
	});
});
