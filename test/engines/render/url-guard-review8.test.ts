/**
 * URL guard review 8: two gaps an earlier review named. Each hostile template is rendered with hostile
 * data and the output parsed by parse5 (scripting on) and htmlparser2, and by outlookLive() for
 * Outlook's reading, or it must be refused at compile time. Expectations by hand:
 * - Outlook for Windows (and IE up to 9) read `<!--[if mso]> … <![endif]-->` as a conditional comment
 *   whose content is HTML; what decides it is `[if` right after `<!--`
 *   (https://learn.microsoft.com/en-us/previous-versions/windows/internet-explorer/ie-developer/compatibility/ms537512(v=vs.85)).
 *   A comment's text is never decoded (https://html.spec.whatwg.org/multipage/parsing.html#comment-state):
 *   `<!--&#91;if mso]>` is a plain comment to every reader, and shows nothing either way;
 * - liquidjs reads `a[0]` as a property of a: on an array its element, whole (`split` gives an
 *   array of strings); on a string its character (`ownPropertyOnly` keeps string indexes), so
 *   `heads[0][0]` on split pieces is the first character of the first piece.
 */
import { guardOutcome as outcome, guardRender as render, JS, live, outlookLive } from '../../harness/url-guard';

describe('1. data that writes a conditional comment\'s "[if" right after the template\'s "<!--"', () => {
	const LINK = '<a href="{{ u }}">Book a call</a><![endif]-->';
	it.each([
		['the whole opener', `<!--{{ note }}>${LINK}`, '[if mso]'],
		['the opener but its "]"', `<!--{{ note }}]>${LINK}`, '[if mso'],
		['in capitals', `<!--{{ note }}>${LINK}`, '[IF MSO]'],
		['after "<!--[" the template writes', `<!--[{{ note }}]>${LINK}`, 'if mso'],
		['after "<!--[i" the template writes', `<!--[i{{ note }} mso]>${LINK}`, 'f'],
		['a "[" the template completes', `<!--{{ note }}if mso]>${LINK}`, '['],
		['after a Liquid tag that writes nothing', `<!--{% if c %}{% endif %}{{ note }}>${LINK}`, '[if mso]'],
		['after an output written empty', `<!--{{ e }}{{ note }}>${LINK}`, '[if mso]'],
	])('%s: Outlook reads no link the guard did not check', async (_name, body, note) => {
		expect(await outcome(body, { note, u: JS, c: true, e: '' }, /^$/, true, outlookLive)).toBe('rendered');
	});

	it('the "[" is written as a character reference: a plain comment to browsers and to Outlook', async () => {
		// by hand: "[" is U+005B (91); the rest of the comment as the template and data write it
		expect(await render(`<!--{{ note }}>${LINK}`, { note: '[if mso]', u: JS })).toBe('<!--&#91;if mso]><a href="javascript:alert(1)">Book a call</a><![endif]-->');
	});

	it('what it prevents: the former render was a conditional comment with a live link for Outlook', () => {
		expect(outlookLive('<!--[if mso]><a href="javascript:alert(1)">Book a call</a><![endif]-->')).toEqual(['mso a href=javascript:alert(1)', 'mso h2 a href=javascript:alert(1)']);
	});

	it('ordinary data in comments, right after "<!--" too, renders as written', async () => {
		const body = '<!--{{ id }}--><!--{{ tag }} --><!--[{{ word }}]--><!-- {{ note }} -->';
		expect(await render(body, { id: 'c-42', tag: '[draft] spring', word: 'ignore', note: '[if mso]' })).toBe('<!--c-42--><!--[draft] spring --><!--[ignore]--><!-- [if mso] -->');
	});

	it('the template\'s own conditional comments, with data in them, render as before', async () => {
		const body = '<!--[if mso]><v:roundrect href="{{ u }}"><center>{{ label }}</center></v:roundrect><![endif]--><!--{% if a %}[if mso]>{% endif %}<p>{{ id }}</p><![endif]-->';
		expect(await render(body, { u: 'https://shop.example/', label: 'Shop', id: 'c-42', a: true })).toBe(
			'<!--[if mso]><v:roundrect href="https://shop.example/"><center>Shop</center></v:roundrect><![endif]--><!--[if mso]><p>c-42</p><![endif]-->',
		);
	});
});

