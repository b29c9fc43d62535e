/**
 * Keeps package-lock.json complete for every platform.
 *
 * @duckdb/node-api (a devDependency, used only by bench/segments as the DuckDB baseline) pulls
 * its native binding from one optional package per platform. The registry this project's
 * machines reach serves only the Linux ones, so `npm install` here writes a lock without the
 * others, and `npm ci` then refuses the lock as out of sync. This script adds the missing
 * optional entries (os/cpu-restricted, so npm skips them on other platforms without fetching).
 * Run it after any `npm install` that rewrote the lock: `node scripts/lock-optional-platforms.js`.
 */
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
	for (const name of Object.keys(entry.optionalDependencies ?? {})) {
		const match = /^@duckdb\/node-bindings-(darwin|linux|win32)-(arm64|x64)(-musl)?$/.exec(name);
		if (!match) continue;
		const where = `${key.replace(/node_modules\/@duckdb\/node-bindings$/, '')}node_modules/${name}`;
		if (lock.packages[where]) continue;
		lock.packages[where] = {
			version: entry.optionalDependencies[name],
			cpu: [match[2]],
			dev: true,
			license: 'MIT',
			optional: true,
			os: [match[1]],
		};
		added++;
	}
}
const sorted = {};
for (const key of Object.keys(lock.packages).sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0))) sorted[key] = lock.packages[key];
lock.packages = sorted;
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-optional-platforms: added ${added} entr${added === 1 ? 'y' : 'ies'}`);
