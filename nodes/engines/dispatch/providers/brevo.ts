/**
 * Brevo transactional email: POST https://api.brevo.com/v3/smtp/email.
 * https://developers.brevo.com/reference/sendtransacemail
 * https://developers.brevo.com/docs/batch-send-transactional-emails
 *
 * Batch shape: `messageVersions`, up to 1,000 versions per call ("Send up to 1000 email
 * messages in one API call"), one recipient per version here. Each version may override `to`,
 * `subject`, `htmlContent`, `textContent`, `replyTo` and `params` (template variables); the
 * API reference caps each version's params at 100 KB and all params of a call at 1,000 KB.
 * Template mode: `templateId` + per-version `params`.
 *
 * Per-version `headers` are merged over the call's headers, so each version carries its own
 * List-Unsubscribe, test-mode header and attribution (the same shape django-anymail's Brevo
 * backend sends for per-recipient headers and metadata:
 * https://github.com/anymail/django-anymail/blob/main/anymail/backends/brevo.py, issue #374).
 * Messages share a call when sender, tags, template and options are equal and they have the
 * same parts (subject, HTML, text): a version inherits whatever part it does not set itself.
 *
 * Attribution: the `X-Mailin-custom` header, which Brevo returns in its webhooks, carries the
 * message's `pz_*` metadata as JSON (per version in a batch), in ASCII (headerJsonMetadata). Each version's Brevo message id
 * (from `messageIds`, in version order) is that message's provider id.
 *
 * Idempotency: Brevo accepts `headers.idempotencyKey` (a UUID, kept 30 minutes), so a batch is
 * given a UUID derived from its messages' keys. A key used again within those 30 minutes gets a
 * `duplicate_parameter` error and the request is not processed ("Time-to-live and error
 * handling"): the earlier request with that key (an attempt whose answer was lost, or an earlier
 * run) may have sent the messages, so they are `unknown`, not failed.
 * https://developers.brevo.com/docs/heterogenous-versions-batch-emails
 *
 * A call answered 400 sent nothing. One invalid address among 1,000 versions refuses the whole
 * call without naming the version ("email is not valid in to"), so after such an answer the
 * messages are sent again in halves, down to one (sendAgain, refusedForSomeMessage): only the one
 * at fault fails.
 */
import type {
	DispatchMode,
	EspProvider,
	HttpResponseSpec,
	MessageProblem,
	MessageResult,
	OutboundMessage,
	ProviderSettings,
	RequestPlan,
} from '../types';
import {
	chunk,
	failAll,
	groupBy,
	rateLimitResetSeconds,
	requestKey,
	sharedEntries,
	stableJson,
	uuidFrom,
} from './batch-helpers';
import { baseUrl, headerJsonMetadata, headerJsonProblem, isRecord, isRetryableStatus, jsonBytes, parseJson, refusedForOthers } from '../util';

export const BREVO_MAX_VERSIONS = 1000;
export const BREVO_MAX_PARAMS_BYTES = 1000 * 1024;
/**
 * "Individual params objects must not exceed 100 KB. Cumulative params across all versions must
 * not exceed 1000 KB." (messageVersions, https://developers.brevo.com/reference/sendtransacemail).
 * Checked for every message before any call, since any message may become a version of a batch:
 * one version over the limit would fail the whole call (up to 1,000 messages).
 */
export const BREVO_MAX_VERSION_PARAMS_BYTES = 100 * 1024;
/** Provider options passed through to the call (others, meant for other providers, are ignored). */
const BREVO_OPTIONS = ['scheduledAt', 'batchId'];
const MAX_RENDERED_BYTES = 20 * 1024 * 1024;

const contact = (a: { email: string; name?: string }) => ({ email: a.email, ...(a.name ? { name: a.name } : {}) });

function groupKey(message: OutboundMessage, mode: DispatchMode): string {
	return stableJson([
		message.from,
		message.tags ?? [],
		message.options ?? {},
		mode === 'template' ? message.templateId : null,
		// A version without subject/htmlContent/textContent inherits the call's (taken from the
		// first message), so only messages with the same parts may share a call: else an
		// HTML-only message would carry the first recipient's personal text part.
		[message.subject !== undefined, message.html !== undefined, message.text !== undefined],
	]);
}

