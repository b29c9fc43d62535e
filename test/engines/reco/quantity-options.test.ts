/**
 * The training engine called directly (not through the node's input reader): a purchase of
 * quantity 0 or less bought nothing, and options out of range are refused naming the option.
 * Each case failed on the code before its fix (quantity 0 and -1 counted as 1 unit and one buyer;
 * minSupport 0, maxProductsPerCustomer 0, a negative half-life... were used as given).
 */
import { evaluate } from '../../../nodes/engines/reco/evaluate';
import { train, TrainError } from '../../../nodes/engines/reco/train';
import type { Interaction } from '../../../nodes/engines/reco/types';

const buy = (customerId: string, productId: string, quantity?: number, time?: number): Interaction => ({ customerId, productId, quantity, time });

describe('train(): purchases of quantity 0 or less are left out', () => {
	it('c1 bought A, B at 0 and C at -1; c2 bought A and B: 3 purchases, B 1 buyer, no C', () => {
		const model = train([buy('c1', 'A', 1), buy('c1', 'B', 0), buy('c1', 'C', -1), buy('c2', 'A', 2), buy('c2', 'B', 1)], { minSupport: 1 });
		expect(model.stats).toMatchObject({ interactions: 3, purchases: 3, customers: 2, products: 2 });
		expect(model.products.map((p) => [p.product_id, p.buyers, p.units])).toEqual([
			['A', 2, 3],
			['B', 1, 1],
		]);
		// A and B shared by c2 alone: cosine 1 / sqrt(2 · 1) = 0.707107
		expect(model.products[0].neighbors).toEqual([['B', 0.707107]]);
	});

	it('evaluate(): a quantity-0 line is not the held-out product', () => {
		// c1: A (day 1), B at quantity 0 (day 2) → one product, not evaluated
		const result = evaluate([buy('c1', 'A', 1, 1), buy('c1', 'B', 0, 2), buy('c2', 'A', 1, 1), buy('c2', 'B', 1, 2)], { n: 1, train: { minSupport: 1 } });
		expect(result).toMatchObject({ customers: 2, customers_evaluated: 1 });
	});
});

describe('train(): options out of range', () => {
	const lines = [buy('c1', 'A'), buy('c1', 'B'), buy('c2', 'A'), buy('c2', 'B')];
	it.each<[Record<string, unknown>, string, string]>([
		[{ neighbors: 0 }, 'neighbors', 'neighbors must be a whole number of at least 1 (got 0)'],
		[{ halfLifeDays: -1 }, 'halfLifeDays', 'halfLifeDays must be a number of at least 0 (got -1)'],
		[{ viewWeight: 1.5 }, 'viewWeight', 'viewWeight must be a number from 0 to 1 (got 1.5)'],
		[{ minSupport: 0 }, 'minSupport', 'minSupport must be a whole number of at least 1 (got 0)'],
		[{ maxProductsPerCustomer: 0 }, 'maxProductsPerCustomer', 'maxProductsPerCustomer must be a whole number of at least 1 (got 0)'],
		[{ bestSellers: -1 }, 'bestSellers', 'bestSellers must be a whole number of at least 0 (got -1)'],
		[{ bestSellersPerCategory: Number.NaN }, 'bestSellersPerCategory', 'bestSellersPerCategory must be a whole number of at least 0 (got null)'],
		[{ similarity: 'pearson' }, 'similarity', 'Unknown similarity "pearson" (use cosine, jaccard, llr)'],
	])('%j', (options, option, message) => {
		let error: unknown;
		try {
			train(lines, options as never);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(TrainError);
		expect((error as TrainError).message).toBe(message);
		expect((error as TrainError).option).toBe(option);
	});
});
