/** Deterministic synthetic transactions for the segments benchmark. */
import fs from 'node:fs';
import { mulberry32 } from '../../nodes/engines/segments/logistic';

export const REFERENCE = '2024-07-01T00:00:00Z';
const START = Date.parse('2023-07-01T00:00:00Z');
const SPAN = Date.parse(REFERENCE) - START;

export interface Tx {
	customer_id: string;
	amount: number;
	timestamp: string;
}

function iso(ms: number): string {
	return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** n transactions over `customers` customers (skewed: some buy often), amounts with cents. */
export function* transactions(n: number, customers: number, seed = 1): Generator<Tx> {
	const random = mulberry32(seed);
	for (let i = 0; i < n; i++) {
		// every customer appears at least once; the rest drawn with a skew towards low ids
		const c = i < customers ? i : Math.floor(customers * random() ** 2);
		const cents = 100 + Math.floor(random() * 20000);
		yield {
			customer_id: `c${String(c).padStart(7, '0')}`,
			amount: cents / 100,
			timestamp: iso(START + Math.floor(random() * SPAN / 1000) * 1000),
		};
	}
}

/** Writes the CSV in ~4 MB pieces; returns its size in bytes. */
export async function writeCsv(file: string, n: number, customers: number): Promise<number> {
	const out = fs.createWriteStream(file);
	let buffer = 'customer_id,amount,timestamp\n';
	const write = (s: string) => new Promise<void>((resolve, reject) => out.write(s, (e) => (e ? reject(e) : resolve())));
	for (const t of transactions(n, customers, 2)) {
		buffer += `${t.customer_id},${t.amount.toFixed(2)},${t.timestamp}\n`;
		if (buffer.length > 4_000_000) {
			await write(buffer);
			buffer = '';
		}
	}
	await write(buffer);
	await new Promise<void>((resolve) => out.end(resolve));
	return fs.statSync(file).size;
}
