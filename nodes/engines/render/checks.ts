/**
 * Deliverability checks on HTML: the failures personalization guides name most often (broken
 * placeholders, images without alt text, fonts without a fallback, no visible unsubscribe link,
 * Gmail clipping). Used by the lint operation (on the sample's rendered email) and, for the
 * template-level ones, once per compiled template to warn on every render.
 */
import { attr, decodeEntities, parseAttrs } from './text';
import type { Finding } from './types';

/** Gmail clips messages whose HTML exceeds 102 KB, hiding the rest (unsubscribe link, open pixel). */
export const GMAIL_CLIP_BYTES = 102 * 1024;

/**
 * A link that really unsubscribes: its visible text or its URL says so (several languages), or
 * its URL is an ESP's unsubscribe merge tag: Mailchimp `*|UNSUB|*` (http://kb.mailchimp.com/tag/unsubscribe),
 * Mailgun `%unsubscribe_url%` (https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages),
 * SendGrid `<%asm_group_unsubscribe_raw_url%>` / `<%asm_global_unsubscribe_raw_url%>`
 * (https://www.twilio.com/docs/sendgrid/ui/sending-email/global-unsubscribes), `{{ unsubscribe… }}`
 * variables. "Manage preferences" links (SendGrid's `<%asm_preferences_raw_url%>` among them) are
 * not enough on their own: Gmail and Yahoo ask bulk senders for an unsubscribe link.
 */
