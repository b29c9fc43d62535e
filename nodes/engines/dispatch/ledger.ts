/**
 * Duplicate memory: idempotency keys already handed to a provider within a time window.
 *
 * Stored in a plain JSON object so the node can keep it in n8n's workflow static data (which
 * n8n persists after each production execution). Keys are stored as a 96-bit SHA-256 prefix
 * (no recipient address ends up in static data), with the epoch second they were sent.
 * Bounded: entries older than the window are dropped, and beyond `maxEntries` the oldest go
 * first (object insertion order = send order). `maxEntries` 0 means no limit (only the window
 * bounds the memory), as 0 does for the node's other limits. The bound never drops the keys of a
 * node's latest run that remembered keys (those sent from its first remembered key on, `s` in its
 * policy), only older ones: a run larger than the bound keeps all its keys (so the re-run the node
 * recommends after a stop, a crash or failures finds them all), until the window drops them or a
 * later run of the node remembers keys of its own. A run is one execution of the workflow when
 * the caller names it (`run`: the node's runs in a loop count as one), else one ledger instance.
 * `keysThisRun` says how many there were, for the node's warning.
 *
 * Several nodes may share one memory (one per workflow). Each node records its window and bound
 * (`n`) and keeps its keys in a map of its own (`kn`), pruned by its own window and bound only, so
 * a busy node never pushes out another node's keys. `has` looks in every map (a key another node
 * sent is a duplicate while that node remembers it) and answers by the calling node's window.
 * Keys in `k` are legacy: written by an earlier version (which reads only `k`), or by a caller
 * without an owner. Nobody knows which window they were sent under, so a node never prunes them
 * by its own window: they are kept for LEGACY_SECONDS or the longest window recorded in `n`,
 * whichever is longer, and, when every node has a bound, within what the node maps leave of the
 * sum of the bounds (oldest first). A node map whose policy an earlier version dropped joins
 * them. A caller without an owner keeps `k` as its own map instead.
 *
 * Forgotten keys (Forget Sent Keys) are remembered too, for FORGOTTEN_SECONDS, with the second
 * they were forgotten: a provider that keeps idempotency keys itself (Resend 24 h, Brevo 30 min)
 * would otherwise answer the resend of a forgotten key with its first answer and send nothing, so
 * the engine gives the provider a key of its own for such a message (see forgottenAt).
 */
import { createHash } from 'node:crypto';
import { isRecord } from './util';

/** A node's Duplicate Window `w` (seconds), Max Remembered Keys `m` (0 = no limit), last run `at` (epoch seconds). */
export interface LedgerPolicy {
	w: number;
	m: number;
	at: number;
	/**
	 * The second the node's latest run that remembered keys remembered its first (epoch seconds):
	 * its keys, sent from then on, are not dropped by the bound `m`. Absent (earlier versions, a
	 * node that has remembered nothing yet): the bound may drop any key.
	 */
	s?: number;
	/** The run (n8n execution id) `s` belongs to: the node's runs in one execution (a loop) count as one. */
	r?: string;
	/** How many keys that run remembered (for the node's warning). */
	c?: number;
}

export interface LedgerState {
	v: 1;
	/** Legacy keys: hashed key → epoch seconds when it was sent (earlier versions, callers without an owner). */
	k: Record<string, number>;
	/** Per node (node id → hashed key → epoch seconds when it was sent): the keys each node sent. */
	kn?: Record<string, Record<string, number>>;
	/** hashed key → epoch seconds when it was forgotten (Forget Sent Keys), for FORGOTTEN_SECONDS */
	f?: Record<string, number>;
	/**
	 * Per ESP Dispatch node sharing this memory (node id → its policy), kept while the node ran
	 * within its window `w`, or while its map in `kn` still holds keys (pruned by this policy).
	 */
	n?: Record<string, LedgerPolicy>;
}

/** How long a forgotten key is known as forgotten: the longest a provider keeps keys (Resend, 24 hours). */
export const FORGOTTEN_SECONDS = 86400;

/**
 * The shortest time a legacy key (in `k`, sender's window unknown) is kept: 30 days, the longest
 * Duplicate Window of the bundled templates. Longer when a node records a longer window.
 */
export const LEGACY_SECONDS = 30 * 86400;

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

const isPolicy = (p: unknown): p is LedgerPolicy =>
	isRecord(p) && typeof p.w === 'number' && typeof p.m === 'number' && typeof p.at === 'number';

/**
 * Keeps the entries sent after `cutoff` (epoch seconds), then the newest `bound` of them (by the
 * second they were sent; of equal seconds the later stored), deleting the others in place;
 * returns how many are kept. Entries sent at or after `keepFrom` (a run's own keys) count toward
 * the bound but are never deleted by it: the bound deletes only older ones, so more than `bound`
 * may be kept. Entries are normally stored in send order (add() re-inserts), but
 * not always: keys merged from an orphaned node map are appended after newer ones, and a store
 * that does not keep JSON key order hands the maps back in another order.
 */
