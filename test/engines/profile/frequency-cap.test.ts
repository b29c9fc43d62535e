/**
 * Frequency cap (reserveSend): "no more than N emails of a category per address in W hours",
 * across every workflow using the store, on SQLite and PostgreSQL. Expected values are worked out
 * by hand from the rule: a send at time s counts while now < s + window (at s + window exactly it
 * no longer counts); a check is allowed when fewer than max sends count (or its key already holds
 * one of them), and an allowed check without a held key takes a slot. Concurrency: checks of one
 * address from two stores (SQLite: two threads with their own connections; PostgreSQL: two pools)
 * at the same moment give exactly `max` slots.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { Client } from 'pg';
import { PostgresProfileStore, SqliteProfileStore, type ProfileStore } from '../../../nodes/engines/profile';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { dropPrefix, pgConnection, profileEvent, tempSqliteFile, uniquePrefix } from '../../harness/profile-db';

const H = 3_600_000;
const T = Date.parse('2026-03-02T08:00:00.000Z');
const at = (ms: number) => new Date(T + ms);
const iso = (ms: number) => new Date(T + ms).toISOString();
/** How the table keys an address: SHA-256 (hex) of the trimmed, lower-cased address. */
const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

interface Opened {
	store: ProfileStore;
	/** A second store on the same database and tables (another n8n process or worker). */
	second(): Promise<ProfileStore>;
	/** Every row of the sends table: [hash, category, ts, key_hash]. */
	sends(): Promise<Array<[string, string, number, string]>>;
	/** Inserts send rows directly (hash, category, ts, key ''). */
	insertRaw(rows: Array<{ hash: string; category: string; ts: number }>): Promise<void>;
	file?: string;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

const backends: Array<{ name: string; open(): Promise<Opened> }> = [
	{
		name: 'sqlite',
		async open() {
			const file = tempSqliteFile();
			const store = new SqliteProfileStore(file, { tablePrefix: 'pz_' });
			const raw = new DatabaseSync(file);
			raw.exec('PRAGMA busy_timeout = 10000');
			const others: ProfileStore[] = [];
			cleanups.push(async () => {
				raw.close();
				for (const s of others) await s.close();
				await store.close();
			});
			return {
				store,
				file,
				async second() {
					const s = new SqliteProfileStore(file, { tablePrefix: 'pz_' });
					others.push(s);
					return s;
				},
				async sends() {
					return (raw.prepare('SELECT hash, category, ts, key_hash FROM pz_sends ORDER BY ts, id').all() as Array<Record<string, unknown>>).map(
						(r) => [r.hash, r.category, Number(r.ts), r.key_hash] as [string, string, number, string],
					);
				},
				async insertRaw(rows) {
					raw.exec('BEGIN');
					const ins = raw.prepare(`INSERT INTO pz_sends (hash, category, ts, key_hash) VALUES (?, ?, ?, '')`);
					for (const r of rows) ins.run(r.hash, r.category, r.ts);
					raw.exec('COMMIT');
				},
			};
		},
	},
	{
		name: 'postgres',
		async open() {
			const prefix = uniquePrefix('fcap');
			const store = new PostgresProfileStore(pgConnection, { tablePrefix: prefix });
			await store.init();
			const client = new Client({ ...pgConnection, ssl: false });
			await client.connect();
			const others: ProfileStore[] = [];
			cleanups.push(async () => {
				await client.end();
				for (const s of others) await s.close();
				await store.close();
				await dropPrefix(prefix);
			});
			return {
				store,
				async second() {
					const s = new PostgresProfileStore(pgConnection, { tablePrefix: prefix });
					others.push(s);
					return s;
				},
				async sends() {
					const { rows } = await client.query(`SELECT hash, category, ts, key_hash FROM ${prefix}sends ORDER BY ts, id`);
					return rows.map((r) => [r.hash, r.category, Number(r.ts), r.key_hash] as [string, string, number, string]);
				},
				async insertRaw(rows) {
					await client.query(`INSERT INTO ${prefix}sends (hash, category, ts, key_hash) SELECT h, c, t, '' FROM unnest($1::text[], $2::text[], $3::bigint[]) AS x(h, c, t)`, [
						rows.map((r) => r.hash),
						rows.map((r) => r.category),
						rows.map((r) => r.ts),
					]);
				},
			};
		},
	},
];

/** Decision fields compared in the hand-computed tables: [allowed, sentInWindow, nextAllowedAt]. */
const brief = (d: { allowed: boolean; sentInWindow: number; nextAllowedAt: string | null }) => [d.allowed, d.sentInWindow, d.nextAllowedAt];

describe.each(backends)('Frequency cap on $name', (backend) => {
	it('max 2 per 24 h: sends at t and t+1h allowed, t+2h and t+24h-1ms capped until t+24h, t+24h+1s allowed, then capped until t+25h', async () => {
		const { store } = await backend.open();
		const cap = (ms: number) => store.reserveSend({ email: 'ann@example.com', category: 'marketing', max: 2, windowHours: 24, now: at(ms) });
		const out = [];
		for (const ms of [0, 1 * H, 2 * H, 24 * H - 1, 24 * H + 1000, 24 * H + 2000]) out.push(brief(await cap(ms)));
		expect(out).toEqual([
			[true, 1, null],
			[true, 2, null],
			// the sends of t and t+1h count; the one at t leaves the window at t+24h
			[false, 2, iso(24 * H)],
			[false, 2, iso(24 * H)],
			// the send at t no longer counts: t+1h and this one
			[true, 2, null],
			// t+1h and t+24h+1s count; the one at t+1h leaves at t+25h
			[false, 2, iso(25 * H)],
		]);
		expect(await cap(24 * H + 2000)).toMatchObject({ limit: 2, windowHours: 24 });
	});

	it('the window boundary: a send at t counts until t + window, exclusive (at t+24h exactly a slot is free)', async () => {
		const { store } = await backend.open();
		const cap = (ms: number) => store.reserveSend({ email: 'bo@example.com', category: 'marketing', max: 2, windowHours: 24, now: at(ms) });
		expect(brief(await cap(0))).toEqual([true, 1, null]);
		expect(brief(await cap(H))).toEqual([true, 2, null]);
		expect(brief(await cap(24 * H))).toEqual([true, 2, null]);
	});

	it('Klaviyo Smart Sending default: 1 per 16 h', async () => {
		const { store } = await backend.open();
		const cap = (ms: number) => store.reserveSend({ email: 'cy@example.com', category: 'marketing', max: 1, windowHours: 16, now: at(ms) });
		expect(brief(await cap(0))).toEqual([true, 1, null]);
		expect(brief(await cap(16 * H - 60_000))).toEqual([false, 1, iso(16 * H)]);
		expect(brief(await cap(16 * H))).toEqual([true, 1, null]);
	});

	it('counts per address (any case, display name) and per category; stores hashes only', async () => {
		const { store, sends } = await backend.open();
		const cap = (email: string, category: string, ms = 0) => store.reserveSend({ email, category, max: 1, windowHours: 16, key: 'cart-ann-1', now: at(ms) });
		expect((await cap('ann@example.com', 'marketing')).allowed).toBe(true);
		// same address written otherwise, another key: capped
		expect((await store.reserveSend({ email: ' Ann Lee <ANN@Example.com> ', category: 'Marketing ', max: 1, windowHours: 16, now: at(60_000) })).allowed).toBe(false);
		// another category, another address: their own counts
		expect((await cap('ann@example.com', 'transactional', 60_000)).allowed).toBe(true);
		expect((await cap('bob@example.com', 'marketing', 60_000)).allowed).toBe(true);
		const rows = await sends();
		expect(rows).toEqual([
			[sha256('ann@example.com'), 'marketing', T, sha256('cart-ann-1')],
			[sha256('ann@example.com'), 'transactional', T + 60_000, sha256('cart-ann-1')],
			[sha256('bob@example.com'), 'marketing', T + 60_000, sha256('cart-ann-1')],
		]);
		expect(JSON.stringify(rows)).not.toMatch(/@|example|cart-ann/);
	});

	it('the same key again within the window is within the cap and takes no second slot; after the window it takes a new one', async () => {
		const { store, sends } = await backend.open();
		const cap = (ms: number, key?: string) => store.reserveSend({ email: 'dee@example.com', category: 'marketing', max: 1, windowHours: 16, key, now: at(ms) });
		expect(await cap(0, 'exec-1')).toMatchObject({ allowed: true, sentInWindow: 1, sameKey: false });
		// an n8n retry of the same execution: not capped by its own first attempt
		expect(await cap(60_000, 'exec-1')).toMatchObject({ allowed: true, sentInWindow: 1, sameKey: true, nextAllowedAt: null });
		expect(await cap(120_000, 'exec-2')).toMatchObject({ allowed: false, sentInWindow: 1, nextAllowedAt: iso(16 * H) });
		expect(await cap(180_000)).toMatchObject({ allowed: false, sentInWindow: 1 });
		expect((await sends()).length).toBe(1);
		// after the window the key's slot no longer counts, but the key is still known (31 days): the
		// same email again (ESP Dispatch answers it `duplicate`) is allowed without a new slot, so it
		// does not use up the day's slot
		expect(await cap(16 * H, 'exec-1')).toMatchObject({ allowed: true, sentInWindow: 0, sameKey: true });
		expect((await sends()).length).toBe(1);
		// another email that day takes the slot as usual
		expect(await cap(16 * H + 1, 'exec-3')).toMatchObject({ allowed: true, sentInWindow: 1, sameKey: false });
		expect((await sends()).length).toBe(2);
	});

	it('a key sent days ago (a nightly offer ESP Dispatch will answer duplicate) takes no slot and blocks nothing; past 31 days it is new', async () => {
		const { store, sends } = await backend.open();
		const cap = (ms: number, key: string) => store.reserveSend({ email: 'vip@example.com', category: 'marketing', max: 1, windowHours: 16, key, now: at(ms) });
		expect(await cap(0, 'vip-offer:vip')).toMatchObject({ allowed: true, sameKey: false });
		// the next nights: the same offer key, no slot taken
		for (let night = 1; night <= 3; night++) expect(await cap(night * 24 * H, 'vip-offer:vip')).toMatchObject({ allowed: true, sameKey: true, sentInWindow: 0 });
		// the cart email two hours after the third night's run is not capped by it
		expect(await cap(3 * 24 * H + 2 * H, 'cart-recovery:c1')).toMatchObject({ allowed: true, sameKey: false, sentInWindow: 1 });
		expect((await sends()).length).toBe(2);
		// after 31 days (744 h) the first slot is gone: the key takes a new slot
		expect(await cap(744 * H + 1, 'vip-offer:vip')).toMatchObject({ allowed: true, sameKey: false, sentInWindow: 1 });
	});

	it('refuses an invalid request naming the field, and stores nothing', async () => {
		const { store, sends } = await backend.open();
		const base = { email: 'eve@example.com', category: 'marketing', max: 1, windowHours: 16, now: at(0) };
		const cases: Array<[Partial<typeof base>, RegExp]> = [
			[{ email: 'not-an-address' }, /"Email" \(not-an-address\)/],
			[{ email: '  ' }, /"Email" \(empty\)/],
			[{ max: 0 }, /"Max Emails" \(0\)/],
			[{ max: 1.5 }, /"Max Emails" \(1.5\)/],
			[{ max: Number.NaN }, /"Max Emails"/],
			[{ windowHours: 0 }, /"Window \(Hours\)" \(0\)/],
			[{ windowHours: -1 }, /"Window \(Hours\)" \(-1\)/],
			[{ windowHours: 745 }, /"Window \(Hours\)" \(745\)/],
			[{ category: ' ' }, /"Cap Category" \(empty\)/],
			[{ category: 'x'.repeat(101) }, /"Cap Category"/],
		];
		for (const [bad, message] of cases) await expect(store.reserveSend({ ...base, ...bad })).rejects.toThrow(message);
		expect(await sends()).toEqual([]);
		// 744 h (31 days) and a fraction of an hour are fine: 0.5 h = 30 min
		expect((await store.reserveSend({ ...base, windowHours: 744 })).allowed).toBe(true);
		expect(await store.reserveSend({ ...base, email: 'fay@example.com', windowHours: 0.5 })).toMatchObject({ allowed: true });
		expect(await store.reserveSend({ ...base, email: 'fay@example.com', windowHours: 0.5, now: at(29 * 60_000) })).toMatchObject({ allowed: false, nextAllowedAt: iso(30 * 60_000) });
	});

	it('two stores checking one address at the same moment: exactly max slots are given', async () => {
		const opened = await backend.open();
		if (backend.name === 'sqlite') {
			// node:sqlite is synchronous: real contention needs threads, each with its own connection
			const allowed = await sqliteThreads(opened.file!, 4, 10, 3);
			expect(allowed).toBe(3);
		} else {
			const other = await opened.second();
			const stores = [opened.store, other];
			const results = await Promise.all(
				Array.from({ length: 24 }, (_, n) => stores[n % 2].reserveSend({ email: 'gil@example.com', category: 'marketing', max: 3, windowHours: 16, now: at(n) })),
			);
			expect(results.filter((r) => r.allowed).length).toBe(3);
		}
		expect((await opened.sends()).length).toBe(3);
	});

	it('a check while another connection is taking the last slot waits for its commit and is capped', async () => {
		const opened = await backend.open();
		const hash = sha256('lee@example.com');
		let release: () => Promise<void>;
		if (backend.name === 'sqlite') {
			// another process's check, inside its transaction: slot inserted, not yet committed
			const worker = new Worker(
				`const { DatabaseSync } = require('node:sqlite');
				 const { workerData, parentPort } = require('node:worker_threads');
				 const db = new DatabaseSync(workerData.file);
				 db.exec('PRAGMA busy_timeout = 10000; BEGIN IMMEDIATE');
				 db.prepare("INSERT INTO pz_sends (hash, category, ts, key_hash) VALUES (?, 'marketing', ?, '')").run(workerData.hash, workerData.t);
				 parentPort.postMessage('locked');
				 Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
				 db.exec('COMMIT');
				 db.close();`,
				{ eval: true, workerData: { file: opened.file, hash, t: T } },
			);
			const exited = new Promise((resolve) => worker.once('exit', resolve));
			await new Promise((resolve) => worker.once('message', resolve));
			release = async () => {
				await exited;
			};
		} else {
			// another worker's check: it holds the address's lock and has inserted, not yet committed
			const client = new Client({ ...pgConnection, ssl: false });
			await client.connect();
			const prefix = ((opened.store as PostgresProfileStore) as unknown as { t: { sends: string } }).t.sends;
			await client.query('BEGIN');
			await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`pz-cap:${prefix}:${hash}`]);
			await client.query(`INSERT INTO ${prefix} (hash, category, ts, key_hash) VALUES ($1, 'marketing', $2, '')`, [hash, T]);
			const timer = setTimeout(() => void client.query('COMMIT'), 300);
			release = async () => {
				clearTimeout(timer);
				await client.query('COMMIT').catch(() => undefined);
				await client.end();
			};
		}
		const decision = await opened.store.reserveSend({ email: 'lee@example.com', category: 'marketing', max: 1, windowHours: 16, now: at(1000) });
		await release();
		expect(decision).toMatchObject({ allowed: false, sentInWindow: 1, nextAllowedAt: iso(16 * H) });
		expect((await opened.sends()).length).toBe(1);
	});

