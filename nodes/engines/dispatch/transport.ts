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
 * Errors that prove the request never reached the provider: no connection (refused, DNS, no route,
 * TLS certificate refused), or a request that could not even be built (an invalid URL or header,
 * e.g. from a credential's Custom Endpoint or a signing step: Node throws these before a byte is sent).
 */
const BEFORE_SEND =
	/\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ERR_TLS_CERT_ALTNAME_INVALID|CERT_HAS_EXPIRED|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|ERR_INVALID_URL|ERR_INVALID_CHAR|ERR_INVALID_HTTP_TOKEN|ERR_UNESCAPED_CHARACTERS|ERR_INVALID_PROTOCOL)\b/;

function errorText(error: unknown): string {
	const parts: string[] = [];
	let current = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; current && depth < 4; depth++) {
		if (typeof current.code === 'string') parts.push(current.code);
		if (typeof current.message === 'string') parts.push(current.message);
		current = current.cause as typeof current;
	}
	return parts.join(' ');
}

/**
 * A transport error from an arbitrary client error. Only an error code survives (never the
 * request, whose headers hold the secret). Phase 'before' only when the error proves the
 * request was not delivered (connection refused, DNS, TLS); anything else (timeouts, resets)
 * may have happened after the provider accepted it.
 */
export function toTransportError(error: unknown): TransportError {
	if (error instanceof TransportError) return error;
	const text = errorText(error);
	const code = /\b(E[A-Z_]{3,}|ERR_[A-Z_]+|[A-Z_]*CERT[A-Z_]*)\b/.exec(text)?.[1] ?? (/timeout/i.test(text) ? 'ETIMEDOUT' : 'request failed');
	return new TransportError(code, BEFORE_SEND.test(text) ? 'before' : 'after');
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
}

export function nodeHttpTransport(options: NodeHttpTransportOptions = {}): Transport & { close(): void } {
	const timeoutMs = options.timeoutMs ?? 30000;
	const agents = {
		'http:': new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 16 }),
		'https:': new https.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 16 }),
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
			let settled = false;
			const fail = (code: string) => {
				if (settled) return;
				settled = true;
				req.destroy();
				reject(new TransportError(code, bodySent ? 'after' : 'before'));
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
			const timer = setTimeout(() => fail('ETIMEDOUT'), timeoutMs);
			req.on('error', (e: NodeJS.ErrnoException) => {
				clearTimeout(timer);
				const code = e.code ?? 'ECONNRESET';
				if (!settled && BEFORE_SEND.test(code)) bodySent = false;
				fail(code);
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
