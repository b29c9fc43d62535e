import { createHash } from 'node:crypto';
import type { AddressSuppression, CustomerProfile, ProfileSubscription } from '../types/CustomerProfile';
import { emailKey } from './email';
import { addressFlags, subscriptionKey, subscriptionList, toProfile, type FoldOptions, type ProfileState } from './fold';
import type { SendDecision, SendReservation } from './frequency';

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
 * itself never counts. With `sameTimeCounts`, every event at the trigger's timestamp counts
 * whenever it was received (the trigger itself still does not).
 */
export type SinceStart = Date | (EventPosition & { sameTimeCounts?: boolean });

/** A recorded event's place in the store's order of events (epoch milliseconds, and its messageId). */
export interface EventPosition {
	timestamp: number;
	receivedAt: number;
	messageId: string;
}

/**
 * The position both stores count the events after, as `(ts, received_at, message_id) > (…)`, and
 * the messageId never counted (`exclude`: the triggering event's): an event's own, or for a time,
 * or a trigger with `sameTimeCounts`, the place before every event at that time (a stored
 * receivedAt is a Date's time, above Number.MIN_SAFE_INTEGER).
 */
export function sinceBound(since: SinceStart): EventPosition & { exclude: string } {
	if (since instanceof Date) return { timestamp: since.getTime(), receivedAt: Number.MIN_SAFE_INTEGER, messageId: '', exclude: '' };
	if (since.sameTimeCounts) return { timestamp: since.timestamp, receivedAt: Number.MIN_SAFE_INTEGER, messageId: '', exclude: since.messageId };
	return { timestamp: since.timestamp, receivedAt: since.receivedAt, messageId: since.messageId, exclude: since.messageId };
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

/** A profile found for an address: the flags it holds for that address, and its state (Get Profile reads its scopes). */
export interface AddressHolder extends SuppressionRow {
	state: ProfileState;
}

/**
 * A profile found for an address, with its state (JSON text) → the flags it holds for THAT address:
 * its unsubscribe (the customer's), and a bounce or complaint of that address (not of another
 * address the customer had).
 */
export function suppressionRow(email: string, data: string): AddressHolder {
	return addressHolder(email, JSON.parse(data) as ProfileState);
}

/** suppressionRow of a state already parsed (Export: a profile of the page being exported). */
export function addressHolder(email: string, state: ProfileState): AddressHolder {
	return { email, ...addressFlags(state, email), state };
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
 * Get Profile: the suppression of each address in `facts` (isSuppressed of suppressionAddresses:
 * the current email and the looked-up one) as Check Suppression gives it, not only the profile's
 * own: `unsubscribed`, `bounced` and `complained` are true when any profile holding that address
 * (an identity of it, or its current email), or an erased customer's kept record of it, holds the
 * flag. A workflow that mails the item's address then never mails an address that bounced, or whose
 * owner unsubscribed on another profile (two userIds, or a userId and an anonymous profile never
 * merged, at one address), because Get Profile answered for the other profile.
 *
 * A scope another profile is unsubscribed from now (a SendGrid ASM group, a Postmark stream, an SES
 * list or topic, global, legacy) is in `subscriptions` too, unsubscribed, with that profile's
 * `profileId` and times: a workflow that checks one scope sees it, whatever the own profile says of
 * that scope (an OR, as Check Suppression: a Resubscribed of one profile does not lift another
 * profile's unsubscribe, since the store cannot tell they are the same person). `addressSuppression`
 * says what came from elsewhere.
 */
export function withAddressSuppression(profile: CustomerProfile, facts: AddressFacts | undefined): CustomerProfile {
	if (!facts) return profile;
	let { unsubscribed, bounced, complained } = profile;
	for (const x of facts.found.values()) {
		if (!x.known) continue;
		unsubscribed ||= x.unsubscribed;
		bounced ||= x.bounced;
		complained ||= x.complained;
	}
	const from: AddressSuppression = { unsubscribed: false, bounced: false, complained: false, profileIds: [], erasedCustomer: false };
	const others = new Map<string, ProfileState>();
	for (const h of facts.holders) {
		if (h.state.profileId === profile.profileId || !(h.unsubscribed || h.bounced || h.complained)) continue;
		others.set(h.state.profileId, h.state);
		addFlags(from, h);
	}
	for (const e of facts.erased) {
		from.erasedCustomer = true;
		addFlags(from, e);
	}
	if (others.size === 0 && !from.erasedCustomer && unsubscribed === profile.unsubscribed && bounced === profile.bounced && complained === profile.complained) {
		return profile;
	}
	from.profileIds = [...others.keys()].sort();
	const subscriptions = withOtherScopes(profile.subscriptions, from.profileIds.map((id) => others.get(id)!));
	return {
		...profile,
		unsubscribed,
		...(subscriptions ? { subscriptions } : {}),
		bounced,
		complained,
		...(from.profileIds.length || from.erasedCustomer ? { addressSuppression: from } : {}),
	};
}

function addFlags(into: AddressSuppression, row: Omit<SuppressionRow, 'email'>): void {
	into.unsubscribed ||= !!row.unsubscribed;
	into.bounced ||= !!row.bounced;
	into.complained ||= !!row.complained;
}

/**
 * `own` (the profile's scopes) with each scope that one of `others` is unsubscribed from now, where
 * `own` does not show it unsubscribed: the entry of the other profile that unsubscribed last (then
 * the lowest profileId); sorted by scope key as `subscriptions` is. Undefined when neither has any.
 */
function withOtherScopes(own: ProfileSubscription[] | undefined, others: ProfileState[]): ProfileSubscription[] | undefined {
	const byKey = new Map((own ?? []).map((x) => [subscriptionKey(x), x]));
	const later = (x: ProfileSubscription, y: ProfileSubscription) => (x.unsubscribedAt ?? '') > (y.unsubscribedAt ?? '');
	for (const state of others) {
		if (!state.unsubscribed) continue;
		for (const x of subscriptionList(state)) {
			const key = subscriptionKey(x);
			const before = byKey.get(key);
			if (!x.unsubscribed || (before?.unsubscribed && (before.profileId === undefined || !later(x, before)))) continue;
			byKey.set(key, { ...x, profileId: state.profileId });
		}
	}
	if (!own && byKey.size === 0) return undefined;
	return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, x]) => x);
}

