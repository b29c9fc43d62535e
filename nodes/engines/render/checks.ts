/**
 * Deliverability checks on HTML: the failures personalization guides name most often (broken
 * placeholders, images without alt text, fonts without a fallback, missing unsubscribe link,
 * Gmail clipping). Used by the lint operation (on the sample's rendered email) and, for the
 * template-level ones, once per compiled template to warn on every render.
 */
import { attr, decodeEntities } from './text';
import type { Finding } from './types';

/** Gmail clips messages whose HTML exceeds 102 KB, hiding the rest (unsubscribe link, open pixel). */
export const GMAIL_CLIP_BYTES = 102 * 1024;

const UNSUBSCRIBE_RE =
	/unsubscribe|unsub\b|opt[-\s]?out|abmelden|d[ée]sabonner|darse de baja|afmelden|\*\|UNSUB\|\*|%unsubscribe_url%|asm_group_unsubscribe|\{\{\s*unsubscribe|list[-_]unsubscribe|preferences?\b/i;
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
	for (const m of noComments.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi)) {
		const href = attr(m[1], 'href') ?? '';
		const label = decodeEntities(m[2].replace(/<[^>]*>/g, ' '));
		if (/^http:\/\//i.test(href.trim())) facts.insecureLinks.push(href);
		if (href && (UNSUBSCRIBE_RE.test(href) || UNSUBSCRIBE_RE.test(label))) facts.hasUnsubscribe = true;
	}
	const fonts = new Set<string>();
	for (const m of noComments.matchAll(/font-family\s*:\s*([^;}"<]+)/gi)) {
		const family = decodeEntities(m[1]).trim();
		if (family && !GENERIC_FONT.test(family) && !/\{\{|\{%|inherit/.test(family)) fonts.add(family);
	}
	facts.fontsWithoutFallback = [...fonts];
	return facts;
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
