import { PRESETS, evaluateSegments, prepareEvents, segmentRuleProblems, type SegmentRule } from '../../../nodes/engines/segments/rules';

const now = Date.UTC(2024, 5, 15, 12);
const hoursAgo = (h: number) => new Date(now - h * 3_600_000).toISOString();
const ev = (event: string, h: number) => ({ event, timestamp: hoursAgo(h) });
const run = (rules: SegmentRule[], events: Array<{ event: string; timestamp: string }>, profile: Record<string, unknown> = {}) =>
	evaluateSegments(rules, { profile, events: prepareEvents(events), nowMs: now });

describe('presets', () => {
	const presets = [PRESETS.cartAbandoners, PRESETS.activeBuyers, PRESETS.engagedBrowsers];
	it('cart abandoner: checkout 3 h ago, no order after it', () => {
		expect(run(presets, [ev('Order Completed', 48), ev('Checkout Started', 3)]).segments).toEqual(['Cart Abandoners', 'Active Buyers']);
	});
	it('not an abandoner when the order followed the checkout, or the checkout is older than 24 h', () => {
		expect(run([PRESETS.cartAbandoners], [ev('Checkout Started', 3), ev('Order Completed', 2)]).segments).toEqual([]);
		expect(run([PRESETS.cartAbandoners], [ev('Checkout Started', 30)]).segments).toEqual([]);
	});
	it('engaged browser: 3 views in 14 days and no order; 2 views are not enough; an order excludes', () => {
		const views = [ev('Product Viewed', 1), ev('Product Viewed', 100), ev('Product Viewed', 300)];
		expect(run(presets, views).primary).toBe('Engaged Browsers');
		expect(run(presets, views.slice(0, 2)).segments).toEqual([]);
		expect(run(presets, [...views, ev('Order Completed', 100)]).segments).toEqual(['Active Buyers']);
		// an order 200 h (8+ days) ago: too old for Active Buyers (7 d), still excludes Engaged Browsers (14 d)
		expect(run(presets, [...views, ev('Order Completed', 200)]).segments).toEqual([]);
		expect(run(presets, [ev('Product Viewed', 1), ev('Product Viewed', 2), ev('Product Viewed', 15 * 24)]).segments).toEqual([]);
	});
	it('events after "now" do not count', () => {
		expect(run([PRESETS.activeBuyers], [ev('Order Completed', -5)]).segments).toEqual([]);
	});
});

describe('traits and groups', () => {
	const vip: SegmentRule = {
		name: 'VIP in DE or FR',
		match: 'all',
		conditions: [
			{ type: 'trait', field: 'ordersCount', operator: 'greaterThan', value: 4 },
			{
				type: 'group',
				match: 'any',
				conditions: [
					{ type: 'trait', field: 'traits.country', operator: 'equals', value: 'de' },
					{ type: 'trait', field: 'traits.country', operator: 'equals', value: 'FR' },
				],
			},
			{ type: 'trait', field: 'unsubscribed', operator: 'equals', value: false },
		],
	};
	it('AND of a numeric comparison, an OR group and a boolean', () => {
		expect(run([vip], [], { ordersCount: 5, traits: { country: 'DE' }, unsubscribed: false }).segments).toEqual(['VIP in DE or FR']);
		expect(run([vip], [], { ordersCount: 5, traits: { country: 'IT' }, unsubscribed: false }).segments).toEqual([]);
		expect(run([vip], [], { ordersCount: 4, traits: { country: 'FR' }, unsubscribed: false }).segments).toEqual([]);
		expect(run([vip], [], { ordersCount: '9', traits: { country: 'FR' }, unsubscribed: true }).segments).toEqual([]);
	});
	it('contains, exists, notExists, dates compare', () => {
		const rules: SegmentRule[] = [
			{ name: 'Gmail', match: 'all', conditions: [{ type: 'trait', field: 'email', operator: 'contains', value: '@GMAIL.' }] },
			{ name: 'Has phone', match: 'all', conditions: [{ type: 'trait', field: 'traits.phone', operator: 'exists' }] },
			{ name: 'No phone', match: 'all', conditions: [{ type: 'trait', field: 'traits.phone', operator: 'notExists' }] },
			{ name: 'Recent first order', match: 'all', conditions: [{ type: 'trait', field: 'firstOrderAt', operator: 'greaterThan', value: '2024-01-01' }] },
			{ name: 'Tagged', match: 'any', conditions: [{ type: 'trait', field: 'traits.tags', operator: 'contains', value: 'vip' }] },
		];
		expect(run(rules, [], { email: 'a@gmail.com', traits: { phone: '' }, firstOrderAt: '2024-03-01T00:00:00Z' }).segments).toEqual(['Gmail', 'No phone', 'Recent first order']);
		expect(run(rules, [], { email: 'a@x.io', traits: { phone: '+1', tags: ['new', 'vip'] }, firstOrderAt: '2023-03-01' }).segments).toEqual(['Has phone', 'Tagged']);
	});
	it('at most N within a window', () => {
		const rule: SegmentRule = { name: 'Quiet', match: 'all', conditions: [{ type: 'event', event: 'Email Opened', operator: 'atMost', count: 1, withinHours: 24 * 30 }] };
		expect(run([rule], [ev('Email Opened', 10), ev('Email Opened', 24 * 40)]).segments).toEqual(['Quiet']);
		expect(run([rule], [ev('Email Opened', 10), ev('Email Opened', 20)]).segments).toEqual([]);
	});
});

describe('validation', () => {
	it('names the faulty part', () => {
		expect(segmentRuleProblems({ name: 'X', match: 'all', conditions: [{ type: 'event', event: 'A', operator: 'more', count: -1 }] })).toEqual([
			'segment.conditions[0].operator must be "atLeast" or "atMost"',
			'segment.conditions[0].count must be a whole number >= 0',
		]);
		expect(segmentRuleProblems({ name: '', match: 'some', conditions: [] })).toHaveLength(3);
		expect(segmentRuleProblems(PRESETS.engagedBrowsers)).toEqual([]);
	});
	it('rejects an event without a parseable timestamp', () => {
		expect(() => prepareEvents([{ event: 'A', timestamp: 'soon' }])).toThrow('events[0].timestamp "soon" is not a date');
	});
});
