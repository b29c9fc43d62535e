/**
 * The shared duplicate memory (nodes/engines/events/sharedDedupe.ts) on the local PostgreSQL: the
 * window's edges as the static-data window reads them (an id recorded at most windowMs ago is seen),
 * a key twice in one call, many concurrent checks through separate pools (as separate processes),
 * and pruning of expired rows per scope: it keeps up with any delivery rate (the table stays near
 * its live rows), stops a run at its limits and goes on at the next delivery, and never deletes a
 * key that a concurrent check re-recorded (review findings 1 and 2).
 */
import { Client, Pool, type QueryResultRow } from 'pg';
import { SharedDedupeMemory, type PruneLimits } from '../../../nodes/engines/events/sharedDedupe';
import { dropPrefix, pgConnection, uniquePrefix } from '../../harness/profile-db';

const prefix = uniquePrefix('seenx');
const prefixes = [prefix];
const pools: Pool[] = [];
function memory(tablePrefix = prefix, limits: Partial<PruneLimits> = {}): SharedDedupeMemory {
	const pool = new Pool({ ...pgConnection, ssl: false, max: 5 });
	pools.push(pool);
	return new SharedDedupeMemory(pool, tablePrefix, limits);
}
/** A table of its own (the one-year sweep deletes from every scope). */
function ownPrefix(name: string): string {
	const p = uniquePrefix(name);
	prefixes.push(p);
	return p;
}
afterAll(async () => {
	await Promise.all(pools.map((p) => p.end()));
	for (const p of prefixes) await dropPrefix(p);
});

