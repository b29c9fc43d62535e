/**
 * ESP Dispatch through the real n8n engine (its HTTP helper, axios) against real local sockets:
 * a TLS failure proves nothing was sent (README "Retries"), so the run stops as unreachable with
 * nothing remembered, and the run after the fix sends every message; before, every message was
 * `unknown`, remembered, and skipped as `duplicate` by the run after the fix.
 */
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow, type RunResult, type WorkflowJson } from '../harness/engine';
import type { ProviderServer } from '../dispatch/servers/base';
import { SENDGRID_KEY, sendgridServer } from '../dispatch/servers/sendgrid';

const TLS_DIR = path.join(__dirname, '..', 'fixtures', 'dispatch', 'tls');
const people = (n: number): INodeExecutionData[] =>
	Array.from({ length: n }, (_, i) => ({ json: { email: `person${i}@example.com`, subject: `Hi ${i}`, html: `<p>Hello ${i}</p>` } }));
const dispatchNode = (options: IDataObject): INode =>
	node('ESP Dispatch', 'espDispatch', { operation: 'send', provider: 'sendgrid', mode: 'rendered', fromEmail: 'news@shop.example.com', campaignId: 'spring', options } as INode['parameters'], {
		credentials: { personalizationSendGridApi: { id: 'cred-1', name: 'SendGrid account' } },
	});
const workflow = (...nodes: INode[]): WorkflowJson => ({ nodes, connections: chain(...nodes.map((n) => n.name)) });
const outputs = (result: RunResult): IDataObject[] => result.items('ESP Dispatch').map((i) => i.json);

describe('ESP Dispatch: a TLS failure through n8n is "not sent", not "unknown"', () => {
	let proxy: https.Server;
	let proxyUrl: string;
	let sendgrid: ProviderServer;
	beforeAll(async () => {
		// A certificate chain from a root CA Node does not have: what a TLS-inspecting proxy looks like
		// to a client without its root (Node: UNABLE_TO_GET_ISSUER_CERT_LOCALLY).
		proxy = https.createServer({ key: fs.readFileSync(path.join(TLS_DIR, 'proxied-key.pem')), cert: fs.readFileSync(path.join(TLS_DIR, 'proxied-chain.pem')) }, (_req, res) => res.end('{}'));
		await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
		proxyUrl = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
		sendgrid = await sendgridServer().start();
	});
	afterAll(async () => {
		await new Promise<void>((resolve) => proxy.close(() => resolve()));
		await sendgrid.stop();
	});

	it('Continue On Fail: every message failed (no answer, retried), nothing remembered; after the fix the same run sends all', async () => {
		const options = { maxAttempts: 2, initialRetryDelayMs: 1, maxRetryDelayMs: 1, concurrency: 1 };
		const wf = workflow({ ...dispatchNode(options), continueOnFail: true });
		const broken = await runWorkflow(wf, { input: people(3), credentials: { personalizationSendGridApi: { apiKey: SENDGRID_KEY, baseUrl: proxyUrl } } });
		const out = outputs(broken);
		expect(out.map((o) => o.status)).toEqual(['failed', 'failed', 'failed']);
		// One SendGrid request carries all three (its batch), tried twice.
		for (const o of out) {
			expect(o.attempts).toBe(2);
			expect(o.error).toMatch(/no answer \(UNABLE_TO_GET_ISSUER_CERT_LOCALLY\)$/);
		}
		const fixed = await runWorkflow(wf, { input: people(3), credentials: { personalizationSendGridApi: { apiKey: SENDGRID_KEY, baseUrl: sendgrid.url } }, staticData: broken.staticData });
		expect(outputs(fixed).map((o) => o.status)).toEqual(['queued', 'queued', 'queued']);
		expect(sendgrid.accepted.map((a) => a.recipient).sort()).toEqual(['person0@example.com', 'person1@example.com', 'person2@example.com']);
	});

	it('without Continue On Fail the execution fails "Could not reach SendGrid", naming the TLS error', async () => {
		const result = await runWorkflow(workflow(dispatchNode({ maxAttempts: 2, initialRetryDelayMs: 1, maxRetryDelayMs: 1 })), {
			input: people(2),
			credentials: { personalizationSendGridApi: { apiKey: SENDGRID_KEY, baseUrl: proxyUrl } },
		});
		expect(JSON.stringify(result.error)).toMatch(/Could not reach SendGrid: SendGrid could not be reached \(UNABLE_TO_GET_ISSUER_CERT_LOCALLY\)/);
	});
});
