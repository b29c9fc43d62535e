/**
 * Shared pieces of the signature schemes: results, constant-time comparison, replay window.
 * Every scheme is a pure function over the exact raw bytes of the request (never re-serialized
 * JSON), except where the provider signs fields (Mailgun: timestamp+token; SNS: message fields).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

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

/** Constant-time equality of two strings of any length (compares SHA-256 digests). */
export function safeEqualString(a: string, b: string): boolean {
	const da = createHash('sha256').update(a, 'utf8').digest();
	const db = createHash('sha256').update(b, 'utf8').digest();
	return timingSafeEqual(da, db) && a.length === b.length;
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

/** Parses an integer timestamp strictly (digits only). */
export function parseSeconds(value: string | undefined): number {
	if (value === undefined || !/^\s*\d{1,12}\s*$/.test(value)) return Number.NaN;
	return Number(value);
}

/** Decodes base64 / base64url / hex text into bytes; null when the text is not in that encoding. */
export function decode(text: string, encoding: 'base64' | 'hex'): Buffer | null {
	const clean = text.trim();
	if (encoding === 'hex') return /^(?:[0-9a-fA-F]{2})+$/.test(clean) ? Buffer.from(clean, 'hex') : null;
	if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(clean)) return null;
	return Buffer.from(clean, 'base64');
}

export type Headers = Record<string, unknown> | undefined;
