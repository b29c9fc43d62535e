/**
 * Rule-based micro-segments over a customer's canonical events (CanonicalEvent: `event`,
 * `timestamp`) and profile fields (CustomerProfile, including `traits.*`).
 *
 * Rule language (also the JSON accepted by the node):
 *   { "name": "Cart Abandoners", "match": "all" | "any", "conditions": [Condition, ...] }
 *   Condition =
 *     { "type": "event", "event": "Product Viewed", "operator": "atLeast" | "atMost", "count": 3, "withinHours": 336 }
 *     { "type": "notAfter", "event": "Checkout Started", "thenEvent": "Order Completed", "withinHours": 24 }
 *        → performed `event` within the window and no `thenEvent` after its latest occurrence there
 *     { "type": "trait", "field": "traits.plan", "operator": "equals" | "notEquals" | "contains" |
 *        "greaterThan" | "lessThan" | "exists" | "notExists", "value": ... }
 *     { "type": "group", "match": "all" | "any", "conditions": [...] }
 * `withinHours` omitted or 0 = all time. A trait condition reads its field and value as
 * rules/compare.ts says (numbers, numeric text, dates), the one reading Render Email's block rules use.
 *
 * A customer known only by a stored profile (no event list, e.g. after Customer Profile → Get
 * Profile) has its segments decided from the profile's fields: see decideFromProfile.
 */
import type { CanonicalEvent } from '../types/CanonicalEvent';
import { compareValues, containsValue, isComparableValue, looseEquals } from '../rules/compare';
import { parseTimeMs } from './parse';
import { DATE_HINT } from './summary';

export type Match = 'all' | 'any';

export type Condition =
	| { type: 'event'; event: string; operator: 'atLeast' | 'atMost'; count: number; withinHours?: number }
	| { type: 'notAfter'; event: string; thenEvent: string; withinHours?: number }
	| {
			type: 'trait';
			field: string;
			operator: 'equals' | 'notEquals' | 'contains' | 'greaterThan' | 'lessThan' | 'exists' | 'notExists';
			value?: unknown;
	  }
	| { type: 'group'; match: Match; conditions: Condition[] };

export interface SegmentRule {
	name: string;
	match: Match;
	conditions: Condition[];
}

export const PRESETS: Record<string, SegmentRule> = {
	cartAbandoners: {
		name: 'Cart Abandoners',
		match: 'all',
		conditions: [{ type: 'notAfter', event: 'Checkout Started', thenEvent: 'Order Completed', withinHours: 24 }],
	},
	activeBuyers: {
		name: 'Active Buyers',
		match: 'all',
		conditions: [{ type: 'event', event: 'Order Completed', operator: 'atLeast', count: 1, withinHours: 7 * 24 }],
	},
	engagedBrowsers: {
		name: 'Engaged Browsers',
		match: 'all',
		conditions: [
			{ type: 'event', event: 'Product Viewed', operator: 'atLeast', count: 3, withinHours: 14 * 24 },
			{ type: 'event', event: 'Order Completed', operator: 'atMost', count: 0, withinHours: 14 * 24 },
		],
	},
};

/**
 * The keys each part of a definition takes. Anything else is refused (keyProblems): definitions are
 * typed by hand, and a misspelt key (`within_hours`) was ignored, silently meaning "all time".
 */
const KEYS = {
	segment: ['name', 'match', 'conditions'],
	event: ['type', 'event', 'operator', 'count', 'withinHours'],
	notAfter: ['type', 'event', 'thenEvent', 'withinHours'],
	trait: ['type', 'field', 'operator', 'value'],
	group: ['type', 'match', 'conditions'],
} as const;

/** The condition types other than `kind` that take `key`, e.g. thenEvent → notAfter. */
function typesTaking(key: string, kind: keyof typeof KEYS): string[] {
	return Object.entries(KEYS)
		.filter(([k, keys]) => k !== 'segment' && k !== kind && (keys as readonly string[]).includes(key))
		.map(([k]) => k);
}

