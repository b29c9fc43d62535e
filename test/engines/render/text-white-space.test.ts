/**
 * The text part shows an element styled `white-space: pre-line`, `pre-wrap`, `pre` or
 * `break-spaces` as the browser shows the HTML part: its line breaks kept (a shipping address
 * written from the data with line breaks is three lines, not one run-on line); `pre-line` also
 * collapses runs of spaces, and keeps none around a line break. CSS Text 3, 3 and 4.1
 * (https://www.w3.org/TR/css-text-3/#white-space-property): `pre` / `pre-wrap` / `break-spaces`
 * preserve spaces, tabs and segment breaks; `pre-line` preserves segment breaks only, and spaces
 * around a segment break are removed (4.1.1, 4.1.2). `white-space` is inherited, the last
 * declaration wins. Expected texts written by hand from those rules.
 */
import { compileTemplate, htmlToText, renderCompiled } from '../../../nodes/engines/render';

const UNSUB = '<p><a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a></p>';

describe('text part: CSS white-space keeps line breaks as the HTML shows them', () => {
	it('pre-line: line breaks kept, runs of spaces collapsed, no space kept around a break', () => {
		expect(htmlToText('<p>Ship to:</p><p style="white-space: pre-line">Ada Lovelace\n   12 Harbour   Street  \nPortland, ME 04101</p><p>Thanks</p>')).toBe(
			['Ship to:', '', 'Ada Lovelace', '12 Harbour Street', 'Portland, ME 04101', '', 'Thanks'].join('\n'),
		);
	});

	it('pre-wrap and break-spaces keep spaces and tabs too; pre as well (on any element)', () => {
		expect(htmlToText('<div style="white-space:pre-wrap">2 x Tee      $20.00\n1 x Socks     $5.00</div>')).toBe('2 x Tee      $20.00\n1 x Socks     $5.00');
		expect(htmlToText('<td style="color:#111;WHITE-SPACE:Break-Spaces !important">a  b\nc</td>')).toBe('a  b\nc');
		expect(htmlToText('<span style="white-space:pre">x   y\nz</span>')).toBe('x   y\nz');
	});

	it('a kept line break before the first text starts no blank line at the top of the text', () => {
		expect(htmlToText('<td style="white-space:pre-line">\n  12 Harbour Street\n  Portland\n</td>')).toBe('12 Harbour Street\nPortland');
	});

	it('normal and nowrap collapse as before; the last declaration wins; the mode is inherited and ends with its element', () => {
		expect(htmlToText('<p style="white-space:nowrap">a\n  b</p>')).toBe('a b');
		expect(htmlToText('<p style="white-space:pre-line; white-space:normal">a\nb</p>')).toBe('a b');
		expect(htmlToText('<div style="white-space:pre-line"><b>a\nb</b><span style="white-space:normal">c\nd</span>\ne</div><p>f\ng</p>')).toBe('a\nbc d\ne\n\nf g');
		expect(htmlToText('<pre style="white-space:normal">a\n  b</pre>')).toBe('a b');
		expect(htmlToText('<p style="white-space:pre-line !important; white-space:normal">a\nb</p>')).toBe('a\nb');
		expect(htmlToText('<div style="white-space:pre-line"><p style="white-space:inherit">a\nb</p></div>')).toBe('a\nb');
	});

	it('an address from the data in a pre-line element: one line per line of the address, as the HTML shows it', async () => {
		const body = `<html><body><p>Hi {{ name }}</p><p style="white-space:pre-line">{{ order.address }}</p>${UNSUB}</body></html>`;
		const ct = await compileTemplate({ format: 'html', body, subject: 's', preheader: 'p' });
		const r = renderCompiled(ct, { name: 'Ada', order: { address: 'Ada Lovelace\n12 Harbour Street\nPortland, ME 04101' } });
		expect(r.text).toBe(['Hi Ada', '', 'Ada Lovelace', '12 Harbour Street', 'Portland, ME 04101', '', 'Unsubscribe (https://shop.example/unsubscribe?u=1)'].join('\n'));
	});

	it('MJML: a static pre-line element keeps the compiled text plan, which gives what converting each recipient gives', async () => {
		const body = '<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ name }}</mj-text><mj-text><div style="white-space:pre-line">Northwind Outfitters\n12 Harbour Street</div></mj-text><mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text></mj-column></mj-section></mj-body></mjml>';
		const ct = await compileTemplate({ format: 'mjml', body, subject: 's', preheader: 'p' });
		expect(ct.textPlan).toBeDefined();
		const r = renderCompiled(ct, { name: 'Ada', unsubscribe_url: 'https://shop.example/u/1' });
		expect(r.text).toBe(['Hi Ada', 'Northwind Outfitters', '12 Harbour Street', 'Unsubscribe (https://shop.example/u/1)'].join('\n'));
		for (const name of ['', 'Ada  &amp; Bo', 'é 🌷']) {
			const other = renderCompiled(ct, { name, unsubscribe_url: 'https://shop.example/u/2' });
			expect(other.text).toBe(htmlToText(other.html));
		}
	});
});
