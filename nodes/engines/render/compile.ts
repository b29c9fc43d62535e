/**
 * Compile once, render per recipient.
 *
 * compileTemplate(): block library inlined (rules, fallbacks), Liquid syntax checked with source
 * lines, MJML compiled once with the Liquid protected (mjml.ts), the result parsed by liquidjs
 * once. Cached by content hash (bounded LRU) across items and executions.
 *
 * renderCompiled(): synchronous and cheap: structured rules, three liquidjs renders (subject,
 * preheader, HTML) on the already compiled HTML, text part, size and warnings.
 */
import { createHash } from 'node:crypto';
import { Context, TagToken, Tokenizer, toValueSync, type Template } from 'liquidjs';
import { evaluateBlockRules, expandBlocks, normalizeBlocks } from './blocks';
import { emptyImageSrcFinding, GMAIL_CLIP_BYTES, hasLiquidImageSrc, htmlFindings, inspectHtml, mayHaveUnsubscribeLink, unresolvedFinding, unsafeUrlFinding, unsubscribeFinding } from './checks';
import { createEngines, explainLiquidError, type Engines, type RenderState } from './liquid';
import { countBaseWrites, DualEmitter, optimizeTemplates, partEmitter, planCovers } from './fastpath';
import { compileMjml, type Origin } from './mjml';
import { describe as describeLocation, lineColumn, scanLiquid, type SourceMap } from './source';
import { compileTextPlan, finalizeText, htmlToText, INVISIBLE_CHARS, type PlanToken, type TextPlan } from './text';
import { urlOutputs, UrlGuardRefusal, type UrlPlan } from './urls';
import type { Finding, RenderResult, StructuredRule, TemplateInput } from './types';
import { TemplateError } from './types';

export interface CompiledTemplate {
	key: string;
	format: TemplateInput['format'];
	engines: Engines;
	html: Template[];
	subject: Template[];
	preheader: Template[];
	/** The compiled HTML with Liquid in it (what is rendered per recipient). */
	liquidHtml: string;
	structured: Map<string, StructuredRule[]>;
	blocksUsed: string[];
	hasPreheader: boolean;
	/** The template writes its own preview line (an `<mj-preview>`, or an HTML element of class `preheader`, with content): reported as `preheader`. */
	ownPreview?: 'mjml' | 'html';
	/** Template-level findings (MJML validation, alt text, links, unsubscribe, fonts). */
	findings: Finding[];
	/** The same findings as warning lines (what every render reports). */
	findingWarnings: string[];
	/**
	 * The template has an unsubscribe link (no `unsubscribe-link` finding): each render checks that
	 * its recipient's link is still there and goes somewhere (an empty `{{ unsubscribe_url }}`, a
	 * value the URL guard replaced by `#`, a link in an `{% if %}` not taken).
	 */
	checkUnsubscribe: boolean;
	/** Some `<img>` takes its src from Liquid: each render warns on images whose src rendered empty (a broken image). */
	checkImages: boolean;
	/** The text part derived once (see text.ts); undefined: converted from each recipient's HTML. */
	textPlan?: TextPlan;
	/** Why there is no text plan (diagnostics). */
	textPlanReason?: string;
	/** For render errors: liquidHtml back to the expanded template (origins, then edits undone) and to the sources (sourceMap). */
	where: { origins: Origin[]; edits: Edit[]; sourceMap: SourceMap };
	/**
	 * When the template writes values unescaped (`| raw`, HTML escaping off): the <base> tags its Liquid
	 * (literals: `{{ '<base href="…">' | raw }}`) may write. A render with more than those and the ones
	 * its static HTML wrote in that render (RenderState.bases) has one the data wrote (baseWritten).
	 */
	baseTags?: number;
	compileMs: number;
}

/** Text the compile wrote into liquidHtml (the preview div, the subject in <title>): `length` characters at `at` replaced `replaced` characters. */
interface Edit {
	at: number;
	replaced: number;
	length: number;
}

const PREVIEW_DIV =
	'<div style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;opacity:0;overflow:hidden;mso-hide:all;">{{ __pz.preheader | pz_html }}</div>';

export const CACHE_SIZE = 64;
const cache = new Map<string, Promise<CompiledTemplate>>();

