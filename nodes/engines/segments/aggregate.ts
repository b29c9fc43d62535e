/**
 * Transactions → RfmAccumulator, from item objects (`{ json }`, as n8n passes them) or from a
 * CSV byte stream. Kept here, free of n8n, so the node and the benchmark run the same code.
 */
import { readCsv, type CsvRow } from './csv';
import { daysFromCivil, daysInMonth, parseDecimalBytes, parseMoneyMinor, parseTimeBytes, parseTimeMs } from './parse';
import { RfmAccumulator } from './rfm';
import { DATE_HINT } from './summary';

export interface TransactionFields {
	customerId: string;
	amount: string;
	timestamp: string;
	/** Optional field carrying the customer's previous segment. */
	previousSegment?: string;
	/** Fields that may hold the order id, first present wins (see DuplicateOrders); none: no order-id check. */
	orderId?: string[];
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
	/** Per customer index: its identities (`CARRIED_IDENTITIES`) as its transactions carried them. */
	identities: Map<number, Record<string, string>>;
	/** Items left out because they repeat an order already counted. */
	duplicates: DuplicateOrders;
}

/**
 * Identity fields copied from a customer's transactions to its RFM output, so a customer keyed on
 * any id (Export for Scoring's profileId, an email, a CRM id) can be found again by Customer
 * Profile → Get Profile (which finds by the item's userId, email, anonymousId). Each one comes
 * from the customer's latest transaction that has it (same date: the later item).
 */
export const CARRIED_IDENTITIES = ['userId', 'email', 'anonymousId'] as const;

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
	const readPrevious = fields.previousSegment ? reader(fields.previousSegment) : undefined;
	const carried = new IdentityCollector<number>();
	const duplicates = new DuplicateOrders(fields.orderId ?? []);
	/** Per item: its customer index, so a dropped repeat is paired with the customer of the order it repeats. */
	const customerOfItem = new Int32Array(items.length).fill(-1);
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
			errors.push({ index: i, field: fields.timestamp, message: `timestamp field "${fields.timestamp}" is not a date (${describe(rawTime)}): ${DATE_HINT}` });
			if (options.stopOnError) break;
			continue;
		}
		// only orders that count are remembered: an Order Paid after the reference date must not drop its Order Completed before it
		const repeats = ms <= acc.reference ? duplicates.check(i, id, json, amount) : undefined;
		if (repeats !== undefined) {
			const c = customerOfItem[repeats];
			if (c >= 0) {
				nextItem[lastItem[c]] = i;
				lastItem[c] = i;
			}
			continue;
		}
		const c = acc.add(id, ms, amount);
		if (c < 0) continue; // after the reference date
		customerOfItem[i] = c;
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
		if (readPrevious) {
			const prev = readPrevious(json);
			if (typeof prev === 'string' && prev.trim() !== '') previousSegment.set(c, prev.trim());
		}
		carried.add(c, json, ms);
	}
	return { acc, firstItem, nextItem, previousSegment, errors, identities: carried.all(), duplicates };
}

/** The keys one order is known by (DuplicateOrders.keys). */
export interface OrderKeys {
	message?: string;
	order?: string;
}

/**
 * Drops an order that arrives twice (RFM and Lifetime Value): a webhook delivered again (same
 * `messageId`), the same order under two events (Shopify orders/create and orders/paid, Stripe's
 * Checkout Session and its delayed payment) or two overlapping exports (same order id of the same
 * customer). The first one counts; the ones after it are dropped and counted. An order with a
 * negative amount (a refund) is another transaction of its order, never merged with it by order
 * id; only a redelivery of it (same messageId) is dropped. `P` is where an order was read: an item
 * index, or an item and CSV line.
 */
export class DuplicateOrders<P = number> {
	/** How many were dropped. */
	dropped = 0;
	/** The first repeat: where it was, where the order it repeats was, and by what. */
	first?: { at: P; of: P; by: string };
	private readonly orders = new Map<string, P>();
	private readonly messages = new Map<string, P>();
	private readonly readOrderId: Array<(data: Record<string, unknown>) => unknown>;

