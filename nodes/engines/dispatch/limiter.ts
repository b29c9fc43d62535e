/**
 * Per-credential throughput control: requests per second, messages per second and concurrent
 * requests. One Limiter per credential, shared by every execution in this n8n process (a
 * module-level table), so two workflows sending through the same account share its limits.
 *
 * Rates are enforced by reservation: each request reserves its start time
 * (`max(now, next free slot)`) and moves the next free slot on by 1/rps and messages/mps.
 * A provider's 429 pauses the whole credential until its Retry-After has passed.
 */
export interface LimitSettings {
	messagesPerSecond?: number;
	requestsPerSecond?: number;
	concurrency?: number;
}

/**
 * Waits `ms`. `signal`, when given, ends the wait early once aborted (the dispatch engine aborts
 * it when its run stops); a sleep that ignores it is cut short by the engine all the same.
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
	new Promise((resolve) => {
		if (signal?.aborted) return resolve();
		const done = () => {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			resolve();
		};
		const timer = setTimeout(done, ms);
		signal?.addEventListener('abort', done, { once: true });
	});

export class Limiter {
	private nextRequestAt = 0;
	private nextMessageAt = 0;
	private pausedUntil = 0;
	private active = 0;
	private readonly waiting: Array<() => void> = [];
	settings: LimitSettings = {};

	configure(settings: LimitSettings): this {
		this.settings = { ...settings };
		return this;
	}

	/** Pause every request on this credential until `untilMs` (after a 429). */
	pause(untilMs: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, untilMs);
	}

	/** Runs `fn` inside a concurrency slot, after the rate limits allow `messages` more. */
	async run<T>(messages: number, fn: () => Promise<T>, sleep: Sleep = realSleep, now: () => number = Date.now): Promise<T> {
		await this.acquireSlot();
		try {
			await this.reserve(messages, sleep, now);
			return await fn();
		} finally {
			this.releaseSlot();
		}
	}

	private async reserve(messages: number, sleep: Sleep, now: () => number): Promise<void> {
		const rps = this.settings.requestsPerSecond ?? 0;
		const mps = this.settings.messagesPerSecond ?? 0;
		const t = now();
		const start = Math.max(t, this.pausedUntil, rps > 0 ? this.nextRequestAt : 0, mps > 0 ? this.nextMessageAt : 0);
		if (rps > 0) this.nextRequestAt = start + 1000 / rps;
		if (mps > 0) this.nextMessageAt = start + (messages * 1000) / mps;
		if (start > t) await sleep(start - t);
		// A 429 that arrived while we waited pauses us too.
		const paused = this.pausedUntil - now();
		if (paused > 0) await sleep(paused);
	}

	private acquireSlot(): Promise<void> {
		const limit = Math.max(1, Math.floor(this.settings.concurrency ?? 1));
		if (this.active < limit) {
			this.active++;
			return Promise.resolve();
		}
		return new Promise((resolve) => this.waiting.push(() => {
			this.active++;
			resolve();
		}));
	}

	private releaseSlot(): void {
		this.active--;
		const limit = Math.max(1, Math.floor(this.settings.concurrency ?? 1));
		while (this.active < limit && this.waiting.length) this.waiting.shift()!();
	}
}

const limiters = new Map<string, Limiter>();

/** The process-wide limiter of one credential (key: provider + credential id). */
export function limiterFor(key: string, settings: LimitSettings): Limiter {
	let limiter = limiters.get(key);
	if (!limiter) limiters.set(key, (limiter = new Limiter()));
	return limiter.configure(settings);
}
