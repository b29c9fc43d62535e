/**
 * Customer Profile → Record Events with Test Events = Skip (through the real n8n engine, on SQLite
 * and PostgreSQL). Normalize Event marks Shopify test orders (`test: true`) and Stripe test-mode
 * events (`livemode: false`) with `context.test: true` (README, Source topic → canonical event).
 * Before, Record Events had no such option and counted them as orders and revenue; the default
 * (Record) still does, so existing workflows are unchanged. Expected values by hand.
 */
import type { IDataObject } from 'n8n-workflow';
import { profileEvent, profileNodeStorages, runProfileNode, type ProfileNodeTarget } from '../harness/profile-db';

const ev = (partial: { event: string } & IDataObject, minutes: number) => profileEvent<IDataObject>(partial, minutes, `tev-${process.pid}`);
const order = (id: string, total: number, test: boolean, minutes: number) =>
	ev({ event: 'Order Completed', userId: 'u1', properties: { order_id: id, total, currency: 'USD' }, context: { source: 'shopify', ...(test ? { test: true } : {}) } }, minutes);

const { storages, drop } = profileNodeStorages('tev');
afterAll(() => drop());

describe.each(storages)('Record Events and test events on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	const run = (operation: string, input: IDataObject[], params: IDataObject = {}) => runProfileNode(target, operation, input, params);

	it('Skip passes a test order through unrecorded, one paired item each; the real order counts', async () => {
		const out = await run('record', [order('T-1', 99, true, 0), order('R-1', 10, false, 1)], { testEvents: 'skip' });
		expect(out).toHaveLength(2);
		expect(out[0].recorded).toEqual({ status: 'skipped', profileId: null, reason: 'test event' });
		expect(out[1].recorded).toMatchObject({ status: 'recorded' });
		const [got] = await run('get', [{ userId: 'u1' }]);
		expect(got).toMatchObject({ profile: { ordersCount: 1, totalSpentMinor: { USD: 1000 } } });
		const tx = await run('export', [{}], { exportWhat: 'transactions' });
		expect(tx.map((t) => t.orderId)).toEqual(['R-1']);
	});

	it('the default records test events as before', async () => {
		const out = await run('record', [order('T-2', 99, true, 0), order('R-2', 10, false, 1)]);
		expect(out.map((o) => (o.recorded as IDataObject).status)).toEqual(['recorded', 'recorded']);
		const [got] = await run('get', [{ userId: 'u1' }]);
		expect(got).toMatchObject({ profile: { ordersCount: 2, totalSpentMinor: { USD: 10900 } } });
	});
});
