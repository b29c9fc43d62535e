/**
 * The batch planner, shared by both backends: given a batch of events and what the store already
 * holds for their identities, decide every write (profiles to upsert or delete, identities to
 * point, events to insert, old events to move to a merged profile). Pure; the backends only load
 * and write.
 */
import { randomUUID } from 'node:crypto';
import {
	applyEvent,
	emptyState,
	InvalidEventError,
	mergeStates,
	recordAddressFacts,
	validateEvent,
	type FoldOptions,
	type ProfileState,
	type ValidEvent,
} from './fold';
import type { RecordResult } from './types';

export interface Prepared {
	results: RecordResult[];
	/** Valid events with their input index. */
	valid: Array<{ index: number; v: ValidEvent }>;
	keys: string[];
	messageIds: string[];
}

/** Validates every input; invalid ones get their result now and are left out. */
export function prepare(inputs: unknown[], now: number = Date.now()): Prepared {
	const results: RecordResult[] = new Array(inputs.length);
	const valid: Prepared['valid'] = [];
	const keys = new Set<string>();
	const messageIds = new Set<string>();
	inputs.forEach((input, index) => {
		try {
			const v = validateEvent(input, now);
			valid.push({ index, v });
			for (const k of Object.values(v.keys)) keys.add(k as string);
			messageIds.add(v.event.messageId);
		} catch (error) {
			if (!(error instanceof InvalidEventError)) throw error;
			const mid = (input as { messageId?: unknown } | null)?.messageId;
			results[index] = {
				status: 'invalid',
				messageId: typeof mid === 'string' ? mid : undefined,
				error: error.message,
				field: error.field,
			};
		}
	});
	return { results, valid, keys: [...keys].sort(), messageIds: [...messageIds] };
}

export interface Loaded {
	/** identity key → profile id, for the batch's keys that exist. */
	identities: Map<string, string>;
	/** profile id → state, for every profile the identities point to. */
	profiles: Map<string, ProfileState>;
	/** messageIds of the batch already in the store. */
	existing: Set<string>;
}

export interface EventRow {
	messageId: string;
	profileId: string;
	event: string;
	type: string;
	ts: number;
	receivedAt: number;
	body: string;
}

export interface Plan {
	results: RecordResult[];
	upserts: ProfileState[];
	deletes: string[];
	/** Profiles merged away: every stored identity and event of `from` moves to `to`. */
	moves: Array<{ from: string; to: string }>;
	identities: Array<{ key: string; profileId: string }>;
	events: EventRow[];
}

export function plan(prepared: Prepared, loaded: Loaded, options: FoldOptions = {}, newId: () => string = randomUUID): Plan {
	const results = [...prepared.results];
	const identities = new Map(loaded.identities);
	const profiles = new Map(loaded.profiles);
	const touched = new Set<string>();
	const redirect = new Map<string, string>();
	const seen = new Set(loaded.existing);
	const events: EventRow[] = [];
	const changedKeys = new Set<string>();
	const resolve = (id: string | undefined): string | undefined => {
		let cur = id;
		while (cur !== undefined && redirect.has(cur)) cur = redirect.get(cur);
		return cur;
	};

	for (const { index, v } of prepared.valid) {
		const e = v.event;
		const pU = resolve(v.keys.u && identities.get(v.keys.u));
		const pE = resolve(v.keys.e && identities.get(v.keys.e));
		const pA = resolve(v.keys.a && identities.get(v.keys.a));
		if (seen.has(e.messageId)) {
			results[index] = { status: 'duplicate', messageId: e.messageId, profileId: pU ?? pE ?? pA ?? null };
			continue;
		}
		seen.add(e.messageId);
		const state = (id: string) => profiles.get(id)!;
		let target: string | undefined;
		if (e.userId) {
			target = pU;
			if (!target) {
				for (const c of [pE, pA]) {
					if (c && !state(c).userId) {
						target = c;
						break;
					}
				}
			}
		} else {
			// No customer id on the event: a known customer's profile (one with a userId) keeps its
			// profileId; an email-only or anonymous profile is merged into it, never the reverse.
			target = pE !== undefined && state(pE).userId ? pE : pA !== undefined && state(pA).userId ? pA : (pE ?? pA);
		}
		if (!target) {
			target = newId();
			profiles.set(target, emptyState(target, v.ts));
		}
		const into = state(target);
		// One profile may hold both the email and the anonymous id: it is merged once.
		for (const c of new Set([pE, pA])) {
			if (!c || c === target) continue;
			const other = state(c);
			if (other.userId && into.userId && other.userId !== into.userId) continue;
			if (other.userId && e.userId && other.userId !== e.userId) continue;
			mergeStates(into, other, options);
			profiles.delete(c);
			redirect.set(c, target);
			touched.delete(c);
		}
		for (const k of [v.keys.u, v.keys.e, v.keys.a]) {
			if (!k) continue;
			const current = resolve(identities.get(k));
			if (current === undefined) {
				identities.set(k, target);
				changedKeys.add(k);
			}
		}
		applyEvent(into, v, options);
		touched.add(target);
		// A bounce or complaint is about its address: also kept on the profile the address
		// identifies when the event folded into another customer's profile (its userId), so that
		// Check Suppression and Get Profile of that address find it.
		const owner = v.keys.e === undefined ? undefined : resolve(identities.get(v.keys.e));
		if (owner !== undefined && owner !== target && profiles.has(owner) && recordAddressFacts(state(owner), v)) touched.add(owner);
		events.push({
			messageId: e.messageId,
			profileId: target,
			event: e.event,
			type: typeof e.type === 'string' ? e.type : 'track',
			ts: v.ts,
			receivedAt: v.receivedAt,
			body: JSON.stringify(e),
		});
		results[index] = { status: 'recorded', messageId: e.messageId, profileId: target };
	}

	// Resolve every reference through the merges made later in the batch.
	for (const r of results) if (r?.profileId) r.profileId = resolve(r.profileId) ?? r.profileId;
	for (const row of events) row.profileId = resolve(row.profileId)!;
	const moves: Plan['moves'] = [];
	const deletes: string[] = [];
	for (const from of redirect.keys()) {
		if (loaded.profiles.has(from)) {
			deletes.push(from);
			moves.push({ from, to: resolve(from)! });
		}
	}
	const identityRows = [...changedKeys].map((key) => ({ key, profileId: resolve(identities.get(key))! }));
	return {
		results,
		upserts: [...touched].map((id) => profiles.get(id)!),
		deletes,
		moves,
		identities: identityRows,
		events,
	};
}
