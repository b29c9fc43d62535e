/**
 * Customer Segments Rules, segments defined in the editor, through the n8n engine: a Times or
 * Within Last (Hours) field whose expression gives nothing ('' or null) is refused naming the
 * field. Number('') is 0: "at least 0 times" put every customer in the segment and a 0-hour window
 * meant all time, without a word. An event without a timestamp is named as missing.
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
			segments: { segment: [{ name: 'Buyers', match: 'all', conditions: { condition: [condition] } }] },
			rulesReferenceDate: '2024-01-31T00:00:00Z',
		} as never),
	],
	connections: {},
});
// a customer without any order: "at least 1 Order Completed" must not hold
const NO_ORDERS = items([{ email: 'a@example.com', events: [{ event: 'Product Viewed', timestamp: '2024-01-30T00:00:00Z' }] }]);
const ORDER_LONG_AGO = items([{ email: 'b@example.com', events: [{ event: 'Order Completed', timestamp: '2023-01-01T00:00:00Z' }] }]);

describe('Customer Segments Rules editor: number fields an expression leaves empty', () => {
	it('reads the fields as given (control: 1 time within 24 hours, 0 hours = all time)', async () => {
		const none = await runWorkflow(wf({ type: 'event', event: 'Order Completed', operator: 'atLeast', count: 1, withinHours: 24 }), { input: NO_ORDERS });
		expect(none.items(NAME)[0].json.segments).toEqual([]);
		const allTime = await runWorkflow(wf({ type: 'event', event: 'Order Completed', operator: 'atLeast', count: 1, withinHours: 0 }), { input: ORDER_LONG_AGO });
		expect(allTime.items(NAME)[0].json.segments).toEqual(['Buyers']);
	});

	it.each([
		['Times', { count: '={{ "" }}', withinHours: 24 }, 'count must be a whole number >= 0'],
		['Times', { count: '={{ null }}', withinHours: 24 }, 'count must be a whole number >= 0'],
		['Within Last (Hours)', { count: 1, withinHours: '={{ "" }}' }, 'withinHours must be a number >= 0'],
	])('%s from an empty expression is refused, naming the field', async (_label, fields, message) => {
		const result = await runWorkflow(wf({ type: 'event', event: 'Order Completed', operator: 'atLeast', ...fields }), { input: NO_ORDERS });
		expect(result.error?.message).toContain(message);
		expect(result.error?.message).toMatch(/^Item 0: /);
	});

	it('Within Last of Did Not Follow Up from an empty expression is refused too', async () => {
		const result = await runWorkflow(wf({ type: 'notAfter', event: 'Checkout Started', thenEvent: 'Order Completed', withinHours: '={{ "" }}' }), { input: NO_ORDERS });
		expect(result.error?.message).toContain('withinHours must be a number >= 0');
	});

	it('an event without a timestamp is named as missing', async () => {
		const result = await runWorkflow(wf({ type: 'event', event: 'Order Completed', operator: 'atLeast', count: 1, withinHours: 24 }), {
			input: items([{ email: 'c@example.com', events: [{ event: 'Order Completed' }] }]),
		});
		expect(result.error?.message).toBe('Item 0: events: events[0].timestamp is missing');
	});
});
