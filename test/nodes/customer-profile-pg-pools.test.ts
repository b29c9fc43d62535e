/**
 * PostgreSQL connections per n8n process (review5 F6): the README's budget ("Every main and worker
 * process opens up to Maximum Connections") holds whatever the nodes' Store Options, and a change
 * of the credential's Maximum Connections takes effect without a restart. Through the real n8n
 * engine on the local PostgreSQL; connections are counted in pg_stat_activity by the
 * application_name node-postgres takes from PGAPPNAME when it opens them.
 */
import crypto from 'node:crypto';
import type { IDataObject, INode } from 'n8n-workflow';
import { Client } from 'pg';
import { chain, node, runWorkflow } from '../harness/engine';
import { dropPrefix, pgConnection, pgCredential, uniquePrefix } from '../harness/profile-db';

const prefix = uniquePrefix('pool');
afterAll(() => dropPrefix(prefix));

/** Tags the connections opened from now on; returns the tag. */
function tagConnections(): string {
	const name = `pzpool-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
	process.env.PGAPPNAME = name;
	return name;
}

async function withClient<T>(fn: (c: Client) => Promise<T>): Promise<T> {
	const c = new Client({ ...pgConnection, ssl: false, application_name: 'pzpool-counter' });
	await c.connect();
	try {
		return await fn(c);
	} finally {
		await c.end();
	}
}

const count = (c: Client, name: string, waiting = false) =>
	c
		.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 ${waiting ? "AND wait_event_type = 'Lock'" : ''}`, [name])
		.then((r) => r.rows[0].n as number);

function getWorkflow(storeOptions: IDataObject) {
	const params = { operation: 'get', storage: 'postgres', storeOptions: { tablePrefix: prefix, ...storeOptions } };
	return {
		nodes: [node('Profile', 'customerProfile', params as INode['parameters'], { credentials: { personalizationPostgresApi: { id: '1', name: 'Profiles DB' } } })],
		connections: chain('Profile'),
	};
}
const credentials = (maxConnections: number) => ({ personalizationPostgresApi: { ...pgCredential, maxConnections } }) as never;
const input = Array.from({ length: 20 }, (_, i) => ({ json: { userId: `nobody-${i}` } }));

describe('Customer Profile PostgreSQL connections per n8n process', () => {
	it('two Get Profile nodes on one credential (Maximum Connections 1), one with Keep Raw Events 30, use at most 1 connection', async () => {
		const name = tagConnections();
		// two workflows running at the same time, as two webhook executions would
		const [a, b] = await Promise.all([
			runWorkflow(getWorkflow({}), { input, credentials: credentials(1) }),
			runWorkflow(getWorkflow({ retentionDays: 30, recentViews: 3 }), { input, credentials: credentials(1) }),
		]);
		expect(a.error).toBeUndefined();
		expect(b.error).toBeUndefined();
		// idle pool connections stay open for 30 s, so they are still there to count (there were 2)
		expect(await withClient((c) => count(c, name))).toBe(1);
	});

	it('a change of Maximum Connections takes effect on the next execution, without a restart', async () => {
		await runWorkflow(getWorkflow({}), { input, credentials: credentials(1) });
		const name = tagConnections();
		// Hold the identities table so every lookup waits on the lock: each running execution then
		// holds one connection of the pool, and the pool may open Maximum Connections of them.
		await withClient(async (locker) => {
			await locker.query('BEGIN');
			await locker.query(`LOCK TABLE ${prefix}identities IN ACCESS EXCLUSIVE MODE`);
			const runs = [1, 2, 3].map(() => runWorkflow(getWorkflow({}), { input: input.slice(0, 2), credentials: credentials(3) }));
			let waiting = 0;
			try {
				// until the three executions wait on the lock (never more than 3: Maximum Connections 3)
				await withClient(async (c) => {
					for (let tries = 0; tries < 100 && waiting < 3; tries++) {
						waiting = await count(c, name, true);
						if (waiting < 3) await new Promise((r) => setTimeout(r, 100));
					}
				});
			} finally {
				await locker.query('COMMIT');
			}
			const results = await Promise.all(runs);
			for (const r of results) expect(r.error).toBeUndefined();
			// with the pool of the former Maximum Connections 1, one execution at a time waited
			expect(waiting).toBe(3);
		});
	});
});
