/**
 * Training: interactions (order lines, optional views) → item-to-item model.
 *
 * 1. Ids are interned to integers (a purchase line of quantity 0 is left out: it bought nothing);
 *    each (customer, product) pair gets one weight: 1 for a
 *    purchase, `viewWeight` for a product only viewed, times the time decay
 *    0.5^(age / halfLife) of its most recent interaction (when decay is on).
 * 2. Each customer keeps at most `maxProductsPerCustomer` products: the highest weights
 *    (purchases before views; with decay, the more recent first), equal weights going to the
 *    product touched most recently by time, whatever the input order (a line without a time
 *    counts as oldest, and between two such the later input wins; at the same time, the smaller
 *    product id as text wins, not the input order: one order's lines share their time). This
 *    bounds the quadratic co-occurrence work of heavy buyers.
 * 3. For every product a, the co-occurrence with every product b is accumulated in a dense
 *    typed-array scratch row over a's customers (CSR layouts, no string keys), scored with
 *    the chosen similarity, and the top K neighbours are kept. Each neighbour also keeps the share of
 *    its co-occurrence weight that came from customers who bought both products (`boughtShare`):
 *    Recommend says "Bought together" only for what purchases made (see `ModelProductJson.neighbors`).
 */
import { similarity } from './similarity';
import type { Interaction, ModelProductJson, ProductDetails, RecoModelJson, SimilarityKind, TrainOptions } from './types';

const DAY_MS = 86_400_000;

export const TRAIN_DEFAULTS: Required<Omit<TrainOptions, 'asOf'>> = {
	similarity: 'cosine',
	neighbors: 20,
	halfLifeDays: 0,
	viewWeight: 0.3,
	maxProductsPerCustomer: 200,
	minSupport: 2,
	bestSellers: 100,
	bestSellersPerCategory: 20,
};

export class TrainError extends Error {
	constructor(
		message: string,
		/** The option at fault, when the error is about one. */
		readonly option?: keyof TrainOptions,
	) {
		super(message);
	}
}

/**
 * Whether a line is used at all: a view always, a purchase unless its quantity is given and not
 * above 0 (an order line of quantity 0 bought nothing). Train and Evaluate read lines with it, and
 * Recommend the products of an order event given as the customer.
 */
export function isCounted(line: Pick<Interaction, 'kind' | 'quantity'>): boolean {
	return line.kind === 'view' || line.quantity === undefined || line.quantity > 0;
}

/** The allowed range of each numeric option: [least, most, whole numbers only]. */
export const TRAIN_OPTION_RANGES: Record<Exclude<keyof TrainOptions, 'similarity' | 'asOf'>, readonly [number, number, boolean]> = {
	neighbors: [1, Infinity, true],
	halfLifeDays: [0, Infinity, false],
	viewWeight: [0, 1, false],
	maxProductsPerCustomer: [1, Infinity, true],
	minSupport: [1, Infinity, true],
	bestSellers: [0, Infinity, true],
	bestSellersPerCategory: [0, Infinity, true],
};

export const SIMILARITIES: readonly SimilarityKind[] = ['cosine', 'jaccard', 'llr'];

/** Whether `value` is in the range; else what it must be ("a whole number from 1 to 200"). */
export function outOfRange(value: unknown, [least, most, whole]: readonly [number, number, boolean]): string | undefined {
	if (typeof value === 'number' && value >= least && value <= most && (!whole || Number.isInteger(value))) return undefined;
	return `${whole ? 'a whole number' : 'a number'} ${most === Infinity ? `of at least ${least}` : `from ${least} to ${most}`}`;
}

/**
 * The first option (similarity, then TRAIN_OPTION_RANGES in order) that is set and out of its
 * range, with what it must be; `most` lowers upper bounds (the node allows 200 neighbours at most).
 */