/**
 * A message's own headers, with its attribution as X-Mailin-custom. Brevo documents no limit for a
 * custom header ("Custom email headers (non-standard headers) to include in the email",
 * https://developers.brevo.com/reference/sendtransacemail, `headers`), but it is a header of the
 * email: the recipient's userId goes in only while `X-Mailin-custom: <JSON>` fits on one header
 * line (RFC 5322, fitsHeaderLine; JSON.stringify writes no white space to fold at), else it is
 * left out; a message whose line is too long even without it is not sent (check,
 * headerJsonProblem). Brevo sends a custom header's non-ASCII characters as raw 8-bit UTF-8, which
 * can get the message refused (django-anymail's Brevo docs, "Metadata and extra_headers values must
 * be ASCII"), so a value (userId, campaign, variant, segment, experiment, message id) that is not
 * printable ASCII, or holds `"` or `\`, is written `b64-` + base64url (headerJsonMetadata), which
 * the Brevo engagement source decodes; the line is counted with the values so written.
 */
function ownHeaders(message: OutboundMessage): Record<string, string> {
	if (!Object.keys(message.metadata).length) return { ...message.headers };
	return { ...message.headers, 'X-Mailin-custom': JSON.stringify(headerJsonMetadata(message.metadata, 'X-Mailin-custom')) };
}

function buildBody(messages: OutboundMessage[], mode: DispatchMode): string {
	const first = messages[0];
	const single = messages.length === 1;
	// Headers equal in every version go on the call; the others on each version.
	const shared = sharedEntries(messages.map(ownHeaders));
	const headers: Record<string, string> = { ...shared, idempotencyKey: uuidFrom(requestKey(messages, 'pz-brevo-')) };
	const body: Record<string, unknown> = { sender: contact(first.from), headers };
	if (first.tags?.length) body.tags = first.tags;
	if (first.subject !== undefined) body.subject = first.subject;
	if (mode === 'template') {
		const id = Number(first.templateId);
		body.templateId = Number.isFinite(id) ? id : first.templateId;
	} else {
		if (first.html !== undefined) body.htmlContent = first.html;
		if (first.text !== undefined) body.textContent = first.text;
	}
	for (const key of BREVO_OPTIONS) {
		const value = first.options?.[key];
		if (value !== undefined && value !== null && value !== '') body[key] = value;
	}
	if (single) {
		body.to = [contact(first.to)];
		if (first.replyTo) body.replyTo = contact(first.replyTo);
		if (mode === 'template' && first.variables) body.params = first.variables;
		return JSON.stringify(body);
	}
	body.messageVersions = messages.map((m) => {
		const version: Record<string, unknown> = { to: [contact(m.to)] };
		const own = Object.fromEntries(Object.entries(ownHeaders(m)).filter(([k]) => !(k in shared)));
		if (Object.keys(own).length) version.headers = own;
		if (m.replyTo) version.replyTo = contact(m.replyTo);
		if (m.subject !== undefined && m.subject !== first.subject) version.subject = m.subject;
		if (mode === 'template') {
			if (m.variables && Object.keys(m.variables).length) version.params = m.variables;
		} else {
			if (m.html !== undefined && m.html !== first.html) version.htmlContent = m.html;
			if (m.text !== undefined && m.text !== first.text) version.textContent = m.text;
		}
		return version;
	});
	return JSON.stringify(body);
}

/**
 * A 400 that refuses a value one version may carry, not the call's own settings: Brevo's
 * `invalid_parameter` (its answer to an invalid recipient address is
 * `{"code":"invalid_parameter","message":"email is not valid in to"}`, whether the call has one
 * message or 1,000 versions: https://github.com/getbrevo/brevo-node/issues/40; the error shape
 * `{"code":"invalid_parameter","message":"Invalid email address"}` in
 * https://developers.brevo.com/docs/how-it-works), unless it names what every message of the call
 * shares (the sender, the template, the idempotency key, the schedule, the tags): sent alone, each
 * message would be refused the same. Some answers write the code in capitals
 * (`INVALID_PARAMETER`), hence the case-insensitive match.
 */
function refusedForSomeMessage(code: string | undefined, message: string): boolean {
	if (code?.toLowerCase() !== 'invalid_parameter') return false;
	return !/sender|template|idempotency|scheduledAt|batchId|\btags?\b/i.test(message);
}

function carriesIdempotencyKey(plan: RequestPlan): boolean {
	const body = parseJson(plan.request.body);
	return isRecord(body) && isRecord(body.headers) && typeof body.headers.idempotencyKey === 'string';
}

