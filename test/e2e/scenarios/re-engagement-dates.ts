/**
 * templates/re-engagement-dates.json: profiles seeded through signed Segment events (a birthday
 * today, a last order 95 days ago, an active customer), then "this morning's run" started now.
 */
import assert from 'node:assert/strict';
import { settled } from './cart-recovery';
import { waitForMail, withRunNowWebhook } from '../local-n8n';
import type { Scenario } from '../scenario';
import { identify, track } from '../segment-events';
import { post, segment } from '../signing';

const WORKFLOW_ID = 'pzReengage01';
const RUN_NOW = 'pz-test-run-reengage';
// Seeded through the A/B template's Segment webhook: it records every event (and only mails sign-ups).
const SEED_URL = 'pz-welcome-ab/segment';
const run = Date.now();
const DAY = 86400000;

export const scenario: Scenario = {
	name: 're-engagement and dates',
	templates: ['re-engagement-dates.json', 'ab-test-dynamic-vs-static.json'],
	prepare: (wf) => (wf.id === WORKFLOW_ID ? withRunNowWebhook(wf, RUN_NOW) : wf),
	tests: [
		{
			name: 'a birthday today and a customer inactive for 95 days each get their own email; an active customer gets none',
			async fn({ n8n }) {
				const today = new Date();
				const birthday = `${today.getUTCFullYear() - 30}-${String(today.getUTCMonth() + 1).padStart(2, '0')}-${String(today.getUTCDate()).padStart(2, '0')}`;
				const bday = `bday.${run}@example.com`;
				const idle = `idle.${run}@example.com`;
				const active = `active.${run}@example.com`;
				const seed = async (body: Record<string, unknown>) => assert.equal((await post(n8n.webhookUrl(SEED_URL), segment(body))).status, 200);
				await seed(identify(`u-bday-${run}`, { email: bday, first_name: 'Barbara', birthday }, new Date(Date.now() - 2 * DAY)));
				await seed(track(`u-bday-${run}`, 'Order Completed', { order_id: `o-b-${run}`, total: 40, currency: 'USD' }, { email: bday }, new Date(Date.now() - 10 * DAY)));
				await seed(identify(`u-idle-${run}`, { email: idle, first_name: 'Ivan' }, new Date(Date.now() - 95 * DAY)));
				await seed(track(`u-idle-${run}`, 'Order Completed', { order_id: `o-i-${run}`, total: 80, currency: 'USD' }, { email: idle }, new Date(Date.now() - 95 * DAY)));
				await seed(identify(`u-active-${run}`, { email: active, first_name: 'Ada' }, new Date(Date.now() - 3 * DAY)));
				await seed(track(`u-active-${run}`, 'Order Completed', { order_id: `o-a-${run}`, total: 55, currency: 'USD' }, { email: active }, new Date(Date.now() - 3 * DAY)));
				await settled(n8n, 'pzAbWelcome01', 30000);
				assert.equal((await fetch(n8n.webhookUrl(RUN_NOW), { method: 'POST' })).status, 200);
				const b = await waitForMail(n8n.inbox, (m) => m.envelope.to.includes(bday), 60000);
				assert.equal(b.subject, 'Barbara, happy birthday from all of us');
				assert.match(b.html ?? '', /Happy birthday! Enjoy 20% off/);
				assert.doesNotMatch(b.html ?? '', /MISSYOU10/);
				const i = await waitForMail(n8n.inbox, (m) => m.envelope.to.includes(idle), 60000);
				assert.equal(i.subject, 'Ivan, it has been a while');
				assert.match(i.html ?? '', /MISSYOU10/);
				assert.doesNotMatch(i.html ?? '', /Happy birthday/);
				await settled(n8n, WORKFLOW_ID, 60000);
				assert.equal(n8n.inbox.messages.filter((m) => m.envelope.to.includes(active)).length, 0, 'an active customer is left alone');
			},
		},
	],
};
