/**
 * Webhook bodies an attacker may send where the signature check is off (Accept Unsigned Requests),
 * or a signer may send by mistake: JSON.parse reads 20,000 levels of nesting, and mapping such a
 * value (the content hash of sources without an event id, JSON.stringify) ran out of stack. The
 * RangeError escaped processDelivery, so the trigger answered with an n8n error (500: the sender
 * retries) instead of refusing the body (400).
 */
import { processDelivery } from '../../../nodes/engines/events/pipeline';
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