/**
 * What a store knows about addresses: isSuppressed's answer (`found`, every holder and erased
 * record merged), the profiles found for them (`holders`) and the erased-address rows found
 * (`erased`, ErasedAddress, under their address), which Get Profile tells apart.
 */
export interface AddressFacts {
	found: Map<string, Suppression>;
	holders: AddressHolder[];
	erased: SuppressionRow[];
}

/** ORs the flags of every profile found for each address into `out` (the address is then known). */
function mergeSuppressionRows(out: Map<string, Suppression>, rows: SuppressionRow[]): void {
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
	const out: ErasedAddress[] = [];
	for (const address of profileAddresses(state, identityKeys)) {
		const flags = addressFlags(state, address);
		if (flags.unsubscribed || flags.bounced || flags.complained) out.push({ hash: addressHash(address), ...flags });
	}
	return out;
}

/** Every address a profile holds: its `e:` identities, its email, the addresses of its bounces and complaints. */
export function profileAddresses(state: ProfileState, identityKeys: string[]): Set<string> {
	const addresses = new Set<string>([...(state.bouncedEmails ?? []), ...(state.complainedEmails ?? [])]);
	if (state.email) addresses.add(state.email);
	for (const key of identityKeys) if (key.startsWith('e:')) addresses.add(key.slice(2));
	return addresses;
}

/**
 * The hashes of the frequency-cap slots (`<prefix>sends`) an erase deletes: those of every address
 * of the erased profile (profileAddresses; none when no profile was found) and of the address the
 * request gave, found or not: a cap slot is about an address, and the person asking by their
 * address is owed the removal of what the store holds about it.
 */
export function erasedSendHashes(state: ProfileState | undefined, identityKeys: string[], lookup: IdentityLookup): string[] {
	const addresses = state ? profileAddresses(state, identityKeys) : new Set<string>();
	const asked = typeof lookup.email === 'string' ? emailKey(lookup.email) : '';
	if (asked !== '') addresses.add(asked);
	return [...new Set([...addresses].map(addressHash))];
}

/**
 * The AddressFacts both stores answer with, for the `wanted` addresses: a map with each of them not
 * known and nothing set, the flags of the profiles found for them (`holders`, suppressionRow) and of
 * the rows of the erased-address table found for them (each under its address) ORed in. `hashes`:
 * addressHash of each wanted address, when the store already computed them for its query.
 */
