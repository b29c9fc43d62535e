/**
 * Render Email through the real n8n engine:
 * - a block whose `rule` is blank (empty or only white space) is refused when the library is read,
 *   naming the block (a rule of spaces failed as `body line 1, column 1: invalid value expression: ""`,
 *   naming neither the block nor the rule; an empty one silently showed the block and never its fallback);
 * - an image whose src renders empty for a recipient (`src="{{ p.image_url }}"` without the value)
 *   shows broken: that recipient's item warns, naming the image by its alt, else its position.
 */
import type { IDataObject } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

const warningsOf = (item: IDataObject, check: string) => ((item.message as IDataObject).warnings as string[]).filter((w) => w.startsWith(`${check}:`));

describe('Render Email: a blank block rule is refused, naming the block', () => {
	const library = (rule: string) =>
		JSON.stringify([
			{ name: 'promo', rule, fallback: 'plain', content: '<p>Sale</p>' },
			{ name: 'plain', content: '<p>News</p>' },
		]);
	const params = (rule: string, operation: string) => ({
		operation,
		format: 'html',
		subject: 'News',
		preheader: 'This week',
		body: "<html><body>{% render 'promo' %}<a href=\"https://shop.example/u\">Unsubscribe</a></body></html>",
		blocks: library(rule),
		outputField: 'message',
	});

	it.each([['  '], [''], ['\n\t']])('render: rule %j fails with the block named', async (rule) => {
		const result = await runWorkflow({ nodes: [node('Render Email', 'renderEmail', params(rule, 'render'))], connections: {} }, { input: [{ json: { name: 'Ada' } }] });
		expect(result.error?.message).toMatch(/Block "promo": "rule" is empty: .*leave "rule" out to always show the block/);
	});

	it('lint: the report names the block', async () => {
		const result = await runWorkflow({ nodes: [node('Render Email', 'renderEmail', params('  ', 'lint'))], connections: {} }, { input: [{ json: { name: 'Ada' } }] });
		expect(result.error).toBeUndefined();
		const findings = result.items('Render Email')[0].json.findings as IDataObject[];
		expect(findings.filter((f) => f.check === 'block-library').map((f) => f.message)).toEqual([
			expect.stringMatching(/^Block "promo": "rule" is empty/),
		]);
		expect(JSON.stringify(findings)).not.toContain('invalid value expression');
	});
});

describe('Render Email: an image whose src renders empty warns for that recipient', () => {
	it('HTML: names the image by its alt, else its position, only for the recipients concerned', async () => {
		const body =
			'<html><body>{% for p in products %}<img src="{{ p.image_url }}" alt="{{ p.name }}">{% endfor %}<img src="{{ banner_url }}" alt="">' +
			'<a href="{{ unsubscribe_url }}">Unsubscribe</a></body></html>';
		const unsubscribe_url = 'https://shop.example/u/1';
		const input = [
			{ products: [{ name: 'Trail jacket', image_url: 'https://cdn.example/j.jpg' }], banner_url: 'https://cdn.example/b.jpg', unsubscribe_url },
			{ products: [{ name: 'Trail jacket', image_url: 'https://cdn.example/j.jpg' }, { name: 'Wool socks' }], unsubscribe_url },
		];
		const result = await runWorkflow(
			{ nodes: [node('Render Email', 'renderEmail', { operation: 'render', format: 'html', subject: 'News', preheader: 'Picks', body, blocks: '[]', outputField: 'message' })], connections: {} },
			{ input: input.map((json) => ({ json })) },
		);
		expect(result.error).toBeUndefined();
		const [ada, bo] = result.items('Render Email').map((i) => i.json);
		expect(warningsOf(ada, 'image-src')).toEqual([]);
		expect((bo.message as IDataObject).html).toContain('<img src="" alt="Wool socks"><img src="" alt="">');
		// the second product (alt "Wool socks") and the banner, the email's third image, without alt text
		expect(warningsOf(bo, 'image-src')).toEqual([expect.stringMatching(/^image-src: 2 image\(s\) with an empty src, shown broken: "Wool socks", image 3 \(no alt\)\. /)]);
	});

	it('MJML: an <mj-image> whose src is empty for the recipient is named by its alt', async () => {
		const body =
			'<mjml><mj-body><mj-section><mj-column><mj-image src="{{ hero_url }}" alt="Spring sale"></mj-image>' +
			'<mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text></mj-column></mj-section></mj-body></mjml>';
		const result = await runWorkflow(
			{ nodes: [node('Render Email', 'renderEmail', { operation: 'render', format: 'mjml', subject: 'News', preheader: 'Picks', body, blocks: '[]', outputField: 'message' })], connections: {} },
			{ input: [{ json: { hero_url: 'https://cdn.example/h.jpg', unsubscribe_url: 'https://shop.example/u/1' } }, { json: { unsubscribe_url: 'https://shop.example/u/2' } }] },
		);
		expect(result.error).toBeUndefined();
		const [withHero, without] = result.items('Render Email').map((i) => i.json);
		expect(warningsOf(withHero, 'image-src')).toEqual([]);
		expect(warningsOf(without, 'image-src')).toEqual([expect.stringMatching(/^image-src: 1 image\(s\) with an empty src, shown broken: "Spring sale"\. /)]);
	});
});
