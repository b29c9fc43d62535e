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

describe("the engine's state is out of the data's reach", () => {
	it('data carrying __pz does not switch on a block its rule hides, nor replace the preheader', async () => {
		const blocks: Block[] = [{ name: 'vip', rule: { field: 'tier', operator: 'equals', value: 'gold' }, content: '<p>VIP CODE</p>' }];
		const ct = await compileTemplate(html(`<body>{% render 'vip' %}${UNSUB}</body>`, { blocks, preheader: 'Hello' }));
		const r = renderCompiled(ct, { tier: 'basic', __pz: { rules: { vip: true }, preheader: 'forged', shown: [] } });
		expect(r.html).not.toContain('VIP CODE');
		expect(r.blocks_shown).toEqual([]);
		expect(r.html).toContain('>Hello</div>');
		expect(r.html).not.toContain('forged');
		// the rule still works from the data it reads
		expect(renderCompiled(ct, { tier: 'gold' }).html).toContain('VIP CODE');
	});
});

describe('the input item stays as it is', () => {
	it('{% increment %} / {% decrement %} count per render without writing into the data', async () => {
		const ct = await compileTemplate(html(`<p>{% increment n %}{% increment n %}{% decrement d %}{{ name }}</p>${UNSUB}`));
		const data = { name: 'Ada' };
		const r = renderCompiled(ct, data);
		expect(r.html).toContain('<p>01-1Ada</p>');
		expect(data).toEqual({ name: 'Ada' });
		// a second render of the same item starts from 0 again
		expect(renderCompiled(ct, data).html).toContain('<p>01-1Ada</p>');
	});

	it('with Defaults too', async () => {
		const ct = await compileTemplate(html(`<p>{% increment n %}{{ name }}</p>${UNSUB}`));
		const data = { name: '' };
		expect(renderCompiled(ct, data, { defaults: { name: 'there' } }).html).toContain('<p>0there</p>');
		expect(data).toEqual({ name: '' });
	});
});

describe('rendered output counts toward the memory limit', () => {
	// a 4,096-character string (8 doubled 9 times), then written 20 times: 81,920 characters
	const grow = '{% assign s = "xxxxxxxx" %}{% for i in (1..9) %}{% assign s = s | append: s %}{% endfor %}';
	const loop = (out: string): string => `{% for i in (1..20) %}${out}{% endfor %}`;
	const liquid = { memoryLimit: 50_000 };

	it.each([
		['| raw in the HTML (with a text plan)', html(`${grow}<p>${loop('{{ s | raw }}')}</p>${UNSUB}`, { liquid })],
		['| raw in the HTML (no text part)', html(`${grow}<p>${loop('{{ s | raw }}')}</p>${UNSUB}`, { liquid })],
		['escaping off', html(`${grow}<p>${loop('{{ s }}')}</p>${UNSUB}`, { liquid: { ...liquid, escapeHtml: false } })],
		['the subject', html(`<p>x</p>${UNSUB}`, { subject: `${grow}${loop('{{ s }}')}`, liquid })],
		['the preheader', html(`<p>x</p>${UNSUB}`, { preheader: `${grow}${loop('{{ s }}')}`, liquid })],
		['static HTML repeated by a loop', html(`<p>${'{% for i in (1..100) %}'.repeat(2)}${'y'.repeat(100)}{% endfor %}{% endfor %}</p>${UNSUB}`, { liquid })],
	])('%s: the memory limit error, not 80 KB of output', async (name, input) => {
		const ct = await compileTemplate(input);
		const skipText = name.includes('no text part');
		expect(() => renderCompiled(ct, {}, { skipText })).toThrow(RenderFailure);
		expect(() => renderCompiled(ct, {}, { skipText })).toThrow(/memory limit/);
	});

	it('output under the limit renders', async () => {
		const ct = await compileTemplate(html(`${grow}<p>{{ s | raw }}{{ s | raw }}</p>${UNSUB}`, { liquid }));
		expect(renderCompiled(ct, {}).html).toContain('x'.repeat(8192));
	});
});

