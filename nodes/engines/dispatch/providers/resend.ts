/**
 * Resend: POST /emails (one message) and POST /emails/batch (up to 100 messages per request).
 * https://resend.com/docs/api-reference/emails/send-email
 * https://resend.com/docs/api-reference/emails/send-batch-emails
 *
 * - Batch: every message keeps its own recipient, subject, content, headers and tags, so any
 *   100 messages share a request. Batches are sent with `x-batch-validation: permissive`
 *   (https://resend.com/changelog/batch-validation-modes): valid emails are accepted and each
 *   invalid one comes back in `errors[]` with its index, so one bad address fails alone.
 * - A message with `scheduled_at` (options) is sent alone through POST /emails: the batch endpoint
 *   does not support scheduling.
 * - Template mode: `template: { id, variables }` (Resend templates), no html/text.
 * - Idempotency: `Idempotency-Key` header (set by the engine's transport from
 *   `request.idempotencyKey`), up to 256 characters, kept 24 hours
 *   (https://resend.com/docs/dashboard/emails/idempotency-keys). One message: its own key;
 *   a batch: a hash of its messages' keys, so retrying the same batch is deduplicated.
 * - Attribution: `tags: [{ name, value }]` (ASCII letters, digits, `_` and `-`, ≤256 chars),
 *   returned in Resend webhooks. The `pz_*` values (attribution and the recipient's userId) are
 *   written reversibly (metadataTags: `b64-` + base64url when they hold other characters), or left
 *   out; the message's own tags (`tags`) become tag-safe names.
 * - 403 validation_error has two documented meanings (https://resend.com/docs/api-reference/errors):
 *   "The domain.com domain is not verified. Please, add and verify your domain." (the API adds
 *   " on https://resend.com/domains"): a refusal of the SENDER; and "You can only send testing
 *   emails to your own email address (you@example.com). To send emails to other recipients, please
 *   verify a domain at resend.com/domains, and change the `from` address to an email using this
 *   domain." (testing mode, https://resend.com/docs/knowledge-base/403-error-resend-dev-domain):
 *   a refusal of the RECIPIENT, which fails only the messages to others than the owner. Resend
 *   documents only field validation errors per email in a permissive batch's `errors[]`, so a
 *   batch may be refused whole: its messages to the owner's address (named in the answer) or to
 *   Resend's test addresses (@resend.dev) are sent again without the others; when the answer names
 *   no address, the messages are sent again in halves, down to one. The same refusal listed for one email in
 *   `errors[]` ({ index, message }) fails that email alike: a recipient refusal, 403, with the hint.
 * - 429 daily_quota_exceeded / monthly_quota_exceeded (the account's email quota is used up) stops
 *   the run (QUOTA_ERRORS); 429 rate_limit_exceeded is retried.
 */
import type {
	DispatchMode,
	EspProvider,
	HttpResponseSpec,
	MessageResult,
	OutboundMessage,
	ProviderSettings,
	RequestPlan,
} from '../types';
import {
	chunk,
	failAll,
	formatAddress,
	groupBy,
	metadataTags,
	rateLimitResetSeconds,
	requestKey,
	tagSafe,
} from './batch-helpers';
import { baseUrl, isRecord, isRetryableStatus, parseJson, refusedForOthers, retryAfterSeconds } from '../util';

export const RESEND_MAX_BATCH = 100;
const MAX_REQUEST_BYTES = 30 * 1024 * 1024;

export function resendEmail(message: OutboundMessage, mode: DispatchMode): Record<string, unknown> {
	const email: Record<string, unknown> = {
		from: formatAddress(message.from),
		to: [formatAddress(message.to)],
	};
	if (message.subject !== undefined) email.subject = message.subject;
	if (message.replyTo) email.reply_to = formatAddress(message.replyTo);
	if (mode === 'template') {
		email.template = { id: message.templateId, variables: message.variables ?? {} };
	} else {
		if (message.html !== undefined) email.html = message.html;
		if (message.text !== undefined) email.text = message.text;
	}
	if (Object.keys(message.headers).length) email.headers = { ...message.headers };
	const tags = [
		...metadataTags(message.metadata).map(([name, value]) => ({ name, value })),
		...(message.tags ?? []).map((tag) => ({ name: tagSafe(tag), value: 'true' })),
	];
	if (tags.length) email.tags = tags;
	for (const [key, value] of Object.entries(message.options ?? {})) {
		if (key === 'scheduled_at' || key === 'cc' || key === 'bcc') email[key] = value;
	}
	return email;
}

interface ResendError {
	statusCode?: number;
	name?: string;
	message?: string;
}

function errorOf(response: HttpResponseSpec): ResendError {
	const parsed = parseJson(response.body);
	return isRecord(parsed) ? (parsed as ResendError) : {};
}

/** Retry decision from Resend's documented error names (https://resend.com/docs/api-reference/errors). */
function retryableError(status: number, name: string | undefined): boolean {
	if (name === 'concurrent_idempotent_requests') return true;
	if (name === 'invalid_idempotent_request') return false;
	return isRetryableStatus(status);
}

