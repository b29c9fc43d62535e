/** The delivery pipeline (handshake → verify raw bytes → parse → SNS → normalize) and the dedupe window. */
import { decodeDedupeIds, dedupeKey, dedupePersisted } from '../../../nodes/engines/events/dedupe';
import { processDelivery } from '../../../nodes/engines/events/pipeline';
import { certificateCache, cacheCertificate } from '../../../nodes/engines/events/signatures/sns';
import { canonicalEventErrors } from '../../harness/schema';
import { SECRETS, SNS_CERT_PEM, SNS_CERT_URL, loadFixtures, signDelivery, signSns } from '../../harness/signing';

const receivedAt = new Date();
const SES_TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-events';
const fixtures = loadFixtures();
const fixture = (source: string, name: string) => fixtures.find((f) => f.source === source && f.name === name)!.fixture;

describe('processDelivery', () => {
	beforeAll(() => {
		certificateCache().clear();
		cacheCertificate(SNS_CERT_URL, SNS_CERT_PEM);
	});

	it('verifies, parses and normalizes a signed Shopify delivery from its raw bytes', async () => {
		const f = fixture('shopify', 'orders-create');
		// Raw text as Shopify sends it, with the big order id as a bare number.
		const raw = JSON.stringify(f.body);
		const signed = signDelivery('shopify', raw, { headers: f.headers });
		const outcome = await processDelivery({ sourceId: 'shopify', rawBody: Buffer.from(signed.body), headers: signed.headers, receivedAt, secrets: { secret: SECRETS.shopify } });
		expect(outcome.kind).toBe('events');
		if (outcome.kind !== 'events') return;
		expect(outcome.events).toHaveLength(1);
		expect(outcome.events[0]).toMatchObject({ event: 'Order Completed', properties: { order_id: '820982911946154508', total: 403 } });
	});

	it('401 on a bad or missing signature, before parsing (a bad signature on garbage is still 401)', async () => {
		const bad = await processDelivery({ sourceId: 'shopify', rawBody: Buffer.from('not json'), headers: { 'x-shopify-hmac-sha256': 'AAAA' }, receivedAt, secrets: { secret: 's' } });
		expect(bad).toMatchObject({ kind: 'rejected', status: 401 });
		const missing = await processDelivery({ sourceId: 'stripe', rawBody: Buffer.from('{}'), headers: {}, receivedAt, secrets: { secret: 's' } });
		expect(missing).toMatchObject({ kind: 'rejected', status: 401 });
	});

	it('400 on a correctly signed but malformed body, naming the problem', async () => {
		const signed = signDelivery('shopify', '{"id": 1,');
		expect(await processDelivery({ sourceId: 'shopify', rawBody: Buffer.from(signed.body), headers: signed.headers, receivedAt, secrets: { secret: SECRETS.shopify } })).toMatchObject({ kind: 'rejected', status: 400, message: 'the body is not valid JSON' });
		const noTopic = signDelivery('shopify', '{"id": 1}');
		expect(await processDelivery({ sourceId: 'shopify', rawBody: Buffer.from(noTopic.body), headers: noTopic.headers, receivedAt, secrets: { secret: SECRETS.shopify } })).toMatchObject({ kind: 'rejected', status: 400 });
	});

	it('acknowledges the unsigned WooCommerce ping without verifying or emitting', async () => {
		// WooCommerce pings a new webhook with the form body webhook_id=<id> (WC_Webhook::deliver_ping).
		const outcome = await processDelivery({ sourceId: 'woocommerce', rawBody: Buffer.from('webhook_id=17'), headers: { 'content-type': 'application/x-www-form-urlencoded' }, receivedAt, secrets: { secret: SECRETS.woocommerce } });
		expect(outcome).toMatchObject({ kind: 'handshake' });
	});

	it('SES: SubscriptionConfirmation is handed back; TopicArn outside the allow list is 403', async () => {
		const confirm = signSns({ Type: 'SubscriptionConfirmation', MessageId: 'c-1', TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-events', Message: 'confirm', SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t', Token: 't' });
		const body = Buffer.from(JSON.stringify(confirm));
		expect(await processDelivery({ sourceId: 'ses', rawBody: body, headers: {}, receivedAt, allowedTopicArns: ['arn:aws:sns:us-east-1:123456789012:ses-events'] })).toMatchObject({ kind: 'snsSubscription' });
		expect(await processDelivery({ sourceId: 'ses', rawBody: body, headers: {}, receivedAt, allowedTopicArns: ['arn:aws:sns:us-east-1:123456789012:other'] })).toMatchObject({ kind: 'rejected', status: 403 });
	});

	it('SES: a signed Notification becomes one event per recipient', async () => {
		const f = fixture('ses', 'open');
		const signed = signDelivery('ses', JSON.stringify(f.body));
		const outcome = await processDelivery({ sourceId: 'ses', rawBody: Buffer.from(signed.body), headers: {}, receivedAt, allowedTopicArns: [SES_TOPIC] });
		expect(outcome).toMatchObject({ kind: 'events', events: [{ event: 'Email Opened', properties: { campaign_id: 'autumn' } }] });
	});

	it('SES: fetches the signing certificate once when it is not cached, then verifies without fetching', async () => {
		const signed = signDelivery('ses', JSON.stringify(fixture('ses', 'open').body));
		const fetchCertificate = jest.fn(async (url: string) => {
			expect(url).toBe(SNS_CERT_URL);
			return SNS_CERT_PEM;
		});
		const tampered = signed.body.replace('"Type"', '"Type" ').replace('Notification', 'Notification ');
		certificateCache().clear();
		try {
			const input = { sourceId: 'ses', headers: {}, receivedAt, allowedTopicArns: [SES_TOPIC], verifyOptions: { fetchCertificate } };
			expect(await processDelivery({ ...input, rawBody: Buffer.from(signed.body) })).toMatchObject({ kind: 'events', events: [{ event: 'Email Opened' }] });
			expect(fetchCertificate).toHaveBeenCalledTimes(1);
			expect(await processDelivery({ ...input, rawBody: Buffer.from(signed.body) })).toMatchObject({ kind: 'events' });
			expect(await processDelivery({ ...input, rawBody: Buffer.from(tampered) })).toMatchObject({ kind: 'rejected', status: 401 });
			expect(fetchCertificate).toHaveBeenCalledTimes(1);
			// No fetcher and nothing cached: refused, not accepted unverified.
			certificateCache().clear();
			expect(await processDelivery({ ...input, verifyOptions: {}, rawBody: Buffer.from(signed.body) })).toMatchObject({ kind: 'rejected', status: 401 });
		} finally {
			cacheCertificate(SNS_CERT_URL, SNS_CERT_PEM);
		}
	});

	it('SES: a genuinely signed message from a topic that is not allowed, or with no allow list, is refused (403)', async () => {
		// AWS signs every SNS message, whoever owns the topic: anyone can publish a signed "Bounce" on their own topic.
		const forged = { ...(fixture('ses', 'bounce').body as Record<string, unknown>), TopicArn: 'arn:aws:sns:us-east-1:666666666666:attacker' };
		const signed = signDelivery('ses', JSON.stringify(forged));
		const other = await processDelivery({ sourceId: 'ses', rawBody: Buffer.from(signed.body), headers: {}, receivedAt, allowedTopicArns: [SES_TOPIC] });
		expect(other).toMatchObject({ kind: 'rejected', status: 403 });
		const genuine = signDelivery('ses', JSON.stringify(fixture('ses', 'bounce').body));
		const noList = await processDelivery({ sourceId: 'ses', rawBody: Buffer.from(genuine.body), headers: {}, receivedAt });
		expect(noList).toMatchObject({ kind: 'rejected', status: 403 });
		expect(noList.kind === 'rejected' && noList.message).toContain('Allowed SNS Topic ARNs');
	});

	it('Mailgun: a signature token reused with another body is refused; a retry of the same body is not', async () => {
		// Mailgun signs timestamp + token only; its guide says to refuse reused tokens.
		const body = fixture('mailgun', 'clicked').body as Record<string, unknown>;
		const token = `tok-${Date.now()}-${Math.random()}`;
		const first = signDelivery('mailgun', JSON.stringify({ ...body, signature: { token } }));
		const deliver = (raw: string) => processDelivery({ sourceId: 'mailgun', rawBody: Buffer.from(raw), headers: {}, receivedAt: new Date(), secrets: { secret: SECRETS.mailgun } });
		expect((await deliver(first.body)).kind).toBe('events');
		expect((await deliver(first.body)).kind).toBe('events'); // a retried delivery: de-duplication handles it
		const signedObject = JSON.parse(first.body) as Record<string, unknown>;
		const eventData = signedObject['event-data'] as Record<string, unknown>;
		const forged = JSON.stringify({ ...signedObject, 'event-data': { ...eventData, event: 'complained', id: 'forged-1' } });
		const replay = await deliver(forged);
		expect(replay).toMatchObject({ kind: 'rejected', status: 401 });
	});

	it('Mailgun: with the replay window turned off (0), a token is still bound to its first body', async () => {
		const body = fixture('mailgun', 'clicked').body as Record<string, unknown>;
		const token = `tok0-${Date.now()}-${Math.random()}`;
		// Signed a day ago: only accepted because the window is off.
		const first = signDelivery('mailgun', JSON.stringify({ ...body, signature: { token } }), { timestamp: Math.floor(Date.now() / 1000) - 86_400 });
		const deliver = (raw: string, at: Date) => processDelivery({ sourceId: 'mailgun', rawBody: Buffer.from(raw), headers: {}, receivedAt: at, secrets: { secret: SECRETS.mailgun }, verifyOptions: { toleranceSeconds: 0 } });
		expect((await deliver(first.body, new Date())).kind).toBe('events');
		const signedObject = JSON.parse(first.body) as Record<string, unknown>;
		const forged = JSON.stringify({ ...signedObject, 'event-data': { ...(signedObject['event-data'] as Record<string, unknown>), event: 'complained', id: 'forged-0' } });
		// A minute and an hour later, the same signature with other event data is refused.
		expect(await deliver(forged, new Date(Date.now() + 60_000))).toMatchObject({ kind: 'rejected', status: 401 });
		expect(await deliver(forged, new Date(Date.now() + 3_600_000))).toMatchObject({ kind: 'rejected', status: 401 });
	});

	it('SES: a message naming a topic outside the allow list is refused (403) before any certificate is fetched', async () => {
		const forged = signSns({ ...(JSON.parse(JSON.stringify(fixture('ses', 'bounce').body)) as Record<string, string>), TopicArn: 'arn:aws:sns:us-east-1:666666666666:attacker' });
		const fetchCertificate = jest.fn(async () => SNS_CERT_PEM);
		for (const url of ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-not-cached.pem', SNS_CERT_URL]) {
			const outcome = await processDelivery({
				sourceId: 'ses',
				rawBody: Buffer.from(JSON.stringify({ ...forged, SigningCertURL: url })),
				headers: {},
				receivedAt,
				allowedTopicArns: [SES_TOPIC],
				verifyOptions: { fetchCertificate },
			});
			expect(outcome).toMatchObject({ kind: 'rejected', status: 403, message: 'the SNS TopicArn is not in the allowed list' });
		}
		expect(fetchCertificate).not.toHaveBeenCalled();
	});

	it('unknown topics are skipped by default in the pipeline, or passed through', async () => {
		const f = fixture('sendgrid', 'batch-all-events');
		const signed = signDelivery('sendgrid', JSON.stringify(f.body));
		const { SENDGRID_PUBLIC_KEY } = await import('../../harness/signing');
		const skip = await processDelivery({ sourceId: 'sendgrid', rawBody: Buffer.from(signed.body), headers: signed.headers, receivedAt, secrets: { publicKey: SENDGRID_PUBLIC_KEY } });
		expect(skip.kind === 'events' && skip.events.length).toBe(9);
		const pass = await processDelivery({ sourceId: 'sendgrid', rawBody: Buffer.from(signed.body), headers: signed.headers, receivedAt, secrets: { publicKey: SENDGRID_PUBLIC_KEY }, onUnknown: 'passThrough' });
		expect(pass.kind === 'events' && pass.events.map((e) => e.event).slice(-1)).toEqual(['Unknown']);
		if (pass.kind === 'events') for (const e of pass.events) expect(canonicalEventErrors(e)).toEqual([]);
	});

	it('verification can be switched off (e.g. RudderStack without a token)', async () => {
		const outcome = await processDelivery({ sourceId: 'segment', rawBody: Buffer.from(JSON.stringify(fixture('segment', 'track').body)), headers: {}, receivedAt, verify: false });
		expect(outcome).toMatchObject({ kind: 'events', events: [{ event: 'Order Completed' }] });
	});
});

