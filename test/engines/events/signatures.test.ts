/**
 * Every signature scheme: valid, tampered, expired (where the scheme signs a timestamp) and
 * missing. Deliveries are signed by test/harness/signing.ts with node:crypto as each provider
 * documents it; keys are generated locally, the SNS certificate is a local self-signed one.
 */
import { createHmac } from 'node:crypto';
import { verifyDelivery, verifyRaw } from '../../../nodes/engines/events/signatures';
import { safeEqual, safeEqualString } from '../../../nodes/engines/events/signatures/common';
import { verifyHmac } from '../../../nodes/engines/events/signatures/hmac';
import {
	asSnsMessage,
	certificateCache,
	forgetCertificateFailures,
	isValidSigningCertUrl,
	isValidSnsServiceUrl,
	verifySns,
} from '../../../nodes/engines/events/signatures/sns';
import { SECRETS, SENDGRID_PUBLIC_KEY, SNS_CERT_PEM, SNS_CERT_URL, nowSeconds, signDelivery, signSns } from '../../harness/signing';

const credential = {
	secret: '',
	publicKey: SENDGRID_PUBLIC_KEY,
	username: '',
	password: '',
	token: '',
};
const secretsFor = (source: string) => {
	switch (source) {
		case 'postmark':
			return { ...credential, ...SECRETS.postmark };
		case 'brevo':
			return { ...credential, ...SECRETS.brevo };
		case 'sendgrid':
			return credential;
		default:
			return { ...credential, secret: (SECRETS as Record<string, unknown>)[source] as string };
	}
};
const customHmac = { header: 'x-hub-signature-256', algorithm: 'sha256' as const, encoding: 'hex' as const, prefix: 'sha256=' };
const fetchCertificate = jest.fn(async (url: string) => {
	if (url !== SNS_CERT_URL) throw new Error('unexpected certificate URL');
	return SNS_CERT_PEM;
});
const options = { customHmac, fetchCertificate };

const bodies: Record<string, string> = {
	shopify: JSON.stringify({ id: 1, total_price: '10.00' }),
	woocommerce: JSON.stringify({ id: 2, total: '10.00' }),
	stripe: JSON.stringify({ id: 'evt_1', type: 'charge.refunded' }),
	segment: JSON.stringify({ type: 'track', event: 'Product Viewed', userId: 'u' }),
	sendgrid: JSON.stringify([{ event: 'open', email: 'a@b.co', timestamp: 1 }]),
	mailgun: JSON.stringify({ 'event-data': { event: 'opened', id: 'x' } }),
	postmark: JSON.stringify({ RecordType: 'Open' }),
	brevo: JSON.stringify({ event: 'opened' }),
	resend: JSON.stringify({ type: 'email.opened', data: {} }),
	custom: JSON.stringify({ event: 'x' }),
	ses: JSON.stringify({ Type: 'Notification', MessageId: 'm-1', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: '{"eventType":"Open"}', Subject: 'Amazon SES Email Event Notification' }),
};

async function check(source: string, body: string, headers: Record<string, string>) {
	return verifyDelivery(source, Buffer.from(body), headers, JSON.parse(body), secretsFor(source), options);
}

/**
 * Alters what the scheme signs, keeping valid JSON: one extra byte in the raw body; for Mailgun
 * (which signs only timestamp + token, not the body) the token; for SNS the signed Message field.
 */
function tamper(source: string, body: string): string {
	if (source === 'mailgun') {
		const parsed = JSON.parse(body) as { signature: { token: string } };
		parsed.signature.token += 'x';
		return JSON.stringify(parsed);
	}
	if (source === 'ses') {
		const parsed = JSON.parse(body) as { Message: string };
		parsed.Message = parsed.Message.replace('Open', 'Click');
		return JSON.stringify(parsed);
	}
	return `${body.slice(0, -1)} ${body.slice(-1)}`;
}

const ALL = Object.keys(bodies);
const TIMESTAMPED = ['stripe', 'sendgrid', 'mailgun', 'resend', 'ses'];

