/**
 * The one customer profile shape shared by every node of this package:
 * what the profile store keeps, what segments/scoring read, what templates render.
 */

export interface ProfileCartLine {
	product_id?: string;
	sku?: string;
	name?: string;
	price?: number;
	quantity?: number;
	url?: string;
	image_url?: string;
	category?: string;
}

export interface ProfileOpenCart {
	cart_id?: string;
	checkout_id?: string;
	/** Cart value in major units. */
	value?: number;
	currency?: string;
	recovery_url?: string;
	products: ProfileCartLine[];
	/** When the cart/checkout was last updated, ISO-8601 UTC. */
	updatedAt: string;
}

export interface ProfileProductView {
	product_id?: string;
	/** The product's sku (the only id of a WooCommerce or custom event without product_id). */
	sku?: string;
	name?: string;
	price?: number;
	url?: string;
	image_url?: string;
	category?: string;
	at: string;
}

export interface ProfileEngagement {
	delivered_30d: number;
	opened_30d: number;
	clicked_30d: number;
	delivered_90d: number;
	opened_90d: number;
	clicked_90d: number;
	last_open_at?: string | null;
	last_click_at?: string | null;
}

/**
 * One subscription scope of a profile: what an `Unsubscribed` / `Resubscribed` event concerned.
 * `global` (the event named no narrower scope), a SendGrid unsubscribe group, a Postmark message
 * stream, an Amazon SES contact list or one of its topics; `legacy` is an unsubscribe stored before
 * scopes were kept (its scope is unknown, so no Resubscribed lifts it).
 */
export interface ProfileSubscription {
	scope: 'global' | 'sendgrid_group' | 'postmark_stream' | 'ses_contact_list' | 'ses_topic' | 'legacy';
	/** SendGrid `asm_group_id`. */
	group?: string;
	/** Postmark `MessageStream`. */
	stream?: string;
	/** SES contact list (for `ses_contact_list` and `ses_topic`). */
	contactList?: string;
	/** SES topic. */
	topic?: string;
	/** Unsubscribed now: its latest Unsubscribed is not older than its latest Resubscribed. */
	unsubscribed: boolean;
	unsubscribedAt: string | null;
	resubscribedAt: string | null;
	/**
	 * Get Profile only: the scope's unsubscribe is recorded on this other profile at the same address
	 * (see `addressSuppression`), not on this one. Absent: the profile's own.
	 */
	profileId?: string;
}

/**
 * Get Profile only, present when another profile at the address (the profile's email, or the address
 * it was looked up by) or an erased customer's kept record of it holds a suppression flag: which
 * flags they hold, the other profiles' ids, and whether an erased customer's record does. The
 * profile's own `unsubscribed` / `bounced` / `complained` include them (as Check Suppression does).
 */
export interface AddressSuppression {
	unsubscribed: boolean;
	bounced: boolean;
	complained: boolean;
	profileIds: string[];
	erasedCustomer: boolean;
}

export interface CustomerProfile {
	/** Internal profile id (stable across identity merges). */
	profileId: string;
	userId?: string | null;
	email?: string | null;
	/** The newest 100 anonymous ids of this profile, sorted (every older one still finds the profile). */
	anonymousIds: string[];
	firstSeenAt: string;
	/** The latest event of any kind, including what the ESP reports about our own emails (Email Sent, Delivered, Bounced…). */
	lastSeenAt: string;
	/**
	 * The latest event the customer did: `lastSeenAt` without our sends' delivery reports, machine
	 * opens, subscription changes and what the shop does to an order (see isCustomerActivity);
	 * null when the customer did nothing yet. A profile stored before the field: the lastSeenAt it had
	 * then (later deliveries no longer move it).
	 */
	lastActiveAt: string | null;
	ordersCount: number;
	/** Total spent per ISO currency, in integer minor units (cents). */
	totalSpentMinor: Record<string, number>;
	lastOrderAt?: string | null;
	firstOrderAt?: string | null;
	openCart?: ProfileOpenCart | null;
	recentViews: ProfileProductView[];
	recentSearches: string[];
	engagement: ProfileEngagement;
	/**
	 * Unsubscribed from any scope (see `subscriptions`). In Get Profile, also when another profile at
	 * the address is, or an erased customer at it was (see `addressSuppression`).
	 */
	unsubscribed: boolean;
	/** Per-scope detail, sorted; present once the profile has an Unsubscribed or Resubscribed event (or an older unsubscribe). */
	subscriptions?: ProfileSubscription[];
	/** `email` (the current address) has a hard bounce / a spam complaint, recorded on this or any profile. */
	bounced: boolean;
	complained: boolean;
	/** Get Profile: the flags that other profiles at the address (or an erased customer's record) hold. */
	addressSuppression?: AddressSuppression;
	traits: Record<string, unknown>;
}

export function emptyEngagement(): ProfileEngagement {
	return {
		delivered_30d: 0,
		opened_30d: 0,
		clicked_30d: 0,
		delivered_90d: 0,
		opened_90d: 0,
		clicked_90d: 0,
		last_open_at: null,
		last_click_at: null,
	};
}
