/**
 * Review of Render Email from a marketer's side: the plain-text part of tel:/sms: links, the
 * font-fallback check on family names that contain a generic word, line breaks in the subject.
 * Expected values are written by hand from the HTML and the specs cited.
 */
import { compileTemplate, htmlToText, lintTemplate, renderCompiled, type Block, type TemplateInput } from '../../../nodes/engines/render';

const UNSUB = '<p><a href="https://shop.example/u/1">Unsubscribe</a></p>';

describe('text part: phone and SMS links keep their number', () => {
	it('a "Call us" tel: link reads "Call us (tel:+33123456789)", as http and mailto links do', () => {
		expect(htmlToText('<p><a href="tel:+33123456789">Call us</a></p>')).toBe('Call us (tel:+33123456789)');
	});

	it('an sms: link keeps its number; a label that is the number is not repeated', () => {
		expect(htmlToText('<p><a href="sms:+15550100">Text us</a> or <a href="tel:+15550100">+15550100</a></p>')).toBe(
			'Text us (sms:+15550100) or +15550100',
		);
	});

	it('the compiled text plan gives the same text per recipient', async () => {
		const ct = await compileTemplate({ format: 'html', body: '<p><a href="tel:{{ phone }}">Call {{ name }}</a></p>', subject: 's' });
		const r = renderCompiled(ct, { phone: '+33123456789', name: 'Ada' });
		expect(ct.textPlan).toBeDefined();
		expect(r.text).toBe('Call Ada (tel:+33123456789)');
	});
});

describe('lint font-fallback: a generic family is a list item, not a word of a family name', () => {
	const fonts = async (css: string) => {
		const input: TemplateInput = { format: 'html', body: `<p style="${css}">Hi</p>${UNSUB}`, subject: 's', preheader: 'p' };
		return (await lintTemplate(input, {})).findings.filter((f) => f.check === 'font-fallback').map((f) => f.message);
	};

	it('"Noto Serif" or "PT Serif" alone has no fallback (CSS Fonts 4: a quoted name is never a generic family)', async () => {
		expect(await fonts("font-family: 'Noto Serif'")).toEqual([expect.stringContaining("'Noto Serif'")]);
		expect(await fonts('font-family: PT Serif')).toEqual([expect.stringContaining('PT Serif')]);
		expect(await fonts("font-family: 'serif'")).toEqual([expect.stringContaining("'serif'")]);
	});

	it('a list ending in a generic family passes, !important and ui-* generics included', async () => {
		expect(await fonts("font-family: 'Noto Serif', Georgia, serif")).toEqual([]);
		expect(await fonts('font-family: Inter, ui-sans-serif !important')).toEqual([]);
		expect(await fonts('font-family: Helvetica, Arial, sans-serif')).toEqual([]);
	});

	it('a quote written as &quot; in a style attribute is a quote: its ";" does not end the list', async () => {
		expect(await fonts('font-family: &quot;Noto Serif&quot;, Georgia, serif')).toEqual([]);
		expect(await fonts('font-family: &quot;Noto Serif&quot;')).toEqual([expect.stringContaining('Noto Serif')]);
	});

	it('a CSS variable or a global keyword names its fonts elsewhere: not reported', async () => {
		expect(await fonts('font-family: var(--brand-font, sans-serif)')).toEqual([]);
		expect(await fonts('font-family: var(--brand-font)')).toEqual([]);
		expect(await fonts('font-family: inherit')).toEqual([]);
		expect(await fonts('font-family: initial')).toEqual([]);
	});
});

describe('subject: one line (RFC 5322 2.2: a header field body holds no CR or LF except when folded)', () => {
	it('a line break in the data or in the Subject becomes one space, in the subject and in <title>', async () => {
		const ct = await compileTemplate({
			format: 'html',
			body: `<html><head><title></title></head><body>${UNSUB}</body></html>`,
			subject: 'Hi {{ name }}!\n  New picks',
		});
		const r = renderCompiled(ct, { name: 'Ada\r\nBcc: eve@example.com' });
		expect(r.subject).toBe('Hi Ada Bcc: eve@example.com! New picks');
		expect(r.html).toContain('<title>Hi Ada Bcc: eve@example.com! New picks</title>');
	});

	it('a subject without line breaks is unchanged, its inner spaces included', async () => {
		const ct = await compileTemplate({ format: 'html', body: UNSUB, subject: ' {{ a }}  and\t{{ b }} ' });
		expect(renderCompiled(ct, { a: 'A', b: 'B' }).subject).toBe('A  and\tB');
	});
});

