/**
 * Customer Profile with an email written as a mailbox with a display name, RFC 5322 name-addr
 * (`Ann Lee <ann@example.com>`, https://www.rfc-editor.org/rfc/rfc5322#section-3.4), as CRMs and
 * copied header fields give it (through the real n8n engine, on SQLite and PostgreSQL). Before, the
 * whole text was the key: Check Suppression answered `known: false, suppressed: false` for a
 * hard-bounced, unsubscribed address (ESP Dispatch would then mail it), Get Profile found no one,
 * and Record Events made a second customer. The address is the part inside `<…>`.
 * Expected values worked out by hand from the events of each test.
 */
import type { IDataObject } from 'n8n-workflow';
import { profileEvent, profileNodeStorages, runProfileNode, type ProfileNodeTarget } from '../harness/profile-db';

const ev = (partial: { event: string } & IDataObject, minutes: number) => profileEvent<IDataObject>(partial, minutes, `dne-${process.pid}`);

const { storages, drop } = profileNodeStorages('dne');
afterAll(() => drop());

describe.each(storages)('an email with a display name on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	const run = (operation: string, input: IDataObject[], params: IDataObject = {}) => runProfileNode(target, operation, input, params);

	it('Check Suppression and Get Profile find the address inside <…>', async () => {
		await run('record', [
			ev({ event: 'Identify', userId: 'ann', email: 'ann@example.com' }, 0),
			ev({ event: 'Email Bounced', email: 'ann@example.com', properties: { bounce_type: 'hard' } }, 10),
			ev({ event: 'Unsubscribed', email: 'ann@example.com' }, 20),
		]);
		const [a, b, c] = await run('suppression', [
			{ email: 'Ann Lee <ann@example.com>' },
			{ email: ' "Lee, Ann <Sales>" <ANN@Example.com> ' },
			{ email: '<ann@example.com>' },
		]);
		const suppressed = { suppressed: true, unsubscribed: true, bounced: true, complained: false, known: true };
		expect(a.suppression).toEqual(suppressed);
		expect(b.suppression).toEqual(suppressed);
		expect(c.suppression).toEqual(suppressed);

		const [byName, other] = await run('get', [{ email: 'Ann Lee <ann@example.com>' }, { email: 'Bob <bob@example.com>' }]);
		expect(byName).toMatchObject({ profileFound: true, profile: { userId: 'ann', email: 'ann@example.com', bounced: true, unsubscribed: true } });
		expect(other).toMatchObject({ profileFound: false, profile: null });
	});

	it('Record Events stores the address, so the event joins the customer', async () => {
		const [first] = await run('record', [ev({ event: 'Identify', userId: 'kim', email: 'kim@example.com' }, 0)]);
		const [second] = await run('record', [
			ev({ event: 'Order Completed', email: 'Kim Park <Kim@Example.com>', properties: { order_id: 'o1', total: 12.5, currency: 'EUR' } }, 5),
		]);
		expect((second.recorded as IDataObject).profileId).toBe((first.recorded as IDataObject).profileId);
		const [got] = await run('get', [{ email: 'kim@example.com' }]);
		expect(got).toMatchObject({ profileFound: true, profile: { userId: 'kim', email: 'kim@example.com', ordersCount: 1, totalSpentMinor: { EUR: 1250 } } });
	});
});
