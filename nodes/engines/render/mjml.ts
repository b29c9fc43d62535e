/**
 * MJML with Liquid in it, compiled ONCE per template.
 *
 * MJML (5.x, async only) does not know Liquid and breaks it in four ways:
 *  1. a bare `{% for %}` / `{% if %}` between MJML elements is text where MJML allows none: it is
 *     silently deleted, so a loop renders once;
 *  2. Liquid in a typed attribute (width, padding, align…) is parsed as a number at compile time
 *     (`width="{{ w }}"` → `NaNpx`);
 *  3. Liquid in `<mj-style inline="inline">` goes through the CSS inliner and comes out mangled;
 *  4. a double quote inside Liquid inside an attribute (`href="{{ u | append: "?a" }}"`) ends the
 *     attribute early.
 *
 * So every Liquid token is replaced by an inert placeholder BEFORE MJML parses the source
 * (fixes 4), tags between elements become `<mj-raw>` placeholders MJML keeps in place (fixes 1),
 * Liquid in string/colour attributes is carried through as a placeholder, and the cases MJML must
 * know at compile time (2, 3) fail with the line and what to write instead. After MJML, every
 * placeholder must be found again (else the compile fails: never a loop silently rendered once)
 * and is restored to its Liquid.
 */
import type { LiquidToken, SourceMap } from './source';
import { TemplateError, type Finding } from './types';

interface MjmlComponent {
	endingTag?: boolean;
	allowedAttributes?: Record<string, string>;
}

export interface MjmlApi {
	compile: (
		mjml: string,
		options: Record<string, unknown>,
	) => Promise<{ html: string; errors: Array<{ line?: number; message: string; tagName?: string; formattedMessage?: string }> }>;
	components: Record<string, MjmlComponent>;
	dependencies: Record<string, string[]>;
	loadMs: number;
}

let loading: Promise<MjmlApi> | undefined;

/** Loads MJML lazily, once per process (~0.5 s and ~50 MB: only when an MJML template compiles). */
export function loadMjml(): Promise<MjmlApi> {
	loading ??= (async () => {
		const started = performance.now();
		const mjml = require('mjml') as MjmlApi['compile'] | { default: MjmlApi['compile'] };
		const core = require('mjml-core') as { components: Record<string, MjmlComponent> };
		const validator = require('mjml-validator') as { dependencies: Record<string, string[]> };
		const compile = typeof mjml === 'function' ? mjml : mjml.default;
		return { compile, components: core.components, dependencies: validator.dependencies, loadMs: performance.now() - started };
	})();
	return loading;
}

export function mjmlLoaded(): boolean {
	return loading !== undefined;
}

const RAW_PARENTS = new Set(['mj-body', 'mj-wrapper', 'mj-section', 'mj-group', 'mj-column', 'mj-hero']);
const PLACEHOLDER = (i: number) => `pzlq${i}x`;
const PLACEHOLDER_RE = /pzlq(\d+)x/g;

type Context =
	| { kind: 'content'; tag: string }
	| { kind: 'attribute'; tag: string; attribute: string }
	| { kind: 'in-tag'; tag: string }
	| { kind: 'between'; parent: string }
	| { kind: 'comment' };

interface Protected {
	source: string;
	tokens: LiquidToken[];
	/** protected-source offsets of each replacement, for mapping MJML's line numbers back. */
	anchors: Array<{ protStart: number; protEnd: number; expStart: number; expEnd: number }>;
}

