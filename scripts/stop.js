/** `npm stop`: stops what `npm start` started (its own process, n8n and the inbox), by pid. */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const rt = require('./n8n-runtime');

const PID_FILE = path.join(rt.RUNTIME, 'start.json');

async function main() {
	if (!fs.existsSync(PID_FILE)) {
		console.log('npm start is not running.');
		return;
	}
	const { pid, children = [] } = JSON.parse(fs.readFileSync(PID_FILE, 'utf8'));
	// npm start stops its children itself on SIGTERM; then make sure each is gone.
	try {
		process.kill(pid, 'SIGTERM');
	} catch {
		/* already gone */
	}
	const deadline = Date.now() + 15000;
	const alive = (p) => {
		try {
			process.kill(p, 0);
			return true;
		} catch {
			return false;
		}
	};
	while (Date.now() < deadline && [pid, ...children].some(alive)) await rt.sleep(200);
	for (const child of children) if (alive(child)) await rt.stopProcess(child);
	fs.rmSync(PID_FILE, { force: true });
	console.log('stopped n8n and the local inbox.');
}

main().catch((error) => {
	console.error(`npm stop failed: ${error.message}`);
	process.exit(1);
});
