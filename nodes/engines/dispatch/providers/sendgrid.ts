/**
 * SendGrid v3 Mail Send (POST /v3/mail/send).
 * https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send
 *
 * Documented limits used here:
 *  - at most 1000 personalizations per request, and at most 1000 recipients in total;
 *  - the whole request must be under 30 MB (we cap at 20 MB to keep a margin);
 *  - `substitutions`: at most 10,000 bytes per personalization, counted here as the JSON sent
 *    (legacy substitutions work on subject and content when no dynamic template is used);
 *  - `categories`: at most 10; `custom_args` values are strings, at most 10,000 bytes in total (the
 *    recipient's userId, `pz_user_id`, is left out when it would not fit);
 *  - `content`: text/plain first, then text/html.
 *
 * Request shapes:
 *  - template mode: one request per (from, reply-to, template, tags) group, one personalization
 *    per recipient carrying `dynamic_template_data` (dynamic templates), up to 1000.
 *  - rendered mode: a message's body can only vary per personalization through substitutions,
 *    so messages whose html+text fit the 10,000-byte substitution budget share one request
 *    (content = substitution tags, each personalization carries its own html/text); messages
 *    with identical bodies share one request whatever their size; any other message is sent
 *    alone.
 *
 * Answer: 202 Accepted with an empty body and an `X-Message-Id` header (per request); errors
 * are `{ "errors": [{ "message", "field", "help" }] }`. A 401 "Maximum credits exceeded" (the plan's
 * credits used up) stops the run (creditsExceeded); any other 401, and a 403 that is not about the
 * Sender Identity, is a rejected key. A 400 sends nothing of the request; when
 * every error names a personalization (`personalizations.<n>…`, e.g. an address SendGrid refuses),
 * those messages fail and the others are sent again without them (`sendAgain`). A 429 has no
 * Retry-After: the retry waits until its `X-RateLimit-Reset` (Unix time).
 */
import { createHash } from 'node:crypto';
import type { DispatchMode, EspProvider, HttpResponseSpec, MessageResult, OutboundMessage, ProviderSettings, RequestPlan } from '../types';
import { baseUrl, byteLength, header, httpFailure, jsonBytes, keepUserIdIf, parseJson, refusedForOthers, sameForAll } from '../util';

export const SENDGRID_MAX_PERSONALIZATIONS = 1000;
export const SENDGRID_MAX_SUBSTITUTION_BYTES = 10000;
/**
 * "Total custom_args size may not exceed 10,000 bytes" (Mail Send reference, `custom_args` and
 * `personalizations[].custom_args`: https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send),
 * read here as the personalization's custom_args object as JSON, in UTF-8 bytes (more than the
 * keys and values alone).
 */
export const SENDGRID_MAX_CUSTOM_ARGS_BYTES = 10000;
const MAX_REQUEST_BYTES = 20 * 1024 * 1024;
/** Substitution tags for the per-recipient body in rendered mode. */
export const SENDGRID_HTML_TAG = '[%pz_html%]';
export const SENDGRID_TEXT_TAG = '[%pz_text%]';

type Json = Record<string, unknown>;

function addr(a: { email: string; name?: string }): Json {
	return a.name ? { email: a.email, name: a.name } : { email: a.email };
}

function personalization(m: OutboundMessage, mode: DispatchMode, substitute: boolean): Json {
	const p: Json = { to: [addr(m.to)] };
	if (mode === 'rendered') p.subject = m.subject ?? '';
	if (Object.keys(m.headers).length) p.headers = { ...m.headers };
	// The recipient's userId only while the custom args stay within SendGrid's limit, else left out.
	if (Object.keys(m.metadata).length) p.custom_args = { ...keepUserIdIf(m.metadata, (args) => jsonBytes(args) <= SENDGRID_MAX_CUSTOM_ARGS_BYTES) };
	if (mode === 'template') p.dynamic_template_data = m.variables ?? {};
	if (substitute) {
		const subs: Json = {};
		if (m.html) subs[SENDGRID_HTML_TAG] = m.html;
		if (m.text) subs[SENDGRID_TEXT_TAG] = m.text;
		p.substitutions = subs;
	}
	return p;
}

