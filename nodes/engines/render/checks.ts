/**
 * Deliverability checks on HTML: the failures personalization guides name most often (broken
 * placeholders, images without alt text, fonts without a fallback, missing unsubscribe link,
 * Gmail clipping). Used by the lint operation (on the sample's rendered email) and, for the
 * template-level ones, once per compiled template to warn on every render.
 */
import { Parser } from 'htmlparser2';
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
	const fonts = new Set<string>();
	let inLink = 0;
	let linkText = '';
	let linkHref = '';
	const checkFont = (css: string) => {
		for (const m of css.matchAll(/font-family\s*:\s*([^;}"]+)/gi)) {
			const family = m[1].trim();
			if (!GENERIC_FONT.test(family) && !/\{\{|\{%|inherit/.test(family)) fonts.add(family);
		}
	};
	let inStyle = false;
	const parser = new Parser(
		{
			onopentag(name, attrs) {
				if (attrs.style) checkFont(attrs.style);
				if (name === 'style') inStyle = true;
				if (name === 'img') {
					const pixel = (attrs.width === '1' && attrs.height === '1') || /display\s*:\s*none/i.test(attrs.style ?? '');
					if (!pixel && (attrs.alt === undefined || attrs.alt.trim() === '')) facts.imagesWithoutAlt.push(attrs.src ?? '(no src)');
					if (attrs.src && /^http:\/\//i.test(attrs.src.trim())) facts.insecureImages.push(attrs.src);
				}
				if (name === 'a') {
					inLink++;
					linkText = '';
					linkHref = attrs.href ?? '';
					if (/^http:\/\//i.test(linkHref.trim())) facts.insecureLinks.push(linkHref);
					if (UNSUBSCRIBE_RE.test(linkHref)) facts.hasUnsubscribe = true;
				}
			},
			ontext(text) {
				if (inLink) linkText += text;
				if (inStyle) checkFont(text);
			},
			onclosetag(name) {
				if (name === 'style') inStyle = false;
				if (name === 'a' && inLink) {
					inLink--;
					if (linkHref && UNSUBSCRIBE_RE.test(linkText)) facts.hasUnsubscribe = true;
				}
			},
		},
		{ decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
	);
	parser.write(html);
	parser.end();
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
	const m = /\{\{[^}]{0,60}|\{%[^%]{0,60}/.exec(html);
	if (m) return { severity: 'error', check: 'unresolved-liquid', message: `Unresolved Liquid left in the rendered ${where}: "${m[0].trim()}"` };
	return undefined;
}
