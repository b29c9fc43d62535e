/**
 * The profile store engine: `openStore` returns a cached store per database, table prefix and
 * Store Options; every execution in one n8n process shares one SQLite handle per store, and one
 * PostgreSQL pool per connection and Maximum Connections, whatever the prefix and options.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { PostgresProfileStore, poolConfig, type PostgresConnection } from './postgres';
import { SqliteProfileStore } from './sqlite';
import { validPrefix, type ProfileStore, type StoreOptions } from './types';

export * from './types';
export { toProfile, toMinor, validateEvent, checkEvent, eventPosition, InvalidEventError } from './fold';
export { SqliteProfileStore } from './sqlite';
export { PostgresProfileStore, type PostgresConnection } from './postgres';
export { flattenProfile, scopeLabel, toCsv, PROFILE_CSV_COLUMNS, TRANSACTION_CSV_COLUMNS } from './csv';
export { emailKey } from './email';
export { isEventRejection } from './errors';
export { parameterTimeMs, profileTimeMs } from './time';
export { MAX_CAP_WINDOW_HOURS, type SendDecision, type SendReservation } from './frequency';

export const DEFAULT_SQLITE_FILE = 'personalization-profiles.sqlite';

export type StoreConfig =
	| ({ backend: 'sqlite'; file?: string } & StoreOptions)
	| ({ backend: 'postgres'; connection: PostgresConnection } & StoreOptions);

/** n8n's folder: `$N8N_USER_FOLDER/.n8n`, else `~/.n8n` (as n8n-core's InstanceSettings resolves it). */
export function n8nFolder(env: NodeJS.ProcessEnv = process.env): string {
	return path.join(env.N8N_USER_FOLDER || os.homedir(), '.n8n');
}

export function defaultSqliteFile(env: NodeJS.ProcessEnv = process.env): string {
	return path.join(n8nFolder(env), DEFAULT_SQLITE_FILE);
}

/** Cached stores: one per database (SQLite file or PostgreSQL pool), table prefix and Store Options. */
const stores = new Map<string, { store: ProfileStore; pool?: string }>();
/**
 * PostgreSQL pools, one per connection and Maximum Connections (poolKey), shared by every store on
 * it whatever its table prefix and Store Options: Maximum Connections is what one n8n process opens
 * to that server as that user, however many nodes use the credential.
 */
const pools = new Map<string, Pool>();
/** The pool each settings source (credential, else host/port/database/user) uses now. */
const poolOfSource = new Map<string, string>();
/** Pools replaced by new settings that may still hold connections (closeAllStores ends them). */
const retired = new Set<Pool>();

function foldKey(config: StoreConfig): string {
	return `${config.tablePrefix ?? 'pz_'}|${config.retentionDays ?? 365}|${config.recentViews ?? 10}|${config.recentSearches ?? 10}`;
}

/** The pool's identity: everything the connection is made of, and its size. */
function poolKey(c: PostgresConnection): string {
	const secret = crypto.createHash('sha256').update(c.password ?? '').digest('hex');
	return JSON.stringify(['pg', c.host, c.port, c.database, c.user, secret, c.ssl ?? 'disable', c.maxConnections ?? 5]);
}

function sourceKey(c: PostgresConnection): string {
	return c.source ? `source:${c.source}` : JSON.stringify(['login', c.host, c.port, c.database, c.user]);
}

/**
 * The shared pool for these settings. When their source (the credential) used another pool until
 * now (its Maximum Connections, password or server changed), that pool is retired: no store is
 * made on it any more, and it is not ended at once (an execution that already holds a store of it
 * finishes on it), but its connections close when idle for 30 s (idleTimeoutMillis), after which it
 * holds none.
 */
function sharedPool(c: PostgresConnection): string {
	const key = poolKey(c);
	const source = sourceKey(c);
	const before = poolOfSource.get(source);
	poolOfSource.set(source, key);
	if (before !== undefined && before !== key && ![...poolOfSource.values()].includes(before)) retirePool(before);
	if (!pools.has(key)) {
		const pool = new Pool(poolConfig(c));
		// An idle client losing its connection must not crash the n8n process.
		pool.on('error', () => undefined);
		pools.set(key, pool);
	}
	return key;
}

/**
 * The process's shared pool for these settings (the one Customer Profile's stores use), for other
 * users of the same credential: the trigger's shared duplicate memory (events/sharedDedupe.ts).
 */
export function postgresPool(c: PostgresConnection): Pool {
	return pools.get(sharedPool(c))!;
}

function retirePool(key: string): void {
	const pool = pools.get(key);
	pools.delete(key);
	for (const [k, entry] of stores) if (entry.pool === key) stores.delete(k);
	if (!pool || pool.totalCount === 0) return;
	retired.add(pool);
	pool.on('remove', () => {
		if (pool.totalCount === 0) retired.delete(pool);
	});
}

export function openStore(config: StoreConfig): ProfileStore {
	if (config.backend === 'sqlite') {
		const file = path.resolve(config.file || defaultSqliteFile());
		const key = `sqlite|${file}|${foldKey(config)}`;
		let entry = stores.get(key);
		if (!entry) {
			entry = { store: new SqliteProfileStore(file, config) };
			stores.set(key, entry);
		}
		return entry.store;
	}
	validPrefix(config.tablePrefix);
	const pool = sharedPool(config.connection);
	const key = `${pool}|${foldKey(config)}`;
	let entry = stores.get(key);
	if (!entry) {
		// the fold and retention options are the store's; the connections are the pool's
		entry = { store: new PostgresProfileStore(pools.get(pool)!, config), pool };
		stores.set(key, entry);
	}
	return entry.store;
}

/** Closes every cached store and PostgreSQL pool (tests, shutdown). */
export async function closeAllStores(): Promise<void> {
	const all = [...stores.values()].map((e) => e.store);
	const allPools = [...pools.values(), ...retired];
	stores.clear();
	pools.clear();
	poolOfSource.clear();
	retired.clear();
	await Promise.all(all.map((s) => s.close()));
	await Promise.all(allPools.filter((p) => !p.ended && !p.ending).map((p) => p.end()));
}