async function sql<R extends QueryResultRow = QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
	const c = new Client({ ...pgConnection, ssl: false });
	await c.connect();
	try {
		return (await c.query<R>(text, params)).rows;
	} finally {
		await c.end();
	}
}
async function rows(scope: string, tablePrefix = prefix): Promise<Array<{ key: string; seen_at: string }>> {
	return sql(`SELECT key, seen_at FROM ${tablePrefix}seen_ids WHERE scope = $1 ORDER BY key`, [scope]);
}
async function count(scope: string, tablePrefix = prefix): Promise<number> {
	return Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM ${tablePrefix}seen_ids WHERE scope = $1`, [scope]))[0].n);
}
/** Expired rows written straight into the table (a backlog, as the former pruning left behind). */
async function backlog(tablePrefix: string, scope: string, n: number, seenAt: number): Promise<void> {
	await sql(`INSERT INTO ${tablePrefix}seen_ids (scope, key, seen_at) SELECT $1, 'old' || g, $2 FROM generate_series(1, $3::int) AS g`, [scope, seenAt, n]);
}
/** Waits until a DELETE on `table` is waiting for a row lock (the prune is blocked by the open transaction). */
async function deleteWaitingOnLock(table: string): Promise<void> {
	for (let n = 0; n < 200; n++) {
		const waiting = await sql(
			"SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM ' || $1 || ' %'",
			[table],
		);
		if (waiting.length > 0) return;
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	throw new Error('the prune never waited for the row lock');
}
/** The check's own upsert statement (sharedDedupe.ts), in `client`'s open transaction. */
async function upsertInTransaction(client: Client, table: string, scope: string, key: string, now: number, windowMs: number) {
	await client.query('BEGIN');
	const { rows: fresh } = await client.query(
		`INSERT INTO ${table} AS t (scope, key, seen_at) SELECT $1, k, $2 FROM unnest($3::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n ` +
			'ON CONFLICT (scope, key) DO UPDATE SET seen_at = EXCLUDED.seen_at WHERE t.seen_at < $4 RETURNING key',
		[scope, now, [key], now - windowMs],
	);
	return fresh;
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

	it('1 delivery/s (3 keys each, as Shopify) for an hour with a 1-minute window: the table stays near its live rows', async () => {
		// The reviewer's scenario: ten deliveries every 10 s, 30 keys per call. The live rows are those
		// recorded in the last minute: 7 calls (now and 10…60 s before) × 30 = 210. A scope is pruned
		// every quarter window (15 s, so every other call here): at most 2 calls (60 keys) of expired
		// rows wait for it. Before, 1,000 rows per 10 minutes were deleted: 5,800 rows after the hour.
		const p = ownPrefix('seenrate');
		const m = memory(p);
		const W = 60_000;
		const t0 = 1_900_000_000_000;
		let most = 0;
		for (let s = 0; s < 3600; s += 10) {
			const keys: string[] = [];
			for (let j = 0; j < 10; j++) keys.push(`m${s + j}`, `c${s + j}`, `e${s + j}`);
			await m.check('busy', keys, t0 + s * 1000, W);
			await m.pruning;
			if (s % 300 === 0 || s === 3590) most = Math.max(most, await count('busy', p));
		}
		expect(most).toBeLessThanOrEqual(210 + 60);
		const left = await count('busy', p);
		expect(left).toBeGreaterThanOrEqual(210);
		expect(left).toBeLessThanOrEqual(210 + 60);
	});

	it('a backlog of 5,500 expired rows goes in one run (batch after batch until one comes back short), rows in the window stay', async () => {
		const p = ownPrefix('seenlag');
		const m = memory(p);
		const t0 = 1_900_000_000_000;
		await m.check('lag', ['live'], t0, 60_000);
		await m.pruning;
		await backlog(p, 'lag', 5500, t0 - 120_000);
		expect(await count('lag', p)).toBe(5501);
		// 30 s later (a quarter window has passed: the prune is due): one delivery's background run
		// deletes all 5,500 (2 minutes old), not 'live' (30 s old)
		expect(await m.check('lag', ['next'], t0 + 30_000, 60_000)).toEqual([false]);
		await m.pruning;
		expect((await rows('lag', p)).map((r) => r.key)).toEqual(['live', 'next']);
	});

	it('a run stops at its limits (rows per run) and the next delivery goes on with it', async () => {
		const p = ownPrefix('seenlim');
		const m = memory(p, { batch: 10, maxBatches: 3 });
		const t0 = 1_900_000_000_000;
		await m.check('lim', ['a'], t0, 60_000);
		await m.pruning;
		await backlog(p, 'lim', 100, t0 - 120_000);
		// 1 s later the quarter-window interval (15 s) has not passed: nothing pruned
		await m.check('lim', ['b'], t0 + 1000, 60_000);
		await m.pruning;
		expect(await count('lim', p)).toBe(102);
		// 15 s later: one run of 3 batches of 10
		await m.check('lim', ['c'], t0 + 15_000, 60_000);
		await m.pruning;
		expect(await count('lim', p)).toBe(103 - 30);
		// it stopped at its limits, so the next delivery (1 ms later) goes on: 30 more, and so on
		await m.check('lim', ['d'], t0 + 15_001, 60_000);
		await m.pruning;
		expect(await count('lim', p)).toBe(104 - 60);
		for (let n = 2; n <= 5; n++) {
			await m.check('lim', [`e${n}`], t0 + 15_000 + n, 60_000);
			await m.pruning;
		}
		// 100 expired rows: 3 + 3 + 3 + 1 batches (the 4th comes back empty: done)
		expect((await rows('lim', p)).map((r) => r.key)).toEqual(['a', 'b', 'c', 'd', 'e2', 'e3', 'e4', 'e5']);
	});

	it('a key re-recorded by a concurrent check while the prune waits for its row is kept (the retry is still a duplicate)', async () => {
		const p = ownPrefix('seenrace');
		const m = memory(p);
		const W = 60_000;
		const t0 = 1_950_000_000_000;
		await m.check('race', ['k'], t0, W);
		await m.pruning;
		const t1 = t0 + 10 * W; // k has expired: a new delivery of it records it afresh and runs
		const other = new Client({ ...pgConnection, ssl: false });
		await other.connect();
		try {
			expect(await upsertInTransaction(other, `${p}seen_ids`, 'race', 'k', t1, W)).toEqual([{ key: 'k' }]);
			// another delivery of the scope on this process: answered at once, its prune waits for k's row
			expect(await m.check('race', ['x'], t1, W)).toEqual([false]);
			await deleteWaitingOnLock(`${p}seen_ids`);
			await other.query('COMMIT');
			await m.pruning;
		} finally {
			await other.end();
		}
		expect((await rows('race', p)).map((r) => [r.key, r.seen_at])).toEqual([
			['k', String(t1)],
			['x', String(t1)],
		]);
		// the provider's retry of k's delivery 1 s later, on another process: a duplicate
		expect(await memory(p).check('race', ['k'], t1 + 1000, W)).toEqual([true]);
	});

	it('the one-year sweep keeps a row re-recorded while it waits for it, and deletes the others', async () => {
		const p = ownPrefix('seensweep');
		const year = 525_600 * 60_000; // the longest Duplicate Window
		const t0 = 1_950_000_000_000;
		await memory(p).check('long', ['k', 'gone'], t0, year);
		const t1 = t0 + year + 2 * 86_400_000; // 367 days later: older than 366 days, expired in its window
		// a new process (its table ready: CREATE INDEX IF NOT EXISTS would wait for the open transaction)
		const m = memory(p);
		await m.init();
		const other = new Client({ ...pgConnection, ssl: false });
		await other.connect();
		try {
			expect(await upsertInTransaction(other, `${p}seen_ids`, 'long', 'k', t1, year)).toEqual([{ key: 'k' }]);
			// its first delivery, for another trigger: its run includes the one-year sweep
			expect(await m.check('short', ['y'], t1, 60_000)).toEqual([false]);
			await deleteWaitingOnLock(`${p}seen_ids`);
			await other.query('COMMIT');
			await m.pruning;
		} finally {
			await other.end();
		}
		expect((await rows('long', p)).map((r) => [r.key, r.seen_at])).toEqual([['k', String(t1)]]);
	});
});
