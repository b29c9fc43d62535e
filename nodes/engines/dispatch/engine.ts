/**
 * The dispatch engine: suppression, duplicate memory, compliance headers, attribution, test
 * mode, dry run, batching (through the provider's plan), per-credential rate limits and
 * concurrency, retries with exponential backoff + jitter honouring Retry-After, and one
 * outcome per input message. Providers stay pure (types.ts); the engine owns the transport.
 */
import { hash, randomBytes } from 'node:crypto';
import { ATTRIBUTION_KEYS, attributionToMetadata, type Attribution, type AttributionKey } from '../types/attribution';
import type {
	Address,
	DispatchMode,
	EspProvider,
	HttpRequestSpec,
	MessageProblem,
	MessageResult,
	OutboundMessage,
	ProviderSettings,
	SendStatus,
	Transport,
} from './types';
import { TransportError } from './types';
import { asciiUri, ATTRIBUTION_LABELS, headerLineMessage } from './util';
import type { Ledger } from './ledger';
import type { KeyClaims, KeyState } from './sentKeys';
import { Limiter, realSleep, type LimitSettings, type Sleep } from './limiter';

/** One input item, as the node read it. */
export interface DispatchItem {
	index: number;
	to: Address;
	from: Address;
	replyTo?: Address;
	subject?: string;
	html?: string;
	text?: string;
	templateId?: string;
	variables?: Record<string, unknown>;
	/** The item's own idempotency key; when absent: deriveIdempotencyKey (recipient, campaign, subject/template and content). */
	idempotencyKey?: string;
	campaignId?: string;
	attribution?: Attribution;
	/**
	 * The input item's field an attribution value was read from, when it did not come from the node's
	 * own parameter (ESP Dispatch 1.1 reads A/B Experiment Assign's `pz_variant` and
	 * `pz_experiment_id` when Variant / Experiment ID are empty): errors name that field.
	 */
	attributionFrom?: Partial<Record<AttributionKey, string>>;
	/** https URL for one-click unsubscribe (RFC 8058). */
	unsubscribeUrl?: string;
	/** mailto address or URI for List-Unsubscribe. */
	unsubscribeMailto?: string;
	/** Set when the item itself says the recipient must not be mailed (unsubscribed, bounced...). */
	suppressedReason?: string;
	/**
	 * In the A/B holdout (A/B Experiment Assign's `is_holdout`): not mailed by design, status
	 * `suppressed` with HOLDOUT_ERROR, and in a real run `heldOutAt`. A suppressedReason or the
	 * suppression list comes first: a recipient who could not be mailed anyway is not held out.
	 */
	holdout?: boolean;
	headers?: Record<string, string>;
	tags?: string[];
	options?: Record<string, unknown>;
}

/** What sends planned units: an HTTP provider + transport, or SMTP. */
export interface Channel {
	id: string;
	displayName: string;
	maxBatch: Record<DispatchMode, number>;
	acceptsIdempotencyKey: boolean;
	plan(messages: OutboundMessage[], mode: DispatchMode): Unit[];
	/** A documented per-message limit the message breaks (see EspProvider.check). */
	check?(message: OutboundMessage, mode: DispatchMode): MessageProblem | undefined;
	/** One result per message of the unit. Throws TransportError when no answer came back. */
	send(unit: Unit): Promise<MessageResult[]>;
	/** Dry run for non-HTTP channels: the exact payload (SMTP: envelope + MIME). */
	describe?(unit: Unit): Promise<Record<string, unknown>>;
}

export interface Unit {
	messages: OutboundMessage[];
	/** The HTTP request (HTTP channels), shown by dry runs. */
	request?: HttpRequestSpec;
	/** What a dry run shows for non-HTTP channels (SMTP envelope + headers). */
	preview?: Record<string, unknown>;
}

export interface RetrySettings {
	/** Total tries per message, first one included. */
	maxAttempts: number;
	initialDelayMs: number;
	maxDelayMs: number;
	/** A Retry-After longer than this fails the messages instead of waiting. */
	maxRetryAfterMs: number;
}

export interface DispatchSettings {
	mode: DispatchMode;
	dryRun?: boolean;
	/** Test mode: every message goes to this address; the real recipient goes in a header. */
	testAddress?: string;
	/** Lower-cased addresses never to mail. */
	suppressionList?: Set<string>;
	/**
	 * Provider sandbox (e.g. SendGrid sandbox mode): the provider validates the requests but
	 * delivers nothing. Like test mode, nothing is remembered in the duplicate memory, and what
	 * the provider accepted gets status `sandbox` (not sent/queued).
	 */
	sandbox?: boolean;
	ledger?: Ledger;
	/**
	 * A duplicate memory shared by executions and processes (sentKeys.ts: the profile store's
	 * table), used instead of `ledger`: the keys to send are claimed before anything is sent (a key
	 * another execution holds or sent within the window is `duplicate`), confirmed as their
	 * messages end sent / queued / unknown, released otherwise. A dry run only reads it. When it
	 * cannot be reached, nothing is sent (SentKeyMemoryUnavailableError).
	 */
	claims?: KeyClaims;
	limiter?: Limiter;
	limits?: LimitSettings;
	retry?: Partial<RetrySettings>;
	/** Cap on messages per request, below the provider's documented maximum (0/undefined: the maximum). */
	batchSize?: number;
	sleep?: Sleep;
	random?: () => number;
	now?: () => number;
	/** Called once per unit answered (progress, logs): never given secrets. */
	onUnit?: (info: { messages: number; attempt: number; statuses: Record<string, number> }) => void;
}

export type OutcomeStatus = SendStatus | 'dryRun' | 'sandbox';

/** One outcome per input message (a class so every outcome has the same shape). */
class Outcome implements DispatchOutcome {
	status: OutcomeStatus = 'failed';
	providerMessageId?: string = undefined;
	responseCode?: number = undefined;
	attempts = 0;
	error?: string = undefined;
	sentTo?: string = undefined;
	request?: DispatchOutcome['request'] = undefined;
	sentAt?: string = undefined;
	attemptedAt?: string = undefined;
	heldOutAt?: string = undefined;
	constructor(
		readonly index: number,
		readonly recipient: string,
		readonly idempotencyKey: string,
		readonly messageId: string,
	) {}
}

export interface DispatchOutcome {
	index: number;
	status: OutcomeStatus;
	recipient: string;
	idempotencyKey: string;
	/** The `pz_message_id` written into the provider metadata (see attributionMessageId). */
	messageId: string;
	providerMessageId?: string;
	responseCode?: number;
	attempts: number;
	error?: string;
	/** Test mode: where the message really went. */
	sentTo?: string;
	/**
	 * When the provider accepted it (ISO-8601 UTC): the time of the answer for `sent`, `queued` and
	 * `unknown` (test mode included); for a `duplicate` of an earlier run, when the duplicate memory
	 * remembered that send (to the second). Absent for every other status.
	 */
	sentAt?: string;
	/**
	 * For `failed` and `unknown` only, when a request carried it (attempts > 0): when the last
	 * request carrying it was sent (ISO-8601 UTC, the same clock as sentAt). An A/B analysis can so
	 * count a recipient whose email was tried but failed as assigned (intention to treat), with a
	 * time for the attribution window. Absent for a message never tried (e.g. `not sent: …`), and
	 * for every other status (a suppressed, duplicate or dry-run message was never tried).
	 */
	attemptedAt?: string;
	/**
	 * A/B holdout (DispatchItem.holdout): when this run decided not to mail it (ISO-8601 UTC, the
	 * same clock as sentAt), the start of its attribution window in A/B Experiment Analyze. Only in
	 * a real run: a dry run, test mode or sandbox mails no customer, so it holds none out (as their
	 * messages carry no send to a customer).
	 */
	heldOutAt?: string;
	/** Dry run: the request that carries this message (full body on the first message of each request). */
	request?: { number: number; messages: number; method?: string; url?: string; headers?: Record<string, string>; body?: string; preview?: Record<string, unknown>; firstItem: number };
}

