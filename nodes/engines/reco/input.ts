/**
 * Input shapes → engine inputs. Accepts canonical events (`nodes/engines/types`), flat
 * order-line rows, and CustomerProfile-shaped customers. Errors name the field.
 */
import { CART_SNAPSHOT_EVENTS, type CanonicalEvent, type CanonicalProduct } from '../types/CanonicalEvent';
import type { CustomerProfile } from '../types/CustomerProfile';
import { profileTimeMs } from '../profile/time';
import { isCounted } from './train';
import type { CustomerContext, Interaction, ProductDetails } from './types';

export class InputError extends Error {
	constructor(
		message: string,
		public field?: string,
	) {
		super(message);
	}
}

export interface LineFields {
	customer: string;
	product: string;
	quantity: string;
	time: string;
	/** Field that says what the line is: see `lineKind` (empty: every line is a purchase). */
	type: string;
}

/** Type Field values (trimmed, any case) of a purchase line; no value at all is a purchase too. */
const PURCHASE_TYPES = new Set(['purchase', 'order', 'order completed', 'order paid']);
/** The canonical events that are a product view, in Train and as Recommend's customer item. */
const VIEW_EVENTS: ReadonlySet<string> = new Set(['Product Viewed', 'Product Clicked']);
/**
 * The canonical events that take products back (Segment e-commerce: removed from the cart, an
 * order cancelled or refunded): as Recommend's customer item, their products are not recommended
 * and seed nothing (a removed product is not a view).
 */
const WITHDRAWN_EVENTS: ReadonlySet<string> = new Set(['Product Removed', 'Order Cancelled', 'Order Refunded']);
/** Type Field values (trimmed, any case) of a product view (the canonical events Train reads as views). */
const VIEW_TYPES = new Set(['view', ...[...VIEW_EVENTS].map((event) => event.toLowerCase())]);

/**
 * What a flat line is, from its Type Field: no value (absent, null, empty) or a purchase value →
 * 'purchase'; a view value → 'view'. Anything else (a cart, a wishlist, a refund, a field that
 * means something else) is refused rather than counted as a purchase.
 */
function lineKind(value: unknown, field: string): 'purchase' | 'view' {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return 'purchase';
	const type = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
	if (type !== undefined && PURCHASE_TYPES.has(type)) return 'purchase';
	if (type !== undefined && VIEW_TYPES.has(type)) return 'view';
	throw new InputError(
		`Field "${field}" (type) is ${JSON.stringify(value)}: use "purchase" (or leave it empty) for an order line, "view" for a product view; if this field means something else, change or clear the Type Field option`,
		field,
	);
}

/**
 * A quantity: a number or numeric text, >= 0; undefined when absent. A line of quantity 0 is not
 * a purchase (the caller skips it); a negative one is refused.
 */
function quantityOf(raw: unknown, field: string): number | undefined {
	if (raw === undefined || raw === null || raw === '') return undefined;
	const quantity = typeof raw === 'number' || typeof raw === 'string' ? Number(raw) : NaN;
	if (!Number.isFinite(quantity) || quantity < 0) throw new InputError(`Field "${field}" (quantity) is not a number >= 0`, field);
	return quantity;
}

export const DEFAULT_LINE_FIELDS: LineFields = { customer: 'customer_id', product: 'product_id', quantity: 'quantity', time: 'timestamp', type: 'type' };

const DETAIL_FIELDS = ['name', 'price', 'url', 'image_url', 'category'] as const;

export function readPath(data: unknown, path: string): unknown {
	let current: unknown = data;
	for (const key of path.split('.')) {
		if (typeof current !== 'object' || current === null) return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

export function parseTime(value: unknown, field: string): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'number') {
		// seconds below 1e11, else milliseconds, as every node reads numbers (profileTimeMs)
		const t = profileTimeMs(value);
		if (t === undefined) throw new InputError(`"${field}" is not a valid time`, field);
		return t;
	}
	if (typeof value === 'string') {
		// Epoch digits as text (9 or more, CSV, spreadsheets) are that number; ISO 8601 without a zone
		// is UTC and other text must name its zone, as the profile store reads times: Date.parse alone
		// would read "2024-01-10T10:00:00" in the server's time zone.
		const t = profileTimeMs(value);
		if (t === undefined) {
			throw new InputError(`"${field}" is not a valid date: "${value}" (use ISO 8601, e.g. 2024-01-10T10:00:00Z; without a zone it is UTC)`, field);
		}
		return t;
	}
	if (value instanceof Date && Number.isFinite(value.getTime())) return value.getTime();
	throw new InputError(`"${field}" is not a valid time`, field);
}

