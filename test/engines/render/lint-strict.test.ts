/**
 * Lint's missing-variable findings say what the render does. liquidjs with strictVariables and
 * lenientIf (as the node sets them) raises on a missing value in `{{ }}` outputs, filter
 * arguments and loops, not in if / elsif / unless / case / when conditions, `assign`, or before a
 * first `| default` (https://liquidjs.com/tutorials/options.html#lenientIf). So: an error only
 * where this sample's strict render fails; a warning where a strict read is not reached (or in
 * lenient mode, where it renders empty); an info where it is only read leniently. Paths read as
 * liquidjs reads them (`recs.first.name`, `items.size`). Expected outcomes by hand, checked
 * against stock liquidjs and the node's own strict render.
 */
import { Liquid } from 'liquidjs';
import { compileTemplate, lintTemplate, renderCompiled } from '../../../nodes/engines/render';

const stockStrict = new Liquid({ strictVariables: true, lenientIf: true, ownPropertyOnly: true, strictFilters: true, cache: false });
const FOOTER = '<p><a href="https://shop.example/u/1">Unsubscribe</a></p>';
const lint = (body: string, sample: Record<string, unknown>, strict: boolean) =>
	lintTemplate({ format: 'html', body: `${body}${FOOTER}`, subject: 'Hi', preheader: 'New picks', liquid: { strict } }, sample);
const missing = (r: Awaited<ReturnType<typeof lintTemplate>>) => r.findings.filter((f) => f.check === 'missing-variable').map((f) => `${f.severity}:${/"([^"]+)"/.exec(f.message)?.[1]}`);

describe('lint strict mode: an error exactly where the strict render fails', () => {
	// [template, sample, does a strict render fail (by hand), missing-variable findings in strict mode]
	const cases: Array<[string, Record<string, unknown>, boolean, string[]]> = [
		['<p>{{ first_name }}</p>', {}, true, ['error:first_name']],
		// the render stops at the first missing value: that one fails this recipient, the next is a warning
		['<p>{{ first_name }} {{ city }}</p>', {}, true, ['error:first_name', 'warning:city']],
		['<p>{{ first_name | default: "there" }}</p>', {}, false, ['info:first_name']],
		['{% if cart %}<p>in cart</p>{% endif %}', {}, false, ['info:cart']],
		['{% if cart.total > 10 %}<p>big</p>{% elsif cart.count == 1 %}one{% endif %}', {}, false, ['info:cart.total', 'info:cart.count']],
		['{% unless vip %}<p>join</p>{% endunless %}', {}, false, ['info:vip']],
		['{% case tier %}{% when gold %}g{% else %}x{% endcase %}', {}, false, ['info:tier', 'info:gold']],
		['{% assign n = nickname %}<p>{{ n }}</p>', {}, false, ['info:nickname']],
		// not reached by this sample: a warning (another recipient with a cart but no total fails)
		['{% if cart %}<p>{{ cart.total }}</p>{% endif %}', {}, false, ['info:cart', 'warning:cart.total']],
		// reached: the recipient fails
		['{% if cart %}<p>{{ cart.total }}</p>{% endif %}', { cart: { id: 1 } }, true, ['error:cart.total']],
		// a filter argument and a loop are strict; default's own argument too
		['<p>{{ "Hi " | append: first_name }}</p>', {}, true, ['error:first_name']],
		['<p>{{ first_name | default: nickname }}</p>', {}, true, ['info:first_name', 'error:nickname']],
		['{% for r in recs %}{{ r }}{% endfor %}', {}, true, ['error:recs']],
		// paths as liquidjs reads them
		['<p>{{ recs.first.name }} {{ recs.last.name }} {{ recs.size }}</p>', { recs: [{ name: 'Tee' }] }, false, []],
		['<p>{{ name.size }}</p>', { name: 'Ada' }, false, []],
		['<p>{{ price.size }}</p>', { price: 5 }, true, ['error:price.size']],
		['<p>{{ gone.x }}</p>', { gone: null }, false, []],
	];
	it.each(cases)('%s with %j', async (body, sample, fails, expected) => {
		const template = `${body}${FOOTER}`;
		// the outcome by hand agrees with stock liquidjs and with the node's strict render
		expect(throws(() => stockStrict.parseAndRenderSync(template, sample))).toBe(fails);
		const ct = await compileTemplate({ format: 'html', body: template, subject: 'Hi', preheader: 'New picks', liquid: { strict: true } });
		expect(throws(() => renderCompiled(ct, sample))).toBe(fails);
		const r = await lint(body, sample, true);
		expect(missing(r).sort()).toEqual([...expected].sort());
		expect(r.ok).toBe(!fails);
		expect(r.findings.some((f) => f.check === 'render')).toBe(fails);
	});

	it('lenient mode: strict reads are warnings, lenient ones infos, never errors', async () => {
		const r = await lint('<p>{{ first_name }} {{ nick | default: "x" }}</p>{% if cart %}{{ cart.total }}{% endif %}', {}, false);
		expect(missing(r).sort()).toEqual(['info:cart', 'info:nick', 'warning:cart.total', 'warning:first_name']);
		expect(r.ok).toBe(true);
	});

	it('review case: default, a condition and recs.first.name render in strict mode, so no errors', async () => {
		const body =
			'<p>Hi {{ first_name | default: "there" }}</p>{% if cart %}<p>{{ cart.total }}</p>{% endif %}' +
			'<p>Top pick: {{ recs.first.name }}</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>';
		const sample = { recs: [{ name: 'Tee' }], unsubscribe_url: 'https://shop.example/u/1' };
		const strict = await lintTemplate({ format: 'html', body, subject: 'Hi', preheader: 'New picks', liquid: { strict: true } }, sample);
		expect(strict.findings.filter((f) => f.severity === 'error')).toEqual([]);
		expect(strict.ok).toBe(true);
		const lenient = await lintTemplate({ format: 'html', body, subject: 'Hi', preheader: 'New picks' }, sample);
		expect(lenient.findings.filter((f) => /recs\.first/.test(f.message))).toEqual([]);
	});

	it('a Liquid block rule reads leniently; the subject strictly', async () => {
		const r = await lintTemplate(
			{
				format: 'html',
				body: `{% render 'cart' %}${FOOTER}`,
				subject: 'Hi {{ first_name }}',
				preheader: 'p',
				liquid: { strict: true },
				blocks: [{ name: 'cart', rule: 'cart.items.size > 0', content: '<p>cart</p>' }],
			},
			{},
		);
		expect(missing(r).sort()).toEqual(['error:first_name', 'info:cart.items.size']);
	});
});

function throws(fn: () => unknown): boolean {
	try {
		fn();
		return false;
	} catch {
		return true;
	}
}
