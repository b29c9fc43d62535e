/**
 * Lean Resend-, Brevo- and Mandrill-compatible routes on the shared fault-injecting server
 * (base.ts), for fault injection and the benchmark: the documented success answers, the
 * providers' idempotency replay (Resend Idempotency-Key header, Brevo headers.idempotencyKey)
 * and auth. The full documented request rules are checked by resend.ts, brevo.ts and
 * mandrill.ts in this folder.
 *   https://resend.com/docs/api-reference/emails/send-batch-emails
 *   https://developers.brevo.com/reference/sendtransacemail
 *   https://mailchimp.com/developer/transactional/api/messages/send-new-message/
 */
import { ProviderServer, type ProviderServerOptions, type Reply, type RouteContext } from './base';

export const LEAN_RESEND_KEY = 're_fault_key';
export const LEAN_BREVO_KEY = 'xkeysib-fault';
export const LEAN_MANDRILL_KEY = 'md-fault';

const bare = (address: string) => (/<([^>]+)>\s*$/.exec(address)?.[1] ?? address).toLowerCase();

export function resendServer(overrides: Partial<ProviderServerOptions> = {}): ProviderServer {
	const replies = new Map<string, Reply>();
	const send = (batch: boolean) => (ctx: RouteContext): Reply => {
		const key = ctx.headers['idempotency-key'] as string | undefined;
		const seen = key ? replies.get(key) : undefined;
		if (seen) return seen;
		const emails = (batch ? ctx.json : [ctx.json]) as Array<{ to: string[] }>;
		if (!Array.isArray(emails) || emails.length > 100) return { status: 422, body: { statusCode: 422, name: 'validation_error', message: 'at most 100 emails' } };
		const ids = emails.map((e) => ({ id: ctx.accept(bare(e.to[0]), undefined) }));
		const reply: Reply = { status: 200, body: batch ? { data: ids } : ids[0] };
		if (key) replies.set(key, reply);
		return reply;
	};
	return new ProviderServer({
		name: 'resend',
		routes: { 'POST /emails': send(false), 'POST /emails/batch': send(true) },
		authorized: (req) => req.headers.authorization === `Bearer ${LEAN_RESEND_KEY}`,
		unauthorized: () => ({ status: 403, body: { statusCode: 403, name: 'invalid_api_key', message: 'API key is invalid' } }),
		maxBodyBytes: 40 * 1024 * 1024,
		tooLarge: () => ({ status: 413, body: { statusCode: 413, name: 'validation_error', message: 'too large' } }),
		badJson: () => ({ status: 400, body: { statusCode: 400, name: 'validation_error', message: 'Invalid JSON' } }),
		seed: 23,
		retryAfterSeconds: 0.01,
		holdMs: 5000,
		lean: true,
		...overrides,
	});
}

export function brevoServer(overrides: Partial<ProviderServerOptions> = {}): ProviderServer {
	const replies = new Map<string, Reply>();
	return new ProviderServer({
		name: 'brevo',
		routes: {
			'POST /v3/smtp/email': (ctx) => {
				const body = ctx.json as { headers?: { idempotencyKey?: string }; to?: Array<{ email: string }>; messageVersions?: Array<{ to: Array<{ email: string }> }> };
				const key = body.headers?.idempotencyKey;
				const seen = key ? replies.get(key) : undefined;
				if (seen) return seen;
				const versions = body.messageVersions ?? [{ to: body.to ?? [] }];
				const ids = versions.map((v) => `<${ctx.accept(v.to[0].email, undefined)}@smtp-relay.mailin.fr>`);
				const reply: Reply = { status: 201, body: body.messageVersions ? { messageIds: ids } : { messageId: ids[0] } };
				if (key) replies.set(key, reply);
				return reply;
			},
		},
		authorized: (req) => req.headers['api-key'] === LEAN_BREVO_KEY,
		unauthorized: () => ({ status: 401, body: { code: 'unauthorized', message: 'Key not found' } }),
		maxBodyBytes: 40 * 1024 * 1024,
		tooLarge: () => ({ status: 413, body: { code: 'bad_request', message: 'too large' } }),
		badJson: () => ({ status: 400, body: { code: 'bad_request', message: 'Invalid JSON' } }),
		seed: 29,
		retryAfterSeconds: 0.01,
		holdMs: 5000,
		lean: true,
		...overrides,
	});
}

export function mandrillServer(overrides: Partial<ProviderServerOptions> = {}): ProviderServer {
	return new ProviderServer({
		name: 'mandrill',
		routes: {
			'POST /messages/send': (ctx) => {
				const body = ctx.json as { key?: string; message: { to: Array<{ email: string }> } };
				if (body.key !== LEAN_MANDRILL_KEY) return { status: 500, body: { status: 'error', code: -1, name: 'Invalid_Key', message: 'Invalid API key' } };
				return { status: 200, body: body.message.to.map((t) => ({ email: t.email, status: 'sent', reject_reason: null, _id: ctx.accept(t.email, undefined) })) };
			},
		},
		authorized: () => true, // the key travels in the body (checked by the route)
		unauthorized: () => ({ status: 500, body: { status: 'error', code: -1, name: 'Invalid_Key', message: 'Invalid API key' } }),
		maxBodyBytes: 40 * 1024 * 1024,
		tooLarge: () => ({ status: 413, body: 'Request Entity Too Large' }),
		badJson: () => ({ status: 500, body: { status: 'error', code: -2, name: 'ValidationError', message: 'Invalid JSON' } }),
		seed: 31,
		retryAfterSeconds: 0.01,
		holdMs: 5000,
		lean: true,
		...overrides,
	});
}

