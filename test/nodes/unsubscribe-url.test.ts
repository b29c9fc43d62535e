/**
 * One unsubscribe URL per recipient for the body link and the List-Unsubscribe headers: Render
 * Email's Unsubscribe URL is the template's {{ unsubscribe_url }} and its output's
 * message.unsubscribe_url, which ESP Dispatch 1.1 uses when its own Unsubscribe URL is empty
 * (version 1 reads its parameter alone). Through the real n8n engine, sending to a local
 * Postmark server.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { chain, node, runWorkflow, type WorkflowJson } from '../harness/engine';
import { DomUtils, parseDocument } from '../harness/html';
import { usePostmarkServer } from '../harness/postmark-server';

const workflow = (...nodes: INode[]): WorkflowJson => ({ nodes, connections: chain(...nodes.map((n) => n.name)) });

// Render Email 1.1 with its starter body and blocks (the parameter defaults); only the subject,
// the sender and the Unsubscribe URL are set.
const UNSUB_EXPRESSION = '=https://shop.example.com/unsubscribe?e={{ encodeURIComponent($json.email) }}&c=spring';
const render = (parameters: IDataObject = {}, extra: Partial<INode> = {}) =>
	node('Render Email', 'renderEmail', { subject: 'News for you', fromEmail: 'news@shop.example.com', unsubscribeUrl: UNSUB_EXPRESSION, ...parameters } as INode['parameters'], {
		typeVersion: 1.1,
		...extra,
	});
const dispatch = (parameters: IDataObject = {}, typeVersion = 1.1) =>
	node('ESP Dispatch', 'espDispatch', { provider: 'postmark', ...parameters } as INode['parameters'], {
		typeVersion,
		credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
	});

const { credentials, sent } = usePostmarkServer();

/** Postmark's Headers list as a map. */
const headersOf = (m: IDataObject): Record<string, string> =>
	Object.fromEntries(((m.Headers as Array<{ Name: string; Value: string }>) ?? []).map((h) => [h.Name, h.Value]));
/** The href of the body's visible "Unsubscribe" link, entities decoded as a mail client reads it. */
function unsubscribeHref(html: string): string | undefined {
	const doc = parseDocument(html);
	const link = DomUtils.findOne((e) => e.name === 'a' && DomUtils.textContent(e).trim() === 'Unsubscribe', doc.children);
	return link?.attribs.href;
}

// Hand-encoded: encodeURIComponent('ada@example.com') is ada%40example.com, '+' is %2B.
const ADA = 'https://shop.example.com/unsubscribe?e=ada%40example.com&c=spring';
const BO = 'https://shop.example.com/unsubscribe?e=bo%2Bnews%40example.com&c=spring';

