/**
 * Bounce types through n8n: deliveries signed as the providers sign them go through the
 * Personalization Trigger, the events through a Customer Profile node (SQLite) Record Events →
 * Check Suppression, which keeps an address as undeliverable (bounced) for an Email Bounced that
 * is not soft.
 * - Postmark BadEmailAddress ("The address is not a valid email address",
 *   https://postmarkapp.com/developer/api/bounce-api#bounce-types) was a soft bounce, so the
 *   invalid address was not suppressed; now hard. AutoResponder (an out-of-office reply) was an
 *   Email Bounced; now no event (the trigger's default *Acknowledge and Ignore*).
 * - Resend bounce.type Undetermined was hard (the address suppressed on a bounce that gave no
 *   reason); now soft, as for SES. email.suppressed (https://resend.com/docs/webhooks/emails/suppressed)
 *   was ignored; now Email Dropped, which does not mark the address bounced.
 * - Postmark SMTPApiError ("An error occurred while accepting an email through the SMTP API": the
 *   SMTP rejection of a previously suppressed recipient) and TemplateRenderingFailed were soft
 *   Email Bounced; now Email Dropped (Postmark did not try to deliver). InboundError,
 *   ManuallyDeactivated and Unconfirmed were soft Email Bounced; now no event, like AutoResponder.
 * - Resend email.failed (https://resend.com/docs/webhooks/emails/failed, "the email failed to send")
 *   was ignored; now Email Dropped with `data.failed.reason`, which does not mark the address bounced.
 * - Stripe events with livemode false (test mode) carry context.test: true.
 */
import type { IDataObject } from 'n8n-workflow';
import { SECRETS, loadFixtures, signDelivery } from '../harness/signing';
import { runProfileNode, tempSqliteFile } from '../harness/profile-db';
import { startWebhook, triggerWorkflow, type WebhookReply, type WebhookServer } from '../harness/webhook';

const fixtures = loadFixtures();
function body(source: string, name: string): Record<string, unknown> {
	const found = fixtures.find((f) => f.source === source && f.name === name);
	if (!found) throw new Error(`no fixture ${source}/${name}`);
	return JSON.parse(JSON.stringify(found.fixture.body)) as Record<string, unknown>;
}

const servers: WebhookServer[] = [];
afterEach(async () => {
	for (const s of servers.splice(0)) await s.close();
});

async function deliver(source: 'postmark' | 'resend' | 'stripe', payload: Record<string, unknown>, headers: Record<string, string> = {}): Promise<WebhookReply> {
	const secret = typeof SECRETS[source] === 'string' ? (SECRETS[source] as string) : '';
	const server = await startWebhook(triggerWorkflow(source, {}), {
		credentials: { personalizationWebhookApi: { signingSecret: secret, verificationKey: '', user: SECRETS.postmark.username, password: SECRETS.postmark.password, token: '' } },
	});
	servers.push(server);
	const signed = signDelivery(source, JSON.stringify(payload));
	const reply = await server.post(signed.body, { ...headers, ...signed.headers });
	expect(reply.status).toBe(200);
	return reply;
}

async function one(source: 'postmark' | 'resend' | 'stripe', payload: Record<string, unknown>, headers: Record<string, string> = {}): Promise<IDataObject> {
	const reply = await deliver(source, payload, headers);
	expect(reply.events).toHaveLength(1);
	return reply.events[0];
}

/** Check Suppression's answer for `email` after Record Events of `events` (fresh SQLite file). */
async function suppressionAfter(events: IDataObject[], email: string): Promise<IDataObject> {
	const target = { params: { storage: 'sqlite', databaseFile: tempSqliteFile() }, extra: {} };
	await runProfileNode(target, 'record', events);
	const [out] = await runProfileNode(target, 'suppression', [{ email }]);
	return out.suppression as IDataObject;
}

describe('Postmark bounce types through the trigger and Customer Profile', () => {
	it('BadEmailAddress is a hard bounce: the invalid address is kept as bounced', async () => {
		const e = await one('postmark', { ...body('postmark', 'bounce'), Type: 'BadEmailAddress', TypeCode: 100000, Name: 'Invalid email address', Description: 'The address is not a valid email address.' });
		expect(e).toMatchObject({ event: 'Email Bounced', email: 'john@example.com', properties: { bounce_type: 'hard' } });
		expect(await suppressionAfter([e], 'john@example.com')).toMatchObject({ bounced: true, suppressed: true });
	});

	it('AutoResponder (out of office) is no bounce: acknowledged, no run', async () => {
		const reply = await deliver('postmark', { ...body('postmark', 'bounce'), Type: 'AutoResponder', TypeCode: 64, Name: 'Auto responder', Description: 'Automatic email responder (ex: "Out of Office" or "On Vacation").' });
		expect(reply.workflowData).toBeUndefined();
		expect(reply.body).toMatchObject({ message: 'No mapped events in this delivery' });
	});
});

