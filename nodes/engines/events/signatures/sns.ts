/**
 * Amazon SNS message signatures (SES events arrive through SNS): SignatureVersion 1 is
 * SHA1withRSA, 2 is SHA256withRSA, over the "Key\nValue\n" string of the message's fields, with
 * the certificate at `SigningCertURL`, which must be https on `sns.<region>.amazonaws.com`.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 *
 * Certificates are cached process-wide (by URL, until they expire). The fetcher is injected, so
 * the node can use n8n's HTTP helper and tests a locally generated certificate.
 */
import { X509Certificate, verify, type KeyObject } from 'node:crypto';
import { isObject } from '../util';
import type { VerifyResult } from './common';
import { DEFAULT_TOLERANCE_SECONDS, OK, decode, fail } from './common';

export type CertificateFetcher = (url: string) => Promise<string>;

export interface SnsMessage {
	Type: string;
	MessageId: string;
	TopicArn: string;
	Message: string;
	Timestamp: string;
	SignatureVersion: string;
	Signature: string;
	SigningCertURL: string;
	Subject?: string;
	SubscribeURL?: string;
	Token?: string;
	UnsubscribeURL?: string;
}

const HOST = /^sns\.[a-z]{2}(?:-[a-z]+)+-\d\.amazonaws\.com(?:\.cn)?$/;

const validCertUrls = new Map<string, boolean>();

/** The certificate URL must be https on sns.<region>.amazonaws.com and name a .pem file. */
export function isValidSigningCertUrl(url: string): boolean {
	// Every message of a topic names the same URL: parse it once (bounded memo of the verdicts).
	let valid = validCertUrls.get(url);
	if (valid === undefined) {
		valid = checkSigningCertUrl(url);
		if (validCertUrls.size >= 64) validCertUrls.clear();
		validCertUrls.set(url, valid);
	}
	return valid;
}

/**
 * AWS's SigningCertURL has no query or fragment and is written as the URL parser writes it. Any
 * other spelling of a certificate URL (`?x=1`, `#f`, an empty `?`, `:443`, `SNS.`, `/./`, a tab)
 * would be one more cache key, hence one more fetch, for the same certificate.
 */
function checkSigningCertUrl(url: string): boolean {
	// No query or fragment, not even an empty one (which URL reports as search '' / hash '').
	if (url.includes('?') || url.includes('#')) return false;
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return false;
	}
	return (
		parsed.href === url &&
		parsed.protocol === 'https:' &&
		HOST.test(parsed.hostname) &&
		parsed.port === '' &&
		parsed.pathname.endsWith('.pem') &&
		!parsed.username &&
		!parsed.password
	);
}

/** SubscribeURL / UnsubscribeURL: https on sns.<region>.amazonaws.com only (never confirm elsewhere). */
export function isValidSnsServiceUrl(url: string): boolean {
	try {
		const parsed = new URL(url);
		return parsed.protocol === 'https:' && HOST.test(parsed.hostname) && parsed.port === '';
	} catch {
		return false;
	}
}

/**
 * Reads an SNS envelope from a parsed body; null when it is not one. The eight fields are read
 * one by one, in this order: 0.04 µs per call instead of 0.4 µs with a loop over a list of names
 * built per call (the pipeline calls it twice per SES delivery).
 */
export function asSnsMessage(payload: unknown): SnsMessage | null {
	if (!isObject(payload)) return null;
	if (
		typeof payload.Type !== 'string' ||
		typeof payload.MessageId !== 'string' ||
		typeof payload.TopicArn !== 'string' ||
		typeof payload.Message !== 'string' ||
		typeof payload.Timestamp !== 'string' ||
		typeof payload.SignatureVersion !== 'string' ||
		typeof payload.Signature !== 'string' ||
		typeof payload.SigningCertURL !== 'string'
	) {
		return null;
	}
	return payload as unknown as SnsMessage;
}

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Timestamp', 'TopicArn', 'Type'];
const NOTIFICATION_KEYS_WITH_SUBJECT = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const CONFIRMATION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];

/** The fields signed for this message type, in order; null for a type SNS does not sign. */
function signedKeys(message: SnsMessage): string[] | null {
	return message.Type === 'Notification'
		? message.Subject !== undefined
			? NOTIFICATION_KEYS_WITH_SUBJECT
			: NOTIFICATION_KEYS
		: message.Type === 'SubscriptionConfirmation' || message.Type === 'UnsubscribeConfirmation'
			? CONFIRMATION_KEYS
			: null;
}

