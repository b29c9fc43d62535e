/**
 * The shared duplicate memory (nodes/engines/events/sharedDedupe.ts) on the local PostgreSQL: the
 * window's edges as the static-data window reads them (an id recorded at most windowMs ago is seen),
 * a key twice in one call, many concurrent checks through separate pools (as separate processes),
 * and pruning of expired rows per scope.
 */
import { Client, Pool } from 'pg';
import { SharedDedupeMemory } from '../../../nodes/engines/events/sharedDedupe';
import { dropPrefix, pgConnection, uniquePrefix } from '../../harness/profile-db';

const prefix = uniquePrefix('seenx');
const pools: Pool[] = [];
function memory(): SharedDedupeMemory {
	const pool = new Pool({ ...pgConnection, ssl: false, max: 5 });
	pools.push(pool);
	return new SharedDedupeMemory(pool, prefix);
}
afterAll(async () => {
	await Promise.all(pools.map((p) => p.end()));
	await dropPrefix(prefix);
});

async function rows(scope: string): Promise<Array<{ key: string; seen_at: string }>> {
	const c = new Client({ ...pgConnection, ssl: false });
	await c.connect();
	try {
		return (await c.query(`SELECT key, seen_at FROM ${prefix}seen_ids WHERE scope = $1 ORDER BY key`, [scope])).rows;
	} finally {
		await c.end();
	}
}

describe('SharedDedupeMemory', () => {
	it('seen within the window (edge included), recorded afresh after it; a key twice in one call is seen the second time', async () => {
		const m = memory();
		const W = 60_000;
		const t0 = 1_700_000_000_000;
		expect(await m.check('edges', ['a', 'b', 'a'], t0, W)).toEqual([false, false, true]);
		expect(await m.check('edges', ['a', 'c'], t0 + W, W)).toEqual([true, false]); // exactly windowMs later: still seen
		expect(await m.check('edges', ['a', 'b'], t0 + W + 1, W)).toEqual([false, false]); // 1 ms past it: new
		expect(await m.check('edges', ['a'], t0 + W + 2, W)).toEqual([true]); // and remembered from then on
		expect(await m.check('other-scope', ['a'], t0, W)).toEqual([false]); // scopes are apart
		expect(await rows('edges')).toEqual([
			{ key: 'a', seen_at: String(t0 + W + 1) },
			{ key: 'b', seen_at: String(t0 + W + 1) },
			{ key: 'c', seen_at: String(t0 + W) },
		]);
	});

	it('concurrent checks of overlapping keys from separate pools: each key is fresh for exactly one', async () => {
		const a = memory();
		const b = memory();
		const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
		const now = Date.now();
		// 16 calls, each with the keys in another order and an overlapping part
		const calls = Array.from({ length: 16 }, (_, n) => {
			const part = keys.filter((_, i) => (i + n) % 3 !== 0).reverse();
			return { part, run: (n % 2 ? a : b).check('race', part, now, 60_000) };
		});
		const results = await Promise.all(calls.map((c) => c.run));
		const freshCount = new Map<string, number>();
		results.forEach((seen, n) => calls[n].part.forEach((key, i) => !seen[i] && freshCount.set(key, (freshCount.get(key) ?? 0) + 1)));
		expect([...freshCount.values()].every((n) => n === 1)).toBe(true);
		expect(freshCount.size).toBe(30);
	});

	it('prunes the scope’s expired rows in the background, not another scope’s', async () => {
		const m = memory();
		const t0 = 1_800_000_000_000;
		await m.check('keep', ['x'], t0, 3_600_000);
		await m.check('prune', ['old1', 'old2'], t0, 60_000);
		await m.pruning;
		const fresh = memory(); // another process: it prunes on its first delivery of the scope
		expect(await fresh.check('prune', ['new'], t0 + 120_000, 60_000)).toEqual([false]);
		await fresh.pruning;
		expect((await rows('prune')).map((r) => r.key)).toEqual(['new']);
		expect((await rows('keep')).map((r) => r.key)).toEqual(['x']);
	});
});
