/**
 * liquidjs engines: one for HTML (outputs HTML-escaped unless `| raw`), one for plain text
 * (subject, preheader). Templates and partials resolve from memory only (`templates`), never
 * from the filesystem. Limits make a runaway loop fail one recipient quickly.
 */
import { filters as builtinFilters, Liquid, Tag, type Context, type Emitter, type TagToken, type TopLevelToken } from 'liquidjs';
import { installSyncRenderer } from './fastpath';
import { marketingFilters } from './filters';
import { liquidDateFilters } from './filters/date';
import type { LiquidSettings } from './types';

export const DEFAULT_LIMITS = { renderLimitMs: 500, parseLimit: 1_000_000, memoryLimit: 10_000_000 };

export interface Engines {
	html: Liquid;
	text: Liquid;
	/**
	 * The Preheader parameter: HTML text written by the marketer (`&zwnj;&nbsp;` padding and other
	 * references allowed), its values always HTML-escaped (the preview line is text; with Escape HTML
	 * in Values off too). The HTML engine when it escapes.
	 */
	preview: Liquid;
	settings: Required<Omit<LiquidSettings, 'utm'>> & { utm: NonNullable<LiquidSettings['utm']> };
}

/** Per-render state the `pz_shown` marker writes into (passed as the `__pz` global). */
export interface RenderState {
	shown: string[];
	rules: Record<string, boolean>;
	subject: string;
	preheader: string;
	/** `<base>` tags the template's static HTML wrote in this render (fastpath.ts countBaseWrites). */
	bases?: number;
	/** URL values from the data the URL guard replaced by `#` for their scheme, in this render: where (urlPlace) and the scheme. */
	guarded?: Array<{ place?: string; scheme: string }>;
}

