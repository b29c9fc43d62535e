import { aggregateEvents, analyze } from '../../../nodes/engines/experiment/analyze';

// Planned for baseline 10%, MDE +50% (→ 15%), α 0.05, power 0.8: 686 per variant (see stats.test.ts)
const plan = { baselineRate: 0.1, mde: 0.5, control: 'control' };

describe('analyze', () => {
	it('declares a winner once the plan is reached and the difference is significant', () => {
		const r = analyze([{ variant: 'control', sent: 1000, converted: 100 }, { variant: 'treatment', sent: 1000, converted: 150 }], plan);
		expect(r).toMatchObject({ required_per_variant: 686, planned_reached: true, verdict: 'winner', winner: 'treatment', needed_more_per_variant: 0 });
		const t = r.variants.find((v) => v.variant === 'treatment')!;
		expect(t.abs_lift).toBeCloseTo(0.05, 12);
		expect(t.rel_lift).toBeCloseTo(0.5, 12);
		expect(t.p_value).toBeCloseTo(0.000723, 5);
		expect(r.summary).toContain('"treatment" wins');
	});

	it('guards against peeking: significant now, but the planned sample is not reached', () => {
		// 50/500 vs 75/500: z = 0.05/sqrt(0.125·0.875·0.004) = 2.39, p = 0.017 < 0.05, but 500 < 686
		const r = analyze([{ variant: 'control', sent: 500, converted: 50 }, { variant: 'treatment', sent: 500, converted: 75 }], plan);
		expect(r.verdict).toBe('needs_more_data');
		expect(r.needed_more_per_variant).toBe(186);
		expect(r.variants[1].significant).toBe(true);
		expect(r.summary).toContain('186 more per variant');
		expect(r.summary).toContain('peeking');
	});

	it('says "no difference" at the planned size when p >= alpha, and lets the control win a significant drop', () => {
		const same = analyze([{ variant: 'control', sent: 1000, converted: 100 }, { variant: 'treatment', sent: 1000, converted: 105 }], plan);
		expect(same.verdict).toBe('no_difference');
		const drop = analyze([{ variant: 'control', sent: 1000, converted: 150 }, { variant: 'treatment', sent: 1000, converted: 100 }], { ...plan, baselineRate: 0.15, mde: 0.34 });
		expect(drop).toMatchObject({ verdict: 'winner', winner: 'control' });
	});

	it('corrects alpha for several challengers (Bonferroni) and merges rows of the same variant', () => {
		const r = analyze(
			[
				{ variant: 'control', sent: 600, converted: 60 },
				{ variant: 'control', sent: 400, converted: 40 },
				{ variant: 'b', sent: 1000, converted: 130 },
				{ variant: 'c', sent: 1000, converted: 100 },
				{ variant: 'holdout', sent: 300, converted: 20 },
			],
			{ ...plan, plannedPerVariant: 1000, exclude: ['holdout'] },
		);
		expect(r.alpha_per_comparison).toBe(0.025);
		expect(r.variants.map((v) => [v.variant, v.sent])).toEqual([['control', 1000], ['b', 1000], ['c', 1000]]);
		// b: 130 vs 100 of 1000: pooled 0.115, SE = sqrt(0.115·0.885·0.002) = 0.014267, z = 2.1027, p = 0.0355: significant at 0.05, not at 0.025
		const b = r.variants.find((v) => v.variant === 'b')!;
		expect(b.z).toBeCloseTo(2.1027, 3);
		expect(b.significant).toBe(false);
		expect(r.verdict).toBe('no_difference');
	});

	it('computes rates for every stage and rejects bad counts naming the variant', () => {
		const r = analyze([{ variant: 'control', sent: 200, opened: 80, clicked: 20, converted: 4 }, { variant: 'b', sent: 200, opened: 90, clicked: 30, converted: 6 }], { metric: 'clicked', mde: 0.2 });
		expect(r.variants[0]).toMatchObject({ open_rate: 0.4, click_rate: 0.1, conversion_rate: 0.02, rate: 0.1 });
		expect(() => analyze([{ variant: 'a', sent: 10, converted: 11 }, { variant: 'b', sent: 10, converted: 1 }])).toThrow('Variant "a": converted (11) must be between 0 and sent (10)');
		expect(() => analyze([{ variant: 'a', sent: 10, converted: 1 }])).toThrow('at least two variants');
		expect(() => analyze([{ variant: 'a', sent: 10, converted: 1 }, { variant: 'b', sent: 10, converted: 1 }], { control: 'x' })).toThrow('Control variant "x"');
	});
});

