/**
 * Small pure helpers for the providers that batch messages (Mailgun, SES, Brevo, Mandrill,
 * Resend; Postmark for chunk): address formatting, grouping messages into batches, keys and
 * tags, and turning an HTTP failure into one result per message with the right retry decision.
 * Helpers of every kind (headers, JSON, settings, header lines) are in ../util.
 */
import { createHash } from 'node:crypto';
import { encodeTagValue } from '../../types/attribution';
import { header, isRecord, isRetryableStatus, parseJson, retryAfterSeconds } from '../util';
import type {
	Address,
	HttpResponseSpec,
	MessageResult,
	OutboundMessage,
	RequestPlan,
} from '../types';

/** `"Name" <email>` (RFC 5322 display name, quoted when it holds specials), or the bare email. */
export function formatAddress(address: Address): string {
	const name = address.name?.replace(/[\r\n]+/g, ' ').trim();
	if (!name) return address.email;
	const atom = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(name);
	const display = atom ? name : `"${name.replace(/(["\\])/g, '\\$1')}"`;
	return `${display} <${address.email}>`;
}

/**
 * Seconds a 429 without a Retry-After says to wait, from a header holding the whole seconds until
 * the provider's rate-limit window resets (Brevo `x-sib-ratelimit-reset`, Resend `ratelimit-reset`);
 * undefined for any other answer.
 */
export function rateLimitResetSeconds(response: HttpResponseSpec, name: string): number | undefined {
	if (response.status !== 429 || retryAfterSeconds(response) !== undefined) return undefined;
	const reset = header(response, name)?.trim();
	return reset && /^\d+$/.test(reset) ? Number(reset) : undefined;
}

/** The same failure for every message of a request (the whole request was refused). */
export function failAll(
	plan: RequestPlan,
	response: HttpResponseSpec,
	error: string,
	retryable = isRetryableStatus(response.status),
): MessageResult[] {
	const retryAfter = retryable ? retryAfterSeconds(response) : undefined;
	return plan.messages.map((message) => ({
		index: message.index,
		status: 'failed',
		responseCode: response.status,
		error,
		retryable,
		...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
	}));
}

/** A short, secret-free description of an error body: the provider's own message if it has one. */
export function describeError(response: HttpResponseSpec, fallbackFields: string[] = ['message']): string {
	const parsed = parseJson(response.body);
	if (isRecord(parsed)) {
		const parts: string[] = [];
		for (const field of fallbackFields) {
			const value = parsed[field];
			if (typeof value === 'string' && value) parts.push(value);
		}
		if (parts.length) return `HTTP ${response.status}: ${parts.join(': ')}`.slice(0, 500);
	}
	const text = response.body.replace(/\s+/g, ' ').trim().slice(0, 200);
	return text ? `HTTP ${response.status}: ${text}` : `HTTP ${response.status}`;
}

/** Groups messages by a key, keeping the first-seen order of groups and of messages. */
export function groupBy<T>(items: T[], key: (item: T) => string): T[][] {
	const groups = new Map<string, T[]>();
	for (const item of items) {
		const k = key(item);
		let group = groups.get(k);
		if (!group) groups.set(k, (group = []));
		group.push(item);
	}
	return [...groups.values()];
}

/**
 * Splits a group into chunks of at most `max` messages, at most `maxBytes` of estimated
 * payload, and (when `uniqueRecipients`) no recipient twice in one chunk: providers that key
 * per-recipient data by address (Mailgun recipient-variables, Mandrill merge_vars) cannot
 * carry two messages for the same address in one request.
 */
