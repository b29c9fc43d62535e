/**
 * Pre-send lint for a template and a sample recipient: one report, a severity per finding.
 * Liquid syntax (line, column), the MJML pitfalls and MJML validation, variables the sample
 * lacks, then the rendered sample: alt text, https, unsubscribe link, Gmail clipping (102 KB),
 * preheader, font fallbacks, unresolved Liquid.
 */
import type { Liquid } from 'liquidjs';
import { normalizeBlocks, readPath } from './blocks';
import { htmlFindings, inspectHtml, sizeFinding, unresolvedFinding } from './checks';
import { compileTemplate, parseLocated, renderCompiled, withDefaults, type CompiledTemplate } from './compile';
import { createEngines } from './liquid';
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
	const sources: Array<{ name: string; text: string; engine?: Liquid }> = [
		{ name: 'body', text: input.body ?? '' },
		{ name: 'subject', text: input.subject ?? '', engine: engines?.text },
		{ name: 'preheader', text: input.preheader ?? '', engine: engines?.text },
	];
	let blocksOk = true;
	let blockLibrary = new Map<string, Block>();
	try {
		blockLibrary = normalizeBlocks(input.blocks);
		for (const block of blockLibrary.values()) {
			sources.push({ name: `block:${block.name}`, text: block.content });
			if (typeof block.rule === 'string' && block.rule.trim()) sources.push({ name: `block:${block.name} rule`, text: `{% if ${block.rule} %}{% endif %}` });
			if (block.fallback && (block.rule === undefined || block.rule === '')) {
				findings.push({ severity: 'warning', check: 'block-library', source: `block:${block.name}`, message: `Block "${block.name}" has a fallback but no rule: the fallback never renders` });
			}
		}
	} catch (error) {
		blocksOk = false;
		findings.push(fromError(error, 'block-library'));
	}
	let syntaxOk = true;
	const missing = new Map<string, Finding>();
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
				const analysis = engine.analyzeSync(parsed, { partials: false });
				for (const [root, variables] of Object.entries(analysis.globals)) {
					if (root === '__pz') continue;
					for (const v of variables) {
						const segments = v.segments.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number');
						if (segments.length !== v.segments.length) continue;
						const path = segments.join('.');
						if (['size', 'first', 'last'].includes(String(segments[segments.length - 1])) && readPath(data, segments.slice(0, -1).join('.')) !== undefined) continue;
						if (readPath(data, path) !== undefined || missing.has(path)) continue;
						const line = v.location?.row;
						const column = v.location?.col;
						missing.set(path, {
							severity: input.liquid?.strict ? 'error' : 'warning',
							check: 'missing-variable',
							source: s.name,
							...(line ? { line } : {}),
							...(column ? { column } : {}),
							message: `${s.name}${line ? ` line ${line}` : ''}: "${path}" is used but absent from the sample${input.liquid?.strict ? ' (strict mode fails this recipient)' : ' (renders empty unless it has | default or Defaults cover it)'}`,
						});
					}
				}
			} catch {
				// analysis is best effort; syntax was checked above
			}
		}
	}
	findings.push(...missing.values());

	// 2. compile (MJML pitfalls, MJML validation) and render the sample
	let report: LintReport['sample'];
	if (engines && syntaxOk && blocksOk && input.body?.trim()) {
		let ct: CompiledTemplate | undefined;
		try {
			ct = await compileTemplate(input);
		} catch (error) {
			findings.push(fromError(error));
		}
		if (ct) {
			findings.push(...ct.findings.filter((f) => f.check === 'mjml-validation' || f.check === 'preheader'));
			try {
				const r = renderCompiled(ct, sample ?? {}, { defaults, skipText: true });
				report = { subject: r.subject, preheader: r.preheader, size_bytes: r.size_bytes, blocks_shown: r.blocks_shown };
				const mjml = input.format === 'mjml' ? [input.body, ...ct.blocksUsed.map((name) => blockLibrary.get(name)?.content ?? '')].join('\n') : undefined;
				findings.push(...htmlFindings(inspectHtml(r.html, mjml)));
				const size = sizeFinding(r.size_bytes);
				if (size) findings.push(size);
				const leftover = unresolvedFinding(r.html) ?? unresolvedFinding(r.subject, 'subject') ?? unresolvedFinding(r.preheader, 'preheader');
				if (leftover) findings.push(leftover);
				if (!r.subject) findings.push({ severity: 'error', check: 'subject', message: 'The subject is empty for this sample' });
				if (ct.hasPreheader && !r.preheader && ct.preheader.length) findings.push({ severity: 'warning', check: 'preheader', message: 'The preheader renders empty for this sample' });
			} catch (error) {
				findings.push({ severity: 'error', check: 'render', message: `The sample does not render: ${(error as Error).message}` });
			}
		}
	}
	const order = { error: 0, warning: 1, info: 2 };
	findings.sort((a, b) => order[a.severity] - order[b.severity]);
	const errors = findings.filter((f) => f.severity === 'error').length;
	return { ok: errors === 0, errors, warnings: findings.filter((f) => f.severity === 'warning').length, findings, ...(report ? { sample: report } : {}) };
}
