/**
 * Deliverability checks on HTML: the failures personalization guides name most often (broken
 * placeholders, images without alt text, fonts without a fallback, no visible unsubscribe link,
 * Gmail clipping). Used by the lint operation (on the sample's rendered email) and, for the
 * template-level ones, once per compiled template to warn on every render.
 */
import { attr, attrReader, decodeEntities, parseAttrs } from './text';
import type { Finding } from './types';
import { openBox, ROOT, showsImage, showsText, type Box } from './visibility';

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

export interface LinkFacts {
	href: string;
	/** The text a reader sees (hidden parts left out), image alts included. */
	label: string;
	/** It shows some text or an image (see Box for what hides them). */
	visible: boolean;
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
			if (showsText(box) && text.trim()) {
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
		const spans = attrs.trim() ? parseAttrs(attrs) : [];
		const valueOf = attrReader(attrs, () => spans);
		const { box, css } = openBox(name, attrs, valueOf, parent, rootZeroFont);
		if (name === 'a') {
			endLink();
			link = { href: attr(attrs, 'href') ?? '', label: '', shows: false };
		} else if (name === 'img' && link) {
			if (showsImage(box, css, valueOf)) {
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
	const unsubscribe = unsubscribeFinding(facts);
	if (unsubscribe) out.push(unsubscribe);
	if (facts.fontsWithoutFallback.length) {
		out.push({ severity: 'warning', check: 'font-fallback', message: `font-family without a generic fallback (add e.g. ", Arial, sans-serif"): ${list(facts.fontsWithoutFallback)}` });
	}
	return out;
}

/** The unsubscribe-link finding of facts of HTML, or undefined when a visible link unsubscribes. */
export function unsubscribeFinding(facts: HtmlFacts): Finding | undefined {
	if (facts.hasUnsubscribe) return undefined;
	if (facts.hasEmptyUnsubscribeLink) {
		return {
			severity: 'error',
			check: 'unsubscribe-link',
			message:
				'The unsubscribe link has an empty href (e.g. {{ unsubscribe_url }} has no value): set Unsubscribe URL in Render Email, or give the recipient data an unsubscribe_url; Gmail and Yahoo require the link for bulk senders',
		};
	}
	if (facts.hasPlaceholderUnsubscribeLink) {
		return {
			severity: 'error',
			check: 'unsubscribe-link',
			message:
				'The unsubscribe link goes nowhere (href "#": a placeholder, or an unsubscribe_url that was not an http(s) link and was replaced): link it to {{ unsubscribe_url }} and set Unsubscribe URL in Render Email; Gmail and Yahoo require the link for bulk senders',
		};
	}
	return {
		severity: 'error',
		check: 'unsubscribe-link',
		message: 'No unsubscribe link: add one (e.g. <a href="{{ unsubscribe_url }}">Unsubscribe</a>, with Unsubscribe URL set in Render Email); Gmail and Yahoo require it for bulk senders',
	};
}

/**
 * Whether some link of rendered HTML may unsubscribe: an `<a>` with an href that is neither empty
 * nor a fragment, whose tag or content up to its `</a` (also without its markup and comments, with
 * references decoded) unsubscribes. Looser than readLinks (visibility is not read), so when it is
 * false inspectHtml finds no unsubscribe link either: a render reads its links in full only then.
 * The `<a` links are read from the last (the footer's), so a usual email stops after a few; the
 * whole text (`<A` too) is read only when none of them unsubscribes.
 */
export function mayHaveUnsubscribeLink(html: string): boolean {
	const tag = /<a\b((?:"[^"]*"|'[^']*'|[^'">])*)>/iy;
	for (let at = html.lastIndexOf('<a'); at >= 0; at = at > 0 ? html.lastIndexOf('<a', at - 1) : -1) {
		tag.lastIndex = at;
		const m = tag.exec(html);
		if (m && linkMayUnsubscribe(html, m[0], m[1], tag.lastIndex)) return true;
	}
	for (const m of html.matchAll(/<a\b((?:"[^"]*"|'[^']*'|[^'">])*)>/gi)) if (linkMayUnsubscribe(html, m[0], m[1], m.index + m[0].length)) return true;
	return false;
}

