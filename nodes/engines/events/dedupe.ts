/**
 * De-duplication window: remembers the ids of recent events (a retried delivery carries the same
 * delivery id / event id) so the workflow runs once per event. Bounded by age and count, persisted
 * in the trigger's workflow static data, with a process-wide in-memory copy that also catches
 * duplicates arriving while the first delivery is still running.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';

export interface DedupeOptions {
	/** How long an id is remembered, in ms. */
	windowMs: number;
	/** At most this many ids are kept (oldest dropped first). */
	maxEntries: number;
	/** Characters per persisted chunk (default CHUNK_CHARS; smaller in tests to cross chunk ends). */
	chunkChars?: number;
}

/**
 * The persisted window is a list of strings of at most this many characters (whole entries), not
 * one string: V8 allocates a string above 128 KiB in its large-object space, and slicing and
 * appending to one that size cost ~1 ms per delivery (a full 5,000-id window is ~165,000
 * characters) against ~35 µs just below it. Chunks keep every string small.
 */
export const CHUNK_CHARS = 16_384;

export const DEFAULT_DEDUPE: DedupeOptions = { windowMs: 24 * 60 * 60 * 1000, maxEntries: 5000 };

const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }).hash;

/** A compact, collision-resistant key (keeps static data small; never integer-like). */
export function dedupeKey(sourceId: string, messageId: string): string {
	const text = `${sourceId}\u0000${messageId}`;
	// One-shot crypto.hash (Node >= 20.12) where available: same SHA-256, no Hash object per event.
	const digest = oneShotHash ? oneShotHash('sha256', text, 'base64url') : createHash('sha256').update(text).digest('base64url');
	return `k${digest.slice(0, 22)}`;
}

/**
 * The trigger's window, kept fast for large windows. n8n hands static data to a node as an
 * observable proxy, so copying or pruning a 5,000-key object through it on every delivery cost
 * milliseconds. Instead the process keeps each scope's ids in a Map (oldest first), and static
 * data holds the compact text `key=base36ms;key=base36ms;…` in the same order, cut into chunks
 * of at most CHUNK_CHARS characters (a JSON list of strings). It is kept up to date by slicing
 * expired entries off the first chunk (dropping chunks that empty) and appending new ones to the
 * last (both cheap on small V8 strings), and decoded only when it differs from what this process
 * last wrote (first use after a restart, or another process wrote it). Strings compare by
 * content, so a window n8n reloads from its database is still recognised as the one written.
 */
interface WindowCache {
	ids: Map<string, number>;
	lastPersisted?: string[];
	/** Encoded length (incl. the `;`) of each entry of `lastPersisted`, from `head` on, in Map order. */
	lengths: number[];
	head: number;
}

const WINDOWS = Symbol.for('n8n-nodes-personalization.dedupeWindows');

function windowFor(scope: string): WindowCache {
	const holder = globalThis as unknown as Record<symbol, Map<string, WindowCache> | undefined>;
	let all = holder[WINDOWS];
	if (!all) {
		all = new Map();
		holder[WINDOWS] = all;
	}
	let cache = all.get(scope);
	if (!cache) {
		if (all.size > 1000) all.delete(all.keys().next().value as string);
		cache = { ids: new Map(), lengths: [], head: 0 };
		all.set(scope, cache);
	}
	return cache;
}

/**
 * Decodes the persisted window: the list of chunks, the one string of earlier versions, or the
 * older `{ key: ms }` object.
 */
export function decodeDedupeIds(value: unknown): Array<[string, number]> {
	if (typeof value === 'string' || Array.isArray(value)) {
		const out: Array<[string, number]> = [];
		for (const chunk of typeof value === 'string' ? [value] : (value as unknown[])) {
			if (typeof chunk !== 'string') continue;
			for (const entry of chunk.split(';')) {
				const eq = entry.indexOf('=');
				if (eq <= 0) continue;
				const at = parseInt(entry.slice(eq + 1), 36);
				if (Number.isFinite(at)) out.push([entry.slice(0, eq), at]);
			}
		}
		return out;
	}
	if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
		return Object.entries(value as Record<string, unknown>)
			.filter((e): e is [string, number] => typeof e[1] === 'number')
			.sort((a, b) => a[1] - b[1]);
	}
	return [];
}

const encodeEntry = (key: string, at: number): string => `${key}=${at.toString(36)};`;

