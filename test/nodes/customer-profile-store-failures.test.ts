/**
 * Customer Profile Record Events when the store fails, through the real n8n engine, on the real
 * SQLite and PostgreSQL stores: an event the database refuses (a constraint or data error) and a
 * store that cannot be reached or has lost its tables. With Continue On Fail the affected items
 * become error items (named, paired) and the others are recorded; without it the node stops with
 * a NodeOperationError naming the items, and nothing of the refused batch is written.
 */
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { Client } from 'pg';
import { chain, node, runWorkflow, type WorkflowJson } from '../harness/engine';
import { dropPrefix, pgConnection, pgCredential, tempSqliteFile, uniquePrefix } from '../harness/profile-db';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
let seq = 0;
function ev(event: string, who: IDataObject, properties: IDataObject = {}): IDataObject {
	const at = new Date(T0 + ++seq * 60_000).toISOString();
	return { type: 'track', event, messageId: `sf-${process.pid}-${seq}`, timestamp: at, receivedAt: at, properties, context: { source: 'test' }, ...who };
}
const items = (list: IDataObject[]): INodeExecutionData[] => list.map((json) => ({ json }));
const COF: Partial<INode> = { onError: 'continueRegularOutput' };
type NodeErrorShape = { name: string; message: string; context?: { itemIndex?: number } };

interface Target {
	params: IDataObject;
	extra: Partial<INode>;
	credentials?: Record<string, IDataObject>;
	/** Adds a constraint that refuses every event named "Poison" (as a stricter schema would). */
	refusePoison(): Promise<void>;
	/** Drops the events table under the running store. */
	dropEvents(): Promise<void>;
}

const prefixes: string[] = [];
afterAll(async () => {
	for (const p of prefixes) await dropPrefix(p);
});

const storages: Array<{ name: string; make(): Target }> = [
	{
		name: 'sqlite',
		make() {
			const file = tempSqliteFile();
			const onFile = async (sql: string) => {
				const db = new DatabaseSync(file);
				try {
					db.exec('PRAGMA busy_timeout = 10000');
					db.exec(sql);
				} finally {
					db.close();
				}
			};
			return {
				params: { storage: 'sqlite', databaseFile: file, storeOptions: { tablePrefix: 'pz_' } },
				extra: {},
				refusePoison: () => onFile(`CREATE TRIGGER pz_no_poison BEFORE INSERT ON pz_events WHEN NEW.event = 'Poison' BEGIN SELECT RAISE(ABORT, 'poison events are refused'); END`),
				dropEvents: () => onFile('DROP TABLE pz_events'),
			};
		},
	},
	{
		name: 'postgres',
		make() {
			const prefix = uniquePrefix('fail');
			prefixes.push(prefix);
			const onServer = async (sql: string) => {
				const client = new Client({ ...pgConnection, ssl: false });
				await client.connect();
				try {
					await client.query(sql);
				} finally {
					await client.end();
				}
			};
			return {
				params: { storage: 'postgres', storeOptions: { tablePrefix: prefix } },
				extra: { credentials: { personalizationPostgresApi: { id: '1', name: 'Profiles DB' } } },
				credentials: { personalizationPostgresApi: { ...pgCredential, maxConnections: 2 } },
				refusePoison: () => onServer(`ALTER TABLE ${prefix}events ADD CONSTRAINT ${prefix}no_poison CHECK (event <> 'Poison')`),
				dropEvents: () => onServer(`DROP TABLE ${prefix}events`),
			};
		},
	},
];

function workflow(target: Target, operation: string, params: IDataObject = {}, extra: Partial<INode> = {}): WorkflowJson {
	const n = node('Profile', 'customerProfile', { operation, ...target.params, ...params } as INode['parameters'], { ...target.extra, ...extra });
	return { nodes: [n], connections: chain('Profile') };
}
const run = (target: Target, wf: WorkflowJson, input: IDataObject[]) => runWorkflow(wf, { input: items(input), credentials: target.credentials as never });
const found = async (target: Target, userId: string) => (await run(target, workflow(target, 'get'), [{ userId }])).items('Profile')[0].json.profileFound;

