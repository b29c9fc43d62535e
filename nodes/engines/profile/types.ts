import { createHash } from 'node:crypto';
import type { CustomerProfile } from '../types/CustomerProfile';
import { emailKey } from './email';
import { addressFlags, type FoldOptions, type ProfileState } from './fold';

/** How to find a customer: the first of userId, email, anonymousId that is set and known wins. */
export interface IdentityLookup {
	userId?: string | null;
	email?: string | null;
	anonymousId?: string | null;
}

export type RecordStatus = 'recorded' | 'duplicate' | 'invalid';

export interface RecordResult {
	status: RecordStatus;
	messageId?: string;
	profileId?: string | null;
	/** For `invalid`: what is wrong and which field. */
	error?: string;
	field?: string;
}

/**
 * Where Check Event Since starts. A time counts the events at or after it. An event (the
 * triggering one) counts the events after it in the store's order: by timestamp, then by when
 * they were received, then by messageId; so of two events at the same second, the one received
 * later is after the other (and of a burst, exactly one has nothing after it), and the event
 * itself never counts.
 */
export type SinceStart = Date | EventPosition;

/** A recorded event's place in the store's order of events (epoch milliseconds, and its messageId). */
export interface EventPosition {
	timestamp: number;
	receivedAt: number;
	messageId: string;
}

/**
 * The position both stores count the events after, as `(ts, received_at, message_id) > (…)`: an
 * event's own, or for a time the place before every event at that time (a stored receivedAt is a
 * Date's time, above Number.MIN_SAFE_INTEGER).
 */
export function sinceBound(since: SinceStart): EventPosition {
	return since instanceof Date ? { timestamp: since.getTime(), receivedAt: Number.MIN_SAFE_INTEGER, messageId: '' } : since;
}

export interface SinceResult {
	profileFound: boolean;
	happened: boolean;
	/** When the first matching event since `since` happened. */
	at: string | null;
	count: number;
}

export interface Suppression {
	suppressed: boolean;
	unsubscribed: boolean;
	bounced: boolean;
	complained: boolean;
	/** Whether the store knows the address at all. */
	known: boolean;
}

/** A profile's flags found for an address (by its identity or by the profile's email). */
export interface SuppressionRow {
	email: string;
	unsubscribed: boolean | number;
	bounced: boolean | number;
	complained: boolean | number;
}

/**
 * A profile found for an address, with its state (JSON text) → the flags it holds for THAT address:
 * its unsubscribe (the customer's), and a bounce or complaint of that address (not of another
 * address the customer had).
 */
export function suppressionRow(email: string, data: string): SuppressionRow {
	return { email, ...addressFlags(JSON.parse(data) as ProfileState, email) };
}

/**
 * The addresses Get Profile answers bounce and complaint for: the profile's current email, and the
 * address it was looked up by when that is another one (an older address of the customer, which
 * the item, e.g. a checkout a template mails, still carries).
 */
export function suppressionAddresses(profile: CustomerProfile, lookup: IdentityLookup): string[] {
	const looked = typeof lookup.email === 'string' ? emailKey(lookup.email) : '';
	const out = profile.email ? [profile.email] : [];
	if (looked !== '' && looked !== profile.email) out.push(looked);
	return out;
}

/**
 * Get Profile: the bounce and complaint of each address in `found` (isSuppressed of
 * suppressionAddresses: the current email and the looked-up one) as every profile holding that
 * address knows them, not only the profile's own: `bounced` is true when any of them bounced, so a
 * workflow that mails the item's address never mails a bounced one because the customer has
 * since moved to another.
 */
