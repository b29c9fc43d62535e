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
 * new delivery), as dedupePersisted does. There is no count bound: a scope's rows older than its
 * window are deleted, at most PRUNE_BATCH at a time, once per PRUNE_EVERY_MS per scope and process;
 * rows older than a year (a trigger since deleted, or whose window was shortened), once a day.
 */
import type { Pool } from 'pg';
import { validPrefix } from '../profile/types';

/** How often a process deletes a scope's expired rows. */
export const PRUNE_EVERY_MS = 10 * 60_000;
/** At most this many expired rows are deleted at a time (bounded work beside a delivery). */
export const PRUNE_BATCH = 1000;
/** Rows older than this are expired for every scope (the longest Duplicate Window is one year). */
const MAX_WINDOW_MS = 366 * 24 * 60 * 60_000;
/** How often a process deletes the rows older than MAX_WINDOW_MS, of any scope (no index serves it). */
const PRUNE_ALL_EVERY_MS = 24 * 60 * 60_000;
const MAX_ATTEMPTS = 4;

export class SharedDedupeMemory {
	readonly table: string;
	private ready: Promise<void> | undefined;
	private readonly lastPrune = new Map<string, number>();
	private lastPruneAll: number | undefined;
	/** The prune running in the background, if any (tests wait for it). */
	pruning: Promise<void> | undefined;

	constructor(
		private readonly pool: Pool,
		tablePrefix?: string,
	) {
		this.table = `${validPrefix(tablePrefix)}seen_ids`;
	}

	/** Creates the table once per process (an advisory lock keeps concurrent CREATEs apart). */
	init(): Promise<void> {
		this.ready ??= this.create().catch((error) => {
			this.ready = undefined;
			throw error;
		});
		return this.ready;
	}

	private async create(): Promise<void> {
		const client = await this.pool.connect();
		try {
			await client.query('BEGIN');
			await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`pz-migrate:${this.table}`]);
			await client.query(
				`CREATE TABLE IF NOT EXISTS ${this.table} (scope TEXT NOT NULL, key TEXT NOT NULL, seen_at BIGINT NOT NULL, PRIMARY KEY (scope, key))`,
			);
			await client.query(`CREATE INDEX IF NOT EXISTS ${this.table}_scope_seen ON ${this.table} (scope, seen_at)`);
			await client.query('COMMIT');
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			throw error;
		} finally {
			client.release();
		}
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

	/** In the background: the scope's expired rows (once per PRUNE_EVERY_MS), then anyone's older than a year (once per PRUNE_ALL_EVERY_MS). */
	private maybePrune(scope: string, now: number, windowMs: number): void {
		const last = this.lastPrune.get(scope);
		if (last !== undefined && now - last < PRUNE_EVERY_MS) return;
		if (this.lastPrune.size > 1000) this.lastPrune.delete(this.lastPrune.keys().next().value as string);
		this.lastPrune.set(scope, now);
		const all = this.lastPruneAll === undefined || now - this.lastPruneAll >= PRUNE_ALL_EVERY_MS;
		if (all) this.lastPruneAll = now;
		const run = this.prune(scope, now - windowMs, all ? now - MAX_WINDOW_MS : undefined)
			.catch(() => undefined) // a failed prune is retried PRUNE_EVERY_MS later
			.finally(() => {
				if (this.pruning === run) this.pruning = undefined;
			});
		this.pruning = run;
	}

	private async prune(scope: string, cutoff: number, globalCutoff: number | undefined): Promise<void> {
		const t = this.table;
		await this.pool.query(
			`DELETE FROM ${t} WHERE (scope, key) IN (SELECT scope, key FROM ${t} WHERE scope = $1 AND seen_at < $2 LIMIT ${PRUNE_BATCH})`,
			[scope, cutoff],
		);
		if (globalCutoff === undefined) return;
		await this.pool.query(`DELETE FROM ${t} WHERE (scope, key) IN (SELECT scope, key FROM ${t} WHERE seen_at < $1 LIMIT ${PRUNE_BATCH})`, [
			globalCutoff,
		]);
	}
}

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
