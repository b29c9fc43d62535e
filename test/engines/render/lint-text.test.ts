/** Lint findings (one per check, with severity) and the HTML-to-text part. */
import fs from 'node:fs';
import path from 'node:path';
import { htmlToText, lintTemplate, type TemplateInput } from '../../../nodes/engines/render';

const examples = path.join(__dirname, '..', '..', '..', 'nodes', 'RenderEmail', 'examples');
const reference: TemplateInput = {
	format: 'mjml',
	body: fs.readFileSync(path.join(examples, 'reference-email.mjml'), 'utf8'),
	blocks: JSON.parse(fs.readFileSync(path.join(examples, 'reference-blocks.json'), 'utf8')),
	subject: 'Hi {{ profile.first_name }}',
	preheader: 'New picks for you',
};
const sample = JSON.parse(fs.readFileSync(path.join(examples, 'sample-recipient.json'), 'utf8'));
const checks = (r: { findings: Array<{ severity: string; check: string }> }) => r.findings.map((f) => `${f.severity}:${f.check}`);

describe('lint', () => {
	it('the reference email with its sample has no errors', async () => {
		const report = await lintTemplate(reference, sample);
		expect(report.errors).toBe(0);
		expect(report.ok).toBe(true);
		expect(report.sample?.size_bytes).toBeGreaterThan(20000);
		expect(report.sample?.size_bytes).toBeLessThan(60000);
	});

	it('Liquid syntax errors carry source, line and column', async () => {
		const report = await lintTemplate({ ...reference, subject: 'Hi {{ name ', blocks: [...(reference.blocks ?? []).filter((b) => b.name !== 'hero'), { name: 'hero', content: '<mj-section>\n<mj-column>\n  <mj-text>{% if x %}</mj-text>\n</mj-column></mj-section>' }] }, sample);
		expect(report.ok).toBe(false);
		const syntax = report.findings.filter((f) => f.check === 'liquid-syntax');
		expect(syntax).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ severity: 'error', source: 'subject', line: 1, column: 4 }),
				expect.objectContaining({ severity: 'error', source: 'block:hero', line: 3, column: 12 }),
			]),
		);
	});

	it('finds missing variables, MJML validation errors, alt, http, unsubscribe, preheader, fonts, unresolved Liquid', async () => {
		const body = `<mjml><mj-body>
<mj-section><mj-column>
<mj-image src="http://cdn.test/a.png" />
<mj-text font-family="Brandon Grotesque">Hi {{ profile.nickname }} {{ '{{' }} oops</mj-text>
<mj-text><a href="http://shop.test/">Shop</a></mj-text>
<mj-bogus />
</mj-column></mj-section>
</mj-body></mjml>`;
		const report = await lintTemplate({ format: 'mjml', body, subject: 'Hello' }, { profile: {} });
		expect(checks(report)).toEqual(
			expect.arrayContaining([
				'warning:missing-variable',
				'error:mjml-validation',
				'warning:image-alt',
				'warning:https-links',
				'error:unsubscribe-link',
				'warning:preheader',
				'warning:font-fallback',
				'error:unresolved-liquid',
			]),
		);
		const missing = report.findings.find((f) => f.check === 'missing-variable');
		expect(missing).toMatchObject({ source: 'body', line: 4 });
		expect(missing?.message).toContain('profile.nickname');
		expect(report.findings.find((f) => f.check === 'mjml-validation')?.message).toMatch(/body line 6/);
	});

	it('flags HTML over 102 KB (Gmail clipping)', async () => {
		const big = `<html><body><p>${'x'.repeat(110 * 1024)}</p><a href="https://x.test/unsubscribe">Unsubscribe</a></body></html>`;
		const report = await lintTemplate({ format: 'html', body: big, subject: 's', preheader: 'p' }, {});
		expect(checks(report)).toContain('error:gmail-clipping');
		const small = await lintTemplate({ format: 'html', body: big.replace(/x{110000}/, ''), subject: 's', preheader: 'p' }, {});
		expect(checks(small)).not.toContain('error:gmail-clipping');
	});

	it('reports an MJML pitfall as a finding with its line', async () => {
		const report = await lintTemplate({ format: 'mjml', body: '<mjml><mj-body>\n<mj-section><mj-column width="{{ w }}"><mj-text>x</mj-text></mj-column></mj-section></mj-body></mjml>', subject: 's' }, { w: '50%' });
		expect(report.findings[0]).toMatchObject({ severity: 'error', check: 'mjml-typed-attribute', source: 'body', line: 2 });
	});
});

describe('htmlToText', () => {
	it('decodes every HTML5 character reference, not only a few common ones', () => {
		// Code points from the HTML standard's named character reference table, written by hand:
		// eacute U+00E9, rarr U+2192, uuml U+00FC, hearts U+2665, Eacute U+00C9, and numeric ones.
		expect(htmlToText('<p>Caf&eacute; &rarr; Men&uuml; &hearts; &Eacute;t&eacute; &#233; &#x1F600;</p>')).toBe('Caf\u00e9 \u2192 Men\u00fc \u2665 \u00c9t\u00e9 \u00e9 \u{1F600}');
		// The common ones still decode, and a text that only looks like a reference stays.
		// (A no-break space becomes a plain one in the text part, as before.)
		expect(htmlToText('<p>Fish &amp; chips &ndash; 5&nbsp;&euro; &zzz;</p>')).toBe('Fish & chips \u2013 5 \u20ac &zzz;');
		// The HTML standard's own example of a legacy reference without ";" in text: "I'm &notit; I tell you" reads "I'm ¬it; I tell you".
		expect(htmlToText("<p>I'm &notit; I tell you</p>")).toBe("I'm \u00acit; I tell you");
	});

	it('paragraphs, links, alt text, entities; no head, style or hidden preheader', () => {
		const html = `<!doctype html><html><head><title>T</title><style>p{color:red}</style></head><body>
<div style="display:none;max-height:0">Preheader text</div>
<!--[if mso]><table><tr><td><![endif]-->
<h1>Spring &amp; summer</h1>
<p>Hi Ada,<br>your picks:</p>
<table><tr><td><a href="https://shop.test/p/1"><img src="a.jpg" alt="Merino crew"></a></td><td>$89.00</td></tr></table>
<p><a href="https://shop.test/unsubscribe">Unsubscribe</a> &middot; <a href="https://shop.test/">https://shop.test/</a></p>
<img src="https://t.test/o.gif" width="1" height="1" alt="pixel">
</body></html>`;
		expect(htmlToText(html)).toBe(
			['Spring & summer', '', 'Hi Ada,', 'your picks:', '', 'Merino crew (https://shop.test/p/1) $89.00', '', 'Unsubscribe (https://shop.test/unsubscribe) · https://shop.test/'].join('\n'),
		);
	});
});
