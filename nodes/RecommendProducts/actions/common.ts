import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { InputError, interactionsFromItem, isOrderWithoutProducts, orderKeyOf, withdrawalOf, type LineFields } from '../../engines/reco/input';
import { trainOptionProblem, type TRAIN_OPTION_RANGES } from '../../engines/reco/train';
import type { Interaction, SimilarityKind, TrainOptions } from '../../engines/reco/types';

/** Fields of the order-line input, shared by Train and Evaluate. */
export function lineProperties(operations: string[]): INodeProperties[] {
	const show = { show: { operation: operations } };
	return [
		{
			displayName:
				'Each input item is one order line (customer, product, quantity, time) or one canonical event: "Order Completed" (one line per product) or "Product Viewed"; "Order Cancelled" and "Order Refunded" take their order\'s products back',
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
			description: 'Field with the quantity (optional; 1 when missing; a line of quantity 0 is not a purchase and is skipped)',
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
				{ displayName: 'Best Sellers Kept', name: 'bestSellers', type: 'number', typeOptions: { minValue: 0 }, default: 100, description: 'Best sellers kept overall for filling' },
				{ displayName: 'Best Sellers per Category', name: 'bestSellersPerCategory', type: 'number', typeOptions: { minValue: 0 }, default: 20, description: 'Best sellers kept per category for filling' },
				{ displayName: 'Max Products per Customer', name: 'maxProductsPerCustomer', type: 'number', typeOptions: { minValue: 1 }, default: 200, description: 'A customer with more products keeps only this many: purchases before views, then the most recent (bounds training time)' },
				{ displayName: 'Minimum Shared Customers', name: 'minSupport', type: 'number', typeOptions: { minValue: 1 }, default: 2, description: 'Two products become neighbours only if at least this many customers have both' },
				{ displayName: 'Type Field', name: 'typeField', type: 'string', default: 'type', description: 'Field that says what a line is: empty, "purchase" or "order" for a purchase, "view" for a product view (any other value is refused). Clear it if every line is a purchase.' },
				{
					// name kept for saved workflows; the display name tells it from Recommend's Viewed Products Weight (viewSeedWeight)
					displayName: 'Training View Weight',
					name: 'viewWeight',
					type: 'number',
					typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
					default: 0.3,
					description:
						'How much a product a customer only viewed counts, relative to a purchase, when the model learns which products go together (0 ignores views). Links made by views give "Often viewed with …" reasons, not "Bought together". Not the Recommend operation\'s Viewed Products Weight.',
				},
			],
		},
	];
}

/** The training parameters' display names. */
const TRAIN_PARAMETERS: Record<keyof typeof TRAIN_OPTION_RANGES | 'similarity', string> = {
	similarity: 'Similarity',
	neighbors: 'Neighbours per Product',
	halfLifeDays: 'Time Decay Half-Life (Days)',
	viewWeight: 'Training View Weight',
	maxProductsPerCustomer: 'Max Products per Customer',
	minSupport: 'Minimum Shared Customers',
	bestSellers: 'Best Sellers Kept',
	bestSellersPerCategory: 'Best Sellers per Category',
};
/** The most the node allows where the engine has no upper bound. */
const NODE_MAXIMA = { neighbors: 200 };

/** A training parameter out of range: the operations turn it into a NodeOperationError (or, with Continue On Fail, an error item). */
export class TrainParameterError extends Error {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
	}
}

/**
 * The Train / Evaluate parameters, range-checked: a value an expression puts out of range (or
 * text instead of a number) fails the node with an error naming the parameter, instead of
 * training a wrong model (0 neighbours, a negative half-life, no product per customer...).
 */
export function readTrainOptions(ctx: IExecuteFunctions): TrainOptions {
	const extra = ctx.getNodeParameter('trainOptions', 0, {}) as IDataObject;
	const options: TrainOptions = {
		similarity: ctx.getNodeParameter('similarity', 0, 'cosine') as SimilarityKind,
		neighbors: ctx.getNodeParameter('neighbors', 0, 20) as number,
		halfLifeDays: ctx.getNodeParameter('halfLifeDays', 0, 0) as number,
		viewWeight: extra.viewWeight as number | undefined,
		minSupport: extra.minSupport as number | undefined,
		maxProductsPerCustomer: extra.maxProductsPerCustomer as number | undefined,
		bestSellers: extra.bestSellers as number | undefined,
		bestSellersPerCategory: extra.bestSellersPerCategory as number | undefined,
	};
	// the engine reads a missing similarity as its default; the node's parameter (an expression) must name one
	const problem = trainOptionProblem({ ...options, similarity: options.similarity ?? ('' as SimilarityKind) }, NODE_MAXIMA);
	if (problem) {
		const { option, expected } = problem;
		throw new TrainParameterError(`Parameter "${TRAIN_PARAMETERS[option]}" must be ${expected}, got ${JSON.stringify(options[option])}`, `Parameter: ${option}`);
	}
	return options;
}

