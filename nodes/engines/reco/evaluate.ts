/**
 * Offline evaluation, with one of two splits of the order history into training and test.
 *
 * Each Customer's Latest Product (`latestProduct`, the default): for every customer with at least
 * two distinct purchased products, the product they bought first most recently (their last new
 * product; of several first bought at the same time, the smaller id as text) is held out, together with every view they made at or after that moment. The model is
 * trained on what remains, each customer gets N recommendations from their remaining history, and
 * we count how often the held-out product is among them (hit rate@N) and how high (MAP@N, NDCG@N),
 * with precision@N and recall@N beside them (definitions at each function below). Other
 * customers' purchases made after a held-out one stay in training: the future leaks in.
 *
 * Time Cut-off (`timeCutoff`): one instant splits every customer's lines. The model and the
 * best-seller baseline learn only from lines (purchases and views) before the cut-off; each
 * customer with history before it who buys, at or after it, a product they had not bought before
 * is a test case whose relevant set is all such products. Nothing after the cut-off is seen.
 *
 * A popularity baseline (the N best sellers they have not bought) is scored on the same split.
 */
import { compileModel, recommend, type CompiledModel } from './recommend';
import { isCounted, train, TrainError } from './train';
import type { Interaction, RecommendOptions, TrainOptions } from './types';

/**
 * Average precision at N of one ranked list: (1 / min(|relevant|, N)) · Σ_k P@k · rel(k)
 * over the first N positions (the usual AP@K of recommender evaluation).
 */
export function averagePrecisionAtN(ranked: readonly string[], relevant: ReadonlySet<string>, n: number): number {
	if (relevant.size === 0) return 0;
	let hits = 0;
	let sum = 0;
	for (let k = 0; k < Math.min(n, ranked.length); k++) {
		if (relevant.has(ranked[k])) {
			hits++;
			sum += hits / (k + 1);
		}
	}
	return sum / Math.min(relevant.size, n);
}

/**
 * Precision at N: (relevant products among the first N) / N. A list shorter than N counts its
 * missing slots as misses (the email had N slots to fill).
 */
export function precisionAtN(ranked: readonly string[], relevant: ReadonlySet<string>, n: number): number {
	return hitsAtN(ranked, relevant, n) / n;
}

/** Recall at N: (relevant products among the first N) / |relevant|; 0 when nothing is relevant. */
export function recallAtN(ranked: readonly string[], relevant: ReadonlySet<string>, n: number): number {
	return relevant.size === 0 ? 0 : hitsAtN(ranked, relevant, n) / relevant.size;
}

/**
 * Discounted cumulative gain at N of gains in ranked order: Σ_{k=1..N} gain_k / log2(k + 1)
 * (linear gain, log2 discount: Järvelin & Kekäläinen 2002 in the form of most libraries).
 */
export function dcgAtN(gains: readonly number[], n: number): number {
	let sum = 0;
	for (let k = 0; k < Math.min(n, gains.length); k++) sum += gains[k] / Math.log2(k + 2);
	return sum;
}

/**
 * NDCG at N with binary relevance: DCG@N / IDCG@N, where rel_k = 1 when the k-th product is
 * relevant (else 0) and the ideal list puts min(|relevant|, N) relevant products first:
 * IDCG@N = Σ_{k=1..min(|relevant|, N)} 1 / log2(k + 1). 0 when nothing is relevant.
 */
export function ndcgAtN(ranked: readonly string[], relevant: ReadonlySet<string>, n: number): number {
	if (relevant.size === 0) return 0;
	const gains = ranked.slice(0, n).map((id) => (relevant.has(id) ? 1 : 0));
	return dcgAtN(gains, n) / dcgAtN(new Array<number>(Math.min(relevant.size, n)).fill(1), n);
}

function hitsAtN(ranked: readonly string[], relevant: ReadonlySet<string>, n: number): number {
	let hits = 0;
	for (let k = 0; k < Math.min(n, ranked.length); k++) if (relevant.has(ranked[k])) hits++;
	return hits;
}

/** 1 when any relevant product is among the first N, else 0. */
export function hitAtN(ranked: readonly string[], relevant: ReadonlySet<string>, n: number): number {
	for (let k = 0; k < Math.min(n, ranked.length); k++) if (relevant.has(ranked[k])) return 1;
	return 0;
}

