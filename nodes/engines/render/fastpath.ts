/**
 * Per-recipient speed.
 *
 * 1. liquidjs evaluates every `{{ output }}` through four nested generators (Output → Value →
 *    Filter → token). For the template rendered thousands of times, each Output is swapped for an
 *    equivalent that runs the same steps (same tokens, same filter handlers, same lenient/`default`
 *    rule, same escaping filter appended by `outputEscape`) as plain calls. Outputs nested in tags
 *    are swapped too.
 * 2. liquidjs renders every list of templates (the email, each branch, each loop iteration)
 *    through a generator. In sync renders (all this package does) the engine's renderer walks the
 *    lists with a plain loop instead: the same render-limit check before the list and before each
 *    template except static HTML (which writes one constant string: the check before the next
 *    template, list or loop iteration catches an overrun), the same break/continue handling, the
 *    same error wrapping (RenderError naming the template). Async renders and options this
 *    package never sets use liquidjs' own code.
 * 2b. `{% if %}` and `{% for %}` tags render their steps as plain calls too (fastIf, fastFor), and
 *    conditions with operators (`a > 0`, `==`, `contains`, `and`/`or`) are evaluated by a plain
 *    postfix walk (evaluateExpression): primitives compare with JavaScript's operators exactly as
 *    liquidjs' default operators do, anything else (drops like `empty`, arrays) goes to liquidjs'
 *    own operator. Loops take liquidjs' path when a modifier is not a literal or the collection is
 *    not an array or nil. test/engines/render/fastpath.test.ts checks all of it against stock
 *    liquidjs with random data and templates.
 * 3. With a compiled text plan (text.ts compileTextPlan), the render also writes the text part:
 *    each static HTML piece carries its pre-computed pre-text, each output that reaches the text
 *    writes its value unescaped, into a DualEmitter. A value the plan cannot reproduce exactly
 *    (UNSAFE_VALUE) marks the render `unsafe`, and the caller converts that recipient's HTML instead.
 */
import {
	ForTag,
	IfTag,
	Liquid,
	LiquidError,
	Output,
	RenderError,
	defaultOperators,
	filters as builtinFilters,
	toValue,
	toValueSync,
	evalToken,
	type Context,
	type Emitter,
	type Template,
} from 'liquidjs';
import type { RenderState } from './liquid';
import { UNSAFE_RAW_VALUE, UNSAFE_VALUE, type TextPlan } from './text';
import { guardedScheme, guardUrl, unsafeScheme, unsafeSchemeOf, urlPlace, WRITING_TAGS, type UrlClose, type UrlMode, type UrlPlan } from './urls';

interface FilterLike {
	name: string;
	handler: (...args: unknown[]) => unknown;
	args: unknown[];
	token: unknown;
	liquid: unknown;
}
interface ValueLike {
	initial: { evaluate(ctx: Context, lenient: boolean): unknown; postfix?: TokenLike[] };
	filters: FilterLike[];
}
interface TokenLike {
	kind: number;
	content?: unknown;
	variable?: unknown;
	props?: TokenLike[];
}
interface ScopeCtx {
	strictVariables: boolean;
	findScope(key: unknown): unknown;
	readProperty(obj: unknown, key: unknown): unknown;
}

const SLOW = Symbol('slow');
const PROPERTY_ACCESS = 128; // liquidjs TokenKind.PropertyAccess

/**
 * liquidjs' evalToken for the two shapes almost every output and filter argument has, without
 * generators: a literal (`"x"`, `3`, `true`), or a plain path (`a.b`, `a["b"]`, `a[0]`) read with
 * the context's own findScope/readProperty. Anything else, and any path that would raise
 * (strict mode), returns SLOW: the caller then runs liquidjs' own evaluation (same errors).
 */
function fastToken(token: TokenLike | undefined, context: Context): unknown {
	if (!token) return undefined;
	if ('content' in token) return token.content;
	if (token.kind !== PROPERTY_ACCESS || token.variable || !token.props || token.props.length === 0) return SLOW;
	const ctx = context as unknown as ScopeCtx;
	const props = token.props;
	for (const p of props) if (!('content' in p)) return SLOW;
	try {
		let scope = ctx.findScope(toValue(props[0].content));
		for (const p of props) {
			scope = ctx.readProperty(scope, toValue(p.content));
			if (scope === undefined && ctx.strictVariables) return SLOW;
			if (typeof scope === 'object' && scope !== null && typeof (scope as { next?: unknown }).next === 'function') return SLOW;
		}
		return scope;
	} catch {
		return SLOW;
	}
}

/** fastToken for one token, prepared once (at optimize time) instead of on every render. */
type Reader = (ctx: Context) => unknown;

function compileReader(token: TokenLike | undefined): Reader {
	if (!token) return () => undefined;
	if ('content' in token) {
		const content = token.content;
		return () => content;
	}
	if (token.kind !== PROPERTY_ACCESS || token.variable || !token.props || token.props.length === 0) return () => SLOW;
	// the keys: liquidjs computes toValue(content) of each prop per render; for a string or number
	// that is the content itself, so it is taken once
	const keys: unknown[] = [];
	for (const p of token.props) {
		if (!('content' in p)) return () => SLOW;
		if (typeof p.content !== 'string' && typeof p.content !== 'number') return (ctx) => fastToken(token, ctx);
		keys.push(p.content);
	}
	const first = keys[0];
	const n = keys.length;
	return (context: Context): unknown => {
		const ctx = context as unknown as ScopeCtx;
		try {
			let scope = ctx.findScope(first);
			for (let i = 0; i < n; i++) {
				scope = ctx.readProperty(scope, keys[i]);
				if (scope === undefined && ctx.strictVariables) return SLOW;
				if (typeof scope === 'object' && scope !== null && typeof (scope as { next?: unknown }).next === 'function') return SLOW;
			}
			return scope;
		} catch {
			return SLOW;
		}
	};
}

