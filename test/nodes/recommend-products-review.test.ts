/** Review of the Recommend Products glue: each case failed on the code before its fix. */
import type { INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';

// c1: A B · c2: A B C · c3: A C · c4: B D · c5: D E (cosine, support 1: B's neighbours A, C, D)
const pairs = [['c1', 'A'], ['c1', 'B'], ['c2', 'A'], ['c2', 'B'], ['c2', 'C'], ['c3', 'A'], ['c3', 'C'], ['c4', 'B'], ['c4', 'D'], ['c5', 'D'], ['c5', 'E']];
const orderLines: INodeExecutionData[] = pairs.map(([c, p]) => ({ json: { customer_id: c, product_id: p, quantity: 1 } }));
const trainParams = { operation: 'train', similarity: 'cosine', neighbors: 20, trainOptions: { minSupport: 1 } };

async function trainedModel(): Promise<string> {
	const trained = await runWorkflow({ nodes: [node('Train', 'recommendProducts', trainParams)], connections: {} }, { input: orderLines });
	return JSON.stringify(trained.items('Train')[0].json.model);
}

describe('Only Catalogue Products', () => {
	it('with an empty catalogue (nothing in stock) recommends nothing, not every product', async () => {
		const model = await trainedModel();
		const result = await runWorkflow(
			{ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model, count: 3, recommendOptions: { catalogue: '[]', onlyCatalogue: true } })], connections: {} },
			{ input: [{ json: { purchased_products: ['B'] } }] },
		);
		expect(result.error).toBeUndefined();
		expect(result.items('Recommend')[0].json.recommendations).toEqual([]);
	});

	it('keeps to the catalogue when it has products (B bought: neighbours A, C, D; only C and E in stock → C, then best seller E)', async () => {
		const model = await trainedModel();
		const result = await runWorkflow(
			{ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model, count: 3, recommendOptions: { catalogue: '[{"product_id":"C"},{"product_id":"E"}]', onlyCatalogue: true } })], connections: {} },
			{ input: [{ json: { purchased_products: ['B'] } }] },
		);
		expect((result.items('Recommend')[0].json.recommendations as Array<{ product_id: string }>).map((r) => r.product_id)).toEqual(['C', 'E']);
	});

	it('without a Catalogue fails instead of silently recommending every product', async () => {
		const model = await trainedModel();
		const result = await runWorkflow(
			{ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model, count: 3, recommendOptions: { onlyCatalogue: true } })], connections: {} },
			{ input: [{ json: { purchased_products: ['B'] } }] },
		);
		expect(result.error?.message).toContain('no Catalogue is set');
	});
});

describe('Continue On Fail: the model item is paired with the items it was trained on', () => {
	it('Train and Evaluate leave the bad line out of pairedItem; it gets its own error item', async () => {
		const bad = [...orderLines.slice(0, 4), { json: { customer_id: 'c9' } }, orderLines[4]];
		for (const operation of ['train', 'evaluate']) {
			const result = await runWorkflow({ nodes: [node('N', 'recommendProducts', { ...trainParams, operation }, { onError: 'continueRegularOutput' })], connections: {} }, { input: bad });
			const items = result.items('N');
			expect(items).toHaveLength(2);
			expect(items[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }, { item: 5 }]);
			expect(items[1]).toMatchObject({ json: { error: expect.stringContaining('Item 4') }, pairedItem: { item: 4 } });
		}
	});
});
