/**
 * ESP Dispatch through the real n8n engine against the local Resend server: Resend batches may
 * mix senders, and a batch holding one message from an unverified domain is refused as a whole
 * with 403 validation_error (test/dispatch/servers/resend.ts; Resend documents no per-email form of
 * this error: https://resend.com/docs/api-reference/errors). The README (ESP Dispatch, sender
 * refusals) says "every other message is sent": the messages of the other senders in that batch
 * were not accepted (the request was refused), so they are sent again without the refused sender.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow, type RunResult, type WorkflowJson } from '../harness/engine';
import { RESEND_TEST_KEY, startResendServer, type ResendServer } from '../dispatch/servers/resend';

function dispatchNode(options: IDataObject, extra: Partial<INode> = {}): INode {
	return node('ESP Dispatch', 'espDispatch', {
		operation: 'send',
		provider: 'resend',
		mode: 'rendered',
		fromEmail: '={{ $json.from }}',
		toEmail: '={{ $json.email }}',
		subject: '={{ $json.subject }}',
		html: '={{ $json.html }}',
		text: '={{ $json.text }}',
		options: { initialRetryDelayMs: 1, maxRetryDelayMs: 5, concurrency: 1, ...options },
	} as INode['parameters'], { credentials: { personalizationResendApi: { id: 'resend-1', name: 'resend account' } }, ...extra });
}

const workflow = (n: INode): WorkflowJson => ({ nodes: [n], connections: {} });
const outputs = (result: RunResult): IDataObject[] => result.items('ESP Dispatch').map((i) => i.json);

function people(froms: string[]): INodeExecutionData[] {
	return froms.map((from, i) => ({ json: { email: `person${i}@example.com`, from, subject: `Hi ${i}`, html: `<p>Hello ${i}</p>`, text: `Hello ${i}` } }));
}

describe('ESP Dispatch (Resend): a batch refused for one sender does not fail the other senders', () => {
	let resend: ResendServer;
	beforeAll(async () => {
		resend = await startResendServer(RESEND_TEST_KEY, new Set(['shop.example.com']));
	});
	afterAll(async () => {
		await resend.close();
	});

	it('one batch of three, the middle one from an unverified domain: the two others are sent, the middle one fails with Resend\'s words', async () => {
		const input = people(['news@shop.example.com', 'promo@unverified.example', 'news@shop.example.com']);
		const result = await runWorkflow(workflow(dispatchNode({})), {
			input,
			credentials: { personalizationResendApi: { apiKey: RESEND_TEST_KEY, baseUrl: resend.url } },
		});
		expect(result.error).toBeUndefined();
		const out = outputs(result);
		expect(out.map((o) => o.status)).toEqual(['sent', 'failed', 'sent']);
		expect(out[1].error).toBe('Resend refused the sender "promo@unverified.example": HTTP 403 validation_error: The unverified.example domain is not verified. Please, add and verify your domain.');
		expect(resend.delivered.map((d) => d.email.to).flat().sort()).toEqual(['person0@example.com', 'person2@example.com']);
	});

	it('later batches with that sender skip it and send the rest', async () => {
		const before = resend.delivered.length;
		const input = people(['promo@unverified.example', 'news@shop.example.com', 'promo@unverified.example', 'news@shop.example.com']);
		const result = await runWorkflow(workflow(dispatchNode({ batchSize: 2 })), {
			input,
			credentials: { personalizationResendApi: { apiKey: RESEND_TEST_KEY, baseUrl: resend.url } },
		});
		expect(result.error).toBeUndefined();
		const out = outputs(result);
		expect(out.map((o) => o.status)).toEqual(['failed', 'sent', 'failed', 'sent']);
		expect(out[2].error).toMatch(/^not sent: Resend refused the sender "promo@unverified.example" earlier in this run: /);
		expect(resend.delivered.length - before).toBe(2);
	});
});
