/**
 * Incremental lift against the A/B holdout, through the real n8n engine: A/B Experiment Assign
 * (Holdout % 30) → ESP Dispatch 1.1 (local Postmark server) holds the holdout out and writes
 * `heldOutAt` on its results; A/B Experiment Analyze (Engagement Events, any order within the
 * attribution window, Control Variant = holdout, Exclude Variants cleared) counts the held-out
 * customers as the holdout's recipients and converts them by their Shopify orders within the
 * window after `heldOutAt`, as it converts the mailed ones after `sentAt`.
 *
 * Which customer lands where is computed here independently, from the formula the README
 * documents (SHA-256 of "<experiment id>:<customer id>", first 48 bits / 2^48; the holdout takes
 * the bottom 30%, the rest is split 50/50 in the order listed), and pinned to the lists Python's
 * hashlib gave for the same formula. Every expected count is worked out by hand next to it.
 */
import { createHash } from 'node:crypto';
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { getSource } from '../../nodes/engines/events/registry';
import type { CanonicalEvent } from '../../nodes/engines/types/CanonicalEvent';
import { FIXTURE_RECEIVED_AT, fixtureBody, shopifyOrder } from '../harness/event-fixtures';
import { chain, node, runWorkflow } from '../harness/engine';
import { usePostmarkServer } from '../harness/postmark-server';

const { credentials, sent } = usePostmarkServer();

const EXPERIMENT = 'spring-holdout';
const HOLDOUT_ERROR = 'recipient is in the A/B holdout (no email by design)';
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The README's assignment, written out again: bottom 30% holdout, then control / treatment 50/50. */
function expectedVariant(customerId: string): string {
	const u = createHash('sha256').update(`${EXPERIMENT}:${customerId}`, 'utf8').digest().readUIntBE(0, 6) / 2 ** 48;
	if (u < 0.3) return 'holdout';
	return (u - 0.3) / 0.7 < 0.5 ? 'control' : 'treatment';
}

// 20 customers; Assign reads the first of userId, profileId, customer_id, email: the userId (Shopify's customer id)
const customers = Array.from({ length: 20 }, (_, k) => ({ userId: String(7000 + k), email: `c${k}@example.com` }));
const message = { subject: 'Spring', html: '<p>Spring is here</p>', text: 'Spring is here' };

const asItems = (list: object[]): INodeExecutionData[] => list.map((json) => ({ json: json as IDataObject }));
const rows = (report: IDataObject) => (report.variants as IDataObject[]).map((v) => [v.variant, v.sent, v.converted, v.conversion_rate]);

const assignNode = () => node('A/B Experiment', 'experiment', { operation: 'assign', experimentId: EXPERIMENT, holdoutPercent: 30 } as INode['parameters']);
const dispatchNode = (parameters: IDataObject = {}) =>
	node('ESP Dispatch', 'espDispatch', { provider: 'postmark', fromEmail: 'news@shop.example.com', ...parameters } as INode['parameters'], {
		typeVersion: 1.1,
		credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
	});
const analyzeNode = (parameters: IDataObject = {}, extra: Partial<INode> = {}) =>
	node(
		'Analyze',
		'experiment',
		{ operation: 'analyze', inputType: 'events', analyzeExperimentId: EXPERIMENT, metric: 'converted', mdePercent: 10, orderAttribution: 'window', attributionWindowHours: 168, control: 'holdout', analyzeOptions: { exclude: '' }, ...parameters } as INode['parameters'],
		extra,
	);

