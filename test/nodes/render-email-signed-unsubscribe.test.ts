/**
 * Render Email's signed unsubscribe link (Options → Signed Unsubscribe Link Base URL + the
 * Personalization Webhook Secrets credential), through the real n8n engine, and its round trip:
 * the link Render writes is accepted by the Personalization Trigger (source Unsubscribe Link).
 *
 * Expected tokens computed outside the code with Python (see test/engines/events/unsubscribe-token.test.ts):
 *   HMAC-SHA256("s3cr3t-unsub-0123456789", "pz-unsubscribe\0ada@example.com\0")[:16], base64url           = uKXy94PH50wWUESENWCbBw
 *   HMAC-SHA256("s3cr3t-unsub-0123456789", "pz-unsubscribe\0ada@example.com\0newsletter")[:16], base64url = Gq5kYb9ucjT67H5kb8Xxaw
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';
import { startWebhook, triggerWorkflow } from '../harness/webhook';

const SECRET = 's3cr3t-unsub-0123456789';
const BASE = 'https://n8n.example.com/webhook/wh-unsubscribe/unsubscribe';
const credentials = { personalizationWebhookApi: { signingSecret: SECRET } };
const credentialRef: Partial<INode> = { credentials: { personalizationWebhookApi: { id: '1', name: 'Webhook secrets' } } };
const params = {
	operation: 'render',
	format: 'html',
	subject: 'News',
	preheader: 'This week',
	body: '<html><body><p>Hi</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>',
	blocks: '[]',
	outputField: 'message',
	unsubscribeUrl: '=https://shop.example.com/unsubscribe?email={{ encodeURIComponent($json.email) }}',
};

async function render(input: IDataObject[], options: IDataObject, extra: Partial<INode> = credentialRef, creds: Record<string, IDataObject> = credentials, more: IDataObject = {}) {
	const result = await runWorkflow(
		{ nodes: [node('Render Email', 'renderEmail', { ...params, ...more, options } as INode['parameters'], extra)], connections: {} },
		{ input: input.map((json) => ({ json })), credentials: creds as never },
	);
	return result;
}

describe('Render Email: signed unsubscribe link', () => {
	it("signs the item's email (else profile.email) into unsubscribe_url, the body's link and the output; never the secret", async () => {
		const result = await render([{ email: 'Ada@Example.com' }, { profile: { email: 'ada@example.com' } }], { signedUnsubscribeBaseUrl: BASE });
		expect(result.error).toBeUndefined();
		const out = result.items('Render Email').map((i) => i.json);
		const expected = `${BASE}?e=ada%40example.com&t=uKXy94PH50wWUESENWCbBw`;
		for (const item of out) {
			const message = item.message as IDataObject;
			expect(message.unsubscribe_url).toBe(expected);
			expect(message.html).toContain(`href="${expected.replace(/&/g, '&amp;')}"`);
			expect(message.warnings).toEqual([]);
			expect(JSON.stringify(item)).not.toContain(SECRET);
		}
		expect(result.items('Render Email').map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('takes the scope and a chosen address', async () => {
		const result = await render([{ contact: 'ada@example.com' }], {
			signedUnsubscribeBaseUrl: BASE,
			signedUnsubscribeEmail: '={{ $json.contact }}',
			signedUnsubscribeScope: 'newsletter',
		});
		expect((result.items('Render Email')[0].json.message as IDataObject).unsubscribe_url).toBe(`${BASE}?e=ada%40example.com&t=Gq5kYb9ucjT67H5kb8Xxaw&s=newsletter`);
	});

	it('without the option, the Unsubscribe URL stays as it was and no credential is read', async () => {
		const result = await render([{ email: 'ada@example.com' }], {}, {}, {});
		expect(result.error).toBeUndefined();
		expect((result.items('Render Email')[0].json.message as IDataObject).unsubscribe_url).toBe('https://shop.example.com/unsubscribe?email=ada%40example.com');
	});

	it('names the item and the field: no address, an http base, no Signing Secret (Continue On Fail keeps the others)', async () => {
		const noAddress = await render([{ name: 'x' }], { signedUnsubscribeBaseUrl: BASE });
		expect(noAddress.error?.message).toBe('Item 0: no recipient address for the signed unsubscribe link');
		const http = await render([{ email: 'ada@example.com' }], { signedUnsubscribeBaseUrl: 'http://n8n.example.com/webhook/x/unsubscribe' });
		expect(http.error?.message).toMatch(/^Item 0: "Signed Unsubscribe Link Base URL" must be an https:\/\/ URL/);
		const empty = await render([{ email: 'ada@example.com' }], { signedUnsubscribeBaseUrl: BASE }, credentialRef, { personalizationWebhookApi: { signingSecret: '  ' } });
		expect(empty.error?.message).toBe('Item 0: the Personalization Webhook Secrets credential has no Signing Secret to sign the unsubscribe link with');
		const weak = await render([{ email: 'ada@example.com' }], { signedUnsubscribeBaseUrl: BASE }, credentialRef, { personalizationWebhookApi: { signingSecret: 'acme2024' } });
		expect(weak.error?.message).toMatch(/^Item 0: the Personalization Webhook Secrets credential's Signing Secret is shorter than 16 characters/);
		expect(JSON.stringify(weak.error)).not.toContain('acme2024');
		const none = await render([{ email: 'ada@example.com' }], { signedUnsubscribeBaseUrl: BASE }, {}, {});
		expect(none.error?.message).toMatch(/^Item 0: the signed unsubscribe link needs the Personalization Webhook Secrets credential/);
		const mixed = await render([{ email: 'ada@example.com' }, { name: 'x' }], { signedUnsubscribeBaseUrl: BASE }, { ...credentialRef, continueOnFail: true });
		const [ok, bad] = mixed.items('Render Email').map((i) => i.json);
		expect((ok.message as IDataObject).unsubscribe_url).toBe(`${BASE}?e=ada%40example.com&t=uKXy94PH50wWUESENWCbBw`);
		expect(bad.error).toBe('Item 1: no recipient address for the signed unsubscribe link');
		for (const r of [noAddress, http, empty, none]) expect(JSON.stringify(r.error)).not.toContain(SECRET);
	});

	it('round trip: the trigger accepts the link Render wrote (GET page, one-click POST → Unsubscribed)', async () => {
		const result = await render([{ email: 'bo.smith+shop@example.org' }], { signedUnsubscribeBaseUrl: BASE, signedUnsubscribeScope: 'weekly deals' });
		const link = (result.items('Render Email')[0].json.message as IDataObject).unsubscribe_url as string;
		const query = link.slice(link.indexOf('?') + 1);
		const server = await startWebhook(triggerWorkflow('unsubscribe'), { credentials });
		try {
			const page = await server.request('GET', query);
			expect(page.status).toBe(200);
			expect(page.text).toContain('<strong>bo.smith+shop@example.org</strong>');
			const post = await server.request('POST', query, 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded' });
			expect(post.status).toBe(200);
			expect(post.events).toHaveLength(1);
			expect(post.events[0]).toMatchObject({ event: 'Unsubscribed', email: 'bo.smith+shop@example.org', properties: { scope: 'weekly deals', how: 'one_click' } });
			// another recipient's token does not unsubscribe this address
			const forged = await server.request('POST', query.replace('bo.smith%2Bshop', 'cy'), 'List-Unsubscribe=One-Click', { 'content-type': 'application/x-www-form-urlencoded' });
			expect(forged.status).toBe(403);
		} finally {
			await server.close();
		}
	});
});
