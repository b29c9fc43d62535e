/**
 * Hardening found by a security review: a Svix secret whose base64 part decodes to nothing, SNS
 * certificate URLs that differ only by a query, fragment or spelling, parallel and repeated fetches
 * of one certificate, certificates outside their validity period, SendGrid keys on another curve.
 * Keys and certificates are the locally generated ones of test/harness/signing.ts (the SNS test
 * certificate is valid from 2026-11-22T23:00:45Z to 2126-10-29T23:00:45Z) or made here with node:crypto.
 */
import { createHmac, generateKeyPairSync, sign as cryptoSign, X509Certificate } from 'node:crypto';
import type { SnsMessage } from '../../../nodes/engines/events/signatures/sns';
import { asSnsMessage, certificateCache, isValidSigningCertUrl, verifySns } from '../../../nodes/engines/events/signatures/sns';
import { verifySendGrid } from '../../../nodes/engines/events/signatures/sendgrid';
import { verifySvix } from '../../../nodes/engines/events/signatures/svix';
import { SECRETS, SENDGRID_PRIVATE_KEY, SENDGRID_PUBLIC_KEY, SNS_CERT_PEM, SNS_CERT_URL, signSns } from '../../harness/signing';

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

describe('SNS signing certificates', () => {
	const base = { Type: 'Notification', MessageId: 'm-h', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: 'hello' };
	/** A message signed with the test key, naming `url` (SigningCertURL is not among the signed fields). */
	const messageFor = (url: string): SnsMessage => ({ ...asSnsMessage(signSns(base, new Date(Date.UTC(2027, 0, 1)).toISOString(), '2'))!, SigningCertURL: url });
	const IN_VALIDITY = Date.UTC(2027, 0, 1);
	const CANNOT_FETCH = { ok: false, reason: 'invalid', message: 'the SNS signing certificate could not be fetched or parsed' };
	let n = 0;
	/** A URL of the right form not used by any other test (the failure memory is process-wide). */
	const freshUrl = () => `https://sns.us-east-1.amazonaws.com/SimpleNotificationService-hardening${++n}.pem`;

	beforeEach(() => certificateCache().clear());

	describe('URL: no query, no fragment, written as the URL parser writes it', () => {
		it.each([
			`${SNS_CERT_URL}?x=1`,
			`${SNS_CERT_URL}?`,
			`${SNS_CERT_URL}#f`,
			`${SNS_CERT_URL}#`,
			`${SNS_CERT_URL}?a#b`,
			SNS_CERT_URL.replace('sns.us-east-1', 'SNS.us-east-1'),
			SNS_CERT_URL.replace('.com/', '.com:443/'),
			SNS_CERT_URL.replace('.com/', '.com/./'),
			SNS_CERT_URL.replace('Simple', 'Sim\tple'),
			` ${SNS_CERT_URL}`,
		])('%j is refused without a fetch', async (url) => {
			expect(isValidSigningCertUrl(url)).toBe(false);
			const fetcher = jest.fn(async () => SNS_CERT_PEM);
			expect(await verifySns(messageFor(url), fetcher, IN_VALIDITY, 0)).toMatchObject({ ok: false, reason: 'invalid', message: 'SigningCertURL is not an https URL on sns.<region>.amazonaws.com' });
			expect(fetcher).not.toHaveBeenCalled();
		});

		it('the URL as AWS writes it is still accepted', async () => {
			expect(isValidSigningCertUrl(SNS_CERT_URL)).toBe(true);
			expect(isValidSigningCertUrl('https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem')).toBe(true);
			expect(await verifySns(messageFor(SNS_CERT_URL), async () => SNS_CERT_PEM, IN_VALIDITY, 0)).toEqual({ ok: true });
		});

		it('65 query variants of the real URL neither fetch nor push its certificate out of the cache', async () => {
			const fetcher = jest.fn(async () => SNS_CERT_PEM);
			expect(await verifySns(messageFor(SNS_CERT_URL), fetcher, IN_VALIDITY, 0)).toEqual({ ok: true });
			for (let i = 0; i < 65; i++) await verifySns(messageFor(`${SNS_CERT_URL}?x=${i}`), fetcher, IN_VALIDITY, 0);
			expect(fetcher).toHaveBeenCalledTimes(1);
			expect(certificateCache().has(SNS_CERT_URL)).toBe(true);
		});
	});

	describe('fetching: one fetch per URL at a time, a failure remembered for 60 s', () => {
		it('parallel messages naming an uncached certificate share one fetch', async () => {
			const url = freshUrl();
			const waiting: Array<(pem: string) => void> = [];
			const fetcher = jest.fn(() => new Promise<string>((resolve) => waiting.push(resolve)));
			const pending = Array.from({ length: 5 }, () => verifySns(messageFor(url), fetcher, IN_VALIDITY, 0));
			await new Promise((resolve) => setImmediate(resolve));
			for (const release of waiting) release(SNS_CERT_PEM);
			expect(await Promise.all(pending)).toEqual(Array(5).fill({ ok: true }));
			expect(fetcher).toHaveBeenCalledTimes(1);
			// Settled: the next expiry of the cache fetches again (the in-flight entry is gone).
			certificateCache().clear();
			expect(await verifySns(messageFor(url), async () => SNS_CERT_PEM, IN_VALIDITY, 0)).toEqual({ ok: true });
		});

		it('parallel messages share one failing fetch, and all are refused', async () => {
			const url = freshUrl();
			const fetcher = jest.fn(async () => {
				await new Promise((resolve) => setTimeout(resolve, 5));
				throw new Error('network down');
			});
			const results = await Promise.all(Array.from({ length: 4 }, () => verifySns(messageFor(url), fetcher, IN_VALIDITY, 0)));
			expect(results).toEqual(Array(4).fill(CANNOT_FETCH));
			expect(fetcher).toHaveBeenCalledTimes(1);
		});

		it.each([
			['a network error', async () => Promise.reject(new Error('network down'))],
			['a body that is not a certificate', async () => 'not a certificate'],
		])('after %s the URL is refused without a fetch for 60 s, then fetched again', async (_what, failing) => {
			const url = freshUrl();
			const first = jest.fn(failing);
			expect(await verifySns(messageFor(url), first, IN_VALIDITY, 0)).toEqual(CANNOT_FETCH);
			expect(first).toHaveBeenCalledTimes(1);
			const good = jest.fn(async () => SNS_CERT_PEM);
			expect(await verifySns(messageFor(url), good, IN_VALIDITY + 1_000, 0)).toEqual(CANNOT_FETCH);
			expect(await verifySns(messageFor(url), good, IN_VALIDITY + 59_999, 0)).toEqual(CANNOT_FETCH);
			expect(good).not.toHaveBeenCalled();
			expect(await verifySns(messageFor(url), good, IN_VALIDITY + 60_000, 0)).toEqual({ ok: true });
			expect(good).toHaveBeenCalledTimes(1);
		});

		it('a failure of one URL does not refuse another', async () => {
			const bad = freshUrl();
			const other = freshUrl();
			expect(await verifySns(messageFor(bad), async () => 'nope', IN_VALIDITY, 0)).toEqual(CANNOT_FETCH);
			expect(await verifySns(messageFor(other), async () => SNS_CERT_PEM, IN_VALIDITY, 0)).toEqual({ ok: true });
		});
	});

	describe('validity period of the fetched certificate', () => {
		const cert = new X509Certificate(SNS_CERT_PEM);
		it('the test certificate has the dates this test assumes', () => {
			expect(new Date(cert.validFrom).toISOString()).toBe('2026-11-22T23:00:45.000Z');
			expect(new Date(cert.validTo).toISOString()).toBe('2126-10-29T23:00:45.000Z');
		});

		it.each([
			['expired (validTo in the past)', Date.UTC(2126, 9, 29, 23, 0, 46)],
			['not yet valid (validFrom in the future)', Date.UTC(2026, 10, 22, 23, 0, 44)],
		])('a certificate %s is refused and not cached', async (_what, nowMs) => {
			const url = freshUrl();
			const fetcher = jest.fn(async () => SNS_CERT_PEM);
			expect(await verifySns(messageFor(url), fetcher, nowMs, 0)).toEqual(CANNOT_FETCH);
			expect(fetcher).toHaveBeenCalledTimes(1);
			expect(certificateCache().has(url)).toBe(false);
		});

		it('within its period (both ends included) it is used and cached', async () => {
			for (const nowMs of [Date.UTC(2026, 10, 22, 23, 0, 45), Date.UTC(2126, 9, 29, 23, 0, 45)]) {
				const url = freshUrl();
				expect(await verifySns(messageFor(url), async () => SNS_CERT_PEM, nowMs, 0)).toEqual({ ok: true });
				expect(certificateCache().get(url)?.validTo).toBe(Date.UTC(2126, 9, 29, 23, 0, 45));
			}
		});

		it('a certificate whose validTo is not a date is refused and not cached', async () => {
			const parse = Date.parse;
			const spy = jest.spyOn(Date, 'parse').mockImplementation((text: string) => (text === cert.validTo ? Number.NaN : parse(text)));
			try {
				const url = freshUrl();
				expect(await verifySns(messageFor(url), async () => SNS_CERT_PEM, IN_VALIDITY, 0)).toEqual(CANNOT_FETCH);
				expect(certificateCache().has(url)).toBe(false);
			} finally {
				spy.mockRestore();
			}
		});
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
