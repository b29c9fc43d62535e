/**
 * An empty <mj-preview> writes no preview line (MJML outputs nothing for it), so it must neither
 * swallow the Preheader parameter (the email went out without it while the output's `preheader`
 * claimed it) nor silence the "no preheader" warning.
 */
import { compileTemplate, lintTemplate, renderCompiled } from '../../../nodes/engines/render';

const UNSUB = '<mj-text><a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a></mj-text>';
const mjml = (head: string) => `<mjml>${head}<mj-body><mj-section><mj-column><mj-text>Hi {{ name }}</mj-text>${UNSUB}</mj-column></mj-section></mj-body></mjml>`;
/** Text inside hidden elements right after <body> (where inboxes read the preview line). */
const hiddenAfterBody = (html: string) => /<body[^>]*>\s*<div style="display:none[^"]*">([^<]*)<\/div>/.exec(html)?.[1];

describe('an empty <mj-preview> is no preview', () => {
	it.each(['<mj-preview></mj-preview>', '<mj-preview>   </mj-preview>', '<mj-preview />'])('%s: the Preheader parameter is written into the email', async (preview) => {
		const ct = await compileTemplate({ format: 'mjml', body: mjml(`<mj-head>${preview}</mj-head>`), subject: 's', preheader: 'Fresh picks for {{ name }}' });
		const r = renderCompiled(ct, { name: 'Ada' });
		expect(r.preheader).toBe('Fresh picks for Ada');
		expect(hiddenAfterBody(r.html)).toBe('Fresh picks for Ada');
		expect(r.text).toBe('Hi Ada\nUnsubscribe (https://shop.example/unsubscribe?u=1)'); // the hidden line stays out of the text part
	});

	it('without a Preheader parameter it is reported as no preheader (render warnings and Lint)', async () => {
		const input = { format: 'mjml' as const, body: mjml('<mj-head><mj-preview></mj-preview></mj-head>'), subject: 's' };
		const r = renderCompiled(await compileTemplate(input), { name: 'Ada' });
		expect(r.warnings.filter((w) => w.startsWith('preheader:'))).toHaveLength(1);
		const report = await lintTemplate(input, { name: 'Ada' });
		expect(report.findings.filter((f) => f.check === 'preheader').map((f) => f.severity)).toEqual(['warning']);
	});

	it('an <mj-preview> with content still wins over the parameter, and one inside a comment does not count', async () => {
		const own = renderCompiled(await compileTemplate({ format: 'mjml', body: mjml('<mj-head><mj-preview>Our own line</mj-preview></mj-head>'), subject: 's', preheader: 'Param' }), { name: 'Ada' });
		expect(own.html).toContain('Our own line');
		expect(own.html).not.toContain('Param');
		const commented = renderCompiled(await compileTemplate({ format: 'mjml', body: mjml('<mj-head><!-- <mj-preview>old</mj-preview> --></mj-head>'), subject: 's', preheader: 'Param' }), { name: 'Ada' });
		expect(hiddenAfterBody(commented.html)).toBe('Param');
	});
});
