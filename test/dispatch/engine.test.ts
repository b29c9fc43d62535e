/**
 * Engine pieces checked against independent references: idempotency keys against sha256sum,
 * unsubscribe headers against RFC 8058 §3.1's example, the duplicate memory's window and
 * bound, the limiter's spacing against hand-computed schedules.
 */
import { deriveIdempotencyKey, dispatch, unsubscribeHeaders, validateItem, type Channel, type Unit } from '../../nodes/engines/dispatch/engine';
import { MemoryLedger, StaticDataLedger, hashKey } from '../../nodes/engines/dispatch/ledger';
import { Limiter } from '../../nodes/engines/dispatch/limiter';
import type { MessageResult, OutboundMessage } from '../../nodes/engines/dispatch/types';
import { TransportError } from '../../nodes/engines/dispatch/types';
import { retryAfterSeconds } from '../../nodes/engines/dispatch/util';
import { fakeSleep, renderedItems } from './helpers';

describe('idempotency key', () => {
	it('is sha256(lower(email) NUL campaign NUL subject NUL html NUL text | template NUL variables) as printed by sha256sum', () => {
		// printf 'jane@example.com\0spring\0s:Hello\0h:\0x:' | sha256sum | cut -c1-32
		const base = { index: 0, from: { email: 'a@b.co' }, to: { email: ' Jane@Example.com ' }, campaignId: 'spring', subject: 'Hello' };
		expect(deriveIdempotencyKey(base, 'rendered')).toBe('pz-73c6e140c1904ebcd52a2b49c790bb45');
		// printf 'jane@example.com\0spring\0s:Hello\0h:<p>Hi</p>\0x:Hi' | sha256sum | cut -c1-32
		expect(deriveIdempotencyKey({ ...base, html: '<p>Hi</p>', text: 'Hi' }, 'rendered')).toBe('pz-0bd695c96393eac6e1ed1e4a0f706733');
		// printf 'jane@example.com\0\0t:d-abc\0v:{}' | sha256sum | cut -c1-32
		expect(deriveIdempotencyKey({ ...base, campaignId: undefined, templateId: 'd-abc' }, 'template')).toBe('pz-935529626e4dfdea5a495b1638adaac9');
		// Variables as JSON with keys sorted at every level:
		// printf 'jane@example.com\0\0t:d-abc\0v:{"a":[1,{"b":"x","c":2}],"z":true}' | sha256sum | cut -c1-32
		const variables = { z: true, a: [1, { c: 2, b: 'x' }] };
		expect(deriveIdempotencyKey({ ...base, campaignId: undefined, templateId: 'd-abc', variables }, 'template')).toBe('pz-7b3b8f08575c9cdb9abca129e3d28126');
	});
});

describe('compliance headers', () => {
	it('match RFC 8058 §3.1: List-Unsubscribe with an https URI (+ mailto) and List-Unsubscribe-Post: List-Unsubscribe=One-Click', () => {
		// RFC 8058 §3.1 example: List-Unsubscribe: <https://example.com/unsubscribe/opaquepart>
		//                       List-Unsubscribe-Post: List-Unsubscribe=One-Click
		expect(unsubscribeHeaders('https://example.com/unsubscribe/opaquepart', undefined)).toEqual({
			'List-Unsubscribe': '<https://example.com/unsubscribe/opaquepart>',
			'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
		});
		expect(unsubscribeHeaders('https://example.com/u/1', 'mailto:unsub@example.com?subject=unsubscribe')).toEqual({
			'List-Unsubscribe': '<https://example.com/u/1>, <mailto:unsub@example.com?subject=unsubscribe>',
			'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
		});
		// mailto only: no one-click POST (RFC 8058 requires an HTTPS URI for it).
		expect(unsubscribeHeaders(undefined, 'unsub@example.com')).toEqual({ 'List-Unsubscribe': '<mailto:unsub@example.com>' });
		expect(unsubscribeHeaders(undefined, undefined)).toEqual({});
	});

	it('rejects a non-https unsubscribe URL, naming the field', () => {
		const [item] = renderedItems(1, { unsubscribeUrl: 'http://example.com/u' });
		expect(validateItem(item, 'rendered')).toEqual({
			field: 'unsubscribeUrl',
			message: 'unsubscribe URL must be an https:// URL without white space (RFC 8058): it does not start with https:// (got "http://example.com/…", path and query not shown)',
		});
		expect(validateItem({ ...item, unsubscribeUrl: undefined, subject: '' }, 'rendered')?.field).toBe('subject');
		expect(validateItem({ ...item, unsubscribeUrl: undefined }, 'template')?.field).toBe('templateId');
	});

	it('never puts the unsubscribe link\'s path or query (the recipient\'s address, a token) in the message', () => {
		const [item] = renderedItems(1);
		const problem = (unsubscribeUrl: string) => validateItem({ ...item, unsubscribeUrl }, 'rendered')?.message;
		expect(problem('http://shop.example.com/unsub/tok3n?e=ada%40example.com')).toBe(
			'unsubscribe URL must be an https:// URL without white space (RFC 8058): it does not start with https:// (got "http://shop.example.com/…", path and query not shown)',
		);
		expect(problem('https://shop.example.com/u?e=ada@example.com&t=s3cr3t ')).toBe(
			'unsubscribe URL must be an https:// URL without white space (RFC 8058): it contains white space (got "https://shop.example.com/…", path and query not shown)',
		);
		expect(problem('https://shop.example.com/u?n=<ada>')).toContain('contains < or > (got "https://shop.example.com/…"');
		// No scheme: what comes before the first / ? or # is shown.
		expect(problem('shop.example.com/u?e=ada@example.com')).toContain('(got "shop.example.com/…", path and query not shown)');
		expect(problem('https://shop.example.com')).toBeUndefined();
	});
});

