/**
 * Shared pieces of the signature schemes: results, constant-time comparison, replay window.
 * Every scheme is a pure function over the exact raw bytes of the request (never re-serialized
 * JSON), except where the provider signs fields (Mailgun: timestamp+token; SNS: message fields).
 */
import { timingSafeEqual } from 'node:crypto';

export type VerifyFailure = 'missing' | 'invalid' | 'expired' | 'misconfigured';

export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure; message: string };

export const OK: VerifyResult = Object.freeze({ ok: true }) as VerifyResult;

export function fail(reason: VerifyFailure, message: string): VerifyResult {
	return { ok: false, reason, message };
}

/** Default replay window: 5 minutes either side of our clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Constant-time equality of two byte strings (false on different lengths, without early exit on content). */
export function safeEqual(a: Buffer, b: Buffer): boolean {
	if (a.length !== b.length) return false;
	return timingSafeEqual(a, b);
}

/** UTF-8 bytes of the expected side (a credential value, the same on every delivery), bounded. */
const expectedBytes = new Map<string, Buffer>();

/**
 * Constant-time equality of two strings of any length. `b` is the expected value (from the
 * credential): its UTF-8 bytes are kept; `a` (from the request) is written into a buffer of
 * exactly that length (cut or zero-padded), so the comparison always runs over the expected
 * length, whatever `a` is, and never exits early on content. Equal only when the bytes match and
 * `a` has as many bytes as `b` (UTF-8, as before, maps both strings the same way).
 */
export function safeEqualString(a: string, b: string): boolean {
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

/**
 * Checks a signed timestamp (seconds since epoch) against our clock: older or further in the
 * future than the tolerance is a replay. `toleranceSeconds <= 0` disables the check.
 */
export function checkTimestamp(seconds: number, nowMs: number, toleranceSeconds: number): VerifyResult {
	if (!Number.isFinite(seconds)) return fail('invalid', 'the signature timestamp is not a number');
	if (toleranceSeconds > 0 && Math.abs(nowMs / 1000 - seconds) > toleranceSeconds) {
		return fail('expired', `the signature timestamp is outside the ${toleranceSeconds} s replay window`);
	}
	return OK;
}

/** Parses an integer timestamp strictly (digits only, surrounding white space allowed). */
export function parseSeconds(value: string | undefined): number {
	if (value === undefined) return Number.NaN;
	// Fast path: 1 to 12 ASCII digits and nothing else (what every provider sends).
	const n = value.length;
	if (n >= 1 && n <= 12) {
		let digits = true;
		for (let i = 0; i < n; i++) {
			const c = value.charCodeAt(i);
			if (c < 48 || c > 57) {
				digits = false;
				break;
			}
		}
		if (digits) return Number(value);
	}
	return /^\s*\d{1,12}\s*$/.test(value) ? Number(value) : Number.NaN;
}

/** `[0-9a-fA-F]`, as a char code test. */
function isHexCode(c: number): boolean {
	return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** `[A-Za-z0-9+/_-]`, as a char code test. */
function isBase64Code(c: number): boolean {
	return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 95 || c === 45;
}

/** Decodes base64 / base64url / hex text into bytes; null when the text is not in that encoding. */
export function decode(text: string, encoding: 'base64' | 'hex'): Buffer | null {
	const clean = text.trim();
	const n = clean.length;
	if (encoding === 'hex') {
		// /^(?:[0-9a-fA-F]{2})+$/
		if (n === 0 || n % 2 !== 0) return null;
		for (let i = 0; i < n; i++) if (!isHexCode(clean.charCodeAt(i))) return null;
		return Buffer.from(clean, 'hex');
	}
	// /^[A-Za-z0-9+/_-]+={0,2}$/
	let end = n;
	while (end > 0 && n - end < 2 && clean.charCodeAt(end - 1) === 61) end--;
	if (end === 0) return null;
	for (let i = 0; i < end; i++) if (!isBase64Code(clean.charCodeAt(i))) return null;
	return Buffer.from(clean, 'base64');
}

/**
 * Does a signature as sent (`given`, text) match the computed one (`expectedText`, the digest
 * written in `encoding`)? The usual case, the same text, is compared character by character
 * without an early exit (no Buffers to allocate); any other text (a forgery, or the same bytes
 * written differently: upper-case hex, base64url, no padding) is decoded and compared as bytes
 * with timingSafeEqual, as before. Either way the time does not depend on where the texts differ.
 */
export function signatureMatches(given: string, expectedText: string, encoding: 'base64' | 'hex'): boolean {
	const n = expectedText.length;
	if (given.length === n) {
		let diff = 0;
		for (let i = 0; i < n; i++) diff |= given.charCodeAt(i) ^ expectedText.charCodeAt(i);
		if (diff === 0) return true;
	}
	const bytes = decode(given, encoding);
	return bytes !== null && safeEqual(bytes, Buffer.from(expectedText, encoding));
}

export type Headers = Record<string, unknown> | undefined;
