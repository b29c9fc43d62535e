import type { IDataObject } from 'n8n-workflow';

/**
 * 300 customers drawn from the Gamma-Gamma model itself (the given p, default 4; γ = 10; the given q): per-order
 * spend z̄ ~ Gamma(px, νx), ν ~ Gamma(q, γ), 0..4 repeat purchases over 52 weeks. A fixed-seed
 * generator, so the same rows every run.
 */
export function drawSpendCustomers(q: number, p = 4): IDataObject[] {
	let seed = 12345;
	const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
	const normal = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
	const gammaDraw = (k: number): number => {
		if (k < 1) return gammaDraw(k + 1) * rnd() ** (1 / k);
		const d = k - 1 / 3;
		const c = 1 / Math.sqrt(9 * d);
		for (;;) {
			let x: number;
			let v: number;
			do {
				x = normal();
				v = 1 + c * x;
			} while (v <= 0);
			v = v * v * v;
			if (Math.log(rnd()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
		}
	};
	const rows: IDataObject[] = [];
	for (let i = 0; i < 300; i++) {
		const nu = gammaDraw(q) / 10;
		const x = Math.floor(rnd() * 5);
		const T = 52;
		rows.push({ customer_id: `c${i}`, frequency: x, recency: x > 0 ? Math.round(T * (0.2 + 0.8 * rnd())) : 0, T, monetary_value: x > 0 ? gammaDraw(p * x) / (nu * x) : 0 });
	}
	return rows;
}
