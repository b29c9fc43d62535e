/**
 * `npm run bench [-- name ...] [-- --quick]`: runs every benchmark folder in bench/ (each in
 * its own process), prints one table (figure, value, baseline, ratio, target, peak RSS) and
 * writes bench/results.json. Benchmarks are never part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Figure } from './types';

interface BenchResult {
	bench: string;
	figures: Figure[];
	peakRssMb: number;
	seconds: number;
	error?: string;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
const benches = fs
	.readdirSync(__dirname, { withFileTypes: true })
	.filter((d) => d.isDirectory() && fs.existsSync(path.join(__dirname, d.name, 'index.ts')))
	.map((d) => d.name)
	.filter((name) => only.length === 0 || only.includes(name))
	.sort();

const results: BenchResult[] = [];
for (const bench of benches) {
	process.stderr.write(`bench/${bench} ...\n`);
	const started = Date.now();
	const child = spawnSync(
		process.execPath,
		['--expose-gc', '--max-old-space-size=4096', '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'child.ts'), bench, ...(quick ? ['--quick'] : [])],
		{ encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.test.json') } },
	);
	const seconds = (Date.now() - started) / 1000;
	const marker = child.stdout.lastIndexOf('@@RESULT@@');
	if (child.status !== 0 || marker < 0) {
		results.push({ bench, figures: [], peakRssMb: 0, seconds, error: (child.stderr || child.stdout).slice(-2000) });
		process.stderr.write(child.stderr.slice(-2000));
		continue;
	}
	const parsed = JSON.parse(child.stdout.slice(marker + '@@RESULT@@'.length)) as { figures: Figure[]; peakRssMb: number };
	results.push({ bench, figures: parsed.figures, peakRssMb: parsed.peakRssMb, seconds });
}

const fmt = (n: number): string =>
	Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : Number(n.toPrecision(4)).toString();
const rows: string[][] = [['bench', 'figure', 'value', 'baseline', 'ratio', 'target', 'peak RSS']];
for (const r of results) {
	if (r.error) {
		rows.push([r.bench, 'FAILED', r.error.split('\n').filter(Boolean).slice(-1)[0] ?? '', '', '', '', '']);
		continue;
	}
	for (const f of r.figures) {
		const ratio = f.baseline && f.baseline.value !== 0 ? f.value / f.baseline.value : undefined;
		rows.push([
			r.bench,
			f.name,
			`${fmt(f.value)} ${f.unit}`,
			f.baseline ? `${fmt(f.baseline.value)} ${f.unit} (${f.baseline.name})` : '',
			ratio === undefined ? '' : `${ratio.toFixed(2)}x (${f.better} is better)`,
			f.target ?? '',
			`${Math.round(r.peakRssMb)} MB`,
		]);
	}
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
for (const [i, row] of rows.entries()) {
	console.log(row.map((cell, c) => cell.padEnd(widths[c])).join(' | '));
	if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
}

const out = {
	date: new Date().toISOString(),
	node: process.version,
	cpus: os.cpus().length,
	cpuModel: os.cpus()[0]?.model,
	quick,
	results,
};
fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(`\nwrote bench/results.json`);
if (results.some((r) => r.error)) process.exitCode = 1;
