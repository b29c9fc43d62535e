/**
 * Review 6: format_date reads dates as the rest of the package does (a date-time without a zone is
 * UTC, a date alone is a calendar day printed as that day in every zone; the render's time zone
 * applies to instants only), whatever the server's TZ. Expected values by hand (offsets of March 2024: New York UTC-5, Kiritimati UTC+14,
 * Pago Pago UTC-11, Tokyo UTC+9, Los Angeles UTC-8).
 */
import { join } from 'node:path';
import { compileTemplate, renderCompiled, type LiquidSettings } from '../../../nodes/engines/render';
import { runInTimeZone } from '../../harness/timezone';

async function render(tpl: string, data: Record<string, unknown> = {}, liquid: LiquidSettings = {}): Promise<string> {
	const ct = await compileTemplate({ format: 'html', body: `<p>${tpl}</p>`, subject: 's', liquid });
	return renderCompiled(ct, data, { skipText: true }).html.replace(/^<p>|<\/p>$/g, '');
}

describe('format_date: calendar days stay, zoneless date-times are UTC (review 6 F4)', () => {
	it('a date alone keeps its day in zones west and east of UTC', async () => {
		for (const timeZone of ['America/New_York', 'Pacific/Pago_Pago', 'Pacific/Kiritimati', 'UTC']) {
			expect(await render('{{ d | format_date }}|{{ d | format_date: "long" }}', { d: '2024-03-01' }, { timeZone })).toBe('Mar 1, 2024|March 1, 2024');
		}
		expect(await render('{{ d | format_date: "long", "America/Los_Angeles", "fr-FR" }}', { d: '2024-03-01' })).toBe('1 mars 2024');
	});

	it('an unknown time zone per call still fails for a date alone', async () => {
		const ct = await compileTemplate({ format: 'html', body: '<p>{{ d | format_date: "long", "Mars/Olympus" }}</p>', subject: 's' });
		expect(() => renderCompiled(ct, { d: '2024-03-01' })).toThrow(/unknown time zone "Mars\/Olympus"/);
	});

	const engine = JSON.stringify(join(__dirname, '../../../nodes/engines/render'));
	// in a child process: the server's TZ is the child's TZ (jest workers cannot change theirs)
	const script = `const { compileTemplate, renderCompiled } = require(${engine});
		const d = { day: '2024-03-01', local: '2024-03-01T10:00:00', spaced: '2024-03-01 10:00', utc: '2024-03-01T10:00:00Z' };
		(async () => {
			const out = {};
			for (const timeZone of ['America/New_York', 'Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
				const ct = await compileTemplate({ format: 'html', subject: 's', liquid: { timeZone },
					body: '{{ day | format_date }}|{{ local | format_date }}|{{ spaced | format_date }}|{{ utc | format_date }}' });
				out[timeZone] = renderCompiled(ct, d).html;
			}
			const days = await compileTemplate({ format: 'html', subject: 's', body: '{{ local | days_since }}|{{ utc | days_since }}' });
			out.days = renderCompiled(days, d).html.split('|');
			console.log(JSON.stringify(out));
		})();`;

	it.each(['UTC', 'Asia/Tokyo', 'America/Los_Angeles'])('server TZ=%s: the same dates', (serverZone) => {
		const out = runInTimeZone(serverZone, script) as Record<string, string | string[]>;
		// the day alone stays Mar 1; 10:00 UTC is 05:00 Mar 1 in New York, 00:00 Mar 2 in Kiritimati, 23:00 Feb 29 in Pago Pago
		expect(out['America/New_York']).toBe('Mar 1, 2024|Mar 1, 2024|Mar 1, 2024|Mar 1, 2024');
		expect(out['Pacific/Kiritimati']).toBe('Mar 1, 2024|Mar 2, 2024|Mar 2, 2024|Mar 2, 2024');
		expect(out['Pacific/Pago_Pago']).toBe('Mar 1, 2024|Feb 29, 2024|Feb 29, 2024|Feb 29, 2024');
		// days_since: the zoneless date-time is the same moment as the one written with Z
		const [local, utc] = out.days as string[];
		expect(local).toBe(utc);
	});
});
