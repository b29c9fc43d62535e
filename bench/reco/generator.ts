/**
 * A seeded generator of a realistic catalogue, baskets and product views, for the
 * recommendation benchmark and the evaluation numbers in the README.
 *
 * Catalogue
 * - `categories` categories whose sizes and demand follow a Zipf law (exponent 0.8).
 * - Each product belongs to one category; its appeal inside the category is log-normal
 *   (sigma 1.2), so a few products in each category sell a lot (best sellers exist).
 * - Each product has 3 companions ("goes with"): 70% in the same category, 30% in the
 *   next category (a related department), picked uniformly, NOT by appeal. This is the
 *   structure item-to-item collaborative filtering should find and best sellers miss.
 * - Prices are log-normal around a per-category median (5 to 80).
 *
 * Customers and orders
 * - Each customer has 1 to 3 favourite categories (drawn by category demand).
 * - First item of an order: with probability 0.5 (if they bought before) a companion of
 *   one of their earlier products (cross-sell over time); else, with probability 0.85,
 *   a product of a favourite category by appeal; else any product by global appeal.
 * - Further items of the same order: with probability 0.6 a companion of an item already
 *   in the basket; else a product of a favourite category by appeal.
 * - Before each order the customer views 0 to 3 products: the ones they are about to buy
 *   (50% each) and products of the same category (browsing that did not convert).
 *
 * Backbones
 * - `synthetic`: N customers, order counts 1 + geometric (mean ~3.5), 1 to 6 lines per order,
 *   dates spread over 18 months, until exactly `lines` order lines exist.
 * - `cdnow`: the CDNOW master file (customer id, date, number of CDs, dollar value; no product
 *   ids): each transaction becomes one order with `number_of_cds` lines (capped at 8) on its
 *   date, and products are drawn by the model above (the dollar value is not used: catalogue
 *   prices come from the generator).
 *
 * PRNG: mulberry32 (public domain), seeded, so every run yields the same data.
 */
import fs from 'node:fs';
import type { Interaction } from '../../nodes/engines/reco/types';

export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface CatalogueProduct {
	product_id: string;
	name: string;
	category: string;
	price: number;
	url: string;
	image_url: string;
}

interface World {
	rnd: () => number;
	products: CatalogueProduct[];
	productCategory: Int32Array;
	companions: Int32Array; // 3 per product
	catMembers: Int32Array[];
	catCum: Float64Array[]; // cumulative appeal per category
	globalCum: Float64Array;
	catCumDemand: Float64Array;
}

const NOUNS = ['Mug', 'Lamp', 'Sneaker', 'Jacket', 'Novel', 'Headphones', 'Candle', 'Backpack', 'Watch', 'Scarf', 'Bottle', 'Notebook'];
const ADJECTIVES = ['Classic', 'Organic', 'Compact', 'Vintage', 'Everyday', 'Premium', 'Travel', 'Soft', 'Bold', 'Bright'];

function normal(rnd: () => number): number {
	const u = Math.max(rnd(), 1e-12);
	return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

function pick(cum: Float64Array, rnd: () => number): number {
	const x = rnd() * cum[cum.length - 1];
	let lo = 0;
	let hi = cum.length - 1;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (cum[mid] > x) hi = mid;
		else lo = mid + 1;
	}
	return lo;
}

function makeWorld(productCount: number, seed: number, categories = Math.max(8, Math.round(productCount / 400))): World {
	const rnd = mulberry32(seed);
	const demand = Float64Array.from({ length: categories }, (_, c) => 1 / Math.pow(c + 1, 0.8));
	const catCumDemand = new Float64Array(categories);
	demand.reduce((s, d, c) => (catCumDemand[c] = s + d), 0);
	const productCategory = new Int32Array(productCount);
	const appeal = new Float64Array(productCount);
	const members: number[][] = Array.from({ length: categories }, () => []);
	const medians = Array.from({ length: categories }, () => 5 + rnd() * 75);
	const products: CatalogueProduct[] = [];
	for (let p = 0; p < productCount; p++) {
		const c = p < categories ? p : pick(catCumDemand, rnd);
		productCategory[p] = c;
		members[c].push(p);
		appeal[p] = Math.exp(1.2 * normal(rnd));
		const id = `P${String(p).padStart(6, '0')}`;
		products.push({
			product_id: id,
			name: `${ADJECTIVES[p % ADJECTIVES.length]} ${NOUNS[(p >> 3) % NOUNS.length]} ${p}`,
			category: `Category ${String(c + 1).padStart(2, '0')}`,
			price: Math.round(medians[c] * Math.exp(0.4 * normal(rnd)) * 100) / 100,
			url: `https://shop.example.com/products/${id.toLowerCase()}`,
			image_url: `https://cdn.example.com/products/${id.toLowerCase()}.jpg`,
		});
	}
	const catMembers = members.map((m) => Int32Array.from(m));
	const catCum = catMembers.map((m) => {
		const cum = new Float64Array(m.length);
		let s = 0;
		m.forEach((p, i) => (cum[i] = s += appeal[p]));
		return cum;
	});
	const globalCum = new Float64Array(productCount);
	let s = 0;
	for (let p = 0; p < productCount; p++) globalCum[p] = s += appeal[p];
	const companions = new Int32Array(productCount * 3);
	for (let p = 0; p < productCount; p++) {
		for (let k = 0; k < 3; k++) {
			const c = rnd() < 0.7 ? productCategory[p] : (productCategory[p] + 1) % categories;
			const m = catMembers[c];
			let q = m[Math.floor(rnd() * m.length)];
			if (q === p) q = m[(m.indexOf(p) + 1) % m.length];
			companions[p * 3 + k] = q;
		}
	}
	return { rnd, products, productCategory, companions, catMembers, catCum, globalCum, catCumDemand };
}

