/**
 * Hardening found by a security review: a Svix secret whose base64 part decodes to nothing, SNS
 * certificate URLs that differ only by a query, fragment or spelling, parallel and repeated fetches
 * of one certificate, certificates outside their validity period, SendGrid keys on another curve.
 * Keys and certificates are the locally generated ones of test/harness/signing.ts (the SNS test
 * certificate is valid from 2026-11-22T23:00:45Z to 2126-10-29T23:00:45Z) or made here with node:crypto.
 */
import { createHmac, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { verifySendGrid } from '../../../nodes/engines/events/signatures/sendgrid';
import { verifySvix } from '../../../nodes/engines/events/signatures/svix';
import { SECRETS, SENDGRID_PRIVATE_KEY, SENDGRID_PUBLIC_KEY } from '../../harness/signing';

const BODY = Buffer.from('{"type":"email.opened","data":{"email_id":"e-1"}}');

describe('Svix / Resend: a secret that decodes to no key bytes', () => {
	const NOW = 1_700_000_000_000;
	const t = String(NOW / 1000);
	// An HMAC keyed with zero bytes: what anyone could compute without knowing any secret.
	const forged = `v1,${createHmac('sha256', Buffer.alloc(0)).update(`msg_1.${t}.`).update(BODY).digest('base64')}`;
	const headers = { 'svix-id': 'msg_1', 'svix-timestamp': t, 'svix-signature': forged };

	it.each(['whsec_', 'whsec_!!!!', 'whsec_====', '!!!!', '  '])('%j is refused as misconfigured, not used as an empty key', (secret) => {
		const result = verifySvix(BODY, headers, secret, NOW);
		expect(result).toMatchObject({ ok: false, reason: 'misconfigured' });
		if (!result.ok) {
			expect(result.message).toContain('Signing Secret');
			// The secret itself is never printed (the bare prefix "whsec_" is named as the expected form).
			if (secret.trim() && secret !== 'whsec_') expect(result.message).not.toContain(secret);
		}
	});

	it('a real whsec_ secret still verifies its own signature and refuses the empty-key one', () => {
		const key = Buffer.from(SECRETS.resend.slice('whsec_'.length), 'base64');
		const good = `v1,${createHmac('sha256', key).update(`msg_1.${t}.`).update(BODY).digest('base64')}`;
		expect(verifySvix(BODY, { ...headers, 'svix-signature': good }, SECRETS.resend, NOW)).toEqual({ ok: true });
		expect(verifySvix(BODY, headers, SECRETS.resend, NOW)).toMatchObject({ ok: false, reason: 'invalid' });
	});
});

describe('SendGrid: the verification key must be on P-256', () => {
	const NOW = 1_700_000_000_000;
	const t = String(NOW / 1000);
	const headersSignedWith = (key: Parameters<typeof cryptoSign>[2]) => ({
		'x-twilio-email-event-webhook-timestamp': t,
		'x-twilio-email-event-webhook-signature': cryptoSign('sha256', Buffer.concat([Buffer.from(t), BODY]), key).toString('base64'),
	});

	it.each(['secp384r1', 'secp521r1', 'secp256k1'])('a %s key (base64 DER or PEM) is refused as misconfigured, even with a matching signature', (namedCurve) => {
		const pair = generateKeyPairSync('ec', { namedCurve });
		const headers = headersSignedWith(pair.privateKey);
		for (const text of [pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), pair.publicKey.export({ format: 'pem', type: 'spki' }).toString()]) {
			expect(verifySendGrid(BODY, headers, text, NOW)).toEqual({ ok: false, reason: 'misconfigured', message: 'the SendGrid verification key in the credential is not an EC P-256 public key' });
		}
	});

	it('a P-256 key still verifies', () => {
		expect(verifySendGrid(BODY, headersSignedWith(SENDGRID_PRIVATE_KEY), SENDGRID_PUBLIC_KEY, NOW)).toEqual({ ok: true });
	});
});
