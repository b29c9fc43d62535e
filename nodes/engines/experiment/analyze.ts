/**
 * A/B analysis from counts per variant (or from engagement events aggregated here):
 * rates, lift vs control with confidence intervals, two-proportion z-test, the sample size
 * the test needs, a peeking guard and a plain-language verdict.
 *
 * With more than one challenger, each is compared to the control at alpha / (variants - 1)
 * (Bonferroni), so running more variants does not inflate false winners.
 *
 * Small counts: the z-test relies on the normal approximation, trusted only when every expected
 * count of the comparison's 2x2 table (converted / not converted per variant) is at least 5 (the
 * rule R's chisq.test and prop.test warn on; see `minExpectedCount`). Below that the comparison's
 * p-value is Fisher's exact test instead, it carries a warning, and no winner is declared while
 * any comparison is that small: the verdict stays "needs_more_data". The confidence intervals need
 * no such switch: they are built from Wilson score intervals (Newcombe's hybrid score interval for
 * the difference, MOVER-R for the ratio; see stats.ts), which stay in range and, in the published
 * coverage studies, perform well at small counts and at 0% or 100%: reported as they are, only wide.
 *
 * A control whose rate is 0 gives no relative lift (and no interval for it): every lift from 0 is
 * infinite. The comparison says so in a warning; the absolute lift and its interval still stand.
 *
 * A variant with no recipients yet (sent 0, e.g. not mailed yet) has no rate and no comparison,
 * only a warning; it has not reached the planned sample size, so the verdict waits for it.
 *
 * The A/B holdout (`heldOut`: customers not mailed by design, from ESP Dispatch results with
 * `heldOutAt`) is compared on conversions under the attribution window only: it has no opens or
 * clicks, and no order is attributed to an email it never got. As the control it measures the
 * incremental lift of mailing (the report marks it `is_holdout` and says so in the summary).
 * Compared with the holdout, a mailed variant's recipients include those whose send failed
 * (intention to treat, see aggregateEvents), `attempted_not_sent` on its row.
 */
import { timeFromIso } from '../events/isoDate';
import { DEFAULT_HOLDOUT_NAME } from './assign';
import { chiSquareSurvival, diffInterval, fisherExactTwoSided, MIN_EXPECTED_COUNT, minExpectedCount, relativeLiftInterval, sampleSizePerGroup, sampleSizeUnequal, twoProportionZTest } from './stats';

export type Metric = 'opened' | 'clicked' | 'converted';

export interface VariantCounts {
	variant: string;
	sent: number;
	opened?: number;
	clicked?: number;
	converted?: number;
}

export interface AnalyzeOptions {
	metric?: Metric;
	/** Name of the control variant. Default: the first variant. */
	control?: string;
	/** Significance level. Default 0.05. */
	alpha?: number;
	/** Power for the sample size. Default 0.8. */
	power?: number;
	/** Minimum detectable effect, relative to the baseline rate (0.1 = +10%). Default 0.1. */
	mde?: number;
	/** Baseline rate planned for; default the control's observed rate. */
	baselineRate?: number;
	/** Planned recipients per variant; default the required sample size. */
	plannedPerVariant?: number;
	/** Variants left out of the analysis (e.g. the holdout). */
	exclude?: string[];
	/** Caveats to add to a variant's warnings (from aggregateEvents). */
	variantWarnings?: Record<string, string[]>;
	/**
	 * Variants of customers held out by design (the A/B holdout, AggregatedEvents.heldOut): when
	 * compared, only the conversion rate under the attribution window is allowed.
	 */
	heldOut?: string[];
	/**
	 * With a holdout compared (AggregatedEvents.attemptedNotSent, intention to treat): per mailed
	 * variant, its recipients counted only through a failed send; shown on its row as
	 * `attempted_not_sent`, and their total in the summary.
	 */
	attemptedNotSent?: Record<string, number>;
	/** How the events' orders were counted (with heldOut). Default 'attributed'. */
	orderAttribution?: OrderAttribution['mode'];
	/**
	 * The split the variants were assigned with, as in A/B Experiment Assign: each variant's weight
	 * (Variants), and for the holdout (the variant `holdout`, or one in `heldOut`) its percentage of
	 * all customers (Holdout %), the others sharing the rest by their weights. `sent` is checked
	 * against it (sample ratio mismatch), and the sample size is planned for its group sizes. Every
	 * compared variant needs a weight above 0; with a holdout compared, list every variant of Assign
	 * (a mailed variant left out of the comparison still takes its share); otherwise weights of
	 * variants not compared are ignored.
	 */
	expectedSplit?: Record<string, number>;
}

/**
 * A sample ratio mismatch is declared at p below this (Fabijan et al., "Diagnosing Sample Ratio
 * Mismatch in Online Controlled Experiments", KDD 2019, use 0.0005; Kohavi, Tang & Xu, "Trustworthy
 * Online Controlled Experiments", 2020, ch. 21, a "very low" p-value such as 0.001): the test runs on
 * every analysis, so its threshold is far below the usual 0.05 to keep false alarms rare.
 */
export const SRM_THRESHOLD = 0.001;

/**
 * `past_plan` is set when the smallest group holds at least this many times the planned recipients:
 * the verdict's error rates hold for one decision at the plan, and an analysis this far past it is
 * likely one more look (e.g. a scheduled re-analysis) rather than the first.
 */
export const PAST_PLAN_FACTOR = 1.1;

/** A p-value for a summary: two significant digits; one that underflowed to 0 as "< 1e-300". */
export const fmtP = (p: number): string => (p < 1e-300 ? 'p < 1e-300' : `p = ${p.toPrecision(2)}`);

/** The sample ratio check (Pearson's chi-squared goodness of fit of `sent` to the expected split). */
export interface SampleRatioReport {
	/**
	 * Each compared variant's share of the recipients as planned: its weight over the compared
	 * variants' weights; with a holdout compared, the holdout's percentage of all customers and the
	 * others' part of the rest, over the compared variants' shares.
	 */
	expected_shares: Record<string, number>;
	observed_shares: Record<string, number>;
	chi_square: number;
	/** variants - 1 */
	degrees_of_freedom: number;
	p_value: number;
	/** p_value < SRM_THRESHOLD: the split is not what was assigned, and the comparison cannot be trusted. */
	mismatch: boolean;
}

export interface VariantReport {
	variant: string;
	is_control: boolean;
	sent: number;
	opened: number | null;
	clicked: number | null;
	converted: number | null;
	open_rate: number | null;
	click_rate: number | null;
	conversion_rate: number | null;
	/** Rate of the analysed metric; null when the variant has no recipients yet (sent 0). */
	rate: number | null;
	abs_lift: number | null;
	/** Newcombe's hybrid score interval of abs_lift (challenger rate minus control rate). */
	abs_lift_ci: [number, number] | null;
	/** p2/p1 - 1; null when the control's rate is 0 (no ratio to a rate of 0). */
	rel_lift: number | null;
	/** MOVER-R Wilson interval of rel_lift; null when rel_lift is. */
	rel_lift_ci: [number, number] | null;
	z: number | null;
	p_value: number | null;
	chi_square: number | null;
	/**
	 * Test that gave p_value: "z" (two-proportion z-test), or "fisher_exact" when an expected
	 * count is below 5; null for the control and for a comparison without data.
	 */
	test: 'z' | 'fisher_exact' | null;
	/** Smallest expected count of the comparison's 2x2 table (the normal approximation needs 5). */
	min_expected_count: number | null;
	significant: boolean | null;
	/** Plain-language caveats: no recipients yet, too few conversions for the z-test, a control rate of 0. */
	warnings: string[];
	/** Present (true) only on a held-out variant (AnalyzeOptions.heldOut): customers who got no email. */
	is_holdout?: true;
	/**
	 * Present only with AnalyzeOptions.attemptedNotSent (a holdout compared): the recipients in
	 * `sent` whose send was tried but failed, counted by intention to treat.
	 */
	attempted_not_sent?: number;
}

