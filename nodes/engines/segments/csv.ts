/**
 * Streaming CSV reader (RFC 4180: quoted fields, "" escapes, CRLF or LF, newlines inside quotes;
 * a quote opens a quoted field only as a field's first character, elsewhere it is text).
 * It reads byte chunks from any async iterable (a Node Readable), keeps only the current partial
 * row between chunks (scanning each byte once), and hands each row to a callback as byte offsets
 * of the requested columns, so callers parse numbers and dates straight from the bytes and
 * allocate only what they keep. Rows that are not valid CSV go to `onBadRow`.
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
	/**
	 * A row that is not valid CSV (text after a closing quote, a quoted field never closed), with
	 * the line it starts on. Without it (and always for the header) readCsv throws a CsvFormatError.
	 */
	onBadRow?: (line: number, message: string) => void;
}

export interface CsvReadResult {
	rows: number;
	header: string[];
}

const QUOTE = 34;
const LF = 10;
const CR = 13;
const decoder = new TextDecoder('utf-8');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

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
	/** Physical lines before the current row (it starts on line + 1). */
	let line = 0;
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

	/** A row that is not valid CSV: onBadRow decides, else (and always for the header) it fails. */
	const badRow = (lineNo: number, message: string) => {
		if (!header || !options.onBadRow) throw new CsvFormatError(`CSV line ${lineNo}: ${message}`, lineNo);
		options.onBadRow(lineNo, message);
	};

	/** Field start offsets of the current line (reused; grows for very wide rows). */
	let fieldStarts = new Int32Array(64);
	const growFieldStarts = () => {
		const bigger = new Int32Array(fieldStarts.length * 2);
		bigger.set(fieldStarts);
		fieldStarts = bigger;
	};

	/** A line without quoted fields whose field starts are already in fieldStarts[0..count). */
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

	/** A line with a quoted field: decode, split, re-encode the wanted fields into a small buffer. */
	const slowRow = (text: string, lineNo: number) => {
		const t = text.endsWith('\r') ? text.slice(0, -1) : text;
		if (t === '') return;
		let fields: string[];
		try {
			fields = splitCsvLine(t, delimiter);
		} catch (error) {
			badRow(lineNo, (error as Error).message);
			return;
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

	// The quote rule, the same as splitCsvLine's (RFC 4180): a quote opens a quoted field only as
	// the first character of a field; inside one, "" is a quote and a lone quote closes it; a quote
	// anywhere else (`TV 55"`) is an ordinary character. Line feeds inside a quoted field do not end
	// the row. Text after a closing quote (`"c3" ,10`) is read on like an unquoted field's, and
	// splitCsvLine then rejects the row, which goes to badRow.
	/** Whether the current row has a quoted field (then it is decoded and split by splitCsvLine). */
	let rowQuoted = false;
	/** Line feeds inside the current row's quoted fields. */
	let rowBreaks = 0;
	/**
	 * A row that runs past the end of a chunk: its bytes so far (each byte is scanned once, and
	 * copied once more when the row is complete), and where the scan stopped: inside a quoted field
	 * (`inQuotes`), right after a quote in one (`quoteLast`: "" or the closing quote, the next byte
	 * tells), or at the start of a field (`atFieldStart`).
	 */
	let parts: Buffer[] = [];
	let inQuotes = false;
	let quoteLast = false;
	let atFieldStart = false;

	/** Row buf[s, e) (without its line feed) is complete; its field starts are in fieldStarts[1..count) unless quoted. */
	const endRow = (buf: Buffer, s: number, e: number, count: number) => {
		line++;
		if (rowQuoted) {
			const first = line;
			line += rowBreaks;
			rowQuoted = false;
			rowBreaks = 0;
			slowRow(decoder.decode(buf.subarray(s, e)), first);
		} else {
			fieldStarts[0] = s;
			fastRow(buf, s, e, count, line);
		}
	};

	/** A complete row joined from several chunks. */
	const joinedRow = (buf: Buffer) => {
		let count = 1;
		if (!rowQuoted) {
			for (let p = 0; p < buf.length; p++) {
				if (buf[p] !== delim) continue;
				if (count === fieldStarts.length) growFieldStarts();
				fieldStarts[count++] = p + 1;
			}
		}
		endRow(buf, 0, buf.length, count);
	};

	// Bytes above all three special bytes (the delimiter, LF, the quote) need one comparison.
	const maxSpecial = Math.max(delim, LF, QUOTE);

	/** Scans buf from `from`, handing every complete row to endRow; an unfinished last row goes to `parts`. */
	const scan = (buf: Buffer, from: number): void => {
		let pos = from;
		let count = 1;
		const len = buf.length;
		for (let p = from; p < len; p++) {
			const b = buf[p];
			if (b > maxSpecial) continue;
			if (b === delim) {
				if (count === fieldStarts.length) growFieldStarts();
				fieldStarts[count++] = p + 1;
			} else if (b === LF) {
				endRow(buf, pos, p, count);
				pos = p + 1;
				count = 1;
			} else if (b === QUOTE && p === (count === 1 ? pos : fieldStarts[count - 1])) {
				// A quote opening a field: skip to its closing quote, counting the line feeds in it.
				rowQuoted = true;
				let q = p + 1;
				for (;;) {
					const c = buf.indexOf(QUOTE, q);
					if (c < 0 || c + 1 === len) {
						// the chunk ends inside the quoted field, or right after a quote in it
						rowBreaks += countByte(buf, q, len, LF);
						parts = [Buffer.from(buf.subarray(pos))];
						inQuotes = true;
						quoteLast = c >= 0;
						return;
					}
					rowBreaks += countByte(buf, q, c, LF);
					if (buf[c + 1] !== QUOTE) {
						p = c; // the closing quote; the loop goes on after it
						break;
					}
					q = c + 2; // "" inside the quoted field
				}
			}
		}
		if (pos < len) {
			parts = [Buffer.from(buf.subarray(pos))];
			inQuotes = false;
			quoteLast = false;
			atFieldStart = (count === 1 ? pos : fieldStarts[count - 1]) === len;
		}
	};

	/** Goes on with the row in `parts` over buf: the offset of the line feed ending it, or -1 (buf is all part of it). */
	const continueRow = (buf: Buffer): number => {
		const len = buf.length;
		let p = 0;
		while (p < len) {
			if (inQuotes) {
				if (quoteLast) {
					quoteLast = false;
					if (buf[p] === QUOTE) {
						p++; // "": a quote, still inside the quoted field
						continue;
					}
					inQuotes = false; // the quote closed the field; buf[p] is read below
					atFieldStart = false;
					continue;
				}
				const c = buf.indexOf(QUOTE, p);
				if (c < 0) {
					rowBreaks += countByte(buf, p, len, LF);
					return -1;
				}
				rowBreaks += countByte(buf, p, c, LF);
				quoteLast = true;
				p = c + 1;
				continue;
			}
			const b = buf[p];
			if (b === delim) atFieldStart = true;
			else if (b === LF) return p;
			else if (b === QUOTE && atFieldStart) {
				inQuotes = true;
				rowQuoted = true;
				atFieldStart = false;
			} else atFieldStart = false;
			p++;
		}
		return -1;
	};

	const feed = (buf: Buffer) => {
		let from = 0;
		if (parts.length > 0) {
			const end = continueRow(buf);
			if (end < 0) {
				parts.push(Buffer.from(buf));
				return;
			}
			parts.push(buf.subarray(0, end));
			const joined = Buffer.concat(parts);
			parts = [];
			joinedRow(joined);
			from = end + 1;
		}
		scan(buf, from);
	};

	/** The first bytes of the file until it is known whether they are a UTF-8 byte order mark (dropped). */
	let head: Buffer | undefined = Buffer.alloc(0);
	for await (const chunk of source) {
		let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
		if (head) {
			if (head.length > 0) buf = Buffer.concat([head, buf]);
			if (buf.length < 3 && BOM.subarray(0, buf.length).equals(buf)) {
				head = Buffer.from(buf);
				continue;
			}
			head = undefined;
			if (buf.length >= 3 && buf[0] === BOM[0] && buf[1] === BOM[1] && buf[2] === BOM[2]) buf = buf.subarray(3);
		}
		feed(buf);
	}
	if (head && head.length > 0) feed(head);
	// The last row, without a final line feed.
	while (parts.length > 0) {
		const joined = Buffer.concat(parts);
		parts = [];
		if (!inQuotes || quoteLast) {
			joinedRow(joined);
			break;
		}
		// A quote opened a field that no quote closes (a stray quote at the start of a field): the
		// row is bad; with onBadRow going on, the lines after its first are read again as rows.
		line++;
		badRow(line, 'a quoted field opens on this line and is never closed');
		inQuotes = false;
		rowQuoted = false;
		rowBreaks = 0;
		const lf = joined.indexOf(LF);
		if (lf >= 0) scan(joined, lf + 1);
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
