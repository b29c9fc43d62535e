/**
 * Data written into an unquoted attribute value cannot add attributes. HTML ends an unquoted value
 * at ASCII white space (https://html.spec.whatwg.org/multipage/parsing.html#attribute-value-(unquoted)-state),
 * and HTML escaping (& < > " ') leaves white space as it is, so `<img src={{ u }}>` with
 * `x onerror=alert(1)` used to give the image an onerror attribute. Checked by parsing the rendered
 * HTML as a browser does (htmlparser2): the element has exactly the attributes the template wrote,
 * and each value decodes to the data as given.
 */
import { compileTemplate, renderCompiled, type TemplateInput } from '../../../nodes/engines/render';
import { DomUtils, parseDocument, type Element } from '../../harness/html';

const UNSUB = '<a href="https://x.example/unsubscribe">unsubscribe</a>';
const html = (body: string): TemplateInput => ({ format: 'html', body: body + UNSUB, subject: 'Hi' });
const render = async (body: string, data: Record<string, unknown>) => renderCompiled(await compileTemplate(html(body)), data);
const first = (out: string, name: string): Element => {
	const found = DomUtils.findOne((e) => e.name === name, parseDocument(out).children);
	if (!found) throw new Error(`no <${name}> in ${out}`);
	return found;
};

const HOSTILE = 'x onerror=alert(1)\tonload=alert(2)\nstyle=color:red\fid=a\rb';

describe('an output in an unquoted attribute value adds no attribute', () => {
	it.each([
		['a URL attribute', '<img src={{ u }} alt=logo>', 'img', 'src'],
		['another attribute', '<td class={{ u }} align=left>x</td>', 'td', 'class'],
		['the value opened by static text', '<td class=c-{{ u }}>x</td>', 'td', 'class'],
		['the value in an if branch', '<td {% if on %}class={{ u }}{% endif %} align=left>x</td>', 'td', 'class'],
		['the value written by {% echo %}', '<td class={% echo u %} align=left>x</td>', 'td', 'class'],
	])('%s', async (_name, body, tag, attr) => {
		const r = await render(body, { u: HOSTILE, on: true });
		const el = first(r.html, tag);
		const expected = body.includes('c-{{') ? `c-${HOSTILE}` : HOSTILE;
		expect(Object.keys(el.attribs).sort()).toEqual([attr, ...(body.includes('align=left') ? ['align'] : body.includes('alt=logo') ? ['alt'] : [])].sort());
		// U+000D inside an attribute value is kept by htmlparser2 as written (browsers normalise CR LF first)
		expect(el.attribs[attr]).toBe(expected);
	});

	it('quoted values keep their spaces as they are (the quote already bounds them)', async () => {
		const r = await render('<a title="{{ t }}" href="https://x.example/">Go</a>', { t: 'two words' });
		expect(r.html).toContain('title="two words"');
	});

	it('safe values in unquoted attributes are unchanged, and the text part reads the spaces as spaces', async () => {
		const r = await render('<td class={{ c }}>{{ c }}</td>', { c: 'wide' });
		expect(r.html).toContain('<td class=wide>');
		const spaced = await render('<p><img src=https://x.example/a.png alt={{ alt }}> {{ alt }}</p>', { alt: 'a red tee' });
		expect(first(spaced.html, 'img').attribs.alt).toBe('a red tee');
		expect(spaced.text).toContain('a red tee');
	});
});
