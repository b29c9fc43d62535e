/**
 * The requests a signed unsubscribe link brings, free of n8n. The token and the link are in
 * engines/types/unsubscribeLink.ts (Render Email makes them with the same code).
 *
 * Link: `<base>?e=<address>&t=<token>[&s=<scope>]`. A GET answers a page with a button (link
 * scanners fetch links; a GET never unsubscribes); a POST unsubscribes: the RFC 8058 one-click body
 * `List-Unsubscribe=One-Click` (form-urlencoded or multipart/form-data), or the page's form
 * (`confirm=unsubscribe`). https://www.rfc-editor.org/rfc/rfc8058
 */
import type { CanonicalEvent } from '../types/CanonicalEvent';
import { MAX_SCOPE_LENGTH, MIN_UNSUBSCRIBE_SECRET_LENGTH, linkQuery, normalizeScope, verifyUnsubscribeToken } from '../types/unsubscribeLink';
import { contentId, isoOf, normalizeEmail } from './util';

export { MAX_SCOPE_LENGTH, UNSUBSCRIBE_TOKEN_BYTES, normalizeScope, unsubscribeToken, unsubscribeUrl, verifyUnsubscribeToken } from '../types/unsubscribeLink';

export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface UnsubscribeRequest {
	method: string;
	/** The request URL's query (after `?`), undecoded, or the whole URL. */
	query: string;
	/** The exact body (POST). */
	rawBody?: Buffer;
	contentType?: string;
	/**
	 * The form's fields when the server has already parsed the body (n8n reads a multipart/form-data
	 * body itself, before the node runs, and keeps no raw bytes of it); used instead of `rawBody`.
	 */
	fields?: Array<[string, string]>;
	/** The signing secret (the webhook credential's). Empty: `misconfigured`. */
	secret: string;
	receivedAt: Date;
}

export type UnsubscribeOutcome =
	| { kind: 'rejected'; status: 400 | 403 | 405; message: string; html: boolean }
	| { kind: 'misconfigured'; message: string }
	| { kind: 'page'; html: string }
	| { kind: 'events'; events: CanonicalEvent[] };

/** How a POST said to unsubscribe: `one_click` (RFC 8058) or `confirm_page` (our page's button); undefined: neither. */
export function postIntent(rawBody: Buffer | undefined, contentType: string | undefined, parsed?: Array<[string, string]>): 'one_click' | 'confirm_page' | undefined {
	const fields = parsed ?? formFields(rawBody ?? Buffer.alloc(0), contentType ?? '');
	const value = (name: string) => fields.find(([k]) => k.toLowerCase() === name)?.[1].trim();
	if (value('list-unsubscribe')?.toLowerCase() === 'one-click') return 'one_click';
	if (value('confirm') === 'unsubscribe') return 'confirm_page';
	return undefined;
}

/** The fields of a form body: application/x-www-form-urlencoded (also the default) or multipart/form-data. */
function formFields(body: Buffer, contentType: string): Array<[string, string]> {
	if (body.length > 64 * 1024) return [];
	const type = contentType.split(';')[0].trim().toLowerCase();
	if (type === 'multipart/form-data') {
		const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
		const mark = boundary?.[1] ?? boundary?.[2];
		if (!mark) return [];
		const out: Array<[string, string]> = [];
		for (const part of body.toString('utf8').split(`--${mark}`)) {
			const split = part.search(/\r?\n\r?\n/);
			if (split === -1) continue;
			const head = part.slice(0, split);
			const name = /content-disposition:[^\n]*\bname="([^"]*)"/i.exec(head)?.[1];
			if (name === undefined) continue;
			out.push([name, part.slice(split).replace(/^\r?\n\r?\n/, '').replace(/\r?\n$/, '')]);
		}
		return out;
	}
	return [...new URLSearchParams(body.toString('utf8')).entries()];
}

const PAGE_STYLE =
	'body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#111827}' +
	'button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.4rem;background:#111827;color:#fff;cursor:pointer}';

function page(title: string, body: string): string {
	return (
		'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
		`<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head><body>${body}</body></html>`
	);
}

