/**
 * Review fix: a neighbour whose similarity is 0 (or whose seed weight is 0) was counted as
 * "not touched yet" on every seed, so the same product could be recommended twice.
 */
import fc from 'fast-check';
import { compileModel, recommend } from '../../../nodes/engines/reco/recommend';
import { train } from '../../../nodes/engines/reco/train';
import type { Interaction, RecoModelJson } from '../../../nodes/engines/reco/types';

const DAY = 86_400_000;

/** A hand-built model: each product with its neighbours; best sellers in the given order. */
function handModel(neighbors: Record<string, Array<[string, number]>>, bestSellers: string[] = []): RecoModelJson {
	return {
		kind: 'pz-reco-model',
		version: 1,
		trainedAt: '2025-01-01T00:00:00.000Z',
		similarity: 'cosine',
		params: {} as RecoModelJson['params'],
		stats: {} as RecoModelJson['stats'],
		bestSellers,
		bestSellersByCategory: {},
		products: Object.entries(neighbors).map(([id, list]) => ({ product_id: id, buyers: 1, units: 1, neighbors: list })),
	};
}

describe('training with strong time decay (the reviewer\'s scenario)', () => {
	// o1, o2 bought A, B and C 400 days before the latest line: weight w = 0.5^(400/10) = 2^-40.
	// r0..r49 each bought one product at the latest time (weight 1): A 17, B 17, C 16 buyers.
	// cos(A,B) = 2w² / sqrt((17 + 2w²)(17 + 2w²)) ≈ 2·2^-80 / 17 ≈ 1e-25 > 0, but it rounds to 0 at
	// 6 decimals, and both pairs have support 2 (>= minSupport 2).
	const t0 = Date.UTC(2025, 0, 31);
	const lines: Interaction[] = [];
	for (const c of ['o1', 'o2']) for (const p of ['A', 'B', 'C']) lines.push({ customerId: c, productId: p, time: t0 - 400 * DAY });
	for (let i = 0; i < 50; i++) lines.push({ customerId: `r${i}`, productId: ['A', 'B', 'C'][i % 3], time: t0 });

	it('keeps no neighbour whose rounded similarity is 0', () => {
		const model = train(lines, { halfLifeDays: 10 });
		for (const p of model.products) expect(p.neighbors).toEqual([]);
		expect(model.stats).toMatchObject({ productsWithNeighbors: 0, neighborLinks: 0 });
		// without decay the same pairs are real neighbours (A 19 buyers, B 19, C 18, 2 shared):
		// cos(A,C) = 2/sqrt(19·18) = 0.108148, cos(A,B) = 2/sqrt(19·19) = 0.105263
		const undecayed = train(lines, {});
		expect(undecayed.products.find((p) => p.product_id === 'A')!.neighbors).toEqual([['C', 0.108148], ['B', 0.105263]]);
	});

	it('recommends each product at most once', () => {
		const model = compileModel(train(lines, { halfLifeDays: 10 }));
		// no co-purchase evidence left: nothing from the model ...
		expect(recommend(model, { purchased: ['A', 'C'] }, { count: 3, fill: 'none' })).toEqual([]);
		// ... and the fill gives the one best seller not bought (A, B, C by buyers; A and C bought)
		const filled = recommend(model, { purchased: ['A', 'C'] }, { count: 3 });
		expect(filled.map((r) => [r.product_id, r.rank, r.reason_code])).toEqual([['B', 1, 'best_seller']]);
	});
});

describe('recommending from a model that stores zero scores', () => {
	it('counts a neighbour reached with similarity 0 from two seeds once', () => {
		// A → B 0 and C → B 0: B is touched twice with contribution 0
		const model = compileModel(handModel({ A: [['B', 0]], B: [], C: [['B', 0]] }));
		const recs = recommend(model, { purchased: ['A', 'C'] }, { count: 3, fill: 'none' });
		expect(recs.map((r) => [r.product_id, r.rank, r.score])).toEqual([['B', 1, 0]]);
	});

	it('counts a neighbour first reached through a seed of weight 0 once', () => {
		// cart X (weight 0) → B 0.8 contributes 0; bought A (weight 1) → B 0.5 contributes 0.5
		const model = compileModel(handModel({ A: [['B', 0.5]], B: [], X: [['B', 0.8]] }));
		const recs = recommend(model, { purchased: ['A'], cart: ['X'] }, { count: 3, fill: 'none', cartSeedWeight: 0 });
		expect(recs.map((r) => [r.product_id, r.rank, r.score, r.because_product_id])).toEqual([['B', 1, 0.5, 'A']]);
	});

	it('never recommends a product twice (property)', () => {
		const ids = ['P0', 'P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7'];
		const score = fc.oneof(fc.constant(0), fc.constantFrom(0.25, 0.5, 1), fc.double({ min: 0, max: 1, noNaN: true }));
		const neighbourList = fc.array(fc.tuple(fc.constantFrom(...ids), score), { maxLength: 6 });
		const productList = fc.array(fc.constantFrom(...ids), { maxLength: 5 });
		fc.assert(
			fc.property(
				fc.tuple(...ids.map(() => neighbourList)),
				fc.shuffledSubarray(ids),
				productList,
				productList,
				productList,
				fc.record({
					count: fc.integer({ min: 1, max: 10 }),
					fill: fc.constantFrom('none' as const, 'category' as const, 'overall' as const),
					cartSeedWeight: fc.constantFrom(0, 1.5),
					viewSeedWeight: fc.constantFrom(0, 0.5),
					excludeViewed: fc.boolean(),
				}),
				(lists, bestSellers, purchased, viewed, cart, options) => {
					const model = compileModel(handModel(Object.fromEntries(ids.map((id, i) => [id, lists[i].filter(([q]) => q !== id)])), bestSellers));
					const first = recommend(model, { purchased, viewed, cart }, options);
					const got = first.map((r) => r.product_id);
					expect(new Set(got).size).toBe(got.length);
					expect(first.map((r) => r.rank)).toEqual(got.map((_, i) => i + 1));
					expect(got.length).toBeLessThanOrEqual(options.count);
					// the scratch arrays are left clean: the same call gives the same answer
					expect(recommend(model, { purchased, viewed, cart }, options)).toEqual(first);
				},
			),
			{ numRuns: 500 },
		);
	});
});
