/**
 * Review of a5731f8 (COMMENT_OPEN): a comment's `<!--` (or `<!--[`, `<!--[i`) carried from one static
 * piece to the next is lost when the next piece extends it (`[`, `[i`, or an empty piece left by
 * whitespace control): readFrom starts that piece in Comment state, so commentOpen stays -1 and the
 * carry becomes the dash carry. The output after it gets no COMMENT_OPEN bit, and a conditional comment
 * spelled over three pieces is not read as Outlook reads it.
 */
import { guardOutcome as outcome, guardRender as render, JS, outlookLive } from '../../harness/url-guard';

const LINK = '<a href="{{ u }}">Book a call</a><![endif]-->';

describe('data completes "[if" after a "<!--" the template wrote before a Liquid tag', () => {
	it.each([
		['a "[" after a tag', `<!--{% assign z = 1 %}[{{ note }}>${LINK}`, 'if mso]'],
		['a "[" in an if', `<!--{% if c %}[{% endif %}{{ note }}>${LINK}`, 'if mso]'],
		['a "[i" in an if', `<!--{% if c %}[i{% endif %}{{ note }} mso]>${LINK}`, 'f'],
		['a "[" in a raw block', `<!--{% raw %}[{% endraw %}{{ note }}>${LINK}`, 'if mso]'],
		['a "[" after a comment tag', `<!--{% comment %}x{% endcomment %}[{{ note }}>${LINK}`, 'if mso]'],
		['pieces emptied by whitespace control', `<!--{% if c %} {%- else %} {%- endif %}{{ note }}>${LINK}`, '[if mso]'],
	])('%s: Outlook reads no link the guard did not check', async (_name, body, note) => {
		expect(await outcome(body, { note, u: JS, c: true }, /^$/, true, outlookLive)).toBe('rendered');
	});

	it('the render (by hand: "<!--" + "[" + "if mso]" is a conditional comment, its link unchecked)', async () => {
		const html = await render(`<!--{% assign z = 1 %}[{{ note }}>${LINK}`, { note: 'if mso]', u: JS });
		// currently '<!--[if mso]><a href="javascript:alert(1)">Book a call</a><![endif]-->'
		expect(outlookLive(html)).toEqual([]);
	});
});

describe('a conditional comment the template spells over three pieces is read as Outlook reads it', () => {
	it.each([
		['"<!--", "[i", "f mso]>"', `<!--{% assign y = 1 %}[i{% assign z = 1 %}f mso]>${LINK}`],
		['"<!--", "[", "if mso]>"', `<!--{% if c %}{% endif %}[{% if c %}{% endif %}if mso]>${LINK}`],
	])('%s: the VML/link inside is checked', async (_name, body) => {
		expect(await outcome(body, { u: JS, c: true }, /^$/, true, outlookLive)).toBe('rendered');
	});
});

/**
 * Runtime (fastpath UrlAttrHtml): a close that another reading carries on (UrlClose.keep) leaves urlStart
 * where the first value opened; the next value's start is only urlMore. When the later value is unsafe, the
 * buffer is cut from urlStart, deleting the template's `'` that closed the first value: what follows is
 * read inside a single-quoted href up to the next `'` the template writes, and data after that `'` lands
 * in the tag (`alt='{{ m }}'`, escaped for a quoted value only, adds onmouseover).
 */
describe('a value cut from an earlier start deletes the quote that closed it', () => {
	const body = `<a href={% if a %}'{% else %}"{% endif %}{{ x }}' src={{ u }} title="{{ n }}">Go</a><img alt='{{ m }}' src="https://x.example/p.png">`;

	it('no event handler and no javascript: URL', async () => {
		expect(await outcome(body, { a: true, x: 'http://ok/', u: JS, n: 'n', m: ' onmouseover=alert(1) ' }, /^$/)).toBe('rendered');
	});

	it('a start recorded for another reading (inside title=\'…\' here): the cut deletes the "\'" that ends title', async () => {
		const one = `<a {% if a %}title='{% endif %}" href="{{ v }}'{{ u }}" y='{{ n }}'>Go</a>`;
		// currently `<a title='" href="#" y=' onmouseover=alert(1) '>Go</a>`: the "'" after the href was cut with v
		expect(await outcome(one, { a: true, v: JS, u: 'x', n: ' onmouseover=alert(1) ' }, /^$/)).toBe('rendered');
	});

	it('the render keeps the template\'s quotes (by hand: only src\'s value becomes "#")', async () => {
		// currently `<a href='# title="n">Go</a><img alt=' onmouseover=alert(1) ' src="https://x.example/p.png">`
		expect(await render(body, { a: true, x: 'http://ok/', u: JS, n: 'n', m: 'm' })).toBe(`<a href='http://ok/' src=# title="n">Go</a><img alt='m' src="https://x.example/p.png">`);
	});
});
