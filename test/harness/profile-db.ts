/**
 * Test databases for the Customer Profile store. PostgreSQL connection settings come from
 * PZ_PG_HOST / PZ_PG_PORT / PZ_PG_DATABASE / PZ_PG_USER / PZ_PG_PASSWORD (defaults: the local
 * server and the `personalization` role and database that `.ci/run` creates). Every test gets its
 * own table prefix, so parallel jest workers never share tables.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { IDataObject, INode } from 'n8n-workflow';
import { Client } from 'pg';
import { PostgresProfileStore, SqliteProfileStore, type ProfileStore } from '../../nodes/engines/profile';
import { chain, node, P, runWorkflow } from './engine';

export const pgConnection = {
	host: process.env.PZ_PG_HOST ?? '127.0.0.1',
	port: Number(process.env.PZ_PG_PORT ?? 5432),
	database: process.env.PZ_PG_DATABASE ?? 'personalization',
	user: process.env.PZ_PG_USER ?? 'personalization',
	password: process.env.PZ_PG_PASSWORD ?? 'personalization',
	ssl: 'disable' as const,
};

/** The credential data of `personalizationPostgresApi` for the same server. */
export const pgCredential = { ...pgConnection, maxConnections: 5 };

export function uniquePrefix(tag = 't'): string {
	return `pzt_${tag}_${process.pid}_${crypto.randomBytes(4).toString('hex')}_`;
}

export function tempSqliteFile(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pz-profile-'));
	return path.join(dir, 'profiles.sqlite');
}

/**
 * A template's node on the SQLite file `databaseFile`: every Customer Profile node, and every ESP
 * Dispatch node whose Sent-Key Memory is the Customer Profile Store (the templates ship with the
 * default file for both, so they share one database). Other nodes are returned as they are.
 */
export function onStoreFile<N extends INode>(n: N, databaseFile: string): N {
	const store = n.type === `${P}customerProfile` || (n.type === `${P}espDispatch` && n.parameters.sentKeyMemory === 'profileStore');
	return store ? { ...n, parameters: { ...n.parameters, databaseFile } } : n;
}

