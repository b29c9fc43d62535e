/**
 * A link left open across `</p><p>` goes on in the next paragraph, as the HTML parser reads it:
 * the end tag of the `<p>` closes the `<a>`, which stays in the list of active formatting
 * elements and is opened again (a copy with the same attributes) before the next text or inline
 * start tag; block and table start tags do not reopen it, and its own `</a>` ends it
 * (https://html.spec.whatwg.org/multipage/parsing.html#reconstruct-the-active-formatting-elements,
 * "any other end tag" and the adoption agency algorithm in
 * https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-inbody).
 * So `<p><a href=x>one</p><p>two</a></p>` has two links to x, one per paragraph; the text part
 * formerly wrote only "one (x)". Expected texts written by hand from those rules.
 */
import { compileTemplate, htmlToText, renderCompiled } from '../../../nodes/engines/render';

const X = 'https://shop.example/sale';

describe('text part: a link left open across paragraphs', () => {
	it.each([
		['</p><p>', `<p><a href="${X}">Summer sale</p><p>up to 50% off</a></p><p>Thanks</p>`, `Summer sale (${X})\n\nup to 50% off (${X})\n\nThanks`],
		['its </a> after the second paragraph: text after it is no link', `<div><a href="${X}">one</div><p>two</p></a>after`, `one (${X})\n\ntwo (${X})\n\nafter`],
		['a block start tag does not reopen it, the text inside it does', `<p><a href="${X}">one</p><div>two</div>`, `one (${X})\n\ntwo (${X})`],
		['closed by its own </a>: nothing reopens', `<p><a href="${X}">one</a></p><p>two</p>`, `one (${X})\n\ntwo`],
		['a new <a> forgets it', `<p><a href="${X}">one</p><a href="https://shop.example/b">b</a> tail`, `one (${X})\n\nb (https://shop.example/b) tail`],
	])('%s', (_name, html, text) => {
		expect(htmlToText(html)).toBe(text);
	});

	it('with Liquid: converted per recipient (no compiled text plan), same text', async () => {
		const ct = await compileTemplate({ format: 'html', body: '<p><a href="{{ url }}">{{ title }}</p><p>{{ more }}</a></p>', subject: 's', preheader: 'p' });
		expect(ct.textPlan).toBeUndefined();
		const r = renderCompiled(ct, { url: X, title: 'Summer sale', more: 'up to 50% off' });
		expect(r.text).toBe(`Summer sale (${X})\n\nup to 50% off (${X})`);
	});
});
