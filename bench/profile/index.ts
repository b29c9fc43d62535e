/**
 * bench/profile: the profile store on 100,000 canonical events over 10,000 customers.
 *  - events/s recorded into SQLite and PostgreSQL in batches of 100 (one transaction per batch,
 *    as the Record Events operation does per execution);
 *  - "check since" look-ups/s (Order Completed since a time) on both;
 * with baselines measured in the same run:
 *  - one transaction per event (the same store, batches of 1);
 *  - the naive n8n static-data approach: every execution parses one JSON blob holding every
 *    profile, folds its batch, stringifies and writes it back (measured at 10,000 customers).
 * PostgreSQL: PZ_PG_* env vars (defaults as in the tests); tables under a throw-away prefix.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { applyEvent, emptyState, validateEvent, type ProfileState } from '../../nodes/engines/profile/fold';
import { PostgresProfileStore } from '../../nodes/engines/profile/postgres';
import { SqliteProfileStore } from '../../nodes/engines/profile/sqlite';
import type { ProfileStore } from '../../nodes/engines/profile/types';
import type { CanonicalEvent } from '../../nodes/engines/types/CanonicalEvent';
import type { Figure } from '../types';

/** The local PostgreSQL the profile benches use (the role and database .ci/run creates). */
export const pg = {
	host: process.env.PZ_PG_HOST ?? '127.0.0.1',
	port: Number(process.env.PZ_PG_PORT ?? 5432),
	database: process.env.PZ_PG_DATABASE ?? 'personalization',
	user: process.env.PZ_PG_USER ?? 'personalization',
	password: process.env.PZ_PG_PASSWORD ?? 'personalization',
};

const T0 = Date.parse('2026-01-01T00:00:00Z');

