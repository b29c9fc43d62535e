/**
 * Do our nodes fit together with their DEFAULT parameters? Each test wires a chain a marketer
 * would naturally build (Trigger / Normalize Event → Customer Profile → Customer Segments →
 * Recommend Products → A/B Experiment → Render Email → ESP Dispatch, and the batch and analysis
 * paths), through the real n8n engine, with typeVersion = the node's default version and only the
 * parameters a user must fill in. Each test states the fitting behaviour.
 *
 * The tests with a `FIT-n` comment are mismatches found by the audit of 2026-11-23; the comment
 * says what was wrong before the fix.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, loadPackage, node, PACKAGE_ROOT, runWorkflow, type WorkflowJson } from '../harness/engine';
import { tempSqliteFile } from '../harness/profile-db';
import { usePostmarkServer } from '../harness/postmark-server';

const NOW = Date.now();
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();
let seq = 0;
function ev(event: string, who: IDataObject, minutesAgo: number, properties: IDataObject = {}, extra: IDataObject = {}): IDataObject {
	return {
		type: event === 'Identify' ? 'identify' : 'track',
		event,
		messageId: `fit-${process.pid}-${++seq}`,
		timestamp: ago(minutesAgo),
		receivedAt: ago(minutesAgo),
		properties,
		context: { source: 'test' },
		...who,
		...extra,
	};
}
const items = (list: IDataObject[]): INodeExecutionData[] => list.map((json) => ({ json }));
const workflow = (...nodes: INode[]): WorkflowJson => ({ nodes, connections: chain(...nodes.map((n) => n.name)) });

/** Each node at the version n8n gives a new node (defaultVersion, else the highest). */
let versions: Record<string, number> = {};
beforeAll(async () => {
	const pkg = await loadPackage();
	versions = {};
	for (const [name, entry] of Object.entries(pkg.loader.nodeTypes)) {
		const type = entry.type as { description: { defaultVersion?: number; version: number | number[] } };
		const v = type.description.defaultVersion ?? (Array.isArray(type.description.version) ? Math.max(...type.description.version) : type.description.version);
		versions[name] = v;
	}
});
/** A node of this package at its default version with only the given parameters. */
function n(name: string, type: string, parameters: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return node(name, type, parameters as INode['parameters'], { typeVersion: versions[type] ?? 1, ...extra });
}

// What a user must fill in, nothing else.
const profile = (name: string, file: string, parameters: IDataObject = {}) => n(name, 'customerProfile', { databaseFile: file, ...parameters });
const HTML_BODY = '<p>Hello {{ traits.first_name | default: "you" }}</p><a href="https://shop.example.com/u">Unsubscribe</a>';
const render = (parameters: IDataObject = {}) => n('Render Email', 'renderEmail', { format: 'html', subject: 'News for you', body: HTML_BODY, ...parameters });
const dispatch = (parameters: IDataObject = {}) =>
	n('ESP Dispatch', 'espDispatch', { provider: 'postmark', fromEmail: 'news@shop.example.com', ...parameters }, {
		credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
	});

const { credentials, sent } = usePostmarkServer();

/** Records events into a fresh SQLite store through the node (Record Events, defaults). */
async function recorded(file: string, events: IDataObject[]): Promise<void> {
	const result = await runWorkflow(workflow(profile('Record', file)), { input: items(events) });
	expect(result.error).toBeUndefined();
	expect(result.items('Record').map((i) => (i.json.recorded as IDataObject).status)).toEqual(events.map(() => 'recorded'));
}

describe('chains that fit with default parameters', () => {
	it('Normalize Event → Record Events → Get Profile → Check Event Since', async () => {
		const file = tempSqliteFile();
		const body = { type: 'track', event: 'Checkout Started', userId: 'u-1', messageId: 'm-1', timestamp: ago(90), context: { traits: { email: 'Ada@Example.com' } }, properties: { checkout_id: 'c1', value: 20 } };
		const result = await runWorkflow(
			workflow(n('Normalize Event', 'normalizeEvent'), profile('Record', file), profile('Get Profile', file, { operation: 'get' }), profile('Bought Since', file, { operation: 'checkSince' })),
			{ input: [{ json: { body } }] },
		);
		expect(result.error).toBeUndefined();
		const [out] = result.items('Bought Since');
		expect(out.json.email).toBe('ada@example.com');
		expect((out.json.profile as IDataObject).email).toBe('ada@example.com');
		expect(out.json.happenedSince).toBe(false);
	});

	it('A/B Experiment Assign reads the canonical event\'s userId, Render 1.1 → ESP Dispatch 1.1 send to its email', async () => {
		const input = items([ev('Signed Up', { userId: 'u-7', email: 'ada@example.com' }, 1)]);
		const result = await runWorkflow(workflow(n('A/B Experiment', 'experiment', { experimentId: 'welcome' }), render(), dispatch()), { input, credentials: credentials() });
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['sent']);
		expect(sent().map((m) => m.To)).toEqual(['ada@example.com']);
	});
});

