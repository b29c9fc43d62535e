/** Helpers with hand-computed expectations: lossless ids, dates, money, paths, credential check. */
import { generateKeyPairSync } from 'node:crypto';
import { checkWebhookSecrets } from '../../../nodes/engines/events/credentialCheck';
import { addPairsAttribution, contentId, minorToMajor, parseJsonLossless, quoteUnsafeIntegers, readPath, toIsoUtc } from '../../../nodes/engines/events/util';
import { SENDGRID_PUBLIC_KEY } from '../../harness/signing';

describe('quoteUnsafeIntegers / parseJsonLossless', () => {
	it('quotes integers beyond 2^53 outside strings only', () => {
		expect(quoteUnsafeIntegers('{"id":820982911946154508,"n":9007199254740991}')).toBe('{"id":"820982911946154508","n":9007199254740991}');
		expect(quoteUnsafeIntegers('[-9007199254740993]')).toBe('["-9007199254740993"]');
		// Inside strings, decimals and exponents: untouched.
		const text = '{"note":"order 820982911946154508, \\"x\\" 99999999999999999","f":12345678901234567.5,"e":12345678901234567e2}';
		expect(quoteUnsafeIntegers(text)).toBe(text);
		expect(parseJsonLossless('{"a":[1,12345678901234567890]}')).toEqual({ a: [1, '12345678901234567890'] });
	});
});

describe('toIsoUtc', () => {
	it('converts offsets, epoch seconds and milliseconds to UTC', () => {
		expect(toIsoUtc('2021-12-31T19:00:00-05:00', 'f')).toBe('2022-01-01T00:00:00.000Z');
		expect(toIsoUtc(1513299569, 'f')).toBe('2017-12-15T00:59:29.000Z');
		expect(toIsoUtc(1604933654123, 'f')).toBe('2020-11-09T14:54:14.123Z');
		expect(toIsoUtc('2017-03-22T19:28:08', 'f', true)).toBe('2017-03-22T19:28:08.000Z');
		expect(toIsoUtc('2024-02-29T12:00:00.000Z', 'f')).toBe('2024-02-29T12:00:00.000Z');
		expect(() => toIsoUtc('2023-02-30T12:00:00.000Z', 'when')).toThrow(/"when" is not a valid date/);
		expect(() => toIsoUtc('soon', 'when')).toThrow(/"when"/);
	});
	it('refuses times outside the years 0000-9999 (toISOString would give +010000-…, not the canonical shape)', () => {
		// 253402300800000 ms = 10000-01-01T00:00:00Z (253,402,300,800 s from 1970 to year 10000); one ms before is 9999-12-31T23:59:59.999Z; -62,167,219,200 s is 0000-01-01T00:00:00Z
		expect(toIsoUtc(253402300799999, 'f')).toBe('9999-12-31T23:59:59.999Z');
		expect(() => toIsoUtc(253402300800000, 'created_at')).toThrow(/"created_at" is not a valid date \(outside the years 0000-9999\)/);
		expect(() => toIsoUtc('+010000-01-01T00:00:00Z', 'created_at')).toThrow(/outside the years 0000-9999/);
		expect(() => toIsoUtc(-62167219201, 'created_at')).toThrow(/outside the years 0000-9999/);
	});
});

describe('money and ids', () => {
	it('minor units per currency (Stripe: https://docs.stripe.com/currencies#minor-units)', () => {
		expect(minorToMajor(2198, 'usd')).toBe(21.98);
		expect(minorToMajor(500, 'JPY')).toBe(500);
		expect(minorToMajor(1234, 'KWD')).toBe(1.234);
		expect(minorToMajor('12', 'usd')).toBeUndefined();
	});

	it('content ids are stable and differ with content', () => {
		expect(contentId('a', 1)).toBe(contentId('a', 1));
		expect(contentId('a', 1)).not.toBe(contentId('a', 2));
		expect(contentId('x')).toMatch(/^c[0-9a-f]{28}$/);
	});

	it('reads dot/bracket paths and key:value pairs', () => {
		expect(readPath({ a: { b: [{ c: 3 }] } }, '$.a.b[0].c')).toBe(3);
		expect(readPath({ a: 1 }, 'a.b.c')).toBeUndefined();
		const out: Record<string, unknown> = {};
		addPairsAttribution(out, ['pz_variant:B', 'plain', 'pz_segment=vip|pz_campaign_id:c1|other:x']);
		expect(out).toEqual({ campaign_id: 'c1', variant: 'B', segment: 'vip' });
	});
});

describe('credential check', () => {
	it('says what is usable, and what is wrong', () => {
		expect(checkWebhookSecrets({})).toEqual({ ok: false, message: 'The credential is empty: fill in the field your source uses' });
		expect(checkWebhookSecrets({ signingSecret: 's', verificationKey: SENDGRID_PUBLIC_KEY })).toEqual({ ok: true, message: 'Ready: signing secret, SendGrid verification key' });
		expect(checkWebhookSecrets({ verificationKey: 'bm90IGEga2V5' }).ok).toBe(false);
		expect(checkWebhookSecrets({ user: 'u' })).toEqual({ ok: false, message: 'Basic auth needs both a user and a password' });
		// SendGrid signs with P-256: an EC key on another curve would pass "Test credential" and then fail every delivery.
		const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
		expect(checkWebhookSecrets({ verificationKey: p384 })).toEqual({ ok: false, message: 'The SendGrid verification key is not an elliptic-curve (P-256) public key' });
	});
});
