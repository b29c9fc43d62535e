/**
 * The Personalization Trigger's Unsubscribe Link source in a live n8n: one production URL that
 * answers GET (a confirmation page, no execution) and POST (RFC 8058 one-click: one execution),
 * with the address then suppressed in the profile store the templates use.
 *
 * Two test-only workflows (test/e2e/workflows): "Unsubscribe link" (trigger, source unsubscribe,
 * the local unsubscribe signing secret) → Customer Profile Record Events; and Webhook → Customer
 * Profile Check Suppression, which answers the check's result, so the store is read through n8n.
 */
import assert from 'node:assert/strict';
import { executionCount } from './cart-recovery';
import { executionIds, executionRunData, sleep, waitUntil } from '../local-n8n';
import type { LocalN8n } from '../local-n8n';
import type { Scenario } from '../scenario';
import { LOCAL_SECRETS } from '../signing';
import { unsubscribeToken } from '../../../nodes/engines/types/unsubscribeLink';

const LINK_WORKFLOW = 'pzE2eUnsubLink01';
const LINK_PATH = 'pz-e2e-unsubscribe/unsubscribe';
const CHECK_PATH = 'pz-e2e-check-suppression';
const run = Date.now();
// An apostrophe and an ampersand (both allowed before the @) must come back HTML-escaped in the page.
const EMAIL = `o'hara&co.${run}@example.com`;
const EMAIL_HTML = `o&#39;hara&amp;co.${run}@example.com`;
const MULTIPART_EMAIL = `multi.${run}@example.com`;

function link(n8n: LocalN8n, email: string, token: string): string {
	return `${n8n.webhookUrl(LINK_PATH)}?e=${encodeURIComponent(email)}&t=${encodeURIComponent(token)}`;
}

async function suppression(n8n: LocalN8n, email: string): Promise<Record<string, unknown>> {
	const res = await fetch(n8n.webhookUrl(CHECK_PATH), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
	assert.equal(res.status, 200, 'the Check Suppression workflow answered');
	const body = (await res.json()) as { suppression?: Record<string, unknown> };
	assert.ok(body.suppression, `Check Suppression answered ${JSON.stringify(body)}`);
	return body.suppression;
}

/** Nothing new runs: the count stays `expected` for a while (executions are saved asynchronously). */
async function noNewExecution(n8n: LocalN8n, expected: number, what: string): Promise<void> {
	await sleep(1500);
	assert.equal(await executionCount(n8n, LINK_WORKFLOW), expected, what);
}

const oneClick = (url: string) =>
	fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });

export const scenario: Scenario = {
	name: 'unsubscribe link',
	templates: [],
	fixtures: ['unsubscribe-link-record.json', 'check-suppression.json'],
	tests: [
		{
			name: 'a GET of a valid link answers 200 HTML with a form and the escaped address, and runs nothing; the address is not suppressed yet',
			async fn({ n8n }) {
				assert.deepEqual(await suppression(n8n, EMAIL), { suppressed: false, unsubscribed: false, bounced: false, complained: false, known: false });
				const before = await executionCount(n8n, LINK_WORKFLOW);
				const res = await fetch(link(n8n, EMAIL, unsubscribeToken(LOCAL_SECRETS.unsubscribe, EMAIL)));
				const html = await res.text();
				assert.equal(res.status, 200, html);
				assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
				assert.match(html, /<form method="post"/);
				assert.match(html, /name="confirm" value="unsubscribe"/);
				assert.ok(html.includes(EMAIL_HTML), `the page shows the address escaped (${EMAIL_HTML})`);
				assert.ok(!html.includes(EMAIL), 'the raw address (with \' and &) is not in the page');
				await noNewExecution(n8n, before, 'a GET starts no execution');
			},
		},
		{
			name: 'a wrong token → 403 for GET and POST, no execution, the address still not suppressed',
			async fn({ n8n }) {
				const before = await executionCount(n8n, LINK_WORKFLOW);
				// a well-formed token, but another address's
				const wrong = link(n8n, EMAIL, unsubscribeToken(LOCAL_SECRETS.unsubscribe, `someone.else.${run}@example.com`));
				const post = await oneClick(wrong);
				assert.equal(post.status, 403, await post.text());
				const get = await fetch(wrong);
				assert.equal(get.status, 403);
				assert.match(await get.text(), /not valid/);
				// signed with another secret
				const forged = await oneClick(link(n8n, EMAIL, unsubscribeToken('not-the-signing-secret', EMAIL)));
				assert.equal(forged.status, 403, await forged.text());
				await noNewExecution(n8n, before, 'a refused link starts no execution');
				assert.equal((await suppression(n8n, EMAIL)).unsubscribed, false);
			},
		},
		{
			name: 'a one-click POST (List-Unsubscribe=One-Click, form-urlencoded) → 200 and one execution recording Unsubscribed; the address is then suppressed',
			async fn({ n8n }) {
				const before = await executionCount(n8n, LINK_WORKFLOW);
				const res = await oneClick(link(n8n, EMAIL, unsubscribeToken(LOCAL_SECRETS.unsubscribe, EMAIL)));
				assert.equal(res.status, 200);
				assert.equal(await res.text(), 'You are unsubscribed.');
				await waitUntil(async () => (await executionCount(n8n, LINK_WORKFLOW, ['success'])) >= before + 1, 15000, 'one successful execution');
				await noNewExecution(n8n, before + 1, 'exactly one execution');
				const [last] = await executionIds(n8n, LINK_WORKFLOW, 1);
				const data = await executionRunData(n8n, last);
				const recorded = data.runData['Record unsubscribe']?.[0]?.data?.main?.[0] ?? [];
				assert.equal(recorded.length, 1, 'Record unsubscribe got one item');
				assert.equal(recorded[0].json.event, 'Unsubscribed');
				assert.equal(recorded[0].json.email, EMAIL);
				assert.equal((recorded[0].json.context as { topic?: string }).topic, 'one_click');
				const now = await suppression(n8n, EMAIL);
				assert.equal(now.unsubscribed, true, JSON.stringify(now));
				assert.equal(now.suppressed, true, JSON.stringify(now));
			},
		},
		{
			name: 'the same one-click body as multipart/form-data (RFC 8058 allows both) → 200, one execution, suppressed',
			async fn({ n8n }) {
				const before = await executionCount(n8n, LINK_WORKFLOW);
				const form = new FormData();
				form.append('List-Unsubscribe', 'One-Click');
				const res = await fetch(link(n8n, MULTIPART_EMAIL, unsubscribeToken(LOCAL_SECRETS.unsubscribe, MULTIPART_EMAIL)), { method: 'POST', body: form });
				assert.equal(res.status, 200, await res.clone().text());
				assert.equal(await res.text(), 'You are unsubscribed.');
				await waitUntil(async () => (await executionCount(n8n, LINK_WORKFLOW, ['success'])) >= before + 1, 15000, 'one successful execution');
				await noNewExecution(n8n, before + 1, 'exactly one execution');
				assert.equal((await suppression(n8n, MULTIPART_EMAIL)).unsubscribed, true);
			},
		},
	],
};
