/**
 * SQLite backend (Node's built-in `node:sqlite`, synchronous). One file, WAL mode. Each
 * `record` call is one `BEGIN IMMEDIATE` transaction: synchronous from BEGIN to COMMIT, so no
 * other execution of the same n8n process can interleave, and other processes wait (busy timeout).
 *
 * Checkpoints (copying the WAL back into the database file, with two fsyncs) run on a worker
 * thread with its own connection, so a commit does not stall the event loop for a checkpoint.
 * The worker's PASSIVE checkpoints never block the writer; once the WAL has grown past
 * CHECKPOINT_CATCH_UP_FRAMES it passes again at once until it has caught up, so the writer's next
 * transaction starts the WAL file over. The connection keeps SQLite's own automatic checkpoint as
 * a safety net, at a higher threshold (it runs only if the worker falls far behind).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { CustomerProfile } from '../types/CustomerProfile';
import { plan, prepare, type Plan } from './batch';
import { toProfile, type ProfileState } from './fold';
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
	addressFactsOf,
	erasedAddresses,
	addressHolder,
	exportWithAddressFacts,
	erasedSendHashes,
} from './types';
import { emailKey } from './email';
import { decideSend, prepareReservation, publicDecision, SEND_PRUNE_BATCH, MAX_CAP_WINDOW_MS, type SendDecision, type SendReservation } from './frequency';
import { transactionFromBody } from './transactions';

/** The condition of the partial suppressed-email index; queries repeat it word for word so the planner uses the index. */
const SUPPRESSED_SQLITE = '(unsubscribed = 1 OR bounced = 1 OR complained = 1)';
export const SCHEMA_VERSION = 1;
const PRUNE_EVERY_MS = 10 * 60_000;
/** WAL size (pages) past which the checkpoint worker passes until it catches up (and the WAL starts over). */
const CHECKPOINT_CATCH_UP_FRAMES = 10_000;
/** Minimum pause between two passes of the checkpoint worker. */
const CHECKPOINT_PAUSE_MS = 200;
/** SQLite's automatic checkpoint: 10,000 pages without the worker, a safety net with it. */
const AUTOCHECKPOINT_FRAMES = 10_000;
const AUTOCHECKPOINT_FRAMES_WITH_WORKER = 20_000;
/** How long a statement of the store's connection waits for another writer's lock. */
const BUSY_TIMEOUT_MS = 10_000;

/**
 * The checkpoint worker (plain CommonJS, run with `eval` so it survives bundling). Waits on a
 * shared counter that the store bumps after each commit; slot 1 set = stop.
 */
const CHECKPOINT_WORKER = `
const { DatabaseSync } = require('node:sqlite');
const { workerData } = require('node:worker_threads');
const sig = new Int32Array(workerData.sab);
const db = new DatabaseSync(workerData.file);
db.exec('PRAGMA busy_timeout = 10000');
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let seen = 0;
for (;;) {
	Atomics.wait(sig, 0, seen);
	if (Atomics.load(sig, 1)) break;
	seen = Atomics.load(sig, 0);
	try {
		// Once the WAL is long, pass again at once until a pass catches up with the writer: the
		// writer's next transaction then starts the WAL over (SQLite does it when fully backfilled).
		for (let pass = 0; pass < 32 && !Atomics.load(sig, 1); pass++) {
			const r = passive.get();
			if (r.log < workerData.catchUpFrames || r.checkpointed >= r.log) break;
		}
	} catch {
		// Busy or I/O error: the next pass (or the writer's own automatic checkpoint) retries.
	}
	Atomics.wait(sig, 1, 0, workerData.pauseMs);
}
db.close();
`;

type SqliteModule = typeof import('node:sqlite');

function loadSqlite(): SqliteModule {
	try {
		// Loaded on first use so the package still loads on a Node without node:sqlite.
		return require('node:sqlite') as SqliteModule;
	} catch {
		throw new Error(
			'This Node.js has no built-in SQLite (node:sqlite, Node 22.5 or later). Use the PostgreSQL storage instead.',
		);
	}
}

