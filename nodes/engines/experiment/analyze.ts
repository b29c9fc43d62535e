/**
 * A/B analysis from counts per variant (or from engagement events aggregated here):
 * rates, lift vs control with confidence intervals, two-proportion z-test, the sample size
 * the test needs, a peeking guard and a plain-language verdict.
 *
 * With more than one challenger, each is compared to the control at alpha / (variants - 1)
 * (Bonferroni), so running more variants does not inflate false winners.
 */
import { diffInterval, relativeLiftInterval, sampleSizePerGroup, twoProportionZTest } from './stats';

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
	/** Rate of the analysed metric. */
	rate: number;
	abs_lift: number | null;
	abs_lift_ci: [number, number] | null;
	rel_lift: number | null;
	rel_lift_ci: [number, number] | null;
	z: number | null;
	p_value: number | null;
	chi_square: number | null;
	significant: boolean | null;
}

export type Verdict = 'winner' | 'no_difference' | 'needs_more_data';

export interface AnalysisReport {
	metric: Metric;
	control: string;
	alpha: number;
	/** alpha after the Bonferroni correction. */
	alpha_per_comparison: number;
	power: number;
	mde: number;
	baseline_rate: number;
	required_per_variant: number | null;
	planned_per_variant: number | null;
	planned_reached: boolean;
	/** Recipients still needed per variant to reach the plan (0 when reached). */
	needed_more_per_variant: number;
	verdict: Verdict;
	winner: string | null;
	summary: string;
	variants: VariantReport[];
}

export class AnalyzeError extends Error {}

const fmtPct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const fmtInt = (x: number): string => Math.round(x).toLocaleString('en-US');

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
	const variants = [...merged.values()];
	if (variants.length < 2) throw new AnalyzeError(`Need at least two variants to compare, got ${variants.length}`);
	for (const v of variants) {
		if (!(v.sent > 0)) throw new AnalyzeError(`Variant "${v.variant}": sent must be above 0`);
		const x = v[metric];
		if (x === undefined) throw new AnalyzeError(`Variant "${v.variant}" has no "${metric}" count`);
		if (!(x >= 0 && x <= v.sent)) throw new AnalyzeError(`Variant "${v.variant}": ${metric} (${x}) must be between 0 and sent (${v.sent})`);
	}
	const controlName = options.control && options.control !== '' ? options.control : variants[0].variant;
	const control = merged.get(controlName);
	if (!control) throw new AnalyzeError(`Control variant "${controlName}" is not in the data (variants: ${variants.map((v) => v.variant).join(', ')})`);
	const challengers = variants.filter((v) => v !== control);
	const alphaAdj = alpha / challengers.length;
	const confidence = 1 - alphaAdj;
	const x1 = control[metric] as number;
	const n1 = control.sent;

	const baseline = options.baselineRate ?? x1 / n1;
	let required: number | null = null;
	const target = baseline * (1 + mde);
	if (baseline > 0 && target < 1) required = sampleSizePerGroup(baseline, target, alphaAdj, power);
	const planned = options.plannedPerVariant ?? required;
	const minSent = Math.min(...variants.map((v) => v.sent));
	const plannedReached = planned !== null && minSent >= planned;
	const neededMore = planned === null ? 0 : Math.max(0, planned - minSent);

	const rate = (v: VariantCounts, k: Metric): number | null => (v[k] === undefined ? null : (v[k] as number) / v.sent);
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
			rate: (v[metric] as number) / v.sent,
		};
		if (v === control) return { ...base, abs_lift: null, abs_lift_ci: null, rel_lift: null, rel_lift_ci: null, z: null, p_value: null, chi_square: null, significant: null };
		const x2 = v[metric] as number;
		const test = twoProportionZTest(x1, n1, x2, v.sent);
		return {
			...base,
			abs_lift: test.diff,
			abs_lift_ci: diffInterval(x1, n1, x2, v.sent, confidence),
			rel_lift: x1 > 0 ? test.p2 / test.p1 - 1 : null,
			rel_lift_ci: relativeLiftInterval(x1, n1, x2, v.sent, confidence),
			z: test.z,
			p_value: test.pValue,
			chi_square: test.chiSquare,
			significant: test.pValue < alphaAdj,
		};
	});

	const metricLabel = { opened: 'open rate', clicked: 'click rate', converted: 'conversion rate' }[metric];
	const significant = reports.filter((r) => r.significant);
	const better = significant.filter((r) => (r.abs_lift as number) > 0).sort((a, b) => b.rate - a.rate);
	let verdict: Verdict;
	let winner: string | null = null;
	let summary: string;
	if (planned === null) {
		verdict = 'needs_more_data';
		summary =
			baseline > 0
				? `A ${fmtPct(mde)} relative change of a ${fmtPct(baseline)} ${metricLabel} would exceed 100%, so no sample size can be planned; lower the minimum detectable effect or set a planned sample size, and keep sending.`
				: `The control's ${metricLabel} is ${fmtPct(baseline)}, so no sample size can be planned yet; set a baseline rate or a planned sample size, and keep sending.`;
	} else if (!plannedReached) {
		verdict = 'needs_more_data';
		const smallest = variants.find((v) => v.sent === minSent)!;
		summary =
			`Not enough data yet: "${smallest.variant}" has ${fmtInt(minSent)} of the ${fmtInt(planned)} recipients planned per variant ` +
			`(to detect a ${fmtPct(mde)} relative change of a ${fmtPct(baseline)} ${metricLabel} with ${Math.round(power * 100)}% power). ` +
			`Send to ${fmtInt(neededMore)} more per variant before deciding.` +
			(significant.length > 0 ? ' The difference looks significant now, but stopping early (peeking) inflates false winners.' : '');
	} else if (better.length > 0) {
		verdict = 'winner';
		winner = better[0].variant;
		summary = `"${winner}" wins: ${metricLabel} ${fmtPct(better[0].rate)} vs ${fmtPct(x1 / n1)} for "${controlName}" (${better[0].rel_lift !== null ? `${better[0].rel_lift >= 0 ? '+' : ''}${fmtPct(better[0].rel_lift)} relative, ` : ''}p = ${(better[0].p_value as number).toPrecision(2)}).`;
	} else if (significant.length > 0) {
		verdict = 'winner';
		winner = controlName;
		summary = `"${controlName}" (control) wins: every significant difference is a drop (${significant.map((r) => `"${r.variant}" ${fmtPct(r.rate)}`).join(', ')} vs ${fmtPct(x1 / n1)}).`;
	} else {
		verdict = 'no_difference';
		summary = `No significant difference in ${metricLabel} at the planned sample size (${fmtInt(planned)} per variant): the variants perform alike within a ${fmtPct(mde)} relative change.`;
	}
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
		verdict,
		winner,
		summary,
		variants: reports,
	};
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
	/** A single recipient id (same as `ids: [recipient]`). */
	recipient?: string;
}

