/**
 * The signature functions as they were before the allocation-free rewrites (commit af1f867),
 * kept verbatim as references for test/engines/events/signatures-rewrites.test.ts. Not a test
 * file itself; only the parts that changed are copied, the unchanged helpers are imported.
 */
import { createHmac, createPublicKey, createVerify, timingSafeEqual, type KeyObject } from 'node:crypto';
import { header, isObject } from '../../../nodes/engines/events/util';
import type { Headers, VerifyResult } from '../../../nodes/engines/events/signatures/common';
import { DEFAULT_TOLERANCE_SECONDS, OK, checkTimestamp, fail, parseSeconds, safeEqual } from '../../../nodes/engines/events/signatures/common';
import { hmacKey } from '../../../nodes/engines/events/signatures/hmac';
import type { CertificateFetcher, SnsMessage } from '../../../nodes/engines/events/signatures/sns';
import { cacheCertificate, certificateCache, isValidSigningCertUrl, snsStringToSign } from '../../../nodes/engines/events/signatures/sns';

// ---- common.ts ----

const expectedBytes = new Map<string, Buffer>();

export function oldSafeEqualString(a: string, b: string): boolean {
	let eb = expectedBytes.get(b);
	if (eb === undefined) {
		eb = Buffer.from(b, 'utf8');
		if (expectedBytes.size >= 32) expectedBytes.clear();
		expectedBytes.set(b, eb);
	}
	const given = Buffer.alloc(eb.length);
	given.write(a, 0, 'utf8');
	const same = eb.length === 0 ? true : timingSafeEqual(given, eb);
	return same && a.length === b.length && Buffer.byteLength(a, 'utf8') === eb.length;
}

