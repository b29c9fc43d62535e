/** Which features are linear combinations of earlier ones (Train Model refuses them with L2 = 0). */
import { collinearFeatures } from '../../../nodes/engines/segments/logistic';

const a = [1, 2, 3, 4, 5, 6, 7, 8];
const c = [0, 1, 2, 0, 1, 2, 0, 1];
const rows = (...cols: number[][]) => cols[0].map((_, i) => cols.map((col) => col[i]));

describe('collinearFeatures', () => {
	it('finds a copied column, naming the column it copies', () => {
		expect(collinearFeatures(rows(a, a), ['orders', 'orders_copy'])).toEqual({ feature: 'orders_copy', of: ['orders'] });
	});

	it('finds an affine copy (spend in cents + a fee) and a sum of two others', () => {
		expect(collinearFeatures(rows(a, a.map((v) => 100 * v + 5)), ['spend', 'spend_cents'])).toEqual({ feature: 'spend_cents', of: ['spend'] });
		// total = online + store; the unrelated column before them is not named
		const unrelated = [3, 1, 4, 1, 5, 9, 2, 6];
		expect(collinearFeatures(rows(unrelated, a, c, a.map((v, i) => v + c[i])), ['u', 'online', 'store', 'total'])).toEqual({ feature: 'total', of: ['online', 'store'] });
	});

	it('independent columns and a constant column are fine', () => {
		expect(collinearFeatures(rows(a, c), ['a', 'c'])).toBeUndefined();
		expect(collinearFeatures(rows(a, a.map(() => 0.1), c), ['a', 'flat', 'c'])).toBeUndefined();
	});
});
