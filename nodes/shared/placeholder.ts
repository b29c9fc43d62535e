/**
 * Normalize Event's item for a payload that held no events (an empty batch), and how Customer
 * Profile's Record Events recognises it to pass it through: one definition for both nodes.
 */
import type { IDataObject } from 'n8n-workflow';

export function emptyBatchPlaceholder(sourceId: string): IDataObject {
	return { event: null, skipped: true, reason: 'The payload held no events', source: sourceId };
}

/** `{ event: null, skipped: true, … }` without a messageId: not an event. */
export function isEmptyBatchPlaceholder(value: unknown): boolean {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const o = value as IDataObject;
	return o.skipped === true && (o.event === null || o.event === undefined) && (o.messageId === null || o.messageId === undefined);
}
