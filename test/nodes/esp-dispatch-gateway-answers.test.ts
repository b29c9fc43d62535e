/**
 * ESP Dispatch through the real n8n engine: a gateway's 504 after Postmark (no idempotency key)
 * accepted the batch is `unknown`, not retried, so nobody is mailed twice (README "Retries").
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow, type RunResult, type WorkflowJson } from '../harness/engine';
import type { ProviderServer } from '../dispatch/servers/base';
import { POSTMARK_TOKEN, postmarkServer } from '../dispatch/servers/postmark';

const people = (n: number): INodeExecutionData[] =>
	Array.from({ length: n }, (_, i) => ({ json: { email: `person${i}@example.com`, subject: `Hi ${i}`, html: `<p>Hello ${i}</p>` } }));
const dispatchNode: INode = node('ESP Dispatch', 'espDispatch', { operation: 'send', provider: 'postmark', mode: 'rendered', fromEmail: 'news@shop.example.com', campaignId: 'spring', options: { initialRetryDelayMs: 1, maxRetryDelayMs: 1 } } as INode['parameters'], {
	credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
});
const workflow: WorkflowJson = { nodes: [dispatchNode], connections: chain(dispatchNode.name) };
const outputs = (result: RunResult): IDataObject[] => result.items('ESP Dispatch').map((i) => i.json);

describe('ESP Dispatch: a gateway 504 from a provider without an idempotency key', () => {
	let postmark: ProviderServer;
	beforeAll(async () => (postmark = await postmarkServer().start()));
	afterAll(async () => await postmark.stop());

	it('is unknown after one request (each recipient accepted once), and a re-run skips them as duplicate', async () => {
		postmark.inject('504AfterAccept');
		const creds = { personalizationPostmarkApi: { serverToken: POSTMARK_TOKEN, baseUrl: postmark.url } };
		const first = await runWorkflow(workflow, { input: people(3), credentials: creds });
		expect(outputs(first).map((o) => [o.status, o.responseCode, o.attempts])).toEqual([
			['unknown', 504, 1],
			['unknown', 504, 1],
			['unknown', 504, 1],
		]);
		expect(postmark.requests).toHaveLength(1);
		expect(postmark.accepted.map((a) => a.recipient).sort()).toEqual(['person0@example.com', 'person1@example.com', 'person2@example.com']);
		const rerun = await runWorkflow(workflow, { input: people(3), credentials: creds, staticData: first.staticData });
		expect(outputs(rerun).map((o) => o.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
		expect(postmark.accepted).toHaveLength(3);
	});
});