	/** orderIdFields: where an item's order id may be, first present wins (canonical `properties.order_id`, an export's `orderId`). */
	constructor(readonly orderIdFields: readonly string[]) {
		this.readOrderId = orderIdFields.map(reader);
	}

	/** The keys of an order; ids are read as customer ids are (customerIdOf: trimmed text or a finite number). */
	keys(customerId: string, orderId: unknown, messageId: unknown, amountMinor: number): OrderKeys {
		const message = customerIdOf(messageId);
		const order = amountMinor >= 0 ? customerIdOf(orderId) : undefined;
		// customer id and order id joined by a character neither holds once trimmed
		return { message, order: order === undefined ? undefined : `${customerId}\u0000${order}` };
	}

	/** Where the order these keys name was counted, when it was (and then `at` is counted as dropped). */
	repeatOf(at: P, keys: OrderKeys): P | undefined {
		const byMessage = keys.message === undefined ? undefined : this.messages.get(keys.message);
		const byOrder = keys.order === undefined ? undefined : this.orders.get(keys.order);
		const of = byMessage ?? byOrder;
		if (of === undefined) return undefined;
		this.dropped++;
		if (this.first === undefined) {
			const by = byMessage !== undefined ? `messageId "${keys.message}"` : `order id "${keys.order!.slice(keys.order!.indexOf('\u0000') + 1)}"`;
			this.first = { at, of, by };
		}
		return of;
	}

	/** Records an order that counts. */
	remember(at: P, keys: OrderKeys): void {
		if (keys.message !== undefined) this.messages.set(keys.message, at);
		if (keys.order !== undefined) this.orders.set(keys.order, at);
	}

	/** Item `i` of `customerId` (an object with `messageId` and the order id fields): where its order was counted, else undefined (and it is remembered). */
	check(i: P, customerId: string, json: Record<string, unknown>, amountMinor: number): P | undefined {
		let orderId: unknown;
		for (let k = 0; k < this.readOrderId.length && customerIdOf(orderId) === undefined; k++) orderId = this.readOrderId[k](json);
		const keys = this.keys(customerId, orderId, json.messageId, amountMinor);
		const of = this.repeatOf(i, keys);
		if (of === undefined) this.remember(i, keys);
		return of;
	}

	/** The warning for the output (undefined when nothing was dropped); `where` names a position. */
	warning(where: (at: P) => string = (at) => `item ${String(at)}`): string | undefined {
		if (this.dropped === 0 || this.first === undefined) return undefined;
		const { at, of, by } = this.first;
		return `${this.dropped} item${this.dropped === 1 ? '' : 's'} repeated an order already counted and ${this.dropped === 1 ? 'was' : 'were'} left out (same messageId, or same order id of the same customer; first: ${where(at)} repeats ${where(of)}, ${by}): each order counts once.`;
	}
}

/**
 * Collects each customer's CARRIED_IDENTITIES from its transactions: each identity from the
 * customer's latest transaction that has it (same time: the one added later). Shared by RFM
 * (keyed by customer index) and Lifetime Value (keyed by customer id).
 */
export class IdentityCollector<K> {
	private readonly carried = new Map<K, { values: Record<string, string>; ms: Record<string, number> }>();

	/** Records the identities `json` carries for customer `key`, from a transaction at `ms`. */
	add(key: K, json: Record<string, unknown>, ms: number): void {
		for (const field of CARRIED_IDENTITIES) {
			const v = json[field];
			const text = typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
			if (text === '') continue;
			let rec = this.carried.get(key);
			if (rec === undefined) this.carried.set(key, (rec = { values: {}, ms: {} }));
			if (rec.ms[field] === undefined || ms >= rec.ms[field]) {
				rec.values[field] = text;
				rec.ms[field] = ms;
			}
		}
	}

	get(key: K): Record<string, string> | undefined {
		return this.carried.get(key)?.values;
	}

	all(): Map<K, Record<string, string>> {
		const out = new Map<K, Record<string, string>>();
		for (const [key, rec] of this.carried) out.set(key, rec.values);
		return out;
	}
}