function content(text: string | undefined, html: string | undefined): Json[] {
	const out: Json[] = [];
	if (text) out.push({ type: 'text/plain', value: text });
	if (html) out.push({ type: 'text/html', value: html });
	return out;
}

function envelope(m: OutboundMessage): string {
	return JSON.stringify([m.from, m.replyTo ?? null, (m.tags ?? []).slice(0, 10), Boolean(m.options?.sandboxMode)]);
}

/**
 * Whether the message's html and text can travel as substitutions: the substitutions object as
 * the JSON SendGrid receives (quotes and line breaks escaped), in UTF-8 bytes, within the budget.
 * Counted on the raw text alone, a body with many `"` could fit here and be over the limit at
 * SendGrid, which then refuses the whole request (up to 1,000 recipients).
 */
function canSubstitute(m: OutboundMessage): boolean {
	const html = m.html ?? '';
	const text = m.text ?? '';
	const raw = byteLength(html) + byteLength(text);
	if (raw > SENDGRID_MAX_SUBSTITUTION_BYTES) return false;
	// JSON writes a byte as at most 6 (a control character as \u00XX), plus the two tags and their
	// quotes: below that bound the body surely fits, and is not stringified once more just to count.
	if (raw * 6 + 64 > SENDGRID_MAX_SUBSTITUTION_BYTES && jsonBytes({ [SENDGRID_HTML_TAG]: html, [SENDGRID_TEXT_TAG]: text }) > SENDGRID_MAX_SUBSTITUTION_BYTES) return false;
	for (const value of [html, text, m.subject ?? '']) {
		if (value.includes(SENDGRID_HTML_TAG) || value.includes(SENDGRID_TEXT_TAG)) return false;
	}
	return true;
}

function recordBytes(record: Record<string, unknown>): number {
	let n = 0;
	for (const key in record) n += key.length + String(record[key]).length + 8;
	return n;
}

/** Upper estimate of a message's share of the request (JSON escaping may add a little: the cap keeps a 10 MB margin). */
function messageBytes(m: OutboundMessage): number {
	return byteLength(m.html) + byteLength(m.text) + byteLength(m.subject) + 300 + recordBytes(m.headers) + recordBytes(m.metadata) + (m.variables ? JSON.stringify(m.variables).length : 0);
}

/**
 * Requests of at most 1000 personalizations and MAX_REQUEST_BYTES, each address at most once per
 * request ("Each unique email address in the personalizations array should only be included
 * once", https://www.twilio.com/docs/sendgrid/api-reference/mail-send/errors): a repeated
 * address (e.g. test mode) goes to a later request.
 */
function split(messages: OutboundMessage[]): OutboundMessage[][] {
	const out: Array<{ messages: OutboundMessage[]; bytes: number; seen: Set<string> }> = [];
	let open = 0;
	for (const m of messages) {
		const address = m.to.email.toLowerCase();
		const size = messageBytes(m);
		while (open < out.length && out[open].messages.length >= SENDGRID_MAX_PERSONALIZATIONS) open++;
		let target: (typeof out)[number] | undefined;
		for (let i = open; i < out.length && !target; i++) {
			const b = out[i];
			if (b.messages.length < SENDGRID_MAX_PERSONALIZATIONS && b.bytes + size <= MAX_REQUEST_BYTES && !b.seen.has(address)) target = b;
		}
		if (!target) out.push((target = { messages: [], bytes: 0, seen: new Set() }));
		target.messages.push(m);
		target.bytes += size;
		target.seen.add(address);
	}
	return out.map((b) => b.messages);
}

/**
 * SendGrid answers 403 both for a key without the Mail Send permission and for a from address
 * that is not a verified Sender Identity: error 60222, "The from address does not match a
 * verified Sender Identity. Mail cannot be sent until this error is resolved. Visit
 * https://sendgrid.com/docs/for-developers/sending-email/sender-identity/ to see the Sender
 * Identity requirements", HTTP 403, `"field": "from"` (https://www.twilio.com/docs/api/errors/60222,
 * https://www.twilio.com/docs/sendgrid/for-developers/sending-email/sender-identity). Only the
 * latter names the from field or the Sender Identity; it is a sender problem, not a bad key.
 */
