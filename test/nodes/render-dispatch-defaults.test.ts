/**
 * Render Email → ESP Dispatch with the parameters a user leaves at their defaults, through the real
 * n8n engine (parameters resolved from the node descriptions per typeVersion). Version 1.1 of both
 * nodes fits together: Render Email writes into `message` and ESP Dispatch reads `message.*`, while
 * the recipient address stays in `email`. Version 1 keeps its former defaults (saved workflows
 * read what they always read).
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow, type WorkflowJson } from '../harness/engine';
import { usePostmarkServer } from '../harness/postmark-server';

const recipients: INodeExecutionData[] = [
	{ json: { email: 'ada@example.com', first_name: 'Ada' } },
	{ json: { email: 'bo@example.com', first_name: 'Bo' } },
];

// Only what a user must fill in: the template, the sender, the provider. Everything else default.
function render(typeVersion: number): INode {
	return node('Render Email', 'renderEmail', { format: 'html', subject: 'Hi {{ first_name }}', body: '<p>Hello {{ first_name }}</p><a href="https://shop.example.com/u">Unsubscribe</a>' }, { typeVersion });
}
function dispatch(typeVersion: number): INode {
	return node('ESP Dispatch', 'espDispatch', { provider: 'postmark', fromEmail: 'news@shop.example.com' }, {
		typeVersion,
		credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
	});
}
const workflow = (...nodes: INode[]): WorkflowJson => ({ nodes, connections: chain(...nodes.map((n) => n.name)) });

describe('Render Email → ESP Dispatch with default parameters', () => {
	const { server, credentials } = usePostmarkServer();

	it('version 1.1: the rendered email goes to `message`, the address stays in `email`, and ESP Dispatch sends it', async () => {
		const result = await runWorkflow(workflow(render(1.1), dispatch(1.1)), { input: recipients, credentials: credentials() });
		expect(result.error).toBeUndefined();
		const rendered = result.items('Render Email').map((i) => i.json);
		expect(rendered.map((j) => j.email)).toEqual(['ada@example.com', 'bo@example.com']);
		expect(rendered.map((j) => (j.message as IDataObject).subject)).toEqual(['Hi Ada', 'Hi Bo']);
		expect(result.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['sent', 'sent']);
		const sent = server().accepted.map((a) => a.message as IDataObject);
		expect(sent.map((m) => [m.To, m.Subject])).toEqual([
			['ada@example.com', 'Hi Ada'],
			['bo@example.com', 'Hi Bo'],
		]);
		expect(String(sent[0].HtmlBody)).toContain('Hello Ada');
		expect(String(sent[1].TextBody)).toContain('Hello Bo');
	});

	it('version 1 keeps its defaults: Render Email writes into `email` (so ESP Dispatch 1 with defaults finds no address)', async () => {
		const renderOnly = await runWorkflow(workflow(render(1)), { input: recipients });
		expect(renderOnly.error).toBeUndefined();
		expect((renderOnly.items('Render Email')[0].json.email as IDataObject).subject).toBe('Hi Ada');

		const both = await runWorkflow(workflow(render(1), dispatch(1)), { input: recipients, credentials: credentials() });
		expect(both.nodes['ESP Dispatch'].error?.message ?? '').toMatch(/Item 0/);
		expect(server().accepted).toHaveLength(0);
	});

	it('ESP Dispatch 1.1 still reads top-level fields when they are mapped explicitly', async () => {
		const input = recipients.map((r) => ({ json: { ...r.json, subject: `S ${String(r.json.first_name)}`, html: '<p>x</p>', text: 'x' } }));
		const wf = workflow(
			node('ESP Dispatch', 'espDispatch', { provider: 'postmark', fromEmail: 'news@shop.example.com', subject: '={{ $json.subject }}', html: '={{ $json.html }}', text: '={{ $json.text }}' }, {
				typeVersion: 1.1,
				credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
			}),
		);
		const result = await runWorkflow(wf, { input, credentials: credentials() });
		expect(result.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['sent', 'sent']);
		expect(server().accepted.map((a) => (a.message as IDataObject).Subject)).toEqual(['S Ada', 'S Bo']);
	});
});
