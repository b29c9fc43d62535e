/**
 * HMAC over the raw body, in a header: Shopify and WooCommerce (base64 HMAC-SHA256), Segment
 * (hex HMAC-SHA1 `X-Signature`) and the Custom source's generic HMAC.
 *
 * Shopify: https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook
 * WooCommerce: https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks (X-WC-Webhook-Signature)
 * Segment: https://segment.com/docs/connections/destinations/catalog/webhooks/#authentication (X-Signature)
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { header } from '../util';
import type { Headers, VerifyResult } from './common';
import { OK, decode, fail, signatureMatches } from './common';

/** The algorithms and encodings the Custom source offers (its editor options). */
export const HMAC_ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const;
export const HMAC_ENCODINGS = ['hex', 'base64'] as const;
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];

export interface HmacOptions {
	header: string;
	algorithm: HmacAlgorithm;
	encoding: (typeof HMAC_ENCODINGS)[number];
	/** Text before the digest in the header, e.g. `sha256=`. */
	prefix?: string;
}

const secretKeys = new Map<string, KeyObject>();

/**
 * The HMAC key of a secret (its UTF-8 bytes, as `createHmac(algorithm, secret)` takes them),
 * built once per secret instead of on every delivery. Bounded: a few credentials per process.
 */
export function hmacKey(secret: string): KeyObject | string {
	if (secret === '') return secret;
	let key = secretKeys.get(secret);
	if (key === undefined) {
		key = createSecretKey(Buffer.from(secret, 'utf8'));
		if (secretKeys.size >= 32) secretKeys.clear();
		secretKeys.set(secret, key);
	}
	return key;
}

/**
 * The Custom source's HMAC settings as the check can use them, or what is wrong with them. An
 * expression can give any text: an unknown algorithm made createHmac throw on every delivery (n8n's
 * 500, no reason), a weak one such as `md5` was used silently, an unknown encoding failed every
 * signature. Names are read trimmed and in any case (`SHA256`).
 */
export function customHmacOptions(options: HmacOptions | undefined): { ok: true; options: HmacOptions } | { ok: false; message: string } {
	if (!options?.header) return { ok: false, message: 'set the signature header of the Custom source' };
	const algorithm = String(options.algorithm).trim().toLowerCase();
	const encoding = String(options.encoding).trim().toLowerCase();
	if (!(HMAC_ALGORITHMS as readonly string[]).includes(algorithm)) {
		return { ok: false, message: `the Custom source's Signature Algorithm "${algorithm.slice(0, 40)}" is not one of ${HMAC_ALGORITHMS.join(', ')}` };
	}
	if (!(HMAC_ENCODINGS as readonly string[]).includes(encoding)) {
		return { ok: false, message: `the Custom source's Signature Encoding "${encoding.slice(0, 40)}" is not one of ${HMAC_ENCODINGS.join(', ')}` };
	}
	if (algorithm === options.algorithm && encoding === options.encoding) return { ok: true, options };
	return { ok: true, options: { ...options, algorithm: algorithm as HmacAlgorithm, encoding: encoding as HmacOptions['encoding'] } };
}

export function verifyHmac(rawBody: Buffer, headers: Headers, secret: string, options: HmacOptions): VerifyResult {
	if (!secret) return fail('misconfigured', 'no signing secret is set in the credential');
	let value = header(headers, options.header);
	if (!value) return fail('missing', `the ${options.header} header is missing`);
	value = value.trim();
	if (options.prefix) {
		if (!value.startsWith(options.prefix)) return fail('invalid', `the ${options.header} header does not start with "${options.prefix}"`);
		value = value.slice(options.prefix.length);
	}
	const expected = createHmac(options.algorithm, hmacKey(secret)).update(rawBody).digest(options.encoding);
	if (signatureMatches(value, expected, options.encoding)) return OK;
	if (!decode(value, options.encoding)) return fail('invalid', `the ${options.header} header is not ${options.encoding}`);
	return fail('invalid', `the ${options.header} signature does not match the body`);
}

export const SHOPIFY_HMAC: HmacOptions = { header: 'x-shopify-hmac-sha256', algorithm: 'sha256', encoding: 'base64' };
export const WOOCOMMERCE_HMAC: HmacOptions = { header: 'x-wc-webhook-signature', algorithm: 'sha256', encoding: 'base64' };
export const SEGMENT_HMAC: HmacOptions = { header: 'x-signature', algorithm: 'sha1', encoding: 'hex' };