/** Resend's testing-mode refusal (403 validation_error), with the owner's address when it names it. */
const TESTING_MODE = /only send testing emails/i;

/**
 * Resend's email quotas, 429 `daily_quota_exceeded` "You have reached your daily email sending
 * quota." and `monthly_quota_exceeded` (https://resend.com/docs/api-reference/errors), unlike its
 * 429 `rate_limit_exceeded` (requests per second, retried): the account's quota does not come back
 * within a run, so the message is not retried and the rest of the run is not sent (stopsRun).
 */
const QUOTA_ERRORS = new Map([['daily_quota_exceeded', 'daily'], ['monthly_quota_exceeded', 'monthly']]);
const TESTING_OWNER = /own email address \(([^()\s<>]+@[^()\s<>]+)\)/i;

/** The bare, lower-cased addresses of a `to`/`cc`/`bcc` value ("a@b.c", "Name <a@b.c>" or a list). */
function addresses(value: unknown): string[] | undefined {
	const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
	if (!list || !list.every((v) => typeof v === 'string')) return undefined;
	return (list as string[]).map((v) => (/<([^>]+)>\s*$/.exec(v)?.[1] ?? v).trim().toLowerCase());
}

/**
 * Whether Resend in testing mode may take a message (every recipient, cc and bcc included, is
 * the owner or one of Resend's test addresses @resend.dev), or undefined when it cannot be told.
 */
function testingModeMayTake(message: OutboundMessage, owner: string): boolean | undefined {
	const recipients = [message.to.email.trim().toLowerCase()];
	for (const key of ['cc', 'bcc']) {
		const value = message.options?.[key];
		if (value === undefined) continue;
		const list = addresses(value);
		if (!list) return undefined;
		recipients.push(...list);
	}
	return recipients.every((r) => r === owner || r.endsWith('@resend.dev'));
}

/**
 * Results for a testing-mode refusal: a recipient refusal of the messages Resend will not send
 * (not retryable: only verifying a domain helps), and, in a batch refused whole, `sendAgain` for
 * the messages it may take (or for all, when the answer does not name the owner).
 */
function testingModeResults(plan: RequestPlan, text: string, owner: string | undefined): MessageResult[] {
	const single = plan.messages.length === 1;
	return plan.messages.map((m): MessageResult => {
		const mayTake = single ? false : owner === undefined ? undefined : testingModeMayTake(m, owner);
		if (mayTake !== false) {
			return refusedForOthers(m, 403, `Resend refused the whole batch in testing mode ${owner ? 'for its messages to others than the account owner' : 'without naming the recipient'}: ${text}`);
		}
		return testingModeRefusal(m, text, owner);
	});
}

/**
 * One message Resend will not send in testing mode: a refusal of its recipient with Resend's 403,
 * not retryable (only verifying a domain helps), whether the answer refused the whole request or
 * listed the message in a permissive batch's `errors[]`.
 */
function testingModeRefusal(m: OutboundMessage, text: string, owner: string | undefined): MessageResult {
	return {
		index: m.index,
		status: 'failed',
		responseCode: 403,
		refused: 'recipient',
		retryable: false,
		error: `Resend refused the recipient "${m.to.email}"${m.options?.cc !== undefined || m.options?.bcc !== undefined ? ' (or its cc/bcc)' : ''}: the account is in testing mode and sends only to its owner's own address${owner ? ` (${owner})` : ''}; verify a domain at https://resend.com/domains and send from an address on it. ${text}`.slice(0, 1000),
	};
}

