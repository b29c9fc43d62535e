/**
 * Customer Profile → Get Profile answers `lastActiveAt` (the latest event the customer did) beside
 * `lastSeenAt` (any event), through the real n8n engine, on SQLite and PostgreSQL. Before, only
 * `lastSeenAt` was there, and our own email's Email Delivered moved it: a re-engagement workflow
 * reading "inactive for 60 days" from it saw a customer who only received our emails as active.
 * Expected values worked out by hand from the events of the test.
 */
import type { IDataObject } from 'n8n-workflow';
import { profileNodeStorages, runProfileNode, type ProfileNodeTarget } from '../harness/profile-db';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const day = (d: number) => new Date(T0 + d * 86_400_000).toISOString();
let seq = 0;
const ev = (event: string, d: number, properties: IDataObject = {}, source = 'test'): IDataObject => ({
	type: event === 'Identify' ? 'identify' : 'track',
	event,
	messageId: `gla-${process.pid}-${++seq}`,
	timestamp: day(d),
	receivedAt: day(d),
	properties,
	context: { source },
	userId: 'bo',
	email: 'bo@example.com',
});

const { storages, drop } = profileNodeStorages('gla');
afterAll(() => drop());

describe.each(storages)('Get Profile lastActiveAt on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});

	it('is the customer\'s last view, not the delivery of the email we sent 70 days later', async () => {
		await runProfileNode(target, 'record', [
			ev('Identify', 0),
			ev('Product Viewed', 2, { product_id: 'sku-1', name: 'Shoe' }),
			ev('Email Sent', 72, {}, 'sendgrid'),
			ev('Email Delivered', 72, {}, 'sendgrid'),
			ev('Email Opened', 72, { machine_open: true }, 'sendgrid'),
		]);
		const [out] = await runProfileNode(target, 'get', [{ email: 'bo@example.com' }]);
		const profile = out.profile as IDataObject;
		expect(out.profileFound).toBe(true);
		expect(profile.lastSeenAt).toBe(day(72));
		expect(profile.lastActiveAt).toBe(day(2));
	});
});
