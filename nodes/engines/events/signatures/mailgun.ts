/**
 * Mailgun: the body carries `signature: { timestamp, token, signature }`, where signature is the
 * hex HMAC-SHA256 of `timestamp + token` keyed with the webhook signing key. For an event on a
 * subaccount's domain the object also carries `parent-signature`, the same HMAC keyed with the
 * primary (parent) account's signing key, "so that the receiving server does not have to account
 * for each individual subaccount signature": either key in the credential is accepted.
 * https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks
 */
import { isObject } from '../util';
import type { VerifyResult } from './common';
import { createHmac } from 'node:crypto';
import { DEFAULT_TOLERANCE_SECONDS, checkTimestamp, fail, parseSeconds, signatureMatches } from './common';
import { hmacKey } from './hmac';

export function verifyMailgun(
	payload: unknown,
	signingKey: string,
	nowMs = Date.now(),
	toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
	if (!signingKey) return fail('misconfigured', 'no Mailgun webhook signing key is set in the credential');
	const sig = isObject(payload) && isObject(payload.signature) ? payload.signature : undefined;
	if (!sig) return fail('missing', 'the body has no "signature" object');
	const { timestamp, token, signature, 'parent-signature': parentSignature } = sig as Record<string, unknown>;
	const ts = typeof timestamp === 'number' ? String(timestamp) : timestamp;
	if (typeof ts !== 'string' || typeof token !== 'string' || typeof signature !== 'string') {
		return fail('missing', 'signature.timestamp, signature.token or signature.signature is missing');
	}
	const expected = createHmac('sha256', hmacKey(signingKey)).update(ts + token, 'utf8').digest('hex');
	if (!signatureMatches(signature, expected, 'hex') && !(typeof parentSignature === 'string' && signatureMatches(parentSignature, expected, 'hex'))) {
		return fail('invalid', 'the Mailgun signature does not match timestamp + token');
	}
	return checkTimestamp(parseSeconds(ts), nowMs, toleranceSeconds);
}
