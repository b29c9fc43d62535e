/**
 * Whether a catalogue product may be recommended, from the availability fields shops and feeds
 * put on a product. Plain TypeScript, nothing from n8n.
 *
 * A product is unavailable when any of these says so (a field that is absent, null or empty says
 * nothing; every other value of a field not listed as unavailable means available):
 *
 * - `in_stock`, `available` (a Shopify store's products.json variants), `available_for_sale` /
 *   `availableForSale` (Shopify Storefront API), `purchasable` (WooCommerce): false, a number at
 *   or below 0 (a count of units: above 0 is available), or the text
 *   "false", "no", "n", "0" (any case). Text other than true/false/yes/no/y/n/1/0 is an error
 *   naming the field.
 * - `availability` (Google Merchant Center feed: `in_stock`, `out_of_stock`, `preorder`,
 *   `backorder`, the older "out of stock"; schema.org `https://schema.org/OutOfStock`...):
 *   out of stock, sold out, discontinued. Preorder and backorder are orderable, so available.
 * - `stock_status` (WooCommerce: `instock`, `outofstock`, `onbackorder`): out of stock.
 * - `status` (Shopify: `active`, `draft`, `archived`; WooCommerce: `publish`, `draft`,
 *   `pending`, `private`, `trash`): draft, archived, pending, private, trash, inactive,
 *   disabled, deleted, discontinued.
 * - `inventory_quantity` (Shopify variant) or `stock_quantity` (WooCommerce) at 0 or below,
 *   unless the shop sells it anyway: Shopify `inventory_policy: "continue"` or
 *   `inventory_management` null (stock not tracked), WooCommerce `backorders` "yes" / "notify" or
 *   `manage_stock: false`. A quantity that is not a number is an error naming the field.
 * - `variants` (a Shopify product with its variants): every variant that carries one of the
 *   flags or a quantity is unavailable by the rules above.
 *
 * Text values are compared in any case, ignoring spaces, `_` and `-` and a schema.org prefix.
 */

export class CatalogueFieldError extends Error {
	constructor(
		message: string,
		readonly field: string,
	) {
		super(message);
	}
}

const FLAG_FIELDS = ['in_stock', 'available', 'available_for_sale', 'availableForSale', 'purchasable'] as const;
const TRUE_TEXT = new Set(['true', 'yes', 'y', '1']);
const FALSE_TEXT = new Set(['false', 'no', 'n', '0']);
const UNAVAILABLE_AVAILABILITY = new Set(['outofstock', 'soldout', 'discontinued']);
const UNAVAILABLE_STOCK_STATUS = new Set(['outofstock']);
const UNAVAILABLE_STATUS = new Set(['draft', 'archived', 'pending', 'private', 'trash', 'inactive', 'disabled', 'deleted', 'discontinued']);
const QUANTITY_FIELDS = ['inventory_quantity', 'stock_quantity'] as const;

const isBlank = (value: unknown): boolean => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** "Out of Stock", "out_of_stock", "https://schema.org/OutOfStock" → "outofstock". */
function normalise(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	return value
		.trim()
		.toLowerCase()
		.replace(/^https?:\/\/schema\.org\//, '')
		.replace(/[\s_-]+/g, '');
}

function flagOf(value: unknown, field: string): boolean | undefined {
	if (isBlank(value)) return undefined;
	if (typeof value === 'boolean') return value;
	// A number is a count as much as a flag (`available: 5` units): above 0 is available.
	if (typeof value === 'number' && Number.isFinite(value)) return value > 0;
	const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
	if (text !== undefined && TRUE_TEXT.has(text)) return true;
	if (text !== undefined && FALSE_TEXT.has(text)) return false;
	throw new CatalogueFieldError(`field "${field}" is ${JSON.stringify(value)}: use true or false`, field);
}

/** Sells when out of stock (backorders) or does not track stock: a quantity of 0 says nothing. */
function sellsWithoutStock(row: Record<string, unknown>): boolean {
	if (normalise(row.inventory_policy) === 'continue') return true;
	if (Object.hasOwn(row, 'inventory_management') && isBlank(row.inventory_management)) return true;
	const backorders = normalise(row.backorders);
	if (backorders === 'yes' || backorders === 'notify') return true;
	return row.manage_stock === false;
}

/** Out of stock by quantity: true / false, or undefined when the row has no quantity. */
function outOfStockByQuantity(row: Record<string, unknown>, path: string): boolean | undefined {
	let known: boolean | undefined;
	for (const field of QUANTITY_FIELDS) {
		const raw = row[field];
		if (isBlank(raw)) continue;
		const quantity = typeof raw === 'number' || typeof raw === 'string' ? Number(raw) : NaN;
		if (!Number.isFinite(quantity)) throw new CatalogueFieldError(`field "${path}${field}" is ${JSON.stringify(raw)}: use a number`, `${path}${field}`);
		known = (known ?? false) || quantity <= 0;
	}
	if (known === undefined) return undefined;
	return known && !sellsWithoutStock(row);
}

/** A flag or quantity of a row (or variant) that says it cannot be bought; undefined when none does. */
function stockReason(row: Record<string, unknown>, path: string): string | undefined {
	for (const field of FLAG_FIELDS) if (flagOf(row[field], `${path}${field}`) === false) return `${path}${field} ${JSON.stringify(row[field])}`;
	if (outOfStockByQuantity(row, path)) return `${path}${isBlank(row.inventory_quantity) ? 'stock_quantity' : 'inventory_quantity'} ${JSON.stringify(isBlank(row.inventory_quantity) ? row.stock_quantity : row.inventory_quantity)}`;
	return undefined;
}

/** Whether a row (or variant) carries any flag or quantity at all. */
const hasStockInfo = (row: Record<string, unknown>): boolean => [...FLAG_FIELDS, ...QUANTITY_FIELDS].some((field) => !isBlank(row[field]));

/**
 * Why a catalogue row may not be recommended (e.g. `availability "out_of_stock"`), or undefined
 * when nothing in it says so. Throws CatalogueFieldError for a flag or quantity it cannot read.
 */
export function unavailableReason(row: Record<string, unknown>): string | undefined {
	const own = stockReason(row, '');
	if (own) return own;
	if (UNAVAILABLE_AVAILABILITY.has(normalise(row.availability) ?? '')) return `availability ${JSON.stringify(row.availability)}`;
	if (UNAVAILABLE_STOCK_STATUS.has(normalise(row.stock_status) ?? '')) return `stock_status ${JSON.stringify(row.stock_status)}`;
	if (UNAVAILABLE_STATUS.has(normalise(row.status) ?? '')) return `status ${JSON.stringify(row.status)}`;
	if (Array.isArray(row.variants)) {
		let informed = 0;
		let out = 0;
		row.variants.forEach((variant, k) => {
			if (!variant || typeof variant !== 'object') return;
			const v = variant as Record<string, unknown>;
			const reason = stockReason(v, `variants[${k}].`);
			if (reason === undefined && !hasStockInfo(v)) return;
			informed++;
			if (reason !== undefined) out++;
		});
		if (informed > 0 && out === informed) return 'every variant unavailable';
	}
	return undefined;
}