describe('aggregateEvents', () => {
	it('counts distinct recipients per stage and variant, and ignores other experiments', () => {
		const { counts, ignored } = aggregateEvents(
			[
				{ event: 'Email Sent', variant: 'a', experiment: 'x', recipient: 'm1' },
				{ event: 'Email Delivered', variant: 'a', experiment: 'x', recipient: 'm1' },
				{ event: 'Email Sent', variant: 'a', experiment: 'x', recipient: 'm2' },
				{ event: 'Email Opened', variant: 'a', experiment: 'x', recipient: 'm1' },
				{ event: 'Email Opened', variant: 'a', experiment: 'x', recipient: 'm1' },
				{ event: 'Email Link Clicked', variant: 'b', experiment: 'x', recipient: 'm3' },
				{ event: 'Order Completed', variant: 'b', experiment: 'x', recipient: 'm3' },
				{ event: 'Email Sent', variant: 'b', experiment: 'y', recipient: 'm9' },
				{ event: 'Email Bounced', variant: 'b', experiment: 'x', recipient: 'm4' },
			],
			'x',
		);
		expect(counts).toEqual([
			{ variant: 'a', sent: 2, opened: 1, clicked: 0, converted: 0 },
			{ variant: 'b', sent: 1, opened: 0, clicked: 1, converted: 1 },
		]);
		expect(ignored).toBe(2);
	});

	it('joins through any id of an event (not only its first two), and an empty id joins nobody', () => {
		// c: eve's delivery carries three ids; her order only the third (her address): one recipient.
		// d: two deliveries whose userId is empty: the empty string is no id, so two recipients,
		// and an event whose only id is empty is ignored.
		const { counts, ignored } = aggregateEvents([
			{ event: 'Email Delivered', variant: 'c', ids: ['m:m5', 'u:eve-1', 'e:eve@example.com'] },
			{ event: 'Order Completed', variant: 'c', ids: ['e:eve@example.com'] },
			{ event: 'Email Delivered', variant: 'c', ids: ['m:m6', 'u:finn-2', 'e:finn@example.com'] },
			{ event: 'Email Delivered', variant: 'd', ids: ['', 'm:m7'] },
			{ event: 'Email Delivered', variant: 'd', ids: ['', 'm:m8'] },
			{ event: 'Email Opened', variant: 'd', ids: [''] },
		]);
		expect(counts).toEqual([
			{ variant: 'c', sent: 2, opened: 0, clicked: 0, converted: 1 },
			{ variant: 'd', sent: 2, opened: 0, clicked: 0, converted: 0 },
		]);
		expect(ignored).toBe(1);
	});

	it('joins the ids seen on one event: an order without email_id counts for its email recipient, not as another one', () => {
		// a: m1 (anna) and m2 (ben) were sent; anna opened (m1) and later bought (no email_id, her userId
		// and address only). Recipients: {m1, anna}, {m2, ben} → sent 2, opened 1, converted 1.
		// Keyed on one id per event (email_id, else userId), the order would be a third recipient.
		// b: carl's order is tied to his message through his userId, seen with m3 on the Delivered event.
		const { counts, ignored } = aggregateEvents([
			{ event: 'Email Delivered', variant: 'a', ids: ['m:m1', 'e:anna@example.com'] },
			{ event: 'Email Delivered', variant: 'a', ids: ['m:m2', 'e:ben@example.com'] },
			{ event: 'Email Opened', variant: 'a', ids: ['m:m1', 'e:anna@example.com'] },
			{ event: 'Order Completed', variant: 'a', ids: ['u:anna-1', 'e:anna@example.com'] },
			{ event: 'Order Completed', variant: 'b', ids: ['u:carl-7'] },
			{ event: 'Email Delivered', variant: 'b', ids: ['m:m3', 'u:carl-7', 'e:carl@example.com'] },
			{ event: 'Email Delivered', variant: 'b', ids: ['m:m4', 'e:dora@example.com'] },
			// no id at all: cannot be tied to a recipient
			{ event: 'Email Opened', variant: 'b', ids: [] },
		]);
		expect(counts).toEqual([
			{ variant: 'a', sent: 2, opened: 1, clicked: 0, converted: 1 },
			{ variant: 'b', sent: 2, opened: 0, clicked: 0, converted: 1 },
		]);
		expect(ignored).toBe(1);
	});
});

