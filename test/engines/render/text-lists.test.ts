/**
 * The text part numbers ordered-list items as a browser shows them: 1., 2., … from the `start`
 * attribute (HTML integer rules: https://html.spec.whatwg.org/multipage/grouping-content.html#attr-ol-start),
 * nested lists counted on their own and indented. Expected texts are hand-written.
 */
import { compileTemplate, htmlToText, renderCompiled, type TemplateInput } from '../../../nodes/engines/render';

const UNSUB = '<p><a href="https://x.example/unsubscribe">Unsubscribe</a></p>';
const html = (body: string): TemplateInput => ({ format: 'html', body: body + UNSUB, subject: 'Hi' });

describe('text part: ordered lists', () => {
	it.each([
		['<p>Steps:</p><ol><li>Open the box</li><li>Plug it in</li><li>Enjoy</li></ol><p>Done</p>', 'Steps:\n\n1. Open the box\n2. Plug it in\n3. Enjoy\n\nDone'],
		['<ol start="3"><li>Third</li><li>Fourth</li></ol>', '3. Third\n4. Fourth'],
		['<ol start=" -1"><li>a</li><li>b</li><li>c</li></ol>', '-1. a\n0. b\n1. c'],
		['<ol start="x"><li>a</li></ol>', '1. a'],
		// "+" is skipped by the HTML rules for parsing integers (https://html.spec.whatwg.org/multipage/common-microsyntaxes.html#rules-for-parsing-integers)
		['<ol start="+4"><li>a</li><li>b</li></ol>', '4. a\n5. b'],
		// three levels: three spaces more per level
		['<ol><li>A<ol><li>B<ul><li>C</li><li>D</li></ul></li></ol></li><li>E</li></ol>', '1. A\n   1. B\n      - C\n      - D\n2. E'],
		['<ul><li>Apples</li><li>Pears</li></ul>', '- Apples\n- Pears'],
		['<ol><li>Fruit<ul><li>Apple</li><li>Pear</li></ul></li><li>Vegetables<ol start="10"><li>Leek</li><li>Kale</li></ol></li><li>Bread</li></ol>',
			'1. Fruit\n   - Apple\n   - Pear\n2. Vegetables\n   10. Leek\n   11. Kale\n3. Bread'],
		['<ol><li>a</li></ol><ol><li>b</li></ol>', '1. a\n1. b'],
		['<ol><li>shown</li><li style="display:none">hidden</li><li>next</li></ol>', '1. shown\n2. next'],
	])('%s', (input, expected) => {
		expect(htmlToText(input)).toBe(expected);
	});

	it('items from a loop are numbered per recipient (compiled text plan), equal to converting the HTML', async () => {
		const ct = await compileTemplate(html('<ol start="2">{% for s in steps %}<li>{{ s }}</li>{% endfor %}</ol>'));
		expect(ct.textPlan).toBeDefined();
		const r = renderCompiled(ct, { steps: ['Open', 'Pick', 'Pay'] });
		expect(r.text).toBe('2. Open\n3. Pick\n4. Pay\n\nUnsubscribe (https://x.example/unsubscribe)');
		expect(r.text).toBe(htmlToText(r.html));
		expect(renderCompiled(ct, { steps: ['Only'] }).text.split('\n')[0]).toBe('2. Only');
	});

	it('a start from the data: converted per recipient, numbered from it', async () => {
		const ct = await compileTemplate(html('<ol start="{{ n }}"><li>a</li><li>b</li></ol>'));
		expect(ct.textPlan).toBeUndefined();
		expect(renderCompiled(ct, { n: 7 }).text.split('\n').slice(0, 2)).toEqual(['7. a', '8. b']);
	});
});
