/**
 * The text part keeps a <pre> as it is shown: its spaces and line breaks (an order summary's
 * columns, an address) instead of one run-on line. As HTML renders <pre>: white space kept, the
 * line break right after the start tag not shown
 * (https://html.spec.whatwg.org/multipage/grouping-content.html#the-pre-element).
 * Expected texts written by hand.
 */
import { compileTemplate, htmlToText, renderCompiled } from '../../../nodes/engines/render';

const RECEIPT = '<pre>\nOrder #1042\n  2 x Tee      $20.00\n  1 x Socks     $5.00\n\n  Total        $25.00\n</pre>';
const UNSUB = '<a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a>';

describe('text part: <pre> keeps its white space', () => {
	it('columns, indentation and blank lines of a <pre>; the text around it as before', () => {
		expect(htmlToText(`<p>Your   order:</p>${RECEIPT}<p>Thanks!</p>`)).toBe(
			['Your order:', '', 'Order #1042', '  2 x Tee      $20.00', '  1 x Socks     $5.00', '', '  Total        $25.00', '', 'Thanks!'].join('\n'),
		);
	});

	it('entities, tabs and no-break spaces in a <pre>; elements inside it; CRLF line breaks', () => {
		expect(htmlToText('<pre>a&nbsp;&nbsp;&lt;b&gt;\tc\r\n<b>bold</b>   <a href="https://x.example/t">track</a></pre>')).toBe('a  <b>\tc\nbold   track (https://x.example/t)');
	});

	it('a <pre> inside a hidden element stays out; white space after the <pre> collapses again', () => {
		expect(htmlToText('<div style="display:none"><pre>secret\n  x</pre></div><p>a    b\n  c</p><pre>k  l</pre><p>m   n</p>')).toBe('a b c\n\nk  l\n\nm n');
	});

	it('MJML: a static <pre> keeps the compiled text plan and its white space', async () => {
		const body = `<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ name }}</mj-text><mj-text>${RECEIPT}</mj-text><mj-text>${UNSUB}</mj-text></mj-column></mj-section></mj-body></mjml>`;
		const ct = await compileTemplate({ format: 'mjml', body, subject: 's', preheader: 'p' });
		expect(ct.textPlan).toBeDefined();
		const r = renderCompiled(ct, { name: 'Ada' });
		expect(r.text).toBe(
			['Hi Ada', 'Order #1042', '  2 x Tee      $20.00', '  1 x Socks     $5.00', '', '  Total        $25.00', 'Unsubscribe (https://shop.example/unsubscribe?u=1)'].join('\n'),
		);
		expect(r.text).toBe(htmlToText(r.html));
		for (const name of ['', '  ', 'Ada  &amp; Bo', '<pre>x  y</pre>', 'é 🌷', 'a\u00a0\u00a0b']) {
			const other = renderCompiled(ct, { name });
			expect(other.text).toBe(htmlToText(other.html)); // the plan gives what converting the recipient's HTML gives
		}
	});

	it('Liquid inside a <pre> (a per-recipient receipt): converted per recipient, white space kept', async () => {
		const body = `<html><body><p>Hi {{ name }}</p><pre>{% for i in items %}{{ i.qty }} x {{ i.name }}   {{ i.price }}\n{% endfor %}</pre>${UNSUB}</body></html>`;
		const ct = await compileTemplate({ format: 'html', body, subject: 's', preheader: 'p' });
		const r = renderCompiled(ct, { name: 'Ada', items: [{ qty: 2, name: 'Tee', price: '$20.00' }, { qty: 1, name: 'Socks & more', price: '$5.00' }] });
		expect(r.text).toBe(['Hi Ada', '', '2 x Tee   $20.00', '1 x Socks & more   $5.00', 'Unsubscribe (https://shop.example/unsubscribe?u=1)'].join('\n'));
	});
});