describe('analyze: rows of the same variant', () => {
	it('checks each row on its own: a row with more conversions than sends is refused, even when another row of the variant makes the sum look possible', () => {
		// control rows: 20 of 10, 0 of 1000 → sum 20 of 1010 looks valid, but the first row is impossible
		expect(() =>
			analyze([
				{ variant: 'control', sent: 10, converted: 20 },
				{ variant: 'control', sent: 1000, converted: 0 },
				{ variant: 'b', sent: 1000, converted: 100 },
			]),
		).toThrow('Variant "control": converted (20) must be between 0 and sent (10)');
	});

	it('does not divide a count known for some rows by the sends of every row', () => {
		// control: 100 of 1000 on the first row, the second row (1000 sent) has no "converted".
		// The control's conversion rate is unknown; 100 / 2000 = 5% would be wrong.
		expect(() =>
			analyze(
				[
					{ variant: 'control', sent: 1000, converted: 100 },
					{ variant: 'control', sent: 1000 },
					{ variant: 'b', sent: 1000, converted: 100 },
				],
				{ plannedPerVariant: 1 },
			),
		).toThrow('Variant "control": some of its rows have no "converted" count');
		// a count other than the metric that only some rows carry is reported as unknown (null), not as a partial rate
		const r = analyze(
			[
				{ variant: 'control', sent: 1000, opened: 400, converted: 100 },
				{ variant: 'control', sent: 1000, converted: 100 },
				{ variant: 'b', sent: 1000, opened: 300, converted: 100 },
			],
			{ plannedPerVariant: 1 },
		);
		expect(r.variants[0]).toMatchObject({ variant: 'control', sent: 2000, converted: 200, conversion_rate: 0.1, opened: null, open_rate: null });
		expect(r.variants[1]).toMatchObject({ variant: 'b', opened: 300, open_rate: 0.3 });
	});
});

describe('analyze: planning inputs', () => {
	const rows = [
		{ variant: 'control', sent: 10, converted: 5 },
		{ variant: 'b', sent: 10, converted: 10 },
	];
	it('refuses a planned size below 1 (it would switch the peeking guard off) and a baseline outside (0, 100%)', () => {
		// 5/10 vs 10/10 with a plan of 0 would be declared a winner after 10 recipients
		expect(() => analyze(rows, { plannedPerVariant: 0 })).toThrow('Planned recipients per variant must be at least 1, got 0');
		expect(() => analyze(rows, { plannedPerVariant: Number.NaN })).toThrow('Planned recipients per variant');
		expect(() => analyze(rows, { baselineRate: -0.05 })).toThrow('Baseline rate must be between 0 and 100% (exclusive)');
		expect(() => analyze(rows, { baselineRate: 1.2 })).toThrow('Baseline rate must be between 0 and 100% (exclusive)');
	});

	it('says why no sample size can be planned when the detectable change would pass 100%', () => {
		// control 95%: +10% relative → 104.5%, not a rate
		const r = analyze([{ variant: 'control', sent: 1000, converted: 950 }, { variant: 'b', sent: 1000, converted: 960 }]);
		expect(r).toMatchObject({ verdict: 'needs_more_data', required_per_variant: null });
		expect(r.summary).toContain('A 10.00% relative change of a 95.00% conversion rate would exceed 100%');
	});
});
