import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { parameterTimeMs, type IdentityLookup } from '../../engines/profile';
import { errorMessage, itemsLabel } from '../../shared/errors';
import { isCustomerlessPlaceholder } from '../../shared/placeholder';

// The store's parameters are read in nodes/shared/profileStore.ts (shared with ESP Dispatch's Sent-Key Memory).
export { exactError, getStore } from '../../shared/profileStore';
import { exactError } from '../../shared/profileStore';

export const findByProperties: INodeProperties[] = [
	{
		displayName: 'Find Customer By',
		name: 'findBy',
		type: 'options',
		default: 'item',
		options: [
			{
				name: 'The Item’s Identities',
				value: 'item',
				description: 'The item’s userId, then email, then anonymousId (as in canonical events)',
			},
			{ name: 'User ID', value: 'userId' },
			{ name: 'Email', value: 'email' },
			{ name: 'Anonymous ID', value: 'anonymousId' },
		],
		description: 'How to find the customer in the store',
	},
	{
		displayName: 'Value',
		name: 'findValue',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.email }}',
		description: 'The user ID, email or anonymous ID to look up',
		displayOptions: { hide: { findBy: ['item'] } },
	},
];

/**
 * Whether the item is Normalize Event's placeholder for a payload that held no events
 * (`{ event: null, skipped: true, reason, source }`, nodes/shared/placeholder.ts). It has no event
 * and no customer, so Get, Check Event Since, Erase and Check Suppression pass it through, paired,
 * with their "nothing found" result, as Record Events passes it through with status `skipped`;
 * the item keeps its `skipped: true` and `reason`. Only that exact shape with no customer on it
 * (isCustomerlessPlaceholder): another item with `skipped: true` is looked up as any other.
 */
/**
 * A date parameter (Check Event Since's Since Time, Export's Since) as epoch ms, read as Record
 * Events reads timestamps: without a zone, UTC (never the server's zone; parameterTimeMs). An
 * error naming the item and the parameter when it is no date.
 */
export function dateParameterMs(ctx: IExecuteFunctions, raw: unknown, label: string, i: number): number {
	const time = parameterTimeMs(raw);
	if (time === undefined) {
		throw new NodeOperationError(ctx.getNode(), `Item ${i}: "${label}" (${String(raw)}) is not a valid date`, {
			itemIndex: i,
			description: 'Use ISO-8601, e.g. 2026-03-01T10:00:00Z; a date-time without a zone is UTC.',
		});
	}
	return time;
}

export function isPlaceholderItem(item: INodeExecutionData): boolean {
	return isCustomerlessPlaceholder(item.json);
}

/** The identity to look up for item i; throws naming the item and field when there is none. */
export function lookupFor(ctx: IExecuteFunctions, item: INodeExecutionData, i: number): IdentityLookup {
	const findBy = ctx.getNodeParameter('findBy', i, 'item') as string;
	const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '');
	if (findBy === 'item') {
		const j = item.json;
		const lookup = { userId: text(j.userId), email: text(j.email), anonymousId: text(j.anonymousId) };
		if (!lookup.userId && !lookup.email && !lookup.anonymousId) {
			throw new NodeOperationError(ctx.getNode(), `Item ${i} has no userId, email or anonymousId field to find the customer by`, {
				itemIndex: i,
				description: 'Feed canonical events (Normalize Event) or set "Find Customer By" to a single identity and its value.',
			});
		}
		return lookup;
	}
	const value = text(ctx.getNodeParameter('findValue', i, ''));
	if (!value) {
		throw new NodeOperationError(ctx.getNode(), `Item ${i}: "Value" is empty, so there is no ${findBy} to find the customer by`, {
			itemIndex: i,
		});
	}
	return { [findBy]: value };
}

/** The items a batch call was for, as shared/errors.ts itemsLabel names them ("Item 3", "Items 0 to 999"). */
export function batchLabel(part: Array<{ i: number }>): string {
	return itemsLabel(part.map((p) => p.i));
}

/** The message of an error of item i, naming the item (`Item i: …`) when it does not yet. */
export function itemMessage(error: unknown, i: number): string {
	const message = errorMessage(error);
	return message.startsWith(`Item ${i}:`) || message.startsWith(`Item ${i} `) ? message : `Item ${i}: ${message}`;
}

/** Wraps anything thrown for item i (e.g. a store failure) in a NodeOperationError naming the item. */
export function itemError(ctx: IExecuteFunctions, error: unknown, i: number): NodeOperationError {
	return error instanceof NodeOperationError ? error : exactError(ctx, itemMessage(error, i), { itemIndex: i });
}

/**
 * What a failing item i gives: with Continue On Fail, its error item (paired, naming the item);
 * without, the error to throw (a NodeOperationError naming the item).
 */
export function failedItem(ctx: IExecuteFunctions, error: unknown, i: number): INodeExecutionData {
	if (!ctx.continueOnFail()) throw itemError(ctx, error, i);
	return { json: { error: itemMessage(error, i) }, pairedItem: { item: i } };
}

/** Reads a dot path. */
export function readPath(data: IDataObject, path: string): unknown {
	let current: unknown = data;
	for (const key of path.split('.')) {
		if (typeof current !== 'object' || current === null) return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}