export function trainOptionProblem(
	options: TrainOptions,
	most: Partial<Record<keyof typeof TRAIN_OPTION_RANGES, number>> = {},
): { option: Exclude<keyof TrainOptions, 'asOf'>; expected: string } | undefined {
	if (options.similarity !== undefined && !SIMILARITIES.includes(options.similarity)) return { option: 'similarity', expected: `one of ${SIMILARITIES.join(', ')}` };
	for (const [option, [least, upper, whole]] of Object.entries(TRAIN_OPTION_RANGES) as Array<[keyof typeof TRAIN_OPTION_RANGES, readonly [number, number, boolean]]>) {
		const value = options[option];
		const expected = value === undefined ? undefined : outOfRange(value, [least, Math.min(upper, most[option] ?? Infinity), whole]);
		if (expected) return { option, expected };
	}
	return undefined;
}

/** The first option out of its range (a TrainError naming it), or nothing. */
export function checkTrainOptions(options: TrainOptions): TrainError | undefined {
	const problem = trainOptionProblem(options);
	if (problem?.option === 'similarity') return new TrainError(`Unknown similarity ${JSON.stringify(options.similarity)} (use ${SIMILARITIES.join(', ')})`, 'similarity');
	if (problem) return new TrainError(`${problem.option} must be ${problem.expected} (got ${JSON.stringify(options[problem.option])})`, problem.option);
	if (options.asOf !== undefined && !Number.isFinite(options.asOf)) return new TrainError('asOf must be a time in epoch milliseconds', 'asOf');
	return undefined;
}

