/**
 * Review 6 F6: the compile drops MJML's indentation and blank lines (about a quarter of its output)
 * but not inside <pre>, <textarea> or an element styled white-space: pre / pre-wrap / pre-line /
 * break-spaces: there they are content, and stay as stock mjml writes them.
 */
import { compileTemplate, renderCompiled } from '../../../nodes/engines/render';
import { loadMjml, squeezeWhitespace } from '../../../nodes/engines/render/mjml';

const stockMjml = async (body: string) => (await (await loadMjml()).compile(body, { validationLevel: 'soft', minify: false, beautify: false })).html;
const ours = async (body: string, data: Record<string, unknown>) => renderCompiled(await compileTemplate({ format: 'mjml', body, subject: 's' }), data, { skipText: true }).html;
const mjml = (texts: string[]) => `<mjml><mj-body><mj-section><mj-column>${texts.map((t) => `<mj-text>${t}</mj-text>`).join('')}</mj-column></mj-section></mj-body></mjml>`;

describe('white space that is content survives the compile', () => {
	it('<pre> indentation and pre-line blank lines as stock mjml writes them', async () => {
		const body = mjml([
			'<pre>\nOrder #1042\n  2 x Tee      $20.00\n  1 x Socks     $5.00</pre>',
			'<div style="white-space:pre-line">{{ name }}\n\n12 Harbour Street</div>',
			'<a href="{{ unsubscribe_url }}">Unsubscribe</a>',
		]);
		const ref = await stockMjml(body.replace('{{ name }}', 'Ada').replace('{{ unsubscribe_url }}', 'https://u'));
		const out = await ours(body, { name: 'Ada', unsubscribe_url: 'https://u' });
		const pick = (h: string) => [h.match(/<pre>[\s\S]*?<\/pre>/)?.[0], h.match(/pre-line">[\s\S]*?<\/div>/)?.[0]];
		expect(pick(out)).toEqual(pick(ref));
		expect(pick(out)[0]).toBe('<pre>\nOrder #1042\n  2 x Tee      $20.00\n  1 x Socks     $5.00</pre>');
	});

	it('pre-wrap with a nested element of the same name, <textarea>, and break-spaces keep theirs; the rest is squeezed', () => {
		const html = [
			'<table>\n    <tr>\n\n      <td>',
			'<div style="color:red; white-space: pre-wrap">a\n    <div>\n\n  b</div>\n  c</div>',
			'\n      <textarea>\n  x\n\n  y</textarea>',
			"\n   <span style='white-space:break-spaces'>\n  z</span>",
			'\n   <p style="white-space:normal">\n   n</p>',
			'\n    </td>\n  </tr>\n</table>',
		].join('');
		expect(squeezeWhitespace(html)).toBe(
			[
				'<table>\n<tr>\n<td>',
				'<div style="color:red; white-space: pre-wrap">a\n    <div>\n\n  b</div>\n  c</div>',
				'\n<textarea>\n  x\n\n  y</textarea>',
				"\n<span style='white-space:break-spaces'>\n  z</span>",
				'\n<p style="white-space:normal">\nn</p>',
				'\n</td>\n</tr>\n</table>',
			].join(''),
		);
	});

	it('an element that is never closed keeps its white space to the end', () => {
		expect(squeezeWhitespace('<p>\n  a</p>\n  <pre>\n  b\n\n')).toBe('<p>\na</p>\n<pre>\n  b\n\n');
	});
});
