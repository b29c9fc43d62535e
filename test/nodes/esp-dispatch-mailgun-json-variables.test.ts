/**
 * Through the real n8n engine (test/harness/engine.ts): a campaign and a userId that are JSON text
 * (`1e3`, `1.0`, `true`) make the round trip ESP Dispatch 1.1 → the local Mailgun server (which reads
 * `v:` values as JSON, as Mailgun documents: X-Mailgun-Variables "must be in JSON map format",
 * https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/send-attachments) →
 * Mailgun's documented `opened` webhook with those `user-variables` → Normalize Event, unchanged.
 * Before, `1e3` came back "1000", the userId `1.0` as "1" (another customer's) and `true` not at all.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { chain, node, runWorkflow } from '../harness/engine';
import { fixtureBody } from '../harness/event-fixtures';
import { MAILGUN_TEST_KEY, startMailgunServer, type MailgunServer } from '../dispatch/servers/mailgun';

describe('ESP Dispatch → Mailgun → Normalize Event: values that are JSON text', () => {
	let mailgun: MailgunServer;
	beforeAll(async () => (mailgun = await startMailgunServer()));
	afterAll(async () => mailgun.close());
	const mailgunCreds = () => ({ personalizationMailgunApi: { apiKey: MAILGUN_TEST_KEY, domain: 'mg.shop.example', region: 'us', baseUrl: mailgun.url } });

	it('Mailgun: a campaign "1e3" and a userId "1.0" come back as sent through Normalize Event', async () => {
		const people = [
			{ email: 'ada@example.com', userId: '1.0', campaign: '1e3' },
			{ email: 'bo@example.com', userId: '123', campaign: 'true' },
		];
		const dispatch = node('ESP Dispatch', 'espDispatch', { provider: 'mailgun', fromEmail: 'news@shop.example.com', campaignId: '={{ $json.campaign }}' } as INode['parameters'], {
			typeVersion: 1.1,
			credentials: { personalizationMailgunApi: { id: 'mailgun-1', name: 'mailgun account' } },
		});
		const message = { subject: 'Spring', html: '<p>Spring is here</p>', text: 'Spring is here' };
		const sent = await runWorkflow({ nodes: [dispatch], connections: chain(dispatch.name) }, { input: people.map((p) => ({ json: { ...p, message } })), credentials: mailgunCreds() });
		expect(sent.error).toBeUndefined();
		expect(sent.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['queued', 'queued']);

		// the documented `opened` webhook, its user-variables as Mailgun reads the v: values (JSON)
		const webhooks = people.map((p) => {
			const d = mailgun.delivered.find((x) => x.to === p.email)!;
			const body = fixtureBody('mailgun', 'opened');
			body['event-data'] = { ...(body['event-data'] as object), recipient: p.email, 'user-variables': d.userVariables };
			return { json: { body } as IDataObject };
		});
		// what Mailgun gives back for the userId "123": the number 123, read back as "123"
		expect(mailgun.delivered.find((x) => x.to === 'bo@example.com')!.userVariables.pz_user_id).toBe(123);
		const normalize = node('Normalize Event', 'normalizeEvent', { source: 'mailgun', payloadField: 'body', onUnknown: 'error' });
		const normalized = await runWorkflow({ nodes: [normalize], connections: {} }, { input: webhooks });
		expect(normalized.error).toBeUndefined();
		expect(normalized.items('Normalize Event').map((i) => [i.json.email, (i.json.properties as IDataObject).campaign_id, (i.json.properties as IDataObject).user_id])).toEqual(
			people.map((p) => [p.email, p.campaign, p.userId]),
		);
	});
});
