/**
 * PostgreSQL backend, for n8n queue mode (many workers, one database).
 *
 * A batch is one transaction of a fixed number of round trips, whatever its size:
 *  1. transaction-scoped advisory locks on every identity key of the batch, taken in sorted
 *     order (so two workers never deadlock on them): writers of the same customer queue up;
 *  2. read which messageIds exist, which profiles the identities point to, and lock those
 *     profile rows (FOR UPDATE, sorted); a profile merged away meanwhile makes the batch retry;
 *  3. the shared planner folds the events; 4. set-based writes (unnest) and COMMIT.
 * Deadlocks and serialization failures are retried.
 */
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import type { CustomerProfile } from '../types/CustomerProfile';
import { plan, prepare, type Plan, type Prepared } from './batch';
import { toProfile, type ProfileState } from './fold';
import { emailKey } from './email';
import { transactionFromBody } from './transactions';
import {
	acceptsProfile,
	lookupKeys,
	validPrefix,
	type EraseResult,
	type ExportOptions,
	type IdentityLookup,
	type ProfileStore,
	type RecordResult,
	sinceBound,
	type SinceResult,
	type SinceStart,
	type StoreOptions,
	type Suppression,
	suppressionRow,
	suppressionAddresses,
	withAddressSuppression,
	type Transaction,
	type AddressFacts,
	addressHash,
	erasedAddresses,
	addressFactsOf,
	addressHolder,
	exportWithAddressFacts,
	erasedSendHashes,
} from './types';
import { decideSend, prepareReservation, publicDecision, SEND_PRUNE_BATCH, MAX_CAP_WINDOW_MS, type SendDecision, type SendReservation } from './frequency';

/** The condition of the partial suppressed-email index; queries repeat it word for word so the planner uses the index. */
const SUPPRESSED_PG = '(unsubscribed OR bounced OR complained)';
export const SCHEMA_VERSION = 1;
const PRUNE_EVERY_MS = 10 * 60_000;
const MAX_ATTEMPTS = 8;

export interface PostgresConnection {
	host: string;
	port: number;
	database: string;
	user: string;
	password?: string;
	/** `disable` (default), `allow` (TLS, certificate not verified) or `require` (TLS, verified). */
	ssl?: 'disable' | 'allow' | 'require';
	/** Pool size per n8n process. Default 5. */
	maxConnections?: number;
	/**
	 * Where these settings come from (the n8n credential's id), for the store cache (openStore):
	 * when the same source comes back with other settings (Maximum Connections changed), its former
	 * pool is retired. Not part of the connection.
	 */
	source?: string;
}

class StaleRead extends Error {}

/**
 * Every transaction of the store (and of the tables other engines keep in it: the trigger's shared
 * duplicate memory, ESP Dispatch's sent keys) runs at READ COMMITTED, whatever the database's or
 * role's `default_transaction_isolation`: the statements read after taking their advisory locks and
 * must see what the previous holder committed. Under REPEATABLE READ the snapshot is taken at the
 * first statement, the lock itself, so a frequency-cap check counted slots without the ones a
 * concurrent check had just taken (a review measured 154 of 8-way checks allowed where 60 fit),
 * and SERIALIZABLE failed such checks with serialization errors.
 */
const BEGIN = 'BEGIN ISOLATION LEVEL READ COMMITTED';

/**
 * A batch's transaction: every statement of it looks rows up by key, so no sequential scans. The
 * planner picks them otherwise on tables not yet analysed (autovacuum analyses after a minute or
 * more), e.g. for `identities.profile_id = ANY(…)` when a merge moves identities.
 */
const RECORD_BEGIN = `${BEGIN}; SET LOCAL enable_seqscan = off`;

/** Separator of the JSON texts sent as one parameter (JSON.stringify escapes every control character). */
const SEP = '\u0001';

