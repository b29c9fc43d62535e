/**
 * A/B Experiment Assign, node version 1.1, through the real n8n engine: an email-like customer id
 * is trimmed and lower-cased before hashing (`Ann@Example.com` and `ann@example.com` are one
 * customer), and with Customer ID Field empty the profile Customer Profile → Get Profile adds is
 * read (`profile.userId`, right after the item's own `userId`). Version 1 assigns exactly as it
 * always did (the id as written, apart from surrounding spaces; no `profile.userId`), so running
 * experiments keep their variants. Analyze counts the sends of either version.
 *
 * Every expected variant is computed here from the README's rule (SHA-256 of
 * "<experiment id>:<customer id>", first 48 bits / 2^48, control below 0.5), with node:crypto,
 * and the cases are chosen where the two versions differ (checked first, so a test cannot pass
 * because both spellings happen to land in the same variant).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { shopifyOrder } from '../harness/event-fixtures';
import { chain, loadPackage, node, runWorkflow } from '../harness/engine';
import { usePostmarkServer } from '../harness/postmark-server';
import { profileNodeStorages } from '../harness/profile-db';

const EXPERIMENT = 'welcome-2026';

/** The README's rule, written out again for a 50/50 control / treatment split without holdout. */
function readmeVariant(customerId: string): 'control' | 'treatment' {
	const u = createHash('sha256').update(`${EXPERIMENT}:${customerId}`, 'utf8').digest().readUIntBE(0, 6) / 2 ** 48;
	return u < 0.5 ? 'control' : 'treatment';
}

const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));
const assignNode = (typeVersion: number, params: IDataObject = {}, extra: Partial<INode> = {}) =>
	node('Assign', 'experiment', { operation: 'assign', experimentId: EXPERIMENT, ...params } as INode['parameters'], { typeVersion, ...extra });

async function assigned(typeVersion: number, rows: IDataObject[], params: IDataObject = {}): Promise<unknown[]> {
	const result = await runWorkflow({ nodes: [assignNode(typeVersion, params)], connections: {} }, { input: items(rows) });
	expect(result.error).toBeUndefined();
	const out = result.items('Assign');
	expect(out.map((i) => i.pairedItem)).toEqual(rows.map((_, item) => ({ item })));
	return out.map((i) => i.json.variant);
}

describe('the cases differ between the versions (so the tests below can tell them apart)', () => {
	it('a capital in the address, a profile userId other than the address, a capital in a plain id', () => {
		expect(readmeVariant('Ann@Example.com')).not.toBe(readmeVariant('ann@example.com'));
		expect(readmeVariant('cust-42')).not.toBe(readmeVariant('bob@example.com'));
		expect(readmeVariant('ABC-3')).not.toBe(readmeVariant('abc-3'));
	});
});

describe('A/B Experiment Assign 1: assignments as before', () => {
	it('hashes the id as written (trimmed): a capital in the address is another customer; profile.userId is not read', async () => {
		const rows = [
			{ email: 'Ann@Example.com' },
			{ email: ' ann@example.com ' },
			{ userId: 'Ann@Example.com' },
			{ email: 'bob@example.com', profile: { userId: 'cust-42', email: 'bob@example.com' }, profileFound: true },
			{ userId: 'ABC-3' },
		];
		expect(await assigned(1, rows)).toEqual([
			readmeVariant('Ann@Example.com'),
			readmeVariant('ann@example.com'),
			readmeVariant('Ann@Example.com'),
			readmeVariant('bob@example.com'),
			readmeVariant('ABC-3'),
		]);
		// a Customer ID Field naming an address keeps its case too
		expect(await assigned(1, [{ contact: { mail: 'Ann@Example.com' } }], { customerIdField: 'contact.mail' })).toEqual([readmeVariant('Ann@Example.com')]);
	});

	it('an item with only a profile has no customer id in version 1: the error names the fields it read', async () => {
		const result = await runWorkflow({ nodes: [assignNode(1)], connections: {} }, { input: items([{ profile: { userId: 'cust-42' } }]) });
		expect(result.error?.message).toBe('Item 0: no customer ID in any of userId, profileId, customer_id, email');
	});
});

