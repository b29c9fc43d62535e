/**
 * Amazon SES API v2, any region (https://email.{region}.amazonaws.com), signed with SigV4 by
 * the credential (../sigv4.ts).
 *
 * - Rendered mode: SendEmail (POST /v2/email/outbound-emails), one message per request: SES v2
 *   has no call that carries several different rendered messages. Simple content with
 *   Subject, Html, Text and Headers (List-Unsubscribe, test-mode header...).
 *   https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
 *   https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MessageHeader.html
 * - Template mode: SendBulkEmail (POST /v2/email/outbound-bulk-emails), up to 50 destinations
 *   per call, each BulkEmailEntry with its own ReplacementTemplateData, ReplacementTags and
 *   ReplacementHeaders; messages share a call when sender, reply-to, template and
 *   configuration set match. The answer has one BulkEmailEntryResult per entry, in order.
 *   https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendBulkEmail.html
 *   https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_BulkEmailEntryResult.html
 * - Attribution: EmailTags / ReplacementTags `{ Name, Value }` (ASCII letters, digits, `_`, `-`,
 *   ≤256 characters), published with SES event destinations. The `pz_*` values (attribution and
 *   the recipient's userId) are written reversibly (metadataTags: `b64-` + base64url when they
 *   hold other characters), or left out; the message's own tags (`tags`) become tag-safe names.
 *   https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MessageTag.html
 * - Throttling (maximum sending rate) pauses the credential and is retried; a used-up daily sending
 *   quota, a suspended or paused account is not retried and stops the run (stopsRun,
 *   DAILY_QUOTA_TEXT, ACCOUNT_REFUSAL_TYPES); an unverified MAIL FROM domain refuses its sender.
 * - No idempotency token exists for these calls.
 * - A SendBulkEmail call answered 400 sent nothing. Refused for what one entry carries without
 *   naming it (BadRequestException "Illegal address", or a sandbox MessageRejected), its messages
 *   are sent again (refusedForSomeEntry): in halves down to one, or without the recipients the answer names.
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
	asciiHeaderValue,
	chunk,
	failAll,
	groupBy,
	metadataTags,
	stableJson,
	tagSafe,
} from './batch-helpers';
import { header, isRecord, isRetryableStatus, parseJson, refusedForOthers, stringSetting, trimSlash } from '../util';

export const SES_MAX_BULK_ENTRIES = 50;

/** Error types worth retrying whatever the status (throttling). */
const RETRYABLE_TYPES = new Set(['TooManyRequestsException', 'Throttling', 'ThrottlingException', 'ServiceUnavailable', 'InternalFailure']);
/** BulkEmailEntryResult statuses worth retrying. */
const RETRYABLE_ENTRY = new Set(['TRANSIENT_FAILURE', 'ACCOUNT_THROTTLED']);
/**
 * Throttling of the account rather than of one message, whatever the HTTP status: the engine
 * pauses the whole credential (as after a 429) before retrying. `ACCOUNT_THROTTLED` comes inside
 * a 200 SendBulkEmail answer ("your account has exceeded its allocated sending limit",
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_BulkEmailEntryResult.html);
 * `ThrottlingException` is what the API answers once the maximum sending rate is exceeded
 * (https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html; the same type for
 * the daily quota stops the run instead, DAILY_QUOTA_TEXT), HTTP 400
 * (https://docs.aws.amazon.com/ses/latest/APIReference-V2/CommonErrors.html);
 * `TooManyRequestsException` is HTTP 429 in the SES v2 model.
 */
const THROTTLING_TYPES = new Set(['TooManyRequestsException', 'Throttling', 'ThrottlingException']);

/**
 * The daily sending quota (the emails the account may send in 24 hours) is used up: SES answers
 * the same `ThrottlingException` as for the maximum sending rate, told apart only by its message,
 * "Daily message quota exceeded" (vs "Maximum sending rate exceeded",
 * https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html); in a SendBulkEmail
 * answer, an entry's Status `ACCOUNT_DAILY_QUOTA_EXCEEDED` ("You have reached or exceeded the
 * maximum number of emails you can send from your account in a 24-hour period",
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_BulkEmailEntryResult.html). The quota
 * does not come back within a run: not retried, and the rest of the run is not sent (stopsRun).
 */
