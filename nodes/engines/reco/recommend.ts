/**
 * Recommending: a trained model (JSON) is compiled once into typed arrays; each customer is
 * then scored by summing, over their seeds (cart, recent purchases, recent views), the
 * seed weight times the seed's similarity to each neighbour. The reason names the signal that
 * contributed most to the product's score (see BOUGHT, VIEWED_TOGETHER, SIMILAR_TO_VIEWED). Bought, in-cart and taken-back
 * (`excluded`) products are never recommended; the block is filled with best sellers of the customer's categories, then
 * overall, so it is never empty (unless the catalogue itself is smaller than the block).
 */
import type {
	CustomerContext,
	ModelProductJson,
	ProductDetails,
	ReasonCode,
	RecoModelJson,
	Recommendation,
	RecommendOptions,
} from './types';

export class ModelError extends Error {}

export interface CompiledModel {
	json: RecoModelJson;
	ids: string[];
	index: Map<string, number>;
	details: ProductDetails[];
	/** The same details as parallel key and value arrays (copied without for-in). */
	detailKeys: string[][];
	detailValues: unknown[][];
	categories: Array<string | undefined>;
	nbStart: Int32Array;
	nbIds: Int32Array;
	nbScores: Float64Array;
	/** Per link, the share of its co-occurrence from customers who bought both (1 when the model has none). */
	nbBought: Float64Array;
	bestSellers: Int32Array;
	bestByCategory: Map<string, Int32Array>;
	// scratch, reused across customers
	score: Float64Array;
	/** Per product × signal (index p · 3 + signal): the signal's summed contribution, its largest single contribution and that seed. */
	signalTotal: Float64Array;
	signalBest: Float64Array;
	signalSeed: Int32Array;
	seen: Uint8Array;
	touched: Int32Array;
	stamp: Int32Array;
	stampValue: number;
}

const DETAIL_KEYS = new Set(['product_id', 'buyers', 'units', 'neighbors']);
const OWN_FIELDS = new Set(['product_id', 'rank', 'score', 'reason', 'reason_code', 'because_product_id']);

/** Checks the shape of a model and compiles it. Throws ModelError naming what is wrong. */
export function compileModel(model: unknown): CompiledModel {
	if (typeof model !== 'object' || model === null) throw new ModelError('The model is not an object');
	const json = model as RecoModelJson;
	if (json.kind !== 'pz-reco-model') throw new ModelError('This is not a Recommend Products model (kind must be "pz-reco-model")');
	if (json.version !== 1) throw new ModelError(`Unsupported model version ${String(json.version)}`);
	if (!Array.isArray(json.products)) throw new ModelError('The model has no products array');
	const P = json.products.length;
	const ids: string[] = new Array(P);
	const index = new Map<string, number>();
	const details: ProductDetails[] = new Array(P);
	const categories: Array<string | undefined> = new Array(P);
	let links = 0;
	json.products.forEach((product: ModelProductJson, p) => {
		if (!product || typeof product.product_id !== 'string') throw new ModelError(`Model product ${p} has no product_id`);
		ids[p] = product.product_id;
		index.set(product.product_id, p);
		const d: ProductDetails = {};
		for (const key of Object.keys(product)) if (!DETAIL_KEYS.has(key)) d[key] = product[key];
		details[p] = d;
		categories[p] = typeof product.category === 'string' && product.category !== '' ? product.category : undefined;
		if (!Array.isArray(product.neighbors)) throw new ModelError(`Model product "${product.product_id}" has no neighbors array`);
		links += product.neighbors.length;
	});
	const nbStart = new Int32Array(P + 1);
	const nbIds = new Int32Array(links);
	const nbScores = new Float64Array(links);
	const nbBought = new Float64Array(links);
	let at = 0;
	for (let p = 0; p < P; p++) {
		nbStart[p] = at;
		for (const pair of json.products[p].neighbors) {
			const q = Array.isArray(pair) ? index.get(String(pair[0])) : undefined;
			const s = Array.isArray(pair) ? Number(pair[1]) : NaN;
			if (q === undefined || !Number.isFinite(s)) continue;
			nbIds[at] = q;
			nbScores[at] = s;
			// a model trained before the share was kept (or a hand-made one) reads as purchases only
			const share = Array.isArray(pair) && pair.length > 2 ? Number(pair[2]) : 1;
			nbBought[at] = Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 1;
			at++;
		}
	}
	nbStart[P] = at;
	const toIdx = (list: unknown): Int32Array =>
		Int32Array.from(
			(Array.isArray(list) ? list : [])
				.map((id) => index.get(String(id)))
				.filter((p): p is number => p !== undefined),
		);
	const bestByCategory = new Map<string, Int32Array>();
	for (const [category, list] of Object.entries(json.bestSellersByCategory ?? {})) bestByCategory.set(category, toIdx(list));
	return {
		json,
		ids,
		index,
		details,
		detailKeys: details.map((d) => Object.keys(d).filter((k) => !OWN_FIELDS.has(k))),
		detailValues: details.map((d) => Object.keys(d).filter((k) => !OWN_FIELDS.has(k)).map((k) => d[k])),
		categories,
		nbStart,
		nbIds,
		nbScores,
		nbBought,
		bestSellers: toIdx(json.bestSellers),
		bestByCategory,
		score: new Float64Array(P),
		signalTotal: new Float64Array(P * SIGNAL_COUNT),
		signalBest: new Float64Array(P * SIGNAL_COUNT),
		signalSeed: new Int32Array(P * SIGNAL_COUNT),
		seen: new Uint8Array(P),
		touched: new Int32Array(P),
		stamp: new Int32Array(P),
		stampValue: 0,
	};
}