/** Runs `fn` in a transaction on one client of `pool`: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>, begin = BEGIN): Promise<T> {
	const client = await pool.connect();
	try {
		await client.query(begin);
		const out = await fn(client);
		await client.query('COMMIT');
		return out;
	} catch (error) {
		await client.query('ROLLBACK').catch(() => undefined);
		throw error;
	} finally {
		client.release();
	}
}

export function poolConfig(c: PostgresConnection): PoolConfig {
	return {
		host: c.host,
		port: c.port,
		database: c.database,
		user: c.user,
		password: c.password || undefined,
		ssl: c.ssl === 'require' ? { rejectUnauthorized: true } : c.ssl === 'allow' ? { rejectUnauthorized: false } : false,
		max: c.maxConnections ?? 5,
		idleTimeoutMillis: 30_000,
		connectionTimeoutMillis: 10_000,
	};
}

export class PostgresProfileStore implements ProfileStore {
	readonly kind = 'postgres' as const;
	readonly pool: Pool;
	/** Whether the pool is this store's own (made from connection settings), ended by close(). */
	private readonly ownPool: boolean;
	private readonly t: { profiles: string; identities: string; events: string; meta: string; erased: string; sends: string };
	private ready: Promise<void> | undefined;
	private lastPrune = 0;
	/** When the frequency-cap slots were last cleaned up; 0 = at the next check (the last pass found more). */
	private lastSendPrune = 0;

	constructor(
		connection: PostgresConnection | Pool,
		private readonly options: StoreOptions = {},
	) {
		const p = validPrefix(options.tablePrefix);
		this.t = { profiles: `${p}profiles`, identities: `${p}identities`, events: `${p}events`, meta: `${p}meta`, erased: `${p}erased`, sends: `${p}sends` };
		this.ownPool = !(connection instanceof Pool);
		this.pool = connection instanceof Pool ? connection : new Pool(poolConfig(connection));
		// An idle client losing its connection must not crash the n8n process.
		if (this.ownPool) this.pool.on('error', () => undefined);
	}

	/** Creates or migrates the schema once per store (guarded by an advisory lock across workers). */
	init(): Promise<void> {
		this.ready ??= this.migrate().catch((error) => {
			this.ready = undefined;
			throw error;
		});
		return this.ready;
	}

	private async migrate(): Promise<void> {
		const { profiles, identities, events, meta, erased, sends } = this.t;
		await this.tx(async (c) => {
			await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`pz-migrate:${meta}`]);
			await c.query(`CREATE TABLE IF NOT EXISTS ${meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
			const { rows } = await c.query(`SELECT value FROM ${meta} WHERE key = 'schema_version'`);
			const version = rows.length ? Number(rows[0].value) : 0;
			if (version > SCHEMA_VERSION) {
				throw new Error(`The profile database has schema version ${version}; this package knows up to ${SCHEMA_VERSION}. Update the package.`);
			}
			if (version < 1) {
				await c.query(`
					CREATE TABLE IF NOT EXISTS ${profiles} (
						profile_id TEXT PRIMARY KEY,
						user_id TEXT,
						email TEXT,
						unsubscribed BOOLEAN NOT NULL DEFAULT FALSE,
						bounced BOOLEAN NOT NULL DEFAULT FALSE,
						complained BOOLEAN NOT NULL DEFAULT FALSE,
						updated_at BIGINT NOT NULL,
						data TEXT NOT NULL
					) WITH (fillfactor = 70);
					CREATE TABLE IF NOT EXISTS ${identities} (key TEXT PRIMARY KEY, profile_id TEXT NOT NULL);
					CREATE INDEX IF NOT EXISTS ${identities}_profile ON ${identities} (profile_id);
					CREATE TABLE IF NOT EXISTS ${events} (
						message_id TEXT PRIMARY KEY,
						profile_id TEXT NOT NULL,
						event TEXT NOT NULL,
						type TEXT NOT NULL,
						ts BIGINT NOT NULL,
						received_at BIGINT NOT NULL,
						body TEXT NOT NULL
					);
					CREATE INDEX IF NOT EXISTS ${events}_profile_event_ts ON ${events} (profile_id, event, ts);
					CREATE INDEX IF NOT EXISTS ${events}_ts ON ${events} (ts);
				`);
				await c.query(
					`INSERT INTO ${meta} (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
					[String(SCHEMA_VERSION)],
				);
			}
			// Check Suppression also reads suppressed profiles by their email (added after version 1; a
			// no-op once there). Partial: only suppressed profiles are in it, so the usual profile
			// writes do not maintain it.
			await c.query(`DROP INDEX IF EXISTS ${profiles}_email`);
			await c.query(`CREATE INDEX IF NOT EXISTS ${profiles}_suppressed_email ON ${profiles} (email) WHERE ${SUPPRESSED_PG}`);
			// The suppressed addresses of erased customers, hashed (ErasedAddress; added after version 1).
			await c.query(
				`CREATE TABLE IF NOT EXISTS ${erased} (hash TEXT PRIMARY KEY, unsubscribed BOOLEAN NOT NULL, bounced BOOLEAN NOT NULL, complained BOOLEAN NOT NULL, erased_at BIGINT NOT NULL)`,
			);
			// Frequency-cap slots (frequency.ts; added after version 1): the address's hash, never the
			// address; the key's hash ('' without a key). By address for the check, by time for the clean-up.
			await c.query(`
				CREATE TABLE IF NOT EXISTS ${sends} (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, hash TEXT NOT NULL, category TEXT NOT NULL, ts BIGINT NOT NULL, key_hash TEXT NOT NULL);
				CREATE INDEX IF NOT EXISTS ${sends}_hash ON ${sends} (hash, category, ts);
				CREATE INDEX IF NOT EXISTS ${sends}_ts ON ${sends} (ts);
			`);
		});
	}

	/** One transaction; `begin` may add settings for it, sent in the same round trip as BEGIN. */
	private tx<T>(fn: (c: PoolClient) => Promise<T>, begin = BEGIN): Promise<T> {
		return inTransaction(this.pool, fn, begin);
	}

	/**
	 * Unnamed statements on purpose: named (prepared) ones switch to generic plans after five runs,
	 * and a generic plan for `json_to_recordset` / `= ANY($1)` can scan whole tables.
	 */
	private q(c: Pool | PoolClient, text: string, values: unknown[]) {
		return c.query(text, values);
	}

	private async findProfileId(c: Pool | PoolClient, lookup: IdentityLookup): Promise<string | undefined> {
		const keys = lookupKeys(lookup);
		if (!keys.length) return undefined;
		const { rows } = await this.q(
			c,
			`SELECT i.key, i.profile_id, p.user_id FROM ${this.t.identities} i LEFT JOIN ${this.t.profiles} p ON p.profile_id = i.profile_id WHERE i.key = ANY($1::text[])`,
			[keys],
		);
		const byKey = new Map(rows.map((r) => [r.key as string, r as { profile_id: string; user_id: string | null }]));
		for (const k of keys) {
			const row = byKey.get(k);
			if (row && acceptsProfile(lookup, k, row.user_id)) return row.profile_id;
		}
		return undefined;
	}

	/**
	 * One attempt at a batch, in a fixed number of round trips whatever its size:
	 *  1. `BEGIN`; 2. the advisory locks on the batch's identity keys (sorted);
	 *  3. one read, as its own statement so its READ COMMITTED snapshot is taken after the locks are
	 *     held: the batch's identities, the profiles they point to locked FOR UPDATE (sorted), and
	 *     the batch's messageIds already stored;
	 *  4. set-based writes (only those the plan needs); 5. `COMMIT`.
	 * A profile merged away (or erased) between the identity read and the row lock is missing from
	 * the locked rows: the batch retries. Once the rows are locked nothing can re-point the batch's
	 * keys: a key is re-pointed only by a writer holding its advisory lock, or by a merge that
	 * deletes the profile it pointed to (which this transaction now holds locked).
	 */
	private async recordOnce(prepared: Prepared, now: number): Promise<Plan> {
		const { profiles, identities, events } = this.t;
		return await this.tx(async (c) => {
			await this.q(c, 'SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT unnest($1::text[]) AS k ORDER BY 1) s', [prepared.keys]);
			const { rows } = await this.q(
				c,
				`WITH ids AS (SELECT key, profile_id FROM ${identities} WHERE key = ANY($1::text[])),
				   p AS (SELECT profile_id, data FROM ${profiles} WHERE profile_id IN (SELECT profile_id FROM ids) ORDER BY profile_id FOR UPDATE)
				 SELECT 0 AS k, key AS a, profile_id AS b FROM ids
				 UNION ALL SELECT 1, profile_id, data FROM p
				 UNION ALL SELECT 2, message_id, NULL FROM ${events} WHERE message_id = ANY($2::text[])`,
				[prepared.keys, prepared.messageIds],
			);
			const idMap = new Map<string, string>();
			const loaded = new Map<string, ProfileState>();
			const existing = new Set<string>();
			for (const r of rows as Array<{ k: number; a: string; b: string | null }>) {
				if (r.k === 0) idMap.set(r.a, r.b!);
				else if (r.k === 1) loaded.set(r.a, JSON.parse(r.b!) as ProfileState);
				else existing.add(r.a);
			}
			// A profile merged away (or erased) between the identity read and the lock: start again.
			for (const id of idMap.values()) if (!loaded.has(id)) throw new StaleRead();
			const p = plan(prepared, { identities: idMap, profiles: loaded, existing }, this.options);
			// Every write of the batch in one statement: data-modifying CTEs on disjoint rows (merged-away
			// profiles are deleted, never upserted; moved identities and events already exist, inserted
			// ones are new). Columns go in as one array per column; the long JSON texts (profile state,
			// event body) as one text joined by U+0001, which JSON.stringify never leaves unescaped, and
			// split by string_to_array: far cheaper for the server than parsing them as JSON.
			const parts: string[] = [];
			const values: unknown[] = [now];
			const param = (v: unknown) => `$${values.push(v)}`;
			if (p.deletes.length) parts.push(`d AS (DELETE FROM ${profiles} WHERE profile_id = ANY(${param(p.deletes)}::text[]))`);
			if (p.moves.length) {
				const from = param(p.moves.map((m) => m.from));
				const to = param(p.moves.map((m) => m.to));
				// `= ANY` keeps this on the profile_id indexes (a join on unnest can hash-join a scan of every event).
				parts.push(
					`mi AS (UPDATE ${identities} SET profile_id = (${to}::text[])[array_position(${from}::text[], profile_id)] WHERE profile_id = ANY(${from}::text[]))`,
					`me AS (UPDATE ${events} SET profile_id = (${to}::text[])[array_position(${from}::text[], profile_id)] WHERE profile_id = ANY(${from}::text[]))`,
				);
			}
			const stateRows = (list: ProfileState[]) =>
				`unnest(${param(list.map((st) => st.profileId))}::text[], ${param(list.map((st) => st.userId))}::text[], ${param(list.map((st) => st.email))}::text[],
				   ${param(list.map((st) => st.unsubscribed))}::boolean[], ${param(list.map((st) => st.bounced))}::boolean[], ${param(list.map((st) => st.complained))}::boolean[],
				   string_to_array(${param(list.map((st) => JSON.stringify(st)).join(SEP))}, chr(1)))
				 AS x(profile_id, user_id, email, unsubscribed, bounced, complained, data)`;
			const updated = p.upserts.filter((st) => loaded.has(st.profileId));
			const inserts = p.upserts.filter((st) => !loaded.has(st.profileId));
			if (updated.length) {
				// Loaded profiles are locked FOR UPDATE by this transaction: a plain UPDATE suffices.
				const ids = param(updated.map((st) => st.profileId));
				parts.push(
					`u AS (UPDATE ${profiles} p SET user_id = x.user_id, email = x.email, unsubscribed = x.unsubscribed, bounced = x.bounced,
					   complained = x.complained, updated_at = $1::bigint, data = x.data
					 FROM ${stateRows(updated)}
					 WHERE p.profile_id = x.profile_id AND p.profile_id = ANY(${ids}::text[]))`,
				);
			}
			if (inserts.length) {
				parts.push(
					`n AS (INSERT INTO ${profiles} (profile_id, user_id, email, unsubscribed, bounced, complained, updated_at, data)
					 SELECT x.profile_id, x.user_id, x.email, x.unsubscribed, x.bounced, x.complained, $1::bigint, x.data
					 FROM ${stateRows(inserts)}
					 ON CONFLICT (profile_id) DO UPDATE SET user_id = excluded.user_id, email = excluded.email,
					   unsubscribed = excluded.unsubscribed, bounced = excluded.bounced, complained = excluded.complained,
					   updated_at = excluded.updated_at, data = excluded.data)`,
				);
			}
			if (p.identities.length) {
				parts.push(
					`i AS (INSERT INTO ${identities} (key, profile_id) SELECT * FROM unnest(${param(p.identities.map((i) => i.key))}::text[], ${param(p.identities.map((i) => i.profileId))}::text[])
					 ON CONFLICT (key) DO UPDATE SET profile_id = excluded.profile_id)`,
				);
			}
			if (p.events.length) {
				const ev = p.events;
				parts.push(
					`e AS (INSERT INTO ${events} (message_id, profile_id, event, type, ts, received_at, body)
					 SELECT * FROM unnest(${param(ev.map((e) => e.messageId))}::text[], ${param(ev.map((e) => e.profileId))}::text[], ${param(ev.map((e) => e.event))}::text[],
					   ${param(ev.map((e) => e.type))}::text[], ${param(ev.map((e) => e.ts))}::bigint[], ${param(ev.map((e) => e.receivedAt))}::bigint[],
					   string_to_array(${param(ev.map((e) => e.body).join(SEP))}, chr(1)))
					 ON CONFLICT (message_id) DO NOTHING)`,
				);
			}
			if (parts.length) await this.q(c, `WITH ${parts.join(',\n')}\nSELECT 1`, values);
			return p;
		}, RECORD_BEGIN);
	}

	async record(inputs: unknown[], options: { now?: Date } = {}): Promise<RecordResult[]> {
		const prepared = prepare(inputs);
		if (prepared.valid.length === 0) return prepared.results;
		await this.init();
		const now = (options.now ?? new Date()).getTime();
		let result: Plan | undefined;
		for (let attempt = 1; ; attempt++) {
			try {
				result = await this.recordOnce(prepared, now);
				break;
			} catch (error) {
				const code = (error as { code?: string }).code;
				const retry = error instanceof StaleRead || code === '40P01' || code === '40001';
				if (!retry || attempt >= MAX_ATTEMPTS) throw error instanceof StaleRead ? new Error('Profiles kept changing under this batch; try again') : error;
				await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
			}
		}
		if (now - this.lastPrune > PRUNE_EVERY_MS) {
			// Retention clean-up after the commit: the batch is recorded whatever happens here, so a
			// failure must not report it as not recorded (a retry would find its events duplicate).
			// pruneEvents moved lastPrune first, so it is tried again on a later batch.
			await this.pruneEvents(new Date(now)).catch(() => undefined);
		}
		return result.results;
	}

	async get(lookup: IdentityLookup, now = new Date()): Promise<CustomerProfile | null> {
		await this.init();
		const id = await this.findProfileId(this.pool, lookup);
		if (!id) return null;
		const { rows } = await this.q(this.pool, `SELECT data FROM ${this.t.profiles} WHERE profile_id = $1`, [id]);
		if (!rows.length) return null;
		const profile = toProfile(JSON.parse(rows[0].data as string) as ProfileState, now);
		const addresses = suppressionAddresses(profile, lookup);
		return withAddressSuppression(profile, addresses.length ? await this.addressFacts(addresses) : undefined);
	}

	async hasEventSince(lookup: IdentityLookup, eventName: string, since: SinceStart): Promise<SinceResult> {
		await this.init();
		const keys = lookupKeys(lookup);
		if (!keys.length) return { profileFound: false, happened: false, at: null, count: 0 };
		// One round trip: the first known identity in priority order (not, after an unknown userId, a
		// profile of another userId: acceptsProfile), then its matching events. messageIds compare
		// byte-wise (COLLATE "C"), as SQLite compares them, whatever the database's collation.
		const b = sinceBound(since);
		const { rows } = await this.q(this.pool, 
			`WITH p AS (SELECT i.profile_id FROM ${this.t.identities} i LEFT JOIN ${this.t.profiles} pr ON pr.profile_id = i.profile_id
			   WHERE i.key = ANY($1::text[]) AND (i.key LIKE 'u:%' OR $5::text IS NULL OR pr.user_id IS NULL OR pr.user_id = $5::text)
			   ORDER BY array_position($1::text[], i.key) LIMIT 1)
			 SELECT p.profile_id, MIN(e.ts) AS first, COUNT(e.message_id) AS n FROM p
			 LEFT JOIN ${this.t.events} e ON e.profile_id = p.profile_id AND e.event = $2 AND e.ts >= $3
			   AND (e.ts, e.received_at, e.message_id COLLATE "C") > ($3, $6, $4::text) AND e.message_id <> $7
			 GROUP BY p.profile_id`,
			[keys, eventName, b.timestamp, b.messageId, keys[0].startsWith('u:') ? keys[0].slice(2) : null, b.receivedAt, b.exclude],
		);
		if (!rows.length) return { profileFound: false, happened: false, at: null, count: 0 };
		const n = Number(rows[0].n);
		return { profileFound: true, happened: n > 0, at: rows[0].first === null ? null : new Date(Number(rows[0].first)).toISOString(), count: n };
	}

	async exportProfiles(options: ExportOptions = {}): Promise<CustomerProfile[]> {
		await this.init();
		const { rows } = await this.pool.query(
			`SELECT data FROM ${this.t.profiles} WHERE updated_at >= $1 ORDER BY profile_id LIMIT $2`,
			[options.since?.getTime() ?? 0, options.limit ?? null],
		);
		const now = options.now ?? new Date();
		// The address facts of each page's emails (Get Profile's query), with the page's own states.
		return exportWithAddressFacts(
			rows.map((r) => r.data as string),
			now,
			(emails, known) => this.addressFacts(emails, known),
		);
	}

	async exportTransactions(options: ExportOptions = {}): Promise<Transaction[]> {
		await this.init();
		const { rows } = await this.pool.query(
			`SELECT e.profile_id, e.message_id, e.ts, e.body, p.user_id, p.email FROM ${this.t.events} e
			 LEFT JOIN ${this.t.profiles} p ON p.profile_id = e.profile_id
			 WHERE e.event = 'Order Completed' AND e.ts >= $1 ORDER BY e.ts, e.message_id LIMIT $2`,
			[options.since?.getTime() ?? 0, options.limit ?? null],
		);
		return rows.map((r) =>
			transactionFromBody(
				{ profileId: r.profile_id, messageId: r.message_id, ts: Number(r.ts), userId: r.user_id, email: r.email },
				JSON.parse(r.body as string),
			),
		);
	}

	async erase(lookup: IdentityLookup): Promise<EraseResult> {
		await this.init();
		const keys = lookupKeys(lookup);
		return await this.tx(async (c) => {
			if (keys.length) {
				await c.query('SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT unnest($1::text[]) AS k ORDER BY 1) s', [keys]);
			}
			let id: string | undefined;
			for (let attempt = 1; ; attempt++) {
				id = await this.findProfileId(c, lookup);
				if (!id) {
					// No profile: the frequency-cap slots of the address asked for still go.
					const sendsDeleted = await this.deleteSends(c, erasedSendHashes(undefined, [], lookup));
					return { found: false, profileId: null, profilesDeleted: 0, identitiesDeleted: 0, eventsDeleted: 0, sendsDeleted };
				}
				// Lock the profile row. Once it is held, no batch can move its identities or events to
				// another profile (a merge locks the profile it merges away) or add new ones (a batch
				// locks the profiles its identities point to). A profile merged away (or erased) between
				// the identity read and the lock is gone: read the identities again (a new statement
				// sees what that batch committed).
				const locked = await c.query(`SELECT 1 FROM ${this.t.profiles} WHERE profile_id = $1 FOR UPDATE`, [id]);
				if (locked.rowCount || attempt >= MAX_ATTEMPTS) break;
			}
			const profiles = await c.query<{ data: string }>(`DELETE FROM ${this.t.profiles} WHERE profile_id = $1 RETURNING data`, [id]);
			const identities = await c.query<{ key: string }>(`DELETE FROM ${this.t.identities} WHERE profile_id = $1 RETURNING key`, [id]);
			const events = await c.query(`DELETE FROM ${this.t.events} WHERE profile_id = $1`, [id]);
			// The suppressed addresses stay suppressed, as hashes (ErasedAddress); flags already kept for an address add up.
			const kept = profiles.rows.length ? erasedAddresses(JSON.parse(profiles.rows[0].data) as ProfileState, identities.rows.map((r) => r.key)) : [];
			if (kept.length) {
				await c.query(
					`INSERT INTO ${this.t.erased} (hash, unsubscribed, bounced, complained, erased_at)
					 SELECT *, $5::bigint FROM unnest($1::text[], $2::boolean[], $3::boolean[], $4::boolean[])
					 ON CONFLICT (hash) DO UPDATE SET unsubscribed = ${this.t.erased}.unsubscribed OR excluded.unsubscribed,
					   bounced = ${this.t.erased}.bounced OR excluded.bounced, complained = ${this.t.erased}.complained OR excluded.complained,
					   erased_at = excluded.erased_at`,
					[kept.map((k) => k.hash), kept.map((k) => k.unsubscribed), kept.map((k) => k.bounced), kept.map((k) => k.complained), Date.now()],
				);
			}
			const state = profiles.rows.length ? (JSON.parse(profiles.rows[0].data) as ProfileState) : undefined;
			const sendsDeleted = await this.deleteSends(c, erasedSendHashes(state, identities.rows.map((r) => r.key), lookup));
			return {
				found: true,
				profileId: id,
				profilesDeleted: profiles.rowCount ?? 0,
				identitiesDeleted: identities.rowCount ?? 0,
				eventsDeleted: events.rowCount ?? 0,
				sendsDeleted,
			};
		});
	}

	/** Deletes the frequency-cap slots of these address hashes (inside the caller's transaction). */
	private async deleteSends(c: PoolClient, hashes: string[]): Promise<number> {
		if (!hashes.length) return 0;
		const res = await c.query(`DELETE FROM ${this.t.sends} WHERE hash = ANY($1::text[])`, [hashes]);
		return res.rowCount ?? 0;
	}

	/**
	 * One transaction: a transaction-scoped advisory lock of the address (every check of it, from
	 * any worker, queues there), then, in statements that start after the lock is held (READ
	 * COMMITTED: each sees what the check before it committed), the address's rows past the longest
	 * window deleted, its slots of the category of the last 31 days read (the window's count, and the key), and the new slot inserted.
	 */
	async reserveSend(request: SendReservation): Promise<SendDecision> {
		const p = prepareReservation(request, addressHash);
		await this.init();
		const { sends } = this.t;
		const decision = await this.tx(async (c) => {
			await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`pz-cap:${sends}:${p.hash}`]);
			const { rows } = await c.query<{ ts: string; key_hash: string }>(
				`WITH x AS (DELETE FROM ${sends} WHERE hash = $1 AND ts < $3)
				 SELECT ts, key_hash FROM ${sends} WHERE hash = $1 AND category = $2 AND ts >= $3`,
				[p.hash, p.category, p.expired],
			);
			const d = decideSend(rows.map((r) => ({ ts: Number(r.ts), keyHash: r.key_hash })), p);
			if (d.take) await c.query(`INSERT INTO ${sends} (hash, category, ts, key_hash) VALUES ($1, $2, $3, $4)`, [p.hash, p.category, p.now, p.keyHash]);
			return d;
		});
		if (p.now - this.lastSendPrune > PRUNE_EVERY_MS) {
			// After the commit: the decision stands whatever happens here.
			await this.pruneSends(new Date(p.now)).catch(() => undefined);
		}
		return publicDecision(decision);
	}

	/** One bounded pass; when it deleted a full batch, the next check passes again (no 10-minute wait). */
	async pruneSends(now = new Date()): Promise<number> {
		this.lastSendPrune = now.getTime();
		await this.init();
		const { sends } = this.t;
		const res = await this.pool.query(`DELETE FROM ${sends} WHERE id IN (SELECT id FROM ${sends} WHERE ts < $1 LIMIT $2)`, [
			now.getTime() - MAX_CAP_WINDOW_MS,
			SEND_PRUNE_BATCH,
		]);
		const n = res.rowCount ?? 0;
		if (n >= SEND_PRUNE_BATCH) this.lastSendPrune = 0;
		return n;
	}

	async isSuppressed(emails: string[]): Promise<Map<string, Suppression>> {
		return (await this.addressFacts(emails)).found;
	}

	/**
	 * `known`: states the caller already read (Export: the page's profiles), not sent again for the
	 * holders among them (each exported profile holds its own address as an identity).
	 */
	private async addressFacts(emails: string[], known: Map<string, ProfileState> = new Map()): Promise<AddressFacts> {
		await this.init();
		const wanted = [...new Set(emails.map(emailKey).filter(Boolean))];
		if (!wanted.length) return addressFactsOf(wanted, [], []);
		const hashes = wanted.map(addressHash);
		// The profile the address is an identity of, and every profile whose email it is (an address
		// shared by two customer ids: the second one's unsubscribe lives on its own profile).
		// And the address of an erased customer, kept hashed with its flags (ErasedAddress): hash set, profile_id null.
		const { rows } = await this.pool.query<{
			email: string | null;
			profile_id: string | null;
			data: string | null;
			hash: string | null;
			unsubscribed: boolean;
			bounced: boolean;
			complained: boolean;
		}>(
			`SELECT substr(i.key, 3) AS email, p.profile_id, CASE WHEN p.profile_id = ANY($4::text[]) THEN NULL ELSE p.data END AS data,
			   NULL AS hash, FALSE AS unsubscribed, FALSE AS bounced, FALSE AS complained FROM ${this.t.identities} i
			 JOIN ${this.t.profiles} p ON p.profile_id = i.profile_id WHERE i.key = ANY($1::text[])
			 UNION ALL
			 SELECT p.email, p.profile_id, CASE WHEN p.profile_id = ANY($4::text[]) THEN NULL ELSE p.data END, NULL, FALSE, FALSE, FALSE
			 FROM ${this.t.profiles} p WHERE p.email = ANY($2::text[]) AND ${SUPPRESSED_PG}
			 UNION ALL
			 SELECT NULL, NULL, NULL, hash, unsubscribed, bounced, complained FROM ${this.t.erased} WHERE hash = ANY($3::text[])`,
			[wanted.map((e) => `e:${e}`), wanted, hashes, [...known.keys()]],
		);
		// The flags each profile holds for that address (a bounce of another address it had does not count).
		return addressFactsOf(
			wanted,
			rows.flatMap((r) => (r.profile_id === null ? [] : [r.data === null ? addressHolder(r.email!, known.get(r.profile_id)!) : suppressionRow(r.email!, r.data)])),
			rows.filter((r) => r.hash !== null) as Array<{ hash: string; unsubscribed: boolean; bounced: boolean; complained: boolean }>,
			hashes,
		);
	}

	async pruneEvents(now = new Date()): Promise<number> {
		this.lastPrune = now.getTime();
		const days = this.options.retentionDays ?? 365;
		if (!days || days <= 0) return 0;
		await this.init();
		const res = await this.pool.query(`DELETE FROM ${this.t.events} WHERE ts < $1`, [now.getTime() - days * 86_400_000]);
		return res.rowCount ?? 0;
	}

	/** Ends the store's own pool; a pool it was given (shared by openStore's stores) is left to its owner. */
	async close(): Promise<void> {
		if (!this.ownPool || this.pool.ended || this.pool.ending) return;
		await this.pool.end();
	}
}
