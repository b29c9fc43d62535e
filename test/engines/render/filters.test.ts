/**
 * Marketing filters against independent references: MDN's documented Intl.NumberFormat outputs,
 * hand-computed time-zone conversions and URLs.
 */
import { compileTemplate, renderCompiled, type LiquidSettings } from '../../../nodes/engines/render';

async function render(tpl: string, data: Record<string, unknown> = {}, liquid: LiquidSettings = {}): Promise<string> {
	const ct = await compileTemplate({ format: 'html', body: `<p>${tpl}</p>`, subject: 's', liquid });
	return renderCompiled(ct, data, { skipText: true }).html.replace(/^<p>|<\/p>$/g, '');
}

describe('money', () => {
	// MDN Intl.NumberFormat: format(123456.789) → "123.456,79 €" (de-DE, EUR), "￥123,457" (ja-JP, JPY)
	// https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Intl/NumberFormat
	it('formats with the currency and locale given', async () => {
		expect(await render('{{ 123456.789 | money: "EUR", "de-DE" }}')).toBe('123.456,79\u00a0€');
		expect(await render('{{ 123456.789 | money: "JPY", "ja-JP" }}')).toBe('￥123,457');
	});

	it('uses the node currency and locale by default, and accepts numeric strings', async () => {
		expect(await render('{{ price | money }}', { price: '19.9' })).toBe('$19.90');
		expect(await render('{{ price | money }}', { price: 19.9 }, { currency: 'GBP', locale: 'en-GB' })).toBe('£19.90');
	});

	it('minor units, missing and non-numeric values', async () => {
		expect(await render('{{ 1990 | money_cents: "EUR", "en-IE" }}')).toBe('€19.90');
		expect(await render('{{ 500 | money_cents: "JPY", "en-US" }}')).toBe('¥500'); // JPY has no minor unit
		expect(await render('[{{ missing | money }}]')).toBe('[]');
		expect(await render('{{ "call us" | money }}')).toBe('call us');
	});
});

describe('dates with a time zone', () => {
	// 2024-03-01T02:30:00Z is 2024-02-29 21:30 in New York (EST, UTC-5) and 03:30 in Paris (CET, UTC+1).
	const d = { at: '2024-03-01T02:30:00Z' };
	it('liquidjs date (strftime) uses the node time zone', async () => {
		expect(await render('{{ at | date: "%Y-%m-%d %H:%M" }}', d, { timeZone: 'America/New_York' })).toBe('2024-02-29 21:30');
		expect(await render('{{ at | date: "%Y-%m-%d %H:%M" }}', d, { timeZone: 'Europe/Paris' })).toBe('2024-03-01 03:30');
	});
	it('format_date uses Intl with locale and zone', async () => {
		expect(await render('{{ at | format_date: "long" }}', d, { timeZone: 'America/New_York' })).toBe('February 29, 2024');
		expect(await render('{{ at | format_date: "long", "Europe/Paris", "fr-FR" }}', d)).toBe('1 mars 2024');
	});
	it('an unknown time zone fails the compile with a clear message', async () => {
		await expect(compileTemplate({ format: 'html', body: '<p>x</p>', liquid: { timeZone: 'Mars/Olympus' } })).rejects.toThrow(/Unknown time zone "Mars\/Olympus"/);
	});
});

describe('utm', () => {
	it('adds campaign parameters, keeps existing ones, escapes & in HTML', async () => {
		expect(await render('{{ "https://shop.test/p?id=7" | utm: "spring" }}')).toBe('https://shop.test/p?id=7&amp;utm_source=email&amp;utm_medium=email&amp;utm_campaign=spring');
		expect(await render('{{ "https://shop.test/?utm_source=x" | utm: "c", "news", "mail", "hero" | raw }}')).toBe(
			'https://shop.test/?utm_source=x&utm_medium=mail&utm_campaign=c&utm_content=hero',
		);
	});
	it('node defaults, and non-http links unchanged', async () => {
		expect(await render('{{ "https://shop.test/" | utm | raw }}', {}, { utm: { source: 'newsletter', campaign: 'weekly' } })).toBe(
			'https://shop.test/?utm_source=newsletter&utm_medium=email&utm_campaign=weekly',
		);
		expect(await render('{{ "mailto:help@shop.test" | utm: "c" }}')).toBe('mailto:help@shop.test');
	});
});

describe('default', () => {
	it('replaces nil, empty, whitespace-only and empty lists; keeps false only with allow_false', async () => {
		expect(await render('{{ a | default: "there" }}|{{ b | default: "there" }}|{{ c | default: "there" }}|{{ d | default: "x" }}', { b: '  ', c: [], d: 0 })).toBe('there|there|there|0');
		expect(await render('{{ f | default: true }}|{{ f | default: true, allow_false: true }}', { f: false })).toBe('true|false');
	});
	it('rescues a missing value in strict mode', async () => {
		expect(await render('{{ profile.first_name | default: "there" }}', {}, { strict: true })).toBe('there');
	});
});

describe('filter result caches give what an uncached call gives', () => {
	it('money: repeated amounts, -0 and 0, several currencies', async () => {
		const amounts = [19.99, 19.99, 0, -0, 5, 19.99, 1e6];
		for (const [cur, loc] of [['USD', 'en-US'], ['EUR', 'de-DE'], ['USD', 'en-US']]) {
			const expected = amounts.map((a) => new Intl.NumberFormat(loc, { style: 'currency', currency: cur }).format(a)).join('|');
			const tpl = amounts.map((_, i) => `{{ xs[${i}] | money: "${cur}", "${loc}" }}`).join('|');
			expect(await render(tpl, { xs: amounts })).toBe(expected);
		}
	});

	it('format_date: the same date twice, "now" never cached', async () => {
		const out = await render('{{ d | format_date: "long" }}|{{ d | format_date: "long" }}|{{ t | format_date: "short" }}', { d: '2024-02-11T10:00:00Z', t: 1707645600 });
		expect(out).toBe('February 11, 2024|February 11, 2024|2/11/24');
		const today = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date());
		expect(await render('{{ "now" | format_date }}')).toBe(today);
	});

	it('utm: a missing parameter and the text "undefined" are different keys; untrimmed links are kept as given', async () => {
		expect(await render('{{ u | utm: "undefined" }}', { u: 'https://a.example/x' })).toBe('https://a.example/x?utm_source=email&amp;utm_medium=email&amp;utm_campaign=undefined');
		expect(await render('{{ u | utm }}', { u: 'https://a.example/x' })).toBe('https://a.example/x?utm_source=email&amp;utm_medium=email');
		expect(await render('{{ u | utm }}', { u: ' mailto:a@b.c' })).toBe(' mailto:a@b.c');
		expect(await render('{{ u | utm }}', { u: 'mailto:a@b.c' })).toBe('mailto:a@b.c');
	});
});
