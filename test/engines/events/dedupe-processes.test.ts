/**
 * The trigger's de-duplication window as n8n runs it: static data is reloaded from the database
 * for every delivery (a JSON copy, wrapped by n8n-workflow's ObservableObject), and with several
 * main or webhook processes (queue mode) each process has its own memory and they write in turn.
 * Checked against an independent model of the window's meaning: an id is a duplicate when it was
 * accepted (not merely seen again) at most windowMs earlier.
 */
import * as ObservableObject from 'n8n-workflow/dist/cjs/observable-object';
import { decodeDedupeIds, dedupeKey, dedupePersisted } from '../../../nodes/engines/events/dedupe';

const WINDOWS = Symbol.for('n8n-nodes-personalization.dedupeWindows');
const holder = globalThis as unknown as Record<symbol, unknown>;

function lcg(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
		return s / 2 ** 32;
	};
}

/** What static data hands the trigger: the very array written, a JSON reload, or a proxied reload. */
function reloaded(stored: unknown, r: number): unknown {
	if (stored === undefined || r < 0.2) return stored;
	const copy: unknown = JSON.parse(JSON.stringify(stored));
	if (r < 0.6) return copy;
	const staticData = ObservableObject.create({ 'node:Trigger': { dedupeIds: copy } }, undefined, { ignoreEmptyOnFirstChild: true }) as Record<string, { dedupeIds: unknown }>;
	return staticData['node:Trigger'].dedupeIds;
}

describe('dedupe window across reloads and processes', () => {
	const saved = holder[WINDOWS];
	afterAll(() => {
		holder[WINDOWS] = saved;
	});

	it('processes writing in turn, each delivery on a reloaded copy, agree with the model (window never full)', () => {
		const W = 1000;
		for (let seed = 1; seed <= 40; seed++) {
			const random = lcg(seed);
			const processes = Array.from({ length: 2 + (seed % 2) }, () => new Map());
			const options = { windowMs: W, maxEntries: 100_000, chunkChars: [40, 100, 1000][seed % 3] };
			const accepted = new Map<string, number>();
			let stored: unknown;
			let now = 1_000_000;
			for (let step = 0; step < 120; step++) {
				now += Math.floor(random() * 300);
				holder[WINDOWS] = processes[Math.floor(random() * processes.length)];
				if (random() < 0.03) (holder[WINDOWS] as Map<string, unknown>).clear(); // a restart
				const keys = Array.from({ length: 1 + Math.floor(random() * 12) }, () => dedupeKey('s', `id-${Math.floor(random() * 60)}`));
				const result = dedupePersisted(keys, reloaded(stored, random()), `procs-${seed}`, now, options);
				if (result.persist !== undefined) stored = result.persist;
				const expected = keys.map((key) => {
					const at = accepted.get(key);
					if (at !== undefined && now - at <= W) return true;
					accepted.set(key, now);
					return false;
				});
				expect(result.seen).toEqual(expected);
				const live = [...accepted].filter(([, at]) => now - at <= W).sort();
				// Ids merged from another process's window may sit behind newer ones and outlive their
				// window until the ones before them expire; they no longer count as duplicates.
				expect(decodeDedupeIds(stored).filter(([, at]) => now - at <= W).sort()).toEqual(live);
			}
		}
	});

	it('one process with maxEntries changed between deliveries keeps exactly the newest ids', () => {
		holder[WINDOWS] = new Map();
		const W = 1000;
		for (let seed = 1; seed <= 60; seed++) {
			const random = lcg(1000 + seed);
			let window: Array<[string, number]> = []; // oldest first
			let stored: unknown;
			let now = 1_000_000;
			for (let step = 0; step < 120; step++) {
				now += Math.floor(random() * 300);
				const maxEntries = 1 + Math.floor(random() * 40);
				const keys = Array.from({ length: 1 + Math.floor(random() * 25) }, () => dedupeKey('s', `id-${Math.floor(random() * 80)}`));
				const result = dedupePersisted(keys, reloaded(stored, random()), `resize-${seed}`, now, { windowMs: W, maxEntries, chunkChars: 33 });
				if (result.persist !== undefined) stored = result.persist;
				window = window.filter(([, at]) => now - at <= W).slice(-maxEntries);
				const expected = keys.map((key) => {
					if (window.some(([k]) => k === key)) return true;
					window.push([key, now]);
					return false;
				});
				window = window.slice(-maxEntries);
				expect(result.seen).toEqual(expected);
				expect(decodeDedupeIds(stored)).toEqual(window);
			}
		}
	});
});
