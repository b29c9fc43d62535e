/**
 * The sent-key memory in the customer profile store (engines/dispatch/sentKeys.ts), on embedded
 * SQLite and on PostgreSQL, through dispatch(): the same statuses as the static-data memory
 * (a key sent within the window, or twice in one run, is `duplicate`; test mode and sandbox
 * neither check nor fill it; a failed message's key is released), plus atomic claims across
 * runs (two runs of one key at the same moment: one message), window expiry, Forget Sent Keys,
 * a lapsed claim, and a store that cannot be reached (nothing sent). Times are hand-picked.
 */
import { dispatch, SentKeyMemoryUnavailableError, SentKeysNotRememberedError, type DispatchSettings } from '../../../nodes/engines/dispatch/engine';
import { hashKey } from '../../../nodes/engines/dispatch/ledger';
import { forgetSentKey, sentKeyTable, StoreSentKeys, type SentKeyTable } from '../../../nodes/engines/dispatch/sentKeys';
import { PostgresProfileStore, SqliteProfileStore } from '../../../nodes/engines/profile';
import { captureChannel, dispatchItem } from '../../harness/dispatch-engine';
import { dropPrefix, pgConnection, tempSqliteFile, uniquePrefix } from '../../harness/profile-db';

const HOUR = 3600_000;
const T0 = Date.parse('2026-03-01T06:00:00Z');
const item = (index: number, key: string) => dispatchItem(index, { idempotencyKey: key });

type Backend = { name: string; open(): Promise<{ table: SentKeyTable; close(): Promise<void> }> };
const backends: Backend[] = [
	{
		name: 'SQLite',
		open: async () => {
			const store = new SqliteProfileStore(tempSqliteFile(), { tablePrefix: 'pz_' });
			return { table: sentKeyTable(store, 'pz_'), close: () => store.close() };
		},
	},
	{
		name: 'PostgreSQL',
		open: async () => {
			const prefix = uniquePrefix('sk');
			const store = new PostgresProfileStore(pgConnection, { tablePrefix: prefix });
			return {
				table: sentKeyTable(store, prefix),
				close: async () => {
					await store.close();
					await dropPrefix(prefix);
				},
			};
		},
	},
];