	it('deletes rows older than the longest window (744 h) in bounded passes; newer rows stay', async () => {
		const { store, sends, insertRaw } = await backend.open();
		const now = T + 1000 * H;
		const old = Array.from({ length: 2500 }, (_, n) => ({ hash: sha256(`old${n}@example.com`), category: 'marketing', ts: now - 744 * H - 1 - n }));
		await insertRaw([...old, { hash: sha256('keep@example.com'), category: 'marketing', ts: now - 744 * H }, { hash: sha256('new@example.com'), category: 'marketing', ts: now - H }]);
		expect(await store.pruneSends(new Date(now))).toBe(2000);
		expect(await store.pruneSends(new Date(now))).toBe(500);
		expect(await store.pruneSends(new Date(now))).toBe(0);
		expect((await sends()).map((r) => r[0])).toEqual([sha256('keep@example.com'), sha256('new@example.com')]);
	});

	it('a check deletes its own address’s rows past the longest window', async () => {
		const { store, sends, insertRaw } = await backend.open();
		await insertRaw([{ hash: sha256('hal@example.com'), category: 'winback', ts: T - 745 * H }]);
		await store.reserveSend({ email: 'hal@example.com', category: 'marketing', max: 1, windowHours: 16, now: at(0) });
		expect(await sends()).toEqual([[sha256('hal@example.com'), 'marketing', T, '']]);
	});

