/**
 * ESP Dispatch: the contract between the dispatch engine (batching, rate limits, retries,
 * idempotency, suppression, compliance headers) and one file per provider in providers/.
 *
 * A provider is pure: it turns messages into HTTP requests (choosing the request shape that
 * carries the most messages its API documents) and turns each HTTP answer back into one
 * result per message. It never performs I/O itself; the engine sends the requests through a
 * transport that the n8n glue supplies (n8n's httpRequestWithAuthentication, so secrets stay in
 * the credential) and that tests and benchmarks can point at a local server.
 */

export interface Address {
	email: string;
	name?: string;
}

/** How the message body is given. */
export type DispatchMode = 'rendered' | 'template';

export interface OutboundMessage {
	/** Index of the n8n input item this message came from. */
	index: number;
	/** Stable key: the same key within the window is never sent twice. */
	idempotencyKey: string;
	from: Address;
	to: Address;
	replyTo?: Address;
	/** rendered mode */
	subject?: string;
	html?: string;
	text?: string;
	/** template mode: the provider-side template id and this recipient's variables. */
	templateId?: string;
	variables?: Record<string, unknown>;
	/** Extra MIME headers (List-Unsubscribe, List-Unsubscribe-Post, test-mode header...). */
	headers: Record<string, string>;
	/** Attribution metadata (`pz_*` keys, see ../types/attribution.ts). */
	metadata: Record<string, string>;
	tags?: string[];
	/** Provider-specific knobs (Postmark MessageStream, SES ConfigurationSetName, ...). */
	options?: Record<string, unknown>;
	/**
	 * New in every dispatch() call (12 hex digits; absent for test sends, whose key is already the
	 * run's own): SMTP writes it into the Message-ID, so that two sends of one key (a month apart
	 * once the duplicate window has passed, or after Forget Sent Keys) never share a Message-ID.
	 */
	run?: string;
}

export type SendStatus = 'sent' | 'queued' | 'failed' | 'suppressed' | 'duplicate' | 'unknown';

export interface MessageResult {
	index: number;
	status: SendStatus;
	providerMessageId?: string;
	/** HTTP status (or SMTP reply code) that decided this message's status. */
	responseCode?: number;
	/** Provider error code/text for this message, if any. Never contains a secret. */
	error?: string;
	/** True when sending again may succeed (429, 5xx, timeout before acceptance). */
	retryable?: boolean;
	/** Seconds the provider asked us to wait (Retry-After), if it said. */
	retryAfterSeconds?: number;
	/**
	 * The provider throttled the account, not this message, whatever the HTTP status: SES
	 * `ACCOUNT_THROTTLED` inside a 200 SendBulkEmail answer, SES `ThrottlingException` (HTTP 400).
	 * The engine pauses every request on the credential, as after a 429, before the retry. A 429
	 * needs no flag.
	 */
	rateLimited?: boolean;
	/**
	 * The provider refused for a reason of the whole account that will not pass within the run
	 * (SES: the daily sending quota is used up, `ThrottlingException` "Daily message quota
	 * exceeded" or an `ACCOUNT_DAILY_QUOTA_EXCEEDED` entry): why the rest of the run is not sent.
	 * This message fails with its own error (never retried), and the engine sends nothing more in
	 * this run: every message not yet answered fails `not sent: <stopsRun>` and is not remembered,
	 * so a later run sends it. Only meaningful with status 'failed'.
	 */
	stopsRun?: string;
	/**
	 * What the provider refused, when the answer says so: 'credential' (bad or unauthorised key:
	 * the engine stops sending before anything else goes out), 'sender' (the from address or
	 * its domain is not verified at the provider: this message fails, and later messages from
	 * the same address, this message's own From, are not sent, whatever other senders its request
	 * carried; a request of several senders refused whole is sent again per sender first) or 'recipient' (the provider will not send to this
	 * message's recipient, e.g. Resend in testing mode sends only to the account owner's own
	 * address: this message fails, nothing else is barred). When absent the engine goes by the
	 * status code: HTTP 401 and 403 and SMTP 535 are credential refusals, unless the result
	 * stopsRun with its own reason (SendGrid answers a used-up plan 401). Providers that answer
	 * 403 for other reasons (SendGrid's unverified Sender Identity, Resend's unverified domain or
	 * testing mode) say 'sender' or 'recipient'.
	 */
	refused?: 'credential' | 'sender' | 'recipient';
	/**
	 * The provider refused this message's request as a whole and accepted nothing of it, and the
	 * answer does not put the refusal on this message (Resend refuses a whole batch in testing
	 * mode for the recipients it will not send to). The engine sends such messages again at once
	 * (not a retry): together, without the messages the answer refused, or each in a request of
	 * its own when the answer refused none of them by name. Only meaningful with status 'failed'
	 * in a request of several messages; never read as a credential refusal.
	 */
	sendAgain?: boolean;
}

