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
			// m3 clicked without a counted open: a click is an open too
			{ variant: 'b', sent: 1, opened: 1, clicked: 1, converted: 1 },
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

describe('analyze: counts too small for the normal approximation', () => {
	it('0/3 vs 3/3: no winner; Fisher\'s exact p-value and a warning instead of the z-test', () => {
		// before: z = 1/sqrt(0.5·0.5·(2/3)) = 2.449, p = 0.0143 < 0.05 → "b" was declared the winner after 6 recipients
		// now: expected counts 1.5 (< 5) → Fisher: p = 2/20 = 0.1 (see stats.test.ts), and no winner
		const r = analyze([{ variant: 'control', sent: 3, converted: 0 }, { variant: 'b', sent: 3, converted: 3 }], { plannedPerVariant: 3 });
		expect(r).toMatchObject({ planned_reached: true, verdict: 'needs_more_data', winner: null });
		const b = r.variants[1];
		expect(b).toMatchObject({ test: 'fisher_exact', min_expected_count: 1.5, significant: false });
		expect(b.p_value).toBeCloseTo(0.1, 12);
		expect(b.z).toBeCloseTo(2.449490, 6); // the statistic is still reported
		// the intervals need no switch: Newcombe's interval of 0/3 vs 3/3 is (0.2059233, 1) (stats.test.ts; Wald gave the
		// zero-width [1, 1]); no relative lift from a control at 0
		expect(b.abs_lift_ci![0]).toBeCloseTo(0.2059233, 6);
		expect(b.abs_lift_ci![1]).toBe(1);
		expect(b.rel_lift).toBeNull();
		expect(b.rel_lift_ci).toBeNull();
		expect(b.warnings).toEqual([
			'Too few conversions to compare "b" with "control" reliably: the smallest expected count is 1.5, the usual rule needs at least 5 conversions and 5 non-conversions expected per variant. ' +
				'The p-value is from Fisher\'s exact test; the confidence intervals (from Wilson score intervals) allow for small counts, so expect them to be wide. ' +
				'This comparison cannot pick a winner until more recipients have been mailed.',
			'No relative lift: the control "control" has a conversion rate of 0, and a change from 0 has no finite ratio. abs_lift and its interval still compare the two.',
		]);
		expect(r.variants[0].warnings).toEqual([]);
		expect(r.summary).toBe('Inconclusive: too few conversions to compare "b" with "control" reliably (fewer than 5 expected per variant; the p-value is from Fisher\'s exact test). Send to more recipients before deciding.');
	});

	it('0/8 vs 8/8: significant by Fisher\'s exact test (p = 2/12870), still no winner at this size', () => {
		const r = analyze([{ variant: 'control', sent: 8, converted: 0 }, { variant: 'b', sent: 8, converted: 8 }], { plannedPerVariant: 8 });
		expect(r.variants[1]).toMatchObject({ test: 'fisher_exact', min_expected_count: 4, significant: true });
		expect(r.variants[1].p_value).toBeCloseTo(2 / 12870, 12);
		expect(r).toMatchObject({ verdict: 'needs_more_data', winner: null });
		expect(r.summary).toContain('Inconclusive');
	});

	it('keeps the z-test and its verdict once every expected count is at least 5', () => {
		// 0/10 vs 10/10: expected 5 in every cell; z = 1/sqrt(0.25·0.2) = 4.472136, p = 7.74e-6
		const r = analyze([{ variant: 'control', sent: 10, converted: 0 }, { variant: 'b', sent: 10, converted: 10 }], { plannedPerVariant: 10 });
		expect(r.variants[1]).toMatchObject({
			test: 'z',
			min_expected_count: 5,
			significant: true,
			rel_lift_ci: null,
			warnings: ['No relative lift: the control "control" has a conversion rate of 0, and a change from 0 has no finite ratio. abs_lift and its interval still compare the two.'],
		});
		expect(r.variants[1].z).toBeCloseTo(4.472136, 6);
		// Newcombe (1998) Table II (h), 10/10 - 0/10: 0.6075 to 1.0000
		expect(r.variants[1].abs_lift_ci![0]).toBeCloseTo(0.6075, 4);
		expect(r.variants[1].abs_lift_ci![1]).toBe(1);
		expect(r).toMatchObject({ verdict: 'winner', winner: 'b' });
		// the usual case: 100/1000 vs 150/1000, expected 125 → z-test, p = 0.000723 (as above)
		const big = analyze([{ variant: 'control', sent: 1000, converted: 100 }, { variant: 'treatment', sent: 1000, converted: 150 }], plan);
		expect(big.variants[1]).toMatchObject({ test: 'z', min_expected_count: 125, warnings: [] });
		expect(big.variants[1].p_value).toBeCloseTo(0.000723, 5);
	});
});