const OPERATOR = 2048; // liquidjs TokenKind.Operator

interface OperatorTokenLike extends TokenLike {
	operator: string;
}
interface OptsLike {
	operators: Record<string, (...args: unknown[]) => unknown>;
	jsTruthy?: boolean;
	lenientIf?: boolean;
	keepOutputType?: boolean;
	catchAllErrors?: boolean;
}

function isPrimitive(v: unknown): boolean {
	return v === null || (typeof v !== 'object' && typeof v !== 'function');
}

/** liquidjs' isTruthy (`jsTruthy` or Liquid's: only false and nil are falsy). */
function truthy(v: unknown, opts: OptsLike): boolean {
	const x = toValue(v);
	return opts.jsTruthy ? Boolean(x) : !(x === false || x === undefined || x === null);
}

/**
 * One operator of an expression. liquidjs' default operators, on two primitive operands
 * (strings, numbers, booleans, nil), reduce to the JavaScript operators written below (no
 * Comparable drop, no array, toValue is the identity); anything else (`empty`, arrays, drops,
 * custom operators) runs liquidjs' own operator.
 */
function applyOperator(op: string, l: unknown, r: unknown, ctx: Context, unary: boolean): unknown {
	const opts = ctx.opts as unknown as OptsLike;
	if (opts.operators === (defaultOperators as unknown) && isPrimitive(r) && (unary || isPrimitive(l))) {
		// typed as numbers for the compiler only: the JavaScript operators apply to any primitives
		const a = l as number;
		const b = r as number;
		switch (op) {
			case '==':
				return a === b;
			case '!=':
				return a !== b;
			case '>':
				return a > b;
			case '<':
				return a < b;
			case '>=':
				return a >= b;
			case '<=':
				return a <= b;
			case 'contains':
				return typeof l === 'string' ? l.indexOf(r as string) > -1 : false;
			case 'not':
				return !truthy(b, opts);
			case 'and':
				return truthy(a, opts) && truthy(b, opts);
			case 'or':
				return truthy(a, opts) || truthy(b, opts);
		}
	}
	const fn = opts.operators[op];
	return toValueSync((unary ? fn(r, ctx) : fn(l, r, ctx)) as never);
}

/**
 * liquidjs' Expression.evaluate without generators: the same postfix walk, each operand read
 * with fastToken (else liquidjs' evalToken, with the same `lenient`), each operator applied by
 * applyOperator. `and`/`or` evaluate both sides, as liquidjs does.
 */
function evaluateExpression(expr: CompiledExpression, ctx: Context, lenient: boolean): unknown {
	const { postfix, readers } = expr;
	if (postfix.length === 1) {
		const r = readers[0]!(ctx);
		return r !== SLOW ? r : toValueSync(evalToken(postfix[0] as never, ctx, lenient) as never);
	}
	const operands: unknown[] = [];
	for (let i = 0; i < postfix.length; i++) {
		const token = postfix[i];
		const read = readers[i];
		if (read === null) {
			const op = (token as OperatorTokenLike).operator;
			const r = operands.pop();
			if (op === 'not') operands.push(applyOperator(op, undefined, r, ctx, true));
			else {
				const l = operands.pop();
				operands.push(applyOperator(op, l, r, ctx, false));
			}
		} else {
			const v = read(ctx);
			operands.push(v !== SLOW ? v : toValueSync(evalToken(token as never, ctx, lenient) as never));
		}
	}
	return operands[0];
}

interface CompiledExpression {
	postfix: TokenLike[];
	/** A reader per operand, null for an operator. */
	readers: Array<Reader | null>;
}
function compileExpression(postfix: TokenLike[]): CompiledExpression {
	return { postfix, readers: postfix.map((t) => (t.kind === OPERATOR ? null : compileReader(t))) };
}

type ConditionValue = ValueLike & { value(ctx: Context, lenient: boolean): unknown };

/** A tag condition (`Value.value`), prepared: without filters, evaluateExpression; else liquidjs'. */
function compileCondition(value: ConditionValue): (ctx: Context, lenient: boolean) => unknown {
	const pf = value.initial.postfix;
	if (value.filters.length === 0 && pf && pf.length > 0) {
		const expr = compileExpression(pf);
		return (ctx, lenient) => evaluateExpression(expr, ctx, lenient);
	}
	return (ctx, lenient) => toValueSync(value.value(ctx, lenient) as never);
}

/** `{% unless … %}` (and other tags with branches) conditions without filters: evaluated without generators. */
function fastCondition(value: ValueLike & { value?: unknown }): void {
	if (value.filters.length !== 0 || !value.initial.postfix || value.initial.postfix.length === 0) return;
	const expr = compileExpression(value.initial.postfix);
	value.value = (ctx: Context, lenient: boolean): unknown => evaluateExpression(expr, ctx, lenient);
}

