/**
 * Unsafe URLs from the data, neutralised at output time.
 *
 * At compile time, urlOutputs() reads the compiled HTML's Liquid tokens and finds
 * - each `{{ output }}` (or tag that writes values: `{% echo %}`, `{% liquid %}`, `{% cycle %}`,
 *   whose whole output counts as one value) that starts a URL attribute's value (`href="{{ url }}"`, `src`,
 *   `background`, `action`, …) or sits inside a CSS `url(…)` (a `style` attribute or a `<style>`
 *   element, as MJML writes `mj-section background-url`). At render time guardUrl() replaces such
 *   a value by `#` when it starts with a scheme other than http, https, mailto, tel, sms or cid
 *   (`javascript:`, `data:`, `vbscript:` …), and, in CSS, percent-encodes the characters that
 *   would end the `url('…')` (quotes, parentheses, backslash, line breaks);
 * - each URL attribute value holding Liquid (outputs, `{% echo %}`, tags with branches) whose
 *   static text before the first Liquid token does not already decide the scheme: the static
 *   piece where the value opens and the one where it closes. At render time the closing piece
 *   reads the whole value as written (unsafeScheme()) and, when it starts with another scheme,
 *   replaces what the Liquid wrote by `#`. So `href="{{ a }}{{ b }}"`, `href="{{ s }}://{{ h }}"`
 *   and `href="{% echo u %}"` are checked as a whole, whatever part the data wrote.
 * A value whose static start already holds a scheme or a non-scheme character
 * (`href="https://x/{{ p }}"`, `href="/{{ p }}"`, `href="#{{ id }}"`) cannot be turned into
 * another scheme by the data and costs nothing.
 * Liquid branches may leave the HTML in different places (a quote in one branch only, an
 * unquoted value one branch starts and another does not): the scan reads on from every way
 * through a block, and what any of them puts in a URL value is checked.
 */
import type { PlanToken } from './text';

/** Bit flags: check the scheme (the output starts the URL); percent-encode for CSS `url(…)`. */
export const URL_START = 1;
export const CSS_URL = 2;
/**
 * The output writes into an unquoted attribute value (any attribute): white space in it would end
 * the value and start attributes of the data's choosing (`<img src={{ u }}>` with
 * `x onerror=…`), so it is written as character references. https://html.spec.whatwg.org/multipage/syntax.html#unquoted
 */
export const UNQUOTED = 4;
export type UrlMode = number;

const URL_ATTRS = new Set(['href', 'src', 'background', 'action', 'formaction', 'poster', 'xlink:href', 'cite', 'longdesc', 'lowsrc', 'dynsrc', 'data']);
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'tel', 'sms', 'cid']);
const BLOCK_OPENERS = new Set(['if', 'unless', 'case', 'for', 'tablerow']);
const BLOCK_MIDDLES = new Set(['elsif', 'else', 'when']);
/** Tags that write values (`{% echo %}`, `{% liquid echo … %}`, `{% cycle %}`): guarded like outputs, all they write as one value. */
export const WRITING_TAGS = new Set(['echo', 'liquid', 'cycle']);

const enum S {
	Text,
	TagOpen,
	InTag,
	AttrName,
	AfterName,
	BeforeValue,
	ValueDq,
	ValueSq,
	ValueUnq,
	Comment,
	RawText,
	EndTag,
}

