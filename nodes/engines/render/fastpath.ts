/**
 * Per-recipient speed: liquidjs evaluates every `{{ output }}` through four nested generators
 * (Output → Value → Filter → token). For the template rendered thousands of times, each Output
 * is swapped for an equivalent that runs the same steps (same tokens, same filter handlers, same
 * lenient/`default` rule, same escaping filter appended by `outputEscape`) as plain calls. Tags
 * (`for`, `if`…) are untouched; outputs nested in them are swapped too.
 */
import { Output, toValue, toValueSync, evalToken, type Context, type Emitter, type Template } from 'liquidjs';

interface FilterLike {
	name: string;
	handler: (...args: unknown[]) => unknown;
	args: unknown[];
	token: unknown;
	liquid: unknown;
}
interface ValueLike {
	initial: { evaluate(ctx: Context, lenient: boolean): unknown };
	filters: FilterLike[];
}

class FastOutput {
	readonly token: unknown;
	private readonly value: ValueLike;
	constructor(output: Output) {
		this.token = output.token;
		this.value = (output as unknown as { value: ValueLike }).value;
	}
	render(ctx: Context, emitter: Emitter): void {
		const v = this.value;
		const lenient = Boolean(ctx.opts.lenientIf) && v.filters.length > 0 && v.filters[0].name === 'default';
		let val = toValueSync(v.initial.evaluate(ctx, lenient) as never);
		for (const f of v.filters) {
			const argv: unknown[] = [val];
			for (const arg of f.args) {
				if (Array.isArray(arg)) argv.push([arg[0], toValueSync(evalToken(arg[1], ctx) as never)]);
				else argv.push(toValueSync(evalToken(arg as never, ctx) as never));
			}
			val = toValueSync(f.handler.apply({ context: ctx, token: f.token, liquid: f.liquid }, argv) as never);
		}
		emitter.write(toValue(val));
	}
}

/** Swaps Outputs for FastOutputs, in place, through for/if/unless/case/capture bodies. */
export function optimizeTemplates(list: Template[], depth = 0): void {
	if (depth > 50) return;
	for (let i = 0; i < list.length; i++) {
		const t = list[i];
		if (t instanceof Output) {
			list[i] = new FastOutput(t) as unknown as Template;
			continue;
		}
		const tag = t as unknown as { templates?: Template[]; elseTemplates?: Template[]; branches?: Array<{ templates?: Template[] }> };
		if (Array.isArray(tag.templates)) optimizeTemplates(tag.templates, depth + 1);
		if (Array.isArray(tag.elseTemplates)) optimizeTemplates(tag.elseTemplates, depth + 1);
		if (Array.isArray(tag.branches)) for (const b of tag.branches) if (Array.isArray(b?.templates)) optimizeTemplates(b.templates, depth + 1);
	}
}
