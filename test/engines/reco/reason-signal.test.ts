/**
 * The reason of a model pick names the signal that contributed most to its score. Before, a product
 * linked to a bought seed only through views (customers who bought A and viewed B) was labelled
 * "Bought together with A" although nobody bought the two together.
 */
import { compileModel, recommend } from '../../../nodes/engines/reco/recommend';
import { train } from '../../../nodes/engines/reco/train';
import type { Interaction, ModelProductJson, RecoModelJson } from '../../../nodes/engines/reco/types';

const buy = (customerId: string, productId: string): Interaction => ({ customerId, productId });
const view = (customerId: string, productId: string): Interaction => ({ customerId, productId, kind: 'view' });

/** A hand-built model: each product with its neighbours ([id, similarity, bought share?]). */
function handModel(neighbors: Record<string, ModelProductJson['neighbors']>): RecoModelJson {
	return {
		kind: 'pz-reco-model',
		version: 1,
		trainedAt: '2025-01-01T00:00:00.000Z',
		similarity: 'cosine',
		params: {} as RecoModelJson['params'],
		stats: {} as RecoModelJson['stats'],
		bestSellers: [],
		bestSellersByCategory: {},
		products: Object.entries(neighbors).map(([id, list]) => ({ product_id: id, buyers: 1, units: 1, neighbors: list })),
	};
}

describe('a link made of views only is not "Bought together"', () => {
	// c1 and c2 bought A and viewed B (View Weight 0.3); nobody bought B. c3 bought C.
	// A = [1, 1, 0], B = [0.3, 0.3, 0]: co-occurrence 0.3 + 0.3 = 0.6 over 2 shared customers (minimum 2),
	// cosine 0.6 / sqrt(2 · 0.18) = 1; the part from customers who bought both: 0 → bought share 0.
	const lines = [buy('c1', 'A'), view('c1', 'B'), buy('c2', 'A'), view('c2', 'B'), buy('c3', 'C')];

	it('Train keeps the share of the link that purchases made', () => {
		const model = train(lines);
		expect(model.products.find((p) => p.product_id === 'A')!.neighbors).toEqual([['B', 1, 0]]);
	});

	it('a customer who bought A gets B "Often viewed with A" (viewed_together)', () => {
		const [rec] = recommend(compileModel(train(lines)), { purchased: ['A'] }, { count: 1, fill: 'none' });
		expect(rec).toMatchObject({ product_id: 'B', score: 1, reason_code: 'viewed_together', reason: 'Often viewed with A', because_product_id: 'A' });
	});

	it('with View Weight 0 the views make no link at all', () => {
		expect(recommend(compileModel(train(lines, { viewWeight: 0 })), { purchased: ['A'] }, { count: 1, fill: 'none' })).toEqual([]);
	});
});

describe('the signal with the largest total names the reason', () => {
	it('co-views of two bought seeds outweigh one co-purchase link', () => {
		// bought C, B, A (A most recent): seed weights A 1, B 0.9, C 0.81.
		// A→X 0.3 (bought share 1): bought-together 0.3.
		// B→X 0.25 (share 0): viewed-together 0.9·0.25 = 0.225; C→X 0.25 (share 0): 0.81·0.25 = 0.2025.
		// bought-together 0.3 < viewed-together 0.4275 → "Often viewed with B" (its largest part); score 0.7275.
		const model = compileModel(handModel({ A: [['X', 0.3]], B: [['X', 0.25, 0]], C: [['X', 0.25, 0]], X: [] }));
		const [rec] = recommend(model, { purchased: ['C', 'B', 'A'] }, { count: 1, fill: 'none' });
		expect(rec).toMatchObject({ product_id: 'X', score: 0.7275, reason_code: 'viewed_together', reason: 'Often viewed with B', because_product_id: 'B' });
	});

	it('a link mostly made of purchases stays "Bought together"', () => {
		// bought A: A→X 0.5 with bought share 0.6 → bought-together 0.3, viewed-together 0.2 → "Bought together with A"
		const model = compileModel(handModel({ A: [['X', 0.5, 0.6]], X: [] }));
		const [rec] = recommend(model, { purchased: ['A'] }, { count: 1, fill: 'none' });
		expect(rec).toMatchObject({ product_id: 'X', score: 0.5, reason_code: 'bought_together', reason: 'Bought together with A' });
	});

	it('a bought seed whose link is co-views against a viewed seed: the larger total wins', () => {
		// bought A: A→X 0.4, share 0 → viewed-together 0.4. Viewed V (seed 0.5): V→X 0.6 → similar-to-viewed 0.3.
		// 0.4 > 0.3 → "Often viewed with A"; score 0.7.
		const model = compileModel(handModel({ A: [['X', 0.4, 0]], V: [['X', 0.6]], X: [] }));
		const [rec] = recommend(model, { purchased: ['A'], viewed: ['V'] }, { count: 1, fill: 'none' });
		expect(rec).toMatchObject({ product_id: 'X', score: 0.7, reason_code: 'viewed_together', because_product_id: 'A' });
		// viewed V at seed weight 1: similar-to-viewed 0.6 > 0.4 → "Similar to V, which you viewed"
		const [byView] = recommend(model, { purchased: ['A'], viewed: ['V'] }, { count: 1, fill: 'none', viewSeedWeight: 1 });
		expect(byView).toMatchObject({ product_id: 'X', score: 1, reason_code: 'similar_to_viewed', reason: 'Similar to V, which you viewed', because_product_id: 'V' });
	});

	it('a model without bought shares (trained before them) reads its links as purchases', () => {
		const model = compileModel(handModel({ A: [['X', 0.5]], X: [] }));
		expect(recommend(model, { purchased: ['A'] }, { count: 1, fill: 'none' })[0]).toMatchObject({ reason_code: 'bought_together', reason: 'Bought together with A' });
	});
});