const DAILY_QUOTA_TEXT = /daily message quota exceeded/i;
const DAILY_QUOTA_ENTRY = 'ACCOUNT_DAILY_QUOTA_EXCEEDED';

function dailyQuotaStop(what: string): string {
	return `Amazon SES's daily sending quota is used up (${what}), so the rest of this run was not sent`;
}

/**
 * Refusals of the whole account, which every later message of the run would get the same: SES v2
 * SendEmail / SendBulkEmail `AccountSuspendedException` ("the account's ability to send email has
 * been permanently restricted") and `SendingPausedException` ("the account's ability to send email
 * is currently paused"), https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html;
 * in a SendBulkEmail answer the entry statuses `ACCOUNT_SUSPENDED` and `ACCOUNT_SENDING_PAUSED`
 * (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_BulkEmailEntryResult.html). Not
 * retried, and the rest of the run is not sent (stopsRun), as for the daily quota.
 */
const ACCOUNT_REFUSAL_TYPES = new Set(['AccountSuspendedException', 'SendingPausedException']);
const ACCOUNT_REFUSAL_ENTRIES = new Set(['ACCOUNT_SUSPENDED', 'ACCOUNT_SENDING_PAUSED']);

function accountStop(what: string): string {
	return `Amazon SES refused to send for the whole account (${what}), so the rest of this run was not sent`;
}

/**
 * The sender's MAIL FROM domain is not verified (`MailFromDomainNotVerifiedException`, entry status
 * `MAIL_FROM_DOMAIN_NOT_VERIFIED`, same references): a refusal of the sender, so the engine sends no
 * later message from that address, and the other senders' messages still go.
 */
const SENDER_REFUSAL_TYPE = 'MailFromDomainNotVerifiedException';
const SENDER_REFUSAL_ENTRY = 'MAIL_FROM_DOMAIN_NOT_VERIFIED';

export function sesEndpoint(settings: ProviderSettings): string {
	const override = stringSetting(settings, 'baseUrl');
	if (override) return trimSlash(override);
	const region = stringSetting(settings, 'region', 'us-east-1');
	if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new Error(`Amazon SES: "${region}" is not an AWS region name`);
	return `https://email.${region}.amazonaws.com`;
}

/** SES wants 7-bit addresses: a non-ASCII display name becomes an RFC 2047 encoded-word. */
function sesAddress(address: { email: string; name?: string }): string {
	const name = address.name?.replace(/[\r\n]+/g, ' ').trim();
	if (!name) return address.email;
	if (/^[\x20-\x7e]*$/.test(name)) return `"${name.replace(/(["\\])/g, '\\$1')}" <${address.email}>`;
	return `${asciiHeaderValue(name)} <${address.email}>`;
}

function tags(message: OutboundMessage): Array<{ Name: string; Value: string }> {
	return [
		...metadataTags(message.metadata).map(([Name, Value]) => ({ Name, Value })),
		...(message.tags ?? []).map((t) => ({ Name: tagSafe(t), Value: 'true' })),
	];
}

function headers(message: OutboundMessage): Array<{ Name: string; Value: string }> {
	return Object.entries(message.headers).map(([Name, value]) => ({ Name, Value: asciiHeaderValue(value) }));
}

/**
 * SES MessageHeader: Name 1–126 printable ASCII characters other than ":" (pattern
 * `^[!-9;-@A-~]+$`), Value 1–870 printable ASCII characters (pattern `[ -~]*`)
 * (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MessageHeader.html). Checked on the
 * value as sent, i.e. after a non-ASCII value became an RFC 2047 encoded-word. One header over the
 * limit would fail the whole request (a SendBulkEmail call carries 50 messages).
 */
export const SES_MAX_HEADER_NAME = 126;
export const SES_MAX_HEADER_VALUE = 870;
const HEADER_NAME = /^[!-9;-~]+$/;

