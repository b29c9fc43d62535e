/**
 * Pre-send lint for a template and a sample recipient: one report, a severity per finding.
 * Liquid syntax (line, column), the MJML pitfalls and MJML validation, variables the sample
 * lacks, then the rendered sample: alt text, https, unsubscribe link, Gmail clipping (102 KB),
 * preheader, font fallbacks, unresolved Liquid.
 */
import { Tag, TypeGuards, Value, toValueSync, type Liquid, type Template } from 'liquidjs';
import { expandBlocks, normalizeBlocks, readPath } from './blocks';
import { emptyImageSrcFinding, htmlFindings, inspectHtml, sizeFinding, unresolvedFinding } from './checks';
import { compileTemplate, parseLocated, renderCompiled, withDefaults, type CompiledTemplate } from './compile';
import { createEngines, DEFAULT_LIMITS } from './liquid';
import type { Block, Finding, TemplateInput } from './types';
import { TemplateError } from './types';

export interface LintReport {
	ok: boolean;
	errors: number;
	warnings: number;
	findings: Finding[];
	/** The sample's rendered subject / size, when it rendered. */
	sample?: { subject: string; preheader: string; size_bytes: number; blocks_shown: string[] };
}

function fromError(error: unknown, fallbackCheck = 'template'): Finding {
	if (error instanceof TemplateError) {
		const { check, source, line, column } = error.details;
		return { severity: 'error', check, message: error.message, ...(source ? { source } : {}), ...(line ? { line } : {}), ...(column ? { column } : {}) };
	}
	return { severity: 'error', check: fallbackCheck, message: (error as Error).message ?? String(error) };
}

/** The render warning of the URLs the guard replaced (checks.ts unsafeUrlFinding), read back as a finding. */
const UNSAFE_URL = 'unsafe-url: ';

