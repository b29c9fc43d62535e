/**
 * templates/cart-abandonment-recovery.json with real traffic: signed Shopify webhooks to the
 * production URL, the recovery email read back from the local SMTP inbox.
 */
import assert from 'node:assert/strict';
import { CART_TEMPLATE, shopifyCheckout } from '../ingest';
import type { LocalN8n } from '../local-n8n';
import { executionIds, executionRunData, sleep, waitForMail, waitUntil } from '../local-n8n';
import type { Scenario } from '../scenario';
import { post, shopify, tampered } from '../signing';

const WORKFLOW_ID = 'pzCartRecovery01';
const URL_PATH = 'pz-cart-recovery/shopify';

/** Executions of a workflow, from n8n's REST API (the `count` of the filtered list). */
export async function executionCount(n8n: LocalN8n, workflowId: string, status?: string[]): Promise<number> {
	const filter = encodeURIComponent(JSON.stringify(status ? { workflowId, status } : { workflowId }));
	const res = await n8n.rest.request<{ count: number }>('GET', `/rest/executions?filter=${filter}&limit=1`);
	return res.count;
}

/** Waits until no execution of the workflow is running or waiting (every Wait has resumed and finished). */
export async function settled(n8n: LocalN8n, workflowId: string, timeoutMs: number): Promise<void> {
	await waitUntil(async () => (await executionCount(n8n, workflowId, ['new', 'running', 'waiting'])) === 0, timeoutMs, 'executions to finish');
}

function customer(i: number, name: string, email: string) {
	return shopifyCheckout(i, {
		email,
		customer: { id: 7100 + i, email, first_name: name, last_name: 'Tester', accepts_marketing: true },
	});
}

/** A Shopify orders/create for the same customer and cart (documented order fields). */
function order(i: number, email: string) {
	return {
		id: 820000 + i,
		name: `#${1000 + i}`,
		email,
		cart_token: `cart-token-${i}`,
		checkout_token: `checkout-token-${i}`,
		created_at: new Date().toISOString(),
		updated_at: new Date().toISOString(),
		currency: 'USD',
		financial_status: 'paid',
		total_price: '59.90',
		subtotal_price: '59.90',
		total_tax: '0.00',
		total_discounts: '0.00',
		customer: { id: 7100 + i, email, first_name: 'Grace', last_name: 'Tester' },
		line_items: [
			{ product_id: 1001, variant_id: 2001, title: 'Organic cotton t-shirt', quantity: 2, price: '19.95', sku: 'TEE-1' },
			{ product_id: 1002, variant_id: 2002, title: 'Canvas tote bag', quantity: 1, price: '20.00', sku: 'TOTE-1' },
		],
	};
}

const run = Date.now();