function checkHeaders(message: OutboundMessage): MessageProblem | undefined {
	for (const [name, raw] of Object.entries(message.headers)) {
		const field = `headers.${name}`;
		if (name.length > SES_MAX_HEADER_NAME || !HEADER_NAME.test(name)) {
			return { field, message: `Amazon SES refuses the header name "${name.slice(0, 40)}": at most ${SES_MAX_HEADER_NAME} printable ASCII characters, no colon` };
		}
		const value = asciiHeaderValue(raw);
		if (value.length === 0) return { field, message: `Amazon SES refuses an empty value for the ${name} header` };
		if (value.length > SES_MAX_HEADER_VALUE) {
			const encoded = value === raw.replace(/[\r\n]+/g, ' ') ? '' : ' once RFC 2047-encoded';
			return { field, message: `the ${name} header value is ${value.length} characters${encoded}, more than the ${SES_MAX_HEADER_VALUE} Amazon SES allows in a header value` };
		}
	}
	return undefined;
}

/**
 * SendBulkEmail's ReplacementTemplateData: "Length Constraints: Maximum length of 262144"
 * (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_ReplacementTemplate.html), counted
 * here in UTF-16 code units (JavaScript's length, never fewer than the characters). Over it, SES
 * refuses the whole call (up to 50 messages), so such a message fails alone before any request.
 */
export const SES_MAX_TEMPLATE_DATA = 262144;

function checkTemplateData(message: OutboundMessage): MessageProblem | undefined {
	const length = JSON.stringify(message.variables ?? {}).length;
	if (length <= SES_MAX_TEMPLATE_DATA) return undefined;
	return { field: 'variables', message: `the template variables are ${length.toLocaleString('en-US')} characters as JSON, more than the ${SES_MAX_TEMPLATE_DATA.toLocaleString('en-US')} Amazon SES allows in a message's template data` };
}

function configurationSet(message: OutboundMessage, settings: ProviderSettings): string | undefined {
	const fromOptions = message.options?.ConfigurationSetName ?? message.options?.configurationSetName;
	if (typeof fromOptions === 'string' && fromOptions) return fromOptions;
	return stringSetting(settings, 'configurationSetName') || undefined;
}

function sendEmailBody(message: OutboundMessage, settings: ProviderSettings): string {
	const utf8 = (Data: string) => ({ Data, Charset: 'UTF-8' });
	const body: Record<string, unknown> = {};
	if (message.html !== undefined) body.Html = utf8(message.html);
	if (message.text !== undefined) body.Text = utf8(message.text);
	const simple: Record<string, unknown> = { Subject: utf8(message.subject ?? ''), Body: body };
	const h = headers(message);
	if (h.length) simple.Headers = h;
	const request: Record<string, unknown> = {
		FromEmailAddress: sesAddress(message.from),
		Destination: { ToAddresses: [sesAddress(message.to)] },
		Content: { Simple: simple },
	};
	if (message.replyTo) request.ReplyToAddresses = [sesAddress(message.replyTo)];
	const t = tags(message);
	if (t.length) request.EmailTags = t;
	const set = configurationSet(message, settings);
	if (set) request.ConfigurationSetName = set;
	return JSON.stringify(request);
}

function bulkBody(messages: OutboundMessage[], settings: ProviderSettings): string {
	const first = messages[0];
	const request: Record<string, unknown> = {
		FromEmailAddress: sesAddress(first.from),
		DefaultContent: { Template: { TemplateName: first.templateId, TemplateData: '{}' } },
		BulkEmailEntries: messages.map((m) => {
			const entry: Record<string, unknown> = {
				Destination: { ToAddresses: [sesAddress(m.to)] },
				ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: JSON.stringify(m.variables ?? {}) } },
			};
			const t = tags(m);
			if (t.length) entry.ReplacementTags = t;
			const h = headers(m);
			if (h.length) entry.ReplacementHeaders = h;
			return entry;
		}),
	};
	if (first.replyTo) request.ReplyToAddresses = [sesAddress(first.replyTo)];
	const set = configurationSet(first, settings);
	if (set) request.ConfigurationSetName = set;
	return JSON.stringify(request);
}

/** AWS error type: x-amzn-ErrorType header ("Type:uri"), else the body's __type or code. */
export function sesErrorType(response: HttpResponseSpec): string | undefined {
	const fromHeader = header(response, 'x-amzn-errortype')?.split(':')[0];
	if (fromHeader) return fromHeader;
	const parsed = parseJson(response.body);
	if (!isRecord(parsed)) return undefined;
	const type = parsed.__type ?? parsed.code ?? parsed.Code;
	return typeof type === 'string' ? type.split('#').pop() : undefined;
}

