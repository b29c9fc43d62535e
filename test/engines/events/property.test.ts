/**
 * Property-based: random and truncated bodies through the full delivery pipeline of every
 * source. The pipeline never throws; it rejects (400/401/403), acknowledges, or emits events that
 * all have event, messageId and timestamp and validate against canonical-event.schema.json.
 */
import fc from 'fast-check';
import { processDelivery } from '../../../nodes/engines/events/pipeline';
import { SOURCES } from '../../../nodes/engines/events/registry';
import { canonicalEventErrors } from '../../harness/schema';
import { CUSTOM_MAPPING, loadFixtures, signDelivery } from '../../harness/signing';
import { SENDGRID_PUBLIC_KEY, SECRETS } from '../../harness/signing';

const fixtures = loadFixtures();
const sources = Object.keys(SOURCES);
const receivedAt = new Date('2026-01-01T00:00:00Z');

function secretsFor(source: string) {
	if (source === 'postmark') return SECRETS.postmark;
	if (source === 'brevo') return SECRETS.brevo;
	if (source === 'sendgrid') return { publicKey: SENDGRID_PUBLIC_KEY };
	return { secret: (SECRETS as Record<string, unknown>)[source] as string };
}

async function run(source: string, raw: string, headers: Record<string, string>, verify: boolean, onUnknown: 'skip' | 'passThrough' | 'error') {
	let body = raw;
	let h = headers;
	if (verify && source !== 'ses' && source !== 'mailgun') {
		const signed = signDelivery(source, raw, { headers });
		body = signed.body;
		h = signed.headers;
	}
	const outcome = await processDelivery({
		sourceId: source,
		rawBody: Buffer.from(body),
		headers: h,
		receivedAt,
		verify,
		secrets: secretsFor(source),
		verifyOptions: { customHmac: { header: 'x-hub-signature-256', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' } },
		onUnknown,
		mapping: source === 'custom' ? CUSTOM_MAPPING : undefined,
	});
	if (outcome.kind === 'events') {
		for (const event of outcome.events) {
			expect(typeof event.event).toBe('string');
			expect(event.event.length).toBeGreaterThan(0);
			expect(event.messageId.length).toBeGreaterThan(0);
			expect(event.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
			expect(canonicalEventErrors(event)).toEqual([]);
		}
	} else if (outcome.kind === 'rejected') {
		expect([400, 401, 403]).toContain(outcome.status);
		expect(outcome.message.length).toBeGreaterThan(0);
	}
	seen[outcome.kind] = (seen[outcome.kind] ?? 0) + 1;
	return outcome;
}

const seen: Record<string, number> = {};
const onUnknown = fc.constantFrom('skip' as const, 'passThrough' as const, 'error' as const);

describe('pipeline properties', () => {
	afterAll(() => {
		// The properties exercised every outcome, not only rejections.
		expect(seen.events).toBeGreaterThan(100);
		expect(seen.rejected).toBeGreaterThan(100);
	});

	it('truncated fixture bodies never throw and never emit an incomplete event', async () => {
		await fc.assert(
			fc.asyncProperty(fc.constantFrom(...fixtures), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), onUnknown, async (f, cut, verify, mode) => {
				const raw = JSON.stringify(f.fixture.body);
				await run(f.source, raw.slice(0, Math.floor(raw.length * cut)), f.fixture.headers, verify, mode);
			}),
			{ numRuns: 400 },
		);
	});

	it('random JSON values (anything, also mutated fixtures) never throw', async () => {
		const mutated = fc.constantFrom(...fixtures).chain((f) =>
			fc.record({
				f: fc.constant(f),
				body: fc.oneof(
					fc.jsonValue(),
					fc.constant(f.fixture.body),
					// Replace one top-level field of the documented payload with any JSON value.
					fc.tuple(fc.jsonValue(), fc.nat()).map(([v, n]) => {
						const body = f.fixture.body;
						if (typeof body !== 'object' || body === null || Array.isArray(body)) return v;
						const keys = Object.keys(body);
						return { ...body, [keys[n % keys.length]]: v };
					}),
				),
			}),
		);
		await fc.assert(
			fc.asyncProperty(mutated, fc.boolean(), onUnknown, async ({ f, body }, verify, mode) => {
				await run(f.source, JSON.stringify(body) ?? 'null', f.fixture.headers, verify, mode);
			}),
			{ numRuns: 600 },
		);
	});

	it('random bytes with random headers never throw', async () => {
		await fc.assert(
			fc.asyncProperty(fc.constantFrom(...sources), fc.string({ maxLength: 300 }), fc.dictionary(fc.constantFrom('x-shopify-topic', 'x-wc-webhook-topic', 'stripe-signature', 'svix-signature', 'svix-timestamp', 'svix-id', 'authorization', 'x-signature'), fc.string({ maxLength: 40 })), fc.boolean(), async (source, raw, headers, verify) => {
				await run(source, raw, headers, verify, 'skip');
			}),
			{ numRuns: 400 },
		);
	});
});
