/**
 * Sent-key memory in the customer profile store (ESP Dispatch, Sent-Key Memory = Customer Profile
 * Store): the duplicate memory of ledger.ts kept in one table, `<prefix>sent_keys`, of the store's
 * database (the embedded SQLite file or PostgreSQL), instead of the workflow static data.
 *
 * Why: n8n saves a workflow's static data as a whole copy at the end of a production execution,
 * the copy it loaded when that execution started (a resumed Wait included), so an execution that
 * waited erases the keys others saved meanwhile; a manual execution never saves it. A table row per
 * key is written when the key is sent, by whichever execution sends it, and never rewritten by
 * another execution's copy.
 *
 * Rows are per scope (the workflow id: the static-data memory is per workflow too) and hashed key
 * (hashKey: the same 96-bit SHA-256 prefix, so no address in clear). A key is
 *  - claimed atomically before its message is sent (`claim`, `lease_until`): one execution of all
 *    processes wins the key; another one sending the same key at the same moment gets `duplicate`.
 *    A claim is renewed every third of its lease while its execution runs, so a long run keeps it;
 *  - confirmed when the message was `sent`, `queued` or `unknown` (`sent_at`, `sent_until` =
 *    sent_at + the sending node's Duplicate Window), and remembered until then. A confirm never
 *    shortens a stored window (sent_until is the latest end of any sender's window): a 24-hour
 *    node sending a key again must not make a 30-day node that sent it 4 days ago forget it;
 *  - released when it was not (failed, stopped before sending): the key can be sent again at once.
 * A claim whose execution crashed (never confirmed nor released) lapses with its lease
 * (LEASE_MS): the key can be sent again, as the static-data memory forgets a crashed execution's
 * keys (at least once across a crash).
 *
 * A key is a duplicate for a node when it was confirmed within that node's own window and its
 * sender's window has not ended (as StaticDataLedger.has: a node's keys are kept by its own
 * window, and another node answers by its window), or while another execution's claim holds it.
 * Forget Sent Keys clears `sent_at` and records `forgotten_at` (kept FORGOTTEN_SECONDS: see
 * Ledger.forgottenAt). Max Remembered Keys does not apply: only the window bounds the table.
 * Expired rows (`expires_at`, the latest of the window's end, the lease's end and forgotten_at +
 * FORGOTTEN_SECONDS) are deleted in bounded batches, at most every PRUNE_EVERY_MS per process.
 *
 * Opening the database is the profile store's (openStore: one SQLite handle per file, one
 * PostgreSQL pool per credential per process); this module adds the table and its statements.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { DatabaseSync } from 'node:sqlite';
import { inTransaction } from '../profile/postgres';
import { validPrefix } from '../profile/types';
import { FORGOTTEN_SECONDS, hashKey } from './ledger';

/** How long a claim holds a key before its message is confirmed or released (renewed while its execution runs). */
export const LEASE_MS = 15 * 60_000;
/** At most how often a process deletes expired rows of a table. */
export const PRUNE_EVERY_MS = 10 * 60_000;
/** Rows deleted per prune statement, and statements per prune run. */
const PRUNE_BATCH = 1000;
const PRUNE_MAX_BATCHES = 20;
const FORGOTTEN_MS = FORGOTTEN_SECONDS * 1000;

/** What the memory knows of one key for a run. */
export interface KeyState {
	/** Claimed by this run: its message may be sent. */
	claimed: boolean;
	/** Not claimed because another execution holds the key's claim now. */
	pending?: boolean;
	/** When the key was last confirmed sent (ms), if it is remembered. */
	sentAt?: number;
	/** When the key was last forgotten (epoch seconds), if within FORGOTTEN_SECONDS. */
	forgottenAt?: number;
}

/**
 * A duplicate memory that claims keys before sending (dispatch(): DispatchSettings.claims), for
 * memories shared by executions and processes. Keys are the idempotency keys as sent.
 */