export function withAddressSuppression(profile: CustomerProfile, facts: AddressFacts | undefined): CustomerProfile {
	let bounced = profile.bounced;
	let complained = profile.complained;
	for (const x of facts?.found.values() ?? []) {
		if (!x.known) continue;
		bounced ||= x.bounced;
		complained ||= x.complained;
	}
	// An erased customer's unsubscribe stays with the address: whoever is now at it (most likely the
	// same person, back through a re-import or a new order) is unsubscribed too.
	const unsubscribed = profile.unsubscribed || (facts?.erasedUnsubscribed.size ?? 0) > 0;
	return bounced === profile.bounced && complained === profile.complained && unsubscribed === profile.unsubscribed
		? profile
		: { ...profile, unsubscribed, bounced, complained };
}

/**
 * What a store knows about addresses: isSuppressed's answer (`found`), and the addresses among them
 * whose erased customer had unsubscribed (ErasedAddress), which Get Profile applies to the profile.
 */
export interface AddressFacts {
	found: Map<string, Suppression>;
	erasedUnsubscribed: Set<string>;
}

/** ORs the flags of every profile found for each address into `out` (the address is then known). */
export function mergeSuppressionRows(out: Map<string, Suppression>, rows: SuppressionRow[]): void {
	for (const r of rows) {
		const before = out.get(r.email);
		const unsubscribed = !!r.unsubscribed || (before?.known === true && before.unsubscribed);
		const bounced = !!r.bounced || (before?.known === true && before.bounced);
		const complained = !!r.complained || (before?.known === true && before.complained);
		out.set(r.email, { suppressed: unsubscribed || bounced || complained, unsubscribed, bounced, complained, known: true });
	}
}

/**
 * What Erase Customer keeps of an erased customer: for each of their addresses that was suppressed
 * (unsubscribed, hard-bounced or complained), the address's SHA-256 hash and those flags, and no
 * other data. Without it the store forgot the address and Check Suppression answered "not
 * suppressed" once it came back (a CRM re-import, a later order), so an erasure request turned into
 * a mailing to someone who had unsubscribed or complained.
 */
export interface ErasedAddress {
	hash: string;
	unsubscribed: boolean;
	bounced: boolean;
	complained: boolean;
}

/** The key of an address in the erased-address table: SHA-256 (hex) of the address as the store keys it (emailKey). */
export function addressHash(email: string): string {
	return createHash('sha256').update(emailKey(email)).digest('hex');
}

/**
 * The suppressed addresses of a profile about to be erased: every address it holds (its `e:`
 * identities, its email, the addresses of its bounces and complaints), each with the flags the
 * profile holds for it (addressFlags: the customer's unsubscribe, that address's bounce and
 * complaint); addresses with no flag set are left out.
 */
export function erasedAddresses(state: ProfileState, identityKeys: string[]): ErasedAddress[] {
	const addresses = new Set<string>([...(state.bouncedEmails ?? []), ...(state.complainedEmails ?? [])]);
	if (state.email) addresses.add(state.email);
	for (const key of identityKeys) if (key.startsWith('e:')) addresses.add(key.slice(2));
	const out: ErasedAddress[] = [];
	for (const address of addresses) {
		const flags = addressFlags(state, address);
		if (flags.unsubscribed || flags.bounced || flags.complained) out.push({ hash: addressHash(address), ...flags });
	}
	return out;
}

/**
 * isSuppressed's `found` with the rows of the erased-address table found for the `wanted` addresses
 * merged in (each under its address, as another profile's flags), and the addresses whose erased
 * customer had unsubscribed: the AddressFacts both stores answer with.
 */
export function withErasedAddresses(found: Map<string, Suppression>, wanted: string[], rows: Array<{ hash: string } & Omit<SuppressionRow, 'email'>>): AddressFacts {
	const byHash = new Map(wanted.map((e) => [addressHash(e), e]));
	const erased = rows.flatMap((r) => {
		const email = byHash.get(r.hash);
		return email === undefined ? [] : [{ email, unsubscribed: r.unsubscribed, bounced: r.bounced, complained: r.complained }];
	});
	mergeSuppressionRows(found, erased);
	return { found, erasedUnsubscribed: new Set(erased.filter((r) => r.unsubscribed).map((r) => r.email)) };
}

