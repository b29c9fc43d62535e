/**
 * https-links reads background images: an http `<mj-section background-url>` / `<mj-hero>` (which
 * MJML writes as a `background` attribute, a CSS `background:url('…')` and an Outlook VML
 * `<v:fill src>` / `<v:image src>`), CSS `url(http://…)` in an HTML template's style attribute or
 * `<style>`, and an HTML `background` attribute. Clients block or flag them as they do an http
 * image; each URL is listed once. Expected messages written by hand.
 */
import { compileTemplate, lintTemplate, renderCompiled } from '../../../nodes/engines/render';

const UNSUB = '<a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a>';
const https = (findings: Array<{ check: string; message: string }>) => findings.filter((f) => f.check === 'https-links').map((f) => f.message);

describe('https-links: background images', () => {
	it('MJML section and hero background-url over http: each URL once, on render and by Lint', async () => {
		const body = `<mjml><mj-body><mj-section background-url="http://cdn.example/bg.jpg"><mj-column><mj-text>${UNSUB}</mj-text></mj-column></mj-section><mj-hero background-url="http://cdn.example/hero.jpg" background-height="200px" background-width="600px"><mj-text>Hi</mj-text></mj-hero></mj-body></mjml>`;
		const input = { format: 'mjml' as const, body, subject: 's', preheader: 'p' };
		const expected = '2 image(s) loaded over http (blocked or flagged by clients): http://cdn.example/bg.jpg, http://cdn.example/hero.jpg';
		expect(renderCompiled(await compileTemplate(input), {}).warnings.filter((w) => w.startsWith('https-links'))).toEqual([`https-links: ${expected}`]);
		expect(https((await lintTemplate(input, {})).findings)).toEqual([expected]);
	});

	it('HTML: CSS url() in a style attribute (quotes as references too) and in <style>, and a background attribute (the message lists three, then a count)', async () => {
		const body = `<html><head><style>.hero { background-image: url( "http://cdn.example/a.png" ); }</style></head><body><table background="http://cdn.example/b.gif"><tr><td style="background:#fff url(&quot;http://cdn.example/c.jpg&quot;) no-repeat">${UNSUB}</td><td style="background-image:url(http://cdn.example/d.jpg)"></td></tr></table></body></html>`;
		expect(https((await lintTemplate({ format: 'html', body, subject: 's', preheader: 'p' }, {})).findings)).toEqual([
			'4 image(s) loaded over http (blocked or flagged by clients): http://cdn.example/b.gif, http://cdn.example/a.png, http://cdn.example/c.jpg and 1 more',
		]);
	});

	it('https, protocol-relative and data-driven https backgrounds are not reported', async () => {
		const body = `<html><body><table background="https://cdn.example/b.gif" style="background:url('//cdn.example/c.jpg')"><tr><td style="background-image:url('{{ bg }}')">${UNSUB}</td></tr></table></body></html>`;
		expect(https((await lintTemplate({ format: 'html', body, subject: 's', preheader: 'p' }, { bg: 'https://cdn.example/d.jpg' })).findings)).toEqual([]);
	});
});
