/**
 * A local, provider-compatible HTTP server for dispatch tests and benchmarks.
 *
 * It records every request, enforces the provider's auth header and payload size, routes by
 * `METHOD /path` to handlers that validate the provider's documented request rules and answer
 * with its documented bodies, and records every message it ACCEPTED (so tests compare the
 * node's statuses with what the "provider" really took).
 *
 * Fault injection (random with a seed, or forced for the next requests):
 *  - '429': answered 429 before processing (nothing accepted), as the provider answers it
 *    (`tooManyRequests`: SendGrid's X-RateLimit-* headers, Postmark's bare 429), else with
 *    Retry-After;
 *  - '500' / '503': answered before processing (nothing accepted);
 *  - 'timeout': the request is never processed nor answered; with `Expect: 100-continue` the
 *    server withholds "100 Continue", so the body is never sent (timed out before the server
 *    accepted it); the socket is closed after `holdMs`;
 *  - 'dropAfterAccept': the request is processed and its messages accepted, then the
 *    connection is destroyed before the answer (the answer is lost after acceptance);
 *  - '504AfterAccept': the request is processed and its messages accepted, then answered 504 with
 *    an HTML page, as a gateway (load balancer, CDN) answers when it stopped waiting for the origin.
 *
 * Providers add their own file (sendgrid.ts, postmark.ts, ...) with a `routes` table.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** 'none': no fault (to place forced faults at later requests). */
export type FaultKind = '429' | '500' | '503' | 'timeout' | 'dropAfterAccept' | '504AfterAccept' | 'none';

export interface Reply {
	status: number;
	headers?: Record<string, string>;
	/** Objects are sent as JSON; strings as they are. */
	body?: unknown;
}

export interface RouteContext {
	req: IncomingMessage;
	headers: IncomingMessage['headers'];
	/** Raw body text. */
	body: string;
	/** Parsed JSON body, or undefined when it is not JSON. */
	json: unknown;
	/** The request's sequence number (1-based). */
	request: number;
	/** Records one accepted message and returns its message id (given, or assigned by the server). */
	accept(recipient: string, message?: unknown, messageId?: string): string;
	/** A fresh server-assigned id. */
	newId(): string;
}

export type Route = (ctx: RouteContext) => Reply | Promise<Reply>;

export interface RecordedRequest {
	n: number;
	method: string;
	path: string;
	headers: IncomingMessage['headers'];
	bytes: number;
	fault?: FaultKind;
	status?: number;
}

export interface AcceptedMessage {
	recipient: string;
	messageId: string;
	request: number;
	message?: unknown;
}

export interface ProviderServerOptions {
	name: string;
	/** `METHOD /path` → handler. */
	routes: Record<string, Route>;
	/** Returns true when the request carries valid credentials. */
	authorized(req: IncomingMessage): boolean;
	/** The provider's documented answer to a bad or missing key. */
	unauthorized(): Reply;
	/** Documented maximum request size, and the answer when exceeded. */
	maxBodyBytes: number;
	tooLarge(): Reply;
	/** Answer for a body that is not valid JSON. */
	badJson(): Reply;
	/** Random faults: fraction of requests (0..1) and which kinds. */
	faultRate?: number;
	faultKinds?: FaultKind[];
	seed?: number;
	/**
	 * The provider's own answer to an injected 429 (its documented rate-limit headers and body).
	 * Without it: `{ message: 'Too Many Requests' }` with Retry-After: retryAfterSeconds.
	 */
	tooManyRequests?: () => Reply;
	/** Retry-After seconds sent with injected 429s when the provider has no tooManyRequests (may be fractional for fast tests). */
	retryAfterSeconds?: number;
	/** How long a 'timeout' fault holds the connection before closing it. */
	holdMs?: number;
	/** Do not keep request bodies in memory (benchmarks). */
	lean?: boolean;
}

