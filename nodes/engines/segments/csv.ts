/**
 * Streaming CSV reader (RFC 4180: quoted fields, "" escapes, CRLF or LF, newlines inside quotes).
 * It reads byte chunks from any async iterable (a Node Readable), keeps only the current partial
 * line between chunks, and hands each row to a callback as byte offsets of the requested columns,
 * so callers parse numbers and dates straight from the bytes and allocate only what they keep.
 */

export interface CsvRow {
	/** The bytes holding this row's fields. */
	buf: Buffer;
	/** Start/end offsets in `buf` of each requested column (in the order requested). */
	starts: Int32Array;
	ends: Int32Array;
	/** 1-based physical line number where the row starts (the header is line 1). */
	line: number;
	/** Number of fields in the row. */
	fieldCount: number;
}

export interface CsvReadOptions {
	delimiter?: string;
	/** Given the header names, return the index of each column wanted (or throw). */
	columns: (header: string[]) => number[];
	/** Called per row with a reused row object: read what you need before returning. */
	onRow: (row: CsvRow) => void;
}

export interface CsvReadResult {
	rows: number;
	header: string[];
}

const QUOTE = 34;
const LF = 10;
const CR = 13;
const decoder = new TextDecoder('utf-8');

export class CsvFormatError extends Error {
	constructor(
		message: string,
		public readonly line: number,
	) {
		super(message);
		this.name = 'CsvFormatError';
	}
}

/** Splits one logical line (may contain quotes) into decoded fields. */
export function splitCsvLine(text: string, delimiter: string): string[] {
	const fields: string[] = [];
	let i = 0;
	const n = text.length;
	for (;;) {
		if (i < n && text[i] === '"') {
			let value = '';
			i++;
			for (;;) {
				const q = text.indexOf('"', i);
				if (q < 0) throw new Error('unterminated quoted field');
				value += text.slice(i, q);
				if (text[q + 1] === '"') {
					value += '"';
					i = q + 2;
				} else {
					i = q + 1;
					break;
				}
			}
			fields.push(value);
			if (i >= n) break;
			if (text[i] !== delimiter) throw new Error(`unexpected character after a closing quote at column ${i + 1}`);
			i++;
		} else {
			const d = text.indexOf(delimiter, i);
			if (d < 0) {
				fields.push(text.slice(i));
				break;
			}
			fields.push(text.slice(i, d));
			i = d + 1;
		}
	}
	return fields;
}

