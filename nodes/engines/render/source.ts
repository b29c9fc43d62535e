/**
 * Source bookkeeping: Liquid token scanning (outside any HTML/MJML parser, so quotes and `<`
 * inside Liquid never confuse MJML) and a map from positions in the expanded template (body with
 * blocks inlined) back to the source, line and column the marketer wrote.
 */
import { TemplateError } from './types';

export interface LiquidToken {
	start: number;
	end: number;
	text: string;
	kind: 'output' | 'tag';
	/** Tag name (`if`, `for`, `render`…); empty for outputs. */
	name: string;
}

/** Finds `{{ … }}` and `{% … %}` (quotes inside respected; `raw` and `comment` bodies kept whole). */
export function scanLiquid(text: string, where = 'body'): LiquidToken[] {
	const tokens: LiquidToken[] = [];
	let i = 0;
	for (;;) {
		const open = text.indexOf('{', i);
		if (open < 0) break;
		const next = text.charCodeAt(open + 1);
		if (next !== 123 /* { */ && next !== 37 /* % */) {
			i = open + 1;
			continue;
		}
		const kind = next === 123 ? 'output' : 'tag';
		const close = kind === 'output' ? '}}' : '%}';
		let j = open + 2;
		let quote = 0;
		let end = -1;
		for (; j < text.length; j++) {
			const c = text.charCodeAt(j);
			if (quote) {
				if (c === quote) quote = 0;
			} else if (c === 34 || c === 39) {
				quote = c;
			} else if (c === close.charCodeAt(0) && text.charCodeAt(j + 1) === close.charCodeAt(1)) {
				end = j + 2;
				break;
			}
		}
		if (end < 0) {
			const { line, column } = lineColumn(text, open);
			throw new TemplateError(
				`${where} line ${line}, column ${column}: "${kind === 'output' ? '{{' : '{%'}" is never closed with "${close}"`,
				{ check: 'liquid-syntax', source: where, line, column, hint: `Close it with ${close}` },
			);
		}
		let token: LiquidToken = { start: open, end, text: text.slice(open, end), kind, name: '' };
		if (kind === 'tag') {
			const m = /^\{%-?\s*([a-zA-Z_]\w*)/.exec(token.text);
			token.name = m ? m[1] : '';
			if (token.name === 'raw' || token.name === 'comment') {
				const endRe = new RegExp(`\\{%-?\\s*end${token.name}\\s*-?%\\}`, 'g');
				endRe.lastIndex = end;
				const m2 = endRe.exec(text);
				if (!m2) {
					const { line, column } = lineColumn(text, open);
					throw new TemplateError(`${where} line ${line}, column ${column}: {% ${token.name} %} without {% end${token.name} %}`, {
						check: 'liquid-syntax',
						source: where,
						line,
						column,
					});
				}
				token = { ...token, end: m2.index + m2[0].length, text: text.slice(open, m2.index + m2[0].length) };
			}
		}
		tokens.push(token);
		i = token.end;
	}
	return tokens;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
	let line = 1;
	let lineStart = 0;
	for (let k = text.indexOf('\n'); k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) {
		line++;
		lineStart = k + 1;
	}
	return { line, column: offset - lineStart + 1 };
}

interface Segment {
	outStart: number;
	outEnd: number;
	source: string;
	srcStart: number;
}

/** Builds the expanded template piece by piece, remembering where each piece came from. */
export class SourceMap {
	private parts: string[] = [];
	private length = 0;
	private segments: Segment[] = [];
	readonly sources = new Map<string, string>();

	addSource(name: string, text: string): void {
		this.sources.set(name, text);
	}

	/** Appends `text.slice(from, to)` of a named source. */
	append(source: string, from: number, to: number): void {
		const text = this.sources.get(source) ?? '';
		if (to <= from) return;
		this.segments.push({ outStart: this.length, outEnd: this.length + (to - from), source, srcStart: from });
		this.parts.push(text.slice(from, to));
		this.length += to - from;
	}

	/** Appends generated text (rule wrappers); positions in it report `source` at `srcOffset`. */
	generated(text: string, source: string, srcOffset: number): void {
		if (!text) return;
		this.segments.push({ outStart: this.length, outEnd: this.length + text.length, source, srcStart: -1 - srcOffset });
		this.parts.push(text);
		this.length += text.length;
	}

	toString(): string {
		return this.parts.join('');
	}

	/** Source, line and column of an offset in the expanded text. */
	locate(offset: number): { source: string; line: number; column: number } {
		let lo = 0;
		let hi = this.segments.length - 1;
		while (lo < hi) {
			const mid = (lo + hi + 1) >> 1;
			if (this.segments[mid].outStart <= offset) lo = mid;
			else hi = mid - 1;
		}
		const seg = this.segments[lo];
		if (!seg) return { source: 'body', line: 1, column: 1 };
		const text = this.sources.get(seg.source) ?? '';
		const srcOffset = seg.srcStart < 0 ? -1 - seg.srcStart : seg.srcStart + (offset - seg.outStart);
		return { source: seg.source, ...lineColumn(text, Math.min(srcOffset, text.length)) };
	}
}

export function describe(loc: { source: string; line: number; column: number }): string {
	return `${loc.source} line ${loc.line}`;
}
