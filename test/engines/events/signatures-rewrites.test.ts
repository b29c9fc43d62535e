/**
 * The allocation-free rewrites of the signature schemes give exactly what the former code gave
 * (test/engines/events/signatures-reference.ts): the same accepted and rejected signatures, the
 * same failure reasons and messages, for valid, tampered, cut, re-encoded and random inputs.
 */
import { createHmac, createPublicKey, createSign, generateKeyPairSync, sign as cryptoSign, X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { verifyDelivery, verifyParsedSync } from '../../../nodes/engines/events/signatures';
import { decode, safeEqualString } from '../../../nodes/engines/events/signatures/common';
import { verifyHttpAuth } from '../../../nodes/engines/events/signatures/httpAuth';
import { verifySendGrid } from '../../../nodes/engines/events/signatures/sendgrid';
import type { SnsMessage } from '../../../nodes/engines/events/signatures/sns';
import { asSnsMessage, certificateCache, snsStringToSign, verifySns, verifySnsSync, verifySnsWithKey } from '../../../nodes/engines/events/signatures/sns';
import { verifyStripe } from '../../../nodes/engines/events/signatures/stripe';
import { verifySvix } from '../../../nodes/engines/events/signatures/svix';
import { SECRETS, SENDGRID_PRIVATE_KEY, SENDGRID_PUBLIC_KEY, SNS_CERT_PEM, SNS_CERT_URL, SNS_KEY_PEM, signDelivery } from '../../harness/signing';
import {
	oldAsSnsMessage,
	oldDecode,
	oldSafeEqualString,
	oldVerifyHttpAuth,
	oldVerifySendGrid,
	oldVerifySns,
	oldVerifySnsWithKey,
	oldVerifyStripe,
	oldVerifySvix,
} from './signatures-reference';

// Inside the test SNS certificate's validity (2026-11-22 to 2126), so the fetch path verifies.
const NOW = Date.parse('2027-11-14T22:13:20.000Z');
const SENDGRID_PUBLIC_KEY_OBJECT = createPublicKey({ key: Buffer.from(SENDGRID_PUBLIC_KEY, 'base64'), format: 'der', type: 'spki' });
const T = NOW / 1000;

/** Pieces that make strings interesting for UTF-8 and trimming: ASCII, Latin-1, BMP, astral, lone surrogates, U+FFFD, white space. */
const piece = fc.constantFrom('a', 'b', 'Z', '0', '=', ',', ' ', '\t', '\u00a0', '\u2028', '\ufeff', 'é', '\u0130', '\u212a', '€', '\ud83d\ude00', '\ud83d', '\ude00', '\ufffd', '\u0000');
const text = (maxLength = 8) => fc.oneof(fc.array(piece, { maxLength }).map((p) => p.join('')), fc.string({ maxLength, unit: 'binary' }), fc.string({ maxLength, unit: 'grapheme' }));

/** A string changed a little: one code unit replaced, removed or added, or cut. */
const mutate = (s: string) =>
	fc.oneof(
		fc.constant(s),
		fc.tuple(fc.nat(), piece).map(([i, p]) => (s.length === 0 ? p : s.slice(0, i % s.length) + p + s.slice((i % s.length) + 1))),
		fc.nat().map((i) => (s.length === 0 ? s : s.slice(0, i % s.length) + s.slice((i % s.length) + 1))),
		fc.tuple(fc.nat(), piece).map(([i, p]) => s.slice(0, i % (s.length + 1)) + p + s.slice(i % (s.length + 1))),
		fc.nat().map((i) => s.slice(0, i % (s.length + 1))),
	);

describe('safeEqualString is the UTF-8 byte comparison it replaces', () => {
	it('for any pair of strings, including lone surrogates and different lengths', () => {
		const pair = text(10).chain((b) => fc.tuple(fc.oneof(mutate(b), text(10)), fc.constant(b)));
		fc.assert(fc.property(pair, ([a, b]) => safeEqualString(a, b) === oldSafeEqualString(a, b)), { numRuns: 20000 });
		fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => safeEqualString(a, b) === oldSafeEqualString(a, b)), { numRuns: 5000 });
	});

	it('by hand: a lone surrogate and U+FFFD have the same UTF-8 bytes; a pair does not', () => {
		for (const [a, b, equal] of [
			['\ud800', '\ufffd', true],
			['x\udc00y', 'x\ufffdy', true],
			['\ud83d\ude00', '\ufffd\ufffd', false],
			['\ud83d\ude00', '\ud83d\ude00', true],
			['\ude00\ud83d', '\ufffd\ufffd', true],
			['token', 'token', true],
			['token', 'tokem', false],
			['toke', 'token', false],
			['token ', 'token', false],
			['', '', true],
			['a', '', false],
			['', 'a', false],
		] as const) {
			expect(safeEqualString(a, b)).toBe(equal);
			expect(oldSafeEqualString(a, b)).toBe(equal);
		}
	});
});

