/**
 * HTML → plain-text alternative (the text/plain part).
 * Keeps reading order, paragraphs and table rows as lines, links as `text (url)` (http, mailto, tel, sms), images as
 * their alt text, list items as `- ` (`<ul>`) or numbered `1. ` from the `start` attribute (an item's `value` renumbers it), counting down with `reversed`
 * (`<ol>`; nested lists indented, numbered per recipient when a loop writes the items); drops head, styles, scripts, comments (incl. Outlook-only conditionals) and
 * what a browser does not show, read as the unsubscribe lint reads it (visibility.ts: display:none, opacity:0,
 * visibility:hidden, a zero font size, a zero height that clips…, e.g. the preheader); keeps the line breaks of a `<pre>` and of an element styled
 * `white-space: pre`, `pre-wrap`, `pre-line` or `break-spaces`. A single-pass scanner (email HTML is
 * machine-written by MJML or the marketer's tool, and the text part only needs text, links, alts).
 *
 * Two stages: `scan` turns HTML into a "pre-text" (text with markers for line breaks, links and
 * alts), `finalizeText` turns the pre-text into lines. Splitting them lets a compiled template
 * derive its text ONCE (compileTextPlan: the scanner runs on the template HTML with every Liquid
 * token replaced by a placeholder, and each static piece of HTML gets its pre-text), so that per
 * recipient only the Liquid values are added and the short pre-text is finalized, instead of
 * re-scanning ~34 KB of HTML. When that cannot be proven equivalent, the caller scans per recipient.
 */
import { decode as decodeHtml } from 'he';
import { openBox, ROOT, showsImage, showsText, takesSpace, type AttrReader, type Box } from './visibility';

const BLOCK = new Set([
	'p', 'div', 'table', 'tr', 'tbody', 'thead', 'tfoot', 'section', 'article', 'header', 'footer', 'h1', 'h2', 'h3', 'h4',
	'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'center', 'hr', 'pre', 'address',
]);
const PARAGRAPH = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table']);
const SKIP = new Set(['head', 'style', 'script', 'title', 'noscript', 'template']);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
/** A style attribute may set `white-space` (each candidate is read precisely). */
const WS_MARKER = /white-space/gi;
/** A `white-space` declaration of a style attribute: the last one counts, unless an earlier one is `!important` and it is not (CSS Cascade 4). */
const WS_DECL = /(?:^|;)\s*white-space\s*:\s*([a-z-]+)\s*(!\s*important\s*)?(?=;|$)/gi;

/**
 * How an element's text shows its white space (CSS Text 3, `white-space`): `normal` (runs collapse,
 * line breaks are spaces: also `nowrap`), `pre` (spaces, tabs and line breaks kept: a `<pre>`, and
 * `pre`, `pre-wrap`, `break-spaces`) or `pre-line` (runs of spaces collapse, line breaks kept).
 * https://www.w3.org/TR/css-text-3/#white-space-property
 */
type WhiteSpace = 'normal' | 'pre' | 'pre-line';

/** The white-space mode a style attribute sets, or undefined when it sets none (the parent's is inherited). */
function styleWhiteSpace(style: string): WhiteSpace | undefined {
	let mode: WhiteSpace | undefined;
	let important = false;
	for (const m of style.matchAll(WS_DECL)) {
		if (important && !m[2]) continue;
		important = Boolean(m[2]);
		const v = m[1].toLowerCase();
		if (v === 'pre' || v === 'pre-wrap' || v === 'break-spaces') mode = 'pre';
		else if (v === 'pre-line') mode = 'pre-line';
		else if (v === 'normal' || v === 'nowrap' || v === 'initial') mode = 'normal';
		else if (v === 'inherit' || v === 'unset') mode = undefined;
	}
	return mode;
}

/**
 * Character references decoded as HTML5 defines them (all 2,231 named references, numeric ones,
 * and the legacy names browsers accept without `;`), with `he` (bundled): the text part of
 * `Caf&eacute; &rarr;` is `Café →`, not the raw reference.
 */
export function decodeEntities(s: string): string {
	if (!s.includes('&')) return s;
	return decodeHtml(s);
}

/** One attribute of a tag's attribute text: name (lowercase) and the value's span (quotes excluded). */
interface AttrSpan {
	name: string;
	start: number;
	end: number;
	quoted: boolean;
	hasValue: boolean;
}

/**
 * Tokenizes a tag's attribute text (what follows the tag name) the way browsers read it: names,
 * `=`, quoted or unquoted values. Words inside a value are never taken for attributes.
 */
export function parseAttrs(attrs: string): AttrSpan[] {
	const out: AttrSpan[] = [];
	const n = attrs.length;
	let i = 0;
	while (i < n) {
		let c = attrs.charCodeAt(i);
		if (c <= 32 || c === 47 /* / */) {
			i++;
			continue;
		}
		const nameStart = i;
		i++;
		while (i < n) {
			c = attrs.charCodeAt(i);
			if (c <= 32 || c === 47 || c === 61 /* = */ || c === 62 /* > */) break;
			i++;
		}
		const name = attrs.slice(nameStart, i).toLowerCase();
		let j = i;
		while (j < n && attrs.charCodeAt(j) <= 32) j++;
		if (j < n && attrs.charCodeAt(j) === 61) {
			j++;
			while (j < n && attrs.charCodeAt(j) <= 32) j++;
			const q = attrs.charCodeAt(j);
			if (q === 34 || q === 39) {
				const close = attrs.indexOf(q === 34 ? '"' : "'", j + 1);
				const end = close < 0 ? n : close;
				out.push({ name, start: j + 1, end, quoted: true, hasValue: true });
				i = end + 1;
			} else {
				let k = j;
				while (k < n && attrs.charCodeAt(k) > 32 && attrs.charCodeAt(k) !== 62) k++;
				out.push({ name, start: j, end: k, quoted: false, hasValue: true });
				i = k;
			}
		} else {
			out.push({ name, start: i, end: i, quoted: false, hasValue: false });
		}
	}
	return out;
}

function findAttr(spans: AttrSpan[], name: string): AttrSpan | undefined {
	for (const s of spans) if (s.name === name) return s; // the first one counts, as in browsers
	return undefined;
}

/**
 * An AttrReader (visibility.ts) over a tag's attribute text: an attribute's entity-decoded value,
 * '' for one written without a value, undefined when the tag has none (the first one counts, as in
 * browsers). `spans` is called at each read, so a caller may parse the attributes on the first one.
 */
