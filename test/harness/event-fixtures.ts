/** Documented provider payloads (test/fixtures/events) as fresh copies, and one source's mapping run on them. */
import { getSource } from '../../nodes/engines/events/registry';
import type { NormalizeInput } from '../../nodes/engines/events/types';
import type { CanonicalEvent } from '../../nodes/engines/types/CanonicalEvent';
import { loadFixtures } from './signing';

export const FIXTURE_RECEIVED_AT = new Date('2026-01-01T00:00:00.000Z');

let fixtures: ReturnType<typeof loadFixtures> | undefined;

/** A deep copy of the body of fixture `<source>/<name>.json` (tests may change it). */
export function fixtureBody(source: string, name: string): Record<string, unknown> {
	fixtures ??= loadFixtures();
	const f = fixtures.find((x) => x.source === source && x.name === name);
	if (!f) throw new Error(`no fixture ${source}/${name}`);
	return structuredClone(f.fixture.body) as Record<string, unknown>;
}

/** The source's mapping on a payload, received at FIXTURE_RECEIVED_AT. */
export function normalizeAs(source: string, payload: unknown, onUnknown: NormalizeInput['onUnknown'] = 'skip') {
	return getSource(source)!.normalize({ payload, receivedAt: FIXTURE_RECEIVED_AT, onUnknown });
}

/** The documented SES (via SNS) open, its mail carrying these tags (and recipients, if given). */
export function sesOpenWithTags(tags: Record<string, string[]>, destination?: string[]): Record<string, unknown> {
	const body = fixtureBody('ses', 'open');
	const message = JSON.parse(body.Message as string) as { mail: Record<string, unknown> };
	message.mail.tags = tags;
	if (destination) message.mail.destination = destination;
	body.Message = JSON.stringify(message);
	return body;
}

/** The documented Resend email.opened, its data carrying these tags (an object or a {name, value} list). */
export function resendOpenWithTags(tags: unknown): Record<string, unknown> {
	const body = fixtureBody('resend', 'email.opened');
	(body.data as Record<string, unknown>).tags = tags;
	return body;
}

/** The one canonical event the source maps this documented payload to (anything else fails the test). */
export function normalizedOne(source: string, payload: Record<string, unknown>, headers: Record<string, string> = {}): CanonicalEvent {
	const events = getSource(source)!.normalize({ payload, headers, receivedAt: FIXTURE_RECEIVED_AT, onUnknown: 'error' });
	if (events.length !== 1) throw new Error(`${source}: expected one event, got ${events.length}`);
	return events[0];
}

/** Shopify's documented orders/create as order `orderId` placed at `createdAt` by customer `customerId` with `email`. */
export function shopifyOrder(email: string, createdAt: string, orderId: number, customerId: number): CanonicalEvent {
	return normalizedOne('shopify', shopifyOrderBody('orders-create', email, createdAt, createdAt, orderId, customerId), { 'x-shopify-topic': 'orders/create' });
}

/** Shopify's documented orders/cancelled: order `orderId` (placed at `createdAt`) cancelled at `cancelledAt`. */
export function shopifyCancellation(email: string, createdAt: string, cancelledAt: string, orderId: number, customerId: number): CanonicalEvent {
	const body = shopifyOrderBody('orders-cancelled', email, createdAt, cancelledAt, orderId, customerId);
	Object.assign(body, { cancelled_at: cancelledAt, cancel_reason: 'customer' });
	return normalizedOne('shopify', body, { 'x-shopify-topic': 'orders/cancelled' });
}

/** The fixture's order as `orderId` (its gid too, which the mapping reads first) of customer `customerId`. */
function shopifyOrderBody(fixture: string, email: string, createdAt: string, updatedAt: string, orderId: number, customerId: number): Record<string, unknown> {
	const body = fixtureBody('shopify', fixture);
	Object.assign(body, { id: orderId, admin_graphql_api_id: `gid://shopify/Order/${orderId}`, email, created_at: createdAt, updated_at: updatedAt });
	Object.assign(body.customer as Record<string, unknown>, { id: customerId, admin_graphql_api_id: `gid://shopify/Customer/${customerId}`, email });
	return body;
}
