/**
 * A/B Experiment Assign as a marketer uses it, through the real n8n engine: the split follows the
 * weights and the holdout (chi-square on 100,000 customers against hand-computed counts), two
 * experiments split the same customers independently (chi-square test of independence), the same
 * customer keeps the variant across runs and id spellings, and a bad configuration is refused
 * naming the item and the field instead of being run or failing with a JavaScript message.
 */
import { createHash } from 'node:crypto';
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

type Variant = { name: string; weight: unknown };
const assignNode = (name: string, params: IDataObject, settings?: Partial<INode>) =>
	node(name, 'experiment', { operation: 'assign', ...params } as INode['parameters'], settings);
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));

/** The README's rule, written out again: SHA-256 of "<experiment>:<customer>", first 48 bits / 2^48; holdout at the bottom, then the weights in order. */
function readmeVariant(experiment: string, customer: string, variants: Array<[string, number]>, holdoutPercent = 0): string {
	const u = parseInt(createHash('sha256').update(`${experiment}:${customer}`).digest('hex').slice(0, 12), 16) / 2 ** 48;
	if (u < holdoutPercent / 100) return 'holdout';
	const x = (u - holdoutPercent / 100) / (1 - holdoutPercent / 100);
	const total = variants.reduce((s, [, w]) => s + w, 0);
	let cum = 0;
	for (const [name, w] of variants) {
		cum += w / total;
		if (w > 0 && x < cum) return name;
	}
	return variants.filter(([, w]) => w > 0).pop()![0];
}

/** Pearson's chi-square statistic. */
const chiSquare = (observed: number[], expected: number[]) => observed.reduce((s, o, k) => s + (o - expected[k]) ** 2 / expected[k], 0);

describe('A/B Experiment Assign: split, independence and stickiness', () => {
	const N = 100_000;
	const customers = Array.from({ length: N }, (_, i) => ({ userId: `cust-${i}` }));
	const variants = { variant: [{ name: 'a', weight: 1 }, { name: 'b', weight: 2 }, { name: 'c', weight: 3 }, { name: 'd', weight: 4 }] };
	const names = ['holdout', 'a', 'b', 'c', 'd'];
	let spring: string[];
	let summer: string[];

	beforeAll(async () => {
		const run = async (experimentId: string) => {
			const result = await runWorkflow({ nodes: [assignNode('Assign', { experimentId, variants, holdoutPercent: 5 })], connections: {} }, { input: items(customers) });
			expect(result.error).toBeUndefined();
			return result.items('Assign').map((item) => item.json.variant as string);
		};
		spring = await run('spring-2026');
		summer = await run('summer-2026');
	}, 120_000);

	it('follows the weights after the holdout: chi-square against the hand-computed counts', () => {
		// holdout 5% = 5,000; the other 95,000 split 1:2:3:4 → 9,500, 19,000, 28,500, 38,000
		const expected = [5000, 9500, 19000, 28500, 38000];
		for (const assigned of [spring, summer]) {
			const observed = names.map((n) => assigned.filter((v) => v === n).length);
			expect(observed.reduce((s, c) => s + c, 0)).toBe(N);
			// 4 degrees of freedom: P(chi2 > 18.467) = 0.001
			expect(chiSquare(observed, expected)).toBeLessThan(18.467);
		}
	});

	it('splits two experiments independently: chi-square test of independence on the 5 × 5 table', () => {
		const index = new Map(names.map((n, k) => [n, k]));
		const table = names.map(() => names.map(() => 0));
		for (let i = 0; i < N; i++) table[index.get(spring[i])!][index.get(summer[i])!]++;
		const rows = table.map((r) => r.reduce((s, c) => s + c, 0));
		const cols = names.map((_, j) => table.reduce((s, r) => s + r[j], 0));
		let statistic = 0;
		for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) statistic += chiSquare([table[i][j]], [(rows[i] * cols[j]) / N]);
		// (5-1)·(5-1) = 16 degrees of freedom: P(chi2 > 39.252) = 0.001
		expect(statistic).toBeLessThan(39.252);
		// and not the same split renamed: a customer held out of one is held out of the other only by chance (5% of 5%)
		expect(table[0][0]).toBeLessThan(0.0025 * N * 1.5);
	});

	it('gives every customer the README\'s variant, whatever the order, and the same one for the same id spelled as a number, text or with spaces', async () => {
		const config: Array<[string, number]> = [['control', 50], ['treatment', 50]];
		const input = items([{ userId: 4711 }, { userId: '4711' }, { userId: ' 4711 ' }, { email: ' ann@example.com ' }, { email: 'ann@example.com' }, { email: 'Ann@Example.com' }]);
		const wf = { nodes: [assignNode('Assign', { experimentId: 'welcome', variants: { variant: config.map(([name, weight]) => ({ name, weight })) } })], connections: {} };
		const once = await runWorkflow(wf, { input });
		const reversed = await runWorkflow(wf, { input: [...input].reverse() });
		const variantsOf = (r: typeof once) => r.items('Assign').map((item) => item.json.variant);
		expect(variantsOf(once)).toEqual([...variantsOf(reversed)].reverse());
		const [n, t, s, e1, e2, e3] = variantsOf(once);
		expect(n).toBe(readmeVariant('welcome', '4711', config));
		expect([t, s]).toEqual([n, n]);
		expect([e1, e2]).toEqual([readmeVariant('welcome', 'ann@example.com', config), readmeVariant('welcome', 'ann@example.com', config)]);
		// the README: the id is hashed as written apart from surrounding spaces, so case counts
		expect(e3).toBe(readmeVariant('welcome', 'Ann@Example.com', config));
	});
});

