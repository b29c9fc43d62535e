import { compileModel, recommend } from '../../../nodes/engines/reco/recommend';
import { train, TrainError } from '../../../nodes/engines/reco/train';
import type { Interaction } from '../../../nodes/engines/reco/types';

const cat = (p: string): string => (p === 'D' || p === 'E' ? 'Garden' : 'Kitchen');
const buy = (customerId: string, productId: string, time?: number): Interaction => ({
	customerId,
	productId,
	time,
	details: { name: `Product ${productId}`, category: cat(productId), price: 10 },
});

// c1: A B · c2: A B C · c3: A C · c4: B D · c5: D E
// Buyers: A {1,2,3}, B {1,2,4}, C {2,3}, D {4,5}, E {5}
// cosine: A-B 2/sqrt(3·3) = 0.666667, A-C 2/sqrt(3·2) = 0.816497, B-C 1/sqrt(3·2) = 0.408248,
//         B-D 1/sqrt(3·2) = 0.408248, D-E 1/sqrt(2·1) = 0.707107
const lines: Interaction[] = [
	['c1', 'A'], ['c1', 'B'], ['c2', 'A'], ['c2', 'B'], ['c2', 'C'], ['c3', 'A'], ['c3', 'C'], ['c4', 'B'], ['c4', 'D'], ['c5', 'D'], ['c5', 'E'],
].map(([c, p]) => buy(c, p));

const neighborsOf = (model: ReturnType<typeof train>, id: string) => model.products.find((p) => p.product_id === id)!.neighbors;

describe('train', () => {
	it('keeps the hand-computed cosine neighbours, most similar first', () => {
		const model = train(lines, { similarity: 'cosine', minSupport: 1 });
		expect(neighborsOf(model, 'A')).toEqual([['C', 0.816497], ['B', 0.666667]]);
		expect(neighborsOf(model, 'B')).toEqual([['A', 0.666667], ['C', 0.408248], ['D', 0.408248]]);
		expect(neighborsOf(model, 'E')).toEqual([['D', 0.707107]]);
		expect(model.stats).toMatchObject({ customers: 5, products: 5, purchases: 11, views: 0 });
	});

	it('drops pairs shared by fewer customers than the minimum support, and keeps top K', () => {
		const model = train(lines, { similarity: 'cosine', minSupport: 2 });
		expect(neighborsOf(model, 'B')).toEqual([['A', 0.666667]]);
		expect(neighborsOf(model, 'D')).toEqual([]);
		const top1 = train(lines, { similarity: 'cosine', minSupport: 1, neighbors: 1 });
		expect(neighborsOf(top1, 'B')).toEqual([['A', 0.666667]]);
	});

	it('computes Jaccard: A-B 2/(3+3-2) = 0.5, A-C 2/(3+2-2) = 0.666667', () => {
		const model = train(lines, { similarity: 'jaccard', minSupport: 1 });
		expect(neighborsOf(model, 'A')).toEqual([['C', 0.666667], ['B', 0.5]]);
	});

	it('ranks best sellers by distinct buyers, overall and per category', () => {
		const model = train(lines, { minSupport: 1 });
		expect(model.bestSellers).toEqual(['A', 'B', 'C', 'D', 'E']);
		expect(model.bestSellersByCategory).toEqual({ Kitchen: ['A', 'B', 'C'], Garden: ['D', 'E'] });
	});

	it('applies time decay: one half-life older counts half', () => {
		const day = 86_400_000;
		const t = Date.UTC(2025, 0, 31);
		// c1 bought A and B now (weight 1), c2 bought A and C 30 days ago (weight 0.5 with a 30-day half-life)
		// A = [1, 0.5], B = [1, 0], C = [0, 0.5] → cos(A,B) = 1/sqrt(1.25) = 0.894427, cos(A,C) = 0.25/(sqrt(1.25)·0.5) = 0.447214
		const decayed = [buy('c1', 'A', t), buy('c1', 'B', t), buy('c2', 'A', t - 30 * day), buy('c2', 'C', t - 30 * day)];
		const model = train(decayed, { minSupport: 1, halfLifeDays: 30 });
		expect(neighborsOf(model, 'A')).toEqual([['B', 0.894427], ['C', 0.447214]]);
		// without decay both are 1/sqrt(2)
		expect(neighborsOf(train(decayed, { minSupport: 1 }), 'A')).toEqual([['B', 0.707107], ['C', 0.707107]]);
	});

	it('counts views at the view weight and lets purchases outrank views', () => {
		// c1 bought A and viewed B; c2 bought A and B. B = [0.3, 1], A = [1, 1]
		// cos(A,B) = (0.3 + 1)/(sqrt(2)·sqrt(0.09 + 1)) = 0.880471
		const withViews: Interaction[] = [buy('c1', 'A'), { customerId: 'c1', productId: 'B', kind: 'view' }, buy('c2', 'A'), buy('c2', 'B'), { customerId: 'c2', productId: 'B', kind: 'view' }];
		const model = train(withViews, { minSupport: 1, viewWeight: 0.3 });
		// bought share: c2 bought both (1·1) of the co-occurrence 0.3 + 1 = 1.3 → 1/1.3 = 0.7692
		expect(neighborsOf(model, 'A')).toEqual([['B', 0.880471, 0.7692]]);
		expect(model.products.find((p) => p.product_id === 'B')!.buyers).toBe(1);
	});

	it('refuses to train without order lines', () => {
		expect(() => train([{ customerId: 'c1', productId: 'A', kind: 'view' }])).toThrow(TrainError);
	});
});