interface TagCtx {
	sync: boolean;
	breakCalled: boolean;
	continueCalled: boolean;
	opts: OptsLike;
	push(scope: object): void;
	pop(): void;
	setRegister(key: string, value: unknown): void;
}
type RenderFn = (ctx: Context, emitter: Emitter) => unknown;
interface IfLike {
	liquid: Liquid;
	branches: Array<{ value: ConditionValue; templates: Template[] }>;
	elseTemplates?: Template[];
	render: RenderFn;
}

/** True when a tag can take the plain-call path (sync render, no option this package never sets). */
function plainCtx(ctx: TagCtx): boolean {
	return ctx.sync && !ctx.opts.keepOutputType && !ctx.opts.catchAllErrors;
}

/**
 * `{% if %}` without generators: IfTag.render's steps as plain calls (each branch's condition,
 * toValue, isTruthy, the first true branch's templates else the else templates).
 */
function fastIf(tag: IfLike): void {
	const original = tag.render;
	const branches = tag.branches.map((b) => ({ condition: compileCondition(b.value), templates: b.templates }));
	tag.render = function (context: Context, emitter: Emitter): unknown {
		const ctx = context as unknown as TagCtx;
		if (!plainCtx(ctx)) return original.call(tag, context, emitter);
		const r = tag.liquid.renderer;
		const lenient = Boolean(ctx.opts.lenientIf);
		for (const { condition, templates } of branches) {
			if (truthy(toValue(condition(context, lenient)), ctx.opts)) {
				toValueSync(r.renderTemplates(templates, context, emitter) as never);
				return undefined;
			}
		}
		toValueSync(r.renderTemplates(tag.elseTemplates || [], context, emitter) as never);
		return undefined;
	};
}

interface ForLike {
	liquid: Liquid;
	variable: string;
	collection: TokenLike & { getText(): string };
	hash: { hash: Record<string, TokenLike | undefined> };
	templates: Template[];
	elseTemplates: Template[];
	render: RenderFn;
}
const MODIFIERS = ['offset', 'limit', 'reversed'];

/** liquidjs' ForloopDrop (not exported): taken from a probe render, once. */
let forloopClass: (new (length: number, collection: string, variable: string) => { next(): void }) | undefined;
function forloopDrop(): typeof forloopClass {
	if (forloopClass) return forloopClass;
	const probe = new Liquid();
	probe.registerFilter('__probe', (v: unknown) => {
		forloopClass = (v as { constructor: typeof forloopClass }).constructor;
		return '';
	});
	probe.parseAndRenderSync('{% for x in (1..1) %}{{ forloop | __probe }}{% endfor %}');
	return forloopClass;
}

/**
 * `{% for x in path %}` whose modifiers (`limit`, `offset`, `reversed`) are literals, without
 * generators: ForTag.render's steps as plain calls (the same scope with a liquidjs ForloopDrop,
 * the same `continue-…` register, break/continue flags, else branch, a render-limit check before
 * each iteration's templates as liquidjs' renderer does). A collection that is not an array or
 * nil, a path fastToken leaves to liquidjs, or any other modifier: liquidjs' own ForTag.render.
 */
function fastFor(tag: ForLike): void {
	const tokens = tag.hash?.hash;
	if (!tokens || typeof tag.collection?.getText !== 'function' || typeof tag.variable !== 'string') return;
	const keys = Object.keys(tokens);
	const hash: Record<string, unknown> = {};
	for (const k of keys) {
		const t = tokens[k];
		if (t !== undefined && !('content' in t)) return; // a path or range: liquidjs evaluates it
		hash[k] = t === undefined ? true : t.content;
	}
	const Forloop = forloopDrop();
	if (!Forloop) return;
	const modifiers = (tag.liquid.options as { orderedFilterParameters?: boolean }).orderedFilterParameters
		? keys.filter((x) => MODIFIERS.includes(x))
		: MODIFIERS.filter((x) => hash[x] !== undefined);
	const text = tag.collection.getText();
	const continueKey = 'continue-' + tag.variable + '-' + text;
	const original = tag.render;
	const readCollection = compileReader(tag.collection);
	tag.render = function (context: Context, emitter: Emitter): unknown {
		const ctx = context as unknown as TagCtx;
		if (!plainCtx(ctx)) return original.call(tag, context, emitter);
		const raw = readCollection(context);
		if (raw === SLOW) return original.call(tag, context, emitter);
		const value = toValue(raw);
		let collection: unknown[];
		if (Array.isArray(value)) collection = value;
		else if (value === undefined || value === null) collection = [];
		else return original.call(tag, context, emitter);
		const r = tag.liquid.renderer;
		if (!collection.length) {
			toValueSync(r.renderTemplates(tag.elseTemplates, context, emitter) as never);
			return undefined;
		}
		for (const m of modifiers) {
			if (m === 'offset') collection = collection.slice(hash.offset as number);
			else if (m === 'limit') collection = collection.slice(0, hash.limit as number);
			else collection = [...collection].reverse();
		}
		ctx.setRegister(continueKey, ((hash.offset as number) || 0) + collection.length);
		const scope = Object.create(null) as Record<string, unknown>;
		const forloop = new Forloop(collection.length, text, tag.variable);
		scope.forloop = forloop;
		ctx.push(scope);
		for (const item of collection) {
			scope[tag.variable] = item;
			ctx.continueCalled = ctx.breakCalled = false;
			toValueSync(r.renderTemplates(tag.templates, context, emitter) as never);
			if (ctx.breakCalled) break;
			forloop.next();
		}
		ctx.continueCalled = ctx.breakCalled = false;
		ctx.pop();
		return undefined;
	};
}

