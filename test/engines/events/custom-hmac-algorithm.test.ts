/**
 * The Custom source's generic HMAC: the algorithm and encoding are the editor's options (HMAC-SHA1,
 * -SHA256, -SHA512; hex, base64), but an expression can give any text. One that is not among them
 * is our set-up problem, answered as a missing secret is ('misconfigured': the trigger's bare 500
 * with the reason in n8n's log), not a crash on every delivery (createHmac throws on an unknown
 * name) nor a silently accepted weak hash (md5).
 */
import { createHmac } from 'node:crypto';
import { processDelivery } from '../../../nodes/engines/events/pipeline';
import type { HmacOptions } from '../../../nodes/engines/events/signatures/hmac';
import { CUSTOM_MAPPING, loadFixtures } from '../../harness/signing';

const SECRET = 'custom-hmac-secret';
const body = Buffer.from(JSON.stringify(loadFixtures().find((f) => f.source === 'custom')!.fixture.body));

function deliver(algorithm: string, encoding: string, signature: string) {
	return processDelivery({
		sourceId: 'custom',
		rawBody: body,
		headers: { 'x-signature': signature },
		receivedAt: new Date('2026-01-01T00:00:00Z'),
		secrets: { secret: SECRET },
		verifyOptions: { customHmac: { header: 'x-signature', algorithm, encoding } as unknown as HmacOptions },
		mapping: CUSTOM_MAPPING,
	});
}

describe('Custom source: the HMAC algorithm and encoding must be among the offered ones', () => {
	it.each([
		['md5', 'hex'],
		['sha3-256', 'hex'],
		['not-a-hash', 'hex'],
		['', 'hex'],
	])('algorithm %p is a configuration error naming it, also for a body signed with it', async (algorithm, encoding) => {
		let signature = 'x';
		try {
			signature = createHmac(algorithm, SECRET).update(body).digest('hex');
		} catch {
			// not a hash Node knows: any signature
		}
		const outcome = await deliver(algorithm, encoding, signature);
		expect(outcome).toMatchObject({ kind: 'rejected', verify: { ok: false, reason: 'misconfigured' } });
		expect(outcome.kind === 'rejected' && outcome.message).toBe(`the Custom source's Signature Algorithm "${algorithm}" is not one of sha1, sha256, sha512`);
	});

	it('an encoding that is not hex or base64 is a configuration error too', async () => {
		const outcome = await deliver('sha256', 'binary', createHmac('sha256', SECRET).update(body).digest('hex'));
		expect(outcome).toMatchObject({ kind: 'rejected', verify: { ok: false, reason: 'misconfigured' }, message: `the Custom source's Signature Encoding "binary" is not one of hex, base64` });
	});

	it.each([
		['sha1', 'hex'],
		['sha256', 'base64'],
		['sha512', 'hex'],
		[' SHA256 ', 'Base64'], // an expression's text, in another case: the same option
	])('%p / %p verifies a body signed so', async (algorithm, encoding) => {
		const signature = createHmac(algorithm.trim().toLowerCase(), SECRET).update(body).digest(encoding.toLowerCase() as 'hex' | 'base64');
		const outcome = await deliver(algorithm, encoding, signature);
		expect(outcome.kind).toBe('events');
		const wrong = await deliver(algorithm, encoding, createHmac('sha256', 'another secret').update(body).digest('hex'));
		expect(wrong).toMatchObject({ kind: 'rejected', status: 401, verify: { ok: false, reason: 'invalid' } });
	});
});
