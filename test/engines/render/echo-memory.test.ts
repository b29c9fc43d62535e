/**
 * What `{% echo %}` / `{% liquid echo … %}` / `{% cycle %}` write in a URL position is collected
 * and checked as one value (urls.ts, fastpath.ts guardTag). Those writes count toward the render's
 * Memory Limit as they happen, from what the email already holds, exactly as if they went straight
 * into the email: a loop inside `{% liquid %}` stops with the documented memory limit error
 * ("Rendering stopped by the memory limit …", liquid.ts explainLiquidError) instead of growing
 * the collected value until the process runs out of memory (here: past V8's longest string,
 * 2^29 - 24 characters, which throws "Invalid string length").
 */
import { compileTemplate, renderCompiled, RenderFailure, type TemplateInput } from '../../../nodes/engines/render';

const UNSUB = '<a href="https://x.example/unsubscribe">unsubscribe</a>';
const html = (body: string, extra: Partial<TemplateInput> = {}): TemplateInput => ({ format: 'html', body, subject: 'Hi', ...extra });
// a 1,048,576-character string: 8 characters doubled 17 times
const grow = '{% assign s = "xxxxxxxx" %}{% for i in (1..17) %}{% assign s = s | append: s %}{% endfor %}';

describe('writes of a tag in a URL position count toward the memory limit as they happen', () => {
	// 600 × 2^20 = 629,145,600 characters: more than a string can hold, 63 times the default limit (10,000,000)
	const liquid = { renderLimitMs: 60_000 };
	it.each([
		['{% liquid for … echo … | raw endfor %} in href', `<a href="{% liquid for i in (1..600)\necho s | raw\nendfor %}">x</a>`, liquid],
		['{% liquid echo … %} lines in src, escaping off', `<img alt="a" src="${'{% liquid for i in (1..300)\necho s\necho s\nendfor %}'}">`, { ...liquid, escapeHtml: false }],
	])('%s: the memory limit error', async (_name, body, settings) => {
		const ct = await compileTemplate(html(`${grow}<p>hi</p>${body}${UNSUB}`, { liquid: settings }));
		for (const skipText of [false, true]) {
			let error: unknown;
			try {
				renderCompiled(ct, {}, { skipText });
			} catch (e) {
				error = e;
			}
			expect(error).toBeInstanceOf(RenderFailure);
			expect((error as Error).message).toMatch(/^Rendering stopped by the memory limit \(10,000,000 allocations\)/);
		}
	});

	it('what the email already holds counts: an echo that alone fits stops when the email would pass the limit', async () => {
		// 4,096 characters; limit 15,000: three in the body and one echoed (16,384) pass it, one and one (8,192) do not
		const small = '{% assign s = "xxxxxxxx" %}{% for i in (1..9) %}{% assign s = s | append: s %}{% endfor %}';
		const settings = { memoryLimit: 15_000 };
		const over = await compileTemplate(html(`${small}<p>{{ s | raw }}{{ s | raw }}{{ s | raw }}</p><a href="{% echo s | raw %}">x</a>${UNSUB}`, { liquid: settings }));
		expect(() => renderCompiled(over, {})).toThrow(/^Rendering stopped by the memory limit/);
		const under = await compileTemplate(html(`${small}<p>{{ s | raw }}</p><a href="{% echo s | raw %}">x</a>${UNSUB}`, { liquid: settings }));
		expect(renderCompiled(under, {}).html).toContain(`href="${'x'.repeat(4096)}"`);
	});
});
