/**
 * A/B Experiment Analyze, statistics review: Expected Split with a holdout, a variant not mailed
 * yet under Expected Split, analyses well past the plan, and the sample size for unequal groups.
 * Expected values: scipy.stats.chisquare / chi2 / norm (scipy 1.17) and hand computation, never
 * this code's own output.
 */
import { analyze, PAST_PLAN_FACTOR } from '../../../nodes/engines/experiment/analyze';
import { assign } from '../../../nodes/engines/experiment/assign';
import { sampleSizePerGroup, sampleSizeUnequal } from '../../../nodes/engines/experiment/stats';

/** 100,000 customers through the real Assign: control 50 / treatment 50 with a 10% holdout. */
function assigned(): Record<string, number> {
	const config = { experimentId: 'exp-1', variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }], holdoutPercent: 10 };
	const counts: Record<string, number> = {};
	for (let i = 0; i < 100_000; i++) {
		const { variant } = assign(`cust-${i}`, config);
		counts[variant] = (counts[variant] ?? 0) + 1;
	}
	return counts;
}

describe('analyze(): Expected Split with a holdout reads its entry as Assign\'s Holdout %', () => {
	const counts = assigned();
	// every customer mailed (or held out) as assigned; a 3% conversion rate in each group
	const rows = Object.entries(counts).map(([variant, sent]) => ({ variant, sent, converted: Math.round(sent * 0.03) }));
	const incremental = { control: 'holdout', exclude: [], plannedPerVariant: 100 };

	it('the documented split (control:50, treatment:50, holdout:10) of a correct run is no sample ratio mismatch', () => {
		// the input: Assign's own split of these ids (SHA-256, deterministic)
		expect(counts).toEqual({ holdout: 9944, control: 45151, treatment: 44905 });
		const r = analyze(rows, { ...incremental, expectedSplit: { control: 50, treatment: 50, holdout: 10 } });
		// Assign gives 10% / 45% / 45%, not 10/110 = 9.09% and 45.45% (before: chi-square 88.7, p = 5.4e-20)
		expect(r.sample_ratio!.expected_shares.holdout).toBeCloseTo(0.1, 12);
		expect(r.sample_ratio!.expected_shares.control).toBeCloseTo(0.45, 12);
		expect(r.sample_ratio!.expected_shares.treatment).toBeCloseTo(0.45, 12);
		// scipy.stats.chisquare([9944, 45151, 44905], [10000, 45000, 45000]): 1.0208444, p = 0.6002421
		expect(r.sample_ratio!.chi_square).toBeCloseTo(1.0208444444444444, 9);
		expect(r.sample_ratio!.p_value).toBeCloseTo(0.6002420897526681, 6);
		expect(r.sample_ratio!.mismatch).toBe(false);
		expect(r.verdict).not.toBe('sample_ratio_mismatch');
	});

	it('the true shares (control:45, treatment:45, holdout:10) give the same check', () => {
		const r = analyze(rows, { ...incremental, expectedSplit: { control: 45, treatment: 45, holdout: 10 } });
		expect(r.sample_ratio!.chi_square).toBeCloseTo(1.0208444444444444, 9);
	});

	it('a split that is really broken (4,905 of treatment\'s sends lost) is still a mismatch', () => {
		const broken = rows.map((row) => (row.variant === 'treatment' ? { ...row, sent: 40000, converted: 1200 } : row));
		const r = analyze(broken, { ...incremental, expectedSplit: { control: 50, treatment: 50, holdout: 10 } });
		// scipy.stats.chisquare([9944, 45151, 40000], 95095 · [.1, .45, .45]): 332.07382, p = 7.78e-73
		expect(r.sample_ratio!.chi_square).toBeCloseTo(332.0738150738151, 6);
		expect(r.sample_ratio!.p_value / 7.781929005880206e-73).toBeCloseTo(1, 4);
		expect(r.verdict).toBe('sample_ratio_mismatch');
	});

	it('a mailed variant left out of the comparison still takes its part of the split', () => {
		// holdout vs treatment only: 10% and 45% of all customers, i.e. 10/55 and 45/55 of these two
		const r = analyze(rows, { ...incremental, exclude: ['control'], expectedSplit: { control: 50, treatment: 50, holdout: 10 } });
		expect(r.sample_ratio!.expected_shares.holdout).toBeCloseTo(10 / 55, 12);
		// scipy.stats.chisquare([9944, 44905], 54849 · [10/55, 45/55]): 0.0998661, p = 0.75199
		expect(r.sample_ratio!.chi_square).toBeCloseTo(0.09986609702192369, 9);
		expect(r.sample_ratio!.p_value).toBeCloseTo(0.7519903820443645, 6);
	});

	it('a holdout excluded (the default) leaves the split of the mailed variants as before', () => {
		const r = analyze(rows, { control: 'control', exclude: ['holdout'], plannedPerVariant: 100, expectedSplit: { control: 50, treatment: 50, holdout: 10 } });
		expect(r.sample_ratio!.expected_shares).toEqual({ control: 0.5, treatment: 0.5 });
	});

	it('a holdout entry of 100 or more is refused: it is a percentage of all customers', () => {
		expect(() => analyze(rows, { ...incremental, expectedSplit: { control: 50, treatment: 50, holdout: 100 } })).toThrow(/holdout's entry is its percentage of all customers.*holdout:100/);
	});
});

describe('analyze(): Expected Split while a variant has no recipients yet', () => {
	it('a variant not mailed yet (sent 0) waits: needs_more_data, no sample ratio check yet', () => {
		const r = analyze(
			[
				{ variant: 'control', sent: 2000, converted: 100 },
				{ variant: 'treatment', sent: 0, converted: 0 },
			],
			{ expectedSplit: { control: 50, treatment: 50 } },
		);
		// before: sample_ratio_mismatch, "recipients were lost", chi-square 2000, "p = 0.0"
		expect(r.verdict).toBe('needs_more_data');
		expect(r.sample_ratio).toBeUndefined();
		expect(r.summary).not.toMatch(/lost/);
		expect(r.summary).toMatch(/The sample ratio \(Expected Split\) is checked once every variant has recipients\./);
	});

	it('a p-value that underflows to 0 is printed as "p < 1e-300", not "p = 0.0"', () => {
		// 100,000 and 1,000 on a 50:50 split: chi-square 97,039.6, p = 10^-21074 (scipy.stats.norm.logsf)
		const r = analyze(
			[
				{ variant: 'control', sent: 100000, converted: 5000 },
				{ variant: 'treatment', sent: 1000, converted: 50 },
			],
			{ expectedSplit: { control: 50, treatment: 50 }, plannedPerVariant: 100 },
		);
		expect(r.verdict).toBe('sample_ratio_mismatch');
		expect(r.sample_ratio!.chi_square).toBeCloseTo(97039.60396039604, 6);
		expect(r.summary).toContain('p < 1e-300');
		expect(r.summary).not.toContain('p = 0.0');
	});
});

describe('analyze(): an analysis well past the plan says that the verdict holds for one decision', () => {
	// 100/1000 vs 150/1000: z-test p = 0.000723 (README; scipy chi2_contingency without correction)
	const rows = (sent: number, c1: number, c2: number) => [
		{ variant: 'control', sent, converted: c1 },
		{ variant: 'b', sent, converted: c2 },
	];

	it('at the plan: no flag, the summary as before', () => {
		const r = analyze(rows(1000, 100, 150), { plannedPerVariant: 1000 });
		expect(r.verdict).toBe('winner');
		expect(r.past_plan).toBe(false);
		expect(r.summary).not.toContain('past the');
	});

	it(`1.1 (PAST_PLAN_FACTOR = ${PAST_PLAN_FACTOR}) × the plan or more: past_plan, the same verdict, and the summary says a repeated decision raises false winners`, () => {
		const r = analyze(rows(1000, 100, 150), { plannedPerVariant: 909 });
		expect(r.verdict).toBe('winner');
		expect(r.winner).toBe('b');
		expect(r.past_plan).toBe(true);
		expect(r.summary).toContain(
			'The smallest group has 1,000 recipients, past the 909 planned: a verdict\'s error rates hold for one decision (a single analysis of a campaign sent once is that decision). ' +
				'If this experiment was analysed at or past its plan before, keep that first decision: deciding again at each later analysis raises the chance of a false winner.',
		);
		// also on no_difference (100/1000 vs 110/1000 does not differ)
		const alike = analyze(rows(1000, 100, 110), { plannedPerVariant: 500 });
		expect(alike.verdict).toBe('no_difference');
		expect(alike.past_plan).toBe(true);
		expect(alike.summary).toContain('deciding again at each later analysis raises the chance of a false winner');
	});

	it('below the plan, past_plan is false', () => {
		expect(analyze(rows(1000, 100, 150), { plannedPerVariant: 2000 }).past_plan).toBe(false);
	});
});

describe('analyze(): the sample size for the unequal groups of the Expected Split', () => {
	// p1 = 5% → p2 = 5.5%, alpha 0.05 two-sided, power 0.8. Fleiss, Tytun & Ury (1980) without the
	// continuity correction, computed by hand with scipy.stats.norm.ppf:
	//   ratio 1:   31,233.44 → 31,234 per group (Fleiss 4.14)
	//   ratio 4.5: pbar = (0.05 + 4.5 · 0.055) / 5.5 = 0.0540909;
	//   n1 = (1.959964 · sqrt(pbar(1 - pbar)(1 + 1/4.5)) + 0.841621 · sqrt(0.0475 + 0.051975/4.5))² / 0.005² = 19,301.23 → 19,302
	// and the power of the pooled z-test at 19,302 / 86,859 is 0.80002 (normal approximation; a
	// simulation of 20,000 experiments: 0.801). At 31,234 / 140,553 it was 0.947.
	it('stats: the unequal-group formula, and ratio 1 gives Fleiss 4.14', () => {
		expect(sampleSizeUnequal(0.05, 0.055, 4.5)).toBeCloseTo(19301.226, 2);
		expect(sampleSizeUnequal(0.05, 0.055, 1)).toBeCloseTo(31233.438, 2);
		expect(Math.ceil(sampleSizeUnequal(0.1, 0.15, 1))).toBe(sampleSizePerGroup(0.1, 0.15));
		// 10% → 15% with twice as many in group 2: 525.33 (by hand, as above)
		expect(sampleSizeUnequal(0.1, 0.15, 2)).toBeCloseTo(525.332, 2);
	});

	it('holdout as control at 1:4.5: the holdout needs 19,302, the mailed variant 86,859 (not 31,234 each)', () => {
		const r = analyze(
			[
				{ variant: 'holdout', sent: 5000, converted: 250 },
				{ variant: 'treatment', sent: 22500, converted: 1200 },
			],
			{ control: 'holdout', exclude: [], baselineRate: 0.05, mde: 0.1, expectedSplit: { control: 50, treatment: 50, holdout: 10 } },
		);
		expect(r.required_per_variant).toBe(19302);
		expect(r.required_by_variant).toEqual({ holdout: 19302, treatment: 86859 });
		expect(r.planned_per_variant).toBe(19302);
		expect(r.needed_more_per_variant).toBe(14302);
		expect(r.verdict).toBe('needs_more_data');
		expect(r.summary).toMatch(/^Not enough data yet: "holdout" has 5,000 of the 19,302 recipients planned for the smallest group \(to detect a 10\.00% relative change of a 5\.00% conversion rate with 80% power\)\. /);
		expect(r.summary).toContain('Send to 14,302 more in the smallest group, the others in the proportion of the Expected Split ("holdout" 19,302, "treatment" 86,859 needed), before deciding.');
	});

	it('two mailed variants against the holdout: Bonferroni alpha 0.025 at 1:4.5 each', () => {
		// by hand with z_(1-0.0125) = 2.241403: n1 = 23,410.45 → 23,411; each mailed variant 105,349.5 → 105,350
		const r = analyze(
			[
				{ variant: 'holdout', sent: 5000, converted: 250 },
				{ variant: 'control', sent: 22500, converted: 1200 },
				{ variant: 'treatment', sent: 22500, converted: 1200 },
			],
			{ control: 'holdout', exclude: [], baselineRate: 0.05, mde: 0.1, expectedSplit: { control: 50, treatment: 50, holdout: 10 } },
		);
		expect(r.required_by_variant).toEqual({ holdout: 23411, control: 105350, treatment: 105350 });
		expect(r.required_per_variant).toBe(23411);
	});

	it('an equal split keeps the equal-group plan and has no required_by_variant', () => {
		const r = analyze(
			[
				{ variant: 'control', sent: 500, converted: 50 },
				{ variant: 'b', sent: 500, converted: 60 },
			],
			{ baselineRate: 0.1, mde: 0.5, expectedSplit: { control: 50, b: 50 } },
		);
		expect(r.required_per_variant).toBe(686);
		expect(r.required_by_variant).toBeUndefined();
	});
});
