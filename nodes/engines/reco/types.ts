/**
 * Item-to-item recommendations: shared types of the training, recommending and
 * evaluation engines. Plain TypeScript, nothing from n8n.
 */

/** Similarity between two products' customer vectors. See `similarity.ts`. */
export type SimilarityKind = 'llr' | 'cosine' | 'jaccard';

/** Product details carried by the model (joined into recommendations). */
export interface ProductDetails {
	name?: string;
	price?: number;
	url?: string;
	image_url?: string;
	category?: string;
	[key: string]: unknown;
}

/** One interaction: an order line (purchase) or a product view. */
export interface Interaction {
	customerId: string;
	productId: string;
	/** 'purchase' (order line, default) or 'view'. */
	kind?: 'purchase' | 'view';
	/** Quantity bought (only used for best-seller counts; similarity is per distinct buyer). A purchase of quantity 0 or less is left out. */
	quantity?: number;
	/** Epoch milliseconds; NaN or undefined when unknown (no time decay for that line). */
	time?: number;
	details?: ProductDetails;
}

export interface TrainOptions {
	similarity?: SimilarityKind;
	/** Neighbours kept per product. Default 20. */
	neighbors?: number;
	/** Half-life of the time decay in days; 0 turns decay off. Default 0. */
	halfLifeDays?: number;
	/** Reference time for the decay (epoch ms). Default: the latest interaction time. */
	asOf?: number;
	/** Weight of a product view relative to a purchase (0..1). Default 0.3. */
	viewWeight?: number;
	/** Only the most recent (highest weighted) products per customer count towards co-occurrence. Default 200. */
	maxProductsPerCustomer?: number;
	/** A pair must be shared by at least this many customers to become neighbours. Default 2. */
	minSupport?: number;
	/** Best sellers kept overall. Default 100. */
	bestSellers?: number;
	/** Best sellers kept per category. Default 20. */
	bestSellersPerCategory?: number;
}

/** The model as plain JSON: what a workflow stores and feeds back. */
export interface RecoModelJson {
	kind: 'pz-reco-model';
	version: 1;
	trainedAt: string;
	similarity: SimilarityKind;
	params: Required<Omit<TrainOptions, 'asOf'>> & { asOf: string | null };
	stats: {
		interactions: number;
		purchases: number;
		views: number;
		customers: number;
		products: number;
		/** Products with at least one neighbour. */
		productsWithNeighbors: number;
		neighborLinks: number;
	};
	/** Best sellers overall, most popular first (product ids). */
	bestSellers: string[];
	/** Best sellers per category, most popular first. */
	bestSellersByCategory: Record<string, string[]>;
	products: ModelProductJson[];
}

export interface ModelProductJson extends ProductDetails {
	product_id: string;
	/** Distinct buyers (time-decayed when decay is on). */
	buyers: number;
	/** Units sold. */
	units: number;
	/**
	 * Neighbours, most similar first: [product_id, similarity], or [product_id, similarity, boughtShare]
	 * when views made part of the link: boughtShare (0..1, below 1) is the share of the pair's
	 * co-occurrence weight from customers who bought both products; the rest came from customers who
	 * viewed one or both. Without it, the link is purchases only (or the model predates the share).
	 */
	neighbors: Array<[string, number] | [string, number, number]>;
}

/** What we know about one customer when recommending. */
export interface CustomerContext {
	/** Bought products, any order; `time` (epoch ms) lets the most recent count most. */
	purchased?: Array<string | { id: string; time?: number }>;
	/** Products in the open cart. */
	cart?: string[];
	/** Viewed products; `time` lets the most recent count most. */
	viewed?: Array<string | { id: string; time?: number }>;
	/** Products taken back (removed from the cart, an order cancelled or refunded): never recommended, no seed. */
	excluded?: string[];
}

export type ReasonCode = 'bought_together' | 'viewed_together' | 'similar_to_viewed' | 'popular_in_category' | 'best_seller';

export interface Recommendation extends ProductDetails {
	product_id: string;
	rank: number;
	score: number;
	reason: string;
	reason_code: ReasonCode;
	because_product_id?: string;
}

export interface RecommendOptions {
	/** How many products. Default 6. */
	count?: number;
	/** Also leave out products the customer viewed. Default false. */
	excludeViewed?: boolean;
	/** Fill with best sellers when the model finds too few: per category first, then overall. Default 'category'. */
	fill?: 'category' | 'overall' | 'none';
	/** At most this many recent purchases and views are used as seeds. Default 20 each. */
	maxSeeds?: number;
	/** Seed weight of a viewed product relative to a purchase. Default 0.5. */
	viewSeedWeight?: number;
	/** Seed weight of a cart product relative to a purchase. Default 1.5. */
	cartSeedWeight?: number;
	/** Catalogue details that override the model's (by product id). */
	catalogue?: Map<string, ProductDetails>;
	/** Only recommend products present in `catalogue` (e.g. in stock). Default false. */
	onlyCatalogue?: boolean;
	/** Products never recommended (e.g. out of stock in the catalogue); they still seed as bought, carted or viewed products. */
	unavailable?: ReadonlySet<string>;
}
