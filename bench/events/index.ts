/**
 * bench/events: the full path of one webhook delivery (verify the signature over the raw bytes +
 * parse + normalize, i.e. the pipeline the Personalization Trigger runs) over a realistic mix of
 * ~2 KB documented payloads of every source, against bare JSON.parse of the same bodies.
 *
 * Events/s counts canonical events emitted (a SendGrid or Segment batch yields several).
 */
import { processDelivery, type DeliveryInput } from '../../nodes/engines/events/pipeline';
import { getSource } from '../../nodes/engines/events/registry';
import { verifyDelivery } from '../../nodes/engines/events/signatures';
import { cacheCertificate } from '../../nodes/engines/events/signatures/sns';
import { CUSTOM_MAPPING, SECRETS, SENDGRID_PUBLIC_KEY, SNS_CERT_PEM, SNS_CERT_URL, loadFixtures, signDelivery } from '../../test/harness/signing';
import { ObservableObject } from 'n8n-workflow';
import { dedupeKey, dedupePersisted } from '../../nodes/engines/events/dedupe';
import type { Figure } from '../types';
import { X509Certificate, createHmac, createPublicKey, createSecretKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';

/**
 * CPU time (user + system) of one pass, in ms. The machine running the benchmarks is shared, so
 * wall time mostly measures the other processes; CPU time is what one core spends on our work.
 */
function cpuMs(fn: () => void): number {
	const start = process.cpuUsage();
	fn();
	const used = process.cpuUsage(start);
	return (used.user + used.system) / 1000;
}

async function cpuMsAsync(fn: () => Promise<void>): Promise<number> {
	const start = process.cpuUsage();
	await fn();
	const used = process.cpuUsage(start);
	return (used.user + used.system) / 1000;
}

const TARGET_BYTES = 2000;

/** Grows a documented payload to a realistic size by repeating its own list entries. */
function grow(source: string, body: unknown, i: number): unknown {
	const copy = JSON.parse(JSON.stringify(body)) as Record<string, unknown> & unknown[];
	const size = () => JSON.stringify(copy).length;
	const repeat = (list: unknown[], make: (k: number) => unknown) => {
		for (let k = 0; size() < TARGET_BYTES && k < 200; k++) list.push(make(k));
	};
	switch (source) {
		case 'shopify':
		case 'woocommerce': {
			const items = copy.line_items as Array<Record<string, unknown>> | undefined;
			if (!items?.length) {
				// customers and products: grow their meta_data list, as WooCommerce sends it
				const meta: unknown[] = [];
				(copy as Record<string, unknown>).meta_data = meta;
				repeat(meta, (k) => ({ id: 9000 + k, key: `_custom_field_${k}`, value: `value ${k} of record ${i}` }));
				break;
			}
			repeat(items, (k) => ({ ...items[0], id: 1000 + k, product_id: 7000 + ((i + k) % 500), sku: `SKU-${k}`, title: `Organic cotton tee, size ${k % 4}`, name: `Organic cotton tee ${k}` }));
			break;
		}
		case 'sendgrid': {
			const list = copy as unknown as Array<Record<string, unknown>>;
			const first = list[0];
			list.length = 0;
			repeat(list, (k) => ({ ...first, event: ['delivered', 'open', 'click', 'processed'][k % 4], url: 'https://shop.example.com/spring?utm_source=email', sg_event_id: `ev-${i}-${k}` }));
			break;
		}
		case 'segment': {
			const batch = copy.batch as Array<Record<string, unknown>> | undefined;
			if (batch) repeat(batch, (k) => ({ ...batch[1], messageId: `m-${i}-${k}` }));
			break;
		}
		case 'ses': {
			const message = JSON.parse(copy.Message as string) as { mail: { headers?: unknown[] } };
			message.mail.headers = [];
			const env = copy as Record<string, unknown>;
			for (let k = 0; JSON.stringify(env).length + JSON.stringify(message).length < TARGET_BYTES + 200 && k < 40; k++) {
				message.mail.headers.push({ name: `X-Header-${k}`, value: `value ${k} for message ${i}` });
			}
			env.Message = JSON.stringify(message);
			env.MessageId = `sns-${i}`;
			break;
		}
		default: {
			const data = (source === 'mailgun' ? copy['event-data'] : source === 'resend' ? copy.data : copy) as Record<string, unknown>;
			const extra: Record<string, string> = {};
			for (let k = 0; size() + JSON.stringify(extra).length < TARGET_BYTES && k < 60; k++) extra[`attribute_${k}`] = `value ${k} of delivery ${i}`;
			data.attributes = extra;
		}
	}
	return copy;
}

interface Delivery {
	input: DeliveryInput;
	body: Buffer;
}

export function deliveries(count: number): Delivery[] {
	// The mix: WooCommerce Legacy API v3 bodies (older stores) and Stripe invoices (renewals,
	// mapped after the topic list) are left out, so the figures stay comparable with the runs
	// before they were mapped.
	const fixtures = loadFixtures().filter(
		(f) => !(f.source === 'ses' && f.name === 'send') && !f.name.endsWith('-legacy-v3') && !(f.source === 'stripe' && f.name.startsWith('invoice.')),
	);
	const out: Delivery[] = [];
	// One Date per delivery, as the trigger makes one per request (a shared Date would let the
	// per-delivery `receivedAt` formatting hit its cache on every delivery).
	const receivedMs = Date.now();
	for (let i = 0; i < count; i++) {
		const f = fixtures[i % fixtures.length];
		const source = f.source;
		const headers = { ...f.fixture.headers };
		for (const key of ['x-shopify-webhook-id', 'x-wc-webhook-delivery-id', 'svix-id']) if (headers[key]) headers[key] = `${headers[key]}-${i}`;
		const signed = signDelivery(source, JSON.stringify(grow(source, f.fixture.body, i)), { headers });
		const secret = (SECRETS as Record<string, unknown>)[source];
		const body = Buffer.from(signed.body);
		out.push({
			body,
			input: {
				sourceId: source,
				rawBody: body,
				headers: signed.headers,
				receivedAt: new Date(receivedMs + i),
				secrets: {
					secret: typeof secret === 'string' ? secret : undefined,
					publicKey: SENDGRID_PUBLIC_KEY,
					...(source === 'postmark' ? SECRETS.postmark : {}),
					...(source === 'brevo' ? SECRETS.brevo : {}),
				},
				verifyOptions: { customHmac: { header: 'x-hub-signature-256', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' } },
				mapping: source === 'custom' ? CUSTOM_MAPPING : undefined,
				onUnknown: 'skip',
				// The topic of the SES fixtures, as a user lists it (required when verifying SNS).
				allowedTopicArns: source === 'ses' ? ['arn:aws:sns:us-east-1:123456789012:ses-events'] : undefined,
			},
		});
	}
	return out;
}

/** The source's mapping alone, on an already parsed payload (what the full path runs after verify + parse). */
function normalizeOnly(d: Delivery, payload: unknown): number {
	const source = getSource(d.input.sourceId);
	if (!source) return 0;
	return source.normalize({ payload, headers: d.input.headers, receivedAt: d.input.receivedAt, onUnknown: 'skip', mapping: d.input.mapping }).length;
}

const SCHEMES: Record<string, string> = {
	shopify: 'HMAC-SHA256',
	woocommerce: 'HMAC-SHA256',
	stripe: 'HMAC-SHA256',
	segment: 'HMAC-SHA1',
	sendgrid: 'ECDSA P-256',
	mailgun: 'HMAC-SHA256 of timestamp+token',
	postmark: 'Basic auth',
	ses: 'RSA-2048 SNS signature',
	brevo: 'Bearer/Basic auth',
	resend: 'Svix HMAC-SHA256',
	custom: 'HMAC-SHA256',
};

interface SourceRow {
	source: string;
	scheme: string;
	count: number;
	bytes: number;
	eventsPerDelivery: number;
	parseUs: number;
	verifyUs: number;
	normalizeUs: number;
	fullUs: number;
}

/**
 * Where the time goes, source by source: each phase timed alone over that source's deliveries
 * (hot caches, one shape at a time, so the rows add up to less than the mixed full-path figure).
 */
async function breakdown(list: Delivery[], rounds: number): Promise<SourceRow[]> {
	const groups = new Map<string, Delivery[]>();
	for (const d of list) {
		const group = groups.get(d.input.sourceId) ?? [];
		group.push(d);
		groups.set(d.input.sourceId, group);
	}
	const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
	const rows: SourceRow[] = [];
	let sink = 0;
	for (const [source, group] of groups) {
		const parsed = group.map((d) => JSON.parse(d.body.toString('utf8')) as unknown);
		const times = { parse: [] as number[], verify: [] as number[], normalize: [] as number[], full: [] as number[] };
		let events = 0;
		for (let round = 0; round < rounds; round++) {
			times.parse.push(
				cpuMs(() => {
					for (const d of group) sink += (JSON.parse(d.body.toString('utf8')) as unknown) === null ? 0 : 1;
				}),
			);
			times.verify.push(
				await cpuMsAsync(async () => {
					for (let k = 0; k < group.length; k++) {
						const d = group[k];
						if ((await verifyDelivery(source, d.body, d.input.headers, parsed[k], d.input.secrets ?? {}, d.input.verifyOptions)).ok) sink++;
					}
				}),
			);
			times.normalize.push(
				cpuMs(() => {
					events = 0;
					for (let k = 0; k < group.length; k++) events += normalizeOnly(group[k], parsed[k]);
				}),
			);
			let fullEvents = 0;
			times.full.push(
				await cpuMsAsync(async () => {
					for (const d of group) {
						const outcome = await processDelivery(d.input);
						if (outcome.kind === 'events') fullEvents += outcome.events.length;
					}
				}),
			);
			// A rejected delivery (e.g. a signature gone past the replay window on a slow machine) is cheaper: refuse to report it.
			if (fullEvents !== events) throw new Error(`${source}: the full path emitted ${fullEvents} events instead of ${events}`);
			sink += fullEvents;
		}
		const us = (a: number[]) => (median(a) * 1000) / group.length;
		rows.push({
			source,
			scheme: SCHEMES[source] ?? '',
			count: group.length,
			bytes: Math.round(group.reduce((sum, d) => sum + d.body.length, 0) / group.length),
			eventsPerDelivery: events / group.length,
			parseUs: us(times.parse),
			verifyUs: us(times.verify),
			normalizeUs: us(times.normalize),
			fullUs: us(times.full),
		});
	}
	if (sink < 0) console.log(sink);
	return rows.sort((a, b) => b.count * b.fullUs - a.count * a.fullUs);
}

/** The bare crypto primitive a delivery's scheme needs, with its input prebuilt (no header or body reading). */
type Primitive =
	| { kind: 'hmac'; algorithm: string; key: KeyObject; data: Buffer[] }
	| { kind: 'verify'; algorithm: string; key: KeyObject; data: Buffer; signature: Buffer }
	| { kind: 'none' };

/**
 * What each scheme must compute at the least, built independently of the verification code under
 * test (node:crypto only, from the providers' documentation): the HMAC over the signed bytes, or
 * the one-shot public-key verification over the signed text. Shared-secret schemes (Postmark,
 * Brevo basic/bearer auth) need no crypto.
 */
function primitiveOf(d: Delivery, snsKey: KeyObject, sendgridKey: KeyObject): Primitive {
	const h = d.input.headers as Record<string, string>;
	const secretKey = (text: string) => createSecretKey(Buffer.from(text, 'utf8'));
	switch (d.input.sourceId) {
		case 'shopify':
			return { kind: 'hmac', algorithm: 'sha256', key: secretKey(SECRETS.shopify), data: [d.body] };
		case 'woocommerce':
			return { kind: 'hmac', algorithm: 'sha256', key: secretKey(SECRETS.woocommerce), data: [d.body] };
		case 'custom':
			return { kind: 'hmac', algorithm: 'sha256', key: secretKey(SECRETS.custom), data: [d.body] };
		case 'segment':
			return { kind: 'hmac', algorithm: 'sha1', key: secretKey(SECRETS.segment), data: [d.body] };
		case 'stripe': {
			const t = /t=(\d+)/.exec(h['stripe-signature'])?.[1] ?? '';
			return { kind: 'hmac', algorithm: 'sha256', key: secretKey(SECRETS.stripe), data: [Buffer.from(`${t}.`), d.body] };
		}
		case 'resend': {
			const key = createSecretKey(Buffer.from(SECRETS.resend.slice('whsec_'.length), 'base64'));
			return { kind: 'hmac', algorithm: 'sha256', key, data: [Buffer.from(`${h['svix-id']}.${h['svix-timestamp']}.`), d.body] };
		}
		case 'mailgun': {
			const sig = (JSON.parse(d.body.toString('utf8')) as { signature: { timestamp: string; token: string } }).signature;
			return { kind: 'hmac', algorithm: 'sha256', key: secretKey(SECRETS.mailgun), data: [Buffer.from(sig.timestamp + sig.token)] };
		}
		case 'sendgrid':
			return {
				kind: 'verify',
				algorithm: 'sha256',
				key: sendgridKey,
				data: Buffer.concat([Buffer.from(h['x-twilio-email-event-webhook-timestamp']), d.body]),
				signature: Buffer.from(h['x-twilio-email-event-webhook-signature'], 'base64'),
			};
		case 'ses': {
			// https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
			const m = JSON.parse(d.body.toString('utf8')) as Record<string, string>;
			const keys = ['Message', 'MessageId', ...(m.Subject !== undefined ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type'];
			return {
				kind: 'verify',
				algorithm: m.SignatureVersion === '1' ? 'sha1' : 'sha256',
				key: snsKey,
				data: Buffer.from(keys.map((k) => `${k}\n${m[k]}\n`).join('')),
				signature: Buffer.from(m.Signature, 'base64'),
			};
		}
		default:
			return { kind: 'none' };
	}
}

function runPrimitive(p: Primitive): boolean {
	if (p.kind === 'hmac') {
		const mac = createHmac(p.algorithm, p.key);
		for (const part of p.data) mac.update(part);
		return mac.digest().length > 0;
	}
	if (p.kind === 'verify') return cryptoVerify(p.algorithm, p.data, p.key, p.signature);
	return true;
}

/**
 * The trigger's de-duplication window when full (5,000 ids, the default size), per delivery, with
 * static data wrapped by n8n's own ObservableObject as n8n hands it to a node. Baseline: what the
 * trigger did before, copying the persisted `{ key: ms }` object out of static data, pruning it and
 * writing it back on every delivery.
 */
function dedupeFigure(quick: boolean): Figure {
	const options = { windowMs: 24 * 3600_000, maxEntries: 5000 };
	const measure = (step: (staticData: Record<string, unknown>, i: number) => void): number => {
		const staticData = ObservableObject.create({}) as Record<string, unknown>;
		for (let i = 0; i < options.maxEntries; i++) step(staticData, i);
		const n = quick ? 300 : 2000;
		const ms = cpuMs(() => {
			for (let i = options.maxEntries; i < options.maxEntries + n; i++) step(staticData, i);
		});
		return (ms * 1000) / n;
	};
	const before = measure((staticData, i) => {
		const ids: Record<string, number> = { ...((staticData.dedupeIds as Record<string, number> | undefined) ?? {}) };
		const keys = Object.keys(ids);
		let drop = Math.max(0, keys.length + 1 - options.maxEntries);
		for (const key of keys) {
			if (drop-- <= 0) break;
			delete ids[key];
		}
		const key = dedupeKey('shopify', `delivery-${i}`);
		if (ids[key] === undefined) ids[key] = 1_700_000_000_000 + i;
		staticData.dedupeIds = ids;
	});
	const after = measure((staticData, i) => {
		const result = dedupePersisted([dedupeKey('shopify', `delivery-${i}`)], staticData.dedupeIds, `bench-${quick}`, 1_700_000_000_000 + i, options);
		if (result.persist !== undefined) staticData.dedupeIds = result.persist;
	});
	return {
		name: 'Trigger de-duplication with a full window (5,000 ids) in n8n static data, CPU time per delivery',
		value: after,
		unit: 'µs/delivery',
		baseline: { name: 'copy + prune + write back the { key: ms } object (the earlier trigger)', value: before },
		better: 'lower',
	};
}

/**
 * One timed pass of the full path over `deliveries` (CPU ms). Every pass must do the whole work: a
 * delivery rejected late (its replay window passed during a slow run) would flatter the figure, so
 * a pass that emits other than `events` events stops the benchmark.
 */
async function fullPass(deliveries: Delivery[], events: number, what: string): Promise<number> {
	let emitted = 0;
	const ms = await cpuMsAsync(async () => {
		for (const d of deliveries) {
			const outcome = await processDelivery(d.input);
			if (outcome.kind === 'events') emitted += outcome.events.length;
		}
	});
	if (emitted !== events) throw new Error(`${what}: the full path emitted ${emitted} events instead of ${events}`);
	return ms;
}

export async function run({ quick }: { quick: boolean }): Promise<Figure[]> {
	cacheCertificate(SNS_CERT_URL, SNS_CERT_PEM);
	const list = deliveries(quick ? 2000 : 20000);
	const avgBytes = list.reduce((s, d) => s + d.body.length, 0) / list.length;
	const texts = list.map((d) => d.body.toString('utf8'));

	// Sanity: every delivery verifies and yields events (a failing signature would make the bench meaningless).
	let events = 0;
	for (const d of list) {
		const outcome = await processDelivery(d.input);
		if (outcome.kind !== 'events') throw new Error(`${d.input.sourceId}: ${JSON.stringify(outcome).slice(0, 200)}`);
		events += outcome.events.length;
	}

	let sink = 0;
	// Interleaved rounds (parse pass, full pass, …) so machine load drifts hit both alike; medians.
	const parseRounds: number[] = [];
	const fullRounds: number[] = [];
	const normalizeRounds: number[] = [];
	const stringRounds: number[] = [];
	const verifyRounds: number[] = [];
	const parsed = list.map((d) => JSON.parse(d.body.toString('utf8')) as unknown);
	const snsKey = new X509Certificate(SNS_CERT_PEM).publicKey;
	const sendgridKey = createPublicKey({ key: Buffer.from(SENDGRID_PUBLIC_KEY, 'base64'), format: 'der', type: 'spki' });
	const primitives = list.map((d) => primitiveOf(d, snsKey, sendgridKey));
	for (const p of primitives) if (!runPrimitive(p)) throw new Error('a bare signature primitive does not verify: the floor would be wrong');
	const floorRounds: number[] = [];
	const cryptoRounds: number[] = [];
	// The same deliveries grouped by source, as one trigger sees them (one URL per source): its own
	// full and parse passes, paired per round. Reported beside the mixed figure, which stays the target's.
	const grouped = [...list].sort((a, b) => (a.input.sourceId < b.input.sourceId ? -1 : a.input.sourceId > b.input.sourceId ? 1 : 0));
	const groupedParseRounds: number[] = [];
	const groupedFullRounds: number[] = [];
	for (let round = 0; round < (quick ? 5 : 9); round++) {
		parseRounds.push(
			cpuMs(() => {
				for (const d of list) sink += (JSON.parse(d.body.toString('utf8')) as unknown) === null ? 0 : 1;
			}),
		);
		stringRounds.push(
			cpuMs(() => {
				for (const t of texts) sink += (JSON.parse(t) as unknown) === null ? 0 : 1;
			}),
		);
		floorRounds.push(
			cpuMs(() => {
				for (let k = 0; k < list.length; k++) {
					if (runPrimitive(primitives[k])) sink++;
					sink += (JSON.parse(list[k].body.toString('utf8')) as unknown) === null ? 0 : 1;
				}
			}),
		);
		cryptoRounds.push(
			cpuMs(() => {
				for (const p of primitives) if (runPrimitive(p)) sink++;
			}),
		);
		verifyRounds.push(
			await cpuMsAsync(async () => {
				for (let k = 0; k < list.length; k++) {
					const d = list[k];
					if ((await verifyDelivery(d.input.sourceId, d.body, d.input.headers, parsed[k], d.input.secrets ?? {}, d.input.verifyOptions)).ok) sink++;
				}
			}),
		);
		normalizeRounds.push(
			cpuMs(() => {
				for (let k = 0; k < list.length; k++) sink += normalizeOnly(list[k], parsed[k]);
			}),
		);
		fullRounds.push(await fullPass(list, events, `round ${round}`));
		groupedParseRounds.push(
			cpuMs(() => {
				for (const d of grouped) sink += (JSON.parse(d.body.toString('utf8')) as unknown) === null ? 0 : 1;
			}),
		);
		groupedFullRounds.push(await fullPass(grouped, events, `round ${round}, grouped`));
	}
	const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
	const parseMs = median(parseRounds);
	const parseOnlyMs = median(stringRounds);
	const fullMs = median(fullRounds);
	const verifyMs = median(verifyRounds);
	const normalizeMs = median(normalizeRounds);
	const floorMs = median(floorRounds);
	const cryptoMs = median(cryptoRounds);
	// The same ratio paired within each round (full and parse passes a fraction of a second apart),
	// so a drift of the shared machine's speed between rounds does not move it as it moves the
	// medians above; the median of the rounds' ratios, with their spread.
	const pairedRatios = fullRounds.map((full, r) => full / parseRounds[r]).sort((x, y) => x - y);
	const pairedRatio = median(pairedRatios);
	const groupedRatios = groupedFullRounds.map((full, r) => full / groupedParseRounds[r]).sort((x, y) => x - y);
	if (sink < 0) console.log(sink);
	const bySource = new Map<string, number>();
	for (const d of list) bySource.set(d.input.sourceId, (bySource.get(d.input.sourceId) ?? 0) + 1);
	const perSource = await breakdown(list, quick ? 3 : 5);

	return [
		{
			name: `Full path events per CPU-second (verify+parse+normalize), ${list.length} deliveries of ${bySource.size} sources, ~${Math.round(avgBytes)} B, ${events} events`,
			value: events / (fullMs / 1000),
			unit: 'events/s',
			baseline: { name: 'JSON.parse only (Buffer→string→parse), same bodies, events/s', value: events / (parseMs / 1000) },
			better: 'higher',
			target: '>= 50,000 events/s; <= 2.5x the JSON.parse time',
		},
		{
			name: 'Full path CPU time per delivery',
			value: (fullMs * 1000) / list.length,
			unit: 'µs/delivery',
			baseline: { name: 'JSON.parse of the same bodies (Buffer→string→parse)', value: (parseMs * 1000) / list.length },
			better: 'lower',
			target: '<= 2.5x the JSON.parse time',
		},
		{
			name: `Full path / JSON.parse paired per round (median of ${pairedRatios.length} rounds' ratios; rounds ${pairedRatios[0].toFixed(2)}x–${pairedRatios[pairedRatios.length - 1].toFixed(2)}x)`,
			value: pairedRatio,
			unit: 'x JSON.parse',
			better: 'lower',
			target: '<= 2.5x',
		},
		{
			name: `The same deliveries grouped by source, as each trigger (one URL per source) receives them: full path / JSON.parse paired per round (median of ${groupedRatios.length}; rounds ${groupedRatios[0].toFixed(2)}x–${groupedRatios[groupedRatios.length - 1].toFixed(2)}x; the mixed figure above is the target's)`,
			value: median(groupedRatios),
			unit: 'x JSON.parse',
			better: 'lower',
		},
		{
			name: "Floor of this mix: each scheme's bare crypto primitive (input prebuilt, one-shot verify / createHmac) + JSON.parse, interleaved as in the full path",
			value: (floorMs * 1000) / list.length,
			unit: 'µs/delivery',
			baseline: { name: 'JSON.parse of the same bodies (Buffer→string→parse)', value: (parseMs * 1000) / list.length },
			better: 'lower',
		},
		{
			name: 'Bare crypto primitives alone (the floor without its JSON.parse), same mixed order',
			value: (cryptoMs * 1000) / list.length,
			unit: 'µs/delivery',
			baseline: { name: 'JSON.parse of the same bodies', value: (parseMs * 1000) / list.length },
			better: 'lower',
		},
		{
			name: 'Signature verification alone, CPU time (part of the full path)',
			value: (verifyMs * 1000) / list.length,
			unit: 'µs/delivery',
			baseline: { name: 'JSON.parse of the same bodies', value: (parseMs * 1000) / list.length },
			better: 'lower',
		},
		{
			name: 'Normalize alone (parsed payload → canonical events), CPU time (part of the full path)',
			value: (normalizeMs * 1000) / list.length,
			unit: 'µs/delivery',
			baseline: { name: 'JSON.parse of the same bodies', value: (parseMs * 1000) / list.length },
			better: 'lower',
		},
		...perSource.map(
			(r): Figure => ({
				name: `${r.source} (${((100 * r.count) / list.length).toFixed(1)}% of deliveries, ~${r.bytes} B, ${r.eventsPerDelivery.toFixed(1)} events each): full path; of which verify ${r.verifyUs.toFixed(1)} µs (${r.scheme}), normalize ${r.normalizeUs.toFixed(1)} µs`,
				value: r.fullUs,
				unit: 'µs/delivery',
				baseline: { name: `JSON.parse of the same ${r.source} bodies`, value: r.parseUs },
				better: 'lower',
			}),
		),
		dedupeFigure(quick),
		{
			name: 'JSON.parse of pre-decoded strings, CPU time (reference)',
			value: (parseOnlyMs * 1000) / list.length,
			unit: 'µs/delivery',
			better: 'lower',
		},
	];
}