export class SqliteProfileStore implements ProfileStore {
	readonly kind = 'sqlite' as const;
	private readonly db: DatabaseSync;
	private readonly t: { profiles: string; identities: string; events: string; meta: string; erased: string; sends: string };
	private readonly st: Record<string, StatementSync> = {};
	private lastPrune = 0;
	/** When the frequency-cap slots were last cleaned up; 0 = at the next check (the last pass found more). */
	private lastSendPrune = 0;
	private checkpointer: Worker | undefined;
	/** [0] commits so far (the worker waits on it), [1] stop flag. */
	private readonly signal = new Int32Array(new SharedArrayBuffer(8));

	constructor(
		readonly file: string,
		private readonly options: StoreOptions = {},
	) {
		const p = validPrefix(options.tablePrefix);
		this.t = { profiles: `${p}profiles`, identities: `${p}identities`, events: `${p}events`, meta: `${p}meta`, erased: `${p}erased`, sends: `${p}sends` };
		if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
		const { DatabaseSync } = loadSqlite();
		this.db = new DatabaseSync(file);
		// secure_delete: deleted rows (an erased customer, merged-away profiles, pruned events, the
		// old version of a rewritten profile) are overwritten with zeros, also on freed pages, so the
		// file keeps no readable copy of them. No measurable cost on Record Events (about 10,000
		// events/s either way in bench/profile's mix).
		this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}; PRAGMA cache_size = -32000; PRAGMA temp_store = MEMORY; PRAGMA secure_delete = ON; PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_FRAMES};`);
		this.migrate();
		this.prepareStatements();
		if (file !== ':memory:') this.startCheckpointer();
	}

	/** Starts the checkpoint worker; without one (no threads) SQLite checkpoints on commit as before. */
	private startCheckpointer(): void {
		let worker: Worker;
		try {
			worker = new Worker(CHECKPOINT_WORKER, {
				eval: true,
				workerData: { file: this.file, sab: this.signal.buffer, catchUpFrames: CHECKPOINT_CATCH_UP_FRAMES, pauseMs: CHECKPOINT_PAUSE_MS },
			});
		} catch {
			return;
		}
		// An idle worker must not keep n8n (or a test run) alive.
		worker.unref();
		const lost = () => {
			if (this.checkpointer !== worker) return;
			this.checkpointer = undefined;
			if (this.db.isOpen) this.db.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_FRAMES}`);
		};
		worker.on('error', lost);
		worker.on('exit', lost);
		this.checkpointer = worker;
		this.db.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_FRAMES_WITH_WORKER}`);
	}

	private notifyCheckpointer(): void {
		if (!this.checkpointer) return;
		Atomics.add(this.signal, 0, 1);
		Atomics.notify(this.signal, 0);
	}

	private async stopCheckpointer(): Promise<void> {
		const worker = this.checkpointer;
		if (!worker) return;
		this.checkpointer = undefined;
		Atomics.store(this.signal, 1, 1);
		Atomics.add(this.signal, 0, 1);
		Atomics.notify(this.signal, 0);
		Atomics.notify(this.signal, 1);
		worker.ref();
		await new Promise((resolve) => {
			worker.once('exit', resolve);
			worker.once('error', resolve);
		});
	}

	/**
	 * Runs `fn` in one BEGIN IMMEDIATE transaction on the store's handle (committed when it returns,
	 * rolled back when it throws). `fn` is synchronous, so no other execution of this process
	 * interleaves, and other processes wait on the busy timeout. Also for tables of other engines
	 * in the same file (dispatch/sentKeys.ts).
	 */
	immediate<T>(fn: (db: DatabaseSync) => T): T {
		this.db.exec('BEGIN IMMEDIATE');
		try {
			const out = fn(this.db);
			this.db.exec('COMMIT');
			this.notifyCheckpointer();
			return out;
		} catch (error) {
			if (this.db.isTransaction) this.db.exec('ROLLBACK');
			throw error;
		}
	}

	private migrate(): void {
		const { profiles, identities, events, meta, erased, sends } = this.t;
		this.db.exec('BEGIN IMMEDIATE');
		try {
			this.db.exec(`CREATE TABLE IF NOT EXISTS ${meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
			const row = this.db.prepare(`SELECT value FROM ${meta} WHERE key = 'schema_version'`).get() as { value: string } | undefined;
			const version = row ? Number(row.value) : 0;
			if (version > SCHEMA_VERSION) {
				throw new Error(`The profile database has schema version ${version}; this package knows up to ${SCHEMA_VERSION}. Update the package.`);
			}
			if (version < 1) {
				this.db.exec(`
					CREATE TABLE IF NOT EXISTS ${profiles} (
						profile_id TEXT PRIMARY KEY,
						user_id TEXT,
						email TEXT,
						unsubscribed INTEGER NOT NULL DEFAULT 0,
						bounced INTEGER NOT NULL DEFAULT 0,
						complained INTEGER NOT NULL DEFAULT 0,
						updated_at INTEGER NOT NULL,
						data TEXT NOT NULL
					);
					CREATE TABLE IF NOT EXISTS ${identities} (
						key TEXT PRIMARY KEY,
						profile_id TEXT NOT NULL
					);
					CREATE INDEX IF NOT EXISTS ${identities}_profile ON ${identities} (profile_id);
					CREATE TABLE IF NOT EXISTS ${events} (
						message_id TEXT PRIMARY KEY,
						profile_id TEXT NOT NULL,
						event TEXT NOT NULL,
						type TEXT NOT NULL,
						ts INTEGER NOT NULL,
						received_at INTEGER NOT NULL,
						body TEXT NOT NULL
					);
					CREATE INDEX IF NOT EXISTS ${events}_profile_event_ts ON ${events} (profile_id, event, ts);
					CREATE INDEX IF NOT EXISTS ${events}_ts ON ${events} (ts);
				`);
				this.db.prepare(`INSERT OR REPLACE INTO ${meta} (key, value) VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION));
			}
			// Check Suppression also reads suppressed profiles by their email (added after version 1; a
			// no-op once there). Partial: only suppressed profiles are in it, so the usual profile
			// writes do not maintain it (a full email index cost ~20% of Record Events throughput).
			this.db.exec(`DROP INDEX IF EXISTS ${profiles}_email`);
			this.db.exec(`CREATE INDEX IF NOT EXISTS ${profiles}_suppressed_email ON ${profiles} (email) WHERE ${SUPPRESSED_SQLITE}`);
			// The suppressed addresses of erased customers, hashed (ErasedAddress; added after version 1).
			this.db.exec(
				`CREATE TABLE IF NOT EXISTS ${erased} (hash TEXT PRIMARY KEY, unsubscribed INTEGER NOT NULL, bounced INTEGER NOT NULL, complained INTEGER NOT NULL, erased_at INTEGER NOT NULL)`,
			);
			// Frequency-cap slots (frequency.ts; added after version 1): the address's hash, never the
			// address; the key's hash ('' without a key). By address for the check, by time for the clean-up.
			this.db.exec(`
				CREATE TABLE IF NOT EXISTS ${sends} (id INTEGER PRIMARY KEY, hash TEXT NOT NULL, category TEXT NOT NULL, ts INTEGER NOT NULL, key_hash TEXT NOT NULL);
				CREATE INDEX IF NOT EXISTS ${sends}_hash ON ${sends} (hash, category, ts);
				CREATE INDEX IF NOT EXISTS ${sends}_ts ON ${sends} (ts);
			`);
			this.db.exec('COMMIT');
		} catch (error) {
			if (this.db.isTransaction) this.db.exec('ROLLBACK');
			throw error;
		}
	}

	private prepareStatements(): void {
		const { profiles, identities, events } = this.t;
		const s = (name: string, sql: string) => (this.st[name] = this.db.prepare(sql));
		s('existing', `SELECT message_id AS id FROM ${events} WHERE message_id IN (SELECT value FROM json_each(?))`);
		// The batch's identities and the profiles they point to, in one statement (a profile comes once per key).
		s(
			'identities',
			`SELECT i.key, i.profile_id AS id, p.data FROM ${identities} i LEFT JOIN ${profiles} p ON p.profile_id = i.profile_id
			 WHERE i.key IN (SELECT value FROM json_each(?))`,
		);
		s('profile', `SELECT data FROM ${profiles} WHERE profile_id = ?`);
		s('identity', `SELECT i.profile_id AS id, p.user_id AS userId FROM ${identities} i LEFT JOIN ${profiles} p ON p.profile_id = i.profile_id WHERE i.key = ?`);
		s(
			'upsertProfile',
			`INSERT INTO ${profiles} (profile_id, user_id, email, unsubscribed, bounced, complained, updated_at, data)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			 ON CONFLICT (profile_id) DO UPDATE SET user_id = excluded.user_id, email = excluded.email,
			   unsubscribed = excluded.unsubscribed, bounced = excluded.bounced, complained = excluded.complained,
			   updated_at = excluded.updated_at, data = excluded.data`,
		);
		s(
			'updateProfile',
			`UPDATE ${profiles} SET user_id = ?, email = ?, unsubscribed = ?, bounced = ?, complained = ?, updated_at = ?, data = ? WHERE profile_id = ?`,
		);
		s('deleteProfile', `DELETE FROM ${profiles} WHERE profile_id = ?`);
		s('moveIdentities', `UPDATE ${identities} SET profile_id = ? WHERE profile_id = ?`);
		s('moveEvents', `UPDATE ${events} SET profile_id = ? WHERE profile_id = ?`);
		s(
			'upsertIdentity',
			`INSERT INTO ${identities} (key, profile_id) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET profile_id = excluded.profile_id`,
		);
		s(
			'insertEvent',
			`INSERT INTO ${events} (message_id, profile_id, event, type, ts, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
		);
		s(
			'since',
			// ts >= ? first, so the (profile_id, event, ts) index bounds the scan
			`SELECT MIN(ts) AS first, COUNT(*) AS n FROM ${events}
			 WHERE profile_id = ? AND event = ? AND ts >= ? AND (ts, received_at, message_id) > (?, ?, ?) AND message_id <> ?`,
		);
		s('prune', `DELETE FROM ${events} WHERE ts < ?`);
		const { sends } = this.t;
		s('sendsExpired', `DELETE FROM ${sends} WHERE hash = ? AND ts < ?`);
		s('sendsRecent', `SELECT ts, key_hash AS keyHash FROM ${sends} WHERE hash = ? AND category = ? AND ts > ?`);
		s('sendInsert', `INSERT INTO ${sends} (hash, category, ts, key_hash) VALUES (?, ?, ?, ?)`);
		s('sendsPrune', `DELETE FROM ${sends} WHERE id IN (SELECT id FROM ${sends} WHERE ts < ? LIMIT ?)`);
	}

	private findProfileId(lookup: IdentityLookup): string | undefined {
		for (const key of lookupKeys(lookup)) {
			const row = this.st.identity.get(key) as { id: string; userId: string | null } | undefined;
			if (row && acceptsProfile(lookup, key, row.userId)) return row.id;
		}
		return undefined;
	}

	private loadState(profileId: string): ProfileState | undefined {
		const row = this.st.profile.get(profileId) as { data: string } | undefined;
		return row ? (JSON.parse(row.data) as ProfileState) : undefined;
	}

	async record(inputs: unknown[], options: { now?: Date } = {}): Promise<RecordResult[]> {
		const prepared = prepare(inputs);
		if (prepared.valid.length === 0) return prepared.results;
		const now = (options.now ?? new Date()).getTime();
		let result: Plan;
		this.db.exec('BEGIN IMMEDIATE');
		try {
			const existing = new Set(
				(this.st.existing.all(JSON.stringify(prepared.messageIds)) as Array<{ id: string }>).map((r) => r.id),
			);
			const identities = new Map<string, string>();
			const profiles = new Map<string, ProfileState>();
			for (const r of this.st.identities.all(JSON.stringify(prepared.keys)) as Array<{ key: string; id: string; data: string | null }>) {
				identities.set(r.key, r.id);
				if (r.data !== null && !profiles.has(r.id)) profiles.set(r.id, JSON.parse(r.data) as ProfileState);
			}
			result = plan(prepared, { identities, profiles, existing }, this.options);
			for (const id of result.deletes) this.st.deleteProfile.run(id);
			for (const { from, to } of result.moves) {
				this.st.moveIdentities.run(to, from);
				this.st.moveEvents.run(to, from);
			}
			for (const s of result.upserts) {
				const flags = [s.unsubscribed ? 1 : 0, s.bounced ? 1 : 0, s.complained ? 1 : 0] as const;
				// Loaded profiles exist (we hold the write lock): a plain UPDATE is cheaper than an upsert.
				if (profiles.has(s.profileId)) this.st.updateProfile.run(s.userId, s.email, ...flags, now, JSON.stringify(s), s.profileId);
				else this.st.upsertProfile.run(s.profileId, s.userId, s.email, ...flags, now, JSON.stringify(s));
			}
			for (const i of result.identities) this.st.upsertIdentity.run(i.key, i.profileId);
			for (const e of result.events) this.st.insertEvent.run(e.messageId, e.profileId, e.event, e.type, e.ts, e.receivedAt, e.body);
			this.db.exec('COMMIT');
			this.notifyCheckpointer();
		} catch (error) {
			if (this.db.isTransaction) this.db.exec('ROLLBACK');
			throw error;
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
		const id = this.findProfileId(lookup);
		const state = id ? this.loadState(id) : undefined;
		if (!state) return null;
		const profile = toProfile(state, now);
		const addresses = suppressionAddresses(profile, lookup);
		return withAddressSuppression(profile, addresses.length ? this.addressFacts(addresses) : undefined);
	}

	async hasEventSince(lookup: IdentityLookup, eventName: string, since: SinceStart): Promise<SinceResult> {
		const id = this.findProfileId(lookup);
		if (!id) return { profileFound: false, happened: false, at: null, count: 0 };
		const b = sinceBound(since);
		const row = this.st.since.get(id, eventName, b.timestamp, b.timestamp, b.receivedAt, b.messageId, b.exclude) as { first: number | null; n: number };
		return {
			profileFound: true,
			happened: row.n > 0,
			at: row.first === null ? null : new Date(row.first).toISOString(),
			count: Number(row.n),
		};
	}

	async exportProfiles(options: ExportOptions = {}): Promise<CustomerProfile[]> {
		const rows = this.db
			.prepare(`SELECT data FROM ${this.t.profiles} WHERE updated_at >= ? ORDER BY profile_id LIMIT ?`)
			.all(options.since?.getTime() ?? 0, options.limit ?? -1) as Array<{ data: string }>;
		const now = options.now ?? new Date();
		// The address facts of each page's emails (Get Profile's query), with the page's own states.
		return exportWithAddressFacts(
			rows.map((r) => r.data),
			now,
			(emails, known) => this.addressFacts(emails, known),
		);
	}

	async exportTransactions(options: ExportOptions = {}): Promise<Transaction[]> {
		const rows = this.db
			.prepare(
				`SELECT e.profile_id, e.message_id, e.ts, e.body, p.user_id, p.email FROM ${this.t.events} e
				 LEFT JOIN ${this.t.profiles} p ON p.profile_id = e.profile_id
				 WHERE e.event = 'Order Completed' AND e.ts >= ? ORDER BY e.ts, e.message_id LIMIT ?`,
			)
			.all(options.since?.getTime() ?? 0, options.limit ?? -1) as Array<{
			profile_id: string;
			message_id: string;
			ts: number;
			body: string;
			user_id: string | null;
			email: string | null;
		}>;
		return rows.map((r) =>
			transactionFromBody(
				{ profileId: r.profile_id, messageId: r.message_id, ts: Number(r.ts), userId: r.user_id, email: r.email },
				JSON.parse(r.body),
			),
		);
	}

	async erase(lookup: IdentityLookup): Promise<EraseResult> {
		this.db.exec('BEGIN IMMEDIATE');
		try {
			// Looked up under the write lock: another process may have merged the profile away (its
			// identities and events now under another profile) since any earlier read.
			const id = this.findProfileId(lookup);
			if (!id) {
				// No profile: the frequency-cap slots of the address asked for still go.
				const sendsDeleted = this.deleteSends(erasedSendHashes(undefined, [], lookup));
				this.db.exec('COMMIT');
				if (sendsDeleted) await this.truncateWal().catch(() => undefined);
				return { found: false, profileId: null, profilesDeleted: 0, identitiesDeleted: 0, eventsDeleted: 0, sendsDeleted };
			}
			const events = this.db.prepare(`DELETE FROM ${this.t.events} WHERE profile_id = ?`).run(id);
			const identities = this.db.prepare(`DELETE FROM ${this.t.identities} WHERE profile_id = ? RETURNING key`).all(id) as Array<{ key: string }>;
			const profiles = this.db.prepare(`DELETE FROM ${this.t.profiles} WHERE profile_id = ? RETURNING data`).all(id) as Array<{ data: string }>;
			// The suppressed addresses stay suppressed, as hashes (ErasedAddress); flags already kept for an address add up.
			const kept = profiles.length ? erasedAddresses(JSON.parse(profiles[0].data) as ProfileState, identities.map((r) => r.key)) : [];
			const keep = this.db.prepare(
				`INSERT INTO ${this.t.erased} (hash, unsubscribed, bounced, complained, erased_at) VALUES (?, ?, ?, ?, ?)
				 ON CONFLICT (hash) DO UPDATE SET unsubscribed = max(unsubscribed, excluded.unsubscribed), bounced = max(bounced, excluded.bounced),
				   complained = max(complained, excluded.complained), erased_at = excluded.erased_at`,
			);
			for (const k of kept) keep.run(k.hash, Number(k.unsubscribed), Number(k.bounced), Number(k.complained), Date.now());
			const state = profiles.length ? (JSON.parse(profiles[0].data) as ProfileState) : undefined;
			const sendsDeleted = this.deleteSends(erasedSendHashes(state, identities.map((r) => r.key), lookup));
			this.db.exec('COMMIT');
			await this.truncateWal().catch(() => undefined);
			return {
				found: true,
				profileId: id,
				profilesDeleted: profiles.length,
				identitiesDeleted: identities.length,
				eventsDeleted: Number(events.changes),
				sendsDeleted,
			};
		} catch (error) {
			if (this.db.isTransaction) this.db.exec('ROLLBACK');
			throw error;
		}
	}

	/** Deletes the frequency-cap slots of these address hashes (inside the caller's transaction). */
	private deleteSends(hashes: string[]): number {
		if (!hashes.length) return 0;
		return Number(this.db.prepare(`DELETE FROM ${this.t.sends} WHERE hash IN (SELECT value FROM json_each(?))`).run(JSON.stringify(hashes)).changes);
	}

	/**
	 * One `BEGIN IMMEDIATE` transaction: it holds the database's write lock from the count to the
	 * insert, so no other connection (another process, another store on the file) can count the
	 * same slots in between, and the synchronous code cannot interleave with another check of this
	 * process. The address's rows past the longest window go first (they can never count again).
	 */
	async reserveSend(request: SendReservation): Promise<SendDecision> {
		const p = prepareReservation(request, addressHash);
		let decision: ReturnType<typeof decideSend>;
		this.db.exec('BEGIN IMMEDIATE');
		try {
			this.st.sendsExpired.run(p.hash, p.expired);
			const rows = this.st.sendsRecent.all(p.hash, p.category, p.expired) as Array<{ ts: number; keyHash: string }>;
			decision = decideSend(rows.map((r) => ({ ts: Number(r.ts), keyHash: r.keyHash })), p);
			if (decision.take) this.st.sendInsert.run(p.hash, p.category, p.now, p.keyHash);
			this.db.exec('COMMIT');
			this.notifyCheckpointer();
		} catch (error) {
			if (this.db.isTransaction) this.db.exec('ROLLBACK');
			throw error;
		}
		if (p.now - this.lastSendPrune > PRUNE_EVERY_MS) {
			// After the commit: the decision stands whatever happens here.
			await this.pruneSends(new Date(p.now)).catch(() => undefined);
		}
		return publicDecision(decision);
	}

	/** One bounded pass; when it deleted a full batch, the next check passes again (no 10-minute wait). */
	async pruneSends(now = new Date()): Promise<number> {
		this.lastSendPrune = now.getTime();
		const n = Number(this.st.sendsPrune.run(now.getTime() - MAX_CAP_WINDOW_MS, SEND_PRUNE_BATCH).changes);
		if (n >= SEND_PRUNE_BATCH) this.lastSendPrune = 0;
		return n;
	}

	/**
	 * After an erase: the WAL still holds the pages as they were before (with the customer in them)
	 * until it is overwritten, which may never happen to its tail. Copy it into the database file and
	 * truncate it to zero bytes. Best effort, for about a second: the checkpoint worker's own pass
	 * makes the checkpoint busy at once (SQLite does not wait for the checkpoint lock), so it is tried
	 * again after a pause; a reader of another process that holds an old snapshot longer leaves the
	 * WAL as it is (the next erase, or closing the store, removes it). Each try blocks the event loop
	 * for one checkpoint (at most 200 ms waiting for readers).
	 */
	private async truncateWal(): Promise<void> {
		if (this.file === ':memory:') return;
		for (let attempt = 0; attempt < 20 && this.db.isOpen; attempt++) {
			try {
				this.db.exec('PRAGMA busy_timeout = 200');
				const row = this.db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get() as { busy: number } | undefined;
				if (!row || row.busy === 0) return;
			} catch {
				// busy or I/O error: the erase itself is committed
			} finally {
				this.db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
			}
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	}

	async isSuppressed(emails: string[]): Promise<Map<string, Suppression>> {
		return this.addressFacts(emails).found;
	}

	/**
	 * `known`: states the caller already read (Export: the page's profiles), not read and parsed
	 * again for the holders among them (each exported profile holds its own address as an identity).
	 */
	private addressFacts(emails: string[], known: Map<string, ProfileState> = new Map()): AddressFacts {
		const wanted = [...new Set(emails.map(emailKey).filter(Boolean))];
		// The profile the address is an identity of, and every profile whose email it is (an address
		// shared by two customer ids: the second one's unsubscribe lives on its own profile).
		const rows = this.db
			.prepare(
				`SELECT substr(i.key, 3) AS email, p.profile_id,
				   CASE WHEN p.profile_id IN (SELECT value FROM json_each(?2)) THEN NULL ELSE p.data END AS data FROM ${this.t.identities} i
				 JOIN ${this.t.profiles} p ON p.profile_id = i.profile_id
				 WHERE i.key IN (SELECT 'e:' || value FROM json_each(?1))
				 UNION ALL
				 SELECT p.email, p.profile_id, CASE WHEN p.profile_id IN (SELECT value FROM json_each(?2)) THEN NULL ELSE p.data END FROM ${this.t.profiles} p
				 WHERE p.email IN (SELECT value FROM json_each(?1)) AND ${SUPPRESSED_SQLITE}`,
			)
			.all(JSON.stringify(wanted), JSON.stringify([...known.keys()])) as Array<{ email: string; profile_id: string; data: string | null }>;
		// And the address of an erased customer, kept hashed with its flags (ErasedAddress).
		const hashes = wanted.map(addressHash);
		const erased = this.db
			.prepare(`SELECT hash, unsubscribed, bounced, complained FROM ${this.t.erased} WHERE hash IN (SELECT value FROM json_each(?))`)
			.all(JSON.stringify(hashes)) as Array<{ hash: string; unsubscribed: number; bounced: number; complained: number }>;
		// The flags each profile holds for that address (a bounce of another address it had does not count).
		const holders = rows.map((r) => (r.data === null ? addressHolder(r.email, known.get(r.profile_id)!) : suppressionRow(r.email, r.data)));
		return addressFactsOf(wanted, holders, erased, hashes);
	}

	async pruneEvents(now = new Date()): Promise<number> {
		this.lastPrune = now.getTime();
		const days = this.options.retentionDays ?? 365;
		if (!days || days <= 0) return 0;
		return Number(this.st.prune.run(now.getTime() - days * 86_400_000).changes);
	}

	async close(): Promise<void> {
		await this.stopCheckpointer();
		if (this.db.isOpen) this.db.close();
	}
}
