/**
 * A local Resend-compatible API (POST /emails, POST /emails/batch) that enforces the
 * documented request rules and answers with Resend's documented bodies.
 *
 *  - Auth: `Authorization: Bearer re_…`; missing → 401 missing_api_key, wrong → 403
 *    invalid_api_key. https://resend.com/docs/api-reference/introduction and
 *    https://resend.com/docs/api-reference/errors
 *  - Email fields: `from`, `to` (≤50 addresses) and `subject` are required; `html`/`text` or a
 *    `template` (not both). Missing fields → 422 missing_required_field.
 *    https://resend.com/docs/api-reference/emails/send-email
 *  - Tags: name and value only ASCII letters, numbers, underscores or dashes, ≤256 chars
 *    (422 invalid_parameter otherwise). Same page, "tags".
 *  - Batch: a JSON array of at most 100 emails; `x-batch-validation: strict` (default) rejects
 *    the whole batch on the first invalid email, `permissive` accepts the valid ones and lists
 *    the others in `errors: [{ index, message }]`.
 *    https://resend.com/docs/api-reference/emails/send-batch-emails,
 *    https://resend.com/changelog/batch-validation-modes
 *  - Batch emails may not carry `scheduled_at` nor `attachments` ("The attachments and scheduled_at
 *    fields are not supported yet", send-batch-emails reference): refused as an invalid email
 *    (strict: 422 validation_error; permissive: listed in `errors[]`).
 *  - Idempotency-Key: 1–256 chars (400 invalid_idempotency_key); the same key with the same
 *    body within 24 h replays the first answer without sending again; with another body → 409
 *    invalid_idempotent_request. https://resend.com/docs/dashboard/emails/idempotency-keys
 *  - Sender domain: with `verifiedDomains` given, a `from` whose domain is not one of them is
 *    refused with 403 validation_error "The <domain> domain is not verified. Please, add and
 *    verify your domain." (https://resend.com/docs/api-reference/errors,
 *    https://resend.com/docs/knowledge-base/403-error-domain-mismatch); in a batch the whole
 *    request is refused (Resend documents no per-email form of this error).
 *  - Testing mode (`testingMode: { owner }`): an account without a verified domain sends from
 *    Resend's own domain (onboarding@resend.dev) and only to its owner's address (and to Resend's
 *    test addresses delivered@, bounced@, complained@, suppressed@resend.dev, with an optional
 *    +label); an email to anyone else (to, cc or bcc) is refused with 403 validation_error "You can
 *    only send testing emails to your own email address (<owner>). To send emails to other
 *    recipients, please verify a domain at resend.com/domains, and change the `from` address to an
 *    email using this domain." (https://resend.com/docs/api-reference/errors,
 *    https://resend.com/docs/knowledge-base/403-error-resend-dev-domain,
 *    https://resend.com/docs/dashboard/emails/send-test-emails). A `from` on another domain is
 *    refused as not verified unless it is in `verifiedDomains`. In a batch, as for the domain, the
 *    whole request is refused: the batch validation modes list only missing or invalid fields as
 *    per-email errors (https://resend.com/docs/dashboard/emails/batch-validation-modes).
 *    With `testingMode.perEmail`, a permissive batch lists that refusal per email instead, in the
 *    documented `errors: [{ index, message }]` form (the message as Resend words it): Resend
 *    documents `errors[]` as the emails "which could not be created due to validation errors",
 *    and the testing-mode refusal is a validation_error, so a client must read it there too.
 *  - 429 rate_limit_exceeded (default 2 requests/s), 500 application_error.
 *  - Email quotas (`quota`: the emails the account may still send today or this month): once that
 *    many were sent, every request is refused 429 daily_quota_exceeded "You have reached your daily
 *    email sending quota." (monthly_quota_exceeded "… monthly …"), the errors page's status, name
 *    and message (https://resend.com/docs/api-reference/errors, https://resend.com/docs/api-reference/rate-limit).
 */
import { randomUUID } from 'node:crypto';
import { startProviderServer, type ProviderServer, type Reply } from './provider-server';

export const RESEND_TEST_KEY = 're_123456789_testkey';

export interface ResendDelivered {
	id: string;
	email: Record<string, unknown>;
}

export interface ResendServer extends ProviderServer {
	delivered: ResendDelivered[];
}

