/**
 * The plain-text part leaves out what a browser does not show, read as the unsubscribe-link lint
 * reads it (one implementation, nodes/engines/render/visibility.ts). The text part formerly
 * dropped only `display:none`, `mso-hide:all` and the `hidden` attribute, so the usual
 * preheader hacks and hidden spacers (`visibility:hidden`, `font-size:0`, `opacity:0`,
 * `max-height:0;overflow:hidden`) were read out in the text part.
 * Expected texts written by hand from the CSS rules (the references are listed in
 * lint-visibility.test.ts): visibility is inherited and a descendant may set it back; a zero
 * font size is inherited, `em`/`%` stay 0, a descendant in px shows; opacity 0 and a zero height
 * that clips remove the whole subtree; an image shows in a zero-font cell (MJML's image cells).
 */
import fc from 'fast-check';
import { compileTemplate, htmlToText, lintTemplate, renderCompiled } from '../../../nodes/engines/render';

const U = 'https://shop.example/email/unsubscribe?u=1';
const A = `<a href="${U}">Unsubscribe</a>`;
const IMG = (attrs: string) => `<a href="${U}"><img src="https://cdn.example/u.png" alt="Unsubscribe" ${attrs}></a>`;

describe('text part: hidden as a browser renders it', () => {
	it.each([
		['visibility:hidden', '<p>Hi</p><p style="visibility:hidden">secret</p>', 'Hi'],
		['visibility:hidden inherited, visibility:visible on a child shows the child', '<div style="visibility:hidden">secret <span style="visibility:visible">shown</span></div>', 'shown'],
		['font-size:0', '<p>Hi <span style="font-size:0">secret</span>there</p>', 'Hi there'],
		['font-size:0px cell, a child in px shows', '<table><tr><td style="font-size:0px">secret<div style="font-size:14px">shown</div></td></tr></table>', 'shown'],
		['font-size:0 parent, a child in em stays 0', '<div style="font-size:0"><span style="font-size:1.5em">secret</span></div><p>end</p>', 'end'],
		['the font shorthand font: 0/0 a', '<p>a<span style="font:0/0 a">secret</span></p>', 'a'],
		['opacity:0, whatever the child sets', '<div style="opacity:0"><p style="opacity:1">secret</p></div><p>end</p>', 'end'],
		['max-height:0 with overflow:hidden (a mobile-only block)', '<div style="max-height:0;overflow:hidden;mso-hide:none">secret</div><p>end</p>', 'end'],
		['max-height:0 and overflow:hidden on an inline span: height does not apply, shown', '<p><span style="max-height:0;overflow:hidden">shown</span></p>', 'shown'],
		['a closed <details> shows its summary only', '<details><summary>More</summary><p>secret</p></details>', 'More'],
		['the hidden attribute overridden by display:block is shown', '<div hidden style="display:block">shown</div>', 'shown'],
		['an image of 0×0 leaves out its alt', '<p>a <img src="https://cdn.example/x.png" alt="secret" width="0" height="0"> b</p>', 'a b'],
		['an image in a font-size:0 cell shows its alt', '<table><tr><td style="font-size:0px"><img src="https://cdn.example/x.png" alt="Logo"></td></tr></table>', 'Logo'],
		['a list item with font-size:0 writes no bullet', '<ul><li>one</li><li style="font-size:0">secret</li></ul>', '- one'],
		['<div/> does not close a div: what follows is in the hidden div', '<div style="display:none"/>secret</div><p>end</p>', 'end'],
		['<rect/> closes itself in SVG', '<svg width="10" height="10"><rect style="display:none"/></svg><p>shown</p>', 'shown'],
	])('%s', (_name, html, text) => {
		expect(htmlToText(html)).toBe(text);
	});

	it('a preheader hack without display:none is not read out', () => {
		const html =
			'<body><div style="font-size:0;line-height:0;max-height:0;overflow:hidden;opacity:0;color:transparent">Your order is on its way &zwnj;&nbsp;&zwnj;&nbsp;</div>' +
			'<div style="visibility:hidden;mso-hide:none">View in browser</div><p>Hi Ada,</p><p>Thanks for your order.</p></body>';
		expect(htmlToText(html)).toBe('Hi Ada,\n\nThanks for your order.');
	});

	it('a link whose text is hidden writes no URL; an image link in a zero-font cell (MJML) keeps it', () => {
		expect(htmlToText(`<p>Hi <a href="${U}"><span style="display:none">Unsubscribe</span></a></p>`)).toBe('Hi');
		expect(htmlToText(`<p>Hi <a href="${U}"><img src="https://cdn.example/u.png" alt="Unsubscribe" width="0" height="0"></a></p>`)).toBe('Hi');
		expect(htmlToText(`<p>Hi</p><a href="${U}" style="font-size:0">Unsubscribe</a>`)).toBe('Hi');
		expect(htmlToText(`<div style="visibility:hidden"><a href="${U}">Unsubscribe</a></div><p>end</p>`)).toBe('end');
		expect(htmlToText(`<td style="font-size:0px"><a href="https://shop.example/"><img src="https://cdn.example/logo.png" alt="Northwind"></a></td>`)).toBe(
			'Northwind (https://shop.example/)',
		);
		// an image without alt text still shows: the URL alone, as for any linked image
		expect(htmlToText(`<td style="font-size:0px"><a href="https://shop.example/"><img src="https://cdn.example/logo.png"></a></td>`)).toBe('https://shop.example/');
		// the visible text of a child of a zero-font link is its label
		expect(htmlToText(`<td style="font-size:0px"><a href="${U}"><span style="font-size:12px">Unsubscribe</span></a></td>`)).toBe(`Unsubscribe (${U})`);
	});
});