describe.each(storages)('Customer Profile Record on $name: the database refuses one event', ({ make }) => {
	let target: Target;
	beforeEach(async () => {
		target = make();
		// create the schema, then the constraint
		expect((await run(target, workflow(target, 'record'), [ev('Identify', { userId: 'seed' })])).error).toBeUndefined();
		await target.refusePoison();
	});

	it('with Continue On Fail, only the refused items fail (named, paired); the others are recorded', async () => {
		const input = [
			ev('Order Completed', { userId: 'ok-1' }, { total: 5 }),
			ev('Poison', { userId: 'bad-1' }),
			ev('Order Completed', {}, { total: 5 }), // invalid: no identity
			ev('Order Completed', { userId: 'ok-2' }, { total: 7 }),
			ev('Poison', { userId: 'bad-2' }),
			ev('Product Viewed', { userId: 'ok-3' }, { product_id: 'p' }),
		];
		const res = await run(target, workflow(target, 'record', {}, COF), input);
		expect(res.error).toBeUndefined();
		const out = res.items('Profile');
		expect(out.map((i) => i.pairedItem)).toEqual(input.map((_, i) => ({ item: i })));
		expect(out.map((i) => (i.json.recorded as IDataObject | undefined)?.status ?? 'error')).toEqual(['recorded', 'error', 'error', 'recorded', 'error', 'recorded']);
		expect(String(out[1].json.error)).toMatch(/^Item 1: not recorded: .*poison/i);
		expect(String(out[4].json.error)).toMatch(/^Item 4: not recorded: .*poison/i);
		expect(String(out[2].json.error)).toContain('Item 2');
		expect(String(out[2].json.error)).toContain('no identity');
		for (const id of ['ok-1', 'ok-2', 'ok-3']) expect(await found(target, id)).toBe(true);
		for (const id of ['bad-1', 'bad-2']) expect(await found(target, id)).toBe(false);
	});

	it('without Continue On Fail, the node stops with a NodeOperationError naming the items, and writes nothing of the batch', async () => {
		const res = await run(target, workflow(target, 'record'), [ev('Identify', { userId: 'ok-4' }), ev('Poison', { userId: 'bad-3' }), ev('Identify', { userId: 'ok-5' })]);
		const error = res.error as unknown as NodeErrorShape;
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toMatch(/^Items 0 to 2: not recorded: .*poison/i);
		expect((res.nodes.Profile.error as unknown as NodeErrorShape).context?.itemIndex).toBe(0);
		expect(await found(target, 'ok-4')).toBe(false);
		const single = await run(target, workflow(target, 'record'), [ev('Poison', { userId: 'bad-4' })]);
		expect(single.error?.message).toMatch(/^Item 0: not recorded: .*poison/i);
	});
});

describe.each(storages)('Customer Profile Record on $name: a NUL character PostgreSQL text cannot hold', ({ make }) => {
	// Refused by the node's own check on both stores, naming the field: before, SQLite recorded it
	// and PostgreSQL refused it with 'invalid byte sequence for encoding "UTF8": 0x00' (no field).
	it.each(['messageId', 'userId', 'email', 'anonymousId', 'event', 'type'])('a %s holding U+0000 fails its item alone, naming the field; the others are recorded', async (field) => {
		const target = make();
		const bad = { ...ev('Identify', { userId: `nul-bad-${field}` }), [field]: field === 'email' ? 'a\u0000b@example.com' : 'a\u0000b' };
		const input = [ev('Identify', { userId: `nul-ok-1-${field}` }), bad, ev('Identify', { userId: `nul-ok-2-${field}` })];
		const res = await run(target, workflow(target, 'record', {}, COF), input);
		expect(res.error).toBeUndefined();
		const out = res.items('Profile');
		expect((out[0].json.recorded as IDataObject).status).toBe('recorded');
		expect(out[1]).toEqual({ json: { error: `Item 1: The ${field} holds a NUL character (U+0000), which the profile store cannot keep: remove it` }, pairedItem: { item: 1 } });
		expect((out[2].json.recorded as IDataObject).status).toBe('recorded');
		expect(await found(target, `nul-ok-2-${field}`)).toBe(true);
		if (field !== 'userId') expect(await found(target, `nul-bad-${field}`)).toBe(false);
	});
});