export interface KeyClaims {
	/** Claims every key free for this run (atomically per key across executions and processes). */
	claim(keys: string[], nowMs: number): Promise<Map<string, KeyState>>;
	/** Reads, claims nothing (dry runs): `claimed` true for a key that would be claimed. */
	check(keys: string[], nowMs: number): Promise<Map<string, KeyState>>;
	/** Remembers claimed keys as sent at nowMs, for the window. */
	confirm(keys: string[], nowMs: number): Promise<void>;
	/** End of the run: releases `keys` (claimed, never sent); stops renewing every claim still held. */
	finish(release: string[]): Promise<void>;
	/**
	 * Why the run's claims can no longer be relied on (renewals failing for more than half the
	 * lease: another execution may soon claim and send the same keys), or undefined.
	 */
	lost?(): string | undefined;
}

/** Stored state of one hashed key (times in ms). */
interface Row {
	key_hash: string;
	sent_at: number | null;
	sent_until: number | null;
	claim: string | null;
	lease_until: number | null;
	forgotten_at: number | null;
}

/** The table's statements on one backend, over hashed keys. */
export interface SentKeyTable {
	readonly backend: 'sqlite' | 'postgres';
	/** Claims each free hash for `token` until leaseUntil; returns the hashes claimed. */
	claim(scope: string, hashes: string[], token: string, nowMs: number, sentAfter: number, leaseUntil: number): Promise<Set<string>>;
	rows(scope: string, hashes: string[]): Promise<Row[]>;
	confirm(scope: string, hashes: string[], token: string, nowMs: number, sentUntil: number): Promise<void>;
	/** Extends every claim of `token` (one statement: the token names the rows). */
	renew(scope: string, token: string, leaseUntil: number): Promise<void>;
	release(scope: string, hashes: string[], token: string): Promise<void>;
	/** Forgets a hash: returns whether it was remembered as sent (its sender's window not over). */
	forget(scope: string, hash: string, nowMs: number): Promise<boolean>;
	/** Deletes up to `limit` expired rows; returns how many. */
	prune(nowMs: number, limit: number): Promise<number>;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const toRow = (r: Record<string, unknown>): Row => ({
	key_hash: String(r.key_hash),
	sent_at: num(r.sent_at),
	sent_until: num(r.sent_until),
	claim: r.claim === null || r.claim === undefined ? null : String(r.claim),
	lease_until: num(r.lease_until),
	forgotten_at: num(r.forgotten_at),
});

/** Columns and the expiry every write recomputes (SQL shared by both backends; MAX is GREATEST on PostgreSQL). */
const COLUMNS =
	'scope TEXT NOT NULL, key_hash TEXT NOT NULL, sent_at BIGINT, sent_until BIGINT, claim TEXT, lease_until BIGINT, forgotten_at BIGINT, expires_at BIGINT NOT NULL, PRIMARY KEY (scope, key_hash)';
const expiry = (greatest: string) =>
	`${greatest}(COALESCE(sent_until, 0), COALESCE(lease_until, 0), COALESCE(forgotten_at + ${FORGOTTEN_MS}, 0))`;

/** The table in the embedded SQLite file of the profile store (its handle; every statement synchronous in BEGIN IMMEDIATE). */
export class SqliteSentKeys implements SentKeyTable {
	readonly backend = 'sqlite' as const;
	private readonly table: string;

	constructor(
		private readonly immediate: <T>(fn: (db: DatabaseSync) => T) => T,
		tablePrefix?: string,
	) {
		this.table = `${validPrefix(tablePrefix)}sent_keys`;
		immediate((db) => {
			db.exec(`CREATE TABLE IF NOT EXISTS ${this.table} (${COLUMNS})`);
			db.exec(`CREATE INDEX IF NOT EXISTS ${this.table}_expires ON ${this.table} (expires_at)`);
			// Renewals find a run's claims by its token (only claimed rows are in it).
			db.exec(`CREATE INDEX IF NOT EXISTS ${this.table}_claim ON ${this.table} (claim) WHERE claim IS NOT NULL`);
		});
	}

