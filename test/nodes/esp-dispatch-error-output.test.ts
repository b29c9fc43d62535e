/**
 * ESP Dispatch with On Error → Continue (using error output) behind another node, through the real
 * n8n engine: a failed message reaches the error output as n8n's own nodes shape an error item (the
 * fields of the input item it is paired with, plus `error`), with the result's details under
 * `details`; every other status stays on the success output. The predecessor matters: n8n puts the
 * input fields back only for an item paired with an item of a previous node.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow, type WorkflowJson } from '../harness/engine';
import { usePostmarkServer } from '../harness/postmark-server';

const recipients = (): INodeExecutionData[] => [
	{ json: { email: 'ada@example.com', first_name: 'Ada', userId: 'u-ada', crm_row: 17 } },
	{ json: { email: 'not-an-address', first_name: 'Bo', userId: 'u-bo', crm_row: 18 } },
	{ json: { email: 'cy@example.com', first_name: 'Cy', crm_row: 19, profile: { userId: 'u-cy' } } },
];

function render(): INode {
	return node('Render Email', 'renderEmail', { format: 'html', subject: 'Hi {{ first_name }}', body: '<p>Hello {{ first_name }}</p><a href="https://shop.example.com/u">Unsubscribe</a>' }, { typeVersion: 1.1 });
}

function dispatch(typeVersion: number, parameters: IDataObject = {}, extra: Partial<INode> = {}): INode {
	// Version 1 reads top-level fields: subject and body given here, the address from `email` (both versions).
	const v1 = typeVersion === 1 ? { subject: 'Hi', html: '<p>Hello</p>', text: 'Hello' } : {};
	return node('ESP Dispatch', 'espDispatch', { provider: 'postmark', fromEmail: 'news@shop.example.com', ...v1, ...parameters } as INode['parameters'], {
		typeVersion,
		onError: 'continueErrorOutput',
		credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
		...extra,
	});
}

const workflow = (...nodes: INode[]): WorkflowJson => ({ nodes, connections: chain(...nodes.map((n) => n.name)) });

describe('ESP Dispatch → error output behind Render Email', () => {
	const { server, credentials } = usePostmarkServer();

	for (const typeVersion of [1, 1.1]) {
		it(`version ${typeVersion}: a refused item leaves with its input fields, error and details; the others are sent`, async () => {
			const result = await runWorkflow(workflow(render(), dispatch(typeVersion)), { input: recipients(), credentials: credentials() });
			expect(result.error).toBeUndefined();
			const ok = result.items('ESP Dispatch', 0);
			expect(ok.map((i) => [i.json.status, i.json.recipient, i.json.userId, i.pairedItem])).toEqual([
				['sent', 'ada@example.com', 'u-ada', { item: 0 }],
				['sent', 'cy@example.com', 'u-cy', { item: 2 }],
			]);
			const failed = result.items('ESP Dispatch', 1);
			expect(failed).toHaveLength(1);
			expect(failed[0].pairedItem).toEqual({ item: 1 });
			const json = failed[0].json;
			// the Render Email item it came from (its fields and the rendered `message`), plus the error
			expect(json).toMatchObject({ email: 'not-an-address', first_name: 'Bo', userId: 'u-bo', crm_row: 18, error: 'Item 1: recipient "not-an-address" is not an email address' });
			expect((json.message as IDataObject).subject).toBe('Hi Bo');
			expect(json.details).toEqual({ status: 'failed', userId: 'u-bo', field: 'toEmail' });
			expect(server().accepted.map((a) => a.recipient).sort()).toEqual(['ada@example.com', 'cy@example.com']);
		});
	}

	it('messages the provider refuses (HTTP 500, Max Attempts 1) leave with the input fields and the provider, response code and attempts', async () => {
		server().inject('500');
		const result = await runWorkflow(workflow(render(), dispatch(1.1, { options: { maxAttempts: 1 } })), { input: [recipients()[0], recipients()[2]], credentials: credentials() });
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch', 0)).toHaveLength(0);
		const failed = result.items('ESP Dispatch', 1);
		expect(failed.map((i) => [i.json.email, i.json.crm_row, i.json.error, i.pairedItem])).toEqual([
			['ada@example.com', 17, 'Item 0: gave up after 1 attempts: Postmark 500', { item: 0 }],
			['cy@example.com', 19, 'Item 1: gave up after 1 attempts: Postmark 500', { item: 1 }],
		]);
		expect(failed[0].json.details).toMatchObject({ status: 'failed', recipient: 'ada@example.com', provider: 'postmark', responseCode: 500, attempts: 1, userId: 'u-ada' });
		expect((failed[0].json.details as IDataObject).idempotencyKey).toMatch(/^pz-[0-9a-f]{32}$/);
	});

	it('dry run and test mode: only the refused item leaves on the error output', async () => {
		const dry = await runWorkflow(workflow(render(), dispatch(1.1, { dryRun: true })), { input: recipients(), credentials: credentials() });
		expect(dry.items('ESP Dispatch', 0).map((i) => [i.json.status, i.pairedItem])).toEqual([
			['dryRun', { item: 0 }],
			['dryRun', { item: 2 }],
		]);
		expect(dry.items('ESP Dispatch', 1).map((i) => [i.json.email, i.json.details, i.pairedItem])).toEqual([['not-an-address', { status: 'failed', userId: 'u-bo', field: 'toEmail' }, { item: 1 }]]);

		const test = await runWorkflow(workflow(render(), dispatch(1.1, { options: { testAddress: 'qa@shop.example.com' } })), { input: recipients(), credentials: credentials() });
		expect(test.items('ESP Dispatch', 0).map((i) => [i.json.status, i.json.sentTo])).toEqual([
			['sent', 'qa@shop.example.com'],
			['sent', 'qa@shop.example.com'],
		]);
		expect(test.items('ESP Dispatch', 1).map((i) => [i.json.first_name, i.pairedItem])).toEqual([['Bo', { item: 1 }]]);
	});

	it('a credential that cannot be loaded: every item leaves on the error output with its input fields', async () => {
		const result = await runWorkflow(workflow(render(), dispatch(1.1)), { input: recipients(), credentials: {} });
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch', 0)).toHaveLength(0);
		const failed = result.items('ESP Dispatch', 1);
		expect(failed.map((i) => [i.json.email, i.json.crm_row, i.pairedItem])).toEqual([
			['ada@example.com', 17, { item: 0 }],
			['not-an-address', 18, { item: 1 }],
			['cy@example.com', 19, { item: 2 }],
		]);
		expect(failed[0].json.error).toMatch(/^Item 0: Could not load the credential "Postmark account" \(type personalizationPostmarkApi\): .*nothing was sent\.$/);
		// the result of a message that was to be sent: its recipient, key and message id, no attempt
		expect(failed[0].json.details).toEqual({
			status: 'failed',
			recipient: 'ada@example.com',
			provider: 'postmark',
			idempotencyKey: expect.stringMatching(/^pz-[0-9a-f]{32}$/),
			messageId: expect.stringMatching(/^pz-[0-9a-f]{32}$/),
			providerMessageId: null,
			responseCode: null,
			attempts: 0,
			userId: 'u-ada',
		});
		// refused before the credential was needed: its own error
		expect(failed[1].json.error).toBe('Item 1: recipient "not-an-address" is not an email address');
		expect(server().accepted).toHaveLength(0);
	});
});
