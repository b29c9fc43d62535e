import { fieldText, readCsv } from '../../../nodes/engines/segments/csv';

async function collect(text: string, columns: string[], chunkSize?: number) {
	const bytes = Buffer.from(text, 'utf8');
	async function* chunks() {
		const size = chunkSize ?? bytes.length;
		for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
	}
	const rows: Array<Array<string | undefined>> = [];
	const lines: number[] = [];
	await readCsv(chunks(), {
		columns: (header) => columns.map((c) => header.indexOf(c)),
		onRow: (row) => {
			rows.push(columns.map((_, k) => fieldText(row, k)));
			lines.push(row.line);
		},
	});
	return { rows, lines };
}

describe('streaming CSV reader', () => {
	const text = '\uFEFFid,amount,note,date\r\nc1,10.50,plain,2024-01-01\r\n"c,2",3,"say ""hi""\nsecond line",2024-01-02\r\n\r\nc3,7,,2024-01-03';
	const expected = [
		['c1', '10.50', '2024-01-01'],
		['c,2', '3', '2024-01-02'],
		['c3', '7', '2024-01-03'],
	];

	it('reads quotes, escaped quotes, newlines in quotes, CRLF, BOM, blank lines, no final newline', async () => {
		const { rows, lines } = await collect(text, ['id', 'amount', 'date']);
		expect(rows).toEqual(expected);
		expect(lines).toEqual([2, 3, 6]);
	});

	it('gives the same rows whatever the chunk boundaries (1-byte chunks)', async () => {
		for (const size of [1, 2, 3, 7, 16]) expect((await collect(text, ['id', 'amount', 'date'], size)).rows).toEqual(expected);
	});

	it('decodes quoted text with escapes', async () => {
		const { rows } = await collect(text, ['note']);
		expect(rows[1]).toEqual(['say "hi"\nsecond line']);
	});

	it('reports a missing column in a short row as undefined', async () => {
		const { rows } = await collect('a,b\n1\n2,3\n', ['a', 'b']);
		expect(rows).toEqual([
			['1', undefined],
			['2', '3'],
		]);
	});

	it('fails on an unterminated quote with the line number', async () => {
		await expect(collect('a,b\n1,"x"y\n', ['a'])).rejects.toThrow(/CSV line 2/);
	});
});