function pruneMap(map: Record<string, number>, cutoff: number, bound: number, keepFrom = Infinity): number {
	let total = 0;
	let live = 0;
	let kept = 0;
	let inOrder = true;
	let last = -Infinity;
	for (const h in map) {
		total++;
		const at = map[h];
		if (!(at > cutoff)) continue;
		live++;
		if (at >= keepFrom) kept++;
		if (at < last) inOrder = false;
		else last = at;
	}
	if (live === total && total <= bound) return total;
	// Only entries sent before `keepFrom` may go; being the oldest, they are the first in send order
	// and the first of the sorted times below.
	let surplus = Math.min(live > bound ? live - bound : 0, live - kept);
	const remaining = live - surplus;
	// Out of send order: the surplus is every live entry sent before `older`, then the first
	// stored `ties` of those sent at `older`.
	let older = Infinity;
	let ties = 0;
	if (surplus > 0 && !inOrder) {
		const times: number[] = [];
		for (const h in map) if (map[h] > cutoff) times.push(map[h]);
		times.sort((a, b) => a - b);
		older = times[surplus - 1];
		ties = surplus - times.indexOf(older);
	}
	for (const h in map) {
		const at = map[h];
		if (!(at > cutoff)) delete map[h];
		else if (surplus > 0 && (inOrder || at < older || (at === older && ties-- > 0))) {
			surplus--;
			delete map[h];
		}
	}
	return remaining;
}

export class StaticDataLedger implements Ledger {
	readonly state: LedgerState;
	/** The keys this instance (one run of the node) remembered, hashed. */
	private readonly added = new Set<string>();
	/** The second this instance remembered its first key (without an owner: kept in the instance only). */
	private firstAdded: number | undefined;
	/** Keys the node's earlier runs in the same execution remembered (LedgerPolicy.c). */
	private earlier = 0;

	constructor(
		container: Record<string, unknown>,
		private readonly windowSeconds: number,
		private readonly maxEntries: number,
		field = 'pzDispatchLedger',
		nowMs = Date.now(),
		/**
		 * The node using it (its id): recorded in `n` with its window and bound, its keys go to its
		 * map in `kn`. None: `k` is the caller's map, pruned by its window and bound, nothing recorded.
		 */
		private readonly owner?: string,
		/** The run this instance belongs to (n8n's execution id), see LedgerPolicy.r. */
		private readonly run?: string,
	) {
		let state = container[field] as LedgerState | undefined;
		if (!state || state.v !== 1 || !isRecord(state.k)) {
			state = { v: 1, k: {} };
			container[field] = state;
		}
		this.state = state;
		if (state.kn !== undefined) {
			if (!isRecord(state.kn)) delete state.kn;
			else for (const [id, map] of Object.entries(state.kn)) if (!isRecord(map)) delete state.kn[id];
		}
		if (state.n !== undefined && !isRecord(state.n)) delete state.n;
		if (owner !== undefined) {
			const nodes = (state.n ??= {});
			// The latest run's `s` (and `r`) stay until this run remembers a key.
			const prev = isRecord(nodes[owner]) ? nodes[owner] : undefined;
			const policy: LedgerPolicy = { w: windowSeconds, m: maxEntries, at: Math.floor(nowMs / 1000) };
			if (typeof prev?.s === 'number') policy.s = prev.s;
			if (typeof prev?.s === 'number' && typeof prev.r === 'string') policy.r = prev.r;
			if (typeof prev?.s === 'number' && typeof prev.c === 'number') policy.c = prev.c;
			nodes[owner] = policy;
		}
		if (state.n) for (const [id, p] of Object.entries(state.n)) if (!isPolicy(p)) delete state.n[id];
		this.prune(nowMs);
	}

	/** The maps to look in: the legacy `k` and every node's. */
	private maps(): Record<string, number>[] {
		return this.state.kn ? [this.state.k, ...Object.values(this.state.kn)] : [this.state.k];
	}

	/** The latest second the hashed key was sent, over every map. */
	private latest(h: string): number | undefined {
		let latest: number | undefined;
		for (const map of this.maps()) {
			const at = Object.hasOwn(map, h) ? map[h] : undefined;
			if (at !== undefined && (latest === undefined || at > latest)) latest = at;
		}
		return latest;
	}

	has(key: string, nowMs: number): boolean {
		const at = this.latest(hashKey(key));
		return at !== undefined && nowMs / 1000 - at < this.windowSeconds;
	}

	add(key: string, nowMs: number): void {
		const h = hashKey(key);
		let map = this.state.k;
		if (this.owner !== undefined) {
			const byNode = (this.state.kn ??= {});
			map = Object.hasOwn(byNode, this.owner) ? byNode[this.owner] : (byNode[this.owner] = {});
		}
		const at = Math.floor(nowMs / 1000);
		delete map[h];
		map[h] = at;
		const first = this.firstAdded === undefined;
		this.added.add(h);
		if (first || at < this.firstAdded!) this.firstAdded = at;
		// This run is now the node's latest that remembered keys: the bound keeps them all (and those
		// of the node's earlier runs in the same execution).
		const policy = this.policy();
		if (!policy) return;
		if (first) {
			const sameRun = this.run !== undefined && policy.r === this.run && typeof policy.s === 'number';
			this.earlier = sameRun && typeof policy.c === 'number' ? policy.c : 0;
			if (!sameRun) {
				policy.s = at;
				if (this.run !== undefined) policy.r = this.run;
				else delete policy.r;
			}
		}
		if (typeof policy.s !== 'number' || at < policy.s) policy.s = at;
		policy.c = this.earlier + this.added.size;
	}

