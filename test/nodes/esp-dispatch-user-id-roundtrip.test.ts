/**
 * The recipient's userId makes the round trip: ESP Dispatch 1.1 (through the real n8n engine)
 * sends to each provider's local test server (test/dispatch/servers, which enforce the provider's
 * documented request rules, metadata limits included), the provider's engagement webhook is built
 * from what that server received (the documented open event of test/fixtures/events, its metadata
 * carrier replaced by the metadata as sent), and Normalize Event gives back events whose
 * properties.user_id is the one sent: plain, with characters tags do not allow (SES, Resend: written encoded),
 * non-ASCII; a userId over every provider's limit (10,001 characters: over SendGrid's 10,000 bytes
 * of custom args, Postmark's 80 characters, the 256 of SES and Resend tags, a 998-character header
 * line for Mailgun and Brevo) is left out and the message is sent all the same. Then a Customer
 * Profile folds a complaint into the profile of its address, not of the userId the send carried.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { chain, node, runWorkflow, type WorkflowJson } from '../harness/engine';
import { fixtureBody } from '../harness/event-fixtures';
import { tempSqliteFile } from '../harness/profile-db';
import type { ProviderServer as BaseServer } from '../dispatch/servers/base';
import { POSTMARK_TOKEN, postmarkServer } from '../dispatch/servers/postmark';
import { SENDGRID_KEY, sendgridServer, type DeliveredSendGrid } from '../dispatch/servers/sendgrid';
import { MAILGUN_TEST_KEY, startMailgunServer, type MailgunServer } from '../dispatch/servers/mailgun';
import { SES_TEST_CREDENTIALS, startSesServer, type SesServer } from '../dispatch/servers/ses';
import { BREVO_TEST_KEY, startBrevoServer, type BrevoServer } from '../dispatch/servers/brevo';
import { RESEND_TEST_KEY, startResendServer, type ResendServer } from '../dispatch/servers/resend';

const LONG = 'x'.repeat(10_001);
const message = { subject: 'Spring', html: '<p>Spring is here</p>', text: 'Spring is here' };
/** What goes in, and the userId each recipient's events must come back with. */
const INPUT: Array<{ json: IDataObject; expect: string | null }> = [
	{ json: { email: 'ada@example.com', userId: 'cust-1', message }, expect: 'cust-1' },
	// from Get Profile's profile; `|` and `@` are not allowed in SES / Resend tags
	{ json: { email: 'bo@example.com', profile: { email: 'bo@example.com', userId: 'auth0|bo@example.com' }, message }, expect: 'auth0|bo@example.com' },
	{ json: { email: 'cy@example.com', userId: 'Zoë Ørsted 7', message }, expect: 'Zoë Ørsted 7' },
	{ json: { email: 'di@example.com', userId: LONG, message }, expect: null },
];

let sendgrid: BaseServer;
let postmark: BaseServer;
let mailgun: MailgunServer;
let ses: SesServer;
let brevo: BrevoServer;
let resend: ResendServer;
beforeAll(async () => {
	[sendgrid, postmark, mailgun, ses, brevo, resend] = await Promise.all([
		sendgridServer().start(),
		postmarkServer().start(),
		startMailgunServer(),
		startSesServer(),
		startBrevoServer(),
		startResendServer(),
	]);
});
afterAll(async () => {
	await Promise.all([sendgrid.stop(), postmark.stop(), mailgun.close(), ses.close(), brevo.close(), resend.close()]);
});

const bare = (address: string) => (/<([^>]+)>\s*$/.exec(address)?.[1] ?? address).toLowerCase();

interface Provider {
	id: string;
	credentialType: string;
	credentials(): ICredentialDataDecryptedObject;
	/** One documented engagement webhook (headers + body) per message the server accepted. */
	webhooks(): Array<{ headers: IDataObject; body: unknown }>;
}

