/**
 * Mailgun signs only `timestamp + token`, not the event data, so a captured signature could be
 * reused within the replay window with forged `event-data`. Mailgun's guide recommends caching
 * tokens and refusing a reused one:
 * https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks
 *
 * We remember each token with a hash of the body it came with, for the replay window:
 * - the same token with the same body is a retried delivery (accepted; de-duplication drops it);
 * - the same token with a different body is a forgery (rejected).
 * Bounded in memory; per process (in queue mode each webhook process has its own memory).
 */
import { hash } from 'node:crypto';

export class TokenMemory {
	private readonly seen = new Map<string, { bodyHash: string; expiresAt: number }>();

	constructor(private readonly maxEntries = 100_000) {}

	/** True when the token is new or comes again with the same body; false when it is reused for another body. */
	check(token: string, rawBody: Buffer, nowMs: number, ttlMs: number): boolean {
		const bodyHash = hash('sha256', rawBody, 'base64');
		const known = this.seen.get(token);
		if (known && known.expiresAt > nowMs) return known.bodyHash === bodyHash;
		this.seen.delete(token);
		this.seen.set(token, { bodyHash, expiresAt: nowMs + ttlMs });
		this.prune(nowMs);
		return true;
	}

	private prune(nowMs: number): void {
		for (const [token, entry] of this.seen) {
			if (this.seen.size <= this.maxEntries && entry.expiresAt > nowMs) break;
			this.seen.delete(token);
		}
	}
}

export const mailgunTokens = new TokenMemory();

export function mailgunToken(payload: unknown): string | undefined {
	if (typeof payload !== 'object' || payload === null) return undefined;
	const signature = (payload as Record<string, unknown>).signature;
	if (typeof signature !== 'object' || signature === null) return undefined;
	const token = (signature as Record<string, unknown>).token;
	return typeof token === 'string' ? token : undefined;
}
