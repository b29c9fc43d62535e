/** Blocks, rules and fallbacks, escaping, strict mode, limits, the compile cache and lazy MJML. */
import {
	CACHE_SIZE,
	compileCacheSize,
	compileTemplate,
	evaluateRule,
	mjmlLoaded,
	renderCompiled,
	RenderFailure,
	type Block,
	type StructuredRule,
	type TemplateInput,
} from '../../../nodes/engines/render';
import { runInTimeZone } from '../../harness/timezone';

const html = (body: string, blocks: Block[] = [], liquid: TemplateInput['liquid'] = {}): TemplateInput => ({ format: 'html', body, blocks, subject: 'Hi', liquid });

describe('MJML loads lazily, once per process', () => {
	it('an HTML template never loads MJML; an MJML template loads it', async () => {
		await compileTemplate(html('<p>{{ x }}</p>'));
		expect(mjmlLoaded()).toBe(false);
		await compileTemplate({ format: 'mjml', body: '<mjml><mj-body><mj-section><mj-column><mj-text>a</mj-text></mj-column></mj-section></mj-body></mjml>' });
		expect(mjmlLoaded()).toBe(true);
	});
});

describe('compile cache', () => {
	it('returns the same compiled template for the same content, a new one when anything changes', async () => {
		const a = await compileTemplate(html('<p>cache {{ x }}</p>'));
		const b = await compileTemplate(html('<p>cache {{ x }}</p>'));
		expect(b).toBe(a);
		const c = await compileTemplate(html('<p>cache {{ x }}</p>', [], { strict: true }));
		expect(c).not.toBe(a);
		expect(c.key).not.toBe(a.key);
	});
	it('is bounded', async () => {
		for (let i = 0; i < CACHE_SIZE + 10; i++) await compileTemplate(html(`<p>n${i}</p>`));
		expect(compileCacheSize()).toBe(CACHE_SIZE);
	});
});

