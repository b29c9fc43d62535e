/**
 * Postmark Email API.
 *  - POST /email/batch: up to 500 messages per call, 50 MB total payload.
 *    https://postmarkapp.com/developer/api/email-api#send-batch-emails
 *  - POST /email/batchWithTemplates: `{ "Messages": [...] }`, up to 500 templated messages.
 *    https://postmarkapp.com/developer/api/templates-api#send-batch-with-templates
 *  - Answer: HTTP 200 with one result per message, in order:
 *    `{ "ErrorCode": 0, "Message": "OK", "MessageID": "...", "SubmittedAt": "...", "To": "..." }`;
 *    a message that failed has a non-zero ErrorCode (e.g. 406 inactive recipient, 300 invalid
 *    email request) while the others were sent: each recipient gets its own status.
 *  - Request errors: `{ "ErrorCode": 10, "Message": "..." }` with 401 (bad token) or 422.
 *    https://postmarkapp.com/developer/api/overview#error-codes
 *  - Refusals that every later message would get the same, whether one message's result or the
 *    whole request's: ErrorCode 405 "Not allowed to send" (the account ran out of credits) and 413
 *    "Account may not send" stop the run (ACCOUNT_REFUSALS); 400 "Sender signature not found" and
 *    401 "Sender signature not confirmed" refuse the sender (SENDER_REFUSALS). 406 (inactive
 *    recipient) and 412 (account pending: only some recipients are allowed) stay per message.
 *  - Metadata: at most 10 fields, names up to 20 characters, values up to 80.
 *    https://postmarkapp.com/support/article/1125-custom-metadata-faq
 *    The recipient's userId (`pz_user_id`) goes in when at most 80 characters, else it is left out;
 *    a message with any other value over a limit is refused before any request (check), the field
 *    named, and is never sent with a cut value.
 *  - Message streams: `MessageStream` per message (default "outbound"; broadcasts go to a
 *    broadcast stream). https://postmarkapp.com/developer/api/email-api#send-a-single-email
 */
import { USER_ID_KEY } from '../../types/attribution';
import type { DispatchMode, EspProvider, HttpResponseSpec, MessageProblem, MessageResult, OutboundMessage, ProviderSettings, RequestPlan } from '../types';
import { chunk } from './batch-helpers';
import { ATTRIBUTION_LABELS, baseUrl, byteLength, formatAddress, httpFailure, parseJson } from '../util';

export const POSTMARK_MAX_BATCH = 500;
const MAX_REQUEST_BYTES = 50 * 1000 * 1000 - 64 * 1024;

type Json = Record<string, unknown>;

/** Postmark ErrorCodes that mean "this recipient is suppressed on Postmark's side". */
const INACTIVE_RECIPIENT = 406;

/**
 * ErrorCodes refusing the whole account (https://postmarkapp.com/developer/api/overview#error-codes):
 * 405 "Not allowed to send" (the account ran out of credits) and 413 "Account may not send". Not
 * retried, and the rest of the run is not sent (stopsRun): each later message would be refused the same.
 */
const ACCOUNT_REFUSALS = new Set([405, 413]);
/**
 * ErrorCodes refusing the From address (same page): 400 "Sender signature not found" and 401 "Sender
 * signature not confirmed" (not HTTP 401, the bad token: that one is ErrorCode 10). The engine sends
 * no later message from that address (refused: 'sender').
 */
const SENDER_REFUSALS = new Set([400, 401]);

/** What an ErrorCode refuses beyond its own message, as MessageResult fields (none for the others). */
function refusalOf(code: number, text: string): Pick<MessageResult, 'stopsRun' | 'refused'> {
	if (ACCOUNT_REFUSALS.has(code)) return { stopsRun: `Postmark refused to send for the whole account (ErrorCode ${code}: ${text}), so the rest of this run was not sent`.slice(0, 300) };
	if (SENDER_REFUSALS.has(code)) return { refused: 'sender' };
	return {};
}

/**
 * Postmark metadata: at most 10 fields, names up to 20 characters, values up to 80
 * (https://postmarkapp.com/support/article/1125-custom-metadata-faq). The API refuses a message
 * over them: "Invalid metadata content. Field names are limited to 20 characters and field values
 * are limited to 80 characters in length." (the answer as quoted in
 * https://github.com/dittofeed/dittofeed/pull/1759). Counted here in UTF-16 code units
 * (JavaScript's length), never fewer than the characters.
 */
export const POSTMARK_MAX_METADATA_FIELDS = 10;
export const POSTMARK_MAX_METADATA_NAME = 20;
export const POSTMARK_MAX_METADATA_VALUE = 80;

/**
 * The message's metadata as sent: the recipient's userId only when it fits (a longer one is left
 * out, never cut: a cut one would name another customer). Every other value goes as it is, never
 * cut: a message whose metadata Postmark would refuse is refused before any request (check,
 * metadataProblem), so that a cut campaign or variant never reaches the engagement data.
 */
function metadataEntries(m: OutboundMessage): Array<[string, string]> {
	return Object.entries(m.metadata).filter(([k, v]) => k !== USER_ID_KEY || v.length <= POSTMARK_MAX_METADATA_VALUE);
}

function metadata(m: OutboundMessage): Json | undefined {
	const entries = metadataEntries(m);
	return entries.length ? Object.fromEntries(entries) : undefined;
}