describe('duplicate memory in static data', () => {
	it('remembers keys for the window only, bounded to the newest entries, storing hashes not keys', () => {
		const data: Record<string, unknown> = {};
		const t0 = 1_700_000_000_000;
		// a remembered by an earlier run (the bound never drops the current run's own keys)
		new StaticDataLedger(data, 3600, 3, 'L', t0 - 1000).add('a', t0 - 1000);
		const ledger = new StaticDataLedger(data, 3600, 3, 'L', t0);
		for (const k of ['b', 'c', 'd']) ledger.add(k, t0);
		expect(ledger.has('a', t0 + 1000)).toBe(true);
		ledger.prune(t0);
		expect(ledger.size()).toBe(3);
		expect(ledger.has('a', t0)).toBe(false); // oldest dropped
		expect(ledger.has('d', t0 + 3599_000)).toBe(true);
		expect(ledger.has('d', t0 + 3600_000)).toBe(false); // window passed
		expect(JSON.stringify(data)).not.toMatch(/"[abcd]"/);
		expect(Object.keys((data.L as { k: object }).k)).toEqual([hashKey('b'), hashKey('c'), hashKey('d')]);
		// A later execution sees the same state, expired entries pruned on load.
		const later = new StaticDataLedger(data, 3600, 3, 'L', t0 + 7200_000);
		expect(later.size()).toBe(0);
	});
});

describe('Retry-After', () => {
	it('reads delta-seconds and HTTP dates (RFC 9110 §10.2.3)', () => {
		expect(retryAfterSeconds({ headers: { 'retry-after': '120' } })).toBe(120);
		const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
		expect(retryAfterSeconds({ headers: { 'Retry-After': 'Wed, 21 Oct 2015 07:28:30 GMT' } }, now)).toBe(30);
		expect(retryAfterSeconds({ headers: {} })).toBeUndefined();
	});
});

describe('limiter', () => {
	it('spaces requests by 1/rps and batches by messages/mps (hand-computed schedule)', async () => {
		const { sleep, now } = fakeSleep();
		const start = now();
		const limiter = new Limiter().configure({ requestsPerSecond: 10, messagesPerSecond: 1000, concurrency: 1 });
		const starts: number[] = [];
		for (const size of [500, 500, 10, 10]) await limiter.run(size, async () => void starts.push(now() - start), sleep, now);
		// 500 msgs at 1000/s → next at +500 ms; again +500; then 10 msgs → +10 ms but 10 rps → +100 ms.
		expect(starts).toEqual([0, 500, 1000, 1100]);
	});

	it('never runs more than `concurrency` requests at once', async () => {
		const limiter = new Limiter().configure({ concurrency: 3 });
		let active = 0;
		let peak = 0;
		await Promise.all(Array.from({ length: 20 }, () => limiter.run(1, async () => {
			active++;
			peak = Math.max(peak, active);
			await new Promise((r) => setTimeout(r, 2));
			active--;
		})));
		expect(peak).toBe(3);
	});
});

