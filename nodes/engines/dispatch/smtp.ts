/**
 * SMTP channel: nodemailer with a pooled transport (a few long-lived connections, many
 * messages each). SMTP has no batch API: one message per unit, sent with bounded concurrency.
 *
 * Phase tracking (what makes "unknown" honest): each message is compiled to MIME first, then
 * handed to the pool, and we watch the stream the connection reads into the DATA phase (a 'stream'
 * plugin's process function: the last stage of the message stream, which the connection reads
 * only after the server's 354 to DATA). A server takes a message only at its end-of-data line
 * (RFC 5321 §4.1.1.4), which nodemailer writes after that stream has ended. So if the connection
 * fails before the stream was read to its end (while connecting, at MAIL FROM, RCPT TO or DATA),
 * the server cannot have accepted it (retry). Once it was read to its end the server may have
 * accepted it (the final "250 OK" lost, or slower than the timeout): that is a TransportError
 * 'after', which the engine reports as `unknown` (no resend). nodemailer reads the stream into
 * the socket's buffer without waiting for the server, so a drop in the middle of DATA is
 * `unknown` too: the client cannot tell how much of the message the server got.
 *
 * SMTP reply codes: 2xx sent; 4xx transient (retried; Amazon SES's 454 "Daily message quota
 * exceeded" stops the run instead, its "Maximum sending rate exceeded" pauses the credential);
 * 5xx permanent (failed); 535 rejects the credential (RFC 4954).
 *
 * A login is never sent over an unencrypted connection unless the credential allows it: without
 * SSL/TLS, a transport with a user requires STARTTLS (nodemailer's `requireTLS`), where nodemailer
 * alone would go on in plain text when the server does not offer STARTTLS and send the password
 * readable to anyone on the path (RFC 4954 §4 / RFC 8314 §3: submit over TLS). A server that refuses
 * STARTTLS stops the run as a refused credential would: nothing was sent.
 */
import { createHash } from 'node:crypto';
import { PassThrough, pipeline } from 'node:stream';
import { createTransport } from 'nodemailer';
import MimeNode from 'nodemailer/lib/mime-node';
import { toASCII as punycodeToASCII } from 'nodemailer/lib/punycode';
import type { Channel, Unit } from './engine';
import { USER_ID_KEY } from '../types/attribution';
import type { HeaderLineProblem, MessageProblem, MessageResult, OutboundMessage } from './types';
import { TransportError } from './types';
import { asciiDomain, attributionLineProblem, characters, firstCharacters, largestFitting, MAX_HEADER_LINE } from './util';

export interface SmtpSettings {
	host: string;
	port: number;
	secure: boolean;
	user?: string;
	password?: string;
	allowUnauthorizedCerts?: boolean;
	/**
	 * Log in even when the connection cannot be encrypted (no SSL/TLS and no STARTTLS): the password
	 * then crosses the network readable. Off by default (see the comment at the top).
	 */
	allowLoginWithoutTls?: boolean;
	/** Pool size (parallel connections). */
	maxConnections?: number;
	/** Socket timeout per command, ms. */
	timeoutMs?: number;
}

/** The header of a metadata key: pz_campaign_id → X-Pz-Campaign-Id. */
function headerName(key: string): string {
	return 'X-' + key.split('_').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('-');
}

/**
 * The longest line, in characters, of each of `headers` as nodemailer writes it: the headers are
 * compiled by nodemailer's own MimeNode (addHeader, as the mail composer adds custom headers, then
 * buildHeaders). It RFC 2047-encodes a value holding non-ASCII text (or `"`, or a control character)
 * as a whole into encoded-words of at most 52 characters, and folds a header at white space into
 * lines of about 76 characters; a run without white space longer than that goes on a continuation
 * line of its own (` ` + the run), so only a printable-ASCII run of 998 characters or more makes a
 * line over 998. Measuring the very output the send writes, the check and the send cannot disagree.
 * Keyed by the header name as given.
 */
export function writtenHeaderLines(headers: Record<string, string>): Record<string, number> {
	const node = new MimeNode('text/plain');
	for (const [name, value] of Object.entries(headers)) node.addHeader(name, value);
	const byName = new Map(Object.keys(headers).map((name) => [name.toLowerCase(), name]));
	const out: Record<string, number> = {};
	let current: string | undefined;
	for (const line of node.buildHeaders().split('\r\n')) {
		if (!/^[ \t]/.test(line)) current = byName.get(line.slice(0, line.indexOf(':')).toLowerCase());
		if (current !== undefined) out[current] = Math.max(out[current] ?? 0, Buffer.byteLength(line, 'utf8'));
	}
	return out;
}

