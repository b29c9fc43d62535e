/**
 * URL guard, audit of review 5 (merge of urlguard5): hostile templates the guard let through with
 * hostile data, each rendered and parsed by parse5 (the WHATWG tree builder, scripting on as in an
 * email's web version) and htmlparser2, or refused at compile time naming the construct.
 * Expectations by hand, from liquidjs 10.30 and the HTML parsing spec:
 * - liquidjs `first`/`last` read a string as an array of characters (`isArrayLike`), so after
 *   `split` the first `first` picks a piece and a second one its first character; `join` and
 *   `append` make the pieces one string again: `'<b>|y' | split: '|' | join: '' | first` is `<`;
 * - an index or key reads a string's own property, a character (`ownPropertyOnly` keeps string
 *   indexes): `s[0]` with `s = '<b>'` is `<`, `'<b>'[0]` too; liquidjs reads `[` as an index only
 *   right after the value (readProperties peeks without skipping blanks), so `echo [k]` in a
 *   `{% liquid %}` tag is a dynamic lookup;
 * - a browser reads the first of two `type` attributes, and a `type` with no value (or an empty one)
 *   is JavaScript (https://html.spec.whatwg.org/multipage/scripting.html#prepare-the-script-element);
 *   `src` chooses the script that runs;
 * - `</script` ends a script only when white space, `/` or `>` follows (`</scriptx>` does not), and
 *   after `<!--` a `<script` in a script makes `</script>` not end it (script data double escaped
 *   state) (https://html.spec.whatwg.org/multipage/parsing.html#script-data-state);
 * - `{% increment %}` writes a number: `<0a` is text, not a tag;
 * - an unquoted attribute value the data writes empty leaves the browser before the value: white
 *   space is skipped and what follows is the value (`src= alt="x` makes `alt="x` the src), a quote
 *   opens a quoted value (https://html.spec.whatwg.org/multipage/parsing.html#before-attribute-value-state);
 *   `&#32;` is a character reference, so the value is a space and ends where the guard reads it.
 */
import { parse } from 'parse5';
import { DomUtils, parseDocument } from '../../harness/html';
import { type P5Node, guardOutcome as outcome, guardRender as render, JS, live } from '../../harness/url-guard';

describe('1. a literal picked apart after split, or read with an index', () => {
	it.each([
		// each rendered <a href=javascript:alert(1)> before: the guard read the first (or only) piece as written whole
		['a second first after split', `{{ '<b>|y' | split: '|' | first | first | raw }}a href={{ u }}>Go</a>`, /"first", which can cut it/],
		['first after split and join', `{{ '<b>|y' | split: '|' | join: '' | first | raw }}a href={{ u }}>Go</a>`, /"first", which can cut it/],
		['first after split and append', `{{ '<b>|y' | split: '|' | append: '' | first | raw }}a href={{ u }}>Go</a>`, /"first", which can cut it/],
		['an assigned split picked twice', `{% assign p = '<b>|y' | split: '|' | first | first %}{{ p | raw }}a href={{ u }}>Go</a>`, /assign p.*"first", which can cut it/],
		['an assigned string indexed', `{% assign s = '<b>' %}{{ s[0] | raw }}a href={{ u }}>Go</a>`, /assign s.*is read with an index or key \(\[…\]\), which on a string gives one of its characters/],
		['an assigned string indexed by the data', `{% assign s = '<b>' %}{{ s[i] | raw }}a href={{ u }}>Go</a>`, /assign s.*index or key/],
		['a literal indexed', `{{ '<b>'[0] | raw }}a href={{ u }}>Go</a>`, /\{\{ '<b>'\[0\] \| raw \}\}.*index or key/],
		['a captured text indexed', `{% capture s %}<b>{% endcapture %}{{ s[0] | raw }}a href={{ u }}>Go</a>`, /capture s.*The text this capture holds.*index or key/],
		['a split piece indexed', `{% assign p = '<b>|y' | split: '|' %}{{ p.first[0] | raw }}a href={{ u }}>Go</a>`, /assign p.*index or key/],
		['escaping off, indexed', `{% assign s = '<b>' %}{{ s[0] }}a href={{ u }}>Go</a>`, /assign s.*index or key/],
	])('%s: refused', async (name, body, refusal) => {
		expect(await outcome(body, { u: JS, i: 0 }, refusal, name !== 'escaping off, indexed')).toBe('refused');
	});

	it('a dynamic lookup after "echo" in a {% liquid %} tag is one', async () => {
		// `echo [k]`: a blank between, so liquidjs reads [k] as a variable the data names, here q (written raw into the title)
		const body = `{% assign q = '" href="' %}<a title="{% liquid echo [k] | raw %}{{ u }}">Go</a>`;
		expect(await outcome(body, { u: JS, k: 'q' }, /assign q.*dynamic lookup/)).toBe('refused');
	});

	it('pieces picked whole, and indexes on what no literal feeds, render as written', async () => {
		const body =
			`{% assign heads = '<b>Hi</b>|<i>there</i>' | split: '|' %}<p>{{ heads.first | raw }} {{ heads.last | raw }} {{ '<b>a</b>|<i>b</i>' | split: '|' | last | raw }} {{ '<b>a</b>|<i>b</i>' | split: '|' | reverse | first | raw }}</p>` +
			`<p>{{ products[0].title | raw }} {{ tags[1] }}</p>`;
		// by hand: split's pieces, picked whole; products[0].title and tags[1] read from the data
		expect(await render(body, { products: [{ title: 'Trail <em>GTX</em>' }], tags: ['new', 'sale'] })).toBe('<p><b>Hi</b> <i>there</i> <i>b</i> <i>b</i></p><p>Trail <em>GTX</em> sale</p>');
	});
});

