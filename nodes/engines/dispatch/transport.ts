/**
 * Transports for the dispatch engine.
 *
 *  - `requesterTransport`: wraps any "send this request, give me status/headers/body" function
 *    (in n8n: `httpRequestWithAuthentication`, so the credential adds the secret) and maps its
 *    failures to TransportError with an honest phase.
 *  - `nodeHttpTransport`: node:http(s) with keep-alive and `Expect: 100-continue`
 *    (RFC 9110 §10.1.1): the body is only sent once the server said "100 Continue", so a
 *    timeout or reset before that point is provably "before" (nothing was sent). Used by the
 *    engine tests, the fault injection test and the benchmark.
 */
import http from 'node:http';
import https from 'node:https';
import type { HttpRequestSpec, HttpResponseSpec, Transport } from './types';
import { TransportError } from './types';

/**
 * When a request failed, judged from the error itself (what `requesterTransport` gets: inside n8n
 * the request goes through n8n's HTTP helper, which exposes no socket). A failure before a byte of
 * the request could be written proves it never reached the provider; the phases are:
 *  - building the request: Node throws for an invalid URL or header (e.g. from a credential's Custom
 *    Endpoint or a signing step) before it opens a connection;
 *  - DNS: Node's `getaddrinfo`/`query*` errors (ENOTFOUND, EAI_AGAIN, ...), syscall `getaddrinfo`;
 *  - TCP connect: any error with syscall `connect` (ECONNREFUSED, a connect ETIMEDOUT, EHOSTUNREACH,
 *    ENETUNREACH, EADDRNOTAVAIL, ...), also inside the AggregateError Node's happy-eyeballs connect
 *    (autoSelectFamily) throws when every address failed;
 *  - TLS handshake: every X509 certificate error code Node documents
 *    (https://nodejs.org/api/tls.html#x509-certificate-error-codes: UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
 *    SELF_SIGNED_CERT_IN_CHAIN, CERT_NOT_YET_VALID, HOSTNAME_MISMATCH, ...), Node's handshake codes
 *    (ERR_TLS_CERT_ALTNAME_INVALID and the other ERR_TLS_CERT_*, ERR_TLS_HANDSHAKE_TIMEOUT, ...),
 *    OpenSSL's handshake errors (EPROTO; an https client on a port that speaks plain HTTP: "wrong
 *    version number" / "packet length too long"; no shared protocol version or cipher; a key or
 *    digest too weak; a handshake alert from the server: handshake_failure, protocol_version,
 *    unknown_ca, bad_certificate, ...), and a connection closed "before secure TLS connection was
 *    established". A TLS socket encrypts and sends the request only once the handshake is done (and
 *    a server that aborts its handshake never reads what a TLS 1.3 client sent along), so none of
 *    these can follow a request the provider took.
 *    Not so OpenSSL's record-layer errors (bad record MAC or type, decryption failed, unexpected
 *    EOF, ...) and any other ERR_SSL_* code: they can come on an established connection after the
 *    request was written (a broken TLS-inspecting middlebox corrupting the answer), so 'after'.
 * Anything else (a reset or a timeout of n8n's helper: it counts the connect and the wait for the
 * answer together) may have come after the provider accepted the request: phase 'after'.
 */
const BUILD_ERRORS = /^(ERR_INVALID_URL|ERR_INVALID_CHAR|ERR_INVALID_HTTP_TOKEN|ERR_UNESCAPED_CHARACTERS|ERR_INVALID_PROTOCOL|ERR_INVALID_ARG_VALUE|ERR_HTTP_INVALID_HEADER_VALUE)$/;
const DNS_ERRORS = /^(ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NONAME|EAI_NODATA|EAI_ADDRFAMILY|ENODATA)$/;
const X509_ERRORS =
	/^(UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_GET_CRL|UNABLE_TO_DECRYPT_CERT_SIGNATURE|UNABLE_TO_DECRYPT_CRL_SIGNATURE|UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY|CERT_SIGNATURE_FAILURE|CRL_SIGNATURE_FAILURE|CERT_NOT_YET_VALID|CERT_HAS_EXPIRED|CRL_NOT_YET_VALID|CRL_HAS_EXPIRED|ERROR_IN_CERT_NOT_BEFORE_FIELD|ERROR_IN_CERT_NOT_AFTER_FIELD|ERROR_IN_CRL_LAST_UPDATE_FIELD|ERROR_IN_CRL_NEXT_UPDATE_FIELD|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_CHAIN_TOO_LONG|CERT_REVOKED|INVALID_CA|PATH_LENGTH_EXCEEDED|INVALID_PURPOSE|CERT_UNTRUSTED|CERT_REJECTED|HOSTNAME_MISMATCH)$/;