export function addressFactsOf(
	wanted: string[],
	holders: AddressHolder[],
	erasedRows: Array<{ hash: string } & Omit<SuppressionRow, 'email'>>,
	hashes?: string[],
): AddressFacts {
	const found = new Map<string, Suppression>();
	for (const e of wanted) found.set(e, { suppressed: false, unsubscribed: false, bounced: false, complained: false, known: false });
	const byHash = new Map(erasedRows.length ? wanted.map((e, i) => [hashes?.[i] ?? addressHash(e), e]) : []);
	const erased = erasedRows.flatMap((r) => {
		const email = byHash.get(r.hash);
		return email === undefined ? [] : [{ email, unsubscribed: !!r.unsubscribed, bounced: !!r.bounced, complained: !!r.complained }];
	});
	mergeSuppressionRows(found, holders);
	mergeSuppressionRows(found, erased);
	return { found, holders, erased };
}

/**
 * Export Profiles, one page of exported profiles at a time: each profile as Get Profile answers it
 * when looked up by its own identity (withAddressSuppression of the AddressFacts of its email), from
 * the AddressFacts the store read for the emails of the whole page (its `addressFacts`, one indexed
 * query: the profiles holding each address as an identity or as their flagged email, and the
 * erased-address rows of those addresses). Each profile gets the part of them about its own address
 * (its `found` entry, the holders and erased rows under that address), which is what addressFacts
 * of that one address answers, so the export's `unsubscribed` / `bounced` / `complained`,
 * `subscriptions` and `addressSuppression` are Get Profile's. The cost follows the exported rows,
 * not the size of the store.
 */
export function withPageAddressSuppression(profiles: CustomerProfile[], facts: AddressFacts): CustomerProfile[] {
	const holders = byEmail(facts.holders);
	const erased = byEmail(facts.erased);
	return profiles.map((profile) => {
		const key = profile.email ? emailKey(profile.email) : '';
		const found = key ? facts.found.get(key) : undefined;
		if (!found) return profile;
		return withAddressSuppression(profile, { found: new Map([[key, found]]), holders: holders.get(key) ?? [], erased: erased.get(key) ?? [] });
	});
}

/** The emails of a page of profiles, as addressFacts wants them (Get Profile's suppressionAddresses of each, by its own identity). */
export function pageEmails(profiles: CustomerProfile[]): string[] {
	return profiles.flatMap((p) => (p.email ? [p.email] : []));
}

function byEmail<T extends { email: string }>(rows: T[]): Map<string, T[]> {
	const out = new Map<string, T[]>();
	for (const r of rows) {
		const list = out.get(r.email);
		if (list) list.push(r);
		else out.set(r.email, [r]);
	}
	return out;
}

/**
 * How many exported profiles share one address-facts query. Small enough that PostgreSQL keeps
 * probing the identities' index for the page's keys (with 1000 keys it chose a scan of every
 * identity per page on a 50k-profile store), large enough to keep the round trips few.
 */
export const EXPORT_PAGE = 250;

/**
 * Export Profiles of both stores over the stored states (JSON text, in export order): each page of
 * EXPORT_PAGE profiles with the AddressFacts of its emails, from the store's `addressFacts` given
 * the page's own states (withPageAddressSuppression).
 */
export async function exportWithAddressFacts(
	data: string[],
	now: Date,
	addressFacts: (emails: string[], known: Map<string, ProfileState>) => AddressFacts | Promise<AddressFacts>,
): Promise<CustomerProfile[]> {
	const out: CustomerProfile[] = [];
	for (let i = 0; i < data.length; i += EXPORT_PAGE) {
		const states = data.slice(i, i + EXPORT_PAGE).map((text) => JSON.parse(text) as ProfileState);
		const profiles = states.map((state) => toProfile(state, now));
		const facts = await addressFacts(pageEmails(profiles), new Map(states.map((state) => [state.profileId, state])));
		for (const profile of withPageAddressSuppression(profiles, facts)) out.push(profile);
	}
	return out;
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
	/** Frequency-cap slots of the customer's addresses deleted (erasedSendHashes). */
	sendsDeleted: number;
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
	/**
	 * Frequency cap: counts the address's slots of the category in the window and, when fewer
	 * than `max` (and the key holds none), takes one, in one transaction under a lock of the
	 * address; see frequency.ts. Throws a RangeError naming the field for an invalid request.
	 */
	reserveSend(request: SendReservation): Promise<SendDecision>;
	/** Deletes up to SEND_PRUNE_BATCH frequency-cap slots older than the longest window; returns how many. */
	pruneSends(now?: Date): Promise<number>;
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
