/**
 * Svix (Resend): `svix-id`, `svix-timestamp`, `svix-signature: v1,<base64 HMAC-SHA256> ...` over
 * `id.timestamp.body`, keyed with the base64 part of the `whsec_...` secret.
 * https://docs.svix.com/receiving/verifying-payloads/how-manual , https://resend.com/docs/webhooks/verify-webhooks-requests
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { header } from '../util';
import type { Headers, VerifyResult } from './common';
import { DEFAULT_TOLERANCE_SECONDS, checkTimestamp, fail, parseSeconds, signatureMatches } from './common';

const keyCache = new Map<string, KeyObject | Buffer>();

function secretKey(secret: string): KeyObject | Buffer {
	let key = keyCache.get(secret);
	if (!key) {
		const bytes = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
		key = bytes.length > 0 ? createSecretKey(bytes) : bytes;
		if (keyCache.size > 32) keyCache.clear();
		keyCache.set(secret, key);
	}
	return key;
}

export function verifySvix(
	rawBody: Buffer,
	headers: Headers,
	secret: string,
	nowMs = Date.now(),
	toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
	if (!secret) return fail('misconfigured', 'no signing secret (whsec_...) is set in the credential');
	const id = header(headers, 'svix-id') ?? header(headers, 'webhook-id');
	const timestamp = header(headers, 'svix-timestamp') ?? header(headers, 'webhook-timestamp');
	const signatures = header(headers, 'svix-signature') ?? header(headers, 'webhook-signature');
	if (!id || !timestamp || !signatures) return fail('missing', 'the svix-id, svix-timestamp or svix-signature header is missing');
	const expected = createHmac('sha256', secretKey(secret))
		.update(`${id}.${timestamp}.`, 'utf8')
		.update(rawBody)
		.digest('base64');
	let match = false;
	for (const entry of signatures.split(' ')) {
		const comma = entry.indexOf(',');
		if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
		if (signatureMatches(entry.slice(comma + 1), expected, 'base64')) match = true;
	}
	if (!match) return fail('invalid', 'no v1 signature of svix-signature matches the body');
	return checkTimestamp(parseSeconds(timestamp), nowMs, toleranceSeconds);
}
