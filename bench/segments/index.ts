/**
 * bench/segments: RFM on transactions passed as n8n items and read from a large CSV, each against
 * the same computation in DuckDB on the same data in the same run; BG/NBD fit on CDNOW master.
 * Large data is generated in a temp dir and deleted afterwards.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOUBLE, DuckDBDataChunk, VARCHAR } from '@duckdb/node-api';
import { aggregateItems } from '../../nodes/engines/segments/aggregate';
import { fitBgNbd } from '../../nodes/engines/segments/bgnbd';
import { dimensionsFromAccumulator, scoreRfm } from '../../nodes/engines/segments/rfm';
import type { Figure } from '../types';
import { loadCdnow, CALIBRATION_END_DAY } from '../../test/engines/segments/cdnow';
import { REFERENCE, transactions, writeCsv } from './data';
import { connect, rfmSql } from './duck';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;

interface Scored {
	id: string;
	r: number;
	f: number;
	m: number;
}

/** The node's item path: aggregate the item objects, score, and build the output json objects. */
function oursOnItems(items: Array<{ json: Record<string, unknown> }>): Scored[] {
	const ref = Date.parse(REFERENCE);
	const agg = aggregateItems(items, { customerId: 'customer_id', amount: 'amount', timestamp: 'timestamp' }, { referenceMs: ref, decimals: 2 });
	if (agg.errors.length) throw new Error(agg.errors[0].message);
	const dims = dimensionsFromAccumulator(agg.acc, ref, 'sum');
	const result = scoreRfm(dims, { bins: 5, monetary: 'sum' });
	const out: Array<Record<string, unknown> & Scored> = [];
	for (let c = 0; c < agg.acc.size; c++) {
		out.push({
			id: agg.acc.ids[c],
			recency_days: dims.recencyDays[c],
			frequency: dims.frequency[c],
			monetary: dims.monetaryMinor[c] / 100,
			r: result.r[c],
			f: result.f[c],
			m: result.m[c],
			rfm: `${result.r[c]}${result.f[c]}${result.m[c]}`,
			segment: result.segmentNames[result.segment[c]],
		});
	}
	return out;
}

/** DuckDB: load the same item values (id, amount, timestamp text), run the SQL, read the rows back. */
async function duckOnItems(items: Array<{ json: Record<string, unknown> }>): Promise<Scored[]> {
	const c = await connect();
	await c.run('CREATE TABLE tx (customer_id VARCHAR, amount DOUBLE, ts_text VARCHAR)');
	const appender = await c.createAppender('tx');
	const size = 2048;
	for (let start = 0; start < items.length; start += size) {
		const end = Math.min(items.length, start + size);
		const ids: string[] = [];
		const amounts: number[] = [];
		const times: string[] = [];
		for (let i = start; i < end; i++) {
			const j = items[i].json;
			ids.push(j.customer_id as string);
			amounts.push(j.amount as number);
			times.push(j.timestamp as string);
		}
		const chunk = DuckDBDataChunk.create([VARCHAR, DOUBLE, VARCHAR], end - start);
		chunk.setColumns([ids, amounts, times]);
		appender.appendDataChunk(chunk);
	}
	appender.flushSync();
	appender.closeSync();
	const source = '(SELECT customer_id, round(amount * 100)::BIGINT AS amount_minor, ts_text::TIMESTAMP AS ts FROM tx)';
	const reader = await c.runAndReadAll(rfmSql(source, REFERENCE));
	const cols = reader.getColumnsJS() as unknown[][];
	const out: Scored[] = [];
	for (let i = 0; i < cols[0].length; i++) out.push({ id: cols[0][i] as string, r: cols[4][i] as number, f: cols[5][i] as number, m: cols[6][i] as number });
	c.closeSync();
	return out;
}

function compare(a: Scored[], b: Scored[]): number {
	const map = new Map(b.map((s) => [s.id, s]));
	let mismatches = 0;
	for (const s of a) {
		const t = map.get(s.id);
		if (!t || t.r !== s.r || t.f !== s.f || t.m !== s.m) mismatches++;
	}
	return mismatches + Math.abs(a.length - b.length);
}

function csvChild(file: string, mode: 'ours' | 'duckdb'): { ms: number; cpuMs: number; rssMb: number; customers: number; checksum: number } {
	const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'csv-child.ts'), file, mode, REFERENCE], {
		encoding: 'utf8',
		env: process.env,
		maxBuffer: 16 * 1024 * 1024,
	});
	const marker = child.stdout.lastIndexOf('@@CSV@@');
	if (child.status !== 0 || marker < 0) throw new Error(`csv-child ${mode} failed: ${child.stderr.slice(-2000)}`);
	return JSON.parse(child.stdout.slice(marker + 7));
}

