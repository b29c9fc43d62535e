/**
 * Render Email through the real n8n engine:
 * - Lint reports an image whose src renders empty for its sample, as Render warns it for a recipient
 *   (Lint rendered the sample but never looked: the `image-src` line was Render's alone);
 * - a URL from the data that the URL guard replaces by `#` (a `javascript:` image src, a `data:` link)
 *   is reported, in Render's warnings and in Lint's findings, naming the element, the attribute and the
 *   scheme, never the value (before, the image silently became `src="#"`, shown broken);
 * - a block whose `rule` is an empty list is refused naming the block, as a blank rule is (before, the
 *   empty list held for everyone: the block always showed and its fallback never did).
 */
import type { IDataObject } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const warningsOf = (item: IDataObject, check: string) => ((item.message as IDataObject).warnings as string[]).filter((w) => w.startsWith(`${check}:`));
const findingsOf = (item: IDataObject, check: string) => (item.findings as IDataObject[]).filter((f) => f.check === check);

const UNSUB = '<a href="{{ unsubscribe_url }}">Unsubscribe</a>';
const run = (params: IDataObject, input: IDataObject[]) =>
	runWorkflow(
		{ nodes: [node('Render Email', 'renderEmail', { format: 'html', subject: 'News', preheader: 'Picks', blocks: '[]', outputField: 'message', ...params })], connections: {} },
		{ input: input.map((json) => ({ json })) },
	);

describe('Render Email Lint: an image whose src renders empty for the sample', () => {
	const body = `<html><body>{% for p in products %}<img src="{{ p.image_url }}" alt="{{ p.name }}">{% endfor %}<img src="{{ banner_url }}" alt="">${UNSUB}</body></html>`;
	const unsubscribe_url = 'https://shop.example/u/1';

	it('is reported with the words of the per-recipient warning, and not when the sample has the values', async () => {
		const bo = { products: [{ name: 'Trail jacket', image_url: 'https://cdn.example/j.jpg' }, { name: 'Wool socks' }], unsubscribe_url };
		const lint = await run({ operation: 'lint', body }, [bo]);
		expect(lint.error).toBeUndefined();
		const found = findingsOf(lint.items('Render Email')[0].json, 'image-src');
		// the second image (alt "Wool socks") and the third, the banner without alt text
		expect(found).toEqual([{ severity: 'warning', check: 'image-src', message: expect.stringMatching(/^2 image\(s\) with an empty src, shown broken: "Wool socks", image 3 \(no alt\)\. /) }]);

		const render = await run({ operation: 'render', body }, [bo]);
		expect(warningsOf(render.items('Render Email')[0].json, 'image-src')).toEqual([`image-src: ${found[0].message as string}`]);

		const full = { products: [{ name: 'Trail jacket', image_url: 'https://cdn.example/j.jpg' }], banner_url: 'https://cdn.example/b.jpg', unsubscribe_url };
		const clean = await run({ operation: 'lint', body }, [full]);
		expect(findingsOf(clean.items('Render Email')[0].json, 'image-src')).toEqual([]);
	});
});