/** A product or customer id: trimmed non-empty text, or a finite number as its decimal text. */
export function idOf(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

function detailsOf(source: Record<string, unknown>): ProductDetails | undefined {
	const out: ProductDetails = {};
	let any = false;
	for (const key of DETAIL_FIELDS) {
		const v = source[key];
		if (v !== undefined && v !== null && v !== '') {
			(out as Record<string, unknown>)[key] = v;
			any = true;
		}
	}
	return any ? out : undefined;
}

function isCanonical(json: Record<string, unknown>): boolean {
	return typeof json.event === 'string' && typeof json.properties === 'object' && json.properties !== null;
}

/**
 * The order an order event records, as customer + `properties.order_id` (undefined for other items,
 * or an order event without an order id or customer). Shopify sends one order twice, as Order
 * Completed (orders/create) and as Order Paid (orders/paid), and a retried webhook sends the same
 * event again: the caller reads each order once.
 */
export function orderKeyOf(json: Record<string, unknown>): string | undefined {
	if (!isCanonical(json)) return undefined;
	const event = json as unknown as CanonicalEvent;
	if (event.event !== 'Order Completed' && event.event !== 'Order Paid') return undefined;
	return orderKey(event);
}

function orderKey(event: CanonicalEvent): string | undefined {
	const orderId = idOf(event.properties.order_id);
	const customerId = idOf(event.userId) ?? idOf(event.email) ?? idOf(event.anonymousId);
	return orderId !== undefined && customerId !== undefined ? `${customerId}\u0000${orderId}` : undefined;
}

/**
 * What an Order Cancelled or Order Refunded takes back from an order (the order as `orderKeyOf`
 * names it): a cancelled order entirely (`units` undefined), a refund the units of each product it
 * lists (Infinity when a line gives no quantity: the whole line), named by `refund_id`, else its
 * `messageId`, so that a repeated copy is read once. A refund that lists no products
 * (a payment provider's refund of an amount) cannot say which products went back: undefined, as
 * for any other item. Never throws: a malformed event takes nothing back.
 */
export function withdrawalOf(json: Record<string, unknown>): { order: string; units?: Map<string, number>; refund?: string } | undefined {
	if (!isCanonical(json)) return undefined;
	const event = json as unknown as CanonicalEvent;
	if (event.event !== 'Order Cancelled' && event.event !== 'Order Refunded') return undefined;
	const order = orderKey(event);
	if (order === undefined) return undefined;
	if (event.event === 'Order Cancelled') return { order };
	const products = event.properties.products;
	if (!Array.isArray(products) || products.length === 0) return undefined;
	const units = new Map<string, number>();
	for (const p of products as CanonicalProduct[]) {
		const id = p && typeof p === 'object' ? (idOf(p.product_id) ?? idOf(p.sku)) : undefined;
		if (id === undefined) continue;
		const quantity = typeof p.quantity === 'number' && p.quantity >= 0 ? p.quantity : Infinity;
		units.set(id, (units.get(id) ?? 0) + quantity);
	}
	// what names this refund, so that a repeated copy is not subtracted twice
	const refund = idOf(event.properties.refund_id) ?? idOf(event.messageId);
	return { order, units, refund: refund === undefined ? undefined : `${order}\u0000${refund}` };
}

/** An order's `products` that names no product: absent, null or an empty list. */
const hasNoProducts = (products: unknown): boolean => products === undefined || products === null || (Array.isArray(products) && products.length === 0);

/** A canonical Order Completed / Order Paid without line items (e.g. from Stripe Checkout): it yields no interactions. */
export function isOrderWithoutProducts(json: Record<string, unknown>): boolean {
	if (!isCanonical(json)) return false;
	const event = json as unknown as CanonicalEvent;
	if (event.event !== 'Order Completed' && event.event !== 'Order Paid') return false;
	return hasNoProducts(event.properties.products);
}

/** One input item → interactions (an Order Completed event yields one line per product). */
export function interactionsFromItem(json: Record<string, unknown>, fields: LineFields = DEFAULT_LINE_FIELDS): Interaction[] {
	if (isCanonical(json)) {
		const event = json as unknown as CanonicalEvent;
		const customerId = idOf(event.userId) ?? idOf(event.email) ?? idOf(event.anonymousId);
		if (!customerId) throw new InputError('The event has no userId, email or anonymousId', 'userId');
		const time = parseTime(event.timestamp, 'timestamp');
		const props = event.properties;
		if (event.event === 'Order Completed' || event.event === 'Order Paid') {
			// An order without line items (Stripe's checkout.session.completed and its Order Paid carry
			// none) says nothing about products: no lines, counted by the caller (isOrderWithoutProducts).
			if (hasNoProducts(props.products)) return [];
			if (!Array.isArray(props.products)) throw new InputError('The order\'s products is not a list', 'properties.products');
			// a product of quantity 0 bought nothing: Train and Evaluate leave it out (isCounted)
			return props.products.map((p: CanonicalProduct, k) => {
				const productId = idOf(p.product_id) ?? idOf(p.sku);
				if (!productId) throw new InputError(`Product ${k} has no product_id or sku`, `properties.products[${k}].product_id`);
				const quantity = quantityOf(p.quantity, `properties.products[${k}].quantity`);
				return { customerId, productId, kind: 'purchase' as const, quantity: quantity ?? 1, time, details: detailsOf(p) };
			});
		}
		if (VIEW_EVENTS.has(event.event)) {
			const productId = idOf(props.product_id) ?? idOf(props.sku);
			if (!productId) throw new InputError('The view has no product_id', 'properties.product_id');
			return [{ customerId, productId, kind: 'view', time, details: detailsOf(props) }];
		}
		return []; // other events carry no product interaction
	}
	const customerId = idOf(readPath(json, fields.customer));
	if (!customerId) throw new InputError(`Field "${fields.customer}" (customer) is missing or empty`, fields.customer);
	const productId = idOf(readPath(json, fields.product));
	if (!productId) throw new InputError(`Field "${fields.product}" (product) is missing or empty`, fields.product);
	const quantity = quantityOf(readPath(json, fields.quantity), fields.quantity);
	const kind = fields.type === '' ? 'purchase' : lineKind(readPath(json, fields.type), fields.type);
	const time = parseTime(readPath(json, fields.time), fields.time);
	// an order line of quantity 0 bought nothing: Train and Evaluate leave it out (isCounted)
	return [{ customerId, productId, kind, quantity, time, details: detailsOf(json) }];
}

export interface CustomerFields {
	purchased: string;
	cart: string;
	viewed: string;
}

export const DEFAULT_CUSTOMER_FIELDS: CustomerFields = { purchased: 'purchased_products', cart: 'cart', viewed: 'viewed_products' };

type Entry = string | { id: string; time?: number };

/**
 * Where a list of products comes from: a field the user names or an event's products (`given`);
 * a stored profile's recent views or cart lines (`profile`), where a product known by its name only
 * (Customer Profile keeps those, and views stored by an older version with no id at all) is left
 * out: it matches no product of the model, and refusing it failed every recommendation for that
 * customer.
 */
type ListSource = 'given' | 'profile';

/**
 * A list of product ids or products (see ListSource). With `lines` (an order's products, a cart's
 * lines) a product's quantity is read as Train reads it (a number >= 0, else an error naming it)
 * and a line of quantity 0 is left out (isCounted): an order line of 0 bought nothing, a cart line
 * of 0 was removed from the cart (Shopify carts/update, WooCommerce keep it at 0). A profile's cart
 * line is never refused: one whose quantity is a number at or below 0 is left out.
 */
function entries(value: unknown, field: string, from: ListSource = 'given', lines = false): Entry[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) throw new InputError(`Field "${field}" must be a list of product ids or products`, field);
	const out: Entry[] = [];
	value.forEach((v, k) => {
		const id = idOf(v);
		if (id) return void out.push(id);
		if (typeof v === 'object' && v !== null) {
			const o = v as Record<string, unknown>;
			const pid = idOf(o.product_id) ?? idOf(o.id) ?? idOf(o.sku);
			if (!pid) {
				if (from === 'profile') return;
				throw new InputError(`Field "${field}[${k}]" has no product_id`, `${field}[${k}]`);
			}
			if (lines) {
				const quantity = from === 'profile' ? (typeof o.quantity === 'number' ? Math.max(o.quantity, 0) : undefined) : quantityOf(o.quantity, `${field}[${k}].quantity`);
				if (!isCounted({ kind: 'purchase', quantity })) return;
			}
			const t = o.at ?? o.timestamp ?? o.time;
			out.push({ id: pid, time: parseTime(t, `${field}[${k}]`) });
			return;
		}
		throw new InputError(`Field "${field}[${k}]" is not a product id`, `${field}[${k}]`);
	});
	return out;
}

