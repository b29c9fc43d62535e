/**
 * ESP Dispatch through the real n8n engine: with Continue On Fail (and the error output), an item
 * refused before sending says which parameter to fix (`field`), as the error's description
 * ("Field: …") does when the node stops. The names are those of the node's parameters in the editor
 * (toEmail, subject, unsubscribeUrl, suppressionField, fromEmail, variables).
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow } from '../harness/engine';
import { usePostmarkServer } from '../harness/postmark-server';

const good = { email: 'ada@example.com', subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' };
const input = (): INodeExecutionData[] => [
	{ json: { ...good } },
	{ json: { ...good, email: 'not-an-address' } },
	{ json: { ...good, email: 'bo@example.com', subject: '' } },
	{ json: { ...good, email: 'cy@example.com', unsub: 'http://shop.example.com/u' } },
	{ json: { ...good, email: 'di@example.com', suppressed: 'hard_bounce' } },
];

function dispatch(onError: INode['onError'], parameters: IDataObject = {}): INode {
	return node(
		'ESP Dispatch',
		'espDispatch',
		{ operation: 'send', provider: 'postmark', mode: 'rendered', fromEmail: 'news@shop.example.com', unsubscribeUrl: '={{ $json.unsub ?? "https://shop.example.com/u" }}', ...parameters } as never,
		{ onError, credentials: { personalizationPostmarkApi: { id: 'p1', name: 'Postmark' } } },
	);
}
const run = (n: INode, items: INodeExecutionData[], credentials: IDataObject) => runWorkflow({ nodes: [n], connections: chain(n.name) }, { input: items, credentials: credentials as never });

describe('ESP Dispatch: a refused item names its field with Continue On Fail', () => {
	const { server, credentials } = usePostmarkServer();

	it('Continue (regular output): each failed item carries the field; the good one is sent', async () => {
		const result = await run(dispatch('continueRegularOutput'), input(), credentials());
		expect(result.error).toBeUndefined();
		const out = result.items('ESP Dispatch').map((i) => [i.json.status, i.json.field]);
		expect(out).toEqual([
			['sent', undefined],
			['failed', 'toEmail'],
			['failed', 'subject'],
			['failed', 'unsubscribeUrl'],
			['failed', 'suppressionField'],
		]);
		expect(server().accepted.map((a) => a.recipient)).toEqual(['ada@example.com']);
	});

	it('the same field as the description when the node stops', async () => {
		const stop = await run(dispatch('stopWorkflow'), [input()[1]], credentials());
		expect((stop.error as { description?: string } | undefined)?.description).toBe('Field: toEmail');
	});

	it('Continue (using error output): the field is in the error item\'s details', async () => {
		const result = await run(dispatch('continueErrorOutput'), input().slice(0, 2), credentials());
		const failed = result.items('ESP Dispatch', 1);
		expect(failed.map((i) => [(i.json.details as IDataObject).field, i.pairedItem])).toEqual([['toEmail', { item: 1 }]]);
	});

	it('template mode: invalid Template Variables and, in version 1.1, an empty From Email', async () => {
		const template = dispatch('continueRegularOutput', { mode: 'template', templateId: 'welcome', variables: '={{ $json.vars }}', fromEmail: '={{ $json.from }}' });
		const items: INodeExecutionData[] = [
			{ json: { email: 'ada@example.com', from: 'news@shop.example.com', vars: '{"a":1}' } },
			{ json: { email: 'bo@example.com', from: 'news@shop.example.com', vars: '{not json' } },
			{ json: { email: 'cy@example.com', from: 'news@shop.example.com', vars: '[1]' } },
			{ json: { email: 'di@example.com', from: '', vars: '{}' } },
		];
		const result = await run({ ...template, typeVersion: 1.1 }, items, credentials());
		expect(result.items('ESP Dispatch').map((i) => [i.json.status, i.json.field])).toEqual([
			['sent', undefined],
			['failed', 'variables'],
			['failed', 'variables'],
			['failed', 'fromEmail'],
		]);
	});
});
