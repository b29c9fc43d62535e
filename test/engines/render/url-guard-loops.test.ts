/**
 * URL guard: loops read for every number of iterations, Liquid that writes nothing (comment,
 * capture) or writes its own text (raw, tablerow), and data written inside a tag outside any value.
 * Expectations by hand: the rendered HTML is parsed by htmlparser2 and each URL attribute is read
 * as a browser reads its scheme (C0 controls and spaces trimmed, tabs and line breaks removed:
 * https://url.spec.whatwg.org/#concept-basic-url-parser); attribute names are not decoded
 * (https://html.spec.whatwg.org/multipage/parsing.html#attribute-name-state).
 */
import { compileTemplate, renderCompiled, type TemplateInput } from '../../../nodes/engines/render';
import { urlScanStats } from '../../../nodes/engines/render/urls';
import { DomUtils, parseDocument } from '../../harness/html';

const html = (body: string): TemplateInput => ({ format: 'html', body: body + '<a href="https://x.example/unsubscribe">unsubscribe</a>', subject: 'Hi' });
const render = async (body: string, data: Record<string, unknown>) => renderCompiled(await compileTemplate(html(body)), data);
const URL_NAMES = new Set(['href', 'src', 'action', 'background']);
/** Every attribute of the parsed HTML as `name=value`, and those whose URL starts with an unsafe scheme. */
const attributes = (out: string) => {
	const all: Array<[string, string]> = [];
	for (const el of DomUtils.findAll(() => true, parseDocument(out).children)) for (const [n, v] of Object.entries(el.attribs)) all.push([n, v]);
	return all;
};
const unsafe = (out: string) =>
	attributes(out).filter(([n, v]) => {
		if (!URL_NAMES.has(n)) return false;
		const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(v.replace(/^[\x00-\x20]+/, '').replace(/[\t\n\r]/g, ''))?.[1].toLowerCase();
		return scheme === 'javascript' || scheme === 'vbscript' || scheme === 'data';
	});

describe('a loop body that leaves an attribute open is read for the second iteration too', () => {
	it.each([
		['two values before an unquoted src the body opens', '{% for n in (1..2) %}{{ a }}{{ b }}<img src={% endfor %}>', { a: 'javascript:alert(1)', b: '' }],
		['one value from the list', '{% for x in xs %}{{ x }}<img src={% endfor %}>', { xs: ['x', 'javascript:alert(1)'] }],
		['a quoted value the body opens', '{% for x in xs %}{{ x }}<a href="{% endfor %}">Go</a>', { xs: ['x', 'javascript:alert(1)'] }],
		['tablerow? no: a for inside an if', '{% if c %}{% for x in xs %}{{ x }}<img src={% endfor %}{% endif %}>', { c: true, xs: ['x', 'java', 'script:alert(1)'] }],
		['nested loops', '{% for y in ys %}{% for x in xs %}{{ x }}{% endfor %}<img src={% endfor %}>', { ys: [1, 2], xs: ['javascript:alert(1)'] }],
		['break leaves the value open after the loop', '<a href="{% for x in xs %}{% if x %}{% break %}{% endif %}">{% endfor %}{{ u }}">Go</a>', { xs: [1], u: 'javascript:alert(1)' }],
		['continue leaves the value open for the next iteration', '{% for x in xs %}{% if x == 2 %}{{ u }}{% endif %}<a href="{% if x == 1 %}{% continue %}{% endif %}">{% endfor %}">Go</a>', { xs: [1, 2], u: 'javascript:alert(1)' }],
	])('%s', async (_name, body, data) => {
		const r = await render(body, data as Record<string, unknown>);
		expect(unsafe(r.html)).toEqual([]);
	});

	it('safe values in the same loops are kept as written', async () => {
		const r = await render('{% for x in xs %}{{ x }}<img src={% endfor %}>', { xs: ['a', 'https://x.example/i.png'] });
		expect(r.html).toContain('a<img src=https://x.example/i.png<img src=>');
	});
});

describe('quotes that Liquid does not write where the scan would read them', () => {
	const hostile = { a: 'javascript', b: ':alert(1)' };
	it.each([
		['comment', '<a href="{{ a }}{{ b }}{% comment %}"{% endcomment %}">Go</a>'],
		['capture', '<a href="{{ a }}{{ b }}{% capture q %}"{% endcapture %}">Go</a>'],
		['raw (written by the tag, not a static piece)', '<a href={{ a }}{{ b }}{% raw %} {% endraw %}>Go</a>'],
		['raw closing a quoted value', '<a href="{{ a }}{{ b }}{% raw %}"{% endraw %}>Go</a>'],
		['case: text before the first when is not written', '<a href="{{ a }}{{ b }}{% case k %}"{% when 1 %}{% endcase %}">Go</a>'],
	])('%s', async (_name, body) => {
		const r = await render(body, { ...hostile, k: 1 });
		expect(unsafe(r.html)).toEqual([]);
	});

	it('a link built in a capture and written with | raw is guarded inside the capture', async () => {
		const r = await render('{% capture link %}<a href="{{ a }}{{ b }}">Go</a>{% endcapture %}{{ link | raw }}', hostile);
		expect(unsafe(r.html)).toEqual([]);
	});
});

