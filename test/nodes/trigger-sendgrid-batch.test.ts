/**
 * SendGrid retries a delivery answered with anything but 2xx for 24 hours and then drops it, good
 * events included (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event). The
 * trigger must accept a signed batch in which one event cannot be mapped and run the workflow with
 * the others. Through n8n-core (test/harness/webhook.ts), as the other trigger tests.
 */
import { SENDGRID_PUBLIC_KEY, loadFixtures, signDelivery } from '../harness/signing';
import { startWebhook, triggerWorkflow, type WebhookServer } from '../harness/webhook';

const documented = loadFixtures().find((f) => f.source === 'sendgrid' && f.name === 'batch-all-events')!.fixture.body as Array<Record<string, unknown>>;

const servers: WebhookServer[] = [];
async function open(parameters: Record<string, unknown>, workflowId: string) {
	const server = await startWebhook(triggerWorkflow('sendgrid', parameters), {
		credentials: { personalizationWebhookApi: { verificationKey: SENDGRID_PUBLIC_KEY } },
		workflowId,
	});
	servers.push(server);
	return server;
}
afterEach(async () => {
	await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** processed, delivered (its `event` removed), open (timestamp unreadable), click. */
function batchWithBadEvents(): string {
	const events = structuredClone(documented.slice(0, 4));
	delete events[1].event;
	events[2].timestamp = 'yesterday-ish';
	return JSON.stringify(events);
}

describe('Personalization Trigger: a SendGrid batch with events that cannot be mapped', () => {
	it('Acknowledge and Ignore (default): 200, the workflow runs with the good events', async () => {
		const server = await open({}, 'sendgrid-bad-entry-skip');
		const signed = signDelivery('sendgrid', batchWithBadEvents());
		const reply = await server.post(signed.body, signed.headers);
		expect(reply.status).toBe(200);
		expect(reply.body).toEqual({ message: 'Accepted', events: 2, duplicates: 0 });
		expect(reply.events.map((e) => [e.event, e.messageId])).toEqual([
			['Email Sent', 'sg_event_id_00'],
			['Email Link Clicked', 'sg_event_id_03'],
		]);
	});

	it('Reject with 400: still 200; the bad events come out as Unknown with the reason', async () => {
		const server = await open({ onUnknown: 'error' }, 'sendgrid-bad-entry-error');
		const signed = signDelivery('sendgrid', batchWithBadEvents());
		const reply = await server.post(signed.body, signed.headers);
		expect(reply.status).toBe(200);
		expect(reply.events.map((e) => e.event)).toEqual(['Email Sent', 'Unknown', 'Unknown', 'Email Link Clicked']);
		expect(reply.events[1]).toMatchObject({ messageId: 'sg_event_id_01', properties: { reason: 'body[1].event is missing', field: 'body[1].event' } });
		expect(reply.events[2]).toMatchObject({ messageId: 'sg_event_id_02', properties: { field: 'body[2].timestamp' }, context: { topic: 'open' } });
	});

	it('a body that is not an array of events is still answered 400', async () => {
		const server = await open({}, 'sendgrid-not-array');
		const signed = signDelivery('sendgrid', '"processed"');
		const reply = await server.post(signed.body, signed.headers);
		expect(reply.status).toBe(400);
		expect(reply.workflowData).toBeUndefined();
	});
});