export function train(interactions: Iterable<Interaction>, options: TrainOptions = {}, now = new Date()): RecoModelJson {
	const invalid = checkTrainOptions(options);
	if (invalid) throw invalid;
	const opts = { ...TRAIN_DEFAULTS, ...stripUndefined(options) };

	// ---- 1. intern ids, collect raw lines into typed arrays
	const customerIndex = new Map<string, number>();
	const productIndex = new Map<string, number>();
	const productIds: string[] = [];
	const details: Array<ProductDetails | undefined> = [];
	/** Per product, the time of the line each detail was taken from (-Infinity: a line without a time). */
	const detailTimes: Array<Record<string, number> | undefined> = [];
	let cap = 1024;
	let cust = new Int32Array(cap);
	let prod = new Int32Array(cap);
	let time = new Float64Array(cap);
	let isView = new Uint8Array(cap);
	let qty = new Float64Array(cap);
	let n = 0;
	let purchases = 0;
	let views = 0;
	let maxTime = -Infinity;
	for (const line of interactions) {
		if (!isCounted(line)) continue;
		if (n === cap) {
			cap *= 2;
			cust = grow(cust, cap);
			prod = grow(prod, cap);
			time = grow(time, cap);
			isView = grow(isView, cap);
			qty = grow(qty, cap);
		}
		let c = customerIndex.get(line.customerId);
		if (c === undefined) {
			c = customerIndex.size;
			customerIndex.set(line.customerId, c);
		}
		let p = productIndex.get(line.productId);
		if (p === undefined) {
			p = productIds.length;
			productIndex.set(line.productId, p);
			productIds.push(line.productId);
			details.push(undefined);
			detailTimes.push(undefined);
		}
		if (line.details) mergeDetails(details, detailTimes, p, line.details, line.time);
		const view = line.kind === 'view';
		cust[n] = c;
		prod[n] = p;
		const t = line.time ?? NaN;
		time[n] = t;
		if (t > maxTime) maxTime = t;
		isView[n] = view ? 1 : 0;
		qty[n] = view ? 0 : (line.quantity ?? 1);
		if (view) views++;
		else purchases++;
		n++;
	}
	const C = customerIndex.size;
	const P = productIds.length;
	if (purchases === 0) throw new TrainError('No order lines to train on (views alone cannot make a model)');

	const asOf = options.asOf ?? (Number.isFinite(maxTime) ? maxTime : NaN);
	const decayOn = opts.halfLifeDays > 0 && Number.isFinite(asOf);
	const lambda = decayOn ? Math.LN2 / (opts.halfLifeDays * DAY_MS) : 0;
	const weightOf = (i: number): number => {
		const base = isView[i] ? opts.viewWeight : 1;
		if (!decayOn || !Number.isFinite(time[i])) return base;
		const age = Math.max(0, asOf - time[i]);
		return base * Math.exp(-lambda * age);
	};

	// ---- 2. CSR by customer (counting sort), one weight per (customer, product)
	const custStart = new Int32Array(C + 1);
	for (let i = 0; i < n; i++) custStart[cust[i] + 1]++;
	for (let c = 0; c < C; c++) custStart[c + 1] += custStart[c];
	const order = new Int32Array(n);
	const fill = custStart.slice(0, C);
	for (let i = 0; i < n; i++) order[fill[cust[i]]++] = i;

	const units = new Float64Array(P);
	const buyers = new Float64Array(P);
	const lastSeen = new Int32Array(P).fill(-1); // customer that last touched the product
	const slot = new Int32Array(P); // its position in the customer's row
	const rowStart = new Int32Array(C + 1);
	const rowItems = new Int32Array(n);
	const rowW = new Float64Array(n);
	const rowBought = new Uint8Array(n);
	let m = 0;
	let tmpIdx: number[] = [];
	for (let c = 0; c < C; c++) {
		rowStart[c] = m;
		const begin = m;
		for (let k = custStart[c]; k < custStart[c + 1]; k++) {
			const i = order[k];
			const p = prod[i];
			const w = weightOf(i);
			units[p] += qty[i];
			if (lastSeen[p] !== c) {
				lastSeen[p] = c;
				slot[p] = m;
				rowItems[m] = p;
				rowW[m] = w;
				rowBought[m] = isView[i] ? 0 : 1;
				m++;
			} else {
				const s = slot[p];
				if (!isView[i]) {
					// a purchase outranks views of the same product
					if (!rowBought[s]) {
						rowBought[s] = 1;
						rowW[s] = w;
					} else if (w > rowW[s]) rowW[s] = w;
				} else if (!rowBought[s] && w > rowW[s]) rowW[s] = w;
			}
		}
		for (let s = begin; s < m; s++) if (rowBought[s]) buyers[rowItems[s]] += rowW[s];
		// cap heavy customers: keep the highest weights. Without decay every purchase weighs 1 and
		// every view viewWeight, so equal weights are the rule: they go to the latest interaction
		// of the kind that set the weight (purchases for a bought product), then, at the same time, to
		// the smaller product id (as text, as neighbour ties): not to the later input row, since the
		// lines of one order share their time and the same history in another row order must train
		// the same model. Lines without a time have only their input order to go by (later = newer).
		const len = m - begin;
		if (len > opts.maxProductsPerCustomer) {
			const latest = new Float64Array(len).fill(-Infinity);
			for (let k = custStart[c]; k < custStart[c + 1]; k++) {
				const i = order[k];
				const s = slot[prod[i]] - begin;
				if (rowBought[begin + s] === (isView[i] ? 0 : 1) && time[i] > latest[s]) latest[s] = time[i];
			}
			tmpIdx = [];
			for (let s = begin; s < m; s++) tmpIdx.push(s);
			const idOrder = (a: number, b: number): number => {
				const x = productIds[rowItems[a]];
				const y = productIds[rowItems[b]];
				return x < y ? -1 : x > y ? 1 : 0;
			};
			// equal latest times: both finite (one order's lines) → by id; both missing → the later input row
			tmpIdx.sort((a, b) => rowW[b] - rowW[a] || latest[b - begin] - latest[a - begin] || (Number.isFinite(latest[a - begin]) ? idOrder(a, b) : b - a));
			const keep = tmpIdx.slice(0, opts.maxProductsPerCustomer).sort((a, b) => a - b);
			const items = keep.map((s) => rowItems[s]);
			const ws = keep.map((s) => rowW[s]);
			const bought = keep.map((s) => rowBought[s]);
			for (let j = 0; j < keep.length; j++) {
				rowItems[begin + j] = items[j];
				rowW[begin + j] = ws[j];
				rowBought[begin + j] = bought[j];
			}
			m = begin + keep.length;
		}
	}
	rowStart[C] = m;

	// ---- item → customers CSR, and per-item sums
	const s1 = new Float64Array(P);
	const s2 = new Float64Array(P);
	const itemStart = new Int32Array(P + 1);
	for (let s = 0; s < m; s++) {
		const p = rowItems[s];
		itemStart[p + 1]++;
		s1[p] += rowW[s];
		s2[p] += rowW[s] * rowW[s];
	}
	for (let p = 0; p < P; p++) itemStart[p + 1] += itemStart[p];
	const itemCust = new Int32Array(m);
	const itemW = new Float64Array(m);
	const itemBought = new Uint8Array(m);
	const itemFill = itemStart.slice(0, P);
	for (let c = 0; c < C; c++) {
		for (let s = rowStart[c]; s < rowStart[c + 1]; s++) {
			const p = rowItems[s];
			const at = itemFill[p]++;
			itemCust[at] = c;
			itemW[at] = rowW[s];
			itemBought[at] = rowBought[s];
		}
	}

	// ---- 3. co-occurrence rows and top-K neighbours
	// Equal similarities go to the smaller product id (as text), not to the product met first in the
	// input: the same order history in another row order (a query without ORDER BY, an export sorted
	// newest first) must keep the same neighbours when ties straddle Neighbours per Product. The heap
	// holds each product's rank by id; byIdRank maps a rank back to the product.
	const byIdRank = Array.from({ length: P }, (_, p) => p).sort((a, b) => (productIds[a] < productIds[b] ? -1 : productIds[a] > productIds[b] ? 1 : 0));
	const idRank = new Int32Array(P);
	for (let r = 0; r < P; r++) idRank[byIdRank[r]] = r;
	const acc = new Float64Array(P);
	/** The part of `acc` from customers who bought both products (not viewed either). */
	const accBought = new Float64Array(P);
	/** accBought / acc of the products touched for the current product. */
	const boughtShare = new Float64Array(P);
	const support = new Int32Array(P);
	const touched = new Int32Array(P);
	const K = opts.neighbors;
	const heapIds = new Int32Array(K);
	const heapScores = new Float64Array(K);
	const neighbors: ModelProductJson['neighbors'][] = new Array(P);
	let links = 0;
	let withNeighbors = 0;
	for (let a = 0; a < P; a++) {
		let nt = 0;
		for (let k = itemStart[a]; k < itemStart[a + 1]; k++) {
			const c = itemCust[k];
			const wa = itemW[k];
			const aBought = itemBought[k] === 1;
			// a weight of 0 (Training View Weight 0: views ignored) is no evidence: it does not count towards the minimum support
			if (wa === 0) continue;
			for (let s = rowStart[c]; s < rowStart[c + 1]; s++) {
				const b = rowItems[s];
				if (b === a || rowW[s] === 0) continue;
				if (support[b] === 0) touched[nt++] = b;
				support[b]++;
				const w = wa * rowW[s];
				acc[b] += w;
				if (aBought && rowBought[s] === 1) accBought[b] += w;
			}
		}
		let size = 0;
		for (let t = 0; t < nt; t++) {
			const b = touched[t];
			if (support[b] >= opts.minSupport) {
				const score = similarity(opts.similarity, acc[b], s1[a], s1[b], s2[a], s2[b], C);
				if (score > 0) {
					const rank = idRank[b];
					if (size < K) {
						heapIds[size] = rank;
						heapScores[size] = score;
						siftUp(heapIds, heapScores, size);
						size++;
					} else if (score > heapScores[0] || (score === heapScores[0] && rank < heapIds[0])) {
						heapIds[0] = rank;
						heapScores[0] = score;
						siftDown(heapIds, heapScores, size);
					}
				}
			}
			boughtShare[b] = acc[b] > 0 ? accBought[b] / acc[b] : 1;
			acc[b] = 0;
			accBought[b] = 0;
			support[b] = 0;
		}
		const row: Array<[number, number]> = [];
		for (let h = 0; h < size; h++) row.push([heapIds[h], heapScores[h]]);
		row.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
		// a score that rounds to 0 (e.g. under strong time decay) carries no evidence: not stored
		while (row.length > 0 && round6(row[row.length - 1][1]) <= 0) row.pop();
		neighbors[a] = row.map(([rank, score]) => {
			const b = byIdRank[rank];
			const share = Math.round(boughtShare[b] * 1e4) / 1e4;
			// the share only where views made part of the link: a purchases-only model keeps its pairs
			return share < 1 ? [productIds[b], round6(score), share] : [productIds[b], round6(score)];
		});
		links += row.length;
		if (row.length > 0) withNeighbors++;
	}

	// ---- best sellers (distinct buyers, decayed; then units)
	const byPopularity = Array.from({ length: P }, (_, p) => p)
		.filter((p) => buyers[p] > 0)
		.sort((a, b) => buyers[b] - buyers[a] || units[b] - units[a] || (productIds[a] < productIds[b] ? -1 : 1));
	const bestSellers = byPopularity.slice(0, opts.bestSellers).map((p) => productIds[p]);
	// a Map, not a plain object: a category named "constructor" or "toString" found Object's own member and failed the training
	const byCategory = new Map<string, string[]>();
	for (const p of byPopularity) {
		const category = details[p]?.category;
		if (typeof category !== 'string' || category === '') continue;
		let list = byCategory.get(category);
		if (!list) byCategory.set(category, (list = []));
		if (list.length < opts.bestSellersPerCategory) list.push(productIds[p]);
	}
	const bestSellersByCategory: Record<string, string[]> = Object.fromEntries(byCategory);

	const products: ModelProductJson[] = productIds.map((id, p) => ({
		product_id: id,
		...(details[p] ?? {}),
		buyers: round6(buyers[p]),
		units: units[p],
		neighbors: neighbors[p],
	}));

	return {
		kind: 'pz-reco-model',
		version: 1,
		trainedAt: now.toISOString(),
		similarity: opts.similarity,
		params: { ...opts, asOf: Number.isFinite(asOf) ? new Date(asOf).toISOString() : null },
		stats: {
			interactions: n,
			purchases,
			views,
			customers: C,
			products: P,
			productsWithNeighbors: withNeighbors,
			neighborLinks: links,
		},
		bestSellers,
		bestSellersByCategory,
		products,
	};
}