/** FNV-1a over the bytes, finished with MurmurHash3's fmix32 (FNV's low bits mix poorly for near-identical ids). */
export function hashBytes(buf: Uint8Array, s: number, e: number): number {
	let h = 0x811c9dc5;
	for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	h ^= h >>> 16;
	return h | 0;
}

export const ROW_ADDED = 0;
export const ROW_FUTURE = 1;
export const ROW_BAD_ID = -1;
export const ROW_BAD_AMOUNT = -2;
export const ROW_BAD_TIME = -3;

/** Rows per batch of table updates (see CsvCustomerTable.addRow). */
const BATCH = 32;

const isDigit = (c: number) => c >= 0 && c <= 9;

/**
 * The CSV path's customer table: an open-addressing hash table whose 64-byte slots ARE the
 * records: the key (inline when it fits in 16 bytes) and the four running numbers sit in the
 * slot itself, so a row with a known customer touches one record (one cache line, two when the
 * buffer is not 64-byte aligned) and no separate index. Load factor at most 1/2.
 * Slot layout (bytes): 0 customer index + 1 (0 = empty), 4 hash, 8 key length, 12 arena offset
 * (long keys), 16-31 inline key, 32 last ms, 40 first ms, 48 count, 56 sum (minor units).
 * Customers keep their first-seen order through `slotOf` (customer index → slot).
 */
export class CsvCustomerTable {
	private capacity = 1 << 12;
	private bytes = new Uint8Array(64 * this.capacity);
	private i32 = new Int32Array(this.bytes.buffer);
	private f64 = new Float64Array(this.bytes.buffer);
	private slotOf = new Int32Array(this.capacity >> 1);
	private arena = new Uint8Array(1 << 16);
	private used = 0;
	readonly ids: string[] = [];

	get size(): number {
		if (this.batched > 0) this.flush();
		return this.ids.length;
	}

	/** Transactions dated after this are left out (addRow answers ROW_FUTURE). */
	reference = Infinity;
	/** Decimal places of the amounts (minor units). */
	decimals = 2;
	/** Rows parsed but not yet added (see addRow), all from `batchBuf`. */
	private batched = 0;
	private batchBuf: Buffer = Buffer.alloc(0);
	private readonly bHash = new Int32Array(BATCH);
	private readonly bStart = new Int32Array(BATCH);
	private readonly bEnd = new Int32Array(BATCH);
	private readonly bMs = new Float64Array(BATCH);
	private readonly bAmount = new Float64Array(BATCH);
	/** Sink for the early loads (so they are not optimised away). */
	touched = 0;

