/**
 * `utm`: adds campaign parameters to a link, keeping its other parameters and any utm_* it
 * already has.
 *   {{ product.url | utm }}                                   → node defaults (source/medium/campaign)
 *   {{ product.url | utm: "spring_sale" }}                    → utm_campaign=spring_sale
 *   {{ product.url | utm: "spring_sale", "newsletter", "email", "hero" }} → campaign, source, medium, content
 * Non-http(s) links (mailto:, tel:, relative, Liquid-less garbage) are returned unchanged.
 */
export interface UtmDefaults {
	source?: string;
	medium?: string;
	campaign?: string;
}

/**
 * Results by link, then source, medium, campaign, content (nested maps: no key string is built per
 * call, and a missing parameter never collides with the text "undefined"). Bounded: cleared past
 * 5,000 results.
 */
type Level<T> = Map<string | undefined, T>;
const cache = new Map<string, Level<Level<Level<Level<string>>>>>();
let entries = 0;

const PARAMS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content'] as const;

export function addUtm(url: unknown, params: Record<string, string | undefined>): string {
	if (url === undefined || url === null) return '';
	return addUtmParts(String(url), params.utm_source, params.utm_medium, params.utm_campaign, params.utm_content);
}

function addUtmParts(raw: string, source: string | undefined, medium: string | undefined, campaign: string | undefined, content: string | undefined): string {
	if (entries >= 5000) {
		cache.clear();
		entries = 0;
	}
	let bySource = cache.get(raw);
	if (bySource === undefined) cache.set(raw, (bySource = new Map()));
	let byMedium = bySource.get(source);
	if (byMedium === undefined) bySource.set(source, (byMedium = new Map()));
	let byCampaign = byMedium.get(medium);
	if (byCampaign === undefined) byMedium.set(medium, (byCampaign = new Map()));
	let byContent = byCampaign.get(campaign);
	if (byContent === undefined) byCampaign.set(campaign, (byContent = new Map()));
	let hit = byContent.get(content);
	if (hit === undefined) {
		const values = [source, medium, campaign, content];
		const params: Record<string, string | undefined> = {};
		for (let i = 0; i < PARAMS.length; i++) params[PARAMS[i]] = values[i];
		hit = withUtm(raw.trim(), raw, params);
		byContent.set(content, hit);
		entries++;
	}
	return hit;
}

/**
 * The link as written with the missing utm_* pairs appended to its query (before any #fragment):
 * the query text it has is kept byte for byte (`%20`, `;`, Mailgun's `%recipient.x%`, keys without
 * `=`), never re-encoded by URLSearchParams; an utm_* key it already has is kept, not replaced.
 */
function withUtm(text: string, url: unknown, params: Record<string, string | undefined>): string {
	if (!/^https?:\/\//i.test(text)) return String(url);
	let parsed: URL;
	try {
		parsed = new URL(text);
	} catch {
		return String(url);
	}
	const added = new URLSearchParams();
	for (const [key, value] of Object.entries(params)) {
		if (value && !parsed.searchParams.has(key)) added.append(key, value);
	}
	const pairs = added.toString();
	if (!pairs) return text;
	const hash = text.indexOf('#');
	const head = hash < 0 ? text : text.slice(0, hash);
	const fragment = hash < 0 ? '' : text.slice(hash);
	const query = head.indexOf('?');
	const sep = query < 0 ? '?' : query === head.length - 1 || head.endsWith('&') ? '' : '&';
	return `${head}${sep}${pairs}${fragment}`;
}

const str = (v: unknown, d?: string): string | undefined => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : d);

export function utmFilters(defaults: UtmDefaults) {
	const source = defaults.source ?? 'email';
	const medium = defaults.medium ?? 'email';
	return {
		utm(url: unknown, campaign?: unknown, sourceArg?: unknown, mediumArg?: unknown, content?: unknown): string {
			if (url === undefined || url === null) return '';
			return addUtmParts(String(url), str(sourceArg, source), str(mediumArg, medium), str(campaign, defaults.campaign), str(content));
		},
	};
}
