/**
 * A link does not hold a link. The HTML parser ends an open <a> at the next <a> start tag
 * (https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-inbody, 'A start tag whose tag
 * name is "a"': adoption agency, then the outer <a> is removed from the open elements), so in
 * `<a href=1>one <a href=2>two</a> three</a>` only "one" links to 1 and "three" links nowhere. A card
 * wrapped in a link with a "Shop now" link inside is a common hand-written case. The text part
 * formerly wrote the outer URL after the whole card ("one two (2) three (1)"), as if "three" were
 * part of the first link; it now follows the parser, as the unsubscribe check (readLinks) already
 * did. Expected texts written by hand from the parsing rule.
 */
import { compileTemplate, htmlToText, renderCompiled } from '../../../nodes/engines/render';

describe('text part: a link that wraps blocks', () => {
	it('its URL is a line of its own, also when inline text follows (formerly glued to that text)', () => {
		expect(htmlToText('<a href="https://shop.example/"><div><img src="https://cdn.example/logo.png"></div></a>Hi Ada')).toBe('https://shop.example/\nHi Ada');
		expect(htmlToText('<a href="https://shop.example/new"><p>New in</p></a><p>More</p>')).toBe('New in\n\nhttps://shop.example/new\n\nMore');
	});
});

describe('text part: a link inside a link ends the outer link', () => {
	it('the outer URL follows the text before the inner link; text after the inner link is no link', () => {
		expect(htmlToText('<p><a href="https://a.example/1">one <a href="https://b.example/2">two</a> three</a> end</p>')).toBe('one (https://a.example/1) two (https://b.example/2) three end');
	});

	it('a product card wrapped in a link, with a button link inside', () => {
		const card = '<a href="https://shop.example/p/tee"><div><img src="https://cdn.example/tee.jpg" alt="Organic tee"><p>Organic tee</p><a href="https://shop.example/p/tee?buy=1">Shop now</a></div></a>';
		// the outer link wraps blocks, so its URL stands on a line of its own after them (as for any such link); "Shop now" follows below
		expect(htmlToText(card)).toBe('Organic tee\n\nOrganic tee\n\nhttps://shop.example/p/tee\nShop now (https://shop.example/p/tee?buy=1)');
	});

	it('with Liquid: converted per recipient (the compiled text plan is not used), same text', async () => {
		const body = '<html><body><a href="{{ p.url }}"><p>{{ p.name }}</p><a href="{{ p.url }}?buy=1">Shop now</a></a><p><a href="https://shop.example/u">Unsubscribe</a></p></body></html>';
		const ct = await compileTemplate({ format: 'html', body, subject: 's', preheader: 'p' });
		expect(ct.textPlan).toBeUndefined();
		const r = renderCompiled(ct, { p: { name: 'Organic tee', url: 'https://shop.example/p/tee' } });
		expect(r.text).toBe('Organic tee\n\nhttps://shop.example/p/tee\nShop now (https://shop.example/p/tee?buy=1)\n\nUnsubscribe (https://shop.example/u)');
		expect(r.text).toBe(htmlToText(r.html));
	});
});