	async claim(scope: string, hashes: string[], token: string, nowMs: number, sentAfter: number, leaseUntil: number): Promise<Set<string>> {
		const t = this.table;
		return this.immediate((db) => {
			const upsert = db.prepare(
				`INSERT INTO ${t} AS t (scope, key_hash, claim, lease_until, expires_at) VALUES (?, ?, ?, ?, ?) ` +
					`ON CONFLICT (scope, key_hash) DO UPDATE SET claim = excluded.claim, lease_until = excluded.lease_until, expires_at = MAX(t.expires_at, excluded.lease_until) ` +
					`WHERE NOT (t.claim IS NOT NULL AND t.lease_until > ?) AND NOT (t.sent_at IS NOT NULL AND t.sent_at > ? AND t.sent_until > ?) RETURNING key_hash`,
			);
			const won = new Set<string>();
			for (const h of hashes) {
				const row = upsert.get(scope, h, token, leaseUntil, leaseUntil, nowMs, sentAfter, nowMs);
				if (row) won.add(h);
			}
			return won;
		});
	}

	async rows(scope: string, hashes: string[]): Promise<Row[]> {
		return this.immediate((db) =>
			db
				.prepare(`SELECT key_hash, sent_at, sent_until, claim, lease_until, forgotten_at FROM ${this.table} WHERE scope = ? AND key_hash IN (SELECT value FROM json_each(?))`)
				.all(scope, JSON.stringify(hashes))
				.map((r) => toRow(r as Record<string, unknown>)),
		);
	}

	async confirm(scope: string, hashes: string[], token: string, nowMs: number, sentUntil: number): Promise<void> {
		const t = this.table;
		this.immediate((db) => {
			const st = db.prepare(
				`INSERT INTO ${t} AS t (scope, key_hash, sent_at, sent_until, expires_at) VALUES (?, ?, ?, ?, ?) ` +
					`ON CONFLICT (scope, key_hash) DO UPDATE SET sent_at = excluded.sent_at, sent_until = MAX(COALESCE(t.sent_until, 0), excluded.sent_until), ` +
					`claim = CASE WHEN t.claim = ? THEN NULL ELSE t.claim END, lease_until = CASE WHEN t.claim = ? THEN NULL ELSE t.lease_until END`,
			);
			const fix = db.prepare(`UPDATE ${t} SET expires_at = ${expiry('MAX')} WHERE scope = ? AND key_hash = ?`);
			for (const h of hashes) {
				st.run(scope, h, nowMs, sentUntil, sentUntil, token, token);
				fix.run(scope, h);
			}
		});
	}

	async renew(scope: string, token: string, leaseUntil: number): Promise<void> {
		// One statement, not one per key: a run holding 100,000 keys does not block the event loop
		// for 100,000 updates every renewal.
		this.immediate((db) => {
			db.prepare(`UPDATE ${this.table} SET lease_until = ?, expires_at = MAX(expires_at, ?) WHERE scope = ? AND claim = ?`).run(leaseUntil, leaseUntil, scope, token);
		});
	}

	async release(scope: string, hashes: string[], token: string): Promise<void> {
		this.immediate((db) => {
			const st = db.prepare(`UPDATE ${this.table} SET claim = NULL, lease_until = NULL WHERE scope = ? AND key_hash = ? AND claim = ?`);
			const fix = db.prepare(`UPDATE ${this.table} SET expires_at = ${expiry('MAX')} WHERE scope = ? AND key_hash = ?`);
			for (const h of hashes) {
				st.run(scope, h, token);
				fix.run(scope, h);
			}
		});
	}

