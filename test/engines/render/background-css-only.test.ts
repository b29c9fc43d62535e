/**
 * https-links reads CSS url() where CSS is: a <style> element and style attributes. The text
 * "url(http://…)" elsewhere (visible copy such as a CSS tip in a newsletter, a link's query, an
 * alt text) loads no image, and was reported as "image(s) loaded over http". Expected by hand.
 */
import { lintTemplate } from '../../../nodes/engines/render';

const UNSUB = '<a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a>';
const https = async (body: string) =>
	(await lintTemplate({ format: 'html', body, subject: 's', preheader: 'p' }, {})).findings.filter((f) => f.check === 'https-links').map((f) => f.message);

describe('https-links: CSS url() only in CSS', () => {
	it('"url(http://…)" in visible text, an https link\'s query and an alt is no background image', async () => {
		const body = `<html><body><p>Tip: write <code>background: url(http://cdn.example/tip.png)</code> in your CSS.</p><p><a href="https://shop.example/r?to=url(http://cdn.example/q.png)">Go</a> <img src="https://cdn.example/i.png" alt="url(http://cdn.example/alt.png)"></p><p>${UNSUB}</p></body></html>`;
		expect(await https(body)).toEqual([]);
	});

	it('still reads <style> (with attributes, or left open at the end) and style attributes, in document order', async () => {
		const body = `<html><head><style type="text/css">.a { background: url(http://cdn.example/a.png) }</style></head><body><div style="background-image: url(&quot;http://cdn.example/b.png&quot;)">x</div><p>${UNSUB}</p><style>.c { background: url('http://cdn.example/c.png') }`;
		expect(await https(body)).toEqual(['3 image(s) loaded over http (blocked or flagged by clients): http://cdn.example/a.png, http://cdn.example/b.png, http://cdn.example/c.png']);
	});
});
