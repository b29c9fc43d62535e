/**
 * URL guard review 6: the gaps review 5 left open (README "Not covered"). Each hostile template is
 * rendered with hostile data and the output parsed by parse5 (the WHATWG tree builder, scripting on
 * as in an email's web version) and htmlparser2, or it must be refused at compile time naming the
 * construct. Expectations by hand, from the specifications:
 * - a data: URL is a whole resource whose type is what stands before its first comma: text/html
 *   makes a document that runs its scripts in a frame, an <object> or a new tab, image/svg+xml
 *   too outside <img> (https://fetch.spec.whatwg.org/#data-urls); png, gif, jpeg and webp are
 *   only ever decoded as images;
 * - "in select" insertion mode ignores a <style>, <title>, <xmp>, <iframe>, <noembed> or
 *   <noframes> start tag, so the tokenizer stays in the data state and their content is markup
 *   there; <input> closes the select and is inserted, <script> is processed as in the head
 *   (https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-inselect; parse5 7 reads it so);
 * - <base href> sets the URL every relative URL of the document resolves against
 *   (https://html.spec.whatwg.org/multipage/semantics.html#the-base-element);
 * - Outlook for Windows (and IE up to 9) read the content of a downlevel-hidden conditional comment
 *   `<!--[if mso]> … <![endif]-->` as HTML, browsers as a comment
 *   (https://learn.microsoft.com/en-us/previous-versions/windows/internet-explorer/ie-developer/compatibility/ms537512(v=vs.85));
 *   outlookLive() reads that content with parse5;
 * - SVG presentation attributes are CSS values: fill, stroke, filter, mask, clip-path, marker-*,
 *   cursor take url(…), which may point at another document (https://www.w3.org/TR/SVG2/painting.html#SpecifyingPaint,
 *   https://www.w3.org/TR/SVG2/styling.html#PresentationAttributes); `url(#id)` stays in the document;
 * - liquidjs `first` on an array gives its first element, on a string its first character; `split`
 *   gives an array;
 * - a script whose type is not a JavaScript MIME type, "module" or "importmap" is a data block,
 *   never run (https://html.spec.whatwg.org/multipage/scripting.html#prepare-the-script-element):
 *   `application/ld+json; charset=utf-8` is none of them.
 */
import { compileTemplate, renderCompiled } from '../../../nodes/engines/render';
import {
	baseHrefs,
	dataDocuments,
	guardInput,
	guardOutcome as outcome,
	guardRender as render,
	JS,
	live,
	offDocumentRefs,
	outlookLive,
} from '../../harness/url-guard';

const SCRIPT_PAGE = '<script>alert(1)</script>';

