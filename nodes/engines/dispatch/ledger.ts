/**
 * Duplicate memory: idempotency keys already handed to a provider within a time window.
 *
 * Stored in a plain JSON object so the node can keep it in n8n's workflow static data (which
 * n8n persists after each production execution). Keys are stored as a 96-bit SHA-256 prefix
 * (no recipient address ends up in static data), with the epoch second they were sent.
 * Bounded: entries older than the window are dropped, and beyond `maxEntries` the oldest go
 * first (object insertion order = send order). `maxEntries` 0 means no limit (only the window
 * bounds the memory), as 0 does for the node's other limits.
 */
import { createHash } from 'node:crypto';

export interface LedgerState {
	v: 1;
	/** hashed key → epoch seconds when it was sent */
	k: Record<string, number>;
}

export interface Ledger {
	has(key: string, nowMs: number): boolean;
	add(key: string, nowMs: number): void;
	delete(key: string): boolean;
	/** When the key was remembered as sent (ms since 1970, to the second), if it is remembered. */
	sentAt?(key: string): number | undefined;
}

export function hashKey(key: string): string {
	return 'h' + createHash('sha256').update(key).digest('base64url').slice(0, 16);
}

export class StaticDataLedger implements Ledger {
	readonly state: LedgerState;

	constructor(
		container: Record<string, unknown>,
		private readonly windowSeconds: number,
		private readonly maxEntries: number,
		field = 'pzDispatchLedger',
		nowMs = Date.now(),
	) {
		let state = container[field] as LedgerState | undefined;
		if (!state || state.v !== 1 || typeof state.k !== 'object' || state.k === null) {
			state = { v: 1, k: {} };
			container[field] = state;
		}
		this.state = state;
		this.prune(nowMs);
	}

	has(key: string, nowMs: number): boolean {
		const at = this.state.k[hashKey(key)];
		return at !== undefined && nowMs / 1000 - at < this.windowSeconds;
	}

	add(key: string, nowMs: number): void {
		const h = hashKey(key);
		delete this.state.k[h];
		this.state.k[h] = Math.floor(nowMs / 1000);
	}

	sentAt(key: string): number | undefined {
		const at = this.state.k[hashKey(key)];
		return at === undefined ? undefined : at * 1000;
	}

	delete(key: string): boolean {
		const h = hashKey(key);
		if (!(h in this.state.k)) return false;
		delete this.state.k[h];
		return true;
	}

	size(): number {
		return Object.keys(this.state.k).length;
	}

	/** Drops expired entries, then the oldest beyond maxEntries. */
	prune(nowMs: number): void {
		const cutoff = nowMs / 1000 - this.windowSeconds;
		const entries = Object.entries(this.state.k);
		let keep = entries.filter(([, at]) => at > cutoff);
		if (this.maxEntries > 0 && keep.length > this.maxEntries) keep = keep.slice(keep.length - this.maxEntries);
		if (keep.length === entries.length) return;
		this.state.k = Object.fromEntries(keep);
	}
}

/** In-memory ledger (tests, benchmarks, dry runs). */
export class MemoryLedger implements Ledger {
	private readonly keys = new Map<string, number>();
	constructor(private readonly windowSeconds = 86400) {}
	has(key: string, nowMs: number): boolean {
		const at = this.keys.get(key);
		return at !== undefined && nowMs / 1000 - at < this.windowSeconds;
	}
	add(key: string, nowMs: number): void {
		this.keys.set(key, nowMs / 1000);
	}
	sentAt(key: string): number | undefined {
		const at = this.keys.get(key);
		return at === undefined ? undefined : at * 1000;
	}
	delete(key: string): boolean {
		return this.keys.delete(key);
	}
}