/** liquidjs' own stringify (what its emitter writes). */
function stringify(value: unknown): string {
	const v = toValue(value);
	if (typeof v === 'string') return v;
	if (v === null || v === undefined) return '';
	if (Array.isArray(v)) return v.map((x) => stringify(x)).join('');
	return String(v);
}

/** liquidjs' Limiter (the context's `memoryLimit`). */
interface LimiterLike {
	limit: number;
	use(count: number): void;
}
const NO_LIMIT: LimiterLike = { limit: Infinity, use: () => undefined };

/**
 * Output counts toward the memory limit: every character an emitter takes (`| raw` and unescaped
 * values, static HTML repeated by loops, subject and preheader) adds to `size`; past the render's
 * memory limit, the limiter throws its own error ("memory alloc limit exceeded").
 */
function outputOverLimit(limiter: LimiterLike, size: number): void {
	limiter.use(size);
	limiter.use(limiter.limit + 1); // size alone passes the limit: this always throws
}

/**
 * liquidjs' SimpleEmitter (not exported), counting its output: what a list renders into when no
 * emitter is given, and the base of DualEmitter.
 */
export class CountingEmitter implements Emitter {
	buffer = '';
	size = 0;
	/** Where the URL attribute value being written started in the buffer (UrlAttrHtml), -1 none. */
	urlStart = -1;
	/**
	 * What was written of that value so far, kept aside while it is open (undefined otherwise):
	 * reading it back from the buffer would flatten the whole email so far at every checked attribute.
	 */
	urlText: string | undefined = undefined;
	/** Later starts of that value (UrlAttrHtml), undefined none. */
	urlMore: number[] | undefined = undefined;
	/** What values wrote while it was open (UrlEmitter.urlSpans), undefined none. */
	urlSpans: number[] | undefined = undefined;
	readonly limiter: LimiterLike;
	constructor(limiter: LimiterLike = NO_LIMIT) {
		this.limiter = limiter;
	}
	write(html: unknown): void {
		this.append(stringify(html));
	}
	/** Adds text to the buffer, counting it toward the memory limit. */
	append(s: string): void {
		this.size += s.length;
		if (this.size > this.limiter.limit) outputOverLimit(this.limiter, this.size);
		this.buffer += s;
		if (this.urlText !== undefined) this.urlText += s;
	}
}

/**
 * An emitter for one part of a recipient's email (subject, preheader, HTML) whose output counts
 * toward the memory limit from `written`, what the parts before it wrote: one output budget per
 * recipient, as with one limiter (renderCompiled shares the render's limiters across the parts).
 */
export function partEmitter(limiter: unknown, written: number): CountingEmitter {
	const out = new CountingEmitter(limiter as LimiterLike);
	out.size = written;
	return out;
}

/** Collects the HTML (`buffer`, as liquidjs' emitter) and the pre-text of the text part. */
export class DualEmitter extends CountingEmitter {
	text = '';
	unsafe = false;
}

