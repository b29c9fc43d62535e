/**
 * Differential test of the event mappings: every source's `normalize` must give what the frozen
 * copy of the former code (test/engines/events/reference/) gives, for the documented fixtures and
 * for random mutations of them (fields replaced, removed or added, `pz_*` attribution in every
 * carrier, every topic, odd dates, money and ids). "The same" means the same JSON text, key order
 * included, with undefined-valued keys made visible, and for errors the same class, message,
 * field and kind.
 */
import fc from 'fast-check';
import { getSource, SOURCES } from '../../../nodes/engines/events/registry';
import type { CustomMapping, NormalizeInput, UnknownMode } from '../../../nodes/engines/events/types';
import { CUSTOM_MAPPING, loadFixtures } from '../../harness/signing';
import { REFERENCE_SOURCES } from './reference/registry';

const fixtures = loadFixtures();
/** Fixture indexes by source: runs pick a source first, so SendGrid's one fixture is not rare. */
const bySource = Object.values(
	fixtures.reduce<Record<string, number[]>>((acc, f, i) => {
		(acc[f.source] ??= []).push(i);
		return acc;
	}, {}),
);

/** JSON text where an undefined-valued key shows (plain JSON would hide it). */
function text(value: unknown): string {
	return JSON.stringify(value, (_key, v: unknown) => (v === undefined ? '\u0000undefined' : v));
}

function outcome(run: () => unknown): string {
	try {
		return `ok ${text(run())}`;
	} catch (error) {
		const e = error as Error & { field?: unknown; kind?: unknown };
		return `error ${e?.constructor?.name} ${String(e?.message)} field=${String(e?.field)} kind=${String(e?.kind)}`;
	}
}

const TOPICS = [
	...new Set([
		...Object.values(SOURCES).flatMap((s) => s.topics.map((t) => t.topic)),
		'order.updated',
		'product.updated',
		'product.deleted',
		'customer.subscription.updated',
		'identify',
		'page',
		'batch',
		'email.opened',
		'Notification',
		'nope',
		'constructor',
		'__proto__',
		'toString',
	]),
];

const KEYS = [
	'pz_message_id',
	'pz_campaign_id',
	'pz_variant',
	'pz_segment',
	'pz_experiment_id',
	'event',
	'type',
	'eventType',
	'notificationType',
	'RecordType',
	'email',
	'Email',
	'Recipient',
	'tags',
	'tag',
	'X-Mailin-custom',
	'x-mailin-custom',
	'ip',
	'sending_ip',
	'useragent',
	'category',
	'url',
	'link',
	'reason',
	'sg_machine_open',
	'sg_event_id',
	'sg_message_id',
	'asm_group_id',
	'Metadata',
	'Tag',
	'FirstOpen',
	'Type',
	'SuppressSending',
	'total_price',
	'line_items',
	'customer',
	'currency',
	'presentment_currency',
	'token',
	'cart_token',
	'checkout_token',
	'discount_codes',
	'transactions',
	'refund_line_items',
	'note',
	'admin_graphql_api_id',
	'id',
	'timestamp',
	'created',
	'created_at',
	'updated_at',
	'date_modified_gmt',
	'date_created_gmt',
	'date_modified',
	'date_created',
	'billing_address',
	// WooCommerce Legacy API v3 bodies ({"order": {...}}) and their field names
	'order',
	'product',
	'order_number',
	'total_shipping',
	'total_discount',
	'title',
	'featured_src',
	'in_stock',
	'completed_at',
	// Shopify customers: what the amount spent is and which currency labels it
	'total_spent',
	'amount_spent',
	'price_set',
	'ts_event',
	'ts',
	'user-variables',
	'metadata',
	'livemode',
	'status',
	'severity',
	'properties',
	'traits',
	'context',
	'userId',
	'anonymousId',
	'messageId',
	'__proto__',
	'constructor',
	'toString',
];