const error = (statusCode: number, name: string, message: string): Reply => ({
	status: statusCode,
	body: JSON.stringify({ statusCode, name, message }),
});

export function resendFault(status: number): Reply {
	if (status === 429) return error(429, 'rate_limit_exceeded', 'Too many requests. You can only make 2 requests per second.');
	if (status === 401) return error(401, 'missing_api_key', 'Missing API key in the authorization header');
	if (status >= 500) return error(status, 'application_error', 'An unexpected error occurred.');
	return error(status, 'validation_error', 'We found an error with one or more fields in the request.');
}

const TAG = /^[A-Za-z0-9_-]{1,256}$/;

/** The validation message for one email, or undefined when valid (`batch`: an email of POST /emails/batch). */
function invalid(email: unknown, batch = false): string | undefined {
	if (typeof email !== 'object' || email === null || Array.isArray(email)) return 'The email must be an object.';
	const e = email as Record<string, unknown>;
	// "The attachments and scheduled_at fields are not supported yet" on the batch endpoint (the
	// message wording here is ours: Resend documents the limitation, not its answer).
	if (batch && e.scheduled_at !== undefined) return 'The `scheduled_at` field is not supported in batch emails.';
	if (batch && e.attachments !== undefined) return 'The `attachments` field is not supported in batch emails.';
	if (typeof e.from !== 'string' || !e.from) return 'Missing `from` field.';
	const to = typeof e.to === 'string' ? [e.to] : Array.isArray(e.to) ? e.to : [];
	if (to.length === 0) return 'Missing `to` field.';
	if (to.length > 50) return 'The `to` field must contain at most 50 addresses.';
	for (const address of to) {
		const bare = /<([^>]+)>\s*$/.exec(String(address))?.[1] ?? String(address);
		if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(bare)) return `Invalid \`to\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.`;
	}
	if (typeof e.subject !== 'string' && e.template === undefined) return 'Missing `subject` field.';
	const hasBody = typeof e.html === 'string' || typeof e.text === 'string';
	if (e.template !== undefined && hasBody) return 'The `template` field cannot be used with `html` or `text`.';
	if (e.template === undefined && !hasBody) return 'Missing `html` or `text` field.';
	if (e.tags !== undefined) {
		if (!Array.isArray(e.tags)) return 'The `tags` field must be an array.';
		for (const tag of e.tags as Array<Record<string, unknown>>) {
			if (!TAG.test(String(tag?.name)) || !TAG.test(String(tag?.value))) {
				return 'Tags should only contain ASCII letters, numbers, underscores, or dashes.';
			}
		}
	}
	return undefined;
}

/** The domain of a `from` field ("Name <a@b.c>" or "a@b.c"), lower-cased. */
function fromDomain(from: unknown): string {
	const bare = /<([^>]+)>\s*$/.exec(String(from))?.[1] ?? String(from);
	return bare.slice(bare.lastIndexOf('@') + 1).toLowerCase();
}

/** The bare, lower-cased addresses of a `to`/`cc`/`bcc` field (a string or a list). */
function recipients(value: unknown): string[] {
	const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
	return list.map((v) => (/<([^>]+)>\s*$/.exec(String(v))?.[1] ?? String(v)).trim().toLowerCase());
}

/** Resend's test addresses (https://resend.com/docs/dashboard/emails/send-test-emails). */
const TEST_ADDRESS = /^(delivered|bounced|complained|suppressed)(\+[^@]*)?@resend\.dev$/;

export interface ResendServerOptions {
	/** The account is in testing mode (no verified domain): it sends only to this owner's address. */
	testingMode?: {
		owner: string;
		/** In a permissive batch, list each refused email in `errors[]` instead of refusing the request. */
		perEmail?: boolean;
	};
	/** The account may send this many more emails in the period, then gets the period's quota error. */
	quota?: { period: 'daily' | 'monthly'; emails: number };
}