describe('A/B Experiment Assign 1.1: one customer, one variant', () => {
	it('a new node is version 1.1', async () => {
		const pkg = await loadPackage();
		const description = pkg.loader.nodeTypes.experiment.type.description as { version: number[]; defaultVersion: number };
		expect([description.version, description.defaultVersion]).toEqual([[1, 1.1], 1.1]);
	});

	it('lower-cases an email-like id wherever it comes from (email, userId, a Customer ID Field)', async () => {
		const ann = readmeVariant('ann@example.com');
		expect(await assigned(1.1, [{ email: 'Ann@Example.com' }, { email: ' ANN@example.COM ' }, { email: 'ann@example.com' }, { userId: 'Ann@Example.com' }])).toEqual([ann, ann, ann, ann]);
		expect(await assigned(1.1, [{ contact: { mail: 'Ann@Example.com' } }], { customerIdField: 'contact.mail' })).toEqual([ann]);
	});

	it('keeps the case of an id that is not an address', async () => {
		expect(await assigned(1.1, [{ userId: 'ABC-3' }, { userId: 'abc-3' }])).toEqual([readmeVariant('ABC-3'), readmeVariant('abc-3')]);
	});

	it('reads profile.userId after the item\'s userId and before profileId, customer_id and email', async () => {
		const rows = [
			// Get Profile found the customer by address: the profile's userId, as for an item carrying it itself
			{ email: 'bob@example.com', profile: { userId: 'cust-42', email: 'bob@example.com' }, profileFound: true },
			{ userId: 'cust-42' },
			// the item's own userId wins over the profile's
			{ userId: 'ABC-3', profile: { userId: 'cust-42' } },
			// the profile's userId wins over profileId, customer_id and email
			{ profileId: 'pf-1', customer_id: 'c-1', email: 'bob@example.com', profile: { userId: 'cust-42' } },
			// not found (profile null) or a profile without a userId: the email, lower-cased
			{ email: 'Bob@Example.com', profile: null, profileFound: false },
			{ email: 'Bob@Example.com', profile: { userId: null, email: 'bob@example.com' } },
		];
		const cust42 = readmeVariant('cust-42');
		expect(await assigned(1.1, rows)).toEqual([cust42, cust42, readmeVariant('ABC-3'), cust42, readmeVariant('bob@example.com'), readmeVariant('bob@example.com')]);
	});

	it('without any id, the error names the fields 1.1 reads', async () => {
		const result = await runWorkflow({ nodes: [assignNode(1.1)], connections: {} }, { input: items([{ profile: { email: 'x@example.com' } }]) });
		expect(result.error?.message).toBe('Item 0: no customer ID in any of userId, profile.userId, profileId, customer_id, email');
	});
});

describe('Customer Profile → Get Profile → A/B Experiment Assign', () => {
	const { storages, drop } = profileNodeStorages('abid');
	afterAll(() => drop());
	const sqlite = storages.find((s) => s.name === 'sqlite')!;

	it('1.1 gives a customer found by address the variant of their userId; version 1 that of the address', async () => {
		const target = sqlite.make();
		const profile = (operation: string) => node('Profile', 'customerProfile', { operation, ...target.params } as INode['parameters'], target.extra);
		const identify = {
			type: 'identify',
			event: 'Identify',
			messageId: `abid-${process.pid}`,
			timestamp: '2026-03-01T10:00:00.000Z',
			receivedAt: '2026-03-01T10:00:00.000Z',
			userId: 'cust-42',
			email: 'bob@example.com',
			properties: {},
			context: { source: 'test' },
		};
		const recorded = await runWorkflow({ nodes: [profile('record')], connections: {} }, { input: items([identify]) });
		expect(recorded.error).toBeUndefined();
		for (const [typeVersion, expected] of [
			[1, readmeVariant('bob@example.com')],
			[1.1, readmeVariant('cust-42')],
		] as const) {
			const run = await runWorkflow({ nodes: [profile('get'), assignNode(typeVersion)], connections: chain('Profile', 'Assign') }, { input: items([{ email: 'bob@example.com' }]) });
			expect(run.error).toBeUndefined();
			const [out] = run.items('Assign');
			expect(out.json).toMatchObject({ profileFound: true, profile: { userId: 'cust-42' }, variant: expected, pz_variant: expected, pz_experiment_id: EXPERIMENT });
		}
	});
});

