/**
 * How an element renders, as a browser reads the inline styles and the HTML user-agent styles:
 * whether its content is rendered at all (`display:none`, `mso-hide:all`, `opacity:0`, the
 * `hidden` attribute, a zero size that clips, a closed `<details>` or `<dialog>`), whether it is
 * visible (`visibility`, inherited), and whether its font size computes to 0. One implementation
 * for the unsubscribe-link lint (checks.ts readLinks) and the plain-text part (text.ts scanHtml).
 */

/** An attribute of a start tag: its decoded value, '' when written without one, undefined when absent. */
export type AttrReader = (name: string) => string | undefined;

/**
 * The display of elements in the HTML user-agent style sheet
 * (https://html.spec.whatwg.org/multipage/rendering.html), those that are not `inline`.
 */
const UA_DISPLAY: Record<string, string> = {
	li: 'list-item', summary: 'list-item', table: 'table', caption: 'table-caption', tr: 'table-row', td: 'table-cell', th: 'table-cell',
	thead: 'table-header-group', tbody: 'table-row-group', tfoot: 'table-footer-group', col: 'table-column', colgroup: 'table-column-group',
	button: 'inline-block', datalist: 'none',
};
for (const name of [
	'html', 'body', 'address', 'blockquote', 'center', 'dialog', 'div', 'figure', 'figcaption', 'footer', 'form', 'header', 'hr', 'legend',
	'listing', 'main', 'p', 'plaintext', 'pre', 'search', 'xmp', 'article', 'aside', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hgroup', 'nav',
	'section', 'dir', 'dd', 'dl', 'dt', 'menu', 'ol', 'ul', 'fieldset', 'details', 'optgroup',
]) UA_DISPLAY[name] = 'block';