describe('2. an index on an array: a whole element, not one character', () => {
	it.each([
		['a quoted href', '<a href="{{ heads[0] }}">Go</a>', { heads: [JS] }],
		['text after it', '<a href="{{ heads[0] }}x">Go</a>', { heads: [JS] }],
		['unquoted, written raw', '<a href={{ heads[0] | raw }}>Go</a>', { heads: [JS] }],
		['the scheme the template completes', '<a href="{{ heads[0] }}script:alert(1)">Go</a>', { heads: ['java'] }],
		['after the start of a scheme', '<a href="java{{ heads[0] }}">Go</a>', { heads: ['script:alert(1)'] }],
		['two elements', '<a href="{{ heads[0] }}{{ heads[1] }}">Go</a>', { heads: ['java', 'script:alert(1)'] }],
		['assigned first', '{% assign h = heads[0] %}<a href="{{ h }}">Go</a>', { heads: [JS] }],
		['a key the data chooses', '<a href="{{ heads[k] }}">Go</a>', { heads: [JS], k: 0 }],
		['in a CSS url()', '<td style="background:url({{ heads[0] }})">Hi</td>', { heads: ['javascript:alert(1)'] }],
		['escaping off', '<a href="{{ heads[0] }}">Go</a>', { heads: [JS] }],
	])('data: %s', async (name, body, data) => {
		expect(await outcome(body, data, /^$/, name !== 'escaping off')).toBe('rendered');
	});

	it('split pieces read with an index, written raw, render whole', async () => {
		const body =
			`{% assign heads = '<b>Hi</b>|<i>there</i>' | split: '|' %}<p>{{ heads[0] | raw }} {{ heads[1] | raw }} {{ heads[n] | raw }}</p>` +
			`{% assign h2 = heads %}{% assign top = heads[0] %}<p>{{ h2[1] | raw }} {{ top | raw }}</p>`;
		// by hand: heads is ["<b>Hi</b>", "<i>there</i>"], n = 1
		expect(await render(body, { n: 1 })).toBe('<p><b>Hi</b> <i>there</i> <i>there</i></p><p><i>there</i> <b>Hi</b></p>');
	});

	it.each([
		['a character of a piece', `{% assign heads = '<b>|y' | split: '|' %}{{ heads[0][0] | raw }}a href={{ u }}>Go</a>`, /index or key/],
		['a piece, then | first', `{% assign heads = '<b>|y' | split: '|' %}{{ heads[0] | first | raw }}a href={{ u }}>Go</a>`, /index or key|"first", which can cut it/],
		['a piece that opens a tag', `{% assign heads = '<a href=|y' | split: '|' %}{{ heads[0] | raw }}{{ u }}>Go</a>`, /opens or closes an HTML tag/],
		['a string', `{% assign heads = '<b>' %}{{ heads[0] | raw }}a href={{ u }}>Go</a>`, /index or key/],
		['the same name assigned a string elsewhere', `{% assign heads = '<b>x|y' | split: '|' %}{% if z %}{% assign heads = '<b>' %}{% endif %}{{ heads[0] | raw }}a href={{ u }}>Go</a>`, /index or key/],
		['a loop variable (one piece)', `{% assign heads = '<b>|y' | split: '|' %}{% for h in heads %}{{ h[0] | raw }}{% endfor %}a href={{ u }}>Go</a>`, /index or key/],
		['a piece joined back into a string', `{% assign heads = '<b>|y' | split: '|' | join: '' %}{{ heads[0] | raw }}a href={{ u }}>Go</a>`, /index or key/],
	])('a character picked from a literal written raw is still refused (%s)', async (_name, body, refusal) => {
		expect(await outcome(body, { u: JS, z: true }, refusal)).toBe('refused');
	});
});

describe('3. readings that open a URL value at different places in one piece (found by the fuzz with more seeds)', () => {
	// " src=" after an href the data may have started: with the href ended there, src's value opens after "=";
	// with the href not started, " src=" is href's value, opened at its "s". Both are checked.
	it.each([
		['the href started', { a: true, b: false, x: 'https://shop.example/', u: JS }],
		['the href not started', { a: false, b: false, x: '', u: JS }],
		['from the fuzz (case without else)', { k: 2, b: false, x: 'javascript', u: JS }],
	])('%s: no javascript: URL', async (name, data) => {
		const body = name.startsWith('from the fuzz')
			? '<a href={% case k %}{% when 1 %} src={% when 2 %}{{ x }}{% endcase %}{% if b %}#{% else %} src={{ u }}ja{% endif %} {{ x }} >Go</a>'
			: '<a href={% if a %}{{ x }}{% endif %}{% if b %}#{% else %} src={{ u }}{% endif %} >Go</a>';
		expect(await outcome(body, data, /^$/)).toBe('rendered');
	});

	it('safe values render as written', async () => {
		const body = '<a href={% if a %}{{ x }}{% endif %}{% if b %}#{% else %} data-src={{ u }}{% endif %} >Go</a><img src={% if a %}{{ x }}{% endif %}{% if b %}#{% else %} alt={{ u }}{% endif %} >';
		// by hand: a true, b false: each attribute as the template and data write it
		expect(await render(body, { a: true, b: false, x: 'https://shop.example/', u: 'https://cdn.example/p.png' })).toBe(
			'<a href=https://shop.example/ data-src=https://cdn.example/p.png >Go</a><img src=https://shop.example/ alt=https://cdn.example/p.png >',
		);
	});
});

describe('what the tests read', () => {
	it('live() finds a javascript: link (the checks above would see one)', () => {
		expect(live(`<a href="${JS}">Go</a>`)).toEqual([`a href=${JS}`, `h2 a href=${JS}`]);
	});
});