describe('one unsubscribe URL for the body link and List-Unsubscribe', () => {
	it('Render 1.1 → ESP Dispatch 1.1 (defaults): the body link and the headers carry the same per-recipient URL', async () => {
		const input = [{ json: { email: 'ada@example.com' } }, { json: { email: 'bo+news@example.com' } }];
		const result = await runWorkflow(workflow(render(), dispatch()), { input, credentials: credentials() });
		expect(result.error).toBeUndefined();
		const messages = result.items('Render Email').map((i) => i.json.message as IDataObject);
		expect(messages.map((m) => m.unsubscribe_url)).toEqual([ADA, BO]);
		expect(result.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['sent', 'sent']);
		const byRecipient = new Map(sent().map((m) => [m.To as string, m]));
		for (const [to, url] of [['ada@example.com', ADA], ['bo+news@example.com', BO]] as const) {
			const m = byRecipient.get(to)!;
			expect(headersOf(m)['List-Unsubscribe']).toBe(`<${url}>`);
			expect(headersOf(m)['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
			expect(unsubscribeHref(m.HtmlBody as string)).toBe(url);
		}
		// the HTML attribute escapes the & (as HTML requires), the decoded href is the URL
		expect(byRecipient.get('ada@example.com')!.HtmlBody).toContain('?e=ada%40example.com&amp;c=spring');
	});

	it('the Unsubscribe URL wins over an unsubscribe_url in the recipient data (and Defaults)', async () => {
		const input = [{ json: { email: 'ada@example.com', unsubscribe_url: 'https://old.example.com/u/ada' } }];
		const result = await runWorkflow(workflow(render({ defaults: '{"unsubscribe_url": "https://default.example.com/u"}' })), { input });
		expect(result.error).toBeUndefined();
		const message = result.items('Render Email')[0].json.message as IDataObject;
		expect(unsubscribeHref(message.html as string)).toBe(ADA);
		expect(message.unsubscribe_url).toBe(ADA);
		// the input item is not changed
		expect(result.items('Render Email')[0].json.unsubscribe_url).toBe('https://old.example.com/u/ada');
	});

	it('empty Unsubscribe URL: the template reads the data\'s unsubscribe_url as before, and nothing is written for Dispatch', async () => {
		const input = [{ json: { email: 'ada@example.com', unsubscribe_url: 'https://old.example.com/u/ada' } }];
		const result = await runWorkflow(workflow(render({ unsubscribeUrl: '' }), dispatch()), { input, credentials: credentials() });
		expect(result.error).toBeUndefined();
		const message = result.items('Render Email')[0].json.message as IDataObject;
		expect(unsubscribeHref(message.html as string)).toBe('https://old.example.com/u/ada');
		expect(message).not.toHaveProperty('unsubscribe_url');
		expect(headersOf(sent()[0])).not.toHaveProperty('List-Unsubscribe');
	});

	it('ESP Dispatch 1.1\'s own Unsubscribe URL, when set, wins over message.unsubscribe_url', async () => {
		const own = 'https://esp.example.com/u?id=1';
		const result = await runWorkflow(workflow(render(), dispatch({ unsubscribeUrl: own })), { input: [{ json: { email: 'ada@example.com' } }], credentials: credentials() });
		expect(result.error).toBeUndefined();
		expect(headersOf(sent()[0])['List-Unsubscribe']).toBe(`<${own}>`);
	});

	it('ESP Dispatch 1.1 alone takes message.unsubscribe_url when its Unsubscribe URL is empty', async () => {
		const json = { email: 'ada@example.com', message: { subject: 'Hi', html: '<p>Hi</p>', from: { email: 'news@shop.example.com' }, unsubscribe_url: ADA } };
		const result = await runWorkflow(workflow(dispatch()), { input: [{ json }], credentials: credentials() });
		expect(result.error).toBeUndefined();
		expect(headersOf(sent()[0])['List-Unsubscribe']).toBe(`<${ADA}>`);
		expect(headersOf(sent()[0])['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
	});

	it('ESP Dispatch version 1 does not read message.unsubscribe_url (saved workflows send what they sent)', async () => {
		const json = { email: 'ada@example.com', subject: 'Hi', html: '<p>Hi</p>', message: { unsubscribe_url: ADA } };
		const result = await runWorkflow(workflow(dispatch({ fromEmail: 'news@shop.example.com' }, 1)), { input: [{ json }], credentials: credentials() });
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['sent']);
		expect(headersOf(sent()[0])).not.toHaveProperty('List-Unsubscribe');
		expect(headersOf(sent()[0])).not.toHaveProperty('List-Unsubscribe-Post');
	});

	it('a URL that is not https fails its item naming the field; Continue On Fail keeps the others', async () => {
		const p = { unsubscribeUrl: '={{ $json.u }}' };
		const input = [{ json: { email: 'ada@example.com', u: ADA } }, { json: { email: 'bo@example.com', u: 'http://shop.example.com/u?e=bo' } }];
		const failed = await runWorkflow(workflow(render(p)), { input });
		// The query (the recipient's address here) stays out of the message.
		expect(failed.error?.message).toBe(
			'Item 1: "Unsubscribe URL" must be an https:// URL without spaces: it does not start with https:// (got "http://shop.example.com/…", path and query not shown)',
		);
		const cof = await runWorkflow(workflow(render(p, { onError: 'continueRegularOutput' })), { input });
		expect(cof.error).toBeUndefined();
		const out = cof.items('Render Email');
		expect(out).toHaveLength(2);
		expect((out[0].json.message as IDataObject).unsubscribe_url).toBe(ADA);
		expect(String(out[1].json.error)).toContain('"Unsubscribe URL" must be an https:// URL');
		expect(out[1].json).not.toHaveProperty('message');
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('lint: the starter body passes the unsubscribe check with the Unsubscribe URL set, and says what is missing without it', async () => {
		const findings = async (parameters: IDataObject) => {
			const result = await runWorkflow(workflow(render({ operation: 'lint', ...parameters })), { input: [{ json: { email: 'ada@example.com' } }] });
			expect(result.error).toBeUndefined();
			return (result.items('Render Email')[0].json.findings as IDataObject[]).map((f) => ({ check: f.check, severity: f.severity, message: String(f.message) }));
		};
		const withUrl = await findings({});
		expect(withUrl.filter((f) => f.check === 'unsubscribe-link')).toEqual([]);
		expect(withUrl.filter((f) => f.message.includes('unsubscribe_url'))).toEqual([]);
		const without = await findings({ unsubscribeUrl: '' });
		expect(without.filter((f) => f.check === 'unsubscribe-link')).toEqual([
			{
				check: 'unsubscribe-link',
				severity: 'error',
				message:
					'The unsubscribe link has an empty href (e.g. {{ unsubscribe_url }} has no value): set Unsubscribe URL in Render Email, or give the recipient data an unsubscribe_url; Gmail and Yahoo require the link for bulk senders',
			},
		]);
	});
});