export type Verdict = 'winner' | 'tie' | 'no_difference' | 'needs_more_data' | 'sample_ratio_mismatch';

export interface AnalysisReport {
	metric: Metric;
	control: string;
	alpha: number;
	/** alpha after the Bonferroni correction. */
	alpha_per_comparison: number;
	power: number;
	mde: number;
	/** null when the control has no recipients yet and no baseline rate was set. */
	baseline_rate: number | null;
	required_per_variant: number | null;
	planned_per_variant: number | null;
	planned_reached: boolean;
	/** Recipients still needed per variant to reach the plan (0 when reached). */
	needed_more_per_variant: number;
	/**
	 * Only with an Expected Split of unequal groups (e.g. a holdout as the control): the recipients
	 * each variant needs for the stated power, the groups in the split's proportion
	 * (required_per_variant is the smallest group's).
	 */
	required_by_variant?: Record<string, number>;
	/**
	 * The smallest group holds at least PAST_PLAN_FACTOR times the planned recipients: the verdict's
	 * error rates hold for one decision at the plan; deciding again at every later analysis raises
	 * the chance of a false winner (the summary says so).
	 */
	past_plan: boolean;
	verdict: Verdict;
	winner: string | null;
	/** Only with verdict 'tie': the significantly better challengers sharing the best rate, by name. */
	tied_winners?: string[];
	/** Only with AnalyzeOptions.expectedSplit (and recipients): the sample ratio check. */
	sample_ratio?: SampleRatioReport;
	summary: string;
	variants: VariantReport[];
}

export class AnalyzeError extends Error {}

const fmtPct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const fmtInt = (x: number): string => Math.round(x).toLocaleString('en-US');
const metricLabels = { opened: 'open rate', clicked: 'click rate', converted: 'conversion rate' } as const;
/** What the metric counts, in the plural. */
const outcome = { opened: 'opens', clicked: 'clicks', converted: 'conversions' } as const;

