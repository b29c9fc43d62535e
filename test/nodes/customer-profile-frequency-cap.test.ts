/**
 * Customer Profile → Apply Frequency Cap through the real n8n engine, on SQLite and PostgreSQL:
 * "no more than N emails of a category per address in W hours" across workflows (two separate
 * executions stand for the cart-recovery and browse-abandonment workflows sharing one store).
 * Expected values by hand: with Max 2, the first two checks of an address are within the cap
 * (sentInWindow 1, 2), the third is over it until the first send leaves the window (its time +
 * window). The hand-computed time tables (t, t+1h, t+2h, t+24h+1s) are in the engine test
 * (test/engines/profile/frequency-cap.test.ts), which can set the clock.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { chain, node, runWorkflow } from '../harness/engine';
import { profileNodeStorages, runProfileNode, type ProfileNodeTarget } from '../harness/profile-db';

const H = 3_600_000;
const COF: Partial<INode> = { onError: 'continueRegularOutput' };
const { storages, drop } = profileNodeStorages('fcn');
afterAll(() => drop());

describe.each(storages)('Apply Frequency Cap on $name', (storage) => {
	let target: ProfileNodeTarget;
	beforeEach(() => {
		target = storage.make();
	});
	const cap = (input: IDataObject[], params: IDataObject = {}) => runProfileNode(target, 'frequencyCap', input, params);
	/** The workflow with the node set to these parameters (and node settings), for routes and errors. */
	const runRaw = async (input: IDataObject[], params: IDataObject, extra: Partial<INode> = {}) => {
		const profile = node('Profile', 'customerProfile', { operation: 'frequencyCap', ...target.params, ...params } as INode['parameters'], { ...target.extra, ...extra });
		return await runWorkflow({ nodes: [profile], connections: chain('Profile') }, { input: input.map((json) => ({ json })), credentials: target.credentials as never });
	};

	it('Max 2 per 16 h: two within the cap, the third over it until the first leaves the window; one item per input, paired', async () => {
		const before = Date.now();
		const out = await cap([{ email: 'ann@example.com', n: 1 }, { email: 'Ann@Example.com ', n: 2 }, { email: 'ann@example.com', n: 3 }, { email: 'bob@example.com', n: 4 }], {
			capMax: 2,
		});
		const after = Date.now();
		expect(out.map((j) => j.n)).toEqual([1, 2, 3, 4]);
		expect(out[0].frequencyCap).toEqual({ allowed: true, sentInWindow: 1, limit: 2, windowHours: 16, nextAllowedAt: null });
		expect(out[1].frequencyCap).toEqual({ allowed: true, sentInWindow: 2, limit: 2, windowHours: 16, nextAllowedAt: null });
		const third = out[2].frequencyCap as IDataObject;
		expect([third.allowed, third.sentInWindow]).toEqual([false, 2]);
		// the first send's time + 16 h
		const next = Date.parse(third.nextAllowedAt as string);
		expect(next).toBeGreaterThanOrEqual(before + 16 * H);
		expect(next).toBeLessThanOrEqual(after + 16 * H);
		expect(out[3].frequencyCap).toMatchObject({ allowed: true, sentInWindow: 1 });
	});

	it('across workflows: the cart email takes the slot, the browse email of another execution is over the cap; transactional mail has its own category', async () => {
		const cart = await cap([{ email: 'cy@example.com', workflow: 'cart' }]);
		expect(cart[0].frequencyCap).toMatchObject({ allowed: true, sentInWindow: 1, limit: 1, windowHours: 16 });
		const browse = await cap([{ email: 'cy@example.com', workflow: 'browse' }]);
		expect(browse[0].frequencyCap).toMatchObject({ allowed: false, sentInWindow: 1 });
		const receipt = await cap([{ email: 'cy@example.com', workflow: 'receipt' }], { capCategory: 'transactional' });
		expect(receipt[0].frequencyCap).toMatchObject({ allowed: true, sentInWindow: 1 });
		// an item without its own email (a checkout by userId): the address Get Profile found, as ESP Dispatch's To Email reads it
		const winback = await cap([{ userId: 'u-cy', profile: { email: 'CY@example.com' }, workflow: 'win-back' }]);
		expect(winback[0].frequencyCap).toMatchObject({ allowed: false, sentInWindow: 1 });
	});

	it('Key: a retry with the same key is within the cap and takes no second slot', async () => {
		const params = { capKey: '={{ $json.key }}' };
		expect((await cap([{ email: 'dee@example.com', key: 'cart:exec-41' }], params))[0].frequencyCap).toMatchObject({ allowed: true, sentInWindow: 1 });
		// n8n retries the same execution: same key
		expect((await cap([{ email: 'dee@example.com', key: 'cart:exec-41' }], params))[0].frequencyCap).toMatchObject({ allowed: true, sentInWindow: 1 });
		expect((await cap([{ email: 'dee@example.com', key: 'browse:exec-42' }], params))[0].frequencyCap).toMatchObject({ allowed: false, sentInWindow: 1 });
	});

	it('Route to Two Outputs: Within Cap and Over Cap, each item with its field and pairing', async () => {
		const res = await runRaw([{ email: 'eve@example.com', n: 0 }, { email: 'eve@example.com', n: 1 }, { email: 'fay@example.com', n: 2 }], { capOutput: 'route', capWindowHours: 24 });
		expect(res.error).toBeUndefined();
		expect(res.items('Profile', 0).map((i) => [i.json.n, (i.json.frequencyCap as IDataObject).allowed, i.pairedItem])).toEqual([
			[0, true, { item: 0 }],
			[2, true, { item: 2 }],
		]);
		expect(res.items('Profile', 1).map((i) => [i.json.n, (i.json.frequencyCap as IDataObject).allowed, (i.json.frequencyCap as IDataObject).windowHours, i.pairedItem])).toEqual([
			[1, false, 24, { item: 1 }],
		]);
	});

	it('invalid input fails the item naming the item and the field; with Continue On Fail, one paired error item each and the valid ones checked', async () => {
		const failed = await runRaw([{ email: 'gil@example.com' }], { capMax: 0 });
		expect(failed.error?.message).toBe('Item 0: "Max Emails" (0) must be a whole number of 1 or more');
		const input = [{ email: 'gil@example.com', max: 1.5 }, { email: 'nope', max: 1 }, { email: 'gil@example.com', max: 1 }, { email: 'gil@example.com', max: 1, hours: 0 }];
		const res = await runRaw(input, { capMax: '={{ $json.max }}', capWindowHours: '={{ $json.hours ?? 16 }}' }, COF);
		expect(res.error).toBeUndefined();
		expect(res.items('Profile').map((i) => [i.json.error ?? (i.json.frequencyCap as IDataObject).allowed, i.pairedItem])).toEqual([
			['Item 0: "Max Emails" (1.5) must be a whole number of 1 or more', { item: 0 }],
			['Item 1: "Email" (nope) is not an email address', { item: 1 }],
			[true, { item: 2 }],
			['Item 3: "Window (Hours)" (0) must be more than 0 and at most 744 (31 days)', { item: 3 }],
		]);
		// routed, an error item goes to Over Cap (never to the send)
		const routed = await runRaw([{ email: '' }], { capOutput: 'route' }, COF);
		expect(routed.items('Profile', 0)).toEqual([]);
		expect(routed.items('Profile', 1).map((i) => [i.json.error, i.pairedItem])).toEqual([['Item 0: "Email" (empty) is not an email address', { item: 0 }]]);
	});

	it('Normalize Event’s empty-batch placeholder passes through, not allowed, taking no slot', async () => {
		const placeholder = { event: null, skipped: true, reason: 'The payload held no events', source: 'shopify' };
		const out = await cap([placeholder]);
		expect(out).toEqual([{ ...placeholder, frequencyCap: { allowed: false, sentInWindow: 0, limit: 1, windowHours: 16, nextAllowedAt: null } }]);
	});

	it('Erase Customer deletes the customer’s slots: their cap starts over', async () => {
		await runProfileNode(target, 'record', [
			{ type: 'identify', event: 'Identify', messageId: `fcn-${process.pid}-${storage.name}-1`, timestamp: new Date().toISOString(), userId: 'hal', email: 'hal@example.com', properties: {}, context: {} },
		]);
		expect((await cap([{ email: 'hal@example.com' }]))[0].frequencyCap).toMatchObject({ allowed: true });
		expect((await cap([{ email: 'hal@example.com' }]))[0].frequencyCap).toMatchObject({ allowed: false });
		const erased = await runProfileNode(target, 'erase', [{ userId: 'hal' }]);
		expect(erased[0]).toMatchObject({ erased: true, sendsDeleted: 1 });
		expect((await cap([{ email: 'hal@example.com' }]))[0].frequencyCap).toMatchObject({ allowed: true, sentInWindow: 1 });
	});
});