describe.each(backends)('sent-key memory in the profile store ($name)', (backend) => {
	let table: SentKeyTable;
	let close: () => Promise<void>;
	beforeEach(async () => {
		({ table, close } = await backend.open());
	});
	afterEach(async () => close());

	const run = (keys: string[], at: number, extra: Partial<DispatchSettings> = {}, windowHours = 24, channel = captureChannel()) =>
		dispatch(keys.map((k, i) => item(i, k)), channel, { mode: 'rendered', now: () => at, claims: new StoreSentKeys(table, 'workflow:w1', windowHours * 3600), ...extra }).then((r) => ({ r, channel }));
	const statuses = (r: { outcomes: Array<{ status: string }> }) => r.outcomes.map((o) => o.status);

	it('a key sent within the window is a duplicate in a later run (with when it was sent); twice in one run the second is a duplicate', async () => {
		const first = await run(['a', 'b', 'a'], T0);
		expect(statuses(first.r)).toEqual(['sent', 'sent', 'duplicate']);
		expect(first.channel.captured).toHaveLength(2);
		const second = await run(['a', 'c'], T0 + 23 * HOUR);
		expect(statuses(second.r)).toEqual(['duplicate', 'sent']);
		expect(second.r.outcomes[0].sentAt).toBe('2026-03-01T06:00:00.000Z');
		expect(second.channel.captured.map((m) => m.idempotencyKey)).toEqual(['c']);
	});

	it('the window: sent again once it is over (24 h 1 s later), and a node with a longer window does not see keys past their sender\'s window', async () => {
		await run(['a'], T0);
		expect(statuses((await run(['a'], T0 + 24 * HOUR + 1000)).r)).toEqual(['sent']);
		// 'b' sent by a 1-hour node; a 720-hour node 2 hours later: the sender's window is over
		await run(['b'], T0, {}, 1);
		expect(statuses((await run(['b'], T0 + 2 * HOUR, {}, 720)).r)).toEqual(['sent']);
		// 'c' sent by a 720-hour node; a 24-hour node 2 days later: outside its own window
		await run(['c'], T0, {}, 720);
		expect(statuses((await run(['c'], T0 + 48 * HOUR, {}, 24)).r)).toEqual(['sent']);
	});

	it('a confirm never shortens a stored window: 30-day node A at 0, 24-hour node B at 2 days, A at 4 days is a duplicate', async () => {
		expect(statuses((await run(['k'], T0, {}, 720)).r)).toEqual(['sent']);
		// B: A's send is 2 days old, outside B's own 24 hours
		expect(statuses((await run(['k'], T0 + 48 * HOUR, {}, 24)).r)).toEqual(['sent']);
		// A sent k 4 days ago, inside its 30 days
		const a = await run(['k'], T0 + 96 * HOUR, {}, 720);
		expect(statuses(a.r)).toEqual(['duplicate']);
		expect(a.channel.captured).toHaveLength(0);
		// B 1 day after its own send: its 24 hours are over, it sends again
		expect(statuses((await run(['k'], T0 + 72 * HOUR + 1000, {}, 24)).r)).toEqual(['sent']);
		// A 30 days and 1 s after its own send (B's windows over too): sent again
		expect(statuses((await run(['k'], T0 + 720 * HOUR + 1000, {}, 720)).r)).toEqual(['sent']);
	});

	it('two runs of the same key at the same moment: one message (the other is a duplicate, claimed by another execution)', async () => {
		let release!: () => void;
		const gate = new Promise<void>((r) => (release = r));
		const slow = captureChannel();
		const send = slow.send;
		slow.send = async (unit) => {
			await gate;
			return send(unit);
		};
		const a = run(['k'], T0, {}, 24, slow);
		// the first run has claimed its key and waits in the provider call
		await new Promise((r) => setTimeout(r, 200));
		const b = await run(['k'], T0 + 1000);
		release();
		const first = await a;
		expect(statuses(first.r)).toEqual(['sent']);
		expect(statuses(b.r)).toEqual(['duplicate']);
		expect(b.r.outcomes[0].error).toMatch(/another execution/);
		expect(slow.captured.length + b.channel.captured.length).toBe(1);
		// confirmed: a third run sees it sent
		expect(statuses((await run(['k'], T0 + 2000)).r)).toEqual(['duplicate']);
	});

	it('many concurrent runs of one key (separate claim objects): exactly one sends', async () => {
		const runs = await Promise.all(Array.from({ length: 8 }, () => run(['same'], T0)));
		expect(runs.reduce((n, x) => n + x.channel.captured.length, 0)).toBe(1);
	});

	it('a failed message\'s key is released: the next run sends it; unknown is remembered', async () => {
		const failing = captureChannel((m) => (m.idempotencyKey === 'f' ? { status: 'failed', error: 'refused' } : { status: 'unknown', error: 'lost' }));
		expect(statuses((await run(['f', 'u'], T0, {}, 24, failing)).r)).toEqual(['failed', 'unknown']);
		expect(statuses((await run(['f', 'u'], T0 + 1000)).r)).toEqual(['sent', 'duplicate']);
	});

	it('test mode and sandbox neither check nor fill it; a dry run checks and claims nothing', async () => {
		await run(['a'], T0);
		expect(statuses((await run(['a', 'b'], T0 + 1000, { testAddress: 'qa@shop.example' })).r)).toEqual(['sent', 'sent']);
		expect(statuses((await run(['a', 'b'], T0 + 1000, { sandbox: true })).r)).toEqual(['sandbox', 'sandbox']);
		expect(statuses((await run(['a', 'b'], T0 + 1000, { dryRun: true })).r)).toEqual(['duplicate', 'dryRun']);
		// b was never remembered (test, sandbox, dry run), and nobody holds it
		expect(statuses((await run(['b'], T0 + 2000)).r)).toEqual(['sent']);
	});

	it('Forget Sent Keys: the key is sent again, with the provider key of its forgetting; a key never sent is forgotten as false', async () => {
		await run(['a'], T0);
		expect(await forgetSentKey(table, 'workflow:w1', 'a', T0 + HOUR)).toBe(true);
		expect(await forgetSentKey(table, 'workflow:w1', 'never', T0 + HOUR)).toBe(false);
		const again = await run(['a'], T0 + 2 * HOUR);
		expect(statuses(again.r)).toEqual(['sent']);
		expect(again.channel.captured[0].idempotencyKey).toBe(`a-forgotten-${(T0 + HOUR) / 1000}`);
		expect(statuses((await run(['a'], T0 + 3 * HOUR)).r)).toEqual(['duplicate']);
		// another workflow's scope is another memory
		const other = await dispatch([item(0, 'a')], captureChannel(), { mode: 'rendered', now: () => T0 + 3 * HOUR, claims: new StoreSentKeys(table, 'workflow:w2', 86400) });
		expect(statuses(other)).toEqual(['sent']);
	});

	it('a claim whose run crashed lapses with its lease: the key can be sent after it, not before', async () => {
		const crashed = new StoreSentKeys(table, 'workflow:w1', 86400, 15 * 60_000);
		expect((await crashed.claim(['c'], T0)).get('c')!.claimed).toBe(true);
		// never confirmed nor released (the process died; its renewal timer with it)
		await crashed.finish([]);
		expect(statuses((await run(['c'], T0 + 14 * 60_000)).r)).toEqual(['duplicate']);
		expect(statuses((await run(['c'], T0 + 15 * 60_000 + 1000)).r)).toEqual(['sent']);
	});

	it('an unexpected error between claiming and sending releases the keys never sent: a re-run a minute later sends them', async () => {
		// a channel whose per-message check throws (a bug, not a documented limit) for the second item
		const broken = { ...captureChannel(), check: (m: { index: number }) => { if (m.index === 1) throw new Error('boom'); return undefined; } };
		await expect(run(['x0', 'x1'], T0, {}, 24, broken as never)).rejects.toThrow('boom');
		expect(broken.captured).toHaveLength(0);
		const again = await run(['x0', 'x1'], T0 + 60_000);
		expect(statuses(again.r)).toEqual(['sent', 'sent']);
	});

	it('a key another execution released between this run\'s claim and its read is claimed again and sent, not reported as already sent', async () => {
		const other = new StoreSentKeys(table, 'workflow:w1', 86400);
		expect((await other.claim(['r'], T0)).get('r')!.claimed).toBe(true);
		// The other execution fails its message and releases the key just after this run's claim lost it.
		let calls = 0;
		const racing: SentKeyTable = Object.assign(Object.create(table) as SentKeyTable, {
			claim: async (...args: Parameters<SentKeyTable['claim']>) => {
				const won = await table.claim(...args);
				if (++calls === 1) await other.finish(['r']);
				return won;
			},
		});
		const channel = captureChannel();
		const r = await dispatch([item(0, 'r')], channel, { mode: 'rendered', now: () => T0 + 1000, claims: new StoreSentKeys(racing, 'workflow:w1', 86400) });
		expect(statuses(r)).toEqual(['sent']);
		expect(channel.captured).toHaveLength(1);
	});

	it('a key released and claimed again by others between claim and read: duplicate "being sent by another execution", never "already sent"', async () => {
		const x = new StoreSentKeys(table, 'workflow:w1', 86400);
		const z = new StoreSentKeys(table, 'workflow:w1', 86400);
		await x.claim(['q'], T0);
		let calls = 0;
		const racing: SentKeyTable = Object.assign(Object.create(table) as SentKeyTable, {
			claim: async (...args: Parameters<SentKeyTable['claim']>) => {
				const won = await table.claim(...args);
				calls++;
				if (calls === 1) {
					await x.finish(['q']);
					await z.claim(['q'], T0);
				} else if (calls === 2) await z.finish(['q']);
				return won;
			},
		});
		const r = await dispatch([item(0, 'q')], captureChannel(), { mode: 'rendered', now: () => T0 + 1000, claims: new StoreSentKeys(racing, 'workflow:w1', 86400) });
		expect(statuses(r)).toEqual(['duplicate']);
		expect(r.outcomes[0].error).toMatch(/being sent by another execution/);
		expect(r.outcomes[0].sentAt).toBeUndefined();
	});

	// A table whose confirm fails `failures` times (a store failing over), then works.
	const flaky = (failures: number) => {
		let left = failures;
		let tries = 0;
		const t: SentKeyTable = Object.assign(Object.create(table) as SentKeyTable, {
			confirm: async (...args: Parameters<SentKeyTable['confirm']>) => {
				tries++;
				if (left-- > 0) throw new Error('connection terminated');
				return table.confirm(...args);
			},
		});
		return { t, tries: () => tries };
	};

	it('a confirm that fails twice is tried again and succeeds: sent and remembered', async () => {
		const { t, tries } = flaky(2);
		const waits: number[] = [];
		const r = await dispatch([item(0, 'c0'), item(1, 'c1')], captureChannel(), { mode: 'rendered', now: () => T0, sleep: async (ms) => void waits.push(ms), claims: new StoreSentKeys(t, 'workflow:w1', 86400) });
		expect(statuses(r)).toEqual(['sent', 'sent']);
		expect(tries()).toBe(3);
		expect(waits.length).toBe(2);
		expect(statuses((await run(['c0', 'c1'], T0 + HOUR)).r)).toEqual(['duplicate', 'duplicate']);
	});

	it('a confirm that keeps failing: the error names the items sent and NOT remembered, and each such outcome says so', async () => {
		const { t } = flaky(Infinity);
		const error = await dispatch([item(0, 'n0'), dispatchItem(1, { idempotencyKey: 'n1', suppressedReason: 'unsubscribed' }), item(2, 'n2')], captureChannel(), {
			mode: 'rendered',
			now: () => T0,
			sleep: async () => {},
			claims: new StoreSentKeys(t, 'workflow:w1', 86400),
		}).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(SentKeysNotRememberedError);
		const e = error as SentKeysNotRememberedError;
		expect(e.unremembered).toEqual([0, 2]);
		expect(e.message).toMatch(/could not remember the keys of 2 sent messages \(items 0, 2\) after 3 tries \(connection terminated\).*a re-run would send them again/);
		expect(e.report.outcomes.map((o) => o.status)).toEqual(['sent', 'suppressed', 'sent']);
		expect(e.report.outcomes[0].error).toMatch(/NOT remembered.*re-run would send it again/);
		expect(e.report.outcomes[1].error).not.toMatch(/NOT remembered/);
		expect(e.message).not.toMatch(/does not send them twice/);
	});

	// Lease 3 s (renewed every second, by the real timer) on a clock of the test's: the run and its claims share it.
	const leaseRun = (t: SentKeyTable, clock: { now: number }, channel: ReturnType<typeof captureChannel>) =>
		dispatch(['l0', 'l1', 'l2'].map((k, i) => item(i, k)), channel, {
			mode: 'rendered',
			now: () => clock.now,
			batchSize: 1,
			limits: { concurrency: 1 },
			claims: new StoreSentKeys(t, 'workflow:w1', 86400, 3000, () => clock.now),
		});

	it('renewals failing for more than half the lease: the rest of the run is not sent (the claims may lapse), what was sent is remembered', async () => {
		const failing: SentKeyTable = Object.assign(Object.create(table) as SentKeyTable, { renew: async () => Promise.reject(new Error('connection terminated')) });
		const clock = { now: T0 };
		const channel = captureChannel();
		const send = channel.send;
		channel.send = async (unit) => {
			const r = await send(unit);
			clock.now += 1000;
			await new Promise((resolve) => setTimeout(resolve, 1200)); // the renewal timer fires, and fails
			return r;
		};
		const r = await leaseRun(failing, clock, channel);
		// 1 s after the claim (l1's turn) still within half the lease; 2 s after it (l2's turn), not
		expect(statuses(r)).toEqual(['sent', 'sent', 'failed']);
		expect(r.outcomes[2].error).toMatch(/^not sent: the sent-key memory lost its claims: they could not be renewed for 2 s \(connection terminated\).*so the rest of this run was not sent/);
		expect(channel.captured.map((m) => m.idempotencyKey)).toEqual(['l0', 'l1']);
		// sent ones remembered, the others released: a re-run sends only those
		const again = await run(['l0', 'l1', 'l2'], T0 + 60_000);
		expect(statuses(again.r)).toEqual(['duplicate', 'duplicate', 'sent']);
	}, 15000);

	it('renewals that work keep a long run going, and extend every claim of the run (one statement by token)', async () => {
		const clock = { now: T0 };
		const channel = captureChannel();
		const send = channel.send;
		channel.send = async (unit) => {
			const r = await send(unit);
			clock.now += 1000;
			await new Promise((resolve) => setTimeout(resolve, 1200));
			return r;
		};
		const r = await leaseRun(table, clock, channel);
		expect(statuses(r)).toEqual(['sent', 'sent', 'sent']);
		// a run holding three keys past their first lease (3 s) while the timer renews them
		const holder = new StoreSentKeys(table, 'workflow:w1', 86400, 3000, () => clock.now);
		clock.now = T0 + 10_000;
		expect([...(await holder.claim(['m0', 'm1', 'm2'], clock.now)).values()].every((s) => s.claimed)).toBe(true);
		clock.now += 2500;
		await new Promise((resolve) => setTimeout(resolve, 1200));
		const other = new StoreSentKeys(table, 'workflow:w1', 86400);
		const seen = await other.claim(['m0', 'm1', 'm2'], T0 + 10_000 + 4000);
		await holder.finish([]);
		expect([...seen.values()].map((s) => [s.claimed, s.pending])).toEqual([[false, true], [false, true], [false, true]]);
	}, 15000);

	it('only the key hash is stored (no address or key in clear)', async () => {
		await run(['cart:ada@example.com'], T0);
		const rows = await (table as unknown as { rows(s: string, h: string[]): Promise<Array<{ key_hash: string }>> }).rows('workflow:w1', [hashKey('cart:ada@example.com')]);
		expect(rows.map((r) => r.key_hash)).toEqual([hashKey('cart:ada@example.com')]);
	});
});