export type EvaluationSplit = 'latestProduct' | 'timeCutoff';

export interface EvaluateOptions {
	/** List length N. Default 10. */
	n?: number;
	/** How the history is split into training and test. Default 'latestProduct'. */
	split?: EvaluationSplit;
	/** Time Cut-off: the instant (epoch ms) that starts the test period. Default: see `testShare`. */
	cutoff?: number;
	/**
	 * Time Cut-off without `cutoff`: the percentage (above 0, below 100) of dated purchase lines in the
	 * test period; the cut-off is the time of the earliest of the latest ceil(share · lines). Default 20.
	 */
	testShare?: number;
	train?: TrainOptions;
	recommend?: Omit<RecommendOptions, 'count'>;
}

export const DEFAULT_TEST_SHARE = 20;

/** The metrics of one recommender (the model or the best sellers), each the mean over the test cases. */
export interface MetricPair {
	hit_rate: number;
	map: number;
	precision: number;
	recall: number;
	ndcg: number;
}

export interface EvaluationResult {
	n: number;
	customers: number;
	customers_evaluated: number;
	similarity: string;
	model: MetricPair;
	popularity: MetricPair;
	/** model / popularity, per metric (null when the baseline is 0). */
	lift_hit_rate: number | null;
	lift_map: number | null;
	lift_precision: number | null;
	lift_recall: number | null;
	lift_ndcg: number | null;
	/** Share of recommendation slots the model had to fill with best sellers. */
	fill_share: number;
}

/** The Time Cut-off result: the split used and its counts, then the metrics. */
export interface TimeCutoffEvaluationResult extends EvaluationResult {
	split: 'time_cutoff';
	/** The cut-off used (ISO 8601, UTC). */
	cutoff: string;
	/** The test share the cut-off was computed from; null when the cut-off was given. */
	test_share: number | null;
	/** Customers who bought a new product at or after the cut-off but have no line before it (not scored). */
	customers_cold_start: number;
	/** Customers with history before the cut-off whose purchases after it are all products they had bought (not scored). */
	customers_repeat_only: number;
	/** Lines (purchases and views) before the cut-off: the training set. */
	lines_before_cutoff: number;
	/** Lines at or after the cut-off. */
	lines_after_cutoff: number;
	/** Lines without a time: neither side of the cut-off, left out. */
	lines_without_time: number;
}

export function evaluate(all: readonly Interaction[], options: EvaluateOptions & { split: 'timeCutoff' }): TimeCutoffEvaluationResult;
export function evaluate(all: readonly Interaction[], options?: EvaluateOptions): EvaluationResult;
export function evaluate(all: readonly Interaction[], options: EvaluateOptions = {}): EvaluationResult {
	const n = options.n ?? 10;
	if (!Number.isInteger(n) || n < 1) throw new RangeError(`The list length N must be a whole number of at least 1 (got ${String(n)})`);
	const split = options.split ?? 'latestProduct';
	if (split === 'timeCutoff') return evaluateTimeCutoff(all, n, options);
	if (split !== 'latestProduct') throw new RangeError(`The split must be "latestProduct" or "timeCutoff" (got ${JSON.stringify(split)})`);
	return evaluateLatestProduct(all, n, options);
}

/** One test case: what the recommender knows of the customer, and the products that count as a hit. */
interface TestCase {
	context: { purchased: Array<{ id: string; time?: number }>; viewed: Array<{ id: string; time?: number }> };
	relevant: ReadonlySet<string>;
}

