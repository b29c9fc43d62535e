/**
 * Customer Segments → Lifetime Value carries each customer's identities (userId, email,
 * anonymousId, and the id under its own field name) to its output items, as RFM does, so
 * Customer Profile → Get Profile (Find Customer By: The Item's Identities) finds the customer.
 * Before, Lifetime Value output only customer_id and Get Profile failed on every item
 * ("Item 0 has no userId, email or anonymousId field to find the customer by").
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow } from '../harness/engine';
import { tempSqliteFile } from '../harness/profile-db';

const NAME = 'Customer Segments';
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));
const clv = (params: IDataObject) =>
	node(NAME, 'customerSegments', { operation: 'lifetimeValue', clvInput: 'transactions', observationEnd: '2024-01-31', timeUnit: 'days', ...params } as never);

// Keyed on email; a and b carry a userId (a's latest order has a new one), c has none.
const TX = [
	{ email: 'a@example.com', userId: 'u-a-old', amount: 10, timestamp: '2024-01-02T10:00:00Z' },
	{ email: 'a@example.com', userId: 'u-a', amount: 10, timestamp: '2024-01-20T10:00:00Z' },
	{ email: 'b@example.com', userId: 'u-b', amount: 10, timestamp: '2024-01-05T10:00:00Z' },
	{ email: 'b@example.com', userId: 'u-b', amount: 12, timestamp: '2024-01-15T10:00:00Z' },
	{ email: 'c@example.com', amount: 25, timestamp: '2024-01-10T10:00:00Z' },
	// after the End of Observation: left out, so its userId is not carried
	{ email: 'b@example.com', userId: 'u-b-later', amount: 5, timestamp: '2024-02-03T10:00:00Z' },
];

describe('Lifetime Value output carries the customer identities, as RFM does', () => {
	it('writes the id under its own field (email) and the latest userId right after customer_id', async () => {
		const result = await runWorkflow({ nodes: [clv({ clvCustomerIdField: 'email' })], connections: {} }, { input: items(TX) });
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => i.json);
		const by = Object.fromEntries(out.map((j) => [j.customer_id, j]));
		expect(by['a@example.com']).toMatchObject({ email: 'a@example.com', userId: 'u-a', frequency: 1 });
		expect(by['b@example.com']).toMatchObject({ email: 'b@example.com', userId: 'u-b', frequency: 1 });
		expect(by['c@example.com']).toMatchObject({ email: 'c@example.com', frequency: 0 });
		expect(by['c@example.com']).not.toHaveProperty('userId');
		expect(Object.keys(out[0]).slice(0, 3)).toEqual(['customer_id', 'userId', 'email']);
	});

	it('keyed on customer_id, copies userId / email / anonymousId from the orders; Customers input too', async () => {
		const tx = [
			{ customer_id: 'p1', anonymousId: 'anon-1', amount: 5, timestamp: '2024-01-03T00:00:00Z' },
			{ customer_id: 'p1', email: 'p1@example.com', amount: 5, timestamp: '2024-01-09T00:00:00Z' },
			{ customer_id: 'p2', amount: 5, timestamp: '2024-01-04T00:00:00Z' },
			{ customer_id: 'p2', amount: 6, timestamp: '2024-01-08T00:00:00Z' },
		];
		const result = await runWorkflow({ nodes: [clv({})], connections: {} }, { input: items(tx) });
		expect(result.error).toBeUndefined();
		const [p1, p2] = result.items(NAME).map((i) => i.json);
		expect(p1).toMatchObject({ customer_id: 'p1', anonymousId: 'anon-1', email: 'p1@example.com' });
		expect(Object.keys(p2).filter((k) => ['userId', 'email', 'anonymousId', 'customer_id'].includes(k))).toEqual(['customer_id']);

		const customers = [
			{ mail: 'x@example.com', userId: 7, frequency: 2, recency: 10, T: 20, monetary_value: 30 },
			{ mail: 'y@example.com', frequency: 0, recency: 0, T: 15, monetary_value: 0 },
			{ mail: 'z@example.com', frequency: 1, recency: 4, T: 9, monetary_value: 12 },
		];
		const summarised = await runWorkflow(
			{ nodes: [node(NAME, 'customerSegments', { operation: 'lifetimeValue', clvInput: 'customers', clvCustomerIdField: 'mail' } as never)], connections: {} },
			{ input: items(customers) },
		);
		expect(summarised.error).toBeUndefined();
		const [x, y] = summarised.items(NAME).map((i) => i.json);
		expect(x).toMatchObject({ customer_id: 'x@example.com', mail: 'x@example.com', userId: '7' });
		expect(y).toMatchObject({ customer_id: 'y@example.com', mail: 'y@example.com' });
	});

	it('Lifetime Value → Customer Profile Get Profile (The Item\'s Identities) finds each customer', async () => {
		const store = { storage: 'sqlite', databaseFile: tempSqliteFile() };
		const identify = (userId: string, email: string, minutes: number) => ({
			type: 'identify',
			event: 'Identify',
			messageId: `clv-carry-${userId}`,
			userId,
			email,
			timestamp: new Date(Date.UTC(2024, 0, 1) + minutes * 60_000).toISOString(),
			receivedAt: new Date(Date.UTC(2024, 0, 1) + minutes * 60_000).toISOString(),
			properties: {},
			context: { source: 'test' },
		});
		const recorded = await runWorkflow(
			{ nodes: [node('Profile', 'customerProfile', { operation: 'record', ...store } as never)], connections: {} },
			{ input: items([identify('u-a', 'a@example.com', 0), identify('u-b', 'b@example.com', 1), identify('u-c', 'c@example.com', 2)]) },
		);
		expect(recorded.error).toBeUndefined();

		const result = await runWorkflow(
			{
				nodes: [clv({ clvCustomerIdField: 'email' }), node('Profile', 'customerProfile', { operation: 'get', ...store } as never)],
				connections: chain(NAME, 'Profile'),
			},
			{ input: items(TX) },
		);
		expect(result.error).toBeUndefined();
		const found = result.items('Profile').map((i) => [i.json.customer_id, i.json.profileFound, (i.json.profile as IDataObject | null)?.userId]);
		expect(found).toEqual([
			['a@example.com', true, 'u-a'],
			['b@example.com', true, 'u-b'],
			['c@example.com', true, 'u-c'], // found by its email alone
		]);
	});
});
