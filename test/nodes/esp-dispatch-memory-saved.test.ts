/**
 * What n8n saves of ESP Dispatch's duplicate memory: n8n-core hands the workflow static data to
 * the workflowExecuteAfter hook (which saves it after a production execution) only when its
 * ObservableObject saw a change (`__dataChanged`). The memory is pruned by deleting in place, so
 * a run whose only change is a prune must still be seen, and what is saved must be the pruned
 * memory. Through the real n8n engine (test/harness/engine.ts).
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { hashKey, type LedgerState, StaticDataLedger } from '../../nodes/engines/dispatch/ledger';
import { chain, loadPackage, node, runWorkflow, type RunResult, type WorkflowJson } from '../harness/engine';
import type { ProviderServer } from '../dispatch/servers/base';
import { POSTMARK_TOKEN, postmarkServer } from '../dispatch/servers/postmark';

const people = (from: number, to: number): INodeExecutionData[] =>
	Array.from({ length: to - from }, (_, j) => {
		const i = from + j;
		return { json: { email: `person${i}@example.com`, subject: `Hi ${i}`, html: `<p>Hello ${i}</p>`, text: `Hello ${i}` } };
	});

function dispatchNode(parameters: IDataObject = {}): INode {
	return node('ESP Dispatch', 'espDispatch', { operation: 'send', provider: 'postmark', mode: 'rendered', fromEmail: 'news@shop.example.com', fromName: 'Shop', ...parameters } as INode['parameters'], {
		credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'postmark account' } },
	});
}
const forgetNode = (): INode => node('Forget', 'espDispatch', { operation: 'forget', forgetKey: '={{ $json.idempotencyKey }}' });
const workflow = (...nodes: INode[]): WorkflowJson => ({ nodes, connections: chain(...nodes.map((n) => n.name)) });
const ledgerOf = (data: IDataObject | undefined): LedgerState => JSON.parse(JSON.stringify((data?.global as IDataObject).pzDispatchLedger)) as LedgerState;
const NODE_ID = 'esp-dispatch'; // node() derives the id from the name

describe('the duplicate memory n8n saves after a run', () => {
	let postmark: ProviderServer;
	beforeAll(async () => {
		postmark = await postmarkServer({ retryAfterSeconds: 0.01 }).start();
	});
	afterAll(async () => {
		await postmark.stop();
	});
	beforeEach(() => postmark.reset());
	const credentials = () => ({ personalizationPostmarkApi: { serverToken: POSTMARK_TOKEN, baseUrl: postmark.url } });
	const keysOf = (result: RunResult) => result.items('ESP Dispatch').map((i) => String(i.json.idempotencyKey));

	it('a run that only prunes (one key expired, nothing sent): n8n sees the change and saves the pruned memory', async () => {
		const first = await runWorkflow(workflow(dispatchNode()), { input: people(0, 2), credentials: credentials(), mode: 'trigger' });
		expect(first.savedStaticData).toBeDefined();
		const [keyA, keyB] = keysOf(first);
		// as n8n would load it again (JSON), with B sent 48 hours ago (past the 24-hour window)
		const stored = JSON.parse(JSON.stringify(first.savedStaticData)) as IDataObject;
		const memory = (stored.global as IDataObject).pzDispatchLedger as LedgerState;
		const now = Math.floor(Date.now() / 1000);
		memory.kn![NODE_ID][hashKey(keyB)] = now - 48 * 3600;
		memory.kn![NODE_ID][hashKey(keyA)] = now - 3600;
		// A again: a duplicate, nothing sent; the only change to the memory is B's removal (and the run time)
		const second = await runWorkflow(workflow(dispatchNode()), { input: people(0, 1), credentials: credentials(), staticData: stored, mode: 'trigger' });
		expect(second.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['duplicate']);
		expect(postmark.accepted).toHaveLength(2); // the first run's two
		expect(second.savedStaticData).toBeDefined();
		expect(ledgerOf(second.savedStaticData).kn).toEqual({ [NODE_ID]: { [hashKey(keyA)]: now - 3600 } });
	});

	it('a run that only adds: the saved memory holds the earlier keys and the new one, in send order', async () => {
		const first = await runWorkflow(workflow(dispatchNode()), { input: people(0, 2), credentials: credentials(), mode: 'trigger' });
		const second = await runWorkflow(workflow(dispatchNode()), { input: people(2, 3), credentials: credentials(), staticData: first.savedStaticData, mode: 'trigger' });
		expect(second.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['sent']);
		expect(second.savedStaticData).toBeDefined();
		const keys = [...keysOf(first), ...keysOf(second)].map(hashKey);
		expect(Object.keys(ledgerOf(second.savedStaticData).kn![NODE_ID])).toEqual(keys);
	});

	it('Forget Sent Keys (no owner) on the per-node memory: saved with the key gone, the node\'s map and policy kept', async () => {
		const first = await runWorkflow(workflow(dispatchNode()), { input: people(0, 2), credentials: credentials(), mode: 'trigger' });
		const [keyA, keyB] = keysOf(first);
		const forget = await runWorkflow(workflow(forgetNode()), { input: [{ json: { idempotencyKey: keyA } }], staticData: first.savedStaticData, mode: 'trigger' });
		expect(forget.items('Forget').map((i) => i.json.forgotten)).toEqual([true]);
		expect(forget.savedStaticData).toBeDefined();
		const saved = ledgerOf(forget.savedStaticData);
		const before = ledgerOf(first.savedStaticData);
		expect(saved.kn).toEqual({ [NODE_ID]: { [hashKey(keyB)]: before.kn![NODE_ID][hashKey(keyB)] } });
		expect(saved.n).toEqual(before.n);
		expect(Object.keys(saved.f!)).toEqual([hashKey(keyA)]);
	});

	// n8n's own behaviour, which the in-place pruning relies on even without the node's reassignment:
	// ObservableObject wraps every nested object of the loaded static data, and a delete in any of
	// them marks the whole static data as changed.
	it('n8n observes a delete deep inside loaded static data (ObservableObject wraps nested objects)', async () => {
		const pkg = await loadPackage();
		const now = Date.UTC(2026, 2, 10, 6);
		const at = Math.floor(now / 1000);
		const staticData = {
			global: {
				pzDispatchLedger: { v: 1, k: {}, kn: { x: { [hashKey('old')]: at - 48 * 3600, [hashKey('new')]: at - 60 } }, n: { x: { w: 86400, m: 100, at: at - 60 } } },
			},
		};
		const wf = new Workflow({ id: 'w', nodes: [], connections: {}, nodeTypes: pkg.nodeTypes, staticData, active: false });
		const global = wf.getStaticData('global', undefined);
		expect(wf.staticData.__dataChanged).toBe(false);
		// a caller without an owner records nothing: the prune is the only change
		new StaticDataLedger(global, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'pzDispatchLedger', now);
		expect(Object.keys((global.pzDispatchLedger as LedgerState).kn!.x)).toEqual([hashKey('new')]);
		expect(wf.staticData.__dataChanged).toBe(true);
	});
});
