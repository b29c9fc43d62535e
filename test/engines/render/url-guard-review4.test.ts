/**
 * URL guard review: templates the guard refused or rendered differently although nothing in them
 * lets the data write a URL or markup (part 1), and ways the data still reached an href (part 2).
 * Expected outputs are written by hand from the template and the data; hostile renders are read
 * with an independent parser (htmlparser2).
 * - an assigned literal written with `| raw` matters only where such a writer stands: in a quoted
 *   value only its quote ends the value (https://html.spec.whatwg.org/multipage/parsing.html#attribute-value-(double-quoted)-state);
 * - `| raw` (or escaping off) data can end a style attribute or a <style> element itself, so
 *   blanking its CSS protects nothing and erases trusted CSS;
 * - -webkit-gradient()'s from()/to()/color-stop() take colours only
 *   (https://webkit.org/blog/175/introducing-css-gradients/);
 * - only http-equiv="refresh" navigates (https://html.spec.whatwg.org/multipage/semantics.html#pragma-directives);
 * - liquidjs reads `\u0022` in a string literal as `"`, and url_decode turns `%22` into `"`.
 */
import { compileTemplate, renderCompiled, type TemplateInput } from '../../../nodes/engines/render';
import { DomUtils, parseDocument } from '../../harness/html';

const UNSUB = '<a href="https://x.example/unsubscribe">unsubscribe</a>';
const input = (body: string, escapeHtml = true): TemplateInput => ({ format: 'html', body: body + UNSUB, subject: 'Hi', liquid: { escapeHtml } });
const render = async (body: string, data: Record<string, unknown>, escapeHtml = true) => renderCompiled(await compileTemplate(input(body, escapeHtml)), data).html.replace(UNSUB, '');
const JS = 'javascript:alert(1)';
const hrefs = (out: string): string[] => DomUtils.findAll((el) => el.attribs.href !== undefined, parseDocument(out).children).map((el) => el.attribs.href);

describe('1. marketing templates the guard must render as written', () => {
	it('an assigned UTM suffix appended to a raw URL (a literal with "=" and "&" inside a quoted href)', async () => {
		const body = `{% assign utm = '?utm_source=email&utm_medium=crm' %}<a href="{{ url | append: utm | raw }}">Shop</a><a href="{{ cart | append: '&step=2' | raw }}">Cart</a>`;
		expect(await render(body, { url: 'https://shop.example/p/1', cart: 'https://shop.example/cart?id=9' })).toBe(
			'<a href="https://shop.example/p/1?utm_source=email&utm_medium=crm">Shop</a><a href="https://shop.example/cart?id=9&step=2">Cart</a>',
		);
	});

	it('an assigned HTML badge written raw in text, beside a raw URL in an attribute', async () => {
		const body = `{% assign badge = '<span class="badge">VIP</span>' %}<p>{{ badge | raw }} Hi</p><a href="{{ url | append: '&src=vip' | raw }}">Shop</a>`;
		expect(await render(body, { url: 'https://shop.example/?a=1' })).toBe('<p><span class="badge">VIP</span> Hi</p><a href="https://shop.example/?a=1&src=vip">Shop</a>');
	});

	it('HTML escaping off: an assigned greeting with a space, and a literal in an href', async () => {
		const body = `{% assign greeting = 'Hello there' %}<p>{{ greeting }}, {{ name }}</p><a href="{{ url | append: '?src=nl' }}">Shop</a>`;
		expect(await render(body, { name: 'Ann', url: 'https://shop.example/' }, false)).toBe('<p>Hello there, Ann</p><a href="https://shop.example/?src=nl">Shop</a>');
	});

	it('trusted CSS written raw into <style> and a style attribute keeps its @import, @media and url()', async () => {
		const css = "@import url('https://fonts.example/inter.css');\n@media (max-width: 600px) { .col { width: 100% !important; } }";
		const style = "background: #1f2937 url('https://cdn.example/bg.png') repeat";
		const body = `<style>{{ css | raw }}</style><div style="{{ style | raw }}">x</div><style>{{ '@import url(https://fonts.example/lato.css);' | raw }}</style>`;
		expect(await render(body, { css, style })).toBe(`<style>${css}</style><div style="${style}">x</div><style>@import url(https://fonts.example/lato.css);</style>`);
	});

	it('an old -webkit-gradient() background from the data', async () => {
		const g = '-webkit-gradient(linear, left top, left bottom, from(#ff7e5f), to(#feb47b), color-stop(50%, #ccc))';
		expect(await render('<td style="background: {{ g }};">x</td>', { g })).toBe(`<td style="background: ${g};">x</td>`);
	});

	it('a <meta http-equiv> other than refresh with Liquid in its content', async () => {
		expect(await render('<meta http-equiv="Content-Language" content="{{ locale }}">', { locale: 'fr-FR' })).toBe('<meta http-equiv="Content-Language" content="fr-FR">');
	});
});

describe('2. hostile data that reached an href: refused at compile time, naming the literal', () => {
	it.each([
		['an assigned quote written raw with no literal in the writer', `{% assign q = '" href="' %}<a title="{{ q | raw }}{{ u }}">Go</a>`, /assign q/],
		['the same through a for loop', `{% assign qs = '" href=",x' | split: ',' %}{% for q in qs limit: 1 %}<a title="{{ q | raw }}{{ u }}">Go</a>{% endfor %}`, /assign qs/],
		['the same in a {% liquid %} assign', `{% liquid assign q = '" href="' %}<a title="{{ q | raw }}{{ u }}">Go</a>`, /liquid assign q/],
		['the same with HTML escaping off', `{% assign q = '" href="' %}<a title="{{ q }}{{ u }}">Go</a>`, /assign q/],
		['a backslash escape opening a tag in text', `<p>{{ "\\u003ca title=\\u0022" | raw }}</p>" href={{ u }}>Go</a>`, /backslash escape or a decoding filter/],
		['url_decode opening a tag in text', `<p>{{ '%3Ca title=%22' | url_decode | raw }}</p>" href={{ u }}>Go</a>`, /decoding filter/],
		['url_decode closing a value', `<a title="{{ '%22 href=%22' | url_decode | raw }}{{ u }}">Go</a>`, /decoding filter/],
	])('%s', async (name, body, refusal) => {
		const escapeHtml = !name.includes('escaping off');
		let out: string | undefined;
		let error: Error | undefined;
		try {
			out = renderCompiled(await compileTemplate(input(body, escapeHtml)), { u: JS }).html;
		} catch (e) {
			error = e as Error;
		}
		// before the fix each rendered <a … href="javascript:alert(1)">
		expect(out === undefined ? [] : hrefs(out)).not.toContain(JS);
		expect(error?.message).toMatch(refusal);
		expect(error?.message).toMatch(/literal written without escaping/);
	});
});