	/**
	 * Parses and adds one row whose id, amount and timestamp are buf[is, ie), [as, ae), [ts, te).
	 * Everything a row needs happens here, with small-integer arguments and result, so the hot
	 * path allocates nothing (a double passed to or returned from a call that is not inlined is
	 * boxed). Returns ROW_ADDED, ROW_FUTURE, or a negative code: the caller builds the message.
	 */
	addRow(buf: Buffer, is: number, ie: number, as: number, ae: number, ts: number, te: number): number {
		while (is < ie && buf[is] === 32) is++;
		while (ie > is && buf[ie - 1] === 32) ie--;
		if (ie === is) return ROW_BAD_ID;
		const amount = parseDecimalBytes(buf, as, ae, this.decimals);
		if (amount === undefined) return ROW_BAD_AMOUNT;
		while (ts < te && buf[ts] === 32) ts++;
		while (te > ts && buf[te - 1] === 32) te--;
		// YYYY-MM-DD[(T| )HH:MM[:SS]][Z] in UTC, inline; other forms go to parseTimeBytes.
		let ms = NaN;
		const n = te - ts;
		if (n >= 10 && buf[ts + 4] === 45 && buf[ts + 7] === 45) {
			const y0 = buf[ts] - 48;
			const y1 = buf[ts + 1] - 48;
			const y2 = buf[ts + 2] - 48;
			const y3 = buf[ts + 3] - 48;
			const m0 = buf[ts + 5] - 48;
			const m1 = buf[ts + 6] - 48;
			const d0 = buf[ts + 8] - 48;
			const d1 = buf[ts + 9] - 48;
			if (isDigit(y0) && isDigit(y1) && isDigit(y2) && isDigit(y3) && isDigit(m0) && isDigit(m1) && isDigit(d0) && isDigit(d1)) {
				const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
				const mo = m0 * 10 + m1;
				const d = d0 * 10 + d1;
				let secs = 0;
				let ok = true;
				if (n > 10) {
					const sep = buf[ts + 10];
					ok = false;
					if ((sep === 84 || sep === 32) && n >= 16 && buf[ts + 13] === 58) {
						const h0 = buf[ts + 11] - 48;
						const h1 = buf[ts + 12] - 48;
						const i0 = buf[ts + 14] - 48;
						const i1 = buf[ts + 15] - 48;
						let s0 = 0;
						let s1 = 0;
						let i = 16;
						if (n >= 19 && buf[ts + 16] === 58) {
							s0 = buf[ts + 17] - 48;
							s1 = buf[ts + 18] - 48;
							i = 19;
						}
						if (isDigit(h0) && isDigit(h1) && isDigit(i0) && isDigit(i1) && isDigit(s0) && isDigit(s1) && (i === n || (i === n - 1 && buf[ts + i] === 90))) {
							const h = h0 * 10 + h1;
							const mi = i0 * 10 + i1;
							const sec = s0 * 10 + s1;
							if (h <= 23 && mi <= 59 && sec <= 59) {
								secs = h * 3600 + mi * 60 + sec;
								ok = true;
							}
						}
					}
				}
				if (ok && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo)) ms = daysFromCivil(y, mo, d) * 86_400_000 + secs * 1000;
			}
		}
		if (ms !== ms) {
			// Not the inline form (or invalid): the general parser decides.
			const t = parseTimeBytes(buf, ts, te);
			if (t === undefined) return ROW_BAD_TIME;
			ms = t;
		}
		if (ms > this.reference) return ROW_FUTURE;
		// Queue the row; its slot's cache line is requested now and used when the batch is
		// flushed, so the memory loads of a batch overlap instead of stalling one after another.
		if (buf !== this.batchBuf) {
			if (this.batched > 0) this.flush();
			this.batchBuf = buf;
		}
		const h = hashBytes(buf, is, ie);
		const b = this.batched;
		this.bHash[b] = h;
		this.bStart[b] = is;
		this.bEnd[b] = ie;
		this.bMs[b] = ms;
		this.bAmount[b] = amount;
		if (++this.batched === BATCH) this.flush();
		return ROW_ADDED;
	}

	/** Adds the queued rows, in their order. Call before reading the totals (row() does). */
	flush(): void {
		const buf = this.batchBuf;
		const n = this.batched;
		this.batched = 0;
		// First only the loads of the slots, independent of each other so the CPU overlaps their
		// cache misses; then the updates, which find those lines in cache.
		const mask0 = this.capacity - 1;
		let touched = 0;
		for (let b = 0; b < n; b++) touched ^= this.i32[(this.bHash[b] & mask0) << 4];
		this.touched = touched;
		for (let b = 0; b < n; b++) {
			const h = this.bHash[b];
			const is = this.bStart[b];
			const len = this.bEnd[b] - is;
			const ms = this.bMs[b];
			const i32 = this.i32;
			const mask = this.capacity - 1;
			let slot = h & mask;
			for (;;) {
				const r = slot << 4; // in Int32 units (64 bytes = 16 ints)
				if (i32[r] === 0) {
					this.insert(buf, is, is + len, h, ms, this.bAmount[b]);
					break;
				}
				if (i32[r + 1] === h && i32[r + 2] === len && this.sameKey(slot, buf, is, len)) {
					const f = slot << 3; // in Float64 units
					const d = this.f64;
					if (ms > d[f + 4]) d[f + 4] = ms;
					if (ms < d[f + 5]) d[f + 5] = ms;
					d[f + 6]++;
					d[f + 7] += this.bAmount[b];
					break;
				}
				slot = (slot + 1) & mask;
			}
		}
	}

	private sameKey(slot: number, buf: Uint8Array, s: number, len: number): boolean {
		if (len <= 16) {
			const o = (slot << 6) + 16;
			const b = this.bytes;
			for (let i = 0; i < len; i++) if (b[o + i] !== buf[s + i]) return false;
			return true;
		}
		const a = this.i32[(slot << 4) + 3];
		const arena = this.arena;
		for (let i = 0; i < len; i++) if (arena[a + i] !== buf[s + i]) return false;
		return true;
	}

	private insert(buf: Buffer, s: number, e: number, h: number, ms: number, amountMinor: number): void {
		const k = this.ids.length;
		if ((k + 1) * 2 > this.capacity) this.grow();
		const mask = this.capacity - 1;
		let slot = h & mask;
		while (this.i32[slot << 4] !== 0) slot = (slot + 1) & mask;
		const len = e - s;
		const r = slot << 4;
		const i32 = this.i32;
		i32[r] = k + 1;
		i32[r + 1] = h;
		i32[r + 2] = len;
		if (len <= 16) {
			const o = (slot << 6) + 16;
			const b = this.bytes;
			for (let i = 0; i < len; i++) b[o + i] = buf[s + i];
		} else {
			if (this.used + len > this.arena.length) {
				const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.used + len));
				bigger.set(this.arena.subarray(0, this.used));
				this.arena = bigger;
			}
			const arena = this.arena;
			const at = this.used;
			for (let i = 0; i < len; i++) arena[at + i] = buf[s + i];
			i32[r + 3] = at;
			this.used += len;
		}
		const f = slot << 3;
		this.f64[f + 4] = ms;
		this.f64[f + 5] = ms;
		this.f64[f + 6] = 1;
		this.f64[f + 7] = amountMinor;
		this.slotOf[k] = slot;
		this.ids.push(buf.toString('utf8', s, e));
	}

	/** Doubles the slots and moves every record to its slot in the bigger table. */
	private grow(): void {
		const old = this.f64;
		const oldI32 = this.i32;
		const oldCapacity = this.capacity;
		this.capacity *= 2;
		this.bytes = new Uint8Array(64 * this.capacity);
		this.i32 = new Int32Array(this.bytes.buffer);
		this.f64 = new Float64Array(this.bytes.buffer);
		const slotOf = new Int32Array(this.capacity >> 1);
		const mask = this.capacity - 1;
		for (let from = 0; from < oldCapacity; from++) {
			const k = oldI32[from << 4];
			if (k === 0) continue;
			let slot = oldI32[(from << 4) + 1] & mask;
			while (this.i32[slot << 4] !== 0) slot = (slot + 1) & mask;
			const a = from << 3;
			const b = slot << 3;
			for (let j = 0; j < 8; j++) this.f64[b + j] = old[a + j];
			slotOf[k - 1] = slot;
		}
		this.slotOf = slotOf;
	}

	/** Writes every customer's totals into acc, in first-seen order (new ones appended, known ones overwritten). */
	copyInto(acc: RfmAccumulator): void {
		if (this.batched > 0) this.flush();
		const n = this.ids.length;
		const d = this.f64;
		for (let k = 0; k < n; k++) {
			const f = this.slotOf[k] << 3;
			if (k >= acc.size) acc.newCustomer(this.ids[k], d[f + 4]);
			acc.setAt(k, d[f + 4], d[f + 5], d[f + 6], d[f + 7]);
		}
	}

	/** Customer k's numbers: last ms, first ms, count, sum. */
	row(k: number): [number, number, number, number] {
		if (this.batched > 0) this.flush();
		const f = this.slotOf[k] << 3;
		return [this.f64[f + 4], this.f64[f + 5], this.f64[f + 6], this.f64[f + 7]];
	}
}

