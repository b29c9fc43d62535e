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

const cache = new Map<string, string>();

export function addUtm(url: unknown, params: Record<string, string | undefined>): string {
	if (url === undefined || url === null) return '';
	const text = String(url).trim();
	const key = `${text}\u0000${params.utm_source}\u0000${params.utm_medium}\u0000${params.utm_campaign}\u0000${params.utm_content}`;
	const hit = cache.get(key);
	if (hit !== undefined) return hit;
	const result = withUtm(text, url, params);
	if (cache.size >= 5000) cache.clear();
	cache.set(key, result);
	return result;
}

function withUtm(text: string, url: unknown, params: Record<string, string | undefined>): string {
	if (!/^https?:\/\//i.test(text)) return String(url);
	let parsed: URL;
	try {
		parsed = new URL(text);
	} catch {
		return String(url);
	}
	for (const [key, value] of Object.entries(params)) {
		if (value && !parsed.searchParams.has(key)) parsed.searchParams.append(key, value);
	}
	return parsed.toString();
}

export function utmFilters(defaults: UtmDefaults) {
	return {
		utm(url: unknown, campaign?: unknown, source?: unknown, medium?: unknown, content?: unknown): string {
			const str = (v: unknown, d?: string) => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : d);
			return addUtm(url, {
				utm_source: str(source, defaults.source ?? 'email'),
				utm_medium: str(medium, defaults.medium ?? 'email'),
				utm_campaign: str(campaign, defaults.campaign),
				utm_content: str(content),
			});
		},
	};
}
