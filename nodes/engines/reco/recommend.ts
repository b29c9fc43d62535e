/**
 * Recommending: a trained model (JSON) is compiled once into typed arrays; each customer is
 * then scored by summing, over their seeds (cart, recent purchases, recent views), the
 * seed weight times the seed's similarity to each neighbour. Bought and in-cart products
 * are excluded; the block is filled with best sellers of the customer's categories, then
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
	categories: Array<string | undefined>;
	nbStart: Int32Array;
	nbIds: Int32Array;
	nbScores: Float64Array;
	bestSellers: Int32Array;
	bestByCategory: Map<string, Int32Array>;
	// scratch, reused across customers
	score: Float64Array;
	bestContribution: Float64Array;
	bestSeed: Int32Array;
	seen: Uint8Array;
	stamp: Int32Array;
	stampValue: number;
}

const DETAIL_KEYS = new Set(['product_id', 'buyers', 'units', 'neighbors']);

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
	let at = 0;
	for (let p = 0; p < P; p++) {
		nbStart[p] = at;
		for (const pair of json.products[p].neighbors) {
			const q = Array.isArray(pair) ? index.get(String(pair[0])) : undefined;
			const s = Array.isArray(pair) ? Number(pair[1]) : NaN;
			if (q === undefined || !Number.isFinite(s)) continue;
			nbIds[at] = q;
			nbScores[at] = s;
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
		categories,
		nbStart,
		nbIds,
		nbScores,
		bestSellers: toIdx(json.bestSellers),
		bestByCategory,
		score: new Float64Array(P),
		bestContribution: new Float64Array(P),
		bestSeed: new Int32Array(P),
		seen: new Uint8Array(P),
		stamp: new Int32Array(P),
		stampValue: 0,
	};
}

interface Seed {
	p: number;
	w: number;
	kind: 'purchase' | 'cart' | 'view';
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
	let timed = false;
	for (let i = list.length - 1; i >= 0; i--) {
		const entry = list[i];
		let p: number | undefined;
		let t = NaN;
		if (typeof entry === 'string') p = model.index.get(entry);
		else if (entry && typeof entry === 'object') {
			p = model.index.get(String(entry.id));
			if (typeof entry.time === 'number' && Number.isFinite(entry.time)) {
				t = entry.time;
				timed = true;
			}
		}
		if (p === undefined) continue;
		ps.push(p);
		ts.push(t);
	}
	let order: number[] | undefined;
	if (timed) {
		order = ps.map((_, i) => i);
		// stable: equal times keep the later-in-list first
		order.sort((a, b) => (Number.isFinite(ts[b]) ? ts[b] : -Infinity) - (Number.isFinite(ts[a]) ? ts[a] : -Infinity));
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
	const count = options.count ?? RECOMMEND_DEFAULTS.count;
	const maxSeeds = options.maxSeeds ?? RECOMMEND_DEFAULTS.maxSeeds;
	const viewW = options.viewSeedWeight ?? RECOMMEND_DEFAULTS.viewSeedWeight;
	const cartW = options.cartSeedWeight ?? RECOMMEND_DEFAULTS.cartSeedWeight;
	const fill = options.fill ?? RECOMMEND_DEFAULTS.fill;
	const catalogue = options.catalogue;
	const onlyCatalogue = Boolean(options.onlyCatalogue && catalogue);
	const { score, bestContribution, bestSeed, seen, nbStart, nbIds, nbScores } = model;

	const purchased = recentIndices(model, customer.purchased);
	const viewed = recentIndices(model, customer.viewed);
	const cart = recentIndices(model, customer.cart);

	// excluded products (marked in `seen`, cleared at the end)
	const marked: number[] = [];
	const mark = (p: number): void => {
		if (!seen[p]) {
			seen[p] = 1;
			marked.push(p);
		}
	};
	for (const p of purchased) mark(p);
	for (const p of cart) mark(p);
	if (options.excludeViewed) for (const p of viewed) mark(p);

	// seeds: cart, recent purchases, recent views; recency 1, 0.9, 0.81, ...
	const seeds: Seed[] = [];
	const addSeeds = (list: number[], base: number, kind: Seed['kind']): void => {
		let r = 1;
		for (let i = 0; i < list.length && i < maxSeeds; i++) {
			seeds.push({ p: list[i], w: base * r, kind });
			r *= 0.9;
		}
	};
	addSeeds(cart, cartW, 'cart');
	addSeeds(purchased, 1, 'purchase');
	if (viewW > 0) addSeeds(viewed, viewW, 'view');

	const touched: number[] = [];
	const seedKind: Seed['kind'][] = [];
	for (let s = 0; s < seeds.length; s++) {
		const { p, w } = seeds[s];
		seedKind[s] = seeds[s].kind;
		for (let k = nbStart[p]; k < nbStart[p + 1]; k++) {
			const q = nbIds[k];
			if (seen[q]) continue;
			const contribution = w * nbScores[k];
			if (score[q] === 0) {
				touched.push(q);
				bestContribution[q] = contribution;
				bestSeed[q] = s;
			} else if (contribution > bestContribution[q]) {
				bestContribution[q] = contribution;
				bestSeed[q] = s;
			}
			score[q] += contribution;
		}
	}
	// top `count` by score (ties: smaller product id first), by insertion into a short sorted list
	const top: number[] = [];
	const better = (a: number, b: number): boolean => score[a] > score[b] || (score[a] === score[b] && model.ids[a] < model.ids[b]);
	for (const q of touched) {
		if (onlyCatalogue && !catalogue!.has(model.ids[q])) continue;
		if (top.length === count && !better(q, top[count - 1])) continue;
		let i = top.length < count ? top.length : count - 1;
		top[i] = q;
		while (i > 0 && better(top[i], top[i - 1])) {
			const t = top[i - 1];
			top[i - 1] = top[i];
			top[i] = t;
			i--;
		}
	}
	const out: Recommendation[] = [];
	const taken = new Set<number>();
	for (const q of top) {
		const seed = seeds[bestSeed[q]];
		const viewedSeed = seedKind[bestSeed[q]] === 'view';
		const seedName = displayName(model, seed.p, catalogue);
		out.push(
			build(model, q, out.length + 1, score[q], viewedSeed ? 'similar_to_viewed' : 'bought_together',
				viewedSeed ? `Similar to ${seedName}, which you viewed` : `Bought together with ${seedName}`, catalogue, model.ids[seed.p]),
		);
		taken.add(q);
	}
	for (const q of touched) {
		score[q] = 0;
		bestContribution[q] = 0;
	}

	if (out.length < count && fill !== 'none') {
		const usable = (q: number): boolean => !seen[q] && !taken.has(q) && (!onlyCatalogue || catalogue!.has(model.ids[q]));
		if (fill === 'category') {
			// categories of the seeds, weighted
			const weights = new Map<string, number>();
			for (const s of seeds) {
				const category = categoryOf(model, s.p, catalogue);
				if (category) weights.set(category, (weights.get(category) ?? 0) + s.w);
			}
			const ranked = [...weights.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c);
			for (const category of ranked) {
				const list = model.bestByCategory.get(category);
				if (!list) continue;
				for (const q of list) {
					if (out.length >= count) break;
					if (!usable(q)) continue;
					out.push(build(model, q, out.length + 1, 0, 'popular_in_category', `Popular in ${category}`, catalogue));
					taken.add(q);
				}
				if (out.length >= count) break;
			}
		}
		for (const q of model.bestSellers) {
			if (out.length >= count) break;
			if (!usable(q)) continue;
			out.push(build(model, q, out.length + 1, 0, 'best_seller', 'Best seller', catalogue));
			taken.add(q);
		}
	}
	for (const p of marked) seen[p] = 0;
	return out;
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
	const rec = { ...model.details[q], ...(catalogue?.get(model.ids[q]) ?? {}) } as Recommendation;
	// our own fields win over same-named catalogue fields
	rec.product_id = model.ids[q];
	rec.rank = rank;
	rec.score = Math.round(score * 1e4) / 1e4;
	rec.reason = reason;
	rec.reason_code = reasonCode;
	if (because !== undefined) rec.because_product_id = because;
	return rec;
}