/** Each Customer's Latest Product (see the file comment). */
function evaluateLatestProduct(all: readonly Interaction[], n: number, options: EvaluateOptions): EvaluationResult {
	// as in training: a purchase line of quantity 0 bought nothing (it cannot be the held-out product)
	const interactions = all.filter(isCounted);
	// first purchase time of each (customer, product); input order breaks ties and stands in for missing times
	const first = new Map<string, Map<string, { time: number; order: number }>>();
	interactions.forEach((line, order) => {
		if (line.kind === 'view') return;
		let products = first.get(line.customerId);
		if (!products) first.set(line.customerId, (products = new Map()));
		const time = Number.isFinite(line.time) ? (line.time as number) : -Infinity;
		const seen = products.get(line.productId);
		if (!seen || time < seen.time) products.set(line.productId, { time, order });
	});
	const heldOut = new Map<string, { productId: string; time: number }>();
	for (const [customerId, products] of first) {
		if (products.size < 2) continue;
		let best: [string, { time: number; order: number }] | undefined;
		// at the same time (the products of one order) the smaller product id as text, not the later
		// input row: the same history in another row order must hold out the same product; without
		// times the input order is all there is (later = newer)
		const later = (a: [string, { time: number; order: number }], b: [string, { time: number; order: number }]): boolean =>
			a[1].time > b[1].time || (a[1].time === b[1].time && (Number.isFinite(a[1].time) ? a[0] < b[0] : a[1].order > b[1].order));
		for (const entry of products) if (!best || later(entry, best)) best = entry;
		heldOut.set(customerId, { productId: best![0], time: best![1].time });
	}

	const trainSet: Interaction[] = [];
	const history = new Map<string, TestCase['context']>();
	for (const line of interactions) {
		const h = heldOut.get(line.customerId);
		if (h) {
			if (line.kind === 'view') {
				const time = Number.isFinite(line.time) ? (line.time as number) : undefined;
				if (time !== undefined && Number.isFinite(h.time) ? time >= h.time : line.productId === h.productId) continue;
			} else if (line.productId === h.productId) continue;
			let entry = history.get(line.customerId);
			if (!entry) history.set(line.customerId, (entry = { purchased: [], viewed: [] }));
			(line.kind === 'view' ? entry.viewed : entry.purchased).push({ id: line.productId, time: line.time });
		}
		trainSet.push(line);
	}

	const model = compileModel(train(trainSet, options.train));
	const cases: TestCase[] = [];
	for (const [customerId, h] of heldOut) cases.push({ context: history.get(customerId) ?? { purchased: [], viewed: [] }, relevant: new Set([h.productId]) });
	return { n, customers: first.size, customers_evaluated: cases.length, ...score(model, cases, n, options.recommend) };
}

/** Time Cut-off (see the file comment). */
function evaluateTimeCutoff(all: readonly Interaction[], n: number, options: EvaluateOptions): TimeCutoffEvaluationResult {
	const interactions = all.filter(isCounted);
	const dated = (line: Interaction): boolean => Number.isFinite(line.time);
	let cutoff: number;
	let testShare: number | null = null;
	if (options.cutoff !== undefined) {
		if (!Number.isFinite(options.cutoff)) throw new RangeError(`The cut-off must be a time in epoch milliseconds (got ${String(options.cutoff)})`);
		cutoff = options.cutoff;
	} else {
		testShare = options.testShare ?? DEFAULT_TEST_SHARE;
		if (typeof testShare !== 'number' || !(testShare > 0 && testShare < 100)) throw new RangeError(`The test share must be a percentage above 0 and below 100 (got ${String(testShare)})`);
		const times = interactions.filter((line) => line.kind !== 'view' && dated(line)).map((line) => line.time as number);
		if (times.length === 0) throw new TrainError('Time Cut-off needs order lines with a time: none has one (check the Time Field)');
		times.sort((a, b) => a - b);
		cutoff = times[times.length - Math.ceil((times.length * testShare) / 100)];
	}

	const customers = new Set<string>();
	const trainSet: Interaction[] = [];
	const history = new Map<string, TestCase['context']>();
	/** New products bought at or after the cut-off, per customer (checked against history below). */
	const later = new Map<string, Set<string>>();
	let linesAfter = 0;
	let undated = 0;
	for (const line of interactions) {
		if (line.kind !== 'view') customers.add(line.customerId);
		if (!dated(line)) {
			undated++;
			continue;
		}
		if ((line.time as number) >= cutoff) {
			linesAfter++;
			if (line.kind === 'view') continue;
			let products = later.get(line.customerId);
			if (!products) later.set(line.customerId, (products = new Set()));
			products.add(line.productId);
			continue;
		}
		trainSet.push(line);
		let entry = history.get(line.customerId);
		if (!entry) history.set(line.customerId, (entry = { purchased: [], viewed: [] }));
		(line.kind === 'view' ? entry.viewed : entry.purchased).push({ id: line.productId, time: line.time });
	}
	const at = new Date(cutoff).toISOString();
	if (!trainSet.some((line) => line.kind !== 'view')) throw new TrainError(`No order line before the cut-off ${at}: nothing to train on (choose a later cut-off)`);

	const cases: TestCase[] = [];
	let coldStart = 0;
	let repeatOnly = 0;
	for (const [customerId, products] of later) {
		const context = history.get(customerId);
		if (!context) {
			coldStart++;
			continue;
		}
		const bought = new Set(context.purchased.map((p) => p.id));
		const relevant = new Set([...products].filter((p) => !bought.has(p)));
		if (relevant.size === 0) repeatOnly++;
		else cases.push({ context, relevant });
	}
	// trained as Train would have trained it at the cut-off, on the lines known then
	const model = compileModel(train(trainSet, options.train));
	const { similarity, ...metrics } = score(model, cases, n, options.recommend);
	return {
		n,
		split: 'time_cutoff',
		cutoff: at,
		test_share: testShare,
		customers: customers.size,
		customers_evaluated: cases.length,
		customers_cold_start: coldStart,
		customers_repeat_only: repeatOnly,
		lines_before_cutoff: trainSet.length,
		lines_after_cutoff: linesAfter,
		lines_without_time: undated,
		similarity,
		...metrics,
	};
}

