/**
 * templates/engagement-tracking.json: signed Mailgun events recorded in the profile store, and
 * an unsubscribe there stopping the cart-recovery template from mailing that address.
 */
import assert from 'node:assert/strict';
import { executionCount, settled } from './cart-recovery';
import { shopifyCheckout } from '../ingest';
import { executionIds, executionRunData, sleep, waitUntil } from '../local-n8n';
import type { Scenario } from '../scenario';
import { mailgun, post, shopify } from '../signing';

const WORKFLOW_ID = 'pzEngagement01';
const URL_PATH = 'pz-engagement-mailgun/mailgun';
const run = Date.now();

function mailgunEvent(event: string, recipient: string): Record<string, unknown> {
	// Shape of Mailgun's documented webhook payload "event-data".
	return { event, id: `mg-${event}-${run}-${Math.random().toString(36).slice(2)}`, timestamp: Date.now() / 1000, recipient, tags: ['cart-recovery'], 'user-variables': {}, message: { headers: { 'message-id': `${run}@mg.example.com` } } };
}

export const scenario: Scenario = {
	name: 'engagement tracking',
	templates: ['engagement-tracking.json', 'cart-abandonment-recovery.json'],
	tests: [
		{
			name: 'signed Mailgun open and unsubscribe events are recorded; a bad signature is refused with 401',
			async fn({ n8n }) {
				const email = `ida.${run}@example.com`;
				const before = await executionCount(n8n, WORKFLOW_ID);
				assert.equal((await post(n8n.webhookUrl(URL_PATH), mailgun(mailgunEvent('opened', email)))).status, 200);
				assert.equal((await post(n8n.webhookUrl(URL_PATH), mailgun(mailgunEvent('unsubscribed', email)))).status, 200);
				const forged = mailgun(mailgunEvent('unsubscribed', `victim.${run}@example.com`), 'not-the-signing-key');
				assert.equal((await post(n8n.webhookUrl(URL_PATH), forged)).status, 401);
				await waitUntil(async () => (await executionCount(n8n, WORKFLOW_ID, ['success'])) >= before + 2, 15000, 'two recorded events');
				await sleep(1000);
				assert.equal(await executionCount(n8n, WORKFLOW_ID), before + 2, 'the forged event started nothing');
				const events: string[] = [];
				for (const id of await executionIds(n8n, WORKFLOW_ID, 2)) {
					const data = await executionRunData(n8n, id);
					const out = data.runData['Record engagement']?.[0]?.data?.main?.[0]?.[0]?.json;
					assert.ok(out, 'Record engagement ran');
					assert.equal(out.email, email);
					events.push(String(out.event));
				}
				assert.deepEqual(events.sort(), ['Email Opened', 'Unsubscribed']);
			},
		},
		{
			name: 'an event the profile refuses (dated 3 days ahead) leaves Record engagement on its error output and fails the execution in Stop and Error',
			async fn({ n8n }) {
				const email = `ivo.${run}@example.com`;
				const before = await executionCount(n8n, WORKFLOW_ID, ['error']);
				const event = { ...mailgunEvent('opened', email), timestamp: Date.now() / 1000 + 3 * 86400 };
				assert.equal((await post(n8n.webhookUrl(URL_PATH), mailgun(event))).status, 200);
				await waitUntil(async () => (await executionCount(n8n, WORKFLOW_ID, ['error'])) >= before + 1, 15000, 'a failed execution');
				const [last] = await executionIds(n8n, WORKFLOW_ID, 1);
				const data = await executionRunData(n8n, last);
				assert.equal(data.status, 'error');
				const outputs = data.runData['Record engagement']?.[0]?.data?.main ?? [];
				assert.equal(outputs[0]?.length ?? 0, 0, 'nothing on the success output');
				const refused = outputs[1]?.[0]?.json;
				assert.ok(refused, 'the refused event is on the error output');
				assert.equal(refused.email, email, 'n8n merges the event into the error item');
				assert.match(String(refused.error), /timestamp/);
				const stop = data.runData['Fail on refused event']?.[0]?.error;
				assert.match(String(stop?.message), /more than 24 hours after/);
			},
		},
		{
			name: 'after an unsubscribe arrives through the ESP webhook, the cart-recovery template sends that customer nothing',
			async fn({ n8n, waitSeconds }) {
				const email = `ida.${run}@example.com`;
				const checkout = shopifyCheckout(61, { email, customer: { id: 7161, email, first_name: 'Ida', accepts_marketing: true } });
				assert.equal((await post(n8n.webhookUrl('pz-cart-recovery/shopify'), shopify('checkouts/create', checkout, `cart-ida-${run}`))).status, 200);
				await sleep(waitSeconds * 1000 + 1000);
				await settled(n8n, 'pzCartRecovery01', (waitSeconds + 60) * 1000);
				assert.equal(n8n.inbox.messages.filter((m) => m.envelope.to.includes(email)).length, 0, 'no email to an unsubscribed customer');
				const [last] = await executionIds(n8n, 'pzCartRecovery01', 1);
				const data = await executionRunData(n8n, last);
				assert.equal(data.runData['Get profile']?.[0]?.data?.main?.[0]?.[0]?.json?.email, email, 'the flow reached Get profile for this customer');
				assert.equal(data.runData['Still subscribed?']?.[0]?.data?.main?.[0]?.length ?? 0, 0, '"Still subscribed?" let nothing through');
			},
		},
	],
};
