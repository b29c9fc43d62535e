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
import type { IDataObject, INode } from 'n8n-workflow';
import { Client } from 'pg';

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
