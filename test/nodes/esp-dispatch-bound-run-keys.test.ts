/**
 * ESP Dispatch, through the real n8n engine: a run that remembers more keys than Max Remembered
 * Keys keeps them all (with a warning naming the option and the count), so re-running the
 * execution sends none of them again. Review finding 4 with a bound of 50 and 60 recipients.
 */
import type { IDataObject, INode, INodeExecutionData, ITaskData } from 'n8n-workflow';
import { chain, node, runWorkflow, type RunResult, type WorkflowJson } from '../harness/engine';
import type { ProviderServer } from '../dispatch/servers/base';
import { POSTMARK_TOKEN, postmarkServer } from '../dispatch/servers/postmark';
import type { LedgerState } from '../../nodes/engines/dispatch/ledger';

const NAME = 'ESP Dispatch';
const people = (from: number, to: number): INodeExecutionData[] =>
	Array.from({ length: to - from }, (_, j) => {
		const i = from + j;
		return { json: { email: `person${i}@example.com`, subject: `Hi ${i}`, html: `<p>Hello ${i}</p>`, text: `Hello ${i}` } };
	});
const dispatchNode = (): INode =>
	node(NAME, 'espDispatch', { operation: 'send', provider: 'postmark', mode: 'rendered', fromEmail: 'news@shop.example.com', fromName: 'Shop', options: { maxRememberedKeys: 50 } } as INode['parameters'], {
		credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'postmark account' } },
	});
const workflow = (): WorkflowJson => ({ nodes: [dispatchNode()], connections: chain(NAME) });
const hints = (r: RunResult): string[] => ((r.run.data.resultData.runData[NAME] as ITaskData[])[0].hints ?? []).map((h) => h.message);
const statuses = (r: RunResult) => r.items(NAME).map((i) => i.json.status);
const remembered = (r: RunResult) => Object.keys(((r.savedStaticData!.global as IDataObject).pzDispatchLedger as unknown as LedgerState).kn!['esp-dispatch']).length;

describe('ESP Dispatch: Max Remembered Keys 50, a run of 60', () => {
	let postmark: ProviderServer;
	beforeAll(async () => {
		postmark = await postmarkServer({ retryAfterSeconds: 0.01 }).start();
	});
	afterAll(async () => {
		await postmark.stop();
	});
	const credentials = () => ({ personalizationPostmarkApi: { serverToken: POSTMARK_TOKEN, baseUrl: postmark.url } });

	it('keeps all 60 keys with a warning; the re-run finds all 60 as duplicate; a later small run drops only older keys', async () => {
		const first = await runWorkflow(workflow(), { input: people(0, 60), credentials: credentials(), mode: 'trigger' });
		expect(statuses(first)).toEqual(Array(60).fill('sent'));
		expect(postmark.accepted).toHaveLength(60);
		expect(remembered(first)).toBe(60);
		expect(hints(first)).toHaveLength(1);
		expect(hints(first)[0]).toContain('This run remembered 60 sent keys, more than Max Remembered Keys (50)');
		expect(hints(first)[0]).toContain('Raise Max Remembered Keys (Options) to at least 60');

		// the re-run of the same execution: nobody is mailed again
		const rerun = await runWorkflow(workflow(), { input: people(0, 60), credentials: credentials(), staticData: first.savedStaticData, mode: 'trigger' });
		expect(statuses(rerun)).toEqual(Array(60).fill('duplicate'));
		expect(postmark.accepted).toHaveLength(60);
		expect(hints(rerun)).toEqual([]);

		// a run of 10 new recipients an hour later (the stored send seconds moved back one hour):
		// within the bound, no warning; the bound drops the first run's 20 oldest (60 + 10 - 50),
		// keeping the 10 new ones
		const stored = JSON.parse(JSON.stringify(rerun.savedStaticData ?? first.savedStaticData)) as IDataObject;
		const memory = (stored.global as IDataObject).pzDispatchLedger as unknown as LedgerState;
		const map = memory.kn!['esp-dispatch'];
		for (const h of Object.keys(map)) map[h] -= 3600;
		memory.n!['esp-dispatch'].s! -= 3600;
		memory.n!['esp-dispatch'].at -= 3600;
		const small = await runWorkflow(workflow(), { input: people(60, 70), credentials: credentials(), staticData: stored, mode: 'trigger' });
		expect(statuses(small)).toEqual(Array(10).fill('sent'));
		expect(hints(small)).toEqual([]);
		expect(remembered(small)).toBe(50);
		const after = await runWorkflow(workflow(), { input: people(0, 70), credentials: credentials(), staticData: small.savedStaticData, mode: 'trigger' });
		const again = statuses(after);
		// which of the first run's keys were dropped is by send second (one request, one second), so
		// only their number is certain: 20 of the first 60 are sent again, none of the 10 new ones
		expect(again.slice(60)).toEqual(Array(10).fill('duplicate'));
		expect(again.filter((s) => s === 'sent')).toHaveLength(20);
	});
});
