/**
 * Customer Profile → Get Profile of a customer whose address another, unmerged profile also holds
 * (two userIds at one family address), through the real n8n engine on SQLite and PostgreSQL.
 * Before, Check Suppression answered "unsubscribed" for the address while Get Profile of the second
 * profile answered `unsubscribed: false`; the templates' "Still subscribed?" filters read Get
 * Profile's `profile.unsubscribed`, so the address was mailed after its owner unsubscribed. Now Get
 * Profile's flags are the address's, as Check Suppression gives them, and `addressSuppression` /
 * a scope's `profileId` say which other profile they come from.
 * Expected values worked out by hand from the events of each test.
 */
import type { IDataObject } from 'n8n-workflow';
import { profileNodeStorages, runProfileNode, type ProfileNodeTarget } from '../harness/profile-db';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let seq = 0;
const ev = (event: string, who: IDataObject, minutes: number, properties: IDataObject = {}, context: IDataObject = { source: 'test' }): IDataObject => ({
	type: event === 'Identify' ? 'identify' : 'track',
	event,
	messageId: `sha-${process.pid}-${++seq}`,
	timestamp: at(minutes),
	receivedAt: at(minutes),
	properties,
	context,
	...who,
});
// SendGrid's group_unsubscribe / group_resubscribe carry the ASM group in asm_group_id
// (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event).
const sendgrid = (topic: string) => ({ source: 'sendgrid', topic });

const { storages, drop } = profileNodeStorages('sha');
afterAll(() => drop());

