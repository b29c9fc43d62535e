/**
 * Hidden list items and hidden words in the text part, as a browser lays them out. Expected texts
 * are written by hand from the specs:
 * - CSS Lists 3 (https://www.w3.org/TR/css-lists-3/#list-item-counter, #counters-without-boxes):
 *   every list item increments the `list-item` counter, an element with `display:none` does not.
 *   An item with `visibility:hidden` (or a zero font size) is laid out: it takes its number, which
 *   is not seen, and the next item shows the number after it.
 * - HTML (https://html.spec.whatwg.org/multipage/grouping-content.html#ordinal-value): an `<li
 *   value>` gives its item that number, the items after it count on from it (down in a reversed list).
 * - CSS 2.1 11.2 (https://www.w3.org/TR/CSS21/visufx.html#visibility): `visibility:hidden` boxes are
 *   "invisible, but still affect layout": the hidden word keeps its room between the words around it
 *   (a space in the text part); text in a zero font size and `display:none` take no room.
 */
import fc from 'fast-check';
import { compileTemplate, htmlToText, renderCompiled, type TemplateInput } from '../../../nodes/engines/render';

const UNSUB = '<p><a href="https://x.example/unsubscribe">Unsubscribe</a></p>';
const TAIL = '\n\nUnsubscribe (https://x.example/unsubscribe)';
const html = (body: string): TemplateInput => ({ format: 'html', body: body + UNSUB, subject: 'Hi', preheader: 'p' });

describe('text part: hidden list items keep the numbering a browser shows', () => {
	it.each([
		['display:none takes no number', '<ol><li>a</li><li style="display:none">b</li><li>c</li></ol>', '1. a\n2. c'],
		['visibility:hidden takes its number', '<ol><li>a</li><li style="visibility:hidden">b</li><li>c</li></ol>', '1. a\n3. c'],
		['a zero font size takes its number', '<ol><li>a</li><li style="font-size:0">b</li><li>c</li></ol>', '1. a\n3. c'],
		['from start', '<ol start="5"><li style="visibility:hidden">a</li><li>b</li></ol>', '6. b'],
		['reversed counts the hidden item (3 items)', '<ol reversed><li>a</li><li style="visibility:hidden">b</li><li>c</li></ol>', '3. a\n1. c'],
		['reversed does not count an item not rendered (2 items)', '<ol reversed><li>a</li><li style="display:none">b</li><li>c</li></ol>', '2. a\n1. c'],
		['a visible child of a hidden item shows, without the number', '<ol><li>a</li><li style="visibility:hidden">b <span style="visibility:visible">B</span></li><li>c</li></ol>', '1. a\nB\n3. c'],
		['nested', '<ol><li>A<ol><li style="visibility:hidden">x</li><li>B</li></ol></li><li>C</li></ol>', '1. A\n   2. B\n2. C'],
	])('%s', (_name, input, expected) => {
		expect(htmlToText(input)).toBe(expected);
	});

	it.each([
		['renumbers the item and those after it', '<ol><li>a</li><li value="10">b</li><li>c</li></ol>', '1. a\n10. b\n11. c'],
		['counts down after it in a reversed list', '<ol reversed><li>a</li><li value="10">b</li><li>c</li></ol>', '3. a\n10. b\n9. c'],
		['read as an HTML integer (leading spaces, sign; not a number: ignored)', '<ol><li value=" -2">a</li><li>b</li><li value="x">c</li></ol>', '-2. a\n-1. b\n0. c'],
		['on a hidden item, still renumbers the next', '<ol><li>a</li><li value="7" style="visibility:hidden">b</li><li>c</li></ol>', '1. a\n8. c'],
		['ignored in a <ul>', '<ul><li value="3">a</li></ul>', '- a'],
	])('<li value> %s', (_name, input, expected) => {
		expect(htmlToText(input)).toBe(expected);
	});

	it('items from a loop with a value and a hidden item: the plan gives the same numbers as the HTML', async () => {
		const planned = await compileTemplate(html('<ol><li value="4">Intro</li>{% for s in steps %}<li>{{ s }}</li>{% endfor %}<li style="visibility:hidden">-</li><li>Done</li></ol>'));
		expect(planned.textPlan).toBeDefined();
		for (const steps of [[], ['Open'], ['Open', 'Pick', 'Pay']]) {
			const r = renderCompiled(planned, { steps });
			expect(r.text).toBe(htmlToText(r.html));
		}
		expect(renderCompiled(planned, { steps: ['Open', 'Pay'] }).text).toBe('4. Intro\n5. Open\n6. Pay\n8. Done' + TAIL);
	});

	it('a value from the data: converted per recipient', async () => {
		const ct = await compileTemplate(html('<ol><li value="{{ n }}">a</li><li>b</li></ol>'));
		expect(ct.textPlan).toBeUndefined();
		expect(ct.textPlanReason).toMatch(/"value"/);
		expect(renderCompiled(ct, { n: 3 }).text).toBe('3. a\n4. b' + TAIL);
	});
});

describe('text part: a word hidden with visibility:hidden keeps its room', () => {
	it.each([
		['visibility:hidden inline: a space', 'Hello<span style="visibility:hidden">x</span>world', 'Hello world'],
		['visibility:hidden white space: a space', 'Hello<span style="visibility:hidden"> </span>world', 'Hello world'],
		['a zero font size takes no room', 'Hello<span style="font-size:0">x</span>world', 'Helloworld'],
		['display:none takes no room', 'Hello<span style="display:none">x</span>world', 'Helloworld'],
		['a block with display:none breaks no line', 'Hello<div style="display:none">x</div>world', 'Helloworld'],
		['a hidden block is a line of its own', 'Hello<div style="visibility:hidden">x</div>world', 'Hello\nworld'],
		['in a link: the label keeps the space', '<a href="https://x.example/a">Go<span style="visibility:hidden">-</span>now</a>', 'Go now (https://x.example/a)'],
		['a link with only hidden text writes nothing', 'a <a href="https://x.example/a"><span style="visibility:hidden">x</span></a> b', 'a b'],
	])('%s', (_name, input, expected) => {
		expect(htmlToText(input)).toBe(expected);
	});

	it('Liquid in the hidden text: the plan gives a space only when something is written there, as the HTML does', async () => {
		const ct = await compileTemplate(html('<p>Hello<span style="visibility:hidden">{{ v }}</span>world</p><p>A<span style="visibility:hidden">{% if w %}x{% endif %}</span>B</p>'));
		expect(ct.textPlan).toBeDefined();
		expect(renderCompiled(ct, { v: 'x', w: true }).text).toBe('Hello world\n\nA B' + TAIL);
		expect(renderCompiled(ct, { v: '', w: false }).text).toBe('Helloworld\n\nAB' + TAIL);
		const str = fc.array(fc.constantFrom('a', ' ', '', '\u00a0', '&', '<b>', '\n'), { maxLength: 4 }).map((a) => a.join(''));
		fc.assert(
			fc.property(str, fc.boolean(), (v, w) => {
				const r = renderCompiled(ct, { v, w });
				return r.text === htmlToText(r.html);
			}),
			{ numRuns: 200 },
		);
	});
});