/** In CSS text ending inside `url(`: CSS_URL, plus URL_START when nothing but a quote or spaces follows `url(`. */
function cssUrlMode(css: string): UrlMode {
	const lower = css.toLowerCase();
	const open = lower.lastIndexOf('url(');
	if (open === -1 || lower.indexOf(')', open) !== -1) return 0;
	return /^\s*(?:['"]|&#39;|&#34;|&quot;)?\s*$/.test(css.slice(open + 4)) ? CSS_URL | URL_START : CSS_URL;
}

/** Where a URL attribute value holding Liquid closes: the offset of its end in the static piece, and its quote ('' unquoted). */
export interface UrlClose {
	at: number;
	quote: string;
}

export interface UrlPlan {
	/** Outputs and value-writing tags (by token begin) that write into a URL position, and how. */
	outputs: Map<number, UrlMode>;
	/** Static pieces (by token begin) where a checked URL attribute value opens: offset of its first character. */
	opens: Map<number, number>;
	/** Static pieces (by token begin) where a checked URL attribute value closes. */
	closes: Map<number, UrlClose>;
}

/**
 * True when static text at the start of a URL value already decides its scheme: it holds a
 * character no scheme has (`:`, `/`, `#`, `?`, a space…) after the spaces and controls a browser
 * trims. `&` is left undecided (a character reference can still complete `&#58;`).
 */
export function staticStartDecides(prefix: string): boolean {
	if (prefix.includes('&')) return false;
	const v = prefix.replace(/[\t\n\r]/g, '').replace(/^[\x00-\x20]+/, '');
	return /[^a-zA-Z0-9+.-]/.test(v);
}

/** One reading of the HTML so far (see urlOutputs: branches may leave several). */
interface Scan {
	state: S;
	tag: string;
	attr: string;
	/** The current attribute value so far, static text only (an output counts as `x`). */
	value: string;
	valueHasOutput: boolean;
	/** `<style>` content so far. */
	raw: string;
	rawTag: string;
	/** Where the current attribute value may have opened: pieces (token begin) and offsets. */
	openers: ReadonlyArray<readonly [number, number]>;
	/** Whether Liquid is in the current value, and its static text before the first Liquid token. */
	hasLiquid: boolean;
	staticStart: string;
	/** The last static piece read and its length (an unquoted value a Liquid token starts opens after it). */
	lastPiece: number;
	lastPieceLength: number;
}

const inValue = (x: Scan): boolean => x.state === S.ValueDq || x.state === S.ValueSq || x.state === S.ValueUnq;

function liquidInValue(x: Scan): void {
	if (!x.hasLiquid) x.staticStart = x.value;
	x.hasLiquid = true;
}

function openValue(x: Scan, piece: number, at: number): void {
	x.openers = piece >= 0 ? [[piece, at]] : [];
	x.hasLiquid = false;
	x.staticStart = '';
}

function endOfTag(x: Scan): S {
	if (x.tag === 'style' || x.tag === 'script') {
		x.rawTag = x.tag;
		x.raw = '';
		return S.RawText;
	}
	return S.Text;
}

/**
 * Readings that read the rest of the template alike become one. Of a value that already holds
 * Liquid (as at any block tag), only whether it is blank so far still matters (except in CSS);
 * where it may have opened and its static start are merged: every opener is kept, and static
 * starts that differ count as undecided (the value is checked where it closes).
 */
function scanKey(x: Scan): string {
	switch (x.state) {
		case S.Text:
		case S.Comment:
		case S.EndTag:
			return String(x.state);
		case S.TagOpen:
		case S.InTag:
			return JSON.stringify([x.state, x.tag]);
		case S.AttrName:
		case S.AfterName:
			return JSON.stringify([x.state, x.tag, x.attr]);
		case S.BeforeValue:
			return JSON.stringify([x.state, x.tag, x.attr, x.lastPiece, x.lastPieceLength]);
		case S.RawText:
			return JSON.stringify([x.state, x.rawTag, x.raw]);
		default: {
			// a value (the only state where where it opened and its static start matter: merged)
			const value = x.hasLiquid && x.attr !== 'style' ? x.value.trim() === '' : x.value;
			return JSON.stringify([x.state, x.tag, x.attr, x.hasLiquid, value, x.valueHasOutput]);
		}
	}
}

function distinct(list: Scan[]): Scan[] {
	const merged = new Map<string, Scan>();
	for (const x of list) {
		const key = scanKey(x);
		const y = merged.get(key);
		if (!y) {
			merged.set(key, { ...x });
			continue;
		}
		for (const o of x.openers) if (!y.openers.some((p) => p[0] === o[0] && p[1] === o[1])) y.openers = [...y.openers, o];
		if (x.staticStart !== y.staticStart) y.staticStart = '';
		y.hasLiquid ||= x.hasLiquid;
	}
	return [...merged.values()];
}

/**
 * The outputs and value-writing tags, and the attribute values (by token begin) that write into
 * a URL position, and how. The HTML is read as the tokens come; a block's branches
 * (`if`/`elsif`/`else`, `unless`, `case`/`when`, `for`/`else`) each start where the block
 * started, and after the block every way they ended (and the block's start, when no branch or
 * iteration may run) is read on: a branch may close or open an attribute another one does not
 * (a quote in one branch, an unquoted value ended by a space after the block). A position any
 * reading puts in a URL value is guarded.
 */
export function urlOutputs(tokens: PlanToken[]): UrlPlan {
	const out = new Map<number, UrlMode>();
	const opens = new Map<number, number>();
	const closes = new Map<number, UrlClose>();
	const mark = (begin: number, mode: UrlMode) => out.set(begin, (out.get(begin) ?? 0) | mode);
	const closeValue = (x: Scan, piece: number, at: number, quote: string) => {
		if (x.hasLiquid && URL_ATTRS.has(x.attr) && !staticStartDecides(x.staticStart)) {
			let planned = false;
			for (const [p, a] of x.openers) {
				if (p === piece) continue;
				if (!opens.has(p)) opens.set(p, a);
				planned = true;
			}
			if (planned && !closes.has(piece)) closes.set(piece, { at, quote });
		}
		x.openers = [];
		x.hasLiquid = false;
	};
	let scans: Scan[] = [
		{ state: S.Text, tag: '', attr: '', value: '', valueHasOutput: false, raw: '', rawTag: '', openers: [], hasLiquid: false, staticStart: '', lastPiece: -1, lastPieceLength: 0 },
	];
	const blocks: Array<{ start: Scan[]; ends: Scan[]; complete: boolean }> = [];
	for (const t of tokens) {
		if (t.kind === 'tag' && !WRITING_TAGS.has(t.value)) {
			for (const x of scans) if (inValue(x)) liquidInValue(x);
			if (BLOCK_OPENERS.has(t.value)) blocks.push({ start: scans.map((x) => ({ ...x })), ends: [], complete: false });
			else if (BLOCK_MIDDLES.has(t.value) && blocks.length) {
				const block = blocks[blocks.length - 1];
				block.ends.push(...scans);
				if (t.value === 'else') block.complete = true;
				scans = block.start.map((x) => ({ ...x }));
			} else if (t.value.startsWith('end') && BLOCK_OPENERS.has(t.value.slice(3))) {
				const block = blocks.pop();
				// without an else, no branch (or no iteration) may run: the block's start is a way out too
				if (block) scans = distinct([...block.ends, ...scans, ...(block.complete ? [] : block.start)]);
			}
			continue;
		}
		if (t.kind === 'output' || t.kind === 'tag') {
			// CSS url(): guarded when any reading puts the output there (nothing else checks CSS).
			// The start of a URL attribute value: when every reading does; else the value is checked
			// where it closes, in each reading that has it in a URL value (so that an output after
			// `{% if %}https://x/{% endif %}` is not taken for the start when the branch ran).
			let css = 0;
			let starts = 0;
			let unquoted = 0;
			for (const x of scans) {
				if (x.state === S.ValueUnq || x.state === S.BeforeValue) unquoted = UNQUOTED;
				if (inValue(x)) {
					liquidInValue(x);
					const mode = x.attr === 'style' ? cssUrlMode(x.value) : 0;
					if (mode) css |= mode;
					else if (URL_ATTRS.has(x.attr) && !x.valueHasOutput && x.value.trim() === '') starts++;
					x.valueHasOutput = true;
					x.value += 'x';
				} else if (x.state === S.BeforeValue) {
					// href={{ url }}: an unquoted value starting with the output
					if (URL_ATTRS.has(x.attr)) starts++;
					openValue(x, x.lastPiece, x.lastPieceLength);
					x.value = '';
					liquidInValue(x);
					x.state = S.ValueUnq;
					x.value = 'x';
					x.valueHasOutput = true;
				} else if (x.state === S.RawText) {
					const mode = x.rawTag === 'style' ? cssUrlMode(x.raw) : 0;
					if (mode) css |= mode;
					x.raw += 'x';
				}
			}
			const mode = (css || (starts === scans.length ? URL_START : 0)) | unquoted;
			if (mode) mark(t.begin, mode);
			continue;
		}
		for (const x of scans) readPiece(x, t);
		if (scans.length > 1) scans = distinct(scans);
	}
	return { outputs: out, opens, closes };

	function readPiece(x: Scan, t: PlanToken): void {
		const s = t.value;
		x.lastPiece = t.begin;
		x.lastPieceLength = s.length;
		for (let i = 0; i < s.length; i++) {
			const c = s[i];
			switch (x.state) {
				case S.Text:
					if (c === '<') {
						if (s.startsWith('!--', i + 1)) {
							x.state = S.Comment;
							i += 3;
						} else if (s[i + 1] === '/') {
							x.state = S.EndTag;
						} else if (/[a-zA-Z]/.test(s[i + 1] ?? '')) {
							x.state = S.TagOpen;
							x.tag = '';
						}
					}
					break;
				case S.Comment:
					if (c === '>' && s.startsWith('--', i - 2)) x.state = S.Text;
					break;
				case S.EndTag:
					if (c === '>') x.state = S.Text;
					break;
				case S.TagOpen:
					if (/\s/.test(c)) x.state = S.InTag;
					else if (c === '>') x.state = endOfTag(x);
					else if (c === '/') x.state = S.InTag;
					else x.tag += c.toLowerCase();
					break;
				case S.InTag:
					if (c === '>') x.state = endOfTag(x);
					else if (!/[\s/]/.test(c)) {
						x.state = S.AttrName;
						x.attr = c.toLowerCase();
					}
					break;
				case S.AttrName:
					if (c === '=') {
						x.state = S.BeforeValue;
					} else if (c === '>') x.state = endOfTag(x);
					else if (/\s/.test(c)) x.state = S.AfterName;
					else if (c === '/') x.state = S.InTag;
					else x.attr += c.toLowerCase();
					break;
				case S.AfterName:
					if (c === '=') x.state = S.BeforeValue;
					else if (c === '>') x.state = endOfTag(x);
					else if (!/[\s/]/.test(c)) {
						x.state = S.AttrName;
						x.attr = c.toLowerCase();
					}
					break;
				case S.BeforeValue:
					x.value = '';
					x.valueHasOutput = false;
					if (c === '"') {
						x.state = S.ValueDq;
						openValue(x, t.begin, i + 1);
					} else if (c === "'") {
						x.state = S.ValueSq;
						openValue(x, t.begin, i + 1);
					} else if (c === '>') x.state = endOfTag(x);
					else if (!/\s/.test(c)) {
						x.state = S.ValueUnq;
						openValue(x, t.begin, i);
						x.value = c;
					}
					break;
				case S.ValueDq:
					if (c === '"') {
						closeValue(x, t.begin, i, '"');
						x.state = S.InTag;
					} else x.value += c;
					break;
				case S.ValueSq:
					if (c === "'") {
						closeValue(x, t.begin, i, "'");
						x.state = S.InTag;
					} else x.value += c;
					break;
				case S.ValueUnq:
					if (/\s/.test(c)) {
						closeValue(x, t.begin, i, '');
						x.state = S.InTag;
					} else if (c === '>') {
						closeValue(x, t.begin, i, '');
						x.state = endOfTag(x);
					} else x.value += c;
					break;
				case S.RawText:
					if (c === '<' && s.slice(i + 2, i + 2 + x.rawTag.length).toLowerCase() === x.rawTag && s[i + 1] === '/') {
						x.state = S.EndTag;
						x.raw = '';
					} else x.raw += c;
					break;
			}
		}
	}
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const ENTITY = /&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|(colon|Tab|NewLine));?/g;
const NAMED: Record<string, string> = { colon: ':', Tab: '\t', NewLine: '\n' };

/** The scheme a browser would read (entities decoded, tabs and line breaks removed, leading spaces and controls trimmed). */
function schemeOf(value: string): string | undefined {
	let v = value;
	if (v.includes('&')) {
		v = v.replace(ENTITY, (_m, dec: string | undefined, hex: string | undefined, name: string | undefined) =>
			name ? NAMED[name] : String.fromCodePoint(Math.min(parseInt(dec ?? hex ?? '0', dec ? 10 : 16), 0x10ffff)),
		);
	}
	v = v.replace(/[\t\n\r]/g, '').replace(/^[\x00-\x20]+/, '');
	const m = SCHEME.exec(v);
	return m ? m[1].toLowerCase() : undefined;
}

const CSS_BREAKERS = /&#39;|&#34;|&quot;|&apos;|['"()\\\n\r\f]/g;
const CSS_CODES: Record<string, string> = { '&#39;': '%27', '&apos;': '%27', '&#34;': '%22', '&quot;': '%22', "'": '%27', '"': '%22', '(': '%28', ')': '%29', '\\': '%5C', '\n': '%0A', '\r': '%0D', '\f': '%0C' };

/** The value written for an output in a URL position (see the module comment). */
export function guardUrl(value: string, mode: UrlMode): string {
	if (mode & URL_START && (value.includes(':') || value.includes('&'))) {
		const scheme = schemeOf(value);
		if (scheme !== undefined && !SAFE_SCHEMES.has(scheme)) return '#';
	}
	const css = mode & CSS_URL ? value.replace(CSS_BREAKERS, (m) => CSS_CODES[m]) : value;
	return mode & UNQUOTED && HTML_SPACE.test(css) ? css.replace(HTML_SPACES, (m) => SPACE_REFS[m]) : css;
}

/** ASCII white space, which ends an unquoted attribute value (https://infra.spec.whatwg.org/#ascii-whitespace). */
const HTML_SPACE = /[\t\n\f\r ]/;
const HTML_SPACES = /[\t\n\f\r ]/g;
const SPACE_REFS: Record<string, string> = { '\t': '&#9;', '\n': '&#10;', '\f': '&#12;', '\r': '&#13;', ' ': '&#32;' };

/**
 * True when a whole URL attribute value, as written (HTML, before the browser decodes it), starts
 * with a scheme other than the safe ones. `quote` is the attribute's quote ('' unquoted): an
 * unescaped value holding it ends the attribute there, as in a browser.
 */
export function unsafeScheme(value: string, quote: string): boolean {
	let v = value;
	let q = quote;
	if (!q) {
		// An unquoted value is read from where the attribute's `=` left off: a browser skips the
		// whitespace there, and a quote there starts a quoted value (what Liquid wrote can be either)
		// (https://html.spec.whatwg.org/multipage/parsing.html#before-attribute-value-state).
		v = v.replace(/^[\t\n\f\r ]+/, '');
		if (v[0] === '"' || v[0] === "'") {
			q = v[0];
			v = v.slice(1);
		}
	}
	const end = q ? v.indexOf(q) : v.search(/[\t\n\f\r >]/);
	if (end >= 0) v = v.slice(0, end);
	if (!v.includes(':') && !v.includes('&')) return false;
	const scheme = schemeOf(v);
	return scheme !== undefined && !SAFE_SCHEMES.has(scheme);
}
