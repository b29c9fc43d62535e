import { createHash } from 'node:crypto';
import { assign, AssignError, bucketOf, validateConfig } from '../../../nodes/engines/experiment/assign';

describe('assign', () => {
	const config = { experimentId: 'spring', variants: [{ name: 'control', weight: 50 }, { name: 'treatment', weight: 50 }] };

	it('bucket = first 48 bits of SHA-256("<experiment>:<customer>") / 2^48', () => {
		// an experiment "ab" and customer "c" hash "ab:c"; bucket from the digest's first 12 hex digits
		const digest = createHash('sha256').update('spring:user-42').digest('hex');
		expect(bucketOf('spring', 'user-42')).toBe(parseInt(digest.slice(0, 12), 16) / 2 ** 48);
	});

	it('is deterministic, follows the weights, and splits experiments independently', () => {
		const counts = { control: 0, treatment: 0 };
		let sameInOther = 0;
		let unstable = 0;
		for (let i = 0; i < 20000; i++) {
			const a = assign(`c${i}`, config);
			if (assign(`c${i}`, { ...config, variants: config.variants.map((v) => ({ ...v })) }).variant !== a.variant) unstable++;
			counts[a.variant as 'control' | 'treatment']++;
			if (assign(`c${i}`, { ...config, experimentId: 'summer' }).variant === a.variant) sameInOther++;
		}
		expect(unstable).toBe(0);
		// binomial(20000, 0.5): sd = 70.7; 5 sd = 354
		expect(Math.abs(counts.control - 10000)).toBeLessThan(354);
		expect(Math.abs(sameInOther - 10000)).toBeLessThan(354);
	});

	it('carves the holdout off first and splits the rest by weight', () => {
		const cfg = { experimentId: 'x', variants: [{ name: 'a', weight: 1 }, { name: 'b', weight: 3 }, { name: 'never', weight: 0 }], holdoutPercent: 10 };
		const counts: Record<string, number> = {};
		let inconsistent = 0;
		for (let i = 0; i < 40000; i++) {
			const v = assign(`u${i}`, cfg);
			counts[v.variant] = (counts[v.variant] ?? 0) + 1;
			if (v.holdout !== (v.variant === 'holdout') || v.holdout !== v.bucket < 0.1) inconsistent++;
		}
		expect(inconsistent).toBe(0);
		// expected 4000 holdout, 9000 a, 27000 b (sd ≤ 87 → 5 sd ≤ 435)
		expect(Math.abs(counts.holdout - 4000)).toBeLessThan(300);
		expect(Math.abs(counts.a - 9000)).toBeLessThan(300);
		expect(Math.abs(counts.b - 27000)).toBeLessThan(435);
		expect(counts.never).toBeUndefined();
	});

	it('validates the configuration', () => {
		expect(() => validateConfig({ experimentId: '', variants: config.variants })).toThrow(AssignError);
		expect(() => validateConfig({ experimentId: 'x', variants: [{ name: 'a', weight: 0 }] })).toThrow('weight above 0');
		expect(() => validateConfig({ experimentId: 'x', variants: [{ name: 'a', weight: 1 }, { name: 'a', weight: 1 }] })).toThrow('listed twice');
		expect(() => validateConfig({ ...config, holdoutPercent: 100 })).toThrow('Holdout');
	});
});
