/**
 * Lint's unsubscribe check judges a link visible as a browser renders it. Cases hand-written
 * from the specifications (the expected answer is theirs, not this code's):
 * - visibility is inherited and a descendant may set it back: a `visibility:visible` child of a
 *   `visibility:hidden` parent is shown; `collapse` hides as `hidden` does outside tables and
 *   removes table rows (https://developer.mozilla.org/en-US/docs/Web/CSS/visibility,
 *   https://www.w3.org/TR/css-display-3/#visibility).
 * - display:none removes the whole subtree, whatever the descendants set
 *   (https://www.w3.org/TR/css-display-3/#valdef-display-none); opacity applies to the element and
 *   its content as a group, values clamped to [0, 1] (https://www.w3.org/TR/css-color-4/#transparency).
 * - the `hidden` attribute is the user-agent rule `[hidden]:not([hidden=until-found i]) { display: none }`,
 *   which an author `display` overrides; `hidden=until-found` is `content-visibility: hidden`;
 *   `dialog:not([open])` is `display: none`; a closed `<details>` shows only its summary
 *   (https://html.spec.whatwg.org/multipage/rendering.html#hidden-elements,
 *   https://html.spec.whatwg.org/multipage/interactive-elements.html#the-details-element).
 * - font-size is inherited; `em` and `%` are relative to the parent's computed size, `rem` to the
 *   root's (https://www.w3.org/TR/css-fonts-4/#font-size-prop); the `font` shorthand sets it
 *   (`font: 0/0 a`, https://www.w3.org/TR/css-fonts-4/#font-prop).
 * - height, width, min-/max- do not apply to non-replaced inline elements, overflow applies to
 *   block containers, flex and grid containers (https://www.w3.org/TR/CSS2/visudet.html#the-height-property,
 *   https://www.w3.org/TR/css-overflow-3/#overflow-properties); a table cell grows to its content
 *   (https://www.w3.org/TR/CSS2/tables.html#height-layout); min-height wins over max-height
 *   (https://www.w3.org/TR/CSS2/visudet.html#min-max-heights); `overflow-x: hidden` makes a visible
 *   overflow-y compute to auto, `clip` does not (https://www.w3.org/TR/css-overflow-3/#overflow-properties).
 * - an invalid declaration is ignored and an earlier one of the property stays; comments are not
 *   part of values (https://www.w3.org/TR/css-syntax-3/#consume-declaration).
 * - `<div/>` does not close a non-void HTML element; in SVG it does
 *   (https://html.spec.whatwg.org/multipage/syntax.html#start-tags).
 * - an image with a zero width or height (attribute hint or style) shows nothing.
 */
import { lintTemplate } from '../../../nodes/engines/render';

const page = (inner: string) => `<html><body><p>Hello {{ name }}</p>${inner}</body></html>`;
async function unsubscribeError(inner: string): Promise<boolean> {
	const report = await lintTemplate({ format: 'html', body: page(inner), subject: 'Hi', preheader: 'p' }, { name: 'Ada' });
	return report.findings.some((f) => f.check === 'unsubscribe-link' && f.severity === 'error');
}
const U = 'https://shop.example/email/unsubscribe?u=1';
const A = `<a href="${U}">Unsubscribe</a>`;
const IMG = (attrs: string) => `<a href="${U}"><img src="https://cdn.example/u.png" alt="Unsubscribe" ${attrs}></a>`;

