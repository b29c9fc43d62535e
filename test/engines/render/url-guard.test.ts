/**
 * URL attributes checked as a whole: a data value must not make an href/src/background/action
 * start with a scheme other than http, https, mailto, tel, sms, cid, whichever way the template
 * writes the value (several outputs, a scheme split across outputs or around static text,
 * `{% echo %}`, outputs in branches). Expected values are hand-written: the browser reads the
 * scheme after removing tabs and line breaks and decoding character references (WHATWG URL
 * parser, https://url.spec.whatwg.org/#concept-basic-url-parser; HTML attribute value decoding).
 */
import { compileTemplate, renderCompiled, type TemplateInput } from '../../../nodes/engines/render';

const UNSUB = '<a href="https://x.example/unsubscribe">unsubscribe</a>';
const html = (body: string, extra: Partial<TemplateInput> = {}): TemplateInput => ({ format: 'html', body: body + UNSUB, subject: 'Hi', ...extra });
const render = async (body: string, data: Record<string, unknown>, extra: Partial<TemplateInput> = {}) => renderCompiled(await compileTemplate(html(body, extra)), data);

describe('URL attributes holding several Liquid values are checked as a whole', () => {
	it.each([
		['empty first value, hostile second', { a: '', b: 'javascript:alert(1)' }],
		['scheme split across the values', { a: 'java', b: 'script:alert(1)' }],
		['colon in the second value', { a: 'javascript', b: ':alert(1)' }],
		['tab inside the scheme (removed by browsers)', { a: 'java\t', b: 'script:alert(1)' }],
		['data: URL split', { a: 'da', b: 'ta:text/html,<script>alert(1)</script>' }],
		['spaces before, mixed case', { a: '  JaVa', b: 'ScRiPt:alert(1)' }],
	])('href="{{ a }}{{ b }}": %s → "#"', async (_name, data) => {
		const r = await render('<p>Hi</p><a href="{{ a }}{{ b }}">Go</a>', data);
		expect(r.html).toContain('<a href="#">Go</a>');
		expect(r.html.toLowerCase()).not.toContain('script:');
		expect(r.text.toLowerCase()).not.toContain('script');
	});

	it('a scheme from the data completed by static text after it: href="{{ s }}://{{ host }}"', async () => {
		const r = await render('<a href="{{ s }}://{{ host }}/p">Go</a>', { s: 'javascript', host: '%0Aalert(1)' });
		// only what the data wrote is replaced (the first value by "#", the next by nothing), the template's "://" and "/p" stay
		expect(r.html).toContain('<a href="#:///p">Go</a>');
		// an ordinary scheme passes
		expect((await render('<a href="{{ s }}://{{ host }}/p">Go</a>', { s: 'https', host: 'shop.example' })).html).toContain('<a href="https://shop.example/p">Go</a>');
	});

	it('a scheme from the data completed by the static text that closes the value: ":" or a character reference for it', async () => {
		// "javascript" comes from the data and the colon (or &#58;, which the browser decodes to ":")
		// from the closing static text: what was written before the closing piece becomes "#", the
		// closing piece stays, so the link is a harmless fragment.
		const data = { a: 'java', b: 'script' };
		expect((await render('<a href="{{ a }}{{ b }}:alert(1)">Go</a>', data)).html).toContain('<a href="#:alert(1)">Go</a>');
		expect((await render('<a href="{{ a }}{{ b }}&#58;alert(1)">Go</a>', data)).html).toContain('<a href="#&#58;alert(1)">Go</a>');
		// an ordinary scheme completed the same way passes
		expect((await render('<a href="{{ a }}{{ b }}://shop.example/">Go</a>', { a: 'htt', b: 'ps' })).html).toContain('<a href="https://shop.example/">Go</a>');
	});

	it('a character reference split across unescaped values (| raw): javascript&#5 + 8;… reads javascript:', async () => {
		const r = await render('<a href="{{ a | raw }}{{ b | raw }}">Go</a>', { a: 'javascript&#5', b: '8;alert(1)' });
		expect(r.html).toContain('<a href="#">Go</a>');
	});

	it.each([
		// Static text before the outputs decides the scheme only when the browser would read it so:
		// a character reference may be a scheme letter (&#115; is "s") and tabs and line breaks are
		// removed before the scheme is read (WHATWG URL parser), so neither makes the start "static".
		['a character reference in the static start', '<a href="java&#115;cript{{ a }}{{ b }}">Go</a>'],
		['a line break in the static start', '<a href="java\nscript{{ a }}{{ b }}">Go</a>'],
		['a tab in the static start', '<a href="java\tscript{{ a }}{{ b }}">Go</a>'],
	])('%s: the scheme is completed by the data → the data\'s part becomes "#"', async (_name, body) => {
		// the template's text stays, the data's ":alert(1)" becomes "#" (no ":" left: a relative URL)
		const static_ = /href="([^{]*)\{\{/.exec(body)?.[1] as string;
		expect((await render(body, { a: ':alert(1)', b: '' })).html).toContain(`<a href="${static_}#">Go</a>`);
	});

	it('outputs in if/else branches and static text in a branch', async () => {
		const bad = 'javascript:alert(1)';
		const branches = '<a href="{% if x %}{{ a }}{% else %}{{ b }}{% endif %}">Go</a>';
		expect((await render(branches, { x: false, a: 'https://a.example/', b: bad })).html).toContain('<a href="#">Go</a>');
		expect((await render(branches, { x: true, a: 'https://a.example/', b: bad })).html).toContain('<a href="https://a.example/">Go</a>');
		const prefixInBranch = '<a href="{% if secure %}https://shop.example/{% endif %}{{ u }}">Go</a>';
		expect((await render(prefixInBranch, { secure: false, u: bad })).html).toContain('<a href="#">Go</a>');
		expect((await render(prefixInBranch, { secure: true, u: bad })).html).toContain('<a href="https://shop.example/javascript:alert(1)">Go</a>');
	});

	it('branches that close the attribute each on their own', async () => {
		const bad = 'javascript:alert(1)';
		const body = '<a href="{% if x %}{{ a }}"{% else %}{{ b }}"{% endif %}>Go</a>';
		expect((await render(body, { x: false, a: '', b: bad })).html).toContain('<a href="#">Go</a>');
		expect((await render(body, { x: false, a: '', b: 'java' + 'script:1' })).html).toContain('<a href="#">Go</a>');
		expect((await render(body, { x: true, a: bad, b: '' })).html).toContain('<a href="#">Go</a>');
		const twoTags = '{% if x %}<a href="{{ a }}">{% else %}<a class="k" href="{{ b }}{{ a }}">{% endif %}Go</a>';
		expect((await render(twoTags, { x: false, a: 'script:1', b: 'java' })).html).toContain('<a class="k" href="#">Go</a>');
		const unlessBody = '<a href="{% unless x %}{{ a }}"{% else %}{{ b }}"{% endunless %}>Go</a>';
		expect((await render(unlessBody, { x: true, a: '', b: bad })).html).toContain('<a href="#">Go</a>');
		expect((await render(unlessBody, { x: false, a: bad, b: '' })).html).toContain('<a href="#">Go</a>');
		expect((await render(unlessBody, { x: true, a: '', b: 'https://ok.example/' })).html).toContain('<a href="https://ok.example/">Go</a>');
		const caseBody = '<a href="{% case k %}{% when 1 %}{{ a }}"{% when 2 %}{{ b }}"{% else %}{{ a }}{{ b }}"{% endcase %}>Go</a>';
		expect((await render(caseBody, { k: 2, a: '', b: bad })).html).toContain('<a href="#">Go</a>');
		expect((await render(caseBody, { k: 3, a: 'java', b: 'script:1' })).html).toContain('<a href="#">Go</a>');
	});

	it('src, background, action, single-quoted and unquoted values', async () => {
		const data = { a: 'java', b: 'script:alert(1)' };
		expect((await render('<img src="{{ a }}{{ b }}" alt="x">', data)).html).toContain('<img src="#" alt="x">');
		expect((await render('<table background="{{ a }}{{ b }}"><tr><td>x</td></tr></table>', data)).html).toContain('<table background="#">');
		expect((await render('<form action="{{ a }}{{ b }}"></form>', data)).html).toContain('<form action="#"></form>');
		expect((await render("<a href='{{ a }}{{ b }}'>Go</a>", data)).html).toContain("<a href='#'>Go</a>");
		expect((await render('<a href={{ a }}{{ b }}>Go</a>', data)).html).toContain('<a href=#>Go</a>');
	});

	it('in a loop, each link on its own', async () => {
		const r = await render('{% for l in links %}<a href="{{ l.a }}{{ l.b }}">{{ forloop.index }}</a>{% endfor %}', {
			links: [{ a: 'https://a.example', b: '/x' }, { a: 'java', b: 'script:1' }, { a: 'mailto:', b: 'help@shop.example' }],
		});
		expect(r.html).toContain('<a href="https://a.example/x">1</a><a href="#">2</a><a href="mailto:help@shop.example">3</a>');
	});

	it('safe values stay as written', async () => {
		const two = '<a href="{{ a }}{{ b }}">Go</a>';
		expect((await render(two, { a: 'https://shop.example/?next=', b: 'javascript:x' })).html).toContain('<a href="https://shop.example/?next=javascript:x">Go</a>');
		expect((await render(two, { a: '/p/', b: 'a:b' })).html).toContain('<a href="/p/a:b">Go</a>');
		expect((await render(two, { a: 'tel:', b: '+33123456789' })).html).toContain('<a href="tel:+33123456789">Go</a>');
		expect((await render(two, { a: 'https://shop.example/p?a=1&b=2', b: '&c=3' })).html).toContain('<a href="https://shop.example/p?a=1&amp;b=2&amp;c=3">Go</a>');
		// a value whose static start decides the scheme is not touched
		expect((await render('<a href="/go?u={{ a }}{{ b }}">Go</a>', { a: 'javascript', b: ':1' })).html).toContain('<a href="/go?u=javascript:1">Go</a>');
	});

	it('MJML: mj-button and mj-image with two values', async () => {
		const body =
			'<mjml><mj-body><mj-section><mj-column><mj-button href="{{ a }}{{ b }}">Go</mj-button><mj-image src="{{ a }}{{ b }}" alt="x" />' +
			'<mj-text><a href="https://x.example/unsubscribe">unsubscribe</a></mj-text></mj-column></mj-section></mj-body></mjml>';
		const ct = await compileTemplate({ format: 'mjml', body, subject: 'Hi', preheader: 'p' });
		const r = renderCompiled(ct, { a: 'java', b: 'script:alert(1)' });
		expect(r.html).not.toContain('script:');
		expect(r.html).toContain('href="#"');
		expect(r.html).toContain('src="#"');
		const ok = renderCompiled(ct, { a: 'https://shop.example', b: '/p' });
		expect(ok.html).toContain('href="https://shop.example/p"');
	});
});

