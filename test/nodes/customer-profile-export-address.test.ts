/**
 * Customer Profile → Export (profiles, as items and as CSV) of customers whose address another,
 * unmerged profile or an erased customer's kept record holds a flag for, through the real n8n
 * engine on SQLite and PostgreSQL. Get Profile answers with the address's flags (README "Shared
 * addresses"); Export answered with each profile's own, so a list exported for a mailing tool
 * (or for a segment of "subscribed" customers) still had the second customer at a family address
 * as subscribed after the first one unsubscribed. Now Export's unsubscribed / bounced /
 * complained, subscriptions (CSV unsubscribedScopes) and addressSuppression are Get Profile's.
 * Expected values worked out by hand from the events of each test; each exported profile is also
 * compared with Get Profile's answer for it.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow } from '../harness/engine';
import { profileNodeStorages, runProfileNode, type ProfileNodeTarget } from '../harness/profile-db';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let seq = 0;
const ev = (event: string, who: IDataObject, minutes: number, properties: IDataObject = {}): IDataObject => ({
	type: event === 'Identify' ? 'identify' : 'track',
	event,
	messageId: `exa-${process.pid}-${++seq}`,
	timestamp: at(minutes),
	receivedAt: at(minutes),
	properties,
	context: { source: 'test' },
	...who,
});

/** RFC 4180 lines of a CSV without quoted cells (these rows have none) → one object per row. */
function csvRows(text: string): Array<Record<string, string>> {
	const [header, ...lines] = text.split('\r\n').filter(Boolean);
	const cols = header.split(',');
	return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

const { storages, drop } = profileNodeStorages('exa');
afterAll(() => drop());

describe.each(storages)('Export gives the address\'s flags, as Get Profile does, on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	const run = (operation: string, input: IDataObject[], params: IDataObject = {}) => runProfileNode(target, operation, input, params);
	const exported = async () => {
		const rows = (await run('export', [{}], { exportWhat: 'profiles', format: 'items' })) as IDataObject[];
		return new Map(rows.map((p) => [p.userId as string, p]));
	};
	async function exportedCsv(): Promise<Map<string, Record<string, string>>> {
		const profile = node('Profile', 'customerProfile', { operation: 'export', exportWhat: 'profiles', format: 'csv', ...target.params } as INode['parameters'], target.extra);
		const res = await runWorkflow({ nodes: [profile], connections: chain('Profile') }, { input: [{ json: {} }], credentials: target.credentials as never });
		if (res.error) throw res.error;
		const [item] = res.items('Profile') as INodeExecutionData[];
		return new Map(csvRows(Buffer.from(item.binary!.data.data, 'base64').toString('utf8')).map((r) => [r.userId, r]));
	}
	const profileOf = async (userId: string) => (await run('get', [{ userId }]))[0].profile as IDataObject;

	it('the second customer at a family address is exported unsubscribed after the first unsubscribed (items and CSV)', async () => {
		await run('record', [
			ev('Identify', { userId: 'ann', email: 'family@example.com' }, 0),
			ev('Identify', { userId: 'ben', email: 'family@example.com' }, 5),
			ev('Unsubscribed', { userId: 'ann', email: 'family@example.com' }, 10),
			ev('Identify', { userId: 'fay', email: 'fay@example.com' }, 12),
		]);
		const all = await exported();
		const ann = all.get('ann')!;
		const ben = all.get('ben')!;
		const fay = all.get('fay')!;
		expect(ann).toMatchObject({ unsubscribed: true });
		expect(ann).not.toHaveProperty('addressSuppression');
		expect(ben).toMatchObject({ email: 'family@example.com', unsubscribed: true, bounced: false, complained: false });
		expect(ben.addressSuppression).toEqual({ unsubscribed: true, bounced: false, complained: false, profileIds: [ann.profileId], erasedCustomer: false });
		expect(ben.subscriptions).toEqual([{ scope: 'global', unsubscribed: true, unsubscribedAt: at(10), resubscribedAt: null, profileId: ann.profileId }]);
		// alone at her address: as before
		expect(fay).toMatchObject({ unsubscribed: false, bounced: false, complained: false });
		expect(fay).not.toHaveProperty('addressSuppression');
		for (const id of ['ann', 'ben', 'fay']) expect(all.get(id)).toEqual(await profileOf(id));

		const csv = await exportedCsv();
		expect(csv.get('ben')).toMatchObject({ unsubscribed: 'true', unsubscribedScopes: 'global', bounced: 'false' });
		expect(csv.get('ann')).toMatchObject({ unsubscribed: 'true', unsubscribedScopes: 'global' });
		expect(csv.get('fay')).toMatchObject({ unsubscribed: 'false', unsubscribedScopes: '' });
	});

	it('a bounce held by a customer who has since moved to another address reaches the new customer at the bounced one', async () => {
		// Ann's old address bounces, she moves to a new one (her profile keeps the old address's
		// identity and bounce); Ben then uses the old address.
		await run('record', [
			ev('Identify', { userId: 'ann', email: 'old@example.com' }, 0),
			ev('Email Bounced', { userId: 'ann', email: 'old@example.com' }, 5, { bounce_type: 'hard' }),
			ev('Identify', { userId: 'ann', email: 'new@example.com' }, 10),
			ev('Identify', { userId: 'ben', email: 'old@example.com' }, 15),
		]);
		const all = await exported();
		const ann = all.get('ann')!;
		expect(ann).toMatchObject({ email: 'new@example.com', bounced: false });
		expect(all.get('ben')).toMatchObject({ email: 'old@example.com', unsubscribed: false, bounced: true, complained: false });
		expect(all.get('ben')!.addressSuppression).toEqual({ unsubscribed: false, bounced: true, complained: false, profileIds: [ann.profileId], erasedCustomer: false });
		for (const id of ['ann', 'ben']) expect(all.get(id)).toEqual(await profileOf(id));
		expect((await exportedCsv()).get('ben')).toMatchObject({ bounced: 'true', unsubscribed: 'false' });
	});

	it('an erased customer\'s unsubscribe and complaint stay with the address in the export', async () => {
		await run('record', [
			ev('Identify', { userId: 'dora', email: 'dora@example.com' }, 0),
			ev('Unsubscribed', { userId: 'dora', email: 'dora@example.com' }, 5),
			ev('Email Marked as Spam', { userId: 'dora', email: 'dora@example.com' }, 6),
		]);
		await run('erase', [{ userId: 'dora' }]);
		await run('record', [ev('Identify', { userId: 'eve', email: 'Dora@Example.com' }, 10), ev('Identify', { userId: 'gus', email: 'gus@example.com' }, 11)]);
		const all = await exported();
		expect([...all.keys()].sort()).toEqual(['eve', 'gus']);
		expect(all.get('eve')).toMatchObject({ unsubscribed: true, bounced: false, complained: true });
		expect(all.get('eve')!.addressSuppression).toEqual({ unsubscribed: true, bounced: false, complained: true, profileIds: [], erasedCustomer: true });
		expect(all.get('gus')).toMatchObject({ unsubscribed: false, complained: false });
		expect(all.get('gus')).not.toHaveProperty('addressSuppression');
		for (const id of ['eve', 'gus']) expect(all.get(id)).toEqual(await profileOf(id));
		expect((await exportedCsv()).get('eve')).toMatchObject({ unsubscribed: 'true', complained: 'true', unsubscribedScopes: '' });
	});
});