export const STAGE_OF_EVENT: Record<string, keyof Omit<VariantCounts, 'variant'>> = {
	'Email Sent': 'sent',
	'Email Delivered': 'sent',
	'Email Opened': 'opened',
	'Email Link Clicked': 'clicked',
	'Order Completed': 'converted',
};

const STAGES = ['sent', 'opened', 'clicked', 'converted'] as const;

/**
 * Counts distinct recipients per variant and stage. A recipient is known by several ids: the
 * email events carry the message id (`email_id`) and the address, an attributed order only the
 * customer's ids. Ids seen together on one event are joined (union-find, per variant), so an
 * order without `email_id` counts for the recipient its email or userId belongs to, and is not
 * a recipient of its own. Events with no id at all cannot be tied to a recipient: ignored.
 */
export function aggregateEvents(events: EngagementEvent[], experimentId?: string): { counts: VariantCounts[]; ignored: number } {
	const variants = new Map<string, { parent: Map<string, string>; marks: Array<[number, string]> }>();
	let ignored = 0;
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
	for (const e of events) {
		const stage = STAGE_OF_EVENT[e.event];
		const ids = (e.ids ?? (e.recipient !== undefined ? [e.recipient] : [])).filter((id) => typeof id === 'string' && id !== '');
		if (!stage || !e.variant || (experimentId && e.experiment !== experimentId) || ids.length === 0) {
			ignored++;
			continue;
		}
		let v = variants.get(e.variant);
		if (!v) variants.set(e.variant, (v = { parent: new Map(), marks: [] }));
		for (const id of ids) if (!v.parent.has(id)) v.parent.set(id, id);
		const first = find(v.parent, ids[0]);
		for (let k = 1; k < ids.length; k++) {
			const other = find(v.parent, ids[k]);
			if (other !== first) v.parent.set(other, first);
		}
		v.marks.push([STAGES.indexOf(stage as (typeof STAGES)[number]), ids[0]]);
	}
	const counts: VariantCounts[] = [];
	for (const [variant, v] of variants) {
		const sets = STAGES.map(() => new Set<string>());
		for (const [stage, id] of v.marks) {
			const who = find(v.parent, id);
			sets[stage].add(who);
			// a recipient who opened, clicked or bought was sent the message, even if the Sent event is missing
			sets[0].add(who);
		}
		counts.push({ variant, sent: sets[0].size, opened: sets[1].size, clicked: sets[2].size, converted: sets[3].size });
	}
	return { counts, ignored };
}