/**
 * Customer item → context. Reads the configured fields (purchase history, cart, views) and,
 * for CustomerProfile items, `openCart.products` and `recentViews` too (at the item's top level
 * and under `profile`, where Get Profile puts them). A canonical event as
 * the item adds its products: Order Completed/Paid → purchased (a product of quantity 0 is left out
 * and a negative quantity refused, as Train reads the order), Product Added and the cart
 * snapshots (Cart Viewed/Updated, Checkout Started/Updated/Step Completed/Abandoned, Payment Info
 * Entered) → cart (a cart line of quantity 0 was removed: left out), Product Viewed/Clicked →
 * viewed, Product Removed, Order Cancelled and Order Refunded → excluded (never recommended, no
 * seed); any other event (Product List Viewed, Products Searched, Product Updated...) adds nothing:
 * it used to add its products as viewed, so a product just removed from the cart seeded the
 * recommendations as a view and came right back. A cart line of quantity 0 in the Cart Field or a
 * profile's open cart is left out too: it is not in the cart, so it neither seeds nor is kept out of
 * the recommendations.
 */
export function customerFromItem(json: Record<string, unknown>, fields: CustomerFields = DEFAULT_CUSTOMER_FIELDS): CustomerContext {
	if (isCanonical(json)) {
		// a canonical event as the trigger: what it is about becomes the context
		const event = json as unknown as CanonicalEvent;
		const time = parseTime(event.timestamp, 'timestamp');
		const props = event.properties;
		const order = event.event === 'Order Completed' || event.event === 'Order Paid';
		const cart = event.event === 'Product Added' || CART_SNAPSHOT_EVENTS.has(event.event);
		// an order's and a cart's lines carry quantities: a line of 0 is neither bought nor in the cart
		const products = Array.isArray(props.products) ? entries(props.products, 'properties.products', 'given', order || cart).map((e) => (typeof e === 'string' ? { id: e, time } : { id: e.id, time: e.time ?? time })) : [];
		const single = idOf(props.product_id) ?? idOf(props.sku);
		if (single && !(cart && !isCounted({ kind: 'purchase', quantity: quantityOf(props.quantity, 'properties.quantity') }))) products.push({ id: single, time });
		const extra = customerFromFields(json, fields);
		if (order) return { ...extra, purchased: [...(extra.purchased ?? []), ...products] };
		if (cart) return { ...extra, cart: [...(extra.cart ?? []), ...products.map((p) => p.id)] };
		if (VIEW_EVENTS.has(event.event)) return { ...extra, viewed: [...(extra.viewed ?? []), ...products] };
		if (WITHDRAWN_EVENTS.has(event.event)) return { ...extra, excluded: products.map((p) => p.id) };
		return extra;
	}
	return customerFromFields(json, fields);
}

