/**
 * A SendGrid v3 Mail Send compatible server (POST /v3/mail/send).
 *
 * Rules enforced, from SendGrid's documentation:
 *  - https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send
 *    `Authorization: Bearer <API key>`; `personalizations` (1..1000, each with `to`), `from.email`,
 *    `subject` (top level or in every personalization) and `content` unless `template_id`;
 *    total message size under 30 MB; answer 202 Accepted with an empty body and X-Message-Id.
 *  - https://www.twilio.com/docs/sendgrid/api-reference/mail-send/errors
 *    400 `{ "errors": [{ "message", "field", "help" }] }`: at most 1000 personalizations and 1000
 *    recipients per request; each email address only once across the personalizations;
 *    text/plain content first; substitutions at most 10,000 bytes per personalization;
 *    at most 10 categories; custom_args values must be strings.
 *  - https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send (`custom_args`):
 *    "Total custom_args size may not exceed 10,000 bytes", checked here on the custom_args a
 *    personalization ends up with (the message's merged with its own) as JSON, in UTF-8 bytes.
 *  - https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/authentication
 *    401 `{"errors":[{"field":null,"message":"The provided authorization grant is invalid, expired, or revoked","help":null}]}`
 *  - https://www.twilio.com/docs/sendgrid/for-developers/sending-email/sandbox-mode
 *    `mail_settings.sandbox_mode.enable` must be a boolean; a valid sandbox request is answered
 *    200 OK (not 202) and nothing is delivered.
 *  - https://www.twilio.com/docs/api/errors/60222 and
 *    https://www.twilio.com/docs/sendgrid/for-developers/sending-email/sender-identity
 *    a from address that is not a verified Sender Identity (a verified single sender, or an
 *    address of an authenticated domain) is refused with HTTP 403 and
 *    `{"errors":[{"message":"The from address does not match a verified Sender Identity. …","field":"from","help":null}]}`
 *    (only when the server is given `verifiedSenders`; otherwise every sender counts as verified).
 *  - https://support.sendgrid.com/hc/en-us/articles/18322114821403-4XX-API-Errors-and-Troubleshooting-Suggestions
 *    a plan whose email credits are used up: 401 "Maximum credits exceeded", body
 *    `{"errors":[{"message":"Maximum credits exceeded","field":null,"help":null}]}` (as the SDK shows it:
 *    https://github.com/sendgrid/sendgrid-nodejs/issues/1032), here once a request would take more
 *    than the `credits` left (one per recipient; only when the server is given `account.credits`).
 *  - A key without the Mail Send permission (SENDGRID_KEY_WITHOUT_MAIL_SEND here) is authenticated
 *    but POST /v3/mail/send answers 403 `{"errors":[{"field":null,"message":"access forbidden"}]}`
 *    (the body as SendGrid answers it: https://github.com/sendgrid/sendgrid-php/issues/263); its
 *    GET /v3/scopes lists no mail.send.
 *  - https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/rate-limits
 *    429 with X-RateLimit-Limit / X-RateLimit-Remaining / X-RateLimit-Reset (the Unix time, in
 *    seconds, the rate-limit period ends) and `{"errors":[{"field":null,"message":"too many requests"}]}`;
 *    no Retry-After. The injected 429 says the period ends at the next whole second
 *    (sendgridTooManyRequests: one second ahead of now rounded down), so retries wait at most
 *    about a second.
 *
 * Accepted messages are recorded after substitutions are applied, i.e. as the recipient would
 * receive them.
 */
import { ProviderServer, type ProviderServerOptions, type Reply, type RouteContext } from './base';

export const SENDGRID_KEY = 'SG.test-key.0123456789abcdefghijklmnopqrstuvwxyz';
const MAX_BYTES = 30 * 1024 * 1024;

type Json = Record<string, any>;

const error = (message: string, field: string | null = null): Reply => ({ status: 400, body: { errors: [{ message, field, help: null }] } });

