/**
 * An explicit `| escape` / `| escape_once` / `| xml_escape` as the last filter (how Shopify themes
 * and most ESP templates are written, since Shopify escapes nothing itself) is the output escape:
 * with Escape HTML in Values on it is not escaped a second time (recipients saw `&amp;amp;`).
 * Expected strings are written by hand from the HTML escape map (& < > " ' → &amp; &lt; &gt; &#34; &#39;).
 */
import { compileTemplate, lintTemplate, renderCompiled, type TemplateInput } from '../../../nodes/engines/render';
import { htmlToText } from '../../../nodes/engines/render/text';

const UNSUB = '<a href="https://x.example/unsubscribe">Unsubscribe</a>';
const html = (body: string, extra: Partial<TemplateInput> = {}): TemplateInput => ({ format: 'html', body: `<html><body>${body}${UNSUB}</body></html>`, subject: 'Hi', preheader: 'p', ...extra });
const data = { n: 'Hat & "Scarf"', e: 'Tom &amp; Jerry <b>', u: '&#106;avascript:alert(1)', j: 'javascript:alert(1)' };

describe('explicit escape filters are the output escape', () => {
	it('escape, escape_once and xml_escape write the value escaped once', async () => {
		const ct = await compileTemplate(html('<p>{{ n | escape }}|{{ n | escape_once }}|{{ e | escape_once }}|{{ n | xml_escape }}|{{ n }}</p>'));
		const res = renderCompiled(ct, data);
		expect(res.html).toContain('<p>Hat &amp; &#34;Scarf&#34;|Hat &amp; &#34;Scarf&#34;|Tom &amp; Jerry &lt;b&gt;|Hat &amp; &#34;Scarf&#34;|Hat &amp; &#34;Scarf&#34;</p>');
		expect(res.text).toContain('Hat & "Scarf"|Hat & "Scarf"|Tom & Jerry <b>|Hat & "Scarf"|Hat & "Scarf"');
		// the text part from the compiled plan is the text of the recipient's HTML
		expect(res.text).toBe(htmlToText(res.html));
	});

	it('in an attribute too', async () => {
		const ct = await compileTemplate(html('<img alt="{{ n | escape }}" src="https://x.example/i.png">'));
		expect(renderCompiled(ct, data).html).toContain('alt="Hat &amp; &#34;Scarf&#34;"');
	});

	it('a filter after the escape still gets the output escape', async () => {
		const ct = await compileTemplate(html('<p>{{ n | escape | append: "<i>" }}</p>'));
		expect(renderCompiled(ct, data).html).toContain('<p>Hat &amp;amp; &amp;#34;Scarf&amp;#34;&lt;i&gt;</p>');
	});

	it('with Escape HTML in Values off, | escape escapes once (as before)', async () => {
		const ct = await compileTemplate(html('<p>{{ n | escape }}|{{ e | escape_once }}</p>', { liquid: { escapeHtml: false } }));
		expect(renderCompiled(ct, data).html).toContain('<p>Hat &amp; &#34;Scarf&#34;|Tom &amp; Jerry &lt;b&gt;</p>');
	});

	it('the URL guard still applies: escape_once never turns a reference into a scheme', async () => {
		const ct = await compileTemplate(html('<a href="{{ u | escape_once }}">a</a><a href="{{ j | escape }}">b</a><a href="https://s.example/?q={{ e | escape_once }}">c</a>'));
		const res = renderCompiled(ct, data);
		// &#106; is written &amp;#106;: the browser reads the text "&#106;avascript:…", a relative link
		expect(res.html).toContain('<a href="&amp;#106;avascript:alert(1)">a</a>');
		expect(res.html).toContain('<a href="#">b</a>');
		expect(res.html).toContain('<a href="https://s.example/?q=Tom &amp; Jerry &lt;b&gt;">c</a>');
	});

	it('the HTML is the same with and without the text part, and in MJML', async () => {
		const ct = await compileTemplate(html('<p>{% for i in (1..2) %}{{ n | escape }}{% endfor %}</p>'));
		expect(renderCompiled(ct, data, { skipText: true }).html).toBe(renderCompiled(ct, data).html);
		const mj = await compileTemplate({
			format: 'mjml',
			subject: 'Hi',
			preheader: 'p',
			body: `<mjml><mj-body><mj-section><mj-column><mj-text>{{ n | escape }}</mj-text><mj-text>${UNSUB}</mj-text></mj-column></mj-section></mj-body></mjml>`,
		});
		expect(renderCompiled(mj, data).html).toContain('Hat &amp; &#34;Scarf&#34;</div>');
	});

	it('Lint renders the sample the same way (no double escape in its report)', async () => {
		const report = await lintTemplate(html('<p>{{ n | escape }}</p>', { subject: '{{ n }}' }), data);
		expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
	});
});
