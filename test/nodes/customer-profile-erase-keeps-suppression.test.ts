/**
 * Customer Profile → Erase Customer, then Check Suppression and Get Profile of the erased address
 * (through the real n8n engine, on SQLite and PostgreSQL). Before, the erasure forgot the address
 * with everything else: Check Suppression answered `suppressed: false, known: false` for a person
 * who had unsubscribed, and Get Profile of a later item with that address gave ESP Dispatch no
 * suppression at all, so a GDPR erasure request made the address mailable again. Now the store
 * keeps the suppressed address as a SHA-256 hash with its flags. Expected values by hand.
 */
import type { IDataObject } from 'n8n-workflow';
import { profileNodeStorages, runProfileNode, type ProfileNodeTarget } from '../harness/profile-db';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let seq = 0;
const ev = (event: string, who: IDataObject, minutes: number, properties: IDataObject = {}): IDataObject => ({
	type: event === 'Identify' ? 'identify' : 'track',
	event,
	messageId: `eks-${process.pid}-${++seq}`,
	timestamp: at(minutes),
	receivedAt: at(minutes),
	properties,
	context: { source: 'test' },
	...who,
});

const { storages, drop } = profileNodeStorages('eks');
afterAll(() => drop());

describe.each(storages)('Erase Customer keeps a suppressed address suppressed on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	const run = (operation: string, input: IDataObject[], params: IDataObject = {}) => runProfileNode(target, operation, input, params);

	it('an unsubscribed and a complaining customer, erased, stay suppressed; an erased customer who was neither does not', async () => {
		await run('record', [
			ev('Identify', { userId: 'ann', email: 'ann@example.com' }, 0),
			ev('Unsubscribed', { email: 'ann@example.com' }, 5),
			ev('Identify', { userId: 'bo', email: 'bo@example.com' }, 0),
			ev('Email Marked as Spam', { email: 'bo@example.com' }, 6),
			ev('Identify', { userId: 'cy', email: 'cy@example.com' }, 0),
		]);
		const erased = await run('erase', [{ userId: 'ann' }, { userId: 'bo' }, { userId: 'cy' }]);
		expect(erased.map((j) => [j.erased, j.profilesDeleted])).toEqual([
			[true, 1],
			[true, 1],
			[true, 1],
		]);
		const checked = await run('suppression', [{ email: 'Ann@Example.com' }, { email: 'bo@example.com' }, { email: 'cy@example.com' }]);
		expect(checked.map((j) => j.suppression)).toEqual([
			{ suppressed: true, unsubscribed: true, bounced: false, complained: false, known: true },
			{ suppressed: true, unsubscribed: false, bounced: false, complained: true, known: true },
			{ suppressed: false, unsubscribed: false, bounced: false, complained: false, known: false },
		]);
		// a later checkout of the erased address (not yet recorded): no profile, but the suppression ESP Dispatch reads
		const got = await run('get', [{ email: 'ann@example.com', event: 'Checkout Started' }]);
		expect(got[0]).toMatchObject({ profile: null, profileFound: false, suppression: { suppressed: true, unsubscribed: true } });
	});

	it('the erased address back through a re-import or a new order: its new profile is unsubscribed, as the templates read it', async () => {
		await run('record', [
			ev('Identify', { userId: 'dee', email: 'dee@example.com' }, 0),
			ev('Unsubscribed', { email: 'dee@example.com' }, 5),
		]);
		await run('erase', [{ userId: 'dee' }]);
		// a new customer id at the same address (a CRM re-import), and a new checkout by email only
		await run('record', [ev('Identify', { userId: 'dee-2', email: 'dee@example.com' }, 60)]);
		const got = await run('get', [{ email: 'dee@example.com' }, { userId: 'dee-2' }]);
		// the templates' "Still subscribed?" filter reads profile.unsubscribed / bounced / complained
		expect(got.map((j) => [j.profileFound, (j.profile as IDataObject).unsubscribed, (j.profile as IDataObject).bounced])).toEqual([
			[true, true, false],
			[true, true, false],
		]);
	});
});