describe.each(ALL)('%s signature', (source) => {
	it('accepts a valid delivery', async () => {
		const signed = signDelivery(source, bodies[source]);
		expect(await check(source, signed.body, signed.headers)).toEqual({ ok: true });
	});

	it('rejects a tampered body', async () => {
		const signed = signDelivery(source, bodies[source]);
		const result = await check(source, tamper(source, signed.body), signed.headers);
		if (source === 'postmark' || source === 'brevo') {
			// URL authentication does not cover the body: these schemes can only prove the sender.
			expect(result).toEqual({ ok: true });
		} else {
			expect(result).toMatchObject({ ok: false, reason: 'invalid' });
		}
	});

	it('rejects a missing signature', async () => {
		const signed = signDelivery(source, bodies[source]);
		let body = signed.body;
		const headers = { 'content-type': 'application/json' };
		if (source === 'mailgun' || source === 'ses') {
			const parsed = JSON.parse(body) as Record<string, unknown>;
			delete parsed.signature;
			delete parsed.Signature;
			body = JSON.stringify(parsed);
		}
		expect(await check(source, body, headers)).toMatchObject({ ok: false, reason: 'missing' });
	});

	if (TIMESTAMPED.includes(source)) {
		it('rejects an expired delivery (older than the 5 minute replay window) and a future one', async () => {
			const old = signDelivery(source, bodies[source], { timestamp: nowSeconds() - 301 });
			expect(await check(source, old.body, old.headers)).toMatchObject({ ok: false, reason: 'expired' });
			const future = signDelivery(source, bodies[source], { timestamp: nowSeconds() + 400 });
			expect(await check(source, future.body, future.headers)).toMatchObject({ ok: false, reason: 'expired' });
			const recent = signDelivery(source, bodies[source], { timestamp: nowSeconds() - 200 });
			expect(await check(source, recent.body, recent.headers)).toEqual({ ok: true });
		});
	} else {
		it('has no timestamp, so no replay window (documented)', () => {
			expect(TIMESTAMPED).not.toContain(source);
		});
	}
});

