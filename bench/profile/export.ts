/**
 * Export Profiles cost, on its own (not part of `npm run bench`):
 *   node -r ts-node/register/transpile-only bench/profile/export.ts [profiles=50000]
 * Builds a store of N customers (one Identify each; 1% unsubscribed, 0.2% hard-bounced, 100 pairs
 * of customers sharing an address, 50 erased customers whose address came back), then times
 * exportProfiles on SQLite and PostgreSQL: all rows, an incremental export with nothing new (since =
 * now: 0 rows) and one of 10 rows (limit 10); wall time and the process's CPU time (PostgreSQL's
 * server CPU not counted), best of 3 runs each.
 * PostgreSQL: PZ_PG_* env vars as in bench/profile; tables under a throw-away prefix.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { PostgresProfileStore } from '../../nodes/engines/profile/postgres';
import { SqliteProfileStore } from '../../nodes/engines/profile/sqlite';
import type { ExportOptions, ProfileStore } from '../../nodes/engines/profile/types';
import { pg } from './index';

const T0 = Date.parse('2026-01-01T00:00:00Z');
let seq = 0;
const ev = (event: string, who: Record<string, string>, properties: Record<string, unknown> = {}) => {
	const ts = new Date(T0 + ++seq * 1000).toISOString();
	return { type: event === 'Identify' ? 'identify' : 'track', event, messageId: `x-${seq}`, timestamp: ts, receivedAt: ts, properties, context: { source: 'bench' }, ...who };
};

async function fill(store: ProfileStore, n: number): Promise<void> {
	const events: object[] = [];
	for (let i = 0; i < n; i++) {
		events.push(ev('Identify', { userId: `u${i}`, email: `c${i}@example.com` }, {}));
		events.push(ev('Product Viewed', { userId: `u${i}` }, { product_id: `sku-${i % 500}`, name: 'Shirt', price: 20 }));
		if (i % 100 === 1) events.push(ev('Unsubscribed', { userId: `u${i}`, email: `c${i}@example.com` }));
		if (i % 500 === 2) events.push(ev('Email Bounced', { userId: `u${i}`, email: `c${i}@example.com` }, { bounce_type: 'hard' }));
	}
	for (let i = 0; i < 100; i++) events.push(ev('Identify', { userId: `s${i}`, email: `c${i * 100 + 1}@example.com` }));
	for (let i = 0; i < 50; i++) events.push(ev('Identify', { userId: `e${i}`, email: `erased${i}@example.com` }), ev('Unsubscribed', { userId: `e${i}`, email: `erased${i}@example.com` }));
	for (let i = 0; i < events.length; i += 500) await store.record(events.slice(i, i + 500));
	for (let i = 0; i < 50; i++) await store.erase({ userId: `e${i}` });
	await store.record(Array.from({ length: 50 }, (_, i) => ev('Identify', { userId: `b${i}`, email: `erased${i}@example.com` })));
}

async function time(store: ProfileStore, options: ExportOptions = {}): Promise<{ wallMs: number; cpuMs: number; rows: number; unsubscribed: number }> {
	let best = { wallMs: Infinity, cpuMs: Infinity, rows: 0, unsubscribed: 0 };
	for (let k = 0; k < 3; k++) {
		global.gc?.();
		const c0 = process.cpuUsage();
		const w0 = performance.now();
		const rows = await store.exportProfiles(options);
		const wallMs = performance.now() - w0;
		const c = process.cpuUsage(c0);
		const cpuMs = (c.user + c.system) / 1000;
		if (cpuMs < best.cpuMs) best = { wallMs, cpuMs, rows: rows.length, unsubscribed: rows.filter((p) => p.unsubscribed).length };
	}
	return best;
}

/** Full export, then the incremental ones (since = now: nothing written since, 0 rows; limit 10). */
async function report(name: string, store: ProfileStore): Promise<void> {
	console.log(name, 'all', JSON.stringify(await time(store)));
	console.log(name, 'since=now', JSON.stringify(await time(store, { since: new Date() })));
	console.log(name, 'limit=10', JSON.stringify(await time(store, { limit: 10 })));
}

async function main(): Promise<void> {
	const n = Number(process.argv[2] ?? 50_000);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pz-bench-export-'));
	const sqlite = new SqliteProfileStore(path.join(dir, 'p.sqlite'), { retentionDays: 0 });
	await fill(sqlite, n);
	await report('sqlite', sqlite);
	await sqlite.close();
	fs.rmSync(dir, { recursive: true, force: true });

	const prefix = `pzx_${crypto.randomBytes(3).toString('hex')}_`;
	const store = new PostgresProfileStore({ ...pg, ssl: 'disable', maxConnections: 1 }, { tablePrefix: prefix, retentionDays: 0 });
	try {
		await store.init();
		await fill(store, n);
		await report('postgres', store);
	} finally {
		await store.close();
		const client = new Client({ ...pg, ssl: false });
		await client.connect();
		const { rows } = await client.query(`SELECT tablename FROM pg_tables WHERE tablename LIKE $1`, [`${prefix}%`]);
		for (const r of rows) await client.query(`DROP TABLE IF EXISTS "${r.tablename}"`);
		await client.end();
	}
}

void main();