/**
 * A CustomerProfile's open cart and recent views, read from the item itself (a profile as the
 * item, e.g. Export for Scoring → Profiles) and from its `profile` object (what Customer Profile →
 * Get Profile adds to the item).
 */
function profileParts(json: Record<string, unknown>, cart: Entry[], viewed: Entry[]): void {
	const sources: Array<[Partial<CustomerProfile>, string]> = [[json as Partial<CustomerProfile>, '']];
	const nested = json.profile;
	if (typeof nested === 'object' && nested !== null && !Array.isArray(nested)) sources.push([nested as Partial<CustomerProfile>, 'profile.']);
	for (const [profile, prefix] of sources) {
		if (profile.openCart && Array.isArray(profile.openCart.products)) cart.push(...entries(profile.openCart.products, `${prefix}openCart.products`, 'profile', true));
		if (Array.isArray(profile.recentViews)) viewed.push(...entries(profile.recentViews, `${prefix}recentViews`, 'profile'));
	}
}

function customerFromFields(json: Record<string, unknown>, fields: CustomerFields): CustomerContext {
	const purchased = entries(readPath(json, fields.purchased), fields.purchased);
	const cart = entries(readPath(json, fields.cart), fields.cart, 'given', true);
	const viewed = entries(readPath(json, fields.viewed), fields.viewed);
	profileParts(json, cart, viewed);
	return { purchased, cart: cart.map((c) => (typeof c === 'string' ? c : c.id)), viewed };
}
