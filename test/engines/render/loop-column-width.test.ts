/**
 * A `{% for %}` repeating `<mj-column>` without a width inside one `<mj-section>`: MJML sizes
 * columns at compile time from the single column it sees, so each repeated column is written 100%
 * wide (checked below in the compiled HTML: MJML's own width class for a 100% column), and Outlook
 * (tables) puts them side by side at 600px each. Lint and every render warn, naming the loop's line;
 * a column with a width, or a loop that repeats whole sections, gets no warning.
 */
import { compileTemplate, lintTemplate, renderCompiled } from '../../../nodes/engines/render';

const mjml = (section: string) =>
	`<mjml><mj-body>\n<mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section>\n${section}\n<mj-section><mj-column><mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text></mj-column></mj-section>\n</mj-body></mjml>`;
const products = [{ title: 'A' }, { title: 'B' }, { title: 'C' }];
const warningsOf = async (body: string) => {
	const lint = await lintTemplate({ format: 'mjml', body, subject: 's', preheader: 'p' }, { products, unsubscribe_url: 'https://x.example/u' });
	return lint.findings.filter((f) => f.check === 'loop-column-width');
};

describe('a loop repeating mj-column without a width', () => {
	it('is written 100% wide by MJML and warned about, naming the loop line', async () => {
		const body = mjml('<mj-section>{% for p in products %}<mj-column><mj-text>{{ p.title }}</mj-text></mj-column>{% endfor %}</mj-section>');
		const ct = await compileTemplate({ format: 'mjml', body, subject: 's', preheader: 'p' });
		const html = renderCompiled(ct, { products, unsubscribe_url: 'https://x.example/u' }).html;
		// three columns, each with MJML's class of a full-width column
		expect(html.match(/mj-column-per-100/g)?.length).toBeGreaterThanOrEqual(5);
		const found = await warningsOf(body);
		expect(found).toHaveLength(1);
		expect(found[0]).toMatchObject({ severity: 'warning', line: 3 });
		expect(found[0].message).toContain('<mj-column width="25%">');
		expect(ct.findingWarnings.some((w) => w.startsWith('loop-column-width: body line 3'))).toBe(true);
	});

	it('no warning with a width on the column, or when the loop repeats whole sections, or repeats content inside one column', async () => {
		expect(await warningsOf(mjml('<mj-section>{% for p in products %}<mj-column width="33%"><mj-text>{{ p.title }}</mj-text></mj-column>{% endfor %}</mj-section>'))).toEqual([]);
		expect(await warningsOf(mjml('{% for p in products %}<mj-section><mj-column><mj-text>{{ p.title }}</mj-text></mj-column></mj-section>{% endfor %}'))).toEqual([]);
		expect(await warningsOf(mjml('<mj-section><mj-column>{% for p in products %}<mj-text>{{ p.title }}</mj-text>{% endfor %}</mj-column></mj-section>'))).toEqual([]);
	});
});