describe('URLs from the data: other schemes neutralised where a URL starts, CSS url() kept closed', () => {
	const render = async (body: string, data: Record<string, unknown>, extra: Partial<TemplateInput> = {}) =>
		renderCompiled(await compileTemplate(html(body + UNSUB, extra)), data);

	it.each([
		['javascript:alert(document.cookie)', '#'],
		['  JavaScript:alert(1)', '#'],
		['java\tscript:alert(1)', '#'],
		['data:text/html,<script>alert(1)</script>', '#'],
		['vbscript:msgbox(1)', '#'],
		['https://shop.example/p?a=1&b=2', 'https://shop.example/p?a=1&amp;b=2'],
		['http://shop.example/', 'http://shop.example/'],
		['mailto:help@shop.example', 'mailto:help@shop.example'],
		['tel:+33123456789', 'tel:+33123456789'],
		['/relative/path?x=a:b', '/relative/path?x=a:b'],
		['#top', '#top'],
	])('href="{{ url }}" with %j writes %j', async (url, expected) => {
		const r = await render('<a href="{{ url }}">Go</a>', { url });
		expect(r.html).toContain(`<a href="${expected}">Go</a>`);
	});

	it('src, unquoted values, | raw with an entity, escaping off, inside if and for', async () => {
		const bad = 'javascript:alert(1)';
		expect((await render('<img src="{{ u }}" alt="a">', { u: bad })).html).toContain('<img src="#" alt="a">');
		expect((await render('<a href={{ u }}>Go</a>', { u: bad })).html).toContain('<a href=#>Go</a>');
		expect((await render('<a href="{{ u | raw }}">Go</a>', { u: 'javascript&#58;alert(1)' })).html).toContain('<a href="#">Go</a>');
		expect((await render('<a href="{{ u }}">Go</a>', { u: bad }, { liquid: { escapeHtml: false } })).html).toContain('<a href="#">Go</a>');
		expect((await render('{% if u %}<a href="{{ u }}">Go</a>{% endif %}', { u: bad })).html).toContain('<a href="#">Go</a>');
		expect((await render('{% for u in us %}<a href="{{ u }}">Go</a>{% endfor %}', { us: [bad, 'https://a.example/'] })).html).toContain(
			'<a href="#">Go</a><a href="https://a.example/">Go</a>',
		);
	});

	it('an output later in the value is not checked for a scheme (the URL already started)', async () => {
		const r = await render('<a href="https://shop.example/?next={{ q }}">Go</a><p>{{ q }}</p>', { q: 'javascript:x' });
		expect(r.html).toContain('<a href="https://shop.example/?next=javascript:x">Go</a><p>javascript:x</p>');
	});

	it('the text part does not carry a neutralised URL', async () => {
		const r = await render('<p>Hi</p><a href="{{ u }}">Go</a>', { u: 'javascript:alert(1)' });
		expect(r.text).not.toContain('javascript');
	});

	it('MJML: mj-button href neutralised, mj-section background-url cannot close url(\'…\')', async () => {
		const body =
			'<mjml><mj-body><mj-section background-url="{{ bg }}"><mj-column><mj-button href="{{ url }}">Go</mj-button>' +
			'<mj-text><a href="https://x.example/unsubscribe">unsubscribe</a></mj-text></mj-column></mj-section></mj-body></mjml>';
		const ct = await compileTemplate({ format: 'mjml', body, subject: 'Hi', preheader: 'p' });
		const r = renderCompiled(ct, { bg: "https://img.example/x.png') no-repeat; } x{color:red", url: 'javascript:alert(1)' });
		expect(r.html).not.toContain('javascript:');
		expect(r.html).toContain('href="#"');
		// quote and parentheses percent-encoded (%27 %29 %28), so the declaration stays inside url('…')
		expect(r.html).toContain("url('https://img.example/x.png%27%29 no-repeat; } x{color:red')");
		expect(r.html).not.toMatch(/url\('https:\/\/img\.example\/x\.png(&#39;|')/);
		// an ordinary background image is untouched
		expect(renderCompiled(ct, { bg: 'https://img.example/x.png', url: 'https://a.example/' }).html).toContain("url('https://img.example/x.png')");
	});
});
