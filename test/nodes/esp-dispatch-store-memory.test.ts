/**
 * ESP Dispatch's Sent-Key Memory = Customer Profile Store, through the real n8n engine against a
 * local fake Postmark server, on embedded SQLite and on PostgreSQL: the reviewer's scenario (an
 * execution resuming from a stale static-data snapshot erases another's key: not with the store),
 * two executions of one key at once (one message reaches the server), a manual run's keys (n8n
 * saves no static data for it) remembered for the next run, Forget Sent Keys, and a store that
 * cannot be reached (item errors, nothing sent, Continue On Fail).
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { closeAllStores } from '../../nodes/engines/profile';
import { chain, node, runWorkflow, type WorkflowJson } from '../harness/engine';
import { dropPrefix, pgCredential, tempSqliteFile, uniquePrefix } from '../harness/profile-db';
import type { ProviderServer } from '../dispatch/servers/base';
import { POSTMARK_TOKEN, postmarkServer } from '../dispatch/servers/postmark';

const person = (key: string): INodeExecutionData => ({ json: { email: `${key}@example.com`, key } });

type Memory = { name: string; parameters: () => IDataObject; credentials: () => Record<string, IDataObject>; cleanup: () => Promise<void> };
const memories: Memory[] = [
	(() => {
		let file = tempSqliteFile();
		return {
			name: 'SQLite',
			parameters: () => ({ sentKeyMemory: 'profileStore', storage: 'sqlite', databaseFile: file }),
			credentials: () => ({}),
			cleanup: async () => {
				file = tempSqliteFile();
			},
		};
	})(),
	(() => {
		let prefix = uniquePrefix('skn');
		return {
			name: 'PostgreSQL',
			parameters: () => ({ sentKeyMemory: 'profileStore', storage: 'postgres', storeOptions: { tablePrefix: prefix } }),
			credentials: () => ({ personalizationPostgresApi: pgCredential }),
			cleanup: async () => {
				await dropPrefix(prefix);
				prefix = uniquePrefix('skn');
			},
		};
	})(),
];

function sendNode(memory: IDataObject, extra: IDataObject = {}, settings: Partial<INode> = {}): INode {
	return node(
		'Send',
		'espDispatch',
		{
			operation: 'send',
			provider: 'postmark',
			mode: 'rendered',
			fromEmail: 'news@shop.example.com',
			toEmail: '={{ $json.email }}',
			subject: 'Your cart',
			html: '<p>Come back</p>',
			options: { idempotencyKey: '=cart-recovery:{{ $json.key }}', duplicateWindowHours: 720 },
			...memory,
			...extra,
		} as INode['parameters'],
		{
			credentials: {
				personalizationPostmarkApi: { id: 'cred-1', name: 'postmark account' },
				...(memory.storage === 'postgres' ? { personalizationPostgresApi: { id: 'pg-1', name: 'pg' } } : {}),
			},
			...settings,
		},
	);
}
const forgetNode = (memory: IDataObject): INode =>
	node('Forget', 'espDispatch', { operation: 'forget', forgetKey: '={{ $json.idempotencyKey }}', ...memory } as INode['parameters'], {
		credentials: memory.storage === 'postgres' ? { personalizationPostgresApi: { id: 'pg-1', name: 'pg' } } : {},
	});
const wf = (...nodes: INode[]): WorkflowJson => ({ nodes, connections: chain(...nodes.map((n) => n.name)) });

describe.each(memories)('Sent-Key Memory = Customer Profile Store ($name), through n8n', (memory) => {
	let postmark: ProviderServer;
	beforeAll(async () => {
		postmark = await postmarkServer({ retryAfterSeconds: 0.01 }).start();
	});
	afterAll(async () => {
		await postmark.stop();
		await closeAllStores();
		await memory.cleanup();
	});
	beforeEach(() => postmark.reset());
	const credentials = () => ({ personalizationPostmarkApi: { serverToken: POSTMARK_TOKEN, baseUrl: postmark.url }, ...memory.credentials() });
	const statuses = (r: { items(n: string): INodeExecutionData[] }, name = 'Send') => r.items(name).map((i) => i.json.status);

	it('(a) an execution started from a stale static-data snapshot does not erase another execution\'s key', async () => {
		// B starts (and takes its snapshot: empty), A sends checkout A and ends, B resumes with its
		// old snapshot, sends checkout B and ends: with static data, B's saved copy has no key A.
		const snapshot: IDataObject = {};
		const a = await runWorkflow(wf(sendNode(memory.parameters())), { input: [person('A')], credentials: credentials(), staticData: snapshot, mode: 'trigger' });
		expect(statuses(a)).toEqual(['sent']);
		const b = await runWorkflow(wf(sendNode(memory.parameters())), { input: [person('B')], credentials: credentials(), staticData: snapshot, mode: 'trigger' });
		expect(statuses(b)).toEqual(['sent']);
		// Ada comes back to checkout A two days later: a new execution from B's saved static data
		const again = await runWorkflow(wf(sendNode(memory.parameters())), { input: [person('A')], credentials: credentials(), staticData: b.savedStaticData ?? {}, mode: 'trigger' });
		expect(statuses(again)).toEqual(['duplicate']);
		expect(postmark.accepted).toHaveLength(2);
		// and the static data was not used
		expect(JSON.stringify(b.savedStaticData ?? {})).not.toContain('pzDispatchLedger');
	});

	it('(b) two executions sending the same key at the same moment: exactly one message reaches the server', async () => {
		const runs = await Promise.all(
			[0, 1, 2].map(() => runWorkflow(wf(sendNode(memory.parameters())), { input: [person('same')], credentials: credentials(), mode: 'trigger' })),
		);
		const all = runs.flatMap((r) => statuses(r));
		expect(all.filter((s) => s === 'sent')).toHaveLength(1);
		expect(all.filter((s) => s === 'duplicate')).toHaveLength(2);
		expect(postmark.accepted).toHaveLength(1);
	});

	it('(c) a manual run\'s keys are remembered for the next run (n8n saves no static data for it)', async () => {
		const manual = await runWorkflow(wf(sendNode(memory.parameters())), { input: [person('vip1')], credentials: credentials(), mode: 'manual' });
		expect(statuses(manual)).toEqual(['sent']);
		const scheduled = await runWorkflow(wf(sendNode(memory.parameters())), { input: [person('vip1'), person('vip2')], credentials: credentials(), mode: 'trigger' });
		expect(statuses(scheduled)).toEqual(['duplicate', 'sent']);
		expect(postmark.accepted).toHaveLength(2);
	});

	it('(d) Forget Sent Keys on the store memory: the key is sent again by the next run', async () => {
		const first = await runWorkflow(wf(sendNode(memory.parameters())), { input: [person('F')], credentials: credentials(), mode: 'trigger' });
		const key = first.items('Send')[0].json.idempotencyKey;
		expect(key).toBe('cart-recovery:F');
		const forget = await runWorkflow(wf(forgetNode(memory.parameters())), { input: [{ json: { idempotencyKey: key } }], credentials: credentials(), mode: 'manual' });
		expect(forget.items('Forget').map((i) => i.json)).toEqual([{ idempotencyKey: 'cart-recovery:F', forgotten: true }]);
		const again = await runWorkflow(wf(sendNode(memory.parameters())), { input: [person('F')], credentials: credentials(), mode: 'trigger' });
		expect(statuses(again)).toEqual(['sent']);
		expect(postmark.accepted).toHaveLength(2);
	});

	it('(e) Test Mode neither checks nor fills it; a Dry Run reads it', async () => {
		await runWorkflow(wf(sendNode(memory.parameters())), { input: [person('T')], credentials: credentials(), mode: 'trigger' });
		const test = await runWorkflow(wf(sendNode(memory.parameters(), { options: { idempotencyKey: '=cart-recovery:{{ $json.key }}', duplicateWindowHours: 720, testAddress: 'qa@shop.example.com' } })), {
			input: [person('T'), person('T2')],
			credentials: credentials(),
			mode: 'trigger',
		});
		expect(statuses(test)).toEqual(['sent', 'sent']);
		const dry = await runWorkflow(wf(sendNode(memory.parameters(), { dryRun: true })), { input: [person('T'), person('T2')], credentials: credentials(), mode: 'trigger' });
		expect(statuses(dry)).toEqual(['duplicate', 'dryRun']);
	});
});

describe('Sent-Key Memory = Customer Profile Store that cannot be reached', () => {
	let postmark: ProviderServer;
	beforeAll(async () => {
		postmark = await postmarkServer({ retryAfterSeconds: 0.01 }).start();
	});
	afterAll(async () => {
		await postmark.stop();
		await closeAllStores();
	});
	const down = { ...pgCredential, port: 1, password: 'secret-pw-123' };
	const memory = { sentKeyMemory: 'profileStore', storage: 'postgres', storeOptions: { tablePrefix: 'pz_' } };
	const credentials = () => ({ personalizationPostmarkApi: { serverToken: POSTMARK_TOKEN, baseUrl: postmark.url }, personalizationPostgresApi: down });

	it('(f) the execution fails naming the items and the memory; nothing is sent; no password in the message', async () => {
		const r = await runWorkflow(wf(sendNode(memory)), { input: [person('x'), person('y')], credentials: credentials(), mode: 'trigger' });
		expect(r.error?.message).toMatch(/^Items 0 to 1: not sent: the sent-key memory \(Customer Profile Store, PostgreSQL\) could not be reached: .*ECONNREFUSED/);
		expect(JSON.stringify(r.error)).not.toContain('secret-pw-123');
		expect(postmark.accepted).toHaveLength(0);
	});

	it('(f) with Continue On Fail: each mailable item fails with its own error, a suppressed one keeps its status', async () => {
		const r = await runWorkflow(wf(sendNode(memory, {}, { continueOnFail: true })), {
			input: [person('x'), { json: { ...person('y').json, suppressed: true } }],
			credentials: credentials(),
			mode: 'trigger',
		});
		const out = r.items('Send').map((i) => i.json);
		expect(out.map((o) => o.status)).toEqual(['failed', 'suppressed']);
		expect(out[0].error).toMatch(/^Item 0: not sent: the sent-key memory \(Customer Profile Store, PostgreSQL\) could not be reached/);
		expect(postmark.accepted).toHaveLength(0);
	});

	it('(f) Forget Sent Keys fails the item naming it', async () => {
		const r = await runWorkflow(wf(forgetNode(memory)), { input: [{ json: { idempotencyKey: 'k' } }], credentials: credentials(), mode: 'trigger' });
		expect(r.error?.message).toMatch(/^Item 0: the sent-key memory \(Customer Profile Store, PostgreSQL\) could not be reached/);
	});
});
