/* eslint-disable */
/**
 * finalizeText as it was before its marker scan used a sticky regex (char-by-char loop, three
 * indexOf per line, an unconditional label regex): the reference text.ts's version must match.
 * A link whose content holds a hidden part (\uE009 outside an `<ol>` argument) writes nothing
 * when that content holds no text other than white space and no image (read here by scanning
 * the stretch between its href and its end, hrefs and list arguments left out).
 */
const M_AHREF = '\uE004';
const M_IMGEND = '\uE007';
const M_ESC = '\uE00F';


export function referenceFinalizeText(pre: string): string {
	const lines: string[] = [];
	let line = '';
	const anchors: Array<{ href: string; mark: number; from: number } | null> = [];
	/** Whether pre[from, to) shows something: text other than white space (escapes count), or an image; and whether it hides something. */
	const hidesOnly = (from: number, to: number): boolean => {
		let hides = false;
		for (let k = from; k < to; k++) {
			const ch = pre.charCodeAt(k);
			if (ch === 0xe006 || ch === 0xe00f) return false;
			if (ch === 0xe009) hides = true;
			if (ch === 0xe003) while (k < to && pre[k] !== M_AHREF) k += pre[k] === M_ESC ? 2 : 1;
			else if (ch === 0xe008) k = pre.indexOf('\uE009', k) < 0 ? to : pre.indexOf('\uE009', k);
			else if (ch === 0xe00d) k++;
			else if ((ch < 0xe000 || ch > 0xe00f) && !/\s/.test(pre[k])) return false;
		}
		return hides;
	};
	const breakLine = (blank: boolean) => {
		// runs of [ \t\u00a0] become one space (skipped when there is none: same result)
		const t =
			line.length === 0 || line === ' '
				? ''
				: line.indexOf('  ') < 0 && line.indexOf('\t') < 0 && line.indexOf('\u00a0') < 0
					? line.trim()
					: line.replace(/[ \t\u00a0]+/g, ' ').trim();
		if (t) lines.push(t);
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
		const c = pre.charCodeAt(i);
		if (c < 0xe000 || c > 0xe00f) {
			i++;
			continue;
		}
		if (i > run) line += pre.slice(run, i);
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
				anchors.push(href ? { href, mark: line.length, from: end + 1 } : null);
				i = end + 1;
				break;
			}
			case 0xe005: {
				const e = anchors.pop();
				if (e && !hidesOnly(e.from, i)) {
					const label = line.slice(e.mark).replace(/\s+/g, ' ').trim();
					// the URL as the browser follows it (text-url.test.ts): tabs and line breaks removed, a web link's spaces as %20
					let href = e.href.replace(/[\t\n\r]/g, '').trim();
					if (/^https?:/i.test(href)) href = href.split(' ').join('%20');
					else if (/^(?:mailto|sms):/i.test(href) && href.includes('?')) href = href.slice(0, href.indexOf('?')) + href.slice(href.indexOf('?')).split(' ').join('%20');
					if (/^(https?:|mailto:|tel:|sms:)/i.test(href) && label !== href && label !== href.replace(/^(?:mailto|tel|sms):/i, '')) {
						// a space the label ends with stays between the URL and the text that follows
						const raw = line.slice(e.mark);
						line += label ? ` (${href})${/[ \t\n\u00a0]$/.test(raw) ? ' ' : ''}` : href;
						// a link whose text is all on the lines above (it wraps blocks): its URL is a line of its own
						if (!label && !raw.trim()) breakLine(false);
					}
				}
				i++;
				break;
			}
			case 0xe006: {
				const a = readUntil(i + 1, M_IMGEND).trim();
				if (a) line += ` ${a} `;
				i = end + 1;
				break;
			}
			case 0xe00f:
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
	return lines.join('\n');
}