describe.each(storages)('Customer Profile Record on $name: the store loses its events table', ({ make }) => {
	it('with Continue On Fail, every item of the batch fails, named and paired; without it, a NodeOperationError', async () => {
		const target = make();
		expect((await run(target, workflow(target, 'record'), [ev('Identify', { userId: 'seed' })])).error).toBeUndefined();
		await target.dropEvents();
		const input = [ev('Identify', { userId: 'x-1' }), { nothing: true }, ev('Identify', { userId: 'x-2' })];
		const res = await run(target, workflow(target, 'record', {}, COF), input);
		expect(res.error).toBeUndefined();
		const out = res.items('Profile');
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(String(out[0].json.error)).toMatch(/^Item 0: not recorded: .*events/);
		expect(String(out[2].json.error)).toMatch(/^Item 2: not recorded: .*events/);
		expect(String(out[1].json.error)).toContain('Item 1');
		const strict = await run(target, workflow(target, 'record'), [ev('Identify', { userId: 'x-3' })]);
		expect(strict.error?.name).toBe('NodeOperationError');
		expect(strict.error?.message).toMatch(/^Item 0: not recorded: .*events/);
	});
});

describe('Customer Profile Record: PostgreSQL unreachable', () => {
	let port = 0;
	beforeAll(async () => {
		// a port nothing listens on: take a free one and close it again
		const server = net.createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.address() as net.AddressInfo).port;
		await new Promise((resolve) => server.close(resolve));
	});
	const target = (): Target => {
		const prefix = uniquePrefix('down');
		return {
			params: { storage: 'postgres', storeOptions: { tablePrefix: prefix } },
			extra: { credentials: { personalizationPostgresApi: { id: '1', name: 'Profiles DB' } } },
			credentials: { personalizationPostgresApi: { ...pgCredential, port, maxConnections: 1 } },
			refusePoison: async () => undefined,
			dropEvents: async () => undefined,
		};
	};

	it('with Continue On Fail, every valid item becomes an error item naming it (later batches are not tried); without it, a NodeOperationError', async () => {
		const t = target();
		// 1,001 valid events (item 1 is invalid): batches of 1,000 and 1; the second is not tried once the store is down
		const input: IDataObject[] = Array.from({ length: 1002 }, (_, k) => ev('Identify', { userId: `down-${k}` }));
		input[1] = { nothing: true };
		const res = await run(t, workflow(t, 'record', {}, COF), input);
		expect(res.error).toBeUndefined();
		const out = res.items('Profile');
		expect(out).toHaveLength(1002);
		expect(out.map((i) => (i.pairedItem as { item: number }).item)).toEqual(input.map((_, i) => i));
		expect(String(out[0].json.error)).toBe(`Item 0: not recorded: connect ECONNREFUSED 127.0.0.1:${port}`);
		expect(String(out[1].json.error)).toContain('Item 1');
		expect(String(out[1000].json.error)).toBe(`Item 1000: not recorded: connect ECONNREFUSED 127.0.0.1:${port}`);
		expect(String(out[1001].json.error)).toBe(`Item 1001: not recorded: the store failed on an earlier batch: connect ECONNREFUSED 127.0.0.1:${port}`);

		const strict = await run(t, workflow(t, 'record'), input.slice(2, 4));
		expect(strict.error?.name).toBe('NodeOperationError');
		expect(strict.error?.message).toBe(`Items 0 to 1: not recorded: connect ECONNREFUSED 127.0.0.1:${port}`);
	});
});

describe('Customer Profile Check Suppression: PostgreSQL unreachable', () => {
	it('with Continue On Fail, each item that asked becomes an error item naming it; without it, a NodeOperationError naming the items', async () => {
		const server = net.createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const port = (server.address() as net.AddressInfo).port;
		await new Promise((resolve) => server.close(resolve));
		const t: Target = {
			params: { storage: 'postgres', storeOptions: { tablePrefix: uniquePrefix('down') } },
			extra: { credentials: { personalizationPostgresApi: { id: '1', name: 'Profiles DB' } } },
			credentials: { personalizationPostgresApi: { ...pgCredential, port, maxConnections: 1 } },
			refusePoison: async () => undefined,
			dropEvents: async () => undefined,
		};
		const input = [{ email: 'a@example.com' }, { email: 'not an address' }, { email: 'b@example.com' }];
		const res = await run(t, workflow(t, 'suppression', { email: '={{ $json.email }}' }, COF), input);
		expect(res.error).toBeUndefined();
		expect(res.items('Profile').map((i) => [i.json.error, i.pairedItem])).toEqual([
			[`Item 0: the suppression check failed: connect ECONNREFUSED 127.0.0.1:${port}`, { item: 0 }],
			['Item 1: "Email" (not an address) is not an email address', { item: 1 }],
			[`Item 2: the suppression check failed: connect ECONNREFUSED 127.0.0.1:${port}`, { item: 2 }],
		]);
		const strict = await run(t, workflow(t, 'suppression', { email: '={{ $json.email }}' }), [input[0], input[2]]);
		expect(strict.error?.name).toBe('NodeOperationError');
		expect(strict.error?.message).toBe(`Items 0 to 1: the suppression check failed: connect ECONNREFUSED 127.0.0.1:${port}`);
	});
});

