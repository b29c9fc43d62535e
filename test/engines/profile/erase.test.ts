/**
 * Erase Customer: after an erase, no row of any table of the store may still hold the person's
 * identifiers or events. Checked on the raw tables (every column of every row, as text), on both
 * backends; expected counts are worked out by hand from the events written in each test.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { Client } from 'pg';
import { PostgresProfileStore, SqliteProfileStore, type ProfileStore } from '../../../nodes/engines/profile';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { dropPrefix, pgConnection, PROFILE_T0, profileEvent, profileTime, tempSqliteFile, uniquePrefix } from '../../harness/profile-db';

const T0 = PROFILE_T0;
const at = profileTime;
const ev = (partial: Partial<CanonicalEvent> & { event: string }, minutes = 0): CanonicalEvent => profileEvent<CanonicalEvent>(partial, minutes, 'er');

interface Opened {
	store: ProfileStore;
	/** Every row of every table of the store, each as the text of all its columns. */
	dump(): Promise<string[]>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

const TABLES = ['profiles', 'identities', 'events', 'meta', 'erased'];
/** How the erased-address table keys an address: SHA-256 (hex) of the address in lower case. */
const sha256 = (address: string) => crypto.createHash('sha256').update(address).digest('hex');

const backends: Array<{ name: string; open(): Promise<Opened> }> = [
	{
		name: 'sqlite',
		async open() {
			const file = tempSqliteFile();
			const store = new SqliteProfileStore(file, { tablePrefix: 'pz_' });
			const raw = new DatabaseSync(file);
			cleanups.push(async () => {
				raw.close();
				await store.close();
			});
			return {
				store,
				async dump() {
					return TABLES.flatMap((t) => (raw.prepare(`SELECT * FROM pz_${t}`).all() as Array<Record<string, unknown>>).map((r) => `${t}: ${Object.values(r).join(' | ')}`));
				},
			};
		},
	},
	{
		name: 'postgres',
		async open() {
			const prefix = uniquePrefix('erase');
			const store = new PostgresProfileStore(pgConnection, { tablePrefix: prefix });
			await store.init();
			const client = new Client({ ...pgConnection, ssl: false });
			await client.connect();
			cleanups.push(async () => {
				await client.end();
				await store.close();
				await dropPrefix(prefix);
			});
			return {
				store,
				async dump() {
					const out: string[] = [];
					for (const t of TABLES) {
						const { rows } = await client.query(`SELECT * FROM ${prefix}${t}`);
						for (const r of rows) out.push(`${t}: ${Object.values(r).join(' | ')}`);
					}
					return out;
				},
			};
		},
	},
];

const mentioning = (rows: string[], ...needles: string[]) => rows.filter((r) => needles.some((n) => r.includes(n)));

