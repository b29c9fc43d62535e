/**
 * https-links reads the image candidates of `srcset` (on <img>, which <mj-image srcset> writes, and
 * on <picture><source>): a retina / wide candidate over http is what high-density screens load,
 * so it is as blocked or flagged as an http src.
 * Candidates as HTML parses a srcset (https://html.spec.whatwg.org/multipage/images.html#parsing-a-srcset-attribute).
 */
import { compileTemplate, lintTemplate, renderCompiled } from '../../../nodes/engines/render';
import { srcsetUrls } from '../../../nodes/engines/render/checks';

const UNSUB = '<a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a>';
const https = (findings: Array<{ check: string; message: string }>) => findings.filter((f) => f.check === 'https-links').map((f) => f.message);

describe('srcset candidates are checked for http', () => {
	it('srcset parsing: descriptors, commas inside URLs, extra commas', () => {
		expect(srcsetUrls('https://cdn.example/a.jpg 1x, http://cdn.example/a@2x.jpg 2x')).toEqual(['https://cdn.example/a.jpg', 'http://cdn.example/a@2x.jpg']);
		expect(srcsetUrls(' http://i.example/x.jpg?w=1,2 600w,,https://i.example/y.jpg 1200w ')).toEqual(['http://i.example/x.jpg?w=1,2', 'https://i.example/y.jpg']);
		// a URL runs to the next white space (a comma right after it ends the candidate): this is one URL
		expect(srcsetUrls('http://a.example/1.png,http://a.example/2.png 2x')).toEqual(['http://a.example/1.png,http://a.example/2.png']);
		expect(srcsetUrls('http://a.example/1.png, https://a.example/2.png 2x')).toEqual(['http://a.example/1.png', 'https://a.example/2.png']);
	});

	it('an <mj-image> whose srcset has an http candidate is reported on render and by Lint', async () => {
		const body = `<mjml><mj-body><mj-section><mj-column><mj-image alt="Hero" src="https://cdn.example/hero.jpg" srcset="https://cdn.example/hero.jpg 600w, http://cdn.example/hero@2x.jpg 1200w" /><mj-text>${UNSUB}</mj-text></mj-column></mj-section></mj-body></mjml>`;
		const input = { format: 'mjml' as const, body, subject: 's', preheader: 'p' };
		const r = renderCompiled(await compileTemplate(input), {});
		expect(r.warnings.filter((w) => w.startsWith('https-links'))).toEqual(['https-links: 1 image(s) loaded over http (blocked or flagged by clients): http://cdn.example/hero@2x.jpg']);
		expect(https((await lintTemplate(input, {})).findings)).toEqual(['1 image(s) loaded over http (blocked or flagged by clients): http://cdn.example/hero@2x.jpg']);
	});

	it('a srcset written from the data, and <picture><source srcset>, are read on the sample', async () => {
		const body = `<html><body><img alt="A" src="https://cdn.example/a.jpg" srcset="{{ p.retina }} 2x"><picture><source media="(max-width:480px)" srcset="http://cdn.example/m.jpg"><img alt="B" src="https://cdn.example/b.jpg"></picture>${UNSUB}</body></html>`;
		const report = await lintTemplate({ format: 'html', body, subject: 's', preheader: 'p' }, { p: { retina: 'http://cdn.example/a@2x.jpg' } });
		expect(https(report.findings)).toContain('2 image(s) loaded over http (blocked or flagged by clients): http://cdn.example/a@2x.jpg, http://cdn.example/m.jpg');
	});

	it('https candidates are not reported', async () => {
		const body = `<html><body><img alt="A" src="https://cdn.example/a.jpg" srcset="https://cdn.example/a.jpg 1x, //cdn.example/a@2x.jpg 2x">${UNSUB}</body></html>`;
		expect(https((await lintTemplate({ format: 'html', body, subject: 's', preheader: 'p' }, {})).findings)).toEqual([]);
	});
});