	async forget(scope: string, hash: string, nowMs: number): Promise<boolean> {
		const t = this.table;
		return this.immediate((db) => {
			const before = db.prepare(`SELECT sent_at, sent_until FROM ${t} WHERE scope = ? AND key_hash = ?`).get(scope, hash) as { sent_at: number | null; sent_until: number | null } | undefined;
			db.prepare(
				`INSERT INTO ${t} AS t (scope, key_hash, forgotten_at, expires_at) VALUES (?, ?, ?, ?) ` +
					'ON CONFLICT (scope, key_hash) DO UPDATE SET sent_at = NULL, sent_until = NULL, forgotten_at = excluded.forgotten_at',
			).run(scope, hash, nowMs, nowMs + FORGOTTEN_MS);
			db.prepare(`UPDATE ${t} SET expires_at = ${expiry('MAX')} WHERE scope = ? AND key_hash = ?`).run(scope, hash);
			return before?.sent_at != null && Number(before.sent_until) > nowMs;
		});
	}

	async prune(nowMs: number, limit: number): Promise<number> {
		const t = this.table;
		return this.immediate((db) => {
			const r = db.prepare(`DELETE FROM ${t} WHERE rowid IN (SELECT rowid FROM ${t} WHERE expires_at <= ? LIMIT ?)`).run(nowMs, limit);
			return Number(r.changes);
		});
	}
}

const MAX_ATTEMPTS = 4;

/** Runs a statement again on a deadlock (40P01) or serialization failure (40001). */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await fn();
		} catch (error) {
			const code = (error as { code?: unknown }).code;
			if (attempt >= MAX_ATTEMPTS || (code !== '40P01' && code !== '40001')) throw error;
		}
	}
}

/** The table in PostgreSQL, on the profile store's shared pool (one statement per call, keys in sorted order). */
export class PostgresSentKeys implements SentKeyTable {
	readonly backend = 'postgres' as const;
	private readonly table: string;
	private ready: Promise<void> | undefined;

	constructor(
		private readonly pool: Pool,
		tablePrefix?: string,
	) {
		this.table = `${validPrefix(tablePrefix)}sent_keys`;
	}

