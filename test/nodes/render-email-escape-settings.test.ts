/**
 * Render Email through the real n8n engine:
 * - an explicit `| escape` (Shopify habit) is not escaped a second time with Escape HTML in Values on;
 * - the Preheader keeps the marketer's `&zwnj;&nbsp;` padding and escapes the values in it; the
 *   Subject is escaped in <title> with Escape HTML in Values off too;
 * - a bad Locale / Currency / limit fails the node once with an error naming the option (Memory
 *   Limit 0 was silently replaced by the default), and Lint reports it as `settings`.
 */
import type { IDataObject } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const page = '<html><head><title></title></head><body><p>{{ n | escape }}</p><a href="https://x.example/u">Unsubscribe</a></body></html>';
const run = (params: IDataObject, input: IDataObject[]) =>
	runWorkflow(
		{ nodes: [node('Render Email', 'renderEmail', { format: 'html', subject: '{{ n }}', preheader: 'Sale {{ n }}&zwnj;&nbsp;', body: page, blocks: '[]', outputField: 'message', ...params })], connections: {} },
		{ input: input.map((json) => ({ json })) },
	);

describe('Render Email: escaping of explicit escapes, subject and preheader', () => {
	it('escape on: every value escaped once, padding kept', async () => {
		const result = await run({ operation: 'render' }, [{ n: 'Hat & "Scarf"' }]);
		expect(result.error).toBeUndefined();
		const message = result.items('Render Email')[0].json.message as IDataObject;
		const html = message.html as string;
		expect(html).toContain('<p>Hat &amp; &#34;Scarf&#34;</p>');
		expect(html).toContain('<title>Hat &amp; &#34;Scarf&#34;</title>');
		expect(html).toContain('mso-hide:all;">Sale Hat &amp; &#34;Scarf&#34;&zwnj;&nbsp;</div>');
		expect(message.preheader).toBe('Sale Hat & "Scarf"');
		expect(message.subject).toBe('Hat & "Scarf"');
	});

	it('escape off: the subject cannot end <title>, the preheader value cannot end the div', async () => {
		const result = await run({ operation: 'render', options: { escapeHtml: false } }, [{ n: '</title></div><img src=x onerror=alert(1)>' }]);
		const html = (result.items('Render Email')[0].json.message as IDataObject).html as string;
		expect(html).toContain('<title>&lt;/title&gt;&lt;/div&gt;&lt;img src=x onerror=alert(1)&gt;</title>');
		expect(html).toContain('mso-hide:all;">Sale &lt;/title&gt;&lt;/div&gt;&lt;img src=x onerror=alert(1)&gt;&zwnj;&nbsp;</div>');
		// the body value, with escaping off, is the marketer's choice: | escape escapes it once
		expect(html).toContain('<p>&lt;/title&gt;&lt;/div&gt;&lt;img src=x onerror=alert(1)&gt;</p>');
	});
});

describe('Render Email: options checked once, naming the option', () => {
	it.each([
		[{ locale: 'en_US' }, /Locale "en_US"/],
		[{ currency: 'EURO' }, /Currency "EURO"/],
		[{ memoryLimit: 0 }, /Memory Limit must be a number above 0/],
	])('%j', async (options, message) => {
		const render = await run({ operation: 'render', options }, [{ n: 'a' }, { n: 'b' }]);
		expect(render.error?.message).toMatch(message);
		const lint = await run({ operation: 'lint', options }, [{ n: 'a' }]);
		const findings = lint.items('Render Email')[0].json.findings as IDataObject[];
		expect(findings.filter((f) => f.check === 'settings').map((f) => f.message)).toEqual([expect.stringMatching(message)]);
	});
});
