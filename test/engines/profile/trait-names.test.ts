/**
 * Trait names come from payloads (a Segment identify sent by the browser, a custom webhook): any
 * text. A trait named like a member of Object.prototype ("constructor", "toString", "valueOf",
 * "hasOwnProperty") read that member as the time of its last change and was dropped without a word;
 * "__proto__" must never become a trait (written into a plain object it would replace the
 * object's prototype, and a JSON key "__proto__" handed on to other nodes invites prototype
 * pollution there).
 */
import { applyEvent, emptyState, mergeStates, toProfile, validateEvent } from '../../../nodes/engines/profile/fold';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function identify(messageId: string, minutes: number, traitsJson: string): CanonicalEvent {
	// JSON.parse, as a webhook body is read: "__proto__" is then an own key like any other
	return { type: 'identify', event: 'Identify', messageId, timestamp: at(minutes), receivedAt: at(minutes), userId: 'u', traits: JSON.parse(traitsJson) } as CanonicalEvent;
}

describe('trait names that are Object.prototype members', () => {
	const traits = '{"constructor":"c","toString":"t","valueOf":"v","hasOwnProperty":"h","__proto__":{"polluted":true},"plan":"pro"}';

	it('keeps "constructor", "toString", "valueOf" and "hasOwnProperty" as traits; drops "__proto__"', () => {
		const v = validateEvent(identify('t-1', 1, traits));
		const state = applyEvent(emptyState('p', v.ts), v);
		const profile = toProfile(state, new Date(T0 + 86_400_000));
		expect(profile.traits).toEqual({ constructor: 'c', toString: 't', valueOf: 'v', hasOwnProperty: 'h', plan: 'pro' });
		expect(Object.getPrototypeOf(profile.traits)).toBe(Object.prototype);
		expect(Object.hasOwn(profile.traits, '__proto__')).toBe(false);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('a later value of such a trait wins, in the fold and in a merge', () => {
		const a = validateEvent(identify('t-2', 1, '{"constructor":"old"}'));
		const b = validateEvent(identify('t-3', 2, '{"constructor":"new"}'));
		const one = applyEvent(applyEvent(emptyState('p', a.ts), a), b);
		expect(toProfile(one).traits.constructor).toBe('new');
		// merged from a stored state (JSON, as the stores keep it) into an empty one
		const merged = mergeStates(emptyState('q', a.ts), JSON.parse(JSON.stringify(one)));
		expect(toProfile(merged).traits).toEqual({ constructor: 'new' });
	});
});