	private policy(): LedgerPolicy | undefined {
		const nodes = this.state.n;
		return this.owner !== undefined && nodes && Object.hasOwn(nodes, this.owner) ? nodes[this.owner] : undefined;
	}

	/**
	 * How many keys this run remembered (with the node's earlier runs in the same execution), all
	 * kept whatever the bound; 0 when this instance remembered none.
	 */
	get keysThisRun(): number {
		return this.added.size === 0 ? 0 : this.earlier + this.added.size;
	}

	/** The bound this instance was given (Max Remembered Keys; 0 = no limit). */
	get bound(): number {
		return this.maxEntries;
	}

	sentAt(key: string): number | undefined {
		const at = this.latest(hashKey(key));
		return at === undefined ? undefined : at * 1000;
	}

	/** Removes the key from every map (whichever node sent it) and remembers it as forgotten. */
	delete(key: string, nowMs = Date.now()): boolean {
		const h = hashKey(key);
		// Also when it is not remembered here (expired, or sent by a manual run, whose static data n8n
		// does not save): the provider may still hold the key.
		const forgotten = (this.state.f ??= {});
		delete forgotten[h];
		forgotten[h] = Math.floor(nowMs / 1000);
		let found = false;
		for (const map of this.maps()) {
			if (!Object.hasOwn(map, h)) continue;
			delete map[h];
			found = true;
		}
		return found;
	}

	forgottenAt(key: string, nowMs: number): number | undefined {
		const at = this.state.f?.[hashKey(key)];
		return at !== undefined && nowMs / 1000 - at < FORGOTTEN_SECONDS ? at : undefined;
	}

	/** Keys remembered as sent, over every map. */
	size(): number {
		return this.maps().reduce((sum, map) => sum + Object.keys(map).length, 0);
	}

	/**
	 * Drops expired entries, then the oldest beyond the bound: each node's map by that node's
	 * recorded policy (a node whose policy expired keeps it until its map is empty), the legacy `k`
	 * by the rule above, forgotten keys after FORGOTTEN_SECONDS and beyond the widest bound.
	 */
	prune(nowMs: number): void {
		const now = nowMs / 1000;
		const state = this.state;
		const nodes = state.n ?? {};
		const limit = (m: number) => (m > 0 ? m : Infinity);

		// Each node's keys by that node's own window and bound; a map without a policy (its node's
		// entry dropped by an earlier version) becomes legacy.
		let nodeKeys = 0;
		if (state.kn) {
			for (const [id, map] of Object.entries(state.kn)) {
				const p = Object.hasOwn(nodes, id) ? nodes[id] : undefined;
				if (!p) {
					if (this.owner === undefined) continue;
					for (const [h, at] of Object.entries(map)) {
						if (Object.hasOwn(state.k, h) && state.k[h] >= at) continue;
						delete state.k[h];
						state.k[h] = at;
					}
					delete state.kn[id];
					continue;
				}
				const count = pruneMap(map, now - p.w, limit(p.m), typeof p.s === 'number' ? p.s : Infinity);
				if (count === 0) delete state.kn[id];
				nodeKeys += count;
			}
			if (Object.keys(state.kn).length === 0) delete state.kn;
		}
		// A node that has not run within its window no longer counts once its keys are gone.
		for (const [id, p] of Object.entries(nodes)) {
			if (now - p.at >= p.w && !(state.kn && Object.hasOwn(state.kn, id))) delete nodes[id];
		}
		const policies = Object.values(nodes);

		// Forgotten keys: FORGOTTEN_SECONDS, and the widest bound (0 = none) as before.
		const widest = this.owner === undefined ? limit(this.maxEntries) : policies.some((p) => p.m <= 0) ? Infinity : Math.max(0, ...policies.map((p) => p.m));
		if (state.f) {
			if (pruneMap(state.f, now - FORGOTTEN_SECONDS, widest) === 0) delete state.f;
		}

		if (this.owner === undefined) {
			pruneMap(state.k, now - this.windowSeconds, limit(this.maxEntries), this.firstAdded ?? Infinity);
			return;
		}
		// Legacy keys: kept for LEGACY_SECONDS or the longest recorded window, and within what the
		// node maps leave of the sum of the bounds (no bound when a node has none).
		const horizon = Math.max(LEGACY_SECONDS, ...policies.map((p) => p.w));
		const budget = policies.length === 0 || policies.some((p) => p.m <= 0) ? Infinity : Math.max(0, policies.reduce((sum, p) => sum + p.m, 0) - nodeKeys);
		pruneMap(state.k, now - horizon, budget);
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
