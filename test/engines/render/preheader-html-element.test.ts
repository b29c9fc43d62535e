/**
 * HTML templates: an element whose class contains `preheader` but that holds nothing (an empty
 * placeholder, blanks, or only the &zwnj;&nbsp; padding) shows no preview line, so it must not
 * swallow the Preheader parameter (the email went out with no preview line while the output's
 * `preheader` claimed one) nor silence the "no preheader" warning: the same rule as an empty
 * <mj-preview>. Expected values written by hand.
 */
import { compileTemplate, lintTemplate, renderCompiled } from '../../../nodes/engines/render';

const UNSUB = '<p><a href="https://shop.example/unsubscribe?u=1">Unsubscribe</a></p>';
const page = (pre: string) => `<!doctype html><html><head><title>t</title></head><body>${pre}<p>Hi {{ name }}</p>${UNSUB}</body></html>`;
const PARAM_DIV = /<body><div style="display:none;[^"]*">Fresh picks for Ada<\/div>/;

describe('HTML: an empty preheader element is no preview line', () => {
	it.each([
		'<div class="preheader" style="display:none"></div>',
		'<span class="email-preheader" style="display:none">   </span>',
		'<div class="preheader" style="display:none">&zwnj;&nbsp;&zwnj;&nbsp;&#847;</div>',
		'<div class="preheader" style="display:none"><span></span></div>',
		'<!-- <div class="preheader">old line</div> -->',
	])('%s: the Preheader parameter is written into the email', async (pre) => {
		const ct = await compileTemplate({ format: 'html', body: page(pre), subject: 's', preheader: 'Fresh picks for {{ name }}' });
		const r = renderCompiled(ct, { name: 'Ada' });
		expect(r.preheader).toBe('Fresh picks for Ada');
		expect(r.html).toMatch(PARAM_DIV);
		expect(r.text).toBe('Hi Ada\n\nUnsubscribe (https://shop.example/unsubscribe?u=1)');
	});

	it('without a Preheader parameter, an empty one is reported as no preheader (render warnings and Lint)', async () => {
		const input = { format: 'html' as const, body: page('<div class="preheader" style="display:none"></div>'), subject: 's' };
		const r = renderCompiled(await compileTemplate(input), { name: 'Ada' });
		expect(r.warnings.filter((w) => w.startsWith('preheader:'))).toHaveLength(1);
		const report = await lintTemplate(input, { name: 'Ada' });
		expect(report.findings.filter((f) => f.check === 'preheader').map((f) => f.severity)).toEqual(['warning']);
	});

	it.each([
		'<div class="preheader" style="display:none">Our own line</div>',
		'<div class="preheader" style="display:none">{{ teaser }}</div>',
		'<div class="preheader" style="display:none"><div></div><span>Our own line</span></div>',
	])('%s: an element with content still wins over the parameter', async (pre) => {
		const ct = await compileTemplate({ format: 'html', body: page(pre), subject: 's', preheader: 'Fresh picks for {{ name }}' });
		const r = renderCompiled(ct, { name: 'Ada', teaser: 'Our own line' });
		expect(r.html).toContain('Our own line');
		expect(r.html).not.toContain('Fresh picks');
		expect(r.warnings.filter((w) => w.startsWith('preheader:'))).toHaveLength(0);
	});
});
