/**
 * A real SMTP server (smtp-server) on a free local port that keeps every message it accepts,
 * parsed with mailparser: the inbox the node tests send to.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
	/** Envelope recipients (RCPT TO). */
	to: string[];
	mail: ParsedMail;
}

export interface SmtpInbox {
	port: number;
	received: ReceivedMail[];
	close(): Promise<void>;
}

/**
 * Starts the inbox; with `auth`, only that user and password may send (others get 535). Messages
 * go into `into` when given (a test's own list), else into a new list.
 */
export async function startSmtpInbox(options: { auth?: { user: string; password: string }; into?: ReceivedMail[] } = {}): Promise<SmtpInbox> {
	const { auth } = options;
	const received: ReceivedMail[] = options.into ?? [];
	const server = new SMTPServer({
		disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
		logger: false,
		...(auth
			? {
					onAuth: (login, _session, cb) =>
						login.username === auth.user && login.password === auth.password
							? cb(null, { user: auth.user })
							: cb(Object.assign(new Error('Invalid credentials'), { responseCode: 535 })),
				}
			: {}),
		onData(stream, session, cb) {
			const chunks: Buffer[] = [];
			stream.on('data', (c: Buffer) => chunks.push(c));
			stream.on('end', async () => {
				received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail: await simpleParser(Buffer.concat(chunks)) });
				cb();
			});
		},
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.server.address() as AddressInfo).port,
		received,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
