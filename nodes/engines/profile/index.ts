/**
 * The profile store engine: `openStore` returns a cached store per database and table prefix,
 * so every execution in one n8n process shares one SQLite handle or one PostgreSQL pool.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { PostgresProfileStore, type PostgresConnection } from './postgres';
import { SqliteProfileStore } from './sqlite';
import type { ProfileStore, StoreOptions } from './types';

export * from './types';
export { toProfile, toMinor, validateEvent, checkEvent, InvalidEventError } from './fold';
export { SqliteProfileStore } from './sqlite';
export { PostgresProfileStore, type PostgresConnection } from './postgres';
export { flattenProfile, scopeLabel, toCsv } from './csv';
export { isEventRejection } from './errors';
export { profileTimeMs } from './time';

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

const stores = new Map<string, ProfileStore>();

function cacheKey(config: StoreConfig): string {
	const fold = `${config.tablePrefix ?? 'pz_'}|${config.retentionDays ?? 365}|${config.recentViews ?? 10}|${config.recentSearches ?? 10}`;
	if (config.backend === 'sqlite') return `sqlite|${path.resolve(config.file || defaultSqliteFile())}|${fold}`;
	const c = config.connection;
	const secret = crypto.createHash('sha256').update(c.password ?? '').digest('hex');
	return `pg|${c.host}|${c.port}|${c.database}|${c.user}|${secret}|${c.ssl ?? 'disable'}|${fold}`;
}

export function openStore(config: StoreConfig): ProfileStore {
	const key = cacheKey(config);
	let store = stores.get(key);
	if (!store) {
		store =
			config.backend === 'sqlite'
				? new SqliteProfileStore(path.resolve(config.file || defaultSqliteFile()), config)
				: new PostgresProfileStore(config.connection, config);
		stores.set(key, store);
	}
	return store;
}

/** Closes every cached store (tests, shutdown). */
export async function closeAllStores(): Promise<void> {
	const all = [...stores.values()];
	stores.clear();
	await Promise.all(all.map((s) => s.close()));
}
