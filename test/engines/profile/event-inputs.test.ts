/**
 * validateEvent on inputs that other nodes produce and the store must keep the same way on SQLite
 * and PostgreSQL: fractional epoch milliseconds (a float clock × 1000), numeric ids, date-times
 * without a zone (read as UTC whatever the server's zone: checked in a child process with TZ set).
 * Expected instants are computed by hand: 2026-03-01T00:00Z is day 20,513 since 1970-01-01
 * (56 years of 365 days + 14 leap days + 31 + 28), so 2026-03-01T10:00:00Z = 1,772,359,200 s.
 */
import path from 'node:path';
import { checkEvent, profileTimeMs, validateEvent } from '../../../nodes/engines/profile';
import { runInTimeZone } from '../../harness/timezone';

const T10 = 1_772_359_200_000; // 2026-03-01T10:00:00.000Z
const NOW = T10 + 86_400_000;
const base = { type: 'track', event: 'Order Completed', messageId: 'm-1', timestamp: '2026-03-01T10:00:00Z', userId: 'u-1' };

describe('validateEvent: numeric timestamps', () => {
	it('truncates a fraction of a millisecond, as a Date does (TimeClip: toward zero)', () => {
		// Python's time.time() × 1000: 1772359200.123456 s → 1772359200123.456 ms
		expect(validateEvent({ ...base, timestamp: 1772359200.123456 * 1000 }, NOW).ts).toBe(T10 + 123);
		// before 1970: toward zero (-1e11 - 0.5 ms → -1e11 ms), as new Date(-100000000000.5).getTime()
		// gives per ECMA-262 TimeClip
		expect(validateEvent({ ...base, timestamp: -1e11 - 0.5 }, NOW).ts).toBe(-1e11);
		// -0.5 s = -500 ms; -0.0001 s = -0.1 ms, truncated to 0 (never -0)
		expect(validateEvent({ ...base, timestamp: -0.5 }, NOW).ts).toBe(-500);
		expect(Object.is(validateEvent({ ...base, timestamp: -0.0001 }, NOW).ts, 0)).toBe(true);
		// the same instant written as ISO text with microseconds (Date.parse keeps the milliseconds)
		expect(validateEvent({ ...base, timestamp: '2026-03-01T10:00:00.123456Z' }, NOW).ts).toBe(T10 + 123);
	});

	it('reads a number below 1e11 as epoch seconds, as the event mapper and Customer Segments do', () => {
		// 2026-03-01T10:00:00Z is 1,772,359,200 s after the epoch (T10 / 1000); Python's time.time()
		expect(validateEvent({ ...base, timestamp: 1772359200 }, NOW).ts).toBe(T10);
		expect(validateEvent({ ...base, timestamp: 1772359200.123456 }, NOW).ts).toBe(T10 + 123);
		expect(profileTimeMs(1772359200)).toBe(T10);
		// the largest magnitude read as seconds, and the smallest read as milliseconds
		expect(profileTimeMs(99_999_999_999)).toBe(99_999_999_999_000);
		expect(profileTimeMs(1e11)).toBe(1e11);
		expect(profileTimeMs(-99_999_999_999)).toBe(-99_999_999_999_000);
	});

	it('refuses a number that is no time, naming the field', () => {
		for (const timestamp of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 8.64e15 + 1]) {
			const problem = checkEvent({ ...base, timestamp }, NOW);
			expect(problem?.field).toBe('timestamp');
			expect(problem?.message).toContain(String(timestamp));
		}
	});
});