/** Deterministic pseudo-random (mulberry32). */
function rng(seed: number): () => number {
	let a = seed;
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function makeEvents(n: number, customers: number, tag: string): CanonicalEvent[] {
	const r = rng(7);
	const events: CanonicalEvent[] = [];
	for (let i = 0; i < n; i++) {
		const c = Math.floor(r() * customers);
		const ts = new Date(T0 + i * 30_000).toISOString();
		const roll = r();
		const who = roll < 0.1 ? { anonymousId: `anon-${c}` } : { userId: `user-${c}` };
		const product = { product_id: `sku-${Math.floor(r() * 2000)}`, name: 'Organic cotton t-shirt', price: 19.99, quantity: 1, url: 'https://shop.example.com/p/1' };
		let event: string;
		let properties: Record<string, unknown> = {};
		if (roll < 0.4) {
			event = 'Product Viewed';
			properties = product;
		} else if (roll < 0.55) {
			event = 'Checkout Started';
			properties = { checkout_id: `c-${i}`, value: 39.98, currency: 'USD', products: [product, { ...product, product_id: 'sku-x' }], recovery_url: `https://shop.example.com/r/${i}` };
		} else if (roll < 0.7) {
			event = 'Order Completed';
			properties = { order_id: `o-${i}`, total: 39.98, currency: 'USD', products: [product] };
		} else if (roll < 0.9) {
			event = ['Email Delivered', 'Email Opened', 'Email Link Clicked'][i % 3];
			properties = { email_id: `e-${i}`, campaign_id: 'spring' };
		} else {
			event = 'Identify';
		}
		events.push({
			type: event === 'Identify' ? 'identify' : 'track',
			event,
			messageId: `${tag}-${i}`,
			timestamp: ts,
			receivedAt: ts,
			...who,
			...(event === 'Identify' ? { userId: `user-${c}`, anonymousId: `anon-${c}`, email: `user${c}@example.com`, traits: { first_name: 'Sam', plan: 'gold' } } : {}),
			properties,
			context: { source: 'bench' },
		} as CanonicalEvent);
	}
	return events;
}

interface Rate {
	/** events per wall-clock second */
	wall: number;
	/** events per CPU second (this process, plus the PostgreSQL backend when `backendPid` is given) */
	cpu: number;
}

/** CPU seconds used so far by a process on this machine (/proc/<pid>/stat utime + stime). */
function procCpuSeconds(pid: number): number {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function recordAll(store: ProfileStore, events: CanonicalEvent[], batch: number, backendPid?: number): Promise<Rate> {
	const start = process.hrtime.bigint();
	const cpu0 = process.cpuUsage();
	const backend0 = backendPid ? procCpuSeconds(backendPid) : 0;
	for (let i = 0; i < events.length; i += batch) {
		const results = await store.record(events.slice(i, i + batch));
		if (results.some((x) => x.status === 'invalid')) throw new Error('bench events must be valid');
	}
	const seconds = Number(process.hrtime.bigint() - start) / 1e9;
	const cpu = process.cpuUsage(cpu0);
	const cpuSeconds = (cpu.user + cpu.system) / 1e6 + (backendPid ? procCpuSeconds(backendPid) - backend0 : 0);
	return { wall: events.length / seconds, cpu: events.length / cpuSeconds };
}

/** The one backend of a single-connection store (the bench runs PostgreSQL on this machine). */
async function backendPid(store: PostgresProfileStore): Promise<number | undefined> {
	const { rows } = await store.pool.query('SELECT pg_backend_pid() AS pid');
	const pid = Number(rows[0].pid);
	return fs.existsSync(`/proc/${pid}/stat`) ? pid : undefined;
}

async function lookups(store: ProfileStore, customers: number, n: number, since: Date): Promise<number> {
	const r = rng(11);
	const start = process.hrtime.bigint();
	let hits = 0;
	for (let i = 0; i < n; i++) {
		const res = await store.hasEventSince({ userId: `user-${Math.floor(r() * customers)}` }, 'Order Completed', since);
		if (res.happened) hits++;
	}
	const seconds = Number(process.hrtime.bigint() - start) / 1e9;
	if (hits === 0) throw new Error('no look-up found an order: the bench data is wrong');
	return n / seconds;
}

/** n8n static-data style: one JSON blob of every profile, parsed, folded and written back per execution. */
function blobBaseline(events: CanonicalEvent[], batch: number, dir: string): { recordPerSec: number; lookupPerSec: number } {
	const file = path.join(dir, 'static-data.json');
	const byId: Record<string, ProfileState> = {};
	const fold = (list: CanonicalEvent[], state: Record<string, ProfileState>) => {
		for (const e of list) {
			const v = validateEvent(e);
			const id = v.event.userId ?? v.event.email ?? v.event.anonymousId!;
			state[id] = applyEvent(state[id] ?? emptyState(id, v.ts), v);
		}
	};
	// Build the state of the first 90% of events, then time the executions of the last 10%.
	const split = Math.floor(events.length * 0.9);
	fold(events.slice(0, split), byId);
	fs.writeFileSync(file, JSON.stringify(byId));
	const tail = events.slice(split);
	let start = process.hrtime.bigint();
	for (let i = 0; i < tail.length; i += batch) {
		const state = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, ProfileState>;
		fold(tail.slice(i, i + batch), state);
		fs.writeFileSync(file, JSON.stringify(state));
	}
	const recordPerSec = tail.length / (Number(process.hrtime.bigint() - start) / 1e9);
	// Look-ups: one execution = parse the blob once, answer 100 look-ups from lastOrderAt.
	const executions = 20;
	start = process.hrtime.bigint();
	let hits = 0;
	for (let x = 0; x < executions; x++) {
		const state = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, ProfileState>;
		for (let k = 0; k < 100; k++) if ((state[`user-${(x * 100 + k) % 10000}`]?.lastOrder ?? 0) > T0) hits++;
	}
	if (hits < 0) console.log(hits);
	const lookupPerSec = (executions * 100) / (Number(process.hrtime.bigint() - start) / 1e9);
	return { recordPerSec, lookupPerSec };
}

async function dropPrefix(prefix: string): Promise<void> {
	const client = new Client({ ...pg, ssl: false });
	await client.connect();
	const { rows } = await client.query(`SELECT tablename FROM pg_tables WHERE tablename LIKE $1`, [`${prefix}%`]);
	for (const r of rows) await client.query(`DROP TABLE IF EXISTS "${r.tablename}"`);
	await client.end();
}

export async function run({ quick }: { quick: boolean }): Promise<Figure[]> {
	const customers = quick ? 2_000 : 10_000;
	const total = quick ? 20_000 : 100_000;
	const batch = 100;
	const events = makeEvents(total, customers, 'b');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pz-bench-profile-'));
	const figures: Figure[] = [];
	// Half-way through the event stream: about half the look-ups find an order after it.
	const since = new Date(T0 + (total * 30_000) / 2);
	const scale = `${total.toLocaleString('en-US')} events, ${customers.toLocaleString('en-US')} customers`;

	// SQLite
	const sqlite = new SqliteProfileStore(path.join(dir, 'profiles.sqlite'), { retentionDays: 0 });
	const sqliteRate = await recordAll(sqlite, events, batch);
	const sqliteLookups = await lookups(sqlite, customers, quick ? 5_000 : 20_000, since);
	await sqlite.close();
	const single = makeEvents(quick ? 2_000 : 10_000, customers, 's');
	const sqliteSingle = new SqliteProfileStore(path.join(dir, 'single.sqlite'), { retentionDays: 0 });
	const sqliteSingleRate = await recordAll(sqliteSingle, single, 1);
	await sqliteSingle.close();

	// PostgreSQL
	const prefix = `pzb_${crypto.randomBytes(3).toString('hex')}_`;
	const prefixSingle = `${prefix}s_`;
	let pgRate: Rate = { wall: 0, cpu: 0 };
	let pgLookups = 0;
	let pgSingleRate: Rate = { wall: 0, cpu: 0 };
	try {
		// One connection, so its server process can be measured too (pools reuse it anyway when sequential).
		const store = new PostgresProfileStore({ ...pg, ssl: 'disable', maxConnections: 1 }, { tablePrefix: prefix, retentionDays: 0 });
		await store.init();
		pgRate = await recordAll(store, events, batch, await backendPid(store));
		pgLookups = await lookups(store, customers, quick ? 2_000 : 10_000, since);
		await store.close();
		const storeSingle = new PostgresProfileStore({ ...pg, ssl: 'disable', maxConnections: 1 }, { tablePrefix: prefixSingle, retentionDays: 0 });
		await storeSingle.init();
		pgSingleRate = await recordAll(storeSingle, single.slice(0, quick ? 1_000 : 5_000), 1, await backendPid(storeSingle));
		await storeSingle.close();
	} finally {
		await dropPrefix(prefix);
	}

	// Peak memory of the store phases (the 100k generated events included), before the blob baseline inflates it.
	const storePeakMb = process.resourceUsage().maxRSS / 1024;
	const blob = blobBaseline(events, batch, dir);
	fs.rmSync(dir, { recursive: true, force: true });

	const load = os.loadavg()[0].toFixed(1);
	figures.push(
		{
			name: `SQLite: events recorded/s, batches of ${batch} (${scale}; load avg ${load} on ${os.cpus().length} cores)`,
			value: sqliteRate.wall,
			unit: 'events/s',
			baseline: { name: 'one transaction per event', value: sqliteSingleRate.wall },
			better: 'higher',
			target: '>= 10,000 events/s',
		},
		{
			name: 'SQLite: events recorded per CPU-second of the process (independent of machine load)',
			value: sqliteRate.cpu,
			unit: 'events/cpu-s',
			baseline: { name: 'one transaction per event', value: sqliteSingleRate.cpu },
			better: 'higher',
		},
		{
			name: `SQLite: events recorded/s vs n8n static-data JSON blob (${scale})`,
			value: sqliteRate.wall,
			unit: 'events/s',
			baseline: { name: 'parse+fold+write one JSON blob per execution', value: blob.recordPerSec },
			better: 'higher',
		},
		{
			name: `PostgreSQL: events recorded/s, batches of ${batch} (${scale}; load avg ${load})`,
			value: pgRate.wall,
			unit: 'events/s',
			baseline: { name: 'one transaction per event', value: pgSingleRate.wall },
			better: 'higher',
			target: '>= 5,000 events/s',
		},
		{
			name: 'PostgreSQL: events recorded per CPU-second (client + its server backend; WAL writer/checkpointer not counted)',
			value: pgRate.cpu,
			unit: 'events/cpu-s',
			baseline: { name: 'one transaction per event', value: pgSingleRate.cpu },
			better: 'higher',
		},
		{
			name: 'SQLite: "check since" look-ups/s (Order Completed since a time)',
			value: sqliteLookups,
			unit: 'look-ups/s',
			baseline: { name: 'static-data blob, parsed once per 100 look-ups', value: blob.lookupPerSec },
			better: 'higher',
		},
		{
			name: 'PostgreSQL: "check since" look-ups/s (one query each, sequential)',
			value: pgLookups,
			unit: 'look-ups/s',
			baseline: { name: 'static-data blob, parsed once per 100 look-ups', value: blob.lookupPerSec },
			better: 'higher',
		},
		{
			name: 'Peak RSS of the process through the SQLite and PostgreSQL phases (generated events included)',
			value: storePeakMb,
			unit: 'MB',
			better: 'lower',
		},
	);
	return figures;
}
