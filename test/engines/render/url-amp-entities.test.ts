/**
 * A feed URL that already holds `&amp;` (`?a=1&amp;b=2`, HTML-escaped once upstream) is escaped
 * again by the default output escaping: `href="…?a=1&amp;amp;b=2"`, which a browser reads as
 * `?a=1&amp;b=2` (parameter `amp;b`). The README's recipe `| replace: '&amp;', '&'` undoes the
 * upstream escaping before ours, which still escapes the rest; liquidjs's `escape_once` does not
 * help here (output escaping applies after it). Attribute values read back by htmlparser2, which
 * decodes references as browsers do.
 */
import { compileTemplate, renderCompiled } from '../../../nodes/engines/render';
import { DomUtils, parseDocument } from '../../harness/html';

async function hrefOf(output: string, url: string): Promise<string | undefined> {
	const ct = await compileTemplate({ format: 'html', body: `<p><a href="${output}">Shop</a></p>`, subject: 's' });
	const html = renderCompiled(ct, { url }, { skipText: true }).html;
	return DomUtils.findOne((e) => e.name === 'a', parseDocument(html).children)?.attribs.href;
}

describe('URLs that already hold &amp;', () => {
	const feed = 'https://shop.example/p?a=1&amp;b=2';

	it('written as is, the browser follows the parameter "amp;b"', async () => {
		expect(await hrefOf('{{ url }}', feed)).toBe('https://shop.example/p?a=1&amp;b=2');
	});

	it('| escape_once is the output escape (not escaped again): the link the feed meant', async () => {
		expect(await hrefOf('{{ url | escape_once }}', feed)).toBe('https://shop.example/p?a=1&b=2');
	});

	it("| replace: '&amp;', '&' gives the link the feed meant", async () => {
		expect(await hrefOf("{{ url | replace: '&amp;', '&' }}", feed)).toBe('https://shop.example/p?a=1&b=2');
	});

	it('the recipe keeps the escaping of the rest of the value: a quote cannot end the attribute', async () => {
		const ct = await compileTemplate({ format: 'html', body: `<p><a href="{{ url | replace: '&amp;', '&' }}">Shop</a></p>`, subject: 's' });
		const html = renderCompiled(ct, { url: 'https://shop.example/p?a=1&amp;b="><img src=x onerror=alert(1)>' }, { skipText: true }).html;
		const doc = parseDocument(html);
		expect(DomUtils.findAll((e) => e.name === 'img', doc.children)).toEqual([]);
		expect(DomUtils.findOne((e) => e.name === 'a', doc.children)?.attribs.href).toBe('https://shop.example/p?a=1&b="><img src=x onerror=alert(1)>');
	});
});
