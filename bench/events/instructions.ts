/**
 * Instruction counts of the events full path, for comparing two versions of the code on a shared
 * machine whose speed varies (CPU time of one JSON.parse pass moved 5.7-8.9 µs between runs of the
 * same code). Not a benchmark (bench/run.ts runs index.ts only). Needs valgrind.
 *
 *   node -r ts-node/register/transpile-only bench/events/instructions.ts [--base <git ref>] [--mode full|parse|verify|normalize] [--only <source>]
 *
 * The bench's mixed deliveries (600, its `deliveries()`, signed once with a fixed clock) go through
 * processDelivery (or one phase alone) in a bundle of this tree's nodes/engines/events (and of
 * `--base`'s, exported with git archive), under `valgrind --tool=callgrind` with V8 single-threaded
 * and predictable: the same code counted twice differs by about 1 in 50,000 or less. Each version runs twice, WARM passes only
 * and WARM + MEASURED passes; the difference per delivery is the steady state, printed with and
 * without TurboFan's compile work (functions of rarely used paths still tier up after 50 passes;
 * the bench, 1.1 M deliveries, amortises that). Two runs at a time; ~3 minutes per version.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { deliveries } from './index';

const WARM = 50;
const MEASURED = 20;
const COUNT = 600;

function option(name: string): string | undefined {
	const i = process.argv.indexOf(name);
	return i >= 0 ? process.argv[i + 1] : undefined;
}

const root = path.resolve(__dirname, '..', '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'events-instructions-'));

/** The deliveries, written once so every version and run sees the same bytes and the same clock. */
function writeDeliveries(file: string): void {
	const nowMs = Date.now();
	const list = deliveries(COUNT).map((d) => ({
		sourceId: d.input.sourceId,
		body: d.body.toString('utf8'),
		headers: d.input.headers,
		receivedAt: d.input.receivedAt.getTime(),
		secrets: d.input.secrets,
		customHmac: d.input.verifyOptions?.customHmac,
		mapping: d.input.mapping,
		allowedTopicArns: d.input.allowedTopicArns,
	}));
	writeFileSync(file, JSON.stringify({ nowMs, list }));
}

/**
 * The driver, bundled against one copy of nodes/engines/events. Its inputs are built with the
 * bench's literal (same keys in the same order: object shapes decide V8's inline caches), plus
 * `nowMs` so the signatures stay inside their replay window.
 */
const DRIVER = `
import fs from 'node:fs';
import { processDelivery } from 'EVENTS/pipeline';
import { getSource } from 'EVENTS/registry';
import { verifyDelivery } from 'EVENTS/signatures';
import { cacheCertificate } from 'EVENTS/signatures/sns';
const [file, pem, certUrl, mode, only, warm, measured] = process.argv.slice(2);
const data = JSON.parse(fs.readFileSync(file, 'utf8'));
cacheCertificate(certUrl, fs.readFileSync(pem, 'utf8'), data.nowMs);
const inputs = data.list.filter((d) => only === 'all' || d.sourceId === only).map((d) => ({
	sourceId: d.sourceId,
	rawBody: Buffer.from(d.body, 'utf8'),
	headers: d.headers,
	receivedAt: new Date(d.receivedAt),
	secrets: {
		secret: d.secrets.secret,
		publicKey: d.secrets.publicKey,
		...(d.sourceId === 'postmark' ? { username: d.secrets.username, password: d.secrets.password } : {}),
		...(d.sourceId === 'brevo' ? { token: d.secrets.token } : {}),
	},
	verifyOptions: { customHmac: d.customHmac, nowMs: data.nowMs },
	mapping: d.mapping,
	onUnknown: 'skip',
	allowedTopicArns: d.allowedTopicArns,
}));
const parsed = inputs.map((d) => JSON.parse(d.rawBody.toString('utf8')));
let sink = 0;
async function pass() {
	for (let k = 0; k < inputs.length; k++) {
		const d = inputs[k];
		if (mode === 'full') {
			const o = await processDelivery(d);
			if (o.kind !== 'events') throw new Error(d.sourceId + ': ' + JSON.stringify(o).slice(0, 200));
			sink += o.events.length;
		} else if (mode === 'parse') sink += JSON.parse(d.rawBody.toString('utf8')) === null ? 0 : 1;
		else if (mode === 'verify') sink += (await verifyDelivery(d.sourceId, d.rawBody, d.headers, parsed[k], d.secrets, d.verifyOptions)).ok ? 1 : 0;
		else if (mode === 'normalize') sink += getSource(d.sourceId).normalize({ payload: parsed[k], headers: d.headers, receivedAt: d.receivedAt, onUnknown: 'skip', mapping: d.mapping }).length;
		else throw new Error('mode ' + mode);
	}
}
(async () => {
	for (let i = 0; i < Number(warm) + Number(measured); i++) await pass();
	if (sink < 0) console.log(sink);
	process.stdout.write(String(inputs.length));
})();
`;