	it('Erase Customer deletes the slots of the customer’s addresses (and of an address asked for with no profile)', async () => {
		const { store, sends } = await backend.open();
		const ev = (partial: Partial<CanonicalEvent> & { event: string }) => profileEvent<CanonicalEvent>(partial, 0, 'fc');
		await store.record([
			ev({ event: 'Identify', userId: 'ivy', email: 'ivy@example.com' }),
			ev({ event: 'Identify', userId: 'jo', email: 'jo@example.com' }),
		]);
		const cap = (email: string, category = 'marketing') => store.reserveSend({ email, category, max: 5, windowHours: 16, now: at(0) });
		await cap('ivy@example.com');
		await cap('IVY@example.com', 'winback');
		await cap('jo@example.com');
		await cap('kit@example.com');
		expect(await store.erase({ userId: 'ivy' })).toMatchObject({ found: true, sendsDeleted: 2 });
		expect((await sends()).map((r) => r[0])).toEqual([sha256('jo@example.com'), sha256('kit@example.com')]);
		// kit has no profile: erasing by the address still deletes its slots
		expect(await store.erase({ email: 'Kit@Example.com' })).toEqual({ found: false, profileId: null, profilesDeleted: 0, identitiesDeleted: 0, eventsDeleted: 0, sendsDeleted: 1 });
		expect((await sends()).map((r) => r[0])).toEqual([sha256('jo@example.com')]);
		// ivy's cap starts over
		expect(await store.reserveSend({ email: 'ivy@example.com', category: 'marketing', max: 1, windowHours: 16, now: at(1000) })).toMatchObject({ allowed: true, sentInWindow: 1 });
	});
});