/** The first metadata limit the message breaks (field `metadata.<key>`), or undefined. */
function metadataProblem(m: OutboundMessage): MessageProblem | undefined {
	const entries = metadataEntries(m);
	for (const [key, value] of entries) {
		const field = `metadata.${key}`;
		const label = ATTRIBUTION_LABELS[key] ? `the ${ATTRIBUTION_LABELS[key]} (Postmark metadata ${key})` : `the Postmark metadata field ${key}`;
		if (key.length > POSTMARK_MAX_METADATA_NAME) {
			return { field, message: `the Postmark metadata field name ${key} is ${key.length} characters, more than the ${POSTMARK_MAX_METADATA_NAME} Postmark allows in a metadata field name` };
		}
		if (value.length > POSTMARK_MAX_METADATA_VALUE) {
			return { field, message: `${label} is ${value.length} characters, more than the ${POSTMARK_MAX_METADATA_VALUE} Postmark allows in a metadata value` };
		}
	}
	if (entries.length > POSTMARK_MAX_METADATA_FIELDS) {
		return { field: 'metadata', message: `the message has ${entries.length} Postmark metadata fields, more than the ${POSTMARK_MAX_METADATA_FIELDS} Postmark allows` };
	}
	return undefined;
}

function toPostmark(m: OutboundMessage, mode: DispatchMode): Json {
	const out: Json = { From: formatAddress(m.from), To: formatAddress(m.to) };
	if (m.replyTo) out.ReplyTo = formatAddress(m.replyTo);
	if (mode === 'template') {
		const id = m.templateId ?? '';
		if (/^\d+$/.test(id)) out.TemplateId = Number(id);
		else out.TemplateAlias = id;
		out.TemplateModel = m.variables ?? {};
	} else {
		out.Subject = m.subject ?? '';
		if (m.html) out.HtmlBody = m.html;
		if (m.text) out.TextBody = m.text;
	}
	const headers = Object.entries(m.headers).map(([Name, Value]) => ({ Name, Value }));
	if (headers.length) out.Headers = headers;
	if (m.tags?.length) out.Tag = m.tags[0].slice(0, 1000);
	const meta = metadata(m);
	if (meta) out.Metadata = meta;
	const stream = m.options?.messageStream;
	out.MessageStream = typeof stream === 'string' && stream ? stream : 'outbound';
	return out;
}

export const postmark: EspProvider = {
	id: 'postmark',
	displayName: 'Postmark',
	maxBatch: { rendered: POSTMARK_MAX_BATCH, template: POSTMARK_MAX_BATCH },
	acceptsIdempotencyKey: false,

	check(message: OutboundMessage): MessageProblem | undefined {
		return metadataProblem(message);
	},

	plan(messages: OutboundMessage[], mode: DispatchMode, settings: ProviderSettings): RequestPlan[] {
		const base = baseUrl(settings, 'https://api.postmarkapp.com');
		const url = mode === 'template' ? `${base}/email/batchWithTemplates` : `${base}/email/batch`;
		// Each message is serialised once: its JSON gives its size (plus the comma) and is joined into the body.
		const json = new Map(messages.map((m) => [m, JSON.stringify(toPostmark(m, mode))]));
		const size = (m: OutboundMessage) => byteLength(json.get(m)) + 1;
		return chunk(messages, POSTMARK_MAX_BATCH, { maxBytes: MAX_REQUEST_BYTES, size }).map((batch) => {
			const array = `[${batch.map((m) => json.get(m)).join(',')}]`;
			return {
				request: {
					method: 'POST' as const,
					url,
					headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
					body: mode === 'template' ? `{"Messages":${array}}` : array,
				},
				messages: batch,
			};
		});
	},

	parse(plan: RequestPlan, response: HttpResponseSpec): MessageResult[] {
		const parsed = parseJson(response.body);
		if (response.status === 200 && Array.isArray(parsed) && parsed.length === plan.messages.length) {
			return plan.messages.map((m, i) => {
				const r = (parsed[i] ?? {}) as { ErrorCode?: number; Message?: string; MessageID?: string };
				const code = Number(r.ErrorCode ?? 0);
				if (code === 0) return { index: m.index, status: 'sent', responseCode: 200, providerMessageId: r.MessageID };
				return {
					index: m.index,
					status: code === INACTIVE_RECIPIENT ? 'suppressed' : 'failed',
					responseCode: 200,
					error: `Postmark ErrorCode ${code}: ${r.Message ?? ''}`.slice(0, 1000),
					retryable: false,
					...refusalOf(code, r.Message ?? ''),
				};
			});
		}
		if (response.status === 200) {
			// 200 whose body we cannot match to the messages: the provider accepted the request.
			return plan.messages.map((m) => ({
				index: m.index,
				status: 'unknown',
				responseCode: 200,
				error: 'Postmark answered 200 but the per-message results could not be read; reconcile with Postmark message search',
			}));
		}
		const r = (parsed ?? {}) as { ErrorCode?: number; Message?: string };
		const error = `Postmark ${response.status}${r.ErrorCode !== undefined ? ` ErrorCode ${r.ErrorCode}` : ''}${r.Message ? `: ${r.Message}` : ''}`;
		const results = httpFailure(plan, response, error.slice(0, 1000));
		// A 422 with an account or sender refusal is the same refusal for the whole request.
		if (response.status === 422 && typeof r.ErrorCode === 'number') {
			const refusal = refusalOf(r.ErrorCode, r.Message ?? '');
			for (const result of results) Object.assign(result, refusal);
		}
		return results;
	},
};