describe('Resend bounce types and email.suppressed through the trigger and Customer Profile', () => {
	it('bounce.type Undetermined is a soft bounce: the address is not kept as bounced', async () => {
		const payload = body('resend', 'email.bounced');
		(payload.data as { bounce: Record<string, unknown> }).bounce = { message: 'The bounce message did not say why.', subType: 'Undetermined', type: 'Undetermined' };
		const e = await one('resend', payload);
		expect(e).toMatchObject({ event: 'Email Bounced', email: 'delivered@resend.dev', properties: { bounce_type: 'soft' } });
		expect(await suppressionAfter([e], 'delivered@resend.dev')).toMatchObject({ bounced: false });
	});

	it('email.suppressed is Email Dropped, attribution kept, and does not mark the address bounced', async () => {
		const e = await one('resend', body('resend', 'email.suppressed'));
		expect(e).toMatchObject({
			event: 'Email Dropped',
			email: 'delivered@resend.dev',
			properties: { email_id: 'msg-34', campaign_id: 'launch' },
			context: { source: 'resend', topic: 'email.suppressed' },
		});
		expect((e.properties as IDataObject).bounce_type).toBeUndefined();
		expect(await suppressionAfter([e], 'delivered@resend.dev')).toMatchObject({ bounced: false });
	});
});

describe('Postmark and Resend "not sent" through the trigger and Customer Profile', () => {
	it('Postmark SMTPApiError is Email Dropped with its reason and does not mark the address bounced', async () => {
		const description = 'An error occurred while accepting an email through the SMTP API.';
		const e = await one('postmark', { ...body('postmark', 'bounce'), Type: 'SMTPApiError', TypeCode: 100007, Name: 'SMTP API error', Description: description });
		expect(e).toMatchObject({ event: 'Email Dropped', email: 'john@example.com', properties: { email_id: 'msg-9', reason: description }, context: { source: 'postmark', topic: 'Bounce' } });
		expect((e.properties as IDataObject).bounce_type).toBeUndefined();
		expect(await suppressionAfter([e], 'john@example.com')).toMatchObject({ bounced: false });
	});

	it('Postmark ManuallyDeactivated and InboundError are no bounce: acknowledged, no run', async () => {
		for (const [type, code, name] of [
			['ManuallyDeactivated', 100002, 'Manually deactivated'],
			['InboundError', 100008, 'Processing failed'],
		] as const) {
			const reply = await deliver('postmark', { ...body('postmark', 'bounce'), ID: code, Type: type, TypeCode: code, Name: name, Description: name });
			expect(reply.workflowData).toBeUndefined();
			expect(reply.body).toMatchObject({ message: 'No mapped events in this delivery' });
		}
	});

	it('Resend email.failed is Email Dropped with data.failed.reason and does not mark the address bounced', async () => {
		const e = await one('resend', body('resend', 'email.failed'));
		expect(e).toMatchObject({
			event: 'Email Dropped',
			email: 'delivered@resend.dev',
			properties: { email_id: 'msg-35', campaign_id: 'launch', reason: 'reached_daily_quota' },
			context: { source: 'resend', topic: 'email.failed' },
		});
		expect((e.properties as IDataObject).bounce_type).toBeUndefined();
		expect(await suppressionAfter([e], 'delivered@resend.dev')).toMatchObject({ bounced: false });
	});
});

describe('Stripe test mode through the trigger', () => {
	it('a livemode false event is marked context.test: true; a live one is not', async () => {
		const test = await one('stripe', body('stripe', 'checkout.session.completed'));
		expect(test.context).toMatchObject({ source: 'stripe', livemode: false, test: true });
		const live = await one('stripe', { ...body('stripe', 'checkout.session.completed'), id: 'evt_live_1', livemode: true });
		expect(live.context).toMatchObject({ livemode: true });
		expect((live.context as IDataObject).test).toBeUndefined();
	});
});
