/**
 * ESP Dispatch 1.1 through the real n8n engine (test/harness/engine.ts): an attribution header over
 * one line names the value as the editor does, and says when it came from the input item
 * (A/B Experiment Assign's pz_variant) rather than the Variant option; `field` is the option's
 * name or the input item's field.
 *
 * Lengths by hand: with Idempotency Key `k0` the message id is 2 characters, so Mailgun's line is
 * "X-Mailgun-Variables: " 21 + `{"pz_message_id":"k0",` 22 + `"pz_variant":"…"` 15 + n + `}` 1 =
 * 59 + n: 940 is 999 (refused), and its first 939 would fit.
 */
import type { INode, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow, type WorkflowJson } from '../harness/engine';
import { MAILGUN_TEST_KEY, startMailgunServer, type MailgunServer } from '../dispatch/servers/mailgun';

const v = (n: number) => 'v'.repeat(n);

function dispatchNode(options: Record<string, unknown>, extra: Partial<INode> = {}): INode {
	return node('ESP Dispatch', 'espDispatch', {
		operation: 'send',
		provider: 'mailgun',
		mode: 'rendered',
		fromEmail: 'news@shop.example.com',
		toEmail: '={{ $json.email }}',
		subject: 'Spring',
		html: '<p>Spring is here</p>',
		options: { idempotencyKey: '={{ $json.key }}', ...options },
	} as INode['parameters'], { typeVersion: 1.1, credentials: { personalizationMailgunApi: { id: 'mailgun-1', name: 'mailgun account' } }, ...extra });
}
const single = (n: INode): WorkflowJson => ({ nodes: [n], connections: {} });
const input = (variant: string): INodeExecutionData[] => [{ json: { email: 'person0@example.com', key: 'k0', pz_variant: variant, variant } }];
const error = (name: string, field: string) =>
	`Item 0: the attribution does not fit on one header line: ${name} is 940 characters; its first 939 would fit (the X-Mailgun-Variables header, the attribution as JSON on one line, would be 999 characters; RFC 5322 allows 998) (field: ${field})`;

describe('ESP Dispatch: the attribution header error names the editor\'s fields', () => {
	let mailgun: MailgunServer;
	beforeAll(async () => {
		mailgun = await startMailgunServer();
	});
	afterAll(() => mailgun.close());
	const credentials = () => ({ personalizationMailgunApi: { apiKey: MAILGUN_TEST_KEY, domain: 'mg.shop.example', region: 'us', baseUrl: mailgun.url } });

	it('a variant from the input item\'s pz_variant: "Variant (from the input item\'s pz_variant)", field pz_variant', async () => {
		const result = await runWorkflow(single(dispatchNode({})), { input: input(v(940)), credentials: credentials() });
		expect(result.error?.message).toBe(error("Variant (from the input item's pz_variant)", 'pz_variant'));
		expect(mailgun.received).toHaveLength(0);
	});

	it('the Variant option: "Variant", field variant; with Continue On Fail the item fails alone', async () => {
		const result = await runWorkflow(single(dispatchNode({ variant: '={{ $json.variant }}' }, { onError: 'continueRegularOutput' })), { input: input(v(940)), credentials: credentials() });
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch').map((i) => [i.json.status, i.json.error])).toEqual([['failed', error('Variant', 'variant')]]);
	});

	it('939 characters from the input item are sent', async () => {
		const result = await runWorkflow(single(dispatchNode({})), { input: input(v(939)), credentials: credentials() });
		expect(result.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['queued']);
		expect(mailgun.delivered.map((d) => `X-Mailgun-Variables: ${JSON.stringify(d.variables)}`.length)).toEqual([998]);
	});
});
