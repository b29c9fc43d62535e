/**
 * A Postmark compatible server: POST /email/batch and POST /email/batchWithTemplates.
 *
 * Rules enforced, from Postmark's documentation:
 *  - https://postmarkapp.com/developer/user-guide/send-email-with-api/batch-emails
 *    up to 500 messages per call and 50 MB payload; the batch endpoint answers 200 even when
 *    individual messages fail: one result per message, in order.
 *  - https://postmarkapp.com/developer/api/email-api#send-batch-emails and
 *    https://postmarkapp.com/developer/api/templates-api#send-batch-with-templates
 *    `X-Postmark-Server-Token`, `Content-Type: application/json`; From, To, Subject and a body
 *    (or TemplateId/TemplateAlias + TemplateModel).
 *  - https://postmarkapp.com/developer/api/overview#error-codes
 *    10 Bad or missing API token (HTTP 401), 300 Invalid email request, 402 Invalid JSON,
 *    406 Inactive recipient, 410 Too many batch messages, 429 Rate limit exceeded (HTTP 429);
 *    400 Sender signature not found and 401 Sender signature not confirmed (`senderSignatures`:
 *    a From address outside it, when set, or in `unconfirmed`), 405 Not allowed to send ("You ran
 *    out of credits": `account.outOfCredits`), each a message's result in the batch answer, worded
 *    as the page describes the code.
 *  - https://postmarkapp.com/support/article/1180-what-does-errorcode-300-mean
 *    "Provide either email TextBody or HtmlBody or both"; at most 50 recipients per message.
 *  - Rate limit: HTTP 429 (API overview, "HTTP response codes": https://postmarkapp.com/developer/api/overview);
 *    Postmark documents no Retry-After nor any rate-limit header (nor a body for it), so the injected
 *    429 carries none.
 *  - https://postmarkapp.com/support/article/1125-custom-metadata-faq
 *    Metadata: at most 10 fields, field names up to 20 characters, values up to 80.
 */
import { ProviderServer, type ProviderServerOptions, type Reply, type RouteContext } from './base';

export const POSTMARK_TOKEN = 'pm-server-token-00000000-1111-2222-3333-444444444444';
const MAX_BYTES = 50 * 1000 * 1000;

type Json = Record<string, any>;

/** Addresses the fake Postmark server treats as inactive (hard bounce / spam complaint). */
export const inactiveRecipients = new Set<string>();

/**
 * The fake account's state: `outOfCredits` refuses every message with ErrorCode 405; `senderSignatures`
 * (when set) lists the From addresses with a sender signature, and `unconfirmed` those not confirmed yet.
 */
export const account: { outOfCredits: boolean; senderSignatures?: Set<string>; unconfirmed: Set<string> } = { outOfCredits: false, unconfirmed: new Set() };

function email(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const m = /<([^>]+)>\s*$/.exec(value);
	const address = (m ? m[1] : value).trim();
	return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address) ? address : undefined;
}

function check(m: Json, templated: boolean): { code: number; message: string } | undefined {
	const from = email(m.From)?.toLowerCase();
	if (!from) return { code: 300, message: "Error parsing 'From': Illegal email address" };
	if (account.outOfCredits) return { code: 405, message: 'Not allowed to send: you ran out of credits.' };
	if (account.senderSignatures && !account.senderSignatures.has(from)) return { code: 400, message: "Sender signature not found: you're trying to send email with a From address that doesn't have a sender signature." };
	if (account.unconfirmed.has(from)) return { code: 401, message: "Sender signature not confirmed: you're trying to send email with a From address that doesn't have a confirmed sender signature." };
	const to = typeof m.To === 'string' ? m.To.split(',').map((s: string) => s.trim()) : [];
	if (to.length === 0 || to.some((t: string) => !email(t))) return { code: 300, message: "Error parsing 'To': Illegal email address" };
	if (to.length > 50) return { code: 300, message: 'Maximum of 50 recipients allowed per email message' };
	if (templated) {
		if (m.TemplateId === undefined && !m.TemplateAlias) return { code: 1101, message: 'The TemplateId or TemplateAlias must be specified.' };
	} else {
		if (!m.Subject) return { code: 300, message: 'Invalid email request: Subject is required' };
		if (!m.HtmlBody && !m.TextBody) return { code: 300, message: 'Provide either email TextBody or HtmlBody or both.' };
	}
	if (m.Metadata) {
		const entries = Object.entries(m.Metadata as Json);
		if (entries.length > 10 || entries.some(([k, v]) => k.length > 20 || String(v).length > 80)) return { code: 300, message: 'Invalid metadata' };
	}
	if (m.Headers && (!Array.isArray(m.Headers) || m.Headers.some((h: Json) => typeof h.Name !== 'string' || typeof h.Value !== 'string'))) {
		return { code: 300, message: 'Invalid Headers' };
	}
	const inactive = to.map((t: string) => email(t)!.toLowerCase()).filter((t: string) => inactiveRecipients.has(t));
	if (inactive.length) {
		return { code: 406, message: `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${inactive.join(', ')}. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.` };
	}
	return undefined;
}

function batch(templated: boolean) {
	return (ctx: RouteContext): Reply => {
		if (!String(ctx.headers['content-type'] ?? '').includes('application/json')) return { status: 415, body: { ErrorCode: 409, Message: 'JSON required' } };
		const messages = templated ? (ctx.json as Json | undefined)?.Messages : ctx.json;
		if (!Array.isArray(messages)) return { status: 422, body: { ErrorCode: 403, Message: 'Incompatible JSON' } };
		if (messages.length > 500) return { status: 422, body: { ErrorCode: 410, Message: 'Too many batch messages' } };
		const at = new Date().toISOString();
		return {
			status: 200,
			body: messages.map((m: Json) => {
				const problem = check(m, templated);
				if (problem) return { ErrorCode: problem.code, Message: problem.message };
				const to = email(m.To)!;
				const id = ctx.accept(to, m);
				return { To: m.To, SubmittedAt: at, MessageID: id, ErrorCode: 0, Message: 'OK' };
			}),
		};
	};
}

export function postmarkServer(overrides: Partial<ProviderServerOptions> = {}): ProviderServer {
	return new ProviderServer({
		name: 'postmark',
		// The overview documents the status alone: no header, and no body wording for it.
		tooManyRequests: () => ({ status: 429 }),
		routes: {
			'POST /email/batch': batch(false),
			'POST /email/batchWithTemplates': batch(true),
			'GET /server': () => ({ status: 200, body: { ID: 1, Name: 'Test server' } }),
		},
		authorized: (req) => req.headers['x-postmark-server-token'] === POSTMARK_TOKEN,
		unauthorized: () => ({ status: 401, body: { ErrorCode: 10, Message: 'The Server Token you provided in the X-Postmark-Server-Token request header was invalid. Please verify that you are using a valid token.' } }),
		maxBodyBytes: MAX_BYTES,
		tooLarge: () => ({ status: 413, body: { ErrorCode: 300, Message: 'Request entity too large' } }),
		badJson: () => ({ status: 422, body: { ErrorCode: 402, Message: 'Received invalid JSON input.' } }),
		...overrides,
	});
}
