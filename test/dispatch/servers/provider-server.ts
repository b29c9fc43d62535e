/**
 * A tiny local HTTP server for the provider test servers (Mailgun, SES, Brevo, Mandrill,
 * Resend): it reads each request whole, lets the provider-specific handler answer, records
 * every request, and can be told to answer the next requests with an injected fault
 * (429 with Retry-After, 5xx, a dropped connection) before the handler sees them, or
 * process a request and then drop the connection (the answer is lost after acceptance).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequestSpec, HttpResponseSpec, Transport } from '../../../nodes/engines/dispatch/types';
import { TransportError } from '../../../nodes/engines/dispatch/types';

export interface ReceivedRequest {
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

export interface Reply {
	status: number;
	headers?: Record<string, string>;
	body?: string;
}

/** A fault answered instead of the handler: a status (the provider's own error body is used) or a dropped connection. */
export type Fault = { status: number; retryAfter?: number; headers?: Record<string, string> } | { drop: true } | { dropAfterAccept: true };

export interface ProviderServer {
	url: string;
	received: ReceivedRequest[];
	/** Faults for the next requests, in order. */
	faults: Fault[];
	/** Random faults: this share of requests (0..1) gets one of these, from a seeded generator. */
	randomFaults(rate: number, kinds: Fault[], seed?: number): void;
	/** The fault each request got (undefined: none), by request order. */
	faultLog: Array<Fault | undefined>;
	close(): Promise<void>;
}

export type Handler = (request: ReceivedRequest) => Reply;

export async function startProviderServer(
	handler: Handler,
	/** The provider's documented error body for an injected status. */
	faultBody: (status: number) => Reply,
): Promise<ProviderServer> {
	const received: ReceivedRequest[] = [];
	const faults: Fault[] = [];
	const faultLog: Array<Fault | undefined> = [];
	let random: { rate: number; kinds: Fault[]; next: () => number } | undefined;
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const request: ReceivedRequest = {
				method: req.method ?? 'GET',
				path: req.url ?? '/',
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
			};
			received.push(request);
			let fault = faults.shift();
			if (!fault && random && random.next() < random.rate) fault = random.kinds[Math.floor(random.next() * random.kinds.length)];
			faultLog.push(fault);
			if (fault && 'drop' in fault) {
				req.socket.destroy();
				return;
			}
			if (fault && 'dropAfterAccept' in fault) {
				// The provider processes (accepts) the request, then the answer is lost.
				handler(request);
				req.socket.destroy();
				return;
			}
			let reply: Reply;
			if (fault) {
				reply = faultBody(fault.status);
				if (fault.retryAfter !== undefined) reply = { ...reply, headers: { ...reply.headers, 'retry-after': String(fault.retryAfter) } };
				if (fault.headers) reply = { ...reply, headers: { ...reply.headers, ...fault.headers } };
			} else {
				reply = handler(request);
			}
			const body = reply.body ?? '';
			res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers, 'content-length': Buffer.byteLength(body) });
			res.end(body);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}`,
		received,
		faults,
		faultLog,
		randomFaults(rate: number, kinds: Fault[], seed = 1) {
			// mulberry32, so a run is reproducible
			let a = seed >>> 0;
			const next = () => {
				a = (a + 0x6d2b79f5) >>> 0;
				let t = a;
				t = Math.imul(t ^ (t >>> 15), t | 1);
				t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
				return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
			};
			random = { rate, kinds, next };
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

/**
 * A transport for unit tests: sends a planned request to a local server (its URL host
 * replaced by the server's), with extra headers (the credential's auth) added.
 */
export function localTransport(
	serverUrl: string,
	sign: (request: HttpRequestSpec) => HttpRequestSpec = (r) => r,
): Transport {
	return async (planned: HttpRequestSpec): Promise<HttpResponseSpec> => {
		const target = new URL(planned.url);
		const local = new URL(serverUrl);
		target.protocol = local.protocol;
		target.host = local.host;
		const request = sign({ ...planned, url: target.toString() });
		try {
			const response = await fetch(request.url, {
				method: request.method,
				headers: {
					...request.headers,
					// As the engine's transports do: the key travels as the Idempotency-Key header.
					...(request.idempotencyKey ? { 'Idempotency-Key': request.idempotencyKey } : {}),
				},
				body: request.method === 'GET' ? undefined : request.body,
			});
			const headers: Record<string, string> = {};
			response.headers.forEach((value, key) => (headers[key] = value));
			return { status: response.status, headers, body: await response.text() };
		} catch (error) {
			throw new TransportError(`request failed: ${(error as Error).message}`, 'after');
		}
	};
}

/** Basic auth header value. */
export function basic(user: string, password: string): string {
	return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Parses Basic auth; undefined when absent or malformed. */
export function parseBasic(value: string | undefined): { user: string; password: string } | undefined {
	const match = /^Basic\s+(.+)$/i.exec(value ?? '');
	if (!match) return undefined;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return undefined;
	return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Repeated form fields as arrays (application/x-www-form-urlencoded). */
export function parseForm(body: string): Map<string, string[]> {
	const out = new Map<string, string[]>();
	for (const [key, value] of new URLSearchParams(body)) {
		const list = out.get(key) ?? [];
		list.push(value);
		out.set(key, list);
	}
	return out;
}

/** Minimal multipart/form-data parser (text fields only). */
export function parseMultipart(body: string, contentType: string): Map<string, string[]> {
	const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	const out = new Map<string, string[]>();
	if (!boundary) return out;
	const delimiter = `--${boundary[1] ?? boundary[2]}`;
	for (const part of body.split(delimiter)) {
		const split = part.indexOf('\r\n\r\n');
		if (split < 0) continue;
		const head = part.slice(0, split);
		const name = /name="([^"]*)"/i.exec(head)?.[1];
		if (name === undefined) continue;
		const value = part.slice(split + 4).replace(/\r\n$/, '');
		const list = out.get(name) ?? [];
		list.push(value);
		out.set(name, list);
	}
	return out;
}

let counter = 0;
export function nextId(prefix = ''): string {
	counter += 1;
	return `${prefix}${Date.now().toString(36)}${counter.toString(36).padStart(6, '0')}`;
}
