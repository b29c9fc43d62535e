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
 * `withinHours` omitted or 0 = all time.
 */
import type { CanonicalEvent } from '../types/CanonicalEvent';
import { parseTimeMs } from './parse';

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

/** Validates a rule (from the UI or JSON); returns problems with a path to the faulty part. */
export function segmentRuleProblems(rule: unknown, path = 'segment'): string[] {
	const problems: string[] = [];
	if (typeof rule !== 'object' || rule === null) return [`${path} must be an object`];
	const r = rule as Record<string, unknown>;
	if (typeof r.name !== 'string' || r.name.trim() === '') problems.push(`${path}.name must be a non-empty string`);
	if (r.match !== 'all' && r.match !== 'any') problems.push(`${path}.match must be "all" or "any"`);
	if (!Array.isArray(r.conditions) || r.conditions.length === 0) problems.push(`${path}.conditions must be a non-empty list`);
	else r.conditions.forEach((c, i) => problems.push(...conditionProblems(c, `${path}.conditions[${i}]`)));
	return problems;
}

function conditionProblems(c: unknown, path: string): string[] {
	if (typeof c !== 'object' || c === null) return [`${path} must be an object`];
	const o = c as Record<string, unknown>;
	const windowOk = o.withinHours === undefined || (typeof o.withinHours === 'number' && o.withinHours >= 0);
	switch (o.type) {
		case 'event': {
			const p: string[] = [];
			if (typeof o.event !== 'string' || !o.event) p.push(`${path}.event must name an event`);
			if (o.operator !== 'atLeast' && o.operator !== 'atMost') p.push(`${path}.operator must be "atLeast" or "atMost"`);
			if (!Number.isInteger(o.count) || (o.count as number) < 0) p.push(`${path}.count must be a whole number >= 0`);
			if (!windowOk) p.push(`${path}.withinHours must be a number >= 0`);
			return p;
		}
		case 'notAfter': {
			const p: string[] = [];
			if (typeof o.event !== 'string' || !o.event) p.push(`${path}.event must name an event`);
			if (typeof o.thenEvent !== 'string' || !o.thenEvent) p.push(`${path}.thenEvent must name an event`);
			if (!windowOk) p.push(`${path}.withinHours must be a number >= 0`);
			return p;
		}
		case 'trait': {
			const ops = ['equals', 'notEquals', 'contains', 'greaterThan', 'lessThan', 'exists', 'notExists'];
			const p: string[] = [];
			if (typeof o.field !== 'string' || !o.field) p.push(`${path}.field must name a profile field`);
			if (!ops.includes(o.operator as string)) p.push(`${path}.operator must be one of ${ops.join(', ')}`);
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

export interface CustomerContext {
	/** Profile fields (any object: CustomerProfile or a CRM record). */
	profile: Record<string, unknown>;
	/** The customer's events; each needs `event` and a parseable `timestamp`. */
	events: Array<Pick<CanonicalEvent, 'event' | 'timestamp'>>;
	nowMs: number;
}

interface PreparedEvent {
	event: string;
	ms: number;
}

/** Sorts and parses events once; throws naming the event index when a timestamp does not parse. */
export function prepareEvents(events: unknown[]): PreparedEvent[] {
	return events
		.map((e, i) => {
			const o = (e ?? {}) as Record<string, unknown>;
			if (typeof o.event !== 'string') throw new RangeError(`events[${i}].event is missing`);
			// Read as every other date of this node: a date-time without a zone is UTC, not local time.
			const ms = typeof o.timestamp === 'string' || typeof o.timestamp === 'number' ? (parseTimeMs(o.timestamp) ?? NaN) : NaN;
			if (Number.isNaN(ms)) throw new RangeError(`events[${i}].timestamp "${String(o.timestamp)}" is not a date`);
			return { event: o.event, ms };
		})
		.sort((a, b) => a.ms - b.ms);
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
			let n = 0;
			for (const e of events) if (e.event === c.event && e.ms >= from && e.ms <= nowMs) n++;
			return c.operator === 'atLeast' ? n >= c.count : n <= c.count;
		}
		case 'notAfter': {
			const from = c.withinHours ? nowMs - c.withinHours * 3_600_000 : -Infinity;
			let latest = -Infinity;
			for (const e of events) if (e.event === c.event && e.ms >= from && e.ms <= nowMs && e.ms > latest) latest = e.ms;
			if (latest === -Infinity) return false;
			return !events.some((e) => e.event === c.thenEvent && e.ms >= latest && e.ms <= nowMs);
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
					if (Array.isArray(v)) return v.some((x) => looseEquals(x, c.value));
					return typeof v === 'string' && v.toLowerCase().includes(String(c.value ?? '').toLowerCase());
				case 'greaterThan':
				case 'lessThan': {
					const a = toComparable(v);
					const b = toComparable(c.value);
					if (a === undefined || b === undefined) return false;
					return c.operator === 'greaterThan' ? a > b : a < b;
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

function looseEquals(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b) && a !== '' && b !== '' && a !== null && b !== null;
	if (typeof a === 'boolean' || typeof b === 'boolean') return String(a) === String(b);
	if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
	return false;
}

/** Numbers, numeric strings and ISO dates compare; anything else does not. */
function toComparable(v: unknown): number | undefined {
	if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
	if (typeof v === 'string' && v.trim() !== '') {
		const n = Number(v);
		if (Number.isFinite(n)) return n;
		if (/^\d{4}-\d{2}-\d{2}/.test(v)) return parseTimeMs(v);
	}
	return undefined;
}

export interface SegmentMembership {
	segments: string[];
	/** The first segment (in configured order) the customer belongs to, or null. */
	primary: string | null;
}

export function evaluateSegments(rules: readonly SegmentRule[], ctx: { profile: Record<string, unknown>; events: PreparedEvent[]; nowMs: number }): SegmentMembership {
	const segments: string[] = [];
	for (const rule of rules) {
		const group: Condition = { type: 'group', match: rule.match, conditions: rule.conditions };
		if (evaluate(group, ctx.profile, ctx.events, ctx.nowMs)) segments.push(rule.name);
	}
	return { segments, primary: segments[0] ?? null };
}
