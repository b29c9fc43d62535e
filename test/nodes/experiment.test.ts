import type { INodeExecutionData } from 'n8n-workflow';
import { assign } from '../../nodes/engines/experiment/assign';
import { ATTRIBUTION_KEYS } from '../../nodes/engines/types/attribution';
import { node, runWorkflow } from '../harness/engine';

const assignParams = {
	operation: 'assign',
	experimentId: 'spring-recos',
	variants: { variant: [{ name: 'control', weight: 50 }, { name: 'recos', weight: 50 }] },
	holdoutPercent: 10,
};

describe('A/B Experiment through the n8n engine', () => {
	it('assigns a stable variant per customer and writes the attribution keys dispatch reads', async () => {
		const input: INodeExecutionData[] = Array.from({ length: 200 }, (_, i) => ({ json: { userId: `user-${i}`, email: `u${i}@example.com` } }));
		const wf = { nodes: [node('Assign', 'experiment', assignParams)], connections: {} };
		const first = await runWorkflow(wf, { input });
		const second = await runWorkflow(wf, { input: [...input].reverse() });
		expect(first.error).toBeUndefined();
		const items = first.items('Assign');
		expect(items).toHaveLength(200);
		const config = { experimentId: 'spring-recos', variants: [{ name: 'control', weight: 50 }, { name: 'recos', weight: 50 }], holdoutPercent: 10 };
		items.forEach((item, i) => {
			const expected = assign(`user-${i}`, config).variant;
			expect(item.json).toMatchObject({ userId: `user-${i}`, experiment: 'spring-recos', variant: expected, is_holdout: expected === 'holdout' });
			expect(item.json[ATTRIBUTION_KEYS.experimentId]).toBe('spring-recos');
			expect(item.json[ATTRIBUTION_KEYS.variant]).toBe(expected);
			expect(item.pairedItem).toEqual({ item: i });
		});
		// same customer, same variant, whatever the order or execution
		const again = new Map(second.items('Assign').map((item) => [item.json.userId, item.json.variant]));
		for (const item of items) expect(again.get(item.json.userId)).toBe(item.json.variant);
		expect(new Set(items.map((i) => i.json.variant))).toEqual(new Set(['control', 'recos', 'holdout']));
	});

	it('fails naming the item when the customer ID is missing; Continue On Fail yields an error item', async () => {
		const input = [{ json: { userId: 'a' } }, { json: { name: 'no id' } }];
		const strict = await runWorkflow({ nodes: [node('Assign', 'experiment', { ...assignParams, customerIdField: 'userId' })], connections: {} }, { input });
		expect(strict.error?.message).toContain('Item 1');
		expect(strict.error?.message).toContain('"userId"');
		const lenient = await runWorkflow({ nodes: [node('Assign', 'experiment', { ...assignParams, customerIdField: 'userId' }, { onError: 'continueRegularOutput' })], connections: {} }, { input });
		const items = lenient.items('Assign');
		expect(items[0].json.variant).toBeDefined();
		expect(items[1]).toMatchObject({ json: { error: expect.stringContaining('Item 1') }, pairedItem: { item: 1 } });
	});

	it('analyzes counts per variant: lift, p-value, sample size and verdict', async () => {
		const input = [
			{ json: { variant: 'control', sent: 1000, opened: 400, clicked: 90, converted: 100 } },
			{ json: { variant: 'recos', sent: 1000, opened: 410, clicked: 120, converted: 150 } },
			{ json: { variant: 'holdout', sent: 200, converted: 12 } },
		];
		const result = await runWorkflow(
			{ nodes: [node('Analyze', 'experiment', { operation: 'analyze', metric: 'converted', control: 'control', mdePercent: 50, analyzeOptions: { baselinePercent: 10 } })], connections: {} },
			{ input },
		);
		expect(result.error).toBeUndefined();
		const [report] = result.items('Analyze');
		expect(report.pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		// 100/1000 vs 150/1000: z = 3.38062, p = 0.000723; plan 686 per variant (see the engine tests)
		expect(report.json).toMatchObject({ verdict: 'winner', winner: 'recos', required_per_variant: 686, planned_reached: true });
		const recos = (report.json.variants as Array<Record<string, unknown>>).find((v) => v.variant === 'recos')!;
		expect(recos.z as number).toBeCloseTo(3.38062, 4);
		expect(recos.click_rate).toBe(0.12);
		expect((report.json.variants as unknown[]).length).toBe(2); // holdout excluded by default
	});

	it('aggregates engagement events tagged by dispatch, and refuses impossible counts', async () => {
		const ev = (event: string, variant: string, emailId: string) => ({ json: { type: 'track', event, userId: emailId, properties: { variant, experiment_id: 'x', email_id: emailId }, context: { source: 'sendgrid' } } });
		const input = [ev('Email Delivered', 'control', 'm1'), ev('Email Delivered', 'control', 'm2'), ev('Email Opened', 'control', 'm1'), ev('Email Delivered', 'b', 'm3'), ev('Email Link Clicked', 'b', 'm3')];
		const result = await runWorkflow(
			{ nodes: [node('Analyze', 'experiment', { operation: 'analyze', inputType: 'events', analyzeExperimentId: 'x', metric: 'clicked', mdePercent: 10 })], connections: {} },
			{ input },
		);
		expect(result.error).toBeUndefined();
		const report = result.items('Analyze')[0].json;
		expect((report.variants as Array<Record<string, unknown>>).map((v) => [v.variant, v.sent, v.opened, v.clicked])).toEqual([['control', 2, 1, 0], ['b', 1, 1, 1]]); // m3's click counts as an open
		expect(report.verdict).toBe('needs_more_data'); // control click rate 0: no plan possible yet

		const bad = await runWorkflow({ nodes: [node('Analyze', 'experiment', { operation: 'analyze' })], connections: {} }, { input: [{ json: { variant: 'control', sent: 10, converted: 20 } }, { json: { variant: 'b', sent: 10, converted: 1 } }] });
		expect(bad.error?.message).toBe('Item 0: field "converted" (20) must not be above "sent" (10)');
	});
});
