import { PRESETS, decideFromProfile, duplicateSegmentName, evaluateSegments, fieldsOnlyInProfile, prepareEvents, segmentRuleProblems, storedProfile, type SegmentRule } from '../../../nodes/engines/segments/rules';

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
	it('the same event twice (same messageId) counts once; events without a messageId all count', () => {
		// 3 Product Viewed, two of them one delivery retried: 2 distinct views, not 3
		const viewed = (h: number, messageId?: string) => ({ ...ev('Product Viewed', h), ...(messageId ? { messageId } : {}) });
		expect(run([PRESETS.engagedBrowsers], [viewed(5, 'm1'), viewed(1, 'm2'), viewed(5, 'm1')]).segments).toEqual([]);
		expect(run([PRESETS.engagedBrowsers], [viewed(5, 'm1'), viewed(1, 'm2'), viewed(5, 'm3')]).segments).toEqual(['Engaged Browsers']);
		expect(run([PRESETS.engagedBrowsers], [viewed(5), viewed(1), viewed(5)]).segments).toEqual(['Engaged Browsers']);
		// "at most 1 order in 30 days": one order delivered twice is still one order
		const oneOrder: SegmentRule = { name: 'One order', match: 'all', conditions: [{ type: 'event', event: 'Order Completed', operator: 'atMost', count: 1, withinHours: 720 }] };
		const order = { ...ev('Order Completed', 10), messageId: 'o1' };
		expect(run([oneOrder], [order, order]).segments).toEqual(['One order']);
	});
	it('events after "now" do not count', () => {
		expect(run([PRESETS.activeBuyers], [ev('Order Completed', -5)]).segments).toEqual([]);
	});
});