/**
 * Known products of a list as model indices, most recent first, without duplicates: by
 * `time` when the entries have one, else later in the list = more recent.
 */
function recentIndices(model: CompiledModel, list: CustomerContext['purchased']): number[] {
	if (!Array.isArray(list) || list.length === 0) return [];
	const stamp = ++model.stampValue;
	const ps: number[] = [];
	const ts: number[] = [];
	let sorted = true; // most recent first already (lists usually come oldest first)
	for (let i = list.length - 1; i >= 0; i--) {
		const entry = list[i];
		let p: number | undefined;
		let t = -Infinity;
		if (typeof entry === 'string') p = model.index.get(entry);
		else if (entry && typeof entry === 'object') {
			p = model.index.get(String(entry.id));
			if (typeof entry.time === 'number' && Number.isFinite(entry.time)) t = entry.time;
		}
		if (p === undefined) continue;
		if (ts.length > 0 && t > ts[ts.length - 1]) sorted = false;
		ps.push(p);
		ts.push(t);
	}
	let order: number[] | undefined;
	if (!sorted) {
		order = ps.map((_, i) => i);
		// stable sort: equal times keep the later-in-list first
		order.sort((a, b) => (ts[b] > ts[a] ? 1 : ts[b] < ts[a] ? -1 : 0));
	}
	const out: number[] = [];
	for (let k = 0; k < ps.length; k++) {
		const p = ps[order ? order[k] : k];
		if (model.stamp[p] === stamp) continue;
		model.stamp[p] = stamp;
		out.push(p);
	}
	return out;
}

/**
 * The signals a model pick's score is made of, in the order that wins a tie:
 * - BOUGHT: a bought or in-cart seed × the part of the link from customers who bought both
 *   ("Bought together with {seed}");
 * - VIEWED_TOGETHER: a bought or in-cart seed × the rest of the link, from customers who viewed one
 *   or both products (Train's Training View Weight above 0) ("Often viewed with {seed}");
 * - SIMILAR_TO_VIEWED: a seed the customer viewed × the whole link ("Similar to {seed}, which you viewed").
 */
const BOUGHT = 0;
const VIEWED_TOGETHER = 1;
const SIMILAR_TO_VIEWED = 2;
const SIGNAL_COUNT = 3;

/**
 * Adds seed weight × similarity into `score` for every neighbour, split by signal (BOUGHT, VIEWED_TOGETHER, SIMILAR_TO_VIEWED);
 * the touched products go to `model.touched`, their count is returned.
 */
function accumulate(model: CompiledModel, seedP: number[], seedW: number[], seedViewed: boolean[]): number {
	const { score, signalTotal, signalBest, signalSeed, seen, nbStart, nbIds, nbScores, nbBought, touched, stamp } = model;
	// first touch by stamp, not by score === 0: a similarity or a seed weight of 0 leaves the score at 0
	const touch = ++model.stampValue;
	let nt = 0;
	for (let s = 0; s < seedP.length; s++) {
		const p = seedP[s];
		const w = seedW[s];
		const viewed = seedViewed[s];
		const end = nbStart[p + 1];
		for (let k = nbStart[p]; k < end; k++) {
			const q = nbIds[k];
			if (seen[q] === 1) continue;
			const contribution = w * nbScores[k];
			const at = q * SIGNAL_COUNT;
			if (stamp[q] !== touch) {
				stamp[q] = touch;
				touched[nt++] = q;
				for (let g = at; g < at + SIGNAL_COUNT; g++) {
					signalTotal[g] = 0;
					signalBest[g] = 0;
					signalSeed[g] = -1;
				}
			}
			score[q] += contribution;
			if (viewed) {
				addSignal(signalTotal, signalBest, signalSeed, at + SIMILAR_TO_VIEWED, contribution, s);
				continue;
			}
			const share = nbBought[k];
			if (share > 0) addSignal(signalTotal, signalBest, signalSeed, at + BOUGHT, contribution * share, s);
			if (share < 1) addSignal(signalTotal, signalBest, signalSeed, at + VIEWED_TOGETHER, contribution * (1 - share), s);
		}
	}
	return nt;
}