describe('Forget Sent Keys on PostgreSQL', () => {
	it('on a fresh table with Maximum Connections 1: answers (false), without waiting for a second connection', async () => {
		const prefix = uniquePrefix('sf');
		const store = new PostgresProfileStore({ ...pgConnection, maxConnections: 1 }, { tablePrefix: prefix });
		try {
			expect(await forgetSentKey(sentKeyTable(store, prefix), 'workflow:w1', 'never-sent', T0)).toBe(false);
		} finally {
			await store.close();
			await dropPrefix(prefix);
		}
	}, 20000);
});

describe('the store cannot be reached', () => {
	it('PostgreSQL down: nothing is sent, the mailable items fail naming the memory, suppressed ones keep their status', async () => {
		const store = new PostgresProfileStore({ ...pgConnection, port: 1, password: 'secret-pw-123' }, { tablePrefix: 'pz_' });
		const channel = captureChannel();
		const error = await dispatch([item(0, 'a'), dispatchItem(1, { idempotencyKey: 'b', suppressedReason: 'unsubscribed' }), item(2, 'c')], channel, {
			mode: 'rendered',
			claims: new StoreSentKeys(sentKeyTable(store, 'pz_'), 'workflow:w1', 86400),
		}).catch((e: unknown) => e);
		await store.close();
		expect(error).toBeInstanceOf(SentKeyMemoryUnavailableError);
		const e = error as SentKeyMemoryUnavailableError;
		expect(e.unsent).toEqual([0, 2]);
		expect(e.report.outcomes.map((o) => o.status)).toEqual(['failed', 'suppressed', 'failed']);
		expect(e.report.outcomes[0].error).toMatch(/^not sent: the sent-key memory could not be read \(.*ECONNREFUSED/);
		expect(JSON.stringify(e.report)).not.toContain('secret-pw-123');
		expect(channel.captured).toHaveLength(0);
	});
});
