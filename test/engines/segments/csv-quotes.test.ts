/**
 * The CSV reader's quote rule (RFC 4180): a quote opens a quoted field only as the first character
 * of a field; a quote inside an unquoted field (`TV 55"`) is an ordinary character. The line
 * scanner and splitCsvLine must agree on it: before, the scanner counted every quote, so one
 * `55"` made it read the rest of the file as one row, which splitCsvLine then read as one
 * (unquoted) row: 1000 rows in, 6 read, no error. Malformed rows go to onBadRow.
 */
import { readCsv, splitCsvLine, type CsvRow } from '../../../nodes/engines/segments/csv';
import { aggregateCsv } from '../../../nodes/engines/segments/aggregate';
import { RfmAccumulator } from '../../../nodes/engines/segments/rfm';

const decoder = new TextDecoder();
const raw = (row: CsvRow, k: number) => (row.ends[k] < 0 ? undefined : decoder.decode(row.buf.subarray(row.starts[k], row.ends[k])));

interface Read {
	rows: Array<{ line: number; fields: Array<string | undefined> }>;
	bad: Array<[number, string]>;
}

/** readCsv over `pieces` (the file cut there), columns a, b, c; bad rows collected unless `strict`. */
async function read(pieces: Buffer[], strict = false): Promise<Read> {
	const out: Read = { rows: [], bad: [] };
	await readCsv(
		(async function* () {
			for (const p of pieces) yield p;
		})(),
		{
			columns: (header) => ['a', 'b', 'c'].map((name) => header.indexOf(name)),
			onRow: (row) => out.rows.push({ line: row.line, fields: [0, 1, 2].map((k) => raw(row, k)) }),
			onBadRow: strict ? undefined : (line, message) => out.bad.push([line, message]),
		},
	);
	return out;
}

const cut = (bytes: Buffer, size: number): Buffer[] => {
	const pieces: Buffer[] = [];
	for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
	return pieces;
};

/** The same result for the whole file and for every chunk size from 1 to 8. */
async function readEveryWay(text: string): Promise<Read> {
	const bytes = Buffer.from(text);
	const whole = await read([bytes]);
	for (let size = 1; size <= 8; size++) expect(await read(cut(bytes, size))).toEqual(whole);
	return whole;
}

describe('CSV reader: quotes inside unquoted fields are ordinary characters', () => {
	it('reads `TV 55"` as a field and every row after it', async () => {
		const r = await readEveryWay('a,b,c\n1,TV 55",x\n2,Sofa,y\n3,"Bed, king",z\n4,5" screen,w\n');
		expect(r.rows).toEqual([
			{ line: 2, fields: ['1', 'TV 55"', 'x'] },
			{ line: 3, fields: ['2', 'Sofa', 'y'] },
			{ line: 4, fields: ['3', 'Bed, king', 'z'] },
			{ line: 5, fields: ['4', '5" screen', 'w'] },
		]);
		expect(r.bad).toEqual([]);
	});

	it('agrees with splitCsvLine on a line with mid-field quotes', () => {
		expect(splitCsvLine('1,TV 55",a"b"c', ',')).toEqual(['1', 'TV 55"', 'a"b"c']);
	});

	it('a quote at the start of a field opens a quoted field (line feeds inside, "" escapes), also in a BOM file', async () => {
		const r = await readEveryWay('\uFEFF"a",b,c\r\n"x\ny",2,"say ""hi"""\r\nq,"",3\r\n');
		expect(r.rows).toEqual([
			{ line: 2, fields: ['x\ny', '2', 'say "hi"'] },
			{ line: 4, fields: ['q', '', '3'] },
		]);
	});
});

