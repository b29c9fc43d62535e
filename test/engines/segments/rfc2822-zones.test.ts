/**
 * Dates that end in one of RFC 2822's zone names (section 4.3, obs-zone: "UT" is +0000, "EST" -0500,
 * "EDT" -0400, "CST" -0600, "CDT" -0500, "MST" -0700, "MDT" -0600, "PST" -0800, "PDT" -0700), as
 * mail headers and RFC 2822 exports write them. Before, they were "not a date" although they name
 * their zone: only GMT, UTC, Z and numeric offsets were read. Expected instants by hand from that table.
 */
import { parseTimeMs } from '../../../nodes/engines/segments/parse';

const iso = (text: string) => {
	const ms = parseTimeMs(text);
	return ms === undefined ? undefined : new Date(ms).toISOString();
};

describe('parseTimeMs: RFC 2822 zone names', () => {
	it.each([
		['Wed, 10 Jan 2024 10:00:00 UT', '2024-01-10T10:00:00.000Z'],
		['Wed, 10 Jan 2024 10:00:00 EST', '2024-01-10T15:00:00.000Z'],
		['Wed, 10 Jul 2024 10:00:00 EDT', '2024-07-10T14:00:00.000Z'],
		['Wed, 10 Jan 2024 10:00:00 CST', '2024-01-10T16:00:00.000Z'],
		['Wed, 10 Jul 2024 10:00:00 CDT', '2024-07-10T15:00:00.000Z'],
		['Wed, 10 Jan 2024 10:00:00 MST', '2024-01-10T17:00:00.000Z'],
		['Wed, 10 Jul 2024 10:00:00 MDT', '2024-07-10T16:00:00.000Z'],
		['Wed, 10 Jan 2024 10:00:00 PST', '2024-01-10T18:00:00.000Z'],
		['Wed, 10 Jul 2024 10:00:00 PDT', '2024-07-10T17:00:00.000Z'],
		// the name fixes the offset, whatever the date: EST in July is still -0500
		['Wed, 10 Jul 2024 10:00:00 EST', '2024-07-10T15:00:00.000Z'],
		['10 Jan 2024 23:30 pst', '2024-01-11T07:30:00.000Z'],
		['2024-01-10 10:00:00 EST', '2024-01-10T15:00:00.000Z'],
	])('%s is %s', (text, expected) => {
		expect(iso(text)).toBe(expected);
	});

	it('other abbreviations stay no date (IST is India, Israel or Ireland), and so does a zone name without a time', () => {
		expect(parseTimeMs('Wed, 10 Jan 2024 10:00:00 IST')).toBeUndefined();
		expect(parseTimeMs('Wed, 10 Jan 2024 10:00:00 CET')).toBeUndefined();
		expect(parseTimeMs('10 Jan 2024 EST')).toBeUndefined();
	});
});
