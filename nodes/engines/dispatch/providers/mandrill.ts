/**
 * Mailchimp Transactional (Mandrill): POST /messages/send (rendered) and
 * POST /messages/send-template (stored templates).
 * https://mailchimp.com/developer/transactional/api/messages/send-new-message/
 * https://mailchimp.com/developer/transactional/api/messages/send-using-message-template/
 *
 * Batch shape: one message with many `to` recipients and `preserve_recipients: false`, so each
 * recipient gets an individual email; per-recipient data rides in `merge_vars` ([{ rcpt, vars }])
 * and per-recipient attribution in `recipient_metadata` ([{ rcpt, values }]). In rendered mode a
 * subject, html or text that differs between recipients is sent as a `*|PZ_…|*` merge tag
 * (merge_language "mailchimp", which inserts the value as given); identical ones are literal.
 * Template mode: the shared template variables go to `global_merge_vars`, the rest to each
 * recipient's `merge_vars`.
 *
 * Headers cannot differ per recipient in one call ("merge tags are supported in the from name,
 * subject line, and body of an email only. Merge tags can't be included in custom X- headers or
 * the List-Unsubscribe header":
 * https://mandrill.zendesk.com/hc/en-us/articles/360038786274-Can-I-use-merge-tags-in-my-subject-line-or-other-headers-),
 * so messages share a request only when their
 * sender, reply-to, headers, tags, template and options are equal (a per-recipient
 * List-Unsubscribe URL therefore means one call per message). A recipient appears once per
 * call. Calls carry at most 1,000 recipients (our cap: Mandrill documents none).
 *
 * The answer is an array with one status per recipient: sent, queued, scheduled, rejected
 * (with reject_reason) or invalid; reject_reason `unsigned` (unverified sending domain) refuses
 * the sender, so its later messages are not sent. The API key travels in the JSON body (`key`), added by the
 * credential, never by this provider. Errors come back as HTTP 500 with
 * {"status":"error","code":…,"name":"Invalid_Key"|"ValidationError"|"GeneralError"|…}.
 */
import type {
	DispatchMode,
	EspProvider,
	HttpResponseSpec,
	MessageResult,
	OutboundMessage,
	ProviderSettings,
	RequestPlan,
	SendStatus,
} from '../types';
import { allSame, chunk, failAll, groupBy, sharedEntries, stableJson } from './batch-helpers';
import { baseUrl, isRecord, isRetryableStatus, jsonBytes, keepUserIdIf, parseJson } from '../util';

export const MANDRILL_MAX_RECIPIENTS = 1000;
/**
 * "For each message, metadata is limited to 250 bytes of JSON-encoded data"
 * (https://mandrill.zendesk.com/hc/en-us/articles/360038805254-Using-Custom-Message-Metadata): a
 * recipient's metadata, global and per-recipient together. The recipient's userId goes in only
 * while its metadata stays within that, else it is left out.
 */
export const MANDRILL_MAX_METADATA_BYTES = 250;
/** Provider options passed into `message` (others, meant for other providers, are ignored). */
const MANDRILL_OPTIONS = ['subaccount', 'track_opens', 'track_clicks', 'important', 'merge_language', 'inline_css', 'view_content_link'];
const MAX_REQUEST_BYTES = 20 * 1024 * 1024;

/** Rejection reasons that mean Mandrill's own rejection (suppression) list holds the address. */
const SUPPRESSION_REASONS = new Set(['hard-bounce', 'soft-bounce', 'spam', 'unsub', 'custom']);
/**
 * The reject reason refusing the sender, not the recipient: `unsigned`, "the message was sent from a
 * domain that hasn't been fully configured" (SPF, DKIM and ownership not verified: "Mandrill will not
 * send any email from unverified domains",
 * https://mandrill.zendesk.com/hc/en-us/articles/205582957-What-is-a-rejected-email-Rejection-Blacklist-).
 * Every later message from that address would be rejected the same, so the engine sends none of
 * them (refused: 'sender').
 */
const SENDER_REJECT_REASON = 'unsigned';
/** Named errors worth retrying; all other named errors (Invalid_Key, ValidationError, ...) are final. */
const RETRYABLE_ERRORS = new Set(['GeneralError', 'ServiceUnavailable']);

