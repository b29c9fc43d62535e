/**
 * ESP Dispatch's Suppressed Field through the real n8n engine: PostgreSQL writes a boolean as text
 * with the letters t and f (PostgreSQL documentation, 8.6 Boolean Type: "boolean values are output
 * using the letters t and f"; psql, COPY … CSV, a ::text cast). A list exported that way is read as
 * true / false, in any case, as a flag of an object too; before, every such item failed as
 * unreadable, so a not-suppressed customer ("f") could not be mailed at all.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';
import { usePostmarkServer } from '../harness/postmark-server';

const { credentials, sent } = usePostmarkServer();

function dispatch(typeVersion: number, parameters: IDataObject = {}): INode {
	return node('ESP Dispatch', 'espDispatch', { provider: 'postmark', fromEmail: 'news@shop.example.com', ...parameters } as INode['parameters'], {
		typeVersion,
		credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
	});
}
const run = (n: INode, list: IDataObject[]) =>
	runWorkflow({ nodes: [n], connections: {} }, { input: list.map((json): INodeExecutionData => ({ json })), credentials: credentials() });
const content = (version: number, extra: IDataObject): IDataObject =>
	version === 1 ? { subject: 'Hi', html: '<p>Hi</p>', text: 'Hi', ...extra } : { message: { subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' }, ...extra };

describe('Suppressed Field: PostgreSQL text booleans t / f', () => {
	it.each([1, 1.1])('version %s: "t" / "T" stop the send, "f" / "F" mail', async (version) => {
		const result = await run(dispatch(version), [
			content(version, { email: 'a@example.com', suppressed: 't' }),
			content(version, { email: 'b@example.com', suppressed: 'T' }),
			content(version, { email: 'c@example.com', suppressed: 'f' }),
			content(version, { email: 'd@example.com', suppressed: ' F ' }),
		]);
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch').map((i) => [i.json.recipient, i.json.status, i.json.error ?? null])).toEqual([
			['a@example.com', 'suppressed', 'recipient is suppressed'],
			['b@example.com', 'suppressed', 'recipient is suppressed'],
			['c@example.com', 'sent', null],
			['d@example.com', 'sent', null],
		]);
		expect(sent().map((m) => m.To)).toEqual(['c@example.com', 'd@example.com']);
	});

	it('flags of an object written t / f (a PostgreSQL row as text): t stops the send with its reason, f mails', async () => {
		const result = await run(dispatch(1.1, { suppressionField: 'row' }), [
			content(1.1, { email: 'a@example.com', row: { unsubscribed: 'f', bounced: 't', complained: 'f' } }),
			content(1.1, { email: 'b@example.com', row: { unsubscribed: 'f', bounced: 'f', complained: 'f', suppressed: 'f' } }),
		]);
		expect(result.items('ESP Dispatch').map((i) => [i.json.status, i.json.error ?? null])).toEqual([
			['suppressed', 'recipient is bounced'],
			['sent', null],
		]);
	});
});
