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
 *   and `href="{% echo u %}"` are checked as a whole, whatever part the data wrote. A piece
 *   that ends the value in one reading of the branches while another carries it on (a line break
 *   ends an unquoted value; in a quoted one a browser drops it) checks it and keeps it open
 *   (UrlClose.keep), so that it is checked again where it closes.
 * A value whose static start already holds a scheme or a non-scheme character
 * (`href="https://x/{{ p }}"`, `href="/{{ p }}"`, `href="#{{ id }}"`) cannot be turned into
 * another scheme by the data and costs nothing.
 * Liquid branches may leave the HTML in different places (a quote in one branch only, an
 * unquoted value one branch starts and another does not): the scan reads on from every way
 * through a block, and what any of them puts in a URL value is checked. A loop body is read
 * again from where it ended (the next iteration starts there) until no new way comes; a body
 * that keeps leaving the HTML somewhere new (LOOP_PASSES) is refused at compile time, as is
 * `tablerow` anywhere but in text (it writes `<tr>`/`<td>` itself). What Liquid does not write
 * is not read (`comment`; `capture` bodies are read on their own, from text, and must end in text), what `raw` writes
 * is read and checked like static HTML.
 * Data written inside a tag outside any value (`<a {{ attrs }}>`) is written with `=`, spaces,
 * quotes, `<`, `>`, `/` and backtick as character references (IN_TAG): it is part of one
 * attribute name, which a browser does not decode, and cannot add `onclick=…`. An unquoted value
 * the data starts is written `&#32;` when empty and followed by white space or a quote
 * (UNQUOTED_EMPTY): empty, the browser would take what follows for the value.
 * What the template writes unescaped (`| raw`, with or without arguments, or escaping off) is
 * HTML the scan must have read: a writer's literals, the literals assigned to the variables it
 * writes (through `assign`, loops, `{% liquid %}`, and any variable for a dynamic lookup such as
 * `[key]`) and the text a `capture` gives them must leave the reading where they are written as
 * they found it (checkLiterals, checkSources), also once a filter has cut or changed them
 * (chainOf: `slice`, `truncate`, `replace`, `json`, `date`'s format, an index such as `s[0]` on a
 * string (on split pieces it picks one whole, as `first` does), a second `first` after `split`… make
 * each character count on its own). Once `<svg>` or `<math>`
 * has opened, the rest is read as possibly foreign content (a browser may ignore the end tag the
 * scan sees): a `<style>`/`<title>` then holds only text and whole `<!-- … -->` comments (Liquid
 * may stand in one: what it writes is written as in a comment and as CSS), and so does one inside a
 * `<select>`, where a browser may ignore its tag and read its content as markup. A downlevel-hidden
 * conditional comment (`<!--[if mso]> … <![endif]-->`) is read twice: as the comment browsers read
 * and as the HTML Outlook reads (readOutlook), so a link in a VML button is checked as any link; data
 * written right after a comment's `<!--` cannot make it one (`<!--{{ x }}>` with `[if mso]`: COMMENT_OPEN).
 * SVG attributes that reference a resource (`fill`, `filter`, `mask`… SVG_CSS_ATTRS) are read as CSS,
 * and data that starts a `url(` the template writes there must name an element (`#id`: LOCAL_URL).
 * Refused outright: Liquid output in an event handler, in a `javascript:` URL the template writes,
 * in a `data:` URL it writes (but a png, gif, jpeg or webp image whose type it writes), in a `<base>`
 * tag, in a `<script>` tag and in `<script>` unless its first `type` makes it a JSON data block
 * (script, where HTML escaping does not keep data text), and the other places refuseOutput() names.
 */
import { decode as decodeHtml } from 'he';
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
/**
 * The output writes into a tag outside any value (`<a {{ attrs }}>`, `<a href=x {{ u }}>`,
 * `data-{{ k }}`): `=`, white space, quotes, `<`, `>`, `/` and backtick are written as character
 * references, which a browser does not decode in a tag or attribute name, so the data is (part of)
 * one attribute name and cannot add an attribute with a value (`onclick=…`) or end the tag.
 * https://html.spec.whatwg.org/multipage/parsing.html#attribute-name-state
 */
export const IN_TAG = 8;
/**
 * The output writes CSS outside any `url(` (a `style` attribute, a `<style>` element): a value that
 * would add a function other than the plain ones CSS values use (CSS_FUNCTIONS: colours, gradients,
 * calc(), transforms…), so `url(`, `image-set(`, `expression(`…, a CSS escape (`\75 rl(`) or an
 * at-rule (`@import`) is written as nothing. With CSS_JOIN the static CSS before it ends in a name
 * the value may complete (`background:u{{ s }}`): a value that starts with `(` or with a name
 * followed by `(` is written as nothing too.
 */
export const CSS_DATA = 16;
export const CSS_JOIN = 32;
/**
 * The output writes into an HTML comment: `-` and `!` that could end it with the static text
 * around it (`--`, or a `-`/`!` at either end of the value: `<!-- {{ x }}>` with `--`) are
 * written as character references (an MSO conditional comment's content still reads them as `-`/`!`).
 */
export const IN_COMMENT = 64;
/**
 * With CSS_DATA: the template opens a parenthesis right after the output (`background:{{ f }}(…)`),
 * so the value names a function: it is checked with the `(` (a name not in CSS_FUNCTIONS, such as
 * `url` or `expression`, is written as nothing).
 */
export const CSS_CALL = 128;
/**
 * The output starts an unquoted attribute value (it, or the outputs before it in the value, stands
 * right after `=`) and the template writes white space or a quote right after it: written empty, the
 * browser would read what follows as the value (`<img src={{ u }} alt="{{ t }}">` with an empty `u`
 * makes `alt="…` the src and the data in it attributes: `x onerror=alert(1)`), where the scan reads
 * an ended value. Written empty, it is written `&#32;`: the value is a space, which ends nothing.
 * https://html.spec.whatwg.org/multipage/parsing.html#before-attribute-value-state
 */
export const UNQUOTED_EMPTY = 256;
/**
 * The output follows `-`, `--` or `--!` in a comment: written empty, those would end the comment
 * with what the template writes after it (`<!-- a --{{ x }}>`), written with a value they would not,
 * so the scan could not tell where the comment ends. Written empty, it is written as a space: the
 * comment never ends there, as the scan reads it.
 */
export const COMMENT_SPLIT = 512;
/**
 * With CSS_URL | URL_START: the output starts a `url(` the template writes in an SVG attribute that
 * references another element (SVG_CSS_ATTRS: a paint server, filter, mask, clip path, marker,
 * cursor): the data may only name an element of the document, so a value that does not start with
 * `#` is written `#` (`url(#)`, which references nothing).
 */
export const LOCAL_URL = 1024;
/**
 * The output stands right after a comment's `<!--` (COMMENT_OPEN), or after `<!--[` (<< 1) or `<!--[i`
 * (<< 2) the template wrote: a value that writes or starts the rest of `[if` (`[if mso]`, `[`, `f`…)
 * would make the comment a downlevel-hidden conditional one (`<!--[if mso]>`), whose content Outlook
 * reads as HTML where the scan read a comment. Its first character is then written as a character
 * reference (`&#91;if mso]`), which no reader decodes in a comment: a plain comment to all of them.
 */
export const COMMENT_OPEN = 2048;
const COMMENT_OPENS = COMMENT_OPEN | (COMMENT_OPEN << 1) | (COMMENT_OPEN << 2);
export type UrlMode = number;

/**
 * SVG presentation attributes read as CSS values that may hold url(…): the element or resource they
 * reference (https://www.w3.org/TR/SVG2/painting.html#SpecifyingPaint, https://www.w3.org/TR/SVG2/styling.html#PresentationAttributes).
 * Data in them is read as in a `style` attribute (CSS_DATA: a `url(` the data writes is written as
 * nothing), and data that starts a `url(` the template writes must name an element (LOCAL_URL).
 */
const SVG_CSS_ATTRS = new Set(['fill', 'stroke', 'filter', 'mask', 'clip-path', 'marker-start', 'marker-mid', 'marker-end', 'marker', 'cursor']);
/** Attribute values read as CSS: `style`, and the SVG ones that may reference a resource. */
const isCssAttr = (attr: string): boolean => attr === 'style' || SVG_CSS_ATTRS.has(attr);
const URL_ATTRS = new Set(['href', 'src', 'background', 'action', 'formaction', 'poster', 'xlink:href', 'cite', 'longdesc', 'lowsrc', 'dynsrc', 'data']);
const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'tel', 'sms', 'cid']);
const BLOCK_MIDDLES = new Set(['elsif', 'else', 'when']);
/**
 * Tags that write values (`{% echo %}`, `{% liquid echo … %}`, `{% cycle %}`, and the counters
 * `{% increment %}`/`{% decrement %}`, which write a number: `<{% increment i %}` is text, not a tag):
 * guarded like outputs, all they write as one value.
 */
export const WRITING_TAGS = new Set(['echo', 'liquid', 'cycle', 'increment', 'decrement']);

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
	/** `<!…>` (not a comment) or `<?…>`: a bogus comment, up to the first `>`. */
	Bogus,
}

/** CSS text outside `url(`: CSS_DATA, plus CSS_JOIN when it ends in what may be part of a function's name. */
function cssDataMode(css: string): UrlMode {
	return /[\w\-\\\u0080-\uffff]$/.test(css) ? CSS_DATA | CSS_JOIN : CSS_DATA;
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
	/** The attribute (of the farthest close: see closeValue), for the message when the template itself writes an unsafe scheme. */
	attr?: string;
	/**
	 * Another reading carries a checked value (holding Liquid) through this piece: the value the
	 * runtime is tracking may not end here (`<a href={% if q %}{% else %}"{% endif %}{{ a }}⏎{{ b }}">`:
	 * unquoted, the line break ends it; quoted, it goes on and the browser drops the line break), so
	 * it stays open after the check and is checked again where it closes.
	 */
	keep?: boolean;
}