describe('2. scripts the guard took for data blocks, or for ended', () => {
	it.each([
		// each rendered a script that runs alert(1) before
		['a second type attribute', '<script type="text/javascript" type="application/ld+json">{{ x }}</script>', /\{\{ x \}\} \(in <script>\): Liquid inside <script>/],
		['a first type with no value', '<script type type="application/ld+json">{{ x }}</script>', /Liquid inside <script>/],
		['a type attribute the data names', '<script {{ a }} type="application/ld+json">{{ x }}</script>', /\{\{ a \}\} \(in <script>\): Liquid in a <script> tag/],
		['a src the data writes', '<script src="{{ u }}"></script>', /\{\{ u \}\} \(in <script>\): Liquid in a <script> tag: its src/],
		['an end tag that is not one', '<script>var a = 1;</scriptx>\n{{ x }}</script>', /\{\{ x \}\} \(in <script>\): Liquid inside <script>/],
		['a script inside "<!--" in a script', '<script><!--<script></script>{{ x }}</script>', /<script>: A tag inside a <script> after "<!--"/],
	])('%s: refused', async (_name, body, refusal) => {
		expect(await outcome(body, { x: 'alert(1)', a: 'type', u: 'https://evil.example/x.js' }, refusal)).toBe('refused');
	});

	it('what the refusals prevent: the former renders ran the script', () => {
		// the HTML each rendered before (the data has no character HTML escaping changes)
		expect(live('<script type="text/javascript" type="application/ld+json">alert(1)</script>')).toEqual(['script type=text/javascript: alert(1)']);
		expect(live('<script type type="application/ld+json">alert(1)</script>')).toEqual(['script type=: alert(1)']);
		expect(live('<script>var a = 1;</scriptx>\nalert(1)</script>')).toEqual(['script : var a = 1;</scriptx>\nalert(1)']);
		expect(live('<script><!--<script></script>alert(1)</script>')).toEqual(['script : <!--<script></script>alert(1)']);
	});

	it('schema.org data blocks, and a script the template writes whole, still render', async () => {
		const body =
			'<script type="application/ld+json">{"@type": "Order", "orderNumber": "{{ order }}"}</script><script type="application/ld+json"><!-- {"@type": "Thing"} --></script>' +
			'<script src="https://cdn.example/w.js"></script><style>.a { color: red; }</style  ><a href="{{ u }}">Go</a>';
		expect(await render(body, { order: 'A-17', u: 'https://shop.example/' })).toBe(
			'<script type="application/ld+json">{"@type": "Order", "orderNumber": "A-17"}</script><script type="application/ld+json"><!-- {"@type": "Thing"} --></script>' +
				'<script src="https://cdn.example/w.js"></script><style>.a { color: red; }</style  ><a href="https://shop.example/">Go</a>',
		);
	});
});