export function analyze(rows: VariantCounts[], options: AnalyzeOptions = {}): AnalysisReport {
	const metric = options.metric ?? 'converted';
	const alpha = options.alpha ?? 0.05;
	const power = options.power ?? 0.8;
	const mde = options.mde ?? 0.1;
	if (!(alpha > 0 && alpha < 0.5)) throw new AnalyzeError('Significance level must be between 0 and 0.5');
	if (!(power > 0 && power < 1)) throw new AnalyzeError('Power must be between 0 and 1');
	if (!(mde > 0)) throw new AnalyzeError('Minimum detectable effect must be above 0');
	if (options.baselineRate !== undefined && !(options.baselineRate > 0 && options.baselineRate < 1)) throw new AnalyzeError(`Baseline rate must be between 0 and 100% (exclusive), got ${options.baselineRate * 100}%`);
	// a plan of 0 (or less) recipients would let every first look decide: no peeking guard at all
	if (options.plannedPerVariant !== undefined && !(options.plannedPerVariant >= 1)) throw new AnalyzeError(`Planned recipients per variant must be at least 1, got ${options.plannedPerVariant}`);
	const metricLabel = metricLabels[metric];
	const exclude = new Set(options.exclude ?? []);
	const merged = new Map<string, VariantCounts>();
	// counts some rows of a variant lack: a sum over the other rows divided by every row's sent
	// would be a wrong rate
	const partial = new Map<string, Set<'opened' | 'clicked' | 'converted'>>();
	for (const row of rows) {
		if (exclude.has(row.variant)) continue;
		// each row on its own: a row with more conversions than sends must not hide in the sum
		const x = row[metric];
		if (x !== undefined && row.sent >= 0 && !(x >= 0 && x <= row.sent)) throw new AnalyzeError(`Variant "${row.variant}": ${metric} (${x}) must be between 0 and sent (${row.sent})`);
		const m = merged.get(row.variant) ?? { variant: row.variant, sent: 0 };
		const missing = partial.get(row.variant) ?? new Set();
		m.sent += row.sent;
		for (const k of ['opened', 'clicked', 'converted'] as const) {
			if (row[k] === undefined) missing.add(k);
			else m[k] = (m[k] ?? 0) + (row[k] as number);
		}
		merged.set(row.variant, m);
		partial.set(row.variant, missing);
	}
	for (const [name, missing] of partial) {
		const m = merged.get(name)!;
		for (const k of missing) {
			// missing on every row: no such count; missing on some: unknown
			if (m[k] === undefined) continue;
			if (k === metric) throw new AnalyzeError(`Variant "${name}": some of its rows have no "${metric}" count`);
			delete m[k];
		}
	}
	const heldOut = new Set(options.heldOut ?? []);
	const comparedHoldouts = [...merged.keys()].filter((name) => heldOut.has(name));
	if (comparedHoldouts.length > 0) {
		const named = comparedHoldouts.map((name) => `"${name}"`).join(', ');
		const leaveOut = `or add ${named} to Exclude Variants to leave the holdout out`;
		if (metric !== 'converted')
			throw new AnalyzeError(
				`Variant ${named} is the A/B holdout: its customers get no email, so they have no opens or clicks by design, and the ${metricLabel} cannot be compared with theirs. ` +
					`Compare it on the conversion rate (Metric = Conversion Rate, with Count Orders As Conversions = "Any Order by a Recipient Within the Attribution Window"), ${leaveOut}`,
			);
		if ((options.orderAttribution ?? 'attributed') !== 'window')
			throw new AnalyzeError(
				`Variant ${named} is the A/B holdout: its customers get no email, so no order is attributed to one and it can never convert when only orders attributed to the email count. ` +
					`Set Count Orders As Conversions to "Any Order by a Recipient Within the Attribution Window" (a held-out customer's orders then count within the window after heldOutAt), ${leaveOut}`,
			);
	}
	const variants = [...merged.values()];
	if (variants.length < 2) throw new AnalyzeError(`Need at least two variants to compare, got ${variants.length}`);
	for (const v of variants) {
		// sent 0 (a variant not mailed yet) is no data, reported as such; below 0 is an error
		if (!(v.sent >= 0)) throw new AnalyzeError(`Variant "${v.variant}": sent must be 0 or more`);
		const x = v[metric];
		if (x === undefined) throw new AnalyzeError(`Variant "${v.variant}" has no "${metric}" count`);
		if (!(x >= 0 && x <= v.sent)) throw new AnalyzeError(`Variant "${v.variant}": ${metric} (${x}) must be between 0 and sent (${v.sent})`);
	}
	const controlName = options.control && options.control !== '' ? options.control : variants[0].variant;
	const control = merged.get(controlName);
	if (!control)
		throw new AnalyzeError(
			`Control variant "${controlName}" is not in the data (variants: ${variants.map((v) => v.variant).join(', ')})` +
				(exclude.has(controlName) ? `: it is in Exclude Variants; remove it from there to compare with it` : ''),
		);
	const challengers = variants.filter((v) => v !== control);
	const alphaAdj = alpha / challengers.length;
	const confidence = 1 - alphaAdj;
	const x1 = control[metric] as number;
	const n1 = control.sent;
	const controlHasData = n1 > 0;

	// the holdout's entry in Expected Split is its percentage of all customers, as Assign's Holdout %
	const holdoutNames = new Set([DEFAULT_HOLDOUT_NAME, ...heldOut]);
	const shares = options.expectedSplit ? expectedShares(variants, options.expectedSplit, holdoutNames) : undefined;
	const unequal = shares !== undefined && variants.some((v) => shares[v.variant] !== shares[controlName]);

	const baseline = options.baselineRate ?? (controlHasData ? x1 / n1 : null);
	let required: number | null = null;
	let requiredByVariant: Record<string, number> | undefined;
	if (baseline !== null && baseline > 0 && baseline * (1 + mde) < 1) {
		if (!unequal) required = sampleSizePerGroup(baseline, baseline * (1 + mde), alphaAdj, power);
		else {
			// unequal groups (e.g. a small holdout as the control): the control's size each comparison
			// needs with its challenger at the split's ratio; the largest of them, the others in proportion
			const controlShare = shares[controlName];
			const controlNeeds = Math.ceil(Math.max(...challengers.map((v) => sampleSizeUnequal(baseline, baseline * (1 + mde), shares[v.variant] / controlShare, alphaAdj, power))));
			requiredByVariant = Object.fromEntries(variants.map((v) => [v.variant, v === control ? controlNeeds : Math.ceil(controlNeeds * (shares[v.variant] / controlShare) - 1e-9)]));
			// the smallest group decides when the plan is reached
			required = Math.min(...Object.values(requiredByVariant));
		}
	}
	const planned = options.plannedPerVariant ?? required;
	const minSent = Math.min(...variants.map((v) => v.sent));
	const plannedReached = planned !== null && minSent >= planned;
	const neededMore = planned === null ? 0 : Math.max(0, planned - minSent);
	const pastPlan = planned !== null && minSent >= PAST_PLAN_FACTOR * planned;

	const rate = (v: VariantCounts, k: Metric): number | null => (v[k] === undefined || v.sent === 0 ? null : (v[k] as number) / v.sent);
	const noData = `No recipients yet (sent 0), so no ${metricLabel} and no comparison.`;
	const reports: VariantReport[] = variants.map((v) => {
		const base = {
			variant: v.variant,
			is_control: v === control,
			sent: v.sent,
			opened: v.opened ?? null,
			clicked: v.clicked ?? null,
			converted: v.converted ?? null,
			open_rate: rate(v, 'opened'),
			click_rate: rate(v, 'clicked'),
			conversion_rate: rate(v, 'converted'),
			rate: rate(v, metric),
		};
		const none = { abs_lift: null, abs_lift_ci: null, rel_lift: null, rel_lift_ci: null, z: null, p_value: null, chi_square: null, test: null, min_expected_count: null, significant: null };
		if (v === control) return { ...base, ...none, warnings: v.sent === 0 ? [noData] : [] };
		if (v.sent === 0) return { ...base, ...none, warnings: [noData] };
		if (!controlHasData) return { ...base, ...none, warnings: [`No comparison: the control "${controlName}" has no recipients yet (sent 0).`] };
		const x2 = v[metric] as number;
		const test = twoProportionZTest(x1, n1, x2, v.sent);
		const minExpected = minExpectedCount(x1, n1, x2, v.sent);
		const small = minExpected < MIN_EXPECTED_COUNT;
		const pValue = small ? fisherExactTwoSided(x1, n1, x2, v.sent) : test.pValue;
		return {
			...base,
			abs_lift: test.diff,
			abs_lift_ci: diffInterval(x1, n1, x2, v.sent, confidence),
			rel_lift: x1 > 0 ? test.p2 / test.p1 - 1 : null,
			rel_lift_ci: relativeLiftInterval(x1, n1, x2, v.sent, confidence),
			z: test.z,
			p_value: pValue,
			chi_square: test.chiSquare,
			test: small ? ('fisher_exact' as const) : ('z' as const),
			min_expected_count: minExpected,
			// p <= alpha rejects, as statsmodels' multipletests and a test of level alpha do
			significant: pValue <= alphaAdj,
			warnings: [
				...(small
					? [
							`Too few ${outcome[metric]} to compare "${v.variant}" with "${controlName}" reliably: the smallest expected count is ${minExpected.toFixed(1)}, ` +
								`the usual rule needs at least ${MIN_EXPECTED_COUNT} ${outcome[metric]} and ${MIN_EXPECTED_COUNT} non-${outcome[metric]} expected per variant. ` +
								`The p-value is from Fisher's exact test; the confidence intervals (from Wilson score intervals) allow for small counts, so expect them to be wide. ` +
								`This comparison cannot pick a winner until more recipients have been mailed.`,
						]
					: []),
				...(x1 === 0
					? [`No relative lift: the control "${controlName}" has a ${metricLabel} of 0, and a change from 0 has no finite ratio. abs_lift and its interval still compare the two.`]
					: []),
			],
		};
	});

	const significant = reports.filter((r) => r.significant);
	const better = significant.filter((r) => (r.abs_lift as number) > 0).sort((a, b) => (b.rate as number) - (a.rate as number));
	// significantly better challengers with exactly the best rate: the input order must not pick one
	// (equal fractions divide to the same double, so === is exact)
	const tied = better.filter((r) => r.rate === better[0]?.rate).map((r) => r.variant);
	tied.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
	const tooSmall = reports.filter((r) => r.test === 'fisher_exact');
	// checked once every compared variant has recipients: a variant not mailed yet (sent 0, e.g. a
	// staged send) is no lost recipients, and the verdict waits for it (needs_more_data)
	const notMailed = variants.some((v) => v.sent === 0);
	const sampleRatio = shares && !notMailed ? sampleRatioCheck(variants, shares) : undefined;
	let verdict: Verdict;
	let winner: string | null = null;
	let summary: string;
	if (sampleRatio?.mismatch) {
		// a split unlike the assigned one means something removed or added recipients in one variant
		// (failed sends, a filter, a bug): any difference may come from that, so nothing is decided
		verdict = 'sample_ratio_mismatch';
		summary =
			`Sample ratio mismatch: the recipients per variant (${variants.map((v) => `"${v.variant}" ${fmtInt(v.sent)}, ${fmtPct(sampleRatio.observed_shares[v.variant])}`).join('; ')}) ` +
			`differ from the assigned split (${variants.map((v) => `${fmtPct(sampleRatio.expected_shares[v.variant])}`).join(', ')}) more than chance explains ` +
			`(chi-square ${sampleRatio.chi_square.toFixed(2)}, ${fmtP(sampleRatio.p_value)}, below ${SRM_THRESHOLD}). ` +
			`Some recipients of one variant were lost or added (failed or suppressed sends, a filter after Assign, missing events), so the rates cannot be compared: find the cause before deciding.`;
	} else if (planned === null) {
		verdict = 'needs_more_data';
		summary =
			baseline === null
				? `The control "${controlName}" has no recipients yet, so there is no baseline to plan a sample size; send to it, or set a baseline rate or a planned sample size.`
				: baseline > 0
					? `A ${fmtPct(mde)} relative change of a ${fmtPct(baseline)} ${metricLabel} would exceed 100%, so no sample size can be planned; lower the minimum detectable effect or set a planned sample size, and keep sending.`
					: `The control's ${metricLabel} is ${fmtPct(baseline)}, so no sample size can be planned yet; set a baseline rate or a planned sample size, and keep sending.`;
	} else if (!plannedReached) {
		verdict = 'needs_more_data';
		const smallest = variants.find((v) => v.sent === minSent)!;
		summary =
			`Not enough data yet: "${smallest.variant}" has ${fmtInt(minSent)} of the ${fmtInt(planned)} recipients planned ${requiredByVariant ? 'for the smallest group' : 'per variant'}` +
			// a Planned Recipients per Variant below the required size does not have the power: say so
			(baseline !== null && required !== null
				? ` (${planned >= required ? 'to detect' : `fewer than the ${fmtInt(required)} needed to detect`} a ${fmtPct(mde)} relative change of a ${fmtPct(baseline)} ${metricLabel} with ${Math.round(power * 100)}% power). `
				: '. ') +
			(requiredByVariant
				? `Send to ${fmtInt(neededMore)} more in the smallest group, the others in the proportion of the Expected Split (${variants.map((v) => `"${v.variant}" ${fmtInt(requiredByVariant![v.variant])}`).join(', ')} needed), before deciding.`
				: `Send to ${fmtInt(neededMore)} more per variant before deciding.`) +
			(significant.length > 0 ? ' The difference looks significant now, but stopping early (peeking) inflates false winners.' : '') +
			(notMailed && shares ? ' The sample ratio (Expected Split) is checked once every variant has recipients.' : '');
	} else if (tooSmall.length > 0) {
		// the plan is reached but the counts are too small for the normal approximation: no winner
		verdict = 'needs_more_data';
		summary =
			`Inconclusive: too few ${outcome[metric]} to compare ${tooSmall.map((r) => `"${r.variant}"`).join(', ')} with "${controlName}" reliably ` +
			`(fewer than ${MIN_EXPECTED_COUNT} expected per variant; the p-value is from Fisher's exact test). Send to more recipients before deciding.`;
	} else if (tied.length > 1) {
		verdict = 'tie';
		const names = tied.map((name) => `"${name}"`);
		summary =
			`Tie: ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are each significantly better than "${controlName}" (${fmtPct(x1 / n1)}) with the same ${metricLabel} of ${fmtPct(better[0].rate as number)}, so no single winner. ` +
			`They were compared with the control, not with each other: pick one on other grounds, or test them against each other.`;
	} else if (better.length > 0) {
		verdict = 'winner';
		winner = better[0].variant;
		summary = `"${winner}" wins: ${metricLabel} ${fmtPct(better[0].rate as number)} vs ${fmtPct(x1 / n1)} for "${controlName}" (${better[0].rel_lift !== null ? `${better[0].rel_lift >= 0 ? '+' : ''}${fmtPct(better[0].rel_lift)} relative, ` : ''}${fmtP(better[0].p_value as number)}).`;
	} else if (significant.length > 0 && significant.length === challengers.length) {
		// every challenger is significantly worse (at the plan every variant has recipients, so each was compared)
		verdict = 'winner';
		winner = controlName;
		summary = `"${controlName}" (control) wins: every significant difference is a drop (${significant.map((r) => `"${r.variant}" ${fmtPct(r.rate as number)}`).join(', ')} vs ${fmtPct(x1 / n1)}).`;
	} else if (significant.length > 0) {
		// some challengers are significantly worse, the others do not differ from the control: the
		// control beat only the former, so it is no winner over the latter
		verdict = 'no_difference';
		const alike = reports.filter((r) => !r.is_control && !r.significant);
		summary =
			`No winner: ${significant.map((r) => `"${r.variant}" (${fmtPct(r.rate as number)})`).join(', ')} ${significant.length === 1 ? 'is' : 'are'} significantly worse than "${controlName}" (${fmtPct(x1 / n1)}), ` +
			`but ${alike.map((r) => `"${r.variant}" (${fmtPct(r.rate as number)})`).join(', ')} ${alike.length === 1 ? 'does' : 'do'} not differ significantly from it at the planned sample size (${fmtInt(planned)} per variant), so the control is not shown to beat ${alike.length === 1 ? 'it' : 'them'}.`;
	} else {
		verdict = 'no_difference';
		// not significant is no proof of "alike": the interval says how large a change the data still allow
		const signed = (x: number): string => `${x >= 0 ? '+' : ''}${fmtPct(x)}`;
		const level = `${+(confidence * 100).toFixed(2)}%`;
		const lifts = reports
			.filter((r) => !r.is_control)
			.map((r) =>
				r.rel_lift !== null && r.rel_lift_ci !== null
					? `"${r.variant}" ${signed(r.rel_lift)} relative (${level} interval ${signed(r.rel_lift_ci[0])} to ${signed(r.rel_lift_ci[1])})`
					: `"${r.variant}" ${signed(r.abs_lift as number)} absolute (${level} interval ${signed((r.abs_lift_ci as [number, number])[0])} to ${signed((r.abs_lift_ci as [number, number])[1])})`,
			);
		const detect = `a ${fmtPct(mde)} relative change with ${Math.round(power * 100)}% power`;
		// only a plan at or above the required size has that power (a Planned Recipients per Variant may be below it)
		const plan =
			required !== null && planned >= required
				? `The plan detects ${detect}; a smaller one may go unnoticed, so`
				: required !== null
					? `The ${fmtInt(planned)} planned per variant are fewer than the ${fmtInt(required)} needed to detect ${detect}, so even a change of that size may go unnoticed;`
					: `No sample size to detect ${detect} could be computed from the baseline, so the power of the ${fmtInt(planned)} planned per variant is unknown;`;
		summary = `No significant difference in ${metricLabel} at the planned sample size (${fmtInt(planned)} per variant): ${lifts.join(', ')}. ${plan} this does not show the variants perform alike.`;
	}
	if (pastPlan && (verdict === 'winner' || verdict === 'tie' || verdict === 'no_difference'))
		summary +=
			` The smallest group has ${fmtInt(minSent)} recipients, past the ${fmtInt(planned!)} planned: a verdict's error rates hold for one decision (a single analysis of a campaign sent once is that decision). ` +
			`If this experiment was analysed at or past its plan before, keep that first decision: deciding again at each later analysis raises the chance of a false winner.`;
	if (heldOut.has(controlName))
		summary +=
			` The control "${controlName}" is the A/B holdout (customers who got no email): each lift is what mailing added to the conversion rate within the attribution window (incremental lift). ` +
			`The mailed variants are compared with the holdout, not with each other; for that, analyse again with Control Variant = one of them and "${controlName}" in Exclude Variants.`;
	const attempted = options.attemptedNotSent ?? {};
	const attemptedTotal = variants.reduce((sum, v) => sum + (Object.hasOwn(attempted, v.variant) ? attempted[v.variant] : 0), 0);
	if (attemptedTotal > 0)
		summary +=
			` ${fmtInt(attemptedTotal)} ${attemptedTotal === 1 ? 'recipient' : 'recipients'} whose send failed at the provider (failed or unknown, with attemptedAt) ${attemptedTotal === 1 ? 'is' : 'are'} counted in ${attemptedTotal === 1 ? 'its' : 'their'} variant from the attempt (intention to treat: attempted_not_sent), ` +
			`as the holdout keeps the customers whose send would have failed too.`;
	const holdoutWarning = (name: string): string[] =>
		heldOut.has(name) && name !== controlName
			? [`"${name}" is the A/B holdout (customers who got no email): its lift is relative to "${controlName}". For the lift mailing adds (incremental lift), set Control Variant = "${name}".`]
			: [];
	return {
		metric,
		control: controlName,
		alpha,
		alpha_per_comparison: alphaAdj,
		power,
		mde,
		baseline_rate: baseline,
		required_per_variant: required,
		planned_per_variant: planned,
		planned_reached: plannedReached,
		needed_more_per_variant: neededMore,
		...(requiredByVariant ? { required_by_variant: requiredByVariant } : {}),
		past_plan: pastPlan,
		verdict,
		winner,
		...(verdict === 'tie' ? { tied_winners: tied } : {}),
		...(sampleRatio ? { sample_ratio: sampleRatio } : {}),
		summary,
		variants: reports.map((r) => {
			const extra = [...(options.variantWarnings && Object.hasOwn(options.variantWarnings, r.variant) ? options.variantWarnings[r.variant] : []), ...holdoutWarning(r.variant)];
			const held = heldOut.has(r.variant) ? { is_holdout: true as const } : {};
			const tried = Object.hasOwn(attempted, r.variant) ? { attempted_not_sent: attempted[r.variant] } : {};
			return extra.length > 0 || heldOut.has(r.variant) || Object.hasOwn(attempted, r.variant) ? { ...r, ...held, ...tried, warnings: [...r.warnings, ...extra] } : r;
		}),
	};
}

