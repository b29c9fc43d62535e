/**
 * Review 6: utm appends its utm_* pairs to the query as written (before any #fragment), never
 * re-encoding what the link has (URLSearchParams would turn %20 into +, `new` into `new=`, `;` into
 * %3B, Mailgun's %recipient.x% into %25recipient.x%25). Expected values by hand; the pairs are
 * form-encoded (https://url.spec.whatwg.org/#concept-urlencoded-serializer).
 */
import { compileTemplate, renderCompiled, type LiquidSettings } from '../../../nodes/engines/render';

async function render(tpl: string, data: Record<string, unknown> = {}, liquid: LiquidSettings = {}): Promise<string> {
	const ct = await compileTemplate({ format: 'html', body: `<p>${tpl}</p>`, subject: 's', liquid });
	return renderCompiled(ct, data, { skipText: true }).html.replace(/^<p>|<\/p>$/g, '');
}

describe('utm keeps the query as written, appends its pairs (review 6 F8)', () => {
	const utm = (u: string, args = '"spring"') => render(`{{ u | utm: ${args} }}`, { u }, { escapeHtml: false });
	const pairs = 'utm_source=email&utm_medium=email&utm_campaign=spring';
	it.each([
		['https://shop.example/search?q=red%20shoes&new', `https://shop.example/search?q=red%20shoes&new&${pairs}`],
		['https://shop.example/p?a=1;b=2', `https://shop.example/p?a=1;b=2&${pairs}`],
		['https://shop.example/p?r=%recipient.id%', `https://shop.example/p?r=%recipient.id%&${pairs}`], // Mailgun recipient variable
		['https://shop.example/p?x=a+b&y=%2B', `https://shop.example/p?x=a+b&y=%2B&${pairs}`],
		['https://shop.example/p?q=1#top', `https://shop.example/p?q=1&${pairs}#top`],
		['https://shop.example/p#top?x', `https://shop.example/p?${pairs}#top?x`],
		['https://shop.example/p?', `https://shop.example/p?${pairs}`],
		['https://shop.example/p?a=1&', `https://shop.example/p?a=1&${pairs}`],
	])('%s', async (u, expected) => {
		expect(await utm(u)).toBe(expected);
	});

	it('utm_* keys the link has are kept (not replaced), the others appended; all present: the link unchanged', async () => {
		expect(await utm('https://shop.example/p?utm_source=partner&q=a%20b')).toBe('https://shop.example/p?utm_source=partner&q=a%20b&utm_medium=email&utm_campaign=spring');
		const full = 'https://shop.example/p?utm_source=a&utm_medium=b&utm_campaign=c&q=%7E';
		expect(await utm(full)).toBe(full);
	});

	it('values are form-encoded as before', async () => {
		expect(await utm('https://shop.example/p', '"spring sale", "news&co"')).toBe('https://shop.example/p?utm_source=news%26co&utm_medium=email&utm_campaign=spring+sale');
	});
});