describe.each(backends)('Erase Customer on $name', (backend) => {
	// One person seen three ways before they were linked: anonymous browsing (views, a cart), a
	// newsletter sign-up by email only, then a log-in that carries all three identities (a merge of
	// both earlier profiles into the known one), then more events under each identity.
	async function mergedPerson(store: ProfileStore): Promise<void> {
		await store.record([
			ev({ event: 'Product Viewed', anonymousId: 'anon-pat', properties: { product_id: 'p1' } }, 1),
			ev({ event: 'Cart Updated', anonymousId: 'anon-pat', properties: { products: [{ product_id: 'p1', price: 5, quantity: 1 }], value: 5 } }, 2),
			ev({ event: 'Subscribed', email: 'Pat@Example.com', traits: { first_name: 'Pat' } }, 3),
			ev({ event: 'Unsubscribed', email: 'pat@example.com' }, 4),
			ev({ event: 'Order Completed', userId: 'user-pat', properties: { total: 9, order_id: 'o-pat' } }, 5),
		]);
		// separate batch: the merges happen against stored profiles (moves of identities and events)
		await store.record([ev({ event: 'Identify', userId: 'user-pat', email: 'pat@example.com', anonymousId: 'anon-pat' }, 6)]);
		await store.record([
			ev({ event: 'Products Searched', anonymousId: 'anon-pat', properties: { query: 'shoes' } }, 7),
			ev({ event: 'Email Opened', email: 'pat@example.com' }, 8),
		]);
		// someone else, who must stay
		await store.record([ev({ event: 'Order Completed', userId: 'user-kim', email: 'kim@example.com', properties: { total: 4 } }, 9)]);
	}

	it.each([
		['userId', { userId: 'user-pat' }],
		['email (any case)', { email: ' PAT@example.COM ' }],
		['anonymousId', { anonymousId: 'anon-pat' }],
	])('after merges, an erase by %s leaves no row about the person', async (_label, lookup) => {
		const { store, dump } = await backend.open();
		await mergedPerson(store);
		expect(mentioning(await dump(), 'pat').length).toBeGreaterThan(0);
		// 1 profile (the other two were merged into it); identities u:user-pat, e:pat@example.com,
		// a:anon-pat; events: 5 + 1 + 2 = 8
		expect(await store.erase(lookup)).toMatchObject({ found: true, profilesDeleted: 1, identitiesDeleted: 3, eventsDeleted: 8 });
		expect(mentioning(await dump(), 'pat', 'Pat', 'shoes', 'o-pat')).toEqual([]);
		// kim: profile, 2 identities, 1 event; pat: the unsubscribed address, hashed, and nothing else
		const rows = (await dump()).filter((r) => !r.startsWith('meta:'));
		expect(rows.length).toBe(5);
		expect(rows.filter((r) => r.startsWith('erased:')).map((r) => r.split(' | ').slice(0, 4).join(' | '))).toEqual([
			`erased: ${sha256('pat@example.com')} | ${backend.name === 'sqlite' ? '1 | 0 | 0' : 'true | false | false'}`,
		]);
		expect(await store.get({ userId: 'user-kim' })).not.toBeNull();
		expect(await store.get({ email: 'pat@example.com' })).toBeNull();
		// Pat had unsubscribed: an erasure must not make the address mailable again
		expect((await store.isSuppressed(['Pat@Example.com'])).get('pat@example.com')).toEqual({
			suppressed: true,
			unsubscribed: true,
			bounced: false,
			complained: false,
			known: true,
		});
	});

	it('a customer who was never suppressed leaves no trace; a hard bounce of an older address stays with that address only', async () => {
		const { store, dump } = await backend.open();
		await mergedPerson(store);
		await store.erase({ userId: 'user-kim' });
		expect(mentioning(await dump(), 'kim', sha256('kim@example.com'))).toEqual([]);
		expect((await store.isSuppressed(['kim@example.com'])).get('kim@example.com')).toMatchObject({ known: false, suppressed: false });

		await store.record([
			ev({ event: 'Identify', userId: 'user-lou', email: 'lou@old.example' }, 10),
			ev({ event: 'Email Bounced', email: 'lou@old.example', properties: { bounce_type: 'hard' } }, 11),
			ev({ event: 'Identify', userId: 'user-lou', email: 'lou@new.example' }, 12),
		]);
		expect(await store.erase({ userId: 'user-lou' })).toMatchObject({ found: true, identitiesDeleted: 3 });
		const facts = await store.isSuppressed(['lou@old.example', 'lou@new.example']);
		expect(facts.get('lou@old.example')).toEqual({ suppressed: true, unsubscribed: false, bounced: true, complained: false, known: true });
		expect(facts.get('lou@new.example')).toMatchObject({ suppressed: false, known: false });
		expect(mentioning(await dump(), 'lou')).toEqual([]);
	});

	it('an unknown customer: nothing erased, zero counts, nothing else touched', async () => {
		const { store, dump } = await backend.open();
		await mergedPerson(store);
		const before = (await dump()).sort();
		expect(await store.erase({ userId: 'nobody', email: 'nobody@example.com', anonymousId: 'nobody' })).toEqual({
			found: false,
			profileId: null,
			profilesDeleted: 0,
			identitiesDeleted: 0,
			eventsDeleted: 0,
			sendsDeleted: 0,
		});
		expect(await store.erase({})).toEqual({ found: false, profileId: null, profilesDeleted: 0, identitiesDeleted: 0, eventsDeleted: 0, sendsDeleted: 0 });
		expect((await dump()).sort()).toEqual(before);
	});

	it('a later event with the same address starts a new profile, and the address stays suppressed', async () => {
		const { store, dump } = await backend.open();
		await mergedPerson(store);
		await store.erase({ email: 'pat@example.com' });
		const [r] = await store.record([ev({ event: 'Signed Up', email: 'pat@example.com' }, 20)]);
		expect(r.status).toBe('recorded');
		const p = await store.get({ email: 'pat@example.com' });
		// a new profile, unsubscribed by the erased customer's unsubscribe kept for the address
		expect(p).toMatchObject({ userId: null, email: 'pat@example.com', anonymousIds: [], unsubscribed: true });
		// e.g. a CRM re-import after the erasure: Check Suppression still holds the unsubscribe
		expect((await store.isSuppressed(['pat@example.com'])).get('pat@example.com')).toMatchObject({ known: true, suppressed: true, unsubscribed: true });
		// the erased ids are not back
		expect(mentioning(await dump(), 'user-pat', 'anon-pat', 'shoes', 'o-pat')).toEqual([]);
	});

	it('a redelivered event of the erased person is recorded again (its messageId is forgotten too)', async () => {
		const { store } = await backend.open();
		const e = ev({ event: 'Order Completed', userId: 'user-pat', properties: { total: 9 } }, 1);
		await store.record([e]);
		await store.erase({ userId: 'user-pat' });
		expect((await store.record([e]))[0].status).toBe('recorded');
	});
});