/** The confirmation page a GET answers: the address (escaped) and a button that POSTs to the same link. */
export function confirmPage(email: string, token: string, scope: string): string {
	const action = `?${linkQuery(email, token, scope)}`;
	const from = scope ? ` from <strong>${escapeHtml(scope)}</strong>` : '';
	return page(
		'Unsubscribe',
		`<h1>Unsubscribe</h1><p>Stop emails to <strong>${escapeHtml(email)}</strong>${from}?</p>` +
			`<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="confirm" value="unsubscribe"><button type="submit">Unsubscribe</button></form>`,
	);
}

export const INVALID_LINK_PAGE = page('Unsubscribe', '<h1>Unsubscribe</h1><p>This unsubscribe link is not valid. Please use the link in a recent email.</p>');
export const DONE_TEXT = 'You are unsubscribed.';

/** One request to the unsubscribe link, from the query and body to the answer or the event. */
export function processUnsubscribe(req: UnsubscribeRequest): UnsubscribeOutcome {
	const method = req.method.toUpperCase();
	const html = method === 'GET' || method === 'HEAD';
	if (!html && method !== 'POST') return { kind: 'rejected', status: 405, message: 'use GET or POST', html: false };
	const q = req.query.includes('?') ? req.query.slice(req.query.indexOf('?') + 1) : req.query;
	const params = new URLSearchParams(q.split('#')[0]);
	const one = (name: string): string | undefined | null => {
		const all = params.getAll(name);
		return all.length > 1 ? null : all[0];
	};
	const e = one('e');
	const t = one('t');
	const s = one('s');
	if (e === null || t === null || s === null) return { kind: 'rejected', status: 400, message: 'e, t and s may each be given once', html };
	const email = e === undefined ? null : normalizeEmail(e);
	if (email === null) return { kind: 'rejected', status: 400, message: 'the query parameter e must be an email address', html };
	const scope = normalizeScope(s);
	if (scope === undefined) return { kind: 'rejected', status: 400, message: `the query parameter s must be at most ${MAX_SCOPE_LENGTH} characters`, html };
	if (!req.secret) return { kind: 'misconfigured', message: 'the credential has no Signing Secret: unsubscribe links are signed with it' };
	if (req.secret.length < MIN_UNSUBSCRIBE_SECRET_LENGTH)
		return { kind: 'misconfigured', message: `the credential's Signing Secret is shorter than ${MIN_UNSUBSCRIBE_SECRET_LENGTH} characters: every recipient holds a signed link, so a short secret can be guessed offline and links forged for any address; use a long random text` };
	if (!verifyUnsubscribeToken(req.secret, email, scope, t)) {
		return { kind: 'rejected', status: 403, message: t === undefined ? 'the link has no token (t)' : 'the unsubscribe token does not match the address', html };
	}
	if (html) return { kind: 'page', html: confirmPage(email, t!, scope) };
	const how = postIntent(req.rawBody, req.contentType, req.fields);
	if (!how) return { kind: 'rejected', status: 400, message: 'the body must be List-Unsubscribe=One-Click (RFC 8058)', html: false };
	return { kind: 'events', events: [unsubscribedEvent(email, scope, how, req.receivedAt)] };
}

/**
 * The canonical `Unsubscribed` event of a verified request; `how` says which POST it was. Its
 * messageId is the address, scope and the request's time: every POST records (a second click or
 * an inbox's retry records the same unsubscribe again, which changes nothing), so an address that
 * resubscribed and unsubscribes again through the same link is unsubscribed again (with an id of
 * the address and scope alone, Customer Profile kept the first one for its whole retention and
 * answered `duplicate`, leaving the address subscribed after "You are unsubscribed.").
 */
export function unsubscribedEvent(email: string, scope: string, how: 'one_click' | 'confirm_page', receivedAt: Date): CanonicalEvent {
	const at = isoOf(receivedAt);
	const properties: Record<string, unknown> = {};
	if (scope) properties.scope = scope;
	properties.how = how;
	return {
		type: 'track',
		event: 'Unsubscribed',
		messageId: `unsubscribe-${contentId('unsubscribe', email, scope, at)}`,
		timestamp: at,
		receivedAt: at,
		userId: null,
		anonymousId: null,
		email,
		properties,
		context: { source: 'unsubscribe', topic: how },
	};
}