export function attrReader(attrs: string, spans: () => AttrSpan[]): AttrReader {
	return (name) => {
		const a = findAttr(spans(), name);
		return a?.hasValue ? decodeEntities(attrs.slice(a.start, a.end)) : a ? '' : undefined;
	};
}

/** The (entity-decoded) value of attribute `name` in a tag's attribute text; '' when it has none. */
export function attr(attrs: string, name: string): string | undefined {
	if (attrs.toLowerCase().indexOf(name) < 0) return undefined;
	const s = findAttr(parseAttrs(attrs), name);
	return s && s.hasValue ? decodeEntities(attrs.slice(s.start, s.end)) : undefined;
}

// ---- pre-text markers (private use area; any such character in the content is escaped) ----
const M_BR = '\uE000';
const M_PARA = '\uE001';
const M_HR = '\uE002';
const M_AOPEN = '\uE003';
/**
 * In a link's content: something of the link is hidden here (an element not rendered, text not
 * seen, a hidden image; right after its href when the link's own text is not seen, as an image link
 * in MJML's `font-size:0px` cell). Such a link writes its URL only when something in it shows
 * (text, an image), so a hidden link is not read out. Outside an `<ol>`'s argument, where it ends it.
 */
const M_HIDDEN = '\uE009';
const M_AHREF = '\uE004';
const M_ACLOSE = '\uE005';
const M_IMG = '\uE006';
const M_IMGEND = '\uE007';
/** `<ol>`: followed by its first number (the `start` attribute, else 1; `r` before it, or alone for the number of items, when reversed) and M_ARGEND. */
const M_OL = '\uE008';
const M_ARGEND = '\uE009';
const M_UL = '\uE00A';
/**
 * `<li>`: `- ` in a `<ul>` (or outside any list), the next number and `. ` in an `<ol>`; followed by its
 * argument and M_ARGEND: `h` when the item's marker is not seen (`visibility:hidden`, a zero font size: the
 * item still takes its number, CSS Lists 3 list-item counter), then its `value` attribute's number, if any.
 */
const M_LI = '\uE00B';
/** `</ol>` or `</ul>`. */
const M_LISTEND = '\uE00C';
/** Inside `<pre>`: followed by a space or a tab that is kept, never collapsed or trimmed at the start of a line. */
const M_HARDSP = '\uE00D';
/** Inside `<pre>`: a line break that is kept; a blank line of the `<pre>` stays a blank line. */
const M_HARDBR = '\uE00E';
const M_ESC = '\uE00F';
const MARKER_TEST = /[\uE000-\uE00F]/;
const MARKER_ALL = /[\uE000-\uE00F]/g;

/** Makes content safe to put in a pre-text (marker characters are escaped). */
export function escapeMarkers(s: string): string {
	return MARKER_TEST.test(s) ? s.replace(MARKER_ALL, (m) => M_ESC + m) : s;
}

/** Placeholders for Liquid tokens in template mode: one character each, from U+E100. */
const PH_BASE = 0xe100;
export const PH_MAX = 0xf8ff - PH_BASE;
const PRIVATE_USE = /[\uE000-\uF8FF]/;

/** Template mode: what the scanner learns about each Liquid token (by placeholder index). */
interface TemplateScan {
	count: number;
	isTag: boolean[];
	/** outputs: does the value go into the text part? */
	live: boolean[];
	/** outputs in text hidden with visibility:hidden: a space in the text part when the value is not empty */
	gap: boolean[];
	/** tags: scanner state where they stand (same state is required across a block). */
	state: string[];
	fail?: string;
}

interface Entry {
	id: number;
	name: string;
	hidden: boolean;
	/** how the element renders (visibility.ts); its parent's inside a hidden element, where nothing is read */
	box: Box;
	link: boolean;
	/** the white-space mode outside this element, when the element sets its own (a `<pre>`, a style's `white-space`) */
	outerWs?: WhiteSpace;
	/** a link (per-recipient conversion): its attribute text, to open it again where the parser does */
	attrs?: string;
}

/**
 * Start tags before which the HTML parser does not reopen a formatting element (an `<a>` that an
 * end tag such as `</p>` closed): block-level and table elements. Text and other start tags (`span`,
 * `img`, `br`…) reopen it ("reconstruct the active formatting elements").
 * https://html.spec.whatwg.org/multipage/parsing.html#reconstruct-the-active-formatting-elements
 */
const NO_REOPEN = new Set([
	...BLOCK, 'td', 'th', 'caption', 'colgroup', 'col', 'html', 'body', 'dd', 'dt', 'dl', 'main', 'nav', 'aside', 'figure', 'figcaption',
	'details', 'summary', 'dialog', 'fieldset', 'menu', 'search', 'hgroup', 'dir', 'a',
]);