describe('mismatches between default parameters found by the audit (FIT-n)', () => {
	// FIT-1: ESP Dispatch's Suppressed Field default `suppressed` does not read what Check Suppression writes by default (`suppression`): unsubscribed recipients are mailed
	it('FIT-1: Check Suppression (defaults) → Render → ESP Dispatch (defaults) does not mail an unsubscribed recipient', async () => {
		const file = tempSqliteFile();
		await recorded(file, [ev('Identify', { email: 'ada@example.com' }, 60), ev('Unsubscribed', { email: 'ada@example.com' }, 30)]);
		const input = items([{ email: 'ada@example.com' }, { email: 'bo@example.com' }]);
		const result = await runWorkflow(workflow(profile('Check Suppression', file, { operation: 'suppression' }), render(), dispatch()), { input, credentials: credentials() });
		expect(result.error).toBeUndefined();
		expect((result.items('Check Suppression')[0].json.suppression as IDataObject).unsubscribed).toBe(true);
		expect(sent().map((m) => m.To)).toEqual(['bo@example.com']);
		expect(result.items('ESP Dispatch')[0].json.status).not.toBe('sent');
	});

	// FIT-1 (second shape): Get Profile writes the flags into `profile`; ESP Dispatch with defaults mails an unsubscribed profile
	it('FIT-1: Get Profile (defaults) → Render → ESP Dispatch (defaults) does not mail a customer whose profile is unsubscribed', async () => {
		const file = tempSqliteFile();
		await recorded(file, [ev('Identify', { email: 'ada@example.com' }, 60), ev('Unsubscribed', { email: 'ada@example.com' }, 30)]);
		const input = items([ev('Product Viewed', { email: 'ada@example.com' }, 1, { product_id: 'A' })]);
		const result = await runWorkflow(workflow(profile('Get Profile', file, { operation: 'get' }), render(), dispatch()), { input, credentials: credentials() });
		expect(result.error).toBeUndefined();
		expect((result.items('Get Profile')[0].json.profile as IDataObject).unsubscribed).toBe(true);
		expect(sent()).toHaveLength(0);
	});

	// FIT-2: ESP Dispatch's To Email default `{{ $json.email }}` ignores the address Get Profile found (profile.email) for an event that carries only a userId
	it('FIT-2: event with a userId only → Get Profile → Render → ESP Dispatch (defaults) sends to the profile\'s address', async () => {
		const file = tempSqliteFile();
		await recorded(file, [ev('Identify', { userId: 'u-1', email: 'ada@example.com' }, 60, {}, { traits: { first_name: 'Ada' } })]);
		const input = items([ev('Product Viewed', { userId: 'u-1' }, 1, { product_id: 'A' })]);
		const result = await runWorkflow(workflow(profile('Get Profile', file, { operation: 'get' }), render(), dispatch()), { input, credentials: credentials() });
		expect((result.items('Get Profile')[0].json.profile as IDataObject).email).toBe('ada@example.com');
		expect(result.nodes['ESP Dispatch'].error).toBeUndefined();
		expect(sent().map((m) => m.To)).toEqual(['ada@example.com']);
	});

	// FIT-3: A/B Experiment Assign writes variant / pz_variant / pz_experiment_id, but ESP Dispatch reads the attribution only from Options → Variant / Experiment ID (empty by default): sends carry no variant
	it('FIT-3: A/B Experiment Assign → Render → ESP Dispatch (defaults) tags each message with its experiment and variant', async () => {
		const input = items(Array.from({ length: 6 }, (_, k) => ({ userId: `u-${k}`, email: `c${k}@example.com` })));
		const result = await runWorkflow(workflow(n('A/B Experiment', 'experiment', { experimentId: 'spring-test' }), render(), dispatch()), { input, credentials: credentials() });
		expect(result.error).toBeUndefined();
		const variantOf = new Map(result.items('A/B Experiment').map((i) => [i.json.email as string, i.json.variant as string]));
		expect(new Set(variantOf.values()).size).toBe(2);
		for (const m of sent()) {
			expect(m.Metadata).toMatchObject({ pz_experiment_id: 'spring-test', pz_variant: variantOf.get(m.To as string) });
		}
		expect(sent()).toHaveLength(6);
	});

	it('A/B Experiment Assign with a holdout → Render → ESP Dispatch (defaults): the holdout gets no email', async () => {
		const input = items(Array.from({ length: 40 }, (_, k) => ({ userId: `u-${k}`, email: `c${k}@example.com` })));
		const result = await runWorkflow(workflow(n('A/B Experiment', 'experiment', { experimentId: 'spring-test', holdoutPercent: 25 }), render(), dispatch()), { input, credentials: credentials() });
		expect(result.error).toBeUndefined();
		const holdout = result.items('A/B Experiment').filter((i) => i.json.is_holdout === true).map((i) => i.json.email as string);
		expect(holdout.length).toBeGreaterThan(0);
		const out = result.items('ESP Dispatch');
		expect(out).toHaveLength(40);
		const sentTo = new Set(sent().map((m) => m.To as string));
		for (const email of holdout) expect(sentTo.has(email)).toBe(false);
		expect(sentTo.size).toBe(40 - holdout.length);
		const statusOf = new Map(out.map((o, k) => [input[k].json.email as string, o.json]));
		for (const email of holdout) expect(statusOf.get(email)).toMatchObject({ status: 'suppressed', error: expect.stringContaining('holdout') });
	});

	// FIT-4: ESP Dispatch's output items keep neither the variant nor anything A/B Experiment Analyze reads (counts: variant + sent; events: event + properties.variant)
	it('FIT-4: Assign → Render → ESP Dispatch → A/B Experiment Analyze (Engagement Events) counts the sends per variant', async () => {
		const input = items(Array.from({ length: 6 }, (_, k) => ({ userId: `u-${k}`, email: `c${k}@example.com` })));
		const result = await runWorkflow(
			workflow(n('A/B Experiment', 'experiment', { experimentId: 'spring-test' }), render(), dispatch(), n('Analyze', 'experiment', { operation: 'analyze', inputType: 'events' })),
			{ input, credentials: credentials() },
		);
		const perVariant = new Map<string, number>();
		for (const i of result.items('A/B Experiment')) perVariant.set(i.json.variant as string, (perVariant.get(i.json.variant as string) ?? 0) + 1);
		expect(result.nodes.Analyze.error).toBeUndefined();
		const report = result.items('Analyze')[0].json as IDataObject;
		const variants = report.variants as Array<{ variant: string; sent: number }>;
		expect(Object.fromEntries(variants.map((v) => [v.variant, v.sent]))).toEqual(Object.fromEntries(perVariant));
	});

	// FIT-4 with a holdout and an unsubscribed recipient: neither was mailed, so neither is a send of any variant
	it('FIT-4: Assign (holdout) → Render → ESP Dispatch → Analyze (Engagement Events) counts only the mailed recipients, the holdout in no variant', async () => {
		const input = items(Array.from({ length: 40 }, (_, k) => ({ userId: `u-${k}`, email: `c${k}@example.com`, ...(k === 0 ? { suppressed: 'unsubscribed' } : {}) })));
		const result = await runWorkflow(
			workflow(n('A/B Experiment', 'experiment', { experimentId: 'spring-test', holdoutPercent: 25 }), render(), dispatch(), n('Analyze', 'experiment', { operation: 'analyze', inputType: 'events' })),
			{ input, credentials: credentials() },
		);
		expect(result.nodes.Analyze.error).toBeUndefined();
		const assigned = result.items('A/B Experiment').map((i) => i.json);
		const holdout = assigned.filter((a) => a.is_holdout === true).length;
		expect(holdout).toBeGreaterThan(0);
		const mailedPerVariant = new Map<string, number>();
		for (const a of assigned) if (a.is_holdout !== true && a.userId !== 'u-0') mailedPerVariant.set(a.variant as string, (mailedPerVariant.get(a.variant as string) ?? 0) + 1);
		expect(sent()).toHaveLength([...mailedPerVariant.values()].reduce((s, x) => s + x, 0));
		expect(result.items('ESP Dispatch').map((i) => [i.json.experiment, i.json.variant])).toEqual(assigned.map((a) => ['spring-test', a.variant]));
		const report = result.items('Analyze')[0].json as IDataObject;
		const variants = report.variants as Array<{ variant: string; sent: number }>;
		expect(Object.fromEntries(variants.map((v) => [v.variant, v.sent]))).toEqual(Object.fromEntries(mailedPerVariant));
		// the holdout and u-0 were not mailed: not counted (u-0 is one more unless it is in the holdout)
		expect(report.events_ignored).toBe(holdout + (assigned[0].is_holdout === true ? 0 : 1));
	});

	// FIT-5: Export for Scoring → Transactions writes profileId/email/at/amount; Customer Segments RFM reads customer_id/amount/timestamp by default
	it('FIT-5: Export for Scoring (Transactions) → Customer Segments RFM (defaults) scores every customer', async () => {
		const file = tempSqliteFile();
		await recorded(file, [
			ev('Order Completed', { email: 'ada@example.com' }, 60 * 24 * 3, { order_id: 'o1', total: 40, currency: 'USD' }),
			ev('Order Completed', { email: 'ada@example.com' }, 60 * 24, { order_id: 'o2', total: 60, currency: 'USD' }),
			ev('Order Completed', { email: 'bo@example.com' }, 60 * 24 * 30, { order_id: 'o3', total: 10, currency: 'USD' }),
		]);
		const result = await runWorkflow(workflow(profile('Export', file, { operation: 'export', exportWhat: 'transactions' }), n('RFM', 'customerSegments')), {});
		expect(result.items('Export')).toHaveLength(3);
		expect(result.nodes.RFM.error).toBeUndefined();
		const rows = result.items('RFM').map((i) => i.json);
		expect(rows.map((r) => r.frequency).sort()).toEqual([1, 2]);
		expect(rows.map((r) => r.monetary).sort((a, b) => Number(a) - Number(b))).toEqual([10, 100]);
	});

	// FIT-5 (template): nightly-rfm-vip.json works only by keying RFM on `email` and reading `at`; one order without an email (a userId-only customer) stops the nightly run
	it('FIT-5: the nightly-rfm-vip template\'s Export → RFM scores a customer whose orders carry only a userId', async () => {
		const file = tempSqliteFile();
		await recorded(file, [
			ev('Order Completed', { email: 'ada@example.com' }, 60 * 24 * 3, { order_id: 'o1', total: 40, currency: 'USD' }),
			ev('Order Completed', { userId: 'u-9' }, 60 * 24 * 2, { order_id: 'o2', total: 25, currency: 'USD' }),
		]);
		const template = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'templates', 'nightly-rfm-vip.json'), 'utf8')) as { nodes: INode[] };
		const params = (name: string) => template.nodes.find((x) => x.name === name)!.parameters as IDataObject;
		const wf = workflow(profile('Export transactions', file, params('Export transactions')), n('RFM segments', 'customerSegments', params('RFM segments')));
		const result = await runWorkflow(wf, {});
		expect(result.nodes['RFM segments'].error).toBeUndefined();
		expect(result.items('RFM segments')).toHaveLength(2);
	});

	// FIT-5 (template, later nodes): RFM's output goes (through the Champions filter) straight to Get profile, which finds each customer by the identities RFM carries
	it('FIT-5: the nightly-rfm-vip template\'s Export → RFM → Get profile finds every scored customer and keeps the email Send uses', async () => {
		const file = tempSqliteFile();
		await recorded(file, [
			ev('Identify', { userId: 'u-1', email: 'ada@example.com' }, 60 * 24 * 5, {}, { traits: { first_name: 'Ada' } }),
			ev('Order Completed', { userId: 'u-1' }, 60 * 24 * 3, { order_id: 'o1', total: 40, currency: 'USD' }),
			ev('Order Completed', { userId: 'u-9' }, 60 * 24 * 2, { order_id: 'o2', total: 25, currency: 'USD' }),
		]);
		const template = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'templates', 'nightly-rfm-vip.json'), 'utf8')) as {
			nodes: INode[];
			connections: Record<string, { main: Array<Array<{ node: string }>> }>;
		};
		expect(template.connections['Champions only'].main[0].map((c) => c.node)).toEqual(['Get profile']);
		const params = (name: string) => template.nodes.find((x) => x.name === name)!.parameters as IDataObject;
		const wf = workflow(
			profile('Export transactions', file, params('Export transactions')),
			n('RFM segments', 'customerSegments', params('RFM segments')),
			profile('Get profile', file, params('Get profile')),
		);
		const result = await runWorkflow(wf, {});
		expect(result.error).toBeUndefined();
		const out = result.items('Get profile').map((i) => i.json);
		expect(out.map((o) => o.profileFound)).toEqual([true, true]);
		const ada = out.find((o) => o.userId === 'u-1')!;
		expect(ada.email).toBe('ada@example.com');
		expect(((ada.profile as IDataObject).traits as IDataObject).first_name).toBe('Ada');
		expect(out.find((o) => o.userId === 'u-9')!.email).toBeUndefined(); // no address: "Still subscribed?" drops it
	});

	// FIT-6: Customer Segments RFM (transactions) outputs only customer_id and scores: Get Profile (find by the item's identities) finds no userId/email/anonymousId
	it('FIT-6: Customer Segments RFM (transactions keyed by email) → Get Profile (defaults) finds each customer', async () => {
		const file = tempSqliteFile();
		await recorded(file, [
			ev('Identify', { email: 'ada@example.com' }, 60 * 24 * 5, {}, { traits: { first_name: 'Ada' } }),
			ev('Order Completed', { email: 'ada@example.com' }, 60 * 24 * 3, { order_id: 'o1', total: 40, currency: 'USD' }),
		]);
		const input = items([{ customer_id: 'ada@example.com', email: 'ada@example.com', amount: 40, timestamp: ago(60 * 24 * 3) }]);
		const result = await runWorkflow(workflow(n('RFM', 'customerSegments'), profile('Get Profile', file, { operation: 'get' })), { input });
		expect(result.nodes['Get Profile'].error).toBeUndefined();
		const [out] = result.items('Get Profile');
		expect(out.json.profileFound).toBe(true);
		expect(((out.json.profile as IDataObject).traits as IDataObject).first_name).toBe('Ada');
	});

	// FIT-5 + FIT-6 together: every node with defaults, a customer known only by a userId included
	it('FIT-6: Export for Scoring (Transactions) → RFM (defaults) → Get Profile (defaults) finds every customer, one known only by a userId', async () => {
		const file = tempSqliteFile();
		await recorded(file, [
			ev('Identify', { email: 'ada@example.com' }, 60 * 24 * 5, {}, { traits: { first_name: 'Ada' } }),
			ev('Order Completed', { email: 'ada@example.com' }, 60 * 24 * 3, { order_id: 'o1', total: 40, currency: 'USD' }),
			ev('Identify', { userId: 'u-9' }, 60 * 24 * 4, {}, { traits: { first_name: 'Bo' } }),
			ev('Order Completed', { userId: 'u-9' }, 60 * 24 * 2, { order_id: 'o2', total: 25, currency: 'USD' }),
		]);
		const wf = workflow(profile('Export', file, { operation: 'export', exportWhat: 'transactions' }), n('RFM', 'customerSegments'), profile('Get Profile', file, { operation: 'get' }));
		const result = await runWorkflow(wf, {});
		expect(result.error).toBeUndefined();
		const out = result.items('Get Profile').map((i) => i.json);
		expect(out.map((o) => o.profileFound)).toEqual([true, true]);
		expect(out.map((o) => ((o.profile as IDataObject).traits as IDataObject).first_name).sort()).toEqual(['Ada', 'Bo']);
		expect(out.map((o) => o.customer_id)).toEqual(out.map((o) => (o.profile as IDataObject).profileId));
	});

	// FIT-7: Get Profile puts the profile in `profile` and no event list; Customer Segments Rules reads events from `events` and profile fields from the whole item: the built-in segments never match
	it('FIT-7: Record Events → Get Profile → Customer Segments Rules (defaults) puts a customer who just ordered in Active Buyers', async () => {
		const file = tempSqliteFile();
		const order = ev('Order Completed', { email: 'ada@example.com' }, 60, { order_id: 'o1', total: 40, currency: 'USD' });
		const result = await runWorkflow(workflow(profile('Record', file), profile('Get Profile', file, { operation: 'get' }), n('Rules', 'customerSegments', { operation: 'rules' })), {
			input: items([order]),
		});
		expect(result.error).toBeUndefined();
		expect((result.items('Get Profile')[0].json.profile as IDataObject).ordersCount).toBe(1);
		expect(result.items('Rules')[0].json.segments).toContain('Active Buyers');
	});

	// FIT-7, the other built-in segments: what the profile keeps of a checkout and of product views
	it('FIT-7: Record Events → Get Profile → Customer Segments Rules (defaults) finds a checkout left open and an engaged browser, and says what the profile cannot decide', async () => {
		const file = tempSqliteFile();
		const ada = { email: 'ada@example.com' };
		const bo = { email: 'bo@example.com' };
		await recorded(file, [
			ev('Product Viewed', ada, 60 * 72, { product_id: 'C' }),
			ev('Product Viewed', ada, 60 * 48, { product_id: 'B' }),
			ev('Product Viewed', ada, 60 * 24, { product_id: 'A' }),
			ev('Checkout Started', ada, 120, { checkout_id: 'chk-1', value: 20, currency: 'USD', products: [{ product_id: 'A', quantity: 1, price: 20 }] }),
			// two products seen: two views or more, the profile keeps each product's latest only
			ev('Product Viewed', bo, 60 * 30, { product_id: 'A' }),
			ev('Product Viewed', bo, 60 * 5, { product_id: 'B' }),
		]);
		const result = await runWorkflow(workflow(profile('Get Profile', file, { operation: 'get' }), n('Rules', 'customerSegments', { operation: 'rules' })), { input: items([ada, bo]) });
		expect(result.error).toBeUndefined();
		const out = result.items('Rules').map((i) => [i.json.segments, i.json.undecided_segments]);
		expect(out).toEqual([
			[['Cart Abandoners', 'Engaged Browsers'], []],
			[[], ['Engaged Browsers']],
		]);
	});

	// FIT-8: Recommend Products reads a profile's openCart / recentViews at the top level of the item, but Get Profile puts the profile in `profile`: the cart is recommended back
	it('FIT-8: Record Events → Get Profile → Recommend Products (defaults) never recommends what is in the profile\'s open cart', async () => {
		const file = tempSqliteFile();
		// c1..c3 bought A with B: B is A's nearest neighbour
		const lines = ['c1', 'c2', 'c3'].flatMap((c) => ['A', 'B'].map((p) => ({ customer_id: c, product_id: p, quantity: 1 })));
		const trained = await runWorkflow(workflow(n('Train', 'recommendProducts', { operation: 'train' })), { input: items(lines) });
		const model = trained.items('Train')[0].json.model;
		await recorded(file, [ev('Cart Updated', { email: 'ada@example.com' }, 30, { cart_id: 'k1', products: [{ product_id: 'B', quantity: 1, price: 5 }] })]);
		const view = ev('Product Viewed', { email: 'ada@example.com' }, 1, { product_id: 'A' });
		const result = await runWorkflow(workflow(profile('Get Profile', file, { operation: 'get' }), n('Recommend', 'recommendProducts', { model: JSON.stringify(model) })), {
			input: items([view]),
		});
		expect(result.error).toBeUndefined();
		const openCart = (result.items('Get Profile')[0].json.profile as IDataObject).openCart as IDataObject;
		expect((openCart.products as IDataObject[]).map((p) => p.product_id)).toEqual(['B']);
		const recos = (result.items('Recommend')[0].json.recommendations as IDataObject[]).map((r) => r.product_id);
		expect(recos).not.toContain('B');
	});

	// FIT-9: Render Email's starter template (default Body) greets `profile.first_name`; Get Profile's profile keeps the name in `profile.traits.first_name`
	it('FIT-9: Get Profile → Render Email (default body) greets the customer by the first name in the profile', async () => {
		const file = tempSqliteFile();
		await recorded(file, [ev('Identify', { userId: 'u-1', email: 'ada@example.com' }, 60, {}, { traits: { first_name: 'Ada' } })]);
		const input = items([ev('Product Viewed', { userId: 'u-1' }, 1, { product_id: 'A' })]);
		const result = await runWorkflow(workflow(profile('Get Profile', file, { operation: 'get' }), n('Render Email', 'renderEmail', { subject: 'News' })), { input });
		expect(result.error).toBeUndefined();
		const message = result.items('Render Email')[0].json.message as IDataObject;
		expect(String(message.text)).toContain('Hi Ada');
	});

	// FIT-10: Render Email's From Name and Reply-To ("passed through for ESP Dispatch") land in message.from / message.reply_to, which ESP Dispatch 1.1 never reads
	it('FIT-10: Render Email (From Name, Reply-To set) → ESP Dispatch 1.1 (provider and the required From Email) sends with that name and Reply-To', async () => {
		const input = items([{ email: 'ada@example.com' }]);
		const wf = workflow(render({ fromEmail: 'news@shop.example.com', fromName: 'Example Shop', replyTo: 'help@shop.example.com' }), dispatch());
		const result = await runWorkflow(wf, { input, credentials: credentials() });
		expect(result.error).toBeUndefined();
		expect((result.items('Render Email')[0].json.message as IDataObject).from).toEqual({ email: 'news@shop.example.com', name: 'Example Shop' });
		expect(sent().map((m) => [m.From, m.ReplyTo])).toEqual([['Example Shop <news@shop.example.com>', 'help@shop.example.com']]);
	});

	// FIT-11: Normalize Event turns an empty batch into a placeholder item { event: null, skipped: true }; Record Events (defaults) fails the whole node on it
	it('FIT-11: Normalize Event (an empty SendGrid batch) → Record Events (defaults) passes the placeholder through instead of failing', async () => {
		const file = tempSqliteFile();
		const result = await runWorkflow(workflow(n('Normalize Event', 'normalizeEvent', { source: 'sendgrid' }), profile('Record', file)), { input: [{ json: { body: [] } }] });
		expect(result.items('Normalize Event').map((i) => i.json.skipped)).toEqual([true]);
		expect(result.nodes.Record.error).toBeUndefined();
		expect(result.items('Record')).toHaveLength(1);
	});

	// FIT-12: Check Event Since sends the empty-batch placeholder to Not Happened, the send branch of a recovery workflow; ESP Dispatch failed the whole node on it (no recipient)
	it('FIT-12: Normalize Event (an empty batch and a checkout) → Check Event Since (Route) → Render → ESP Dispatch (defaults) mails the checkout\'s customer and skips the placeholder', async () => {
		const file = tempSqliteFile();
		const checkout = { type: 'track', event: 'Checkout Started', userId: 'u-12', messageId: `fit12-${process.pid}`, timestamp: ago(90), context: { traits: { email: 'ada@example.com' } }, properties: { checkout_id: 'c12' } };
		const since = profile('Bought Since', file, { operation: 'checkSince', checkOutput: 'route' });
		const wf: WorkflowJson = {
			nodes: [n('Normalize Event', 'normalizeEvent'), since, render(), dispatch()],
			connections: {
				'Normalize Event': { main: [[{ node: 'Bought Since', type: 'main', index: 0 }]] },
				'Bought Since': { main: [[], [{ node: 'Render Email', type: 'main', index: 0 }]] },
				'Render Email': { main: [[{ node: 'ESP Dispatch', type: 'main', index: 0 }]] },
			},
		};
		const result = await runWorkflow(wf, { input: [{ json: { body: { type: 'batch', batch: [] } } }, { json: { body: checkout } }], credentials: credentials() });
		expect(result.error).toBeUndefined();
		const out = result.items('ESP Dispatch').map((i) => i.json);
		expect(out.map((o) => o.status)).toEqual(['suppressed', 'sent']);
		expect(String(out[0].error)).toMatch(/empty-batch placeholder/);
		expect(sent().map((m) => m.To)).toEqual(['ada@example.com']);
	});

	it('ESP Dispatch mails a recipient whose item merely has skipped: true (not Normalize Event\'s placeholder: it has a recipient), in both versions', async () => {
		for (const typeVersion of [1, 1.1]) {
			const before = sent().length;
			const d = n('ESP Dispatch', 'espDispatch', { provider: 'postmark', fromEmail: 'news@shop.example.com', subject: 'Hi', html: '<p>Hi</p>', unsubscribeUrl: 'https://shop.example.com/u' }, {
				typeVersion,
				credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
			});
			const result = await runWorkflow(workflow(d), { input: items([{ email: 'flagged@example.com', skipped: true, reason: 'all orders after End of Observation' }]), credentials: credentials() });
			expect(result.error).toBeUndefined();
			expect(result.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['sent']);
			expect(sent().slice(before).map((m) => m.To)).toEqual(['flagged@example.com']);
		}
	});
});