/**
 * Each compared variant's expected share of the recipients from Expected Split. A holdout's entry
 * (a variant in `holdouts`) is its percentage of all customers, as Assign's Holdout %; the other
 * entries are weights that split the rest, as Assign's Variants (every entry with a weight above 0
 * counts, compared or not: a mailed variant left out of the comparison still took its part).
 * The shares are then taken over the compared variants. Without a compared holdout this is each
 * weight over the compared variants' weights, as before.
 */
function expectedShares(variants: VariantCounts[], split: Record<string, number>, holdouts: ReadonlySet<string>): Record<string, number> {
	for (const v of variants) {
		const w = Object.hasOwn(split, v.variant) ? split[v.variant] : undefined;
		if (w === undefined) throw new AnalyzeError(`Expected Split has no weight for variant "${v.variant}": give every compared variant its weight, as in Assign (e.g. control:50, treatment:50)`);
		if (!(Number.isFinite(w) && w > 0)) throw new AnalyzeError(`Expected Split: the weight of variant "${v.variant}" must be a number above 0, got ${w}`);
	}
	const comparedHoldouts = variants.filter((v) => holdouts.has(v.variant));
	const full: Record<string, number> = {};
	if (comparedHoldouts.length === 0) for (const v of variants) full[v.variant] = split[v.variant];
	else {
		const heldPercent = comparedHoldouts.reduce((sum, v) => sum + split[v.variant], 0);
		if (!(heldPercent < 100))
			throw new AnalyzeError(
				`Expected Split: the holdout's entry is its percentage of all customers, as Assign's Holdout % (e.g. control:50, treatment:50, holdout:10), so it must be below 100, got ${comparedHoldouts.map((v) => `${v.variant}:${split[v.variant]}`).join(', ')}`,
			);
		const mailedWeights = Object.entries(split).reduce((sum, [name, w]) => (holdouts.has(name) || !(Number.isFinite(w) && w > 0) ? sum : sum + w), 0);
		for (const v of variants) full[v.variant] = holdouts.has(v.variant) ? split[v.variant] / 100 : ((100 - heldPercent) / 100) * (split[v.variant] / mailedWeights);
	}
	const total = variants.reduce((sum, v) => sum + full[v.variant], 0);
	return Object.fromEntries(variants.map((v) => [v.variant, full[v.variant] / total]));
}

