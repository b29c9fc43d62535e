/**
 * Rules after Customer Profile → Get Profile (the profile under `profile`) with Profile Field left
 * empty, through the n8n engine. The README says the conditions then read the item itself, so
 * `ordersCount` (only under `profile`) is missing: a comparison never holds and notExists always
 * does. That stays as documented, but before, nothing said so and the marketer got a wrong audience
 * without a sign; now the run shows one warning naming the fields and saying to set Profile Field
 * to "profile". Items are shaped by hand as Get Profile writes them ({ ...item, profile, profileFound }).
 */
import type { IDataObject, INodeExecutionData, ITaskData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';

const NAME = 'Customer Segments';
const REF = '2024-06-30T00:00:00Z';

const SEGMENTS = [
	{ name: 'VIPs', match: 'all', conditions: [{ type: 'trait', field: 'ordersCount', operator: 'greaterThan', value: 5 }] },
	{
		name: 'No Plan or Big Spender',
		match: 'any',
		conditions: [
			{ type: 'trait', field: 'traits.plan', operator: 'notExists' },
			{ type: 'group', match: 'all', conditions: [{ type: 'trait', field: 'totalSpentMinor.USD', operator: 'greaterThan', value: 100000 }] },
		],
	},
];
const run = (profileField: string, list: IDataObject[]) =>
	runWorkflow(
		{
			nodes: [node(NAME, 'customerSegments', { operation: 'rules', presets: [], definition: 'json', segmentsJson: JSON.stringify(SEGMENTS), profileField, rulesReferenceDate: REF } as never)],
			connections: {},
		},
		{ input: list.map((json): INodeExecutionData => ({ json })) },
	);
const hints = (r: Awaited<ReturnType<typeof run>>): string[] => ((r.run.data.resultData.runData[NAME] as ITaskData[])[0].hints ?? []).map((h) => h.message);

const profile = (fields: IDataObject): IDataObject => ({ email: 'x@example.com', ordersCount: 0, recentViews: [], openCart: null, traits: {}, ...fields });
const getProfileOutput = (email: string, fields: IDataObject | null): IDataObject => ({
	email,
	profileFound: fields !== null,
	profile: fields === null ? null : profile({ ...fields, email }),
});
const INPUT = [
	// 8 orders, gold plan, spent $2,500.00: a VIP, has a plan, a big spender
	getProfileOutput('vip@example.com', { ordersCount: 8, lastOrderAt: '2024-06-01T00:00:00Z', totalSpentMinor: { USD: 250000 }, traits: { plan: 'gold' } }),
	// 1 order, gold plan, spent $20.00: none of them
	getProfileOutput('small@example.com', { ordersCount: 1, lastOrderAt: '2024-06-01T00:00:00Z', totalSpentMinor: { USD: 2000 }, traits: { plan: 'gold' } }),
	// not found: no profile fields anywhere
	getProfileOutput('new@example.com', null),
];

describe('Customer Segments Rules: Get Profile output with Profile Field empty', () => {
	it('reads the item as documented, and warns naming the fields only "profile" has', async () => {
		const result = await run('', INPUT);
		expect(result.error).toBeUndefined();
		// documented: the item has no ordersCount, traits.plan or totalSpentMinor, so only notExists holds
		expect(result.items(NAME).map((i) => [i.json.email, i.json.segments])).toEqual([
			['vip@example.com', ['No Plan or Big Spender']],
			['small@example.com', ['No Plan or Big Spender']],
			['new@example.com', ['No Plan or Big Spender']],
		]);
		const shown = hints(result);
		expect(shown).toHaveLength(1);
		expect(shown[0]).toContain('Profile Field is empty');
		// the two found customers; the one not found (profile null) has nothing under "profile"
		expect(shown[0]).toContain('on 2 of 3 items "ordersCount", "traits.plan", "totalSpentMinor.USD" are not on the item but under "profile"');
		expect(shown[0]).toContain('Set Profile Field to "profile".');
	});

	it('with Profile Field "profile" the same items get the segments a marketer expects, and no warning', async () => {
		const result = await run('profile', INPUT);
		expect(result.error).toBeUndefined();
		expect(result.items(NAME).map((i) => [i.json.email, i.json.segments])).toEqual([
			['vip@example.com', ['VIPs', 'No Plan or Big Spender']],
			['small@example.com', []],
			['new@example.com', ['No Plan or Big Spender']],
		]);
		expect(hints(result)).toEqual([]);
	});

	it('no warning when the fields are on the item itself (Profile Field empty as meant), even beside a "profile"', async () => {
		const result = await run('', [
			{ email: 'crm@example.com', ordersCount: 7, traits: { plan: 'gold' }, totalSpentMinor: { USD: 500 }, profile: profile({ ordersCount: 7, traits: { plan: 'gold' } }) },
			{ email: 'flat@example.com', ordersCount: 2, traits: {} },
		]);
		expect(result.error).toBeUndefined();
		expect(result.items(NAME).map((i) => [i.json.email, i.json.segments])).toEqual([
			['crm@example.com', ['VIPs']],
			['flat@example.com', ['No Plan or Big Spender']],
		]);
		expect(hints(result)).toEqual([]);
	});
});
