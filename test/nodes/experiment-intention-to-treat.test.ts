/**
 * Intention to treat against the A/B holdout, through the real n8n engine: A/B Experiment Assign
 * (Holdout % 30) → ESP Dispatch 1.1 (local Postmark server) in which three mailed customers' sends
 * fail at the provider (their From address has no sender signature: Postmark ErrorCode 400), so
 * their results are `failed` with `attemptedAt`; A/B Experiment Analyze (Engagement Events, any
 * order within the window, Control Variant = holdout, Exclude Variants cleared) counts them as
 * recipients of their variant from the attempt, as the holdout keeps the customers whose send
 * would have failed too. Compared without the holdout, they count nowhere, as before.
 *
 * The assignment is the one of experiment-holdout.test.ts (same experiment and customers, pinned
 * there to Python's hashlib): holdout c0, c2, c3, c5, c10, c11, c14, c15, c17, c18; control c4,
 * c7, c8, c9, c12; treatment c1, c6, c13, c16, c19. Every expected count is worked out by hand.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import type { CanonicalEvent } from '../../nodes/engines/types/CanonicalEvent';
import { account } from '../dispatch/servers/postmark';
import { shopifyOrder } from '../harness/event-fixtures';
import { chain, node, runWorkflow } from '../harness/engine';
import { usePostmarkServer } from '../harness/postmark-server';

const { credentials } = usePostmarkServer();

const EXPERIMENT = 'spring-holdout';
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const VARIANT: Record<number, string> = {};
for (const k of [0, 2, 3, 5, 10, 11, 14, 15, 17, 18]) VARIANT[k] = 'holdout';
for (const k of [4, 7, 8, 9, 12]) VARIANT[k] = 'control';
for (const k of [1, 6, 13, 16, 19]) VARIANT[k] = 'treatment';
/** Customers whose send fails: each From of its own without a sender signature, so each is tried once. */
const FAILING = [7, 8, 19];

const customers = Array.from({ length: 20 }, (_, k) => ({
	userId: String(7000 + k),
	email: `c${k}@example.com`,
	from: FAILING.includes(k) ? `news@unsigned-${k}.example.com` : 'news@shop.example.com',
	message: { subject: 'Spring', html: '<p>Spring is here</p>', text: 'Spring is here' },
}));

const asItems = (list: object[]): INodeExecutionData[] => list.map((json) => ({ json: json as IDataObject }));
const rows = (report: IDataObject) => (report.variants as IDataObject[]).map((v) => [v.variant, v.sent, v.converted, v.attempted_not_sent]);

const analyzeNode = (parameters: IDataObject = {}, extra: Partial<INode> = {}) =>
	node(
		'Analyze',
		'experiment',
		{ operation: 'analyze', inputType: 'events', analyzeExperimentId: EXPERIMENT, metric: 'converted', mdePercent: 10, orderAttribution: 'window', attributionWindowHours: 168, control: 'holdout', analyzeOptions: { exclude: '' }, ...parameters } as INode['parameters'],
		extra,
	);

