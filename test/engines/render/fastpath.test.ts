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

/**
 * Property-based: random data (missing values, nil, empty strings and arrays, numbers and
 * numeric strings, nested objects and arrays) and random `if`/`unless` conditions (comparisons,
 * `contains`, `and`/`or`, `empty`/`blank`/`nil` literals) and `for` loops (limit, offset,
 * reversed, forloop variables, break/continue, else, nested, `offset: continue`), rendered by
 * this package's engine (fast paths) and by a stock liquidjs engine with the same options:
 * the same HTML, or both fail with the same message (strict mode).
 */
import fc from 'fast-check';
import { createEngines } from '../../../nodes/engines/render/liquid';
import { optimizeTemplates } from '../../../nodes/engines/render/fastpath';

describe('fast paths vs stock liquidjs, property-based', () => {
	const scalar = fc.oneof(
		fc.constant(null),
		fc.boolean(),
		fc.integer({ min: -3, max: 3 }),
		fc.constantFrom(0.5, -1.5, 2.25),
		fc.constantFrom('', ' ', 'a', 'b', 'ab', 'ba', '1', '2', '10', 'A', '<&>', 'https://x.example/?a=1&b="2"'),
	);
	const leaf = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }), fc.record({ x: scalar, y: scalar }, { requiredKeys: [] }));
	const value = fc.oneof(leaf, fc.array(leaf, { maxLength: 4 }));
	const data = fc.record(
		{ a: value, b: value, c: scalar, list: fc.array(leaf, { maxLength: 6 }), obj: fc.record({ x: scalar, y: value, list: fc.array(scalar, { maxLength: 5 }) }, { requiredKeys: [] }) },
		{ requiredKeys: [] },
	);
	const operand = fc.constantFrom(
		'a', 'b', 'c', 'list', 'obj.x', 'obj.y', 'obj.list', 'list.size', 'list.first', 'list.last', 'list[0]', 'list[1].x', 'a.size', 'a.x', 'b[0]',
		'missing', 'missing.deep', 'obj.missing', 'nil', 'true', 'false', 'empty', 'blank', '0', '1', '-1', '2.5', '"a"', '""', '"1"', '"ab"',
	);
	const operator = fc.constantFrom('==', '!=', '>', '<', '>=', '<=', 'contains');
	const comparison = fc.oneof(operand, fc.tuple(operand, operator, operand).map(([l, op, r]) => `${l} ${op} ${r}`));
	const condition = fc.oneof(
		comparison,
		fc.tuple(comparison, fc.constantFrom('and', 'or'), comparison).map(([l, op, r]) => `${l} ${op} ${r}`),
		fc.tuple(comparison, fc.constantFrom('and', 'or'), comparison, fc.constantFrom('and', 'or'), comparison).map((p) => p.join(' ')),
	);
	const collection = fc.constantFrom('list', 'a', 'b', 'c', 'obj', 'obj.list', 'obj.y', 'missing', 'obj.missing', 'list.first', 'list[0]');
	const modifiers = fc
		.subarray(['limit', 'offset', 'reversed'])
		.chain((keys) => fc.tuple(...keys.map((k) => (k === 'reversed' ? fc.constant('reversed') : fc.integer({ min: -1, max: 4 }).map((n) => `${k}: ${n}`)))))
		.map((parts) => parts.join(' '));
	const stop = fc.constantFrom('nil', '1', '"a"', 'true', '0');
	const forloop = '{{ forloop.index }}{{ forloop.index0 }}{{ forloop.rindex }}{{ forloop.rindex0 }}{{ forloop.first }}{{ forloop.last }}{{ forloop.length }}{{ forloop.name }}';
	const loop = fc
		.tuple(collection, modifiers, stop, stop, fc.boolean(), fc.boolean())
		.map(([c, mods, brk, cont, withElse, nested]) =>
			`{% for x in ${c} ${mods} %}[${forloop}:{{ x }}]{% if x == ${cont} %}{% continue %}{% endif %}` +
			(nested ? `{% for y in x reversed %}<{{ forloop.index }}{{ y }}>{% if y == ${brk} %}{% break %}{% endif %}{% endfor %}` : '') +
			`{% if x == ${brk} %}{% break %}{% endif %}.${withElse ? '{% else %}E' : ''}{% endfor %}`,
		);

	type Outcome = { html: string } | { error: string };
	const ours = (strict: boolean) => {
		const { html } = createEngines({ strict });
		return (tpl: string, d: object): Outcome => {
			try {
				const list = html.parse(tpl);
				optimizeTemplates(list);
				return { html: String(html.renderSync(list, d)) };
			} catch (e) {
				return { error: (e as Error).message };
			}
		};
	};
	const reference = (strict: boolean) => {
		const engine = stock(strict);
		return (tpl: string, d: object): Outcome => {
			try {
				return { html: String(engine.parseAndRenderSync(tpl, d)) };
			} catch (e) {
				return { error: (e as Error).message };
			}
		};
	};

	for (const strict of [false, true]) {
		const mode = strict ? 'strict' : 'lenient';
		const fast = ours(strict);
		const slow = reference(strict);
		it(`${mode}: if/elsif/else and unless with random conditions`, () => {
			fc.assert(
				fc.property(condition, condition, data, (c1, c2, d) => {
					const tpl = `{% if ${c1} %}1{% elsif ${c2} %}2{% else %}3{% endif %}{% unless ${c1} %}u{% endunless %}{% if ${c2} %}{{ a }}{% endif %}`;
					expect(fast(tpl, d)).toEqual(slow(tpl, d));
				}),
				{ numRuns: 600 },
			);
		});
		it(`${mode}: for loops with modifiers, forloop, break/continue, else, nesting`, () => {
			fc.assert(
				fc.property(loop, data, (tpl, d) => {
					expect(fast(tpl, d)).toEqual(slow(tpl, d));
				}),
				{ numRuns: 600 },
			);
		});
		it(`${mode}: offset: continue reads the register the fast loop wrote`, () => {
			fc.assert(
				fc.property(fc.integer({ min: 0, max: 4 }), data, (n, d) => {
					const tpl = `{% for x in list limit: ${n} %}{{ x }},{% endfor %}|{% for x in list offset: continue %}{{ x }};{% endfor %}{% for x in list limit: 1 %}{{ forloop }}{% endfor %}`;
					expect(fast(tpl, d)).toEqual(slow(tpl, d));
				}),
				{ numRuns: 100 },
			);
		});
	}

	it('a runaway loop over data (fast path) still fails the recipient on the render limit', async () => {
		const xs = Array.from({ length: 3000 }, (_, i) => i);
		for (const body of ['{% for a in xs %}{% for b in xs %}{% if b > 0 %}{{ b }}{% endif %}{% endfor %}{% endfor %}', '{% for a in xs %}{% for b in xs %}x{% endfor %}{% endfor %}']) {
			const ct = await compileTemplate({ format: 'html', body, subject: 'x', liquid: { renderLimitMs: 100, memoryLimit: 1e9 } });
			const started = Date.now();
			expect(() => renderCompiled(ct, { xs })).toThrow(/Rendering stopped after 100 ms \(render limit\)/);
			expect(Date.now() - started).toBeLessThan(10000);
		}
	});
});
