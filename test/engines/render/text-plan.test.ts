/**
 * The text part from the compiled text plan (derived once per template) must equal the
 * conversion of each recipient's rendered HTML, for every recipient, hostile data included.
 * References: htmlToText on the rendered HTML (the per-recipient path) and, where attributes hold
 * no hostile values, the converter as it was before the plan (helpers/legacy-text.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { compileTemplate, htmlToText, renderCompiled, type TemplateInput } from '../../../nodes/engines/render';
import * as textModule from '../../../nodes/engines/render/text';
import { htmlToText as legacyHtmlToText } from './helpers/legacy-text';
import { referenceFinalizeText } from './helpers/finalize-reference';
import { finalizeText } from '../../../nodes/engines/render/text';

const examples = path.join(__dirname, '..', '..', '..', 'nodes', 'RenderEmail', 'examples');
const reference = (): TemplateInput => ({
	format: 'mjml',
	body: fs.readFileSync(path.join(examples, 'reference-email.mjml'), 'utf8'),
	blocks: JSON.parse(fs.readFileSync(path.join(examples, 'reference-blocks.json'), 'utf8')),
	subject: '{{ profile.first_name | default: "Hi" }}, new picks for you',
	preheader: 'Fresh arrivals picked for {{ profile.first_name | default: "you" }}',
});
const html = (body: string, liquid: TemplateInput['liquid'] = {}): TemplateInput => ({ format: 'html', body, subject: 'Hi', liquid });

const HOSTILE = [
	'Ada',
	'',
	'   ',
	'Ada & <Bo> "quoted" \'single\'',
	'&amp;lt; &nbsp; &#65; &',
	'<script>alert(1)</script>',
	'--> <!-- x',
	'{{ secret }} {% if %}',
	'line one\nline two',
	'tab\there  double  space',
	'nbsp\u00a0\u00a0here',
	'sep\u2028ar\u2029ator\u3000wide',
	'\u0001control\u0007',
	'marker\uE000\uE003\uE00F\uE100',
	'Totally hidden',
	'x width=1 height=1',
	'x" href="javascript:alert(1)',
	'https://evil.test/ (spoof)',
	'mailto:someone@example.com',
	'Émile 🌷 日本',
	'a'.repeat(300),
];

function recipient(i: number, name: string): Record<string, unknown> {
	const product = (k: number) => ({
		product_id: `p${k}`,
		name: HOSTILE[(i + k) % HOSTILE.length] || name,
		price: 19.99 + k,
		currency: 'USD',
		url: k % 2 ? `https://shop.example.com/p/${k}?q=${encodeURIComponent(name)}` : name,
		image_url: `https://cdn.example.com/${k}.jpg`,
	});
	return {
		profile: { first_name: name, email: i % 3 ? `user${i}@example.com` : name, city: i % 2 ? name : undefined, orders_count: i % 4, last_order_at: '2024-02-11T10:00:00Z', currency: 'USD', loyalty: i % 2 ? { points: 250, tier: name } : undefined },
		campaign: { id: i % 5 ? 'spring_2024' : name, headline: i % 3 ? undefined : name, hero_alt: i % 4 ? undefined : name },
		recommendations: i % 5 === 0 ? [] : Array.from({ length: 4 }, (_, k) => product(k + i)),
		cart: i % 2 ? { currency: 'USD', total: 10, checkout_url: name, items: [{ name, price: 5, quantity: 2, image_url: 'https://cdn.example.com/x.jpg' }] } : undefined,
		unsubscribe_url: i % 6 ? `https://shop.example.com/u?u=${i}` : name,
	};
}

describe('compiled text plan: the reference email', () => {
	it('is derived for the reference email and equals the per-recipient conversion, hostile values included', async () => {
		const ct = await compileTemplate(reference());
		expect(ct.textPlanReason).toBeUndefined();
		expect(ct.textPlan).toBeDefined();
		HOSTILE.forEach((name, i) => {
			const r = renderCompiled(ct, recipient(i, name));
			expect(r.text).toBe(htmlToText(r.html));
			if (name.startsWith('marker')) expect(r.text).toContain(`Hi ${name},`); // marker characters in data stay as they are
		});
	});

	it('uses the plan for ordinary values and converts the HTML only for a value it cannot reproduce', async () => {
		const ct = await compileTemplate(reference());
		const spy = jest.spyOn(textModule, 'htmlToText');
		// conversions of the email's HTML (the preheader's preview text, a short string with `&` or `<`, is read with htmlToText too)
		const htmlCalls = () => spy.mock.calls.filter(([s]) => String(s).length > 1000).length;
		try {
			renderCompiled(ct, recipient(1, 'Ada & <Bo>'));
			expect(htmlCalls()).toBe(0);
			const r = renderCompiled(ct, recipient(1, 'two\nlines'));
			expect(htmlCalls()).toBe(1);
			expect(r.text).toContain('Hi two lines,');
			renderCompiled(ct, recipient(1, 'Ada'), { skipText: true });
			expect(htmlCalls()).toBe(1);
		} finally {
			spy.mockRestore();
		}
	});

	it('equals the converter as it was before the plan on ordinary recipients', async () => {
		const ct = await compileTemplate(reference());
		const names = ['Ada', 'Bo', 'Émile', '', 'Farah & Co', 'O\'Neil', '<b>Gus</b>'];
		names.forEach((name, i) => {
			const r = renderCompiled(ct, recipient(i * 7 + 1, name));
			expect(r.text).toBe(legacyHtmlToText(r.html));
		});
	});

	it('holds for arbitrary strings (property test)', async () => {
		const ct = await compileTemplate(reference());
		const chars = fc.constantFrom('a', 'Z', ' ', '  ', '\t', '\n', '\u00a0', '\u2028', '&', ';', '#', 'amp', 'lt', '<', '>', '"', "'", '-', '/', '=', '{{', '%}', 'hidden', 'none', '\uE001', '\u0000', 'é', '🌷');
		const str = fc.array(chars, { maxLength: 12 }).map((a) => a.join(''));
		fc.assert(
			fc.property(str, fc.nat(100), (name, i) => {
				const r = renderCompiled(ct, recipient(i, name));
				return r.text === htmlToText(r.html);
			}),
			{ numRuns: 150 },
		);
	});
});

describe('compiled text plan: hand-checked text', () => {
	it('values are unescaped in the text, links as "label (url)", alts kept, whitespace collapsed', async () => {
		const ct = await compileTemplate(html('<p>Hi   {{ name }},</p>\n<p><a href="{{ url }}">Shop  now</a> <img src="x.png" alt="{{ alt }}"></p><div style="display:none">{{ name }} hidden</div>'));
		expect(ct.textPlan).toBeDefined();
		const r = renderCompiled(ct, { name: 'Ada & <Bo>', url: 'https://x.test/a?b=1&c=2', alt: '  Red "shoe"  ' });
		expect(r.html).toContain('Ada &amp; &lt;Bo&gt;');
		expect(r.text).toBe('Hi Ada & <Bo>,\n\nShop now (https://x.test/a?b=1&c=2) Red "shoe"');
	});

	it('an alt or href value with the word "hidden" or a fake attribute no longer changes the text (better than before)', async () => {
		const ct = await compileTemplate(html('<p><img src="a.png" alt="{{ alt }}"> <a href="https://x.test/" title="{{ alt }}">Go</a></p>'));
		const r = renderCompiled(ct, { alt: 'A hidden gem' });
		expect(r.text).toBe('A hidden gem Go (https://x.test/)');
		expect(legacyHtmlToText(r.html)).toBe(''); // the old scanner hid the image and the link
		const pixel = renderCompiled(ct, { alt: 'x width=1 height=1' });
		expect(pixel.text).toBe('x width=1 height=1 Go (https://x.test/)');
	});
});

describe('compiled text plan: Liquid structures', () => {
	const cases: Array<{ name: string; body: string; data: Array<Record<string, unknown>>; liquid?: TemplateInput['liquid'] }> = [
		{
			name: 'if/elsif/else across paragraphs and inside text',
			body: '<h1>Hello{% if city %} from {{ city }}{% endif %}!</h1>{% if vip %}<p>VIP</p>{% elsif n > 2 %}<p>Regular {{ n }}</p>{% else %}<p>New</p>{% endif %}<p>End</p>',
			data: [{ city: 'Lyon', vip: true }, { n: 3 }, {}, { city: '', n: 1 }],
		},
		{
			name: 'for with limit, break, continue, else; a table per item',
			body: '<table>{% for p in items limit: 3 %}{% if p.skip %}{% continue %}{% endif %}<tr><td><a href="{{ p.url }}">{{ p.name }}</a></td><td>{{ p.price }}</td></tr>{% if p.stop %}{% break %}{% endif %}{% else %}<tr><td>Nothing</td></tr>{% endfor %}</table><p>After</p>',
			data: [{ items: [] }, { items: [{ name: 'A', url: 'https://a.test', price: 1 }, { name: 'B', skip: true }, { name: 'C', url: 'mailto:c@c.test', price: 3, stop: true }, { name: 'D' }] }, { items: [{ name: 'https://a.test', url: 'https://a.test' }] }],
		},
		{
			name: 'case/when, unless, assign, whitespace control',
			body: '{% assign greeting = "Hey" %}<p>{%- case lang -%} {%- when "fr" -%}Bonjour{%- when "de" -%}Hallo {%- else -%} {{ greeting }} {%- endcase -%}</p>{% unless quiet %}<ul><li>One</li><li>{{ two }}</li></ul>{% endunless %}',
			data: [{ lang: 'fr' }, { lang: 'de', quiet: true }, { two: '2  two' }],
		},
		{
			name: 'Liquid in comments, the head, hidden elements and ignored attributes',
			body: '<html><head><title>{{ title }}</title><style>.a{color:{{ color }}}</style></head><body><!--[if mso]>{% if x %}<table>{% endif %}<![endif]--><div class="c-{{ cls }}" data-x="{{ cls }}">Shown {{ cls }}</div><div hidden>{% if x %}{{ secret }}{% endif %}</div><span style="display:none">{{ secret }}</span></body></html>',
			data: [{ title: 'T', color: 'red', cls: 'a b', x: true, secret: 'S' }, { cls: '' }],
		},
		{
			name: 'raw output and escaping off (values without markup use the plan; markup falls back)',
			body: '<p>{{ note | raw }}</p><p>{{ name }}</p>',
			data: [{ note: 'plain note', name: 'Ada' }, { note: '<b>bold</b> &amp; <div style="display:none">x</div>', name: '<i>' }],
		},
		{
			name: 'escaping off',
			body: '<p><a href="{{ url }}">{{ label }}</a></p>',
			data: [{ url: 'https://x.test', label: 'Go' }, { url: 'https://x.test" onclick="x', label: '<b>Go</b>' }],
			liquid: { escapeHtml: false },
		},
		{
			name: 'entities next to values',
			body: '<p>Tom &amp; {{ a }}&nbsp;and&nbsp;{{ b }} &copy;</p>',
			data: [{ a: 'Jerry', b: 'amp;' }, { a: '&', b: ';' }],
		},
	];
	for (const c of cases) {
		it(c.name, async () => {
			const ct = await compileTemplate(html(c.body, c.liquid));
			expect(ct.textPlanReason).toBeUndefined();
			for (const d of c.data) {
				const r = renderCompiled(ct, d);
				expect(r.text).toBe(htmlToText(r.html));
			}
		});
	}

	it('equal the per-recipient conversion for arbitrary data (property test)', async () => {
		const chars = fc.constantFrom('a', ' ', '  ', '\n', '\u00a0', '&', 'amp;', '#3', '<', '>', '"', "'", '-', '=', 'hidden', 'https://', 'mailto:', 'none', '\uE005', '\u0002');
		const str = fc.array(chars, { maxLength: 8 }).map((a) => a.join(''));
		const val = fc.oneof(str, fc.boolean(), fc.integer({ min: -2, max: 5 }));
		const item = fc.record({ name: str, url: str, price: val, skip: fc.boolean(), stop: fc.boolean() });
		const data = fc.record({ city: val, vip: val, n: val, lang: fc.constantFrom('fr', 'de', 'en'), quiet: val, two: str, title: str, color: str, cls: str, x: val, secret: str, note: str, name: str, url: str, label: str, a: str, b: str, items: fc.array(item, { maxLength: 4 }) });
		const compiled = await Promise.all(cases.map((c) => compileTemplate(html(c.body, c.liquid))));
		fc.assert(
			fc.property(data, fc.nat(cases.length - 1), (d, k) => {
				const r = renderCompiled(compiled[k], d);
				return r.text === htmlToText(r.html);
			}),
			{ numRuns: 400 },
		);
	});

	it('the reference outputs of a case are what the plan gives', async () => {
		const ct = await compileTemplate(html(cases[1].body));
		expect(renderCompiled(ct, cases[1].data[1]).text).toBe('A (https://a.test) 1\nC (mailto:c@c.test) 3\n\nAfter');
		expect(renderCompiled(ct, cases[1].data[0]).text).toBe('Nothing\n\nAfter');
		expect(renderCompiled(ct, cases[1].data[2]).text).toBe('https://a.test\n\nAfter');
	});
});

describe('compiled text plan: not derived when it could differ (the text is then converted per recipient)', () => {
	const ineligible: Array<[string, string, RegExp]> = [
		['a branch that closes an element opened outside it', '<div>{% if x %}</div><div>{% endif %}text</div>', /not balanced|structure/],
		['a Liquid tag inside an HTML tag', '<td {% if x %}class="a"{% endif %}>cell</td>', /inside an HTML tag/],
		['Liquid in a style attribute', '<div style="display:{{ d }}">x</div>', /style/],
		['an unquoted attribute value', '<a href={{ url }}>x</a>', /quoted/],
		['capture', '{% capture x %}<b>y</b>{% endcapture %}<p>{{ x }}</p>', /capture/],
		['an entity split by Liquid', '<p>&{{ e }};</p>', /entity/],
		['a block opened in a comment and closed outside', '<!-- {% if x %} -->A{% endif %}B', /not balanced|structure|comment/],
	];
	// (Liquid as an element name, <{{ tag }}>, is refused at compile time by the URL guard: url-guard-gaps.test.ts)
	for (const [name, body, reason] of ineligible) {
		it(name, async () => {
			const ct = await compileTemplate(html(body));
			expect(ct.textPlan).toBeUndefined();
			expect(ct.textPlanReason).toMatch(reason);
			for (const d of [{ x: true, d: 'none', tag: 'p', url: 'https://x.test', e: 'amp' }, {}]) {
				const r = renderCompiled(ct, d);
				expect(r.text).toBe(htmlToText(r.html));
			}
		});
	}
});

describe('finalizeText', () => {
	it('matches its former char-by-char version on random pre-texts (markers, escapes, spaces, links, alts)', () => {
		const piece = fc.constantFrom(' ', '  ', 'a', 'b c', '\t', '\u00a0', '\n', ' x\u2003y ', 'https://x.example/p', 'mailto:q@x', 'é',
			'\uE000', '\uE001', '\uE002', '\uE003', '\uE004', '\uE005', '\uE006', '\uE007', '\uE00F', '\uE009');
		// a link whose label may equal its href once whitespace is collapsed
		const ws = fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', ' \u2003');
		const link = fc
			.tuple(ws, ws, fc.boolean())
			.map(([a, b, mail]) => `\uE003${mail ? 'mailto:' : ''}https://a.example/x${a}y\uE004${b}https://a.example/x${b}y${a}\uE005`);
		fc.assert(
			fc.property(fc.array(fc.oneof(piece, link), { maxLength: 40 }), (parts) => {
				const pre = parts.join('');
				expect(finalizeText(pre)).toBe(referenceFinalizeText(pre));
			}),
			{ numRuns: 3000 },
		);
	});
});
