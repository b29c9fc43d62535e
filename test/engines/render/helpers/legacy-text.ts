// The HTML → text conversion as it was before the compiled text plan (commit 33c06e0), kept as an
// independent reference for the equivalence tests. Not used by the package.
/* eslint-disable */
/**
 * HTML → plain-text alternative (the text/plain part), derived from each rendered HTML.
 * Keeps reading order, paragraphs and table rows as lines, links as `text (url)`, images as
 * their alt text; drops head, styles, scripts, comments (incl. Outlook-only conditionals) and
 * hidden elements (display:none, e.g. the preheader). A single-pass scanner: it runs for every
 * recipient, so it avoids a full HTML parser (email HTML is machine-written by MJML or the
 * marketer's tool, and the text part only needs text, links and alts).
 */

const BLOCK = new Set([
	'p', 'div', 'table', 'tr', 'tbody', 'thead', 'tfoot', 'section', 'article', 'header', 'footer', 'h1', 'h2', 'h3', 'h4',
	'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'center', 'hr', 'pre', 'address',
]);
const PARAGRAPH = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table']);
const SKIP = new Set(['head', 'style', 'script', 'title', 'noscript', 'template']);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const HIDDEN_STYLE = /display\s*:\s*none|mso-hide\s*:\s*all/i;
// Cheap candidates (MJML and most email HTML write these in lowercase); each is checked precisely.
const HIDDEN_MARKER = /none|mso-hide|hidden|NONE|HIDDEN/g;

const NAMED: Record<string, string> = {
	nbsp: '\u00a0', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", middot: '·', bull: '•', copy: '©', reg: '®', trade: '™',
	hellip: '…', mdash: '—', ndash: '–', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“', euro: '€', pound: '£', yen: '¥',
	cent: '¢', laquo: '«', raquo: '»', times: '×', zwnj: '\u200c', zwj: '\u200d', shy: '',
};

export function decodeEntities(s: string): string {
	if (!s.includes('&')) return s;
	return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, body: string) => {
		if (body[0] === '#') {
			const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
			return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
		}
		return NAMED[body] ?? NAMED[body.toLowerCase()] ?? whole;
	});
}

const ATTR_RES = new Map<string, RegExp>();
const CLOSE_RES = new Map<string, RegExp>();

export function attr(attrs: string, name: string): string | undefined {
	let re = ATTR_RES.get(name);
	if (!re) {
		re = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'i');
		ATTR_RES.set(name, re);
	}
	const m = re.exec(attrs);
	return m ? decodeEntities(m[1] ?? m[2] ?? m[3]) : undefined;
}

export function htmlToText(html: string): string {
	const lines: string[] = [];
	let line = '';
	const stack: Array<{ name: string; hidden: boolean; href?: string; mark?: number }> = [];
	let hidden = 0;

	const breakLine = (blank: boolean) => {
		const t = line.length === 0 || line === ' ' ? '' : line.replace(/[ \t\u00a0]+/g, ' ').trim();
		if (t) lines.push(t);
		if (blank && lines.length && lines[lines.length - 1] !== '') lines.push('');
		line = '';
	};
	const text = (from: number, to: number) => {
		if (hidden === 0 && to > from) {
			let k = from;
			while (k < to && html.charCodeAt(k) <= 32) k++;
			if (k === to) {
				// whitespace only: at most one space, none at the start of a line
				if (line.length > 0 && line.charCodeAt(line.length - 1) !== 32) line += ' ';
				return;
			}
			const chunk = html.slice(from, to);
			line += decodeEntities(chunk.indexOf('\n') >= 0 || chunk.indexOf('  ') >= 0 || chunk.indexOf('\t') >= 0 ? chunk.replace(/\s+/g, ' ') : chunk);
		}
	};

	// Positions of hiding markers, found in one pass (not per tag).
	const markers: number[] = [];
	for (const m of html.matchAll(HIDDEN_MARKER)) markers.push(m.index);
	let nextMarker = 0;

	let pos = 0;
	const n = html.length;
	while (pos < n) {
		const lt = html.indexOf('<', pos);
		if (lt < 0) break;
		text(pos, lt);
		const c1 = html.charCodeAt(lt + 1);
		if (c1 === 33 /* ! */) {
			// comment (incl. Outlook conditionals), doctype, CDATA
			const end = html.startsWith('<!--', lt) ? html.indexOf('-->', lt + 4) : html.indexOf('>', lt);
			pos = end < 0 ? n : end + (html.startsWith('<!--', lt) ? 3 : 1);
			continue;
		}
		const closing = c1 === 47; /* / */
		let k = closing ? lt + 2 : lt + 1;
		const nameStart = k;
		for (; k < n; k++) {
			const c = html.charCodeAt(k) | 32;
			if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57 && k > nameStart) || (c === 45 && k > nameStart))) break;
		}
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
		while (nextMarker < markers.length && markers[nextMarker] < k) nextMarker++;
		const marked = nextMarker < markers.length && markers[nextMarker] < end;
		const attrs = marked || name === 'a' || name === 'img' ? html.slice(k, end) : '';
		if (closing) {
			let at = stack.length - 1;
			while (at >= 0 && stack[at].name !== name) at--;
			if (at < 0) continue;
			while (stack.length > at) {
				const e = stack.pop()!;
				if (e.hidden) {
					hidden--;
					continue;
				}
				if (hidden > 0) continue;
				if (e.href !== undefined) {
					const label = line.slice(e.mark).replace(/\s+/g, ' ').trim();
					const href = e.href.trim();
					if (/^(https?:|mailto:)/i.test(href) && label !== href && label !== href.replace(/^mailto:/i, '')) {
						line += label ? ` (${href})` : href;
					}
				}
				if (BLOCK.has(e.name)) breakLine(PARAGRAPH.has(e.name));
				else if (e.name === 'td' || e.name === 'th') line += ' ';
			}
			continue;
		}
		if (SKIP.has(name)) {
			let closeRe = CLOSE_RES.get(name);
			if (!closeRe) {
				closeRe = new RegExp(`</${name}\\s*>`, 'gi');
				CLOSE_RES.set(name, closeRe);
			}
			closeRe.lastIndex = pos;
			const close = closeRe.exec(html);
			if (close) pos = close.index + close[0].length;
			continue;
		}
		const selfClosing = VOID.has(name) || html.charCodeAt(end - 1) === 47; /* / */
		const isHidden = marked && (HIDDEN_STYLE.test(attr(attrs, 'style') ?? '') || /(^|\s)hidden(\s|=|$)/i.test(attrs));
		if (hidden > 0 || isHidden) {
			if (!selfClosing) {
				stack.push({ name, hidden: isHidden });
				if (isHidden) hidden++;
			}
			continue;
		}
		if (name === 'br') breakLine(false);
		else if (BLOCK.has(name)) breakLine(PARAGRAPH.has(name));
		if (name === 'hr') lines.push('----');
		if (name === 'li') line += '- ';
		if (name === 'img') {
			const alt = attr(attrs, 'alt');
			if (alt && alt.trim() && !(attr(attrs, 'width') === '1' && attr(attrs, 'height') === '1')) line += ` ${alt.trim()} `;
		}
		if (selfClosing) continue;
		const entry: (typeof stack)[number] = { name, hidden: false };
		if (name === 'a') {
			const href = attr(attrs, 'href');
			if (href) {
				entry.href = href;
				entry.mark = line.length;
			}
		}
		stack.push(entry);
	}
	text(pos, n);
	breakLine(false);
	while (lines.length && lines[lines.length - 1] === '') lines.pop();
	return lines.join('\n');
}