/** Hit rate@N, MAP@N, precision@N, recall@N and NDCG@N of the model and of the best sellers over the test cases. */
function score(model: CompiledModel, cases: readonly TestCase[], n: number, options: EvaluateOptions['recommend']): Omit<EvaluationResult, 'n' | 'customers' | 'customers_evaluated'> {
	const sums = { model: newSums(), popularity: newSums() };
	let filled = 0;
	let slots = 0;
	for (const { context, relevant } of cases) {
		const recs = recommend(model, context, { ...options, count: n });
		const ranked = recs.map((r) => r.product_id);
		for (const r of recs) if (r.reason_code === 'best_seller' || r.reason_code === 'popular_in_category') filled++;
		slots += n;
		add(sums.model, ranked, relevant, n);
		const bought = new Set(context.purchased.map((p) => p.id));
		const popular: string[] = [];
		for (const p of model.bestSellers) {
			if (popular.length >= n) break;
			const id = model.ids[p];
			if (!bought.has(id)) popular.push(id);
		}
		add(sums.popularity, popular, relevant, n);
	}
	const k = cases.length;
	const mean = (s: MetricPair): MetricPair => {
		const metric = (x: number): number => (k === 0 ? 0 : round4(x / k));
		return { hit_rate: metric(s.hit_rate), map: metric(s.map), precision: metric(s.precision), recall: metric(s.recall), ndcg: metric(s.ndcg) };
	};
	// model / baseline over the sums (the same k cases): null when the baseline scored 0
	const lift = (metric: keyof MetricPair): number | null => (sums.popularity[metric] > 0 ? round4(sums.model[metric] / sums.popularity[metric]) : null);
	return {
		similarity: model.json.similarity,
		model: mean(sums.model),
		popularity: mean(sums.popularity),
		lift_hit_rate: lift('hit_rate'),
		lift_map: lift('map'),
		lift_precision: lift('precision'),
		lift_recall: lift('recall'),
		lift_ndcg: lift('ndcg'),
		fill_share: slots === 0 ? 0 : round4(filled / slots),
	};
}

function newSums(): MetricPair {
	return { hit_rate: 0, map: 0, precision: 0, recall: 0, ndcg: 0 };
}

function add(sums: MetricPair, ranked: readonly string[], relevant: ReadonlySet<string>, n: number): void {
	sums.hit_rate += hitAtN(ranked, relevant, n);
	sums.map += averagePrecisionAtN(ranked, relevant, n);
	sums.precision += precisionAtN(ranked, relevant, n);
	sums.recall += recallAtN(ranked, relevant, n);
	sums.ndcg += ndcgAtN(ranked, relevant, n);
}

function round4(x: number): number {
	return Math.round(x * 1e4) / 1e4;
}
