/**
 * Custom source, Signature Algorithm set by an expression to a name the node does not offer: our
 * set-up problem, answered as a missing secret is (README "What the trigger answers": a bare 500
 * `The webhook is not configured correctly`, the reason in n8n's log, the workflow does not run).
 * Before, an unknown name made every delivery fail inside createHmac (n8n's own 500, no reason)
 * and `md5` was accepted. Through n8n-core (test/harness/webhook.ts), as the other trigger tests.
 */
import { createHmac } from 'node:crypto';
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { CUSTOM_MAPPING, SECRETS, loadFixtures } from '../harness/signing';
import { startWebhook, triggerWorkflow, type WebhookServer } from '../harness/webhook';

const body = JSON.stringify(loadFixtures().find((f) => f.source === 'custom')!.fixture.body);

const servers: WebhookServer[] = [];
async function open(algorithm: string) {
	const parameters = {
		customEventPath: CUSTOM_MAPPING.eventPath,
		customMapping: { ...CUSTOM_MAPPING, eventMap: JSON.stringify(CUSTOM_MAPPING.eventMap) },
		customSignatureHeader: 'x-signature',
		customSignatureAlgorithm: algorithm,
		customSignatureEncoding: 'hex',
	};
	const server = await startWebhook(triggerWorkflow('custom', parameters), { credentials: { personalizationWebhookApi: { signingSecret: SECRETS.custom } } });
	servers.push(server);
	return server;
}
afterEach(async () => {
	await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('Personalization Trigger: Custom source with a Signature Algorithm that is not offered', () => {
	it.each([
		['={{ "md5" }}', 'md5'],
		['={{ "whirlpool-9" }}', 'whirlpool-9'],
	])('%s: 500 "not configured correctly", the log names the algorithm, the workflow does not run', async (expression, name) => {
		const logger = Container.get(Logger);
		const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
		try {
			const server = await open(expression);
			let signature = 'ab';
			try {
				signature = createHmac(name, SECRETS.custom).update(body).digest('hex');
			} catch {
				// a name Node does not know either
			}
			const reply = await server.post(body, { 'content-type': 'application/json', 'x-signature': signature });
			expect(reply.status).toBe(500);
			expect(reply.body).toEqual({ error: 'The webhook is not configured correctly' });
			expect(reply.workflowData).toBeUndefined();
			expect(logged).toHaveBeenCalledTimes(1);
			expect(String(logged.mock.calls[0][0])).toContain(`Signature Algorithm "${name}" is not one of sha1, sha256, sha512`);
		} finally {
			logged.mockRestore();
		}
	});

	it('"={{ "SHA512" }}" is HMAC-SHA512 (names in any case)', async () => {
		const server = await open('={{ "SHA512" }}');
		const reply = await server.post(body, { 'content-type': 'application/json', 'x-signature': createHmac('sha512', SECRETS.custom).update(body).digest('hex') });
		expect(reply.status).toBe(200);
		expect(reply.events).toHaveLength(1);
	});
});