describe('A/B Experiment Analyze counts the assignments of either version', () => {
	const { credentials } = usePostmarkServer();
	// no userId: Assign reads the address, written with capitals by the shop
	const customers = ['Ann@Example.com', 'Jo@Ex.com', 'ABC-3@x.org', 'Cleo@Example.com', 'dan@example.com', 'Eve@Example.NET', 'finn@example.com', 'Gus@Example.com'];
	const dispatchNode = () =>
		node('Send', 'espDispatch', { provider: 'postmark', fromEmail: 'news@shop.example.com', campaignId: 'welcome' } as INode['parameters'], {
			typeVersion: 1.1,
			credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
		});
	const analyzeNode = (typeVersion: number) =>
		node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: EXPERIMENT, metric: 'converted', mdePercent: 10, orderAttribution: 'window', attributionWindowHours: 168 } as INode['parameters'], { typeVersion });
	const message = { subject: 'Welcome', html: '<p>Welcome</p>', text: 'Welcome' };

	it('the two versions split these customers differently (Ann and Jo move to control, Gus to treatment)', () => {
		expect(customers.map((email) => readmeVariant(email))).not.toEqual(customers.map((email) => readmeVariant(email.toLowerCase())));
	});

	it.each([1, 1.1])('Assign %s → ESP Dispatch 1.1 → Analyze 1 and 1.1: each variant holds the customers Assign put there', async (assignVersion) => {
		const hashed = (email: string) => readmeVariant(assignVersion === 1 ? email : email.toLowerCase());
		const run = await runWorkflow(
			{ nodes: [assignNode(assignVersion), dispatchNode()], connections: chain('Assign', 'Send') },
			{ input: items(customers.map((email) => ({ email, message }))), credentials: credentials() },
		);
		expect(run.error).toBeUndefined();
		expect(run.items('Assign').map((i) => i.json.variant)).toEqual(customers.map(hashed));
		const results = run.items('Send').map((i) => i.json);
		expect(results.map((r) => [r.status, r.variant])).toEqual(customers.map((email) => ['sent', hashed(email)]));
		// orders by the first four customers, an hour after their send, by the address in lower case (as Shopify's mapping writes it)
		const orders = customers.slice(0, 4).map((email, k) => shopifyOrder(email.toLowerCase(), new Date(Date.parse(results[k].sentAt as string) + 3_600_000).toISOString(), 5000 + k, 8000 + k));
		const expected = (['control', 'treatment'] as const).map((variant) => [
			variant,
			customers.filter((email) => hashed(email) === variant).length,
			customers.slice(0, 4).filter((email) => hashed(email) === variant).length,
		]);
		for (const analyzeVersion of [1, 1.1]) {
			const analysed = await runWorkflow({ nodes: [analyzeNode(analyzeVersion)], connections: {} }, { input: items([...results, ...(orders as unknown as IDataObject[])]) });
			expect(analysed.error).toBeUndefined();
			const report = analysed.items('Analyze')[0].json;
			const rows = (report.variants as IDataObject[]).map((v) => [v.variant, v.sent, v.converted]);
			expect(rows.sort()).toEqual(expected);
			expect((report.attribution as IDataObject).orders_counted).toBe(4);
		}
	});
});

describe('the A/B template (ab-test-dynamic-vs-static.json) at 1.1 assigns as it did at 1', () => {
	// Its A/B node reads the canonical event's `email`, which the Segment mapping already trims and lower-cases.
	const template = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'templates', 'ab-test-dynamic-vs-static.json'), 'utf8')) as { nodes: INode[] };
	const abNode = template.nodes.find((n) => n.type.endsWith('.experiment'))!;
	const normalize = node('Normalize Event', 'normalizeEvent', { source: 'segment', payloadField: 'body', onUnknown: 'error' } as INode['parameters']);
	const signUps = ['Ann@Example.com', ' jo@EX.com', 'cleo@example.com'].map((email, k) => ({
		body: { type: 'track', event: 'Signed Up', userId: null, anonymousId: `anon-${k}`, messageId: `su-${k}`, timestamp: '2026-03-01T10:00:00Z', traits: { email } },
	}));
	/** The README's rule for the template's experiment: dynamic below 0.5, static above. */
	const templateVariant = (id: string) => (createHash('sha256').update(`welcome-dynamic-vs-static:${id}`, 'utf8').digest().readUIntBE(0, 6) / 2 ** 48 < 0.5 ? 'dynamic' : 'static');

	it('is at 1.1 and reads the email field (the profile\'s when the event has none); both versions give every sign-up the variant of its lower-cased address', async () => {
		// The field is the event's `email`, else `profile.email` (Get Profile before it): a Segment
		// track('Signed Up') after identify() carries no email (templates-consent.test.ts runs that case).
		expect([abNode.typeVersion, abNode.parameters.experimentId, abNode.parameters.customerIdField]).toEqual([
			1.1,
			'welcome-dynamic-vs-static',
			"={{ $json.email ? 'email' : 'profile.email' }}",
		]);
		const expected = ['ann@example.com', 'jo@ex.com', 'cleo@example.com'].map(templateVariant);
		for (const typeVersion of [1, 1.1]) {
			const run = await runWorkflow({ nodes: [normalize, { ...abNode, typeVersion }], connections: chain('Normalize Event', abNode.name) }, { input: items(signUps) });
			expect(run.error).toBeUndefined();
			expect(run.items(abNode.name).map((i) => [i.json.email, i.json.variant])).toEqual([
				['ann@example.com', expected[0]],
				['jo@ex.com', expected[1]],
				['cleo@example.com', expected[2]],
			]);
		}
	});
});
