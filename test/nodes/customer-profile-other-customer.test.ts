/**
 * Customer Profile: a look-up by an item's identities never lands on ANOTHER customer's profile
 * (through the real n8n engine, on SQLite and PostgreSQL). Record Events never folds an event with
 * a userId into a profile of another userId, so two customer ids sharing an address (a household,
 * a shared work mailbox) or a device are two customers. Before, an item whose userId the store did
 * not know yet fell back to its email (then anonymousId) whatever customer that pointed to: Get
 * Profile returned the other customer's profile (name, cart and recovery link to mail), Check Event
 * Since answered from the other customer's orders, and Erase Customer deleted the other customer
 * for good. Expected values worked out by hand from the events of each test.
 */
import type { IDataObject } from 'n8n-workflow';
import { profileNodeStorages, runProfileNode, type ProfileNodeTarget } from '../harness/profile-db';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let seq = 0;
const ev = (event: string, who: IDataObject, minutes: number, properties: IDataObject = {}): IDataObject => ({
	type: event === 'Identify' ? 'identify' : 'track',
	event,
	messageId: `poc-${process.pid}-${++seq}`,
	timestamp: at(minutes),
	receivedAt: at(minutes),
	properties,
	context: { source: 'test' },
	...who,
});

const { storages, drop } = profileNodeStorages('poc');
afterAll(() => drop());

describe.each(storages)('Customer Profile look-ups of an unknown userId on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	const run = (operation: string, input: IDataObject[], params: IDataObject = {}) => runProfileNode(target, operation, input, params);
	// Ann (userId ann) uses the family address and a shared tablet; she ordered once.
	const seedAnn = () =>
		run('record', [
			ev('Identify', { userId: 'ann', email: 'family@example.com', anonymousId: 'tablet-1' }, 0, {}),
			ev('Order Completed', { userId: 'ann' }, 30, { total: 40, currency: 'EUR' }),
		]);

	it('Get Profile: Ben (not recorded yet) with the shared address and device finds nothing, not Ann', async () => {
		await seedAnn();
		const [ben] = await run('get', [{ userId: 'ben', email: 'Family@Example.com', anonymousId: 'tablet-1' }]);
		expect(ben).toMatchObject({ profile: null, profileFound: false });
		// Ann is still found by her own userId, and by the address alone (no userId to tell them apart)
		const [ann, byAddress] = await run('get', [{ userId: 'ann', email: 'family@example.com' }, { email: 'family@example.com' }]);
		expect(ann).toMatchObject({ profileFound: true, profile: { userId: 'ann', ordersCount: 1 } });
		expect(byAddress).toMatchObject({ profileFound: true, profile: { userId: 'ann' } });
	});

	it('Get Profile: Ben not found at an address that hard-bounced on Ann\'s profile still gets the address\'s suppression, which ESP Dispatch reads', async () => {
		await seedAnn();
		await run('record', [ev('Email Bounced', { email: 'family@example.com' }, 40, { bounce_type: 'hard' })]);
		const [ben, carl] = await run('get', [
			{ userId: 'ben', email: ' Family@Example.com ' },
			// an address the store has never seen: nothing to add
			{ userId: 'carl', email: 'carl@example.com' },
		]);
		expect(ben).toMatchObject({ profile: null, profileFound: false });
		expect(ben.suppression).toEqual({ suppressed: true, unsubscribed: false, bounced: true, complained: false, known: true });
		expect(carl).toEqual({ userId: 'carl', email: 'carl@example.com', profile: null, profileFound: false });
		// a found profile keeps its own flags and gets no extra field
		const [ann] = await run('get', [{ userId: 'ann', email: 'family@example.com' }]);
		expect(ann).toMatchObject({ profileFound: true, profile: { userId: 'ann', bounced: true } });
		expect(ann.suppression).toBeUndefined();
	});

	it('Check Event Since: Ann\'s order does not count for Ben', async () => {
		await seedAnn();
		const [ben] = await run('checkSince', [{ userId: 'ben', email: 'family@example.com' }], { since: 'time', sinceTime: at(-60) });
		expect(ben.happenedSince).toBe(false);
		const [ann] = await run('checkSince', [{ userId: 'ann', email: 'family@example.com' }], { since: 'time', sinceTime: at(-60) });
		expect(ann.happenedSince).toBe(true);
	});

	it('Erase Customer: a request for Ben erases nothing; Ann keeps her profile', async () => {
		await seedAnn();
		const [erased] = await run('erase', [{ userId: 'ben', email: 'family@example.com', anonymousId: 'tablet-1' }]);
		expect(erased).toEqual({ erased: false, profileId: null, profilesDeleted: 0, identitiesDeleted: 0, eventsDeleted: 0, sendsDeleted: 0 });
		const [ann] = await run('get', [{ userId: 'ann' }]);
		expect(ann).toMatchObject({ profileFound: true, profile: { ordersCount: 1, totalSpentMinor: { EUR: 4000 } } });
	});

	it('an anonymous or email-only profile (no userId yet) is still found for the userId: the same customer before logging in', async () => {
		await run('record', [ev('Checkout Started', { email: 'cleo@example.com', anonymousId: 'phone-9' }, 0, { checkout_id: 'c1' })]);
		const [byEmail] = await run('get', [{ userId: 'cleo', email: 'cleo@example.com' }]);
		expect(byEmail).toMatchObject({ profileFound: true, profile: { userId: null, email: 'cleo@example.com' } });
		const [since] = await run('checkSince', [{ userId: 'cleo', anonymousId: 'phone-9' }], { since: 'time', sinceTime: at(-1), eventName: 'Checkout Started' });
		expect(since.happenedSince).toBe(true);
		// after Ben's own first event, his userId finds his own profile, not Ann's
		await seedAnn();
		await run('record', [ev('Identify', { userId: 'ben', email: 'family@example.com' }, 60)]);
		const [ben] = await run('get', [{ userId: 'ben', email: 'family@example.com' }]);
		expect(ben).toMatchObject({ profileFound: true, profile: { userId: 'ben', ordersCount: 0 } });
	});
});