/** Adds one seed's part to a signal; the signal names its largest part's seed (the earlier seed on a tie). */
function addSignal(total: Float64Array, best: Float64Array, seed: Int32Array, g: number, part: number, s: number): void {
	total[g] += part;
	if (seed[g] === -1 || part > best[g]) {
		best[g] = part;
		seed[g] = s;
	}
}

/** The signal that contributed most to a touched product (the first of BOUGHT, VIEWED_TOGETHER, SIMILAR_TO_VIEWED on a tie). */
function mainSignal(model: CompiledModel, q: number): number {
	const at = q * SIGNAL_COUNT;
	let main = -1;
	for (let g = 0; g < SIGNAL_COUNT; g++) {
		if (model.signalSeed[at + g] === -1) continue;
		if (main === -1 || model.signalTotal[at + g] > model.signalTotal[at + main]) main = g;
	}
	return main;
}

/** The `count` best touched products by score (ties: smaller product id), by insertion into a short sorted list. */
function selectTop(model: CompiledModel, nt: number, count: number, only?: Map<string, ProductDetails>): number[] {
	const { score, ids, touched } = model;
	const top: number[] = [];
	for (let t = 0; t < nt; t++) {
		const q = touched[t];
		if (only && !only.has(ids[q])) continue;
		const sq = score[q];
		if (top.length === count) {
			const last = top[count - 1];
			if (sq < score[last] || (sq === score[last] && ids[q] > ids[last])) continue;
		}
		let i = top.length < count ? top.length : count - 1;
		top[i] = q;
		while (i > 0) {
			const prev = top[i - 1];
			if (sq > score[prev] || (sq === score[prev] && ids[q] < ids[prev])) {
				top[i] = prev;
				top[i - 1] = q;
				i--;
			} else break;
		}
	}
	return top;
}

export const RECOMMEND_DEFAULTS = {
	count: 6,
	excludeViewed: false,
	fill: 'category' as const,
	maxSeeds: 20,
	viewSeedWeight: 0.5,
	cartSeedWeight: 1.5,
	onlyCatalogue: false,
};