const UNSUBSCRIBE_RE =
	/unsubscribe|unsub\b|opt[-\s]?out|\*\|UNSUB\|\*|%unsubscribe_url%|asm_group_unsubscribe|\{\{\s*unsubscribe|list[-_]unsubscribe/i;
/**
 * The same in the main European shop languages, as link texts and URL paths write them (accents
 * optional, as URLs drop them): French se désinscrire / désinscription / se désabonner; German
 * abbestellen / abmelden / austragen; Dutch uitschrijven / afmelden; Spanish darse de baja /
 * cancelar (anular) la suscripción / desuscribirse; Italian disiscriviti / annulla (cancella)
 * l'iscrizione; Portuguese descadastrar / cancelar a inscrição (subscrição); Swedish avregistrera /
 * avsluta prenumerationen / avanmäl; Danish afmeld / frameld; Norwegian avmeld / meld deg av;
 * Polish wypisz się / rezygnacja; Czech and Slovak odhlásit; Hungarian leiratkozás; Romanian
 * dezabonare; Finnish peru(uta) tilaus. Phrases, not single words that also mean "subscribe"
 * ("iscrizione", "suscripción" alone, as in "Conferma iscrizione", are not enough).
 */
const UNSUBSCRIBE_INTL_RE = new RegExp(
	[
		'd[ée]s-?inscri', 'd[ée]sabonn',
		'abbestell', 'abmeld', 'austragen',
		'uitschrijv', 'afmeld', 'frameld', 'avmeld', 'meld[-_ ](?:deg|meg)[-_ ]av',
		'da(?:r|rse|rme|te)[-_ ]de[-_ ]baja', '(?:cancel(?:ar|a|e)|anular?)[-_ ](?:(?:la|a|tu|sua|mi)[-_ ])?(?:suscripci|subscri[cç]|inscri[cç]|assinatura)', 'desuscri',
		'disiscri', "(?:annull|cancell)\\w*[-_ ]+(?:(?:la|tua|l)['\u2019]?[-_ ]*){0,2}iscrizion",
		'descadastr',
		'avregistrer', 'avsluta[-_ ]prenumeration', 'avprenumerer', 'avanm[äa]l',
		'wypisz', 'wypisa', 'rezygn',
		'odhl[áa]s', 'leiratkoz', 'dezabon', 'peru(?:uta)?[-_ ]tilaus',
	].join('|'),
	'i',
);
/** Whether a link text or URL unsubscribes (URLs read with their %-escapes decoded). */
function unsubscribes(text: string): boolean {
	if (UNSUBSCRIBE_RE.test(text)) return true;
	let t = text.normalize('NFC');
	if (t.indexOf('%') >= 0) {
		try {
			t = decodeURIComponent(t);
		} catch {
			// not a valid escape: read as written
		}
	}
	return UNSUBSCRIBE_INTL_RE.test(t);
}
/**
 * Generic families a text can fall back to (CSS Fonts 4, https://www.w3.org/TR/css-fonts-4/#generic-font-families).
 * One counts only as an unquoted item of the list ("Noto Serif" or 'serif' is a family name).
 */
const GENERIC_FONT = /^(?:serif|sans-serif|monospace|cursive|fantasy|system-ui|ui-serif|ui-sans-serif|ui-monospace|ui-rounded)$/i;

/** Whether a font-family list names a generic family as one of its items. */
function hasGenericFamily(family: string): boolean {
	return family
		.replace(/!\s*important\s*$/i, '')
		.split(',')
		.some((item) => GENERIC_FONT.test(item.trim()));
}

export interface HtmlFacts {
	imagesWithoutAlt: string[];
	insecureLinks: string[];
	insecureImages: string[];
	hasUnsubscribe: boolean;
	/** A visible link whose text unsubscribes but whose href is empty (e.g. `{{ unsubscribe_url }}` had no value). */
	hasEmptyUnsubscribeLink: boolean;
	/** A visible link whose text or fragment unsubscribes but whose href is only a fragment (`#`: a placeholder, or a value the URL guard replaced). */
	hasPlaceholderUnsubscribeLink?: boolean;
	fontsWithoutFallback: string[];
}

/**
 * Facts of an email's HTML. An image needs an `alt` attribute; an empty one (`alt=""`, or `alt`
 * without a value, the same in HTML) is right for a decorative image and passes (WCAG technique
 * H67). MJML writes `alt=""` on every `<mj-image>` without one, so for an MJML template
 * `mjmlSource` (the MJML with its blocks) is read too: an `<mj-image>` / `<mj-carousel-image>`
 * without `alt` (none of its own, its mj-class's or the mj-attributes defaults) counts as missing.
 */
export function inspectHtml(html: string, mjmlSource?: string): HtmlFacts {
	const facts: HtmlFacts = { imagesWithoutAlt: [], insecureLinks: [], insecureImages: [], hasUnsubscribe: false, hasEmptyUnsubscribeLink: false, fontsWithoutFallback: [] };
	const noComments = html.replace(/<!--(?!\[if)[\s\S]*?-->/g, '');
	// each tag pattern is [^>]* then `>` or the end (where a tag left open stops the scan): a
	// start without its `>` fails at once, instead of every later one scanning to the end (quadratic)
	for (const m of noComments.matchAll(/<img\b([^>]*)(>|$)/gi)) {
		if (!m[2]) break;
		const attrs = m[1];
		const src = attr(attrs, 'src');
		const hasAlt = parseAttrs(attrs).some((a) => a.name === 'alt');
		const pixel = (attr(attrs, 'width') === '1' && attr(attrs, 'height') === '1') || /display\s*:\s*none/i.test(attr(attrs, 'style') ?? '');
		if (!pixel && !hasAlt) facts.imagesWithoutAlt.push(src ?? '(no src)');
		if (src && /^http:\/\//i.test(src.trim())) facts.insecureImages.push(src);
		insecureCandidates(attr(attrs, 'srcset'), facts.insecureImages);
	}
	// <picture><source srcset>: the client may load any of these instead of the <img>'s src
	for (const m of noComments.matchAll(/<source\b([^>]*)(>|$)/gi)) if (m[2]) insecureCandidates(attr(m[1], 'srcset'), facts.insecureImages);
	insecureBackgrounds(noComments, facts.insecureImages);
	if (mjmlSource !== undefined) facts.imagesWithoutAlt.push(...mjmlImagesWithoutAlt(mjmlSource));
	for (const link of readLinks(noComments)) {
		if (/^http:\/\//i.test(link.href.trim())) facts.insecureLinks.push(link.href);
		const target = link.href.trim();
		// `#…` stays on the page: it unsubscribes nobody
		if (target.startsWith('#')) {
			if (link.visible && (unsubscribes(target) || unsubscribes(link.label))) facts.hasPlaceholderUnsubscribeLink = true;
			continue;
		}
		if (link.href && link.visible && (unsubscribes(link.href) || unsubscribes(link.label))) facts.hasUnsubscribe = true;
		if (!target && link.visible && unsubscribes(link.label)) facts.hasEmptyUnsubscribeLink = true;
	}
	const fonts = new Set<string>();
	// A quote written as an entity inside a style attribute (`&quot;Noto Serif&quot;, serif`) is read
	// as a quote: its `;` does not end the declaration.
	const styled = noComments.replace(/&(?:quot|#34|#x22);/gi, "'");
	for (const m of styled.matchAll(/font-family\s*:\s*([^;}"<]+)/gi)) {
		const family = decodeEntities(m[1]).trim();
		// A CSS variable or a global keyword (inherit, initial, unset, revert) names its fonts elsewhere.
		if (family && !hasGenericFamily(family) && !/\{\{|\{%|var\(|^(?:inherit|initial|unset|revert(?:-layer)?)\b/i.test(family)) fonts.add(family);
	}
	facts.fontsWithoutFallback = [...fonts];
	return facts;
}

/**
 * The image URLs of a `srcset` (HTML's srcset parsing: candidates separated by commas, each a URL
 * then optional descriptors such as `2x` or `600w`), and the http ones added to `out`: a retina
 * or wide candidate is what many clients actually load.
 * https://html.spec.whatwg.org/multipage/images.html#parsing-a-srcset-attribute
 */
export function srcsetUrls(srcset: string): string[] {
	const urls: string[] = [];
	const n = srcset.length;
	const space = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r';
	let i = 0;
	while (i < n) {
		while (i < n && (space(srcset[i]) || srcset[i] === ',')) i++;
		if (i >= n) break;
		const start = i;
		while (i < n && !space(srcset[i])) i++;
		let url = srcset.slice(start, i);
		if (url.endsWith(',')) url = url.replace(/,+$/, '');
		else {
			// descriptors up to the next comma outside parentheses
			let depth = 0;
			while (i < n && (depth > 0 || srcset[i] !== ',')) {
				if (srcset[i] === '(') depth++;
				else if (srcset[i] === ')' && depth > 0) depth--;
				i++;
			}
		}
		if (url) urls.push(url);
	}
	return urls;
}

function insecureCandidates(srcset: string | undefined, out: string[]): void {
	if (!srcset) return;
	for (const url of srcsetUrls(srcset)) if (/^http:\/\//i.test(url)) out.push(url);
}

/**
 * Background images over http, each URL once: a `background` attribute (what `<mj-section
 * background-url>` writes on its table for Outlook), CSS `url(…)` in style attributes and
 * `<style>` (its `background:url('…')`), and VML `<v:fill src>` / `<v:image src>` (Outlook's
 * background, in `<!--[if mso]>` comments). Clients block or flag them as they do an http `<img>`.
 */
/** An attribute of a whole start tag (`<td background="…">`): its name and `>` / `/>` cut off before attr reads it. */
const tagAttr = (tag: string, name: string): string | undefined => attr(tag.replace(/^<[^\s>]+/, '').replace(/\/?>$/, ''), name);

function insecureBackgrounds(html: string, out: string[]): void {
	const found = new Set<string>();
	const add = (url: string | undefined) => {
		const u = url?.trim();
		if (u && /^http:\/\//i.test(u) && !found.has(u) && !out.includes(u)) {
			found.add(u);
			out.push(u);
		}
	};
	// each tag read once, up to its `>` or the end (a tag left open ends the scan): see inspectHtml
	for (const m of html.matchAll(/<[a-z][\w:-]*\s[^>]*(>|$)/gi)) {
		if (m[1] && /\bbackground\s*=/i.test(m[0])) add(tagAttr(m[0], 'background'));
	}
	for (const m of html.matchAll(/<v:(?:fill|image)\b([^>]*)(>|$)/gi)) if (m[2]) add(attr(m[1].replace(/\/$/, ''), 'src'));
	// CSS url() where CSS is: a <style> element's text (raw) and style attributes (references decoded,
	// as the HTML parser does), in document order; "url(http://…)" in visible copy, an href or an alt is no image
	const cssUrls = (css: string) => {
		for (const m of css.matchAll(/url\(([^)]*)(\)|$)/gi)) if (m[2]) add(m[1].trim().replace(/^(['"])([\s\S]*)\1$/, '$2'));
	};
	for (const m of html.matchAll(/<style\b[^>]*(?:>([\s\S]*?)(?:<\/style\s*>|$)|$)|<[a-z][\w:-]*\s[^>]*(>|$)/gi)) {
		if (m[1] !== undefined) cssUrls(m[1]);
		else if (!m[2]) break;
		else if (/\bstyle\s*=/i.test(m[0])) cssUrls(tagAttr(m[0], 'style') ?? '');
	}
}

/** The src of each `<mj-image>` / `<mj-carousel-image>` of an MJML document that gets no `alt` (see inspectHtml). */
export function mjmlImagesWithoutAlt(mjml: string): string[] {
	const source = mjml.replace(/<!--[\s\S]*?-->/g, '');
	const names = (attrs: string) => parseAttrs(attrs).map((a) => a.name);
	// <mj-attributes> defaults: <mj-all alt>, <mj-image alt>, <mj-class name="x" alt>
	const defaults = new Set<string>();
	const classes = new Set<string>();
	for (const block of source.matchAll(/<mj-attributes\b[^>]*>([\s\S]*?)<\/mj-attributes\s*>/gi)) {
		for (const m of block[1].matchAll(/<(mj-[\w-]+)\b((?:"[^"]*"|'[^']*'|[^'">])*)>/gi)) {
			if (!names(m[2]).includes('alt')) continue;
			const tag = m[1].toLowerCase();
			if (tag === 'mj-class') {
				const name = attr(m[2], 'name');
				if (name) classes.add(name.trim());
			} else defaults.add(tag);
		}
	}
	const out: string[] = [];
	const body = source.replace(/<mj-attributes\b[\s\S]*?<\/mj-attributes\s*>/gi, '');
	for (const m of body.matchAll(/<(mj-image|mj-carousel-image)\b((?:"[^"]*"|'[^']*'|[^'">])*)>/gi)) {
		const tag = m[1].toLowerCase();
		const attrs = m[2].replace(/\/$/, '');
		if (names(attrs).includes('alt') || defaults.has(tag) || defaults.has('mj-all')) continue;
		const mjClass = attr(attrs, 'mj-class');
		if (mjClass && mjClass.split(/\s+/).some((c) => classes.has(c))) continue;
		out.push(attr(attrs, 'src') ?? '(no src)');
	}
	return out;
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const SKIP = new Set(['head', 'style', 'script', 'title', 'noscript', 'template']);
/**
 * Elements whose start tag closes an open `<p>` (HTML "in body" insertion mode: a `<p>` end tag is
 * implied before them), https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-inbody.
 */
const CLOSES_P = new Set([
	'address', 'article', 'aside', 'blockquote', 'center', 'details', 'dialog', 'dir', 'div', 'dl', 'fieldset', 'figcaption', 'figure',
	'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr', 'li', 'main', 'menu', 'nav', 'ol', 'p', 'pre',
	'section', 'summary', 'table', 'ul',
]);
/** Where an implied `</p>` or `</li>` stops looking for the element to close (its scope ends). */
const SCOPE_BOUNDARY = new Set(['table', 'td', 'th', 'caption', 'html', 'template', 'button']);
const LIST = new Set(['ul', 'ol']);

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

/**
 * The declarations of a style attribute as the cascade resolves them within it: the last valid
 * one of a property wins, unless an earlier one is `!important` and it is not (CSS Cascade 4,
 * "declaration order"). Names and values lower-cased and trimmed, `!important` removed; the
 * shorthands read here (`overflow`, `font`) set their longhands (`overflow-x`/`overflow-y`, `font-size`).
 */
function declarations(style: string): Map<string, string> {
	const out = new Map<string, string>();
	const important = new Set<string>();
	const put = (name: string, value: string, imp: boolean) => {
		if (!imp && important.has(name)) return;
		out.set(name, value);
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
	return out;
}

export interface LinkFacts {
	href: string;
	/** The text a reader sees (hidden parts left out), image alts included. */
	label: string;
	/** It shows some text or an image (see Box for what hides them). */
	visible: boolean;
}

/** An open element as it is rendered, from its own attributes and its parent's. */
interface Box {
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
const ROOT: Box = { name: '', gone: false, visible: true, zeroFont: false, display: 'block', closed: false, summarySeen: false, foreign: false };

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
function clipsToNothing(css: Map<string, string>, display: string): boolean {
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

function zeroSize(css: Map<string, string>, axis: 'width' | 'height', fallback?: string): boolean {
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
function openBox(name: string, attrs: string, parent: Box, rootZeroFont: boolean): { box: Box; css: Map<string, string>; attrs: ReturnType<typeof parseAttrs> } {
	const spans = attrs.trim() ? parseAttrs(attrs) : [];
	const find = (n: string) => spans.find((a) => a.name === n);
	const valueOf = (n: string) => {
		const a = find(n);
		return a?.hasValue ? decodeEntities(attrs.slice(a.start, a.end)) : a ? '' : undefined;
	};
	const css = declarations(valueOf('style') ?? '');
	const hidden = valueOf('hidden');
	const untilFound = hidden !== undefined && hidden.trim().toLowerCase() === 'until-found';
	const ua = (hidden !== undefined && !untilFound) || (name === 'dialog' && find('open') === undefined) ? 'none' : (UA_DISPLAY[name] ?? 'inline');
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
		closed: name === 'details' && find('open') === undefined,
		summarySeen: false,
		foreign: parent.foreign || name === 'svg' || name === 'math',
	};
	return { box, css, attrs: spans };
}

/**
 * The links of an HTML document with what a reader sees of them: a stack of open elements
 * carries what hides their content (Box), text counts where it renders with a font size above 0,
 * an image where it renders with a size above 0.
 */
export function readLinks(html: string): LinkFacts[] {
	const out: LinkFacts[] = [];
	const stack: Box[] = [];
	let rootZeroFont = false;
	let link: { href: string; label: string; shows: boolean } | undefined;
	const top = () => (stack.length ? stack[stack.length - 1] : ROOT);
	const endLink = () => {
		if (!link) return;
		out.push({ href: link.href, label: link.label.replace(/\s+/g, ' ').trim(), visible: link.shows });
		link = undefined;
	};
	/** Closes the innermost open `name` (`p` or `li`) with what it holds, unless a scope boundary comes first. */
	const closeImplied = (name: string) => {
		for (let i = stack.length - 1; i >= 0; i--) {
			const open = stack[i].name;
			if (open === name) {
				stack.length = i;
				return;
			}
			if (SCOPE_BOUNDARY.has(open) || (name === 'li' && LIST.has(open))) return;
		}
	};
	const tagRe = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:"[^"]*"|'[^']*'|[^'">])*)>/g;
	let pos = 0;
	let m: RegExpExecArray | null;
	while ((m = tagRe.exec(html)) !== null) {
		if (link && m.index > pos) {
			const box = top();
			const text = decodeEntities(html.slice(pos, m.index));
			if (!box.gone && !box.closed && box.visible && !box.zeroFont && text.trim()) {
				link.label += text;
				link.shows = true;
			}
		}
		pos = tagRe.lastIndex;
		const name = m[2].toLowerCase();
		const attrs = m[3];
		if (m[1]) {
			if (name === 'a') endLink();
			let at = stack.length - 1;
			while (at >= 0 && stack[at].name !== name) at--;
			if (at >= 0) stack.length = at;
			continue;
		}
		if (SKIP.has(name)) {
			const close = html.toLowerCase().indexOf(`</${name}`, pos);
			tagRe.lastIndex = pos = close < 0 ? html.length : close;
			continue;
		}
		// Start tags that end an open <p> or <li> without its end tag (as a browser reads them).
		if (CLOSES_P.has(name)) closeImplied('p');
		if (name === 'li') closeImplied('li');
		const parent = top();
		const { box, css, attrs: spans } = openBox(name, attrs, parent, rootZeroFont);
		if (name === 'a') {
			endLink();
			link = { href: attr(attrs, 'href') ?? '', label: '', shows: false };
		} else if (name === 'img' && link) {
			// a replaced element: its width and height apply inline too, and a zero one leaves nothing
			// to see (the width/height attributes are presentational hints the style overrides)
			const hint = (n: string) => {
				const a = spans.find((s) => s.name === n);
				return a?.hasValue ? attrs.slice(a.start, a.end).trim() : undefined;
			};
			if (!box.gone && box.visible && !zeroSize(css, 'width', hint('width')) && !zeroSize(css, 'height', hint('height'))) {
				link.shows = true;
				link.label += ` ${attr(attrs, 'alt') ?? ''} `;
			}
		}
		if (name === 'html') rootZeroFont = box.zeroFont;
		// `<x/>` closes itself only in SVG and MathML; an HTML element stays open (void ones have no content)
		if (!VOID.has(name) && !(box.foreign && attrs.trimEnd().endsWith('/'))) stack.push(box);
	}
	endLink();
	return out;
}

const cut = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}…` : s);
const list = (xs: string[]) => `${xs.slice(0, 3).map(cut).join(', ')}${xs.length > 3 ? ` and ${xs.length - 3} more` : ''}`;

/** Findings for facts of HTML (template-level or rendered). */
export function htmlFindings(facts: HtmlFacts): Finding[] {
	const out: Finding[] = [];
	if (facts.imagesWithoutAlt.length) {
		out.push({ severity: 'warning', check: 'image-alt', message: `${facts.imagesWithoutAlt.length} image(s) without alt text (shown when images are blocked, read by screen readers): ${list(facts.imagesWithoutAlt)}` });
	}
	if (facts.insecureLinks.length) {
		out.push({ severity: 'warning', check: 'https-links', message: `${facts.insecureLinks.length} link(s) not https: ${list(facts.insecureLinks)}` });
	}
	if (facts.insecureImages.length) {
		out.push({ severity: 'warning', check: 'https-links', message: `${facts.insecureImages.length} image(s) loaded over http (blocked or flagged by clients): ${list(facts.insecureImages)}` });
	}
	if (!facts.hasUnsubscribe && facts.hasEmptyUnsubscribeLink) {
		out.push({
			severity: 'error',
			check: 'unsubscribe-link',
			message:
				'The unsubscribe link has an empty href (e.g. {{ unsubscribe_url }} has no value): set Unsubscribe URL in Render Email, or give the recipient data an unsubscribe_url; Gmail and Yahoo require the link for bulk senders',
		});
	} else if (!facts.hasUnsubscribe && facts.hasPlaceholderUnsubscribeLink) {
		out.push({
			severity: 'error',
			check: 'unsubscribe-link',
			message:
				'The unsubscribe link goes nowhere (href "#": a placeholder, or an unsubscribe_url that was not an http(s) link and was replaced): link it to {{ unsubscribe_url }} and set Unsubscribe URL in Render Email; Gmail and Yahoo require the link for bulk senders',
		});
	} else if (!facts.hasUnsubscribe) {
		out.push({
			severity: 'error',
			check: 'unsubscribe-link',
			message: 'No unsubscribe link: add one (e.g. <a href="{{ unsubscribe_url }}">Unsubscribe</a>, with Unsubscribe URL set in Render Email); Gmail and Yahoo require it for bulk senders',
		});
	}
	if (facts.fontsWithoutFallback.length) {
		out.push({ severity: 'warning', check: 'font-fallback', message: `font-family without a generic fallback (add e.g. ", Arial, sans-serif"): ${list(facts.fontsWithoutFallback)}` });
	}
	return out;
}

export function sizeFinding(bytes: number): Finding | undefined {
	if (bytes > GMAIL_CLIP_BYTES) {
		return { severity: 'error', check: 'gmail-clipping', message: `HTML is ${(bytes / 1024).toFixed(1)} KB: Gmail clips emails over 102 KB, hiding the unsubscribe link and the open-tracking pixel` };
	}
	return undefined;
}

export function unresolvedFinding(html: string, where = 'HTML'): Finding | undefined {
	if (html.indexOf('{{') < 0 && html.indexOf('{%') < 0) return undefined;
	const m = /\{\{[^}]{0,60}|\{%[^%]{0,60}/.exec(html);
	if (m) return { severity: 'error', check: 'unresolved-liquid', message: `Unresolved Liquid left in the rendered ${where}: "${m[0].trim()}"` };
	return undefined;
}