export interface DeliveredSendGrid {
	to: string;
	from: string;
	subject: string;
	html?: string;
	text?: string;
	headers: Record<string, string>;
	customArgs: Record<string, string>;
	templateId?: string;
	templateData?: Json;
	categories?: string[];
}

function substitute(value: string, subs: Record<string, string>): string {
	let out = value;
	for (const [tag, replacement] of Object.entries(subs)) out = out.split(tag).join(replacement);
	return out;
}

/** An authenticated key whose permissions do not include Mail Send. */
export const SENDGRID_KEY_WITHOUT_MAIL_SEND = 'SG.test-key-without-mail-send';
const withoutMailSend = (ctx: RouteContext) => ctx.headers.authorization === `Bearer ${SENDGRID_KEY_WITHOUT_MAIL_SEND}`;

export const SENDER_IDENTITY_MESSAGE = 'The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/sender-identity/ to see the Sender Identity requirements';

/** Verified single senders (addresses) and authenticated domains; undefined: every sender is verified. */
export type VerifiedSenders = Set<string> | undefined;

function verified(senders: VerifiedSenders, email: string): boolean {
	if (!senders) return true;
	const address = email.toLowerCase();
	return senders.has(address) || senders.has(address.slice(address.lastIndexOf('@') + 1));
}

/** The plan's email credits left (one per recipient); undefined: unlimited. */
export interface SendGridAccount {
	credits?: number;
}

export function mailSend(ctx: RouteContext, senders?: VerifiedSenders, account?: SendGridAccount): Reply {
	const body = ctx.json as Json | undefined;
	if (!body || typeof body !== 'object') return error('Bad Request', null);
	const ps = body.personalizations;
	if (!Array.isArray(ps) || ps.length === 0) return error('The personalizations field is required and must have at least one personalization.', 'personalizations');
	if (ps.length > 1000) return error(`The personalization block is limited to 1000 personalizations per API request. You have provided ${ps.length} personalizations. Please consider splitting this into multiple requests and resending your request.`, 'personalizations');
	if (!body.from || typeof body.from.email !== 'string' || !body.from.email.includes('@')) {
		return error('The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.', 'from');
	}
	const template = typeof body.template_id === 'string' ? body.template_id : undefined;
	const content = Array.isArray(body.content) ? body.content : undefined;
	if (!template) {
		if (!content || content.length === 0) return error('Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.', 'content');
		for (const c of content) if (typeof c.value !== 'string' || c.value.length === 0) return error('The content value must be a string at least one character in length.', 'content.0.value');
		const types = content.map((c: Json) => c.type);
		if (types.includes('text/plain') && types[0] !== 'text/plain') return error('If present, text/plain must be first, followed by text/html, followed by any other content.', 'content');
	}
	if (Array.isArray(body.categories) && body.categories.length > 10) return error('You cannot have more than 10 categories per request.', 'categories');
	let recipients = 0;
	const seen = new Set<string>();
	for (let i = 0; i < ps.length; i++) {
		const p = ps[i];
		if (!Array.isArray(p.to) || p.to.length === 0) return error('The to array is required for all personalization objects, and must have at least one email object with a valid email address.', `personalizations.${i}.to`);
		for (const r of p.to) {
			if (typeof r.email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(r.email)) return error('Does not contain a valid address.', `personalizations.${i}.to.0.email`);
			const key = r.email.toLowerCase();
			if (seen.has(key)) return error('Each unique email address in the personalizations array should only be included once. You have included email address more than once.', `personalizations.${i}.to`);
			seen.add(key);
			recipients++;
		}
		if (!template && !p.subject && !body.subject) {
			return error('The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.', 'subject');
		}
		if (p.substitutions && Buffer.byteLength(JSON.stringify(p.substitutions)) > 10000) {
			return error('The total collective size of your substitutions may not exceed 10,000 bytes per personalization object.', `personalizations.${i}.substitutions`);
		}
		if (p.custom_args) for (const v of Object.values(p.custom_args)) if (typeof v !== 'string') return error('Custom args values must be strings.', `personalizations.${i}.custom_args`);
		if (Buffer.byteLength(JSON.stringify({ ...(body.custom_args ?? {}), ...(p.custom_args ?? {}) })) > 10000) {
			return error('Total custom_args size may not exceed 10,000 bytes.', `personalizations.${i}.custom_args`);
		}
	}
	if (recipients > 1000) return error('There is a limit of 1000 total recipients (to + cc + bcc) per request.', 'personalizations');
	if (!verified(senders, body.from.email)) return { status: 403, body: { errors: [{ message: SENDER_IDENTITY_MESSAGE, field: 'from', help: null }] } };
	const sandbox = body.mail_settings?.sandbox_mode;
	if (sandbox !== undefined) {
		if (typeof sandbox.enable !== 'boolean') return error('The sandbox mode enable param should be a boolean value.', 'mail_settings.sandbox_mode.enable');
		if (sandbox.enable) return { status: 200, body: '' }; // validated, nothing delivered
	}
	if (account?.credits !== undefined) {
		if (recipients > account.credits) return { status: 401, body: { errors: [{ message: 'Maximum credits exceeded', field: null, help: null }] } };
		account.credits -= recipients;
	}
	// Valid: every recipient of every personalization is accepted.
	// X-Message-Id identifies the request; SendGrid's per-recipient sg_message_id starts with it.
	const requestId = ctx.newId();
	const html = content?.find((c: Json) => c.type === 'text/html')?.value as string | undefined;
	const text = content?.find((c: Json) => c.type === 'text/plain')?.value as string | undefined;
	for (const p of ps) {
		const subs = (p.substitutions ?? {}) as Record<string, string>;
		for (const r of p.to) {
			const delivered: DeliveredSendGrid = {
				to: r.email,
				from: body.from.email,
				subject: substitute(p.subject ?? body.subject ?? '', subs),
				html: html === undefined ? undefined : substitute(html, subs),
				text: text === undefined ? undefined : substitute(text, subs),
				headers: { ...(body.headers ?? {}), ...(p.headers ?? {}) },
				customArgs: { ...(body.custom_args ?? {}), ...(p.custom_args ?? {}) },
				templateId: template,
				templateData: p.dynamic_template_data,
				categories: body.categories,
			};
			ctx.accept(r.email, delivered, requestId);
		}
	}
	return { status: 202, headers: { 'X-Message-Id': requestId }, body: '' };
}

