/** One figure a benchmark reports. `baseline` is measured in the same run, on the same data. */
export interface Figure {
	/** What is measured, e.g. "events/s (verify+parse+normalize)". */
	name: string;
	value: number;
	unit: string;
	baseline?: { name: string; value: number };
	/**
	 * value / baseline.value by default. Say which way is better so readers need not guess:
	 * 'higher' for throughput, 'lower' for time.
	 */
	better: 'higher' | 'lower';
	/** A target from the issue, e.g. ">= 50000", shown beside the figure. */
	target?: string;
}

export interface BenchModule {
	/** Runs the benchmark and returns its figures. Must finish in a few minutes on 2 cores. */
	run(options: { quick: boolean }): Promise<Figure[]>;
}

/** Median of repeated timings, in milliseconds. */
export function timeIt(fn: () => void, repeats = 5): number {
	const times: number[] = [];
	for (let i = 0; i < repeats; i++) {
		const start = process.hrtime.bigint();
		fn();
		times.push(Number(process.hrtime.bigint() - start) / 1e6);
	}
	times.sort((a, b) => a - b);
	return times[Math.floor(times.length / 2)];
}

export async function timeItAsync(fn: () => Promise<void>, repeats = 5): Promise<number> {
	const times: number[] = [];
	for (let i = 0; i < repeats; i++) {
		const start = process.hrtime.bigint();
		await fn();
		times.push(Number(process.hrtime.bigint() - start) / 1e6);
	}
	times.sort((a, b) => a - b);
	return times[Math.floor(times.length / 2)];
}
