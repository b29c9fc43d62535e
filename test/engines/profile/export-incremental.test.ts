/**
 * Export Profiles, incremental (`since` = the last run, `limit`): the address flags of the exported
 * profiles are read for their own addresses (Get Profile's indexed lookup, one query per page), not
 * for every flagged profile of the store (review2 F1: an export of 0 rows read and parsed every
 * suppressed profile). Evidence without timing: the flagged profiles outside the export have their
 * stored state replaced by text that is not JSON, so an export that reads them fails; the export
 * must still answer, and the exported profiles must still be Get Profile's.
 * Expected values worked out by hand from the events of each test.
 */
import { DatabaseSync } from 'node:sqlite';
import { Client } from 'pg';
import { PostgresProfileStore, SqliteProfileStore, type ProfileStore } from '../../../nodes/engines/profile';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import { dropPrefix, pgConnection, profileEvent, tempSqliteFile, uniquePrefix } from '../../harness/profile-db';

const ev = (partial: Partial<CanonicalEvent> & { event: string }, minutes = 0): CanonicalEvent => profileEvent<CanonicalEvent>(partial, minutes, 'xi');
const tick = () => new Promise((r) => setTimeout(r, 5));

interface Opened {
	store: ProfileStore;
	/** Replaces the stored state (`data`) of a profile by text that is not JSON; updated_at is kept. */
	poison(profileId: string): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

/** Not JSON, and carrying the markers a text scan for per-address bounces and complaints looks for. */
const NOT_JSON = '{"bouncedEmails":["x", "complainedEmails":["x" -- not a profile state';

const backends: Array<{ name: string; open(): Promise<Opened> }> = [
	{
		name: 'sqlite',
		async open() {
			const file = tempSqliteFile();
			const store = new SqliteProfileStore(file, { tablePrefix: 'pz_' });
			cleanups.push(() => store.close());
			return {
				store,
				async poison(profileId) {
					const raw = new DatabaseSync(file);
					try {
						raw.exec('PRAGMA busy_timeout = 10000');
						raw.prepare('UPDATE pz_profiles SET data = ? WHERE profile_id = ?').run(NOT_JSON, profileId);
					} finally {
						raw.close();
					}
				},
			};
		},
	},
	{
		name: 'postgres',
		async open() {
			const prefix = uniquePrefix('xi');
			const store = new PostgresProfileStore(pgConnection, { tablePrefix: prefix });
			cleanups.push(() => dropPrefix(prefix));
			cleanups.push(() => store.close());
			return {
				store,
				async poison(profileId) {
					const client = new Client({ ...pgConnection, ssl: false });
					await client.connect();
					try {
						await client.query(`UPDATE ${prefix}profiles SET data = $1 WHERE profile_id = $2`, [NOT_JSON, profileId]);
					} finally {
						await client.end();
					}
				},
			};
		},
	},
];

describe.each(backends)('incremental Export Profiles reads the exported rows\' addresses only, on $name', (backend) => {
	/**
	 * A store with flagged customers: ann unsubscribed (flag in the columns), bob whose old address
	 * hard-bounced before he moved (the flag only in his state's per-address bounces), cy plain.
	 * Ann's and bob's states are then unreadable.
	 */
	async function flaggedStore(): Promise<Opened & { ids: Record<string, string> }> {
		const opened = await backend.open();
		const { store } = opened;
		await store.record([
			ev({ event: 'Identify', userId: 'ann', email: 'ann@example.com' }, 0),
			ev({ event: 'Unsubscribed', userId: 'ann', email: 'ann@example.com' }, 1),
			ev({ event: 'Identify', userId: 'bob', email: 'bob-old@example.com' }, 2),
			ev({ event: 'Email Bounced', userId: 'bob', email: 'bob-old@example.com', properties: { bounce_type: 'hard' } }, 3),
			ev({ event: 'Identify', userId: 'bob', email: 'bob-new@example.com' }, 4),
			ev({ event: 'Identify', userId: 'cy', email: 'cy@example.com' }, 5),
		]);
		const ids: Record<string, string> = {};
		for (const userId of ['ann', 'bob', 'cy']) ids[userId] = (await store.get({ userId }))!.profileId;
		// the setup is what the test means: ann's flag in the columns, bob's only in his state
		expect(await store.isSuppressed(['ann@example.com', 'bob-old@example.com', 'bob-new@example.com'])).toEqual(
			new Map([
				['ann@example.com', { suppressed: true, unsubscribed: true, bounced: false, complained: false, known: true }],
				['bob-old@example.com', { suppressed: true, unsubscribed: false, bounced: true, complained: false, known: true }],
				['bob-new@example.com', { suppressed: false, unsubscribed: false, bounced: false, complained: false, known: true }],
			]),
		);
		await opened.poison(ids.ann);
		await opened.poison(ids.bob);
		return { ...opened, ids };
	}

	it('since the last run with nothing written since: 0 rows, no flagged profile of the store read', async () => {
		const { store } = await flaggedStore();
		await tick();
		await expect(store.exportProfiles({ since: new Date() })).resolves.toEqual([]);
		await expect(store.exportProfiles({ since: new Date(Date.now() + 86_400_000) })).resolves.toEqual([]);
	});

	it('since the last run: only the new customers, with their own addresses\' flags as Get Profile gives them', async () => {
		const { store } = await flaggedStore();
		await tick();
		const since = new Date();
		await tick();
		// dee unsubscribes herself; eve shares cy's address (cy is plain: nothing to add)
		await store.record([
			ev({ event: 'Identify', userId: 'dee', email: 'dee@example.com' }, 10),
			ev({ event: 'Unsubscribed', userId: 'dee', email: 'dee@example.com' }, 11),
			ev({ event: 'Identify', userId: 'eve', email: 'cy@example.com' }, 12),
		]);
		const rows = await store.exportProfiles({ since });
		expect(rows.map((p) => [p.userId, p.email, p.unsubscribed, p.bounced, p.complained]).sort()).toEqual([
			['dee', 'dee@example.com', true, false, false],
			['eve', 'cy@example.com', false, false, false],
		]);
		for (const p of rows) {
			expect(p).not.toHaveProperty('addressSuppression');
			expect(p).toEqual(await store.get({ userId: p.userId! }));
		}
		// and with a limit: one of them, the same answer
		const [one] = await store.exportProfiles({ since, limit: 1 });
		expect(one).toEqual(rows.find((p) => p.profileId === one.profileId));
	});
});

describe.each(backends)('incremental Export Profiles, a flag held by a profile outside the export, on $name', (backend) => {
	it('the bounce of an address held by a customer who moved away and is not exported reaches the new customer at it', async () => {
		const { store } = await backend.open();
		await store.record([
			ev({ event: 'Identify', userId: 'ann', email: 'old@example.com' }, 0),
			ev({ event: 'Email Bounced', userId: 'ann', email: 'old@example.com', properties: { bounce_type: 'hard' } }, 5),
			ev({ event: 'Identify', userId: 'ann', email: 'new@example.com' }, 10),
		]);
		const ann = (await store.get({ userId: 'ann' }))!;
		await tick();
		const since = new Date();
		await tick();
		await store.record([ev({ event: 'Identify', userId: 'ben', email: 'old@example.com' }, 15)]);
		const rows = await store.exportProfiles({ since });
		expect(rows.map((p) => p.userId)).toEqual(['ben']);
		expect(rows[0]).toMatchObject({ email: 'old@example.com', unsubscribed: false, bounced: true, complained: false });
		expect(rows[0].addressSuppression).toEqual({ unsubscribed: false, bounced: true, complained: false, profileIds: [ann.profileId], erasedCustomer: false });
		expect(rows[0]).toEqual(await store.get({ userId: 'ben' }));
	});
});