describe('Render Email: a URL from the data the URL guard replaced by "#" is reported', () => {
	const hostile = "javascript:alert('ada@example.com')";
	const body = `<html><body>{% for p in products %}<a href="{{ p.url }}"><img src="{{ p.image_url }}" alt="{{ p.name }}"></a>{% endfor %}${UNSUB}</body></html>`;
	const input = [
		{ products: [{ name: 'Trail jacket', url: 'https://shop.example/j', image_url: 'https://cdn.example/j.jpg' }], unsubscribe_url: 'https://shop.example/u/1' },
		{
			products: [
				{ name: 'Trail jacket', url: 'https://shop.example/j', image_url: hostile },
				{ name: 'Wool socks', url: 'data:text/html,<b>ada@example.com</b>', image_url: 'JavaScript:alert(2)' },
			],
			unsubscribe_url: 'https://shop.example/u/2',
		},
	];

	it('render: names the element, the attribute and the scheme for that recipient only, never the value', async () => {
		const result = await run({ operation: 'render', body }, input);
		expect(result.error).toBeUndefined();
		const [ada, bo] = result.items('Render Email').map((i) => i.json);
		expect(warningsOf(ada, 'unsafe-url')).toEqual([]);
		const html = (bo.message as IDataObject).html as string;
		expect(html).toContain('<a href="https://shop.example/j"><img src="#" alt="Trail jacket"></a><a href="#"><img src="#" alt="Wool socks"></a>');
		const warnings = warningsOf(bo, 'unsafe-url');
		// two image srcs (javascript:, the scheme read case-insensitively) and one link (data:)
		expect(warnings).toEqual([expect.stringMatching(/^unsafe-url: 3 URL\(s\) from the data replaced by "#" \(.*\): <img src> \(javascript:\) ×2, <a href> \(data:\)\. /)]);
		expect(warnings[0]).not.toContain('ada@example.com');
		expect(warnings[0]).not.toContain('alert');
	});

	it('render: a value the guard reads whole where the attribute closes (two outputs, {% echo %}) and an <mj-image>', async () => {
		const split = `<html><body><img src="{{ a }}{{ b }}" alt="Hero"><img src="{% echo c %}" alt="Logo">${UNSUB}</body></html>`;
		const html = await run({ operation: 'render', body: split }, [{ a: 'java', b: 'script:alert(1)', c: 'vbscript:x', unsubscribe_url: 'https://shop.example/u/1' }]);
		expect(html.error).toBeUndefined();
		const out = html.items('Render Email')[0].json;
		expect((out.message as IDataObject).html).toContain('<img src="#" alt="Hero"><img src="#" alt="Logo">');
		expect(warningsOf(out, 'unsafe-url')).toEqual([expect.stringMatching(/: <img src> \(javascript:\), <img src> \(vbscript:\)\. /)]);

		const mjml =
			'<mjml><mj-body><mj-section><mj-column><mj-image src="{{ hero_url }}" alt="Spring sale"></mj-image>' +
			`<mj-text>${UNSUB}</mj-text></mj-column></mj-section></mj-body></mjml>`;
		const m = await run({ operation: 'render', format: 'mjml', body: mjml }, [{ hero_url: 'data:text/html;base64,PHNjcmlwdD4=', unsubscribe_url: 'https://shop.example/u/1' }]);
		expect(m.error).toBeUndefined();
		expect(warningsOf(m.items('Render Email')[0].json, 'unsafe-url')).toEqual([expect.stringMatching(/^unsafe-url: 1 URL\(s\) from the data replaced by "#" .*: <img src> \(data:\)\. /)]);
	});

	it('lint: reports it for the sample, as a warning', async () => {
		const lint = await run({ operation: 'lint', body }, [input[1]]);
		expect(lint.error).toBeUndefined();
		const found = findingsOf(lint.items('Render Email')[0].json, 'unsafe-url');
		expect(found).toEqual([{ severity: 'warning', check: 'unsafe-url', message: expect.stringMatching(/^3 URL\(s\) from the data replaced by "#" .*: <img src> \(javascript:\) ×2, <a href> \(data:\)\. /) }]);
		const clean = await run({ operation: 'lint', body }, [input[0]]);
		expect(findingsOf(clean.items('Render Email')[0].json, 'unsafe-url')).toEqual([]);
	});
});

describe('Render Email: a block whose rule is an empty list is refused, naming the block', () => {
	const params = (operation: string) => ({
		operation,
		body: `<html><body>{% render 'promo' %}${UNSUB}</body></html>`,
		blocks: JSON.stringify([
			{ name: 'promo', rule: [], fallback: 'plain', content: '<p>Sale</p>' },
			{ name: 'plain', content: '<p>News</p>' },
		]),
	});
	const recipient = { unsubscribe_url: 'https://shop.example/u/1' };

	it('render: fails with the block named, as a blank rule does', async () => {
		const result = await run(params('render'), [recipient]);
		expect(result.error?.message).toMatch(/Block "promo": "rule" is empty: .*leave "rule" out to always show the block/);
	});

	it('lint: the report names the block', async () => {
		const result = await run(params('lint'), [recipient]);
		expect(result.error).toBeUndefined();
		const findings = findingsOf(result.items('Render Email')[0].json, 'block-library');
		expect(findings.map((f) => [f.severity, f.message])).toEqual([['error', expect.stringMatching(/^Block "promo": "rule" is empty/)]]);
	});
});