export function chunk(
	messages: OutboundMessage[],
	max: number,
	options: { maxBytes?: number; size?: (m: OutboundMessage) => number; uniqueRecipients?: boolean } = {},
): OutboundMessage[][] {
	type Chunk = { items: OutboundMessage[]; bytes: number; emails: Set<string> };
	const chunks: Chunk[] = [];
	// Chunks that still have room: normally only the newest one, plus any left open because a
	// recipient already in them came again (kept short, so placement stays linear in practice).
	let open: Chunk[] = [];
	const fits = (c: Chunk, size: number, email: string) =>
		c.items.length < max &&
		(options.maxBytes === undefined || c.items.length === 0 || c.bytes + size <= options.maxBytes) &&
		!(options.uniqueRecipients && c.emails.has(email));
	for (const message of messages) {
		const size = options.size ? options.size(message) : 0;
		const email = message.to.email.toLowerCase();
		let target = open.find((c) => fits(c, size, email));
		if (!target) {
			target = { items: [], bytes: 0, emails: new Set() };
			chunks.push(target);
			// A chunk refused for size stays full; one refused only for a repeated address stays open.
			open = open.filter((c) => c.items.length < max && (options.maxBytes === undefined || c.bytes + size <= options.maxBytes));
			open.push(target);
		}
		target.items.push(message);
		target.bytes += size;
		if (options.uniqueRecipients) target.emails.add(email);
		if (target.items.length >= max) open = open.filter((c) => c !== target);
	}
	return chunks.map((c) => c.items);
}

/** Stable JSON (sorted object keys) for grouping keys. */
export function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (isRecord(value)) {
		return `{${Object.keys(value)
			.sort()
			.filter((k) => value[k] !== undefined)
			.map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

export function sha256Hex(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

/** The keys whose value is the same in every record (and present in all). */
export function sharedEntries(records: Array<Record<string, string>>): Record<string, string> {
	if (records.length === 0) return {};
	const shared: Record<string, string> = {};
	for (const [key, value] of Object.entries(records[0])) {
		if (records.every((r) => r[key] === value)) shared[key] = value;
	}
	return shared;
}

/** Whether every message of a group has the same value for a field. */
export function allSame<T>(messages: OutboundMessage[], pick: (m: OutboundMessage) => T): boolean {
	const first = stableJson(pick(messages[0]));
	return messages.every((m) => stableJson(pick(m)) === first);
}

/** Encodes a header value as an RFC 2047 encoded-word when it is not printable ASCII. */
export function asciiHeaderValue(value: string): string {
	const flat = value.replace(/[\r\n]+/g, ' ');
	if (/^[\x20-\x7e]*$/.test(flat)) return flat;
	return `=?UTF-8?B?${Buffer.from(flat, 'utf8').toString('base64')}?=`;
}

/** Provider tag/name rules (SES, Resend): ASCII letters, digits, underscore and dash, ≤256 chars. */
export function tagSafe(value: string): string {
	const safe = value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);
	return safe === '' ? '_' : safe;
}

/**
 * Longest SES message tag or Resend tag name and value: "It can contain no more than 256
 * characters" (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MessageTag.html;
 * Resend's send-email reference, `tags[].name` / `tags[].value`, words it the same).
 */
export const MAX_TAG_LENGTH = 256;

/**
 * Metadata as SES / Resend tags, `[name, value]`: names made tag-safe (tagSafe; ours, `pz_*`, are),
 * values written reversibly (encodeTagValue: as they are when tag-safe, else `b64-` + base64url) so
 * that the engagement sources read back the very userId, campaign, variant, segment, experiment and
 * message id (`spring.sale`, `Été 2025`); a value is left out when its written form is longer than
 * MAX_TAG_LENGTH (more than 189 UTF-8 bytes needing encoding, or more than 256 tag-safe characters)
 * or it is not well-formed text: never cut, nor rewritten into another value (`a.b` and `a:b` were
 * both `a_b`).
 */
export function metadataTags(metadata: Record<string, string>): Array<[string, string]> {
	const out: Array<[string, string]> = [];
	for (const [key, value] of Object.entries(metadata)) {
		const encoded = encodeTagValue(value);
		if (encoded !== undefined && encoded.length <= MAX_TAG_LENGTH) out.push([tagSafe(key), encoded]);
	}
	return out;
}

/** A UUID-shaped key derived from text (for providers that require a UUID idempotency key). */
export function uuidFrom(text: string): string {
	const h = sha256Hex(text);
	const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The idempotency key of a request: the message's own key for one message, a hash of all keys for a batch. */
export function requestKey(messages: OutboundMessage[], prefix: string, maxLength = 256): string {
	if (messages.length === 1) {
		const own = messages[0].idempotencyKey;
		if (own.length <= maxLength && /^[\x21-\x7e]+$/.test(own)) return own;
	}
	return `${prefix}${sha256Hex(messages.map((m) => m.idempotencyKey).join('\n'))}`;
}

/** HTML-escapes text (for values substituted verbatim into HTML by a provider). */
export function escapeHtml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}