export const resend: EspProvider = {
	id: 'resend',
	displayName: 'Resend',
	maxBatch: { rendered: RESEND_MAX_BATCH, template: RESEND_MAX_BATCH },
	acceptsIdempotencyKey: true,

	plan(messages: OutboundMessage[], mode: DispatchMode, settings: ProviderSettings): RequestPlan[] {
		const base = baseUrl(settings, 'https://api.resend.com');
		// Each email is serialised once: its JSON gives its size and is joined into the body.
		const emails = new Map(messages.map((m) => [m, resendEmail(m, mode)]));
		const json = new Map<OutboundMessage, string>([...emails].map(([m, email]) => [m, JSON.stringify(email)]));
		const size = (m: OutboundMessage) => Buffer.byteLength(json.get(m) ?? '', 'utf8');
		// A scheduled email goes alone to POST /emails: the batch endpoint does not take `scheduled_at`
		// (send-batch-emails reference, "Limitations": "The attachments and scheduled_at fields are
		// not supported yet"; Resend's own skill: batch only when "No attachments or scheduling
		// needed", https://github.com/resend/resend-skills).
		const scheduled = (m: OutboundMessage) => {
			const at = emails.get(m)?.scheduled_at;
			return at !== undefined && at !== null;
		};
		// One sender per request: Resend refuses a whole batch (403 validation_error) for one
		// unverified sender without saying which, so mixing senders would fail verified ones too.
		const parts = groupBy(messages, (m) => m.from.email.toLowerCase()).flatMap((group) => [
			...chunk(group.filter((m) => !scheduled(m)), RESEND_MAX_BATCH, { maxBytes: MAX_REQUEST_BYTES, size }),
			...group.filter(scheduled).map((m) => [m]),
		]);
		return parts.map((part) => {
			const single = part.length === 1;
			const key = requestKey(part, 'pz-batch-');
			return {
				request: {
					method: 'POST',
					url: single ? `${base}/emails` : `${base}/emails/batch`,
					headers: {
						'content-type': 'application/json',
						...(single ? {} : { 'x-batch-validation': 'permissive' }),
					},
					body: single ? (json.get(part[0]) as string) : `[${part.map((m) => json.get(m)).join(',')}]`,
					idempotencyKey: key,
				},
				messages: part,
			};
		});
	},

	parse(plan: RequestPlan, response: HttpResponseSpec): MessageResult[] {
		const ok = response.status >= 200 && response.status < 300;
		if (!ok) {
			const error = errorOf(response);
			const text = `HTTP ${response.status}${error.name ? ` ${error.name}` : ''}${error.message ? `: ${error.message}` : ''}`;
			if (response.status === 403 && error.name === 'validation_error' && TESTING_MODE.test(error.message ?? '')) {
				return testingModeResults(plan, text, TESTING_OWNER.exec(error.message ?? '')?.[1]?.toLowerCase());
			}
			const quota = QUOTA_ERRORS.get(error.name ?? '');
			if (quota !== undefined) {
				const stopsRun = `Resend's ${quota} email sending quota is used up (${text}), so the rest of this run was not sent`.slice(0, 300);
				return failAll(plan, response, text.slice(0, 500), false).map((r) => ({ ...r, stopsRun }));
			}
			if (response.status === 403 && error.name === 'validation_error') {
				// Resend's other 403 validation_error is about the sender, not the key (that one is 403
				// invalid_api_key): "The domain.com domain is not verified. Please, add and verify your
				// domain." (https://resend.com/docs/api-reference/errors,
				// https://resend.com/docs/knowledge-base/403-error-domain-mismatch).
				return plan.messages.map((m): MessageResult => ({
					index: m.index,
					status: 'failed',
					responseCode: 403,
					refused: 'sender',
					retryable: false,
					error: `Resend refused the sender "${m.from.email}": ${text}`.slice(0, 500),
				}));
			}
			const results = failAll(plan, response, text.slice(0, 500), retryableError(response.status, error.name));
			// Resend's 429 says when to try again in `retry-after`, and when its window resets in
			// `ratelimit-reset` (seconds, IETF RateLimit header fields draft):
			// https://resend.com/docs/api-reference/rate-limit. Without a Retry-After, the reset is waited for.
			const reset = rateLimitResetSeconds(response, 'ratelimit-reset');
			if (reset !== undefined) for (const r of results) if (r.retryable) r.retryAfterSeconds ??= reset;
			return results;
		}
		const parsed = parseJson(response.body);
		if (plan.messages.length === 1 && !plan.request.url.endsWith('/batch')) {
			const id = isRecord(parsed) && typeof parsed.id === 'string' ? parsed.id : undefined;
			return [{ index: plan.messages[0].index, status: id ? 'sent' : 'unknown', responseCode: response.status, ...(id ? { providerMessageId: id } : { error: 'Resend accepted the request but returned no email id' }) }];
		}
		const data = isRecord(parsed) && Array.isArray(parsed.data) ? (parsed.data as unknown[]) : [];
		const errors = new Map<number, string>();
		if (isRecord(parsed) && Array.isArray(parsed.errors)) {
			for (const e of parsed.errors) {
				if (isRecord(e) && typeof e.index === 'number') errors.set(e.index, typeof e.message === 'string' ? e.message : 'rejected');
			}
		}
		// Permissive mode lists the ids of the accepted emails in request order, skipping the
		// rejected ones; if an id is given for every email, take them position by position.
		const ids = data.map((d) => (isRecord(d) && typeof d.id === 'string' ? d.id : undefined));
		const positional = ids.length === plan.messages.length;
		let next = 0;
		const retryAfter = retryAfterSeconds(response);
		return plan.messages.map((message, i): MessageResult => {
			const error = errors.get(i);
			if (error !== undefined) {
				if (positional) next++;
				// The testing-mode refusal listed per email (Resend's errors[] holds the emails that
				// failed validation, and this refusal is its 403 validation_error): as for a whole
				// request, with Resend's message as it came (the batch itself was answered 200).
				if (TESTING_MODE.test(error)) return testingModeRefusal(message, error, TESTING_OWNER.exec(error)?.[1]?.toLowerCase());
				return { index: message.index, status: 'failed', responseCode: 422, error: `Resend rejected this email: ${error}`.slice(0, 500), retryable: false };
			}
			const id = ids[positional ? i : next++];
			if (id) return { index: message.index, status: 'sent', responseCode: response.status, providerMessageId: id };
			return {
				index: message.index,
				status: 'unknown',
				responseCode: response.status,
				error: 'Resend answered without an id for this email: check the Resend dashboard before sending again',
				...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
			};
		});
	},
};
