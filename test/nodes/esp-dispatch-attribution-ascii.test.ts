/**
 * Non-ASCII campaign, segment, experiment and variant make the round trip through the carriers that
 * must be ASCII or tag-safe, through the real n8n engine: ESP Dispatch 1.1 sends to the provider's
 * local test server (Brevo's X-Mailin-custom and Mailgun's variables are header values: printable
 * ASCII, RFC 5322 §2.2, and Brevo sends non-ASCII as raw 8-bit, django-anymail's Brevo docs; SES and
 * Resend tags: letters, digits, `_` and `-`, which their servers enforce); the engagement webhooks
 * are built from the providers' documented examples (test/fixtures/events) with the carrier as the
 * server received it; Normalize Event gives back the very values, and A/B Experiment Analyze counts
 * each variant's recipients under its own name.
 *
 * Written forms computed with Python's base64.urlsafe_b64encode (padding stripped):
 * 'Été 2025' → w4l0w6kgMjAyNQ, 'größer' → Z3LDtsOfZXI, 'Frühling 2025' → RnLDvGhsaW5nIDIwMjU,
 * 'VIP ♥' → VklQIOKZpQ.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';
import { fixtureBody } from '../harness/event-fixtures';
import { BREVO_TEST_KEY, startBrevoServer, type BrevoServer } from '../dispatch/servers/brevo';
import { MAILGUN_TEST_KEY, startMailgunServer, type MailgunServer } from '../dispatch/servers/mailgun';
import { SES_TEST_CREDENTIALS, startSesServer, type SesServer } from '../dispatch/servers/ses';
import { RESEND_TEST_KEY, startResendServer, type ResendServer } from '../dispatch/servers/resend';

const CAMPAIGN = 'Été 2025';
const SEGMENT = 'VIP ♥';
const EXPERIMENT = 'Frühling 2025';
const message = { subject: 'Spring', html: '<p>Spring is here</p>', text: 'Spring is here' };
/** As A/B Experiment Assign writes them: two recipients of "größer", one of "kleiner". */
const INPUT: IDataObject[] = [
	{ email: 'ada@example.com', userId: 'u-1', pz_experiment_id: EXPERIMENT, pz_variant: 'größer', message },
	{ email: 'bo@example.com', userId: 'u-2', pz_experiment_id: EXPERIMENT, pz_variant: 'größer', message },
	{ email: 'cy@example.com', userId: 'u-3', pz_experiment_id: EXPERIMENT, pz_variant: 'kleiner', message },
];
/** Who opens (besides every delivery): ada ("größer") and cy ("kleiner"). */
const OPENERS = new Set(['ada@example.com', 'cy@example.com']);
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const TAG_SAFE = /^[A-Za-z0-9_-]+$/;
const bare = (address: string) => (/<([^>]+)>\s*$/.exec(address)?.[1] ?? address).toLowerCase();

let brevo: BrevoServer;
let mailgun: MailgunServer;
let ses: SesServer;
let resend: ResendServer;
beforeAll(async () => {
	[brevo, mailgun, ses, resend] = await Promise.all([startBrevoServer(), startMailgunServer(), startSesServer(), startResendServer()]);
});
afterAll(async () => {
	await Promise.all([brevo.close(), mailgun.close(), ses.close(), resend.close()]);
});

interface Provider {
	id: string;
	credentialType: string;
	credentials(): ICredentialDataDecryptedObject;
	/** The carried pz_* values of each message as the server received them, by recipient. */
	carried(): Map<string, Record<string, string>>;
	/** Checks what reached the server is ASCII (headers) or tag-safe (tags). */
	checkCarrier(): void;
	/** The documented webhook of `kind` for a message the server accepted, by recipient. */
	webhook(email: string, kind: 'delivered' | 'opened', n: number): { headers: IDataObject; body: unknown };
}

