/**
 * The `unsafe-url` warning names where a replaced URL stood (element, attribute, or CSS url()) from
 * the template's text, and its scheme; nothing is said when no value was replaced.
 */
import { compileTemplate, renderCompiled } from '../../../nodes/engines/render';

const UNSUB = '<a href="https://x.example/unsubscribe">unsubscribe</a>';
const render = async (body: string, data: Record<string, unknown>) =>
	renderCompiled(await compileTemplate({ format: 'html', body: `<html><head>${body.startsWith('<style') ? body : ''}</head><body>${body.startsWith('<style') ? '' : body}${UNSUB}</body></html>`, subject: 'Hi' }), data);
const unsafe = (warnings: string[]) => warnings.filter((w) => w.startsWith('unsafe-url:'));

describe('unsafe-url warning: where the replaced value stood', () => {
	it.each([
		['<td style="color:#000;background:url(\'{{ u }}\')">x</td>', '<td style> url()'],
		['<style>.hero { background: url("{{ u }}"); }</style>', '<style> url()'],
		['<form action="{{ u }}"></form>', '<form action>'],
		['<IMG\nSRC = "{{ u }}">', '<img src>'],
	])('%s', async (body, place) => {
		const r = await render(body, { u: 'vbscript:msgbox(1)' });
		expect(unsafe(r.warnings)).toEqual([expect.stringContaining(`: ${place} (vbscript:). `)]);
		expect(r.html).not.toContain('msgbox');
	});

	it('says nothing when every value is safe, or the static start already decides the scheme', async () => {
		const r = await render('<img src="{{ u }}" alt=""><a href="https://shop.example/?next={{ u }}">x</a>', { u: 'https://cdn.example/a.png' });
		expect(unsafe(r.warnings)).toEqual([]);
		const q = await render('<a href="https://shop.example/?next={{ u }}">x</a>', { u: 'javascript:alert(1)' });
		expect(unsafe(q.warnings)).toEqual([]);
	});

	it('names only well-known schemes: other text before a colon may be the recipient\'s data', async () => {
		const r = await render('<img src="{{ u }}" alt="a"><a href="{{ v }}">x</a><a href="{{ w }}">y</a>', { u: 'jane.doe+vip2024:token', v: 'C:\\Users\\jane\\cv.pdf', w: 'JavaScript:alert(1)' });
		const [warning] = unsafe(r.warnings);
		expect(warning).toContain('<img src> (another scheme)');
		expect(warning).toContain('<a href> (another scheme)');
		expect(warning).toContain('<a href> (javascript:)');
		expect(warning).not.toMatch(/jane|vip2024|Users/i);
	});
});
