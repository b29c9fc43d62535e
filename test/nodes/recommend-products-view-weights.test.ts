/**
 * Recommend Products has two view weights with different meanings, both shown as "View Weight" before:
 * - Train / Evaluate option `viewWeight` (0 to 1, default 0.3): how much a product a customer only
 *   viewed counts in the customer vectors the model learns its product links from;
 * - Recommend option `viewSeedWeight` (>= 0, default 0.5): how much each product this customer viewed
 *   counts as a seed of their recommendations, relative to a purchase (1; the cart 1.5).
 * Now "Training View Weight" and "Viewed Products Weight"; the parameter names stay (saved workflows).
 */
import type { INodeProperties } from 'n8n-workflow';
import { P, loadPackage, node, runWorkflow } from '../harness/engine';

async function options(collection: string): Promise<INodeProperties[]> {
	const { nodeTypes } = await loadPackage();
	const description = nodeTypes.getByNameAndVersion(`${P}recommendProducts`, 1).description;
	return description.properties.find((p) => p.name === collection)!.options as INodeProperties[];
}

describe('the two view weights have distinct display names, same parameter names', () => {
	it('Train: viewWeight is "Training View Weight"; Recommend: viewSeedWeight is "Viewed Products Weight"', async () => {
		const train = (await options('trainOptions')).find((o) => o.name === 'viewWeight')!;
		const recommend = (await options('recommendOptions')).find((o) => o.name === 'viewSeedWeight')!;
		expect([train.displayName, train.default]).toEqual(['Training View Weight', 0.3]);
		expect([recommend.displayName, recommend.default]).toEqual(['Viewed Products Weight', 0.5]);
		expect(train.description).toContain('Not the Recommend operation\'s Viewed Products Weight');
		expect(recommend.description).toContain('Not Train\'s Training View Weight');
	});

	it('their errors name them apart', async () => {
		const trained = await runWorkflow(
			{ nodes: [node('Train', 'recommendProducts', { operation: 'train', trainOptions: { viewWeight: 2 } })], connections: {} },
			{ input: [{ json: { customer_id: 'c1', product_id: 'A' } }] },
		);
		expect(trained.error?.message).toBe('Parameter "Training View Weight" must be a number from 0 to 1, got 2');
		const model = { kind: 'pz-reco-model', version: 1, bestSellers: [], bestSellersByCategory: {}, products: [] };
		const recommended = await runWorkflow(
			{ nodes: [node('Recommend', 'recommendProducts', { operation: 'recommend', model: JSON.stringify(model), recommendOptions: { viewSeedWeight: -1 } })], connections: {} },
			{ input: [{ json: { purchased_products: [] } }] },
		);
		expect(recommended.error?.message).toContain('Option "Viewed Products Weight" must be a number of at least 0, got -1');
	});
});