describe('3. a counter written after "<"', () => {
	it('{% increment %} after "<" is refused like an output', async () => {
		// before: "<0a title='>" is text in a browser, while the guard read a tag whose title held <a href="{{ u }}">, unchecked
		const body = `<{% increment i %}a title='><a href="{{ u }}">Go</a>'`;
		expect(await outcome(body, { u: JS }, /\{% increment i %\} \(in <\): Liquid writes an element name/)).toBe('refused');
		expect(live(`<0a title='><a href="${JS}">Go</a>'`)).toEqual([`a href=${JS}`, `h2 a href=${JS}`]);
	});

	it('counters elsewhere render as written', async () => {
		expect(await render('<p>{% increment n %} {% increment n %} {% decrement m %}</p><a href="https://x.example/{% increment n %}">x</a>', {})).toBe('<p>0 1 -1</p><a href="https://x.example/2">x</a>');
	});
});

describe('4. an unquoted value the data writes empty', () => {
	it.each([
		['src, then a quoted alt', '<img src={{ u }} alt="{{ name }}">', { u: '', name: 'x onerror=alert(1) y' }],
		['href, then a quoted title', '<a href={{ u }} title="{{ name }}">Go</a>', { u: '', name: 'x onmouseover=alert(1) y' }],
		['two outputs, then a tab', '<a href="https://x.example/" title={{ a }}{{ b }}\tclass="{{ name }}">Go</a>', { a: '', b: '', name: 'x onmouseover=alert(1) y' }],
		['a quote right after it', '<a href="https://x.example/" title={{ t }}"x>Hi</a><b class="{{ name }}">x</b><p>"</p>', { t: '', name: 'x onmouseover=alert(1) y' }],
	])('%s: no attribute from the data', async (_name, body, data) => {
		expect(await outcome(body, data, /^$/)).toBe('rendered');
	});

	it('what it prevents: the former render gave the data an attribute', () => {
		expect(live('<img src= alt="x onerror=alert(1) y">')).toEqual(['img onerror=alert(1)', 'h2 img onerror=alert(1)']);
	});

	it('written empty it is a space; written with a value, or ended by ">", as before', async () => {
		const body = '<img src={{ u }} alt="{{ name }}"><td width={{ w }}>x</td><a href={{ u }}/>';
		// by hand: an empty src followed by a space is written &#32; (a value of one space, which a URL parser trims to nothing)
		expect(await render(body, { u: '', name: 'Zoë O', w: '' })).toBe('<img src=&#32; alt="Zoë O"><td width=>x</td><a href=/>');
		expect(await render(body, { u: 'https://cdn.example/a b.png', name: 'Zoë', w: '10' })).toBe('<img src=https://cdn.example/a&#32;b.png alt="Zoë"><td width=10>x</td><a href=https://cdn.example/a&#32;b.png/>');
	});
});

