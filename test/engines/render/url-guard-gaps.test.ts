/**
 * URL guard: the ways left open by earlier reviews for data to reach a URL or markup that no
 * check sees (a literal written with `| raw`, CDATA and raw-text elements in <svg>, data in CSS
 * outside url(), <meta http-equiv=refresh>, SVG <set>/<animate>, iframe srcdoc, data choosing an
 * element name). Each template is rendered with hostile data and the HTML parsed by an independent
 * parser (htmlparser2); a template the guard cannot make safe must be refused at compile time,
 * naming the construct. Expectations by hand:
 * - a URL attribute's scheme as a browser reads it (C0 controls and spaces trimmed, tabs and line
 *   breaks removed: https://url.spec.whatwg.org/#concept-basic-url-parser);
 * - <meta http-equiv=refresh content="N;url=U"> navigates to U
 *   (https://html.spec.whatwg.org/multipage/semantics.html#shared-declarative-refresh-steps);
 * - <set>/<animate> with attributeName=href set the href to `to`/`from`/`by`/`values`
 *   (https://svgwg.org/specs/animations/#SetElement);
 * - srcdoc is a whole HTML document, its character references decoded first
 *   (https://html.spec.whatwg.org/multipage/iframe-embed-object.html#attr-iframe-srcdoc);
 * - in <svg>, <![CDATA[ … ]]> is text and <style>/<title> hold markup
 *   (https://html.spec.whatwg.org/multipage/parsing.html#cdata-section-state,
 *   https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-inforeign);
 * - `<!x … >` and `<?x … >` are comments ending at the first `>`
 *   (https://html.spec.whatwg.org/multipage/parsing.html#bogus-comment-state).
 */
import { compileTemplate, renderCompiled, type TemplateInput } from '../../../nodes/engines/render';
import { DomUtils, parseDocument, type Element } from '../../harness/html';

const UNSUB = '<a href="https://x.example/unsubscribe">unsubscribe</a>';
const html = (body: string): TemplateInput => ({ format: 'html', body: body + UNSUB, subject: 'Hi' });
const render = async (body: string, data: Record<string, unknown>) => renderCompiled(await compileTemplate(html(body)), data);
const BAD = new Set(['javascript', 'vbscript', 'data']);
const scheme = (v: string) => /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(v.replace(/^[\x00-\x20]+/, '').replace(/[\t\n\r]/g, ''))?.[1].toLowerCase();
const elements = (out: string): Element[] => DomUtils.findAll(() => true, parseDocument(out).children);
/** Attributes that navigate or load whose scheme is unsafe, as `element attribute=value`. */
const unsafeUrls = (out: string): string[] =>
	elements(out).flatMap((el) =>
		Object.entries(el.attribs)
			.filter(([n, v]) => ['href', 'src', 'action', 'formaction', 'background', 'xlink:href'].includes(n) && BAD.has(scheme(v) ?? ''))
			.map(([n, v]) => `${el.name} ${n}=${v}`),
	);

/**
 * Renders the template with the data, or returns the compile refusal. A refusal must name the
 * construct (`refusal`); a render must leave no unsafe URL in the parsed HTML (and pass `check`).
 */
async function safe(body: string, data: Record<string, unknown>, refusal: RegExp, check?: (out: string) => void): Promise<'refused' | 'rendered'> {
	let ct;
	try {
		ct = await compileTemplate(html(body));
	} catch (error) {
		expect((error as Error).message).toMatch(refusal);
		return 'refused';
	}
	const out = renderCompiled(ct, data).html;
	expect(unsafeUrls(out)).toEqual([]);
	check?.(out);
	return 'rendered';
}

const JS = 'javascript:alert(1)';

