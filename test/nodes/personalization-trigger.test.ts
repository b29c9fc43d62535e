/**
 * The Personalization Trigger through n8n-core: real HTTP requests on a local listener, the raw
 * body in req.rawBody as n8n reads it, n8n-core's WebhookContext, and n8n's response rules
 * (test/harness/webhook.ts). Deliveries are fixtures from each provider's documented examples,
 * signed with locally generated secrets/keys. No network: outbound HTTP (SNS certificate and
 * SubscribeURL) goes to an axios adapter that records the URLs.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import axios from 'axios';
import fc from 'fast-check';
import { certificateCache } from '../../nodes/engines/events/signatures/sns';
import type { WorkflowJson } from '../harness/engine';
import { canonicalEventErrors } from '../harness/schema';
import {
	CUSTOM_MAPPING,
	SECRETS,
	SENDGRID_PUBLIC_KEY,
	SNS_CERT_PEM,
	SNS_CERT_URL,
	loadFixtures,
	nowSeconds,
	signDelivery,
	signSns,
} from '../harness/signing';
import { startWebhook, triggerWorkflow, type WebhookServer } from '../harness/webhook';

const fixtures = loadFixtures();
const fixture = (source: string, name: string) => fixtures.find((f) => f.source === source && f.name === name)!.fixture;

const credentials = {
	personalizationWebhookApi: {
		signingSecret: '',
		verificationKey: SENDGRID_PUBLIC_KEY,
		user: SECRETS.postmark.username,
		password: SECRETS.postmark.password,
		token: SECRETS.brevo.token,
	},
};
function credentialFor(source: string) {
	const secret = (SECRETS as Record<string, unknown>)[source];
	return { personalizationWebhookApi: { ...credentials.personalizationWebhookApi, signingSecret: typeof secret === 'string' ? secret : '' } };
}

const trigger = (source: string, parameters: Record<string, unknown> = {}): WorkflowJson => triggerWorkflow(source, parameters);

const CUSTOM_PARAMS = {
	customEventPath: CUSTOM_MAPPING.eventPath,
	customMapping: { ...CUSTOM_MAPPING, eventMap: JSON.stringify(CUSTOM_MAPPING.eventMap) },
	customSignatureHeader: 'x-hub-signature-256',
	customSignatureAlgorithm: 'sha256',
	customSignatureEncoding: 'hex',
	customSignaturePrefix: 'sha256=',
};

const outbound: string[] = [];
const originalAdapter = axios.defaults.adapter;
beforeAll(() => {
	axios.defaults.adapter = async (config) => {
		const url = String(config.url);
		outbound.push(url);
		const data = url === SNS_CERT_URL ? SNS_CERT_PEM : '<ConfirmSubscriptionResponse/>';
		return { data, status: 200, statusText: 'OK', headers: {}, config, request: {} };
	};
});
afterAll(() => {
	axios.defaults.adapter = originalAdapter;
});

const servers: WebhookServer[] = [];
async function open(source: string, parameters: Record<string, unknown> = {}, options: Parameters<typeof startWebhook>[1] = {}) {
	const server = await startWebhook(trigger(source, parameters), { credentials: credentialFor(source), ...options });
	servers.push(server);
	return server;
}
afterEach(async () => {
	await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** One representative documented delivery per source, with the number of events it carries. */
const ONE_PER_SOURCE: Array<[string, string, number, string]> = [
	['shopify', 'checkouts-update', 1, 'Checkout Updated'],
	['woocommerce', 'order.created', 1, 'Order Completed'],
	['stripe', 'checkout.session.expired', 1, 'Checkout Abandoned'],
	['segment', 'batch', 3, 'Identify'],
	['sendgrid', 'batch-all-events', 9, 'Email Sent'],
	['mailgun', 'clicked', 1, 'Email Link Clicked'],
	['postmark', 'open', 1, 'Email Opened'],
	['ses', 'bounce', 1, 'Email Bounced'],
	['brevo', 'click', 1, 'Email Link Clicked'],
	['resend', 'email.opened', 1, 'Email Opened'],
	['custom', 'datalayer-add-to-cart', 1, 'Product Added'],
];

