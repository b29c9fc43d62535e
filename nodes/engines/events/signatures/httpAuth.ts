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

function basicValue(user: string, password: string): string {
	const key = `${user}\u0000${password}`;
	let value = basicCache.get(key);
	if (value === undefined) {
		value = Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
		if (basicCache.size > 32) basicCache.clear();
		basicCache.set(key, value);
	}
	return value;
}

export function verifyHttpAuth(headers: Headers, secrets: HttpAuthSecrets, what: string): VerifyResult {
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
		matched = safeEqualString(rest, expected);
	} else if (scheme === 'bearer' && wantsBearer) {
		matched = safeEqualString(rest, secrets.token ?? '');
	}
	return matched ? OK : fail('invalid', `the Authorization header does not match the ${what} credential`);
}