	/** Creates the table once per process (an advisory lock keeps concurrent CREATEs apart). */
	init(): Promise<void> {
		this.ready ??= inTransaction(this.pool, async (client) => {
			await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`pz-migrate:${this.table}`]);
			await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (${COLUMNS})`);
			await client.query(`CREATE INDEX IF NOT EXISTS ${this.table}_expires ON ${this.table} (expires_at)`);
			await client.query(`CREATE INDEX IF NOT EXISTS ${this.table}_claim ON ${this.table} (claim) WHERE claim IS NOT NULL`);
		}).catch((error) => {
			this.ready = undefined;
			throw error;
		});
		return this.ready;
	}

	private async query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
		await this.init();
		return retrying(async () => (await this.pool.query(sql, params)).rows);
	}

	async claim(scope: string, hashes: string[], token: string, nowMs: number, sentAfter: number, leaseUntil: number): Promise<Set<string>> {
		const rows = await this.query(
			`INSERT INTO ${this.table} AS t (scope, key_hash, claim, lease_until, expires_at) ` +
				'SELECT $1, k, $2, $3, $3 FROM unnest($4::text[]) AS u(k) ORDER BY k ' +
				'ON CONFLICT (scope, key_hash) DO UPDATE SET claim = EXCLUDED.claim, lease_until = EXCLUDED.lease_until, expires_at = GREATEST(t.expires_at, EXCLUDED.lease_until) ' +
				'WHERE NOT (t.claim IS NOT NULL AND t.lease_until > $5) AND NOT (t.sent_at IS NOT NULL AND t.sent_at > $6 AND t.sent_until > $5) RETURNING key_hash',
			[scope, token, leaseUntil, [...hashes].sort(), nowMs, sentAfter],
		);
		return new Set(rows.map((r) => String(r.key_hash)));
	}

	async rows(scope: string, hashes: string[]): Promise<Row[]> {
		const rows = await this.query(
			`SELECT key_hash, sent_at, sent_until, claim, lease_until, forgotten_at FROM ${this.table} WHERE scope = $1 AND key_hash = ANY($2::text[])`,
			[scope, hashes],
		);
		return rows.map(toRow);
	}

	async confirm(scope: string, hashes: string[], token: string, nowMs: number, sentUntil: number): Promise<void> {
		await this.query(
			`INSERT INTO ${this.table} AS t (scope, key_hash, sent_at, sent_until, expires_at) ` +
				'SELECT $1, k, $2, $3, $3 FROM unnest($4::text[]) AS u(k) ORDER BY k ' +
				'ON CONFLICT (scope, key_hash) DO UPDATE SET sent_at = EXCLUDED.sent_at, sent_until = GREATEST(COALESCE(t.sent_until, 0), EXCLUDED.sent_until), ' +
				'claim = CASE WHEN t.claim = $5 THEN NULL ELSE t.claim END, lease_until = CASE WHEN t.claim = $5 THEN NULL ELSE t.lease_until END, ' +
				`expires_at = GREATEST(COALESCE(t.sent_until, 0), EXCLUDED.sent_until, CASE WHEN t.claim = $5 THEN 0 ELSE COALESCE(t.lease_until, 0) END, COALESCE(t.forgotten_at + ${FORGOTTEN_MS}, 0))`,
			[scope, nowMs, sentUntil, [...hashes].sort(), token],
		);
	}

	async renew(scope: string, token: string, leaseUntil: number): Promise<void> {
		await this.query(`UPDATE ${this.table} SET lease_until = $2, expires_at = GREATEST(expires_at, $2) WHERE scope = $1 AND claim = $3`, [scope, leaseUntil, token]);
	}

	async release(scope: string, hashes: string[], token: string): Promise<void> {
		await this.query(
			`UPDATE ${this.table} SET claim = NULL, lease_until = NULL, expires_at = GREATEST(COALESCE(sent_until, 0), COALESCE(forgotten_at + ${FORGOTTEN_MS}, 0)) ` +
				'WHERE scope = $1 AND key_hash = ANY($2::text[]) AND claim = $3',
			[scope, hashes, token],
		);
	}

	async forget(scope: string, hash: string, nowMs: number): Promise<boolean> {
		// The table first (init takes a pooled connection of its own): with Maximum Connections 1,
		// creating it inside the transaction would wait for a second connection forever.
		await this.init();
		return inTransaction(this.pool, async (client) => {
			const before = await client.query(`SELECT sent_at, sent_until FROM ${this.table} WHERE scope = $1 AND key_hash = $2 FOR UPDATE`, [scope, hash]);
			await client.query(
				`INSERT INTO ${this.table} AS t (scope, key_hash, forgotten_at, expires_at) VALUES ($1, $2, $3, $4) ` +
					`ON CONFLICT (scope, key_hash) DO UPDATE SET sent_at = NULL, sent_until = NULL, forgotten_at = EXCLUDED.forgotten_at, ` +
					'expires_at = GREATEST(COALESCE(t.lease_until, 0), EXCLUDED.expires_at)',
				[scope, hash, nowMs, nowMs + FORGOTTEN_MS],
			);
			const r = before.rows[0] as { sent_at: unknown; sent_until: unknown } | undefined;
			return r !== undefined && r.sent_at !== null && Number(r.sent_until) > nowMs;
		});
	}

	async prune(nowMs: number, limit: number): Promise<number> {
		// SKIP LOCKED: a row a run is claiming or confirming is left for a later prune (never waited for).
		const rows = await this.query(
			`DELETE FROM ${this.table} WHERE ctid IN (SELECT ctid FROM ${this.table} WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED) ` +
				'AND expires_at <= $1 RETURNING 1',
			[nowMs, limit],
		);
		return rows.length;
	}
}

/** When each table (by object) was last pruned in this process. */
const lastPrune = new WeakMap<SentKeyTable, number>();

/**
 * One run's claims (one ESP Dispatch execution of a node): keys hashed, claims under a token of
 * its own, renewed every third of the lease while held, for one node's Duplicate Window.
 */
export class StoreSentKeys implements KeyClaims {
	private readonly token = randomBytes(12).toString('hex');
	private readonly held = new Set<string>();
	private timer: NodeJS.Timeout | undefined;
	/** When the claims were last made or renewed (this.now()), and the last renewal's error. */
	private renewedAt = 0;
	private renewError: unknown;

	constructor(
		private readonly table: SentKeyTable,
		private readonly scope: string,
		private readonly windowSeconds: number,
		private readonly leaseMs = LEASE_MS,
		private readonly now: () => number = Date.now,
	) {}

	private states(keys: string[], rows: Row[], claimed: Set<string>, nowMs: number): Map<string, KeyState> {
		const byHash = new Map(rows.map((r) => [r.key_hash, r]));
		const out = new Map<string, KeyState>();
		for (const key of keys) {
			const h = hashKey(key);
			const row = byHash.get(h);
			const forgotten = row?.forgotten_at != null && nowMs - row.forgotten_at < FORGOTTEN_MS ? Math.floor(row.forgotten_at / 1000) : undefined;
			const sentAt = row?.sent_at != null && row.sent_until != null && row.sent_until > nowMs ? row.sent_at : undefined;
			if (claimed.has(h)) {
				out.set(key, { claimed: true, forgottenAt: forgotten });
				continue;
			}
			const pending = row?.claim != null && row.claim !== this.token && (row.lease_until ?? 0) > nowMs;
			out.set(key, { claimed: false, pending: pending && !(sentAt !== undefined && nowMs - sentAt < this.windowSeconds * 1000), sentAt, forgottenAt: forgotten });
		}
		return out;
	}

	async claim(keys: string[], nowMs: number): Promise<Map<string, KeyState>> {
		const unique = [...new Set(keys)];
		if (!unique.length) return new Map();
		const hashes = unique.map(hashKey);
		const won = await this.table.claim(this.scope, hashes, this.token, nowMs, nowMs - this.windowSeconds * 1000, nowMs + this.leaseMs);
		for (const h of won) this.held.add(h);
		// What the others are (sent within the window, or claimed by another execution), and the
		// forgotten time of every key.
		let rows = await this.table.rows(this.scope, hashes);
		let states = this.states(unique, rows, won, nowMs);
		// A key not won, yet neither claimed by another execution nor sent within the window when read:
		// the execution that held it at the claim ended between the claim and the read, and released it
		// (its message not sent). Claimed once more; one still not won is reported as held by another
		// execution (it was, at the claim), never as already sent.
		const released = unique.filter((key) => this.releasedMeanwhile(states.get(key)!, nowMs));
		if (released.length) {
			const again = await this.table.claim(this.scope, released.map(hashKey), this.token, nowMs, nowMs - this.windowSeconds * 1000, nowMs + this.leaseMs);
			for (const h of again) {
				this.held.add(h);
				won.add(h);
			}
			rows = await this.table.rows(this.scope, hashes);
			states = this.states(unique, rows, won, nowMs);
			for (const key of released) {
				const state = states.get(key)!;
				if (this.releasedMeanwhile(state, nowMs)) state.pending = true;
			}
		}
		if (this.held.size && !this.timer) {
			this.renewedAt = this.now();
			this.timer = setInterval(() => {
				if (!this.held.size) return;
				const at = this.now();
				this.table.renew(this.scope, this.token, at + this.leaseMs).then(
					() => {
						this.renewedAt = Math.max(this.renewedAt, at);
						this.renewError = undefined;
					},
					(error: unknown) => {
						this.renewError = error;
					},
				);
			}, Math.max(1000, Math.floor(this.leaseMs / 3)));
			this.timer.unref();
		}
		return states;
	}

	private releasedMeanwhile(state: KeyState, nowMs: number): boolean {
		return !state.claimed && !state.pending && !(state.sentAt !== undefined && nowMs - state.sentAt < this.windowSeconds * 1000);
	}

	async check(keys: string[], nowMs: number): Promise<Map<string, KeyState>> {
		const unique = [...new Set(keys)];
		if (!unique.length) return new Map();
		const rows = await this.table.rows(this.scope, unique.map(hashKey));
		const free = new Set<string>();
		for (const key of unique) free.add(hashKey(key));
		for (const r of rows) {
			const sent = r.sent_at != null && r.sent_at > nowMs - this.windowSeconds * 1000 && (r.sent_until ?? 0) > nowMs;
			const held = r.claim != null && (r.lease_until ?? 0) > nowMs;
			if (sent || held) free.delete(r.key_hash);
		}
		return this.states(unique, rows, free, nowMs);
	}

	async confirm(keys: string[], nowMs: number): Promise<void> {
		if (!keys.length) return;
		const hashes = [...new Set(keys.map(hashKey))];
		await this.table.confirm(this.scope, hashes, this.token, nowMs, nowMs + this.windowSeconds * 1000);
		for (const h of hashes) this.held.delete(h);
		this.maybePrune(nowMs);
	}

	lost(): string | undefined {
		if (!this.held.size || !this.timer) return undefined;
		const since = this.now() - this.renewedAt;
		if (since <= this.leaseMs / 2) return undefined;
		const why = this.renewError === undefined ? 'no renewal answered' : this.renewError instanceof Error ? this.renewError.message : String(this.renewError);
		return `the sent-key memory lost its claims: they could not be renewed for ${Math.round(since / 1000)} s (${why}), and another execution may claim and send the same keys once they lapse`;
	}

	async finish(release: string[]): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
		const hashes = [...new Set(release.map(hashKey))].filter((h) => this.held.has(h));
		this.held.clear();
		if (hashes.length) await this.table.release(this.scope, hashes, this.token);
	}

	/** In the background, at most every PRUNE_EVERY_MS per table and process: expired rows, in bounded batches. */
	private maybePrune(nowMs: number): void {
		const last = lastPrune.get(this.table);
		if (last !== undefined && nowMs - last < PRUNE_EVERY_MS) return;
		lastPrune.set(this.table, nowMs);
		void (async () => {
			for (let i = 0; i < PRUNE_MAX_BATCHES; i++) if ((await this.table.prune(nowMs, PRUNE_BATCH)) < PRUNE_BATCH) return;
		})().catch(() => lastPrune.delete(this.table));
	}
}

/** The sent-key table of a profile store (openStore), one per store and prefix (its CREATE runs once). */
const tables = new WeakMap<object, Map<string, SentKeyTable>>();
export function sentKeyTable(store: SentKeyHost, tablePrefix?: string): SentKeyTable {
	let byPrefix = tables.get(store);
	if (!byPrefix) tables.set(store, (byPrefix = new Map()));
	const prefix = validPrefix(tablePrefix);
	let table = byPrefix.get(prefix);
	if (!table) {
		table = store.kind === 'sqlite' ? new SqliteSentKeys((fn) => store.immediate(fn), prefix) : new PostgresSentKeys(store.pool, prefix);
		byPrefix.set(prefix, table);
	}
	return table;
}

/** What sentKeyTable needs of a profile store: SqliteProfileStore's transaction, PostgresProfileStore's pool. */
export type SentKeyHost =
	| { kind: 'sqlite'; immediate<T>(fn: (db: DatabaseSync) => T): T }
	| { kind: 'postgres'; pool: Pool };

/** Forget Sent Keys on the store memory: whether the key was remembered as sent. */
export function forgetSentKey(table: SentKeyTable, scope: string, key: string, nowMs = Date.now()): Promise<boolean> {
	return table.forget(scope, hashKey(key), nowMs);
}
