/**
 * Customer Profile → Get Profile of a customer not found, at an address suppressed on another
 * customer's profile, when the item already carries a `suppression` object (through the real n8n
 * engine, on SQLite and PostgreSQL). Before, Get Profile replaced the item's own object with the
 * store's facts: a CRM's opt-out record (its reason, its `unsubscribed: true`) was silently lost
 * for every node after it. Now the item's fields stay and the store's set flags are added (OR).
 * Expected values worked out by hand from the events of each test.
 */
import type { IDataObject } from 'n8n-workflow';
import { profileNodeStorages, runProfileNode, type ProfileNodeTarget } from '../harness/profile-db';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let seq = 0;
const ev = (event: string, who: IDataObject, minutes: number, properties: IDataObject = {}): IDataObject => ({
	type: event === 'Identify' ? 'identify' : 'track',
	event,
	messageId: `gos-${process.pid}-${++seq}`,
	timestamp: at(minutes),
	receivedAt: at(minutes),
	properties,
	context: { source: 'test' },
	...who,
});

const { storages, drop } = profileNodeStorages('gos');
afterAll(() => drop());

describe.each(storages)('Get Profile keeps the item\'s own suppression object on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	const run = (operation: string, input: IDataObject[], params: IDataObject = {}) => runProfileNode(target, operation, input, params);

	it('adds the store\'s hard bounce of the shared address to the item\'s own object instead of replacing it', async () => {
		// Ann (userId ann) uses the family address, which then hard-bounces.
		await run('record', [
			ev('Identify', { userId: 'ann', email: 'family@example.com' }, 0),
			ev('Email Bounced', { email: 'family@example.com' }, 10, { bounce_type: 'hard' }),
		]);
		const [ben, carl, dora] = await run('get', [
			// Ben (not in the store) at that address, with his CRM's opt-out record
			{ userId: 'ben', email: 'family@example.com', suppression: { suppressed: true, unsubscribed: true, source: 'crm', reason: 'gdpr request' } },
			// Carl's CRM says he may be mailed, but the store knows the address bounced
			{ userId: 'carl', email: 'family@example.com', suppression: { suppressed: false, unsubscribed: false, source: 'crm' } },
			// text is not an object ESP Dispatch reads: the store's facts take its place
			{ userId: 'dora', email: 'family@example.com', suppression: 'none' },
		]);
		expect(ben).toMatchObject({ profile: null, profileFound: false });
		expect(ben.suppression).toEqual({
			suppressed: true,
			unsubscribed: true,
			bounced: true,
			complained: false,
			known: true,
			source: 'crm',
			reason: 'gdpr request',
		});
		expect(carl.suppression).toEqual({ suppressed: true, unsubscribed: false, bounced: true, complained: false, known: true, source: 'crm' });
		expect(dora.suppression).toEqual({ suppressed: true, unsubscribed: false, bounced: true, complained: false, known: true });
	});

	it('leaves the item\'s object untouched when the address is not suppressed in the store', async () => {
		await run('record', [ev('Identify', { userId: 'ann', email: 'family@example.com' }, 0)]);
		const own = { suppressed: true, unsubscribed: true, source: 'crm' };
		const [ben] = await run('get', [{ userId: 'ben', email: 'family@example.com', suppression: own }]);
		expect(ben).toMatchObject({ profile: null, profileFound: false });
		expect(ben.suppression).toEqual(own);
	});
});
