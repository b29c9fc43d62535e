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
	// The parts of `value.split(',')`, each `key=value` with both sides trimmed (the last t=, every
	// v1=), read in place: the key is compared where it stands when it is exactly `t` or `v1`.
	let t: string | undefined;
	let v1: string | undefined;
	let moreV1: string[] | undefined;
	const n = value.length;
	let eq = -1;
	for (let start = 0; start <= n; ) {
		let comma = value.indexOf(',', start);
		if (comma < 0) comma = n;
		// The first '=' at or after `start` (searched again only once passed: linear in the header).
		if (eq < start) {
			eq = value.indexOf('=', start);
			if (eq < 0) break; // no part from here on has one
		}
		if (eq < comma) {
			const kind = partKind(value, start, eq);
			if (kind !== 0) {
				const val = value.slice(eq + 1, comma).trim();
				if (kind === 1) t = val;
				else if (v1 === undefined) v1 = val;
				else (moreV1 ??= []).push(val);
			}
		}
		start = comma + 1;
	}
	const seconds = parseSeconds(t);
	if (t === undefined || v1 === undefined) return fail('missing', 'the Stripe-Signature header has no t= or v1= part');
	if (!Number.isFinite(seconds)) return fail('invalid', 'the Stripe-Signature timestamp is not a number');
	const expected = createHmac('sha256', hmacKey(secret)).update(`${t}.`, 'utf8').update(rawBody).digest('hex');
	let match = signatureMatches(v1, expected, 'hex');
	if (moreV1 !== undefined) for (const candidate of moreV1) if (signatureMatches(candidate, expected, 'hex')) match = true;
	if (!match) return fail('invalid', 'no v1 signature of the Stripe-Signature header matches the body');
	return checkTimestamp(seconds, nowMs, toleranceSeconds);
}

/** 1 when `value.slice(start, end).trim()` is `t`, 2 when it is `v1`, else 0. */
function partKind(value: string, start: number, end: number): 0 | 1 | 2 {
	const length = end - start;
	if (length === 1 && value.charCodeAt(start) === 116) return 1;
	if (length === 2 && value.charCodeAt(start) === 118 && value.charCodeAt(start + 1) === 49) return 2;
	if (length === 0) return 0;
	// Printable ASCII at both ends: trim() leaves the key as it is, and it is not exactly t or v1.
	const first = value.charCodeAt(start);
	const last = value.charCodeAt(end - 1);
	if (first > 32 && first < 127 && last > 32 && last < 127) return 0;
	const key = value.slice(start, end).trim();
	return key === 't' ? 1 : key === 'v1' ? 2 : 0;
}