export async function lintTemplate(input: TemplateInput, sample: Record<string, unknown>, defaults?: Record<string, unknown>): Promise<LintReport> {
	const findings: Finding[] = [];
	const data = withDefaults(defaults, sample ?? {});
	let engines: ReturnType<typeof createEngines> | undefined;
	try {
		engines = createEngines(input.liquid);
	} catch (error) {
		findings.push({ severity: 'error', check: 'settings', message: (error as Error).message });
	}
	// 1. each source on its own: syntax with line/column, and variables the sample lacks
	const sources: Array<{ name: string; text: string; engine?: Liquid; locals?: Set<string> }> = [
		{ name: 'body', text: input.body ?? '' },
		{ name: 'subject', text: input.subject ?? '', engine: engines?.text },
		{ name: 'preheader', text: input.preheader ?? '', engine: engines?.text },
	];
	let blocksOk = true;
	let blockLibrary = new Map<string, Block>();
	try {
		blockLibrary = normalizeBlocks(input.blocks);
		// a block included in a loop reads the loop's variable, which the sample does not hold
		let loopVariables = new Map<string, Set<string>>();
		try {
			loopVariables = expandBlocks(input.body ?? '', blockLibrary, 'body', engines?.settings.parseLimit ?? DEFAULT_LIMITS.parseLimit).loopVariables;
		} catch {
			// reported by the compile below
		}
		for (const block of blockLibrary.values()) {
			const locals = loopVariables.get(block.name);
			sources.push({ name: `block:${block.name}`, text: block.content, locals });
			if (typeof block.rule === 'string') sources.push({ name: `block:${block.name} rule`, text: `{% if ${block.rule} %}{% endif %}`, locals });
			if (block.fallback && (block.rule === undefined || block.rule === null)) {
				findings.push({ severity: 'warning', check: 'block-library', source: `block:${block.name}`, message: `Block "${block.name}" has a fallback but no rule: the fallback never renders` });
			}
		}
	} catch (error) {
		blocksOk = false;
		findings.push(fromError(error, 'block-library'));
	}
	let syntaxOk = true;
	/** Paths the sample lacks, by path: where first read strictly (raising in strict mode), else where first read leniently. */
	const missing = new Map<string, { at: Occurrence; strict: boolean; failsAt: string }>();
	if (engines) {
		for (const s of sources) {
			if (!s.text) continue;
			const engine = s.engine ?? engines.html;
			let parsed;
			try {
				parsed = parseLocated(engine, s.text, undefined, s.name);
			} catch (error) {
				syntaxOk = false;
				findings.push(fromError(error, 'liquid-syntax'));
				continue;
			}
			try {
				const strictAt = strictReads(parsed);
				const analysis = engine.analyzeSync(parsed, { partials: false });
				for (const [root, variables] of Object.entries(analysis.globals)) {
					if (root === '__pz' || s.locals?.has(root)) continue;
					for (const v of variables) {
						const segments = v.segments.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number');
						if (segments.length !== v.segments.length) continue;
						// read as liquidjs reads it (size / first / last, a null on the way is no error)
						if (readPath(data, segments) !== undefined) continue;
						const path = segments.join('.');
						const line = v.location?.row;
						const column = v.location?.col;
						const strict = strictAt.has(`${line}:${column}`);
						const known = missing.get(path);
						if (known && (known.strict || !strict)) continue;
						let n = 1;
						while (n < segments.length && readPath(data, segments.slice(0, n)) !== undefined) n++;
						missing.set(path, { at: { source: s.name, line, column }, strict, failsAt: segments.slice(0, n).join('.') });
					}
				}
			} catch {
				// analysis is best effort; syntax was checked above
			}
		}
	}

	// 2. compile (MJML pitfalls, MJML validation) and render the sample
	let report: LintReport['sample'];
	let rendered = false;
	let renderFailedOn: string | undefined;
	if (engines && syntaxOk && blocksOk && input.body?.trim()) {
		let ct: CompiledTemplate | undefined;
		try {
			ct = await compileTemplate(input);
		} catch (error) {
			findings.push(fromError(error));
		}
		if (ct) {
			findings.push(...ct.findings.filter((f) => f.check === 'mjml-validation' || f.check === 'loop-column-width' || f.check === 'preheader'));
			try {
				const r = renderCompiled(ct, sample ?? {}, { defaults, skipText: true });
				report = { subject: r.subject, preheader: r.preheader, size_bytes: r.size_bytes, blocks_shown: r.blocks_shown };
				rendered = true;
				const mjml = input.format === 'mjml' ? [input.body, ...ct.blocksUsed.map((name) => blockLibrary.get(name)?.content ?? '')].join('\n') : undefined;
				findings.push(...htmlFindings(inspectHtml(r.html, mjml)));
				// what a render warns for this recipient alone: images whose src rendered empty, URLs the guard replaced
				const images = emptyImageSrcFinding(r.html);
				if (images) findings.push(images);
				for (const w of r.warnings) if (w.startsWith(UNSAFE_URL)) findings.push({ severity: 'warning', check: 'unsafe-url', message: w.slice(UNSAFE_URL.length) });
				const size = sizeFinding(r.size_bytes);
				if (size) findings.push(size);
				const leftover = unresolvedFinding(r.html) ?? unresolvedFinding(r.subject, 'subject') ?? unresolvedFinding(r.preheader, 'preheader');
				if (leftover) findings.push(leftover);
				if (!r.subject) findings.push({ severity: 'error', check: 'subject', message: 'The subject is empty for this sample' });
				if (ct.hasPreheader && !r.preheader && (ct.preheader.length || ct.ownPreview)) findings.push({ severity: 'warning', check: 'preheader', message: 'The preheader renders empty for this sample' });
			} catch (error) {
				const message = (error as Error).message;
				renderFailedOn = /Missing value "([^"]+)" \(strict mode\)/.exec(message)?.[1];
				findings.push({ severity: 'error', check: 'render', message: `The sample does not render: ${message}` });
			}
		}
	}
	findings.push(...missingFindings(missing, Boolean(input.liquid?.strict), rendered, renderFailedOn));
	const order = { error: 0, warning: 1, info: 2 };
	findings.sort((a, b) => order[a.severity] - order[b.severity]);
	const errors = findings.filter((f) => f.severity === 'error').length;
	return { ok: errors === 0, errors, warnings: findings.filter((f) => f.severity === 'warning').length, findings, ...(report ? { sample: report } : {}) };
}

interface Occurrence {
	source: string;
	line?: number;
	column?: number;
}