describe('preheader in an HTML template without a <body> tag (HTML lets it be left out)', () => {
	const start = async (body: string) => {
		const ct = await compileTemplate({ format: 'html', body, subject: 's', preheader: 'Fresh picks for {{ n }}' });
		return renderCompiled(ct, { n: 'Ada' }).html;
	};

	it('goes after </head>, never before the doctype (a document not starting with its doctype renders in quirks mode)', async () => {
		const html = await start(`<!DOCTYPE html><html><head><title></title></head>${UNSUB}</html>`);
		expect(html.startsWith('<!DOCTYPE html><html><head><title>s</title></head><div style="display:none;')).toBe(true);
		expect(html).toContain('>Fresh picks for Ada</div><p><a href=');
	});

	it('without a head: after <html …>, else after the doctype; with <body>: after <body> as before', async () => {
		expect(await start(`<!doctype html>\n<html lang="en">${UNSUB}</html>`)).toMatch(/^<!doctype html>\n<html lang="en"><div style="display:none;[^"]*">Fresh picks for Ada<\/div><p>/);
		expect(await start(`<!doctype html>${UNSUB}`)).toMatch(/^<!doctype html><div style="display:none;[^"]*">Fresh picks for Ada<\/div><p>/);
		expect(await start(`<html><body class="x">${UNSUB}</body></html>`)).toMatch(/^<html><body class="x"><div style="display:none;[^"]*">Fresh picks for Ada<\/div><p>/);
		expect(await start(UNSUB)).toMatch(/^<div style="display:none;[^"]*">Fresh picks for Ada<\/div><p>/);
	});
});

describe('preheader: right after a bare <body> or <html> tag', () => {
	it('<html><body><p>…: the preview line sits between <body> and <p>', async () => {
		const ct = await compileTemplate({ format: 'html', body: `<html><body><p>Hi</p>${UNSUB}</body></html>`, subject: 's', preheader: 'Pre' });
		expect(renderCompiled(ct, {}).html).toMatch(/^<html><body><div style="display:none;[^"]*">Pre<\/div><p>Hi<\/p>/);
		const bare = await compileTemplate({ format: 'html', body: `<html><p>Hi</p>${UNSUB}</html>`, subject: 's', preheader: 'Pre' });
		expect(renderCompiled(bare, {}).html).toMatch(/^<html><div style="display:none;[^"]*">Pre<\/div><p>Hi<\/p>/);
	});
});

describe('a structured rule on a loop variable is refused (it reads the recipient data, never the loop item)', () => {
	const blocks: Block[] = [
		{ name: 'stock', rule: { field: 'p.in_stock', operator: 'equals', value: true }, fallback: 'soldout', content: '<b>{{ p.name }} in stock</b>' },
		{ name: 'soldout', content: '<i>{{ p.name }} sold out</i>' },
		{ name: 'row', content: "{% for p in recs %}{% render 'stock' %}{% endfor %}" },
	];
	const input = (body: string): TemplateInput => ({ format: 'html', body: `${body}${UNSUB}`, subject: 's', preheader: 'p', blocks });

	it('{% for p in recs %}{% render \'stock\' %}: compile fails naming the block, the field and the loop, instead of "A sold out" for an item in stock', async () => {
		await expect(compileTemplate(input("<p>{% for p in recs %}{% render 'stock' %}<br>{% endfor %}</p>"))).rejects.toThrow(
			/^Block "stock": its rule reads "p\.in_stock", but "p" is the variable of the \{% for p %\} loop around \{% render 'stock' %\}/,
		);
	});

	it('also through a block that holds the loop, in a tablerow, and in lint (block-library error)', async () => {
		await expect(compileTemplate(input("<div>{% render 'row' %}</div>"))).rejects.toThrow(/^Block "stock": its rule reads "p\.in_stock"/);
		await expect(compileTemplate(input("<table>{% tablerow p in recs %}{% render 'stock' %}{% endtablerow %}</table>"))).rejects.toThrow(/"p" is the variable of the \{% tablerow p %\} loop/);
		const report = await lintTemplate(input("<p>{% for p in recs %}{% render 'stock' %}{% endfor %}</p>"), { recs: [{ name: 'A', in_stock: true }] });
		expect(report.findings).toContainEqual(expect.objectContaining({ severity: 'error', check: 'block-library', message: expect.stringMatching(/^Block "stock": its rule reads "p\.in_stock"/) }));
	});

	it('the same block outside a loop, or after the loop closed, reads the data as before', async () => {
		const ct = await compileTemplate(input("<p>{% for x in recs %}{{ x.name }}{% endfor %}{% render 'stock' %}</p>"));
		expect(renderCompiled(ct, { recs: [], p: { name: 'A', in_stock: true } }).html).toContain('<b>A in stock</b>');
		expect(renderCompiled(ct, { recs: [], p: { name: 'B', in_stock: false } }).html).toContain('<i>B sold out</i>');
	});
});

