/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">[,v1=...]`, 5 min tolerance.
 * https://docs.stripe.com/webhooks#verify-manually
 */
import { header } from '../util';
import type { Headers, VerifyResult } from './common';
import { DEFAULT_TOLERANCE_SECONDS, checkTimestamp, fail, parseSeconds, signatureMatches } from './common';
import { createHmac } from 'node:crypto';
import { hmacKey } from './hmac';

export function verifyStripe(
	rawBody: Buffer,
	headers: Headers,
	secret: string,
	nowMs = Date.now(),
	toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
	if (!secret) return fail('misconfigured', 'no Stripe signing secret (whsec_...) is set in the credential');
	const value = header(headers, 'stripe-signature');
	if (!value) return fail('missing', 'the Stripe-Signature header is missing');
	let t: string | undefined;
	const v1: string[] = [];
	for (const part of value.split(',')) {
		const eq = part.indexOf('=');
		if (eq < 0) continue;
		const key = part.slice(0, eq).trim();
		const val = part.slice(eq + 1).trim();
		if (key === 't') t = val;
		else if (key === 'v1') v1.push(val);
	}
	const seconds = parseSeconds(t);
	if (t === undefined || v1.length === 0) return fail('missing', 'the Stripe-Signature header has no t= or v1= part');
	if (!Number.isFinite(seconds)) return fail('invalid', 'the Stripe-Signature timestamp is not a number');
	const expected = createHmac('sha256', hmacKey(secret)).update(`${t}.`, 'utf8').update(rawBody).digest('hex');
	let match = false;
	for (const candidate of v1) if (signatureMatches(candidate, expected, 'hex')) match = true;
	if (!match) return fail('invalid', 'no v1 signature of the Stripe-Signature header matches the body');
	return checkTimestamp(seconds, nowMs, toleranceSeconds);
}