function senderIdentityError(e: { message?: string; field?: string | null }): boolean {
	return e.field === 'from' || /sender identity/i.test(e.message ?? '');
}

/**
 * SendGrid answers a plan whose email credits are used up with HTTP 401 "Maximum credits exceeded"
 * ("You have reached the credit limit of your plan"; reset daily on the free plan, monthly on most
 * others: https://support.sendgrid.com/hc/en-us/articles/18322114821403-4XX-API-Errors-and-Troubleshooting-Suggestions;
 * the body `{"errors":[{"message":"Maximum credits exceeded","field":null,"help":null}]}` as in
 * https://github.com/sendgrid/sendgrid-nodejs/issues/1032). The key is fine, and no later request
 * of the run would be accepted: not a rejected credential but a stop of the run (stopsRun), also
 * when earlier requests were accepted (before, each later request was sent and refused the same).
 */
function creditsExceeded(list: Array<{ message?: string }>): boolean {
	return list.some((e) => /maximum credits exceeded/i.test(e.message ?? ''));
}

export const sendgrid: EspProvider = {
	id: 'sendgrid',
	displayName: 'SendGrid',
	maxBatch: { rendered: SENDGRID_MAX_PERSONALIZATIONS, template: SENDGRID_MAX_PERSONALIZATIONS },
	acceptsIdempotencyKey: false,

	plan(messages: OutboundMessage[], mode: DispatchMode, settings: ProviderSettings): RequestPlan[] {
		const url = `${baseUrl(settings, 'https://api.sendgrid.com')}/v3/mail/send`;
		// Group messages that may share one request, keeping input order inside each group.
		const groups = new Map<string, { kind: 'template' | 'substitute' | 'shared'; messages: OutboundMessage[] }>();
		for (const m of messages) {
			let key: string;
			let kind: 'template' | 'substitute' | 'shared';
			if (mode === 'template') {
				kind = 'template';
				key = `t|${m.templateId ?? ''}|${envelope(m)}`;
			} else if (canSubstitute(m)) {
				kind = 'substitute';
				key = `s|${m.html ? 1 : 0}${m.text ? 1 : 0}|${envelope(m)}`;
			} else {
				kind = 'shared';
				const digest = createHash('sha1').update(m.html ?? '').update('\u0000').update(m.text ?? '').digest('base64');
				key = `c|${digest}|${envelope(m)}`;
			}
			let group = groups.get(key);
			if (!group) groups.set(key, (group = { kind, messages: [] }));
			group.messages.push(m);
		}
		const plans: RequestPlan[] = [];
		for (const group of groups.values()) {
			for (const batch of split(group.messages)) {
				const first = batch[0];
				const body: Json = {
					personalizations: batch.map((m) => personalization(m, mode, group.kind === 'substitute')),
					from: addr(first.from),
				};
				if (first.replyTo) body.reply_to = addr(first.replyTo);
				if (mode === 'template') {
					body.template_id = first.templateId;
				} else if (group.kind === 'substitute') {
					body.content = content(first.text !== undefined && first.text !== '' ? SENDGRID_TEXT_TAG : undefined, first.html ? SENDGRID_HTML_TAG : undefined);
				} else {
					body.content = content(first.text, first.html);
				}
				if (first.tags?.length) body.categories = first.tags.slice(0, 10);
				if (first.options?.sandboxMode) body.mail_settings = { sandbox_mode: { enable: true } };
				plans.push({
					request: {
						method: 'POST',
						url,
						headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
						body: JSON.stringify(body),
					},
					messages: batch,
				});
			}
		}
		return plans;
	},

	parse(plan: RequestPlan, response: HttpResponseSpec): MessageResult[] {
		if (response.status === 202 || response.status === 200) {
			return sameForAll(plan, {
				status: 'queued',
				responseCode: response.status,
				providerMessageId: header(response, 'x-message-id'),
			});
		}
		const parsed = parseJson(response.body) as { errors?: Array<{ message?: string; field?: string | null }> } | undefined;
		const list = Array.isArray(parsed?.errors) ? parsed.errors : [];
		const errors = list.map((e) => (e.field ? `${e.field}: ${e.message ?? ''}` : e.message ?? '')).filter(Boolean);
		const error = `SendGrid ${response.status}${errors.length ? `: ${errors.join('; ')}` : ''}`;
		if (response.status === 401 && creditsExceeded(list)) {
			const stopsRun = `SendGrid's plan has used up its email credits (${error}), so the rest of this run was not sent`.slice(0, 300);
			return sameForAll(plan, { status: 'failed', responseCode: 401, retryable: false, error: error.slice(0, 1000), stopsRun });
		}
		if (response.status === 403 && list.some(senderIdentityError)) {
			// Not the key: the from address is not a verified Sender Identity (one sender per request).
			const from = plan.messages[0]?.from.email ?? '';
			return sameForAll(plan, { status: 'failed', responseCode: 403, refused: 'sender', retryable: false, error: `SendGrid refused the sender "${from}": ${error}`.slice(0, 1000) });
		}
		const named = response.status === 400 && plan.messages.length > 1 ? personalizationErrors(list) : undefined;
		if (named) {
			// SendGrid refused the whole request for the personalizations it names (e.g. "Does not contain a
			// valid address."): those fail, the others were not sent and go again without them.
			return plan.messages.map((m, i): MessageResult => {
				const own = named.get(i);
				return own
					? { index: m.index, status: 'failed', responseCode: 400, retryable: false, error: `SendGrid 400: ${own.join('; ')}`.slice(0, 1000) }
					: refusedForOthers(m, 400, `SendGrid refused the whole request for other recipients in it: ${error}`);
			});
		}
		const results = httpFailure(plan, response, error.slice(0, 1000));
		const reset = response.status === 429 ? resetSeconds(response) : undefined;
		if (reset !== undefined) for (const r of results) r.retryAfterSeconds ??= reset;
		return results;
	},
};

