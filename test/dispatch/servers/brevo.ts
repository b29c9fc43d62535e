/**
 * A local Brevo-compatible POST /v3/smtp/email that enforces the documented request rules
 * and answers with Brevo's documented bodies.
 *
 *  - Auth: `api-key` header; missing or wrong → 401 {"code":"unauthorized","message":"Key not found"}.
 *    https://developers.brevo.com/docs/authentication-schemes
 *  - `sender` is required unless a templateId is given; `to` is required unless messageVersions
 *    are; `subject` and `htmlContent` or `textContent` are required unless a templateId is given;
 *    else 400 {"code":"missing_parameter","message":…}.
 *    https://developers.brevo.com/reference/sendtransacemail
 *  - messageVersions: at most 1,000 per call (batch guide), at most 99 recipients per version and
 *    2,000 per call, each version's params ≤ 100 KB and all params ≤ 1,000 KB (API reference,
 *    "messageVersions"); htmlContent/textContent may be overridden per version only when the
 *    call has one of them. https://developers.brevo.com/docs/batch-send-transactional-emails
 *  - messageVersions[].headers are merged over the call's headers (per-recipient
 *    List-Unsubscribe and X-Mailin-custom), as django-anymail's Brevo backend relies on
 *    (https://github.com/anymail/django-anymail/blob/main/anymail/backends/brevo.py).
 *  - headers.idempotencyKey must be a UUID; a repeated key within 30 minutes is not processed
 *    again: it is answered 400 duplicate_parameter.
 *    https://developers.brevo.com/docs/heterogenous-versions-batch-emails
 *  - Every recipient address (`to`, or each version's `to`) must be a valid address, else the whole
 *    call is refused and nothing of it is sent: 400 {"code":"invalid_parameter","message":"email is
 *    not valid in to"}, which does not say which version (Brevo's answer, as quoted in
 *    https://github.com/getbrevo/brevo-node/issues/40; error shape:
 *    https://developers.brevo.com/docs/how-it-works).
 *  - Success: 201 {"messageId": "<…>"} or, with messageVersions, {"messageIds": ["<…>", …]}.
 *  - Rate limit: 429 with x-sib-ratelimit-limit/-remaining/-reset headers.
 *    https://developers.brevo.com/docs/limit-headers
 */
import { startProviderServer, nextId, type ProviderServer, type Reply } from './provider-server';

export const BREVO_TEST_KEY = 'xkeysib-0123456789abcdef-TEST';

export interface BrevoDelivered {
	messageId: string;
	to: string;
	subject?: string;
	html?: string;
	text?: string;
	templateId?: unknown;
	params?: Record<string, unknown>;
	headers: Record<string, string>;
	tags: string[];
}

export interface BrevoServer extends ProviderServer {
	delivered: BrevoDelivered[];
}

const err = (status: number, code: string, message: string, headers: Record<string, string> = {}): Reply => ({
	status,
	headers,
	body: JSON.stringify({ code, message }),
});

export function brevoFault(status: number): Reply {
	if (status === 429) return err(429, 'too_many_requests', 'Too many requests', { 'x-sib-ratelimit-limit': '100', 'x-sib-ratelimit-remaining': '0', 'x-sib-ratelimit-reset': '5' });
	if (status >= 500) return err(status, 'internal_error', 'Internal server error');
	return err(status, 'bad_request', 'Bad request');
}

