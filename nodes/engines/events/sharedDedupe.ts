/**
 * The shared duplicate memory: the trigger's de-duplication window kept in one PostgreSQL table, so
 * every n8n process (queue mode: several main and webhook processes) checks and records a
 * delivery's keys in one atomic statement. Two copies of a delivery arriving at once on two
 * processes: one INSERT wins, the other waits for its row lock and then finds the key (PostgreSQL's
 * INSERT … ON CONFLICT), so exactly one runs the workflow; nothing is kept per process, so a retry
 * reaching another process later is caught too.
 *
 * The keys are those of the static-data window (dedupe.ts: deliveryDedupeKeys), and a key counts as
 * seen when it was recorded at most `windowMs` before `now`; an older one is recorded afresh (a
 * new delivery), as dedupePersisted does. There is no count bound: in the background after a
 * delivery, a scope's rows older than its window are deleted (every quarter window, at most every
 * PRUNE_EVERY_MS, per scope and process), batch after batch until a batch comes back short; rows
 * older than a year (a trigger since deleted, or whose window was shortened) the same way, once a
 * day. One run stops after PRUNE_LIMITS (rows, time); the next delivery then goes on. So the table
 * holds about the live rows (events × window, plus a quarter window), however fast deliveries come.
 *
 * One prune run at a time per process (whatever the scope, table or pool): a delivery due to prune
 * while another run goes on leaves its scope due, and a later delivery starts it. So pruning holds
 * at most one connection of the pool that deliveries' checks and Customer Profile share.
 *
 * A prune never waits for a row lock: each batch locks its rows with FOR UPDATE SKIP LOCKED, so a
 * row a delivery is recording (its open statement holds the row) is left for a later run. A delivery
 * may wait for a row a prune holds (one short DELETE), never the other way round, so the two cannot
 * deadlock (a delivery's upsert locks its rows in key order, a batch in seen_at order: when both
 * waited, they did). Under READ COMMITTED the row locked is its latest version with the conditions
 * re-checked, and the DELETE repeats them: a key re-recorded meanwhile by a delivery (on any
 * process) is kept. A run that fails (any error) leaves its scope, and the one-year sweep if it
 * carried it, due again: the next delivery retries it; the delivery itself is never failed or delayed.
 */
import type { Pool } from 'pg';
import { inTransaction } from '../profile/postgres';
import { validPrefix } from '../profile/types';

/** At most how often a process deletes a scope's expired rows (more often, every quarter window, when the window is shorter). */
export const PRUNE_EVERY_MS = 10 * 60_000;
/** Rows older than this are expired for every scope (the longest Duplicate Window is one year). */
const MAX_WINDOW_MS = 366 * 24 * 60 * 60_000;
/** How often a process deletes the rows older than MAX_WINDOW_MS, of any scope (no index serves it). */
const PRUNE_ALL_EVERY_MS = 24 * 60 * 60_000;

/** Bounds of one background prune run (one scope, and the one-year sweep when due). */
export interface PruneLimits {
	/** Rows deleted per DELETE statement. */
	batch: number;
	/** At most this many statements per run (per scope, and per sweep). */
	maxBatches: number;
	/** A run starts no new statement after this long. */
	maxMs: number;
}
/** 1,000 rows a statement, up to 50,000 rows or 2 s a run. */
export const PRUNE_LIMITS: PruneLimits = { batch: 1000, maxBatches: 50, maxMs: 2000 };
const MAX_ATTEMPTS = 4;

export class SharedDedupeMemory {
	readonly table: string;
	private ready: Promise<void> | undefined;
	private readonly lastPrune = new Map<string, number>();
	private lastPruneAll: number | undefined;
	private readonly limits: PruneLimits;

	constructor(
		private readonly pool: Pool,
		tablePrefix?: string,
		limits: Partial<PruneLimits> = {},
	) {
		this.table = `${validPrefix(tablePrefix)}seen_ids`;
		this.limits = { ...PRUNE_LIMITS, ...limits };
	}

	/** The process's prune run going on in the background, if any, this memory's or another's (tests wait for it). */
	get pruning(): Promise<void> | undefined {
		return pruneRun;
	}

	/** Creates the table once per process (an advisory lock keeps concurrent CREATEs apart). */
	init(): Promise<void> {
		this.ready ??= this.create().catch((error) => {
			this.ready = undefined;
			throw error;
		});
		return this.ready;
	}

