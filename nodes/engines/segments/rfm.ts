/**
 * RFM scoring: per-customer recency, frequency and monetary value, quantile scores 1..bins and
 * named segments from an ordered rule list (first match wins).
 *
 * Quantile definition (see README "Customer Segments"): with n customers and B bins, a value v
 * gets score 1 + floor(B * L(v) / n), where L(v) is the number of customers whose value is
 * strictly lower (for recency: strictly MORE days, so recent = high). Equal values therefore
 * always share a score, the scores of a dimension never exceed B, and a bin can be empty when a
 * value is very common. This is SQL `1 + floor(B * (RANK() OVER (ORDER BY v) - 1) / n)`; SQL
 * `NTILE(B)` instead cuts the sorted rows into B equal-sized buckets and splits tied rows across
 * buckets arbitrarily.
 */

export type Range = [number, number];

/** A named segment: inclusive score ranges; an omitted dimension matches any score. */
export interface RfmRule {
	name: string;
	r?: Range;
	f?: Range;
	m?: Range;
}

/**
 * The classic map, on the 5-point scale (ranges of the `rfm` R package's segment table, plus
 * Hibernating and Lost split out of its low-R/low-F corner). Ordered: first match wins.
 */
export const CLASSIC_SEGMENTS: readonly RfmRule[] = [
	{ name: 'Champions', r: [4, 5], f: [4, 5], m: [4, 5] },
	{ name: 'Loyal Customers', r: [2, 5], f: [3, 5], m: [3, 5] },
	{ name: 'Potential Loyalist', r: [3, 5], f: [1, 3], m: [1, 3] },
	{ name: 'New Customers', r: [4, 5], f: [1, 1], m: [1, 1] },
	{ name: 'Promising', r: [3, 4], f: [1, 1], m: [1, 1] },
	{ name: 'Need Attention', r: [2, 3], f: [2, 3], m: [2, 3] },
	{ name: 'About To Sleep', r: [2, 3], f: [1, 2], m: [1, 2] },
	{ name: 'At Risk', r: [1, 2], f: [2, 5], m: [2, 5] },
	{ name: "Can't Lose Them", r: [1, 1], f: [4, 5], m: [4, 5] },
	{ name: 'Lost', r: [1, 1], f: [1, 1], m: [1, 2] },
	{ name: 'Hibernating', r: [1, 2], f: [1, 2], m: [1, 2] },
];

/** Segment of a customer that no rule matches. */
export const OTHER_SEGMENT = 'Others';
export const MAX_SEGMENTS_BEFORE_WARNING = 15;

export interface Breakpoint {
	score: number;
	/** Lowest and highest value that received this score (null when the bin is empty). */
	min: number | null;
	max: number | null;
	customers: number;
}

/**
 * Scores values by the quantile definition above. `invert`: lower values get higher scores.
 * O(n log n): one typed-array sort, then a binary search per value.
 */
export function quantileScores(values: Float64Array, bins: number, invert = false): { scores: Uint8Array; breakpoints: Breakpoint[] } {
	const n = values.length;
	const scores = new Uint8Array(n);
	const sorted = values.slice(); // (Float64Array.from would go through the iterator)
	sorted.sort();
	// score(v) >= s  ⟺  L(v) >= k_s = ceil((s - 1) n / B)  ⟺  v > sorted[k_s - 1]  (L = # strictly lower).
	// Inverted (G = # strictly higher): G(v) >= k_s  ⟺  v < sorted[n - k_s].
	// So a score is 1 + the number of thresholds passed: at most B - 1 comparisons, no search.
	const thresholds: number[] = [];
	for (let s = 2; s <= bins; s++) {
		const k = Math.ceil(((s - 1) * n) / bins);
		if (k >= 1 && k <= n) thresholds.push(invert ? sorted[n - k] : sorted[k - 1]);
		else thresholds.push(invert ? -Infinity : Infinity); // unreachable score (k > n cannot happen for s <= B)
	}
	const t = Float64Array.from(thresholds);
	for (let i = 0; i < n; i++) {
		const v = values[i];
		let score = 1;
		if (invert) {
			for (let j = 0; j < t.length; j++) if (v < t[j]) score++;
		} else {
			for (let j = 0; j < t.length; j++) if (v > t[j]) score++;
		}
		scores[i] = score;
	}
	const breakpoints: Breakpoint[] = [];
	for (let s = 1; s <= bins; s++) breakpoints.push({ score: s, min: null, max: null, customers: 0 });
	for (let i = 0; i < n; i++) {
		const b = breakpoints[scores[i] - 1];
		const v = values[i];
		b.customers++;
		if (b.min === null || v < b.min) b.min = v;
		if (b.max === null || v > b.max) b.max = v;
	}
	return { scores, breakpoints };
}