describe('data written inside a tag, outside any value, is one attribute name at most', () => {
	it.each([
		['<a {{ attrs }}>Go</a>', { attrs: 'onclick=alert(1)' }],
		['<a href=x {{ attrs }}>Go</a>', { attrs: 'onclick=alert(1)' }],
		['<a href="/x" {{ attrs }}>Go</a>', { attrs: 'x onclick=alert(1) href=javascript:alert(1)' }],
		['<a title{{ attrs }}>Go</a>', { attrs: ' onclick=alert(1)' }],
		['<a title {{ attrs }}>Go</a>', { attrs: '=x onclick=alert(1)' }],
		['<a {% echo attrs %}>Go</a>', { attrs: 'onclick=alert(1)' }],
		['<a {{ attrs | raw }}>Go</a>', { attrs: '"onclick=alert(1) x=`' }],
	])('%s', async (body, data) => {
		const r = await render(body, data);
		const names = attributes(r.html).map(([n]) => n);
		expect(names.filter((n) => /^on[a-z]+$/.test(n))).toEqual([]);
		expect(unsafe(r.html)).toEqual([]);
	});

	it('the data becomes one attribute name, written with character references', async () => {
		expect((await render('<a {{ attrs }}>Go</a>', { attrs: 'onclick=alert(1)' })).html).toContain('<a onclick&#61;alert(1)>Go</a>');
		expect((await render('<a href=x {{ u }}>Go</a>', { u: 'a b' })).html).toContain('<a href=x a&#32;b>Go</a>');
	});

	it('a plain word stays an attribute name', async () => {
		const r = await render('<input type="checkbox" {{ flag }}>', { flag: 'checked' });
		expect(r.html).toContain('<input type="checkbox" checked>');
	});
});

describe('tablerow writes its own HTML: only where text is', () => {
	it('inside an attribute value the template is refused', async () => {
		await expect(compileTemplate(html('<a href="{% tablerow x in xs %}{{ x }}{% endtablerow %}">Go</a>'))).rejects.toThrow(/tablerow/);
	});
	it('inside a tag the template is refused', async () => {
		await expect(compileTemplate(html('<table {% tablerow x in xs %}{% endtablerow %}></table>'))).rejects.toThrow(/tablerow/);
	});
	it('a body that leaves an attribute open is refused', async () => {
		await expect(compileTemplate(html('<table>{% tablerow x in xs %}{{ x }}<img src={% endtablerow %}></table>'))).rejects.toThrow(/tablerow/);
	});
	it('in text it renders as before', async () => {
		const r = await render('<table>{% tablerow x in xs cols:2 %}<a href="{{ x }}">{{ tablerowloop.index }}</a>{% endtablerow %}</table>', { xs: ['https://a.example/', 'javascript:alert(1)'] });
		expect(r.html).toContain('<table><tr class="row1"><td class="col1"><a href="https://a.example/">1</a></td><td class="col2"><a href="#">2</a></td></tr></table>');
	});
});

describe('loops that never settle are refused; real loops compile and render the same', () => {
	it('a loop whose body keeps changing the reading is refused, naming the loop', async () => {
		await expect(compileTemplate(html('<a {% for x in xs %}d{% endfor %}>Go</a>'))).rejects.toThrow(/for x in xs.*close/s);
	});

	it('product rows, loops in a class attribute and in a query string', async () => {
		const body =
			'<table>{% for p in products %}<tr class="{% for t in p.tags %}t-{{ t }} {% endfor %}"><td><a href="{{ p.url }}?{% for k in p.q %}{{ k }}=1&{% endfor %}">{{ p.name }}</a></td></tr>{% endfor %}</table>';
		const r = await render(body, { products: [{ url: 'https://s.example/a', name: 'A', tags: ['x', 'y'], q: ['u', 'v'] }, { url: 'javascript:alert(1)', name: 'B', tags: [], q: [] }] });
		expect(r.html).toContain(
			'<table><tr class="t-x t-y "><td><a href="https://s.example/a?u=1&v=1&">A</a></td></tr><tr class=""><td><a href="#?">B</a></td></tr></table>',
		);
	});
});