/** Unknown keys of `o`, each with the valid key it most likely stands for, if any. */
function keyProblems(o: Record<string, unknown>, kind: keyof typeof KEYS, path: string): string[] {
	const valid: readonly string[] = KEYS[kind];
	const a = (type: string) => `${type.startsWith('event') ? 'an' : 'a'} ${type}`;
	const what = kind === 'segment' ? 'a segment' : `${a(kind)} condition`;
	const problems: string[] = [];
	for (const key of Object.keys(o)) {
		if (valid.includes(key)) continue;
		const near = closestKey(key, valid);
		const others = typesTaking(key, kind);
		const hint = near
			? `did you mean "${near}"? `
			: others.length
				? `"${key}" is for ${kind === 'segment' ? 'a condition, not the segment' : `${a(others.join(' or '))} condition`}; `
				: '';
		problems.push(`${path} has an unknown key "${key}": ${hint}${what} takes ${valid.join(', ')}`);
	}
	return problems;
}

/** Words of the editor's labels ("Times", "Within Last (Hours)", "Comparison") for the JSON keys. */
const SYNONYMS: Record<string, string> = { times: 'count', hours: 'withinHours', within: 'withinHours', withinlast: 'withinHours', comparison: 'operator', then: 'thenEvent' };

/**
 * The valid key `key` most likely stands for: the same letters ignoring case, `_`, `-` and spaces
 * (`within_hours`, `WithinHours`), an editor label (`times`), or at most 2 edits away from one
 * (`withinHour`, `thenEvnet`; 1 edit for keys of 3-5 letters).
 */
function closestKey(key: string, valid: readonly string[]): string | undefined {
	const norm = (k: string) => k.toLowerCase().replace(/[\s_-]/g, '');
	const synonym = SYNONYMS[norm(key)];
	if (synonym && valid.includes(synonym)) return synonym;
	let best: string | undefined;
	let bestDistance = Infinity;
	for (const candidate of valid) {
		const d = editDistance(norm(key), norm(candidate));
		if (d < bestDistance) [best, bestDistance] = [candidate, d];
	}
	return bestDistance <= Math.min(2, Math.floor(norm(key).length / 3)) ? best : undefined;
}

/** Levenshtein distance, with a swap of two neighbouring letters counted as one edit. */
function editDistance(a: string, b: string): number {
	const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
	for (let i = 1; i <= a.length; i++) {
		for (let j = 1; j <= b.length; j++) {
			d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
		}
	}
	return d[a.length][b.length];
}

/** Validates a rule (from the UI or JSON); returns problems with a path to the faulty part. */
export function segmentRuleProblems(rule: unknown, path = 'segment'): string[] {
	const problems: string[] = [];
	if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) return [`${path} must be an object`];
	const r = rule as Record<string, unknown>;
	problems.push(...keyProblems(r, 'segment', path));
	if (typeof r.name !== 'string' || r.name.trim() === '') problems.push(`${path}.name must be a non-empty string`);
	if (r.match !== 'all' && r.match !== 'any') problems.push(`${path}.match must be "all" or "any"`);
	if (!Array.isArray(r.conditions) || r.conditions.length === 0) problems.push(`${path}.conditions must be a non-empty list`);
	else r.conditions.forEach((c, i) => problems.push(...conditionProblems(c, `${path}.conditions[${i}]`)));
	return problems;
}

function conditionProblems(c: unknown, path: string): string[] {
	if (typeof c !== 'object' || c === null || Array.isArray(c)) return [`${path} must be an object`];
	const o = c as Record<string, unknown>;
	const windowOk = o.withinHours === undefined || (typeof o.withinHours === 'number' && o.withinHours >= 0);
	const known = typeof o.type === 'string' && Object.hasOwn(KEYS, o.type) && o.type !== 'segment';
	return [...(known ? keyProblems(o, o.type as keyof typeof KEYS, path) : []), ...typeProblems(o, path, windowOk)];
}

