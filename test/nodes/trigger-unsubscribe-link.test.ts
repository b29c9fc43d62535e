/**
 * Personalization Trigger, source "Unsubscribe Link (One-Click)": real HTTP requests through
 * n8n-core's WebhookContext (test/harness/webhook.ts), the methods n8n registers taken from the
 * node's webhook description as n8n evaluates it. Then the emitted event through Customer Profile
 * Record and Check Suppression in the real engine.
 *
 * The token in these tests was computed outside the code (Python, see
 * test/engines/events/unsubscribe-token.test.ts):
 *   HMAC-SHA256("s3cr3t-unsub-0123456789", "pz-unsubscribe\0ada@example.com\0")[:16], base64url = uKXy94PH50wWUESENWCbBw
 * RFC 8058 one-click: the inbox POSTs "List-Unsubscribe=One-Click" to the List-Unsubscribe URL.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import type { IDataObject } from 'n8n-workflow';
import { chain, node, runWorkflow } from '../harness/engine';
import { tempSqliteFile } from '../harness/profile-db';
import { startWebhook, triggerWorkflow, type WebhookServer } from '../harness/webhook';

const SECRET = 's3cr3t-unsub-0123456789';
const ADA_TOKEN = 'uKXy94PH50wWUESENWCbBw';
const ADA_QUERY = `e=ada%40example.com&t=${ADA_TOKEN}`;
const ONE_CLICK = { 'content-type': 'application/x-www-form-urlencoded' };
const credentials = { personalizationWebhookApi: { signingSecret: SECRET } };

let server: WebhookServer;
beforeEach(async () => {
	server = await startWebhook(triggerWorkflow('unsubscribe'), { credentials });
});
afterEach(async () => {
	await server.close();
});

describe('Personalization Trigger: Unsubscribe Link (One-Click)', () => {
	it('is registered for GET and POST (other sources stay POST only)', async () => {
		expect(server.methods).toEqual(['GET', 'POST']);
		const shopify = await startWebhook(triggerWorkflow('shopify'), { credentials });
		try {
			expect(shopify.methods).toEqual(['POST']);
		} finally {
			await shopify.close();
		}
	});

	it('GET answers a page whose button POSTs the same e/t, and runs nothing', async () => {
		const reply = await server.request('GET', ADA_QUERY);
		expect(reply.status).toBe(200);
		expect(reply.headers!.get('content-type')).toBe('text/html; charset=utf-8');
		expect(reply.headers!.get('referrer-policy')).toBe('no-referrer');
		expect(reply.text).toContain('<strong>ada@example.com</strong>');
		expect(reply.text).toContain(`<form method="post" action="?e=ada%40example.com&amp;t=${ADA_TOKEN}">`);
		expect(reply.workflowData).toBeUndefined();
	});

	it('the page escapes the address', async () => {
		// a validly signed address with markup in it (its token computed with Python, as above, for
		// the address "<b>@example.com) is shown as text
		const reply = await server.request('GET', `e=${encodeURIComponent('"<b>@example.com')}&t=6LEhPQK1viKYx74ANVpLWA`);
		expect(reply.status).toBe(200);
		expect(reply.text).toContain('<strong>&quot;&lt;b&gt;@example.com</strong>');
		expect(reply.text).not.toContain('<b>');
		expect(reply.text).toContain('action="?e=%22%3Cb%3E%40example.com&amp;t=6LEhPQK1viKYx74ANVpLWA"');
	});

	it('POST List-Unsubscribe=One-Click emits one Unsubscribed event and answers a short 200 text', async () => {
		const before = Date.now();
		const reply = await server.request('POST', ADA_QUERY, 'List-Unsubscribe=One-Click', ONE_CLICK);
		expect(reply.status).toBe(200);
		expect(reply.headers!.get('content-type')).toBe('text/plain; charset=utf-8');
		expect(reply.text).toBe('You are unsubscribed.');
		expect(reply.events).toHaveLength(1);
		const [event] = reply.events;
		expect(event).toMatchObject({
			type: 'track',
			event: 'Unsubscribed',
			email: 'ada@example.com',
			userId: null,
			properties: { how: 'one_click' },
			context: { source: 'unsubscribe', topic: 'one_click' },
		});
		expect(Date.parse(event.timestamp as string)).toBeGreaterThanOrEqual(before - 1);
		expect(event.timestamp).toBe(event.receivedAt);
	});

	it('POST List-Unsubscribe=One-Click as multipart/form-data (n8n parses it before the node, keeping no raw body) emits the event', async () => {
		// Found running the e2e suite in n8n 2.41: n8n reads a multipart body with formidable into
		// req.body = { data, files } before the node runs, and reading the raw body then fails (500,
		// "Workflow could not be started"). RFC 8058 section 3.1 allows multipart/form-data.
		const multipart = (field: string, value: string) =>
			`--XyZ\r\nContent-Disposition: form-data; name="${field}"\r\n\r\n${value}\r\n--XyZ--\r\n`;
		const headers = { 'content-type': 'multipart/form-data; boundary=XyZ' };
		const reply = await server.request('POST', ADA_QUERY, multipart('List-Unsubscribe', 'One-Click'), headers);
		expect(reply.status).toBe(200);
		expect(reply.text).toBe('You are unsubscribed.');
		expect(reply.events).toHaveLength(1);
		expect(reply.events[0]).toMatchObject({ event: 'Unsubscribed', email: 'ada@example.com', context: { source: 'unsubscribe', topic: 'one_click' } });
		// another field in a multipart body is no unsubscribe: 400, nothing run
		const other = await server.request('POST', ADA_QUERY, multipart('List-Unsubscribe', 'Later'), headers);
		expect(other.status).toBe(400);
		expect(other.workflowData).toBeUndefined();
	});

	it('every POST records (a repeated click records the same unsubscribe again, which changes nothing): its messageId carries the request time', async () => {
		const first = await server.request('POST', ADA_QUERY, 'List-Unsubscribe=One-Click', ONE_CLICK);
		expect(first.events).toHaveLength(1);
		await new Promise((r) => setTimeout(r, 5));
		const again = await server.request('POST', ADA_QUERY, 'confirm=unsubscribe', ONE_CLICK);
		expect([again.status, again.text]).toEqual([200, 'You are unsubscribed.']);
		expect(again.events).toHaveLength(1);
		expect(again.events[0]).toMatchObject({ event: 'Unsubscribed', email: 'ada@example.com', properties: { how: 'confirm_page' } });
		expect(again.events[0].messageId).not.toBe(first.events[0].messageId);
	});

	it('a missing or wrong token is 403, a malformed link 400; neither runs the workflow', async () => {
		const cases: Array<[string, string, string, number]> = [
			['POST', 'e=ada%40example.com', 'List-Unsubscribe=One-Click', 403],
			['POST', `e=bob%40example.com&t=${ADA_TOKEN}`, 'List-Unsubscribe=One-Click', 403],
			['POST', `e=ada%40example.com&t=${ADA_TOKEN}&s=newsletter`, 'List-Unsubscribe=One-Click', 403],
			['GET', `e=bob%40example.com&t=${ADA_TOKEN}`, '', 403],
			['POST', `t=${ADA_TOKEN}`, 'List-Unsubscribe=One-Click', 400],
			['POST', ADA_QUERY, 'hello', 400],
		];
		for (const [method, query, body, status] of cases) {
			const reply = await server.request(method, query, method === 'GET' ? undefined : body, ONE_CLICK);
			expect([method, query, reply.status]).toEqual([method, query, status]);
			expect(reply.workflowData).toBeUndefined();
		}
	});

	it('without a Signing Secret, or with Signature Check off: 500, nothing run, the reason in the n8n log', async () => {
		const logged = jest.spyOn(Container.get(Logger), 'error').mockImplementation(() => undefined);
		const bare = await startWebhook(triggerWorkflow('unsubscribe'), { credentials: { personalizationWebhookApi: { signingSecret: '' } } });
		const unsigned = await startWebhook(triggerWorkflow('unsubscribe', { signatureCheck: 'none' }), { credentials });
		try {
			const reply = await bare.request('POST', ADA_QUERY, 'List-Unsubscribe=One-Click', ONE_CLICK);
			expect([reply.status, reply.text]).toEqual([500, 'The unsubscribe link is not configured correctly.']);
			expect(reply.workflowData).toBeUndefined();
			expect(String(logged.mock.calls.at(-1)?.[0])).toContain('the credential has no Signing Secret');
			const open = await unsigned.request('POST', ADA_QUERY, 'List-Unsubscribe=One-Click', ONE_CLICK);
			expect([open.status, open.text]).toEqual([500, 'The unsubscribe link is not configured correctly.']);
			expect(open.workflowData).toBeUndefined();
			expect(String(logged.mock.calls.at(-1)?.[0])).toContain('always checks the link\'s token');
			// a secret too short to resist offline guessing (every recipient holds a signed link)
			const weak = await startWebhook(triggerWorkflow('unsubscribe'), { credentials: { personalizationWebhookApi: { signingSecret: 'acme2024' } } });
			try {
				const shortReply = await weak.request('POST', ADA_QUERY, 'List-Unsubscribe=One-Click', ONE_CLICK);
				expect([shortReply.status, shortReply.workflowData]).toEqual([500, undefined]);
				expect(String(logged.mock.calls.at(-1)?.[0])).toContain('shorter than 16 characters');
				expect(String(logged.mock.calls.at(-1)?.[0])).not.toContain('acme2024');
			} finally {
				await weak.close();
			}
			for (const [message] of logged.mock.calls) expect(String(message)).not.toContain(SECRET);
		} finally {
			logged.mockRestore();
			await bare.close();
			await unsigned.close();
		}
	});

	it('trigger → Customer Profile Record → Check Suppression: the address is suppressed (unsubscribed)', async () => {
		const reply = await server.request('POST', ADA_QUERY, 'List-Unsubscribe=One-Click', ONE_CLICK);
		expect(reply.events).toHaveLength(1);
		const databaseFile = tempSqliteFile();
		const record = node('Record', 'customerProfile', { operation: 'record', storage: 'sqlite', databaseFile });
		const check = node('Check', 'customerProfile', { operation: 'suppression', storage: 'sqlite', databaseFile, email: '={{ $json.email }}' });
		const run = await runWorkflow({ nodes: [record, check], connections: chain('Record', 'Check') }, { input: reply.events.map((json) => ({ json })) });
		expect(run.error).toBeUndefined();
		expect((run.items('Record')[0].json.recorded as IDataObject).status).toBe('recorded');
		expect(run.items('Check')[0].json.suppression).toEqual({ suppressed: true, unsubscribed: true, bounced: false, complained: false, known: true });
		// another address is not
		const other = await runWorkflow({ nodes: [check], connections: {} }, { input: [{ json: { email: 'bob@example.com' } }] });
		expect(other.items('Check')[0].json.suppression).toMatchObject({ suppressed: false });
	});

	it('unsubscribe, resubscribe, unsubscribe again through the same link: suppressed again (the second was recorded as a duplicate before)', async () => {
		const databaseFile = tempSqliteFile();
		const record = node('Record', 'customerProfile', { operation: 'record', storage: 'sqlite', databaseFile });
		const check = node('Check', 'customerProfile', { operation: 'suppression', storage: 'sqlite', databaseFile, email: '={{ $json.email }}' });
		const recordAndCheck = async (events: IDataObject[]) => {
			const run = await runWorkflow({ nodes: [record, check], connections: chain('Record', 'Check') }, { input: events.map((json) => ({ json })) });
			expect(run.error).toBeUndefined();
			return run;
		};
		const first = await server.request('POST', ADA_QUERY, 'List-Unsubscribe=One-Click', ONE_CLICK);
		expect((await recordAndCheck(first.events)).items('Check')[0].json.suppression).toMatchObject({ unsubscribed: true });
		// the customer opts in again (a later canonical Resubscribed event, as Customer Profile folds it)
		const later = new Date(Date.parse(first.events[0].timestamp as string) + 1000).toISOString();
		const resubscribed = { type: 'track', event: 'Resubscribed', messageId: 'resub-ada-1', timestamp: later, receivedAt: later, email: 'ada@example.com', properties: {}, context: { source: 'custom' } };
		expect((await recordAndCheck([resubscribed])).items('Check')[0].json.suppression).toMatchObject({ unsubscribed: false, suppressed: false });
		await new Promise((r) => setTimeout(r, 1100));
		const second = await server.request('POST', ADA_QUERY, 'List-Unsubscribe=One-Click', ONE_CLICK);
		expect(second.events).toHaveLength(1);
		const run = await recordAndCheck(second.events);
		expect((run.items('Record')[0].json.recorded as IDataObject).status).toBe('recorded');
		expect(run.items('Check')[0].json.suppression).toMatchObject({ suppressed: true, unsubscribed: true });
	});
});
