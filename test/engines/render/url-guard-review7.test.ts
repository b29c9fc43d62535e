/**
 * URL guard review 7: a hostile review of the change that closed review 6's gaps (data: URLs, raw-text
 * elements in <select>, <base>, MSO conditional comments, SVG url() attributes) and relaxed three
 * refusals (split pieces picked by first/last, Liquid in a <style> comment after <svg>, JSON script
 * types with parameters). Each template is rendered with hostile data and the output parsed by
 * parse5 (scripting on) and htmlparser2, or it must be refused at compile time / fail the recipient.
 * Expectations by hand, from the specifications and liquidjs' documented filters:
 * - liquidjs `.first` on an array is its first element; the `first` filter on a string is its first
 *   character (so `o.first | first` on split pieces is a character of the first piece);
 * - the document base URL is the first <base href> in the document
 *   (https://html.spec.whatwg.org/multipage/semantics.html#the-base-element): a <base> the data
 *   writes where the template's own <base> did not render (a `{% comment %}`, an `{% if %}` not taken,
 *   a `{% capture %}` not written) sends every relative link to the data's address;
 * - in a <select>, a browser that ignores a <style> start tag there reads its content as markup, and
 *   <input> closes the select (https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-inselect);
 * - Outlook reads the content of `<!--[if mso]> … <![endif]-->` as HTML, whatever Liquid stood
 *   between `<!--` and `[if` (outlookLive());
 * - a browser decodes character references in an attribute value before it reads it as CSS, so
 *   `url&#40;`, `url(&apos;` and `url(&#9;` open a url( (https://html.spec.whatwg.org/multipage/parsing.html#character-reference-state);
 * - after an end tag's name come attributes, read as in a start tag: a ">" inside their quotes does
 *   not end the tag (https://html.spec.whatwg.org/multipage/parsing.html#tag-name-state);
 * - an unquoted attribute value left empty before white space takes what follows as the value
 *   (https://html.spec.whatwg.org/multipage/parsing.html#before-attribute-value-state), and `--` then
 *   `>` ends a comment: CSS data written as nothing must not be written empty there.
 */
import { compileTemplate, renderCompiled } from '../../../nodes/engines/render';
import { baseHrefs, guardInput, guardOutcome as outcome, guardRender as render, JS, live, offDocumentRefs, outlookLive } from '../../harness/url-guard';

describe('1. split pieces picked whole, then a character of a piece', () => {
	it.each([
		['.first then | first', `{% assign badges = '<b>|New' | split: '|' %}{{ badges.first | first | raw }}a href={{ u }}>Shop</a>`],
		['.last then | first', `{% assign badges = 'New|<b>' | split: '|' %}{{ badges.last | first | raw }}a href={{ u }}>Shop</a>`],
		['a piece assigned through .first', `{% assign badges = '<b>|New' | split: '|' %}{% assign top = badges.first %}{{ top | first | raw }}a href={{ u }}>Shop</a>`],
		['a copy of the list, then .first', `{% assign badges = '<b>|New' | split: '|' %}{% assign b2 = badges %}{{ b2.first | first | raw }}a href={{ u }}>Shop</a>`],
		['a dynamic lookup, then .first', `{% assign badges = '<b>|New' | split: '|' %}{{ [list].first | first | raw }}a href={{ u }}>Shop</a>`],
	])('%s: refused (the "<" would open the link the template writes as text)', async (_name, body) => {
		expect(await outcome(body, { u: JS, list: 'badges' }, /"first", which can cut it/)).toBe('refused');
	});

	it('pieces picked whole (.first, .last, | first, | last) still render as written', async () => {
		const body = `{% assign badges = '<b>New</b>|<i>Sale</i>' | split: '|' %}<p>{{ badges.first | raw }} {{ badges.last | raw }} {{ badges | first | raw }} {{ badges | last | raw }}</p>`;
		expect(await render(body, {})).toBe('<p><b>New</b> <i>Sale</i> <b>New</b> <i>Sale</i></p>');
	});
});

describe('2. a <base> the data writes where the template\'s own <base> did not render', () => {
	const EVIL = '<base href="https://evil.example/">';
	const fails = async (body: string, data: Record<string, unknown>): Promise<string> => {
		const ct = await compileTemplate(guardInput(body));
		let html: string | undefined;
		let message = '';
		try {
			html = renderCompiled(ct, data).html;
		} catch (error) {
			message = (error as Error).message;
		}
		// rendered, "account" resolves against https://evil.example/
		expect(html === undefined ? [] : baseHrefs(html).filter((h) => h.includes('evil'))).toEqual([]);
		return message;
	};
	it.each([
		['in a {% comment %}', `{% comment %}<base href="https://old.shop.example/">{% endcomment %}<p>{{ bio | raw }}</p><a href="account">Your account</a>`],
		['in an {% if %} not taken', `{% if web_version %}<base href="https://view.shop.example/">{% endif %}<p>{{ bio | raw }}</p><a href="account">Your account</a>`],
		['in a {% capture %} not written', `{% capture web_head %}<base href="https://view.shop.example/">{% endcapture %}{% if web_version %}{{ web_head | raw }}{% endif %}<p>{{ bio | raw }}</p><a href="account">Your account</a>`],
	])('the template\'s <base> %s: the data\'s <base> fails that recipient, naming the field', async (_name, body) => {
		expect(await fails(body, { web_version: false, bio: `Hi ${EVIL}` })).toMatch(/The data writes a <base> tag \(field "bio"\)/);
	});

	it('<base> tags the template writes (in a branch taken, {% raw %}, a literal written raw) render beside raw HTML without one', async () => {
		const body = `{% if web_version %}<base href="https://view.shop.example/">{% endif %}{% raw %}<base target="_blank">{% endraw %}{{ '<base href="https://shop.example/">' | raw }}<p>{{ bio | raw }}</p>`;
		expect(await render(body, { web_version: true, bio: '<b>Hi</b>' })).toBe(
			'<base href="https://view.shop.example/"><base target="_blank"><base href="https://shop.example/"><p><b>Hi</b></p>',
		);
	});
});