	private create(): Promise<void> {
		return inTransaction(this.pool, async (client) => {
			await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`pz-migrate:${this.table}`]);
			await client.query(
				`CREATE TABLE IF NOT EXISTS ${this.table} (scope TEXT NOT NULL, key TEXT NOT NULL, seen_at BIGINT NOT NULL, PRIMARY KEY (scope, key))`,
			);
			await client.query(`CREATE INDEX IF NOT EXISTS ${this.table}_scope_seen ON ${this.table} (scope, seen_at)`);
		});
	}

	/**
	 * Records `keys` for `scope` at `now` and tells, per key, whether it was seen: recorded at most
	 * windowMs earlier, or earlier in `keys` itself. One statement (one round trip once the table
	 * exists), atomic across processes.
	 */
	async check(scope: string, keys: string[], now: number, windowMs: number): Promise<boolean[]> {
		if (keys.length === 0) return [];
		await this.init();
		// Each key once (ON CONFLICT cannot touch one row twice in a statement), in one order for
		// every process, so two deliveries sharing keys lock their rows in the same order.
		const unique = [...new Set(keys)].sort();
		const cutoff = now - windowMs;
		const sql =
			`INSERT INTO ${this.table} AS t (scope, key, seen_at) ` +
			'SELECT $1, k, $2 FROM unnest($3::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n ' +
			'ON CONFLICT (scope, key) DO UPDATE SET seen_at = EXCLUDED.seen_at WHERE t.seen_at < $4 RETURNING key';
		let fresh: Set<string> | undefined;
		for (let attempt = 1; fresh === undefined; attempt++) {
			try {
				const { rows } = await this.pool.query<{ key: string }>(sql, [scope, now, unique, cutoff]);
				fresh = new Set(rows.map((r) => r.key));
			} catch (error) {
				// a deadlock (40P01) or serialization failure (40001) is retried
				const code = (error as { code?: unknown }).code;
				if (attempt >= MAX_ATTEMPTS || (code !== '40P01' && code !== '40001')) throw error;
			}
		}
		this.maybePrune(scope, now, windowMs);
		const first = new Set<string>();
		return keys.map((key) => {
			if (first.has(key)) return true;
			first.add(key);
			return !fresh.has(key);
		});
	}

	/**
	 * In the background: the scope's expired rows (every quarter window, at most every
	 * PRUNE_EVERY_MS), then anyone's older than a year (once per PRUNE_ALL_EVERY_MS). A run that
	 * stopped at its limits or failed leaves its timer unset, so the next delivery goes on with it;
	 * one run at a time per process (a scope due meanwhile stays due).
	 */
	private maybePrune(scope: string, now: number, windowMs: number): void {
		if (pruneRun !== undefined) return;
		const last = this.lastPrune.get(scope);
		if (last !== undefined && now - last < Math.min(PRUNE_EVERY_MS, windowMs / 4)) return;
		if (this.lastPrune.size > 1000) this.lastPrune.delete(this.lastPrune.keys().next().value as string);
		this.lastPrune.set(scope, now);
		const all = this.lastPruneAll === undefined || now - this.lastPruneAll >= PRUNE_ALL_EVERY_MS;
		if (all) this.lastPruneAll = now;
		pruneRun = this.prune(scope, now - windowMs, all ? now - MAX_WINDOW_MS : undefined).finally(() => {
			pruneRun = undefined;
		});
	}

	/** One run; it never rejects: what it did not finish (its limits reached, or an error) stays due. */
	private async prune(scope: string, cutoff: number, globalCutoff: number | undefined): Promise<void> {
		const t = this.table;
		const { batch } = this.limits;
		// The batch's rows are locked first (SKIP LOCKED: a row a delivery holds is left for a later
		// run, never waited for; FOR UPDATE re-checks the conditions on a row's latest version), once:
		// ARRAY(…) is computed once per statement, where an IN (…) subquery may be re-run per row and
		// so lock and delete more than `batch` rows. The DELETE then finds them by ctid (a TID scan)
		// and repeats the conditions.
		const scoped = await this.deleteBatches(
			`DELETE FROM ${t} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${t} WHERE scope = $1 AND seen_at < $2 LIMIT ${batch} FOR UPDATE SKIP LOCKED)) AND scope = $1 AND seen_at < $2`,
			[scope, cutoff],
		);
		if (scoped !== 'done') this.lastPrune.delete(scope);
		if (globalCutoff === undefined) return;
		// after a failed scope part the sweep is not begun, and stays due as well
		const swept =
			scoped === 'failed'
				? 'failed'
				: await this.deleteBatches(
						`DELETE FROM ${t} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${t} WHERE seen_at < $1 LIMIT ${batch} FOR UPDATE SKIP LOCKED)) AND seen_at < $1`,
						[globalCutoff],
					);
		if (swept !== 'done') this.lastPruneAll = undefined;
	}

	/**
	 * Runs a batched DELETE until a batch comes back short ('done'), the run's limits are reached
	 * ('limited'), or a statement fails ('failed': a deadlock, 40P01, or any other error).
	 */
	private async deleteBatches(sql: string, params: unknown[]): Promise<'done' | 'limited' | 'failed'> {
		const { batch, maxBatches, maxMs } = this.limits;
		const started = Date.now();
		try {
			for (let n = 0; n < maxBatches && Date.now() - started < maxMs; n++) {
				const { rowCount } = await this.pool.query(sql, params);
				if ((rowCount ?? 0) < batch) return 'done';
			}
		} catch {
			return 'failed';
		}
		return 'limited';
	}
}

/** The process's prune run going on, if any: one at a time, whatever the memory (they share pools with Customer Profile). */
let pruneRun: Promise<void> | undefined;

/** One memory per pool and table prefix in a process (its table is created once). */
const memories = new WeakMap<Pool, Map<string, SharedDedupeMemory>>();

export function sharedDedupeMemory(pool: Pool, tablePrefix?: string): SharedDedupeMemory {
	let byPrefix = memories.get(pool);
	if (!byPrefix) {
		byPrefix = new Map();
		memories.set(pool, byPrefix);
	}
	const prefix = validPrefix(tablePrefix);
	let memory = byPrefix.get(prefix);
	if (!memory) {
		memory = new SharedDedupeMemory(pool, prefix);
		byPrefix.set(prefix, memory);
	}
	return memory;
}