describe('A/B holdout with failed sends: Assign → ESP Dispatch 1.1 → Analyze counts them by intention to treat', () => {
	beforeEach(() => Object.assign(account, { senderSignatures: new Set(['news@shop.example.com']) }));
	afterEach(() => Object.assign(account, { senderSignatures: undefined }));

	async function assignAndDispatch(): Promise<IDataObject[]> {
		const assign = node('A/B Experiment', 'experiment', { operation: 'assign', experimentId: EXPERIMENT, holdoutPercent: 30 } as INode['parameters']);
		const dispatch = node('ESP Dispatch', 'espDispatch', { provider: 'postmark', fromEmail: '={{ $json.from }}' } as INode['parameters'], {
			typeVersion: 1.1,
			credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
		});
		const run = await runWorkflow({ nodes: [assign, dispatch], connections: chain('A/B Experiment', 'ESP Dispatch') }, { input: asItems(customers), credentials: credentials() });
		expect(run.error).toBeUndefined();
		const out = run.items('ESP Dispatch').map((i) => i.json);
		expect(out.map((r) => r.variant)).toEqual(customers.map((_, k) => VARIANT[k]));
		out.forEach((r, k) => {
			if (FAILING.includes(k)) {
				expect(r).toMatchObject({ status: 'failed', attempts: 1 });
				expect(r.attemptedAt).toMatch(ISO_UTC);
				expect(r).not.toHaveProperty('sentAt');
			} else expect(r.status).toBe(VARIANT[k] === 'holdout' ? 'suppressed' : 'sent');
		});
		return out;
	}

	/** Orders relative to each result's own time (heldOutAt, sentAt or attemptedAt). */
	function orders(results: IDataObject[]): CanonicalEvent[] {
		const at = (k: number, hours: number) => new Date(Date.parse((results[k].heldOutAt ?? results[k].sentAt ?? results[k].attemptedAt) as string) + hours * 3_600_000).toISOString();
		return [
			shopifyOrder('c0@example.com', at(0, 2), 3000, 7000), // holdout c0: converts
			shopifyOrder('c2@example.com', at(2, 100), 3002, 7002), // holdout c2: converts
			shopifyOrder('c4@example.com', at(4, 1), 3004, 7004), // control c4 (mailed): converts
			shopifyOrder('c7@example.com', at(7, 5), 3007, 7007), // control c7 (failed), 5 h after the attempt
			shopifyOrder('c8@example.com', at(8, 167), 3008, 7008), // control c8 (failed), 167 h after the attempt
			shopifyOrder('c1@example.com', at(1, 3), 3001, 7001), // treatment c1 (mailed): converts
			shopifyOrder('c6@example.com', at(6, 3), 3006, 7006), // treatment c6 (mailed): converts
			shopifyOrder('c19@example.com', at(19, -1), 3019, 7019), // treatment c19 (failed), 1 h before the attempt: never
		];
	}

	it('compared with the holdout, each failed send is a recipient of its variant from its attemptedAt; attempted_not_sent says how many', async () => {
		const results = await assignAndDispatch();
		const input = asItems([...results, ...orders(results)]);
		const run = await runWorkflow({ nodes: [analyzeNode()], connections: {} }, { input });
		expect(run.error).toBeUndefined();
		const report = run.items('Analyze')[0].json;
		// by hand, in order of first appearance (c0 holdout, c1 treatment, c4 control):
		// holdout c0, c2, c3, c5, c10, c11, c14, c15, c17, c18 = 10, converted c0, c2 = 2;
		// treatment c1, c6, c13, c16 mailed + c19 failed = 5, converted c1, c6 = 2 (c19's order is before the attempt);
		// control c4, c9, c12 mailed + c7, c8 failed = 5, converted c4, c7, c8 = 3
		expect(rows(report)).toEqual([
			['holdout', 10, 2, undefined],
			['treatment', 5, 2, 1],
			['control', 5, 3, 2],
		]);
		expect(report.summary).toContain(' 3 recipients whose send failed at the provider (failed or unknown, with attemptedAt) are counted in their variant from the attempt (intention to treat: attempted_not_sent)');
		// c19's order only
		expect(report.events_ignored).toBe(1);
		expect(report.attribution).toMatchObject({ orders_counted: 7, orders_outside_window: 1, orders_unmatched: 0 });
	});

	it('a failed result without attemptedAt (an earlier version) counts nowhere, as before', async () => {
		const results = await assignAndDispatch();
		const stored = results.map(({ attemptedAt, ...r }, k) => (k === 8 ? r : { ...r, attemptedAt }));
		const run = await runWorkflow({ nodes: [analyzeNode()], connections: {} }, { input: asItems([...stored, ...orders(results)]) });
		expect(run.error).toBeUndefined();
		const report = run.items('Analyze')[0].json;
		// control c4, c9, c12 + c7 = 4, converted c4, c7 = 2; c8's order joins nobody
		expect(rows(report)).toEqual([
			['holdout', 10, 2, undefined],
			['treatment', 5, 2, 1],
			['control', 4, 2, 1],
		]);
		// c8's result, c8's order, c19's order
		expect(report.events_ignored).toBe(3);
		expect(report.attribution).toMatchObject({ orders_counted: 6, orders_outside_window: 1, orders_unmatched: 1 });
	});

	it('compared without the holdout (the defaults), failed sends count nowhere, as before', async () => {
		const results = await assignAndDispatch();
		const run = await runWorkflow({ nodes: [analyzeNode({ control: 'control', analyzeOptions: {} })], connections: {} }, { input: asItems([...results, ...orders(results)]) });
		expect(run.error).toBeUndefined();
		const report = run.items('Analyze')[0].json;
		// treatment c1, c6, c13, c16 = 4, converted c1, c6; control c4, c9, c12 = 3, converted c4
		expect(rows(report)).toEqual([
			['treatment', 4, 2, undefined],
			['control', 3, 1, undefined],
		]);
		expect(report.summary).not.toContain('intention to treat');
	});

	it('an attemptedAt that is no ISO-8601 time is refused with the holdout compared, naming the item and the field; without the holdout it counts nowhere, as before', async () => {
		const results = await assignAndDispatch();
		const input = asItems([...results.map((r, k) => (k === 7 ? { ...r, attemptedAt: '2025-03-03 09:00' } : r)), ...orders(results)]);
		const stop = await runWorkflow({ nodes: [analyzeNode()], connections: {} }, { input });
		expect(stop.error?.message).toBe('Item 7: field "attemptedAt" ("2025-03-03 09:00") must be an ISO-8601 date and time with a time zone, e.g. 2025-03-01T09:30:00Z');
		const go = await runWorkflow({ nodes: [analyzeNode({}, { onError: 'continueRegularOutput' })], connections: {} }, { input });
		expect(go.error).toBeUndefined();
		const items = go.items('Analyze');
		expect(items[1]).toEqual({ json: { error: expect.stringMatching(/^Item 7: field "attemptedAt"/) }, pairedItem: { item: 7 } });
		// control without c7: c4, c9, c12 + c8 = 4, converted c4, c8 = 2
		expect(rows(items[0].json)[2]).toEqual(['control', 4, 2, 1]);
		expect(items[0].pairedItem).toEqual(input.map((_, item) => ({ item })).filter((p) => p.item !== 7));
		const plain = await runWorkflow({ nodes: [analyzeNode({ control: 'control', analyzeOptions: {} })], connections: {} }, { input });
		expect(plain.error).toBeUndefined();
		expect(rows(plain.items('Analyze')[0].json)[1]).toEqual(['control', 3, 1, undefined]);
	});

	it('an unknown result (possibly sent) counts from its attemptedAt, not its later sentAt', async () => {
		const results = await assignAndDispatch();
		// c9 (control) as ESP Dispatch writes an unknown result: the request left at attemptedAt, the lost answer's time is sentAt
		const attemptedAt = results[9].sentAt as string;
		const unknown = { ...results[9], status: 'unknown', attemptedAt, sentAt: new Date(Date.parse(attemptedAt) + 60_000).toISOString() };
		// an order 30 s after the attempt, before sentAt
		const early = shopifyOrder('c9@example.com', new Date(Date.parse(attemptedAt) + 30_000).toISOString(), 3009, 7009);
		const run = await runWorkflow({ nodes: [analyzeNode()], connections: {} }, { input: asItems([...results.map((r, k) => (k === 9 ? unknown : r)), ...orders(results), early]) });
		expect(run.error).toBeUndefined();
		// control c4, c12 mailed + c7, c8 failed + c9 unknown = 5, converted c4, c7, c8, c9 = 4; attempted_not_sent c7, c8, c9 = 3
		expect(rows(run.items('Analyze')[0].json)[2]).toEqual(['control', 5, 4, 3]);
	});
});
