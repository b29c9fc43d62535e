/**
 * Customer Profile → Export for Scoring as a CSV file when nothing matches (an empty store, or a
 * Since after the last order), through the real n8n engine, on SQLite and PostgreSQL. Before, the
 * file was one empty line: no header, so a Read CSV / spreadsheet import after it had no columns
 * (and a nightly append to a sheet broke on the quiet days). Now it is the header line alone.
 * Expected columns from the README (Export for Scoring: the transaction row's fields, and the
 * profile row's fixed columns; `spentMinor_<CUR>` only exist per currency seen).
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow } from '../harness/engine';
import { profileEvent, profileNodeStorages, type ProfileNodeTarget } from '../harness/profile-db';

const TRANSACTION_HEADER = 'profileId,userId,email,messageId,orderId,at,currency,amountMinor,amount,customer_id,timestamp\r\n';
const PROFILE_HEADER =
	'profileId,userId,email,firstSeenAt,lastSeenAt,lastActiveAt,ordersCount,firstOrderAt,lastOrderAt,' +
	'delivered_30d,opened_30d,clicked_30d,delivered_90d,opened_90d,clicked_90d,last_open_at,last_click_at,' +
	'openCartValue,openCartAt,unsubscribed,unsubscribedScopes,bounced,complained\r\n';

const { storages, drop } = profileNodeStorages('ecsv');
afterAll(() => drop());

describe.each(storages)('an export with no rows as CSV on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	async function csvOf(operation: string, params: IDataObject, input: IDataObject[] = [{}]) {
		const profile = node('Profile', 'customerProfile', { operation, ...target.params, ...params } as INode['parameters'], target.extra);
		const res = await runWorkflow({ nodes: [profile], connections: chain('Profile') }, { input: input.map((json) => ({ json })), credentials: target.credentials as never });
		if (res.error) throw res.error;
		return res.items('Profile');
	}
	const text = (item: INodeExecutionData) => Buffer.from(item.binary!.data.data, 'base64').toString('utf8');

	it('an empty store gives the header line alone, for transactions and for profiles', async () => {
		const [tx] = await csvOf('export', { exportWhat: 'transactions', format: 'csv' });
		expect(tx.json).toEqual({ rows: 0, export: 'transactions' });
		expect(text(tx)).toBe(TRANSACTION_HEADER);
		const [profiles] = await csvOf('export', { exportWhat: 'profiles', format: 'csv' });
		expect(profiles.json).toEqual({ rows: 0, export: 'profiles' });
		expect(text(profiles)).toBe(PROFILE_HEADER);
	});

	it('a Since after every order gives the header line alone; with rows the header is unchanged', async () => {
		const order = profileEvent<IDataObject>({ event: 'Order Completed', userId: 'u1', properties: { order_id: 'A-1', total: 5, currency: 'USD' } }, 0, `ecsv-${process.pid}`);
		await csvOf('record', {}, [order]);
		const [none] = await csvOf('export', { exportWhat: 'transactions', format: 'csv', exportSince: '2026-01-02T00:00:00Z' });
		expect(text(none)).toBe(TRANSACTION_HEADER);
		const [one] = await csvOf('export', { exportWhat: 'transactions', format: 'csv' });
		const lines = text(one).split('\r\n');
		expect(lines[0] + '\r\n').toBe(TRANSACTION_HEADER);
		expect(lines[1]).toMatch(/,u1,,ecsv-\d+-\d+,A-1,2026-01-01T00:00:00.000Z,USD,500,5,/);
	});
});