describe('3. a <select> opened by a captured text written raw', () => {
	it('refused (the <style> after it holds a link browsers read as markup there)', async () => {
		const body = `{% capture open %}<select name="size">{% endcapture %}{{ open | raw }}<style><input type="hidden" name="src" value="email"><a href={{ u }}>Size guide</a></style></select>`;
		expect(await outcome(body, { u: 'javascript:alert%281%29' }, /The text this capture holds \("<select name="size">"\)/)).toBe('refused');
	});
});

describe('4. a conditional comment whose "[if" follows a Liquid tag', () => {
	it('Outlook\'s link in it gets the URL check', async () => {
		const body = `<!--{% if outlook_fix %}[if mso]>{% endif %}<a href={{ url }}>Shop</a><![endif]-->`;
		const out = await render(body, { outlook_fix: true, url: JS });
		expect([...live(out), ...outlookLive(out)]).toEqual([]);
	});

	it('a comment holding Liquid right after "<!--" renders as written', async () => {
		expect(await render('<!--{{ id }}--><!--{% if a %}[if mso]>{% endif %}<p>{{ id }}</p><![endif]-->', { id: 'c-42', a: true })).toBe(
			'<!--c-42--><!--[if mso]><p>c-42</p><![endif]-->',
		);
	});
});

describe('5. an SVG url( written with character references', () => {
	it.each([
		['url&#40;', `<svg width="20" height="20"><rect width="20" height="20" fill="url&#40;{{ v }})"/></svg>`],
		['url&lpar;', `<svg width="20" height="20"><rect width="20" height="20" filter="url&lpar;{{ v }})"/></svg>`],
		['&apos; quotes', `<svg width="20" height="20"><rect width="20" height="20" fill="url(&apos;{{ v }}&apos;)"/></svg>`],
		['&#x27; quotes', `<svg width="20" height="20"><rect width="20" height="20" mask="url(&#x27;{{ v }}&#x27;)"/></svg>`],
		['a tab reference', `<svg width="20" height="20"><rect width="20" height="20" clip-path="url(&#9;{{ v }})"/></svg>`],
	])('%s: the data cannot point it off the document', async (_name, body) => {
		const out = await render(body, { v: 'https://evil.example/p.svg#g' });
		expect(offDocumentRefs(out)).toEqual([]);
	});

	it('an in-document reference written that way renders as written', async () => {
		expect(await render(`<svg><rect fill="url(&apos;{{ v }}&apos;)"/></svg>`, { v: '#g1' })).toBe(`<svg><rect fill="url(&apos;#g1&apos;)"/></svg>`);
	});
});

describe('6. an end tag with attributes', () => {
	it('a ">" inside its quotes does not end it: the link after it gets the URL check', async () => {
		const body = `<p>Hi</p title="> <b title='"><a href="{{ u }}">Shop</a>'>`;
		expect(live(await render(body, { u: JS }))).toEqual([]);
	});

	it('end tags with attributes and the elements they close read as before', async () => {
		const body = `<select name="s"><option>{{ o }}</option></select data-x="1"><style>p { color: {{ c }}; }</style><a href="{{ u }}">Shop</a></a >`;
		expect(await render(body, { o: 'M', c: 'red', u: 'https://shop.example/' })).toBe(
			`<select name="s"><option>M</option></select data-x="1"><style>p { color: red; }</style><a href="https://shop.example/">Shop</a></a >`,
		);
	});
});

describe('7. CSS data written as nothing where empty changes the HTML', () => {
	it.each([
		['an unquoted style', `<td style={{ s }} title="{{ t }}">Hi</td>`, { s: 'url(https://t.example/p.gif)', t: 'x onmouseover=alert(1) y' }],
		['an unquoted SVG fill', `<svg width="20" height="20"><rect width="20" height="20" fill={{ s }} class="{{ t }}"/></svg>`, { s: 'x(', t: 'x onclick=alert(1) y' }],
	])('%s: the next attribute stays an attribute', async (_name, body, data) => {
		expect(live(await render(body, data))).toEqual([]);
	});

	it('after "--" in a conditional comment\'s <style>: the comment does not end there', async () => {
		const body = `<!--[if mso]><style>.btn{color:red}--{{ x }}><a href="{{ u }}">Shop</a><![endif]-->`;
		expect(live(await render(body, { x: '(', u: 'javascript:alert%281%29' }))).toEqual([]);
	});

	it('a colour in an unquoted style or fill renders as written', async () => {
		expect(await render(`<td style={{ s }} title="{{ t }}">Hi</td><svg><rect fill={{ c }} /></svg>`, { s: 'color:#0b6e4f', t: 'Hi there', c: '#0b6e4f' })).toBe(
			'<td style=color:#0b6e4f title="Hi there">Hi</td><svg><rect fill=#0b6e4f /></svg>',
		);
	});
});
