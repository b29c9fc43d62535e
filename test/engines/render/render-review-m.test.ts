/**
 * Review of Render Email from a marketer's side: the plain-text part of tel:/sms: links, the
 * font-fallback check on family names that contain a generic word, line breaks in the subject.
 * Expected values are written by hand from the HTML and the specs cited.
 */
import { compileTemplate, htmlToText, renderCompiled } from '../../../nodes/engines/render';


describe('text part: phone and SMS links keep their number', () => {
	it('a "Call us" tel: link reads "Call us (tel:+33123456789)", as http and mailto links do', () => {
		expect(htmlToText('<p><a href="tel:+33123456789">Call us</a></p>')).toBe('Call us (tel:+33123456789)');
	});

	it('an sms: link keeps its number; a label that is the number is not repeated', () => {
		expect(htmlToText('<p><a href="sms:+15550100">Text us</a> or <a href="tel:+15550100">+15550100</a></p>')).toBe(
			'Text us (sms:+15550100) or +15550100',
		);
	});

	it('the compiled text plan gives the same text per recipient', async () => {
		const ct = await compileTemplate({ format: 'html', body: '<p><a href="tel:{{ phone }}">Call {{ name }}</a></p>', subject: 's' });
		const r = renderCompiled(ct, { phone: '+33123456789', name: 'Ada' });
		expect(ct.textPlan).toBeDefined();
		expect(r.text).toBe('Call Ada (tel:+33123456789)');
	});
});