/** Reference implementation of the definition (binary searches), kept for tests. */
export function quantileScoresBySearch(values: Float64Array, bins: number, invert = false): Uint8Array {
	const n = values.length;
	const scores = new Uint8Array(n);
	const sorted = values.slice(); // (Float64Array.from would go through the iterator)
	sorted.sort();
	for (let i = 0; i < n; i++) {
		const v = values[i];
		const count = invert ? n - upperBound(sorted, v) : lowerBound(sorted, v);
		scores[i] = 1 + Math.floor((bins * count) / n);
	}
	return scores;
}

function lowerBound(a: Float64Array, v: number): number {
	let lo = 0;
	let hi = a.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (a[mid] < v) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

function upperBound(a: Float64Array, v: number): number {
	let lo = 0;
	let hi = a.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (a[mid] <= v) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** The keys a rule takes, and what other spellings of them most likely meant. */
const RULE_KEYS = ['name', 'r', 'f', 'm'];
const RULE_KEY_HINTS: Record<string, string> = { r: 'r', recency: 'r', f: 'f', frequency: 'f', m: 'm', monetary: 'm', segment: 'name' };

/**
 * Checks a rule list against the score scale; returns problems (empty when fine). A key other than
 * name, r, f, m is refused: an omitted dimension matches any score, so `"R": [4, 5]` or
 * `"recency": [4, 5]` put every customer in that segment. Several rules of one name (as written,
 * trimmed) are one segment, the union of their ranges (a rule is one box of scores: "R 4-5 or
 * M 4-5" takes two rules); the summary counts it once (segmentIndexes). Two names that differ only
 * in case (`VIP`, `vip`) are refused: two segments, or one written two ways, cannot be told apart.
 */
export function ruleProblems(rules: readonly RfmRule[], bins: number): string[] {
	const problems: string[] = [];
	const seen = new Map<string, { i: number; name: string }>();
	rules.forEach((rule, i) => {
		if (!rule || typeof rule.name !== 'string' || rule.name.trim() === '') problems.push(`Segment rule ${i + 1} has no name`);
		else {
			const name = rule.name.trim();
			if (name !== OTHER_SEGMENT && name.toLowerCase() === OTHER_SEGMENT.toLowerCase()) {
				problems.push(`Segment rule ${i + 1} is named "${name}": write it "${OTHER_SEGMENT}" (the segment of the customers no rule matches, which it then adds to) or give it another name`);
			}
			const first = seen.get(name.toLowerCase());
			if (first === undefined) seen.set(name.toLowerCase(), { i, name });
			else if (first.name !== name) {
				problems.push(`Segment rules ${first.i + 1} and ${i + 1} are named "${first.name}" and "${name}": write the name of one segment the same way in each of its rules, or give each segment its own name`);
			}
		}
		if (rule && typeof rule === 'object') {
			for (const key of Object.keys(rule)) {
				if (RULE_KEYS.includes(key)) continue;
				const hint = RULE_KEY_HINTS[key.trim().toLowerCase()];
				problems.push(`Segment rule ${i + 1} (${String(rule.name)}) has an unknown key "${key}": ${hint ? `did you mean "${hint}"? ` : ''}a rule takes name, r, f, m (an omitted one matches any score)`);
			}
		}
		for (const dim of ['r', 'f', 'm'] as const) {
			const range = rule?.[dim];
			if (range === undefined) continue;
			if (!Array.isArray(range) || range.length !== 2 || !range.every((x) => Number.isInteger(x))) {
				problems.push(`Segment rule ${i + 1} (${rule.name}): ${dim.toUpperCase()} range must be two whole numbers`);
			} else if (range[0] < 1 || range[1] > bins || range[0] > range[1]) {
				problems.push(`Segment rule ${i + 1} (${rule.name}): ${dim.toUpperCase()} range ${range[0]}-${range[1]} is outside 1-${bins} or reversed`);
			}
		}
	});
	return problems;
}

/**
 * Maps a score on a 1..bins scale onto the classic map's 5-point scale: score s covers the
 * quantiles ((s - 1) / bins, s / bins]; it takes the 5-point score whose fifth holds that range's
 * midpoint (s - 0.5) / bins, i.e. ceil((2s - 1) · 5 / (2 · bins)). Symmetric: the lowest score
 * maps to 1 and the highest to 5 for every bin count (3 bins → 1, 3, 5; 4 → 1, 2, 4, 5), and
 * s and bins + 1 - s map to scores adding up to 6. (2s - 1) · 5 is odd and 2 · bins even, so the
 * ratio is never a whole number and ceil has no ties. 5 bins: unchanged; 10 bins: 1,1,2,2,…,5,5.
 */
export function toFivePointScale(score: number, bins: number): number {
	return bins === 5 ? score : Math.ceil(((2 * score - 1) * 5) / (2 * bins));
}

const inRange = (s: number, range: Range | undefined) => range === undefined || (s >= range[0] && s <= range[1]);

/**
 * Per rule, the index of the first rule of its name (trimmed): the segment it counts for. Rules of
 * one name are one segment (ruleProblems). A rule named "Others" counts for the segment of the
 * customers no rule matches (index rules.length), so the summary has one Others row.
 */
export function segmentIndexes(rules: readonly RfmRule[]): number[] {
	const first = new Map<string, number>([[OTHER_SEGMENT, rules.length]]);
	return rules.map((rule, i) => {
		const name = typeof rule?.name === 'string' ? rule.name.trim() : '';
		if (!first.has(name)) first.set(name, i);
		return first.get(name)!;
	});
}

/** First matching rule's index, or -1. */
export function matchRule(rules: readonly RfmRule[], r: number, f: number, m: number): number {
	for (let i = 0; i < rules.length; i++) {
		const rule = rules[i];
		if (inRange(r, rule.r) && inRange(f, rule.f) && inRange(m, rule.m)) return i;
	}
	return -1;
}

/**
 * Per-customer accumulator over transactions. The four numbers of a customer (last, first,
 * count, sum) sit side by side in one Float64Array, so an update touches one cache line even
 * with millions of customers.
 */
export class RfmAccumulator {
	readonly ids: string[] = [];
	private readonly index = new Map<string, number>();
	private data = new Float64Array(4 * 1024);
	transactions = 0;
	/** Transactions dated after the reference date: left out. */
	skippedFuture = 0;

	constructor(private readonly referenceMs: number) {}

	get size(): number {
		return this.ids.length;
	}

	get reference(): number {
		return this.referenceMs;
	}

	/** Adds one transaction; returns the customer's index, or -1 when it is after the reference date. */
	add(customerId: string, timeMs: number, amountMinor: number): number {
		if (timeMs > this.referenceMs) {
			this.skippedFuture++;
			return -1;
		}
		let i = this.index.get(customerId);
		if (i === undefined) {
			i = this.newCustomer(customerId, timeMs);
			this.index.set(customerId, i);
		}
		this.addAt(i, timeMs, amountMinor);
		return i;
	}

	/**
	 * Registers a customer without the string index (for callers that keep their own, like the
	 * CSV path's byte-keyed index). The caller must not also add() the same id.
	 */
	newCustomer(customerId: string, timeMs: number): number {
		const i = this.ids.length;
		if (4 * i === this.data.length) {
			const bigger = new Float64Array(this.data.length * 2);
			bigger.set(this.data);
			this.data = bigger;
		}
		this.ids.push(customerId);
		this.data[4 * i] = timeMs;
		this.data[4 * i + 1] = timeMs;
		return i;
	}

	/** Adds a transaction (already checked against the reference date) to customer i. */
	addAt(i: number, timeMs: number, amountMinor: number): void {
		const d = this.data;
		const o = 4 * i;
		if (timeMs > d[o]) d[o] = timeMs;
		if (timeMs < d[o + 1]) d[o + 1] = timeMs;
		d[o + 2]++;
		d[o + 3] += amountMinor;
		this.transactions++;
	}

	/** Overwrites customer i's numbers (bulk loads from another aggregation). */
	setAt(i: number, lastMs: number, firstMs: number, count: number, sumMinor: number): void {
		const o = 4 * i;
		this.data[o] = lastMs;
		this.data[o + 1] = firstMs;
		this.data[o + 2] = count;
		this.data[o + 3] = sumMinor;
	}

	private column(k: number): Float64Array {
		const n = this.ids.length;
		const out = new Float64Array(n);
		for (let i = 0; i < n; i++) out[i] = this.data[4 * i + k];
		return out;
	}

	/** Last purchase time per customer (epoch ms). */
	get lastMs(): Float64Array {
		return this.column(0);
	}

	get firstMs(): Float64Array {
		return this.column(1);
	}

	get count(): Float64Array {
		return this.column(2);
	}

	get sumMinor(): Float64Array {
		return this.column(3);
	}

	indexOf(customerId: string): number | undefined {
		return this.index.get(customerId);
	}
}

export interface RfmOptions {
	bins: number;
	/** 'sum' (default) or 'average' monetary value per customer. */
	monetary: 'sum' | 'average';
	/** Ordered rules; default the classic map (scores rescaled to 5 points when bins ≠ 5). */
	rules?: readonly RfmRule[];
}

export interface RfmDimensions {
	recencyDays: Float64Array;
	frequency: Float64Array;
	/** Monetary value in minor units (sum, or average = sum / count: exact ratio of integers). */
	monetaryMinor: Float64Array;
	/** Revenue (sum) in minor units, for the summary. */
	revenueMinor: Float64Array;
}

export interface RfmResult {
	r: Uint8Array;
	f: Uint8Array;
	m: Uint8Array;
	/** Index into `segmentNames` per customer. */
	segment: Uint16Array;
	segmentNames: string[];
	breakpoints: { recency_days: Breakpoint[]; frequency: Breakpoint[]; monetary_minor: Breakpoint[] };
	segments: Array<{ segment: string; customers: number; revenue_minor: number }>;
	warnings: string[];
}

export function dimensionsFromAccumulator(acc: RfmAccumulator, referenceMs: number, monetary: 'sum' | 'average'): RfmDimensions {
	const n = acc.size;
	const recencyDays = new Float64Array(n);
	const frequency = acc.count;
	const revenueMinor = acc.sumMinor;
	const last = acc.lastMs;
	const monetaryMinor = monetary === 'average' ? new Float64Array(n) : revenueMinor;
	for (let i = 0; i < n; i++) {
		recencyDays[i] = Math.floor((referenceMs - last[i]) / 86_400_000);
		if (monetary === 'average') monetaryMinor[i] = revenueMinor[i] / frequency[i];
	}
	return { recencyDays, frequency, monetaryMinor, revenueMinor };
}

export function scoreRfm(dims: RfmDimensions, options: RfmOptions): RfmResult {
	const { bins } = options;
	if (!Number.isInteger(bins) || bins < 3 || bins > 10) throw new RangeError(`Number of score bins must be a whole number from 3 to 10 (got ${bins})`);
	const custom = options.rules !== undefined;
	const rules = options.rules ?? CLASSIC_SEGMENTS;
	const warnings: string[] = [];
	const problems = ruleProblems(rules, custom ? bins : 5);
	if (problems.length) throw new RangeError(problems.join('; '));
	// segments, not rules: several rules of one name are one segment
	const segmentCount = new Set(segmentIndexes(rules).filter((k) => k < rules.length)).size;
	if (segmentCount > MAX_SEGMENTS_BEFORE_WARNING) {
		warnings.push(`${segmentCount} segments are configured; more than ${MAX_SEGMENTS_BEFORE_WARNING} are hard to act on in campaigns`);
	}
	const rs = quantileScores(dims.recencyDays, bins, true);
	const fs = quantileScores(dims.frequency, bins);
	const ms = quantileScores(dims.monetaryMinor, bins);
	const n = dims.recencyDays.length;
	// trimmed, as rules are grouped by name: "VIP " and "VIP" are one segment, named "VIP"
	const segmentNames = [...rules.map((r) => r.name.trim()), OTHER_SEGMENT];
	// rules of one name count as the first of them: one summary row per segment
	const segmentOf = segmentIndexes(rules);
	const segment = new Uint16Array(n);
	const counts = new Array<number>(segmentNames.length).fill(0);
	const revenue = new Array<number>(segmentNames.length).fill(0);
	for (let i = 0; i < n; i++) {
		let r = rs.scores[i];
		let f = fs.scores[i];
		let m = ms.scores[i];
		if (!custom && bins !== 5) {
			r = toFivePointScale(r, bins);
			f = toFivePointScale(f, bins);
			m = toFivePointScale(m, bins);
		}
		let k = matchRule(rules, r, f, m);
		k = k < 0 ? rules.length : segmentOf[k];
		segment[i] = k;
		counts[k]++;
		revenue[k] += dims.revenueMinor[i];
	}
	const segments = segmentNames
		.map((name, k) => ({ segment: name, customers: counts[k], revenue_minor: revenue[k] }))
		.filter((s, k) => (k < rules.length ? segmentOf[k] === k : s.customers > 0));
	return {
		r: rs.scores,
		f: fs.scores,
		m: ms.scores,
		segment,
		segmentNames,
		breakpoints: { recency_days: rs.breakpoints, frequency: fs.breakpoints, monetary_minor: ms.breakpoints },
		segments,
		warnings,
	};
}