/** mulberry32: small seeded PRNG so fault sequences are reproducible. */
export function seeded(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export class ProviderServer {
	readonly requests: RecordedRequest[] = [];
	readonly accepted: AcceptedMessage[] = [];
	/** Request bodies as received (unless lean), by request number. */
	readonly bodies = new Map<number, string>();
	url = '';
	private readonly server: http.Server;
	private readonly forced: FaultKind[] = [];
	private readonly random: () => number;
	private counter = 0;
	private idCounter = 0;
	private readonly held = new Set<IncomingMessage>();

	constructor(readonly options: ProviderServerOptions) {
		this.random = seeded(options.seed ?? 42);
		this.server = http.createServer({ keepAliveTimeout: 30000 });
		this.server.on('checkContinue', (req, res) => this.onRequest(req, res, true));
		this.server.on('request', (req, res) => this.onRequest(req, res, false));
	}

	async start(): Promise<this> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	async stop(): Promise<void> {
		for (const req of this.held) req.socket.destroy();
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	/** The next requests get these faults, in order (before any random fault). */
	inject(...kinds: FaultKind[]): void {
		this.forced.push(...kinds);
	}

	setFaults(rate: number, kinds?: FaultKind[]): void {
		this.options.faultRate = rate;
		if (kinds) this.options.faultKinds = kinds;
	}

	/** How many times each recipient was accepted. */
	acceptedCounts(): Map<string, number> {
		const counts = new Map<string, number>();
		for (const a of this.accepted) counts.set(a.recipient, (counts.get(a.recipient) ?? 0) + 1);
		return counts;
	}

	reset(): void {
		this.requests.length = 0;
		this.accepted.length = 0;
		this.bodies.clear();
		this.forced.length = 0;
	}

	private pickFault(): FaultKind | undefined {
		if (this.forced.length) return this.forced.shift();
		const rate = this.options.faultRate ?? 0;
		if (rate <= 0 || this.random() >= rate) return undefined;
		const kinds = this.options.faultKinds ?? ['429', '500', '503', 'timeout'];
		return kinds[Math.floor(this.random() * kinds.length)];
	}

	private onRequest(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
		const n = ++this.counter;
		const url = new URL(req.url ?? '/', 'http://local');
		const record: RecordedRequest = { n, method: req.method ?? 'GET', path: url.pathname, headers: req.headers, bytes: 0 };
		this.requests.push(record);
		const fault = this.pickFault();
		record.fault = fault;
		if (fault === 'timeout') {
			// Never continue, never read, never answer: the request is not accepted.
			this.held.add(req);
			const timer = setTimeout(() => {
				this.held.delete(req);
				req.socket.destroy();
			}, this.options.holdMs ?? 2000);
			req.socket.once('close', () => {
				clearTimeout(timer);
				this.held.delete(req);
			});
			if (!expectsContinue) req.resume();
			return;
		}
		const declared = Number(req.headers['content-length'] ?? 0);
		if (declared > this.options.maxBodyBytes) {
			this.send(res, record, this.options.tooLarge(), true);
			return;
		}
		if (expectsContinue) res.writeContinue();
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (c: Buffer) => {
			size += c.length;
			chunks.push(c);
		});
		req.on('end', () => {
			record.bytes = size;
			void this.handle(req, res, record, Buffer.concat(chunks).toString('utf8'), fault);
		});
	}

	private async handle(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, body: string, fault: FaultKind | undefined): Promise<void> {
		const o = this.options;
		if (!o.lean) this.bodies.set(record.n, body);
		if (record.bytes > o.maxBodyBytes) return this.send(res, record, o.tooLarge());
		if (!o.authorized(req)) return this.send(res, record, o.unauthorized());
		if (fault === '429') {
			return this.send(res, record, o.tooManyRequests ? o.tooManyRequests() : { status: 429, headers: { 'Retry-After': String(o.retryAfterSeconds ?? 1) }, body: { message: 'Too Many Requests' } });
		}
		if (fault === '500' || fault === '503') {
			return this.send(res, record, { status: Number(fault), body: { message: fault === '500' ? 'Internal Server Error' : 'Service Unavailable' } });
		}
		const route = o.routes[`${record.method} ${record.path}`];
		if (!route) return this.send(res, record, { status: 404, body: { message: `no route ${record.method} ${record.path}` } });
		let json: unknown;
		try {
			json = body ? JSON.parse(body) : undefined;
		} catch {
			return this.send(res, record, o.badJson());
		}
		const ctx: RouteContext = {
			req,
			headers: req.headers,
			body,
			json,
			request: record.n,
			newId: () => `${o.name}-${++this.idCounter}`,
			accept: (recipient, message, given) => {
				const messageId = given ?? `${o.name}-${++this.idCounter}`;
				this.accepted.push({ recipient: recipient.toLowerCase(), messageId, request: record.n, message: o.lean ? undefined : message });
				return messageId;
			},
		};
		const reply = await route(ctx);
		if (fault === '504AfterAccept') {
			return this.send(res, record, { status: 504, headers: { 'Content-Type': 'text/html' }, body: '<html><body><h1>504 Gateway Time-out</h1></body></html>' });
		}
		if (fault === 'dropAfterAccept') {
			record.status = -1;
			req.socket.destroy();
			return;
		}
		this.send(res, record, reply);
	}

	private send(res: ServerResponse, record: RecordedRequest, reply: Reply, close = false): void {
		record.status = reply.status;
		const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
		const headers: Record<string, string> = { ...(reply.headers ?? {}) };
		if (reply.body !== undefined && typeof reply.body !== 'string') headers['Content-Type'] = 'application/json';
		if (close) headers.Connection = 'close';
		res.writeHead(reply.status, headers);
		res.end(text);
	}
}