function groupKey(message: OutboundMessage, mode: DispatchMode): string {
	return stableJson([
		message.from,
		message.replyTo ?? null,
		message.headers,
		message.tags ?? [],
		message.options ?? {},
		mode === 'template' ? message.templateId : null,
	]);
}

function buildBody(messages: OutboundMessage[], mode: DispatchMode): string {
	const first = messages[0];
	const batch = messages.length > 1;
	const mergeVars = new Map<string, Array<{ name: string; content: unknown }>>(messages.map((m) => [m.to.email, []]));
	const message: Record<string, unknown> = {
		from_email: first.from.email,
		...(first.from.name ? { from_name: first.from.name } : {}),
		to: messages.map((m) => ({ email: m.to.email, ...(m.to.name ? { name: m.to.name } : {}), type: 'to' })),
		preserve_recipients: false,
	};
	const headers: Record<string, string> = { ...first.headers };
	if (first.replyTo) headers['Reply-To'] = first.replyTo.email;
	if (Object.keys(headers).length) message.headers = headers;

	// Rendered mode owns the content and uses the mailchimp merge language; in template mode the
	// template decides, so a differing subject is written in the language the options name.
	const handlebars = first.options?.merge_language === 'handlebars';
	const field = (name: 'subject' | 'html' | 'text', tag: string) => {
		const pick = (m: OutboundMessage) => m[name];
		if (messages.every((m) => pick(m) === undefined)) return false;
		if (!batch || allSame(messages, pick)) {
			message[name] = pick(first) ?? '';
			return false;
		}
		message[name] = handlebars ? `{{{${tag}}}}` : `*|${tag}|*`;
		for (const m of messages) mergeVars.get(m.to.email)?.push({ name: tag, content: pick(m) ?? '' });
		return true;
	};
	const merged = [field('subject', 'PZ_SUBJECT'), mode === 'rendered' && field('html', 'PZ_HTML'), mode === 'rendered' && field('text', 'PZ_TEXT')];
	if (merged.some(Boolean)) {
		message.merge = true;
		if (mode === 'rendered') message.merge_language = handlebars ? 'handlebars' : 'mailchimp';
	}
	if (mode === 'template') {
		const records = messages.map((m) => Object.fromEntries(Object.entries(m.variables ?? {}).map(([k, v]) => [k, stableJson(v)])));
		const shared = sharedEntries(records);
		const globals = Object.keys(shared).map((name) => ({ name, content: (first.variables ?? {})[name] }));
		if (globals.length) message.global_merge_vars = globals;
		for (const m of messages) {
			for (const [name, content] of Object.entries(m.variables ?? {})) {
				if (!(name in shared)) mergeVars.get(m.to.email)?.push({ name, content });
			}
		}
		message.merge = true;
	}
	const perRecipient = [...mergeVars.entries()].filter(([, vars]) => vars.length).map(([rcpt, vars]) => ({ rcpt, vars }));
	if (perRecipient.length) message.merge_vars = perRecipient;

	const metadata = messages.map((m) => keepUserIdIf(m.metadata, (values) => jsonBytes(values) <= MANDRILL_MAX_METADATA_BYTES));
	const sharedMetadata = sharedEntries(metadata);
	if (Object.keys(sharedMetadata).length) message.metadata = sharedMetadata;
	const recipientMetadata = messages
		.map((m, i) => ({
			rcpt: m.to.email,
			values: Object.fromEntries(Object.entries(metadata[i]).filter(([k]) => !(k in sharedMetadata))),
		}))
		.filter((r) => Object.keys(r.values).length);
	if (recipientMetadata.length) message.recipient_metadata = recipientMetadata;
	if (first.tags?.length) message.tags = first.tags;
	for (const key of MANDRILL_OPTIONS) {
		const value = first.options?.[key];
		if (value !== undefined && value !== null && value !== '' && !(key in message)) message[key] = value;
	}
	const body: Record<string, unknown> = { message, async: false };
	if (mode === 'template') {
		body.template_name = first.templateId;
		body.template_content = [];
	}
	return JSON.stringify(body);
}

