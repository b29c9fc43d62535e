/**
 * Duplicate memory: idempotency keys already handed to a provider within a time window.
 *
 * Stored in a plain JSON object so the node can keep it in n8n's workflow static data (which
 * n8n persists after each production execution). Keys are stored as a 96-bit SHA-256 prefix
 * (no recipient address ends up in static data), with the epoch second they were sent.
 * Bounded: entries older than the window are dropped, and beyond `maxEntries` the oldest go
 * first (object insertion order = send order). `maxEntries` 0 means no limit (only the window
 * bounds the memory), as 0 does for the node's other limits. Several nodes may share one memory
 * (one per workflow): each records its window and bound (`n`), and pruning keeps what the widest
 * of them needs, while `has` answers by the node's own window.
 *
 * Forgotten keys (Forget Sent Keys) are remembered too, for FORGOTTEN_SECONDS, with the second
 * they were forgotten: a provider that keeps idempotency keys itself (Resend 24 h, Brevo 30 min)
 * would otherwise answer the resend of a forgotten key with its first answer and send nothing, so
 * the engine gives the provider a key of its own for such a message (see forgottenAt).
 */
import { createHash } from 'node:crypto';

export interface LedgerState {
	v: 1;
	/** hashed key → epoch seconds when it was sent */
	k: Record<string, number>;
	/** hashed key → epoch seconds when it was forgotten (Forget Sent Keys), for FORGOTTEN_SECONDS */
	f?: Record<string, number>;
	/**
	 * Per ESP Dispatch node sharing this memory (node id → its Duplicate Window `w` in seconds, its
	 * Max Remembered Keys `m`, 0 = no limit, and when it last ran `at`, epoch seconds), kept while
	 * `at` is within `w`: the memory is pruned by the widest of them, so that a node with a shorter
	 * window or a smaller bound never drops the keys another node still needs.
	 */
	n?: Record<string, { w: number; m: number; at: number }>;
}

/** How long a forgotten key is known as forgotten: the longest a provider keeps keys (Resend, 24 hours). */
export const FORGOTTEN_SECONDS = 86400;

export interface Ledger {
	has(key: string, nowMs: number): boolean;
	add(key: string, nowMs: number): void;
	/** Forgets a sent key (so it can be sent again); remembers that it was forgotten, at nowMs. */
	delete(key: string, nowMs?: number): boolean;
	/** When the key was remembered as sent (ms since 1970, to the second), if it is remembered. */
	sentAt?(key: string): number | undefined;
	/** When the key was last forgotten (epoch seconds), if within FORGOTTEN_SECONDS of nowMs. */
	forgottenAt?(key: string, nowMs: number): number | undefined;
}

export function hashKey(key: string): string {
	return 'h' + createHash('sha256').update(key).digest('base64url').slice(0, 16);
}

export class StaticDataLedger implements Ledger {
	readonly state: LedgerState;
	/** What pruning keeps: the widest window and bound of the nodes sharing the memory (`n`). */
	private readonly keepSeconds: number;
	private readonly keepEntries: number;

	constructor(
		container: Record<string, unknown>,
		private readonly windowSeconds: number,
		maxEntries: number,
		field = 'pzDispatchLedger',
		nowMs = Date.now(),
		/** The node using it (its id), recorded in `n` with its window and bound; none: only its own policy prunes. */
		owner?: string,
	) {
		let state = container[field] as LedgerState | undefined;
		if (!state || state.v !== 1 || typeof state.k !== 'object' || state.k === null) {
			state = { v: 1, k: {} };
			container[field] = state;
		}
		this.state = state;
		if (owner !== undefined) {
			const now = Math.floor(nowMs / 1000);
			const nodes = (state.n = typeof state.n === 'object' && state.n !== null ? state.n : {});
			nodes[owner] = { w: windowSeconds, m: maxEntries, at: now };
			for (const [id, p] of Object.entries(nodes)) {
				if (!(p && typeof p.w === 'number' && typeof p.m === 'number' && typeof p.at === 'number') || now - p.at >= p.w) delete nodes[id];
			}
			const live = Object.values(nodes);
			this.keepSeconds = Math.max(...live.map((p) => p.w));
			this.keepEntries = live.some((p) => p.m <= 0) ? 0 : Math.max(...live.map((p) => p.m));
		} else {
			this.keepSeconds = windowSeconds;
			this.keepEntries = maxEntries;
		}
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

	delete(key: string, nowMs = Date.now()): boolean {
		const h = hashKey(key);
		// Also when it is not remembered here (expired, or sent by a manual run, whose static data n8n
		// does not save): the provider may still hold the key.
		const forgotten = (this.state.f ??= {});
		delete forgotten[h];
		forgotten[h] = Math.floor(nowMs / 1000);
		if (!(h in this.state.k)) return false;
		delete this.state.k[h];
		return true;
	}

	forgottenAt(key: string, nowMs: number): number | undefined {
		const at = this.state.f?.[hashKey(key)];
		return at !== undefined && nowMs / 1000 - at < FORGOTTEN_SECONDS ? at : undefined;
	}

	size(): number {
		return Object.keys(this.state.k).length;
	}

	/** Drops expired entries, then the oldest beyond maxEntries (sent and forgotten keys alike). */
	prune(nowMs: number): void {
		if (this.state.f) {
			const cut = nowMs / 1000 - FORGOTTEN_SECONDS;
			let forgotten = Object.entries(this.state.f).filter(([, at]) => at > cut);
			if (this.keepEntries > 0 && forgotten.length > this.keepEntries) forgotten = forgotten.slice(forgotten.length - this.keepEntries);
			if (forgotten.length === 0) delete this.state.f;
			else if (forgotten.length !== Object.keys(this.state.f).length) this.state.f = Object.fromEntries(forgotten);
		}
		const cutoff = nowMs / 1000 - this.keepSeconds;
		const entries = Object.entries(this.state.k);
		let keep = entries.filter(([, at]) => at > cutoff);
		if (this.keepEntries > 0 && keep.length > this.keepEntries) keep = keep.slice(keep.length - this.keepEntries);
		if (keep.length === entries.length) return;
		this.state.k = Object.fromEntries(keep);
	}
}

/** In-memory ledger (tests, benchmarks, dry runs). */
export class MemoryLedger implements Ledger {
	private readonly keys = new Map<string, number>();
	private readonly forgotten = new Map<string, number>();
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
	delete(key: string, nowMs = Date.now()): boolean {
		this.forgotten.set(key, Math.floor(nowMs / 1000));
		return this.keys.delete(key);
	}
	forgottenAt(key: string, nowMs: number): number | undefined {
		const at = this.forgotten.get(key);
		return at !== undefined && nowMs / 1000 - at < FORGOTTEN_SECONDS ? at : undefined;
	}
}
