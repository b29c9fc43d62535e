/**
 * The text part numbers a reversed ordered list as a browser does: counting down, from `start`
 * or by default from the number of its items ("If the reversed attribute is present, … the
 * default value of start is the number of child li elements"; each next item's number is one less,
 * https://html.spec.whatwg.org/multipage/grouping-content.html#the-ol-element). Expected texts are
 * hand-written.
 */
import { compileTemplate, htmlToText, renderCompiled, type TemplateInput } from '../../../nodes/engines/render';

const UNSUB = '<p><a href="https://x.example/unsubscribe">Unsubscribe</a></p>';
const html = (body: string): TemplateInput => ({ format: 'html', body: body + UNSUB, subject: 'Hi' });

describe('text part: reversed ordered lists', () => {
	it.each([
		['<ol reversed><li>Bronze</li><li>Silver</li><li>Gold</li></ol>', '3. Bronze\n2. Silver\n1. Gold'],
		['<ol reversed start="10"><li>a</li><li>b</li></ol>', '10. a\n9. b'],
		['<ol reversed="reversed" start="x"><li>a</li><li>b</li></ol>', '2. a\n1. b'],
		['<ol reversed><li>A<ol><li>x</li><li>y</li></ol></li><li>B</li></ol>', '2. A\n   1. x\n   2. y\n1. B'],
		['<ol><li>A<ol reversed><li>x</li><li>y</li></ol></li><li>B</li></ol><ol reversed><li>c</li></ol>', '1. A\n   2. x\n   1. y\n2. B\n1. c'],
	])('%s', (input, expected) => {
		expect(htmlToText(input)).toBe(expected);
	});

	it('items from a loop are counted per recipient (compiled text plan), equal to converting the HTML', async () => {
		const ct = await compileTemplate(html('<ol reversed>{% for s in steps %}<li>{{ s }}</li>{% endfor %}</ol>'));
		expect(ct.textPlan).toBeDefined();
		const three = renderCompiled(ct, { steps: ['Open', 'Pick', 'Pay'] });
		expect(three.text).toBe('3. Open\n2. Pick\n1. Pay\n\nUnsubscribe (https://x.example/unsubscribe)');
		expect(three.text).toBe(htmlToText(three.html));
		expect(renderCompiled(ct, { steps: ['Only'] }).text).toBe('1. Only\n\nUnsubscribe (https://x.example/unsubscribe)');
	});
});
