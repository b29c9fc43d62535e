/**
 * Every source and topic, from fixtures built on each provider's documented example payload
 * (the doc URL is in each fixture's "doc" field). Expected values are written by hand from the
 * fixture (e.g. Shopify "403.00" → 403, Stripe 2198 minor units of USD → 21.98, epoch seconds → ISO).
 */
import { getSource, SOURCES } from '../../../nodes/engines/events/registry';
import { EventMappingError } from '../../../nodes/engines/events/types';
import { canonicalEventErrors } from '../../harness/schema';
import { CUSTOM_MAPPING, loadFixtures } from '../../harness/signing';

const receivedAt = new Date('2026-01-01T00:00:00.000Z');
const fixtures = loadFixtures();

describe('sources map documented payloads to canonical events', () => {
	it('has fixtures for every source', () => {
		expect(new Set(fixtures.map((f) => f.source))).toEqual(new Set(Object.keys(SOURCES)));
		expect(fixtures.length).toBeGreaterThanOrEqual(50);
	});

	it.each(fixtures.map((f) => [`${f.source}/${f.name}`, f] as const))('%s', (_name, { source, fixture }) => {
		const events = getSource(source)!.normalize({
			payload: fixture.body,
			headers: fixture.headers,
			receivedAt,
			onUnknown: 'skip',
			mapping: source === 'custom' ? CUSTOM_MAPPING : undefined,
		});
		const expected = Array.isArray(fixture.expect) ? fixture.expect : [fixture.expect];
		expect(events).toHaveLength(fixture.count ?? expected.length);
		expected.forEach((e, i) => expect(events[i]).toMatchObject(e));
		for (const event of events) {
			expect(canonicalEventErrors(event)).toEqual([]);
			expect(event.receivedAt).toBe('2026-01-01T00:00:00.000Z');
			expect(event.context.source).toBe(source);
		}
	});
});

describe('mapping rules', () => {
	const shopify = getSource('shopify')!;
	it('unknown topics: error names the topic, skip drops, passThrough keeps the raw payload', () => {
		const input = { payload: { id: 1 }, headers: { 'x-shopify-topic': 'app/uninstalled', 'x-shopify-webhook-id': 'w1' }, receivedAt };
		expect(() => shopify.normalize(input)).toThrow(/app\/uninstalled/);
		try {
			shopify.normalize(input);
		} catch (e) {
			expect(e).toBeInstanceOf(EventMappingError);
			expect((e as EventMappingError).kind).toBe('unknownTopic');
		}
		expect(shopify.normalize({ ...input, onUnknown: 'skip' })).toEqual([]);
		const [unknown] = shopify.normalize({ ...input, onUnknown: 'passThrough' });
		expect(unknown).toMatchObject({ event: 'Unknown', messageId: 'w1', raw: { id: 1 }, context: { source: 'shopify', topic: 'app/uninstalled' } });
		expect(canonicalEventErrors(unknown)).toEqual([]);
	});

	it('keeps ids above 2^53 exact through admin_graphql_api_id', () => {
		const [e] = shopify.normalize({
			payload: { id: 9007199254740993, admin_graphql_api_id: 'gid://shopify/Order/9007199254740993', total_price: '1.00', currency: 'eur', created_at: '2024-01-01T00:00:00Z' },
			headers: { 'x-shopify-topic': 'orders/create' },
			receivedAt,
		});
		expect(e.properties.order_id).toBe('9007199254740993');
		expect(e.properties.currency).toBe('EUR');
	});

	it('Stripe: three-decimal currencies (KWD 1000 minor = 1.000) and the zero-decimal JPY', () => {
		const stripe = getSource('stripe')!;
		const make = (currency: string, amount: number) =>
			stripe.normalize({ payload: { id: 'evt_1', type: 'charge.refunded', created: 1700000000, data: { object: { id: 'ch_1', amount_refunded: amount, currency } } }, receivedAt })[0];
		expect(make('kwd', 1000).properties.total).toBe(1);
		expect(make('jpy', 1000).properties.total).toBe(1000);
		expect(make('eur', 1099).properties.total).toBe(10.99);
	});

	it('WooCommerce *_gmt dates without a zone are UTC', () => {
		const [e] = getSource('woocommerce')!.normalize({
			payload: { id: 5, status: 'completed', currency: 'EUR', total: '10.00', date_modified_gmt: '2024-06-01T12:00:00', billing: { email: 'A@B.co' } },
			headers: { 'x-wc-webhook-topic': 'order.updated' },
			receivedAt,
		});
		expect(e.timestamp).toBe('2024-06-01T12:00:00.000Z');
		expect(e.event).toBe('Order Updated');
	});

	it('Resend accepts tags as the older [{ name, value }] list', () => {
		const [e] = getSource('resend')!.normalize({
			payload: { type: 'email.opened', created_at: '2024-01-01T00:00:00Z', data: { email_id: 'e1', to: ['x@y.io'], tags: [{ name: 'pz_campaign_id', value: 'c9' }] } },
			receivedAt,
		});
		expect(e.properties.campaign_id).toBe('c9');
	});

	it('Brevo reads X-Mailin-custom as a JSON object too', () => {
		const [e] = getSource('brevo')!.normalize({
			payload: { event: 'opened', email: 'x@y.io', ts_event: 1700000000, 'message-id': '<m@x>', 'X-Mailin-custom': '{"pz_message_id":"m-1","pz_segment":"new"}' },
			receivedAt,
		});
		expect(e.properties).toMatchObject({ email_id: 'm-1', segment: 'new' });
	});

	it('Custom: batch via eventsPath, fixed event name, and a clear error when no name is found', () => {
		const custom = getSource('custom')!;
		const events = custom.normalize({ payload: { items: [{ e: 'x', id: 'a' }, { e: 'y', id: 'b' }] }, receivedAt, mapping: { eventsPath: 'items', eventName: 'Product Viewed', messageIdPath: 'id' } });
		expect(events.map((e) => [e.event, e.messageId])).toEqual([['Product Viewed', 'a'], ['Product Viewed', 'b']]);
		expect(() => custom.normalize({ payload: { a: 1 }, receivedAt, mapping: { eventPath: 'name' } })).toThrow(/no event name at "name"/);
	});

	it('rejects bodies of the wrong shape with EventMappingError naming the field', () => {
		expect(() => getSource('mailgun')!.normalize({ payload: { signature: {} }, receivedAt })).toThrow(/event-data/);
		expect(() => getSource('sendgrid')!.normalize({ payload: 'x', receivedAt })).toThrow(EventMappingError);
		expect(() => getSource('stripe')!.normalize({ payload: { type: 'charge.refunded', id: 'evt', created: 'soon' }, receivedAt })).toThrow(/created/);
	});
});