describe('{% echo %} in a URL attribute is checked', () => {
	it.each([
		['<a href="{% echo u %}">Go</a>', { u: 'javascript:alert(1)' }],
		['<a href="{% echo u | downcase %}">Go</a>', { u: 'JAVASCRIPT:alert(1)' }],
		['<a href="{{ a }}{% echo b %}">Go</a>', { a: 'javascript', b: ':alert(1)' }],
		['<a href="{% liquid echo u %}">Go</a>', { u: 'vbscript:msgbox(1)' }],
	])('%s → "#"', async (body, data) => {
		const r = await render(body, data);
		expect(r.html).toContain('<a href="#">Go</a>');
		expect(r.text.toLowerCase()).not.toContain('script');
	});

	it('echo then an output, the scheme split between them', async () => {
		expect((await render('<a href="{% echo a %}{{ b }}">Go</a>', { a: 'java', b: 'script:alert(1)' })).html).toContain('<a href="#">Go</a>');
		expect((await render('<a href="{% echo a %}{{ b }}">Go</a>', { a: 'javascript:alert(1)', b: '' })).html).toContain('<a href="#">Go</a>');
	});

	it('{% echo %} and {% cycle %} inside CSS url(…): quotes and parentheses percent-encoded as for {{ }}', async () => {
		const bg = "https://img.example/x.png') no-repeat; } x{color:red";
		const r = await render("<div style=\"background:url('{% echo bg %}')\">x</div>", { bg });
		expect(r.html).toContain("url('https://img.example/x.png%27%29 no-repeat; } x{color:red')");
		const c = await render("<div style=\"background:url('{% cycle bg, 'a' %}')\">x</div>", { bg });
		expect(c.html).toContain("url('https://img.example/x.png%27%29 no-repeat; } x{color:red')");
	});

	it('an ordinary URL from {% echo %} is kept', async () => {
		expect((await render('<a href="{% echo u %}">Go</a>', { u: 'https://shop.example/?a=1&b=2' })).html).toContain('<a href="https://shop.example/?a=1&amp;b=2">Go</a>');
	});
});