/**
 * Reads every input item as interactions. A bad item fails the node (naming the item and
 * the field), or with Continue On Fail becomes an error item while the others are used.
 */
export function readInteractions(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
): { interactions: Interaction[]; errors: INodeExecutionData[]; used: Array<{ item: number }>; ordersWithoutProducts: number } {
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
	// An order read once: a later Order Paid (or a retried copy) of the same order adds nothing.
	const orders = new Set<string>();
	let ordersWithoutProducts = 0;
	// What cancellations and refunds take back, whether they come before or after their order.
	// undefined: the whole order (cancelled); a refund read once by its id (a retried webhook repeats it)
	const withdrawn = new Map<string, Map<string, number> | undefined>();
	const refunds = new Set<string>();
	for (const item of items) {
		const withdrawal = withdrawalOf(item.json);
		if (withdrawal === undefined) continue;
		const { order, units, refund } = withdrawal;
		if (units === undefined) {
			withdrawn.set(order, undefined);
			continue;
		}
		if (refund !== undefined && refunds.has(refund)) continue;
		if (refund !== undefined) refunds.add(refund);
		if (withdrawn.has(order) && withdrawn.get(order) === undefined) continue;
		const total = withdrawn.get(order) ?? new Map<string, number>();
		for (const [id, n] of units) total.set(id, (total.get(id) ?? 0) + n);
		withdrawn.set(order, total);
	}
	for (let i = 0; i < items.length; i++) {
		try {
			const lines = interactionsFromItem(items[i].json, fields);
			if (lines.length === 0 && isOrderWithoutProducts(items[i].json)) ordersWithoutProducts++;
			const order = orderKeyOf(items[i].json);
			if (order === undefined || !orders.has(order)) for (const line of withdraw(lines, order, withdrawn)) interactions.push(line);
			// an order event without lines does not stand for the order: a later copy with lines is read
			if (order !== undefined && lines.length > 0) orders.add(order);
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
	if (ordersWithoutProducts > 0) {
		ctx.addExecutionHints({
			message: `${ordersWithoutProducts} order event(s) without products (properties.products), e.g. Stripe Checkout's Order Completed, were left out: they name no product to learn from.`,
			type: 'info',
			location: 'outputPane',
		});
	}
	return { interactions, errors, used, ordersWithoutProducts };
}

/**
 * An order's lines less what was taken back: nothing of a cancelled order; of a refunded one, each
 * product's refunded units (from its first lines on), a line refunded in full left out. A customer
 * who sent a product back (or whose order was cancelled: a test, a fraud check, a change of mind)
 * did not buy it together with the rest of the order.
 */
function withdraw(lines: Interaction[], order: string | undefined, withdrawn: ReadonlyMap<string, Map<string, number> | undefined>): Interaction[] {
	if (order === undefined || !withdrawn.has(order)) return lines;
	const refunded = withdrawn.get(order);
	if (refunded === undefined) return [];
	const left = new Map(refunded);
	const out: Interaction[] = [];
	for (const line of lines) {
		const back = left.get(line.productId) ?? 0;
		const quantity = line.quantity ?? 1;
		left.set(line.productId, Math.max(0, back - quantity));
		if (back < quantity) out.push(back > 0 ? { ...line, quantity: quantity - back } : line);
	}
	return out;
}

/**
 * What a "no order lines" error adds when every order read had no products (a Stripe-only history):
 * the hint that counts them is not shown on a node that failed.
 */
export function noLinesNote(ordersWithoutProducts: number, interactions: readonly Interaction[]): string {
	if (ordersWithoutProducts === 0 || interactions.some((line) => line.kind !== 'view')) return '';
	return `: ${ordersWithoutProducts} order event(s) without products (properties.products), e.g. Stripe Checkout's Order Completed, were left out, as they name no product to learn from`;
}

export function allPaired(items: INodeExecutionData[]): Array<{ item: number }> {
	return items.map((_, i) => ({ item: i }));
}