export async function startResendServer(apiKey = RESEND_TEST_KEY, verifiedDomains?: Set<string>, options: ResendServerOptions = {}): Promise<ResendServer> {
	const owner = options.testingMode?.owner.toLowerCase();
	// In testing mode the account has no verified domain of its own: only Resend's, and those given.
	const verified = owner !== undefined ? new Set([...(verifiedDomains ?? []), 'resend.dev']) : verifiedDomains;
	const delivered: ResendDelivered[] = [];
	const idempotency = new Map<string, { body: string; reply: Reply }>();
	const accept = (email: Record<string, unknown>) => {
		const id = randomUUID();
		delivered.push({ id, email });
		return id;
	};
	const server = await startProviderServer((request) => {
		const path = request.path.split('?')[0];
		if (request.method !== 'POST' || (path !== '/emails' && path !== '/emails/batch')) {
			return error(404, 'not_found', 'The requested endpoint does not exist.');
		}
		const auth = /^Bearer\s+(.+)$/.exec(String(request.headers.authorization ?? ''));
		if (!auth) return error(401, 'missing_api_key', 'Missing API key in the authorization header');
		if (auth[1] !== apiKey) return error(403, 'invalid_api_key', 'API key is invalid');
		const quota = options.quota;
		if (quota && delivered.length >= quota.emails) return error(429, `${quota.period}_quota_exceeded`, `You have reached your ${quota.period} email sending quota.`);
		const key = request.headers['idempotency-key'] as string | undefined;
		if (key !== undefined && (key.length < 1 || key.length > 256)) {
			return error(400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.');
		}
		if (key !== undefined) {
			const seen = idempotency.get(`${path} ${key}`);
			if (seen) {
				if (seen.body !== request.body) {
					return error(409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload.');
				}
				return seen.reply;
			}
		}
		let payload: unknown;
		try {
			payload = JSON.parse(request.body);
		} catch {
			return error(400, 'validation_error', 'Invalid JSON body.');
		}
		let reply: Reply;
		const testingRefusal = `You can only send testing emails to your own email address (${options.testingMode?.owner ?? ''}). To send emails to other recipients, please verify a domain at resend.com/domains, and change the \`from\` address to an email using this domain.`;
		// Indexes of the emails refused per email (testingMode.perEmail in a permissive batch).
		const refusedPerEmail = new Set<number>();
		const perEmail = options.testingMode?.perEmail === true && Array.isArray(payload) && path === '/emails/batch' && request.headers['x-batch-validation'] === 'permissive';
		if (verified) {
			const emails = Array.isArray(payload) ? payload : [payload];
			for (const [index, email] of emails.entries()) {
				const e = email as Record<string, unknown> | null;
				const from = e?.from;
				const domain = fromDomain(from);
				if (typeof from === 'string' && !verified.has(domain)) return error(403, 'validation_error', `The ${domain} domain is not verified. Please, add and verify your domain.`);
				if (owner !== undefined && typeof from === 'string' && domain === 'resend.dev') {
					const to = [...recipients(e?.to), ...recipients(e?.cc), ...recipients(e?.bcc)];
					if (to.some((r) => r !== owner && !TEST_ADDRESS.test(r))) {
						if (!perEmail) return error(403, 'validation_error', testingRefusal);
						refusedPerEmail.add(index);
					}
				}
			}
		}
		if (path === '/emails') {
			const problem = invalid(payload);
			if (problem) return error(422, problem.startsWith('Missing') ? 'missing_required_field' : 'invalid_parameter', problem);
			reply = { status: 200, body: JSON.stringify({ id: accept(payload as Record<string, unknown>) }) };
		} else {
			if (!Array.isArray(payload)) return error(422, 'validation_error', 'The batch must be an array of emails.');
			if (payload.length > 100) return error(422, 'validation_error', 'The batch can contain at most 100 emails.');
			const permissive = request.headers['x-batch-validation'] === 'permissive';
			const problems = payload
				.map((email, index) => ({ index, message: invalid(email, true) ?? (refusedPerEmail.has(index) ? testingRefusal : undefined) }))
				.filter((p) => p.message);
			if (!permissive && problems.length) {
				return error(422, 'validation_error', `emails[${problems[0].index}]: ${problems[0].message}`);
			}
			const failed = new Set(problems.map((p) => p.index));
			const data = payload.filter((_e, i) => !failed.has(i)).map((email) => ({ id: accept(email as Record<string, unknown>) }));
			reply = { status: 200, body: JSON.stringify(permissive ? { data, errors: problems } : { data }) };
		}
		if (key !== undefined) idempotency.set(`${path} ${key}`, { body: request.body, reply });
		return reply;
	}, resendFault);
	return Object.assign(server, { delivered });
}