/** Waits until `n` sessions of this database wait on a lock (`client` may be inside a transaction). */
async function waitForLockWaiters(client: Client, n: number): Promise<void> {
	for (let i = 0; i < 500; i++) {
		// pg_stat_activity is read once per transaction unless the snapshot is cleared
		await client.query('SELECT pg_stat_clear_snapshot()');
		const { rows } = await client.query(
			`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
		);
		if (rows[0].n >= n) return;
		await new Promise((r) => setTimeout(r, 10));
	}
	throw new Error(`fewer than ${n} sessions waiting on a lock`);
}

describe('Erase Customer on postgres, concurrent with Record Events', () => {
	it('an erase by email that meets a merge of its profile into another erases the merged profile', async () => {
		const prefix = uniquePrefix('erace');
		const store = new PostgresProfileStore(pgConnection, { tablePrefix: prefix });
		const holder = new Client({ ...pgConnection, ssl: false });
		await holder.connect();
		try {
			// P1: email-only (e:pat@…) that also owns a:anon-pat; P2: the known customer user-pat.
			await store.record([ev({ event: 'Subscribed', email: 'pat@example.com', anonymousId: 'anon-pat' }, 1)]);
			await store.record([ev({ event: 'Order Completed', userId: 'user-pat', properties: { total: 5 } }, 2)]);
			const p1 = (await store.get({ email: 'pat@example.com' }))!.profileId;
			// Hold P1's row so that the record's merge and the erase both queue on it, the record first.
			await holder.query('BEGIN');
			await holder.query(`SELECT 1 FROM ${prefix}profiles WHERE profile_id = $1 FOR UPDATE`, [p1]);
			// A log-in by user-pat with the anonymous id (no email): merges P1 into P2.
			const merging = store.record([ev({ event: 'Identify', userId: 'user-pat', anonymousId: 'anon-pat' }, 3)]);
			await waitForLockWaiters(holder, 1);
			const erasing = store.erase({ email: 'pat@example.com' });
			await waitForLockWaiters(holder, 2);
			await holder.query('COMMIT');
			await merging;
			// The person was one profile when the erase ran: profile, 3 identities, 3 events.
			expect(await erasing).toMatchObject({ found: true, profilesDeleted: 1, identitiesDeleted: 3, eventsDeleted: 3 });
			expect(await store.get({ userId: 'user-pat' })).toBeNull();
			expect(await store.get({ email: 'pat@example.com' })).toBeNull();
			const { rows } = await holder.query(
				`SELECT key AS t FROM ${prefix}identities UNION ALL SELECT data FROM ${prefix}profiles UNION ALL SELECT body FROM ${prefix}events`,
			);
			expect(rows).toEqual([]);
		} finally {
			await holder.query('ROLLBACK').catch(() => undefined);
			await holder.end();
			await store.close();
			await dropPrefix(prefix);
		}
	});
});

describe('Erase Customer on sqlite, concurrent with another process', () => {
	it('an erase by email that meets a merge of its profile committed by another connection erases the merged profile', async () => {
		const file = tempSqliteFile();
		const store = new SqliteProfileStore(file, { tablePrefix: 'pz_' });
		const raw = new DatabaseSync(file);
		try {
			await store.record([ev({ event: 'Subscribed', email: 'pat@example.com', anonymousId: 'anon-pat' }, 1)]);
			await store.record([ev({ event: 'Order Completed', userId: 'user-pat', properties: { total: 5 } }, 2)]);
			const p1 = (await store.get({ email: 'pat@example.com' }))!.profileId;
			const p2 = (await store.get({ userId: 'user-pat' }))!.profileId;
			// Another process (here a worker thread with its own connection) merges P1 into P2 as
			// Record Events does: it holds the write lock, and commits 300 ms after it said so.
			const worker = new Worker(
				`const { DatabaseSync } = require('node:sqlite');
				 const { workerData, parentPort } = require('node:worker_threads');
				 const db = new DatabaseSync(workerData.file);
				 db.exec('PRAGMA busy_timeout = 10000; BEGIN IMMEDIATE');
				 db.prepare('UPDATE pz_identities SET profile_id = ? WHERE profile_id = ?').run(workerData.p2, workerData.p1);
				 db.prepare('UPDATE pz_events SET profile_id = ? WHERE profile_id = ?').run(workerData.p2, workerData.p1);
				 db.prepare('DELETE FROM pz_profiles WHERE profile_id = ?').run(workerData.p1);
				 parentPort.postMessage('locked');
				 Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
				 db.exec('COMMIT');
				 db.close();`,
				{ eval: true, workerData: { file, p1, p2 } },
			);
			const exited = new Promise((resolve) => worker.once('exit', resolve));
			await new Promise((resolve) => worker.once('message', resolve));
			// The merged profile holds the person's 3 identities and 2 events.
			expect(await store.erase({ email: 'pat@example.com' })).toMatchObject({ found: true, profileId: p2, profilesDeleted: 1, identitiesDeleted: 3, eventsDeleted: 2 });
			await exited;
			const rows = raw.prepare('SELECT key AS t FROM pz_identities UNION ALL SELECT data FROM pz_profiles UNION ALL SELECT body FROM pz_events').all();
			expect(rows).toEqual([]);
		} finally {
			raw.close();
			await store.close();
		}
	});
});

describe('Erase Customer on sqlite: the files keep no copy', () => {
	it('neither the database file nor its WAL holds the erased customer afterwards, also after updates, merges and pruning', async () => {
		const file = tempSqliteFile();
		const store = new SqliteProfileStore(file, { tablePrefix: 'pz_', retentionDays: 30 });
		try {
			const big = 'Long product description. '.repeat(400); // ~10 KB: event bodies on overflow pages
			const now = new Date(T0 + 40 * 86_400_000);
			for (let round = 0; round < 6; round++) {
				const batch: CanonicalEvent[] = [];
				const minutes = round < 2 ? round * 60 : 39 * 24 * 60 + round * 60;
				for (let c = 0; c < 40; c++) {
					const who = c === 7 ? { userId: 'user-pat', email: 'pat.secret@example.com' } : { userId: `user-${c}`, email: `other-${c}@example.com` };
					batch.push(ev({ event: 'Product Viewed', ...who, traits: { round }, properties: { product_id: `p${round}`, description: big } }, minutes));
				}
				if (round === 0) batch.push(ev({ event: 'Product Viewed', anonymousId: 'anon-pat', properties: { product_id: 'x', description: big } }, 1));
				if (round === 1) batch.push(ev({ event: 'Identify', userId: 'user-pat', anonymousId: 'anon-pat' }, 61));
				// Every profile is rewritten each round (old versions freed); rounds 0 and 1 are past the retention window.
				await store.record(batch, { now: round < 2 ? new Date(T0) : now });
			}
			await store.pruneEvents(now);
			const mentions = () =>
				[file, `${file}-wal`].reduce((n, f) => n + (fs.existsSync(f) ? (fs.readFileSync(f).toString('latin1').match(/pat\.secret|user-pat|anon-pat/g) ?? []).length : 0), 0);
			expect(mentions()).toBeGreaterThan(0);
			expect(await store.erase({ email: 'pat.secret@example.com' })).toMatchObject({ found: true, profilesDeleted: 1, identitiesDeleted: 3, eventsDeleted: 4 });
			expect(mentions()).toBe(0);
			expect(await store.get({ userId: 'user-8' })).toMatchObject({ email: 'other-8@example.com' });
		} finally {
			await store.close();
		}
	});
});
