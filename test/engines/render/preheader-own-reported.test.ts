/**
 * When the template writes its own preview line (an <mj-preview> with content, or an HTML element
 * of class `preheader` with content), the output's `preheader` is that line as inboxes show it,
 * per recipient after Liquid: it was "" (no Preheader parameter) or the parameter's text, which the
 * email does not carry (the template's own line wins). Expected values written by hand.
 */
import { compileTemplate, lintTemplate, renderCompiled } from '../../../nodes/engines/render';

const UNSUB_MJ = '<mj-text><a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a></mj-text>';
const mjml = (preview: string) => `<mjml><mj-head>${preview}</mj-head><mj-body><mj-section><mj-column><mj-text>Hi {{ name }}</mj-text>${UNSUB_MJ}</mj-column></mj-section></mj-body></mjml>`;
const page = (pre: string) => `<!doctype html><html><head><title>t</title></head><body>${pre}<p>Hi {{ name }}</p><p><a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a></p></body></html>`;

describe("the output's preheader is the template's own preview line", () => {
	it('MJML <mj-preview> with Liquid, no Preheader parameter: the rendered line, references decoded', async () => {
		const ct = await compileTemplate({ format: 'mjml', body: mjml('<mj-preview>New in for {{ name }} &amp; friends</mj-preview>'), subject: 's' });
		expect(renderCompiled(ct, { name: 'Ada' }).preheader).toBe('New in for Ada & friends');
		const other = renderCompiled(ct, { name: 'Bo <3' });
		expect(other.preheader).toBe('New in for Bo <3 & friends');
		expect(other.warnings.filter((w) => w.startsWith('preheader:'))).toHaveLength(0);
	});

	it('MJML <mj-preview> and a Preheader parameter: the <mj-preview> line (the one the email carries)', async () => {
		const ct = await compileTemplate({ format: 'mjml', body: mjml('<mj-preview>Our own line</mj-preview>'), subject: 's', preheader: 'Param line' });
		const r = renderCompiled(ct, { name: 'Ada' });
		expect(r.html).not.toContain('Param line');
		expect(r.preheader).toBe('Our own line');
	});

	it('an <mj-preview> that renders empty for a recipient is reported (render warning and Lint)', async () => {
		const input = { format: 'mjml' as const, body: mjml('<mj-preview>{{ teaser }}</mj-preview>'), subject: 's' };
		const r = renderCompiled(await compileTemplate(input), { name: 'Ada' });
		expect(r.preheader).toBe('');
		expect(r.warnings).toContain('preheader: the preheader rendered empty');
		const report = await lintTemplate(input, { name: 'Ada', teaser: 'Spring picks' });
		expect(report.sample?.preheader).toBe('Spring picks');
		expect(report.findings.filter((f) => f.check === 'preheader')).toHaveLength(0);
		const empty = await lintTemplate(input, { name: 'Ada' });
		expect(empty.findings.filter((f) => f.check === 'preheader').map((f) => f.message)).toEqual(['The preheader renders empty for this sample']);
	});

	it('HTML element of class "preheader": its text without the &zwnj;&nbsp; padding; one in a comment does not count', async () => {
		const pre = '<!-- <div class="preheader">old line</div> --><div class="preheader" style="display:none;max-height:0">Spring sale for {{ name }}&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;&#847;</div>';
		const ct = await compileTemplate({ format: 'html', body: page(pre), subject: 's', preheader: 'Param line' });
		const r = renderCompiled(ct, { name: 'Ada' });
		expect(r.html).not.toContain('Param line');
		expect(r.preheader).toBe('Spring sale for Ada');
	});
});
