/**
 * Deliverability checks on HTML: the failures personalization guides name most often (broken
 * placeholders, images without alt text, fonts without a fallback, no visible unsubscribe link,
 * Gmail clipping). Used by the lint operation (on the sample's rendered email) and, for the
 * template-level ones, once per compiled template to warn on every render.
 */
import { attr, decodeEntities } from './text';
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
	/unsubscribe|unsub\b|opt[-\s]?out|abmelden|d[ée]sabonner|darse de baja|afmelden|\*\|UNSUB\|\*|%unsubscribe_url%|asm_group_unsubscribe|\{\{\s*unsubscribe|list[-_]unsubscribe/i;
const GENERIC_FONT = /\b(serif|sans-serif|monospace|cursive|fantasy|system-ui)\b/i;

export interface HtmlFacts {
	imagesWithoutAlt: string[];
	insecureLinks: string[];
	insecureImages: string[];
	hasUnsubscribe: boolean;
	fontsWithoutFallback: string[];
}

export function inspectHtml(html: string): HtmlFacts {
	const facts: HtmlFacts = { imagesWithoutAlt: [], insecureLinks: [], insecureImages: [], hasUnsubscribe: false, fontsWithoutFallback: [] };
	const noComments = html.replace(/<!--(?!\[if)[\s\S]*?-->/g, '');
	for (const m of noComments.matchAll(/<img\b([^>]*)>/gi)) {
		const attrs = m[1];
		const src = attr(attrs, 'src');
		const alt = attr(attrs, 'alt');
		const pixel = (attr(attrs, 'width') === '1' && attr(attrs, 'height') === '1') || /display\s*:\s*none/i.test(attr(attrs, 'style') ?? '');
		if (!pixel && (alt === undefined || alt.trim() === '')) facts.imagesWithoutAlt.push(src ?? '(no src)');
		if (src && /^http:\/\//i.test(src.trim())) facts.insecureImages.push(src);
	}
	for (const link of readLinks(noComments)) {
		if (/^http:\/\//i.test(link.href.trim())) facts.insecureLinks.push(link.href);
		if (link.href && link.visible && (UNSUBSCRIBE_RE.test(link.href) || UNSUBSCRIBE_RE.test(link.label))) facts.hasUnsubscribe = true;
	}
	const fonts = new Set<string>();
	for (const m of noComments.matchAll(/font-family\s*:\s*([^;}"<]+)/gi)) {
		const family = decodeEntities(m[1]).trim();
		if (family && !GENERIC_FONT.test(family) && !/\{\{|\{%|inherit/.test(family)) fonts.add(family);
	}
	facts.fontsWithoutFallback = [...fonts];
	return facts;
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const SKIP = new Set(['head', 'style', 'script', 'title', 'noscript', 'template']);
/** A CSS length or number that is zero (`0`, `0.0`, `.0`, `0px`, `0em`…). */
const ZERO = /^(?:0+(?:\.0*)?|\.0+)(?:px|pt|em|rem|%)?$/;
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
 * The declarations of a style attribute as the cascade resolves them within it: the last one of a
 * property wins, unless an earlier one is `!important` and it is not (CSS Cascade 4, "declaration
 * order"). Names and values lower-cased and trimmed, `!important` removed.
 */
function declarations(style: string): Map<string, string> {
	const out = new Map<string, string>();
	const important = new Set<string>();
	for (const part of style.split(';')) {
		const colon = part.indexOf(':');
		if (colon < 0) continue;
		const name = part.slice(0, colon).trim().toLowerCase();
		let value = part.slice(colon + 1).trim().toLowerCase();
		const imp = /!\s*important$/.test(value);
		if (imp) value = value.replace(/!\s*important$/, '').trim();
		if (!imp && important.has(name)) continue;
		out.set(name, value);
		if (imp) important.add(name);
	}
	return out;
}

export interface LinkFacts {
	href: string;
	/** The text a reader sees (hidden parts left out), image alts included. */
	label: string;
	/** Not hidden (display:none, visibility:hidden, mso-hide:all, opacity:0, the hidden attribute, zero size with overflow hidden, itself or an ancestor) and showing some text or an image. */
	visible: boolean;
}

/** Hidden by its own attributes: true; its font-size: 0 → 'zero', another → 'set', none → undefined. */
function hiding(attrs: string): { hidden: boolean; font?: 'zero' | 'set' } {
	const css = declarations(attr(attrs, 'style') ?? '');
	const zero = (name: string) => ZERO.test(css.get(name) ?? '');
	const hidden =
		/(?:^|\s)hidden(?:\s|=|\/|$)/i.test(attrs.replace(/"[^"]*"|'[^']*'/g, '""')) ||
		css.get('display') === 'none' ||
		css.get('visibility') === 'hidden' ||
		css.get('mso-hide') === 'all' ||
		/^(?:0+(?:\.0*)?|\.0+)$/.test(css.get('opacity') ?? '') ||
		((zero('width') || zero('height') || zero('max-width') || zero('max-height')) && css.get('overflow') === 'hidden');
	const size = css.get('font-size');
	const font = size === undefined ? undefined : parseFloat(size) === 0 ? 'zero' : 'set';
	return { hidden, font };
}

/**
 * The links of an HTML document with what a reader sees of them: a tag stack carries hiding
 * (inherited by the content) and the font size (0 hides text; the innermost declaration counts,
 * as MJML sets `font-size:0px` on layout cells and the size again on the text inside).
 */
export function readLinks(html: string): LinkFacts[] {
	const out: LinkFacts[] = [];
	const stack: Array<{ name: string; hidden: boolean; font?: 'zero' | 'set' }> = [];
	let link: (LinkFacts & { shows: boolean }) | undefined;
	const state = () => {
		let hidden = false;
		let zeroFont = false;
		for (let i = stack.length - 1; i >= 0; i--) if (stack[i].hidden) hidden = true;
		for (let i = stack.length - 1; i >= 0; i--) {
			if (stack[i].font) {
				zeroFont = stack[i].font === 'zero';
				break;
			}
		}
		return { hidden, zeroFont };
	};
	const endLink = () => {
		if (!link) return;
		out.push({ href: link.href, label: link.label.replace(/\s+/g, ' ').trim(), visible: link.visible && link.shows });
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
			const { hidden, zeroFont } = state();
			const text = decodeEntities(html.slice(pos, m.index));
			if (!hidden && !zeroFont && text.trim()) {
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
		const own = hiding(attrs);
		if (name === 'a') {
			endLink();
			const { hidden } = state();
			link = { href: attr(attrs, 'href') ?? '', label: '', visible: !hidden && !own.hidden, shows: false };
		} else if (name === 'img' && link) {
			const { hidden } = state();
			if (!hidden && !own.hidden) {
				link.shows = true;
				link.label += ` ${attr(attrs, 'alt') ?? ''} `;
			}
		}
		if (!VOID.has(name) && !attrs.trimEnd().endsWith('/')) stack.push({ name, hidden: own.hidden, font: own.font });
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
	if (!facts.hasUnsubscribe) {
		out.push({ severity: 'error', check: 'unsubscribe-link', message: 'No unsubscribe link: add one (e.g. <a href="{{ unsubscribe_url }}">Unsubscribe</a>); Gmail and Yahoo require it for bulk senders' });
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
