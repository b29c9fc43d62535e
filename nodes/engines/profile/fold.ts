/**
 * The fold: how canonical events become customer state. Pure and shared by both backends.
 *
 * Every field is folded so that the result depends on the SET of events, not on the order in
 * which they arrive: counters add, first/last take min/max, "latest" values are decided by
 * (timestamp, messageId), bounded lists keep the top N by (timestamp, messageId). That is what
 * lets two workers recording interleaved events end with the same profile as one worker
 * recording them in order (the backends serialise writers per customer, the fold makes the
 * order irrelevant). Merging two profiles (anonymous → known) uses the same rules.
 */
import { CART_SNAPSHOT_EVENTS, ENGAGEMENT_EVENTS, type CanonicalEvent } from '../types/CanonicalEvent';
import type { CustomerProfile, ProfileCartLine, ProfileOpenCart, ProfileProductView, ProfileSubscription } from '../types/CustomerProfile';
import { emailKey } from './email';
import { profileTimeMs } from './time';
import type { EventPosition } from './types';

const DAY = 86_400_000;

/** Order key: (timestamp ms, messageId). */
export type Stamp = [number, string];

export function newer(a: Stamp | undefined | null, b: Stamp | undefined | null): boolean {
	if (!a) return false;
	if (!b) return true;
	return a[0] !== b[0] ? a[0] > b[0] : a[1] > b[1];
}

interface CartLog {
	at: Stamp;
	op: 'add' | 'remove';
	line: ProfileCartLine;
	cart_id?: string;
	currency?: string;
	recovery_url?: string;
}

interface CartSnapshot {
	at: Stamp;
	cart_id?: string;
	checkout_id?: string;
	value?: number;
	currency?: string;
	recovery_url?: string;
	products: ProfileCartLine[];
}

/** What the store keeps per profile (JSON). `toProfile` turns it into the public `CustomerProfile`. */
export interface ProfileState {
	v: 1;
	profileId: string;
	userId: string | null;
	/** The customer's address: see `offerEmail` for which event's address it is. */
	email: string | null;
	emailAt: Stamp | null;
	/**
	 * `email` came from an email feedback event (see `isEmailFeedback`): it stands only until an
	 * event of the customer gives an address. Absent: from an event of the customer (also in states
	 * stored before the flag existed).
	 */
	emailFb?: true;
	/** The newest ANONYMOUS_IDS_CAP anonymous ids by `anonAt`, sorted (older ones still resolve through the identities table). */
	anonymousIds: string[];
	/** The latest timestamp (ms) of each id in `anonymousIds`; ids stored before it existed have none and count as the oldest. */
	anonAt?: Record<string, number>;
	firstSeen: number;
	/** The latest timestamp (ms) of any event (deliveries and other provider reports included). */
	lastSeen: number;
	/**
	 * The latest timestamp (ms) of an event the customer did (see `isCustomerActivity`); null: none
	 * yet. Absent in a state stored before it existed: read as `lastSeen` (see `lastActiveOf`).
	 */
	lastActive?: number | null;
	ordersCount: number;
	totalSpentMinor: Record<string, number>;
	firstOrder: number | null;
	lastOrder: number | null;
	cartSnap: CartSnapshot | null;
	cartLog: CartLog[];
	cartCleared: number | null;
	views: Array<ProfileProductView & { id: string; ts: number }>;
	searches: Array<{ q: string; ts: number; id: string }>;
	/** Engagement timestamps (ms) of the last 90 days before `lastSeen`: delivered, opened, clicked. */
	eng: { d: number[]; o: number[]; c: number[] };
	lastOpen: number | null;
	lastClick: number | null;
	/** Whether any scope is unsubscribed now (`subs`, `unsubLegacy`): the profile's and the store's flag. */
	unsubscribed: boolean;
	/**
	 * Unsubscribes per scope, absent until the first `Unsubscribed` or `Resubscribed` event (so the
	 * other events pay nothing for it). Keys: see `scopeChanges`.
	 */
	subs?: Record<string, ScopeSubscription>;
	/** An unsubscribe stored before scopes were kept (`unsubscribed` with no `subs`): its scope is unknown, so nothing lifts it. */
	unsubLegacy?: true;
	/**
	 * Whether the profile's current `email` has a hard bounce / a spam complaint in this state (what
	 * the store's `bounced` / `complained` columns hold). Derived from the per-address facts below;
	 * in a state stored before them (no `bouncedEmails`), the flag of the customer (see `addressFacts`).
	 */
	bounced: boolean;
	complained: boolean;
	/** Addresses (lower case, sorted) with a hard bounce / a spam complaint recorded on this profile. */
	bouncedEmails?: string[];
	complainedEmails?: string[];
	/**
	 * A bounce / complaint of an unknown address: stored before addresses were kept (the earlier
	 * `bounced: true`), or an event with no `email`. It counts for every address of the profile.
	 */
	bouncedAny?: true;
	complainedAny?: true;
	traits: Record<string, unknown>;
	traitAt: Record<string, Stamp>;
}

/** One scope: the latest `Unsubscribed` (u) and `Resubscribed` (r) timestamps (ms) that named it. */
export interface ScopeSubscription {
	u?: number;
	r?: number;
}

export interface FoldOptions {
	/** Product views kept (newest first, one per product: product_id, else sku, else name; see keepViews). Default 10. */
	recentViews?: number;
	/** Search queries kept (newest first, distinct). Default 10. */
	recentSearches?: number;
}

export const ENGAGEMENT_CAP = 2000;
const CART_LOG_CAP = 100;
/** Anonymous ids kept in the state (the newest; the identities table keeps every one). */
export const ANONYMOUS_IDS_CAP = 100;

/** A validated event, with its timestamp parsed. */
export interface ValidEvent {
	event: CanonicalEvent;
	ts: number;
	receivedAt: number;
	/** Identity keys `u:<userId>`, `e:<email>`, `a:<anonymousId>` (those present). */
	keys: { u?: string; e?: string; a?: string };
}

