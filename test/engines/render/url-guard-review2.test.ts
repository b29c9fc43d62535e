/**
 * Unquoted URL attribute values whose start is written by Liquid branches (`href={% if %}…{% else %}…{% endif %}`):
 * whichever branch runs, a data value must not make the value start with javascript:. Hand-written
 * expectations: an unquoted attribute value ends at whitespace or `>`, and the browser reads the
 * scheme of what is between `=` and there (HTML "attribute value (unquoted) state",
 * https://html.spec.whatwg.org/multipage/parsing.html#attribute-value-(unquoted)-state).
 */
import { compileTemplate, renderCompiled, type TemplateInput } from '../../../nodes/engines/render';

const UNSUB = '<a href="https://x.example/unsubscribe">unsubscribe</a>';
const html = (body: string): TemplateInput => ({ format: 'html', body: body + UNSUB, subject: 'Hi' });
const render = async (body: string, data: Record<string, unknown>) => renderCompiled(await compileTemplate(html(body)), data);
const hrefOf = (out: string) => /<a href=([^\s>]*)>Go<\/a>/.exec(out)?.[1];

describe('unquoted URL values opened in Liquid branches are checked whichever branch ran', () => {
	const hostile = { a: 'java', b: 'script:alert(1)' };
	it.each([
		['the first branch writes two values, the other a safe link', '<a href={% if c %}{{ a }}{{ b }}{% else %}https://x.example/{{ p }}{% endif %}>Go</a>', { c: true }],
		['the first branch writes two values, the other static', '<a href={% if c %}{{ a }}{{ b }}{% else %}https://x.example/{% endif %}>Go</a>', { c: true }],
		['the values follow a block whose untaken branch wrote static text', '<a href={% if c %}{% else %}x{% endif %}{{ a }}{{ b }}>Go</a>', { c: true }],
		['the values follow an if without else that did not run', '<a href={% if c %}x{% endif %}{{ a }}{{ b }}>Go</a>', { c: false }],
		['unless/else: the values in the else branch', '<a href={% unless c %}/x{% else %}{{ a }}{{ b }}{% endunless %}>Go</a>', { c: true }],
		['case/when: the values in the first when', '<a href={% case k %}{% when 1 %}{{ a }}{{ b }}{% when 2 %}/x/{{ a }}{% endcase %}>Go</a>', { k: 1 }],
	])('%s', async (_name, body, flags) => {
		const r = await render(body, { ...hostile, ...flags });
		expect(hrefOf(r.html)).toBe('#');
		expect(r.text.toLowerCase()).not.toContain('script:');
	});

	it('safe values in the same templates are kept as written', async () => {
		const data = { a: 'https://shop.example/', b: 'p?id=1', c: true };
		expect(hrefOf((await render('<a href={% if c %}{{ a }}{{ b }}{% else %}https://x.example/{{ p }}{% endif %}>Go</a>', data)).html)).toBe('https://shop.example/p?id=1');
		expect(hrefOf((await render('<a href={% if c %}x{% endif %}{{ a }}{{ b }}>Go</a>', { ...data, c: false })).html)).toBe('https://shop.example/p?id=1');
		expect(hrefOf((await render('<a href={% if c %}{% else %}/x{% endif %}{{ a }}{{ b }}>Go</a>', { ...data, c: false })).html)).toBe('/xhttps://shop.example/p?id=1');
	});
});