/** Adds an entry to the last chunk, or starts a chunk when the last would pass chunkChars (whole entries per chunk). */
function appendEntry(chunks: string[], entry: string, chunkChars: number): void {
	const last = chunks.length - 1;
	if (last >= 0 && chunks[last].length + entry.length <= chunkChars) chunks[last] += entry;
	else chunks.push(entry);
}

/** The same chunks, element by element (strings by content: a reloaded window is the same). */
function sameChunks(value: unknown, chunks: string[] | undefined): boolean {
	if (chunks === undefined || !Array.isArray(value) || value.length !== chunks.length) return false;
	for (let i = 0; i < chunks.length; i++) if (value[i] !== chunks[i]) return false;
	return true;
}

/**
 * Splits keys into fresh and duplicate against the persisted window (`persisted`: what static data
 * holds now) and this process's memory. Returns the new value to persist, or undefined when
 * nothing changed.
 */
export function dedupePersisted(
	keys: string[],
	persisted: unknown,
	scope: string,
	now: number,
	options: DedupeOptions = DEFAULT_DEDUPE,
): { seen: boolean[]; persist?: string[] } {
	const cache = windowFor(scope);
	const { ids } = cache;
	const chunkChars = options.chunkChars ?? CHUNK_CHARS;
	// Incremental encoding holds while the Map order matches the text: only front removals and appends.
	const same = sameChunks(persisted, cache.lastPersisted);
	let incremental = same;
	if (persisted !== undefined && !same) {
		for (const [key, at] of decodeDedupeIds(persisted)) {
			const known = ids.get(key);
			if (known === undefined || known < at) ids.set(key, at);
		}
	}
	let changed = false;
	let dropChars = 0;
	const dropFront = (key: string): void => {
		ids.delete(key);
		changed = true;
		if (!incremental) return;
		const length = cache.lengths[cache.head];
		// An id appended by this very call (a batch with more new ids than the window holds) is not
		// in the persisted string yet: encode afresh instead of cutting characters that are not there.
		if (length === undefined) incremental = false;
		else {
			dropChars += length;
			cache.head++;
		}
	};
	for (const [key, at] of ids) {
		if (ids.size <= options.maxEntries && now - at <= options.windowMs) break;
		dropFront(key);
	}
	const appended: string[] = [];
	const seen = keys.map((key) => {
		const at = ids.get(key);
		if (at !== undefined && now - at <= options.windowMs) return true;
		if (at !== undefined) {
			ids.delete(key); // expired but still held: moves to the end, out of string order
			incremental = false;
		}
		ids.set(key, now);
		appended.push(encodeEntry(key, now));
		changed = true;
		return false;
	});
	while (ids.size > options.maxEntries) dropFront(ids.keys().next().value as string);
	if (!changed && same) return { seen };
	if (incremental && cache.lastPersisted !== undefined) {
		// Whole entries only: a chunk holds whole entries, so dropChars ends on a chunk's entry end.
		let first = 0;
		const chunks = cache.lastPersisted.slice();
		while (dropChars > 0 && first < chunks.length && dropChars >= chunks[first].length) dropChars -= chunks[first++].length;
		if (dropChars > 0) chunks[first] = chunks[first].slice(dropChars);
		const kept = first > 0 ? chunks.slice(first) : chunks;
		for (const entry of appended) {
			appendEntry(kept, entry, chunkChars);
			cache.lengths.push(entry.length);
		}
		cache.lastPersisted = kept;
		if (cache.head > 4096 && cache.head * 2 > cache.lengths.length) {
			cache.lengths = cache.lengths.slice(cache.head);
			cache.head = 0;
		}
	} else {
		const chunks: string[] = [];
		const lengths: number[] = [];
		for (const [key, at] of ids) {
			const entry = encodeEntry(key, at);
			appendEntry(chunks, entry, chunkChars);
			lengths.push(entry.length);
		}
		cache.lastPersisted = chunks;
		cache.lengths = lengths;
		cache.head = 0;
	}
	return { seen, persist: cache.lastPersisted };
}

/** The fields of an event that de-duplication reads. */
export interface DedupeEvent {
	messageId: string;
	properties?: Record<string, unknown> | null;
}

/**
 * What an event tells, as window keys: the event itself (its messageId), and that it was a first
 * open (`first_open: true`) when it says so. Brevo sends a first open twice, as `unique_opened`
 * (with `first_open`) and as `opened`, both with one messageId (sources/brevo.ts), in either order.
 */
