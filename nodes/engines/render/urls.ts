/**
 * Unsafe URLs from the data, neutralised at output time.
 *
 * At compile time, urlOutputs() reads the compiled HTML's Liquid tokens and finds each
 * `{{ output }}` that starts a URL attribute's value (`href="{{ url }}"`, `src`, `background`,
 * `action`, …) or sits inside a CSS `url(…)` (a `style` attribute or a `<style>` element, as MJML
 * writes `mj-section background-url`). At render time guardUrl() replaces such a value by `#` when
 * it starts with a scheme other than http, https, mailto, tel, sms or cid (`javascript:`,
 * `data:`, `vbscript:` …), and, in CSS, percent-encodes the characters that would end the
 * `url('…')` (quotes, parentheses, backslash, line breaks). Only the first output of an attribute
 * value is checked for its scheme (`href="{{ a }}{{ b }}"` checks `a`); `{% echo %}` is not guarded.
 */
import type { PlanToken } from './text';

/** Bit flags: check the scheme (the output starts the URL); percent-encode for CSS `url(…)`. */
export const URL_START = 1;
export const CSS_URL = 2;
export type UrlMode = number;

const URL_ATTRS = new Set(['href', 'src', 'background', 'action', 'formaction', 'poster', 'xlink:href', 'cite', 'longdesc', 'lowsrc', 'dynsrc', 'data']);
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'tel', 'sms', 'cid']);

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

/** The outputs (by token begin) that write into a URL position, and how. */
export function urlOutputs(tokens: PlanToken[]): Map<number, UrlMode> {
	const out = new Map<number, UrlMode>();
	let state = S.Text;
	let tag = '';
	let attr = '';
	let value = ''; // the current attribute value so far, static text only
	let valueHasOutput = false;
	let raw = ''; // <style> content so far
	let rawTag = '';
	for (const t of tokens) {
		if (t.kind === 'tag') continue;
		if (t.kind === 'output') {
			if (state === S.ValueDq || state === S.ValueSq || state === S.ValueUnq) {
				const css = attr === 'style' ? cssUrlMode(value) : 0;
				if (css) out.set(t.begin, css);
				else if (URL_ATTRS.has(attr) && !valueHasOutput && value.trim() === '') out.set(t.begin, URL_START);
				valueHasOutput = true;
				value += 'x';
			} else if (state === S.BeforeValue) {
				// href={{ url }}: an unquoted value starting with the output
				if (URL_ATTRS.has(attr)) out.set(t.begin, URL_START);
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
					if (c === '"') state = S.ValueDq;
					else if (c === "'") state = S.ValueSq;
					else if (c === '>') state = endOfTag();
					else if (!/\s/.test(c)) {
						state = S.ValueUnq;
						value = c;
					}
					break;
				case S.ValueDq:
					if (c === '"') state = S.InTag;
					else value += c;
					break;
				case S.ValueSq:
					if (c === "'") state = S.InTag;
					else value += c;
					break;
				case S.ValueUnq:
					if (/\s/.test(c)) state = S.InTag;
					else if (c === '>') state = endOfTag();
					else value += c;
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
	return out;

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
