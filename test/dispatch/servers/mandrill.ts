/**
 * A local Mailchimp Transactional (Mandrill)-compatible API for /messages/send and
 * /messages/send-template that enforces the documented request rules and answers with the
 * documented bodies.
 *
 *  - The API key is the `key` field of the JSON body; a wrong or missing key answers HTTP 500
 *    {"status":"error","code":-1,"name":"Invalid_Key","message":"Invalid API key"}.
 *    https://mailchimp.com/developer/transactional/docs/fundamentals/#authentication and the
 *    error schema of https://mailchimp.com/developer/transactional/api/messages/send-new-message/
 *  - `message` with `to` (array of {email, name, type}) is required; /messages/send needs html
 *    or text, /messages/send-template needs `template_name` and `template_content` (an array,
 *    possibly empty); malformed → 500 ValidationError (code -2).
 *    https://mailchimp.com/developer/transactional/api/messages/send-using-message-template/
 *  - The answer is one entry per recipient {email, status, reject_reason, _id}: status sent,
 *    queued, scheduled, rejected (reject_reason hard-bounce, soft-bounce, spam, unsub, custom,
 *    invalid-sender, invalid, test-mode-limit, unsigned, rule) or invalid. Same page, "Responses".
 *  - A message from a domain in `unsignedDomains` (not verified, no SPF/DKIM) is rejected for every
 *    recipient with reject_reason `unsigned`: "Mandrill will not send any email from unverified
 *    domains" (https://mandrill.zendesk.com/hc/en-us/articles/205582957-What-is-a-rejected-email-Rejection-Blacklist-).
 *  - merge tags: mailchimp language `*|NAME|*` (case-insensitive) and handlebars `{{name}}`,
 *    from the recipient's merge_vars, falling back to global_merge_vars.
 *    https://mandrill.zendesk.com/hc/en-us/articles/360038786414-How-to-Use-Merge-Tags-to-Add-Dynamic-Content
 *  - With preserve_recipients false each recipient gets an individual email.
 *  - Rate limiting: 429 (the body Mandrill sends then is not documented: plain text here);
 *    server failures: 500 GeneralError.
 */
import { randomBytes } from 'node:crypto';
import { startProviderServer, type ProviderServer, type Reply } from './provider-server';

export const MANDRILL_TEST_KEY = 'md-testkey_0123456789abcdef';

export interface MandrillDelivered {
	id: string;
	email: string;
	subject?: string;
	html?: string;
	text?: string;
	template?: string;
	vars: Record<string, unknown>;
	metadata: Record<string, unknown>;
	headers: Record<string, string>;
	tags: string[];
}

export interface MandrillServer extends ProviderServer {
	delivered: MandrillDelivered[];
	/** Addresses on the account's rejection list, with the reason Mandrill gives. */
	rejects: Map<string, string>;
	/** Sending domains not verified on the account: their messages are rejected `unsigned`. */
	unsignedDomains: Set<string>;
}

const mandrillError = (code: number, name: string, message: string, status = 500): Reply => ({
	status,
	body: JSON.stringify({ status: 'error', code, name, message }),
});

export function mandrillFault(status: number): Reply {
	if (status === 429) return { status, headers: { 'content-type': 'text/plain' }, body: 'Too Many Requests' };
	return mandrillError(-1, 'GeneralError', 'An unexpected error occurred processing the request.', status);
}

function merge(text: string | undefined, vars: Record<string, unknown>, language: string): string | undefined {
	if (text === undefined) return undefined;
	const lookup = (name: string) => {
		const key = Object.keys(vars).find((k) => k.toLowerCase() === name.toLowerCase());
		const value = key === undefined ? '' : vars[key];
		return typeof value === 'string' ? value : JSON.stringify(value);
	};
	if (language === 'handlebars') return text.replace(/\{\{\{?\s*([A-Za-z0-9_]+)\s*\}?\}\}/g, (_m, n: string) => lookup(n));
	return text.replace(/\*\|([A-Za-z0-9_]+)\|\*/g, (_m, n: string) => lookup(n));
}