function statusOf(entry: Record<string, unknown>): { status: SendStatus; error?: string } {
	const status = String(entry.status ?? '');
	const reason = typeof entry.reject_reason === 'string' ? entry.reject_reason : undefined;
	if (status === 'sent') return { status: 'sent' };
	if (status === 'queued' || status === 'scheduled') {
		return { status: 'queued', ...(typeof entry.queued_reason === 'string' ? { error: `queued: ${entry.queued_reason}` } : {}) };
	}
	if (status === 'rejected') {
		return { status: reason && SUPPRESSION_REASONS.has(reason) ? 'suppressed' : 'failed', error: `Mandrill rejected this recipient: ${reason ?? 'no reason given'}` };
	}
	if (status === 'invalid') return { status: 'failed', error: 'Mandrill reports the recipient address as invalid' };
	return { status: 'unknown', error: `Mandrill answered status "${status}"` };
}

export const mandrill: EspProvider = {
	id: 'mandrill',
	displayName: 'Mailchimp Transactional (Mandrill)',
	maxBatch: { rendered: MANDRILL_MAX_RECIPIENTS, template: MANDRILL_MAX_RECIPIENTS },
	acceptsIdempotencyKey: false,

	plan(messages: OutboundMessage[], mode: DispatchMode, settings: ProviderSettings): RequestPlan[] {
		const base = baseUrl(settings, 'https://mandrillapp.com/api/1.0');
		const url = `${base}/messages/${mode === 'template' ? 'send-template' : 'send'}`;
		const size = (m: OutboundMessage) =>
			Buffer.byteLength(stableJson([m.subject, m.html, m.text, m.variables, m.metadata, m.to]), 'utf8') + 100;
		const plans: RequestPlan[] = [];
		for (const group of groupBy(messages, (m) => groupKey(m, mode))) {
			for (const part of chunk(group, MANDRILL_MAX_RECIPIENTS, { maxBytes: MAX_REQUEST_BYTES, size, uniqueRecipients: true })) {
				plans.push({
					request: { method: 'POST', url, headers: { 'content-type': 'application/json' }, body: buildBody(part, mode) },
					messages: part,
				});
			}
		}
		return plans;
	},

	parse(plan: RequestPlan, response: HttpResponseSpec): MessageResult[] {
		const parsed = parseJson(response.body);
		if (response.status >= 200 && response.status < 300 && Array.isArray(parsed)) {
			const byEmail = new Map<string, Record<string, unknown>>();
			for (const entry of parsed) {
				if (isRecord(entry) && typeof entry.email === 'string') byEmail.set(entry.email.toLowerCase(), entry);
			}
			return plan.messages.map((m): MessageResult => {
				const entry = byEmail.get(m.to.email.toLowerCase());
				if (!entry) {
					return { index: m.index, status: 'unknown', responseCode: response.status, error: 'Mandrill returned no status for this recipient' };
				}
				const { status, error } = statusOf(entry);
				return {
					index: m.index,
					status,
					responseCode: response.status,
					...(typeof entry._id === 'string' ? { providerMessageId: entry._id } : {}),
					...(error ? { error } : {}),
					...(status === 'failed' || status === 'suppressed' ? { retryable: false } : {}),
					...(status === 'failed' && entry.reject_reason === SENDER_REJECT_REASON ? { refused: 'sender' as const } : {}),
				};
			});
		}
		if (isRecord(parsed) && parsed.status === 'error') {
			const name = typeof parsed.name === 'string' ? parsed.name : 'Error';
			const text = `HTTP ${response.status} ${name}: ${typeof parsed.message === 'string' ? parsed.message : ''}`.trim();
			const retryable = response.status === 429 || (response.status >= 500 && RETRYABLE_ERRORS.has(name));
			const results = failAll(plan, response, text.slice(0, 500), retryable);
			// Mandrill answers a bad key with HTTP 500 + Invalid_Key: report it as 401 (the error
			// text keeps the real status) so the engine stops and names the rejected credential.
			if (name === 'Invalid_Key') for (const r of results) r.responseCode = 401;
			return results;
		}
		const snippet = response.body.replace(/\s+/g, ' ').trim().slice(0, 200);
		return failAll(plan, response, `HTTP ${response.status}${snippet ? `: ${snippet}` : ''}`, isRetryableStatus(response.status));
	},
};
