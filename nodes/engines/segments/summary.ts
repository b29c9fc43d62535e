/**
 * Turns transactions into the per-customer (frequency, recency, T, monetary) summary the BG/NBD
 * and Gamma-Gamma models use, with the conventions of `lifetimes`'
 * `summary_data_from_transaction_data`: purchases on the same calendar day (UTC) are one
 * transaction whose value is their sum; frequency = purchase days - 1; recency = last - first
 * purchase day; T = end of observation - first purchase day; monetary = mean value of the REPEAT
 * transactions (the first is excluded; 0 when there is none). Transactions after the observation
 * end are ignored.
 */
export type TimeUnit = 'days' | 'weeks';

export interface CustomerSummary {
	customerId: string;
	frequency: number;
	recency: number;
	T: number;
	/** Mean value of the repeat transactions, in major units. */
	monetary: number;
	/** Total value of all transactions in the period, in minor units. */
	totalMinor: number;
	firstDay: number;
	lastDay: number;
}

interface Acc {
	days: Map<number, number>;
}

export const DAY_MS = 86_400_000;

/**
 * Appended to every "is not a date" message of Customer Segments (order dates, CSV columns, event
 * timestamps, Reference Date, End of Observation), worded as Customer Profile and Recommend
 * Products word it, so the user learns what to write instead.
 */
export const DATE_HINT = 'use ISO 8601, e.g. 2024-01-10T10:00:00Z; without a zone it is UTC';

/** Day number (days since 1970-01-01 UTC) of an epoch-ms time. */
export function dayNumber(ms: number): number {
	return Math.floor(ms / DAY_MS);
}

export class TransactionSummarizer {
	private readonly customers = new Map<string, Acc>();

	/** amountMinor: integer minor units. */
	add(customerId: string, day: number, amountMinor: number): void {
		let acc = this.customers.get(customerId);
		if (!acc) {
			acc = { days: new Map() };
			this.customers.set(customerId, acc);
		}
		acc.days.set(day, (acc.days.get(day) ?? 0) + amountMinor);
	}

	get size(): number {
		return this.customers.size;
	}

	summarize(endDay: number, unit: TimeUnit, minorPerMajor = 100): CustomerSummary[] {
		const scale = unit === 'weeks' ? 7 : 1;
		const out: CustomerSummary[] = [];
		for (const [customerId, acc] of this.customers) {
			const days = [...acc.days.entries()].filter(([d]) => d <= endDay).sort((a, b) => a[0] - b[0]);
			if (days.length === 0) continue;
			const firstDay = days[0][0];
			const lastDay = days[days.length - 1][0];
			let total = 0;
			let repeat = 0;
			for (let i = 0; i < days.length; i++) {
				total += days[i][1];
				if (i > 0) repeat += days[i][1];
			}
			const frequency = days.length - 1;
			out.push({
				customerId,
				frequency,
				recency: (lastDay - firstDay) / scale,
				T: (endDay - firstDay) / scale,
				monetary: frequency > 0 ? repeat / frequency / minorPerMajor : 0,
				totalMinor: total,
				firstDay,
				lastDay,
			});
		}
		return out;
	}
}