export async function startMandrillServer(apiKey = MANDRILL_TEST_KEY): Promise<MandrillServer> {
	const delivered: MandrillDelivered[] = [];
	const rejects = new Map<string, string>();
	const unsignedDomains = new Set<string>();
	const server = await startProviderServer((request) => {
		const path = request.path.split('?')[0].replace(/\.json$/, '');
		const template = path.endsWith('/messages/send-template');
		if (request.method === 'POST' && path.endsWith('/users/ping')) {
			// https://mailchimp.com/developer/transactional/api/users/ping/ : "PONG!" for a valid key.
			const key = (JSON.parse(request.body || '{}') as { key?: string }).key;
			return key === apiKey ? { status: 200, body: '"PONG!"' } : mandrillError(-1, 'Invalid_Key', 'Invalid API key');
		}
		if (request.method !== 'POST' || !(template || path.endsWith('/messages/send'))) {
			return mandrillError(-1, 'GeneralError', 'Unknown method', 404);
		}
		let body: Record<string, unknown>;
		try {
			body = JSON.parse(request.body) as Record<string, unknown>;
		} catch {
			return mandrillError(-2, 'ValidationError', 'You must specify a key value');
		}
		if (body.key !== apiKey) return mandrillError(-1, 'Invalid_Key', 'Invalid API key');
		const message = body.message as Record<string, unknown> | undefined;
		if (!message || typeof message !== 'object') return mandrillError(-2, 'ValidationError', 'Validation error: {"message":"Please enter an array"}');
		const to = message.to as Array<Record<string, unknown>> | undefined;
		if (!Array.isArray(to) || to.length === 0) return mandrillError(-2, 'ValidationError', 'Validation error: {"message":{"to":"Please enter an array"}}');
		if (template) {
			if (typeof body.template_name !== 'string' || !body.template_name) {
				return mandrillError(-2, 'ValidationError', 'Validation error: {"template_name":"Sorry, this field can\'t be left blank."}');
			}
			if (!Array.isArray(body.template_content)) {
				return mandrillError(-2, 'ValidationError', 'Validation error: {"template_content":"Please enter an array"}');
			}
		} else if (typeof message.html !== 'string' && typeof message.text !== 'string') {
			return mandrillError(-2, 'ValidationError', 'Validation error: {"message":{"html":"html or text is required"}}');
		}
		const language = String(message.merge_language ?? 'mailchimp');
		const globals = Object.fromEntries(((message.global_merge_vars as Array<{ name: string; content: unknown }>) ?? []).map((v) => [v.name, v.content]));
		const perRcpt = new Map(
			((message.merge_vars as Array<{ rcpt: string; vars: Array<{ name: string; content: unknown }> }>) ?? []).map((r) => [
				r.rcpt.toLowerCase(),
				Object.fromEntries(r.vars.map((v) => [v.name, v.content])),
			]),
		);
		const recipientMetadata = new Map(
			((message.recipient_metadata as Array<{ rcpt: string; values: Record<string, unknown> }>) ?? []).map((r) => [r.rcpt.toLowerCase(), r.values]),
		);
		const answer = to.map((recipient) => {
			const email = String(recipient.email ?? '');
			const id = randomBytes(16).toString('hex');
			if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return { email, status: 'invalid', _id: id, reject_reason: null };
			const rejected = unsignedDomains.has(String(message.from_email ?? '').split('@').pop()!.toLowerCase()) ? 'unsigned' : rejects.get(email.toLowerCase());
			if (rejected) return { email, status: 'rejected', _id: id, reject_reason: rejected };
			const vars = { ...globals, ...(perRcpt.get(email.toLowerCase()) ?? {}) };
			const doMerge = message.merge !== false;
			const m = (text: unknown) => (typeof text === 'string' ? (doMerge ? merge(text, vars, language) : text) : undefined);
			delivered.push({
				id,
				email,
				subject: m(message.subject),
				html: m(message.html),
				text: m(message.text),
				template: template ? String(body.template_name) : undefined,
				vars,
				metadata: { ...((message.metadata as Record<string, unknown>) ?? {}), ...(recipientMetadata.get(email.toLowerCase()) ?? {}) },
				headers: (message.headers as Record<string, string>) ?? {},
				tags: (message.tags as string[]) ?? [],
			});
			return { email, status: 'sent', _id: id, reject_reason: null };
		});
		return { status: 200, body: JSON.stringify(answer) };
	}, mandrillFault);
	return Object.assign(server, { delivered, rejects, unsignedDomains });
}

/** Adds the key to the JSON body, as the credential does. */
export function withMandrillKey(body: string, key = MANDRILL_TEST_KEY): string {
	return JSON.stringify({ key, ...(JSON.parse(body) as Record<string, unknown>) });
}