function typeProblems(o: Record<string, unknown>, path: string, windowOk: boolean): string[] {
	switch (o.type) {
		case 'event': {
			const p: string[] = [];
			if (typeof o.event !== 'string' || !o.event.trim()) p.push(`${path}.event must name an event`);
			if (o.operator !== 'atLeast' && o.operator !== 'atMost') p.push(`${path}.operator must be "atLeast" or "atMost"`);
			if (!Number.isInteger(o.count) || (o.count as number) < 0) p.push(`${path}.count must be a whole number >= 0`);
			if (!windowOk) p.push(`${path}.withinHours must be a number >= 0`);
			return p;
		}
		case 'notAfter': {
			const p: string[] = [];
			if (typeof o.event !== 'string' || !o.event.trim()) p.push(`${path}.event must name an event`);
			if (typeof o.thenEvent !== 'string' || !o.thenEvent.trim()) p.push(`${path}.thenEvent must name an event`);
			// "X not followed by X": the latest X is always followed by itself, so this never matched.
			// Nothing follows the latest X by definition, so "excluding itself" would just mean "X in
			// the window" (an event condition, at least 1): refused rather than guessed.
			else if (typeof o.event === 'string' && eventKey(o.thenEvent) === eventKey(o.event)) {
				p.push(`${path}.thenEvent is the same event as event ("${o.event}"): a notAfter condition needs two different events (for "${o.event}" within the window, use an event condition with atLeast 1)`);
			}
			if (!windowOk) p.push(`${path}.withinHours must be a number >= 0`);
			return p;
		}
		case 'trait': {
			const ops = ['equals', 'notEquals', 'contains', 'greaterThan', 'lessThan', 'exists', 'notExists'];
			const p: string[] = [];
			if (typeof o.field !== 'string' || !o.field) p.push(`${path}.field must name a profile field`);
			if (!ops.includes(o.operator as string)) p.push(`${path}.operator must be one of ${ops.join(', ')}`);
			else if (o.operator !== 'exists' && o.operator !== 'notExists') p.push(...traitValueProblems(o.operator as string, o.value, `${path}.value`));
			return p;
		}
		case 'group': {
			const p: string[] = [];
			if (o.match !== 'all' && o.match !== 'any') p.push(`${path}.match must be "all" or "any"`);
			if (!Array.isArray(o.conditions) || o.conditions.length === 0) p.push(`${path}.conditions must be a non-empty list`);
			else o.conditions.forEach((x, i) => p.push(...conditionProblems(x, `${path}.conditions[${i}]`)));
			return p;
		}
		default:
			return [`${path}.type must be one of event, notAfter, trait, group`];
	}
}

/**
 * The value a comparison needs: without one, `contains` would match every text and `notEquals`
 * every customer; a `greaterThan` / `lessThan` value that is no number or date would match nobody.
 */
function traitValueProblems(operator: string, value: unknown, path: string): string[] {
	const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
	switch (operator) {
		case 'equals':
		case 'notEquals':
			return scalar || value === null ? [] : [`${path} must be text, a number, true/false or null for "${operator}"`];
		case 'contains':
			return scalar && value !== '' ? [] : [`${path} must be non-empty text, a number or true/false for "contains"`];
		default:
			return isComparableValue(value) ? [] : [`${path} must be a number, numeric text or an ISO date for "${operator}"`];
	}
}

/**
 * The first two segments with the same name, as indexes into `names`; undefined when all differ.
 * Names are compared trimmed and without case: "VIPs" and "vips " are one name to whoever reads
 * `segments` (Render Email's `contains` compares without case too).
 */
export function duplicateSegmentName(names: readonly string[]): [number, number] | undefined {
	const first = new Map<string, number>();
	for (const [i, name] of names.entries()) {
		const key = name.trim().toLowerCase();
		const before = first.get(key);
		if (before !== undefined) return [before, i];
		first.set(key, i);
	}
	return undefined;
}

export interface CustomerContext {
	/** Profile fields (any object: CustomerProfile or a CRM record). */
	profile: Record<string, unknown>;
	/** The customer's events; each needs `event` and a parseable `timestamp`. */
	events: Array<Pick<CanonicalEvent, 'event' | 'timestamp'>>;
	nowMs: number;
}

interface PreparedEvent {
	event: string;
	/** The name as conditions compare it: {@link eventKey}. */
	key: string;
	ms: number;
}

/**
 * An event name as conditions compare it: trimmed, without case ("order completed " in the editor
 * is Order Completed; it used to match nothing, so "at most 0 times" held for every customer).
 */
export const eventKey = (name: string): string => name.trim().toLowerCase();

