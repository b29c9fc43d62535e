/**
 * templates/nightly-rfm-vip.json: order history recorded through the cart template's Shopify
 * webhook, then "tonight's run" started now (its Schedule Trigger swapped for a webhook).
 */
import assert from 'node:assert/strict';
import { executionCount, settled } from './cart-recovery';
import { executionIds, executionRunData, waitForMail, waitUntil, withRunNowWebhook } from '../local-n8n';
import type { Scenario } from '../scenario';
import { post, shopify } from '../signing';

const WORKFLOW_ID = 'pzNightlyRfm01';
const RUN_NOW = 'pz-test-run-nightly-rfm';
const run = Date.now();
const DAY = 86400000;

function order(n: number, email: string, total: number, customerId: number) {
	return {
		id: 930000 + n,
		name: `#R${n}`,
		email,
		created_at: new Date().toISOString(),
		currency: 'USD',
		financial_status: 'paid',
		total_price: total.toFixed(2),
		subtotal_price: total.toFixed(2),
		customer: { id: customerId, email, first_name: email.split('.')[0].replace(/^./, (c) => c.toUpperCase()) },
		line_items: [{ product_id: 1001, title: 'Organic cotton t-shirt', quantity: 1, price: total.toFixed(2), sku: 'TEE-1' }],
	};
}

export const scenario: Scenario = {
	name: 'nightly RFM and VIP',
	templates: ['nightly-rfm-vip.json', 'cart-abandonment-recovery.json'],
	// The CRM placeholder enabled, pointed at a port where nothing listens: a CRM that is down must
	// not keep the offers from going out; the run fails after the sends, naming the CRM error.
	prepare: (wf) => {
		if (wf.id !== WORKFLOW_ID) return wf;
		const copy = withRunNowWebhook(wf, RUN_NOW);
		for (const node of copy.nodes) {
			if (node.name !== 'Update CRM (placeholder)') continue;
			delete (node as { disabled?: boolean }).disabled;
			node.parameters = { ...node.parameters, url: 'http://127.0.0.1:9/api/segments' };
		}
		return copy;
	},
	tests: [
		{
			name: 'the best customer is scored a Champion and gets the VIP offer once; low-value customers get nothing',
			async fn({ n8n }) {
				// Six customers: "champ" orders often, recently and big; the others less, longer ago, smaller.
				const people: Array<{ name: string; orders: Array<{ daysAgo: number; total: number }> }> = [
					{ name: 'champ', orders: [1, 3, 6, 9, 12].map((d) => ({ daysAgo: d, total: 240 })) },
					{ name: 'loyal', orders: [20, 50, 80].map((d) => ({ daysAgo: d, total: 90 })) },
					{ name: 'steady', orders: [40, 120].map((d) => ({ daysAgo: d, total: 60 })) },
					{ name: 'once', orders: [150].map((d) => ({ daysAgo: d, total: 35 })) },
					{ name: 'sleepy', orders: [250].map((d) => ({ daysAgo: d, total: 20 })) },
					{ name: 'lost', orders: [360].map((d) => ({ daysAgo: d, total: 10 })) },
				];
				let n = 0;
				for (const [k, p] of people.entries()) {
					for (const o of p.orders) {
						n++;
						const email = `${p.name}.${run}@example.com`;
						const req = shopify('orders/create', order(run % 100000 + n, email, o.total, 8800 + k), `rfm-${run}-${n}`, undefined, new Date(Date.now() - o.daysAgo * DAY));
						assert.equal((await post(n8n.webhookUrl('pz-cart-recovery/shopify'), req)).status, 200);
					}
				}
				await settled(n8n, 'pzCartRecovery01', 60000);
				const before = await executionCount(n8n, WORKFLOW_ID);
				assert.equal((await fetch(n8n.webhookUrl(RUN_NOW), { method: 'POST' })).status, 200);
				const mail = await waitForMail(n8n.inbox, (m) => m.envelope.to.includes(`champ.${run}@example.com`), 60000);
				assert.equal(mail.subject, 'Champ, an exclusive offer for our Champions');
				assert.match(mail.html ?? '', /Thank you for your 5 orders/);
				assert.match(mail.html ?? '', /VIP20/);
				await settled(n8n, WORKFLOW_ID, 60000);
				for (const other of ['once', 'sleepy', 'lost']) {
					assert.equal(n8n.inbox.messages.filter((m) => m.envelope.to.includes(`${other}.${run}@example.com`)).length, 0, `${other} is not a Champion`);
				}
				const [id] = await executionIds(n8n, WORKFLOW_ID, 1);
				const data = await executionRunData(n8n, id);
				// the CRM request failed (every customer on its error output), the offer went out anyway,
				// then the run failed at "Fail on refused recipient or CRM error", after the sends
				assert.equal(data.status, 'error');
				assert.ok((data.runData['Update CRM (placeholder)']?.[0]?.data?.main?.[1]?.length ?? 0) > 0, 'the CRM errors left on its error output');
				const sent = (data.runData['Send']?.[0]?.data?.main?.[0] ?? []).map((i) => i.json);
				assert.ok(sent.some((r) => r.recipient === `champ.${run}@example.com` && r.status === 'sent'), 'the Champion was sent the offer');
				assert.ok(data.runData['Fail on refused recipient or CRM error'], 'the run failed after the sends');
				// the CRM update waits for the offers (a slow CRM must not delay them): it starts after Send
				const sendStart = data.runData['Send']?.[0]?.startTime ?? Infinity;
				const crmStart = data.runData['Update CRM (placeholder)']?.[0]?.startTime ?? -Infinity;
				assert.ok(crmStart > sendStart, `the CRM update ran after the sends (Send ${sendStart}, CRM ${crmStart})`);
				const scored = (data.runData['RFM segments']?.[0]?.data?.main?.[0] ?? []).map((i) => i.json);
				const champ = scored.find((c) => c.email === `champ.${run}@example.com`);
				assert.equal(champ?.segment, 'Champions');
				const lost = scored.find((c) => c.email === `lost.${run}@example.com`);
				assert.ok(lost && lost.segment !== 'Champions', 'the one-time $10 customer of a year ago is scored, not a Champion');
				// Tomorrow night's run: the monthly idempotency key keeps the Champion from a second offer.
				assert.equal((await fetch(n8n.webhookUrl(RUN_NOW), { method: 'POST' })).status, 200);
				await waitUntil(async () => (await executionCount(n8n, WORKFLOW_ID, ['success', 'error'])) >= before + 2, 60000, 'second run');
				await settled(n8n, WORKFLOW_ID, 60000);
				assert.equal(n8n.inbox.messages.filter((m) => m.envelope.to.includes(`champ.${run}@example.com`)).length, 1, 'one VIP offer per month');
			},
		},
	],
};
