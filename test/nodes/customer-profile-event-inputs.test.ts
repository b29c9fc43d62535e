/**
 * Record Events on inputs a Code node or a shop database gives, the same on SQLite and PostgreSQL
 * (review5 F3, F4): a numeric timestamp with a fraction of a millisecond, numeric ids. Through the
 * real n8n engine. 1772359200 s is 2026-03-01T10:00:00Z (day 20,513 since 1970: 56 × 365 + 14
 * leap days + 31 + 28; + 36,000 s).
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow, type WorkflowJson } from '../harness/engine';
import { profileNodeStorages, type ProfileNodeTarget } from '../harness/profile-db';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
let seq = 0;
const mid = () => `inp-${process.pid}-${++seq}`;
const items = (list: IDataObject[]): INodeExecutionData[] => list.map((json) => ({ json }));
const COF: Partial<INode> = { onError: 'continueRegularOutput' };

const { storages, drop } = profileNodeStorages('inp');
afterAll(() => drop());

describe.each(storages)('Record Events inputs on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	const wf = (operation: string, params: IDataObject = {}, extra: Partial<INode> = {}): WorkflowJson => ({
		nodes: [node('Profile', 'customerProfile', { operation, ...target.params, ...params } as INode['parameters'], { ...target.extra, ...extra })],
		connections: chain('Profile'),
	});
	const run = (operation: string, input: IDataObject[], params: IDataObject = {}, extra: Partial<INode> = {}) =>
		runWorkflow(wf(operation, params, extra), { input: items(input), credentials: target.credentials as never });

	it('F3: records a numeric epoch-millisecond timestamp with a fraction, truncated to its millisecond', async () => {
		// Python's time.time() (microseconds) × 1000, e.g. from a Code node
		const ts = 1772359200.123456 * 1000;
		expect(Number.isInteger(ts)).toBe(false);
		const order = { type: 'track', event: 'Order Completed', messageId: mid(), timestamp: ts, userId: 'frac-1', properties: { total: 10, currency: 'USD' } };
		const res = await run('record', [order], {}, COF);
		expect(res.error).toBeUndefined();
		// PostgreSQL refused it before: 'invalid input syntax for type bigint: "1772359200123.456"'
		expect(res.items('Profile')[0].json).toMatchObject({ recorded: { status: 'recorded' } });
		const got = (await run('get', [{ userId: 'frac-1' }])).items('Profile')[0].json.profile as IDataObject;
		expect(got.lastOrderAt).toBe('2026-03-01T10:00:00.123Z');
		const tx = (await run('export', [{}], { exportWhat: 'transactions', format: 'items' })).items('Profile');
		expect(tx.map((i) => [i.json.messageId, i.json.timestamp])).toEqual([[order.messageId, '2026-03-01T10:00:00.123Z']]);
		// Check Event Since from the order's millisecond counts it (a Since Time counts events at or after it); one later does not
		const since = await run('checkSince', [{ userId: 'frac-1' }], { since: 'time', sinceTime: '2026-03-01T10:00:00.123Z' });
		expect(since.items('Profile')[0].json.happenedSince).toBe(true);
		const notSince = await run('checkSince', [{ userId: 'frac-1' }], { since: 'time', sinceTime: '2026-03-01T10:00:00.124Z' });
		expect(notSince.items('Profile')[0].json.happenedSince).toBe(false);
	});

	it('records a numeric epoch-seconds timestamp (below 1e11) at its time, not in 1970; Check Event Since reads seconds too', async () => {
		// `date +%s` / Luxon's toSeconds() in a Set node: 1772359200 s = 2026-03-01T10:00:00Z (see the top)
		const order = { type: 'track', event: 'Order Completed', messageId: mid(), timestamp: 1772359200, userId: 'sec-1', properties: { total: 10, currency: 'USD' } };
		const res = await run('record', [order], {}, COF);
		expect(res.items('Profile')[0].json).toMatchObject({ recorded: { status: 'recorded' } });
		const got = (await run('get', [{ userId: 'sec-1' }])).items('Profile')[0].json.profile as IDataObject;
		expect(got.lastOrderAt).toBe('2026-03-01T10:00:00.000Z');
		// the triggering item's own numeric timestamp, one second before the order, read as seconds
		const since = await run('checkSince', [{ userId: 'sec-1', timestamp: 1772359199, messageId: 'other' }], { since: 'triggeringEvent' });
		expect(since.items('Profile')[0].json.happenedSince).toBe(true);
		const notSince = await run('checkSince', [{ userId: 'sec-1', timestamp: 1772359200, messageId: 'other' }], { since: 'triggeringEvent' });
		expect(notSince.items('Profile')[0].json.happenedSince).toBe(false);
	});

	it('F3: refuses a timestamp that is no time, naming the item and the field', async () => {
		const bad = { type: 'track', event: 'Order Completed', messageId: mid(), timestamp: '2026-02-30T10:00:00Z', userId: 'frac-2' };
		const strict = await run('record', [bad]);
		expect(strict.error?.name).toBe('NodeOperationError');
		expect(strict.error?.message).toMatch(/^Item 0: The timestamp "2026-02-30T10:00:00Z" cannot be parsed/);
		expect(strict.error?.description).toBe('Field: timestamp');
	});

	it('F4: a numeric userId identifies the customer when recording, as Get Profile reads it', async () => {
		// e.g. a Code node building events from a shop database: { userId: 4711 }
		const visit = { type: 'track', event: 'Product Viewed', messageId: mid(), timestamp: new Date(T0).toISOString(), anonymousId: 'anon-77', properties: { product_id: 'p1' } };
		const login = { type: 'identify', event: 'Identify', messageId: mid(), timestamp: new Date(T0 + 60_000).toISOString(), userId: 4711, anonymousId: 'anon-77' };
		const rec = await run('record', [visit, login]);
		expect(rec.error).toBeUndefined();
		const got = (await run('get', [{ userId: 4711 }])).items('Profile')[0].json;
		expect(got.profileFound).toBe(true);
		expect((got.profile as IDataObject).userId).toBe('4711');
		expect((got.profile as IDataObject).anonymousIds).toEqual(['anon-77']);
		// an event carrying only the numeric id has an identity (it was refused: "it needs a userId")
		const order = { type: 'track', event: 'Order Completed', messageId: mid(), timestamp: new Date(T0 + 120_000).toISOString(), userId: 4711, properties: { total: 5 } };
		const alone = await run('record', [order]);
		expect(alone.error).toBeUndefined();
		expect((alone.items('Profile')[0].json.recorded as IDataObject).profileId).toBe((got.profile as IDataObject).profileId);
		const tx = (await run('export', [{}], { exportWhat: 'transactions', format: 'items' })).items('Profile');
		expect(tx.map((i) => i.json.userId)).toEqual(['4711']);
	});

	it('F4: a numeric messageId and anonymousId are their decimal text (the same event as its text form)', async () => {
		const n = 900_000 + seq++;
		const view = { type: 'track', event: 'Product Viewed', messageId: n, timestamp: new Date(T0).toISOString(), anonymousId: 31337, properties: { product_id: 'p1' } };
		const first = await run('record', [view]);
		expect((first.items('Profile')[0].json.recorded as IDataObject).status).toBe('recorded');
		const again = await run('record', [{ ...view, messageId: String(n), anonymousId: '31337' }]);
		expect((again.items('Profile')[0].json.recorded as IDataObject).status).toBe('duplicate');
		const got = (await run('get', [{ anonymousId: '31337' }])).items('Profile')[0].json;
		expect(got.profileFound).toBe(true);
	});

	it('F4: refuses an id number that is not a whole number, naming the item and the field; Continue On Fail records the others', async () => {
		const ok = { type: 'track', event: 'Order Completed', messageId: mid(), timestamp: new Date(T0).toISOString(), userId: 'whole-1' };
		const half = { ...ok, messageId: mid(), userId: 1.5 };
		const strict = await run('record', [ok, half]);
		expect(strict.error?.name).toBe('NodeOperationError');
		expect(strict.error?.message).toMatch(/^Item 1: The userId 1\.5 is not an id/);
		expect(strict.error?.description).toBe('Field: userId');
		const lenient = await run('record', [ok, { ...half, userId: 1e21 }], {}, COF);
		const out = lenient.items('Profile');
		expect((out[0].json.recorded as IDataObject).status).toBe('recorded');
		expect(String(out[1].json.error)).toMatch(/^Item 1: The userId 1e\+21 is not an id/);
	});
});