describe('text part and unsubscribe lint agree on what is visible', () => {
	const page = (inner: string) => `<html><body><p>Hello {{ name }}</p>${inner}</body></html>`;
	const visible = [
		`<div style="visibility:hidden"><a href="${U}" style="visibility:visible">Unsubscribe</a></div>`,
		`<a href="${U}" style="visibility:hidden"><span style="visibility:visible">Unsubscribe</span></a>`,
		`<div hidden style="display:block">${A}</div>`,
		`<div style="font-size:0"><a href="${U}" style="font-size:1rem">Unsubscribe</a></div>`,
		`<span style="max-height:0;overflow:hidden">${A}</span>`,
		`<table><tr><td style="height:0;overflow:hidden">${A}</td></tr></table>`,
		`<div style="max-height:0;min-height:20px;overflow:hidden">${A}</div>`,
		`<details><summary>${A}</summary><p>More</p></details>`,
		`<dialog open>${A}</dialog>`,
		IMG('width="80" height="20"'),
	];
	const hidden = [
		`<div style="display:none"><a href="${U}" style="display:block;visibility:visible">Unsubscribe</a></div>`,
		`<div style="opacity:0"><a href="${U}" style="opacity:1">Unsubscribe</a></div>`,
		`<a href="${U}" style="visibility:collapse">Unsubscribe</a>`,
		`<div style="visibility:hidden"><a href="${U}" style="visibility:inherit">Unsubscribe</a></div>`,
		`<td style="font-size:0px"><a href="${U}" style="font-size:120%">Unsubscribe</a></td>`,
		`<a href="${U}" style="font:0/0 a">Unsubscribe</a>`,
		`<div style="max-height:0;overflow-y:hidden">${A}</div>`,
		`<div style="display:none"/>${A}</div>`,
		`<details><summary>More</summary>${A}</details>`,
		`<div hidden="until-found" style="display:block">${A}</div>`,
		`<dialog>${A}</dialog>`,
		IMG('width="0" height="0"'),
		IMG('style="width:0"'),
	];
	it.each([...visible.map((h) => [h, true] as const), ...hidden.map((h) => [h, false] as const)])('%s (shown: %s)', async (inner, shown) => {
		const input = { format: 'html' as const, body: page(inner), subject: 'Hi', preheader: 'p' };
		const report = await lintTemplate(input, { name: 'Ada' });
		expect(report.findings.some((f) => f.check === 'unsubscribe-link' && f.severity === 'error')).toBe(!shown);
		const r = renderCompiled(await compileTemplate(input), { name: 'Ada' });
		expect(r.text.includes(`Unsubscribe (${U})`)).toBe(shown);
		// nothing of a hidden link, not even its URL alone (a closed <details> still shows its summary)
		if (!shown) expect(r.text).toBe(inner.includes('<summary>More') ? 'Hello Ada\n\nMore' : 'Hello Ada');
	});
});