describe('presets decided from a stored profile (no event list)', () => {
	const presets = [PRESETS.cartAbandoners, PRESETS.activeBuyers, PRESETS.engagedBrowsers];
	// a CustomerProfile as Get Profile writes it, with only the fields the presets read changed
	const stored = (fields: Record<string, unknown>) => ({ ordersCount: 0, lastOrderAt: null, firstOrderAt: null, openCart: null, recentViews: [], ...fields });
	const decide = (fields: Record<string, unknown>, at = now) => {
		const m = evaluateSegments(presets, { profile: {}, events: [], nowMs: at, stored: stored(fields) });
		return { segments: m.segments, undecided: m.undecided };
	};
	const view = (product_id: string, h: number) => ({ product_id, at: hoursAgo(h) });
	const cart = (h: number, extra: Record<string, unknown> = {}) => ({ products: [{ product_id: 'A', quantity: 1 }], value: 20, updatedAt: hoursAgo(h), ...extra });

	it('active buyer: one order 1 h ago; an order 8 days (192 h) ago is too old; none at all is no buyer', () => {
		expect(decide({ ordersCount: 1, lastOrderAt: hoursAgo(1), firstOrderAt: hoursAgo(1) })).toEqual({ segments: ['Active Buyers'], undecided: [] });
		expect(decide({ ordersCount: 1, lastOrderAt: hoursAgo(192), firstOrderAt: hoursAgo(192) })).toEqual({ segments: [], undecided: [] });
		expect(decide({})).toEqual({ segments: [], undecided: [] });
	});

	it('orders between the first and the last: decided when the window holds a known one or misses their span, else undecided', () => {
		// 3 orders, first 20 d ago, last 10 d ago: the middle one is between them, outside the last 7 d
		expect(decide({ ordersCount: 3, firstOrderAt: hoursAgo(480), lastOrderAt: hoursAgo(240) }).segments).toEqual([]);
		// 3 orders, the last 1 h ago: in the window whatever the middle one
		expect(decide({ ordersCount: 3, firstOrderAt: hoursAgo(480), lastOrderAt: hoursAgo(1) }).segments).toEqual(['Active Buyers']);
		// seen from 12 h before the last order (Reference Date): the first was 20 d before, the middle one may or may not be in the 7 d up to then
		const earlier = now - 12 * 3_600_000;
		// (and the order after the Reference Date may have closed a cart open then: Cart Abandoners undecided too)
		expect(decide({ ordersCount: 3, firstOrderAt: hoursAgo(480), lastOrderAt: hoursAgo(1) }, earlier)).toEqual({ segments: [], undecided: ['Cart Abandoners', 'Active Buyers'] });
		// the same with 2 orders: no order between them, so none in the window
		expect(decide({ ordersCount: 2, firstOrderAt: hoursAgo(480), lastOrderAt: hoursAgo(1) }, earlier)).toEqual({ segments: [], undecided: ['Cart Abandoners'] });
	});

	it('cart abandoner: an open checkout changed 3 h ago; not when it changed 30 h ago, or there is no open cart; a cart without checkout is undecided', () => {
		expect(decide({ openCart: cart(3, { checkout_id: 'c1' }) })).toEqual({ segments: ['Cart Abandoners'], undecided: [] });
		expect(decide({ openCart: cart(30, { checkout_id: 'c1' }) })).toEqual({ segments: [], undecided: [] });
		// the order 2 h ago closed the cart: Get Profile shows none
		expect(decide({ openCart: null, ordersCount: 1, lastOrderAt: hoursAgo(2), firstOrderAt: hoursAgo(2) })).toEqual({ segments: ['Active Buyers'], undecided: [] });
		expect(decide({ openCart: cart(3, { cart_id: 'k1' }) })).toEqual({ segments: [], undecided: ['Cart Abandoners'] });
	});

	it('cart abandoner with a Reference Date in the past: no open cart now says nothing of then when the customer was seen after it', () => {
		// events: Checkout Started 50 h ago, Order Completed 1 h ago; Reference Date 48 h ago → the checkout
		// (2 h before it) is in its 24 h and the order is after it: a cart abandoner then. The profile now has
		// no open cart (the order closed it) and cannot tell when: undecided, not "no".
		const ref = now - 48 * 3_600_000;
		const events = prepareEvents([
			{ event: 'Checkout Started', timestamp: hoursAgo(50) },
			{ event: 'Order Completed', timestamp: hoursAgo(1) },
		]);
		expect(evaluateSegments([PRESETS.cartAbandoners], { profile: {}, events, nowMs: ref }).segments).toEqual(['Cart Abandoners']);
		const order = { ordersCount: 1, firstOrderAt: hoursAgo(1), lastOrderAt: hoursAgo(1), lastSeenAt: hoursAgo(1) };
		expect(decide({ openCart: null, ...order }, ref)).toEqual({ segments: [], undecided: ['Cart Abandoners'] });
		// an exported profile without lastSeenAt: the order after the Reference Date says the same
		expect(decide({ openCart: null, ordersCount: 1, firstOrderAt: hoursAgo(1), lastOrderAt: hoursAgo(1) }, ref)).toEqual({ segments: [], undecided: ['Cart Abandoners'] });
		// nothing seen after the Reference Date: no open cart then either
		expect(decide({ openCart: null, ordersCount: 1, firstOrderAt: hoursAgo(60), lastOrderAt: hoursAgo(60), lastSeenAt: hoursAgo(60) }, ref)).toEqual({ segments: ['Active Buyers'], undecided: [] });
	});

	it('engaged browser: 3 products viewed in 14 days and no order; 1 or 2 products may hide more views (undecided) unless an order excludes', () => {
		const views = [view('A', 1), view('B', 100), view('C', 300)];
		expect(decide({ recentViews: views })).toEqual({ segments: ['Engaged Browsers'], undecided: [] });
		// 2 products in the window (the third 15 d ago): 2 views or more
		expect(decide({ recentViews: [view('A', 1), view('B', 2), view('C', 15 * 24)] })).toEqual({ segments: [], undecided: ['Engaged Browsers'] });
		// the same with an order 100 h ago: the order alone excludes
		expect(decide({ recentViews: [view('A', 1), view('B', 2)], ordersCount: 1, lastOrderAt: hoursAgo(100), firstOrderAt: hoursAgo(100) })).toEqual({
			segments: ['Active Buyers'],
			undecided: [],
		});
		// an order 200 h (8+ days) ago: too old for Active Buyers (7 d), still excludes Engaged Browsers (14 d)
		expect(decide({ recentViews: views, ordersCount: 1, lastOrderAt: hoursAgo(200), firstOrderAt: hoursAgo(200) })).toEqual({ segments: [], undecided: [] });
		// every product last viewed before the window: no view in it
		expect(decide({ recentViews: [view('A', 15 * 24), view('B', 16 * 24)] })).toEqual({ segments: [], undecided: [] });
	});

	it('the rules you define are decided from the stored profile too, their traits read from profile; a field the profile lacks leaves a preset undecided', () => {
		const own: SegmentRule = { name: 'Bought in 7 days', match: 'all', conditions: [{ type: 'event', event: 'Order Completed', operator: 'atLeast', count: 1, withinHours: 168 }] };
		const gold: SegmentRule = { name: 'Gold', match: 'all', conditions: [{ type: 'trait', field: 'plan', operator: 'equals', value: 'gold' }] };
		const opened: SegmentRule = { name: 'Opened', match: 'any', conditions: [{ type: 'event', event: 'Email Opened', operator: 'atLeast', count: 1 }, { type: 'trait', field: 'plan', operator: 'equals', value: 'vip' }] };
		const m = evaluateSegments([PRESETS.activeBuyers, own, gold, opened], { profile: { plan: 'gold' }, events: [], nowMs: now, stored: stored({ ordersCount: 1, lastOrderAt: hoursAgo(1), firstOrderAt: hoursAgo(1) }) });
		expect(m).toEqual({ segments: ['Active Buyers', 'Bought in 7 days', 'Gold'], primary: 'Active Buyers', undecided: ['Opened'] });
		expect(decideFromProfile({ type: 'group', match: 'all', conditions: PRESETS.cartAbandoners.conditions }, { ordersCount: 0 }, now)).toBeUndefined();
		expect(decideFromProfile({ type: 'event', event: 'Email Opened', operator: 'atLeast', count: 1 }, stored({}), now)).toBeUndefined();
	});

	it('a stored profile is an object with a numeric ordersCount', () => {
		expect(storedProfile(stored({}))).toBeDefined();
		expect(storedProfile({ email: 'a@x.io' })).toBeUndefined();
		expect(storedProfile(null)).toBeUndefined();
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
	it('numeric text is decimal: "0x10" and "0b1" are not numbers (Number() read them as 16 and 1)', () => {
		const over5: SegmentRule = { name: 'Over 5', match: 'all', conditions: [{ type: 'trait', field: 'traits.score', operator: 'greaterThan', value: 5 }] };
		expect(run([over5], [], { traits: { score: '0x10' } }).segments).toEqual([]);
		expect(run([over5], [], { traits: { score: '0b111' } }).segments).toEqual([]);
		expect(run([over5], [], { traits: { score: ' 16 ' } }).segments).toEqual(['Over 5']);
		expect(run([over5], [], { traits: { score: '1.6e1' } }).segments).toEqual(['Over 5']);
		const value = (v: string): SegmentRule => ({ name: 'X', match: 'all', conditions: [{ type: 'trait', field: 'traits.score', operator: 'lessThan', value: v }] });
		expect(segmentRuleProblems(value('0x10'))).toEqual(['segment.conditions[0].value must be a number, numeric text or an ISO date for "lessThan"']);
	});

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
	it('equals: true/false without case (the editor gives text), dates as moments, blank text is no number', () => {
		const eq = (field: string, value: unknown): SegmentRule => ({ name: 'Eq', match: 'all', conditions: [{ type: 'trait', field, operator: 'equals', value }] });
		expect(run([eq('vip', 'True')], [], { vip: true }).segments).toEqual(['Eq']);
		expect(run([eq('vip', 'FALSE')], [], { vip: true }).segments).toEqual([]);
		expect(run([eq('vip', true)], [], { vip: 'TRUE' }).segments).toEqual(['Eq']);
		// 2024-03-01 is midnight UTC: the same moment as the stored ISO date-time, and as 01:00 at +01:00
		expect(run([eq('firstOrderAt', '2024-03-01')], [], { firstOrderAt: '2024-03-01T00:00:00.000Z' }).segments).toEqual(['Eq']);
		expect(run([eq('firstOrderAt', '2024-03-01T01:00:00+01:00')], [], { firstOrderAt: '2024-03-01T00:00:00.000Z' }).segments).toEqual(['Eq']);
		expect(run([eq('firstOrderAt', '2024-03-01')], [], { firstOrderAt: '2024-03-01T00:00:01Z' }).segments).toEqual([]);
		// a blank value is not 0
		expect(run([eq('ordersCount', ' ')], [], { ordersCount: 0 }).segments).toEqual([]);
		expect(run([eq('ordersCount', '0')], [], { ordersCount: 0 }).segments).toEqual(['Eq']);
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
	it('a comparison without a usable value is refused, naming the condition', () => {
		const rule = (operator: string, value?: unknown) => ({
			name: 'X',
			match: 'all',
			conditions: [{ type: 'group', match: 'any', conditions: [{ type: 'trait', field: 'email', operator, ...(value === undefined ? {} : { value }) }] }],
		});
		const at = 'segment.conditions[0].conditions[0].value';
		// without a value, "contains" matched every text field and "notEquals" every customer having the field
		expect(segmentRuleProblems(rule('contains'))).toEqual([`${at} must be non-empty text, a number or true/false for "contains"`]);
		expect(segmentRuleProblems(rule('contains', ''))).toEqual([`${at} must be non-empty text, a number or true/false for "contains"`]);
		expect(segmentRuleProblems(rule('notEquals'))).toEqual([`${at} must be text, a number, true/false or null for "notEquals"`]);
		expect(segmentRuleProblems(rule('equals', { a: 1 }))).toEqual([`${at} must be text, a number, true/false or null for "equals"`]);
		// "greaterThan abc" never matched anybody
		expect(segmentRuleProblems(rule('greaterThan', 'abc'))).toEqual([`${at} must be a number, numeric text or an ISO date for "greaterThan"`]);
		expect(segmentRuleProblems(rule('lessThan', ''))).toEqual([`${at} must be a number, numeric text or an ISO date for "lessThan"`]);
		// usable values, and exists / notExists need none
		for (const [op, v] of [['equals', null], ['equals', ''], ['notEquals', false], ['contains', 'vip'], ['contains', 3], ['greaterThan', '2024-01-01'], ['lessThan', ' 5 '], ['exists', undefined], ['notExists', undefined]] as const) {
			expect(segmentRuleProblems(rule(op, v))).toEqual([]);
		}
	});
	it('rejects an event without a parseable timestamp', () => {
		expect(() => prepareEvents([{ event: 'A', timestamp: 'soon' }])).toThrow('events[0].timestamp "soon" is not a date');
	});
});

describe('hand-typed definitions (review: silent mis-reads)', () => {
	const seg = (conditions: unknown[], extra: Record<string, unknown> = {}) => ({ name: 'Recent viewers', match: 'all', conditions, ...extra });
	const views = { type: 'event', event: 'Product Viewed', operator: 'atLeast', count: 1 };

	it('an unknown key in a condition is refused, naming the condition and the key, with the closest valid key', () => {
		// "within_hours" was ignored: the condition read as "all time", so a view 30 days ago matched a 48 h segment
		expect(segmentRuleProblems(seg([{ ...views, within_hours: 48 }]))).toEqual([
			'segment.conditions[0] has an unknown key "within_hours": did you mean "withinHours"? an event condition takes type, event, operator, count, withinHours',
		]);
		expect(segmentRuleProblems(seg([{ type: 'notAfter', event: 'Checkout Started', thenEvnet: 'Order Completed', withinHours: 24 }]))[0]).toBe(
			'segment.conditions[0] has an unknown key "thenEvnet": did you mean "thenEvent"? a notAfter condition takes type, event, thenEvent, withinHours',
		);
		// the editor's label "Times" for count; a key of another type of condition; nothing close
		expect(segmentRuleProblems(seg([{ type: 'event', event: 'Product Viewed', operator: 'atLeast', times: 3 }]))).toContain(
			'segment.conditions[0] has an unknown key "times": did you mean "count"? an event condition takes type, event, operator, count, withinHours',
		);
		expect(segmentRuleProblems(seg([{ type: 'group', match: 'any', conditions: [{ type: 'trait', field: 'traits.plan', operator: 'exists', withinHours: 24 }] }]))).toEqual([
			'segment.conditions[0].conditions[0] has an unknown key "withinHours": "withinHours" is for an event or notAfter condition; a trait condition takes type, field, operator, value',
		]);
		expect(segmentRuleProblems(seg([{ ...views, note: 'x' }]))).toEqual([
			'segment.conditions[0] has an unknown key "note": an event condition takes type, event, operator, count, withinHours',
		]);
	});

	it('an unknown key on the segment itself is refused too (a segment-wide window is not a thing)', () => {
		expect(segmentRuleProblems(seg([views], { withinHours: 48 }))).toEqual([
			'segment has an unknown key "withinHours": "withinHours" is for a condition, not the segment; a segment takes name, match, conditions',
		]);
		expect(segmentRuleProblems({ name: 'X', match: 'all', condition: [views] })[0]).toBe(
			'segment has an unknown key "condition": did you mean "conditions"? a segment takes name, match, conditions',
		);
	});

	it('notAfter with the same event twice ("X not followed by X") is refused: the latest X follows itself, so it never matched', () => {
		const same = { type: 'notAfter', event: 'Product Viewed', thenEvent: 'Product Viewed', withinHours: 24 };
		expect(segmentRuleProblems(seg([same]))).toEqual([
			'segment.conditions[0].thenEvent is the same event as event ("Product Viewed"): a notAfter condition needs two different events (for "Product Viewed" within the window, use an event condition with atLeast 1)',
		]);
		// two different events, the first one performed twice: matches on its latest (3 h ago, no order after it)
		const twice = [ev('Checkout Started', 20), ev('Order Completed', 10), ev('Checkout Started', 3)];
		expect(run([PRESETS.cartAbandoners], twice).segments).toEqual(['Cart Abandoners']);
		expect(run([PRESETS.cartAbandoners], [...twice, ev('Order Completed', 1)]).segments).toEqual([]);
	});

	it('two segments with the same name (trimmed, without case) are found', () => {
		expect(duplicateSegmentName(['Cart Abandoners', 'VIPs', 'Lapsed'])).toBeUndefined();
		expect(duplicateSegmentName(['Cart Abandoners', 'VIPs', 'vips '])).toEqual([1, 2]);
		expect(duplicateSegmentName(['Active Buyers', 'X', 'Active Buyers'])).toEqual([0, 2]);
	});

	it('equals: numbers and numeric text compare as numbers; a number never equals true/false', () => {
		const eq = (value: unknown): SegmentRule => ({ name: 'Eq', match: 'all', conditions: [{ type: 'trait', field: 'f', operator: 'equals', value }] });
		const ne = (value: unknown): SegmentRule => ({ name: 'Ne', match: 'all', conditions: [{ type: 'trait', field: 'f', operator: 'notEquals', value }] });
		const on = (rule: SegmentRule, f: unknown) => run([rule], [], { f }).segments.length === 1;
		// "5.0" stored as text is the number 5: equal to "5" and to 5 (it was not equal to "5")
		expect(on(eq('5'), '5.0')).toBe(true);
		expect(on(eq('5.0'), 5)).toBe(true);
		expect(on(eq(' 5 '), '+5.00')).toBe(true);
		expect(on(ne('5'), '5.0')).toBe(false);
		expect(on(eq('5'), '5.1')).toBe(false);
		// 0 is not false (it was equal), 1 is not true
		expect(on(eq(false), 0)).toBe(false);
		expect(on(eq(0), false)).toBe(false);
		expect(on(ne(false), 0)).toBe(true);
		expect(on(eq(true), 1)).toBe(false);
		// unchanged: "True" is true, a blank value is not 0, text without case
		expect(on(eq('True'), true)).toBe(true);
		expect(on(eq(' '), 0)).toBe(false);
		expect(on(eq('GOLD'), 'gold')).toBe(true);
		// ids past 15 digits stay text: two different ids are not one double
		expect(on(eq('12345678901234567890'), '12345678901234567891')).toBe(false);
		expect(on(eq('12345678901234567890'), '12345678901234567890')).toBe(true);
		// not numbers: hexadecimal text, "5 apples"
		expect(on(eq('0x10'), 16)).toBe(false);
		expect(on(eq('5 apples'), 5)).toBe(false);
		// contains on a list uses the same equality
		expect(run([{ name: 'C', match: 'all', conditions: [{ type: 'trait', field: 'f', operator: 'contains', value: '5' }] }], [], { f: ['5.0'] }).segments).toEqual(['C']);
	});
});

describe('fieldsOnlyInProfile (Get Profile output read with an empty Profile Field)', () => {
	const trait = (field: string) => ({ type: 'trait' as const, field, operator: 'exists' as const });
	const rules: SegmentRule[] = [
		{ name: 'A', match: 'all', conditions: [trait('ordersCount'), { type: 'event', event: 'Order Completed', operator: 'atLeast', count: 1 }] },
		{ name: 'B', match: 'any', conditions: [{ type: 'group', match: 'all', conditions: [trait('traits.plan'), trait('totalSpentMinor.USD')] }, trait('ordersCount')] },
		{ name: 'C', match: 'all', conditions: [trait('email'), trait('lastOrderAt'), trait('traits.tier')] },
	];
	it('names each field, groups included, once, that the item lacks and its profile has (null counts as had)', () => {
		const item = { email: 'a@example.com', profile: { email: 'a@example.com', ordersCount: 3, lastOrderAt: null, totalSpentMinor: { USD: 5000 }, traits: { plan: 'gold' } } };
		expect(fieldsOnlyInProfile(rules, item)).toEqual(['ordersCount', 'traits.plan', 'totalSpentMinor.USD', 'lastOrderAt']);
	});
	it('nothing when the item has the field itself, has no profile object, or the profile lacks it too', () => {
		expect(fieldsOnlyInProfile(rules, { ordersCount: 3, traits: { plan: 'gold' }, totalSpentMinor: { USD: 1 }, lastOrderAt: '2024-01-01', profile: { ordersCount: 3, lastOrderAt: '2024-01-01' } })).toEqual([]);
		expect(fieldsOnlyInProfile(rules, { email: 'a@example.com', profile: null })).toEqual([]);
		expect(fieldsOnlyInProfile(rules, { email: 'a@example.com', profile: 'gold' })).toEqual([]);
		expect(fieldsOnlyInProfile(rules, { email: 'a@example.com', profile: { traits: {} } })).toEqual([]);
	});
});