describe('A/B Experiment Assign: parameters from expressions and bad configurations', () => {
	const two = (a: unknown, b: unknown = 50): { variant: Variant[] } => ({ variant: [{ name: 'control', weight: a }, { name: 'treatment', weight: b }] });

	it('an Experiment ID expression that gives a number is used as its text, as the same id typed in', async () => {
		const input = items([{ userId: 'u1' }, { userId: 'u2' }, { userId: 'u3' }]);
		const result = await runWorkflow({ nodes: [assignNode('Assign', { experimentId: '={{ 2026 }}', variants: two(50) })], connections: {} }, { input });
		expect(result.error).toBeUndefined();
		const out = result.items('Assign');
		out.forEach((item, i) => {
			expect(item.json).toMatchObject({ experiment: '2026', pz_experiment_id: '2026', variant: readmeVariant('2026', `u${i + 1}`, [['control', 50], ['treatment', 50]]) });
			expect(item.pairedItem).toEqual({ item: i });
		});
	});

	it('a Customer ID Field expression that gives a number names that field', async () => {
		const result = await runWorkflow({ nodes: [assignNode('Assign', { experimentId: 'x', customerIdField: '={{ 7 }}', variants: two(50) })], connections: {} }, { input: items([{ 7: 'cust-7' }]) });
		expect(result.error).toBeUndefined();
		expect(result.items('Assign')[0].json.variant).toBe(readmeVariant('x', 'cust-7', [['control', 50], ['treatment', 50]]));
	});

	it('an empty weight (an expression that gives "") is refused naming the item and the variant, not taken as 0', async () => {
		const result = await runWorkflow({ nodes: [assignNode('Assign', { experimentId: 'x', variants: two('={{ "" }}') })], connections: {} }, { input: items([{ userId: 'a' }]) });
		expect(result.error?.message).toBe('Item 0: Variant "control": weight must be a number >= 0');
	});

	it('weights whose total overflows are refused instead of sending everyone to the last variant', async () => {
		const result = await runWorkflow({ nodes: [assignNode('Assign', { experimentId: 'x', variants: two(1e308, 1e308) })], connections: {} }, { input: items([{ userId: 'a' }]) });
		expect(result.error?.message).toBe('Item 0: The variant weights are too large: their total must be a finite number');
	});

	it('the Holdout % message gives the allowed range (0 is allowed)', async () => {
		const result = await runWorkflow({ nodes: [assignNode('Assign', { experimentId: 'x', variants: two(50), holdoutPercent: 100 })], connections: {} }, { input: items([{ userId: 'a' }]) });
		expect(result.error?.message).toBe('Item 0: Holdout % must be at least 0 and below 100');
	});

	it.each([0, 10])('a variant named like the holdout group ("Holdout ") is refused also with Holdout %% = %d: it would be mailed, and Analyze leaves "holdout" out by default', async (holdoutPercent) => {
		const variants = { variant: [{ name: 'control', weight: 50 }, { name: 'Holdout ', weight: 50 }] };
		const result = await runWorkflow({ nodes: [assignNode('Assign', { experimentId: 'x', variants, holdoutPercent })], connections: {} }, { input: items([{ userId: 'a' }]) });
		expect(result.error?.message).toBe(
			'Item 0: Variant "Holdout" is named like the holdout group ("holdout"), which gets no email: set Holdout % to keep customers out of the email, or give this variant another name',
		);
	});

	it('with Continue On Fail a bad configuration gives one paired error item per input item', async () => {
		const result = await runWorkflow(
			{ nodes: [assignNode('Assign', { experimentId: 'x', variants: two(-1) }, { onError: 'continueRegularOutput' })], connections: {} },
			{ input: items([{ userId: 'a' }, { userId: 'b' }]) },
		);
		expect(result.items('Assign')).toEqual([
			{ json: { error: 'Item 0: Variant "control": weight must be a number >= 0' }, pairedItem: { item: 0 } },
			{ json: { error: 'Item 1: Variant "control": weight must be a number >= 0' }, pairedItem: { item: 1 } },
		]);
	});
});
