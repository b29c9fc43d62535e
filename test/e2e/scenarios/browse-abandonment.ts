/** templates/browse-abandonment.json with signed Segment events. */
import assert from 'node:assert/strict';
import { executionCount, settled } from './cart-recovery';
import { sleep, waitForMail, waitUntil } from '../local-n8n';
import type { Scenario } from '../scenario';
import { identify, track } from '../segment-events';
import { post, segment } from '../signing';

const WORKFLOW_ID = 'pzBrowseAbandon01';
const URL_PATH = 'pz-browse/segment';
const run = Date.now();
const sweater = { product_id: 'p-merino', name: 'Merino crew sweater', price: 89, currency: 'USD', url: 'https://shop.example.com/products/merino-crew', category: 'Knitwear' };

export const scenario: Scenario = {
	name: 'browse abandonment',
	templates: ['browse-abandonment.json'],
	tests: [
		{
			name: 'a known visitor who viewed a product and did nothing else gets one "still thinking about it" email',
			async fn({ n8n, waitSeconds }) {
				const email = `hedy.${run}@example.com`;
				const traits = { email, first_name: 'Hedy' };
				assert.equal((await post(n8n.webhookUrl(URL_PATH), segment(identify(`u-hedy-${run}`, traits)))).status, 200);
				assert.equal((await post(n8n.webhookUrl(URL_PATH), segment(track(`u-hedy-${run}`, 'Product Viewed', sweater, traits)))).status, 200);
				const mail = await waitForMail(n8n.inbox, (m) => m.envelope.to.includes(email), (waitSeconds + 60) * 1000);
				assert.equal(mail.subject, 'Merino crew sweater is still here');
				assert.match(mail.html ?? '', /Still thinking about Merino crew sweater, Hedy\?/);
				assert.match(mail.html ?? '', /You recently looked at:/);
				assert.match(mail.html ?? '', /href="https:\/\/shop\.example\.com\/products\/merino-crew/);
				assert.match(mail.html ?? '', /Free shipping on orders over \$50/, 'recommendations fallback');
				assert.equal(mail.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
				// One per-recipient unsubscribe URL: the body's link and List-Unsubscribe.
				const unsubscribe = `https://shop.example.com/unsubscribe?email=hedy.${run}%40example.com`;
				assert.ok((mail.html ?? '').includes(`href="${unsubscribe}"`), 'unsubscribe link in the body');
				assert.equal(mail.headers['list-unsubscribe'], `<${unsubscribe}>, <mailto:unsubscribe@example.com>`);
				await settled(n8n, WORKFLOW_ID, 30000);
			},
		},
		{
			name: 'a visitor who added the product to the cart within the wait gets no browse email',
			async fn({ n8n, waitSeconds }) {
				const email = `alan.${run}@example.com`;
				const traits = { email, first_name: 'Alan' };
				const before = await executionCount(n8n, WORKFLOW_ID);
				assert.equal((await post(n8n.webhookUrl(URL_PATH), segment(track(`u-alan-${run}`, 'Product Viewed', sweater, traits)))).status, 200);
				await sleep(1000);
				assert.equal((await post(n8n.webhookUrl(URL_PATH), segment(track(`u-alan-${run}`, 'Product Added', { ...sweater, quantity: 1 }, traits)))).status, 200);
				await waitUntil(async () => (await executionCount(n8n, WORKFLOW_ID)) >= before + 2, 15000, 'two executions');
				await sleep(waitSeconds * 1000);
				await settled(n8n, WORKFLOW_ID, (waitSeconds + 60) * 1000);
				assert.equal(n8n.inbox.messages.filter((m) => m.envelope.to.includes(email)).length, 0);
				assert.equal(await executionCount(n8n, WORKFLOW_ID, ['error', 'crashed']), 0, 'no failed executions');
			},
		},
	],
};
