/**
 * Options every recipient would fail on are refused once, at compile and in Lint (check
 * `settings`), naming the option: a locale Intl does not know (`en_US`, `xx`), a currency that is
 * not ISO 4217 (`EURO`), a limit that is not above 0. Before, `en_US`/`EURO` failed each recipient
 * that reached a money or date filter (Lint only when its sample did), and limits <= 0 were
 * silently replaced by the default.
 */
import { compileTemplate, lintTemplate, TemplateError, type LiquidSettings } from '../../../nodes/engines/render';

const body = '<p>{{ name }}</p><a href="https://x.example/u">Unsubscribe</a>';
const cases: Array<[LiquidSettings, RegExp]> = [
	[{ locale: 'en_US' }, /^Locale "en_US" .*"en-US"/],
	[{ locale: 'xx' }, /^Locale "xx" /],
	[{ currency: 'EURO' }, /^Currency "EURO" is not an ISO 4217 code/],
	[{ memoryLimit: -5 }, /^Memory Limit must be a number above 0 \(got -5\)/],
	[{ renderLimitMs: 0 }, /^Render Time Limit \(Ms\) must be a number above 0/],
	[{ parseLimit: Number.NaN }, /^Parse Limit must be a number above 0/],
];

describe('settings are checked once, naming the option', () => {
	it.each(cases)('%j: the compile fails with check settings', async (liquid, message) => {
		const error = await compileTemplate({ format: 'html', body, subject: 's', liquid }).then(() => undefined, (e: unknown) => e);
		expect(error).toBeInstanceOf(TemplateError);
		expect((error as TemplateError).details.check).toBe('settings');
		expect((error as Error).message).toMatch(message);
	});

	it.each(cases)('%j: Lint reports it though the sample uses no money or date filter', async (liquid, message) => {
		const report = await lintTemplate({ format: 'html', body, subject: 's', liquid }, { name: 'Ada' });
		expect(report.ok).toBe(false);
		expect(report.findings.filter((f) => f.check === 'settings').map((f) => f.message)).toEqual([expect.stringMatching(message)]);
	});

	it('good values still compile', async () => {
		await expect(compileTemplate({ format: 'html', body, subject: 's', liquid: { locale: 'fr-FR', currency: 'eur', memoryLimit: 1, renderLimitMs: 1, parseLimit: 1000 } })).resolves.toBeDefined();
	});
});