export const scenario: Scenario = {
	name: 'cart abandonment recovery',
	templates: [CART_TEMPLATE],
	tests: [
		{
			name: 'an abandoned checkout gets one personalized recovery email after the wait, with one-click unsubscribe headers',
			async fn({ n8n, waitSeconds }) {
				const email = `ada.${run}@example.com`;
				const res = await post(n8n.webhookUrl(URL_PATH), shopify('checkouts/create', customer(1, 'Ada', email), `cart-a-${run}`));
				assert.equal(res.status, 200, await res.text());
				const sentAt = Date.now();
				// In the same wait: a buyer who left Shopify's "Email me with news and offers" box unticked.
				const declined = `mara.${run}@example.com`;
				const noConsent = await post(n8n.webhookUrl(URL_PATH), shopify('checkouts/create', { ...customer(6, 'Mara', declined), buyer_accepts_marketing: false }, `cart-nc-${run}`));
				assert.equal(noConsent.status, 200, await noConsent.text());
				const mail = await waitForMail(n8n.inbox, (m) => m.envelope.to.includes(email), (waitSeconds + 60) * 1000);
				assert.ok(Date.now() - sentAt >= waitSeconds * 1000 - 500, 'the email waited for the Wait node');
				assert.match(mail.subject ?? '', /^Ada, you left something in your cart$/);
				assert.match(mail.from ?? '', /Example Store.*shop@example\.com/);
				const html = mail.html ?? '';
				// Personalized content: greeting, both cart lines, the total, the recovery link.
				assert.match(html, /Hi Ada, your cart is waiting/);
				assert.match(html, /Organic cotton t-shirt/);
				assert.match(html, /Canvas tote bag/);
				assert.match(html, /\$59\.90/);
				assert.match(html, /checkouts\/ac\/1\/recover/);
				// No recommendations in the data: the fallback block renders instead.
				assert.match(html, /Free returns within 30 days/);
				assert.doesNotMatch(html, /\{\{|\{%/, 'no Liquid left in the HTML');
				assert.match(mail.text ?? '', /Organic cotton t-shirt/);
				// RFC 8058 one-click unsubscribe, as Gmail and Yahoo require of bulk senders.
				assert.match(mail.headers['list-unsubscribe'] ?? '', /<https:\/\/shop\.example\.com\/unsubscribe\?email=ada\.\d+%40example\.com>/);
				// The body's Unsubscribe link is the same per-recipient URL.
				assert.ok(html.includes(`href="https://shop.example.com/unsubscribe?email=ada.${run}%40example.com"`), 'unsubscribe link in the body');
				assert.ok((mail.headers['list-unsubscribe'] ?? '').includes(`<https://shop.example.com/unsubscribe?email=ada.${run}%40example.com>`));
				assert.match(mail.headers['list-unsubscribe'] ?? '', /<mailto:unsubscribe@example\.com/);
				assert.equal(mail.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
				await settled(n8n, WORKFLOW_ID, 30000);
				assert.equal(n8n.inbox.messages.filter((m) => m.envelope.to.includes(email)).length, 1, 'exactly one email');
				// The buyer who declined marketing got none, stopped by "Still subscribed?" (its consent condition).
				assert.equal(n8n.inbox.messages.filter((m) => m.envelope.to.includes(declined)).length, 0, 'no recovery email without consent');
				let stopped = false;
				for (const id of await executionIds(n8n, WORKFLOW_ID, 5)) {
					const data = await executionRunData(n8n, id);
					const trigger = data.runData['Shopify events']?.[0]?.data?.main?.[0]?.[0]?.json;
					const filter = data.runData['Still subscribed?']?.[0]?.data?.main;
					if (trigger?.email !== declined || !filter) continue;
					assert.equal(filter[0]?.length ?? 0, 0, '"Still subscribed?" let nothing through');
					assert.equal(data.runData['Send'], undefined, 'Send did not run');
					stopped = true;
				}
				assert.ok(stopped, 'found the declined checkout\'s execution stopped at "Still subscribed?"');
			},
		},
		{
			name: 'a customer who buys within the wait gets no recovery email',
			async fn({ n8n, waitSeconds }) {
				const email = `grace.${run}@example.com`;
				const before = await executionCount(n8n, WORKFLOW_ID);
				const checkout = await post(n8n.webhookUrl(URL_PATH), shopify('checkouts/create', customer(2, 'Grace', email), `cart-b-${run}`));
				assert.equal(checkout.status, 200);
				await sleep(1000);
				const bought = await post(n8n.webhookUrl(URL_PATH), shopify('orders/create', order(2, email), `order-b-${run}`));
				assert.equal(bought.status, 200);
				// Both deliveries ran (the order is recorded); let the checkout's wait expire.
				await waitUntil(async () => (await executionCount(n8n, WORKFLOW_ID)) >= before + 2, 15000, 'two executions');
				await sleep(waitSeconds * 1000);
				await settled(n8n, WORKFLOW_ID, (waitSeconds + 60) * 1000);
				assert.equal(n8n.inbox.messages.filter((m) => m.envelope.to.includes(email)).length, 0, 'no recovery email to a buyer');
				// And for the right reason: the checkout's execution reached "Bought since?" and went to "Happened".
				let checked = false;
				for (const id of await executionIds(n8n, WORKFLOW_ID, 5)) {
					const run = await executionRunData(n8n, id);
					const since = run.runData['Bought since?']?.[0]?.data?.main;
					const trigger = run.runData['Shopify events']?.[0]?.data?.main?.[0]?.[0]?.json;
					if (!since || trigger?.email !== email) continue;
					assert.equal(since[0]?.length, 1, 'routed to "Happened"');
					assert.equal(since[1]?.length ?? 0, 0, 'nothing routed to "Not Happened"');
					assert.equal(run.runData['Send'], undefined, 'Send did not run');
					checked = true;
				}
				assert.ok(checked, 'found the checkout execution that ran "Bought since?"');
				const failed = await executionCount(n8n, WORKFLOW_ID, ['error', 'crashed']);
				assert.equal(failed, 0, 'no failed executions');
			},
		},
		{
			name: 'a tampered signature is answered 401 and starts no execution',
			async fn({ n8n }) {
				const before = await executionCount(n8n, WORKFLOW_ID);
				const signed = shopify('checkouts/create', customer(3, 'Mallory', `mallory.${run}@example.com`), `cart-c-${run}`);
				const res = await post(n8n.webhookUrl(URL_PATH), tampered(signed));
				assert.equal(res.status, 401);
				const unsigned = await post(n8n.webhookUrl(URL_PATH), { body: signed.body, headers: { ...signed.headers, 'x-shopify-hmac-sha256': '' } });
				assert.equal(unsigned.status, 401);
				await sleep(2000);
				assert.equal(await executionCount(n8n, WORKFLOW_ID), before, 'no execution started');
			},
		},
		{
			name: 'a retried delivery (same X-Shopify-Webhook-Id) starts no second execution and sends no second email',
			async fn({ n8n, waitSeconds }) {
				const email = `linus.${run}@example.com`;
				const before = await executionCount(n8n, WORKFLOW_ID);
				const delivery = shopify('checkouts/create', customer(4, 'Linus', email), `cart-d-${run}`);
				const first = await post(n8n.webhookUrl(URL_PATH), delivery);
				assert.equal(first.status, 200);
				const retry = await post(n8n.webhookUrl(URL_PATH), delivery);
				assert.equal(retry.status, 200, 'a retry is acknowledged so the store stops retrying');
				await waitForMail(n8n.inbox, (m) => m.envelope.to.includes(email), (waitSeconds + 60) * 1000);
				await settled(n8n, WORKFLOW_ID, 30000);
				assert.equal(await executionCount(n8n, WORKFLOW_ID), before + 1, 'one execution for two deliveries');
				assert.equal(n8n.inbox.messages.filter((m) => m.envelope.to.includes(email)).length, 1, 'one email');
			},
		},
		{
			// Two executions waiting at once for one checkout have the same key: ESP Dispatch's memory
			// (the profile store's table) lets the first to reach Send through, which would mail the
			// first cart; the template's own "newer checkout event since?" checks must leave the email
			// to the later event.
			name: 'a checkout created and then updated within the wait (two executions) gets one email, with the updated cart',
			async fn({ n8n, waitSeconds }) {
				const email = `edsger.${run}@example.com`;
				const before = await executionCount(n8n, WORKFLOW_ID);
				const created = customer(5, 'Edsger', email);
				const t0 = Date.now();
				assert.equal((await post(n8n.webhookUrl(URL_PATH), shopify('checkouts/create', created, `cart-e1-${run}`, undefined, new Date(t0)))).status, 200);
				const updated = { ...created, total_price: '39.90', subtotal_price: '39.90', line_items: [{ product_id: 1001, variant_id: 2001, title: 'Organic cotton t-shirt', quantity: 2, price: '19.95', sku: 'TEE-1' }] };
				assert.equal((await post(n8n.webhookUrl(URL_PATH), shopify('checkouts/update', updated, `cart-e2-${run}`, undefined, new Date(t0 + 1000)))).status, 200);
				await waitUntil(async () => (await executionCount(n8n, WORKFLOW_ID)) >= before + 2, 15000, 'two executions');
				const mail = await waitForMail(n8n.inbox, (m) => m.envelope.to.includes(email), (waitSeconds + 60) * 1000);
				await settled(n8n, WORKFLOW_ID, (waitSeconds + 60) * 1000);
				assert.equal(n8n.inbox.messages.filter((m) => m.envelope.to.includes(email)).length, 1, 'one email for two checkout events');
				assert.match(mail.html ?? '', /\$39\.90/, 'the updated cart');
				assert.doesNotMatch(mail.html ?? '', /Canvas tote bag/, 'not the first cart');
			},
		},
	],
};
