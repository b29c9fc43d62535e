/**
 * The one canonical event shape shared by every node of this package.
 *
 * It follows the Segment spec (https://segment.com/docs/connections/spec/) and its
 * e-commerce v2 property names, so events from any store, CDP or ESP look alike to
 * every consumer (profile store, segments, rendering, dispatch attribution).
 *
 * The same shape is published as JSON Schema in `canonical-event.schema.json`.
 */

/** Segment call types that we emit. */
export type CanonicalEventType = 'track' | 'identify' | 'page';

/** Canonical e-commerce and engagement event names (Segment e-commerce v2 and email spec). */
export const ECOMMERCE_EVENTS = [
	'Products Searched',
	'Product List Viewed',
	'Product Viewed',
	'Product Clicked',
	'Product Added',
	'Product Removed',
	'Cart Viewed',
	'Checkout Started',
	'Checkout Step Completed',
	'Payment Info Entered',
	'Order Completed',
	'Order Updated',
	'Order Paid',
	'Order Cancelled',
	'Order Refunded',
	'Coupon Applied',
	'Signed Up',
	'Customer Updated',
	'Product Updated',
	// Added by the events work (store topics Segment's spec has no name for):
	'Cart Updated',
	'Checkout Updated',
	'Checkout Abandoned',
	'Customer Deleted',
] as const;

/**
 * Events whose `properties.products` is the whole cart as it stands (not one line added or
 * removed): the profile keeps the newest as the open cart, and Recommend Products reads their
 * products as in the cart. Shopify `carts/*` and `checkouts/update`, and Stripe's expired checkout
 * session, are among them.
 */
export const CART_SNAPSHOT_EVENTS: ReadonlySet<string> = new Set([
	'Cart Viewed',
	'Cart Updated',
	'Checkout Started',
	'Checkout Updated',
	'Checkout Step Completed',
	'Payment Info Entered',
	'Checkout Abandoned',
]);

export const ENGAGEMENT_EVENTS = [
	'Email Sent',
	'Email Delivered',
	'Email Opened',
	'Email Link Clicked',
	'Email Bounced',
	'Email Dropped',
	'Email Marked as Spam',
	'Unsubscribed',
	// Added by the events work (Postmark SubscriptionChange with SuppressSending false):
	'Resubscribed',
] as const;

const CANONICAL_BY_KEY: ReadonlyMap<string, string> = new Map([...ECOMMERCE_EVENTS, ...ENGAGEMENT_EVENTS].map((name) => [name.toLowerCase(), name]));

/**
 * A name typed by a user (a node parameter) as the canonical event it means: trimmed, and a known
 * canonical name written in another case in its canonical spelling ("order completed" → "Order
 * Completed"). Any other name is returned trimmed, as written (custom events keep their case).
 */
export function canonicalEventName(name: string): string {
	const trimmed = name.trim();
	return CANONICAL_BY_KEY.get(trimmed.toLowerCase()) ?? trimmed;
}

export type EcommerceEventName = (typeof ECOMMERCE_EVENTS)[number];
export type EngagementEventName = (typeof ENGAGEMENT_EVENTS)[number];
/** Known names, plus `Unknown` for pass-through events and any custom string. */
export type CanonicalEventName = EcommerceEventName | EngagementEventName | 'Unknown' | (string & {});

/** A product line, Segment e-commerce v2 property names. */
export interface CanonicalProduct {
	product_id?: string;
	sku?: string;
	name?: string;
	/** Unit price in major units (e.g. 19.99). */
	price?: number;
	quantity?: number;
	category?: string;
	brand?: string;
	variant?: string;
	url?: string;
	image_url?: string;
	position?: number;
	[key: string]: unknown;
}

/** Event properties, Segment e-commerce v2 names where they exist. */
export interface CanonicalProperties {
	order_id?: string;
	cart_id?: string;
	checkout_id?: string;
	/** Value of the event in major units. */
	value?: number;
	/** Order total in major units (after discounts, incl. tax and shipping). */
	total?: number;
	/** Revenue in major units (excl. tax and shipping). */
	revenue?: number;
	subtotal?: number;
	shipping?: number;
	tax?: number;
	discount?: number;
	coupon?: string;
	/** ISO 4217 code, upper case. */
	currency?: string;
	products?: CanonicalProduct[];
	/** Link that restores the cart or checkout (cart-recovery emails). */
	recovery_url?: string;
	query?: string;
	/** Email engagement: the message, campaign and variant that the dispatch node tagged. */
	email_id?: string;
	campaign_id?: string;
	variant?: string;
	segment?: string;
	/** A/B experiment the message belonged to (attribution key pz_experiment_id). */
	experiment_id?: string;
	link_url?: string;
	reason?: string;
	[key: string]: unknown;
}

export interface CanonicalContext {
	/** The source the event came from, e.g. `shopify`, `sendgrid`. */
	source: string;
	/** The source's own topic or event type, e.g. `checkouts/update`. */
	topic?: string;
	ip?: string;
	userAgent?: string;
	traits?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface CanonicalEvent {
	type: CanonicalEventType;
	/** Event name; for `identify` calls `Identify`, for `page` calls `Page Viewed` unless named. */
	event: CanonicalEventName;
	/** Stable id of the event: the source's delivery/event id, or a content hash. Used for de-duplication. */
	messageId: string;
	/** When the event happened, ISO-8601 UTC (`2024-01-01T12:00:00.000Z`). */
	timestamp: string;
	/** When we received it, ISO-8601 UTC. */
	receivedAt: string;
	userId?: string | null;
	anonymousId?: string | null;
	/** Trimmed and lower-cased. */
	email?: string | null;
	properties: CanonicalProperties;
	/** Identify traits (first_name, last_name, phone, birthday…). */
	traits?: Record<string, unknown>;
	context: CanonicalContext;
	/** The raw payload, kept only when the user asks for it (or for `Unknown` events). */
	raw?: unknown;
}
