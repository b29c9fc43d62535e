/**
 * The per-recipient fast paths (fastpath.ts) must render exactly what stock liquidjs renders
 * with the same options: a differential test against a fresh, unmodified Liquid engine.
 */
import { Liquid } from 'liquidjs';
import { compileTemplate, renderCompiled, RenderFailure } from '../../../nodes/engines/render';

const stock = (strict: boolean) =>
	new Liquid({ strictVariables: strict, strictFilters: true, lenientIf: true, ownPropertyOnly: true, outputEscape: 'escape', cache: false });

const data = {
	a: { b: 'B & <b>', list: [1, 2, 3], n: 0, empty: '', nil: null, nested: { 'x y': 'spaced' } },
	items: [{ name: 'first' }, { name: 'second' }],
	flag: true,
	off: false,
	i: 1,
	key: 'b',
	s: 'str',
};
const expressions = [
	'{{ a.b }}', '{{ a["b"] }}', '{{ a[key] }}', '{{ items[0].name }}', '{{ items[i].name }}', '{{ items.first.name }}', '{{ items.last.name }}',
	'{{ items.size }}', '{{ s.size }}', '{{ a.list }}', '{{ a.missing }}', '{{ missing.deep.path }}', '{{ a.nil }}', '{{ a.nested["x y"] }}',
	'{{ "lit" }}', '{{ 3 }}', '{{ true }}', '{{ a.b | raw }}', '{{ a.b | upcase }}', '{{ a.missing | default: a.b }}', '{{ a.empty | default: "d" }}',
	'{{ s | append: a.b }}', '{{ s | append: a["b"] }}', '{{ (1..3) | join: "," }}',
	'{% if a.b %}y{% else %}n{% endif %}', '{% if a.missing %}y{% else %}n{% endif %}', '{% if off %}y{% elsif flag %}e{% endif %}',
	'{% unless a.n %}u{% endunless %}', '{% if a.empty == empty %}E{% endif %}', '{% if items.size > 1 %}many{% endif %}',
	'{% for it in items %}{{ forloop.index }}{{ it.name }}{% if forloop.last %}.{% endif %}{% endfor %}',
	'{% for it in items %}{% if it.name == "first" %}{% continue %}{% endif %}{{ it.name }}{% break %}{% endfor %}',
	'{% case s %}{% when "str" %}S{% else %}X{% endcase %}', '{% assign q = a.b %}{{ q }}',
];

describe('fast paths render what stock liquidjs renders', () => {
	it('lenient mode: every expression', async () => {
		for (const expr of expressions) {
			const ct = await compileTemplate({ format: 'html', body: `<p>${expr}</p>`, subject: 'x' });
			const expected = stock(false).parseAndRenderSync(`<p>${expr}</p>`, data);
			expect([expr, renderCompiled(ct, data).html]).toEqual([expr, expected]);
		}
	});

	it('strict mode: the same values, and a missing path still fails the recipient naming it', async () => {
		for (const expr of expressions.filter((e) => !/missing/.test(e))) {
			const ct = await compileTemplate({ format: 'html', body: `<p>${expr}</p>`, subject: 'x', liquid: { strict: true } });
			expect([expr, renderCompiled(ct, data).html]).toEqual([expr, stock(true).parseAndRenderSync(`<p>${expr}</p>`, data)]);
		}
		const ct = await compileTemplate({ format: 'html', body: '<p>{{ a.missing }}</p>{% if gone.x %}y{% endif %}', subject: 'x', liquid: { strict: true } });
		expect(() => renderCompiled(ct, data)).toThrow(RenderFailure);
		expect(() => renderCompiled(ct, data)).toThrow(/a\.missing/);
		// lenientIf: a missing path in a condition is falsy, in strict mode too (as stock liquidjs)
		const cond = await compileTemplate({ format: 'html', body: '<p>{% if gone.x %}y{% else %}n{% endif %}</p>', subject: 'x', liquid: { strict: true } });
		expect(renderCompiled(cond, data).html).toBe(stock(true).parseAndRenderSync('<p>{% if gone.x %}y{% else %}n{% endif %}</p>', data));
		expect(renderCompiled(cond, data).html).toBe('<p>n</p>');
	});
});