export function snsStringToSign(message: SnsMessage): string | null {
	const keys = signedKeys(message);
	if (!keys) return null;
	let out = '';
	for (const key of keys) {
		const value = (message as unknown as Record<string, unknown>)[key];
		if (typeof value !== 'string') return null;
		out += `${key}\n${value}\n`;
	}
	return out;
}

/** Reused for the bytes to sign of messages up to its size (larger ones get their own buffer). */
const SCRATCH_BYTES = 16 * 1024;
let scratch: Buffer | undefined;

/**
 * The UTF-8 bytes of `snsStringToSign(message)`, written piece by piece into a reused buffer
 * (valid until the next call): no 1.5 KB concatenated string to flatten and encode per message.
 * The same bytes: UTF-8 encodes code points one by one, and no piece starts or ends inside a
 * surrogate pair of the whole text (every value sits between two "\n"), so a lone surrogate
 * becomes U+FFFD whether it is encoded with its piece or within the whole text.
 */
function stringToSignBytes(keys: string[], message: SnsMessage): Buffer | null {
	const fields = message as unknown as Record<string, unknown>;
	let most = 0;
	for (const key of keys) {
		const value = fields[key];
		if (typeof value !== 'string') return null;
		most += key.length + 2 + 3 * value.length; // at most 3 bytes per UTF-16 code unit
	}
	let out: Buffer;
	if (most <= SCRATCH_BYTES) out = scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES);
	else out = Buffer.allocUnsafe(most);
	let n = 0;
	for (const key of keys) {
		n += out.write(key, n, 'latin1');
		out[n++] = 10;
		n += out.write(fields[key] as string, n, 'utf8');
		out[n++] = 10;
	}
	return out.subarray(0, n);
}

interface CachedCert {
	key: KeyObject;
	validTo: number;
}

const CACHE_KEY = Symbol.for('n8n-nodes-personalization.snsCertificates');
type CertCache = Map<string, CachedCert>;

/** The process-wide certificate cache (shared by every copy of this module, e.g. bundled nodes). */
export function certificateCache(): CertCache {
	const holder = globalThis as unknown as Record<symbol, CertCache | undefined>;
	let cache = holder[CACHE_KEY];
	if (!cache) {
		cache = new Map();
		holder[CACHE_KEY] = cache;
	}
	return cache;
}

/**
 * Parses a PEM certificate and stores its public key under the URL. Throws (and caches nothing)
 * when the certificate is not valid at `nowMs`: expired, not valid yet, or with dates that are not dates.
 */
export function cacheCertificate(url: string, pem: string, nowMs = Date.now()): KeyObject {
	const cert = new X509Certificate(pem);
	const validFrom = Date.parse(cert.validFrom);
	const validTo = Date.parse(cert.validTo);
	// Written so that NaN fails too (a certificate that never expires would be cached for ever).
	if (!(validFrom <= nowMs && nowMs <= validTo)) throw new Error('the certificate is not valid now');
	const cache = certificateCache();
	if (cache.size >= 64) cache.delete(cache.keys().next().value as string);
	const entry = { key: cert.publicKey, validTo };
	cache.set(url, entry);
	return entry.key;
}

/** How long a certificate URL whose fetch failed is refused without a new fetch. */
const FAILURE_MEMORY_MS = 60_000;
const FAILURE_MEMORY_SIZE = 256;

interface Fetching {
	/** The fetch under way for each URL (one per URL, whoever asks), removed once settled. */
	inFlight: Map<string, Promise<KeyObject>>;
	/** When the last fetch of a URL failed (insertion order = age; bounded). */
	failedAt: Map<string, number>;
}

const FETCHING_KEY = Symbol.for('n8n-nodes-personalization.snsCertificateFetching');

/** Process-wide like the certificate cache. */
function fetching(): Fetching {
	const holder = globalThis as unknown as Record<symbol, Fetching | undefined>;
	let state = holder[FETCHING_KEY];
	if (!state) {
		state = { inFlight: new Map(), failedAt: new Map() };
		holder[FETCHING_KEY] = state;
	}
	return state;
}

/** Forgets the certificate URLs whose fetch failed (tests, or after fixing the network). */
export function forgetCertificateFailures(): void {
	fetching().failedAt.clear();
}

