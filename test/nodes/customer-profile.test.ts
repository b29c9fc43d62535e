/**
 * Customer Profile node through the real n8n engine, the same operation suite on both storages:
 * embedded SQLite (a temp file) and PostgreSQL (the local server, one table prefix per test).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, loadPackage, node, runWorkflow, type WorkflowJson } from '../harness/engine';
import { pgCredential, profileNodeStorages, type ProfileNodeTarget } from '../harness/profile-db';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let seq = 0;
function ev(event: string, who: IDataObject, minutes: number, properties: IDataObject = {}): IDataObject {
	return {
		type: event === 'Identify' ? 'identify' : 'track',
		event,
		messageId: `n-${process.pid}-${++seq}`,
		timestamp: at(minutes),
		receivedAt: at(minutes),
		properties,
		context: { source: 'test' },
		...who,
	};
}
const items = (list: IDataObject[]): INodeExecutionData[] => list.map((json) => ({ json }));

const { storages, drop } = profileNodeStorages('node');
afterAll(() => drop());

describe.each(storages)('Customer Profile node on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});

	function wf(operation: string, params: IDataObject = {}, extra: Partial<INode> = {}): WorkflowJson {
		const n = node('Profile', 'customerProfile', { operation, ...target.params, ...params } as INode['parameters'], { ...target.extra, ...extra });
		return { nodes: [n], connections: chain('Profile') };
	}
	const run = (workflow: WorkflowJson, input: IDataObject[]) =>
		runWorkflow(workflow, { input: items(input), credentials: target.credentials as never });

	it('records events and gets the merged profile per item', async () => {
		const events = [
			ev('Product Viewed', { anonymousId: 'anon-9' }, 0, { product_id: 'sku-1', name: 'Linen shirt', price: 49 }),
			ev('Identify', { anonymousId: 'anon-9', userId: 'cust-1', email: 'Jo@Example.com' }, 1),
			ev('Order Completed', { userId: 'cust-1' }, 2, { order_id: 'A1', total: 98.1, currency: 'EUR' }),
		];
		const rec = await run(wf('record'), events);
		expect(rec.error).toBeUndefined();
		const out = rec.items('Profile');
		expect(out.map((i) => (i.json.recorded as IDataObject).status)).toEqual(['recorded', 'recorded', 'recorded']);
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json.messageId).toBe(events[0].messageId);
		const again = await run(wf('record'), [events[2]]);
		expect((again.items('Profile')[0].json.recorded as IDataObject).status).toBe('duplicate');

		const get = await run(wf('get'), [{ email: 'jo@example.com' }, { userId: 'nobody' }]);
		const [found, missing] = get.items('Profile');
		expect(found.json.profileFound).toBe(true);
		expect(found.json.profile).toMatchObject({
			userId: 'cust-1',
			email: 'jo@example.com',
			anonymousIds: ['anon-9'],
			ordersCount: 1,
			totalSpentMinor: { EUR: 9810 },
			lastOrderAt: at(2),
			recentViews: [{ product_id: 'sku-1', name: 'Linen shirt', price: 49, at: at(0) }],
		});
		expect(missing.json).toEqual({ userId: 'nobody', profile: null, profileFound: false });
		expect(get.items('Profile').map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);

		const byValue = await run(wf('get', { findBy: 'anonymousId', findValue: 'anon-9', profileField: 'customer' }), [{}]);
		expect((byValue.items('Profile')[0].json.customer as IDataObject).userId).toBe('cust-1');
	});

	it('passes Normalize Event\'s empty-batch placeholder through as skipped, paired, and records the events around it (FIT-11)', async () => {
		const placeholder = { event: null, skipped: true, reason: 'The payload held no events', source: 'sendgrid' };
		const order = ev('Order Completed', { userId: 'cust-11' }, 1, { order_id: 'P1', total: 5, currency: 'USD' });
		const res = await run(wf('record'), [placeholder, order, placeholder]);
		expect(res.error).toBeUndefined();
		const out = res.items('Profile');
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json).toEqual({ ...placeholder, recorded: { status: 'skipped', profileId: null } });
		expect((out[1].json.recorded as IDataObject).status).toBe('recorded');
		expect((out[2].json.recorded as IDataObject).status).toBe('skipped');
		expect((await run(wf('get'), [{ userId: 'cust-11' }])).items('Profile')[0].json.profile).toMatchObject({ ordersCount: 1 });
		// with an Event Field, a placeholder under that field is skipped too; an event without messageId still fails
		const nested = await run(wf('record', { eventField: 'payload', resultField: 'rec' }), [{ payload: placeholder }]);
		expect(nested.error).toBeUndefined();
		expect((nested.items('Profile')[0].json.rec as IDataObject).status).toBe('skipped');
		const noId = await run(wf('record'), [{ ...order, messageId: undefined, skipped: true }]);
		expect(noId.error?.message).toContain('messageId');
	});

	describe('Normalize Event\'s empty-batch placeholder in the other operations', () => {
		// Normalize Event → Customer Profile, through the engine. Input item 0 is an empty Segment batch
		// (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#batch), which
		// Normalize Event turns into its placeholder; item 1 is a Segment track call of a checkout.
		const placeholder = { event: null, skipped: true, reason: 'The payload held no events', source: 'segment' };
		const checkout = { type: 'track', event: 'Checkout Started', userId: 'seg-1', messageId: `seg-co-${process.pid}`, timestamp: at(0), properties: { checkout_id: 'K1' } };
		const input = [{ body: { type: 'batch', batch: [] } }, { body: checkout }];
		function fromNormalize(operation: string, params: IDataObject = {}): WorkflowJson {
			const normalize = node('Normalize Event', 'normalizeEvent', { source: 'segment', payloadField: 'body', onUnknown: 'error' });
			const profile = node('Profile', 'customerProfile', { operation, ...target.params, ...params } as INode['parameters'], target.extra);
			return { nodes: [normalize, profile], connections: chain('Normalize Event', 'Profile') };
		}
		beforeEach(async () => {
			// seg-1 bought 30 minutes after the checkout
			const rec = await run(wf('record'), [ev('Order Completed', { userId: 'seg-1' }, 30, { order_id: 'S1', total: 9, currency: 'USD' })]);
			expect((rec.items('Profile')[0].json.recorded as IDataObject).status).toBe('recorded');
		});

		it('Get Profile passes it through, paired, as not found, and gets the profile of the event next to it', async () => {
			const res = await run(fromNormalize('get'), input);
			expect(res.error).toBeUndefined();
			const out = res.items('Profile');
			expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
			expect(out[0].json).toEqual({ ...placeholder, profile: null, profileFound: false });
			expect(out[1].json.profileFound).toBe(true);
			expect(out[1].json.profile).toMatchObject({ userId: 'seg-1', ordersCount: 1 });
			// by a single identity whose Value reads the item: the placeholder passes through the same way
			const byEmail = await run(fromNormalize('get', { findBy: 'email', findValue: '={{ $json.email }}', profileField: 'customer' }), [input[0]]);
			expect(byEmail.error).toBeUndefined();
			expect(byEmail.items('Profile').map((i) => [i.json, i.pairedItem])).toEqual([[{ ...placeholder, customer: null, profileFound: false }, { item: 0 }]]);
		});

		it('Check Event Since passes it through, paired, as "did not happen", as a field and on the Not Happened output', async () => {
			const field = await run(fromNormalize('checkSince'), input);
			expect(field.error).toBeUndefined();
			const out = field.items('Profile');
			expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
			expect(out[0].json).toEqual({ ...placeholder, happenedSince: false });
			expect(out[1].json.happenedSince).toBe(true);

			const routed = await run(fromNormalize('checkSince', { checkOutput: 'route' }), input);
			expect(routed.error).toBeUndefined();
			expect(routed.items('Profile', 0).map((i) => [i.json.messageId, i.pairedItem])).toEqual([[checkout.messageId, { item: 1 }]]);
			expect(routed.items('Profile', 1).map((i) => [i.json, i.pairedItem])).toEqual([[placeholder, { item: 0 }]]);
		});

		it('Erase Customer passes it through, paired, erasing nothing', async () => {
			const erase = await run(fromNormalize('erase'), [input[0]]);
			expect(erase.error).toBeUndefined();
			expect(erase.items('Profile').map((i) => [i.json, i.pairedItem])).toEqual([
				[{ ...placeholder, erased: false, profileId: null, profilesDeleted: 0, identitiesDeleted: 0, eventsDeleted: 0, sendsDeleted: 0 }, { item: 0 }],
			]);
			expect((await run(wf('get'), [{ userId: 'seg-1' }])).items('Profile')[0].json.profileFound).toBe(true);
		});

		it('Check Suppression passes it through, paired, as an address the store does not know', async () => {
			const suppression = await run(fromNormalize('suppression'), [input[0]]);
			expect(suppression.error).toBeUndefined();
			expect(suppression.items('Profile').map((i) => [i.json, i.pairedItem])).toEqual([
				[{ ...placeholder, suppression: { suppressed: false, unsubscribed: false, bounced: false, complained: false, known: false } }, { item: 0 }],
			]);
		});

		it('an item of a customer that merely has skipped: true (e.g. Lifetime Value\'s skipped customers, a flag of your own) is looked up as any other', async () => {
			// gone@ unsubscribed and ordered; items that name them and carry skipped: true are not Normalize Event's placeholder
			const rec = await run(wf('record'), [ev('Unsubscribed', { email: 'gone@example.com' }, 1), ev('Order Completed', { email: 'gone@example.com' }, 2, { total: 5 })]);
			expect(rec.error).toBeUndefined();
			const flagged = { email: 'gone@example.com', skipped: true, reason: 'all orders after End of Observation' };
			const suppression = await run(wf('suppression'), [flagged]);
			expect(suppression.error).toBeUndefined();
			expect(suppression.items('Profile')[0].json.suppression).toEqual({ suppressed: true, unsubscribed: true, bounced: false, complained: false, known: true });
			const get = await run(wf('get'), [flagged]);
			expect(get.error).toBeUndefined();
			expect(get.items('Profile')[0].json.profileFound).toBe(true);
			const byValue = await run(wf('get', { findBy: 'email', findValue: '={{ $json.mail }}' }), [{ customer_id: 'c-1', skipped: true, mail: 'gone@example.com' }]);
			expect(byValue.items('Profile')[0].json.profileFound).toBe(true);
			const since = await run(wf('checkSince', { since: 'time', sinceTime: at(0) }), [flagged]);
			expect(since.error).toBeUndefined();
			expect(since.items('Profile')[0].json.happenedSince).toBe(true);
			const erase = await run(wf('erase'), [flagged]);
			expect(erase.items('Profile')[0].json.erased).toBe(true);
		});
	});

	it('fails a bad event naming the item and field, and records nothing of that execution', async () => {
		const good = ev('Order Completed', { userId: 'cust-2' }, 1, { total: 5 });
		const bad = ev('Order Completed', {}, 2, { total: 5 });
		const res = await run(wf('record'), [good, bad]);
		expect(res.error?.message).toContain('Item 1');
		expect(res.error?.message).toContain('no identity');
		expect(res.error?.name).toBe('NodeOperationError');
		expect((await run(wf('get'), [{ userId: 'cust-2' }])).items('Profile')[0].json.profileFound).toBe(false);

		const badTime = { ...ev('Order Completed', { userId: 'cust-3' }, 3), timestamp: 'last Tuesday' };
		const lenient = await run(wf('record', {}, { onError: 'continueRegularOutput' }), [good, badTime, { nothing: 1 }]);
		expect(lenient.error).toBeUndefined();
		const out = lenient.items('Profile');
		expect((out[0].json.recorded as IDataObject).status).toBe('recorded');
		expect(String(out[1].json.error)).toContain('last Tuesday');
		expect(String(out[2].json.error)).toContain('Item 2');
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect((await run(wf('get'), [{ userId: 'cust-3' }])).items('Profile')[0].json.profileFound).toBe(false);
	});

	it('refuses an event dated more than a day after it was received, naming the item and the timestamp; Continue On Fail records the rest', async () => {
		const now = ev('Email Opened', { userId: 'fut-1' }, 0);
		const later = { ...ev('Identify', { userId: 'fut-1' }, 1), timestamp: '2099-01-01T00:00:00.000Z' };
		const res = await run(wf('record'), [now, later]);
		expect(res.error?.message).toMatch(/^Item 1: The timestamp 2099-01-01T00:00:00.000Z is more than 24 hours after its receivedAt/);
		expect(res.error?.description).toBe('Field: timestamp');
		const lenient = await run(wf('record', {}, { onError: 'continueRegularOutput' }), [now, later]);
		const out = lenient.items('Profile');
		expect((out[0].json.recorded as IDataObject).status).toBe('recorded');
		expect(String(out[1].json.error)).toContain('more than 24 hours');
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const profile = (await run(wf('get'), [{ userId: 'fut-1' }])).items('Profile')[0].json.profile as IDataObject;
		expect(profile.lastSeenAt).toBe(at(0));
	});

	it('checks "did they buy since the abandoned checkout?" as a field and as two outputs', async () => {
		const checkoutA = ev('Checkout Started', { userId: 'buyer' }, 0, { products: [{ product_id: 'p' }], recovery_url: 'https://shop/r/1' });
		const checkoutB = ev('Checkout Started', { userId: 'browser' }, 0, { products: [{ product_id: 'p' }] });
		await run(wf('record'), [checkoutA, checkoutB, ev('Order Completed', { userId: 'buyer' }, 45, { total: 10 }), ev('Order Completed', { userId: 'browser' }, -60, { total: 10 })]);

		const asField = await run(wf('checkSince'), [checkoutA, checkoutB]);
		expect(asField.items('Profile').map((i) => i.json.happenedSince)).toEqual([true, false]);
		expect(asField.items('Profile')[0].json.messageId).toBe(checkoutA.messageId);

		const routed = await run(wf('checkSince', { checkOutput: 'route' }), [checkoutA, checkoutB, checkoutA]);
		expect(routed.items('Profile', 0).map((i) => i.json.userId)).toEqual(['buyer', 'buyer']);
		expect(routed.items('Profile', 0).map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(routed.items('Profile', 1).map((i) => [i.json.userId, i.pairedItem])).toEqual([['browser', { item: 1 }]]);

		const fromTime = await run(wf('checkSince', { since: 'time', sinceTime: at(50), findBy: 'userId', findValue: 'buyer' }), [{}]);
		expect(fromTime.items('Profile')[0].json.happenedSince).toBe(false);
	});

	it('exports profiles and transactions as items and as a CSV file', async () => {
		await run(wf('record'), [
			ev('Order Completed', { userId: 'c1', email: 'c1@example.com' }, 1, { order_id: 'O-1', total: 10.5, currency: 'USD' }),
			ev('Order Completed', { userId: 'c2' }, 2, { order_id: 'O-2', total: '7', currency: 'USD' }),
			ev('Order Completed', { userId: 'c1' }, 3, { order_id: 'O-3', total: 2, currency: 'USD' }),
		]);
		const tx = await run(wf('export', { exportWhat: 'transactions' }), [{}]);
		expect(tx.items('Profile').map((i) => [i.json.userId, i.json.orderId, i.json.amountMinor])).toEqual([
			['c1', 'O-1', 1050],
			['c2', 'O-2', 700],
			['c1', 'O-3', 200],
		]);
		expect(tx.items('Profile').every((i) => JSON.stringify(i.pairedItem) === '{"item":0}')).toBe(true);

		const profiles = await run(wf('export', { exportWhat: 'profiles' }), [{}]);
		expect(profiles.items('Profile')).toHaveLength(2);

		const csv = await run(wf('export', { exportWhat: 'profiles', format: 'csv' }), [{}]);
		const [file] = csv.items('Profile');
		expect(file.json).toEqual({ rows: 2, export: 'profiles' });
		expect(file.binary?.data.mimeType).toBe('text/csv');
		const text = Buffer.from(file.binary!.data.data, 'base64').toString('utf8');
		const lines = text.trim().split('\r\n');
		expect(lines).toHaveLength(3);
		const header = lines[0].split(',');
		const c1 = lines.map((l) => l.split(',')).find((cells) => cells[header.indexOf('userId')] === 'c1')!;
		expect(c1[header.indexOf('ordersCount')]).toBe('2');
		expect(c1[header.indexOf('spentMinor_USD')]).toBe('1250');
		expect(c1[header.indexOf('email')]).toBe('c1@example.com');
	});

	it('the profiles CSV lists the scopes a customer is unsubscribed from now', async () => {
		const who = (context: IDataObject): IDataObject => ({ userId: 'u-csv', email: 'u@example.com', context });
		const pm = { source: 'postmark', topic: 'SubscriptionChange', stream: 'outbound' };
		const rec = await run(wf('record'), [
			ev('Unsubscribed', who({ source: 'sendgrid', topic: 'group_unsubscribe' }), 1, { asm_group_id: 7 }),
			ev('Unsubscribed', who(pm), 2),
			ev('Resubscribed', who(pm), 3),
			ev('Unsubscribed', who({ source: 'ses', topic: 'Subscription' }), 4, { contact_list: 'Weekly', topics_opted_out: ['deals'] }),
		]);
		const id = rec.items('Profile')[0].json.recorded as IDataObject;
		const csv = await run(wf('export', { exportWhat: 'profiles', format: 'csv' }), [{}]);
		const text = Buffer.from(csv.items('Profile')[0].binary!.data.data, 'base64').toString('utf8');
		expect(text).toBe(
			'profileId,userId,email,firstSeenAt,lastSeenAt,lastActiveAt,ordersCount,firstOrderAt,lastOrderAt,' +
				'delivered_30d,opened_30d,clicked_30d,delivered_90d,opened_90d,clicked_90d,last_open_at,last_click_at,' +
				'openCartValue,openCartAt,unsubscribed,unsubscribedScopes,bounced,complained\r\n' +
				`${String(id.profileId)},u-csv,u@example.com,2026-03-01T10:01:00.000Z,2026-03-01T10:04:00.000Z,,0,,,` +
				'0,0,0,0,0,0,,,,,true,sendgrid_group:7; ses_topic:Weekly/deals,false,false\r\n',
		);
	});

	it('runs an export per input item, each with its own parameters, and pairs the rows with the item that asked', async () => {
		await run(wf('record'), [
			ev('Order Completed', { userId: 'p1' }, 1, { order_id: 'Q-1', total: 1, currency: 'USD' }),
			ev('Order Completed', { userId: 'p2' }, 2, { order_id: 'Q-2', total: 2, currency: 'USD' }),
			ev('Order Completed', { userId: 'p1' }, 3, { order_id: 'Q-3', total: 3, currency: 'USD' }),
		]);
		// item 0 asks for orders since minute 2, item 1 for all of them
		const perItem = wf('export', { exportWhat: 'transactions', exportSince: '={{ $json.since }}' });
		const tx = await run(perItem, [{ since: at(2) }, { since: '' }]);
		expect(tx.error).toBeUndefined();
		expect(tx.items('Profile').map((i) => [i.json.orderId, i.pairedItem])).toEqual([
			['Q-2', { item: 0 }],
			['Q-3', { item: 0 }],
			['Q-1', { item: 1 }],
			['Q-2', { item: 1 }],
			['Q-3', { item: 1 }],
		]);
		const files = await run(wf('export', { exportWhat: 'profiles', format: 'csv', returnAll: false, limit: '={{ $json.limit }}' }), [{ limit: 1 }, { limit: 5 }]);
		expect(files.items('Profile').map((i) => [i.json, i.pairedItem])).toEqual([
			[{ rows: 1, export: 'profiles' }, { item: 0 }],
			[{ rows: 2, export: 'profiles' }, { item: 1 }],
		]);

		// a bad Since fails its own item: named, paired, the other item still exported
		const bad = [{ since: 'soon' }, { since: at(3) }];
		const strict = await run(perItem, bad);
		expect(strict.error?.message).toBe('Item 0: "Since" (soon) is not a valid date');
		expect((strict.nodes.Profile.error as unknown as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(0);
		const lenient = await run(wf('export', { exportWhat: 'transactions', exportSince: '={{ $json.since }}' }, { onError: 'continueRegularOutput' }), bad);
		expect(lenient.items('Profile').map((i) => [i.json.error ?? i.json.orderId, i.pairedItem])).toEqual([
			['Item 0: "Since" (soon) is not a valid date', { item: 0 }],
			['Q-3', { item: 1 }],
		]);
	});

	it('erases a customer and reports what was deleted; checks suppression', async () => {
		await run(wf('record'), [
			ev('Identify', { userId: 'del', email: 'del@example.com' }, 0),
			ev('Email Bounced', { email: 'del@example.com' }, 1),
			ev('Unsubscribed', { email: 'unsub@example.com' }, 1),
		]);
		const sup = await run(wf('suppression'), [{ email: 'DEL@example.com' }, { email: 'unsub@example.com' }, { email: 'fresh@example.com' }]);
		expect(sup.items('Profile').map((i) => (i.json.suppression as IDataObject).suppressed)).toEqual([true, true, false]);
		expect(sup.items('Profile')[0].json.suppression).toEqual({ suppressed: true, unsubscribed: false, bounced: true, complained: false, known: true });

		const erased = await run(wf('erase', { findBy: 'email', findValue: 'del@example.com' }), [{}]);
		expect(erased.items('Profile')[0].json).toMatchObject({ erased: true, profilesDeleted: 1, identitiesDeleted: 2, eventsDeleted: 2 });
		const again = await run(wf('erase'), [{ userId: 'del' }]);
		expect(again.items('Profile')[0].json).toMatchObject({ erased: false, profilesDeleted: 0, eventsDeleted: 0 });
		const noIdentity = await run(wf('get'), [{ foo: 1 }]);
		expect(noIdentity.error?.message).toContain('Item 0 has no userId, email or anonymousId');
	});

	it('a SendGrid group resubscribe lifts the unsubscribe of that group only (Check Suppression, Get)', async () => {
		const sendgrid = (topic: string) => ({ context: { source: 'sendgrid', topic } });
		await run(wf('record'), [
			{ ...ev('Unsubscribed', { email: 'back@example.com' }, 1, { asm_group_id: '7' }), ...sendgrid('group_unsubscribe') },
			{ ...ev('Unsubscribed', { email: 'other@example.com' }, 1, { asm_group_id: '7' }), ...sendgrid('group_unsubscribe') },
		]);
		const before = await run(wf('suppression'), [{ email: 'back@example.com' }, { email: 'other@example.com' }]);
		expect(before.items('Profile').map((i) => (i.json.suppression as IDataObject).suppressed)).toEqual([true, true]);
		// Five minutes later: back@ resubscribes to group 7, other@ to group 8.
		await run(wf('record'), [
			{ ...ev('Resubscribed', { email: 'back@example.com' }, 6, { asm_group_id: '7' }), ...sendgrid('group_resubscribe') },
			{ ...ev('Resubscribed', { email: 'other@example.com' }, 6, { asm_group_id: '8' }), ...sendgrid('group_resubscribe') },
		]);
		const after = await run(wf('suppression'), [{ email: 'back@example.com' }, { email: 'other@example.com' }]);
		expect(after.items('Profile').map((i) => i.json.suppression)).toEqual([
			{ suppressed: false, unsubscribed: false, bounced: false, complained: false, known: true },
			{ suppressed: true, unsubscribed: true, bounced: false, complained: false, known: true },
		]);
		const got = await run(wf('get'), [{ email: 'back@example.com' }]);
		expect(got.items('Profile')[0].json.profile).toMatchObject({
			unsubscribed: false,
			subscriptions: [{ scope: 'sendgrid_group', group: '7', unsubscribed: false, unsubscribedAt: at(1), resubscribedAt: at(6) }],
		});
	});
});

describe('Customer Profile storage set-up', () => {
	it('puts the SQLite file in the n8n folder when no path is set', async () => {
		const userFolder = process.env.N8N_USER_FOLDER!;
		const workflow = { nodes: [node('Profile', 'customerProfile', { operation: 'record', storage: 'sqlite' })], connections: {} };
		const res = await runWorkflow(workflow, { input: items([ev('Identify', { userId: 'here' }, 0)]) });
		expect(res.error).toBeUndefined();
		expect(fs.existsSync(path.join(userFolder, '.n8n', 'personalization-profiles.sqlite'))).toBe(true);
	});

	it('tests the PostgreSQL credential with a real connection', async () => {
		const pkg = await loadPackage();
		const type = pkg.nodeTypes.getByNameAndVersion('n8n-nodes-personalization.customerProfile') as unknown as {
			methods: { credentialTest: Record<string, (c: unknown) => Promise<{ status: string; message: string }>> };
		};
		const test = type.methods.credentialTest.personalizationPostgresConnectionTest;
		const cred = (data: IDataObject) => ({ id: '1', name: 'pg', type: 'personalizationPostgresApi', data });
		expect(await test.call({}, cred(pgCredential))).toEqual({ status: 'OK', message: 'Connection successful' });
		const bad = await test.call({}, cred({ ...pgCredential, database: 'no_such_database_pz' }));
		expect(bad.status).toBe('Error');
		expect(bad.message).toContain('no_such_database_pz');
		expect(bad.message).not.toContain(pgCredential.password);
	});
});
