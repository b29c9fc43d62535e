/**
 * Per-recipient speed.
 *
 * 1. liquidjs evaluates every `{{ output }}` through four nested generators (Output → Value →
 *    Filter → token). For the template rendered thousands of times, each Output is swapped for an
 *    equivalent that runs the same steps (same tokens, same filter handlers, same lenient/`default`
 *    rule, same escaping filter appended by `outputEscape`) as plain calls. Tags (`for`, `if`…) are
 *    untouched; outputs nested in them are swapped too.
 * 2. liquidjs renders every list of templates (the email, each branch, each loop iteration)
 *    through a generator. In sync renders (all this package does) the engine's renderer walks the
 *    lists with a plain loop instead: the same render-limit check before the list and before each
 *    template, the same break/continue handling, the same error wrapping (RenderError naming the
 *    template). Async renders and options this package never sets use liquidjs' own code.
 * 3. With a compiled text plan (text.ts compileTextPlan), the render also writes the text part:
 *    each static HTML piece carries its pre-computed pre-text, each output that reaches the text
 *    writes its value unescaped, into a DualEmitter. A value the plan cannot reproduce exactly
 *    (UNSAFE_VALUE) marks the render `unsafe`, and the caller converts that recipient's HTML instead.
 */
import { LiquidError, Output, RenderError, filters as builtinFilters, toValue, toValueSync, evalToken, type Context, type Emitter, type Liquid, type Template } from 'liquidjs';
import { UNSAFE_RAW_VALUE, UNSAFE_VALUE, type TextPlan } from './text';

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

/** Value.initial (an Expression) evaluated: fast for a single literal or path, else liquidjs'. */
function evaluateInitial(v: ValueLike, ctx: Context, lenient: boolean): unknown {
	const pf = v.initial.postfix;
	if (pf && pf.length === 1) {
		const r = fastToken(pf[0], ctx);
		if (r !== SLOW) return r;
	}
	return toValueSync(v.initial.evaluate(ctx, lenient) as never);
}

function evaluateArg(arg: unknown, ctx: Context): unknown {
	const r = fastToken(arg as TokenLike, ctx);
	return r !== SLOW ? r : toValueSync(evalToken(arg as never, ctx) as never);
}

/** `{% if a.b %}` / `{% unless … %}` conditions without filters or operators: evaluated without generators. */
function fastCondition(value: ValueLike & { value?: unknown }): void {
	if (value.filters.length !== 0 || !value.initial.postfix || value.initial.postfix.length !== 1) return;
	const original = (value.value as (ctx: Context, lenient: boolean) => unknown).bind(value);
	value.value = (ctx: Context, lenient: boolean): unknown => {
		const r = fastToken(value.initial.postfix![0], ctx);
		return r !== SLOW ? r : original(ctx, lenient);
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

/** Collects the HTML (`buffer`, as liquidjs' emitter) and the pre-text of the text part. */
export class DualEmitter implements Emitter {
	buffer = '';
	text = '';
	unsafe = false;
	write(html: unknown): void {
		this.buffer += stringify(html);
	}
}

/** liquidjs' SimpleEmitter (not exported): what a list renders into when no emitter is given. */
class PlainEmitter implements Emitter {
	buffer = '';
	write(html: unknown): void {
		this.buffer += stringify(html);
	}
}

const ESCAPE = builtinFilters.escape as unknown;
const NEEDS_ESCAPE = /[&<>"']/;
const ESCAPE_MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

class FastOutput {
	readonly token: unknown;
	private readonly value: ValueLike;
	/** The value reaches the text part (text content, a link's href, an image's alt). */
	private readonly live: boolean;
	/** The last filter is `escape` (outputEscape or written): the text takes the value before it. */
	private readonly escaped: boolean;
	constructor(output: Output, live: boolean) {
		this.token = output.token;
		this.value = (output as unknown as { value: ValueLike }).value;
		this.live = live;
		const f = this.value.filters;
		this.escaped = f.length > 0 && f[f.length - 1].handler === ESCAPE && f[f.length - 1].args.length === 0;
	}
	render(ctx: Context, emitter: Emitter): void {
		const v = this.value;
		const dual = this.live && emitter instanceof DualEmitter ? emitter : undefined;
		const lenient = Boolean(ctx.opts.lenientIf) && v.filters.length > 0 && v.filters[0].name === 'default';
		let val = evaluateInitial(v, ctx, lenient);
		const last = v.filters.length - 1;
		for (let i = 0; i <= last; i++) {
			const f = v.filters[i];
			if (i === last && this.escaped) {
				// liquidjs' escape filter, inlined: same stringify, same memory accounting, same map;
				// the text part takes the value before it
				const str = stringify(val);
				if (dual) {
					if (UNSAFE_VALUE.test(str)) dual.unsafe = true;
					else dual.text += str;
				}
				(ctx as unknown as { memoryLimit: { use(n: number): void } }).memoryLimit.use(str.length);
				val = NEEDS_ESCAPE.test(str) ? str.replace(/&|<|>|"|'/g, (m) => ESCAPE_MAP[m]) : str;
				break;
			}
			const argv: unknown[] = [val];
			for (const arg of f.args) {
				if (Array.isArray(arg)) argv.push([arg[0], evaluateArg(arg[1], ctx)]);
				else argv.push(evaluateArg(arg, ctx));
			}
			val = toValueSync(f.handler.apply({ context: ctx, token: f.token, liquid: f.liquid }, argv) as never);
		}
		if (dual && !this.escaped) {
			const s = stringify(val);
			if (UNSAFE_RAW_VALUE.test(s)) dual.unsafe = true;
			else dual.text += s;
		}
		emitter.write(toValue(val));
	}
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
			emitter.buffer += this.str;
			emitter.text += this.text;
		} else emitter.write(this.str);
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
export function optimizeTemplates(list: Template[], plan?: TextPlan, depth = 0): void {
	if (depth > 50) return;
	for (let i = 0; i < list.length; i++) {
		const t = list[i];
		if (t instanceof Output) {
			const begin = (t.token as { begin?: number }).begin as number;
			list[i] = new FastOutput(t, plan !== undefined && plan.liveOutputs.has(begin)) as unknown as Template;
			continue;
		}
		const node = t as unknown as NodeLike;
		if (plan && node.token?.kind === HTML_KIND && typeof node.str === 'string') {
			const piece = plan.pieces.get(node.token.begin as number);
			if (piece !== undefined) list[i] = new DualHtml(node.token, node.str, piece) as unknown as Template;
			continue;
		}
		if (Array.isArray(node.branches)) {
			for (const b of node.branches as Array<{ value?: ValueLike }>) if (b?.value && Array.isArray(b.value.filters) && b.value.initial) fastCondition(b.value);
		}
		for (const c of children(node)) optimizeTemplates(c, plan, depth + 1);
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
}

/** Installs the plain-loop list renderer on one engine (see 2. above). */
export function installSyncRenderer(engine: Liquid): void {
	const renderer = engine.renderer as unknown as RendererLike;
	const original = renderer.renderTemplates;
	renderer.renderTemplates = function (templates: Template[], context: Context, emitter?: Emitter): unknown {
		const ctx = context as unknown as CtxLike;
		if (!ctx.sync || ctx.opts.keepOutputType || ctx.opts.catchAllErrors) return original.call(this, templates, context, emitter);
		const out = emitter ?? new PlainEmitter();
		ctx.renderLimit.check(performance.now());
		for (const tpl of templates) {
			ctx.renderLimit.check(performance.now());
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
