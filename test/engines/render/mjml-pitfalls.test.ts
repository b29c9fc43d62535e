/**
 * The four ways MJML breaks Liquid, each reproduced against raw MJML (so the test proves the
 * pitfall is real in mjml 5.4.1) and then handled by the engine: protected and restored, or
 * refused at compile time with the line and what to write instead.
 */
import { compileTemplate, renderCompiled, TemplateError } from '../../../nodes/engines/render';
import { DomUtils, parseDocument } from '../../harness/html';

// mjml ships no type declarations
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mjml = require('mjml') as (input: string, options?: Record<string, unknown>) => Promise<{ html: string }>;

const doc = (b: string, head = '') => `<mjml><mj-head>${head}</mj-head><mj-body>\n${b}\n</mj-body></mjml>`;
const products = [{ name: 'Alpha' }, { name: 'Beta' }, { name: 'Gamma' }];

async function compileError(body: string): Promise<TemplateError> {
	try {
		await compileTemplate({ format: 'mjml', body, subject: 's' });
	} catch (error) {
		expect(error).toBeInstanceOf(TemplateError);
		return error as TemplateError;
	}
	throw new Error('expected the compile to fail');
}

describe('MJML pitfall 1: bare {% for %} / {% if %} between elements', () => {
	const loop = doc('<mj-section>\n{% for p in products %}\n<mj-column width="25%" css-class="product"><mj-text>{{ p.name }}</mj-text></mj-column>\n{% endfor %}\n</mj-section>');

	it('raw MJML silently deletes the loop tags (the loop would render once)', async () => {
		const raw = await mjml(loop, { validationLevel: 'soft' });
		expect(raw.html).not.toContain('{% for');
		expect(raw.html).not.toContain('{% endfor');
	});

	it('the engine keeps the loop: one column per product', async () => {
		const ct = await compileTemplate({ format: 'mjml', body: loop, subject: 's' });
		const html = renderCompiled(ct, { products }).html;
		const columns = DomUtils.findAll((e) => (e.attribs.class ?? '').split(' ').includes('product'), parseDocument(html).children);
		expect(columns.map((c) => DomUtils.textContent(c).trim())).toEqual(['Alpha', 'Beta', 'Gamma']);
	});

	it('an {% if %} around whole sections in mj-body works both ways', async () => {
		const ct = await compileTemplate({ format: 'mjml', body: doc('{% if vip %}<mj-section><mj-column><mj-text>VIP</mj-text></mj-column></mj-section>{% endif %}'), subject: 's' });
		expect(renderCompiled(ct, { vip: true }).html).toContain('VIP');
		expect(renderCompiled(ct, { vip: false }).html).not.toContain('VIP');
	});

	it('a {{ value }} between elements (where MJML drops text) fails with the line and the fix', async () => {
		const e = await compileError(doc('<mj-section>\n<mj-column>\n{{ name }}\n<mj-text>x</mj-text></mj-column></mj-section>'));
		expect(e.message).toContain('body line 4');
		expect(e.message).toContain('<mj-text>{{ name }}</mj-text>');
		expect(e.details.check).toBe('mjml-text-between-elements');
	});

	it('a tag where mj-raw is not allowed (mj-head) fails instead of being dropped', async () => {
		const e = await compileError('<mjml>\n<mj-head>\n{% if x %}<mj-title>a</mj-title>{% endif %}\n</mj-head><mj-body><mj-section><mj-column><mj-text>x</mj-text></mj-column></mj-section></mj-body></mjml>');
		expect(e.message).toContain('body line 3');
		expect(e.details.check).toBe('mjml-tag-between-elements');
	});
});