describe('decode (table of character classes) gives what the comparisons gave', () => {
	it('for any text, hex and base64', () => {
		const chars = fc.constantFrom(...'0189aAfFgGzZ+/_-=. \t\n\u00a0\u2028é\u0100'.split(''));
		const encoded = fc.oneof(fc.array(chars, { maxLength: 12 }).map((c) => c.join('')), fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')), fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('hex')), fc.string({ unit: 'binary' }));
		for (const encoding of ['hex', 'base64'] as const) {
			fc.assert(fc.property(encoded, (t) => {
				const a = decode(t, encoding);
				const b = oldDecode(t, encoding);
				return a === null ? b === null : b !== null && a.equals(b);
			}), { numRuns: 5000 });
		}
	});
});

describe('decode (base64 checked by the regular expression) gives what the comparisons gave', () => {
	it('for padding of 0 to 4 "=", inside or at the end, white space around, base64url, other characters', () => {
		const body = fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64').replace(/=+$/, '')), fc.constantFrom('', 'A', 'AB', 'ABC', 'a-_b', 'a+/b', 'AB=C', 'A.B', 'AÀ', 'A\u00a0B'));
		const arb = fc.tuple(fc.constantFrom('', ' ', '\n', '\u00a0', '\ufeff'), body, fc.integer({ min: 0, max: 4 }), fc.constantFrom('', ' ', '\t', '\u2028', 'A', '.'));
		fc.assert(
			fc.property(arb, ([before, b, pad, after]) => {
				const t = `${before}${b}${'='.repeat(pad)}${after}`;
				const a = decode(t, 'base64');
				const o = oldDecode(t, 'base64');
				return a === null ? o === null : o !== null && a.equals(o);
			}),
			{ numRuns: 5000 },
		);
		for (const [t, valid] of [['AAAA', true], ['AAA=', true], ['AA==', true], ['A===', false], ['AAAA===', false], ['==', false], ['', false], ['A=A', false], [' AA== ', true], ['a-_b', true], ['A\u0100', false]] as const) {
			expect(decode(t, 'base64') !== null).toBe(valid);
			expect(oldDecode(t, 'base64') !== null).toBe(valid);
		}
	});
});

describe('HTTP auth (case-insensitive scheme read in place, last basic value kept)', () => {
	const secretsArb = fc.constantFrom(
		{ username: 'u', password: 'p' },
		{ username: 'postmark-hook', password: 'p0stm4rk-pa55' },
		{ username: 'é\ud800', password: '' },
		{ token: 'brevo-token-9f8e7d' },
		{ token: 'tök\ufffd' },
		{ username: 'u', password: 'p', token: 't' },
		{ username: 'u', password: 'q' },
		{ username: 'v', password: 'p' },
		{},
		{ username: '', password: '', token: '' },
	);
	const schemes = fc.constantFrom('Basic', 'basic', 'BASIC', 'bAsIc', 'Bearer', 'bearer', 'BEARER', 'Basİc', 'bas\u0130c', 'Bearer\u212a', 'Basi', 'Basicc', 'Token', '', 'basic\t', '\u0130');
	it('same result and message for any header and credential', () => {
		fc.assert(
			fc.property(secretsArb, schemes, fc.constantFrom(' ', '  ', '', '\t', ' \u00a0'), fc.boolean(), text(6), fc.constantFrom('', ' ', '\u2028'), (secrets, scheme, sep, right, noise, tail) => {
				const good = scheme.toLowerCase().startsWith('bearer') ? (secrets.token ?? '') : Buffer.from(`${secrets.username ?? ''}:${secrets.password ?? ''}`, 'utf8').toString('base64');
				const value = `${scheme}${sep}${right ? good : noise}${tail}`;
				for (const headers of [{ authorization: value }, { Authorization: value }, {}, { authorization: ['x', value] }, undefined]) {
					expect(verifyHttpAuth(headers, secrets, 'Brevo')).toEqual(oldVerifyHttpAuth(headers, secrets, 'Brevo'));
				}
				expect(verifyHttpAuth({ authorization: [value] }, secrets, 'Postmark')).toEqual(oldVerifyHttpAuth({ authorization: [value] }, secrets, 'Postmark'));
			}),
			{ numRuns: 3000 },
		);
	});
});

const BODY = Buffer.from(JSON.stringify({ id: 'evt_1', type: 'charge.refunded', note: 'é €' }));

describe('Stripe (header read in place)', () => {
	const sig = (t: string, body = BODY) => createHmac('sha256', SECRETS.stripe).update(`${t}.`, 'utf8').update(body).digest('hex');
	const key = fc.constantFrom('t', 'v1', 'v0', ' t', 't ', '\u00a0t', ' v1 ', 'v1\t', 'V1', 'T', 'tt', 'v', '', 'x', '\u2028v1');
	const part = (t: string) =>
		fc.oneof(
			fc.tuple(key, fc.constantFrom('=', ' =', '= ', '=='), fc.constantFrom(t, ` ${t} `, sig(t), sig(t).toUpperCase(), sig(t).slice(1), Buffer.from(sig(t), 'hex').toString('base64'), `${T + 1}`, `\u00a0${t}`, '', '0'.repeat(64), 'zz')).map(([k, e, v]) => `${k}${e}${v}`),
			text(6),
		);
	const headerValue = fc.constantFrom(`${T}`, `${T - 400}`, ` ${T}`, `${T}x`, '\u0661').chain((t) => fc.array(part(t), { maxLength: 5 }).map((parts) => parts.join(',')));
	it('same result and message for any header', () => {
		fc.assert(
			fc.property(headerValue, fc.boolean(), (value, tamper) => {
				const body = tamper ? Buffer.concat([BODY, Buffer.from(' ')]) : BODY;
				const headers = { 'stripe-signature': value };
				const got = verifyStripe(body, headers, SECRETS.stripe, NOW);
				expect(got).toEqual(oldVerifyStripe(body, headers, SECRETS.stripe, NOW));
			}),
			{ numRuns: 5000 },
		);
	});

	it('by hand: valid, several v1, spaces around keys, no t, no v1, expired', () => {
		const good = sig(`${T}`);
		for (const [value, expected] of [
			[`t=${T},v1=${good}`, true],
			[`t=${T},v1=${'0'.repeat(64)},v1=${good}`, true],
			[`t=${T}, v1=${good}`, true],
			[` t = ${T} ,\u00a0v1\u00a0=${good}`, true],
			[`t=${T},v0=${good}`, 'missing'],
			[`v1=${good}`, 'missing'],
			[`t=${T},v1=${good.slice(1)}`, 'invalid'],
			[`t=${T - 400},v1=${sig(`${T - 400}`)}`, 'expired'],
		] as const) {
			const got = verifyStripe(BODY, { 'stripe-signature': value }, SECRETS.stripe, NOW);
			expect(got).toEqual(oldVerifyStripe(BODY, { 'stripe-signature': value }, SECRETS.stripe, NOW));
			expect(got.ok ? true : got.reason).toBe(expected);
		}
	});
});

describe('Svix / Resend (signature list read in place)', () => {
	const key = Buffer.from(SECRETS.resend.slice('whsec_'.length), 'base64');
	const sig = (id: string, t: string) => createHmac('sha256', key).update(`${id}.${t}.`, 'utf8').update(BODY).digest('base64');
	const entry = (id: string, t: string) =>
		fc.oneof(
			fc.tuple(fc.constantFrom('v1', 'v2', 'V1', 'v1 ', 'v', '', 'v1v1', ' v1'), fc.constantFrom(',', ',,', ''), fc.constantFrom(sig(id, t), sig(id, t).replace(/=+$/, ''), sig(id, t).replace(/\+/g, '-').replace(/\//g, '_'), sig(id, t).slice(2), 'AAAA', '')).map(([v, c, s]) => `${v}${c}${s}`),
			text(5),
		);
	const arb = fc
		.tuple(fc.constantFrom('msg_1', 'msg_é', ''), fc.constantFrom(`${T}`, `${T - 400}`, `x${T}`, ''))
		.chain(([id, t]) => fc.tuple(fc.constant(id), fc.constant(t), fc.array(entry(id, t), { maxLength: 4 }).map((e) => e.join(' ')), fc.boolean()));
	it('same result and message for any headers', () => {
		fc.assert(
			fc.property(arb, ([id, t, signatures, webhookNames]) => {
				const headers = webhookNames ? { 'webhook-id': id, 'webhook-timestamp': t, 'webhook-signature': signatures } : { 'svix-id': id, 'svix-timestamp': t, 'svix-signature': signatures };
				expect(verifySvix(BODY, headers, SECRETS.resend, NOW)).toEqual(oldVerifySvix(BODY, headers, SECRETS.resend, NOW));
			}),
			{ numRuns: 4000 },
		);
	});

	it('by hand: valid among others, after a second space, v2 only', () => {
		const good = sig('msg_1', `${T}`);
		for (const [signatures, ok] of [
			[`v1,${good}`, true],
			[`v2,${good} v1,AAAA v1,${good}`, true],
			[`v1,AAAA  v1,${good}`, true],
			[`v2,${good}`, false],
			[`v1${good}`, false],
		] as const) {
			const headers = { 'svix-id': 'msg_1', 'svix-timestamp': `${T}`, 'svix-signature': signatures };
			const got = verifySvix(BODY, headers, SECRETS.resend, NOW);
			expect(got).toEqual(oldVerifySvix(BODY, headers, SECRETS.resend, NOW));
			expect(got.ok).toBe(ok);
		}
	});
});

describe('SendGrid (decode of the signature through the table)', () => {
	const sign = (t: string, body: Buffer) => cryptoSign('sha256', Buffer.concat([Buffer.from(t, 'utf8'), body]), SENDGRID_PRIVATE_KEY).toString('base64');
	it('same result and message for valid, tampered, cut, re-encoded and random signatures and timestamps', () => {
		const ts = fc.constantFrom(`${T}`, `${T - 400}`, ` ${T}`, `\u00a0${T}`, `${T}é`, 'x', '\ud800');
		fc.assert(
			fc.property(ts, fc.nat(), fc.boolean(), text(6), (t, how, tamperBody, noise) => {
				const good = sign(t, BODY);
				const variants = [good, good.replace(/=+$/, ''), good.replace(/\+/g, '-').replace(/\//g, '_'), good.slice(0, -4), `A${good.slice(1)}`, ` ${good} `, noise, Buffer.from(good, 'base64').toString('hex')];
				const signature = variants[how % variants.length];
				const body = tamperBody ? BODY.subarray(0, BODY.length - 1) : BODY;
				const headers = { 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': t };
				expect(verifySendGrid(body, headers, SENDGRID_PUBLIC_KEY, NOW)).toEqual(oldVerifySendGrid(body, headers, SENDGRID_PUBLIC_KEY, NOW));
			}),
			{ numRuns: 300 },
		);
	});
});

describe('SNS (signature decoded through the table; the synchronous half of verifySns)', () => {
	const key = new X509Certificate(SNS_CERT_PEM).publicKey;
	const signText = (text: string, version: '1' | '2') => createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256').update(text, 'utf8').sign(SNS_KEY_PEM, 'base64');
	const field = text(12);
	const messageArb = fc.record(
		{
			Type: fc.constantFrom('Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation', 'Other'),
			MessageId: field,
			TopicArn: fc.constantFrom('arn:aws:sns:us-east-1:1:t', 'arn:é'),
			// Large messages too: more than the reused 16 KB buffer, in 1- to 4-byte characters and lone surrogates.
			Message: fc.oneof(field, fc.json(), fc.tuple(fc.constantFrom('a', 'é', '€', '\ud83d\ude00', '\ud800', '\udc00', '\n'), fc.integer({ min: 1000, max: 9000 })).map(([c, n]) => c.repeat(n))),
			Subject: fc.oneof(field, fc.constantFrom(null, 7, ['x'])),
			SubscribeURL: field,
			Token: fc.oneof(field, fc.constantFrom(null, 7)),
			Timestamp: fc.oneof(
				fc.integer({ min: NOW - 600_000, max: NOW + 600_000 }).map((ms) => new Date(ms).toISOString()),
				fc.integer({ min: NOW - 600_000, max: NOW + 600_000 }).map((ms) => new Date(ms).toISOString().replace('Z', '+02:00').replace('.', ',')),
				fc.integer({ min: NOW - 600_000, max: NOW + 600_000 }).map((ms) => new Date(ms).toISOString().slice(0, 19)),
				fc.integer({ min: NOW - 600_000, max: NOW + 600_000 }).map((ms) => new Date(ms).toISOString().replace('T', ' ')),
				fc.integer({ min: NOW - 600_000, max: NOW + 600_000 }).map((ms) => new Date(ms).toUTCString()),
				fc.constantFrom('2027-11-14T22:13:20.000Z', '2027-11-14T22:13:20Z', '2027-11-14T22:13:20.123456789Z', '2027-02-30T00:00:00Z', '2027-11-14T24:00:00Z', '2027-11-14', 'not a date', ''),
			),
			SignatureVersion: fc.constantFrom('1', '2', '3', ''),
		},
		{ requiredKeys: ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp', 'SignatureVersion'] },
	);
	const snsMessage = fc.tuple(messageArb, fc.nat(), fc.constantFrom('1', '2') as fc.Arbitrary<'1' | '2'>).map(([m, how, signAs]) => {
		const message = { ...m, SigningCertURL: SNS_CERT_URL, Signature: '' } as SnsMessage;
		const text = snsStringToSign(message);
		const version = message.SignatureVersion === '1' || message.SignatureVersion === '2' ? message.SignatureVersion : signAs;
		const good = text === null ? 'AAAA' : signText(text, how % 7 === 6 ? signAs : version);
		const variants = [good, good, good, good, good.replace(/=+$/, ''), good.replace(/\+/g, '-').replace(/\//g, '_'), good.slice(0, -8), `B${good.slice(1)}`, '', '!!', ` ${good}\n`];
		message.Signature = variants[how % variants.length];
		return message;
	});

	it('verifySnsWithKey: same result and message for signed, tampered and random messages', () => {
		fc.assert(
			fc.property(snsMessage, fc.constantFrom(300, 0, 60), (message, tolerance) => {
				expect(verifySnsWithKey(message, key, NOW, tolerance)).toEqual(oldVerifySnsWithKey(message, key, NOW, tolerance));
			}),
			{ numRuns: 600 },
		);
	});

	it('verifySnsWithKey: a message verifies after a larger and after a smaller one (the bytes buffer is reused)', () => {
		const signed = (message: string) => {
			const m = { Type: 'Notification', MessageId: 'm', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: message, Timestamp: new Date(NOW).toISOString(), SignatureVersion: '2', Signature: '', SigningCertURL: SNS_CERT_URL } as SnsMessage;
			m.Signature = signText(snsStringToSign(m)!, '2');
			return m;
		};
		const messages = [signed('€'.repeat(5000)), signed('short'), signed('x'.repeat(4000)), signed('\ud800'.repeat(20000)), signed('short')];
		for (const m of [...messages, ...messages.reverse()]) {
			expect(verifySnsWithKey(m, key, NOW)).toEqual({ ok: true });
			expect(verifySnsWithKey({ ...m, Message: `${m.Message} ` }, key, NOW)).toEqual(oldVerifySnsWithKey({ ...m, Message: `${m.Message} ` }, key, NOW));
		}
	});

	it('verifySnsWithKey: same result with a key of another type (EC, RSA-PSS) or another RSA key', () => {
		const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
		const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey;
		fc.assert(
			fc.property(snsMessage, fc.constantFrom(SENDGRID_PUBLIC_KEY_OBJECT, otherRsa, pss), (message, k) => {
				expect(verifySnsWithKey(message, k, NOW)).toEqual(oldVerifySnsWithKey(message, k, NOW));
			}),
			{ numRuns: 100 },
		);
	});

	it('asSnsMessage: the same envelope or null for any value', () => {
		const fields = ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'Subject'];
		const value = fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom(null, undefined, 0, 1, true, [], {}, ['a']));
		const envelope = fc.dictionary(fc.constantFrom(...fields), value).map((d) => {
			const o: Record<string, unknown> = {};
			for (const f of fields) if (f in d) o[f] = d[f];
			return o;
		});
		const full = fc.tuple(fc.constantFrom(...fields), value).map(([f, v]) => {
			const o: Record<string, unknown> = {};
			for (const name of fields) o[name] = `v-${name}`;
			o[f] = v;
			return o;
		});
		fc.assert(
			fc.property(fc.oneof(envelope, full, fc.anything()), (payload) => {
				expect(asSnsMessage(payload)).toBe(oldAsSnsMessage(payload));
			}),
			{ numRuns: 5000 },
		);
		const good = Object.fromEntries(fields.map((f) => [f, 'x']));
		expect(asSnsMessage(good)).toBe(good);
		for (const f of fields.slice(0, 8)) {
			expect(asSnsMessage({ ...good, [f]: 1 })).toBeNull();
			expect(oldAsSnsMessage({ ...good, [f]: 1 })).toBeNull();
		}
		expect(asSnsMessage([good])).toBeNull();
	});

	it('verifySns and verifySnsSync: cached, not cached, expired certificate, no fetcher', async () => {
		const message = await fc.sample(snsMessage, { numRuns: 1, seed: 7 })[0];
		const fetcher = jest.fn(async () => SNS_CERT_PEM);
		for (const setup of ['empty', 'cached', 'expired', 'no expiry date'] as const) {
			for (const fetch of [fetcher, undefined]) {
				const prepare = () => {
					certificateCache().clear();
					if (setup !== 'empty') certificateCache().set(SNS_CERT_URL, { key, validTo: setup === 'cached' ? NOW + 1 : setup === 'expired' ? NOW - 1 : Number.NaN });
				};
				prepare();
				const sync = verifySnsSync(message, fetch, NOW);
				prepare();
				const now = await verifySns(message, fetch, NOW);
				const cacheNow = [...certificateCache().keys()];
				prepare();
				const before = await oldVerifySns(message, fetch, NOW);
				expect(now).toEqual(before);
				expect([...certificateCache().keys()]).toEqual(cacheNow);
				if (setup === 'cached' || setup === 'no expiry date' || !fetch) expect(sync).toEqual(before);
				else expect(sync).toBeNull();
			}
		}
	});
});

describe('verifyParsedSync gives what verifyDelivery gives, and null only when a certificate must be fetched', () => {
	const SOURCES = ['shopify', 'woocommerce', 'stripe', 'segment', 'sendgrid', 'mailgun', 'postmark', 'brevo', 'resend', 'custom', 'ses', 'nope'];
	const bodies: Record<string, string> = {
		ses: JSON.stringify({ Type: 'Notification', MessageId: 'm-1', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: '{"eventType":"Open"}' }),
		mailgun: JSON.stringify({ 'event-data': { event: 'opened' } }),
	};
	const secretsFor = (source: string) => ({
		secret: (SECRETS as Record<string, unknown>)[source] as string | undefined,
		publicKey: SENDGRID_PUBLIC_KEY,
		...(source === 'postmark' ? SECRETS.postmark : {}),
		...(source === 'brevo' ? SECRETS.brevo : {}),
	});
	it('for every source, signed or tampered, with and without a cached certificate', async () => {
		const fetchCertificate = jest.fn(async () => SNS_CERT_PEM);
		const options = { customHmac: { header: 'x-hub-signature-256', algorithm: 'sha256' as const, encoding: 'hex' as const, prefix: 'sha256=' }, fetchCertificate };
		for (const source of SOURCES) {
			const signed = source === 'nope' ? { body: '{}', headers: {} } : signDelivery(source, bodies[source] ?? JSON.stringify({ id: 1, event: 'x' }));
			for (const body of [signed.body, signed.body.replace('1', '2')]) {
				for (const cached of [true, false]) {
					certificateCache().clear();
					if (cached) await verifyDelivery('ses', Buffer.from(signDelivery('ses', bodies.ses).body), {}, JSON.parse(signDelivery('ses', bodies.ses).body), {}, options);
					const payload = JSON.parse(body);
					const sync = verifyParsedSync(source, Buffer.from(body), signed.headers, payload, secretsFor(source), options);
					const async = await verifyDelivery(source, Buffer.from(body), signed.headers, payload, secretsFor(source), options);
					if (source === 'ses' && !cached) expect(sync).toBeNull();
					else expect(sync).toEqual(async);
					// Without a fetcher nothing needs I/O: never null.
					expect(verifyParsedSync(source, Buffer.from(body), signed.headers, payload, secretsFor(source), { ...options, fetchCertificate: undefined })).not.toBeNull();
				}
			}
		}
	});
});
