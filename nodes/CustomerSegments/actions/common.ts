import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { numberOf } from '../../engines/rules/compare';
import { parseTimeMs } from '../../engines/segments/parse';
import { minorExponent } from '../../engines/profile/fold';
import { DATE_HINT, DAY_MS } from '../../engines/segments/summary';
import type { DuplicateOrders } from '../../engines/segments/aggregate';

/** Reads a field by name; a name with dots is a path (`profile.traits.plan`), unless the item has that exact key. */
export function readField(data: IDataObject, field: string): unknown {
	if (field in data || !field.includes('.')) return data[field];
	let current: unknown = data;
	for (const key of field.split('.')) {
		if (typeof current !== 'object' || current === null) return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

/** Reads a number; numeric strings are accepted. Returns undefined for anything else. */
export function toNumber(value: unknown): number | undefined {
	// decimal numeric text only, as Rules and trait conditions read it: Number() read "0x10" as 16
	return numberOf(value);
}

/**
 * Handles an error of item `i`: with Continue On Fail it pushes an error item paired with `i`,
 * otherwise it throws. Either way the message starts with `Item i: ` (errors built with itemError
 * already do; others, e.g. an expression that fails or n8n's own binary-data check, get it here).
 */
export function handleItemError(ctx: IExecuteFunctions, error: unknown, i: number, out: INodeExecutionData[]): void {
	const prefix = `Item ${i}: `;
	// not `instanceof Error`: errors made by Node itself may come from another realm
	const text = (error as { message?: unknown } | null)?.message;
	const raw = typeof text === 'string' ? text : String(error);
	const named = raw.startsWith(prefix);
	const message = named ? raw : prefix + raw;
	if (ctx.continueOnFail()) {
		out.push({ json: { error: message }, pairedItem: { item: i } });
		return;
	}
	if (error instanceof NodeOperationError && named) throw error;
	const description = (error as { description?: unknown } | null)?.description;
	throw new NodeOperationError(ctx.getNode(), message, { itemIndex: i, description: typeof description === 'string' ? description : undefined });
}

/**
 * A failure of the whole model (fitted on all items). With Continue On Fail it becomes one error
 * item paired with every input item, placed before the per-item error items; otherwise it is thrown.
 */
export function modelFailure(ctx: IExecuteFunctions, error: NodeOperationError, itemCount: number, itemErrors: INodeExecutionData[]): INodeExecutionData[] {
	if (!ctx.continueOnFail()) throw error;
	return [{ json: { error: error.message }, pairedItem: Array.from({ length: itemCount }, (_, i) => ({ item: i })) }, ...itemErrors];
}

export function itemError(ctx: IExecuteFunctions, i: number, message: string, description?: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `Item ${i}: ${message}`, { itemIndex: i, description });
}

/** A parameter error: names item `i` (like itemError) when the parameter is read per item. */
function parameterError(ctx: IExecuteFunctions, message: string, itemIndex?: number): NodeOperationError {
	return itemIndex === undefined ? new NodeOperationError(ctx.getNode(), message) : itemError(ctx, itemIndex, message);
}

/** Parses a JSON parameter that may already be an object. Pass itemIndex when it is read per item. */
export function parseJsonParameter(ctx: IExecuteFunctions, value: unknown, name: string, itemIndex?: number): unknown {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch (error) {
		throw parameterError(ctx, `"${name}" is not valid JSON: ${(error as Error).message}`, itemIndex);
	}
}

/**
 * Reference date parameter: empty = now. Read as the transactions' dates are (parseTimeMs): a
 * date-time without a zone is UTC, never the n8n server's local time. Other objects (a Luxon
 * DateTime from `{{ $now }}`) are read from their text. Pass itemIndex when it is read per item.
 */
export function referenceMs(ctx: IExecuteFunctions, value: unknown, name = 'Reference Date', itemIndex?: number): number {
	if (value === undefined || value === null || value === '') return Date.now();
	const ms = parseTimeMs(value instanceof Date || typeof value === 'number' ? value : String(value));
	if (ms === undefined) throw parameterError(ctx, `${name} "${String(value)}" is not a date: ${DATE_HINT}`, itemIndex);
	return ms;
}

/** A date without a time: `2024-01-31`, `20240131`, or midnight without a zone (`2024-01-31T00:00:00`, what n8n's date picker gives). */
const WHOLE_DAY = /^(?:\d{4}-\d{2}-\d{2}(?:[T ]00:00(?::00(?:\.0+)?)?)?|\d{8})$/;

/**
 * "As of" date of RFM (Reference Date) and Lifetime Value (End of Observation), one semantics for
 * both: empty = now; a date without a time (see WHOLE_DAY) is the whole of that UTC day, i.e. the
 * last millisecond of it, so orders on that day count; anything else (a time of day, a zone such
 * as `Z` or `+02:00`, a Luxon DateTime from `{{ $now }}`, epoch milliseconds) is that instant,
 * read as referenceMs reads it (no zone = UTC). Orders after the returned instant are left out.
 */
export function asOfMs(ctx: IExecuteFunctions, value: unknown, name: string): number {
	const ms = referenceMs(ctx, value, name);
	return typeof value === 'string' && WHOLE_DAY.test(value.trim()) ? ms + DAY_MS - 1 : ms;
}

/**
 * The identities written right after customer_id on a customer's output item (RFM and Lifetime
 * Value from transactions), so Customer Profile → Get Profile (which finds a customer by the
 * item's userId, email or anonymousId) finds it: the customer's CARRIED_IDENTITIES as its orders
 * carried them (see IdentityCollector), and the id under its own field name too (e.g. email)
 * when that is a plain name other than customer_id.
 */
export function carriedIdentity(identities: Record<string, string> | undefined, idField: string, id: string): IDataObject {
	const carried: IDataObject = { ...identities };
	if (idField !== 'customer_id' && !idField.includes('.')) carried[idField] = id;
	return carried;
}

/**
 * The Currency Field when the option is not set: `currency` beside the amount, so a canonical Order
 * Completed read at `properties.total` is checked at `properties.currency`; `currency` for a plain
 * amount field (Customer Profile's Export Transactions).
 */
function defaultCurrencyField(amountField: string): string {
	const dot = amountField.lastIndexOf('.');
	return dot > 0 ? `${amountField.slice(0, dot)}.currency` : 'currency';
}

/**
 * Where RFM and Lifetime Value look for an item's order id (DuplicateOrders): the Order ID Field
 * option when set (empty: nowhere, only messageId is checked); else `order_id` beside the amount
 * (`properties.order_id` for a canonical Order Completed read at `properties.total`), and for a
 * plain amount field `order_id` then `orderId` (Customer Profile's Export Transactions).
 */
export function orderIdFields(option: unknown, amountField: string): string[] {
	if (option !== undefined && option !== null) {
		const field = String(option).trim();
		return field === '' ? [] : [field];
	}
	const dot = amountField.lastIndexOf('.');
	return dot > 0 ? [`${amountField.slice(0, dot)}.order_id`] : ['order_id', 'orderId'];
}

/** The Order ID Field option (RFM and Lifetime Value). */
export const ORDER_ID_OPTION: INodeProperties = {
	displayName: 'Order ID Field',
	name: 'orderIdField',
	type: 'string',
	default: 'order_id',
	description:
		'Field with the order id: an order that arrives twice (the same order id of the same customer, e.g. Order Completed and Order Paid, or overlapping exports) counts once, as does an item whose messageId was already counted (a redelivered webhook). When not set: order_id beside the amount (properties.order_id for properties.total), else orderId. Empty: only messageId is checked. Refunds (negative amounts) are never merged with their order.',
};

/** Orders that arrived twice: counted in `extra` (`duplicate_orders_dropped`, for the RFM summary or the CLV model item) and said in a hint; returns the warning. */
export function reportDuplicates<P>(ctx: IExecuteFunctions, duplicates: DuplicateOrders<P>, extra: IDataObject, where?: (at: P) => string): string | undefined {
	const warning = duplicates.warning(where);
	if (warning === undefined) return undefined;
	extra.duplicate_orders_dropped = duplicates.dropped;
	ctx.addExecutionHints({ message: warning, type: 'warning', location: 'outputPane' });
	return warning;
}

/** The currency the amounts are in (RFM and Lifetime Value), and the decimal places they are read at. */
export interface AmountCurrency {
	/** Upper-case code the items name, or undefined when none names one. */
	currency?: string;
	/** Decimal places of the minor unit: the option when set, else ISO 4217 for `currency`, else 2. */
	decimals: number;
}

/**
 * Reads the Currency Field (the option `currencyField`; when not set, `currency` beside the amount
 * field, defaultCurrencyField, as Customer Profile's Export Transactions and the canonical Order
 * Completed name it) of every item. Amounts of different currencies must not be
 * added up or compared: more than one code (trimmed, without case) stops the node naming each
 * currency with its first item. One code sets the decimal places amounts are read and summed at
 * to its ISO 4217 minor unit (JPY 0, KWD 3: 1.234 KWD was cut to 1.23), unless the Currency Decimal
 * Places option is set. Items without the field are taken to be in that currency.
 */
export function amountCurrency(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	options: { currencyField?: unknown; decimals?: unknown },
	amountField: string,
	operation: string,
): AmountCurrency {
	const field = String(options.currencyField ?? defaultCurrencyField(amountField)).trim();
	const decimalsOption = options.decimals;
	const first = new Map<string, number>();
	if (field !== '') {
		for (let i = 0; i < items.length; i++) {
			const value = readField(items[i].json, field);
			if (typeof value !== 'string' || value.trim() === '') continue;
			const code = value.trim().toUpperCase();
			if (!first.has(code)) first.set(code, i);
		}
	}
	if (first.size > 1) {
		const list = [...first].map(([code, i]) => `${code} from item ${i}`).join(', ');
		throw new NodeOperationError(ctx.getNode(), `Amounts are in ${first.size} currencies (currency field "${field}": ${list}): ${operation} adds up and compares amounts, so they must be in one currency`, {
			description: 'Convert the amounts to one currency first, or split the items by currency (e.g. with a Switch node) and run one Customer Segments node per currency. Leave the Currency Field empty to add them up anyway.',
		});
	}
	const currency = first.size === 1 ? [...first.keys()][0] : undefined;
	const explicit = toNumber(decimalsOption);
	const decimals = explicit !== undefined ? explicit : currency !== undefined ? minorExponent(currency) : 2;
	return currency === undefined ? { decimals } : { currency, decimals };
}
