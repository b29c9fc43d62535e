/**
 * Independent reference: the same RFM scores computed by DuckDB SQL
 * (1 + floor(B * (RANK() OVER (ORDER BY v) - 1) / n)) on data full of ties.
 */
import { DOUBLE, DuckDBDataChunk, VARCHAR } from '@duckdb/node-api';
import { aggregateItems } from '../../../nodes/engines/segments/aggregate';
import { mulberry32 } from '../../../nodes/engines/segments/logistic';
import { dimensionsFromAccumulator, scoreRfm } from '../../../nodes/engines/segments/rfm';
import { connect, rfmSql } from '../../../bench/segments/duck';

const REF = '2024-07-01T00:00:00Z';

it.each([3, 5, 7, 10])('matches DuckDB for every customer with %i bins (heavy ties)', async (bins) => {
	const random = mulberry32(bins);
	const items = Array.from({ length: 3000 }, (_, i) => ({
		json: {
			customer_id: `c${i < 400 ? i : Math.floor(400 * random() ** 3)}`,
			amount: [5, 10, 10, 20, 49.99][Math.floor(random() * 5)],
			timestamp: new Date(Date.parse('2024-06-01T00:00:00Z') + Math.floor(random() * 30) * 86_400_000).toISOString(),
		},
	}));
	const ref = Date.parse(REF);
	const agg = aggregateItems(items, { customerId: 'customer_id', amount: 'amount', timestamp: 'timestamp' }, { referenceMs: ref, decimals: 2 });
	const dims = dimensionsFromAccumulator(agg.acc, ref, 'sum');
	const result = scoreRfm(dims, { bins, monetary: 'sum' });
	// ties really happen: many customers share each frequency, recency and spend
	expect(new Set(dims.frequency).size * 10).toBeLessThan(agg.acc.size);
	expect(new Set(dims.recencyDays).size * 10).toBeLessThan(agg.acc.size);

	const c = await connect();
	await c.run('CREATE TABLE tx (customer_id VARCHAR, amount DOUBLE, ts_text VARCHAR)');
	const appender = await c.createAppender('tx');
	for (let start = 0; start < items.length; start += 2048) {
		const part = items.slice(start, start + 2048);
		const chunk = DuckDBDataChunk.create([VARCHAR, DOUBLE, VARCHAR], part.length);
		chunk.setColumns([part.map((i) => i.json.customer_id), part.map((i) => i.json.amount), part.map((i) => i.json.timestamp.replace('Z', ''))]);
		appender.appendDataChunk(chunk);
	}
	appender.flushSync();
	appender.closeSync();
	const reader = await c.runAndReadAll(rfmSql('(SELECT customer_id, round(amount * 100)::BIGINT AS amount_minor, ts_text::TIMESTAMP AS ts FROM tx)', REF, bins));
	const rows = reader.getRowObjectsJS() as Array<{ customer_id: string; r: number; f: number; m: number }>;
	c.closeSync();
	expect(rows).toHaveLength(agg.acc.size);
	const ours = new Map(agg.acc.ids.map((id, k) => [id, `${result.r[k]}/${result.f[k]}/${result.m[k]}`]));
	for (const row of rows) expect(`${row.customer_id}: ${ours.get(row.customer_id)}`).toBe(`${row.customer_id}: ${row.r}/${row.f}/${row.m}`);
});
