/**
 * liquidjs's `date` (and `date_to_*`) read a date-time without a zone in the server's time zone,
 * and format_date / days_since read non-ISO text with Date.parse (server's zone too): the same
 * email printed different times on servers with different TZ. Now a zone-less date-time is UTC
 * (as format_date, block rules and segments read it) and zone-less non-ISO text is no date.
 * Expected values by hand: 2024-03-01 23:30 UTC is 00:30 on Mar 2 in Paris (UTC+1 in March),
 * 22:30 UTC (23:30 +01:00) is 23:30 in Paris; 23:30 GMT is 00:30 Mar 2 in Paris.
 */
import { join } from 'node:path';
import { runInTimeZone } from '../../harness/timezone';

const engine = JSON.stringify(join(__dirname, '../../../nodes/engines/render'));
const script = `const { compileTemplate, renderCompiled } = require(${engine});
	const d = { local: '2024-03-01T23:30:00', spaced: '2024-03-01 23:30', offset: '2024-03-01T23:30:00+01:00', day: '2024-03-01',
		rfc: 'Fri, 01 Mar 2024 23:30:00 GMT', text: 'March 1, 2024 23:30', us: '06/01/2024', epoch: 1709335800 };
	(async () => {
		const ct = await compileTemplate({ format: 'html', subject: 's', liquid: { timeZone: 'Europe/Paris' },
			body: '{{ local | date: "%Y-%m-%d %H:%M" }}|{{ spaced | date: "%Y-%m-%d %H:%M" }}|{{ offset | date: "%H:%M" }}|{{ day | date: "%Y-%m-%d" }}|{{ rfc | date: "%d %H:%M" }}|{{ text | date: "%d %H:%M" }}|{{ epoch | date: "%d %H:%M" }}|{{ local | date_to_xmlschema }}'
				+ '#{{ text | format_date }}|{{ us | format_date }}|{{ rfc | format_date }}|{{ text | days_since }}' });
		console.log(JSON.stringify(renderCompiled(ct, d, { skipText: true }).html));
	})();`;

describe('date filters read zone-less date-times as UTC on every server', () => {
	it.each(['UTC', 'Asia/Tokyo', 'America/Los_Angeles'])('server TZ=%s', (serverZone) => {
		const [dates, formatted] = (runInTimeZone(serverZone, script) as string).split('#');
		// epoch 1709335800 = 2024-03-01T23:30:00Z
		expect(dates).toBe('2024-03-02 00:30|2024-03-02 00:30|23:30|2024-03-01|02 00:30|March 1, 2024 23:30|02 00:30|2024-03-02T00:30:00+01:00');
		// zone-less non-ISO text is no date: written as it is; days_since gives nothing
		expect(formatted).toBe('March 1, 2024 23:30|06/01/2024|Mar 2, 2024|');
	});
});
