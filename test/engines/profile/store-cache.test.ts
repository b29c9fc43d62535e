/**
 * openStore's cache on PostgreSQL: one pool per connection and Maximum Connections, shared by the
 * stores of every table prefix and Store Options (the README's connection budget: Maximum
 * Connections per n8n process); a change of Maximum Connections makes a new pool and retires the
 * former one. Against the local PostgreSQL.
 */
import { closeAllStores, openStore, type PostgresConnection, type PostgresProfileStore, type StoreConfig } from '../../../nodes/engines/profile';
import { dropPrefix, pgConnection, uniquePrefix } from '../../harness/profile-db';

const prefix = uniquePrefix('cache');
const other = uniquePrefix('cache');
afterEach(() => closeAllStores());
afterAll(async () => {
	await dropPrefix(prefix);
	await dropPrefix(other);
});

const pg = (connection: Partial<PostgresConnection>, options: Partial<StoreConfig> = {}) =>
	openStore({ backend: 'postgres', connection: { ...pgConnection, maxConnections: 1, source: 'cred-1', ...connection }, tablePrefix: prefix, ...options } as StoreConfig) as PostgresProfileStore;

describe('openStore on PostgreSQL', () => {
	it('gives stores with other Store Options or table prefixes the same pool of one connection', async () => {
		const a = pg({});
		const b = pg({}, { retentionDays: 30 });
		const c = pg({}, { recentViews: 3, recentSearches: 2 });
		const d = pg({}, { tablePrefix: other });
		expect(b).not.toBe(a); // its own retention and fold options
		expect(new Set([a.pool, b.pool, c.pool, d.pool]).size).toBe(1);
		expect(a.pool.options.max).toBe(1);
		await Promise.all([a, b, c, d].map((s) => s.get({ userId: 'nobody' })));
		expect(a.pool.totalCount).toBe(1);
		// the same settings from another credential share it too
		expect(pg({ source: 'cred-2' }).pool).toBe(a.pool);
	});

	it('makes a new pool when Maximum Connections changes, and retires the former one without ending it under a running execution', async () => {
		const before = pg({ maxConnections: 1 });
		await before.get({ userId: 'nobody' });
		const after = pg({ maxConnections: 3 });
		expect(after.pool).not.toBe(before.pool);
		expect(after.pool.options.max).toBe(3);
		// a store still held by an execution keeps working on the former pool
		expect(before.pool.ended).toBe(false);
		await expect(before.get({ userId: 'nobody' })).resolves.toBeNull();
		// its idle connections close after idleTimeoutMillis
		expect(before.pool.options.idleTimeoutMillis).toBe(30_000);
		// it is not handed out again: every store on these settings, whatever its options, uses the new pool
		expect(pg({ maxConnections: 3 }, { retentionDays: 30 }).pool).toBe(after.pool);
		// going back makes a new pool of that size (the retired one is not revived)
		const back = pg({ maxConnections: 1 });
		expect(back.pool).not.toBe(before.pool);
		expect(back.pool).not.toBe(after.pool);
		// closeAllStores ends every pool, the retired ones holding connections included
		await closeAllStores();
		expect(before.pool.ended || before.pool.ending).toBe(true);
		expect(back.pool.ended || back.pool.ending).toBe(true);
	});

	it('keeps a pool another credential still uses when one credential changes', () => {
		const one = pg({ source: 'cred-1', maxConnections: 2 });
		const two = pg({ source: 'cred-2', maxConnections: 2 });
		expect(two.pool).toBe(one.pool);
		const changed = pg({ source: 'cred-1', maxConnections: 4 });
		expect(changed.pool).not.toBe(one.pool);
		expect(pg({ source: 'cred-2', maxConnections: 2 }).pool).toBe(one.pool);
	});
});