describe('blocks, rules and fallbacks', () => {
	const blocks: Block[] = [
		{ name: 'vip', rule: { field: 'profile.segment', operator: 'equals', value: 'VIP' }, fallback: 'standard', content: '<p>vip {{ profile.first_name }}</p>' },
		{ name: 'standard', content: '<p>standard</p>' },
		{ name: 'cart', rule: 'cart.items.size > 0', content: '<p>{% for i in cart.items %}[{{ i.name }}]{% endfor %}</p>' },
		{ name: 'recent', rule: [{ field: 'last_order_at', operator: 'withinDays', value: 30 }, { field: 'country', operator: 'in', value: ['FR', 'BE'] }], fallback: 'nothing_recent', content: '<p>recent</p>' },
		{ name: 'nothing_recent', content: '<p>come back</p>' },
	];
	const body = "{% render 'vip' %}{% render 'cart' %}{% render 'recent' %}";

	it('shows a block when its rule holds and records blocks_shown', async () => {
		const ct = await compileTemplate(html(body, blocks));
		const r = renderCompiled(ct, { profile: { segment: 'vip', first_name: 'Ada' }, cart: { items: [{ name: 'a' }, { name: 'b' }] }, last_order_at: new Date(Date.now() - 5 * 86400000).toISOString(), country: 'FR' });
		expect(r.html).toBe('<p>vip Ada</p><p>[a][b]</p><p>recent</p>');
		expect(r.blocks_shown).toEqual(['vip', 'cart', 'recent']);
	});

	it('renders the fallback when the data is missing or the rule does not hold; a block without fallback disappears', async () => {
		const ct = await compileTemplate(html(body, blocks));
		const r = renderCompiled(ct, { last_order_at: new Date(Date.now() - 90 * 86400000).toISOString(), country: 'FR' });
		expect(r.html).toBe('<p>standard</p><p>come back</p>');
		expect(r.blocks_shown).toEqual(['standard', 'nothing_recent']);
	});

	it('Liquid rules do not fail strict mode when their data is missing', async () => {
		const ct = await compileTemplate(html(body, blocks, { strict: true }));
		expect(renderCompiled(ct, { profile: { segment: 'x' } }).blocks_shown).toEqual(['standard', 'nothing_recent']);
	});

	it('unknown blocks, cycles and bad rules are compile errors that name the block', async () => {
		await expect(compileTemplate(html("{% render 'nope' %}", blocks))).rejects.toThrow(/block "nope" is not in the block library \(blocks: vip, standard/);
		await expect(compileTemplate(html("{% render 'a' %}", [{ name: 'a', content: "{% render 'b' %}" }, { name: 'b', content: "{% render 'a' %}" }]))).rejects.toThrow(/cycle: a → b → a/);
		await expect(compileTemplate(html("{% render 'a' %}", [{ name: 'a', rule: { field: 'x', operator: 'bigger' as never }, content: 'x' }]))).rejects.toThrow(/unknown operator "bigger"/);
		await expect(compileTemplate(html("{% render 'a' %}", [{ name: 'a', fallback: 'ghost', content: 'x' }]))).rejects.toThrow(/fallback block "ghost"/);
		await expect(compileTemplate(html('{% render block_name %}', blocks))).rejects.toThrow(/quoted name only/);
	});

	it('a syntax error inside a block reports the block and its own line', async () => {
		await expect(compileTemplate(html("<p>a</p>\n{% render 'bad' %}", [{ name: 'bad', content: '<p>\nline two {% if x %}\n</p>' }]))).rejects.toThrow(/^block:bad line 2, column 10: tag \{% if x %\} not closed/);
	});
});

describe('structured rule operators (hand-computed cases)', () => {
	const now = Date.parse('2024-06-15T12:00:00Z');
	const data = { p: { orders: 4, tags: ['vip', 'eu'], city: ' Lyon ', last: '2024-06-01T00:00:00Z', empty: '' } };
	it.each([
		[{ field: 'p.orders', operator: 'gt', value: 3 }, true],
		[{ field: 'p.orders', operator: 'lte', value: 3 }, false],
		[{ field: 'p.tags', operator: 'contains', value: 'VIP' }, true],
		[{ field: 'p.city', operator: 'equals', value: 'lyon' }, true],
		[{ field: 'p.city', operator: 'notIn', value: ['Paris'] }, true],
		// p.last is 14.5 days before now
		[{ field: 'p.last', operator: 'withinDays', value: 15 }, true],
		[{ field: 'p.last', operator: 'withinDays', value: 14 }, false],
		[{ field: 'p.last', operator: 'olderThanDays', value: 14 }, true],
		[{ field: 'p.last', operator: 'olderThanDays', value: 15 }, false],
		[{ field: 'p.empty', operator: 'isEmpty' }, true],
		[{ field: 'p.missing', operator: 'notExists' }, true],
		[{ field: 'p.missing', operator: 'notEquals', value: 'x' }, false], // missing data never satisfies a comparison
	] as const)('%j → %s', (rule, expected) => {
		expect(evaluateRule(rule as never, data, now)).toBe(expected);
	});
});

describe('gt / gte / lt / lte on dates compare moments (review: they were always false)', () => {
	// 2024-06-01T00:00:00Z is epoch 1717200000 s (19,875 days × 86,400 s)
	const data = { p: { first: '2024-06-01T00:00:00Z', epoch: 1717200000, date: new Date('2024-06-01T00:00:00Z'), orders: 4, word: 'soon' } };
	it.each([
		[{ field: 'p.first', operator: 'gt', value: '2024-05-31' }, true],
		[{ field: 'p.first', operator: 'lt', value: '2024-05-31' }, false],
		[{ field: 'p.first', operator: 'lt', value: '2024-06-02' }, true],
		// the same moment written three ways: 2024-06-01 is midnight UTC, and so is 02:00 at +02:00
		[{ field: 'p.first', operator: 'gte', value: '2024-06-01' }, true],
		[{ field: 'p.first', operator: 'gt', value: '2024-06-01' }, false],
		[{ field: 'p.first', operator: 'lte', value: '2024-06-01T02:00:00+02:00' }, true],
		[{ field: 'p.first', operator: 'lt', value: '2024-06-01T02:00:00+02:00' }, false],
		// a date-time without a zone is UTC: 01:00 UTC is an hour after the data
		[{ field: 'p.first', operator: 'lt', value: '2024-06-01T01:00:00' }, true],
		// the data as epoch seconds (as withinDays reads it) and as a Date
		[{ field: 'p.epoch', operator: 'gt', value: '2024-05-31' }, true],
		[{ field: 'p.epoch', operator: 'lte', value: '2024-05-31T23:59:59Z' }, false],
		[{ field: 'p.date', operator: 'gte', value: '2024-06-01' }, true],
		// data that is no date never satisfies a date comparison; numbers compare as before
		[{ field: 'p.word', operator: 'lt', value: '2024-06-01' }, false],
		[{ field: 'p.word', operator: 'gt', value: '2024-06-01' }, false],
		[{ field: 'p.orders', operator: 'gte', value: 4 }, true],
		[{ field: 'p.orders', operator: 'gt', value: '4' }, false],
	] as const)('%j → %s', (rule, expected) => {
		expect(evaluateRule(rule as never, data)).toBe(expected);
	});

	it('the same whatever the server time zone', () => {
		const blocks = require.resolve('../../../nodes/engines/render/blocks');
		const out = runInTimeZone(
			'America/Los_Angeles',
			`const { evaluateRule } = require(${JSON.stringify(blocks)});
			const r = (operator, d, value) => evaluateRule({ field: 'd', operator, value }, { d });
			console.log(JSON.stringify([r('lt', '2024-06-01T00:00:00Z', '2024-06-01T01:00:00'), r('gte', '2024-06-01T00:00:00', '2024-06-01')]));`,
		);
		expect(out).toEqual([true, true]);
	});
});

describe('in / notIn need a list (review: with one value "in" never held and "notIn" never either)', () => {
	it('a block whose in/notIn value is not a list is a compile error naming the block and the rule', async () => {
		const block = (rule: Block['rule']): Block[] => [{ name: 'fr', rule, content: '<p>fr</p>' }];
		await expect(compileTemplate(html("{% render 'fr' %}", block({ field: 'country', operator: 'in', value: 'FR' })))).rejects.toThrow(
			'Block "fr": the rule (field "country", operator "in") needs "value" to be a list, e.g. ["FR", "BE"] (got "FR")',
		);
		await expect(
			compileTemplate(html("{% render 'fr' %}", block([{ field: 'country', operator: 'exists' }, { field: 'country', operator: 'notIn' }]))),
		).rejects.toThrow('Block "fr": rule 2 (field "country", operator "notIn") needs "value" to be a list, e.g. ["FR", "BE"] (got no value)');
		// a list, even of one, is fine
		const ct = await compileTemplate(html("{% render 'fr' %}", block({ field: 'country', operator: 'in', value: ['fr'] })));
		expect(renderCompiled(ct, { country: 'FR' }).blocks_shown).toEqual(['fr']);
	});
});

describe('rules whose value cannot hold are refused when the library is read (they were silently always false or always true)', () => {
	const block = (rule: Block['rule']): Block[] => [{ name: 'b', rule, content: '<p>b</p>' }];
	const compile = (rule: Block['rule']) => compileTemplate(html("{% render 'b' %}", block(rule)));
	it.each([
		// gt "yesterday": a number compared with NaN, false for every recipient
		[{ field: 'total', operator: 'gt', value: 'yesterday' }, 'needs "value" to be a number or an ISO date, e.g. 100 or "2024-01-01" (got "yesterday")'],
		[{ field: 'total', operator: 'lte' }, 'needs "value" to be a number or an ISO date, e.g. 100 or "2024-01-01" (got no value)'],
		// withinDays "a month": never within
		[{ field: 'last_order_at', operator: 'withinDays', value: 'a month' }, 'needs "value" to be a number of days, e.g. 30 (got "a month")'],
		[{ field: 'last_order_at', operator: 'olderThanDays', value: -5 }, 'needs "value" to be a number of days, e.g. 30 (got -5)'],
		// equals with no value: never held; notEquals: always; contains: looked for the text "undefined"
		[{ field: 'segment', operator: 'equals' }, 'needs "value" to be text, a number or true/false (isEmpty / notExists test for a missing value) (got no value)'],
		[{ field: 'segment', operator: 'notEquals', value: null }, 'needs "value" to be text, a number or true/false (isEmpty / notExists test for a missing value) (got null)'],
		[{ field: 'tags', operator: 'contains' }, 'needs "value" to be text, a number or true/false (isEmpty / notExists test for a missing value) (got no value)'],
	] as Array<[StructuredRule, string]>)('%j', async (rule, needs) => {
		await expect(compile(rule)).rejects.toThrow(`Block "b": the rule (field "${rule.field}", operator "${rule.operator}") ${needs}`);
	});

	it('values that can hold still compile and decide as before', async () => {
		const rules: Array<[StructuredRule, Record<string, unknown>, boolean]> = [
			[{ field: 'total', operator: 'gt', value: '100' }, { total: 150 }, true],
			[{ field: 'total', operator: 'gte', value: 0 }, { total: 0 }, true],
			[{ field: 'd', operator: 'lt', value: '2024-01-01' }, { d: '2023-12-31T23:00:00Z' }, true],
			[{ field: 'd', operator: 'withinDays', value: '1' }, { d: new Date(Date.now() - 3600_000).toISOString() }, true],
			[{ field: 'segment', operator: 'equals', value: '' }, { segment: 'vip' }, false],
			[{ field: 'vip', operator: 'equals', value: false }, { vip: false }, true],
		];
		for (const [rule, data, shown] of rules) {
			const ct = await compile(rule);
			expect([rule, renderCompiled(ct, data).blocks_shown]).toEqual([rule, shown ? ['b'] : []]);
		}
	});
});

describe('withinDays / olderThanDays: a date-time without a zone is UTC whatever the server time zone', () => {
	it.each(['UTC', 'America/Los_Angeles', 'Asia/Tokyo'])('%s', (tz) => {
		const blocks = require.resolve('../../../nodes/engines/render/blocks');
		const out = runInTimeZone(
			tz,
			`const { evaluateRule } = require(${JSON.stringify(blocks)});
			const now = Date.parse('2024-06-15T12:00:00Z');
			const r = (operator, d) => evaluateRule({ field: 'd', operator, value: 7 }, { d }, now);
			console.log(JSON.stringify([r('withinDays', '2024-06-08T13:00:00'), r('olderThanDays', '2024-06-08T13:00:00'), r('withinDays', '2024-06-08T11:00:00'), r('olderThanDays', '2024-06-08T11:00:00')]));`,
		);
		// 13:00 UTC is 6 d 23 h before now: within 7 days; 11:00 UTC is 7 d 1 h before: older than 7 days
		expect(out).toEqual([true, false, false, true]);
	});
});

describe('rules read numbers and dates as Customer Segments does (rules/compare.ts; review: the twins had drifted)', () => {
	const now = Date.parse('2024-06-15T12:00:00Z');
	const r = (f: unknown, operator: StructuredRule['operator'], value: unknown) => evaluateRule({ field: 'f', operator, value }, { f }, now);
	it.each([
		// in / notIn use equals: "5.0" is the number 5 (it was the text "5.0", not "5")
		['5.0', 'in', ['5', '6'], true],
		['5.0', 'notIn', ['5'], false],
		[' 007 ', 'in', [7], true],
		// hexadecimal text is no number: gte 16 and lte 16 both fail (Number("0x10") was 16: both held)
		['0x10', 'gte', 16, false],
		['0x10', 'lte', 16, false],
		// a date field against an epoch value (seconds): 2024-06-01T00:00Z is 1717200000 s; it was NaN, always false
		['2024-06-01T00:00:00Z', 'gte', 1717200000, true],
		['2024-06-01T00:00:00Z', 'lte', 1717113600, false],
		// date text other than ISO is no date: "June 14, 2024" was read at the server's local midnight,
		// within 7 days of 2024-06-15 12:00 UTC in every zone (June 14 00:00 is 13 h 30 min before at
		// UTC+14 … 36 h 30 min before at UTC-12); "June 1, 2024" was older than 7 days everywhere
		['June 14, 2024', 'withinDays', 7, false],
		['June 1, 2024', 'olderThanDays', 7, false],
		// unchanged: ISO, epoch digits and YYYYMMDD text are moments (2024-06-10 is 5.5 days before now)
		['2024-06-10', 'withinDays', 7, true],
		['1717977600', 'withinDays', 7, true],
		['20240610', 'withinDays', 7, true],
		['20240601', 'olderThanDays', 7, true],
	] as const)('%j %s %j → %s', (f, operator, value, expected) => {
		expect(r(f, operator, value)).toBe(expected);
	});

	it('a non-ISO date is decided alike on every server (it was read in the server time zone)', () => {
		const blocks = require.resolve('../../../nodes/engines/render/blocks');
		// "2024/06/08 12:00" at the server's local time: 19:00 UTC in Los Angeles (PDT, UTC-7), 6 d 17 h
		// before now, within 7 days; 03:00 UTC in Tokyo (UTC+9), 7 d 9 h before, not within
		const outs = ['UTC', 'America/Los_Angeles', 'Asia/Tokyo'].map((tz) =>
			runInTimeZone(
				tz,
				`const { evaluateRule } = require(${JSON.stringify(blocks)});
				const now = Date.parse('2024-06-15T12:00:00Z');
				const r = (operator) => evaluateRule({ field: 'd', operator, value: 7 }, { d: '2024/06/08 12:00' }, now);
				console.log(JSON.stringify([r('withinDays'), r('olderThanDays')]));`,
			),
		);
		expect(outs).toEqual([[false, false], [false, false], [false, false]]);
	});

	it('a gt / withinDays value in hexadecimal is refused when the library is read (it was read as 16 / 30)', async () => {
		const compile = (rule: StructuredRule) => compileTemplate(html("{% render 'b' %}", [{ name: 'b', rule, content: '<p>b</p>' }]));
		await expect(compile({ field: 'total', operator: 'gt', value: '0x10' })).rejects.toThrow(
			'Block "b": the rule (field "total", operator "gt") needs "value" to be a number or an ISO date, e.g. 100 or "2024-01-01" (got "0x10")',
		);
		await expect(compile({ field: 'last_order_at', operator: 'withinDays', value: '0x1E' })).rejects.toThrow(
			'Block "b": the rule (field "last_order_at", operator "withinDays") needs "value" to be a number of days, e.g. 30 (got "0x1E")',
		);
		// decimal text still compiles
		await expect(compile({ field: 'last_order_at', operator: 'withinDays', value: ' 3e1 ' })).resolves.toBeDefined();
	});
});

describe('escaping', () => {
	const data = { name: '<img src=x onerror=alert(1)> & "q"', trusted: '<b>bold</b>' };
	it('escapes every output by default; | raw opts one value out', async () => {
		const ct = await compileTemplate(html('<p>{{ name }}</p><p>{{ trusted | raw }}</p>'));
		expect(renderCompiled(ct, data).html).toBe('<p>&lt;img src=x onerror=alert(1)&gt; &amp; &#34;q&#34;</p><p><b>bold</b></p>');
	});
	it('escapeHtml: false trusts all values', async () => {
		const ct = await compileTemplate(html('<p>{{ trusted }}</p>', [], { escapeHtml: false }));
		expect(renderCompiled(ct, data).html).toBe('<p><b>bold</b></p>');
	});
	it('the subject is plain text, never HTML-escaped', async () => {
		const ct = await compileTemplate({ ...html('<p>x</p>'), subject: '{{ name }} & co' });
		expect(renderCompiled(ct, { name: 'Tom & Jerry' }).subject).toBe('Tom & Jerry & co');
	});
});

describe('strict vs lenient, limits', () => {
	it('lenient renders a missing value empty; strict fails the recipient naming the value', async () => {
		const lenient = await compileTemplate(html('<p>Hi {{ profile.first_name }}</p>'));
		expect(renderCompiled(lenient, {}).html).toBe('<p>Hi </p>');
		const strict = await compileTemplate(html('<p>Hi {{ profile.first_name }}</p>', [], { strict: true }));
		expect(() => renderCompiled(strict, {})).toThrow(RenderFailure);
		expect(() => renderCompiled(strict, {})).toThrow(/Missing value "profile" \(strict mode\)/);
		expect(renderCompiled(strict, { profile: { first_name: 'Ada' } }).html).toBe('<p>Hi Ada</p>');
	});

	it('defaults fill missing and blank values, the data wins otherwise', async () => {
		const ct = await compileTemplate(html('<p>{{ profile.first_name }} {{ profile.city }}</p>', [], { strict: true }));
		const defaults = { profile: { first_name: 'there', city: 'your city' } };
		expect(renderCompiled(ct, { profile: { first_name: ' ', city: 'Lyon' } }, { defaults }).html).toBe('<p>there Lyon</p>');
	});

	it('a runaway loop fails that recipient quickly (render time limit)', async () => {
		const ct = await compileTemplate(html('{% for a in (1..3000) %}{% for b in (1..3000) %}{% endfor %}{% endfor %}', [], { renderLimitMs: 100, memoryLimit: 1e9 }));
		const started = Date.now();
		expect(() => renderCompiled(ct, {})).toThrow(/Rendering stopped after 100 ms \(render limit\)/);
		expect(Date.now() - started).toBeLessThan(10000);
	});

	it('a huge range fails on the memory limit', async () => {
		const ct = await compileTemplate(html('{% for a in (1..100000000) %}x{% endfor %}'));
		expect(() => renderCompiled(ct, {})).toThrow(/memory limit/);
	});

	it('the parse limit bounds the template size', async () => {
		await expect(compileTemplate(html(`<p>${'x'.repeat(2000)}</p>`, [], { parseLimit: 1000 }))).rejects.toThrow(/parse length limit exceeded/);
	});
});

describe('no filesystem access', () => {
	it('partials never resolve from disk: an include in the body must be a block, one in the subject finds nothing', async () => {
		await expect(compileTemplate(html("{% include '/etc/hostname' %}"))).rejects.toThrow(/block "\/etc\/hostname" is not in the block library/);
		const ct = await compileTemplate({ ...html('<p>x</p>'), subject: "{% render '/etc/hostname' %}" });
		expect(() => renderCompiled(ct, {})).toThrow(RenderFailure);
		expect(() => renderCompiled(ct, {})).toThrow(/hostname/);
	});
});

describe('fast path', () => {
	it('the optimized compiled template renders exactly what liquidjs renders from the same HTML', async () => {
		const fs = await import('node:fs');
		const path = await import('node:path');
		const { recipients } = await import('../../../bench/render');
		const examples = path.join(__dirname, '..', '..', '..', 'nodes', 'RenderEmail', 'examples');
		const ct = await compileTemplate({
			format: 'mjml',
			body: fs.readFileSync(path.join(examples, 'reference-email.mjml'), 'utf8'),
			blocks: JSON.parse(fs.readFileSync(path.join(examples, 'reference-blocks.json'), 'utf8')),
			subject: 's',
			preheader: 'p',
		});
		const plain = ct.engines.html.parse(ct.liquidHtml); // not optimized
		for (const d of recipients(12)) {
			const globals = () => ({ __pz: { shown: [], rules: {} as Record<string, boolean>, subject: 's', preheader: 'p' } });
			const g1 = globals();
			const g2 = globals();
			g1.__pz.rules = g2.__pz.rules = renderCompiled(ct, d).blocks_shown.reduce((acc, b) => ({ ...acc, [b]: true }), {});
			expect(ct.engines.html.renderSync(ct.html, d, { globals: g1 })).toBe(ct.engines.html.renderSync(plain, d, { globals: g2 }));
		}
	});
});