function linkMayUnsubscribe(html: string, start: string, attrs: string, contentAt: number): boolean {
	const href = (attr(attrs, 'href') ?? '').trim();
	if (!href || href.startsWith('#')) return false;
	const close = /<\/a/gi;
	close.lastIndex = contentAt;
	const content = html.slice(contentAt, close.exec(html)?.index ?? html.length);
	const shown = content.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]*>/g, '');
	const decoded = (text: string) => (text.indexOf('&') < 0 ? text : decodeEntities(text));
	return unsubscribes(start) || unsubscribes(decoded(start)) || unsubscribes(content) || unsubscribes(decoded(shown));
}

/** Whether some `<img>` of template HTML takes its src from Liquid (`src="{{ p.image_url }}"`): only then may a recipient's src render empty. */
export function hasLiquidImageSrc(html: string): boolean {
	for (const m of html.matchAll(/<img\b([^>]*)(>|$)/gi)) {
		if (!m[2]) break;
		if (/\{\{|\{%/.test(attr(m[1], 'src') ?? '')) return true;
	}
	return false;
}

const MAY_BE_EMPTY_SRC = /\bsrc\s*=\s*(?:["'](?:[\s&"']|$)|&|$)/i;

/**
 * The images of a rendered email whose src is empty (`src="{{ p.image_url }}"` without the value):
 * the email shows them broken. Each is named by its alt, else by its position among the email's
 * images (comments left out, MSO conditional ones read). One pass over the tags, no copy of the HTML.
 */
export function emptyImageSrcFinding(html: string): Finding | undefined {
	const empty: string[] = [];
	let position = 0;
	for (const m of html.matchAll(/<!--(?!\[if)[\s\S]*?(?:-->|$)|<img\b([^>]*)(>|$)/gi)) {
		if (m[1] === undefined) continue; // a comment
		if (!m[2]) break;
		position++;
		// an empty src's raw value starts with blanks, a reference or its closing quote: only such a tag is read in full
		if (!MAY_BE_EMPTY_SRC.test(m[1])) continue;
		const src = attr(m[1], 'src');
		if (src === undefined || src.trim()) continue;
		const alt = attr(m[1], 'alt')?.trim();
		empty.push(alt ? `"${alt}"` : `image ${position} (no alt)`);
	}
	if (!empty.length) return undefined;
	return {
		severity: 'warning',
		check: 'image-src',
		message: `${empty.length} image(s) with an empty src, shown broken: ${list(empty)}. Give the value a default (| default: "https://…") or show the image only when it has one ({% if p.image_url %})`,
	};
}

/** Schemes the unsafe-url warning names; any other text before a `:` is "another scheme" (it may be recipient data). */
const NAMED_SCHEMES = new Set(['javascript', 'vbscript', 'data', 'file', 'blob', 'about', 'ftp', 'ws', 'wss', 'chrome', 'view-source', 'intent', 'market', 'webcal', 'sip', 'callto', 'skype', 'whatsapp', 'ssh', 'smb']);

/**
 * The URL values from the data the URL guard replaced by `#` in a render (their scheme is not http,
 * https, mailto, tel, sms or cid: `javascript:`, `data:`…), each named by the element and attribute
 * it stands in (template text) and its scheme, never the value (recipient data): an image whose src
 * became `#` shows broken, a link to `#` goes nowhere. The same place and scheme are counted once (`×3`).
 */
export function unsafeUrlFinding(guarded: ReadonlyArray<{ place?: string; scheme: string }> | undefined): Finding | undefined {
	if (!guarded?.length) return undefined;
	const counts = new Map<string, number>();
	for (const g of guarded) {
		// Anything before a `:` reads as a scheme (`jane.doe+vip:token`, `c:\…`): only well-known
		// scheme names are shown, as data they cannot be personal.
		const scheme = NAMED_SCHEMES.has(g.scheme.toLowerCase()) ? `${g.scheme.toLowerCase()}:` : 'another scheme';
		const key = `${g.place ?? 'a URL'} (${scheme})`;
		counts.set(key, (counts.get(key) ?? 0) + 1);
	}
	const named = [...counts].map(([key, n]) => (n > 1 ? `${key} ×${n}` : key));
	return {
		severity: 'warning',
		check: 'unsafe-url',
		message: `${guarded.length} URL(s) from the data replaced by "#" (a scheme other than http, https, mailto, tel, sms or cid): ${list(named)}. An image whose src is "#" shows broken and a link to "#" goes nowhere: give these fields http(s) URLs`,
	};
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