/** `{% pz_shown "block" %}`: records that a block rendered; outputs nothing. */
class ShownTag extends Tag {
	private block: string;
	constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
		super(token, remain, liquid);
		this.block = token.args.trim().replace(/^["']|["']$/g, '');
	}
	render(ctx: Context, _emitter: Emitter): void {
		const state = (ctx.globals as { __pz?: RenderState }).__pz;
		if (state && !state.shown.includes(this.block)) state.shown.push(this.block);
	}
}

/** liquidjs filters whose result is HTML-escaped text (no raw `<`, `>`, `"`, `'`; `&` only in a reference). */
const ESCAPING_FILTERS = ['escape', 'escape_once', 'xml_escape'] as const;

export function resolveSettings(s: LiquidSettings = {}): Engines['settings'] {
	return {
		escapeHtml: s.escapeHtml ?? true,
		strict: s.strict ?? false,
		locale: s.locale || 'en-US',
		timeZone: s.timeZone || 'UTC',
		currency: (s.currency || 'USD').toUpperCase(),
		utm: s.utm ?? {},
		renderLimitMs: positive(s.renderLimitMs, DEFAULT_LIMITS.renderLimitMs),
		parseLimit: positive(s.parseLimit, DEFAULT_LIMITS.parseLimit),
		memoryLimit: positive(s.memoryLimit, DEFAULT_LIMITS.memoryLimit),
	};
}

function positive(v: number | undefined, d: number): number {
	return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d;
}

/**
 * The options every recipient would otherwise fail on (or that would be silently replaced), checked
 * once per compile and by Lint (check `settings`), each named by the option the editor shows: a
 * locale Intl refuses or does not know (`en_US`, `xx`), a currency that is not an ISO 4217 code
 * (`EURO`), a limit that is not a number above 0 (before: the default was used silently).
 */
function checkSettings(input: LiquidSettings, settings: Engines['settings']): void {
	let known: string[] = [];
	try {
		known = Intl.NumberFormat.supportedLocalesOf(settings.locale);
	} catch {
		// a malformed tag: reported below
	}
	if (!known.length) {
		throw new Error(`Locale "${settings.locale}" is not a locale this server knows: write a BCP 47 tag with a hyphen, such as "en-US" or "fr-FR"`);
	}
	try {
		new Intl.NumberFormat('en-US', { style: 'currency', currency: settings.currency });
	} catch {
		throw new Error(`Currency "${settings.currency}" is not an ISO 4217 code: write three letters, such as "USD" or "EUR"`);
	}
	const limits: Array<[keyof LiquidSettings, string]> = [
		['renderLimitMs', 'Render Time Limit (Ms)'],
		['memoryLimit', 'Memory Limit'],
		['parseLimit', 'Parse Limit'],
	];
	for (const [key, label] of limits) {
		const v = input[key];
		if (v !== undefined && v !== null && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) {
			throw new Error(`${label} must be a number above 0 (got ${JSON.stringify(v)}); leave it out for the default`);
		}
	}
}

export function createEngines(input: LiquidSettings = {}, partials: Record<string, string> = {}): Engines {
	const settings = resolveSettings(input);
	try {
		new Intl.DateTimeFormat('en-US', { timeZone: settings.timeZone });
	} catch {
		throw new Error(`Unknown time zone "${settings.timeZone}": use an IANA name such as "Europe/Paris" or "UTC"`);
	}
	checkSettings(input, settings);
	const make = (escape: boolean): Liquid => {
		const engine = new Liquid({
			templates: partials,
			strictVariables: settings.strict,
			strictFilters: true,
			lenientIf: true,
			ownPropertyOnly: true,
			outputEscape: escape ? 'escape' : undefined,
			timezoneOffset: settings.timeZone,
			parseLimit: settings.parseLimit,
			renderLimit: settings.renderLimitMs,
			memoryLimit: settings.memoryLimit,
			cache: false,
		});
		for (const [name, fn] of Object.entries(marketingFilters({ ...settings, utm: settings.utm }))) engine.registerFilter(name, fn);
		for (const [name, fn] of Object.entries(liquidDateFilters())) engine.registerFilter(name, fn);
		// An explicit `| escape` / `| escape_once` / `| xml_escape` last (the Shopify habit: Shopify
		// escapes nothing itself) is the output escape: marked raw, so liquidjs does not escape its
		// result again (`&amp;amp;`). Its output is escaped HTML either way.
		if (escape) for (const name of ESCAPING_FILTERS) engine.registerFilter(name, { handler: builtinFilters[name] as never, raw: true });
		// the Preheader parameter as rendered HTML (its values escaped as the body's), written as it is in the preview div
		engine.registerFilter('pz_html', { handler: (v: unknown) => v, raw: true });
		engine.registerTag('pz_shown', ShownTag);
		installSyncRenderer(engine);
		return engine;
	};
	const html = make(settings.escapeHtml);
	return { html, text: make(false), preview: settings.escapeHtml ? html : make(true), settings };
}

/** Turns a liquidjs error into one sentence a marketer can act on. */
export function explainLiquidError(error: unknown, settings: Engines['settings']): string {
	const e = error as Error & { originalError?: Error };
	const message = String(e?.message ?? error);
	const inner = String(e?.originalError?.message ?? '');
	const all = `${message} ${inner}`;
	if (/template render limit exceeded/i.test(all)) {
		return `Rendering stopped after ${settings.renderLimitMs} ms (render limit): a loop or range runs too long. Bound the loop (for … limit: 10) or raise "Render Time Limit"`;
	}
	if (/memory alloc limit exceeded/i.test(all)) {
		return `Rendering stopped by the memory limit (${settings.memoryLimit.toLocaleString('en-US')} allocations): a huge range or join, or output that grows too large (the rendered subject, preheader and HTML count toward it), exceeded it. Bound the loop or raise "Memory Limit"`;
	}
	if (/parse length limit exceeded/i.test(all)) {
		return `The template is longer than the parse limit (${settings.parseLimit.toLocaleString('en-US')} characters)`;
	}
	const undef = /undefined variable: ([^\s,]+)/.exec(all);
	if (undef) {
		return `Missing value "${undef[1]}" (strict mode): add it to the data or to Defaults, or write {{ ${undef[1]} | default: "…" }}`;
	}
	return message.replace(/, file:[^,]*/g, '');
}