/**
 * `threads` worker threads, each with its own SqliteProfileStore on `file` (the engine bundled by
 * esbuild, as the build bundles it), start together and make `each` checks of one address with
 * max `max`; returns how many were allowed in all.
 */
async function sqliteThreads(file: string, threads: number, each: number, max: number): Promise<number> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const esbuild = require('esbuild') as typeof import('esbuild');
	const bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pz-fcap-')), 'sqlite.js');
	esbuild.buildSync({ entryPoints: [path.resolve(__dirname, '../../../nodes/engines/profile/sqlite.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'silent' });
	const gate = new Int32Array(new SharedArrayBuffer(4));
	const code = `
		const { workerData, parentPort } = require('node:worker_threads');
		const { SqliteProfileStore } = require(workerData.bundle);
		const store = new SqliteProfileStore(workerData.file, { tablePrefix: 'pz_' });
		const gate = new Int32Array(workerData.gate);
		parentPort.postMessage('ready');
		Atomics.wait(gate, 0, 0);
		(async () => {
			let allowed = 0;
			for (let n = 0; n < workerData.each; n++) {
				const d = await store.reserveSend({ email: 'gil@example.com', category: 'marketing', max: workerData.max, windowHours: 16, now: new Date(workerData.t + n) });
				if (d.allowed) allowed++;
			}
			await store.close();
			parentPort.postMessage(allowed);
		})().catch((e) => parentPort.postMessage('error: ' + e.message));
	`;
	const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true, workerData: { bundle, file, gate: gate.buffer, each, max, t: T } }));
	const messages = workers.map((w) => {
		const list: unknown[] = [];
		let wake: () => void = () => undefined;
		w.on('message', (m) => {
			list.push(m);
			wake();
		});
		return async (n: number) => {
			while (list.length < n) await new Promise<void>((r) => (wake = r));
			return list[n - 1];
		};
	});
	await Promise.all(messages.map((m) => m(1)));
	Atomics.store(gate, 0, 1);
	Atomics.notify(gate, 0);
	const counts = await Promise.all(messages.map((m) => m(2)));
	await Promise.all(workers.map((w) => w.terminate()));
	for (const c of counts) if (typeof c !== 'number') throw new Error(String(c));
	return (counts as number[]).reduce((a, b) => a + b, 0);
}