describe('engine with a scripted channel', () => {
	function scripted(answers: Array<(unit: Unit) => MessageResult[] | Error>, acceptsIdempotencyKey = false): Channel & { sent: Unit[] } {
		const sent: Unit[] = [];
		return {
			id: 'x', displayName: 'X', maxBatch: { rendered: 2, template: 2 }, acceptsIdempotencyKey, sent,
			plan: (messages: OutboundMessage[]) => { const out: Unit[] = []; for (let i = 0; i < messages.length; i += 2) out.push({ messages: messages.slice(i, i + 2) }); return out; },
			async send(unit) {
				sent.push(unit);
				const answer = (answers.shift() ?? ((u: Unit) => u.messages.map((m) => ({ index: m.index, status: 'sent' as const, responseCode: 200 }))))(unit);
				if (answer instanceof Error) throw answer;
				return answer;
			},
		};
	}

	it('retries only the retryable messages of a partly failed request, re-planned together', async () => {
		const channel = scripted([(u) => [{ index: u.messages[0].index, status: 'sent', responseCode: 200 }, { index: u.messages[1].index, status: 'failed', retryable: true, responseCode: 503 }]]);
		const report = await dispatch(renderedItems(2), channel, { mode: 'rendered', sleep: fakeSleep().sleep });
		expect(report.outcomes.map((o) => [o.status, o.attempts])).toEqual([['sent', 1], ['sent', 2]]);
		expect(channel.sent.map((u) => u.messages.map((m) => m.index))).toEqual([[0, 1], [1]]);
	});

	it('a lost answer is retried when the provider accepts an idempotency key (same key sent again)', async () => {
		const channel = scripted([() => new TransportError('ECONNRESET', 'after')], true);
		const report = await dispatch(renderedItems(2), channel, { mode: 'rendered', sleep: fakeSleep().sleep });
		expect(report.outcomes.map((o) => o.status)).toEqual(['sent', 'sent']);
		expect(channel.sent).toHaveLength(2);
		expect(channel.sent[1]).toBe(channel.sent[0]); // the very same request again
	});

	it('gives up after maxAttempts, and fails rather than wait a Retry-After beyond the maximum', async () => {
		const always = (u: Unit) => u.messages.map((m) => ({ index: m.index, status: 'failed' as const, retryable: true, responseCode: 500, error: 'boom' }));
		const report = await dispatch(renderedItems(2), scripted([always, always, always]), { mode: 'rendered', sleep: fakeSleep().sleep, retry: { maxAttempts: 3 } });
		expect(report.outcomes.map((o) => [o.status, o.attempts, o.error])).toEqual([['failed', 3, 'gave up after 3 attempts: boom'], ['failed', 3, 'gave up after 3 attempts: boom']]);

		const slow = (u: Unit) => u.messages.map((m) => ({ index: m.index, status: 'failed' as const, retryable: true, responseCode: 429, retryAfterSeconds: 3600, error: 'rate limited' }));
		const r2 = await dispatch(renderedItems(1), scripted([slow]), { mode: 'rendered', sleep: fakeSleep().sleep, retry: { maxRetryAfterMs: 60000 } });
		expect(r2.outcomes[0]).toMatchObject({ status: 'failed', attempts: 1, error: 'rate limited (asked to wait 3600 s, more than the maximum retry wait)' });
	});

	it('stops sending after the credential is rejected, before anything was accepted', async () => {
		const reject = (u: Unit) => u.messages.map((m) => ({ index: m.index, status: 'failed' as const, responseCode: 401, error: 'bad key' }));
		const channel = scripted([reject]);
		const report = await dispatch(renderedItems(6), channel, { mode: 'rendered', sleep: fakeSleep().sleep, limits: { concurrency: 1 } });
		expect(channel.sent).toHaveLength(1);
		expect(report.credentialRejected).toBe('X rejected the credential (401): bad key');
		expect(report.outcomes.slice(2).every((o) => o.status === 'failed' && o.attempts === 0 && /^not sent: X rejected/.test(o.error ?? ''))).toBe(true);
	});

	it('when planning throws, dispatch rejects only after the requests in flight have finished (their keys remembered), and sends nothing more', async () => {
		const ledger = new MemoryLedger();
		let started = 0;
		let finished = 0;
		const channel: Channel = {
			id: 'x', displayName: 'X', maxBatch: { rendered: 1, template: 1 }, acceptsIdempotencyKey: false,
			plan: (messages: OutboundMessage[]) => {
				if (messages.some((m) => m.index >= 16)) throw new Error('cannot plan');
				return messages.map((m) => ({ messages: [m] }));
			},
			async send(unit) {
				started++;
				await new Promise((resolve) => setTimeout(resolve, 5 + (unit.messages[0].index % 4) * 5));
				finished++;
				return [{ index: unit.messages[0].index, status: 'sent', responseCode: 200 }];
			},
		};
		const items = renderedItems(40);
		await expect(dispatch(items, channel, { mode: 'rendered', ledger, limits: { concurrency: 4 } })).rejects.toThrow('cannot plan');
		expect(finished).toBe(started); // nothing still in flight when dispatch rejected
		expect(started).toBe(16); // the two windows (8 units each) planned before the failing one
		const afterwards = started;
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(started).toBe(afterwards);
		for (const item of items.slice(0, 16)) expect(ledger.has(deriveIdempotencyKey(item, 'rendered'), Date.now())).toBe(true);
	});
});
