/**
 * Signed webhook requests as the providers send them, for the end-to-end tests and bench/e2e.
 * The secrets are the local instance's (scripts/local-setup.js), never real ones.
 */
import crypto from 'node:crypto';

/* eslint-disable @typescript-eslint/no-require-imports */
const { LOCAL_SECRETS } = require('../../scripts/local-setup.js') as { LOCAL_SECRETS: Record<string, string> };
/* eslint-enable @typescript-eslint/no-require-imports */

export { LOCAL_SECRETS };

export interface SignedRequest {
	headers: Record<string, string>;
	body: string;
}

/**
 * Shopify: `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body with the app's
 * webhook secret; `X-Shopify-Webhook-Id` identifies a delivery (the same on retries).
 * https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook
 */
export function shopify(topic: string, payload: unknown, webhookId: string, secret = LOCAL_SECRETS.shopify, triggeredAt = new Date()): SignedRequest {
	const body = JSON.stringify(payload);
	return {
		body,
		headers: {
			'content-type': 'application/json',
			'x-shopify-topic': topic,
			'x-shopify-hmac-sha256': crypto.createHmac('sha256', secret).update(body, 'utf8').digest('base64'),
			'x-shopify-shop-domain': 'local-test-shop.myshopify.com',
			'x-shopify-webhook-id': webhookId,
			'x-shopify-api-version': '2025-07',
			'x-shopify-triggered-at': triggeredAt.toISOString(),
		},
	};
}

/**
 * Segment (Webhooks destination): `X-Signature` is the hex HMAC-SHA1 of the raw body with the
 * shared secret. https://segment.com/docs/connections/destinations/catalog/webhooks/#authentication
 */
export function segment(payload: unknown, secret = LOCAL_SECRETS.segment): SignedRequest {
	const body = JSON.stringify(payload);
	return {
		body,
		headers: { 'content-type': 'application/json', 'x-signature': crypto.createHmac('sha1', secret).update(body, 'utf8').digest('hex') },
	};
}

/**
 * Mailgun: the body carries `signature: { timestamp, token, signature }`, the signature being the
 * hex HMAC-SHA256 of timestamp + token with the webhook signing key.
 * https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks
 */
export function mailgun(eventData: Record<string, unknown>, secret = LOCAL_SECRETS.mailgun): SignedRequest {
	const timestamp = String(Math.floor(Date.now() / 1000));
	const token = crypto.randomBytes(25).toString('hex');
	const signature = crypto.createHmac('sha256', secret).update(timestamp + token).digest('hex');
	return { body: JSON.stringify({ signature: { timestamp, token, signature }, 'event-data': eventData }), headers: { 'content-type': 'application/json' } };
}

/** The same request with one byte of the body changed after signing. */
export function tampered(req: SignedRequest): SignedRequest {
	const i = req.body.indexOf('"', 1);
	return { headers: req.headers, body: `${req.body.slice(0, i + 1)}X${req.body.slice(i + 2)}` };
}

export function post(url: string, req: SignedRequest): Promise<Response> {
	return fetch(url, { method: 'POST', headers: req.headers, body: req.body });
}