const ADDRESS = /^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/;
const invalidAddress = (to: unknown) => (to as Array<{ email?: unknown }>).some((r) => typeof r?.email !== 'string' || !ADDRESS.test(r.email));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function startBrevoServer(apiKey = BREVO_TEST_KEY): Promise<BrevoServer> {
	const delivered: BrevoDelivered[] = [];
	const seen = new Map<string, Reply>();
	const server = await startProviderServer((request) => {
		if (request.method !== 'POST' || request.path.split('?')[0] !== '/v3/smtp/email') return err(404, 'not_found', 'Not found');
		if (request.headers['api-key'] !== apiKey) return err(401, 'unauthorized', 'Key not found');
		let body: Record<string, unknown>;
		try {
			body = JSON.parse(request.body) as Record<string, unknown>;
		} catch {
			return err(400, 'bad_request', 'Invalid JSON');
		}
		const headers = (body.headers as Record<string, string>) ?? {};
		const key = headers.idempotencyKey;
		if (key !== undefined) {
			if (!UUID.test(key)) return err(400, 'invalid_parameter', 'idempotencyKey must be a valid UUID');
			// Brevo: a key reused within its 30-minute TTL is answered with a duplicate_parameter error
			// and the request is not processed (https://developers.brevo.com/docs/heterogenous-versions-batch-emails).
			if (seen.has(key)) return err(400, 'duplicate_parameter', 'A request with this idempotencyKey was already received');
		}
		const template = body.templateId !== undefined;
		if (!template && !body.sender) return err(400, 'missing_parameter', 'sender is missing');
		if (!template && typeof body.subject !== 'string') return err(400, 'missing_parameter', 'subject is missing');
		const hasContent = typeof body.htmlContent === 'string' || typeof body.textContent === 'string';
		if (!template && !hasContent) return err(400, 'missing_parameter', 'htmlContent or textContent is missing');
		const versions = body.messageVersions as Array<Record<string, unknown>> | undefined;
		if (versions !== undefined) {
			if (!Array.isArray(versions) || versions.length === 0) return err(400, 'invalid_parameter', 'messageVersions must be a non-empty array');
			if (versions.length > 1000) return err(400, 'invalid_parameter', 'messageVersions: at most 1000 versions per request');
			let recipients = 0;
			let params = 0;
			for (const v of versions) {
				const to = v.to as unknown[];
				if (!Array.isArray(to) || to.length === 0) return err(400, 'missing_parameter', 'messageVersions.to is missing');
				if (to.length > 99) return err(400, 'invalid_parameter', 'messageVersions.to: at most 99 recipients per version');
				if (invalidAddress(to)) return err(400, 'invalid_parameter', 'email is not valid in to');
				recipients += to.length;
				const size = v.params === undefined ? 0 : Buffer.byteLength(JSON.stringify(v.params));
				if (size > 100 * 1024) return err(400, 'invalid_parameter', 'messageVersions.params exceeds 100 KB');
				params += size;
				if ((v.htmlContent !== undefined || v.textContent !== undefined) && !hasContent) {
					return err(400, 'invalid_parameter', 'htmlContent/textContent can be customized only if present in the global parameters');
				}
			}
			if (recipients > 2000) return err(400, 'invalid_parameter', 'at most 2000 recipients per request');
			if (params > 1000 * 1024) return err(400, 'invalid_parameter', 'cumulative params exceed 1000 KB');
		} else if (!Array.isArray(body.to) || body.to.length === 0) {
			return err(400, 'missing_parameter', 'to is missing');
		} else if (invalidAddress(body.to)) {
			return err(400, 'invalid_parameter', 'email is not valid in to');
		}
		const accept = (version: Record<string, unknown>) => {
			const id = `<${nextId()}@smtp-relay.mailin.fr>`;
			for (const recipient of version.to as Array<{ email: string }>) {
				delivered.push({
					messageId: id,
					to: recipient.email,
					subject: (version.subject ?? body.subject) as string | undefined,
					html: (version.htmlContent ?? body.htmlContent) as string | undefined,
					text: (version.textContent ?? body.textContent) as string | undefined,
					templateId: body.templateId,
					params: (version.params ?? body.params) as Record<string, unknown> | undefined,
					// A version's headers are merged over the call's.
					headers: { ...headers, ...((version.headers as Record<string, string>) ?? {}) },
					tags: (body.tags as string[]) ?? [],
				});
			}
			return id;
		};
		const reply: Reply = versions
			? { status: 201, body: JSON.stringify({ messageIds: versions.map(accept) }) }
			: { status: 201, body: JSON.stringify({ messageId: accept({ to: body.to }) }) };
		if (key !== undefined) seen.set(key, reply);
		return reply;
	}, brevoFault);
	return Object.assign(server, { delivered });
}
