/**
 * A link's URL in the text part is the URL the browser follows from the href, so that the
 * recipient's mail program links all of it. The URL parser
 * (https://url.spec.whatwg.org/#concept-basic-url-parser) removes leading and trailing spaces and
 * every tab and line break of an href, and sends the spaces left as %20 (path, query and fragment
 * of a web URL; a `mailto:` query too). Formerly the text part wrote the href as it stood: a line
 * break in it split the link over two lines, a space cut it short. Expected texts written by hand.
 */
import { compileTemplate, htmlToText, renderCompiled } from '../../../nodes/engines/render';

describe('text part: a link URL as the browser follows it', () => {
	it('line breaks and tabs in an href are removed; spaces in a web link are written %20', () => {
		expect(htmlToText('<a href="https://shop.example/products/\nmerino-crew">Merino</a>')).toBe('Merino (https://shop.example/products/merino-crew)');
		expect(htmlToText('<a href="https://shop.example/search?q=red\tshoes">Search</a>')).toBe('Search (https://shop.example/search?q=redshoes)');
		expect(htmlToText('<a href="  https://shop.example/Summer Sale/?q=red shoes#top item ">Sale</a>')).toBe('Sale (https://shop.example/Summer%20Sale/?q=red%20shoes#top%20item)');
	});

	it('mailto: the query\'s spaces are %20; a tel: number keeps its spaces (and is not repeated when the label shows it)', () => {
		expect(htmlToText('<a href="mailto:help@shop.example?subject=Order 1042">Write to us</a>')).toBe('Write to us (mailto:help@shop.example?subject=Order%201042)');
		expect(htmlToText('<a href="tel:+1 555 0100">Call us</a>')).toBe('Call us (tel:+1 555 0100)');
		expect(htmlToText('<a href="tel:+1 555 0100">+1 555 0100</a>')).toBe('+1 555 0100');
	});

	it('a product URL from the data with a space or a line break: the compiled text plan and the per-recipient conversion write the same link', async () => {
		const body = '<html><body><p><a href="{{ p.url }}">{{ p.name }}</a></p><p><a href="https://shop.example/u">Unsubscribe</a></p></body></html>';
		const ct = await compileTemplate({ format: 'html', body, subject: 's', preheader: 'p' });
		expect(ct.textPlan).toBeDefined();
		for (const url of ['https://shop.example/p/Merino Crew', 'https://shop.example/p/Merino\nCrew ']) {
			const r = renderCompiled(ct, { p: { name: 'Merino crew', url } });
			const want = url.includes('\n') ? 'https://shop.example/p/MerinoCrew' : 'https://shop.example/p/Merino%20Crew';
			expect(r.text).toBe(`Merino crew (${want})\n\nUnsubscribe (https://shop.example/u)`);
			expect(r.text).toBe(htmlToText(r.html));
		}
	});
});
