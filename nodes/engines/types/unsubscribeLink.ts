/**
 * Signed unsubscribe links, shared by who makes them (Render Email) and who receives them (the
 * Personalization Trigger's Unsubscribe Link source, engines/events/unsubscribe.ts), as the pz_*
 * attribution tags are shared by dispatch and events. Free of n8n.
 *
 * Token: `t` = base64url(HMAC-SHA256(secret, "pz-unsubscribe" NUL address NUL scope)), its first 16
 * bytes (128 bits: 22 characters, no padding). The address is trimmed and lower-cased; the scope is
 * the optional list or category name (trimmed, case kept), the empty text for a global unsubscribe.
 * The NUL separators and the "pz-unsubscribe" label keep the token of one (address, scope) from
 * being that of another, and from being any other HMAC made with the same secret.
 *
 * Link: `<base>?e=<address>&t=<token>[&s=<scope>]`, each value percent-encoded.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Bytes of the HMAC kept in the token: 16 (128 bits), 22 base64url characters. */
export const UNSUBSCRIBE_TOKEN_BYTES = 16;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{22}$/;
/**
 * Shortest Signing Secret accepted for unsubscribe links: every recipient holds a link with a token,
 * so a short secret can be found offline by guessing (a review recovered an 8-character word in 763
 * guesses) and links forged for any address.
 */
export const MIN_UNSUBSCRIBE_SECRET_LENGTH = 16;
/** Longest scope accepted (a list or category name, not a document). */
export const MAX_SCOPE_LENGTH = 100;
const LABEL = 'pz-unsubscribe';

/** The address as it is signed: trimmed and lower-cased; null when it has no `@` between text, or white space inside. */
export function signedAddress(email: unknown): string | null {
	if (typeof email !== 'string') return null;
	const address = email.trim().toLowerCase();
	const at = address.indexOf('@');
	if (at <= 0 || at === address.length - 1 || /[\s\u0000-\u001f\u007f]/.test(address)) return null;
	return address;
}

/** The scope as it is signed: trimmed, the empty text for global; undefined when it cannot be one. */
export function normalizeScope(scope: unknown): string | undefined {
	if (scope === undefined || scope === null) return '';
	if (typeof scope !== 'string') return undefined;
	const s = scope.trim();
	// control characters (the NUL separator among them) never belong to a list name
	if (s.length > MAX_SCOPE_LENGTH || /[\u0000-\u001f\u007f]/.test(s)) return undefined;
	return s;
}

/**
 * The token of an address (and scope) under `secret`. Throws when the secret is empty, the address
 * is not one or the scope cannot be one; the messages name neither the secret nor the address.
 */
export function unsubscribeToken(secret: string, email: string, scope?: string): string {
	if (!secret) throw new Error('the unsubscribe signing secret is empty');
	if (secret.length < MIN_UNSUBSCRIBE_SECRET_LENGTH) throw new Error(`the unsubscribe signing secret is shorter than ${MIN_UNSUBSCRIBE_SECRET_LENGTH} characters: use a long random text`);
	const address = signedAddress(email);
	if (address === null) throw new Error('the recipient address is not an email address');
	const s = normalizeScope(scope);
	if (s === undefined) throw new Error(`the unsubscribe scope must be text of at most ${MAX_SCOPE_LENGTH} characters without control characters`);
	return createHmac('sha256', secret)
		.update(`${LABEL}\u0000${address}\u0000${s}`, 'utf8')
		.digest()
		.subarray(0, UNSUBSCRIBE_TOKEN_BYTES)
		.toString('base64url');
}

/** Whether `token` is the token of (email, scope) under `secret`; constant time in the token's content. */
export function verifyUnsubscribeToken(secret: string, email: string, scope: string | undefined, token: unknown): boolean {
	if (!secret || typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return false;
	let expected: string;
	try {
		expected = unsubscribeToken(secret, email, scope);
	} catch {
		return false;
	}
	// both 22 ASCII characters here (the shape above)
	return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(token, 'latin1'));
}

/** `e=…&t=…[&s=…]`, percent-encoded. */
export function linkQuery(email: string, token: string, scope: string): string {
	return `e=${encodeURIComponent(email)}&t=${encodeURIComponent(token)}${scope ? `&s=${encodeURIComponent(scope)}` : ''}`;
}

/** `<base>?e=…&t=…[&s=…]` (added with `&` when the base already has a query; a fragment stays last). */
export function unsubscribeUrl(base: string, secret: string, email: string, scope?: string): string {
	const address = signedAddress(email);
	if (address === null) throw new Error('the recipient address is not an email address');
	const s = normalizeScope(scope);
	if (s === undefined) throw new Error(`the unsubscribe scope must be text of at most ${MAX_SCOPE_LENGTH} characters without control characters`);
	const token = unsubscribeToken(secret, address, s);
	const hashAt = base.indexOf('#');
	const head = hashAt === -1 ? base : base.slice(0, hashAt);
	const sep = head.includes('?') ? (head.endsWith('?') || head.endsWith('&') ? '' : '&') : '?';
	return `${head}${sep}${linkQuery(address, token, s)}${hashAt === -1 ? '' : base.slice(hashAt)}`;
}
