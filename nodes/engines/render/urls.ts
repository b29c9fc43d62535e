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
 */
import type { PlanToken } from './text';

/** Bit flags: check the scheme (the output starts the URL); percent-encode for CSS `url(…)`. */
export const URL_START = 1;
export const CSS_URL = 2;
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

/** The outputs and value-writing tags, and the attribute values (by token begin) that write into a URL position, and how. */
export function urlOutputs(tokens: PlanToken[]): UrlPlan {
	const out = new Map<number, UrlMode>();
	const opens = new Map<number, number>();
	const closes = new Map<number, UrlClose>();
	let state = S.Text;
	let tag = '';
	let attr = '';
	let value = ''; // the current attribute value so far, static text only
	let valueHasOutput = false;
	let raw = ''; // <style> content so far
	let rawTag = '';
	// the current attribute value: where it may have opened (pieces and offsets: several when
	// branches open it differently), whether Liquid is in it, its static start
	let openers: ReadonlyArray<readonly [number, number]> = [];
	let hasLiquid = false;
	let staticStart = '';
	let lastPiece = -1;
	let lastPieceLength = 0;
	const inValue = () => state === S.ValueDq || state === S.ValueSq || state === S.ValueUnq;
	const liquidInValue = () => {
		if (!hasLiquid) staticStart = value;
		hasLiquid = true;
	};
	const openValue = (piece: number, at: number) => {
		openers = piece >= 0 ? [[piece, at]] : [];
		hasLiquid = false;
		staticStart = '';
	};
	const closeValue = (piece: number, at: number, quote: string) => {
		if (hasLiquid && URL_ATTRS.has(attr) && !staticStartDecides(staticStart)) {
			let planned = false;
			for (const [p, a] of openers) {
				if (p === piece) continue;
				opens.set(p, a);
				planned = true;
			}
			if (planned) closes.set(piece, { at, quote });
		}
		openers = [];
		hasLiquid = false;
	};
	// Branches: each `elsif`/`else`/`when` starts where its block started (so a branch that opens or
	// closes an attribute differently from another is read as written, not after the other). After
	// the block the scan goes on from the last branch's end, and a URL value open there may have
	// opened in any branch (or before the block, when no branch ran): all those openers are kept
	// and the value is checked as a whole where it closes.
	type Snapshot = [S, string, string, string, boolean, string, string, ReadonlyArray<readonly [number, number]>, boolean, string, number, number];
	const snapshot = (): Snapshot => [state, tag, attr, value, valueHasOutput, raw, rawTag, openers, hasLiquid, staticStart, lastPiece, lastPieceLength];
	const restore = (v: Snapshot) => {
		[state, tag, attr, value, valueHasOutput, raw, rawTag, openers, hasLiquid, staticStart, lastPiece, lastPieceLength] = v;
	};
	const merge = (ends: Snapshot[]) => {
		// the current state is the last branch's end; the others (and the block's start) may be the real one
		let extra: Array<readonly [number, number]> = [];
		let fromBefore = false;
		for (const e of ends) {
			if (e[0] === S.ValueDq || e[0] === S.ValueSq || e[0] === S.ValueUnq) {
				if (e[0] === state || (state === S.BeforeValue && e[0] === S.ValueUnq)) extra = extra.concat(e[7]);
			} else if (e[0] === S.BeforeValue && e[2] === attr && e[10] >= 0) {
				// no branch opened the unquoted value there: it opens after that piece, where the block wrote
				extra.push([e[10], e[11]]);
				fromBefore = true;
			}
		}
		if (state === S.BeforeValue) {
			// a branch opened an unquoted value, this one did not: it opens after this branch's last piece
			if (!ends.some((e) => e[0] === S.ValueUnq)) return;
			state = S.ValueUnq;
			value = '';
			valueHasOutput = false;
			openers = lastPiece >= 0 ? [[lastPiece, lastPieceLength]] : [];
			fromBefore = true;
		} else if (!inValue()) return;
		const all = openers.concat(extra);
		const distinct = new Set(all.map(([p, a]) => `${p}:${a}`));
		if (distinct.size > openers.length || fromBefore) {
			openers = all.filter(([p, a], i) => all.findIndex(([q, b]) => q === p && b === a) === i);
			hasLiquid = true;
			staticStart = '';
		}
	};
	const blocks: Array<{ start: Snapshot; ends: Snapshot[] }> = [];
	for (const t of tokens) {
		if (t.kind === 'tag' && !WRITING_TAGS.has(t.value)) {
			if (inValue()) liquidInValue();
			if (BLOCK_OPENERS.has(t.value)) blocks.push({ start: snapshot(), ends: [] });
			else if (BLOCK_MIDDLES.has(t.value) && blocks.length) {
				const block = blocks[blocks.length - 1];
				block.ends.push(snapshot());
				restore(block.start);
			} else if (t.value.startsWith('end') && BLOCK_OPENERS.has(t.value.slice(3))) {
				const block = blocks.pop();
				// the block's start counts as an end too (no branch taken, no iteration)
				if (block) merge([...block.ends, block.start]);
			}
			continue;
		}
		if (t.kind === 'output' || t.kind === 'tag') {
			if (inValue()) {
				liquidInValue();
				const css = attr === 'style' ? cssUrlMode(value) : 0;
				if (css) out.set(t.begin, css);
				else if (URL_ATTRS.has(attr) && !valueHasOutput && value.trim() === '') out.set(t.begin, URL_START);
				valueHasOutput = true;
				value += 'x';
			} else if (state === S.BeforeValue) {
				// href={{ url }}: an unquoted value starting with the output
				if (URL_ATTRS.has(attr)) out.set(t.begin, URL_START);
				openValue(lastPiece, lastPieceLength);
				value = '';
				liquidInValue();
				state = S.ValueUnq;
				value = 'x';
				valueHasOutput = true;
			} else if (state === S.RawText) {
				const css = rawTag === 'style' ? cssUrlMode(raw) : 0;
				if (css) out.set(t.begin, css);
				raw += 'x';
			}
			continue;
		}
		const s = t.value;
		lastPiece = t.begin;
		lastPieceLength = s.length;
		for (let i = 0; i < s.length; i++) {
			const c = s[i];
			switch (state) {
				case S.Text:
					if (c === '<') {
						if (s.startsWith('!--', i + 1)) {
							state = S.Comment;
							i += 3;
						} else if (s[i + 1] === '/') {
							state = S.EndTag;
						} else if (/[a-zA-Z]/.test(s[i + 1] ?? '')) {
							state = S.TagOpen;
							tag = '';
						}
					}
					break;
				case S.Comment:
					if (c === '>' && s.startsWith('--', i - 2)) state = S.Text;
					break;
				case S.EndTag:
					if (c === '>') state = S.Text;
					break;
				case S.TagOpen:
					if (/\s/.test(c)) state = S.InTag;
					else if (c === '>') state = endOfTag();
					else if (c === '/') state = S.InTag;
					else tag += c.toLowerCase();
					break;
				case S.InTag:
					if (c === '>') state = endOfTag();
					else if (!/[\s/]/.test(c)) {
						state = S.AttrName;
						attr = c.toLowerCase();
					}
					break;
				case S.AttrName:
					if (c === '=') {
						state = S.BeforeValue;
					} else if (c === '>') state = endOfTag();
					else if (/\s/.test(c)) state = S.AfterName;
					else if (c === '/') state = S.InTag;
					else attr += c.toLowerCase();
					break;
				case S.AfterName:
					if (c === '=') state = S.BeforeValue;
					else if (c === '>') state = endOfTag();
					else if (!/[\s/]/.test(c)) {
						state = S.AttrName;
						attr = c.toLowerCase();
					}
					break;
				case S.BeforeValue:
					value = '';
					valueHasOutput = false;
					if (c === '"') {
						state = S.ValueDq;
						openValue(t.begin, i + 1);
					} else if (c === "'") {
						state = S.ValueSq;
						openValue(t.begin, i + 1);
					} else if (c === '>') state = endOfTag();
					else if (!/\s/.test(c)) {
						state = S.ValueUnq;
						openValue(t.begin, i);
						value = c;
					}
					break;
				case S.ValueDq:
					if (c === '"') {
						closeValue(t.begin, i, '"');
						state = S.InTag;
					} else value += c;
					break;
				case S.ValueSq:
					if (c === "'") {
						closeValue(t.begin, i, "'");
						state = S.InTag;
					} else value += c;
					break;
				case S.ValueUnq:
					if (/\s/.test(c)) {
						closeValue(t.begin, i, '');
						state = S.InTag;
					} else if (c === '>') {
						closeValue(t.begin, i, '');
						state = endOfTag();
					} else value += c;
					break;
				case S.RawText:
					if (c === '<' && s.slice(i + 2, i + 2 + rawTag.length).toLowerCase() === rawTag && s[i + 1] === '/') {
						state = S.EndTag;
						raw = '';
					} else raw += c;
					break;
			}
		}
	}
	return { outputs: out, opens, closes };

	function endOfTag(): S {
		if (tag === 'style' || tag === 'script') {
			rawTag = tag;
			raw = '';
			return S.RawText;
		}
		return S.Text;
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
	return mode & CSS_URL ? value.replace(CSS_BREAKERS, (m) => CSS_CODES[m]) : value;
}

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
