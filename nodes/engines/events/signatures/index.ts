/**
 * Which scheme verifies which source, given the secrets of the credential. Used by the
 * Personalization Trigger (before anything else) and by Normalize Event's optional check.
 */
import type { Headers, VerifyResult } from './common';
import { DEFAULT_TOLERANCE_SECONDS, fail } from './common';
import type { HmacOptions } from './hmac';
import { SEGMENT_HMAC, SHOPIFY_HMAC, WOOCOMMERCE_HMAC, customHmacOptions, verifyHmac } from './hmac';
import { verifyHttpAuth } from './httpAuth';
import { verifyMailgun } from './mailgun';
import { verifySendGrid } from './sendgrid';
import type { CertificateFetcher, SnsMessage } from './sns';
import { asSnsMessage, verifySnsFetching, verifySnsSync } from './sns';
import { verifyStripe } from './stripe';
import { verifySvix } from './svix';

export type { VerifyResult, VerifyFailure } from './common';
export { DEFAULT_TOLERANCE_SECONDS } from './common';

export interface SignatureSecrets {
	/** HMAC secret / signing key / whsec_… (Shopify, WooCommerce, Stripe, Segment, Mailgun, Resend, Custom). */
	secret?: string;
	/** SendGrid verification key (base64 DER or PEM). */
	publicKey?: string;
	/** Basic auth (Postmark, Brevo, RudderStack). */
	username?: string;
	password?: string;
	/** Bearer token (Brevo, RudderStack). */
	token?: string;
}

export interface VerifyOptions {
	nowMs?: number;
	/** Replay window in seconds, where the scheme signs a timestamp; 0 disables it. */
	toleranceSeconds?: number;
	/** Custom source: header, algorithm, encoding, prefix. */
	customHmac?: HmacOptions;
	/** SES/SNS: fetches a PEM certificate (only called for valid sns.<region>.amazonaws.com URLs). */
	fetchCertificate?: CertificateFetcher;
}

/** Schemes that verify the raw bytes alone, before the body is parsed. */
export function verifyRaw(sourceId: string, rawBody: Buffer, headers: Headers, secrets: SignatureSecrets, options: VerifyOptions = {}): VerifyResult | null {
	const now = options.nowMs ?? Date.now();
	const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	return verifyRawAt(sourceId, rawBody, headers, secrets, options, now, tolerance);
}

/** `verifyRaw` at a given time and tolerance. */
function verifyRawAt(
	sourceId: string,
	rawBody: Buffer,
	headers: Headers,
	secrets: SignatureSecrets,
	options: VerifyOptions,
	now: number,
	tolerance: number,
): VerifyResult | null {
	const secret = secrets.secret ?? '';
	switch (sourceId) {
		case 'shopify':
			return verifyHmac(rawBody, headers, secret, SHOPIFY_HMAC);
		case 'woocommerce':
			return verifyHmac(rawBody, headers, secret, WOOCOMMERCE_HMAC);
		case 'stripe':
			return verifyStripe(rawBody, headers, secret, now, tolerance);
		case 'segment':
			if (secret) return verifyHmac(rawBody, headers, secret, SEGMENT_HMAC);
			return verifyHttpAuth(headers, secrets, 'Segment / RudderStack');
		case 'sendgrid':
			return verifySendGrid(rawBody, headers, secrets.publicKey ?? '', now, tolerance);
		case 'postmark':
			return verifyHttpAuth(headers, secrets, 'Postmark');
		case 'brevo':
			return verifyHttpAuth(headers, secrets, 'Brevo');
		case 'resend':
			return verifySvix(rawBody, headers, secret, now, tolerance);
		case 'custom': {
			const custom = customHmacOptions(options.customHmac);
			if (!custom.ok) return fail('misconfigured', custom.message);
			return verifyHmac(rawBody, headers, secret, custom.options);
		}
		default:
			return null;
	}
}

/** `verifyParsedSync` at a given time and tolerance. */
function verifyParsedAt(
	sourceId: string,
	rawBody: Buffer,
	headers: Headers,
	payload: unknown,
	secrets: SignatureSecrets,
	options: VerifyOptions,
	now: number,
	tolerance: number,
): VerifyResult | null {
	const raw = verifyRawAt(sourceId, rawBody, headers, secrets, options, now, tolerance);
	if (raw) return raw;
	if (sourceId === 'mailgun') return verifyMailgun(payload, secrets.secret ?? '', now, tolerance);
	if (sourceId === 'ses') {
		const message = asSnsMessage(payload);
		if (!message) return fail('missing', 'the body is not a signed SNS message');
		return verifySnsSync(message, options.fetchCertificate, now, tolerance);
	}
	return fail('misconfigured', `no signature scheme for source "${sourceId}"`);
}

/**
 * Verifies one delivery of any source without I/O: the result `verifyDelivery` gives, or null
 * when that needs a fetch first (SES/SNS with a signing certificate not cached yet, or expired,
 * and a fetcher set): then call `verifyDelivery`.
 */
export function verifyParsedSync(
	sourceId: string,
	rawBody: Buffer,
	headers: Headers,
	payload: unknown,
	secrets: SignatureSecrets,
	options: VerifyOptions = {},
): VerifyResult | null {
	const now = options.nowMs ?? Date.now();
	const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	return verifyParsedAt(sourceId, rawBody, headers, payload, secrets, options, now, tolerance);
}

/** Verifies one delivery of any source. `payload` is the parsed body (Mailgun and SNS sign fields). */
export async function verifyDelivery(
	sourceId: string,
	rawBody: Buffer,
	headers: Headers,
	payload: unknown,
	secrets: SignatureSecrets,
	options: VerifyOptions = {},
): Promise<VerifyResult> {
	const now = options.nowMs ?? Date.now();
	const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	const known = verifyParsedAt(sourceId, rawBody, headers, payload, secrets, options, now, tolerance);
	if (known) return known;
	// Only SES/SNS returns null: a valid message whose certificate must be fetched.
	return await verifySnsFetching(asSnsMessage(payload) as SnsMessage, options.fetchCertificate as CertificateFetcher, now, tolerance);
}