export function dedupeKeys(sourceId: string, event: DedupeEvent): string[] {
	const keys = [dedupeKey(sourceId, event.messageId)];
	if (event.properties?.first_open === true) keys.push(dedupeKey(`${sourceId}\u0000first_open`, event.messageId));
	return keys;
}

/**
 * The window key of a delivery's signed content: its topics and a hash of its raw body. For the
 * sources whose delivery id travels in a header the signature does not cover (Shopify's
 * `X-Shopify-Webhook-Id`, WooCommerce's `X-WC-Webhook-Delivery-ID`), a captured delivery sent
 * again under a made-up id would otherwise pass de-duplication and run the workflow again.
 * The topics are part of it: Shopify may send one order body byte for byte under `orders/create`
 * and `orders/paid`.
 */
export function deliveryContentKey(sourceId: string, topics: string, rawBody: Buffer): string {
	return dedupeKey(`${sourceId}\u0000delivery`, `${topics}\u0000${createHash('sha256').update(rawBody).digest('base64url')}`);
}

/**
 * The window key of an event as its source names it apart from its deliveries (Shopify: topic,
 * `X-Shopify-Event-Id` and resource, `shopifyEventKey` in sources/shopify.ts): a copy of the event
 * under another delivery id and with another body is still recognised.
 */
export function sourceEventKey(sourceId: string, identity: string): string {
	return dedupeKey(`${sourceId}\u0000event`, identity);
}

/**
 * A delivery's window keys: each event's (`dedupeKeys`, in order, `perEvent` counts them), then the
 * delivery's own keys (`deliveryKeys`: its signed content, `deliveryContentKey`; Shopify's event,
 * `sourceEventKey`). Both duplicate memories (this window and the shared PostgreSQL one,
 * sharedDedupe.ts) check these keys and pick the fresh events with `freshEvents`.
 */
export function deliveryDedupeKeys(sourceId: string, events: DedupeEvent[], deliveryKeys: readonly string[] = []): { keys: string[]; perEvent: number[] } {
	const perEvent = events.map((e) => dedupeKeys(sourceId, e));
	const keys = perEvent.flat();
	for (const key of deliveryKeys) keys.push(key);
	return { keys, perEvent: perEvent.map((k) => k.length) };
}

/**
 * The events that tell something new, given which of `deliveryDedupeKeys`'s keys were `seen` (in
 * the window, or earlier in the same delivery). When any of the delivery's own keys (the last
 * `deliveryKeyCount`) was seen, the whole delivery is a copy, whatever delivery id its (unsigned)
 * header names: all are dropped.
 */
export function freshEvents<E>(events: E[], perEvent: number[], seen: boolean[], deliveryKeyCount = 0): { fresh: E[]; duplicates: number } {
	for (let i = seen.length - deliveryKeyCount; i < seen.length; i++) if (seen[i]) return { fresh: [], duplicates: events.length };
	const fresh: E[] = [];
	let k = 0;
	events.forEach((e, i) => {
		let tellsNew = false;
		for (const end = k + perEvent[i]; k < end; k++) if (!seen[k]) tellsNew = true;
		if (tellsNew) fresh.push(e);
	});
	return { fresh, duplicates: events.length - fresh.length };
}

/**
 * Drops the events that tell nothing new: an event is a duplicate when everything it tells
 * (`dedupeKeys`) was seen in the window or earlier in the same delivery. So whichever copy of a
 * Brevo first open arrives first runs, `opened` after `unique_opened` is dropped, and
 * `unique_opened` after `opened` runs (same messageId, with `first_open: true`): in either order one
 * run carries `first_open`, and the profile, which records a messageId once, counts the open once.
 *
 * `deliveryKeys` name the delivery as a whole (its signed content, `deliveryContentKey`; Shopify's
 * event, `shopifyEventKey`): when any of them was seen, the whole delivery is a duplicate. All are
 * remembered either way, so a copy that matches on any one of them later is dropped too.
 */
export function dedupeEvents<E extends DedupeEvent>(
	sourceId: string,
	events: E[],
	persisted: unknown,
	scope: string,
	now: number,
	options: DedupeOptions = DEFAULT_DEDUPE,
	deliveryKeys: readonly string[] = [],
): { fresh: E[]; duplicates: number; persist?: string[] } {
	const { keys, perEvent } = deliveryDedupeKeys(sourceId, events, deliveryKeys);
	const { seen, persist } = dedupePersisted(keys, persisted, scope, now, options);
	return { ...freshEvents(events, perEvent, seen, deliveryKeys.length), persist };
}