describe('lint unsubscribe-link: visible as a browser renders it', () => {
	it.each([
		['visibility:visible on the link in a visibility:hidden parent', `<div style="visibility:hidden"><a href="${U}" style="visibility:visible">Unsubscribe</a></div>`],
		['visibility:visible on the text of a visibility:hidden link', `<a href="${U}" style="visibility:hidden"><span style="visibility:visible">Unsubscribe</span></a>`],
		['visibility:initial (visible) in a visibility:hidden parent', `<td style="visibility:hidden"><p style="visibility:initial">${A}</p></td>`],
		['the hidden attribute overridden by display:block', `<div hidden style="display:block">${A}</div>`],
		['the hidden attribute on the link overridden by display:inline', `<a href="${U}" hidden style="display:inline">Unsubscribe</a>`],
		['font-size:0 parent, the link in rem (the root is 16px)', `<div style="font-size:0"><a href="${U}" style="font-size:1rem">Unsubscribe</a></div>`],
		['max-height:0 and overflow:hidden on an inline span (height does not apply)', `<span style="max-height:0;overflow:hidden">${A}</span>`],
		['height:0 and overflow:hidden on a table cell (it grows to its content)', `<table><tr><td style="height:0;overflow:hidden">${A}</td></tr></table>`],
		['max-height:0 with min-height:20px and overflow:hidden', `<div style="max-height:0;min-height:20px;overflow:hidden">${A}</div>`],
		['height:0 with overflow-x:clip only (overflow-y stays visible)', `<div style="height:0;overflow-x:clip">${A}</div>`],
		['an open <details>', `<details open><summary>More</summary>${A}</details>`],
		['the summary of a closed <details>', `<details><summary>${A}</summary><p>More</p></details>`],
		['an open <dialog>', `<dialog open>${A}</dialog>`],
		['after a self-closed SVG element', `<svg width="10" height="10"><rect style="display:none"/></svg>${A}`],
		['an image of 80×20', IMG('width="80" height="20"')],
		['max-height:0 with overflow:inherit from a parent that does not clip', `<div><div style="max-height:0;overflow:inherit">${A}</div></div>`],
		['font-size:0 parent, the font shorthand with 14px on the link', `<div style="font-size:0"><a href="${U}" style="font:bold 14px/1.4 Arial, sans-serif">Unsubscribe</a></div>`],
		['visibility:hidden then an invalid visibility (ignored) then visible', `<div style="visibility:hidden"><a href="${U}" style="visibility:none;visibility:visible">Unsubscribe</a></div>`],
	])('%s', async (_name, inner) => {
		expect(await unsubscribeError(inner)).toBe(false);
	});
});

describe('lint unsubscribe-link: hidden as a browser renders it', () => {
	it.each([
		['display:none on an ancestor, display:block and visibility:visible on the link', `<div style="display:none"><a href="${U}" style="display:block;visibility:visible">Unsubscribe</a></div>`],
		['opacity:0 on an ancestor, opacity:1 on the link', `<div style="opacity:0"><a href="${U}" style="opacity:1">Unsubscribe</a></div>`],
		['opacity:0%', `<a href="${U}" style="opacity:0%">Unsubscribe</a>`],
		['opacity:-0.5 (clamped to 0)', `<a href="${U}" style="opacity:-0.5">Unsubscribe</a>`],
		['visibility:collapse on the link', `<a href="${U}" style="visibility:collapse">Unsubscribe</a>`],
		['visibility:collapse on the table row', `<table><tr style="visibility:collapse"><td>${A}</td></tr></table>`],
		['visibility:inherit under visibility:hidden', `<div style="visibility:hidden"><a href="${U}" style="visibility:inherit">Unsubscribe</a></div>`],
		['font-size:0 parent, the link in em', `<div style="font-size:0"><a href="${U}" style="font-size:1.5em">Unsubscribe</a></div>`],
		['font-size:0 parent, the link in %', `<td style="font-size:0px"><a href="${U}" style="font-size:120%">Unsubscribe</a></td>`],
		['the font shorthand font: 0/0 a', `<a href="${U}" style="font:0/0 a">Unsubscribe</a>`],
		['max-height:0 with overflow-y:hidden', `<div style="max-height:0;overflow-y:hidden">${A}</div>`],
		['height:0 with overflow:clip', `<div style="height:0;overflow:clip">${A}</div>`],
		['max-height:0 with overflow-x:hidden (overflow-y computes to auto)', `<div style="max-height:0;overflow-x:hidden">${A}</div>`],
		['display:none then an invalid display', `<a href="${U}" style="display:none;display:hiddenish">Unsubscribe</a>`],
		['display:none written around a comment', `<a href="${U}" style="display:/* preheader */none">Unsubscribe</a>`],
		['after <div style="display:none"/> (it stays open)', `<div style="display:none"/>${A}</div>`],
		['a closed <details>', `<details><summary>More</summary>${A}</details>`],
		['hidden="until-found" even with display:block', `<div hidden="until-found" style="display:block">${A}</div>`],
		['a <dialog> without open', `<dialog>${A}</dialog>`],
		['an image-only link whose image is 0×0 (attributes)', IMG('width="0" height="0"')],
		['an image-only link whose image has width:0 in its style', IMG('style="width:0"')],
	])('%s', async (_name, inner) => {
		expect(await unsubscribeError(inner)).toBe(true);
	});
});