describe('a topic named like an Object.prototype member is an unknown topic', () => {
	// Topic tables are plain objects: `TOPICS['constructor']` used to find Object itself and emit an
	// event whose `event` was a function (found in review). Each source puts the topic where it reads it.
	const placements: Record<string, [string, (body: any, headers: Record<string, string>, topic: string) => void]> = {
		shopify: ['orders-create', (_b, h, t) => (h['x-shopify-topic'] = t)],
		woocommerce: ['order.created', (_b, h, t) => (h['x-wc-webhook-topic'] = t)],
		stripe: ['checkout.session.completed', (b, _h, t) => (b.type = t)],
		segment: ['track', (b, _h, t) => (b.type = t)],
		sendgrid: ['batch-all-events', (b, _h, t) => b.forEach((e: any) => (e.event = t))],
		mailgun: ['clicked', (b, _h, t) => (b['event-data'].event = t)],
		postmark: ['open', (b, _h, t) => (b.RecordType = t)],
		brevo: ['opened', (b, _h, t) => (b.event = t)],
		resend: ['email.opened', (b, _h, t) => (b.type = t)],
		ses: [
			'open',
			(b, _h, t) => {
				const m = JSON.parse(b.Message);
				m.eventType = t;
				b.Message = JSON.stringify(m);
			},
		],
		custom: ['datalayer-add-to-cart', (b, _h, t) => (b.event = t)],
	};

	it('covers every source', () => {
		expect(Object.keys(placements).sort()).toEqual(Object.keys(SOURCES).sort());
	});

	it.each(Object.keys(placements).flatMap((source) => ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'].map((topic) => [source, topic] as const)))(
		'%s: %s',
		(source, topic) => {
			const [name, place] = placements[source];
			const fixture = fixtures.find((f) => f.source === source && f.name === name)!.fixture;
			const run = (onUnknown: 'error' | 'passThrough' | 'skip') => {
				const body = structuredClone(fixture.body);
				const headers = { ...fixture.headers };
				place(body, headers, topic);
				return getSource(source)!.normalize({ payload: body, headers, receivedAt, onUnknown, mapping: source === 'custom' ? CUSTOM_MAPPING : undefined });
			};
			if (source === 'sendgrid') {
				// A batch refuses no event with Unknown Events = error: each comes out Unknown, naming why.
				const refused = run('error');
				expect(refused).toHaveLength((fixture.body as unknown[]).length);
				for (const event of refused) expect(event).toMatchObject({ event: 'Unknown', properties: { reason: expect.stringContaining(`"${topic}" is not mapped`) } });
			} else expect(() => run('error')).toThrow(EventMappingError);
			expect(run('skip')).toEqual([]);
			const passed = run('passThrough');
			expect(passed.length).toBeGreaterThan(0);
			for (const event of passed) {
				expect(event.event).toBe('Unknown');
				expect(canonicalEventErrors(event)).toEqual([]);
			}
		},
	);

	it('Custom: an Event Name Map value that is not a name leaves the event unmapped', () => {
		const fixture = fixtures.find((f) => f.source === 'custom')!.fixture;
		const run = (eventMap: Record<string, unknown>) =>
			getSource('custom')!.normalize({ payload: structuredClone(fixture.body), receivedAt, onUnknown: 'passThrough', mapping: { ...CUSTOM_MAPPING, eventMap: eventMap as Record<string, string> } });
		expect(run({ add_to_cart: 5 }).map((e) => e.event)).toEqual(['Unknown']);
		expect(run({ add_to_cart: '' }).map((e) => e.event)).toEqual(['Unknown']);
		expect(run({ add_to_cart: 'Product Added' }).map((e) => e.event)).toEqual(['Product Added']);
	});
});