describe('recommend', () => {
	const model = compileModel(train(lines, { similarity: 'cosine', minSupport: 1 }));

	it('scores neighbours of the seeds and gives the reason', () => {
		const recs = recommend(model, { purchased: ['B'] }, { count: 3 });
		expect(recs.map((r) => [r.product_id, r.score, r.reason_code])).toEqual([
			['A', 0.6667, 'bought_together'],
			['C', 0.4082, 'bought_together'],
			['D', 0.4082, 'bought_together'],
		]);
		expect(recs[0]).toMatchObject({ rank: 1, reason: 'Bought together with Product B', because_product_id: 'B', name: 'Product A', category: 'Kitchen', price: 10 });
	});

	it('excludes bought and in-cart products; cart seeds weigh 1.5', () => {
		// seeds: cart B (1.5), bought A (1): C = 1.5·0.408248 + 0.816497 = 1.428869, D = 1.5·0.408248 = 0.612372
		const recs = recommend(model, { purchased: ['A'], cart: ['B'] }, { count: 2 });
		expect(recs.map((r) => [r.product_id, r.score])).toEqual([['C', 1.4289], ['D', 0.6124]]);
		expect(recs[0].because_product_id).toBe('A'); // 0.8165 from A beats 0.6124 from B
	});

	it('fills with category best sellers, then overall, so the block is never empty', () => {
		// bought E: neighbour D; Garden best sellers D (taken), E (bought); then overall A, B
		const recs = recommend(model, { purchased: ['E'] }, { count: 3 });
		expect(recs.map((r) => [r.product_id, r.reason_code])).toEqual([['D', 'bought_together'], ['A', 'best_seller'], ['B', 'best_seller']]);
		const cold = recommend(model, {}, { count: 2 });
		expect(cold.map((r) => [r.product_id, r.reason])).toEqual([['A', 'Best seller'], ['B', 'Best seller']]);
		// a new customer who viewed D: D's neighbours B, E, then Garden is exhausted → overall
		const viewed = recommend(model, { viewed: ['D'] }, { count: 3, fill: 'category' });
		expect(viewed[0]).toMatchObject({ product_id: 'E', reason_code: 'similar_to_viewed', reason: 'Similar to Product D, which you viewed' });
		expect(recommend(model, { purchased: ['E'] }, { count: 3, fill: 'none' })).toHaveLength(1);
	});

	it('fills per category when asked: a Kitchen buyer gets Kitchen best sellers first', () => {
		// bought C and B: neighbours A (of C and B) and D (of B); Kitchen best sellers are all taken or bought → overall E
		const recs = recommend(model, { purchased: ['C', 'B'] }, { count: 3 });
		expect(recs.map((r) => r.product_id)).toEqual(['A', 'D', 'E']);
		const m2 = compileModel(train([...lines, buy('c6', 'F'), buy('c7', 'F')], { minSupport: 2 }));
		// F (Kitchen) has no neighbours; Kitchen best sellers A, B, C come before Garden's D
		expect(recommend(m2, { purchased: ['F'] }, { count: 3 }).map((r) => [r.product_id, r.reason])).toEqual([
			['A', 'Popular in Kitchen'],
			['B', 'Popular in Kitchen'],
			['C', 'Popular in Kitchen'],
		]);
	});

	it('joins catalogue details over the model\'s and can keep to catalogue products', () => {
		const catalogue = new Map([['A', { name: 'Chef knife', price: 49.5, url: 'https://shop.example/a' }], ['C', { name: 'Cutting board' }]]);
		const recs = recommend(model, { purchased: ['B'] }, { count: 3, catalogue, onlyCatalogue: true });
		expect(recs.map((r) => [r.product_id, r.name])).toEqual([['A', 'Chef knife'], ['C', 'Cutting board']]);
		expect(recs[0]).toMatchObject({ price: 49.5, url: 'https://shop.example/a', category: 'Kitchen' });
	});

	it('uses the most recent purchases as the strongest seeds', () => {
		// bought D long ago, A recently: A's neighbours (C 0.8165, B 0.6667) outrank D's (B 0.4082·0.9, E 0.7071·0.9)
		const recs = recommend(model, { purchased: [{ id: 'A', time: 2000 }, { id: 'D', time: 1000 }] }, { count: 1 });
		expect(recs[0].product_id).toBe('B'); // B: 0.6667 (A) + 0.9·0.4082 (D) = 1.0341 > C 0.8165 > E 0.6364
	});
});