/**
 * Seconds until SendGrid's rate-limit period ends, from a 429's `X-RateLimit-Reset` (the Unix time
 * it ends: https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/rate-limits;
 * SendGrid sends no Retry-After). Undefined when absent or not a number.
 */
function resetSeconds(response: HttpResponseSpec, now = Date.now()): number | undefined {
	const value = header(response, 'x-ratelimit-reset')?.trim();
	if (!value || !/^\d+$/.test(value)) return undefined;
	return Math.max(0, Number(value) - Math.floor(now / 1000));
}

/**
 * A 400 whose every error names a recipient address of a personalization (`field`
 * "personalizations.<n>.to|cc|bcc.<m>.email", as SendGrid names an address it refuses:
 * "personalizations.3.to.0.email", or its recipient list, "personalizations.1.to": "The to array
 * is required for all personalization objects, and must have at least one email object with a
 * valid email address", https://github.com/sendgrid/sendgrid-ruby/issues/467), as the errors by personalization; undefined when any error is
 * about something else, even of one personalization (its headers, subject, substitutions...):
 * such a problem is likely shared by every message of the request, and failing the named one and
 * sending the rest again could take one request per message.
 * SendGrid sends nothing of a request it answers 400.
 */
function personalizationErrors(list: Array<{ message?: string; field?: string | null }>): Map<number, string[]> | undefined {
	if (!list.length) return undefined;
	const named = new Map<number, string[]>();
	for (const e of list) {
		const at = /^personalizations\.(\d+)\.(?:to|cc|bcc)(?:\.\d+\.email)?$/.exec(e.field ?? '');
		if (!at) return undefined;
		const n = Number(at[1]);
		named.set(n, [...(named.get(n) ?? []), `${e.field}: ${e.message ?? ''}`]);
	}
	return named;
}