const PROVIDERS: Provider[] = [
	{
		id: 'sendgrid',
		credentialType: 'personalizationSendGridApi',
		credentials: () => ({ apiKey: SENDGRID_KEY, baseUrl: sendgrid.url }),
		webhooks: () => {
			// Event Webhook: custom args are top-level keys of each event
			const events = fixtureBody('sendgrid', 'batch-all-events') as unknown as Array<Record<string, unknown>>;
			const open = Object.fromEntries(Object.entries(events.find((e) => e.event === 'open')!).filter(([k]) => !k.startsWith('pz_')));
			return sendgrid.accepted.map((a, i) => {
				const sent = a.message as DeliveredSendGrid;
				return { headers: {}, body: [{ ...open, email: sent.to, sg_event_id: `ev-${i}`, ...sent.customArgs }] };
			});
		},
	},
	{
		id: 'postmark',
		credentialType: 'personalizationPostmarkApi',
		credentials: () => ({ serverToken: POSTMARK_TOKEN, baseUrl: postmark.url }),
		webhooks: () =>
			postmark.accepted.map((a) => {
				const sent = a.message as IDataObject;
				return { headers: {}, body: { ...fixtureBody('postmark', 'open'), Recipient: sent.To, Metadata: sent.Metadata } };
			}),
	},
	{
		id: 'mailgun',
		credentialType: 'personalizationMailgunApi',
		credentials: () => ({ apiKey: MAILGUN_TEST_KEY, domain: 'mg.shop.example', region: 'us', baseUrl: mailgun.url }),
		webhooks: () =>
			mailgun.delivered.map((d) => {
				const body = fixtureBody('mailgun', 'opened');
				body['event-data'] = { ...(body['event-data'] as object), recipient: bare(d.to), 'user-variables': d.variables };
				return { headers: {}, body };
			}),
	},
	{
		id: 'ses',
		credentialType: 'personalizationSesApi',
		credentials: () => ({ ...SES_TEST_CREDENTIALS, sessionToken: '', baseUrl: ses.url }),
		webhooks: () =>
			ses.delivered.map((d) => {
				// SNS notification of an SES Open event: mail.tags as `{ name: [value] }`
				const body = fixtureBody('ses', 'open');
				const event = JSON.parse(body.Message as string) as { mail: Record<string, unknown> };
				event.mail.destination = [d.to];
				event.mail.tags = Object.fromEntries(Object.entries(d.tags).map(([name, value]) => [name, [value]]));
				body.Message = JSON.stringify(event);
				return { headers: {}, body };
			}),
	},
	{
		id: 'brevo',
		credentialType: 'personalizationBrevoApi',
		credentials: () => ({ apiKey: BREVO_TEST_KEY, baseUrl: brevo.url }),
		webhooks: () =>
			brevo.delivered.map((d) => ({
				headers: {},
				body: { ...fixtureBody('brevo', 'opened'), email: d.to, tags: d.tags, 'X-Mailin-custom': d.headers['X-Mailin-custom'] },
			})),
	},
	{
		id: 'resend',
		credentialType: 'personalizationResendApi',
		credentials: () => ({ apiKey: RESEND_TEST_KEY, baseUrl: resend.url }),
		webhooks: () =>
			resend.delivered.map((d, i) => {
				// the webhook's data.tags: an object of the email's tags
				const body = fixtureBody('resend', 'email.opened');
				const tags = Object.fromEntries((d.email.tags as Array<{ name: string; value: string }>).map((t) => [t.name, t.value]));
				body.data = { ...(body.data as object), to: d.email.to, tags };
				return { headers: { 'svix-id': `msg_roundtrip_${i}` }, body };
			}),
	},
];

function dispatchNode(provider: Provider, extra: IDataObject = {}): INode {
	return node('ESP Dispatch', 'espDispatch', { provider: provider.id, fromEmail: 'news@shop.example.com', campaignId: 'spring', ...extra } as INode['parameters'], {
		typeVersion: 1.1,
		credentials: { [provider.credentialType]: { id: `${provider.id}-1`, name: `${provider.id} account` } },
	});
}

const normalizeNode = (source: string) => node('Normalize Event', 'normalizeEvent', { source, payloadField: 'body', headersField: 'headers', onUnknown: 'error' });

describe.each(PROVIDERS.map((p) => [p.id, p] as const))('%s: ESP Dispatch → provider → engagement webhook → Normalize Event', (_id, provider) => {
	it('each open comes back with the userId sent; the one over the limit is left out and its message sent', async () => {
		const sent = await runWorkflow(
			{ nodes: [dispatchNode(provider)], connections: {} },
			{ input: INPUT.map((i): INodeExecutionData => ({ json: i.json })), credentials: { [provider.credentialType]: provider.credentials() } },
		);
		expect(sent.error).toBeUndefined();
		const results = sent.items('ESP Dispatch');
		expect(results.map((r) => [r.json.recipient, ['sent', 'queued'].includes(String(r.json.status))])).toEqual(INPUT.map((i) => [i.json.email, true]));
		expect(results.map((r) => r.json.userId)).toEqual(['cust-1', 'auth0|bo@example.com', 'Zoë Ørsted 7', LONG]);

		const webhooks = provider.webhooks();
		expect(webhooks).toHaveLength(INPUT.length);
		const normalized = await runWorkflow({ nodes: [normalizeNode(provider.id)], connections: {} }, { input: webhooks.map((w) => ({ json: w as IDataObject })) });
		expect(normalized.error).toBeUndefined();
		const events = normalized.items('Normalize Event').map((i) => i.json);
		expect(events.every((e) => e.event === 'Email Opened')).toBe(true);
		const userIdOf = new Map(events.map((e) => [e.email, (e.properties as IDataObject).user_id ?? null]));
		expect(INPUT.map((i) => [i.json.email, userIdOf.get(i.json.email as string)])).toEqual(INPUT.map((i) => [i.json.email, i.expect]));
		for (const e of events) {
			expect([e.userId, e.anonymousId]).toEqual([null, null]);
			expect(e.properties).toMatchObject({ campaign_id: 'spring' });
		}
	});
});