/**
 * Sorts and parses events once; throws naming the event index when a timestamp does not parse.
 * An event whose `messageId` came before in the list is the same event delivered again (a retried
 * webhook, Brevo's `unique_opened` and `opened`): only its first copy counts, as in the profile.
 */
export function prepareEvents(events: unknown[]): PreparedEvent[] {
	const seen = new Set<string>();
	const out: PreparedEvent[] = [];
	events.forEach((e, i) => {
		const o = (e ?? {}) as Record<string, unknown>;
		if (typeof o.event !== 'string') throw new RangeError(`events[${i}].event is missing`);
		// Read as every other date of this node: a date-time without a zone is UTC, not local time.
		const ms = typeof o.timestamp === 'string' || typeof o.timestamp === 'number' ? (parseTimeMs(o.timestamp) ?? NaN) : NaN;
		if (Number.isNaN(ms)) {
			throw new RangeError(o.timestamp === undefined || o.timestamp === null || o.timestamp === '' ? `events[${i}].timestamp is missing` : `events[${i}].timestamp "${String(o.timestamp)}" is not a date: ${DATE_HINT}`);
		}
		if (typeof o.messageId === 'string' && o.messageId !== '') {
			if (seen.has(o.messageId)) return;
			seen.add(o.messageId);
		}
		out.push({ event: o.event, key: eventKey(o.event), ms });
	});
	return out.sort((a, b) => a.ms - b.ms);
}

export function readField(obj: unknown, path: string): unknown {
	let cur: unknown = obj;
	for (const key of path.split('.')) {
		if (typeof cur !== 'object' || cur === null) return undefined;
		cur = (cur as Record<string, unknown>)[key];
	}
	return cur;
}

function evaluate(c: Condition, profile: Record<string, unknown>, events: PreparedEvent[], nowMs: number): boolean {
	switch (c.type) {
		case 'event': {
			const from = c.withinHours ? nowMs - c.withinHours * 3_600_000 : -Infinity;
			const key = eventKey(c.event);
			let n = 0;
			for (const e of events) if (e.key === key && e.ms >= from && e.ms <= nowMs) n++;
			return c.operator === 'atLeast' ? n >= c.count : n <= c.count;
		}
		case 'notAfter': {
			const from = c.withinHours ? nowMs - c.withinHours * 3_600_000 : -Infinity;
			const key = eventKey(c.event);
			const thenKey = eventKey(c.thenEvent);
			let latest = -Infinity;
			for (const e of events) if (e.key === key && e.ms >= from && e.ms <= nowMs && e.ms > latest) latest = e.ms;
			if (latest === -Infinity) return false;
			return !events.some((e) => e.key === thenKey && e.ms >= latest && e.ms <= nowMs);
		}
		case 'trait': {
			const v = readField(profile, c.field);
			switch (c.operator) {
				case 'exists':
					return v !== undefined && v !== null && v !== '';
				case 'notExists':
					return v === undefined || v === null || v === '';
				case 'equals':
					return looseEquals(v, c.value);
				case 'notEquals':
					return !looseEquals(v, c.value);
				case 'contains':
					return containsValue(v, c.value);
				case 'greaterThan':
				case 'lessThan': {
					const d = compareValues(v, c.value);
					return d !== undefined && (c.operator === 'greaterThan' ? d > 0 : d < 0);
				}
			}
			return false;
		}
		case 'group':
			return c.match === 'all'
				? c.conditions.every((x) => evaluate(x, profile, events, nowMs))
				: c.conditions.some((x) => evaluate(x, profile, events, nowMs));
	}
}

/**
 * The profile-field (trait) conditions' fields, groups included, that `item` lacks and its
 * `profile` has: Customer Profile → Get Profile's output read with an empty Profile Field. The
 * conditions read the item as documented, so they see no value (a comparison never holds,
 * notExists and notEquals always do); the node says so rather than reading elsewhere.
 */
export function fieldsOnlyInProfile(rules: readonly SegmentRule[], item: Record<string, unknown>): string[] {
	const found = new Set<string>();
	const visit = (c: Condition): void => {
		if (c.type === 'group') c.conditions.forEach(visit);
		else if (c.type === 'trait' && readField(item, c.field) === undefined && readField(item.profile, c.field) !== undefined) found.add(c.field);
	};
	for (const rule of rules) rule.conditions.forEach(visit);
	return [...found];
}