describe('heavy buyers', () => {
	it('keeps only the most recent products of a customer beyond the cap', () => {
		// c1 bought A, B, C in that order (no times); cap 2 keeps B and C → only B-C co-occur
		const model = train([buy('c1', 'A'), buy('c1', 'B'), buy('c1', 'C')], { minSupport: 1, maxProductsPerCustomer: 2 });
		expect(neighborsOf(model, 'A')).toEqual([]);
		expect(neighborsOf(model, 'B')).toEqual([['C', 1]]);
		// with times, the most recent win whatever the input order
		const t = Date.UTC(2025, 0, 1);
		const timed = train([buy('c1', 'C', t), buy('c1', 'A', t + 2e9), buy('c1', 'B', t + 1e9)], { minSupport: 1, maxProductsPerCustomer: 2, halfLifeDays: 30 });
		expect(neighborsOf(timed, 'A').map(([id]) => id)).toEqual(['B']);
		expect(neighborsOf(timed, 'C')).toEqual([]);
	});

	it('without decay, keeps the most recent purchases by time (not by input order), and purchases before views', () => {
		// c1, cap 2, no decay: bought C (day 3), A (day 1), B (day 2) in that input order, and viewed D on day 4.
		// Every purchase weighs 1 and the view 0.3: the view goes first, then the oldest purchase A.
		// Kept: C and B (one customer with both: cosine 1/sqrt(1·1) = 1); A and D have no neighbour.
		const t = Date.UTC(2025, 0, 1);
		const day = 86_400_000;
		const model = train(
			[buy('c1', 'C', t + 3 * day), buy('c1', 'A', t + day), buy('c1', 'B', t + 2 * day), { customerId: 'c1', productId: 'D', time: t + 4 * day, kind: 'view' }],
			{ minSupport: 1, maxProductsPerCustomer: 2 },
		);
		expect(neighborsOf(model, 'B')).toEqual([['C', 1]]);
		expect(neighborsOf(model, 'C')).toEqual([['B', 1]]);
		expect(neighborsOf(model, 'A')).toEqual([]);
		// a product bought long ago and viewed yesterday counts by its purchase (day 0), so it is the oldest
		const again = train(
			[buy('c1', 'A', t), buy('c1', 'B', t + day), buy('c1', 'C', t + 2 * day), { customerId: 'c1', productId: 'A', time: t + 9 * day, kind: 'view' }],
			{ minSupport: 1, maxProductsPerCustomer: 2 },
		);
		expect(neighborsOf(again, 'B')).toEqual([['C', 1]]);
		expect(neighborsOf(again, 'A')).toEqual([]);
	});
});