describe('ESP Dispatch writes no userId into the provider metadata', () => {
	const pm = PROVIDERS.find((p) => p.id === 'postmark')!;
	const run = (n: INode) => runWorkflow({ nodes: [n], connections: {} }, { input: [{ json: { email: 'ada@example.com', userId: 'cust-1', message } }], credentials: { [pm.credentialType]: pm.credentials() } });
	beforeEach(() => postmark.reset());

	it('in version 1 (what it sends is unchanged; the result still has the userId)', async () => {
		const v1 = dispatchNode(pm, { subject: 'Spring', html: '<p>Spring</p>' });
		const result = await run({ ...v1, typeVersion: 1 });
		expect(result.items('ESP Dispatch')[0].json).toMatchObject({ status: 'sent', userId: 'cust-1' });
		expect((postmark.accepted[0].message as IDataObject).Metadata).not.toHaveProperty('pz_user_id');
	});

	it('in test mode (the tester\'s opens are not the customer\'s)', async () => {
		const result = await run(dispatchNode(pm, { options: { testAddress: 'qa@shop.example.com' } }));
		expect(result.items('ESP Dispatch')[0].json).toMatchObject({ status: 'sent', sentTo: 'qa@shop.example.com', userId: 'cust-1' });
		expect((postmark.accepted[0].message as IDataObject).Metadata).not.toHaveProperty('pz_user_id');
	});
});

describe('Customer Profile folds engagement into the profile of the address, whatever userId the send carried', () => {
	it('a spam complaint on a send whose userId is a CRM id lands on the shop profile of the address, which suppression reads', async () => {
		// The reviewer's case: profiles keyed by store ids (shop-1), the sending workflow's items by CRM
		// ids (crm-9). When pz_user_id became the event's userId, the complaint made a new profile
		// crm-9 and the address's profile stayed complained: false, so Get Profile → ESP Dispatch
		// would mail the address again. Now it is properties.user_id and the event folds by address.
		postmark.reset();
		const pm = PROVIDERS.find((p) => p.id === 'postmark')!;
		const store = { storage: 'sqlite', databaseFile: tempSqliteFile() };
		const profile = (operation: string, extra: IDataObject = {}) => node('Profile', 'customerProfile', { operation, ...store, ...extra } as INode['parameters']);
		const now = new Date();
		const order = { type: 'track', event: 'Order Completed', userId: 'shop-1', email: 'ada@example.com', messageId: `order-${process.pid}`, timestamp: new Date(now.getTime() - 60_000).toISOString(), properties: { order_id: 'A1', total: 20, currency: 'EUR' }, context: { source: 'shop' } };
		expect((await runWorkflow({ nodes: [profile('record')], connections: {} }, { input: [{ json: order }] })).error).toBeUndefined();

		const sent = await runWorkflow({ nodes: [dispatchNode(pm)], connections: {} }, {
			input: [{ json: { email: 'ada@example.com', userId: 'crm-9', message } }],
			credentials: { [pm.credentialType]: pm.credentials() },
		});
		expect(sent.items('ESP Dispatch')[0].json).toMatchObject({ status: 'sent', userId: 'crm-9' });
		const metadata = (postmark.accepted[0].message as IDataObject).Metadata as IDataObject;
		expect(metadata.pz_user_id).toBe('crm-9');
		// Postmark's documented spam complaint, for this message
		const complaint = { ...fixtureBody('postmark', 'spam-complaint'), Email: 'ada@example.com', Metadata: metadata, BouncedAt: now.toISOString() };

		const flow: WorkflowJson = { nodes: [normalizeNode('postmark'), profile('record')], connections: chain('Normalize Event', 'Profile') };
		const recorded = await runWorkflow(flow, { input: [{ json: { headers: {}, body: complaint } as IDataObject }] });
		expect(recorded.error).toBeUndefined();
		const event = recorded.items('Normalize Event')[0].json;
		expect(event).toMatchObject({ event: 'Email Marked as Spam', userId: null, email: 'ada@example.com' });
		expect((event.properties as IDataObject).user_id).toBe('crm-9');

		const byEmail = await runWorkflow({ nodes: [profile('get')], connections: {} }, { input: [{ json: { email: 'ada@example.com' } }] });
		expect(byEmail.items('Profile')[0].json.profile).toMatchObject({ userId: 'shop-1', email: 'ada@example.com', complained: true, ordersCount: 1 });
		const byCrmId = await runWorkflow({ nodes: [profile('get')], connections: {} }, { input: [{ json: { userId: 'crm-9' } }] });
		expect(byCrmId.items('Profile')[0].json.profileFound).toBe(false);
	});
});
