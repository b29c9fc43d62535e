/**
 * `npm start`: a real local n8n with this package and the templates loaded.
 *
 *  1. installs n8n 2.41.1 on Node 24 into `.n8n-runtime/n8n/` (first run only, ~8 min),
 *  2. builds this package when a source changed, and installs it into
 *     `~/.n8n-personalization-local/.n8n/nodes` (PZ_USER_FOLDER) as an installed community package,
 *  3. imports the local credentials (SMTP pointing at the local inbox) and the templates, and
 *     publishes the templates that can run as they are (first run, or when a template changed),
 *  4. starts the local SMTP inbox and n8n (SQLite), and prints where everything is.
 *
 * Ctrl-C or `npm stop` stops everything it started.
 * Ports: N8N_PORT (default 5678), INBOX_SMTP_PORT (2525), INBOX_HTTP_PORT (5681).
 */
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const rt = require('./n8n-runtime');
const setup = require('./local-setup');

// Outside the repository on purpose: inside it, Node would resolve the package's `n8n-workflow`
// from the repository's node_modules instead of n8n's own copy, unlike a real installation.
const USER_FOLDER = path.resolve(process.env.PZ_USER_FOLDER || path.join(require('node:os').homedir(), '.n8n-personalization-local'));
const PID_FILE = path.join(rt.RUNTIME, 'start.json');
const STATE_FILE = path.join(USER_FOLDER, 'imported.json');
const port = Number(process.env.N8N_PORT || 5678);
const smtpPort = Number(process.env.INBOX_SMTP_PORT || 2525);
const inboxHttpPort = Number(process.env.INBOX_HTTP_PORT || 5681);

const children = [];
let stopping = false;

async function shutdown(code = 0) {
	if (stopping) return;
	stopping = true;
	rt.log('stopping n8n and the inbox...');
	await Promise.all(children.map((c) => rt.stopProcess(c.pid, c)));
	fs.rmSync(PID_FILE, { force: true });
	process.exit(code);
}

async function main() {
	if (fs.existsSync(PID_FILE)) {
		const prev = JSON.parse(fs.readFileSync(PID_FILE, 'utf8'));
		let alive = false;
		try {
			process.kill(prev.pid, 0);
			alive = true;
		} catch {
			/* stale */
		}
		if (alive) throw new Error(`npm start is already running (pid ${prev.pid}); \`npm stop\` stops it.`);
		fs.rmSync(PID_FILE, { force: true });
	}
	for (const [name, p] of [
		['N8N_PORT', port],
		['INBOX_SMTP_PORT', smtpPort],
		['INBOX_HTTP_PORT', inboxHttpPort],
	]) {
		if (!(await rt.portFree(p))) throw new Error(`port ${p} is in use: set ${name} to another port`);
	}
	if (port === 5679) throw new Error('N8N_PORT must not be 5679: n8n\'s task broker listens there');

	rt.ensureN8n();
	rt.buildPackage();
	fs.mkdirSync(USER_FOLDER, { recursive: true });
	rt.installPackage(USER_FOLDER);

	// Import credentials and templates on the first run and whenever a template changed.
	const templates = [];
	for (const t of setup.readTemplates()) {
		const missing = setup.missingNodeTypes(t.workflow);
		if (missing.length) rt.log(`skipping template ${t.file}: this build has no ${missing.join(', ')}`);
		else templates.push(t);
	}
	const credentials = setup.localCredentials({ smtpPort });
	const state = { templates: setup.hashOf(templates), credentials: setup.hashOf(credentials) };
	const previous = fs.existsSync(STATE_FILE) ? JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) : {};
	if (previous.templates !== state.templates || previous.credentials !== state.credentials) {
		rt.log(`importing ${credentials.length} credential(s) and ${templates.length} template(s) with n8n's CLI...`);
		setup.importIntoUserFolder({
			userFolder: USER_FOLDER,
			credentials,
			workflows: templates.map((t) => t.workflow),
			publishIds: templates.filter((t) => t.workflow.meta && t.workflow.meta.pzActivateOnStart).map((t) => t.workflow.id),
		});
		rt.writeJson(STATE_FILE, state);
	}

	// The inbox runs in its own process so n8n's logs and the mail log stay apart.
	const inboxDir = path.join(rt.RUNTIME, 'inbox');
	const inbox = spawn(rt.node24(), [path.join(__dirname, 'inbox.js'), '--smtp-port', String(smtpPort), '--http-port', String(inboxHttpPort), '--dir', inboxDir], {
		stdio: ['ignore', 'inherit', 'inherit'],
		detached: true,
	});
	children.push(inbox);

	const logFile = path.join(rt.RUNTIME, 'n8n.log');
	rt.log(`starting n8n (log: ${path.relative(process.cwd(), logFile)})...`);
	const n8n = await rt.startN8n({ userFolder: USER_FOLDER, port, logFile });
	children.push(n8n.child);
	fs.writeFileSync(PID_FILE, JSON.stringify({ pid: process.pid, children: children.map((c) => c.pid), port }));
	n8n.child.once('exit', (code) => {
		if (!stopping) {
			rt.log(`n8n exited (code ${code}); see ${logFile}`);
			shutdown(1);
		}
	});

	const lines = [
		'',
		`n8n ${rt.N8N_VERSION} is running with ${rt.PACKAGE_NAME} loaded.`,
		'',
		`  Editor:        ${n8n.baseUrl}/   (${(await ownerMissing(n8n.baseUrl)) ? 'first visit: create the owner account' : 'sign in with the owner account you created'})`,
		`  Local inbox:   http://127.0.0.1:${inboxHttpPort}/   (SMTP 127.0.0.1:${smtpPort}; JSON at /api/messages; files in ${path.relative(process.cwd(), inboxDir)})`,
		`  User folder:   ${USER_FOLDER}   (PZ_USER_FOLDER; delete it to start from scratch)`,
		'',
		'  Templates:',
	];
	for (const t of templates) {
		const active = t.workflow.meta && t.workflow.meta.pzActivateOnStart;
		lines.push(`    ${t.workflow.name}${active ? '' : '   (imported inactive: add your credentials, then publish)'}`);
		for (const node of t.workflow.nodes) {
			if (!node.webhookId || node.disabled) continue;
			// n8n's Webhook node serves its `path`; our trigger serves `<webhookId>/<source>`.
			const p = node.type === 'n8n-nodes-base.webhook' ? node.parameters.path || node.webhookId : `${node.webhookId}/${node.parameters.source || 'shopify'}`;
			lines.push(`      ${node.name}: POST ${n8n.baseUrl}/webhook/${p}`);
		}
	}
	lines.push('', '  Ctrl-C or `npm stop` stops n8n and the inbox.', '');
	console.log(lines.join('\n'));
}

/** Whether n8n still asks for its owner account (the setting the editor reads on first load). */
async function ownerMissing(baseUrl) {
	try {
		const settings = await new rt.RestClient(baseUrl).request('GET', '/rest/settings');
		return !settings || !settings.userManagement || settings.userManagement.showSetupOnFirstLoad !== false;
	} catch {
		return true;
	}
}

process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
main().catch((error) => {
	console.error(`npm start failed: ${error.message}`);
	shutdown(1);
});
