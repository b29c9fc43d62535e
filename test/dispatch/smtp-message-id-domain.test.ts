/**
 * SMTP Message-ID: its id-right (the sender's domain) is ASCII dot-atom-text (RFC 5322 §3.6.4,
 * §3.2.3) also when IDNA gives the sender's domain no ASCII form.
 *
 * Expected values: `a\u200db.de` (a zero-width joiner, which IDNA 2008 / UTS 46 refuses outside
 * its contexts) and `\u0660a.com` (an Arabic-Indic digit next to a Latin letter, refused by the
 * bidi rule) have no IDNA form (WHATWG URL domainToASCII gives ''); their RFC 3492 Punycode labels,
 * computed with Node's own punycode module (another implementation than nodemailer's), are
 * `xn--ab-m1t` and `xn--a-7pc`: what nodemailer writes into the From header for them. A domain
 * with `[x]` in it is no dot-atom in any form: the id-right is then `localhost`.
 *
 * Dry run: the MIME message shown is the one nodemailer compiles for sending.
 */
import { simpleParser } from 'mailparser';
import { dispatch } from '../../nodes/engines/dispatch/engine';
import { smtpChannel } from '../../nodes/engines/dispatch/smtp';
import { renderedItems } from './helpers';

const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

async function preview(fromDomain: string): Promise<{ messageId: string; mime: string }> {
	const channel = smtpChannel({ host: '127.0.0.1', port: 9, secure: false, maxConnections: 1, timeoutMs: 1000 });
	try {
		const [item] = renderedItems(1, { from: { email: `news@${fromDomain}`, name: 'Shop' } });
		const report = await dispatch([item], channel, { mode: 'rendered', dryRun: true });
		expect(report.outcomes[0].status).toBe('dryRun');
		const shown = report.outcomes[0].request!.preview as { messageId: string; mime: string };
		return { messageId: shown.messageId, mime: shown.mime };
	} finally {
		channel.close();
	}
}

function idRight(messageId: string): string {
	const m = /^<([^@<>]+)@([^@<>]+)>$/.exec(messageId);
	expect(m).not.toBeNull();
	return m![2];
}

describe('SMTP Message-ID domain when the sender domain has no IDNA form', () => {
	it.each([
		['a\u200db.de', 'xn--ab-m1t.de'],
		['\u0660a.com', 'xn--a-7pc.com'],
	])('%j: the Message-ID carries the Punycode form nodemailer writes in From (%s), in ASCII', async (domain, expected) => {
		const { messageId, mime } = await preview(domain);
		expect(idRight(messageId)).toBe(expected);
		expect(messageId).toMatch(/^[\x21-\x7e]+$/);
		// The header as written (nodemailer folds it after the name) and as read back.
		expect(/^Message-ID:\s*(<[^>\r\n]*>)\r$/im.exec(mime)?.[1]).toBe(messageId);
		const parsed = await simpleParser(mime);
		expect(parsed.messageId).toBe(messageId);
		// The same domain as the From address nodemailer wrote (mailparser would give it back decoded).
		expect(/^From: (.*)\r$/m.exec(mime)?.[1]).toBe(`Shop <news@${expected}>`);
	});

	it('a domain that is no dot-atom in any form gives localhost', async () => {
		const { messageId } = await preview('\u00fc[x].de');
		expect(idRight(messageId)).toBe('localhost');
		expect(DOT_ATOM.test(idRight(messageId))).toBe(true);
	});

	it('an IDNA domain keeps its A-label form and an ASCII domain stays as it is', async () => {
		expect(idRight((await preview('b\u00fccher.de')).messageId)).toBe('xn--bcher-kva.de');
		expect(idRight((await preview('shop.example.com')).messageId)).toBe('shop.example.com');
	});
});
