/**
 * A space at the end of a link's text (`<a href="…">our blog </a>today`, as editors often write it)
 * is shown by the browser between the link and the next word: "Read our blog today". The text part
 * formerly trimmed it away with the label and glued the next word to the URL
 * ("our blog (https://…)today"); the space now stays after the URL. Expected texts written by hand.
 */
import { compileTemplate, htmlToText, renderCompiled } from '../../../nodes/engines/render';

describe('text part: a space that ends a link stays after its URL', () => {
	it('a trailing space, no-break space or line break inside the link', () => {
		expect(htmlToText('<p>Read <a href="https://shop.example/blog">our blog </a>today</p>')).toBe('Read our blog (https://shop.example/blog) today');
		expect(htmlToText('<p><a href="https://shop.example/new">New in&nbsp;</a>· <a href="https://shop.example/sale">Sale\n</a>now</p>')).toBe('New in (https://shop.example/new) · Sale (https://shop.example/sale) now');
	});

	it('without a space the next text follows the URL as before', () => {
		expect(htmlToText('<p><a href="https://shop.example/blog">our blog</a>, today</p>')).toBe('our blog (https://shop.example/blog), today');
	});

	it('links written by a loop, with the compiled text plan: the same text as converting the HTML', async () => {
		const body = '<html><body><p>{% for p in items %}<a href="{{ p.url }}">{{ p.name }} </a>{% endfor %}</p><p><a href="https://shop.example/u">Unsubscribe</a></p></body></html>';
		const ct = await compileTemplate({ format: 'html', body, subject: 's', preheader: 'p' });
		expect(ct.textPlan).toBeDefined();
		const r = renderCompiled(ct, { items: [{ name: 'Tee', url: 'https://shop.example/t' }, { name: 'Socks', url: 'https://shop.example/s' }] });
		expect(r.text).toBe('Tee (https://shop.example/t) Socks (https://shop.example/s)\n\nUnsubscribe (https://shop.example/u)');
		expect(r.text).toBe(htmlToText(r.html));
	});
});
