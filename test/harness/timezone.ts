/**
 * Runs a script in a child Node process with another time zone and returns what it printed as
 * JSON. Jest gives tests their own copy of process.env, so changing TZ inside a test does nothing;
 * a child process is where a server's local time zone can really be set.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const repoRoot = join(__dirname, '../..');

/** `script` is CommonJS (require modules by absolute path) and writes one JSON value to stdout. */
export function runInTimeZone(timeZone: string, script: string): unknown {
	const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
		cwd: repoRoot,
		env: { ...process.env, TZ: timeZone },
		encoding: 'utf8',
	});
	return JSON.parse(out) as unknown;
}
