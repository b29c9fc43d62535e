/**
 * expectedPurchasesIfAlive takes eq. 10's Euler-transformed 2F1 (the former implementation) where
 * that is safe and cheaper, and the positive-term series elsewhere. Wherever the closed form
 * accepts, it must agree to 1e-10 relative with the series Σ P(N = n)·K_n summed here plainly (an
 * independent implementation of the sum derived in bgnbd.ts), and so must expectedPurchasesIfAlive.
 */
import { expectedPurchasesIfAlive, expectedPurchasesIfAliveClosedForm, MAX_SERIES_TERMS } from '../../../nodes/engines/segments/bgnbd';
import { mulberry32 } from '../../../nodes/engines/segments/logistic';

function seriesOnly(p: { r: number; alpha: number; a: number; b: number }, x: number, T: number, t: number): number {
	// Σ_{n>=1} P(N = n)·K_n, N ~ NegBin(r+x, z), K_n = Σ_{j<n} (b+x)_j/(a+b+x)_j, summed plainly in log space
	const A = p.r + x;
	const z = t / (p.alpha + T + t);
	let logPmf = A * Math.log1p(-z);
	let R = 1;
	let K = 0;
	let sum = 0;
	for (let n = 1; n < 5_000_000; n++) {
		K += R;
		R *= (p.b + x + n - 1) / (p.a + p.b + x + n - 1);
		logPmf += Math.log(((A + n - 1) * z) / n);
		const term = Math.exp(logPmf) * K;
		sum += term;
		if (n > (A - 1) * (z / (1 - z)) && term * (1 + 1 / (1 - z)) < 1e-17 * sum && term < 1e-300 + 1e-17 * sum) return sum;
	}
	return NaN;
}

describe('closed form (2F1) against the positive-term series', () => {
	it('agrees to 1e-10 relative over a random grid wherever it is chosen', () => {
		const random = mulberry32(7);
		const logUniform = (lo: number, hi: number) => Math.exp(Math.log(lo) + random() * (Math.log(hi) - Math.log(lo)));
		let chosen = 0;
		const bad: string[] = [];
		for (let i = 0; i < 3000; i++) {
			const p = { r: logUniform(0.01, 20), alpha: logUniform(0.1, 100), a: logUniform(0.02, 50), b: logUniform(0.02, 1e4) };
			const x = random() < 0.3 ? 0 : Math.floor(logUniform(1, 500));
			const T = logUniform(0.5, 600);
			const t = logUniform(1, 2000);
			const closed = expectedPurchasesIfAliveClosedForm(p, x, T, t, MAX_SERIES_TERMS);
			if (closed === undefined) continue;
			chosen++;
			const viaSeries = seriesOnly(p, x, T, t);
			const viaMain = expectedPurchasesIfAlive(p, x, T, t);
			if (!(Math.abs(closed / viaSeries - 1) < 1e-10) || !(Math.abs(viaMain! / viaSeries - 1) < 1e-10)) bad.push(JSON.stringify({ p, x, T, t, closed, viaSeries, viaMain }));
		}
		expect(bad).toEqual([]);
		expect(chosen).toBeGreaterThan(1000); // the grid does exercise the closed form
	});

	it('is refused at a = 1, at a, b → ∞ and for c = a+b+x−1 <= 0 (the series is summed there)', () => {
		expect(expectedPurchasesIfAliveClosedForm({ r: 0.5, alpha: 10, a: 1, b: 3 }, 3, 20, 52, MAX_SERIES_TERMS)).toBeUndefined();
		expect(expectedPurchasesIfAliveClosedForm({ r: 0.5, alpha: 4, a: 2e14, b: 8e14 }, 3, 30, 52, MAX_SERIES_TERMS)).toBeUndefined();
		expect(expectedPurchasesIfAliveClosedForm({ r: 0.4, alpha: 2, a: 0.3, b: 0.5 }, 0, 5, 52, MAX_SERIES_TERMS)).toBeUndefined();
	});
});