/** Drops the tables of a test prefix. */
export async function dropPrefix(prefix: string): Promise<void> {
	const client = new Client({ ...pgConnection, ssl: false });
	await client.connect();
	try {
		const { rows } = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1`, [
			`${prefix.replace(/_/g, '\\_')}%`,
		]);
		for (const r of rows) await client.query(`DROP TABLE IF EXISTS "${r.tablename}" CASCADE`);
	} finally {
		await client.end();
	}
}

/**
 * A canonical event for the store tests: `minutes` after 2026-01-01T00:00Z (timestamp and
 * receivedAt), a fresh messageId with `prefix`, empty properties; `partial` sets the rest.
 */
let eventSeq = 0;
export const PROFILE_T0 = Date.parse('2026-01-01T00:00:00.000Z');
export const profileTime = (minutes: number): string => new Date(PROFILE_T0 + minutes * 60_000).toISOString();
export function profileEvent<E>(partial: { event: string } & Record<string, unknown>, minutes = 0, prefix = 'm'): E {
	return {
		type: partial.event === 'Identify' ? 'identify' : 'track',
		messageId: `${prefix}-${++eventSeq}`,
		timestamp: profileTime(minutes),
		receivedAt: profileTime(minutes),
		properties: {},
		context: { source: 'test' },
		...partial,
	} as E;
}

/** Parameters and node extras that point a Customer Profile node at one test store. */
export interface ProfileNodeTarget {
	params: IDataObject;
	extra: Partial<INode>;
	credentials?: Record<string, IDataObject>;
}

export interface ProfileNodeStorage {
	name: string;
	make(): ProfileNodeTarget;
}

/**
 * The two stores a Customer Profile node test runs on: embedded SQLite (a temp file) and
 * PostgreSQL (the local server, a fresh table prefix per `make()`; `drop()` removes them all).
 */
export function profileNodeStorages(tag: string): { storages: ProfileNodeStorage[]; drop(): Promise<void> } {
	const prefixes: string[] = [];
	return {
		storages: [
			{ name: 'sqlite', make: () => ({ params: { storage: 'sqlite', databaseFile: tempSqliteFile() }, extra: {} }) },
			{
				name: 'postgres',
				make() {
					const prefix = uniquePrefix(tag);
					prefixes.push(prefix);
					return {
						params: { storage: 'postgres', storeOptions: { tablePrefix: prefix } },
						extra: { credentials: { personalizationPostgresApi: { id: '1', name: 'Profiles DB' } } },
						credentials: { personalizationPostgresApi: { ...pgCredential, maxConnections: 2 } },
					};
				},
			},
		],
		async drop() {
			for (const p of prefixes.splice(0)) await dropPrefix(p);
		},
	};
}

/**
 * Runs one Customer Profile node (`operation`, `params`) on the target store through the n8n engine
 * with these input items and returns its output items' json; a workflow error fails the test.
 */
export async function runProfileNode(target: ProfileNodeTarget, operation: string, input: IDataObject[], params: IDataObject = {}): Promise<IDataObject[]> {
	const profile = node('Profile', 'customerProfile', { operation, ...target.params, ...params } as INode['parameters'], target.extra);
	const res = await runWorkflow({ nodes: [profile], connections: chain('Profile') }, { input: input.map((json) => ({ json })), credentials: target.credentials as never });
	if (res.error) throw res.error;
	return res.items('Profile').map((i) => i.json);
}

/** A Customer Profile store backend for engine tests, able to write rows as an older version stored them. */
export interface RawProfileBackend {
	name: 'sqlite' | 'postgres';
	open(): Promise<ProfileStore>;
	/**
	 * Writes profile rows and their email identities straight into the store's tables (as an
	 * older version wrote them): the row's flags from the state's unsubscribed / bounced /
	 * complained (false when absent), updated_at `updatedAt`.
	 */
	writeRaw(store: ProfileStore, rows: Array<{ profileId: string; email: string; state: object }>): Promise<void>;
}

/**
 * The SQLite and PostgreSQL backends for engine-level profile tests (tables prefixed `pz_` in a
 * temp SQLite file; a unique prefix per store on PostgreSQL). Call `closeAll` after each test and
 * `dropAll` after all of them.
 */
export function rawProfileBackends(tag: string, updatedAt: number): { backends: RawProfileBackend[]; closeAll(): Promise<void>; dropAll(): Promise<void> } {
	const prefixes: string[] = [];
	const opened: ProfileStore[] = [];
	const prefixOf = new Map<ProfileStore, string>();
	const flags = (state: object) => state as { unsubscribed?: boolean; bounced?: boolean; complained?: boolean };
	const backends: RawProfileBackend[] = [
		{
			name: 'sqlite',
			async open() {
				const store = new SqliteProfileStore(tempSqliteFile(), { tablePrefix: 'pz_' });
				opened.push(store);
				return store;
			},
			async writeRaw(store, rows) {
				const db = new DatabaseSync((store as SqliteProfileStore).file);
				try {
					db.exec('PRAGMA busy_timeout = 10000');
					for (const r of rows) {
						const s = flags(r.state);
						db.prepare('INSERT INTO pz_profiles (profile_id, user_id, email, unsubscribed, bounced, complained, updated_at, data) VALUES (?, NULL, ?, ?, ?, ?, ?, ?)').run(
							r.profileId, r.email, s.unsubscribed ? 1 : 0, s.bounced ? 1 : 0, s.complained ? 1 : 0, updatedAt, JSON.stringify(r.state),
						);
						db.prepare('INSERT INTO pz_identities (key, profile_id) VALUES (?, ?)').run(`e:${r.email}`, r.profileId);
					}
				} finally {
					db.close();
				}
			},
		},
		{
			name: 'postgres',
			async open() {
				const prefix = uniquePrefix(tag);
				prefixes.push(prefix);
				const store = new PostgresProfileStore(pgConnection, { tablePrefix: prefix });
				await store.init();
				opened.push(store);
				prefixOf.set(store, prefix);
				return store;
			},
			async writeRaw(store, rows) {
				const p = prefixOf.get(store)!;
				const client = new Client({ ...pgConnection, ssl: false });
				await client.connect();
				try {
					for (const r of rows) {
						const s = flags(r.state);
						await client.query(
							`INSERT INTO ${p}profiles (profile_id, user_id, email, unsubscribed, bounced, complained, updated_at, data) VALUES ($1, NULL, $2, $3, $4, $5, $6, $7)`,
							[r.profileId, r.email, Boolean(s.unsubscribed), Boolean(s.bounced), Boolean(s.complained), updatedAt, JSON.stringify(r.state)],
						);
						await client.query(`INSERT INTO ${p}identities (key, profile_id) VALUES ($1, $2)`, [`e:${r.email}`, r.profileId]);
					}
				} finally {
					await client.end();
				}
			},
		},
	];
	return {
		backends,
		async closeAll() {
			for (const s of opened.splice(0)) await s.close();
		},
		async dropAll() {
			for (const p of prefixes) await dropPrefix(p);
		},
	};
}