/**
 * Tags whose expressions liquidjs evaluates leniently when `lenientIf` is set (as the node sets it):
 * a missing value reads as nil there, in strict mode too (the if / elsif / unless / case / when
 * conditions, the assigned value). So does the value before a first `| default` filter. Filter
 * arguments, loops, `{{ }}` outputs and `echo` raise in strict mode.
 */
const LENIENT_TAGS = new Set(['if', 'unless', 'case', 'assign']);

/** The "line:column" of each variable a strict render raises on when it is missing (liquidjs 10 evaluation). */
function strictReads(templates: Template[]): Set<string> {
	const out = new Set<string>();
	const token = (t: unknown, lenient: boolean): void => {
		if (!t || typeof t !== 'object') return;
		if (TypeGuards.isPropertyAccessToken(t as never)) {
			const p = t as unknown as { props: unknown[]; variable?: unknown; getPosition(): [number, number] };
			if (!lenient) out.add(p.getPosition().join(':'));
			if (p.variable) token(p.variable, lenient);
			for (const prop of p.props) token(prop, false); // a[b]: b is read strictly
		} else if (TypeGuards.isRangeToken(t as never)) {
			const r = t as unknown as { lhs: unknown; rhs: unknown };
			token(r.lhs, false);
			token(r.rhs, false);
		} else if (TypeGuards.isFilteredValueToken(t as never)) {
			const f = t as unknown as { initial: { postfix: unknown[] }; filters: Array<{ name: string; args: unknown[] }> };
			filtered(f.initial.postfix, f.filters, lenient);
		}
	};
	const filtered = (postfix: unknown[], filters: Array<{ name: string; args: unknown[] }>, lenient: boolean): void => {
		const l = lenient || filters[0]?.name === 'default';
		for (const t of postfix) token(t, l);
		for (const f of filters) for (const a of f.args) token(Array.isArray(a) ? a[1] : a, false);
	};
	const visit = (template: Template): void => {
		const tpl = template as Template & { arguments?: () => Iterable<unknown>; children?: (partials: boolean, sync: boolean) => unknown };
		const lenient = template instanceof Tag && LENIENT_TAGS.has(template.name);
		if (tpl.arguments) {
			for (const arg of tpl.arguments()) {
				if (arg instanceof Value) filtered(arg.initial.postfix, arg.filters, lenient);
				else token(arg, lenient);
			}
		}
		if (tpl.children) for (const child of toValueSync(tpl.children(false, true) as never) as Template[]) visit(child);
	};
	for (const t of templates) visit(t);
	return out;
}

/**
 * What a missing value does to the render, per path: read where strict mode raises, an error when
 * this sample's strict render failed on it, else a warning (a recipient who reaches it without the
 * value fails in strict mode, renders it empty otherwise); read only where it is lenient (a
 * condition, an assign, before `| default`), an info: no error in either mode. `rendered`: the
 * sample rendered; `failedOn`: the missing value its strict render stopped on.
 */
function missingFindings(
	missing: Map<string, { at: Occurrence; strict: boolean; failsAt: string }>,
	strictMode: boolean,
	rendered: boolean,
	failedOn: string | undefined,
): Finding[] {
	const out: Finding[] = [];
	for (const [path, { at, strict, failsAt }] of missing) {
		const where = `${at.source}${at.line ? ` line ${at.line}` : ''}`;
		const located = { source: at.source, ...(at.line ? { line: at.line } : {}), ...(at.column ? { column: at.column } : {}) };
		let severity: Finding['severity'];
		let effect: string;
		if (!strict) {
			severity = 'info';
			effect = 'read only in a condition, an assign or before | default, where a missing value is nil: no error, in strict mode too';
		} else if (!strictMode) {
			severity = 'warning';
			effect = 'renders empty unless it has | default or Defaults cover it';
		} else if (failedOn !== undefined && failedOn === failsAt) {
			severity = 'error';
			effect = 'strict mode fails this recipient';
		} else {
			severity = 'warning';
			effect = rendered
				? 'this sample does not reach it; strict mode fails a recipient who does without the value'
				: 'strict mode fails a recipient who reaches it without the value';
		}
		out.push({ severity, check: 'missing-variable', ...located, message: `${where}: "${path}" is used but absent from the sample (${effect})` });
	}
	return out;
}