/** Whether nodemailer writes `name: value` on lines of at most 998 characters (writtenHeaderLines). */
function fitsWritten(name: string, value: string): boolean {
	return (writtenHeaderLines({ [name]: value })[name] ?? 0) <= MAX_HEADER_LINE;
}

/**
 * Attribution metadata as headers: pz_campaign_id → X-Pz-Campaign-Id. The recipient's userId
 * (pz_user_id → X-Pz-User-Id) only when the header can carry it unchanged: no control character
 * (nodemailer would write a line break as a space) and every line of `X-Pz-User-Id: <userId>` as
 * nodemailer writes it within 998 characters (RFC 5322 §2.1.1, writtenHeaderLines); else it is left
 * out. Any other header over the line is refused before sending (checkSmtpMessage).
 */
export function metadataHeaders(metadata: Record<string, string>): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(metadata)) {
		const name = headerName(key);
		if (key === USER_ID_KEY && (/[\u0000-\u001f\u007f]/.test(value) || !fitsWritten(name, value))) continue;
		out[name] = value;
	}
	return out;
}

/**
 * Why the attribution headers (metadataHeaders) cannot be sent, or undefined: a header nodemailer
 * would write with a line over 998 characters (RFC 5322 §2.1.1, writtenHeaderLines: a printable
 * ASCII run of 998 characters or more without white space; encoded text is folded). The userId
 * is left out instead (metadataHeaders); leaving out a campaign, variant, segment, experiment or
 * message id would lose the attribution without a word, so the message is not sent. `field` lists
 * the values at fault as `metadata.<key>`; `headerLines` gives each one's length in characters and
 * how many of its first characters nodemailer would write within the line.
 */
export function checkSmtpMessage(message: OutboundMessage): MessageProblem | undefined {
	const headers: Record<string, string> = {};
	for (const key of Object.keys(message.metadata)) if (key !== USER_ID_KEY) headers[headerName(key)] = message.metadata[key];
	const lines = writtenHeaderLines(headers);
	const problems: HeaderLineProblem[] = [];
	for (const key of Object.keys(message.metadata)) {
		const name = headerName(key);
		if (key === USER_ID_KEY || (lines[name] ?? 0) <= MAX_HEADER_LINE) continue;
		const value = message.metadata[key];
		const length = characters(value);
		const fit = largestFitting(length, (n) => fitsWritten(name, firstCharacters(value, n)));
		problems.push({ header: name, json: false, line: lines[name], withoutUserId: false, values: [{ key, characters: length, fit }] });
	}
	return problems.length ? attributionLineProblem(problems) : undefined;
}

/**
 * Amazon SES's SMTP interface answers its sending limits with a 454 reply
 * (https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html): "454 Throttling
 * failure: Maximum sending rate exceeded" passes within seconds (retried, and, as SES's API
 * throttle, the whole credential pauses: rateLimited); "454 Throttling failure: Daily message quota
 * exceeded" does not come back within a run: not retried, and the rest of the run is not sent
 * (stopsRun), where a plain 4xx would be retried Max Attempts times for every message.
 */
const DAILY_QUOTA_REPLY = /daily message quota exceeded/i;
const SENDING_RATE_REPLY = /maximum sending rate exceeded/i;

/** RFC 5322 §3.2.3 dot-atom-text: atext runs joined by single dots (ASCII only). */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/**
 * The sender's domain as a Message-ID's id-right can hold it: a msg-id is ASCII (RFC 5322 §3.6.4,
 * dot-atom-text), so an internationalized domain is written in its IDNA ASCII form (`xn--…`), as
 * nodemailer writes the From address itself. A domain IDNA has no ASCII form for (a joiner or
 * mixed-direction label, e.g. `a\u200db.de`) is written as nodemailer then writes the From address:
 * each non-ASCII label lower-cased and Punycode-encoded (RFC 3492, `xn--ab-m1t.de`). A domain that
 * is still no dot-atom that way (`[`, `]`, `\`, `:` in it) gives `localhost`, as nodemailer's own
 * Message-IDs do without a domain: the Message-ID stays unique by its key and run.
 */
function messageIdDomain(email: string): string {
	const domain = email.split('@')[1];
	if (!domain) return 'localhost';
	const ascii = asciiDomain(domain);
	if (DOT_ATOM.test(ascii)) return ascii;
	try {
		const encoded = punycodeToASCII(domain.toLowerCase());
		if (DOT_ATOM.test(encoded)) return encoded;
	} catch {
		// Punycode overflow: no ASCII form.
	}
	return 'localhost';
}

