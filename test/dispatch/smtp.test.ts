/**
 * SMTP through the engine against a real SMTP server (the `smtp-server` package) started here;
 * every received message is parsed with `mailparser`.
 *
 * References: RFC 5321 (reply codes: 2xx ok, 4xx transient, 5xx permanent), RFC 4954 §6
 * (535 authentication credentials invalid), RFC 2046 §5.1.4 (multipart/alternative, the
 * preferred part last), RFC 2369 + RFC 8058 (List-Unsubscribe, List-Unsubscribe-Post).
 */
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { dispatch, TEST_MODE_HEADER } from '../../nodes/engines/dispatch/engine';
import { smtpChannel, verifySmtp } from '../../nodes/engines/dispatch/smtp';
import { fakeSleep, renderedItems } from './helpers';

interface Received {
	envelopeTo: string[];
	envelopeFrom: string;
	raw: string;
	mail: ParsedMail;
}

type Fault = 'transient' | 'permanent' | 'dropAfterData';
/** Before any message byte: the connection dropped at RCPT TO, or MAIL FROM answered after the client's timeout. */
type EnvelopeFault = 'dropAtRcpt' | 'slowMailFrom';

describe('SMTP through the dispatch engine (real smtp-server + mailparser)', () => {
	const received: Received[] = [];
	const faults: Fault[] = [];
	const envelopeFaults: EnvelopeFault[] = [];
	let server: SMTPServer;
	let port = 0;

	beforeAll(async () => {
		server = new SMTPServer({
			secure: false,
			disabledCommands: ['STARTTLS'],
			authMethods: ['PLAIN', 'LOGIN'],
			logger: false,
			onAuth(auth, _session, callback) {
				if (auth.username === 'mailer' && auth.password === 'smtp-secret-pw') return callback(null, { user: 'mailer' });
				const err = new Error('Invalid username or password') as Error & { responseCode: number };
				err.responseCode = 535;
				return callback(err);
			},
			onMailFrom(_address, _session, callback) {
				if (envelopeFaults[0] === 'slowMailFrom') {
					envelopeFaults.shift();
					setTimeout(() => callback(), 1200);
					return;
				}
				callback();
			},
			onRcptTo(_address, session, callback) {
				if (envelopeFaults[0] === 'dropAtRcpt') {
					envelopeFaults.shift();
					for (const c of (server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }).connections) {
						if (c.id === session.id) c._socket.destroy();
					}
					return;
				}
				callback();
			},
			onData(stream, session: SMTPServerSession, callback) {
				const chunks: Buffer[] = [];
				stream.on('data', (c: Buffer) => chunks.push(c));
				stream.on('end', async () => {
					const fault = faults.shift();
					if (fault === 'transient' || fault === 'permanent') {
						const err = new Error(fault === 'transient' ? 'Try again later' : 'Mailbox unavailable') as Error & { responseCode: number };
						err.responseCode = fault === 'transient' ? 451 : 550;
						return callback(err);
					}
					const raw = Buffer.concat(chunks).toString('utf8');
					received.push({
						envelopeTo: session.envelope.rcptTo.map((r) => r.address),
						envelopeFrom: (session.envelope.mailFrom as { address: string }).address,
						raw,
						mail: await simpleParser(raw),
					});
					if (fault === 'dropAfterData') {
						// Accepted, but the "250 OK" never reaches the client.
						for (const c of (server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }).connections) {
							if (c.id === session.id) c._socket.destroy();
						}
						return;
					}
					callback();
				});
			},
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.server.address() as AddressInfo).port;
	});
	afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
	beforeEach(() => {
		received.length = 0;
		faults.length = 0;
		envelopeFaults.length = 0;
	});

	const settings = (password = 'smtp-secret-pw') => ({ host: '127.0.0.1', port, secure: false, user: 'mailer', password, maxConnections: 2, timeoutMs: 3000, allowLoginWithoutTls: true }); // this server offers no STARTTLS

	it('sends text + html as multipart/alternative with List-Unsubscribe, Message-ID and attribution headers', async () => {
		const channel = smtpChannel(settings());
		const items = renderedItems(3, { unsubscribeUrl: 'https://shop.example.com/u/x', unsubscribeMailto: 'unsub@shop.example.com', attribution: { variant: 'B' } });
		const report = await dispatch(items, channel, { mode: 'rendered', sleep: fakeSleep().sleep });
		channel.close();
		expect(report.outcomes.map((o) => [o.status, o.responseCode, o.attempts])).toEqual([['sent', 250, 1], ['sent', 250, 1], ['sent', 250, 1]]);
		expect(received).toHaveLength(3);
		const byTo = new Map(received.map((r) => [r.envelopeTo[0], r]));
		for (const [k, item] of items.entries()) {
			const r = byTo.get(item.to.email)!;
			expect(r.envelopeTo).toEqual([item.to.email]);
			expect(r.envelopeFrom).toBe('news@shop.example.com');
			expect(r.mail.subject).toBe(item.subject);
			expect(r.mail.text?.trim()).toBe(item.text);
			expect(r.mail.html).toBe(item.html);
			expect(r.raw).toMatch(/Content-Type: multipart\/alternative/i);
			// text/plain part comes before text/html (RFC 2046: preferred alternative last).
			expect(r.raw.indexOf('Content-Type: text/plain')).toBeLessThan(r.raw.indexOf('Content-Type: text/html'));
			const header = (name: string) => r.mail.headerLines.find((h) => h.key === name.toLowerCase())?.line.replace(/\r?\n(?=[ \t])/g, '').replace(/^[^:]+:\s*/, ''); // unfolded (RFC 5322 §2.2.3)
			expect(header('List-Unsubscribe')).toBe('<https://shop.example.com/u/x>, <mailto:unsub@shop.example.com>');
			expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
			expect(header('X-Pz-Campaign-Id')).toBe('spring-sale');
			expect(header('X-Pz-Variant')).toBe('B');
			expect(r.mail.messageId).toBe(report.outcomes[k].providerMessageId);
			expect(r.mail.messageId).toMatch(/^<pz-[0-9a-f]{32}\.[0-9a-f]{12}@shop\.example\.com>$/);
		}
	});

	it('dry run shows the exact MIME message and envelope, and sends nothing', async () => {
		const channel = smtpChannel(settings());
		const [item] = renderedItems(1, { unsubscribeUrl: 'https://shop.example.com/u/x' });
		const report = await dispatch([item], channel, { mode: 'rendered', dryRun: true });
		channel.close();
		expect(received).toHaveLength(0);
		const preview = report.outcomes[0].request!.preview as { envelope: unknown; mime: string };
		expect(preview.envelope).toEqual({ from: 'news@shop.example.com', to: ['user0@example.com'] });
		const parsed = await simpleParser(preview.mime);
		expect(parsed.subject).toBe(item.subject);
		expect(parsed.html).toBe(item.html);
		expect(preview.mime).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
	});

	it('test mode redirects to the test address and keeps the original recipient in a header', async () => {
		const channel = smtpChannel(settings());
		const report = await dispatch(renderedItems(2), channel, { mode: 'rendered', testAddress: 'qa@shop.example.com', sleep: fakeSleep().sleep });
		channel.close();
		expect(report.outcomes.every((o) => o.status === 'sent')).toBe(true);
		expect(received.map((r) => r.envelopeTo)).toEqual([['qa@shop.example.com'], ['qa@shop.example.com']]);
		expect(received.map((r) => r.mail.headers.get(TEST_MODE_HEADER.toLowerCase())).sort()).toEqual(['user0@example.com', 'user1@example.com']);
		expect(received.map((r) => (r.mail.to as { value: Array<{ address: string }> }).value[0].address)).toEqual(['qa@shop.example.com', 'qa@shop.example.com']);
	});

	it('retries a 451 (transient) and does not retry a 550 (permanent)', async () => {
		faults.push('transient', 'permanent');
		const channel = smtpChannel({ ...settings(), maxConnections: 1 });
		const report = await dispatch(renderedItems(2), channel, { mode: 'rendered', sleep: fakeSleep().sleep, limits: { concurrency: 1 } });
		channel.close();
		// message 0: 451 (retried), then 550 on its second try (not retried); message 1 goes through.
		expect(report.outcomes.map((o) => [o.status, o.responseCode, o.attempts])).toEqual([['failed', 550, 2], ['sent', 250, 1]]);
		expect(report.outcomes[0].error).toMatch(/^SMTP 550/);
		expect(received.map((r) => r.envelopeTo[0])).toEqual(['user1@example.com']);
	});

	it('answers lost after DATA: status unknown, not sent again', async () => {
		faults.push('dropAfterData');
		const channel = smtpChannel(settings());
		const report = await dispatch(renderedItems(1), channel, { mode: 'rendered', sleep: fakeSleep().sleep });
		channel.close();
		expect(received).toHaveLength(1);
		expect(report.outcomes[0]).toMatchObject({ status: 'unknown', attempts: 1 });
		expect(report.outcomes[0].error).toMatch(/not sent again/);
	});

	// RFC 5321 §4.1.1.4: a message is taken only at the end of its data. A connection lost before
	// DATA (no message byte sent) cannot have delivered it: it is sent again, and arrives once.
	// The former code called these `unknown` (remembered as sent, never delivered).
	it.each([
		['dropped at RCPT TO', 'dropAtRcpt'],
		['timed out waiting for the reply to MAIL FROM', 'slowMailFrom'],
	] as const)('a connection %s, before any message byte, is retried: sent once', async (_what, fault) => {
		envelopeFaults.push(fault);
		const channel = smtpChannel({ ...settings(), maxConnections: 1, timeoutMs: 500 });
		const report = await dispatch(renderedItems(1), channel, { mode: 'rendered', sleep: fakeSleep().sleep, limits: { concurrency: 1 } });
		channel.close();
		expect(report.outcomes[0]).toMatchObject({ status: 'sent', responseCode: 250, attempts: 2 });
		expect(received.map((r) => r.envelopeTo)).toEqual([['user0@example.com']]);
	});

	it('no login where the server requires one (530 Authentication required, RFC 4954) is a rejected credential: the run stops, nothing is sent', async () => {
		const channel = smtpChannel({ ...settings(), user: '', password: '' });
		const report = await dispatch(renderedItems(3), channel, { mode: 'rendered', sleep: fakeSleep().sleep, limits: { concurrency: 1 } });
		channel.close();
		expect(report.credentialRejected).toMatch(/\(530\)/);
		expect(received).toHaveLength(0);
	});

	it('a wrong password is reported as a rejected credential (535) and the password appears nowhere', async () => {
		const channel = smtpChannel(settings('wrong-password-123'));
		const report = await dispatch(renderedItems(2), channel, { mode: 'rendered', sleep: fakeSleep().sleep });
		channel.close();
		expect(report.credentialRejected).toMatch(/SMTP rejected the credential \(535\)/);
		expect(received).toHaveLength(0);
		expect(JSON.stringify(report)).not.toContain('wrong-password-123');
		await expect(verifySmtp(settings('wrong-password-123'))).rejects.toMatchObject({ responseCode: 535 });
		await expect(verifySmtp(settings())).resolves.toBeUndefined();
	});
});