export interface DispatchReport {
	outcomes: DispatchOutcome[];
	/** Requests (HTTP calls or SMTP messages) actually made, retries included. */
	requests: number;
	/** Set when the provider rejected the credential (401/403, SMTP 535) before anything was accepted. */
	credentialRejected?: string;
	/**
	 * Set when the provider could not be reached (unreachable, below) before anything was accepted:
	 * every message that was to be sent failed without reaching it.
	 */
	unreachable?: string;
	/**
	 * Set when the run stopped, before anything was accepted, on a provider's answer about the whole
	 * account (MessageResult.stopsRun: e.g. SES's daily quota used up, an account suspended or out of
	 * credits) or a Retry-After over Max Retry-After Wait: nothing was sent, and nothing remembered.
	 */
	halted?: string;
}

/**
 * Thrown by dispatch() when sending stopped on an unexpected error (e.g. a provider could not
 * plan a request). Requests already in flight were finished first; `report` holds one outcome
 * per item all the same: what was answered keeps its status, a message whose request was sent
 * but whose answer was never processed (or an earlier attempt of which lost its answer) is
 * `unknown` and remembered, and every other message is `failed` with an error saying it was not
 * sent.
 */
export class DispatchStoppedError extends Error {
	constructor(
		error: unknown,
		readonly report: DispatchReport,
	) {
		super(error instanceof Error ? error.message : String(error), { cause: error });
		this.name = 'DispatchStoppedError';
	}
}

/**
 * Thrown by dispatch() when the shared sent-key memory (claims) could not remember the keys of
 * messages the provider accepted, after CONFIRM_ATTEMPTS tries: those messages were sent but are
 * NOT remembered (their claims lapse with the lease), so a re-run would send them again. `report`
 * as DispatchStoppedError's; `unremembered` lists those items (each outcome says so too).
 */
export class SentKeysNotRememberedError extends DispatchStoppedError {
	constructor(
		error: unknown,
		report: DispatchReport,
		readonly unremembered: number[],
	) {
		super(error, report);
		this.name = 'SentKeysNotRememberedError';
	}
}

/** Tries of a confirm of sent keys in the shared memory, and the waits between them. */
export const CONFIRM_ATTEMPTS = 3;
const CONFIRM_BACKOFF_MS = [250, 1000];

/**
 * A channel opened only when some message is to be sent or shown (dry run), e.g. one whose opening
 * loads a credential: a run whose every recipient is suppressed or a duplicate never needs it, and
 * when opening fails those recipients keep their status (ChannelUnavailableError).
 */
export interface DeferredChannel {
	/** The provider's documented per-message limits (Channel.check), which need no credential. */
	check?: Channel['check'];
	open(): Promise<Channel>;
}

/**
 * dispatch() stopped before anything was sent. `report` has one outcome per item: what was decided
 * before (`suppressed`, `duplicate`, a provider limit's `failed`) stands; every message that was to
 * be sent is `failed` with `not sent: <reason>`, and `unsent` lists their item indexes.
 */
abstract class NothingSentError extends Error {
	constructor(
		error: unknown,
		readonly report: DispatchReport,
		readonly unsent: number[],
	) {
		super(error instanceof Error ? error.message : String(error), { cause: error });
	}
}

/**
 * Thrown by dispatch() when its DeferredChannel could not be opened (NothingSentError; nothing was
 * remembered either; in a dry run the messages that were to be shown are the `unsent`).
 */
export class ChannelUnavailableError extends NothingSentError {
	override readonly name = 'ChannelUnavailableError';
}

/** The sent-key memory (DispatchSettings.claims) could not be read or claimed (NothingSentError). */
export class SentKeyMemoryUnavailableError extends NothingSentError {
	override readonly name = 'SentKeyMemoryUnavailableError';
}

export const TEST_MODE_HEADER = 'X-Pz-Original-Recipient';
export const DEFAULT_RETRY: RetrySettings = { maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 30000, maxRetryAfterMs: 120000 };

const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;

export function isEmail(value: string): boolean {
	return EMAIL.test(value);
}

/**
 * Whether a URL can be a one-click unsubscribe link: https (RFC 8058 section 3.1), with nothing
 * that would end it inside List-Unsubscribe's angle brackets (white space, `<`, `>`).
 */
export function isOneClickUnsubscribeUrl(url: string): boolean {
	return /^https:\/\/[^\s<>]+$/i.test(url);
}

/**
 * Why a URL is not a one-click unsubscribe link, for an error message, without its path, query or
 * fragment: those usually hold the recipient's address or a token that unsubscribes them, which
 * must not end up in error messages, execution logs or error workflows. Shows the scheme and host
 * ("http://shop.example.com/…") or, for text with no scheme, what comes before its first / ? or #.
 */
