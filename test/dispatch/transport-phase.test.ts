/**
 * When a request fails, was it sent? Real local sockets, the failures Node reports for them, and
 * what the engine makes of them (README "Retries"): a failure before a byte of the request could
 * be written (DNS, TCP connect, TLS handshake) proves nothing was sent, so it is retried and, when
 * it lasts, stops the run as unreachable with nothing remembered; only a failure after the
 * request was written (the server read it, then dropped the connection) leaves the messages
 * `unknown` for a provider without an idempotency key.
 *
 * Both transports are checked: `requesterTransport`, which (like n8n's HTTP helper inside the
 * node) only sees the error the client throws, here a plain node:https/http client; and
 * `nodeHttpTransport`, which watches its socket.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { dispatch, httpChannel } from '../../nodes/engines/dispatch/engine';
import { MemoryLedger } from '../../nodes/engines/dispatch/ledger';
import { sendgrid } from '../../nodes/engines/dispatch/providers/sendgrid';
import { nodeHttpTransport, requesterTransport, toTransportError, type RawResponse } from '../../nodes/engines/dispatch/transport';
import type { HttpRequestSpec, Transport } from '../../nodes/engines/dispatch/types';
import { TransportError } from '../../nodes/engines/dispatch/types';
import { renderedItems } from './helpers';

const TLS_DIR = path.join(__dirname, '..', 'fixtures', 'dispatch', 'tls');

/** A client like n8n's helper as the requester sees it: resolves with the answer, rejects with Node's error. */
function plainClient(request: HttpRequestSpec, headers: Record<string, string>): Promise<RawResponse> {
	return new Promise((resolve, reject) => {
		const url = new URL(request.url);
		const req = (url.protocol === 'https:' ? https : http).request(url, { method: request.method, headers, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.setTimeout(3000, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
		req.end(request.body);
	});
}

const listen = async (server: net.Server): Promise<number> => {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return (server.address() as AddressInfo).port;
};
const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('transport: was the request sent? (real sockets)', () => {
	let untrusted: https.Server;
	let proxied: https.Server;
	let plain: http.Server;
	let dropper: net.Server;
	let dropperReads = 0;
	const urls: Record<string, string> = {};
	beforeAll(async () => {
		// A TLS server whose certificate no CA vouches for (self-signed, as a TLS-inspecting proxy's
		// looks to a client without its root): Node refuses it in the handshake.
		untrusted = https.createServer({ key: fs.readFileSync(path.join(TLS_DIR, 'untrusted-key.pem')), cert: fs.readFileSync(path.join(TLS_DIR, 'untrusted-cert.pem')) }, (_req, res) => res.end('{}'));
		// A certificate chain ending in a root CA the client does not have (a TLS-inspecting proxy's).
		proxied = https.createServer({ key: fs.readFileSync(path.join(TLS_DIR, 'proxied-key.pem')), cert: fs.readFileSync(path.join(TLS_DIR, 'proxied-chain.pem')) }, (_req, res) => res.end('{}'));
		// A port that speaks plain HTTP, given an https:// URL (a Custom Endpoint / API Base URL mix-up).
		plain = http.createServer((_req, res) => res.end('{}'));
		// Reads the whole request, then drops the connection without answering.
		dropper = net.createServer((socket) => {
			let text = '';
			socket.on('data', (chunk) => {
				text += chunk.toString('latin1');
				const end = text.indexOf('\r\n\r\n');
				const length = Number(/content-length:\s*(\d+)/i.exec(text)?.[1] ?? 0);
				if (end >= 0 && text.length >= end + 4 + length) {
					dropperReads++;
					socket.destroy();
				}
			});
		});
		const closed = net.createServer();
		const closedPort = await listen(closed);
		await close(closed);
		urls.untrustedCert = `https://127.0.0.1:${await listen(untrusted)}`;
		urls.unknownRootCa = `https://127.0.0.1:${await listen(proxied)}`;
		urls.plainHttpPort = `https://127.0.0.1:${await listen(plain)}`;
		urls.refused = `https://127.0.0.1:${closedPort}`;
		urls.dropsAfterReading = `http://127.0.0.1:${await listen(dropper)}`;
	});
	afterAll(async () => {
		await close(untrusted);
		await close(plain);
		await close(proxied);
		await close(dropper);
	});
	beforeEach(() => {
		dropperReads = 0;
	});

	const request = (base: string): HttpRequestSpec => ({ method: 'POST', url: `${base}/v3/mail/send`, headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
	const transports: Array<[string, () => Transport & { close?(): void }]> = [
		['requesterTransport (the error alone)', () => requesterTransport(plainClient)],
		['nodeHttpTransport (its socket)', () => nodeHttpTransport({ expectContinue: false, timeoutMs: 3000 })],
		['nodeHttpTransport with Expect: 100-continue', () => nodeHttpTransport({ timeoutMs: 500 })],
	];

	describe.each(transports)('%s', (_name, make) => {
		let transport: Transport & { close?(): void };
		beforeEach(() => (transport = make()));
		afterEach(() => transport.close?.());
		const phaseOf = async (base: string): Promise<TransportError> => {
			const error = await transport(request(base)).then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(error).toBeInstanceOf(TransportError);
			return error as TransportError;
		};

		it('an untrusted (self-signed) certificate: before (the TLS handshake failed)', async () => {
			const error = await phaseOf(urls.untrustedCert);
			// Node's X509 code for a self-signed leaf (https://nodejs.org/api/tls.html#x509-certificate-error-codes)
			expect([error.message, error.phase]).toEqual(['DEPTH_ZERO_SELF_SIGNED_CERT', 'before']);
		});
		it('a chain from a root CA the client lacks (TLS-inspecting proxy): before', async () => {
			const error = await phaseOf(urls.unknownRootCa);
			expect([error.message, error.phase]).toEqual(['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'before']);
		});
		it('https:// to a port speaking plain HTTP: before (OpenSSL protocol error in the handshake)', async () => {
			const error = await phaseOf(urls.plainHttpPort);
			expect(error.message).toMatch(/^(EPROTO|ERR_SSL_\w+)$/);
			expect(error.phase).toBe('before');
		});
		it('connection refused: before', async () => {
			const error = await phaseOf(urls.refused);
			expect([error.message, error.phase]).toEqual(['ECONNREFUSED', 'before']);
		});
		it('the server read the request and dropped the connection: after (the answer was lost)', async () => {
			const error = await phaseOf(urls.dropsAfterReading);
			if (_name.includes('100-continue')) {
				// The server never says "100 Continue", so the body is never sent: the wait times out, before.
				expect([error.message, error.phase, dropperReads]).toEqual(['ETIMEDOUT', 'before', 0]);
			} else {
				expect([error.phase, dropperReads]).toEqual(['after', 1]);
			}
		});
	});

	it('Node error codes of the DNS, TCP connect and TLS handshake phases are before; a reset or timeout is after', () => {
		const phase = (e: object) => toTransportError(Object.assign(new Error('x'), e)).phase;
		// TLS: Node's documented X509 codes beyond the five listed before
		for (const code of ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'HOSTNAME_MISMATCH', 'CERT_REVOKED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO']) {
			expect([code, phase({ code })]).toEqual([code, 'before']);
		}
		expect(phase({ code: 'ECONNRESET', message: 'Client network socket disconnected before secure TLS connection was established' })).toBe('before');
		// TCP connect (syscall connect), DNS (getaddrinfo); also as the cause of a wrapping error (axios, n8n)
		for (const code of ['ETIMEDOUT', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']) expect(phase({ code: 'X', cause: Object.assign(new Error(`connect ${code}`), { code, syscall: 'connect' }) })).toBe('before');
		expect(phase({ code: 'EAI_AGAIN', syscall: 'getaddrinfo' })).toBe('before');
		// Node's happy-eyeballs connect: an AggregateError of per-address connect errors
		expect(phase({ code: 'ETIMEDOUT', errors: [Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT', syscall: 'connect' })] })).toBe('before');
		// After the request was (or may have been) written
		expect(phase({ code: 'ECONNRESET', message: 'socket hang up' })).toBe('after');
		expect(phase({ code: 'ETIMEDOUT', syscall: 'read' })).toBe('after');
		expect(phase({ code: 'ECONNABORTED', message: 'timeout of 300ms exceeded' })).toBe('after');
		expect(phase({ code: 'EPIPE', syscall: 'write' })).toBe('after');
	});

	describe('an OpenSSL record error after the server read the request (a middlebox corrupting the answer): after', () => {
		// A TLS server the client trusts (its self-signed certificate given as the CA), behind a TCP
		// proxy that, once the server has read the whole request, sends the client a TLS record that
		// is not one of the connection (an application-data record of random bytes, or a truncated
		// alert record): the client's OpenSSL fails on the established connection.
		const ca = fs.readFileSync(path.join(TLS_DIR, 'untrusted-cert.pem'));
		let server: https.Server;
		let proxy: net.Server;
		let base = '';
		let reads = 0;
		let inject: Buffer = Buffer.alloc(0);
		const clients: net.Socket[] = [];
		beforeAll(async () => {
			server = https.createServer({ key: fs.readFileSync(path.join(TLS_DIR, 'untrusted-key.pem')), cert: ca }, (req) => {
				req.resume();
				req.on('end', () => {
					reads++;
					// never answered: the proxy corrupts the connection instead
					setTimeout(() => clients.at(-1)?.write(inject), 20);
				});
			});
			const serverPort = await listen(server);
			proxy = net.createServer((c) => {
				clients.push(c);
				const up = net.connect(serverPort, '127.0.0.1');
				c.on('data', (d) => up.write(d));
				up.on('data', (d) => {
					if (!c.destroyed) c.write(d);
				});
				c.on('error', () => undefined);
				up.on('error', () => undefined);
				c.on('close', () => up.destroy());
			});
			base = `https://127.0.0.1:${await listen(proxy)}`;
		});
		afterAll(async () => {
			for (const c of clients) c.destroy();
			server.closeAllConnections();
			await close(server);
			await close(proxy);
		});
		beforeEach(() => {
			reads = 0;
		});
		const caClient = (request: HttpRequestSpec, headers: Record<string, string>): Promise<RawResponse> =>
			new Promise((resolve, reject) => {
				const req = https.request(new URL(request.url), { method: request.method, headers, agent: false, ca }, (res) => {
					res.resume();
					res.on('end', () => resolve({ statusCode: res.statusCode ?? 0 }));
					res.on('error', reject);
				});
				req.on('error', reject);
				req.end(request.body);
			});
		const clientsUnderTest: Array<[string, () => Transport & { close?(): void }]> = [
			['requesterTransport (the error alone)', () => requesterTransport(caClient)],
			['nodeHttpTransport (its socket)', () => nodeHttpTransport({ expectContinue: false, timeoutMs: 3000, ca })],
			['nodeHttpTransport with Expect: 100-continue', () => nodeHttpTransport({ timeoutMs: 3000, ca })],
		];
		const records: Array<[string, Buffer]> = [
			// type 23 (application data), TLS 1.2, length 26, bytes no key decrypts
			['a corrupt application-data record', Buffer.from('170303001a' + 'ab'.repeat(26), 'hex')],
			// type 21 (alert), length 2, cut after its first byte
			['a truncated alert record', Buffer.from('15030300020114', 'hex')],
		];
		describe.each(clientsUnderTest)('%s', (_name, make) => {
			it.each(records)('%s', async (_what, record) => {
				inject = record;
				const transport = make();
				try {
					const error = await transport(request(base)).then(
						() => undefined,
						(e: unknown) => e,
					);
					expect(error).toBeInstanceOf(TransportError);
					expect([(error as TransportError).phase, reads]).toEqual(['after', 1]);
				} finally {
					transport.close?.();
				}
			});
		});
		it('the codes alone: record-layer errors are after, handshake errors before', () => {
			const phase = (e: object) => toTransportError(Object.assign(new Error('x'), e)).phase;
			for (const code of ['ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC', 'ERR_SSL_BAD_RECORD_TYPE', 'ERR_SSL_SSLV3_ALERT_BAD_RECORD_MAC', 'ERR_SSL_UNEXPECTED_EOF_WHILE_READING', 'ERR_SSL_BAD_RECORD_MAC'])
				expect([code, phase({ code })]).toEqual([code, 'after']);
			expect(phase({ code: 'EPROTO', message: 'write EPROTO error:0A000119:SSL routines::decryption failed or bad record mac' })).toBe('after');
			for (const code of ['ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'ERR_SSL_UNSUPPORTED_PROTOCOL', 'ERR_SSL_NO_SHARED_CIPHER', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_TLS_HANDSHAKE_TIMEOUT'])
				expect([code, phase({ code })]).toEqual([code, 'before']);
		});
	});

	it('SendGrid behind a TLS-inspecting proxy whose root CA Node lacks: retried, then the run stops as unreachable; nothing is unknown or remembered', async () => {
		const ledger = new MemoryLedger(86400);
		const channel = httpChannel(sendgrid, { baseUrl: urls.unknownRootCa }, requesterTransport(plainClient));
		const report = await dispatch(renderedItems(3), channel, { mode: 'rendered', ledger, limits: { concurrency: 1 }, retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1 } });
		expect(report.unreachable).toMatch(/^SendGrid could not be reached \(UNABLE_TO_GET_ISSUER_CERT_LOCALLY\) in 3 attempts/);
		expect(report.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'failed']);
		expect(report.requests).toBe(3);
		for (const o of report.outcomes) expect(ledger.has(o.idempotencyKey, Date.now())).toBe(false);
	});

	it('SendGrid dropping the connection after reading the request: unknown, not sent again, remembered', async () => {
		const ledger = new MemoryLedger(86400);
		const channel = httpChannel(sendgrid, { baseUrl: urls.dropsAfterReading }, requesterTransport(plainClient));
		const report = await dispatch(renderedItems(2), channel, { mode: 'rendered', ledger, limits: { concurrency: 1 }, retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1 } });
		expect(report.unreachable).toBeUndefined();
		expect(report.outcomes.map((o) => o.status)).toEqual(['unknown', 'unknown']);
		expect(dropperReads).toBe(1);
		for (const o of report.outcomes) expect(ledger.has(o.idempotencyKey, Date.now())).toBe(true);
	});
});
