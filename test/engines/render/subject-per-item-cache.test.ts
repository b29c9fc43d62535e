/**
 * A Subject or Preheader that differs per item (written as an n8n expression, `{{ $json.first_name }},
 * your cart`, which n8n resolves before the node runs) shares the body's compile: MJML compiles once
 * for all of them (it ran once per recipient, ~56 ms each), and each recipient still gets its own
 * subject, <title> and preview line. The body depends on them only through whether each is set.
 */
import * as mjml from '../../../nodes/engines/render/mjml';
import { clearCompileCache, compileTemplate, renderCompiled } from '../../../nodes/engines/render';

const body = '<mjml><mj-head><mj-title></mj-title></mj-head><mj-body><mj-section><mj-column><mj-text>Hello {{ first_name }}</mj-text><mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text></mj-column></mj-section></mj-body></mjml>';
const DIV = /<div style="display:none;[^"]*mso-hide:all;">(.*?)<\/div>/;

afterEach(() => jest.restoreAllMocks());

it('three recipients with their own Subject and Preheader: one MJML compile, each subject, <title> and preview line its own', async () => {
	clearCompileCache();
	const compiles = jest.spyOn(mjml, 'compileMjml');
	for (const name of ['Ada', 'Bo & Co', 'Cy']) {
		const ct = await compileTemplate({ format: 'mjml', body, subject: `${name}, your cart`, preheader: `Still thinking, ${name}?` });
		const r = renderCompiled(ct, { first_name: name, unsubscribe_url: 'https://x.example/u' });
		expect(r.subject).toBe(`${name}, your cart`);
		expect(r.html).toContain(`<title>${name.replace('&', '&amp;')}, your cart</title>`);
		// typed Preheader text is written as typed (references allowed; a bare & stays)
		expect(DIV.exec(r.html)?.[1]).toBe(`Still thinking, ${name}?`);
		expect(r.html).toContain(`Hello ${name.replace('&', '&amp;')}`);
	}
	expect(compiles).toHaveBeenCalledTimes(1);
	// a Subject's Liquid error still names the subject
	await expect(compileTemplate({ format: 'mjml', body, subject: '{{ name ', preheader: 'p' })).rejects.toThrow(/^subject/);
	// without a Preheader the body is another compile: no preview line is written
	const none = renderCompiled(await compileTemplate({ format: 'mjml', body, subject: 'Hi' }), { first_name: 'Di', unsubscribe_url: 'https://x.example/u' });
	expect(DIV.exec(none.html)).toBeNull();
	expect(compiles).toHaveBeenCalledTimes(2);
});