/** SendGrid's 429 (rate-limits page above): the period ends `ahead` whole seconds after the current one. */
export function sendgridTooManyRequests(ahead = 1): Reply {
	return {
		status: 429,
		headers: { 'X-RateLimit-Limit': '600', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + ahead) },
		body: { errors: [{ field: null, message: 'too many requests' }] },
	};
}

export function sendgridServer(overrides: Partial<ProviderServerOptions> = {}, verifiedSenders?: VerifiedSenders, account?: SendGridAccount): ProviderServer {
	return new ProviderServer({
		tooManyRequests: () => sendgridTooManyRequests(),
		name: 'sendgrid',
		routes: {
			'POST /v3/mail/send': (ctx) => (withoutMailSend(ctx) ? { status: 403, body: { errors: [{ field: null, message: 'access forbidden' }] } } : mailSend(ctx, verifiedSenders, account)),
			'GET /v3/scopes': (ctx) => ({ status: 200, body: { scopes: withoutMailSend(ctx) ? ['user.profile.read'] : ['mail.send'] } }),
		},
		authorized: (req) => req.headers.authorization === `Bearer ${SENDGRID_KEY}` || req.headers.authorization === `Bearer ${SENDGRID_KEY_WITHOUT_MAIL_SEND}`,
		unauthorized: () => ({ status: 401, body: { errors: [{ field: null, message: 'The provided authorization grant is invalid, expired, or revoked', help: null }] } }),
		maxBodyBytes: MAX_BYTES,
		tooLarge: () => ({ status: 413, body: { errors: [{ field: null, message: 'The JSON payload you have included in your request is too large.', help: null }] } }),
		badJson: () => error('Bad Request', null),
		...overrides,
	});
}