describe('CSV reader: malformed rows go to onBadRow, with the line they start on', () => {
	it('text after a closing quote: that row is bad, the rows around it are read', async () => {
		const r = await readEveryWay('a,b,c\n1,2,3\n"c3" ,10,x\n4,5,6\n"p"q,"r\ns",7\n8,9,10\n');
		expect(r.rows.map((row) => row.line)).toEqual([2, 4, 7]);
		expect(r.bad).toEqual([
			[3, 'unexpected character after a closing quote at column 5'],
			[5, 'unexpected character after a closing quote at column 4'],
		]);
		// without onBadRow the first bad row fails, naming its line
		await expect(read([Buffer.from('a,b,c\n1,2,3\n"c3" ,10,x\n')], true)).rejects.toThrow('CSV line 3: unexpected character after a closing quote at column 5');
	});

	it('a quoted field never closed: its first line is bad and the lines after it are read', async () => {
		const r = await readEveryWay('a,b,c\n1,2,3\n4,"Sofa,x\n5,6,7\n8,9,10');
		expect(r.bad).toEqual([[3, 'a quoted field opens on this line and is never closed']]);
		expect(r.rows).toEqual([
			{ line: 2, fields: ['1', '2', '3'] },
			{ line: 4, fields: ['5', '6', '7'] },
			{ line: 5, fields: ['8', '9', '10'] },
		]);
		await expect(read([Buffer.from('a,b,c\n1,2,3\n4,"Sofa,x\n5,6,7\n')], true)).rejects.toThrow('CSV line 3: a quoted field opens on this line and is never closed');
	});

	it('a bad header always fails', async () => {
		await expect(read([Buffer.from('"a"x,b,c\n1,2,3\n')])).rejects.toThrow('CSV line 1:');
	});
});

/**
 * Reference reader for the differential test below: the rule written out character by character
 * on the whole text, no chunks, no fast path. Rows end at a line feed outside a quoted field; text
 * after a closing quote is read on as unquoted (and makes the row bad); a row whose quoted field
 * is still open at the end of the text is bad from its first line, and reading resumes on the line after.
 */
function reference(text: string): Read {
	const out: Read = { rows: [], bad: [] };
	let header: string[] | undefined;
	let i = 0;
	let line = 1;
	while (i < text.length) {
		// find the row's end
		let j = i;
		let quoted = false;
		let fieldStart = true;
		let breaks = 0;
		while (j < text.length) {
			const c = text[j];
			if (quoted) {
				if (c === '"') {
					if (text[j + 1] === '"') j++;
					else quoted = false;
				} else if (c === '\n') breaks++;
				j++;
				continue;
			}
			if (c === '\n') break;
			if (c === '"' && fieldStart) quoted = true;
			fieldStart = c === ',';
			j++;
		}
		if (quoted) {
			out.bad.push([line, 'a quoted field opens on this line and is never closed']);
			const lf = text.indexOf('\n', i);
			if (lf < 0) break;
			i = lf + 1;
			line++;
			continue;
		}
		let rowText = text.slice(i, j);
		const rowLine = line;
		line += 1 + breaks;
		i = j + 1;
		if (rowText.endsWith('\r')) rowText = rowText.slice(0, -1);
		if (rowText === '') continue;
		// split it into fields
		const fields: string[] = [];
		let k = 0;
		let error: string | undefined;
		for (;;) {
			if (rowText[k] === '"') {
				let value = '';
				k++;
				for (;;) {
					if (rowText[k] === '"' && rowText[k + 1] === '"') {
						value += '"';
						k += 2;
					} else if (rowText[k] === '"') {
						k++;
						break;
					} else value += rowText[k++];
				}
				fields.push(value);
				if (k === rowText.length) break;
				if (rowText[k] !== ',') {
					error = `unexpected character after a closing quote at column ${k + 1}`;
					break;
				}
				k++;
			} else {
				let value = '';
				while (k < rowText.length && rowText[k] !== ',') value += rowText[k++];
				fields.push(value);
				if (k === rowText.length) break;
				k++;
			}
		}
		if (error) out.bad.push([rowLine, error]);
		else if (!header) header = fields;
		else out.rows.push({ line: rowLine, fields: ['a', 'b', 'c'].map((name) => fields[header!.indexOf(name)]) });
	}
	return out;
}