describe('Customer Profile Get, Check Event Since and Erase: PostgreSQL unreachable', () => {
	it.each([
		['get', {}],
		['checkSince', { since: 'time', sinceTime: '2026-03-01T00:00:00Z' }],
		['erase', {}],
	])('%s: each item fails naming itself, with and without Continue On Fail', async (operation, params) => {
		const server = net.createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const port = (server.address() as net.AddressInfo).port;
		await new Promise((resolve) => server.close(resolve));
		const t: Target = {
			params: { storage: 'postgres', storeOptions: { tablePrefix: uniquePrefix('down') } },
			extra: { credentials: { personalizationPostgresApi: { id: '1', name: 'Profiles DB' } } },
			credentials: { personalizationPostgresApi: { ...pgCredential, port, maxConnections: 1 } },
			refusePoison: async () => undefined,
			dropEvents: async () => undefined,
		};
		const refused = `connect ECONNREFUSED 127.0.0.1:${port}`;
		const res = await run(t, workflow(t, operation, params, COF), [{ userId: 'a' }, { userId: 'b' }]);
		expect(res.error).toBeUndefined();
		expect(res.items('Profile').map((i) => [i.json.error, i.pairedItem])).toEqual([
			[`Item 0: ${refused}`, { item: 0 }],
			[`Item 1: ${refused}`, { item: 1 }],
		]);
		const strict = await run(t, workflow(t, operation, params), [{ userId: 'a' }]);
		expect(strict.error?.name).toBe('NodeOperationError');
		expect(strict.error?.message).toBe(`Item 0: ${refused}`);
		expect((strict.nodes.Profile.error as unknown as NodeErrorShape).context?.itemIndex).toBe(0);
	});
});

describe('Customer Profile: an SQLite file that cannot be opened', () => {
	it('with Continue On Fail, every item becomes an error item naming it', async () => {
		const dir = path.dirname(tempSqliteFile());
		const notADir = path.join(dir, 'plain-file');
		fs.writeFileSync(notADir, 'x');
		const params = { storage: 'sqlite', databaseFile: path.join(notADir, 'profiles.sqlite') };
		const wf = (extra: Partial<INode> = {}) => ({ nodes: [node('Profile', 'customerProfile', { operation: 'record', ...params }, extra)], connections: {} });
		const res = await runWorkflow(wf(COF), { input: items([ev('Identify', { userId: 'a' }), ev('Identify', { userId: 'b' })]) });
		expect(res.error).toBeUndefined();
		const out = res.items('Profile');
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(String(out[0].json.error)).toMatch(/^Item 0: Cannot open the profile store: /);
		expect(String(out[1].json.error)).toMatch(/^Item 1: Cannot open the profile store: /);
		const strict = await runWorkflow(wf(), { input: items([ev('Identify', { userId: 'a' })]) });
		expect(strict.error?.message).toMatch(/^Cannot open the profile store: /);
	});
});

describe.each(storages)('Customer Profile Record on $name: a numeric timestamp beyond the range of dates', ({ make }) => {
	it('fails its item as invalid, naming the field; the profile stays readable', async () => {
		const target = make();
		const input = [ev('Identify', { userId: 'far-ok' }), { ...ev('Identify', { userId: 'far-bad' }), timestamp: 1e20 }];
		const res = await run(target, workflow(target, 'record', {}, COF), input);
		expect(res.error).toBeUndefined();
		const out = res.items('Profile');
		expect((out[0].json.recorded as IDataObject).status).toBe('recorded');
		expect(out[1].pairedItem).toEqual({ item: 1 });
		expect(String(out[1].json.error)).toBe('Item 1: The timestamp 100000000000000000000 is outside the dates that can be stored (epoch milliseconds within ±8.64e15)');
		const get = await run(target, workflow(target, 'get'), [{ userId: 'far-bad' }, { userId: 'far-ok' }]);
		expect(get.error).toBeUndefined();
		expect(get.items('Profile').map((i) => i.json.profileFound)).toEqual([false, true]);
	});
});