/** Node's TLS codes of the handshake (https://nodejs.org/api/errors.html): not ERR_TLS_RENEGOTIATION_*, ERR_TLS_SESSION_ATTACK (mid-connection). */
const TLS_HANDSHAKE_ERRORS = /^(EPROTO|ERR_TLS_CERT_\w+|ERR_TLS_HANDSHAKE_TIMEOUT|ERR_TLS_DH_PARAM_SIZE|ERR_TLS_INVALID_PROTOCOL_VERSION|ERR_TLS_PROTOCOL_VERSION_CONFLICT)$/;
/**
 * OpenSSL's handshake errors as Node names them (ERR_SSL_ + the reason): the server is no TLS server
 * (wrong version number, packet length too long, unknown protocol), nothing agreed (protocol
 * version, cipher, a key or digest too weak, legacy renegotiation refused), and the handshake
 * alerts of RFC 8446 §6.2 / RFC 5246 §7.2 a server sends when it refuses the handshake.
 */
const SSL_HANDSHAKE_ERRORS = new RegExp(
	'^ERR_SSL_(' +
		[
			'WRONG_VERSION_NUMBER',
			'PACKET_LENGTH_TOO_LONG',
			'UNKNOWN_PROTOCOL',
			'HTTP_REQUEST',
			'HTTPS_PROXY_REQUEST',
			'UNSUPPORTED_PROTOCOL',
			'NO_PROTOCOLS_AVAILABLE',
			'NO_SHARED_CIPHER',
			'NO_CIPHERS_AVAILABLE',
			'NO_SUITABLE_SIGNATURE_ALGORITHM',
			'WRONG_SIGNATURE_TYPE',
			'DH_KEY_TOO_SMALL',
			'EE_KEY_TOO_SMALL',
			'CA_KEY_TOO_SMALL',
			'CA_MD_TOO_WEAK',
			'CERTIFICATE_VERIFY_FAILED',
			'UNSAFE_LEGACY_RENEGOTIATION_DISABLED',
			'TLSV1_UNRECOGNIZED_NAME',
			'(SSLV3|TLSV1|TLSV13)_ALERT_(HANDSHAKE_FAILURE|PROTOCOL_VERSION|UNKNOWN_CA|BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|CERTIFICATE_REQUIRED|ILLEGAL_PARAMETER|ACCESS_DENIED|INSUFFICIENT_SECURITY|INAPPROPRIATE_FALLBACK|UNRECOGNIZED_NAME|NO_APPLICATION_PROTOCOL|MISSING_EXTENSION|UNSUPPORTED_EXTENSION|DECRYPT_ERROR|UNKNOWN_PSK_IDENTITY|BAD_CERTIFICATE_STATUS_RESPONSE|EXPORT_RESTRICTION|NO_CERTIFICATE)',
		].join('|') +
		')$',
);
/** OpenSSL record-layer failures: possible on an established connection, after the request was written (never 'before'). */
const TLS_RECORD_ERRORS = /BAD_RECORD|bad record|DECRYPTION_FAILED|decryption failed|UNEXPECTED_EOF|unexpected eof/;
const TLS_NOT_ESTABLISHED = /before secure TLS connection was established/i;

interface ErrorFacts {
	codes: string[];
	messages: string[];
	/** Whether some error of the chain was raised before a byte of the request could be written. */
	beforeSend: boolean;
}