// min-heap on score (ties: larger id rank is "smaller", so smaller product ids win ties deterministically)
function less(ids: Int32Array, scores: Float64Array, i: number, j: number): boolean {
	return scores[i] < scores[j] || (scores[i] === scores[j] && ids[i] > ids[j]);
}
function swap(ids: Int32Array, scores: Float64Array, i: number, j: number): void {
	const ti = ids[i];
	ids[i] = ids[j];
	ids[j] = ti;
	const ts = scores[i];
	scores[i] = scores[j];
	scores[j] = ts;
}
function siftUp(ids: Int32Array, scores: Float64Array, i: number): void {
	while (i > 0) {
		const parent = (i - 1) >> 1;
		if (!less(ids, scores, i, parent)) break;
		swap(ids, scores, i, parent);
		i = parent;
	}
}
function siftDown(ids: Int32Array, scores: Float64Array, size: number): void {
	let i = 0;
	for (;;) {
		const l = 2 * i + 1;
		const r = l + 1;
		let smallest = i;
		if (l < size && less(ids, scores, l, smallest)) smallest = l;
		if (r < size && less(ids, scores, r, smallest)) smallest = r;
		if (smallest === i) return;
		swap(ids, scores, i, smallest);
		i = smallest;
	}
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(array: T, size: number): T {
	const next = new (array.constructor as new (n: number) => T)(size);
	next.set(array);
	return next;
}

/**
 * The most recent line by time wins, per detail, but never with an empty value (a view without a
 * price keeps the order's price): an export sorted newest first must not leave last year's price
 * or name. A line without a time counts as oldest; equal times (or none) go to the later line.
 */
function mergeDetails(all: Array<ProductDetails | undefined>, times: Array<Record<string, number> | undefined>, p: number, next: ProductDetails, time: number | undefined): void {
	let out = all[p];
	let at = times[p];
	const t = time !== undefined && Number.isFinite(time) ? time : -Infinity;
	for (const key in next) {
		const value = next[key];
		if (value === undefined || value === null || value === '') continue;
		if (!out || !at) {
			out = all[p] ??= {};
			at = times[p] = Object.create(null) as Record<string, number>;
		}
		if (key in at && t < at[key]) continue;
		at[key] = t;
		out[key] = value;
	}
}

function round6(x: number): number {
	return Math.round(x * 1e6) / 1e6;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
	const out: Partial<T> = {};
	for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
	return out;
}