const value: fc.Arbitrary<unknown> = fc.oneof(
	{ weight: 3, arbitrary: fc.constantFrom<unknown>(undefined, null, '', 0, -1, 1.5, 2198, 1e11, 1604933654, 1604933654123, 2 ** 53 + 2, true, false, 'x', 'USD', 'usd', 'jpy') },
	{ weight: 2, arbitrary: fc.constantFrom(...TOPICS) },
	{
		weight: 3,
		arbitrary: fc.constantFrom<unknown>(
			' Ann@Example.COM ',
			'Ann Example <Ann@Example.COM>',
			'"Example, Ann <x>" <ann@example.com>',
			'<ann@example.com>',
			'ann@example.com>',
			'not an email',
			'pz_campaign_id:spring|pz_variant:B',
			'pz_message_id=m1; pz_segment = vip ,x',
			'{"pz_message_id":"m1","pz_segment":3,"pz_variant":{"a":1}}',
			'{broken',
			'2026-02-30T00:00:00Z',
			'2026-01-02 03:04:05',
			'2026-01-02T03:04:05',
			'2026-01-02T03:04:05.678Z',
			'2026-01-02T03:04:05+02:00',
			'1700000000',
			'59.99',
			' 12.50 ',
			'gid://shopify/Order/12345678901234567',
			'HardBounce',
			'Permanent',
			'temporary',
			'blocked',
			'subscribed',
			'customer',
			[],
			['transac_messages', 'pz_variant:C'],
			['a', 'b', 3],
			{},
			{ pz_campaign_id: 'c', pz_message_id: 5, pz_variant: '' },
			[{ name: 'pz_variant', value: 'A' }, { name: 'pz_segment', value: 2 }, 'x'],
			{ pz_variant: ['B', 'C'], pz_segment: 'all', other: [1] },
			[{ code: 'SPRING' }, { code: 7 }, null],
			[{ amount: '5.50', currency: 'eur' }, { amount: 'x' }],
			[{ product_id: 1, price: '2.00', quantity: 2, title: 't' }, 'x'],
			{ email: 'c@d.eu', id: 5, first_name: 'A', phone: 12 },
			{ state: 'subscribed' },
			// ESP Dispatch's `b64-` + base64url form (RFC 4648 §5, computed with Python's
			// base64.urlsafe_b64encode): 'Été 2025', 'größer', 'a.b', 'b64-x', '\ufeffx' (written so),
			// 'abc' (tag-safe: never written so), with padding, not UTF-8 (0xff), too short, empty
			'b64-w4l0w6kgMjAyNQ',
			'b64-Z3LDtsOfZXI',
			'b64-YS5i',
			'b64-YjY0LXg',
			'b64-77u_eA',
			'b64-YWJj',
			'b64-w4l0w6kgMjAyNQ==',
			'b64-_w',
			'b64-x',
			'b64-',
			'pz_campaign_id:b64-w4l0w6kgMjAyNQ|pz_variant:b64-Z3LDtsOfZXI',
			'{"pz_variant":"b64-Z3LDtsOfZXI","pz_segment":"b64-x","pz_message_id":"b64-YjY0LXg","pz_experiment_id":"b64-YWJj"}',
			['transac_messages', 'pz_campaign_id:b64-YS5i'],
			{ pz_campaign_id: ['b64-w4l0w6kgMjAyNQ'], pz_variant: 'b64-Z3LDtsOfZXI', pz_segment: ['b64-_w'] },
			[{ name: 'pz_experiment_id', value: 'b64-YS5i' }, { name: 'pz_variant', value: 'b64-Z3LDtsOfZXI' }],
		),
	},
	{ weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
	{ weight: 1, arbitrary: fc.integer() },
	{ weight: 1, arbitrary: fc.double() },
);

/** Every path (list of keys) of objects and arrays inside a value, the root included. */
function containers(root: unknown, path: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
	if (root === null || typeof root !== 'object') return out;
	out.push(path);
	if (Array.isArray(root)) root.forEach((v, i) => containers(v, [...path, i], out));
	else for (const [k, v] of Object.entries(root)) containers(v, [...path, k], out);
	return out;
}

function at(root: unknown, path: Array<string | number>): Record<string, unknown> {
	let current = root as Record<string, unknown>;
	for (const key of path) current = current[key] as Record<string, unknown>;
	return current;
}

interface Edit {
	container: number;
	slot: number;
	key: string;
	value: unknown;
	mode: 'replace' | 'add' | 'delete';
}

/** Fields whose meaning hangs on one value (flags, kinds): set together, else they are rarely met. */
const PAIRS: Array<[string, unknown]> = [
	['sg_machine_open', true],
	['FirstOpen', false],
	['FirstOpen', true],
	['SuppressSending', false],
	['livemode', true],
	['livemode', false],
	['Type', 'HardBounce'],
	['Type', 'SoftBounce'],
	['type', 'blocked'],
	['type', 'Transient'],
	['severity', 'temporary'],
	['bounceType', 'Permanent'],
	['accepts_marketing', true],
	['object', 'customer'],
	['status', 'cancelled'],
	['status', 'refunded'],
	['category', ['a', 'b']],
	['tags', ['t1', 2, 't3']],
	['variation_id', 0],
	['quantity', 3],
	['currency', 'JPY'],
	['currency', 'KWD'],
	['presentment_currency', 'EUR'],
	['presentment_currency', 'JPY'],
	['price_set', { shop_money: { amount: '10.00', currency_code: 'USD' }, presentment_money: { amount: '9.15', currency_code: 'eur' } }],
	['price_set', { shop_money: { amount: '1.005', currency_code: 'KWD' }, presentment_money: { amount: 'x' } }],
	['date_modified_gmt', null],
	['date_created_gmt', null],
	['date_modified', '2016-05-03T17:58:35'],
	['date_created', '2016-05-03 17:58:35'],
	['date_modified', '2016-05-03T17:58:35+02:00'],
	['billing_address', { phone: '(555) 555-5555' }],
	['in_stock', true],
	['in_stock', false],
	['updated_at', null],
	['created_at', '2015-01-05T18:34:19Z'],
	['order', { id: 7, order_number: 7, updated_at: '2015-01-26T20:00:21Z', total: '5.00', total_tax: '0.50', billing_address: { email: 'A@B.co' }, customer_id: 0 }],
	['product', { id: 3, title: 'T', in_stock: false, images: [{ src: 'https://x.example/i.jpg' }] }],
	['customer', { id: 4, created_at: '2015-01-05T18:34:19Z', email: 'c@d.eu' }],
	['amount_spent', { amount: '350.00', currency_code: 'usd' }],
	['amount_spent', { amount: 'x', currency_code: 'EUR' }],
	['amount_spent', { amount: '12.5' }],
	// topics no fixture has, or topics swapped between fixtures of one source
	['event', 'proxy_open'],
	['event', 'unique_proxy_open'],
	['event', 'hard_bounce'],
	['event', 'soft_bounce'],
	['event', 'click'],
	['event', 'bounce'],
	['event', 'failed'],
	['event', 'clicked'],
	['RecordType', 'Open'],
	['RecordType', 'Bounce'],
	['RecordType', 'SubscriptionChange'],
	['eventType', 'Click'],
	['eventType', 'Bounce'],
	['eventType', 'Subscription'],
	['event', 'group_resubscribe'],
	['event', 'unique_opened'],
	['subscription', { contactList: 'L', timestamp: '2022-01-12T01:00:17.910Z', newTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [{ topicName: 'A', subscriptionStatus: 'OptOut' }, { topicName: 'B', subscriptionStatus: 'OptIn' }, { topicName: 5 }] }, oldTopicPreferences: { unsubscribeAll: true, topicSubscriptionStatus: [{ topicName: 'A', subscriptionStatus: 'OptIn' }, { topicName: 'B', subscriptionStatus: 'OptIn' }, { topicName: 'A', subscriptionStatus: 'OptOut' }] } }],
	['newTopicPreferences', { unsubscribeAll: true, topicSubscriptionStatus: [] }],
	['oldTopicPreferences', { unsubscribeAll: true }],
	['type', 'email.bounced'],
	['type', 'email.clicked'],
	['discount_codes', [{ code: 'A' }, { code: 'B' }, null, { code: '' }, { code: 5 }]],
	['coupon_lines', [{ code: 'A' }, { code: 'B' }, 'x']],
];