export function templateKey(input: TemplateInput): string {
	const canonical = JSON.stringify([input.format, input.body, input.subject ?? '', input.preheader ?? '', input.blocks ?? [], input.liquid ?? {}]);
	return createHash('sha256').update(canonical).digest('hex');
}

/** Compiles (or returns the cached compile of) a template. Concurrent callers share one compile. */
export function compileTemplate(input: TemplateInput): Promise<CompiledTemplate> {
	const key = templateKey(input);
	const hit = cache.get(key);
	if (hit) {
		cache.delete(key);
		cache.set(key, hit); // most recently used last
		return hit;
	}
	const promise = compileUncached(input, key);
	cache.set(key, promise);
	promise.catch(() => cache.delete(key));
	while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
	return promise;
}

export function clearCompileCache(): void {
	cache.clear();
	bodyCache.clear();
}

export function compileCacheSize(): number {
	return cache.size;
}

/**
 * Parses the compiled HTML without the Parse Limit: the limit applies to the template as written
 * (the body with its blocks inlined, checked by expandBlocks and parseLocated), not to MJML's HTML,
 * which is ~3.6 times longer. liquidjs reads the limit when each parse starts (a new Parser).
 */
function parseUnlimited(engine: Engines['html'], text: string): Template[] {
	const options = engine.options as { parseLimit: number };
	const limit = options.parseLimit;
	options.parseLimit = Infinity;
	try {
		return engine.parse(text);
	} finally {
		options.parseLimit = limit;
	}
}

/** Parses with liquidjs; a syntax error names the source, line and column the marketer wrote. */
export function parseLocated(engine: Engines['html'], text: string, map: SourceMap | undefined, source: string): Template[] {
	try {
		return engine.parse(text);
	} catch (error) {
		const e = error as Error & { token?: { begin?: number } };
		const begin = e.token?.begin;
		const loc = typeof begin === 'number' ? (map ? map.locate(begin) : { source, ...lineColumn(text, begin) }) : undefined;
		const reason = e.message.replace(/, line:\d+, col:\d+/, '').replace(/, file:[^,]*/, '');
		throw new TemplateError(
			loc ? `${loc.source} line ${loc.line}, column ${loc.column}: ${reason}` : `${source}: ${reason}`,
			{ check: 'liquid-syntax', source: loc?.source ?? source, line: loc?.line, column: loc?.column },
		);
	}
}

/**
 * The compile of the body (MJML, blocks, HTML Liquid, text plan, checks), shared by every Subject and
 * Preheader text: the body depends on them only through whether each is set (the <title> and the
 * preview line written into it). A Subject or Preheader written as an n8n expression differs per
 * item (`{{ $json.first_name }}, your cart`): each item then compiles only its own short Liquid, not
 * MJML again (~56 ms per recipient before).
 */
const bodyCache = new Map<string, Promise<CompiledTemplate>>();
/** What a set Subject / Preheader stands as in the body's compile (its Liquid parses as text). */
const SET = 'set';

function bodyCompile(input: TemplateInput): Promise<CompiledTemplate> {
	const bodyInput: TemplateInput = { ...input, subject: input.subject && input.subject.trim() ? SET : '', preheader: input.preheader && input.preheader.trim() ? SET : '' };
	const key = templateKey(bodyInput);
	const hit = bodyCache.get(key);
	if (hit) {
		bodyCache.delete(key);
		bodyCache.set(key, hit);
		return hit;
	}
	const promise = compileBodyUncached(bodyInput, key);
	bodyCache.set(key, promise);
	promise.catch(() => bodyCache.delete(key));
	while (bodyCache.size > CACHE_SIZE) bodyCache.delete(bodyCache.keys().next().value as string);
	return promise;
}

/** The template: its body's shared compile, with this Subject and Preheader parsed by its engines. */
async function compileUncached(input: TemplateInput, key: string): Promise<CompiledTemplate> {
	const started = performance.now();
	const body = await bodyCompile(input);
	const subject = parseLocated(body.engines.text, input.subject ?? '', undefined, 'subject');
	// the Preheader is text with character references (`&zwnj;&nbsp;` padding, `&amp;`) whose values
	// are always escaped (Engines.preview); a `<` or `>` the marketer types is text too
	const preheader = parseLocated(body.engines.preview, preheaderSource(input.preheader ?? ''), undefined, 'preheader');
	optimizeTemplates(subject);
	optimizeTemplates(preheader);
	return { ...body, key, subject, preheader, compileMs: performance.now() - started };
}

