/**
 * A/B Experiment → Analyze through the real n8n engine: two boundary cases of the verdict.
 *
 * 1. Two challengers significantly better than the control with exactly the same rate. Before, the
 *    winner was whichever came first in the input (a stable sort by rate), so the same counts in
 *    another row order named another winner. Now the verdict is "tie", winner null, and
 *    tied_winners lists both by name.
 * 2. A p-value exactly at the significance level. Before, p < alpha was required, so p = alpha was
 *    "not significant"; now p <= alpha is significant, as statsmodels' multipletests decides
 *    (`reject = pvals <= alpha / ntests` for Bonferroni) and as a test of level alpha rejects.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

async function analyze(rows: Array<Record<string, unknown>>, analyzeOptions: INodeParameters) {
	const input: INodeExecutionData[] = rows.map((json) => ({ json: json as INodeExecutionData['json'] }));
	const result = await runWorkflow(
		{ nodes: [node('Analyze', 'experiment', { operation: 'analyze', metric: 'converted', control: 'control', mdePercent: 50, analyzeOptions })], connections: {} },
		{ input },
	);
	expect(result.error).toBeUndefined();
	return result.items('Analyze')[0].json;
}

describe('Analyze: two challengers tied at the best rate', () => {
	// control 100/1000; b 150/1000 and c 300/2000 are both 15%. Hand computation, pooled z-test:
	// b: p̄ = 250/2000, z = 0.05 / sqrt(0.125·0.875·0.002) = 3.3806; c: p̄ = 400/3000,
	// z = 0.05 / sqrt(0.13333·0.86667·0.0015) = 3.7977: both far below the Bonferroni 0.025.
	const control = { variant: 'control', sent: 1000, converted: 100 };
	const b = { variant: 'b', sent: 1000, converted: 150 };
	const c = { variant: 'c', sent: 2000, converted: 300 };

	it.each([
		['control, b, c', [control, b, c]],
		['control, c, b', [control, c, b]],
	])('rows in the order %s: verdict tie, no single winner', async (_, rows) => {
		const report = await analyze(rows, { planned: 1000 });
		const zOf = (name: string) => (report.variants as Array<Record<string, unknown>>).find((v) => v.variant === name)!.z as number;
		expect(zOf('b')).toBeCloseTo(3.3806, 3);
		expect(zOf('c')).toBeCloseTo(3.7977, 3);
		expect(report).toMatchObject({ verdict: 'tie', winner: null, tied_winners: ['b', 'c'] });
		expect(report.summary).toBe(
			'Tie: "b" and "c" are each significantly better than "control" (10.00%) with the same conversion rate of 15.00%, so no single winner. ' +
				'They were compared with the control, not with each other: pick one on other grounds, or test them against each other.',
		);
	});

	it('a higher rate still wins outright, and a report without a tie has no tied_winners', async () => {
		const report = await analyze([control, b, { ...c, converted: 302 }], { planned: 1000 });
		expect(report).toMatchObject({ verdict: 'winner', winner: 'c' });
		expect(report).not.toHaveProperty('tied_winners');
	});
});

describe('Analyze: a p-value exactly at the significance level is significant', () => {
	// 100/1000 vs 130/1000: p̄ = 0.115, z = 0.03 / sqrt(0.115·0.885·0.002) = 2.1027,
	// two-sided p = erfc(2.1027/√2) = 0.0355
	const rows = [
		{ variant: 'control', sent: 1000, converted: 100 },
		{ variant: 'recos', sent: 1000, converted: 130 },
	];

	it('Significance Level set to the comparison p-value itself: significant, and recos wins', async () => {
		const first = await analyze(rows, { planned: 1000 });
		const p = (first.variants as Array<Record<string, unknown>>).find((v) => v.variant === 'recos')!.p_value as number;
		expect(p).toBeCloseTo(0.0355, 4);
		const report = await analyze(rows, { planned: 1000, alpha: p });
		expect(report.alpha_per_comparison).toBe(p);
		const recos = (report.variants as Array<Record<string, unknown>>).find((v) => v.variant === 'recos')!;
		expect(recos).toMatchObject({ p_value: p, significant: true });
		expect(report).toMatchObject({ verdict: 'winner', winner: 'recos' });
	});
});