export interface UrlPlan {
	/** Outputs and value-writing tags (by token begin) that write into a URL position, and how. */
	outputs: Map<number, UrlMode>;
	/**
	 * Static pieces (by token begin) where a checked URL attribute value opens: offsets of its first
	 * character, ascending (readings may open one at different places in a piece: `src={{ a }} href=`
	 * read from after `src=` opens one at `href=`'s value, read from before the value at its `h`).
	 */
	opens: Map<number, number[]>;
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

/** Where an unescaped writer stands (its reading's state, in foreign content or not) and what its filters do to what it writes. */
interface Use {
	state: S;
	foreign: number;
	fate: Fate;
}

const fateKey = (f: Fate): string =>
	`${f.cut ?? ''}|${f.cased ? 1 : 0}|${f.decoded ? 1 : 0}|${(f.added ?? []).join(' ')}|${f.keepsArray ? 1 : 0}|${f.onArray ? `(${fateKey(f.onArray)})` : ''}`;
const useKey = (u: Use): string => `${u.state}|${u.foreign}|${fateKey(u.fate)}`;

/** What gives a variable its value: an assign or a loop (its literals and variables), or a capture (also its body). */
interface Source {
	begin: number;
	target: string;
	items: ChainItem[];
	capture?: { t: PlanToken; body: Node[]; leavesOpen: boolean };
}

/** One reading of the HTML so far (see urlOutputs: branches and loops may leave several). */
interface Scan {
	state: S;
	tag: string;
	attr: string;
	/** The current attribute value so far, static text only (an output counts as `x`); kept short (normalValue). */
	value: string;
	valueHasOutput: boolean;
	/** `<style>` content so far, kept short (cssTail). */
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
	/**
	 * 1 once an `<svg>` or `<math>` start tag has been read (foreign content: no raw-text elements,
	 * CDATA sections are text), and from then on: which end tag really closes it depends on the
	 * elements open around it (a browser ignores `</svg>` inside `<math>`, or after an HTML element
	 * opened in `<foreignObject>`), so the content after it is read as possibly foreign, which only
	 * refuses more (CDATA, a `<` in `<style>`/`<title>`).
	 */
	foreign: number;
	/**
	 * 1 after a `<select>` start tag, up to `</select>`. In a select a browser ignores a `<style>`,
	 * `<title>`, `<xmp>`, `<iframe>`, `<noembed>` or `<noframes>` start tag (https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-inselect),
	 * so it reads their content as markup, where one that allows them (a newer parser) reads text:
	 * read as text, they must hold no `<` but whole comments (as in foreign content). A select another
	 * tag closes (`<input>`, a second `<select>`) is taken for open: that only refuses more.
	 */
	select: number;
	/**
	 * In a raw-text element read as possibly holding markup (foreign content, a select), inside a
	 * `<!--` comment a static piece did not end (Liquid stands in it): what is written there is read
	 * both as the element's text (CSS) and as a comment's, up to the comment's end.
	 */
	rawComment: boolean;
	/**
	 * Open `<noscript>` elements. A browser with scripting on (an email's web version) reads their
	 * content as raw text up to the first `</noscript`, where this scan reads markup: no output may
	 * stand in one (see refuseOutput).
	 */
	noscript: number;
	/** In a `<meta>` tag: 1 it has `http-equiv="refresh"` (or one Liquid writes), 2 an output wrote into it. */
	meta: number;
	/**
	 * In a `<script>` tag and its content: 0 no `type` yet (JavaScript), 1 its first `type` makes it a
	 * JSON data block (DATA_SCRIPTS), not script; 2 its first `type` does not; 3 the first `type`
	 * attribute's name is read, its value not yet (a browser reads the first of two `type` attributes).
	 */
	scriptData: number;
	/** The last output (token begin) written as CSS data (CSS_DATA) in this reading, while nothing has been read after it: -1 none. */
	cssCall: number;
	/** The last output (token begin) of an unquoted value that only outputs have written so far, while nothing has been read after it: -1 none (UNQUOTED_EMPTY). */
	unqStart: number;
	/**
	 * Static text at the end of the last piece that the next one may complete (read again with it):
	 * `</st` in raw text, `-`/`--`/`--!` in a comment, `<!`/`<!-` in text.
	 */
	carry: string;
}

/** An attribute name the data wrote (part of): it may be any attribute, a URL attribute included. */
const ANY_ATTR = '*';
const isUrlAttr = (attr: string): boolean => attr === ANY_ATTR || URL_ATTRS.has(attr);
/** Tag and attribute names longer than any name the scan looks for are cut there (a loop appending to one settles). */
const NAME_MAX = 16;

const inValue = (x: Scan): boolean => x.state === S.ValueDq || x.state === S.ValueSq || x.state === S.ValueUnq;
const inTag = (x: Scan): boolean => x.state === S.TagOpen || x.state === S.InTag || x.state === S.AttrName || x.state === S.AfterName;

/**
 * What of CSS text still decides cssUrlMode() once more text is appended: in an open `url(`, the
 * text after it (white space runs as one; `x` once it holds more than a quote, which can no
 * longer become the URL's start); else the last 3 characters (a `url(` the next text completes).
 */
function cssTail(css: string): string {
	const lower = css.toLowerCase();
	const open = lower.lastIndexOf('url(');
	if (open === -1 || lower.indexOf(')', open) !== -1) return lower.slice(-3);
	const rest = lower.slice(open + 4).replace(/\s+/g, ' ');
	return 'url(' + (rest.length > 10 ? 'x' : rest);
}

/**
 * The value as far as the rest of the scan reads it: CSS for `style` (character references decoded,
 * as the browser decodes them before it reads the CSS: `url&#40;`, `url(&apos;`); once it holds
 * Liquid, only whether it is blank.
 */
function normalValue(x: Scan): void {
	if (isCssAttr(x.attr)) x.value = cssTail(x.value.includes('&') ? decodeHtml(x.value, { isAttributeValue: true }) : x.value);
	else if (x.hasLiquid) x.value = x.value.trim() === '' ? '' : 'x';
}

function liquidInValue(x: Scan): void {
	if (!x.hasLiquid) x.staticStart = x.value;
	x.hasLiquid = true;
	normalValue(x);
}

function openValue(x: Scan, piece: number, at: number): void {
	x.openers = piece >= 0 ? [[piece, at]] : [];
	x.hasLiquid = false;
	x.staticStart = '';
}

/**
 * Elements whose content is text up to their end tag (raw text and escapable raw text): a `<` or
 * quote in `<title>` or `<textarea>` opens no tag or value. https://html.spec.whatwg.org/multipage/syntax.html#elements-2
 * (`noscript` and `plaintext` are left as markup: read as tags, their content is only guarded more.)
 */
const TEXT_ELEMENTS = new Set(['style', 'script', 'title', 'textarea', 'xmp', 'iframe', 'noembed', 'noframes']);

/**
 * An attribute name is complete: on a `<meta>`, one the data named may be `http-equiv` (see closeValue
 * for the one the template names); on a `<script>`, the first `type` decides what it is (its value: closeValue).
 */
function noteAttr(x: Scan): void {
	if (x.tag === 'meta' && x.attr === ANY_ATTR) x.meta |= 1;
	if (x.tag === 'script' && x.attr === 'type' && x.scriptData === 0) x.scriptData = 3;
}

/** A `<script>` attribute ends without a value, or another one starts: a first `type` with no value is JavaScript. */
function typeWithoutValue(x: Scan): void {
	if (x.scriptData === 3) x.scriptData = 2;
}

/** `<script>` types that make it a data block, which no browser runs (https://html.spec.whatwg.org/multipage/scripting.html#data-block): JSON only. */
const DATA_SCRIPTS = new Set(['application/ld+json', 'application/json']);

/** Elements whose start tag starts foreign content (SVG, MathML), where the tokenizer reads differently. */
const FOREIGN = new Set(['svg', 'math']);
/** SVG elements that set another attribute (an `href` included) from their `to`/`from`/`by`/`values`. */
const ANIMATION = new Set(['set', 'animate']);

/** An end tag read (its name): the elements it closes that the scan follows. */
function endTagRead(x: Scan, name: string): void {
	if (name === 'noscript' && x.noscript > 0) x.noscript--;
	if (name === 'select') x.select = 0;
}

function endOfTag(x: Scan, at: number): S {
	if (x.tag.startsWith('/')) {
		// an end tag with attributes (EndTag): they change nothing
		endTagRead(x, x.tag.slice(1));
		return S.Text;
	}
	noteAttr(x);
	typeWithoutValue(x);
	if (x.tag === 'meta' && x.meta === 3) {
		throw new UrlGuardRefusal(
			'Liquid in a <meta http-equiv> tag: a refresh (content="0;url=…") would send the reader to a URL the guard does not check. Email clients ignore meta refresh: remove the tag or write it without Liquid',
			at,
			'<meta http-equiv>',
		);
	}
	x.meta = 0;
	if (x.tag === 'select') x.select = 1;
	if (FOREIGN.has(x.tag)) {
		x.foreign = 1;
		return S.Text;
	}
	if (x.tag === 'noscript' && x.noscript < 8) x.noscript++;
	if (TEXT_ELEMENTS.has(x.tag)) {
		x.rawTag = x.tag;
		x.raw = '';
		x.rawComment = false;
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
	const key = stateKey(x);
	return x.foreign || x.meta || x.carry || x.noscript || x.scriptData || x.cssCall >= 0 || x.unqStart >= 0 || x.select || x.rawComment
		? `${key}|${x.foreign}|${x.meta}|${x.carry}|${x.noscript}|${x.scriptData}|${x.cssCall}|${x.unqStart}|${x.select}|${x.rawComment ? 1 : 0}`
		: key;
}

function stateKey(x: Scan): string {
	switch (x.state) {
		case S.Text:
		case S.Comment:
		case S.Bogus:
			return String(x.state);
		case S.EndTag:
			return JSON.stringify([x.state, x.tag]);
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
			const value = x.hasLiquid && !isCssAttr(x.attr) ? x.value.trim() === '' : x.value;
			return JSON.stringify([x.state, x.tag, x.attr, x.hasLiquid, value, x.valueHasOutput]);
		}
	}
}

/** A reading in full (its key, where its value may have opened, its static start): what a loop's reading has converged on. */
function fullKey(x: Scan): string {
	const openers = x.openers.map((o) => `${o[0]}:${o[1]}`).sort().join(',');
	return `${scanKey(x)}|${openers}|${x.staticStart}|${x.lastPiece}:${x.lastPieceLength}`;
}

const setKey = (list: Scan[]): string => list.map(fullKey).sort().join('\n');

function distinct(list: Scan[]): Scan[] {
	const merged = new Map<string, Scan>();
	// the openers of each merged reading, as keys: merging stays linear in their number (a value many branches open)
	const openerKeys = new Map<Scan, Set<string>>();
	for (const x of list) {
		const key = scanKey(x);
		const y = merged.get(key);
		if (!y) {
			merged.set(key, { ...x });
			continue;
		}
		let keys = openerKeys.get(y);
		if (!keys) {
			keys = new Set(y.openers.map((o) => `${o[0]}:${o[1]}`));
			openerKeys.set(y, keys);
			y.openers = [...y.openers];
		}
		for (const o of x.openers) {
			const k = `${o[0]}:${o[1]}`;
			if (keys.has(k)) continue;
			keys.add(k);
			(y.openers as Array<readonly [number, number]>).push(o);
		}
		if (x.staticStart !== y.staticStart) y.staticStart = '';
		y.hasLiquid ||= x.hasLiquid;
	}
	return [...merged.values()];
}

/** The template's Liquid as a tree: static pieces, outputs, tags, and blocks with their bodies. */
type Node =
	| { kind: 'piece' | 'output' | 'tag' | 'jump'; t: PlanToken }
	| { kind: 'branches'; t: PlanToken; branches: Node[][]; complete: boolean }
	| { kind: 'loop'; t: PlanToken; body: Node[]; otherwise?: Node[] }
	| { kind: 'capture'; t: PlanToken; body: Node[] };

const BRANCHING = new Set(['if', 'unless', 'case']);
const LOOPS = new Set(['for', 'tablerow']);

function parseTree(tokens: PlanToken[]): Node[] {
	let i = 0;
	const seq = (stops: Set<string>): Node[] => {
		const out: Node[] = [];
		while (i < tokens.length) {
			const t = tokens[i];
			if (t.kind === 'html') {
				out.push({ kind: 'piece', t });
				i++;
				continue;
			}
			if (t.kind === 'output' || WRITING_TAGS.has(t.value)) {
				out.push({ kind: 'output', t });
				i++;
				continue;
			}
			const name = t.value;
			if (stops.has(name)) return out;
			i++;
			if (BRANCHING.has(name)) {
				const end = `end${name}`;
				const stop = new Set([end, ...BLOCK_MIDDLES]);
				const branches: Node[][] = [];
				let complete = false;
				// case: what stands before the first when is not written
				let first = seq(stop);
				if (name !== 'case') branches.push(first);
				while (i < tokens.length && tokens[i].value !== end) {
					if (tokens[i].value === 'else') complete = true;
					i++;
					first = seq(stop);
					branches.push(first);
				}
				i++;
				out.push({ kind: 'branches', t, branches, complete });
			} else if (LOOPS.has(name)) {
				const end = `end${name}`;
				const body = seq(new Set([end, 'else']));
				let otherwise: Node[] | undefined;
				if (i < tokens.length && tokens[i].value === 'else') {
					i++;
					otherwise = seq(new Set([end]));
				}
				i++;
				out.push({ kind: 'loop', t, body, otherwise });
			} else if (name === 'capture') {
				const body = seq(new Set(['endcapture']));
				i++;
				out.push({ kind: 'capture', t, body });
			} else if (name === 'comment') {
				// nothing up to the first endcomment is written (liquidjs' comment tag does not nest)
				while (i < tokens.length && !(tokens[i].kind === 'tag' && tokens[i].value === 'endcomment')) i++;
				i++;
				out.push({ kind: 'tag', t });
			} else if (name === 'break' || name === 'continue') out.push({ kind: 'jump', t });
			else out.push({ kind: 'tag', t });
		}
		return out;
	};
	const all: Node[] = [];
	while (i < tokens.length) {
		all.push(...seq(new Set()));
		i++; // a stray end or middle tag (liquidjs refuses these before)
	}
	return all;
}

/** The template cannot be guarded (urlOutputs): the message says which tag and what to change. */
export class UrlGuardRefusal extends Error {
	/** Where the tag begins in the template HTML. */
	readonly begin: number;
	/** What to show of the template (else the tag at begin). */
	readonly shown?: string;
	constructor(message: string, begin: number, shown?: string) {
		super(message);
		this.name = 'UrlGuardRefusal';
		this.begin = begin;
		this.shown = shown;
	}
}

/**
 * Times a loop body is read for one set of readings before the loop is refused: a body that
 * leaves the HTML where it found it (text, a value, a tag) settles after one reading, one that
 * opens or closes an attribute after two or three.
 */
export const LOOP_PASSES = 4;

/** Outlook readings of conditional comments one static piece may start besides the readings it is read in (readOutlook). */
const MSO_READINGS = 64;
/** What follows `<!--` in a downlevel-hidden conditional comment (`<!--[if mso]>`, `<!--[if !mso]>`, `<!--[if gte mso 9]>`…). */
const CONDITIONAL = /^\[if\b/i;

/** Counters of the last urlOutputs() call (tests: the work a template costs): loop body reads, readings read through a token. */
export const urlScanStats = { bodyReads: 0, work: 0 };

/**
 * The outputs and value-writing tags, and the attribute values (by token begin) that write into
 * a URL position, and how. The HTML is read as the tokens come; a block's branches
 * (`if`/`elsif`/`else`, `unless`, `case`/`when`) each start where the block started, and after
 * the block every way they ended (and the block's start, when no branch may run) is read on: a
 * branch may close or open an attribute another one does not (a quote in one branch, an unquoted
 * value ended by a space after the block). A loop body is read again from where its last reading
 * ended (a second iteration starts where the first one ended) until no new reading comes (at most
 * LOOP_PASSES readings, else the template is refused: UrlGuardRefusal); `break` and `continue`
 * end an iteration where they stand. A loop's readings are kept per set of readings it starts
 * from, so a loop inside another is not read again for each pass of the outer one. `comment`
 * bodies are not read; a `capture` body is read on its own, from text (`{{ captured | raw }}`).
 * `tablerow` writes its own `<tr>`/`<td>`: it must start in text and its body end in text. A
 * position any reading puts in a URL value is guarded.
 */
export function urlOutputs(tokens: PlanToken[], options: { escapeHtml?: boolean } = {}): UrlPlan {
	const escapeHtml = options.escapeHtml ?? true;
	/**
	 * Where unescaped writers (`| raw`, escaping off) stand, by the names in their expressions, with
	 * what their filters do to the value (Use): where and how an assigned literal or a captured text
	 * such a writer may write is written (checkSources).
	 */
	const rawUses = new Map<string, Map<string, Use>>();
	const addUse = (name: string, use: Use): boolean => {
		let uses = rawUses.get(name);
		if (!uses) rawUses.set(name, (uses = new Map()));
		const key = useKey(use);
		if (uses.has(key)) return false;
		uses.set(key, use);
		return true;
	};
	/** `{% capture %}` bodies read (by the capture tag's begin), and how their reading from text ended. */
	const captures: NonNullable<Source['capture']>[] = [];
	const out = new Map<number, UrlMode>();
	const opens = new Map<number, number[]>();
	const closes = new Map<number, UrlClose>();
	const mark = (begin: number, mode: UrlMode) => out.set(begin, (out.get(begin) ?? 0) | mode);
	const closeValue = (x: Scan, piece: number, at: number, quote: string) => {
		// <meta http-equiv="refresh"> (compared as a browser does, references decoded), or an http-equiv Liquid writes:
		// Liquid in its tag is refused (endOfTag); Content-Type, Content-Language, X-UA-Compatible… are not refreshes
		if (x.tag === 'meta' && x.attr === 'http-equiv' && (x.hasLiquid || decodeHtml(x.value).trim().toLowerCase() === 'refresh')) x.meta |= 1;
		// the type's essence (before any parameter: `application/ld+json; charset=utf-8`): no JavaScript type has a JSON essence
		if (x.tag === 'script' && x.attr === 'type' && x.scriptData === 3) x.scriptData = !x.hasLiquid && DATA_SCRIPTS.has(decodeHtml(x.value).split(';')[0].trim().toLowerCase()) ? 1 : 2;
		if (x.hasLiquid && isUrlAttr(x.attr) && !staticStartDecides(x.staticStart)) {
			let planned = false;
			for (const [p, a] of x.openers) {
				// the same piece: a value it opened on a former pass of a loop
				if (p === piece && a <= at) continue;
				// every place a reading opens it: checked from each (a value read from the first alone may hide one that starts later)
				const known = opens.get(p);
				if (!known) opens.set(p, [a]);
				else if (!known.includes(a)) known.push(a);
				planned = true;
			}
			const known = closes.get(piece);
			// readings that close the value at different places in the piece: the farthest one is read
			if (planned && (!known || known.at < at)) closes.set(piece, { at, quote, attr: x.attr });
		}
		x.openers = [];
		x.hasLiquid = false;
	};
	/** Static pieces some reading reads through inside a checked URL value that holds Liquid (UrlClose.keep). */
	const through = new Set<number>();
	const loopMemo = new Map<string, Scan[]>();
	const capturesRead = new Set<number>();
	urlScanStats.bodyReads = 0;
	urlScanStats.work = 0;
	// a hard bound on the whole scan, whatever the template (many loops each leaving several readings,
	// a value that many branches open): 64 times what reading the template once costs (a static piece
	// counts one per 64 characters, a reading one more per place its value may have opened)
	let size = tokens.length;
	for (const t of tokens) if (t.kind === 'html') size += t.value.length >> 6;
	const budget = 100_000 + 64 * size;
	const clone = (list: Scan[]) => list.map((x) => ({ ...x }));
	const atTag = (list: Scan[]) => {
		for (const x of list) if (inValue(x)) liquidInValue(x);
	};
	/** Where each reading of `scans` is after `nodes`; `jumps` collects readings at break/continue. */
	const readSeq = (nodes: Node[], start: Scan[], jumps: Scan[] | undefined): Scan[] => {
		let scans = start;
		for (const n of nodes) {
			urlScanStats.work += n.kind === 'piece' ? scans.length * (1 + (n.t.value.length >> 6)) : scans.length;
			// where the readings' values may have opened is copied, merged and (at a loop, several times) compared as it grows
			for (const x of scans) urlScanStats.work += n.kind === 'loop' ? x.openers.length * LOOP_PASSES * 2 : x.openers.length;
			if (urlScanStats.work > budget) {
				throw new UrlGuardRefusal('The template has too many ways through its Liquid blocks and loops for the URL guard to read: close the HTML tags and attributes inside each block and loop', n.t.begin);
			}
			switch (n.kind) {
				case 'piece': {
					const forks: Scan[] = [];
					for (const x of scans) forks.push(...readPiece(x, n.t));
					if (forks.length) scans = [...scans, ...forks];
					if (scans.length > 1) scans = distinct(scans);
					break;
				}
				case 'output':
					readOutput(scans, n.t);
					break;
				case 'tag':
					atTag(scans);
					break;
				case 'jump':
					atTag(scans);
					jumps?.push(...clone(scans));
					break;
				case 'branches': {
					atTag(scans);
					const ends: Scan[] = [];
					for (const b of n.branches) {
						const end = readSeq(b, clone(scans), jumps);
						atTag(end);
						ends.push(...end);
					}
					if (!n.complete) ends.push(...scans);
					scans = distinct(ends);
					break;
				}
				case 'capture':
					atTag(scans);
					if (!capturesRead.has(n.t.begin)) {
						capturesRead.add(n.t.begin);
						// written later as text (`{{ captured | raw }}`): a body that ends in a tag would open it there, unseen
						const ends = readSeq(n.body, [newScan()], undefined);
						if (ends.some((x) => x.state !== S.Text)) refuseCapture(n.t);
						// one that ends with more left open (<svg>, <noscript>, <select>, a "<") is refused where it is written raw (checkSources)
						captures.push({ t: n.t, body: n.body, leavesOpen: ends.some((x) => x.foreign || x.noscript || x.select || x.carry) });
					}
					break;
				case 'loop':
					atTag(scans);
					scans = readLoop(n, distinct(scans));
					atTag(scans);
					break;
			}
		}
		return scans;
	};
	const readLoop = (n: Extract<Node, { kind: 'loop' }>, entry: Scan[]): Scan[] => {
		const tablerow = n.t.value === 'tablerow';
		if (tablerow && entry.some((x) => x.state !== S.Text)) {
			throw new UrlGuardRefusal('"tablerow" writes its own <tr> and <td>: use it only between elements, not inside an HTML tag, attribute or <style>', n.t.begin);
		}
		const memoKey = `${n.t.begin}\n${setKey(entry)}`;
		const known = loopMemo.get(memoKey);
		if (known) return clone(known);
		// zero iterations leave the loop where it started; each pass reads the body once more from the readings it had not started from
		let all = clone(entry);
		let seen = new Set(all.map(fullKey));
		let frontier = clone(entry);
		let passes = 0;
		while (frontier.length) {
			if (++passes > LOOP_PASSES) {
				throw new UrlGuardRefusal(
					`A "${n.t.value}" loop leaves an HTML tag or attribute open differently on each pass, so links written after it cannot be checked: close the tag or attribute inside the loop (a quote, an unquoted value or a tag opened in the body should end in the body)`,
					n.t.begin,
				);
			}
			urlScanStats.bodyReads++;
			const jumps: Scan[] = [];
			const ends = readSeq(n.body, frontier, jumps);
			all = distinct([...all, ...ends, ...jumps]);
			const keys = all.map(fullKey);
			frontier = clone(all.filter((_, k) => !seen.has(keys[k])));
			seen = new Set(keys);
			atTag(frontier);
		}
		if (tablerow && all.some((x) => x.state !== S.Text)) {
			throw new UrlGuardRefusal('A "tablerow" body leaves an HTML tag or attribute open: the <td> tablerow writes next would land in it. Close the tag or attribute inside the body', n.t.begin);
		}
		if (n.otherwise) all = distinct([...all, ...readSeq(n.otherwise, clone(entry), undefined)]);
		loopMemo.set(memoKey, clone(all));
		return all;
	};
	readSeq(parseTree(tokens), [newScan()], undefined);
	checkSources();
	for (const [piece, close] of closes) if (through.has(piece)) close.keep = true;
	for (const at of opens.values()) at.sort((a, b) => a - b);
	return { outputs: out, opens, closes };

	/**
	 * Whether a writer's expression writes unescaped: escaping off, or its last filter is `raw`
	 * (arguments or not: liquidjs skips its escape for `| raw: 1` too); a `{% liquid %}` or
	 * `{% cycle %}`: any `raw`.
	 */
	function unescaped(t: PlanToken, rest: string): boolean {
		if (!escapeHtml) return true;
		return t.kind === 'tag' && t.value !== 'echo' ? /\|\s*raw\b/.test(rest) : /\|\s*raw(?![\w-])[^|]*$/.test(rest);
	}

	/**
	 * A writer that writes unescaped writes its literals as HTML (`{{ '<a href="' | raw }}`): each must
	 * leave every reading where it found it (from text, back in text with nothing left open; in a
	 * value, no character that ends it), also once its filters have cut or changed it (checkUse),
	 * else the template is refused. Returns whether the writer writes unescaped.
	 */
	function checkLiterals(scans: Scan[], t: PlanToken): boolean {
		if (t.expr === undefined) return !escapeHtml;
		const { items, rest } = chainOf(t.expr, t.kind === 'tag' && t.value === 'liquid');
		if (!unescaped(t, rest)) return false;
		for (const x of scans) {
			// in a comment of a raw-text element that may hold markup, it is read both as the element's text and as the comment's
			for (const state of x.state === S.RawText && x.rawComment ? [S.RawText, S.Comment] : [x.state]) {
				for (const item of items) {
					const use: Use = { state, foreign: x.foreign, fate: item.fate };
					// the variables it writes, and where: checked against what is assigned or captured to them (checkSources)
					if (item.kind === 'name') addUse(item.text, use);
					else checkUse(use, item.text, t.begin);
				}
			}
		}
		return true;
	}

	/** The literal (or captured piece) written unescaped where `use` says moves no reading (literalMoves), as its filters may write it. */
	function checkUse(use: Use, literal: string, begin: number, captured = false): void {
		const x: Scan = { ...newScan(), state: use.state, foreign: use.foreign };
		const { cut, cased, decoded, added } = use.fate;
		const lit = decoded && !literal.startsWith(HOLDS_ALL) ? HOLDS_ALL + literal : literal;
		const forms = cased ? [lit, lit.toUpperCase(), lit.toLowerCase()] : [lit];
		for (const form of forms) if (literalMoves(x, form)) refuseLiteral(begin, lit, undefined, captured);
		if (!cut) return;
		// any piece of it may be written: a character that moves a reading on its own, or one the filter adds
		for (const c of new Set([...forms.join(''), ...(added ?? [])])) if (literalMoves(x, c)) refuseLiteral(begin, lit, cut, captured);
	}

	function literalMoves(x: Scan, lit: string): boolean {
		switch (x.state) {
			case S.Text: {
				const probe: Scan = { ...newScan(), foreign: x.foreign };
				let forks: Scan[];
				try {
					forks = readPiece(probe, { kind: 'html', value: lit, begin: -1 });
				} catch (error) {
					if (error instanceof UrlGuardRefusal) return true;
					throw error;
				}
				// Outlook's reading of a conditional comment in it too
				return [probe, ...forks].some((y) => y.state !== S.Text || y.carry !== '' || y.foreign !== x.foreign || y.noscript !== 0 || y.select !== 0);
			}
			case S.ValueDq:
				return lit.includes('"');
			case S.ValueSq:
				return lit.includes("'");
			case S.RawText:
				return lit.includes('<');
			case S.Comment:
				return lit.includes('>') || COMMENT_ENDER.test(lit);
			case S.ValueUnq:
				// white space is written as character references there (UNQUOTED): only ">" ends the value (and the tag)
				return lit.includes('>');
			case S.BeforeValue:
				// the same, and a quote may open a quoted value instead
				return /["'>]/.test(lit);
			default:
				// a tag
				return NAME_BREAKER.test(lit);
		}
	}

	function refuseLiteral(begin: number, literal: string, cut: string | undefined, captured: boolean): never {
		// a literal that may hold any character (a backslash escape, a decoding filter): shown as written
		const any = literal.startsWith(HOLDS_ALL);
		const lit = any ? literal.slice(HOLDS_ALL.length) : literal;
		const shown = `"${lit.length > 30 ? lit.slice(0, 30) + '…' : lit}"`;
		const what = captured ? `The text this capture holds (${shown})` : `A literal written without escaping (${shown}`;
		const how = captured ? ', written without escaping where it is used (with | raw or HTML escaping off),' : `${any ? ', which a backslash escape or a decoding filter may turn into any character' : ''}, with | raw or HTML escaping off)`;
		if (cut === INDEX_CUT) {
			throw new UrlGuardRefusal(
				`${what}${how} is read with an index or key ([…]), which on a string gives one of its characters: what is written may open or close an HTML tag, attribute or comment where it stands, and the URL guard cannot see the links that makes. Write that HTML in the template itself`,
				begin,
			);
		}
		if (cut) {
			throw new UrlGuardRefusal(
				`${what}${how} goes through the filter "${cut}", which can cut it or change its characters: what is written may open or close an HTML tag, attribute or comment where it stands, and the URL guard cannot see the links that makes. Apply "${cut}" to the data before the HTML is added, or write that HTML in the template itself`,
				begin,
			);
		}
		throw new UrlGuardRefusal(
			`${what}${how} opens or closes an HTML tag, attribute or comment${captured ? ' where it is written' : ''}, or starts <svg>, <math>, <noscript> or <select> content: the URL guard cannot see the links it makes. Write that HTML in the template itself${captured ? ', where the captured text is used' : ''}`,
			begin,
		);
	}

	/**
	 * What unescaped writers may write through a variable: literals assigned to it
	 * (`{% assign open = '<a href="' %}{{ open | raw }}`, through assigns, loops, `{% liquid %}`
	 * and dynamic lookups such as `{{ [key] | raw }}`, which may name any variable) and the text a
	 * `{% capture %}` gives it. Each literal must leave every reading such a writer stands in where
	 * it found it, as the filters on the way write it (checkUse); a captured text written in text
	 * is read as HTML, in foreign content too, and must end where it began; written anywhere else,
	 * none of its pieces may hold a character that ends where it stands.
	 */
	function checkSources(): void {
		if (!rawUses.size) return;
		const sources: Source[] = [];
		for (const t of tokens) {
			if (t.kind !== 'tag' || t.expr === undefined) continue;
			const lines = t.value === 'liquid' ? t.expr.split('\n').map((l) => l.trim()) : [`${t.value} ${t.expr}`];
			for (const line of lines) {
				const a = /^assign\s+([\w-]+)\s*=([\s\S]*)$/.exec(line);
				if (a) sources.push({ begin: t.begin, target: a[1], items: chainOf(a[2]).items });
				// a loop variable is one element (of a string, the string), a captured text a string: never an array of pieces (asString)
				const f = /^(?:for|tablerow)\s+([\w-]+)\s+in\s+([\s\S]*)$/.exec(line);
				if (f) sources.push({ begin: t.begin, target: f[1], items: asString(chainOf(f[2]).items) });
				// `{% liquid capture x … endcapture %}`: what its lines write, all of the tag counted
				const c = t.value === 'liquid' ? /^capture\s+(?:([\w-]+)|"([^"]*)"|'([^']*)')/.exec(line) : null;
				if (c) sources.push({ begin: t.begin, target: c[1] ?? c[2] ?? c[3], items: asString(chainOf(t.expr, true).items) });
			}
		}
		for (const capture of captures) {
			// the body's unescaped writers: their literals and variables reach the captured text
			const items: ChainItem[] = [];
			for (const w of bodyParts(capture.body).writers) {
				if (w.expr === undefined) continue;
				const chain = chainOf(w.expr, w.kind === 'tag' && w.value === 'liquid');
				if (unescaped(w, chain.rest)) items.push(...asString(chain.items));
			}
			const target = (capture.t.expr ?? '').trim().replace(/^(["'])(.*)\1$/, '$2');
			sources.push({ begin: capture.t.begin, target, items, capture });
		}
		const usesOf = (target: string): Use[] => [...(rawUses.get(target)?.values() ?? []), ...(target === ANY_NAME ? [] : (rawUses.get(ANY_NAME)?.values() ?? []))];
		const reread = new Set<PlanToken>();
		for (let changed = true; changed; ) {
			changed = false;
			// a variable assigned from others (or a captured text holding them) is written where they are read
			for (const s of sources) {
				for (const use of usesOf(s.target)) {
					for (const item of s.items) if (item.kind === 'name' && addUse(item.text, { ...use, fate: compose(item.fate, use.fate) })) changed = true;
				}
			}
			// a captured text written in foreign content is read there (its writers then stand there too)
			for (const s of sources) {
				if (!s.capture || reread.has(s.capture.t) || !usesOf(s.target).some((u) => u.state === S.Text && u.foreign)) continue;
				reread.add(s.capture.t);
				if (readSeq(s.capture.body, [{ ...newScan(), foreign: 1 }], undefined).some((x) => x.state !== S.Text || x.carry || x.noscript || x.select)) refuseCapture(s.capture.t);
				changed = true;
			}
		}
		const anyUses = new Set(rawUses.get(ANY_NAME)?.values() ?? []);
		for (const s of sources) {
			for (const use of usesOf(s.target)) {
				try {
					checkSource(s, use);
				} catch (error) {
					// a dynamic lookup wrote it: say so (the template may not write the variable by its name)
					if (!(error instanceof UrlGuardRefusal) || !anyUses.has(use)) throw error;
					throw new UrlGuardRefusal(`${error.message}. It is written by a dynamic lookup ({{ [name] | raw }} or {{ ['name'] | raw }}), which may write any variable: write the variable by its name`, error.begin, error.shown);
				}
			}
		}
	}

	/** One source (an assign, a loop variable, a capture) against one place an unescaped writer of its variable stands. */
	function checkSource(s: Source, use: Use): void {
		for (const item of s.items) if (item.kind === 'literal') checkUse({ ...use, fate: compose(item.fate, use.fate) }, item.text, s.begin);
		if (!s.capture) return;
		if (use.state === S.Text && !use.fate.cut && !use.fate.decoded && !(use.fate.cased && use.foreign)) {
			// read as HTML from text where the capture tag stands (or again in foreign content: checkSources); it must not open <svg>, <noscript> unseen
			if (!use.foreign && s.capture.leavesOpen) refuseLiteral(s.begin, bodyParts(s.capture.body).pieces.map((p) => p.value).join(''), undefined, true);
			return;
		}
		// anywhere else (a value, a comment, <style>), or cut by a filter: no piece of it may hold a character that ends where it stands
		for (const piece of bodyParts(s.capture.body).pieces) checkUse(use, piece.value, s.begin, true);
	}

	/** The static pieces and the writers of a capture body, nested captures left out (they write into their own variable). */
	function bodyParts(body: Node[]): { pieces: PlanToken[]; writers: PlanToken[] } {
		const pieces: PlanToken[] = [];
		const writers: PlanToken[] = [];
		const walk = (nodes: Node[]) => {
			for (const n of nodes) {
				if (n.kind === 'piece') pieces.push(n.t);
				else if (n.kind === 'output') writers.push(n.t);
				else if (n.kind === 'branches') n.branches.forEach(walk);
				else if (n.kind === 'loop') {
					walk(n.body);
					if (n.otherwise) walk(n.otherwise);
				}
			}
		};
		walk(body);
		return { pieces, writers };
	}

	function refuseCapture(t: PlanToken): never {
		throw new UrlGuardRefusal(
			'A "capture" body leaves an HTML tag, attribute or comment open: where the captured text is written, values written after it may land in a link the URL guard cannot see. Close the tag or attribute inside the capture',
			t.begin,
		);
	}

	function newScan(): Scan {
		return { state: S.Text, tag: '', attr: '', value: '', valueHasOutput: false, raw: '', rawTag: '', openers: [], hasLiquid: false, staticStart: '', lastPiece: -1, lastPieceLength: 0, foreign: 0, select: 0, rawComment: false, noscript: 0, meta: 0, scriptData: 0, cssCall: -1, unqStart: -1, carry: '' };
	}

	function readOutput(scans: Scan[], t: PlanToken): void {
		// CSS url(): guarded when any reading puts the output there (nothing else checks CSS).
		// The start of a URL attribute value: when every reading does; else the value is checked
		// where it closes, in each reading that has it in a URL value (so that an output after
		// `{% if %}https://x/{% endif %}` is not taken for the start when the branch ran).
		let css = 0;
		let starts = 0;
		let unquoted = 0;
		let tagged = 0;
		let comment = 0;
		// CSS_DATA is for escaped values only: one written unescaped may end the attribute or the <style> anyway,
		// and is trusted CSS (`<style>{{ theme_css | raw }}</style>` with its @media and url())
		const cssData = checkLiterals(scans, t) ? 0 : CSS_DATA | CSS_JOIN;
		for (const x of scans) {
			refuseOutput(x, t);
			// CSS data in this reading: a "(" the template writes right after it makes the value a function's name (readPiece)
			x.cssCall = -1;
			// an unquoted value only outputs have written so far (this one the first, or the last): the template's next text decides (readPiece)
			const unquotedStart = x.state === S.BeforeValue || (x.state === S.ValueUnq && x.unqStart >= 0);
			x.unqStart = -1;
			if (x.tag === 'meta' && (inTag(x) || inValue(x) || x.state === S.BeforeValue)) x.meta |= 2;
			if (x.state === S.ValueUnq || x.state === S.BeforeValue) unquoted = UNQUOTED;
			if (inValue(x)) {
				liquidInValue(x);
				const mode = isCssAttr(x.attr) ? cssUrlMode(x.value) : 0;
				// in an SVG reference attribute, data that starts the url( must name an element of the document
				if (mode) css |= mode & URL_START && x.attr !== 'style' ? mode | LOCAL_URL : mode;
				else if (isCssAttr(x.attr)) {
					css |= cssDataMode(x.value) & cssData;
					if (cssData) x.cssCall = t.begin;
				}
				else if (isUrlAttr(x.attr) && !x.valueHasOutput && x.value.trim() === '') starts++;
				x.valueHasOutput = true;
				x.value += 'x';
				normalValue(x);
			} else if (x.state === S.BeforeValue) {
				// href={{ url }}: an unquoted value starting with the output
				if (isUrlAttr(x.attr)) starts++;
				else if (isCssAttr(x.attr)) {
					css |= CSS_DATA & cssData;
					if (cssData) x.cssCall = t.begin;
				}
				openValue(x, x.lastPiece, x.lastPieceLength);
				x.value = '';
				liquidInValue(x);
				x.state = S.ValueUnq;
				x.value = 'x';
				x.valueHasOutput = true;
			} else if (x.state === S.RawText) {
				const mode = x.rawTag === 'style' ? cssUrlMode(x.raw) : 0;
				if (mode) css |= mode;
				else if (x.rawTag === 'style') {
					css |= cssDataMode(x.raw) & cssData;
					if (cssData) x.cssCall = t.begin;
				}
				x.raw = x.rawTag === 'style' ? cssTail(x.raw + 'x') : x.rawTag === 'script' ? x.raw : '';
				if (x.rawComment) {
					// also in a comment where the element holds markup: written as in one (IN_COMMENT, COMMENT_SPLIT)
					comment |= IN_COMMENT;
					if (x.carry) comment |= COMMENT_SPLIT;
					x.carry = '';
				}
			} else if (inTag(x)) {
				// the data writes (part of) an attribute name (an element name is refused): which attribute it is, the data says
				tagged = IN_TAG;
				x.state = S.AttrName;
				x.attr = ANY_ATTR;
				noteAttr(x);
			} else if (x.state === S.Comment) {
				comment |= IN_COMMENT;
				// `--{{ x }}>`: the output, never written empty (COMMENT_SPLIT), parts the dashes from what follows
				if (x.carry) comment |= COMMENT_SPLIT;
				// `<!--{{ x }}`, `<!--[{{ x }}`, `<!--[i{{ x }}` (the carry: readFrom): the data must not make it `<!--[if`
				if (x.carry.startsWith('<!--') && '[if'.startsWith(x.carry.slice(4).toLowerCase())) comment |= COMMENT_OPEN << (x.carry.length - 4);
				x.carry = '';
			}
			if (unquotedStart) x.unqStart = t.begin;
		}
		const mode = css | (starts === scans.length ? URL_START : 0) | unquoted | tagged | comment;
		if (mode) mark(t.begin, mode);
	}

	/** Positions where what the data writes cannot be made safe (see the messages): the template is refused. */
	function refuseOutput(x: Scan, t: PlanToken): void {
		const refuse = (message: string, shown: string) => {
			throw new UrlGuardRefusal(message, t.begin, shown);
		};
		if (x.state === S.TagOpen || x.state === S.EndTag || (x.carry && (x.state === S.Text || (x.state === S.RawText && !x.rawComment)))) {
			if (x.carry.startsWith('<!')) refuse('Liquid in a "<!…>" declaration: it could make it a comment that hides or reveals the links after it. Write the declaration without Liquid', x.carry);
			refuse(
				'Liquid writes an element name: the data could choose <script>, <style>, <svg> or end a <style> early. Write the element in the template and choose between them with {% if %} or {% case %}',
				x.state === S.EndTag ? `</${x.tag.trim()}` : x.carry ? x.carry : `<${x.tag}`,
			);
		}
		if (x.noscript > 0) {
			refuse(
				'Liquid inside <noscript>: a browser with scripting on (the web version of an email) reads its content as text up to the first "</noscript", not as the tags the URL guard reads, so a link written there is not checked. Email clients ignore <noscript>: move the Liquid out of it',
				'<noscript>',
			);
		}
		if (x.state === S.Bogus) refuse('Liquid in a "<!…>" or "<?…>" declaration: it could make it a comment that hides or reveals the links after it. Write the declaration without Liquid', '<!…>');
		const inAttrs = inTag(x) || inValue(x) || x.state === S.BeforeValue;
		if (inAttrs && ANIMATION.has(x.tag)) {
			refuse(`Liquid in an SVG <${x.tag}> tag: it can set an href from its "to", "from" or "values", which the URL guard does not check. Write the animation without Liquid`, `<${x.tag}>`);
		}
		if ((inValue(x) || x.state === S.BeforeValue) && x.attr === 'srcdoc') {
			refuse('Liquid in an iframe "srcdoc": it is a whole HTML document, whose character references the browser decodes, so escaping cannot keep the data text. Email clients do not show iframes: remove it', 'srcdoc');
		}
		if ((inValue(x) || x.state === S.BeforeValue) && x.attr.startsWith('on')) {
			refuse(
				`Liquid in the event handler "${x.attr}": a browser runs its value as script once it has decoded the character references, so HTML escaping does not keep the data text there (&#39; is a quote again). Email clients remove event handlers: remove the attribute, or put the value in a link's URL`,
				x.attr,
			);
		}
		if (inValue(x) && isUrlAttr(x.attr)) {
			// a javascript: URL the template writes: the data would be script (references decoded first)
			const start = x.hasLiquid ? x.staticStart : x.value;
			const scheme = schemeOf(start);
			if (scheme === 'javascript' || scheme === 'vbscript') {
				refuse(`Liquid inside a ${scheme}: URL the template writes: a browser runs it as script once it has decoded the character references, so HTML escaping does not keep the data text there. Write an http(s) link`, `${x.attr}="${scheme}:…"`);
			}
			// a data: URL the template writes: the data writes a whole resource (of the type before its first comma)
			if (scheme === 'data' && !IMAGE_DATA.test(browserUrl(decodeHtml(start, { isAttributeValue: true })))) {
				refuse(
					'Liquid inside a data: URL the template writes: the data would write the content of a whole resource, and one of type text/html or image/svg+xml is a document that runs its scripts in a frame, an <object> or a new tab (HTML escaping does not stop that: the browser decodes character references first). Write an http(s) URL, or a data:image/png, gif, jpeg or webp URL whose type and encoding the template writes up to the comma (data:image/png;base64,{{ … }})',
					`${x.attr}="data:…"`,
				);
			}
		}
		if (x.tag === 'base' && (inTag(x) || inValue(x) || x.state === S.BeforeValue)) {
			refuse('Liquid in a <base> tag: its href sets the address every relative link and image of the email resolves against, so the data would choose where they all point. Write the <base> without Liquid, or write whole URLs in the links', '<base>');
		}
		if (x.tag === 'script' && (inTag(x) || inValue(x) || x.state === S.BeforeValue)) {
			refuse(
				'Liquid in a <script> tag: its src (or href) loads the script the browser runs, and its type says whether it runs at all (the first of two type attributes counts). Email clients remove scripts: write the <script> tag without Liquid',
				'<script>',
			);
		}
		if (x.state === S.RawText && x.rawTag === 'script' && x.scriptData !== 1) {
			refuse(
				'Liquid inside <script>: a browser runs it (the web version of an email), and HTML escaping does not keep data out of script (a backslash, a backtick, a function name are code there). Email clients remove scripts: remove the script, or write schema.org data as <script type="application/ld+json">',
				'<script>',
			);
		}
		if ((inValue(x) || x.state === S.BeforeValue) && x.attr === ANY_ATTR) {
			refuse('Liquid writes the value of an attribute whose name the data wrote: the data could choose onclick, style or srcdoc. Write the attribute names in the template', '<… {{ name }}={{ value }}>');
		}
	}

	/**
	 * Reads a static piece. Returns the readings it starts besides x: Outlook's (and old IE's) reading
	 * of each downlevel-hidden conditional comment (`<!--[if mso]> … <![endif]-->`), whose content
	 * they read as HTML where browsers read a comment (readOutlook).
	 */
	function readPiece(x: Scan, t: PlanToken): Scan[] {
		if (x.cssCall >= 0) {
			// `background:{{ f }}(…)`: the data names the function the template opens
			if (t.value.startsWith('(') && t.begin >= 0) mark(x.cssCall, CSS_CALL);
			x.cssCall = -1;
		}
		if (x.unqStart >= 0 && t.value !== '') {
			// `src={{ u }} alt="…"`: written empty, the output would leave the value to what follows (UNQUOTED_EMPTY)
			if (/^[\t\n\f\r "']/.test(t.value) && t.begin >= 0) mark(x.unqStart, UNQUOTED_EMPTY);
			x.unqStart = -1;
		}
		// static text the last piece left incomplete is read again with this one (offsets in this piece: i - shift)
		const shift = x.carry.length;
		const s = x.carry + t.value;
		x.carry = '';
		x.lastPiece = t.begin;
		x.lastPieceLength = t.value.length;
		const forks: Scan[] = [];
		// `<!--{% if o %}[if mso]>`: the last piece opened the comment (carried), this one may make it a conditional one
		if (x.state === S.Comment && shift >= 4 && s.startsWith('<!--') && CONDITIONAL.test(s.slice(4, 8))) readOutlook(x, s, 0, t, shift, forks);
		readFrom(x, s, 0, t, shift, forks, -1, '');
		return forks;
	}

	/**
	 * At `<!--[if …]>` (at `at` in s): Outlook reads what follows its `]>` as HTML, up to `<![endif]`, where
	 * x (a browser) reads a comment. That reading goes on from here; when it is back where x is once the
	 * comment ends (in text, with the same flags, at the comment's end in this piece) it is x's own and
	 * is dropped, else it is one more reading of the template (at most MSO_READINGS started in a piece).
	 */
	function readOutlook(x: Scan, s: string, at: number, t: PlanToken, shift: number, forks: Scan[]): void {
		if (forks.length >= MSO_READINGS) {
			throw new UrlGuardRefusal('The template has too many conditional comments (<!--[if mso]>) that leave an HTML tag or attribute open for the URL guard to read: close the tags and attributes inside each one', t.begin);
		}
		const end = commentEnd(s, at);
		const y: Scan = { ...x, state: S.Bogus };
		if (!readFrom(y, s, at + 4, t, shift, forks, end, end < 0 ? '' : scanKey({ ...x, state: S.Text, carry: '' }))) forks.push(y);
	}

	/**
	 * Reads s from `from` on in x. With `forks`, a conditional comment starts Outlook's reading there
	 * (readOutlook). With `dropAt` (an index in s), returns true (the reading stopped) when x is in the
	 * reading `dropKey` names right after reading the character there.
	 */
	function readFrom(x: Scan, s: string, from: number, t: PlanToken, shift: number, forks: Scan[] | undefined, dropAt: number, dropKey: string): boolean {
		// where a comment this piece opened starts (its "<!--"), -1 none
		let commentOpen = -1;
		// where the open comment's text starts when its "<!--" is in s (carried from the last piece, or opened here): the
		// dashes of "<!--" are not the comment's own, so "--!>" over them ends nothing ("<!--!>", "<!---!>" go on)
		let commentText = from === 0 && x.state === S.Comment && shift >= 4 && s.startsWith('<!--') ? 4 : 0;
		for (let i = from; i < s.length; i++) {
			const c = s[i];
			switch (x.state) {
				case S.Text:
					if (c === '<') {
						const rest = s.slice(i, i + 9);
						if (i + rest.length === s.length && (('<!--'.startsWith(rest) && rest.length < 4) || ('<![CDATA['.startsWith(rest) && rest.length < 9 && x.foreign > 0))) {
							// at the end of the piece (`<`, `<!`, `<!-`…): what follows decides (a tag, a comment)
							x.carry = rest;
							i = s.length;
						} else if (s.startsWith('!--', i + 1)) {
							if (forks && CONDITIONAL.test(s.slice(i + 4, i + 8))) readOutlook(x, s, i, t, shift, forks);
							x.state = S.Comment;
							commentOpen = i;
							commentText = i + 4;
							i += 3;
						} else if (s.startsWith('![CDATA[', i + 1) && x.foreign > 0) {
							throw new UrlGuardRefusal(
								'A CDATA section inside (or after) <svg> or <math>: there it is text up to "]]>", elsewhere a comment up to the first ">", so links in or after it are read differently by the browser and the URL guard (which end tag closes an <svg> or <math> depends on the elements open around it, so the guard reads all that follows one as possibly inside it). Remove the CDATA section',
								t.begin,
								'<![CDATA[',
							);
						} else if (s[i + 1] === '!' || s[i + 1] === '?') {
							// a doctype, `<![if !mso]>`, `<?xml …?>`: up to the first `>` (https://html.spec.whatwg.org/multipage/parsing.html#bogus-comment-state)
							x.state = S.Bogus;
						} else if (s[i + 1] === '/') {
							x.state = S.EndTag;
							x.tag = '';
							i++;
						} else if (/[a-zA-Z]/.test(s[i + 1] ?? '')) {
							x.state = S.TagOpen;
							x.tag = '';
							x.meta = 0;
							x.scriptData = 0;
						}
					}
					break;
				case S.Comment:
					// `-->` (`<!-->` and `<!--->` too), or `--!>` of the comment's own dashes, which ends a comment too
					// (https://html.spec.whatwg.org/multipage/parsing.html#comment-start-state, #comment-end-bang-state)
					if (c === '>' && (s.startsWith('--', i - 2) || (i - 3 >= commentText && s.startsWith('--!', i - 3)))) x.state = S.Text;
					break;
				case S.Bogus:
					if (c === '>') x.state = S.Text;
					break;
				case S.EndTag:
					if (c === '>') {
						endTagRead(x, x.tag.trim());
						x.state = S.Text;
					} else if (/[\t\n\f\r /]/.test(c) && /^[a-z]/.test(x.tag)) {
						// after an end tag's name come attributes, read as a start tag's (a browser ignores them, but a ">" in
						// their quotes does not end the tag: https://html.spec.whatwg.org/multipage/parsing.html#tag-name-state)
						x.tag = '/' + x.tag;
						x.state = S.InTag;
					} else if (/[\s/]/.test(c)) {
						// `</ …>`, `</3…>`: a bogus comment up to the first ">"
						if (!x.tag.endsWith(' ')) x.tag += ' ';
					} else if (!x.tag.includes(' ') && x.tag.length < NAME_MAX) x.tag += c.toLowerCase();
					break;
				case S.TagOpen:
					if (/\s/.test(c)) x.state = S.InTag;
					else if (c === '>') x.state = endOfTag(x, t.begin);
					else if (c === '/') x.state = S.InTag;
					else if (x.tag.length < NAME_MAX) x.tag += c.toLowerCase();
					break;
				case S.InTag:
					if (c === '>') x.state = endOfTag(x, t.begin);
					else if (!/[\s/]/.test(c)) {
						typeWithoutValue(x);
						x.state = S.AttrName;
						x.attr = c.toLowerCase();
					}
					break;
				case S.AttrName:
					if (c === '=') {
						noteAttr(x);
						x.state = S.BeforeValue;
					} else if (c === '>') x.state = endOfTag(x, t.begin);
					else if (/\s/.test(c)) {
						noteAttr(x);
						x.state = S.AfterName;
					} else if (c === '/') {
						noteAttr(x);
						x.state = S.InTag;
					} else if (x.attr !== ANY_ATTR && x.attr.length < NAME_MAX) x.attr += c.toLowerCase();
					break;
				case S.AfterName:
					if (c === '=') x.state = S.BeforeValue;
					else if (c === '>') x.state = endOfTag(x, t.begin);
					else if (!/[\s/]/.test(c)) {
						typeWithoutValue(x);
						x.state = S.AttrName;
						x.attr = c.toLowerCase();
					}
					break;
				case S.BeforeValue:
					x.value = '';
					x.valueHasOutput = false;
					if (c === '"') {
						x.state = S.ValueDq;
						openValue(x, t.begin, i + 1 - shift);
					} else if (c === "'") {
						x.state = S.ValueSq;
						openValue(x, t.begin, i + 1 - shift);
					} else if (c === '>') x.state = endOfTag(x, t.begin);
					else if (!/\s/.test(c)) {
						x.state = S.ValueUnq;
						openValue(x, t.begin, i - shift);
						x.value = c;
					}
					break;
				case S.ValueDq:
					if (c === '"') {
						closeValue(x, t.begin, i - shift, '"');
						x.state = S.InTag;
					} else x.value += c;
					break;
				case S.ValueSq:
					if (c === "'") {
						closeValue(x, t.begin, i - shift, "'");
						x.state = S.InTag;
					} else x.value += c;
					break;
				case S.ValueUnq:
					if (/\s/.test(c)) {
						closeValue(x, t.begin, i - shift, '');
						x.state = S.InTag;
					} else if (c === '>') {
						closeValue(x, t.begin, i - shift, '');
						x.state = endOfTag(x, t.begin);
					} else x.value += c;
					break;
				case S.RawText: {
					if (x.rawComment) {
						// in a comment the element holds where it may hold markup (below), up to its end: "-->" or "--!>" (the dashes may be the last piece's)
						if (c === '<') refuseMarkup(x, t);
						if (x.rawTag === 'style') x.raw += c;
						if (c === '>' && (s.startsWith('--', i - 2) || s.startsWith('--!', i - 3))) x.rawComment = false;
						break;
					}
					const named = c === '<' && s[i + 1] === '/' && s.slice(i + 2, i + 2 + x.rawTag.length).toLowerCase() === x.rawTag;
					// an end tag only when its name ends there (`</style>`, `</style `, `</style/`, not `</styles>`:
					// https://html.spec.whatwg.org/multipage/parsing.html#rawtext-end-tag-name-state); at the end of the piece the next one says (carry)
					const after = named ? s[i + 2 + x.rawTag.length] : undefined;
					if (named && after === undefined) {
						i = s.length;
						break;
					}
					if (named && /[\t\n\f\r />]/.test(after as string)) {
						// the end tag's name read: what follows it (attributes, ">") as in any end tag
						x.state = S.EndTag;
						x.tag = x.rawTag;
						x.raw = '';
						i += 1 + x.rawTag.length;
						break;
					}
					if (c === '<' && (x.foreign > 0 || (x.select > 0 && x.rawTag !== 'script' && x.rawTag !== 'textarea'))) {
						// in <svg>/<math> a <style> or <title> holds markup (and may close itself: <style/>), in a <select> a browser may ignore
						// the element and read its content as markup: read as text, it must hold none, but a comment (`<!-- … -->` hiding CSS
						// from old clients) that ends before the element and holds no "<" reads alike
						const comment = s.startsWith('<!--', i);
						const close = comment ? commentEnd(s, i) : -1;
						const end = close < 0 ? s.length : close;
						if (!comment || s.slice(i + 4, end).includes('<') || endTagAt(s, x.rawTag, i) < end) refuseMarkup(x, t);
						// read as CSS where the element holds text (the <svg> closed): as a browser without it reads it
						if (x.rawTag === 'style') x.raw += s.slice(i, end + 1);
						// a comment this piece does not end (Liquid stands in it): read on in it (rawComment)
						if (close < 0) x.rawComment = true;
						i = end;
						break;
					}
					if (x.rawTag !== 'script') {
						x.raw += c;
						break;
					}
					// script: after "<!--" (read as any "<!"), "<script" makes the browser read on past the first "</script>"
					// (https://html.spec.whatwg.org/multipage/parsing.html#script-data-double-escaped-state); "-->" ends that
					if (c === '<' && s[i + 1] === '!') x.raw = '<!--';
					else if (c === '<' && x.raw && /[a-zA-Z]/.test(s[i + 1] ?? '')) {
						throw new UrlGuardRefusal(
							'A tag inside a <script> after "<!--": "<script" there makes the browser read the script on past its first "</script>", so what follows is script, not the HTML the URL guard reads. Remove the "<!--" or the tag from the script',
							t.begin,
							'<script>',
						);
					} else if (c === '>' && s.startsWith('--', i - 2)) x.raw = '';
					break;
				}
			}
			if (i === dropAt && scanKey(x) === dropKey) return true;
		}
		if (x.state === S.RawText) {
			// style: its CSS tail; script: whether it is after "<!--"
			x.raw = x.rawTag === 'style' ? cssTail(x.raw) : x.rawTag === 'script' ? x.raw : '';
			// in a comment: `-`, `--`, `--!`, which the next piece may end with `>`
			if (x.rawComment) x.carry = /(?:--!?|-)$/.exec(s)?.[0] ?? '';
			// `<`, `</`, `</sty`, `</style`: the next piece may end the element
			const end = `</${x.rawTag}`;
			for (let k = Math.min(end.length, s.length); k > 0 && !x.rawComment; k--) {
				if (end.startsWith(s.slice(-k).toLowerCase())) {
					x.carry = s.slice(-k);
					break;
				}
			}
		} else if (x.state === S.Comment) {
			// `-`, `--`, `--!`: the next piece may end the comment with `>`; a comment this piece opens at its end (`<!--`,
			// `<!--[`, `<!--[i`, a Liquid tag after it): the next piece may make it a conditional comment (readPiece)
			// a comment a former piece opened (its carried `<!--`, `<!--[`…: s starts with it) counts as opened here too
			const open = commentOpen >= 0 ? commentOpen : shift >= 4 && s.startsWith('<!--') ? 0 : -1;
			const text = open >= 0 ? s.slice(open + 4) : s;
			// `<!---` too: the next piece's `>` ends it, its `!>` does not (the comment start dash state): read again with it
			const opened = open >= 0 && text.length < 3 && ('[if'.startsWith(text.toLowerCase()) || text === '-');
			// the dashes of the comment's own text only: those of its `<!--` end nothing with a `!>` after them
			x.carry = opened ? s.slice(open) : (/(?:--!?|-)$/.exec(text)?.[0] ?? '');
		}
		if (inValue(x) && (x.hasLiquid || isCssAttr(x.attr))) normalValue(x);
		if (inValue(x) && x.hasLiquid && isUrlAttr(x.attr)) through.add(t.begin);
		return false;
	}
}

/** A "<" in a raw-text element that may hold markup there (Scan.foreign, Scan.select): refused. */
function refuseMarkup(x: Scan, t: PlanToken): never {
	if (x.foreign > 0) {
		throw new UrlGuardRefusal(
			`A "<" inside <${x.rawTag}> in (or after) <svg> or <math>: there the element holds markup, not text, so links in or after it are read differently by the browser and the URL guard (which end tag closes an <svg> or <math> depends on the elements open around it, so the guard reads all that follows one as possibly inside it). Keep only text (and whole <!-- … --> comments) in it, or move it before the <svg>/<math> element`,
			t.begin,
			`<${x.rawTag}>`,
		);
	}
	throw new UrlGuardRefusal(
		`A "<" inside <${x.rawTag}> in a <select>: browsers that do not allow a <${x.rawTag}> there ignore its tag and read its content as markup, others as text, so links in it are read differently by the browser and the URL guard. Keep only text (and whole <!-- … --> comments) in it, or move it out of the <select>`,
		t.begin,
		`<${x.rawTag}>`,
	);
}

/**
 * Where the comment `<!--` at `at` opens ends (the index of its `>`), as a browser reads it: the first
 * `>` after `--` (`<!-->` and `<!--->` included) or after a `--!` of the comment's own
 * (https://html.spec.whatwg.org/multipage/parsing.html#comment-start-state); -1 none in s.
 */
function commentEnd(s: string, at: number): number {
	for (let m = s.indexOf('>', at + 4); m >= 0; m = s.indexOf('>', m + 1)) {
		// `--!>` closes only after the comment's start (`<!--!>` does not: the "!" is comment text)
		if (s.startsWith('--', m - 2) || (m - 3 >= at + 4 && s.startsWith('--!', m - 3))) return m;
	}
	return -1;
}

/** The index of the first end tag of `tag` in s after `from` (`</style` then white space, `/` or `>`), else s.length. */
function endTagAt(s: string, tag: string, from: number): number {
	const lower = s.toLowerCase();
	for (let m = lower.indexOf(`</${tag}`, from); m >= 0; m = lower.indexOf(`</${tag}`, m + 1)) {
		const after = s[m + 2 + tag.length];
		if (after === undefined || /[\t\n\f\r />]/.test(after)) return m;
	}
	return s.length;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
/**
 * A data: URL whose type (what stands before its first comma: https://fetch.spec.whatwg.org/#data-urls)
 * is an image type a browser only ever decodes as an image (never a document that runs script).
 */
const IMAGE_DATA = /^data:image\/(?:png|gif|jpeg|webp)(?:;[^,]*)?,/i;
const ENTITY = /&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|(colon|Tab|NewLine));?/g;
const NAMED: Record<string, string> = { colon: ':', Tab: '\t', NewLine: '\n' };

/** A URL value as a browser reads it: references decoded (those that complete a scheme), tabs and line breaks removed, leading spaces and controls trimmed. */
function browserUrl(value: string): string {
	let v = value;
	if (v.includes('&')) {
		v = v.replace(ENTITY, (_m, dec: string | undefined, hex: string | undefined, name: string | undefined) =>
			name ? NAMED[name] : String.fromCodePoint(Math.min(parseInt(dec ?? hex ?? '0', dec ? 10 : 16), 0x10ffff)),
		);
	}
	return v.replace(/[\t\n\r]/g, '').replace(/^[\x00-\x20]+/, '');
}

/** The scheme a browser would read (browserUrl). */
function schemeOf(value: string): string | undefined {
	const m = SCHEME.exec(browserUrl(value));
	return m ? m[1].toLowerCase() : undefined;
}

/**
 * CSS functions a value may use (colours, gradients, maths, transforms, filters, shapes, timing):
 * none loads a URL or runs script. Any other (`url`, `image-set`, `image`, `cross-fade`, `element`,
 * `src`, `expression`, `paint`…) is not written from the data (CSS_DATA). Vendor prefixes are read without.
 */
const CSS_FUNCTIONS = new Set([
	'rgb', 'rgba', 'hsl', 'hsla', 'hwb', 'lab', 'lch', 'oklab', 'oklch', 'color', 'color-mix', 'light-dark', 'calc', 'min', 'max', 'clamp', 'var', 'env',
	'linear-gradient', 'radial-gradient', 'conic-gradient', 'repeating-linear-gradient', 'repeating-radial-gradient', 'repeating-conic-gradient', 'gradient',
	'translate', 'translatex', 'translatey', 'translatez', 'translate3d', 'scale', 'scalex', 'scaley', 'scalez', 'scale3d', 'rotate', 'rotatex', 'rotatey', 'rotatez', 'rotate3d',
	'skew', 'skewx', 'skewy', 'matrix', 'matrix3d', 'perspective', 'cubic-bezier', 'steps', 'blur', 'brightness', 'contrast', 'drop-shadow', 'grayscale', 'hue-rotate',
	'invert', 'opacity', 'saturate', 'sepia', 'rect', 'inset', 'circle', 'ellipse', 'polygon', 'minmax', 'repeat', 'fit-content', 'counter', 'counters', 'attr', 'local', 'format',
	// -webkit-gradient(linear, left top, left bottom, from(#fff), to(#000), color-stop(50%, #ccc)): colours only
	'from', 'to', 'color-stop',
]);

/** True when a value written into CSS outside `url(` (HTML-escaped as written) adds a function not in CSS_FUNCTIONS, a CSS escape or an at-rule (CSS_DATA). */
function cssAdds(value: string, join: boolean): boolean {
	// the browser decodes character references in a style attribute before reading the CSS
	const css = decodeHtml(value).toLowerCase().replace(/\/\*[\s\S]*?(?:\*\/|$)/g, '');
	if (css.includes('\\') || css.includes('@')) return true;
	if (join && /^[\w\-\u0080-\uffff]*\(/.test(css)) return true;
	// A name starts where the run of name characters starts (the lookbehind): without it every
	// position of a long run without a `(` was tried again to the run's end (quadratic in a value).
	for (const m of css.matchAll(/(?<![\w\-\u0080-\uffff])([\w\-\u0080-\uffff]+)\(/g)) {
		// a name (an identifier: not a number such as the 2 of `2(`) followed by `(`
		if (/^-?-?[a-z_\u0080-\uffff]/.test(m[1]) && !CSS_FUNCTIONS.has(m[1].replace(/^-(?:webkit|moz|ms|o)-/, ''))) return true;
	}
	return false;
}

/** What cssAdds() may find: a parenthesis, a CSS escape, an at-rule, a character reference. */
const CSS_SUSPECT = /[(\\@&]/;
/** A value that could end a comment with the static text around it: `--`, a `-` or `!` at either end (IN_COMMENT). */
const COMMENT_ENDER = /--|^[-!]|[-!]$/;

const CSS_BREAKERS = /&#39;|&#34;|&quot;|&apos;|['"()\\\n\r\f]/g;
const CSS_CODES: Record<string, string> = { '&#39;': '%27', '&apos;': '%27', '&#34;': '%22', '&quot;': '%22', "'": '%27', '"': '%22', '(': '%28', ')': '%29', '\\': '%5C', '\n': '%0A', '\r': '%0D', '\f': '%0C' };

/** Whether the value, after what the template wrote of `<!--[if` (COMMENT_OPEN), writes `[if` or the start of it. */
function opensConditional(value: string, mode: UrlMode): boolean {
	if (value === '') return false;
	for (let n = 0; n < 3; n++) {
		if (!(mode & (COMMENT_OPEN << n))) continue;
		const start = ('[if'.slice(0, n) + value.slice(0, 3 - n)).toLowerCase();
		if ('[if'.startsWith(start)) return true;
	}
	return false;
}

/** The value written for an output in a URL position (see the module comment). */
export function guardUrl(value: string, mode: UrlMode): string {
	if (value === '' && mode & UNQUOTED_EMPTY) return '&#32;';
	if (value === '' && mode & COMMENT_SPLIT) return ' ';
	if (mode & URL_START && (value.includes(':') || value.includes('&'))) {
		const scheme = schemeOf(value);
		if (scheme !== undefined && !SAFE_SCHEMES.has(scheme)) return '#';
	}
	// `url(#id)` only: empty, the data would leave the url( to what follows it
	if (mode & LOCAL_URL && !/^[\t\n\f\r ]*#/.test(value)) return '#';
	if (mode & CSS_DATA && (CSS_SUSPECT.test(value) || mode & CSS_CALL) && cssAdds(mode & CSS_CALL ? value + '(' : value, (mode & CSS_JOIN) !== 0)) {
		// written as nothing, but never empty where empty would leave an unquoted value to what follows or end a comment (as above)
		return mode & UNQUOTED_EMPTY ? '&#32;' : mode & COMMENT_SPLIT ? ' ' : '';
	}
	if (mode & COMMENT_OPENS && opensConditional(value, mode)) value = `&#${value.charCodeAt(0)};${value.slice(1)}`;
	if (mode & IN_COMMENT && COMMENT_ENDER.test(value)) return value.replace(/[-!]/g, (m) => (m === '-' ? '&#45;' : '&#33;'));
	const css = mode & CSS_URL ? value.replace(CSS_BREAKERS, (m) => CSS_CODES[m]) : value;
	if (mode & IN_TAG && NAME_BREAKER.test(css)) return css.replace(NAME_BREAKERS, (m) => `&#${m.charCodeAt(0)};`);
	return mode & UNQUOTED && HTML_SPACE.test(css) ? css.replace(HTML_SPACES, (m) => SPACE_REFS[m]) : css;
}

/**
 * The unsafe scheme for which guardUrl() writes `#` instead of a value (URL_START), undefined when
 * it writes `#` for another reason or not at all. Read only once the guard has replaced a value
 * (rare), to report it: never on the path of a value written as it is.
 */
export function guardedScheme(value: string, mode: UrlMode): string | undefined {
	if (!(mode & URL_START) || (!value.includes(':') && !value.includes('&'))) return undefined;
	const scheme = schemeOf(value);
	return scheme !== undefined && !SAFE_SCHEMES.has(scheme) ? scheme : undefined;
}

/**
 * What a URL value the guard replaced stands in, from the HTML written before it (`html` up to
 * `at`, where the value starts): `<img src>`, `<a href>`, `<td style> url()`, `<style> url()`;
 * template text only, never the data's. Undefined when it cannot be read (no tag before it).
 */
export function urlPlace(html: string, at: number): string | undefined {
	const lt = html.lastIndexOf('<', at - 1);
	if (lt < 0) return undefined;
	const tag = /^<([a-zA-Z][\w:-]*)/.exec(html.slice(lt, lt + 40))?.[1]?.toLowerCase();
	if (!tag) return undefined;
	// the end of the tag (or of the <style> text) is enough, and keeps the reads below short
	const tail = html.slice(Math.max(lt, at - 300), at);
	const css = /url\([^)]*$/i.exec(tail);
	const attrTail = css ? (tag === 'style' ? undefined : tail.slice(0, css.index)) : tail;
	const name =
		attrTail === undefined
			? undefined
			: (css ? /[\t\n\f\r /]([^\t\n\f\r "'=<>/`]+)[\t\n\f\r ]*=[\t\n\f\r ]*["']?[^"'=]*$/ : /[\t\n\f\r /]([^\t\n\f\r "'=<>/`]+)[\t\n\f\r ]*=[\t\n\f\r ]*["']?$/).exec(attrTail)?.[1]?.toLowerCase();
	return `<${tag}${name ? ` ${name}` : ''}>${css ? ' url()' : ''}`;
}

/**
 * What becomes of a literal (or of a variable's value) on its way to the output, through the
 * filters after it (and the one whose argument it is). Filters that keep it whole (`append`,
 * `default`, `join`, `escape`…) change nothing here; the others are recorded.
 */
export interface Fate {
	/**
	 * The first filter that may cut it or change its characters (`slice`, `truncate`, `remove`,
	 * `replace`, `split`, `strip`, `first`, `json`, `date`'s format…): what is written is then any
	 * piece of it, so each of its characters counts on its own.
	 */
	cut?: string;
	/** `upcase`/`downcase`/`capitalize`: its other cases count too (`<![cdata[` becomes a CDATA section in `<svg>`). */
	cased?: boolean;
	/** `url_decode`/`base64_decode`: it may become any character. */
	decoded?: boolean;
	/** What those filters add of their own (`json`'s quotes, `newline_to_br`'s `<br />`). */
	added?: string[];
	/**
	 * A literal: it reaches the end of its expression as an element of an array, whole (split pieces
	 * only through filters that keep an array: an assign stores the array, whose element a
	 * `first`/`last` where the variable is written picks whole).
	 */
	array?: boolean;
	/**
	 * A variable the expression starts from: what its index and filters do to one of its elements when
	 * it holds such an array (an index or a pick takes an element whole, a second one a character), and
	 * whether they give an array back (keepsArray).
	 */
	onArray?: Fate;
	keepsArray?: boolean;
}

/** A literal or a variable of a Liquid expression (not a filter's name) that reaches what it writes, and its fate. */
export interface ChainItem {
	kind: 'literal' | 'name';
	/** The literal's text (HOLDS_ALL first when a backslash escape may make it any character), or the variable's name. */
	text: string;
	fate: Fate;
}

/**
 * Filters that write what they are given whole (or not at all), adding nothing that matters
 * here: liquidjs' array filters read a string as one element (`'<b>' | reverse` is `<b>`), `date`
 * and `money` return a value they cannot read as it came.
 */
const KEEPS = new Set([
	'raw', 'append', 'prepend', 'default', 'join', 'concat', 'push', 'unshift', 'pop', 'shift', 'compact', 'uniq', 'reverse', 'sort', 'sort_natural',
	'where', 'reject', 'find', 'where_exp', 'reject_exp', 'find_exp', 'group_by', 'group_by_exp', 'array_to_sentence_string',
	'escape', 'escape_once', 'xml_escape', 'url_encode', 'cgi_escape', 'uri_escape', 'utm', 'money', 'money_cents',
	'date', 'format_date', 'date_to_xmlschema', 'date_to_rfc822', 'date_to_string', 'date_to_long_string',
]);
/**
 * Of KEEPS, the filters that give an array back as an array (of the same elements): after any other
 * one a split literal's pieces are one string again (`join`, `append`…), whose `first` is a character.
 */
const ARRAY_KEEPS = new Set(['raw', 'default', 'concat', 'push', 'unshift', 'pop', 'shift', 'compact', 'uniq', 'reverse', 'sort', 'sort_natural', 'where', 'reject', 'where_exp', 'reject_exp']);
/** Of KEEPS, the filters that give one element of an array (`find`: of a string, the string itself). */
const ELEMENT_FINDS = new Set(['find', 'find_exp']);
const CASES = new Set(['upcase', 'downcase', 'capitalize']);
/** Filters whose output holds nothing of what they are given, nor of their arguments: numbers, booleans, hashes. */
const OPAQUE = new Set([
	'size', 'abs', 'at_least', 'at_most', 'ceil', 'divided_by', 'floor', 'minus', 'plus', 'modulo', 'times', 'round', 'sum', 'to_integer',
	'number_of_words', 'days_since', 'days_until', 'base64_encode', 'sha256', 'hmac_sha256', 'has', 'has_exp', 'find_index', 'find_index_exp',
]);
/** Filters whose output holds characters their input does not (`%22` → `"`). */
const DECODES = new Set(['url_decode', 'base64_decode']);
/** Filters that pick one element of an array, whole (of a string, a character). */
const ELEMENT_PICKS = new Set(['first', 'last', 'sample']);
/**
 * The cut an index or key gives (`s[0]`, `s[k]`, `'<b>'[0]`, `s['0']`): on a string liquidjs reads
 * the character there (`'<b>'[0]` is `<`). On an array (split pieces) it reads the element there,
 * whole, as `first` does (Fate.onArray): `heads[0]` is a piece, `heads[0][0]` a character of it.
 */
export const INDEX_CUT = '[…]';
/** Filters that rewrite their arguments into what they write (`date: '<%a'` writes `<Tue`). */
const ARGUMENT_CUTS = new Set(['date']);
/** What filters that change their input add of their own (any other filter, unknown ones included, changes its input and adds nothing listed). */
const ADDS: Record<string, string[]> = { json: ['"', '\\'], jsonify: ['"', '\\'], inspect: ['"', '\\'], newline_to_br: ['<br />'] };
/** The name a dynamic lookup (`[key]`, `['name']`) reads: any variable. */
export const ANY_NAME = '[]';

/**
 * The literals and variables of a Liquid expression that reach what it writes, each with its fate
 * (Fate), and the expression with each literal replaced by `''`. With `lines` (a `{% liquid %}`
 * tag), each line is its own expression. A literal with a backslash (liquidjs reads escapes in it:
 * `'\u003c'` is `<`) counts as one holding every character the checks look for; a dynamic lookup
 * (`[k]`, `['q']`) as a variable named ANY_NAME. Names are every identifier that is not a filter's
 * name (keywords and property names too, which only widens the checks).
 */
export function chainOf(expr: string, lines = false): { items: ChainItem[]; rest: string } {
	// indexes: how many indexes or keys follow on its path (`s[0]`, `rows[0][1]`); dotted: a property does (`o.first`), so the value is not the variable's own
	const found: Array<{ kind: 'literal' | 'name' | 'filter'; text: string; chain: number; indexes?: number; dotted?: boolean }> = [];
	let rest = '';
	let chain = 0;
	let filterNext = false;
	// the value path being read (`a.b`, `'x'`, `[k]`: the index in found where it starts), and the paths an open `[` interrupted
	let path = 0;
	const paths: number[] = [];
	const startItem = (item: (typeof found)[number]) => {
		// a name right after "." goes on with the path (`a.b`); anything else starts one
		if (item.kind === 'filter' || !rest.endsWith('.')) path = found.length;
		else {
			// `o.first`: a property of the variable (of an array of split pieces, one piece), not the variable itself
			for (let k = path; k < found.length; k++) if (found[k].kind !== 'filter') found[k].dotted = true;
			item.dotted = true;
		}
		found.push(item);
	};
	for (let i = 0; i < expr.length; i++) {
		const c = expr[i];
		if (c === '"' || c === "'") {
			// as liquidjs' readQuoted: up to the same quote not escaped by a backslash
			let j = i + 1;
			let escaped = false;
			for (; j < expr.length; j++) {
				if (expr[j] === c && !escaped) break;
				escaped = !escaped && expr[j] === '\\';
			}
			const body = expr.slice(i + 1, j);
			startItem({ kind: 'literal', text: body.includes('\\') ? HOLDS_ALL + body : body, chain });
			rest += "''";
			i = j;
			filterNext = false;
			continue;
		}
		if (/[A-Za-z_]/.test(c)) {
			let j = i + 1;
			while (j < expr.length && /[\w-]/.test(expr[j])) j++;
			startItem({ kind: filterNext ? 'filter' : 'name', text: expr.slice(i, j), chain });
			rest += expr.slice(i, j);
			i = j - 1;
			filterNext = false;
			continue;
		}
		if (c === '[') {
			if (/[\w\])'-]$/.test(rest)) {
				// an index or key on the path right before it (`s[0]`, `'<b>'[0]`, `p.tags[k]`; liquidjs reads no space
				// between them): of a string, one character; of an array, one element
				for (let k = path; k < found.length; k++) if (found[k].kind !== 'filter') found[k].indexes = (found[k].indexes ?? 0) + 1;
			} else {
				// a dynamic lookup: any variable
				path = found.length;
				found.push({ kind: 'name', text: ANY_NAME, chain });
			}
			paths.push(path);
		} else if (c === ']' && paths.length) path = paths.pop() as number;
		rest += c;
		if (c === '|') filterNext = true;
		else if (c === '\n' && lines) {
			chain++;
			filterNext = false;
		} else if (!/\s/.test(c)) filterNext = false;
	}
	const items: ChainItem[] = [];
	for (let k = 0; k < found.length; k++) {
		const item = found[k];
		if (item.kind === 'filter') continue;
		// the filter whose argument it is, if any
		let own: string | undefined;
		for (let b = k - 1; b >= 0 && found[b].chain === item.chain && own === undefined; b--) if (found[b].kind === 'filter') own = found[b].text;
		if (own !== undefined && OPAQUE.has(own)) continue;
		const fate: Fate = own !== undefined && ARGUMENT_CUTS.has(own) ? { cut: own } : item.indexes ? { cut: INDEX_CUT } : {};
		// `'<b>a</b>,<i>b</i>' | split: ','` as the start of a chain: its pieces are known, each written whole (first/last then pick one)
		let texts = [item.text];
		let from = k + 1;
		const next = found[k + 1];
		const sep = found[k + 2];
		const starts = k === 0 || found[k - 1].chain !== item.chain;
		if (item.kind === 'literal' && !item.indexes && starts && next?.kind === 'filter' && next.text === 'split' && sep?.kind === 'literal' && sep.chain === item.chain && sep.text !== '' && !sep.text.startsWith(HOLDS_ALL) && !item.text.startsWith(HOLDS_ALL)) {
			texts = item.text.split(sep.text);
			from = k + 3;
		}
		// the filters after it, into `into`, from an array of whole pieces or not: whether the value reaches what is written, and is still an array there
		const through = (into: Fate, fromArray: boolean): { reaches: boolean; array: boolean } => {
			// whether the value is still that array of pieces (then first/last/find pick one piece whole), not a string
			let array = fromArray;
			for (let a = from; a < found.length && found[a].chain === item.chain; a++) {
				const f = found[a];
				if (f.kind !== 'filter') continue;
				if (array && (ELEMENT_PICKS.has(f.text) || ELEMENT_FINDS.has(f.text))) {
					// one piece, a string: a second pick takes a character of it
					array = false;
					continue;
				}
				if (KEEPS.has(f.text)) {
					if (!ARRAY_KEEPS.has(f.text)) array = false;
					continue;
				}
				array = false;
				if (CASES.has(f.text)) into.cased = true;
				else if (OPAQUE.has(f.text)) return { reaches: false, array };
				else if (DECODES.has(f.text)) into.decoded = true;
				else {
					into.cut ??= f.text;
					if (ADDS[f.text]) into.added = [...(into.added ?? []), ...ADDS[f.text]];
				}
			}
			return { reaches: true, array };
		};
		const { reaches, array } = through(fate, from !== k + 1);
		if (!reaches) continue;
		// split pieces still an array where the expression ends (an assign keeps it one): a pick where the variable is written takes a piece whole
		if (array && item.kind === 'literal') fate.array = true;
		if (item.kind === 'name' && own === undefined && !item.dotted) {
			// the variable the chain starts from may hold such an array: its index and filters read on one (Fate.onArray):
			// an index takes a piece whole (`heads[0]`), a second one a character of it (`heads[0][0]`);
			// not through a property (`o.first | first`: `.first` picked the piece, `| first` a character of it)
			const indexes = item.indexes ?? 0;
			const onArray: Fate = indexes > 1 ? { cut: INDEX_CUT } : {};
			fate.onArray = onArray;
			if (through(onArray, indexes === 0).array) fate.keepsArray = true;
		}
		for (const text of texts) items.push({ kind: item.kind, text, fate });
	}
	return { items, rest };
}

/** Items whose value is stored as one string (a loop's element, a captured text), not as the array their expression may give. */
function asString(items: ChainItem[]): ChainItem[] {
	return items.map((item) => (item.fate.array || item.fate.keepsArray ? { ...item, fate: { ...item.fate, array: undefined, keepsArray: undefined } } : item));
}

/**
 * A fate after another: a value that goes through `inner`'s filters, then `outer`'s. A literal that
 * reaches as an element of an array (Fate.array) meets outer's filters as read on an array; a
 * variable's filters read on an array (Fate.onArray) are followed by outer's read on an array too
 * while they keep one.
 */
function compose(inner: Fate, outer: Fate): Fate {
	if (inner.array) return composeFilters(inner, outer.onArray ?? outer);
	const plain = composeFilters(inner, outer);
	if (!inner.onArray) return plain;
	const onArray = composeFilters(inner.onArray, inner.keepsArray ? (outer.onArray ?? outer) : outer);
	return { ...plain, onArray, keepsArray: inner.keepsArray && outer.keepsArray ? true : undefined };
}

/** What filters do to a value (Fate's cut, cases, decoding, added text), of one fate then another. */
function composeFilters(innerFate: Fate, outerFate: Fate): Fate {
	const inner: Fate = { cut: innerFate.cut, cased: innerFate.cased, decoded: innerFate.decoded, added: innerFate.added };
	const outer: Fate = { cut: outerFate.cut, cased: outerFate.cased, decoded: outerFate.decoded, added: outerFate.added };
	if (!inner.cut && !inner.cased && !inner.decoded && !inner.added) return outer;
	if (!outer.cut && !outer.cased && !outer.decoded && !outer.added) return inner;
	const added = [...new Set([...(inner.added ?? []), ...(outer.added ?? [])])];
	return { cut: inner.cut ?? outer.cut, cased: inner.cased || outer.cased, decoded: inner.decoded || outer.decoded, added: added.length ? added : undefined };
}

/**
 * Written before a literal that may hold any character: it moves every reading (literalMoves),
 * text included (`<a` opens a tag there).
 */
const HOLDS_ALL = '<"\'` =><a';

/** What ends a tag or attribute name, or starts a value (IN_TAG). */
const NAME_BREAKER = /[\t\n\f\r "'<>/=`]/;
const NAME_BREAKERS = /[\t\n\f\r "'<>/=`]/g;

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
	return unsafeSchemeOf(value, quote) !== undefined;
}

/** The unsafe scheme a whole URL attribute value starts with (as unsafeScheme reads it), undefined none. */
export function unsafeSchemeOf(value: string, quote: string): string | undefined {
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
	if (!v.includes(':') && !v.includes('&')) return undefined;
	const scheme = schemeOf(v);
	return scheme !== undefined && !SAFE_SCHEMES.has(scheme) ? scheme : undefined;
}