describe('A/B holdout: Assign → ESP Dispatch 1.1 → Analyze (attribution window, holdout as control)', () => {
	it('the assignment computed here is the one pinned from Python\'s hashlib', () => {
		const groups: Record<string, number[]> = { holdout: [], control: [], treatment: [] };
		customers.forEach((c, k) => groups[expectedVariant(c.userId)].push(k));
		expect(groups).toEqual({ holdout: [0, 2, 3, 5, 10, 11, 14, 15, 17, 18], control: [4, 7, 8, 9, 12], treatment: [1, 6, 13, 16, 19] });
	});

	/** Assign → ESP Dispatch through the engine; checks where Assign put each customer and what Dispatch did. */
	async function assignAndDispatch(): Promise<IDataObject[]> {
		const before = Date.now();
		const run = await runWorkflow({ nodes: [assignNode(), dispatchNode()], connections: chain('A/B Experiment', 'ESP Dispatch') }, { input: asItems(customers.map((c) => ({ ...c, message }))), credentials: credentials() });
		const after = Date.now();
		expect(run.error).toBeUndefined();
		expect(run.items('A/B Experiment').map((i) => i.json.variant)).toEqual(customers.map((c) => expectedVariant(c.userId)));
		const out = run.items('ESP Dispatch').map((i) => i.json);
		expect(out).toHaveLength(20);
		const held = customers.filter((c) => expectedVariant(c.userId) === 'holdout');
		// the holdout got no email; everyone else did
		expect(sent().map((m) => m.To).sort()).toEqual(customers.filter((c) => !held.includes(c)).map((c) => c.email).sort());
		out.forEach((r, k) => {
			expect(r).toMatchObject({ recipient: customers[k].email, userId: customers[k].userId, experiment: EXPERIMENT, variant: expectedVariant(customers[k].userId) });
			const time = (r.heldOutAt ?? r.sentAt) as string;
			expect(time).toMatch(ISO_UTC);
			expect(Date.parse(time)).toBeGreaterThanOrEqual(before);
			expect(Date.parse(time)).toBeLessThanOrEqual(after);
			if (held.includes(customers[k])) {
				// held out: suppressed with the error it always had, heldOutAt, no sentAt
				expect(r).toMatchObject({ status: 'suppressed', error: HOLDOUT_ERROR });
				expect(r).not.toHaveProperty('sentAt');
			} else {
				expect(r.status).toBe('sent');
				expect(r).not.toHaveProperty('heldOutAt');
			}
		});
		return out;
	}

	/** Orders relative to each result's own time (heldOutAt or sentAt). */
	function orders(results: IDataObject[]): CanonicalEvent[] {
		const at = (k: number, hours: number) => new Date(Date.parse((results[k].heldOutAt ?? results[k].sentAt) as string) + hours * 3_600_000).toISOString();
		return [
			shopifyOrder('c0@example.com', at(0, 2), 3000, 7000), // holdout c0, 2 h after heldOutAt: converts
			shopifyOrder('c2.private@example.net', at(2, 100), 3002, 7002), // holdout c2 by customer id (another address), 100 h after: converts
			shopifyOrder('c3@example.com', at(3, -1), 3003, 7003), // holdout c3, 1 h before heldOutAt: no
			shopifyOrder('c5@example.com', at(5, 168), 3005, 7005), // holdout c5, exactly 168 h after (end exclusive): no
			shopifyOrder('c4@example.com', at(4, 1), 3004, 7004), // control c4, 1 h after sentAt: converts
			shopifyOrder('C1@Example.com', at(1, 3), 3001, 7001), // treatment c1 (address in another case): converts
			shopifyOrder('c6@example.com', at(6, 3), 3006, 7006), // treatment c6: converts
			shopifyOrder('c13@example.com', at(13, 24), 3013, 7013), // treatment c13, a day after: converts
			shopifyOrder('c16@example.com', at(16, 169), 3016, 7016), // treatment c16, 169 h after: no
			shopifyOrder('zoe@example.com', at(0, 5), 3099, 7099), // zoe is not in the experiment
		];
	}

	it('the holdout is its 10 held-out customers, converted by their orders within the window after heldOutAt; each mailed variant is compared with it', async () => {
		const results = await assignAndDispatch();
		const input = asItems([...results, ...orders(results)]);
		const run = await runWorkflow({ nodes: [analyzeNode()], connections: {} }, { input });
		expect(run.error).toBeUndefined();
		const items = run.items('Analyze');
		expect(items).toHaveLength(1);
		const report = items[0].json;
		// by hand, in order of first appearance (c0 holdout, c1 treatment, c4 control):
		// holdout c0, c2, c3, c5, c10, c11, c14, c15, c17, c18 = 10, converted c0, c2 = 2;
		// treatment c1, c6, c13, c16, c19 = 5, converted c1, c6, c13 = 3; control c4, c7, c8, c9, c12 = 5, converted c4 = 1
		expect(rows(report)).toEqual([
			['holdout', 10, 2, 0.2],
			['treatment', 5, 3, 0.6],
			['control', 5, 1, 0.2],
		]);
		const [holdout, treatment, control] = report.variants as IDataObject[];
		expect(holdout).toMatchObject({ is_control: true, is_holdout: true, opened: null, clicked: null, open_rate: null, click_rate: null, warnings: [] });
		// 0.6 - 0.2 and 0.2 - 0.2
		expect(treatment.abs_lift).toBeCloseTo(0.4, 12);
		expect(control.abs_lift).toBeCloseTo(0, 12);
		expect(treatment).not.toHaveProperty('is_holdout');
		expect(report.control).toBe('holdout');
		expect(report.summary).toMatch(/ The control "holdout" is the A\/B holdout \(customers who got no email\): each lift is what mailing added to the conversion rate within the attribution window \(incremental lift\)\./);
		// c3's (before), c5's (at the end), c16's (past the window) and zoe's (nobody) orders
		expect(report.events_ignored).toBe(4);
		expect(report.attribution).toEqual({ mode: 'window', window_hours: 168, orders_counted: 6, orders_outside_window: 3, orders_without_send_time: 0, orders_unmatched: 1, orders_without_timestamp: 0, orders_in_several_variants: 0, orders_with_several_recipients: 0, orders_cancelled: 0, orders_refunded: 0 });
		expect(items[0].pairedItem).toEqual(input.map((_, item) => ({ item })));
	});

	it('with the defaults (Exclude Variants = holdout, Control = control), as before: the holdout results count nowhere and its customers\' orders are unmatched', async () => {
		const results = await assignAndDispatch();
		const run = await runWorkflow({ nodes: [analyzeNode({ control: 'control', analyzeOptions: {} })], connections: {} }, { input: asItems([...results, ...orders(results)]) });
		expect(run.error).toBeUndefined();
		const report = run.items('Analyze')[0].json;
		expect(rows(report)).toEqual([
			['treatment', 5, 3, 0.6],
			['control', 5, 1, 0.2],
		]);
		// 10 holdout results + the orders of c3 and c5 (now nobody's), c16 (past the window), zoe; c0's and c2's orders too
		expect(report.events_ignored).toBe(16);
		expect(report.attribution).toMatchObject({ orders_counted: 4, orders_outside_window: 1, orders_unmatched: 5 });
	});

	it('comparisons with the holdout that make no sense are refused: open or click rate, or only attributed orders', async () => {
		const results = await assignAndDispatch();
		const input = asItems([...results, ...orders(results)]);
		for (const [parameters, message] of [
			[{ metric: 'opened' }, /^Variant "holdout" is the A\/B holdout: its customers get no email, so they have no opens or clicks by design, and the open rate cannot be compared with theirs/],
			[{ metric: 'clicked' }, /^Variant "holdout" is the A\/B holdout: its customers get no email, so they have no opens or clicks by design, and the click rate cannot/],
			[{ orderAttribution: 'attributed' }, /^Variant "holdout" is the A\/B holdout: its customers get no email, so no order is attributed to one and it can never convert when only orders attributed to the email count\. Set Count Orders As Conversions to "Any Order by a Recipient Within the Attribution Window"/],
		] as const) {
			const stop = await runWorkflow({ nodes: [analyzeNode(parameters)], connections: {} }, { input });
			expect(stop.error?.message).toMatch(message);
			// Continue On Fail: one error item, paired with every item it was computed from
			const go = await runWorkflow({ nodes: [analyzeNode(parameters, { onError: 'continueRegularOutput' })], connections: {} }, { input });
			expect(go.items('Analyze')).toEqual([{ json: { error: expect.stringMatching(message) }, pairedItem: input.map((_, item) => ({ item })) }]);
		}
		// Control Variant = holdout left in Exclude Variants (the default option)
		const excluded = await runWorkflow({ nodes: [analyzeNode({ analyzeOptions: {} })], connections: {} }, { input });
		expect(excluded.error?.message).toBe('Control variant "holdout" is not in the data (variants: treatment, control): it is in Exclude Variants; remove it from there to compare with it');
	});

	it('a heldOutAt that is no ISO-8601 time is refused, naming the item and the field; with Continue On Fail it is an error item and the rest is analysed', async () => {
		const results = await assignAndDispatch();
		const input = asItems([...results.map((r, k) => (k === 2 ? { ...r, heldOutAt: '2025-03-03 09:00' } : r)), ...orders(results)]);
		const stop = await runWorkflow({ nodes: [analyzeNode()], connections: {} }, { input });
		expect(stop.error?.message).toBe('Item 2: field "heldOutAt" ("2025-03-03 09:00") must be an ISO-8601 date and time with a time zone, e.g. 2025-03-01T09:30:00Z');
		expect((stop.nodes.Analyze.error as unknown as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(2);
		const go = await runWorkflow({ nodes: [analyzeNode({}, { onError: 'continueRegularOutput' })], connections: {} }, { input });
		expect(go.error).toBeUndefined();
		const items = go.items('Analyze');
		expect(items[1]).toEqual({ json: { error: expect.stringMatching(/^Item 2: field "heldOutAt"/) }, pairedItem: { item: 2 } });
		// c2 left out of the holdout: 9 held out, converted c0 = 1 (c2's order now joins nobody)
		expect(rows(items[0].json)[0]).toEqual(['holdout', 9, 1, 1 / 9]);
		expect(items[0].pairedItem).toEqual(input.map((_, item) => ({ item })).filter((p) => p.item !== 2));
	});

	it('a dry run of ESP Dispatch holds nobody out: its holdout results carry no heldOutAt', async () => {
		const run = await runWorkflow({ nodes: [assignNode(), dispatchNode({ dryRun: true })], connections: chain('A/B Experiment', 'ESP Dispatch') }, { input: asItems(customers.map((c) => ({ ...c, message }))), credentials: credentials() });
		expect(run.error).toBeUndefined();
		const out = run.items('ESP Dispatch').map((i) => i.json);
		expect(out.filter((r) => r.status === 'suppressed').map((r) => [r.error, r.heldOutAt ?? null])).toEqual(Array.from({ length: 10 }, () => [HOLDOUT_ERROR, null]));
		expect(sent()).toHaveLength(0);
	});

	it('holdout results without heldOutAt (stored by an earlier version) count nowhere, as before: a holdout control is then not in the data', async () => {
		const results = await assignAndDispatch();
		const stored = results.map(({ heldOutAt, ...r }) => r);
		const run = await runWorkflow({ nodes: [analyzeNode()], connections: {} }, { input: asItems([...stored, ...orders(results)]) });
		expect(run.error?.message).toBe('Control variant "holdout" is not in the data (variants: treatment, control)');
	});
});