/** Placeholders for every Liquid token; `<mj-raw>` around tags between elements. */
export function protectLiquid(expanded: string, tokens: LiquidToken[], map: SourceMap, api: MjmlApi): Protected {
	// Pass 1: placeholders everywhere, so the structure scan below never meets Liquid.
	let flat = '';
	let pos = 0;
	const flatPos: number[] = [];
	for (const [i, t] of tokens.entries()) {
		flat += expanded.slice(pos, t.start);
		flatPos.push(flat.length);
		flat += PLACEHOLDER(i);
		pos = t.end;
	}
	flat += expanded.slice(pos);

	const contexts = classify(flat, flatPos, tokens.length, api);
	const where = (i: number) => {
		const loc = map.locate(tokens[i].start);
		return { ...loc, label: `${loc.source} line ${loc.line}` };
	};

	// Pass 2: act on each context.
	let out = '';
	pos = 0;
	const anchors: Protected['anchors'] = [];
	for (const [i, t] of tokens.entries()) {
		const ctx = contexts[i];
		const w = where(i);
		const short = t.text.length > 60 ? `${t.text.slice(0, 57)}…` : t.text;
		let replacement = PLACEHOLDER(i);
		if (ctx.kind === 'attribute') {
			const type = attributeType(api, ctx.tag, ctx.attribute);
			if (type && !/^(string|color)/.test(type)) {
				throw new TemplateError(
					`${w.label}: Liquid in the ${ctx.attribute}="…" attribute of <${ctx.tag}> (${short}). MJML reads ${ctx.attribute} (${type}) when it compiles, once for all recipients, so a per-recipient value would come out as "NaN" or be ignored. Write a fixed value (e.g. ${exampleFor(type)}), or put two variants of the element in {% if %} … {% else %} … {% endif %}.`,
					{ check: 'mjml-typed-attribute', source: w.source, line: w.line, column: w.column },
				);
			}
		} else if (ctx.kind === 'content' && ctx.tag === 'mj-style-inline') {
			throw new TemplateError(
				`${w.label}: Liquid inside <mj-style inline="inline"> (${short}). Inlined CSS is applied when MJML compiles, once for all recipients, and the CSS inliner mangles Liquid. Put the per-recipient value in an attribute (e.g. color="{{ brand.color }}" on the element) or in a <mj-style> without inline="inline".`,
				{ check: 'mjml-inline-style', source: w.source, line: w.line, column: w.column },
			);
		} else if (ctx.kind === 'in-tag') {
			throw new TemplateError(
				`${w.label}: Liquid between the attributes of <${ctx.tag}> (${short}). MJML cannot parse it there. Put the condition inside the attribute's value, e.g. background-color="{% if vip %}#f5c518{% else %}#ffffff{% endif %}", or wrap two variants of the element in {% if %}.`,
				{ check: 'mjml-liquid-in-tag', source: w.source, line: w.line, column: w.column },
			);
		} else if (ctx.kind === 'between') {
			if (t.kind === 'output') {
				throw new TemplateError(
					`${w.label}: ${short} sits directly inside <${ctx.parent}>, where MJML drops text. Put it inside an element: <mj-text>${t.text}</mj-text> (or <mj-raw> for trusted HTML).`,
					{ check: 'mjml-text-between-elements', source: w.source, line: w.line, column: w.column },
				);
			}
			// Only where MJML renders children in place (head elements are hoisted, so Liquid around them does nothing).
			if (!RAW_PARENTS.has(ctx.parent) || !(api.dependencies[ctx.parent] ?? []).includes('mj-raw')) {
				throw new TemplateError(
					`${w.label}: ${short} sits directly inside <${ctx.parent}>, where MJML would delete it (and a loop would render once). Move the tag inside <mj-body>, <mj-section>, <mj-column>, <mj-wrapper>, <mj-group> or <mj-hero>, around whole elements.`,
					{ check: 'mjml-tag-between-elements', source: w.source, line: w.line, column: w.column },
				);
			}
			replacement = `<mj-raw>${PLACEHOLDER(i)}</mj-raw>`;
		}
		out += expanded.slice(pos, t.start);
		anchors.push({ protStart: out.length, protEnd: out.length + replacement.length, expStart: t.start, expEnd: t.end });
		out += replacement;
		pos = t.end;
	}
	out += expanded.slice(pos);
	return { source: out, tokens, anchors };
}

function exampleFor(type: string): string {
	if (type.startsWith('unit')) return '"25%" or "20px"';
	if (type.startsWith('enum')) return `one of ${type.slice(5, -1).split(',').filter(Boolean).join(', ')}`;
	if (type === 'boolean') return '"true"';
	return '"2"';
}

function attributeType(api: MjmlApi, tag: string, attribute: string): string | undefined {
	const own = api.components[tag]?.allowedAttributes?.[attribute];
	if (own) return own;
	if (tag === 'mj-all' || tag === 'mj-class') {
		// Applies to many elements: the strictest type any element gives the attribute.
		for (const c of Object.values(api.components)) {
			const t = c.allowedAttributes?.[attribute];
			if (t && !/^(string|color)/.test(t)) return t;
		}
	}
	return undefined;
}