const csvTables = new WeakMap<RfmAccumulator, CsvCustomerTable>();

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
 * Streams a CSV into an accumulator. Bad rows (a bad id, amount or date, or a row that is not
 * valid CSV) call `onBadRow` (return false to stop with an error naming the line); without it the
 * first bad row throws.
 */
export async function aggregateCsv(
	source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
	acc: RfmAccumulator,
	fields: TransactionFields,
	options: {
		decimals: number;
		delimiter?: string;
		onBadRow?: (line: number, message: string) => boolean;
		/** Drops orders read before (the first of its orderIdFields the header has, and a messageId column); positions are `<where>line N`. */
		duplicates?: DuplicateOrders<string>;
		where?: string;
	},
): Promise<{ rows: number }> {
	let table = csvTables.get(acc);
	if (!table) {
		if (acc.size > 0) throw new Error('aggregateCsv needs an accumulator that only CSV data has filled');
		table = new CsvCustomerTable();
		csvTables.set(acc, table);
	}
	const customers = table;
	customers.reference = acc.reference;
	customers.decimals = options.decimals;
	let rowsAdded = 0;
	const duplicates = options.duplicates;
	/** Positions in a row's columns of the order id and messageId columns (-1: the file has none). */
	let orderAt = -1;
	let messageAt = -1;
	const text = (buf: Buffer, s: number, e: number) => (e < 0 ? undefined : buf.toString('utf8', s, e));
	const fail = (line: number, message: string) => {
		customers.flush(); // the rows before this one are in the table whatever happens next
		if (!options.onBadRow || !options.onBadRow(line, message)) throw new CsvRowError(`CSV line ${line}: ${message}`, line);
	};
	const result = await readCsv(source, {
		delimiter: options.delimiter,
		onBadRow: fail,
		columns: (header) => {
			const cols = [fields.customerId, fields.amount, fields.timestamp].map((name) => header.indexOf(name));
			const missing = [fields.customerId, fields.amount, fields.timestamp].filter((_, k) => cols[k] < 0);
			if (missing.length) {
				throw new CsvRowError(`CSV header has no column ${missing.map((m) => `"${m}"`).join(', ')} (columns: ${header.join(', ')})`, 1);
			}
			if (duplicates) {
				const order = duplicates.orderIdFields.map((name) => header.indexOf(name)).find((c) => c >= 0);
				if (order !== undefined) orderAt = cols.push(order) - 1;
				const message = header.indexOf('messageId');
				if (message >= 0) messageAt = cols.push(message) - 1;
			}
			return cols;
		},
		onRow: (row: CsvRow) => {
			const { buf, starts, ends } = row;
			if (ends[0] >= 0 && ends[1] >= 0 && ends[2] >= 0) {
				// Only with an order id or messageId column: a string per row, so files without them stay on the fast path.
				let keys: OrderKeys | undefined;
				if (duplicates && (orderAt >= 0 || messageAt >= 0)) {
					const amount = parseDecimalBytes(buf, starts[1], ends[1], options.decimals);
					const id = text(buf, starts[0], ends[0])?.trim();
					if (amount !== undefined && id) {
						keys = duplicates.keys(id, orderAt < 0 ? undefined : text(buf, starts[orderAt], ends[orderAt]), messageAt < 0 ? undefined : text(buf, starts[messageAt], ends[messageAt]), amount);
						if (duplicates.repeatOf(`${options.where ?? ''}line ${row.line}`, keys) !== undefined) return;
					}
				}
				const code = customers.addRow(buf, starts[0], ends[0], starts[1], ends[1], starts[2], ends[2]);
				if (code === ROW_ADDED) {
					rowsAdded++;
					if (keys) duplicates!.remember(`${options.where ?? ''}line ${row.line}`, keys);
					return;
				}
				if (code === ROW_FUTURE) {
					acc.skippedFuture++;
					return;
				}
			}
			// A bad row: say what is wrong, checking in the order id, amount, timestamp.
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
			return fail(row.line, `timestamp "${ends[2] < 0 ? '' : buf.toString('utf8', starts[2], ends[2])}" in column "${fields.timestamp}" is not a date: ${DATE_HINT}`);
		},
	});
	customers.flush();
	// Copy the table's totals into the accumulator (new customers appended, known ones overwritten).
	acc.transactions += rowsAdded;
	customers.copyInto(acc);
	return { rows: result.rows };
}
