/**
 * Nelder-Mead simplex minimisation (Nelder & Mead 1965, with the standard coefficients
 * reflection 1, expansion 2, contraction 0.5, shrink 0.5), restarted from its best point until
 * a restart no longer improves the objective. Deterministic.
 */
export interface MinimizeResult {
	x: number[];
	fx: number;
	evaluations: number;
	converged: boolean;
}

export function nelderMead(
	f: (x: number[]) => number,
	start: number[],
	options: { step?: number; tolerance?: number; xTolerance?: number; maxEvaluations?: number; restarts?: number } = {},
): MinimizeResult {
	const step = options.step ?? 0.5;
	const tol = options.tolerance ?? 1e-10;
	const xTol = options.xTolerance ?? 1e-9;
	const maxEval = options.maxEvaluations ?? 20000;
	let evaluations = 0;
	const evalf = (x: number[]): number => {
		evaluations++;
		const v = f(x);
		return Number.isFinite(v) ? v : Infinity;
	};
	let best = start.slice();
	let bestF = evalf(best);
	let converged = false;
	for (let restart = 0; restart < (options.restarts ?? 5); restart++) {
		const n = best.length;
		const simplex: number[][] = [best.slice()];
		const values: number[] = [bestF];
		for (let i = 0; i < n; i++) {
			const p = best.slice();
			p[i] += step;
			simplex.push(p);
			values.push(evalf(p));
		}
		converged = false;
		while (evaluations < maxEval) {
			const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
			const s = order.map((i) => simplex[i]);
			const v = order.map((i) => values[i]);
			for (let i = 0; i <= n; i++) {
				simplex[i] = s[i];
				values[i] = v[i];
			}
			const spread = Math.abs(values[n] - values[0]);
			let size = 0;
			for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) size = Math.max(size, Math.abs(simplex[i][j] - simplex[0][j]));
			if (spread <= tol * (Math.abs(values[0]) + tol) && size <= xTol) {
				converged = true;
				break;
			}
			const centroid = new Array<number>(n).fill(0);
			for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i][j] / n;
			const worst = simplex[n];
			const at = (t: number) => centroid.map((c, j) => c + t * (worst[j] - c));
			const xr = at(-1);
			const fr = evalf(xr);
			if (fr < values[0]) {
				const xe = at(-2);
				const fe = evalf(xe);
				if (fe < fr) {
					simplex[n] = xe;
					values[n] = fe;
				} else {
					simplex[n] = xr;
					values[n] = fr;
				}
			} else if (fr < values[n - 1]) {
				simplex[n] = xr;
				values[n] = fr;
			} else {
				const outside = fr < values[n];
				const xc = outside ? at(-0.5) : at(0.5);
				const fc = evalf(xc);
				if (fc < (outside ? fr : values[n])) {
					simplex[n] = xc;
					values[n] = fc;
				} else {
					for (let i = 1; i <= n; i++) {
						simplex[i] = simplex[i].map((x, j) => simplex[0][j] + 0.5 * (x - simplex[0][j]));
						values[i] = evalf(simplex[i]);
					}
				}
			}
		}
		let bi = 0;
		for (let i = 1; i < values.length; i++) if (values[i] < values[bi]) bi = i;
		const improved = bestF - values[bi];
		best = simplex[bi].slice();
		bestF = values[bi];
		if (converged && improved <= tol * (Math.abs(bestF) + tol)) break;
		if (evaluations >= maxEval) break;
	}
	return { x: best, fx: bestF, evaluations, converged };
}
