/**
 * Source bookkeeping: Liquid token scanning (outside any HTML/MJML parser, so quotes and `<`
 * inside Liquid never confuse MJML) and a map from positions in the expanded template (body with
 * blocks inlined) back to the source, line and column the marketer wrote.
 */
import { defaultOptions, TokenizationError, TokenKind, Tokenizer } from 'liquidjs';
import { TemplateError } from './types';

export interface LiquidToken {
	start: number;
	end: number;
	text: string;
	kind: 'output' | 'tag';
	/** Tag name (`if`, `for`, `render`…); empty for outputs. */
	name: string;
}

/**
 * Finds `{{ … }}` and `{% … %}` exactly where liquidjs's own tokenizer finds them (it reads them:
 * an output ends at the first `}}` outside a quoted string, a tag at its first `%}` even inside
 * quotes, so `{% # don't … %}` is one tag). `raw` and `comment` are kept whole, each up to its
 * first `endraw` / `endcomment` as liquidjs pairs them.
 */
export function scanLiquid(text: string, where = 'body'): LiquidToken[] {
	const tokens: LiquidToken[] = [];
	const tokenizer = new Tokenizer(text, defaultOptions.operators, undefined, undefined, defaultOptions.groupedExpressions);
	/** An open `raw` or `comment`: the tag that opened it. */
	let open: LiquidToken | undefined;
	let at = 0;
	try {
		while (tokenizer.p < tokenizer.N) {
			at = tokenizer.p;
			const t = tokenizer.readTopLevelToken(defaultOptions) as { kind: number; begin: number; end: number; name?: string };
			if (t.kind !== TokenKind.Tag && t.kind !== TokenKind.Output) continue;
			const token: LiquidToken = { start: t.begin, end: t.end, text: text.slice(t.begin, t.end), kind: t.kind === TokenKind.Tag ? 'tag' : 'output', name: t.name ?? '' };
			if (open) {
				if (token.name === `end${open.name}`) {
					tokens.push({ ...open, end: token.end, text: text.slice(open.start, token.end) });
					open = undefined;
				}
				continue;
			}
			if (token.name === 'raw' || token.name === 'comment') open = token;
			else tokens.push(token);
		}
	} catch (error) {
		if (!(error instanceof TokenizationError)) throw error;
		if (open?.name === 'raw') unclosedBlock(open, where, text); // liquidjs: raw "…" not closed
		// the token being read when liquidjs gave up (inside a comment too: liquidjs reads its tokens)
		const { line, column } = lineColumn(text, at);
		const kind = text.startsWith('{{', at) ? 'output' : 'tag';
		const reason = error.message.replace(/, line:\d+, col:\d+/, '').replace(/, file:[^,]*/, '');
		if (/ not closed$/.test(reason)) {
			const close = kind === 'output' ? '}}' : '%}';
			throw new TemplateError(
				`${where} line ${line}, column ${column}: "${kind === 'output' ? '{{' : '{%'}" is never closed with "${close}"`,
				{ check: 'liquid-syntax', source: where, line, column, hint: `Close it with ${close}` },
			);
		}
		throw new TemplateError(`${where} line ${line}, column ${column}: ${reason}`, { check: 'liquid-syntax', source: where, line, column });
	}
	if (open) unclosedBlock(open, where, text);
	return tokens;
}

function unclosedBlock(open: LiquidToken, where: string, text: string): never {
	const { line, column } = lineColumn(text, open.start);
	throw new TemplateError(`${where} line ${line}, column ${column}: {% ${open.name} %} without {% end${open.name} %}`, {
		check: 'liquid-syntax',
		source: where,
		line,
		column,
	});
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