export interface Transaction {
	profileId: string;
	userId: string | null;
	email: string | null;
	messageId: string;
	orderId: string | null;
	at: string;
	currency: string;
	amountMinor: number;
	amount: number;
	/** = profileId, under the name Customer Segments RFM reads by default (Customer ID Field). */
	customer_id: string;
	/** = at, under the name Customer Segments RFM reads by default (Date Field). */
	timestamp: string;
}

export interface EraseResult {
	found: boolean;
	profileId: string | null;
	profilesDeleted: number;
	identitiesDeleted: number;
	eventsDeleted: number;
}

export interface ExportOptions {
	/** Only profiles written at or after this time / orders at or after this time. */
	since?: Date;
	limit?: number;
	now?: Date;
}

export interface StoreOptions extends FoldOptions {
	/** Table name prefix (letters, digits, underscore). Default `pz_`. */
	tablePrefix?: string;
	/** Raw events older than this many days are deleted (0 = keep forever). Default 365. */
	retentionDays?: number;
}

/** The profile store: one interface, two backends (SQLite, PostgreSQL). */
export interface ProfileStore {
	readonly kind: 'sqlite' | 'postgres';
	/**
	 * Records canonical events: the valid, new ones in ONE transaction; returns one result per
	 * input, in order. Invalid events change nothing; repeated messageIds change nothing.
	 */
	record(events: unknown[], options?: { now?: Date }): Promise<RecordResult[]>;
	get(lookup: IdentityLookup, now?: Date): Promise<CustomerProfile | null>;
	/** Has `eventName` happened for this customer since `since` (see SinceStart)? */
	hasEventSince(lookup: IdentityLookup, eventName: string, since: SinceStart): Promise<SinceResult>;
	exportProfiles(options?: ExportOptions): Promise<CustomerProfile[]>;
	exportTransactions(options?: ExportOptions): Promise<Transaction[]>;
	erase(lookup: IdentityLookup): Promise<EraseResult>;
	/** Suppression state per (lower-cased) email address. */
	isSuppressed(emails: string[]): Promise<Map<string, Suppression>>;
	/** Deletes raw events past the retention window; returns how many. */
	pruneEvents(now?: Date): Promise<number>;
	close(): Promise<void>;
}

export function validPrefix(prefix: string | undefined): string {
	const p = prefix ?? 'pz_';
	if (!/^[a-z_][a-z0-9_]{0,30}$/.test(p)) {
		throw new Error(`Table prefix "${p}" is not allowed: use lower-case letters, digits and underscores (max 31)`);
	}
	return p;
}

/**
 * Whether the profile found through identity `key` of a lookup is that lookup's customer. A lookup
 * with a userId whose `u:` key is unknown may fall back to its email or anonymousId only when the
 * profile found there has no userId (the same customer before they logged in): a profile of
 * another userId is another customer, as Record Events treats it (an event with a userId never
 * folds into a profile of another userId). Get, Check Event Since and Erase therefore never answer
 * with, or erase, another customer's profile because the two share an address or a device.
 */
export function acceptsProfile(lookup: IdentityLookup, key: string, profileUserId: string | null | undefined): boolean {
	if (key.startsWith('u:')) return true;
	const userId = typeof lookup.userId === 'string' ? lookup.userId.trim() : '';
	return userId === '' || profileUserId === null || profileUserId === undefined || profileUserId === userId;
}

/** Identity keys of a lookup, in priority order. */
export function lookupKeys(lookup: IdentityLookup): string[] {
	const keys: string[] = [];
	const s = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
	const u = s(lookup.userId);
	const e = s(lookup.email) === undefined ? undefined : emailKey(lookup.email!) || undefined;
	const a = s(lookup.anonymousId);
	if (u) keys.push(`u:${u}`);
	if (e) keys.push(`e:${e}`);
	if (a) keys.push(`a:${a}`);
	return keys;
}