describe('an unquoted URL value is read from the = on, as a browser does', () => {
	// After `=`, a browser skips whitespace, and a quote there opens a quoted value
	// (https://html.spec.whatwg.org/multipage/parsing.html#before-attribute-value-state):
	// `<a href= javascript:alert(1)>` and `<a href="javascript:alert(1)">` both run the script.
	it('leading spaces written by the data do not end the value: href={{ a }}{{ b }} with " java" + "script:…" → #', async () => {
		const r = await render('<a href={{ a }}{{ b }}>Go</a>', { a: ' java', b: 'script:alert(1)' });
		expect(r.html).toContain('<a href=#>Go</a>');
		expect(r.text.toLowerCase()).not.toContain('script:');
	});

	it('a line break before the value, written by the data, is skipped too', async () => {
		const r = await render('<a href={{ a }}{{ b }}>Go</a>', { a: '\n\tjava', b: 'script:alert(1)' });
		expect(r.html).toContain('<a href=#>Go</a>');
	});

	it('a quote written by a branch before the value opens a quoted value: checked up to the closing quote', async () => {
		const r = await render('<a href={% if c %}"{% else %}{% endif %}{{ a }}{{ b }}">Go</a>', { c: true, a: 'java', b: 'script:alert(1)' });
		expect(r.html).not.toMatch(/href=\s*["']?\s*javascript:/i);
		expect(r.html).toMatch(/<a href="?#/);
	});

	it('safe values keep their spaces and quotes as written', async () => {
		expect((await render('<a href={{ a }}{{ b }}>Go</a>', { a: ' https://shop.example/', b: 'p' })).html).toContain('<a href= https://shop.example/p>Go</a>');
		expect((await render('<a href={% if c %}"{% else %}{% endif %}{{ a }}{{ b }}">Go</a>', { c: true, a: 'https://shop.example/', b: 'p' })).html).toContain('<a href="https://shop.example/p">Go</a>');
	});
});

describe('branches that leave an attribute differently: every way through them is checked', () => {
	// Whichever branch runs, the browser reads the attribute as the HTML that came out says
	// (https://html.spec.whatwg.org/multipage/parsing.html#before-attribute-value-state): the
	// expected hrefs are read off that HTML by hand.
	it('an if that did not run leaves "href=" waiting for a value: the value after a space is the href', async () => {
		const body = '<a href={% if c %}{{ u }}{% endif %} {{ v }}>Go</a>';
		const r = await render(body, { c: false, u: 'https://a.example/', v: 'javascript:alert(1)' });
		expect(r.html).toContain('<a href= #>Go</a>');
		// when it ran, the space ends the value and the data after it is an attribute name (left as written)
		expect((await render(body, { c: true, u: 'https://a.example/', v: 'data-x' })).html).toContain('<a href=https://a.example/ data-x>Go</a>');
	});

	it('a quote closing the value in one branch only: when the branch did not run, the value goes on', async () => {
		const body = '<a href="{% if c %}https://x.example/"{% endif %}{{ a }}{{ b }}">Go</a>';
		const r = await render(body, { c: false, a: 'java', b: 'script:alert(1)' });
		expect(r.html).toContain('<a href="#">Go</a>');
	});

	it('a piece that starts the value in one branch and continues it in another: checked from both starts', async () => {
		const body = '<a href={% if c %}{{ a }}{{ b }}{% endif %}ja{{ d }}>Go</a>';
		const hostile = await render(body, { c: true, a: 'java', b: 'script:alert(1)', d: '' });
		expect(hostile.html).toContain('<a href=#>Go</a>');
		expect((await render(body, { c: false, d: 'vascript:alert(1)' })).html).toContain('<a href=#>Go</a>');
		expect((await render(body, { c: true, a: 'https://a.example/', b: 'p', d: '' })).html).toContain('<a href=https://a.example/pja>Go</a>');
	});

	it('an output after a branch that wrote the start of the URL is not taken for the start when the branch ran', async () => {
		const body = '<a href="{% if secure %}https://shop.example/{% endif %}{{ u }}">Go</a>';
		expect((await render(body, { secure: true, u: 'javascript:alert(1)' })).html).toContain('<a href="https://shop.example/javascript:alert(1)">Go</a>');
		expect((await render(body, { secure: false, u: 'javascript:alert(1)' })).html).toContain('<a href="#">Go</a>');
	});
});

describe('many branches that toggle an attribute still compile quickly', () => {
	it('200 blocks each writing a quote in one branch', async () => {
		const started = performance.now();
		await compileTemplate(html(`<a href=${'{% if c %}"x{% else %} y{% endif %}{{ a }}'.repeat(200)}>Go</a>`));
		expect(performance.now() - started).toBeLessThan(3000);
	});
});