/**
 * The public key of the certificate at `url`, fetched and cached: parallel callers share one fetch,
 * and a URL whose fetch (or certificate) failed less than a minute ago is refused without a fetch.
 */
async function fetchCertificateKey(url: string, fetchCertificate: CertificateFetcher, nowMs: number): Promise<KeyObject> {
	const { inFlight, failedAt } = fetching();
	const failed = failedAt.get(url);
	if (failed !== undefined) {
		if (failed <= nowMs && nowMs < failed + FAILURE_MEMORY_MS) throw new Error('the certificate failed less than a minute ago');
		failedAt.delete(url);
	}
	let pending = inFlight.get(url);
	if (!pending) {
		const started = (async () => {
			try {
				return cacheCertificate(url, await fetchCertificate(url), nowMs);
			} catch (error) {
				if (failedAt.size >= FAILURE_MEMORY_SIZE) failedAt.delete(failedAt.keys().next().value as string);
				failedAt.set(url, nowMs);
				throw error;
			}
		})();
		// Removed once settled (asynchronously, so after this `set` even if the fetcher threw at once).
		const settled = () => {
			if (inFlight.get(url) === started) inFlight.delete(url);
		};
		started.then(settled, settled);
		inFlight.set(url, started);
		pending = started;
	}
	return await pending;
}

/** Verifies with an already known public key (no I/O). */
export function verifySnsWithKey(
	message: SnsMessage,
	key: KeyObject,
	nowMs = Date.now(),
	toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
	const algorithm = message.SignatureVersion === '1' ? 'RSA-SHA1' : message.SignatureVersion === '2' ? 'RSA-SHA256' : null;
	if (!algorithm) return fail('invalid', `unsupported SNS SignatureVersion ${JSON.stringify(String(message.SignatureVersion).slice(0, 20))}`);
	const keys = signedKeys(message);
	const bytes = keys && stringToSignBytes(keys, message);
	if (!bytes) return fail('invalid', `SNS message type ${JSON.stringify(String(message.Type).slice(0, 40))} cannot be verified`);
	const signature = decode(message.Signature, 'base64');
	if (!signature) return fail('invalid', 'the SNS Signature is not base64');
	let valid = false;
	try {
		// One-shot verify (no Verify stream per message) over the bytes written in place.
		valid = verify(algorithm, bytes, key, signature);
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

/**
 * Verifies an SNS message without I/O: the result, or null when the signing certificate is not
 * cached (or has expired) and must be fetched first (`verifySns` does that).
 */
export function verifySnsSync(
	message: SnsMessage,
	fetchCertificate: CertificateFetcher | undefined,
	nowMs = Date.now(),
	toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult | null {
	if (!message.Signature || !message.SigningCertURL) return fail('missing', 'the SNS message has no Signature or SigningCertURL');
	if (!isValidSigningCertUrl(message.SigningCertURL)) {
		return fail('invalid', 'SigningCertURL is not an https URL on sns.<region>.amazonaws.com');
	}
	const cache = certificateCache();
	const entry = cache.get(message.SigningCertURL);
	if (entry) {
		if (!(entry.validTo < nowMs)) return verifySnsWithKey(message, entry.key, nowMs, toleranceSeconds);
		cache.delete(message.SigningCertURL);
	}
	if (!fetchCertificate) return fail('misconfigured', 'no certificate fetcher for SNS messages');
	return null;
}

/** Verifies an SNS message, fetching (and caching) the signing certificate when needed. */
export async function verifySns(
	message: SnsMessage,
	fetchCertificate: CertificateFetcher | undefined,
	nowMs = Date.now(),
	toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): Promise<VerifyResult> {
	const known = verifySnsSync(message, fetchCertificate, nowMs, toleranceSeconds);
	if (known) return known;
	return await verifySnsFetching(message, fetchCertificate as CertificateFetcher, nowMs, toleranceSeconds);
}

/** The I/O half of `verifySns`, once `verifySnsSync` has returned null (certificate not cached). */
export async function verifySnsFetching(
	message: SnsMessage,
	fetchCertificate: CertificateFetcher,
	nowMs: number,
	toleranceSeconds: number,
): Promise<VerifyResult> {
	let key: KeyObject;
	try {
		key = await fetchCertificateKey(message.SigningCertURL, fetchCertificate, nowMs);
	} catch {
		return fail('invalid', 'the SNS signing certificate could not be fetched or parsed');
	}
	return verifySnsWithKey(message, key, nowMs, toleranceSeconds);
}
