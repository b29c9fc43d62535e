/**
 * CLV runtime on 20,000 synthetic customers (a script, not a test: no timing assertions in jest).
 *   node -r ts-node/register/transpile-only bench/segments/clv-runtime.ts [segments engine dir]
 * The directory defaults to this checkout's nodes/engines/segments; pass another (e.g. a
 * `git archive <rev> nodes/engines/segments` copy) to time an earlier version. Prints, per
 * population and horizon, the best of 3 runs and a checksum (Σ CLV) to compare values.
 * Populations (days, CDNOW-like fit r 0.243, α 30.9, a 0.793, b 2.426; Gamma-Gamma 6.25, 3.74, 15.44):
 * "x <= 400" is review7's (x = ⌊u³·400⌋, T ∈ [30, 546]); "x <= 40" the same with x = ⌊u³·40⌋.
 */
import path from 'node:path';

type Clv = typeof import('../../nodes/engines/segments/clv').customerLifetimeValue;
const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '../../nodes/engines/segments'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { customerLifetimeValue } = require(path.join(dir, 'clv')) as { customerLifetimeValue: Clv };

function population(maxX: number) {
	let seed = 42;
	const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
	return Array.from({ length: 20000 }, () => {
		const T = 30 + rnd() * 516;
		const x = Math.floor(rnd() ** 3 * maxX);
		return { frequency: x, recency: x ? rnd() * T : 0, T, monetary: 20 + rnd() * 50 };
	});
}

const bgnbd = { r: 0.243, alpha: 30.9, a: 0.793, b: 2.426 };
const gg = { p: 6.25, q: 3.74, gamma: 15.44 };
for (const maxX of [40, 400]) {
	const customers = population(maxX);
	for (const months of [12, 60]) {
		let best = Infinity;
		let checksum = 0;
		for (let run = 0; run < 3; run++) {
			const start = process.hrtime.bigint();
			checksum = 0;
			for (const c of customers) checksum += customerLifetimeValue(bgnbd, gg, c, { months, monthlyDiscountRate: 0.01, unit: 'days' }) ?? NaN;
			best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
		}
		console.log(`x <= ${maxX}\t${months} months\t${best.toFixed(0)} ms\tΣ CLV ${checksum.toPrecision(15)}`);
	}
}