describe('1. a literal the template writes with | raw is read as the HTML it writes', () => {
	it.each([
		['an href opened by a raw literal', `{{ '<a href="' | raw }}{{ u }}">Go</a>`],
		['an unquoted href opened by a raw literal', `{{ '<a href=' | raw }}{{ u }}>Go</a>`],
		['a raw literal written by echo', `{% echo '<a href="' | raw %}{{ u }}">Go</a>`],
		['a raw literal after other filters', `{{ '<a href' | append: '="' | raw }}{{ u }}">Go</a>`],
		['a raw literal that closes the value the scan reads', `<a title="{{ '"' | raw }} href={{ u }}>Go</a>`],
		['an assigned literal written raw', `{% assign open = '<a href="' %}{{ open | raw }}{{ u }}">Go</a>`],
		['a cycle of raw literals', `{% cycle '<a href="' | raw, '<a href="' | raw %}{{ u }}">Go</a>`],
	])('%s', async (_name, body) => {
		await safe(body, { u: JS }, /literal/);
	});

	it('raw literals that write whole elements, and escaped literals, render as before', async () => {
		const r = await render(`<p>{{ note | newline_to_br | raw }}{{ '<br>' | raw }}{{ '<b>New</b>' | raw }}</p><a href="{{ u }}">{{ '<a href="' }}</a>`, { note: 'a\nb', u: 'https://x.example/' });
		expect(r.html).toContain('<p>a<br />\nb<br><b>New</b></p><a href="https://x.example/">&lt;a href=&#34;</a>');
	});
});

describe('2. CDATA, comments and raw-text elements where the browser reads them differently', () => {
	it.each([
		['CDATA in <svg> holding an opened href', '<svg><![CDATA[<a href="]]><a href={{ u }}>Go</a></svg>'],
		['<style> in <svg> holds markup, not CSS', '<svg><style></svg><a href={{ u }}>Go</a>'],
		['<title> in <svg> left open', '<svg><title></svg><a href={{ u }}>Go</a>'],
		['a bogus comment <!x …> ends at the first >', '<!x <b title="><a href={{ u }}>Go</a>'],
		['a processing instruction <?x …> ends at the first >', '<?x <b title="?><a href={{ u }}>Go</a>'],
	])('%s', async (_name, body) => {
		await safe(body, { u: JS }, /CDATA|svg|math/);
	});

	it('a doctype, downlevel conditional comments and a static svg icon still render', async () => {
		const body =
			'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"><![if !mso]><p>x</p><![endif]>' +
			'<svg width="16" height="16" viewBox="0 0 16 16"><title>Star</title><path d="M8 0l2 6h6l-5 4 2 6-5-4-5 4 2-6-5-4h6z"/></svg><a href="{{ u }}">Go</a>';
		const r = await render(body, { u: JS });
		expect(r.html).toContain('<path d="M8 0l2 6h6l-5 4 2 6-5-4-5 4 2-6-5-4h6z"/></svg><a href="#">Go</a>');
	});
});