describe('validateEvent: text timestamps', () => {
	it('reads a date-time without a zone as UTC, with "T" or a space, with or without seconds', () => {
		expect(validateEvent({ ...base, timestamp: '2026-03-01 10:30:00' }, NOW).ts).toBe(T10 + 30 * 60_000);
		expect(validateEvent({ ...base, timestamp: '2026-03-01T10:30' }, NOW).ts).toBe(T10 + 30 * 60_000);
		expect(validateEvent({ ...base, timestamp: '2026-03-01' }, NOW).ts).toBe(T10 - 10 * 3_600_000);
		expect(validateEvent({ ...base, timestamp: '2026-03-01T10:30:00+01:00' }, NOW).ts).toBe(T10 - 30 * 60_000);
	});

	it('reads a receivedAt without a zone as UTC too (the 24-hour bound)', () => {
		// receivedAt 2026-03-01 10:00 UTC; the timestamp 24 h 1 min later is refused, naming receivedAt's instant
		const late = checkEvent({ ...base, timestamp: '2026-03-02T10:01:00Z', receivedAt: '2026-03-01 10:00:00' }, NOW + 86_400_000);
		expect(late?.field).toBe('timestamp');
		expect(late?.message).toContain('after its receivedAt (2026-03-01T10:00:00.000Z)');
		expect(validateEvent({ ...base, receivedAt: '2026-03-01 10:00:05' }, NOW).receivedAt).toBe(T10 + 5000);
	});

	it('keeps zoned text of other forms (toUTCString, toString) and refuses text that has no zone or no such date', () => {
		expect(validateEvent({ ...base, timestamp: 'Sun, 01 Mar 2026 10:00:00 GMT' }, NOW).ts).toBe(T10);
		// epoch digits as text (9 or more) are the number, as Recommend and Customer Segments read them
		expect(validateEvent({ ...base, timestamp: '1772359200123' }, NOW).ts).toBe(T10 + 123);
		expect(validateEvent({ ...base, timestamp: '1772359200' }, NOW).ts).toBe(T10);
		expect(validateEvent({ ...base, timestamp: 'Sun Mar 01 2026 05:00:00 GMT-0500 (Eastern Standard Time)' }, NOW).ts).toBe(T10);
		// "March 1, 2026 10:00" would be read in the server's zone; Feb 30 would roll over to Mar 2
		for (const timestamp of ['March 1, 2026 10:00', '01-03-2026', '2026-02-30T10:00:00Z', '20260301', 'last Tuesday']) {
			const problem = checkEvent({ ...base, timestamp }, NOW);
			expect(problem?.field).toBe('timestamp');
			expect(problem?.message).toContain(`"${timestamp}" cannot be parsed`);
		}
	});

	it('reads zone-less date-times as UTC in a process whose time zone is not UTC', () => {
		const fold = JSON.stringify(path.resolve(__dirname, '../../../nodes/engines/profile/index.ts'));
		const script = `
			const { validateEvent, profileTimeMs } = require(${fold});
			const base = { type: 'track', event: 'Order Completed', messageId: 'm-1', userId: 'u-1' };
			process.stdout.write(JSON.stringify({
				local: new Date('2026-03-01T10:00:00').toISOString(),
				ts: new Date(validateEvent({ ...base, timestamp: '2026-03-01 10:30:00', receivedAt: '2026-03-01T10:30:05' }, ${NOW}).ts).toISOString(),
				receivedAt: new Date(validateEvent({ ...base, timestamp: '2026-03-01T10:30:00Z', receivedAt: '2026-03-01 10:30:05' }, ${NOW}).receivedAt).toISOString(),
				since: new Date(profileTimeMs('2026-03-01T10:00:00')).toISOString(),
			}));`;
		for (const [zone, local] of [
			['America/New_York', '2026-03-01T15:00:00.000Z'],
			['Asia/Tokyo', '2026-03-01T01:00:00.000Z'],
		]) {
			expect(runInTimeZone(zone, script)).toEqual({
				local, // the zone is in effect in the child
				ts: '2026-03-01T10:30:00.000Z',
				receivedAt: '2026-03-01T10:30:05.000Z',
				since: '2026-03-01T10:00:00.000Z',
			});
		}
	});
});

describe('validateEvent: numeric ids', () => {
	it('takes a whole number as its decimal text for userId, anonymousId and messageId', () => {
		const v = validateEvent({ ...base, messageId: 12345, userId: 4711, anonymousId: 77 }, NOW);
		expect(v.event.messageId).toBe('12345');
		expect(v.event.userId).toBe('4711');
		expect(v.event.anonymousId).toBe('77');
		expect(v.keys).toEqual({ u: 'u:4711', a: 'a:77' });
		// an event whose only identity is a numeric userId has one
		expect(validateEvent({ ...base, userId: 0 }, NOW).keys).toEqual({ u: 'u:0' });
		expect(validateEvent({ ...base, userId: Number.MAX_SAFE_INTEGER }, NOW).event.userId).toBe('9007199254740991');
	});

	it('refuses a number that does not hold an id exactly, naming the field', () => {
		const cases: Array<[string, number]> = [
			['userId', 1.5],
			['userId', Number.NaN],
			['anonymousId', 1e21],
			['messageId', 2 ** 53],
			['userId', Number.POSITIVE_INFINITY],
		];
		for (const [field, value] of cases) {
			const problem = checkEvent({ ...base, [field]: value }, NOW);
			expect(problem?.field).toBe(field);
			expect(problem?.message).toContain(`The ${field} ${String(value)} is not an id`);
		}
	});
});

describe('profileTimeMs (Since Time, Export Since)', () => {
	it('reads epoch milliseconds, Dates, ISO text (no zone = UTC) and zoned text; undefined for anything else', () => {
		expect(profileTimeMs(T10 + 0.9)).toBe(T10);
		expect(profileTimeMs(new Date(T10))).toBe(T10);
		expect(profileTimeMs(' 2026-03-01T10:00:00 ')).toBe(T10);
		expect(profileTimeMs('2026-03-01T11:00:00+01:00')).toBe(T10);
		for (const value of ['', 'soon', '2026-02-30', Number.NaN, 9e15, null, undefined, {}, new Date(Number.NaN)]) {
			expect(profileTimeMs(value)).toBeUndefined();
		}
	});
});

describe('profileTimeMs: date-times as database exports write their zone', () => {
	it('reads BigQuery\'s " UTC" and PostgreSQL\'s hour-only offset; an impossible date stays undefined', () => {
		// 2026-03-01T10:00:00Z = T10 (see the top of this file)
		expect(profileTimeMs('2026-03-01 10:00:00 UTC')).toBe(T10);
		expect(profileTimeMs('2026-03-01 10:00:00.5 GMT')).toBe(T10 + 500);
		expect(profileTimeMs('2026-03-01 10:00:00+00')).toBe(T10);
		expect(profileTimeMs('2026-03-01 11:00:00+01')).toBe(T10);
		expect(validateEvent({ ...base, timestamp: '2026-03-01 10:00:00+00' }, NOW).ts).toBe(T10);
		expect(profileTimeMs('2026-02-30 10:00:00 UTC')).toBeUndefined();
		expect(profileTimeMs('2026-03-01 10:00:00 UTCX')).toBeUndefined();
	});
});