describe.each(storages)('Get Profile answers for the shared address as Check Suppression does, on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	const run = (operation: string, input: IDataObject[], params: IDataObject = {}) => runProfileNode(target, operation, input, params);
	const profileOf = async (userId: string) => (await run('get', [{ userId }]))[0].profile as IDataObject;
	const suppressionOf = async (email: string) => (await run('suppression', [{ email }]))[0].suppression as IDataObject;

	it('an unsubscribe on one customer\'s profile makes the other customer at the address unsubscribed, both ways', async () => {
		// Ann and then Ben (another userId: never merged into Ann) use the family address; Ann unsubscribes.
		await run('record', [
			ev('Identify', { userId: 'ann', email: 'family@example.com' }, 0),
			ev('Identify', { userId: 'ben', email: 'Family@Example.com' }, 5),
			ev('Unsubscribed', { userId: 'ann', email: 'family@example.com' }, 10),
		]);
		expect(await suppressionOf('family@example.com')).toEqual({ suppressed: true, unsubscribed: true, bounced: false, complained: false, known: true });
		const ann = await profileOf('ann');
		const ben = await profileOf('ben');
		// Ann's own unsubscribe: nothing from elsewhere
		expect(ann).toMatchObject({ email: 'family@example.com', unsubscribed: true, subscriptions: [{ scope: 'global', unsubscribed: true, unsubscribedAt: at(10), resubscribedAt: null }] });
		expect(ann.subscriptions).toEqual([{ scope: 'global', unsubscribed: true, unsubscribedAt: at(10), resubscribedAt: null }]);
		expect(ann.addressSuppression).toBeUndefined();
		// Ben: the address's unsubscribe, and where it comes from
		expect(ben).toMatchObject({ email: 'family@example.com', unsubscribed: true, bounced: false, complained: false });
		expect(ben.addressSuppression).toEqual({ unsubscribed: true, bounced: false, complained: false, profileIds: [ann.profileId], erasedCustomer: false });
		expect(ben.subscriptions).toEqual([{ scope: 'global', unsubscribed: true, unsubscribedAt: at(10), resubscribedAt: null, profileId: ann.profileId }]);

		// The other way round: Ben (whose profile is found by its email, not by the address's identity) unsubscribes too… and a
		// third customer at the address who never unsubscribed sees both.
		await run('record', [
			ev('Identify', { userId: 'cleo', email: 'family@example.com' }, 15),
			ev('Unsubscribed', { userId: 'ben', email: 'family@example.com' }, 20),
		]);
		const cleo = await profileOf('cleo');
		expect(cleo).toMatchObject({ unsubscribed: true });
		expect((cleo.addressSuppression as IDataObject).profileIds).toEqual([ann.profileId as string, ben.profileId as string].sort());
	});

	it('another customer\'s unsubscribe at the address reaches the profile whose address is the identity (Ben unsubscribed, Ann did not)', async () => {
		await run('record', [
			ev('Identify', { userId: 'ann', email: 'family@example.com' }, 0),
			ev('Identify', { userId: 'ben', email: 'family@example.com' }, 5),
			ev('Unsubscribed', { userId: 'ben', email: 'family@example.com' }, 10),
		]);
		expect(await suppressionOf('family@example.com')).toMatchObject({ suppressed: true, unsubscribed: true });
		const ben = await profileOf('ben');
		const ann = await profileOf('ann');
		expect(ann).toMatchObject({ email: 'family@example.com', unsubscribed: true });
		expect(ann.addressSuppression).toEqual({ unsubscribed: true, bounced: false, complained: false, profileIds: [ben.profileId], erasedCustomer: false });
		// looked up by the address itself (the item of a checkout): the same answer
		const [byEmail] = await run('get', [{ email: 'FAMILY@example.com' }]);
		expect(byEmail.profile).toMatchObject({ profileId: ann.profileId, unsubscribed: true });
	});

	it('a SendGrid group unsubscribe on another profile: unsubscribed, and the group is in subscriptions even where this profile resubscribed to it', async () => {
		await run('record', [
			ev('Identify', { userId: 'ann', email: 'family@example.com' }, 0),
			ev('Identify', { userId: 'ben', email: 'family@example.com' }, 5),
			// Ben: unsubscribed from group 7 (his own), unsubscribed from group 42 and back
			ev('Unsubscribed', { userId: 'ben', email: 'family@example.com' }, 6, { asm_group_id: 7 }, sendgrid('group_unsubscribe')),
			ev('Unsubscribed', { userId: 'ben', email: 'family@example.com' }, 8, { asm_group_id: 42 }, sendgrid('group_unsubscribe')),
			ev('Resubscribed', { userId: 'ben', email: 'family@example.com' }, 9, { asm_group_id: 42 }, sendgrid('group_resubscribe')),
			// Ann, later, from group 42 only
			ev('Unsubscribed', { userId: 'ann', email: 'family@example.com' }, 10, { asm_group_id: 42 }, sendgrid('group_unsubscribe')),
		]);
		// Check Suppression: any scope's unsubscribe suppresses the address
		expect(await suppressionOf('family@example.com')).toEqual({ suppressed: true, unsubscribed: true, bounced: false, complained: false, known: true });
		const ann = await profileOf('ann');
		const ben = await profileOf('ben');
		expect(ben.unsubscribed).toBe(true);
		// sorted by scope: group 42 (Ann's unsubscribe replaces Ben's own resubscribed entry), then group 7 (Ben's own)
		expect(ben.subscriptions).toEqual([
			{ scope: 'sendgrid_group', group: '42', unsubscribed: true, unsubscribedAt: at(10), resubscribedAt: null, profileId: ann.profileId },
			{ scope: 'sendgrid_group', group: '7', unsubscribed: true, unsubscribedAt: at(6), resubscribedAt: null },
		]);
		expect(ben.addressSuppression).toEqual({ unsubscribed: true, bounced: false, complained: false, profileIds: [ann.profileId], erasedCustomer: false });
		// Ann: her own group 42, and Ben's group 7 (his group 42 is resubscribed: not added)
		expect(ann.subscriptions).toEqual([
			{ scope: 'sendgrid_group', group: '42', unsubscribed: true, unsubscribedAt: at(10), resubscribedAt: null },
			{ scope: 'sendgrid_group', group: '7', unsubscribed: true, unsubscribedAt: at(6), resubscribedAt: null, profileId: ben.profileId },
		]);
	});

	it('the other profile\'s hard bounce and an erased customer\'s unsubscribe are named as where the flags come from', async () => {
		await run('record', [
			ev('Identify', { userId: 'ann', email: 'family@example.com' }, 0),
			ev('Identify', { userId: 'ben', email: 'family@example.com' }, 5),
			ev('Email Bounced', { userId: 'ann', email: 'family@example.com' }, 10, { bounce_type: 'hard' }),
		]);
		const ann = await profileOf('ann');
		const ben = await profileOf('ben');
		expect(ben).toMatchObject({ unsubscribed: false, bounced: true, complained: false });
		expect(ben.addressSuppression).toEqual({ unsubscribed: false, bounced: true, complained: false, profileIds: [ann.profileId], erasedCustomer: false });
		expect(ben.subscriptions).toBeUndefined();

		// Dora unsubscribes at her address and is erased; Eve, a new customer at it, is unsubscribed by the kept record.
		await run('record', [
			ev('Identify', { userId: 'dora', email: 'dora@example.com' }, 20),
			ev('Unsubscribed', { userId: 'dora', email: 'dora@example.com' }, 25),
		]);
		await run('erase', [{ userId: 'dora' }]);
		await run('record', [ev('Identify', { userId: 'eve', email: 'dora@example.com' }, 30)]);
		const eve = await profileOf('eve');
		expect(eve).toMatchObject({ unsubscribed: true, bounced: false });
		expect(eve.addressSuppression).toEqual({ unsubscribed: true, bounced: false, complained: false, profileIds: [], erasedCustomer: true });
		expect(await suppressionOf('dora@example.com')).toMatchObject({ suppressed: true, unsubscribed: true });
	});

	it('a customer alone at the address is answered as before (no addressSuppression)', async () => {
		await run('record', [ev('Identify', { userId: 'fay', email: 'fay@example.com' }, 0)]);
		const fay = await profileOf('fay');
		expect(fay).toMatchObject({ unsubscribed: false, bounced: false, complained: false });
		expect(fay).not.toHaveProperty('addressSuppression');
		expect(fay).not.toHaveProperty('subscriptions');
	});
});