describe('3. data in CSS outside url() cannot add a URL, an import or a script', () => {
	/** A `url(`, `expression(`, `image-set(`, `@import` or CSS escape (`\75 rl(`) the template did not write. */
	const cssLoads = (out: string): string[] => {
		const css = [...elements(out).map((el) => el.attribs.style ?? ''), ...elements(out).filter((el) => el.name === 'style').map((el) => DomUtils.textContent(el))];
		return css.filter((c) => /url\s*\(|expression\s*\(|image-set\s*\(|@import|\\|binding|behavior/i.test(c.replace(/url\('https:\/\/cdn\.example\/[a-z.]*'\)/g, '')));
	};
	it.each([
		['a whole style attribute', '<td style="{{ s }}">x</td>', 'background:url(https://evil.example/t.gif)'],
		['after a static declaration', '<td style="color:red;{{ s }}">x</td>', 'background-image:url(javascript:alert(1))'],
		['a value', '<td style="color:{{ s }}">x</td>', 'red;background:url(data:image/svg+xml,x)'],
		['expression()', '<td style="width:{{ s }}">x</td>', 'expression(alert(1))'],
		['a CSS escape spelling url(', '<td style="color:{{ s }}">x</td>', 'red;background:\\75 rl(https://evil.example/t.gif)'],
		['image-set()', '<td style="{{ s }}">x</td>', 'background-image:image-set("https://evil.example/t.gif" 1x)'],
		['behavior / -moz-binding', '<td style="{{ s }}">x</td>', '-moz-binding:url(https://evil.example/x.xml#x);behavior:url(x.htc)'],
		['completing a function name the template started', '<td style="background:u{{ s }}">x</td>', 'rl(https://evil.example/t.gif)'],
		['in a <style> element', '<style>.a{color:{{ s }}}</style><p class="a">x</p>', 'red}@import "https://evil.example/x.css";.b{x:y'],
		['in a <style> element, a url()', '<style>.a{color:{{ s }}}</style><p class="a">x</p>', 'red;background:url(https://evil.example/t.gif)'],
		['beside a url() the template wrote', "<td style=\"color:{{ s }};background:url('https://cdn.example/a.png')\">x</td>", 'red;background:url(https://evil.example/t.gif)'],
	])('%s', async (_name, body, s) => {
		await safe(body, { s }, /style|CSS/, (out) => expect(cssLoads(out)).toEqual([]));
	});

	it('ordinary values (colours, sizes, font lists, rgb(), gradients) are written as before', async () => {
		const body = '<td style="color:{{ c }};width:{{ w }}%;font-family:{{ f }};background:{{ bg }};border-color:{{ b }}">x</td><style>.a{color:{{ c }}}</style>';
		const r = await render(body, { c: '#ff6600', w: 50, f: '"Helvetica Neue", Arial', bg: 'linear-gradient(90deg, #fff 0%, rgba(0,0,0,.5) 100%)', b: 'rgb(1, 2, 3)' });
		expect(r.html).toContain(
			'<td style="color:#ff6600;width:50%;font-family:&#34;Helvetica Neue&#34;, Arial;background:linear-gradient(90deg, #fff 0%, rgba(0,0,0,.5) 100%);border-color:rgb(1, 2, 3)">x</td><style>.a{color:#ff6600}</style>',
		);
	});
});

describe('4. <meta http-equiv=refresh> with Liquid in its URL', () => {
	/** The URL a refresh navigates to, read as the refresh steps do (after `N;`, an optional `url=` and quote). */
	const refreshTargets = (out: string) =>
		elements(out)
			.filter((el) => el.name === 'meta' && /refresh/i.test(el.attribs['http-equiv'] ?? ''))
			.map((el) => /^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?['"]?([^'"]*)/i.exec(el.attribs.content ?? '')?.[1] ?? '');
	it.each([
		['the URL from the data', '<meta http-equiv="refresh" content="0;url={{ u }}">'],
		['the whole content from the data', '<meta http-equiv="refresh" content="{{ u }}">'],
		['content before http-equiv', '<meta content="0; URL={{ u }}" http-equiv="Refresh">'],
		['http-equiv from the data', '<meta http-equiv="{{ h }}" content="0;url={{ u }}">'],
	])('%s', async (_name, body) => {
		await safe(body, { u: JS, h: 'refresh' }, /meta/, (out) => expect(refreshTargets(out).filter((t) => BAD.has(scheme(t) ?? '') || BAD.has(scheme(t.replace(/^0;url=/i, '')) ?? ''))).toEqual([]));
	});

	it('meta tags without http-equiv, and static http-equiv tags, still render', async () => {
		const r = await render('<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="description" content="{{ d }}">', { d: 'Spring "deals"' });
		expect(r.html).toContain('<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="description" content="Spring &#34;deals&#34;">');
	});
});

describe('5. SVG <set>/<animate> that set an href from the data', () => {
	const animatedHrefs = (out: string) =>
		elements(out)
			.filter((el) => ['set', 'animate'].includes(el.name))
			.flatMap((el) => ['to', 'from', 'by', 'values'].map((a) => el.attribs[a] ?? '').flatMap((v) => v.split(';')))
			.filter((v) => BAD.has(scheme(v) ?? ''));
	it.each([
		['set to', '<svg><a><set attributeName="href" to="{{ u }}"/><text y="20">Go</text></a></svg>'],
		['animate values', '<svg><a><animate attributeName="href" values="{{ u }}" dur="1s"/><text y="20">Go</text></a></svg>'],
		['animate from', '<svg><a><animate attributeName="xlink:href" from="{{ u }}" to="#" dur="1s"/><text y="20">Go</text></a></svg>'],
		['attributeName from the data', '<svg><a><set attributeName="{{ n }}" to="javascript:alert(1)"/><text y="20">Go</text></a></svg>'],
	])('%s', async (_name, body) => {
		await safe(body, { u: JS, n: 'href' }, /set|animate/, (out) => expect(animatedHrefs(out)).toEqual([]));
	});
});

describe('6. iframe srcdoc with Liquid (its character references are decoded into a document)', () => {
	it.each([
		['srcdoc from the data', '<iframe srcdoc="{{ x }}"></iframe>'],
		['srcdoc with static markup and data', '<iframe srcdoc="<p>{{ x }}</p>"></iframe>'],
	])('%s', async (_name, body) => {
		await safe(body, { x: `<a href="${JS}">Go</a><script>alert(1)</script>` }, /srcdoc/, (out) => {
			const docs = elements(out).map((el) => el.attribs.srcdoc).filter((d): d is string => d !== undefined);
			for (const d of docs) {
				expect(unsafeUrls(d)).toEqual([]);
				expect(elements(d).map((el) => el.name)).not.toContain('script');
			}
		});
	});
});

describe('7. data choosing an element name', () => {
	const names = (out: string) => elements(out).map((el) => el.name);
	it.each([
		['<{{ t }}>', '<{{ t }}>alert(1)</p>', { t: 'script' }, (out: string) => expect(names(out)).not.toContain('script')],
		['<{{ t }} …> opening raw text that hides a later link', '<{{ t }} class="x">x</p><a href={{ u }}>Go</a>', { t: 'style', u: JS }, (out: string) => expect(names(out)).not.toContain('style')],
		['a name the template starts', '<s{{ t }}>alert(1)</p>', { t: 'cript' }, (out: string) => expect(names(out)).not.toContain('script')],
		['an end tag that closes a <style> early', '<style>.a{color:red}</{{ t }}><a href={{ u }}>Go</a>', { t: 'style', u: JS }, undefined],
	])('%s', async (_name, body, data, check) => {
		await safe(body, data, /element name|tag name/, check);
	});
});

describe('found on the way: an attribute the data names and fills, comments ended by the data or across Liquid', () => {
	it('data naming an attribute cannot also write its value (onclick, style, srcdoc)', async () => {
		await safe('<a href="/x" {{ n }}="{{ v }}">Go</a>', { n: 'onclick', v: 'alert(1)' }, /attribute whose name the data wrote/, (out) =>
			expect(elements(out).flatMap((el) => Object.keys(el.attribs)).filter((n) => /^on/.test(n))).toEqual([]),
		);
	});

	it.each([
		['data writing "--" before a static ">"', '<!-- note {{ x }}><a href={{ u }}>Go</a> -->', { x: '--', u: JS }],
		['data writing "-" after a static "-"', '<!-- note -{{ x }}><a href={{ u }}>Go</a> -->', { x: '-', u: JS }],
		['data writing "!" after a static "--"', '<!-- note --{{ x }}><a href={{ u }}>Go</a> -->', { x: '!', u: JS }],
		['"--" and ">" in two pieces around a Liquid tag', '<!-- note --{% if c %}{% endif %}><a href={{ u }}>Go</a>', { u: JS }],
		['"<" and "!--" in two pieces around a Liquid tag', '<{% if c %}{% endif %}!-- <b title="--><a href={{ u }}>Go</a>', { u: JS }],
		['"</sty" and "le>" in two pieces around a Liquid tag', '<style>.a{}</sty{% if c %}{% endif %}le><a href={{ u }}>Go</a>', { u: JS }],
	])('%s', async (_name, body, data) => {
		await safe(body, data, /no refusal expected/);
	});

	it('an MSO conditional comment with data in its VML renders as before', async () => {
		const r = await render('<!--[if mso]><v:fill type="tile" src="{{ img }}" color="{{ c }}" /><![endif]-->', { img: 'https://cdn.example.com/a-b.jpg', c: '#fff' });
		expect(r.html).toContain('<!--[if mso]><v:fill type="tile" src="https://cdn.example.com/a-b.jpg" color="#fff" /><![endif]-->');
	});
});