describe('dedupe window', () => {
	const options = { windowMs: 60_000, maxEntries: 3 };

	it('flags ids seen within the window, forgets them after it, and persists as a JSON-safe list of strings', () => {
		const k = (id: string) => dedupeKey('shopify', id);
		const first = dedupePersisted([k('a'), k('b'), k('a')], undefined, 'scope-1', 1_000, options);
		expect(first.seen).toEqual([false, false, true]);
		expect(first.persist).toEqual([`${k('a')}=${(1_000).toString(36)};${k('b')}=${(1_000).toString(36)};`]);
		// Survives a JSON round trip (workflow static data) in a fresh scope (another process).
		const restored = JSON.parse(JSON.stringify({ ids: first.persist })) as { ids: string[] };
		const second = dedupePersisted([k('a'), k('c')], restored.ids, 'scope-2', 30_000, options);
		expect(second.seen).toEqual([true, false]);
		// After the window the id is new again.
		expect(dedupePersisted([k('b')], second.persist, 'scope-3', 62_000, options).seen).toEqual([false]);
		// Nothing new and nothing expired: nothing to write.
		expect(dedupePersisted([k('a')], second.persist, 'scope-2', 31_000, options).persist).toBeUndefined();
	});

	it('reads the earlier { key: ms } object form, the one string of earlier versions, and what another process wrote meanwhile', () => {
		const k = (id: string) => dedupeKey('stripe', id);
		const legacy = { [k('old')]: 5_000 };
		expect(dedupePersisted([k('old')], legacy, 'scope-legacy', 6_000, options).seen).toEqual([true]);
		const oneString = `${k('s1')}=${(5_000).toString(36)};${k('s2')}=${(5_500).toString(36)};`;
		const fromString = dedupePersisted([k('s2'), k('s3')], oneString, 'scope-legacy-string', 6_000, options);
		expect(fromString.seen).toEqual([true, false]);
		expect(decodeDedupeIds(fromString.persist)).toEqual([[k('s1'), 5_000], [k('s2'), 5_500], [k('s3'), 6_000]]);
		const mine = dedupePersisted([k('x')], undefined, 'scope-p1', 10_000, options);
		const theirs = dedupePersisted([k('y')], mine.persist, 'scope-p2', 10_500, options);
		// Process 1 sees the value process 2 wrote (it differs from its own last write) and learns "y".
		expect(dedupePersisted([k('y'), k('x')], theirs.persist, 'scope-p1', 11_000, options).seen).toEqual([true, true]);
	});

	it('is bounded: keeps at most maxEntries ids, dropping the oldest', () => {
		let persisted: string[] | undefined;
		for (let i = 0; i < 10; i++) persisted = dedupePersisted([dedupeKey('s', `id-${i}`)], persisted, 'scope-bounded', 1_000 + i, options).persist ?? persisted;
		expect(decodeDedupeIds(persisted)).toHaveLength(3);
		expect(dedupePersisted([dedupeKey('s', 'id-9')], persisted, 'scope-other', 2_000, options).seen).toEqual([true]);
		expect(dedupePersisted([dedupeKey('s', 'id-0')], persisted, 'scope-other2', 2_000, options).seen).toEqual([false]);
	});

	it('keys differ per source and are never integer-like', () => {
		expect(dedupeKey('a', '1')).not.toBe(dedupeKey('b', '1'));
		expect(dedupeKey('a', '1')).toMatch(/^k[A-Za-z0-9_-]{22}$/);
	});
});