/** Longest idempotency key written into a Message-ID as it is; a longer one is written as its hash. */
const MAX_MESSAGE_ID_KEY = 200;

/**
 * The idempotency key as Message-ID's id-left can hold it (RFC 5322 §3.6.4, dot-atom-text: atext
 * runs joined by single dots): letters, digits, `_` and `-` kept, dots not at either end nor two
 * in a row. A key of which nothing is left (all non-ASCII, say), or that is longer than
 * MAX_MESSAGE_ID_KEY (a msg-id cannot be folded, and a line holds 998 characters), is written as
 * `pzk-` + 32 hex digits of its SHA-256, so that different keys keep different Message-IDs.
 */
function messageIdKey(key: string): string {
	const kept = key.replace(/[^A-Za-z0-9._-]/g, '').replace(/\.{2,}/g, '.').replace(/^\.|\.$/g, '');
	if (kept && kept.length <= MAX_MESSAGE_ID_KEY) return kept;
	return `pzk-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

/** `<key.run@sender-domain>`: the idempotency key (what Message-ID can hold of it) and the run's own value. */
function messageId(m: OutboundMessage): string {
	return `<${messageIdKey(m.idempotencyKey)}${m.run ? `.${m.run}` : ''}@${messageIdDomain(m.from.email)}>`;
}

function mailOptions(m: OutboundMessage) {
	return {
		from: m.from.name ? { name: m.from.name, address: m.from.email } : m.from.email,
		to: m.to.name ? { name: m.to.name, address: m.to.email } : m.to.email,
		replyTo: m.replyTo ? (m.replyTo.name ? { name: m.replyTo.name, address: m.replyTo.email } : m.replyTo.email) : undefined,
		subject: m.subject ?? '',
		text: m.text || undefined,
		html: m.html || undefined,
		messageId: messageId(m),
		headers: { ...m.headers, ...metadataHeaders(m.metadata) },
	};
}

/** Compiles one message to its exact MIME bytes (used for sending and by dry runs). */
export async function compileMime(m: OutboundMessage): Promise<Buffer> {
	const compiler = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
	const info = await compiler.sendMail(mailOptions(m));
	return info.message as Buffer;
}

/**
 * Whether the connection must be encrypted before anything else: a login on a connection that is not
 * SSL/TLS from the start, unless the credential allows a login without TLS.
 */
function requiresStartTls(settings: SmtpSettings): boolean {
	return !settings.secure && Boolean(settings.user) && !settings.allowLoginWithoutTls;
}

/** The error for a server that would not encrypt the connection a login needs (requiresStartTls). */
function startTlsRefused(settings: SmtpSettings, response: string | undefined): string {
	return (
		`the server ${settings.host}:${settings.port} did not encrypt the connection with STARTTLS${response ? ` (${response.slice(0, 200)})` : ''}, ` +
		'so the user and password were not sent: use SSL/TLS (usually port 465) or a port that offers STARTTLS (usually 587), ' +
		'or, only on a private network, turn on "Allow Login Without TLS (Insecure)" in the credential'
	);
}

/** The code of verifySmtp's error when the server would not encrypt the connection a login needs. */
export const STARTTLS_REQUIRED = 'ESTARTTLS_REQUIRED';

/**
 * The text of a nodemailer error that is the server refusing STARTTLS (code ETLS at the STARTTLS
 * command) on a connection that needed it for the login (requiresStartTls); undefined for any other error.
 */
function refusedStartTls(settings: SmtpSettings, e: { code?: string; command?: string; response?: string }): string | undefined {
	return requiresStartTls(settings) && e.code === 'ETLS' && e.command === 'STARTTLS' ? startTlsRefused(settings, e.response) : undefined;
}

/**
 * What the sending pool and the credential test connect with, one object so that "Test credential"
 * connects exactly as a send does: server, TLS and login (STARTTLS required for a login, see the
 * comment at the top).
 */
function connectionOptions(settings: SmtpSettings) {
	return {
		host: settings.host,
		port: settings.port,
		secure: settings.secure,
		requireTLS: requiresStartTls(settings),
		auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
		tls: { rejectUnauthorized: !settings.allowUnauthorizedCerts },
	};
}

export interface SmtpChannel extends Channel {
	close(): void;
}

export function smtpChannel(settings: SmtpSettings): SmtpChannel {
	const pool = createTransport({
		pool: true,
		...connectionOptions(settings),
		maxConnections: Math.max(1, settings.maxConnections ?? 3),
		maxMessages: Infinity,
		connectionTimeout: settings.timeoutMs ?? 30000,
		greetingTimeout: settings.timeoutMs ?? 30000,
		socketTimeout: settings.timeoutMs ?? 30000,
		logger: false,
		debug: false,
	});
	// The raw MIME of each message in flight → whether the connection has read it to its end (see
	// the comment at the top): an error before that proves the server has not accepted it.
	const dataEnded = new WeakMap<Buffer, { ended: boolean }>();
	pool.use('stream', (mail, done) => {
		const raw = mail.data.raw;
		const phase = Buffer.isBuffer(raw) ? dataEnded.get(raw) : undefined;
		if (phase) {
			mail.message.processFunc((input) => {
				const output = new PassThrough();
				output.once('end', () => (phase.ended = true));
				pipeline(input, output, () => undefined);
				return output;
			});
		}
		done();
	});
	return {
		id: 'smtp',
		displayName: 'SMTP',
		maxBatch: { rendered: 1, template: 0 },
		acceptsIdempotencyKey: false,
		check: checkSmtpMessage,
		plan(messages: OutboundMessage[]): Unit[] {
			return messages.map((m) => ({
				messages: [m],
				preview: { envelope: { from: m.from.email, to: [m.to.email] }, messageId: messageId(m), subject: m.subject, headers: { ...m.headers, ...metadataHeaders(m.metadata) } },
			}));
		},
		async send(unit: Unit): Promise<MessageResult[]> {
			const m = unit.messages[0];
			const raw = await compileMime(m);
			const phase = { ended: false };
			dataEnded.set(raw, phase);
			try {
				const info = await pool.sendMail({ envelope: { from: m.from.email, to: [m.to.email] }, raw });
				const code = Number(/^(\d{3})/.exec(String(info.response ?? ''))?.[1] ?? 250);
				if (info.rejected?.length) {
					return [{ index: m.index, status: 'failed', responseCode: code, error: `SMTP rejected ${m.to.email}` }];
				}
				return [{ index: m.index, status: 'sent', responseCode: code, providerMessageId: messageId(m) }];
			} catch (error) {
				const e = error as { code?: string; command?: string; responseCode?: number; response?: string; message?: string };
				const noTls = refusedStartTls(settings, e);
				if (noTls !== undefined) {
					// A refused credential for the engine: the run stops, nothing is sent without encryption.
					return [{ index: m.index, status: 'failed', responseCode: e.responseCode, error: `SMTP: ${noTls}`, refused: 'credential' }];
				}
				const text = `SMTP ${e.responseCode ?? e.code ?? 'error'}: ${String(e.response ?? e.message ?? '').slice(0, 300)}`;
				if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
					// 530 "Authentication required" (RFC 4954 §6): the server wants a login the credential
					// does not give (an empty user): a credential refusal that stops the run, as 535 does,
					// not a failure of every message one by one.
					const refused = e.responseCode === 530 ? ('credential' as const) : undefined;
					const transient = e.responseCode < 500;
					const reply = String(e.response ?? '');
					if (transient && DAILY_QUOTA_REPLY.test(reply)) {
						const stopsRun = `the SMTP server's daily sending quota is used up (${reply.slice(0, 200)}), so the rest of this run was not sent`;
						return [{ index: m.index, status: 'failed', responseCode: e.responseCode, error: text, retryable: false, stopsRun }];
					}
					const rateLimited = transient && SENDING_RATE_REPLY.test(reply);
					return [{ index: m.index, status: 'failed', responseCode: e.responseCode, error: text, retryable: transient, ...(refused ? { refused } : {}), ...(rateLimited ? { rateLimited } : {}) }];
				}
				if (e.code === 'EAUTH') return [{ index: m.index, status: 'failed', responseCode: 535, error: text }];
				throw new TransportError(text, phase.ended ? 'after' : 'before');
			}
		},
		async describe(unit: Unit) {
			const m = unit.messages[0];
			return { envelope: { from: m.from.email, to: [m.to.email] }, messageId: messageId(m), mime: (await compileMime(m)).toString('utf8') };
		},
		close: () => pool.close(),
	};
}

/** Opens one connection and authenticates (the credential test). */
export async function verifySmtp(settings: SmtpSettings): Promise<void> {
	const transport = createTransport({
		...connectionOptions(settings),
		connectionTimeout: settings.timeoutMs ?? 15000,
	});
	try {
		await transport.verify();
	} catch (error) {
		const noTls = refusedStartTls(settings, error as { code?: string; command?: string; response?: string });
		if (noTls !== undefined) throw Object.assign(new Error(`Not logged in: ${noTls}`, { cause: error }), { code: STARTTLS_REQUIRED });
		throw error;
	} finally {
		transport.close();
	}
}
