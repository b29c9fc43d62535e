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

/**
 * Table cells are markers in the list of active formatting elements: reconstruction stops at the
 * last marker, so a link left open before a table is not reopened inside its cells but is again
 * after the table; the end of a cell ("close the cell") clears the list up to its marker, so a link
 * left open in a cell is not reopened after it; an `</a>` in a later cell is ignored ("any other end
 * tag": no `a` after the marker). A link the parser reopens inside a hidden element is closed with
 * it and stays in the list, so the next visible text is linked again.
 * https://html.spec.whatwg.org/multipage/parsing.html#reconstruct-the-active-formatting-elements,
 * #close-the-cell, #clear-the-list-of-active-formatting-elements-up-to-the-last-marker
 */
describe('text part: a link left open, table cells and hidden elements', () => {
	it.each([
		['left open in a cell: not reopened after the table', `<table><tr><td><a href="${X}">one</td></tr></table><p>two</p>`, `one (${X})\n\ntwo`],
		['left open in a paragraph of a cell: not reopened after the table', `<table><tr><td><p><a href="${X}">one</p></td></tr></table><p>two</p>`, `one (${X})\n\ntwo`],
		['left open in a cell: not in the next cell', `<table><tr><td><a href="${X}">one</td><td>two</a></td></tr></table>`, `one (${X}) two`],
		['a cell started without </td> closes the link\'s cell', `<table><tr><td><p><a href="${X}">one</p><td>two</td></tr></table>`, `one (${X})\n\ntwo`],
		['before a table: not in its cells, reopened after it', `<p><a href="${X}">one</p><table><tr><td>x</td></tr></table><p>two</a></p>`, `one (${X})\n\nx\n\ntwo (${X})`],
		['in a cell, before a table in that cell: the same', `<table><tr><td><p><a href="${X}">one</p><table><tr><td>x</td></tr></table><p>two</a></p></td></tr></table>`, `one (${X})\n\nx\n\ntwo (${X})`],
		['an </a> in a later cell does not end it', `<p><a href="${X}">one</p><table><tr><td>x</a>y</td></tr></table><p>two</a></p>`, `one (${X})\n\nxy\n\ntwo (${X})`],
		['a hidden element between: reopened after it', `<p><a href="${X}">one</p><div style="display:none">x</div><p>two</a></p>`, `one (${X})\n\ntwo (${X})`],
		['its </a> inside the hidden element ends it', `<p><a href="${X}">one</p><div style="display:none">x</a></div><p>two</p>`, `one (${X})\n\ntwo`],
	])('%s', (_name, html, text) => {
		expect(htmlToText(html)).toBe(text);
	});
});
