import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { InputError, interactionsFromItem, type LineFields } from '../../engines/reco/input';
import type { Interaction, SimilarityKind, TrainOptions } from '../../engines/reco/types';

/** Fields of the order-line input, shared by Train and Evaluate. */
export function lineProperties(operations: string[]): INodeProperties[] {
	const show = { show: { operation: operations } };
	return [
		{
			displayName:
				'Each input item is one order line (customer, product, quantity, time) or one canonical event: "Order Completed" (one line per product) or "Product Viewed"',
			name: 'linesNotice',
			type: 'notice',
			default: '',
			displayOptions: show,
		},
		{
			displayName: 'Customer ID Field',
			name: 'customerField',
			type: 'string',
			default: 'customer_id',
			description: 'Field of an order line that holds the customer ID (dot path allowed). Canonical events use userId, email or anonymousId.',
			displayOptions: show,
		},
		{
			displayName: 'Product ID Field',
			name: 'productField',
			type: 'string',
			default: 'product_id',
			description: 'Field of an order line that holds the product ID',
			displayOptions: show,
		},
		{
			displayName: 'Quantity Field',
			name: 'quantityField',
			type: 'string',
			default: 'quantity',
			description: 'Field with the quantity (optional; 1 when missing)',
			displayOptions: show,
		},
		{
			displayName: 'Time Field',
			name: 'timeField',
			type: 'string',
			default: 'timestamp',
			description: 'Field with the order time (ISO date or epoch seconds/milliseconds; optional)',
			displayOptions: show,
		},
		{
			displayName: 'Similarity',
			name: 'similarity',
			type: 'options',
			default: 'cosine',
			options: [
				{ name: 'Cosine (Recommended)', value: 'cosine', description: 'Co-purchases divided by the square root of both products\' buyers: best sellers do not become everyone\'s neighbour' },
				{ name: 'Jaccard', value: 'jaccard', description: 'Co-purchases divided by customers who bought either product' },
				{ name: 'Log-Likelihood Ratio', value: 'llr', description: 'Dunning\'s G² test of surprise, as in Apache Mahout; robust on very small data' },
			],
			description: 'How two products\' buyers are compared',
			displayOptions: show,
		},
		{
			displayName: 'Neighbours per Product',
			name: 'neighbors',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 200 },
			default: 20,
			description: 'How many similar products the model keeps for each product',
			displayOptions: show,
		},
		{
			displayName: 'Time Decay Half-Life (Days)',
			name: 'halfLifeDays',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'Older purchases count half as much after this many days (0 = no decay)',
			displayOptions: show,
		},
		{
			displayName: 'Options',
			name: 'trainOptions',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: show,
			options: [
				{ displayName: 'Best Sellers Kept', name: 'bestSellers', type: 'number', default: 100, description: 'Best sellers kept overall for filling' },
				{ displayName: 'Best Sellers per Category', name: 'bestSellersPerCategory', type: 'number', default: 20, description: 'Best sellers kept per category for filling' },
				{ displayName: 'Max Products per Customer', name: 'maxProductsPerCustomer', type: 'number', default: 200, description: 'A customer with more products keeps only this many: purchases before views, then the most recent (bounds training time)' },
				{ displayName: 'Minimum Shared Customers', name: 'minSupport', type: 'number', default: 2, description: 'Two products become neighbours only if at least this many customers have both' },
				{ displayName: 'Type Field', name: 'typeField', type: 'string', default: 'type', description: 'Field whose value "view" marks a product view instead of a purchase' },
				{ displayName: 'View Weight', name: 'viewWeight', type: 'number', typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 }, default: 0.3, description: 'Weight of a product view relative to a purchase (0 ignores views)' },
			],
		},
	];
}

export function readTrainOptions(ctx: IExecuteFunctions): TrainOptions {
	const extra = ctx.getNodeParameter('trainOptions', 0, {}) as IDataObject;
	return {
		similarity: ctx.getNodeParameter('similarity', 0, 'cosine') as SimilarityKind,
		neighbors: ctx.getNodeParameter('neighbors', 0, 20) as number,
		halfLifeDays: ctx.getNodeParameter('halfLifeDays', 0, 0) as number,
		viewWeight: extra.viewWeight as number | undefined,
		minSupport: extra.minSupport as number | undefined,
		maxProductsPerCustomer: extra.maxProductsPerCustomer as number | undefined,
		bestSellers: extra.bestSellers as number | undefined,
		bestSellersPerCategory: extra.bestSellersPerCategory as number | undefined,
	};
}

/**
 * Reads every input item as interactions. A bad item fails the node (naming the item and
 * the field), or with Continue On Fail becomes an error item while the others are used.
 */
export function readInteractions(ctx: IExecuteFunctions, items: INodeExecutionData[]): { interactions: Interaction[]; errors: INodeExecutionData[]; used: Array<{ item: number }> } {
	const extra = ctx.getNodeParameter('trainOptions', 0, {}) as IDataObject;
	const fields: LineFields = {
		customer: (ctx.getNodeParameter('customerField', 0, 'customer_id') as string).trim(),
		product: (ctx.getNodeParameter('productField', 0, 'product_id') as string).trim(),
		quantity: (ctx.getNodeParameter('quantityField', 0, 'quantity') as string).trim(),
		time: (ctx.getNodeParameter('timeField', 0, 'timestamp') as string).trim(),
		type: ((extra.typeField as string | undefined) ?? 'type').trim(),
	};
	const interactions: Interaction[] = [];
	const errors: INodeExecutionData[] = [];
	const used: Array<{ item: number }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			for (const line of interactionsFromItem(items[i].json, fields)) interactions.push(line);
			used.push({ item: i });
		} catch (error) {
			const message = `Item ${i}: ${(error as Error).message}`;
			if (ctx.continueOnFail()) {
				errors.push({ json: { error: message }, pairedItem: { item: i } });
				continue;
			}
			throw new NodeOperationError(ctx.getNode(), message, {
				itemIndex: i,
				description: error instanceof InputError && error.field ? `Field: ${error.field}` : undefined,
			});
		}
	}
	// the aggregate item is paired with the items it was computed from (with Continue On Fail, not the error items)
	return { interactions, errors, used };
}

export function allPaired(items: INodeExecutionData[]): Array<{ item: number }> {
	return items.map((_, i) => ({ item: i }));
}