async function compileBodyUncached(input: TemplateInput, key: string): Promise<CompiledTemplate> {
	const started = performance.now();
	if (input.format !== 'mjml' && input.format !== 'html') throw new TemplateError(`Unknown template format "${String(input.format)}" (mjml or html)`);
	if (typeof input.body !== 'string' || !input.body.trim()) throw new TemplateError('The email body is empty', { check: 'template' });
	const blocks = normalizeBlocks(input.blocks);
	let engines: Engines;
	try {
		engines = createEngines(input.liquid);
	} catch (error) {
		throw new TemplateError((error as Error).message, { check: 'settings' });
	}
	if (input.format === 'mjml' && !/<mjml[\s>]/.test(input.body)) {
		throw new TemplateError('The body is not MJML (no <mjml> root). Choose the HTML format, or wrap the body in <mjml><mj-body>…</mj-body></mjml>', { check: 'template', source: 'body' });
	}
	const expanded = expandBlocks(input.body, blocks, 'body', engines.settings.parseLimit);
	// Liquid syntax first, with lines in the marketer's sources.
	parseLocated(engines.html, expanded.text, expanded.map, 'body');

	let liquidHtml: string;
	const findings: Finding[] = [];
	let hasPreview: boolean;
	let origins: Origin[];
	if (input.format === 'mjml') {
		const tokens = scanLiquid(expanded.text);
		const compiled = await compileMjml(expanded.text, tokens, expanded.map);
		liquidHtml = compiled.liquidHtml;
		origins = compiled.origins;
		findings.push(...compiled.findings);
		hasPreview = mjmlHasPreview(expanded.text);
	} else {
		liquidHtml = expanded.text;
		origins = [{ at: 0, from: 0, length: liquidHtml.length }];
		hasPreview = htmlHasPreheader(expanded.text);
	}
	const edits: Edit[] = [];
	const hasPreheaderParam = Boolean(input.preheader && input.preheader.trim());
	if (hasPreheaderParam && !hasPreview) {
		const at = previewAt(liquidHtml);
		liquidHtml = liquidHtml.slice(0, at) + PREVIEW_DIV + liquidHtml.slice(at);
		edits.push({ at, replaced: 0, length: PREVIEW_DIV.length });
	}
	const title = input.subject && input.subject.trim() ? /<title>\s*<\/title>/i.exec(liquidHtml) : null;
	if (title) {
		// the subject is plain text: escaped in <title> whatever Escape HTML in Values says (raw, a value could end the title)
		const written = '<title>{{ __pz.subject | escape }}</title>';
		liquidHtml = liquidHtml.slice(0, title.index) + written + liquidHtml.slice(title.index + title[0].length);
		edits.push({ at: title.index, replaced: title[0].length, length: written.length });
	}

	let html: Template[];
	try {
		html = parseUnlimited(engines.html, liquidHtml);
	} catch (error) {
		throw new TemplateError(`After MJML compiled the template, its Liquid no longer parses (${(error as Error).message}). Keep each Liquid tag pair around whole MJML elements, or both inside one element.`, { check: 'mjml-dropped-liquid' });
	}
	const tokens = liquidTokens(engines, liquidHtml);
	let { plan: textPlan, reason: textPlanReason } = Array.isArray(tokens) ? compileTextPlan(tokens) : { plan: undefined, reason: tokens.reason };
	if (textPlan && !planCovers(html, textPlan)) {
		textPlan = undefined;
		textPlanReason = 'internal: a static piece has no text';
	}
	optimizeTemplates(html, textPlan, Array.isArray(tokens) ? guardPlan(tokens, liquidHtml, engines.settings.escapeHtml) : undefined);
	// values written unescaped may write a <base>: the template's own are counted as each render writes them
	const rawWriters = !engines.settings.escapeHtml || /\|\s*raw(?![\w-])/.test(liquidHtml);
	if (rawWriters && Array.isArray(tokens)) countBaseWrites(html, (text) => text.match(STATIC_BASE)?.length ?? 0);
	findings.push(...htmlFindings(inspectHtml(liquidHtml, input.format === 'mjml' ? expanded.text : undefined)));
	if (!hasPreheaderParam && !hasPreview) {
		findings.push({ severity: 'warning', check: 'preheader', message: 'No preheader: inboxes show the first text of the email instead. Set "Preheader" (about 40-130 characters)' });
	}
	return {
		key,
		format: input.format,
		engines,
		html,
		// this template's own, parsed by compileUncached (the body's compile stands for any Subject / Preheader)
		subject: [],
		preheader: [],
		liquidHtml,
		structured: expanded.structured,
		blocksUsed: [...expanded.used],
		hasPreheader: hasPreheaderParam || hasPreview,
		ownPreview: hasPreview ? input.format : undefined,
		findings,
		findingWarnings: findings.map((f) => `${f.check}: ${f.message}`),
		checkUnsubscribe: !findings.some((f) => f.check === 'unsubscribe-link'),
		checkImages: hasLiquidImageSrc(liquidHtml),
		textPlan,
		textPlanReason,
		where: { origins, edits, sourceMap: expanded.map },
		baseTags: !rawWriters ? undefined : Array.isArray(tokens) ? tokens.reduce((n, t) => n + literalBases(t, engines.settings.escapeHtml), 0) : countBaseTags(liquidHtml),
		compileMs: performance.now() - started,
	};
}