describe('1. Liquid inside a data: URL the template writes', () => {
	it.each([
		['an iframe showing a text/html data: URL', `<iframe src="data:text/html,{{ x }}" width="600" height="400"></iframe>`, SCRIPT_PAGE],
		['a link to a base64 text/html document', `<a href="data:text/html;base64,{{ page }}">Open your receipt</a>`, Buffer.from(SCRIPT_PAGE).toString('base64')],
		['an <object> document', `<object data="data:text/html,{{ x }}" type="text/html"></object>`, SCRIPT_PAGE],
		['an <embed> SVG document', `<embed src="data:image/svg+xml,{{ x }}" type="image/svg+xml">`, '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
		['unquoted', `<iframe src=data:text/html,{{ x }}></iframe>`, SCRIPT_PAGE],
		['the scheme written with a character reference', `<iframe src="data&colon;text/html,{{ x }}"></iframe>`, SCRIPT_PAGE],
		['upper case', `<iframe src="DATA:TEXT/HTML,{{ x }}"></iframe>`, SCRIPT_PAGE],
		['inside an {% if %}', `<iframe src="data:text/html,{% if x %}{{ x }}{% endif %}"></iframe>`, SCRIPT_PAGE],
		['an image type the data completes', `<iframe src="data:image/png{{ x }}"></iframe>`, `+xml,${SCRIPT_PAGE}`],
		['a plain text one', `<a href="data:,{{ x }}">Your code</a>`, SCRIPT_PAGE],
	])('%s: refused', async (_name, body, x) => {
		expect(await outcome(body, { x, page: x }, /Liquid inside a data: URL the template writes/, true, dataDocuments)).toBe('refused');
	});

	it('a png, gif, jpeg or webp data: URL whose type and encoding the template writes renders as written', async () => {
		const body = `<img src="data:image/png;base64,{{ logo }}" alt="Logo"><img src="data:image/gif;base64,{{ pixel }}" width="1" height="1"><img src='data:image/jpeg;base64,{{ j }}'><img src=data:image/webp;base64,{{ w }}>`;
		// by hand: the values as written (base64 has no character HTML escaping changes)
		expect(await render(body, { logo: 'iVBORw0KGgo=', pixel: 'R0lGODlhAQABAAAAACw=', j: '/9j/4AAQ', w: 'UklGRg==' })).toBe(
			`<img src="data:image/png;base64,iVBORw0KGgo=" alt="Logo"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="1" height="1"><img src='data:image/jpeg;base64,/9j/4AAQ'><img src=data:image/webp;base64,UklGRg==>`,
		);
	});
});

describe('2. <style> and the other raw-text elements inside <select>', () => {
	// in a select, <input> closes it and is inserted: what follows is read as HTML by the browser, as text by a guard that saw a <style>
	const LINK = '<input type="hidden" name="src" value="email"><a href={{ u }}>Size guide</a>';
	it.each([
		['style', `<form action="https://shop.example/survey"><select name="size"><style>/* ${LINK} */</style><option>S</option></select></form>`],
		['title', `<select name="size"><title>${LINK}</title><option>S</option></select>`],
		['xmp', `<select name="size"><xmp>${LINK}</xmp><option>S</option></select>`],
		['noembed', `<select name="size"><noembed>${LINK}</noembed><option>S</option></select>`],
		['noframes', `<select name="size"><noframes>${LINK}</noframes><option>S</option></select>`],
		['iframe', `<select name="size"><iframe>${LINK}</iframe><option>S</option></select>`],
		['style in a select in a table', `<table><tr><td><select name="size"><style>${LINK}</style></select></td></tr></table>`],
	])('%s: refused', async (tag, body) => {
		expect(await outcome(body, { u: 'javascript:alert%281%29' }, new RegExp(`A "<" inside <${tag.split(' ')[0]}> in a <select>`))).toBe('refused');
	});

	it('a <script> inside a <style> in a <select> (processed as in the head there) is refused', async () => {
		// the data has no parenthesis, so it passed as CSS: the browser ran alert`1`
		expect(await outcome('<select name="q"><style><script>{{ x }}</script></style></select>', { x: 'alert`1`' }, /A "<" inside <style> in a <select>/)).toBe('refused');
	});

	it('a select\'s <style> holding CSS (and a whole comment), and a <style> after the select, render as written', async () => {
		const body = `<select name="size"><style><!-- .opt { color: red; } -->.opt { color: {{ c }}; }</style><option>{{ s }}</option></select><style>td { color: {{ c }}; }</style>`;
		expect(await render(body, { c: '#0b6e4f', s: 'M & L' })).toBe(
			'<select name="size"><style><!-- .opt { color: red; } -->.opt { color: #0b6e4f; }</style><option>M &amp; L</option></select><style>td { color: #0b6e4f; }</style>',
		);
	});
});

describe('3. data writing a <base href>', () => {
	it.each([
		['its href', `<base href="{{ shop_url }}"><a href="account">Your account</a>`],
		['unquoted', `<base href={{ shop_url }}><a href="account">Your account</a>`],
		['a path after the host', `<base href="https://shop.example/{{ shop_url }}"><a href="account">Your account</a>`],
		['inside an {% if %}', `<base href="{% if shop_url %}{{ shop_url }}{% endif %}"><a href="account">Your account</a>`],
	])('Liquid in a <base> tag (%s): refused at compile time', async (_name, body) => {
		expect(await outcome(body, { shop_url: 'https://evil.example/' }, /Liquid in a <base> tag/, true, baseHrefs)).toBe('refused');
	});

	const BASE = '<base href="https://evil.example/">';
	it.each([
		['| raw', `<p>{{ profile.bio | raw }}</p><a href="account">Your account</a>`, true],
		['| raw with an argument', `<p>{{ profile.bio | raw: 1 }}</p><a href="account">Your account</a>`, true],
		['{% echo | raw %}', `<p>{% echo profile.bio | raw %}</p><a href="account">Your account</a>`, true],
		['an assigned value written raw', `{% assign b = profile.bio %}<p>{{ b | raw }}</p><a href="account">Your account</a>`, true],
		['HTML escaping off', `<p>{{ profile.bio }}</p><a href="account">Your account</a>`, false],
		['beside a <base> the template writes', `<base href="https://shop.example/"><p>{{ profile.bio | raw }}</p><a href="account">Your account</a>`, true],
	])('a <base> the data writes through %s fails that recipient, naming the field', async (_name, body, escapeHtml) => {
		const ct = await compileTemplate(guardInput(body, escapeHtml));
		let html: string | undefined;
		let message = '';
		try {
			html = renderCompiled(ct, { profile: { bio: `Hi ${BASE}` } }).html;
		} catch (error) {
			message = (error as Error).message;
		}
		// rendered, a browser resolves "account" against https://evil.example/
		expect(html === undefined ? [] : baseHrefs(html).filter((h) => h.includes('evil'))).toEqual([]);
		expect(message).toMatch(/The data writes a <base> tag \(field "profile\.bio"\)/);
	});

	it('raw HTML without a <base>, and a <base> the template writes, render as written', async () => {
		const body = `<base href="https://shop.example/"><p>{{ bio | raw }}</p><a href="account">Your account</a>`;
		expect(await render(body, { bio: '<b>Hi</b> <a href="https://shop.example/basement">Basement sale</a>' })).toBe(
			'<base href="https://shop.example/"><p><b>Hi</b> <a href="https://shop.example/basement">Basement sale</a></p><a href="account">Your account</a>',
		);
	});
});

describe('4. links inside MSO conditional comments', () => {
	const VML = (href: string) =>
		`<!--[if mso]><v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" href="${href}" style="height:44px;v-text-anchor:middle;width:220px;" arcsize="10%" fillcolor="#0b6e4f" stroke="f"><w:anchorlock/><center style="color:#ffffff;">Complete my order</center></v:roundrect><![endif]-->`;
	it.each([
		['a bulletproof VML button', `${VML('{{ url }}')}<!--[if !mso]><!-- --><a href="{{ url }}">Complete my order</a><!--<![endif]-->`],
		['an unquoted link in a ghost table', `<!--[if mso | IE]><table role="presentation"><tr><td><a href={{ url }}>Shop</a></td></tr></table><![endif]-->`],
		['a scheme split in two values', VML('{{ scheme }}:{{ rest }}')],
		['a VML fill image', `<!--[if gte mso 9]><v:rect fill="true" stroke="false" style="width:600px;"><v:fill type="frame" src="{{ url }}" /></v:rect><![endif]-->`],
		['a link in a branch', `<!--[if mso]>{% if url %}<a href="{{ url }}">Shop</a>{% endif %}<![endif]-->`],
	])('%s: the data\'s javascript: URL is written as #', async (_name, body) => {
		const out = await render(body, { url: JS, scheme: 'javascript', rest: 'alert(1)' });
		expect([...live(out), ...outlookLive(out)]).toEqual([]);
	});

	it.each([
		['a javascript: URL the template writes', VML('javascript:{{ x }}'), /Liquid inside a javascript: URL/],
		['a literal written raw that opens a link', `<!--[if mso]>{{ '<a href="' | raw }}{{ u }}">Shop</a><![endif]-->`, /literal written without escaping/],
		['a data: URL the template writes', `<!--[if mso]><v:fill src="data:text/html,{{ x }}" /><![endif]-->`, /Liquid inside a data: URL the template writes/],
	])('%s: refused', async (_name, body, refusal) => {
		expect(await outcome(body, { u: JS, x: 'alert(1)' }, refusal, true, outlookLive)).toBe('refused');
	});

	it('an MSO button with an https link and data in its colours and text renders as written (the comment escapes kept)', async () => {
		const body = `${VML('{{ url }}')}<!--[if mso]><v:rect fillcolor="{{ color }}" style="width:{{ w }}px"><v:fill src="{{ bg }}" /><center>{{ cta }}</center></v:rect><![endif]-->`;
		const out = await render(body, { url: 'https://shop.example/cart?id=9&step=2', color: '#0b6e4f', w: 220, bg: 'https://cdn.example/bg.png', cta: 'Shop now!' });
		// by hand: the values HTML-escaped ("&" as &amp;); a "!" ending a value in a comment as &#33; (as before)
		expect(out).toBe(
			`${VML('https://shop.example/cart?id=9&amp;step=2')}<!--[if mso]><v:rect fillcolor="#0b6e4f" style="width:220px"><v:fill src="https://cdn.example/bg.png" /><center>Shop now&#33;</center></v:rect><![endif]-->`,
		);
	});
});

describe('5. data in SVG attributes that take url(…)', () => {
	const EVIL = 'url(https://evil.example/t.svg#p)';
	it.each([
		['fill', `<svg width="200" height="8"><rect width="200" height="8" fill="{{ v }}"/></svg>`, EVIL],
		['stroke', `<svg width="20" height="20"><circle cx="10" cy="10" r="8" stroke="{{ v }}" fill="none"/></svg>`, EVIL],
		['filter', `<svg width="20" height="20"><rect width="20" height="20" filter="{{ v }}"/></svg>`, EVIL],
		['mask', `<svg width="20" height="20"><rect width="20" height="20" mask="{{ v }}"/></svg>`, EVIL],
		['clip-path', `<svg width="20" height="20"><rect width="20" height="20" clip-path="{{ v }}"/></svg>`, EVIL],
		['marker-end', `<svg width="20" height="20"><path d="M0 0L20 20" marker-end="{{ v }}"/></svg>`, EVIL],
		['cursor', `<svg width="20" height="20"><rect width="20" height="20" cursor="{{ v }}"/></svg>`, 'url(https://evil.example/c.cur), auto'],
		['unquoted fill', `<svg width="20" height="20"><rect width="20" height="20" fill={{ v }} /></svg>`, EVIL],
		['fill, a url() the template opens', `<svg width="20" height="20"><rect width="20" height="20" fill="url({{ v }})"/></svg>`, 'https://evil.example/p.svg#g'],
		['filter, quoted in the url()', `<svg width="20" height="20"><rect width="20" height="20" filter="url('{{ v }}')"/></svg>`, 'https://evil.example/f.svg#f'],
		['mask, spaces in the url()', `<svg width="20" height="20"><rect width="20" height="20" mask="url( {{ v }} )"/></svg>`, '//evil.example/m.svg#m'],
		['clip-path, a relative URL', `<svg width="20" height="20"><rect width="20" height="20" clip-path="url({{ v }})"/></svg>`, 'c.svg#c'],
		['fill, unquoted url()', `<svg width="20" height="20"><rect width="20" height="20" fill=url({{ v }}) /></svg>`, 'https://evil.example/p.svg#g'],
	])('%s: the data cannot point it off the document', async (_name, body, v) => {
		const out = await render(body, { v });
		expect(offDocumentRefs(out)).toEqual([]);
		expect(live(out)).toEqual([]);
	});

	it('colours, plain CSS functions and in-document references render as written', async () => {
		const body =
			`<svg width="200" height="8"><defs><linearGradient id="{{ id }}"><stop offset="0" stop-color="{{ c1 }}"/></linearGradient></defs>` +
			`<rect width="200" height="8" fill="{{ c1 }}" stroke="{{ c2 }}"/><rect fill="url(#{{ id }})" filter="{{ f }}"/><rect fill="url({{ ref }})" marker-end="url(#arrow)"/><rect fill="{{ none }}"/></svg>`;
		const out = await render(body, { id: 'g1', c1: '#0b6e4f', c2: 'rgb(11, 110, 79)', f: 'blur(2px)', ref: '#g1', none: 'none' });
		expect(out).toBe(
			`<svg width="200" height="8"><defs><linearGradient id="g1"><stop offset="0" stop-color="#0b6e4f"/></linearGradient></defs>` +
				`<rect width="200" height="8" fill="#0b6e4f" stroke="rgb(11, 110, 79)"/><rect fill="url(#g1)" filter="blur(2px)"/><rect fill="url(#g1)" marker-end="url(#arrow)"/><rect fill="none"/></svg>`,
		);
	});

	it('href and xlink:href on <use>, <image> and <feImage> get the URL check (javascript: and data: written as #)', async () => {
		const body = `<svg width="20" height="20" xmlns:xlink="http://www.w3.org/1999/xlink"><use href="{{ a }}"/><image xlink:href="{{ b }}" width="20" height="20"/><filter id="f"><feImage href="{{ a }}"/></filter></svg>`;
		const out = await render(body, { a: JS, b: 'data:image/svg+xml,<svg onload="alert(1)"/>' });
		expect(live(out)).toEqual([]);
		expect(dataDocuments(out)).toEqual([]);
	});
});

describe('6. harmless constructs the guard refused', () => {
	it('a split HTML list picked with | first / | last and written raw renders each piece whole', async () => {
		const body = `{% assign heads = '<b>Hi</b>|<i>there</i>' | split: '|' %}<p>{{ heads | first | raw }} {{ heads | last | raw }}</p>{% assign h2 = heads %}<p>{{ h2 | reverse | first | raw }}</p>`;
		expect(await render(body, {})).toBe('<p><b>Hi</b> <i>there</i></p><p><i>there</i></p>');
	});

	it.each([
		['first on a string', `{% assign s = '<b>|y' %}{{ s | first | raw }}a href={{ u }}>Go</a>`],
		['first after join', `{% assign heads = '<b>|y' | split: '|' | join: '' %}{{ heads | first | raw }}a href={{ u }}>Go</a>`],
		['join then first where written', `{% assign heads = '<b>|y' | split: '|' %}{{ heads | join: '' | first | raw }}a href={{ u }}>Go</a>`],
		['first twice', `{% assign heads = '<b>|y' | split: '|' %}{{ heads | first | first | raw }}a href={{ u }}>Go</a>`],
		['first of a piece picked in an assign', `{% assign heads = '<b>|y' | split: '|' %}{% assign h = heads | first %}{{ h | first | raw }}a href={{ u }}>Go</a>`],
		['the same name assigned a string elsewhere', `{% assign heads = '<b>x|y' | split: '|' %}{% if z %}{% assign heads = '<b>' %}{% endif %}{{ heads | first | raw }}a href={{ u }}>Go</a>`],
	])('a character picked from a literal written raw is still refused (%s)', async (_name, body) => {
		expect(await outcome(body, { u: JS, z: true }, /"first", which can cut it/)).toBe('refused');
	});

	it('Liquid inside a whole <!-- … --> comment of a <style> after an <svg> renders as written', async () => {
		const body = `<svg width="10" height="10"><rect width="10" height="10" fill="#0b6e4f"/></svg><style><!-- .brand { color: {{ brand }}; background: url({{ bg }}); } --></style><p class="brand">Hi</p>`;
		expect(await render(body, { brand: '#0b6e4f', bg: 'https://cdn.example/bg.png' })).toBe(
			`<svg width="10" height="10"><rect width="10" height="10" fill="#0b6e4f"/></svg><style><!-- .brand { color: #0b6e4f; background: url(https://cdn.example/bg.png); } --></style><p class="brand">Hi</p>`,
		);
	});

	it.each([
		['data that tries to end the comment', `<svg></svg><style><!-- .a { color: {{ x }}; } --></style>`, { x: '--><a href=javascript:alert(1)>x</a>' }],
		['data after dashes the template writes', `<svg></svg><style><!-- .a { color: red; } --{{ x }}><a title="</style><a href={{ u }}>x</a>"> --></style>`, { x: '', u: JS }],
		['markup in the comment after the Liquid', `<svg></svg><style><!-- .a { color: {{ x }}; } <a href="{{ u }}">x</a> --></style>`, { x: 'red', u: JS }],
		['the style ended in the comment after the Liquid', `<svg></svg><style><!-- {{ x }} </style><a href={{ u }}>x</a> --></style>`, { x: 'red', u: JS }],
	])('a <style> comment after an <svg>: %s is refused or written harmless', async (_name, body, data) => {
		expect(['refused', 'rendered']).toContain(await outcome(body, data, /A "<" inside <style> in \(or after\) <svg>/));
	});

	it('JSON-LD with a charset parameter in its type renders as written', async () => {
		const body = `<script type="application/ld+json; charset=utf-8">{"@context":"https://schema.org","@type":"Order","orderNumber":"{{ order }}"}</script>`;
		expect(await render(body, { order: 'A-1001' })).toBe(
			'<script type="application/ld+json; charset=utf-8">{"@context":"https://schema.org","@type":"Order","orderNumber":"A-1001"}</script>',
		);
	});

	it.each([
		['a JSON type followed by a JavaScript one', 'application/ld+json, text/javascript'],
		['a JavaScript type with a JSON parameter', 'text/javascript; x=application/ld+json'],
		['a JavaScript type', 'text/javascript; charset=utf-8'],
	])('Liquid in a script typed %s is still refused', async (_name, type) => {
		expect(await outcome(`<script type="${type}">var o = "{{ order }}";</script>`, { order: 'x' }, /Liquid inside <script>/)).toBe('refused');
	});
});