export interface SegmentMembership {
	segments: string[];
	/** The first segment (in configured order) the customer belongs to, or null. */
	primary: string | null;
	/**
	 * Only when the segments were decided from a stored profile (`stored`): those the profile
	 * cannot decide, in configured order. They are not in `segments`.
	 */
	undecided?: string[];
}

/**
 * Membership in each rule, in order. With `stored` (a customer profile, see storedProfile: the
 * item has no event list), every segment's event conditions, the built-in ones and your own, are
 * decided from it (decideFromProfile), and trait conditions read `profile` as without it. Your own
 * segments used to read the empty event list there, so "Order Completed at most 0 times in 90
 * days" held for a customer who ordered yesterday, and "Bought in 7 days" missed a customer Active
 * Buyers (the same definition) found.
 */
export function evaluateSegments(
	rules: readonly SegmentRule[],
	ctx: { profile: Record<string, unknown>; events: PreparedEvent[]; nowMs: number; stored?: Record<string, unknown> },
): SegmentMembership {
	const segments: string[] = [];
	const undecided: string[] = [];
	for (const rule of rules) {
		const group: Condition = { type: 'group', match: rule.match, conditions: rule.conditions };
		if (ctx.stored) {
			const decided = decideFromProfile(group, ctx.stored, ctx.nowMs, ctx.profile);
			if (decided === undefined) undecided.push(rule.name);
			else if (decided) segments.push(rule.name);
		} else if (evaluate(group, ctx.profile, ctx.events, ctx.nowMs)) segments.push(rule.name);
	}
	return { segments, primary: segments[0] ?? null, ...(ctx.stored ? { undecided } : {}) };
}

/**
 * The customer profile an item carries in place of an event list: `value` when it is one (a
 * CustomerProfile, what Customer Profile → Get Profile and Export Profiles write: it has a numeric
 * `ordersCount`), else undefined.
 */
export function storedProfile(value: unknown): Record<string, unknown> | undefined {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
	return typeof (value as Record<string, unknown>).ordersCount === 'number' ? (value as Record<string, unknown>) : undefined;
}

/**
 * A condition decided from a stored profile (CustomerProfile) instead of the events:
 * true, false, or undefined when the profile cannot tell. The windows are the condition's own,
 * counted back from `nowMs` like the events' (from `nowMs - withinHours` to `nowMs`, both included).
 *
 * - Order Completed, at least / at most N in the window: the profile keeps `ordersCount`,
 *   `firstOrderAt` and `lastOrderAt`, so it knows when its first and last orders were and that the
 *   others fall between them. Undecided only when those others may or may not be in the window
 *   (more than two orders, the window cutting the span from the first to the last).
 * - Product Viewed, at least / at most N in the window: `recentViews` keeps each product's latest
 *   view (the newest products only), so the window holds at least as many views as products seen
 *   in it, maybe more (the same product viewed again). Decided when that is already N or more, or
 *   when no product was seen in the window; undecided otherwise (1 or 2 products for the 3 views
 *   of Engaged Browsers), and when a view is later than `nowMs` (it may hide one in the window).
 *   A view with neither product_id, sku nor name is not kept by the profile, so it is not seen
 *   (except one stored so by an earlier build, kept while it is the customer's latest view).
 * - Checkout Started not followed by Order Completed: the profile keeps the open cart (none once
 *   an order or a completed checkout closed it) and when it last changed (`updatedAt`), not when
 *   the checkout started. No open cart: false, unless the customer was seen (lastSeenAt,
 *   lastOrderAt) after `nowMs`, which may have closed a cart open then: undecided. An open cart
 *   last changed before the window: false.
 *   Changed in the window and it is a checkout (it has a `checkout_id`): true. Changed in the window
 *   without a checkout_id (a cart that may never have reached checkout), or later than `nowMs`:
 *   undecided. So a checkout started before the window and changed in it counts; one whose event
 *   carried no products (no cart) is not seen.
 * - Any other event condition: undecided. Profile fields (`trait`) read `traits` (the Profile
 *   Field's object, as without a stored profile; by default the stored profile itself).
 * - Groups: all / any of their conditions, where an undecided one decides nothing (all: false if
 *   one is false, true if all are true; any: true if one is true, false if all are false).
 */
