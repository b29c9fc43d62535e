/**
 * HTML templates: an element of class preheader is found also when the class value is unquoted
 * (`<div class=preheader style=display:none>`), which is valid HTML
 * (https://html.spec.whatwg.org/multipage/syntax.html#unquoted) and what HTML minifiers write when
 * they remove attribute quotes, as senders do to stay under Gmail's clipping size. Formerly such a
 * template was read as having no preview line: with a Preheader parameter the email carried two
 * preview lines (the parameter's first); without one, `preheader` was empty and the "No preheader"
 * warning was wrong. Expected values written by hand.
 */
import { compileTemplate, lintTemplate, renderCompiled } from '../../../nodes/engines/render';

const UNSUB = '<p><a href=https://shop.example/unsubscribe?u=1>Unsubscribe</a></p>';
const page = (pre: string) => `<!doctype html><html><head><title>t</title></head><body>${pre}<p>Hi {{ name }}</p>${UNSUB}</body></html>`;

describe('HTML: a preheader element whose class value is unquoted', () => {
	it.each([
		'<div class=preheader style=display:none>Our own line, {{ name }}</div>',
		'<span CLASS=email-preheader hidden>Our own line, {{ name }}</span>',
	])('%s: the template\'s own line wins over the parameter and is reported', async (pre) => {
		const ct = await compileTemplate({ format: 'html', body: page(pre), subject: 's', preheader: 'Fresh picks for {{ name }}' });
		const r = renderCompiled(ct, { name: 'Ada' });
		expect(r.preheader).toBe('Our own line, Ada');
		expect(r.html).not.toContain('Fresh picks');
		expect(r.warnings.filter((w) => w.startsWith('preheader:'))).toEqual([]);
	});

	it('without a Preheader parameter: no "No preheader" finding, the line is reported', async () => {
		const input = { format: 'html' as const, body: page('<div class=preheader style=display:none>Our own line</div>'), subject: 's' };
		const report = await lintTemplate(input, { name: 'Ada' });
		expect(report.findings.filter((f) => f.check === 'preheader')).toEqual([]);
		expect(report.sample?.preheader).toBe('Our own line');
	});

	it('an unquoted class that is not preheader (class=header) is no preview line', async () => {
		const ct = await compileTemplate({ format: 'html', body: page('<div class=header>Northwind</div>'), subject: 's', preheader: 'Fresh picks for {{ name }}' });
		const r = renderCompiled(ct, { name: 'Ada' });
		expect(r.preheader).toBe('Fresh picks for Ada');
		expect(r.html).toContain('Fresh picks for Ada');
	});
});
