/**
 * The shared duplicate memory (nodes/engines/events/sharedDedupe.ts) on the local PostgreSQL: the
 * window's edges as the static-data window reads them (an id recorded at most windowMs ago is seen),
 * a key twice in one call, many concurrent checks through separate pools (as separate processes),
 * and pruning of expired rows per scope: it keeps up with any delivery rate (the table stays near
 * its live rows), stops a run at its limits and goes on at the next delivery, and never deletes a
 * key that a concurrent check re-recorded (review findings 1 and 2). Second review (F2, F3): a prune
 * never waits for a row a delivery holds (it skips it: no deadlock with a delivery's upsert), a
 * failed run stays due for the next delivery, and a process runs one prune at a time.
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
/** `promise`, or a failure naming `what` when it takes longer than `ms` (the former prune waited for the open transaction). */
async function within<T>(promise: Promise<T> | undefined, ms: number, what: string): Promise<T | undefined> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
	});
	try {
		return await Promise.race([promise, late]);
	} finally {
		clearTimeout(timer);
	}
}
/** Until the process's prune run has finished, or its DELETE waits for a row lock (as the former one did). */
async function pruneFinishedOrWaiting(m: SharedDedupeMemory, table: string): Promise<'finished' | 'waiting'> {
	let finished = false;
	void m.pruning?.then(() => (finished = true));
	if (m.pruning === undefined) return 'finished';
	for (let n = 0; n < 200; n++) {
		if (finished) return 'finished';
		const waiting = await sql(
			"SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM ' || $1 || ' %'",
			[table],
		);
		if (waiting.length > 0) return 'waiting';
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	throw new Error('the prune neither finished nor waited');
}
/** The check's own upsert statement (sharedDedupe.ts), in `client`'s open transaction. */
async function upsert(client: Client, table: string, scope: string, key: string, now: number, windowMs: number) {
	const { rows: fresh } = await client.query(
		`INSERT INTO ${table} AS t (scope, key, seen_at) SELECT $1, k, $2 FROM unnest($3::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n ` +
			'ON CONFLICT (scope, key) DO UPDATE SET seen_at = EXCLUDED.seen_at WHERE t.seen_at < $4 RETURNING key',
		[scope, now, [key], now - windowMs],
	);
	return fresh;
}
async function upsertInTransaction(client: Client, table: string, scope: string, key: string, now: number, windowMs: number) {
	await client.query('BEGIN');
	return upsert(client, table, scope, key, now, windowMs);
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

	it('a key a concurrent check is re-recording (its row locked) is skipped by the prune, not waited for, and kept (the retry is still a duplicate)', async () => {
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
			// another delivery of the scope on this process: answered at once; its prune skips k's row
			// and ends while k's transaction is still open (before, it waited for it)
			expect(await m.check('race', ['x'], t1, W)).toEqual([false]);
			await within(m.pruning, 5000, 'the prune, while a delivery holds a row,');
			await other.query('COMMIT');
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

	it('the one-year sweep skips a row being re-recorded (not waited for) and keeps it, and deletes the others', async () => {
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
			await within(m.pruning, 5000, 'the sweep, while a delivery holds a row,');
			await other.query('COMMIT');
		} finally {
			await other.end();
		}
		expect((await rows('long', p)).map((r) => [r.key, r.seen_at])).toEqual([['k', String(t1)]]);
	});

	it('review 2, F2: a delivery upserting a then b while a prune deletes in seen_at order (b before a): no deadlock, live rows kept, the other expired rows deleted', async () => {
		// The reviewer's interleaving: a recorded after b (seen_at a > b), both expired, and c too. A
		// delivery's transaction has upserted a (row locked), then the prune starts: the former one
		// locked b (seen_at order) and waited for a; the delivery's upsert of b then waited for the
		// prune: a deadlock (PostgreSQL aborts one of them after deadlock_timeout, 1 s). Now the prune
		// skips a, deletes b and c, and ends; the delivery then records b afresh (it had expired).
		const p = ownPrefix('seendl');
		const table = `${p}seen_ids`;
		const m = memory(p);
		const W = 60_000;
		const t0 = 1_960_000_000_000;
		await m.check('dl', ['b'], t0 + 100, W);
		await m.pruning;
		await m.check('dl', ['a'], t0 + 200, W); // within the quarter window: no prune
		await m.check('dl', ['c'], t0 + 300, W);
		expect(m.pruning).toBeUndefined();
		const t1 = t0 + 10 * W;
		const other = new Client({ ...pgConnection, ssl: false });
		await other.connect();
		try {
			expect(await upsertInTransaction(other, table, 'dl', 'a', t1, W)).toEqual([{ key: 'a' }]);
			expect(await m.check('dl', ['x'], t1, W)).toEqual([false]); // its prune starts
			await pruneFinishedOrWaiting(m, table);
			// the delivery goes on with b: it must neither fail (deadlock victim) nor wait for the prune
			expect(await upsert(other, table, 'dl', 'b', t1, W)).toEqual([{ key: 'b' }]);
			await other.query('COMMIT');
		} finally {
			await other.end();
		}
		await m.pruning;
		// a and b as the delivery recorded them, x live, c (expired, not locked) deleted by that run
		expect((await rows('dl', p)).map((r) => [r.key, r.seen_at])).toEqual([
			['a', String(t1)],
			['b', String(t1)],
			['x', String(t1)],
		]);
	});

	it('review 2, F2: a prune run that fails is retried by the next delivery (its scope, and the one-year sweep it carried), the deliveries unaffected', async () => {
		const p = ownPrefix('seenfail');
		const table = `${p}seen_ids`;
		const m = memory(p);
		await m.init();
		const W = 60_000;
		const t0 = 1_960_000_000_000;
		const year = 366 * 86_400_000;
		await backlog(p, 'fail', 3, t0 - 2 * W); // expired in the scope's window
		await backlog(p, 'ancient', 2, t0 - year - 86_400_000); // older than a year: for the sweep
		// a DELETE of the rows chosen fails (as a deadlock victim's would): first any row, then the old ones only
		await sql(`CREATE FUNCTION ${p}refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`);
		await sql(`CREATE TRIGGER ${p}refuse_all BEFORE DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${p}refuse()`);
		expect(await m.check('fail', ['new1'], t0, W)).toEqual([false]);
		await m.pruning;
		expect(await count('fail', p)).toBe(4);
		await sql(`DROP TRIGGER ${p}refuse_all ON ${table}`);
		await sql(`CREATE TRIGGER ${p}refuse_old BEFORE DELETE ON ${table} FOR EACH ROW WHEN (OLD.scope = 'ancient') EXECUTE FUNCTION ${p}refuse()`);
		// 1 ms later (the quarter window has not passed): the failed run is due again, its scope part
		// goes through now, its sweep fails
		expect(await m.check('fail', ['new2'], t0 + 1, W)).toEqual([false]);
		await m.pruning;
		expect((await rows('fail', p)).map((r) => r.key)).toEqual(['new1', 'new2']);
		expect(await count('ancient', p)).toBe(2);
		await sql(`DROP TRIGGER ${p}refuse_old ON ${table}`);
		// the next delivery due to prune (another trigger's) carries the sweep again (before: a day later)
		expect(await m.check('other', ['y'], t0 + 2, W)).toEqual([false]);
		await m.pruning;
		expect(await count('ancient', p)).toBe(0);
		expect((await rows('fail', p)).map((r) => r.key)).toEqual(['new1', 'new2']);
	});

	it('review 2, F3: one prune run at a time per process: backlogged triggers take turns (at most one DELETE on the pool at once), each goes on at its next delivery', async () => {
		const p = ownPrefix('seenone');
		const table = `${p}seen_ids`;
		const pool = new Pool({ ...pgConnection, ssl: false, max: 5 });
		pools.push(pool);
		// the DELETEs on this pool at once (counted around the real pool's query)
		let deleting = 0;
		let most = 0;
		const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
		(pool as unknown as { query: unknown }).query = async (...args: unknown[]) => {
			const del = typeof args[0] === 'string' && args[0].startsWith('DELETE');
			if (del) most = Math.max(most, ++deleting);
			try {
				return await query(...args);
			} finally {
				if (del) deleting--;
			}
		};
		const m = new SharedDedupeMemory(pool, p, { batch: 10, maxBatches: 3 });
		await m.init();
		const W = 60_000;
		const t0 = 1_960_000_000_000;
		const scopes = ['s1', 's2', 's3', 's4'];
		for (const s of scopes) await backlog(p, s, 100, t0 - 2 * W);
		// each DELETE takes 50 ms, so a run (3 statements) outlasts the other deliveries' checks
		await sql(`CREATE FUNCTION ${p}slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.05); RETURN NULL; END $$`);
		await sql(`CREATE TRIGGER ${p}slow BEFORE DELETE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${p}slow()`);
		// a delivery to each of the four backlogged triggers at once
		expect(await Promise.all(scopes.map((s) => m.check(s, ['live'], t0, W)))).toEqual([[false], [false], [false], [false]]);
		await m.pruning;
		expect(most).toBe(1);
		// one trigger's run deleted 30 rows (3 batches of 10); the three others are still due
		expect((await Promise.all(scopes.map((s) => count(s, p)))).sort((a, b) => a - b)).toEqual([71, 101, 101, 101]);
		// deliveries one after the other: each trigger goes on until its 100 expired rows are gone
		for (let n = 1; n <= 5; n++) {
			for (const s of scopes) {
				await m.check(s, [`k${n}`], t0 + n, W);
				await m.pruning;
			}
		}
		expect(most).toBe(1);
		expect(Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE key LIKE 'old%'`))[0].n)).toBe(0);
		for (const s of scopes) expect(await count(s, p)).toBe(6);
	});
});