describe('MJML pitfall 2: Liquid in typed attributes', () => {
	it('raw MJML turns width="{{ w }}" into NaN', async () => {
		const raw = await mjml(doc('<mj-section><mj-column width="{{ w }}"><mj-text>x</mj-text></mj-column></mj-section>'), { validationLevel: 'soft' });
		expect(raw.html).toContain('NaN');
	});

	it('the engine refuses unit and enum attributes with the line and what to write', async () => {
		const e = await compileError(doc('<mj-section>\n<mj-column>\n<mj-image src="https://x.test/a.png" alt="a" padding="{{ pad }}" /></mj-column></mj-section>'));
		expect(e.message).toContain('body line 4');
		expect(e.message).toContain('padding');
		expect(e.message).toContain('{% if %}');
		const align = await compileError(doc('<mj-section><mj-column><mj-text align="{{ a }}">x</mj-text></mj-column></mj-section>'));
		expect(align.message).toContain('one of left, right, center, justify');
	});

	it('Liquid in colour and string attributes is carried through and rendered per recipient', async () => {
		const body = doc('<mj-section background-color="{{ bg | default: \'#ffffff\' }}"><mj-column><mj-text color="{% if vip %}#b42318{% else %}#111111{% endif %}" css-class="msg">Hi</mj-text><mj-image src="{{ img }}" alt="{{ alt }}" /></mj-column></mj-section>');
		const ct = await compileTemplate({ format: 'mjml', body, subject: 's' });
		const vip = renderCompiled(ct, { bg: '#0b6e4f', vip: true, img: 'https://cdn.test/a.png', alt: 'A' }).html;
		expect(vip).toContain('background-color:#0b6e4f');
		expect(vip).toContain('color:#b42318');
		expect(vip).toContain('src="https://cdn.test/a.png"');
		const plain = renderCompiled(ct, { vip: false, img: 'https://cdn.test/b.png', alt: 'B' }).html;
		expect(plain).toContain('background-color:#ffffff');
		expect(plain).toContain('color:#111111');
		expect(plain).not.toMatch(/\{\{|\{%|pzlq/);
	});

	it('Liquid between attributes fails with the fix', async () => {
		const e = await compileError(doc('<mj-section {% if vip %}background-color="red"{% endif %}><mj-column><mj-text>x</mj-text></mj-column></mj-section>'));
		expect(e.details.check).toBe('mjml-liquid-in-tag');
		expect(e.message).toContain('background-color="{% if vip %}');
	});
});

describe('MJML pitfall 3: Liquid in inlined mj-style', () => {
	it('raw MJML mangles it', async () => {
		const raw = await mjml(doc('<mj-section><mj-column><mj-text css-class="x">x</mj-text></mj-column></mj-section>', '<mj-style inline="inline">.x { color: {{ brand }}; }</mj-style>'), { validationLevel: 'soft' });
		expect(raw.html).not.toContain('color: {{ brand }}');
		expect(raw.html).not.toContain('color:{{ brand }}');
	});

	it('the engine refuses it with the line and the alternatives', async () => {
		const e = await compileError(doc('<mj-section><mj-column><mj-text css-class="x">x</mj-text></mj-column></mj-section>', '\n<mj-style inline="inline">\n.x { color: {{ brand }}; }</mj-style>'));
		expect(e.details.check).toBe('mjml-inline-style');
		expect(e.message).toContain('body line 3');
		expect(e.message).toContain('without inline="inline"');
	});

	it('Liquid in a head (not inlined) mj-style is kept and rendered', async () => {
		const ct = await compileTemplate({ format: 'mjml', body: doc('<mj-section><mj-column><mj-text css-class="x">x</mj-text></mj-column></mj-section>', '<mj-style>.x div { color: {{ brand | default: "#000" }}; }</mj-style>'), subject: 's' });
		expect(renderCompiled(ct, { brand: '#ff6600' }).html).toMatch(/\.x div \{ color: #ff6600; \}/);
	});
});

describe('MJML pitfall 4: double quotes inside Liquid inside an attribute', () => {
	const body = doc('<mj-section><mj-column><mj-button href="{{ url | append: "?ref=email" }}">Buy</mj-button></mj-column></mj-section>');

	it('raw MJML cuts the attribute at the inner quote', async () => {
		const raw = await mjml(body, { validationLevel: 'soft' });
		expect(raw.html).not.toContain('append: "?ref=email"');
	});

	it('the engine keeps the whole expression', async () => {
		const ct = await compileTemplate({ format: 'mjml', body, subject: 's' });
		const html = renderCompiled(ct, { url: 'https://shop.test/p/1' }).html;
		const a = DomUtils.findOne((e) => e.name === 'a', parseDocument(html).children);
		expect(a?.attribs.href).toBe('https://shop.test/p/1?ref=email');
	});
});

describe('never a silently dropped tag', () => {
	it('an unclosed {% for %} is a Liquid syntax error with its line, before MJML runs', async () => {
		const e = await compileError(doc('<mj-section>\n{% for p in products %}\n<mj-column><mj-text>{{ p.name }}</mj-text></mj-column>\n</mj-section>'));
		expect(e.details.check).toBe('liquid-syntax');
		expect(e.message).toMatch(/body line 3, column 1/);
	});
});
