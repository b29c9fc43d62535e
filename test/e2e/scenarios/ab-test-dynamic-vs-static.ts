/** templates/ab-test-dynamic-vs-static.json: sign-ups split between a dynamic and a static welcome. */
import assert from 'node:assert/strict';
import { settled } from './cart-recovery';
import { executionIds, executionRunData, waitUntil } from '../local-n8n';
import type { Scenario } from '../scenario';
import { track } from '../segment-events';
import { post, segment } from '../signing';

const WORKFLOW_ID = 'pzAbWelcome01';
const URL_PATH = 'pz-welcome-ab/segment';
const run = Date.now();

export const scenario: Scenario = {
	name: 'A/B test dynamic vs static',
	templates: ['ab-test-dynamic-vs-static.json'],
	tests: [
		{
			name: '16 sign-ups: each gets one welcome whose content matches its recorded variant, and both variants occur',
			async fn({ n8n }) {
				const people = Array.from({ length: 16 }, (_, k) => ({ email: `signup${k}.${run}@example.com`, first_name: `Name${k}`, interest: 'running shoes' }));
				for (const p of people) {
					const res = await post(n8n.webhookUrl(URL_PATH), segment(track(`u-signup-${k(p)}-${run}`, 'Signed Up', {}, p)));
					assert.equal(res.status, 200);
				}
				await waitUntil(async () => people.every((p) => n8n.inbox.messages.some((m) => m.envelope.to.includes(p.email))), 90000, '16 welcome emails');
				await settled(n8n, WORKFLOW_ID, 30000);
				// The variant each customer got, from the A/B node's output in n8n's execution data.
				const variants = new Map<string, string>();
				for (const id of await executionIds(n8n, WORKFLOW_ID, 40)) {
					const data = await executionRunData(n8n, id);
					for (const item of data.runData['A/B: dynamic vs static']?.[0]?.data?.main?.[0] ?? []) variants.set(String(item.json.email), String(item.json.variant));
				}
				let dynamic = 0;
				for (const p of people) {
					const mails = n8n.inbox.messages.filter((m) => m.envelope.to.includes(p.email));
					assert.equal(mails.length, 1, `one welcome for ${p.email}`);
					const variant = variants.get(p.email);
					// The send carries the experiment and the variant the A/B node assigned (attribution metadata).
					assert.equal(mails[0].headers['x-pz-experiment-id'], 'welcome-dynamic-vs-static', `experiment header for ${p.email}`);
					assert.equal(mails[0].headers['x-pz-variant'], variant, `variant header for ${p.email}`);
					assert.equal(mails[0].headers['x-pz-campaign-id'], 'welcome');
					if (variant === 'dynamic') {
						dynamic++;
						assert.equal(mails[0].subject, `${p.first_name}, welcome to Example Store`);
						assert.match(mails[0].html ?? '', new RegExp(`Welcome, ${p.first_name}!`));
						assert.match(mails[0].html ?? '', /our best running shoes/);
					} else {
						assert.equal(variant, 'static', `variant recorded for ${p.email}`);
						assert.equal(mails[0].subject, 'Welcome to Example Store');
						assert.match(mails[0].html ?? '', /Discover our new season/);
						assert.doesNotMatch(mails[0].html ?? '', new RegExp(p.first_name));
					}
				}
				assert.ok(dynamic > 0 && dynamic < people.length, `both variants occur (dynamic: ${dynamic}/16)`);
			},
		},
	],
};

function k(p: { email: string }): string {
	return p.email.split('.')[0];
}
