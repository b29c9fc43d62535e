/**
 * 30 customers (frequency, recency, T in weeks): one of the review's samples of a small store drawn
 * from the BG/NBD with CDNOW's own parameters (r .243, α 4.414, a .793, b 2.426). Its BG/NBD fit
 * runs to a, b → ∞ (see bgnbd-boundary.test.ts).
 */
export const SMALL_STORE: Array<{ frequency: number; recency: number; T: number }> = [
	{ frequency: 0, recency: 0, T: 21 }, { frequency: 0, recency: 0, T: 32 }, { frequency: 0, recency: 0, T: 26 }, { frequency: 0, recency: 0, T: 9 },
	{ frequency: 0, recency: 0, T: 22 }, { frequency: 0, recency: 0, T: 31 }, { frequency: 0, recency: 0, T: 15 }, { frequency: 15, recency: 29, T: 35 },
	{ frequency: 0, recency: 0, T: 3 }, { frequency: 0, recency: 0, T: 3 }, { frequency: 0, recency: 0, T: 20 }, { frequency: 2, recency: 8, T: 18 },
	{ frequency: 5, recency: 15, T: 17 }, { frequency: 0, recency: 0, T: 7 }, { frequency: 1, recency: 10, T: 28 }, { frequency: 3, recency: 9, T: 19 },
	{ frequency: 1, recency: 8, T: 14 }, { frequency: 1, recency: 23, T: 33 }, { frequency: 0, recency: 0, T: 7 }, { frequency: 0, recency: 0, T: 8 },
	{ frequency: 6, recency: 21, T: 28 }, { frequency: 1, recency: 7, T: 13 }, { frequency: 0, recency: 0, T: 11 }, { frequency: 0, recency: 0, T: 16 },
	{ frequency: 0, recency: 0, T: 16 }, { frequency: 0, recency: 0, T: 5 }, { frequency: 0, recency: 0, T: 8 }, { frequency: 0, recency: 0, T: 28 },
	{ frequency: 8, recency: 23, T: 36 }, { frequency: 5, recency: 36, T: 39 },
];