async function bundle(eventsDir: string, out: string): Promise<void> {
	const entry = path.join(work, 'driver.ts');
	writeFileSync(entry, DRIVER);
	await build({
		entryPoints: [entry],
		bundle: true,
		platform: 'node',
		target: 'node20',
		outfile: out,
		logLevel: 'warning',
		plugins: [
			{
				name: 'events-dir',
				setup(b) {
					b.onResolve({ filter: /^EVENTS\// }, (args) => ({ path: require.resolve(path.join(eventsDir, args.path.slice('EVENTS/'.length))) }));
				},
			},
		],
	});
}

interface Count {
	total: number;
	compiler: number;
	deliveries: number;
}

/** One callgrind run: total instructions and those of V8's compilers (self cost of their functions). */
function callgrind(js: string, args: string[]): Promise<Count> {
	const out = path.join(work, `cg.${Math.random().toString(36).slice(2)}.out`);
	return new Promise((resolve, reject) => {
		const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', '--predictable', js, ...args]);
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.on('close', (code) => {
			if (code !== 0) return reject(new Error(`valgrind exited ${code}: ${stderr.slice(-1000)}`));
			const annotated = execFileSync('callgrind_annotate', ['--threshold=100', out], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
			let total = 0;
			let compiler = 0;
			for (const line of annotated.split('\n')) {
				const m = /^\s*([\d,]+) \([^)]*\)\s+(.*)$/.exec(line);
				if (!m) continue;
				const n = Number(m[1].replace(/,/g, ''));
				if (m[2].includes('PROGRAM TOTALS')) total = n;
				else if (/compiler::|turboshaft|maglev::|interpreter::|Compiler::/.test(m[2])) compiler += n;
			}
			resolve({ total, compiler, deliveries: Number(stdout.trim()) });
		});
	});
}

async function measure(label: string, eventsDir: string, deliveriesFile: string, mode: string, only: string): Promise<void> {
	const js = path.join(work, `${label}.js`);
	await bundle(eventsDir, js);
	const pem = path.join(root, 'test', 'fixtures', 'events', 'keys', 'sns-test-cert.pem');
	const certUrl = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem';
	const common = [deliveriesFile, pem, certUrl, mode, only];
	const [warm, both] = await Promise.all([callgrind(js, [...common, String(WARM), '0']), callgrind(js, [...common, String(WARM), String(MEASURED)])]);
	const per = (n: number) => Math.round(n / (MEASURED * both.deliveries));
	const total = per(both.total - warm.total);
	const compile = per(both.compiler - warm.compiler);
	console.log(`${label.padEnd(6)} ${mode} ${only}: ${total} instructions per delivery (${total - compile} without the ${compile} of TurboFan still tiering up), ${both.deliveries} deliveries x ${MEASURED} passes after ${WARM}`);
}

async function main(): Promise<void> {
	const mode = option('--mode') ?? 'full';
	const only = option('--only') ?? 'all';
	const base = option('--base');
	const deliveriesFile = path.join(work, 'deliveries.json');
	writeDeliveries(deliveriesFile);
	if (base) {
		const dir = path.join(work, 'base');
		mkdirSync(dir);
		execFileSync('sh', ['-c', `git -C "${root}" archive "${base}" nodes | tar -x -C "${dir}"`]);
		await measure('base', path.join(dir, 'nodes', 'engines', 'events'), deliveriesFile, mode, only);
	}
	await measure('this', path.join(root, 'nodes', 'engines', 'events'), deliveriesFile, mode, only);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