const PROVIDERS: Provider[] = [
	{
		id: 'brevo',
		credentialType: 'personalizationBrevoApi',
		credentials: () => ({ apiKey: BREVO_TEST_KEY, baseUrl: brevo.url }),
		carried: () => new Map(brevo.delivered.map((d) => [d.to, JSON.parse(d.headers['X-Mailin-custom']) as Record<string, string>])),
		checkCarrier: () => {
			for (const d of brevo.delivered) expect(d.headers['X-Mailin-custom']).toMatch(PRINTABLE_ASCII);
		},
		// Brevo's documented webhook examples, whose "X-Mailin-custom" is the header's value as sent
		webhook: (email, kind) => {
			const d = brevo.delivered.find((x) => x.to === email)!;
			return { headers: {}, body: { ...fixtureBody('brevo', kind), email: d.to, tags: d.tags, 'X-Mailin-custom': d.headers['X-Mailin-custom'] } };
		},
	},
	{
		id: 'mailgun',
		credentialType: 'personalizationMailgunApi',
		credentials: () => ({ apiKey: MAILGUN_TEST_KEY, domain: 'mg.shop.example', region: 'us', baseUrl: mailgun.url }),
		carried: () => new Map(mailgun.delivered.map((d) => [bare(d.to), d.variables])),
		// Mailgun writes the message's variables as JSON into X-Mailgun-Variables
		checkCarrier: () => {
			for (const d of mailgun.delivered) expect(JSON.stringify(d.variables)).toMatch(PRINTABLE_ASCII);
		},
		webhook: (email, kind, n) => {
			const d = mailgun.delivered.find((x) => bare(x.to) === email)!;
			const body = fixtureBody('mailgun', kind);
			body['event-data'] = { ...(body['event-data'] as object), id: `ev-${n}`, recipient: email, 'user-variables': d.variables };
			return { headers: {}, body };
		},
	},
	{
		id: 'ses',
		credentialType: 'personalizationSesApi',
		credentials: () => ({ ...SES_TEST_CREDENTIALS, sessionToken: '', baseUrl: ses.url }),
		carried: () => new Map(ses.delivered.map((d) => [d.to, d.tags])),
		checkCarrier: () => {
			for (const d of ses.delivered) for (const value of Object.values(d.tags)) expect(value).toMatch(TAG_SAFE);
		},
		webhook: (email, kind, n) => {
			// SNS notification of an SES Delivery / Open event: mail.tags as `{ name: [value] }`
			const d = ses.delivered.find((x) => x.to === email)!;
			const body = fixtureBody('ses', kind === 'delivered' ? 'delivery' : 'open');
			const event = JSON.parse(body.Message as string) as { mail: Record<string, unknown>; delivery?: Record<string, unknown> };
			event.mail.destination = [d.to];
			if (event.delivery) event.delivery.recipients = [d.to];
			event.mail.tags = Object.fromEntries(Object.entries(d.tags).map(([name, value]) => [name, [value]]));
			body.Message = JSON.stringify(event);
			body.MessageId = `sns-${n}`;
			return { headers: {}, body };
		},
	},
	{
		id: 'resend',
		credentialType: 'personalizationResendApi',
		credentials: () => ({ apiKey: RESEND_TEST_KEY, baseUrl: resend.url }),
		carried: () => new Map(resend.delivered.map((d) => [bare(String((d.email.to as string[])[0] ?? d.email.to)), Object.fromEntries((d.email.tags as Array<{ name: string; value: string }>).map((t) => [t.name, t.value]))])),
		checkCarrier: () => {
			for (const d of resend.delivered) for (const t of d.email.tags as Array<{ value: string }>) expect(t.value).toMatch(TAG_SAFE);
		},
		webhook: (email, kind, n) => {
			// the webhook's data.tags: an object of the email's tags
			const d = resend.delivered.find((x) => bare(String((x.email.to as string[])[0] ?? x.email.to)) === email)!;
			const body = fixtureBody('resend', `email.${kind}`);
			const tags = Object.fromEntries((d.email.tags as Array<{ name: string; value: string }>).map((t) => [t.name, t.value]));
			body.data = { ...(body.data as object), to: d.email.to, tags };
			return { headers: { 'svix-id': `msg_attrascii_${n}` }, body };
		},
	},
];

