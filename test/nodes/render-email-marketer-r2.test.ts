/**
 * Render Email through the real n8n engine, as a marketer sees the output item: an empty HTML
 * preheader element no longer swallows the Preheader, `message.preheader` reports the template's
 * own <mj-preview> line, and the text part drops soft hyphens and zero-width padding.
 * Expected values written by hand.
 */
import type { INode } from 'n8n-workflow';
import { node, runWorkflow, type WorkflowJson } from '../harness/engine';

const workflow = (parameters: INode['parameters']): WorkflowJson => ({ nodes: [node('Render Email', 'renderEmail', parameters, { typeVersion: 1.1 })], connections: {} });
const UNSUB = '<a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a>';

describe('Render Email: own preview lines and invisible characters through n8n', () => {
	it('HTML: an empty class="preheader" element keeps the Preheader in the sent HTML; the text part has no &shy; / padding', async () => {
		const body = `<!doctype html><html><body><div class="preheader" style="display:none"></div><p>Hi {{ n }}&nbsp;&zwnj;&nbsp;&zwnj;</p><p>Sonder&shy;angebot</p><p>${UNSUB}</p></body></html>`;
		const result = await runWorkflow(workflow({ operation: 'render', format: 'html', body, subject: 'Hi', preheader: 'Your picks, {{ n }}', blocks: '[]', defaults: '{}' }), {
			input: [{ json: { n: 'Ada' } }],
		});
		expect(result.error).toBeUndefined();
		const [out] = result.items('Render Email');
		const message = out.json.message as { html: string; text: string; preheader: string };
		expect(message.preheader).toBe('Your picks, Ada');
		expect(message.html).toMatch(/<body><div style="display:none[^"]*">Your picks, Ada<\/div>/);
		expect(message.text).toBe('Hi Ada\n\nSonderangebot\n\nUnsubscribe (https://shop.example/unsubscribe?u=1)');
		expect(out.pairedItem).toEqual({ item: 0 });
	});

	it("MJML: message.preheader is the template's own <mj-preview> line for each recipient", async () => {
		const body = `<mjml><mj-head><mj-preview>New in for {{ n }}</mj-preview></mj-head><mj-body><mj-section><mj-column><mj-text>Hi {{ n }}</mj-text><mj-text>${UNSUB}</mj-text></mj-column></mj-section></mj-body></mjml>`;
		const result = await runWorkflow(workflow({ operation: 'render', format: 'mjml', body, subject: 'Hi', blocks: '[]', defaults: '{}' }), {
			input: [{ json: { n: 'Ada' } }, { json: { n: 'Bo' } }],
		});
		expect(result.error).toBeUndefined();
		const previews = result.items('Render Email').map((i) => (i.json.message as { preheader: string }).preheader);
		expect(previews).toEqual(['New in for Ada', 'New in for Bo']);
	});
});