export async function readCsv(source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, options: CsvReadOptions): Promise<CsvReadResult> {
	const delimiter = options.delimiter ?? ',';
	if (delimiter.length !== 1) throw new Error('The delimiter must be one character');
	const delim = delimiter.charCodeAt(0);
	let header: string[] | undefined;
	let wanted: number[] = [];
	let starts = new Int32Array(0);
	let ends = new Int32Array(0);
	let rows = 0;
	let line = 0;
	let carry: Buffer | undefined;
	const encoder = new TextEncoder();

	/** One row object, refilled for every row (the callback must not keep it). */
	const row: CsvRow = { buf: Buffer.alloc(0), starts, ends, line: 0, fieldCount: 0 };

	const setHeader = (names: string[]) => {
		header = names.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
		wanted = options.columns(header);
		starts = new Int32Array(wanted.length);
		ends = new Int32Array(wanted.length);
		row.starts = starts;
		row.ends = ends;
	};

	/** Field start offsets of the current line (reused; grows for very wide rows). */
	let fieldStarts = new Int32Array(64);

	/** A line without quotes whose field starts are already in fieldStarts[0..count). */
	const fastRow = (buf: Buffer, s: number, e: number, count: number, lineNo: number) => {
		if (e > s && buf[e - 1] === CR) e--;
		if (e === s) return; // blank line
		if (!header) {
			setHeader(decoder.decode(buf.subarray(s, e)).split(delimiter));
			return;
		}
		for (let k = 0; k < wanted.length; k++) {
			const c = wanted[k];
			if (c >= count) {
				starts[k] = 0;
				ends[k] = -1; // missing column
			} else {
				starts[k] = fieldStarts[c];
				ends[k] = c + 1 < count ? fieldStarts[c + 1] - 1 : e;
			}
		}
		rows++;
		row.buf = buf;
		row.line = lineNo;
		row.fieldCount = count;
		options.onRow(row);
	};

	/** A line with quotes: decode, split, re-encode the wanted fields into a small buffer. */
	const slowRow = (text: string, lineNo: number) => {
		const t = text.endsWith('\r') ? text.slice(0, -1) : text;
		if (t === '') return;
		let fields: string[];
		try {
			fields = splitCsvLine(t, delimiter);
		} catch (error) {
			throw new CsvFormatError(`CSV line ${lineNo}: ${(error as Error).message}`, lineNo);
		}
		if (!header) {
			setHeader(fields);
			return;
		}
		const parts = wanted.map((c) => (c < fields.length ? encoder.encode(fields[c]) : undefined));
		const total = parts.reduce((sum, p) => sum + (p ? p.length : 0), 0);
		const buf = Buffer.alloc(total);
		let at = 0;
		parts.forEach((p, k) => {
			if (!p) {
				starts[k] = 0;
				ends[k] = -1;
				return;
			}
			buf.set(p, at);
			starts[k] = at;
			ends[k] = at + p.length;
			at += p.length;
		});
		rows++;
		row.buf = buf;
		row.line = lineNo;
		row.fieldCount = fields.length;
		options.onRow(row);
	};

	// Bytes above all three special bytes (the delimiter, LF, the quote) need one comparison.
	const maxSpecial = Math.max(delim, LF, QUOTE);
	/** Whether `carry` (the unfinished last line of the previous chunk) contains a quote. */
	let carryQuoted = false;

	/**
	 * Scans buf from `from`, handing every complete line to fastRow/slowRow; returns the offset
	 * of the unfinished tail (buf.length when none). `quotedTail` tells whether that tail has a quote.
	 */
	let quotedTail = false;
	const scan = (buf: Buffer, from: number): number => {
		let pos = from;
		let count = 1;
		const len = buf.length;
		quotedTail = false;
		// One pass over the bytes: delimiters record field starts, LF ends a row, a quote sends
		// the logical line (which may span several physical lines) to the slow path.
		for (let p = from; p < len; p++) {
			const b = buf[p];
			if (b > maxSpecial) continue;
			if (b === delim) {
				if (count === fieldStarts.length) {
					const bigger = new Int32Array(count * 2);
					bigger.set(fieldStarts);
					fieldStarts = bigger;
				}
				fieldStarts[count++] = p + 1;
			} else if (b === LF) {
				line++;
				fieldStarts[0] = pos;
				fastRow(buf, pos, p, count, line);
				pos = p + 1;
				count = 1;
			} else if (b === QUOTE) {
				// find the LF that closes the logical line (even number of quotes before it)
				let quotes = 0;
				let q = pos;
				let end = -1;
				for (; q < len; q++) {
					const c = buf[q];
					if (c === QUOTE) quotes++;
					else if (c === LF && (quotes & 1) === 0) {
						end = q;
						break;
					}
				}
				if (end < 0) {
					quotedTail = true;
					return pos; // need more data: keep the line in carry
				}
				const text = decoder.decode(buf.subarray(pos, end));
				const startLine = line + 1;
				line += 1 + countByte(buf, pos, end, LF);
				slowRow(text, startLine);
				pos = end + 1;
				p = end;
				count = 1;
			}
		}
		return pos;
	};

	for await (const chunk of source) {
		let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
		let from = 0;
		if (carry) {
			// Finish the carried line without copying the whole chunk: join the carry with this
			// chunk's bytes up to its first LF. A quoted carry may span LFs: join everything.
			const lf = carryQuoted ? -1 : buf.indexOf(LF);
			if (lf < 0) buf = Buffer.concat([carry, buf]);
			else {
				const head = Buffer.concat([carry, buf.subarray(0, lf + 1)]);
				if (scan(head, 0) === head.length) from = lf + 1;
				else buf = Buffer.concat([carry, buf]); // a quote opened in this chunk spans the LF: nothing was consumed
			}
			carry = undefined;
		}
		const pos = scan(buf, from);
		carryQuoted = quotedTail;
		if (pos < buf.length) carry = Buffer.from(buf.subarray(pos));
	}
	if (carry && carry.length > 0) {
		const text = decoder.decode(carry);
		line++;
		if (text.includes('"')) slowRow(text, line);
		else {
			let count = 1;
			fieldStarts[0] = 0;
			for (let p = 0; p < carry.length; p++) {
				if (carry[p] === delim) {
					if (count === fieldStarts.length) {
						const bigger = new Int32Array(count * 2);
						bigger.set(fieldStarts);
						fieldStarts = bigger;
					}
					fieldStarts[count++] = p + 1;
				}
			}
			fastRow(carry, 0, carry.length, count, line);
		}
	}
	return { rows, header: header ?? [] };
}

function countByte(buf: Buffer, s: number, e: number, byte: number): number {
	let n = 0;
	let p = buf.indexOf(byte, s);
	while (p >= 0 && p < e) {
		n++;
		p = buf.indexOf(byte, p + 1);
	}
	return n;
}

/** Decodes a field (end < 0 means the row had no such column → undefined). */
export function fieldText(row: CsvRow, k: number): string | undefined {
	const e = row.ends[k];
	if (e < 0) return undefined;
	return decoder.decode(row.buf.subarray(row.starts[k], e)).trim();
}
