/**
 * Offline evaluation: leave-last-purchase-out.
 *
 * For every customer with at least two distinct purchased products, the product they
 * bought first most recently (their last new product) is held out, together with every
 * view they made at or after that moment. The model is trained on what remains, each
 * customer gets N recommendations from their remaining history, and we count how often
 * the held-out product is among them (hit rate@N) and how high (MAP@N). A popularity
 * baseline (the N best sellers they have not bought) is scored on the same split.
 */
import { compileModel, recommend } from './recommend';
import { isCounted, train } from './train';
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

/** 1 when any relevant product is among the first N, else 0. */
export function hitAtN(ranked: readonly string[], relevant: ReadonlySet<string>, n: number): number {
	for (let k = 0; k < Math.min(n, ranked.length); k++) if (relevant.has(ranked[k])) return 1;
	return 0;
}

export interface EvaluateOptions {
	/** List length N. Default 10. */
	n?: number;
	train?: TrainOptions;
	recommend?: Omit<RecommendOptions, 'count'>;
}

export interface MetricPair {
	hit_rate: number;
	map: number;
}

export interface EvaluationResult {
	n: number;
	customers: number;
	customers_evaluated: number;
	similarity: string;
	model: MetricPair;
	popularity: MetricPair;
	/** model / popularity (null when the baseline is 0). */
	lift_hit_rate: number | null;
	lift_map: number | null;
	/** Share of recommendation slots the model had to fill with best sellers. */
	fill_share: number;
}

export function evaluate(all: readonly Interaction[], options: EvaluateOptions = {}): EvaluationResult {
	// as in training: a purchase line of quantity 0 bought nothing (it cannot be the held-out product)
	const interactions = all.filter(isCounted);
	const n = options.n ?? 10;
	if (!Number.isInteger(n) || n < 1) throw new RangeError(`The list length N must be a whole number of at least 1 (got ${String(n)})`);
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
		for (const entry of products) {
			if (!best || entry[1].time > best[1].time || (entry[1].time === best[1].time && entry[1].order > best[1].order)) best = entry;
		}
		heldOut.set(customerId, { productId: best![0], time: best![1].time });
	}

	const trainSet: Interaction[] = [];
	const history = new Map<string, { purchased: Array<{ id: string; time?: number }>; viewed: Array<{ id: string; time?: number }> }>();
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
	let modelHits = 0;
	let modelAp = 0;
	let popHits = 0;
	let popAp = 0;
	let filled = 0;
	let slots = 0;
	for (const [customerId, h] of heldOut) {
		const relevant = new Set([h.productId]);
		const context = history.get(customerId) ?? { purchased: [], viewed: [] };
		const recs = recommend(model, context, { ...options.recommend, count: n });
		const ranked = recs.map((r) => r.product_id);
		for (const r of recs) if (r.reason_code === 'best_seller' || r.reason_code === 'popular_in_category') filled++;
		slots += n;
		modelHits += hitAtN(ranked, relevant, n);
		modelAp += averagePrecisionAtN(ranked, relevant, n);
		const bought = new Set(context.purchased.map((p) => p.id));
		const popular: string[] = [];
		for (const p of model.bestSellers) {
			if (popular.length >= n) break;
			const id = model.ids[p];
			if (!bought.has(id)) popular.push(id);
		}
		popHits += hitAtN(popular, relevant, n);
		popAp += averagePrecisionAtN(popular, relevant, n);
	}
	const k = heldOut.size;
	const metric = (x: number): number => (k === 0 ? 0 : round4(x / k));
	const modelM = { hit_rate: metric(modelHits), map: metric(modelAp) };
	const popM = { hit_rate: metric(popHits), map: metric(popAp) };
	return {
		n,
		customers: first.size,
		customers_evaluated: k,
		similarity: model.json.similarity,
		model: modelM,
		popularity: popM,
		lift_hit_rate: popHits > 0 ? round4(modelHits / popHits) : null,
		lift_map: popAp > 0 ? round4(modelAp / popAp) : null,
		fill_share: slots === 0 ? 0 : round4(filled / slots),
	};
}

function round4(x: number): number {
	return Math.round(x * 1e4) / 1e4;
}