export async function run({ quick }: { quick: boolean }): Promise<Figure[]> {
	const figures: Figure[] = [];
	const nItems = quick ? 100_000 : 1_000_000;
	const nCustomers = quick ? 10_000 : 100_000;
	const items = Array.from(transactions(nItems, nCustomers), (t) => ({ json: t as unknown as Record<string, unknown> }));

	// Item path vs DuckDB, alternated, 3 runs each, medians.
	const oursTimes: number[] = [];
	const duckTimes: number[] = [];
	let ours: Scored[] = [];
	let duck: Scored[] = [];
	for (let k = 0; k < 3; k++) {
		let t = now();
		ours = oursOnItems(items);
		oursTimes.push(now() - t);
		t = now();
		duck = await duckOnItems(items);
		duckTimes.push(now() - t);
	}
	const mismatches = compare(ours, duck);
	if (mismatches > 0) throw new Error(`RFM scores differ from DuckDB for ${mismatches} customers`);
	figures.push({
		name: `RFM on ${nItems.toLocaleString('en-US')} transaction items / ${nCustomers.toLocaleString('en-US')} customers (aggregate+score+output objects; scores identical to DuckDB for all customers)`,
		value: median(oursTimes),
		unit: 'ms',
		baseline: { name: 'DuckDB: append the same rows + SQL (RANK-based quantiles) + read rows', value: median(duckTimes) },
		better: 'lower',
		target: 'no slower than DuckDB (~0.9-1.0 s at 1M)',
	});

	// The full node through the real n8n engine (item objects in, n8n items with pairedItem out).
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	require('../../test/setup-env.js');
	const { runWorkflow, node } = await import('../../test/harness/engine');
	const workflow = {
		nodes: [node('RFM', 'customerSegments', { operation: 'rfm', inputMode: 'transactions', referenceDate: REFERENCE, bins: 5 })],
		connections: {},
	};
	await runWorkflow(workflow, { input: items.slice(0, 1000) as never }); // load the package once
	const nodeTimes: number[] = [];
	for (let k = 0; k < (quick ? 2 : 1); k++) {
		const t = now();
		const result = await runWorkflow(workflow, { input: items as never });
		nodeTimes.push(now() - t);
		if (result.error || result.items('RFM').length !== nCustomers) throw new Error(`node run failed: ${result.error?.message}`);
	}
	figures.push({
		name: `Customer Segments node (RFM) through the n8n engine, ${nItems.toLocaleString('en-US')} items in → ${nCustomers.toLocaleString('en-US')} paired items out`,
		value: median(nodeTimes),
		unit: 'ms',
		baseline: { name: 'DuckDB (same as above)', value: median(duckTimes) },
		better: 'lower',
	});
	items.length = 0;

	// Large CSV, each side in its own process (peak RSS of that process alone).
	const nCsv = quick ? 1_000_000 : 10_000_000;
	const nCsvCustomers = quick ? 100_000 : 1_000_000;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segments-bench-'));
	try {
		const file = path.join(dir, 'transactions.csv');
		const bytes = await writeCsv(file, nCsv, nCsvCustomers);
		const oursCsv = csvChild(file, 'ours');
		const duckCsv = csvChild(file, 'duckdb');
		if (oursCsv.customers !== duckCsv.customers || oursCsv.checksum !== duckCsv.checksum) {
			throw new Error(`CSV results differ: ours ${JSON.stringify(oursCsv)} duckdb ${JSON.stringify(duckCsv)}`);
		}
		figures.push({
			name: `RFM from a ${(bytes / 1e6).toFixed(0)} MB CSV, ${nCsv.toLocaleString('en-US')} transactions / ${nCsvCustomers.toLocaleString('en-US')} customers, streamed (score checksum equal to DuckDB)`,
			value: oursCsv.ms,
			unit: 'ms',
			baseline: { name: 'DuckDB read_csv + same SQL', value: duckCsv.ms },
			better: 'lower',
			target: quick ? undefined : '< 10,000 ms',
		});
		figures.push({
			name: 'CPU time (user+system) of the same CSV run: the work done, less sensitive to a loaded machine than wall time',
			value: oursCsv.cpuMs,
			unit: 'ms',
			baseline: { name: 'DuckDB, all its threads', value: duckCsv.cpuMs },
			better: 'lower',
		});
		figures.push({
			name: 'Peak RSS of the CSV run (own process)',
			value: oursCsv.rssMb,
			unit: 'MB',
			baseline: { name: 'DuckDB process', value: duckCsv.rssMb },
			better: 'lower',
			target: '<= 1024 MB',
		});
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}

	// BG/NBD on CDNOW master: the maximum-likelihood fit (the file is read and summarised first, timed apart).
	const fitTimes: number[] = [];
	const sampleTimes: number[] = [];
	const loadTimes: number[] = [];
	let customers = 0;
	const sample = loadCdnow('CDNOW_sample.txt').summarize(CALIBRATION_END_DAY, 'weeks');
	for (let k = 0; k < 3; k++) {
		let t = now();
		const master = loadCdnow('CDNOW_master.txt').summarize(CALIBRATION_END_DAY, 'weeks');
		loadTimes.push(now() - t);
		customers = master.length;
		t = now();
		fitBgNbd(master);
		fitTimes.push(now() - t);
		t = now();
		fitBgNbd(sample);
		sampleTimes.push(now() - t);
	}
	figures.push({
		name: `BG/NBD maximum-likelihood fit on CDNOW master, ${customers.toLocaleString('en-US')} customers (reading + summarising the file: ${Math.round(median(loadTimes))} ms more)`,
		value: median(fitTimes),
		unit: 'ms',
		baseline: { name: 'same fit on the 1/10 sample (2,357 customers)', value: median(sampleTimes) },
		better: 'lower',
		target: '< 2,000 ms',
	});
	return figures;
}
