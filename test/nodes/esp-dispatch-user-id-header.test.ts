/**
 * A non-ASCII userId through Brevo and Mailgun, where it rides in a header as JSON (Brevo's
 * X-Mailin-custom, Mailgun's X-Mailgun-Variables): ESP Dispatch 1.1 (real n8n engine) sends to the
 * provider's local test server, which must receive a printable-ASCII value (RFC 5322 §2.2; Brevo
 * would send non-ASCII as raw 8-bit, django-anymail's Brevo docs); then the engagement webhook is
 * built from the provider's documented example (test/fixtures/events: Brevo's transactional
 * webhook example, Mailgun's "opened" event) with the value the server received, and Normalize
 * Event gives back properties.user_id equal to the userId sent.
 *
 * Written forms computed with Python's base64.urlsafe_b64encode (padding stripped):
 * 'Zoë-42' → Wm_Dqy00Mg, '用户7' → 55So5oi3Nw, 'say "hi"' → c2F5ICJoaSI.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';
import { fixtureBody } from '../harness/event-fixtures';
import { MAILGUN_TEST_KEY, startMailgunServer, type MailgunServer } from '../dispatch/servers/mailgun';
import { BREVO_TEST_KEY, startBrevoServer, type BrevoServer } from '../dispatch/servers/brevo';

const message = { subject: 'Spring', html: '<p>Spring is here</p>', text: 'Spring is here' };
const INPUT: Array<{ email: string; userId: string; written: string }> = [
	{ email: 'zoe@example.com', userId: 'Zoë-42', written: 'b64-Wm_Dqy00Mg' },
	{ email: 'li@example.com', userId: '用户7', written: 'b64-55So5oi3Nw' },
	{ email: 'sam@example.com', userId: 'say "hi"', written: 'b64-c2F5ICJoaSI' },
	{ email: 'ada@example.com', userId: 'cust-1', written: 'cust-1' },
];
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const bare = (address: string) => (/<([^>]+)>\s*$/.exec(address)?.[1] ?? address).toLowerCase();

let brevo: BrevoServer;
let mailgun: MailgunServer;
beforeAll(async () => {
	[brevo, mailgun] = await Promise.all([startBrevoServer(), startMailgunServer()]);
});
afterAll(async () => {
	await Promise.all([brevo.close(), mailgun.close()]);
});

interface Provider {
	id: string;
	credentialType: string;
	credentials(): ICredentialDataDecryptedObject;
	/** The pz_user_id each recipient's message carried, as the server received it, by address. */
	received(): Map<string, unknown>;
	/** The raw header-carried value per recipient (must be printable ASCII). */
	carriers(): string[];
	webhooks(): IDataObject[];
}

const PROVIDERS: Provider[] = [
	{
		id: 'brevo',
		credentialType: 'personalizationBrevoApi',
		credentials: () => ({ apiKey: BREVO_TEST_KEY, baseUrl: brevo.url }),
		received: () => new Map(brevo.delivered.map((d) => [d.to, (JSON.parse(d.headers['X-Mailin-custom']) as IDataObject).pz_user_id])),
		carriers: () => brevo.delivered.map((d) => d.headers['X-Mailin-custom']),
		// Brevo's documented webhook example, whose "X-Mailin-custom" is the header's value as sent
		webhooks: () => brevo.delivered.map((d) => ({ headers: {}, body: { ...fixtureBody('brevo', 'opened'), email: d.to, tags: d.tags, 'X-Mailin-custom': d.headers['X-Mailin-custom'] } })),
	},
	{
		id: 'mailgun',
		credentialType: 'personalizationMailgunApi',
		credentials: () => ({ apiKey: MAILGUN_TEST_KEY, domain: 'mg.shop.example', region: 'us', baseUrl: mailgun.url }),
		received: () => new Map(mailgun.delivered.map((d) => [bare(d.to), d.variables.pz_user_id])),
		// Mailgun writes the message's variables as JSON into X-Mailgun-Variables
		carriers: () => mailgun.delivered.map((d) => JSON.stringify(d.variables)),
		webhooks: () =>
			mailgun.delivered.map((d) => {
				const body = fixtureBody('mailgun', 'opened');
				body['event-data'] = { ...(body['event-data'] as object), recipient: bare(d.to), 'user-variables': d.variables };
				return { headers: {}, body };
			}),
	},
];

describe.each(PROVIDERS.map((p) => [p.id, p] as const))('%s: a non-ASCII userId makes the round trip in ASCII', (_id, provider) => {
	it('the server receives the b64- form in printable ASCII, and the open comes back with the very userId', async () => {
		const dispatchNode: INode = node('ESP Dispatch', 'espDispatch', { provider: provider.id, fromEmail: 'news@shop.example.com', campaignId: 'spring' } as INode['parameters'], {
			typeVersion: 1.1,
			credentials: { [provider.credentialType]: { id: `${provider.id}-1`, name: `${provider.id} account` } },
		});
		const sent = await runWorkflow(
			{ nodes: [dispatchNode], connections: {} },
			{ input: INPUT.map((i): INodeExecutionData => ({ json: { email: i.email, userId: i.userId, message } })), credentials: { [provider.credentialType]: provider.credentials() } },
		);
		expect(sent.error).toBeUndefined();
		expect(sent.items('ESP Dispatch').map((r) => [r.json.status, r.json.userId])).toEqual(INPUT.map((i) => [provider.id === 'mailgun' ? 'queued' : 'sent', i.userId]));

		for (const carrier of provider.carriers()) expect(carrier).toMatch(PRINTABLE_ASCII);
		const received = provider.received();
		expect(INPUT.map((i) => received.get(i.email))).toEqual(INPUT.map((i) => i.written));

		const webhooks = provider.webhooks();
		expect(webhooks).toHaveLength(INPUT.length);
		const normalizeNode = node('Normalize Event', 'normalizeEvent', { source: provider.id, payloadField: 'body', headersField: 'headers', onUnknown: 'error' });
		const normalized = await runWorkflow({ nodes: [normalizeNode], connections: {} }, { input: webhooks.map((w) => ({ json: w })) });
		expect(normalized.error).toBeUndefined();
		const events = normalized.items('Normalize Event').map((i) => i.json);
		const userIdOf = new Map(events.map((e) => [e.email, (e.properties as IDataObject).user_id]));
		expect(INPUT.map((i) => userIdOf.get(i.email))).toEqual(INPUT.map((i) => i.userId));
		for (const e of events) expect(e.properties).toMatchObject({ campaign_id: 'spring' });
	});
});