const GLOBAL = /^(?:inherit|initial|unset|revert|revert-layer)$/;
/** Global keywords that take the parent's value (or the user agent's, here the same) for an inherited property. */
const INHERITS = /^(?:inherit|unset|revert|revert-layer)$/;
const NUMBER = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?`;
/** A CSS length or percentage (a unitless number too, as quirks mode reads width and height). */
const LENGTH = new RegExp(`^${NUMBER}(?:[a-z]+|%)?$`);
const ALPHA = new RegExp(`^${NUMBER}%?$`);
const DIMENSION = new RegExp(`^(${NUMBER})([a-z]*|%)$`);
/** A CSS length or number that is zero (`0`, `0.0`, `.0`, `0px`, `0em`, `0%`…). */
const ZERO = /^[+-]?(?:0+(?:\.0*)?|\.0+)(?:[a-z]+|%)?$/;
const FONT_SIZE_KEYWORD = /^(?:xx-small|x-small|small|medium|large|x-large|xx-large|xxx-large)$/;
const SYSTEM_FONT = /^(?:caption|icon|menu|message-box|small-caption|status-bar)$/;
const DISPLAY_WORDS = new Set([
	'none', 'contents', 'block', 'inline', 'run-in', 'flow', 'flow-root', 'table', 'flex', 'grid', 'ruby', 'list-item', 'inline-block',
	'inline-table', 'inline-flex', 'inline-grid', 'inline-list-item', 'table-row-group', 'table-header-group', 'table-footer-group', 'table-row',
	'table-cell', 'table-column-group', 'table-column', 'table-caption', 'ruby-base', 'ruby-text', 'ruby-base-container', 'ruby-text-container',
	'math',
]);
const OVERFLOW = /^(?:visible|hidden|clip|scroll|auto|overlay)$/;
const SIZE = (v: string) => LENGTH.test(v) || /^(?:auto|none|min-content|max-content|fit-content|stretch|-webkit-fill-available|-moz-available)$/.test(v);
/**
 * Values a browser accepts for the properties read here; a declaration with another value is
 * dropped, so an earlier one of the property stays (https://www.w3.org/TR/css-syntax-3/#consume-declaration,
 * "invalid declarations are ignored"). Functions (`calc()`, `var()`) are taken as valid and not read.
 */
const VALID: Record<string, (v: string) => boolean> = {
	display: (v) => v.split(/\s+/).every((w) => DISPLAY_WORDS.has(w) || w.startsWith('-')),
	visibility: (v) => /^(?:visible|hidden|collapse)$/.test(v),
	opacity: (v) => ALPHA.test(v),
	'content-visibility': (v) => /^(?:visible|auto|hidden)$/.test(v),
	'font-size': (v) => LENGTH.test(v) || FONT_SIZE_KEYWORD.test(v) || /^(?:larger|smaller|math)$/.test(v),
	'overflow-x': (v) => OVERFLOW.test(v),
	'overflow-y': (v) => OVERFLOW.test(v),
	width: SIZE, height: SIZE, 'min-width': SIZE, 'min-height': SIZE, 'max-width': SIZE, 'max-height': SIZE,
};

/** The font size a `font` shorthand sets (`font: 0/0 a`, `font: bold 12px/1.4 Arial`), undefined when it sets none (invalid). */
function fontShorthandSize(value: string): string | undefined {
	if (GLOBAL.test(value)) return value;
	if (SYSTEM_FONT.test(value)) return 'medium';
	// style, variant, weight and stretch come first, the size (with /line-height) before the family
	for (const word of value.split(/\s+/)) {
		const size = word.split('/')[0];
		if (/^(?:xx-small|x-small|small|medium|large|x-large|xx-large|xxx-large|larger|smaller|math)$/.test(size)) return size;
		if (LENGTH.test(size) && (!/^[+-]?[\d.]+(?:e[+-]?\d+)?$/.test(size) || ZERO.test(size))) return size; // a unitless number but 0 is a weight
		if (/^["']/.test(size)) return undefined;
	}
	return undefined;
}

const NO_CSS: ReadonlyMap<string, string> = new Map();

/** Style attributes already read (email HTML repeats the same few hundred): never changed once made. */
const parsed = new Map<string, ReadonlyMap<string, string>>();
const PARSED_MAX = 2048;

/**
 * The declarations of a style attribute as the cascade resolves them within it: the last valid
 * one of a property wins, unless an earlier one is `!important` and it is not (CSS Cascade 4,
 * "declaration order"). Names and values lower-cased and trimmed, `!important` removed; the
 * shorthands read here (`overflow`, `font`) set their longhands (`overflow-x`/`overflow-y`, `font-size`).
 */
function declarations(style: string): ReadonlyMap<string, string> {
	if (!style) return NO_CSS;
	const known = parsed.get(style);
	if (known) return known;
	if (parsed.size >= PARSED_MAX) parsed.clear();
	const css = new Map<string, string>();
	parsed.set(style, css);
	const important = new Set<string>();
	const put = (name: string, value: string, imp: boolean) => {
		if (!imp && important.has(name)) return;
		css.set(name, value);
		if (imp) important.add(name);
	};
	for (const part of style.replace(/\/\*[\s\S]*?\*\//g, '').split(';')) {
		const colon = part.indexOf(':');
		if (colon < 0) continue;
		const name = part.slice(0, colon).trim().toLowerCase();
		let value = part.slice(colon + 1).trim().toLowerCase();
		const imp = /!\s*important$/.test(value);
		if (imp) value = value.replace(/!\s*important$/, '').trim();
		if (!value) continue;
		const plain = !GLOBAL.test(value) && value.indexOf('(') < 0;
		if (name === 'overflow') {
			const words = value.split(/\s+/);
			if (plain && (words.length > 2 || !words.every((w) => OVERFLOW.test(w)))) continue;
			put('overflow-x', words[0], imp);
			put('overflow-y', words[1] ?? words[0], imp);
		} else if (name === 'font') {
			const size = value.indexOf('(') < 0 ? fontShorthandSize(value) : undefined;
			if (size !== undefined) put('font-size', size, imp);
		} else if (!plain || !VALID[name] || VALID[name](value)) put(name, value, imp);
	}
	return css;
}

/** An open element as it is rendered, from its own attributes and its parent's. */
export interface Box {
	name: string;
	/**
	 * Neither it nor anything in it is rendered, whatever the descendants say: `display:none` (the
	 * `hidden` attribute, a closed `<dialog>` unless a style sets another display), `mso-hide:all`,
	 * `opacity:0`, `content-visibility:hidden` (`hidden="until-found"`), a zero width or height
	 * that clips its overflow, outside the summary of a closed `<details>`, or a parent so.
	 */
	gone: boolean;
	/** `visibility` computes to visible: inherited, and a descendant may set it back (`visibility:visible`). */
	visible: boolean;
	/** The computed font-size is 0: inherited, and sizes relative to the parent's (`em`, `%`) stay 0. */
	zeroFont: boolean;
	/** The computed display (a child's `display: inherit`). */
	display: string;
	/** A closed `<details>`: only its first `<summary>` child is rendered. */
	closed: boolean;
	summarySeen: boolean;
	/** In `<svg>` or `<math>`, where `<x/>` closes itself. */
	foreign: boolean;
}
export const ROOT: Box = { name: '', gone: false, visible: true, zeroFont: false, display: 'block', closed: false, summarySeen: false, foreign: false };

/** Whether a display value makes a box whose width and height apply and whose overflow can clip (a block container, flex or grid). */
function sized(display: string): boolean {
	if (display.indexOf('table') >= 0 || display.indexOf('ruby') >= 0) return false; // table boxes grow to their content
	if (/flow-root|flex|grid|-webkit-box|-webkit-inline-box|-ms-flexbox/.test(display)) return true;
	const words = display.split(/\s+/);
	return words.includes('block') || words.includes('inline-block') || (words.includes('list-item') && !words.includes('inline'));
}

/**
 * A zero width or height that clips what overflows it, in a box where both apply. `max-*` wins
 * over the size and `min-*` over both (CSS 2.1 10.4, 10.7). `overflow: visible` on one axis
 * computes to `auto` when the other one is hidden, scroll or auto (CSS Overflow 3).
 */
function clipsToNothing(css: ReadonlyMap<string, string>, display: string): boolean {
	if (!sized(display)) return false;
	// a global keyword or a function: read as the initial value (visible)
	const read = (v: string | undefined) => (v !== undefined && OVERFLOW.test(v) ? v : 'visible');
	const x = read(css.get('overflow-x'));
	const y = read(css.get('overflow-y'));
	const scrolls = (v: string) => v !== 'visible' && v !== 'clip';
	const both = scrolls(x) || scrolls(y);
	const clipX = both || x === 'clip';
	const clipY = both || y === 'clip';
	return (clipX && zeroSize(css, 'width')) || (clipY && zeroSize(css, 'height'));
}

function zeroSize(css: ReadonlyMap<string, string>, axis: 'width' | 'height', fallback?: string): boolean {
	const zero = (v: string | undefined) => v !== undefined && ZERO.test(v);
	const min = css.get(`min-${axis}`);
	const minPositive = min !== undefined && LENGTH.test(min) && parseFloat(min) > 0;
	return (zero(css.get(axis) ?? fallback) || zero(css.get(`max-${axis}`))) && !minPositive;
}

/** Whether the computed font-size is 0, from the declared value and the parent's and root's. */
function zeroFontSize(value: string | undefined, parent: boolean, root: boolean): boolean {
	if (value === undefined || INHERITS.test(value) || value === 'larger' || value === 'smaller' || value === 'math') return parent;
	if (value === 'initial' || FONT_SIZE_KEYWORD.test(value)) return false;
	const m = DIMENSION.exec(value);
	if (!m) return false; // calc(), var(): not read
	if (parseFloat(m[1]) === 0) return true;
	if (m[2] === '%' || m[2] === 'em' || m[2] === 'ex' || m[2] === 'ch' || m[2] === 'cap' || m[2] === 'ic') return parent;
	if (m[2] === 'rem' || m[2] === 'rex' || m[2] === 'rch' || m[2] === 'rcap' || m[2] === 'ric') return root;
	return false;
}

/**
 * How an element renders, from its start tag and its parent (CSS display, visibility, opacity,
 * overflow, font-size; the HTML rendering section's user-agent styles: `[hidden]` is
 * `display:none` unless an author style sets another display, `[hidden=until-found]` is
 * `content-visibility:hidden`, `dialog:not([open])` is `display:none`).
 */
export function openBox(name: string, attrs: string, attr: AttrReader, parent: Box, rootZeroFont: boolean): { box: Box; css: ReadonlyMap<string, string> } {
	if (!parent.closed && !SPECIAL.has(name) && !MAY_MATTER.test(attrs)) {
		// nothing here is read below: the parent's state carried down (the same result, without parsing)
		return { box: { name, gone: parent.gone, visible: parent.visible, zeroFont: parent.zeroFont, display: UA_DISPLAY[name] ?? 'inline', closed: false, summarySeen: false, foreign: parent.foreign }, css: NO_CSS };
	}
	const css = declarations(attr('style') ?? '');
	const hidden = attr('hidden');
	const untilFound = hidden !== undefined && hidden.trim().toLowerCase() === 'until-found';
	const ua = (hidden !== undefined && !untilFound) || (name === 'dialog' && attr('open') === undefined) ? 'none' : (UA_DISPLAY[name] ?? 'inline');
	const d = css.get('display');
	const display = d === undefined || d === 'revert' || d === 'revert-layer' ? ua : d === 'inherit' ? parent.display : d === 'initial' || d === 'unset' ? 'inline' : d;
	const opacity = css.get('opacity');
	const v = css.get('visibility');
	const inClosed = parent.closed && !(name === 'summary' && !parent.summarySeen);
	if (parent.closed && name === 'summary') parent.summarySeen = true;
	const box: Box = {
		name,
		gone:
			parent.gone ||
			inClosed ||
			display === 'none' ||
			css.get('mso-hide') === 'all' ||
			(opacity !== undefined && ALPHA.test(opacity) && parseFloat(opacity) <= 0) ||
			(css.get('content-visibility') ?? (untilFound ? 'hidden' : '')) === 'hidden' ||
			clipsToNothing(css, display),
		visible: v === 'visible' || v === 'initial' ? true : v === 'hidden' || v === 'collapse' ? false : parent.visible,
		zeroFont: zeroFontSize(css.get('font-size'), parent.zeroFont, name === 'html' ? false : rootZeroFont),
		display,
		closed: name === 'details' && attr('open') === undefined,
		summarySeen: false,
		foreign: parent.foreign || name === 'svg' || name === 'math',
	};
	return { box, css };
}

/**
 * Start-tag text (after the name) holding any attribute or declaration openBox reads (`hidden`,
 * `open`, `display`, `visibility`, `content-visibility`, `opacity`, `overflow*`, `font*`,
 * `mso-hide`), or a character reference that may spell one in a value. Without it, an element
 * other than those in SPECIAL (whose name matters, or an image's size) renders as its parent's
 * state carries down.
 */
const MAY_MATTER = /hidden|open|display|visib|opacity|overflow|font|mso-hide|&/i;
const SPECIAL = new Set(['html', 'details', 'dialog', 'svg', 'math', 'img']); // an image's width and height are read (showsImage)

/** Whether text written directly in this box is seen: rendered, visible, in a font size above 0. */
export function showsText(box: Box): boolean {
	return !box.gone && !box.closed && box.visible && !box.zeroFont;
}

/**
 * Whether text written directly in this box is laid out though not seen (`visibility:hidden`): it
 * keeps its room, so the words before and after it stay apart (CSS 2.1 11.2, "invisible, but
 * still affect layout"). Text in a zero font size takes no room.
 */
export function takesSpace(box: Box): boolean {
	return !box.gone && !box.closed && !box.visible && !box.zeroFont;
}

/**
 * Whether an image (a replaced element: its width and height apply inline too) with this box shows:
 * rendered, visible, and neither its width nor its height is 0 (the style's, else the `width` /
 * `height` attribute, a presentational hint the style overrides).
 */
export function showsImage(box: Box, css: ReadonlyMap<string, string>, hint: AttrReader): boolean {
	return !box.gone && box.visible && !zeroSize(css, 'width', hint('width')?.trim()) && !zeroSize(css, 'height', hint('height')?.trim());
}