export const brevo: EspProvider = {
	id: 'brevo',
	displayName: 'Brevo',
	maxBatch: { rendered: BREVO_MAX_VERSIONS, template: BREVO_MAX_VERSIONS },
	acceptsIdempotencyKey: true,

	check(message: OutboundMessage, mode: DispatchMode): MessageProblem | undefined {
		// The attribution must fit on one X-Mailin-custom line (ownHeaders).
		const header = headerJsonProblem(message.metadata, 'X-Mailin-custom');
		if (header) return header;
		if (mode !== 'template' || !message.variables) return undefined;
		const bytes = jsonBytes(message.variables);
		if (bytes <= BREVO_MAX_VERSION_PARAMS_BYTES) return undefined;
		return { field: 'variables', message: `the template variables (Brevo params) are ${bytes.toLocaleString('en-US')} bytes as JSON, more than the 100 KB (${BREVO_MAX_VERSION_PARAMS_BYTES.toLocaleString('en-US')} bytes) Brevo allows per message version` };
	},

	plan(messages: OutboundMessage[], mode: DispatchMode, settings: ProviderSettings): RequestPlan[] {
		const url = `${baseUrl(settings, 'https://api.brevo.com')}/v3/smtp/email`;
		const plans: RequestPlan[] = [];
		// Template versions are bounded by the documented cumulative params limit; rendered
		// calls by our own 20 MB cap on the request (Brevo documents no content limit per call).
		const template = mode === 'template';
		const size = template
			? (m: OutboundMessage) => jsonBytes(m.variables ?? {})
			: (m: OutboundMessage) => Buffer.byteLength(stableJson([m.subject, m.html, m.text]), 'utf8') + 200;
		const maxBytes = template ? BREVO_MAX_PARAMS_BYTES : MAX_RENDERED_BYTES;
		for (const group of groupBy(messages, (m) => groupKey(m, mode))) {
			for (const part of chunk(group, BREVO_MAX_VERSIONS, { maxBytes, size })) {
				const body = buildBody(part, mode);
				plans.push({
					request: {
						method: 'POST',
						url,
						headers: { 'content-type': 'application/json', accept: 'application/json' },
						body,
					},
					messages: part,
				});
			}
		}
		return plans;
	},

	parse(plan: RequestPlan, response: HttpResponseSpec): MessageResult[] {
		const parsed = parseJson(response.body);
		if (response.status >= 200 && response.status < 300) {
			const ids: unknown[] = isRecord(parsed)
				? Array.isArray(parsed.messageIds)
					? parsed.messageIds
					: typeof parsed.messageId === 'string'
						? [parsed.messageId]
						: []
				: [];
			return plan.messages.map((m, i): MessageResult => {
				const id = ids[i];
				if (typeof id === 'string') return { index: m.index, status: 'sent', responseCode: response.status, providerMessageId: id };
				return { index: m.index, status: 'unknown', responseCode: response.status, error: 'Brevo accepted the call but returned no message id for this version' };
			});
		}
		const code = isRecord(parsed) && typeof parsed.code === 'string' ? parsed.code : undefined;
		const message = isRecord(parsed) && typeof parsed.message === 'string' ? parsed.message : response.body.slice(0, 200);
		if (response.status === 400 && code === 'duplicate_parameter' && carriesIdempotencyKey(plan)) {
			const error = `HTTP 400 duplicate_parameter: ${message}`.slice(0, 300)
				+ '. Brevo did not process this request because its idempotency key was used within the last 30 minutes; the earlier request with that key (an attempt whose answer was lost, or an earlier run) may have sent these messages. Reconcile with Brevo\'s transactional logs or webhooks before resending.';
			return plan.messages.map((m): MessageResult => ({ index: m.index, status: 'unknown', responseCode: 400, error }));
		}
		const text = `HTTP ${response.status}${code ? ` ${code}` : ''}: ${message}`.slice(0, 500);
		if (response.status === 400 && plan.messages.length > 1 && refusedForSomeMessage(code, message)) {
			// Brevo refused the whole call (it sends nothing of a call it answers 400) for a value of
			// some version, e.g. one invalid address ("email is not valid in to"), without saying which:
			// the messages are sent again in halves (down to one), so that only the one at fault fails.
			return plan.messages.map((m) => refusedForOthers(m, 400, `Brevo refused the whole call of ${plan.messages.length} messages without naming the message at fault: ${text}`));
		}
		const results = failAll(plan, response, text, isRetryableStatus(response.status));
		// Brevo's rate-limit answer says when the window resets (x-sib-ratelimit-reset, seconds).
		const reset = rateLimitResetSeconds(response, 'x-sib-ratelimit-reset');
		if (reset !== undefined) for (const r of results) r.retryAfterSeconds = reset;
		return results;
	},
};
