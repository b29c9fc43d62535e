/**
 * The text part drops the invisible characters that templates use as preheader padding
 * (`&zwnj;&nbsp;`, `&#847;`) and as hyphenation / line-break hints in visible text (`&shy;`,
 * `&#8203;`, U+2060, U+FEFF): plain-text readers showed them as garbage and they split words for
 * screen readers. Joiners that carry meaning between letters (ZWNJ in Persian, ZWJ in emoji
 * sequences, ZWSP between Thai words) are kept. Expected texts written by hand from the Unicode
 * roles of the characters (Unicode 23.2 Layout Controls, UTS #51, UAX #14).
 */
import { compileTemplate, htmlToText, renderCompiled } from '../../../nodes/engines/render';

const UNSUB = '<a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a>';

describe('text part: invisible characters', () => {
	it('soft hyphens, word joiners and BOMs are dropped wherever they stand', () => {
		expect(htmlToText('<p>&#xFEFF;Unser Sonder&shy;angebot: 50&#8288;% auf alles&shy;</p>')).toBe('Unser Sonderangebot: 50% auf alles');
	});

	it('padding runs after visible text are dropped (no trailing garbage, no doubled spaces)', () => {
		expect(htmlToText('<p>Fresh picks for you&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;&#847;&zwnj;&nbsp;&#8203;</p><p>Hi&#8203; there &zwnj; Ada</p>')).toBe('Fresh picks for you\n\nHi there Ada');
	});

	it('joiners between two letters are kept: Persian ZWNJ, emoji ZWJ sequences, Thai ZWSP', () => {
		expect(htmlToText('<p>می&zwnj;خواهم</p>')).toBe('می\u200cخواهم');
		expect(htmlToText('<p>Our team 👩&zwj;💻 and ❤️&zwj;🔥 deals</p>')).toBe('Our team 👩\u200d💻 and ❤️\u200d🔥 deals');
		expect(htmlToText('<p>สวัสดี&#8203;ครับ</p>')).toBe('สวัสดี\u200bครับ');
	});

	it('MJML: the compiled text plan gives the same text as converting each recipient\'s HTML', async () => {
		const body = `<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ name }}&nbsp;&zwnj;&nbsp;&zwnj;</mj-text><mj-text>Sonder&shy;angebot</mj-text><mj-text>${UNSUB}</mj-text></mj-column></mj-section></mj-body></mjml>`;
		const ct = await compileTemplate({ format: 'mjml', body, subject: 's', preheader: 'p' });
		expect(ct.textPlan).toBeDefined();
		expect(renderCompiled(ct, { name: 'Ada' }).text).toBe(['Hi Ada', 'Sonderangebot', 'Unsubscribe (https://shop.example/unsubscribe?u=1)'].join('\n'));
		for (const name of ['Ada\u00ad', '\u200b', 'می\u200cخواهم', '\ufeffBo', 'a \u200d b', '']) {
			const r = renderCompiled(ct, { name });
			expect(r.text).toBe(htmlToText(r.html));
		}
		expect(renderCompiled(ct, { name: 'Bo\u00adb\u200b' }).text.split('\n')[0]).toBe('Hi Bob');
	});
});
