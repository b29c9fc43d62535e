import type { INode } from 'n8n-workflow';
import workflowJson from '../workflows/normalize-segment.json';
import { runWorkflow, type WorkflowJson } from '../harness/engine';
import { canonicalEventErrors } from '../harness/schema';

const workflow = workflowJson as unknown as WorkflowJson;

function withNode(patch: Partial<INode>): WorkflowJson {
	return { ...workflow, nodes: [{ ...workflow.nodes[0], ...patch }] };
}

// Segment's documented track example (https://segment.com/docs/connections/spec/track/), trimmed.
const track = {
	type: 'track',
	event: 'Order Completed',
	userId: 'user-42',
	messageId: 'ajs-next-1699',
	timestamp: '2024-03-01T10:00:00.123+01:00',
	traits: { email: '  Jane.Doe@Example.COM ' },
	properties: { order_id: '50314b8e', total: 27.5, currency: 'USD', products: [{ product_id: 'p1', price: 19, quantity: 1 }] },
};

describe('Normalize Event through the n8n engine', () => {
	it('maps a Segment track call to one canonical event with pairedItem', async () => {
		const result = await runWorkflow(workflow, { input: [{ json: { body: track } }] });
		expect(result.error).toBeUndefined();
		const items = result.items('Normalize Event');
		expect(items).toHaveLength(1);
		const event = items[0].json;
		expect(canonicalEventErrors(event)).toEqual([]);
		expect(event).toMatchObject({
			type: 'track',
			event: 'Order Completed',
			messageId: 'ajs-next-1699',
			timestamp: '2024-03-01T09:00:00.123Z',
			userId: 'user-42',
			email: 'jane.doe@example.com',
			properties: { order_id: '50314b8e', total: 27.5, currency: 'USD' },
			context: { source: 'segment', topic: 'track' },
		});
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	it('turns a batch into one item per message, each paired with its input item', async () => {
		const batch = {
			type: 'batch',
			batch: [
				{ ...track, messageId: 'm1' },
				{ type: 'identify', userId: 'user-7', messageId: 'm2', timestamp: '2024-03-01T10:00:00Z', traits: { email: 'a@b.co' } },
			],
		};
		const result = await runWorkflow(workflow, { input: [{ json: { body: track } }, { json: { body: JSON.stringify(batch) } }] });
		const items = result.items('Normalize Event');
		expect(items.map((i) => i.json.messageId)).toEqual(['ajs-next-1699', 'm1', 'm2']);
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 1 }]);
		expect(items[2].json.event).toBe('Identify');
		for (const item of items) expect(canonicalEventErrors(item.json)).toEqual([]);
	});

	it('a batch with one invalid message yields the valid events and an Unknown event with the reason, all paired with the item', async () => {
		const bad = { type: 'track', event: 'Product Viewed', messageId: 'm-bad', userId: 'u1', timestamp: 'yesterday-ish' };
		const batch = { type: 'batch', batch: [{ ...track, messageId: 'm1' }, bad] };
		const result = await runWorkflow(workflow, { input: [{ json: { body: batch } }] });
		expect(result.error).toBeUndefined();
		const items = result.items('Normalize Event');
		expect(items.map((i) => [i.json.event, i.json.messageId])).toEqual([
			['Order Completed', 'm1'],
			['Unknown', 'm-bad'],
		]);
		expect(items[1].json).toMatchObject({ properties: { reason: '"batch[1].timestamp" is not a valid date: "yesterday-ish"', field: 'batch[1].timestamp' }, raw: bad });
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
		for (const item of items) expect(canonicalEventErrors(item.json)).toEqual([]);
	});

	it('fails the execution with an error naming the item and the field', async () => {
		const bad = { type: 'track', userId: 'u1', timestamp: '2024-03-01T10:00:00Z' };
		const result = await runWorkflow(workflow, { input: [{ json: { body: track } }, { json: { body: bad } }] });
		expect(result.error).toBeDefined();
		expect(result.error?.message).toContain('Item 1');
		expect(result.error?.message).toContain('body.event');
		expect(result.error?.name).toBe('NodeOperationError');
	});

	it('with Continue On Fail, yields an error item for the bad input and keeps the good ones', async () => {
		const bad = { type: 'track', event: 'Product Viewed', userId: 'u1', timestamp: 'yesterday-ish' };
		const result = await runWorkflow(withNode({ onError: 'continueRegularOutput' }), {
			input: [{ json: { body: track } }, { json: { body: bad } }, { json: { nobody: true } }],
		});
		expect(result.error).toBeUndefined();
		const items = result.items('Normalize Event');
		expect(items).toHaveLength(3);
		expect(items[0].json.event).toBe('Order Completed');
		expect(String(items[1].json.error)).toContain('body.timestamp');
		expect(String(items[2].json.error)).toContain('no field "body"');
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('passes unknown call types through as "Unknown" with the raw payload when asked', async () => {
		const alias = { type: 'alias', userId: 'u1', previousId: 'anon-1' };
		const strict = await runWorkflow(workflow, { input: [{ json: { body: alias } }] });
		expect(strict.error?.message).toContain('body.type');
		const lenient = await runWorkflow(
			withNode({ parameters: { ...workflow.nodes[0].parameters, onUnknown: 'passThrough' } }),
			{ input: [{ json: { body: alias } }] },
		);
		const [item] = lenient.items('Normalize Event');
		expect(item.json.event).toBe('Unknown');
		expect(item.json.raw).toEqual(alias);
		expect(canonicalEventErrors(item.json)).toEqual([]);
	});

	it('an input item whose payload holds no events still yields one (skipped) item', async () => {
		const result = await runWorkflow(workflow, { input: [{ json: { body: { type: 'batch', batch: [] } } }, { json: { body: track } }] });
		const items = result.items('Normalize Event');
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(items[0].json).toMatchObject({ event: null, skipped: true, reason: 'The payload held no events' });
		expect(items[1].json.event).toBe('Order Completed');
	});
});

