/**
 * Mailgun: the body carries `signature: { timestamp, token, signature }`, where signature is the
 * hex HMAC-SHA256 of `timestamp + token` keyed with the webhook signing key.
 * https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks
 */
import { isObject } from '../util';
import type { VerifyResult } from './common';
import { DEFAULT_TOLERANCE_SECONDS, checkTimestamp, decode, fail, parseSeconds, safeEqual } from './common';
import { hmacDigest } from './hmac';

export function verifyMailgun(
	payload: unknown,
	signingKey: string,
	nowMs = Date.now(),
	toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
	if (!signingKey) return fail('misconfigured', 'no Mailgun webhook signing key is set in the credential');
	const sig = isObject(payload) && isObject(payload.signature) ? payload.signature : undefined;
	if (!sig) return fail('missing', 'the body has no "signature" object');
	const { timestamp, token, signature } = sig as Record<string, unknown>;
	const ts = typeof timestamp === 'number' ? String(timestamp) : timestamp;
	if (typeof ts !== 'string' || typeof token !== 'string' || typeof signature !== 'string') {
		return fail('missing', 'signature.timestamp, signature.token or signature.signature is missing');
	}
	const given = decode(signature, 'hex');
	const expected = hmacDigest(signingKey, 'sha256', Buffer.from(ts + token, 'utf8'));
	if (!given || !safeEqual(given, expected)) return fail('invalid', 'the Mailgun signature does not match timestamp + token');
	return checkTimestamp(parseSeconds(ts), nowMs, toleranceSeconds);
}
