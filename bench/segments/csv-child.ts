/**
 * One CSV run in its own process so its peak RSS is its own:
 *   csv-child.ts <file> ours|duckdb <referenceIso>
 * Prints @@CSV@@{ms, cpuMs (user+system, all threads), rssMb, customers, checksum}.
 */
import fs from 'node:fs';
import { aggregateCsv } from '../../nodes/engines/segments/aggregate';
import { RfmAccumulator, dimensionsFromAccumulator, scoreRfm } from '../../nodes/engines/segments/rfm';
import { connect, rfmSql } from './duck';

async function main() {
	const [file, mode, reference] = process.argv.slice(2);
	const ref = Date.parse(reference);
	const start = process.hrtime.bigint();
	const cpuStart = process.cpuUsage();
	let customers = 0;
	let checksum = 0;
	if (mode === 'ours') {
		const acc = new RfmAccumulator(ref);
		await aggregateCsv(fs.createReadStream(file, { highWaterMark: 1 << 20 }), acc, { customerId: 'customer_id', amount: 'amount', timestamp: 'timestamp' }, { decimals: 2 });
		const result = scoreRfm(dimensionsFromAccumulator(acc, ref, 'sum'), { bins: 5, monetary: 'sum' });
		customers = acc.size;
		for (let i = 0; i < customers; i++) checksum += result.r[i] * 100 + result.f[i] * 10 + result.m[i];
	} else {
		const c = await connect();
		const source = `(SELECT customer_id, round(amount * 100)::BIGINT AS amount_minor, timestamp AS ts FROM read_csv('${file}', header = true, columns = {'customer_id': 'VARCHAR', 'amount': 'DECIMAL(18,2)', 'timestamp': 'TIMESTAMP'}))`;
		const reader = await c.runAndReadAll(`SELECT count(*) AS customers, sum(r * 100 + f * 10 + m) AS checksum FROM (${rfmSql(source, reference)})`);
		const row = reader.getRowObjects()[0];
		customers = Number(row.customers);
		checksum = Number(row.checksum);
	}
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	const cpu = process.cpuUsage(cpuStart);
	const cpuMs = (cpu.user + cpu.system) / 1000;
	const rssMb = process.resourceUsage().maxRSS / 1024;
	process.stdout.write(`@@CSV@@${JSON.stringify({ ms, cpuMs, rssMb, customers, checksum })}\n`);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
