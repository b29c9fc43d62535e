/**
 * Webhook bodies an attacker may send where the signature check is off (Accept Unsigned Requests),
 * or a signer may send by mistake: JSON.parse reads 20,000 levels of nesting, and mapping such a
 * value (the content hash of sources without an event id, JSON.stringify) ran out of stack. The
 * RangeError escaped processDelivery, so the trigger answered with an n8n error (500: the sender
 * retries) instead of refusing the body (400).
 */
import { generateKeyPairSync } from 'node:crypto';
import { processDelivery } from '../../../nodes/engines/events/pipeline';
import { verifySnsWithKey, type SnsMessage } from '../../../nodes/engines/events/signatures/sns';
import { loadFixtures } from '../../harness/signing';

const receivedAt = new Date();
const fixtures = loadFixtures();
const fixture = (source: string, name: string) => fixtures.find((f) => f.source === source && f.name === name)!.fixture;
const DEEP = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;

describe('hostile webhook bodies', () => {
	it.each([
		['brevo', 'click', 'email'],
		['postmark', 'open', 'Recipient'],
		['mailgun', 'clicked', 'id'],
		['custom', 'datalayer-add-to-cart', 'event'],
	])('%s: a field nested 20,000 levels deep is refused as a malformed body (400)', async (source, name, field) => {
		const body = JSON.stringify(fixture(source, name).body).replace(`"${field}":`, `"${field}":${DEEP},"was":`);
		expect(body).toContain(DEEP);
		const outcome = await processDelivery({ sourceId: source, rawBody: Buffer.from(body), headers: fixture(source, name).headers ?? {}, receivedAt, verify: false });
		expect(outcome).toMatchObject({ kind: 'rejected', status: 400, message: expect.stringMatching(/nested too deeply/) });
	});
});

describe('text of the sender echoed in a refusal is cut short', () => {
	it('an SNS message with a 10,000-character SignatureVersion or Type: the 401 reason quotes at most a few dozen characters of it', () => {
		const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		const long = 'v'.repeat(10_000);
		const base = { Type: 'Notification', MessageId: 'm-1', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: '{}', Timestamp: new Date().toISOString(), SignatureVersion: '1', Signature: 'AAAA', SigningCertURL: 'https://sns.us-east-1.amazonaws.com/x.pem' };
		const version = verifySnsWithKey({ ...base, SignatureVersion: long } as SnsMessage, publicKey);
		expect(version).toMatchObject({ ok: false, reason: 'invalid' });
		expect((version as { message: string }).message).toBe(`unsupported SNS SignatureVersion "${'v'.repeat(20)}"`);
		const type = verifySnsWithKey({ ...base, Type: long } as SnsMessage, publicKey);
		expect((type as { message: string }).message).toBe(`SNS message type "${'v'.repeat(40)}" cannot be verified`);
	});
});