describe('scheme details', () => {
	it('rejects a signature made with another secret', async () => {
		const body = bodies.shopify;
		const wrong = createHmac('sha256', 'not-the-secret').update(body).digest('base64');
		expect(await check('shopify', body, { 'x-shopify-hmac-sha256': wrong })).toMatchObject({ ok: false, reason: 'invalid' });
	});

	it('verifies the exact raw bytes: re-serialized JSON with other spacing fails', async () => {
		const raw = '{ "id": 1,\n  "total_price": "10.00" }';
		const signed = signDelivery('shopify', raw);
		expect(await check('shopify', raw, signed.headers)).toEqual({ ok: true });
		expect(await check('shopify', JSON.stringify(JSON.parse(raw)), signed.headers)).toMatchObject({ ok: false });
	});

	it('reports a credential without the needed secret as misconfigured', () => {
		expect(verifyRaw('stripe', Buffer.from('{}'), { 'stripe-signature': 't=1,v1=00' }, {})).toMatchObject({ ok: false, reason: 'misconfigured' });
		expect(verifyRaw('sendgrid', Buffer.from('{}'), {}, { publicKey: 'not a key' })).toMatchObject({ ok: false, reason: 'misconfigured' });
	});

	it('Stripe accepts any matching v1 among several (secret rotation)', async () => {
		const t = nowSeconds();
		const body = bodies.stripe;
		const good = createHmac('sha256', SECRETS.stripe).update(`${t}.${body}`).digest('hex');
		expect(await check('stripe', body, { 'stripe-signature': `t=${t},v1=${'0'.repeat(64)},v1=${good}` })).toEqual({ ok: true });
	});

	it('Segment without a secret but with a token checks the Authorization header (RudderStack)', () => {
		const body = Buffer.from(bodies.segment);
		expect(verifyRaw('segment', body, { authorization: 'Bearer rs-token' }, { token: 'rs-token' })).toEqual({ ok: true });
		expect(verifyRaw('segment', body, { authorization: 'Bearer rs-tokem' }, { token: 'rs-token' })).toMatchObject({ ok: false, reason: 'invalid' });
		expect(verifyRaw('segment', body, {}, { token: 'rs-token' })).toMatchObject({ ok: false, reason: 'missing' });
	});

	it('Brevo accepts basic auth as well as a bearer token', () => {
		const basic = `Basic ${Buffer.from('u:p').toString('base64')}`;
		expect(verifyRaw('brevo', Buffer.from('{}'), { authorization: basic }, { username: 'u', password: 'p' })).toEqual({ ok: true });
		expect(verifyRaw('brevo', Buffer.from('{}'), { authorization: basic }, { username: 'u', password: 'q' })).toMatchObject({ ok: false });
		expect(verifyRaw('postmark', Buffer.from('{}'), { authorization: 'Bearer x' }, { username: 'u', password: 'p' })).toMatchObject({ ok: false });
	});

	it('generic HMAC: algorithm, encoding and prefix as configured', () => {
		const body = Buffer.from('{"a":1}');
		const b64 = createHmac('sha512', 'k').update(body).digest('base64');
		expect(verifyHmac(body, { 'X-Sig': b64 }, 'k', { header: 'x-sig', algorithm: 'sha512', encoding: 'base64' })).toEqual({ ok: true });
		expect(verifyHmac(body, { 'x-sig': `sha512=${b64}` }, 'k', { header: 'x-sig', algorithm: 'sha512', encoding: 'base64' })).toMatchObject({ ok: false });
		expect(verifyHmac(body, { 'x-sig': b64 }, 'k', { header: 'x-sig', algorithm: 'sha512', encoding: 'base64', prefix: 'sha512=' })).toMatchObject({ ok: false, reason: 'invalid' });
	});

	it('constant-time helpers compare exactly', () => {
		expect(safeEqual(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
		expect(safeEqual(Buffer.from('abc'), Buffer.from('abd'))).toBe(false);
		expect(safeEqual(Buffer.from('abc'), Buffer.from('abcd'))).toBe(false);
		expect(safeEqualString('token', 'token')).toBe(true);
		expect(safeEqualString('token', 'token2')).toBe(false);
	});
});

describe('SNS', () => {
	const base = { Type: 'Notification', MessageId: 'm-2', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: 'hello' };

	it('verifies SignatureVersion 1 (SHA1withRSA) and 2 (SHA256withRSA)', async () => {
		for (const version of ['1', '2'] as const) {
			const message = asSnsMessage(signSns(base, new Date().toISOString(), version))!;
			expect(await verifySns(message, fetchCertificate)).toEqual({ ok: true });
			expect(await verifySns({ ...message, Message: 'hellO' }, fetchCertificate)).toMatchObject({ ok: false, reason: 'invalid' });
		}
		// A version-1 signature presented as version 2 does not verify.
		const v1 = asSnsMessage(signSns(base))!;
		expect(await verifySns({ ...v1, SignatureVersion: '2' }, fetchCertificate)).toMatchObject({ ok: false });
	});

	it('checks the certificate host and never fetches from elsewhere', async () => {
		expect(isValidSigningCertUrl(SNS_CERT_URL)).toBe(true);
		expect(isValidSigningCertUrl('https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-abc.pem')).toBe(true);
		expect(isValidSigningCertUrl('https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem')).toBe(true);
		for (const bad of [
			'http://sns.us-east-1.amazonaws.com/x.pem',
			'https://sns.us-east-1.amazonaws.com.evil.example/x.pem',
			'https://evil.example/sns.us-east-1.amazonaws.com/x.pem',
			'https://sns.us-east-1.amazonaws.com:8443/x.pem',
			'https://s3.amazonaws.com/x.pem',
			'https://sns.us-east-1.amazonaws.com/x.txt',
			'not a url',
		]) {
			expect(isValidSigningCertUrl(bad)).toBe(false);
		}
		const fetcher = jest.fn(async () => SNS_CERT_PEM);
		const message = { ...asSnsMessage(signSns(base))!, SigningCertURL: 'https://evil.example/cert.pem' };
		expect(await verifySns(message, fetcher)).toMatchObject({ ok: false, reason: 'invalid' });
		expect(fetcher).not.toHaveBeenCalled();
		expect(isValidSnsServiceUrl('https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=x')).toBe(true);
		expect(isValidSnsServiceUrl('https://example.com/?Action=ConfirmSubscription')).toBe(false);
	});

	it('caches certificates by URL: one fetch for many messages', async () => {
		certificateCache().clear();
		const fetcher = jest.fn(async () => SNS_CERT_PEM);
		for (let i = 0; i < 5; i++) {
			expect(await verifySns(asSnsMessage(signSns({ ...base, MessageId: `m-${i}` }))!, fetcher)).toEqual({ ok: true });
		}
		expect(fetcher).toHaveBeenCalledTimes(1);
	});

	it('a certificate that cannot be fetched fails closed', async () => {
		certificateCache().clear();
		const message = asSnsMessage(signSns(base))!;
		expect(await verifySns(message, async () => { throw new Error('network down'); })).toMatchObject({ ok: false, reason: 'invalid' });
		forgetCertificateFailures(); // else the failed URL is refused for 60 s without calling the fetcher
		expect(await verifySns(message, async () => 'not a certificate')).toMatchObject({ ok: false, reason: 'invalid' });
		forgetCertificateFailures();
	});

	it('verifies SubscriptionConfirmation messages (SubscribeURL and Token are signed)', async () => {
		const confirm = signSns({ Type: 'SubscriptionConfirmation', MessageId: 'c-1', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: 'You have chosen to subscribe', SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc', Token: 'abc' });
		expect(await verifySns(asSnsMessage(confirm)!, fetchCertificate)).toEqual({ ok: true });
		expect(await verifySns({ ...asSnsMessage(confirm)!, SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=other' }, fetchCertificate)).toMatchObject({ ok: false });
	});
});