/** The codes and messages of an error, its causes and (AggregateError) its errors, and whether one proves nothing was sent. */
function errorFacts(error: unknown): ErrorFacts {
	const facts: ErrorFacts = { codes: [], messages: [], beforeSend: false };
	const seen = new Set<unknown>();
	const visit = (value: unknown, depth: number): void => {
		if (!value || typeof value !== 'object' || depth > 5 || seen.has(value)) return;
		seen.add(value);
		const e = value as { code?: unknown; syscall?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
		const code = typeof e.code === 'string' ? e.code : undefined;
		const message = typeof e.message === 'string' ? e.message : '';
		if (code) facts.codes.push(code);
		if (message) facts.messages.push(message);
		if (
			(code && (BUILD_ERRORS.test(code) || DNS_ERRORS.test(code) || X509_ERRORS.test(code) || ((TLS_HANDSHAKE_ERRORS.test(code) || SSL_HANDSHAKE_ERRORS.test(code)) && !TLS_RECORD_ERRORS.test(message)))) ||
			e.syscall === 'connect' ||
			e.syscall === 'getaddrinfo' ||
			/^query/.test(String(e.syscall ?? '')) ||
			TLS_NOT_ESTABLISHED.test(message)
		) {
			facts.beforeSend = true;
		}
		visit(e.cause, depth + 1);
		if (Array.isArray(e.errors)) for (const inner of e.errors) visit(inner, depth + 1);
	};
	visit(error, 0);
	return facts;
}

/** Whether an error proves the request was never written (see errorFacts). Exported for the tests. */
export function failedBeforeSend(error: unknown): boolean {
	return errorFacts(error).beforeSend;
}

/**
 * A transport error from an arbitrary client error. Only an error code survives (never the
 * request, whose headers hold the secret). Phase 'before' when the error proves the request was
 * never written (DNS, TCP connect, TLS handshake, a request Node could not build: errorFacts);
 * anything else (timeouts, resets) may have happened after the provider accepted it.
 */
export function toTransportError(error: unknown): TransportError {
	if (error instanceof TransportError) return error;
	const facts = errorFacts(error);
	const text = [...facts.codes, ...facts.messages].join(' ');
	const code =
		facts.codes.find((c) => /^(E[A-Z_]{3,}|ERR_[A-Z_]+)$/.test(c) || X509_ERRORS.test(c)) ??
		/\b(E[A-Z_]{3,}|ERR_[A-Z_]+|[A-Z_]*CERT[A-Z_]*)\b/.exec(text)?.[1] ??
		(/timeout/i.test(text) ? 'ETIMEDOUT' : 'request failed');
	return new TransportError(code, facts.beforeSend ? 'before' : 'after');
}

export interface RawResponse {
	statusCode: number;
	headers?: Record<string, string | string[] | undefined>;
	body?: unknown;
}

export function requesterTransport(send: (request: HttpRequestSpec, headers: Record<string, string>) => Promise<RawResponse>): Transport {
	return async (request) => {
		const headers = { ...request.headers };
		if (request.idempotencyKey) headers['Idempotency-Key'] = request.idempotencyKey;
		let response: RawResponse;
		try {
			response = await send(request, headers);
		} catch (error) {
			throw toTransportError(error);
		}
		const body = response.body;
		return {
			status: response.statusCode,
			headers: response.headers ?? {},
			body: typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : body === undefined || body === null ? '' : JSON.stringify(body),
		};
	};
}

export interface NodeHttpTransportOptions {
	timeoutMs?: number;
	/** Extra headers on every request (tests: the auth header). */
	headers?: Record<string, string>;
	maxSockets?: number;
	/** Use `Expect: 100-continue` (default true). */
	expectContinue?: boolean;
	/** Certificate authorities trusted for https instead of Node's (tests: a local TLS server). */
	ca?: string | Buffer;
}

export function nodeHttpTransport(options: NodeHttpTransportOptions = {}): Transport & { close(): void } {
	const timeoutMs = options.timeoutMs ?? 30000;
	const agents = {
		'http:': new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 16 }),
		'https:': new https.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 16, ...(options.ca ? { ca: options.ca } : {}) }),
	};
	const expectContinue = options.expectContinue ?? true;
	const transport = (request: HttpRequestSpec): Promise<HttpResponseSpec> =>
		new Promise((resolve, reject) => {
			const url = new URL(request.url);
			const lib = url.protocol === 'https:' ? https : http;
			const body = Buffer.from(request.body, 'utf8');
			const headers: Record<string, string | number> = { ...(options.headers ?? {}), ...request.headers, 'Content-Length': body.length };
			if (request.idempotencyKey) headers['Idempotency-Key'] = request.idempotencyKey;
			if (expectContinue) headers.Expect = '100-continue';
			let bodySent = !expectContinue;
			// Whether the connection was established (TCP connected, and for https the TLS handshake
			// done): before that, not a byte of the request can have been written (a TLS socket
			// encrypts and sends only after the handshake), so any failure is phase 'before'.
			let established = false;
			let settled = false;
			const fail = (code: string) => {
				if (settled) return;
				settled = true;
				req.destroy();
				reject(new TransportError(code, bodySent && established ? 'after' : 'before'));
			};
			const req = lib.request(
				{ method: request.method, hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers, agent: agents[url.protocol as 'http:' | 'https:'] },
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (c: Buffer) => chunks.push(c));
					res.on('end', () => {
						if (settled) return;
						settled = true;
						clearTimeout(timer);
						resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
					});
					res.on('error', () => fail('ECONNRESET'));
				},
			);
			req.on('socket', (socket) => {
				// A kept-alive socket is already connected; a new one is once it says so.
				// ('socket' is emitted on the next tick, before any I/O of a new socket could complete.)
				if (req.reusedSocket) {
					established = true;
					return;
				}
				socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
					established = true;
				});
			});
			const timer = setTimeout(() => fail('ETIMEDOUT'), timeoutMs);
			req.on('error', (e: NodeJS.ErrnoException) => {
				clearTimeout(timer);
				// The socket's phase decides (not the error's code): an OpenSSL error on an established
				// connection after the request was written is 'after', whatever its code.
				fail(toTransportError(e).message);
			});
			if (expectContinue) {
				req.on('continue', () => {
					bodySent = true;
					req.end(body);
				});
				req.flushHeaders();
			} else {
				req.end(body);
			}
		});
	return Object.assign(transport, {
		close() {
			agents['http:'].destroy();
			agents['https:'].destroy();
		},
	});
}
