import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { isDeepStrictEqual } from 'node:util';
import { CatalogueFieldError, unavailableReason } from '../../engines/reco/availability';
import { customerFromItem, idOf, InputError } from '../../engines/reco/input';
import { compileModel, ModelError, recommend, type CompiledModel } from '../../engines/reco/recommend';
import type { ProductDetails } from '../../engines/reco/types';

const show = { show: { operation: ['recommend'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Model Source',
		name: 'modelSource',
		type: 'options',
		default: 'json',
		options: [
			{ name: 'JSON (Expression)', value: 'json', description: 'The model object from Train, e.g. {{ $(\'Load Model\').first().json.model }}' },
			{ name: 'Binary File', value: 'binary', description: 'The model file written by Train, on the input items' },
		],
		displayOptions: show,
	},
	{
		displayName: 'Model',
		name: 'model',
		type: 'json',
		default: '',
		required: true,
		hint: 'Read once per execution (from the first item)',
		description: 'The model that Train produced: its "model" field, as an object or a JSON string',
		displayOptions: { show: { operation: ['recommend'], modelSource: ['json'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'modelBinaryProperty',
		type: 'string',
		default: 'model',
		description: 'Binary property that holds the model file (the first item that has it is used)',
		displayOptions: { show: { operation: ['recommend'], modelSource: ['binary'] } },
	},
	{
		displayName: 'Number of Products',
		name: 'count',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 50 },
		default: 6,
		description: 'How many products to recommend per customer',
		displayOptions: show,
	},
	{
		displayName: 'Purchased Products Field',
		name: 'purchasedField',
		type: 'string',
		default: 'purchased_products',
		description: 'List of product IDs (or products with product_id and timestamp) the customer bought; these are never recommended',
		displayOptions: show,
	},
	{
		displayName: 'Cart Field',
		name: 'cartField',
		type: 'string',
		default: 'cart',
		description: 'List of products in the cart; never recommended. Customer profiles\' openCart.products is read too (at the top level of the item or under profile, as Get Profile writes it).',
		displayOptions: show,
	},
	{
		displayName: 'Viewed Products Field',
		name: 'viewedField',
		type: 'string',
		default: 'viewed_products',
		description: 'List of recently viewed products. Customer profiles\' recentViews is read too (top level or under profile); a canonical event as the item adds its products (Order Completed → purchased, Product Added or Checkout Started → cart, Product Viewed or Clicked → viewed, Product Removed, Order Cancelled or Refunded → never recommended; other events add nothing).',
		displayOptions: show,
	},
	{
		displayName: 'Fill Empty Slots With',
		name: 'fill',
		type: 'options',
		default: 'category',
		options: [
			{ name: 'Best Sellers in the Customer\'s Categories, Then Overall', value: 'category' },
			{ name: 'Best Sellers Overall', value: 'overall' },
			{ name: 'Nothing (May Return Fewer)', value: 'none' },
		],
		description: 'When the customer\'s history yields too few products (new or thin history)',
		displayOptions: show,
	},
	{
		displayName: 'Put Output in Field',
		name: 'outputField',
		type: 'string',
		default: 'recommendations',
		description: 'Field of the output item that receives the list',
		displayOptions: show,
	},
	{
		displayName: 'Options',
		name: 'recommendOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Catalogue',
				name: 'catalogue',
				type: 'json',
				default: '[]',
				description: 'Products (product_id, name, price, url, image_url, category) that override the details kept from training, e.g. {{ $(\'Products\').all().map(i => i.json) }}',
			},
			{
				displayName: 'Leave Out Unavailable Catalogue Products',
				name: 'skipUnavailable',
				type: 'boolean',
				default: true,
				description:
					'Whether a Catalogue product marked out of stock or unpublished is never recommended: in_stock / available / purchasable false, availability "out_of_stock" (Google Merchant feed), stock_status "outofstock" (WooCommerce), status draft / archived, inventory_quantity or stock_quantity 0 (unless backorders are allowed)',
			},
			{ displayName: 'Exclude Viewed Products', name: 'excludeViewed', type: 'boolean', default: false, description: 'Whether to also leave out products the customer already viewed' },
			{ displayName: 'Only Catalogue Products', name: 'onlyCatalogue', type: 'boolean', default: false, description: 'Whether to recommend only products in the catalogue (e.g. in stock)' },
			{
				// name kept for saved workflows; the display name tells it from Train's Training View Weight (viewWeight)
				displayName: 'Viewed Products Weight',
				name: 'viewSeedWeight',
				type: 'number',
				typeOptions: { numberPrecision: 2 },
				default: 0.5,
				description:
					'How much each product this customer viewed counts, relative to one they bought (1; the cart counts 1.5), when picking their recommendations (0 ignores their views). Not Train\'s Training View Weight, which shapes the model.',
			},
		],
	},
];

function parseJson(ctx: IExecuteFunctions, value: unknown, what: string): unknown {
	if (typeof value !== 'string') return value;
	if (value.trim() === '') throw new NodeOperationError(ctx.getNode(), `${what} is empty`, { description: 'Set it to the Train output, e.g. {{ $(\'Load Model\').first().json.model }}' });
	try {
		return JSON.parse(value);
	} catch {
		throw new NodeOperationError(ctx.getNode(), `${what} is not valid JSON`);
	}
}

async function loadModel(ctx: IExecuteFunctions, items: INodeExecutionData[]): Promise<CompiledModel> {
	const source = ctx.getNodeParameter('modelSource', 0, 'json') as string;
	let raw: unknown;
	if (source === 'binary') {
		const property = (ctx.getNodeParameter('modelBinaryProperty', 0, 'model') as string).trim();
		const index = items.findIndex((item) => item.binary?.[property] !== undefined);
		if (index < 0) throw new NodeOperationError(ctx.getNode(), `No input item has a binary field "${property}" with the model`);
		const buffer = await ctx.helpers.getBinaryDataBuffer(index, property);
		raw = parseJson(ctx, buffer.toString('utf8'), `Binary field "${property}"`);
	} else {
		raw = parseJson(ctx, ctx.getNodeParameter('model', 0), 'Model');
	}
	// accept the whole Train item too ({ model: {...} })
	if (raw && typeof raw === 'object' && (raw as IDataObject).kind === undefined && (raw as IDataObject).model) raw = (raw as IDataObject).model;
	try {
		return compileModel(raw);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `Model: ${(error as Error).message}`, {
			description: error instanceof ModelError ? 'Feed the "model" field of a Recommend Products → Train output' : undefined,
		});
	}
}

