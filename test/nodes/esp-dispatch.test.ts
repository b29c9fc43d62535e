/**
 * ESP Dispatch through the real n8n engine (test/harness/engine.ts), with the transport n8n
 * gives nodes (httpRequestWithAuthentication, so each credential's `authenticate` adds the
 * secret) against the local provider-compatible servers.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow, type RunResult, type WorkflowJson } from '../harness/engine';
import type { ProviderServer } from '../dispatch/servers/base';
import { POSTMARK_TOKEN, postmarkServer } from '../dispatch/servers/postmark';
import { SENDGRID_KEY, sendgridServer } from '../dispatch/servers/sendgrid';

const people = (n: number, extra: (i: number) => IDataObject = () => ({})): INodeExecutionData[] =>
	Array.from({ length: n }, (_, i) => ({
		json: { email: `person${i}@example.com`, subject: `Hi ${i}`, html: `<p>Hello ${i}</p>`, text: `Hello ${i}`, ...extra(i) },
	}));

function dispatchNode(parameters: IDataObject, extra: Partial<INode> = {}): INode {
	const provider = (parameters.provider as string) ?? 'postmark';
	const credentialType = provider === 'sendgrid' ? 'personalizationSendGridApi' : provider === 'smtp' ? 'personalizationSmtpApi' : 'personalizationPostmarkApi';
	return node('ESP Dispatch', 'espDispatch', { operation: 'send', provider, mode: 'rendered', fromEmail: 'news@shop.example.com', fromName: 'Shop', campaignId: 'spring', ...parameters } as INode['parameters'], {
		credentials: { [credentialType]: { id: 'cred-1', name: `${provider} account` } },
		...extra,
	});
}

const workflow = (...nodes: INode[]): WorkflowJson => ({ nodes, connections: chain(...nodes.map((n) => n.name)) });

function outputs(result: RunResult): IDataObject[] {
	return result.items('ESP Dispatch').map((i) => i.json);
}

describe('ESP Dispatch node through the n8n engine', () => {
	let postmark: ProviderServer;
	let sendgrid: ProviderServer;
	const logs: string[] = [];
	const spies: jest.SpyInstance[] = [];
	beforeAll(async () => {
		postmark = await postmarkServer({ retryAfterSeconds: 0.01 }).start();
		sendgrid = await sendgridServer({ retryAfterSeconds: 0.01 }).start();
		for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
			spies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' '))));
		}
		const write = process.stdout.write.bind(process.stdout);
		spies.push(jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
			logs.push(String(chunk));
			return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
		}) as never));
	});
	afterAll(async () => {
		for (const s of spies) s.mockRestore();
		await postmark.stop();
		await sendgrid.stop();
		// No secret in any log line written during these tests.
		const all = logs.join('\n');
		expect(all).not.toContain(POSTMARK_TOKEN);
		expect(all).not.toContain(SENDGRID_KEY);
	});
	beforeEach(() => {
		postmark.reset();
		sendgrid.reset();
	});
	const pmCreds = () => ({ personalizationPostmarkApi: { serverToken: POSTMARK_TOKEN, baseUrl: postmark.url } });
	const sgCreds = () => ({ personalizationSendGridApi: { apiKey: SENDGRID_KEY, baseUrl: sendgrid.url } });

	it('sends through Postmark in one batch request, one output item per input item with pairedItem', async () => {
		const result = await runWorkflow(workflow(dispatchNode({ unsubscribeUrl: '={{ "https://shop.example.com/u/" + $json.email }}' })), { input: people(3), credentials: pmCreds() });
		expect(result.error).toBeUndefined();
		const items = result.items('ESP Dispatch');
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items.map((i) => i.json.status)).toEqual(['sent', 'sent', 'sent']);
		expect(postmark.requests).toHaveLength(1);
		expect(postmark.requests[0].headers['x-postmark-server-token']).toBe(POSTMARK_TOKEN); // added by the credential's authenticate
		const ids = new Map(postmark.accepted.map((a) => [a.recipient, a.messageId]));
		for (const i of items) {
			expect(i.json).toMatchObject({ provider: 'postmark', responseCode: 200, attempts: 1 });
			expect(i.json.providerMessageId).toBe(ids.get(i.json.recipient as string));
		}
		const sent = postmark.accepted[0].message as IDataObject;
		expect(sent.Headers).toEqual([
			{ Name: 'List-Unsubscribe', Value: '<https://shop.example.com/u/person0@example.com>' },
			{ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
		]);
		expect((sent.Metadata as IDataObject).pz_campaign_id).toBe('spring');
	});

	it('remembers sent keys in the workflow static data: a second execution skips them as duplicate', async () => {
		const wf = workflow(dispatchNode({}));
		const first = await runWorkflow(wf, { input: people(3), credentials: pmCreds() });
		expect(outputs(first).map((o) => o.status)).toEqual(['sent', 'sent', 'sent']);
		const preview = await runWorkflow(workflow(dispatchNode({ dryRun: true })), { input: people(4), credentials: pmCreds(), staticData: first.staticData });
		expect(outputs(preview).map((o) => o.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'dryRun']);
		expect(postmark.accepted).toHaveLength(3);
		const second = await runWorkflow(wf, { input: people(4), credentials: pmCreds(), staticData: first.staticData });
		expect(outputs(second).map((o) => o.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'sent']);
		expect(postmark.accepted).toHaveLength(4);
		// Static data holds hashes only, no address.
		expect(JSON.stringify(second.staticData)).not.toContain('@example.com');

		// Forget Sent Keys (after reconciling): the message can go out again.
		const key = outputs(first)[0].idempotencyKey as string;
		const forget = await runWorkflow(workflow(node('ESP Dispatch', 'espDispatch', { operation: 'forget' })), { input: [{ json: { idempotencyKey: key } }], staticData: second.staticData });
		expect(outputs(forget)).toEqual([{ idempotencyKey: key, forgotten: true }]);
		const third = await runWorkflow(wf, { input: people(2), credentials: pmCreds(), staticData: forget.staticData });
		expect(outputs(third).map((o) => o.status)).toEqual(['sent', 'duplicate']);
	});

	it('reads Customer Profile\'s "Check Suppression" object (a dot path) as the Suppressed Field', async () => {
		const flags = (f: Partial<Record<'suppressed' | 'unsubscribed' | 'bounced' | 'complained', boolean>>) => ({
			suppressed: false, unsubscribed: false, bounced: false, complained: false, known: true, ...f,
		});
		const input = people(4, (i) => ({
			profile: { suppression: [flags({ suppressed: true, bounced: true }), flags({}), flags({ suppressed: true, unsubscribed: true }), flags({ suppressed: true })][i] },
		}));
		const before = postmark.accepted.length;
		const result = await runWorkflow(workflow(dispatchNode({ suppressionField: 'profile.suppression' })), { input, credentials: pmCreds() });
		const out = outputs(result);
		expect(out.map((o) => o.status)).toEqual(['suppressed', 'sent', 'suppressed', 'suppressed']);
		expect(out.map((o) => o.error ?? '')).toEqual(['recipient is bounced', '', 'recipient is unsubscribed', 'recipient is suppressed']);
		expect(postmark.accepted.slice(before).map((a) => a.recipient)).toEqual(['person1@example.com']);
	});

	it('skips suppressed recipients (item field and suppression list) without sending them', async () => {
		const input = people(4, (i) => (i === 1 ? { suppressed: 'bounced' } : i === 2 ? { suppressed: true } : {}));
		const result = await runWorkflow(workflow(dispatchNode({ options: { suppressionList: 'PERSON3@example.com, other@example.com' } })), { input, credentials: pmCreds() });
		const out = outputs(result);
		expect(out.map((o) => o.status)).toEqual(['sent', 'suppressed', 'suppressed', 'suppressed']);
		expect(out[1].error).toBe('recipient is bounced');
		expect(postmark.accepted.map((a) => a.recipient)).toEqual(['person0@example.com']);
	});

	it('sends through SendGrid with personalizations, honouring a 429 Retry-After', async () => {
		sendgrid.inject('429');
		const result = await runWorkflow(workflow(dispatchNode({ provider: 'sendgrid', options: { initialRetryDelayMs: 1 } })), { input: people(5), credentials: sgCreds() });
		const out = outputs(result);
		expect(out.every((o) => o.status === 'queued' && o.attempts === 2 && o.responseCode === 202)).toBe(true);
		expect(sendgrid.requests.map((r) => r.status)).toEqual([429, 202]);
		expect(sendgrid.requests[1].headers.authorization).toBe(`Bearer ${SENDGRID_KEY}`);
		expect(sendgrid.accepted).toHaveLength(5);
	});

	it('an invalid key fails with an error naming the credential, with no secret anywhere', async () => {
		const wrong = 'SG.wrong-secret-key-value-1234567890';
		const result = await runWorkflow(workflow(dispatchNode({ provider: 'sendgrid' })), { input: people(2), credentials: { personalizationSendGridApi: { apiKey: wrong, baseUrl: sendgrid.url } } });
		expect(result.error?.message).toBe('SendGrid rejected the credential "sendgrid account"');
		expect((result.error as { description?: string }).description).toMatch(/personalizationSendGridApi.*nothing was sent/);
		expect(sendgrid.requests).toHaveLength(1);
		const everything = JSON.stringify(result.run);
		expect(everything).not.toContain(wrong);
		expect(everything).not.toContain(SENDGRID_KEY);

		// With Continue On Fail: one failed item per input item instead.
		const cont = await runWorkflow(workflow(dispatchNode({ provider: 'sendgrid' }, { onError: 'continueRegularOutput' })), { input: people(2), credentials: { personalizationSendGridApi: { apiKey: wrong, baseUrl: sendgrid.url } } });
		const out = outputs(cont);
		expect(out.map((o) => [o.status, o.responseCode])).toEqual([['failed', 401], ['failed', 401]]);
		expect(JSON.stringify(cont.run)).not.toContain(wrong);
	});

	it('validates each item and names the item and the field', async () => {
		const input = people(2);
		input[1].json.email = 'not-an-address';
		const result = await runWorkflow(workflow(dispatchNode({})), { input, credentials: pmCreds() });
		expect(result.error?.message).toBe('Item 1: recipient "not-an-address" is not an email address');
		expect(postmark.requests).toHaveLength(0);

		const cont = await runWorkflow(workflow(dispatchNode({}, { onError: 'continueRegularOutput' })), { input, credentials: pmCreds() });
		const items = cont.items('ESP Dispatch');
		expect(items.map((i) => [i.json.status, i.pairedItem])).toEqual([['sent', { item: 0 }], ['failed', { item: 1 }]]);
		expect(items[1].json.error).toMatch(/not an email address/);
	});

	it('On Error → Continue (using error output): failed messages leave on the error output (the details on the error), the others stay on the success output', async () => {
		const errorOutput = (extra: IDataObject = {}) => dispatchNode({}, { onError: 'continueErrorOutput', ...extra });
		// An invalid item (refused before sending) next to a good one.
		const input = people(2, (i) => ({ userId: `u${i}` }));
		input[1].json.email = 'not-an-address';
		const mixed = await runWorkflow(workflow(errorOutput()), { input, credentials: pmCreds() });
		expect(mixed.error).toBeUndefined();
		expect(mixed.items('ESP Dispatch', 0).map((i) => [i.json.status, i.json.userId, i.pairedItem])).toEqual([['sent', 'u0', { item: 0 }]]);
		const failed = mixed.items('ESP Dispatch', 1); 
		expect(failed).toHaveLength(1);
		expect(failed[0].pairedItem).toEqual({ item: 1 });
		// an error-output item is `error` and the result's `details` (n8n puts the input item's fields
		// back when the node has a predecessor: esp-dispatch-error-output.test.ts)
		expect(failed[0].json).toEqual({ error: 'Item 1: recipient "not-an-address" is not an email address', details: { status: 'failed', userId: 'u1', field: 'toEmail' } });

		// A request the provider answers with HTTP 500, not retried (Max Attempts 1): both its messages
		// are failed, both on the error output.
		postmark.inject('500');
		const refused = await runWorkflow(workflow(dispatchNode({ options: { maxAttempts: 1 } }, { onError: 'continueErrorOutput' })), { input: people(2), credentials: pmCreds() });
		expect(refused.error).toBeUndefined();
		expect(refused.items('ESP Dispatch', 0)).toHaveLength(0);
		const both = refused.items('ESP Dispatch', 1);
		expect(both.map((i) => [i.json.error, i.pairedItem])).toEqual([
			['Item 0: gave up after 1 attempts: Postmark 500', { item: 0 }],
			['Item 1: gave up after 1 attempts: Postmark 500', { item: 1 }],
		]);
		expect(both[0].json.details).toMatchObject({ status: 'failed', recipient: 'person0@example.com', provider: 'postmark', responseCode: 500, attempts: 1 });
		expect((both[0].json.details as IDataObject).idempotencyKey).toMatch(/^pz-[0-9a-f]{32}$/);

		// Statuses that are not failures stay on the success output: a duplicate of the message sent above.
		const again = await runWorkflow(workflow(errorOutput()), { input: input.slice(0, 1), credentials: pmCreds(), staticData: mixed.staticData });
		expect(again.items('ESP Dispatch', 0).map((i) => i.json.status)).toEqual(['duplicate']);
		expect(again.items('ESP Dispatch', 1)).toHaveLength(0);
	});

	it('dry run outputs the exact request and sends nothing; test mode redirects with the original recipient in a header', async () => {
		const dry = await runWorkflow(workflow(dispatchNode({ dryRun: true })), { input: people(2), credentials: pmCreds() });
		const out = outputs(dry);
		expect(out.map((o) => o.status)).toEqual(['dryRun', 'dryRun']);
		expect(postmark.requests).toHaveLength(0);
		const request = out[0].request as IDataObject;
		expect(request.url).toBe(`${postmark.url}/email/batch`);
		expect(JSON.parse(request.body as string).map((m: IDataObject) => m.To)).toEqual(['person0@example.com', 'person1@example.com']);
		expect(JSON.stringify(out)).not.toContain(POSTMARK_TOKEN);

		const test = await runWorkflow(workflow(dispatchNode({ options: { testAddress: 'qa@shop.example.com' } })), { input: people(2), credentials: pmCreds() });
		expect(outputs(test).map((o) => [o.status, o.sentTo])).toEqual([['sent', 'qa@shop.example.com'], ['sent', 'qa@shop.example.com']]);
		const sent = postmark.accepted.map((a) => a.message as IDataObject);
		expect(sent.map((m) => m.To)).toEqual(['qa@shop.example.com', 'qa@shop.example.com']);
		expect(sent.map((m) => (m.Headers as IDataObject[]).find((h) => h.Name === 'X-Pz-Original-Recipient')?.Value)).toEqual(['person0@example.com', 'person1@example.com']);
		// Test sends are not remembered: the real send afterwards is not a duplicate.
		const real = await runWorkflow(workflow(dispatchNode({})), { input: people(1), credentials: pmCreds(), staticData: test.staticData });
		expect(outputs(real)[0].status).toBe('sent');
	});

	it('through n8n\'s transport: an answer lost after acceptance is unknown, a refused connection is retried then failed', async () => {
		postmark.inject('dropAfterAccept');
		const lost = await runWorkflow(workflow(dispatchNode({})), { input: people(2), credentials: pmCreds() });
		expect(outputs(lost).map((o) => o.status)).toEqual(['unknown', 'unknown']);
		expect(postmark.accepted).toHaveLength(2);
		expect(postmark.requests).toHaveLength(1);

		// With Continue On Fail the item says what happened; without it, a provider that could not be
		// reached before anything was accepted stops the node (the rest of the run is not tried).
		const unreachable = { personalizationPostmarkApi: { serverToken: POSTMARK_TOKEN, baseUrl: 'http://127.0.0.1:1' } };
		const refused = await runWorkflow(workflow(dispatchNode({ options: { maxAttempts: 3, initialRetryDelayMs: 1 } }, { continueOnFail: true })), {
			input: people(1),
			credentials: unreachable,
		});
		const out = outputs(refused)[0];
		expect(out).toMatchObject({ status: 'failed', attempts: 3 });
		expect(out.error).toMatch(/gave up after 3 attempts: no answer \(ECONNREFUSED\)/);
		const stopped = await runWorkflow(workflow(dispatchNode({ options: { maxAttempts: 3, initialRetryDelayMs: 1 } })), { input: people(2), credentials: unreachable });
		expect((stopped.error as unknown as { messages: string[] }).messages[0]).toMatch(/^Could not reach Postmark: Postmark could not be reached \(ECONNREFUSED\) in 3 attempts/);
	});

	it('template mode through Postmark batchWithTemplates with per-recipient variables', async () => {
		const input = people(2, (i) => ({ variables: { first_name: `P${i}` } }));
		const result = await runWorkflow(workflow(dispatchNode({ mode: 'template', templateId: 'welcome' })), { input, credentials: pmCreds() });
		expect(outputs(result).map((o) => o.status)).toEqual(['sent', 'sent']);
		expect(postmark.requests[0].path).toBe('/email/batchWithTemplates');
		expect(postmark.accepted.map((a) => (a.message as IDataObject).TemplateModel)).toEqual([{ first_name: 'P0' }, { first_name: 'P1' }]);
	});
});
