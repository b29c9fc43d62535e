/**
 * The Subject written into an empty <title> and the Preheader parameter written into the hidden
 * preview div. Rule: the Subject is plain text, HTML-escaped in <title> whatever "Escape HTML in
 * Values" says; the Preheader is text the marketer writes as HTML (character references such as
 * `&zwnj;&nbsp;` padding or `&amp;` are written as they are) and the values in it are always
 * HTML-escaped (with the option off too: a preview line is text). Before, the Preheader was
 * escaped as a whole (`&amp;zwnj;` showed as text) and with the option off both were written raw
 * (a value could end </title>). Expected strings by hand from the escape map.
 */
import { compileTemplate, renderCompiled, type TemplateInput } from '../../../nodes/engines/render';
import { htmlToText } from '../../../nodes/engines/render/text';

const page = '<html><head><title></title></head><body><p>Hi</p><a href="https://x.example/u">Unsubscribe</a></body></html>';
const input = (extra: Partial<TemplateInput>): TemplateInput => ({ format: 'html', body: page, subject: 'Hi', ...extra });
const DIV = /<div style="display:none;[^"]*mso-hide:all;">(.*?)<\/div>/;

describe('Preheader: marketer text as HTML, values escaped', () => {
	it('padding and references written by the marketer stay references; values are escaped once', async () => {
		const ct = await compileTemplate(input({ preheader: 'Sale &amp; more {{ name }}&zwnj;&nbsp;&zwnj;&nbsp;' }));
		const res = renderCompiled(ct, { name: 'Ada & <Bo>' });
		expect(DIV.exec(res.html)?.[1]).toBe('Sale &amp; more Ada &amp; &lt;Bo&gt;&zwnj;&nbsp;&zwnj;&nbsp;');
		// the preview line as inboxes show it: references decoded, padding dropped
		expect(res.preheader).toBe('Sale & more Ada & <Bo>');
		expect(res.text).toBe(htmlToText(res.html));
		expect(res.text).not.toMatch(/Sale|zwnj/);
	});

	it('a preheader of padding only renders empty and is reported', async () => {
		const ct = await compileTemplate(input({ preheader: '{{ missing }}&zwnj;&nbsp;&zwnj;&nbsp;' }));
		const res = renderCompiled(ct, {});
		expect(res.preheader).toBe('');
		expect(res.warnings).toContain('preheader: the preheader rendered empty');
	});

	it('with Escape HTML in Values off, values in the preheader are still escaped', async () => {
		const ct = await compileTemplate(input({ preheader: 'P {{ p }}', liquid: { escapeHtml: false } }));
		const res = renderCompiled(ct, { p: '</div><script>alert(1)</script>' });
		expect(DIV.exec(res.html)?.[1]).toBe('P &lt;/div&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(res.html).not.toContain('<script>');
		expect(res.preheader).toBe('P </div><script>alert(1)</script>');
	});
});

describe('Preheader: a < or > the marketer types is text', () => {
	it('`Hi <you>` shows as typed and a typed </div> cannot end the hidden div; Liquid tags with < still work', async () => {
		const ct = await compileTemplate(input({ preheader: 'Hi <you> </div>more {% if n < 3 %}few{% else %}many{% endif %} &amp; {{ name }}' }));
		const res = renderCompiled(ct, { n: 2, name: 'Ada' });
		expect(DIV.exec(res.html)?.[1]).toBe('Hi &lt;you&gt; &lt;/div&gt;more few &amp; Ada');
		expect(res.preheader).toBe('Hi <you> </div>more few & Ada');
		// the visible email shows none of it
		expect(res.text).not.toMatch(/more|you/);
	});
});

describe('Subject in <title>: always escaped', () => {
	it('escaping on: escaped once', async () => {
		const ct = await compileTemplate(input({ subject: '{{ s }} & more', preheader: 'p' }));
		const res = renderCompiled(ct, { s: 'A & "B" <c>' });
		expect(res.html).toContain('<title>A &amp; &#34;B&#34; &lt;c&gt; &amp; more</title>');
		expect(res.subject).toBe('A & "B" <c> & more');
	});

	it('escaping off: a value cannot end the title', async () => {
		const ct = await compileTemplate(input({ subject: '{{ s }}', preheader: 'p', liquid: { escapeHtml: false } }));
		const res = renderCompiled(ct, { s: '</title><img src=x onerror=alert(1)>' });
		expect(res.html).toContain('<title>&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;</title>');
		expect(res.html).not.toContain('<img');
		expect(res.subject).toBe('</title><img src=x onerror=alert(1)>');
	});
});
