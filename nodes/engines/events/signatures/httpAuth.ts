/**
 * HTTP authentication on the webhook URL: Postmark (basic auth in the URL,
 * https://postmarkapp.com/developer/webhooks/webhooks-overview#protecting-your-webhook), Brevo
 * (bearer token or basic auth, https://developers.brevo.com/docs/how-to-use-webhooks), RudderStack
 * (a shared token header). No timestamp: these schemes have no replay window.
 */
import { header } from '../util';
import type { Headers, VerifyResult } from './common';
import { OK, fail, safeEqualString } from './common';

export interface HttpAuthSecrets {
	username?: string;
	password?: string;
	token?: string;
}

const basicCache = new Map<string, string>();
let lastUser: string | undefined;
let lastPassword: string | undefined;
let lastBasic = '';

function basicValue(user: string, password: string): string {
	// The same credential on every delivery: compare with the last one before building a map key.
	if (user === lastUser && password === lastPassword) return lastBasic;
	const key = `${user}\u0000${password}`;
	let value = basicCache.get(key);
	if (value === undefined) {
		value = Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
		if (basicCache.size > 32) basicCache.clear();
		basicCache.set(key, value);
	}
	lastUser = user;
	lastPassword = password;
	lastBasic = value;
	return value;
}

/**
 * Is `value.slice(0, end).toLowerCase() === lower` (`lower`: lower-case ASCII letters)? Only
 * A-Z lower-case to a-z (no other character lower-cases to these letters; U+0130 lower-cases to
 * two characters, so never to a text of the same length), hence one code unit each, OR 0x20.
 */
function schemeIs(value: string, end: number, lower: string): boolean {
	if (end !== lower.length) return false;
	for (let i = 0; i < end; i++) {
		const c = value.charCodeAt(i);
		if (c !== lower.charCodeAt(i) && c + 32 !== lower.charCodeAt(i)) return false;
	}
	return true;
}

export function verifyHttpAuth(headers: Headers, secrets: HttpAuthSecrets, what: string): VerifyResult {
	const wantsBasic = Boolean(secrets.username || secrets.password);
	const wantsBearer = Boolean(secrets.token);
	if (!wantsBasic && !wantsBearer) return fail('misconfigured', `no user/password or token is set in the credential for ${what}`);
	const value = header(headers, 'authorization');
	if (!value) return fail('missing', 'the Authorization header is missing');
	const space = value.indexOf(' ');
	const end = space < 0 ? value.length : space;
	let matched = false;
	if (wantsBasic && schemeIs(value, end, 'basic')) {
		const expected = basicValue(secrets.username ?? '', secrets.password ?? '');
		matched = safeEqualString(rest(value, space), expected);
	} else if (wantsBearer && schemeIs(value, end, 'bearer')) {
		matched = safeEqualString(rest(value, space), secrets.token ?? '');
	}
	return matched ? OK : fail('invalid', `the Authorization header does not match the ${what} credential`);
}

/** The credentials after the scheme, trimmed ('' without a space). */
function rest(value: string, space: number): string {
	return space < 0 ? '' : value.slice(space + 1).trim();
}
