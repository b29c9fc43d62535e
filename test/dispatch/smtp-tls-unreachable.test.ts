/**
 * SMTP: a login is never sent unencrypted unless the credential allows it, and a server that cannot
 * be reached stops the run instead of every message retrying on its own.
 *
 * References: nodemailer's SMTP transport options (https://nodemailer.com/smtp/): "requireTLS – if
 * this is true and secure is false then Nodemailer tries to use STARTTLS even if the server does not
 * advertise support for it. If the connection can not be encrypted then message is not sent";
 * without it a server that does not advertise STARTTLS gets the AUTH command in plain text.
 * RFC 8314 §3 (submission over TLS), RFC 3207 (STARTTLS).
 */
import net, { type AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { dispatch } from '../../nodes/engines/dispatch/engine';
import { smtpChannel, STARTTLS_REQUIRED, verifySmtp } from '../../nodes/engines/dispatch/smtp';
import { fakeSleep, renderedItems } from './helpers';

interface Login {
	user: string;
	secure: boolean;
}

/** A real SMTP server with AUTH; with `starttls` it offers STARTTLS (smtp-server's own self-signed certificate). */
async function startServer(starttls: boolean): Promise<{ port: number; logins: Login[]; delivered: string[]; close(): Promise<void> }> {
	const logins: Login[] = [];
	const delivered: string[] = [];
	const server = new SMTPServer({
		disabledCommands: starttls ? [] : ['STARTTLS'],
		allowInsecureAuth: true,
		authOptional: true,
		authMethods: ['PLAIN', 'LOGIN'],
		logger: false,
		onAuth(auth, session: SMTPServerSession, cb) {
			logins.push({ user: auth.username ?? '', secure: Boolean(session.secure) });
			cb(null, { user: auth.username });
		},
		onData(stream, session, cb) {
			stream.resume();
			stream.on('end', () => {
				delivered.push(session.envelope.rcptTo[0].address);
				cb();
			});
		},
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { port: (server.server.address() as AddressInfo).port, logins, delivered, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A local port nothing listens on (connection refused). */
async function closedPort(): Promise<number> {
	const probe = net.createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as AddressInfo;
	await new Promise<void>((resolve) => probe.close(() => resolve()));
	return port;
}

describe('SMTP login only over an encrypted connection', () => {
	it('a server without STARTTLS never receives the login: the run stops as for a refused credential, nothing is sent', async () => {
		const server = await startServer(false);
		try {
			const channel = smtpChannel({ host: '127.0.0.1', port: server.port, secure: false, user: 'mailer', password: 'smtp-secret-pw', timeoutMs: 3000 });
			const report = await dispatch(renderedItems(3), channel, { mode: 'rendered', sleep: fakeSleep().sleep, limits: { concurrency: 1 } });
			channel.close();
			expect(server.logins).toEqual([]);
			expect(server.delivered).toEqual([]);
			expect(report.credentialRejected).toMatch(/did not encrypt the connection with STARTTLS/);
			expect(report.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'failed']);
			expect(report.requests).toBe(1);
			expect(JSON.stringify(report)).not.toContain('smtp-secret-pw');
			// "Test credential" says the same, and does not log in either.
			await expect(verifySmtp({ host: '127.0.0.1', port: server.port, secure: false, user: 'mailer', password: 'smtp-secret-pw' })).rejects.toMatchObject({ code: STARTTLS_REQUIRED });
			expect(server.logins).toEqual([]);
		} finally {
			await server.close();
		}
	});

	it('with "Allow Login Without TLS" the login goes in plain text, as the user chose', async () => {
		const server = await startServer(false);
		try {
			const channel = smtpChannel({ host: '127.0.0.1', port: server.port, secure: false, user: 'mailer', password: 'smtp-secret-pw', timeoutMs: 3000, allowLoginWithoutTls: true });
			const report = await dispatch(renderedItems(2), channel, { mode: 'rendered', sleep: fakeSleep().sleep });
			channel.close();
			expect(report.outcomes.map((o) => o.status)).toEqual(['sent', 'sent']);
			expect(server.logins.every((l) => l.user === 'mailer' && !l.secure)).toBe(true);
		} finally {
			await server.close();
		}
	});

	it('a server offering STARTTLS: the login is sent only after the upgrade', async () => {
		const server = await startServer(true);
		try {
			const settings = { host: '127.0.0.1', port: server.port, secure: false, user: 'mailer', password: 'smtp-secret-pw', timeoutMs: 3000, allowUnauthorizedCerts: true };
			const channel = smtpChannel(settings);
			const report = await dispatch(renderedItems(2), channel, { mode: 'rendered', sleep: fakeSleep().sleep });
			channel.close();
			expect(report.outcomes.map((o) => o.status)).toEqual(['sent', 'sent']);
			expect(server.logins.length).toBeGreaterThan(0);
			expect(server.logins.every((l) => l.secure)).toBe(true);
			await expect(verifySmtp(settings)).resolves.toBeUndefined();
		} finally {
			await server.close();
		}
	});

	it('without a user nothing is sent in the clear that was secret: no STARTTLS is required (a local relay)', async () => {
		const server = await startServer(false);
		try {
			const channel = smtpChannel({ host: '127.0.0.1', port: server.port, secure: false, timeoutMs: 3000 });
			const report = await dispatch(renderedItems(1), channel, { mode: 'rendered', sleep: fakeSleep().sleep });
			channel.close();
			expect(report.outcomes[0].status).toBe('sent');
		} finally {
			await server.close();
		}
	});
});

describe('an SMTP server that cannot be reached stops the run', () => {
	it('connection refused: the first message tries Max Attempts times, the rest are not tried and fail "not sent"', async () => {
		const port = await closedPort();
		const channel = smtpChannel({ host: '127.0.0.1', port, secure: false, timeoutMs: 2000 });
		const clock = fakeSleep();
		const report = await dispatch(renderedItems(20), channel, { mode: 'rendered', sleep: clock.sleep, now: clock.now, limits: { concurrency: 1 }, retry: { maxAttempts: 3 } });
		channel.close();
		// 3 connection attempts in all (the former code made 3 per message: 60), 2 backoff waits.
		expect(report.requests).toBe(3);
		expect(clock.delays).toHaveLength(2);
		expect(report.outcomes.map((o) => o.attempts)).toEqual([3, ...Array(19).fill(0)]);
		expect(report.outcomes.every((o) => o.status === 'failed')).toBe(true);
		expect(report.outcomes[0].error).toMatch(/^gave up after 3 attempts: .*ECONNREFUSED/);
		expect(report.outcomes[1].error).toMatch(/^not sent: SMTP could not be reached \(.*ECONNREFUSED.*\) in 3 attempts/);
		expect(report.unreachable).toMatch(/^SMTP could not be reached/);
	});
});