export function decideFromProfile(c: Condition, p: Record<string, unknown>, nowMs: number, traits: Record<string, unknown> = p): boolean | undefined {
	const from = 'withinHours' in c && c.withinHours ? nowMs - c.withinHours * 3_600_000 : -Infinity;
	switch (c.type) {
		case 'event': {
			const key = eventKey(c.event);
			const range = key === 'order completed' ? ordersWithin(p, from, nowMs) : key === 'product viewed' ? viewsWithin(p, from, nowMs) : undefined;
			if (!range) return undefined;
			const [min, max] = range;
			if (c.operator === 'atLeast') return min >= c.count ? true : max < c.count ? false : undefined;
			return max <= c.count ? true : min > c.count ? false : undefined;
		}
		case 'notAfter':
			return eventKey(c.event) === 'checkout started' && eventKey(c.thenEvent) === 'order completed' ? openCheckoutWithin(p, from, nowMs) : undefined;
		case 'trait':
			return evaluate(c, traits, [], nowMs);
		case 'group': {
			let unknown = false;
			for (const x of c.conditions) {
				const d = decideFromProfile(x, p, nowMs, traits);
				if (d === undefined) unknown = true;
				else if (d === (c.match === 'any')) return d;
			}
			return unknown ? undefined : c.match === 'all';
		}
	}
}

const timeOf = (v: unknown): number | undefined => (typeof v === 'string' || typeof v === 'number' ? parseTimeMs(v) : undefined);

/** Fewest and most Order Completed in [from, now] the profile allows; undefined when it lacks the dates. */
function ordersWithin(p: Record<string, unknown>, from: number, now: number): [number, number] | undefined {
	const n = p.ordersCount;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return undefined;
	if (n === 0) return [0, 0];
	const last = timeOf(p.lastOrderAt);
	const first = n === 1 ? last : timeOf(p.firstOrderAt);
	if (last === undefined || first === undefined) return undefined;
	const inside = (t: number) => t >= from && t <= now;
	const known = n === 1 ? Number(inside(last)) : Number(inside(first)) + Number(inside(last));
	// the other orders, somewhere from the first to the last
	const between = Math.max(0, n - 2);
	if (between === 0 || last < from || first > now) return [known, known];
	if (first >= from && last <= now) return [n, n];
	return [known, known + between];
}

/** Fewest and most Product Viewed in [from, now] the profile's recentViews allow. */
function viewsWithin(p: Record<string, unknown>, from: number, now: number): [number, number] | undefined {
	if (!Array.isArray(p.recentViews)) return undefined;
	let products = 0;
	let hidden = false;
	for (const view of p.recentViews) {
		const t = timeOf((view as Record<string, unknown> | null)?.at);
		if (t === undefined || t > now) hidden = true;
		else if (t >= from) products++;
	}
	// each product's latest view only: the window may hold more views than products
	return [products, products === 0 && !hidden ? 0 : Infinity];
}

/** Checkout Started in [from, now] with no Order Completed after it, from the profile's open cart. */
function openCheckoutWithin(p: Record<string, unknown>, from: number, now: number): boolean | undefined {
	const cart = p.openCart;
	// No open cart now. With a Reference Date in the past, a customer seen after it (an order, a
	// completed checkout) may have closed a cart that was open then: the profile cannot tell.
	if (cart === null) return [p.lastSeenAt, p.lastOrderAt].some((v) => (timeOf(v) ?? -Infinity) > now) ? undefined : false;
	if (typeof cart !== 'object' || Array.isArray(cart)) return undefined;
	const updated = timeOf((cart as Record<string, unknown>).updatedAt);
	if (updated === undefined || updated > now) return undefined;
	if (updated < from) return false;
	const checkout = (cart as Record<string, unknown>).checkout_id;
	return (typeof checkout === 'string' && checkout !== '') || typeof checkout === 'number' ? true : undefined;
}
