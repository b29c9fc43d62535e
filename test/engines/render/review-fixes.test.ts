/** Review fixes: block inlining bounded by the parse limit, engine state out of data's reach, output counted, input untouched, unsafe URLs. */
import { compileTemplate, lintTemplate, renderCompiled, RenderFailure, type Block, type TemplateInput } from '../../../nodes/engines/render';

const UNSUB = '<a href="https://x.example/unsubscribe">unsubscribe</a>';
const html = (body: string, extra: Partial<TemplateInput> = {}): TemplateInput => ({ format: 'html', body, subject: 'Hi', ...extra });

describe('block inlining is bounded by the parse limit', () => {
	// 9 blocks, each rendering the next 10 times: 10^8 inlined copies of the last one
	const blocks: Block[] = Array.from({ length: 9 }, (_, i) => ({
		name: `b${i}`,
		content: i === 8 ? '<p>{{ name }}</p>' : Array(10).fill(`{% render 'b${i + 1}' %}`).join(''),
	}));

	it('compile stops quickly with the parse limit error', async () => {
		const started = Date.now();
		await expect(compileTemplate(html(`{% render 'b0' %}${UNSUB}`, { blocks }))).rejects.toThrow(/parse length limit exceeded/);
		expect(Date.now() - started).toBeLessThan(2000);
	}, 10000);

	it('lint reports it as an error instead of running out of memory', async () => {
		const report = await lintTemplate(html(`{% render 'b0' %}${UNSUB}`, { blocks }), { name: 'Ada' });
		expect(report.ok).toBe(false);
		expect(report.findings.some((f) => f.severity === 'error' && /parse length limit exceeded/.test(f.message))).toBe(true);
	}, 10000);

	it('a small Parse Limit counts the inlined blocks, not only the body', async () => {
		// the render tags are replaced: 2 × (marker `{% pz_shown "b" %}`, 18 characters, + 100) = 236 characters
		const small: Block[] = [{ name: 'b', content: 'x'.repeat(100) }];
		const body = "{% render 'b' %}{% render 'b' %}";
		await expect(compileTemplate(html(body, { blocks: small, liquid: { parseLimit: 230 } }))).rejects.toThrow(/parse length limit exceeded/);
		await expect(compileTemplate(html(body, { blocks: small, liquid: { parseLimit: 240 } }))).resolves.toBeDefined();
	});
});