function dispatchNode(provider: Provider): INode {
	return node('ESP Dispatch', 'espDispatch', { provider: provider.id, fromEmail: 'news@shop.example.com', campaignId: CAMPAIGN, options: { segment: SEGMENT } } as INode['parameters'], {
		typeVersion: 1.1,
		credentials: { [provider.credentialType]: { id: `${provider.id}-1`, name: `${provider.id} account` } },
	});
}

describe.each(PROVIDERS.map((p) => [p.id, p] as const))('%s: ESP Dispatch 1.1 → provider → webhook → Normalize Event → A/B Analyze', (_id, provider) => {
	it('the server receives ASCII / tag-safe values; the events carry the very campaign, segment, experiment and variant; Analyze counts each variant', async () => {
		const sent = await runWorkflow(
			{ nodes: [dispatchNode(provider)], connections: {} },
			{ input: INPUT.map((json): INodeExecutionData => ({ json })), credentials: { [provider.credentialType]: provider.credentials() } },
		);
		expect(sent.error).toBeUndefined();
		const results = sent.items('ESP Dispatch').map((r) => r.json);
		expect(results.map((r) => [r.recipient, ['sent', 'queued'].includes(String(r.status))])).toEqual(INPUT.map((i) => [i.email, true]));

		provider.checkCarrier();
		const carried = provider.carried();
		expect(INPUT.map((i) => carried.get(i.email as string))).toEqual(
			INPUT.map((i) =>
				expect.objectContaining({
					pz_campaign_id: 'b64-w4l0w6kgMjAyNQ',
					pz_segment: 'b64-VklQIOKZpQ',
					pz_experiment_id: 'b64-RnLDvGhsaW5nIDIwMjU',
					pz_variant: i.pz_variant === 'größer' ? 'b64-Z3LDtsOfZXI' : 'kleiner',
				}),
			),
		);

		let n = 0;
		const webhooks = [
			...INPUT.map((i) => provider.webhook(i.email as string, 'delivered', n++)),
			...INPUT.filter((i) => OPENERS.has(i.email as string)).map((i) => provider.webhook(i.email as string, 'opened', n++)),
		];
		const normalizeNode = node('Normalize Event', 'normalizeEvent', { source: provider.id, payloadField: 'body', headersField: 'headers', onUnknown: 'error' });
		const normalized = await runWorkflow({ nodes: [normalizeNode], connections: {} }, { input: webhooks.map((w) => ({ json: w as IDataObject })) });
		expect(normalized.error).toBeUndefined();
		const events = normalized.items('Normalize Event').map((i) => i.json);
		expect(events.map((e) => e.event)).toEqual([...INPUT.map(() => 'Email Delivered'), 'Email Opened', 'Email Opened']);
		for (const e of events) {
			const input = INPUT.find((i) => i.email === e.email)!;
			const properties = e.properties as IDataObject;
			expect([e.email, properties.campaign_id, properties.segment, properties.experiment_id, properties.variant, properties.user_id]).toEqual([
				input.email,
				CAMPAIGN,
				SEGMENT,
				EXPERIMENT,
				input.pz_variant,
				input.userId,
			]);
			// the message id each result names
			expect(properties.email_id).toBe(results.find((r) => r.recipient === e.email)!.messageId);
		}

		const analyze = node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: EXPERIMENT, metric: 'opened', control: 'kleiner', mdePercent: 10 } as INode['parameters']);
		const report = await runWorkflow({ nodes: [analyze], connections: {} }, { input: events.map((json) => ({ json })) });
		expect(report.error).toBeUndefined();
		const rows = (report.items('Analyze')[0].json.variants as IDataObject[]).map((v) => [v.variant, v.sent, v.opened]);
		// größer: ada and bo mailed, ada opened; kleiner: cy mailed and opened
		expect(rows.sort()).toEqual([
			['größer', 2, 1],
			['kleiner', 1, 1],
		]);
	});
});
