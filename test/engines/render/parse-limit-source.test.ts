/**
 * The Parse Limit counts the template as written (the body with its blocks inlined), not MJML's
 * compiled HTML (about 3.6 times longer): the reference email (~10,000 characters of MJML and
 * blocks, ~35,000 of compiled HTML) compiles under a 20,000-character limit, and a limit below its
 * source is reported as the parse limit, not as Liquid dropped by MJML.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileTemplate, lintTemplate, renderCompiled, TemplateError, type Block } from '../../../nodes/engines/render';

const dir = join(__dirname, '../../../nodes/RenderEmail/examples');
const body = readFileSync(join(dir, 'reference-email.mjml'), 'utf8');
const blocks = JSON.parse(readFileSync(join(dir, 'reference-blocks.json'), 'utf8')) as Block[];
const sample = JSON.parse(readFileSync(join(dir, 'sample-recipient.json'), 'utf8')) as Record<string, unknown>;
const source = body.length + blocks.reduce((n, b) => n + b.content.length, 0);

describe('Parse Limit applies to the template source', () => {
	it('the reference email fits a limit twice its source, though its compiled HTML is longer', async () => {
		expect(source).toBeLessThan(10_000);
		const ct = await compileTemplate({ format: 'mjml', body, blocks, subject: 'Hi', liquid: { parseLimit: 20_000 } });
		expect(ct.liquidHtml.length).toBeGreaterThan(20_000);
		expect(renderCompiled(ct, sample).html).toContain('</html>');
		const report = await lintTemplate({ format: 'mjml', body, blocks, subject: 'Hi', liquid: { parseLimit: 20_000 } }, sample);
		expect(report.findings.filter((f) => f.check === 'mjml-dropped-liquid' || /parse length/.test(f.message))).toEqual([]);
	}, 30_000);

	it('a limit below the source fails as the parse limit, naming no MJML cause', async () => {
		const error = await compileTemplate({ format: 'mjml', body, blocks, subject: 'Hi', liquid: { parseLimit: 5_000 } }).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(TemplateError);
		expect((error as Error).message).toMatch(/parse length limit exceeded/);
		expect((error as TemplateError).details.check).not.toBe('mjml-dropped-liquid');
		expect((error as Error).message).not.toMatch(/MJML/);
	}, 30_000);
});