export function unsubscribeUrlProblem(url: string): string {
	const head = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0] ?? /^[^/?#]*/.exec(url)![0];
	const shown = `"${head.slice(0, 80)}${head.length < url.length ? '/…' : ''}"`;
	if (!/^https:\/\//i.test(url)) return `does not start with https:// (got ${shown}, path and query not shown)`;
	return `contains ${/\s/.test(url) ? 'white space' : '< or >'} (got ${shown}, path and query not shown)`;
}

/** The first problem with an item, naming the field, or undefined when it can be sent. */
export function validateItem(item: DispatchItem, mode: DispatchMode): { field: string; message: string } | undefined {
	if (!item.to?.email || !isEmail(item.to.email)) return { field: 'toEmail', message: `recipient "${item.to?.email ?? ''}" is not an email address` };
	if (!item.from?.email || !isEmail(item.from.email)) return { field: 'fromEmail', message: `sender "${item.from?.email ?? ''}" is not an email address` };
	if (item.replyTo && !isEmail(item.replyTo.email)) return { field: 'replyTo', message: `reply-to "${item.replyTo.email}" is not an email address` };
	// Display names and unsubscribe addresses end up in header lines (To, From, Reply-To,
	// List-Unsubscribe): a line break in them would start a header of its own.
	const lineBroken: Array<[string, string | undefined]> = [
		['toName', item.to.name],
		['fromName', item.from.name],
		['replyTo', item.replyTo?.name],
		['unsubscribeUrl', item.unsubscribeUrl],
		['unsubscribeMailto', item.unsubscribeMailto],
	];
	for (const [field, value] of lineBroken) {
		if (value && /[\r\n]/.test(value)) return { field, message: `${field} must not contain a line break (CR or LF)` };
	}
	if (mode === 'rendered') {
		if (!item.subject) return { field: 'subject', message: 'subject is empty' };
		if (!item.html && !item.text) return { field: 'html', message: 'both HTML and text bodies are empty' };
	} else if (!item.templateId) {
		return { field: 'templateId', message: 'template ID is empty' };
	}
	if (item.unsubscribeUrl && !isOneClickUnsubscribeUrl(item.unsubscribeUrl)) {
		return { field: 'unsubscribeUrl', message: `unsubscribe URL must be an https:// URL without white space (RFC 8058): it ${unsubscribeUrlProblem(item.unsubscribeUrl)}` };
	}
	if (item.unsubscribeMailto && !isEmail(item.unsubscribeMailto.replace(/^mailto:/i, '').split('?')[0])) {
		return { field: 'unsubscribeMailto', message: `unsubscribe mailto "${item.unsubscribeMailto}" is not an email address` };
	}
	return undefined;
}

/** JSON with object keys sorted at every level, so the same variables always give the same text. */
export function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map((v) => stableJson(v)).join(',')}]`;
	if (value && typeof value === 'object') {
		const record = value as Record<string, unknown>;
		return `{${Object.keys(record).sort().filter((k) => record[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson(record[k])}`).join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/**
 * Default idempotency key: `pz-` + the first 32 hex digits of SHA-256 over, joined by NUL
 * (U+0000): the lower-cased recipient, the campaign id, then in rendered mode `s:`+subject,
 * `h:`+html, `x:`+text, in template mode `t:`+template id, `v:`+variables as JSON with sorted
 * keys. Different content to the same person is a different message; the same content again
 * within the window is a duplicate.
 */
export function deriveIdempotencyKey(item: DispatchItem, mode: DispatchMode): string {
	const parts = [item.to.email.trim().toLowerCase(), item.campaignId ?? ''];
	if (mode === 'template') parts.push(`t:${item.templateId ?? ''}`, `v:${stableJson(item.variables ?? {})}`);
	else parts.push(`s:${item.subject ?? ''}`, `h:${item.html ?? ''}`, `x:${item.text ?? ''}`);
	const digest = hash('sha256', parts.join('\u0000'), 'hex');
	return `pz-${digest.slice(0, 32)}`;
}

/**
 * Longest `pz_message_id` written into provider metadata: Postmark keeps metadata values up to
 * 80 characters (https://postmarkapp.com/support/article/1125-custom-metadata-faq), the
 * strictest limit of the supported providers.
 */
export const MAX_MESSAGE_ID_LENGTH = 80;

/**
 * Characters every provider keeps in a tag or metadata value as they are: SES message tags and
 * Resend tags allow only ASCII letters, digits, `_` and `-` (dispatch writes any other value
 * `b64-` + base64url there, see `metadataTags`, which is longer and not what the provider's logs
 * show), so a message id of these characters is the same text in every provider's metadata.
 */
const TAG_SAFE_ID = /^[A-Za-z0-9_-]+$/;

/**
 * The `pz_message_id` for a key: the key itself when it is at most 80 characters of letters,
 * digits, `_` and `-` (it then comes back unchanged from every provider), else `pz-` + 32 hex of
 * its SHA-256 (Postmark keeps metadata values up to 80 characters; SES and Resend tags allow no
 * other characters).
 */
export function attributionMessageId(key: string): string {
	return key.length <= MAX_MESSAGE_ID_LENGTH && TAG_SAFE_ID.test(key) ? key : `pz-${hash('sha256', key, 'hex').slice(0, 32)}`;
}

/**
 * List-Unsubscribe (RFC 2369) + List-Unsubscribe-Post (RFC 8058) headers. The URIs are written in
 * ASCII (asciiUri: an IDN host in its xn-- form, other non-ASCII characters percent-encoded): a
 * header field is US-ASCII, and a provider or nodemailer would otherwise RFC 2047-encode the whole
 * value, which leaves no URI in angle brackets for a mail client's Unsubscribe button to use.
 */
export function unsubscribeHeaders(url: string | undefined, mailto: string | undefined): Record<string, string> {
	const parts: string[] = [];
	if (url) parts.push(`<${asciiUri(url)}>`);
	if (mailto) parts.push(`<${asciiUri(/^mailto:/i.test(mailto) ? mailto : `mailto:${mailto}`)}>`);
	if (!parts.length) return {};
	const headers: Record<string, string> = { 'List-Unsubscribe': parts.join(', ') };
	if (url) headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
	return headers;
}

/** The attribution key behind a `pz_*` metadata key (pz_campaign_id → campaignId). */
const ATTRIBUTION_KEY_OF: Record<string, AttributionKey> = Object.fromEntries(
	(Object.keys(ATTRIBUTION_KEYS) as AttributionKey[]).map((key) => [ATTRIBUTION_KEYS[key], key]),
);

/**
 * The node parameter behind an attribution value (`metadata.<key>`): campaignId, variant, segment,
 * experimentId as named, or the input item's field it was read from (attributionFrom: pz_variant,
 * pz_experiment_id); the message id comes from the idempotency key (attributionMessageId).
 */
function attributionField(item: DispatchItem, key: AttributionKey): string {
	return item.attributionFrom?.[key] ?? (key === 'messageId' ? 'idempotencyKey' : key);
}

/**
 * What the editor calls an attribution value (`pz_*` key): the parameter's display name
 * (ATTRIBUTION_LABELS), and where it came from when not from the parameter, e.g. `Variant (from the
 * input item's pz_variant)`.
 */
function attributionLabel(item: DispatchItem, metadataKey: string): string {
	const label = ATTRIBUTION_LABELS[metadataKey] ?? metadataKey;
	const key = ATTRIBUTION_KEY_OF[metadataKey];
	const from = key !== undefined ? item.attributionFrom?.[key] : undefined;
	return from !== undefined ? `${label} (from the input item's ${from})` : label;
}

/** The node parameter behind a message field a provider check names (a list: each of its fields). */
function itemField(item: DispatchItem, field: string): string {
	if (field.includes(', ')) return field.split(', ').map((f) => itemField(item, f)).join(', ');
	const key = field.startsWith('metadata.') ? ATTRIBUTION_KEY_OF[field.slice('metadata.'.length)] : undefined;
	if (key !== undefined) return attributionField(item, key);
	switch (field) {
		case 'headers.List-Unsubscribe':
			return item.unsubscribeUrl ? 'unsubscribeUrl' : 'unsubscribeMailto';
		case 'headers.List-Unsubscribe-Post':
			return 'unsubscribeUrl';
		case `headers.${TEST_MODE_HEADER}`:
			return 'toEmail';
		default:
			return field;
	}
}

/**
 * A provider check's problem for this item: the field as the node names it, and for attribution
 * values over a header line a message naming them as the editor does (headerLineMessage).
 */
function messageProblem(item: DispatchItem, message: OutboundMessage, channel: Pick<Channel, 'check'>, mode: DispatchMode): { field: string; message: string } | undefined {
	const problem = channel.check?.(message, mode);
	if (!problem) return undefined;
	const text = problem.headerLines ? headerLineMessage(problem.headerLines, (key) => attributionLabel(item, key)) : problem.message;
	return { field: itemField(item, problem.field), message: text };
}

/**
 * The first documented per-message limit of the provider (channel) that this item breaks, naming
 * the item's field, or undefined. The node calls it while reading the items, so that a message
 * the provider would refuse is an item error before anything is sent; dispatch() checks every
 * message again the same way and fails such a message alone.
 */
export function checkItemForChannel(item: DispatchItem, channel: Pick<Channel, 'check'>, settings: Pick<DispatchSettings, 'mode' | 'testAddress'>): { field: string; message: string } | undefined {
	if (!channel.check) return undefined;
	const key = item.idempotencyKey?.trim() || deriveIdempotencyKey(item, settings.mode);
	return messageProblem(item, toMessage(item, key, settings), channel, settings.mode);
}

/** The `pz_message_id` of an item's message: a test send's is that of its own key (`test-` + key). */
function outcomeMessageId(item: DispatchItem, key: string, settings: Pick<DispatchSettings, 'testAddress'>): string {
	const id = item.attribution?.messageId ?? attributionMessageId(key);
	return settings.testAddress ? attributionMessageId(`test-${id}`) : id;
}

/**
 * The message of an item. A test send's key (what providers with an idempotency key, Resend and
 * Brevo, are given, and SMTP's Message-ID) is `test-` + `run` + the item's key: `run` is new in
 * every dispatch() call, so a test run mails the test address again however often the same items
 * were tested before (Resend would otherwise answer a key repeated within 24 hours with its first
 * answer without sending, Brevo within 30 minutes with duplicate_parameter), while the retries
 * within one run keep the same key. Likewise a key forgotten by Forget Sent Keys within the last
 * 24 hours (`forgottenAt`, epoch seconds) is given as `<key>-forgotten-<forgottenAt>`. Other
 * messages carry `run` for SMTP's Message-ID.
 */
function toMessage(item: DispatchItem, key: string, settings: Pick<DispatchSettings, 'testAddress'>, run = '', forgottenAt?: number): OutboundMessage {
	const headers: Record<string, string> = item.headers ? { ...item.headers } : {};
	if (item.unsubscribeUrl || item.unsubscribeMailto) Object.assign(headers, unsubscribeHeaders(item.unsubscribeUrl, item.unsubscribeMailto));
	let to = item.to;
	if (settings.testAddress) {
		headers[TEST_MODE_HEADER] = item.to.email;
		to = { email: settings.testAddress, name: item.to.name };
	}
	// A test send goes to the test address: its opens and clicks are the tester's, not this
	// customer's, and it is no send of the experiment. So it carries neither the customer's userId
	// nor the experiment and variant, and a message id of its own (outcomeMessageId): the real
	// send's id would join the tester's events to the customer's in A/B Experiment Analyze.
	const test = Boolean(settings.testAddress);
	const metadata = attributionToMetadata({
		...(item.attribution ?? {}),
		campaignId: item.campaignId ?? item.attribution?.campaignId,
		messageId: outcomeMessageId(item, key, settings),
		userId: test ? undefined : item.attribution?.userId,
		experimentId: test ? undefined : item.attribution?.experimentId,
		variant: test ? undefined : item.attribution?.variant,
	});
	return {
		index: item.index,
		idempotencyKey: settings.testAddress ? `test-${run ? `${run}-` : ''}${key}` : forgottenAt !== undefined ? `${key}-forgotten-${forgottenAt}` : key,
		run: run && !settings.testAddress ? run : undefined,
		from: item.from,
		to,
		replyTo: item.replyTo,
		subject: item.subject,
		html: item.html,
		text: item.text,
		templateId: item.templateId,
		variables: item.variables,
		headers,
		metadata,
		tags: item.tags,
		options: item.options,
	};
}

/** An HTTP provider sent through a transport. */
export function httpChannel(provider: EspProvider, providerSettings: ProviderSettings, transport: Transport): Channel {
	return {
		id: provider.id,
		displayName: provider.displayName,
		maxBatch: provider.maxBatch,
		acceptsIdempotencyKey: provider.acceptsIdempotencyKey,
		plan: (messages, mode) => provider.plan(messages, mode, providerSettings).map((p) => ({ messages: p.messages, request: p.request })),
		check: provider.check ? (message, mode) => provider.check!(message, mode) : undefined,
		async send(unit) {
			const request = unit.request!;
			const response = await transport(request);
			try {
				return provider.parse({ request, messages: unit.messages }, response);
			} catch (error) {
				const reason = error instanceof Error ? error.message : String(error);
				// A 2xx answer we cannot read still says the provider took the request: the messages
				// may be on their way, so they are unknown (remembered, never resent), not failed.
				const accepted = response.status >= 200 && response.status < 300;
				return unit.messages.map((m) => ({
					index: m.index,
					status: accepted ? ('unknown' as const) : ('failed' as const),
					responseCode: response.status,
					error: accepted
						? `${provider.displayName} answered HTTP ${response.status} but its answer could not be read (${reason}); it has probably accepted the message. Reconcile with the provider's message search or engagement webhooks before resending.`
						: `${provider.displayName} answered HTTP ${response.status} and its answer could not be read (${reason})`,
				}));
			}
		},
	};
}

function backoff(attempt: number, retry: RetrySettings, random: () => number): number {
	const base = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** Math.max(0, attempt - 1));
	return base / 2 + (random() * base) / 2;
}

const SENT_LIKE = new Set<OutcomeStatus>(['sent', 'queued', 'unknown']);

/**
 * HTTP answers from a gateway between the node and the provider's application (load balancer, CDN)
 * that do not say whether the application processed the request: 502 Bad Gateway and 504 Gateway
 * Timeout (RFC 9110 §15.6.3, §15.6.5: the gateway got no valid or no timely answer from the server
 * behind it), and Cloudflare's 520 (the origin answered with something empty or unexpected), 522
 * (connection to the origin timed out) and 524 (the origin took the request and did not answer in
 * time). For a provider without an idempotency key such an answer is handled like a lost answer:
 * `unknown`, not sent again (it may have mailed up to a whole batch). Not in the set, so still
 * retried: 500, 503 (the provider's own answer: Mailgun documents 500 as "Retries are recommended",
 * Postmark 503 as its planned maintenance, SES 500 InternalFailure / 503 ServiceUnavailable as
 * retryable), and Cloudflare's 521 and 523 (the origin refused the connection or could not be
 * reached: the request never got to it).
 */
export const AMBIGUOUS_GATEWAY_STATUSES = new Set([502, 504, 520, 522, 524]);

/**
 * The error of a `duplicate` whose key came earlier in the same run: that earlier message's own
 * result (in the same output) says whether it was sent; this one says nothing of it.
 */
export const DUPLICATE_IN_RUN = 'same idempotency key earlier in this run';

/** The error of a recipient in the A/B holdout (DispatchItem.holdout). */
export const HOLDOUT_ERROR = 'recipient is in the A/B holdout (no email by design)';

/**
 * Sends the items through the channel. Suppression and the duplicate memory are decided first,
 * without the channel: a DeferredChannel is opened only when a message is left to send (or to
 * show, in a dry run), and when it cannot be opened dispatch() throws ChannelUnavailableError.
 */
export async function dispatch(items: DispatchItem[], source: Channel | DeferredChannel, settings: DispatchSettings): Promise<DispatchReport> {
	const claimState: ClaimState = { claimed: new Set(), handed: new Set() };
	try {
		return await dispatchRun(items, source, settings, claimState);
	} finally {
		// However the run ended, its claims are no longer renewed, and the keys it claimed and never
		// handed to the channel are released (an unexpected error between claiming and sending must
		// not hold them for a lease: a re-run would find them all `duplicate`). A key of a message
		// handed to the channel is left to its lease: the provider may have it. A no-op when the run
		// ended its claims itself.
		await settings.claims?.finish([...claimState.claimed].filter((k) => !claimState.handed.has(k))).catch(() => undefined);
	}
}

/** The keys a run claimed and has not confirmed, and those of messages handed to the channel. */
interface ClaimState {
	claimed: Set<string>;
	handed: Set<string>;
}

async function dispatchRun(items: DispatchItem[], source: Channel | DeferredChannel, settings: DispatchSettings, claimState: ClaimState): Promise<DispatchReport> {
	const now = settings.now ?? Date.now;
	const sleep = settings.sleep ?? realSleep;
	const random = settings.random ?? Math.random;
	const retry: RetrySettings = { ...DEFAULT_RETRY, ...(settings.retry ?? {}) };
	const limiter = settings.limiter ?? new Limiter().configure(settings.limits ?? { concurrency: 4 });
	const useLedger = settings.ledger && !settings.testAddress && !settings.sandbox;
	const outcomes = new Map<number, DispatchOutcome>();
	/** The outcomes in the items' order (what every report carries). */
	const inOrder = () => items.map((i) => outcomes.get(i.index)!);
	const seen = new Set<string>();
	const pending: OutboundMessage[] = [];
	const startedAt = now();
	// This run's own value: test sends, never remembered here or at the provider, get a key of the
	// run's own; other sends carry it for SMTP's Message-ID (toMessage, OutboundMessage.run).
	const run = randomBytes(6).toString('hex');
	const keyOf = (item: DispatchItem) => item.idempotencyKey?.trim() || deriveIdempotencyKey(item, settings.mode);
	const listedOf = (item: DispatchItem) => (settings.suppressionList?.size ? settings.suppressionList.has(item.to.email.trim().toLowerCase()) : false);

	// A shared memory (claims): the keys of the recipients to mail are claimed (a dry run only reads)
	// before any is sent; a key another execution holds or sent within the window is a duplicate.
	const claims = settings.claims && !settings.testAddress && !settings.sandbox ? settings.claims : undefined;
	let keyStates: Map<string, KeyState> | undefined;
	if (claims) {
		const mailable = items.filter((item) => !item.suppressedReason && !listedOf(item) && !item.holdout);
		const keys = mailable.map(keyOf);
		try {
			keyStates = settings.dryRun ? await claims.check(keys, startedAt) : await claims.claim(keys, startedAt);
		} catch (error) {
			await claims.finish(keys).catch(() => undefined);
			const reason = error instanceof Error ? error.message : String(error);
			const unsent = new Set(mailable.map((item) => item.index));
			for (const item of items) {
				const key = keyOf(item);
				const outcome = new Outcome(item.index, item.to.email, key, outcomeMessageId(item, key, settings));
				if (!unsent.has(item.index)) {
					outcome.status = 'suppressed';
					outcome.error = item.holdout ? HOLDOUT_ERROR : item.suppressedReason ? `recipient is ${item.suppressedReason}` : 'recipient is on the suppression list';
				} else outcome.error = `not sent: the sent-key memory could not be read (${reason}), so this message's idempotency key could not be claimed`;
				outcomes.set(item.index, outcome);
			}
			throw new SentKeyMemoryUnavailableError(error, { outcomes: inOrder(), requests: 0 }, [...unsent]);
		}
	}
	// Keys this run claimed and has not confirmed yet (released at its end), and those sent,
	// waiting to be confirmed (after each request's answer, and at the end).
	const claimedKeys = claimState.claimed;
	if (keyStates && !settings.dryRun) for (const [key, state] of keyStates) if (state.claimed) claimedKeys.add(key);
	const toConfirm: string[] = [];
	const confirmSent = async (): Promise<void> => {
		if (!claims || !toConfirm.length) return;
		const keys = toConfirm.splice(0);
		// A store that fails for a moment (a PostgreSQL failover, a busy SQLite file) is tried again
		// with a short wait: a key not confirmed is not remembered once its claim lapses.
		for (let attempt = 1; ; attempt++) {
			try {
				await claims.confirm(keys, now());
				for (const key of keys) claimedKeys.delete(key);
				return;
			} catch (error) {
				if (attempt >= CONFIRM_ATTEMPTS) {
					toConfirm.unshift(...keys);
					confirmError = error;
					throw new Error(`the sent-key memory could not remember the keys sent (${error instanceof Error ? error.message : String(error)}), so sending stopped`, { cause: error });
				}
				await sleep(CONFIRM_BACKOFF_MS[attempt - 1] ?? 1000);
			}
		}
	};
	let confirmError: unknown;
	// After endClaims: when keys of sent messages could not be confirmed, the error that says so
	// (their items named, and their outcomes marked), in place of the run's own.
	const notRemembered = (report: DispatchReport): SentKeysNotRememberedError | undefined => {
		if (!toConfirm.length) return undefined;
		const keys = new Set(toConfirm);
		const reason = confirmError instanceof Error ? confirmError.message : String(confirmError);
		const items: number[] = [];
		for (const o of report.outcomes) {
			if (!SENT_LIKE.has(o.status) || !keys.has(o.idempotencyKey)) continue;
			items.push(o.index);
			const was = o.error ? ` (${o.error})` : '';
			o.error = `${o.status}${was}, but NOT remembered: the sent-key memory could not store its idempotency key (${reason}), so a re-run would send it again. Reconcile it (messageId, the provider's message search) and leave it out before re-running.`;
		}
		const label = items.length === 1 ? `item ${items[0]}` : `items ${items.join(', ')}`;
		const message = `the sent-key memory could not remember the keys of ${items.length} sent message${items.length === 1 ? '' : 's'} (${label}) after ${CONFIRM_ATTEMPTS} tries (${reason}), so sending stopped; a re-run would send ${items.length === 1 ? 'it' : 'them'} again`;
		return new SentKeysNotRememberedError(new Error(message, { cause: confirmError }), report, items);
	};
	// End of a run with claims: what was sent is confirmed, the rest released (a sent key whose
	// confirmation failed is left to its lease).
	const endClaims = async (): Promise<unknown> => {
		if (!claims) return undefined;
		let failure: unknown;
		try {
			await confirmSent();
		} catch (error) {
			failure = error;
		}
		const unconfirmed = new Set(toConfirm);
		await claims.finish([...claimedKeys].filter((k) => !unconfirmed.has(k))).catch(() => undefined);
		return failure;
	};

	for (const item of items) {
		const key = keyOf(item);
		const outcome = new Outcome(item.index, item.to.email, key, outcomeMessageId(item, key, settings));
		outcomes.set(item.index, outcome);
		const listed = listedOf(item);
		const state = keyStates?.get(key);
		if (item.suppressedReason || listed) {
			outcome.status = 'suppressed';
			outcome.error = item.suppressedReason ? `recipient is ${item.suppressedReason}` : 'recipient is on the suppression list';
		} else if (item.holdout) {
			outcome.status = 'suppressed';
			outcome.error = HOLDOUT_ERROR;
			if (!settings.dryRun && !settings.testAddress && !settings.sandbox) outcome.heldOutAt = new Date(now()).toISOString();
		} else if (seen.has(key) || (useLedger && settings.ledger!.has(key, startedAt)) || (state !== undefined && !state.claimed)) {
			outcome.status = 'duplicate';
			if (seen.has(key)) outcome.error = DUPLICATE_IN_RUN;
			else if (state !== undefined) {
				outcome.error = state.pending
					? 'idempotency key being sent by another execution right now (claimed in the sent-key memory, not yet confirmed)'
					: 'idempotency key already sent within the duplicate window';
				if (state.sentAt !== undefined && !state.pending) outcome.sentAt = new Date(state.sentAt).toISOString();
			} else {
				outcome.error = 'idempotency key already sent within the duplicate window';
				const at = settings.ledger!.sentAt?.(key);
				if (at !== undefined) outcome.sentAt = new Date(at).toISOString();
			}
		} else {
			// A key forgotten (Forget Sent Keys) within the last 24 hours: the provider gets a key of its
			// own for this send (key + when it was forgotten), or Resend / Brevo would answer with their
			// first answer and send nothing. Retries and later runs until the next Forget keep that key.
			const forgottenAt = state !== undefined ? state.forgottenAt : useLedger ? settings.ledger!.forgottenAt?.(key, startedAt) : undefined;
			const message = toMessage(item, key, settings, run, forgottenAt);
			const problem = source.check ? messageProblem(item, message, source, settings.mode) : undefined;
			if (problem) {
				// A documented limit of the provider: this message alone fails, before any request.
				outcome.error = `Item ${item.index}: ${problem.message} (field: ${problem.field})`;
			} else {
				seen.add(key);
				outcome.sentTo = settings.testAddress;
				pending.push(message);
			}
		}
	}

	// Nothing left to send or show: no channel is needed (its credential may not even load).
	if (!pending.length) {
		await endClaims();
		return { outcomes: inOrder(), requests: 0 };
	}
	let channel: Channel;
	if ('open' in source) {
		try {
			channel = await source.open();
		} catch (error) {
			const reason = error instanceof Error ? error.message : String(error);
			for (const m of pending) {
				const o = outcomes.get(m.index)!;
				o.status = 'failed';
				o.error = `not sent: ${reason}`;
				o.sentTo = undefined;
			}
			await endClaims();
			throw new ChannelUnavailableError(error, { outcomes: inOrder(), requests: 0 }, pending.map((m) => m.index));
		}
	} else {
		channel = source;
	}

	// Messages per request: the provider maximum, lowered by the batch size setting, and by the
	// messages-per-second limit (so no single request carries more than one second's worth).
	// A rate below 1 per second still caps requests at one message (Math.floor alone would give 0,
	// which means no cap).
	const rate = limiter.settings.messagesPerSecond ?? 0;
	const mps = rate > 0 ? Math.max(1, Math.floor(rate)) : 0;
	const caps = [Math.floor(settings.batchSize ?? 0), mps].filter((c) => c > 0);
	const batchCap = caps.length ? Math.min(...caps) : 0;
	const plan = (messages: OutboundMessage[]): Unit[] => {
		const cap = batchCap;
		if (!(cap > 0) || messages.length <= cap) return messages.length ? channel.plan(messages, settings.mode) : [];
		const out: Unit[] = [];
		for (let i = 0; i < messages.length; i += cap) out.push(...channel.plan(messages.slice(i, i + cap), settings.mode));
		return out;
	};
	if (settings.dryRun) {
		const units = plan(pending);
		for (const [n, unit] of units.entries()) {
			const preview = !unit.request && channel.describe ? await channel.describe(unit) : unit.preview;
			unit.messages.forEach((m, i) => {
				const o = outcomes.get(m.index)!;
				o.status = 'dryRun';
				o.error = undefined;
				o.request = i === 0
					? { number: n + 1, messages: unit.messages.length, method: unit.request?.method, url: unit.request?.url, headers: unit.request?.headers, body: unit.request?.body, preview, firstItem: m.index }
					: { number: n + 1, messages: unit.messages.length, firstItem: unit.messages[0].index };
			});
		}
		return { outcomes: inOrder(), requests: 0 };
	}

	let requests = 0;
	let anyAccepted = false;
	let rejected: string | undefined;
	// Set when a request gave up after Max Attempts without ever reaching the provider (connection
	// refused, DNS or TLS failure: TransportError 'before' on its last attempt): the provider or the
	// credential's host is down or wrong, so the rest of the run is not tried (each message would
	// spend its own Max Attempts and backoff on the same failure: minutes for an SMTP run, whose
	// every message is a request of its own). Those messages fail `not sent`, and are not remembered.
	let unreachable: string | undefined;
	// Set when the provider asked to wait longer than Max Retry-After Wait (a 429's or 503's
	// Retry-After), or refused for a reason of the account that will not pass within the run
	// (MessageResult.stopsRun: SES's used-up daily sending quota): the answered messages fail, and
	// so does the rest of the run, `not sent`, without sending it (not remembered, so a later run
	// sends them): each further request would only be refused the same (the wait or the quota is
	// the credential's, not one message's), and sending on against the provider's own ask may get
	// the account throttled harder.
	let halted: string | undefined;
	// Set when a worker threw (an unexpected error): sending stops, see DispatchStoppedError.
	let stopped: { error: unknown } | undefined;
	// Aborted once the run stops (any of the above): a message waiting for its retry (its backoff, a
	// Retry-After, a pause of the credential in the limiter) fails at once instead of sleeping first.
	const stopping = new AbortController();
	const aborted = new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
	// The injectable sleep, cut short when the run stops (also one that ignores the signal: raced
	// with the stop; realSleep honours the signal, so it is not raced, which would leave one
	// reaction on `aborted` per wait until the run ends: 100,000 for a large rate-limited run).
	const pause: Sleep = (ms) =>
		stopping.signal.aborted ? Promise.resolve() : sleep === realSleep ? realSleep(ms, stopping.signal) : Promise.race([sleep(ms, stopping.signal), aborted]);
	// Messages an earlier attempt of which lost its answer after the request was sent (providers
	// with an idempotency key): the provider may have accepted that attempt, so however the later
	// attempts end, such a message is never reported as a definite failure.
	// With why (what the message's error ends with when it ends as `unknown`).
	const maybeAccepted = new Map<number, string>();
	const LOST_ANSWER = "an earlier attempt's answer was lost after the request was sent";
	// Messages whose outcome is final (finish() was called), and messages of a request that was
	// handed to the channel and whose answer has not been processed yet: if sending stops on an
	// error in between, the provider may have accepted them.
	const done = new Set<number>();
	const inFlight = new Set<number>();
	// When the last request carrying each message was sent (epoch ms): its attemptedAt if it fails.
	const lastAttempt = new Map<number, number>();
	// Sender addresses (lower-cased) the provider refused in this run (e.g. an unverified
	// SendGrid Sender Identity or Resend domain), with the reason: later messages from them are
	// not sent.
	const refusedSenders = new Map<string, string>();

	const finish = (m: OutboundMessage, given: Omit<MessageResult, 'index'>): void => {
		const o = outcomes.get(m.index)!;
		const result: Omit<MessageResult, 'index'> = given.status === 'failed' && maybeAccepted.has(m.index)
			? {
				...given,
				status: 'unknown',
				retryable: false,
				error: `${given.error ?? 'failed'}; ${maybeAccepted.get(m.index)}, so ${channel.displayName} may have accepted that attempt. Reconcile with the provider's message search or engagement webhooks before resending.`,
			}
			: given;
		o.status = settings.sandbox && (result.status === 'sent' || result.status === 'queued') ? 'sandbox' : result.status;
		o.providerMessageId = result.providerMessageId;
		o.responseCode = result.responseCode;
		o.error = result.error;
		const attempted = lastAttempt.get(m.index);
		if ((o.status === 'failed' || o.status === 'unknown') && o.attempts > 0 && attempted !== undefined) o.attemptedAt = new Date(attempted).toISOString();
		done.add(m.index);
		if (SENT_LIKE.has(result.status)) {
			if (!settings.sandbox) o.sentAt = new Date(now()).toISOString();
			anyAccepted = true;
			if (useLedger) settings.ledger!.add(o.idempotencyKey, now());
			if (claims) toConfirm.push(o.idempotencyKey);
		}
	};

	// Whether the run has stopped before this unit was sent. A stop with a reason fails its messages
	// here: `not sent: <reason>`, or for a message waiting for its retry `not sent again: <reason>`
	// with its last answer. After an unexpected error they are left for the settling after the
	// workers (DispatchStoppedError), which says the same.
	const stopsBefore = (unit: Unit): boolean => {
		// Claims that could not be renewed for more than half their lease: sending on risks a second
		// send of the same key by another execution once they lapse, so the rest is not sent.
		const lost = claims?.lost?.();
		if (lost !== undefined && halted === undefined) {
			halted = `${lost}, so the rest of this run was not sent`;
			stopping.abort();
		}
		const reason = rejected ?? unreachable ?? halted;
		if (reason === undefined) return stopped !== undefined;
		for (const m of unit.messages) {
			const o = outcomes.get(m.index)!;
			finish(m, o.attempts > 0
				? { status: 'failed', responseCode: o.responseCode, error: `not sent again: ${reason}; its last answer: ${o.error ?? 'none'}` }
				: { status: 'failed', error: `not sent: ${reason}` });
		}
		return true;
	};

	const sendUnit = async (unit: Unit): Promise<void> => {
		if (stopsBefore(unit)) return;
		if (refusedSenders.size) {
			const rest = unit.messages.filter((m) => !refusedSenders.has(m.from.email.toLowerCase()));
			if (rest.length < unit.messages.length) {
				for (const m of unit.messages) {
					const reason = refusedSenders.get(m.from.email.toLowerCase());
					if (reason !== undefined) finish(m, { status: 'failed', error: `not sent: ${channel.displayName} refused the sender "${m.from.email}" earlier in this run: ${reason}` });
				}
				for (const next of plan(rest)) await sendUnit(next);
				return;
			}
		}
		let results: MessageResult[];
		let lostAnswer = false;
		// The transport error when this request did not reach the provider at all (phase 'before').
		let notReached: string | undefined;
		try {
			// undefined: the run stopped while this request waited for its turn (stopsBefore).
			const answered = await limiter.run(unit.messages.length, async () => {
				if (stopsBefore(unit)) return undefined;
				requests++;
				const at = now();
				for (const m of unit.messages) {
					const o = outcomes.get(m.index)!;
					o.attempts++;
					claimState.handed.add(o.idempotencyKey);
					lastAttempt.set(m.index, at);
					inFlight.add(m.index);
				}
				return await channel.send(unit);
			}, pause, now);
			if (answered === undefined) return;
			results = answered;
		} catch (error) {
			if (error instanceof TransportError) {
				lostAnswer = true;
				if (error.phase === 'before') notReached = error.message;
				if (error.phase === 'after') for (const m of unit.messages) maybeAccepted.set(m.index, LOST_ANSWER);
				const safe = error.phase === 'before' || channel.acceptsIdempotencyKey;
				results = unit.messages.map((m) => safe
					? { index: m.index, status: 'failed' as const, retryable: true, error: `no answer (${error.message})` }
					: {
						index: m.index,
						status: 'unknown' as const,
						error: `the connection was lost after the request was sent (${error.message}); ${channel.displayName} may have accepted it and has no idempotency key, so it was not sent again. Reconcile with the provider's message search or engagement webhooks before resending.`,
					});
			} else {
				results = unit.messages.map((m) => ({ index: m.index, status: 'failed' as const, error: (error as Error).message }));
			}
		}
		const byIndex = new Map(results.map((r) => [r.index, r]));
		const again: OutboundMessage[] = [];
		let wait = 0;
		let rateLimited = false;
		// A request of several senders refused as a whole for a sender (Resend batches mix senders,
		// and one unverified domain refuses the batch): nothing of it was accepted, and the answer does
		// not say which sender was refused, so each sender's messages are sent again in requests of
		// their own, and only the refused sender's fail (and bar it). Any other sender refusal is
		// that message's own: the request had one sender, or the answer refused some of its messages
		// and not others (Postmark's and SES's per-message results, Mandrill's per recipient), so it
		// bars the refused message's own From address, and no other sender of the request.
		const refusedWhole =
			unit.messages.length > 1 &&
			unit.messages.every((m) => {
				const r = byIndex.get(m.index);
				return r !== undefined && r.refused === 'sender' && r.status === 'failed';
			}) &&
			unit.messages.some((m) => m.from.email.toLowerCase() !== unit.messages[0].from.email.toLowerCase());
		const regroup: OutboundMessage[] = [];
		// Messages of a request refused as a whole for others of its messages (e.g. recipients Resend
		// will not send to in testing mode): nothing of it was accepted, so they are sent again.
		const resendable: OutboundMessage[] = [];
		// A message sent again in a new request: its answer so far is kept until the new request
		// answers, so that a stop before it can say what came back.
		const holdForNewRequest = (m: OutboundMessage, r: MessageResult) => {
			const o = outcomes.get(m.index)!;
			o.responseCode = r.responseCode;
			o.error = r.error;
			inFlight.delete(m.index);
		};
		for (const m of unit.messages) {
			const r = byIndex.get(m.index) ?? { index: m.index, status: 'unknown' as const, error: `${channel.displayName} gave no result for this message` };
			if (r.sendAgain && r.status === 'failed' && unit.messages.length > 1 && !maybeAccepted.has(m.index)) {
				resendable.push(m);
				holdForNewRequest(m, r);
				// Refused for other messages, not tried on its own: this request does not count against Max Attempts.
				outcomes.get(m.index)!.attempts--;
				continue;
			}
			// A refusal that names its own reason for stopping the run (stopsRun: e.g. SendGrid's 401
			// "Maximum credits exceeded") is that reason, not a rejected credential.
			const refused = r.refused ?? (r.sendAgain || r.stopsRun ? undefined : r.responseCode === 401 || r.responseCode === 403 || r.responseCode === 535 ? 'credential' : undefined);
			if (refused === 'credential') {
				if (!anyAccepted) rejected = rejected ?? `${channel.displayName} rejected the credential (${r.responseCode}): ${r.error ?? ''}`.trim();
			} else if (refused === 'sender' && r.status === 'failed' && !refusedWhole) {
				refusedSenders.set(m.from.email.toLowerCase(), r.error ?? `refused (${r.responseCode ?? ''})`);
			}
			if (refusedWhole && !maybeAccepted.has(m.index)) {
				regroup.push(m);
				holdForNewRequest(m, r);
				continue;
			}
			const attempts = outcomes.get(m.index)!.attempts;
			// A gateway's answer to a provider with an idempotency key: retried with the same key (the
			// provider answers a repeat with its first answer), but the provider may have taken this
			// attempt, so however the later attempts end (exhausted, or the run stopping before the
			// retry), the message is never a definite failure: `unknown`, and remembered.
			if (r.status === 'failed' && channel.acceptsIdempotencyKey && r.responseCode !== undefined && AMBIGUOUS_GATEWAY_STATUSES.has(r.responseCode) && !maybeAccepted.has(m.index)) {
				maybeAccepted.set(m.index, `an attempt got HTTP ${r.responseCode} (a gateway's answer: the provider may have processed the request behind it)`);
			}
			if (r.status === 'failed' && r.retryable && !channel.acceptsIdempotencyKey && r.responseCode !== undefined && AMBIGUOUS_GATEWAY_STATUSES.has(r.responseCode)) {
				// A gateway's answer that does not say whether the provider took the request, from a
				// provider without an idempotency key: like a lost answer, not sent again.
				finish(m, {
					...r,
					status: 'unknown',
					retryable: false,
					error: `${channel.displayName} answered HTTP ${r.responseCode} (a gateway's answer: the provider may have accepted the request before it stopped waiting) and has no idempotency key, so it was not sent again; ${r.error ?? ''}. Reconcile with the provider's message search or engagement webhooks before resending.`.replace('; .', '.'),
				});
			} else if (r.status === 'failed' && r.stopsRun) {
				halted ??= r.stopsRun;
				finish(m, { ...r, retryable: false });
			} else if (r.status === 'failed' && r.retryable && !rejected && !unreachable) {
				const after = (r.retryAfterSeconds ?? 0) * 1000;
				if (after > retry.maxRetryAfterMs) {
					halted ??= `${channel.displayName} asked to wait ${Math.round(after / 1000)} s, more than the maximum retry wait (${Math.round(retry.maxRetryAfterMs / 1000)} s), so the rest of this run was not sent`;
					finish(m, { ...r, error: `${r.error ?? ''} (asked to wait ${Math.round(after / 1000)} s, more than the maximum retry wait)`.trim() });
				} else if (attempts >= retry.maxAttempts) {
					if (notReached !== undefined) unreachable ??= `${channel.displayName} could not be reached (${notReached}) in ${attempts} attempts, so the rest of this run was not tried`;
					finish(m, { ...r, error: `gave up after ${attempts} attempts: ${r.error ?? ''}`.trim() });
				} else {
					again.push(m);
					// Kept until the retry answers, so that a stop before it can say what came back.
					const o = outcomes.get(m.index)!;
					o.responseCode = r.responseCode;
					o.error = r.error;
					wait = Math.max(wait, after);
					if (r.responseCode === 429 || r.rateLimited) rateLimited = true;
				}
			} else {
				finish(m, r);
			}
			inFlight.delete(m.index);
		}
		if (rejected || unreachable || halted) stopping.abort();
		// What this request sent is remembered before the next request (a shared memory), so that a
		// crash later in the run does not leave it to its lease.
		await confirmSent();
		if (settings.onUnit) {
			const statuses: Record<string, number> = {};
			for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
			settings.onUnit({ messages: unit.messages.length, attempt: outcomes.get(unit.messages[0].index)!.attempts, statuses });
		}
		if (regroup.length) {
			const bySender = new Map<string, OutboundMessage[]>();
			for (const m of regroup) {
				const key = m.from.email.toLowerCase();
				const group = bySender.get(key);
				if (group) group.push(m);
				else bySender.set(key, [m]);
			}
			for (const group of bySender.values()) for (const next of plan(group)) await sendUnit(next);
		}
		if (resendable.length) {
			// Without the messages the answer refused, they go together. When it refused none of them by
			// name, they go again in two halves, and a half refused the same way is halved again, down to
			// single messages (whose refusal is final): one bad address among n messages costs about
			// 2·log2(n) more requests instead of n, and only the message at fault fails.
			if (resendable.length < unit.messages.length) for (const next of plan(resendable)) await sendUnit(next);
			else {
				const half = Math.ceil(resendable.length / 2);
				for (const part of [resendable.slice(0, half), resendable.slice(half)]) for (const next of plan(part)) await sendUnit(next);
			}
		}
		if (!again.length) return;
		if (!stopping.signal.aborted) {
			const attempt = Math.max(...again.map((m) => outcomes.get(m.index)!.attempts));
			const delay = Math.max(wait, backoff(attempt, retry, random));
			if (rateLimited) limiter.pause(now() + delay);
			await pause(delay);
		}
		// After a transport error the very same request is sent again (same body, same
		// idempotency key); after an HTTP answer, only the retryable messages are re-planned.
		if (lostAnswer && again.length === unit.messages.length) await sendUnit(unit);
		else for (const next of plan(again)) await sendUnit(next);
	};

	// Requests are planned a window at a time (so only a window of request bodies is alive at
	// once), and sent by as many workers as the limiter allows concurrent requests.
	const perRequest = batchCap > 0 ? Math.min(batchCap, Math.max(1, channel.maxBatch[settings.mode] || 1)) : Math.max(1, channel.maxBatch[settings.mode] || 1);
	const windowSize = perRequest * 8;
	const queue: Unit[] = [];
	let next = 0;
	const take = (): Unit | undefined => {
		while (!queue.length && next < pending.length) {
			queue.push(...plan(pending.slice(next, next + windowSize)));
			next += windowSize;
		}
		return queue.shift();
	};
	const workers = Math.max(1, Math.min(pending.length, Math.floor(limiter.settings.concurrency ?? 1)));
	// allSettled: when one worker throws (e.g. a provider cannot plan a request), the others
	// stop at their next unit (a retry waiting for its turn included) instead of sending on after
	// dispatch() has rejected.
	await Promise.allSettled(
		Array.from({ length: workers }, async () => {
			try {
				for (let unit = stopped ? undefined : take(); unit; unit = stopped ? undefined : take()) await sendUnit(unit);
			} catch (error) {
				stopped = stopped ?? { error };
				stopping.abort();
				throw error;
			}
		}),
	);
	if (stopped) {
		// Every worker has finished its requests in flight. What was answered keeps its status;
		// the rest says what became of it.
		const reason = stopped.error instanceof Error ? stopped.error.message : String(stopped.error);
		const settle = (m: OutboundMessage, result: Omit<MessageResult, 'index'>) => {
			try {
				finish(m, result);
			} catch {
				// The outcome is set before the key is remembered: a failing duplicate memory (what
				// may have stopped sending) must not hide the outcomes.
			}
		};
		for (const m of pending) {
			if (done.has(m.index)) continue;
			const o = outcomes.get(m.index)!;
			if (inFlight.has(m.index) || maybeAccepted.has(m.index)) {
				settle(m, {
					status: 'unknown',
					responseCode: o.responseCode,
					error: `sending through ${channel.displayName} stopped (${reason}) after a request carrying this message was sent and before its answer was known; ${channel.displayName} may have accepted it. Reconcile with the provider's message search or engagement webhooks before resending.`,
				});
			} else if (o.attempts > 0) {
				settle(m, { status: 'failed', responseCode: o.responseCode, error: `not sent again: sending through ${channel.displayName} stopped (${reason}) before this message was retried; its last answer: ${o.error ?? 'none'}` });
			} else {
				settle(m, { status: 'failed', error: `not sent: sending through ${channel.displayName} stopped (${reason}) before this message was sent` });
			}
		}
		await endClaims();
		const report: DispatchReport = {
			outcomes: inOrder(),
			requests,
			credentialRejected: rejected && !anyAccepted ? rejected : undefined,
			unreachable: unreachable && !anyAccepted ? unreachable : undefined,
			halted: halted && !anyAccepted ? halted : undefined,
		};
		throw notRemembered(report) ?? new DispatchStoppedError(stopped.error, report);
	}
	const failure = await endClaims();
	if (failure !== undefined) {
		const report: DispatchReport = {
			outcomes: inOrder(),
			requests,
			credentialRejected: rejected && !anyAccepted ? rejected : undefined,
			unreachable: unreachable && !anyAccepted ? unreachable : undefined,
			halted: halted && !anyAccepted ? halted : undefined,
		};
		throw notRemembered(report) ?? new DispatchStoppedError(failure, report);
	}
	return {
		outcomes: inOrder(),
		requests,
		credentialRejected: rejected && !anyAccepted ? rejected : undefined,
		unreachable: unreachable && !anyAccepted ? unreachable : undefined,
		halted: halted && !anyAccepted ? halted : undefined,
	};
}