function isHexCode(c: number): boolean {
	return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isBase64Code(c: number): boolean {
	return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 95 || c === 45;
}

export function oldDecode(text: string, encoding: 'base64' | 'hex'): Buffer | null {
	const clean = text.trim();
	const n = clean.length;
	if (encoding === 'hex') {
		if (n === 0 || n % 2 !== 0) return null;
		for (let i = 0; i < n; i++) if (!isHexCode(clean.charCodeAt(i))) return null;
		return Buffer.from(clean, 'hex');
	}
	let end = n;
	while (end > 0 && n - end < 2 && clean.charCodeAt(end - 1) === 61) end--;
	if (end === 0) return null;
	for (let i = 0; i < end; i++) if (!isBase64Code(clean.charCodeAt(i))) return null;
	return Buffer.from(clean, 'base64');
}

function oldSignatureMatches(given: string, expectedText: string, encoding: 'base64' | 'hex'): boolean {
	const n = expectedText.length;
	if (given.length === n) {
		let diff = 0;
		for (let i = 0; i < n; i++) diff |= given.charCodeAt(i) ^ expectedText.charCodeAt(i);
		if (diff === 0) return true;
	}
	const bytes = oldDecode(given, encoding);
	return bytes !== null && safeEqual(bytes, Buffer.from(expectedText, encoding));
}

// ---- httpAuth.ts ----

export interface HttpAuthSecrets {
	username?: string;
	password?: string;
	token?: string;
}

function basicValue(user: string, password: string): string {
	return Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}

export function oldVerifyHttpAuth(headers: Headers, secrets: HttpAuthSecrets, what: string): VerifyResult {
	const wantsBasic = Boolean(secrets.username || secrets.password);
	const wantsBearer = Boolean(secrets.token);
	if (!wantsBasic && !wantsBearer) return fail('misconfigured', `no user/password or token is set in the credential for ${what}`);
	const value = header(headers, 'authorization');
	if (!value) return fail('missing', 'the Authorization header is missing');
	const space = value.indexOf(' ');
	const scheme = (space < 0 ? value : value.slice(0, space)).toLowerCase();
	const rest = space < 0 ? '' : value.slice(space + 1).trim();
	let matched = false;
	if (scheme === 'basic' && wantsBasic) {
		const expected = basicValue(secrets.username ?? '', secrets.password ?? '');
		matched = oldSafeEqualString(rest, expected);
	} else if (scheme === 'bearer' && wantsBearer) {
		matched = oldSafeEqualString(rest, secrets.token ?? '');
	}
	return matched ? OK : fail('invalid', `the Authorization header does not match the ${what} credential`);
}

// ---- stripe.ts ----

export function oldVerifyStripe(
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
	for (const candidate of v1) if (oldSignatureMatches(candidate, expected, 'hex')) match = true;
	if (!match) return fail('invalid', 'no v1 signature of the Stripe-Signature header matches the body');
	return checkTimestamp(seconds, nowMs, toleranceSeconds);
}

// ---- svix.ts ----

function svixKey(secret: string): Buffer {
	return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

export function oldVerifySvix(
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
	// Since the hardening: a secret whose key decodes to no bytes is refused (was an empty HMAC key).
	if (svixKey(secret).length === 0) return fail('misconfigured', 'the Signing Secret in the credential is not a whsec_... secret with a base64 key after "whsec_"');
	if (!id || !timestamp || !signatures) return fail('missing', 'the svix-id, svix-timestamp or svix-signature header is missing');
	const expected = createHmac('sha256', svixKey(secret))
		.update(`${id}.${timestamp}.`, 'utf8')
		.update(rawBody)
		.digest('base64');
	let match = false;
	for (const entry of signatures.split(' ')) {
		const comma = entry.indexOf(',');
		if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
		if (oldSignatureMatches(entry.slice(comma + 1), expected, 'base64')) match = true;
	}
	if (!match) return fail('invalid', 'no v1 signature of svix-signature matches the body');
	return checkTimestamp(parseSeconds(timestamp), nowMs, toleranceSeconds);
}

// ---- sendgrid.ts ----

function sendGridKey(text: string): KeyObject | null {
	try {
		const trimmed = text.trim();
		const key = trimmed.includes('BEGIN PUBLIC KEY')
			? createPublicKey(trimmed)
			: createPublicKey({ key: Buffer.from(trimmed.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
		// Since the hardening: P-256 only (was any EC curve).
		return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : null;
	} catch {
		return null;
	}
}

export function oldVerifySendGrid(
	rawBody: Buffer,
	headers: Headers,
	publicKeyText: string,
	nowMs = Date.now(),
	toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
	if (!publicKeyText) return fail('misconfigured', 'no SendGrid verification key is set in the credential');
	const key = sendGridKey(publicKeyText);
	if (!key) return fail('misconfigured', 'the SendGrid verification key in the credential is not an EC P-256 public key');
	const signature = header(headers, 'x-twilio-email-event-webhook-signature');
	const timestamp = header(headers, 'x-twilio-email-event-webhook-timestamp');
	if (!signature || !timestamp) return fail('missing', 'the X-Twilio-Email-Event-Webhook-Signature or -Timestamp header is missing');
	const sig = oldDecode(signature, 'base64');
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

// ---- sns.ts ----

export function oldVerifySnsWithKey(
	message: SnsMessage,
	key: KeyObject,
	nowMs = Date.now(),
	toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
	const algorithm = message.SignatureVersion === '1' ? 'RSA-SHA1' : message.SignatureVersion === '2' ? 'RSA-SHA256' : null;
	if (!algorithm) return fail('invalid', `unsupported SNS SignatureVersion "${message.SignatureVersion}"`);
	const text = snsStringToSign(message);
	if (text === null) return fail('invalid', `SNS message type "${message.Type}" cannot be verified`);
	const signature = oldDecode(message.Signature, 'base64');
	if (!signature) return fail('invalid', 'the SNS Signature is not base64');
	let valid = false;
	try {
		valid = createVerify(algorithm).update(text, 'utf8').verify(key, signature);
	} catch {
		valid = false;
	}
	if (!valid) return fail('invalid', 'the SNS signature does not match the message');
	const ts = Date.parse(message.Timestamp);
	if (!Number.isFinite(ts)) return fail('invalid', 'the SNS Timestamp is not a date');
	if (toleranceSeconds > 0 && Math.abs(nowMs - ts) > toleranceSeconds * 1000) {
		return fail('expired', `the SNS Timestamp is outside the ${toleranceSeconds} s replay window`);
	}
	return OK;
}

export async function oldVerifySns(
	message: SnsMessage,
	fetchCertificate: CertificateFetcher | undefined,
	nowMs = Date.now(),
	toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Promise<VerifyResult> {
	if (!message.Signature || !message.SigningCertURL) return fail('missing', 'the SNS message has no Signature or SigningCertURL');
	if (!isValidSigningCertUrl(message.SigningCertURL)) {
		return fail('invalid', 'SigningCertURL is not an https URL on sns.<region>.amazonaws.com');
	}
	const cache = certificateCache();
	let entry = cache.get(message.SigningCertURL);
	if (entry && entry.validTo < nowMs) {
		cache.delete(message.SigningCertURL);
		entry = undefined;
	}
	let key = entry?.key;
	if (!key) {
		if (!fetchCertificate) return fail('misconfigured', 'no certificate fetcher for SNS messages');
		try {
			// Since the hardening: the certificate must be valid at nowMs (was not checked).
			key = cacheCertificate(message.SigningCertURL, await fetchCertificate(message.SigningCertURL), nowMs);
		} catch {
			return fail('invalid', 'the SNS signing certificate could not be fetched or parsed');
		}
	}
	return oldVerifySnsWithKey(message, key, nowMs, toleranceSeconds);
}

/** asSnsMessage before the fields were read one by one (a loop over a list of names). */
export function oldAsSnsMessage(payload: unknown): SnsMessage | null {
	if (!isObject(payload)) return null;
	for (const key of ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL']) {
		if (typeof payload[key] !== 'string') return null;
	}
	return payload as unknown as SnsMessage;
}