const edit: fc.Arbitrary<Edit> = fc.oneof(
	{
		weight: 4,
		arbitrary: fc.record({
			container: fc.nat(),
			slot: fc.nat(),
			key: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 4 }) }),
			value,
			mode: fc.constantFrom('replace' as const, 'replace' as const, 'add' as const, 'delete' as const),
		}),
	},
	{
		weight: 1,
		arbitrary: fc.record({ container: fc.nat(), slot: fc.nat(), pair: fc.constantFrom(...PAIRS) }).map(({ container, slot, pair }) => ({ container, slot, key: pair[0], value: pair[1], mode: 'add' as const })),
	},
);

function mutate(body: unknown, edits: Edit[]): unknown {
	const copy: unknown = structuredClone(body);
	for (const e of edits) {
		const v: unknown = structuredClone(e.value);
		const list = containers(copy);
		if (list.length === 0) return copy;
		const target = at(copy, list[e.container % list.length]);
		const keys = Object.keys(target);
		if (e.mode === 'add' || keys.length === 0) {
			if (Array.isArray(target)) target.push(v);
			else Object.defineProperty(target, e.key, { value: v, enumerable: true, writable: true, configurable: true });
			continue;
		}
		const key = keys[e.slot % keys.length];
		if (e.mode === 'delete') {
			if (Array.isArray(target)) target.splice(Number(key), 1);
			else delete target[key];
		} else target[key] = v;
	}
	return copy;
}

