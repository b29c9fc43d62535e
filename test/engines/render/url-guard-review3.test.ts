/**
 * URL guard, third review: a piece that ends a URL value in one reading of the branches while
 * another reading carries the value on (a line break or tab that ends an unquoted value but that
 * a browser drops from a quoted URL), and the compile cost of a value that many branches open.
 * Expectations by hand: the rendered HTML is parsed by htmlparser2 and each URL attribute read as
 * a browser reads its scheme (tabs and line breaks removed, leading C0 controls and spaces trimmed:
 * https://url.spec.whatwg.org/#concept-basic-url-parser).
 */
import { compileTemplate, renderCompiled, type TemplateInput } from '../../../nodes/engines/render';
import { DomUtils, parseDocument } from '../../harness/html';

const html = (body: string): TemplateInput => ({ format: 'html', body: body + '<a href="https://x.example/unsubscribe">unsubscribe</a>', subject: 'Hi' });
const render = async (body: string, data: Record<string, unknown>) => renderCompiled(await compileTemplate(html(body)), data);
const hrefs = (out: string): string[] => DomUtils.findAll((el) => el.name === 'a', parseDocument(out).children).map((el) => el.attribs.href);
const scheme = (v: string) => /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(v.replace(/[\t\n\r]/g, '').replace(/^[\x00-\x20]+/, ''))?.[1].toLowerCase();

describe('a piece that closes the value in one branch reading only', () => {
	it.each([
		['a line break', '\n'],
		['a tab', '\t'],
	])('%s between two values of a quoted href (the quote written in one branch) is not a place the check stops', async (_name, sep) => {
		const body = `<a href={% if q %}{% else %}"{% endif %}{{ a }}${sep}{{ b }}">Go</a>`;
		const r = await render(body, { q: false, a: 'java', b: 'script:alert(1)' });
		// quoted (else branch): the browser reads java⏎script:alert(1) as javascript:alert(1)
		expect(hrefs(r.html).map(scheme)).not.toContain('javascript');
	});

	it('safe values in the same template are kept as written', async () => {
		const body = '<a href={% if q %}{% else %}"{% endif %}{{ a }}\n{{ b }}">Go</a>';
		const r = await render(body, { q: false, a: 'https://x.example/a', b: 'b' });
		expect(r.html).toContain('<a href="https://x.example/a\nb">Go</a>');
	});
});

describe('a value that many branches open', () => {
	it('is refused quickly instead of costing seconds of compile (2000 branches, about 60 KB)', async () => {
		const body = '<a href="' + '{% if c %}<a href="{% endif %}'.repeat(2000) + '">x</a>';
		const started = performance.now();
		await expect(compileTemplate(html(body))).rejects.toThrow(/too many ways through its Liquid blocks/);
		expect(performance.now() - started).toBeLessThan(3000);
	});

	it('a few such branches still compile and are checked', async () => {
		const body = '<a href="' + '{% if c %}<a href="{% endif %}'.repeat(20) + '{{ u }}">x</a>';
		const r = await render(body, { c: false, u: 'javascript:alert(1)' });
		expect(r.html).toContain('<a href="#">x</a>');
	});
});

describe('HTML that ends where a browser ends it', () => {
	const hostile = { u: 'javascript:alert(1)' };
	it.each([
		['a comment ended by --!>', '<!-- note --!><a href="{{ u }}">Go</a>'],
		['a quote inside <title> (text up to </title>)', '<title><a title="</title><a href={{ u }}>Go</a>'],
		['a quote inside <textarea>', '<textarea><b title="</textarea><a href={{ u }}>Go</a>'],
	])('%s', async (_name, body) => {
		const r = await render(body, hostile);
		expect(hrefs(r.html).map(scheme)).not.toContain('javascript');
	});

	it('a title written from the data stays text', async () => {
		const r = await render('<title>{{ t }}</title><a href="{{ u }}">Go</a>', { t: 'Deals "today"', u: 'https://x.example/' });
		expect(r.html).toContain('<title>Deals &#34;today&#34;</title><a href="https://x.example/">Go</a>');
	});
});

describe('a capture body is written later as text', () => {
	it('one that leaves a tag open is refused: the captured <a href=" then the data would be an unchecked link', async () => {
		const body = '{% capture open %}<a href="{% endcapture %}{{ open | raw }}{{ u }}">Go</a>';
		await expect(compileTemplate(html(body))).rejects.toThrow(/"capture" body leaves an HTML tag/);
	});

	it('captured whole elements and attribute text still compile', async () => {
		const body = '{% capture btn %}<a href="{{ u }}" class="btn">Go</a>{% endcapture %}{% capture cls %}big "x"{% endcapture %}{{ btn | raw }}<p class="{{ cls }}">x</p>';
		const r = await render(body, { u: 'javascript:alert(1)' });
		expect(r.html).toContain('<a href="#" class="btn">Go</a><p class="big &#34;x&#34;">x</p>');
	});
});