/** The identities a MessageRejected names: "… failed the check in region US-EAST-1: a@b.c, Name <d@e.f>" (may end with "…"). */
function rejectedIdentities(message: string): Set<string> | undefined {
	const at = /failed the check in region [^:]*:\s*(.+)$/is.exec(message);
	if (!at) return undefined;
	const list = at[1].replace(/(\.\.\.|…)\s*$/, '').split(',');
	return new Set(list.map((part) => (/<([^>]+)>\s*$/.exec(part)?.[1] ?? part).trim().toLowerCase()).filter(Boolean));
}

/** A BadRequestException about what every entry of a SendBulkEmail call shares (sender, template, configuration set, the entries list itself). */
const CALL_LEVEL = /FromEmailAddress|ReplyToAddresses|TemplateName|DefaultContent|ConfigurationSet|BulkEmailEntries|sender|template does not exist/i;

/**
 * A SendBulkEmail call refused whole (HTTP 400: SES sends nothing of it) for what one entry carries,
 * when the answer does not say which entry: e.g. one malformed address, `BadRequestException:
 * Illegal address` (as the SES v2 SDKs report it:
 * https://github.com/awsdocs/aws-doc-sdk-examples/pull/5191), or, in the SES sandbox, a recipient
 * that is not a verified identity: `MessageRejected: Email address is not verified. The following
 * identities failed the check in region US-EAST-1: <identities>`
 * (https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-error-messages.html). The entries whose
 * recipient a MessageRejected names fail, the others are sent again without them (sendAgain);
 * when it names none of them, or a BadRequestException names nothing the call shares, the entries
 * are sent again in halves, down to one (the engine's sendAgain), so that only the one at fault fails. A MessageRejected naming the sender, or a
 * BadRequestException about what the call shares (CALL_LEVEL), is left as it is: alone, each
 * message would be refused the same. Undefined when neither applies.
 */
function refusedForSomeEntry(plan: RequestPlan, type: string | undefined, message: string, text: string): MessageResult[] | undefined {
	const bare = (a: string) => a.trim().toLowerCase();
	const whole = (m: OutboundMessage): MessageResult => refusedForOthers(m, 400, `Amazon SES refused the whole SendBulkEmail call of ${plan.messages.length} messages for another of its entries: ${text}`);
	if (type === 'MessageRejected') {
		const named = rejectedIdentities(message);
		if (named === undefined) return plan.messages.map(whole);
		const senders = plan.messages.map((m) => bare(m.from.email));
		if (senders.some((s) => named.has(s) || named.has(s.slice(s.lastIndexOf('@') + 1)))) return undefined;
		return plan.messages.map((m): MessageResult => (named.has(bare(m.to.email))
			? { index: m.index, status: 'failed', responseCode: 400, retryable: false, error: `Amazon SES refused the recipient "${m.to.email}": ${text}`.slice(0, 1000) }
			: whole(m)));
	}
	if (type === 'BadRequestException' && !CALL_LEVEL.test(message)) return plan.messages.map(whole);
	return undefined;
}