/** SES carries its event as JSON text in the SNS `Message`: mutate the inner event, then encode it. */
function mutateSes(body: Record<string, unknown>, edits: Edit[], inner: boolean, unwrapped: boolean): unknown {
	if (typeof body.Message !== 'string') return mutate(body, edits);
	const event = JSON.parse(body.Message) as unknown;
	const changed = inner ? mutate(event, edits) : event;
	if (unwrapped) return changed;
	const envelope = (inner ? structuredClone(body) : mutate(body, edits)) as Record<string, unknown>;
	if (typeof envelope.Message === 'string') envelope.Message = JSON.stringify(changed);
	return envelope;
}

const mappings: CustomMapping[] = [
	CUSTOM_MAPPING,
	{ ...CUSTOM_MAPPING, eventMap: {}, messageIdPath: '', timestampPath: '' },
	{ ...CUSTOM_MAPPING, eventsPath: 'items', propertiesPath: '', anonymousIdPath: 'anon' },
	{ eventName: 'Thing', valuePath: '$.ecommerce.value', emailPath: 'email' },
];

const headerValue = fc.oneof(fc.constant(undefined), fc.constantFrom(...TOPICS), fc.string({ maxLength: 6 }), fc.constantFrom('true', 'false', 'shop.example', ['orders/paid', 'x']));

const delivery = fc.record({
	fixture: fc.tuple(fc.nat(bySource.length - 1), fc.nat()).map(([source, k]) => bySource[source][k % bySource[source].length]),
	edits: fc.array(edit, { maxLength: 10 }),
	headerEdits: fc.array(
		fc.oneof(
			fc.constantFrom<[string, unknown]>(
				['x-shopify-test', 'true'],
				['x-shopify-shop-domain', 'shop.example'],
				['x-wc-webhook-source', 'https://woo.example'],
				['x-shopify-topic', 'constructor'],
				['x-wc-webhook-topic', 'toString'],
				['X-Shopify-Webhook-Id', 'w1'],
				['x-shopify-triggered-at', '2026-01-02T03:04:05.678Z'],
			),
			fc.tuple(fc.constantFrom('x-shopify-topic', 'X-Shopify-Topic', 'x-wc-webhook-topic', 'x-shopify-webhook-id', 'x-shopify-test', 'x-shopify-shop-domain', 'x-shopify-triggered-at', 'x-wc-webhook-delivery-id', 'x-wc-webhook-source', 'svix-id', 'webhook-id'), headerValue),
		),
		{ maxLength: 3 },
	),
	noHeaders: fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))),
	topic: fc.option(fc.constantFrom(...TOPICS), { nil: undefined, freq: 8 }),
	onUnknown: fc.option(fc.constantFrom<UnknownMode>('skip', 'passThrough', 'error'), { nil: undefined }),
	keepRaw: fc.option(fc.boolean(), { nil: undefined }),
	mapping: fc.nat(mappings.length - 1),
	sesInner: fc.boolean(),
	sesUnwrapped: fc.boolean(),
	receivedAt: fc.integer({ min: 0, max: 4102444800000 }),
});

type Delivery = typeof delivery extends fc.Arbitrary<infer T> ? T : never;

