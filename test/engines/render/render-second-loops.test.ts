/**
 * Second review of the Render Email review: the `{% else %}` branch of a `{% for %}` is outside
 * the loop's scope (Liquid runs it when the list is empty; the loop variable is not bound there).
 * Expected values are written by hand from Liquid semantics.
 */
import { compileTemplate, lintTemplate, renderCompiled, type Block } from '../../../nodes/engines/render';

const UNSUB = '<p><a href="https://shop.example/u/1">Unsubscribe</a></p>';

describe('structured rule in the {% else %} branch of a {% for %}: the loop variable is not bound there', () => {
	// in Liquid, `else` of a for runs when the list is empty; `p` there is the recipient data's p
	const blocks: Block[] = [{ name: 'viewed', rule: { field: 'p.in_stock', operator: 'equals', value: true }, content: '<b>{{ p.name }} is back</b>' }];
	const input = (body: string) => ({ format: 'html' as const, body: `${body}${UNSUB}`, subject: 's', preheader: 'x', blocks });

	it('{% for p in recs %}…{% else %}{% render \'viewed\' %}{% endfor %} compiles and reads the data\'s p', async () => {
		const ct = await compileTemplate(input("<p>{% for p in recs %}{{ p.name }}{% else %}{% render 'viewed' %}{% endfor %}</p>"));
		expect(renderCompiled(ct, { recs: [], p: { name: 'Lamp', in_stock: true } }).html).toContain('<p><b>Lamp is back</b></p>');
		expect(renderCompiled(ct, { recs: [{ name: 'Mug' }], p: { name: 'Lamp', in_stock: true } }).html).toContain('<p>Mug</p>');
	});

	it('an {% else %} of an {% if %} inside the loop is still in the loop: refused', async () => {
		await expect(compileTemplate(input("<p>{% for p in recs %}{% if p.hide %}{% else %}{% render 'viewed' %}{% endif %}{% endfor %}</p>"))).rejects.toThrow(
			/^Block "viewed": its rule reads "p\.in_stock", but "p" is the variable of the \{% for p %\} loop/,
		);
	});

	it('in the else of an inner loop, an outer {% for p %} still binds p: refused', async () => {
		await expect(compileTemplate(input("<p>{% for p in recs %}{% for t in p.tags %}{{ t }}{% else %}{% render 'viewed' %}{% endfor %}{% endfor %}</p>"))).rejects.toThrow(
			/"p" is the variable of the \{% for p %\} loop/,
		);
	});

	it('lint reports p.name of a block in the for-else branch when the sample has no p', async () => {
		const card: Block = { name: 'card', content: '<b>{{ p.name }}</b>' };
		const body = `<p>{% for p in recs %}{{ p.name }}{% else %}{% render 'card' %}{% endfor %}</p>${UNSUB}`;
		const report = await lintTemplate({ format: 'html', body, subject: 's', preheader: 'x', blocks: [card] }, { recs: [] });
		expect(report.findings.filter((f) => f.check === 'missing-variable').map((f) => `${f.source} ${/"([^"]+)"/.exec(f.message)?.[1]}`)).toEqual(
			['block:card p.name'],
		);
	});
});
