/**
 * Structured block rules read their field as liquidjs reads the same path (Context.readProperty
 * with ownPropertyOnly, liquidjs 10): `size` (an own `size` property first, else the length of an
 * array or text, the key count of an object), `first` / `last` (an array's first and last element,
 * else an own property of that name), a null on the way read as null. A structured rule and the
 * Liquid-condition form of the same path agree. Expected values: stock liquidjs (differential) and
 * by hand.
 */
import { Liquid } from 'liquidjs';
import { compileTemplate, evaluateRule, readPath, renderCompiled, type Block, type StructuredRule } from '../../../nodes/engines/render';

const stock = (strictVariables: boolean) => new Liquid({ strictVariables, lenientIf: true, ownPropertyOnly: true, cache: false });

const data = {
	cart: { items: [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 1 }], total: 30 },
	empty_cart: { items: [] },
	name: 'Zoë',
	profile: { segment: 'vip', city: 'Lyon', tags: ['a', 'b', 'c'] },
	shirt: { size: 'XL', colour: 'red' },
	pack: { size: 0, first: 'own-first', last: 'own-last' },
	count: 5,
	gone: null,
	flags: { on: true },
};

describe('readPath reads a path as stock liquidjs does', () => {
	const paths = [
		'cart.items.size', 'cart.items.first.sku', 'cart.items.last.sku', 'cart.items.first.qty', 'cart.items.0.sku', 'cart.items.1.sku',
		'cart.items.2.sku', 'cart.items.length', 'cart.size', 'cart.total.size', 'empty_cart.items.size', 'empty_cart.items.first',
		'empty_cart.items.last', 'empty_cart.items.first.sku', 'name.size', 'name.first', 'name.last', 'name.length', 'profile.size',
		'profile.tags.size', 'profile.tags.last', 'profile.first', 'shirt.size', 'pack.size', 'pack.first', 'pack.last', 'count.size',
		'count.first', 'gone.x', 'gone.size', 'gone.x.y', 'flags.on.size', 'missing', 'missing.size', 'cart.missing.size', 'profile.segment',
	];
	it.each(paths)('%s', (path) => {
		const expected = stock(false).evalValueSync(path, data);
		expect(readPath(data, path)).toEqual(expected);
		// strict mode raises exactly where the path reads undefined
		let raised = false;
		try {
			stock(true).evalValueSync(path, data);
		} catch {
			raised = true;
		}
		expect(readPath(data, path) === undefined).toBe(raised);
	});

	it('by hand: sizes, first/last, an own property named size first', () => {
		expect(readPath(data, 'cart.items.size')).toBe(2);
		expect(readPath(data, 'name.size')).toBe(3);
		expect(readPath(data, 'profile.size')).toBe(3);
		expect(readPath(data, 'shirt.size')).toBe('XL');
		expect(readPath(data, 'pack.size')).toBe(0);
		expect(readPath(data, 'cart.items.last.sku')).toBe('B');
		expect(readPath(data, 'pack.first')).toBe('own-first');
		expect(readPath(data, 'name.first')).toBeUndefined();
		expect(readPath(data, 'count.size')).toBeUndefined();
		expect(readPath(data, 'gone.x')).toBeNull();
		expect(readPath(data, ['cart', 'items', -1, 'sku'])).toBe('B'); // items[-1], as liquidjs reads a negative index
	});
});

describe('a structured rule and the Liquid-condition form of the same path show the same block', () => {
	const cases: Array<[string, StructuredRule, string]> = [
		['cart.items.size gt 0', { field: 'cart.items.size', operator: 'gt', value: 0 }, 'cart.items.size > 0'],
		['cart.items.size gte 2', { field: 'cart.items.size', operator: 'gte', value: 2 }, 'cart.items.size >= 2'],
		['cart.items.first.sku equals A', { field: 'cart.items.first.sku', operator: 'equals', value: 'A' }, 'cart.items.first.sku == "A"'],
		['cart.items.last.sku equals B', { field: 'cart.items.last.sku', operator: 'equals', value: 'B' }, 'cart.items.last.sku == "B"'],
		['profile.tags.size lt 3', { field: 'profile.tags.size', operator: 'lt', value: 3 }, 'profile.tags.size < 3'],
		['shirt.size equals XL (own property)', { field: 'shirt.size', operator: 'equals', value: 'XL' }, 'shirt.size == "XL"'],
		['name.size gt 3', { field: 'name.size', operator: 'gt', value: 3 }, 'name.size > 3'],
	];
	const recipients: Array<Record<string, unknown>> = [
		{ cart: { items: [{ sku: 'A' }] } },
		{ cart: { items: [{ sku: 'A' }, { sku: 'B' }] } },
		{ cart: { items: [] } },
		{ cart: {} },
		{},
		{ profile: { tags: ['x', 'y'] } },
		{ profile: { tags: ['x', 'y', 'z'] } },
		{ shirt: { size: 'XL' } },
		{ shirt: { colour: 'red' } },
		{ name: 'Ada' },
		{ name: 'Grace' },
	];
	it.each(cases)('%s', async (_label, rule, condition) => {
		const blocks = (r: Block['rule']): Block[] => [
			{ name: 'hit', rule: r, fallback: 'other', content: '<p>hit</p>' },
			{ name: 'other', content: '<p>other</p>' },
		];
		const structured = await compileTemplate({ format: 'html', body: "{% render 'hit' %}", subject: 's', blocks: blocks(rule) });
		const liquid = await compileTemplate({ format: 'html', body: "{% render 'hit' %}", subject: 's', blocks: blocks(condition) });
		for (const recipient of recipients) {
			const expected = stock(false).parseAndRenderSync(`{% if ${condition} %}hit{% else %}other{% endif %}`, recipient);
			expect([recipient, renderCompiled(structured, recipient).blocks_shown]).toEqual([recipient, [expected]]);
			expect([recipient, renderCompiled(liquid, recipient).blocks_shown]).toEqual([recipient, [expected]]);
		}
	});

	it('review case: cart.items.size gt 0 with a one-item cart shows the cart block, an empty cart the fallback', async () => {
		const blocks: Block[] = [
			{ name: 'cart', rule: { field: 'cart.items.size', operator: 'gt', value: 0 }, fallback: 'bestsellers', content: '<p>Your cart</p>' },
			{ name: 'bestsellers', content: '<p>Bestsellers</p>' },
		];
		const ct = await compileTemplate({ format: 'html', body: "{% render 'cart' %}", subject: 's', blocks });
		expect(renderCompiled(ct, { cart: { items: [{ sku: 'A' }] } }).blocks_shown).toEqual(['cart']);
		expect(renderCompiled(ct, { cart: { items: [] } }).blocks_shown).toEqual(['bestsellers']);
		expect(renderCompiled(ct, {}).blocks_shown).toEqual(['bestsellers']);
	});

	it('isEmpty / exists on .first, .size', () => {
		const d = { cart: { items: [] as unknown[] }, recs: [{ name: 'Tee' }] };
		expect(evaluateRule({ field: 'cart.items.first', operator: 'exists' }, d)).toBe(false);
		expect(evaluateRule({ field: 'recs.first', operator: 'exists' }, d)).toBe(true);
		expect(evaluateRule({ field: 'recs.first.name', operator: 'equals', value: 'Tee' }, d)).toBe(true);
		expect(evaluateRule({ field: 'cart.items.size', operator: 'equals', value: 0 }, d)).toBe(true);
	});
});
