/**
 * ESP Dispatch through the real n8n engine (test/harness/engine.ts): the duplicate memory,
 * sandbox mode, the default idempotency key, timeouts through n8n's own HTTP helper, long keys
 * in Postmark metadata, per-item options and node-level failures.
 */
import { createHash } from 'node:crypto';
import type { IDataObject, INode, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { chain, loadPackage, node, runWorkflow, type RunResult, type WorkflowJson } from '../harness/engine';
import type { ProviderServer } from '../dispatch/servers/base';
import { POSTMARK_TOKEN, postmarkServer } from '../dispatch/servers/postmark';
import { SENDGRID_KEY, sendgridServer } from '../dispatch/servers/sendgrid';

const people = (n: number, extra: (i: number) => IDataObject = () => ({})): INodeExecutionData[] =>
	Array.from({ length: n }, (_, i) => ({
		json: { email: `person${i}@example.com`, subject: `Hi ${i}`, html: `<p>Hello ${i}</p>`, text: `Hello ${i}`, ...extra(i) },
	}));

function dispatchNode(parameters: IDataObject, extra: Partial<INode> = {}): INode {
	const provider = (parameters.provider as string) ?? 'postmark';
	const credentialType = provider === 'sendgrid' ? 'personalizationSendGridApi' : 'personalizationPostmarkApi';
	return node('ESP Dispatch', 'espDispatch', { operation: 'send', provider, mode: 'rendered', fromEmail: 'news@shop.example.com', fromName: 'Shop', ...parameters } as INode['parameters'], {
		credentials: { [credentialType]: { id: 'cred-1', name: `${provider} account` } },
		...extra,
	});
}

const workflow = (...nodes: INode[]): WorkflowJson => ({ nodes, connections: chain(...nodes.map((n) => n.name)) });
const outputs = (result: RunResult): IDataObject[] => result.items('ESP Dispatch').map((i) => i.json);
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('ESP Dispatch guarantees through the n8n engine', () => {
	let postmark: ProviderServer;
	let sendgrid: ProviderServer;
	beforeAll(async () => {
		postmark = await postmarkServer({ retryAfterSeconds: 0.01, holdMs: 3000 }).start();
		sendgrid = await sendgridServer({ retryAfterSeconds: 0.01 }).start();
	});
	afterAll(async () => {
		await postmark.stop();
		await sendgrid.stop();
	});
	beforeEach(() => {
		postmark.reset();
		sendgrid.reset();
	});
	const pmCreds = () => ({ personalizationPostmarkApi: { serverToken: POSTMARK_TOKEN, baseUrl: postmark.url } });
	const sgCreds = () => ({ personalizationSendGridApi: { apiKey: SENDGRID_KEY, baseUrl: sendgrid.url } });

	it('SendGrid sandbox mode: status "sandbox", nothing remembered, so the real send afterwards goes out', async () => {
		const sandbox = await runWorkflow(workflow(dispatchNode({ provider: 'sendgrid', options: { sandboxMode: true } })), { input: people(3), credentials: sgCreds() });
		expect(outputs(sandbox).map((o) => [o.status, o.responseCode])).toEqual([['sandbox', 200], ['sandbox', 200], ['sandbox', 200]]);
		// SendGrid answers a valid sandbox request 200 OK and delivers nothing
		// (https://www.twilio.com/docs/sendgrid/for-developers/sending-email/sandbox-mode).
		expect(sendgrid.requests.map((r) => r.status)).toEqual([200]);
		expect(sendgrid.accepted).toHaveLength(0);
		const real = await runWorkflow(workflow(dispatchNode({ provider: 'sendgrid' })), { input: people(3), credentials: sgCreds(), staticData: sandbox.staticData });
		expect(outputs(real).map((o) => o.status)).toEqual(['queued', 'queued', 'queued']);
		expect(sendgrid.accepted.map((a) => a.recipient)).toEqual(['person0@example.com', 'person1@example.com', 'person2@example.com']);
	});

	it('default key hashes the content: two different emails to the same person (no campaign) both go out; the same one twice does not', async () => {
		const order = (n: number) => [{ json: { email: 'Jane@Example.com', subject: 'Your order', html: `<p>Order ${n} shipped</p>`, text: `Order ${n} shipped` } }];
		const wf = workflow(dispatchNode({ campaignId: '' }));
		const first = await runWorkflow(wf, { input: order(1), credentials: pmCreds() });
		const second = await runWorkflow(wf, { input: order(2), credentials: pmCreds(), staticData: first.staticData });
		const again = await runWorkflow(wf, { input: order(2), credentials: pmCreds(), staticData: second.staticData });
		expect([outputs(first)[0].status, outputs(second)[0].status, outputs(again)[0].status]).toEqual(['sent', 'sent', 'duplicate']);
		expect(postmark.accepted.map((a) => (a.message as IDataObject).HtmlBody)).toEqual(['<p>Order 1 shipped</p>', '<p>Order 2 shipped</p>']);
		// The documented formula (README "No duplicates"), computed here independently.
		const expected = `pz-${sha256(['jane@example.com', '', 's:Your order', 'h:<p>Order 2 shipped</p>', 'x:Order 2 shipped'].join('\u0000')).slice(0, 32)}`;
		expect(outputs(second)[0].idempotencyKey).toBe(expected);
	});

	it('template mode: the default key hashes the variables (key order does not matter); an explicit key is kept as is', async () => {
		const wf = workflow(dispatchNode({ mode: 'template', templateId: 'receipt', campaignId: '' }));
		const first = await runWorkflow(wf, { input: [{ json: { email: 'jane@example.com', variables: { order: 1, total: '10.00' } } }], credentials: pmCreds() });
		const second = await runWorkflow(wf, { input: [{ json: { email: 'jane@example.com', variables: { order: 2, total: '10.00' } } }], credentials: pmCreds(), staticData: first.staticData });
		const same = await runWorkflow(wf, { input: [{ json: { email: 'jane@example.com', variables: { total: '10.00', order: 2 } } }], credentials: pmCreds(), staticData: second.staticData });
		expect([outputs(first)[0].status, outputs(second)[0].status, outputs(same)[0].status]).toEqual(['sent', 'sent', 'duplicate']);
		const expected = `pz-${sha256(['jane@example.com', '', 't:receipt', 'v:{"order":2,"total":"10.00"}'].join('\u0000')).slice(0, 32)}`;
		expect(outputs(second)[0].idempotencyKey).toBe(expected);

		const explicit = await runWorkflow(workflow(dispatchNode({ options: { idempotencyKey: '={{ $json.key }}' } })), { input: people(1, () => ({ key: 'order-42-shipped' })), credentials: pmCreds() });
		expect(outputs(explicit)[0]).toMatchObject({ status: 'sent', idempotencyKey: 'order-42-shipped', messageId: 'order-42-shipped' });
		expect(((postmark.accepted.at(-1)!.message as IDataObject).Metadata as IDataObject).pz_message_id).toBe('order-42-shipped');
	});

	it('inside n8n a timeout (the server never answers) ends as unknown with the reason, and is never sent again', async () => {
		postmark.inject('timeout');
		const wf = workflow(dispatchNode({ campaignId: 'spring', options: { timeoutMs: 300, maxAttempts: 5, initialRetryDelayMs: 1 } }));
		const lost = await runWorkflow(wf, { input: people(2), credentials: pmCreds() });
		const out = outputs(lost);
		expect(out.map((o) => [o.status, o.attempts])).toEqual([['unknown', 1], ['unknown', 1]]);
		for (const o of out) {
			expect(o.error).toMatch(/^the connection was lost after the request was sent \((ECONNABORTED|ETIMEDOUT)\); Postmark may have accepted it and has no idempotency key, so it was not sent again\./);
		}
		expect(postmark.requests).toHaveLength(1);
		expect(postmark.requests[0].fault).toBe('timeout');
		expect(postmark.accepted).toHaveLength(0);
		// A re-run remembers them: still one request in total.
		const rerun = await runWorkflow(wf, { input: people(2), credentials: pmCreds(), staticData: lost.staticData });
		expect(outputs(rerun).map((o) => o.status)).toEqual(['duplicate', 'duplicate']);
		expect(postmark.requests).toHaveLength(1);
	});

	it('an idempotency key over 80 characters goes into Postmark metadata as pz- + its SHA-256 prefix (output messageId)', async () => {
		const key = `order-confirmation:${'x'.repeat(100)}:customer-12345`;
		const result = await runWorkflow(workflow(dispatchNode({ options: { idempotencyKey: key } })), { input: people(1), credentials: pmCreds() });
		const out = outputs(result)[0];
		const hashed = `pz-${sha256(key).slice(0, 32)}`;
		expect(out).toMatchObject({ status: 'sent', idempotencyKey: key, messageId: hashed });
		// Postmark metadata values are limited to 80 characters (https://postmarkapp.com/support/article/1125-custom-metadata-faq).
		expect(((postmark.accepted[0].message as IDataObject).Metadata as IDataObject).pz_message_id).toBe(hashed);
	});

	it('tags, Postmark message stream and the suppression list are read per item; test address and sandbox are node-level', async () => {
		const input = people(3, (i) => ({ tag: `tag-${i}`, stream: i === 1 ? 'broadcast' : 'outbound', blocked: i === 2 ? 'person2@example.com' : '' }));
		const result = await runWorkflow(
			workflow(dispatchNode({ options: { tags: '={{ $json.tag }}', messageStream: '={{ $json.stream }}', suppressionList: '={{ $json.blocked }}' } })),
			{ input, credentials: pmCreds() },
		);
		expect(outputs(result).map((o) => [o.status, o.error ?? null])).toEqual([['sent', null], ['sent', null], ['suppressed', 'recipient is on the suppression list']]);
		expect(postmark.accepted.map((a) => [a.recipient, (a.message as IDataObject).Tag, (a.message as IDataObject).MessageStream])).toEqual([
			['person0@example.com', 'tag-0', 'outbound'],
			['person1@example.com', 'tag-1', 'broadcast'],
		]);
		const pkg = await loadPackage();
		const type = pkg.nodeTypes.getByNameAndVersion('n8n-nodes-personalization.espDispatch', 1);
		const options = type.description.properties.find((p) => p.name === 'options' && p.displayOptions?.show?.operation?.includes('send'))!.options as INodeProperties[];
		const flags = Object.fromEntries(options.filter((o) => ['testAddress', 'sandboxMode', 'tags', 'messageStream', 'suppressionList'].includes(o.name)).map((o) => [o.name, o.noDataExpression ?? false]));
		expect(flags).toEqual({ testAddress: true, sandboxMode: true, tags: false, messageStream: false, suppressionList: false });
	});

	it('a credential that cannot be loaded: an error naming it, or with Continue On Fail one failed item per input item', async () => {
		const input = people(2);
		input[1].json.email = 'not-an-address';
		const failed = await runWorkflow(workflow(dispatchNode({})), { input: people(2), credentials: {} });
		expect(failed.error?.message).toMatch(/^Could not load the credential "postmark account" \(type personalizationPostmarkApi\): /);
		expect(postmark.requests).toHaveLength(0);

		const cont = await runWorkflow(workflow(dispatchNode({}, { onError: 'continueRegularOutput' })), { input, credentials: {} });
		expect(cont.error).toBeUndefined();
		const items = cont.items('ESP Dispatch');
		expect(items.map((i) => [i.json.status, i.pairedItem])).toEqual([['failed', { item: 0 }], ['failed', { item: 1 }]]);
		expect(items[0].json.error).toMatch(/^Could not load the credential "postmark account"/);
		expect(items[1].json.error).toMatch(/^Item 1: recipient "not-an-address" is not an email address/);
		expect(postmark.requests).toHaveLength(0);
	});

	it('two nodes of a workflow, both bounded: the other node\'s keys do not push out this node\'s (each node keeps its own)', async () => {
		// a 30-day node and a 24-hour node, each with Max Remembered Keys 3, one memory (the workflow's)
		const monthly = dispatchNode({ campaignId: 'vip', options: { duplicateWindowHours: 720, maxRememberedKeys: 3 } }, { id: 'monthly-send' });
		const daily = dispatchNode({ campaignId: 'browse', options: { maxRememberedKeys: 3 } }, { id: 'daily-send' });
		const first = await runWorkflow(workflow(monthly), { input: people(3), credentials: pmCreds() });
		const other = await runWorkflow(workflow(daily), { input: people(6).slice(3), credentials: pmCreds(), staticData: first.staticData });
		expect(outputs(other).map((o) => o.status)).toEqual(['sent', 'sent', 'sent']);
		// 3 keys each: neither node is over its bound, so the monthly node still knows its 3
		const again = await runWorkflow(workflow(monthly), { input: people(3), credentials: pmCreds(), staticData: other.staticData });
		expect(outputs(again).map((o) => o.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
		expect(postmark.accepted).toHaveLength(6);
	});

	it('the duplicate memory keeps at most 20,000 keys by default (about 31 bytes each)', async () => {
		const now = Math.floor(Date.now() / 1000);
		const k: Record<string, number> = {};
		for (let i = 0; i < 20000; i++) k[`hseed${String(i).padStart(12, '0')}`] = now - 3600 + Math.floor(i / 100);
		const result = await runWorkflow(workflow(dispatchNode({})), { input: people(1), credentials: pmCreds(), staticData: { global: { pzDispatchLedger: { v: 1, k } } } });
		expect(outputs(result)[0].status).toBe('sent');
		// the keys written before (`k`, as an earlier version wrote them) and the node's own map (`kn`)
		const ledger = (result.staticData.global as IDataObject).pzDispatchLedger as { k: Record<string, number>; kn?: Record<string, Record<string, number>> };
		const maps = [ledger.k, ...Object.values(ledger.kn ?? {})];
		expect(maps.reduce((sum, map) => sum + Object.keys(map).length, 0)).toBe(20000);
		expect(maps.some((map) => 'hseed000000000000' in map)).toBe(false); // the oldest went first
		const bytes = JSON.stringify(ledger).length;
		expect(bytes / 20000).toBeGreaterThan(28);
		expect(bytes / 20000).toBeLessThan(33);
	});
});
