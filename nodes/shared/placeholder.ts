/**
 * Normalize Event's item for a payload that held no events (an empty batch), and how the nodes
 * after it recognise it to pass it through (Customer Profile's operations, ESP Dispatch): one
 * definition for all of them.
 */
import type { IDataObject } from 'n8n-workflow';

/** The reason when On Unknown Event drops unmapped topics: the payload may have held only those. */
export const NO_EVENTS_LEFT = 'The payload held no events to emit: an empty batch, or only topics this source does not map (dropped by On Unknown Event)';

export function emptyBatchPlaceholder(sourceId: string, reason = 'The payload held no events'): IDataObject {
	return { event: null, skipped: true, reason, source: sourceId };
}

/** `{ event: null, skipped: true, … }` without a messageId: not an event. */
export function isEmptyBatchPlaceholder(value: unknown): boolean {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const o = value as IDataObject;
	return o.skipped === true && (o.event === null || o.event === undefined) && (o.messageId === null || o.messageId === undefined);
}

/**
 * The placeholder as the nodes that look a customer up (Customer Profile's Get, Check Event Since,
 * Erase, Check Suppression) and ESP Dispatch must read it: exactly Normalize Event's shape
 * (`event: null`, not merely absent) and no customer on it (no userId, email or anonymousId).
 * An item that only has `skipped: true` (Customer Segments → Lifetime Value's skipped customers,
 * a flag of one's own) is a customer like any other: it is looked up, checked, erased and mailed.
 */
export function isCustomerlessPlaceholder(value: unknown): boolean {
	if (!isEmptyBatchPlaceholder(value)) return false;
	const o = value as IDataObject;
	const named = (v: unknown) => (typeof v === 'string' && v.trim() !== '') || typeof v === 'number';
	return o.event === null && !named(o.userId) && !named(o.email) && !named(o.anonymousId);
}
