/**
 * Render Email through the real n8n engine: a JSON parameter that does not parse is named as the
 * editor shows it (Block Library, Defaults, Sample Recipient), with the item, as other nodes do.
 */
import type { INode } from 'n8n-workflow';
import { node, runWorkflow, type WorkflowJson } from '../harness/engine';

const body = '<p>Hi {{ n }} <a href="https://shop.example/u">Unsubscribe</a></p>';
const base = { format: 'html', body, subject: 'Hi', blocks: '[]', defaults: '{}' };
const workflow = (parameters: INode['parameters'], extra: Partial<INode> = {}): WorkflowJson => ({
	nodes: [node('Render Email', 'renderEmail', parameters, extra)],
	connections: {},
});
const input = [{ json: { n: 'Ada' } }, { json: { n: 'Bo' } }];

describe('Render Email: JSON parameters named as the editor shows them', () => {
	it.each([
		['render', 'blocks', '[{', 'Block Library'],
		['render', 'defaults', '{x', 'Defaults'],
		['lint', 'blocks', '[{', 'Block Library'],
		['lint', 'sample', '{x', 'Sample Recipient'],
	])('%s: %s that does not parse (%s) fails, named "%s"', async (operation, name, value, label) => {
		const result = await runWorkflow(workflow({ ...base, operation, [name]: value }), { input });
		expect(result.error?.message).toMatch(new RegExp(`^Item 0: "${label}" is not valid JSON \\(`));
	});

	it('with Continue On Fail every recipient gets the named error, paired with its item', async () => {
		const result = await runWorkflow(workflow({ ...base, operation: 'render', defaults: '{x' }, { onError: 'continueRegularOutput' }), { input });
		expect(result.error).toBeUndefined();
		const out = result.items('Render Email');
		expect(out.map((o) => [String(o.json.error).split(" (")[0], o.json.n, o.pairedItem])).toEqual([
			['Item 0: "Defaults" is not valid JSON', 'Ada', { item: 0 }],
			['Item 1: "Defaults" is not valid JSON', 'Bo', { item: 1 }],
		]);
	});
});
