/**
 * One table of date inputs read by every date parser the nodes share: profileTimeMs (Customer
 * Profile, Recommend's parseTime), parseTimeMs (Customer Segments items, rules) and parseTimeBytes
 * (Customer Segments CSV). Where the table gives one value, all of them must give it.
 *
 * Expected instants are independent of the code: by hand (2024-01-10T00:00Z is day 19,732 since
 * 1970-01-01: 54 × 365 + 13 leap days + 9, so 10:00Z is 1,704,880,800 s) and checked with Python 3:
 * email.utils.parsedate_to_datetime for RFC 2822 text (it reads EST as -0500, PDT as -0700, UT as
 * +0000, a two-digit year 24 as 2024, and raises "day is out of range for month" for 31 Feb, 30 Feb,
 * 31 Apr, 29 Feb 2023) and datetime.fromtimestamp(n, timezone.utc) for epoch digits.
 */
import { profileTimeMs } from '../../../nodes/engines/profile/time';
import { parseTime } from '../../../nodes/engines/reco/input';
import { parseTimeBytes, parseTimeMs } from '../../../nodes/engines/segments/parse';

const T = Date.UTC(2024, 0, 10, 10); // 2024-01-10T10:00:00Z = 1704880800 s
const H = 3_600_000;

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const bytes = (text: string) => {
	const buf = Buffer.from(text);
	return parseTimeBytes(buf, 0, buf.length);
};
const reco = (text: string) => {
	try {
		return parseTime(text, 'timestamp');
	} catch {
		return undefined;
	}
};

/** [text, expected epoch ms (undefined: no date)] for every parser. */
const SHARED: [string, number | undefined][] = [
	// RFC 2822 zone names (RFC 5322 section 4.3, obs-zone): fixed offsets
	['Wed, 10 Jan 2024 10:00:00 GMT', T],
	['Wed, 10 Jan 2024 10:00:00 UT', T],
	['Wed, 10 Jan 2024 05:00:00 EST', T],
	['Wed, 10 Jan 2024 04:00:00 CST', T],
	['Wed, 10 Jan 2024 03:00:00 MST', T],
	['Wed, 10 Jan 2024 02:00:00 PST', T],
	['Wed, 10 Jan 2024 06:00:00 EDT', T],
	['Wed, 10 Jan 2024 03:00:00 PDT', T],
	['10 Jan 2024 23:30 pst', Date.UTC(2024, 0, 11, 7, 30)], // 23:30 + 8 h
	['2024-01-10 05:00:00 EST', T],
	['Wed, 10 Jan 24 10:00:00 GMT', T],
	['Wed, 10 Jan 2024 10:00:00 IST', undefined], // India, Israel or Ireland
	['Wed, 10 Jan 2024 10:00:00 CET', undefined],
	// impossible calendar dates: refused, never rolled over into the next month
	['2024-02-31', undefined],
	['2024-02-31T10:00:00Z', undefined],
	['2024-02-31 10:00:00 UTC', undefined],
	['2023-02-29T00:00', undefined],
	['Wed, 31 Feb 2024 10:00:00 GMT', undefined],
	['Sat, 30 Feb 2024 10:00:00 +0000', undefined],
	['Fri, 30 Feb 2024 10:00:00 EST', undefined],
	['31 Apr 2024 10:00 GMT', undefined],
	['Wed, 29 Feb 23 10:00:00 GMT', undefined],
	['Feb 30 2024 10:00:00 GMT', undefined],
	['February 30, 2024 10:00 GMT', undefined],
	['2024/02/31 10:00:00 GMT', undefined],
	['Thu, 29 Feb 2024 10:00:00 GMT', Date.UTC(2024, 1, 29, 10)],
	['Thu, 29 Feb 24 10:00:00 GMT', Date.UTC(2024, 1, 29, 10)],
	// a numeric day and month, zone or not: day or month first is a guess
	['1/10/2024 10:00 +0200', undefined],
	['01/10/2024 10:00:00 GMT', undefined],
	['10.01.2024 10:00 GMT', undefined],
	['01-10-2024 10:00 UTC', undefined],
	['1/10/24 10:00 GMT', undefined],
	['1/10/2024 10:00:00', undefined],
	// year first, or the month by name, is unambiguous
	['2024/01/10 10:00:00 GMT', T],
	['10-Jan-2024 10:00 GMT', T],
	['January 10, 2024 10:00 GMT', T],
	['Wed Jan 10 2024 11:00:00 GMT+0100 (Central European Standard Time)', T],
	// epoch digits as text (9 or more), as the same number: seconds below 1e11, else milliseconds
	['1704880800', T],
	[' 1704880800 ', T],
	['1704880800000', T],
	['1704880800.5', T + 500],
	['123456789', Date.UTC(1973, 10, 29, 21, 33, 9)],
	// ISO 8601, without a zone UTC
	['2024-01-10T10:00:00Z', T],
	['2024-01-10T10:00:00', T],
	['2024-01-10', Date.UTC(2024, 0, 10)],
	['2024-01-10T10:00:00.123456Z', T + 123],
	['2024-01-10T12:00:00+02:00', T],
	['2024-01-10T09:00:00.000Z', T - H],
	// 24:00 is the end of the day (ECMA-262 Date Time String Format), on the item and the CSV path alike
	['2024-01-10T24:00:00Z', Date.UTC(2024, 0, 11)],
];

describe('date text: every shared parser reads the same table', () => {
	it.each(SHARED)('%j', (text, expected) => {
		const want = iso(expected);
		expect({ profile: iso(profileTimeMs(text)), segments: iso(parseTimeMs(text)), csv: iso(bytes(text)), recommend: iso(reco(text)) }).toEqual({
			profile: want,
			segments: want,
			csv: want,
			recommend: want,
		});
	});

	it('numbers: seconds below 1e11 in magnitude, else milliseconds, in every parser', () => {
		expect(profileTimeMs(1704880800)).toBe(T);
		expect(parseTimeMs(1704880800)).toBe(T);
		expect(reco('1704880800')).toBe(T);
		expect(profileTimeMs(1704880800000)).toBe(T);
		expect(parseTimeMs(1704880800000)).toBe(T);
	});

	it('short digit text differs on purpose: Customer Segments reads YYYYMMDD and small epochs, Customer Profile no date', () => {
		// Segments documents `20240110` as a date key and any digits as epoch; the profile store reads
		// text as ISO 8601 or 9+ epoch digits only (20240110 s would be 1970-08-23)
		expect(parseTimeMs('20240110')).toBe(Date.UTC(2024, 0, 10));
		expect(bytes('20240110')).toBe(Date.UTC(2024, 0, 10));
		expect(profileTimeMs('20240110')).toBeUndefined();
		expect(parseTimeMs('20240231')).toBeUndefined();
		expect(profileTimeMs('12345')).toBeUndefined();
	});
});
