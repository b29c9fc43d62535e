/**
 * Unsubscribe Link (One-Click): our own signed unsubscribe links (engines/events/unsubscribe.ts).
 * The Personalization Trigger verifies the request (query `e`, `t`, `s`; RFC 8058 POST) and passes
 * the verified address, scope and way of asking here; a GET answers a page and maps to no event.
 */
import type { EventSource } from '../types';
import { EventMappingError } from '../types';
import { normalizeScope, unsubscribedEvent } from '../unsubscribe';
import { isObject, normalizeEmail } from '../util';

export const unsubscribe: EventSource = {
	id: 'unsubscribe',
	displayName: 'Unsubscribe Link (One-Click)',
	topics: [
		{ topic: 'one_click', event: 'Unsubscribed' },
		{ topic: 'confirm_page', event: 'Unsubscribed' },
	],
	normalize(input) {
		const p = input.payload;
		if (!isObject(p)) throw new EventMappingError('the unsubscribe request must be an object { email, scope, how }', 'body');
		const email = normalizeEmail(p.email);
		if (email === null) throw new EventMappingError('email is not an email address', 'email');
		const scope = normalizeScope(p.scope);
		if (scope === undefined) throw new EventMappingError('scope is not a list name', 'scope');
		const how = p.how === 'confirm_page' ? 'confirm_page' : 'one_click';
		return [unsubscribedEvent(email, scope, how, input.receivedAt)];
	},
};
