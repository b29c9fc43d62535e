/**
 * Normalize Event, Custom source, through the n8n engine: a canonical event name written in another
 * case, in the Event Name Map or the data itself ("order completed", "PRODUCT VIEWED"), comes out
 * in its canonical spelling. Written as given, it was an event no other node knows: Customer
 * Profile did not count the order, and Check Event Since / Customer Segments did not find it.
 * Names that are not canonical keep their spelling.
 */
import type { INode } from 'n8n-workflow';
import { P, runWorkflow } from '../harness/engine';

const run = async (customMapping: Record<string, unknown>, body: Record<string, unknown>) => {
	const parameters = { source: 'custom', payloadField: 'body', signatureCheck: false, customEventPath: 'event', customMapping } as INode['parameters'];
	const result = await runWorkflow(
		{ nodes: [{ id: 'n', name: 'Normalize Event', type: `${P}normalizeEvent`, typeVersion: 1, position: [0, 0], parameters }], connections: {} },
		{ input: [{ json: { body: body as never } }] },
	);
	expect(result.error).toBeUndefined();
	return result.items('Normalize Event').map((i) => i.json.event);
};

describe('Normalize Event Custom: canonical names in any case', () => {
	it('an Event Name Map target in lower case is the canonical Order Completed', async () => {
		expect(await run({ eventMap: JSON.stringify({ purchase: 'order completed' }), timestampPath: 'ts' }, { event: 'purchase', ts: '2026-01-01T00:00:00Z' })).toEqual(['Order Completed']);
	});

	it('a data-layer name in upper case with spaces around it is Product Viewed; a name of its own keeps its case', async () => {
		expect(await run({ timestampPath: 'ts' }, { event: ' PRODUCT VIEWED ', ts: '2026-01-01T00:00:00Z' })).toEqual(['Product Viewed']);
		expect(await run({ timestampPath: 'ts' }, { event: 'quiz finished', ts: '2026-01-01T00:00:00Z' })).toEqual(['quiz finished']);
	});
});
