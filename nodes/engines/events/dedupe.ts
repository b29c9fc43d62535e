/**
 * De-duplication window: remembers the ids of recent events (a retried delivery carries the same
 * delivery id / event id) so the workflow runs once per event. The state is a plain JSON object
 * (persisted in the trigger's workflow static data) bounded by age and count; a process-wide
 * in-memory copy catches duplicates that arrive while the first delivery is still running.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';

export interface DedupeOptions {
	/** How long an id is remembered, in ms. */
	windowMs: number;
	/** At most this many ids are kept (oldest dropped first). */
	maxEntries: number;
}

export const DEFAULT_DEDUPE: DedupeOptions = { windowMs: 24 * 60 * 60 * 1000, maxEntries: 5000 };

/** The persisted shape: id hash → first seen (ms), in insertion order. */
export interface DedupeState {
	ids?: Record<string, number>;
	[key: string]: unknown;
}

const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }).hash;

/** A compact, collision-resistant key (keeps static data small; never integer-like). */
export function dedupeKey(sourceId: string, messageId: string): string {
	const text = `${sourceId}\u0000${messageId}`;
	// One-shot crypto.hash (Node >= 20.12) where available: same SHA-256, no Hash object per event.
	const digest = oneShotHash ? oneShotHash('sha256', text, 'base64url') : createHash('sha256').update(text).digest('base64url');
	return `k${digest.slice(0, 22)}`;
}

function prune(ids: Record<string, number>, now: number, options: DedupeOptions): void {
	const keys = Object.keys(ids);
	let drop = Math.max(0, keys.length - options.maxEntries);
	for (const key of keys) {
		if (drop > 0) {
			delete ids[key];
			drop--;
		} else if (now - ids[key] > options.windowMs) delete ids[key];
		else break;
	}
}

const MEMORY = Symbol.for('n8n-nodes-personalization.dedupeMemory');

function memory(scope: string): Map<string, number> {
	const holder = globalThis as unknown as Record<symbol, Map<string, Map<string, number>> | undefined>;
	let all = holder[MEMORY];
	if (!all) {
		all = new Map();
		holder[MEMORY] = all;
	}
	let map = all.get(scope);
	if (!map) {
		if (all.size > 1000) all.delete(all.keys().next().value as string);
		map = new Map();
		all.set(scope, map);
	}
	return map;
}

/**
 * Splits keys into fresh and duplicate, recording the fresh ones in `state` (mutated) and in
 * memory under `scope` (e.g. workflow id + node id). A key repeated within one call counts once.
 */
export function dedupe(keys: string[], state: DedupeState, scope: string, now: number, options: DedupeOptions = DEFAULT_DEDUPE): boolean[] {
	const ids = (state.ids ??= {});
	prune(ids, now, options);
	const mem = memory(scope);
	const result = keys.map((key) => {
		const seen = ids[key] ?? mem.get(key);
		if (seen !== undefined && now - seen <= options.windowMs) return true;
		ids[key] = now;
		mem.set(key, now);
		return false;
	});
	while (mem.size > options.maxEntries) mem.delete(mem.keys().next().value as string);
	return result;
}
