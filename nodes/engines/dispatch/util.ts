/** Small helpers shared by the dispatch engine and the providers (pure, no I/O). */
import { domainToASCII } from 'node:url';
import { encodeHeaderValue, USER_ID_KEY } from '../types/attribution';
import type { Address, HeaderLineProblem, HttpResponseSpec, MessageProblem, MessageResult, ProviderSettings, RequestPlan } from './types';

/** A header value from a response (case-insensitive name), first value if repeated. */
export function header(response: Pick<HttpResponseSpec, 'headers'>, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(response.headers)) {
		if (key.toLowerCase() !== wanted || value === undefined) continue;
		return Array.isArray(value) ? value[0] : String(value);
	}
	return undefined;
}

/**
 * Whole seconds to wait from a Retry-After header, or undefined when absent or unparseable. RFC 9110
 * §10.2.3: `delay-seconds` (a non-negative integer; a fraction, which some servers send, is read
 * too) or an `HTTP-date`, from which the seconds until that time are counted. Rounded up, so that a
 * retry never comes before the time the provider asked for, and never negative (a date in the past
 * means now). The one reader every provider and the engine use.
 */
export function retryAfterSeconds(response: Pick<HttpResponseSpec, 'headers'>, now = Date.now()): number | undefined {
	const raw = header(response, 'retry-after')?.trim();
	if (!raw) return undefined;
	if (/^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number(raw));
	const date = Date.parse(raw);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, Math.ceil((date - now) / 1000));
}

export function parseJson(body: string): unknown {
	if (!body) return undefined;
	try {
		return JSON.parse(body);
	} catch {
		return undefined;
	}
}