const isSpecialStatic = /[\x00-\x08\x0b-\x1f\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/**
 * HTML → pre-text. With `tpl` (template mode), `html` holds one placeholder character per Liquid
 * token; the pre-text then holds each placeholder once, in order, and `tpl` says which output
 * values reach the text and the scanner state at each tag (or why the template is not eligible).
 */
export function scanHtml(html: string, tpl?: TemplateScan): string {
	let out = '';
	// marker characters can only come from the HTML itself or from numeric entities
	const mayHoldMarkers = tpl !== undefined || html.indexOf('&#') >= 0 || MARKER_TEST.test(html);
	const stack: Entry[] = [];
	let hidden = 0;
	/** the box that text written here is in, and whether the root's font size is 0 (for `rem`) */
	let box: Box = ROOT;
	let rootZeroFont = false;
	/** a link an end tag of another element closed (`<p><a>one</p><p>two</a>`): the parser opens it again before the next text */
	let closedLink: Entry | undefined;
	/** the table cells (and captions) open around that link: the parser's markers, which stop reopening it inside a cell and drop it when the cell ends */
	let closedLinkCells = 0;
	/** Whether the innermost open table part is a cell (not a table written inside it). */
	const inCell = () => {
		for (let s = stack.length - 1; s >= 0; s--) {
			const name = stack[s].name;
			if (name === 'td' || name === 'th' || name === 'caption') return true;
			if (name === 'table') return false;
		}
		return false;
	};
	const cellDepth = () => {
		let d = 0;
		for (const e of stack) if (e.name === 'td' || e.name === 'th' || e.name === 'caption') d++;
		return d;
	};
	/** how the text here shows its white space, and where the content of the last `<pre>` opened starts (a line break right there is not shown) */
	let ws: WhiteSpace = 'normal';
	let preStart = -1;
	let ids = 0;
	const fail = (why: string) => {
		if (tpl && !tpl.fail) tpl.fail = why;
	};
	/** Whether a link is open (its content is being read). */
	const inLink = () => {
		for (let s = stack.length - 1; s >= 0; s--) if (stack[s].link) return true;
		return false;
	};
	const isPh = (c: number) => tpl !== undefined && c >= PH_BASE && c < PH_BASE + tpl.count;
	const sig = () => {
		let s = '';
		for (const e of stack) s += `${e.id},`;
		return s;
	};
	/** Placeholders in [from, to) that produce no text (comments, head, hidden, other attributes). */
	const silent = (from: number, to: number, state: string) => {
		if (!tpl) return;
		for (let i = from; i < to; i++) {
			const c = html.charCodeAt(i);
			if (!isPh(c)) continue;
			const idx = c - PH_BASE;
			if (tpl.isTag[idx]) tpl.state[idx] = state;
			else tpl.live[idx] = false;
			out += html[i];
		}
	};
	const hasPh = (from: number, to: number) => {
		if (!tpl) return false;
		for (let i = from; i < to; i++) if (isPh(html.charCodeAt(i))) return true;
		return false;
	};
	/** A static piece of text content (template mode): normalized the way the per-recipient scan would. */
	const staticPiece = (s: string, beforePh: boolean): string => {
		if (!s) return '';
		if (s.indexOf('\n') >= 0) s = s.replace(/\s+/g, ' ');
		else if (isSpecialStatic.test(s)) fail('unusual whitespace or control characters in the text');
		if (beforePh && /&[#a-zA-Z0-9]*$/.test(s)) fail('an entity is split by Liquid');
		const d = decodeEntities(s);
		if (d !== s && /[\uE100-\uF8FF]/.test(d)) fail('private-use characters in the text');
		return escapeMarkers(d);
	};
	/** A static piece of an attribute value (template mode). */
	const attrPiece = (s: string, beforePh: boolean): string => {
		if (beforePh && /&[#a-zA-Z0-9]*$/.test(s)) fail('an entity is split by Liquid');
		const d = decodeEntities(s);
		if (d !== s && /[\uE100-\uF8FF]/.test(d)) fail('private-use characters in an attribute');
		return escapeMarkers(d);
	};
	const text = (from: number, to: number) => {
		if (to <= from) return;
		if (closedLink && hidden === 0) reopenLink();
		if (tpl && hasPh(from, to)) {
			// Liquid beside a closed <details>' summaries could change which summary shows
			if (box.closed) fail('Liquid inside a closed <details>');
			if (hidden > 0 || !showsText(box)) {
				if (hidden === 0 && takesSpace(box)) {
					// the hidden text leaves a gap (one space) when any of it is written: each static
					// piece writes its space, each value one when it is not empty
					let start = from;
					for (let i = from; i <= to; i++) {
						if (i < to && !isPh(html.charCodeAt(i))) continue;
						if (i > start) out += ' ';
						if (i < to) {
							const idx = html.charCodeAt(i) - PH_BASE;
							if (tpl.isTag[idx]) tpl.state[idx] = sig();
							else tpl.gap[idx] = true;
							out += html[i];
						}
						start = i + 1;
					}
					return;
				}
				silent(from, to, tpl ? sig() : '');
				return;
			}
			if (ws !== 'normal') fail('Liquid inside a <pre> or white-space: pre');
			let start = from;
			for (let i = from; i < to; i++) {
				const c = html.charCodeAt(i);
				if (!isPh(c)) continue;
				out += staticPiece(html.slice(start, i), true);
				const idx = c - PH_BASE;
				if (tpl.isTag[idx]) tpl.state[idx] = sig();
				else tpl.live[idx] = true;
				out += html[i];
				start = i + 1;
			}
			out += staticPiece(html.slice(start, to), false);
			return;
		}
		// text not seen: in a zero font size nothing, white space included (it shows no gap); under
		// visibility:hidden a space, since the text still takes its room between the words around it
		if (hidden > 0 || !showsText(box)) {
			if (hidden === 0 && takesSpace(box)) out += ' ';
			return;
		}
		if (ws !== 'normal') {
			preText(from, to);
			return;
		}
		let k = from;
		while (k < to && html.charCodeAt(k) <= 32) k++;
		if (k === to) {
			out += ' '; // whitespace only: one space (finalizeText trims and collapses)
			return;
		}
		const chunk = html.slice(from, to);
		const decoded = decodeEntities(chunk.indexOf('\n') >= 0 || chunk.indexOf('  ') >= 0 || chunk.indexOf('\t') >= 0 ? chunk.replace(/\s+/g, ' ') : chunk);
		if (tpl && decoded !== chunk && /[\uE100-\uF8FF]/.test(decoded)) fail('private-use characters in the text');
		out += mayHoldMarkers ? escapeMarkers(decoded) : decoded;
	};
	/**
	 * Opens again, as a copy with the same attributes, the link an end tag of another element
	 * closed (the parser's "reconstruct the active formatting elements"), so that the text after
	 * `</p><p>` still links where the `</a>` has not come yet. Per-recipient conversion only.
	 */
	const reopenLink = () => {
		// inside a cell opened after the link, it stays closed (reconstruction stops at the cell's marker)
		if (cellDepth() !== closedLinkCells) return;
		const e = closedLink!;
		closedLink = undefined;
		const attrs = e.attrs ?? '';
		const spans = parseAttrs(attrs);
		const valueOf = attrReader(attrs, () => spans);
		const { box: own } = openBox('a', attrs, valueOf, box, rootZeroFont);
		if (own.gone) return;
		out += M_AOPEN + escapeMarkers(valueOf('href') ?? '') + M_AHREF;
		if (!showsText(own)) out += M_HIDDEN;
		box = own;
		stack.push({ id: ids++, name: 'a', hidden: false, link: true, box, attrs });
	};
	/**
	 * Text inside a `<pre>`, white space as shown: spaces and tabs kept, each line break a line (a
	 * blank line stays), the line break right after the start tag dropped, as HTML's parser does.
	 * https://html.spec.whatwg.org/multipage/grouping-content.html#the-pre-element
	 * Under `white-space: pre-line` only the line breaks are kept: runs of spaces and tabs are one
	 * space, and none is kept around a line break (CSS Text 3, 4.1.1 and 4.1.2).
	 */
	const preText = (from: number, to: number) => {
		let chunk = html.slice(from, to);
		if (from === preStart) chunk = chunk.replace(/^\r?\n/, '');
		const decoded = escapeMarkers(decodeEntities(chunk)).replace(/\r\n?/g, '\n');
		if (tpl && decoded !== chunk && /[\uE100-\uF8FF]/.test(decoded)) fail('private-use characters in the text');
		if (ws === 'pre-line') {
			out += decoded.replace(/[ \t]*\n[ \t]*/g, M_HARDBR).replace(/[ \t]+/g, ' ');
			return;
		}
		out += decoded.replace(/[ \t\n\u00a0]/g, (c) => (c === '\n' ? M_HARDBR : c === '\t' ? M_HARDSP + '\t' : M_HARDSP + ' '));
	};
	/**
	 * An attribute value to the pre-text between `open` and `close` markers; in template mode
	 * the placeholders in it become live outputs, and placeholders elsewhere in the tag are silent
	 * (emitted before or after, keeping source order).
	 */
	const liveAttr = (k: number, end: number, span: AttrSpan, open: string, close: string) => {
		const from = k + span.start;
		const to = k + span.end;
		if (!tpl || !hasPh(from, to)) {
			silent(k, end, tpl ? sig() : '');
			const v = html.slice(from, to);
			out += open + (tpl ? attrPiece(v, false) : escapeMarkers(decodeEntities(v))) + close;
			return;
		}
		silent(k, from, tpl ? sig() : '');
		out += open;
		let start = from;
		for (let i = from; i < to; i++) {
			const c = html.charCodeAt(i);
			if (!isPh(c)) continue;
			out += attrPiece(html.slice(start, i), true);
			tpl.live[c - PH_BASE] = true;
			out += html[i];
			start = i + 1;
		}
		out += attrPiece(html.slice(start, to), false) + close;
		silent(to, end, tpl ? sig() : '');
	};

	const wsMarkers: number[] = [];
	for (const m of html.matchAll(WS_MARKER)) wsMarkers.push(m.index);
	let nextWs = 0;

	let pos = 0;
	const n = html.length;
	while (pos < n) {
		const lt = html.indexOf('<', pos);
		if (lt < 0) break;
		text(pos, lt);
		const c1 = html.charCodeAt(lt + 1);
		if (c1 === 33 /* ! */) {
			// comment (incl. Outlook conditionals), doctype, CDATA
			const comment = html.startsWith('<!--', lt);
			const end = comment ? html.indexOf('-->', lt + 4) : html.indexOf('>', lt);
			pos = end < 0 ? n : end + (comment ? 3 : 1);
			if (tpl && hasPh(lt, pos)) {
				if (hasPh(lt, lt + 5)) fail('Liquid in the opening of a comment');
				for (let i = lt; i < pos; i++) {
					if (!isPh(html.charCodeAt(i))) continue;
					const prev = html.charCodeAt(i - 1);
					const next = html.charCodeAt(i + 1);
					if (prev === 45 || next === 45 || next === 62 || isPh(next)) fail('Liquid next to the end of a comment');
				}
				silent(lt, pos, `c${lt}`);
			}
			continue;
		}
		const closing = c1 === 47; /* / */
		let k = closing ? lt + 2 : lt + 1;
		const nameStart = k;
		for (; k < n; k++) {
			const c = html.charCodeAt(k) | 32;
			if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57 && k > nameStart) || (c === 45 && k > nameStart))) break;
		}
		if (tpl && isPh(html.charCodeAt(k))) fail('Liquid right after "<" or in a tag name');
		if (k === nameStart) {
			// a lone "<" in text
			text(lt, lt + 1);
			pos = lt + 1;
			continue;
		}
		const gt = html.indexOf('>', k);
		const end = gt < 0 ? n : gt;
		const name = html.slice(nameStart, k).toLowerCase();
		pos = end + 1;
		while (nextWs < wsMarkers.length && wsMarkers[nextWs] < k) nextWs++;
		const wsMarked = !closing && nextWs < wsMarkers.length && wsMarkers[nextWs] < end;
		const tagHasPh = tpl !== undefined && hasPh(k, end);
		const attrs = closing || (hidden > 0 && !tagHasPh) ? '' : html.slice(k, end);
		const needSpans = name === 'a' || name === 'img' || name === 'ol' || name === 'li' || tagHasPh || wsMarked;
		const spans: AttrSpan[] = needSpans ? parseAttrs(attrs) : [];
		// parsed here only when the element's rendering needs its attributes (openBox)
		let read: AttrSpan[] | undefined = needSpans ? spans : undefined;
		if (tagHasPh) {
			if (closing) fail('Liquid inside a closing tag');
			for (let i = k; i < end; i++) {
				const c = html.charCodeAt(i);
				if (!isPh(c)) continue;
				if (tpl!.isTag[c - PH_BASE]) fail('a Liquid tag inside an HTML tag');
				const at = i - k;
				const span = spans.find((s) => s.quoted && at >= s.start && at < s.end);
				if (!span) fail('Liquid outside a quoted attribute value');
				else if (span.name === 'style' || ((name === 'img' || name === 'a') && (span.name === 'width' || span.name === 'height'))) {
					fail(`Liquid in a "${span.name}" attribute`);
				}
			}
		}
		if (closing) {
			let at = stack.length - 1;
			while (at >= 0 && stack[at].name !== name) at--;
			if (name === 'a' && cellDepth() === closedLinkCells) closedLink = undefined;
			if (at < 0) continue;
			while (stack.length > at) {
				const e = stack.pop()!;
				box = stack.length ? stack[stack.length - 1].box : ROOT;
				if (e.outerWs !== undefined) ws = e.outerWs;
				if (e.hidden) {
					hidden--;
					continue;
				}
				if (hidden > 0) continue;
				if (e.link) {
					out += M_ACLOSE;
					if (name !== 'a') {
						if (tpl) fail('a link left open across elements');
						else {
							closedLink = e;
							closedLinkCells = cellDepth();
						}
					}
				}
				if (e.name === 'ol' || e.name === 'ul') out += M_LISTEND;
				if (BLOCK.has(e.name)) out += PARAGRAPH.has(e.name) ? M_PARA : M_BR;
				else if (e.name === 'td' || e.name === 'th') out += ' ';
			}
			// the end of the cell the link was left open in drops it (the parser clears the formatting elements up to the cell's marker)
			if (closedLink && cellDepth() < closedLinkCells) closedLink = undefined;
			continue;
		}
		if (SKIP.has(name)) {
			const closeRe = new RegExp(`</${name}\\s*>`, 'gi');
			closeRe.lastIndex = pos;
			const close = closeRe.exec(html);
			const stop = close ? close.index + close[0].length : n;
			silent(k, end, tpl ? sig() : '');
			if (tpl && hasPh(pos, stop)) {
				if (/<\/[a-z0-9-]*\s*[\uE100-\uF8FF]/i.test(html.slice(pos, stop))) fail('Liquid inside a closing tag');
				silent(pos, stop, `s${lt}`);
			}
			pos = stop;
			continue;
		}
		const slash = html.charCodeAt(end - 1) === 47; /* / */
		if (closedLink && hidden === 0) {
			if (!NO_REOPEN.has(name)) reopenLink();
			// a new link in the link's cell ends it, and so does a new cell written in that cell without its end tag
			// (which closes it); a cell of a table opened after the link does not
			else if (cellDepth() === closedLinkCells && (name === 'a' || ((name === 'td' || name === 'th' || name === 'caption') && inCell()))) closedLink = undefined;
		}
		// how the element renders: nothing in it when it is not rendered at all (display:none, the
		// hidden attribute, mso-hide:all, opacity:0, a zero size that clips…), as the unsubscribe lint reads it
		const valueOf = attrReader(attrs, () => (read ??= parseAttrs(attrs)));
		const opened: { box: Box; css: ReadonlyMap<string, string> } | undefined = hidden > 0 ? undefined : openBox(name, attrs, valueOf, box, rootZeroFont);
		const isHidden = opened !== undefined && opened.box.gone;
		// `<x/>` closes itself only in SVG and MathML; an HTML element stays open (void ones have no content)
		const foreign = opened ? opened.box.foreign : box.foreign || name === 'svg' || name === 'math';
		const selfClosing = VOID.has(name) || (slash && foreign);
		if (hidden > 0 || isHidden) {
			if (isHidden && inLink()) out += M_HIDDEN;
			silent(k, end, tpl ? sig() : '');
			if (!selfClosing) {
				// inside a hidden element only the nesting is followed (and where SVG or MathML starts)
				if (foreign !== box.foreign) box = { ...box, foreign };
				stack.push({ id: ids++, name, hidden: isHidden, link: false, box });
				if (isHidden) hidden++;
			}
			continue;
		}
		const own: Box = opened!.box;
		// text that stops showing here (visibility:hidden, a zero font size), inside a link
		if (name !== 'a' && name !== 'img' && showsText(box) && !showsText(own) && inLink()) out += M_HIDDEN;
		if (name === 'html') rootZeroFont = own.zeroFont;
		if (name === 'br') out += M_BR;
		else if (BLOCK.has(name)) out += PARAGRAPH.has(name) ? M_PARA : M_BR;
		if (name === 'hr' && own.visible) out += M_HR;
		if (name === 'li') {
			// an item whose marker is not seen still takes its number (an item not rendered, display:none, takes none)
			const value = findAttr(spans, 'value');
			if (value && tpl && hasPh(k + value.start, k + value.end)) fail('Liquid in a list item\'s "value"');
			const number = parseStart(value && value.hasValue ? decodeEntities(attrs.slice(value.start, value.end)) : undefined);
			out += M_LI + (showsText(own) ? '' : 'h') + (number ?? '') + M_ARGEND;
		}
		else if (name === 'ul') out += M_UL;
		else if (name === 'ol') {
			const start = findAttr(spans, 'start');
			if (start && tpl && hasPh(k + start.start, k + start.end)) fail('Liquid in a list\'s "start"');
			const first = parseStart(start && start.hasValue ? decodeEntities(attrs.slice(start.start, start.end)) : undefined);
			// reversed: counts down, by default from the number of items (known per recipient: 'r' alone)
			if (findAttr(spans, 'reversed') !== undefined) out += M_OL + 'r' + (first ?? '') + M_ARGEND;
			else out += M_OL + (first ?? 1) + M_ARGEND;
		}
		if (name === 'a') {
			// A link does not hold a link: the parser ends an open <a> at the next <a> start tag
			// (https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-inbody, 'A start tag whose tag name is "a"'),
			// so the text after the inner link is no longer part of the outer one.
			for (let s = stack.length - 1; s >= 0; s--) {
				if (stack[s].name !== 'a') continue;
				fail('a link inside a link');
				if (stack[s].link) out += M_ACLOSE;
				stack[s].link = false;
			}
		}
		let link = false;
		let emitted = false;
		if (name === 'img') {
			const alt = findAttr(spans, 'alt');
			const pixel = attrOf(attrs, spans, 'width') === '1' && attrOf(attrs, spans, 'height') === '1';
			if (!pixel && showsImage(own, opened!.css, valueOf)) {
				if (alt && alt.hasValue) {
					liveAttr(k, end, alt, M_IMG, M_IMGEND);
					emitted = true;
				} else if (inLink()) out += M_IMG + M_IMGEND; // an image without alt text shows in its link too
			} else if (!pixel && inLink()) out += M_HIDDEN;
		} else if (name === 'a' && !selfClosing) {
			const href = findAttr(spans, 'href');
			if (href && href.end > href.start) {
				liveAttr(k, end, href, M_AOPEN, M_AHREF);
				if (!showsText(own)) out += M_HIDDEN;
				emitted = true;
				link = true;
			}
		}
		if (!emitted) silent(k, end, tpl ? sig() : '');
		if (selfClosing) continue;
		// a <pre> shows its white space (unless its style says otherwise); a style's white-space applies to any element
		const wsOwn = (wsMarked ? styleWhiteSpace(attrOf(attrs, spans, 'style') ?? '') : undefined) ?? (name === 'pre' ? 'pre' : undefined);
		if (name === 'pre') preStart = pos;
		box = own;
		if (wsOwn !== undefined) {
			stack.push({ id: ids++, name, hidden: false, link, outerWs: ws, box, attrs: link && !tpl ? attrs : undefined });
			ws = wsOwn;
			continue;
		}
		stack.push({ id: ids++, name, hidden: false, link, box, attrs: link && !tpl ? attrs : undefined });
	}
	text(pos, n);
	return out;
}

/**
 * The first number of an `<ol>` given by its `start` attribute, read with the HTML rules for
 * parsing integers (leading spaces, an optional sign, digits), or undefined (absent or not a
 * number: the list's default, 1, or the number of items when reversed).
 * https://html.spec.whatwg.org/multipage/grouping-content.html#attr-ol-start
 */
function parseStart(value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const m = /^[\t\n\f\r ]*([+-]?)(\d+)/.exec(value);
	if (!m) return undefined;
	const n = Number(m[2]);
	if (!Number.isSafeInteger(n)) return undefined;
	return m[1] === '-' ? -n : n;
}

/**
 * The items of the list whose content starts at i in a pre-text: its M_LI markers up to its
 * M_LISTEND, nested lists left out (the default first number of a reversed `<ol>`).
 */
function countItems(pre: string, i: number): number {
	let depth = 0;
	let count = 0;
	for (let k = i; k < pre.length; k++) {
		const c = pre[k];
		if (c === M_ESC) k++;
		else if (c === M_OL || c === M_UL) depth++;
		else if (c === M_LISTEND) {
			if (depth === 0) break;
			depth--;
		} else if (c === M_LI && depth === 0) count++;
	}
	return count;
}

function attrOf(attrs: string, spans: AttrSpan[], name: string): string | undefined {
	const s = findAttr(spans, name);
	return s && s.hasValue ? decodeEntities(attrs.slice(s.start, s.end)) : undefined;
}

/** A run of [ \t\u00a0] that is not a single space (else collapsing runs changes nothing). */
const MULTI_SPACE = / {2}|[\t\u00a0]/;
/** Text without markers, from lastIndex. */
const TEXT_RUN = /[^\ue000-\ue00f]*/y;
/** Whitespace that replace(/\s+/g, ' ') would change. */
const SPACE_RUN = /\s\s|[^\S ]/;
/** A kept space / tab of a <pre> while its line is collected (marker characters never stay in a line otherwise). */
const LINE_HARDSP = '\uE00D';
const LINE_HARDTAB = '\uE00E';
const HARD_SPACES = /[\uE00D\uE00E]/g;

/**
 * Invisible characters that show as garbage in plain-text readers or split words for screen
 * readers: preheader padding (`&zwnj;&nbsp;`, `&#847;`) and hyphenation / line-break hints. The
 * body of a regex character class, shared with compile.ts (a preview line made only of these is empty).
 */
export const INVISIBLE_CHARS = '\\u00ad\\u034f\\u200b-\\u200d\\u2060\\ufeff';
const INVISIBLE = new RegExp(`[${INVISIBLE_CHARS}]`);
const INVISIBLE_ALL = new RegExp(`[${INVISIBLE_CHARS}]`, 'g');
/** Dropped wherever they stand: soft hyphen, word joiner, zero-width no-break space / BOM. */
const ALWAYS_DROPPED = /[\u00ad\u2060\ufeff]/;
/** Neighbours that make a joiner padding: white space, another invisible character, a marker, the line's edge. */
const NOT_BETWEEN = new RegExp(`[\\s${INVISIBLE_CHARS}\\ue000-\\uf8ff]`);

/**
 * Drops the invisible characters of a line. A soft hyphen (a hyphenation point, shown only where
 * the HTML line wraps: CSS Text 3, `hyphens`), a word joiner U+2060 and U+FEFF (no-break hints,
 * no glyph; Unicode 23.2, 23.8) always go. ZWNJ / ZWJ (which choose joined or separate letter
 * forms in Persian, Arabic and Indic words, and build emoji ZWJ sequences: Unicode 23.2, UTS #51),
 * ZWSP (a word boundary in Thai, Khmer…: UAX #14 class ZW) and the combining grapheme joiner
 * (mark order in Hebrew) are kept between two visible characters and dropped elsewhere, i.e.
 * next to white space, another invisible character or a line edge: the runs used as padding.
 */
function dropInvisible(line: string): string {
	return line.replace(INVISIBLE_ALL, (c: string, i: number) => {
		if (ALWAYS_DROPPED.test(c) || i === 0 || i === line.length - 1) return '';
		return NOT_BETWEEN.test(line[i - 1]) || NOT_BETWEEN.test(line[i + 1]) ? '' : c;
	});
}

/**
 * A link's URL as the text part writes it: the URL the browser follows from the href, so that a
 * plain-text reader's link detection takes all of it. As the URL parser reads an href
 * (https://url.spec.whatwg.org/#concept-basic-url-parser): leading and trailing C0 controls and
 * spaces removed, tabs and line breaks removed wherever they stand; the spaces left are written
 * `%20`, as the browser sends them (in a web link anywhere, in a `mailto:` or `sms:` link in its
 * query; a `tel:` number keeps its spaces, as written).
 */
function textUrl(href: string): string {
	let url = href.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '').replace(/[\t\n\r]/g, '').trim();
	if (url.indexOf(' ') < 0) return url;
	if (/^https?:/i.test(url)) url = url.replace(/ /g, '%20');
	else if (/^(?:mailto|sms):/i.test(url)) {
		const q = url.indexOf('?');
		if (q >= 0) url = url.slice(0, q) + url.slice(q).replace(/ /g, '%20');
	}
	return url;
}

/** Pre-text → text: lines, paragraphs (one blank line), `label (url)` links, alts. */
export function finalizeText(pre: string): string {
	const lines: string[] = [];
	let line = '';
	const anchors: Array<{ href: string; mark: number; shown: number; hid: number } | null> = [];
	/** things seen in links so far (text other than white space, images) and hidden parts met (M_HIDDEN) */
	let shown = 0;
	let hid = 0;
	// open lists, innermost last: the next number of an <ol>, undefined for a <ul>; and the step
	// from one number to the next (-1 for a reversed <ol>)
	const lists: Array<number | undefined> = [];
	const steps: number[] = [];
	// an item of a nested list starts its line indented, three spaces per level
	let indent = '';
	/** the line holds white space of a <pre> (LINE_HARDSP / LINE_HARDTAB), restored after the collapse */
	let hard = false;
	const breakLine = (blank: boolean, keepEmpty = false) => {
		if (INVISIBLE.test(line)) line = dropInvisible(line);
		// runs of [ \t\u00a0] become one space (skipped when there is none: same result)
		let t =
			line.length === 0 || line === ' '
				? ''
				: MULTI_SPACE.test(line)
					? line.replace(/[ \t\u00a0]+/g, ' ').trim()
					: line.trim();
		if (hard) {
			t = t.replace(HARD_SPACES, (c) => (c === LINE_HARDTAB ? '\t' : ' ')).trimEnd();
			hard = false;
		}
		if (t) lines.push(indent ? indent + t : t);
		else if (keepEmpty) lines.push('');
		indent = '';
		if (blank && lines.length && lines[lines.length - 1] !== '') lines.push('');
		line = '';
	};
	const n = pre.length;
	/** The text from i up to the `stop` marker (unescaped); `end` is set to the stop's index. */
	let end = 0;
	const readUntil = (i: number, stop: string): string => {
		let j = pre.indexOf(stop, i);
		if (j < 0) j = n;
		let v = pre.slice(i, j);
		if (v.indexOf(M_ESC) >= 0) {
			// an escaped stop marker is not the end: scan precisely
			v = '';
			let k = i;
			while (k < n && pre[k] !== stop) {
				if (pre[k] === M_ESC) k++;
				v += pre[k] ?? '';
				k++;
			}
			j = k;
		}
		end = j;
		return v;
	};
	let run = 0;
	let i = 0;
	while (i < n) {
		// skip the text up to the next marker (one native scan)
		TEXT_RUN.lastIndex = i;
		TEXT_RUN.test(pre);
		i = TEXT_RUN.lastIndex;
		if (i >= n) break;
		const c = pre.charCodeAt(i);
		if (i > run) {
			const t = pre.slice(run, i);
			if (anchors.length && /\S/.test(t)) shown++;
			line += t;
		}
		switch (c) {
			case 0xe000:
				breakLine(false);
				i++;
				break;
			case 0xe001:
				breakLine(true);
				i++;
				break;
			case 0xe002:
				lines.push('----');
				i++;
				break;
			case 0xe003: {
				const href = readUntil(i + 1, M_AHREF);
				anchors.push(href ? { href, mark: line.length, shown, hid } : null);
				i = end + 1;
				break;
			}
			case 0xe005: {
				const e = anchors.pop();
				// a link in which something is hidden and nothing shows: no link to follow
				if (e && !(e.shown === shown && e.hid !== hid)) {
					const raw = line.slice(e.mark);
					const label = SPACE_RUN.test(raw) ? raw.replace(/\s+/g, ' ').trim() : raw.trim();
					const href = textUrl(e.href);
					// web, mail, phone and SMS links keep their target (a "Call us" link its number), unless the label already shows it
					if (/^(https?:|mailto:|tel:|sms:)/i.test(href) && label !== href && label !== href.replace(/^(?:mailto|tel|sms):/i, '')) {
						// a space the label ends with stays between the URL and the text that follows (`<a>our blog </a>today`)
						line += label ? ` (${href})${/[ \t\n\u00a0]$/.test(raw) ? ' ' : ''}` : href;
						// a link whose text is all on the lines above (it wraps blocks): its URL is a line of its own
						if (!label && !raw.trim()) breakLine(false);
					}
				}
				i++;
				break;
			}
			case 0xe006: {
				shown++;
				const a = readUntil(i + 1, M_IMGEND).trim();
				if (a) line += ` ${a} `;
				i = end + 1;
				break;
			}
			case 0xe008: {
				const arg = readUntil(i + 1, M_ARGEND);
				i = end + 1;
				if (arg[0] === 'r') {
					lists.push(arg.length > 1 ? Number(arg.slice(1)) || 0 : countItems(pre, i));
					steps.push(-1);
				} else {
					lists.push(Number(arg) || 0);
					steps.push(1);
				}
				break;
			}
			case 0xe00a:
				lists.push(undefined);
				steps.push(0);
				i++;
				break;
			case 0xe00b: {
				const arg = readUntil(i + 1, M_ARGEND);
				i = end + 1;
				const seen = arg[0] !== 'h';
				const value = seen ? arg : arg.slice(1);
				let top = lists.length ? lists[lists.length - 1] : undefined;
				// `<li value>` sets the item's number in an <ol>; the next items count on from it
				if (top !== undefined && value) top = Number(value);
				if (seen) {
					if (lists.length > 1 && !line.trim()) indent = '   '.repeat(lists.length - 1);
					line += top === undefined ? '- ' : `${top}. `;
				}
				if (top !== undefined) lists[lists.length - 1] = top + steps[steps.length - 1];
				break;
			}
			case 0xe00c:
				lists.pop();
				steps.pop();
				i++;
				break;
			case 0xe00d:
				line += pre[i + 1] === '\t' ? LINE_HARDTAB : LINE_HARDSP;
				hard = true;
				i += 2;
				break;
			case 0xe00e:
				breakLine(false, true);
				i++;
				break;
			case 0xe009:
				if (anchors.length) hid++;
				i++;
				break;
			case 0xe00f:
				if (anchors.length) shown++;
				line += pre[i + 1] ?? '';
				i += 2;
				break;
			default:
				i++;
		}
		run = i;
	}
	if (run < n) line += pre.slice(run);
	breakLine(false);
	while (lines.length && lines[lines.length - 1] === '') lines.pop();
	// a kept line break before any text (`white-space: pre-line` content starting on a new line) starts no blank line
	let first = 0;
	while (first < lines.length && lines[first] === '') first++;
	return (first ? lines.slice(first) : lines).join('\n');
}

/**
 * Shortens a pre-text without changing what finalizeText makes of it: runs of spaces become one,
 * spaces next to a line break and repeated line breaks go (a break on an empty line does nothing;
 * a paragraph break wins). Hrefs, alts, escapes and placeholders are kept verbatim, and nothing
 * is touched while a link is open (its label is measured on the line).
 */
export function compactPreText(pre: string): string {
	let out = '';
	let space = false;
	let brk = 0; // 0 none, 1 line break, 2 paragraph break
	let anchors = 0;
	const flush = () => {
		if (brk) out += brk === 2 ? M_PARA : M_BR;
		else if (space) out += ' ';
		brk = 0;
		space = false;
	};
	const n = pre.length;
	let i = 0;
	while (i < n) {
		const c = pre.charCodeAt(i);
		if (anchors === 0 && c === 32) {
			if (!brk) space = true;
			i++;
			continue;
		}
		if (anchors === 0 && (c === 0xe000 || c === 0xe001)) {
			space = false;
			brk = Math.max(brk, c === 0xe001 ? 2 : 1);
			i++;
			continue;
		}
		flush();
		if (c === 0xe003 || c === 0xe006) {
			// href or alt, verbatim up to its end marker
			const stop = c === 0xe003 ? 0xe004 : 0xe007;
			let j = i + 1;
			while (j < n && pre.charCodeAt(j) !== stop) j += pre.charCodeAt(j) === 0xe00f ? 2 : 1;
			out += pre.slice(i, j + 1);
			if (c === 0xe003) anchors++;
			i = j + 1;
			continue;
		}
		if (c === 0xe005 && anchors > 0) anchors--;
		// an escape and a kept <pre> space carry the next character verbatim
		const len = c === 0xe00f || c === 0xe00d ? 2 : 1;
		out += pre.slice(i, i + len);
		i += len;
	}
	flush();
	return out;
}

export function htmlToText(html: string): string {
	return finalizeText(scanHtml(html));
}

// ---------------------------------------------------------------------------------------------
// Compiled text plan: the text part derived once per template.

/** A Liquid token of the template HTML, in source order (from the liquidjs tokenizer). */
export interface PlanToken {
	kind: 'html' | 'tag' | 'output';
	/** html: the static content (whitespace control applied); tag: its name. */
	value: string;
	begin: number;
	/** output: its expression; tag: its arguments (the URL guard reads their literals). */
	expr?: string;
}

export interface TextPlan {
	/** Pre-text of each static HTML token, by the token's begin offset. */
	pieces: Map<number, string>;
	/** Output tokens (by begin offset) whose value goes into the text. */
	liveOutputs: Set<number>;
	/** Output tokens (by begin offset) in text hidden with visibility:hidden: a space when the value is not empty. */
	gapOutputs: Set<number>;
}

const OPENERS = new Set(['if', 'unless', 'for', 'case']);
const MIDDLES = new Set(['elsif', 'else', 'when']);
const CLOSERS: Record<string, string> = { endif: 'if', endunless: 'unless', endfor: 'for', endcase: 'case' };
const NEUTRAL = new Set(['assign', 'pz_shown', 'break', 'continue']);

/**
 * Derives the text plan of a template, or says why it cannot be used (the caller then converts
 * the rendered HTML of each recipient). Eligible: control-flow tags (if/unless/case/for) whose
 * branches keep the HTML structure balanced, outputs in text, in quoted attribute values, or in
 * ignored places; no other tags.
 */
export function compileTextPlan(tokens: PlanToken[]): { plan?: TextPlan; reason?: string } {
	const liquid = tokens.filter((t) => t.kind !== 'html');
	if (liquid.length > PH_MAX) return { reason: 'too many Liquid tokens' };
	let html = '';
	let li = 0;
	for (const t of tokens) {
		if (t.kind === 'html') {
			if (PRIVATE_USE.test(t.value)) return { reason: 'private-use characters in the HTML' };
			html += t.value;
		} else {
			if (t.kind === 'tag' && !OPENERS.has(t.value) && !MIDDLES.has(t.value) && !(t.value in CLOSERS) && !NEUTRAL.has(t.value)) {
				return { reason: `the "${t.value}" tag` };
			}
			html += String.fromCharCode(PH_BASE + li++);
		}
	}
	const tpl: TemplateScan = { count: liquid.length, isTag: liquid.map((t) => t.kind === 'tag'), live: [], gap: [], state: [] };
	const pre = compactPreText(scanHtml(html, tpl));
	if (tpl.fail) return { reason: tpl.fail };

	// Structure: every branch and loop body leaves the scanner where it found it.
	const blocks: Array<{ name: string; state: string }> = [];
	for (let i = 0; i < liquid.length; i++) {
		if (!tpl.isTag[i]) continue;
		const name = liquid[i].value;
		const state = tpl.state[i];
		if (state === undefined) return { reason: 'internal: tag not placed' };
		if (OPENERS.has(name)) blocks.push({ name, state });
		else if (MIDDLES.has(name)) {
			if (!blocks.length || blocks[blocks.length - 1].state !== state) return { reason: `"${name}" changes the HTML structure of its block` };
		} else if (name in CLOSERS) {
			const top = blocks.pop();
			if (!top || top.name !== CLOSERS[name] || top.state !== state) return { reason: `a "${top?.name ?? name}" block is not balanced with the HTML` };
		} else if (name === 'break' || name === 'continue') {
			const loop = [...blocks].reverse().find((b) => b.name === 'for');
			if (!loop || loop.state !== state) return { reason: `"${name}" inside an unfinished HTML element` };
		}
	}
	if (blocks.length) return { reason: 'unclosed block' };

	// Split the pre-text at the placeholders: the pieces belong to the static tokens between them.
	const pieces = new Map<number, string>();
	const liveOutputs = new Set<number>();
	const gapOutputs = new Set<number>();
	let from = 0;
	let expect = 0;
	let tokenAt = 0; // index into tokens
	const take = (piece: string) => {
		const t = tokens[tokenAt];
		if (t && t.kind === 'html') {
			pieces.set(t.begin, piece);
			tokenAt++;
			return true;
		}
		return piece === '';
	};
	for (let i = 0; i < pre.length; i++) {
		const c = pre.charCodeAt(i);
		if (c < PH_BASE || c >= PH_BASE + liquid.length) continue;
		if (c - PH_BASE !== expect) return { reason: 'internal: placeholders out of order' };
		if (!take(pre.slice(from, i))) return { reason: 'internal: text between adjacent Liquid tokens' };
		const tok = tokens[tokenAt++];
		if (!tok || tok.kind === 'html') return { reason: 'internal: token mismatch' };
		if (tok.kind === 'output' && tpl.live[expect]) liveOutputs.add(tok.begin);
		else if (tok.kind === 'output' && tpl.gap[expect]) gapOutputs.add(tok.begin);
		expect++;
		from = i + 1;
	}
	if (expect !== liquid.length) return { reason: 'internal: placeholder lost' };
	if (!take(pre.slice(from))) return { reason: 'internal: trailing text' };
	if (tokenAt !== tokens.length) return { reason: 'internal: tokens left' };
	return { plan: { pieces, liveOutputs, gapOutputs } };
}

/**
 * Characters in a Liquid value that the compiled text plan does not reproduce exactly (line
 * breaks, unusual spaces, control and marker characters): the recipient's text is then converted
 * from its HTML. Unescaped values (`| raw`, escaping off) also must not carry markup.
 */
export const UNSAFE_VALUE = /[\x00-\x08\x0a-\x1f\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\ue000-\ue00f]/;
export const UNSAFE_RAW_VALUE = /[\x00-\x08\x0a-\x1f\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\ue000-\ue00f<>&"']/;