describe('Custom source ids without an id path', () => {
	it('keeps two identical pushes without timestamp apart, and ids stay stable when a timestamp is mapped', async () => {
		const { custom } = await import('../../../nodes/engines/events/sources/custom');
		const push = { event: 'add_to_cart', user: 'u-1', sku: 'tee' };
		const mapping = { eventPath: 'event', userIdPath: 'user', eventMap: { add_to_cart: 'Product Added' } };
		const a = custom.normalize({ payload: push, receivedAt: new Date('2024-05-01T10:00:00Z'), mapping });
		const b = custom.normalize({ payload: push, receivedAt: new Date('2024-05-01T10:00:07Z'), mapping });
		expect(a[0].messageId).not.toBe(b[0].messageId);
		const withTime = { ...mapping, timestampPath: 'at' };
		const c = custom.normalize({ payload: { ...push, at: '2024-05-01T09:59:00Z' }, receivedAt: new Date('2024-05-01T10:00:00Z'), mapping: withTime });
		const d = custom.normalize({ payload: { ...push, at: '2024-05-01T09:59:00Z' }, receivedAt: new Date('2024-05-01T10:05:00Z'), mapping: withTime });
		expect(c[0].messageId).toBe(d[0].messageId); // a retried delivery of the same event is recognised
	});
});