interface Catalogue {
	products: Map<string, ProductDetails> | undefined;
	/** Catalogue products marked unavailable (out of stock, draft...): never recommended. */
	unavailable: Set<string> | undefined;
}

function loadCatalogue(ctx: IExecuteFunctions, options: IDataObject): Catalogue {
	if (options.catalogue === undefined) {
		// a filter that silently does nothing would recommend e.g. out-of-stock products
		if (options.onlyCatalogue === true) throw new NodeOperationError(ctx.getNode(), 'Only Catalogue Products is on but no Catalogue is set', { description: 'Add the Catalogue option (the products that may be recommended), or turn Only Catalogue Products off' });
		return { products: undefined, unavailable: undefined };
	}
	const raw = parseJson(ctx, options.catalogue, 'Catalogue');
	if (!Array.isArray(raw)) throw new NodeOperationError(ctx.getNode(), 'Catalogue must be a list of products');
	// on unless turned off: a product the catalogue marks out of stock must not be emailed
	const skipUnavailable = options.skipUnavailable !== false;
	const map = new Map<string, ProductDetails>();
	const isUnavailable = new Map<string, boolean>();
	/** The row each product id was first listed on. */
	const firstRow = new Map<string, number>();
	raw.forEach((p, k) => {
		const given = p && typeof p === 'object' ? ((p as IDataObject).product_id ?? (p as IDataObject).id) : undefined;
		// read as Train and the customer's lists read product ids: a spreadsheet's "SKU-1 " is the model's "SKU-1"
		const id = idOf(given);
		if (id === undefined) throw new NodeOperationError(ctx.getNode(), `Catalogue product ${k} has no product_id`);
		const { product_id: _drop, ...rest } = p as IDataObject;
		// A product listed twice with the same details is one product. Listed with different details
		// (a feed with one row per market or currency, or per variant), its last row's price used to
		// win silently: the email could show another market's price. Refused, naming the rows.
		const before = map.get(id);
		if (before !== undefined) {
			if (isDeepStrictEqual(before, rest)) return;
			const fields = [...new Set([...Object.keys(before), ...Object.keys(rest)])].sort();
			const field = fields.find((f) => !isDeepStrictEqual((before as IDataObject)[f], rest[f]));
			const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v).slice(0, 40));
			throw new NodeOperationError(
				ctx.getNode(),
				`Catalogue products ${firstRow.get(id)} and ${k} both have product_id "${id}" with different details (${field}: ${show((before as IDataObject)[field!])} and ${show(rest[field!])})`,
				{ description: 'List each product once: e.g. filter the catalogue to the currency or market of the email (one row per product), or give each variant its own product_id' },
			);
		}
		firstRow.set(id, k);
		map.set(id, rest as ProductDetails);
		if (!skipUnavailable) return;
		try {
			isUnavailable.set(id, unavailableReason(p as IDataObject) !== undefined);
		} catch (error) {
			throw new NodeOperationError(ctx.getNode(), `Catalogue product ${k} ("${id}"): ${(error as Error).message}`, {
				description:
					error instanceof CatalogueFieldError ? 'Fix the value, or turn off the option Leave Out Unavailable Catalogue Products to ignore availability fields' : undefined,
			});
		}
	});
	const unavailable = new Set([...isUnavailable].filter(([, out]) => out).map(([id]) => id));
	// an empty catalogue with Only Catalogue Products means nothing may be recommended (e.g. nothing in stock), not "no filter"
	return { products: map.size > 0 || options.onlyCatalogue === true ? map : undefined, unavailable: unavailable.size > 0 ? unavailable : undefined };
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	let model: CompiledModel;
	let catalogue: Map<string, ProductDetails> | undefined;
	let unavailable: Set<string> | undefined;
	const options = this.getNodeParameter('recommendOptions', 0, {}) as IDataObject;
	try {
		model = await loadModel(this, items);
		({ products: catalogue, unavailable } = loadCatalogue(this, options));
	} catch (error) {
		// no usable model: every item fails the same way
		if (this.continueOnFail()) return items.map((_, i) => ({ json: { error: (error as Error).message }, pairedItem: { item: i } }));
		throw error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), error as Error);
	}
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const fields = {
				purchased: (this.getNodeParameter('purchasedField', i, 'purchased_products') as string).trim(),
				cart: (this.getNodeParameter('cartField', i, 'cart') as string).trim(),
				viewed: (this.getNodeParameter('viewedField', i, 'viewed_products') as string).trim(),
			};
			const outputField = (this.getNodeParameter('outputField', i, 'recommendations') as string).trim() || 'recommendations';
			const raw = this.getNodeParameter('count', i, 6) as unknown;
			// numeric text (a CSV column in an expression) is its number
			const count = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
			// 0, a negative or a non-number (an expression) gave every customer an empty block, silently; a fraction >= 1 is rounded down
			// at most the editor's maximum: an expression's 500 or Infinity put every product in every email
			if (typeof count !== 'number' || !(Math.floor(count) >= 1 && count <= 50)) {
				throw new InputError(`Parameter "Number of Products" must be a number from 1 to 50 (a fraction is rounded down), got ${JSON.stringify(raw)}`);
			}
			// a negative weight silently dropped every view; numeric text (an expression) is its number
			const rawWeight = options.viewSeedWeight;
			const viewSeedWeight = rawWeight === undefined || rawWeight === '' ? undefined : typeof rawWeight === 'string' ? Number(rawWeight) : rawWeight;
			if (viewSeedWeight !== undefined && !(typeof viewSeedWeight === 'number' && viewSeedWeight >= 0 && Number.isFinite(viewSeedWeight))) {
				throw new InputError(`Option "Viewed Products Weight" must be a number of at least 0, got ${JSON.stringify(rawWeight)}`);
			}
			const customer = customerFromItem(items[i].json, fields);
			const recs = recommend(model, customer, {
				count,
				fill: this.getNodeParameter('fill', i, 'category') as 'category' | 'overall' | 'none',
				excludeViewed: options.excludeViewed === true,
				onlyCatalogue: options.onlyCatalogue === true,
				viewSeedWeight,
				catalogue,
				unavailable,
			});
			out.push({ json: { ...items[i].json, [outputField]: recs as unknown as IDataObject[] }, pairedItem: { item: i } });
		} catch (error) {
			const message = `Item ${i}: ${(error as Error).message}`;
			if (this.continueOnFail()) {
				out.push({ json: { error: message }, pairedItem: { item: i } });
				continue;
			}
			throw new NodeOperationError(this.getNode(), message, {
				itemIndex: i,
				description: error instanceof InputError && error.field ? `Field: ${error.field}` : undefined,
			});
		}
	}
	return out;
}
