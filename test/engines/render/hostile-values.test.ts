/**
 * Values written into CSS (a style attribute or a <style> element) are checked for functions a
 * template did not write (cssAdds in render/urls.ts). The names were found by a regular expression
 * that, on a long run of name characters not followed by `(`, tried every start position to the
 * end of the run: a 50,000-character value such as "(aaaa…&" took about 2.5 s per render, 100,000
 * about 10 s, and Render Email's time limit does not interrupt a regular expression, so one
 * customer's field blocked the n8n process. The bound below is generous for a shared machine.
 */
import { compileTemplate, renderCompiled } from '../../../nodes/engines/render';

function elapsed(run: () => unknown): number {
	const start = process.hrtime.bigint();
	run();
	return Number(process.hrtime.bigint() - start) / 1e6;
}

describe('values of hostile length in CSS', () => {
	const value = `(${'a'.repeat(100_000)}&`;

	it.each([
		['a style attribute', '<p style="color: {{ v }}">x</p>'],
		['a <style> element', '<style>.a { color: {{ v }} }</style><p class="a">x</p>'],
	])('renders a long value in %s in linear time', async (_where, body) => {
		const ct = await compileTemplate({ format: 'html', body });
		let html = '';
		expect(elapsed(() => (html = renderCompiled(ct, { v: value }).html))).toBeLessThan(1000);
		// the value adds nothing a browser runs as a function: it is written (escaped), not refused
		expect(html).toContain('a'.repeat(1000));
	});

	it('still finds a function name that a value adds after a long run', async () => {
		const ct = await compileTemplate({ format: 'html', body: '<p style="color: {{ v }}">x</p>' });
		// expression() is not a CSS function the guard allows; `calc(` is
		const bad = renderCompiled(ct, { v: `${'a'.repeat(50_000)} expression(alert(1))` }).html;
		expect(bad).not.toContain('expression(');
		const fine = renderCompiled(ct, { v: `${'a'.repeat(50_000)} calc(1px + 2px)` }).html;
		expect(fine).toContain('calc(1px + 2px)');
	});
});