describe('text part: hidden text with Liquid, compiled text plan', () => {
	it('values in hidden text stay out, values in a visible child are read; the plan equals the per-recipient conversion', async () => {
		const body =
			'<html><body><div style="font-size:0;max-height:0;overflow:hidden">{{ preview }}</div>' +
			'<table><tr><td style="font-size:0px">{% for p in products %}<div style="font-size:14px">{{ p.name }}</div>{% endfor %}</td></tr></table>' +
			'<div style="visibility:hidden">{{ secret }}<span style="visibility:visible">Hi {{ name }}</span></div>' +
			'<td style="font-size:0px"><a href="{{ url }}">{{ secret }}</a> <a href="{{ url }}"><img src="https://cdn.example/x.png" alt="{{ name }}"></a></td></body></html>';
		const ct = await compileTemplate({ format: 'html', body, subject: 's', preheader: 'p' });
		expect(ct.textPlan).toBeDefined();
		for (const data of [
			{ preview: 'Sale', products: [{ name: 'Tee' }, { name: 'Cap' }], secret: 'hidden', name: 'Ada', url: 'https://shop.example/a' },
			{ preview: '', products: [], secret: '', name: '', url: 'https://shop.example/b' },
		]) {
			const r = renderCompiled(ct, data);
			expect(r.text).toBe(htmlToText(r.html));
		}
		const r = renderCompiled(ct, { preview: 'Sale', products: [{ name: 'Tee' }, { name: 'Cap' }], secret: 'hidden', name: 'Ada', url: 'https://shop.example/a' });
		// a table ends a paragraph (a blank line after it); the zero-font link writes nothing, the image link its alt and URL
		expect(r.text).toBe('Tee\nCap\n\nHi Ada\nAda (https://shop.example/a)');
	});

	it('Liquid beside the summaries of a closed <details>: converted per recipient', async () => {
		const body = '<details>{% if a %}<summary>One</summary>{% endif %}<summary>Two</summary><p>x</p></details>';
		const ct = await compileTemplate({ format: 'html', body, subject: 's', preheader: 'p' });
		expect(ct.textPlan).toBeUndefined();
		expect(renderCompiled(ct, { a: true }).text).toBe('One');
		expect(renderCompiled(ct, { a: false }).text).toBe('Two');
	});

	it('the plan equals the per-recipient conversion for arbitrary values in hidden and visible text and links (property test)', async () => {
		const body =
			'<p>{{ a }}<span style="font-size:0">{{ b }}</span>{{ c }}</p>' +
			'<p><a href="{{ url }}"><span style="visibility:hidden">{{ a }}</span>{% if c != "" %}<span style="visibility:visible">{{ c }}</span>{% endif %}</a> {{ b }}</p>' +
			'<td style="font-size:0px">{% for p in items %}<a href="{{ p.url }}">{{ p.name }}<img src="https://cdn.example/x.png" alt="{{ p.alt }}"></a> <a href="{{ p.url }}"><img src="https://cdn.example/y.png" width="0"></a>{% endfor %}</td>' +
			'<div style="opacity:0"><a href="{{ url }}">{{ a }}</a></div><ol><li>{{ a }}</li><li style="visibility:hidden">{{ b }}</li><li>{{ c }}</li></ol>';
		const ct = await compileTemplate({ format: 'html', body, subject: 's', preheader: 'p' });
		expect(ct.textPlan).toBeDefined();
		const chars = fc.constantFrom('a', ' ', '  ', '\u00a0', '&', '<b>', '"', 'https://x.example/', 'mailto:q@x', '\uE009', '\uE005', '\n', '');
		const str = fc.array(chars, { maxLength: 6 }).map((a) => a.join(''));
		const item = fc.record({ url: str, name: str, alt: str });
		fc.assert(
			fc.property(fc.record({ a: str, b: str, c: str, url: str, items: fc.array(item, { maxLength: 3 }) }), (d) => {
				const r = renderCompiled(ct, d);
				return r.text === htmlToText(r.html);
			}),
			{ numRuns: 400 },
		);
	});
});