/**
 * Whether the MJML writes its own preview line: an `<mj-preview>` with content (text or Liquid),
 * outside comments. An empty one (`<mj-preview></mj-preview>`, `<mj-preview />`, blanks only)
 * writes nothing, so the Preheader parameter's line is added as if it were absent.
 */
function mjmlHasPreview(mjml: string): boolean {
	const source = mjml.replace(/<!--[\s\S]*?-->/g, '');
	for (const m of source.matchAll(/<mj-preview(?=[\s/>])[^>]*>/gi)) {
		if (m[0].endsWith('/>')) continue;
		const from = m.index + m[0].length;
		const close = source.slice(from).search(/<\/mj-preview\s*>/i);
		if (source.slice(from, close < 0 ? source.length : from + close).trim()) return true;
	}
	return false;
}

/**
 * The Preheader parameter as the preview div gets it: `<` and `>` typed outside Liquid tags become
 * `&lt;` / `&gt;` (the line is text: `Hi <you>` showed as "Hi " and a `</div>` ended the hidden
 * div, showing the rest in the email), while character references (`&amp;`, `&zwnj;&nbsp;`
 * padding) stay as written. Inside `{{ … }}` / `{% … %}` nothing changes (`{% if a < b %}`).
 */
export function preheaderSource(text: string): string {
	if (!/[<>]/.test(text)) return text;
	return text
		.split(/(\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\})/)
		.map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
		.join('');
}