/** A message a provider cannot take as it is, found before any request: the field and why. */
export interface MessageProblem {
	/** The message field at fault: `headers.<Name>`, `variables`, `subject`, ... */
	field: string;
	message: string;
	/**
	 * Attribution values too long for a header line, as data: the engine words the item's error
	 * from it with the names the item's fields have in the editor (headerLineMessage).
	 */
	headerLines?: HeaderLineProblem[];
}

/** One header whose line would be too long (RFC 5322 §2.1.1), and the attribution values at fault. */
export interface HeaderLineProblem {
	/** The header, e.g. X-Mailgun-Variables or X-Pz-Campaign-Id. */
	header: string;
	/** The header carries the attribution as JSON on one line (Mailgun, Brevo), not one value folded as nodemailer folds it (SMTP). */
	json: boolean;
	/** Its longest line as it would be written, in characters. */
	line: number;
	/** The userId was left out and the line is too long all the same. */
	withoutUserId: boolean;
	/**
	 * The values to shorten (`pz_*` metadata keys): each one's length in the user's own characters
	 * (Unicode code points, as typed, not its written `b64-` form), and how many of its first
	 * characters would fit (each value cut to that many, the rest as they are).
	 */
	values: Array<{ key: string; characters: number; fit: number }>;
}

export interface HttpRequestSpec {
	method: 'POST' | 'PUT' | 'GET';
	/** Absolute URL, built from the credential's base URL/region. */
	url: string;
	headers: Record<string, string>;
	/** Serialized body: JSON text, form-urlencoded text or multipart. */
	body: string;
	/**
	 * Key for providers that accept one (Resend `Idempotency-Key`). The transport sends it as the
	 * `Idempotency-Key` header. After a lost answer the engine re-sends the very same request
	 * object, so the key is stable across retries; derive it from the messages' keys (one
	 * message: its key; a batch: a hash of the keys in order).
	 */
	idempotencyKey?: string;
}

export interface HttpResponseSpec {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: string;
}

/** One request and the messages it carries. */
export interface RequestPlan {
	request: HttpRequestSpec;
	messages: OutboundMessage[];
}

/** Non-secret provider settings taken from the credential (region, base URL, sandbox...). */
export type ProviderSettings = Record<string, string | number | boolean | undefined>;

export interface EspProvider {
	id: string;
	displayName: string;
	/** Messages one request may carry, per mode, as the provider documents it (1 = no batch API). */
	maxBatch: Record<DispatchMode, number>;
	/** Whether the provider accepts an idempotency key (so a lost answer can be retried safely). */
	acceptsIdempotencyKey: boolean;
	/** Groups messages into requests (respecting maxBatch and documented payload limits). */
	plan(messages: OutboundMessage[], mode: DispatchMode, settings: ProviderSettings): RequestPlan[];
	/** One result per message of the plan, from the provider's answer (incl. partial failures). */
	parse(plan: RequestPlan, response: HttpResponseSpec): MessageResult[];
	/**
	 * A documented per-message limit the message breaks (SES header values, Brevo params size),
	 * checked before any request so that one bad message fails alone instead of its whole batch.
	 */
	check?(message: OutboundMessage, mode: DispatchMode): MessageProblem | undefined;
}

/** Sends one request. Throws TransportError when no answer came back. */
export type Transport = (request: HttpRequestSpec) => Promise<HttpResponseSpec>;

export class TransportError extends Error {
	constructor(
		message: string,
		/**
		 * 'before': the request surely did not reach the provider (connect refused/timeout):
		 * safe to retry. 'after': the request was sent and the answer was lost: the provider may
		 * have accepted it.
		 */
		readonly phase: 'before' | 'after',
	) {
		super(message);
		this.name = 'TransportError';
	}
}