describe('dedupe window, incremental encoding', () => {
	it('stays exact and bounded when one delivery brings more new ids than the window holds (SendGrid/Segment batches)', () => {
		const options = { windowMs: 1_000_000, maxEntries: 10 };
		let persisted: string[] | undefined;
		let next = 0;
		const model: string[] = []; // the ids the window must hold, oldest first
		for (let round = 0; round < 40; round++) {
			const keys = Array.from({ length: round % 2 === 0 ? 15 : 3 }, () => dedupeKey('sendgrid', `ev-${next++}`));
			const result = dedupePersisted(keys, persisted, 'scope-big-batches', round, options);
			persisted = result.persist ?? persisted;
			expect(result.seen).toEqual(keys.map(() => false));
			model.push(...keys);
			model.splice(0, Math.max(0, model.length - options.maxEntries));
			// Worked out by hand: the last 10 ids of all sent so far, each with the round it came in.
			expect(decodeDedupeIds(persisted).map(([key]) => key)).toEqual(model);
		}
	});


	it('the chunks kept by slicing and appending always hold exactly the window, in whole entries of at most chunkChars characters', () => {
		// 40 entries of 33 characters in chunks of at most 100: three entries a chunk, so entries leave
		// the front chunk, chunks empty and new ones start all the time.
		const options = { windowMs: 50, maxEntries: 40, chunkChars: 100 };
		let persisted: string[] | undefined;
		const model = new Map<string, number>(); // independent model: key → first seen, oldest first
		for (let t = 0; t < 400; t++) {
			const keys = [dedupeKey('s', `id-${(t * 7) % 90}`), dedupeKey('s', `id-${(t * 13) % 90}`)];
			const result = dedupePersisted(keys, persisted, 'scope-incremental', t, options);
			persisted = result.persist ?? persisted;
			for (const [key, at] of model) if (model.size > options.maxEntries || t - at > options.windowMs) model.delete(key); else break;
			const expected = keys.map((key) => {
				const at = model.get(key);
				if (at !== undefined && t - at <= options.windowMs) return true;
				model.delete(key);
				model.set(key, t);
				return false;
			});
			while (model.size > options.maxEntries) model.delete(model.keys().next().value as string);
			expect(result.seen).toEqual(expected);
			expect(decodeDedupeIds(persisted)).toEqual([...model.entries()]);
			for (const chunk of persisted ?? []) {
				expect(chunk.length).toBeLessThanOrEqual(options.chunkChars);
				expect(chunk).toMatch(/^(k[A-Za-z0-9_-]{22}=[0-9a-z]+;)+$/);
			}
		}
	});
});
