/**
 * URL guard and <noscript>: a browser with scripting on (an email's web version, "view in
 * browser") reads a <noscript>'s content as raw text up to the first "</noscript"
 * (https://html.spec.whatwg.org/multipage/parsing.html#parsing-html-fragments, the "scripting
 * flag"), while the guard reads it as markup. Each template below, found by a review, rendered a
 * live javascript: link with scripting on (parse5 with scriptingEnabled) although the guard saw the
 * output inside an attribute, a comment or a <style>. Liquid output inside a <noscript> is now
 * refused at compile time; <noscript> without Liquid, and Liquid after it, are unchanged.
 */
import { parse } from 'parse5';
import { compileTemplate, renderCompiled, type TemplateInput } from '../../../nodes/engines/render';

const UNSUB = '<a href="https://x.example/unsubscribe">unsubscribe</a>';
const input = (body: string): TemplateInput => ({ format: 'html', body: body + UNSUB, subject: 'Hi' });

/** Every href of the document as a browser with scripting on builds it. */
function hrefsWithScripting(html: string): string[] {
	const out: string[] = [];
	const walk = (node: { attrs?: Array<{ name: string; value: string }>; childNodes?: unknown[] }) => {
		for (const a of node.attrs ?? []) if (a.name === 'href') out.push(a.value);
		for (const c of node.childNodes ?? []) walk(c as typeof node);
	};
	walk(parse(html, { scriptingEnabled: true }) as never);
	return out;
}

describe('<noscript>: Liquid output inside is refused', () => {
	it.each([
		['in an attribute value holding "</noscript>"', '<noscript><p title="</noscript><a href={{ u }}>">x</p></noscript>'],
		['in a comment holding "</noscript>"', '<noscript><!-- </noscript><a href="{{ u }}"> --></noscript>'],
		['in a <style> holding "</noscript>"', '<noscript><style></noscript><a href="{{ u }}"></style></noscript>'],
		['in plain text', '<noscript><p>Hello {{ name }}</p></noscript>'],
	])('%s', async (_case, body) => {
		await expect(compileTemplate(input(body))).rejects.toThrow(/Liquid inside <noscript>/);
	});

	it('a <noscript> opened by a literal written raw is refused too (the guard would not know it is inside one)', async () => {
		await expect(compileTemplate(input(`{{ '<noscript>' | raw }}<p title="</noscript><a href={{ u }}>">x</p>{{ '</noscript>' | raw }}`))).rejects.toThrow(/A literal written without escaping \("<noscript>"/);
		// a whole <noscript> element written raw leaves the reading where it found it
		const ct = await compileTemplate(input(`{{ '<noscript><p>Turn on images</p></noscript>' | raw }}<a href="{{ u }}">Shop</a>`));
		expect(renderCompiled(ct, { u: 'https://shop.example/' }).html.replace(UNSUB, '')).toBe('<noscript><p>Turn on images</p></noscript><a href="https://shop.example/">Shop</a>');
	});

	it('the first three were live javascript: links with scripting on (what the refusal prevents)', () => {
		// the HTML each would render with u = javascript:alert(1), escaped as Render Email escapes
		const rendered = [
			'<noscript><p title="</noscript><a href=javascript:alert(1)>">x</p></noscript>',
			'<noscript><!-- </noscript><a href="javascript:alert(1)"> --></noscript>',
			'<noscript><style></noscript><a href="javascript:alert(1)"></style></noscript>',
		];
		for (const html of rendered) expect(hrefsWithScripting(html)).toContain('javascript:alert(1)');
	});

	it('a <noscript> without Liquid, and Liquid after it, still render', async () => {
		const body = '<noscript><img src="https://x.example/pixel.gif" alt=""></noscript><a href="{{ u }}">Shop</a><noscript><p>Turn on images</p></noscript>';
		const out = renderCompiled(await compileTemplate(input(body)), { u: 'https://shop.example/' }).html.replace(UNSUB, '');
		expect(out).toBe('<noscript><img src="https://x.example/pixel.gif" alt=""></noscript><a href="https://shop.example/">Shop</a><noscript><p>Turn on images</p></noscript>');
	});
});