export const ses: EspProvider = {
	id: 'ses',
	displayName: 'Amazon SES',
	maxBatch: { rendered: 1, template: SES_MAX_BULK_ENTRIES },
	acceptsIdempotencyKey: false,

	check(message: OutboundMessage, mode: DispatchMode): MessageProblem | undefined {
		return checkHeaders(message) ?? (mode === 'template' ? checkTemplateData(message) : undefined);
	},

	plan(messages: OutboundMessage[], mode: DispatchMode, settings: ProviderSettings): RequestPlan[] {
		const base = sesEndpoint(settings);
		const json = { 'content-type': 'application/json' };
		if (mode === 'rendered') {
			return messages.map((m) => ({
				request: { method: 'POST', url: `${base}/v2/email/outbound-emails`, headers: { ...json }, body: sendEmailBody(m, settings) },
				messages: [m],
			}));
		}
		const key = (m: OutboundMessage) => stableJson([m.from, m.replyTo ?? null, m.templateId, configurationSet(m, settings) ?? null]);
		return groupBy(messages, key).flatMap((group) =>
			chunk(group, SES_MAX_BULK_ENTRIES).map((part) => ({
				request: { method: 'POST' as const, url: `${base}/v2/email/outbound-bulk-emails`, headers: { ...json }, body: bulkBody(part, settings) },
				messages: part,
			})),
		);
	},

	parse(plan: RequestPlan, response: HttpResponseSpec): MessageResult[] {
		const parsed = parseJson(response.body);
		if (response.status >= 200 && response.status < 300 && isRecord(parsed)) {
			if (Array.isArray(parsed.BulkEmailEntryResults)) {
				const entries = parsed.BulkEmailEntryResults as unknown[];
				return plan.messages.map((m, i): MessageResult => {
					const entry = entries[i];
					if (!isRecord(entry)) {
						return { index: m.index, status: 'unknown', responseCode: response.status, error: 'SES returned no result for this entry' };
					}
					const status = String(entry.Status ?? '');
					const id = typeof entry.MessageId === 'string' ? entry.MessageId : undefined;
					if (status === 'SUCCESS') return { index: m.index, status: 'sent', responseCode: response.status, ...(id ? { providerMessageId: id } : {}) };
					const detail = typeof entry.Error === 'string' && entry.Error ? `: ${entry.Error}` : '';
					const error = `SES ${status}${detail}`.slice(0, 500);
					if (status === DAILY_QUOTA_ENTRY || DAILY_QUOTA_TEXT.test(detail)) {
						return { index: m.index, status: 'failed', responseCode: response.status, error, retryable: false, stopsRun: dailyQuotaStop(status) };
					}
					if (ACCOUNT_REFUSAL_ENTRIES.has(status)) {
						return { index: m.index, status: 'failed', responseCode: response.status, error, retryable: false, stopsRun: accountStop(`${status}${detail}`.slice(0, 200)) };
					}
					if (status === SENDER_REFUSAL_ENTRY) return { index: m.index, status: 'failed', responseCode: response.status, error, retryable: false, refused: 'sender' };
					return {
						index: m.index,
						status: 'failed',
						responseCode: response.status,
						error,
						retryable: RETRYABLE_ENTRY.has(status),
						...(status === 'ACCOUNT_THROTTLED' ? { rateLimited: true } : {}),
					};
				});
			}
			if (typeof parsed.MessageId === 'string') {
				return plan.messages.map((m) => ({ index: m.index, status: 'sent', responseCode: response.status, providerMessageId: parsed.MessageId as string }));
			}
		}
		if (response.status >= 200 && response.status < 300) {
			return plan.messages.map((m) => ({ index: m.index, status: 'unknown', responseCode: response.status, error: 'SES answered without a message id' }));
		}
		const type = sesErrorType(response);
		const message = isRecord(parsed) ? (parsed.message ?? parsed.Message) : undefined;
		const text = `HTTP ${response.status}${type ? ` ${type}` : ''}${typeof message === 'string' ? `: ${message}` : ''}`;
		if (type !== undefined && THROTTLING_TYPES.has(type) && typeof message === 'string' && DAILY_QUOTA_TEXT.test(message)) {
			const stop = dailyQuotaStop(`${type}: ${message}`.slice(0, 200));
			return failAll(plan, response, text.slice(0, 500), false).map((r) => ({ ...r, stopsRun: stop }));
		}
		if (type !== undefined && ACCOUNT_REFUSAL_TYPES.has(type)) {
			const stop = accountStop(`${type}${typeof message === 'string' ? `: ${message}` : ''}`.slice(0, 200));
			return failAll(plan, response, text.slice(0, 500), false).map((r) => ({ ...r, stopsRun: stop }));
		}
		if (type === SENDER_REFUSAL_TYPE) return failAll(plan, response, text.slice(0, 500), false).map((r) => ({ ...r, refused: 'sender' as const }));
		const retryable = (type !== undefined && RETRYABLE_TYPES.has(type)) || isRetryableStatus(response.status);
		if (response.status === 400 && plan.messages.length > 1 && typeof message === 'string') {
			const again = refusedForSomeEntry(plan, type, message, text.slice(0, 500));
			if (again) return again;
		}
		const results = failAll(plan, response, text.slice(0, 500), retryable);
		if (type !== undefined && THROTTLING_TYPES.has(type)) for (const r of results) r.rateLimited = true;
		return results;
	},
};
