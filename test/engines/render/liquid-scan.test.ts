/**
 * scanLiquid (source.ts) finds Liquid tokens where liquidjs's tokenizer finds them: an output ends at
 * the first `}}` outside a quoted string, a tag at its first `%}` even inside quotes (liquidjs
 * readToDelimiter: respectQuoted only for outputs), so an apostrophe in a comment is text. Each
 * template below renders as stock liquidjs renders it (same options as the engine), or fails in both.
 */
import { Liquid } from 'liquidjs';
import { compileTemplate, renderCompiled, type Block } from '../../../nodes/engines/render';
import { scanLiquid } from '../../../nodes/engines/render/source';

const stock = () => new Liquid({ strictFilters: true, lenientIf: true, ownPropertyOnly: true, outputEscape: 'escape', cache: false });
const data = { name: 'Ada', vip: true };

function stockResult(body: string): { html: string } | { error: true } {
	try {
		return { html: stock().parseAndRenderSync(body, data) as string };
	} catch {
		return { error: true };
	}
}

async function ours(body: string, blocks: Block[] = []): Promise<{ html: string } | { error: true }> {
	try {
		return { html: renderCompiled(await compileTemplate({ format: 'html', body, subject: 's', blocks }), data, { skipText: true }).html };
	} catch {
		return { error: true };
	}
}

describe('Liquid tokens end where liquidjs ends them', () => {
	it.each([
		// review 6 F1: the apostrophe in a comment made the whole template "{% is never closed"
		["{% # don't show prices to wholesale accounts %}<p>Hi {{ name }}</p>"],
		["{% liquid\n  # don't greet twice\n  assign greeting = 'Hi'\n%}<p>{{ greeting }} {{ name }}</p>"],
		["{%- # it's -%} <p>{{ name }}</p>"],
		["{% comment %}don't {{ \"x\" }}{% endcomment %}<p>ok {{ name }}</p>"],
		["{% if vip %}{% # the VIP's banner %}<p>VIP</p>{% endif %}"],
		// a tag ends at its first %}, quotes or not; an output skips quoted strings
		['{% assign x = "a %} b" %}[{{ x }}]'],
		['{% echo "%}" %}'],
		['{{ "a }} b" }}|{{ name }}'],
		['{{ \'it\\\'s }} x\' }}'],
		['{{ "say \\"}}\\"" }}'],
		['{% if name == "}}" %}y{% else %}n{% endif %}'],
		// raw and comment bodies, paired as liquidjs pairs them
		["{% raw %}{{ 'a' }} don't {% endraw %}{{ name }}"],
		['{% raw %}a{%- endraw %}b{% endraw %}'],
		['{% comment %}{% raw %}{% endcomment %}{% endraw %}{% endcomment %}z'],
		// failing in both
		['{% comment %}a{% comment %}b{% endcomment %}c{% endcomment %}'],
		['{% comment %}{{ x {% endcomment %}'],
		['{%}x'],
		['{{ "}}'],
	])('%j', async (body) => {
		expect(await ours(body)).toEqual(stockResult(body));
	});

	it('tokens as liquidjs reads them (by hand)', () => {
		const text = "{% # don't %}<p>{{ \"a }} b\" }}</p>{% assign x = \"a %} b\" %}{% comment %}it's {% endcomment %}";
		expect(scanLiquid(text).map((t) => [t.kind, t.name, t.text])).toEqual([
			['tag', '#', "{% # don't %}"],
			['output', '', '{{ "a }} b" }}'],
			['tag', 'assign', '{% assign x = "a %}'],
			['tag', 'comment', "{% comment %}it's {% endcomment %}"],
		]);
	});

	it('a block with an apostrophe in a comment still expands the blocks after it', async () => {
		const blocks: Block[] = [
			{ name: 'hero', content: "{% # don't resize the hero %}<h1>Hi {{ name }}</h1>" },
			{ name: 'footer', content: '<p>Bye</p>' },
		];
		expect(await ours("{% # it's the body %}{% render 'hero' %}{% render 'footer' %}", blocks)).toEqual({ html: '<h1>Hi Ada</h1><p>Bye</p>' });
	});

	it('MJML: a comment with an apostrophe inside <mj-text>', async () => {
		const body = "<mjml><mj-body><mj-section><mj-column><mj-text>{% # don't show prices %}Hi {{ name }}</mj-text></mj-column></mj-section></mj-body></mjml>";
		const out = renderCompiled(await compileTemplate({ format: 'mjml', body, subject: 's' }), data, { skipText: true }).html;
		expect(out).toContain('Hi Ada');
	});

	it('errors keep naming the source, line and column', async () => {
		await expect(compileTemplate({ format: 'html', body: '<p>\n  {{ name </p>', subject: 's' })).rejects.toThrow('body line 2, column 3: "{{" is never closed with "}}"');
		await expect(compileTemplate({ format: 'html', body: "<p>{% render 'b' %}</p>", subject: 's', blocks: [{ name: 'b', content: 'x\n{% raw %}y' }] })).rejects.toThrow(
			'block:b line 2, column 1: {% raw %} without {% endraw %}',
		);
		await expect(compileTemplate({ format: 'html', body: 'a {% comment %} b', subject: 's' })).rejects.toThrow('body line 1, column 3: {% comment %} without {% endcomment %}');
	});
});