describe('5. a <style> after <svg> hiding its CSS in a comment', () => {
	it('renders as before 0676f1b…', async () => {
		const body = '<svg width="24" height="24"><path d="M3 12h18"/></svg><style type="text/css"><!-- .footer a { color: #888; } --></style><a href="{{ u }}">Go</a>';
		expect(await render(body, { u: 'https://shop.example/' })).toBe(
			'<svg width="24" height="24"><path d="M3 12h18"/></svg><style type="text/css"><!-- .footer a { color: #888; } --></style><a href="https://shop.example/">Go</a>',
		);
		expect(await render(body, { u: JS })).toContain('<a href="#">Go</a>');
	});

	it('what "<!--!>" would make of it: a link in foreign content', () => {
		// with </svg> ignored (inside <math>) the <style> is foreign: its comment runs to the title's "-->" and the <a> after it is a link
		const html = `<math></svg><style><!--!> </style><p title="--><a href=${JS}>x</a>">`;
		expect(live(html)).toEqual([`a href=${JS}`, `h2 a href=${JS}`]);
	});

	it('…because read as foreign content (the <svg> left open) the <a> after it is the same element', () => {
		// <math></svg>: the browser ignores </svg>, so <style> is a MathML element holding a comment; the <a> after it is still one, with its href
		const hrefs = (html: string) => DomUtils.findAll((el) => el.attribs.href !== undefined, parseDocument(html).children).map((el) => el.attribs.href);
		const p5hrefs = (html: string) => {
			const out: string[] = [];
			const walk = (n: P5Node) => {
				for (const a of n.attrs ?? []) if (a.name === 'href') out.push(a.value);
				for (const c of n.childNodes ?? []) walk(c);
			};
			walk(parse(html) as unknown as P5Node);
			return out;
		};
		for (const open of ['<svg></svg>', '<math></svg>']) {
			const html = `${open}<style><!-- .a { color: red } --></style><a href="#u">Go</a>`;
			expect(p5hrefs(html)).toEqual(['#u']);
			expect(hrefs(html)).toEqual(['#u']);
		}
	});

	it.each([
		// the comment runs past </style>: in foreign content the <a> in the title is a link the guard read as a value
		['a comment the element ends before', '<svg></svg><style><!-- </style><p title="--><a href={{ u }}>x</a>">'],
		['a tag in the comment', '<svg></svg><style><!-- <a href="{{ u }}">x</a> --></style>'],
		// "<!--!>" is no comment end (the "!" is comment text): in foreign content the comment runs on to the title's "-->"
		['"<!--!>", which ends no comment', '<svg></svg><style><!--!> </style><p title="--><a href={{ u }}>x</a>">'],
	])('%s: still refused', async (_name, body) => {
		expect(await outcome(body, { u: JS, c: 'red' }, /A "<" inside <style> in \(or after\) <svg> or <math>/)).toBe('refused');
	});

	it('a comment that does not end in the piece (Liquid in it) renders, its data written as in a comment and as CSS (review 6)', async () => {
		// by hand: "red" has no dash, "!" or CSS function: written as is
		expect(await render('<svg></svg><style><!-- .a { color: {{ c }} } --></style>', { c: 'red' })).toBe('<svg></svg><style><!-- .a { color: red } --></style>');
	});
});

describe('6. an output between dashes and ">" in a comment', () => {
	it.each([
		// a browser ends a comment at "-->" or "--!>" only: "--y>" goes on, where the guard read "--" + ">" as the end
		['"--" before it, ">" after it', `<!-- a --{{ x }}> <p title="--><a href={{ u }}>x</a>">`],
		['right after "<!--"', `<!--{{ x }}> <p title="--><a href={{ u }}>x</a>">`],
		['"-" before it, "->" after it', `<!-- a -{{ x }}-> <p title="--><a href={{ u }}>x</a>">`],
	])('%s: the comment ends where the guard reads it, the data written or empty', async (_name, body) => {
		for (const x of ['y', '']) expect(await outcome(body, { x, u: JS }, /^$/)).toBe('rendered');
	});

	it('what it prevents: the former render made the <a> in the title a link', () => {
		expect(live(`<!-- a --y> <p title="--><a href=${JS}>x</a>">`)).toEqual([`a href=${JS}`, `h2 a href=${JS}`]);
	});

	it('written empty it is a space; with a value, or elsewhere in a comment, as before', async () => {
		const body = '<!--{{ x }}--><!-- {{ x }} --><!--[if mso]><v:rect href="{{ u }}" /><![endif]-->';
		// by hand: an empty x after "<!--" is written as a space ("<!-- -->"), one after a space is written empty
		expect(await render(body, { x: '', u: 'https://x.example/' })).toBe('<!-- --><!--  --><!--[if mso]><v:rect href="https://x.example/" /><![endif]-->');
		expect(await render(body, { x: 'Hi', u: 'https://x.example/' })).toBe('<!--Hi--><!-- Hi --><!--[if mso]><v:rect href="https://x.example/" /><![endif]-->');
	});
});