/** "Jane Doe <jane@example.com>" (name quoted when it holds RFC 5322 specials). */
export function formatAddress(address: Address): string {
	if (!address.name) return address.email;
	const name = /[",.:;<>@()[\]\\]/.test(address.name) ? `"${address.name.replace(/(["\\])/g, '\\$1')}"` : address.name;
	return `${name} <${address.email}>`;
}

/** The same result for every message of a plan (whole-request success or failure). */
export function sameForAll(plan: RequestPlan, result: Omit<MessageResult, 'index'>): MessageResult[] {
	return plan.messages.map((m) => ({ ...result, index: m.index }));
}

/**
 * A message of a request the provider refused as a whole for other messages in it, or without
 * saying for which (it sent nothing of the request): failed for now, and sent again in a new
 * request (the engine's `sendAgain`: without the messages named at fault, else in halves).
 */
export function refusedForOthers(m: { index: number }, responseCode: number, error: string): MessageResult {
	return { index: m.index, status: 'failed', responseCode, retryable: false, sendAgain: true, error: error.slice(0, 1000) };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether an HTTP status is worth retrying: 408, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
	return status === 408 || status === 429 || status >= 500;
}

/** Whole-request outcome for a non-2xx HTTP status: 429/5xx/408 retryable, other 4xx not. */
export function httpFailure(plan: RequestPlan, response: HttpResponseSpec, error: string): MessageResult[] {
	const retryable = isRetryableStatus(response.status);
	return sameForAll(plan, {
		status: 'failed',
		responseCode: response.status,
		error,
		retryable,
		retryAfterSeconds: retryable ? retryAfterSeconds(response) : undefined,
	});
}

export function byteLength(text: string | undefined): number {
	return text ? Buffer.byteLength(text, 'utf8') : 0;
}

/** A non-empty string setting, or the fallback. */
export function stringSetting(settings: ProviderSettings, key: string, fallback = ''): string {
	const value = settings[key];
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

/** Base URL without trailing slash. */
export function trimSlash(url: string): string {
	return url.replace(/\/+$/, '');
}

/** The `baseUrl` setting (else the fallback) without a trailing slash. */
export function baseUrl(settings: ProviderSettings, fallback: string): string {
	return trimSlash(stringSetting(settings, 'baseUrl', fallback));
}

/**
 * The longest header line: "Each line of characters MUST be no more than 998 characters, and SHOULD
 * be no more than 78 characters, excluding the CRLF" (RFC 5322 §2.1.1,
 * https://www.rfc-editor.org/rfc/rfc5322#section-2.1.1). A value without white space (JSON as
 * JSON.stringify writes it, most ids) cannot be folded onto more lines (§2.2.3).
 */
export const MAX_HEADER_LINE = 998;

/** Whether `Name: value` fits on one header line, counted in UTF-8 octets (the stricter count). */
export function fitsHeaderLine(name: string, value: string): boolean {
	return headerLineBytes(name, value) <= MAX_HEADER_LINE;
}

/** The length of the unfolded header line `name: value`, in UTF-8 bytes (what fitsHeaderLine compares). */
export function headerLineBytes(name: string, value: string): number {
	return Buffer.byteLength(`${name}: ${value}`, 'utf8');
}

/**
 * A message's metadata without the recipient's userId (`pz_user_id`) unless `fits` says the
 * provider can carry the metadata with it: the same object when there is none or it fits. A userId
 * that cannot be carried is left out whole, never cut (a cut one would name another customer), and
 * the message is sent all the same: its engagement events then come back without a userId.
 */
export function keepUserIdIf(metadata: Record<string, string>, fits: (metadata: Record<string, string>) => boolean): Record<string, string> {
	if (metadata[USER_ID_KEY] === undefined || fits(metadata)) return metadata;
	const out: Record<string, string> = {};
	for (const key in metadata) if (key !== USER_ID_KEY) out[key] = metadata[key];
	return out;
}

/**
 * A message's metadata as the JSON value of the header `name` carries it (Brevo's X-Mailin-custom,
 * Mailgun's X-Mailgun-Variables): every value in its header form (`write`, by default
 * encodeHeaderValue: as it is when printable ASCII without `"` and `\`, else `b64-` + base64url,
 * which the engagement sources decode), so the header is ASCII and its length is that of the JSON
 * text; a value that is not well-formed text is left out. The recipient's userId goes in only while
 * `name: <JSON>`, every value counted in its written form, fits on one header line (fitsHeaderLine);
 * else it is left out. The same object when nothing changes. Whether the rest fits is
 * headerJsonProblem's question: such a message is not sent.
 */
export function headerJsonMetadata(metadata: Record<string, string>, name: string, write: (value: string) => string | undefined = encodeHeaderValue): Record<string, string> {
	let values = metadata;
	for (const key in metadata) {
		const value = metadata[key];
		const written = write(value);
		if (written === value) continue;
		if (values === metadata) values = { ...metadata };
		if (written === undefined) delete values[key];
		else values[key] = written;
	}
	return keepUserIdIf(values, (v) => fitsHeaderLine(name, JSON.stringify(v)));
}

/**
 * Why the header `name` cannot carry a message's attribution as headerJsonMetadata writes it, or
 * undefined: `name: <JSON>` over one header line (RFC 5322 §2.1.1) even without the userId (which is
 * left out first). JSON.stringify writes no white space, so the line cannot be folded (§2.2.3), and
 * leaving attribution out would lose it without a word: the message is not sent. The values named
 * are the longest (in written form) that, left out, would let the rest fit: the ones to shorten.
 * `field` lists them as `metadata.<key>`; `headerLines` gives each one's length in the user's own
 * characters and how many of its first characters would fit, measured through the same writer
 * (each named value cut to that many, written as it would be, the rest as they are).
 */
export function headerJsonProblem(metadata: Record<string, string>, name: string, write: (value: string) => string | undefined = encodeHeaderValue): MessageProblem | undefined {
	const values = headerJsonMetadata(metadata, name, write);
	const line = (v: Record<string, string>) => headerLineBytes(name, JSON.stringify(v));
	const length = line(values);
	if (length <= MAX_HEADER_LINE) return undefined;
	const rest = { ...values };
	const tooLong: string[] = [];
	for (const key of Object.keys(values).sort((a, b) => values[b].length - values[a].length)) {
		tooLong.push(key);
		delete rest[key];
		if (line(rest) <= MAX_HEADER_LINE) break;
	}
	// Every named value cut to its first n characters (none: left out), written as it would be.
	const fits = (n: number) => {
		const cut: Record<string, string> = {};
		for (const key in metadata) if (key !== USER_ID_KEY) cut[key] = metadata[key];
		for (const key of tooLong) {
			if (n > 0) cut[key] = firstCharacters(metadata[key], n);
			else delete cut[key];
		}
		return line(headerJsonMetadata(cut, name, write)) <= MAX_HEADER_LINE;
	};
	const fit = largestFitting(Math.max(...tooLong.map((key) => characters(metadata[key]))), fits);
	const problem: HeaderLineProblem = {
		header: name,
		json: true,
		line: length,
		withoutUserId: metadata[USER_ID_KEY] !== undefined,
		values: tooLong.map((key) => ({ key, characters: characters(metadata[key]), fit })),
	};
	return attributionLineProblem([problem]);
}

/**
 * What the editor calls each attribution value: ESP Dispatch's parameter names. The message id is
 * the Idempotency Key (attributionMessageId). The engine adds where a value came from when it is not
 * the parameter (the input item's pz_variant, pz_experiment_id).
 */
export const ATTRIBUTION_LABELS: Readonly<Record<string, string>> = {
	pz_message_id: 'Idempotency Key',
	pz_campaign_id: 'Campaign ID',
	pz_variant: 'Variant',
	pz_segment: 'Segment',
	pz_experiment_id: 'Experiment ID',
	pz_user_id: 'userId',
};

/** A MessageProblem for attribution values over a header line, worded with ATTRIBUTION_LABELS. */
export function attributionLineProblem(problems: HeaderLineProblem[]): MessageProblem {
	return {
		field: problems.flatMap((p) => p.values.map((v) => `metadata.${v.key}`)).join(', '),
		message: headerLineMessage(problems, (key) => ATTRIBUTION_LABELS[key] ?? key),
		headerLines: problems,
	};
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * The error for attribution values over a header line, naming each value as `label` gives it, in
 * one unit for every provider: characters (the value's as the user typed them; the line's as
 * written, which is ASCII). E.g. `the attribution does not fit on one header line: Campaign ID is
 * 936 characters; its first 935 would fit (the X-Mailgun-Variables header, the attribution as JSON on
 * one line, would be 999 characters; RFC 5322 allows 998)`.
 */
export function headerLineMessage(problems: HeaderLineProblem[], label: (key: string) => string): string {
	const parts = problems.map((p) => {
		const [first] = p.values;
		const room = (n: number, of: string) => (n > 0 ? `${of} ${count(n)} would fit` : 'none of it fits beside the other values');
		const what =
			p.values.length === 1
				? `${label(first.key)} is ${count(first.characters)} characters; ${room(first.fit, 'its first')}`
				: `${p.values.map((v) => `${label(v.key)} (${count(v.characters)} characters)`).join(' and ')} are too long together; ${p.values[0].fit > 0 ? `the first ${count(first.fit)} characters of each would fit` : 'none of them fits beside the other values'}`;
		const header = p.json
			? `the ${p.header} header, the attribution as JSON on one line, would be ${count(p.line)} characters${p.withoutUserId ? ' even without the userId' : ''}`
			: `the ${p.header} header would have a line of ${count(p.line)} characters, since a header is folded only at white space`;
		return `${what} (${header}; RFC 5322 allows ${MAX_HEADER_LINE})`;
	});
	return `the attribution does not fit on one header line: ${parts.join('; ')}`;
}

/** The length of a text in the user's own characters (Unicode code points: an emoji is one). */
export function characters(text: string): number {
	let n = 0;
	for (const _ of text) n++;
	return n;
}

/** The first `n` characters (code points) of a text. */
export function firstCharacters(text: string, n: number): string {
	let out = '';
	let i = 0;
	for (const c of text) {
		if (i++ >= n) break;
		out += c;
	}
	return out;
}

/** The largest n in 0..max with fits(n) (binary search; fits(0) is taken as true). */
export function largestFitting(max: number, fits: (n: number) => boolean): number {
	let low = 0;
	let high = max;
	while (low < high) {
		const mid = Math.ceil((low + high) / 2);
		if (fits(mid)) low = mid;
		else high = mid - 1;
	}
	return low;
}

/** Size of a value as JSON text, in UTF-8 bytes (how SendGrid's and Mandrill's metadata and Brevo's params limits are read here). */
export function jsonBytes(value: unknown): number {
	return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** Every run of non-ASCII characters as the percent-encoded bytes of its UTF-8 (RFC 3987 §3.1 step 2). */
function percentEncodeNonAscii(text: string): string {
	// a lone surrogate (no character: encodeURIComponent throws on it) as U+FFFD
	const wellFormed = (run: string) => run.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
	return text.replace(/[^\x00-\x7f]+/g, (run) => encodeURIComponent(wellFormed(run)));
}

/**
 * A domain as header fields and URIs can carry it: as it is when ASCII, else in its IDNA ASCII form
 * (A-labels, `xn--…`, RFC 5890), as nodemailer writes the From address. An internationalized
 * domain that has no ASCII form is given back as it is.
 */
export function asciiDomain(domain: string): string {
	if (!/[^\x00-\x7f]/.test(domain)) return domain;
	return domainToASCII(domain) || domain;
}

/**
 * A URI for a header field such as List-Unsubscribe (RFC 2369), which must be US-ASCII (RFC 5322
 * §2.2; an RFC 2047 encoded-word is not allowed inside a URI): an IRI mapped to its URI (RFC 3987
 * §3.1). The host of an http(s) URL and the domain of each mailto address (RFC 6068) in its IDNA
 * ASCII form, every other non-ASCII character as percent-encoded UTF-8. ASCII text is kept exactly
 * as it is (nothing is decoded, re-encoded or normalized).
 */
export function asciiUri(uri: string): string {
	if (!/[^\x00-\x7f]/.test(uri)) return uri;
	const mailto = /^mailto:/i.exec(uri);
	if (mailto) {
		const rest = uri.slice(mailto[0].length);
		const q = rest.indexOf('?');
		const to = q < 0 ? rest : rest.slice(0, q);
		const addresses = to.split(',').map((address) => {
			const at = address.lastIndexOf('@');
			if (at < 0) return percentEncodeNonAscii(address);
			const domain = asciiDomain(address.slice(at + 1));
			return `${percentEncodeNonAscii(address.slice(0, at))}@${percentEncodeNonAscii(domain)}`;
		});
		return `${mailto[0]}${addresses.join(',')}${q < 0 ? '' : percentEncodeNonAscii(rest.slice(q))}`;
	}
	// the authority ends at / ? # or \ (which URL parsers read as / in an http(s) URL: WHATWG URL,
	// "special" schemes), so that what follows a \ stays the path and is not given to domainToASCII
	const authority = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#\\]*)/i.exec(uri);
	if (!authority) return percentEncodeNonAscii(uri);
	const [, scheme, hostPart] = authority;
	// [userinfo@]host[:port]
	const at = hostPart.lastIndexOf('@');
	const userinfo = at < 0 ? '' : hostPart.slice(0, at + 1);
	const hostPort = hostPart.slice(at + 1);
	const port = /:\d*$/.exec(hostPort)?.[0] ?? '';
	const host = hostPort.slice(0, hostPort.length - port.length);
	return `${scheme}${percentEncodeNonAscii(userinfo)}${percentEncodeNonAscii(asciiDomain(host))}${port}${percentEncodeNonAscii(uri.slice(authority[0].length))}`;
}
