/**
 * Svix (Resend): `svix-id`, `svix-timestamp`, `svix-signature: v1,<base64 HMAC-SHA256> ...` over
 * `id.timestamp.body`, keyed with the base64 part of the `whsec_...` secret.
 * https://docs.svix.com/receiving/verifying-payloads/how-manual , https://resend.com/docs/webhooks/verify-webhooks-requests
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { header } from '../util';
import type { Headers, VerifyResult } from './common';
import { DEFAULT_TOLERANCE_SECONDS, checkTimestamp, fail, parseSeconds, signatureMatches } from './common';

/** The HMAC key of each secret; null when its base64 part decodes to no bytes (an empty key anyone can use). */
const keyCache = new Map<string, KeyObject | null>();

function secretKey(secret: string): KeyObject | null {
	let key = keyCache.get(secret);
	if (key === undefined) {
		const bytes = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
		key = bytes.length > 0 ? createSecretKey(bytes) : null;
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
	const key = secretKey(secret);
	if (!key) return fail('misconfigured', 'the Signing Secret in the credential is not a whsec_... secret with a base64 key after "whsec_"');
	if (!id || !timestamp || !signatures) return fail('missing', 'the svix-id, svix-timestamp or svix-signature header is missing');
	const expected = createHmac('sha256', key)
		.update(`${id}.${timestamp}.`, 'utf8')
		.update(rawBody)
		.digest('base64');
	// The entries of `signatures.split(' ')` whose text before the first comma is `v1`, read in place.
	let match = false;
	const n = signatures.length;
	let comma = -1;
	for (let start = 0; start <= n; ) {
		let end = signatures.indexOf(' ', start);
		if (end < 0) end = n;
		// The first comma at or after `start` (searched again only once passed: linear in the header).
		if (comma < start) {
			comma = signatures.indexOf(',', start);
			if (comma < 0) break; // no entry from here on has one
		}
		if (comma === start + 2 && comma < end && signatures.charCodeAt(start) === 118 && signatures.charCodeAt(start + 1) === 49) {
			if (signatureMatches(signatures.slice(comma + 1, end), expected, 'base64')) match = true;
		}
		start = end + 1;
	}
	if (!match) return fail('invalid', 'no v1 signature of svix-signature matches the body');
	return checkTimestamp(parseSeconds(timestamp), nowMs, toleranceSeconds);
}
