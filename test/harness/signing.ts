/**
 * Signs test deliveries the way each provider documents it, with node:crypto only (independent of
 * the verification code under test). Keys and secrets are generated locally; the SNS certificate
 * is a self-signed test certificate made with openssl (test/fixtures/events/keys/).
 */
import { createHmac, createSign, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseJsonLossless } from '../../nodes/engines/events/util';

export const SECRETS = {
	shopify: 'shpss_test_2b1f0c7e9a',
	woocommerce: 'wc-secret-41d2',
	stripe: 'whsec_test_7f3a9c',
	segment: 'segment-shared-secret',
	mailgun: 'key-mailgun-signing-3e8d',
	resend: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
	custom: 'custom-hmac-secret',
	postmark: { username: 'postmark-hook', password: 'p0stm4rk-pa55' },
	brevo: { token: 'brevo-token-9f8e7d' },
};

const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
/** SendGrid verification key as SendGrid shows it: base64 DER SubjectPublicKeyInfo. */
export const SENDGRID_PUBLIC_KEY = ec.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
export const SENDGRID_PRIVATE_KEY: KeyObject = ec.privateKey;

const KEYS = path.join(__dirname, '..', 'fixtures', 'events', 'keys');
export const SNS_CERT_PEM = fs.readFileSync(path.join(KEYS, 'sns-test-cert.pem'), 'utf8');
export const SNS_KEY_PEM = fs.readFileSync(path.join(KEYS, 'sns-test-key.pem'), 'utf8');
export const SNS_CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem';

export function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

export function hmac(algorithm: string, key: string | Buffer, data: string | Buffer, encoding: 'base64' | 'hex'): string {
	return createHmac(algorithm, key).update(data).digest(encoding);
}

/** Signature headers (and for Mailgun/SNS, a re-signed body) for a delivery of `source`. */
export function signDelivery(
	source: string,
	body: string,
	options: { timestamp?: number; headers?: Record<string, string> } = {},
): { body: string; headers: Record<string, string> } {
	const t = options.timestamp ?? nowSeconds();
	const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.headers ?? {}) };
	switch (source) {
		case 'shopify':
			headers['x-shopify-hmac-sha256'] = hmac('sha256', SECRETS.shopify, body, 'base64');
			break;
		case 'woocommerce':
			headers['x-wc-webhook-signature'] = hmac('sha256', SECRETS.woocommerce, body, 'base64');
			break;
		case 'stripe':
			headers['stripe-signature'] = `t=${t},v1=${hmac('sha256', SECRETS.stripe, `${t}.${body}`, 'hex')},v0=deadbeef`;
			break;
		case 'segment':
			headers['x-signature'] = hmac('sha1', SECRETS.segment, body, 'hex');
			break;
		case 'sendgrid':
			headers['x-twilio-email-event-webhook-timestamp'] = String(t);
			headers['x-twilio-email-event-webhook-signature'] = cryptoSign('sha256', Buffer.from(`${t}${body}`), SENDGRID_PRIVATE_KEY).toString('base64');
			break;
		case 'postmark':
			headers.authorization = `Basic ${Buffer.from(`${SECRETS.postmark.username}:${SECRETS.postmark.password}`).toString('base64')}`;
			break;
		case 'brevo':
			headers.authorization = `Bearer ${SECRETS.brevo.token}`;
			break;
		case 'resend': {
			const id = headers['svix-id'] ?? `msg_${t}`;
			headers['svix-id'] = id;
			headers['svix-timestamp'] = String(t);
			const key = Buffer.from(SECRETS.resend.slice('whsec_'.length), 'base64');
			headers['svix-signature'] = `v1,${hmac('sha256', key, `${id}.${t}.${body}`, 'base64')}`;
			break;
		}
		case 'custom':
			headers['x-hub-signature-256'] = `sha256=${hmac('sha256', SECRETS.custom, body, 'hex')}`;
			break;
		case 'mailgun': {
			const payload = JSON.parse(body) as Record<string, unknown>;
			const token = `tok${t}${Math.random().toString(36).slice(2)}`;
			payload.signature = { timestamp: String(t), token, signature: hmac('sha256', SECRETS.mailgun, `${t}${token}`, 'hex') };
			return { body: JSON.stringify(payload), headers };
		}
		case 'ses': {
			const payload = JSON.parse(body) as Record<string, string>;
			return { body: JSON.stringify(signSns(payload, new Date(t * 1000).toISOString())), headers };
		}
		default:
			throw new Error(`no signer for ${source}`);
	}
	return { body, headers };
}

/** Signs an SNS message (SignatureVersion 1 → SHA1withRSA, 2 → SHA256withRSA) with the test key. */
export function signSns(message: Record<string, string>, timestamp = new Date().toISOString(), version: '1' | '2' = '1'): Record<string, string> {
	const m: Record<string, string> = { ...message, Timestamp: timestamp, SignatureVersion: version, SigningCertURL: SNS_CERT_URL };
	// https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
	const keys = m.Type === 'Notification'
		? ['Message', 'MessageId', ...(m.Subject !== undefined ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type']
		: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
	const text = keys.map((k) => `${k}\n${m[k]}\n`).join('');
	m.Signature = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256').update(text).sign(SNS_KEY_PEM, 'base64');
	return m;
}

/** Loads a fixture file of test/fixtures/events. */
export interface Fixture {
	doc: string;
	note?: string;
	headers: Record<string, string>;
	body: unknown;
	expect: Record<string, unknown> | Array<Record<string, unknown>>;
	count?: number;
}

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'events');

export function loadFixtures(): Array<{ source: string; name: string; fixture: Fixture }> {
	const out: Array<{ source: string; name: string; fixture: Fixture }> = [];
	for (const source of fs.readdirSync(FIXTURES).sort()) {
		const dir = path.join(FIXTURES, source);
		if (source === 'keys' || !fs.statSync(dir).isDirectory()) continue;
		for (const file of fs.readdirSync(dir).sort()) {
			if (!file.endsWith('.json')) continue;
			out.push({ source, name: file.replace(/\.json$/, ''), fixture: parseJsonLossless(fs.readFileSync(path.join(dir, file), 'utf8')) as Fixture });
		}
	}
	return out;
}

/** The Custom source mapping its fixture documents. */
export const CUSTOM_MAPPING = {
	eventPath: 'event',
	eventMap: { add_to_cart: 'Product Added' },
	messageIdPath: 'event_id',
	timestampPath: 'ts',
	userIdPath: 'user.id',
	emailPath: 'user.email',
	propertiesPath: 'ecommerce',
	currencyPath: 'ecommerce.currency',
	valuePath: 'ecommerce.value',
};