const ESCAPE = builtinFilters.escape as unknown;
const NEEDS_ESCAPE = /[&<>"']/;
const ESCAPE_MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/**
 * The escape filter's replacement, cached for links: the same links (with `&` between their
 * parameters, the same string from the utm cache) recur in every email. Other values (names,
 * free text) are not kept. Bounded.
 */
const escapeCache = new Map<string, string>();
function escapeHtml(str: string): string {
	if (str.length > 512 || !str.startsWith('http')) return str.replace(/&|<|>|"|'/g, (m) => ESCAPE_MAP[m]);
	let out = escapeCache.get(str);
	if (out === undefined) {
		out = str.replace(/&|<|>|"|'/g, (m) => ESCAPE_MAP[m]);
		if (escapeCache.size >= 2000) escapeCache.clear();
		escapeCache.set(str, out);
	}
	return out;
}

type TextMode = 'value' | 'gap' | undefined;

class FastOutput {
	readonly token: unknown;
	private readonly value: ValueLike;
	/**
	 * What the value gives the text part: `value` itself (text content, a link's href, an image's
	 * alt), a `gap` (text hidden with visibility:hidden: a space when the value is not empty), or nothing.
	 */
	private readonly textMode: TextMode;
	/** The last filter is `escape` (outputEscape or written): the text takes the value before it. */
	private readonly escaped: boolean;
	/** The first filter is `default` (lenient with `lenientIf`, as liquidjs' Value). */
	private readonly defaultFirst: boolean;
	/** The initial value's reader, when it is a single literal or path. */
	private readonly initial: Reader | undefined;
	/** Each filter's argument readers (a keyword argument `k: v` reads v). */
	private readonly args: Reader[][];
	/** The output writes into a URL position (urls.ts): 0 none. */
	private readonly url: UrlMode;
	constructor(output: Output, textMode: TextMode, url: UrlMode = 0) {
		this.token = output.token;
		this.url = url;
		this.value = (output as unknown as { value: ValueLike }).value;
		this.textMode = textMode;
		const f = this.value.filters;
		this.escaped = f.length > 0 && f[f.length - 1].handler === ESCAPE && f[f.length - 1].args.length === 0;
		this.defaultFirst = f.length > 0 && f[0].name === 'default';
		const pf = this.value.initial.postfix;
		this.initial = pf && pf.length === 1 ? compileReader(pf[0]) : undefined;
		this.args = f.map((filter) => filter.args.map((arg) => compileReader((Array.isArray(arg) ? arg[1] : arg) as TokenLike)));
	}
	private textOf(str: string): string {
		return this.textMode === 'gap' ? (str ? ' ' : '') : str;
	}
	render(ctx: Context, emitter: Emitter): void {
		const v = this.value;
		const dual = this.textMode !== undefined && emitter instanceof DualEmitter ? emitter : undefined;
		const lenient = this.defaultFirst && Boolean(ctx.opts.lenientIf);
		// Value.initial: the reader, else (an expression, or a path the reader leaves) liquidjs'
		let val = this.initial ? this.initial(ctx) : SLOW;
		if (val === SLOW) val = toValueSync(v.initial.evaluate(ctx, lenient) as never);
		const last = v.filters.length - 1;
		for (let i = 0; i <= last; i++) {
			const f = v.filters[i];
			if (i === last && this.escaped) {
				// liquidjs' escape filter, inlined: same stringify, same memory accounting, same map;
				// the text part takes the value before it
				const str = stringify(val);
				if (dual) {
					if (UNSAFE_VALUE.test(str)) dual.unsafe = true;
					else dual.text += this.textOf(str);
				}
				(ctx as unknown as { memoryLimit: { use(n: number): void } }).memoryLimit.use(str.length);
				val = NEEDS_ESCAPE.test(str) ? escapeHtml(str) : str;
				break;
			}
			const argv: unknown[] = [val];
			const readers = this.args[i];
			for (let k = 0; k < f.args.length; k++) {
				const arg = f.args[k];
				const token = Array.isArray(arg) ? arg[1] : arg;
				let a = readers[k](ctx);
				if (a === SLOW) a = toValueSync(evalToken(token as never, ctx) as never);
				argv.push(Array.isArray(arg) ? [arg[0], a] : a);
			}
			val = toValueSync(f.handler.apply({ context: ctx, token: f.token, liquid: f.liquid }, argv) as never);
		}
		if (dual && !this.escaped) {
			const s = stringify(val);
			if (UNSAFE_RAW_VALUE.test(s)) dual.unsafe = true;
			else dual.text += this.textOf(s);
		}
		if (this.url !== 0) {
			const s = stringify(val);
			val = guardUrl(s, this.url);
			if (val !== s) {
				if (dual) dual.unsafe = true; // the text part then comes from the HTML
				if (val === '#') noteGuarded(ctx, emitter, s, this.url);
			}
		}
		writeValue(emitter, toValue(val), this.url);
	}
}

interface WritingTag {
	render(ctx: Context, emitter: Emitter): unknown;
}

/**
 * A tag that writes values (`{% echo %}`…) in a URL position: what it writes is collected and
 * written through guardUrl as one value, as an output's. The collecting emitter counts every write
 * toward the memory limit as it happens, from the size of the email so far (as a write straight
 * into it would): a loop inside `{% liquid %}` cannot grow it past the limit. A generator, so
 * that liquidjs' async renderer (which yields it) and the sync one (toValueSync) both run it.
 */
function guardTag(tag: WritingTag, mode: UrlMode): void {
	const original = tag.render;
	tag.render = function* (ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
		const inner = new CountingEmitter((ctx as unknown as CtxLike).memoryLimit ?? NO_LIMIT);
		if (emitter instanceof CountingEmitter) inner.size = emitter.size;
		const html = yield original.call(tag, ctx, inner);
		if (html) inner.write(html);
		const value = guardUrl(inner.buffer, mode);
		if (value !== inner.buffer) {
			if (emitter instanceof DualEmitter) emitter.unsafe = true;
			if (value === '#') noteGuarded(ctx, emitter, inner.buffer, mode);
		}
		writeValue(emitter, value, mode);
	};
}

/** The render state (`__pz`) of a render, when there is one. */
const stateOf = (ctx: Context): RenderState | undefined => (ctx.globals as { __pz?: RenderState } | undefined)?.__pz;

/**
 * Records in the render state a value the guard replaced by `#` for its scheme (guardedScheme),
 * where it stands as the HTML written so far says (urlPlace): reported in the render's warnings.
 * Only on a replacement, never on a value written as it is.
 */
function noteGuarded(ctx: Context, emitter: Emitter, value: string, mode: UrlMode): void {
	const state = stateOf(ctx);
	const scheme = state && guardedScheme(value, mode);
	if (!state || !scheme) return;
	const buffer = (emitter as unknown as UrlEmitter).buffer;
	(state.guarded ??= []).push({ place: typeof buffer === 'string' ? urlPlace(buffer, buffer.length) : undefined, scheme });
}

/**
 * Writes a value (an output's, or all a value-writing tag wrote): while a checked URL value is open
 * (UrlAttrHtml), where it lands in the buffer and how it is guarded is recorded (UrlEmitter.urlSpans).
 */
function writeValue(emitter: Emitter, value: unknown, mode: UrlMode): void {
	const e = emitter as unknown as UrlEmitter;
	if (e.urlStart === undefined || e.urlStart < 0 || typeof e.buffer !== 'string') {
		emitter.write(value);
		return;
	}
	const begin = e.buffer.length;
	emitter.write(value);
	if (typeof e.buffer === 'string' && e.buffer.length > begin) (e.urlSpans ??= []).push(begin, e.buffer.length, mode);
}

/** A static HTML piece with its pre-text. */
class DualHtml {
	readonly token: unknown;
	private readonly str: string;
	private readonly text: string;
	constructor(token: unknown, str: string, text: string) {
		this.token = token;
		this.str = str;
		this.text = text;
	}
	render(_ctx: Context, emitter: Emitter): void {
		if (emitter instanceof DualEmitter) {
			emitter.append(this.str);
			emitter.text += this.text;
		} else emitter.write(this.str);
	}
}

/** An emitter as UrlAttrHtml sees it: ours, or liquidjs' own (which gets the fields on first use). */
interface UrlEmitter {
	buffer?: unknown;
	urlStart?: number;
	urlText?: string;
	/** Later opening pieces met while a value was open (buffer offsets): the value may start there too. */
	urlMore?: number[];
	/**
	 * What outputs and value-writing tags wrote while the value was open: its buffer offsets (from, to)
	 * and its UrlMode, three numbers each, in buffer order. An unsafe value is neutralised there only:
	 * the template's own text (quotes that close other attributes included) is never rewritten.
	 */
	urlSpans?: number[];
}

/** The template itself writes an unsafe scheme in a URL value (a Liquid branch or loop writes it), which the guard does not rewrite. */
export class UrlSchemeFailure extends Error {
	constructor(attr: string | undefined, scheme: string) {
		super(
			`The ${attr && attr !== '*' ? `"${attr}" ` : ''}URL starts with "${scheme}:" in this render, a scheme the template itself writes (in a Liquid branch or loop), not the data: the URL guard replaces only what the data writes, never the template's own text. Write an http(s), mailto: or tel: URL there`,
		);
		this.name = 'UrlSchemeFailure';
	}
}

/**
 * A static HTML piece where a checked URL attribute value closes and/or opens (urls.ts
 * UrlPlan). Closing: the value written since it opened plus this piece's text up to the quote;
 * when it starts with an unsafe scheme, everything written since the value opened becomes `#`.
 * Opening: records where the value starts in the buffer. A piece that opens a value in one
 * reading of the template's branches may continue it in another: met while a value is open, it
 * adds a second start, and the closing piece checks the value from each. Readings that open one at
 * different places in the piece add a start each.
 */
class UrlAttrHtml {
	readonly token: unknown;
	private readonly str: string;
	/** The pre-text (with a text plan), else undefined. */
	private readonly text: string | undefined;
	/** Where values open in the piece (ascending), empty none. */
	private readonly opens: readonly number[];
	private readonly close: UrlClose | undefined;
	constructor(token: unknown, str: string, text: string | undefined, opens: readonly number[] | undefined, close: UrlClose | undefined) {
		this.token = token;
		this.str = str;
		this.text = text;
		this.opens = opens ?? [];
		this.close = close;
	}
	/** Whether the value, as written from one of its starts, begins with an unsafe scheme. */
	private unsafe(written: string, close: UrlClose): boolean {
		// a value starting with /, #, ? or http(s):// (most links), or holding neither ':' nor a
		// character reference, has no other scheme
		const at = close.at;
		const first = written.length > 0 ? written.charCodeAt(0) : this.str.charCodeAt(0);
		const settled =
			first === 47 /* / */ || first === 35 /* # */ || first === 63 /* ? */ || written.startsWith('https://') || written.startsWith('http://') ||
			(written.indexOf(':') < 0 && written.indexOf('&') < 0 && this.str.lastIndexOf(':', at) < 0 && this.str.lastIndexOf('&', at) < 0);
		return !settled && unsafeScheme(written + this.str.slice(0, at), close.quote);
	}
	/** The first start (buffer offset: `start`, then the later ones) from which the value written reads unsafe, -1 none. */
	private firstUnsafe(written: string, start: number, more: readonly number[] | undefined): number {
		const close = this.close as UrlClose;
		if (this.unsafe(written, close)) return start;
		for (const at of more ?? []) if (at - start <= written.length && this.unsafe(written.slice(at - start), close)) return at;
		return -1;
	}
	/**
	 * An unsafe value: what outputs and value-writing tags wrote from `cut` on (urlSpans) is written as
	 * the guard writes `#` (the first) and an empty value (the others) where each stands: the same HTML
	 * as a render whose data were those, which the compile-time scan read. Template text is never
	 * changed, so the HTML keeps a structure the scan checked. Still unsafe from any start (a scheme
	 * the template writes in a branch): the render fails (UrlSchemeFailure).
	 */
	private neutralise(e: UrlEmitter, buffer: string, start: number, cut: number): void {
		const spans = e.urlSpans ?? [];
		let out = '';
		let from = 0;
		let first = true;
		const moved: number[] = [];
		const shift = (at: number) => at + out.length - from;
		const more = e.urlMore ? [...e.urlMore] : [];
		let m = 0;
		for (let k = 0; k < spans.length; k += 3) {
			const [begin, end, mode] = [spans[k], spans[k + 1], spans[k + 2]];
			while (m < more.length && more[m] <= begin) more[m] = shift(more[m++]);
			// before the start it reads unsafe from: kept (spans never overlap: a tag's own writes go to its inner emitter)
			if (begin < cut || begin < from) {
				if (begin >= from) moved.push(shift(begin), shift(end), mode);
				continue;
			}
			const value = guardUrl(first ? '#' : '', mode);
			first = false;
			out += buffer.slice(from, begin);
			moved.push(out.length, out.length + value.length, mode);
			out += value;
			from = end;
		}
		while (m < more.length) more[m] = shift(more[m++]);
		out += buffer.slice(from);
		e.buffer = out;
		e.urlSpans = moved;
		if (e.urlMore) e.urlMore = more;
		const written = out.slice(start);
		if (e.urlText !== undefined) e.urlText = written;
		const close = this.close as UrlClose;
		for (const at of [start, ...more]) {
			if (at - start > written.length) continue;
			const scheme = unsafeSchemeOf(written.slice(at - start) + this.str.slice(0, close.at), close.quote);
			if (scheme !== undefined) throw new UrlSchemeFailure(close.attr, scheme);
		}
	}
	render(ctx: Context, emitter: Emitter): void {
		const e = emitter as unknown as UrlEmitter;
		if (this.close !== undefined) {
			const start = e.urlStart ?? -1;
			const buffer = e.buffer;
			if (start >= 0 && typeof buffer === 'string' && start <= buffer.length) {
				// the value written since it opened: our emitters keep it aside (liquidjs' own: read back)
				const written = e.urlText ?? buffer.slice(start);
				const cut = this.firstUnsafe(written, start, e.urlMore);
				if (cut >= 0) {
					const state = stateOf(ctx);
					const scheme = state && unsafeSchemeOf(written.slice(cut - start) + this.str.slice(0, this.close.at), this.close.quote);
					if (state && scheme) (state.guarded ??= []).push({ place: urlPlace(buffer, cut) ?? (this.close.attr && this.close.attr !== '*' ? this.close.attr : undefined), scheme });
					this.neutralise(e, buffer, start, cut);
					if (emitter instanceof DualEmitter) emitter.unsafe = true; // the text part then comes from the HTML
				}
			}
			// a value another reading of the template carries through this piece stays open: checked again where it closes
			if (!this.close.keep) {
				e.urlStart = -1;
				e.urlText = undefined;
				e.urlMore = undefined;
				e.urlSpans = undefined;
			}
		}
		if (emitter instanceof DualEmitter) {
			emitter.append(this.str);
			emitter.text += this.text ?? '';
		} else emitter.write(this.str);
		if (typeof e.buffer === 'string') {
			for (const open of this.opens) {
				const at = e.buffer.length - (this.str.length - open);
				if ((e.urlStart ?? -1) >= 0) (e.urlMore ??= []).push(at);
				else {
					e.urlStart = at;
					e.urlSpans = undefined;
					if (emitter instanceof CountingEmitter) emitter.urlText = this.str.slice(open);
				}
			}
		}
	}
}

interface NodeLike {
	token?: { kind?: number; begin?: number };
	str?: unknown;
	templates?: Template[];
	elseTemplates?: Template[];
	branches?: Array<{ templates?: Template[] }>;
}
const HTML_KIND = 16; // liquidjs TokenKind.HTML

function children(t: NodeLike): Template[][] {
	const out: Template[][] = [];
	if (Array.isArray(t.templates)) out.push(t.templates);
	if (Array.isArray(t.elseTemplates)) out.push(t.elseTemplates);
	if (Array.isArray(t.branches)) for (const b of t.branches) if (Array.isArray(b?.templates)) out.push(b.templates);
	return out;
}

/** True when every static HTML node reachable in the tree has its pre-text in the plan. */
export function planCovers(list: Template[], plan: TextPlan, depth = 0): boolean {
	if (depth > 50) return false;
	for (const t of list as unknown as NodeLike[]) {
		if (t.token?.kind === HTML_KIND && typeof t.str === 'string') {
			if (!plan.pieces.has(t.token.begin as number)) return false;
			continue;
		}
		for (const c of children(t)) if (!planCovers(c, plan, depth + 1)) return false;
	}
	return true;
}

/**
 * Swaps Outputs for FastOutputs (and, with a text plan, static HTML for DualHtml), in place,
 * through for/if/unless/case/capture bodies.
 */
export function optimizeTemplates(list: Template[], plan?: TextPlan, urls?: UrlPlan, depth = 0): void {
	if (depth > 50) return;
	for (let i = 0; i < list.length; i++) {
		const t = list[i];
		if (t instanceof Output) {
			const begin = (t.token as { begin?: number }).begin as number;
			const textMode = plan?.liveOutputs.has(begin) ? 'value' : plan?.gapOutputs.has(begin) ? 'gap' : undefined;
			list[i] = new FastOutput(t, textMode, urls?.outputs.get(begin) ?? 0) as unknown as Template;
			continue;
		}
		const node = t as unknown as NodeLike;
		if (node.token?.kind === HTML_KIND && typeof node.str === 'string') {
			const begin = node.token.begin as number;
			const piece = plan?.pieces.get(begin);
			const open = urls?.opens.get(begin);
			const close = urls?.closes.get(begin);
			if (open !== undefined || close !== undefined) list[i] = new UrlAttrHtml(node.token, node.str, piece, open, close) as unknown as Template;
			else if (piece !== undefined) list[i] = new DualHtml(node.token, node.str, piece) as unknown as Template;
			continue;
		}
		const tagName = (node.token as { name?: unknown } | undefined)?.name;
		if (urls && tagName === 'raw') {
			// `{% raw %}` writes its body as it stands: a URL value may open or close in it (urls.ts)
			const body = (t as unknown as { tokens?: Array<{ begin?: number; getText(): string }> }).tokens;
			const begin = body?.[0]?.begin;
			const open = begin === undefined ? undefined : urls.opens.get(begin);
			const close = begin === undefined ? undefined : urls.closes.get(begin);
			if (body && (open !== undefined || close !== undefined)) list[i] = new UrlAttrHtml(node.token, body.map((k) => k.getText()).join(''), undefined, open, close) as unknown as Template;
			continue;
		}
		if (urls && typeof tagName === 'string' && WRITING_TAGS.has(tagName)) {
			// guarded as its mode says (0: as written), what it writes recorded where a URL value is open (writeValue)
			guardTag(t as unknown as WritingTag, urls.outputs.get(node.token?.begin as number) ?? 0);
		}
		if (t instanceof IfTag) fastIf(t as unknown as IfLike);
		else if (t instanceof ForTag) fastFor(t as unknown as ForLike);
		else if (Array.isArray(node.branches)) {
			for (const b of node.branches as Array<{ value?: ValueLike }>) if (b?.value && Array.isArray(b.value.filters) && b.value.initial) fastCondition(b.value);
		}
		for (const c of children(node)) optimizeTemplates(c, plan, urls, depth + 1);
	}
}

/**
 * A static HTML piece (or `{% raw %}` body) that writes `<base>` tags: each render adds how many to
 * the render state (`__pz.bases`), so that the caller can tell a `<base>` the data wrote (through
 * `| raw` or with escaping off) from the template's own, as rendered (none in a branch not taken,
 * one per pass of a loop).
 */
class BaseWrites {
	readonly token: unknown;
	private readonly inner: { render(ctx: Context, emitter: Emitter): unknown };
	private readonly count: number;
	constructor(inner: Template, count: number) {
		this.inner = inner as unknown as { render(ctx: Context, emitter: Emitter): unknown };
		this.token = (inner as unknown as NodeLike).token;
		this.count = count;
	}
	render(ctx: Context, emitter: Emitter): unknown {
		const state = (ctx.globals as { __pz?: { bases?: number } } | undefined)?.__pz;
		if (state) state.bases = (state.bases ?? 0) + this.count;
		return this.inner.render(ctx, emitter);
	}
}

/**
 * Wraps each static piece and `{% raw %}` body of the tree that writes `<base>` tags (as `count`
 * reads its text) in a BaseWrites, in place, through block bodies (after optimizeTemplates). Not in
 * `{% capture %}` bodies: the captured text is a value, written (or not) where the template writes it.
 */
export function countBaseWrites(list: Template[], count: (html: string) => number, depth = 0): void {
	if (depth > 50) return;
	for (let i = 0; i < list.length; i++) {
		const node = list[i] as unknown as NodeLike & { tokens?: Array<{ getText(): string }> };
		const name = (node.token as { name?: unknown } | undefined)?.name;
		if (name === 'capture') continue;
		const raw = name === 'raw' && Array.isArray(node.tokens) ? node.tokens.map((k) => k.getText()).join('') : undefined;
		const text = typeof node.str === 'string' ? node.str : raw;
		if (text !== undefined) {
			const n = count(text);
			if (n > 0) list[i] = new BaseWrites(list[i], n) as unknown as Template;
			continue;
		}
		for (const c of children(node)) countBaseWrites(c, count, depth + 1);
	}
}

interface RendererLike {
	renderTemplates(templates: Template[], ctx: Context, emitter?: Emitter): unknown;
}
interface CtxLike {
	sync: boolean;
	breakCalled: boolean;
	continueCalled: boolean;
	opts: { keepOutputType?: boolean; catchAllErrors?: boolean };
	renderLimit: { check(now: number): void };
	memoryLimit: LimiterLike;
}

/** Installs the plain-loop list renderer on one engine (see 2. above). */
export function installSyncRenderer(engine: Liquid): void {
	const renderer = engine.renderer as unknown as RendererLike;
	const original = renderer.renderTemplates;
	renderer.renderTemplates = function (templates: Template[], context: Context, emitter?: Emitter): unknown {
		const ctx = context as unknown as CtxLike;
		if (!ctx.sync || ctx.opts.keepOutputType || ctx.opts.catchAllErrors) return original.call(this, templates, context, emitter);
		const out = emitter ?? new CountingEmitter(ctx.memoryLimit);
		ctx.renderLimit.check(performance.now());
		for (const tpl of templates) {
			// static HTML writes one constant string: the clock is read before everything else
			if (!(tpl instanceof DualHtml) && (tpl as unknown as NodeLike).token?.kind !== HTML_KIND) ctx.renderLimit.check(performance.now());
			try {
				const html = toValueSync((tpl as unknown as { render(c: Context, e: Emitter): unknown }).render(context, out) as never);
				if (html) out.write(html);
				if (ctx.breakCalled || ctx.continueCalled) break;
			} catch (e) {
				throw LiquidError.is(e) ? e : new RenderError(e as Error, tpl);
			}
		}
		return (out as unknown as { buffer: unknown }).buffer;
	};
}