/** Walks the placeholder source like MJML's XML parser and says where each placeholder sits. */
function classify(flat: string, flatPos: number[], count: number, api: MjmlApi): Context[] {
	const contexts: Context[] = new Array(count);
	const ending = new Set(Object.entries(api.components).filter(([, c]) => c.endingTag).map(([name]) => name));
	const mark = (from: number, to: number, ctx: Context) => {
		PLACEHOLDER_RE.lastIndex = 0;
		const slice = flat.slice(from, to);
		for (let m = PLACEHOLDER_RE.exec(slice); m; m = PLACEHOLDER_RE.exec(slice)) {
			const i = Number(m[1]);
			if (i < count && flatPos[i] === from + m.index) contexts[i] = ctx;
		}
	};
	const stack: string[] = ['(document)'];
	let i = 0;
	while (i < flat.length) {
		const lt = flat.indexOf('<', i);
		const textEnd = lt < 0 ? flat.length : lt;
		if (textEnd > i) mark(i, textEnd, { kind: 'between', parent: stack[stack.length - 1] });
		if (lt < 0) break;
		if (flat.startsWith('<!--', lt)) {
			const end = flat.indexOf('-->', lt + 4);
			const stop = end < 0 ? flat.length : end + 3;
			mark(lt, stop, { kind: 'comment' });
			i = stop;
			continue;
		}
		if (flat.startsWith('<?', lt) || flat.startsWith('<!', lt)) {
			const end = flat.indexOf('>', lt);
			i = end < 0 ? flat.length : end + 1;
			continue;
		}
		if (flat[lt + 1] === '/') {
			const end = flat.indexOf('>', lt);
			const name = flat.slice(lt + 2, end < 0 ? flat.length : end).trim();
			const at = stack.lastIndexOf(name);
			if (at > 0) stack.length = at;
			i = end < 0 ? flat.length : end + 1;
			continue;
		}
		// Opening tag: name, attributes (quoted or not), end.
		const nameMatch = /^<([a-zA-Z][\w:-]*)/.exec(flat.slice(lt, lt + 100));
		if (!nameMatch) {
			i = lt + 1;
			continue;
		}
		const tag = nameMatch[1];
		let j = lt + nameMatch[0].length;
		let selfClosing = false;
		let inline = false;
		const attrRe = /\s*([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/y;
		for (;;) {
			while (j < flat.length && /\s/.test(flat[j])) j++;
			if (j >= flat.length) break;
			if (flat[j] === '>') {
				j++;
				break;
			}
			if (flat[j] === '/' && flat[j + 1] === '>') {
				selfClosing = true;
				j += 2;
				break;
			}
			attrRe.lastIndex = j;
			const am = attrRe.exec(flat);
			if (!am) {
				j++;
				continue;
			}
			const attribute = am[1];
			const nameStart = am.index + am[0].indexOf(attribute);
			if (/pzlq\d+x/.test(attribute)) mark(nameStart, nameStart + attribute.length, { kind: 'in-tag', tag });
			const value = am[2] ?? am[3] ?? am[4];
			if (value !== undefined) {
				const valueStart = am.index + am[0].length - value.length - (am[4] !== undefined ? 0 : 1);
				mark(valueStart, valueStart + value.length, { kind: 'attribute', tag, attribute });
				if (tag === 'mj-style' && attribute === 'inline' && value === 'inline') inline = true;
			}
			j = am.index + am[0].length;
		}
		if (!selfClosing && ending.has(tag)) {
			const close = flat.indexOf(`</${tag}`, j);
			const stop = close < 0 ? flat.length : close;
			mark(j, stop, { kind: 'content', tag: tag === 'mj-style' && inline ? 'mj-style-inline' : tag });
			const end = close < 0 ? flat.length : flat.indexOf('>', close);
			i = end < 0 ? flat.length : end + 1;
			continue;
		}
		if (!selfClosing) stack.push(tag);
		i = j;
	}
	for (let k = 0; k < count; k++) contexts[k] ??= { kind: 'comment' };
	return contexts;
}

/** A piece of the compiled HTML copied from the expanded template: `length` characters at `at`, from `from`. */
export interface Origin {
	at: number;
	from: number;
	length: number;
}

export interface MjmlCompiled {
	/** Compiled HTML with the Liquid restored, ready for liquidjs. */
	liquidHtml: string;
	findings: Finding[];
	/** Where each restored Liquid token sits in liquidHtml, and where it came from in the expanded template (in order). */
	origins: Origin[];
}

/**
 * A `{% for %}` (or `tablerow`) that repeats `<mj-column>` elements of a section outside the loop,
 * a column without `width`: MJML sizes columns when it compiles, from the columns it sees, and sees
 * one, so every repeated column is 100% wide (Outlook's tables put 600px cells side by side, 1,800px
 * for 3 products; other clients stack them). A loop that repeats whole sections (`<mj-section>` or
 * `<mj-group>` inside the loop) is fine.
 */
export function loopColumnFindings(expanded: string, tokens: LiquidToken[], map: SourceMap): Finding[] {
	const findings: Finding[] = [];
	const open: LiquidToken[] = [];
	for (const token of tokens) {
		if (token.kind !== 'tag') continue;
		if (token.name === 'for' || token.name === 'tablerow') open.push(token);
		else if ((token.name === 'endfor' || token.name === 'endtablerow') && open.length) {
			const loop = open.pop()!;
			const body = expanded.slice(loop.end, token.start);
			let sections = 0;
			for (const tag of body.matchAll(/<(\/?)(mj-section|mj-group|mj-column)\b([^>]*)>/g)) {
				if (tag[2] !== 'mj-column') sections += tag[1] ? -1 : /\/\s*$/.test(tag[3]) ? 0 : 1;
				else if (!tag[1] && sections <= 0 && !/\swidth\s*=/.test(tag[3])) {
					const loc = map.locate(loop.start);
					findings.push({
						severity: 'warning',
						check: 'loop-column-width',
						message: `${loc.source} line ${loc.line}: the loop repeats <mj-column> without a width, so every repeated column is 100% wide (MJML sizes columns from the one it sees; Outlook puts them side by side at full width). Set a fixed width, e.g. <mj-column width="25%"> for 4 items (one width for every recipient: MJML reads it when it compiles, so it cannot come from Liquid), or repeat whole <mj-section>s`,
						source: loc.source,
						line: loc.line,
						column: loc.column,
					});
					break;
				}
			}
		}
	}
	return findings;
}

/** Compiles protected MJML once, checks every placeholder survived, restores the Liquid. */
export async function compileMjml(expanded: string, tokens: LiquidToken[], map: SourceMap): Promise<MjmlCompiled> {
	const api = await loadMjml();
	const prot = protectLiquid(expanded, tokens, map, api);
	let result: Awaited<ReturnType<MjmlApi['compile']>>;
	try {
		result = await api.compile(prot.source, { validationLevel: 'soft', keepComments: false, minify: false, beautify: false });
	} catch (error) {
		throw new TemplateError(`MJML could not compile the template: ${(error as Error).message}`, { check: 'mjml-validation' });
	}
	const findings: Finding[] = loopColumnFindings(expanded, tokens, map);
	for (const e of result.errors ?? []) {
		if (/pzlq\d+x/.test(e.message)) continue; // a placeholder in a string attribute: restored below
		const loc = e.line ? locateProtectedLine(prot, e.line, map) : undefined;
		findings.push({
			severity: 'error',
			check: 'mjml-validation',
			message: `${loc ? `${loc.source} line ${loc.line}: ` : ''}${e.message}`,
			...(loc ?? {}),
		});
	}
	let html = result.html;
	html = squeezeWhitespace(html);
	const seen = new Array<number>(tokens.length).fill(0);
	const origins: Origin[] = [];
	let shift = 0;
	html = html.replace(PLACEHOLDER_RE, (whole, n: string, offset: number) => {
		const i = Number(n);
		if (i >= tokens.length) return whole;
		seen[i]++;
		origins.push({ at: offset + shift, from: tokens[i].start, length: tokens[i].text.length });
		shift += tokens[i].text.length - whole.length;
		return tokens[i].text;
	});
	for (let i = 0; i < tokens.length; i++) {
		if (seen[i] === 0) {
			const loc = map.locate(tokens[i].start);
			throw new TemplateError(
				`${loc.source} line ${loc.line}: MJML dropped ${tokens[i].text} while compiling, so the email would not render as written (a loop would render once). Move it inside an element such as <mj-text>, or around whole elements inside <mj-section> / <mj-column>.`,
				{ check: 'mjml-dropped-liquid', source: loc.source, line: loc.line, column: loc.column },
			);
		}
	}
	return { liquidHtml: html, findings, origins };
}

/** Start tags (attribute values quoted or not, `>` inside quotes allowed). */
const START_TAG = /<([a-zA-Z][\w:-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
const STYLE_ATTR = /(?:^|\s)style\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;
/** white-space values that keep spaces and line breaks (pre, pre-wrap, pre-line, break-spaces; CSS Text 4 white-space-collapse). */
const KEEPS_WHITESPACE = /(?:^|;)\s*white-space(?:-collapse)?\s*:\s*(?:pre|break-spaces|preserve)/i;

/**
 * Email clients ignore indentation, and MJML's pretty-printing is ~26% of its output (the reference
 * email: 48.0 KB → 35.4 KB): line-leading spaces and blank lines go, except inside <pre>,
 * <textarea> and elements whose style attribute keeps white space (white-space: pre, pre-wrap,
 * pre-line, break-spaces), which stay exactly as MJML wrote them. (A white-space set by a class in
 * a <style> is not seen: such content keeps its text, only its line-leading indentation goes.)
 */
export function squeezeWhitespace(html: string): string {
	const squeeze = (text: string) => text.replace(/\n[ \t]+/g, '\n').replace(/\n{2,}/g, '\n');
	if (!/<pre[\s>]|<textarea[\s>]|white-space(?:-collapse)?\s*:\s*(?:pre|break-spaces|preserve)/i.test(html)) return squeeze(html);
	let out = '';
	let pos = 0;
	START_TAG.lastIndex = 0;
	for (let m = START_TAG.exec(html); m; m = START_TAG.exec(html)) {
		const name = m[1].toLowerCase();
		let keep = name === 'pre' || name === 'textarea';
		if (!keep && /white-space/i.test(m[2])) {
			const style = STYLE_ATTR.exec(m[2]);
			keep = style !== null && KEEPS_WHITESPACE.test(style[1] ?? style[2] ?? style[3]);
		}
		if (!keep || m[0].endsWith('/>')) continue;
		const end = elementEnd(html, name, START_TAG.lastIndex);
		out += squeeze(html.slice(pos, m.index)) + html.slice(m.index, end);
		pos = end;
		START_TAG.lastIndex = end;
	}
	return out + squeeze(html.slice(pos));
}

/** Offset after the end tag closing the element whose start tag ends at `from` (same-name elements nest; textarea's text holds no tags); the end of the HTML when it is never closed. */
function elementEnd(html: string, name: string, from: number): number {
	const re = new RegExp(name === 'textarea' ? '<(/)textarea(?=[\\s/>])' : `<(/?)${name.replace(/[^\w:-]/g, '')}(?=[\\s/>])`, 'gi');
	re.lastIndex = from;
	let depth = 1;
	for (let m = re.exec(html); m; m = re.exec(html)) {
		depth += m[1] ? -1 : 1;
		if (depth === 0) {
			const close = html.indexOf('>', m.index);
			return close < 0 ? html.length : close + 1;
		}
	}
	return html.length;
}

function locateProtectedLine(prot: Protected, line: number, map: SourceMap): { source: string; line: number; column: number } | undefined {
	// offset of the start of `line` in the protected source
	let off = 0;
	for (let l = 1; l < line; l++) {
		const nl = prot.source.indexOf('\n', off);
		if (nl < 0) return undefined;
		off = nl + 1;
	}
	let exp = off;
	for (const a of prot.anchors) {
		if (a.protStart > off) break;
		exp = off < a.protEnd ? a.expStart : a.expEnd + (off - a.protEnd);
	}
	return map.locate(exp);
}