/**
 * Pearson's chi-squared goodness of fit of the variants' `sent` to their expected shares, with
 * variants - 1 degrees of freedom (as scipy.stats.chisquare); undefined when nobody was sent yet.
 */
function sampleRatioCheck(variants: VariantCounts[], shares: Record<string, number>): SampleRatioReport | undefined {
	const total = variants.reduce((sum, v) => sum + v.sent, 0);
	if (total === 0) return undefined;
	let chi = 0;
	const expected: Record<string, number> = {};
	const observed: Record<string, number> = {};
	for (const v of variants) {
		const share = shares[v.variant];
		expected[v.variant] = share;
		observed[v.variant] = v.sent / total;
		chi += (v.sent - total * share) ** 2 / (total * share);
	}
	const p = chiSquareSurvival(chi, variants.length - 1);
	return { expected_shares: expected, observed_shares: observed, chi_square: chi, degrees_of_freedom: variants.length - 1, p_value: p, mismatch: p < SRM_THRESHOLD };
}

/** Engagement events → counts per variant (distinct recipients per stage). */
export interface EngagementEvent {
	event: string;
	variant?: string;
	experiment?: string;
	/**
	 * Every id the event carries for its recipient (e.g. `m:<email_id>`, `u:<userId>`,
	 * `e:<email>`, `a:<anonymousId>`): ids that appear together on one event are one recipient.
	 */
	ids?: string[];
	/**
	 * On an 'Email Opened': the provider flags it as a machine open (SendGrid `sg_machine_open`,
	 * Brevo proxy opens: canonical `properties.machine_open`), e.g. Apple Mail Privacy Protection
	 * loading every image at delivery. Counted as a send, not an open, unless the caller counts
	 * machine opens (aggregateEvents' `countMachineOpens`).
	 */
	machineOpen?: boolean;
	/**
	 * On an 'Email Link Clicked': the provider flags it as a bot's click (Mailgun's bot detection:
	 * canonical `properties.machine_click`), e.g. a security gateway following every link at
	 * delivery. Counted as a send, not a click (nor an open), unless the caller counts machine opens.
	 */
	machineClick?: boolean;
	/** A single recipient id (same as `ids: [recipient]`). */
	recipient?: string;
	/**
	 * When it happened, in ms since 1970 (see `eventTime`); read only under the attribution
	 * window: a send's time opens its recipient's window, an order's must fall inside it.
	 */
	time?: number;
	/**
	 * A customer of `variant` held out by design (the A/B holdout: an ESP Dispatch result with
	 * `heldOutAt`, which is its `time`): a recipient of the variant like a send, but not mailed.
	 * Its `event` is not read.
	 */
	heldOut?: boolean;
	/**
	 * A customer of `variant` whose send was tried but not mailed (an ESP Dispatch result `failed`
	 * or `unknown` with `attemptedAt`, which is its `time`). When a holdout is among the variants
	 * (intention to treat, see aggregateEvents) a recipient of the variant like a send, else counted
	 * nowhere, as before. Its `event` is not read.
	 */
	attempted?: boolean;
	/**
	 * The order's id (canonical `properties.order_id`), on an 'Order Completed' and on the events
	 * that may withdraw it, 'Order Cancelled' and 'Order Refunded' (see aggregateEvents). A number
	 * and its decimal text are the same id (`1001` = `"1001"`).
	 */
	orderId?: string | number;
	/**
	 * On an 'Order Completed': another id its withdrawing events may name it by, in the same scope:
	 * Stripe's `payment_intent`. A Checkout Session's `metadata.order_id` is the order's id, but
	 * Stripe does not copy the session's metadata to the charge, so the refund (charge.refunded) is
	 * named by the PaymentIntent instead.
	 */
	paymentId?: string;
	/**
	 * Where the order id is numbered: the event's source and store (e.g. the WooCommerce site,
	 * the Shopify shop), as one opaque text. Two events with a scope match only when their scopes
	 * are equal; a withdrawing event without one (an item a workflow built) matches by the id alone.
	 */
	orderScope?: string;
	/**
	 * On an 'Order Completed' the order's total; on an 'Order Refunded' the money this refund
	 * returned (canonical `properties.total`). In major units, at least 0.
	 */
	amount?: number;
	/** The currency of `amount` (ISO 4217, upper case); amounts are compared only within one currency. */
	currency?: string;
	/**
	 * On an 'Order Refunded': the order's refunded amount so far, all its refunds together, when
	 * the source gives it (Stripe `amount_refunded`, canonical `properties.amount_refunded_total`).
	 * Such an event adds nothing to the sum of the refunds (`amount` is then part of this).
	 */
	refundedSoFar?: number;
	/**
	 * On an 'Order Refunded': what names this refund (Shopify's refund id, else the event's
	 * messageId): one refund delivered twice is summed once.
	 */
	refundId?: string;
}

/** An order id as text: a finite number as its decimal form, text trimmed; undefined for anything else or empty. */
function orderKey(id: unknown): string | undefined {
	if (typeof id === 'number') return Number.isFinite(id) ? String(id) : undefined;
	if (typeof id !== 'string') return undefined;
	const text = id.trim();
	return text === '' ? undefined : text;
}

/** The event that withdraws an order (Shopify orders/cancelled, WooCommerce order.updated with status cancelled). */
const ORDER_CANCELLED = 'Order Cancelled';
/**
 * The event that withdraws an order when the refunds returned its whole total (WooCommerce
 * order.updated with status refunded, Shopify refunds/create, Stripe charge.refunded).
 */
const ORDER_REFUNDED = 'Order Refunded';

