/**
 * Transactions → RfmAccumulator, from item objects (`{ json }`, as n8n passes them) or from a
 * CSV byte stream. Kept here, free of n8n, so the node and the benchmark run the same code.
 */
import { readCsv, type CsvRow } from './csv';
import { parseDecimalBytes, parseMoneyMinor, parseTimeBytes, parseTimeMs } from './parse';
import { RfmAccumulator } from './rfm';

export interface TransactionFields {
	customerId: string;
	amount: string;
	timestamp: string;
	/** Optional field carrying the customer's previous segment. */
	previousSegment?: string;
}

export interface ItemAggregation {
	acc: RfmAccumulator;
	/** Per customer: the first input item index in its chain (-1: none); `nextItem` links the rest. */
	firstItem: Int32Array;
	nextItem: Int32Array;
	/** Previous segment per customer index, when an item carried one. */
	previousSegment: Map<number, string>;
	/** Items that could not be used: index and message. */
	errors: Array<{ index: number; field: string; message: string }>;
}

function read(data: Record<string, unknown>, field: string): unknown {
	if (field in data || !field.includes('.')) return data[field];
	let current: unknown = data;
	for (const key of field.split('.')) {
		if (typeof current !== 'object' || current === null) return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

/** A reader for one field, decided once: plain names skip the dot-path logic. */
function reader(field: string): (data: Record<string, unknown>) => unknown {
	if (!field.includes('.')) return (data) => data[field];
	return (data) => read(data, field);
}

function describe(value: unknown): string {
	if (value === undefined) return 'missing';
	const s = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
	return s === undefined ? String(value) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

export function customerIdOf(value: unknown): string | undefined {
	if (typeof value === 'string') {
		const n = value.length;
		if (n > 0 && value.charCodeAt(0) > 32 && value.charCodeAt(n - 1) > 32) return value;
		const t = value.trim();
		return t === '' ? undefined : t;
	}
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'bigint') return String(value);
	return undefined;
}

/** One pass over the items; bad items are reported (never thrown) so the caller decides. */
export function aggregateItems(
	items: ReadonlyArray<{ json: Record<string, unknown> }>,
	fields: TransactionFields,
	options: { referenceMs: number; decimals: number; stopOnError?: boolean },
): ItemAggregation {
	const acc = new RfmAccumulator(options.referenceMs);
	let firstItem = new Int32Array(1024).fill(-1);
	let lastItem = new Int32Array(1024).fill(-1);
	const nextItem = new Int32Array(items.length).fill(-1);
	const previousSegment = new Map<number, string>();
	const errors: ItemAggregation['errors'] = [];
	const readId = reader(fields.customerId);
	const readAmount = reader(fields.amount);
	const readTime = reader(fields.timestamp);
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json;
		const rawId = readId(json);
		const id = customerIdOf(rawId);
		if (id === undefined) {
			errors.push({ index: i, field: fields.customerId, message: `customer id field "${fields.customerId}" is ${describe(rawId)}` });
			if (options.stopOnError) break;
			continue;
		}
		const rawAmount = readAmount(json);
		const amount = parseMoneyMinor(rawAmount, options.decimals);
		if (amount === undefined) {
			errors.push({ index: i, field: fields.amount, message: `amount field "${fields.amount}" is not a number (${describe(rawAmount)})` });
			if (options.stopOnError) break;
			continue;
		}
		const rawTime = readTime(json);
		const ms = parseTimeMs(rawTime);
		if (ms === undefined) {
			errors.push({ index: i, field: fields.timestamp, message: `timestamp field "${fields.timestamp}" is not a date (${describe(rawTime)})` });
			if (options.stopOnError) break;
			continue;
		}
		const c = acc.add(id, ms, amount);
		if (c < 0) continue; // after the reference date
		if (c >= firstItem.length) {
			const grow = (a: Int32Array) => {
				const b = new Int32Array(a.length * 2).fill(-1);
				b.set(a);
				return b;
			};
			firstItem = grow(firstItem);
			lastItem = grow(lastItem);
		}
		if (firstItem[c] < 0) firstItem[c] = i;
		else nextItem[lastItem[c]] = i;
		lastItem[c] = i;
		if (fields.previousSegment) {
			const prev = read(json, fields.previousSegment);
			if (typeof prev === 'string' && prev.trim() !== '') previousSegment.set(c, prev.trim());
		}
	}
	return { acc, firstItem, nextItem, previousSegment, errors };
}

/**
 * Open-addressing hash index from id BYTES to a number, so the CSV path does not allocate a
 * string per row: a string is made once per new customer.
 */
export class ByteKeyIndex {
	private table = new Int32Array(1 << 16).fill(-1);
	/** Per key, side by side: hash, arena offset, length, value. */
	private records = new Int32Array(4 << 12);
	private arena = new Uint8Array(1 << 16);
	private used = 0;
	size = 0;

	static hash(buf: Uint8Array, s: number, e: number): number {
		let h = 0x811c9dc5;
		for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
		// FNV's low bits mix poorly for near-identical keys (c0000001, c0000002…): finish with
		// MurmurHash3's fmix32 so the table index (low bits) spreads.
		h ^= h >>> 16;
		h = Math.imul(h, 0x85ebca6b);
		h ^= h >>> 13;
		h = Math.imul(h, 0xc2b2ae35);
		h ^= h >>> 16;
		return h | 0;
	}

	/** The value stored for these bytes, or -1. */
	get(buf: Uint8Array, s: number, e: number, h: number): number {
		const table = this.table;
		const records = this.records;
		const arena = this.arena;
		const mask = table.length - 1;
		const len = e - s;
		for (let slot = h & mask; ; slot = (slot + 1) & mask) {
			const k = table[slot];
			if (k < 0) return -1;
			const r = 4 * k;
			if (records[r] === h && records[r + 2] === len) {
				const a = records[r + 1];
				let i = 0;
				while (i < len && arena[a + i] === buf[s + i]) i++;
				if (i === len) return records[r + 3];
			}
		}
	}

	/** Stores bytes → value (the bytes must not be present yet). */
	set(buf: Uint8Array, s: number, e: number, h: number, value: number): void {
		const k = this.size;
		if (4 * k === this.records.length) {
			const bigger = new Int32Array(this.records.length * 2);
			bigger.set(this.records);
			this.records = bigger;
		}
		const len = e - s;
		if (this.used + len > this.arena.length) {
			const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.used + len));
			bigger.set(this.arena.subarray(0, this.used));
			this.arena = bigger;
		}
		this.arena.set(buf.subarray(s, e), this.used);
		const r = 4 * k;
		this.records[r] = h;
		this.records[r + 1] = this.used;
		this.records[r + 2] = len;
		this.records[r + 3] = value;
		this.used += len;
		this.size++;
		if (this.size * 2 > this.table.length) this.rehash();
		else this.place(k);
	}

	private place(k: number): void {
		const mask = this.table.length - 1;
		let slot = this.records[4 * k] & mask;
		while (this.table[slot] >= 0) slot = (slot + 1) & mask;
		this.table[slot] = k;
	}

	private rehash(): void {
		this.table = new Int32Array(this.table.length * 2).fill(-1);
		for (let k = 0; k < this.size; k++) this.place(k);
	}
}