describe('analyze: confidence intervals of the lift', () => {
	it("reports Newcombe's interval for abs_lift and MOVER-R Wilson for rel_lift (Perondi et al. 1/34 vs 7/34)", () => {
		// published by R's contingencytables (Fagerland, Lydersen & Laake 2017) for 7/34 vs 1/34: difference 0.0189 to 0.3404,
		// ratio 1.1537 to 41.9763 (relative lift 0.1537 to 40.9763); Wald/Katz gave 0.0292 to 0.3238 and ratio 0.9096 to 53.8695
		const r = analyze([{ variant: 'control', sent: 34, converted: 1 }, { variant: 'b', sent: 34, converted: 7 }], { plannedPerVariant: 34 });
		const b = r.variants[1];
		expect(b.abs_lift).toBeCloseTo(6 / 34, 12);
		expect(b.abs_lift_ci![0]).toBeCloseTo(0.0189, 4);
		expect(b.abs_lift_ci![1]).toBeCloseTo(0.3404, 4);
		expect(b.rel_lift).toBeCloseTo(6, 12);
		expect(b.rel_lift_ci![0]).toBeCloseTo(0.1537, 4);
		expect(b.rel_lift_ci![1]).toBeCloseTo(40.9763, 3);
	});

	it('gives a relative lift interval when the challenger has no conversions (Katz gave null)', () => {
		// 15/72 vs 0/16 (Ritland et al.): ratio 0 to 1.001819 by hand (stats.test.ts); difference -0.3156926 to 0.0003261
		// (Wilson 15/72 → (0.1305205, 0.3156926), 0/16 → (0, 0.1936077): -0.2083333 - sqrt(0² + 0.1073593²),
		// -0.2083333 + sqrt(0.1936077² + 0.07781278²) = -0.2083333 + 0.2086594)
		const r = analyze([{ variant: 'control', sent: 72, converted: 15 }, { variant: 'b', sent: 16, converted: 0 }], { plannedPerVariant: 16 });
		const b = r.variants[1];
		expect(b.rel_lift).toBe(-1);
		expect(b.rel_lift_ci![0]).toBe(-1);
		expect(b.rel_lift_ci![1]).toBeCloseTo(0.001819, 5);
		expect(b.abs_lift_ci![0]).toBeCloseTo(-0.3156926, 6);
		expect(b.abs_lift_ci![1]).toBeCloseTo(0.0003261, 6);
		expect(b.warnings.some((w) => w.startsWith('No relative lift'))).toBe(false);
	});

	it('computes the intervals at the Bonferroni level with several challengers', () => {
		// two challengers: confidence 1 - 0.05/2 = 0.975, z = Φ⁻¹(0.9875) = 2.241403. Wilson at that z:
		// 100/1000 → (0.08069487, 0.1233041), 150/1000 → (0.1264434, 0.1770558)
		// difference: 0.05 - sqrt(0.0235566² + 0.0233041²) = 0.01686394, 0.05 + sqrt(0.0270558² + 0.01930513²) = 0.08323708
		// MOVER-R (as in stats.test.ts, at this z): ratio 1.1442024 to 1.9661213
		const r = analyze([
			{ variant: 'control', sent: 1000, converted: 100 },
			{ variant: 'b', sent: 1000, converted: 150 },
			{ variant: 'c', sent: 1000, converted: 100 },
		], plan);
		const b = r.variants[1];
		expect(r.alpha_per_comparison).toBeCloseTo(0.025, 12);
		expect(b.abs_lift_ci![0]).toBeCloseTo(0.01686394, 6);
		expect(b.abs_lift_ci![1]).toBeCloseTo(0.08323708, 6);
		expect(b.rel_lift_ci![0]).toBeCloseTo(0.1442024, 6);
		expect(b.rel_lift_ci![1]).toBeCloseTo(0.9661213, 6);
	});
});

describe('analyze: a variant with no recipients yet (sent 0)', () => {
	it('is reported as having no data (no rate, no comparison, a warning) and the verdict waits for it', () => {
		// before: 'Variant "c": sent must be above 0' failed the whole analysis
		const r = analyze(
			[
				{ variant: 'control', sent: 1000, opened: 400, converted: 100 },
				{ variant: 'b', sent: 1000, opened: 420, converted: 150 },
				{ variant: 'c', sent: 0, opened: 0, converted: 0 },
			],
			plan,
		);
		const c = r.variants.find((v) => v.variant === 'c')!;
		expect(c).toMatchObject({ sent: 0, rate: null, conversion_rate: null, open_rate: null, abs_lift: null, p_value: null, test: null, significant: null });
		expect(c.warnings).toEqual(['No recipients yet (sent 0), so no conversion rate and no comparison.']);
		// b vs control unchanged: p = 0.000723; three variants → α/2 = 0.025 per comparison
		const b = r.variants.find((v) => v.variant === 'b')!;
		expect(b.p_value).toBeCloseTo(0.000723, 5);
		expect(r.alpha_per_comparison).toBe(0.025);
		// "c" has 0 of the planned recipients: no decision yet
		expect(r).toMatchObject({ verdict: 'needs_more_data', winner: null, planned_reached: false });
		expect(r.summary).toContain('"c" has 0 of the');
	});

	it('a control with no recipients yet: no baseline, no comparison, no failure', () => {
		const rows = [
			{ variant: 'control', sent: 0, converted: 0 },
			{ variant: 'b', sent: 100, converted: 10 },
		];
		const r = analyze(rows);
		expect(r).toMatchObject({ baseline_rate: null, required_per_variant: null, verdict: 'needs_more_data', winner: null });
		expect(r.summary).toBe('The control "control" has no recipients yet, so there is no baseline to plan a sample size; send to it, or set a baseline rate or a planned sample size.');
		expect(r.variants[0]).toMatchObject({ rate: null, warnings: ['No recipients yet (sent 0), so no conversion rate and no comparison.'] });
		expect(r.variants[1]).toMatchObject({ rate: 0.1, p_value: null, warnings: ['No comparison: the control "control" has no recipients yet (sent 0).'] });
		// with a planned baseline (10%, +50%: 686 per variant) the plan says how far there is to go
		const planned = analyze(rows, plan);
		expect(planned).toMatchObject({ baseline_rate: 0.1, required_per_variant: 686, verdict: 'needs_more_data', needed_more_per_variant: 686 });
		expect(planned.summary).toContain('"control" has 0 of the 686 recipients planned per variant');
	});

	it('sent 0 with conversions is still an error naming the variant', () => {
		expect(() => analyze([{ variant: 'control', sent: 100, converted: 10 }, { variant: 'c', sent: 0, converted: 2 }])).toThrow('Variant "c": converted (2) must be between 0 and sent (0)');
	});
});