export class InvalidEventError extends Error {
	constructor(
		message: string,
		readonly field: string,
	) {
		super(message);
		this.name = 'InvalidEventError';
	}
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * An identifier of an event (messageId, userId, anonymousId): trimmed text, or a whole number as
 * its decimal text (`4711` → "4711", as Get Profile and Normalize Event read it), so a shop's
 * numeric customer id finds the same customer whatever node it went through. Other numbers (1.5,
 * NaN, 1e21: a double would not hold the id exactly) are refused naming the field; anything else
 * is no id.
 */
function idText(v: unknown, field: string): string | undefined {
	if (typeof v === 'number') {
		if (Number.isSafeInteger(v)) return String(v);
		throw new InvalidEventError(`The ${field} ${String(v)} is not an id: use text, or a whole number up to ${Number.MAX_SAFE_INTEGER}`, field);
	}
	return str(v);
}

/**
 * A NUL character (U+0000) in a field the store keeps as a text column (messageId, event, type,
 * userId, email, anonymousId): PostgreSQL text cannot hold it (SQLite can), so it is refused here,
 * naming the field, and both stores refuse the same events with the same message.
 */
function refuseNul(value: unknown, field: string): void {
	if (typeof value === 'string' && value.includes('\u0000')) {
		throw new InvalidEventError(`The ${field} holds a NUL character (U+0000), which the profile store cannot keep: remove it`, field);
	}
}

/** An event's `receivedAt` as the store keeps it: text read as profileTimeMs reads it; a number or anything else is none. */
function receivedTimeMs(v: unknown): number | undefined {
	return typeof v === 'string' ? profileTimeMs(v) : undefined;
}

/**
 * Where an item stands among the recorded events (Check Event Since's triggering event): its
 * timestamp, its receivedAt (else its timestamp) and its messageId, as Record Events stores them
 * (a messageId it could not store is ''). Undefined when the item has no readable timestamp.
 */
export function eventPosition(item: { timestamp?: unknown; receivedAt?: unknown; messageId?: unknown }): EventPosition | undefined {
	const timestamp = profileTimeMs(item.timestamp);
	if (timestamp === undefined) return undefined;
	let messageId = '';
	try {
		messageId = idText(item.messageId, 'messageId') ?? '';
	} catch {
		// not an id Record Events would keep (1.5): no recorded event has it
	}
	return { timestamp, receivedAt: receivedTimeMs(item.receivedAt) ?? timestamp, messageId };
}

/**
 * How far an event's timestamp may lie after the moment it was received (or, without receivedAt,
 * recorded): provider clocks and queues are off by seconds or minutes; a day covers any time zone
 * read wrongly. Beyond it the time is wrong, and recording it would move lastSeenAt / lastOrderAt
 * into the future and prune every real engagement timestamp against it.
 */
export const FUTURE_TOLERANCE_MS = 24 * 3600_000;

/**
 * Checks one canonical event; throws InvalidEventError naming the field. Changes nothing. `now`
 * (the recording time) bounds the timestamp together with the event's own receivedAt.
 */
export function validateEvent(input: unknown, now?: number): ValidEvent {
	if (typeof input !== 'object' || input === null || Array.isArray(input)) {
		throw new InvalidEventError('The event is not an object', 'event');
	}
	const event = input as CanonicalEvent;
	const messageId = idText(event.messageId, 'messageId');
	if (!messageId) throw new InvalidEventError('The event has no messageId (needed to record it once)', 'messageId');
	refuseNul(messageId, 'messageId');
	const name = str(event.event);
	if (!name) throw new InvalidEventError('The event has no event name', 'event');
	refuseNul(name, 'event');
	refuseNul(event.type, 'type');
	if (typeof event.timestamp !== 'string' && typeof event.timestamp !== 'number') {
		throw new InvalidEventError('The event has no timestamp', 'timestamp');
	}
	if (typeof event.timestamp === 'number' && !Number.isFinite(event.timestamp)) {
		throw new InvalidEventError(`The timestamp ${String(event.timestamp)} is not a time (use epoch milliseconds or ISO-8601)`, 'timestamp');
	}
	// A Date holds ±8.64e15 ms (https://tc39.es/ecma262/#sec-time-values-and-time-range): a number
	// beyond it would be stored, and then every read of the profile would fail to format it.
	if (typeof event.timestamp === 'number' && Math.abs(event.timestamp) > 8.64e15) {
		throw new InvalidEventError(`The timestamp ${String(event.timestamp)} is outside the dates that can be stored (epoch milliseconds within ±8.64e15)`, 'timestamp');
	}
	// A number is truncated to its millisecond, as a Date does, so both stores keep the same whole
	// number (PostgreSQL's BIGINT refuses a fraction); a date-time without a zone is UTC (profileTimeMs).
	const ts = profileTimeMs(event.timestamp);
	if (ts === undefined) {
		throw new InvalidEventError(
			`The timestamp ${JSON.stringify(String(event.timestamp).slice(0, 60))} cannot be parsed (use ISO-8601, e.g. 2026-03-01T10:00:00Z; without a zone it is UTC)`,
			'timestamp',
		);
	}
	const receivedParsed = receivedTimeMs(event.receivedAt);
	// the earlier of "received" and "now": a receivedAt in the future proves nothing
	const reference = Math.min(receivedParsed ?? Infinity, now ?? Infinity);
	if (ts > reference + FUTURE_TOLERANCE_MS) {
		// name the field to fix: receivedAt when it is the bound (an item copied from an older event keeps it)
		const against = reference === now ? 'it is recorded' : 'its receivedAt';
		throw new InvalidEventError(
			`The timestamp ${new Date(ts).toISOString()} is more than 24 hours after ${against} (${new Date(reference).toISOString()}): a wrong clock or time zone; recorded, it would move lastSeenAt into the future and empty the engagement counts`,
			'timestamp',
		);
	}
	const userId = idText(event.userId, 'userId');
	// `Ann Lee <ann@example.com>` is ann@example.com (emailKey), as Get Profile and Check Suppression look it up
	const emailText = str(event.email);
	const email = emailText === undefined ? undefined : emailKey(emailText) || undefined;
	const anonymousId = idText(event.anonymousId, 'anonymousId');
	refuseNul(userId, 'userId');
	refuseNul(email, 'email');
	refuseNul(anonymousId, 'anonymousId');
	if (!userId && !email && !anonymousId) {
		throw new InvalidEventError('The event has no identity: it needs a userId, an email or an anonymousId', 'userId');
	}
	return {
		event: { ...event, messageId, event: name, userId: userId ?? null, email: email ?? null, anonymousId: anonymousId ?? null },
		ts,
		receivedAt: receivedParsed ?? ts,
		keys: {
			...(userId ? { u: `u:${userId}` } : {}),
			...(email ? { e: `e:${email}` } : {}),
			...(anonymousId ? { a: `a:${anonymousId}` } : {}),
		},
	};
}

/** The problem with an event (InvalidEventError), or null when it can be recorded. */
export function checkEvent(input: unknown, now: number = Date.now()): InvalidEventError | null {
	try {
		validateEvent(input, now);
		return null;
	} catch (error) {
		if (error instanceof InvalidEventError) return error;
		return new InvalidEventError((error as Error).message, 'event');
	}
}

export function emptyState(profileId: string, ts: number): ProfileState {
	return {
		v: 1,
		profileId,
		userId: null,
		email: null,
		emailAt: null,
		anonymousIds: [],
		firstSeen: ts,
		lastSeen: ts,
		lastActive: null,
		ordersCount: 0,
		totalSpentMinor: {},
		firstOrder: null,
		lastOrder: null,
		cartSnap: null,
		cartLog: [],
		cartCleared: null,
		views: [],
		searches: [],
		eng: { d: [], o: [], c: [] },
		lastOpen: null,
		lastClick: null,
		unsubscribed: false,
		bounced: false,
		complained: false,
		bouncedEmails: [],
		complainedEmails: [],
		traits: {},
		traitAt: {},
	};
}

/** ISO 4217 minor-unit exponents that are not 2. */
const EXPONENT: Record<string, number> = {
	BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
	VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
	BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
	CLF: 4, UYW: 4,
};

/** Digits after the decimal point of the currency's minor unit (ISO 4217; 2 unless listed). */
export function minorExponent(currency: string): number {
	return EXPONENT[currency.toUpperCase()] ?? 2;
}

/** Major units → integer minor units of the currency (19.99 USD → 1999; 1.005 USD → 101; 500 JPY → 500). */
export function toMinor(amount: number, currency: string): number {
	const exp = minorExponent(currency);
	return Math.round(Number((amount * 10 ** exp).toPrecision(15)));
}

const num = (v: unknown): number | undefined => {
	if (typeof v === 'number' && Number.isFinite(v)) return v;
	if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
	return undefined;
};

/**
 * A product, cart or checkout id: trimmed text, or a finite number as its decimal text (`507` →
 * "507"), as Normalize Event's sources write ids (optionalString). Segment's analytics.js and
 * custom sources pass a shop's numeric ids through as numbers; read as text only, such an id was
 * dropped: the view lost its product, and the cart lines of one snapshot fell into one line.
 */
const idStr = (v: unknown): string | undefined => (typeof v === 'number' && Number.isFinite(v) ? String(v) : str(v));

function line(p: Record<string, unknown>): ProfileCartLine {
	const out: ProfileCartLine = {};
	for (const k of ['product_id', 'sku'] as const) {
		const v = idStr(p[k]);
		if (v !== undefined) out[k] = v;
	}
	for (const k of ['name', 'url', 'image_url', 'category'] as const) {
		const v = str(p[k]);
		if (v !== undefined) out[k] = v;
	}
	const price = num(p.price);
	if (price !== undefined) out.price = price;
	const quantity = num(p.quantity);
	if (quantity !== undefined) out.quantity = quantity;
	return out;
}

const lineKey = (l: ProfileCartLine): string => l.product_id ?? l.sku ?? l.name ?? '';

/**
 * A kept view's product: its product_id, else its sku (WooCommerce and custom events may carry
 * only a sku), else its name. Views with the same key are one product: only the latest is kept.
 */
const viewKey = (x: ProfileProductView): string => x.product_id ?? x.sku ?? x.name ?? '';

type KeptView = ProfileState['views'][number];

/**
 * A view stored before views kept their sku: a product with only a sku was kept with no
 * product_id, sku nor name (all such products as one entry). The fold makes none now (a view
 * without any of the three is not kept).
 */
const legacyView = (x: ProfileProductView): boolean => x.product_id === undefined && x.sku === undefined && x.name === undefined;

/**
 * The `n` latest views, one per product, newest first. Two views are of one product when they
 * have the same key (see viewKey), or the same sku and one a product_id, the other none (a source
 * that sends the sku with the product_id, another or an older event the sku only); two
 * product_ids with one sku stay two products. Each product keeps its latest view, with the
 * product_id and the sku of an older view of it when the latest has none; a view with a
 * product_id joins every kept view it matches (the product_id's, its sku's without product_id)
 * into the newest.
 * A legacy view (legacyView) is kept only while it is newer than every other view: it is then
 * still the customer's latest view (Customer Segments counts it in a window) though nothing tells
 * which product it was; once a newer view is kept it is dropped (it named no product Recommend
 * Products could read, and took the place of one).
 * A sku-only view is matched against the sku each product's kept view carries (its latest), and a
 * product out of the last `n` is forgotten: only then (a product_id seen with several skus, a sku
 * with several product_ids, a product out of the list) can the order in which views are recorded
 * change which kept view carries which product_id; otherwise the result depends on the views only.
 */
function keepViews(list: KeptView[], n: number): KeptView[] {
	const sorted = [...list].sort((a, b) => (a.ts !== b.ts ? b.ts - a.ts : a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
	let newestProduct = -Infinity;
	for (const x of sorted) if (!legacyView(x)) newestProduct = Math.max(newestProduct, x.ts);
	// kept views newest first (null: joined into a newer one); kept views by viewKey (one each:
	// views of one key are one product), and those with a product_id by their sku
	const out: Array<KeptView | null> = [];
	const byKey = new Map<string, number>();
	const withIdBySku = new Map<string, number>(); // how many kept views with a product_id carry the sku
	const add = (i: number): void => {
		const x = out[i]!;
		byKey.set(viewKey(x), i);
		if (x.product_id !== undefined && x.sku !== undefined) withIdBySku.set(x.sku, (withIdBySku.get(x.sku) ?? 0) + 1);
	};
	const remove = (i: number): void => {
		const x = out[i]!;
		if (byKey.get(viewKey(x)) === i) byKey.delete(viewKey(x));
		if (x.product_id !== undefined && x.sku !== undefined) withIdBySku.set(x.sku, withIdBySku.get(x.sku)! - 1);
		out[i] = null;
	};
	for (const x of sorted) {
		if (legacyView(x)) {
			// the newest view of all (sorted first, strictly newer than every product's): kept alone
			if (out.length === 0 && x.ts > newestProduct) out.push(x);
			continue;
		}
		if (x.product_id === undefined) {
			// a view without product_id: its key's kept view, or one with a product_id and its sku, is newer
			if (!byKey.has(viewKey(x)) && !(x.sku !== undefined && (withIdBySku.get(x.sku) ?? 0) > 0)) add(out.push(x) - 1);
			continue;
		}
		// a view with a product_id: its key's kept view, and the kept view of its sku without product_id
		const same = [byKey.get(x.product_id)];
		const bySku = x.sku === undefined ? undefined : byKey.get(x.sku);
		if (bySku !== undefined && out[bySku]!.product_id === undefined && out[bySku]!.sku === x.sku) same.push(bySku);
		const found = [...new Set(same.filter((i): i is number => i !== undefined))].sort((a, b) => a - b);
		if (found.length === 0) {
			add(out.push(x) - 1);
			continue;
		}
		// one product: the newest of its kept views stays, with the product_id, and a sku when it has none
		const { product_id: _id, sku: _sku, ...newest } = out[found[0]]!;
		const sku = [...found.map((i) => out[i]!.sku), x.sku].find((k) => k !== undefined);
		for (const i of found) remove(i);
		out[found[0]] = { product_id: x.product_id, ...(sku !== undefined ? { sku } : {}), ...newest };
		add(found[0]);
	}
	return out.filter((x): x is KeptView => x !== null).slice(0, n);
}

function topN<T extends { ts: number; id: string }>(list: T[], n: number, key: (x: T) => string): T[] {
	const sorted = [...list].sort((a, b) => (a.ts !== b.ts ? b.ts - a.ts : a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
	const seen = new Set<string>();
	const out: T[] = [];
	for (const x of sorted) {
		const k = key(x);
		if (seen.has(k)) continue;
		seen.add(k);
		out.push(x);
		if (out.length >= n) break;
	}
	return out;
}

function pruneEngagement(list: number[], lastSeen: number): number[] {
	const kept = list.filter((t) => t >= lastSeen - 90 * DAY).sort((a, b) => a - b);
	return kept.length > ENGAGEMENT_CAP ? kept.slice(kept.length - ENGAGEMENT_CAP) : kept;
}

function normaliseCart(s: ProfileState): void {
	const floor = Math.max(s.cartSnap?.at[0] ?? -Infinity, s.cartCleared ?? -Infinity);
	if (s.cartSnap && s.cartCleared !== null && s.cartSnap.at[0] <= s.cartCleared) s.cartSnap = null;
	s.cartLog = s.cartLog
		.filter((l) => l.at[0] > floor || (l.at[0] === floor && s.cartSnap !== null && newer(l.at, s.cartSnap.at)))
		.sort((a, b) => (newer(a.at, b.at) ? 1 : newer(b.at, a.at) ? -1 : 0));
	if (s.cartLog.length > CART_LOG_CAP) s.cartLog = s.cartLog.slice(s.cartLog.length - CART_LOG_CAP);
}

/** The cart is closed at `ts` (an order, a completed checkout): snapshots and line changes up to then no longer count. */
function closeCart(s: ProfileState, ts: number): void {
	s.cartCleared = s.cartCleared === null ? ts : Math.max(s.cartCleared, ts);
	normaliseCart(s);
}

/** Scope key of an unsubscribe that names nothing narrower. */
const GLOBAL_SCOPE = '*';

/**
 * The scopes an `Unsubscribed` / `Resubscribed` event speaks of, each with what it says of it
 * (true = unsubscribed). Keys: `*` global, `g:<SendGrid ASM group>`, `s:<Postmark message stream>`,
 * `l:<SES contact list>`, `t:["<SES contact list>","<topic>"]`.
 * - SES `Subscription` (properties from sources/ses.ts): the contact list's new "unsubscribe all"
 *   (true or false: SES sends the contact's new preferences), and every topic whose status changed,
 *   opted out or in. An event naming nothing else is about the whole list.
 *   https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html ("Subscription object")
 * - SendGrid: `group_unsubscribe` / `group_resubscribe` carry the group in `asm_group_id`; the plain
 *   `unsubscribe` ("Opt Out of All Emails") is global even when the message was sent in a group,
 *   and a `group_resubscribe` naming no group lifts nothing.
 *   https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event
 * - Postmark keeps one suppression list per message stream, and its SubscriptionChange carries the
 *   stream (`context.stream`). https://postmarkapp.com/developer/webhooks/subscription-change-webhook
 * - Anything else (Mailgun, Brevo, an event of your own): global.
 */
export function scopeChanges(e: CanonicalEvent, p: Record<string, unknown>, unsubscribe: boolean): Array<[string, boolean]> {
	const list = str(p.contact_list);
	if (list !== undefined) {
		const out: Array<[string, boolean]> = [];
		if (typeof p.unsubscribe_all === 'boolean') out.push([`l:${list}`, p.unsubscribe_all]);
		for (const [field, state] of [['topics_opted_out', true], ['topics_opted_in', false]] as const) {
			const topics = p[field];
			if (!Array.isArray(topics)) continue;
			for (const t of topics) {
				const topic = str(t);
				if (topic !== undefined) out.push([`t:${JSON.stringify([list, topic])}`, state]);
			}
		}
		// An Unsubscribed that names no unsubscribed scope is about the list (the safe reading).
		if (out.length === 0 || (unsubscribe && !out.some(([, u]) => u))) out.push([`l:${list}`, unsubscribe]);
		return out;
	}
	const context = e.context as Record<string, unknown> | undefined;
	const sendgrid = context?.source === 'sendgrid';
	if (sendgrid && context?.topic === 'unsubscribe') return [[GLOBAL_SCOPE, unsubscribe]];
	const group = str(typeof p.asm_group_id === 'number' && Number.isFinite(p.asm_group_id) ? String(p.asm_group_id) : p.asm_group_id);
	if (group !== undefined) return [[`g:${group}`, unsubscribe]];
	if (sendgrid && context?.topic === 'group_resubscribe') return [];
	const stream = str(context?.stream);
	if (stream !== undefined) return [[`s:${stream}`, unsubscribe]];
	return [[GLOBAL_SCOPE, unsubscribe]];
}

/** The state's scopes, created on first use; an older state's bare `unsubscribed` becomes the legacy flag. */
function subsOf(s: ProfileState): Record<string, ScopeSubscription> {
	if (!s.subs) {
		s.subs = {};
		if (s.unsubscribed) s.unsubLegacy = true;
	}
	return s.subs;
}

/** A scope is unsubscribed when its latest Unsubscribed is not older than its latest Resubscribed (a tie stays unsubscribed). */
const scopeUnsubscribed = (x: ScopeSubscription): boolean => x.u !== undefined && (x.r === undefined || x.r <= x.u);

function anyUnsubscribed(s: ProfileState): boolean {
	if (s.unsubLegacy) return true;
	for (const x of Object.values(s.subs ?? {})) if (scopeUnsubscribed(x)) return true;
	return false;
}

/**
 * Trait names are payload text: "constructor" or "toString" are traits like any other (read as own
 * keys only, not as Object.prototype's members), and "__proto__" is never one (assigned to a plain
 * object it would replace the object's prototype).
 */
function setTrait(s: ProfileState, key: string, value: unknown, at: Stamp): void {
	if (key === '__proto__') return;
	if (newer(at, Object.hasOwn(s.traitAt, key) ? s.traitAt[key] : undefined)) {
		s.traits[key] = value;
		s.traitAt[key] = at;
	}
}

/**
 * The sources that are email service providers: everything they send is feedback about a message
 * (nodes/engines/events/sources: sendgrid, mailgun, postmark, ses, brevo, resend).
 */
const ESP_SOURCES: ReadonlySet<string> = new Set(['sendgrid', 'mailgun', 'postmark', 'ses', 'brevo', 'resend']);
const FEEDBACK_EVENTS: ReadonlySet<string> = new Set<string>(ENGAGEMENT_EVENTS);

/**
 * An email feedback event: what a provider reports about a message it sent to an address (Email
 * Sent / Delivered / Opened / Link Clicked / Bounced / Dropped / Marked as Spam, Unsubscribed,
 * Resubscribed), or any event from an ESP source. Its address is the one the message went to,
 * which may be an address the customer has since replaced: it never moves the profile's `email`
 * away from an address the customer gave.
 */
export function isEmailFeedback(e: CanonicalEvent): boolean {
	if (FEEDBACK_EVENTS.has(e.event)) return true;
	const source = (e.context as Record<string, unknown> | undefined)?.source;
	return typeof source === 'string' && ESP_SOURCES.has(source.trim().toLowerCase());
}

/**
 * The profile's `email` is the latest address (by timestamp, messageId) of the customer's own
 * events; an address from email feedback only stands while no event of the customer gave one
 * (then the latest feedback address). A total order on (origin, stamp), so the result does not
 * depend on the order of events or merges.
 */
function offerEmail(s: ProfileState, email: string, at: Stamp | null, feedback: boolean): void {
	const currentFb = s.emailFb === true;
	if (s.email === null || (currentFb && !feedback) || (currentFb === feedback && newer(at, s.emailAt))) {
		s.email = email;
		s.emailAt = at;
		if (feedback) s.emailFb = true;
		else delete s.emailFb;
	}
}

/** The newest ANONYMOUS_IDS_CAP of `ids` by (timestamp, id) (an id without one is the oldest), sorted by id. */
function newestAnonymousIds(ids: string[], times: Map<string, number>): string[] {
	let list = ids;
	if (list.length > ANONYMOUS_IDS_CAP) {
		const t = (id: string) => times.get(id) ?? -Infinity;
		list = [...list].sort((a, b) => (t(a) !== t(b) ? (t(a) > t(b) ? -1 : 1) : a > b ? -1 : a < b ? 1 : 0)).slice(0, ANONYMOUS_IDS_CAP);
	}
	return [...list].sort();
}

/** Adds anonymous ids with their timestamps; keeps the newest ANONYMOUS_IDS_CAP by (timestamp, id), sorted by id. */
function addAnonymousIds(s: ProfileState, ids: Iterable<string>, at: Iterable<[string, number]>): void {
	const times = new Map(Object.entries(s.anonAt ?? {}));
	for (const [id, ts] of at) if (!(times.get(id)! >= ts)) times.set(id, ts);
	const list = newestAnonymousIds([...new Set([...s.anonymousIds, ...ids])], times);
	s.anonymousIds = list;
	s.anonAt = Object.fromEntries(list.filter((id) => times.has(id)).map((id) => [id, times.get(id)!]));
}

function addAnonymousId(s: ProfileState, id: string, ts: number): void {
	const known = s.anonAt !== undefined && Object.hasOwn(s.anonAt, id) ? s.anonAt[id] : undefined;
	if (known !== undefined && known >= ts) return;
	if (s.anonymousIds.includes(id)) {
		// a kept id seen again later (a visitor's every event): only its time moves, the list stays.
		// defineProperty: an id such as "__proto__" is an own key like any other.
		s.anonAt ??= {};
		Object.defineProperty(s.anonAt, id, { value: ts, enumerable: true, writable: true, configurable: true });
		return;
	}
	addAnonymousIds(s, [id], [[id, ts]]);
}

/** A state's bounce / complaint facts per address; a state stored before them had one flag for the customer (kept as "any address"). */
function addressFacts(s: ProfileState): { b: string[]; c: string[]; bAny: boolean; cAny: boolean } {
	return {
		b: s.bouncedEmails ?? [],
		c: s.complainedEmails ?? [],
		bAny: s.bouncedAny === true || (s.bouncedEmails === undefined && s.bounced),
		cAny: s.complainedAny === true || (s.complainedEmails === undefined && s.complained),
	};
}

/** Migrates a state stored before the per-address facts (on first write; reads use `addressFacts`). */
function migrateAddressFacts(s: ProfileState): void {
	const f = addressFacts(s);
	s.bouncedEmails = f.b;
	s.complainedEmails = f.c;
	if (f.bAny) s.bouncedAny = true;
	if (f.cAny) s.complainedAny = true;
}

/** The suppression flags this state holds for one address (lower case): its unsubscribe is the customer's, bounce and complaint the address's. */
export function addressFlags(s: ProfileState, email: string | null): { unsubscribed: boolean; bounced: boolean; complained: boolean } {
	const f = addressFacts(s);
	return {
		unsubscribed: s.unsubscribed,
		bounced: f.bAny || (email !== null && f.b.includes(email)),
		complained: f.cAny || (email !== null && f.c.includes(email)),
	};
}

/** Sets the derived `bounced` / `complained` (the store's columns) for the current email. */
function refreshAddressFlags(s: ProfileState): void {
	const f = addressFlags(s, s.email);
	s.bounced = f.bounced;
	s.complained = f.complained;
}

const addSorted = (list: string[], x: string): string[] => (list.includes(x) ? list : [...list, x].sort());

/**
 * Records what an `Email Bounced` (not soft) or `Email Marked as Spam` says about its address on
 * `s`; returns whether it is such an event. The batch planner also records it on the profile the
 * address identifies when the event folds into another one (an event with another customer's
 * userId), so Check Suppression of the address finds it there.
 */
export function recordAddressFacts(s: ProfileState, v: ValidEvent): boolean {
	const e = v.event;
	const p = (e.properties ?? {}) as Record<string, unknown>;
	// A soft bounce (mailbox full, greylisting, a block the ESP retries) says nothing lasting
	// about the address: only hard bounces, or bounces of no stated type, suppress it.
	const bounce = e.event === 'Email Bounced' && p.bounce_type !== 'soft';
	const complaint = e.event === 'Email Marked as Spam';
	if (!bounce && !complaint) return false;
	migrateAddressFacts(s);
	if (e.email) {
		if (bounce) s.bouncedEmails = addSorted(s.bouncedEmails!, e.email);
		else s.complainedEmails = addSorted(s.complainedEmails!, e.email);
	} else if (bounce) s.bouncedAny = true;
	else s.complainedAny = true;
	refreshAddressFlags(s);
	return true;
}

/**
 * Events that are not something the customer did, though recorded on their profile:
 * - what the sending side reports about a message: `Email Sent` (accepted / processed / request),
 *   `Email Delivered`, `Email Bounced` (hard and soft), `Email Dropped` (suppressed, blocked, invalid);
 * - changes of subscription status: `Unsubscribed`, `Resubscribed`, `Email Marked as Spam`. They
 *   may be the customer's click, but they say the opposite of interest (or nothing: Postmark's
 *   SubscriptionChange also reports a manual suppression or reactivation by the sender, SES a
 *   contact list changed through the API), and the profile's `unsubscribed` / `complained` carry them;
 * - what the shop or a payment system does after the customer's order or checkout: `Order Updated`
 *   (fulfilment, status changes), `Order Paid` (Shopify `orders/paid`: the payment captured, by the
 *   merchant days later with manual capture; Stripe `checkout.session.async_payment_succeeded`: a
 *   SEPA / ACH debit cleared by the bank days after the order; the order itself is the customer's
 *   `Order Completed`), `Order Cancelled`, `Order Refunded`, `Checkout Abandoned` (Stripe's checkout
 *   session expired: sent when the customer did nothing), `Customer Deleted`, `Product Updated`;
 * - `Customer Updated`: a change of the customer record, from whoever made it. Shopify
 *   `customers/update` fires for an admin's or an app's edit (tags, notes, a bulk edit of every
 *   customer) and after each order; Stripe sends it for `customer.updated` and every other
 *   `customer.*` topic (a subscription renewing each period, a card updater, a discount or tax id
 *   the shop set); WooCommerce for an admin's edit too. The event does not say who made the change.
 */
export const NOT_ACTIVITY_EVENTS: ReadonlySet<string> = new Set([
	'Email Sent',
	'Email Delivered',
	'Email Bounced',
	'Email Dropped',
	'Unsubscribed',
	'Resubscribed',
	'Email Marked as Spam',
	'Order Updated',
	'Order Paid',
	'Order Cancelled',
	'Order Refunded',
	'Checkout Abandoned',
	'Customer Updated',
	'Customer Deleted',
	'Product Updated',
]);

/**
 * Whether an event is the customer's activity, what `lastActiveAt` is the latest of: any event
 * except NOT_ACTIVITY_EVENTS, an `Email Opened` the provider flags as a machine open
 * (`properties.machine_open` true: SendGrid machine opens, Brevo proxy opens, e.g. Apple Mail
 * Privacy Protection loading images at delivery), an `Email Link Clicked` the provider flags as a
 * bot's click (`properties.machine_click` true: Mailgun's bot detection, e.g. a security gateway
 * following every link), and any other event of an ESP source (ESP_SOURCES)
 * than `Email Opened` / `Email Link Clicked` (a provider report passed through as `Unknown`, e.g. a
 * deferral). Store, web and custom events (views, carts, checkouts, orders, sign-ups, Identify,
 * Page Viewed, your own names) count.
 */
export function isCustomerActivity(e: CanonicalEvent): boolean {
	if (NOT_ACTIVITY_EVENTS.has(e.event)) return false;
	if (e.event === 'Email Opened') return (e.properties as Record<string, unknown> | undefined)?.machine_open !== true;
	if (e.event === 'Email Link Clicked') return (e.properties as Record<string, unknown> | undefined)?.machine_click !== true;
	const source = (e.context as Record<string, unknown> | undefined)?.source;
	return !(typeof source === 'string' && ESP_SOURCES.has(source.trim().toLowerCase()));
}

/**
 * A state's latest activity (ms, null: none). A state stored before `lastActive` existed does not
 * know which of its events were the customer's: its `lastSeen` stands for it (as `lastSeenAt` was
 * read before), never an earlier time, so an upgrade makes no customer look inactive who was not;
 * from its next write on, only the customer's events move it.
 */
export function lastActiveOf(s: ProfileState): number | null {
	return s.lastActive === undefined ? s.lastSeen : s.lastActive;
}

const maxActive = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/** Folds one valid event into the state (mutates and returns it). Identities are handled by the batch planner. */
export function applyEvent(s: ProfileState, v: ValidEvent, options: FoldOptions = {}): ProfileState {
	const e = v.event;
	const at: Stamp = [v.ts, e.messageId];
	const p = (e.properties ?? {}) as Record<string, unknown>;
	migrateAddressFacts(s);
	// before lastSeen moves: an older state's lastActive is its lastSeen (lastActiveOf)
	s.lastActive = lastActiveOf(s);
	if (isCustomerActivity(e)) s.lastActive = Math.max(s.lastActive ?? -Infinity, v.ts);
	s.firstSeen = Math.min(s.firstSeen, v.ts);
	s.lastSeen = Math.max(s.lastSeen, v.ts);
	if (e.userId && !s.userId) s.userId = e.userId;
	if (e.email) offerEmail(s, e.email, at, isEmailFeedback(e));
	if (e.anonymousId) addAnonymousId(s, e.anonymousId, v.ts);
	const traits = { ...((e.context?.traits as Record<string, unknown> | undefined) ?? {}), ...(e.traits ?? {}) };
	for (const [k, val] of Object.entries(traits)) {
		if (k === 'email' || val === undefined) continue;
		setTrait(s, k, val, at);
	}

	switch (e.event) {
		case 'Order Completed': {
			s.ordersCount += 1;
			s.firstOrder = s.firstOrder === null ? v.ts : Math.min(s.firstOrder, v.ts);
			s.lastOrder = s.lastOrder === null ? v.ts : Math.max(s.lastOrder, v.ts);
			const amount = num(p.total) ?? num(p.revenue) ?? num(p.value);
			const currency = (str(p.currency) ?? 'USD').toUpperCase();
			if (amount !== undefined) {
				s.totalSpentMinor = { ...s.totalSpentMinor, [currency]: (s.totalSpentMinor[currency] ?? 0) + toMinor(amount, currency) };
			}
			closeCart(s, v.ts);
			break;
		}
		case 'Product Added':
		case 'Product Removed': {
			const l = line(p);
			if (lineKey(l) === '') break;
			s.cartLog.push({
				at,
				op: e.event === 'Product Added' ? 'add' : 'remove',
				line: l,
				...(idStr(p.cart_id) ? { cart_id: idStr(p.cart_id) } : {}),
				...(str(p.currency) ? { currency: str(p.currency)!.toUpperCase() } : {}),
				...(str(p.recovery_url) ? { recovery_url: str(p.recovery_url) } : {}),
			});
			normaliseCart(s);
			break;
		}
		case 'Product Viewed': {
			const l = line(p);
			if (lineKey(l) === '') break;
			const view: ProfileProductView & { id: string; ts: number } = {
				...(l.product_id ? { product_id: l.product_id } : {}),
				...(l.sku ? { sku: l.sku } : {}),
				...(l.name ? { name: l.name } : {}),
				...(l.price !== undefined ? { price: l.price } : {}),
				...(l.url ? { url: l.url } : {}),
				...(l.image_url ? { image_url: l.image_url } : {}),
				...(l.category ? { category: l.category } : {}),
				at: new Date(v.ts).toISOString(),
				id: e.messageId,
				ts: v.ts,
			};
			s.views = keepViews([...s.views, view], options.recentViews ?? 10);
			break;
		}
		case 'Products Searched': {
			const q = str(p.query);
			if (q) s.searches = topN([...s.searches, { q, ts: v.ts, id: e.messageId }], options.recentSearches ?? 10, (x) => x.q.toLowerCase());
			break;
		}
		case 'Email Delivered':
			s.eng = { ...s.eng, d: [...s.eng.d, v.ts] };
			break;
		case 'Email Opened':
			// an open the provider flags as a machine's (Apple Mail Privacy Protection, a proxy) is no engagement, as for lastActiveAt
			if (p.machine_open === true) break;
			s.eng = { ...s.eng, o: [...s.eng.o, v.ts] };
			s.lastOpen = Math.max(s.lastOpen ?? -Infinity, v.ts);
			break;
		case 'Email Link Clicked':
			// nor a click it flags as a bot's (a link scanner)
			if (p.machine_click === true) break;
			s.eng = { ...s.eng, c: [...s.eng.c, v.ts] };
			s.lastClick = Math.max(s.lastClick ?? -Infinity, v.ts);
			break;
		case 'Unsubscribed':
		case 'Resubscribed': {
			const subs = subsOf(s);
			for (const [key, unsubscribe] of scopeChanges(e, p, e.event === 'Unsubscribed')) {
				const x = subs[key] ?? (subs[key] = {});
				if (unsubscribe) x.u = Math.max(x.u ?? -Infinity, v.ts);
				else x.r = Math.max(x.r ?? -Infinity, v.ts);
			}
			s.unsubscribed = anyUnsubscribed(s);
			break;
		}
		case 'Email Bounced':
		case 'Email Marked as Spam':
			recordAddressFacts(s, v);
			break;
		default:
			if (CART_SNAPSHOT_EVENTS.has(e.event) && str(p.completed_at) !== undefined) {
				// A completed checkout (Shopify checkouts/update with completed_at) closes the cart as an order does.
				closeCart(s, v.ts);
			} else if (CART_SNAPSHOT_EVENTS.has(e.event) && Array.isArray(p.products)) {
				const snap: CartSnapshot = {
					at,
					products: (p.products as Array<Record<string, unknown>>).filter((x) => typeof x === 'object' && x !== null).map(line),
					...(idStr(p.cart_id) ? { cart_id: idStr(p.cart_id) } : {}),
					...(idStr(p.checkout_id) ? { checkout_id: idStr(p.checkout_id) } : {}),
					...(str(p.currency) ? { currency: str(p.currency)!.toUpperCase() } : {}),
					...(str(p.recovery_url) ? { recovery_url: str(p.recovery_url) } : {}),
				};
				const value = num(p.value) ?? num(p.total) ?? num(p.subtotal) ?? num(p.revenue);
				if (value !== undefined) snap.value = value;
				if ((s.cartCleared === null || v.ts > s.cartCleared) && newer(at, s.cartSnap?.at)) s.cartSnap = snap;
				normaliseCart(s);
			}
	}
	for (const k of ['d', 'o', 'c'] as const) s.eng[k] = pruneEngagement(s.eng[k], s.lastSeen);
	// the current email may have changed: its flags with it
	refreshAddressFlags(s);
	return s;
}

/** Merges `from` into `into` (returns `into`, mutated). Same rules as the fold, so merge order does not matter. */
export function mergeStates(into: ProfileState, from: ProfileState, options: FoldOptions = {}): ProfileState {
	into.userId = into.userId ?? from.userId;
	if (from.email) offerEmail(into, from.email, from.emailAt, from.emailFb === true);
	addAnonymousIds(into, from.anonymousIds, Object.entries(from.anonAt ?? {}));
	into.lastActive = maxActive(lastActiveOf(into), lastActiveOf(from));
	into.firstSeen = Math.min(into.firstSeen, from.firstSeen);
	into.lastSeen = Math.max(into.lastSeen, from.lastSeen);
	into.ordersCount += from.ordersCount;
	const spent = { ...into.totalSpentMinor };
	for (const [c, v] of Object.entries(from.totalSpentMinor)) spent[c] = (spent[c] ?? 0) + v;
	into.totalSpentMinor = spent;
	const minN = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
	const maxN = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
	into.firstOrder = minN(into.firstOrder, from.firstOrder);
	into.lastOrder = maxN(into.lastOrder, from.lastOrder);
	into.cartCleared = maxN(into.cartCleared, from.cartCleared);
	if (from.cartSnap && newer(from.cartSnap.at, into.cartSnap?.at)) into.cartSnap = from.cartSnap;
	into.cartLog = [...into.cartLog, ...from.cartLog];
	normaliseCart(into);
	into.views = keepViews([...into.views, ...from.views], options.recentViews ?? 10);
	into.searches = topN([...into.searches, ...from.searches], options.recentSearches ?? 10, (x) => x.q.toLowerCase());
	into.eng = {
		d: pruneEngagement([...into.eng.d, ...from.eng.d], into.lastSeen),
		o: pruneEngagement([...into.eng.o, ...from.eng.o], into.lastSeen),
		c: pruneEngagement([...into.eng.c, ...from.eng.c], into.lastSeen),
	};
	into.lastOpen = maxN(into.lastOpen, from.lastOpen);
	into.lastClick = maxN(into.lastClick, from.lastClick);
	if (into.subs || from.subs) {
		// Per scope, the latest of each side; a side without scopes but unsubscribed is a legacy flag.
		const subs = subsOf(into);
		if (from.subs) {
			for (const [key, x] of Object.entries(from.subs)) {
				const y = subs[key] ?? (subs[key] = {});
				if (x.u !== undefined) y.u = Math.max(y.u ?? -Infinity, x.u);
				if (x.r !== undefined) y.r = Math.max(y.r ?? -Infinity, x.r);
			}
		} else if (from.unsubscribed) into.unsubLegacy = true;
		if (from.unsubLegacy) into.unsubLegacy = true;
		into.unsubscribed = anyUnsubscribed(into);
	} else into.unsubscribed ||= from.unsubscribed;
	// Bounces and complaints stay with their addresses: the union of both sides.
	migrateAddressFacts(into);
	const f = addressFacts(from);
	for (const x of f.b) into.bouncedEmails = addSorted(into.bouncedEmails!, x);
	for (const x of f.c) into.complainedEmails = addSorted(into.complainedEmails!, x);
	if (f.bAny) into.bouncedAny = true;
	if (f.cAny) into.complainedAny = true;
	refreshAddressFlags(into);
	for (const [k, at] of Object.entries(from.traitAt)) setTrait(into, k, from.traits[k], at);
	return into;
}

function currentCart(s: ProfileState): ProfileOpenCart | null {
	const lines = new Map<string, ProfileCartLine>();
	let meta: Partial<ProfileOpenCart> = {};
	let latest: number | null = null;
	if (s.cartSnap) {
		for (const l of s.cartSnap.products) lines.set(lineKey(l), { ...l });
		const { at, products: _products, ...rest } = s.cartSnap;
		meta = rest;
		latest = at[0];
	}
	for (const entry of s.cartLog) {
		const key = lineKey(entry.line);
		if (entry.op === 'add') {
			const existing = lines.get(key);
			const qty = (existing?.quantity ?? 0) + (entry.line.quantity ?? 1);
			lines.set(key, { ...existing, ...entry.line, quantity: qty });
		} else {
			const existing = lines.get(key);
			if (existing) {
				const qty = (existing.quantity ?? 1) - (entry.line.quantity ?? existing.quantity ?? 1);
				if (qty > 0) lines.set(key, { ...existing, quantity: qty });
				else lines.delete(key);
			}
		}
		if (entry.cart_id) meta.cart_id = entry.cart_id;
		if (entry.currency) meta.currency = entry.currency;
		if (entry.recovery_url) meta.recovery_url = entry.recovery_url;
		// An incremental change makes the snapshot's value stale: recomputed below.
		delete meta.value;
		latest = Math.max(latest ?? -Infinity, entry.at[0]);
	}
	if (latest === null || lines.size === 0) return null;
	const products = [...lines.values()];
	let value = meta.value;
	if (value === undefined) {
		const sum = products.reduce((t, l) => t + (l.price ?? 0) * (l.quantity ?? 1), 0);
		// Rounded to the currency's minor unit (3 digits for KWD, none for JPY), not always to cents.
		const currency = meta.currency ?? 'USD';
		value = toMinor(sum, currency) / 10 ** minorExponent(currency);
	}
	return { ...meta, value, products, updatedAt: new Date(latest).toISOString() };
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** The public form of the scopes (see `scopeChanges` for the keys), sorted by key; the legacy flag first. */
export function subscriptionList(s: ProfileState): ProfileSubscription[] {
	const out: ProfileSubscription[] = [];
	if (s.unsubLegacy || (!s.subs && s.unsubscribed)) {
		out.push({ scope: 'legacy', unsubscribed: true, unsubscribedAt: null, resubscribedAt: null });
	}
	for (const key of Object.keys(s.subs ?? {}).sort()) {
		const x = s.subs![key];
		const rest = key.slice(2);
		let where: Pick<ProfileSubscription, 'scope' | 'group' | 'stream' | 'contactList' | 'topic'>;
		if (key === GLOBAL_SCOPE) where = { scope: 'global' };
		else if (key[0] === 'g') where = { scope: 'sendgrid_group', group: rest };
		else if (key[0] === 's') where = { scope: 'postmark_stream', stream: rest };
		else if (key[0] === 'l') where = { scope: 'ses_contact_list', contactList: rest };
		else {
			const [contactList, topic] = JSON.parse(rest) as [string, string];
			where = { scope: 'ses_topic', contactList, topic };
		}
		out.push({ ...where, unsubscribed: scopeUnsubscribed(x), unsubscribedAt: iso(x.u ?? null), resubscribedAt: iso(x.r ?? null) });
	}
	return out;
}

/** The key (see `scopeChanges`) of a public scope, the order `subscriptions` is sorted by; `legacy` is '' (first). */
export function subscriptionKey(x: ProfileSubscription): string {
	switch (x.scope) {
		case 'global':
			return GLOBAL_SCOPE;
		case 'sendgrid_group':
			return `g:${x.group ?? ''}`;
		case 'postmark_stream':
			return `s:${x.stream ?? ''}`;
		case 'ses_contact_list':
			return `l:${x.contactList ?? ''}`;
		case 'ses_topic':
			return `t:${JSON.stringify([x.contactList ?? '', x.topic ?? ''])}`;
		default:
			return '';
	}
}

/** The public profile, with engagement windows counted back from `now`. */
export function toProfile(s: ProfileState, now: Date = new Date()): CustomerProfile {
	const n = now.getTime();
	const within = (list: number[], days: number) => list.filter((t) => t > n - days * DAY && t <= n).length;
	// The current email's bounce and complaint, as this state knows them (the store adds what other
	// profiles hold for the address).
	const flags = addressFlags(s, s.email);
	return {
		profileId: s.profileId,
		userId: s.userId,
		email: s.email,
		// a state stored before the cap may hold more: the newest, as its next write keeps them
		anonymousIds: newestAnonymousIds(s.anonymousIds, new Map(Object.entries(s.anonAt ?? {}))),
		firstSeenAt: new Date(s.firstSeen).toISOString(),
		lastSeenAt: new Date(s.lastSeen).toISOString(),
		lastActiveAt: iso(lastActiveOf(s)),
		ordersCount: s.ordersCount,
		totalSpentMinor: { ...s.totalSpentMinor },
		lastOrderAt: iso(s.lastOrder),
		firstOrderAt: iso(s.firstOrder),
		openCart: currentCart(s),
		recentViews: s.views.map(({ id: _id, ts: _ts, ...view }) => view),
		recentSearches: s.searches.map((x) => x.q),
		engagement: {
			delivered_30d: within(s.eng.d, 30),
			opened_30d: within(s.eng.o, 30),
			clicked_30d: within(s.eng.c, 30),
			delivered_90d: within(s.eng.d, 90),
			opened_90d: within(s.eng.o, 90),
			clicked_90d: within(s.eng.c, 90),
			last_open_at: iso(s.lastOpen),
			last_click_at: iso(s.lastClick),
		},
		unsubscribed: s.unsubscribed,
		...(s.subs || s.unsubscribed ? { subscriptions: subscriptionList(s) } : {}),
		bounced: flags.bounced,
		complained: flags.complained,
		traits: { ...s.traits },
	};
}
