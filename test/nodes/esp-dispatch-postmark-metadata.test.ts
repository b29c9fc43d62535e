/**
 * ESP Dispatch through the real n8n engine (test/harness/engine.ts) against the local Postmark
 * server: a Campaign ID over Postmark's 80-character metadata value limit
 * (https://postmarkapp.com/support/article/1125-custom-metadata-faq) is an item error naming the
 * item and the field, before anything is sent; it is never sent cut to 80 characters.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow, type WorkflowJson } from '../harness/engine';
import type { ProviderServer } from '../dispatch/servers/base';
import { POSTMARK_TOKEN, postmarkServer } from '../dispatch/servers/postmark';

const campaign = (i: number) => (i === 1 ? 'c'.repeat(81) : 'spring');

function dispatchNode(extra: Partial<INode> = {}): INode {
	return node('ESP Dispatch', 'espDispatch', {
		operation: 'send',
		provider: 'postmark',
		mode: 'rendered',
		fromEmail: '={{ $json.from }}',
		toEmail: '={{ $json.email }}',
		subject: '={{ $json.subject }}',
		html: '={{ $json.html }}',
		campaignId: '={{ $json.campaign }}',
		options: { initialRetryDelayMs: 1, maxRetryDelayMs: 5, concurrency: 1 },
	} as INode['parameters'], { credentials: { personalizationPostmarkApi: { id: 'postmark-1', name: 'postmark account' } }, ...extra });
}

const workflow = (n: INode): WorkflowJson => ({ nodes: [n], connections: {} });

function people(n: number): INodeExecutionData[] {
	return Array.from({ length: n }, (_, i) => ({ json: { email: `person${i}@example.com`, from: 'news@shop.example.com', subject: `Hi ${i}`, html: `<p>Hello ${i}</p>`, campaign: campaign(i) } }));
}

describe('ESP Dispatch: Postmark metadata over the documented limit', () => {
	let postmark: ProviderServer;
	beforeAll(async () => (postmark = await postmarkServer().start()));
	afterAll(async () => postmark.stop());
	beforeEach(() => postmark.reset());
	const credentials = () => ({ personalizationPostmarkApi: { serverToken: POSTMARK_TOKEN, baseUrl: postmark.url } });
	const message = 'Item 1: the Campaign ID (Postmark metadata pz_campaign_id) is 81 characters, more than the 80 Postmark allows in a metadata value (field: campaignId)';

	it('stops the node before anything is sent, naming the item and the field', async () => {
		const result = await runWorkflow(workflow(dispatchNode()), { input: people(3), credentials: credentials() });
		expect(result.error?.message).toBe(message);
		expect(postmark.requests).toHaveLength(0);
	});

	it('with Continue On Fail: that item fails alone, the others are sent with their Campaign ID as it is', async () => {
		const result = await runWorkflow(workflow(dispatchNode({ onError: 'continueRegularOutput' })), { input: people(3), credentials: credentials() });
		const items = result.items('ESP Dispatch');
		expect(items.map((i) => [i.json.status, i.pairedItem])).toEqual([['sent', { item: 0 }], ['failed', { item: 1 }], ['sent', { item: 2 }]]);
		expect(items[1].json.error).toBe(message);
		expect(postmark.accepted.map((a) => [a.recipient, ((a.message as IDataObject).Metadata as IDataObject).pz_campaign_id])).toEqual([
			['person0@example.com', 'spring'],
			['person2@example.com', 'spring'],
		]);
	});
});
