/**
 * Render Email through the real n8n engine, as a marketer sees the output item: an empty
 * <mj-preview> no longer swallows the Preheader, and the text part keeps a <pre> order summary.
 */
import type { INode } from 'n8n-workflow';
import { node, runWorkflow, type WorkflowJson } from '../harness/engine';

const workflow = (parameters: INode['parameters']): WorkflowJson => ({ nodes: [node('Render Email', 'renderEmail', parameters, { typeVersion: 1.1 })], connections: {} });
const mjml = (head: string, inner: string) =>
	`<mjml>${head}<mj-body><mj-section><mj-column>${inner}<mj-text><a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a></mj-text></mj-column></mj-section></mj-body></mjml>`;

describe('Render Email: preheader and <pre> text through n8n', () => {
	it('an empty <mj-preview> keeps the Preheader in the sent HTML; a <pre> keeps its columns in message.text', async () => {
		const body = mjml('<mj-head><mj-preview></mj-preview></mj-head>', '<mj-text>Hi {{ n }}</mj-text><mj-text><pre>\n2 x Tee    $20.00\n1 x Socks   $5.00</pre></mj-text>');
		const result = await runWorkflow(workflow({ operation: 'render', format: 'mjml', body, subject: 'Hi', preheader: 'Your order, {{ n }}', blocks: '[]', defaults: '{}' }), {
			input: [{ json: { n: 'Ada' } }],
		});
		expect(result.error).toBeUndefined();
		const [out] = result.items('Render Email');
		const message = out.json.message as { html: string; text: string; preheader: string };
		expect(message.preheader).toBe('Your order, Ada');
		expect(message.html).toMatch(/<body[^>]*><div style="display:none[^"]*">Your order, Ada<\/div>/);
		expect(message.text).toBe('Hi Ada\n2 x Tee    $20.00\n1 x Socks   $5.00\nUnsubscribe (https://shop.example/unsubscribe?u=1)');
		expect(out.pairedItem).toEqual({ item: 0 });
	});
});
