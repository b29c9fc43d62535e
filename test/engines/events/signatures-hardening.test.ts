/**
 * Hardening found by a security review: a Svix secret whose base64 part decodes to nothing, SNS
 * certificate URLs that differ only by a query, fragment or spelling, parallel and repeated fetches
 * of one certificate, certificates outside their validity period, SendGrid keys on another curve.
 * Keys and certificates are the locally generated ones of test/harness/signing.ts (the SNS test
 * certificate is valid from 2026-11-22T23:00:45Z to 2126-10-29T23:00:45Z) or made here with node:crypto.
 */
import { createHmac } from 'node:crypto';
import { verifySvix } from '../../../nodes/engines/events/signatures/svix';
import { SECRETS } from '../../harness/signing';

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