const byteIndexes = new WeakMap<RfmAccumulator, ByteKeyIndex>();

export class CsvRowError extends Error {
	constructor(
		message: string,
		public readonly line: number,
	) {
		super(message);
		this.name = 'CsvRowError';
	}
}

/**
 * Streams a CSV into an accumulator. Bad rows call `onBadRow` (return false to stop with an
 * error naming the line); without it the first bad row throws.
 */
export async function aggregateCsv(
	source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
	acc: RfmAccumulator,
	fields: TransactionFields,
	options: { decimals: number; delimiter?: string; onBadRow?: (line: number, message: string) => boolean },
): Promise<{ rows: number }> {
	let index = byteIndexes.get(acc);
	if (!index) {
		index = new ByteKeyIndex();
		byteIndexes.set(acc, index);
	}
	const ids = index;
	const reference = acc.reference;
	const fail = (line: number, message: string) => {
		if (!options.onBadRow || !options.onBadRow(line, message)) throw new CsvRowError(`CSV line ${line}: ${message}`, line);
	};
	const result = await readCsv(source, {
		delimiter: options.delimiter,
		columns: (header) => {
			const cols = [fields.customerId, fields.amount, fields.timestamp].map((name) => header.indexOf(name));
			const missing = [fields.customerId, fields.amount, fields.timestamp].filter((_, k) => cols[k] < 0);
			if (missing.length) {
				throw new CsvRowError(`CSV header has no column ${missing.map((m) => `"${m}"`).join(', ')} (columns: ${header.join(', ')})`, 1);
			}
			return cols;
		},
		onRow: (row: CsvRow) => {
			const { buf, starts, ends } = row;
			let s = starts[0];
			let e = ends[0];
			if (e < 0) return fail(row.line, `no value in column "${fields.customerId}"`);
			while (s < e && buf[s] === 32) s++;
			while (e > s && buf[e - 1] === 32) e--;
			if (e === s) return fail(row.line, `empty customer id in column "${fields.customerId}"`);
			const amount = ends[1] < 0 ? undefined : parseDecimalBytes(buf, starts[1], ends[1], options.decimals);
			if (amount === undefined) {
				return fail(row.line, `amount "${ends[1] < 0 ? '' : buf.toString('utf8', starts[1], ends[1])}" in column "${fields.amount}" is not a number`);
			}
			const ms = ends[2] < 0 ? undefined : parseTimeBytes(buf, starts[2], ends[2]);
			if (ms === undefined) {
				return fail(row.line, `timestamp "${ends[2] < 0 ? '' : buf.toString('utf8', starts[2], ends[2])}" in column "${fields.timestamp}" is not a date`);
			}
			if (ms > reference) {
				acc.skippedFuture++;
				return;
			}
			const h = ByteKeyIndex.hash(buf, s, e);
			let c = ids.get(buf, s, e, h);
			if (c < 0) {
				c = acc.newCustomer(buf.toString('utf8', s, e), ms);
				ids.set(buf, s, e, h, c);
			}
			acc.addAt(c, ms, amount);
		},
	});
	return { rows: result.rows };
}