interface Shopper {
	favourites: number[];
	bought: number[];
}

function newShopper(world: World): Shopper {
	const k = 1 + Math.floor(world.rnd() * 3);
	const favourites: number[] = [];
	for (let i = 0; i < k; i++) favourites.push(pick(world.catCumDemand, world.rnd));
	return { favourites, bought: [] };
}

function fromCategory(world: World, c: number): number {
	return world.catMembers[c][pick(world.catCum[c], world.rnd)];
}

/** One order's products, and the views before it. */
function basket(world: World, shopper: Shopper, size: number): { items: number[]; views: number[] } {
	const { rnd, companions } = world;
	const items: number[] = [];
	const favourite = (): number => fromCategory(world, shopper.favourites[Math.floor(rnd() * shopper.favourites.length)]);
	let first: number;
	if (shopper.bought.length > 0 && rnd() < 0.5) {
		first = companions[shopper.bought[Math.floor(rnd() * shopper.bought.length)] * 3 + Math.floor(rnd() * 3)];
	} else if (rnd() < 0.85) first = favourite();
	else first = pick(world.globalCum, rnd);
	items.push(first);
	for (let i = 1; i < size; i++) {
		const next = rnd() < 0.6 ? companions[items[Math.floor(rnd() * items.length)] * 3 + Math.floor(rnd() * 3)] : favourite();
		items.push(next);
	}
	const views: number[] = [];
	const nViews = Math.floor(rnd() * 4);
	for (let v = 0; v < nViews; v++) {
		views.push(rnd() < 0.5 ? items[Math.floor(rnd() * items.length)] : fromCategory(world, world.productCategory[items[0]]));
	}
	for (const p of items) shopper.bought.push(p);
	return { items, views };
}

export interface GeneratedData {
	catalogue: CatalogueProduct[];
	/** Order lines and views, in time order per customer. */
	interactions: Interaction[];
	orderLines: number;
	customers: number;
}

function line(world: World, customerId: string, p: number, time: number, kind: 'purchase' | 'view', price?: number, withDetails = true): Interaction {
	const product = world.products[p];
	return {
		customerId,
		productId: product.product_id,
		kind,
		quantity: kind === 'purchase' ? 1 : undefined,
		time,
		details: withDetails ? { name: product.name, category: product.category, price: price ?? product.price, url: product.url, image_url: product.image_url } : undefined,
	};
}

export function synthetic(options: { customers: number; products: number; lines: number; seed?: number; details?: boolean }): GeneratedData {
	const world = makeWorld(options.products, options.seed ?? 42);
	const { rnd } = world;
	const start = Date.UTC(2025, 0, 1);
	const span = 540 * 86_400_000;
	const shoppers = Array.from({ length: options.customers }, () => newShopper(world));
	const clocks = Float64Array.from({ length: options.customers }, () => start + rnd() * span * 0.5);
	const interactions: Interaction[] = [];
	let lines = 0;
	const withDetails = options.details ?? true;
	const order = (c: number): void => {
		const size = 1 + Math.min(5, Math.floor(-Math.log(Math.max(rnd(), 1e-12)) * 1.3));
		const { items, views } = basket(world, shoppers[c], size);
		const t = (clocks[c] += 1 + rnd() * 60 * 86_400_000);
		const id = `C${c}`;
		for (const v of views) interactions.push(line(world, id, v, t - rnd() * 3_600_000, 'view', undefined, withDetails));
		for (const p of items) {
			if (lines >= options.lines) return;
			interactions.push(line(world, id, p, t, 'purchase', undefined, withDetails));
			lines++;
		}
	};
	// everyone orders at least once; then 1 + geometric more orders, then top up at random
	for (let c = 0; c < options.customers && lines < options.lines; c++) {
		order(c);
		while (rnd() < 0.6 && lines < options.lines) order(c);
	}
	while (lines < options.lines) order(Math.floor(rnd() * options.customers));
	return { catalogue: world.products, interactions, orderLines: lines, customers: options.customers };
}

/** CDNOW transactions as the backbone (customers, dates, number of CDs, dollar value). */
export function cdnow(file: string, options: { products: number; seed?: number }): GeneratedData {
	const world = makeWorld(options.products, options.seed ?? 7);
	const rows = fs
		.readFileSync(file, 'utf8')
		.split(/\r?\n/)
		.map((l) => l.trim().split(/\s+/))
		.filter((f) => f.length === 4 && /^\d+$/.test(f[0]) && /^\d{8}$/.test(f[1]));
	const shoppers = new Map<string, Shopper>();
	const interactions: Interaction[] = [];
	let lines = 0;
	for (const [customer, date, cds] of rows) {
		let shopper = shoppers.get(customer);
		if (!shopper) shoppers.set(customer, (shopper = newShopper(world)));
		const count = Math.max(1, Math.min(8, Number(cds)));
		const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)), 12);
		const { items, views } = basket(world, shopper, count);
		for (const v of views) interactions.push(line(world, customer, v, t - 3_600_000, 'view'));
		for (const p of items) {
			interactions.push(line(world, customer, p, t, 'purchase'));
			lines++;
		}
	}
	return { catalogue: world.products, interactions, orderLines: lines, customers: shoppers.size };
}
