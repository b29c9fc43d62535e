import { analyze } from '../../../nodes/engines/experiment/analyze';

// Verdict with several challengers. Expected values computed by hand (and checked with
// scipy.stats.norm): pooled two-proportion z-test, Bonferroni alpha 0.05 / 2 = 0.025.
//   control 100/1000 vs b 60/1000:  pooled 0.08,   SE = sqrt(0.08·0.92·0.002)     = 0.0121326, z = -3.2969, p = 0.000978 (significant)
//   control 100/1000 vs c 105/1000: pooled 0.1025, SE = sqrt(0.1025·0.8975·0.002) = 0.0135642, z =  0.3686, p = 0.7124   (not significant)
describe('analyze(): the control wins only when it beats every challenger', () => {
	const opts = { control: 'control', plannedPerVariant: 1000, baselineRate: 0.1, mde: 0.5 };

	it('a significantly worse challenger beside one that does not differ gives no winner', () => {
		const r = analyze(
			[
				{ variant: 'control', sent: 1000, converted: 100 },
				{ variant: 'b', sent: 1000, converted: 60 },
				{ variant: 'c', sent: 1000, converted: 105 },
			],
			opts,
		);
		const b = r.variants.find((v) => v.variant === 'b')!;
		const c = r.variants.find((v) => v.variant === 'c')!;
		expect(r.alpha_per_comparison).toBe(0.025);
		expect(b.z).toBeCloseTo(-3.2969, 3);
		expect(b.p_value).toBeCloseTo(0.000978, 5);
		expect(b.significant).toBe(true);
		expect(c.z).toBeCloseTo(0.3686, 3);
		expect(c.p_value).toBeCloseTo(0.7124, 3);
		expect(c.significant).toBe(false);
		// the control beat "b" but not "c": naming it the winner would claim it beats "c" too
		expect(r.winner).toBeNull();
		expect(r.verdict).toBe('no_difference');
		expect(r.summary).toBe(
			'No winner: "b" (6.00%) is significantly worse than "control" (10.00%), but "c" (10.50%) does not differ significantly from it at the planned sample size (1,000 per variant), so the control is not shown to beat it.',
		);
	});

	it('the control still wins when every challenger is significantly worse', () => {
		// control 100/1000 vs 60/1000 twice: z = -3.2969, p = 0.000978 < 0.025 each
		const r = analyze(
			[
				{ variant: 'control', sent: 1000, converted: 100 },
				{ variant: 'b', sent: 1000, converted: 60 },
				{ variant: 'c', sent: 1000, converted: 60 },
			],
			opts,
		);
		expect(r).toMatchObject({ verdict: 'winner', winner: 'control' });
		expect(r.summary).toBe('"control" (control) wins: every significant difference is a drop ("b" 6.00%, "c" 6.00% vs 10.00%).');
	});
});

describe('analyze(): "no difference" does not claim the variants perform alike', () => {
	it('states the lift and its interval, which here reaches past the minimum detectable effect', () => {
		// Baseline 10%, MDE +50%: 686 per variant planned (stats.test.ts), 1,000 reached.
		// 100/1000 vs 125/1000, by hand: pooled 0.1125, SE = sqrt(0.1125·0.8875·0.002) = 0.0141310, z = 1.7691, p = 0.0769 (not significant).
		// MOVER-R Wilson interval of the ratio (Donner & Zou 2012, original form, z = 1.959964):
		//   Wilson 100/1000 = (0.0829094, 0.1201520), 125/1000 = (0.1059262, 0.1469438)
		//   R_L = (p1p2 - sqrt((p1p2)² - l2(2p2 - l2)·u1(2p1 - u1))) / (u1(2p1 - u1)) = 0.976017 → -2.40%
		//   R_U = (p1p2 + sqrt((p1p2)² - u2(2p2 - u2)·l1(2p1 - l1))) / (l1(2p1 - l1)) = 1.600704 → +60.07%
		// (Katz's log interval gives -2.45% to +60.17%.) The upper limit is past +50%: "alike within 50%" was false.
		const r = analyze([{ variant: 'control', sent: 1000, converted: 100 }, { variant: 'recos', sent: 1000, converted: 125 }], { control: 'control', baselineRate: 0.1, mde: 0.5 });
		const recos = r.variants[1];
		expect(recos.p_value).toBeCloseTo(0.0769, 4);
		expect(recos.rel_lift_ci![0]).toBeCloseTo(-0.023983, 5);
		expect(recos.rel_lift_ci![1]).toBeCloseTo(0.600704, 5);
		expect(r.verdict).toBe('no_difference');
		expect(r.summary).not.toContain('perform alike within');
		expect(r.summary).toBe(
			'No significant difference in conversion rate at the planned sample size (686 per variant): "recos" +25.00% relative (95% interval -2.40% to +60.07%). ' +
				'The plan detects a 50.00% relative change with 80% power; a smaller one may go unnoticed, so this does not show the variants perform alike.' +
				// 1,000 is past 1.1 × 686 planned (past_plan): the verdict holds for one decision at the plan
				' The smallest group has 1,000 recipients, past the 686 planned: a verdict\'s error rates hold for one decision (a single analysis of a campaign sent once is that decision). ' +
				'If this experiment was analysed at or past its plan before, keep that first decision: deciding again at each later analysis raises the chance of a false winner.',
		);
	});
});

describe('analyze(): "no difference" claims no power the plan does not have', () => {
	// Baseline 10%, MDE +50%, alpha 0.05, power 0.8: 686 per variant needed (stats.test.ts), but the
	// user planned 100. 10/100 vs 12/100, by hand: pooled 0.11, SE = sqrt(0.11·0.89·0.02) = 0.044249,
	// z = 0.452, p = 0.65 (not significant; expected counts 11 and 89, so the z-test).
	const rows = [
		{ variant: 'control', sent: 100, converted: 10 },
		{ variant: 'b', sent: 100, converted: 12 },
	];

	it('a Planned Recipients per Variant below the required size is said to be below it, not to detect the MDE with 80% power', () => {
		const r = analyze(rows, { control: 'control', baselineRate: 0.1, mde: 0.5, plannedPerVariant: 100 });
		expect(r.required_per_variant).toBe(686);
		expect(r.verdict).toBe('no_difference');
		expect(r.summary).not.toContain('The plan detects');
		expect(r.summary).toContain(
			'The 100 planned per variant are fewer than the 686 needed to detect a 50.00% relative change with 80% power, so even a change of that size may go unnoticed; this does not show the variants perform alike.',
		);
	});

	it('while still collecting, the planned count is not said to detect the MDE with 80% power either', () => {
		const r = analyze([rows[0], { variant: 'b', sent: 50, converted: 6 }], { control: 'control', baselineRate: 0.1, mde: 0.5, plannedPerVariant: 100 });
		expect(r.verdict).toBe('needs_more_data');
		expect(r.summary).toBe(
			'Not enough data yet: "b" has 50 of the 100 recipients planned per variant (fewer than the 686 needed to detect a 50.00% relative change of a 10.00% conversion rate with 80% power). Send to 50 more per variant before deciding.',
		);
	});
});
