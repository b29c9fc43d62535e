/**
 * ESP Dispatch through the real n8n engine: List-Unsubscribe and Message-ID are ASCII when the
 * unsubscribe URL, the unsubscribe address or the sender's domain are not.
 *
 * A header field is US-ASCII (RFC 5322 §2.2) and RFC 2047 encoded-words may not stand inside a
 * URI, so an IRI goes into List-Unsubscribe (RFC 2369, RFC 8058) as its URI (RFC 3987 §3.1): the
 * host in IDNA ASCII form (A-labels), other non-ASCII characters as percent-encoded UTF-8; a
 * mailto's domain likewise in A-labels (RFC 6068). A msg-id is dot-atom-text, ASCII (RFC 5322
 * §3.6.4). Expected values by hand: ü is U+00FC, UTF-8 C3 BC (%C3%BC), ö U+00F6 (%C3%B6); the
 * A-labels of münchen and bücher are the well-known xn--mnchen-3ya and xn--bcher-kva.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { chain, node, runWorkflow } from '../harness/engine';
import { startSmtpInbox, type ReceivedMail, type SmtpInbox } from '../harness/smtp-inbox';
import type { ProviderServer } from '../dispatch/servers/base';
import { POSTMARK_TOKEN, postmarkServer } from '../dispatch/servers/postmark';

const PASSWORD = 'n8n-smtp-secret-ascii';
const URL_IRI = 'https://bücher.de/abmelden?name=Müller&e=jörg';
const URL_URI = 'https://xn--bcher-kva.de/abmelden?name=M%C3%BCller&e=j%C3%B6rg';
const MAILTO_IRI = 'abmelden@münchen.de';
const MAILTO_URI = 'mailto:abmelden@xn--mnchen-3ya.de';

describe('ESP Dispatch: List-Unsubscribe and Message-ID in ASCII', () => {
	const received: ReceivedMail[] = [];
	let inbox: SmtpInbox;
	let postmark: ProviderServer;
	beforeAll(async () => {
		inbox = await startSmtpInbox({ auth: { user: 'mailer', password: PASSWORD }, into: received });
		postmark = await postmarkServer({}).start();
	});
	afterAll(async () => {
		await inbox.close();
		await postmark.stop();
	});
	beforeEach(() => {
		received.length = 0;
		postmark.reset();
	});

	const dispatch = (provider: 'smtp' | 'postmark', parameters: IDataObject): INode =>
		node('ESP Dispatch', 'espDispatch', { operation: 'send', provider, mode: 'rendered', fromEmail: 'news@shop.example.com', campaignId: 'c1', ...parameters } as never, {
			credentials: provider === 'smtp' ? { personalizationSmtpApi: { id: 's1', name: 'Mail server' } } : { personalizationPostmarkApi: { id: 'p1', name: 'Postmark' } },
		});
	const run = (n: INode) =>
		runWorkflow(
			{ nodes: [n], connections: chain(n.name) },
			{
				input: [{ json: { email: 'ann@example.com', subject: 'Hallo', html: '<p>Hallo</p>', text: 'Hallo' } }],
				credentials: {
					personalizationSmtpApi: { host: '127.0.0.1', port: inbox.port, secure: false, user: 'mailer', password: PASSWORD, ignoreSslIssues: false, allowLoginWithoutTls: true },
					personalizationPostmarkApi: { serverToken: POSTMARK_TOKEN, baseUrl: postmark.url },
				},
			},
		);
	/** A raw header of the received message, unfolded (RFC 5322 §2.2.3). */
	const rawHeader = (mail: ReceivedMail, key: string) => mail.mail.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n(?=[ \t])/g, '');

	it('SMTP: a non-ASCII unsubscribe URL and mailto go into List-Unsubscribe as ASCII URIs, not as an RFC 2047 encoded-word', async () => {
		const result = await run(dispatch('smtp', { unsubscribeUrl: URL_IRI, unsubscribeMailto: MAILTO_IRI }));
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['sent']);
		expect(received).toHaveLength(1);
		expect(rawHeader(received[0], 'list-unsubscribe')).toBe(`List-Unsubscribe: <${URL_URI}>, <${MAILTO_URI}>`);
		expect(rawHeader(received[0], 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
	});

	it('SMTP: the Message-ID of a sender with an internationalized domain carries its A-label form', async () => {
		const result = await run(dispatch('smtp', { fromEmail: 'news@münchen.de', unsubscribeUrl: 'https://shop.example.com/u' }));
		expect(result.error).toBeUndefined();
		const [out] = result.items('ESP Dispatch').map((i) => i.json);
		expect(out.status).toBe('sent');
		expect(String(out.providerMessageId)).toMatch(/^<[A-Za-z0-9._-]+@xn--mnchen-3ya\.de>$/);
		expect(received[0].mail.messageId).toBe(out.providerMessageId);
		expect(rawHeader(received[0], 'message-id')).toBe(`Message-ID: ${out.providerMessageId}`);
	});

	it('Postmark: the List-Unsubscribe header given to the provider is ASCII; an ASCII URL is kept exactly as written', async () => {
		const result = await run(dispatch('postmark', { unsubscribeUrl: URL_IRI, unsubscribeMailto: `mailto:${MAILTO_IRI}` }));
		expect(result.error).toBeUndefined();
		expect((postmark.accepted[0].message as IDataObject).Headers).toEqual([
			{ Name: 'List-Unsubscribe', Value: `<${URL_URI}>, <${MAILTO_URI}>` },
			{ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
		]);
		postmark.reset();
		const ascii = 'https://Shop.Example.com/u?e=ann%40example.com&x=a%2Fb';
		await run(dispatch('postmark', { unsubscribeUrl: ascii }));
		expect((postmark.accepted[0].message as IDataObject).Headers).toEqual([
			{ Name: 'List-Unsubscribe', Value: `<${ascii}>` },
			{ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
		]);
	});
});