describe('lint missing-variable: a block rendered in a loop reads the loop variable', () => {
	const card: Block = { name: 'card', content: '<td>{{ p.name }} {{ p.price | money }}</td>' };
	const missing = async (body: string) => {
		const report = await lintTemplate({ format: 'html', body: `${body}${UNSUB}`, subject: 's', preheader: 'p', blocks: [card] }, { recs: [{ name: 'A', price: 5 }] });
		return report.findings.filter((f) => f.check === 'missing-variable').map((f) => `${f.severity} ${f.source} ${/"([^"]+)"/.exec(f.message)?.[1]}`);
	};

	it('{% for p in recs %}{% render \'card\' %}: no finding for p.name / p.price (the sample has them through recs)', async () => {
		expect(await missing("<table><tr>{% for p in recs %}{% render 'card' %}{% endfor %}</tr></table>")).toEqual([]);
	});

	it('rendered once outside the loop too: p is missing there, reported as before', async () => {
		expect(await missing("<table><tr>{% for p in recs %}{% render 'card' %}{% endfor %}{% render 'card' %}</tr></table>")).toEqual([
			'warning block:card p.name',
			'warning block:card p.price',
		]);
	});
});

describe('limit errors read as one sentence', () => {
	it('the memory limit says what exceeded it and what to do', async () => {
		const ct = await compileTemplate({ format: 'html', body: `<p>{{ s | split: "" | join: "-" }}</p>${UNSUB}`, subject: 's', liquid: { memoryLimit: 1_000_000 } });
		expect(() => renderCompiled(ct, { s: 'x'.repeat(2_000_000) })).toThrow(
			'Rendering stopped by the memory limit (1,000,000 allocations): a huge range or join, or output that grows too large (the rendered subject, preheader and HTML count toward it), exceeded it. Bound the loop or raise "Memory Limit"',
		);
	});
});

describe('lint unsubscribe-link: a link to "#" unsubscribes nobody', () => {
	const unsub = async (body: string, sample: Record<string, unknown> = {}) =>
		(await lintTemplate({ format: 'html', body, subject: 's', preheader: 'p' }, sample)).findings.filter((f) => f.check === 'unsubscribe-link');

	it('a placeholder <a href="#">Unsubscribe</a> is an error, naming the placeholder', async () => {
		expect(await unsub('<p>Hi <a href="#">Unsubscribe</a></p>')).toEqual([
			expect.objectContaining({ severity: 'error', message: expect.stringMatching(/^The unsubscribe link goes nowhere \(href "#"/) }),
		]);
		expect(await unsub('<p>Hi <a href="#unsubscribe">Click here</a></p>')).toHaveLength(1);
	});

	it('an unsubscribe_url the URL guard wrote as "#" (a javascript: value) fails the sample', async () => {
		expect(await unsub('<p>Hi <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>', { unsubscribe_url: 'javascript:alert(1)' })).toEqual([
			expect.objectContaining({ severity: 'error', message: expect.stringMatching(/^The unsubscribe link goes nowhere/) }),
		]);
		expect(await unsub('<p>Hi <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>', { unsubscribe_url: 'https://shop.example/u/1' })).toEqual([]);
	});
});
