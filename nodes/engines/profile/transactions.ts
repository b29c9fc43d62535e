import { toMinor } from './fold';
import type { Transaction } from './types';

/**
 * One Order Completed event → one transaction row (amount: total, else revenue, else value;
 * currency default USD). `customer_id` (= profileId) and `timestamp` (= at) repeat two fields
 * under the names Customer Segments RFM reads by default, so Export → RFM needs no field mapping.
 */
export function transactionFromBody(
	row: { profileId: string; messageId: string; ts: number; userId: string | null; email: string | null },
	body: { properties?: Record<string, unknown> },
): Transaction {
	const p = body.properties ?? {};
	const pick = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
	const amount = pick(p.total) ?? pick(p.revenue) ?? pick(p.value) ?? 0;
	const currency = (typeof p.currency === 'string' && p.currency.trim() ? p.currency.trim() : 'USD').toUpperCase();
	const amountMinor = toMinor(amount, currency);
	const at = new Date(row.ts).toISOString();
	return {
		profileId: row.profileId,
		userId: row.userId,
		email: row.email,
		messageId: row.messageId,
		orderId: typeof p.order_id === 'string' ? p.order_id : p.order_id === undefined || p.order_id === null ? null : String(p.order_id),
		at,
		currency,
		amountMinor,
		amount,
		customer_id: row.profileId,
		timestamp: at,
	};
}