function inputOf(d: Delivery): { source: string; input: () => NormalizeInput } {
	const f = fixtures[d.fixture];
	const payload = f.source === 'ses' ? mutateSes(f.fixture.body as Record<string, unknown>, d.edits, d.sesInner, d.sesUnwrapped) : mutate(f.fixture.body, d.edits);
	const headers: Record<string, unknown> = { ...(f.fixture.headers ?? {}) };
	for (const [name, v] of d.headerEdits) {
		if (v === undefined) delete headers[name];
		else headers[name] = v;
	}
	// A fresh input (and payload copy) per run, so neither mapping can see what the other did.
	return {
		source: f.source,
		input: () => ({
			payload: structuredClone(payload),
			headers: d.noHeaders ? undefined : headers,
			topic: d.topic,
			receivedAt: new Date(d.receivedAt),
			onUnknown: d.onUnknown,
			keepRaw: d.keepRaw,
			mapping: f.source === 'custom' ? mappings[d.mapping] : undefined,
		}),
	};
}

describe('every source normalizes as the former code did (differential, fast-check)', () => {
	it('has a reference for every source', () => {
		expect(Object.keys(REFERENCE_SOURCES).sort()).toEqual(Object.keys(SOURCES).sort());
	});

	it.each(fixtures.map((f) => [`${f.source}/${f.name}`, f] as const))('fixture %s', (_name, f) => {
		for (const onUnknown of ['skip', 'passThrough', 'error'] as const) {
			for (const keepRaw of [false, true]) {
				const input = (): NormalizeInput => ({
					payload: structuredClone(f.fixture.body),
					headers: f.fixture.headers,
					receivedAt: new Date('2026-01-01T00:00:00Z'),
					onUnknown,
					keepRaw,
					mapping: f.source === 'custom' ? CUSTOM_MAPPING : undefined,
				});
				const got = outcome(() => getSource(f.source)!.normalize(input()));
				expect(got).toBe(outcome(() => REFERENCE_SOURCES[f.source].normalize(input())));
				// not vacuous: the documented fixtures map to events
				if (onUnknown === 'skip') expect(got.startsWith('ok [{')).toBe(true);
			}
		}
	});

	it('random mutations of the fixtures', () => {
		const seen = { ok: 0, error: 0, empty: 0 };
		fc.assert(
			fc.property(delivery, (d) => {
				const { source, input } = inputOf(d);
				const got = outcome(() => getSource(source)!.normalize(input()));
				expect(got).toBe(outcome(() => REFERENCE_SOURCES[source].normalize(input())));
				if (got === 'ok []') seen.empty++;
				else if (got.startsWith('ok')) seen.ok++;
				else seen.error++;
			}),
			{ numRuns: Number(process.env.EQUIVALENCE_RUNS ?? 10000) },
		);
		// the mutations reach both the mapped and the rejected paths
		expect(seen.ok).toBeGreaterThan(1000);
		expect(seen.error).toBeGreaterThan(100);
	});

	it('attribution in the carriers ESP Dispatch writes encoded (Brevo X-Mailin-custom, Mailgun user-variables, SES and Resend tags)', () => {
		// The runs above put a `b64-` value under a `pz_*` key of the right carrier only rarely.
		const KEYS5 = ['pz_message_id', 'pz_campaign_id', 'pz_variant', 'pz_segment', 'pz_experiment_id'];
		const b64 = (text: string) => `b64-${Buffer.from(text, 'utf8').toString('base64url')}`;
		const carried = fc.oneof(
			fc.constantFrom('b64-w4l0w6kgMjAyNQ', 'b64-Z3LDtsOfZXI', 'b64-YS5i', 'b64-YWJj', 'b64-w4l0w6kgMjAyNQ==', 'b64-_w', 'b64-x', 'b64-', 'spring', 'A', ''),
			fc.string({ unit: 'grapheme', maxLength: 8 }).map(b64), // well-formed text, encoded
			fc.string({ maxLength: 8 }).map((t) => `b64-${t}`), // anything after the prefix
			fc.string({ unit: 'binary', maxLength: 6 }).map(b64), // lone surrogates: U+FFFD bytes
			fc.uint8Array({ maxLength: 6 }).map((b) => `b64-${Buffer.from(b).toString('base64url')}`), // any bytes
			fc.string({ unit: 'grapheme', maxLength: 8 }),
			fc.integer(),
		);
		const sources = ['brevo', 'mailgun', 'ses', 'resend'];
		const byName = new Map(sources.map((src) => [src, fixtures.filter((f) => f.source === src)]));
		let decoded = 0;
		fc.assert(
			fc.property(
				fc.record({
					source: fc.constantFrom(...sources),
					k: fc.nat(),
					// no pz_user_id: the reference predates it (user-id.test.ts covers it)
					values: fc.dictionary(fc.constantFrom(...KEYS5, 'other'), carried, { maxKeys: 6 }),
					form: fc.constantFrom('json', 'pairs', 'list'),
					tags: fc.boolean(),
				}),
				(d) => {
					const list = byName.get(d.source)!;
					const f = list[d.k % list.length];
					const body = structuredClone(f.fixture.body) as Record<string, unknown>;
					const v = d.values;
					if (d.source === 'brevo') {
						body['X-Mailin-custom'] = d.form === 'pairs' ? Object.entries(v).map(([k, x]) => `${k}:${String(x)}`).join('|') : JSON.stringify(v);
						if (d.tags) body.tags = ['transac', ...Object.entries(v).map(([k, x]) => `${k}:${String(x)}`)];
					} else if (d.source === 'mailgun') {
						body['event-data'] = { ...(body['event-data'] as object), 'user-variables': v };
					} else if (d.source === 'ses') {
						const event = JSON.parse(body.Message as string) as { mail: Record<string, unknown> };
						event.mail.tags = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, [x]]));
						body.Message = JSON.stringify(event);
					} else {
						const tags = d.form === 'list' ? Object.entries(v).map(([name, value]) => ({ name, value })) : v;
						body.data = { ...(body.data as object), tags };
					}
					const input = (): NormalizeInput => ({ payload: structuredClone(body), headers: f.fixture.headers, receivedAt: new Date('2026-01-01T00:00:00Z'), onUnknown: 'passThrough', keepRaw: false });
					const got = outcome(() => getSource(d.source)!.normalize(input()));
					expect(got).toBe(outcome(() => REFERENCE_SOURCES[d.source].normalize(input())));
					for (const key of KEYS5) {
						const value = v[key];
						if (typeof value === 'string' && value.startsWith('b64-') && !got.includes(JSON.stringify(value))) decoded++;
					}
				},
			),
			{ numRuns: Number(process.env.EQUIVALENCE_RUNS ?? 10000) / 5 },
		);
		expect(decoded).toBeGreaterThan(100);
	});

	it('WooCommerce Legacy API v3 bodies: every WooCommerce topic, with and without a delivery id', () => {
		// The runs above pick a legacy body with a WooCommerce topic and no delivery id only rarely.
		const legacy = fixtures.flatMap((f, i) => (f.source === 'woocommerce' && f.name.endsWith('-legacy-v3') ? [i] : []));
		expect(legacy.length).toBe(3);
		const topics = ['order.created', 'order.updated', 'customer.created', 'customer.updated', 'product.created', 'product.updated', 'product.restored', 'product.deleted', 'coupon.created'];
		const seen = { legacy: 0, received: 0 };
		fc.assert(
			fc.property(
				fc.record({
					fixture: fc.constantFrom(...legacy),
					edits: fc.array(edit, { maxLength: 6 }),
					topic: fc.constantFrom(...topics),
					delivery: fc.boolean(),
					keepRaw: fc.boolean(),
					receivedAt: fc.integer({ min: 0, max: 4102444800000 }),
				}),
				(d) => {
					const f = fixtures[d.fixture];
					const payload = mutate(f.fixture.body, d.edits);
					const headers: Record<string, unknown> = { ...(f.fixture.headers ?? {}), 'x-wc-webhook-topic': d.topic };
					if (!d.delivery) delete headers['x-wc-webhook-delivery-id'];
					const input = (): NormalizeInput => ({ payload: structuredClone(payload), headers, receivedAt: new Date(d.receivedAt), onUnknown: 'passThrough', keepRaw: d.keepRaw });
					const got = outcome(() => getSource('woocommerce')!.normalize(input()));
					expect(got).toBe(outcome(() => REFERENCE_SOURCES.woocommerce.normalize(input())));
					if (got.startsWith('ok') && !got.includes('"properties":{}') && !got.includes('"event":"Unknown"')) seen.legacy++;
					if (got.includes('"timestamp_source":"received"')) seen.received++;
				},
			),
			{ numRuns: Number(process.env.EQUIVALENCE_RUNS ?? 10000) / 5 },
		);
		expect(seen.legacy).toBeGreaterThan(200);
		expect(seen.received).toBeGreaterThan(50);
	});
});