describe('CSV reader: differential test against the reference rule', () => {
	it('random texts of quotes, commas, CR, LF and letters, cut at every chunk size and at random places', async () => {
		let seed = 12345;
		const random = () => {
			// mulberry32
			seed = (seed + 0x6d2b79f5) | 0;
			let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
			t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
			return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
		};
		const alphabet = ['x', 'y', ',', ',', '"', '"', '\n', '\n', '\r', ' '];
		let sawBad = 0;
		let sawQuotedRow = 0;
		for (let n = 0; n < 400; n++) {
			let body = '';
			const length = Math.floor(random() * 60);
			for (let k = 0; k < length; k++) body += alphabet[Math.floor(random() * alphabet.length)];
			const text = `a,b,c\n${body}`;
			const expected = reference(text);
			sawBad += expected.bad.length;
			sawQuotedRow += expected.rows.filter((r) => r.fields.some((f) => f !== undefined && /[\n,]/.test(f))).length;
			const bytes = Buffer.from(text);
			expect({ text, got: await read([bytes]) }).toEqual({ text, got: expected });
			for (const size of [1, 2, 3, 5]) expect({ text, size, got: await read(cut(bytes, size)) }).toEqual({ text, size, got: expected });
			const cuts = [Math.floor(random() * bytes.length), Math.floor(random() * bytes.length)].sort((x, y) => x - y);
			const pieces = [bytes.subarray(0, cuts[0]), bytes.subarray(cuts[0], cuts[1]), bytes.subarray(cuts[1])];
			expect({ text, cuts, got: await read(pieces) }).toEqual({ text, cuts, got: expected });
		}
		// the random texts did exercise bad rows and quoted fields holding commas or line feeds
		expect(sawBad).toBeGreaterThan(50);
		expect(sawQuotedRow).toBeGreaterThan(20);
	});
});

describe('RFM CSV input (aggregateCsv): a stray quote', () => {
	const FIELDS = { customerId: 'customer_id', amount: 'amount', timestamp: 'timestamp' };
	const REF = Date.UTC(2024, 1, 1);

	it('1000 orders with `TV 55"` in the 6th: all 1000 are read', async () => {
		const lines = ['customer_id,amount,timestamp,product'];
		for (let i = 0; i < 1000; i++) lines.push(`c${i},10,2024-01-10,${i === 5 ? 'TV 55"' : 'Sofa'}`);
		const bytes = Buffer.from(lines.join('\n') + '\n');
		for (const pieces of [[bytes], cut(bytes, 4096), cut(bytes, 7)]) {
			const acc = new RfmAccumulator(REF);
			const { rows } = await aggregateCsv(pieces, acc, FIELDS, { decimals: 2 });
			expect(rows).toBe(1000);
			expect(acc.size).toBe(1000);
			expect(acc.transactions).toBe(1000);
		}
	});

	it('a malformed row is skipped and reported with its line when onBadRow goes on, and fails the read otherwise', async () => {
		const lines = ['customer_id,amount,timestamp'];
		for (let i = 0; i < 10; i++) lines.push(i === 3 ? `"c${i}" ,10,2024-01-10` : i === 6 ? `c${i},"10,2024-01-10` : `c${i},10,2024-01-10`);
		const bytes = Buffer.from(lines.join('\n') + '\n');
		const acc = new RfmAccumulator(REF);
		const bad: Array<[number, string]> = [];
		const { rows } = await aggregateCsv([bytes], acc, FIELDS, { decimals: 2, onBadRow: (line, message) => (bad.push([line, message]), true) });
		// c3 is on line 5 (header = line 1), c6 on line 8; c6's quote is never closed
		expect(bad).toEqual([
			[5, 'unexpected character after a closing quote at column 5'],
			[8, 'a quoted field opens on this line and is never closed'],
		]);
		expect(rows).toBe(8);
		expect(acc.ids).toEqual(['c0', 'c1', 'c2', 'c4', 'c5', 'c7', 'c8', 'c9']);
		await expect(aggregateCsv([bytes], new RfmAccumulator(REF), FIELDS, { decimals: 2 })).rejects.toThrow('CSV line 5: unexpected character after a closing quote at column 5');
	});
});
