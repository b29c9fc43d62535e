/**
 * ESP Dispatch's Suppressed Field: `on` / `off`. An HTML form posts a ticked checkbox that has no
 * value attribute as `on` (HTML Living Standard, input type=checkbox: the default value is "on") and
 * leaves an unticked one out; YAML 1.1 reads on/off as booleans, as it reads yes/no and y/n, which
 * the field already took. Before, `on` / `off` failed their items as unreadable. Empty and null
 * still mean "not suppressed" (an unticked box, an empty cell).
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';
import { usePostmarkServer } from '../harness/postmark-server';

const { credentials, sent } = usePostmarkServer();

const dispatch = (parameters: IDataObject = {}): INode =>
	node('ESP Dispatch', 'espDispatch', { provider: 'postmark', fromEmail: 'news@shop.example.com', ...parameters } as INode['parameters'], {
		typeVersion: 1.1,
		credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
	});
const run = (n: INode, list: IDataObject[]) =>
	runWorkflow({ nodes: [n], connections: {} }, { input: list.map((json): INodeExecutionData => ({ json })), credentials: credentials() });
const content = (extra: IDataObject): IDataObject => ({ message: { subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' }, ...extra });

describe('Suppressed Field: on / off (an HTML form checkbox, YAML 1.1)', () => {
	it('"on" / "ON" stop the send, "off" / "Off", empty and null mail', async () => {
		const result = await run(dispatch(), [
			content({ email: 'a@example.com', suppressed: 'on' }),
			content({ email: 'b@example.com', suppressed: ' ON ' }),
			content({ email: 'c@example.com', suppressed: 'off' }),
			content({ email: 'd@example.com', suppressed: 'Off' }),
			content({ email: 'e@example.com', suppressed: '' }),
			content({ email: 'f@example.com', suppressed: null }),
		]);
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch').map((i) => [i.json.recipient, i.json.status])).toEqual([
			['a@example.com', 'suppressed'],
			['b@example.com', 'suppressed'],
			['c@example.com', 'sent'],
			['d@example.com', 'sent'],
			['e@example.com', 'sent'],
			['f@example.com', 'sent'],
		]);
		expect(sent().map((m) => m.To)).toEqual(['c@example.com', 'd@example.com', 'e@example.com', 'f@example.com']);
	});

	it('a flag of an object written "on" stops the send with its reason', async () => {
		const result = await run(dispatch({ suppressionField: 'form' }), [content({ email: 'a@example.com', form: { unsubscribed: 'on' } })]);
		expect(result.items('ESP Dispatch').map((i) => [i.json.status, i.json.error ?? null])).toEqual([['suppressed', 'recipient is unsubscribed']]);
	});
});
