/**
 * SendGrid Signed Event Webhook: ECDSA (P-256, SHA-256) over `timestamp + raw body`;
 * `X-Twilio-Email-Event-Webhook-Signature` (base64 DER) and `-Timestamp` headers, the public key
 * (base64 DER SubjectPublicKeyInfo, as SendGrid shows it, or PEM) in the credential.
 * https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features
 */
import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { header } from '../util';
import type { Headers, VerifyResult } from './common';
import { DEFAULT_TOLERANCE_SECONDS, checkTimestamp, decode, fail, parseSeconds } from './common';

export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

const keys = new Map<string, KeyObject | null>();

/** The verification key as SendGrid shows it (base64 DER SubjectPublicKeyInfo) or as PEM; throws when unreadable. */
export function readVerificationKey(text: string): KeyObject {
	const trimmed = text.trim();
	return trimmed.includes('BEGIN PUBLIC KEY')
		? createPublicKey(trimmed)
		: createPublicKey({ key: Buffer.from(trimmed.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
}

/** SendGrid signs with ECDSA on P-256 only: a key on another curve is a wrong key, not a weaker check. */
export function isP256Key(key: KeyObject): boolean {
	return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

function publicKey(text: string): KeyObject | null {
	const cached = keys.get(text);
	if (cached !== undefined) return cached;
	let key: KeyObject | null = null;
	try {
		key = readVerificationKey(text);
		if (!isP256Key(key)) key = null;
	} catch {
		key = null;
	}
	if (keys.size > 32) keys.clear();
	keys.set(text, key);
	return key;
}

export function verifySendGrid(
	rawBody: Buffer,
	headers: Headers,
	publicKeyText: string,
	nowMs = Date.now(),
	toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
	if (!publicKeyText) return fail('misconfigured', 'no SendGrid verification key is set in the credential');
	const key = publicKey(publicKeyText);
	if (!key) return fail('misconfigured', 'the SendGrid verification key in the credential is not an EC P-256 public key');
	const signature = header(headers, SENDGRID_SIGNATURE_HEADER);
	const timestamp = header(headers, SENDGRID_TIMESTAMP_HEADER);
	if (!signature || !timestamp) return fail('missing', 'the X-Twilio-Email-Event-Webhook-Signature or -Timestamp header is missing');
	const sig = decode(signature, 'base64');
	if (!sig) return fail('invalid', 'the SendGrid signature is not base64');
	let valid = false;
	try {
		valid = createVerify('sha256').update(timestamp, 'utf8').update(rawBody).verify(key, sig);
	} catch {
		valid = false;
	}
	if (!valid) return fail('invalid', 'the SendGrid signature does not match the body');
	return checkTimestamp(parseSeconds(timestamp), nowMs, toleranceSeconds);
}