export function recommend(model: CompiledModel, customer: CustomerContext, options: RecommendOptions = {}): Recommendation[] {
	// a whole number of slots: a fractional count (e.g. from an expression) never equals the list length, which returned every touched product
	const count = Math.floor(options.count ?? RECOMMEND_DEFAULTS.count);
	const maxSeeds = options.maxSeeds ?? RECOMMEND_DEFAULTS.maxSeeds;
	const viewW = options.viewSeedWeight ?? RECOMMEND_DEFAULTS.viewSeedWeight;
	const cartW = options.cartSeedWeight ?? RECOMMEND_DEFAULTS.cartSeedWeight;
	const fill = options.fill ?? RECOMMEND_DEFAULTS.fill;
	const catalogue = options.catalogue;
	const onlyCatalogue = Boolean(options.onlyCatalogue && catalogue);
	const { score, seen } = model;

	const purchased = recentIndices(model, customer.purchased);
	const viewed = recentIndices(model, customer.viewed);
	const cart = recentIndices(model, customer.cart);

	// excluded products (flagged in `seen`, cleared at the end)
	const marked: number[] = [];
	const mark = (p: number): void => {
		if (!seen[p]) {
			seen[p] = 1;
			marked.push(p);
		}
	};
	for (const p of purchased) mark(p);
	for (const p of cart) mark(p);
	for (const id of customer.excluded ?? []) {
		const p = model.index.get(id);
		if (p !== undefined) mark(p);
	}
	if (options.unavailable) for (const p of unavailableIndices(model, options.unavailable)) mark(p);
	if (options.excludeViewed) for (const p of viewed) mark(p);

	// seeds: cart, recent purchases, recent views; recency 1, 0.9, 0.81, ...
	const seedP: number[] = [];
	const seedW: number[] = [];
	const seedViewed: boolean[] = [];
	const addSeeds = (list: number[], base: number, viewedSeeds: boolean): void => {
		let r = 1;
		for (let i = 0; i < list.length && i < maxSeeds; i++) {
			seedP.push(list[i]);
			seedW.push(base * r);
			seedViewed.push(viewedSeeds);
			r *= 0.9;
		}
	};
	addSeeds(cart, cartW, false);
	addSeeds(purchased, 1, false);
	if (viewW > 0) addSeeds(viewed, viewW, true);

	const nt = accumulate(model, seedP, seedW, seedViewed);
	const top = selectTop(model, nt, count, onlyCatalogue ? catalogue : undefined);
	const out: Recommendation[] = [];
	// taken products are flagged in `seen` too, so the fill skips them
	const take = (q: number): void => {
		seen[q] = 1;
		marked.push(q);
	};
	for (const q of top) {
		const signal = mainSignal(model, q);
		const seed = seedP[model.signalSeed[q * SIGNAL_COUNT + signal]];
		const seedName = displayName(model, seed, catalogue);
		const [code, reason]: [ReasonCode, string] =
			signal === SIMILAR_TO_VIEWED
				? ['similar_to_viewed', `Similar to ${seedName}, which you viewed`]
				: signal === VIEWED_TOGETHER
					? ['viewed_together', `Often viewed with ${seedName}`]
					: ['bought_together', `Bought together with ${seedName}`];
		out.push(build(model, q, out.length + 1, score[q], code, reason, catalogue, model.ids[seed]));
		take(q);
	}
	for (let t = 0; t < nt; t++) score[model.touched[t]] = 0;

	if (out.length < count && fill !== 'none') {
		const usable = (q: number): boolean => !seen[q] && (!onlyCatalogue || catalogue!.has(model.ids[q]));
		if (fill === 'category') {
			// categories of the seeds, weighted
			const weights = new Map<string, number>();
			for (let s = 0; s < seedP.length; s++) {
				const category = categoryOf(model, seedP[s], catalogue);
				if (category) weights.set(category, (weights.get(category) ?? 0) + seedW[s]);
			}
			const ranked = [...weights.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c);
			for (const category of ranked) {
				const list = model.bestByCategory.get(category);
				if (!list) continue;
				for (const q of list) {
					if (out.length >= count) break;
					if (!usable(q)) continue;
					out.push(build(model, q, out.length + 1, 0, 'popular_in_category', `Popular in ${category}`, catalogue));
					take(q);
				}
				if (out.length >= count) break;
			}
		}
		for (const q of model.bestSellers) {
			if (out.length >= count) break;
			if (!usable(q)) continue;
			out.push(build(model, q, out.length + 1, 0, 'best_seller', 'Best seller', catalogue));
			take(q);
		}
	}
	for (const p of marked) seen[p] = 0;
	return out;
}

/** The model indices of a set of unavailable product ids, computed once per set and model. */
const unavailableCache = new WeakMap<ReadonlySet<string>, { model: CompiledModel; indices: Int32Array }>();
function unavailableIndices(model: CompiledModel, ids: ReadonlySet<string>): Int32Array {
	const cached = unavailableCache.get(ids);
	if (cached && cached.model === model) return cached.indices;
	const indices = Int32Array.from([...ids].map((id) => model.index.get(id)).filter((p): p is number => p !== undefined));
	unavailableCache.set(ids, { model, indices });
	return indices;
}

function categoryOf(model: CompiledModel, p: number, catalogue?: Map<string, ProductDetails>): string | undefined {
	const fromCatalogue = catalogue?.get(model.ids[p])?.category;
	return typeof fromCatalogue === 'string' && fromCatalogue !== '' ? fromCatalogue : model.categories[p];
}

function displayName(model: CompiledModel, p: number, catalogue?: Map<string, ProductDetails>): string {
	const name = catalogue?.get(model.ids[p])?.name ?? model.details[p].name;
	return typeof name === 'string' && name !== '' ? name : model.ids[p];
}

function build(
	model: CompiledModel,
	q: number,
	rank: number,
	score: number,
	reasonCode: ReasonCode,
	reason: string,
	catalogue?: Map<string, ProductDetails>,
	because?: string,
): Recommendation {
	const rec = { product_id: model.ids[q], rank, score: Math.round(score * 1e4) / 1e4, reason, reason_code: reasonCode } as Recommendation;
	if (because !== undefined) rec.because_product_id = because;
	const keys = model.detailKeys[q];
	const values = model.detailValues[q];
	for (let k = 0; k < keys.length; k++) rec[keys[k]] = values[k];
	const extra = catalogue?.get(model.ids[q]);
	// catalogue details override the model's, but never our own fields
	if (extra) for (const key in extra) if (!OWN_FIELDS.has(key)) rec[key] = extra[key];
	return rec;
}