/** A start tag with a class containing `preheader`, its value quoted or not (`class=preheader`, as HTML minifiers write it). */
const PREHEADER_CLASS = /[\t\n\f\r ]class\s*=\s*(?:"[^"]*\bpreheader\b|'[^']*\bpreheader\b|[^\t\n\f\r "'=<>`]*\bpreheader\b)/i;
const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
/** Blanks, and the invisible characters preheader padding is made of (&zwnj;, &#847;, &shy;…): no preview text. */
const NO_PREVIEW_TEXT = new RegExp(`^[\\s${INVISIBLE_CHARS}]*$`);

/**
 * Whether an HTML template writes its own preview line: an element whose class contains
 * `preheader` with content (Liquid, or text that shows), outside comments. An empty one (`<div
 * class="preheader"></div>`, blanks, padding characters, hidden content or tags only) shows
 * nothing, so the Preheader parameter's line is added as if it were absent (as for an empty
 * `<mj-preview>`). Read with the same scan as the rendered line (preheaderContents, previewText),
 * so the two never disagree on what is a preview line.
 */
function htmlHasPreheader(html: string): boolean {
	const source = html.replace(/\{%-?\s*comment\s*-?%\}[\s\S]*?\{%-?\s*endcomment\s*-?%\}/g, (m) => ' '.repeat(m.length));
	for (const content of preheaderContents(source)) if (/\{\{|\{%/.test(content) || previewText(content)) return true;
	return false;
}

/**
 * The content of each element of class `preheader`, in order, as the HTML parser reads comments
 * (one runs to its first `-->`, `<!-->` is one, or to the end) and start tags (one left open runs
 * to the end). Elements inside one already given are not given again (one forward pass: linear).
 */
function* preheaderContents(html: string): Generator<string> {
	let readTo = 0;
	for (const m of html.matchAll(/<!(?=--)[\s\S]*?(?:-->|$)|<([a-z][a-z0-9-]*)(?=[\t\n\f\r /])[^>]*(>|$)/gi)) {
		if (m[1] === undefined) continue; // a comment
		if (!m[2]) return; // a start tag left open runs to the end
		if (m.index < readTo || !PREHEADER_CLASS.test(m[0])) continue;
		const name = m[1].toLowerCase();
		if (VOID_ELEMENTS.has(name) || m[0].endsWith('/>')) continue;
		const from = m.index + m[0].length;
		const content = elementContent(html, from, name);
		yield content;
		readTo = from + content.length;
	}
}

/**
 * A preview line's content as inboxes show it: its text (hidden parts dropped), character
 * references decoded, white space collapsed, padding (`&zwnj;&nbsp;`…) dropped; '' when none.
 */
function previewText(content: string): string {
	// a link shows its text only (htmlToText would add its URL, which no inbox shows in the preview)
	const unlinked = content.replace(/<a\b[^>]*(?:>|$)/gi, (tag) => tag.replace(/(\s)href\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*)/gi, '$1'));
	const text = htmlToText(unlinked).replace(/\s+/g, ' ').trim();
	return NO_PREVIEW_TEXT.test(text) ? '' : text;
}

/** The content of the element `name` whose start tag ends at `from`: up to its matching end tag (same-name elements inside counted). */
function elementContent(html: string, from: number, name: string): string {
	const tags = new RegExp(`<(/?)${name}(?=[\\t\\n\\f\\r />])`, 'gi');
	tags.lastIndex = from;
	let depth = 1;
	for (let t = tags.exec(html); t; t = tags.exec(html)) {
		depth += t[1] ? -1 : 1;
		if (depth === 0) return html.slice(from, t.index);
	}
	return html.slice(from);
}

/** The preview line MJML 5 writes for an `<mj-preview>` (mjml-head-preview), right after `<body>`. */
const MJML_PREVIEW_DIV = '<div style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;opacity:0;overflow:hidden;">';

/**
 * The preview line a template wrote itself, as inboxes show it, from a recipient's rendered HTML:
 * the `<mj-preview>`'s div, or the first element (outside comments) of a class containing
 * `preheader` that shows text. Character references decoded, white space collapsed, padding
 * (`&zwnj;&nbsp;`…) dropped. Searched from the start of the HTML, where the line stands.
 */
function ownPreviewText(html: string, kind: 'mjml' | 'html'): string {
	if (kind === 'mjml') {
		const at = html.indexOf(MJML_PREVIEW_DIV);
		return at < 0 ? '' : previewText(elementContent(html, at + MJML_PREVIEW_DIV.length, 'div'));
	}
	for (const content of preheaderContents(html)) {
		const text = previewText(content);
		if (text) return text;
	}
	return '';
}

/**
 * Where the hidden preview line goes: after the `<body>` start tag; an HTML document may leave that
 * tag out, so else after `</head>`, `<html …>` or the doctype (never before the doctype: a document
 * that does not start with it renders in quirks mode), else at the start. Tags inside an HTML or
 * `{% comment %}` comment are not read (the line would land in the comment and never show).
 */
function previewAt(html: string): number {
	const blank = (m: string): string => ' '.repeat(m.length);
	const visible = html.replace(/<!--[\s\S]*?-->/g, blank).replace(/\{%-?\s*comment\s*-?%\}[\s\S]*?\{%-?\s*endcomment\s*-?%\}/g, blank);
	for (const re of [/<body(?:[\t\n\f\r /][^>]*)?>/i, /<\/head\s*>/i, /<html(?:[\t\n\f\r /][^>]*)?>/i, /^\s*<!doctype[^>]*>/i]) {
		const m = re.exec(visible);
		if (m) return m.index + m[0].length;
	}
	return 0;
}

/** The URL guard's plan (urls.ts); a template it cannot guard is refused, naming the tag as written. */
function guardPlan(tokens: PlanToken[], liquidHtml: string, escapeHtml: boolean): UrlPlan {
	try {
		return urlOutputs(tokens, { escapeHtml });
	} catch (error) {
		if (!(error instanceof UrlGuardRefusal)) throw error;
		// the Liquid token at begin as written (an output or a tag), and what it stands in
		const close = liquidHtml.startsWith('{{', error.begin) ? '}}' : liquidHtml.startsWith('{%', error.begin) ? '%}' : undefined;
		const end = close ? liquidHtml.indexOf(close, error.begin) : -1;
		const token = close ? liquidHtml.slice(error.begin, end < 0 ? error.begin + 40 : Math.min(end + 2, error.begin + 120)) : undefined;
		const shown = token && error.shown ? `${token} (in ${error.shown})` : (token ?? error.shown ?? liquidHtml.slice(error.begin, error.begin + 40));
		throw new TemplateError(`${shown}: ${error.message}`, { check: 'url-guard' });
	}
}

/** The template HTML's Liquid tokens, in order, as liquidjs reads them (for the text plan and the URL positions). */
function liquidTokens(engines: Engines, liquidHtml: string): PlanToken[] | { reason: string } {
	try {
		const options = engines.html.options;
		const tokens = new Tokenizer(liquidHtml, options.operators, undefined, undefined, options.groupedExpressions).readTopLevelTokens(options);
		const list: PlanToken[] = tokens.map((t) => {
			const tok = t as unknown as { kind: number; begin: number; getContent(): string; content?: string };
			if (t instanceof TagToken) return { kind: 'tag', value: t.name, begin: tok.begin, expr: t.args };
			if (tok.kind === 16) return { kind: 'html', value: tok.getContent(), begin: tok.begin };
			return { kind: 'output', value: '', begin: tok.begin, expr: tok.content };
		});
		return list;
	} catch (error) {
		return { reason: `internal: ${(error as Error).message}` };
	}
}

/** Deep-merges defaults under the data: the data wins, missing or null values take the default. */
export function withDefaults(defaults: Record<string, unknown> | undefined, data: Record<string, unknown>): Record<string, unknown> {
	if (!defaults || Object.keys(defaults).length === 0) return data;
	const out: Record<string, unknown> = { ...data };
	for (const [k, d] of Object.entries(defaults)) {
		const v = out[k];
		if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) out[k] = d;
		else if (isPlainObject(v) && isPlainObject(d)) out[k] = withDefaults(d, v);
	}
	return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A `<base` start tag (https://html.spec.whatwg.org/multipage/parsing.html#tag-open-state: the name ends at white space, `/` or `>`). */
const BASE_TAG = /<base[\t\n\f\r />]/gi;
/** A value that writes one, or its start (the template may write the rest). */
const BASE_IN_VALUE = /<base(?:[\t\n\f\r />]|$)/i;
/** In a static piece: one, or its start at the piece's end (a Liquid tag before the rest; the data cannot write an element name). */
const STATIC_BASE = /<base(?:[\t\n\f\r />]|$)/gi;

function countBaseTags(html: string): number {
	return html.match(BASE_TAG)?.length ?? 0;
}

/** The <base> tags a Liquid token's literals may write: none for static HTML (counted as rendered) or a value written escaped. */
function literalBases(t: PlanToken, escapeHtml: boolean): number {
	if (t.kind === 'html') return 0;
	if (escapeHtml && (t.kind === 'output' || t.value === 'echo') && !/\|\s*raw(?![\w-])/.test(t.expr ?? '')) return 0;
	return countBaseTags(t.expr ?? '');
}

/**
 * The message for a render whose data wrote a <base> tag (through `| raw` or with HTML escaping off):
 * it would send every relative link and image of the email elsewhere. Names the first field that holds one.
 */
function baseWritten(data: Record<string, unknown>): string {
	let budget = 10_000;
	const find = (v: unknown, path: string, depth: number): string | undefined => {
		if (--budget < 0 || depth > 12) return undefined;
		if (typeof v === 'string') return BASE_IN_VALUE.test(v) ? path : undefined;
		if (typeof v !== 'object' || v === null) return undefined;
		for (const [k, child] of Array.isArray(v) ? v.map((c, i) => [String(i), c] as const) : Object.entries(v)) {
			const found = find(child, Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k, depth + 1);
			if (found !== undefined) return found;
		}
		return undefined;
	};
	const field = find(data, '', 0);
	return `The data writes a <base> tag${field ? ` (field "${field}")` : ''}, which would send every relative link and image of the email to the address it names: the template writes that value unescaped (| raw or HTML escaping off). Remove the <base> from the data`;
}

/**
 * Where a render error's Liquid token is in the sources the marketer wrote, with the token as
 * written (template text, never data): `block:cart line 1, column 10 ({{ cart.total | money: cart.currency }})`.
 * Undefined when the error names no token, or the token is one the compile wrote.
 */
function renderErrorAt(ct: CompiledTemplate, error: unknown, stage: 'subject' | 'preheader' | 'body'): string | undefined {
	const token = (error as { token?: { input?: unknown; begin?: unknown; end?: unknown } } | undefined)?.token;
	if (!token || typeof token.input !== 'string' || typeof token.begin !== 'number') return undefined;
	const begin = token.begin;
	let loc: { source: string; line: number; column: number } | undefined;
	if (stage !== 'body') loc = { source: stage, ...lineColumn(token.input, begin) };
	else if (token.input === ct.liquidHtml) loc = locateRendered(ct.where, begin);
	if (!loc) return undefined;
	const text = token.input.slice(begin, typeof token.end === 'number' ? token.end : begin).replace(/\s+/g, ' ');
	const shown = text.length > 80 ? `${text.slice(0, 77)}…` : text;
	return `${describeLocation(loc)}, column ${loc.column}${shown ? ` (${shown})` : ''}`;
}

/** An offset in liquidHtml in the marketer's sources; undefined in text the compile wrote (preview div, title, MJML's HTML). */
function locateRendered(where: CompiledTemplate['where'], offset: number): { source: string; line: number; column: number } | undefined {
	let at = offset;
	for (let k = where.edits.length - 1; k >= 0; k--) {
		const e = where.edits[k];
		if (at >= e.at + e.length) at -= e.length - e.replaced;
		else if (at >= e.at) return undefined;
	}
	let lo = 0;
	let hi = where.origins.length - 1;
	if (hi < 0 || where.origins[0].at > at) return undefined;
	while (lo < hi) {
		const mid = (lo + hi + 1) >> 1;
		if (where.origins[mid].at <= at) lo = mid;
		else hi = mid - 1;
	}
	const o = where.origins[lo];
	return at < o.at + o.length ? where.sourceMap.locate(o.from + (at - o.at)) : undefined;
}

export class RenderFailure extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RenderFailure';
	}
}

export interface RenderOptions {
	defaults?: Record<string, unknown>;
	/** Skip the text part (faster when the ESP builds its own). Default false. */
	skipText?: boolean;
	now?: number;
}

/**
 * What a render reads and writes: a new top-level object (liquidjs writes `{% increment %}` /
 * `{% decrement %}` counters into it, never into the input item), without a `__pz` key (liquidjs
 * looks in the data before the globals: the data must not replace the engine's state, block rules
 * included).
 */
function renderScope(defaults: Record<string, unknown> | undefined, data: Record<string, unknown>): Record<string, unknown> {
	const merged = withDefaults(defaults, data);
	const scope = merged === data ? { ...data } : merged;
	if (Object.prototype.hasOwnProperty.call(scope, '__pz')) delete scope.__pz;
	return scope;
}

/**
 * The subject as one line: a header field body holds no CR or LF except where it is folded
 * (RFC 5322 2.2), so a line break (from the data or the Subject) and the spaces around it are one space.
 */
function oneLine(subject: string): string {
	return /[\r\n]/.test(subject) ? subject.replace(/[ \t]*[\r\n]+[ \t\r\n]*/g, ' ') : subject;
}

/** Renders one recipient. Throws RenderFailure with a plain-language message. */
export function renderCompiled(ct: CompiledTemplate, data: Record<string, unknown>, options: RenderOptions = {}): RenderResult {
	const scope = renderScope(options.defaults, data);
	const state: RenderState = { shown: [], rules: evaluateBlockRules(ct.structured, scope, options.now), subject: '', preheader: '' };
	const renderOptions = { globals: { __pz: state }, sync: true };
	let html: string;
	let pre: DualEmitter | undefined;
	let stage: 'subject' | 'preheader' | 'body' = 'subject';
	try {
		// One time and memory budget per recipient: the subject, preheader and HTML renders share the
		// first context's limiters, and each part's output counts from what the parts before it wrote.
		const { text: textEngine, html: engine } = ct.engines;
		const subjectCtx = new Context(scope, textEngine.options, renderOptions, { liquid: textEngine });
		const limits = { memoryLimit: subjectCtx.memoryLimit, renderLimit: subjectCtx.renderLimit };
		const subjectOut = partEmitter(limits.memoryLimit, 0);
		toValueSync(textEngine.renderer.renderTemplates(ct.subject, subjectCtx, subjectOut));
		state.subject = oneLine(subjectOut.buffer.trim());
		stage = 'preheader';
		const preheaderOut = partEmitter(limits.memoryLimit, subjectOut.size);
		const preview = ct.engines.preview;
		toValueSync(preview.renderer.renderTemplates(ct.preheader, new Context(scope, preview.options, renderOptions, { ...limits, liquid: preview }), preheaderOut));
		state.preheader = preheaderOut.buffer.trim();
		stage = 'body';
		state.shown.length = 0;
		state.bases = 0;
		const ctx = new Context(scope, engine.options, renderOptions, { ...limits, liquid: engine });
		// One render writes the HTML and (with a text plan) the text part's pre-text (fastpath.ts).
		const out = ct.textPlan && !options.skipText ? (pre = new DualEmitter(limits.memoryLimit as unknown as ConstructorParameters<typeof DualEmitter>[0])) : partEmitter(limits.memoryLimit, 0);
		out.size = preheaderOut.size;
		toValueSync(engine.renderer.renderTemplates(ct.html, ctx, out));
		html = out.buffer;
	} catch (error) {
		const message = explainLiquidError(error, ct.engines.settings);
		const at = /limit exceeded/i.test(`${(error as Error)?.message} ${(error as { originalError?: Error })?.originalError?.message}`) ? undefined : renderErrorAt(ct, error, stage);
		throw new RenderFailure(at ? `${at}: ${message.replace(/, line:\d+, col:\d+/g, '')}` : message);
	}
	if (ct.baseTags !== undefined && countBaseTags(html) > ct.baseTags + (state.bases ?? 0)) throw new RenderFailure(baseWritten(scope));
	// The text part: from the compiled text plan, or (no plan, or a value it cannot reproduce exactly) from the HTML.
	const text = options.skipText ? '' : pre && !pre.unsafe ? finalizeText(pre.text) : htmlToText(html);
	const size = Buffer.byteLength(html, 'utf8');
	const warnings = ct.findingWarnings.slice();
	if (size > GMAIL_CLIP_BYTES) warnings.push(`gmail-clipping: HTML is ${(size / 1024).toFixed(1)} KB; Gmail clips emails over 102 KB`);
	const leftover = unresolvedFinding(html) ?? unresolvedFinding(state.subject, 'subject');
	if (leftover) warnings.push(`${leftover.check}: ${leftover.message}`);
	// the links are read in full only when no link may unsubscribe (rare: a cheap scan first)
	const unsubscribe = ct.checkUnsubscribe && !mayHaveUnsubscribeLink(html) ? unsubscribeFinding(inspectHtml(html)) : undefined;
	if (unsubscribe) warnings.push(`${unsubscribe.check}: ${unsubscribe.message}`);
	const images = ct.checkImages ? emptyImageSrcFinding(html) : undefined;
	if (images) warnings.push(`${images.check}: ${images.message}`);
	const guarded = unsafeUrlFinding(state.guarded);
	if (guarded) warnings.push(`${guarded.check}: ${guarded.message}`);
	if (!state.subject) warnings.push('subject: the subject rendered empty');
	// the template's own preview line wins over the parameter (which is then not written): report what the email shows
	const preheader = ct.ownPreview ? ownPreviewText(html, ct.ownPreview) : /[&<]/.test(state.preheader) ? previewText(state.preheader) : state.preheader;
	if ((ct.preheader.length || ct.ownPreview) && !preheader) warnings.push('preheader: the preheader rendered empty');
	return {
		subject: state.subject,
		preheader,
		html,
		text,
		size_bytes: size,
		blocks_shown: [...state.shown],
		warnings,
	};
}