describe('Personalization Trigger', () => {
	it.each(ONE_PER_SOURCE)('%s: a signed %s delivery starts the workflow with %i canonical event(s)', async (source, name, count, first) => {
		const f = fixture(source, name);
		const server = await open(source, source === 'custom' ? CUSTOM_PARAMS : source === 'ses' ? { allowedTopicArns: 'arn:aws:sns:us-east-1:123456789012:ses-events' } : {});
		const signed = signDelivery(source, JSON.stringify(f.body), { headers: f.headers });
		const reply = await server.post(signed.body, signed.headers);
		expect(reply.status).toBe(200);
		expect(reply.events).toHaveLength(count);
		expect(reply.events[0].event).toBe(first);
		expect(reply.body).toMatchObject({ message: 'Accepted', events: count });
		for (const event of reply.events) {
			expect(canonicalEventErrors(event)).toEqual([]);
			expect(event.context).toMatchObject({ source });
		}
	});

	it('answers 401 and does not run the workflow on a bad or missing signature', async () => {
		const f = fixture('shopify', 'orders-create');
		const server = await open('shopify');
		const body = JSON.stringify(f.body);
		const signed = signDelivery('shopify', body, { headers: f.headers });
		const tampered = await server.post(body.replace('403.00', '0.01'), signed.headers);
		expect(tampered.status).toBe(401);
		expect(tampered.workflowData).toBeUndefined();
		expect(tampered.body).toEqual({ error: 'the x-shopify-hmac-sha256 signature does not match the body' });
		const missing = await server.post(body, f.headers);
		expect(missing.status).toBe(401);
		expect(missing.workflowData).toBeUndefined();
		// The answer never echoes the secret.
		expect(tampered.text + missing.text).not.toContain(SECRETS.shopify);
	});

	it('a signing secret or token pasted with a trailing newline or spaces still verifies (Test credential says "Ready" for it)', async () => {
		// Provider secrets (shpss_…, whsec_…, tokens) never contain whitespace, and an HTTP header value
		// arrives trimmed, so the spaces can only come from copying the value into n8n.
		const f = fixture('shopify', 'checkouts-update');
		const base = credentialFor('shopify').personalizationWebhookApi;
		const shopify = await startWebhook(trigger('shopify'), { credentials: { personalizationWebhookApi: { ...base, signingSecret: `${SECRETS.shopify}\n` } } });
		servers.push(shopify);
		const signed = signDelivery('shopify', JSON.stringify(f.body), { headers: f.headers });
		const a = await shopify.post(signed.body, signed.headers);
		expect(a.status).toBe(200);
		expect(a.events).toHaveLength(1);
		const b = fixture('brevo', 'click');
		const brevo = await startWebhook(trigger('brevo'), { credentials: { personalizationWebhookApi: { ...base, user: '', password: '', token: ` ${SECRETS.brevo.token} ` } } });
		servers.push(brevo);
		const signedBrevo = signDelivery('brevo', JSON.stringify(b.body), { headers: b.headers });
		const reply = await brevo.post(signedBrevo.body, signedBrevo.headers);
		expect(reply.status).toBe(200);
		expect(reply.events).toHaveLength(1);
		// A secret of spaces only is no secret: our set-up problem (500), not a signature mismatch (401).
		const blank = await startWebhook(trigger('shopify'), { credentials: { personalizationWebhookApi: { ...base, signingSecret: '  ' } } });
		servers.push(blank);
		expect((await blank.post(signed.body, signed.headers)).status).toBe(500);
	});

	it('answers 401 to a replayed Stripe delivery older than the replay window', async () => {
		const f = fixture('stripe', 'charge.refunded');
		const server = await open('stripe');
		const old = signDelivery('stripe', JSON.stringify(f.body), { timestamp: nowSeconds() - 600 });
		const reply = await server.post(old.body, old.headers);
		expect(reply.status).toBe(401);
		expect(String((reply.body as { error: string }).error)).toContain('replay window');
		expect(reply.workflowData).toBeUndefined();
	});

	it.each(['={{ Number("five minutes") }}', '={{ -1 }}'])('a Replay Window set by an expression that gives no usable number (%s) keeps the default 300 s (it would switch the check off)', async (expression) => {
		// Stripe signs t= and says to reject old timestamps (default tolerance five minutes):
		// https://docs.stripe.com/webhooks#replay-attacks. A month-old signed delivery is a replay.
		const f = fixture('stripe', 'charge.refunded');
		const server = await open('stripe', { options: { replayWindowSeconds: expression } });
		const old = signDelivery('stripe', JSON.stringify(f.body), { timestamp: nowSeconds() - 30 * 86400 });
		const reply = await server.post(old.body, old.headers);
		expect(reply.status).toBe(401);
		expect(reply.body).toEqual({ error: 'the signature timestamp is outside the 300 s replay window' });
		expect(reply.workflowData).toBeUndefined();
		// A fresh delivery still passes with the fallen-back window.
		const fresh = signDelivery('stripe', JSON.stringify(f.body));
		expect((await server.post(fresh.body, fresh.headers)).status).toBe(200);
	});

	it('a Replay Window expression that gives the number as text ("600") is that number', async () => {
		const f = fixture('stripe', 'charge.refunded');
		const server = await open('stripe', { options: { replayWindowSeconds: '={{ "600" }}' } });
		const eightMinutesOld = signDelivery('stripe', JSON.stringify(f.body), { timestamp: nowSeconds() - 500 });
		expect((await server.post(eightMinutesOld.body, eightMinutesOld.headers)).status).toBe(200);
		const older = signDelivery('stripe', JSON.stringify(f.body), { timestamp: nowSeconds() - 700 });
		const reply = await server.post(older.body, older.headers);
		expect(reply.status).toBe(401);
		expect(reply.body).toEqual({ error: 'the signature timestamp is outside the 600 s replay window' });
	});

	it('answers 400 to a correctly signed but malformed body', async () => {
		const server = await open('woocommerce');
		const notJson = signDelivery('woocommerce', 'order=1&total=2', { headers: { 'content-type': 'text/plain', 'x-wc-webhook-topic': 'order.created' } });
		const a = await server.post(notJson.body, notJson.headers);
		expect(a.status).toBe(400);
		expect(a.body).toEqual({ error: 'the body is not valid JSON' });
		const noTopic = signDelivery('woocommerce', JSON.stringify({ id: 1 }));
		const b = await server.post(noTopic.body, noTopic.headers);
		expect(b.status).toBe(400);
		expect(String((b.body as { error: string }).error)).toContain('X-WC-Webhook-Topic');
		expect(a.workflowData ?? b.workflowData).toBeUndefined();
	});

	it('acknowledges the WooCommerce ping (form body webhook_id=…) without running', async () => {
		const server = await open('woocommerce');
		const reply = await server.post('webhook_id=12', { 'content-type': 'application/x-www-form-urlencoded' });
		expect(reply.status).toBe(200);
		expect(reply.workflowData).toBeUndefined();
		expect(reply.body).toEqual({ message: 'WooCommerce ping acknowledged' });
	});

	it('drops a retried delivery, in memory and across instances through the saved static data', async () => {
		const f = fixture('shopify', 'orders-paid');
		const first = await open('shopify', {}, { workflowId: 'dedupe-wf' });
		const signed = signDelivery('shopify', JSON.stringify(f.body), { headers: f.headers });
		expect((await first.post(signed.body, signed.headers)).events).toHaveLength(1);
		const retry = await first.post(signed.body, signed.headers);
		expect(retry.status).toBe(200);
		expect(retry.workflowData).toBeUndefined();
		expect(retry.body).toMatchObject({ message: 'Duplicate delivery ignored', duplicates: 1 });
		const saved = first.staticData();
		expect(JSON.stringify(saved)).not.toContain(f.headers['x-shopify-webhook-id']);
		// Another instance (fresh memory: other workflow id) with the static data n8n saved.
		const second = await open('shopify', {}, { workflowId: 'dedupe-wf-restarted', staticData: saved });
		expect((await second.post(signed.body, signed.headers)).workflowData).toBeUndefined();
		// Without the saved state the same delivery would run again (the check above is not vacuous).
		const third = await open('shopify', {}, { workflowId: 'dedupe-wf-empty' });
		expect((await third.post(signed.body, signed.headers)).events).toHaveLength(1);
	});

	it('"Listen for test event" (manual mode) neither drops nor hides deliveries of the active workflow', async () => {
		// n8n runs a Test URL call in mode 'manual', in the same process as the Production URL, and
		// never saves static data for it (cli/src/webhooks/test-webhooks.ts): a test delivery must not
		// make the active workflow drop the same event later, nor the reverse.
		const f = fixture('shopify', 'orders-paid');
		const signed = signDelivery('shopify', JSON.stringify(f.body), { headers: f.headers });
		const test = await open('shopify', {}, { workflowId: 'manual-vs-production', mode: 'manual' });
		expect((await test.post(signed.body, signed.headers)).events).toHaveLength(1);
		// Resending the same event to the Test URL while building the workflow runs it again.
		expect((await test.post(signed.body, signed.headers)).events).toHaveLength(1);
		// The same event then reaches the Production URL (same workflow, same node): it runs.
		const production = await open('shopify', {}, { workflowId: 'manual-vs-production' });
		expect((await production.post(signed.body, signed.headers)).events).toHaveLength(1);
		// Production remembers it for itself...
		expect((await production.post(signed.body, signed.headers)).body).toMatchObject({ message: 'Duplicate delivery ignored' });
		// ...and a test listener given the event production already ran still gets it.
		const again = await open('shopify', {}, { workflowId: 'manual-vs-production', mode: 'manual', staticData: production.staticData() });
		expect((await again.post(signed.body, signed.headers)).events).toHaveLength(1);
	});

	it('drops only the already seen events of a batch', async () => {
		const f = fixture('sendgrid', 'batch-all-events');
		const server = await open('sendgrid');
		const events = f.body as Array<Record<string, unknown>>;
		const firstHalf = signDelivery('sendgrid', JSON.stringify(events.slice(0, 4)));
		expect((await server.post(firstHalf.body, firstHalf.headers)).events).toHaveLength(4);
		const all = signDelivery('sendgrid', JSON.stringify(events));
		const reply = await server.post(all.body, all.headers);
		expect(reply.events.map((e) => e.messageId)).toEqual(['sg_event_id_04', 'sg_event_id_05', 'sg_event_id_06', 'sg_event_id_07', 'sg_event_id_08']);
		expect(reply.body).toMatchObject({ duplicates: 4 });
	});

	it('duplicate options set by an expression that gives no number fall back to their defaults (NaN would switch the window off)', async () => {
		const f = fixture('shopify', 'orders-create');
		const server = await open('shopify', { options: { dedupeWindowMinutes: '={{ Number("a day") }}', dedupeMaxEntries: '={{ Number("many") }}' } });
		const signed = signDelivery('shopify', JSON.stringify(f.body), { headers: f.headers });
		expect((await server.post(signed.body, signed.headers)).events).toHaveLength(1);
		const again = await server.post(signed.body, signed.headers);
		expect(again.status).toBe(200);
		expect(again.workflowData).toBeUndefined();
		expect(again.body).toMatchObject({ message: 'Duplicate delivery ignored' });
	});

	it('unknown topics: acknowledged and ignored by default, or passed through as Unknown', async () => {
		const body = JSON.stringify({ id: 5 });
		const skip = await open('shopify');
		const signed = signDelivery('shopify', body, { headers: { 'x-shopify-topic': 'app/uninstalled', 'x-shopify-webhook-id': 'u-1' } });
		const a = await skip.post(signed.body, signed.headers);
		expect(a.status).toBe(200);
		expect(a.workflowData).toBeUndefined();
		const pass = await open('shopify', { onUnknown: 'passThrough' }, { workflowId: 'unknown-pass' });
		const b = await pass.post(signed.body, signed.headers);
		expect(b.events).toMatchObject([{ event: 'Unknown', raw: { id: 5 }, context: { topic: 'app/uninstalled' } }]);
		const reject = await open('shopify', { onUnknown: 'error' }, { workflowId: 'unknown-reject' });
		expect((await reject.post(signed.body, signed.headers)).status).toBe(400);
	});

	it('Segment batch with one invalid message, Unknown Events = Reject with 400: 200, the valid messages run, the bad one comes as Unknown with its reason', async () => {
		const f = fixture('segment', 'batch');
		const body = structuredClone(f.body) as { batch: Array<Record<string, unknown>> };
		delete body.batch[1].userId; // a track with neither userId nor anonymousId
		const server = await open('segment', { onUnknown: 'error' }, { workflowId: 'segment-bad-message' });
		const signed = signDelivery('segment', JSON.stringify(body), { headers: f.headers });
		const reply = await server.post(signed.body, signed.headers);
		expect(reply.status).toBe(200);
		expect(reply.body).toMatchObject({ message: 'Accepted', events: 3 });
		expect(reply.events.map((e) => [e.event, e.messageId])).toEqual([
			['Identify', 'batch-m1'],
			['Unknown', 'batch-m2'],
			['Song Played', 'batch-m3'],
		]);
		expect(reply.events[1]).toMatchObject({ properties: { reason: 'batch[1] needs a userId or an anonymousId', field: 'batch[1].userId' }, raw: body.batch[1] });
		for (const event of reply.events) expect(canonicalEventErrors(event)).toEqual([]);
		// A single body with the same fault is still refused.
		const single = signDelivery('segment', JSON.stringify(body.batch[1]), { headers: f.headers });
		const refused = await server.post(single.body, single.headers);
		expect(refused.status).toBe(400);
		expect(refused.body).toEqual({ error: 'body needs a userId or an anonymousId (field: body.userId)' });
	});

	it('Brevo: the first open sent as opened and as unique_opened runs the workflow once', async () => {
		const f = fixture('brevo', 'opened');
		const server = await open('brevo', {}, { workflowId: 'brevo-first-open' });
		const every = signDelivery('brevo', JSON.stringify(f.body), { headers: f.headers });
		const first = signDelivery('brevo', JSON.stringify({ ...(f.body as Record<string, unknown>), event: 'unique_opened' }), { headers: f.headers });
		const a = await server.post(first.body, first.headers);
		expect(a.events).toMatchObject([{ event: 'Email Opened', properties: { first_open: true } }]);
		const b = await server.post(every.body, every.headers);
		expect(b.status).toBe(200);
		expect(b.workflowData).toBeUndefined();
		expect(b.body).toMatchObject({ message: 'Duplicate delivery ignored', duplicates: 1 });
	});

	it('Brevo: when opened comes before unique_opened, the first open still reaches the workflow (same messageId, first_open: true), once', async () => {
		const f = fixture('brevo', 'opened');
		const server = await open('brevo', {}, { workflowId: 'brevo-first-open-late' });
		const every = signDelivery('brevo', JSON.stringify(f.body), { headers: f.headers });
		const first = signDelivery('brevo', JSON.stringify({ ...(f.body as Record<string, unknown>), event: 'unique_opened' }), { headers: f.headers });
		const a = await server.post(every.body, every.headers);
		expect(a.events).toHaveLength(1);
		expect(a.events[0]).not.toHaveProperty('properties.first_open');
		const b = await server.post(first.body, first.headers);
		expect(b.status).toBe(200);
		expect(b.body).toMatchObject({ message: 'Accepted', events: 1, duplicates: 0 });
		expect(b.events).toMatchObject([{ event: 'Email Opened', messageId: a.events[0].messageId, timestamp: '2020-11-09T14:54:14.000Z', properties: { first_open: true } }]);
		// Brevo retrying either copy runs nothing.
		for (const again of [every, first]) {
			const c = await server.post(again.body, again.headers);
			expect(c.workflowData).toBeUndefined();
			expect(c.body).toMatchObject({ message: 'Duplicate delivery ignored', duplicates: 1 });
		}
	});

	it('SendGrid group_resubscribe (Unknown Events = Reject with 400) is accepted as Resubscribed', async () => {
		// https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event (group_resubscribe example)
		const example = { email: 'example@test.com', timestamp: 1513299569, 'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>', event: 'group_resubscribe', category: 'cat facts', sg_event_id: 'sg_event_id_gr', sg_message_id: 'sg_message_id', ip: '000.000.000.000', url: 'http://www.sendgrid.com/', asm_group_id: 10 };
		const server = await open('sendgrid', { onUnknown: 'error' }, { workflowId: 'sendgrid-resubscribe' });
		const signed = signDelivery('sendgrid', JSON.stringify([example]));
		const reply = await server.post(signed.body, signed.headers);
		expect(reply.status).toBe(200);
		expect(reply.events).toMatchObject([{ event: 'Resubscribed', email: 'example@test.com', properties: { asm_group_id: '10' } }]);
	});

	describe('Amazon SES via SNS', () => {
		const topicArn = 'arn:aws:sns:us-east-1:123456789012:ses-events';
		const confirmation = () =>
			signSns({ Type: 'SubscriptionConfirmation', MessageId: 'c-9', TopicArn: topicArn, Message: 'You have chosen to subscribe to the topic', SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=2336412f37`, Token: '2336412f37' });

		it('fetches the signing certificate once through n8n\'s HTTP helper and caches it', async () => {
			const server = await open('ses', { allowedTopicArns: topicArn });
			certificateCache().clear(); // the process-wide cache, shared with the node bundled in dist/
			outbound.length = 0;
			for (const name of ['open', 'click', 'delivery']) {
				const signed = signDelivery('ses', JSON.stringify(fixture('ses', name).body));
				expect((await server.post(signed.body, { 'content-type': 'text/plain; charset=UTF-8' })).events).toHaveLength(1);
			}
			expect(outbound).toEqual([SNS_CERT_URL]);
		});

		it("maps the documentation's Subscription record (List-Unsubscribe, unsubscribe all) to Unsubscribed", async () => {
			// https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html (Subscription record, headers trimmed)
			const record = {
				eventType: 'Subscription',
				mail: { timestamp: '2022-01-12T01:00:14.340Z', source: 'sender@example.com', messageId: 'EXAMPLEe4bccb684-777bc8de-afa7-4970-92b0-f515137b1497-000000', destination: ['recipient@example.com'], tags: { 'ses:configuration-set': ['ConfigSet'] } },
				subscription: {
					contactList: 'ContactListName',
					timestamp: '2022-01-12T01:00:17.910Z',
					source: 'UnsubscribeHeader',
					newTopicPreferences: { unsubscribeAll: true, topicSubscriptionStatus: [{ topicName: 'ExampleTopicName', subscriptionStatus: 'OptOut' }] },
					oldTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [{ topicName: 'ExampleTopicName', subscriptionStatus: 'OptOut' }] },
				},
			};
			const server = await open('ses', { allowedTopicArns: topicArn, onUnknown: 'error' }, { workflowId: 'ses-subscription' });
			const message = signSns({ Type: 'Notification', MessageId: 'sub-9', TopicArn: topicArn, Subject: 'Amazon SES Email Event Notification', Message: JSON.stringify(record) });
			const reply = await server.post(JSON.stringify(message), { 'content-type': 'text/plain; charset=UTF-8' });
			expect(reply.status).toBe(200);
			expect(reply.events).toMatchObject([
				{ event: 'Unsubscribed', messageId: 'sub-9', email: 'recipient@example.com', timestamp: '2022-01-12T01:00:17.910Z', properties: { contact_list: 'ContactListName', unsubscribe_all: true }, context: { source: 'ses', topic: 'Subscription' } },
			]);
			expect(canonicalEventErrors(reply.events[0])).toEqual([]);
		});

		it('does not confirm a subscription unless the user opted in', async () => {
			const server = await open('ses', { allowedTopicArns: topicArn });
			outbound.length = 0;
			const reply = await server.post(JSON.stringify(confirmation()), { 'content-type': 'text/plain' });
			expect(reply.status).toBe(200);
			expect(reply.workflowData).toBeUndefined();
			expect(outbound.filter((u) => u.includes('ConfirmSubscription'))).toEqual([]);
		});

		it('accepting unsigned requests: a confirmation is never followed, and the answer says why (not the hidden switches)', async () => {
			const server = await open('ses', { signatureCheck: 'none' }, { workflowId: 'ses-unsigned-confirmation' });
			outbound.length = 0;
			const reply = await server.post(JSON.stringify(confirmation()), { 'content-type': 'text/plain' });
			expect(reply.status).toBe(200);
			expect(reply.workflowData).toBeUndefined();
			expect(reply.body).toEqual({ message: 'SNS subscription not confirmed: a confirmation is followed only when Signature Check is Verify' });
			expect(outbound).toEqual([]);
		});

		it('confirms when opted in and the TopicArn is allowed; rejects other topics with 403', async () => {
			const server = await open('ses', { confirmSubscription: true, allowedTopicArns: `arn:aws:sns:eu-west-1:1:other, ${topicArn}` });
			outbound.length = 0;
			const message = confirmation();
			const reply = await server.post(JSON.stringify(message), { 'content-type': 'text/plain' });
			expect(reply.body).toEqual({ message: 'SNS subscription confirmed' });
			expect(outbound).toContain(message.SubscribeURL);
			const other = await open('ses', { confirmSubscription: true, allowedTopicArns: 'arn:aws:sns:eu-west-1:1:other' }, { workflowId: 'ses-other' });
			outbound.length = 0;
			expect((await other.post(JSON.stringify(message), { 'content-type': 'text/plain' })).status).toBe(403);
			expect(outbound).toEqual([]);
		});

		it('rejects a confirmation whose signature does not verify (401), so a forged SubscribeURL is never called', async () => {
			const server = await open('ses', { confirmSubscription: true, allowedTopicArns: topicArn });
			outbound.length = 0;
			const forged = { ...confirmation(), SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=forged' };
			const reply = await server.post(JSON.stringify(forged), { 'content-type': 'text/plain' });
			expect(reply.status).toBe(401);
			expect(outbound.filter((u) => u.includes('forged'))).toEqual([]);
		});
	});

	it('SES: refuses a genuinely signed message when no topic is allowed, and confirms only the SubscribeURL of the allowed topic', async () => {
		const topicArn = 'arn:aws:sns:us-east-1:123456789012:ses-events';
		const noList = await open('ses', {}, { workflowId: 'ses-no-list' });
		const signed = signDelivery('ses', JSON.stringify(fixture('ses', 'bounce').body));
		const reply = await noList.post(signed.body, { 'content-type': 'text/plain' });
		expect(reply.status).toBe(403);
		expect(reply.workflowData).toBeUndefined();
		// A SubscribeURL naming another topic than the message's (allowed) TopicArn is not fetched.
		const server = await open('ses', { confirmSubscription: true, allowedTopicArns: topicArn }, { workflowId: 'ses-url-topic' });
		outbound.length = 0;
		const sneaky = signSns({ Type: 'SubscriptionConfirmation', MessageId: 'c-10', TopicArn: topicArn, Message: 'subscribe', SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:666666666666:attacker&Token=abc', Token: 'abc' });
		expect((await server.post(JSON.stringify(sneaky), { 'content-type': 'text/plain' })).status).toBe(400);
		expect(outbound).toEqual([]);
	});

	it('a missing signing secret is our set-up problem: a bare 500 to the sender and an error in n8n', async () => {
		const server = await startWebhook(trigger('shopify'), { credentials: { personalizationWebhookApi: { ...credentials.personalizationWebhookApi, signingSecret: '' } } });
		servers.push(server);
		const f = fixture('shopify', 'checkouts-update');
		const signed = signDelivery('shopify', JSON.stringify(f.body), { headers: f.headers });
		const reply = await server.post(signed.body, signed.headers);
		expect(reply.status).toBe(500);
		expect(reply.text).not.toContain('signing');
		expect(reply.workflowData).toBeUndefined();
	});

	it('a credential without what this source uses: the server log names what is missing and does not send the operator after the signing secret', async () => {
		// Postmark authenticates with basic auth (https://postmarkapp.com/developer/webhooks/webhooks-overview),
		// not a signing secret: a Signing Secret is filled in, but no user/password or token.
		const logger = Container.get(Logger);
		const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
		try {
			const server = await startWebhook(trigger('postmark'), { credentials: { personalizationWebhookApi: { signingSecret: SECRETS.shopify, verificationKey: '', user: '', password: '', token: '' } } });
			servers.push(server);
			const f = fixture('postmark', 'bounce');
			const reply = await server.post(JSON.stringify(f.body), f.headers);
			expect(reply.status).toBe(500);
			expect(logged).toHaveBeenCalledTimes(1);
			const line = String(logged.mock.calls[0][0]);
			expect(line).toContain('no user/password or token is set in the credential for Postmark');
			expect(line).not.toMatch(/signing secret/i);
			expect(line).toContain('Setting up each source');
			expect(line).not.toContain(SECRETS.shopify);
		} finally {
			logged.mockRestore();
		}
	});

	it('property: random and truncated signed bodies never make the trigger fail (no 500), and emitted events are complete', async () => {
		const bySource = new Map<string, WebhookServer>();
		for (const source of ['shopify', 'stripe', 'sendgrid', 'mailgun', 'resend', 'custom']) {
			bySource.set(source, await open(source, source === 'custom' ? CUSTOM_PARAMS : { options: { dedupe: false } }, { workflowId: `prop-${source}` }));
		}
		const candidates = fixtures.filter((f) => bySource.has(f.source));
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(...candidates),
				fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }).map((cut) => ({ cut })), fc.jsonValue().map((value) => ({ value }))),
				async (f, change) => {
					const raw = JSON.stringify(f.fixture.body);
					const body = 'cut' in change ? raw.slice(0, Math.floor(raw.length * change.cut)) : JSON.stringify(change.value) ?? 'null';
					const headers = { ...f.fixture.headers, 'content-type': 'text/plain' };
					// Mailgun signs fields inside the body: a body that is not a JSON object goes unsigned.
					let signable = f.source !== 'mailgun';
					try {
						signable ||= typeof JSON.parse(body) === 'object' && JSON.parse(body) !== null && !Array.isArray(JSON.parse(body));
					} catch {
						signable = f.source !== 'mailgun';
					}
					const signed = signable ? signDelivery(f.source, body, { headers }) : { body, headers };
					const reply = await bySource.get(f.source)!.post(signed.body, signed.headers);
					expect([200, 400, 401]).toContain(reply.status);
					for (const event of reply.events) {
						expect(event.event).toEqual(expect.any(String));
						expect(event.messageId).toEqual(expect.any(String));
						expect(canonicalEventErrors(event)).toEqual([]);
					}
				},
			),
			{ numRuns: 80 },
		);
	});
});