/** An amount of money: a finite number at least 0; undefined for anything else. */
function moneyOf(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** A currency code, trimmed and upper case; '' when the event names none. */
const currencyOf = (value: unknown): string => (typeof value === 'string' ? value.trim().toUpperCase() : '');

/** Why an order is no conversion: cancelled, or refunded in full. */
type Withdrawal = 'cancelled' | 'refunded';

/**
 * Which orders the events withdraw (see aggregateEvents), read from all the events first: a
 * cancellation or refund may come before or after its order. The keys an order id is matched
 * under: `s…` with the scope (its length first, so no scope and id run together), `i…` the id alone.
 */
function orderWithdrawals(events: EngagementEvent[]): (e: EngagementEvent) => Withdrawal | undefined {
	const scoped = (scope: string, id: string): string => `s${scope.length}:${scope}${id}`;
	const bare = (id: string): string => `i${id}`;
	const keyOf = (e: EngagementEvent, id: string): string => (typeof e.orderScope === 'string' ? scoped(e.orderScope, id) : bare(id));
	const cancelled = new Set<string>();
	/** Per key and currency: the refunds summed (by refundId; events without one each), and the largest amount refunded so far. */
	const refunds = new Map<string, Map<string, { byId: Map<string, number>; loose: number; soFar: number }>>();
	for (const e of events) {
		if (e.event !== ORDER_CANCELLED && e.event !== ORDER_REFUNDED) continue;
		const id = orderKey(e.orderId);
		if (id === undefined) continue;
		const key = keyOf(e, id);
		if (e.event === ORDER_CANCELLED) {
			cancelled.add(key);
			continue;
		}
		const soFar = moneyOf(e.refundedSoFar);
		const amount = moneyOf(e.amount);
		if (soFar === undefined && amount === undefined) continue;
		let perCurrency = refunds.get(key);
		if (!perCurrency) refunds.set(key, (perCurrency = new Map()));
		const currency = currencyOf(e.currency);
		let r = perCurrency.get(currency);
		if (!r) perCurrency.set(currency, (r = { byId: new Map(), loose: 0, soFar: 0 }));
		if (soFar !== undefined) r.soFar = Math.max(r.soFar, soFar);
		else if (typeof e.refundId === 'string' && e.refundId !== '') r.byId.set(e.refundId, Math.max(r.byId.get(e.refundId) ?? 0, amount!));
		else r.loose += amount!;
	}
	return (e) => {
		const ids = [orderKey(e.orderId), orderKey(e.paymentId)].filter((x): x is string => x !== undefined);
		if (ids.length === 0) return undefined;
		// a scoped order: by its scope, or by a withdrawing event without one; an order without a
		// scope: by the id alone; under its order id, then its payment id (Stripe)
		const keys = ids.flatMap((id) => (typeof e.orderScope === 'string' ? [scoped(e.orderScope, id), bare(id)] : [bare(id)]));
		if (keys.some((key) => cancelled.has(key))) return 'cancelled';
		const total = moneyOf(e.amount);
		if (total === undefined) return undefined;
		const currency = currencyOf(e.currency);
		for (const key of keys) {
			const r = refunds.get(key)?.get(currency);
			if (!r) continue;
			let summed = r.loose;
			for (const amount of r.byId.values()) summed += amount;
			// decimal amounts summed in binary: a rounding error below a millionth of the total is no shortfall
			if (Math.max(r.soFar, summed) >= total - 1e-6 * Math.max(1, total)) return 'refunded';
		}
		return undefined;
	};
}

/**
 * How strongly an id names one recipient, strongest first: the message (`m:`, one send), the
 * customer account (`u:`), the address (`e:`, may be shared or changed), the device or cart
 * (`a:`); any other id after them. An order that joins several recipients of one variant is
 * credited to the one its strongest id names.
 */
const ID_STRENGTH = ['m:', 'u:', 'e:', 'a:'];
const idStrength = (id: string): number => {
	const k = ID_STRENGTH.findIndex((prefix) => id.startsWith(prefix));
	return k === -1 ? ID_STRENGTH.length : k;
};

export const STAGE_OF_EVENT: Record<string, keyof Omit<VariantCounts, 'variant'>> = {
	'Email Sent': 'sent',
	'Email Delivered': 'sent',
	'Email Opened': 'opened',
	'Email Link Clicked': 'clicked',
	'Order Completed': 'converted',
};

const STAGES = ['sent', 'opened', 'clicked', 'converted'] as const;

/**
 * Which orders are conversions (in both modes, not an order withdrawn by an 'Order Cancelled' or
 * by refunds of its whole total among the events, see aggregateEvents).
 * - `attributed`: only orders that carry the variant (attributed to the email, e.g. Stripe
 *   checkout sessions with `pz_variant` metadata).
 * - `window`: also an order without a variant, for a recipient it joins (by the same ids as
 *   the other events) whose first send of a variant was at most `windowHours` before it:
 *   first send ≤ order < first send + window (the start inclusive, the end exclusive, so a
 *   window of 168 hours holds exactly 7 days of orders). One recipient per variant at most:
 *   the one named by the order's strongest id (ID_STRENGTH) among those whose window holds it.
 */
export type OrderAttribution = { mode: 'attributed' } | { mode: 'window'; windowHours: number };

/** What the report says about the attribution; the `orders_*` counts only under the window. */
export interface AttributionReport {
	mode: 'attributed' | 'window';
	window_hours: number | null;
	/** Orders without a variant that converted at least one recipient. */
	orders_counted?: number;
	/** ... that joined a mailed recipient but fell before the first send or past the window. */
	orders_outside_window?: number;
	/** ... that joined only recipients whose sends carry no time. */
	orders_without_send_time?: number;
	/** ... that joined no recipient of any variant (customers neither mailed nor held out). */
	orders_unmatched?: number;
	/** ... with no usable timestamp. */
	orders_without_timestamp?: number;
	/** Orders (counted above) credited to more than one variant: their customer was mailed in each. */
	orders_in_several_variants?: number;
	/**
	 * Orders (counted above) that joined several recipients of one variant, each within its window
	 * (ids never seen together, e.g. one recipient's userId and another's address): credited to one.
	 */
	orders_with_several_recipients?: number;
	/**
	 * Orders left out because an 'Order Cancelled' of the same order is among the events:
	 * orders carrying the variant, and (window) orders without one that would otherwise have
	 * converted a recipient. Always present under the window; in the default mode only when above 0.
	 */
	orders_cancelled?: number;
	/** Orders left out, likewise, because 'Order Refunded' events returned their whole total (and not cancelled too). */
	orders_refunded?: number;
}

export interface AggregatedEvents {
	counts: VariantCounts[];
	/** Events counted nowhere (orders without a variant that converted nobody among them). */
	ignored: number;
	attribution: AttributionReport;
	/** Per variant, caveats for its report (an order credited to several variants, or to one of several of its recipients). */
	warnings: Record<string, string[]>;
	/** Variants whose recipients were held out (EngagementEvent.heldOut); they have no opened / clicked counts. */
	heldOut: string[];
	/** Email Opened events flagged as machine opens and counted as sends only (0 when machine opens are counted). */
	machineOpens: number;
	/** Email Link Clicked events flagged as a bot's clicks and counted as sends only (0 when machine opens are counted). */
	machineClicks: number;
	/**
	 * Recipients who clicked but had no counted open (images blocked, or only a machine open),
	 * counted as opened: a click shows the message was opened.
	 */
	inferredOpens: number;
	/**
	 * Only when a holdout is among the variants (intention to treat): per mailed variant, its
	 * recipients counted only through a send that was tried but failed (EngagementEvent.attempted).
	 */
	attemptedNotSent?: Record<string, number>;
}

/**
 * An event's time as ms since 1970, from ISO-8601 text with a time zone (`Z` or `±HH:MM`), the
 * form of canonical event timestamps and of n8n's `$now.toISO()`; undefined for anything else:
 * text without a zone (a local time of an unknown zone), epoch numbers (seconds or
 * milliseconds?), impossible dates.
 */
export function eventTime(value: unknown): number | undefined {
	if (typeof value === 'string') return timeFromIso(value.trim(), false);
	// a JavaScript Date (what a database node gives for a timestamp column within an execution)
	if (value instanceof Date) {
		const ms = value.getTime();
		return Number.isFinite(ms) ? ms : undefined;
	}
	return undefined;
}

const HOUR_MS = 3_600_000;

/**
 * Counts distinct recipients per variant and stage. A recipient is known by several ids: the
 * email events carry the message id (`email_id`) and the address, an attributed order only the
 * customer's ids. Ids seen together on one event are joined (union-find, per variant), so an
 * order without `email_id` counts for the recipient its email or userId belongs to, and is not
 * a recipient of its own. Events with no id at all cannot be tied to a recipient: ignored.
 *
 * A recipient who clicked is counted as opened too (inferredOpens), even when no open was counted
 * (images blocked, or a machine open counted as a send only): every click is also an open.
 *
 * Without `experimentId`, the counted events may name one experiment at most (events naming none
 * count too): events of two experiments are an AnalyzeError, since their variants (both "control")
 * would be added up as one.
 *
 * Under the attribution window (`attribution.mode` 'window'), an order without a variant
 * converts, in each variant, one recipient it joins (any of its ids among that variant's ids)
 * whose first timed send is at most the window before it (see OrderAttribution): when it joins
 * several such recipients (ids never seen together), the one its strongest id names (ID_STRENGTH;
 * among ids of one strength, the first the event carries), and the variant is warned. It joins no
 * ids together: the recipients, and so `sent`, are the same in both modes. A recipient converts
 * once per variant however many orders it made; a customer mailed in two variants converts in
 * each whose window holds the order (the report warns). An order that converts nobody, or has no
 * usable time, is ignored.
 *
 * Withdrawn orders (both modes): an order that was cancelled, or refunded in full, is no
 * conversion. Its withdrawing events are matched by the order id (EngagementEvent.orderId, as
 * text) wherever they stand among the events, within the order's scope (orderScope: source and
 * store, so one store's order 1001 is not another's); a withdrawing event without a scope (built
 * by a workflow) matches by the id alone, and an order without a scope only such an event.
 * - An 'Order Cancelled' withdraws it.
 * - 'Order Refunded' events withdraw it when the money they returned, in the order's currency,
 *   is at least the order's total (`amount`): their amounts summed (one per refundId), or the
 *   largest `refundedSoFar`. A partial refund withdraws nothing; nor does a refund in another
 *   currency, or any refund of an order without a total.
 * One carrying the variant still shows its recipient was mailed (it counts in `sent` and joins
 * its ids, as before); one without a variant is ignored. The withdrawing events themselves count
 * no recipient (ignored).
 *
 * A held-out customer (EngagementEvent.heldOut) is a recipient of its variant like a send, its
 * time opening the window: so the holdout's `sent` is the customers held out and its
 * conversions their orders within the window. Such a variant has no opened / clicked counts; a
 * variant with held-out customers and also sends, opens or clicks is an AnalyzeError (a holdout
 * that was mailed measures nothing).
 *
 * Intention to treat: when a holdout is among the variants, a customer whose send was tried and
 * failed (EngagementEvent.attempted) is a recipient of its variant too, its attempt opening the
 * window as a send does (they never open or click; an order within the window converts them). The
 * holdout keeps the customers whose send would have failed, so leaving them out of the mailed
 * variant only would lean the lift toward mailing. `attemptedNotSent` says how many per variant.
 * Without a holdout such events count nowhere (ignored), as before: mailed variants lose their
 * failing customers alike, and their rates stay over the customers actually mailed.
 */
export function aggregateEvents(
	events: EngagementEvent[],
	experimentId?: string,
	attribution: OrderAttribution = { mode: 'attributed' },
	{ countMachineOpens = false }: { countMachineOpens?: boolean } = {},
): AggregatedEvents {
	const window = attribution.mode === 'window';
	if (window && !(Number.isFinite(attribution.windowHours) && attribution.windowHours > 0)) throw new AnalyzeError(`Attribution window must be a number of hours above 0, got ${attribution.windowHours}`);
	const variants = new Map<string, { parent: Map<string, string>; marks: Array<[number, string]>; sendTimes: Array<[string, number]>; attempts: string[]; heldOut: boolean; mailed: boolean }>();
	/** Sends tried but not mailed (EngagementEvent.attempted): counted once the variants show whether a holdout is compared. */
	const attempts: EngagementEvent[] = [];
	/** Orders without a variant, kept for the window (their usable ids and time, and whether withdrawn). */
	const orders: Array<{ ids: string[]; time: number | undefined; withdrawn: Withdrawal | undefined }> = [];
	let ignored = 0;
	/** Opens counted as sends only (EngagementEvent.machineOpen). */
	let machineOpens = 0;
	/** Clicks counted as sends only (EngagementEvent.machineClick). */
	let machineClicks = 0;
	/** Without an experiment id to analyse: the experiments the counted events name (one at most). */
	const experiments = new Set<string>();
	const withdrawal = orderWithdrawals(events);
	/** Attributed orders left out as cancelled or refunded (the window's are tallied with the others). */
	const withdrawnAttributed = { cancelled: 0, refunded: 0 };
	const find = (parent: Map<string, string>, id: string): string => {
		let root = id;
		while (parent.get(root) !== root) root = parent.get(root)!;
		for (let cur = id; cur !== root; ) {
			const next = parent.get(cur)!;
			parent.set(cur, root);
			cur = next;
		}
		return root;
	};
	/** Counts one event (a tried send as a send); false when it counts nowhere. */
	const count = (e: EngagementEvent): boolean => {
		let stage = e.heldOut || e.attempted ? 'sent' : STAGE_OF_EVENT[e.event];
		// a machine open says the message arrived, not that anyone read it
		if (stage === 'opened' && e.machineOpen === true && !countMachineOpens) {
			stage = 'sent';
			machineOpens++;
		}
		// nor a link scanner's click that anyone read it (or clicked)
		if (stage === 'clicked' && e.machineClick === true && !countMachineOpens) {
			stage = 'sent';
			machineClicks++;
		}
		const ids = (e.ids ?? (e.recipient !== undefined ? [e.recipient] : [])).filter((id) => typeof id === 'string' && id !== '');
		// Under the window any order is a candidate: one without a variant, and one attributed to
		// another experiment's email (when one experiment is analysed), which is still an order by
		// this experiment's recipient.
		if (window && stage === 'converted' && ids.length > 0 && (!e.variant || (experimentId && e.experiment !== experimentId))) {
			orders.push({ ids, time: e.time, withdrawn: withdrawal(e) });
			return true;
		}
		if (!stage || !e.variant || (experimentId && e.experiment !== experimentId) || ids.length === 0) return false;
		if (!experimentId && e.experiment) experiments.add(e.experiment);
		let v = variants.get(e.variant);
		if (!v) variants.set(e.variant, (v = { parent: new Map(), marks: [], sendTimes: [], attempts: [], heldOut: false, mailed: false }));
		if (e.heldOut) v.heldOut = true;
		else if (stage !== 'converted') v.mailed = true;
		for (const id of ids) if (!v.parent.has(id)) v.parent.set(id, id);
		const first = find(v.parent, ids[0]);
		for (let k = 1; k < ids.length; k++) {
			const other = find(v.parent, ids[k]);
			if (other !== first) v.parent.set(other, first);
		}
		// a withdrawn attributed order is no conversion, but still shows its recipient was mailed
		const withdrawn = stage === 'converted' ? withdrawal(e) : undefined;
		if (withdrawn) withdrawnAttributed[withdrawn]++;
		// a tried send is kept apart, to tell the recipients counted only through one
		if (e.attempted && !e.heldOut) v.attempts.push(ids[0]);
		else v.marks.push([withdrawn ? 0 : STAGES.indexOf(stage as (typeof STAGES)[number]), ids[0]]);
		if (window && stage === 'sent' && e.time !== undefined && Number.isFinite(e.time)) v.sendTimes.push([ids[0], e.time]);
		return true;
	};
	for (const e of events) {
		if (e.attempted && !e.heldOut) attempts.push(e);
		else if (!count(e)) ignored++;
	}
	// intention to treat: only with a holdout among the variants (see above)
	const intentionToTreat = [...variants.values()].some((v) => v.heldOut);
	for (const e of attempts) if (!intentionToTreat || !count(e)) ignored++;
	// two experiments' "control" (or "treatment") added up would be one variant made of two tests
	if (experiments.size > 1) {
		const named = [...experiments].sort().slice(0, 5).map((x) => `"${x}"`).join(', ');
		throw new AnalyzeError(
			`The events belong to ${experiments.size} experiments (${named}${experiments.size > 5 ? ', ...' : ''}), and their variants would be added up across experiments: set Experiment ID to the experiment to analyse`,
		);
	}
	const heldOut = [...variants].filter(([, v]) => v.heldOut).map(([variant]) => variant);
	const attemptedNotSent = new Map<string, number>();
	for (const [variant, v] of variants)
		if (v.heldOut && v.mailed)
			throw new AnalyzeError(
				`Variant "${variant}" has customers held out (ESP Dispatch results with heldOutAt: the A/B holdout, no email) and also email sends, opens or clicks: ` +
					`a holdout that was mailed measures nothing. Check how "${variant}" was mailed (ESP Dispatch version 1 does not hold the holdout out), or add it to Exclude Variants`,
			);
	const counts: VariantCounts[] = [];
	const sets = new Map<string, Array<Set<string>>>();
	/** Recipients who clicked without a counted open, counted as opened. */
	let inferredOpens = 0;
	for (const [variant, v] of variants) {
		const s = STAGES.map(() => new Set<string>());
		for (const [stage, id] of v.marks) {
			const who = find(v.parent, id);
			s[stage].add(who);
			// a recipient who opened, clicked or bought was sent the message, even if the Sent event is missing
			s[0].add(who);
		}
		// tried but not mailed (intention to treat): a recipient, counted apart unless otherwise seen
		if (intentionToTreat && !v.heldOut) {
			let notSent = 0;
			for (const id of v.attempts) {
				const who = find(v.parent, id);
				if (!s[0].has(who)) notSent++;
				s[0].add(who);
			}
			attemptedNotSent.set(variant, notSent);
		}
		// A click shows the message was opened, even when no open was counted: images blocked (the
		// tracking pixel never loaded), or only a machine open (counted as a send). Mailchimp and
		// others count a click as an open for the same reason; without it the click rate could
		// exceed the open rate.
		for (const who of s[2])
			if (!s[1].has(who)) {
				s[1].add(who);
				inferredOpens++;
			}
		sets.set(variant, s);
	}
	const report: AttributionReport = { mode: attribution.mode, window_hours: window ? attribution.windowHours : null };
	// the default mode's report as before, unless a cancellation or refund left an order out
	if (!window && withdrawnAttributed.cancelled > 0) report.orders_cancelled = withdrawnAttributed.cancelled;
	if (!window && withdrawnAttributed.refunded > 0) report.orders_refunded = withdrawnAttributed.refunded;
	// a Map, made an object at the end (own keys whatever the variants are named)
	const warnings = new Map<string, string[]>();
	const warn = (variant: string, text: string): void => {
		warnings.set(variant, [...(warnings.get(variant) ?? []), text]);
	};
	if (window) {
		const windowMs = attribution.windowHours * HOUR_MS;
		// each recipient's first timed send, per variant
		const firstSend = new Map<string, Map<string, number>>();
		for (const [variant, v] of variants) {
			const first = new Map<string, number>();
			for (const [id, time] of v.sendTimes) {
				const who = find(v.parent, id);
				const before = first.get(who);
				if (before === undefined || time < before) first.set(who, time);
			}
			firstSend.set(variant, first);
		}
		const tally = { counted: 0, outside: 0, noSendTime: 0, unmatched: 0, noTimestamp: 0, several: 0, severalRecipients: 0, cancelled: withdrawnAttributed.cancelled, refunded: withdrawnAttributed.refunded };
		// per variant: the recipients converted by an order that was credited to another variant too
		const shared = new Map<string, { who: Set<string>; others: Set<string> }>();
		// per variant: the orders that joined several of its recipients within their windows
		const crowded = new Map<string, number>();
		for (const order of orders) {
			if (order.time === undefined || !Number.isFinite(order.time)) {
				tally.noTimestamp++;
				ignored++;
				continue;
			}
			let joined = false;
			let timed = false;
			const credited: Array<[string, string]> = [];
			// the variants in which it joined several recipients within their windows
			const crowdedIn: string[] = [];
			// strongest id first (a stable sort: ids of one strength keep the event's order)
			const ranked = [...order.ids].sort((a, b) => idStrength(a) - idStrength(b));
			for (const [variant, v] of variants) {
				const first = firstSend.get(variant)!;
				const seen = new Set<string>();
				let chosen: string | undefined;
				let several = false;
				for (const id of ranked) {
					if (!v.parent.has(id)) continue;
					const who = find(v.parent, id);
					if (seen.has(who)) continue;
					seen.add(who);
					joined = true;
					const sentAt = first.get(who);
					if (sentAt === undefined) continue;
					timed = true;
					if (!(order.time >= sentAt && order.time < sentAt + windowMs)) continue;
					// one recipient per variant: the first in strength order; another one is a second claim
					if (chosen === undefined) chosen = who;
					else several = true;
				}
				if (chosen !== undefined) credited.push([variant, chosen]);
				if (several) crowdedIn.push(variant);
			}
			if (credited.length === 0) {
				if (!joined) tally.unmatched++;
				else if (!timed) tally.noSendTime++;
				else tally.outside++;
				ignored++;
				continue;
			}
			if (order.withdrawn) {
				tally[order.withdrawn]++;
				ignored++;
				continue;
			}
			tally.counted++;
			if (crowdedIn.length > 0) {
				tally.severalRecipients++;
				for (const variant of crowdedIn) crowded.set(variant, (crowded.get(variant) ?? 0) + 1);
			}
			for (const [variant, who] of credited) sets.get(variant)![3].add(who);
			const creditedVariants = new Set(credited.map(([variant]) => variant));
			if (creditedVariants.size > 1) {
				tally.several++;
				for (const [variant, who] of credited) {
					const entry = shared.get(variant) ?? { who: new Set<string>(), others: new Set<string>() };
					entry.who.add(who);
					for (const other of creditedVariants) if (other !== variant) entry.others.add(other);
					shared.set(variant, entry);
				}
			}
		}
		Object.assign(report, {
			orders_counted: tally.counted,
			orders_outside_window: tally.outside,
			orders_without_send_time: tally.noSendTime,
			orders_unmatched: tally.unmatched,
			orders_without_timestamp: tally.noTimestamp,
			orders_in_several_variants: tally.several,
			orders_with_several_recipients: tally.severalRecipients,
			orders_cancelled: tally.cancelled,
			orders_refunded: tally.refunded,
		});
		for (const [variant, { who, others }] of shared) {
			warn(
				variant,
				`${who.size} of its converted recipients ${who.size === 1 ? 'was' : 'were'} credited with an order also credited to ${[...others].map((o) => `"${o}"`).join(', ')}: ` +
					`the customer was mailed in both variants and ordered within both attribution windows, so the order counts for each. ` +
					`A customer should be in one variant only (A/B Experiment Assign gives each customer one); check how these recipients were mailed.`,
			);
		}
		for (const [variant, n] of crowded) {
			warn(
				variant,
				`${n} ${n === 1 ? 'order' : 'orders'} joined several of its recipients, each within the attribution window, by ids never seen together (e.g. one recipient's userId and another's address): ` +
					`each order converted one of them, the one named by its strongest id (message id, then userId, then address, then anonymousId). ` +
					`They may be one customer mailed twice under different ids; check how these recipients were mailed.`,
			);
		}
	}
	for (const [variant, s] of sets)
		// the holdout got no email: no opens or clicks to count (not 0 of them)
		counts.push(variants.get(variant)!.heldOut ? { variant, sent: s[0].size, converted: s[3].size } : { variant, sent: s[0].size, opened: s[1].size, clicked: s[2].size, converted: s[3].size });
	return {
		counts,
		ignored,
		attribution: report,
		warnings: Object.fromEntries(warnings),
		heldOut,
		machineOpens,
		machineClicks,
		inferredOpens,
		...(intentionToTreat ? { attemptedNotSent: Object.fromEntries(attemptedNotSent) } : {}),
	};
}