describe('Frequency cap on PostgreSQL whatever the default isolation level', () => {
	// A database, role or server configured with `default_transaction_isolation = 'repeatable read'`
	// (some managed and hardened set-ups): the check reads the slots after taking the address's
	// lock, so it must run at READ COMMITTED; under REPEATABLE READ the snapshot was taken at the
	// lock and every waiter saw the slots as they were before (review: 154 of 8-way checks allowed
	// over 20 addresses where 60 fit), under SERIALIZABLE checks failed with serialization errors.
	it.each(['repeatable read', 'serializable'])('8 checks at once per address with max 3 give exactly 3 (default %s)', async (level) => {
		const { Pool } = await import('pg');
		const pool = new Pool({ ...pgConnection, ssl: false, max: 10, options: `-c default_transaction_isolation=${level.replace(/ /g, '\\ ')}` });
		const prefix = uniquePrefix('fciso');
		const store = new PostgresProfileStore(pool, { tablePrefix: prefix });
		try {
			await store.init();
			const shown = await pool.query('SHOW default_transaction_isolation');
			expect(shown.rows[0].default_transaction_isolation).toBe(level);
			for (let round = 0; round < 4; round++) {
				const results = await Promise.all(
					Array.from({ length: 8 }, () => store.reserveSend({ email: `iso${round}@example.com`, category: 'marketing', max: 3, windowHours: 16, now: at(0) })),
				);
				expect(results.filter((d) => d.allowed)).toHaveLength(3);
			}
		} finally {
			await store.close().catch(() => undefined);
			await pool.end().catch(() => undefined);
			await dropPrefix(prefix);
		}
	});
});
