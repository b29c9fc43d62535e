/**
 * Frequency cap ("no more than N emails of a category per address in W hours", across every
 * workflow that uses the store), as Klaviyo's Smart Sending (one message per 16 hours by default)
 * and Braze / Iterable frequency capping do. Both stores keep one row per send slot taken: the
 * address's SHA-256 hash (addressHash, never the address), the category, the time and the hash of
 * the optional key; they count and take a slot in one transaction under a lock of the address, so
 * two workflows checking one address at the same moment cannot both get its last slot. This module
 * holds what both stores share: the request's checks and the decision from the rows in the window.
 */
import { createHash } from 'node:crypto';
import { emailKey } from './email';

/**
 * The longest window a cap may have: 31 days (a "per month" cap). Send rows older than this can
 * never count again and are deleted (SendReservation.windowHours is refused above it).
 */
export const MAX_CAP_WINDOW_HOURS = 744;
export const MAX_CAP_WINDOW_MS = MAX_CAP_WINDOW_HOURS * 3_600_000;
/** Rows deleted per clean-up pass (a bounded delete: one pass never holds the store long). */
export const SEND_PRUNE_BATCH = 2000;
/** The longest category name. */
export const MAX_CATEGORY_LENGTH = 100;

export interface SendReservation {
	/** The recipient address (stored as addressHash of emailKey). */
	email: string;
	/** Sends are counted per category (e.g. `marketing`); trimmed and lower-cased. */
	category: string;
	/** Sends allowed in the window: an integer >= 1. */
	max: number;
	/** The window in hours: > 0 and <= MAX_CAP_WINDOW_HOURS (fractions allowed). */
	windowHours: number;
	/**
	 * An identifier of this email (e.g. the template's idempotency key): when a slot of the same
	 * address and category taken in the last 31 days (MAX_CAP_WINDOW_HOURS) carries it, the check is
	 * allowed and takes no new slot: a retry of the same send is not capped by its own first attempt,
	 * and an email ESP Dispatch will answer `duplicate` (its key sent days ago, e.g. a nightly VIP
	 * offer remembered 30 days) does not use up the day's slot and block the customer's other
	 * marketing email. A key sent again after ESP Dispatch's window but within 31 days is not counted.
	 */
	key?: string | null;
	/** The moment of the check (default now). */
	now?: Date;
}

export interface SendDecision {
	allowed: boolean;
	/** Slots of the address and category in the window after this check (this one included when allowed). */
	sentInWindow: number;
	limit: number;
	windowHours: number;
	/** When capped: the first moment a check would be allowed (a slot leaves the window); null when allowed. */
	nextAllowedAt: string | null;
	/** Whether this check found its key already holding a slot (allowed, no new slot taken). */
	sameKey: boolean;
}

/** A stored slot as both stores read it: its time (epoch ms) and its key hash ('' without a key). */
export interface SendRow {
	ts: number;
	keyHash: string;
}

/** A request checked and in the stores' terms: what they query and insert. */
export interface PreparedReservation {
	hash: string;
	category: string;
	keyHash: string;
	max: number;
	windowMs: number;
	windowHours: number;
	now: number;
	/** A slot counts while its time is after this (now - window): a slot at t counts until t + window, exclusive. */
	after: number;
	/** Rows of the address before this can never count again (now - MAX_CAP_WINDOW_MS). */
	expired: number;
}

/** The key's stored form: SHA-256 hex of the key as given (a key may be built from the address). */
export function sendKeyHash(key: string | null | undefined): string {
	return typeof key === 'string' && key !== '' ? createHash('sha256').update(key).digest('hex') : '';
}

/** Checks a reservation (throws a RangeError naming the field) and puts it in the stores' terms. */
export function prepareReservation(r: SendReservation, hash: (email: string) => string): PreparedReservation {
	const email = typeof r.email === 'string' ? emailKey(r.email) : '';
	if (!email.includes('@')) throw new RangeError(`"Email" (${email || 'empty'}) is not an email address`);
	if (!Number.isInteger(r.max) || r.max < 1) throw new RangeError(`"Max Emails" (${String(r.max)}) must be a whole number of 1 or more`);
	if (typeof r.windowHours !== 'number' || !Number.isFinite(r.windowHours) || r.windowHours <= 0 || r.windowHours > MAX_CAP_WINDOW_HOURS) {
		throw new RangeError(`"Window (Hours)" (${String(r.windowHours)}) must be more than 0 and at most ${MAX_CAP_WINDOW_HOURS} (31 days)`);
	}
	const category = typeof r.category === 'string' ? r.category.trim().toLowerCase() : '';
	if (category === '' || category.length > MAX_CATEGORY_LENGTH || category.includes('\u0000')) {
		throw new RangeError(`"Cap Category" (${category || 'empty'}) must be 1 to ${MAX_CATEGORY_LENGTH} characters`);
	}
	const now = (r.now ?? new Date()).getTime();
	if (!Number.isFinite(now)) throw new RangeError('The time of the check is not a valid date');
	const windowMs = Math.max(1, Math.round(r.windowHours * 3_600_000));
	return {
		hash: hash(email),
		category,
		keyHash: sendKeyHash(r.key),
		max: r.max,
		windowMs,
		windowHours: r.windowHours,
		now,
		after: now - windowMs,
		expired: now - MAX_CAP_WINDOW_MS,
	};
}

/**
 * The decision from the address's slots of the category taken in the last 31 days (the stores read
 * rows with ts > expired; those with ts > after are in the window): its key among them → allowed,
 * no new slot; fewer than max → allowed, a slot taken (`take`);
 * else capped until the slot whose leaving brings the count below max leaves the window: of the
 * n slots sorted by time, the (n - max + 1)-th, at its time + window.
 */
export function decideSend(rows: SendRow[], p: PreparedReservation): SendDecision & { take: boolean } {
	const inWindow = rows.filter((r) => r.ts > p.after).sort((a, b) => a.ts - b.ts);
	const base = { limit: p.max, windowHours: p.windowHours };
	if (p.keyHash !== '' && rows.some((r) => r.keyHash === p.keyHash)) {
		return { ...base, allowed: true, take: false, sameKey: true, sentInWindow: inWindow.length, nextAllowedAt: null };
	}
	if (inWindow.length < p.max) {
		return { ...base, allowed: true, take: true, sameKey: false, sentInWindow: inWindow.length + 1, nextAllowedAt: null };
	}
	const freeing = inWindow[inWindow.length - p.max];
	return { ...base, allowed: false, take: false, sameKey: false, sentInWindow: inWindow.length, nextAllowedAt: new Date(freeing.ts + p.windowMs).toISOString() };
}

/** The decision as the stores return it (without the internal `take`). */
export function publicDecision(d: SendDecision & { take: boolean }): SendDecision {
	return { allowed: d.allowed, sentInWindow: d.sentInWindow, limit: d.limit, windowHours: d.windowHours, nextAllowedAt: d.nextAllowedAt, sameKey: d.sameKey };
}
