/**
 * Mailgun `failed` with reason suppress-unsubscribe (delivery code 606, "Not delivering to
 * unsubscribed address"): Mailgun did not attempt the message because the address is on its
 * unsubscribe suppression list. It said nothing about the mailbox, but was mapped as a hard bounce,
 * so Customer Profile kept the address as undeliverable (bounced: true), which a later resubscribe
 * does not lift. Now Email Dropped (as SendGrid's `dropped`), attribution kept, no bounce_type.
 * The documented example (reason suppress-bounce, 605) stays a hard bounce. Deliveries go through
 * the Personalization Trigger in n8n, signed like Mailgun signs them; the events then through a
 * Customer Profile node (SQLite) Record Events → Check Suppression.
 */
import type { IDataObject } from 'n8n-workflow';
import { SECRETS, loadFixtures, signDelivery } from '../harness/signing';
import { runProfileNode, tempSqliteFile } from '../harness/profile-db';
import { startWebhook, triggerWorkflow, type WebhookServer } from '../harness/webhook';

const fixtures = loadFixtures();
function body(name: string): Record<string, unknown> {
	const found = fixtures.find((f) => f.source === 'mailgun' && f.name === name);
	if (!found) throw new Error(`no fixture mailgun/${name}`);
	return JSON.parse(JSON.stringify(found.fixture.body)) as Record<string, unknown>;
}

let server: WebhookServer | undefined;
afterEach(async () => {
	await server?.close();
	server = undefined;
});

async function deliver(payload: Record<string, unknown>): Promise<IDataObject> {
	server ??= await startWebhook(triggerWorkflow('mailgun', {}), {
		credentials: { personalizationWebhookApi: { signingSecret: SECRETS.mailgun, verificationKey: '', user: '', password: '', token: '' } },
	});
	const signed = signDelivery('mailgun', JSON.stringify(payload));
	const reply = await server.post(signed.body, signed.headers);
	expect(reply.status).toBe(200);
	expect(reply.events).toHaveLength(1);
	return reply.events[0] as IDataObject;
}

describe('Mailgun failed for an address on the unsubscribe suppression list', () => {
	it('is Email Dropped with its attribution, and the profile does not take the address for a bounced one', async () => {
		const e = await deliver(body('failed-suppress-unsubscribe'));
		expect(e).toMatchObject({
			event: 'Email Dropped',
			email: 'alice@example.com',
			properties: { email_id: 'msg-7', campaign_id: 'welcome', variant: 'A', reason: 'suppress-unsubscribe' },
			context: { source: 'mailgun', topic: 'failed' },
		});
		expect((e.properties as IDataObject).bounce_type).toBeUndefined();

		const target = { params: { storage: 'sqlite', databaseFile: tempSqliteFile() }, extra: {} };
		await runProfileNode(target, 'record', [e]);
		const [out] = await runProfileNode(target, 'suppression', [{ email: 'alice@example.com' }]);
		expect(out.suppression).toMatchObject({ bounced: false });
	});

	it('the documented example (suppress-bounce, 605: a bounce known from before) stays Email Bounced, hard', async () => {
		const e = await deliver(body('failed'));
		expect(e).toMatchObject({ event: 'Email Bounced', properties: { bounce_type: 'hard', reason: 'suppress-bounce' } });
		const target = { params: { storage: 'sqlite', databaseFile: tempSqliteFile() }, extra: {} };
		await runProfileNode(target, 'record', [e]);
		const [out] = await runProfileNode(target, 'suppression', [{ email: 'alice@example.com' }]);
		expect(out.suppression).toMatchObject({ bounced: true, suppressed: true });
	});
});