describe('loops in CSS, query strings, class lists, image rows and nested tables render as written', () => {
	it.each([
		['<style>{% for c in colors %}.c{{ forloop.index }}{background:url({{ c }})}{% endfor %}</style><p>x</p>', { colors: ['https://a/x.png', 'javascript:alert(1)'] }, '<style>.c1{background:url(https://a/x.png)}.c2{background:url(#)}</style><p>x</p>'],
		['<a href="https://x/?{% for k in ks %}{{ k }}=1{% unless forloop.last %}&{% endunless %}{% endfor %}">Go</a>', { ks: ['a', 'b'] }, '<a href="https://x/?a=1&b=1">Go</a>'],
		['<div class="{% for t in tags %}{% if t %} t-{{ t }}{% endif %}{% endfor %}">x</div>', { tags: ['a', 'b'] }, '<div class=" t-a t-b">x</div>'],
		['{% for p in ps %}<img src="{{ p.img }}" alt="{{ p.name }}"{% if p.w %} width="{{ p.w }}"{% endif %}>{% endfor %}', { ps: [{ img: 'https://a/1.png', name: 'A B', w: 10 }, { img: 'javascript:alert(1)', name: 'C' }] }, '<img src="https://a/1.png" alt="A B" width="10"><img src="#" alt="C">'],
		['<ul>{% for i in items %}<li><a href="{{ i.url }}" style="color:{% cycle "red", "blue" %}">{{ i.t }}</a>{% if forloop.last %}{% break %}{% endif %}</li>{% endfor %}</ul>', { items: [{ url: 'https://a/', t: 'A' }, { url: 'javascript:x', t: 'B' }] }, '<ul><li><a href="https://a/" style="color:red">A</a></li><li><a href="#" style="color:blue">B</a></ul>'],
		['{% for row in rows %}<tr>{% for c in row %}<td><a href="{{ c.u }}">{{ c.t }}</a></td>{% endfor %}</tr>{% endfor %}', { rows: [[{ u: 'https://a/', t: 1 }], [{ u: 'data:x', t: 2 }]] }, '<tr><td><a href="https://a/">1</a></td></tr><tr><td><a href="#">2</a></td></tr>'],
	])('%s', async (body, data, expected) => {
		expect((await render(body, data)).html).toContain(expected);
	});
});

describe('nested loops cost little to compile (a saved template cannot stall compile)', () => {
	// Bodies that toggle a quote, an unquoted value, an attribute or a branch at each level. The
	// body reads grow with the number of loops times the readings each leaves (about d² at worst
	// here), never with passes multiplied across levels (4^d); the time bound is only a DoS guard.
	const shapes: Record<string, (d: number) => string> = {
		'a quote opened in each body': (d) => `<a href="${'{% for x in xs %}"{{ x }}'.repeat(d)}${'{% endfor %}'.repeat(d)}">Go</a>`,
		'a quote closed after each inner loop': (d) => `<a href="${'{% for x in xs %}{{ x }}'.repeat(d)}${'"{% endfor %}'.repeat(d)}">Go</a>`,
		'an unquoted src opened in each body': (d) => `<p>${'{% for x in xs %}{{ x }}<img src='.repeat(d)}${'{% endfor %}'.repeat(d)}>`,
		'an attribute opened in each body': (d) => `<a ${'{% for x in xs %} title="{{ x }}'.repeat(d)}${'" {% endfor %}'.repeat(d)}>Go</a>`,
		'quotes, spaces and branches mixed': (d) =>
			`<a href=${Array.from({ length: d }, (_, i) => ['{% for x in xs %}"{{ x }}', "{% for x in xs %}'{{ x }} ", '{% for x in xs %}{% if c %} x={% endif %}{{ x }}'][i % 3]).join('')}${'{% endfor %}'.repeat(d)}>Go</a>`,
	};
	it.each(Object.keys(shapes).flatMap((name) => [10, 30].map((d) => [name, d] as const)))('%s, %i deep', async (name, d) => {
		const started = performance.now();
		await compileTemplate(html(shapes[name](d))).catch((e: Error) => expect(e.message).toMatch(/close the tag or attribute inside the loop/));
		expect(urlScanStats.bodyReads).toBeLessThanOrEqual(d * d);
		expect(performance.now() - started).toBeLessThan(2000);
	});

	it('a long template of product rows reads each loop body once', async () => {
		const rows = '{% for p in products %}<tr><td><a href="{{ p.url }}">{{ p.name }}</a></td><td class="{% if p.sale %}sale{% endif %}">{{ p.price }}</td></tr>{% endfor %}';
		await compileTemplate(html(`<table>${rows.repeat(500)}</table>`));
		expect(urlScanStats.bodyReads).toBe(500);
	});
});
