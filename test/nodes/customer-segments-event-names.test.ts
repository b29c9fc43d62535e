/**
 * Customer Segments Rules, through the n8n engine: the event name of a condition is compared
 * trimmed and without case. The editor's Event field is free text; "order completed" (or a
 * trailing space) matched no event, so "at most 0 Order Completed in 30 days" put every customer,
 * buyers included, into a "no recent order" segment without a word.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';

const NAME = 'Customer Segments';
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));

const wf = (condition: IDataObject) => ({
	nodes: [
		node(NAME, 'customerSegments', {
			operation: 'rules',
			definition: 'ui',
			segments: { segment: [{ name: 'Mine', match: 'all', conditions: { condition: [condition] } }] },
			rulesReferenceDate: '2024-01-31T00:00:00Z',
		} as never),
	],
	connections: {},
});

// ann ordered 2 days before the reference date; bob only viewed a product; cy started a checkout and did not order
const PEOPLE = items([
	{ email: 'ann@example.com', events: [{ event: 'Order Completed', timestamp: '2024-01-29T00:00:00Z' }] },
	{ email: 'bob@example.com', events: [{ event: 'Product Viewed', timestamp: '2024-01-30T00:00:00Z' }] },
	{ email: 'cy@example.com', events: [{ event: 'Checkout Started', timestamp: '2024-01-30T12:00:00Z' }] },
]);
const inSegment = async (condition: IDataObject) => {
	const result = await runWorkflow(wf(condition), { input: PEOPLE });
	expect(result.error).toBeUndefined();
	return result.items(NAME).map((i) => (i.json.segments as string[]).includes('Mine'));
};

describe('Customer Segments Rules: event names without case', () => {
	it.each(['Order Completed', 'order completed', ' ORDER COMPLETED '])('"%s" at most 0 times in 30 days: only the customers without an order', async (event) => {
		expect(await inSegment({ type: 'event', event, operator: 'atMost', count: 0, withinHours: 720 })).toEqual([false, true, true]);
	});

	it('"order completed" at least 1 time in 30 days: the buyer', async () => {
		expect(await inSegment({ type: 'event', event: 'order completed', operator: 'atLeast', count: 1, withinHours: 720 })).toEqual([true, false, false]);
	});

	it('Did Not Follow Up with both names in other cases: the checkout without an order', async () => {
		expect(await inSegment({ type: 'notAfter', event: 'checkout started', thenEvent: 'Order completed ', withinHours: 24 })).toEqual([false, false, true]);
	});

	it('a follow-up that is the same event in another case is refused as the same event', async () => {
		const result = await runWorkflow(wf({ type: 'notAfter', event: 'Order Completed', thenEvent: 'order completed', withinHours: 24 }), { input: PEOPLE });
		expect(result.error?.message).toContain('thenEvent is the same event as event');
	});

	it('an event name of spaces only is refused', async () => {
		const result = await runWorkflow(wf({ type: 'event', event: '   ', operator: 'atLeast', count: 1, withinHours: 24 }), { input: PEOPLE });
		expect(result.error?.message).toContain('event must name an event');
	});
});
